"""Students' conv2d_backward(dout, x, weight, stride=1, padding=0) -> (dx, dw, db)."""

import numpy as np

from .catalogue import buggy, correct


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _student_backward(dout, x, weight, stride=1, padding=0, bug=None):
    """Scatter each output's gradient back onto its window, as students write it."""
    dout = np.asarray(dout, dtype=float)
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    f, _, kh, kw = weight.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(weight)
    h_out, w_out = dout.shape[2:]
    for b in range(n):
        if bug == "dw first image" and b > 0:
            dw_frozen = dw.copy()
        for i in range(h_out):
            for j in range(w_out):
                window = xp[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
                grad = dout[b, :, i, j]
                contribution = np.einsum("o,ocuv->cuv", grad, weight)
                if bug == "dx assigned":
                    dxp[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = contribution
                else:
                    dxp[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += contribution
                if bug == "dw assigned":
                    dw = np.einsum("o,cuv->ocuv", grad, window)
                else:
                    dw += np.einsum("o,cuv->ocuv", grad, window)
        if bug == "dw first image" and b > 0:
            dw = dw_frozen
    if bug == "dw averaged":
        dw = dw / n
    if bug == "db first image":
        db = dout[0].sum(axis=(1, 2))
    elif bug == "db averaged":
        db = dout.mean(axis=(0, 2, 3))
    elif bug == "db wrong axes":
        db = dout.sum(axis=(2, 3))
    else:
        db = dout.sum(axis=(0, 2, 3))
    dx = dxp if bug == "dx padded" else dxp[:, :, ph:ph + h, pw:pw + w]
    if bug == "two outputs":
        return dx, dw
    return dx, dw, db


@correct("conv2d_backward")
def conv2d_backward(dout, x, weight, stride=1, padding=0):
    return _student_backward(dout, x, weight, stride, padding)


def _correlate_full(dout, weight, stride, size, flip):
    """dx of the padded input as the full convolution of the dilated dout with the kernel."""
    sh, sw = stride
    n, f, h_out, w_out = dout.shape
    kh, kw = weight.shape[2:]
    dilated = np.zeros((n, f, (h_out - 1) * sh + 1, (w_out - 1) * sw + 1))
    dilated[:, :, ::sh, ::sw] = dout
    padded = np.pad(dilated, ((0, 0), (0, 0), (kh - 1, kh - 1), (kw - 1, kw - 1)))
    kernel = weight[:, :, ::-1, ::-1] if flip else weight
    out = np.zeros((n, weight.shape[1]) + size)
    for i in range(dilated.shape[2] + kh - 1):
        for j in range(dilated.shape[3] + kw - 1):
            out[:, :, i, j] = np.einsum("nouv,ocuv->nc", padded[:, :, i:i + kh, j:j + kw], kernel)
    return out


def _backward_by_convolution(dout, x, weight, stride=1, padding=0, flip=True):
    dout, x, weight = (np.asarray(a, dtype=float) for a in (dout, x, weight))
    (ph, pw), stride = _pair(padding), _pair(stride)
    h, w = x.shape[2:]
    dxp = _correlate_full(dout, weight, stride, (h + 2 * ph, w + 2 * pw), flip)
    dx = dxp[:, :, ph:ph + h, pw:pw + w]
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = weight.shape[2:]
    h_out, w_out = dout.shape[2:]
    sh, sw = stride
    dw = np.zeros_like(weight)
    for u in range(kh):
        for v in range(kw):
            view = xp[:, :, u:u + (h_out - 1) * sh + 1:sh, v:v + (w_out - 1) * sw + 1:sw]
            dw[:, :, u, v] = np.einsum("nohw,nchw->oc", dout, view)
    return dx, dw, dout.sum(axis=(0, 2, 3))


@correct("conv2d_backward")
def conv2d_backward_full_convolution(dout, x, weight, stride=1, padding=0):
    """dx as a full convolution with the flipped kernel, dw as a correlation of x with dout."""
    return _backward_by_convolution(dout, x, weight, stride, padding, flip=True)


@buggy("conv2d_backward", "kernel not flipped in dx")
def conv2d_backward_unflipped(dout, x, weight, stride=1, padding=0):
    return _backward_by_convolution(dout, x, weight, stride, padding, flip=False)


@buggy("conv2d_backward", "channels not summed")
def conv2d_backward_last_filter(dout, x, weight, stride=1, padding=0):
    dx, dw, db = _student_backward(dout, x, weight, stride, padding)
    dout, weight = np.asarray(dout, dtype=float), np.asarray(weight, dtype=float)
    for o in range(weight.shape[0]):  # dx overwritten for every filter instead of summed
        dx = _student_backward(dout[:, o:o + 1], x, weight[o:o + 1], stride, padding)[0]
    return dx, dw, db


def _backward_with(bug, mistake):
    def student(dout, x, weight, stride=1, padding=0):
        return _student_backward(dout, x, weight, stride, padding, bug=bug)

    student.__name__ = student.__qualname__ = "conv2d_backward_" + bug.replace(" ", "_")
    return buggy("conv2d_backward", mistake)(student)


for _bug, _mistake in [
    ("dx assigned", "gradient not accumulated over overlapping windows"),
    ("dx padded", "padding not removed from dx"),
    ("dw first image", "weight gradient not summed over the batch"),
    ("dw averaged", "weight gradient not summed over the batch"),
    ("dw assigned", "weight gradient not summed over positions"),
    ("db first image", "bias gradient not summed over the batch"),
    ("db averaged", "bias gradient not summed over the batch"),
    ("db wrong axes", "bias gradient summed over the wrong axes"),
    ("two outputs", "wrong number of outputs"),
]:
    _backward_with(_bug, _mistake)
