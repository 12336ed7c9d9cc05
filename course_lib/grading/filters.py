"""Exercises on classic image filters (notebook 01): gaussian_kernel and median_filter."""

from __future__ import annotations

import numpy as np

from ..filters import gaussian_kernel, median_filter
from .cases import BINARY_IMAGE, int_or_pair, pick, quarters
from .core import Args, Case, Exercise, Mistake, register
from .mistakes import one_short, pair, swapped_pairs

__all__: list[str] = []


# ---------------------------------------------------------------------------------------------
# gaussian_kernel
# ---------------------------------------------------------------------------------------------


_VISIBLE_SIGMAS = (0.5, 1.0, 1.5, 2.0)


def _gaussian_case(rng, hidden: bool, index: int) -> Case:
    high = 9 if hidden else 7
    even = index % 3 == 1  # even sizes put the centre between two pixels
    size = int_or_pair(rng, 2, high, as_pair=index % 3 == 2)
    if even and isinstance(size, int):
        size += size % 2
    sigma = float(pick(rng, _VISIBLE_SIGMAS))
    if hidden:  # other values than the visible set's, so that no hidden case repeats a visible one
        sigma = round(float(rng.uniform(0.5, 3.0)), 2)
        sigma += 0.01 if sigma in _VISIBLE_SIGMAS else 0.0
    return Case((size, sigma), {}, f"size={size}, sigma={sigma}")


def _offsets(size):
    k_h, k_w = pair(size)
    return (np.arange(k_h) - (k_h - 1) / 2)[:, None], (np.arange(k_w) - (k_w - 1) / 2)[None, :]


def _gaussian_formula(a: Args) -> list[str]:
    k_h, k_w = pair(a.size)
    return [
        f"expected shape (kH, kW) = {(k_h, k_w)}",
        f"kernel[a, b] = exp(-(u**2 + v**2) / (2 sigma**2)) / (sum of all of them), with "
        f"u = a - (kH - 1)/2 = a - {(k_h - 1) / 2}, v = b - (kW - 1)/2 = b - {(k_w - 1) / 2}",
    ]


def _unnormalised(a: Args, scale):
    u, v = _offsets(a.size)
    return np.exp(-(u**2 + v**2) / (2 * a.sigma**2)) * scale(a.sigma)


