"""Exercises on convolution: corr2d, conv2d_basic, conv2d, pad2d, conv_output_size, receptive_field.

Each exercise is one `Exercise` entry: its reference, signature, the lectures' worked examples,
a generator of random cases, the formula of its output size, and its mistake variants.
"""

from __future__ import annotations

import numpy as np

from ..convolution import conv2d, conv_output_size, corr2d, pad2d, receptive_field
from .cases import (
    BINARY_IMAGE,
    MATRIX_IMAGE,
    MATRIX_KERNEL,
    ONE_BY_ONE_IMAGE,
    X_KERNEL,
    block_image,
    int_or_pair,
    pick,
    quarters,
)
from .core import Args, Case, Exercise, Mistake, register
from .mistakes import ignored, one_short, pair, swapped_pairs

__all__ = ["conv_shape_lines"]

# ---------------------------------------------------------------------------------------------
# Output-size formulas, written out with the case's numbers
# ---------------------------------------------------------------------------------------------


def _conv_size_line(axis: str, n: int, k: int, s: int, p: int, d: int) -> str:
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return (
        f"{axis}_out = floor(({axis} + 2p - d(k-1) - 1)/s) + 1 "
        f"= floor(({n} + 2*{p} - {d}*({k}-1) - 1)/{s}) + 1 = {out}"
    )


def conv_shape_lines(height, width, kernel, stride=1, padding=0, dilation=1, lead=()) -> list[str]:
    """The output-size formula of a convolution or pooling, once per axis, with the numbers.

    `lead` holds the leading output axes as ``(name, size)`` pairs, e.g. ``(("N", 2), ("C_out", 4))``.
    """
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(kernel), pair(stride), pair(padding), pair(dilation)
    h_out = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    names = ", ".join([name for name, _ in lead] + ["H_out", "W_out"])
    sizes = tuple(size for _, size in lead) + (h_out, w_out)
    return [
        _conv_size_line("H", height, kh, sh, ph, dh),
        _conv_size_line("W", width, kw, sw, pw, dw),
        f"expected shape ({names}) = {sizes}",
    ]


def _corr2d_formula(a: Args) -> list[str]:
    (h, w), (kh, kw) = np.shape(a.x), np.shape(a.k)
    return [
        f"H_out = H - kH + 1 = {h} - {kh} + 1 = {h - kh + 1}",
        f"W_out = W - kW + 1 = {w} - {kw} + 1 = {w - kw + 1}",
    ]


def _conv2d_formula(a: Args) -> list[str]:
    n, _, h, w = np.shape(a.x)
    c_out, _, kh, kw = np.shape(a.weight)
    return conv_shape_lines(
        h, w, (kh, kw), getattr(a, "stride", 1), getattr(a, "padding", 0), getattr(a, "dilation", 1),
        lead=(("N", n), ("C_out", c_out)),
    )


# ---------------------------------------------------------------------------------------------
# Mistakes of the convolutions
# ---------------------------------------------------------------------------------------------

FLIP_HINT = (
    "You flipped the kernel (rotated it by 180 degrees): that is convolution in the "
    "mathematical sense. What deep learning calls convolution is cross-correlation, without the "
    "flip: out[i, j] = sum over u, v of x[i + u, j + v] * k[u, v]."
)
ONE_SIDE_HINT = (
    "Padding p puts p rows of zeros at the top AND at the bottom, and p columns at the left AND "
    "at the right: the padded input is (H + 2p) x (W + 2p), with x at [p:p + H, p:p + W]."
)
CHANNEL_HINT = (
    "Each filter spans all input channels: out[n, o] = bias[o] + sum over c of corr2d(x[n, c], "
    "weight[o, c]). Accumulate over c with += (a plain = keeps only the last channel)."
)


def _flip(name: str) -> Mistake:
    return Mistake(
        "kernel flipped",
        FLIP_HINT,
        lambda a: a.call(**{name: np.asarray(getattr(a, name))[..., ::-1, ::-1]}),
    )


def _bias_twice(a: Args):
    c_in = np.shape(a.x)[1]
    if a.bias is None or c_in == 1:
        return None
    return a.expected + (c_in - 1) * np.asarray(a.bias)[:, None, None]


