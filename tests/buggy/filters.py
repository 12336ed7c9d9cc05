"""Students' gaussian_kernel and median_filter (notebook 01)."""

import numpy as np

from .catalogue import buggy, correct


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


@correct("gaussian_kernel")
def gaussian_kernel(size, sigma):
    k_h, k_w = _pair(size)
    kernel = np.zeros((k_h, k_w))
    for a in range(k_h):
        for b in range(k_w):
            u, v = a - (k_h - 1) / 2, b - (k_w - 1) / 2
            kernel[a, b] = np.exp(-(u * u + v * v) / (2 * sigma * sigma))
    return kernel / kernel.sum()


def _gaussian(size, sigma, exponent, normalise=True, centre=None):
    k_h, k_w = _pair(size)
    u = np.arange(k_h)[:, None] - (centre(k_h) if centre else (k_h - 1) / 2)
    v = np.arange(k_w)[None, :] - (centre(k_w) if centre else (k_w - 1) / 2)
    kernel = np.exp(-(u**2 + v**2) / exponent(sigma))
    return kernel / kernel.sum() if normalise else kernel


@buggy("gaussian_kernel", "exponent without the 2")
def gaussian_kernel_slide_formula(size, sigma):
    return _gaussian(size, sigma, lambda s: s**2)


@buggy("gaussian_kernel", "sigma used as the variance")
def gaussian_kernel_variance(size, sigma):
    return _gaussian(size, sigma, lambda s: 2 * s)


@buggy("gaussian_kernel", "not normalised")
def gaussian_kernel_unnormalised(size, sigma):
    return _gaussian(size, sigma, lambda s: 2 * s**2, normalise=False)


@buggy("gaussian_kernel", "centre off for even sizes")
def gaussian_kernel_integer_centre(size, sigma):
    return _gaussian(size, sigma, lambda s: 2 * s**2, centre=lambda k: k // 2)


@buggy("gaussian_kernel", "H and W swapped")
def gaussian_kernel_pair_swapped(size, sigma):
    k_h, k_w = _pair(size)
    return _gaussian((k_w, k_h), sigma, lambda s: 2 * s**2)


@correct("median_filter")
def median_filter(x, size=3):
    x = np.asarray(x, dtype=float)
    k_h, k_w = _pair(size)
    out = np.zeros((x.shape[0] - k_h + 1, x.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.median(x[i:i + k_h, j:j + k_w])
    return out


def _student_median(x, size, pick):
    x = np.asarray(x, dtype=float)
    k_h, k_w = _pair(size)
    out = np.zeros((x.shape[0] - k_h + 1, x.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = pick(np.sort(x[i:i + k_h, j:j + k_w].ravel()))
    return out


@buggy("median_filter", "mean instead of median")
def median_filter_mean(x, size=3):
    return _student_median(x, size, np.mean)


@buggy("median_filter", "middle value of an even window")
def median_filter_upper_middle(x, size=3):
    return _student_median(x, size, lambda values: values[len(values) // 2])


@buggy("median_filter", "output the size of the input")
def median_filter_same_size(x, size=3):
    x = np.asarray(x, dtype=float)
    k_h, k_w = _pair(size)
    padded = np.pad(x, (((k_h - 1) // 2, k_h // 2), ((k_w - 1) // 2, k_w // 2)))
    return _student_median(padded, size, np.median)


@buggy("median_filter", "off by one in the output size")
def median_filter_no_plus_one(x, size=3):
    return _student_median(x, size, np.median)[:-1, :-1]
