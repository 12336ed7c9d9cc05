"""Figures of the bilinear-kernels notebook: triangles, sample positions, kernels, borders, training.

Every function draws with matplotlib and returns the `Figure`; none needs torch.

    >>> import numpy as np
    >>> figure = show_triangle_stamps([1, 3, 2], factor=2, align_corners=True)
    >>> figure.axes[0].get_title()
    'sum of triangles, f = 2, align_corners=True'
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

from .._validation import as_float_array, as_plane, as_positive_int
from ..bilinear import bilinear_kernel, upsample_bilinear_by_transposed_conv
from ..interpolation import hat, interpolate_linear, source_positions, triangle_stamps, triangle_weights
from ..upsampling import conv_transpose2d, upsample_bilinear
from .arrays import _format_value, show_grid

__all__ = [
    "bilinear_by_transposed_conv",
    "show_bilinear_kernels",
    "show_bilinear_upsampling",
    "show_border_difference",
    "show_canvas_and_crop",
    "show_channel_weight",
    "show_sample_positions",
    "show_super_resolution",
    "show_training_curves",
    "show_triangle_stamps",
]

_COLOURS = plt.get_cmap("tab10").colors
_WRONG = "tab:red"


def _convention(align_corners: bool) -> str:
    return f"align_corners={bool(align_corners)}"


def bilinear_by_transposed_conv(x, factor, align_corners=False, replicate_edges=False):
    """Upsample a 2-D image with the tent kernel, and compare with bilinear interpolation.

    Returns the transposed convolution's result, `F.interpolate`'s, and their difference. With
    `align_corners=True` the transposed convolution is `conv_transpose2d(x, kernel, stride=f,
    padding=f - 1)` and `F.interpolate` gets the size `f (n - 1) + 1`; with `align_corners=False`
    it is FCN's `padding=f // 2` (wrong on a border band), or, with `replicate_edges`, the
    edge-replicated version of `upsample_bilinear_by_transposed_conv` (exact everywhere).

    Parameters
    ----------
    x : array_like, shape (H, W)
    factor : int
    align_corners, replicate_edges : bool

    Returns
    -------
    (transposed, interpolated, difference) : three arrays of the same shape (H_out, W_out)

    Examples
    --------
    >>> t, i, d = bilinear_by_transposed_conv([[0, 4]], 2)
    >>> t[0], i[0]
    (array([0.  , 0.75, 2.25, 2.25]), array([0., 1., 3., 4.]))
    """
    plane = as_plane(x)
    f = as_positive_int(factor, "factor")
    image = plane[np.newaxis, np.newaxis]
    kernel = bilinear_kernel(f, align_corners)[np.newaxis, np.newaxis]
    if align_corners:
        transposed = conv_transpose2d(image, kernel, stride=f, padding=f - 1)
        height, width = plane.shape
        interpolated = upsample_bilinear(image, size=(f * (height - 1) + 1, f * (width - 1) + 1),
                                         align_corners=True)
    else:
        if replicate_edges:
            transposed = upsample_bilinear_by_transposed_conv(image, f)
        else:
            transposed = conv_transpose2d(image, kernel, stride=f, padding=f // 2)
        interpolated = upsample_bilinear(image, scale_factor=f)
    return transposed[0, 0], interpolated[0, 0], transposed[0, 0] - interpolated[0, 0]


# ---------------------------------------------------------------------------------------------
# 1-D: triangles and sample positions
# ---------------------------------------------------------------------------------------------


def show_triangle_stamps(x, factor, align_corners=False, replicate_edges=False, ax=None) -> Figure:
    """Linear interpolation of 1-D samples as a sum of triangles, read at the output positions.

    Each sample `x[j]` (a coloured stem at position `j`) contributes the triangle
    `x[j] hat(t - j)` (a thin line of its colour). Their sum is the thick black line; the output
    samples are the dots on it at the positions of `source_positions` (grey ticks at the bottom).
    Wherever the sum differs from `F.interpolate`, which clamps at the ends, the right value is
    drawn as a red ring. With `replicate_edges`, the two edge copies at -1 and `n` are drawn
    dashed.

    Parameters
    ----------
    x : array_like, shape (n,)
    factor : int
    align_corners, replicate_edges : bool
    ax : matplotlib Axes, optional

    Returns
    -------
    Figure
    """
    samples = as_float_array(x, "x")
    if samples.ndim != 1 or samples.size == 0:
        raise ValueError(f"x: expected a non-empty 1-D array, got shape {samples.shape}")
    f = as_positive_int(factor, "factor")
    n = samples.size
    if ax is None:
        _, ax = plt.subplots(figsize=(min(1.6 * n + 2.5, 11), 3.4))
    t = source_positions(n, f, align_corners)
    stamps = triangle_stamps(samples, f, align_corners, replicate_edges)
    total = stamps.sum(axis=0)
    right = interpolate_linear(samples, f, align_corners)

    fine = np.linspace(-1.6, n + 0.6, 500)
    positions = list(range(-1, n + 1)) if replicate_edges else list(range(n))
    values = np.concatenate([samples[:1], samples, samples[-1:]]) if replicate_edges else samples
    for position, value in zip(positions, values):
        edge = position < 0 or position >= n
        colour = "0.55" if edge else _COLOURS[position % len(_COLOURS)]
        style = "--" if edge else "-"
        ax.plot(fine, value * hat(fine - position), style, color=colour, linewidth=1.2)
        ax.plot([position, position], [0, value], style, color=colour, linewidth=1.2)
        ax.plot(position, value, "o", color=colour, markersize=9,
                markerfacecolor="white" if edge else colour, zorder=3)
    sum_line = sum(value * hat(fine - position) for position, value in zip(positions, values))
    ax.plot(fine, sum_line, color="black", linewidth=2.4, alpha=0.8, label="sum of the triangles")
    ax.plot(t, total, "o", color="black", markersize=5, zorder=4, label="output samples")
    wrong = ~np.isclose(total, right, rtol=1e-9, atol=1e-12)
    if wrong.any():
        ax.plot(t[wrong], right[wrong], "o", markersize=11, markerfacecolor="none",
                markeredgecolor=_WRONG, markeredgewidth=2, zorder=5, label="F.interpolate (clamps)")
    for position in t:
        ax.axvline(position, ymax=0.04, color="0.4", linewidth=1)
    ax.axhline(0, color="0.3", linewidth=0.8)
    ax.set_xlim(-1.6, n + 0.6)
    top = max(values.max(), right.max(), 0.0)
    ax.set_ylim(min(0.0, values.min(), right.min()) - 0.2, top * 1.4 + 0.2)  # room for the legend
    ax.set_xlabel("position t (input pixels)")
    ax.set_xticks(np.arange(-1, n + 1))
    title = f"sum of triangles, f = {f}, {_convention(align_corners)}"
    ax.set_title(title + (", edges replicated" if replicate_edges else ""))
    ax.legend(loc="upper center", ncol=3, fontsize=8, frameon=False)
    ax.figure.tight_layout()
    return ax.figure


def show_sample_positions(n: int = 4, factor: int = 2) -> Figure:
    """Where the output samples of each corner convention lie, against the input pixels.

    Two rows, one per convention. Input pixels are the grey squares `[j - 1/2, j + 1/2]` with
    their centres (big dots); output samples are the small coloured dots at `source_positions`,
    with their output pixels `1/f` wide outlined for `align_corners=False`.

    Parameters
    ----------
    n : int
        Input samples.
    factor : int

    Returns
    -------
    Figure
        Two axes, titled with the convention, the formula and the number of outputs.
    """
    n = as_positive_int(n, "n")
    f = as_positive_int(factor, "factor")
    figure, axes = plt.subplots(2, 1, figsize=(min(2.0 * n + 2, 11), 3.6), sharex=True)
    for ax, aligned in zip(axes, (True, False)):
        t = source_positions(n, f, aligned)
        for j in range(n):
            ax.add_patch(Rectangle((j - 0.5, -0.45), 1, 0.9, facecolor="0.9", edgecolor="0.5"))
            ax.plot(j, 0, "o", color="0.35", markersize=12)
        if not aligned:
            for position in t:
                ax.add_patch(Rectangle((position - 0.5 / f, -0.3), 1 / f, 0.6, fill=False,
                                       edgecolor="tab:orange", linewidth=1))
        ax.plot(t, np.zeros_like(t), "o", color="tab:orange", markersize=6, zorder=3)
        formula = "t = i / f" if aligned else "t = (i + ½) / f − ½"
        size = f"f (n − 1) + 1 = {t.size}" if aligned else f"f n = {t.size}"
        ax.set_title(f"{_convention(aligned)}:  {formula},  {size} outputs", fontsize=10)
        ax.set_ylim(-0.6, 0.6)
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    axes[1].set_xlim(-0.7, n - 0.3)
    axes[1].set_xticks(np.arange(n))
    axes[1].set_xlabel(f"position (input pixels); grey: {n} input pixels, orange: output samples (f = {f})")
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------------


def _stem(ax, weights: np.ndarray, title: str) -> None:
    centre = (weights.size - 1) / 2
    offsets = np.arange(weights.size) - centre
    ax.bar(offsets, weights, width=0.6, color="tab:blue")
    for offset, weight in zip(offsets, weights):
        ax.text(offset, weight + 0.03, _format_value(weight, 3), ha="center", va="bottom", fontsize=8)
    ax.set_ylim(0, 1.25)
    ax.set_xticks(offsets)
    ax.set_xticklabels([_format_value(o, 1) for o in offsets], fontsize=8)
    ax.set_xlabel("offset from the centre (output pixels)")
    ax.set_title(title, fontsize=10)


def show_bilinear_kernels(factor: int = 2) -> Figure:
    """The 1-D triangle weights and the 2-D kernel of both corner conventions, for one factor.

    Top row `align_corners=True`, bottom row `align_corners=False` (FCN's kernel): the 1-D
    weights as bars over their offsets from the centre, and the 2-D kernel, their outer product,
    as an annotated grid.

    Parameters
    ----------
    factor : int

    Returns
    -------
    Figure
        Four axes: 1-D and 2-D for True, then for False.
    """
    f = as_positive_int(factor, "factor")
    figure, axes = plt.subplots(2, 2, figsize=(9, 6.4), gridspec_kw={"width_ratios": [1.3, 1]})
    for row, aligned in enumerate((True, False)):
        weights = triangle_weights(f, aligned)
        kernel = bilinear_kernel(f, aligned)
        _stem(axes[row, 0], weights,
              f"{_convention(aligned)}: {weights.size} taps, sum {_format_value(weights.sum(), 3)}")
        show_grid(kernel, ax=axes[row, 1], decimals=3, vmin=0, vmax=1,
                  title=f"{kernel.shape[0]}×{kernel.shape[1]} kernel, sum {_format_value(kernel.sum(), 3)}")
    figure.suptitle(f"bilinear upsampling by f = {f}: 1-D weights and their outer product")
    figure.tight_layout()
    return figure


def show_channel_weight(weight, max_channels: int = 4) -> Figure:
    """A (C_in, C_out, k, k) weight as a C_in x C_out grid of kernels: who stamps onto whom.

    Panel `(c, o)` is `weight[c, o]`, the kernel that input channel `c` stamps onto output
    channel `o`; all-zero kernels are drawn pale, with "0" in the middle.

    Parameters
    ----------
    weight : array_like, shape (C_in, C_out, k, k)
    max_channels : int
        Show at most this many channels each way.

    Returns
    -------
    Figure
    """
    weight = as_float_array(weight, "weight")
    if weight.ndim != 4:
        raise ValueError(f"weight: expected a 4-D array (C_in, C_out, kH, kW), got shape {weight.shape}")
    c_in, c_out = min(weight.shape[0], max_channels), min(weight.shape[1], max_channels)
    figure, axes = plt.subplots(c_in, c_out, figsize=(1.7 * c_out + 0.6, 1.7 * c_in + 0.5), squeeze=False)
    high = float(np.abs(weight).max()) or 1.0
    for c in range(c_in):
        for o in range(c_out):
            ax = axes[c, o]
            kernel = weight[c, o]
            if np.any(kernel):
                ax.imshow(kernel, cmap="Blues", vmin=0, vmax=high)
            else:
                ax.imshow(np.zeros_like(kernel), cmap="Greys", vmin=0, vmax=10)
                ax.text((kernel.shape[1] - 1) / 2, (kernel.shape[0] - 1) / 2, "0", ha="center",
                        va="center", color="0.5", fontsize=14)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"[{c}, {o}]", fontsize=9)
            if o == 0:
                ax.set_ylabel(f"in {c}")
            if c == c_in - 1:
                ax.set_xlabel(f"out {o}")
    figure.suptitle(f"weight {tuple(weight.shape)}: weight[c, o] stamps input c onto output o", fontsize=10)
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------------
# 2-D: the slides' canvas, borders, the explorer's figure
# ---------------------------------------------------------------------------------------------


def show_canvas_and_crop(x, kernel, stride: int, padding: int, marks: Mapping | None = None) -> Figure:
    """A transposed convolution's whole canvas, the crop its padding keeps, and the result.

    Left: every stamp summed, `(H - 1) s + k` rows, with the part that `padding` keeps outlined.
    Cells listed in `marks` are circled in red, and their text (e.g. what a slide printed
    there) is written under the figure. Right: the cropped result.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (k, k)
    stride, padding : int
    marks : dict of (row, col) -> str, optional
        Cells of the canvas to circle, with a note each.

    Returns
    -------
    Figure
        Two axes, titled with the canvas and result shapes.
    """
    plane = as_plane(x)
    kernel = as_plane(kernel, "kernel")
    canvas = conv_transpose2d(plane[None, None], kernel[None, None], stride=stride)[0, 0]
    result = conv_transpose2d(plane[None, None], kernel[None, None], stride=stride, padding=padding)[0, 0]
    figure, axes = plt.subplots(1, 2, figsize=(11, 5.2), gridspec_kw={"width_ratios": [canvas.shape[1], result.shape[1]]})
    high = canvas.max()
    show_grid(canvas, ax=axes[0], vmin=0, vmax=high,
              title=f"canvas {canvas.shape[0]}×{canvas.shape[1]}: all stamps, stride {stride}",
              highlight=(slice(padding, canvas.shape[0] - padding), slice(padding, canvas.shape[1] - padding)),
              highlight_color="tab:orange")
    show_grid(result, ax=axes[1], vmin=0, vmax=high,
              title=f"padding {padding} crops it to {result.shape[0]}×{result.shape[1]}")
    notes = []
    for (row, col), note in (marks or {}).items():
        axes[0].add_patch(Circle((col, row), 0.45, fill=False, edgecolor=_WRONG, linewidth=2.5))
        notes.append(f"row {row}, column {col}: {_format_value(canvas[row, col], 3)} ({note})")
    if notes:
        figure.text(0.02, 0.01, "circled: " + ";  ".join(notes), fontsize=9, color=_WRONG)
    figure.tight_layout(rect=(0, 0.05 if notes else 0, 1, 1))
    return figure


def show_border_difference(x, factor: int = 2) -> Figure:
    """FCN's kernel against `F.interpolate`: exact inside, wrong on a border band; and the fix.

    Four panels: bilinear interpolation of `x` by `F.interpolate` (`align_corners=False`); the
    transposed convolution with FCN's kernel (`padding = f // 2`); their difference, on a
    red-blue scale (zero inside, nonzero on a band `f // 2` pixels wide, whose inner edge is
    dashed); and the difference left after edge replication (zero everywhere). Titles give the
    largest differences.

    Parameters
    ----------
    x : array_like, shape (H, W)
    factor : int

    Returns
    -------
    Figure
    """
    plane = as_plane(x)
    f = as_positive_int(factor, "factor")
    transposed, interpolated, difference = bilinear_by_transposed_conv(plane, f)
    _, _, fixed = bilinear_by_transposed_conv(plane, f, replicate_edges=True)
    limit = float(np.abs(difference).max()) or 1.0
    figure, axes = plt.subplots(1, 4, figsize=(13, 3.6))
    low, high = plane.min(), plane.max()
    axes[0].imshow(interpolated, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
    axes[0].set_title("F.interpolate (bilinear)")
    axes[1].imshow(transposed, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
    axes[1].set_title(f"transposed conv, padding {f // 2}")
    band = f // 2
    inside = difference[band: difference.shape[0] - band, band: difference.shape[1] - band]
    axes[2].imshow(difference, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    axes[2].set_title(f"difference: max {np.abs(difference).max():.3g}\n"
                      f"(inside the {band}-pixel band: {np.abs(inside).max() if inside.size else 0:.1g})", fontsize=10)
    axes[3].imshow(fixed, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
    if band:
        for ax in axes[2:]:  # the inner edge of the band
            ax.add_patch(Rectangle((band - 0.5, band - 0.5), difference.shape[1] - 2 * band,
                                   difference.shape[0] - 2 * band, fill=False, edgecolor="0.4",
                                   linestyle="--", linewidth=1))
    axes[3].set_title(f"edge replicated, then cropped:\nmax difference {np.abs(fixed).max():.1g}", fontsize=10)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    figure.suptitle(f"upsampling by f = {f} with FCN's {2 * f - f % 2}×{2 * f - f % 2} kernel")
    figure.tight_layout()
    return figure


def show_bilinear_upsampling(x, factor: int = 2, align_corners: bool = False,
                             replicate_edges: bool = False) -> Figure:
    """The explorer's figure: one row as triangles, then the kernel, both results and their difference.

    Top: the first row of `x` as a sum of triangles (`show_triangle_stamps`). Bottom: the 2-D
    kernel, the transposed convolution's result, `F.interpolate`'s and their difference (see
    `bilinear_by_transposed_conv`).

    Parameters
    ----------
    x : array_like, shape (H, W)
    factor : int
    align_corners, replicate_edges : bool
        `replicate_edges` only matters when `align_corners` is False.

    Returns
    -------
    Figure
        Five axes: the 1-D view, then kernel, transposed, interpolated, difference.
    """
    plane = as_plane(x)
    f = as_positive_int(factor, "factor")
    replicate = bool(replicate_edges) and not align_corners
    transposed, interpolated, difference = bilinear_by_transposed_conv(plane, f, align_corners, replicate)
    kernel = bilinear_kernel(f, align_corners)
    figure = plt.figure(figsize=(12, 6.4))
    grid = figure.add_gridspec(2, 4, height_ratios=[1, 1.25])
    show_triangle_stamps(plane[0], f, align_corners, replicate, ax=figure.add_subplot(grid[0, :]))
    figure.axes[0].set_title(f"row 0 of x as a sum of triangles (f = {f}, {_convention(align_corners)}"
                             + (", edges replicated)" if replicate else ")"), fontsize=10)
    high = max(plane.max(), 1e-12)
    show_grid(kernel, ax=figure.add_subplot(grid[1, 0]), vmin=0, vmax=1, decimals=2,
              annotate=kernel.shape[0] <= 6, title=f"kernel {kernel.shape[0]}×{kernel.shape[1]}")
    padding = f - 1 if align_corners else f // 2
    name = "edge-replicated transposed conv" if replicate else f"transposed conv (s={f}, p={padding})"
    for column, (image, title) in enumerate(((transposed, name), (interpolated, "F.interpolate"))):
        ax = figure.add_subplot(grid[1, column + 1])
        ax.imshow(image, cmap="viridis", vmin=min(plane.min(), 0), vmax=high)
        ax.set_title(f"{title}\n{image.shape[0]}×{image.shape[1]}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    ax = figure.add_subplot(grid[1, 3])
    worst = float(np.abs(difference).max())
    limit = max(worst, float(np.abs(plane).max()) / 4, 1e-12)
    ax.imshow(difference, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set_title(f"difference\nmax |·| = {worst:.3g}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------------
# The experiment
# ---------------------------------------------------------------------------------------------


def show_training_curves(histories: Mapping, baselines: Mapping | None = None) -> Figure:
    """Training and held-out loss per step, with fixed methods as horizontal lines.

    Parameters
    ----------
    histories : dict of name -> object with `train_loss` and `held_out_loss` (lists of float)
        One curve per name on each panel.
    baselines : dict of name -> (train loss, held-out loss), optional
        Fixed methods (no training), drawn dashed.

    Returns
    -------
    Figure
        Two axes, "training loss" and "held-out loss", MSE on a log scale. The vertical range
        is set by the baselines and the ends of the curves, so a curve that starts far above
        (a random start) leaves the top; its starting value is given in the legend.
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    baselines = dict(baselines or {})
    finals = []
    for ax, part, title in zip(axes, ("train_loss", "held_out_loss"), ("training loss", "held-out loss")):
        for index, (name, history) in enumerate(histories.items()):
            losses = np.asarray(getattr(history, part), dtype=float)
            finals.extend([losses[-1], losses.min()])
            label = f"{name} (starts at {losses[0]:.3g})"
            ax.plot(np.arange(losses.size), losses, color=_COLOURS[index % len(_COLOURS)],
                    linewidth=2, label=label)
        for index, (name, values) in enumerate(baselines.items()):
            value = values[0 if part == "train_loss" else 1]
            finals.append(value)
            ax.axhline(value, color=_COLOURS[(index + 5) % len(_COLOURS)], linestyle="--",
                       linewidth=1.4, label=f"{name}: {value:.3g}")
        ax.set_yscale("log")
        ax.set_xlabel("training step")
        ax.set_title(title)
        ax.legend(fontsize=8, frameon=False)
        ax.grid(True, which="both", alpha=0.3)
    low, high = min(finals), max(finals)
    axes[0].set_ylim(low / 1.15, high * 1.3)
    axes[0].set_ylabel("mean squared error")
    figure.tight_layout()
    return figure


def _psnr(image: np.ndarray, target: np.ndarray) -> float:
    mse = float(np.mean((image - target) ** 2))
    return 10 * np.log10(1 / mse) if mse > 0 else float("inf")


def show_super_resolution(low, results: Mapping, high, crop: tuple | None = None) -> Figure:
    """Low resolution, each method's upsampled image and the original, with PSNRs in the titles.

    Parameters
    ----------
    low : array_like, shape (h, w)
        The low-resolution input (shown with every pixel as an f x f block).
    results : dict of name -> array, shape (H, W)
        Upsampled images; each title gives the PSNR against `high` over the whole image.
    high : array_like, shape (H, W)
        The original.
    crop : (slice, slice), optional
        The part of the high-resolution images to show (the low one is cropped to match).

    Returns
    -------
    Figure
        One axis per image: low, the results in order, original.
    """
    low = as_plane(low, "low")
    high = as_plane(high, "high")
    factor = high.shape[0] // low.shape[0]
    crop = crop or (slice(None), slice(None))
    rows, cols = crop
    blocks = np.repeat(np.repeat(low, factor, axis=0), factor, axis=1)
    panels = [(blocks, f"input {low.shape[0]}×{low.shape[1]}\n(each pixel a {factor}×{factor} block)")]
    for name, image in results.items():
        image = as_plane(image, name)
        panels.append((image, f"{name}\nPSNR {_psnr(image, high):.2f} dB"))
    panels.append((high, f"original {high.shape[0]}×{high.shape[1]}"))
    figure, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels), 3.2))
    for ax, (image, title) in zip(np.atleast_1d(axes), panels):
        ax.imshow(np.clip(image[rows, cols], 0, 1), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    figure.tight_layout()
    return figure
