"""Explorers for the U-Net notebook: the U of shapes for any input size, and predictions image by image.

Both return an `Explorer` (controls above the figure they redraw, see `widgets.convolution`);
the figures are made by `course_lib.viz.segmentation`, so they can be drawn and tested without
a browser, and the last one drawn is kept in `explorer.figure`.

    >>> explorer = unet_shape_explorer()
    >>> explorer.figure.axes[0].get_title()
    'U-Net, depth 4, valid padding: 572×572 in, 388×388 out'
    >>> explorer.controls["input_size"].value = 570
    >>> explorer.message
    '570 is not a valid input size for depth 4 with valid padding; the nearest valid sizes are 556 and 572. Drawn: 572.'
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..viz.segmentation import describe_input_size, show_segmentations, show_unet
from .explorer import Explorer

__all__ = ["unet_shape_explorer", "segmentation_browser"]


def unet_shape_explorer(input_size: int = 572, depth: int = 4, padding: str = "valid",
                        base_channels: int = 64) -> Explorer:
    """Choose an input size, a depth and a padding, and see every feature map's size in the U.

    With valid padding most sizes are not valid (a 2x2 pooling would meet an odd size, or a
    map would vanish); the explorer then says so, names the nearest valid sizes, and draws the
    U for the nearest valid size above. `explorer.message` holds that sentence.

    Parameters
    ----------
    input_size, depth, padding, base_channels :
        The starting values of the controls.

    Returns
    -------
    Explorer
        Controls `"input_size"` (16 to 700), `"depth"` (1 to 5), `"padding"` ("valid" or
        "same") and `"base_channels"` (4 to 64); attribute `message`.
    """
    slider = {"continuous_update": False, "style": {"description_width": "initial"}}
    controls = {
        "input_size": widgets.IntSlider(value=input_size, min=16, max=700, description="input size", **slider),
        "depth": widgets.IntSlider(value=depth, min=1, max=5, description="depth", **slider),
        "padding": widgets.ToggleButtons(options=["valid", "same"], value=padding, description="padding",
                                         style={"button_width": "70px"}),
        "base_channels": widgets.Dropdown(options=[4, 8, 16, 32, 64], value=base_channels,
                                          description="base channels", style={"description_width": "initial"}),
    }
    label = widgets.HTML()
    explorer = None

    def draw(input_size, depth, padding, base_channels):
        message, shown = _size_message(input_size, depth, padding)
        label.value = f"<b>{message}</b>"
        if explorer is not None:
            explorer.message = message
        return show_unet(shown, depth, padding, base_channels)

    rows = [[controls["input_size"], controls["depth"]], [controls["padding"], controls["base_channels"]], [label]]
    explorer = Explorer(controls, draw, layout_rows=rows)
    explorer.message = _size_message(input_size, depth, padding)[0]
    return explorer


def _size_message(input_size: int, depth: int, padding: str) -> tuple[str, int]:
    """What to say about an input size, and the size to draw (the nearest valid one above)."""
    from ..unet import nearest_valid_input_size  # imports torch: only when the explorer is used

    message = describe_input_size(input_size, depth, padding)
    shown = nearest_valid_input_size(input_size, depth, padding)
    if shown != input_size:
        message += f" Drawn: {shown}."
    return message, shown


def segmentation_browser(images, masks, predictions, start: int = 0) -> Explorer:
    """Step through images with their ground truth and one or more predictions, wrong pixels in red.

    Parameters
    ----------
    images : array_like, shape (n, 1, H, W)
    masks : int array_like, shape (n, H, W)
    predictions : array or mapping of name to array, each shape (n, h, w)
        E.g. ``{"with skips": p1, "without skips": p2}``.
    start : int, optional
        The image shown first.

    Returns
    -------
    Explorer
        One control, `"index"`: the image shown.
    """
    images = np.asarray(images)
    count = len(images)
    if not 0 <= start < count:
        raise ValueError(f"start: expected an index from 0 to {count - 1}, got {start}")
    index = widgets.IntSlider(value=start, min=0, max=count - 1, description="image",
                              continuous_update=False)

    def draw(index):
        return show_segmentations(images, masks, predictions, indices=[index], size=2.6)

    return Explorer({"index": index}, draw)
