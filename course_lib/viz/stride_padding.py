"""Figures for the stride and padding notebook: where the windows land, padding modes, receptive fields.

A convolution's output size is decided before any multiplication: by how many times a window of
``d(k-1) + 1`` pixels fits on the padded input when it moves ``s`` pixels at a time. These figures
draw exactly that. Padding cells are grey and hatched, input pixels that no window ever reads are
red, each window (one output pixel) has its own colour, and its centre is marked.

    >>> figure = show_window_rows([dict(n=7, kernel_size=3, stride=2)])
    >>> figure.axes[0].get_title()
    'n=7, k=3, s=2: 3 outputs'
    >>> print(explain_output_size(7, 3, stride=3).verdict)
    illegal: 4/3 is not an integer. PyTorch rounds down to 2 outputs and never reads the last 1 pixel.
"""

from __future__ import annotations

import numbers
import textwrap
from collections.abc import Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._validation import as_nonnegative_int, as_positive_int
from ..convolution import receptive_field, same_padding

__all__ = [
    "OutputSizeReport",
    "explain_output_size",
    "draw_windows_1d",
    "show_window_rows",
    "show_windows",
    "show_padding_modes",
    "draw_receptive_field",
    "show_receptive_fields",
    "show_trace",
]

_INPUT_COLOR = "#cfe2f3"
_PADDING_COLOR = "#e6e6e6"
_UNREAD_COLOR = "#f4b6b6"
_LEVEL = 1.8  # vertical distance between the layers of a receptive-field drawing


def _window_color(index: int):
    return plt.get_cmap("tab10")(index % 10)


# ----------------------------------------------------------------------------------------------
# Geometry along one axis
# ----------------------------------------------------------------------------------------------


class _Windows(NamedTuple):
    """The windows of a convolution along one axis, in padded coordinates (0 = first padding cell)."""

    length: int  # padded length, before + n + after
    before: int
    n: int
    span: int  # d(k-1) + 1
    taps: np.ndarray  # (n_out, k): the padded positions each window reads
    read: np.ndarray  # (length,): True where some window reads the cell


def _as_padding_pair(padding) -> tuple[int, int]:
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        padding = as_nonnegative_int(padding, "padding")
        return padding, padding
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return as_nonnegative_int(padding[0], "padding"), as_nonnegative_int(padding[1], "padding")
    raise ValueError(f"padding: expected an int >= 0 or a pair (before, after) of them, got {padding!r}")


def _windows(n, kernel_size, stride, padding, dilation) -> _Windows:
    n = as_positive_int(n, "n")
    k = as_positive_int(kernel_size, "kernel_size")
    s = as_positive_int(stride, "stride")
    d = as_positive_int(dilation, "dilation")
    before, after = _as_padding_pair(padding)
    length, span = before + n + after, d * (k - 1) + 1
    n_out = (length - span) // s + 1 if length >= span else 0
    taps = np.arange(n_out)[:, None] * s + np.arange(k)[None, :] * d
    read = np.zeros(length, dtype=bool)
    read[taps.ravel()] = True
    return _Windows(length, before, n, span, taps, read)


class OutputSizeReport(NamedTuple):
    """What `explain_output_size` says: the size (0 if no window fits), the formula, the verdict."""

    size: int
    legal: bool
    formula: str
    verdict: str


