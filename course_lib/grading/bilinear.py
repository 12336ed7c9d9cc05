"""Exercises on the bilinear kernel: triangle_weights, bilinear_kernel, bilinear_upsample_weight and
upsample_bilinear_by_transposed_conv.

The kernel exercises take only a factor and a convention, so their cases walk through factors,
odd and even, in both conventions; the lectures' kernel (UC Merced, factor 2 with corners
aligned) comes first. The mistakes are the ones the notebook warns about: the corner conventions
swapped, the triangle centred half a pixel off, a kernel of size 2f for an odd factor, a kernel
normalised to sum 1 (it must sum to f per axis), the kernel on every pair of channels, and the
border of FCN's kernel left unfixed.
"""

from __future__ import annotations

import numpy as np

from ..bilinear import bilinear_kernel, bilinear_upsample_weight, upsample_bilinear_by_transposed_conv
from ..interpolation import triangle_weights
from ..upsampling import conv_transpose2d
from .cases import quarters
from .core import Args, Case, Exercise, Mistake, register

__all__ = ["SLIDE_IMAGE"]

SLIDE_IMAGE = np.arange(16).reshape(4, 4)
"""001: the 4x4 image that the 3x3 tent kernel, stride 2, padding 1, interpolates to 7x7."""


# ---------------------------------------------------------------------------------------------
# The 1-D triangle and its mistakes
# ---------------------------------------------------------------------------------------------


def _size(factor: int, align_corners: bool) -> int:
    return 2 * factor - 1 if align_corners else 2 * factor - factor % 2


def _tent(size: int, centre: float, factor: int) -> np.ndarray:
    return 1 - np.abs(np.arange(size) - centre) / factor


def _off_centre(a: Args, shift: float):
    """The right size, with the centre moved by `shift` (a half-pixel shift of an even kernel)."""
    size = _size(a.factor, a.align_corners)
    if size % 2 == 1:
        return None
    return _tent(size, (size - 1) / 2 + shift, a.factor)


def _two_f_for_odd(a: Args):
    """FCN's convention with 2f taps for an odd factor, centred at f - 1/2."""
    if a.align_corners or a.factor % 2 == 0:
        return None
    return _tent(2 * a.factor, a.factor - 0.5, a.factor)


def _one_d(a: Args):
    return triangle_weights(a.factor, a.align_corners)


def _size_lines(a: Args) -> list[str]:
    f = a.factor
    if a.align_corners:
        return [f"align_corners=True: 2f - 1 = 2*{f} - 1 = {2 * f - 1} taps, centre f - 1 = {f - 1}"]
    centre = f - 1 if f % 2 else f - 0.5
    return [f"align_corners=False: 2f - f % 2 = 2*{f} - {f % 2} = {2 * f - f % 2} taps, "
            f"centre {'f - 1' if f % 2 else 'f - 1/2'} = {centre:g}"]


_SWAP_HINT = ("With align_corners=True an input sample sits exactly on an output pixel: 2f - 1 "
              "taps centred at f - 1. With align_corners=False (FCN) an even factor puts it "
              "halfway between two output pixels: 2f taps centred at f - 1/2 (odd f: the same as "
              "aligned). You used the other convention's kernel.")
_CENTRE_HINT = ("For an even factor and align_corners=False the kernel has 2f taps and its centre "
                "c = f - 1/2 falls between the two middle taps: w[u] = 1 - |u - c|/f is symmetric, "
                "e.g. [0.25, 0.75, 0.75, 0.25] for f = 2. Your triangle peaks on a tap, half a "
                "pixel to one side.")
_ODD_HINT = ("For an odd factor the output pixels of an input pixel lie symmetrically around its "
             "centre, which falls on an output pixel: 2f - 1 taps centred at f - 1, not 2f. The "
             "size is 2f - f % 2.")
_SUM_HINT = ("Do not normalise the triangle: w[u] = 1 - |u - c|/f. Its taps sum to f, because "
             "each input pixel stands for f output pixels, and each output pixel still gets "
             "weights that sum to 1 from its neighbours (there are f phases).")
_ENDS_HINT = ("Keep only the nonzero taps: 1 - |u - c|/f reaches 0 at |u - c| = f, and those two "
              "end taps are left out (2f - 1 taps with corners aligned, 2f - f % 2 without).")

_TRIANGLE_MISTAKES = (
    Mistake("align_corners conventions swapped", _SWAP_HINT,
            lambda a: a.call(align_corners=not a.align_corners)),
    Mistake("triangle centred half a pixel off", _CENTRE_HINT, lambda a: _off_centre(a, -0.5)),
    Mistake("triangle centred half a pixel off", _CENTRE_HINT, lambda a: _off_centre(a, 0.5)),
    Mistake("kernel size 2f for odd f", _ODD_HINT, _two_f_for_odd),
    Mistake("normalised to sum 1", _SUM_HINT, lambda a: _one_d(a) / _one_d(a).sum()),
    Mistake("zero taps at the ends", _ENDS_HINT, lambda a: np.pad(_one_d(a), 1)),
)


def _factor_case(rng, hidden: bool, index: int) -> Case:
    """A factor (odd and even in turn) and a convention (both in turn, positional or keyword)."""
    high = 9 if hidden else 6
    odd = index % 4 in (0, 1)
    factor = int(rng.choice([f for f in range(1, high + 1) if f % 2 == odd]))
    aligned = index % 2 == 1
    style = int(rng.integers(3))
    if style == 0 and not aligned:
        return Case((factor,), {}, f"factor={factor}, align_corners left at its default (False)")
    if style == 1:
        return Case((factor, aligned), {}, f"factor={factor}, align_corners={aligned} (positional)")
    return Case((factor,), {"align_corners": aligned}, f"factor={factor}, align_corners={aligned}")


register(Exercise(
    id="triangle_weights",
    reference=triangle_weights,
    signature="triangle_weights(factor, align_corners=False)",
    description="The 1-D kernel of linear upsampling by an integer factor f: w[u] = 1 - |u - c|/f "
                "over the nonzero taps, 2f - 1 of them centred at f - 1 (align_corners=True) or "
                "2f - f % 2 centred at f - 1 or f - 1/2 (False).",
    examples=(
        Case((2,), {"align_corners": True}, "the UC Merced slides' kernel, one row of it: [0.5, 1, 0.5]"),
        Case((2,), {}, "FCN's kernel for f = 2: an even factor, four taps"),
        Case((3,), {}, "an odd factor with align_corners=False: 2f - 1 taps"),
    ),
    random_case=_factor_case,
    counts=(9, 24),
    formula=_size_lines,
    mistakes=_TRIANGLE_MISTAKES,
))


# ---------------------------------------------------------------------------------------------
# The 2-D kernel
# ---------------------------------------------------------------------------------------------


def _outer(variant):
    """A 1-D mistake carried into 2-D by the outer product."""

    def lifted(a: Args):
        one = variant(a)
        return None if one is None else np.outer(one, one)

    return lifted


def _added(a: Args):
    one = _one_d(a)
    return (one[:, None] + one[None, :]) / 2


def _kernel_lines(a: Args) -> list[str]:
    k = _size(a.factor, a.align_corners)
    return _size_lines(a) + [f"the kernel is the outer product of the {k} taps: shape ({k}, {k})"]


register(Exercise(
    id="bilinear_kernel",
    reference=bilinear_kernel,
    signature="bilinear_kernel(factor, align_corners=False)",
    description="The 2-D kernel of bilinear upsampling by f: the outer product of the 1-D "
                "triangle weights with themselves, (2f - 1) x (2f - 1) with corners aligned and "
                "(2f - f % 2) x (2f - f % 2) for FCN.",
    examples=(
        Case((2,), {"align_corners": True}, "the UC Merced slides' 3x3 kernel [[.25, .5, .25], [.5, 1, .5], [.25, .5, .25]]"),
        Case((2,), {}, "FCN's 4x4 kernel for 2x upsampling"),
        Case((3,), {}, "an odd factor with align_corners=False: 5x5"),
        Case((1,), {}, "factor 1: the identity, [[1.]]"),
    ),
    random_case=_factor_case,
    counts=(10, 24),
    formula=_kernel_lines,
    mistakes=(
        Mistake("align_corners conventions swapped", _SWAP_HINT,
                lambda a: a.call(align_corners=not a.align_corners)),
        Mistake("triangle centred half a pixel off", _CENTRE_HINT, _outer(lambda a: _off_centre(a, -0.5))),
        Mistake("triangle centred half a pixel off", _CENTRE_HINT, _outer(lambda a: _off_centre(a, 0.5))),
        Mistake("kernel size 2f for odd f", _ODD_HINT, _outer(_two_f_for_odd)),
        Mistake("normalised to sum 1", "Do not normalise the kernel: it sums to f^2, one unit for "
                "each of the f x f output pixels an input pixel stands for. (Each output pixel "
                "still gets weights summing to 1.)", lambda a: a.expected / a.expected.sum()),
        Mistake("triangles added instead of multiplied", "Bilinear interpolation is linear "
                "interpolation along the rows and then along the columns, so the 2-D weights "
                "multiply: kernel[u, v] = w[u] * w[v] (np.outer(w, w)), not (w[u] + w[v]) / 2.",
                _added),
        Mistake("zero taps at the ends", _ENDS_HINT, _outer(lambda a: np.pad(_one_d(a), 1))),
    ),
))


# ---------------------------------------------------------------------------------------------
# The per-channel weight
# ---------------------------------------------------------------------------------------------


def _every_pair(a: Args, scale: float = 1.0):
    if a.channels == 1:
        return None
    kernel = bilinear_kernel(a.factor, a.align_corners) * scale
    return np.broadcast_to(kernel, (a.channels, a.channels) + kernel.shape).copy()


def _first_channel_only(a: Args):
    if a.channels == 1:
        return None
    weight = np.zeros_like(a.expected)
    weight[0, 0] = a.expected[0, 0]
    return weight


def _weight_lines(a: Args) -> list[str]:
    k = _size(a.factor, a.align_corners)
    return _size_lines(a) + [f"weight (C_in, C_out, k, k) = ({a.channels}, {a.channels}, {k}, {k})"]


def _weight_case(rng, hidden: bool, index: int) -> Case:
    factor_case = _factor_case(rng, hidden, index)
    channels = int(rng.integers(2, (6 if hidden else 4) + 1)) if index % 5 else 1
    return Case((channels,) + factor_case.args, factor_case.kwargs,
                f"channels={channels}, " + factor_case.description)


_PAIRS_HINT = ("weight[c, o] is the kernel that input channel c stamps onto output channel o. "
               "Upsampling treats every channel on its own, so only weight[c, c] holds the kernel "
               "and every weight[c, o] with o != c is zero: start from np.zeros((C, C, k, k)) and "
               "fill the diagonal.")

register(Exercise(
    id="bilinear_upsample_weight",
    reference=bilinear_upsample_weight,
    signature="bilinear_upsample_weight(channels, factor, align_corners=False)",
    description="The (C, C, k, k) weight of a transposed convolution that upsamples each of C "
                "channels bilinearly on its own: weight[c, c] = bilinear_kernel(factor), zero "
                "off the diagonal.",
    examples=(
        Case((3, 2), {}, "FCN's 2x upsampling of three class-score maps: a (3, 3, 4, 4) weight"),
        Case((1, 2), {"align_corners": True}, "one channel, the UC Merced slides' 3x3 kernel"),
        Case((2, 3), {}, "two channels, factor 3"),
    ),
    random_case=_weight_case,
    counts=(9, 24),
    formula=_weight_lines,
    mistakes=(
        Mistake("weight filled on every (i, j) channel pair", _PAIRS_HINT + " With the kernel on "
                "every pair, each output channel is the sum of all the upsampled input channels.",
                _every_pair),
        Mistake("weight filled on every (i, j) channel pair", _PAIRS_HINT + " You spread the "
                "kernel over all pairs, divided by C: each output channel is the average of all "
                "the channels.", lambda a: _every_pair(a, 1 / a.channels)),
        Mistake("only the first channel", "Every channel c needs its kernel at weight[c, c], not "
                "just channel 0.", _first_channel_only),
        Mistake("align_corners conventions swapped", _SWAP_HINT,
                lambda a: a.call(align_corners=not a.align_corners)),
        Mistake("normalised to sum 1", "Do not normalise the kernel: it sums to f^2.",
                lambda a: a.expected / a.factor**2),
    ),
))


# ---------------------------------------------------------------------------------------------
# Bilinear upsampling as a transposed convolution
# ---------------------------------------------------------------------------------------------


