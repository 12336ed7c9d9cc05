"""Step 3 of grading: compare an `Outcome` with the reference and explain the difference.

Everything here works on plain data (arrays, numbers, tuples) and the exercise's reference, so it
can run in any process. The order of the questions follows what a student should fix first:
did the function run at all, did it change its input, did it return the right kind of thing,
the right shape, finite numbers, the right values; and if not, which known mistake gives exactly
what it returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .core import Args, Case, Exercise, Mistake, Outcome, Verdict
from .messages import array_text, number_text, position_text, short_value

__all__ = ["judge", "GENERIC_MISTAKES"]


@dataclass
class _Problem:
    """What is wrong with one output: paragraphs for the message, mistake names found."""

    paragraphs: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    received: object = None  # the received component as an array or int, once it parsed
    shape_differs: bool = False
    recognise: bool = True  # look for named mistakes


def judge(exercise: Exercise, case: Case, outcome: Outcome) -> Verdict:
    """The verdict on `outcome`, the result of running the student's function on `case`."""
    a = exercise.bind(case)
    try:
        expected, expected_error = a.expected, None
    except ValueError as error:  # the reference refuses this input: so must the student
        expected, expected_error = None, error

    paragraphs: list[str] = []
    mistakes: list[str] = []
    if outcome.error is not None and outcome.error[0] == "NotImplementedError":
        return Verdict(
            False,
            f"Not implemented yet: {exercise.id} raised NotImplementedError. Replace "
            f"`raise NotImplementedError()` with your code and run the cell that defines it.",
            ("not implemented yet",),
        )
    if outcome.modified:
        paragraphs.append(_modified_text(exercise, case, outcome.modified))
        mistakes.append("input modified in place")

    if outcome.error is not None:
        if not (expected_error is not None and outcome.error[0] == "ValueError"):
            paragraphs.append(_exception_text(exercise, outcome, expected, expected_error))
            mistakes.append("exception")
    elif expected_error is not None:
        paragraphs.append(
            f"No ValueError: this input must be refused with a ValueError, and your function returned "
            f"{short_value(outcome.value)}.\n"
            f"The reference refuses this input: {expected_error}"
        )
        mistakes.append("no ValueError")
    else:
        problem = _compare(exercise, a, expected, outcome.value)
        if problem is not None:
            paragraphs.extend(problem.paragraphs)
            mistakes.extend(problem.mistakes)

    if outcome.modified and len(paragraphs) == 1:
        paragraphs.append("Apart from that your function did the right thing here: only the change to the "
                          "input is wrong.")
        return Verdict(False, "\n\n".join(paragraphs), tuple(mistakes))
    return Verdict(not paragraphs, "\n\n".join(paragraphs), tuple(mistakes))


# ---------------------------------------------------------------------------------------------
# Exceptions and in-place changes
# ---------------------------------------------------------------------------------------------


def _modified_text(exercise: Exercise, case: Case, modified) -> str:
    names = list(exercise.parameters.parameters)
    labels = [names[item] if isinstance(item, int) and item < len(names) else str(item) for item in modified]
    which = " and ".join(f"`{label}`" for label in labels)
    return (
        f"Input modified in place: your function changed {which}. A layer must leave its input "
        f"as it found it (the caller still needs it). Work on a copy (e.g. `x = x.copy()` or "
        f"`np.pad(x, ...)`, which makes a new array), and use `a = a + b` rather than `a += b` "
        f"on an argument."
    )


def _exception_text(exercise: Exercise, outcome: Outcome, expected, expected_error) -> str:
    kind, text = outcome.error
    where = f"\n    at {outcome.where}" if outcome.where else ""
    lines = [f"Your function raised {kind}: {text}{where}"]
    if expected_error is not None:
        lines.append(f"It should raise a ValueError here: the reference says \"{expected_error}\".")
    elif kind == "ValueError":
        lines.append(f"This input is valid: the reference returns {short_value(expected)}.")
    elif kind == "IndexError":
        lines.append("An index went past the end of an array: check the range of your loops and "
                     "the output size.")
    elif kind == "RecursionError":
        lines.append("Does your function call itself, perhaps through a name you reused?")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------------


