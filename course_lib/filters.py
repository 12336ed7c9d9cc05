"""Hand-designed filters: the kernels people used before networks learned their own.

Every kernel is a float64 array meant for cross-correlation, the operation that
`torch.nn.functional.conv2d` and `course_lib.corr2d` compute: the output at a pixel is the sum of
the kernel times the image patch under it, without flipping the kernel. All kernels are laid out
as images are: the first axis runs down the rows (y grows downwards) and the second axis runs
along the columns (x grows to the right), and the kernel's centre is the point `((kH - 1) / 2,
(kW - 1) / 2)`, which falls between pixels when a size is even.

"Integral" filters (mean, Gaussian) sum to 1, so they keep the brightness of flat regions;
"derivative" filters (Sobel, Laplacian of Gaussian) sum to 0, so flat regions give 0.
The median filter is the odd one out: it is not a convolution at all, because it is not linear.

    >>> mean_kernel(3).sum()
    np.float64(1.0)
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._validation import as_float_array, as_pair, as_real_number

__all__ = [
    "mean_kernel",
    "gaussian_kernel",
    "sobel_kernels",
    "laplacian_of_gaussian",
    "gabor_kernel",
    "median_filter",
]


def _offsets(size) -> tuple[np.ndarray, np.ndarray]:
    """Each pixel's offset `(y, x)` from the kernel centre, as a `(kH, 1)` column and a `(1, kW)` row."""
    k_h, k_w = as_pair(size, "size", minimum=1)
    y = np.arange(k_h, dtype=np.float64)[:, np.newaxis] - (k_h - 1) / 2
    x = np.arange(k_w, dtype=np.float64)[np.newaxis, :] - (k_w - 1) / 2
    return y, x


def mean_kernel(size) -> np.ndarray:
    """Box filter: every weight equals `1 / (kH * kW)`, so the output is the window's average.

    Averaging removes noise but blurs edges just as much, because it treats every pixel of the
    window alike (see the slides' worked example of a 3x3 mean filter on a 10x10 image).

    Parameters
    ----------
    size : int or (int, int)
        Kernel size `k` or `(kH, kW)`, each >= 1.

    Returns
    -------
    kernel : ndarray, shape (kH, kW), float64
        Constant weights summing to 1.

    Examples
    --------
    >>> mean_kernel((2, 3))
    array([[0.16666667, 0.16666667, 0.16666667],
           [0.16666667, 0.16666667, 0.16666667]])
    """
    k_h, k_w = as_pair(size, "size", minimum=1)
    return np.full((k_h, k_w), 1.0 / (k_h * k_w))


def gaussian_kernel(size, sigma: float) -> np.ndarray:
    """Sampled 2-D Gaussian, normalised to sum to 1: a weighted average favouring the centre.

    Each weight is proportional to the Gaussian density
    `h(u, v) = exp(-(u**2 + v**2) / (2 * sigma**2)) / (2 * pi * sigma**2)` at the pixel's
    offset `(u, v)` from the kernel centre. Because the sampled values do not sum exactly to 1
    on a finite grid, the kernel is divided by its sum, so the density's constant factor drops
    out. A larger `sigma` blurs more; a kernel about `6 * sigma` wide holds nearly all the mass.

    Erratum: the UC Merced slides (Lecture 12) write the exponent as `-(u**2 + v**2) / sigma**2`.
    The Gaussian density has `2 * sigma**2` there; with the slides' formula, `sigma` would be
    the standard deviation times sqrt(2).

    Parameters
    ----------
    size : int or (int, int)
        Kernel size `k` or `(kH, kW)`, each >= 1.
    sigma : float
        Standard deviation in pixels, > 0.

    Returns
    -------
    kernel : ndarray, shape (kH, kW), float64
        Positive weights summing to 1, symmetric under flips and (if square) transposition.

    Examples
    --------
    >>> k = gaussian_kernel(3, sigma=1.0)
    >>> k.round(4)
    array([[0.0751, 0.1238, 0.0751],
           [0.1238, 0.2042, 0.1238],
           [0.0751, 0.1238, 0.0751]])
    >>> bool(np.isclose(k[1, 1] / k[1, 2], np.exp(0.5)))   # one pixel away: exp(-1 / (2 sigma^2))
    True
    """
    sigma = as_real_number(sigma, "sigma", minimum=0, strict=True)
    y, x = _offsets(size)
    kernel = np.exp(-(x**2 + y**2) / (2 * sigma**2))
    return kernel / kernel.sum()