def _channels_last_only(a: Args):
    x, weight = np.asarray(a.x), np.asarray(a.weight)
    return None if x.shape[1] == 1 else a.call(x=x[:, -1:], weight=weight[:, -1:])


def _channels_first_only(a: Args):
    x, weight = np.asarray(a.x), np.asarray(a.weight)
    return None if x.shape[1] == 1 else a.call(x=x[:, :1], weight=weight[:, :1])


def _channels_averaged(a: Args):
    c_in = np.shape(a.x)[1]
    if c_in == 1:
        return None
    bias = 0.0 if a.bias is None else np.asarray(a.bias)[:, None, None]
    return (a.expected - bias) / c_in + bias


def _weight_axes_swapped(a: Args):
    weight = np.asarray(a.weight)
    if weight.shape[0] == weight.shape[1]:
        return a.call(weight=weight.transpose(1, 0, 2, 3))
    return None


def _first_image_only(a: Args):
    x = np.asarray(a.x)
    return None if x.shape[0] == 1 else a.call(x=x[:1])


MULTI_CHANNEL_MISTAKES = (
    _flip("weight"),
    Mistake("bias ignored", "The bias is missing: add bias[o] to every pixel of output channel o "
            "(once, after summing over the input channels).",
            lambda a: None if a.bias is None else a.call(bias=None)),
    Mistake("bias added once per input channel", "The bias was added inside the loop over input "
            "channels, so it counts C_in times. Add bias[o] once, after the sum over channels.",
            _bias_twice),
    Mistake("channels not summed", CHANNEL_HINT + " Your output is that of the last channel alone.",
            _channels_last_only),
    Mistake("channels not summed", CHANNEL_HINT + " Your output is that of the first channel alone.",
            _channels_first_only),
    Mistake("channels not summed", CHANNEL_HINT + " You averaged over the channels instead of summing.",
            _channels_averaged),
    Mistake("weight axes swapped", "weight has shape (C_out, C_in, kH, kW): weight[o, c] is the "
            "kernel that filter o applies to input channel c. You used weight[c, o].",
            _weight_axes_swapped),
    Mistake("only the first image of the batch", "x holds a batch of N images (axis 0); compute the "
            "output for every one of them: out[n] for n in range(N).", _first_image_only),
)


def _padded_unevenly(before: str, after: str):
    """A variant padding `before` * p at the start and `after` * p at the end of each axis."""

    def variant(a: Args):
        (ph, pw) = pair(a.padding)
        if ph == pw == 0:
            return None
        factors = {"0": 0, "1": 1, "2": 2}
        widths = ((0, 0), (0, 0), (factors[before] * ph, factors[after] * ph),
                  (factors[before] * pw, factors[after] * pw))
        return a.call(x=np.pad(np.asarray(a.x), widths), padding=0)

    return variant


def _conv_ceil(a: Args):
    """Output sizes rounded up: the last window may run past the padded input (zeros there)."""
    (sh, sw), (ph, pw) = pair(a.stride), pair(a.padding)
    if sh == sw == 1:
        return None
    widths = ((0, 0), (0, 0), (ph, ph + sh - 1), (pw, pw + sw - 1))
    return a.call(x=np.pad(np.asarray(a.x), widths), padding=0)


def _dilation_off_by_one(a: Args):
    (dh, dw) = pair(a.dilation)
    return a.call(dilation=(dh + 1, dw + 1))


