"""Tests for course_lib.pooling: every function against torch.nn.functional."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.pooling import (
    avg_pool2d,
    global_avg_pool2d,
    max_pool2d,
    max_pool2d_backward,
    max_unpool2d,
    min_pool2d,
    pool_output_size,
)

TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}

# Batched and unbatched, odd and even, non-square; the last one is narrower than most windows.
SHAPES = [(2, 3, 7, 9), (1, 2, 8, 6), (3, 6, 5), (1, 1, 4, 3)]
KERNELS = [1, 2, 3, (2, 3), (3, 1)]
STRIDES = [None, 1, 2, (1, 2), 3]
PADDINGS = [0, 1, (1, 0), (0, 1)]
DILATIONS = [1, 2, (1, 2)]


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    """Many tiny torch calls: one thread avoids thread-pool overhead on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _torch_or_error(function, *args, **kwargs):
    """torch's result as numpy arrays, or None if torch refuses the arguments."""
    try:
        result = function(*args, **kwargs)
    except (RuntimeError, ValueError):
        return None
    if isinstance(result, tuple):
        return tuple(r.detach().numpy() for r in result)
    return result.detach().numpy()


def _images(rng, shape, dtype, ties=False):
    """Random images; with `ties`, small integers so that windows often hold equal maxima."""
    if ties:
        return rng.integers(-2, 3, size=shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# Worked examples from the slides
# ---------------------------------------------------------------------------------------------


def test_max_pool_slide_example():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=float)
    np.testing.assert_array_equal(max_pool2d(x[None], 2, stride=2)[0], [[6, 8], [3, 4]])


def test_max_unpool_slide_example():
    x = np.array([[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]], dtype=float)
    _, indices = max_pool2d(x[None, None], 2, return_indices=True)
    out = max_unpool2d(np.array([[[[1.0, 2], [3, 4]]]]), indices, 2)
    np.testing.assert_array_equal(out[0, 0], [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]])


# ---------------------------------------------------------------------------------------------
# max_pool2d, min_pool2d
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_max_pool_matches_torch(shape, dtype, ceil_mode):
    rng = np.random.default_rng(0)
    x = _images(rng, shape, dtype, ties=True)
    compared = 0
    for kernel, stride, padding, dilation in itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS):
        arguments = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                         ceil_mode=ceil_mode)
        expected = _torch_or_error(F.max_pool2d, _t(x), return_indices=True, **arguments)
        if expected is None:
            with pytest.raises(ValueError):
                max_pool2d(x, **arguments)
            continue
        values, indices = max_pool2d(x, return_indices=True, **arguments)
        assert values.dtype == dtype and indices.dtype == np.int64
        np.testing.assert_array_equal(values, expected[0], err_msg=str(arguments))
        np.testing.assert_array_equal(indices, expected[1], err_msg=str(arguments))
        np.testing.assert_array_equal(max_pool2d(x, **arguments), expected[0])
        compared += 1
    assert compared > 100


@pytest.mark.parametrize("shape", SHAPES[:3])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_min_pool_is_negated_max_pool_of_negated_input(shape, ceil_mode):
    rng = np.random.default_rng(1)
    x = _images(rng, shape, np.float64, ties=True)
    for kernel, stride, padding, dilation in itertools.product(KERNELS, STRIDES[:3], PADDINGS[:2], DILATIONS[:2]):
        arguments = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation,
                         ceil_mode=ceil_mode)
        expected = _torch_or_error(F.max_pool2d, -_t(x), return_indices=True, **arguments)
        if expected is None:
            with pytest.raises(ValueError):
                min_pool2d(x, **arguments)
            continue
        values, indices = min_pool2d(x, return_indices=True, **arguments)
        np.testing.assert_array_equal(values, -expected[0])
        np.testing.assert_array_equal(indices, expected[1])
        np.testing.assert_array_equal(min_pool2d(x, **arguments), -expected[0])


