"""The grading machinery: exercises, their cases, running a student's function, judging it.

Checking a student's function takes three separable steps, so that the judging can move out of
the student's process without changing anything else:

1. ``exercise.cases(hidden)`` makes the inputs: a list of `Case`, the same list every time for a
   given exercise and `hidden` flag.
2. ``run_case(fn, case)`` calls the student's function on a fresh copy of one case and records an
   `Outcome`: what came back (as plain numpy arrays, numbers, lists and tuples), or which
   exception was raised, and which arguments the function changed in place. An `Outcome` holds
   no live objects, so it can be pickled and sent from one process to another.
3. ``exercise.judge(case, outcome)`` compares the outcome with the reference and returns a
   `Verdict`: passed, or a message that says what went wrong and, where it recognises one, names
   the mistake.

`check` composes the three for a notebook cell.
"""

from __future__ import annotations

import ast
import copy
import inspect
import os
import sysconfig
import traceback
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

__all__ = [
    "Args",
    "Case",
    "EXERCISES",
    "Exercise",
    "Mistake",
    "Opaque",
    "Outcome",
    "Verdict",
    "check",
    "get_exercise",
    "last_failure",
    "register",
    "run_case",
    "to_plain",
]

EXERCISES: dict[str, "Exercise"] = {}
"""Every exercise by id; the id is the name of the function the student writes."""

_last_failure: dict[str, Any] = {}


# ---------------------------------------------------------------------------------------------
# Data passed between the three steps
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Case:
    """One call of the exercise's function: positional and keyword arguments, and what they show.

    Arrays in a case built by `Exercise.cases` are read-only; the student gets copies.
    """

    args: tuple
    kwargs: dict = field(default_factory=dict)
    description: str = ""


@dataclass(frozen=True)
class Opaque:
    """Stands for a returned object that is neither a number, an array, a list nor a tuple."""

    type_name: str
    text: str


@dataclass(frozen=True)
class Outcome:
    """What one call of the student's function did, in plain data.

    `value` is the returned value after `to_plain`; `error` is ``(type name, message)`` if the
    call raised, with `where` the line of the student's code that raised; `modified` lists the
    arguments the call changed in place: positions (int) of positional arguments and names
    (str) of keyword arguments.
    """

    value: Any = None
    error: tuple[str, str] | None = None
    where: str = ""
    modified: tuple = ()


@dataclass(frozen=True)
class Verdict:
    """The judgement of one outcome: passed, or why not. True when passed."""

    passed: bool
    message: str = ""
    mistakes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Mistake:
    """A named mistake, given as what the reference computes when it makes that mistake.

    `variant(a)` receives the case's `Args` and returns the output the mistake produces, in the
    structure of the reference's output; it returns None when the mistake cannot happen for
    these arguments (say, "stride ignored" when the stride is 1), and None for a component of a
    tuple it has nothing to say about. If a student's output equals a variant where the variant
    differs from the right answer, the message names the mistake and gives `hint`.
    """

    name: str
    hint: str
    variant: Callable[["Args"], Any]


# ---------------------------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------------------------


def _parse_signature(text: str) -> inspect.Signature:
    """The `inspect.Signature` of ``"name(a, b=1, ...)"``; defaults must be literals."""
    function = ast.parse(f"def {text}: pass").body[0]
    arguments = function.args
    names = [argument.arg for argument in arguments.args]
    defaults = [ast.literal_eval(value) for value in arguments.defaults]
    first_default = len(names) - len(defaults)
    parameters = [
        inspect.Parameter(
            name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=defaults[index - first_default] if index >= first_default else inspect.Parameter.empty,
        )
        for index, name in enumerate(names)
    ]
    return inspect.Signature(parameters)