def sobel_kernels() -> tuple[np.ndarray, np.ndarray]:
    """The two 3x3 Sobel kernels `(kx, ky)`: smoothed derivatives along x and along y.

    `kx` differentiates along x (across the columns) and smooths along y with weights 1, 2, 1.
    It therefore responds to **vertical** edges, where brightness changes from left to right.
    `ky = kx.T` differentiates along y (down the rows) and responds to **horizontal** edges.

    Sign convention, under cross-correlation (`course_lib.corr2d`, `torch.nn.functional.conv2d`):
    `kx` gives a positive output where the image gets brighter to the right (dark on the left,
    bright on the right), and `ky` a positive output where it gets brighter downwards (dark
    above, bright below). A true convolution flips the kernel and so flips both signs.
    Both kernels sum to 0, so flat regions give 0.

    Returns
    -------
    kx : ndarray, shape (3, 3), float64
        `[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]`.
    ky : ndarray, shape (3, 3), float64
        `[[-1, -2, -1], [0, 0, 0], [1, 2, 1]]`, the transpose of `kx`.

    Examples
    --------
    >>> kx, ky = sobel_kernels()
    >>> kx
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> step = np.array([[0., 0., 1.], [0., 0., 1.], [0., 0., 1.]])   # dark left, bright right
    >>> float((kx * step).sum()), float((ky * step).sum())
    (4.0, 0.0)
    """
    kx = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    return kx, kx.T.copy()


def laplacian_of_gaussian(size, sigma: float) -> np.ndarray:
    """Laplacian of a Gaussian (LoG): a smoothed second derivative that finds blobs and edges.

    The weights sample the Laplacian `d2h/du2 + d2h/dv2` of the Gaussian density `h` with
    standard deviation `sigma`:

        LoG(u, v) = (r**2 - 2 * sigma**2) / (2 * pi * sigma**6) * exp(-r**2 / (2 * sigma**2)),

    with `r**2 = u**2 + v**2`. The sampled weights then have their mean subtracted, so that the
    kernel sums to exactly 0 (the continuous LoG integrates to 0, a finite window does not). The centre is **negative** and
    is surrounded by a positive ring: under cross-correlation, a dark dot on a bright surround
    gives a large positive output and a bright dot on a dark surround a large negative one.
    Negate the kernel for the opposite ("Mexican hat") convention.

    Parameters
    ----------
    size : int or (int, int)
        Kernel size `k` or `(kH, kW)`, each >= 1; take it at least about `6 * sigma` wide so
        that the positive ring fits in the window.
    sigma : float
        Standard deviation of the Gaussian in pixels, > 0.

    Returns
    -------
    kernel : ndarray, shape (kH, kW), float64
        Zero-sum weights with a negative centre.

    Examples
    --------
    >>> k = laplacian_of_gaussian(9, sigma=1.4)
    >>> bool(abs(k.sum()) < 1e-15), bool(k[4, 4] == k.min() < 0)
    (True, True)
    """
    sigma = as_real_number(sigma, "sigma", minimum=0, strict=True)
    y, x = _offsets(size)
    r2 = x**2 + y**2
    kernel = (r2 - 2 * sigma**2) / (2 * np.pi * sigma**6) * np.exp(-r2 / (2 * sigma**2))
    return kernel - kernel.mean()


