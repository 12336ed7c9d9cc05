"""Exercises of the U-Net notebook: pixel_cross_entropy, center_crop, unet_shape_trace, double_conv, up_block.

The first two are array functions like the other exercises. The last three need an adapter
between the student's code and the judge (see `Exercise.student_callable`):

- `unet_shape_trace` returns a list of `Stage(name, channels, height, width)`; the adapter turns
  it into an int array of shape (stages, 3) of `(channels, height, width)`, which the judge
  compares with the reference's (the names are not graded).
- `double_conv` and `up_block` are torch modules the student writes as classes (`DoubleConv`,
  `UpBlock`). The adapter builds the student's module, sets every parameter to values that
  depend only on the parameter's shape (so any two modules with the same layers get the same
  weights, whatever order they define them in), runs it on the case's input, and returns
  `(number of parameters, output)`. The reference does the same with `course_lib.unet`'s
  `ConvBlock` and `UpBlock`, so a right module gives the same count and the same values.
"""

from __future__ import annotations

import inspect
import zlib

import numpy as np

from ..data import VOID_LABEL
from ..losses import pixel_cross_entropy
from .cases import pick, quarters
from .core import Args, Case, Exercise, Mistake, Opaque, Verdict, register
from .messages import short_value
from .mistakes import pair, swapped_pairs

__all__: list[str] = []


# course_lib.unet imports torch, which takes a second or two: it is imported only when a U-Net
# exercise is checked, so that `import course_lib.grading` stays fast in every other notebook.


def _torch():
    import torch

    return torch


def center_crop(x, size):
    """`course_lib.unet.center_crop` (imported on first use)."""
    from ..unet import center_crop as reference

    return reference(x, size)


def unet_shape_trace(*args, **kwargs):
    """`course_lib.unet.unet_shape_trace` (imported on first use)."""
    from ..unet import unet_shape_trace as reference

    return reference(*args, **kwargs)


# ---------------------------------------------------------------------------------------------
# pixel_cross_entropy
# ---------------------------------------------------------------------------------------------


def _scalar(value):
    """A variant's output as a float64 array; a scalar becomes a 0-d array, because the judge
    compares arrays with arrays."""
    return np.asarray(value, dtype=np.float64)


