"""Tests for course_lib.convolution: values against torch.nn.functional, the slides' worked
examples, the size arithmetic, and every kind of bad input."""

import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course_lib.convolution
from course_lib.convolution import (
    conv2d,
    conv_matrix,
    conv_output_size,
    corr2d,
    pad2d,
    receptive_field,
    same_padding,
)

# torch warns that it copies the input for "same" with even kernels; that is its business.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-10)}


def torch_conv2d(x, weight, bias=None, **kwargs):
    as_tensor = lambda a: None if a is None else torch.from_numpy(np.asarray(a))
    return F.conv2d(as_tensor(x), as_tensor(weight), as_tensor(bias), **kwargs).numpy()


# ----------------------------------------------------------------------------------------------
# The slides' worked examples
# ----------------------------------------------------------------------------------------------

# Lectures 003 and 004: a 5x5 binary image and a 3x3 "X" kernel.
BINARY_IMAGE = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]
X_KERNEL = [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
X_RESULT = [[4, 3, 4], [2, 4, 3], [2, 3, 4]]

# Lecture 001, "Mean filtering": the image f and the 3x3 box-filtered g printed on the slide.
MEAN_FILTER_G = [
    [0, 10, 20, 30, 30, 30, 20, 10],
    [0, 20, 40, 60, 60, 60, 40, 20],
    [0, 30, 60, 90, 90, 90, 60, 30],
    [0, 30, 50, 80, 80, 90, 60, 30],
    [0, 30, 50, 80, 80, 90, 60, 30],
    [0, 20, 30, 50, 50, 60, 40, 20],
    [10, 20, 30, 30, 30, 30, 20, 10],
    [10, 10, 10, 0, 0, 0, 0, 0],
]

# Lecture 002, "1x1 Convolution": a 5x5 image times the 1x1 kernel 2 (the slide's last table;
# an earlier table drops the minus sign of the first output, see the seeds' errata).
ONE_BY_ONE_IMAGE = [[-5, 3, 2, -5, 3], [4, 3, 2, 1, -3], [1, 0, 3, 3, 5], [-2, 0, 1, 4, 4], [5, 6, 7, 9, -1]]
ONE_BY_ONE_RESULT = [[-10, 6, 4, -10, 6], [8, 6, 4, 2, -6], [2, 0, 6, 6, 10], [-4, 0, 2, 8, 8], [10, 12, 14, 18, -2]]

# Lecture 004, "Why is it called transposed convolution?": z = W' x.
MATRIX_IMAGE = [[1, 2, 3], [6, 5, 3], [1, 4, 1]]
MATRIX_KERNEL = [[1, 2], [2, 1]]
MATRIX_RESULT = [[22, 21], [22, 20]]
MATRIX_W_PRIME = [
    [1, 2, 0, 2, 1, 0, 0, 0, 0],
    [0, 1, 2, 0, 2, 1, 0, 0, 0],
    [0, 0, 0, 1, 2, 0, 2, 1, 0],
    [0, 0, 0, 0, 1, 2, 0, 2, 1],
]
TRANSPOSED_INPUT = [[1, 2], [2, 4]]
TRANSPOSED_RESULT = [[1, 4, 4], [4, 13, 10], [4, 10, 4]]


def mean_filter_image():
    f = np.zeros((10, 10))
    f[2:7, 3:8] = 90
    f[5, 4] = 0
    f[8, 2] = 90
    return f


def test_corr2d_binary_image_example():
    np.testing.assert_array_equal(corr2d(BINARY_IMAGE, X_KERNEL), X_RESULT)


def test_conv2d_binary_image_example():
    out = conv2d(np.array(BINARY_IMAGE)[None, None], np.array(X_KERNEL)[None, None])
    np.testing.assert_array_equal(out[0, 0], X_RESULT)


def test_corr2d_mean_filter_example_is_exact():
    g = corr2d(mean_filter_image(), np.ones((3, 3)) / 9)
    np.testing.assert_array_equal(g, MEAN_FILTER_G)


def test_conv2d_one_by_one_example():
    out = conv2d(np.array(ONE_BY_ONE_IMAGE)[None], [[[[2]]]])
    np.testing.assert_array_equal(out[0], ONE_BY_ONE_RESULT)


def test_conv_matrix_worked_example():
    matrix = conv_matrix(MATRIX_KERNEL, (3, 3))
    np.testing.assert_array_equal(matrix, MATRIX_W_PRIME)
    z = matrix @ np.ravel(MATRIX_IMAGE)
    np.testing.assert_array_equal(z.reshape(2, 2), MATRIX_RESULT)
    np.testing.assert_array_equal(corr2d(MATRIX_IMAGE, MATRIX_KERNEL), MATRIX_RESULT)


def test_conv_matrix_transpose_worked_example():
    up = conv_matrix(MATRIX_KERNEL, (3, 3)).T @ np.ravel(TRANSPOSED_INPUT)
    np.testing.assert_array_equal(up.reshape(3, 3), TRANSPOSED_RESULT)


def test_receptive_field_seed_examples():
    # Three 3x3 layers see as far as one 7x7 layer (lecture 003).
    assert receptive_field([(3, 1)] * 3) == 7
    assert receptive_field([(7, 1)]) == 7
    for n_layers, kernel in itertools.product(range(0, 6), [1, 2, 3, 5]):
        assert receptive_field([(kernel, 1)] * n_layers) == 1 + n_layers * (kernel - 1)


# ----------------------------------------------------------------------------------------------
# corr2d
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, kernel_shape", [((5, 7), (3, 2)), ((8, 6), (1, 1)), ((4, 9), (4, 4)), ((6, 6), (6, 1))])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_corr2d_matches_torch(shape, kernel_shape, dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape).astype(dtype)
    k = rng.standard_normal(kernel_shape).astype(dtype)
    out = corr2d(x, k)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, torch_conv2d(x[None, None], k[None, None])[0, 0], **TOLERANCE[dtype])