CONV2D_MISTAKES = MULTI_CHANNEL_MISTAKES + (
    ignored("stride", 1, "The window must move by `stride` pixels: output (i, j) reads the padded "
            "input from row i*s_h and column j*s_w, and there are floor((H + 2p - d(k-1) - 1)/s) + 1 "
            "output rows."),
    ignored("padding", 0, "Pad x with `padding` zeros on every side before sliding the window "
            "(np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w))))."),
    ignored("dilation", 1, "With dilation d the kernel's taps are d pixels apart: tap (u, v) reads "
            "the padded input at (i*s + u*d, j*s + v*d), and the kernel spans d(k-1) + 1 pixels."),
    Mistake("dilation off by one", "Dilation d leaves d - 1 pixels between neighbouring taps "
            "(dilation 1 is an ordinary kernel): tap u sits at u*d, not u*(d + 1).", _dilation_off_by_one),
    Mistake("padding on one side only", ONE_SIDE_HINT + " You padded only the top and the left.",
            _padded_unevenly("1", "0")),
    Mistake("padding on one side only", ONE_SIDE_HINT + " You padded only the bottom and the right.",
            _padded_unevenly("0", "1")),
    Mistake("padding on one side only", ONE_SIDE_HINT + " You put all 2p rows and columns at the "
            "bottom and the right.", _padded_unevenly("0", "2")),
    Mistake("off by one in the output size", "You rounded the output size up (ceil) instead of "
            "down: a window that runs past the end of the padded input is not computed, so "
            "H_out = floor((H + 2p - d(k-1) - 1)/s) + 1.", _conv_ceil),
    one_short(),
    swapped_pairs("stride", "padding", "dilation"),
)


# ---------------------------------------------------------------------------------------------
# corr2d
# ---------------------------------------------------------------------------------------------


def _corr2d_case(rng: np.random.Generator, hidden: bool, index: int) -> Case:
    high_h, high_w, high_k = (8, 9, 4) if hidden else (6, 7, 3)
    height = int(rng.integers(2 if hidden else 3, high_h + 1))
    width = int(rng.integers(2 if hidden else 3, high_w + 1))
    shape = index % 3  # 0: square kernel, 1: any kernel, 2: a kernel as tall or wide as the image
    kh = int(rng.integers(1, min(high_k, height) + 1))
    kw = kh if shape == 0 and kh <= width else int(rng.integers(1, min(high_k, width) + 1))
    if shape == 2:
        if rng.random() < 0.5:
            kh = height if height <= high_k + 1 else kh
        else:
            kw = width if width <= high_k + 1 else kw
    dtype = np.float32 if hidden and index % 5 == 4 else np.float64
    x = quarters(rng, (height, width), dtype=dtype)
    k = quarters(rng, (kh, kw), nonzero=True, dtype=dtype)
    note = ", float32" if dtype == np.float32 else ""
    return Case((x, k), {}, f"random {height}x{width} image, {kh}x{kw} kernel{note}")


def _input_sized(a: Args):
    """The output as large as the input, the valid part in its top-left corner."""
    expected = a.expected
    x = np.asarray(a.x)
    if expected.shape == x.shape:
        return None
    out = np.zeros(x.shape, dtype=expected.dtype)
    out[: expected.shape[0], : expected.shape[1]] = expected
    return out


register(Exercise(
    id="corr2d",
    reference=corr2d,
    signature="corr2d(x, k)",
    description="Valid 2-D cross-correlation of one (H, W) image with one (kH, kW) kernel.",
    examples=(
        Case((BINARY_IMAGE, X_KERNEL), {}, "the lecture's 5x5 binary image and X-shaped 3x3 kernel"),
        Case((MATRIX_IMAGE, MATRIX_KERNEL), {}, "the 3x3 image and 2x2 kernel of the convolution-as-a-matrix slide"),
        Case((block_image(), np.full((3, 3), 1 / 9)), {}, "the mean filter on lecture 001's 10x10 block image"),
        Case((BINARY_IMAGE, np.full((3, 3), 1 / 9)), {}, "a 3x3 mean filter on the 5x5 binary image: integer input, fractional output"),
    ),
    random_case=_corr2d_case,
    counts=(10, 30),
    formula=_corr2d_formula,
    mistakes=(
        _flip("k"),
        Mistake("H and W swapped", "You used the kernel transposed (k[v, u] instead of k[u, v]): "
                "the first index of k moves down the rows, like the first index of x.",
                lambda a: a.call(k=np.asarray(a.k).T)),
        Mistake("output the size of the input", "A valid cross-correlation has (H - kH + 1) x "
                "(W - kW + 1) outputs: the kernel must fit inside the image. Make the output that "
                "size instead of x's.", _input_sized),
        one_short(),
    ),
))