@dataclass(frozen=True, eq=False)
class Exercise:
    """One exercise: the function the student writes, its reference, its cases and mistakes.

    Parameters
    ----------
    id : str
        The name of the student's function, e.g. ``"conv2d"``.
    reference : callable
        The course_lib function whose output is right by definition. It is called with the
        student's parameter names, so its parameters must include them.
    signature : str
        The student's signature, e.g. ``"corr2d(x, k)"``; defaults must be literals.
    description : str
        One sentence on what the function computes.
    examples : tuple of Case
        Fixed cases, first in both the visible and the hidden set (the lectures' worked
        examples, so that students recognise them).
    random_case : callable ``(rng, hidden, index) -> Case``
        Draws one randomised case; `hidden` selects the hidden set's shape ranges and argument
        mixes, `index` lets it cycle through argument combinations.
    counts : (int, int)
        Total number of cases in the visible and the hidden set.
    mistakes : tuple of Mistake
        The mistakes this exercise recognises, most specific first.
    formula : callable ``(Args) -> list of str``, optional
        Lines that derive the expected output's shape (or value, for int results).
    output_names : tuple of str
        Names of the components when the reference returns a tuple, e.g. ``("dx", "dw", "db")``.
    rtol, atol : float
        Tolerance for floating-point outputs; integer outputs and indices must be exact.
        `atol` is scaled by the largest expected magnitude when that exceeds 1.
    """

    id: str
    reference: Callable
    signature: str
    description: str
    examples: tuple = ()
    random_case: Callable | None = None
    counts: tuple[int, int] = (10, 30)
    mistakes: tuple = ()
    formula: Callable | None = None
    output_names: tuple[str, ...] = ()
    rtol: float = 1e-5
    atol: float = 1e-6
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        parameters = _parse_signature(self.signature).parameters
        clash = {"call", "expected", "exercise", "case"} & set(parameters)
        if clash:
            raise ValueError(f"{self.id}: parameter names {sorted(clash)} clash with Args' own attributes")
        if not self.signature.startswith(self.id + "("):
            raise ValueError(f"{self.id}: the signature {self.signature!r} must name the function {self.id}")

    @property
    def parameters(self) -> inspect.Signature:
        """The student's signature, parsed."""
        if "signature" not in self._cache:
            self._cache["signature"] = _parse_signature(self.signature)
        return self._cache["signature"]

    def cases(self, hidden: bool = False) -> list[Case]:
        """The visible (or hidden) cases: the examples, then randomised ones; always the same."""
        key = ("cases", bool(hidden))
        if key not in self._cache:
            rng = np.random.default_rng(_seed(self.id, hidden))
            total = self.counts[1] if hidden else self.counts[0]
            cases = list(self.examples)
            for index in range(total - len(cases)):
                cases.append(self.random_case(rng, bool(hidden), index))
            for case in cases:
                _freeze(case.args)
                _freeze(case.kwargs)
            self._cache[key] = cases
        return list(self._cache[key])

    def bind(self, case: Case) -> "Args":
        """The case's arguments by parameter name, with the defaults filled in."""
        return Args(self, case)

    def judge(self, case: Case, received) -> Verdict:
        """Judge what the student's function did on `case` (an `Outcome`, or the returned value)."""
        from .judging import judge

        if not isinstance(received, Outcome):
            received = Outcome(value=to_plain(received))
        return judge(self, case, received)

    def student_callable(self, fn: Callable) -> Callable:
        """What `check` runs for the student's `fn`: `fn` itself, unless a subclass adapts it.

        An exercise whose student writes a class (a torch module, say) overrides this to build
        the object and return plain data about it; see `grading.unet`.
        """
        return fn


class Args:
    """The arguments of one case by parameter name (``a.x``, ``a.stride``), defaults filled in.

    ``a.call(**changes)`` runs the reference with some arguments changed (and may pass reference
    parameters the student's signature lacks, such as ``ceil_mode``); ``a.expected`` is the
    reference's output for the case itself. Mistake variants are written with these two.
    """

    def __init__(self, exercise: Exercise, case: Case):
        bound = exercise.parameters.bind(*case.args, **case.kwargs)
        bound.apply_defaults()
        self.exercise = exercise
        self.case = case
        self._names = list(bound.arguments)
        self.__dict__.update(bound.arguments)

    def call(self, **changes):
        """The reference's output with the given arguments replaced (or added)."""
        values = {name: getattr(self, name) for name in self._names}
        values.update(changes)
        required = [
            name
            for name, parameter in self.exercise.parameters.parameters.items()
            if parameter.default is inspect.Parameter.empty
        ]
        positional = [values.pop(name) for name in required]
        return self.exercise.reference(*positional, **values)

    @property
    def expected(self):
        """The reference's output for this case (computed once)."""
        if "_expected" not in self.__dict__:
            self.__dict__["_expected"] = self.call()
        return self.__dict__["_expected"]

    def __repr__(self) -> str:
        inside = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._names)
        return f"Args({inside})"


def register(exercise: Exercise) -> Exercise:
    """Add an exercise to `EXERCISES` (under its id) and return it."""
    if exercise.id in EXERCISES:
        raise ValueError(f"exercise {exercise.id!r} is registered twice")
    EXERCISES[exercise.id] = exercise
    return exercise


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id, or a ValueError listing the known ids."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        known = ", ".join(sorted(EXERCISES))
        raise ValueError(f"unknown exercise {exercise_id!r}; the known exercises are: {known}") from None


def _seed(exercise_id: str, hidden: bool) -> int:
    """A seed fixed by the exercise and the set, the same in every process and Python version."""
    return zlib.crc32(f"{exercise_id}:{'hidden' if hidden else 'visible'}".encode())


