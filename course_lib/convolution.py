"""Convolution layers in numpy: the reference for `torch.nn.functional.conv2d` and its arithmetic.

What deep-learning libraries call "convolution" is cross-correlation: the kernel slides over the
image without being flipped, and each output pixel is the sum of the products under the window,

    out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j] * in[n, c, y*s + i*d, x*s + j*d]

where `in` is the zero-padded input, `s` the stride and `d` the dilation. This module computes it
in three ways of increasing generality (`corr2d` for one channel, `conv2d` for whole batches,
`conv_matrix` as one matrix product), together with the size arithmetic of the lectures
(`conv_output_size`, `same_padding`, `receptive_field`) and zero padding (`pad2d`).

`conv2d` is fast because of one idea, "im2col": copy every window of the input into a column of a
matrix, so that the whole layer becomes a matrix product, which BLAS computes for us.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import (
    as_float_array,
    as_image_batch,
    as_pair,
    as_positive_int,
    restore_batch,
)

__all__ = [
    "corr2d",
    "conv2d",
    "pad2d",
    "conv_output_size",
    "same_padding",
    "conv_matrix",
    "receptive_field",
]


def _as_ndim_array(value, ndim: int, name: str, layout: str) -> np.ndarray:
    """Return `value` as a float array with exactly `ndim` axes, or raise a ValueError."""
    array = as_float_array(value, name)
    if array.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array {layout}, got shape {array.shape}")
    return array


def _is_pair_argument(value) -> bool:
    """True if an already validated int-or-pair argument is a pair."""
    return not isinstance(value, numbers.Integral)


# ----------------------------------------------------------------------------------------------
# Single channel
# ----------------------------------------------------------------------------------------------


def corr2d(x, k) -> np.ndarray:
    """Valid 2-D cross-correlation of one image with one kernel.

    The lecture's first operation: slide the kernel `k` over the image `x` without flipping it
    and without padding, and at each position sum the element-wise products,
    ``out[y, x] = sum_{i, j} x[y + i, x + j] * k[i, j]``. An ``(H, W)`` image and a
    ``(kH, kW)`` kernel give an ``(H - kH + 1, W - kW + 1)`` output. This is what
    `torch.nn.functional.conv2d` computes for one channel, one filter, stride 1 and no padding.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The image.
    k : array_like, shape (kH, kW)
        The kernel, with ``kH <= H`` and ``kW <= W``.

    Returns
    -------
    out : ndarray, shape (H - kH + 1, W - kW + 1)
        The cross-correlation, in the dtype `np.result_type` gives for `x` and `k`.

    Examples
    --------
    >>> corr2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]])
    array([[-4., -4.],
           [-4., -4.]])
    """
    x = _as_ndim_array(x, 2, "x", "(H, W)")
    k = _as_ndim_array(k, 2, "k", "(kH, kW)")
    if k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
        raise ValueError(f"k: the kernel {k.shape} is larger than the image x {x.shape}")
    dtype = np.result_type(x, k)
    windows = sliding_window_view(x, k.shape)  # (H_out, W_out, kH, kW), a view: nothing copied
    return np.tensordot(windows, k, axes=2).astype(dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# Padding and output sizes
# ----------------------------------------------------------------------------------------------


def _as_padding_4(padding) -> tuple[int, int, int, int]:
    """Read pad2d's padding as (left, right, top, bottom); ints may be negative (cropping)."""

    def is_int(v):
        return isinstance(v, numbers.Integral) and not isinstance(v, bool)

    if is_int(padding):
        return (int(padding),) * 4
    if isinstance(padding, (tuple, list, np.ndarray)) and all(is_int(v) for v in padding):
        if len(padding) == 2:
            pad_h, pad_w = (int(v) for v in padding)
            return pad_w, pad_w, pad_h, pad_h
        if len(padding) == 4:
            return tuple(int(v) for v in padding)
    raise ValueError(
        "padding: expected an int, a pair (pad_h, pad_w) or a 4-tuple (left, right, top, bottom) "
        f"of ints, got {padding!r}"
    )