def _compare(exercise: Exercise, a: Args, expected, received) -> _Problem | None:
    """Compare the whole output; None when right."""
    if isinstance(expected, tuple):
        names = exercise.output_names or tuple(f"output {i}" for i in range(len(expected)))
        listing = ", ".join(names)
        if received is None:
            return _Problem([f"Returned None: your function returned None; did you `return {listing}`?"], ["returned None"])
        if not isinstance(received, (tuple, list)) or len(received) != len(expected):
            got = short_value(received)
            return _Problem(
                [f"Wrong number of outputs: expected a tuple of {len(expected)} ({listing}), got {got}."],
                ["wrong number of outputs"],
            )
        for index, (part, got) in enumerate(zip(expected, received)):
            problem = _compare_one(exercise, a, part, got, names[index])
            if problem is not None:
                _recognise(exercise, a, problem, part, index, names[index])
                return problem
        return None
    problem = _compare_one(exercise, a, expected, received, "output")
    if problem is not None:
        _recognise(exercise, a, problem, expected, None)
    return problem


def _formula_lines(exercise: Exercise, a: Args) -> list[str]:
    if exercise.formula is None:
        return []
    try:
        return ["    " + line for line in exercise.formula(a)]
    except Exception:  # noqa: BLE001 - an explanation must never hide the verdict
        return []


def _compare_one(exercise: Exercise, a: Args, expected, received, name: str) -> _Problem | None:
    if isinstance(expected, (int, np.integer)) and not isinstance(expected, (bool, np.bool_)):
        return _compare_int(exercise, a, int(expected), received, name)
    return _compare_array(exercise, a, np.asarray(expected), received, name)


def _compare_int(exercise: Exercise, a: Args, expected: int, received, name: str) -> _Problem | None:
    if received is None:
        return _Problem(["Returned None: your function returned None; did you forget `return`?"], ["returned None"], recognise=False)
    if isinstance(received, np.ndarray) and received.ndim == 0:
        received = received[()]
    formula = _formula_lines(exercise, a)
    if isinstance(received, (bool, np.bool_)) or not isinstance(received, (int, float, np.integer, np.floating)):
        return _Problem([f"Wrong type: expected the int {expected}, got {short_value(received)}."],
                        ["wrong type"], recognise=False)
    if isinstance(received, (float, np.floating)):
        value = float(received)
        if value == expected:
            return _Problem(
                [f"Float instead of int: expected the int {expected}, got the float {number_text(value)}. Sizes are whole "
                 f"numbers and are used to make arrays: use floor division `//` (or int())."],
                ["float instead of int"], received=value, recognise=False)
        if not np.isfinite(value) or not value.is_integer():
            return _Problem(
                ["\n".join([f"Float instead of int: expected the int {expected}, got {number_text(value)}, which is not a "
                            f"whole number. The formula floors the division: use `//`.", *formula])],
                ["float instead of int"], received=value)
        received = int(value)
    if int(received) == expected:
        return None
    return _Problem(["\n".join([f"Expected {expected}, got {int(received)}.", *formula])], received=int(received))


def _as_array(received):
    """The received value as a numeric array, or a message saying why it is not one."""
    if received is None:
        return None, "Returned None: your function returned None; did you forget `return`?"
    if isinstance(received, (str, bytes)) or hasattr(received, "type_name"):
        return None, f"Wrong type: expected an array, got {short_value(received)}."
    try:
        array = np.asarray(received)
    except (ValueError, TypeError) as error:
        return None, f"Wrong type: expected an array, got a {type(received).__name__} that numpy cannot read as one ({error})."
    if array.dtype.kind not in "biuf":
        return None, (f"Wrong type: expected an array of numbers, got {short_value(received)} (numpy reads it with "
                      f"dtype {array.dtype}: are the rows of different lengths?).")
    return array, ""


