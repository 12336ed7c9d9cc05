"""Explorers for the transposed-convolution notebook: stamp the kernel pixel by pixel, see where
bilinear interpolation samples, and find the kernel sizes and strides that make checkerboards.

Each function returns an `Explorer` (controls above the figure they redraw). The figures come
from `course_lib.viz.upsampling`, so they can be drawn and tested without a browser; the last one
drawn is kept in `explorer.figure`.

    >>> explorer = transposed_conv_explorer()
    >>> explorer.figure.axes[2].get_title()
    'running sum: 1 of 16 stamps'
    >>> explorer.controls["step"].value = 16
    >>> explorer.figure.axes[2].get_title()
    'running sum: 16 of 16 stamps'
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import as_plane
from ..viz.upsampling import show_overlap_counts, show_sample_points, show_stamp_step
from .explorer import Explorer

__all__ = ["transposed_conv_explorer", "sample_points_explorer", "checkerboard_explorer"]

# Lecture 001's example: the 4x4 ramp and the 3x3 "tent", which with stride 2 and padding 1 give
# bilinear interpolation to 7x7.
_EXAMPLE_INPUT = np.arange(16).reshape(4, 4)
_EXAMPLE_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])

_SLIDER = {"continuous_update": False, "style": {"description_width": "initial"}}


def transposed_conv_explorer(x=None, kernel=None) -> Explorer:
    """Stamp the kernel one input pixel at a time and watch the overlapping copies add up.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        A small input; lecture 001's 4x4 ramp `arange(16)` by default.
    kernel : array_like, shape (kH, kW), optional
        The kernel; lecture 001's 3x3 tent `[[.25, .5, .25], [.5, 1, .5], [.25, .5, .25]]` by
        default.

    Returns
    -------
    Explorer
        Controls `"step"` (how many pixels have stamped, 0 to H * W, in row-major order; a play
        button runs through them), `"stride"` (1 to 3) and `"padding"` (0 to the kernel size
        minus 1: the frame of the output that is kept).
    """
    plane = _EXAMPLE_INPUT if x is None else as_plane(x)
    k = _EXAMPLE_KERNEL if kernel is None else as_plane(kernel, "kernel")
    total = plane.size
    largest_padding = min(k.shape) - 1
    controls = {
        "step": widgets.IntSlider(value=1, min=0, max=total, description="pixels stamped", **_SLIDER),
        "stride": widgets.IntSlider(value=2, min=1, max=3, description="stride", **_SLIDER),
        "padding": widgets.IntSlider(value=0, min=0, max=largest_padding, description="padding", **_SLIDER),
    }
    play = widgets.Play(value=1, min=0, max=total, interval=900, description="play")
    widgets.jslink((play, "value"), (controls["step"], "value"))

    def draw(step, stride, padding):
        return show_stamp_step(plane, k, stride=stride, padding=padding, step=step)

    rows = [[play, controls["step"]], [controls["stride"], controls["padding"]]]
    return Explorer(controls, draw, layout_rows=rows)


def sample_points_explorer() -> Explorer:
    """Change the input and output sizes and see where bilinear interpolation samples, both ways.

    Returns
    -------
    Explorer
        Controls `"n_in"` (2 to 6) and `"n_out"` (1 to 12); the figure is
        `course_lib.viz.upsampling.show_sample_points`.
    """
    controls = {
        "n_in": widgets.IntSlider(value=3, min=2, max=6, description="input size", **_SLIDER),
        "n_out": widgets.IntSlider(value=6, min=1, max=12, description="output size", **_SLIDER),
    }
    return Explorer(controls, lambda n_in, n_out: show_sample_points(n_in, n_out))


def checkerboard_explorer() -> Explorer:
    """Choose a kernel size and a stride and count how many kernel copies land on each pixel.

    A transposed convolution of a constant input with a constant kernel gives these counts. Away
    from the border they are all equal exactly when the kernel size is a multiple of the stride;
    otherwise they alternate, and a trained network has to fight that pattern (checkerboard
    artifacts).

    Returns
    -------
    Explorer
        Controls `"kernel_size"` (1 to 6) and `"stride"` (1 to 4).
    """
    controls = {
        "kernel_size": widgets.IntSlider(value=3, min=1, max=6, description="kernel size", **_SLIDER),
        "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride", **_SLIDER),
    }

    def draw(kernel_size, stride):
        size = max(3, (14 - kernel_size) // stride + 1)  # a canvas of at most 14 cells (or 3 inputs)
        return show_overlap_counts(kernel_size, stride, size=size)

    return Explorer(controls, draw)
