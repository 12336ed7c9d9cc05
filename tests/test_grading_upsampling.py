"""The upsampling checkers: their cases are right (PyTorch agrees), their examples are the slides',
their mistakes are reachable and mean what they say, and their messages explain the shapes.

The buggy students themselves are in tests/buggy/upsampling.py and run with the whole catalogue
(tests/test_grading_catalogue.py); here they are only counted against the brief.
"""

import contextlib
import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from buggy import BUGGY, CORRECT
from course_lib.grading import EXERCISES, check

IDS = ("upsample_nearest", "bed_of_nails", "upsample_bilinear", "conv_transpose2d", "conv_matrix",
       "conv_transpose2d_zero_insertion")

SIGNATURES = {
    "upsample_nearest": "upsample_nearest(x, scale_factor)",
    "bed_of_nails": "bed_of_nails(x, scale_factor)",
    "upsample_bilinear": "upsample_bilinear(x, scale_factor=None, size=None, align_corners=False)",
    "conv_transpose2d": "conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0)",
    "conv_matrix": "conv_matrix(kernel, input_shape, stride=1, padding=0)",
    "conv_transpose2d_zero_insertion":
        "conv_transpose2d_zero_insertion(x, weight, bias=None, stride=1, padding=0, output_padding=0)",
}


def all_cases(exercise_id):
    exercise = EXERCISES[exercise_id]
    return [(exercise, case) for hidden in (False, True) for case in exercise.cases(hidden)]


def t(array):
    return torch.tensor(np.asarray(array, dtype=np.float64))


def message_of(exercise_id, function):
    with pytest.raises(AssertionError) as failure, contextlib.redirect_stdout(io.StringIO()):
        check(exercise_id, function)
    return str(failure.value)


def buggy_named(name):
    return next(function for _, function, _ in BUGGY if function.__name__ == name)


# ---------------------------------------------------------------------------------------------
# Registry
# ---------------------------------------------------------------------------------------------


def test_the_six_exercises_are_registered_with_their_signatures():
    for exercise_id in IDS:
        exercise = EXERCISES[exercise_id]
        assert exercise.signature == SIGNATURES[exercise_id]
        counts = (len(exercise.cases(False)), len(exercise.cases(True)))
        assert counts == exercise.counts and counts[1] >= 2 * counts[0]


def test_the_hidden_set_differs_from_the_visible_one_beyond_the_examples():
    for exercise_id in IDS:
        exercise = EXERCISES[exercise_id]
        visible, hidden = exercise.cases(False), exercise.cases(True)
        shown = len(exercise.examples)
        assert [c.description for c in visible[:shown]] == [c.description for c in hidden[:shown]]
        assert {c.description for c in visible[shown:]} != {c.description for c in hidden[shown:]}


# ---------------------------------------------------------------------------------------------
# Every case is right: the references agree with PyTorch on it
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", ["upsample_nearest", "bed_of_nails"])
def test_scale_cases_agree_with_pytorch_and_numpy(exercise_id):
    for exercise, case in all_cases(exercise_id):
        a = exercise.bind(case)
        x = np.asarray(a.x, dtype=np.float64)
        sh, sw = np.broadcast_to(a.scale_factor, 2)
        if exercise_id == "upsample_nearest":
            expected = F.interpolate(t(x), scale_factor=(float(sh), float(sw)), mode="nearest").numpy()
        else:
            expected = np.zeros(x.shape[:2] + (x.shape[2] * sh, x.shape[3] * sw))
            expected[:, :, ::sh, ::sw] = x
        np.testing.assert_allclose(a.expected, expected, rtol=1e-6, err_msg=case.description)


def test_bilinear_cases_agree_with_pytorch():
    for exercise, case in all_cases("upsample_bilinear"):
        a = exercise.bind(case)
        kwargs = {"size": tuple(np.broadcast_to(a.size, 2).tolist())} if a.size is not None else \
            {"scale_factor": tuple(float(s) for s in np.broadcast_to(a.scale_factor, 2))}
        expected = F.interpolate(t(a.x), mode="bilinear", align_corners=a.align_corners, **kwargs).numpy()
        np.testing.assert_allclose(a.expected, expected, rtol=1e-5, atol=1e-6, err_msg=case.description)


