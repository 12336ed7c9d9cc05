"""Text for failure messages: values, inputs, the call as code, and the whole report.

Messages are for students: they show the failing call as code they could type, the inputs in
full when they are small, and numbers the way numpy prints them.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "SMALL",
    "array_text",
    "call_code",
    "describe_argument",
    "failure_report",
    "number_text",
    "position_text",
    "short_value",
]

SMALL = 36
"""Arrays with at most this many elements (or 2-D ones with at most 100) are printed in full."""


def number_text(value) -> str:
    """A number as a student would write it: ``3``, ``0.25``, ``-inf``, ``1.23457e-07``."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return f"{value:.1f}"
    return f"{value:.6g}"


def array_text(array: np.ndarray, indent: int = 0) -> str:
    """An array as numpy prints it with commas (valid Python), continuation lines indented."""
    text = np.array2string(
        np.asarray(array), separator=", ", precision=6, suppress_small=True,
        threshold=10**6, max_line_width=96 - indent, floatmode="maxprec",
    )
    return "\n".join((" " * indent + line).rstrip() if number else line
                     for number, line in enumerate(text.split("\n")))


def position_text(position) -> str:
    """An index tuple as ``[0, 1, 2]``."""
    return "[" + ", ".join(str(int(i)) for i in position) + "]"


def short_value(value) -> str:
    """A returned value in a few words: small arrays and numbers in full, else their shape."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        if value.size <= 12 and value.ndim <= 2:
            return f"{' '.join(array_text(value).split())} (shape {value.shape}, dtype {value.dtype})"
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (tuple, list)):
        kind = type(value).__name__
        return f"a {kind} of {len(value)}: ({', '.join(short_value(v) for v in value)})"
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return f"{number_text(value)} ({type(value).__name__})"
    type_name = getattr(value, "type_name", type(value).__name__)
    text = getattr(value, "text", repr(value))
    return f"{text} (of type {type_name})"


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray)


def _inline(value) -> str:
    """An argument that is not an array, as it appears in the call."""
    if isinstance(value, float):
        return number_text(value)
    return repr(value)


def call_code(exercise, case) -> str:
    """The case as a line of code: ``conv2d(x, weight, bias, stride=(2, 1), padding=1)``."""
    names = list(exercise.parameters.parameters)
    parts = [names[i] if _is_array(value) else _inline(value) for i, value in enumerate(case.args)]
    parts += [f"{key}={key}" if _is_array(value) else f"{key}={_inline(value)}"
              for key, value in case.kwargs.items()]
    return f"{exercise.id}({', '.join(parts)})"


def describe_argument(name: str, array: np.ndarray, indent: int = 4) -> str:
    """``x = np.array([...])  # shape (5, 5), int64`` when small, else its shape and dtype."""
    if array.size <= SMALL or (array.ndim == 2 and array.size <= 100):
        prefix = f"{name} = np.array("
        body = array_text(array, indent=indent + len(prefix))
        return f"{prefix}{body})  # shape {array.shape}, {array.dtype}"
    return f"{name}: an array of shape {array.shape} and dtype {array.dtype} (see last_failure() below)"


def _inputs(exercise, case, indent: str) -> list[str]:
    names = list(exercise.parameters.parameters)
    named = [(names[i], value) for i, value in enumerate(case.args)] + list(case.kwargs.items())
    return [indent + describe_argument(name, value, len(indent)) for name, value in named if _is_array(value)]


def failure_report(exercise, case, verdict, number: int, total: int) -> str:
    """The whole message of a failed check: which case, its call and input, what went wrong."""
    about = f" ({case.description})" if case.description else ""
    lines = [f"{exercise.id}: case {number} of {total} failed{about}.", "", "    " + call_code(exercise, case)]
    inputs = _inputs(exercise, case, "    ")
    if inputs:
        lines += ["", "with", *inputs]
    lines += ["", verdict.message.rstrip()]
    lines += [
        "",
        f"To run this case yourself: from course_lib.grading import last_failure; "
        f"case = last_failure(); {exercise.id}(*case.args, **case.kwargs)",
    ]
    return "\n".join(lines)
