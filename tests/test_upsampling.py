"""Tests for course_lib.upsampling: every function against torch.nn.functional."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.upsampling import (
    bed_of_nails,
    conv_transpose2d,
    conv_transpose2d_zero_insertion,
    conv_transpose_output_size,
    upsample_bilinear,
    upsample_nearest,
)

TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}
DTYPES = [np.float32, np.float64]

# Batched and unbatched (3-D), odd and even, non-square, one-pixel rows and columns.
SHAPES = [(2, 3, 5, 4), (1, 2, 6, 7), (3, 4, 3), (2, 1, 1, 5), (1, 1, 4, 1)]


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _batched_torch(function, x, *args, **kwargs):
    """Call a torch function on numpy `x`, adding (and removing) a batch axis for 3-D input.

    F.interpolate reads a 3-D tensor as (N, C, L), not as an unbatched image, so the unbatched
    case is compared with the same image as a batch of one.
    """
    batch = x[np.newaxis] if x.ndim == 3 else x
    out = function(_t(batch), *args, **kwargs).numpy()
    return out[0] if x.ndim == 3 else out


def _random(rng, shape, dtype):
    return rng.standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# Worked examples from the slides
# ---------------------------------------------------------------------------------------------

# UC Merced (001), "Deconvolution: Example": arange(16) with this kernel and stride 2 is the
# sum of 16 kernel copies, scaled by the pixel values and placed 2 apart (the slides' table).
SEED_001_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]])
SEED_001_SUM_OF_COPIES = np.array(
    [
        [0, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 0.75],
        [0, 0, 0.5, 1, 1.5, 2, 2.5, 3, 1.5],
        [1, 2, 2.5, 3, 3.5, 4, 4.5, 5, 2.5],
        [2, 4, 4.5, 5, 5.5, 6, 6.5, 7, 3.5],
        [3, 6, 6.5, 7, 7.5, 8, 8.5, 9, 4.5],
        [4, 8, 8.5, 9, 9.5, 10, 10.5, 11, 5.5],
        [5, 10, 10.5, 11, 11.5, 12, 12.5, 13, 6.5],
        [6, 12, 12.5, 13, 13.5, 14, 14.5, 15, 7.5],
        [3, 6, 6.25, 6.5, 6.75, 7, 7.25, 7.5, 3.75],
    ]
)


def test_transposed_conv_ubc_slide_example():
    x = np.array([[1.0, 2], [2, 4]])[None, None]
    k = np.array([[1.0, 2], [2, 1]])[None, None]
    expected = [[1, 4, 4], [4, 13, 10], [4, 10, 4]]
    np.testing.assert_array_equal(conv_transpose2d(x, k)[0, 0], expected)
    np.testing.assert_array_equal(conv_transpose2d_zero_insertion(x, k)[0, 0], expected)


def test_transposed_conv_uc_merced_sum_of_copies():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    out = conv_transpose2d(x, SEED_001_KERNEL[None, None], stride=2)[0, 0]
    np.testing.assert_array_equal(out, SEED_001_SUM_OF_COPIES)
    # The slides' final table has two errata: row 2 ends in 1.5 (not 4.5), row 3 starts 1, 2.
    assert out[1, 8] == 1.5
    np.testing.assert_array_equal(out[2, :2], [1, 2])


def test_transposed_conv_uc_merced_padding_one_is_bilinear_and_fractionally_strided():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    k = SEED_001_KERNEL[None, None]
    out = conv_transpose2d(x, k, stride=2, padding=1)
    assert out.shape == (1, 1, 7, 7)
    np.testing.assert_array_equal(out[0, 0], SEED_001_SUM_OF_COPIES[1:8, 1:8])
    # Row i, column j of the result is 4 * (i / 2) + j / 2: bilinear interpolation of arange(16).
    rows, cols = np.mgrid[0:7, 0:7]
    np.testing.assert_array_equal(out[0, 0], 4 * rows / 2 + cols / 2)
    np.testing.assert_allclose(upsample_bilinear(x, size=7, align_corners=True), out, atol=1e-12)
    np.testing.assert_array_equal(conv_transpose2d_zero_insertion(x, k, stride=2, padding=1), out)


def test_nearest_and_bed_of_nails_slide_examples():
    x = np.array([[[1.0, 2], [3, 4]]])
    nearest = [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    nails = [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(upsample_nearest(x, 2)[0], nearest)
    np.testing.assert_array_equal(bed_of_nails(x, 2)[0], nails)


# ---------------------------------------------------------------------------------------------
# Nearest neighbour and bed of nails
# ---------------------------------------------------------------------------------------------

FACTORS = [1, 2, 3, (2, 3), (1, 4), [3, 1]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_upsample_nearest_matches_torch(shape, dtype):
    rng = np.random.default_rng(0)
    x = _random(rng, shape, dtype)
    for factor in FACTORS:
        expected = _batched_torch(F.interpolate, x, scale_factor=tuple(np.broadcast_to(factor, 2)))
        out = upsample_nearest(x, factor)
        assert out.dtype == dtype and out.shape == expected.shape, factor
        np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_bed_of_nails_matches_one_hot_transposed_conv(shape, dtype):
    # Each pixel stamps a kernel that is 1 at its top-left corner and 0 elsewhere, stride = size.
    rng = np.random.default_rng(1)
    x = _random(rng, shape, dtype)
    channels = shape[-3]
    for factor in FACTORS:
        sh, sw = np.broadcast_to(factor, 2)
        one_hot = torch.zeros(channels, 1, sh, sw, dtype=_t(x).dtype)
        one_hot[:, :, 0, 0] = 1
        expected = F.conv_transpose2d(_t(x), one_hot, stride=(sh, sw), groups=channels).numpy()
        out = bed_of_nails(x, factor)
        assert out.dtype == dtype and out.shape == expected.shape, factor
        np.testing.assert_array_equal(out, expected)


def test_bed_of_nails_matches_max_unpool_at_top_left():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 5))
    rows, cols = np.mgrid[0:4, 0:5]
    indices = np.broadcast_to(2 * rows * 15 + 3 * cols, x.shape)  # top-left of each 2x3 block
    expected = F.max_unpool2d(_t(x), _t(indices.astype(np.int64)), (2, 3), output_size=(8, 15))
    np.testing.assert_array_equal(bed_of_nails(x, (2, 3)), expected.numpy())


# ---------------------------------------------------------------------------------------------
# Bilinear interpolation
# ---------------------------------------------------------------------------------------------

# Integer and fractional, growing and shrinking, pairs; 1.7 and 0.6 are factors where PyTorch's
# 1 / scale_factor differs from in / out.
SCALE_FACTORS = [1, 2, 3, 1.5, 1.7, 2.5, 0.6, 0.5, (2, 3), (1.25, 0.75), [3.3, 1]]
SIZES = [1, 6, (1, 9), (9, 1), (4, 7), (10, 3)]


def _torch_bilinear(x, **kwargs):
    return _batched_torch(F.interpolate, x, mode="bilinear", **kwargs)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_upsample_bilinear_scale_factor_matches_torch(shape, dtype, align_corners):
    rng = np.random.default_rng(3)
    x = _random(rng, shape, dtype)
    for factor in SCALE_FACTORS:
        if min(np.floor(np.multiply(shape[-2:], factor))) < 1:
            continue  # shrinks a one-pixel axis to nothing: tested with the errors below
        scale = tuple(np.broadcast_to(factor, 2).tolist())
        expected = _torch_bilinear(x, scale_factor=scale, align_corners=align_corners)
        out = upsample_bilinear(x, scale_factor=factor, align_corners=align_corners)
        assert out.dtype == dtype and out.shape == expected.shape, factor
        np.testing.assert_allclose(out, expected, **TOLERANCE[dtype], err_msg=str(factor))


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_upsample_bilinear_size_matches_torch(shape, dtype, align_corners):
    rng = np.random.default_rng(4)
    x = _random(rng, shape, dtype)
    for size in SIZES:
        expected = _torch_bilinear(x, size=size, align_corners=align_corners)
        out = upsample_bilinear(x, size=size, align_corners=align_corners)
        assert out.dtype == dtype and out.shape == expected.shape, size
        np.testing.assert_allclose(out, expected, **TOLERANCE[dtype], err_msg=str(size))


def test_upsample_bilinear_scale_factor_is_not_the_same_as_size():
    # 5 * 1.7 = 8.5 gives 8 pixels; PyTorch steps by 1 / 1.7, not by 5 / 8, and so do we.
    x = np.random.default_rng(5).standard_normal((1, 1, 5, 5))
    by_factor = upsample_bilinear(x, scale_factor=1.7)
    by_size = upsample_bilinear(x, size=8)
    assert by_factor.shape == by_size.shape == (1, 1, 8, 8)
    assert not np.allclose(by_factor, by_size)
    np.testing.assert_allclose(by_factor, _torch_bilinear(x, scale_factor=1.7), rtol=1e-12)
    np.testing.assert_allclose(by_size, _torch_bilinear(x, size=8), rtol=1e-12)


def test_upsample_bilinear_of_a_ramp_is_the_ramp():
    # Interpolating a linear function with corners aligned gives the same linear function.
    x = np.add.outer(np.arange(3.0), 10 * np.arange(4.0))[None, None]
    out = upsample_bilinear(x, size=(5, 7), align_corners=True)
    expected = np.add.outer(np.arange(5) / 2, 10 * np.arange(7) / 2)
    np.testing.assert_allclose(out[0, 0], expected, atol=1e-12)


def test_upsample_bilinear_empty_batch():
    out = upsample_bilinear(np.zeros((0, 2, 3, 3)), scale_factor=2)
    assert out.shape == (0, 2, 6, 6)


# ---------------------------------------------------------------------------------------------
# Transposed convolution
# ---------------------------------------------------------------------------------------------

STRIDES = [1, 2, 3, (2, 1)]
PADDINGS = [0, 1, 2, (0, 3)]
OUTPUT_PADDINGS = [0, 1, 2, (1, 0)]
DILATIONS = [1, 2, (1, 3)]


def _torch_conv_transpose_or_none(x, weight, bias, **kwargs):
    """F.conv_transpose2d's result, or None if torch refuses the arguments."""
    try:
        out = F.conv_transpose2d(_t(x), _t(weight), None if bias is None else _t(bias), **kwargs)
    except RuntimeError:
        return None
    return out.numpy()