@pytest.mark.parametrize("exercise_id", ["conv_transpose2d", "conv_transpose2d_zero_insertion"])
def test_transposed_cases_agree_with_pytorch(exercise_id):
    for exercise, case in all_cases(exercise_id):
        a = exercise.bind(case)
        bias = None if a.bias is None else t(a.bias)
        expected = F.conv_transpose2d(t(a.x), t(a.weight), bias, stride=a.stride, padding=a.padding,
                                      output_padding=a.output_padding).numpy()
        np.testing.assert_allclose(a.expected, expected, rtol=1e-5, atol=1e-6, err_msg=case.description)


def test_zero_insertion_cases_keep_the_padding_within_the_kernel():
    for exercise, case in all_cases("conv_transpose2d_zero_insertion"):
        a = exercise.bind(case)
        kh, kw = np.shape(a.weight)[2:]
        ph, pw = np.broadcast_to(a.padding, 2)
        assert ph <= kh - 1 and pw <= kw - 1, case.description


def test_conv_matrix_cases_agree_with_pytorch_convolution():
    for exercise, case in all_cases("conv_matrix"):
        a = exercise.bind(case)
        h, w = np.broadcast_to(a.input_shape, 2)
        images = np.eye(h * w).reshape(h * w, 1, h, w)  # every basis image: the columns of C
        columns = F.conv2d(t(images), t(a.kernel)[None, None], stride=a.stride, padding=a.padding)
        np.testing.assert_allclose(a.expected, columns.numpy().reshape(h * w, -1).T, err_msg=case.description)


# ---------------------------------------------------------------------------------------------
# The lectures' examples, with the numbers the slides print
# ---------------------------------------------------------------------------------------------


def expected_of(exercise_id, index):
    exercise = EXERCISES[exercise_id]
    return np.asarray(exercise.bind(exercise.examples[index]).expected)


