"""Tests for course_lib.interpolation: 1-D linear interpolation as a sum of stamped triangles."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.bilinear import bilinear_kernel
from course_lib.interpolation import (
    hat,
    interpolate_linear,
    source_positions,
    triangle_stamps,
    triangle_weights,
)
from course_lib.upsampling import conv_transpose2d

FACTORS = [1, 2, 3, 4, 5, 6, 7]
LENGTHS = [1, 2, 3, 5, 8]


def torch_linear(x, factor, align_corners):
    """F.interpolate(mode="linear") of the last axis, with the sizes of the two conventions."""
    t = torch.from_numpy(np.ascontiguousarray(x)).reshape(1, -1, x.shape[-1])
    if align_corners:
        out = F.interpolate(t, size=factor * (x.shape[-1] - 1) + 1, mode="linear", align_corners=True)
    else:
        out = F.interpolate(t, scale_factor=factor, mode="linear", align_corners=False)
    return out.reshape(x.shape[:-1] + (-1,)).numpy()


def transposed_1d(x, weights, stride, padding):
    """A 1-D transposed convolution, through conv_transpose2d on a one-row image."""
    return conv_transpose2d(x[None, None, None], weights[None, None, None], stride=(1, stride),
                            padding=(0, padding))[0, 0, 0]


# ---------------------------------------------------------------------------------------------
# hat and the positions
# ---------------------------------------------------------------------------------------------


def test_hat_is_the_triangle():
    t = np.array([-2.0, -1.0, -0.75, 0.0, 0.5, 1.0, 3.0])
    np.testing.assert_array_equal(hat(t), [0, 0, 0.25, 1, 0.5, 0, 0])
    assert hat(np.float32([0.5])).dtype == np.float32
    assert hat([1, 0]).dtype == np.float64


@pytest.mark.parametrize("factor", FACTORS)
@pytest.mark.parametrize("n", LENGTHS)
def test_positions_are_those_torch_samples(n, factor):
    """A ramp x[j] = j interpolates to the positions themselves (where they lie inside [0, n-1])."""
    ramp = np.arange(n, dtype=np.float64)
    aligned = source_positions(n, factor, align_corners=True)
    assert aligned.shape == (factor * (n - 1) + 1,)
    np.testing.assert_allclose(torch_linear(ramp, factor, True), aligned, rtol=0, atol=1e-12)
    half = source_positions(n, factor)
    assert half.shape == (factor * n,)
    np.testing.assert_allclose(torch_linear(ramp, factor, False), np.clip(half, 0, n - 1), rtol=0, atol=1e-12)
    # the output pixels tile the extent of the input pixels, [-1/2, n - 1/2], evenly
    np.testing.assert_allclose(half[0] - 0.5 / factor, -0.5)
    np.testing.assert_allclose(np.diff(half), 1 / factor)


# ---------------------------------------------------------------------------------------------
# interpolate_linear against torch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("factor", FACTORS)
def test_interpolate_linear_equals_torch(factor, align_corners, dtype):
    rng = np.random.default_rng(factor)
    for shape in [(1,), (4,), (3, 7), (2, 3, 5)]:
        x = rng.normal(size=shape).astype(dtype)
        got = interpolate_linear(x, factor, align_corners)
        assert got.dtype == dtype
        tolerance = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, torch_linear(x, factor, align_corners), rtol=tolerance, atol=tolerance)


def test_interpolate_linear_keeps_its_input_and_takes_ints():
    x = np.array([3, 1, 4])
    before = x.copy()
    out = interpolate_linear(x, 2)
    np.testing.assert_array_equal(x, before)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [3, 2.5, 1.5, 1.75, 3.25, 4])


# ---------------------------------------------------------------------------------------------
# The triangles: weights and stamps
# ---------------------------------------------------------------------------------------------


def test_slide_and_fcn_weights():
    np.testing.assert_array_equal(triangle_weights(2, align_corners=True), [0.5, 1, 0.5])
    np.testing.assert_array_equal(triangle_weights(2), [0.25, 0.75, 0.75, 0.25])
    np.testing.assert_array_equal(triangle_weights(1), [1.0])
    np.testing.assert_allclose(triangle_weights(4), [1, 3, 5, 7, 7, 5, 3, 1] / np.float64(8), rtol=1e-15)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("factor", FACTORS)
def test_weights_size_sum_and_outer_product(factor, align_corners):
    w = triangle_weights(factor, align_corners)
    size = 2 * factor - 1 if align_corners else 2 * factor - factor % 2
    assert w.shape == (size,) and w.dtype == np.float64
    assert (w > 0).all()
    np.testing.assert_array_equal(w, w[::-1])
    np.testing.assert_allclose(w.sum(), factor, rtol=1e-12)
    # every output pixel receives weights that sum to 1: a constant stays constant inside
    flat = transposed_1d(np.ones(12), w, factor, 0)
    np.testing.assert_allclose(flat[size: -size], 1.0, rtol=1e-12)
    np.testing.assert_allclose(np.outer(w, w), bilinear_kernel(factor, align_corners), rtol=1e-15)


@pytest.mark.parametrize("factor", FACTORS)
@pytest.mark.parametrize("n", LENGTHS)
def test_stamps_sum_to_the_transposed_convolution_and_to_interpolation(n, factor):
    x = np.random.default_rng(n * 10 + factor).normal(size=n)
    # corners aligned: exact everywhere, padding f - 1
    stamps = triangle_stamps(x, factor, align_corners=True)
    assert stamps.shape == (n, factor * (n - 1) + 1)
    conv = transposed_1d(x, triangle_weights(factor, True), factor, factor - 1)
    np.testing.assert_allclose(stamps.sum(0), conv, atol=1e-12)
    np.testing.assert_allclose(stamps.sum(0), interpolate_linear(x, factor, True), atol=1e-12)
    # FCN's convention: the transposed convolution with padding f // 2, exact only inside
    stamps = triangle_stamps(x, factor)
    conv = transposed_1d(x, triangle_weights(factor), factor, factor // 2)
    np.testing.assert_allclose(stamps.sum(0), conv, atol=1e-12)
    band = factor // 2
    inside = slice(band, factor * n - band)
    np.testing.assert_allclose(stamps.sum(0)[inside], interpolate_linear(x, factor)[inside], atol=1e-12)
    # ... and with the edges replicated, everywhere
    fixed = triangle_stamps(x, factor, replicate_edges=True)
    assert fixed.shape == (n + 2, factor * n)
    np.testing.assert_allclose(fixed.sum(0), interpolate_linear(x, factor), atol=1e-12)


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_without_the_fix_the_border_band_is_wrong(factor):
    x = np.ones(5)
    wrong = triangle_stamps(x, factor).sum(0) != 1.0
    band = factor // 2
    assert wrong[:band].all() and wrong[-band:].all() and not wrong[band:-band].any()


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, message", [
    (lambda: triangle_weights(0), "factor: expected an int >= 1, got 0"),
    (lambda: triangle_weights(2.0), "factor: expected an int >= 1"),
    (lambda: triangle_weights(2, "yes"), "align_corners: expected True or False"),
    (lambda: source_positions(0, 2), "n: expected an int >= 1"),
    (lambda: source_positions(3, -1), "factor: expected an int >= 1"),
    (lambda: interpolate_linear([], 2), "x: expected at least one sample"),
    (lambda: interpolate_linear(3.0, 2), "x: expected at least one sample"),
    (lambda: interpolate_linear(["a", "b"], 2), "x: expected an array of numbers"),
    (lambda: triangle_stamps(np.ones((2, 3)), 2), "x: expected a 1-D array of samples"),
    (lambda: triangle_stamps([1, 2], 2, replicate_edges=1), "replicate_edges: expected True or False"),
    (lambda: hat("t"), "t: expected an array of numbers"),
])
def test_bad_input_is_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()