def test_corr2d_dtypes():
    assert corr2d(np.ones((3, 3), dtype=int), np.ones((2, 2), dtype=int)).dtype == np.float64
    assert corr2d(np.ones((3, 3), np.float32), np.ones((2, 2), np.float64)).dtype == np.float64
    assert corr2d(np.ones((3, 3), np.float32), np.ones((2, 2), np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "x, k, match",
    [
        (np.ones((3, 3, 1)), np.ones((2, 2)), r"x: expected a 2-D array .* got shape \(3, 3, 1\)"),
        (np.ones(3), np.ones((2, 2)), "x: expected a 2-D array"),
        (np.ones((3, 3)), np.ones(2), r"k: expected a 2-D array .* got shape \(2,\)"),
        (np.ones((3, 3)), np.ones((4, 2)), r"k: the kernel \(4, 2\) is larger than the image x \(3, 3\)"),
        (np.ones((3, 3)), np.ones((2, 4)), "k: the kernel .* larger"),
        ("abc", np.ones((2, 2)), "x: expected an array of numbers"),
    ],
)
def test_corr2d_bad_input(x, k, match):
    with pytest.raises(ValueError, match=match):
        corr2d(x, k)


# ----------------------------------------------------------------------------------------------
# conv2d against torch
# ----------------------------------------------------------------------------------------------

# (stride, padding, dilation): ints and pairs, every kind of padding, and combinations of them.
GEOMETRIES = [
    (1, 0, 1),
    (1, 1, 1),
    (2, 0, 1),
    (2, 1, 1),
    (3, 2, 1),
    ((2, 1), (0, 2), 1),
    ((1, 3), 1, (2, 1)),
    (1, 0, 2),
    (2, 2, (1, 3)),
    (1, "valid", 1),
    (2, "valid", 2),
    (1, "same", 1),
    (1, "same", 2),
    (1, "same", (1, 2)),
    ([1, 1], "same", [3, 1]),
]

# (N, C_in, H, W, C_out, kH, kW, groups): odd and even, square and not, grouped and depthwise.
LAYERS = [
    (2, 3, 9, 7, 4, 3, 3, 1),
    (1, 2, 8, 10, 3, 2, 4, 1),
    (3, 4, 7, 8, 6, 3, 2, 2),
    (2, 4, 6, 9, 4, 1, 3, 4),
    (1, 1, 10, 5, 1, 5, 1, 1),
]


@pytest.mark.parametrize("stride, padding, dilation", GEOMETRIES)
@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: "x".join(map(str, layer)))
def test_conv2d_matches_torch(layer, stride, padding, dilation):
    n, c_in, h, w, c_out, kh, kw, groups = layer
    rng = np.random.default_rng(8)
    x = rng.standard_normal((n, c_in, h, w))
    weight = rng.standard_normal((c_out, c_in // groups, kh, kw))
    bias = rng.standard_normal(c_out)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    torch_kwargs = {key: tuple(v) if isinstance(v, list) else v for key, v in kwargs.items()}
    try:
        expected = torch_conv2d(x, weight, bias, **torch_kwargs)
    except RuntimeError:  # torch refuses (kernel larger than the padded input): so must we
        with pytest.raises(ValueError, match="kernel"):
            conv2d(x, weight, bias, **kwargs)
        return
    out = conv2d(x, weight, bias, **kwargs)
    assert out.shape == expected.shape and out.dtype == np.float64
    np.testing.assert_allclose(out, expected, **TOLERANCE[np.float64])
    # Without bias, and for one unbatched image.
    no_bias = torch_conv2d(x, weight, **torch_kwargs)
    np.testing.assert_allclose(conv2d(x, weight, **kwargs), no_bias, **TOLERANCE[np.float64])
    np.testing.assert_allclose(conv2d(x[0], weight, bias, **kwargs), expected[0], **TOLERANCE[np.float64])


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 1, 1, 1), (2, 0, 1, 1), (1, "same", 2, 2), ((2, 1), (1, 0), 1, 4)])
def test_conv2d_float32_stays_float32(stride, padding, dilation, groups):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 4, 11, 8)).astype(np.float32)
    weight = rng.standard_normal((8, 4 // groups, 3, 3)).astype(np.float32)
    bias = rng.standard_normal(8).astype(np.float32)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    out = conv2d(x, weight, bias, **kwargs)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, torch_conv2d(x, weight, bias, **kwargs), **TOLERANCE[np.float32])


@pytest.mark.parametrize("images_per_chunk", [1, 2, 5])
def test_conv2d_builds_im2col_in_chunks(monkeypatch, images_per_chunk):
    # Large batches are processed a few images at a time; the result must not depend on it.
    rng = np.random.default_rng(10)
    x = rng.standard_normal((5, 4, 9, 8))
    weight, bias = rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    bytes_per_image = 4 * 3 * 2 * 5 * 7 * x.itemsize  # C_in * kH * kW * H_out * W_out (stride 2, 1)
    monkeypatch.setattr(course_lib.convolution, "_IM2COL_CHUNK_BYTES", images_per_chunk * bytes_per_image)
    kwargs = dict(stride=(2, 1), padding=(1, 0), groups=2)
    expected = torch_conv2d(x, weight, bias, **kwargs)
    np.testing.assert_allclose(conv2d(x, weight, bias, **kwargs), expected, rtol=1e-10, atol=1e-10)


def test_conv2d_dtype_rules():
    x, weight = np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2))
    assert conv2d(x.astype(int), weight.astype(int)).dtype == np.float64
    assert conv2d(x.astype(np.float32), weight).dtype == np.float64
    assert conv2d(x.astype(np.float32), weight.astype(np.float32), np.zeros(1, np.float64)).dtype == np.float64
    assert conv2d(x.astype(np.float32), weight.astype(np.float32), np.zeros(1, np.float32)).dtype == np.float32
    np.testing.assert_array_equal(conv2d([[[1, 2], [3, 4]]], [[[[1, 1], [1, 1]]]]), [[[10.0]]])