def gabor_kernel(size, sigma: float, theta: float, wavelength: float, phase: float = 0.0,
                 aspect: float = 1.0) -> np.ndarray:
    """Gabor filter: a Gaussian envelope times a cosine wave, tuned to one orientation and scale.

    With `(u, v)` the offset of a pixel from the centre (u to the right, v downwards), the
    coordinates are rotated by `theta`,

        x' = u * cos(theta) + v * sin(theta),     y' = -u * sin(theta) + v * cos(theta),

    and the kernel is

        g(u, v) = exp(-(x'**2 + aspect**2 * y'**2) / (2 * sigma**2))
                  * cos(2 * pi * x' / wavelength + phase).

    The wave runs along the direction `theta` (measured from the x-axis, and clockwise on screen
    because rows grow downwards), so its stripes are perpendicular to it: `theta = 0` gives
    vertical stripes and responds to vertical edges and lines, `theta = pi / 2` to horizontal ones.
    `phase = 0` gives the even (cosine) filter, which responds to lines; `phase = -pi / 2` gives
    the odd (sine) filter, an oriented derivative that responds to edges and, under
    cross-correlation, is positive where the image gets brighter along `theta`. The odd filter
    sums to 0; the even one nearly does once `sigma` is comparable to `wavelength`.
    `aspect` < 1 stretches the envelope along the stripes. The peak of the envelope is 1; the
    kernel is not otherwise normalised.

    Parameters
    ----------
    size : int or (int, int)
        Kernel size `k` or `(kH, kW)`, each >= 1.
    sigma : float
        Standard deviation of the Gaussian envelope (along x') in pixels, > 0.
    theta : float
        Direction of the wave, in radians.
    wavelength : float
        Period of the cosine in pixels, > 0.
    phase : float, optional
        Phase offset of the cosine in radians.
    aspect : float, optional
        Spatial aspect ratio of the envelope (its width along x' over its width along y'), > 0.

    Returns
    -------
    kernel : ndarray, shape (kH, kW), float64

    Examples
    --------
    >>> g = gabor_kernel(5, sigma=2.0, theta=0.0, wavelength=4.0)
    >>> g[2].round(3) + 0.0          # the centre row: a cosine of period 4 under the envelope
    array([-0.607,  0.   ,  1.   ,  0.   , -0.607])
    >>> g[:, 2].round(3)              # the centre column: the envelope alone
    array([0.607, 0.882, 1.   , 0.882, 0.607])
    """
    sigma = as_real_number(sigma, "sigma", minimum=0, strict=True)
    theta = as_real_number(theta, "theta")
    wavelength = as_real_number(wavelength, "wavelength", minimum=0, strict=True)
    phase = as_real_number(phase, "phase")
    aspect = as_real_number(aspect, "aspect", minimum=0, strict=True)
    v, u = _offsets(size)
    x_rot = u * np.cos(theta) + v * np.sin(theta)
    y_rot = -u * np.sin(theta) + v * np.cos(theta)
    envelope = np.exp(-(x_rot**2 + aspect**2 * y_rot**2) / (2 * sigma**2))
    return envelope * np.cos(2 * np.pi * x_rot / wavelength + phase)


def median_filter(x, size=3) -> np.ndarray:
    """Median of every `(kH, kW)` window: removes salt-and-pepper noise while keeping edges.

    The window slides exactly as in `course_lib.corr2d` (stride 1, no padding), so the output has
    the "valid" shape `(H - kH + 1, W - kW + 1)`. Each output is the median of the window's
    values; for an even number of values it is the mean of the two middle ones (`np.median`).
    An isolated outlier never reaches the middle of the sorted window, so it disappears instead
    of being smeared out as by a mean filter. The median filter is not a convolution: it is not
    linear, `median(a + b)` differs from `median(a) + median(b)` in general.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A gray-scale image. Integers become float64; float32 stays float32.
    size : int or (int, int), optional
        Window size `k` or `(kH, kW)`, each >= 1 and no larger than the image.

    Returns
    -------
    out : ndarray, shape (H - kH + 1, W - kW + 1)

    Examples
    --------
    >>> noisy = np.array([[1, 1, 1, 1],
    ...                   [1, 9, 1, 1],
    ...                   [1, 1, 1, 0],
    ...                   [1, 1, 1, 1]])
    >>> median_filter(noisy)                # the outliers 9 and 0 are gone
    array([[1., 1.],
           [1., 1.]])
    """
    image = as_float_array(x, "x")
    if image.ndim != 2:
        raise ValueError(f"x: expected a 2-D array (H, W), got shape {image.shape}")
    k_h, k_w = as_pair(size, "size", minimum=1)
    if k_h > image.shape[0] or k_w > image.shape[1]:
        raise ValueError(
            f"size: expected a window no larger than the image {image.shape}, got {(k_h, k_w)}"
        )
    windows = sliding_window_view(image, (k_h, k_w))  # (H - kH + 1, W - kW + 1, kH, kW), a view
    return np.median(windows.reshape(*windows.shape[:2], k_h * k_w), axis=-1)
