"""The bilinear-kernel checkers: their cases, the lectures' examples, and the mistakes they name."""

import contextlib
import io

import numpy as np
import pytest

from buggy import BUGGY, CORRECT
from course_lib.bilinear import bilinear_kernel, bilinear_upsample_weight, upsample_bilinear_by_transposed_conv
from course_lib.grading import EXERCISES, check
from course_lib.interpolation import triangle_weights

IDS = ("triangle_weights", "bilinear_kernel", "bilinear_upsample_weight", "upsample_bilinear_by_transposed_conv")
REFERENCES = dict(zip(IDS, (triangle_weights, bilinear_kernel, bilinear_upsample_weight,
                            upsample_bilinear_by_transposed_conv)))

# 001, "Fractionally-strided Convolution": the 7x7 output, printed right on the slide.
SLIDE_OUTPUT = np.array([
    [0, 0.5, 1, 1.5, 2, 2.5, 3],
    [2, 2.5, 3, 3.5, 4, 4.5, 5],
    [4, 4.5, 5, 5.5, 6, 6.5, 7],
    [6, 6.5, 7, 7.5, 8, 8.5, 9],
    [8, 8.5, 9, 9.5, 10, 10.5, 11],
    [10, 10.5, 11, 11.5, 12, 12.5, 13],
    [12, 12.5, 13, 13.5, 14, 14.5, 15],
])


def message(exercise_id, function, hidden=False):
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            check(exercise_id, function, hidden=hidden)
    except AssertionError as error:
        return str(error)
    return None


def arguments(exercise_id, case):
    bound = EXERCISES[exercise_id].bind(case)
    return bound


@pytest.mark.parametrize("exercise_id", IDS)
def test_registered_with_the_reference_and_signature(exercise_id):
    exercise = EXERCISES[exercise_id]
    assert exercise.reference is REFERENCES[exercise_id]
    assert exercise.signature.startswith(exercise_id + "(") and "align_corners=False" in exercise.signature
    assert len(exercise.cases()) < len(exercise.cases(hidden=True))


def test_the_lectures_examples_come_first():
    kernel_case = EXERCISES["bilinear_kernel"].cases()[0]
    np.testing.assert_array_equal(EXERCISES["bilinear_kernel"].bind(kernel_case).expected,
                                  [[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]])
    triangle_case = EXERCISES["triangle_weights"].cases()[0]
    np.testing.assert_array_equal(EXERCISES["triangle_weights"].bind(triangle_case).expected, [0.5, 1, 0.5])
    slide = EXERCISES["upsample_bilinear_by_transposed_conv"].cases()[0]
    assert slide.kwargs == {"align_corners": True}
    np.testing.assert_array_equal(EXERCISES["upsample_bilinear_by_transposed_conv"].bind(slide).expected[0, 0],
                                  SLIDE_OUTPUT)


@pytest.mark.parametrize("exercise_id", IDS[:3])
@pytest.mark.parametrize("hidden", [False, True])
def test_kernel_cases_cover_odd_and_even_factors_in_both_conventions(exercise_id, hidden):
    seen = set()
    for case in EXERCISES[exercise_id].cases(hidden):
        a = arguments(exercise_id, case)
        seen.add((a.factor % 2, bool(a.align_corners)))
    assert seen == {(0, False), (0, True), (1, False), (1, True)}


@pytest.mark.parametrize("hidden", [False, True])
def test_upsampling_cases_cover_conventions_channels_and_factors(hidden):
    cases = [arguments("upsample_bilinear_by_transposed_conv", case)
             for case in EXERCISES["upsample_bilinear_by_transposed_conv"].cases(hidden)]
    assert {bool(a.align_corners) for a in cases} == {False, True}
    assert {a.factor for a in cases} >= {1, 2, 3, 4}
    assert any(np.shape(a.x)[1] > 1 for a in cases) and any(np.shape(a.x)[0] > 1 for a in cases)
    assert any(min(np.shape(a.x)[2:]) == 1 for a in cases) or not hidden
    if hidden:
        assert any(np.asarray(a.x).dtype == np.float32 for a in cases)


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_mistake_shows_on_some_visible_case(exercise_id):
    """A variant that equals the right answer on every visible case could never be named."""
    exercise = EXERCISES[exercise_id]
    for mistake in exercise.mistakes:
        shows = False
        for case in exercise.cases():
            a = exercise.bind(case)
            variant = mistake.variant(a)
            if variant is None:
                continue
            variant = np.asarray(variant)
            if variant.shape != a.expected.shape or not np.allclose(variant, a.expected):
                shows = True
                break
        assert shows, f"{exercise_id}: '{mistake.name}' ({mistake.hint[:40]}...) never shows"


@pytest.mark.parametrize("exercise_id, function, mistake",
                         [entry for entry in BUGGY if entry[0] in IDS],
                         ids=[entry[1].__name__ for entry in BUGGY if entry[0] in IDS])
def test_each_buggy_student_is_caught_and_named(exercise_id, function, mistake):
    visible = message(exercise_id, function)
    assert visible is not None and message(exercise_id, function, hidden=True) is not None
    if mistake is not None:
        assert mistake.lower() in visible.lower(), visible


@pytest.mark.parametrize("exercise_id, function", [entry for entry in CORRECT if entry[0] in IDS],
                         ids=[entry[1].__name__ for entry in CORRECT if entry[0] in IDS])
def test_right_students_pass(exercise_id, function):
    assert message(exercise_id, function) is None
    assert message(exercise_id, function, hidden=True) is None


def test_the_catalogue_has_every_mistake_of_the_notebook():
    named = {(exercise_id, mistake) for exercise_id, _, mistake in BUGGY}
    promised = {
        ("triangle_weights", "triangle centred half a pixel off"),
        ("triangle_weights", "align_corners conventions swapped"),
        ("triangle_weights", "kernel size 2f for odd f"),
        ("triangle_weights", "normalised to sum 1"),
        ("bilinear_kernel", "normalised to sum 1"),
        ("bilinear_kernel", "triangles added instead of multiplied"),
        ("bilinear_upsample_weight", "weight filled on every (i, j) channel pair"),
        ("upsample_bilinear_by_transposed_conv", "border not fixed"),
        ("upsample_bilinear_by_transposed_conv", "weight filled on every (i, j) channel pair"),
    }
    assert promised <= named, sorted(promised - named)


def test_messages_say_how_to_fix_the_border_and_the_channels():
    students = {function.__name__: function for _, function, _ in BUGGY}
    text = message("upsample_bilinear_by_transposed_conv",
                   students["upsample_bilinear_by_transposed_conv_border_not_fixed"])
    assert "case 2 of" in text and "mode='edge'" in text and "padding=f // 2 + f" in text
    text = message("bilinear_upsample_weight", students["bilinear_upsample_weight_every_pair"])
    assert "fill the diagonal" in text and "[0, 1, 0, 0]" in text
    text = message("bilinear_kernel", students["bilinear_kernel_normalised"])
    assert "sums to f^2" in text


def test_a_stub_is_reported_as_not_implemented():
    def bilinear_kernel(factor, align_corners=False):
        raise NotImplementedError()

    assert message("bilinear_kernel", bilinear_kernel).startswith("bilinear_kernel: case 1 of")
    assert "Not implemented yet" in message("bilinear_kernel", bilinear_kernel)