@pytest.mark.parametrize("pool", [max_pool2d, min_pool2d])
def test_nan_wins_the_window_as_in_torch(pool):
    rng = np.random.default_rng(2)
    x = _images(rng, (2, 3, 9, 8), np.float64, ties=True)
    x[rng.random(x.shape) < 0.15] = np.nan
    sign = 1 if pool is max_pool2d else -1
    for kernel, stride, padding in [(2, None, 0), (3, 2, 1), ((2, 3), 1, (1, 0)), (3, 3, 1)]:
        expected = F.max_pool2d(sign * _t(x), kernel, stride, padding, ceil_mode=True,
                                return_indices=True)
        values, indices = pool(x, kernel, stride, padding, ceil_mode=True, return_indices=True)
        np.testing.assert_array_equal(values, sign * expected[0].numpy())
        np.testing.assert_array_equal(indices, expected[1].numpy())
    assert np.isnan(values).any()


def test_infinite_inputs_and_windows_made_of_padding_give_torch_indices():
    # A window of -inf pixels reports its first pixel inside the image; with dilation 3 and
    # padding 1 some windows hold padding only, and torch reports a position past the image.
    x = np.full((1, 2, 4, 5), -np.inf)
    x[0, 1, 1:3, 2:4] = np.inf
    for kernel, stride, padding, dilation in [(2, 1, 1, 1), (3, 2, 1, 1), (2, 1, 1, 3), ((1, 2), 1, (0, 1), (1, 4))]:
        expected = F.max_pool2d(_t(x), kernel, stride, padding, dilation, return_indices=True)
        values, indices = max_pool2d(x, kernel, stride, padding, dilation, return_indices=True)
        np.testing.assert_array_equal(values, expected[0].numpy())
        np.testing.assert_array_equal(indices, expected[1].numpy())


def test_max_pool_large_input_in_one_call():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 16, 33, 40)).astype(np.float32)
    for kernel, stride, padding in [(2, 2, 0), (3, 2, 1)]:
        expected = F.max_pool2d(_t(x), kernel, stride, padding, return_indices=True)
        values, indices = max_pool2d(x, kernel, stride, padding, return_indices=True)
        np.testing.assert_array_equal(values, expected[0].numpy())
        np.testing.assert_array_equal(indices, expected[1].numpy())


# ---------------------------------------------------------------------------------------------
# avg_pool2d, global_avg_pool2d
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_avg_pool_matches_torch(shape, dtype):
    rng = np.random.default_rng(4)
    x = _images(rng, shape, dtype)
    compared = 0
    for kernel, stride, padding, ceil_mode, include in itertools.product(
        KERNELS, STRIDES, PADDINGS, [False, True], [True, False]
    ):
        arguments = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode,
                         count_include_pad=include)
        expected = _torch_or_error(F.avg_pool2d, _t(x), **arguments)
        if expected is None:
            with pytest.raises(ValueError):
                avg_pool2d(x, **arguments)
            continue
        out = avg_pool2d(x, **arguments)
        assert out.dtype == dtype and out.shape == expected.shape
        np.testing.assert_allclose(out, expected, **TOLERANCE[dtype], err_msg=str(arguments))
        compared += 1
    assert compared > 100


@pytest.mark.parametrize("size", range(1, 12))
def test_avg_pool_divisor_in_ceil_mode_corners(size):
    # Windows that hang over the padding in ceil mode: the divisor counts the padding they
    # cover but not what lies past it. Ones make every divisor visible in the output.
    x = np.ones((1, 1, size, size + 1))
    for kernel, stride, padding in itertools.product([2, 3, 4, 5], [1, 2, 3, 4], [0, 1, 2]):
        for include in [True, False]:
            arguments = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=True,
                             count_include_pad=include)
            expected = _torch_or_error(F.avg_pool2d, _t(x), **arguments)
            if expected is None:
                with pytest.raises(ValueError):
                    avg_pool2d(x, **arguments)
                continue
            np.testing.assert_allclose(avg_pool2d(x, **arguments), expected, rtol=1e-12,
                                       err_msg=str(arguments))


