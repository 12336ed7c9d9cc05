"""Tests for course_lib.bilinear: the tent kernel, and bilinear upsampling as a transposed conv."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.bilinear import (
    bilinear_kernel,
    bilinear_upsample_weight,
    upsample_bilinear_by_transposed_conv,
)
from course_lib.upsampling import conv_transpose2d, upsample_bilinear

FACTORS = [1, 2, 3, 4, 5, 6]
# Odd, even, non-square, one-pixel rows and columns.
SIZES = [(1, 1), (1, 4), (3, 3), (4, 4), (5, 2), (2, 7), (6, 5)]
TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _interpolate(x, **kwargs):
    return F.interpolate(_t(x), mode="bilinear", **kwargs).numpy()


# ---------------------------------------------------------------------------------------------
# The kernel
# ---------------------------------------------------------------------------------------------


def test_kernel_of_the_uc_merced_slides():
    expected = [[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]]
    np.testing.assert_array_equal(bilinear_kernel(2, align_corners=True), expected)


def test_fcn_kernels_of_small_factors():
    np.testing.assert_array_equal(bilinear_kernel(1), [[1.0]])
    np.testing.assert_array_equal(bilinear_kernel(2)[0], [1 / 16, 3 / 16, 3 / 16, 1 / 16])
    np.testing.assert_allclose(bilinear_kernel(3)[2], [1 / 3, 2 / 3, 1, 2 / 3, 1 / 3], rtol=1e-15)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("factor", FACTORS)
def test_kernel_shape_symmetry_and_mass(factor, align_corners):
    k = bilinear_kernel(factor, align_corners)
    size = 2 * factor - 1 if align_corners else 2 * factor - factor % 2
    assert k.shape == (size, size) and k.dtype == np.float64
    np.testing.assert_array_equal(k, k.T)
    np.testing.assert_array_equal(k, k[::-1, ::-1])
    assert (k > 0).all()
    # Every input pixel hands out a total weight of f * f: one per output pixel it stands for.
    np.testing.assert_allclose(k.sum(), factor**2, rtol=1e-12)
    # Separable: the outer product of its middle row and column (scaled back).
    np.testing.assert_allclose(np.outer(k.sum(1), k.sum(0)) / factor**2, k, rtol=1e-12)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("factor", FACTORS)
def test_kernel_is_the_impulse_response_of_torch_bilinear(factor, align_corners):
    """Upsampling a single lit pixel shows the weights it gives to its neighbours: the kernel.

    Pixel m of the input lands at output offset m * f - padding of the transposed convolution,
    where padding is f - 1 (corners aligned) or ceil((f - 1) / 2) (FCN kernel).
    """
    n, m = 9, 4
    delta = np.zeros((1, 1, n, n))
    delta[0, 0, m, m] = 1.0
    if align_corners:
        response = _interpolate(delta, size=factor * (n - 1) + 1, align_corners=True)[0, 0]
        start = m * factor - (factor - 1)
    else:
        response = _interpolate(delta, scale_factor=factor, align_corners=False)[0, 0]
        start = m * factor - math.ceil((factor - 1) / 2)
    k = bilinear_kernel(factor, align_corners)
    window = response[start : start + len(k), start : start + len(k)]
    np.testing.assert_allclose(window, k, atol=1e-12)
    assert abs(response.sum() - window.sum()) < 1e-12  # nothing outside the window


def test_upsample_weight_is_the_kernel_on_the_diagonal():
    for align_corners in (False, True):
        w = bilinear_upsample_weight(3, 4, align_corners)
        k = bilinear_kernel(4, align_corners)
        assert w.shape == (3, 3) + k.shape and w.dtype == np.float64
        for i in range(3):
            for j in range(3):
                np.testing.assert_array_equal(w[i, j], k if i == j else 0)


# ---------------------------------------------------------------------------------------------
# Bilinear upsampling as a transposed convolution
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("factor", FACTORS)
def test_upsample_by_transposed_conv_equals_interpolation(factor, align_corners):
    rng = np.random.default_rng(factor)
    for h, w in SIZES:
        x = rng.standard_normal((2, 3, h, w))
        if align_corners:
            size = (factor * (h - 1) + 1, factor * (w - 1) + 1)
            expected = _interpolate(x, size=size, align_corners=True)
        else:
            expected = _interpolate(x, scale_factor=factor, align_corners=False)
        out = upsample_bilinear_by_transposed_conv(x, factor, align_corners)
        assert out.shape == expected.shape, (h, w)
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10, err_msg=str((h, w)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("align_corners", [False, True])
def test_upsample_by_transposed_conv_unbatched_and_dtype(dtype, align_corners):
    x = np.random.default_rng(0).standard_normal((2, 5, 4)).astype(dtype)
    out = upsample_bilinear_by_transposed_conv(x, 3, align_corners)
    size = (13, 10) if align_corners else (15, 12)
    expected = upsample_bilinear(x, size=size, align_corners=align_corners)
    assert out.dtype == dtype and out.shape == (2,) + size
    np.testing.assert_allclose(out, expected, **TOLERANCE[dtype])


@pytest.mark.parametrize("factor", FACTORS)
def test_plain_fcn_transposed_conv_differs_only_on_a_border_of_half_a_factor(factor):
    """Without the edge replication, stride f and padding ceil((f - 1) / 2) give the f-times
    larger image, equal to interpolation except on a border f // 2 pixels wide (where the
    transposed conv blends the edge pixel with zeros)."""
    rng = np.random.default_rng(10 + factor)
    b = factor // 2
    for h, w in SIZES:
        x = rng.standard_normal((1, 2, h, w)) + 3  # away from 0, so the border visibly differs
        weight = bilinear_upsample_weight(2, factor)
        padding = math.ceil((factor - 1) / 2)
        out = conv_transpose2d(x, weight, stride=factor, padding=padding)
        torch_out = F.conv_transpose2d(_t(x), _t(weight), stride=factor, padding=padding)
        expected = _interpolate(x, scale_factor=factor)
        assert out.shape == expected.shape == (1, 2, factor * h, factor * w)
        np.testing.assert_allclose(out, torch_out.numpy(), rtol=1e-10, atol=1e-10)
        inner = (slice(None), slice(None), slice(b, factor * h - b), slice(b, factor * w - b))
        np.testing.assert_allclose(out[inner], expected[inner], rtol=1e-10, atol=1e-10)
        differs = ~np.isclose(out, expected, rtol=1e-10, atol=1e-10)
        border = np.ones(out.shape, bool)
        border[inner] = False
        np.testing.assert_array_equal(differs, border)  # every border pixel differs


def test_uc_merced_example_by_transposed_conv():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = upsample_bilinear_by_transposed_conv(x, 2, align_corners=True)
    rows, cols = np.mgrid[0:7, 0:7]
    np.testing.assert_array_equal(out[0, 0], 4 * rows / 2 + cols / 2)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


by_conv = upsample_bilinear_by_transposed_conv


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: bilinear_kernel(0), "^factor: expected an int >= 1"),
        (lambda: bilinear_kernel(1.5), "^factor: expected an int >= 1"),
        (lambda: bilinear_kernel(True), "^factor:"),
        (lambda: bilinear_kernel(2, align_corners=1), "^align_corners: expected True or False"),
        (lambda: bilinear_upsample_weight(0, 2), "^channels: expected an int >= 1"),
        (lambda: bilinear_upsample_weight(2, -1), "^factor:"),
        (lambda: by_conv(np.ones((2, 2)), 2), "^x: expected a 4-D"),
        (lambda: by_conv(np.ones((1, 0, 2, 2)), 2), "^x: expected non-empty channel and spatial axes"),
        (lambda: by_conv(np.ones((1, 1, 0, 2)), 2), "^x: expected non-empty channel and spatial axes"),
        (lambda: by_conv(np.ones((1, 1, 2, 2)), 0), "^factor:"),
        (lambda: by_conv(np.ones((1, 1, 2, 2)), 2, None), "^align_corners:"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_input_is_not_modified():
    x = np.random.default_rng(1).standard_normal((1, 2, 3, 4))
    copy = x.copy()
    upsample_bilinear_by_transposed_conv(x, 3)
    upsample_bilinear_by_transposed_conv(x, 1, align_corners=True)[:] = 0
    upsample_bilinear_by_transposed_conv(x, 1)[:] = 0
    np.testing.assert_array_equal(x, copy)