def test_conv2d_same_padding_puts_the_extra_pixel_after():
    # An even kernel under "same" needs one pixel of padding per axis; torch puts it at the
    # bottom/right. So a 2x2 kernel that only keeps its top-left tap returns the image unchanged
    # (with the pixel before, the output would be shifted down and right by one).
    x = np.random.default_rng(9).standard_normal((1, 1, 4, 5))
    weight = np.zeros((1, 1, 2, 2))
    weight[0, 0, 0, 0] = 1
    out = conv2d(x, weight, padding="same")
    np.testing.assert_array_equal(out, torch_conv2d(x, weight, padding="same"))
    np.testing.assert_array_equal(out, x)


def test_conv2d_does_not_modify_inputs():
    rng = np.random.default_rng(3)
    x, weight, bias = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    copies = [a.copy() for a in (x, weight, bias)]
    conv2d(x, weight, bias, padding=1)
    conv2d(x[0], weight, bias, padding="same")
    for original, copy in zip((x, weight, bias), copies):
        np.testing.assert_array_equal(original, copy)


def test_conv2d_returns_a_fresh_array():
    x = np.ones((1, 1, 3, 3))
    out = conv2d(x, np.ones((1, 1, 1, 1)))
    out[...] = 5
    np.testing.assert_array_equal(x, 1)