def explain_output_size(n, kernel_size, stride=1, padding=0, dilation=1) -> OutputSizeReport:
    """The output-size formula with the numbers filled in, and whether the setting is legal.

    ``floor((n + 2p - d(k-1) - 1) / s) + 1`` counts the windows; the setting is legal (in the
    lectures' sense) when the division is exact, so that the windows tile the padded input. When it
    is not, PyTorch rounds down and some pixels at the end are never read; when the dilated kernel
    is larger than the padded input, no window fits at all. Input pixels that fall between windows
    (a stride larger than the window) are reported too.

    Parameters
    ----------
    n, kernel_size, stride, padding, dilation : int
        One axis of a convolution (padding on each side).

    Returns
    -------
    OutputSizeReport
        ``size`` (int), ``legal`` (bool), ``formula`` and ``verdict`` (str).

    Examples
    --------
    >>> print(explain_output_size(7, 3, stride=2, padding=1).formula)
    ⌊(n + 2p − d(k−1) − 1) / s⌋ + 1 = ⌊(7 + 2·1 − 1·2 − 1) / 2⌋ + 1 = ⌊6/2⌋ + 1 = 4
    """
    padding = as_nonnegative_int(padding, "padding")
    windows = _windows(n, kernel_size, stride, padding, dilation)
    free = windows.length - windows.span
    general = "⌊(n + 2p − d(k−1) − 1) / s⌋ + 1"
    filled = f"⌊({n} + 2·{padding} − {dilation}·{kernel_size - 1} − 1) / {stride}⌋ + 1"
    if free < 0:
        formula = f"{general} = {filled} = ⌊{free}/{stride}⌋ + 1 = {free // stride + 1}"
        verdict = (f"impossible: the kernel covers {windows.span} pixels but the padded input has only "
                   f"{windows.length}, so no window fits.")
        return OutputSizeReport(0, False, formula, verdict)
    size = len(windows.taps)
    formula = f"{general} = {filled} = ⌊{free}/{stride}⌋ + 1 = {size}"
    unread = int((~windows.read[padding:padding + n]).sum())
    skipped = free % stride  # cells at the end of the padded input after the last window
    skipped_input = max(0, min(skipped, n + padding - (windows.length - skipped)))
    gaps = f" Input pixels never read: {unread} of {n}." if unread > skipped_input else ""
    if skipped:
        verdict = (f"illegal: {free}/{stride} is not an integer. PyTorch rounds down to {size} outputs "
                   f"and never reads the last {skipped} pixel{'s' if skipped > 1 else ''}.")
        return OutputSizeReport(size, False, formula, verdict + gaps)
    return OutputSizeReport(size, True, formula, "legal: the last window ends exactly at the end of the padded input." + gaps)


# ----------------------------------------------------------------------------------------------
# Windows along one axis
# ----------------------------------------------------------------------------------------------


def draw_windows_1d(ax: Axes, n, kernel_size, stride=1, padding=0, dilation=1, title: str | None = None,
                    max_windows: int = 24) -> Axes:
    """Draw the padded input as a row of cells and, below it, one row per window.

    The top row is the padded input: input pixels (numbered) in blue, padding cells grey and
    hatched, and pixels that no window reads in red. Each lower row is one output pixel: its
    window's taps as coloured squares joined by a line (gaps show the dilation), and a triangle
    under the input row marks the window's centre.

    Parameters
    ----------
    ax : matplotlib Axes
    n, kernel_size, stride, dilation : int
    padding : int or (int, int)
        Padding on both sides, or ``(before, after)``.
    title : str, optional
        By default "n=.., k=.., s=..: .. outputs" (with p and d when they are not the default).
    max_windows : int
        Draw at most this many windows (the title still counts all).

    Returns
    -------
    Axes
        `ax`, with the input cells (gid "input"), padding cells ("padding"), unread cells
        ("unread") and window taps ("tap") as Rectangle patches.
    """
    windows = _windows(n, kernel_size, stride, padding, dilation)
    n_out = len(windows.taps)
    for position in range(windows.length):
        inside = windows.before <= position < windows.before + windows.n
        if not inside:
            kind, color = "padding", _PADDING_COLOR
        elif windows.read[position]:
            kind, color = "input", _INPUT_COLOR
        else:
            kind, color = "unread", _UNREAD_COLOR
        ax.add_patch(Rectangle((position - 0.5, -0.5), 1, 1, facecolor=color, edgecolor="white",
                               hatch="///" if kind == "padding" else None, linewidth=1.5, gid=kind))
        if inside:
            ax.text(position, 0, str(position - windows.before), ha="center", va="center", fontsize=8,
                    color="tab:red" if kind == "unread" else "black")
    shown = windows.taps[:max_windows]
    for index, taps in enumerate(shown):
        color, row = _window_color(index), -(index + 1.2)
        ax.plot([taps[0], taps[-1]], [row, row], color=color, linewidth=1.5, zorder=1)
        for tap in taps:
            ax.add_patch(Rectangle((tap - 0.35, row - 0.35), 0.7, 0.7, facecolor=color, edgecolor="none",
                                   zorder=2, gid="tap"))
        ax.plot([(taps[0] + taps[-1]) / 2], [-0.62], marker="^", color=color, markersize=6,
                linestyle="none", zorder=3, gid="centre")
    ax.set_xlim(-0.7, max(windows.length, 1) - 0.3)
    ax.set_ylim(-(len(shown) + 0.8), 0.6)
    ax.set_yticks([0] + [-(i + 1.2) for i in range(len(shown))],
                  ["input"] + [f"out {i}" for i in range(len(shown))], fontsize=8)
    ax.set_xticks([])
    ax.tick_params(length=0)
    ax.set_aspect("equal")
    ax.set_anchor("N")  # panels of different heights line up at the top
    for side in ax.spines.values():
        side.set_visible(False)
    if title is None:
        title = f"n={n}, k={kernel_size}, s={stride}"
        if windows.before or windows.length - windows.before - windows.n:
            after = windows.length - windows.before - windows.n
            title += f", p={windows.before}" if after == windows.before else f", p=({windows.before}, {after})"
        if dilation != 1:
            title += f", d={dilation}"
        title += f": {n_out} output{'s' if n_out != 1 else ''}"
    ax.set_title(title, fontsize=10)
    return ax