def _centred_on_half(a: Args):
    k_h, k_w = pair(a.size)
    if k_h % 2 and k_w % 2:
        return None
    u = (np.arange(k_h) - k_h // 2)[:, None]
    v = (np.arange(k_w) - k_w // 2)[None, :]
    kernel = np.exp(-(u**2 + v**2) / (2 * a.sigma**2))
    return kernel / kernel.sum()


register(Exercise(
    id="gaussian_kernel",
    reference=gaussian_kernel,
    signature="gaussian_kernel(size, sigma)",
    description="The sampled 2-D Gaussian with standard deviation sigma, normalised to sum to 1.",
    examples=(
        Case((3, 1.0), {}, "the 3x3 Gaussian with sigma 1"),
        Case((5, 1.0), {}, "the 5x5 Gaussian with sigma 1 of the filter figures"),
    ),
    random_case=_gaussian_case,
    counts=(10, 30),
    formula=_gaussian_formula,
    atol=1e-9,
    mistakes=(
        Mistake("exponent without the 2", "The Gaussian density has 2 sigma**2 in its exponent: "
                "exp(-(u**2 + v**2) / (2 * sigma**2)). (Lecture 001's slide drops the 2: an erratum.)",
                lambda a: a.call(sigma=a.sigma / np.sqrt(2))),
        Mistake("sigma used as the variance", "sigma is the standard deviation: the exponent divides "
                "by 2 * sigma**2, not by 2 * sigma.", lambda a: a.call(sigma=float(np.sqrt(a.sigma)))),
        Mistake("not normalised", "Divide the kernel by its sum, so that its entries add up to 1 "
                "(then a flat image stays the same).", lambda a: _unnormalised(a, lambda s: 1.0)),
        Mistake("not normalised", "The density's factor 1 / (2 pi sigma**2) does not make a sampled, "
                "finite kernel sum to 1: divide by the kernel's own sum instead.",
                lambda a: _unnormalised(a, lambda s: 1 / (2 * np.pi * s**2))),
        Mistake("centre off for even sizes", "The centre of a kernel of k pixels is at (k - 1)/2, "
                "which falls between two pixels when k is even: use np.arange(k) - (k - 1) / 2, "
                "not - k // 2.", _centred_on_half),
        swapped_pairs("size"),
    ),
))


# ---------------------------------------------------------------------------------------------
# median_filter
# ---------------------------------------------------------------------------------------------

OUTLIER_IMAGE = np.array([[1, 1, 1, 1], [1, 9, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]])


def _median_case(rng, hidden: bool, index: int) -> Case:
    size = int_or_pair(rng, 1 if hidden else 2, 4 if hidden else 3, as_pair=index % 3 == 2)
    if index % 3 == 1 and isinstance(size, int):
        size = 2 if not hidden else pick(rng, (2, 4))  # an even number of values per window
    k_h, k_w = pair(size)
    height = int(rng.integers(max(k_h, 2 if hidden else 3), (8 if hidden else 7) + 1))
    width = int(rng.integers(max(k_w, 2 if hidden else 3), (9 if hidden else 8) + 1))
    x = quarters(rng, (height, width))
    kwargs = {} if size == 3 and index % 2 else {"size": size}
    return Case((x,), kwargs, f"random {height}x{width} image, size={size}")


def _median_formula(a: Args) -> list[str]:
    (h, w), (k_h, k_w) = np.shape(a.x), pair(a.size)
    return [
        f"H_out = H - kH + 1 = {h} - {k_h} + 1 = {h - k_h + 1}",
        f"W_out = W - kW + 1 = {w} - {k_w} + 1 = {w - k_w + 1}",
    ]


def _windows(a: Args) -> np.ndarray:
    k_h, k_w = pair(a.size)
    x = np.asarray(a.x, dtype=np.float64)
    windows = np.lib.stride_tricks.sliding_window_view(x, (k_h, k_w))
    return windows.reshape(*windows.shape[:2], k_h * k_w)


def _middle(a: Args, lower: bool):
    values = np.sort(_windows(a), axis=-1)
    count = values.shape[-1]
    if count % 2:
        return None
    return values[..., count // 2 - 1 if lower else count // 2]


def _median_same_size(a: Args):
    k_h, k_w = pair(a.size)
    x = np.asarray(a.x, dtype=np.float64)
    top, left = (k_h - 1) // 2, (k_w - 1) // 2
    padded = np.pad(x, ((top, k_h - 1 - top), (left, k_w - 1 - left)))
    return median_filter(padded, (k_h, k_w))


register(Exercise(
    id="median_filter",
    reference=median_filter,
    signature="median_filter(x, size=3)",
    description="The median of every (kH, kW) window of a 2-D image: stride 1, no padding.",
    examples=(
        Case((OUTLIER_IMAGE,), {}, "a flat image with two outliers, which the median removes"),
        Case((BINARY_IMAGE,), {}, "the lecture's 5x5 binary image under a 3x3 median"),
    ),
    random_case=_median_case,
    counts=(10, 30),
    formula=_median_formula,
    mistakes=(
        Mistake("mean instead of median", "Each output is the median of its window (np.median), "
                "not its mean.", lambda a: _windows(a).mean(axis=-1)),
        Mistake("middle value of an even window", "With an even number of values the median is "
                "the mean of the two middle ones (np.median does this); you took the upper one.",
                lambda a: _middle(a, lower=False)),
        Mistake("middle value of an even window", "With an even number of values the median is "
                "the mean of the two middle ones (np.median does this); you took the lower one.",
                lambda a: _middle(a, lower=True)),
        Mistake("output the size of the input", "No padding: the window must fit inside the image, "
                "so the output is (H - kH + 1) x (W - kW + 1), like corr2d's.", _median_same_size),
        one_short(),
        swapped_pairs("size"),
    ),
))