def _fcn_unfixed(a: Args):
    """FCN's kernel with stride f and padding f // 2: zeros beyond the edge."""
    if a.align_corners or a.factor == 1:
        return None
    x = np.asarray(a.x, dtype=np.float64)
    weight = bilinear_upsample_weight(x.shape[1], a.factor)
    return conv_transpose2d(x, weight, stride=a.factor, padding=a.factor // 2)


def _channels_mixed(a: Args):
    x = np.asarray(a.x, dtype=np.float64)
    if x.shape[1] == 1:
        return None
    return np.broadcast_to(a.expected.sum(axis=1, keepdims=True), a.expected.shape).copy()


def _not_cropped_after_padding(a: Args):
    """Edge-replicated, but the extra f pixels per side not cropped off (padding f // 2 only)."""
    if a.align_corners:
        return None
    x = np.pad(np.asarray(a.x, dtype=np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    weight = bilinear_upsample_weight(x.shape[1], a.factor)
    return conv_transpose2d(x, weight, stride=a.factor, padding=a.factor // 2)


def _upsample_lines(a: Args) -> list[str]:
    n, c, h, w = np.shape(a.x)
    f = a.factor
    if a.align_corners:
        size = (f * (h - 1) + 1, f * (w - 1) + 1)
        lines = [f"align_corners=True: stride f = {f}, padding f - 1 = {f - 1}",
                 f"H_out = f (H - 1) + 1 = {f}*({h} - 1) + 1 = {size[0]}",
                 f"W_out = f (W - 1) + 1 = {f}*({w} - 1) + 1 = {size[1]}"]
    else:
        size = (f * h, f * w)
        lines = [f"align_corners=False: edge-pad by 1, then stride f = {f}, padding f // 2 + f = {f // 2 + f}",
                 f"H_out = f H = {f}*{h} = {size[0]}", f"W_out = f W = {f}*{w} = {size[1]}"]
    return lines + [f"expected shape (N, C, H_out, W_out) = {(n, c) + size}"]


def _upsample_case(rng, hidden: bool, index: int) -> Case:
    n = int(rng.integers(1, (3 if hidden else 2) + 1))
    c = int(rng.integers(1, 4))
    high = 6 if hidden else 5
    height, width = int(rng.integers(1, high + 1)), int(rng.integers(2, high + 1))
    factor = int(rng.integers(2, (5 if hidden else 4) + 1)) if index % 6 else 1 + index % 2
    aligned = index % 3 == 1
    dtype = np.float32 if hidden and index % 4 == 3 else np.float64
    x = quarters(rng, (n, c, height, width), nonzero=True, dtype=dtype)
    kwargs = {"align_corners": True} if aligned else {}
    note = ", float32" if dtype == np.float32 else ""
    return Case((x, factor), kwargs, f"random batch {n}x{c}x{height}x{width}, factor={factor}, "
                f"align_corners={aligned}{note}")


def _slide_example() -> np.ndarray:
    return SLIDE_IMAGE[None, None]


def _two_channels() -> np.ndarray:
    """Two channels that differ, so that mixing them shows: a ramp and a bright dot."""
    x = np.zeros((1, 2, 3, 4))
    x[0, 0] = np.arange(12).reshape(3, 4) / 4
    x[0, 1, 1, 2] = 2.0
    return x


_BORDER_HINT = ("With align_corners=False the transposed convolution reads zeros beyond the edge "
                "of the image, where interpolation repeats the edge pixel: on a band f // 2 pixels "
                "wide the edge pixels are blended with those zeros. Pad the input by one pixel that repeats its edge "
                "(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode='edge')), then crop f more "
                "pixels off every side: padding=f // 2 + f.")

register(Exercise(
    id="upsample_bilinear_by_transposed_conv",
    reference=upsample_bilinear_by_transposed_conv,
    signature="upsample_bilinear_by_transposed_conv(x, factor, align_corners=False)",
    description="Bilinear upsampling of (N, C, H, W) images by a transposed convolution with the "
                "tent kernel on each channel: stride f, padding f - 1 with corners aligned (size "
                "f (H - 1) + 1); without, one edge-replicated pixel first and padding f // 2 + f "
                "(size f H), equal to F.interpolate everywhere.",
    examples=(
        Case((_slide_example(), 2), {"align_corners": True},
             "lecture 001's 4x4 image, kernel 3x3, stride 2, padding 1: the 7x7 bilinear interpolation"),
        Case((_slide_example(), 2), {}, "the same image, align_corners=False: 8x8, equal to "
             "F.interpolate(x, scale_factor=2, mode='bilinear') at the border too"),
        Case((_two_channels(), 3), {}, "two channels that must not mix, factor 3"),
    ),
    random_case=_upsample_case,
    counts=(10, 28),
    formula=_upsample_lines,
    mistakes=(
        Mistake("border not fixed", _BORDER_HINT, _fcn_unfixed),
        Mistake("weight filled on every (i, j) channel pair", _PAIRS_HINT + " Your output "
                "channels are each the sum of all the upsampled channels.", _channels_mixed),
        Mistake("normalised to sum 1", "The kernel sums to f^2, not 1: with a normalised kernel "
                "every output is f^2 times too small.", lambda a: a.expected / a.factor**2),
        Mistake("edge pixel not cropped off", "After padding the input by one pixel, the output "
                "is f pixels larger on every side: crop them too, with padding=f // 2 + f.",
                _not_cropped_after_padding),
        Mistake("align_corners conventions swapped", "align_corners=True needs the (2f - 1)-tap "
                "kernel with padding f - 1 (size f (H - 1) + 1); align_corners=False needs "
                "FCN's kernel with padding f // 2 (size f H), plus the edge fix. You used the "
                "other one.", lambda a: a.call(align_corners=not a.align_corners)),
    ),
))