def test_conv2d_one_by_one_is_a_channel_mix():
    # A 1x1 convolution is a fully connected layer applied at every pixel (lecture 002).
    rng = np.random.default_rng(4)
    x, weight = rng.standard_normal((2, 3, 5, 4)), rng.standard_normal((6, 3, 1, 1))
    expected = np.einsum("oc,nchw->nohw", weight[:, :, 0, 0], x)
    np.testing.assert_allclose(conv2d(x, weight), expected, rtol=1e-12)


X4 = np.ones((2, 4, 6, 6))
W4 = np.ones((6, 4, 3, 3))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(x=np.ones((6, 6))), r"x: expected a 4-D \(N, C, H, W\) or 3-D \(C, H, W\) array, got shape \(6, 6\)"),
        (dict(x=np.ones((1, 1, 4, 6, 6))), "x: expected a 4-D"),
        (dict(weight=np.ones((3, 3))), r"weight: expected a 4-D array \(C_out, C_in/groups, kH, kW\), got shape \(3, 3\)"),
        (dict(weight=np.ones((6, 3, 3, 3))), r"weight: expected C_in/groups = 4 input channels .*x has 4 channels.* got 3"),
        (dict(weight=np.ones((6, 2, 3, 3)), groups=2), None),  # valid: checked below
        (dict(weight=np.ones((6, 4, 3, 3)), groups=2), r"weight: expected C_in/groups = 2 .* got 4"),
        (dict(weight=np.ones((6, 1, 3, 3)), groups=3), r"groups: x has 4 channels, which is not divisible by groups=3"),
        (dict(weight=np.ones((5, 2, 3, 3)), groups=2), r"groups: weight has C_out=5 filters, which is not divisible by groups=2"),
        (dict(groups=0), "groups: expected an int >= 1"),
        (dict(bias=np.ones(5)), r"bias: expected shape \(6,\) for C_out=6, got \(5,\)"),
        (dict(bias=np.ones((6, 1))), r"bias: expected a 1-D array"),
        (dict(stride=0), "stride: expected an int >= 1"),
        (dict(stride=(1, 0)), "stride: expected an int >= 1"),
        (dict(stride=1.5), "stride: expected an int >= 1"),
        (dict(dilation=0), "dilation: expected an int >= 1"),
        (dict(padding=-1), "padding: expected an int >= 0"),
        (dict(padding=(1, -1)), "padding: expected an int >= 0"),
        (dict(padding="full"), "padding: expected an int >= 0, a pair of them, 'valid' or 'same', got 'full'"),
        (dict(padding=1.0), "padding: expected an int >= 0"),
        (dict(padding="same", stride=2), r"padding: 'same' is only supported with stride 1"),
        (dict(weight=np.ones((6, 4, 7, 3))), r"weight: the \(dilated\) kernel covers 7x3 pixels, more than the padded input's 6x6"),
        (dict(dilation=(1, 3)), r"kernel covers 3x7 pixels, more than the padded input's 6x6"),
        (dict(weight=np.ones((6, 4, 9, 9)), padding=1), r"padded input's 8x8"),
    ],
)
def test_conv2d_bad_input(kwargs, match):
    arguments = dict(x=X4, weight=W4) | kwargs
    torch_arguments = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()}
    torch_arguments["input"] = torch_arguments.pop("x")
    if match is None:
        np.testing.assert_array_equal(conv2d(**arguments), F.conv2d(**torch_arguments).numpy())
        return
    with pytest.raises(ValueError, match=match):
        conv2d(**arguments)
    if kwargs != dict(stride=1.5) and kwargs != dict(padding=1.0):  # torch errors differ in type there
        with pytest.raises((RuntimeError, ValueError, TypeError)):
            F.conv2d(**torch_arguments)