def pad2d(x, padding, value=0.0) -> np.ndarray:
    """Pad the last two axes of an array with a constant.

    This is `torch.nn.functional.pad(x, ..., mode="constant", value=value)` restricted to the
    height and width axes, which is how convolution layers pad: the image gets a frame of `value`
    (zeros by default) that lets the kernel centre reach the border pixels. As in PyTorch, a
    negative amount crops instead of padding.

    Parameters
    ----------
    x : array_like, shape (..., H, W)
        Any array with at least two axes; only the last two are padded.
    padding : int, (int, int) or (int, int, int, int)
        An int pads all four sides alike; a pair ``(pad_h, pad_w)`` pads top and bottom by
        `pad_h` and left and right by `pad_w` (the convention of `conv2d`'s `padding`, *not* that
        of `F.pad`'s 2-tuples); a 4-tuple ``(left, right, top, bottom)`` is `F.pad`'s order.
    value : float, optional
        The fill value.

    Returns
    -------
    out : ndarray, shape (..., H + top + bottom, W + left + right)
        A new array with the dtype of `x` (integers become float64).

    Examples
    --------
    >>> pad2d([[1, 2]], 1)
    array([[0., 0., 0., 0.],
           [0., 1., 2., 0.],
           [0., 0., 0., 0.]])
    >>> pad2d([[1, 2]], (0, 1, 0, 0), value=-1)
    array([[ 1.,  2., -1.]])
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(
            f"x: expected an array with at least 2 axes (..., H, W), got shape {x.shape}"
        )
    left, right, top, bottom = _as_padding_4(padding)
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise ValueError(f"value: expected a real number (inf and nan allowed), got {value!r}")
    height, width = x.shape[-2:]
    sides = (("height", top, bottom, height), ("width", left, right, width))
    for axis, before, after, size in sides:
        crop = max(-before, 0) + max(-after, 0)
        if crop > size:
            raise ValueError(f"padding: cannot crop {crop} pixels from a {axis} of {size}")

    # Crop first (negative amounts), then put what is left inside a frame of `value`.
    kept = x[..., max(-top, 0) : height - max(-bottom, 0), max(-left, 0) : width - max(-right, 0)]
    out = np.full(x.shape[:-2] + (height + top + bottom, width + left + right), value, x.dtype)
    row, col = max(top, 0), max(left, 0)
    out[..., row : row + kept.shape[-2], col : col + kept.shape[-1]] = kept
    return out


def _output_size_1d(n, k, s, p, d, exact, axis):
    """conv_output_size for one axis; `axis` names it in messages ("" for ints)."""
    span = d * (k - 1) + 1  # how many input pixels the dilated kernel covers
    free = n + 2 * p - span  # how far the window can travel
    if free < 0:
        raise ValueError(
            f"kernel_size{axis}: the (dilated) kernel covers {span} pixels but the padded input "
            f"has only {n + 2 * p} (n={n}, padding={p}); no output position fits"
        )
    if exact and free % s:
        remainder = free % s
        raise ValueError(
            f"stride{axis}: (n + 2p - d(k-1) - 1)/s = {free}/{s} is not an integer, and fractions "
            f"are illegal: the windows are off by {remainder}/{s} of a stride, so the last "
            f"{remainder} pixel(s) of the padded input are never used ({s - remainder} more "
            f"pixel(s) of padding would make them fit)"
        )
    return free // s + 1


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, exact=False):
    """Size of a convolution's output along one axis (or two).

    A window covering ``d(k-1) + 1`` pixels that moves by `s` over an input of `n` pixels padded
    by `p` on each side fits ``floor((n + 2p - d(k-1) - 1) / s) + 1`` times. PyTorch floors,
    silently ignoring the last pixels when the stride does not divide the travel; the lectures
    call such a configuration illegal ("fractions are illegal"), which ``exact=True`` enforces.

    Parameters
    ----------
    n : int or (int, int)
        Input size.
    kernel_size : int or (int, int)
        Kernel size ``k``.
    stride, padding, dilation : int or (int, int), optional
        As for `conv2d` (``s >= 1``, ``p >= 0``, ``d >= 1``).
    exact : bool, optional
        If True, raise a ValueError when the division is not exact.

    Returns
    -------
    size : int or (int, int)
        The output size; a pair if any argument is a pair.

    Examples
    --------
    >>> conv_output_size(7, 3, stride=2)
    3
    >>> conv_output_size((32, 28), 5, padding=2)
    (32, 28)
    >>> conv_output_size(7, 3, stride=3, exact=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: stride: (n + 2p - d(k-1) - 1)/s = 4/3 is not an integer, and fractions are illegal: ...
    """
    arguments = {
        "n": (n, 1),  # (value, smallest allowed)
        "kernel_size": (kernel_size, 1),
        "stride": (stride, 1),
        "padding": (padding, 0),
        "dilation": (dilation, 1),
    }
    pairs = {name: as_pair(value, name, minimum) for name, (value, minimum) in arguments.items()}
    if not any(_is_pair_argument(value) for value, _ in arguments.values()):
        return _output_size_1d(n, kernel_size, stride, padding, dilation, exact, axis="")
    return tuple(
        _output_size_1d(*(pairs[name][axis] for name in arguments), exact, axis=f" (axis {axis})")
        for axis in (0, 1)
    )


def same_padding(n, kernel_size, stride=1, dilation=1) -> tuple[int, int]:
    """The padding (before, after) that makes a convolution's output ``ceil(n / stride)`` long.

    "Same" padding keeps the size at stride 1 and divides it by the stride otherwise. The
    last of the ``ceil(n/s)`` windows starts at ``(ceil(n/s) - 1) * s`` and covers
    ``d(k-1) + 1`` pixels, so the input needs ``max((ceil(n/s) - 1) s + d(k-1) + 1 - n, 0)``
    pixels of padding in total. (Lecture 003 writes ``s ceil(n/s) - n``, which forgets the
    filter size.) When the total is odd the extra pixel goes after, as in PyTorch's
    ``padding="same"`` and TensorFlow's ``"SAME"``.

    Parameters
    ----------
    n : int
        Input size.
    kernel_size, stride, dilation : int
        As for `conv2d`.

    Returns
    -------
    (before, after) : tuple of int
        Padding at the start and at the end of the axis.

    Examples
    --------
    >>> same_padding(5, 3)
    (1, 1)
    >>> same_padding(6, 4)
    (1, 2)
    >>> same_padding(7, 3, stride=2)
    (1, 1)
    """
    n = as_positive_int(n, "n")
    kernel_size = as_positive_int(kernel_size, "kernel_size")
    stride = as_positive_int(stride, "stride")
    dilation = as_positive_int(dilation, "dilation")
    n_out = -(-n // stride)  # ceil(n / stride) in integers
    total = max((n_out - 1) * stride + dilation * (kernel_size - 1) + 1 - n, 0)
    return total // 2, total - total // 2


# ----------------------------------------------------------------------------------------------
# The convolution layer
# ----------------------------------------------------------------------------------------------


def _resolve_padding(padding, input_size, kernel_size, stride, dilation):
    """conv2d's `padding` argument as (left, right, top, bottom), following PyTorch's rules."""
    if isinstance(padding, str):
        if padding == "valid":
            return 0, 0, 0, 0
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(
                    f"padding: 'same' is only supported with stride 1 (as in PyTorch), got stride "
                    f"{stride}; compute explicit padding with same_padding() instead"
                )
            # d(k-1) pixels in total at stride 1; an odd total puts the extra pixel after.
            (top, bottom), (left, right) = (
                same_padding(n, k, 1, d) for n, k, d in zip(input_size, kernel_size, dilation)
            )
            return left, right, top, bottom
    elif isinstance(padding, numbers.Integral) or isinstance(padding, (tuple, list, np.ndarray)):
        pad_h, pad_w = as_pair(padding, "padding", minimum=0)
        return pad_w, pad_w, pad_h, pad_h
    raise ValueError(
        f"padding: expected an int >= 0, a pair of them, 'valid' or 'same', got {padding!r}"
    )


def _conv_setup(x, weight, stride, padding, dilation, groups):
    """Validate conv2d's arguments and pad the input.

    Returns the padded (N, C_in, H + top + bottom, W + left + right) batch, the weight, the
    padding (left, right, top, bottom), stride, dilation, groups and whether x was unbatched.
    """
    batch, unbatched = as_image_batch(x, "x")
    weight = _as_ndim_array(weight, 4, "weight", "(C_out, C_in/groups, kH, kW)")
    stride = as_pair(stride, "stride", minimum=1)
    dilation = as_pair(dilation, "dilation", minimum=1)
    groups = as_positive_int(groups, "groups")

    c_in = batch.shape[1]
    c_out, c_per_group = weight.shape[:2]
    if c_in % groups:
        raise ValueError(
            f"groups: x has {c_in} channels, which is not divisible by groups={groups}"
        )
    if c_out % groups:
        raise ValueError(
            f"groups: weight has C_out={c_out} filters, which is not divisible by groups={groups}"
        )
    if c_per_group * groups != c_in:
        raise ValueError(
            f"weight: expected C_in/groups = {c_in // groups} input channels per filter "
            f"(x has {c_in} channels, groups={groups}), got {c_per_group} "
            f"(weight shape {weight.shape})"
        )

    kernel_size = weight.shape[2:]
    pads = _resolve_padding(padding, batch.shape[2:], kernel_size, stride, dilation)
    left, right, top, bottom = pads
    padded_size = (batch.shape[2] + top + bottom, batch.shape[3] + left + right)
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation))
    if span[0] > padded_size[0] or span[1] > padded_size[1]:
        raise ValueError(
            f"weight: the (dilated) kernel covers {span[0]}x{span[1]} pixels, more than the "
            f"padded input's {padded_size[0]}x{padded_size[1]}"
        )
    if any(pads):
        batch = pad2d(batch, pads)
    return batch, weight, pads, stride, dilation, groups, unbatched


def _windows(padded, kernel_size, stride, dilation) -> np.ndarray:
    """All windows of a padded batch, as a view of shape (N, C, kH, kW, H_out, W_out).

    ``windows[n, c, i, j, y, x] = padded[n, c, y*s + i*d, x*s + j*d]``: the pixel that kernel tap
    (i, j) sees when the window sits at output position (y, x). Nothing is copied.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel_size, stride, dilation
    # Every window of the dilated size, at every position: (N, C, H', W', span_h, span_w).
    windows = sliding_window_view(padded, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(2, 3))
    # Keep every s-th position and every d-th pixel inside a window, taps before positions.
    return windows[:, :, ::sh, ::sw, ::dh, ::dw].transpose(0, 1, 4, 5, 2, 3)


# im2col copies each input pixel kH*kW times. For a whole batch that matrix no longer fits in
# the CPU's cache and the matrix product slows down, so we build it for a few images at a time.
_IM2COL_CHUNK_BYTES = 2**21


def _im2col_chunks(windows, groups: int):
    """Yield (images, cols) for consecutive slices of the batch ("im2col").

    `windows` comes from `_windows`. ``cols`` has shape
    (n_images, groups, C/groups * kH * kW, H_out * W_out), one column per output position, in
    the order of a filter flattened by ``weight.reshape(C_out, -1)``, so that a group's filters
    multiply it as one matrix product. The same buffer is refilled for every slice: use each
    ``cols`` before asking for the next.
    """
    n, c, kh, kw, h_out, w_out = windows.shape
    bytes_per_image = windows[0].size * windows.itemsize
    chunk = max(1, min(n, _IM2COL_CHUNK_BYTES // max(bytes_per_image, 1)))  # images per slice
    buffer = np.empty((chunk, c, kh, kw, h_out, w_out), dtype=windows.dtype)
    for start in range(0, n, chunk):
        images = slice(start, min(start + chunk, n))
        cols = buffer[: images.stop - start]
        cols[...] = windows[images]  # the copy: one contiguous row of W_out pixels at a time
        yield images, cols.reshape(len(cols), groups, (c // groups) * kh * kw, h_out * w_out)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> np.ndarray:
    """2-D convolution layer (cross-correlation) over a batch of multi-channel images.

    Every filter ``weight[o]`` spans all input channels of its group; its output channel is the
    sum over those channels of their single-channel cross-correlations, plus ``bias[o]``:

        out[n, o, y, x] = bias[o] + sum_{c, i, j} weight[o, c, i, j]
                                                  * xp[n, g*C_g + c, y*s_h + i*d_h, x*s_w + j*d_w]

    where ``xp`` is `x` zero-padded, ``C_g = C_in/groups`` and ``g = o // (C_out/groups)`` is the
    filter's group. Equal
    to `torch.nn.functional.conv2d` with the same arguments. The computation is "im2col":
    every window is copied into one column of a matrix, so that applying all filters to all
    windows is one matrix product (per group), which BLAS does fast; to stay in the CPU's cache
    this is done for a few images at a time.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        Input batch, or one unbatched image.
    weight : array_like, shape (C_out, C_in/groups, kH, kW)
        The filters.
    bias : array_like, shape (C_out,), optional
        One number added to each output channel.
    stride : int or (int, int), optional
        Step of the window, ``>= 1``.
    padding : int, (int, int), "valid" or "same", optional
        Zeros added on both sides of each axis. "valid" means 0; "same" (stride 1 only) pads so
        that the output has the input's size, with the extra pixel after (bottom/right) when the
        dilated kernel has an even size.
    dilation : int or (int, int), optional
        Spacing between kernel taps, ``>= 1`` (atrous convolution when > 1).
    groups : int, optional
        Split input channels and filters into this many independent groups (``groups = C_in``
        is a depthwise convolution).

    Returns
    -------
    out : ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        ``H_out = conv_output_size(H, kH, s_h, p_h, d_h)``, likewise ``W_out``; the dtype is
        `np.result_type` of the inputs (float32 stays float32).

    Examples
    --------
    Two 1x1 filters: the first copies channel 0, the second adds both channels.

    >>> x = np.arange(8.0).reshape(2, 2, 2)
    >>> conv2d(x, [[[[1]], [[0]]], [[[1]], [[1]]]])
    array([[[ 0.,  1.],
            [ 2.,  3.]],
    <BLANKLINE>
           [[ 4.,  6.],
            [ 8., 10.]]])
    >>> conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=2, padding=1)[0, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """
    padded, weight, _, stride, dilation, groups, unbatched = _conv_setup(
        x, weight, stride, padding, dilation, groups
    )
    c_out = weight.shape[0]
    dtype = np.result_type(padded, weight)
    if bias is not None:
        bias = _as_ndim_array(bias, 1, "bias", "(C_out,)")
        if bias.shape != (c_out,):
            raise ValueError(f"bias: expected shape ({c_out},) for C_out={c_out}, got {bias.shape}")
        dtype = np.result_type(dtype, bias)

    windows = _windows(padded.astype(dtype, copy=False), weight.shape[2:], stride, dilation)
    n, h_out, w_out = len(windows), *windows.shape[4:]
    # One row per filter, grouped: (groups, C_out/groups, C_in/groups * kH * kW).
    filters = weight.astype(dtype, copy=False).reshape(groups, c_out // groups, -1)
    out = np.empty((n, groups, c_out // groups, h_out * w_out), dtype=dtype)
    for images, cols in _im2col_chunks(windows, groups):
        np.matmul(filters, cols, out=out[images])  # all filters times all windows
    out = out.reshape(n, c_out, h_out, w_out)
    if bias is not None:
        out += bias.astype(dtype, copy=False)[:, np.newaxis, np.newaxis]
    return restore_batch(out, unbatched)


# ----------------------------------------------------------------------------------------------
# Convolution as a matrix, receptive fields
# ----------------------------------------------------------------------------------------------


def conv_matrix(kernel, input_shape, stride=1, padding=0) -> np.ndarray:
    """The matrix M with ``M @ x.ravel() == conv2d(x, kernel, stride, padding).ravel()``.

    A convolution is linear in its input, so it is a matrix product with a sparse matrix in
    which every row holds the kernel's values, placed at the input pixels its window covers
    (taps that fall on the zero padding disappear). The transpose ``M.T`` maps an output back to
    the input's shape: it is the transposed convolution, ``conv_transpose2d`` with the same
    kernel, stride and padding, which is where that name comes from.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
        A single-channel kernel.
    input_shape : int or (int, int)
        The size (H, W) of the images the matrix applies to.
    stride, padding : int or (int, int), optional
        As for `conv2d`.

    Returns
    -------
    M : ndarray, shape (H_out * W_out, H * W)
        Rows are output pixels and columns input pixels, both in row-major (`ravel`) order.

    Examples
    --------
    >>> conv_matrix([[1, 2]], (1, 3))
    array([[1., 2., 0.],
           [0., 1., 2.]])
    """
    kernel = _as_ndim_array(kernel, 2, "kernel", "(kH, kW)")
    height, width = as_pair(input_shape, "input_shape", minimum=1)
    sh, sw = as_pair(stride, "stride", minimum=1)
    ph, pw = as_pair(padding, "padding", minimum=0)
    kh, kw = kernel.shape
    h_out, w_out = conv_output_size((height, width), (kh, kw), (sh, sw), (ph, pw))

    # For output pixel (y, x) and kernel tap (i, j), the input pixel the tap lands on.
    # Axes are (y, x, i, j), broadcast against each other.
    y = np.arange(h_out)[:, None, None, None]
    x = np.arange(w_out)[None, :, None, None]
    row = y * sh + np.arange(kh)[None, None, :, None] - ph
    col = x * sw + np.arange(kw)[None, None, None, :] - pw
    inside = (row >= 0) & (row < height) & (col >= 0) & (col < width)  # off the padding

    shape = (h_out, w_out, kh, kw)
    out_index = np.broadcast_to(y * w_out + x, shape)[inside]
    in_index = np.broadcast_to(row * width + col, shape)[inside]
    values = np.broadcast_to(kernel, shape)[inside]

    matrix = np.zeros((h_out * w_out, height * width), dtype=kernel.dtype)
    matrix[out_index, in_index] = values  # each (output, input) pair is hit at most once
    return matrix


def receptive_field(layers) -> int:
    """Receptive field of one unit of the last layer of a stack of convolutions, in input pixels.

    A unit sees ``k`` units of the layer below; with dilation ``d`` they span ``d(k-1) + 1``.
    Each layer below multiplies distances by its stride, so layer ``l`` adds
    ``d_l (k_l - 1)`` times the product of the strides before it:

        r = 1 + sum_l d_l (k_l - 1) prod_{i<l} s_i

    For ``L`` layers of kernel ``K`` and stride 1 that is ``1 + L(K-1)``: three 3x3 layers see
    7x7 pixels, like one 7x7 layer (lecture 003). Pooling layers count too, as
    (kernel, stride) pairs.

    Parameters
    ----------
    layers : sequence of (kernel, stride) or (kernel, stride, dilation)
        The layers from the input upwards; ints, one axis (square kernels).

    Returns
    -------
    r : int
        The side of the square of input pixels one unit of the last layer depends on.

    Examples
    --------
    >>> receptive_field([(3, 1), (3, 1), (3, 1)])
    7
    >>> receptive_field([(3, 1), (2, 2), (3, 1)])
    8
    """
    if not isinstance(layers, (list, tuple)):
        raise ValueError(
            f"layers: expected a list of (kernel, stride[, dilation]) tuples, got {layers!r}"
        )
    field, jump = 1, 1  # jump: input pixels between neighbouring units of the current layer
    for index, layer in enumerate(layers):
        if not isinstance(layer, (list, tuple)) or len(layer) not in (2, 3):
            raise ValueError(
                f"layers[{index}]: expected (kernel, stride) or (kernel, stride, dilation), "
                f"got {layer!r}"
            )
        kernel = as_positive_int(layer[0], f"layers[{index}] kernel")
        stride = as_positive_int(layer[1], f"layers[{index}] stride")
        dilation = as_positive_int(layer[2], f"layers[{index}] dilation") if len(layer) == 3 else 1
        field += dilation * (kernel - 1) * jump
        jump *= stride
    return field
