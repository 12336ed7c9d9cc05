"""Figures for upsampling: the static methods, where bilinear interpolation samples, the stamps
of a transposed convolution, its matrix, the zero-insertion route and checkerboard artifacts.

Every function draws with matplotlib and returns the `Figure`, so a notebook cell shows it and a
test can look at what was drawn (titles, patches, the numbers written in the cells).

    >>> import numpy as np
    >>> figure = show_stamp_step(np.arange(16).reshape(4, 4), [[1, 2], [3, 4]], stride=2, step=1)
    >>> [ax.get_title() for ax in figure.axes]
    ['input (1 of 16 stamped)', 'copy: x[0, 0] · K = 0 · K', 'running sum: 1 of 16 stamps']
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._validation import as_nonnegative_int, as_pair, as_plane, as_positive_int
from ..convolution import conv2d, conv_matrix
from ..upsampling import bed_of_nails, conv_transpose2d, upsample_bilinear, upsample_nearest
from .arrays import _format_value, show_grid

__all__ = [
    "show_static_upsampling",
    "sample_positions",
    "show_sample_points",
    "show_stamp_step",
    "show_conv_matrix",
    "show_zero_insertion",
    "overlap_counts",
    "show_overlap_counts",
    "show_checkerboard",
    "show_slide_check",
]

_CELL = 0.42  # inches per annotated cell
_CROP_COLOUR = "tab:green"


def _pair_text(pair: tuple[int, int]) -> str:
    """`2` for (2, 2), `(2, 1)` otherwise."""
    return str(pair[0]) if pair[0] == pair[1] else str(tuple(pair))


def _outline(ax: Axes, top: float, left: float, height: float, width: float, colour: str,
             gid: str, linestyle: str = "-", linewidth: float = 2.5) -> None:
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), width, height, fill=False, edgecolor=colour,
                           linestyle=linestyle, linewidth=linewidth, gid=gid, zorder=4))


def _panel_axes(widths: Sequence[int], height: int, extra_height: float = 1.8):
    """One row of axes whose widths follow the number of cells they show."""
    figure, axes = plt.subplots(
        1, len(widths), figsize=(min(_CELL * sum(widths) + 1.2 * len(widths), 16), _CELL * height + extra_height),
        gridspec_kw={"width_ratios": list(widths)}, squeeze=False,
    )
    return figure, list(axes[0])


# ---------------------------------------------------------------------------------------------
# Static upsampling
# ---------------------------------------------------------------------------------------------


def show_static_upsampling(x, scale_factor: int = 2) -> Figure:
    """One small image upsampled by nearest neighbour, bed of nails and bilinear interpolation.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A small image (every value is written in its cell).
    scale_factor : int
        The integer growth factor.

    Returns
    -------
    Figure
        Five panels on one colour scale: the input, nearest neighbour, bed of nails, and
        bilinear interpolation with `align_corners=False` and with `align_corners=True`.
    """
    plane = as_plane(x)
    factor = as_positive_int(scale_factor, "scale_factor")
    batch = plane[None, None]
    panels = [
        (f"input {plane.shape[0]}×{plane.shape[1]}", plane),
        ("nearest neighbour", upsample_nearest(batch, factor)[0, 0]),
        ("bed of nails", bed_of_nails(batch, factor)[0, 0]),
        ("bilinear\nalign_corners=False", upsample_bilinear(batch, scale_factor=factor)[0, 0]),
        ("bilinear\nalign_corners=True", upsample_bilinear(batch, scale_factor=factor, align_corners=True)[0, 0]),
    ]
    low, high = min(plane.min(), 0.0), plane.max()
    figure, axes = _panel_axes([values.shape[1] for _, values in panels], panels[1][1].shape[0], 2.0)
    for ax, (title, values) in zip(axes, panels):
        show_grid(values, ax=ax, title=title, cmap="Blues", vmin=low, vmax=high)
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------------
# Where bilinear interpolation samples the input
# ---------------------------------------------------------------------------------------------


def sample_positions(n_in: int, n_out: int, align_corners: bool) -> np.ndarray:
    """Where the centres of `n_out` output pixels fall on an axis of `n_in` input pixels.

    In input-pixel coordinates (pixel `i` is centred at `i`), before PyTorch clamps the negative
    ones to 0: `o (n_in - 1) / (n_out - 1)` with corners aligned, `(o + 0.5) n_in / n_out - 0.5`
    with centres matched.

    Examples
    --------
    >>> sample_positions(3, 6, align_corners=False)
    array([-0.25,  0.25,  0.75,  1.25,  1.75,  2.25])
    >>> sample_positions(3, 5, align_corners=True)
    array([0. , 0.5, 1. , 1.5, 2. ])
    """
    n_in, n_out = as_positive_int(n_in, "n_in"), as_positive_int(n_out, "n_out")
    o = np.arange(n_out, dtype=np.float64)
    if align_corners:
        return o * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(1)
    return (o + 0.5) * n_in / n_out - 0.5


def _draw_samples(ax: Axes, n_in: int, n_out: int, align_corners: bool) -> None:
    for row in range(n_in):
        for col in range(n_in):
            ax.add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor="#dbe9f6", edgecolor="tab:blue",
                                   linewidth=1.5, gid="input pixel", zorder=1))
    centres = np.arange(n_in)
    rows, cols = np.meshgrid(centres, centres, indexing="ij")
    ax.plot(cols.ravel(), rows.ravel(), "o", color="tab:blue", markersize=9, gid="input centres",
            label="input pixel centre")
    positions = sample_positions(n_in, n_out, align_corners)
    if not align_corners:
        edges = np.arange(n_out + 1) * n_in / n_out - 0.5
        for edge in edges:
            ax.plot([edge, edge], [-0.5, n_in - 0.5], color="tab:red", linestyle=":", linewidth=1.2,
                    gid="output grid", zorder=2)
            ax.plot([-0.5, n_in - 0.5], [edge, edge], color="tab:red", linestyle=":", linewidth=1.2,
                    gid="output grid", zorder=2)
    rows, cols = np.meshgrid(positions, positions, indexing="ij")
    ax.plot(cols.ravel(), rows.ravel(), "x", color="tab:red", markersize=7, markeredgewidth=2,
            gid="samples", label="output pixel samples here")
    if n_in > 1:  # between the outermost centres the four neighbours exist; outside, the edge is copied
        ax.add_patch(Rectangle((0, 0), n_in - 1, n_in - 1, fill=False, edgecolor="0.35", linestyle="--",
                               linewidth=1.2, gid="hull"))
    ax.set_xlim(-0.7, n_in - 0.3)
    ax.set_ylim(n_in - 0.3, -0.7)
    ax.set_aspect("equal")
    ax.set_xticks(centres)
    ax.set_yticks(centres)
    ax.tick_params(length=0, labelsize=8)


def show_sample_points(n_in: int = 3, n_out: int = 6) -> Figure:
    """Where the output pixels of bilinear interpolation sample the input, in both conventions.

    The input's pixels are blue squares with a dot at their centres; every output pixel is a
    red cross at the point of the input it samples. Left, `align_corners=False`: pixels are
    squares, the output's (dotted) cover the same area as the input's, and their centres are
    matched, so the outermost samples fall outside the dashed frame through the outermost
    input centres, where the edge pixel is copied. Right, `align_corners=True`: the first and
    last samples sit exactly on the corner pixels' centres and the rest are spread evenly
    between them.

    Parameters
    ----------
    n_in, n_out : int
        Input and output size (square images).

    Returns
    -------
    Figure
        Two panels; the crosses have gid "samples" and the input centres "input centres".
    """
    n_in, n_out = as_positive_int(n_in, "n_in"), as_positive_int(n_out, "n_out")
    figure, axes = plt.subplots(1, 2, figsize=(9, 5.2))
    titles = {
        False: f"align_corners=False: centres matched\nsrc = (o + 0.5)·{n_in}/{n_out} − 0.5",
        True: f"align_corners=True: corners matched\nsrc = o·({n_in} − 1)/({n_out} − 1)",
    }
    for ax, align in zip(axes, (False, True)):
        _draw_samples(ax, n_in, n_out, align)
        ax.set_title(titles[align], fontsize=10)
    axes[0].legend(loc="upper center", bbox_to_anchor=(1.1, -0.06), ncol=2, fontsize=9, frameon=False)
    figure.suptitle(f"bilinear interpolation from {n_in}×{n_in} to {n_out}×{n_out}: where each output pixel samples")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


# ---------------------------------------------------------------------------------------------
# Transposed convolution: stamps, matrix, zero insertion
# ---------------------------------------------------------------------------------------------


def show_stamp_step(x, kernel, stride=2, padding=0, step: int | None = None) -> Figure:
    """A transposed convolution after `step` input pixels have stamped their copy of the kernel.

    Input pixel `(i, j)` adds `x[i, j] * kernel` to the canvas with its top-left corner at
    `(i * sH, j * sW)`; pixels stamp in row-major order. With `padding`, the part of the canvas
    that becomes the output is framed (dashed green): `padding` rows and columns are cut off
    each side.

    Parameters
    ----------
    x : array_like, shape (H, W)
        A small input (every value is written in its cell).
    kernel : array_like, shape (kH, kW)
    stride, padding : int or (int, int)
    step : int, optional
        How many pixels have stamped, from 0 to `H * W` (default: all of them).

    Returns
    -------
    Figure
        Three panels: the input (pixels still to come faded, the current one outlined), the
        current copy `x[i, j] * kernel`, and the running sum on the whole canvas with the current
        copy outlined (gid "stamp") and the output framed (gid "crop").
    """
    plane, k = as_plane(x), as_plane(kernel, "kernel")
    (sh, sw), (ph, pw) = as_pair(stride, "stride", minimum=1), as_pair(padding, "padding", minimum=0)
    (h, w), (kh, kw) = plane.shape, k.shape
    total = h * w
    step = total if step is None else as_nonnegative_int(step, "step")
    if step > total:
        raise ValueError(f"step: expected at most H * W = {total}, got {step}")
    full = conv_transpose2d(plane[None, None], k[None, None], stride=(sh, sw))[0, 0]
    stamped = (np.arange(total) < step).reshape(h, w)
    running = conv_transpose2d((plane * stamped)[None, None], k[None, None], stride=(sh, sw))[0, 0]
    out_h, out_w = full.shape[0] - 2 * ph, full.shape[1] - 2 * pw
    if out_h < 1 or out_w < 1:
        raise ValueError(f"padding: expected less than half the canvas {full.shape}, got {padding!r}")

    figure, axes = _panel_axes([w, kw, full.shape[1]], full.shape[0], 2.0)
    if step:
        i, j = divmod(step - 1, w)
        value = plane[i, j]
        copy_title = f"copy: x[{i}, {j}] · K = {_format_value(value, 2)} · K"
        copy = value * k
    else:
        i = j = None
        copy_title, copy = "copy: nothing stamped yet", np.zeros_like(k)
    show_grid(plane, ax=axes[0], cmap="Blues", title=f"input ({step} of {total} stamped)",
              highlight=None if i is None else (i, j), highlight_color="tab:orange")
    for row, col in zip(*np.nonzero(~stamped)):
        axes[0].add_patch(Rectangle((col - 0.5, row - 0.5), 1, 1, facecolor="white", alpha=0.6,
                                    edgecolor="none", gid="to come", zorder=3))
    copy_limit = max(np.abs(full).max(), 1e-12)
    show_grid(copy, ax=axes[1], cmap="Oranges", title=copy_title, vmin=0 if copy.min() >= 0 else -copy_limit,
              vmax=max(copy.max(), copy_limit / 2))
    show_grid(running, ax=axes[2], cmap="Blues", vmin=min(full.min(), 0), vmax=full.max(),
              title=f"running sum: {step} of {total} stamps")
    if i is not None:
        _outline(axes[2], i * sh, j * sw, kh, kw, "tab:orange", "stamp")
    if ph or pw:
        _outline(axes[2], ph, pw, out_h, out_w, _CROP_COLOUR, "crop", linestyle="--", linewidth=2)
        axes[2].set_title(f"running sum: {step} of {total} stamps\n"
                          f"(dashed: the {out_h}×{out_w} output, padding {_pair_text((ph, pw))} cropped)")
    settings = f"kernel {kh}×{kw}, stride {_pair_text((sh, sw))}"
    if ph or pw:
        settings += f", padding {_pair_text((ph, pw))}"
    figure.suptitle(f"transposed convolution, {settings}: each input pixel stamps a copy of the kernel")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


def show_conv_matrix(kernel, input_shape, stride=1, padding=0, transposed: bool = True) -> Figure:
    """The matrix C of a convolution (and its transpose, the transposed convolution) as an image.

    Row `r` of C is output pixel `r` (row-major); column `c` is input pixel `c`. Each row holds
    the kernel's weights at the input pixels its window covers; zeros are left white. With
    stride > 1 the rows jump by `stride` pixels; taps on the padding have no column.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    input_shape : int or (int, int)
    stride, padding : int or (int, int)
    transposed : bool
        Also draw C^T next to C.

    Returns
    -------
    Figure
        One or two panels titled "C ..." and "Cᵀ ..."; non-zero entries are written in their
        cells when the matrix has at most 600 of them.
    """
    matrix = conv_matrix(kernel, input_shape, stride, padding)
    h, w = as_pair(input_shape, "input_shape", minimum=1)
    rows, cols = matrix.shape
    panels = [(matrix, f"C ({rows} × {cols}): conv2d as a matrix\nrows = output pixels, columns = input pixels")]
    if transposed:
        panels.append((matrix.T, f"Cᵀ ({cols} × {rows}):\nthe transposed convolution"))
    widths = [max(m.shape[1], 9) for m, _ in panels]  # room for the titles of narrow matrices
    heights = max(m.shape[0] for m, _ in panels)
    scale = 0.3 if max(widths + [heights]) <= 30 else 0.16
    figure, axes = plt.subplots(1, len(panels), figsize=(min(scale * sum(widths) + 1.5 * len(panels), 16),
                                                          min(scale * heights + 2.0, 12)),
                                gridspec_kw={"width_ratios": widths}, squeeze=False)
    limit = max(np.abs(matrix).max(), 1e-12)
    signed = matrix.min() < 0
    cmap = plt.get_cmap("RdBu_r" if signed else "Blues").with_extremes(bad="white")
    for ax, (values, title) in zip(axes[0], panels):
        ax.imshow(np.ma.masked_equal(values, 0), cmap=cmap, vmin=-limit if signed else 0, vmax=limit)
        ax.set_xticks(np.arange(-0.5, values.shape[1], 1), minor=True)
        ax.set_yticks(np.arange(-0.5, values.shape[0], 1), minor=True)
        ax.grid(which="minor", color="0.85", linewidth=0.6)
        ax.tick_params(which="both", length=0, labelsize=7)
        ax.set_xticks(range(values.shape[1]))
        ax.set_yticks(range(values.shape[0]))
        if values.size <= 600:
            for (r, c), value in np.ndenumerate(values):
                if value != 0:
                    ax.text(c, r, _format_value(value, 2), ha="center", va="center", fontsize=7,
                            color="white" if abs(value) > 0.6 * limit else "black")
        ax.set_title(title, fontsize=10)
    stride_text = _pair_text(as_pair(stride, "stride", minimum=1))
    padding_text = _pair_text(as_pair(padding, "padding", minimum=0))
    figure.suptitle(f"kernel {np.shape(kernel)[0]}×{np.shape(kernel)[1]} on a {h}×{w} image, "
                    f"stride {stride_text}, padding {padding_text}")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


def show_zero_insertion(x, kernel, stride=2, padding=0, output_padding=0) -> Figure:
    """The fractionally strided route: zeros inserted, padding added, an ordinary convolution.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (kH, kW)
    stride, padding, output_padding : int or (int, int)
        As in `conv_transpose2d`; `padding` at most `k - 1`.

    Returns
    -------
    Figure
        Four panels: the input; the zero-interleaved input with the padding added (the input's
        pixels outlined, gid "pixel"; the zero-interleaved block framed, gid "interleaved"); the
        kernel rotated by 180 degrees; and the ordinary (cross-correlation) result, which is the
        transposed convolution.
    """
    plane, k = as_plane(x), as_plane(kernel, "kernel")
    (sh, sw) = as_pair(stride, "stride", minimum=1)
    (ph, pw) = as_pair(padding, "padding", minimum=0)
    (oh, ow) = as_pair(output_padding, "output_padding", minimum=0)
    (h, w), (kh, kw) = plane.shape, k.shape
    if ph > kh - 1 or pw > kw - 1:
        raise ValueError(f"padding: expected at most kernel size - 1 = {(kh - 1, kw - 1)}, got {padding!r}")
    spread = np.zeros(((h - 1) * sh + 1, (w - 1) * sw + 1))
    spread[::sh, ::sw] = plane
    top, left = kh - 1 - ph, kw - 1 - pw
    padded = np.pad(spread, ((top, top + oh), (left, left + ow)))
    flipped = k[::-1, ::-1]
    out = conv2d(padded[None, None], flipped[None, None])[0, 0]

    figure, axes = _panel_axes([w, padded.shape[1], kw, out.shape[1]], padded.shape[0], 2.0)
    low, high = min(plane.min(), 0.0), plane.max()
    show_grid(plane, ax=axes[0], cmap="Blues", vmin=low, vmax=high, title=f"x ({h}×{w})")
    show_grid(padded, ax=axes[1], cmap="Blues", vmin=low, vmax=high,
              title=f"{_pair_text((sh - 1, sw - 1))} zero{'' if (sh, sw) == (2, 2) else 's'} between pixels,\n"
                    f"padded by k − 1 − p = {_pair_text((top, left))}")
    for i in range(h):
        for j in range(w):
            _outline(axes[1], top + i * sh, left + j * sw, 1, 1, "tab:blue", "pixel", linewidth=1.5)
    _outline(axes[1], top, left, spread.shape[0], spread.shape[1], "0.4", "interleaved", linestyle=":",
             linewidth=1.2)
    limit = max(np.abs(k).max(), 1e-12)
    show_grid(flipped, ax=axes[2], cmap="RdBu_r", vmin=-limit, vmax=limit, title="kernel rotated 180°")
    show_grid(out, ax=axes[3], cmap="Blues", title=f"ordinary convolution ({out.shape[0]}×{out.shape[1]})\n"
                                                   "= the transposed convolution")
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------------
# Checkerboard artifacts
# ---------------------------------------------------------------------------------------------


def overlap_counts(kernel_size: int, stride: int, size: int = 5) -> np.ndarray:
    """How many kernel copies cover each output pixel of a transposed convolution.

    The output of an all-ones `size x size` input through an all-ones kernel, without padding.
    When the kernel size is a multiple of the stride every pixel away from the border is covered
    equally often; otherwise the counts alternate, and so does the brightness of the output.

    Examples
    --------
    >>> overlap_counts(3, 2, size=3)[1]
    array([1., 1., 2., 1., 2., 1., 1.])
    >>> overlap_counts(4, 2, size=3)[3]
    array([2., 2., 4., 4., 4., 4., 2., 2.])
    """
    k, s, n = (as_positive_int(v, name) for v, name in ((kernel_size, "kernel_size"), (stride, "stride"), (size, "size")))
    return conv_transpose2d(np.ones((1, 1, n, n)), np.ones((1, 1, k, k)), stride=s)[0, 0]


def _interior(counts: np.ndarray, kernel_size: int) -> np.ndarray:
    """The part of the canvas every stamp reaches from both sides (no border effects)."""
    margin = kernel_size - 1
    return counts[margin : counts.shape[0] - margin, margin : counts.shape[1] - margin]


def show_overlap_counts(kernel_size: int, stride: int, size: int = 5, ax: Axes | None = None) -> Figure:
    """The overlap counts of one kernel size and stride, with the interior's range in the title.

    Returns
    -------
    Figure
        The counts as an annotated grid (when at most 12 cells wide); the interior (a kernel's
        width away from the border) is framed, gid "interior".
    """
    counts = overlap_counts(kernel_size, stride, size)
    if ax is None:
        side = counts.shape[0]
        _, ax = plt.subplots(figsize=(min(0.4 * side + 1.5, 8), min(0.4 * side + 1.6, 8)))
    inner = _interior(counts, kernel_size)
    show_grid(counts, ax=ax, cmap="Purples", vmin=0, vmax=counts.max(), annotate=counts.shape[1] <= 16)
    if inner.size:
        margin = kernel_size - 1
        _outline(ax, margin, margin, inner.shape[0], inner.shape[1], "tab:orange", "interior", linestyle="--",
                 linewidth=2)
        low, high = inner.min(), inner.max()
        verdict = "even" if low == high else "uneven: checkerboard"
        detail = f"interior {_format_value(low, 0)}" if low == high else \
            f"interior {_format_value(low, 0)} to {_format_value(high, 0)}"
    else:
        verdict, detail = "no interior", "input too small"
    ax.set_title(f"kernel {kernel_size}, stride {stride}: {verdict}\n({detail})", fontsize=10)
    return ax.figure


def show_checkerboard(image=None, stride: int = 2, kernel_sizes: Sequence[int] = (3, 4), size: int = 5) -> Figure:
    """Checkerboard artifacts of transposed convolutions, and resize-then-convolve without them.

    Top row: the overlap counts (see `overlap_counts`) of each kernel size with `stride`, then
    those of nearest-neighbour resizing followed by an ordinary 3x3 convolution (padding 1).
    Bottom row: a photograph upsampled the same ways, each with a constant kernel scaled so that
    it keeps the average brightness; where the counts alternate, so does the brightness.

    Parameters
    ----------
    image : array_like, shape (H, W), optional
        A gray image in [0, 1]; a 32x32 crop of `course_lib.data.load_photograph` by default.
    stride : int
    kernel_sizes : sequence of int
    size : int
        Side of the constant input of the top row.

    Returns
    -------
    Figure
        `2 x (len(kernel_sizes) + 1)` panels.
    """
    s = as_positive_int(stride, "stride")
    sizes = [as_positive_int(k, "kernel_sizes") for k in kernel_sizes]
    if image is None:
        from ..data import load_photograph

        image = load_photograph(size=(75, 64))[8:40, 16:48]
    plane = as_plane(image, "image")
    columns = len(sizes) + 1
    figure, axes = plt.subplots(2, columns, figsize=(3.6 * columns, 7.4))
    for column, k in enumerate(sizes):
        show_overlap_counts(k, s, size, ax=axes[0, column])
        kernel = np.full((1, 1, k, k), s * s / (k * k))  # s^2 / k^2 keeps the average brightness
        crop = max((k - s + 1) // 2, 0)
        upsampled = conv_transpose2d(plane[None, None], kernel, stride=s, padding=crop)[0, 0]
        axes[1, column].imshow(upsampled, cmap="gray", vmin=0, vmax=1)
        axes[1, column].set_title(f"transposed conv, kernel {k}, stride {s}", fontsize=10)
    resized = upsample_nearest(np.ones((1, 1, size, size)), s)
    counts = conv2d(resized, np.ones((1, 1, 3, 3)), padding=1)[0, 0]
    show_grid(counts, ax=axes[0, -1], cmap="Purples", vmin=0, vmax=counts.max())
    _outline(axes[0, -1], 1, 1, counts.shape[0] - 2, counts.shape[1] - 2, "tab:orange", "interior",
             linestyle="--", linewidth=2)
    axes[0, -1].set_title(f"nearest ×{s}, then 3×3 conv: even\n(interior {_format_value(counts[1:-1, 1:-1].min(), 0)})",
                          fontsize=10)
    smooth = conv2d(upsample_nearest(plane[None, None], s), np.full((1, 1, 3, 3), 1 / 9), padding=1)[0, 0]
    axes[1, -1].imshow(smooth, cmap="gray", vmin=0, vmax=1)
    axes[1, -1].set_title(f"nearest ×{s}, then 3×3 conv", fontsize=10)
    for ax in axes[1]:
        ax.axis("off")
    figure.suptitle(f"stride {s}: how many kernel copies land on each output pixel (top), "
                    f"and what that does to an image (bottom)")
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return figure


# ---------------------------------------------------------------------------------------------
# Slides against computation
# ---------------------------------------------------------------------------------------------


def show_slide_check(printed, computed, titles: Sequence[str] = ("as printed on the slide", "computed")) -> Figure:
    """A table from the slides next to the computed one, the cells where they differ outlined.

    Returns
    -------
    Figure
        Two annotated grids; every differing cell is outlined in red on the left and green on
        the right (gid "differs"), and the left title counts them.
    """
    printed, computed = as_plane(printed, "printed"), as_plane(computed, "computed")
    if printed.shape != computed.shape:
        raise ValueError(f"computed: expected the shape of printed {printed.shape}, got {computed.shape}")
    differs = ~np.isclose(printed, computed)
    figure, axes = _panel_axes([printed.shape[1], computed.shape[1]], printed.shape[0], 1.3)
    low, high = min(printed.min(), computed.min()), max(printed.max(), computed.max())
    count = int(differs.sum())
    show_grid(printed, ax=axes[0], cmap="Blues", vmin=low, vmax=high,
              title=f"{titles[0]}: {count} wrong cell{'s' if count != 1 else ''}")
    show_grid(computed, ax=axes[1], cmap="Blues", vmin=low, vmax=high, title=titles[1])
    for row, col in zip(*np.nonzero(differs)):
        _outline(axes[0], row, col, 1, 1, "tab:red", "differs", linewidth=3)
        _outline(axes[1], row, col, 1, 1, "tab:green", "differs", linewidth=3)
    figure.tight_layout()
    return figure
