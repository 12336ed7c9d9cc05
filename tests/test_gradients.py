"""Tests for course_lib.gradients: conv2d_backward against torch autograd and against finite
differences, and numeric_gradient on functions whose gradients are known."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course_lib.convolution
from course_lib.convolution import conv2d
from course_lib.gradients import conv2d_backward, numeric_gradient

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


def torch_gradients(dout, x, weight, bias, **kwargs):
    """dx, dw, db of sum(conv2d(x, weight, bias) * dout) by torch's autograd."""
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    out = F.conv2d(*tensors, **kwargs)
    out.backward(torch.from_numpy(dout))
    return [t.grad.numpy() for t in tensors]


# (stride, padding, dilation)
GEOMETRIES = [
    (1, 0, 1),
    (1, 1, 1),
    (2, 0, 1),
    (2, 1, 1),
    (3, 2, 1),  # the last rows/columns are never reached: their dx must be zero
    ((2, 1), (0, 2), 1),
    (1, 0, 2),
    ((1, 3), 1, (2, 1)),
    (1, "same", 1),
    (1, "same", (2, 1)),
    (2, "valid", 1),
]

# (N, C_in, H, W, C_out, kH, kW)
LAYERS = [(2, 3, 8, 7, 4, 3, 3), (1, 2, 9, 10, 3, 2, 4), (3, 1, 7, 6, 2, 1, 1), (2, 2, 7, 9, 1, 4, 2)]


@pytest.mark.parametrize("stride, padding, dilation", GEOMETRIES)
@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: "x".join(map(str, layer)))
def test_conv2d_backward_matches_torch_autograd(layer, stride, padding, dilation):
    n, c_in, h, w, c_out, kh, kw = layer
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c_in, h, w))
    weight = rng.standard_normal((c_out, c_in, kh, kw))
    bias = rng.standard_normal(c_out)
    kwargs = dict(stride=stride, padding=padding, dilation=dilation)
    dout = rng.standard_normal(conv2d(x, weight, **kwargs).shape)

    expected = torch_gradients(dout, x, weight, bias, **kwargs)
    for ours, theirs, name in zip(conv2d_backward(dout, x, weight, **kwargs), expected, ("dx", "dw", "db")):
        assert ours.shape == theirs.shape and ours.dtype == np.float64, name
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10, err_msg=name)

    # One unbatched image gives the gradients of the first image of the batch.
    dx, dw, db = conv2d_backward(dout[0], x[0], weight, **kwargs)
    expected = torch_gradients(dout[:1], x[:1], weight, bias, **kwargs)
    assert dx.shape == x[0].shape
    for ours, theirs in zip((dx, dw, db), (expected[0][0], expected[1], expected[2])):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_conv2d_backward_float32():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
    weight = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    bias = np.zeros(5, np.float32)
    dout = rng.standard_normal((2, 5, 5, 4)).astype(np.float32)
    gradients = conv2d_backward(dout, x, weight, stride=2, padding=1)
    for ours, theirs in zip(gradients, torch_gradients(dout, x, weight, bias, stride=2, padding=1)):
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)
    # A float64 upstream gradient makes everything float64.
    assert all(g.dtype == np.float64 for g in conv2d_backward(dout.astype(np.float64), x, weight, 2, 1))


