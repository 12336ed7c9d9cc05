"""The grading machinery: the three steps, the registry, determinism, and what messages contain."""

import inspect
import pickle
import subprocess
import sys

import numpy as np
import pytest

import course_lib.grading as grading
from buggy import BUGGY
from buggy import convolution as students
from buggy import gradients as gradient_students
from course_lib.grading import EXERCISES, Case, Outcome, Verdict, check, last_failure, run_case


def buggy_named(name):
    """A buggy student from the catalogue, by function name."""
    return next(function for _, function, _ in BUGGY if function.__name__ == name)


def message_of(exercise_id, function, hidden=False):
    with pytest.raises(AssertionError) as failure:
        check(exercise_id, function, hidden=hidden)
    return str(failure.value)


EXPECTED_IDS = {
    "corr2d", "conv2d_basic", "conv2d", "pad2d", "conv_output_size", "receptive_field",
    "max_pool2d", "avg_pool2d", "min_pool2d", "global_avg_pool2d", "max_unpool2d",
    "max_pool2d_backward", "conv2d_backward", "gaussian_kernel", "median_filter",
}


# ---------------------------------------------------------------------------------------------
# Registry and check()
# ---------------------------------------------------------------------------------------------


def test_the_registry_holds_every_exercise():
    assert EXPECTED_IDS <= set(EXERCISES)
    for exercise_id, exercise in EXERCISES.items():
        assert exercise.id == exercise_id
        assert exercise.signature.startswith(exercise_id + "(")
        assert exercise.description and callable(exercise.reference)


def test_an_unknown_exercise_is_a_value_error_listing_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown exercise 'conv3d'.*corr2d.*max_pool2d"):
        check("conv3d", lambda x: x)


def test_check_passes_quietly_with_one_line_or_none_when_hidden(capsys):
    assert check("corr2d", students.corr2d) is None
    assert capsys.readouterr().out == f"corr2d: all {len(EXERCISES['corr2d'].cases())} cases passed.\n"
    assert check("corr2d", students.corr2d, hidden=True) is None
    assert capsys.readouterr().out == ""


def test_check_refuses_something_that_is_not_a_function():
    with pytest.raises(AssertionError, match=r"pass the function itself"):
        check("corr2d", np.zeros(3))


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED_IDS))
def test_the_student_signature_fits_the_reference(exercise_id):
    """The reference accepts the student's parameters by name, required ones in the same order."""
    exercise = EXERCISES[exercise_id]
    reference = inspect.signature(exercise.reference).parameters
    student = exercise.parameters.parameters
    assert set(student) <= set(reference), set(student) - set(reference)
    required = [name for name, p in student.items() if p.default is inspect.Parameter.empty]
    assert required == list(reference)[: len(required)]
    for name, parameter in student.items():
        if parameter.default is not inspect.Parameter.empty:
            assert reference[name].default == parameter.default, name


# ---------------------------------------------------------------------------------------------
# Cases: deterministic, hidden larger and different, small, protected
# ---------------------------------------------------------------------------------------------


def _fingerprint(value):
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _fingerprint(item)) for key, item in sorted(value.items()))
    return repr(value)


def _case_print(case):
    return _fingerprint((case.args, case.kwargs))


@pytest.mark.parametrize("exercise_id", sorted(EXPECTED_IDS))
def test_hidden_cases_are_more_and_new(exercise_id):
    exercise = EXERCISES[exercise_id]
    visible, hidden = exercise.cases(False), exercise.cases(True)
    assert len(hidden) > len(visible) >= len(exercise.examples) + 5
    assert len(visible) <= 14
    visible_random = {_case_print(case) for case in visible[len(exercise.examples):]}
    hidden_random = {_case_print(case) for case in hidden[len(exercise.examples):]}
    assert not visible_random & hidden_random
    assert len(hidden_random) == len(hidden) - len(exercise.examples)  # no repeats
    assert [_case_print(case) for case in exercise.cases(True)] == [_case_print(case) for case in hidden]
    for case in hidden:
        assert case.description
        for value in list(case.args) + list(case.kwargs.values()):
            if isinstance(value, np.ndarray) and value.ndim >= 2:
                assert value.shape[-2] <= 10 and value.shape[-1] <= 10
                assert value.ndim < 4 or value.shape[1] <= 3


