"""Explorer for the pooling notebook: change the window, stride, padding and mode, see what changes.

`pooling_explorer` returns an `Explorer` (controls above the figure they redraw). The figure is
`course_lib.viz.pooling.show_pooling`, so it can be drawn and tested without a browser; the last
one drawn is kept in `explorer.figure`.

    >>> explorer = pooling_explorer()
    >>> explorer.figure.axes[1].get_title()
    'output 3×3'
    >>> explorer.controls["ceil_mode"].value = True
    >>> explorer.figure.axes[1].get_title()
    'output 3×4'
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..pooling import pool_output_size
from .._validation import as_plane
from ..viz.pooling import show_pooling
from .explorer import Explorer

__all__ = ["pooling_explorer"]

# A 6x7 map with negative values: the odd width makes floor and ceil mode differ for 2x2
# windows, and the negatives show why max pooling pads with -inf rather than with zeros.
_DEFAULT_INPUT = np.random.default_rng(3).integers(-9, 10, size=(6, 7))


def pooling_explorer(x=None) -> Explorer:
    """Pool a small feature map with any window, stride, padding and mode, and watch the output.

    The input shows every window (or, when they overlap, the one chosen with `window`) and, for
    max and min pooling, the pixel each window picks; the output shows where each value came
    from; under the figure the output size is worked out with its floor or ceiling.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        The map to pool (at most about 10x10 stays readable); a 6x7 map of integers from -9 to 9
        by default.

    Returns
    -------
    Explorer
        Controls `"kernel_size"` (1 to 4), `"stride"` (1 to 4), `"padding"` (0 to
        `kernel_size // 2`, the most PyTorch allows), `"mode"` ("max", "avg" or "min"),
        `"ceil_mode"` and `"window"` (which window to tint when windows overlap).
    """
    plane = _DEFAULT_INPUT if x is None else as_plane(x)
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}
    controls = {
        "kernel_size": widgets.IntSlider(value=2, min=1, max=4, description="kernel size", **slider),
        "stride": widgets.IntSlider(value=2, min=1, max=4, description="stride", **slider),
        "padding": widgets.IntSlider(value=0, min=0, max=1, description="padding", **slider),
        "mode": widgets.ToggleButtons(options=["max", "avg", "min"], value="max", description="mode",
                                      style={"button_width": "60px"}),
        "ceil_mode": widgets.Checkbox(value=False, description="ceil mode", indent=False),
        "window": widgets.IntSlider(value=0, min=0, max=0, description="window", **slider),
    }

    def window_count(kernel_size, stride, padding, ceil_mode) -> int:
        height, width = pool_output_size(plane.shape, kernel_size, stride, padding, ceil_mode=ceil_mode)
        return height * width

    def follow_the_window(_change=None) -> None:
        """Keep padding within half the window and `window` within the number of windows."""
        k = controls["kernel_size"].value
        controls["padding"].max = k // 2
        controls["window"].max = window_count(k, controls["stride"].value, controls["padding"].value,
                                              controls["ceil_mode"].value) - 1

    # Registered before the Explorer's own observers, so the limits are right before each redraw.
    for name in ("kernel_size", "stride", "padding", "ceil_mode"):
        controls[name].observe(follow_the_window, names="value")
    follow_the_window()

    def draw(kernel_size, stride, padding, mode, ceil_mode, window):
        padding = min(padding, kernel_size // 2)
        count = window_count(kernel_size, stride, padding, ceil_mode)
        return show_pooling(plane, kernel_size, stride, padding, mode=mode, ceil_mode=ceil_mode,
                            highlight=min(window, count - 1), sizes=True)

    rows = [
        [controls["kernel_size"], controls["stride"], controls["padding"]],
        [controls["mode"], controls["ceil_mode"], controls["window"]],
    ]
    return Explorer(controls, draw, layout_rows=rows)
