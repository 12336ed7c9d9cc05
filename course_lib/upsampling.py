"""Upsampling: nearest neighbour, bed of nails, bilinear interpolation, transposed convolution.

A segmentation network shrinks the image on the way down (strided convolution, pooling) and has
to grow it back on the way up. The "static" methods have nothing to learn: nearest neighbour
copies every pixel into a `factor x factor` block, bed of nails puts it in the block's top-left
corner and zeros elsewhere, and bilinear interpolation blends the two nearest pixels along each
axis. A transposed convolution learns how to grow the image: every input pixel stamps a copy of
the kernel, scaled by the pixel's value, onto the output, the copies sit `stride` pixels apart,
and where they overlap they add up.

Every function here equals its `torch.nn.functional` counterpart in value, shape and dtype
handling, for `(N, C, H, W)` batches and unbatched `(C, H, W)` images alike.

    >>> import numpy as np
    >>> x = np.array([[[1., 2], [3, 4]]])
    >>> upsample_nearest(x, 2)
    array([[[1., 1., 2., 2.],
            [1., 1., 2., 2.],
            [3., 3., 4., 4.],
            [3., 3., 4., 4.]]])
    >>> bed_of_nails(x, 2)
    array([[[1., 0., 2., 0.],
            [0., 0., 0., 0.],
            [3., 0., 4., 0.],
            [0., 0., 0., 0.]]])
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import as_bool, as_float_array, as_image_batch, as_pair, as_positive_int, restore_batch
from .convolution import conv2d

__all__ = [
    "upsample_nearest",
    "bed_of_nails",
    "upsample_bilinear",
    "conv_transpose_output_size",
    "conv_transpose2d",
    "conv_transpose2d_zero_insertion",
]


# ---------------------------------------------------------------------------------------------
# Argument checks shared by the functions below (and by course_lib.bilinear)
# ---------------------------------------------------------------------------------------------


def _as_scale_pair(value, name: str) -> tuple[float, float]:
    """A positive finite number, or a pair of them, as a `(height, width)` tuple of floats."""

    def is_scale(v):
        return (
            isinstance(v, numbers.Real)
            and not isinstance(v, (bool, np.bool_))
            and math.isfinite(v)
            and v > 0
        )

    if is_scale(value):
        return float(value), float(value)
    is_sequence = isinstance(value, (tuple, list, np.ndarray))
    if is_sequence and len(value) == 2 and all(map(is_scale, value)):
        return float(value[0]), float(value[1])
    raise ValueError(f"{name}: expected a number > 0 or a pair of them, got {value!r}")


# ---------------------------------------------------------------------------------------------
# Static upsampling: nearest neighbour, bed of nails, bilinear
# ---------------------------------------------------------------------------------------------


def upsample_nearest(x, scale_factor):
    """Upsample by copying every pixel into a `scale_factor x scale_factor` block.

    Output pixel `(i, j)` takes the value of input pixel `(i // sH, j // sW)`, so the image
    grows by a whole factor along each axis and no new values appear. Equals
    `F.interpolate(x, scale_factor=scale_factor, mode="nearest")` for integer factors.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Input images.
    scale_factor : int or (int, int)
        Growth factor `(sH, sW)`, each >= 1.

    Returns
    -------
    numpy.ndarray, shape (N, C, H * sH, W * sW) or (C, H * sH, W * sW)

    Examples
    --------
    >>> upsample_nearest(np.array([[[1, 2]]]), (2, 1))
    array([[[1., 2.],
            [1., 2.]]])
    """
    batch, unbatched = as_image_batch(x, "x")
    sh, sw = as_pair(scale_factor, "scale_factor", minimum=1)
    out = np.repeat(np.repeat(batch, sh, axis=2), sw, axis=3)
    return restore_batch(out, unbatched)


def bed_of_nails(x, scale_factor):
    """Upsample by putting every pixel at the top-left of its block and zeros elsewhere.

    Output pixel `(i * sH, j * sW)` is input pixel `(i, j)`; all other output pixels are 0. It is
    max unpooling with every "maximum" remembered at the top-left corner of its window, and the
    zero-insertion step of a fractionally strided convolution (up to the trailing zeros).
    PyTorch has no function of its own for it.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Input images.
    scale_factor : int or (int, int)
        Growth factor `(sH, sW)`, each >= 1.

    Returns
    -------
    numpy.ndarray, shape (N, C, H * sH, W * sW) or (C, H * sH, W * sW)

    Examples
    --------
    >>> bed_of_nails(np.array([[[1, 2]]]), (2, 3))
    array([[[1., 0., 0., 2., 0., 0.],
            [0., 0., 0., 0., 0., 0.]]])
    """
    batch, unbatched = as_image_batch(x, "x")
    sh, sw = as_pair(scale_factor, "scale_factor", minimum=1)
    n, c, h, w = batch.shape
    out = np.zeros((n, c, h * sh, w * sw), dtype=batch.dtype)
    out[:, :, ::sh, ::sw] = batch
    return restore_batch(out, unbatched)


def _linear_taps(n_in: int, n_out: int, align_corners: bool, scale_factor: float | None):
    """For every output position along one axis: its two input neighbours and their weights.

    The output position `o` is mapped to a source coordinate `src` in input pixels, exactly as
    PyTorch does it:

    - `align_corners=True`: `src = o * (n_in - 1) / (n_out - 1)`, so the first and last pixels
      of input and output sit at the same place;
    - `align_corners=False`: pixels are unit squares and their centres are matched,
      `src = (o + 0.5) * scale - 0.5` with `scale = 1 / scale_factor` if a factor was given
      (PyTorch uses the factor, not `n_in / n_out`) and `n_in / n_out` otherwise. `src` is
      clamped at 0, so the first half pixel copies the edge.

    The neighbours are `lower = floor(src)` and `upper`, the pixel after it (the same pixel at
    the last row); `upper` gets the weight `src - lower` (returned) and `lower` the rest.
    """
    o = np.arange(n_out, dtype=np.float64)
    if align_corners:
        src = o * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        scale = 1.0 / scale_factor if scale_factor is not None else n_in / n_out
        src = np.maximum((o + 0.5) * scale - 0.5, 0.0)
    lower = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    upper = np.minimum(lower + 1, n_in - 1)
    return lower, upper, src - lower


def _interpolate_axis(x: np.ndarray, axis: int, lower, upper, weight) -> np.ndarray:
    """`(1 - weight) * x[lower] + weight * x[upper]` along `axis`, as `a + weight * (b - a)`."""
    shape = [1] * x.ndim
    shape[axis] = -1
    weight = weight.astype(x.dtype).reshape(shape)
    out = x.take(lower, axis=axis)  # take returns fresh arrays, so the in-place steps are safe
    step = x.take(upper, axis=axis)
    step -= out
    step *= weight
    out += step
    return out


def upsample_bilinear(x, scale_factor=None, size=None, align_corners=False):
    """Resize images by bilinear interpolation.

    Every output pixel is placed at a (fractional) source position in the input; its value
    blends the 2 x 2 input pixels around that position, each weighted by how close it is. The
    blend is separable: interpolate along the width first, then along the height. Give exactly
    one of `scale_factor` and `size`. Equals `F.interpolate(x, scale_factor=scale_factor,
    size=size, mode="bilinear", align_corners=align_corners)`, including PyTorch's source
    positions when a `scale_factor` is given: the output size is `floor(H * sH)` and, with
    `align_corners=False`, the step between output pixels is `1 / sH` input pixels (not
    `H / H_out`).

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Input images.
    scale_factor : float or (float, float), optional
        Growth factor `(sH, sW)`, each > 0 (less than 1 shrinks). Need not be an integer.
    size : int or (int, int), optional
        Output size `(H_out, W_out)`, each >= 1.
    align_corners : bool, default False
        True: the corner pixels of input and output coincide and the output pixels are spread
        evenly between them. False: pixels are unit squares whose centres are matched, and
        positions outside the input copy the edge pixel.

    Returns
    -------
    numpy.ndarray, shape (N, C, H_out, W_out) or (C, H_out, W_out)

    Examples
    --------
    >>> x = np.array([[[0., 3.]]])
    >>> upsample_bilinear(x, size=(1, 4), align_corners=True)
    array([[[0., 1., 2., 3.]]])
    >>> upsample_bilinear(x, scale_factor=(1, 2))
    array([[[0.  , 0.75, 2.25, 3.  ]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    align_corners = as_bool(align_corners, "align_corners")
    n_in = batch.shape[2:]
    if (scale_factor is None) == (size is None):
        raise ValueError(
            "scale_factor, size: expected exactly one of them, got "
            + ("neither" if size is None else f"both ({scale_factor!r} and {size!r})")
        )
    if size is not None:
        n_out = as_pair(size, "size", minimum=1)
        factors = (None, None)
    else:
        factors = _as_scale_pair(scale_factor, "scale_factor")
        n_out = tuple(math.floor(n * s) for n, s in zip(n_in, factors))
        if min(n_out) < 1:
            raise ValueError(
                f"scale_factor: expected a factor that leaves at least one pixel, got "
                f"{scale_factor!r}, which turns input size {n_in} into {n_out}"
            )
    rows = _linear_taps(n_in[0], n_out[0], align_corners, factors[0])
    cols = _linear_taps(n_in[1], n_out[1], align_corners, factors[1])
    out = _interpolate_axis(batch, 3, *cols)  # along the width first (fewer, shorter rows) ...
    out = _interpolate_axis(out, 2, *rows)  # ... then along the height, moving whole rows
    return restore_batch(out, unbatched)


# ---------------------------------------------------------------------------------------------
# Transposed convolution
# ---------------------------------------------------------------------------------------------


def conv_transpose_output_size(n, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    """Output size of a transposed convolution: `(n - 1) s - 2 p + d (k - 1) + output_padding + 1`.

    The input pixels are placed `s` apart, which spans `(n - 1) s + 1` pixels; every one of
    them stamps a kernel that reaches `d (k - 1)` pixels further; `padding` is then cut off
    each side and `output_padding` extra rows (columns) are added at the bottom (right). This
    is the inverse of the convolution output size `(n + 2p - d (k - 1) - 1) // s + 1`: a
    convolution with stride `s` maps `s` different input sizes to the same output size, and
    `output_padding` (smaller than `s`) says which of them to give back.

    Parameters
    ----------
    n : int or (int, int)
        Input size, >= 1.
    kernel_size : int or (int, int)
        Kernel size, >= 1.
    stride, padding, output_padding, dilation : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    int, or (int, int) if any argument is a pair.

    Raises
    ------
    ValueError
        If `output_padding` is not smaller than the stride or the dilation, or if the output
        would be empty (too much padding).

    Examples
    --------
    >>> conv_transpose_output_size(4, 3, stride=2, padding=1)
    7
    >>> conv_transpose_output_size((4, 5), 4, stride=2, padding=1, output_padding=(0, 1))
    (8, 11)
    """
    arguments = (n, kernel_size, stride, padding, output_padding, dilation)
    any_pair = not all(isinstance(a, numbers.Integral) for a in arguments)
    n = as_pair(n, "n", minimum=1)
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride = as_pair(stride, "stride", minimum=1)
    pad = as_pair(padding, "padding", minimum=0)
    out_pad = as_pair(output_padding, "output_padding", minimum=0)
    dilation = as_pair(dilation, "dilation", minimum=1)
    for op, s, d in zip(out_pad, stride, dilation):
        if op >= s and op >= d:  # PyTorch's rule, axis by axis
            raise ValueError(
                f"output_padding: expected each entry smaller than the stride or the dilation "
                f"(stride={stride}, dilation={dilation}), got {output_padding!r}"
            )
    size = tuple(
        (ni - 1) * s - 2 * p + d * (k - 1) + op + 1
        for ni, k, s, p, op, d in zip(n, kernel, stride, pad, out_pad, dilation)
    )
    if min(size) < 1:  # every other term is >= 0, so only the padding can cause this
        raise ValueError(
            f"padding: expected a padding that leaves at least one output pixel, got "
            f"{padding!r}, which turns input size {n} (kernel {kernel}, stride {stride}, "
            f"dilation {dilation}, output_padding {out_pad}) into output size {size}"
        )
    return size if any_pair else size[0]


def _transposed_arguments(x, weight, bias, groups):
    """Check the input, weight, bias and groups of a transposed convolution.

    Returns the input batch, whether it was unbatched, and weight and bias converted to the
    common result dtype (bias may be None).
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    weight = as_float_array(weight, "weight")
    if weight.ndim != 4 or 0 in weight.shape:
        raise ValueError(
            "weight: expected a non-empty 4-D array (C_in, C_out/groups, kH, kW), "
            f"got shape {weight.shape}"
        )
    groups = as_positive_int(groups, "groups")
    c_in = batch.shape[1]
    if weight.shape[0] % groups != 0:
        raise ValueError(
            f"groups: expected a divisor of C_in = weight.shape[0] = {weight.shape[0]}, "
            f"got {groups}"
        )
    if c_in != weight.shape[0]:
        raise ValueError(
            f"weight: expected C_in = {c_in} on axis 0 to match the channels of x "
            f"(shape {np.shape(x)}), got shape {weight.shape}"
        )
    arrays = [batch, weight]
    if bias is not None:
        bias = as_float_array(bias, "bias")
        c_out = weight.shape[1] * groups
        if bias.shape != (c_out,):
            raise ValueError(f"bias: expected shape (C_out,) = ({c_out},), got shape {bias.shape}")
        arrays.append(bias)
    dtype = np.result_type(*arrays)
    weight = weight.astype(dtype, copy=False)
    bias = None if bias is None else bias.astype(dtype, copy=False)
    return batch.astype(dtype, copy=False), unbatched, weight, bias, groups


def conv_transpose2d(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, dilation=1, groups=1
):
    """2-D transposed convolution ("deconvolution"), equal to `F.conv_transpose2d`.

    Every input pixel stamps a copy of the kernel, multiplied by the pixel's value, onto the
    output; the copies of neighbouring pixels sit `stride` pixels apart, and where they overlap
    they add up. With stride 2 the output is about twice as large as the input. `padding`
    crops that many rows and columns off each side of the result, `output_padding` adds rows
    (columns) at the bottom (right), and `dilation` spreads the kernel's taps apart. It is
    the transpose (adjoint) of `conv2d` with the same arguments: the gradient of a
    convolution with respect to its input.

    Computed in two steps: one matrix product gives every pixel's stamp at once, and a loop
    over the `kH * kW` kernel offsets adds offset `(i, j)` of all stamps into the strided
    slice of the output where it lands.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        Input images.
    weight : array_like, shape (C_in, C_out / groups, kH, kW)
        Kernels. Note the order: input channels first (the reverse of `conv2d`).
    bias : array_like, shape (C_out,), optional
        Added to every pixel of each output channel.
    stride : int or (int, int), default 1
        Distance between the stamps of neighbouring input pixels.
    padding : int or (int, int), default 0
        Rows (columns) cut off each side of the result.
    output_padding : int or (int, int), default 0
        Extra rows (columns) at the bottom (right); each must be smaller than the stride or
        the dilation.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.
    groups : int, default 1
        Split the channels into this many independent groups.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        `H_out = (H - 1) * sH - 2 * pH + dH * (kH - 1) + output_padding_H + 1`, likewise `W_out`.

    Examples
    --------
    The worked example of the UBC slides: each pixel of `x` stamps the kernel, overlaps add.

    >>> x = np.array([[[1., 2], [2, 4]]])
    >>> k = np.array([[[[1., 2], [2, 1]]]])
    >>> conv_transpose2d(x, k)
    array([[[ 1.,  4.,  4.],
            [ 4., 13., 10.],
            [ 4., 10.,  4.]]])
    >>> conv_transpose2d(x, k, stride=2)
    array([[[1., 2., 2., 4.],
            [2., 1., 4., 2.],
            [2., 4., 4., 8.],
            [4., 2., 8., 4.]]])
    """
    batch, unbatched, weight, bias, groups = _transposed_arguments(x, weight, bias, groups)
    n, c_in, h, w = batch.shape
    _, c_out_per_group, kh, kw = weight.shape
    c_in_per_group, c_out = c_in // groups, c_out_per_group * groups
    out_h, out_w = conv_transpose_output_size(
        (h, w), (kh, kw), stride, padding, output_padding, dilation
    )
    sh, sw = as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding")
    dh, dw = as_pair(dilation, "dilation")

    # 1. The stamps: stamps[b, g, i, j, o, y, x] = sum over c of x[b, c, y, x] * weight[c, o, i, j],
    #    summed over the channels c of group g (o numbers the output channels within the group).
    #    One matrix product per image and group: (kH kW C_out/groups, C_in/groups) times
    #    (C_in/groups, H W). The weight's rows are ordered by kernel offset first, so that the
    #    stamps of one offset (i, j) form one contiguous block per image and group.
    w_rows = weight.reshape(groups, c_in_per_group, c_out_per_group, kh, kw)
    w_rows = np.ascontiguousarray(w_rows.transpose(0, 3, 4, 2, 1))  # (g, i, j, o, c)
    w_rows = w_rows.reshape(groups, kh * kw * c_out_per_group, c_in_per_group)
    x_cols = batch.reshape(n, groups, c_in_per_group, h * w)
    stamps = np.matmul(w_rows, x_cols).reshape(n, groups, kh, kw, c_out_per_group, h, w)

    # 2. Overlaps add: kernel offset (i, j) of the stamp of input pixel (y, x) lands on pixel
    #    (y * sH + i * dH, x * sW + j * dW) of the uncropped canvas. The canvas is large enough
    #    for every stamp and for the output window, which starts at (pH, pW).
    canvas_h = max((h - 1) * sh + dh * (kh - 1) + 1, ph + out_h)
    canvas_w = max((w - 1) * sw + dw * (kw - 1) + 1, pw + out_w)
    canvas = np.zeros((n, groups, c_out_per_group, canvas_h, canvas_w), dtype=batch.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (h - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (w - 1) * sw + 1, sw)
            canvas[..., rows, cols] += stamps[:, :, i, j]
    canvas = canvas.reshape(n, c_out, canvas_h, canvas_w)

    out = np.ascontiguousarray(canvas[:, :, ph : ph + out_h, pw : pw + out_w])
    if bias is not None:
        out += bias[:, np.newaxis, np.newaxis]
    return restore_batch(out, unbatched)


def _pad_then_crop(x: np.ndarray, top: int, bottom: int, left: int, right: int) -> np.ndarray:
    """Add zero rows/columns on each side; a negative amount removes that many instead."""
    x = np.pad(x, ((0, 0), (0, 0), (max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0))))
    h, w = x.shape[2:]
    return x[:, :, max(-top, 0) : h - max(-bottom, 0), max(-left, 0) : w - max(-right, 0)]


def conv_transpose2d_zero_insertion(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    """Transposed convolution computed as a "fractionally strided" ordinary convolution.

    The same result as `conv_transpose2d` (without dilation and groups), by another route that
    explains the name "convolution with stride 1/s":

    1. insert `s - 1` zeros between neighbouring pixels (bed of nails, without the trailing
       zeros), so the input pixels sit `s` apart;
    2. pad `k - 1 - p` zeros on each side, and `output_padding` more at the bottom (right); if
       `p > k - 1` the amount is negative and that many rows (columns) are cropped instead;
    3. run an ordinary stride-1 `conv2d` with the kernel flipped in both directions and its
       input and output channel axes swapped.

    Step 3 works because a stamp of the kernel seen from the output pixel's side is the kernel
    read backwards. This route wastes work on the inserted zeros; `conv_transpose2d` does not.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W) or (C_in, H, W)
        Input images.
    weight : array_like, shape (C_in, C_out, kH, kW)
        Kernels, in `conv_transpose2d`'s layout.
    bias : array_like, shape (C_out,), optional
    stride, padding, output_padding : int or (int, int)
        As in `conv_transpose2d`.

    Returns
    -------
    numpy.ndarray, shape (N, C_out, H_out, W_out) or (C_out, H_out, W_out)
        Equal to `conv_transpose2d(x, weight, bias, stride, padding, output_padding)`.

    Examples
    --------
    >>> x = np.array([[[1., 2], [2, 4]]])
    >>> k = np.array([[[[1., 2], [2, 1]]]])
    >>> conv_transpose2d_zero_insertion(x, k)
    array([[[ 1.,  4.,  4.],
            [ 4., 13., 10.],
            [ 4., 10.,  4.]]])
    """
    batch, unbatched, weight, bias, _ = _transposed_arguments(x, weight, bias, 1)
    n, c_in, h, w = batch.shape
    kh, kw = weight.shape[2:]
    conv_transpose_output_size((h, w), (kh, kw), stride, padding, output_padding)  # checks
    sh, sw = as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding")
    oph, opw = as_pair(output_padding, "output_padding")

    spread = np.zeros((n, c_in, (h - 1) * sh + 1, (w - 1) * sw + 1), dtype=batch.dtype)
    spread[:, :, ::sh, ::sw] = batch
    spread = _pad_then_crop(spread, kh - 1 - ph, kh - 1 - ph + oph, kw - 1 - pw, kw - 1 - pw + opw)
    flipped = weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]  # (C_out, C_in, kH, kW)
    return restore_batch(conv2d(spread, flipped, bias), unbatched)