def _digest():
    import hashlib

    cases = [[(c.args, c.kwargs) for c in e.cases(h)] for e in EXERCISES.values() for h in (False, True)]
    return hashlib.sha256(pickle.dumps(cases)).hexdigest()


def test_cases_are_the_same_in_another_process():
    code = (
        "import hashlib, pickle; from course_lib.grading import EXERCISES; "
        "cases = [[(c.args, c.kwargs) for c in e.cases(h)] for e in EXERCISES.values() for h in (False, True)]; "
        "print(hashlib.sha256(pickle.dumps(cases)).hexdigest())"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert there == _digest()


def test_the_lectures_worked_examples_are_the_first_visible_cases():
    cases = EXERCISES["corr2d"].cases()
    assert EXERCISES["corr2d"].reference(*cases[0].args).tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert EXERCISES["corr2d"].reference(*cases[1].args).tolist() == [[22, 21], [22, 20]]
    pooled = EXERCISES["max_pool2d"].cases()[0]
    assert EXERCISES["max_pool2d"].reference(*pooled.args, **pooled.kwargs)[0, 0].tolist() == [[6, 8], [3, 4]]
    unpool = EXERCISES["max_unpool2d"].cases()[0]
    assert EXERCISES["max_unpool2d"].reference(*unpool.args, **unpool.kwargs)[0, 0].tolist() == [
        [0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]
    backward = EXERCISES["conv2d_backward"].cases()[0]
    assert EXERCISES["conv2d_backward"].reference(*backward.args)[0][0, 0].tolist() == [
        [1, 4, 4], [4, 13, 10], [4, 10, 4]]


def test_stored_cases_are_read_only_and_students_get_writable_copies():
    case = EXERCISES["conv2d"].cases()[0]
    with pytest.raises(ValueError):
        case.args[0][...] = 0
    seen = []

    def student(x, weight, bias=None, stride=1, padding=0, dilation=1):
        seen.append(x.flags.writeable)
        x[...] = 0
        return None

    outcome = run_case(student, case)
    assert seen == [True] and outcome.modified == (0,)
    assert case.args[0].any()


# ---------------------------------------------------------------------------------------------
# The three steps, separately
# ---------------------------------------------------------------------------------------------


def test_outcomes_are_plain_data_that_survive_pickling():
    exercise = EXERCISES["conv2d_backward"]
    for function in (gradient_students.conv2d_backward, buggy_named("conv2d_backward_dw_averaged"),
                     students.corr2d_stub):
        for case in exercise.cases()[:3]:
            outcome = run_case(function, case)
            copy = pickle.loads(pickle.dumps(outcome))
            assert exercise.judge(case, copy) == exercise.judge(case, outcome)


def test_a_returned_namedtuple_is_judged_by_its_fields_not_a_crash():
    from collections import namedtuple

    Result = namedtuple("Result", "out indices")
    exercise = EXERCISES["max_pool2d"]
    case = next(c for c in exercise.cases() if c.kwargs.get("return_indices"))
    right = exercise.reference(*case.args, **case.kwargs)
    outcome = run_case(lambda *a, **k: Result(*exercise.reference(*a, **k)), case)
    assert type(outcome.value) is tuple and exercise.judge(case, outcome).passed
    assert type(grading.to_plain([Result(1, 2)])[0]) is tuple and len(right) == 2


def test_the_error_location_is_the_students_line_not_the_librarys():
    def student(x, k):
        return np.linalg.inv(np.asarray(x)[:2, :3])  # numpy raises deep inside itself

    outcome = run_case(student, EXERCISES["corr2d"].cases()[0])
    assert outcome.error[0] == "LinAlgError" and "in student" in outcome.where


def test_judge_takes_an_outcome_or_a_plain_value():
    exercise = EXERCISES["corr2d"]
    case = exercise.cases()[0]
    right = exercise.reference(*case.args)
    assert exercise.judge(case, right) == Verdict(True)
    assert exercise.judge(case, right.tolist()).passed
    assert exercise.judge(case, Outcome(value=right)).passed
    wrong = exercise.judge(case, right[:-1])
    assert not wrong and "wrong shape" in wrong.message and bool(wrong) is False
    failed = exercise.judge(case, Outcome(error=("ZeroDivisionError", "division by zero"), where="line 3 in f: 1/0"))
    assert "ZeroDivisionError: division by zero" in failed.message and "line 3 in f" in failed.message


def test_check_composes_the_three_steps():
    exercise = EXERCISES["max_pool2d"]
    function = buggy_named("max_pool2d_window_indices")
    verdicts = [exercise.judge(case, run_case(function, case)) for case in exercise.cases()]
    first = next(v for v in verdicts if not v.passed)
    assert "indices relative to the window" in first.mistakes
    assert first.message in message_of("max_pool2d", function)


def test_last_failure_gives_back_the_failing_case():
    message = message_of("corr2d", students.corr2d_flipped)
    case = last_failure()
    assert isinstance(case, Case) and case.description in message
    again = EXERCISES["corr2d"].judge(case, students.corr2d_flipped(*case.args, **case.kwargs))
    assert not again.passed and "kernel flipped" in again.mistakes


# ---------------------------------------------------------------------------------------------
# What the messages say
# ---------------------------------------------------------------------------------------------


def test_a_wrong_shape_shows_the_input_the_shapes_and_the_formula():
    message = message_of("corr2d", students.corr2d_no_plus_one)
    assert f"case 1 of {len(EXERCISES['corr2d'].cases())}" in message
    assert "corr2d(x, k)" in message
    assert "x = np.array([[1, 1, 1, 0, 0]," in message  # the input, in full
    assert "expected (3, 3), got (2, 2)" in message
    assert "H_out = H - kH + 1 = 5 - 3 + 1 = 3" in message
    assert "off by one in the output size" in message


def test_a_conv2d_message_shows_the_call_and_the_full_formula():
    message = message_of("conv2d", buggy_named("conv2d_stride_ignored"))
    assert "conv2d(x, weight, stride=2)" in message
    assert "H_out = floor((H + 2p - d(k-1) - 1)/s) + 1 = floor((5 + 2*0 - 1*(3-1) - 1)/2) + 1 = 2" in message
    assert "expected (1, 1, 2, 2), got (1, 1, 3, 3)" in message
    assert "stride ignored" in message


def test_the_call_is_written_as_code():
    from course_lib.grading.messages import call_code

    exercise = EXERCISES["conv2d"]
    x, w, b = np.zeros((1, 1, 7, 5)), np.zeros((2, 1, 3, 3)), np.zeros(2)
    case = Case((x, w, b), {"stride": (2, 1), "padding": 1})
    assert call_code(exercise, case) == "conv2d(x, weight, bias, stride=(2, 1), padding=1)"
    assert call_code(EXERCISES["receptive_field"], Case(([(3, 1), (2, 2)],))) == "receptive_field([(3, 1), (2, 2)])"


def test_wrong_values_show_the_first_differing_position_and_both_values():
    message = message_of("corr2d", students.corr2d_flipped)
    assert "but wrong values at" in message
    assert "The first is at [" in message and ": expected " in message and ", got " in message
    assert "Expected:" in message and "Got:" in message
    assert "kernel flipped" in message and "cross-correlation" in message


def test_large_inputs_are_described_by_shape_and_dtype():
    message = message_of("conv2d_backward", buggy_named("conv2d_backward_dw_first_image"))
    assert "an array of shape" in message and "dtype float64" in message
    assert "Output `dw`" in message and "weight gradient not summed over the batch" in message


def test_input_modified_in_place_is_named_with_the_argument():
    message = message_of("corr2d", students.corr2d_flips_in_place)
    assert "Input modified in place" in message and "`k`" in message
    assert "only the change to the input is wrong" in message.replace("\n", " ")


def test_integer_truncation_is_named():
    assert "Integer truncation" in message_of("corr2d", students.corr2d_zeros_like)
    assert "integer truncation" in message_of("corr2d", students.corr2d_int_cast)


def test_not_implemented_none_and_exceptions():
    assert "Not implemented yet" in message_of("corr2d", students.corr2d_stub)
    assert "did you forget `return`" in message_of("corr2d", students.corr2d_no_return)
    message = message_of("corr2d", students.corr2d_index_error)
    if "IndexError" in message:
        assert "at line" in message and "corr2d_index_error" in message

    def crashes(x, k):
        return {}["missing"]

    message = message_of("corr2d", crashes)
    assert "Your function raised KeyError: 'missing'" in message and "at line" in message
    assert "Traceback" not in message


def test_wrong_types_nan_and_tuples_of_the_wrong_length():
    assert "Wrong type" in message_of("corr2d", lambda x, k: "a string")
    message = message_of("corr2d", lambda x, k: np.full((len(x) - len(k) + 1, len(x[0]) - len(k[0]) + 1), np.nan))
    assert "NaN or inf" in message and "np.empty" in message
    assert "Wrong number of outputs" in message_of("conv2d_backward", buggy_named("conv2d_backward_two_outputs"))
    assert "Returned None" in message_of("conv2d_backward", lambda dout, x, weight, stride=1, padding=0: None)


def test_array_like_returns_are_accepted():
    class Tensorish:
        def __init__(self, array):
            self.array = array

        def __array__(self, dtype=None, copy=None):
            return self.array

    assert check("corr2d", lambda x, k: Tensorish(students.corr2d(x, k)), hidden=True) is None


def test_value_errors_must_come_exactly_when_the_reference_raises():
    message = message_of("conv_output_size", students.conv_output_size_always_raises)
    assert "Your function raised ValueError" in message and "This input is valid" in message
    message = message_of("conv_output_size", lambda n, kernel_size, stride=1, padding=0, dilation=1, exact=False:
                         (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1)
    assert "No ValueError" in message and "not an integer" in message


def test_an_int_result_shows_the_formula_and_refuses_floats():
    message = message_of("conv_output_size", buggy_named("conv_output_size_ceil"))
    assert "floor((7 + 2*0 - 1*(3-1) - 1)/3) + 1 = floor(4/3) + 1 = 2" in message
    assert "ceil instead of floor" in message
    assert "Float instead of int" in message_of("conv_output_size", buggy_named("conv_output_size_true_division"))


def test_a_mistake_is_only_named_where_it_makes_a_difference():
    """Variants equal to the right answer on a case are skipped, so right answers never match."""
    for exercise_id in sorted(EXPECTED_IDS):
        exercise = EXERCISES[exercise_id]
        for case in exercise.cases()[:4]:
            verdict = exercise.judge(case, exercise.reference(*case.args, **case.kwargs)) \
                if not _raises(exercise, case) else Verdict(True)
            assert verdict.passed and not verdict.mistakes


def _raises(exercise, case):
    try:
        exercise.reference(*case.args, **case.kwargs)
    except ValueError:
        return True
    return False


def test_adding_an_exercise_is_one_entry(monkeypatch):
    monkeypatch.setattr(grading.core, "EXERCISES", dict(EXERCISES))
    exercise = grading.Exercise(
        id="double", reference=lambda x: 2 * np.asarray(x, dtype=float), signature="double(x)",
        description="Twice x.", examples=(Case((np.arange(3),), {}, "0, 1, 2"),),
        random_case=lambda rng, hidden, index: Case((rng.integers(0, 9, size=4) / 4,), {}, "random"),
        counts=(4, 8),
        mistakes=(grading.Mistake("forgot to double", "Multiply by 2.", lambda a: np.asarray(a.x, dtype=float)),),
    )
    grading.register(exercise)
    assert grading.core.EXERCISES["double"] is exercise
    with pytest.raises(AssertionError, match="forgot to double"):
        check("double", lambda x: x + 0.0)
    assert check("double", lambda x: [2 * v for v in x], hidden=True) is None
