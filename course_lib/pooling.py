"""Pooling: max, min and average pooling, global average pooling, max unpooling.

A pooling layer slides a window over every channel of an image, like a convolution, but instead
of a weighted sum it keeps one summary of the window: its largest value (max pooling), its
smallest (min pooling) or its mean (average pooling). It has no weights to learn; it shrinks the
feature map so that later layers see more of the image for the same cost.

Every function here equals its `torch.nn.functional` counterpart in value, shape, dtype handling
and index convention, for `(N, C, H, W)` batches and unbatched `(C, H, W)` images alike.

The window is applied by a loop over its `kH * kW` offsets: for offset `(i, j)` the strided view
`padded[..., i * dH :: sH, j * dW :: sW]` holds, for every output pixel at once, the input pixel
that sits at that place of its window. Max pooling is the running maximum of these views,
average pooling their running sum.

    >>> import numpy as np
    >>> x = np.array([[[1., 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]])
    >>> max_pool2d(x, 2)
    array([[[6., 8.],
            [3., 4.]]])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, as_image_batch, as_pair, restore_batch

__all__ = [
    "pool_output_size",
    "max_pool2d",
    "min_pool2d",
    "avg_pool2d",
    "global_avg_pool2d",
    "max_unpool2d",
    "max_pool2d_backward",
]


# ---------------------------------------------------------------------------------------------
# Window geometry
# ---------------------------------------------------------------------------------------------


def _pool_arguments(kernel_size, stride, padding, dilation):
    """Check the window arguments and return them as `(height, width)` pairs.

    `stride=None` means "as large as the kernel" (non-overlapping windows). PyTorch allows at
    most half a window of padding on each side, so that every window still sees the image.
    """
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    pad = as_pair(padding, "padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    if pad[0] > kernel[0] // 2 or pad[1] > kernel[1] // 2:
        raise ValueError(
            f"padding: expected at most half the kernel size on each side "
            f"(kernel_size // 2 = {(kernel[0] // 2, kernel[1] // 2)}), got {padding!r}"
        )
    return kernel, stride, pad, dilation


def _output_length(n, kernel, stride, pad, dilation, ceil_mode):
    """Number of windows along one axis of length `n`: PyTorch's exact arithmetic.

    The window covers `span = dilation * (kernel - 1) + 1` pixels. It fits at
    `(n + 2 * pad - span) // stride + 1` positions. In ceil mode the division rounds up, which
    adds one window hanging over the end, but only if that window still starts inside the
    image or the left padding (not in the right padding).
    """
    span = dilation * (kernel - 1) + 1
    room = n + 2 * pad - span  # how far the window can slide
    if ceil_mode:
        length = -(-room // stride) + 1  # ceil division (exact for negative `room` too)
        if (length - 1) * stride >= n + pad:
            length -= 1
    else:
        length = room // stride + 1
    if length < 1:
        raise ValueError(
            f"kernel_size: expected a window that fits in the padded input, got a window of "
            f"{span} pixels (kernel_size {kernel}, dilation {dilation}) for an input of "
            f"{n} + 2 * {pad} = {n + 2 * pad} pixels"
        )
    return length


def _padded(batch, pad, out_size, stride, kernel, dilation, fill):
    """`batch` padded with `fill` so that every one of the `out_size` windows lies inside.

    `pad` pixels go before the image. After it go as many as the last window needs: `pad`
    usually, more for the window ceil mode adds, fewer when the last pixels are never reached.
    """
    before, after = [], []
    for n, p, out, s, k, d in zip(batch.shape[2:], pad, out_size, stride, kernel, dilation):
        needed = (out - 1) * s + d * (k - 1) + 1  # padded pixels the windows reach
        before.append(p)
        after.append(max(needed - p - n, 0))
    if max(before + after) == 0:
        return batch
    widths = ((0, 0), (0, 0), (before[0], after[0]), (before[1], after[1]))
    return np.pad(batch, widths, mode="constant", constant_values=fill)


def _window_views(padded, out_size, stride, kernel, dilation):
    """A strided view of `padded` for every kernel offset: `{(i, j): view}`, in row-major order.

    `view[n, c, oh, ow]` is the pixel at offset `(i, j)` of the window of output `(oh, ow)`.
    No data is copied.
    """
    (out_h, out_w), (s_h, s_w), (k_h, k_w), (d_h, d_w) = out_size, stride, kernel, dilation
    views = {}
    for i in range(k_h):
        rows = slice(i * d_h, i * d_h + (out_h - 1) * s_h + 1, s_h)
        for j in range(k_w):
            cols = slice(j * d_w, j * d_w + (out_w - 1) * s_w + 1, s_w)
            views[i, j] = padded[:, :, rows, cols]
    return views


def _first_inside(n, out, stride, pad, dilation):
    """For each window along one axis, the first of its pixels that lies inside the image.

    This is where PyTorch's max pooling starts (and the index it reports when no pixel of the
    window beats -inf). A window made only of padding gives a position past the image.
    """
    start = np.arange(out) * stride - pad
    steps_into_image = np.maximum(-(start // dilation), 0)  # ceil(-start / dilation), at least 0
    return start + steps_into_image * dilation


def _max_pool(batch, kernel, stride, pad, dilation, ceil_mode, with_indices):
    """Max pooling of an `(N, C, H, W)` batch; returns `(values, indices or None)`."""
    height, width = batch.shape[2:]
    out_size = tuple(
        _output_length(n, k, s, p, d, ceil_mode)
        for n, k, s, p, d in zip((height, width), kernel, stride, pad, dilation)
    )
    # Padding with -inf (never zeros): a padded pixel can never be the maximum of a window.
    padded = _padded(batch, pad, out_size, stride, kernel, dilation, fill=-np.inf)
    views = list(_window_views(padded, out_size, stride, kernel, dilation).items())

    values = views[0][1].copy()
    for _, view in views[1:]:
        np.maximum(values, view, out=values)  # propagates NaN, as PyTorch does
    if not with_indices:
        return values, None

    # Where did each maximum come from? PyTorch scans a window in row-major order, starting from
    # -inf, and a pixel takes over if it is strictly larger or if it is NaN. So it reports
    #   - the first pixel equal to the maximum (ties: the first one wins),
    #   - the last NaN, if the window holds a NaN,
    #   - the window's first pixel inside the image, if nothing beats -inf.
    # `which` is the kernel offset (numbered row-major) of the maximum in each window. Visiting
    # the offsets backwards and overwriting on equality leaves the first equal one.
    which = np.zeros(values.shape, dtype=np.min_scalar_type(len(views) - 1))
    for number in reversed(range(len(views))):
        np.copyto(which, number, where=views[number][1] == values)
    if np.isnan(values).any():
        for number, (_, view) in enumerate(views):
            np.copyto(which, number, where=np.isnan(view))

    # Offset number -> flat position in the (unpadded) H * W plane: the position of the
    # window's top-left corner plus the offset's shift.
    corner_rows = np.arange(out_size[0]) * stride[0] - pad[0]
    corner_cols = np.arange(out_size[1]) * stride[1] - pad[1]
    corner = corner_rows[:, None] * width + corner_cols[None, :]
    shift = np.array([i * dilation[0] * width + j * dilation[1] for (i, j), _ in views])
    indices = corner + shift[which]

    first_rows = _first_inside(height, out_size[0], stride[0], pad[0], dilation[0])
    first_cols = _first_inside(width, out_size[1], stride[1], pad[1], dilation[1])
    first = first_rows[:, None] * width + first_cols[None, :]
    np.copyto(indices, first, where=values == -np.inf)
    return values, indices


# ---------------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------------


def pool_output_size(n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Size of the output of a pooling layer, exactly as PyTorch computes it.

    A window of `kernel_size` pixels, spread by `dilation`, slides over an input of `n` pixels
    padded with `padding` on each side, `stride` pixels at a time:
    `floor((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1`.
    With `ceil_mode=True` the division rounds up instead, unless the extra window would start
    in the right padding.

    Parameters
    ----------
    n : int or (int, int)
        Input size (or `(H, W)`).
    kernel_size : int or (int, int)
        Window size, at least 1.
    stride : int or (int, int) or None
        Step between windows, at least 1; `None` means `kernel_size`.
    padding : int or (int, int)
        Padding on each side, at most `kernel_size // 2`.
    dilation : int or (int, int)
        Spacing between the window's pixels, at least 1.
    ceil_mode : bool
        Round the number of windows up rather than down.

    Returns
    -------
    int or (int, int)
        The output size; a pair if any argument is a pair.

    Examples
    --------
    >>> pool_output_size(7, 2)
    3
    >>> pool_output_size(7, 2, ceil_mode=True)
    4
    >>> pool_output_size((32, 31), 3, stride=2, padding=1)
    (16, 16)
    """
    sizes = as_pair(n, "n", minimum=1)
    kernel, stride_, pad, dilation_ = _pool_arguments(kernel_size, stride, padding, dilation)
    out = tuple(
        _output_length(*axis, bool(ceil_mode))
        for axis in zip(sizes, kernel, stride_, pad, dilation_)
    )
    arguments = (n, kernel_size, stride, padding, dilation)
    if all(isinstance(a, (int, np.integer)) or a is None for a in arguments):
        return out[0]
    return out


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling: the largest value of every window; equals `F.max_pool2d`.

    Each output pixel is the maximum over a `kernel_size` window of its channel. The borders
    are padded with -inf, so padding never wins. Of several equal maxima the first (in
    row-major order) is reported; a NaN in the window wins over every number.

    Parameters
    ----------
    x : array, shape (N, C, H, W) or (C, H, W)
        Input images.
    kernel_size : int or (int, int)
        Window size `(kH, kW)`, at least 1.
    stride : int or (int, int) or None
        Step between windows; `None` (the default) means `kernel_size`.
    padding : int or (int, int)
        -inf padding on each side, at most `kernel_size // 2`.
    dilation : int or (int, int)
        Spacing between the window's pixels.
    ceil_mode : bool
        Add a last window that hangs over the end (see `pool_output_size`).
    return_indices : bool
        Also return where each maximum came from.

    Returns
    -------
    out : array, shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Same float dtype as `x` (integers become float64).
    indices : int64 array, same shape as `out`
        Only with `return_indices=True`: the flat position `row * W + col` of each maximum in
        the unpadded `H * W` plane of its channel (what `max_unpool2d` takes).

    Examples
    --------
    >>> x = np.array([[[1., 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]]])
    >>> out, indices = max_pool2d(x, 2, return_indices=True)
    >>> out
    array([[[5., 6.],
            [7., 8.]]])
    >>> indices
    array([[[ 5,  2],
            [12, 15]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    kernel, stride, pad, dilation = _pool_arguments(kernel_size, stride, padding, dilation)
    values, indices = _max_pool(batch, kernel, stride, pad, dilation, bool(ceil_mode),
                                bool(return_indices))
    if return_indices:
        return restore_batch(values, unbatched), restore_batch(indices, unbatched)
    return restore_batch(values, unbatched)


def min_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D min pooling: the smallest value of every window; equals `-F.max_pool2d(-x)`.

    PyTorch has no min pooling layer; the minimum is the negated maximum of the negated input.
    Padding is +inf, of equal minima the first is reported, and a NaN in the window wins.

    Parameters
    ----------
    x, kernel_size, stride, padding, dilation, ceil_mode, return_indices
        As in `max_pool2d`.

    Returns
    -------
    out : array, shape (N, C, H_out, W_out) or (C, H_out, W_out)
    indices : int64 array, same shape as `out`
        Only with `return_indices=True`: flat positions of the minima, as in `max_pool2d`.

    Examples
    --------
    >>> min_pool2d(np.array([[[1., 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]]), 2)
    array([[[1., 2.],
            [1., 0.]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    kernel, stride, pad, dilation = _pool_arguments(kernel_size, stride, padding, dilation)
    values, indices = _max_pool(-batch, kernel, stride, pad, dilation, bool(ceil_mode),
                                bool(return_indices))
    np.negative(values, out=values)
    if return_indices:
        return restore_batch(values, unbatched), restore_batch(indices, unbatched)
    return restore_batch(values, unbatched)


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """2-D average pooling: the mean of every window; equals `F.avg_pool2d`.

    The borders are padded with zeros. What a window is divided by follows PyTorch:
    with `count_include_pad=True` (the default) the window's pixels inside the image or the
    padding, so zeros of the padding pull the mean down; with `count_include_pad=False` only
    its pixels inside the image. Either way, the part of a ceil-mode window that hangs past the
    padding is not counted.

    Parameters
    ----------
    x : array, shape (N, C, H, W) or (C, H, W)
        Input images.
    kernel_size : int or (int, int)
        Window size `(kH, kW)`, at least 1.
    stride : int or (int, int) or None
        Step between windows; `None` (the default) means `kernel_size`.
    padding : int or (int, int)
        Zero padding on each side, at most `kernel_size // 2`.
    ceil_mode : bool
        Add a last window that hangs over the end (see `pool_output_size`).
    count_include_pad : bool
        Count padding pixels in the divisor.

    Returns
    -------
    array, shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Same float dtype as `x` (integers become float64).

    Examples
    --------
    >>> x = np.array([[[1., 2, 3], [4, 5, 6], [7, 8, 9]]])
    >>> avg_pool2d(x, 2, stride=1)
    array([[[3., 4.],
            [6., 7.]]])
    >>> avg_pool2d(x, 2, padding=1)
    array([[[0.25, 1.25],
            [2.75, 7.  ]]])
    >>> avg_pool2d(x, 2, padding=1, count_include_pad=False)
    array([[[1. , 2.5],
            [5.5, 7. ]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    kernel, stride, pad, dilation = _pool_arguments(kernel_size, stride, padding, 1)
    height, width = batch.shape[2:]
    out_size = tuple(
        _output_length(n, k, s, p, 1, bool(ceil_mode))
        for n, k, s, p in zip((height, width), kernel, stride, pad)
    )
    padded = _padded(batch, pad, out_size, stride, kernel, dilation, fill=0)
    views = list(_window_views(padded, out_size, stride, kernel, dilation).values())
    total = views[0].copy()
    for view in views[1:]:
        total += view

    # The divisor factorises into (pixels counted along H) * (pixels counted along W).
    counts = []
    for n, k, s, p, out in zip((height, width), kernel, stride, pad, out_size):
        start = np.arange(out) * s - p
        end = np.minimum(start + k, n + p)  # a ceil-mode window stops at the end of the padding
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, n)
        counts.append(end - start)
    divisor = (counts[0][:, None] * counts[1][None, :]).astype(batch.dtype)
    return restore_batch(total / divisor, unbatched)


def global_avg_pool2d(x):
    """Global average pooling: the mean of each whole channel; equals `F.adaptive_avg_pool2d(x, 1)`.

    One window covering the whole image: every channel becomes a single number. Networks use
    it in place of flattening before the classifier, so that they accept any image size.

    Parameters
    ----------
    x : array, shape (N, C, H, W) or (C, H, W)
        Input images.

    Returns
    -------
    array, shape (N, C, 1, 1) or (C, 1, 1)
        Same float dtype as `x` (integers become float64).

    Examples
    --------
    >>> global_avg_pool2d(np.arange(8.).reshape(1, 2, 2, 2))
    array([[[[1.5]],
    <BLANKLINE>
            [[5.5]]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    return restore_batch(batch.mean(axis=(2, 3), keepdims=True), unbatched)


def _unpool_output_size(input_hw, kernel, stride, pad, output_size):
    """The `(H, W)` that `max_unpool2d` fills, following PyTorch's rules."""
    default = tuple((n - 1) * s + k - 2 * p for n, k, s, p in zip(input_hw, kernel, stride, pad))
    if output_size is None:
        size = default
    else:
        given = tuple(output_size) if isinstance(output_size, (tuple, list, np.ndarray)) else None
        if given is not None and len(given) == 4:
            given = given[2:]  # the full (N, C, H, W) shape is allowed too
        if given is None or len(given) != 2:
            raise ValueError(
                f"output_size: expected (H, W) or (N, C, H, W), got {output_size!r}"
            )
        size = as_pair(given, "output_size", minimum=1)
        for axis, (want, usual, s) in enumerate(zip(size, default, stride)):
            # Any pooled size from usual - s + 1 to usual + s - 1 pools down to the same size.
            if not usual - s < want < usual + s:
                raise ValueError(
                    f"output_size: expected each size strictly between default - stride and "
                    f"default + stride ({usual - s} < size < {usual + s} along axis {axis}), "
                    f"got {output_size!r}"
                )
    if min(size) < 1:
        raise ValueError(
            f"padding: expected an output of at least one pixel, got output size {size} "
            f"from padding {pad}"
        )
    return size


def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Max unpooling: put each value back where its maximum came from; equals `F.max_unpool2d`.

    The partial inverse of `max_pool2d(..., return_indices=True)`: an output of zeros receives
    every value of `x` at the flat position given by `indices`. The output is, unless
    `output_size` says otherwise, the size the pooling came from:
    `(H - 1) * stride - 2 * padding + kernel_size`.

    Parameters
    ----------
    x : array, shape (N, C, H, W) or (C, H, W)
        The values to place (usually the output of a max pooling).
    indices : integer array, same shape as `x`
        Flat positions `row * W_out + col` in each channel's output plane.
    kernel_size, stride, padding : int or (int, int)
        Those of the max pooling; `stride=None` means `kernel_size`.
    output_size : (int, int) or (N, C, H, W), optional
        The output's `(H_out, W_out)`, needed when several input sizes pool to the same size.
        Must lie strictly between `default - stride` and `default + stride`.

    Returns
    -------
    array, shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Same float dtype as `x` (integers become float64).

    Examples
    --------
    >>> pooled, indices = max_pool2d(np.array([[[1., 2, 6, 3], [3, 5, 2, 1],
    ...                                        [1, 2, 2, 1], [7, 3, 4, 8]]]), 2, return_indices=True)
    >>> max_unpool2d(np.array([[[1., 2], [3, 4]]]), indices, 2)
    array([[[0., 0., 2., 0.],
            [0., 1., 0., 0.],
            [0., 0., 0., 0.],
            [3., 0., 0., 4.]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    pad = as_pair(padding, "padding", minimum=0)

    index_array = np.asarray(indices)
    if index_array.dtype.kind not in "iu":
        raise ValueError(f"indices: expected an integer array, got dtype {index_array.dtype}")
    if index_array.shape != np.shape(x):
        raise ValueError(
            f"indices: expected the shape of x {np.shape(x)}, got shape {index_array.shape}"
        )
    index_batch = index_array[np.newaxis] if unbatched else index_array

    out_h, out_w = _unpool_output_size(batch.shape[2:], kernel, stride, pad, output_size)
    lowest, highest = (index_batch.min(), index_batch.max()) if index_batch.size else (0, 0)
    if lowest < 0 or highest >= out_h * out_w:
        bad = lowest if lowest < 0 else highest
        raise ValueError(
            f"indices: expected flat positions from 0 to {out_h * out_w - 1} in the "
            f"{out_h}x{out_w} output plane, got {bad}"
        )

    # Each channel's output is a flat plane of out_h * out_w zeros; value k goes to index k.
    n, c, height, width = batch.shape
    out = np.zeros((n, c, out_h * out_w), dtype=batch.dtype)
    np.put_along_axis(out, index_batch.reshape(n, c, height * width).astype(np.intp),
                      batch.reshape(n, c, height * width), axis=2)
    return restore_batch(out.reshape(n, c, out_h, out_w), unbatched)


def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0, dilation=1,
                        ceil_mode=False):
    """Gradient of `max_pool2d` with respect to its input.

    Only the maximum of a window influences the output, so the gradient of each output pixel
    goes entirely to the input pixel that was its maximum; the other pixels of the window get
    nothing. When windows overlap, a pixel that is the maximum of several gets their sum.
    Equals what autograd computes through `F.max_pool2d`.

    Parameters
    ----------
    dout : array, shape (N, C, H_out, W_out) or (C, H_out, W_out)
        Gradient of the loss with respect to the pooling's output.
    x : array, shape (N, C, H, W) or (C, H, W)
        The pooling's input.
    kernel_size, stride, padding, dilation, ceil_mode
        As in `max_pool2d`.

    Returns
    -------
    dx : array, same shape as `x`
        Gradient with respect to `x`; dtype `np.result_type` of the two (as floats).

    Examples
    --------
    >>> x = np.array([[[1., 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]])
    >>> max_pool2d_backward(np.array([[[1., 2], [3, 4]]]), x, 2)
    array([[[0., 0., 0., 0.],
            [0., 1., 0., 2.],
            [3., 0., 0., 0.],
            [0., 0., 0., 4.]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    grad = as_float_array(dout, "dout")
    kernel, stride, pad, dilation = _pool_arguments(kernel_size, stride, padding, dilation)
    _, indices = _max_pool(batch, kernel, stride, pad, dilation, bool(ceil_mode), True)
    expected = indices.shape[1:] if unbatched else indices.shape
    if grad.shape != expected:
        raise ValueError(f"dout: expected the pooled shape {expected}, got shape {grad.shape}")

    n, c, height, width = batch.shape
    # A window made only of padding has no maximum in the image (its reported index lies past
    # the image): its gradient goes nowhere. PyTorch's autograd sends it to whatever pixel that
    # index happens to name; we do not copy that.
    first_row = _first_inside(height, indices.shape[2], stride[0], pad[0], dilation[0])
    first_col = _first_inside(width, indices.shape[3], stride[1], pad[1], dilation[1])
    has_pixel = (first_row < height)[:, None] & (first_col < width)[None, :]

    # Flat position of each maximum in the whole (N * C * H * W) input, then one bincount.
    plane = np.arange(n * c).reshape(n, c, 1, 1) * (height * width)
    flat = (plane + indices)[:, :, has_pixel]
    weights = grad.reshape(indices.shape)[:, :, has_pixel]
    dx = np.bincount(flat.ravel(), weights=weights.ravel(), minlength=n * c * height * width)
    dtype = np.result_type(batch.dtype, grad.dtype)
    return restore_batch(dx.reshape(batch.shape).astype(dtype, copy=False), unbatched)