@pytest.mark.parametrize("shape", [(2, 3, 7, 9), (4, 1, 1, 5), (3, 6, 5), (1, 2, 1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_global_avg_pool_matches_adaptive_avg_pool(shape, dtype):
    x = _images(np.random.default_rng(5), shape, dtype)
    out = global_avg_pool2d(x)
    expected = F.adaptive_avg_pool2d(_t(x), 1).numpy()
    assert out.dtype == dtype and out.shape == expected.shape
    np.testing.assert_allclose(out, expected, **TOLERANCE[dtype])


# ---------------------------------------------------------------------------------------------
# max_unpool2d
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3, 8, 10), (1, 2, 9, 7), (3, 7, 8)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_unpool_matches_torch(shape, dtype):
    rng = np.random.default_rng(6)
    x = _images(rng, shape, dtype)
    for kernel, stride, padding in [(2, None, 0), (3, 2, 1), ((2, 3), (2, 1), (1, 0)), (3, 1, 1), (2, 3, 1)]:
        pooled, indices = F.max_pool2d(_t(x), kernel, stride, padding, return_indices=True)
        # Overlapping windows can share a maximum: its index then appears several times, with
        # the same value (torch leaves the winner among different values unspecified).
        values = 2 * pooled.numpy() + 1
        # Without output_size the default size may be too small for the indices: torch refuses.
        expected = _torch_or_error(F.max_unpool2d, _t(values), indices, kernel, stride, padding)
        if expected is None:
            with pytest.raises(ValueError, match="^indices:"):
                max_unpool2d(values, indices.numpy(), kernel, stride, padding)
        else:
            out = max_unpool2d(values, indices.numpy(), kernel, stride, padding)
            assert out.dtype == dtype
            np.testing.assert_array_equal(out, expected)

        # The size the pooling came from, as (H, W) and as the full shape.
        for output_size in [x.shape[-2:], x.shape if len(shape) == 4 else (1, 1) + x.shape[-2:]]:
            out = max_unpool2d(values, indices.numpy(), kernel, stride, padding, output_size)
            expected = F.max_unpool2d(_t(values), indices, kernel, stride, padding, output_size)
            np.testing.assert_array_equal(out, expected.numpy())
            assert out.shape[-2:] == x.shape[-2:]


def test_max_unpool_output_size_limits_follow_torch():
    values = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    indices = np.array([[[[0, 3], [7, 8]]]])
    for height, width in itertools.product(range(0, 8), repeat=2):
        expected = _torch_or_error(F.max_unpool2d, _t(values), _t(indices), 3, 2, 1, (height, width))
        if expected is None:
            with pytest.raises(ValueError, match="output_size|indices|padding"):
                max_unpool2d(values, indices, 3, 2, 1, (height, width))
        else:
            np.testing.assert_array_equal(max_unpool2d(values, indices, 3, 2, 1, (height, width)), expected)


def test_max_unpool_accepts_other_integer_dtypes():
    values = np.array([[[1.0, 2], [3, 4]]])
    indices = np.array([[[0, 3], [9, 15]]])
    expected = max_unpool2d(values, indices, 2)
    np.testing.assert_array_equal(max_unpool2d(values, indices.astype(np.int32), 2), expected)
    np.testing.assert_array_equal(max_unpool2d(values, indices.astype(np.uint8), 2), expected)


# ---------------------------------------------------------------------------------------------
# pool_output_size
# ---------------------------------------------------------------------------------------------


def test_pool_output_size_matches_torch_shapes():
    for n, kernel, stride, padding, dilation, ceil_mode in itertools.product(
        range(1, 10), [1, 2, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2, 3], [False, True]
    ):
        arguments = (kernel, stride, padding, dilation, ceil_mode)
        # Pool a column of height n: the width axis (kernel 1) always fits.
        expected = _torch_or_error(F.max_pool2d, torch.zeros(1, 1, n, 1), (kernel, 1), (stride, 1),
                                   (padding, 0), (dilation, 1), ceil_mode)
        if expected is None:
            with pytest.raises(ValueError, match="^(kernel_size|padding):"):
                pool_output_size(n, *arguments)
        else:
            assert pool_output_size(n, *arguments) == expected.shape[2], (n, arguments)


@pytest.mark.parametrize(
    "size, kernel, stride, padding, dilation, ceil_mode",
    [
        ((7, 8), 3, 2, 0, 1, False),
        (7, (3, 2), None, 0, 1, False),
        (7, 2, (1, 2), 0, 1, True),
        (7, 2, None, 0, (1, 2), False),
        (7, 2, None, (0, 1), 1, False),
        ((7, 8), (3, 2), (2, 1), (1, 0), (1, 3), True),
    ],
)
def test_pool_output_size_returns_a_pair_for_pair_arguments(size, kernel, stride, padding, dilation,
                                                            ceil_mode):
    height, width = (size, size) if isinstance(size, int) else size
    expected = F.max_pool2d(torch.zeros(1, 1, height, width), kernel, stride, padding, dilation,
                            ceil_mode).shape[2:]
    assert pool_output_size(size, kernel, stride, padding, dilation, ceil_mode) == tuple(expected)


def test_pool_output_size_returns_an_int_for_int_arguments():
    expected = F.max_pool2d(torch.zeros(1, 1, 7, 7), 3, 2, 1, 2, True).shape[2]
    result = pool_output_size(np.int64(7), 3, 2, 1, 2, True)
    assert type(result) is int and result == expected


# ---------------------------------------------------------------------------------------------
# max_pool2d_backward
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 3, 9, 8), (3, 7, 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_backward_matches_autograd(shape, dtype):
    rng = np.random.default_rng(7)
    x = _images(rng, shape, dtype, ties=True)
    for kernel, stride, padding, dilation, ceil_mode in [
        (2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 1, 1, 1, False), ((2, 3), (1, 2), (1, 0), 1, True),
        (2, 2, 1, 2, False), (3, 2, 0, (2, 1), True), (1, 2, 0, 1, True), (2, 3, 1, 1, True),
    ]:
        arguments = (kernel, stride, padding, dilation, ceil_mode)
        xt = _t(x).requires_grad_()
        out = F.max_pool2d(xt, *arguments)
        dout = _images(rng, tuple(out.shape), dtype)
        out.backward(_t(dout))
        dx = max_pool2d_backward(dout, x, *arguments)
        assert dx.dtype == dtype and dx.shape == x.shape
        np.testing.assert_allclose(dx, xt.grad.numpy(), **TOLERANCE[dtype], err_msg=str(arguments))


def test_max_pool_backward_ignores_windows_made_of_padding():
    # With dilation 3 and padding 1, some windows hold padding only: their -inf does not depend
    # on x, so they send no gradient. (torch's autograd sends it to the pixel its out-of-image
    # index aliases; we compare on the other windows.)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 4, 2))
    arguments = ((1, 2), 1, (0, 1), (1, 3), False)
    xt = _t(x).requires_grad_()
    out = F.max_pool2d(xt, *arguments)
    assert torch.isinf(out).any()
    dout = rng.standard_normal(tuple(out.shape))
    out.backward(_t(np.where(torch.isinf(out).numpy(), 0.0, dout)))
    np.testing.assert_allclose(max_pool2d_backward(dout, x, *arguments), xt.grad.numpy(), rtol=1e-12)


def test_max_pool_backward_result_dtype():
    x = np.random.default_rng(9).standard_normal((1, 2, 4, 4)).astype(np.float32)
    assert max_pool2d_backward(np.ones((1, 2, 2, 2), np.float32), x, 2).dtype == np.float32
    assert max_pool2d_backward(np.ones((1, 2, 2, 2)), x, 2).dtype == np.float64
    assert max_pool2d_backward(np.ones((1, 2, 2, 2), int), x.astype(int), 2).dtype == np.float64


# ---------------------------------------------------------------------------------------------
# dtypes, layouts, inputs left alone
# ---------------------------------------------------------------------------------------------


def test_integer_input_becomes_float64_and_float32_stays():
    x = np.arange(16).reshape(1, 1, 4, 4)
    for function in [max_pool2d, min_pool2d, avg_pool2d]:
        assert function(x, 2).dtype == np.float64
        assert function(x.astype(np.float32), 2).dtype == np.float32
    assert global_avg_pool2d(x).dtype == np.float64
    assert max_unpool2d(np.ones((1, 1, 2, 2), int), np.zeros((1, 1, 2, 2), int), 2).dtype == np.float64


def test_inputs_are_not_modified():
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 3, 6, 7))
    x[0, 0, 0, 0] = np.nan
    dout = rng.standard_normal((2, 3, 3, 4))
    indices = F.max_pool2d(_t(x), 2, ceil_mode=True, return_indices=True)[1].numpy()
    saved = x.copy(), dout.copy(), indices.copy()
    max_pool2d(x, 2, padding=1, return_indices=True)
    min_pool2d(x, 3, 1, 1, return_indices=True)
    avg_pool2d(x, 3, 2, 1, ceil_mode=True)
    global_avg_pool2d(x)
    max_unpool2d(dout, indices, 2)
    max_pool2d_backward(dout, x, 2, ceil_mode=True)
    for before, after in zip(saved, (x, dout, indices)):
        np.testing.assert_array_equal(before, after)


