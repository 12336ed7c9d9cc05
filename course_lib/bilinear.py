"""Bilinear interpolation as a transposed convolution with a fixed "tent" kernel.

Bilinear upsampling by an integer factor `f` is linear and the same at every position, so it
is a transposed convolution with stride `f`: every input pixel stamps a tent (pyramid) of
weights `1 - |distance| / f`, and where the tents of neighbouring pixels overlap their weights
add up to exactly the two-neighbour blend of bilinear interpolation. This is why an FCN
initialises its upsampling layers with this kernel: before training they interpolate, and
training can only improve on that.

Two conventions, matching `F.interpolate(mode="bilinear")`:

- `align_corners=True`: the tent is `2f - 1` pixels wide and peaks at its centre; with stride
  `f` and padding `f - 1` an image of size `n` becomes `f (n - 1) + 1`, and the first and last
  pixels stay where they were.
- `align_corners=False`: the FCN kernel, `2f - f % 2` pixels wide (even for even `f`, so its
  peak falls between two pixels); with stride `f` and padding `ceil((f - 1) / 2)` an image of
  size `n` becomes `f n`. The result equals `F.interpolate(x, scale_factor=f)` except on a
  border `f // 2` pixels wide, where interpolation copies the edge pixel but the transposed
  convolution blends it with the zeros outside the image. Padding the input by one pixel
  (edge replication) first and cropping `f` pixels off every side of the result makes it
  equal everywhere.

    >>> import numpy as np
    >>> bilinear_kernel(2)
    array([[0.0625, 0.1875, 0.1875, 0.0625],
           [0.1875, 0.5625, 0.5625, 0.1875],
           [0.1875, 0.5625, 0.5625, 0.1875],
           [0.0625, 0.1875, 0.1875, 0.0625]])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_bool, as_image_batch, as_positive_int, restore_batch
from .upsampling import conv_transpose2d

__all__ = ["bilinear_kernel", "bilinear_upsample_weight", "upsample_bilinear_by_transposed_conv"]


def bilinear_kernel(factor, align_corners=False) -> np.ndarray:
    """The 2-D tent kernel of bilinear upsampling by an integer factor.

    Entry `(i, j)` is `(1 - |i - c| / f) * (1 - |j - c| / f)`: the weight that an input pixel
    gives to the output pixel `(i - c, j - c)` steps away from it, where the centre `c` is the
    pixel's own position in the output. The tent reaches zero `f` pixels from the centre.

    - `align_corners=True`: size `2f - 1`, centre `f - 1`.
    - `align_corners=False`: size `2f - f % 2`, centre `f - 1` for odd `f` (the same kernel as
      above) and `f - 0.5` for even `f`, where an input pixel's centre falls between two output
      pixels. This is the kernel of FCN (Long, Shelhamer and Darrell, 2015).

    Parameters
    ----------
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        Which convention of `upsample_bilinear` the kernel reproduces.

    Returns
    -------
    numpy.ndarray, shape (k, k), float64
        `k = 2f - 1` if `align_corners`, else `2f - f % 2`.

    Examples
    --------
    The kernel of the UC Merced slides (factor 2, corners aligned):

    >>> bilinear_kernel(2, align_corners=True)
    array([[0.25, 0.5 , 0.25],
           [0.5 , 1.  , 0.5 ],
           [0.25, 0.5 , 0.25]])
    >>> bilinear_kernel(1)
    array([[1.]])
    """
    f = as_positive_int(factor, "factor")
    align_corners = as_bool(align_corners, "align_corners")
    size = 2 * f - 1 if align_corners else 2 * f - f % 2
    centre = f - 1 if size % 2 == 1 else f - 0.5
    tent = 1 - np.abs(np.arange(size) - centre) / f
    return np.outer(tent, tent)


def bilinear_upsample_weight(channels, factor, align_corners=False) -> np.ndarray:
    """Weight of a transposed convolution that upsamples every channel bilinearly.

    Output channel `o` reads only input channel `o`, through `bilinear_kernel(factor)`:
    `weight[c, c]` is the kernel and `weight[c, o]` is zero for `o != c`. This is how FCN
    initialises its upsampling layers (`ConvTranspose2d(C, C, k, stride=factor)`).

    Parameters
    ----------
    channels : int
        Number of channels `C`, >= 1 (the same going in and out).
    factor : int
        Upsampling factor, >= 1.
    align_corners : bool, default False
        Passed on to `bilinear_kernel`.

    Returns
    -------
    numpy.ndarray, shape (C, C, k, k), float64
        In `conv_transpose2d`'s layout `(C_in, C_out, kH, kW)`.

    Examples
    --------
    >>> w = bilinear_upsample_weight(3, 2)
    >>> w.shape
    (3, 3, 4, 4)
    >>> bool((w[1, 1] == bilinear_kernel(2)).all()), bool((w[0, 1] == 0).all())
    (True, True)
    """
    channels = as_positive_int(channels, "channels")
    kernel = bilinear_kernel(factor, align_corners)
    weight = np.zeros((channels, channels) + kernel.shape)
    weight[np.arange(channels), np.arange(channels)] = kernel
    return weight


def upsample_bilinear_by_transposed_conv(x, factor, align_corners=False) -> np.ndarray:
    """Bilinear upsampling computed by `conv_transpose2d` with the tent kernel.

    - `align_corners=True`: `conv_transpose2d(x, w, stride=f, padding=f - 1)` gives size
      `f (H - 1) + 1` and equals `upsample_bilinear(x, size=(f (H - 1) + 1, f (W - 1) + 1),
      align_corners=True)`.
    - `align_corners=False`: `conv_transpose2d(x, w, stride=f, padding=f // 2)` gives size
      `f H` and equals `upsample_bilinear(x, scale_factor=f)` everywhere except a border
      `f // 2` pixels wide. To be exact everywhere, the input is first padded by one pixel
      that repeats the edge, and `f` more pixels are cropped off every side of the result
      (`padding=f // 2 + f`). (`f // 2` is `ceil((f - 1) / 2)`.)

    Here `w = bilinear_upsample_weight(C, f, align_corners)`.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W) or (C, H, W)
        Input images.
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        Which convention of `upsample_bilinear` to reproduce.

    Returns
    -------
    numpy.ndarray, shape (N, C, H_out, W_out) or (C, H_out, W_out)
        `H_out = f (H - 1) + 1` if `align_corners`, else `f H`.

    Examples
    --------
    >>> x = np.array([[[0., 4.]]])
    >>> upsample_bilinear_by_transposed_conv(x, 2, align_corners=True)
    array([[[0., 2., 4.]]])
    >>> upsample_bilinear_by_transposed_conv(x, 2)
    array([[[0., 1., 3., 4.],
            [0., 1., 3., 4.]]])
    """
    batch, unbatched = as_image_batch(x, "x", nonempty=True)
    f = as_positive_int(factor, "factor")
    align_corners = as_bool(align_corners, "align_corners")
    weight = bilinear_upsample_weight(batch.shape[1], f, align_corners).astype(batch.dtype)
    if align_corners:
        out = conv_transpose2d(batch, weight, stride=f, padding=f - 1)
    else:
        padded = np.pad(batch, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
        out = conv_transpose2d(padded, weight, stride=f, padding=f // 2 + f)
    return restore_batch(out, unbatched)
