"""Exercises on pooling: max, avg, min and global average pooling, max unpooling, max-pool backward.

Pooling inputs are distinct multiples of 1/4, so that each window has one maximum (and one
minimum) and indices are unambiguous; cases with padding are often entirely negative, so that a
zero (instead of -inf) padding would win somewhere.
"""

from __future__ import annotations

import numpy as np

from ..pooling import (
    avg_pool2d,
    global_avg_pool2d,
    max_pool2d,
    max_pool2d_backward,
    max_unpool2d,
    min_pool2d,
)
from .cases import MAX_POOL_IMAGE, UNPOOL_IMAGE, distinct, int_or_pair, quarters
from .convolution import conv_shape_lines
from .core import Args, Case, Exercise, Mistake, register
from .mistakes import ignored, one_short, pair, swapped_pairs

__all__: list[str] = []


# ---------------------------------------------------------------------------------------------
# Cases and formulas shared by the pooling exercises
# ---------------------------------------------------------------------------------------------

# Which of stride and padding a case sets (each an int or a pair at random).
_POOL_MIXES = ((), ("stride",), ("padding",), ("stride", "padding"), ("overlap",), ("overlap", "padding"))


def _pool_geometry(rng, hidden: bool, mix):
    """kernel, stride, padding (as the case passes them) and a fitting (H, W)."""
    high_k = 4 if hidden else 3
    pairs = rng.random() < 0.4
    kernel = int_or_pair(rng, 2, high_k, pairs) if rng.random() < 0.9 or not hidden else 1
    kh, kw = pair(kernel)
    stride = None
    if "stride" in mix:
        stride = int_or_pair(rng, 1, 3, rng.random() < 0.4)
    elif "overlap" in mix:  # windows that overlap: stride smaller than the kernel
        stride = (max(1, kh - 1), max(1, kw - 1)) if pairs else max(1, min(kh, kw) - 1)
    padding = 0
    if "padding" in mix and max(kh, kw) >= 2:
        if rng.random() < 0.4:
            padding = (int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1)))
            if padding == (0, 0):
                padding = (kh // 2, kw // 2)
        else:
            padding = max(1, min(kh, kw) // 2) if min(kh, kw) >= 2 else 0
    ph, pw = pair(padding)
    high_h, high_w = (8, 9) if hidden else (7, 8)
    height = int(rng.integers(max(2, kh - 2 * ph), high_h + 1))
    width = int(rng.integers(max(2, kw - 2 * pw), high_w + 1))
    return kernel, stride, padding, (height, width)


def _pool_kwargs(stride, padding) -> dict:
    kwargs = {}
    if stride is not None:
        kwargs["stride"] = stride
    if padding != 0:
        kwargs["padding"] = padding
    return kwargs


def _describe(x: np.ndarray, kernel, kwargs: dict, extra: str = "") -> str:
    settings = "".join(f", {name}={value}" for name, value in kwargs.items())
    return f"random {'x'.join(map(str, x.shape))} input, kernel_size={kernel}{settings}{extra}"


def _pool_case(rng, hidden: bool, index: int, extra_kwargs=None) -> Case:
    mix = _POOL_MIXES[index % len(_POOL_MIXES)]
    kernel, stride, padding, (height, width) = _pool_geometry(rng, hidden, mix)
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
    negative = padding != 0 and rng.random() < 0.5
    x = distinct(rng, (n, c, height, width), negative=negative)
    kwargs = _pool_kwargs(stride, padding)
    kwargs.update(extra_kwargs or {})
    return Case((x, kernel), kwargs, _describe(x, kernel, kwargs, ", all negative" if negative else ""))


def _pool_formula(a: Args) -> list[str]:
    n, c, h, w = np.shape(a.x)
    stride = a.stride
    lines = []
    if stride is None:
        stride = a.kernel_size
        lines.append(f"stride=None means stride = kernel_size = {pair(stride)}")
    return lines + conv_shape_lines(h, w, a.kernel_size, stride, a.padding, 1, lead=(("N", n), ("C", c)))


STRIDE_DEFAULT = Mistake(
    "stride=None taken as 1",
    "stride=None means non-overlapping windows: the stride equals kernel_size. Start with "
    "`if stride is None: stride = kernel_size`.",
    lambda a: a.call(stride=1) if a.stride is None and pair(a.kernel_size) != (1, 1) else None,
)
STRIDE_HINT = ("Windows start every `stride` pixels: window (i, j) covers rows i*s_h - p_h to "
               "i*s_h - p_h + k_h - 1 of the input.")
STRIDE_IGNORED = ignored("stride", 1, STRIDE_HINT)
STRIDE_AS_KERNEL = Mistake(
    "stride ignored",
    STRIDE_HINT + " You moved the window by kernel_size instead (the default for stride=None).",
    lambda a: None if a.stride is None or pair(a.stride) == pair(a.kernel_size) else a.call(stride=None),
)
PADDING_IGNORED = ignored("padding", 0, "Pad the input by `padding` on every side before sliding "
                          "the window (with -inf for max pooling, zeros for average pooling).")
CEIL_HINT = ("You rounded the output size up (ceil): only windows that fit entirely inside the "
             "padded input count, so H_out = floor((H + 2p - k)/s) + 1.")
CEIL = Mistake("off by one in the output size", CEIL_HINT, lambda a: a.call(ceil_mode=True))


def naive_ceil(pool, fill: float) -> Mistake:
    """Output sizes rounded up, every extra window read past the end (PyTorch drops some)."""

    def variant(a: Args):
        (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
        sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
        if sh == sw == 1:
            return None
        padded = _pad_values(a.x, (ph, ph + sh - 1), (pw, pw + sw - 1), fill)
        return _values_only(a, pool(padded, (kh, kw), (sh, sw), 0))

    return Mistake("off by one in the output size", CEIL_HINT, variant)
POOL_PAIRS = swapped_pairs("kernel_size", "stride", "padding")


def _pad_values(x, widths_h, widths_w, fill):
    return np.pad(np.asarray(x, dtype=np.float64), ((0, 0), (0, 0), widths_h, widths_w),
                  constant_values=fill)


def _values_only(a: Args, values):
    """A values-only variant in the structure of the expected output."""
    return (values, None) if getattr(a, "return_indices", False) else values


def _pooled_with_fill(a: Args, fill: float, pool, sides: str = "both"):
    """Pooling of the input padded with `fill` (on `sides`), then pooled without padding."""
    ph, pw = pair(a.padding)
    if ph == pw == 0:
        return None
    before = {"both": 1, "start": 1, "end": 0}[sides]
    after = {"both": 1, "start": 0, "end": 1}[sides]
    padded = _pad_values(a.x, (before * ph, after * ph), (before * pw, after * pw), fill)
    stride = a.kernel_size if a.stride is None else a.stride
    return pool(padded, a.kernel_size, stride, 0)


# ---------------------------------------------------------------------------------------------
# max_pool2d
# ---------------------------------------------------------------------------------------------


def _reference_indices(a: Args) -> np.ndarray:
    return a.call(return_indices=True)[1]


def _index_variant(transform):
    """A variant that keeps the values and transforms the reference's indices."""

    def variant(a: Args):
        if not a.return_indices:
            return None
        values, indices = a.call(return_indices=True)
        changed = transform(a, indices)
        return None if changed is None else (values, changed)

    return variant


def _window_relative(a: Args, indices):
    h, w = np.shape(a.x)[2:]
    (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
    sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
    rows, cols = np.divmod(indices, w)
    top = np.arange(indices.shape[2])[:, None] * sh - ph
    left = np.arange(indices.shape[3])[None, :] * sw - pw
    return (rows - top) * kw + (cols - left)


def _padded_plane(a: Args, indices):
    ph, pw = pair(a.padding)
    if ph == pw == 0:
        return None
    w = np.shape(a.x)[3]
    rows, cols = np.divmod(indices, w)
    return (rows + ph) * (w + 2 * pw) + cols + pw


def _whole_array(a: Args, indices):
    n, c, h, w = np.shape(a.x)
    if n * c == 1:
        return None
    return indices + (np.arange(n * c).reshape(n, c, 1, 1) * h * w)


def _rows_times_height(a: Args, indices):
    h, w = np.shape(a.x)[2:]
    if h == w:
        return None
    rows, cols = np.divmod(indices, w)
    return rows * h + cols


def _row_col_pairs(a: Args, indices):
    w = np.shape(a.x)[3]
    return np.stack(np.divmod(indices, w), axis=-1)


def _max_pool_case(rng, hidden: bool, index: int) -> Case:
    with_indices = (index // 2) % 2 == 0 if not hidden else bool(rng.random() < 0.5)
    return _pool_case(rng, hidden, index, {"return_indices": True} if with_indices else None)


MAX_POOL_MISTAKES = (
    Mistake("zeros instead of -inf padding", "Max pooling pads with -inf, so that padding never "
            "wins: a window over negative numbers and padding must give the largest of the "
            "numbers, not 0. Pad with np.pad(..., constant_values=-np.inf).",
            lambda a: _values_only(a, _pooled_with_fill(a, 0.0, max_pool2d))),
    STRIDE_DEFAULT,
    STRIDE_IGNORED,
    STRIDE_AS_KERNEL,
    PADDING_IGNORED,
    Mistake("padding on one side only", "Padding p goes on both sides: p rows at the top and p at "
            "the bottom, p columns at the left and p at the right. You padded the top and the left "
            "only.", lambda a: _values_only(a, _pooled_with_fill(a, -np.inf, max_pool2d, "start"))),
    Mistake("padding on one side only", "Padding p goes on both sides. You padded the bottom and "
            "the right only.", lambda a: _values_only(a, _pooled_with_fill(a, -np.inf, max_pool2d, "end"))),
    CEIL,
    naive_ceil(max_pool2d, -np.inf),
    one_short(),
    Mistake("indices relative to the window", "indices[n, c, i, j] is the position of the maximum "
            "in the whole H x W plane of its channel, row * W + col, not its position inside the "
            "window (which is what argmax over the window gives: add the window's offset).",
            _index_variant(_window_relative)),
    Mistake("indices into the padded plane", "Indices count positions in the unpadded H x W "
            "input: subtract the padding from the row and the column, and use W (not W + 2p) as "
            "the row length.", _index_variant(_padded_plane)),
    Mistake("indices into the whole array", "Each channel's indices count from 0 in its own "
            "H x W plane (row * W + col), as max_unpool2d expects; do not add n*C*H*W + c*H*W.",
            _index_variant(_whole_array)),
    Mistake("H and W swapped", "A flat index into an H x W plane is row * W + col (row length W), "
            "not row * H + col.", _index_variant(_rows_times_height)),
    Mistake("indices as (row, col) pairs", "Return one flat index per output, row * W + col, as "
            "PyTorch does (np.ravel_multi_index does this), not a (row, col) pair.",
            _index_variant(_row_col_pairs)),
    POOL_PAIRS,
)

register(Exercise(
    id="max_pool2d",
    reference=max_pool2d,
    signature="max_pool2d(x, kernel_size, stride=None, padding=0, return_indices=False)",
    description="2-D max pooling of (N, C, H, W) images with -inf padding; with "
                "return_indices=True also the flat position row * W + col of each maximum.",
    examples=(
        Case((MAX_POOL_IMAGE[None, None], 2), {"stride": 2}, "the max-pooling slide: 2x2 windows, stride 2"),
        Case((UNPOOL_IMAGE[None, None], 2), {"return_indices": True},
             "the max-unpooling slide's pooling, with the positions of the maxima"),
    ),
    random_case=_max_pool_case,
    counts=(12, 32),
    formula=_pool_formula,
    mistakes=MAX_POOL_MISTAKES,
    output_names=("out", "indices"),
))


# ---------------------------------------------------------------------------------------------
# avg_pool2d
# ---------------------------------------------------------------------------------------------


def _avg_pool_case(rng, hidden: bool, index: int) -> Case:
    mix = _POOL_MIXES[index % len(_POOL_MIXES)]
    kernel, stride, padding, (height, width) = _pool_geometry(rng, hidden, mix)
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
    x = quarters(rng, (n, c, height, width), nonzero=True)
    kwargs = _pool_kwargs(stride, padding)
    if padding != 0 and (index // len(_POOL_MIXES) + index // 2) % 2 == 0:
        kwargs["count_include_pad"] = False
    return Case((x, kernel), kwargs, _describe(x, kernel, kwargs))


_ONE_TO_NINE = np.arange(1, 10).reshape(1, 1, 3, 3)


def _sum_instead(a: Args):
    kh, kw = pair(a.kernel_size)
    return a.call(count_include_pad=True) * (kh * kw)


register(Exercise(
    id="avg_pool2d",
    reference=avg_pool2d,
    signature="avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True)",
    description="2-D average pooling with zero padding; count_include_pad says whether the "
                "padding's zeros count in the divisor.",
    examples=(
        Case((MAX_POOL_IMAGE[None, None], 2), {}, "the max-pooling slide's input, averaged instead"),
        Case((_ONE_TO_NINE, 2), {"padding": 1},
             "a 3x3 image, 2x2 windows with padding 1: the padding's zeros count"),
        Case((_ONE_TO_NINE, 2), {"padding": 1, "count_include_pad": False},
             "the same with count_include_pad=False: only the image's pixels count"),
    ),
    random_case=_avg_pool_case,
    counts=(12, 32),
    formula=_pool_formula,
    mistakes=(
        Mistake("average including/excluding padding swapped", "With count_include_pad=True "
                "every window is divided by kH*kW, padding included; with False only by the number "
                "of its pixels that lie inside the image.",
                lambda a: None if pair(a.padding) == (0, 0) else a.call(count_include_pad=not a.count_include_pad)),
        Mistake("sum instead of mean", "Divide each window's sum by the number of its pixels.", _sum_instead),
        STRIDE_DEFAULT,
        STRIDE_IGNORED,
        STRIDE_AS_KERNEL,
        PADDING_IGNORED,
        Mistake("padding on one side only", "Padding p goes on both sides: p rows at the top and "
                "p at the bottom, p columns at the left and p at the right.",
                lambda a: _pooled_with_fill(a, 0.0, avg_pool2d, "start")),
        CEIL,
        naive_ceil(avg_pool2d, 0.0),
        one_short(),
        POOL_PAIRS,
    ),
))


# ---------------------------------------------------------------------------------------------
# min_pool2d and global_avg_pool2d
# ---------------------------------------------------------------------------------------------


def _min_pool_case(rng, hidden: bool, index: int) -> Case:
    case = _pool_case(rng, hidden, index)
    if "padding" in case.kwargs and rng.random() < 0.6:
        x = -case.args[0]  # all positive, so that a zero padding would win the minimum
        return Case((x, case.args[1]), case.kwargs, case.description.replace("all negative", "all positive"))
    return case


register(Exercise(
    id="min_pool2d",
    reference=min_pool2d,
    signature="min_pool2d(x, kernel_size, stride=None, padding=0)",
    description="2-D min pooling, padded with +inf: the smallest value of every window.",
    examples=(
        Case((MAX_POOL_IMAGE[None, None], 2), {}, "the max-pooling slide's input, pooled with the minimum"),
    ),
    random_case=_min_pool_case,
    counts=(8, 24),
    formula=_pool_formula,
    mistakes=(
        Mistake("maximum instead of minimum", "Take the smallest value of each window (np.min), or "
                "use -max_pool2d(-x, ...).", lambda a: max_pool2d(a.x, a.kernel_size, a.stride, a.padding)),
        Mistake("sign error", "min(x) = -max(-x): negate the input as well as the result; "
                "-max_pool2d(x) is the negated maximum.",
                lambda a: -max_pool2d(a.x, a.kernel_size, a.stride, a.padding)),
        Mistake("zeros instead of +inf padding", "Min pooling pads with +inf, so that padding never "
                "wins: a window over positive numbers and padding must give the smallest number, "
                "not 0.", lambda a: _pooled_with_fill(a, 0.0, min_pool2d)),
        STRIDE_DEFAULT,
        STRIDE_IGNORED,
        STRIDE_AS_KERNEL,
        PADDING_IGNORED,
        one_short(),
        POOL_PAIRS,
    ),
))


def _global_case(rng, hidden: bool, index: int) -> Case:
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
    height = int(rng.integers(1, (8 if hidden else 6) + 1))
    width = int(rng.integers(1, (9 if hidden else 7) + 1))
    if index % 3 == 0 and height == width:
        width += 1
    x = quarters(rng, (n, c, height, width))
    return Case((x,), {}, f"random {n}x{c}x{height}x{width} input")


def _global_formula(a: Args) -> list[str]:
    n, c = np.shape(a.x)[:2]
    return [f"one mean per image and channel, kept as a 1x1 plane: (N, C, 1, 1) = {(n, c, 1, 1)}"]


register(Exercise(
    id="global_avg_pool2d",
    reference=global_avg_pool2d,
    signature="global_avg_pool2d(x)",
    description="Global average pooling: the mean of each channel, shape (N, C, 1, 1).",
    examples=(
        Case((np.arange(8).reshape(1, 2, 2, 2),), {}, "two 2x2 channels"),
        Case((MAX_POOL_IMAGE[None, None],), {}, "the max-pooling slide's input"),
    ),
    random_case=_global_case,
    counts=(8, 20),
    formula=_global_formula,
    mistakes=(
        Mistake("size-1 axes dropped", "Keep the pooled axes as size 1: the output is (N, C, 1, 1), "
                "like a pooling whose window is the whole image (x.mean(axis=(2, 3), keepdims=True)).",
                lambda a: np.asarray(a.x, dtype=np.float64).mean(axis=(2, 3))),
        Mistake("averaged over the channels too", "Average each channel separately, over H and W "
                "only (axes 2 and 3).",
                lambda a: np.asarray(a.x, dtype=np.float64).mean(axis=(1, 2, 3), keepdims=True)),
        Mistake("averaged over the channels too", "Average each channel separately, over H and W "
                "only (axes 2 and 3): every channel of yours holds the mean of all channels.",
                lambda a: np.broadcast_to(np.asarray(a.x, dtype=np.float64).mean(axis=(1, 2, 3), keepdims=True),
                                          np.shape(a.x)[:2] + (1, 1))),
        Mistake("sum instead of mean", "Divide by H * W: it is an average.",
                lambda a: np.asarray(a.x, dtype=np.float64).sum(axis=(2, 3), keepdims=True)),
        Mistake("maximum instead of mean", "Global average pooling takes the mean, not the maximum.",
                lambda a: np.asarray(a.x, dtype=np.float64).max(axis=(2, 3), keepdims=True)),
        Mistake("averaged over one axis only", "Average over both H and W (axes 2 and 3).",
                lambda a: np.asarray(a.x, dtype=np.float64).mean(axis=3, keepdims=True)),
        Mistake("averaged over one axis only", "Average over both H and W (axes 2 and 3).",
                lambda a: np.asarray(a.x, dtype=np.float64).mean(axis=2, keepdims=True)),
    ),
))


# ---------------------------------------------------------------------------------------------
# max_unpool2d
# ---------------------------------------------------------------------------------------------


def _unpool_case(rng, hidden: bool, index: int) -> Case:
    """Pool a random input with the reference, then unpool new values at the maxima."""
    mix = ("default size", "output_size", "stride", "padding")[index % 4]
    for _ in range(50):
        kernel, stride, padding, (height, width) = _pool_geometry(
            rng, hidden, ("stride",) if mix == "stride" else ("padding",) if mix == "padding" else ())
        if mix != "stride":
            stride = None
        (kh, kw), (ph, pw) = pair(kernel), pair(padding)
        sh, sw = pair(kernel if stride is None else stride)
        if mix != "output_size":  # sizes the default formula gives back exactly
            height -= (height + 2 * ph - kh) % sh
            width -= (width + 2 * pw - kw) % sw
        elif (height + 2 * ph - kh) % sh == 0 and (width + 2 * pw - kw) % sw == 0:
            continue
        if min(height, width) < 1 or height + 2 * ph < kh or width + 2 * pw < kw:
            continue
        n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
        source = distinct(rng, (n, c, height, width))
        _, indices = max_pool2d(source, kernel, stride, padding, return_indices=True)
        flat = indices.reshape(n * c, -1)
        if any(len(np.unique(row)) < len(row) for row in flat):
            continue  # two windows share a maximum: where it goes would be ambiguous
        x = quarters(rng, indices.shape, nonzero=True)
        kwargs = _pool_kwargs(stride, padding)
        default = ((indices.shape[2] - 1) * sh - 2 * ph + kh, (indices.shape[3] - 1) * sw - 2 * pw + kw)
        if mix == "output_size" or (hidden and rng.random() < 0.2):
            kwargs["output_size"] = (height, width)
        settings = "".join(f", {name}={value}" for name, value in kwargs.items())
        note = "" if default == (height, width) else f" (pooled from {height}x{width})"
        return Case((x, indices, kernel), kwargs, f"random {'x'.join(map(str, x.shape))} input{note}, "
                                                  f"kernel_size={kernel}{settings}")
    raise RuntimeError("could not draw a max_unpool2d case")  # pragma: no cover


def _unpool_size(a: Args) -> tuple[int, int]:
    h, w = np.shape(a.x)[2:]
    (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
    sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
    return (h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw


def _unpool_formula(a: Args) -> list[str]:
    n, c, h, w = np.shape(a.x)
    (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
    sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
    lines = [
        f"H_out = (H - 1)*s - 2p + k = ({h} - 1)*{sh} - 2*{ph} + {kh} = {(h - 1) * sh - 2 * ph + kh}",
        f"W_out = (W - 1)*s - 2p + k = ({w} - 1)*{sw} - 2*{pw} + {kw} = {(w - 1) * sw - 2 * pw + kw}",
    ]
    if a.output_size is not None:
        lines.append(f"but output_size={tuple(a.output_size)} gives (H_out, W_out) directly")
    size = tuple(a.output_size) if a.output_size is not None else _unpool_size(a)
    return lines + [f"expected shape (N, C, H_out, W_out) = {(n, c) + size}"]


def _scatter(a: Args, size, rows_from=None):
    """Place x at the flat indices of an output plane of `size`; `rows_from` reads them otherwise."""
    x, indices = np.asarray(a.x, dtype=np.float64), np.asarray(a.indices)
    n, c = x.shape[:2]
    height, width = size
    rows, cols = np.divmod(indices, rows_from or width)
    if rows.max() >= height or cols.max() >= width:
        return None
    out = np.zeros((n, c, height, width))
    nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    out[nn[..., None, None], cc[..., None, None], rows, cols] = x
    return out


def _target_size(a: Args):
    return tuple(a.output_size) if a.output_size is not None else _unpool_size(a)


def _no_padding_size(a: Args):
    ph, pw = pair(a.padding)
    if ph == pw == 0:
        return None
    height, width = _unpool_size(a)
    return _scatter(a, (height + 2 * ph, width + 2 * pw))


def _output_size_ignored(a: Args):
    return None if a.output_size is None else _scatter(a, _unpool_size(a))


def _unpool_stride_default(a: Args):
    if a.stride is not None:
        return None
    h, w = np.shape(a.x)[2:]
    (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
    return _scatter(a, (h - 1 - 2 * ph + kh, w - 1 - 2 * pw + kw))


def _unpool_rows_by_height(a: Args):
    height, width = _target_size(a)
    return None if height == width else _scatter(a, (height, width), rows_from=height)


def _bed_of_nails(a: Args):
    """Each value at the top-left corner of its window, whatever the indices say."""
    x = np.asarray(a.x, dtype=np.float64)
    height, width = _target_size(a)
    (ph, pw) = pair(a.padding)
    sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
    out = np.zeros(x.shape[:2] + (height + 2 * ph + sh, width + 2 * pw + sw))
    out[:, :, : x.shape[2] * sh : sh, : x.shape[3] * sw : sw] = x
    return out[:, :, ph : ph + height, pw : pw + width]


register(Exercise(
    id="max_unpool2d",
    reference=max_unpool2d,
    signature="max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None)",
    description="Max unpooling: zeros, with each value of x put back at the flat position "
                "(row * W_out + col) its maximum came from.",
    examples=(
        Case((np.array([[[[1, 2], [3, 4]]]]), max_pool2d(UNPOOL_IMAGE[None, None], 2, return_indices=True)[1], 2),
             {}, "the max-unpooling slide: [[1, 2], [3, 4]] put back where the maxima of its 4x4 input were"),
    ),
    random_case=_unpool_case,
    counts=(10, 30),
    formula=_unpool_formula,
    mistakes=(
        Mistake("indices ignored", "Each value goes to the position its index names (row = index "
                "// W_out, col = index % W_out), not to a fixed corner of its window: that is "
                "'bed of nails' upsampling.", _bed_of_nails),
        Mistake("output size ignores padding", "The pooled input was H x W before padding: "
                "H_out = (H - 1)*s - 2p + k. Indices count in that unpadded plane.", _no_padding_size),
        Mistake("output_size ignored", "When output_size is given it fixes (H_out, W_out): several "
                "input sizes pool to the same size, and the formula gives only one of them.",
                _output_size_ignored),
        Mistake("stride=None taken as 1", "stride=None means stride = kernel_size, as in max_pool2d.",
                _unpool_stride_default),
        Mistake("H and W swapped", "A flat index into an H_out x W_out plane is row * W_out + col: "
                "row = index // W_out, col = index % W_out (divide by the width, not the height).",
                _unpool_rows_by_height),
        POOL_PAIRS,
    ),
))


# ---------------------------------------------------------------------------------------------
# max_pool2d_backward
# ---------------------------------------------------------------------------------------------


def _pool_backward_case(rng, hidden: bool, index: int) -> Case:
    mix = _POOL_MIXES[(index + 4) % len(_POOL_MIXES)]  # start with the overlapping windows
    kernel, stride, padding, (height, width) = _pool_geometry(rng, hidden, mix)
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
    negative = padding != 0 and rng.random() < 0.5
    x = distinct(rng, (n, c, height, width), negative=negative)
    pooled = max_pool2d(x, kernel, stride, padding)
    dout = quarters(rng, pooled.shape, nonzero=True)
    kwargs = _pool_kwargs(stride, padding)
    return Case((dout, x, kernel), kwargs, _describe(x, kernel, kwargs, ", all negative" if negative else ""))


def _backward_geometry(a: Args):
    x = np.asarray(a.x, dtype=np.float64)
    (kh, kw), (ph, pw) = pair(a.kernel_size), pair(a.padding)
    sh, sw = pair(a.kernel_size if a.stride is None else a.stride)
    return x, (kh, kw), (sh, sw), (ph, pw)


def _not_accumulated(a: Args):
    """Each window's gradient written with = in row-major order: the last window wins."""
    x, _, _, _ = _backward_geometry(a)
    _, indices = max_pool2d(x, a.kernel_size, a.stride, a.padding, return_indices=True)
    dout = np.asarray(a.dout, dtype=np.float64)
    n, c, h, w = x.shape
    dx = np.zeros((n, c, h * w))
    for i in range(indices.shape[2]):
        for j in range(indices.shape[3]):
            np.put_along_axis(dx, indices[:, :, i, j].reshape(n, c, 1), dout[:, :, i, j].reshape(n, c, 1), axis=2)
    return dx.reshape(x.shape)


def _spread(a: Args, divide: bool):
    """The window's gradient given to every pixel of it (what average pooling would do)."""
    x, (kh, kw), (sh, sw), (ph, pw) = _backward_geometry(a)
    dout = np.asarray(a.dout, dtype=np.float64) / (kh * kw if divide else 1)
    n, c, h, w = x.shape
    out_h, out_w = dout.shape[2:]
    padded = np.zeros((n, c, max(h + 2 * ph, (out_h - 1) * sh + kh), max(w + 2 * pw, (out_w - 1) * sw + kw)))
    for i in range(kh):
        for j in range(kw):
            padded[:, :, i : i + (out_h - 1) * sh + 1 : sh, j : j + (out_w - 1) * sw + 1 : sw] += dout
    return padded[:, :, ph : ph + h, pw : pw + w]


def _zero_padded_backward(a: Args):
    x, (kh, kw), (sh, sw), (ph, pw) = _backward_geometry(a)
    if ph == pw == 0:
        return None
    padded = _pad_values(x, (ph, ph), (pw, pw), 0.0)
    _, indices = max_pool2d(padded, (kh, kw), (sh, sw), 0, return_indices=True)
    n, c, h, w = x.shape
    rows, cols = np.divmod(indices, w + 2 * pw)
    rows, cols = rows - ph, cols - pw
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    dx = np.zeros(x.shape)
    nn, cc = np.meshgrid(np.arange(n), np.arange(c), indexing="ij")
    nn = np.broadcast_to(nn[..., None, None], rows.shape)
    cc = np.broadcast_to(cc[..., None, None], rows.shape)
    np.add.at(dx, (nn[inside], cc[inside], rows[inside], cols[inside]), np.asarray(a.dout)[inside])
    return dx


def _padded_gradient(a: Args):
    x, _, _, (ph, pw) = _backward_geometry(a)
    if ph == pw == 0:
        return None
    n, c, h, w = x.shape
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    out[:, :, ph : ph + h, pw : pw + w] = a.expected
    return out


def _pool_backward_formula(a: Args) -> list[str]:
    return [f"dx has the shape of x: {np.shape(a.x)}"]


register(Exercise(
    id="max_pool2d_backward",
    reference=max_pool2d_backward,
    signature="max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0)",
    description="The gradient of max pooling with respect to its input: each window's gradient "
                "goes to its maximum, summed where windows overlap.",
    examples=(
        Case((np.array([[[[1, 2], [3, 4]]]]), MAX_POOL_IMAGE[None, None], 2), {},
             "the max-pooling slide, with the gradients 1, 2, 3, 4 flowing back"),
    ),
    random_case=_pool_backward_case,
    counts=(10, 30),
    formula=_pool_backward_formula,
    mistakes=(
        Mistake("gradient not accumulated over overlapping windows", "When windows overlap, a pixel "
                "can be the maximum of several of them and receives the sum of their gradients: "
                "use dx[...] += dout[...], not =.", _not_accumulated),
        Mistake("gradient spread over the whole window", "Only the maximum of a window affects the "
                "output, so the whole gradient goes to that one pixel; the others get 0. (Spreading "
                "it is average pooling's backward.)", lambda a: _spread(a, divide=False)),
        Mistake("gradient spread over the whole window", "Only the maximum of a window affects the "
                "output, so the whole gradient goes to that one pixel; the others get 0. (Spreading "
                "it evenly is average pooling's backward.)", lambda a: _spread(a, divide=True)),
        Mistake("zeros instead of -inf padding", "The forward pass pads with -inf, so the maximum "
                "is always a pixel of the image: find it with -inf padding, or the gradient of a "
                "window over negative numbers disappears into the padding.", _zero_padded_backward),
        Mistake("padding not removed", "Return the gradient for x itself, (N, C, H, W): crop the "
                "padding off the padded gradient ([..., p:p + H, p:p + W]).", _padded_gradient),
    ),
))