@pytest.mark.parametrize("images_per_chunk", [1, 2])
def test_conv2d_backward_in_chunks(monkeypatch, images_per_chunk):
    # dW sums over the batch chunk by chunk; the result must not depend on the chunk size.
    rng = np.random.default_rng(6)
    x, weight, bias = rng.standard_normal((5, 2, 7, 6)), rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3)
    bytes_per_image = 2 * 3 * 3 * 7 * 6 * x.itemsize  # C_in * kH * kW * H_out * W_out (padding 1)
    monkeypatch.setattr(course_lib.convolution, "_IM2COL_CHUNK_BYTES", images_per_chunk * bytes_per_image)
    dout = rng.standard_normal((5, 3, 7, 6))
    expected = torch_gradients(dout, x, weight, bias, padding=1)
    for ours, theirs in zip(conv2d_backward(dout, x, weight, padding=1), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


def test_conv2d_backward_matches_numeric_gradient():
    rng = np.random.default_rng(2)
    x, weight, bias = rng.standard_normal((2, 2, 5, 6)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    kwargs = dict(stride=(2, 1), padding=1, dilation=(1, 2))
    dout = rng.standard_normal(conv2d(x, weight, bias, **kwargs).shape)
    dx, dw, db = conv2d_backward(dout, x, weight, **kwargs)
    numeric_dx = numeric_gradient(lambda v: conv2d(v, weight, bias, **kwargs), x, dout)
    numeric_dw = numeric_gradient(lambda v: conv2d(x, v, bias, **kwargs), weight, dout)
    numeric_db = numeric_gradient(lambda v: conv2d(x, weight, v, **kwargs), bias, dout)
    np.testing.assert_allclose(dx, numeric_dx, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(dw, numeric_dw, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, numeric_db, rtol=1e-6, atol=1e-8)


def test_conv2d_backward_weight_sharing():
    # With dout all ones, each weight's gradient is the sum of the pixels it touched: every
    # position of the shared kernel contributes (lecture 003, backprop through shared weights).
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    dx, dw, db = conv2d_backward(np.ones((1, 1, 3, 3)), x, np.ones((1, 1, 2, 2)))
    np.testing.assert_array_equal(dw[0, 0], [[x[0, 0, i : i + 3, j : j + 3].sum() for j in range(2)] for i in range(2)])
    np.testing.assert_array_equal(db, [9.0])
    np.testing.assert_array_equal(dx[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_conv2d_backward_does_not_modify_inputs():
    rng = np.random.default_rng(3)
    x, weight = rng.standard_normal((1, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    dout = rng.standard_normal((1, 3, 5, 5))
    copies = [a.copy() for a in (dout, x, weight)]
    conv2d_backward(dout, x, weight, padding=1)
    for original, copy in zip((dout, x, weight), copies):
        np.testing.assert_array_equal(original, copy)


@pytest.mark.parametrize(
    "dout_shape, x_shape, weight_shape, kwargs, match",
    [
        ((1, 3, 4, 3), (1, 2, 6, 6), (3, 2, 3, 3), {}, r"dout: expected the shape of conv2d's output, \(1, 3, 4, 4\)"),
        ((1, 3, 4, 5), (1, 2, 6, 6), (3, 2, 3, 3), {}, r"dout: expected .*\(1, 3, 4, 4\), got \(1, 3, 4, 5\)"),
        ((3, 4, 4), (1, 2, 6, 6), (3, 2, 3, 3), {}, r"dout: expected .*\(1, 3, 4, 4\), got \(3, 4, 4\)"),
        ((1, 3, 4, 4), (2, 6, 6), (3, 2, 3, 3), {}, r"dout: expected .*\(3, 4, 4\), got \(1, 3, 4, 4\)"),
        ((1, 3, 4, 4), (6, 6), (3, 2, 3, 3), {}, "x: expected a 4-D"),
        ((1, 3, 4, 4), (1, 2, 6, 6), (3, 2, 3), {}, "weight: expected a 4-D array"),
        ((1, 3, 4, 4), (1, 2, 6, 6), (3, 1, 3, 3), {}, "weight: expected C_in/groups = 2 input channels"),
        ((1, 3, 4, 4), (1, 2, 6, 6), (3, 2, 3, 3), dict(stride=0), "stride: expected an int >= 1"),
        ((1, 3, 4, 4), (1, 2, 6, 6), (3, 2, 3, 3), dict(padding=-1), "padding: expected an int >= 0"),
        ((1, 3, 4, 4), (1, 2, 6, 6), (3, 2, 3, 3), dict(dilation=4), "kernel covers 9x9 pixels"),
    ],
)
def test_conv2d_backward_bad_input(dout_shape, x_shape, weight_shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        conv2d_backward(np.ones(dout_shape), np.ones(x_shape), np.ones(weight_shape), **kwargs)


# ----------------------------------------------------------------------------------------------
# numeric_gradient
# ----------------------------------------------------------------------------------------------


def test_numeric_gradient_of_scalar_functions():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v**2), x), 2 * x, rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(np.exp(v)), x), np.exp(x), rtol=1e-7)
    a = rng.standard_normal((4, 3))
    # d trace(A v) / dv = A.T
    np.testing.assert_allclose(numeric_gradient(lambda v: np.trace(a @ v), x), a.T, rtol=1e-7, atol=1e-8)
    # A plain Python float works as a scalar too.
    assert numeric_gradient(lambda v: float(v[0] * v[1]), np.array([2.0, 5.0])).tolist() == pytest.approx([5.0, 2.0])


def test_numeric_gradient_with_upstream_gradient():
    rng = np.random.default_rng(5)
    x, dout = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    expected = dout * (1 - np.tanh(x) ** 2)
    np.testing.assert_allclose(numeric_gradient(np.tanh, x, dout), expected, rtol=1e-7, atol=1e-9)
    w = rng.standard_normal((5, 3))
    d_product = rng.standard_normal((2, 3))
    numeric = numeric_gradient(lambda v: v @ w, x, d_product)
    np.testing.assert_allclose(numeric, d_product @ w.T, rtol=1e-7, atol=1e-9)
    # A function returning a scalar may also take a scalar dout.
    np.testing.assert_allclose(numeric_gradient(np.sum, x, dout=2.0), np.full_like(x, 2.0), rtol=1e-8)


def test_numeric_gradient_accuracy_is_second_order():
    # Centred differences: the error of d/dx x^3 is exactly eps^2.
    for eps in (1e-2, 1e-3):
        grad = numeric_gradient(lambda v: np.sum(v**3), np.array([1.0]), eps=eps)
        assert grad[0] - 3.0 == pytest.approx(eps**2, rel=1e-3)


def test_numeric_gradient_keeps_x_and_works_from_float32_and_int():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)
    copy = x.copy()
    grad = numeric_gradient(lambda v: np.sum(v**2), x)
    np.testing.assert_array_equal(x, copy)
    assert grad.shape == x.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * copy, rtol=1e-7)
    np.testing.assert_allclose(numeric_gradient(lambda v: np.sum(v**2), [[1, 2]]), [[2.0, 4.0]], rtol=1e-7)


def test_numeric_gradient_survives_functions_that_modify_their_argument():
    def rude(v):
        v *= 2  # modifies its input in place
        return np.sum(v)

    x = np.ones(3)
    np.testing.assert_allclose(numeric_gradient(rude, x), 2 * np.ones(3), rtol=1e-7)
    np.testing.assert_array_equal(x, np.ones(3))


@pytest.mark.parametrize(
    "f, x, kwargs, match",
    [
        (np.sin, np.ones(3), {}, r"dout: f\(x\) returned an array of shape \(3,\), so dout .* is required"),
        (np.sin, np.ones(3), dict(dout=np.ones(4)), r"dout: expected the shape of f\(x\), \(3,\), got \(4,\)"),
        (np.sum, np.ones(3), dict(eps=0.0), "eps: expected a finite number > 0, got 0.0"),
        (np.sum, np.ones(3), dict(eps=-1e-6), "eps: expected a finite number > 0"),
        ("sum", np.ones(3), {}, "f: expected a function, got 'sum'"),
        (np.sum, "abc", {}, "x: expected an array of numbers"),
    ],
)
def test_numeric_gradient_bad_input(f, x, kwargs, match):
    with pytest.raises(ValueError, match=match):
        numeric_gradient(f, x, **kwargs)
