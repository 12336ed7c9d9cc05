"""Every right student implementation passes, every buggy one fails and is diagnosed.

The implementations live in tests/buggy/ (see its catalogue). On top of them, each exercise is
checked with its reference, with list-returning and float32 versions of its right
implementations, and with a lookup table that memorises the visible cases.
"""

import contextlib
import io
import time

import numpy as np
import pytest

from buggy import BUGGY, CORRECT
from course_lib.grading import EXERCISES, check


def outcome_of(exercise_id, function, hidden):
    """None if the check passes, else its message."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(exercise_id, function, hidden=hidden)
    except AssertionError as error:
        return str(error)
    return None


def _map_arrays(value, fn):
    if isinstance(value, tuple):
        return tuple(_map_arrays(part, fn) for part in value)
    return fn(value) if isinstance(value, np.ndarray) else value


def returning_lists(function):
    """The same function, returning nested lists instead of arrays."""

    def student(*args, **kwargs):
        return _map_arrays(function(*args, **kwargs), lambda array: array.tolist())

    student.__name__ = function.__name__ + "_as_lists"
    return student


def in_float32(function):
    """The same function computing in float32: float inputs and outputs cast to float32."""

    def to32(array):
        return array.astype(np.float32) if array.dtype.kind == "f" else array

    def student(*args, **kwargs):
        args = tuple(_map_arrays(arg, to32) for arg in args)
        kwargs = {name: _map_arrays(value, to32) for name, value in kwargs.items()}
        return _map_arrays(function(*args, **kwargs), to32)

    student.__name__ = function.__name__ + "_float32"
    return student


def _returns_arrays(exercise_id):
    return exercise_id not in ("conv_output_size", "receptive_field")


RIGHT = (
    [(exercise_id, exercise.reference) for exercise_id, exercise in EXERCISES.items()]
    + CORRECT
    + [(exercise_id, returning_lists(fn)) for exercise_id, fn in CORRECT[::2] if _returns_arrays(exercise_id)]
    + [(exercise_id, in_float32(fn)) for exercise_id, fn in CORRECT[1::2] if _returns_arrays(exercise_id)]
)


def _label(entry):
    return f"{entry[0]}-{entry[1].__name__}"


def test_every_exercise_has_right_and_buggy_implementations():
    for exercise_id in EXERCISES:
        assert any(entry[0] == exercise_id for entry in CORRECT), exercise_id
        assert sum(entry[0] == exercise_id for entry in BUGGY) >= 3, exercise_id


@pytest.mark.parametrize("exercise_id, function", RIGHT, ids=[_label(entry) for entry in RIGHT])
def test_right_implementations_pass(exercise_id, function):
    for hidden in (False, True):
        message = outcome_of(exercise_id, function, hidden)
        assert message is None, message


@pytest.mark.parametrize("exercise_id, function, mistake", BUGGY, ids=[_label(entry) for entry in BUGGY])
def test_buggy_implementations_fail_and_are_named(exercise_id, function, mistake):
    visible = outcome_of(exercise_id, function, hidden=False)
    hidden = outcome_of(exercise_id, function, hidden=True)
    assert visible is not None, "passes the visible check"
    assert hidden is not None, "passes the hidden check"
    if mistake is not None:
        assert mistake.lower() in visible.lower(), visible


def test_named_mistakes_of_the_brief_are_all_exercised():
    """Each mistake the grader promises to recognise has a buggy student that makes it."""
    named = {(exercise_id, mistake) for exercise_id, _, mistake in BUGGY}
    promised = {
        ("corr2d", "kernel flipped"), ("conv2d_basic", "bias ignored"), ("conv2d", "stride ignored"),
        ("conv2d", "dilation ignored"), ("conv2d", "padding on one side only"),
        ("conv2d", "off by one in the output size"), ("conv2d_basic", "channels not summed"),
        ("corr2d", "H and W swapped"), ("conv2d", "H and W swapped"), ("max_pool2d", "H and W swapped"),
        ("max_pool2d", "zeros instead of -inf padding"), ("max_pool2d", "indices relative to the window"),
        ("max_pool2d", "indices into the padded plane"),
        ("avg_pool2d", "average including/excluding padding swapped"),
        ("max_pool2d_backward", "gradient not accumulated over overlapping windows"),
        ("conv2d_backward", "gradient not accumulated over overlapping windows"),
        ("conv2d_backward", "weight gradient not summed over the batch"),
        ("conv2d_backward", "weight gradient not summed over positions"),
        ("corr2d", "input modified in place"), ("avg_pool2d", "input modified in place"),
        ("corr2d", "integer truncation"), ("avg_pool2d", "integer truncation"),
        ("corr2d", "returned None"), ("corr2d", "not implemented yet"),
        ("conv2d_backward", "wrong number of outputs"), ("conv_output_size", "no ValueError"),
    }
    assert promised <= named, sorted(promised - named)
    for exercise_id, exercise in EXERCISES.items():
        for mistake in exercise.mistakes:
            assert mistake.name and mistake.hint, (exercise_id, mistake)


def _key(value):
    """A hashable fingerprint of an argument."""
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_key(item) for item in value)
    return ("value", repr(value))


def memorising(exercise_id):
    """A 'student' who stored the answers to the visible cases and returns them by input."""
    exercise = EXERCISES[exercise_id]
    table = {}
    for case in exercise.cases(hidden=False):
        key = _key((case.args, tuple(sorted(case.kwargs.items()))))
        try:
            table[key] = exercise.reference(*case.args, **case.kwargs)
        except ValueError as error:
            table[key] = error
    fallback = next(value for value in table.values() if not isinstance(value, Exception))

    def student(*args, **kwargs):
        answer = table.get(_key((args, tuple(sorted(kwargs.items())))), fallback)
        if isinstance(answer, Exception):
            raise answer
        return answer

    student.__name__ = exercise_id
    return student


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_hard_coding_the_visible_cases_passes_visible_but_fails_hidden(exercise_id):
    student = memorising(exercise_id)
    assert outcome_of(exercise_id, student, hidden=False) is None
    assert outcome_of(exercise_id, student, hidden=True) is not None


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_a_check_runs_well_under_a_second(exercise_id):
    """Both sets, with the reference and with the slowest right student loop of the exercise."""
    functions = [EXERCISES[exercise_id].reference] + [fn for eid, fn in CORRECT if eid == exercise_id]
    for function in functions:
        for hidden in (False, True):
            start = time.perf_counter()
            assert outcome_of(exercise_id, function, hidden) is None
            elapsed = time.perf_counter() - start
            assert elapsed < 1.0, f"{function.__name__} hidden={hidden}: {elapsed:.2f} s"