def show_window_rows(configs: Sequence[dict], titles: Sequence[str] | None = None, ncols: int = 1) -> Figure:
    """Several `draw_windows_1d` panels in one figure, one per configuration.

    Parameters
    ----------
    configs : sequence of dict
        Keyword arguments of `draw_windows_1d` (n, kernel_size, stride, padding, dilation).
    titles : sequence of str, optional
    ncols : int
        Panels per row.

    Returns
    -------
    Figure
    """
    if not configs:
        raise ValueError("configs: expected at least one configuration")
    ncols = min(as_positive_int(ncols, "ncols"), len(configs))
    nrows = -(-len(configs) // ncols)
    extents = [_windows(c["n"], c["kernel_size"], c.get("stride", 1), c.get("padding", 0), c.get("dilation", 1))
               for c in configs]
    width = max(w.length for w in extents)
    heights = [max(min(len(w.taps), 24) for w in extents[r * ncols:(r + 1) * ncols]) + 2.2 for r in range(nrows)]
    figure, axes = plt.subplots(nrows, ncols, squeeze=False, gridspec_kw={"height_ratios": heights},
                                figsize=(min(ncols * (0.36 * width + 1.0), 14), min(0.42 * sum(heights) + 0.4, 18)))
    for index, ax in enumerate(axes.flat):
        if index >= len(configs):
            ax.axis("off")
            continue
        draw_windows_1d(ax, **configs[index], title=titles[index] if titles else None)
        ax.set_xlim(-0.7, width - 0.3)
    figure.tight_layout()
    return figure


# ----------------------------------------------------------------------------------------------
# The explorer's figure: the padded image and one axis
# ----------------------------------------------------------------------------------------------


def show_windows(n, kernel_size, stride=1, padding=0, dilation=1) -> Figure:
    """Where every window of a square convolution lands, in 2-D and along one axis.

    Left: the padded ``n x n`` input, padding hatched, unread pixels red, a dot at the centre of
    every window (coloured by its output column, as on the right), the taps of the first window
    filled and its extent outlined, the last window outlined dashed. Right: `draw_windows_1d`
    for the width axis. The title is the output-size formula filled in, and the verdict.

    Parameters
    ----------
    n, kernel_size, stride, padding, dilation : int

    Returns
    -------
    Figure
        Two axes; the first has the window centres as its one scatter collection.
    """
    windows = _windows(n, kernel_size, stride, padding, dilation)
    report = explain_output_size(n, kernel_size, stride, padding, dilation)
    length, p = windows.length, windows.before
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(10.5, 5.2), gridspec_kw={"width_ratios": [1, 1.25]})

    # The padded image: categories 0 input, 1 padding, 2 input never read.
    category = np.ones((length, length))
    inside = np.zeros(length, dtype=bool)
    inside[p:p + windows.n] = True
    image = np.outer(inside, inside)
    read = np.outer(windows.read, windows.read)
    category[image & read] = 0
    category[image & ~read] = 2
    colors = plt.matplotlib.colors.ListedColormap([_INPUT_COLOR, _PADDING_COLOR, _UNREAD_COLOR])
    left.imshow(category, cmap=colors, vmin=0, vmax=2)
    if p:  # the padding frame, hatched: four strips
        for x, y, w, h in ((0, 0, length, p), (0, length - p, length, p), (0, p, p, n), (length - p, p, p, n)):
            left.add_patch(Rectangle((x - 0.5, y - 0.5), w, h, fill=False, hatch="///",
                                     edgecolor="#9a9a9a", linewidth=0, gid="padding"))
    left.set_xticks(np.arange(-0.5, length, 1), minor=True)
    left.set_yticks(np.arange(-0.5, length, 1), minor=True)
    left.grid(which="minor", color="white", linewidth=1)
    left.tick_params(which="both", length=0, labelbottom=False, labelleft=False)

    taps = windows.taps
    if len(taps):
        centres = (taps[:, 0] + taps[:, -1]) / 2
        cy, cx = np.meshgrid(centres, centres, indexing="ij")
        column = np.broadcast_to(np.arange(len(taps)), cx.shape)
        left.scatter(cx.ravel(), cy.ravel(), c=[_window_color(i) for i in column.ravel()],
                     s=max(8, 260 / len(taps)), edgecolors="black", linewidths=0.5, zorder=4)
        first, last = taps[0], taps[-1]
        for row in first:
            for col in first:
                left.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor=_window_color(0), alpha=0.55,
                                         edgecolor="none", zorder=2, gid="first-window-tap"))
        left.add_patch(Rectangle((first[0] - 0.5, first[0] - 0.5), windows.span, windows.span, fill=False,
                                 edgecolor=_window_color(0), linewidth=2.5, zorder=3, gid="first-window"))
        left.add_patch(Rectangle((last[0] - 0.5, last[0] - 0.5), windows.span, windows.span, fill=False,
                                 edgecolor=_window_color(len(taps) - 1), linewidth=2, linestyle="--", zorder=3,
                                 gid="last-window"))
    left.set_title(f"padded input {length}x{length} → output {report.size}x{report.size}", fontsize=10)

    draw_windows_1d(right, n, kernel_size, stride, padding, dilation, title="one axis: every window")
    color = "black" if report.legal else "tab:red"
    figure.suptitle(f"{report.formula}\n{textwrap.fill(report.verdict, 110)}", fontsize=10.5, color=color)
    figure.tight_layout()
    return figure


