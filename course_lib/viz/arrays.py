"""Arrays as pictures: small arrays as annotated grids, images and kernels side by side.

    >>> import numpy as np
    >>> figure = show_grid(np.arange(6).reshape(2, 3), title="x")
    >>> figure.axes[0].get_title()
    'x'
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["show_grid", "show_images", "show_kernels"]

# Annotating every cell is readable up to about this many cells per side.
_MAX_ANNOTATED_SIDE = 12


def _format_value(value: float, decimals: int) -> str:
    """The value with at most `decimals` decimals and no trailing zeros ("2.5", "3", never "-0")."""
    if not np.isfinite(value):
        return str(value)
    text = f"{float(value):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_colour_on(rgba) -> str:
    """Black on light cells, white on dark ones (by the cell colour's luminance, whatever the map)."""
    red, green, blue = rgba[:3]
    return "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"


def show_grid(array, ax: Axes | None = None, title: str | None = None, cmap: str = "Blues",
              annotate: bool | None = None, decimals: int = 2, highlight=None,
              highlight_color: str = "tab:red", vmin=None, vmax=None) -> Figure:
    """Draw a 2-D array as a grid of coloured cells with their values written in.

    Parameters
    ----------
    array : array_like, shape (H, W)
        The values to draw (a 1-D array is drawn as one row).
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when omitted.
    title : str, optional
    cmap : str
        Colour map for the cell colours.
    annotate : bool, optional
        Write each value in its cell; by default only when both sides are at most 12.
    decimals : int
        Decimals shown for non-integer values.
    highlight : tuple of slices or (row, col), optional
        Cells to outline, e.g. ``(slice(0, 3), slice(1, 4))`` for a 3x3 window.
    vmin, vmax : float, optional
        Colour limits (to compare several grids on one scale).

    Returns
    -------
    Figure
        The figure drawn into.
    """
    values = np.asarray(array, dtype=float)
    if values.ndim == 1:
        values = values[np.newaxis]
    if values.ndim != 2:
        raise ValueError(f"array: expected a 2-D array, got shape {values.shape}")
    if ax is None:
        height, width = values.shape
        _, ax = plt.subplots(figsize=(min(0.5 * width + 1, 8), min(0.5 * height + 1, 8)))
    finite = values[np.isfinite(values)]
    low = vmin if vmin is not None else (finite.min() if finite.size else 0.0)
    high = vmax if vmax is not None else (finite.max() if finite.size else 1.0)
    image = ax.imshow(values, cmap=cmap, vmin=low, vmax=high if high > low else low + 1)
    if annotate is None:
        annotate = max(values.shape) <= _MAX_ANNOTATED_SIDE
    if annotate:
        for (row, col), value in np.ndenumerate(values):
            ax.text(col, row, _format_value(value, decimals), ha="center", va="center", fontsize=9,
                    color=_text_colour_on(image.to_rgba(value)))
    ax.set_xticks(np.arange(-0.5, values.shape[1], 1), minor=True)
    ax.set_yticks(np.arange(-0.5, values.shape[0], 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=1)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    if highlight is not None:
        rows, cols = (s if isinstance(s, slice) else slice(s, s + 1) for s in highlight)
        top, bottom, _ = rows.indices(values.shape[0])
        left, right, _ = cols.indices(values.shape[1])
        ax.add_patch(plt.Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False,
                                   edgecolor=highlight_color, linewidth=3))
    if title:
        ax.set_title(title)
    return ax.figure


def show_images(images: Sequence, titles: Sequence[str] | None = None, ncols: int | None = None,
                cmap: str = "gray", size: float = 3.0, symmetric: bool = False) -> Figure:
    """Show images side by side.

    Parameters
    ----------
    images : sequence of arrays, each (H, W) or (H, W, 3)
    titles : sequence of str, optional
    ncols : int, optional
        Images per row (default: all in one row, at most 5).
    cmap : str
        Colour map for single-channel images.
    size : float
        Width of each panel in inches.
    symmetric : bool
        Centre the colour scale at zero (for filter responses that go negative).

    Returns
    -------
    Figure
    """
    images = [np.asarray(image, dtype=float) for image in images]
    ncols = ncols or min(len(images), 5)
    nrows = -(-len(images) // ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(images):
            continue
        image = images[index]
        if symmetric and image.ndim == 2:
            limit = np.abs(image).max() or 1.0
            ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
        else:
            ax.imshow(np.clip(image, 0, 1) if image.ndim == 3 else image, cmap=cmap)
        if titles is not None:
            ax.set_title(titles[index])
    figure.tight_layout()
    return figure


def show_kernels(kernels: Sequence, titles: Sequence[str] | None = None, size: float = 2.2) -> Figure:
    """Show small kernels as annotated grids on a diverging scale (negative blue, positive red)."""
    kernels = [np.asarray(k, dtype=float) for k in kernels]
    figure, axes = plt.subplots(1, len(kernels), figsize=(size * len(kernels), size), squeeze=False)
    for index, (ax, kernel) in enumerate(zip(axes.flat, kernels)):
        limit = np.abs(kernel).max() or 1.0
        show_grid(kernel, ax=ax, cmap="RdBu_r", vmin=-limit, vmax=limit,
                  title=titles[index] if titles else None)
    figure.tight_layout()
    return figure