def _freeze(value) -> None:
    """Make every array inside `value` read-only, so that nothing can change a stored case."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, (list, tuple)):
        for item in value:
            _freeze(item)
    elif isinstance(value, dict):
        for item in value.values():
            _freeze(item)


# ---------------------------------------------------------------------------------------------
# Step 2: running the student's function
# ---------------------------------------------------------------------------------------------


def to_plain(value):
    """`value` as plain data: arrays, Python and numpy numbers, strings, lists, tuples, None.

    Anything array-like (a torch tensor, a numpy matrix) becomes an ndarray; anything else
    becomes an `Opaque` that records its type.
    """
    if value is None or isinstance(value, (bool, int, float, str, np.generic)):
        return value
    if isinstance(value, np.ndarray):
        return value if type(value) is np.ndarray else np.asarray(value).view(np.ndarray)
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, tuple):  # a namedtuple too: its fields, in order, as a plain tuple
        return tuple(to_plain(item) for item in value)
    if hasattr(value, "__array__"):
        try:
            return np.asarray(value).view(np.ndarray)
        except Exception:  # noqa: BLE001 - a tensor that needs .detach(), say
            pass
    text = repr(value)
    return Opaque(type(value).__name__, text if len(text) <= 80 else text[:77] + "...")


def _same(before, after) -> bool:
    """Whether an argument is unchanged, comparing arrays by value (NaN equal to NaN)."""
    if isinstance(before, np.ndarray):
        return (
            isinstance(after, np.ndarray)
            and before.shape == after.shape
            and np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
        )
    if isinstance(before, (list, tuple)):
        return (
            isinstance(after, (list, tuple))
            and len(before) == len(after)
            and all(_same(b, a) for b, a in zip(before, after))
        )
    return True  # ints, floats, None and strings cannot be changed in place


# Frames in these directories are not the student's code: installed packages (numpy, torch...),
# the standard library, and course_lib itself.
_LIBRARY_DIRS = tuple(
    os.path.abspath(path)
    for path in (
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
        sysconfig.get_paths()["stdlib"],
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )
)


def _where(error: BaseException) -> str:
    """The line of the student's code where `error` was raised, as ``line 7 in f: code``."""
    frames = traceback.extract_tb(error.__traceback__)[1:]  # drop run_case's own frame
    if not frames:
        return ""
    own = [
        frame for frame in frames
        if not os.path.abspath(frame.filename).startswith(_LIBRARY_DIRS)
    ]
    frame = (own or frames)[-1]
    code = (frame.line or "").strip()
    return f"line {frame.lineno} in {frame.name}" + (f": {code}" if code else "")


def run_case(fn: Callable, case: Case) -> Outcome:
    """Call `fn` on a copy of the case and record what happened, as an `Outcome`.

    Step 2 of grading: it needs the student's function and nothing of the reference.
    """
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    try:
        value = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - every failure of the student's code is reported
        outcome = Outcome(error=(type(error).__name__, str(error)), where=_where(error))
    else:
        outcome = Outcome(value=to_plain(value))
    modified = tuple(i for i, before in enumerate(case.args) if not _same(before, args[i]))
    modified += tuple(name for name, before in case.kwargs.items() if not _same(before, kwargs[name]))
    if modified:
        outcome = Outcome(outcome.value, outcome.error, outcome.where, modified)
    return outcome


# ---------------------------------------------------------------------------------------------
# Putting it together
# ---------------------------------------------------------------------------------------------


def check(exercise_id: str, fn: Callable, *, hidden: bool = False) -> None:
    """Check a student's function against the exercise's reference.

    Runs `fn` on the exercise's fixed and randomised cases (a larger, differently drawn set when
    `hidden`). Returns None when every case passes (printing one line unless `hidden`); raises an
    AssertionError whose message explains the first failing case otherwise.

    Parameters
    ----------
    exercise_id : str
        The exercise, named like the function the student writes (see `EXERCISES`).
    fn : callable
        The student's function.
    hidden : bool, optional
        Use the hidden set (the autograder's tests) instead of the visible one.

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.grading import check
    >>> def corr2d(x, k):
    ...     x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    ...     h, w = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
    ...     return np.array([[np.sum(x[i:i + k.shape[0], j:j + k.shape[1]] * k)
    ...                       for j in range(w)] for i in range(h)])
    >>> check("corr2d", corr2d)  # doctest: +ELLIPSIS
    corr2d: all ... cases passed.
    """
    from .messages import failure_report

    exercise = get_exercise(exercise_id)
    if not callable(fn):
        raise AssertionError(
            f"{exercise_id}: expected your function, got {type(fn).__name__} {fn!r}; "
            f"pass the function itself: check({exercise_id!r}, {exercise_id})"
        )
    cases = exercise.cases(hidden)
    fn = exercise.student_callable(fn)
    for number, case in enumerate(cases, start=1):
        verdict = exercise.judge(case, run_case(fn, case))
        if not verdict.passed:
            _last_failure.update(exercise=exercise_id, case=case)
            report = failure_report(exercise, case, verdict, number, len(cases))
            raise AssertionError(report) from None
    if not hidden:
        print(f"{exercise_id}: all {len(cases)} cases passed.")


def last_failure() -> Case:
    """The case on which the last `check` failed, with fresh writable copies of its arrays.

    >>> from course_lib.grading import last_failure
    >>> case = last_failure()  # doctest: +SKIP
    >>> my_function(*case.args, **case.kwargs)  # doctest: +SKIP
    """
    if not _last_failure:
        raise LookupError("no check has failed yet")
    case = _last_failure["case"]
    return Case(copy.deepcopy(case.args), copy.deepcopy(case.kwargs), case.description)
