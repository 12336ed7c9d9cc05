"""Figures for the U-Net notebook: label maps over images, the U of shapes, training curves.

Label maps are drawn over their gray image, one colour per class (the background is left
untinted, void pixels are white), and a prediction's wrong pixels are painted red. `show_unet`
draws the network as the paper's Figure 1 does, with every feature map's channels and size
computed by `course_lib.unet.unet_shape_trace`.

    >>> import numpy as np
    >>> figure = show_unet(572)
    >>> figure.axes[0].get_title()
    'U-Net, depth 4, valid padding: 572×572 in, 388×388 out'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from ..data import CLASS_NAMES, VOID_LABEL

__all__ = [
    "CLASS_COLORS",
    "ERROR_COLOR",
    "label_image",
    "overlay_labels",
    "show_dataset",
    "show_segmentations",
    "show_unet",
    "describe_input_size",
    "show_losses",
]

CLASS_COLORS = ("#000000", "#ff9f1c", "#2ec4b6", "#9b5de5", "#3a86ff", "#c5d86d")
"""Colour of each label of `course_lib.data.CLASS_NAMES` (the background is not tinted in overlays)."""

VOID_COLOR = "#ffffff"
ERROR_COLOR = "#e63946"
"""Colour of the wrongly labelled pixels of a prediction."""


# course_lib.unet imports torch (a second or two): it is imported inside the functions that need
# it, so that `from course_lib import viz` stays fast in the notebooks that never use a U-Net.


def _rgba(color: str, alpha: float) -> np.ndarray:
    return np.array(plt.matplotlib.colors.to_rgba(color, alpha))


def label_image(labels, alpha: float = 0.55, errors=None, background: bool = False) -> np.ndarray:
    """An RGBA picture of a label map, to lay over an image with `imshow`.

    Parameters
    ----------
    labels : int array_like, shape (H, W)
        Labels from 0 to 5, or 255 for void.
    alpha : float, optional
        Opacity of the class colours.
    errors : bool array_like, shape (H, W), optional
        Pixels to paint in `ERROR_COLOR` (opaque), on top of everything.
    background : bool, optional
        Paint the background (label 0) black as well, instead of leaving it clear.

    Returns
    -------
    ndarray, shape (H, W, 4)

    Examples
    --------
    >>> label_image(np.array([[0, 1, 255]]))[0, :, 3].round(2).tolist()
    [0.0, 0.55, 0.85]
    """
    labels = np.asarray(labels)
    if labels.ndim != 2:
        raise ValueError(f"labels: expected a 2-D label map (H, W), got shape {labels.shape}")
    rgba = np.zeros(labels.shape + (4,))
    for label, color in enumerate(CLASS_COLORS):
        if label == 0 and not background:
            continue
        rgba[labels == label] = _rgba(color, alpha if label else 1.0)
    rgba[labels == VOID_LABEL] = _rgba(VOID_COLOR, 0.85)
    if errors is not None:
        rgba[np.asarray(errors, dtype=bool)] = _rgba(ERROR_COLOR, 1.0)
    return rgba


def overlay_labels(image, labels, ax: Axes | None = None, title: str | None = None,
                   errors=None, alpha: float = 0.55) -> Figure:
    """Draw a gray image with its label map laid over it (and wrong pixels in red).

    Parameters
    ----------
    image : array_like, shape (H, W) or (1, H, W)
    labels : int array_like, shape (H, W)
        Labels (0 = background, left clear; 255 = void, white).
    ax : Axes, optional
    title : str, optional
    errors : bool array_like, shape (H, W), optional
        Pixels to paint red.
    alpha : float, optional
        Opacity of the class colours.

    Returns
    -------
    Figure
    """
    image = np.asarray(image, dtype=float)
    if image.ndim == 3 and image.shape[0] == 1:
        image = image[0]
    labels = np.asarray(labels)
    if image.shape != labels.shape:
        raise ValueError(f"labels: expected the image's shape {image.shape}, got {labels.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(3, 3))
    ax.imshow(image, cmap="gray", interpolation="nearest")
    ax.imshow(label_image(labels, alpha, errors), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=10)
    return ax.figure


def _legend(figure: Figure, num_classes: int, errors: bool) -> None:
    handles = [Patch(facecolor=CLASS_COLORS[k] if k else "0.6", edgecolor="0.4",
                     label=CLASS_NAMES[k] if k else "background (untinted)") for k in range(num_classes)]
    handles.append(Patch(facecolor=VOID_COLOR, edgecolor="0.4", label="void (255)"))
    if errors:
        handles.append(Patch(facecolor=ERROR_COLOR, label="wrong"))
    figure.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)


def show_dataset(images, masks, count: int = 6, size: float = 2.0) -> Figure:
    """The first `count` images of a segmentation set, above their label maps.

    Parameters
    ----------
    images : array_like, shape (n, 1, H, W) or (n, H, W)
    masks : int array_like, shape (n, H, W)
        Labels, 255 = void (white).
    count : int, optional
    size : float, optional
        Side of each panel in inches.

    Returns
    -------
    Figure
    """
    images = np.asarray(images, dtype=float)
    if images.ndim == 4:
        images = images[:, 0]
    masks = np.asarray(masks)
    if images.ndim != 3 or masks.shape != images.shape:
        raise ValueError(f"masks: expected shape (n, H, W) = {images.shape}, got {masks.shape}")
    count = min(count, len(images))
    figure, axes = plt.subplots(2, count, figsize=(size * count, 2 * size + 0.5), squeeze=False)
    for column in range(count):
        overlay_labels(images[column], np.zeros_like(masks[column]), ax=axes[0, column], title=f"image {column}")
        overlay_labels(images[column], masks[column], ax=axes[1, column])
    axes[1, 0].set_ylabel("labels", fontsize=10)
    shown = masks[:count][masks[:count] != VOID_LABEL]
    _legend(figure, int(shown.max()) + 1 if shown.size else 1, errors=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def show_segmentations(images, masks, predictions=None, indices: Sequence[int] | None = None,
                       num_classes: int | None = None, size: float = 2.3) -> Figure:
    """Images, their true label maps and predicted ones side by side, wrong pixels in red.

    One row per image: the image, the ground truth over it, then each prediction over it with
    its mistakes in red (void pixels are never mistakes) and their count in the title. When a
    prediction is smaller than the image (a U-Net with valid padding), the image and the truth
    are centre-cropped to it.

    Parameters
    ----------
    images : array_like, shape (n, 1, H, W) or (n, H, W)
    masks : int array_like, shape (n, H, W)
        True labels (255 = void).
    predictions : array or mapping of name to array, each shape (n, h, w), optional
        Predicted labels, one column each.
    indices : sequence of int, optional
        Which images to show (the first four by default).
    num_classes : int, optional
        Classes in the legend (default: the largest label shown, plus one).
    size : float, optional
        Side of each panel in inches.

    Returns
    -------
    Figure
    """
    from ..unet import center_crop

    images = np.asarray(images, dtype=float)
    if images.ndim == 4:
        images = images[:, 0]
    masks = np.asarray(masks)
    if images.ndim != 3 or masks.shape != images.shape:
        raise ValueError(f"masks: expected shape (n, H, W) = {images.shape}, got {masks.shape}")
    if predictions is None:
        predictions = {}
    elif not isinstance(predictions, Mapping):
        predictions = {"prediction": predictions}
    predictions = {name: np.asarray(value) for name, value in predictions.items()}
    indices = list(range(min(4, len(images)))) if indices is None else [int(i) for i in indices]
    columns = 2 + len(predictions)
    figure, axes = plt.subplots(len(indices), columns, figsize=(size * columns, size * len(indices) + 0.5),
                                squeeze=False)
    shown = [masks[i][masks[i] != VOID_LABEL] for i in indices]
    for row, index in enumerate(indices):
        overlay_labels(images[index], np.zeros_like(masks[index]), ax=axes[row, 0],
                       title="image" if row == 0 else None)
        overlay_labels(images[index], masks[index], ax=axes[row, 1], title="ground truth" if row == 0 else None)
        for column, (name, predicted) in enumerate(predictions.items(), start=2):
            guess = predicted[index]
            truth = center_crop(masks[index], guess.shape)
            wrong = (guess != truth) & (truth != VOID_LABEL)
            shown.append(guess.ravel())
            overlay_labels(center_crop(images[index], guess.shape), guess, ax=axes[row, column],
                           errors=wrong, title=f"{name}\n{int(wrong.sum())} wrong pixels" if row == 0
                           else f"{int(wrong.sum())} wrong pixels")
    largest = max((int(s.max()) for s in shown if s.size), default=1)
    _legend(figure, num_classes or largest + 1, bool(predictions))
    figure.tight_layout(rect=(0, 0.06 if len(indices) > 1 else 0.12, 1, 1))
    return figure


# ---------------------------------------------------------------------------------------------
# The U
# ---------------------------------------------------------------------------------------------

_ENCODER_COLOR = "#dbe9f6"
_DECODER_COLOR = "#fde9d4"
_BOTTLENECK_COLOR = "#e6dcf2"
_SKIP_COLOR = "0.45"
_POOL_COLOR = "#c0392b"
_UP_COLOR = "#27ae60"
_BOX_W, _BOX_H = 2.7, 0.9


def _box(ax: Axes, x: float, y: float, lines: Sequence[str], color: str) -> None:
    ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=color,
                                edgecolor="0.35", linewidth=1))
    ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8.5, linespacing=1.35)


def _arrow(ax: Axes, start, end, color: str, label: str = "", label_side: str = "right",
           style: str = "-|>") -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, color=color,
                                 linewidth=1.4, shrinkA=0, shrinkB=0))
    if label:
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        offset = 0.1 if label_side == "right" else -0.1
        if start[1] == end[1]:  # horizontal: label above
            ax.text(mx, my + 0.08, label, ha="center", va="bottom", fontsize=8, color=color)
        elif start[0] == end[0]:  # vertical: label beside it
            ax.text(mx + offset, my, label, ha="left" if label_side == "right" else "right",
                    va="center", fontsize=8, color=color)
        else:  # slanted: the label below its middle, on the open side
            ax.text(mx + offset, my - 0.1, label, ha="left" if label_side == "right" else "right",
                    va="top", fontsize=8, color=color)


def _size(stage) -> str:
    return f"{stage.height}" if stage.height == stage.width else f"{stage.height}×{stage.width}"


def show_unet(input_size=572, depth: int = 4, padding: str = "valid", base_channels: int = 64,
              in_channels: int = 1, num_classes: int = 2, skip: bool = True,
              ax: Axes | None = None) -> Figure:
    """Draw a U-Net as a U: every level's channels and feature-map sizes, pools, up-convolutions, skips.

    The encoder descends on the left, one level per row; the bottleneck is at the bottom; the
    decoder climbs back on the right. Each box lists a block's channels and the size of its
    feature map before and after each 3x3 convolution (`a→b→c`). Red arrows are 2x2 max
    poolings, green ones 2x2 up-convolutions, grey ones the skip connections with their crop.
    All the numbers come from `course_lib.unet.unet_shape_trace`.

    Parameters
    ----------
    input_size : int or (int, int)
        Must be a valid input size (see `course_lib.unet.valid_input_size`).
    depth, padding, base_channels, in_channels, num_classes, skip :
        As for `course_lib.unet.UNet`.
    ax : Axes, optional

    Returns
    -------
    Figure
    """
    from ..unet import unet_shape_trace

    trace = unet_shape_trace(input_size, depth, padding, base_channels, in_channels, num_classes, skip)
    stage = {s.name: s for s in trace}
    gap, step = 1.45, 2.15  # vertical distance between levels, horizontal shift per level
    left = lambda level: step * (level - 1)  # noqa: E731 - x of the encoder box of a level
    right = lambda level: step * (2 * depth - level + 1)  # noqa: E731
    middle = step * depth
    top = 0.0
    x_range = (left(1) - _BOX_W / 2 - 0.2, right(1) + _BOX_W / 2 + 1.4)
    y_range = (top - gap * depth - _BOX_H / 2 - 0.2, top + 1.5)
    if ax is None:
        scale = 0.62  # inches per unit
        _, ax = plt.subplots(figsize=(scale * (x_range[1] - x_range[0]),
                                      scale * (y_range[1] - y_range[0]) + 0.4))

    first = stage["input"]
    _arrow(ax, (left(1), top + 1.15), (left(1), top + _BOX_H / 2), "0.2",
           f"input {first.channels} ch, {_size(first)}")
    for level in range(1, depth + 1):
        y = top - gap * (level - 1)
        before = stage["input"] if level == 1 else stage[f"enc{level - 1}.pool"]
        c1, c2 = stage[f"enc{level}.conv1"], stage[f"enc{level}.conv2"]
        _box(ax, left(level), y, [f"enc{level}: {before.channels}→{c2.channels} ch",
                                  f"{_size(before)}→{_size(c1)}→{_size(c2)}"], _ENCODER_COLOR)
        pooled = stage[f"enc{level}.pool"]
        target = (left(level + 1), y - gap) if level < depth else (middle, y - gap)
        _arrow(ax, (left(level) + 0.35, y - _BOX_H / 2), (target[0] - 0.35, target[1] + _BOX_H / 2),
               _POOL_COLOR, f"pool {_size(pooled)}", "left")

        up = stage[f"dec{level}.up"]
        d1, d2 = stage[f"dec{level}.conv1"], stage[f"dec{level}.conv2"]
        inputs = f"{up.channels}+{c2.channels}" if skip else f"{up.channels}"
        _box(ax, right(level), y, [f"dec{level}: {inputs}→{d2.channels} ch",
                                   f"{_size(up)}→{_size(d1)}→{_size(d2)}"], _DECODER_COLOR)
        source = (right(level + 1), y - gap) if level < depth else (middle, y - gap)
        _arrow(ax, (source[0] - 0.35, source[1] + _BOX_H / 2), (right(level) + 0.35, y - _BOX_H / 2),
               _UP_COLOR, f"up-conv {_size(up)}", "right")
        if skip:
            crop = (f"copy and crop\n{_size(c2)}→{_size(up)}" if (c2.height, c2.width) != (up.height, up.width)
                    else "copy")
            _arrow(ax, (left(level) + _BOX_W / 2, y), (right(level) - _BOX_W / 2, y), _SKIP_COLOR, crop)

    bottom = top - gap * depth
    b1, b2 = stage["bottleneck.conv1"], stage["bottleneck.conv2"]
    pooled = stage[f"enc{depth}.pool"]
    _box(ax, middle, bottom, [f"bottleneck: {pooled.channels}→{b2.channels} ch",
                                   f"{_size(pooled)}→{_size(b1)}→{_size(b2)}"], _BOTTLENECK_COLOR)
    out = stage["output"]
    _arrow(ax, (right(1), top + _BOX_H / 2), (right(1), top + 1.15), "0.2",
           f"1×1 conv: {out.channels} ch, {_size(out)}")

    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"U-Net, depth {depth}, {padding} padding: {_size(first)}×{_size(first)} in, "
                 f"{_size(out)}×{_size(out)} out" if first.height == first.width else
                 f"U-Net, depth {depth}, {padding} padding: {_size(first)} in, {_size(out)} out")
    ax.figure.tight_layout()
    return ax.figure


def describe_input_size(n: int, depth: int = 4, padding: str = "valid") -> str:
    """One line on whether `n` is a valid input size, and which valid sizes are nearest.

    Examples
    --------
    >>> describe_input_size(570)
    '570 is not a valid input size for depth 4 with valid padding; the nearest valid sizes are 556 and 572.'
    >>> describe_input_size(572)
    '572 is a valid input size for depth 4 with valid padding: the output is 388×388.'
    """
    from ..unet import unet_shape_trace, valid_input_size

    below, above = valid_input_size(n, depth, padding)
    where = f"for depth {depth} with {padding} padding"
    if below == n:
        out = unet_shape_trace(n, depth, padding)[-1]
        return f"{n} is a valid input size {where}: the output is {out.height}×{out.width}."
    nearest = f"{below} and {above}" if below is not None else f"{above}"
    return f"{n} is not a valid input size {where}; the nearest valid sizes are {nearest}."


def show_losses(histories: Mapping, ax: Axes | None = None, smooth: int = 5) -> Figure:
    """Training-loss curves, one per run, on a log scale.

    Parameters
    ----------
    histories : mapping of name to `TrainingHistory` (or to an array of step losses)
    ax : Axes, optional
    smooth : int, optional
        Width of the running mean drawn over the raw (faint) step losses.

    Returns
    -------
    Figure
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 3.2))
    for index, (name, history) in enumerate(histories.items()):
        losses = np.asarray(getattr(history, "step_losses", history), dtype=float)
        color = plt.get_cmap("tab10")(index)
        steps = np.arange(1, len(losses) + 1)
        ax.plot(steps, losses, color=color, alpha=0.25, linewidth=1)
        if len(losses) >= smooth > 1:
            mean = np.convolve(losses, np.ones(smooth) / smooth, mode="valid")
            ax.plot(steps[smooth - 1:], mean, color=color, linewidth=2, label=name)
        else:
            ax.plot(steps, losses, color=color, linewidth=2, label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (non-void pixels)")
    ax.set_title("training loss")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure

