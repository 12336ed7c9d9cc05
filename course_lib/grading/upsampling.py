"""Exercises on upsampling: nearest neighbour, bed of nails, bilinear, and transposed convolution.

Six exercises: `upsample_nearest`, `bed_of_nails`, `upsample_bilinear` (both corner
conventions), `conv_transpose2d` (stride, padding, output_padding; no dilation or groups),
`conv_matrix` (a convolution as a matrix) and `conv_transpose2d_zero_insertion` (the same
transposed convolution as an ordinary convolution of a zero-interleaved input).

The lectures' worked examples come first in every set. The transposed convolutions' examples
are ordered so that a mistake shows on the first case that can reveal it: single-channel cases
with symmetric kernels, then a kernel that is not symmetric (a flipped kernel shows), then two
channels in and two out (weight axes read the wrong way round show, instead of a shape error).
"""

from __future__ import annotations

import numpy as np

from ..convolution import conv2d, conv_matrix
from ..upsampling import (
    bed_of_nails,
    conv_transpose2d,
    conv_transpose2d_zero_insertion,
    upsample_bilinear,
    upsample_nearest,
)
from .cases import MATRIX_IMAGE, MATRIX_KERNEL, int_or_pair, quarters
from .core import Args, Case, Exercise, Mistake, register
from .mistakes import ignored, pair, swapped_pairs

__all__ = [
    "SLIDE_TWO_BY_TWO",
    "MERCED_IMAGE",
    "TENT_KERNEL",
]

# ---------------------------------------------------------------------------------------------
# The lectures' examples
# ---------------------------------------------------------------------------------------------

SLIDE_TWO_BY_TWO = np.array([[1, 2], [3, 4]])
"""000: nearest neighbour and bed of nails turn it into 4x4 (and max unpooling puts it back)."""
MERCED_IMAGE = np.arange(16).reshape(4, 4)
"""001: the 4x4 input of the transposed-convolution ("deconvolution") example."""
TENT_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
"""001: the kernel that, with stride 2 and padding 1, reproduces bilinear interpolation."""
_TRANSPOSE_INPUT = np.array([[1, 2], [2, 4]])
"""004: with MATRIX_KERNEL, the transposed convolution gives [[1, 4, 4], [4, 13, 10], [4, 10, 4]]."""
_ONE_TO_NINE = np.arange(1, 10).reshape(3, 3)
"""A 3x3 kernel that no flip or transpose leaves unchanged."""


def _two_channel_example() -> tuple:
    """Two channels in, two out, with bias: fixed numbers, so the case is the same everywhere."""
    rng = np.random.default_rng(40717)
    x = quarters(rng, (1, 2, 3, 3), nonzero=True)
    weight = quarters(rng, (2, 2, 2, 3), nonzero=True)
    bias = np.array([0.5, -1.0])
    return x, weight, bias


def _grid(array) -> np.ndarray:
    """A 2-D example as a (1, 1, H, W) batch."""
    return np.asarray(array)[None, None]


# ---------------------------------------------------------------------------------------------
# Nearest neighbour and bed of nails
# ---------------------------------------------------------------------------------------------


def _scale_case(rng, hidden: bool, index: int) -> Case:
    """A random batch and an integer scale factor (an int or an (sH, sW) pair)."""
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 4))
    height = int(rng.integers(1, (6 if hidden else 4) + 1))
    width = int(rng.integers(1, (7 if hidden else 5) + 1))
    if index % 3 == 1:
        factor = int_or_pair(rng, 1, 4 if hidden else 3, True)
    else:
        factor = int(rng.integers(2 if not hidden or index % 5 else 1, (4 if hidden else 3) + 1))
    dtype = np.float32 if hidden and index % 4 == 3 else np.float64
    x = quarters(rng, (n, c, height, width), nonzero=True, dtype=dtype)
    note = ", float32" if dtype == np.float32 else ""
    return Case((x, factor), {}, f"random {n}x{c}x{height}x{width} batch, scale_factor={factor}{note}")


def _scaled_formula(a: Args) -> list[str]:
    n, c, h, w = np.shape(a.x)
    sh, sw = pair(a.scale_factor)
    return [
        f"H_out = H * sH = {h} * {sh} = {h * sh}",
        f"W_out = W * sW = {w} * {sw} = {w * sw}",
        f"expected shape (N, C, H_out, W_out) = {(n, c, h * sh, w * sw)}",
    ]


def _pick_rows(x: np.ndarray, rows, cols) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)[:, :, rows][:, :, :, cols]


def _nearest_with(rule):
    """Nearest neighbour with the source index of output i given by `rule(i, s, n)`."""

    def variant(a: Args):
        x = np.asarray(a.x)
        (h, w), (sh, sw) = x.shape[2:], pair(a.scale_factor)
        rows = np.minimum(rule(np.arange(h * sh), sh), h - 1)
        cols = np.minimum(rule(np.arange(w * sw), sw), w - 1)
        return _pick_rows(x, rows, cols)

    return variant


def _tiled(a: Args):
    sh, sw = pair(a.scale_factor)
    return np.tile(np.asarray(a.x, dtype=np.float64), (1, 1, sh, sw))


_FLOOR_HINT = ("Output pixel (i, j) lies in the block of input pixel (i // sH, j // sW): take "
               "x[..., i // sH, j // sW], rounding the division down. (np.repeat along each axis "
               "does exactly this.)")

register(Exercise(
    id="upsample_nearest",
    reference=upsample_nearest,
    signature="upsample_nearest(x, scale_factor)",
    description="Nearest-neighbour upsampling of (N, C, H, W) images by an integer factor: every "
                "pixel becomes an sH x sW block of copies.",
    examples=(
        Case((_grid(SLIDE_TWO_BY_TWO), 2), {}, "the static-upsampling slide: 2x2 to 4x4"),
        Case((_grid(MATRIX_IMAGE), (2, 3)), {}, "a 3x3 image with scale_factor=(2, 3): twice as tall, three times as wide"),
    ),
    random_case=_scale_case,
    counts=(8, 24),
    formula=_scaled_formula,
    mistakes=(
        Mistake("wrong neighbour", _FLOOR_HINT + " You rounded i / s to the nearest integer, which "
                "takes the next pixel for the second half of each block.",
                _nearest_with(lambda i, s: np.floor(i / s + 0.5).astype(int))),
        Mistake("wrong neighbour", _FLOOR_HINT + " You rounded i / s up.",
                _nearest_with(lambda i, s: np.ceil(i / s).astype(int))),
        Mistake("image tiled instead of pixels repeated", "np.tile puts copies of the whole image "
                "side by side. Nearest neighbour repeats every pixel in place: "
                "np.repeat(np.repeat(x, sH, axis=2), sW, axis=3).", _tiled),
        swapped_pairs("scale_factor"),
    ),
))


def _nails_at(offset):
    """Bed of nails with each value at `offset(s)` inside its block instead of the top-left."""

    def variant(a: Args):
        x = np.asarray(a.x, dtype=np.float64)
        (sh, sw) = pair(a.scale_factor)
        oh, ow = offset(sh), offset(sw)
        if oh == ow == 0:
            return None
        n, c, h, w = x.shape
        out = np.zeros((n, c, h * sh, w * sw))
        out[:, :, oh::sh, ow::sw] = x
        return out

    return variant


def _no_trailing_zeros(a: Args):
    x = np.asarray(a.x, dtype=np.float64)
    (sh, sw) = pair(a.scale_factor)
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - 1) * sh + 1, (w - 1) * sw + 1))
    out[:, :, ::sh, ::sw] = x
    return out


_CORNER_HINT = ("Bed of nails puts input pixel (i, j) at the top-left corner of its block, "
                "out[..., i * sH, j * sW], and zeros everywhere else (out[..., ::sH, ::sW] = x).")

register(Exercise(
    id="bed_of_nails",
    reference=bed_of_nails,
    signature="bed_of_nails(x, scale_factor)",
    description="Bed-of-nails upsampling: every pixel at the top-left corner of its sH x sW "
                "block, zeros elsewhere.",
    examples=(
        Case((_grid(SLIDE_TWO_BY_TWO), 2), {}, "the static-upsampling slide: 2x2 to 4x4"),
        Case((_grid(MATRIX_IMAGE), 3), {}, "a 3x3 image with scale_factor=3: one nail per 3x3 block"),
    ),
    random_case=_scale_case,
    counts=(8, 24),
    formula=_scaled_formula,
    mistakes=(
        Mistake("nail at the block centre", _CORNER_HINT + " You put it in the middle of the "
                "block (offset s // 2).", _nails_at(lambda s: s // 2)),
        Mistake("nail at the bottom-right corner", _CORNER_HINT + " You put it at the last "
                "position of the block (offset s - 1).", _nails_at(lambda s: s - 1)),
        Mistake("copied into the whole block", "That is nearest-neighbour upsampling. Bed of nails "
                "keeps one copy per block, at its top-left corner, and fills the rest with zeros.",
                lambda a: upsample_nearest(np.asarray(a.x, dtype=np.float64), a.scale_factor)),
        Mistake("trailing zeros missing", "The output is H * sH by W * sW: every pixel gets a whole "
                "block, the last one included, so the output ends with sH - 1 rows (sW - 1 columns) "
                "of zeros. Only inserting zeros *between* pixels is the first step of a "
                "fractionally strided convolution, not bed of nails.", _no_trailing_zeros),
        swapped_pairs("scale_factor"),
    ),
))


# ---------------------------------------------------------------------------------------------
# Bilinear interpolation
# ---------------------------------------------------------------------------------------------


def _out_sizes(a: Args) -> tuple[int, int]:
    h, w = np.shape(a.x)[2:]
    if a.size is not None:
        return pair(a.size)
    sh, sw = pair(a.scale_factor)
    return h * sh, w * sw


def _bilinear_from(x: np.ndarray, rows_src, cols_src, weights_swapped: bool = False) -> np.ndarray:
    """Bilinear blend of `x` at the given source coordinates along each axis.

    Neighbours are `floor(src)` and the next pixel (clamped at the last one); a negative floor is
    used as it is, so -1 wraps round to the last pixel as numpy indexing does.
    """
    x = np.asarray(x, dtype=np.float64)

    def taps(src, n):
        lower = np.floor(src).astype(int)
        upper = np.minimum(lower + 1, n - 1)
        lower = np.minimum(lower, n - 1)
        weight = src - np.floor(src)
        return lower, upper, (1 - weight if weights_swapped else weight)

    (h, w) = x.shape[2:]
    lo, hi, t = taps(np.asarray(cols_src, dtype=np.float64), w)
    x = x[..., lo] * (1 - t) + x[..., hi] * t
    lo, hi, t = taps(np.asarray(rows_src, dtype=np.float64), h)
    return x[:, :, lo, :] * (1 - t)[:, None] + x[:, :, hi, :] * t[:, None]


def _sources(n_in: int, n_out: int, align_corners: bool, half_pixel: bool = True, clamp: bool = True):
    o = np.arange(n_out, dtype=np.float64)
    if align_corners:
        return o * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    src = (o + 0.5) * (n_in / n_out) - 0.5 if half_pixel else o * (n_in / n_out)
    return np.maximum(src, 0.0) if clamp else src


def _bilinear_variant(**rules):
    """The bilinear output with a student's rule for the source positions (align_corners=False)."""

    def variant(a: Args):
        if a.align_corners:
            return None
        (h, w), (h_out, w_out) = np.shape(a.x)[2:], _out_sizes(a)
        rows = _sources(h, h_out, False, **rules)
        cols = _sources(w, w_out, False, **rules)
        return _bilinear_from(a.x, rows, cols)

    return variant


def _weights_swapped(a: Args):
    (h, w), (h_out, w_out) = np.shape(a.x)[2:], _out_sizes(a)
    rows = _sources(h, h_out, a.align_corners)
    cols = _sources(w, w_out, a.align_corners)
    return _bilinear_from(a.x, rows, cols, weights_swapped=True)


_BILINEAR_MIXES = (("scale", False), ("size", True), ("scale", True), ("size", False), ("shrink", False),
                   ("pair", False), ("pair", True))


def _bilinear_case(rng, hidden: bool, index: int) -> Case:
    kind, align = _BILINEAR_MIXES[index % len(_BILINEAR_MIXES)]
    n, c = int(rng.integers(1, (3 if hidden else 2) + 1)), int(rng.integers(1, 3))
    height = int(rng.integers(1 if hidden else 2, (6 if hidden else 4) + 1))
    width = int(rng.integers(2, (7 if hidden else 5) + 1))
    kwargs = {}
    if kind == "scale":
        kwargs["scale_factor"] = int(rng.integers(2, (4 if hidden else 3) + 1))
    elif kind == "pair":
        kwargs["scale_factor"] = int_or_pair(rng, 1, 4 if hidden else 3, True)
    elif kind == "size":
        size = (int(rng.integers(height + 1, 3 * height + 2)), int(rng.integers(width + 1, 3 * width + 2)))
        kwargs["size"] = size if rng.random() < 0.7 else size[0]
    else:  # shrink: fewer pixels than the input along at least one axis
        height, width = height + 3, width + 3
        kwargs["size"] = (int(rng.integers(1, height)), int(rng.integers(2, 2 * width)))
    if align or (hidden and rng.random() < 0.3):
        kwargs["align_corners"] = align
    dtype = np.float32 if hidden and index % 5 == 4 else np.float64
    x = quarters(rng, (n, c, height, width), dtype=dtype)
    settings = ", ".join(f"{name}={value}" for name, value in kwargs.items())
    note = ", float32" if dtype == np.float32 else ""
    return Case((x,), kwargs, f"random {n}x{c}x{height}x{width} batch, {settings}{note}")


def _bilinear_formula(a: Args) -> list[str]:
    n, c, h, w = np.shape(a.x)
    if a.size is not None:
        lines = [f"size={a.size!r} fixes (H_out, W_out) = {pair(a.size)}"]
    else:
        sh, sw = pair(a.scale_factor)
        lines = [f"H_out = H * sH = {h} * {sh} = {h * sh}", f"W_out = W * sW = {w} * {sw} = {w * sw}"]
    h_out, w_out = _out_sizes(a)
    if a.align_corners:
        lines.append(f"align_corners=True: src = o * (n_in - 1)/(n_out - 1), e.g. along H "
                     f"o * {h - 1}/{max(h_out - 1, 1)}")
    else:
        lines.append(f"align_corners=False: src = max((o + 0.5) * n_in/n_out - 0.5, 0), e.g. along H "
                     f"(o + 0.5) * {h}/{h_out} - 0.5")
    return lines + [f"expected shape (N, C, H_out, W_out) = {(n, c, h_out, w_out)}"]


register(Exercise(
    id="upsample_bilinear",
    reference=upsample_bilinear,
    signature="upsample_bilinear(x, scale_factor=None, size=None, align_corners=False)",
    description="Bilinear resizing of (N, C, H, W) images to a given size or by an integer scale "
                "factor, in both corner conventions, like F.interpolate(mode='bilinear').",
    examples=(
        Case((_grid(MERCED_IMAGE),), {"size": 7, "align_corners": True},
             "lecture 001's 4x4 image to 7x7 with the corners aligned (the transposed-convolution example)"),
        Case((_grid(SLIDE_TWO_BY_TWO),), {"scale_factor": 2},
             "the 2x2 slide image, scale_factor=2, align_corners=False (PyTorch's default)"),
        Case((_grid(MERCED_IMAGE),), {"scale_factor": 2, "align_corners": True},
             "lecture 001's 4x4 image to 8x8 with the corners aligned"),
    ),
    random_case=_bilinear_case,
    counts=(12, 32),
    formula=_bilinear_formula,
    mistakes=(
        Mistake("align_corners conventions swapped", "align_corners=True maps output o to "
                "src = o * (n_in - 1)/(n_out - 1) (first and last pixels coincide); "
                "align_corners=False matches pixel centres, src = (o + 0.5) * n_in/n_out - 0.5, "
                "clamped at 0. You used each formula for the other flag.",
                lambda a: a.call(align_corners=not a.align_corners)),
        Mistake("half-pixel offset missing", "With align_corners=False pixels are unit squares and "
                "their centres are matched: output pixel o's centre o + 0.5 maps to input "
                "coordinate (o + 0.5) * n_in/n_out, whose pixel index is that minus 0.5. You used "
                "src = o * n_in/n_out, which moves the picture half an output pixel up and to "
                "the left.", _bilinear_variant(half_pixel=False)),
        Mistake("source position not clamped at 0", "With align_corners=False the first output "
                "pixels map to negative source positions (-0.25 for a factor of 2); PyTorch clamps "
                "them to 0, so they copy the first row (column). Unclamped, floor(src) = -1 "
                "indexes the LAST pixel (numpy's x[-1]). Use src = np.maximum(src, 0).",
                _bilinear_variant(clamp=False)),
        Mistake("neighbour weights swapped", "The weight of the upper neighbour floor(src) + 1 is "
                "the fraction src - floor(src); the lower neighbour gets 1 minus it. The closer "
                "pixel must weigh more.", _weights_swapped),
        swapped_pairs("scale_factor", "size"),
    ),
))


# ---------------------------------------------------------------------------------------------
# Transposed convolution: cases, formula and mistakes shared by the two routes
# ---------------------------------------------------------------------------------------------


def _transpose_size_line(axis: str, n: int, k: int, s: int, p: int, op: int) -> str:
    out = (n - 1) * s - 2 * p + (k - 1) + op + 1
    return (f"{axis}_out = (H - 1)s - 2p + (k - 1) + output_padding + 1 "
            f"= ({n} - 1)*{s} - 2*{p} + ({k} - 1) + {op} + 1 = {out}").replace("(H - 1)", f"({axis} - 1)")


def _transpose_formula(a: Args) -> list[str]:
    n, _, h, w = np.shape(a.x)
    _, c_out, kh, kw = np.shape(a.weight)
    (sh, sw), (ph, pw), (oh, ow) = pair(a.stride), pair(a.padding), pair(a.output_padding)
    out = ((h - 1) * sh - 2 * ph + kh + oh, (w - 1) * sw - 2 * pw + kw + ow)
    return [
        _transpose_size_line("H", h, kh, sh, ph, oh),
        _transpose_size_line("W", w, kw, sw, pw, ow),
        f"C_out = weight.shape[1] = {c_out} (weight is (C_in, C_out, kH, kW))",
        f"expected shape (N, C_out, H_out, W_out) = {(n, c_out) + out}",
    ]


_TRANSPOSE_MIXES = ((), ("stride",), ("padding",), ("stride", "padding"), ("stride", "output_padding"),
                    ("stride", "padding", "output_padding"))


def _transpose_case(rng, hidden: bool, index: int, padding_up_to_k: bool = False) -> Case:
    """Random images and (C_in, C_out, kH, kW) kernels, cycling through argument mixes.

    Padding is at most k - 1 (the zero-insertion route then only pads), or at most k if
    `padding_up_to_k` (PyTorch allows any padding that leaves an output).
    """
    mix = _TRANSPOSE_MIXES[index % len(_TRANSPOSE_MIXES)]
    while True:
        n = int(rng.integers(1, (3 if hidden else 2) + 1))
        c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        height = int(rng.integers(1, (5 if hidden else 4) + 1))
        width = int(rng.integers(2, (5 if hidden else 4) + 1))
        kh = int(rng.integers(1, (4 if hidden else 3) + 1))
        kw = kh if rng.random() < 0.6 else int(rng.integers(2, (4 if hidden else 3) + 1))
        kwargs = {}
        as_pairs = rng.random() < 0.35
        if "stride" in mix:
            stride = int_or_pair(rng, 2, 3, as_pairs)
            kwargs["stride"] = stride
        (sh, sw) = pair(kwargs.get("stride", 1))
        if "padding" in mix:
            kh, kw = max(kh, 2), max(kw, 2)
            high = min(kh, kw) - (0 if padding_up_to_k else 1)
            kwargs["padding"] = int_or_pair(rng, 1, high, as_pairs and high > 1)
        if "output_padding" in mix:
            kwargs["output_padding"] = (int(rng.integers(1, sh)), int(rng.integers(0, sw))) if as_pairs \
                else int(rng.integers(1, min(sh, sw)))
        (ph, pw), (oh, ow) = pair(kwargs.get("padding", 0)), pair(kwargs.get("output_padding", 0))
        if min((height - 1) * sh - 2 * ph + kh + oh, (width - 1) * sw - 2 * pw + kw + ow) >= 1:
            break
    dtype = np.float32 if hidden and rng.random() < 0.2 else np.float64
    x = quarters(rng, (n, c_in, height, width), dtype=dtype)
    weight = quarters(rng, (c_in, c_out, kh, kw), nonzero=True, dtype=dtype)
    args = (x, weight)
    with_bias = rng.random() < 0.5
    if with_bias:
        args += (quarters(rng, (c_out,), nonzero=True, dtype=dtype),)
    settings = "".join(f", {name}={value}" for name, value in kwargs.items())
    description = (f"random batch {n}x{c_in}x{height}x{width}, weight {c_in}x{c_out}x{kh}x{kw}, "
                   f"{'with' if with_bias else 'no'} bias{settings}" + (", float32" if dtype == np.float32 else ""))
    return Case(args, kwargs, description)


def _canvas(a: Args) -> np.ndarray:
    """The whole sum of stamps, (H - 1)s + k rows, with output_padding rows of zeros at both ends."""
    x, weight = np.asarray(a.x, dtype=np.float64), np.asarray(a.weight, dtype=np.float64)
    full = conv_transpose2d(x, weight, None, a.stride)
    (oh, ow) = pair(a.output_padding)
    return np.pad(full, ((0, 0), (0, 0), (oh, oh), (ow, ow)))


def _with_bias(a: Args, out: np.ndarray) -> np.ndarray:
    return out if a.bias is None else out + np.asarray(a.bias, dtype=np.float64)[:, None, None]


def _window(start):
    """The output window of the canvas starting at `start(p, op)` (the right start is op + p)."""

    def variant(a: Args):
        (ph, pw), (oh, ow) = pair(a.padding), pair(a.output_padding)
        top, left = start(ph, oh), start(pw, ow)
        if (top, left) == (oh + ph, ow + pw):
            return None
        expected_shape = np.shape(a.expected)
        h_out, w_out = expected_shape[2:]
        canvas = _canvas(a)
        return _with_bias(a, canvas[:, :, top : top + h_out, left : left + w_out])

    return variant


def _flipped_weight(a: Args):
    return a.call(weight=np.asarray(a.weight)[..., ::-1, ::-1])


def _channels_swapped(a: Args):
    weight = np.asarray(a.weight)
    return a.call(weight=weight.transpose(1, 0, 2, 3)) if weight.shape[0] == weight.shape[1] else None


_CROP_HINT = ("The transposed convolution first sums all the stamps on a canvas of (H - 1)s + k "
              "rows, then `padding` crops p rows off the top AND p off the bottom (p columns off "
              "each side): out = canvas[..., p : p + H_out, p : p + W_out].")
_OUTPUT_PADDING_HINT = ("output_padding adds that many rows (columns) at the bottom (right) of the "
                        "output: H_out = (H - 1)s - 2p + k + output_padding. It picks which of the "
                        "s input sizes that a stride-s convolution maps to H comes back.")

_TRANSPOSE_MISTAKES = (
    ignored("padding", 0, _CROP_HINT + " You did not crop at all.", label="padding not cropped"),
    Mistake("cropped on one side only", _CROP_HINT + " You cropped all 2p rows (columns) from the "
            "top (left).", _window(lambda p, op: op + 2 * p)),
    Mistake("cropped on one side only", _CROP_HINT + " You cropped all 2p rows (columns) from the "
            "bottom (right).", _window(lambda p, op: op)),
    ignored("output_padding", 0, _OUTPUT_PADDING_HINT),
    Mistake("output_padding on the wrong side", _OUTPUT_PADDING_HINT + " You added the extra rows "
            "(columns) at the top (left).", _window(lambda p, op: p)),
    ignored("stride", 1, "With stride s, the stamps of neighbouring input pixels sit s pixels "
            "apart: input pixel (i, j) stamps its kernel with its top-left corner at "
            "(i * sH, j * sW) of the canvas."),
    Mistake("bias ignored", "Add bias[o] to every pixel of output channel o, once, after summing "
            "the stamps.", lambda a: None if a.bias is None else a.call(bias=None)),
    swapped_pairs("stride", "padding", "output_padding"),
)

# ---------------------------------------------------------------------------------------------
# conv_transpose2d
# ---------------------------------------------------------------------------------------------

_X2, _W2, _B2 = _two_channel_example()


def _conv_transpose_case(rng, hidden: bool, index: int) -> Case:
    return _transpose_case(rng, hidden, index, padding_up_to_k=hidden)

_TRANSPOSE_EXAMPLES = (
    Case((_grid(_TRANSPOSE_INPUT), _grid(MATRIX_KERNEL)), {},
         "the transposed-convolution-as-W^T slide: [[1, 2], [2, 4]] with the kernel [[1, 2], [2, 1]]"),
    Case((_grid(MERCED_IMAGE), _grid(TENT_KERNEL)), {"stride": 2},
         "lecture 001's 4x4 image and 3x3 kernel, stride 2: the 9x9 sum of the copies"),
    Case((_grid(MERCED_IMAGE), _grid(TENT_KERNEL)), {"stride": 2, "padding": 1},
         "lecture 001's example with padding 1: the 7x7 result, bilinear interpolation"),
    Case((_grid(SLIDE_TWO_BY_TWO), _grid(_ONE_TO_NINE)), {"stride": 2, "padding": 1, "output_padding": 1},
         "'3 x 3 transpose convolution, stride 2 pad 1' from 2x2 to 4x4: it needs output_padding=1"),
    Case((_X2, _W2, _B2), {"stride": 2}, "two channels in and two out, with bias, stride 2"),
)


register(Exercise(
    id="conv_transpose2d",
    reference=conv_transpose2d,
    signature="conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0)",
    description="A transposed convolution layer (no dilation, no groups): every input pixel "
                "stamps weight[c] scaled by its value, stamps sit `stride` apart and add up, then "
                "`padding` is cropped off each side and `output_padding` added at the bottom/right.",
    examples=_TRANSPOSE_EXAMPLES,
    random_case=_conv_transpose_case,
    counts=(12, 32),
    formula=_transpose_formula,
    mistakes=_TRANSPOSE_MISTAKES[:3] + (
        Mistake("kernel flipped", "Input pixel (i, j) stamps the kernel as it is: "
                "out[..., i*s + u, j*s + v] += x[..., i, j] * weight[..., u, v]. Do not rotate "
                "it (the flip belongs to the zero-insertion route, where the stamps are gathered "
                "by an ordinary convolution).", _flipped_weight),
        Mistake("channel axes of the weight swapped", "A transposed convolution's weight is "
                "(C_in, C_out, kH, kW), the reverse of conv2d's: weight[c, o] is the kernel that "
                "input channel c stamps onto output channel o. You used weight[o, c].",
                _channels_swapped),
    ) + _TRANSPOSE_MISTAKES[3:],
))


# ---------------------------------------------------------------------------------------------
# conv_transpose2d_zero_insertion
# ---------------------------------------------------------------------------------------------


def _zero_route(a: Args, *, after: bool = False, pad_by_p: bool = False):
    """The fractionally strided route with a student's mistake in building the input."""
    x = np.asarray(a.x, dtype=np.float64)
    weight = np.asarray(a.weight, dtype=np.float64)
    (sh, sw), (ph, pw), (oh, ow) = pair(a.stride), pair(a.padding), pair(a.output_padding)
    n, c, h, w = x.shape
    kh, kw = weight.shape[2:]
    size = (h * sh, w * sw) if after else ((h - 1) * sh + 1, (w - 1) * sw + 1)
    spread = np.zeros((n, c) + size)
    spread[:, :, ::sh, ::sw] = x
    top, left = (ph, pw) if pad_by_p else (kh - 1 - ph, kw - 1 - pw)
    spread = np.pad(spread, ((0, 0), (0, 0), (top, top + oh), (left, left + ow)))
    flipped = weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    if spread.shape[2] < kh or spread.shape[3] < kw:
        return None
    return conv2d(spread, flipped, None if a.bias is None else np.asarray(a.bias, dtype=np.float64))


def _zero_formula(a: Args) -> list[str]:
    _, _, h, w = np.shape(a.x)
    _, _, kh, kw = np.shape(a.weight)
    (sh, sw), (ph, pw), (oh, ow) = pair(a.stride), pair(a.padding), pair(a.output_padding)
    return [
        f"zeros inserted: ((H - 1)s + 1, (W - 1)s + 1) = {((h - 1) * sh + 1, (w - 1) * sw + 1)}",
        f"padded by k - 1 - p = {(kh - 1 - ph, kw - 1 - pw)} on each side, plus output_padding "
        f"= {(oh, ow)} at the bottom (right)",
        *_transpose_formula(a),
    ]


register(Exercise(
    id="conv_transpose2d_zero_insertion",
    reference=conv_transpose2d_zero_insertion,
    signature="conv_transpose2d_zero_insertion(x, weight, bias=None, stride=1, padding=0, output_padding=0)",
    description="The transposed convolution as a fractionally strided convolution: insert s - 1 "
                "zeros between pixels, pad k - 1 - p zeros (plus output_padding at the "
                "bottom/right), and run conv2d with the kernel flipped and its channel axes "
                "swapped. Cases keep padding <= k - 1.",
    examples=(
        Case((_grid(MERCED_IMAGE), _grid(TENT_KERNEL)), {"stride": 2, "padding": 1},
             "lecture 001's fractionally strided example: zero-interleaved 4x4 image, padded, "
             "convolved with the 3x3 kernel"),
        Case((_grid(_TRANSPOSE_INPUT), _grid(MATRIX_KERNEL)), {},
             "the transposed-convolution-as-W^T slide: [[1, 2], [2, 4]] with the kernel [[1, 2], [2, 1]]"),
        Case((_grid(SLIDE_TWO_BY_TWO), _grid(_ONE_TO_NINE)), {"stride": 2, "padding": 1, "output_padding": 1},
             "'3 x 3 transpose convolution, stride 2 pad 1' from 2x2 to 4x4, with a kernel that is "
             "not symmetric"),
        Case((_X2, _W2, _B2), {"stride": 2}, "two channels in and two out, with bias, stride 2"),
    ),
    random_case=_transpose_case,
    counts=(11, 30),
    formula=_zero_formula,
    mistakes=(
        Mistake("kernel not flipped", "Seen from an output pixel, the stamps that land on it use "
                "the kernel backwards: the pixel stamped furthest to the left contributes its "
                "kernel's rightmost tap. So the ordinary convolution must use the kernel rotated "
                "by 180 degrees, weight[..., ::-1, ::-1].", _flipped_weight),
        Mistake("channel axes of the weight not swapped", "conv2d expects (C_out, C_in, kH, kW), "
                "but a transposed convolution's weight is (C_in, C_out, kH, kW): pass "
                "weight.transpose(1, 0, 2, 3)[..., ::-1, ::-1] (swap the first two axes AND flip).",
                _channels_swapped),
        Mistake("zeros inserted after every pixel", "Insert s - 1 zeros BETWEEN neighbouring pixels "
                "only: the zero-interleaved input has (H - 1)s + 1 rows, not H*s (bed of nails "
                "also puts zeros after the last pixel).", lambda a: _zero_route(a, after=True)),
        Mistake("padded by p instead of k - 1 - p", "The zero-interleaved input is padded by "
                "k - 1 - p on each side: k - 1 lets every stamp appear in full, and the "
                "transposed convolution's padding p then takes p of them away again.",
                lambda a: _zero_route(a, pad_by_p=True)),
        ignored("padding", 0, "Pad the zero-interleaved input by k - 1 - p, not k - 1: the "
                "transposed convolution's `padding` crops p rows (columns) from each side of "
                "the output.", label="padding ignored"),
        ignored("output_padding", 0, _OUTPUT_PADDING_HINT + " In this route: output_padding more "
                "zero rows (columns) at the bottom (right) of the padded input."),
        Mistake("output_padding on the wrong side", _OUTPUT_PADDING_HINT + " You added the extra "
                "zeros at the top (left) of the padded input.", _window(lambda p, op: p)),
        ignored("stride", 1, "Insert stride - 1 zeros between neighbouring pixels (along each axis "
                "its own stride): x lands on spread[..., ::sH, ::sW]."),
        Mistake("bias ignored", "Add bias[o] to every pixel of output channel o.",
                lambda a: None if a.bias is None else a.call(bias=None)),
        swapped_pairs("stride", "padding", "output_padding"),
    ),
))


# ---------------------------------------------------------------------------------------------
# conv_matrix
# ---------------------------------------------------------------------------------------------


def _matrix_case(rng, hidden: bool, index: int) -> Case:
    mix = ((), ("stride",), ("padding",), ("stride", "padding"))[index % 4]
    kh = int(rng.integers(1, (4 if hidden else 3) + 1))
    kw = int(rng.integers(2 if index % 2 else 1, (4 if hidden else 3) + 1))
    kwargs = {}
    if "stride" in mix:
        kwargs["stride"] = int_or_pair(rng, 1 if rng.random() < 0.4 else 2, 3, rng.random() < 0.4)
        if pair(kwargs["stride"]) == (1, 1):
            kwargs["stride"] = 2
    if "padding" in mix:
        as_pair = rng.random() < 0.4
        kwargs["padding"] = int_or_pair(rng, 0 if as_pair else 1, 2, as_pair)
    (ph, pw) = pair(kwargs.get("padding", 0))
    high_h, high_w = (5, 6) if hidden else (4, 5)
    height = int(rng.integers(max(1, kh - 2 * ph), high_h + 1))
    width = int(rng.integers(max(2, kw - 2 * pw), high_w + 1))
    shape = (height, width) if height != width or rng.random() < 0.7 else height
    dtype = np.float32 if hidden and index % 6 == 5 else np.float64
    kernel = quarters(rng, (kh, kw), nonzero=True, dtype=dtype)
    settings = "".join(f", {name}={value}" for name, value in kwargs.items())
    return Case((kernel, shape), kwargs, f"random {kh}x{kw} kernel, input_shape={shape}{settings}")


def _matrix_formula(a: Args) -> list[str]:
    kh, kw = np.shape(a.kernel)
    h, w = pair(a.input_shape)
    (sh, sw), (ph, pw) = pair(a.stride), pair(a.padding)
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    return [
        f"H_out = floor((H + 2p - kH)/s) + 1 = floor(({h} + 2*{ph} - {kh})/{sh}) + 1 = {h_out}",
        f"W_out = floor((W + 2p - kW)/s) + 1 = floor(({w} + 2*{pw} - {kw})/{sw}) + 1 = {w_out}",
        f"one row per output pixel, one column per input pixel: (H_out*W_out, H*W) = "
        f"({h_out * w_out}, {h * w})",
    ]


def _padding_columns(a: Args):
    (ph, pw) = pair(a.padding)
    if ph == pw == 0:
        return None
    h, w = pair(a.input_shape)
    return conv_matrix(a.kernel, (h + 2 * ph, w + 2 * pw), a.stride, 0)


def _column_major(a: Args):
    """Pixels numbered column by column (col * H + row), for the outputs and the inputs."""
    h, w = pair(a.input_shape)
    kh, kw = np.shape(a.kernel)
    (sh, sw), (ph, pw) = pair(a.stride), pair(a.padding)
    rows, cols = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    blocks = a.expected.reshape(rows, cols, h, w).transpose(1, 0, 3, 2)
    return blocks.reshape(rows * cols, h * w)


register(Exercise(
    id="conv_matrix",
    reference=conv_matrix,
    signature="conv_matrix(kernel, input_shape, stride=1, padding=0)",
    description="The matrix C with C @ x.ravel() == conv2d(x, kernel, stride, padding).ravel() for "
                "one (H, W) image: one row per output pixel, one column per input pixel.",
    examples=(
        Case((MATRIX_KERNEL, (3, 3)), {}, "the convolution-as-a-matrix slide: a 2x2 kernel on a "
             "3x3 image gives the 4x9 matrix W'"),
        Case((np.array([[1, 1, 1]]), (1, 6)), {}, "the 1-D slide: the kernel [1, 1, 1] sliding "
             "over 6 inputs (a 1x6 image)"),
        Case((_ONE_TO_NINE, (4, 4)), {"stride": 2, "padding": 1},
             "a 3x3 kernel, stride 2 and padding 1 on a 4x4 image: the convolution that "
             "'3 x 3 transpose convolution, stride 2 pad 1' undoes the shape of"),
    ),
    random_case=_matrix_case,
    counts=(10, 30),
    formula=_matrix_formula,
    mistakes=(
        Mistake("matrix transposed", "Rows are output pixels and columns input pixels: C has shape "
                "(H_out*W_out, H*W), so that C @ x.ravel() is the output. You built C.T, which is "
                "the transposed convolution's matrix.", lambda a: a.expected.T),
        Mistake("kernel flipped", "You built the matrix of a convolution in the mathematical sense "
                "(kernel rotated by 180 degrees). The layers compute cross-correlation: output "
                "(i, j) takes kernel[u, v] * x[i*s + u - p, j*s + v - p], with the kernel as it is.",
                lambda a: a.call(kernel=np.asarray(a.kernel)[::-1, ::-1])),
        Mistake("columns for the padding", "The columns are the pixels of x itself, H*W of them: a "
                "tap that falls on the zero padding multiplies a zero, so it simply has no entry. "
                "Your matrix has a column for every pixel of the padded image.", _padding_columns),
        Mistake("column-major order", "Number pixels row by row, as x.ravel() does: pixel (r, c) "
                "of an H x W image is r * W + c (and output (i, j) is row i * W_out + j).",
                _column_major),
        ignored("stride", 1, "Output (i, j) reads the window starting at row i*sH - p and column "
                "j*sW - p: there are floor((H + 2p - kH)/sH) + 1 output rows."),
        ignored("padding", 0, "With padding p the windows start p pixels before the image: output "
                "(i, j) covers rows i*s - p to i*s - p + kH - 1, and taps outside the image are "
                "left out (they multiply zeros)."),
        swapped_pairs("input_shape", "stride", "padding"),
    ),
))
