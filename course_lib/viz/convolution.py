"""Figures for the convolution notebook: a patch of pixels, the sliding window, filters, shifts.

Each function draws with matplotlib and returns the `Figure`, so a notebook cell shows it and a
test can read back what was drawn (titles, texts, images).

    >>> import numpy as np
    >>> x = np.eye(4)
    >>> figure = show_correlation_step(x, np.ones((2, 2)), (0, 1))
    >>> figure.axes[-1].get_title()
    'output: out[0, 1] = 1'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .._validation import as_float_array, as_pair
from ..convolution import corr2d
from .arrays import _format_value, show_grid

__all__ = [
    "show_patch",
    "show_correlation_step",
    "show_correlation_steps",
    "show_filtering",
    "show_shift_equivariance",
]

# More step panels than this would be too small to read.
_MAX_STEPS = 36


def _as_image(array, name: str) -> np.ndarray:
    image = as_float_array(array, name)
    if image.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array (H, W), got shape {image.shape}")
    return image


def _output_shape(x: np.ndarray, k: np.ndarray) -> tuple[int, int]:
    if k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
        raise ValueError(f"k: the kernel {k.shape} is larger than the image x {x.shape}")
    return x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1


def _as_position(position, out_shape: tuple[int, int]) -> tuple[int, int]:
    """An output position given as `(row, col)` or as a step number counted row by row."""
    h_out, w_out = out_shape
    if isinstance(position, (int, np.integer)) and not isinstance(position, bool):
        if not 0 <= position < h_out * w_out:
            raise ValueError(f"position: expected a step in [0, {h_out * w_out - 1}], got {position}")
        return divmod(int(position), w_out)
    row, col = as_pair(position, "position")
    if row >= h_out or col >= w_out:
        raise ValueError(f"position: expected (row, col) inside the {h_out}x{w_out} output, got {(row, col)}")
    return row, col


def _mark_kernel(ax, k: np.ndarray, row: int, col: int) -> None:
    """Write each kernel weight small in the corner of the image cell it multiplies (as the slides do)."""
    for (i, j), weight in np.ndenumerate(k):
        ax.text(col + j + 0.45, row + i + 0.45, "\u00d7" + _format_value(weight, 2), ha="right",
                va="bottom", fontsize=7, color="tab:red")


def _show_signed(values: np.ndarray, ax, **kwargs) -> None:
    """`show_grid` on a diverging scale centred at zero, with text readable on every cell.

    Cells far from zero are dark at both ends of the scale, so their text is white; cells near
    zero are light, so their text is black.
    """
    limit = np.abs(values).max() or 1.0
    show_grid(values, ax=ax, cmap="RdBu_r", vmin=-limit, vmax=limit, **kwargs)
    if len(ax.texts) == values.size:
        for text, value in zip(ax.texts, values.flat):
            text.set_color("white" if abs(value) > limit / 2 else "black")


def show_patch(image, row: int, col: int, size: int = 8, scale: float = 255.0) -> Figure:
    """Show an image beside the numbers of one square patch of it: what the computer "sees".

    Parameters
    ----------
    image : array_like, shape (H, W)
        A gray-scale image.
    row, col : int
        Top-left pixel of the patch.
    size : int
        Side of the patch (at most 12, so that every number can be written in its cell).
    scale : float
        Factor applied to the numbers written in the patch (255 turns [0, 1] intensities into
        the 8-bit values of a camera); the numbers are rounded to integers.

    Returns
    -------
    Figure
        Two axes: the image with the patch outlined, and the patch as an annotated grid.
    """
    image = _as_image(image, "image")
    if not 1 <= size <= 12:
        raise ValueError(f"size: expected an int in [1, 12], got {size!r}")
    if not (0 <= row <= image.shape[0] - size and 0 <= col <= image.shape[1] - size):
        raise ValueError(f"row, col: a {size}x{size} patch at ({row}, {col}) does not fit in the image {image.shape}")
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 4.2), width_ratios=(1, 1.1))
    left.imshow(image, cmap="gray")
    left.add_patch(plt.Rectangle((col - 0.5, row - 0.5), size, size, fill=False, edgecolor="tab:red", linewidth=2))
    left.set_title(f"the image, {image.shape[0]}x{image.shape[1]} pixels")
    left.axis("off")
    patch = np.round(image[row:row + size, col:col + size] * scale)
    show_grid(patch, ax=right, cmap="gray", decimals=0,
              title=f"rows {row}-{row + size - 1}, columns {col}-{col + size - 1}")
    middle = (patch.min() + patch.max()) / 2
    for text, value in zip(right.texts, patch.flat):  # dark text on light cells, light on dark
        text.set_color("black" if value > middle else "white")
    figure.tight_layout()
    return figure


def show_correlation_step(x, k, position, axes=None) -> Figure:
    """One step of the sliding window: the window on the image, the products, the output so far.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The image (small: every value is written in its cell).
    k : array_like, shape (kH, kW)
    position : int or (int, int)
        The output pixel computed in this step, as `(row, col)` or as a step number counted row
        by row from 0 to `H_out * W_out - 1`.
    axes : sequence of 4 Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    Figure
        Four panels: the image with the window outlined and each kernel weight written in the
        corner of the pixel it multiplies; the kernel; the products under the window, with their
        sum in the title; and the output, filled in up to this step.
    """
    x, k = _as_image(x, "x"), _as_image(k, "k")
    out_shape = _output_shape(x, k)
    row, col = _as_position(position, out_shape)
    kh, kw = k.shape
    window = (slice(row, row + kh), slice(col, col + kw))
    products = x[window] * k
    full = corr2d(x, k)
    done = np.arange(full.size).reshape(full.shape) <= row * out_shape[1] + col
    if axes is None:
        figure, axes = plt.subplots(1, 4, figsize=(11, 3.2),
                                    width_ratios=(x.shape[1], kw, kw, out_shape[1]))
    else:
        figure = axes[0].figure
    show_grid(x, ax=axes[0], highlight=window, title="input x: the window", cmap="Greys", vmin=0,
              vmax=2 * max(np.abs(x).max(), 1))
    _mark_kernel(axes[0], k, row, col)
    _show_signed(k, axes[1], title="kernel k")
    show_grid(products, ax=axes[2], cmap="Oranges", title=f"x \u2299 k: sum = {_format_value(products.sum(), 2)}")
    show_grid(np.where(done, full, np.nan), ax=axes[3], highlight=(row, col), cmap="Blues",
              vmin=min(full.min(), 0), vmax=full.max(),
              title=f"output: out[{row}, {col}] = {_format_value(full[row, col], 2)}")
    for text in list(axes[3].texts):
        if text.get_text() == "nan":  # steps not computed yet stay empty
            text.remove()
    return figure


def show_correlation_steps(x, k, size: float = 2.0) -> Figure:
    """Every position of the sliding window at once, one small panel per output pixel.

    Panel `(i, j)` shows the image with the window that produces `out[i, j]` outlined, the
    kernel weights written in the corners of the pixels they multiply, and the result in the
    title. Read the panels row by row, as the window moves.

    Parameters
    ----------
    x : array_like, shape (H, W)
    k : array_like, shape (kH, kW)
        At most 36 output pixels, so that the panels stay readable.
    size : float
        Side of each panel in inches.

    Returns
    -------
    Figure
        `H_out * W_out` axes in an `H_out x W_out` grid.
    """
    x, k = _as_image(x, "x"), _as_image(k, "k")
    h_out, w_out = _output_shape(x, k)
    if h_out * w_out > _MAX_STEPS:
        raise ValueError(f"x: {h_out}x{w_out} = {h_out * w_out} window positions are too many to draw "
                         f"(at most {_MAX_STEPS}); use a smaller image")
    out = corr2d(x, k)
    figure, axes = plt.subplots(h_out, w_out, figsize=(size * w_out, size * h_out + 0.4), squeeze=False)
    kh, kw = k.shape
    for (row, col), ax in np.ndenumerate(axes):
        show_grid(x, ax=ax, highlight=(slice(row, row + kh), slice(col, col + kw)), cmap="Greys",
                  vmin=0, vmax=2 * max(np.abs(x).max(), 1))
        _mark_kernel(ax, k, row, col)
        ax.set_title(f"out[{row}, {col}] = {_format_value(out[row, col], 2)}", fontsize=10)
    figure.suptitle(f"a {kh}x{kw} kernel sliding over a {x.shape[0]}x{x.shape[1]} image: "
                    f"{h_out * w_out} positions, a {h_out}x{w_out} output")
    figure.tight_layout()
    return figure


def _rmse(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.sqrt(np.mean((a - b) ** 2)))


def show_filtering(clean, noisy, filtered, kernel=None, name: str = "filtered",
                   signed: bool = False) -> Figure:
    """The clean image, its noisy version, the filtered result and the kernel, side by side.

    A filter without padding returns the "valid" part only, smaller than its input by
    `kH - 1` rows and `kW - 1` columns; the clean image is cropped to the same centre part
    before the two are compared.

    Parameters
    ----------
    clean : array_like, shape (H, W)
    noisy : array_like, shape (H, W)
    filtered : array_like, shape (H - kH + 1, W - kW + 1)
        The filter's output on `noisy`.
    kernel : array_like, shape (kH, kW), optional
        Drawn in the last panel; omit it for a filter that has none (the median filter).
    name : str
        The filter's name, for the title.
    signed : bool
        True for derivative filters (Sobel, Laplacian of Gaussian, Gabor): their output is drawn
        on a diverging scale centred at zero and no error is computed, since they do not try to
        restore the image. Otherwise the titles give the root-mean-square error to `clean`.

    Returns
    -------
    Figure
        Four axes.
    """
    clean, noisy, filtered = (_as_image(a, n) for a, n in ((clean, "clean"), (noisy, "noisy"), (filtered, "filtered")))
    if noisy.shape != clean.shape:
        raise ValueError(f"noisy: expected the shape of clean {clean.shape}, got {noisy.shape}")
    lost = (clean.shape[0] - filtered.shape[0], clean.shape[1] - filtered.shape[1])
    if min(lost) < 0:
        raise ValueError(f"filtered: expected at most the shape of clean {clean.shape}, got {filtered.shape}")
    top, left = lost[0] // 2, lost[1] // 2
    centre = clean[top:top + filtered.shape[0], left:left + filtered.shape[1]]
    figure, axes = plt.subplots(1, 4, figsize=(13, 3.6))
    low, high = clean.min(), clean.max()
    axes[0].imshow(clean, cmap="gray", vmin=low, vmax=high)
    axes[0].set_title("clean")
    axes[1].imshow(noisy, cmap="gray", vmin=low, vmax=high)
    if signed:
        limit = np.abs(filtered).max() or 1.0
        axes[1].set_title("noisy" if np.any(noisy != clean) else "input (no noise)")
        axes[2].imshow(filtered, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axes[2].set_title(f"{name} (red > 0, blue < 0)")
    else:
        axes[1].set_title(f"noisy: error {_rmse(noisy, clean):.3f}")
        axes[2].imshow(filtered, cmap="gray", vmin=low, vmax=high)
        axes[2].set_title(f"{name}: error {_rmse(filtered, centre):.3f}")
    for ax in axes[:3]:
        ax.axis("off")
    if kernel is None:
        axes[3].axis("off")
        axes[3].text(0.5, 0.5, "no kernel:\nthe median of each window\nis not a weighted sum",
                     ha="center", va="center", fontsize=11, transform=axes[3].transAxes)
    else:
        kernel = _as_image(kernel, "kernel")
        _show_signed(kernel, axes[3], annotate=max(kernel.shape) <= 5,
                     title=f"kernel {kernel.shape[0]}x{kernel.shape[1]}")
    figure.tight_layout()
    return figure


def show_shift_equivariance(image, kernel, shift) -> Figure:
    """Shift then filter against filter then shift: the same picture, except at the border.

    The shift is `np.roll` by `(dy, dx)` pixels (down and to the right for positive values),
    so what leaves on one side comes back on the other. Cross-correlating and then shifting
    gives exactly what shifting and then cross-correlating gives, except in the `dy` top rows
    and `dx` left columns of the output (for non-negative shifts), where the two see different
    wrapped-around pixels.

    Parameters
    ----------
    image : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    shift : (int, int)
        `(dy, dx)`, each >= 0.

    Returns
    -------
    Figure
        Five axes: the image, the shifted image, filter-then-shift, shift-then-filter, and the
        absolute difference of the last two.
    """
    image, kernel = _as_image(image, "image"), _as_image(kernel, "kernel")
    dy, dx = as_pair(shift, "shift")
    h_out, w_out = _output_shape(image, kernel)
    if dy >= h_out or dx >= w_out:
        raise ValueError(f"shift: expected a shift smaller than the {h_out}x{w_out} output, got {(dy, dx)}")
    shifted = np.roll(image, (dy, dx), axis=(0, 1))
    filter_then_shift = np.roll(corr2d(image, kernel), (dy, dx), axis=(0, 1))
    shift_then_filter = corr2d(shifted, kernel)
    difference = np.abs(filter_then_shift - shift_then_filter)
    figure, axes = plt.subplots(1, 5, figsize=(15, 3.9))
    limit = max(np.abs(filter_then_shift).max(), np.abs(shift_then_filter).max()) or 1.0
    panels = [
        (image, "image x", dict(cmap="gray")),
        (shifted, f"S(x): shifted by ({dy}, {dx})", dict(cmap="gray")),
        (filter_then_shift, "S(x \u22c6 k): filter, then shift", dict(cmap="RdBu_r", vmin=-limit, vmax=limit)),
        (shift_then_filter, "S(x) \u22c6 k: shift, then filter", dict(cmap="RdBu_r", vmin=-limit, vmax=limit)),
        (difference, f"|difference|: max {difference[dy:, dx:].max():.1e} inside", dict(cmap="Reds", vmin=0)),
    ]
    for ax, (values, title, style) in zip(axes, panels):
        ax.imshow(values, **style)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    axes[4].add_patch(plt.Rectangle((dx - 0.5, dy - 0.5), w_out - dx, h_out - dy, fill=False,
                                    edgecolor="tab:blue", linewidth=2, linestyle="--"))
    figure.tight_layout()
    return figure