def _compare_array(exercise: Exercise, a: Args, expected: np.ndarray, received, name: str) -> _Problem | None:
    array, complaint = _as_array(received)
    what = "Your output" if name == "output" else f"Output `{name}`"
    if array is None:
        mistake = "returned None" if received is None else "wrong type"
        return _Problem([complaint if name == "output" else f"{name}: {complaint}"], [mistake], recognise=False)
    if array.shape != expected.shape:
        text = "\n".join([f"{what} has the wrong shape: expected {expected.shape}, got {array.shape}.",
                          *_formula_lines(exercise, a)])
        return _Problem([text], received=array, shape_differs=True)
    if expected.dtype.kind in "iu":
        return _compare_indices(expected, array, name)

    with np.errstate(all="ignore"):
        expected64 = expected.astype(np.float64)
        got64 = array.astype(np.float64)
        bad_numbers = ~np.isfinite(got64) & np.isfinite(expected64)
        if bad_numbers.any():
            position = tuple(np.argwhere(bad_numbers)[0])
            count = int(bad_numbers.sum())
            return _Problem(
                [f"NaN or inf: {what.lower()} contains {count} NaN or infinite value{'s' if count > 1 else ''} where "
                 f"numbers are expected; the first is {number_text(got64[position])} at "
                 f"{position_text(position)} (expected {number_text(expected64[position])}). "
                 f"np.empty leaves garbage in cells you never write; 0 * inf and inf - inf give NaN."],
                ["NaN or inf"], received=array,
            )
        close = _close(expected64, got64, exercise)
    if close.all():
        return None  # an integer array with the right values is fine (integer inputs, say)
    problem = _Problem(_difference_lines(expected64, got64, close, what, name), received=array)
    if array.dtype.kind in "biu" and expected.dtype.kind == "f":
        problem.paragraphs.append(
            f"Integer truncation: {what.lower()} has the integer dtype {array.dtype}, so every "
            f"fractional part was cut off. This happens when the output is created from an "
            f"integer array (np.zeros_like(x) for an integer x) or converted with int() or "
            f".astype(int). Create it as floats, e.g. np.zeros(shape)."
        )
        problem.mistakes.append("integer truncation")
        problem.recognise = False
    return problem


def _close(expected: np.ndarray, received: np.ndarray, exercise: Exercise) -> np.ndarray:
    """Element-wise agreement within the exercise's tolerance (infinities must match exactly)."""
    finite = expected[np.isfinite(expected)]
    scale = max(1.0, float(np.abs(finite).max())) if finite.size else 1.0
    return np.isclose(received, expected, rtol=exercise.rtol, atol=exercise.atol * scale, equal_nan=True)


def _compare_indices(expected: np.ndarray, array: np.ndarray, name: str) -> _Problem | None:
    if array.dtype.kind not in "iu":
        return _Problem(
            [f"Indices not integers: your {name} must be an integer array (dtype int64, as numpy's argmax gives), "
             f"got dtype {array.dtype}. Indices are used to index arrays, which floats cannot do."],
            ["indices not integers"], received=array, recognise=False,
        )
    same = expected == array
    if same.all():
        return None
    return _Problem(_difference_lines(expected, array, same, f"Output `{name}`", name), received=array)


def _difference_lines(expected: np.ndarray, received: np.ndarray, same: np.ndarray, what: str,
                      name: str) -> list[str]:
    """The first wrong position, how many are wrong, and the plane around it."""
    wrong = np.argwhere(~same)
    position = tuple(wrong[0])
    lines = [
        f"{what} has the right shape {expected.shape} but wrong values at {len(wrong)} of "
        f"{expected.size} positions. The first is at {position_text(position)}: expected "
        f"{number_text(expected[position])}, got {number_text(received[position])}."
    ]
    plane = position[:-2] if expected.ndim > 2 else ()
    expected_plane, received_plane = expected[plane], received[plane]
    if expected_plane.size <= 81:
        where = f" {name}{position_text(plane)}" if plane else ""
        lines.append(
            f"Expected{where}:\n    {array_text(expected_plane, 4)}\n"
            f"Got{where}:\n    {array_text(received_plane, 4)}"
        )
    return lines


# ---------------------------------------------------------------------------------------------
# Named mistakes
# ---------------------------------------------------------------------------------------------


def _truncated(a: Args):
    return _map_float(a.expected, np.trunc)


def _floored(a: Args):
    return _map_float(a.expected, np.floor)