def test_empty_batch_is_allowed_like_torch():
    x = np.zeros((0, 2, 5, 5), np.float32)
    assert max_pool2d(x, 2).shape == (0, 2, 2, 2)
    assert avg_pool2d(x, 3, 1, 1).shape == (0, 2, 5, 5)
    expected = F.max_unpool2d(_t(x), torch.zeros(x.shape, dtype=torch.long), 2).shape
    assert max_unpool2d(x, np.zeros(x.shape, int), 2).shape == tuple(expected)
    assert max_pool2d_backward(np.zeros((0, 2, 2, 2)), x, 2).shape == x.shape


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

X = np.zeros((1, 2, 6, 6))


@pytest.mark.parametrize("pool", [max_pool2d, min_pool2d, avg_pool2d])
@pytest.mark.parametrize(
    "x, arguments, name",
    [
        (np.zeros((6, 6)), dict(kernel_size=2), "x"),
        (np.zeros((1, 1, 1, 6, 6)), dict(kernel_size=2), "x"),
        (np.zeros((1, 0, 6, 6)), dict(kernel_size=2), "x"),
        (np.zeros((1, 2, 0, 6)), dict(kernel_size=1), "x"),
        (np.zeros((2, 2), complex), dict(kernel_size=1), "x"),
        (X, dict(kernel_size=0), "kernel_size"),
        (X, dict(kernel_size=(2, -1)), "kernel_size"),
        (X, dict(kernel_size=2.0), "kernel_size"),
        (X, dict(kernel_size=(2, 2, 2)), "kernel_size"),
        (X, dict(kernel_size=2, stride=0), "stride"),
        (X, dict(kernel_size=2, stride=(1, 0)), "stride"),
        (X, dict(kernel_size=2, padding=-1), "padding"),
        (X, dict(kernel_size=2, padding=2), "padding"),
        (X, dict(kernel_size=(3, 4), padding=(2, 1)), "padding"),
        (X, dict(kernel_size=7), "kernel_size"),
        (X, dict(kernel_size=(2, 9), padding=1), "kernel_size"),
    ],
)
def test_pooling_bad_input(pool, x, arguments, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        pool(x, **arguments)


@pytest.mark.parametrize(
    "arguments, name",
    [
        (dict(kernel_size=2, dilation=0), "dilation"),
        (dict(kernel_size=3, dilation=3), "kernel_size"),
        (dict(kernel_size=2, padding=1, dilation=(1, 8)), "kernel_size"),
    ],
)
@pytest.mark.parametrize("function", [max_pool2d, min_pool2d])
def test_max_pool_bad_dilation(function, arguments, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        function(X, **arguments)


def test_pool_output_size_bad_input():
    with pytest.raises(ValueError, match="^n:"):
        pool_output_size(0, 2)
    with pytest.raises(ValueError, match="^kernel_size:"):
        pool_output_size(4, 0)
    with pytest.raises(ValueError, match="^kernel_size:"):
        pool_output_size(4, 5)
    with pytest.raises(ValueError, match="^stride:"):
        pool_output_size(4, 2, stride=0)
    with pytest.raises(ValueError, match="^padding:"):
        pool_output_size(4, 2, padding=-1)
    with pytest.raises(ValueError, match="^padding:"):
        pool_output_size(4, 2, padding=2)
    with pytest.raises(ValueError, match="^dilation:"):
        pool_output_size(4, 2, dilation=0)


def test_global_avg_pool_bad_input():
    with pytest.raises(ValueError, match="^x:"):
        global_avg_pool2d(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="^x:"):
        global_avg_pool2d(np.zeros((1, 2, 0, 4)))


VALUES = np.ones((1, 2, 2, 2))
INDICES = np.zeros((1, 2, 2, 2), dtype=np.int64)


@pytest.mark.parametrize(
    "values, indices, arguments, name",
    [
        (np.ones((2, 2)), np.zeros((2, 2), int), dict(kernel_size=2), "x"),
        (VALUES, np.zeros((1, 2, 2, 3), int), dict(kernel_size=2), "indices"),
        (VALUES, np.zeros((2, 2, 2), int), dict(kernel_size=2), "indices"),
        (VALUES, INDICES.astype(float), dict(kernel_size=2), "indices"),
        (VALUES, INDICES.astype(bool), dict(kernel_size=2), "indices"),
        (VALUES, INDICES + 16, dict(kernel_size=2), "indices"),
        (VALUES, INDICES - 1, dict(kernel_size=2), "indices"),
        (VALUES, INDICES + 16, dict(kernel_size=2, output_size=(4, 4)), "indices"),
        (VALUES, INDICES, dict(kernel_size=0), "kernel_size"),
        (VALUES, INDICES, dict(kernel_size=2, stride=0), "stride"),
        (VALUES, INDICES, dict(kernel_size=2, padding=-1), "padding"),
        (VALUES, INDICES, dict(kernel_size=1, padding=1), "padding"),
        (VALUES, INDICES, dict(kernel_size=2, output_size=(6, 4)), "output_size"),
        (VALUES, INDICES, dict(kernel_size=2, output_size=(2, 4)), "output_size"),
        (VALUES, INDICES, dict(kernel_size=2, output_size=(1, 4, 4)), "output_size"),
        (VALUES, INDICES, dict(kernel_size=2, output_size=4), "output_size"),
    ],
)
def test_max_unpool_bad_input(values, indices, arguments, name):
    with pytest.raises(ValueError, match=f"^{name}:"):
        max_unpool2d(values, indices, **arguments)


def test_max_pool_backward_bad_input():
    with pytest.raises(ValueError, match="^dout:"):
        max_pool2d_backward(np.ones((1, 2, 2, 2)), X, 2)
    with pytest.raises(ValueError, match="^dout:"):
        max_pool2d_backward(np.ones((2, 3, 3)), X, 2)
    with pytest.raises(ValueError, match="^dout:"):
        max_pool2d_backward(np.ones((1, 2, 3, 3), complex), X, 2)
    with pytest.raises(ValueError, match="^x:"):
        max_pool2d_backward(np.ones((3, 3)), np.zeros((6, 6)), 2)
    with pytest.raises(ValueError, match="^padding:"):
        max_pool2d_backward(np.ones((1, 2, 3, 3)), X, 2, padding=3)