def _ce_parts(a: Args, axis: int = 1, void_as=None):
    """Per-pixel losses (N, H, W) and the mask of counted pixels, computed as a student might."""
    z = np.asarray(a.logits, dtype=np.float64)
    t = np.asarray(a.target)
    ignored = t == a.ignore_index
    if void_as is not None:
        t = np.where(ignored, void_as, t)
        ignored = np.zeros_like(ignored)
    shifted = z - z.max(axis=axis, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    picked = np.take_along_axis(log_p, np.where(ignored, 0, t)[:, None], axis=1)[:, 0]
    return np.where(ignored, 0.0, -picked), ~ignored


def _reduce(losses, counted, reduction: str):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return _scalar(losses.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return _scalar(losses.sum() / counted.sum())


def _void_divided_by_all(a: Args):
    if a.reduction != "mean":
        return None
    losses, _ = _ce_parts(a)
    return _scalar(losses.sum() / losses.size)


def _void_as_class(a: Args):
    t = np.asarray(a.target)
    if not (t == a.ignore_index).any():
        return None
    losses, counted = _ce_parts(a, void_as=0)
    return _reduce(losses, counted, a.reduction)


def _wrong_softmax_axis(axis: int):
    def variant(a: Args):
        losses, counted = _ce_parts(a, axis=axis)
        return _reduce(losses, counted, a.reduction)

    return variant


def _mean_over_classes_too(a: Args):
    if a.reduction != "mean":
        return None
    losses, counted = _ce_parts(a)
    k = np.shape(a.logits)[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _scalar(losses.sum() / (counted.sum() * k))  # a one-hot product averaged over K too


def _mean_over_classes_all_pixels(a: Args):
    if a.reduction != "mean":
        return None
    losses, _ = _ce_parts(a)
    return _scalar(losses.sum() / (losses.size * np.shape(a.logits)[1]))


def _mean_of_image_means(a: Args):
    if a.reduction != "mean" or np.shape(a.logits)[0] < 2:
        return None
    losses, counted = _ce_parts(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_image = losses.sum(axis=(1, 2)) / counted.sum(axis=(1, 2))
    return _scalar(per_image.mean())


def _naive(form: str):
    """The loss computed without subtracting the maximum first: exp overflows for large logits."""

    def variant(a: Args):
        z = np.asarray(a.logits, dtype=np.float64)
        t = np.asarray(a.target)
        ignored = t == a.ignore_index
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            e = np.exp(z)
            if form == "ratio":
                log_p = np.log(e / e.sum(axis=1, keepdims=True))
            else:
                log_p = z - np.log(e.sum(axis=1, keepdims=True))
            picked = np.take_along_axis(log_p, np.where(ignored, 0, t)[:, None], axis=1)[:, 0]
            losses = np.where(ignored, 0.0, -picked)
            return _reduce(losses, ~ignored, a.reduction)

    return variant


def _reduction_as(other: str):
    def variant(a: Args):
        return None if a.reduction == other else _scalar(a.call(reduction=other))

    return variant


def _no_log_softmax(a: Args):
    z = np.asarray(a.logits, dtype=np.float64)
    t = np.asarray(a.target)
    ignored = t == a.ignore_index
    picked = np.take_along_axis(z, np.where(ignored, 0, t)[:, None], axis=1)[:, 0]
    return _reduce(np.where(ignored, 0.0, -picked), ~ignored, a.reduction)


def _probabilities_not_logs(a: Args):
    z = np.asarray(a.logits, dtype=np.float64)
    t = np.asarray(a.target)
    ignored = t == a.ignore_index
    shifted = np.exp(z - z.max(axis=1, keepdims=True))
    p = shifted / shifted.sum(axis=1, keepdims=True)
    picked = np.take_along_axis(p, np.where(ignored, 0, t)[:, None], axis=1)[:, 0]
    return _reduce(np.where(ignored, 0.0, -picked), ~ignored, a.reduction)


_VOID_HINT = ("Pixels labelled ignore_index (255, void) have no class: they add nothing to the "
              "loss and do not count in the mean. Divide the sum by the number of non-void pixels, "
              "not by N*H*W, and give void pixels the loss 0 under reduction='none'.")

CE_MISTAKES = (
    Mistake("void pixels counted in the loss", _VOID_HINT, _void_divided_by_all),
    Mistake("void pixels counted in the loss", _VOID_HINT + " You gave them a class (0) instead.",
            _void_as_class),
    Mistake("no log-softmax stabilisation", "exp(z) overflows to inf for logits above about 709 "
            "(88 in float32), and inf / inf is nan. Subtract each pixel's largest logit first: "
            "log_softmax(z) = (z - m) - log(sum(exp(z - m))) with m = z.max(axis=1, keepdims=True); "
            "the result is the same, and no exp exceeds 1.", _naive("ratio")),
    Mistake("no log-softmax stabilisation", "exp(z) overflows to inf for large logits, and "
            "z - log(inf) is -inf. Subtract each pixel's largest logit before exponentiating "
            "(m = z.max(axis=1, keepdims=True)): (z - m) - log(sum(exp(z - m))).", _naive("difference")),
    Mistake("softmax over the wrong axis", "The classes are axis 1 of the (N, K, H, W) logits: "
            "normalise over axis=1 (each pixel's K scores), not over the width or the batch.",
            _wrong_softmax_axis(-1)),
    Mistake("softmax over the wrong axis", "The classes are axis 1 of the (N, K, H, W) logits: "
            "normalise over axis=1, not over the batch axis 0.", _wrong_softmax_axis(0)),
    Mistake("softmax over the wrong axis", "The classes are axis 1 of the (N, K, H, W) logits: "
            "normalise over axis=1, not over the height (axis 2).", _wrong_softmax_axis(2)),
    Mistake("mean over the wrong axis", "You averaged over the class axis too (e.g. the mean of a "
            "one-hot product over all N*K*H*W entries), which divides the loss by K. Pick each "
            "pixel's true-class log-probability, then average over the non-void pixels only.",
            _mean_over_classes_too),
    Mistake("mean over the wrong axis", "You averaged over all N*K*H*W entries (classes and void "
            "pixels included). Pick each pixel's true-class log-probability, then average over the "
            "non-void pixels only.", _mean_over_classes_all_pixels),
    Mistake("mean of per-image means", "reduction='mean' averages over all non-void pixels of the "
            "batch at once; averaging each image first and then the images weights an image with "
            "few valid pixels as much as one with many.", _mean_of_image_means),
    Mistake("reduction ignored", "reduction='sum' returns the sum over the non-void pixels, "
            "'none' the (N, H, W) array of per-pixel losses, 'mean' the sum divided by their count.",
            _reduction_as("mean")),
    Mistake("reduction ignored", "reduction='mean' divides the sum by the number of non-void "
            "pixels; 'sum' does not.", _reduction_as("sum")),
    Mistake("softmax left out", "The loss of a pixel is -log softmax(z)[y], not -z[y]: the "
            "logits must be normalised into log-probabilities first.", _no_log_softmax),
    Mistake("log left out", "The loss of a pixel is minus the *log* of the probability of its "
            "class: -log p_y, not -p_y.", _probabilities_not_logs),
    Mistake("minus sign left out", "The cross-entropy is minus the log-probability: log p <= 0, "
            "so the loss -log p is >= 0.", lambda a: _scalar(-np.asarray(a.expected, dtype=np.float64))),
)

# A small case to follow by hand (one 2x3 image, 3 classes, one void pixel), and one that overflows.
_CE_LOGITS = np.array([[[[2.0, 0.0, -1.0], [0.5, 1.0, 0.0]],
                        [[0.0, 1.0, 0.0], [0.5, 3.0, 2.0]],
                        [[-1.0, 0.0, 1.0], [0.0, -2.0, 0.0]]]])
_CE_TARGET = np.array([[[0, 1, 2], [255, 1, 0]]])
_BIG_LOGITS = np.array([[[[1000.0, -1000.0], [0.0, 800.0]],
                         [[0.0, 1000.0], [900.0, 0.0]]]])
_BIG_TARGET = np.array([[[1, 1], [0, 255]]])


def _ce_case(rng, hidden: bool, index: int) -> Case:
    n = int(rng.integers(2, 4)) if index % 3 else 1
    k = int(rng.integers(2, 6 if hidden else 5))
    h, w = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    if h * w < 3:
        h, w = h + 2, w + 1
    logits = quarters(rng, (n, k, h, w), low=-4, high=4)
    target = rng.integers(0, k, size=(n, h, w))
    void = rng.random((n, h, w)) < (0.3 if index % 4 else 0.0)
    void[0].flat[0] = index % 4 != 0  # most cases have void pixels, and the first image always one
    target = np.where(void, VOID_LABEL, target)
    reduction = ("mean", "mean", "sum", "none", "mean")[index % 5]
    kwargs = {} if reduction == "mean" and index % 2 else {"reduction": reduction}
    voids = int(void.sum())
    return Case((logits, target), kwargs, f"random {n}x{k}x{h}x{w} logits, {voids} void pixel"
                f"{'s' if voids != 1 else ''}, reduction={reduction!r}")


def _ce_formula(a: Args) -> list[str]:
    n, k, h, w = np.shape(a.logits)
    counted = int((np.asarray(a.target) != a.ignore_index).sum())
    if a.reduction == "none":
        return [f"reduction='none': one loss per pixel, shape (N, H, W) = {(n, h, w)}"]
    lines = [f"reduction={a.reduction!r}: a single number (a 0-d array or a float)"]
    if a.reduction == "mean":
        lines.append(f"mean over the {counted} non-void pixels of the {n * h * w}")
    return lines


register(Exercise(
    id="pixel_cross_entropy",
    reference=pixel_cross_entropy,
    signature="pixel_cross_entropy(logits, target, ignore_index=255, reduction='mean')",
    description="Per-pixel cross-entropy of (N, K, H, W) logits against (N, H, W) labels, void "
                "pixels ignored; torch.nn.functional.cross_entropy(..., ignore_index=255).",
    examples=(
        Case((_CE_LOGITS, _CE_TARGET), {}, "one 2x3 image, 3 classes, one void pixel"),
        Case((_CE_LOGITS, _CE_TARGET), {"reduction": "none"}, "the same, one loss per pixel"),
        Case((_BIG_LOGITS, _BIG_TARGET), {}, "large logits: exp(1000) overflows unless you subtract the maximum"),
        Case((_CE_LOGITS, np.full((1, 2, 3), VOID_LABEL)), {}, "every pixel void: the mean of nothing is nan"),
    ),
    random_case=_ce_case,
    counts=(12, 30),
    mistakes=CE_MISTAKES,
    formula=_ce_formula,
))


# ---------------------------------------------------------------------------------------------
# center_crop
# ---------------------------------------------------------------------------------------------


def _crop_at(a: Args, top_of, left_of):
    x = np.asarray(a.x)
    h, w = pair(a.size)
    big_h, big_w = x.shape[-2:]
    if h > big_h or w > big_w:
        return None
    top, left = top_of(big_h, h), left_of(big_w, w)
    return x[..., top:top + h, left:left + w]


def _crop_by_size(a: Args):
    x = np.asarray(a.x)
    h, w = pair(a.size)
    big_h, big_w = x.shape[-2:]
    return x[..., h:max(h, big_h - h), w:max(w, big_w - w)]  # empty when 2h >= H, as numpy slices


def _width_only(a: Args):
    x = np.asarray(a.x)
    _, w = pair(a.size)
    if w > x.shape[-1]:
        return None
    left = (x.shape[-1] - w) // 2
    return x[..., left:left + w]


CROP_MISTAKES = (
    Mistake("cropped the wrong side", "Keep the centre: cut (H - h) // 2 rows at the top and the "
            "rest at the bottom (likewise for columns). You kept the top-left corner.",
            lambda a: _crop_at(a, lambda big, small: 0, lambda big, small: 0)),
    Mistake("cropped the wrong side", "Keep the centre: cut (H - h) // 2 rows at the top and the "
            "rest at the bottom. You kept the bottom-right corner.",
            lambda a: _crop_at(a, lambda big, small: big - small, lambda big, small: big - small)),
    Mistake("off by one: the odd pixel cut on the wrong side", "When H - h is odd, the extra row "
            "is cut at the bottom (and the extra column on the right): top = (H - h) // 2, rounded "
            "down, and likewise left = (W - w) // 2.",
            lambda a: _crop_at(a, lambda big, small: (big - small + 1) // 2, lambda big, small: (big - small + 1) // 2)),
    Mistake("not cropped at all", "Return only the central (h, w) window of the last two axes: "
            "x[..., top:top + h, left:left + w].", lambda a: np.asarray(a.x)),
    Mistake("cropped by size instead of to size", "`size` is the size of the result, not the "
            "number of pixels to cut off: keep an h x w window.", _crop_by_size),
    Mistake("only the width cropped", "Crop both of the last two axes: rows (axis -2) and "
            "columns (axis -1).", _width_only),
    swapped_pairs("size"),
)


def _crop_case(rng, hidden: bool, index: int) -> Case:
    layout = index % 3
    big_h, big_w = int(rng.integers(3, 11)), int(rng.integers(3, 11))
    h, w = int(rng.integers(1, big_h + 1)), int(rng.integers(1, big_w + 1))
    if index % 2 == 0 and big_h - h < 1:  # an odd or nonzero margin most of the time
        h = max(1, big_h - 1 - 2 * int(rng.integers(0, max(1, big_h // 2))))
    lead = [(), (int(rng.integers(1, 4)),), (int(rng.integers(1, 3)), int(rng.integers(1, 4)))][layout]
    x = quarters(rng, lead + (big_h, big_w))
    if rng.random() < 0.5 or h == w:
        size = min(h, w) if h != w and index % 4 == 1 else (h, w)
        if isinstance(size, int):
            h = w = size
    else:
        size = (h, w)
    if hidden and index == 5:
        size = (big_h + 1, w)  # larger than the input: must be refused
    shape = "x".join(map(str, x.shape))
    return Case((x, size), {}, f"random {shape} input, size={size}")


def _crop_formula(a: Args) -> list[str]:
    x_shape = np.shape(a.x)
    h, w = pair(a.size)
    big_h, big_w = x_shape[-2:]
    return [
        f"top = (H - h) // 2 = ({big_h} - {h}) // 2 = {(big_h - h) // 2}, "
        f"left = (W - w) // 2 = ({big_w} - {w}) // 2 = {(big_w - w) // 2}",
        f"expected shape (..., h, w) = {x_shape[:-2] + (h, w)}",
    ]


_CROP_EXAMPLE = np.arange(25).reshape(5, 5)

register(Exercise(
    id="center_crop",
    reference=center_crop,
    signature="center_crop(x, size)",
    description="The central (h, w) window of the last two axes of x (the extra pixel of an odd "
                "margin cut at the bottom / right); a ValueError if size exceeds (H, W).",
    examples=(
        Case((_CROP_EXAMPLE, 3), {}, "a 5x5 grid cropped to its central 3x3"),
        Case((np.arange(48).reshape(1, 6, 8), (3, 4)), {}, "odd margins: 3 rows and 4 columns to cut"),
        Case((np.arange(16).reshape(4, 4), 5), {}, "size larger than the input: a ValueError"),
    ),
    random_case=_crop_case,
    counts=(10, 30),
    mistakes=CROP_MISTAKES,
    formula=_crop_formula,
))


# ---------------------------------------------------------------------------------------------
# unet_shape_trace
# ---------------------------------------------------------------------------------------------


def _trace_table(input_size, depth=4, padding="valid", base_channels=64, in_channels=1, num_classes=2):
    """`unet_shape_trace` as an int array of (channels, height, width), one row per stage."""
    stages = unet_shape_trace(input_size, depth, padding, base_channels, in_channels, num_classes)
    return np.array([[s.channels, s.height, s.width] for s in stages], dtype=np.int64)


def _as_table(value):
    """A student's list of stages as the (stages, 3) int array the judge compares; else unchanged."""
    if isinstance(value, np.ndarray) or not isinstance(value, (list, tuple)) or not value:
        return value
    rows = []
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) not in (3, 4):
            return [tuple(i) if isinstance(i, tuple) else i for i in value]  # plain data for the judge
        numbers = item[-3:]
        if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in numbers):
            return [tuple(i) if isinstance(i, tuple) else i for i in value]
        rows.append([int(v) for v in numbers])
    return np.array(rows, dtype=np.int64)


def _student_trace(a: Args, bug: str, refuses: bool = False):
    """The trace with one mistake, as a student might compute it (None if it breaks down).

    With `refuses=True`, whether that student would refuse the input instead (True or False).
    """
    h0, w0 = pair(a.input_size)
    shrink = {"no shrink": 0, "shrink 1": 1}.get(bug, 2 if a.padding == "valid" else 0)
    rows = []

    def width(level):  # channels of encoder/decoder level `level` (from 1)
        return a.base_channels if bug == "channels not doubled" else a.base_channels * 2 ** (level - 1)

    sizes = [h0, w0]
    rows.append([a.in_channels, *sizes])
    skips = {}
    for level in range(1, a.depth + 1):
        for _ in range(2):
            sizes = [s - shrink for s in sizes]
            rows.append([width(level), *sizes])
        skips[level] = list(sizes)
        if min(sizes) < 1 or any(s % 2 for s in sizes):
            return True if refuses else None
        sizes = [s // 2 for s in sizes]
        rows.append([width(level), *sizes])
    bottom = width(a.depth) * (1 if bug == "channels not doubled" else 2)
    for _ in range(2):
        sizes = [s - shrink for s in sizes]
        rows.append([bottom, *sizes])
    below = bottom
    for level in range(a.depth, 0, -1):
        if bug != "size not doubled":
            sizes = [2 * s for s in sizes]
        up = below if bug == "up keeps channels" else width(level)
        rows.append([up, *sizes])
        concat = {"concat adds nothing": up}.get(bug, up + width(level))
        if bug == "concat keeps encoder size":
            sizes = list(skips[level])
        rows.append([concat, *sizes])
        for _ in range(2):
            sizes = [s - shrink for s in sizes]
            rows.append([width(level), *sizes])
        below = width(level)
        if min(sizes) < 1:
            return True if refuses else None
    if refuses:
        return min(sizes) < 1
    rows.append([a.base_channels if bug == "num_classes ignored" else a.num_classes, *sizes])
    return np.array(rows, dtype=np.int64)


_TRACE_BUGS = (
    ("no shrink", "no 2-pixel loss per valid convolution", "With padding='valid' a 3x3 convolution "
     "has no padding, so it fits H - 2 times along the height: every convolution trims one pixel "
     "on each side (572 -> 570 -> 568)."),
    ("shrink 1", "1 pixel lost per valid convolution instead of 2", "A 3x3 window without padding "
     "loses one pixel on *each* side: H_out = H - 3 + 1 = H - 2."),
    ("channels not doubled", "channels not doubled", "Every level down doubles the channels (64, "
     "128, 256, 512, 1024 in the paper): level l (from 1) has base_channels * 2**(l - 1)."),
    ("up keeps channels", "up-convolution does not halve the channels", "The 2x2 up-convolution "
     "halves the channels (1024 -> 512 in the paper) before the concatenation doubles them again."),
    ("concat adds nothing", "concatenation does not add channels", "Concatenating the cropped "
     "encoder map stacks its channels onto the up-sampled ones: 512 + 512 = 1024 in the paper's "
     "deepest level."),
    ("size not doubled", "up-convolution does not double the size", "The 2x2 up-convolution with "
     "stride 2 doubles height and width (28 -> 56 in the paper)."),
    ("concat keeps encoder size", "encoder size kept after the concatenation", "The encoder map is "
     "cropped to the up-sampled map's size before the concatenation, so the concatenated map has "
     "the decoder's size (56, not 64, in the paper's deepest level)."),
    ("num_classes ignored", "num_classes ignored", "The final 1x1 convolution maps the channels to "
     "num_classes scores per pixel."),
)


def _trace_variant(bug: str):
    return lambda a: _student_trace(a, bug)


TRACE_MISTAKES = tuple(Mistake(name, hint, _trace_variant(bug)) for bug, name, hint in _TRACE_BUGS)


def _valid_size(rng, depth: int, padding: str) -> int:
    """A random valid input size (the smallest valid size at or above a random start)."""
    from ..unet import nearest_valid_input_size

    start = int(rng.integers(2**depth, 2**depth * 8 + (8 * 2**depth if padding == "valid" else 0)))
    return nearest_valid_input_size(start, depth, padding)


def _trace_case(rng, hidden: bool, index: int) -> Case:
    depth = int(rng.integers(1, 5 if hidden else 4)) if index % 4 else 4 - int(hidden and index % 8 == 0)
    padding = "same" if index % 3 == 2 else "valid"
    h = _valid_size(rng, depth, padding)
    w = h if index % 2 else _valid_size(rng, depth, padding)
    size = h if h == w and index % 4 != 1 else (h, w)
    if index % 7 == 6:  # an odd size is never valid: it must be refused with a ValueError
        size = h + 1
    kwargs = {"depth": depth}
    if padding != "valid":
        kwargs["padding"] = padding
    kwargs["base_channels"] = int(pick(rng, (1, 2, 4, 8, 16, 64)))
    if index % 2:
        kwargs["in_channels"] = int(rng.integers(1, 4))
    if index % 3 == 1:
        kwargs["num_classes"] = int(rng.integers(2, 6))
    settings = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return Case((size,), kwargs, f"input_size={size}, {settings}")


def _trace_formula(a: Args) -> list[str]:
    try:
        stages = unet_shape_trace(a.input_size, a.depth, a.padding, a.base_channels, a.in_channels,
                                  a.num_classes)
    except ValueError:
        return []
    lines = [f"{len(stages)} stages (one row each: channels, height, width):"]
    lines += [f"  {i:2d} {s.name:<17} {s.channels:>5} x {s.height} x {s.width}" for i, s in enumerate(stages)]
    return lines


class _TraceExercise(Exercise):
    """`unet_shape_trace`: the student's list of stages is compared as an int array."""

    def student_callable(self, fn):
        def student(*args, **kwargs):
            return _as_table(fn(*args, **kwargs))

        student.__name__ = getattr(fn, "__name__", "unet_shape_trace")
        return student

    def judge(self, case, received):
        """The usual verdict, plus the name of the first wrong stage, or the mistakes that would
        make the student refuse a valid input."""
        verdict = super().judge(case, received)
        value = getattr(received, "value", received)
        error = getattr(received, "error", None)
        if verdict.passed:
            return verdict
        a = self.bind(case)
        try:
            expected = a.expected
        except ValueError:
            return verdict
        if error is not None and error[0] == "ValueError":
            return _refusal_verdict(a, verdict)
        if error is None and value is not None and not isinstance(value, np.ndarray):
            return Verdict(False, "Wrong type: expected a list with one Stage(name, channels, height, "
                           "width) per feature map (plain (name, channels, height, width) tuples "
                           f"work too), got {short_value(value)}.", ("wrong type",))
        if not isinstance(value, np.ndarray):
            return verdict
        wrong = np.argwhere(np.any(value != expected, axis=1)) if value.shape == expected.shape else []
        if len(wrong) == 0:
            return verdict
        row = int(wrong[0, 0])
        stage = unet_shape_trace(a.input_size, a.depth, a.padding, a.base_channels, a.in_channels,
                                 a.num_classes)[row]
        note = (f"Row {row} is stage {stage.name!r}: expected (channels, height, width) = "
                f"{tuple(int(v) for v in expected[row])}, got {tuple(int(v) for v in value[row])}.")
        return Verdict(False, f"{verdict.message}\n\n{note}", verdict.mistakes)


def _refusal_verdict(a: Args, verdict: Verdict) -> Verdict:
    """Name the mistakes with which a student refuses this valid input, as the student did."""
    named = [(name, hint) for bug, name, hint in _TRACE_BUGS
             if bug in ("no shrink", "shrink 1", "size not doubled", "concat keeps encoder size")
             and _student_trace(a, bug, refuses=True)]
    if not named:
        return verdict
    text = (f"Recognised mistake: {named[0][0]} (with it, this valid input would meet an odd size "
            f"at a pooling or vanish, so it would be refused, as yours was).\n{named[0][1]}")
    if len(named) > 1:
        text += f" (Or: {'; '.join(name for name, _ in named[1:])}.)"
    return Verdict(False, f"{verdict.message}\n\n{text}", verdict.mistakes + tuple(n for n, _ in named))


register(_TraceExercise(
    id="unet_shape_trace",
    reference=_trace_table,
    signature="unet_shape_trace(input_size, depth=4, padding='valid', base_channels=64, in_channels=1, num_classes=2)",
    description="Every feature map's (channels, height, width) in a U-Net, from input to output, "
                "by arithmetic alone, with a ValueError for invalid input sizes.",
    examples=(
        Case((572,), {}, "the paper's network: 572x572 in, 388x388 out"),
        Case((32,), {"depth": 3, "padding": "same", "base_channels": 8}, "the notebook's small U-Net"),
        Case((570,), {}, "570 is not a valid size (a pooling would meet 566 / 2 = 283, then 279): a ValueError"),
    ),
    random_case=_trace_case,
    counts=(12, 30),
    mistakes=TRACE_MISTAKES,
    formula=_trace_formula,
))


# ---------------------------------------------------------------------------------------------
# Modules: double_conv and up_block
# ---------------------------------------------------------------------------------------------


def _fill(module) -> None:
    """Set every parameter to seeded values that depend only on its shape."""
    torch = _torch()
    with torch.no_grad():
        for parameter in module.parameters():
            shape = tuple(parameter.shape)
            rng = np.random.default_rng(zlib.crc32(repr(shape).encode()))
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 0
            scale = np.sqrt(3.0 / fan_in) if fan_in else 0.1
            values = rng.uniform(-scale, scale, size=shape)
            parameter.copy_(torch.from_numpy(values).to(parameter.dtype))


def _probe(module, *inputs):
    """(number of parameters, output) of a module with `_fill`ed weights, in float64.

    Runs on one torch thread: these modules are tiny, and on a busy machine more threads only
    wait for each other.
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        return module  # the judge reports what came instead of a module
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        module = module.double().eval()
        _fill(module)
        count = int(sum(p.numel() for p in module.parameters()))
        with torch.no_grad():
            out = module(*(torch.from_numpy(np.array(x, dtype=np.float64)) for x in inputs))
    finally:
        torch.set_num_threads(threads)
    if isinstance(out, torch.Tensor):
        out = out.detach().numpy()
    return count, out


class _ModuleExercise(Exercise):
    """An exercise whose student writes a torch module class, built from the case's first three
    arguments and run on the rest (see the module docstring)."""

    def judge(self, case, received):
        """The usual verdict, or a plain word when the student's class made no torch module."""
        value = getattr(received, "value", received)
        if getattr(received, "error", None) is None and isinstance(value, Opaque):
            name = {"double_conv": "DoubleConv", "up_block": "UpBlock"}.get(self.id, self.id)
            return Verdict(False, f"Not a torch module: {name}{tuple(case.args[:3])} made {value.text} "
                           f"(of type {value.type_name}). Write `class {name}(nn.Module):` and call "
                           f"`super().__init__()` first in `__init__`.", ("not a module",))
        return super().judge(case, received)

    def student_callable(self, fn):
        torch = _torch()
        build_count = 3

        def binds(count: int) -> bool:
            try:
                inspect.signature(fn).bind(*range(count))
            except (TypeError, ValueError):
                return False
            return True

        def student(*args):
            built_args, inputs = args[:build_count], args[build_count:]
            if inspect.isclass(fn) or not binds(len(args)):  # the student's class (or builder)
                return _probe(fn(*built_args), *inputs)
            if binds(build_count):  # a wrapper that takes anything: see whether it builds a module
                built = fn(*built_args)
                if isinstance(built, torch.nn.Module):
                    return _probe(built, *inputs)
            return fn(*args)  # a function of the whole case, such as the reference

        student.__name__ = getattr(fn, "__name__", self.id)
        return student


def _conv_block(in_channels, out_channels, padding, relu=(True, True), bias=True, convs=2):
    nn = _torch().nn
    pad = 0 if padding == "valid" else 1
    layers = []
    channels = in_channels
    for index in range(convs):
        layers.append(nn.Conv2d(channels, out_channels, 3, padding=pad, bias=bias))
        if relu[index]:
            layers.append(nn.ReLU())
        channels = out_channels
    return nn.Sequential(*layers)


def _double_conv_reference(in_channels, out_channels, padding, x):
    from ..unet import ConvBlock

    return _probe(ConvBlock(in_channels, out_channels, padding), x)


def _double_conv_variant(**options):
    def variant(a: Args):
        return _probe(_conv_block(a.in_channels, a.out_channels, **{"padding": a.padding, **options}), a.x)

    return variant


def _other_padding(a: Args):
    other = "same" if a.padding == "valid" else "valid"
    if other == "valid" and min(np.shape(a.x)[-2:]) < 5:
        return None
    return _probe(_conv_block(a.in_channels, a.out_channels, other), a.x)


_RELU_HINT = ("Each of the two 3x3 convolutions is followed by a ReLU (the paper: \"two 3x3 "
              "convolutions, each followed by a ReLU\"); without it the two convolutions collapse "
              "into one linear map.")

DOUBLE_CONV_MISTAKES = (
    Mistake("ReLU missing", _RELU_HINT + " Your block leaves out the last ReLU.",
            _double_conv_variant(relu=(True, False))),
    Mistake("ReLU missing", _RELU_HINT + " Your block leaves out the first ReLU.",
            _double_conv_variant(relu=(False, True))),
    Mistake("ReLU missing", _RELU_HINT, _double_conv_variant(relu=(False, False))),
    Mistake("padding ignored", "padding='valid' means no padding (each convolution trims a "
            "pixel on every side: H - 4 after the block); padding='same' means padding=1 "
            "(the size is kept).", _other_padding),
    Mistake("one convolution instead of two", "The block has two 3x3 convolutions: in_channels -> "
            "out_channels, then out_channels -> out_channels.", _double_conv_variant(convs=1)),
    Mistake("bias left out", "nn.Conv2d has a bias by default (bias=True), as in the paper; the "
            "parameter count includes one bias per output channel.", _double_conv_variant(bias=False)),
)


def _double_conv_case(rng, hidden: bool, index: int) -> Case:
    padding = "same" if index % 2 else "valid"
    c_in, c_out = int(rng.integers(1, 5)), int(rng.integers(1, 7 if hidden else 5))
    low = 5 if padding == "valid" else 2
    n = int(rng.integers(1, 3))
    x = quarters(rng, (n, c_in, int(rng.integers(low, low + 6)), int(rng.integers(low, low + 6))))
    return Case((c_in, c_out, padding, x), {},
                f"DoubleConv({c_in}, {c_out}, padding={padding!r}) on x of shape {x.shape}")


def _double_conv_formula(a: Args) -> list[str]:
    c_in, c_out = a.in_channels, a.out_channels
    n, _, h, w = np.shape(a.x)
    first, second = 9 * c_in * c_out + c_out, 9 * c_out * c_out + c_out
    shrink = 4 if a.padding == "valid" else 0
    return [
        f"parameters = (3*3*C_in*C_out + C_out) + (3*3*C_out*C_out + C_out) = {first} + {second} = {first + second}",
        f"output shape (N, C_out, H{' - 4' if shrink else ''}, W{' - 4' if shrink else ''}) = "
        f"{(n, c_out, h - shrink, w - shrink)}"
        + (" (each valid 3x3 convolution trims 2)" if shrink else " (padding 1 keeps the size)"),
    ]


register(_ModuleExercise(
    id="double_conv",
    reference=_double_conv_reference,
    signature="double_conv(in_channels, out_channels, padding, x)",
    description="DoubleConv(in_channels, out_channels, padding): two 3x3 convolutions, each "
                "followed by a ReLU; checked by its parameter count and its output on x.",
    examples=(
        Case((1, 4, "valid", quarters(np.random.default_rng(572), (1, 1, 8, 8))), {},
             "DoubleConv(1, 4, padding='valid') on an 8x8 image: 8 -> 6 -> 4"),
        Case((2, 3, "same", quarters(np.random.default_rng(388), (2, 2, 5, 6))), {},
             "DoubleConv(2, 3, padding='same') keeps the size"),
    ),
    random_case=_double_conv_case,
    counts=(8, 20),
    mistakes=DOUBLE_CONV_MISTAKES,
    formula=_double_conv_formula,
    output_names=("parameters", "output"),
))


def _up_block_with(in_channels, out_channels, padding, bug):
    """A student-like up block with one mistake (`bug`), as a torch module."""
    torch = _torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            up_out = in_channels if bug == "up keeps channels" else out_channels
            if bug == "bilinear":
                self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                                        nn.Conv2d(in_channels, out_channels, 1))
            else:
                self.up = nn.ConvTranspose2d(in_channels, up_out, 2, stride=2)
            self.conv = _conv_block(up_out + out_channels, out_channels, padding,
                                    relu=(True, bug != "no relu"))

        def forward(self, x, bridge):
            x = self.up(x)
            h, w = x.shape[-2:]
            if bug == "crop top-left":
                bridge = bridge[..., :h, :w]
            elif bug == "crop odd side":
                top, left = -(-(bridge.shape[-2] - h) // 2), -(-(bridge.shape[-1] - w) // 2)
                bridge = bridge[..., top:top + h, left:left + w]
            else:
                bridge = center_crop(bridge, (h, w))
            parts = [x, bridge] if bug == "order swapped" else [bridge, x]
            return self.conv(torch.cat(parts, dim=1))

    return Block()


def _up_block_reference(in_channels, out_channels, padding, x, bridge):
    from ..unet import UpBlock

    return _probe(UpBlock(in_channels, out_channels, padding), x, bridge)


def _up_variant(bug: str):
    def variant(a: Args):
        if bug in ("crop top-left", "crop odd side"):
            h, w = 2 * np.shape(a.x)[-2], 2 * np.shape(a.x)[-1]
            big_h, big_w = np.shape(a.bridge)[-2:]
            if (big_h, big_w) == (h, w) or (bug == "crop odd side" and (big_h - h) % 2 == 0 and (big_w - w) % 2 == 0):
                return None
        return _probe(_up_block_with(a.in_channels, a.out_channels, a.padding, bug), a.x, a.bridge)

    return variant


UP_BLOCK_MISTAKES = (
    Mistake("concatenation order swapped", "Concatenate the cropped encoder map first and the "
            "up-sampled map second, torch.cat([bridge, x], dim=1), as the exercise asks (and as the "
            "paper's figure draws it). Either order trains equally well, but the weights of the "
            "next convolution then mean different things.", _up_variant("order swapped")),
    Mistake("cropped the wrong side", "Crop the encoder map around its centre (center_crop), not "
            "from its top-left corner.", _up_variant("crop top-left")),
    Mistake("off by one: the odd pixel cut on the wrong side", "When the margin is odd, the extra "
            "row and column go at the bottom and right: top = (H - h) // 2.", _up_variant("crop odd side")),
    Mistake("up-convolution does not halve the channels", "The 2x2 up-convolution maps in_channels "
            "to out_channels (1024 -> 512 in the paper); the concatenation then gives 2 * out_channels.",
            _up_variant("up keeps channels")),
    Mistake("bilinear up-sampling instead of an up-convolution", "Use the paper's up-convolution: "
            "nn.ConvTranspose2d(in_channels, out_channels, kernel_size=2, stride=2).", _up_variant("bilinear")),
    Mistake("ReLU missing", _RELU_HINT, _up_variant("no relu")),
)


def _up_block_case(rng, hidden: bool, index: int) -> Case:
    padding = "same" if index % 3 == 2 else "valid"
    c_out = int(rng.integers(1, 4))
    c_in = 2 * c_out if index % 2 == 0 else int(rng.integers(1, 6))
    low = 3 if padding == "valid" else 1
    n = int(rng.integers(1, 3))
    h, w = int(rng.integers(low, low + 3)), int(rng.integers(low, low + 3))
    x = quarters(rng, (n, c_in, h, w))
    if padding == "valid":
        margin_h, margin_w = int(rng.integers(0, 5)), int(rng.integers(0, 5))
        if index % 4 == 1:
            margin_h |= 1  # an odd margin
    else:
        margin_h = margin_w = 0
    bridge = quarters(rng, (n, c_out, 2 * h + margin_h, 2 * w + margin_w))
    return Case((c_in, c_out, padding, x, bridge), {},
                f"UpBlock({c_in}, {c_out}, padding={padding!r}) on x of shape {x.shape} and bridge "
                f"of shape {bridge.shape}")


def _up_block_formula(a: Args) -> list[str]:
    c_in, c_out = a.in_channels, a.out_channels
    n, _, h, w = np.shape(a.x)
    up = 4 * c_in * c_out + c_out
    first, second = 9 * 2 * c_out * c_out + c_out, 9 * c_out * c_out + c_out
    shrink = 4 if a.padding == "valid" else 0
    return [
        f"parameters = up-conv (2*2*C_in*C_out + C_out) + conv1 (3*3*2C_out*C_out + C_out) + conv2 "
        f"(3*3*C_out*C_out + C_out) = {up} + {first} + {second} = {up + first + second}",
        f"up-conv: (h, w) = ({h}, {w}) -> ({2 * h}, {2 * w}); bridge cropped to it; concatenated: 2*C_out = {2 * c_out} channels",
        f"output shape (N, C_out, 2h{' - 4' if shrink else ''}, 2w{' - 4' if shrink else ''}) = "
        f"{(n, c_out, 2 * h - shrink, 2 * w - shrink)}",
    ]


register(_ModuleExercise(
    id="up_block",
    reference=_up_block_reference,
    signature="up_block(in_channels, out_channels, padding, x, bridge)",
    description="UpBlock(in_channels, out_channels, padding): 2x2 up-convolution, centre-cropped "
                "skip concatenated first, then DoubleConv; checked by its parameter count and output.",
    examples=(
        Case((4, 2, "valid", quarters(np.random.default_rng(56), (1, 4, 4, 4)),
              quarters(np.random.default_rng(64), (1, 2, 12, 12))), {},
             "UpBlock(4, 2, padding='valid'): x 4x4 -> 8x8, bridge 12x12 cropped to 8x8, output 4x4"),
        Case((4, 2, "same", quarters(np.random.default_rng(28), (1, 4, 3, 3)),
              quarters(np.random.default_rng(30), (1, 2, 6, 6))), {},
             "UpBlock(4, 2, padding='same'): nothing to crop, output 6x6"),
    ),
    random_case=_up_block_case,
    counts=(8, 20),
    mistakes=UP_BLOCK_MISTAKES,
    formula=_up_block_formula,
    output_names=("parameters", "output"),
))