@pytest.mark.parametrize("groups", [1, 2])
@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 1)])
@pytest.mark.parametrize("stride", STRIDES)
def test_conv_transpose2d_matches_torch_everywhere(stride, kernel, groups):
    """Every combination of padding, output_padding and dilation: equal where torch accepts
    it, a ValueError where torch refuses it."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 5, 3))
    weight = rng.standard_normal((4, 3) + kernel)
    bias = rng.standard_normal(3 * groups)
    accepted = 0
    for padding, output_padding, dilation in itertools.product(
        PADDINGS, OUTPUT_PADDINGS, DILATIONS
    ):
        args = dict(stride=stride, padding=padding, output_padding=output_padding)
        args.update(dilation=dilation, groups=groups)
        expected = _torch_conv_transpose_or_none(x, weight, bias, **args)
        if expected is None:
            with pytest.raises(ValueError, match="^(output_padding|padding):"):
                conv_transpose2d(x, weight, bias, **args)
            continue
        accepted += 1
        out = conv_transpose2d(x, weight, bias, **args)
        assert out.shape == expected.shape, args
        np.testing.assert_allclose(out, expected, **TOLERANCE[np.float64], err_msg=str(args))
    assert accepted >= 10  # the grid really tests something


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_conv_transpose2d_shapes_dtypes_unbatched(shape, dtype):
    rng = np.random.default_rng(7)
    x = _random(rng, shape, dtype)
    c_in = shape[-3]
    weight = _random(rng, (c_in, 2, 3, 2), dtype)
    bias = _random(rng, (2,), dtype)
    strided = dict(stride=2, padding=1, output_padding=1)
    for args in [dict(), strided, dict(stride=(3, 2), dilation=2)]:
        expected = F.conv_transpose2d(_t(x), _t(weight), _t(bias), **args).numpy()
        out = conv_transpose2d(x, weight, bias, **args)
        assert out.dtype == dtype and out.shape == expected.shape, args
        np.testing.assert_allclose(out, expected, **TOLERANCE[dtype], err_msg=str(args))


def test_conv_transpose2d_depthwise_and_wide_groups():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 6, 4, 5))
    for groups, c_out_per_group in [(6, 1), (6, 2), (3, 4)]:
        weight = rng.standard_normal((6, c_out_per_group, 3, 3))
        args = dict(stride=2, padding=1, groups=groups)
        expected = F.conv_transpose2d(_t(x), _t(weight), **args).numpy()
        out = conv_transpose2d(x, weight, **args)
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10)


def test_conv_transpose2d_is_the_adjoint_of_conv2d():
    # <conv2d(y, w), x> = <y, conv_transpose2d(x, w)> for every y: the defining property.
    rng = np.random.default_rng(9)
    y = rng.standard_normal((2, 3, 9, 8))
    weight = rng.standard_normal((4, 3, 3, 2))
    args = dict(stride=2, padding=1, dilation=(1, 2))
    z = F.conv2d(_t(y), _t(weight), **args).numpy()
    x = rng.standard_normal(z.shape)
    # stride 2 maps two input sizes to the same output size: output_padding picks the right one
    short = conv_transpose2d(x, weight, **args).shape[2:]
    output_padding = tuple(s - n for s, n in zip(y.shape[2:], short))
    back = conv_transpose2d(x, weight, output_padding=output_padding, **args)
    assert back.shape == y.shape
    np.testing.assert_allclose(np.vdot(z, x), np.vdot(y, back), rtol=1e-10)


def test_conv_transpose2d_empty_batch_and_dtype_promotion():
    weight = np.ones((2, 3, 2, 2), dtype=np.float32)
    assert conv_transpose2d(np.zeros((0, 2, 4, 4), np.float32), weight).shape == (0, 3, 5, 5)
    x32 = np.ones((2, 2, 2), np.float32)
    assert conv_transpose2d(x32, weight).dtype == np.float32
    assert conv_transpose2d(x32, weight.astype(np.float64)).dtype == np.float64
    assert conv_transpose2d(x32.astype(int), weight.astype(int)).dtype == np.float64


@pytest.mark.parametrize("kernel", [(3, 3), (2, 4), (1, 1), (5, 2)])
@pytest.mark.parametrize("stride", [1, 2, 3, (3, 1)])
def test_zero_insertion_route_equals_transposed_conv(stride, kernel):
    # Includes padding > k - 1, where the route crops instead of padding.
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 3, 4, 5))
    weight = rng.standard_normal((3, 2) + kernel)
    bias = rng.standard_normal(2)
    accepted = 0
    for padding, output_padding in itertools.product([0, 1, 2, 3, 5, (0, 4)], [0, 1, 2, (2, 0)]):
        args = dict(stride=stride, padding=padding, output_padding=output_padding)
        expected = _torch_conv_transpose_or_none(x, weight, bias, **args)
        if expected is None:
            with pytest.raises(ValueError, match="^(output_padding|padding):"):
                conv_transpose2d_zero_insertion(x, weight, bias, **args)
            continue
        accepted += 1
        out = conv_transpose2d_zero_insertion(x, weight, bias, **args)
        assert out.shape == expected.shape, args
        np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-10, err_msg=str(args))
        direct = conv_transpose2d(x, weight, bias, **args)
        np.testing.assert_allclose(out, direct, rtol=1e-10, atol=1e-10)
    assert accepted >= 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_insertion_route_unbatched_and_dtype(dtype):
    rng = np.random.default_rng(11)
    x = _random(rng, (3, 4, 5), dtype)
    weight = _random(rng, (3, 2, 3, 3), dtype)
    out = conv_transpose2d_zero_insertion(x, weight, stride=2, padding=1, output_padding=1)
    expected = F.conv_transpose2d(_t(x), _t(weight), stride=2, padding=1, output_padding=1).numpy()
    assert out.dtype == dtype and out.shape == expected.shape == (2, 8, 10)
    np.testing.assert_allclose(out, expected, **TOLERANCE[dtype])


def test_conv_transpose_output_size_matches_torch():
    x = torch.zeros(1, 1, 4, 7)
    for k, s, p, op, d in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2], [0, 1, 2], [1, 2]):
        try:
            expected = F.conv_transpose2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p,
                                          output_padding=op, dilation=d).shape[2:]
        except RuntimeError:
            with pytest.raises(ValueError, match="^(output_padding|padding):"):
                conv_transpose_output_size((4, 7), k, s, p, op, d)
            continue
        assert conv_transpose_output_size((4, 7), k, s, p, op, d) == tuple(expected)
        assert conv_transpose_output_size(4, k, s, p, op, d) == expected[0]


def test_conv_transpose_output_size_int_or_pair():
    assert conv_transpose_output_size(4, 3, stride=2, padding=1) == 7
    assert conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1) == 8
    assert conv_transpose_output_size(np.int64(4), 3) == 6
    assert conv_transpose_output_size(4, (3, 1), stride=2) == (9, 7)
    assert conv_transpose_output_size((2, 3), 2, stride=(1, 2), output_padding=(0, 1)) == (3, 7)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

X = np.ones((1, 2, 3, 3))
W = np.ones((2, 1, 3, 3))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: upsample_nearest(np.ones((3, 3)), 2), "^x: expected a 4-D"),
        (lambda: upsample_nearest(X, 0), "^scale_factor: expected an int >= 1"),
        (lambda: upsample_nearest(X, 1.5), "^scale_factor:"),
        (lambda: upsample_nearest(X, (2, 2, 2)), "^scale_factor:"),
        (lambda: bed_of_nails(X, (2, 0)), "^scale_factor:"),
        (lambda: bed_of_nails(np.ones(3, complex), 2), "^x: expected real numbers"),
        (lambda: upsample_bilinear(X), "^scale_factor, size: expected exactly one .* neither"),
        (lambda: upsample_bilinear(X, 2, 6), "^scale_factor, size: .* got both"),
        (lambda: upsample_bilinear(X, size=0), "^size: expected an int >= 1"),
        (lambda: upsample_bilinear(X, size=(2.5, 3)), "^size:"),
        (lambda: upsample_bilinear(X, scale_factor=0), "^scale_factor: expected a number > 0"),
        (lambda: upsample_bilinear(X, scale_factor=-2.0), "^scale_factor: expected a number > 0"),
        (lambda: upsample_bilinear(X, scale_factor=float("nan")), "^scale_factor:"),
        (lambda: upsample_bilinear(X, scale_factor=True), "^scale_factor:"),
        (lambda: upsample_bilinear(X, scale_factor="2"), "^scale_factor:"),
        (lambda: upsample_bilinear(X, scale_factor=(2, 0.2)), "^scale_factor: .*one pixel"),
        (lambda: upsample_bilinear(X, 2, align_corners="yes"), "^align_corners: expected True or"),
        (lambda: upsample_bilinear(np.ones((1, 1, 0, 3)), 2), "^x: expected non-empty channel and spatial axes"),
        (lambda: upsample_bilinear(np.ones((2, 3)), 2), "^x: expected a 4-D"),
        (lambda: conv_transpose2d(np.ones((2, 3)), W), "^x: expected a 4-D"),
        (lambda: conv_transpose2d(np.ones((1, 2, 3, 0)), W), "^x: expected non-empty channel and spatial axes"),
        (lambda: conv_transpose2d(X, np.ones((2, 3, 3))), r"^weight: .*non-empty 4-D .*\(C_in"),
        (lambda: conv_transpose2d(X, np.ones((2, 0, 3, 3))), "^weight: expected a non-empty 4-D"),
        (lambda: conv_transpose2d(X, np.ones((3, 1, 3, 3))), "^weight: expected C_in = 2"),
        (lambda: conv_transpose2d(X, W, groups=0), "^groups: expected an int >= 1"),
        (lambda: conv_transpose2d(X, W, groups=3), "^groups: expected a divisor"),
        (lambda: conv_transpose2d(X, W, bias=np.ones(2)), r"^bias: .*\(C_out,\) = \(1,"),
        (lambda: conv_transpose2d(X, W, bias="b"), "^bias: expected an array of numbers"),
        (lambda: conv_transpose2d(X, "w"), "^weight: expected an array of numbers"),
        (lambda: conv_transpose2d(X, W, stride=0), "^stride: expected an int >= 1"),
        (lambda: conv_transpose2d(X, W, padding=-1), "^padding: expected an int >= 0"),
        (lambda: conv_transpose2d(X, W, dilation=(1, 0)), "^dilation: expected an int >= 1"),
        (lambda: conv_transpose2d(X, W, output_padding=-1), "^output_padding: expected an int >="),
        (lambda: conv_transpose2d(X, W, stride=2, output_padding=2), "^output_padding: .* smaller"),
        (lambda: conv_transpose2d(X, W, output_padding=(0, 1)), "^output_padding: .* smaller"),
        (lambda: conv_transpose2d(X, W, padding=3), "^padding: expected a padding"),
        (lambda: conv_transpose2d_zero_insertion(X, np.ones((3, 1, 3, 3))), "^weight: .*C_in = 2"),
        (lambda: conv_transpose2d_zero_insertion(X, W, padding=(0, 3)), "^padding: .*output pixel"),
        (lambda: conv_transpose2d_zero_insertion(X, W, output_padding=1), "^output_padding:"),
        (lambda: conv_transpose2d_zero_insertion(X, W, stride=(1, 0)), "^stride:"),
        (lambda: conv_transpose_output_size(0, 3), "^n: expected an int >= 1"),
        (lambda: conv_transpose_output_size(3, 0), "^kernel_size: expected an int >= 1"),
        (lambda: conv_transpose_output_size(3, 3, stride=2, output_padding=2), "^output_padding:"),
        (lambda: conv_transpose_output_size(1, 1, padding=1), "^padding: expected a padding"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_inputs_are_not_modified():
    rng = np.random.default_rng(12)
    x = rng.standard_normal((2, 2, 4, 3))
    weight = rng.standard_normal((2, 3, 3, 3))
    bias = rng.standard_normal(3)
    copies = [a.copy() for a in (x, weight, bias)]
    upsample_nearest(x, 2)
    bed_of_nails(x, 2)
    upsample_bilinear(x, scale_factor=1)  # the identity: must still return a new array
    upsample_bilinear(x, size=(4, 3), align_corners=True)[:] = 0
    upsample_nearest(x, 1)[:] = 0
    conv_transpose2d(x, weight, bias, stride=2, padding=1)
    conv_transpose2d(x, weight, bias, padding=(2, 2))[:] = 0
    conv_transpose2d_zero_insertion(x, weight, bias, stride=3, padding=2)
    for original, copy in zip((x, weight, bias), copies):
        np.testing.assert_array_equal(original, copy)