# ---------------------------------------------------------------------------------------------
# conv2d_basic and conv2d
# ---------------------------------------------------------------------------------------------


def _conv_case(rng, hidden: bool, *, stride=1, padding=0, dilation=1, with_bias: bool, note: str = "") -> Case:
    """A random batch and filters that fit the given stride, padding and dilation."""
    high_h, high_w, high_k = (8, 9, 4) if hidden else (7, 8, 3)
    n = int(rng.integers(1, (3 if hidden else 2) + 1))
    c_in = int(rng.integers(1, 4))
    c_out = int(rng.integers(1, 4))
    (ph, pw), (dh, dw) = pair(padding), pair(dilation)
    # The dilated kernel, d(k-1) + 1 pixels, must fit in the largest padded input.
    kh = int(rng.integers(1, min(high_k, (high_h + 2 * ph - 1) // dh + 1) + 1))
    kw = int(rng.integers(1, min(high_k, (high_w + 2 * pw - 1) // dw + 1) + 1))
    low = 2 if hidden else 3
    height = int(rng.integers(max(low, dh * (kh - 1) + 1 - 2 * ph), high_h + 1))
    width = int(rng.integers(max(low, dw * (kw - 1) + 1 - 2 * pw), high_w + 1))
    dtype = np.float32 if hidden and rng.random() < 0.2 else np.float64
    x = quarters(rng, (n, c_in, height, width), dtype=dtype)
    weight = quarters(rng, (c_out, c_in, kh, kw), nonzero=True, dtype=dtype)
    args = (x, weight)
    if with_bias:
        args += (quarters(rng, (c_out,), nonzero=True, dtype=dtype),)
    kwargs = {name: value for name, value, neutral in
              (("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)) if value != neutral}
    bias_text = "with bias" if with_bias else "no bias"
    settings = ", ".join(f"{name}={value}" for name, value in kwargs.items())
    description = (f"random batch {n}x{c_in}x{height}x{width}, {c_out} filter{'s' if c_out > 1 else ''} of {kh}x{kw}, {bias_text}"
                   + (f", {settings}" if settings else "")
                   + (", float32" if dtype == np.float32 else "") + note)
    return Case(args, kwargs, description)


def _conv2d_basic_case(rng, hidden: bool, index: int) -> Case:
    return _conv_case(rng, hidden, with_bias=index % 2 == 0)


register(Exercise(
    id="conv2d_basic",
    reference=conv2d,
    signature="conv2d_basic(x, weight, bias=None)",
    description="A convolution layer with stride 1 and no padding: (N, C_in, H, W) images, "
                "(C_out, C_in, kH, kW) filters and an optional (C_out,) bias.",
    examples=(
        Case((BINARY_IMAGE[None, None], X_KERNEL[None, None]), {},
             "the lecture's 5x5 binary image as a batch of one 1-channel image, one filter"),
        Case((ONE_BY_ONE_IMAGE[None, None], np.array([[[[2]]]])), {},
             "the 1x1 convolution slide: a 1x1 kernel of 2 doubles the image"),
    ),
    random_case=_conv2d_basic_case,
    counts=(10, 30),
    formula=_conv2d_formula,
    mistakes=MULTI_CHANNEL_MISTAKES + (one_short(),),
))


# Which of stride, padding and dilation a case sets; each set one is an int or a pair at random.
_CONV2D_MIXES = (
    ("stride",), ("padding",), ("dilation",), ("stride", "padding"), ("padding", "dilation"),
    ("stride", "padding", "dilation"), ("stride", "dilation"), (),
)


def _conv2d_case(rng, hidden: bool, index: int) -> Case:
    mix = _CONV2D_MIXES[index % len(_CONV2D_MIXES)]
    high = {"stride": 3 if hidden else 2, "padding": 2, "dilation": 3 if hidden else 2}
    low = {"stride": 2, "padding": 1, "dilation": 2}
    values = {}
    for name in mix:
        as_pair_value = rng.random() < 0.5
        value = int_or_pair(rng, low[name] - (1 if as_pair_value else 0), high[name], as_pair_value)
        values[name] = value
    return _conv_case(rng, hidden, with_bias=rng.random() < 0.6, **values)


register(Exercise(
    id="conv2d",
    reference=conv2d,
    signature="conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1)",
    description="A convolution layer with stride, zero padding and dilation (each an int or an "
                "(height, width) pair).",
    examples=(
        Case((BINARY_IMAGE[None, None], X_KERNEL[None, None]), {"stride": 2},
             "the lecture's 5x5 binary image and X-shaped kernel with stride 2"),
        Case((BINARY_IMAGE[None, None], X_KERNEL[None, None]), {"padding": 1},
             "the lecture's 5x5 binary image and X-shaped kernel with zero padding 1 ('same')"),
        Case((np.arange(49).reshape(1, 1, 7, 7), np.ones((1, 1, 3, 3))), {"stride": 2},
             "N = 7, F = 3, S = 2 from the output-size slide: (7 - 3)/2 + 1 = 3"),
    ),
    random_case=_conv2d_case,
    counts=(12, 32),
    formula=_conv2d_formula,
    mistakes=CONV2D_MISTAKES,
))


# ---------------------------------------------------------------------------------------------
# pad2d
# ---------------------------------------------------------------------------------------------


def _four(padding) -> tuple[int, int, int, int]:
    """pad2d's padding as (left, right, top, bottom)."""
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        return tuple(int(v) for v in padding)
    ph, pw = pair(padding)
    return (pw, pw, ph, ph)


def _pad2d_formula(a: Args) -> list[str]:
    left, right, top, bottom = _four(a.padding)
    h, w = np.shape(a.x)[-2:]
    if isinstance(a.padding, (tuple, list)) and len(a.padding) == 4:
        meaning = f"padding={tuple(a.padding)} is (left, right, top, bottom), as in torch.nn.functional.pad"
    elif isinstance(a.padding, (tuple, list)):
        meaning = f"padding={tuple(a.padding)} is (pad_h, pad_w): top = bottom = {top}, left = right = {left}"
    else:
        meaning = f"padding={a.padding} pads all four sides by {a.padding}"
    lead = tuple(np.shape(a.x)[:-2])
    return [
        meaning,
        f"H_out = H + top + bottom = {h} + {top} + {bottom} = {h + top + bottom}",
        f"W_out = W + left + right = {w} + {left} + {right} = {w + left + right}",
        f"expected shape {lead + (h + top + bottom, w + left + right)} (only the last two axes grow)",
    ]


_PAD2D_MIXES = tuple((ndim, kind) for kind in ("int", "pair", "four") for ndim in (2, 4))


def _pad2d_case(rng, hidden: bool, index: int) -> Case:
    ndim, kind = _PAD2D_MIXES[index % len(_PAD2D_MIXES)]
    high = 3 if hidden else 2
    height, width = int(rng.integers(1, 6 if hidden else 5)), int(rng.integers(1, 7 if hidden else 6))
    lead = (int(rng.integers(1, 3)), int(rng.integers(1, 3))) if ndim == 4 else ()
    x = quarters(rng, lead + (height, width), nonzero=True)
    if kind == "int":
        padding = int(rng.integers(1, high + 1))
    elif kind == "pair":
        padding = int_or_pair(rng, 0, high, True)
    else:
        padding = (0, 0, 0, 0)
        while len(set(padding)) < 3:  # distinct enough that every misreading of the order shows
            padding = tuple(int(v) for v in rng.integers(0, high + 1, size=4))
    kwargs = {}
    if (index // len(_PAD2D_MIXES) + index) % 2 == 1:
        kwargs["value"] = float(pick(rng, (-1.5, 1.0, 2.25, -np.inf) if hidden else (-1.5, 1.0, 0.5)))
    description = f"random {'x'.join(map(str, x.shape))} array, padding={padding}"
    if kwargs:
        description += f", value={kwargs['value']}"
    return Case((x, padding), kwargs, description)


def _pad_four(a: Args, order: tuple[int, int, int, int]):
    """pad2d with the 4-tuple read in another order (a student's reading of it)."""
    if not (isinstance(a.padding, (tuple, list)) and len(a.padding) == 4):
        return None
    return a.call(padding=tuple(int(a.padding[i]) for i in order))


def _pad_sides(a: Args, before: int, after: int):
    left, right, top, bottom = _four(a.padding)
    if before == 1 and after == 0:
        amounts = (left, 0, top, 0)
    elif before == 0 and after == 1:
        amounts = (0, right, 0, bottom)
    else:
        amounts = (0, left + right, 0, top + bottom)
    return a.call(padding=amounts)


def _pad_every_axis(a: Args):
    x = np.asarray(a.x)
    padding = a.padding
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        return None
    if x.ndim == 2 and not isinstance(padding, (tuple, list)):
        return None  # np.pad(x, p) is right for a 2-D x
    with np.errstate(all="ignore"):
        return np.pad(x.astype(np.float64), padding, constant_values=a.value)


register(Exercise(
    id="pad2d",
    reference=pad2d,
    signature="pad2d(x, padding, value=0.0)",
    description="Pad the last two axes of an array with a constant: padding is an int, a pair "
                "(pad_h, pad_w) or a 4-tuple (left, right, top, bottom).",
    examples=(
        Case((BINARY_IMAGE, 1), {}, "the lecture's 5x5 binary image with a border of zeros"),
        Case((MATRIX_IMAGE[None, None], (1, 2)), {}, "a 1x1x3x3 batch padded by a pair (pad_h, pad_w) = (1, 2)"),
        Case((MATRIX_IMAGE, (0, 1, 2, 0)), {"value": -1.0}, "a 4-tuple (left, right, top, bottom) with value -1"),
    ),
    random_case=_pad2d_case,
    counts=(10, 30),
    formula=_pad2d_formula,
    mistakes=(
        Mistake("value ignored", "Fill the border with `value` (np.pad(..., constant_values=value) "
                "or np.full), not with zeros.", lambda a: None if a.value == 0 else a.call(value=0.0)),
        Mistake("4-tuple order wrong", "A 4-tuple is (left, right, top, bottom), the order of "
                "torch.nn.functional.pad: the last axis (width) comes first. You read it as "
                "(top, bottom, left, right).", lambda a: _pad_four(a, (2, 3, 0, 1))),
        Mistake("4-tuple order wrong", "A 4-tuple is (left, right, top, bottom), the order of "
                "torch.nn.functional.pad. You read it as (left, top, right, bottom).",
                lambda a: _pad_four(a, (0, 2, 1, 3))),
        Mistake("4-tuple order wrong", "A 4-tuple is (left, right, top, bottom), the order of "
                "torch.nn.functional.pad. You read it as (top, left, bottom, right).",
                lambda a: _pad_four(a, (1, 3, 0, 2))),
        Mistake("H and W swapped", "A pair is (pad_h, pad_w): pad_h rows at the top and at the "
                "bottom, pad_w columns at the left and at the right. You swapped them.",
                lambda a: a.call(padding=(a.padding[1], a.padding[0]))
                if isinstance(a.padding, (tuple, list)) and len(a.padding) == 2 else None),
        Mistake("padding on one side only", "Each side gets its own amount; you padded only the "
                "top and the left.", lambda a: _pad_sides(a, 1, 0)),
        Mistake("padding on one side only", "Each side gets its own amount; you padded only the "
                "bottom and the right.", lambda a: _pad_sides(a, 0, 1)),
        Mistake("padding on one side only", "Each side gets its own amount; you put the whole "
                "padding at the bottom and the right.", lambda a: _pad_sides(a, 0, 2)),
        Mistake("padded every axis", "np.pad(x, p) pads every axis, including the batch and channel "
                "axes (or, given a pair (a, b), pads a before and b after every axis). Give one "
                "(before, after) pair per axis: ((0, 0), (0, 0), (top, bottom), (left, right)).",
                _pad_every_axis),
    ),
))


# ---------------------------------------------------------------------------------------------
# conv_output_size
# ---------------------------------------------------------------------------------------------


def _size_terms(a: Args):
    return a.n, a.kernel_size, a.stride, a.padding, a.dilation


def _conv_output_size_formula(a: Args) -> list[str]:
    n, k, s, p, d = _size_terms(a)
    free = n + 2 * p - d * (k - 1) - 1
    return [
        f"floor((n + 2p - d(k-1) - 1)/s) + 1 = floor(({n} + 2*{p} - {d}*({k}-1) - 1)/{s}) + 1 "
        f"= floor({free}/{s}) + 1 = {free // s + 1}"
    ]


def _size_variant(rule):
    def variant(a: Args):
        n, k, s, p, d = _size_terms(a)
        return int(rule(n, k, s, p, d))

    return variant


_SIZE_MIXES = (
    ("stride",), ("padding",), ("stride", "padding"), ("dilation",), ("exact", "stride"),
    ("stride", "padding", "dilation"), ("exact", "stride", "padding"), (),
)


def _conv_output_size_case(rng, hidden: bool, index: int) -> Case:
    mix = _SIZE_MIXES[index % len(_SIZE_MIXES)]
    k = int(rng.integers(1, 8))
    s = int(rng.integers(2, 5)) if "stride" in mix else 1
    p = int(rng.integers(1, 4)) if "padding" in mix else 0
    d = int(rng.integers(2, 4)) if "dilation" in mix else 1
    span = d * (k - 1) + 1
    high = 600 if hidden and rng.random() < 0.5 else 40
    n = int(rng.integers(max(1, span - 2 * p), max(span - 2 * p, 1) + high))
    kwargs = {name: value for name, value in (("stride", s), ("padding", p), ("dilation", d)) if name in mix}
    if "exact" in mix:
        kwargs["exact"] = True
    settings = "".join(f", {name}={value}" for name, value in kwargs.items())
    return Case((n, k), kwargs, f"n={n}, kernel_size={k}{settings}")


register(Exercise(
    id="conv_output_size",
    reference=conv_output_size,
    signature="conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, exact=False)",
    description="The number of positions a (dilated) window takes along one axis: "
                "floor((n + 2p - d(k-1) - 1)/s) + 1; with exact=True a ValueError when the "
                "division is not exact.",
    examples=(
        Case((7, 3), {}, "N = 7, F = 3, S = 1 from the output-size slide"),
        Case((7, 3), {"stride": 2}, "N = 7, F = 3, S = 2 from the output-size slide"),
        Case((7, 3), {"stride": 3}, "N = 7, F = 3, S = 3: (7 - 3)/3 + 1 = 2.33 floors to 2"),
        Case((7, 3), {"stride": 3, "exact": True}, "N = 7, F = 3, S = 3 with exact=True: 'fractions are illegal'"),
        Case((572, 3), {}, "U-Net's first 3x3 valid convolution on its 572-pixel input"),
        Case((32, 5), {"padding": 2}, "'same' padding P = (F - 1)/2 for F = 5"),
    ),
    random_case=_conv_output_size_case,
    counts=(14, 40),
    formula=_conv_output_size_formula,
    mistakes=(
        Mistake("ceil instead of floor", "A window that would run past the end of the padded "
                "input does not count: round the division down (floor, i.e. // for positive "
                "numbers).", _size_variant(lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1)),
        Mistake("rounded instead of floored", "Round the division down (//), not to the nearest "
                "integer.", _size_variant(lambda n, k, s, p, d: round((n + 2 * p - d * (k - 1) - 1) / s) + 1)),
        Mistake("forgot the + 1", "The first window sits at position 0 before any step is taken: "
                "the count is (number of steps) + 1.",
                _size_variant(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s)),
        Mistake("padding counted once", "Padding p is added on both sides: n + 2p.",
                _size_variant(lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1)),
        Mistake("dilation ignored", "A kernel of size k with dilation d spans d(k-1) + 1 pixels.",
                _size_variant(lambda n, k, s, p, d: (n + 2 * p - k) // s + 1)),
        Mistake("dilated span as d*k", "A kernel of size k with dilation d spans d(k-1) + 1 pixels "
                "(k taps with d - 1 gaps between neighbours), not d*k.",
                _size_variant(lambda n, k, s, p, d: (n + 2 * p - d * k) // s + 1)),
        Mistake("stride ignored", "Divide the distance the window travels by the stride.",
                _size_variant(lambda n, k, s, p, d: n + 2 * p - d * (k - 1))),
    ),
))


# ---------------------------------------------------------------------------------------------
# receptive_field
# ---------------------------------------------------------------------------------------------


def _layer_terms(layers):
    """(kernel, stride, dilation) per layer."""
    return [(int(l[0]), int(l[1]), int(l[2]) if len(l) == 3 else 1) for l in layers]


def _receptive_field_formula(a: Args) -> list[str]:
    terms, jump, total = [], 1, 1
    for k, s, d in _layer_terms(a.layers):
        terms.append(f"{d}*({k}-1)*{jump}")
        total += d * (k - 1) * jump
        jump *= s
    return [f"r = 1 + sum_l d_l (k_l - 1) prod_(i<l) s_i = 1 + {' + '.join(terms)} = {total}"]


def _field_rule(rule):
    def variant(a: Args):
        return int(rule(_layer_terms(a.layers)))

    return variant


def _field(layers, own_stride: bool = False, use_dilation: bool = True, minus_one: bool = True) -> int:
    field, jump = 1, 1
    for k, s, d in layers:
        if own_stride:
            jump *= s
        field += (d if use_dilation else 1) * (k - (1 if minus_one else 0)) * jump
        if not own_stride:
            jump *= s
    return field


_FIELD_MIXES = ("stride 1", "strides", "dilations", "mixed")


def _receptive_field_case(rng, hidden: bool, index: int) -> Case:
    mix = _FIELD_MIXES[index % len(_FIELD_MIXES)]
    count = int(rng.integers(1 if hidden else 2, (7 if hidden else 5) + 1))
    layers = []
    for _ in range(count):
        k = int(rng.integers(1, 8))
        s = 1 if mix == "stride 1" else int(rng.integers(1, 4))
        if mix == "dilations" or (mix == "mixed" and rng.random() < 0.5):
            layers.append((k, s, int(rng.integers(1, 4))))
        else:
            layers.append((k, s))
    if mix != "stride 1" and all(layer[1] == 1 for layer in layers[:-1]) and count > 1:
        layers[0] = (layers[0][0], 2) + tuple(layers[0][2:])
    return Case((layers,), {}, f"{count} layers, {mix}")


register(Exercise(
    id="receptive_field",
    reference=receptive_field,
    signature="receptive_field(layers)",
    description="The receptive field of one unit on top of a stack of (kernel, stride) or "
                "(kernel, stride, dilation) layers: 1 + sum_l d_l (k_l - 1) prod_(i<l) s_i.",
    examples=(
        Case(([(3, 1), (3, 1), (3, 1)],), {}, "three 3x3 layers see as much as one 7x7 layer"),
        Case(([(7, 1)],), {}, "one 7x7 layer"),
        Case(([(3, 1)] * 5,), {}, "1 + L(K - 1) for L = 5 layers of K = 3"),
    ),
    random_case=_receptive_field_case,
    counts=(11, 30),
    formula=_receptive_field_formula,
    mistakes=(
        Mistake("strides ignored", "Each stride multiplies the distance, in input pixels, between "
                "neighbouring units of the layers above it: layer l adds d_l (k_l - 1) times the "
                "product of the strides of the layers below it.",
                _field_rule(lambda layers: _field([(k, 1, d) for k, _, d in layers]))),
        Mistake("own stride counted", "A layer's own stride spaces the units of the layers above "
                "it, not its own window: multiply by the strides of the layers below (i < l) only.",
                _field_rule(lambda layers: _field(layers, own_stride=True))),
        Mistake("layers in the wrong order", "layers go from the input upwards: the first layer's "
                "stride affects all the later ones.",
                _field_rule(lambda layers: _field(layers[::-1]))),
        Mistake("dilation ignored", "A dilated kernel of size k spans d(k - 1) + 1 pixels: it "
                "adds d(k - 1), not k - 1.",
                _field_rule(lambda layers: _field(layers, use_dilation=False))),
        Mistake("(k - 1) written as k", "Each layer widens the field by d(k - 1) (times the jump), "
                "not d*k: a 1x1 kernel adds nothing.",
                _field_rule(lambda layers: _field(layers, minus_one=False))),
    ),
))