# ----------------------------------------------------------------------------------------------
# pad2d
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "padding, torch_padding",
    [
        (0, (0, 0, 0, 0)),
        (2, (2, 2, 2, 2)),
        ((1, 3), (3, 3, 1, 1)),
        ([0, 2], (2, 2, 0, 0)),
        ((1, 2, 3, 0), (1, 2, 3, 0)),
        ((0, 0, 0, 4), (0, 0, 0, 4)),
        ((-1, 2, 1, -2), (-1, 2, 1, -2)),
        ((-2, -2, 0, 0), (-2, -2, 0, 0)),
        ((0, -5, -3, 0), (0, -5, -3, 0)),
    ],
)
@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 5), (2, 1, 3, 5), (1, 2, 2, 3, 5)])
def test_pad2d_matches_torch(padding, torch_padding, shape):
    x = np.random.default_rng(5).standard_normal(shape)
    for value in (0.0, -1.5):
        out = pad2d(x, padding, value=value)
        expected = F.pad(torch.from_numpy(x), torch_padding, mode="constant", value=value).numpy()
        assert out.shape == expected.shape
        np.testing.assert_array_equal(out, expected)


def test_pad2d_dtypes_and_fill_values():
    assert pad2d(np.ones((2, 2), np.float32), 1).dtype == np.float32
    assert pad2d(np.ones((2, 2), int), 1).dtype == np.float64
    out = pad2d(np.ones((1, 2, 2), np.float32), 1, value=-np.inf)
    assert out.dtype == np.float32 and out[0, 0, 0] == -np.inf and out[0, 1, 1] == 1


