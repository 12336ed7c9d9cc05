"""Explorers for the convolution notebook: slide a window by hand, or filter a noisy photograph.

Both functions return an `Explorer`: a box of controls above the figure they redraw. The figure
is made by `course_lib.viz.convolution`, so it can be drawn (and tested) without a browser; the
last one drawn is kept in `explorer.figure`.

    >>> explorer = sliding_window_explorer()
    >>> explorer.figure.axes[-1].get_title()
    'output: out[0, 0] = 4'
    >>> explorer.controls["step"].value = 8
    >>> explorer.figure.axes[-1].get_title()
    'output: out[2, 2] = 4'
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import as_float_array
from ..convolution import corr2d
from ..filters import gabor_kernel, gaussian_kernel, laplacian_of_gaussian, mean_kernel, median_filter, sobel_kernels
from ..noise import add_gaussian_noise, add_salt_and_pepper
from ..viz.convolution import show_correlation_step, show_filtering
from .explorer import Explorer

__all__ = ["sliding_window_explorer", "filter_explorer", "FILTERS", "NOISES"]

# The slides' worked example (Sharif CE 40717 and UBC CPSC 440): it gives [[4, 3, 4], [2, 4, 3], [2, 3, 4]].
_EXAMPLE_IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
_EXAMPLE_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])

FILTERS = ("mean", "Gaussian", "median", "Sobel x", "Sobel y", "Laplacian of Gaussian", "Gabor")
"""The filters `filter_explorer` offers; the last four are derivative filters (signed output)."""

NOISES = ("none", "salt and pepper", "Gaussian")
"""The kinds of noise `filter_explorer` offers."""

_SIGNED = {"Sobel x", "Sobel y", "Laplacian of Gaussian", "Gabor"}


def sliding_window_explorer(x=None, k=None) -> Explorer:
    """Move the window of a cross-correlation step by step and watch the output fill in.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        A small image (every value is written in its cell); the slides' 5x5 example by default.
    k : array_like, shape (kH, kW), optional
        The kernel; the slides' 3x3 "X" kernel by default.

    Returns
    -------
    Explorer
        One control, `"step"`: the output pixel computed, counted row by row from 0.
    """
    x = _EXAMPLE_IMAGE if x is None else x
    k = _EXAMPLE_KERNEL if k is None else k
    h_out, w_out = corr2d(x, k).shape  # also checks the arguments
    step = widgets.IntSlider(value=0, min=0, max=h_out * w_out - 1, description="step",
                             continuous_update=False)
    play = widgets.Play(value=0, min=0, max=h_out * w_out - 1, interval=1200, description="play")
    widgets.jslink((play, "value"), (step, "value"))

    def draw(step):
        return show_correlation_step(x, k, step)

    return Explorer({"step": step}, draw, layout_rows=[[play, step]])


def _make_kernel(name: str, size: int, sigma: float):
    """The kernel of a filter of `FILTERS` (None for the median filter, which has none)."""
    if name == "mean":
        return mean_kernel(size)
    if name == "Gaussian":
        return gaussian_kernel(size, sigma)
    if name == "Sobel x":
        return sobel_kernels()[0]
    if name == "Sobel y":
        return sobel_kernels()[1]
    if name == "Laplacian of Gaussian":
        return laplacian_of_gaussian(size, sigma)
    if name == "Gabor":
        return gabor_kernel(size, sigma, theta=0.0, wavelength=4 * sigma, phase=-np.pi / 2)
    return None


def filter_explorer(image=None, seed: int = 0) -> Explorer:
    """Add noise to a photograph, filter it, and compare: which filter fixes which noise?

    Parameters
    ----------
    image : array_like, shape (H, W), optional
        A gray image with values in [0, 1]; by default the course photograph at 150 x 128
        (larger images redraw slowly, mostly because of the median filter).
    seed : int
        Seed of the noise, so that the same settings always give the same picture.

    Returns
    -------
    Explorer
        Controls `"noise"` (one of `NOISES`), `"level"` (fraction of pixels hit by salt and
        pepper, or standard deviation of Gaussian noise), `"filter"` (one of `FILTERS`), `"size"`
        (odd kernel side; the Sobel kernels are always 3x3) and `"sigma"` (of the Gaussian,
        Laplacian of Gaussian and Gabor kernels).
    """
    if image is None:
        from ..data import load_photograph

        image = load_photograph(size=(150, 128))
    clean = as_float_array(image, "image")
    if clean.ndim != 2:
        raise ValueError(f"image: expected a 2-D gray image (H, W), got shape {clean.shape}")
    controls = {
        "noise": widgets.Dropdown(options=NOISES, value="salt and pepper", description="noise"),
        "level": widgets.FloatSlider(value=0.1, min=0.0, max=0.3, step=0.02, description="level",
                                     continuous_update=False),
        "filter": widgets.Dropdown(options=FILTERS, value="median", description="filter"),
        "size": widgets.IntSlider(value=3, min=3, max=15, step=2, description="size",
                                  continuous_update=False),
        "sigma": widgets.FloatSlider(value=1.0, min=0.5, max=3.0, step=0.25, description="sigma",
                                     continuous_update=False),
    }

    def draw(noise, level, filter, size, sigma):
        if noise == "salt and pepper":
            noisy = add_salt_and_pepper(clean, amount=level, seed=seed, low=0.0, high=1.0)
        elif noise == "Gaussian":
            noisy = add_gaussian_noise(clean, sigma=level, seed=seed, clip=(0.0, 1.0))
        else:
            noisy = clean.copy()
        kernel = _make_kernel(filter, size, sigma)
        filtered = median_filter(noisy, size) if kernel is None else corr2d(noisy, kernel)
        label = f"{filter} {kernel.shape[0]}x{kernel.shape[1]}" if kernel is not None else f"median {size}x{size}"
        return show_filtering(clean, noisy, filtered, kernel, name=label, signed=filter in _SIGNED)

    rows = [[controls["noise"], controls["level"]], [controls["filter"], controls["size"], controls["sigma"]]]
    return Explorer(controls, draw, layout_rows=rows)
