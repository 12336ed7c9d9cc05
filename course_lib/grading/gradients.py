"""Exercise on backpropagation through a convolution layer: conv2d_backward -> (dx, dw, db).

Mistakes here concern one of the three gradients at a time; a variant returns None for the
gradients it says nothing about, so that a student with a wrong `dw` but a right `dx` is told
about `dw`.
"""

from __future__ import annotations

import numpy as np

from ..convolution import conv2d
from ..gradients import conv2d_backward
from .cases import MATRIX_IMAGE, MATRIX_KERNEL, int_or_pair, quarters
from .core import Args, Case, Exercise, Mistake, register
from .mistakes import pair

__all__: list[str] = []

_MIXES = ((), ("stride",), ("padding",), ("stride", "padding"), ("overlap",), ("overlap", "padding"))


def _backward_case(rng, hidden: bool, index: int) -> Case:
    mix = _MIXES[index % len(_MIXES)]
    n = int(rng.integers(1, (3 if hidden else 2) + 1))
    c_in, c_out = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    kh, kw = int(rng.integers(1, (4 if hidden else 3) + 1)), int(rng.integers(2, (4 if hidden else 3) + 1))
    kwargs = {}
    if "stride" in mix:
        kwargs["stride"] = int_or_pair(rng, 1, 3 if hidden else 2, rng.random() < 0.5)
        if kwargs["stride"] == 1:
            kwargs["stride"] = 2
    if "overlap" in mix:  # a stride smaller than the kernel, but not 1
        kh, kw = max(kh, 3), max(kw, 3)
        kwargs["stride"] = 2
    if "padding" in mix:
        kwargs["padding"] = int_or_pair(rng, 1, 2, rng.random() < 0.5)
    (ph, pw) = pair(kwargs.get("padding", 0))
    high_h, high_w = (8, 9) if hidden else (6, 7)
    height = int(rng.integers(max(2, kh - 2 * ph), high_h + 1))
    width = int(rng.integers(max(2, kw - 2 * pw), high_w + 1))
    x = quarters(rng, (n, c_in, height, width))
    weight = quarters(rng, (c_out, c_in, kh, kw), nonzero=True)
    out = conv2d(x, weight, None, kwargs.get("stride", 1), kwargs.get("padding", 0))
    dout = quarters(rng, out.shape, nonzero=True)
    settings = "".join(f", {name}={value}" for name, value in kwargs.items())
    return Case((dout, x, weight), kwargs,
                f"random batch {n}x{c_in}x{height}x{width}, {c_out} filter{'s' if c_out > 1 else ''} "
                f"of {kh}x{kw}{settings}")


def _formula(a: Args) -> list[str]:
    return [
        f"dx has the shape of x: {np.shape(a.x)}",
        f"dw has the shape of weight: {np.shape(a.weight)}",
        f"db has one entry per filter: (C_out,) = {(np.shape(a.weight)[0],)}",
    ]


def _geometry(a: Args):
    x = np.asarray(a.x, dtype=np.float64)
    weight = np.asarray(a.weight, dtype=np.float64)
    dout = np.asarray(a.dout, dtype=np.float64)
    return x, weight, dout, pair(a.stride), pair(a.padding)


def _dx_only(value):
    return (value, None, None)


def _dx_not_accumulated(a: Args):
    """dx with each window's contribution written with = (row-major order: the last one wins)."""
    x, weight, dout, (sh, sw), (ph, pw) = _geometry(a)
    kh, kw = weight.shape[2:]
    n, c, h, w = x.shape
    padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = np.einsum("no,ocuv->ncuv", dout[:, :, i, j], weight)
            padded[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] = window
    return _dx_only(padded[:, :, ph : ph + h, pw : pw + w])


def _dx_padded(a: Args):
    x, weight, dout, stride, (ph, pw) = _geometry(a)
    if ph == pw == 0:
        return None
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    return _dx_only(conv2d_backward(dout, padded, weight, stride, 0)[0])


def _dx_unflipped(a: Args):
    x, weight, dout, stride, padding = _geometry(a)
    return _dx_only(conv2d_backward(dout, x, weight[..., ::-1, ::-1], stride, padding)[0])


def _dx_last_filter(a: Args):
    x, weight, dout, stride, padding = _geometry(a)
    if weight.shape[0] == 1:
        return None
    return _dx_only(conv2d_backward(dout[:, -1:], x, weight[-1:], stride, padding)[0])


def _dw(value):
    return (None, value, None)


def _dw_one_image(a: Args, which: slice):
    x, weight, dout, stride, padding = _geometry(a)
    if x.shape[0] == 1:
        return None
    return _dw(conv2d_backward(dout[which], x[which], weight, stride, padding)[1])