def test_pad2d_returns_a_new_array_and_leaves_x_alone():
    x = np.arange(6.0).reshape(2, 3)
    out = pad2d(x, 0)
    out[...] = 0
    np.testing.assert_array_equal(x, np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize(
    "x, padding, value, match",
    [
        (np.ones(3), 1, 0.0, r"x: expected an array with at least 2 axes \(\.\.\., H, W\), got shape \(3,\)"),
        (np.ones((3, 3)), (1, 2, 3), 0.0, r"padding: expected an int, a pair \(pad_h, pad_w\) or a 4-tuple"),
        (np.ones((3, 3)), 1.0, 0.0, "padding: expected an int"),
        (np.ones((3, 3)), True, 0.0, "padding: expected an int"),
        (np.ones((3, 3)), "same", 0.0, "padding: expected an int"),
        (np.ones((3, 3)), (-2, -2, 0, 0), 0.0, "padding: cannot crop 4 pixels from a width of 3"),
        (np.ones((3, 4)), (0, 0, -4, 0), 0.0, "padding: cannot crop 4 pixels from a height of 3"),
        (np.ones((3, 3)), 1, "zero", "value: expected a real number"),
        (np.ones((3, 3)), 1, None, "value: expected a real number"),
    ],
)
def test_pad2d_bad_input(x, padding, value, match):
    with pytest.raises(ValueError, match=match):
        pad2d(x, padding, value=value)


# ----------------------------------------------------------------------------------------------
# conv_output_size and same_padding
# ----------------------------------------------------------------------------------------------


def test_conv_output_size_matches_torch_shapes():
    for n, k, s, p, d in itertools.product([5, 6, 7, 12], [1, 2, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2]):
        if d * (k - 1) + 1 > n + 2 * p:
            continue
        x, weight = torch.zeros(1, 1, n, n + 1), torch.zeros(1, 1, k, k)
        shape = F.conv2d(x, weight, stride=s, padding=p, dilation=d).shape
        assert conv_output_size(n, k, s, p, d) == shape[2]
        assert conv_output_size((n, n + 1), k, s, p, d) == tuple(shape[2:])
        expected = math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1
        assert conv_output_size(n, k, s, p, d) == expected
        if (n + 2 * p - d * (k - 1) - 1) % s == 0:
            assert conv_output_size(n, k, s, p, d, exact=True) == expected


def test_conv_output_size_slide_formula():
    # (N - F)/S + 1 and (N + 2P - F)/S + 1 from lecture 003, and U-Net's 572 -> 570 (lecture 002).
    assert conv_output_size(7, 3, stride=1) == 5
    assert conv_output_size(7, 3, stride=2) == 3
    assert conv_output_size(32, 5, padding=2) == 32
    assert conv_output_size(572, 3) == 570


def test_conv_output_size_pairs():
    assert conv_output_size((10, 7), 3) == (8, 5)
    assert conv_output_size(10, (3, 1)) == (8, 10)
    assert conv_output_size(10, 3, stride=[2, 1], padding=(1, 0), dilation=(1, 2)) == (5, 6)
    assert isinstance(conv_output_size(10, 3), int)


def test_conv_output_size_exact_reports_the_fraction():
    with pytest.raises(ValueError, match=r"fractions are illegal.*off by 1/2 of a stride") as error:
        conv_output_size(6, 3, stride=2, exact=True)
    assert "3/2" in str(error.value)
    with pytest.raises(ValueError, match=r"\(axis 1\).*8/3 .*fractions are illegal.*off by 2/3"):
        conv_output_size((9, 9), 3, stride=(2, 3), padding=(0, 1), exact=True)
    assert conv_output_size(6, 3, stride=2) == 2  # floors silently, like PyTorch, by default


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((5, 7), {}, r"kernel_size: the \(dilated\) kernel covers 7 pixels but the padded input has only 5"),
        ((5, 3), dict(dilation=3), "kernel covers 7 pixels"),
        (((5, 9), 7), {}, r"kernel_size \(axis 0\)"),
        ((0, 1), {}, "n: expected an int >= 1"),
        ((5, 0), {}, "kernel_size: expected an int >= 1"),
        ((5, 3), dict(stride=0), "stride: expected an int >= 1"),
        ((5, 3), dict(padding=-1), "padding: expected an int >= 0"),
        ((5, 3), dict(dilation=(1, 0)), "dilation: expected an int >= 1"),
        ((5.0, 3), {}, "n: expected an int >= 1"),
        (((5, 5, 5), 3), {}, "n: expected an int >= 1 or a pair"),
    ],
)
def test_conv_output_size_bad_input(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv_output_size(*args, **kwargs)


def test_same_padding_gives_ceil_n_over_s_outputs_with_the_least_padding():
    for n, k, s, d in itertools.product(range(1, 13), [1, 2, 3, 4, 5], [1, 2, 3], [1, 2]):
        before, after = same_padding(n, k, s, d)
        total = before + after
        assert after - before in (0, 1)
        wanted = math.ceil(n / s)
        x = torch.zeros(1, 1, n + total, 1)
        assert F.conv2d(x, torch.zeros(1, 1, k, 1), stride=s, dilation=d).shape[2] == wanted
        if total > 0:  # one pixel less would lose the last output
            assert (n + total - 1 - d * (k - 1) - 1) // s + 1 < wanted


def test_same_padding_stride_one_matches_torch_same():
    rng = np.random.default_rng(6)
    for n, k, d in itertools.product([5, 6], [1, 2, 3, 4], [1, 2]):
        x, weight = rng.standard_normal((1, 1, n, n)), rng.standard_normal((1, 1, k, k))
        before, after = same_padding(n, k, 1, d)
        padded = F.pad(torch.from_numpy(x), (before, after, before, after))
        expected = F.conv2d(padded, torch.from_numpy(weight), dilation=d).numpy()
        np.testing.assert_allclose(torch_conv2d(x, weight, padding="same", dilation=d), expected, rtol=1e-12)
        np.testing.assert_allclose(conv2d(x, weight, padding="same", dilation=d), expected, rtol=1e-12)


def test_same_padding_fixes_the_slide_formula():
    # Lecture 003 pads S*ceil(N/S) - N; for N=5, S=2, F=3 that is 1, which gives 2 outputs, not 3.
    n, k, s = 5, 3, 2
    slide_total = s * math.ceil(n / s) - n
    assert conv_output_size(n + slide_total, k, s) == 2
    assert same_padding(n, k, s) == (1, 1)
    assert conv_output_size(n + sum(same_padding(n, k, s)), k, s) == 3
    # The lecture's odd/even rule at stride 1: (F-1)/2 on both sides, or F/2 - 1 and F/2.
    assert same_padding(10, 5) == (2, 2)
    assert same_padding(10, 4) == (1, 2)


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, 3), "n: expected an int >= 1"),
        ((5, 0), "kernel_size: expected an int >= 1"),
        ((5, 3, 0), "stride: expected an int >= 1"),
        ((5, 3, 1, 0), "dilation: expected an int >= 1"),
        ((5, (3, 3)), "kernel_size: expected an int >= 1"),
    ],
)
def test_same_padding_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        same_padding(*args)


