"""Checkers for the functions students write in the notebooks.

In a notebook, after a student has written ``def corr2d(x, k): ...``::

    from course_lib.grading import check
    check("corr2d", corr2d)                # the visible cases, in the exercise's notebook
    check("corr2d", corr2d, hidden=True)   # nbgrader's hidden test cell

`check` returns None when every case passes and raises an AssertionError that explains the first
failing case otherwise: the call as code, its input, the expected and received shapes with the
formula behind them, the first wrong position, and the mistake by name when the output equals a
known mistake's.

`EXERCISES` maps each exercise id (the name of the student's function) to its `Exercise`, which
holds the reference, the signature, the cases and the mistakes. Grading is three separable
steps (see `core`): ``exercise.cases(hidden)``, ``run_case(fn, case)`` and
``exercise.judge(case, outcome)``.

Adding an exercise is one `register(Exercise(...))` entry in the module of its topic, with its
mistake variants (see `convolution.py` for examples).
"""

from .core import (
    EXERCISES,
    Args,
    Case,
    Exercise,
    Mistake,
    Outcome,
    Verdict,
    check,
    get_exercise,
    last_failure,
    register,
    run_case,
    to_plain,
)
from . import convolution, filters, pooling, gradients  # noqa: F401,E402 - registers the exercises
from . import upsampling  # noqa: F401,E402 - registers the upsampling exercises
from . import bilinear  # noqa: F401,E402 - registers the bilinear-kernel exercises
from . import unet  # noqa: F401,E402 - registers the U-Net exercises

__all__ = [
    "EXERCISES",
    "Args",
    "Case",
    "Exercise",
    "Mistake",
    "Outcome",
    "Verdict",
    "check",
    "get_exercise",
    "last_failure",
    "register",
    "run_case",
    "to_plain",
]