# ----------------------------------------------------------------------------------------------
# Padding modes
# ----------------------------------------------------------------------------------------------


def show_padding_modes(n=6, kernel_sizes: Sequence[int] = (3, 4)) -> Figure:
    """Valid, same and full padding at stride 1, for each kernel size (one column each).

    *Valid* pads nothing (``n - k + 1`` outputs); *same* pads ``k - 1`` in total so that the
    output keeps the input's size, which for an even kernel means one more cell after than before
    (`course_lib.same_padding`); *full* pads ``k - 1`` on each side, so that every window touching
    the input counts (``n + k - 1`` outputs).

    Parameters
    ----------
    n : int
        Input size.
    kernel_sizes : sequence of int

    Returns
    -------
    Figure
        Three rows of panels (valid, same, full), one column per kernel size.
    """
    n = as_positive_int(n, "n")
    configs, titles = [], []
    for mode in ("valid", "same", "full"):
        for k in kernel_sizes:
            k = as_positive_int(k, "kernel_sizes")
            pad = {"valid": (0, 0), "same": same_padding(n, k), "full": (k - 1, k - 1)}[mode]
            n_out = n + sum(pad) - k + 1
            configs.append(dict(n=n, kernel_size=k, padding=pad))
            titles.append(f"{mode}, k={k}: pad {pad[0]} before, {pad[1]} after → {n_out} outputs")
    return show_window_rows(configs, titles, ncols=len(kernel_sizes))


# ----------------------------------------------------------------------------------------------
# Receptive fields
# ----------------------------------------------------------------------------------------------


def _as_layers(layers) -> list[tuple[int, int, int]]:
    receptive_field(layers)  # validates, with its messages
    return [(layer[0], layer[1], layer[2] if len(layer) == 3 else 1) for layer in layers]