# ----------------------------------------------------------------------------------------------
# conv_matrix
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("input_shape, kernel_shape", [((5, 7), (3, 2)), ((6, 6), (3, 3)), ((4, 9), (1, 4)), ((7, 5), (4, 4))])
@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (1, 1), (2, 1), ((1, 3), (2, 0)), (3, 2)])
def test_conv_matrix_is_conv2d_and_its_transpose_is_conv_transpose2d(input_shape, kernel_shape, stride, padding):
    rng = np.random.default_rng(7)
    x, kernel = rng.standard_normal(input_shape), rng.standard_normal(kernel_shape)
    matrix = conv_matrix(kernel, input_shape, stride=stride, padding=padding)
    expected = torch_conv2d(x[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    assert matrix.shape == (expected.size, x.size)
    np.testing.assert_allclose(matrix @ x.ravel(), expected.ravel(), rtol=1e-12, atol=1e-12)
    if stride == 1 and padding == 0:
        np.testing.assert_allclose(matrix @ x.ravel(), corr2d(x, kernel).ravel(), rtol=1e-12, atol=1e-12)

    # The transpose is the transposed convolution. Its natural output size is (H_out-1)s - 2p + k,
    # which misses input_shape by the pixels the forward pass ignored; output_padding adds them.
    y = rng.standard_normal(expected.shape)
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    extra = (
        (input_shape[0] + 2 * ph - kernel_shape[0]) % sh,
        (input_shape[1] + 2 * pw - kernel_shape[1]) % sw,
    )
    y_tensor, kernel_tensor = torch.from_numpy(y[None, None]), torch.from_numpy(kernel[None, None])
    transposed = F.conv_transpose2d(y_tensor, kernel_tensor, stride=stride, padding=padding, output_padding=extra)
    transposed = transposed.numpy()[0, 0]
    assert transposed.shape == input_shape
    back = (matrix.T @ y.ravel()).reshape(input_shape)
    np.testing.assert_allclose(back, transposed, rtol=1e-12, atol=1e-12)


def test_conv_matrix_dtype_and_int_shape():
    assert conv_matrix(np.ones((2, 2), np.float32), 4).dtype == np.float32
    assert conv_matrix(np.ones((2, 2), int), (4, 4)).dtype == np.float64
    assert conv_matrix(np.ones((2, 2)), 4).shape == (9, 16)


@pytest.mark.parametrize(
    "kernel, input_shape, kwargs, match",
    [
        (np.ones((1, 2, 2)), (3, 3), {}, r"kernel: expected a 2-D array \(kH, kW\), got shape \(1, 2, 2\)"),
        (np.ones((2, 2)), (3, 3, 3), {}, "input_shape: expected an int >= 1 or a pair"),
        (np.ones((2, 2)), (0, 3), {}, "input_shape: expected an int >= 1"),
        (np.ones((4, 2)), (3, 3), {}, r"kernel_size \(axis 0\): the \(dilated\) kernel covers 4 pixels"),
        (np.ones((2, 2)), (3, 3), dict(stride=0), "stride: expected an int >= 1"),
        (np.ones((2, 2)), (3, 3), dict(padding=-1), "padding: expected an int >= 0"),
    ],
)
def test_conv_matrix_bad_input(kernel, input_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv_matrix(kernel, input_shape, **kwargs)


# ----------------------------------------------------------------------------------------------
# receptive_field
# ----------------------------------------------------------------------------------------------


def measured_receptive_field(layers, size=64):
    """The side of the box of input pixels with a non-zero gradient for one central output.

    Linear convolutions with positive weights: no gradient can cancel, so the box is exactly the
    set of pixels the output depends on.
    """
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(1, 1, size, size, dtype=torch.float64, generator=generator, requires_grad=True)
    out = x
    for layer in layers:
        kernel, stride, dilation = (tuple(layer) + (1,))[:3]
        weight = 0.5 + torch.rand(1, 1, kernel, kernel, dtype=torch.float64, generator=generator)
        out = F.conv2d(out, weight, stride=stride, dilation=dilation)
    h, w = out.shape[2:]
    out[0, 0, h // 2, w // 2].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    assert rows.min() > 0 and cols.min() > 0 and rows.max() < size - 1 and cols.max() < size - 1
    assert rows.max() - rows.min() == cols.max() - cols.min()
    return int(rows.max() - rows.min() + 1)


@pytest.mark.parametrize(
    "layers",
    [
        [(3, 1)],
        [(3, 1), (3, 1), (3, 1)],
        [(5, 1), (2, 2), (3, 1)],
        [(3, 2), (3, 2), (3, 2)],
        [(7, 2), (3, 2), (3, 1), (1, 1)],
        [(3, 1, 2), (3, 1, 4), (3, 1, 8)],  # dilations 2, 4, 8: the field grows exponentially
        [(2, 2), (3, 1, 2), (4, 3)],
        [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)],
    ],
)
def test_receptive_field_matches_torch_gradients(layers):
    assert receptive_field(layers) == measured_receptive_field(layers)


def test_receptive_field_formula_and_forms():
    assert receptive_field([]) == 1
    assert receptive_field(((3, 2), [3, 2, 1])) == 1 + 2 + 2 * 2
    assert receptive_field([(3, 1, 2)]) == 5


@pytest.mark.parametrize(
    "layers, match",
    [
        ((3, 1), r"layers\[0\]: expected \(kernel, stride\) or \(kernel, stride, dilation\), got 3"),
        ([(3,)], r"layers\[0\]: expected \(kernel, stride\)"),
        ([(3, 1), (3, 1, 1, 1)], r"layers\[1\]: expected"),
        ([(0, 1)], r"layers\[0\] kernel: expected an int >= 1"),
        ([(3, 1), (3, 0)], r"layers\[1\] stride: expected an int >= 1"),
        ([(3, 1, 0)], r"layers\[0\] dilation: expected an int >= 1"),
        ([(3.0, 1)], r"layers\[0\] kernel"),
        ("3x3", "layers: expected a list"),
    ],
)
def test_receptive_field_bad_input(layers, match):
    with pytest.raises(ValueError, match=match):
        receptive_field(layers)
