"""Linear interpolation in one dimension, written as a sum of stamped triangles.

These are the 1-D pieces behind `course_lib.bilinear`. Samples `x[j]` sit at the integer
positions `j`; the linear interpolant between them is

    f(t) = sum_j x[j] * hat(t - j),      hat(t) = max(0, 1 - |t|),

a sum of triangles, one per sample, each as tall as its sample. Upsampling by an integer factor
`f` reads `f(t)` at evenly spaced positions `t_i` (`source_positions`); the triangle of sample
`j`, read there, gives the same weights `triangle_weights(f)` around every sample, shifted by
`f` output pixels per sample. That is a transposed convolution with stride `f`, and the outer
product of the 1-D weights with themselves is the 2-D kernel `bilinear_kernel(f)`.

At the two ends `F.interpolate` clamps: an output position before the first sample takes
`x[0]`. The sum of triangles sees nothing there (zero) instead; `triangle_stamps` with
`replicate_edges=True` adds one copy of the end samples outside, which repairs it.

    >>> import numpy as np
    >>> triangle_weights(2, align_corners=True)
    array([0.5, 1. , 0.5])
    >>> source_positions(3, 2, align_corners=True)
    array([0. , 0.5, 1. , 1.5, 2. ])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_bool, as_float_array, as_positive_int

__all__ = [
    "hat",
    "source_positions",
    "interpolate_linear",
    "triangle_stamps",
    "triangle_weights",
]


def as_bool(value, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def _as_samples(x, name: str = "x") -> np.ndarray:
    """A float array with at least one axis and at least one sample along its last axis."""
    samples = as_float_array(x, name)
    if samples.ndim == 0 or samples.shape[-1] == 0:
        raise ValueError(f"{name}: expected at least one sample along the last axis, got shape {samples.shape}")
    return samples


def hat(t) -> np.ndarray:
    """The triangle ("hat") function of linear interpolation, `max(0, 1 - |t|)`.

    It is 1 at `t = 0`, falls linearly to 0 at `t = -1` and `t = 1`, and is 0 beyond. A sample at
    position `j` contributes `x[j] * hat(t - j)` to the interpolant at `t`.

    Parameters
    ----------
    t : array_like, any shape
        Positions, in units of the sample spacing.

    Returns
    -------
    numpy.ndarray, the shape of `t`
        float64 (float32 stays float32).

    Examples
    --------
    >>> hat([-1.5, -0.5, 0.0, 0.25, 1.0])
    array([0.  , 0.5 , 1.  , 0.75, 0.  ])
    """
    t = as_float_array(t, "t")
    return np.maximum(0, 1 - np.abs(t)).astype(t.dtype, copy=False)


def source_positions(n, factor, align_corners=False) -> np.ndarray:
    """Where the output samples of an upsampling by `factor` lie, in input coordinates.

    Input sample `j` sits at position `j` (pixel centres). Output sample `i` reads the input at

    - `align_corners=True`:  `t_i = i / f`, for `i = 0 .. f (n - 1)`: the first and last output
      samples sit exactly on the first and last input samples (`f (n - 1) + 1` outputs);
    - `align_corners=False`: `t_i = (i + 1/2) / f - 1/2`, for `i = 0 .. f n - 1`: pixels are
      squares of side 1 (side `1/f` at the output), and output pixel centres are spread evenly
      over the same extent `[-1/2, n - 1/2]` as the input pixels (`f n` outputs).

    These are the positions `torch.nn.functional.interpolate` uses for the sizes above.

    Parameters
    ----------
    n : int
        Number of input samples, >= 1.
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        The convention.

    Returns
    -------
    numpy.ndarray, shape (f (n - 1) + 1,) or (f n,), float64

    Examples
    --------
    >>> source_positions(2, 2)
    array([-0.25,  0.25,  0.75,  1.25])
    >>> source_positions(2, 3) * 3
    array([-1.,  0.,  1.,  2.,  3.,  4.])
    """
    n = as_positive_int(n, "n")
    f = as_positive_int(factor, "factor")
    if as_bool(align_corners, "align_corners"):
        return np.arange(f * (n - 1) + 1) / f
    return (np.arange(f * n) + 0.5) / f - 0.5


def interpolate_linear(x, factor, align_corners=False) -> np.ndarray:
    """Upsample samples along the last axis by linear interpolation, as `F.interpolate` does.

    Output `i` is the interpolant read at `source_positions(n, factor, align_corners)[i]`: the
    two neighbouring samples blended by distance. Positions before the first sample or after the
    last (they occur only with `align_corners=False`, within half an input pixel of the ends)
    are clamped to the end samples. This equals `F.interpolate(x, mode="linear")` with
    `size=f (n - 1) + 1, align_corners=True` or `scale_factor=f, align_corners=False`.

    Parameters
    ----------
    x : array_like, shape (..., n)
        Samples; every leading axis is interpolated independently.
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        The convention of `source_positions`.

    Returns
    -------
    numpy.ndarray, shape (..., f (n - 1) + 1) or (..., f n)
        float64 for integer input; float32 stays float32.

    Examples
    --------
    >>> interpolate_linear([0, 4], 2, align_corners=True)
    array([0., 2., 4.])
    >>> interpolate_linear([0, 4], 2)
    array([0., 1., 3., 4.])
    """
    samples = _as_samples(x)
    n = samples.shape[-1]
    t = np.clip(source_positions(n, factor, align_corners), 0, n - 1)
    left = np.minimum(np.floor(t).astype(np.int64), n - 1)
    right = np.minimum(left + 1, n - 1)
    weight = (t - left).astype(samples.dtype)
    return samples[..., left] * (1 - weight) + samples[..., right] * weight


def triangle_stamps(x, factor, align_corners=False, replicate_edges=False) -> np.ndarray:
    """Each sample's triangle, read at the output positions: the terms of the interpolant.

    Row `j` is `x[j] * hat(t_i - j)` over the output positions `t_i` of `source_positions`.
    Summed over the rows it is the 1-D transposed convolution of `x` with `triangle_weights`;
    that sum equals `interpolate_linear` everywhere with `align_corners=True`, and away from the
    ends with `align_corners=False`. With `replicate_edges=True`, two more rows come first and
    last: copies of `x[0]` at position -1 and of `x[n - 1]` at position `n`. They fill the gap
    at the ends, and the sum then equals `interpolate_linear` everywhere.

    Parameters
    ----------
    x : array_like, shape (n,)
        Samples at positions 0 .. n - 1.
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        The convention of `source_positions`.
    replicate_edges : bool, default False
        Add the two edge copies (rows for positions -1 and n).

    Returns
    -------
    numpy.ndarray, shape (n, m) or (n + 2, m)
        `m = f (n - 1) + 1` if `align_corners`, else `f n`.

    Examples
    --------
    >>> triangle_stamps([2, 4], 2)
    array([[1.5, 1.5, 0.5, 0. ],
           [0. , 1. , 3. , 3. ]])
    >>> triangle_stamps([2, 4], 2, replicate_edges=True).sum(axis=0)
    array([2. , 2.5, 3.5, 4. ])
    """
    samples = _as_samples(x)
    if samples.ndim != 1:
        raise ValueError(f"x: expected a 1-D array of samples, got shape {samples.shape}")
    replicate = as_bool(replicate_edges, "replicate_edges")
    n = samples.size
    t = source_positions(n, factor, align_corners)
    positions = np.arange(n)
    if replicate:
        samples = np.concatenate([samples[:1], samples, samples[-1:]])
        positions = np.arange(-1, n + 1)
    weights = hat(t[np.newaxis, :] - positions[:, np.newaxis]).astype(samples.dtype)
    return samples[:, np.newaxis] * weights


def triangle_weights(factor, align_corners=False) -> np.ndarray:
    """The 1-D kernel of linear upsampling by `factor`: the triangle, sampled at the output pixels.

    Entry `u` is `1 - |u - c| / f`, the weight that one input sample gives to the output pixel
    `u - c` output steps away from its own position `c` in the kernel. It is the triangle
    `hat` of the sample, stretched to `f` output pixels per input pixel and read at the output
    positions, keeping only the nonzero taps:

    - `align_corners=True`: the sample sits on an output pixel; `2f - 1` taps, centre `f - 1`.
    - `align_corners=False`: for odd `f` the same; for even `f` the sample falls halfway between
      two output pixels, so there are `2f` taps and the centre is `f - 1/2`. In short, size
      `2f - f % 2`.

    The weights sum to `f`: each input sample stands for `f` output pixels. Their outer product
    with themselves is `bilinear_kernel(factor, align_corners)`.

    Parameters
    ----------
    factor : int
        Upsampling factor `f`, >= 1.
    align_corners : bool, default False
        The convention of `source_positions`.

    Returns
    -------
    numpy.ndarray, shape (2f - 1,) if `align_corners` else (2f - f % 2,), float64

    Examples
    --------
    >>> triangle_weights(2)
    array([0.25, 0.75, 0.75, 0.25])
    >>> triangle_weights(3)
    array([0.33333333, 0.66666667, 1.        , 0.66666667, 0.33333333])
    """
    f = as_positive_int(factor, "factor")
    size = 2 * f - 1 if as_bool(align_corners, "align_corners") else 2 * f - f % 2
    centre = (size - 1) / 2
    return 1 - np.abs(np.arange(size) - centre) / f