def _dw_averaged(a: Args):
    n = np.shape(a.x)[0]
    return None if n == 1 else _dw(a.expected[1] / n)


def _dw_last_position(a: Args):
    """dw written with = inside the loops: only the last image's last window is left."""
    x, weight, dout, (sh, sw), (ph, pw) = _geometry(a)
    kh, kw = weight.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    i, j = dout.shape[2] - 1, dout.shape[3] - 1
    window = padded[-1, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
    return _dw(dout[-1, :, i, j][:, None, None, None] * window[None])


def _db(value):
    return (None, None, value)


def _grad_tuple_mistakes():
    return (
        Mistake("gradient not accumulated over overlapping windows", "An input pixel lies in "
                "several windows and receives the sum of their contributions: dx[...] += ..., not "
                "= (with a stride smaller than the kernel, windows overlap).", _dx_not_accumulated),
        Mistake("padding not removed from dx", "Compute the gradient of the padded input, then crop "
                "the padding off: dx = dx_padded[:, :, p_h:p_h + H, p_w:p_w + W].", _dx_padded),
        Mistake("kernel not flipped in dx", "dx is the full convolution of dout with the *flipped* "
                "kernel (equivalently: scatter dout[n, o, i, j] * weight[o] back onto each window). "
                "Correlating dout with the unflipped kernel is wrong.", _dx_unflipped),
        Mistake("channels not summed", "dx[n, c] sums the contributions of all C_out filters: "
                "sum over o of dout[n, o, i, j] * weight[o, c]. Accumulate over o.", _dx_last_filter),
        Mistake("weight gradient not summed over the batch", "dw sums the contributions of all N "
                "images (the same weights are used for every image): yours has the first image's only.",
                lambda a: _dw_one_image(a, slice(0, 1))),
        Mistake("weight gradient not summed over the batch", "dw sums the contributions of all N "
                "images: yours has the last image's only (an = instead of += in the loop over n?).",
                lambda a: _dw_one_image(a, slice(-1, None))),
        Mistake("weight gradient not summed over the batch", "dw is the sum over the batch, not the "
                "mean: a loss that averages over the batch already scales dout.", _dw_averaged),
        Mistake("weight gradient not summed over positions", "The same weights are used at every "
                "output position: dw[o] sums dout[n, o, i, j] * (the window at (i, j)) over all "
                "positions and images. Use += in the loops.", _dw_last_position),
        Mistake("kernel flipped in dw", "dw[o, c, u, v] = sum over n, i, j of dout[n, o, i, j] * "
                "x_padded[n, c, i*s + u, j*s + v]: a correlation of x with dout, no flip.",
                lambda a: _dw(a.expected[1][..., ::-1, ::-1])),
        Mistake("weight axes swapped", "dw has the shape of weight, (C_out, C_in, kH, kW).",
                lambda a: _dw(a.expected[1].transpose(1, 0, 2, 3))),
        Mistake("bias gradient not summed over the batch", "db[o] sums dout[:, o] over the batch and "
                "all positions: dout.sum(axis=(0, 2, 3)).",
                lambda a: None if np.shape(a.dout)[0] == 1 else _db(np.asarray(a.dout)[0].sum(axis=(1, 2)))),
        Mistake("bias gradient not summed over the batch", "db is a sum over the batch and all "
                "positions, not a mean: dout.sum(axis=(0, 2, 3)).",
                lambda a: _db(np.asarray(a.dout, dtype=np.float64).mean(axis=(0, 2, 3)))),
        Mistake("bias gradient summed over the wrong axes", "db has one entry per filter: sum dout "
                "over the batch and the positions, axes (0, 2, 3), keeping axis 1.",
                lambda a: _db(np.asarray(a.dout, dtype=np.float64).sum(axis=(2, 3)))),
    )


register(Exercise(
    id="conv2d_backward",
    reference=conv2d_backward,
    signature="conv2d_backward(dout, x, weight, stride=1, padding=0)",
    description="The gradients of a convolution layer: (dx, dw, db) for the upstream gradient dout.",
    examples=(
        Case((np.array([[[[1, 2], [2, 4]]]]), MATRIX_IMAGE[None, None], MATRIX_KERNEL[None, None]), {},
             "the transposed-convolution slide: dout [[1, 2], [2, 4]] through the 2x2 kernel "
             "gives dx = [[1, 4, 4], [4, 13, 10], [4, 10, 4]]"),
    ),
    random_case=_backward_case,
    counts=(10, 30),
    formula=_formula,
    mistakes=_grad_tuple_mistakes(),
    output_names=("dx", "dw", "db"),
))