def _transposed(a: Args):
    return _map(a.expected, lambda array: np.swapaxes(array, -1, -2) if array.ndim >= 2 else None)


def _map(value, fn):
    if isinstance(value, tuple):
        return tuple(_map(part, fn) for part in value)
    if isinstance(value, np.ndarray):
        return fn(value)
    return None


def _map_float(value, fn):
    return _map(value, lambda array: fn(array) if array.dtype.kind == "f" else None)


GENERIC_MISTAKES = (
    Mistake(
        "integer truncation",
        "Your values are the right ones with their fractional parts cut off: somewhere they went "
        "through int(), astype(int), or an integer array made by np.zeros_like(x) for an integer "
        "x. Keep them as floats.",
        _truncated,
    ),
    Mistake(
        "integer truncation",
        "Your values are the right ones rounded down to whole numbers (np.floor, // or an integer "
        "array). Keep them as floats.",
        _floored,
    ),
    Mistake(
        "H and W swapped",
        "Your output is the right one transposed: rows and columns (height and width) are "
        "swapped. Index arrays as [..., row, column], i.e. [..., y, x], and make the output "
        "(..., H_out, W_out).",
        _transposed,
    ),
)


def _part(value, index):
    """Component `index` of a variant's output (None if it says nothing about it)."""
    if index is None:
        return value
    if isinstance(value, (tuple, list)) and len(value) > index:
        return value[index]
    return None


def _shape(value):
    return np.shape(value) if isinstance(value, np.ndarray) else None


def _equal(variant, other, exercise: Exercise) -> bool:
    """Whether a variant's output equals another output, within the exercise's tolerance."""
    if isinstance(variant, np.ndarray) or isinstance(other, np.ndarray):
        if not (isinstance(variant, np.ndarray) and isinstance(other, np.ndarray)):
            return False
        if variant.shape != other.shape:
            return False
        if variant.dtype.kind in "iu" or other.dtype.kind in "iu":
            return bool(np.array_equal(variant, other))
        with np.errstate(all="ignore"):
            return bool(_close(np.asarray(variant, np.float64), np.asarray(other, np.float64), exercise).all())
    try:
        return variant == other and type(variant) is not bool
    except Exception:  # noqa: BLE001
        return False


def _recognise(exercise: Exercise, a: Args, problem: _Problem, expected, index, name: str = "output") -> None:
    """Add the named mistakes whose output equals what the student returned."""
    if not problem.recognise or problem.received is None:
        return
    received = problem.received
    exact: list[Mistake] = []
    shaped: list[Mistake] = []
    for mistake in (*exercise.mistakes, *GENERIC_MISTAKES):
        try:
            with np.errstate(all="ignore"):
                variant = _part(mistake.variant(a), index)
        except Exception:  # noqa: BLE001 - a variant that cannot handle this input says nothing
            continue
        if variant is None:
            continue
        if isinstance(variant, np.ndarray):
            variant = np.asarray(variant)
        elif isinstance(variant, np.integer):
            variant = int(variant)
        if _equal(variant, expected, exercise):
            continue  # this mistake makes no difference on this input
        if _equal(variant, received, exercise):
            if mistake.name not in [m.name for m in exact]:
                exact.append(mistake)
        elif problem.shape_differs and _shape(variant) == _shape(received):
            if mistake.name not in [m.name for m in shaped]:
                shaped.append(mistake)
    if exact:
        first = exact[0]
        text = f"Recognised mistake: {first.name} (your {name} is exactly what it gives).\n{first.hint}"
        others = [m.name for m in exact[1:]]
        if others:
            text += f" (It also equals: {'; '.join(others)}.)"
        problem.paragraphs.append(text)
        problem.mistakes.extend(m.name for m in exact)
    elif shaped:
        first = shaped[0]
        text = f"Likely mistake: {first.name} (your {name} has the shape it gives).\n{first.hint}"
        others = [m.name for m in shaped[1:3]]
        if others:
            text += f" (Other mistakes that give this shape: {'; '.join(others)}.)"
        problem.paragraphs.append(text)
        problem.mistakes.extend(m.name for m in shaped)
