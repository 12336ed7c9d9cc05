"""The U-Net notebook's checkers: the adapters for stage lists and torch modules, and their messages.

The catalogue test (test_grading_catalogue.py) runs every right and buggy student of
tests/buggy/unet.py; here are the properties specific to these exercises.
"""

import contextlib
import inspect
import io
import subprocess
import sys
from collections import namedtuple

import numpy as np
import pytest
import torch
from torch import nn

from buggy import BUGGY
from buggy import unet as students
from course_lib.grading import EXERCISES, check
from course_lib.unet import ConvBlock, UpBlock, unet_shape_trace

IDS = ("pixel_cross_entropy", "center_crop", "unet_shape_trace", "double_conv", "up_block")


def buggy_named(name):
    """A buggy student from the catalogue, by name."""
    return next(function for _, function, _ in BUGGY if function.__name__ == name)


def message_of(exercise_id, function, hidden=False):
    with pytest.raises(AssertionError) as failure:
        check(exercise_id, function, hidden=hidden)
    return str(failure.value)


def passes(exercise_id, function):
    with contextlib.redirect_stdout(io.StringIO()):
        check(exercise_id, function)
        check(exercise_id, function, hidden=True)
    return True


def _fingerprint(value):
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_fingerprint(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, _fingerprint(item)) for key, item in sorted(value.items()))
    return repr(value)


@pytest.mark.parametrize("exercise_id", IDS)
def test_hidden_cases_are_more_and_new_and_the_signature_fits_the_reference(exercise_id):
    exercise = EXERCISES[exercise_id]
    visible, hidden = exercise.cases(False), exercise.cases(True)
    assert len(hidden) > len(visible) >= len(exercise.examples) + 5
    examples = len(exercise.examples)
    seen = {_fingerprint((c.args, c.kwargs)) for c in visible[examples:]}
    new = [_fingerprint((c.args, c.kwargs)) for c in hidden[examples:]]
    assert not seen & set(new) and len(set(new)) == len(new)
    assert all(case.description for case in hidden)
    reference = inspect.signature(exercise.reference).parameters
    assert set(exercise.parameters.parameters) <= set(reference)


def test_importing_the_checkers_does_not_import_torch():
    code = ("import sys, course_lib.grading, course_lib.viz, course_lib.widgets; "
            "print('torch' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# unet_shape_trace: lists of stages
# ---------------------------------------------------------------------------------------------


def test_stages_may_be_course_lib_stages_other_named_tuples_plain_tuples_or_triples():
    other = namedtuple("Other", "name channels height width")

    def as_other(*args, **kwargs):
        return [other(*stage) for stage in unet_shape_trace(*args, **kwargs)]

    def as_triples(*args, **kwargs):
        return [stage[1:] for stage in unet_shape_trace(*args, **kwargs)]

    for function in (unet_shape_trace, as_other, students.unet_shape_trace_plain_tuples, as_triples):
        assert passes("unet_shape_trace", function)


def test_a_wrong_stage_is_named_and_a_wrong_count_lists_the_stages():
    def one_off(*args, **kwargs):
        stages = unet_shape_trace(*args, **kwargs)
        stages[3] = stages[3]._replace(height=stages[3].height + 1)
        return stages

    message = message_of("unet_shape_trace", one_off)
    assert "Row 3 is stage 'enc1.pool': expected (channels, height, width) = (64, 284, 284), got (64, 285, 284)." in message

    def no_concat(*args, **kwargs):
        return [s for s in unet_shape_trace(*args, **kwargs) if not s.name.endswith(".concat")]

    message = message_of("unet_shape_trace", no_concat)
    assert "expected (32, 3), got (28, 3)" in message
    assert " 16 dec4.concat        1024 x 56 x 56" in message


def test_something_that_is_not_a_list_of_stages_is_reported_not_crashed_on():
    message = message_of("unet_shape_trace", lambda *args, **kwargs: [("input", 1)])
    assert "Wrong type: expected a list with one Stage(name, channels, height, width) per feature map" in message
    message = message_of("unet_shape_trace", lambda *args, **kwargs: None)
    assert "Returned None" in message


def test_refusing_a_valid_size_names_the_mistakes_that_would():
    message = message_of("unet_shape_trace", buggy_named("trace_no_shrink"))
    assert "Your function raised ValueError" in message
    assert "Recognised mistake: no 2-pixel loss per valid convolution" in message


# ---------------------------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------------------------


def test_course_lib_blocks_and_a_builder_function_pass():
    assert passes("double_conv", ConvBlock)
    assert passes("double_conv", students.double_conv_builder)
    assert passes("up_block", UpBlock)


def test_weights_depend_on_shapes_only_so_the_order_of_definition_does_not_matter():
    class Reversed(nn.Module):
        def __init__(self, in_channels, out_channels, padding="valid"):
            super().__init__()
            pad = 0 if padding == "valid" else 1
            self.second = nn.Conv2d(out_channels, out_channels, 3, padding=pad)  # defined first
            self.first = nn.Conv2d(in_channels, out_channels, 3, padding=pad)

        def forward(self, x):
            return torch.relu(self.second(torch.relu(self.first(x))))

    assert passes("double_conv", Reversed)


def test_a_stub_class_is_not_implemented_yet():
    message = message_of("double_conv", students.DoubleConvStub)
    assert "Not implemented yet" in message


def test_a_module_of_the_wrong_size_gets_the_parameter_formula():
    message = message_of("double_conv", buggy_named("DoubleConvOneConv"))
    assert "parameters = (3*3*C_in*C_out + C_out) + (3*3*C_out*C_out + C_out) = 40 + 148 = 188" in message
    assert "Recognised mistake: one convolution instead of two" in message


def test_something_that_is_not_a_module_is_reported():
    class NotAModule:
        def __init__(self, in_channels, out_channels, padding="valid"):
            pass

    message = message_of("double_conv", NotAModule)
    assert "Not a torch module: DoubleConv(1, 4, 'valid') made <" in message and "(of type NotAModule)" in message


def test_the_probe_leaves_the_torch_thread_setting_alone():
    threads = torch.get_num_threads()
    passes("up_block", UpBlock)
    assert torch.get_num_threads() == threads


# ---------------------------------------------------------------------------------------------
# pixel_cross_entropy and center_crop
# ---------------------------------------------------------------------------------------------


def test_the_overflow_case_names_the_missing_stabilisation_for_both_naive_formulas():
    for student in (buggy_named("ce_naive_ratio"), buggy_named("ce_naive_difference")):
        with np.errstate(all="ignore"):
            message = message_of("pixel_cross_entropy", student)
        assert "large logits" in message and "Recognised mistake: no log-softmax stabilisation" in message


def test_a_crop_that_returns_a_copy_or_works_on_tensors_passes():
    assert passes("center_crop", lambda x, size: students.center_crop(x, size).copy())
    assert passes("center_crop", students.center_crop_by_margins)


def test_too_large_a_crop_must_be_refused():
    def no_check(x, size):
        h, w = (size, size) if np.isscalar(size) else size
        top, left = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
        return x[..., top:top + h, left:left + w]

    assert "No ValueError" in message_of("center_crop", no_check)