def draw_receptive_field(ax: Axes, layers, title: str | None = None) -> Axes:
    """Draw which units of every layer one unit at the top depends on, down to the input pixels.

    Each row is a layer, the input at the bottom; every unit is a circle placed above the centre
    of the input pixels it sees. The units the top unit depends on are filled, joined to the
    units below them that they read. Rows are as wide as the receptive field plus two pixels on
    each side.

    Parameters
    ----------
    ax : matplotlib Axes
    layers : sequence of (kernel, stride) or (kernel, stride, dilation)
        As for `course_lib.receptive_field`, from the input upwards.
    title : str, optional
        By default "receptive field: r".

    Returns
    -------
    Axes
        `ax`; the filled input pixels are the Rectangle patches with gid "field".
    """
    layers = _as_layers(layers)
    field = receptive_field(layers)
    margin = 2
    # offsets[l], jumps[l]: input position of unit 0 of layer l, and input pixels between its units.
    offsets, jumps = [0.0], [1]
    for k, s, d in layers:
        offsets.append(offsets[-1] + d * (k - 1) / 2 * jumps[-1])
        jumps.append(jumps[-1] * s)
    # The units each layer contributes, from the top unit down.
    used = [None] * (len(layers) + 1)
    used[-1] = {0}
    for level in range(len(layers), 0, -1):
        k, s, d = layers[level - 1]
        used[level - 1] = {u * s + j * d for u in used[level] for j in range(k)}
    for level in range(len(layers) + 1):
        jump, offset = jumps[level], offsets[level]
        lowest = int(np.ceil((-margin - offset) / jump))
        highest = int(np.floor((field - 1 + margin - offset) / jump))
        for unit in range(lowest, highest + 1):
            x = offset + unit * jump
            filled = unit in used[level]
            if level == 0:
                ax.add_patch(Rectangle((x - 0.45, -0.45), 0.9, 0.9, facecolor="tab:orange" if filled else "#eeeeee",
                                       edgecolor="gray", linewidth=0.5, gid="field" if filled else "pixel"))
            else:
                ax.plot([x], [level * _LEVEL], marker="o", markersize=9, linestyle="none",
                        color="tab:blue" if filled else "#dddddd", markeredgecolor="gray", zorder=3)
            if filled and level > 0:
                k, s, d = layers[level - 1]
                for j in range(k):
                    below = offsets[level - 1] + (unit * s + j * d) * jumps[level - 1]
                    ax.plot([x, below], [level * _LEVEL, (level - 1) * _LEVEL + (0.45 if level == 1 else 0)], color="tab:blue", linewidth=0.8, alpha=0.6, zorder=1)
    ax.set_yticks(np.arange(len(layers) + 1) * _LEVEL,
                  ["input"] + [f"k={k}, s={s}" + (f", d={d}" if d > 1 else "") for k, s, d in layers], fontsize=8)
    ax.set_xticks([])
    ax.set_xlim(-margin - 0.7, field - 1 + margin + 0.7)
    ax.set_ylim(-0.8, len(layers) * _LEVEL + 0.8)
    ax.set_aspect("equal")
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    ax.set_title(title if title is not None else f"receptive field: {field}", fontsize=10)
    return ax


def show_receptive_fields(stacks: Sequence, titles: Sequence[str] | None = None) -> Figure:
    """`draw_receptive_field` for several stacks of layers, side by side, widths to scale.

    Parameters
    ----------
    stacks : sequence of layer sequences
    titles : sequence of str, optional

    Returns
    -------
    Figure
    """
    if not stacks:
        raise ValueError("stacks: expected at least one stack of layers")
    widths = [receptive_field(list(stack)) + 5 for stack in stacks]
    depth = max(len(stack) for stack in stacks)
    figure, axes = plt.subplots(1, len(stacks), squeeze=False, gridspec_kw={"width_ratios": widths},
                                figsize=(min(0.3 * sum(widths) + 1.2 * len(stacks), 15), 0.3 * (_LEVEL * depth + 1.6) + 0.9))
    for index, (ax, stack) in enumerate(zip(axes.flat, stacks)):
        draw_receptive_field(ax, list(stack), title=titles[index] if titles else None)
    figure.tight_layout()
    return figure


# ----------------------------------------------------------------------------------------------
# Where a network spends its parameters and its multiplications
# ----------------------------------------------------------------------------------------------


def show_trace(rows, title: str | None = None) -> Figure:
    """Bar charts of the parameters and the multiply-adds of each layer of a traced network.

    Parameters
    ----------
    rows : sequence of course_lib.architectures.Row
        What `course_lib.architectures.trace` returns (the input row is skipped).
    title : str, optional

    Returns
    -------
    Figure
        Two axes (parameters, multiply-adds), one bar per layer, in millions.
    """
    rows = [row for row in rows if row.name != "input"]
    if not rows:
        raise ValueError("rows: expected the rows of architectures.trace, got no layers")
    names = [row.name for row in rows]
    colors = ["tab:blue" if name.startswith("conv") else "tab:orange" if name.startswith("fc") else "gray"
              for name in names]
    figure, axes = plt.subplots(1, 2, sharey=True, figsize=(10, 0.26 * len(rows) + 1.6))
    for ax, field, label in ((axes[0], "parameters", "parameters"), (axes[1], "multiply_adds", "multiply-adds")):
        values = np.array([getattr(row, field) for row in rows], dtype=float)
        ax.barh(np.arange(len(rows)), values / 1e6, color=colors)
        total = values.sum()
        in_fc = values[[name.startswith("fc") for name in names]].sum()
        ax.set_title(f"{label}: {total / 1e6:,.1f} M in all, {100 * in_fc / total:.0f}% in fc layers", fontsize=10)
        ax.set_xlabel("millions")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(np.arange(len(rows)), names, fontsize=8)
    axes[0].invert_yaxis()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