def test_examples_reproduce_the_slides():
    np.testing.assert_array_equal(expected_of("upsample_nearest", 0)[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    np.testing.assert_array_equal(expected_of("bed_of_nails", 0)[0, 0],
                                  [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal(expected_of("conv_transpose2d", 0)[0, 0], [[1, 4, 4], [4, 13, 10], [4, 10, 4]])
    np.testing.assert_array_equal(expected_of("conv_matrix", 0),
                                  [[1, 2, 0, 2, 1, 0, 0, 0, 0], [0, 1, 2, 0, 2, 1, 0, 0, 0],
                                   [0, 0, 0, 1, 2, 0, 2, 1, 0], [0, 0, 0, 0, 1, 2, 0, 2, 1]])
    np.testing.assert_array_equal(expected_of("conv_matrix", 1), [[1, 1, 1, 0, 0, 0], [0, 1, 1, 1, 0, 0],
                                                                  [0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]])
    # lecture 001: the 9x9 sum of copies; with padding 1 the 7x7 bilinear result, by either route
    canvas = expected_of("conv_transpose2d", 1)[0, 0]
    assert canvas.shape == (9, 9) and canvas[1, 8] == 1.5 and tuple(canvas[2, :2]) == (1, 2)  # the errata
    seven = expected_of("conv_transpose2d", 2)[0, 0]
    np.testing.assert_array_equal(seven, expected_of("upsample_bilinear", 0)[0, 0])
    np.testing.assert_array_equal(seven, expected_of("conv_transpose2d_zero_insertion", 0)[0, 0])
    np.testing.assert_array_equal(seven[0], [0, 0.5, 1, 1.5, 2, 2.5, 3])
    assert expected_of("conv_transpose2d", 3).shape == (1, 1, 4, 4)  # 2x2 -> 4x4 with output_padding=1


def test_the_first_two_channel_case_comes_before_any_random_case():
    """A weight read with its channel axes swapped must show as that, not as a shape error."""
    for exercise_id in ("conv_transpose2d", "conv_transpose2d_zero_insertion"):
        cases = EXERCISES[exercise_id].cases(False)
        first = next(i for i, c in enumerate(cases) if np.shape(c.args[1])[:2] != (1, 1))
        assert np.shape(cases[first].args[1])[0] == np.shape(cases[first].args[1])[1] == 2
        assert first < len(EXERCISES[exercise_id].examples)


# ---------------------------------------------------------------------------------------------
# Mistakes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_mistake_shows_on_some_case(exercise_id):
    """A variant that never differs from the right answer could never be recognised."""
    exercise = EXERCISES[exercise_id]
    for mistake in exercise.mistakes:
        differs = False
        for case in exercise.cases(False) + exercise.cases(True):
            a = exercise.bind(case)
            try:
                variant = mistake.variant(a)
            except ValueError:
                continue
            if variant is not None and (np.shape(variant) != np.shape(a.expected)
                                        or not np.allclose(variant, a.expected)):
                differs = True
                break
        assert differs, (exercise_id, mistake.name)


def variant_of(exercise_id, name, case):
    exercise = EXERCISES[exercise_id]
    mistake = next(m for m in exercise.mistakes if m.name == name)
    return mistake.variant(exercise.bind(case))


def test_bilinear_mistakes_are_what_their_names_say():
    from course_lib.grading import Case

    row = np.array([[[[0.0, 3.0]]]])
    case = Case((row,), {"size": (1, 4)})
    np.testing.assert_allclose(variant_of("upsample_bilinear", "half-pixel offset missing", case).ravel(), [0, 1.5, 3, 3])
    np.testing.assert_allclose(variant_of("upsample_bilinear", "align_corners conventions swapped", case),
                               F.interpolate(t(row), size=(1, 4), mode="bilinear", align_corners=True).numpy())
    # unclamped, the first sample (src = -0.25) reaches back to the LAST pixel: 0.25 * 3 + 0.75 * 0
    np.testing.assert_allclose(variant_of("upsample_bilinear", "source position not clamped at 0", case).ravel(),
                               [0.75, 0.75, 2.25, 3])
    # the closer pixel weighs less: the first sample (src = 0) takes all of the pixel after it
    np.testing.assert_allclose(variant_of("upsample_bilinear", "neighbour weights swapped", case).ravel(),
                               [3, 2.25, 0.75, 3])


def test_transposed_mistakes_are_what_their_names_say():
    from course_lib.grading import Case

    x, k = np.arange(1.0, 5.0).reshape(1, 1, 2, 2), np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    case = Case((x, k), {"stride": 2, "padding": 1, "output_padding": 1})
    full = F.conv_transpose2d(t(x), t(k), stride=2).numpy()[0, 0]  # 5x5
    right = full[1:5, 1:5]  # crop 1 at the top/left, 0 at the bottom/right (output_padding un-crops it)
    assert right.shape == (4, 4)
    np.testing.assert_allclose(EXERCISES["conv_transpose2d"].bind(case).expected[0, 0], right)
    top = variant_of("conv_transpose2d", "output_padding on the wrong side", case)[0, 0]
    np.testing.assert_allclose(top, full[0:4, 0:4])
    assert variant_of("conv_transpose2d", "padding not cropped", case).shape == (1, 1, 6, 6)
    assert variant_of("conv_transpose2d", "output_padding ignored", case).shape == (1, 1, 3, 3)
    np.testing.assert_allclose(variant_of("conv_transpose2d", "kernel flipped", case),
                               F.conv_transpose2d(t(x), t(k).flip(-1, -2), stride=2, padding=1,
                                                  output_padding=1).numpy())
    zero_after = variant_of("conv_transpose2d_zero_insertion", "zeros inserted after every pixel", case)
    assert zero_after.shape == (1, 1, 5, 5)
    unflipped = variant_of("conv_transpose2d_zero_insertion", "kernel not flipped", case)
    np.testing.assert_allclose(unflipped, F.conv_transpose2d(t(x), t(k).flip(-1, -2), stride=2, padding=1,
                                                             output_padding=1).numpy())


def test_conv_matrix_mistakes_are_what_their_names_say():
    from course_lib.grading import Case

    case = Case((np.array([[1.0, 2.0], [3.0, 4.0]]), (3, 4)), {"padding": 1})
    right = EXERCISES["conv_matrix"].bind(case).expected
    assert right.shape == (4 * 5, 12)
    np.testing.assert_array_equal(variant_of("conv_matrix", "matrix transposed", case), right.T)
    assert variant_of("conv_matrix", "columns for the padding", case).shape == (20, 5 * 6)
    major = variant_of("conv_matrix", "column-major order", case)
    # entry (output (i, j), input (r, c)) moves to row j * H_out + i, column c * H + r
    np.testing.assert_array_equal(major[1 * 4 + 2, 3 * 3 + 1], right[2 * 5 + 1, 1 * 4 + 3])


def test_the_brief_s_mistakes_are_each_made_by_a_buggy_student():
    named = {(exercise_id, mistake) for exercise_id, _, mistake in BUGGY}
    promised = {
        ("conv_transpose2d", "padding not cropped"), ("conv_transpose2d", "cropped on one side only"),
        ("conv_transpose2d", "output_padding ignored"), ("conv_transpose2d_zero_insertion", "output_padding ignored"),
        ("conv_transpose2d_zero_insertion", "zeros inserted after every pixel"),
        ("conv_transpose2d_zero_insertion", "kernel not flipped"),
        ("conv_transpose2d", "channel axes of the weight swapped"),
        ("conv_transpose2d_zero_insertion", "channel axes of the weight not swapped"),
        ("upsample_bilinear", "align_corners conventions swapped"), ("upsample_bilinear", "half-pixel offset missing"),
        ("upsample_nearest", "wrong neighbour"), ("bed_of_nails", "nail at the block centre"),
        ("conv_matrix", "matrix transposed"), ("conv_matrix", "kernel flipped"),
    }
    assert promised <= named, sorted(promised - named)
    for exercise_id in IDS:
        assert sum(entry[0] == exercise_id for entry in CORRECT) >= 2, exercise_id


# ---------------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------------


def test_a_shape_error_message_derives_the_transposed_output_size():
    message = message_of("conv_transpose2d", buggy_named("conv_transpose2d_not_cropped"))
    assert "expected (1, 1, 7, 7), got (1, 1, 9, 9)" in message
    assert "H_out = (H - 1)s - 2p + (k - 1) + output_padding + 1 = (4 - 1)*2 - 2*1 + (3 - 1) + 0 + 1 = 7" in message
    assert "Recognised mistake: padding not cropped" in message


def test_the_zero_insertion_message_names_the_sizes_of_each_step():
    message = message_of("conv_transpose2d_zero_insertion", buggy_named("zero_insertion_zeros_after"))
    assert "zeros inserted: ((H - 1)s + 1, (W - 1)s + 1) = (7, 7)" in message
    assert "padded by k - 1 - p = (1, 1)" in message
    assert "Recognised mistake: zeros inserted after every pixel" in message


def test_the_bilinear_message_gives_the_source_position_formula():
    message = message_of("upsample_bilinear", buggy_named("upsample_bilinear_no_half_pixel"))
    assert "case 2 of 12" in message
    assert "Recognised mistake: half-pixel offset missing" in message


def test_the_conv_matrix_message_gives_the_matrix_shape():
    message = message_of("conv_matrix", buggy_named("conv_matrix_padding_columns"))
    assert "(H_out*W_out, H*W) = (4, 16)" in message
    assert "Recognised mistake: columns for the padding" in message


def test_a_student_who_calls_the_wrong_course_function_is_told_what_it_computes():
    """Nearest neighbour handed in as bed of nails: recognised as 'copied into the whole block'."""
    import course_lib

    message = message_of("bed_of_nails", course_lib.upsample_nearest)
    assert "Recognised mistake: copied into the whole block" in message
