"""Backpropagation through a convolution layer, and a numerical gradient checker.

Training needs, for a loss ``L`` and the upstream gradient ``dout = dL/d out`` of a layer's
output, the gradients with respect to the layer's input and parameters. For a convolution all
three are again convolutions or sums:

* ``db[o] = sum_{n, y, x} dout[n, o, y, x]``: the bias touches every output pixel of its channel;
* ``dw = dout`` correlated with the input: each weight is shared by all window positions, so its
  gradient sums the contributions of all of them (weight sharing in backprop);
* ``dx``: each input pixel receives ``weight * dout`` from every window that covers it, which
  is a transposed convolution of ``dout`` with the same weights.

`conv2d_backward` computes them with the same im2col matrix as `course_lib.conv2d`;
`numeric_gradient` checks any such formula by finite differences.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, as_real_number, restore_batch
from .convolution import _conv_setup, _im2col_chunks, _windows, conv_output_size

__all__ = ["conv2d_backward", "numeric_gradient"]


def conv2d_backward(dout, x, weight, stride=1, padding=0, dilation=1):
    """Gradients of `conv2d` with respect to its input, weight and bias.

    Given ``out = conv2d(x, weight, bias, stride, padding, dilation)`` (``groups=1``) and the
    gradient ``dout`` of a loss with respect to ``out``, return the gradients of that loss with
    respect to ``x``, ``weight`` and ``bias``: the same numbers as PyTorch's autograd. With the
    im2col matrix ``cols`` (one column per window) the forward pass is ``out = W @ cols + b``,
    so ``dW = dout @ cols.T``, ``db = dout`` summed over positions, and ``dcols = W.T @ dout``,
    whose columns are added back onto the windows they came from ("col2im") to give ``dx``.

    Parameters
    ----------
    dout : array_like, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Upstream gradient, shaped like the output of `conv2d` (unbatched if `x` is).
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        The input of the forward pass.
    weight : array_like, shape (C_out, C_in, kH, kW)
        The filters of the forward pass.
    stride, padding, dilation : optional
        As in the forward pass (see `conv2d`; ``padding`` may be "valid" or "same").

    Returns
    -------
    dx : ndarray, shape of x
    dw : ndarray, shape (C_out, C_in, kH, kW)
    db : ndarray, shape (C_out,)

    Examples
    --------
    With ``dout`` all ones, ``dw`` sums the windows and ``dx`` counts how many windows (times
    the weight) cover each pixel.

    >>> x = np.arange(9.0).reshape(1, 3, 3)
    >>> dx, dw, db = conv2d_backward(np.ones((1, 2, 2)), x, np.ones((1, 1, 2, 2)))
    >>> dx[0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> dw[0, 0], db
    (array([[ 8., 12.],
           [20., 24.]]), array([4.]))
    """
    padded, weight, pads, stride, dilation, _, unbatched = _conv_setup(
        x, weight, stride, padding, dilation, groups=1
    )
    left, right, top, bottom = pads
    n, c_in, height_padded, width_padded = padded.shape
    c_out, _, kh, kw = weight.shape
    (dil_h, dil_w), (step_h, step_w) = dilation, stride

    h_out, w_out = conv_output_size((height_padded, width_padded), (kh, kw), stride, 0, dilation)
    expected = (n, c_out, h_out, w_out)[1 if unbatched else 0 :]
    dout = as_float_array(dout, "dout")
    if dout.shape != expected:
        raise ValueError(
            f"dout: expected the shape of conv2d's output, {expected}, got {dout.shape}"
        )

    dtype = np.result_type(padded, weight, dout)
    dout = dout.astype(dtype, copy=False).reshape(n, c_out, h_out * w_out)
    filters = weight.astype(dtype, copy=False).reshape(c_out, -1)  # (C_out, C_in*kH*kW)
    windows = _windows(padded.astype(dtype, copy=False), (kh, kw), stride, dilation)

    db = dout.sum(axis=(0, 2))
    # dW[o, k] = sum over images n and positions l of dout[n, o, l] * cols[n, k, l].
    dw = np.zeros_like(filters)
    for images, cols in _im2col_chunks(windows, groups=1):
        dw += np.tensordot(dout[images], cols[:, 0], axes=([0, 2], [0, 2]))
    dw = dw.reshape(weight.shape)

    # dcols = W.T @ dout, then col2im: add each kernel tap's column back onto the input pixels
    # it read. A loop over the kH*kW taps, each one a strided slice of the whole batch.
    dcols = np.matmul(filters.T, dout).reshape(n, c_in, kh, kw, h_out, w_out)
    dx_padded = np.zeros((n, c_in, height_padded, width_padded), dtype=dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dil_h, i * dil_h + (h_out - 1) * step_h + 1, step_h)
            columns = slice(j * dil_w, j * dil_w + (w_out - 1) * step_w + 1, step_w)
            dx_padded[:, :, rows, columns] += dcols[:, :, i, j]

    # Drop the padding: its gradient goes nowhere.
    dx = dx_padded[:, :, top : height_padded - bottom, left : width_padded - right].copy()
    return restore_batch(dx, unbatched), dw, db


def numeric_gradient(f, x, dout=None, eps=1e-6):
    """Centred-difference estimate of a gradient, for checking backward passes.

    Nudges each entry of `x` by ``+eps`` and ``-eps`` and measures how ``np.sum(f(x) * dout)``
    changes: ``grad[i] = (g(x + eps e_i) - g(x - eps e_i)) / (2 eps)``, whose error shrinks like
    ``eps**2``. It costs two calls of `f` per entry of `x`, so use it on small inputs only, to
    check an analytic gradient such as `conv2d_backward`. The work is done on a float64 copy of
    `x` (a step of 1e-6 would be lost in float32's 7 digits), so `x` itself is never changed.

    Parameters
    ----------
    f : callable
        Takes an array shaped like `x` and returns an array (or a scalar).
    x : array_like
        The point at which to differentiate.
    dout : array_like, optional
        Upstream gradient, shaped like ``f(x)``. If None, ``f(x)`` must be a scalar and its own
        gradient is returned.
    eps : float, optional
        Step size, > 0.

    Returns
    -------
    grad : ndarray, float64, shaped like x
        The gradient of ``np.sum(f(x) * dout)`` (or of ``f(x)``) with respect to `x`.

    Examples
    --------
    >>> grad = numeric_gradient(lambda v: np.sum(v ** 2), np.array([1.0, -2.0, 3.0]))
    >>> np.round(grad, 6)
    array([ 2., -4.,  6.])
    >>> np.round(numeric_gradient(np.sin, np.zeros(2), dout=[1.0, 3.0]), 6)
    array([1., 3.])
    """
    if not callable(f):
        raise ValueError(f"f: expected a function, got {f!r}")
    point = as_float_array(x, "x").astype(np.float64)  # a copy: x is never touched
    eps = as_real_number(eps, "eps", minimum=0, strict=True)

    value = np.asarray(f(point.copy()), dtype=np.float64)
    if dout is None:
        if value.size != 1:
            raise ValueError(
                f"dout: f(x) returned an array of shape {value.shape}, so dout (its upstream "
                "gradient, of that shape) is required"
            )
        dout = np.ones_like(value)
    else:
        dout = as_float_array(dout, "dout").astype(np.float64)
        if dout.shape != value.shape:
            raise ValueError(f"dout: expected the shape of f(x), {value.shape}, got {dout.shape}")

    def objective() -> float:
        return float(np.sum(np.asarray(f(point.copy()), dtype=np.float64) * dout))

    grad = np.zeros_like(point)
    flat_point, flat_grad = point.reshape(-1), grad.reshape(-1)  # views, to index entries in order
    for i in range(flat_point.size):  # one entry at a time: finite differences cannot vectorise
        original = flat_point[i]
        flat_point[i] = original + eps
        above = objective()
        flat_point[i] = original - eps
        below = objective()
        flat_point[i] = original
        flat_grad[i] = (above - below) / (2 * eps)
    return grad
