"""Figures for pooling: the windows on the input, the pooled output, unpooling, gradients, shifts.

Every window of a pooling layer gets its own colour, and the output pixel it makes gets the same
colour, so a reader can see which input pixels each output summarises. The padding is drawn
around the image with what it is filled with (-inf for max pooling, +inf for min pooling, 0 for
average pooling); the part of a ceil-mode window that hangs past the padding is hatched.

    >>> import numpy as np
    >>> figure = show_pooling(np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]), 2)
    >>> figure.get_suptitle(), [ax.get_title() for ax in figure.axes]
    ('max pooling 2×2, stride 2', ['input 4×4', 'output 2×2'])
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from .. import pooling as _pooling
from .._validation import as_pair, as_plane
from .arrays import _format_value

__all__ = [
    "show_pooling",
    "pool_size_text",
    "show_max_unpooling",
    "show_max_pool_backward",
    "show_shift_invariance",
    "shift_sensitivity",
    "show_shift_sensitivity",
]

_MODES = ("max", "avg", "min")
_MODE_NAMES = {"max": "max pooling", "avg": "average pooling", "min": "min pooling"}
_PADDING_LABELS = {"max": "−∞", "min": "+∞", "avg": "0"}
_CELL_INCHES = 0.5
_PADDING_COLOUR = "0.82"
_OVERHANG_COLOUR = "0.94"


# ---------------------------------------------------------------------------------------------
# Geometry and drawing helpers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Windows:
    """Where the windows of a pooling layer lie on one `(H, W)` plane."""

    shape: tuple[int, int]
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    out: tuple[int, int]

    @property
    def count(self) -> int:
        return self.out[0] * self.out[1]

    @property
    def overlapping(self) -> bool:
        return self.stride[0] < self.kernel[0] or self.stride[1] < self.kernel[1]

    def corner(self, window: int) -> tuple[int, int]:
        """Top-left pixel (row, col) of a window, in image coordinates (negative in the padding)."""
        row, col = divmod(window, self.out[1])
        return row * self.stride[0] - self.padding[0], col * self.stride[1] - self.padding[1]

    def extent(self) -> tuple[int, int, int, int]:
        """First and one-past-last row and column that the drawing must show."""
        bottom = max(self.shape[0] + self.padding[0],
                     (self.out[0] - 1) * self.stride[0] - self.padding[0] + self.kernel[0])
        right = max(self.shape[1] + self.padding[1],
                    (self.out[1] - 1) * self.stride[1] - self.padding[1] + self.kernel[1])
        return -self.padding[0], bottom, -self.padding[1], right


def _windows(shape, kernel_size, stride, padding, ceil_mode) -> _Windows:
    kernel = as_pair(kernel_size, "kernel_size", minimum=1)
    stride_ = kernel if stride is None else as_pair(stride, "stride", minimum=1)
    pad = as_pair(padding, "padding", minimum=0)
    out = _pooling.pool_output_size(tuple(shape), kernel, stride_, pad, ceil_mode=bool(ceil_mode))
    return _Windows(tuple(shape), kernel, stride_, pad, out)


def _check_mode(mode) -> str:
    if mode not in _MODES:
        raise ValueError(f"mode: expected one of {_MODES}, got {mode!r}")
    return mode


def _pool(plane, geometry: _Windows, mode: str, ceil_mode: bool):
    """Pool one plane with the reference; return `(out, flat argmax indices or None)`."""
    arguments = (geometry.kernel, geometry.stride, geometry.padding)
    if mode == "avg":
        return _pooling.avg_pool2d(plane[None], *arguments, ceil_mode=ceil_mode)[0], None
    function = _pooling.max_pool2d if mode == "max" else _pooling.min_pool2d
    out, indices = function(plane[None], *arguments, ceil_mode=ceil_mode, return_indices=True)
    return out[0], indices[0]


def _colours(geometry: _Windows) -> list:
    """One colour per window from tab10; with more than ten windows neighbours still differ."""
    palette = plt.get_cmap("tab10").colors
    if geometry.count <= len(palette):
        return list(palette[: geometry.count])
    # (3 * row + col) mod 10 differs between any two windows that touch, diagonals included.
    return [palette[(3 * (w // geometry.out[1]) + w % geometry.out[1]) % 10] for w in range(geometry.count)]


def _new_axes(widths: list[int], heights: list[int], axes, headroom: float = 0.45,
              footroom: float = 0.1) -> list[Axes]:
    """Axes sized to the number of cells they show (or the ones given).

    `headroom` and `footroom` are the space above and below the panels, in inches: for their
    titles (and a suptitle) and for notes under them.
    """
    if axes is not None:
        return list(axes)
    gap = 0.9  # inches between panels, room for their titles
    width = _CELL_INCHES * sum(widths) + gap * (len(widths) - 1) + 0.4
    height = _CELL_INCHES * max(heights) + headroom + footroom
    figure, new = plt.subplots(1, len(widths), squeeze=False, figsize=(width, height),
                               gridspec_kw={"width_ratios": widths})
    figure.subplots_adjust(left=0.2 / width, right=1 - 0.2 / width, bottom=footroom / height,
                           top=1 - headroom / height,
                           wspace=gap / (_CELL_INCHES * sum(widths) / len(widths)))
    return list(new[0])


def _frame(ax: Axes, top: int, bottom: int, left: int, right: int, title: str) -> None:
    margin = 0.55  # half a cell, and a little more so that the outer lines are not cut
    ax.set_xlim(left - margin, right - 1 + margin)
    ax.set_ylim(bottom - 1 + margin, top - margin)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontsize=10)


def _cells(ax: Axes, cells, face="white", hatch: str | None = None) -> None:
    """Draw unit cells at `(row, col)` positions, all at once (one collection, fast to redraw)."""
    rectangles = [Rectangle((col - 0.5, row - 0.5), 1, 1) for row, col in cells]
    if rectangles:
        ax.add_collection(PatchCollection(rectangles, facecolor=face, edgecolor="0.6", linewidth=0.8,
                                          hatch=hatch, zorder=1), autolim=False)


def _grid(ax: Axes, height: int, width: int) -> None:
    """A blank `height x width` grid of cells."""
    _cells(ax, [(row, col) for row in range(height) for col in range(width)])


def _outline(ax: Axes, top: float, left: float, height: float, width: float, colour,
             fill: bool, inset: float = 0.0, linewidth: float = 2.5) -> None:
    """A window: a rectangle over the cells it covers, filled with a pale tint if asked."""
    corner = (left - 0.5 + inset, top - 0.5 + inset)
    size = (width - 2 * inset, height - 2 * inset)
    if fill:
        ax.add_patch(Rectangle(corner, *size, facecolor=colour, alpha=0.3, edgecolor="none", zorder=2))
    ax.add_patch(Rectangle(corner, *size, fill=False, edgecolor=colour, linewidth=linewidth, zorder=3))


def _circle_maxima(ax: Axes, indices: np.ndarray, width: int, colours, linewidths) -> None:
    """Circle the pixel each window picked; a pixel picked by several windows gets nested circles."""
    drawn: dict[int, int] = {}
    for window, flat in enumerate(indices.ravel()):
        nested = drawn.get(int(flat), 0)
        drawn[int(flat)] = nested + 1
        row, col = divmod(int(flat), width)
        ax.add_patch(Circle((col, row), max(0.4 - 0.08 * nested, 0.12), fill=False,
                            edgecolor=colours[window], linewidth=linewidths[window], zorder=5))


def _draw_plane(ax: Axes, plane, geometry: _Windows, mode: str) -> None:
    """The image, its padding (labelled with the fill value) and any ceil-mode overhang."""
    height, width = plane.shape
    top, bottom, left, right = geometry.extent()
    pad_h, pad_w = geometry.padding
    image, padding, overhang = [], [], []
    for row in range(top, bottom):
        for col in range(left, right):
            if 0 <= row < height and 0 <= col < width:
                image.append((row, col))
                _cell_text(ax, row, col, _format_value(plane[row, col], 2))
            elif -pad_h <= row < height + pad_h and -pad_w <= col < width + pad_w:
                padding.append((row, col))
                _cell_text(ax, row, col, _PADDING_LABELS[mode], color="0.35")
            else:
                overhang.append((row, col))
    _cells(ax, image)
    _cells(ax, padding, face=_PADDING_COLOUR)
    _cells(ax, overhang, face=_OVERHANG_COLOUR, hatch="//")
    # The border of the image itself, so that the padding is seen as outside it.
    ax.add_patch(Rectangle((-0.5, -0.5), width, height, fill=False, edgecolor="black",
                           linewidth=1.2, zorder=3))


def _shown_windows(geometry: _Windows, highlight) -> list[int]:
    """Windows drawn on the input: all of them unless they overlap, then the highlighted one."""
    if highlight is not None and not 0 <= highlight < geometry.count:
        raise ValueError(f"highlight: expected a window from 0 to {geometry.count - 1}, got {highlight!r}")
    if not geometry.overlapping:
        return list(range(geometry.count))
    return [0 if highlight is None else highlight]


def _pool_panels(ax_in: Axes, ax_out: Axes, plane, geometry: _Windows, mode: str, ceil_mode: bool,
                 highlight) -> tuple[np.ndarray, np.ndarray | None]:
    """Draw the input with its windows and the output; return what the pooling gave."""
    out, indices = _pool(plane, geometry, mode, ceil_mode)
    colours = _colours(geometry)
    shown = _shown_windows(geometry, highlight)
    width = plane.shape[1]

    _draw_plane(ax_in, plane, geometry, mode)
    for window in shown:
        row, col = geometry.corner(window)
        _outline(ax_in, row, col, *geometry.kernel, colours[window], fill=True,
                 linewidth=4 if window == highlight else 2.5)
    if indices is not None and not geometry.overlapping:  # each window's pick, in its colour
        _circle_maxima(ax_in, indices, width, colours, [2.0] * geometry.count)
    elif indices is not None:  # every pixel picked by some window in grey, the shown one in colour
        for flat in np.unique(indices):
            ax_in.add_patch(Circle((flat % width, flat // width), 0.4, fill=False, edgecolor="0.45",
                                   linewidth=1.0, zorder=5))
        for window in shown:
            flat = int(indices.ravel()[window])
            ax_in.add_patch(Circle((flat % width, flat // width), 0.4, fill=False,
                                   edgecolor=colours[window], linewidth=2.5, zorder=6))
    height_in = geometry.extent()
    _frame(ax_in, *height_in, title=f"input {plane.shape[0]}×{plane.shape[1]}"
           + (f", padding {_pair_text(geometry.padding)}" if any(geometry.padding) else ""))

    _grid(ax_out, *geometry.out)
    for window, value in enumerate(out.ravel()):
        row, col = divmod(window, geometry.out[1])
        if window in shown:
            _outline(ax_out, row, col, 1, 1, colours[window], fill=True,
                     linewidth=4 if window == highlight else 2.5)
        if indices is None:
            _cell_text(ax_out, row, col, _format_value(value, 2))
        else:
            source = divmod(int(indices.ravel()[window]), width)
            _cell_text(ax_out, row - 0.12, col, _format_value(value, 2))
            _cell_text(ax_out, row + 0.27, col, f"({source[0]},{source[1]})", fontsize=6.5, color="0.3")
    _frame(ax_out, 0, geometry.out[0], 0, geometry.out[1], f"output {geometry.out[0]}×{geometry.out[1]}")
    return out, indices


def _cell_text(ax: Axes, row: float, col: float, text: str, fontsize: float = 10, **options) -> None:
    ax.text(col, row, text, ha="center", va="center", fontsize=fontsize, zorder=4, **options)


def _describe(geometry: _Windows, mode: str, ceil_mode: bool) -> str:
    """E.g. 'max pooling 2×2, stride 2, ceil mode'."""
    text = f"{_MODE_NAMES[mode]} {_pair_text(geometry.kernel, '×')}, stride {_pair_text(geometry.stride)}"
    if any(geometry.padding):
        text += f", padding {_pair_text(geometry.padding)}"
    return text + (", ceil mode" if ceil_mode else "")


def _pair_text(pair, joiner: str | None = None) -> str:
    """`2` for (2, 2) and `(2, 1)` otherwise; with a joiner, `2×2` and `2×1`."""
    if joiner is not None:
        return f"{pair[0]}{joiner}{pair[1]}"
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# ---------------------------------------------------------------------------------------------
# Public figures
# ---------------------------------------------------------------------------------------------


def show_pooling(x, kernel_size, stride=None, padding=0, mode: str = "max", ceil_mode: bool = False,
                 highlight: int | None = None, sizes: bool = False, axes=None) -> Figure:
    """Draw a pooling layer on one channel: the windows on the input, and the output they make.

    Each window is tinted in its own colour, and so is the output pixel it produces. For max and
    min pooling the pixel each window picks is circled, and each output pixel shows, under its
    value, the `(row, col)` it came from. The padding is drawn around the image with its fill
    value (-inf, +inf or 0, depending on `mode`); the part of a ceil-mode window that hangs past
    the padding is hatched. When windows overlap, only the `highlight` window is tinted (the
    first by default), while the circles still mark every window's choice.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One channel.
    kernel_size, stride, padding, ceil_mode
        As in `course_lib.max_pool2d` (`stride=None` means `kernel_size`).
    mode : {"max", "avg", "min"}
    highlight : int, optional
        Row-major number of a window to emphasise (thicker outline).
    sizes : bool
        Write the output-size arithmetic under the panels (see `pool_size_text`).
    axes : pair of Axes, optional
        Where to draw the input and the output; a new figure is made when omitted.

    Returns
    -------
    Figure

    Examples
    --------
    >>> figure = show_pooling(np.arange(25).reshape(5, 5), 2, ceil_mode=True, mode="avg")
    >>> figure.get_suptitle(), figure.axes[1].get_title()
    ('average pooling 2×2, stride 2, ceil mode', 'output 3×3')
    """
    plane = as_plane(x)
    mode = _check_mode(mode)
    geometry = _windows(plane.shape, kernel_size, stride, padding, ceil_mode)
    top, bottom, left, right = geometry.extent()
    ax_in, ax_out = _new_axes([right - left, geometry.out[1]], [bottom - top, geometry.out[0]], axes,
                              headroom=0.75, footroom=0.75 if sizes else 0.1)
    _pool_panels(ax_in, ax_out, plane, geometry, mode, bool(ceil_mode), highlight)
    figure = ax_in.figure
    figure.suptitle(_describe(geometry, mode, bool(ceil_mode)), fontsize=11)
    if sizes:
        text = "\n".join(
            pool_size_text(n, k, s, p, ceil_mode, name)
            for name, n, k, s, p in zip(("H_out", "W_out"), plane.shape, geometry.kernel,
                                        geometry.stride, geometry.padding)
        )
        figure.text(0.2 / figure.get_figwidth(), 0.1 / figure.get_figheight(), text, fontsize=9.5,
                    va="bottom", ha="left", family="DejaVu Sans")
    return figure


def pool_size_text(n: int, kernel_size: int, stride: int, padding: int = 0, ceil_mode: bool = False,
                   name: str = "out") -> str:
    """The output-size arithmetic of a pooling layer along one axis, as one line of text.

    Frameworks round down by default (floor); in ceil mode they round up, but drop a last
    window that would start in the right padding. The line says which happened, and in floor
    mode what ceil mode would give where it differs.

    Examples
    --------
    >>> pool_size_text(7, 2, 2)
    'out = ⌊(7 + 2·0 − 2) / 2⌋ + 1 = 3   (ceil mode: 4)'
    >>> pool_size_text(5, 2, 2, padding=1, ceil_mode=True)
    'out = ⌈(5 + 2·1 − 2) / 2⌉ + 1 = 4, but the last window would start in the padding: 3'
    """
    room = n + 2 * padding - kernel_size
    floor_size = _pooling.pool_output_size(n, kernel_size, stride, padding)
    ceil_size = _pooling.pool_output_size(n, kernel_size, stride, padding, ceil_mode=True)
    arithmetic = f"({n} + 2·{padding} − {kernel_size}) / {stride}"
    if not ceil_mode:
        text = f"{name} = ⌊{arithmetic}⌋ + 1 = {floor_size}"
        return text + (f"   (ceil mode: {ceil_size})" if ceil_size != floor_size else "")
    rounded_up = -(-room // stride) + 1
    text = f"{name} = ⌈{arithmetic}⌉ + 1 = {rounded_up}"
    if rounded_up != ceil_size:
        text += f", but the last window would start in the padding: {ceil_size}"
    return text


def show_max_unpooling(x, values, kernel_size=2, stride=None, padding=0) -> Figure:
    """Max pooling that remembers where its maxima were, then max unpooling that puts values back.

    Four panels, one colour per window: the input with each window's maximum circled; the pooled
    output with, under each value, the flat index `row * W + col` of its maximum; the values to
    unpool (e.g. from a decoder); and the unpooled output, where each value lands at the stored
    position of its window and every other pixel is zero.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The plane that was max pooled.
    values : array_like, shape (H_out, W_out)
        What to unpool: one value per window.
    kernel_size, stride, padding
        Those of the max pooling.

    Returns
    -------
    Figure

    Examples
    --------
    >>> x = np.array([[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]])
    >>> figure = show_max_unpooling(x, [[1, 2], [3, 4]])
    >>> [t.get_text() for t in figure.axes[3].texts if t.get_text() != "0"]
    ['2', '1', '3', '4']
    """
    plane = as_plane(x)
    geometry = _windows(plane.shape, kernel_size, stride, padding, False)
    values = as_plane(values, "values")
    if values.shape != geometry.out:
        raise ValueError(f"values: expected the pooled shape {geometry.out}, got shape {values.shape}")
    top, bottom, left, right = geometry.extent()
    out_h, out_w = geometry.out
    height, width = plane.shape
    axes = _new_axes([right - left, out_w, out_w, width], [bottom - top, out_h, out_h, height], None)
    _, indices = _pool_panels(axes[0], axes[1], plane, geometry, "max", False, None)
    colours = _colours(geometry)
    axes[0].set_title("1. input, maxima circled", fontsize=10)

    # Replace the (row, col) labels of the pooled panel by the flat indices that are stored.
    for text in list(axes[1].texts):
        if text.get_text().startswith("("):
            text.remove()
    for window, flat in enumerate(indices.ravel()):
        row, col = divmod(window, out_w)
        _cell_text(axes[1], row + 0.27, col, f"idx {flat}", fontsize=6.5, color="0.3")
    axes[1].set_title("2. pooled, and\nwhere each max was", fontsize=10)

    _grid(axes[2], out_h, out_w)
    for window, value in enumerate(values.ravel()):
        row, col = divmod(window, out_w)
        _outline(axes[2], row, col, 1, 1, colours[window], fill=True)
        _cell_text(axes[2], row, col, _format_value(value, 2))
    _frame(axes[2], 0, out_h, 0, out_w, "3. values to unpool")

    unpooled = _pooling.max_unpool2d(values[None], indices[None], geometry.kernel, geometry.stride,
                                     geometry.padding, output_size=plane.shape)[0]
    owner = {int(flat): window for window, flat in enumerate(indices.ravel())}
    _grid(axes[3], height, width)
    for (row, col), value in np.ndenumerate(unpooled):
        window = owner.get(row * width + col)
        if window is not None:
            _outline(axes[3], row, col, 1, 1, colours[window], fill=True)
        _cell_text(axes[3], row, col, _format_value(value, 2), color="black" if window is not None else "0.55")
    _frame(axes[3], 0, height, 0, width, "4. max-unpooled")
    return axes[0].figure


def show_max_pool_backward(x, dout, kernel_size, stride=None, padding=0) -> Figure:
    """Backpropagation through max pooling: each window's gradient goes to its maximum.

    Three panels: the input with every window outlined in its colour and its maximum circled;
    the incoming gradient `dout`, one value per window in the same colours; and the gradient
    with respect to the input. A pixel that is the maximum of several overlapping windows
    receives the sum of their gradients: it is outlined in red and the sum is spelled out.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The plane that was max pooled.
    dout : array_like, shape (H_out, W_out)
        Gradient of the loss with respect to the pooled output.
    kernel_size, stride, padding
        Those of the max pooling.

    Returns
    -------
    Figure

    Examples
    --------
    >>> x = np.array([[1, 2, 0], [0, 9, 0], [3, 0, 4]])
    >>> figure = show_max_pool_backward(x, [[1, 2], [3, 4]], 2, stride=1)
    >>> "10" in [t.get_text() for t in figure.axes[2].texts]
    True
    """
    plane = as_plane(x)
    geometry = _windows(plane.shape, kernel_size, stride, padding, False)
    grad = as_plane(dout, "dout")
    if grad.shape != geometry.out:
        raise ValueError(f"dout: expected the pooled shape {geometry.out}, got shape {grad.shape}")
    _, indices = _pool(plane, geometry, "max", False)
    dx = _pooling.max_pool2d_backward(grad[None], plane[None], geometry.kernel, geometry.stride,
                                      geometry.padding)[0]
    colours = _colours(geometry)
    top, bottom, left, right = geometry.extent()
    height, width = plane.shape
    out_h, out_w = geometry.out
    axes = _new_axes([right - left, out_w, width], [bottom - top, out_h, height], None)

    _draw_plane(axes[0], plane, geometry, "max")
    insets = (0.04, 0.14, 0.24) if geometry.overlapping else (0.0,)
    for window in range(geometry.count):
        row, col = geometry.corner(window)
        _outline(axes[0], row, col, *geometry.kernel, colours[window], fill=not geometry.overlapping,
                 inset=insets[window % len(insets)])
    _circle_maxima(axes[0], indices, width, colours, [2.0] * geometry.count)
    _frame(axes[0], top, bottom, left, right, "input, maxima circled")

    _grid(axes[1], out_h, out_w)
    for window, value in enumerate(grad.ravel()):
        row, col = divmod(window, out_w)
        _outline(axes[1], row, col, 1, 1, colours[window], fill=True)
        _cell_text(axes[1], row, col, _format_value(value, 2))
    _frame(axes[1], 0, out_h, 0, out_w, "dout (gradient of the output)")

    sources: dict[int, list[int]] = {}
    for window, flat in enumerate(indices.ravel()):
        sources.setdefault(int(flat), []).append(window)
    _grid(axes[2], height, width)
    for (row, col), value in np.ndenumerate(dx):
        windows = sources.get(row * width + col, [])
        if len(windows) == 1:
            _outline(axes[2], row, col, 1, 1, colours[windows[0]], fill=True)
        elif len(windows) > 1:
            _outline(axes[2], row, col, 1, 1, "tab:red", fill=False, linewidth=3)
            parts = "+".join(_format_value(grad.ravel()[w], 2) for w in windows)
            _cell_text(axes[2], row + 0.3, col, parts, fontsize=6.5, color="tab:red")
        _cell_text(axes[2], row - (0.1 if len(windows) > 1 else 0), col, _format_value(value, 2),
                   color="black" if windows else "0.55")
    _frame(axes[2], 0, height, 0, width, "dx (gradient of the input)")
    return axes[0].figure


def _shifted(plane: np.ndarray, shift) -> np.ndarray:
    """`plane` moved right by `shift` pixels (an int) or by `(down, right)`, with wrap-around."""
    if isinstance(shift, numbers.Integral) and not isinstance(shift, bool):
        dy, dx = 0, int(shift)
    elif (isinstance(shift, (tuple, list)) and len(shift) == 2
          and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in shift)):
        dy, dx = int(shift[0]), int(shift[1])
    else:
        raise ValueError(f"shift: expected an int or a pair of ints (down, right), got {shift!r}")
    return np.roll(plane, (dy, dx), axis=(0, 1))


def _relative_change(a: np.ndarray, b: np.ndarray) -> float:
    """How much `b` differs from `a`, from 0 (equal) to 1 (nothing in common).

    The sum of |a - b| over the sum of |a| + |b|: a map that moved to where the other is blank
    counts fully, a map that stayed put counts zero.
    """
    scale = np.abs(a).sum() + np.abs(b).sum()
    return float(np.abs(a - b).sum() / scale) if scale else 0.0


def _pooled(plane, kernel_size, mode):
    """`plane` pooled with `kernel_size` windows and stride (1: untouched; "global": one number)."""
    if kernel_size == "global":
        return np.array([[plane.max() if mode == "max" else plane.mean()]])
    if kernel_size == 1:
        return plane
    if mode == "avg":
        return _pooling.avg_pool2d(plane[None], kernel_size)[0]
    return _pooling.max_pool2d(plane[None], kernel_size)[0]


def _window_sizes(kernel_sizes) -> list:
    return [k if k == "global" else as_pair(k, "kernel_sizes", minimum=1)[0] for k in kernel_sizes]


def shift_sensitivity(x, kernel_sizes, shift=1, mode: str = "max") -> np.ndarray:
    """How much pooling with each window size changes when the input moves by `shift` pixels.

    For each `k` in `kernel_sizes`, `x` and its shifted copy are pooled with `k x k` windows and
    stride `k` (`k = 1` means no pooling at all), and the result is the relative change
    `sum |P(x) - P(x')| / (sum |P(x)| + sum |P(x')|)` where `x'` is the shifted copy: 0 means
    the shift went unnoticed, 1 that the two outputs have nothing in common. The shift wraps
    around, so keep a blank border around what `x` shows.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A feature map (a blank border keeps the wrap-around from mattering).
    kernel_sizes : sequence of int or "global"
        Window sizes to compare; 1 stands for no pooling, "global" for one window over all.
    shift : int or (int, int)
        Pixels to move right (an int) or `(down, right)`.
    mode : {"max", "avg"}

    Returns
    -------
    ndarray, shape (len(kernel_sizes),)

    Examples
    --------
    A vertical bar in column 2 moves to column 3: without pooling nothing matches any more, but
    2x2 windows (columns 2-3 together) do not notice; a bar in column 3 moving to column 4
    crosses a window border and 2x2 pooling sees it all.

    >>> x = np.zeros((8, 8)); x[2:6, 2] = 1
    >>> shift_sensitivity(x, [1, 2, 8])
    array([1., 0., 0.])
    >>> shift_sensitivity(np.roll(x, 1, axis=1), [1, 2, 8])
    array([1., 1., 0.])
    """
    plane = as_plane(x)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode: expected 'max' or 'avg', got {mode!r}")
    moved = _shifted(plane, shift)
    sizes = _window_sizes(kernel_sizes)
    return np.array([_relative_change(_pooled(plane, k, mode), _pooled(moved, k, mode)) for k in sizes])


def show_shift_invariance(x, shift=1, kernel_size=2, mode: str = "max") -> Figure:
    """A feature map and its shifted copy, before and after pooling, and what the shift changed.

    Top row: `x`, `x` moved by `shift` pixels, and where they differ. Bottom row: the same after
    pooling with `kernel_size` windows and stride. Each difference panel gives the relative
    change (see `shift_sensitivity`) in its title.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A non-negative feature map (e.g. after a ReLU) with a blank border (the shift wraps
        around).
    shift : int or (int, int)
        Pixels to move right (an int) or `(down, right)`.
    kernel_size : int
        Pooling window and stride.
    mode : {"max", "avg"}

    Returns
    -------
    Figure

    Examples
    --------
    >>> x = np.zeros((8, 8)); x[2:6, 2] = 1
    >>> figure = show_shift_invariance(x)
    >>> figure.axes[5].get_title()
    '|difference|: 0% changed'
    """
    plane = as_plane(x)
    if mode not in ("max", "avg"):
        raise ValueError(f"mode: expected 'max' or 'avg', got {mode!r}")
    k = as_pair(kernel_size, "kernel_size", minimum=1)[0]
    moved = _shifted(plane, shift)
    shift_text = (f"right by {shift}" if isinstance(shift, numbers.Integral)
                  else f"by ({shift[0]}, {shift[1]})")
    rows = [(plane, moved, "feature map x", f"x shifted {shift_text}"),
            (_pooled(plane, k, mode), _pooled(moved, k, mode), f"{mode} pool {k}×{k} of x",
             f"{mode} pool {k}×{k} of shifted x")]
    figure, axes = plt.subplots(2, 3, figsize=(9, 6.2))
    for (before, after, title_before, title_after), row in zip(rows, axes):
        change = np.abs(before - after)
        high = max(np.percentile(np.abs(before), 99.5), 1e-12)
        panels = [(before, "Greys", title_before), (after, "Greys", title_after),
                  (change, "Reds", f"|difference|: {100 * _relative_change(before, after):.0f}% changed")]
        for ax, (values, cmap, title) in zip(row, panels):
            ax.imshow(values, cmap=cmap, vmin=0, vmax=high, interpolation="nearest")
            ax.set_title(title, fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
    figure.tight_layout()
    return figure


def show_shift_sensitivity(x, kernel_sizes=(1, 2, 3, 4), shifts=(1, 2, 3), mode: str = "max",
                           ax: Axes | None = None) -> Figure:
    """Plot the relative change of pooled outputs against the window size, one line per shift.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A feature map with a blank border.
    kernel_sizes : sequence of int or "global"
        Window sizes (and strides); 1 stands for no pooling, "global" for one window over all.
    shifts : sequence of int
        Horizontal shifts in pixels.
    mode : {"max", "avg"}
    ax : Axes, optional

    Returns
    -------
    Figure

    Examples
    --------
    >>> x = np.zeros((8, 8)); x[2:6, 2] = 1
    >>> figure = show_shift_sensitivity(x, [1, 2], shifts=[1, 2])
    >>> len(figure.axes[0].lines)
    2
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5))
    sizes = _window_sizes(kernel_sizes)
    positions = np.arange(len(sizes))
    for shift in shifts:
        change = shift_sensitivity(x, sizes, shift, mode)
        ax.plot(positions, 100 * change, marker="o",
                label=f"shift by {shift} pixel{'s' if shift != 1 else ''}")
    ax.set_xticks(positions, [{1: "none", "global": "global"}.get(k, f"{k}×{k}") for k in sizes])
    ax.set_xlabel(f"{mode} pooling window (= stride)")
    ax.set_ylabel("output changed (%)")
    ax.set_ylim(-3, 103)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("How much a shift changes the pooled map")
    ax.figure.tight_layout()
    return ax.figure
