"""Students' upsample_nearest, bed_of_nails, upsample_bilinear, conv_transpose2d, conv_matrix and
conv_transpose2d_zero_insertion."""

import math

import numpy as np

from .catalogue import buggy, correct


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _register(exercise_id, student, bug, mistake, prefix):
    """Register `student` with one `bug` switched on, under a readable name."""

    def wrong(*args, **kwargs):
        return student(*args, **kwargs, bug=bug)

    wrong.__name__ = wrong.__qualname__ = prefix + "_" + bug.replace(" ", "_").replace("-", "_")
    return buggy(exercise_id, mistake)(wrong)


# ---------------------------------------------------------------------------------------------
# upsample_nearest
# ---------------------------------------------------------------------------------------------


def _student_nearest(x, scale_factor, bug=None):
    x = np.asarray(x, dtype=float)
    sh, sw = _pair(scale_factor)
    if bug == "pairs swapped":
        sh, sw = sw, sh
    n, c, h, w = x.shape
    if bug == "tiled":
        return np.tile(x, (1, 1, sh, sw))
    out = np.zeros((n, c, h * sh, w * sw))
    for i in range(h * sh):
        for j in range(w * sw):
            if bug == "rounded":
                row, col = min(int(i / sh + 0.5), h - 1), min(int(j / sw + 0.5), w - 1)
            elif bug == "ceil":
                row, col = min(math.ceil(i / sh), h - 1), min(math.ceil(j / sw), w - 1)
            else:
                row, col = i // sh, j // sw
            out[:, :, i, j] = x[:, :, row, col]
    return out


@correct("upsample_nearest")
def upsample_nearest(x, scale_factor):
    return _student_nearest(x, scale_factor)


@correct("upsample_nearest")
def upsample_nearest_repeat(x, scale_factor):
    sh, sw = _pair(scale_factor)
    return np.repeat(np.repeat(np.asarray(x, dtype=float), sh, axis=2), sw, axis=3)


for _bug, _mistake in [
    ("rounded", "wrong neighbour"),
    ("ceil", "wrong neighbour"),
    ("tiled", "image tiled instead of pixels repeated"),
    ("pairs swapped", "H and W swapped"),
]:
    _register("upsample_nearest", _student_nearest, _bug, _mistake, "upsample_nearest")


# ---------------------------------------------------------------------------------------------
# bed_of_nails
# ---------------------------------------------------------------------------------------------


def _student_nails(x, scale_factor, bug=None):
    x = np.asarray(x, dtype=float)
    sh, sw = _pair(scale_factor)
    if bug == "pairs swapped":
        sh, sw = sw, sh
    n, c, h, w = x.shape
    if bug == "no trailing zeros":
        out = np.zeros((n, c, (h - 1) * sh + 1, (w - 1) * sw + 1))
    else:
        out = np.zeros((n, c, h * sh, w * sw))
    for i in range(h):
        for j in range(w):
            if bug == "centre":
                out[:, :, i * sh + sh // 2, j * sw + sw // 2] = x[:, :, i, j]
            elif bug == "bottom right":
                out[:, :, i * sh + sh - 1, j * sw + sw - 1] = x[:, :, i, j]
            elif bug == "whole block":
                out[:, :, i * sh:(i + 1) * sh, j * sw:(j + 1) * sw] = x[:, :, i, j, None, None]
            else:
                out[:, :, i * sh, j * sw] = x[:, :, i, j]
    return out


@correct("bed_of_nails")
def bed_of_nails(x, scale_factor):
    return _student_nails(x, scale_factor)


@correct("bed_of_nails")
def bed_of_nails_sliced(x, scale_factor):
    x = np.asarray(x, dtype=float)
    sh, sw = _pair(scale_factor)
    out = np.zeros(x.shape[:2] + (x.shape[2] * sh, x.shape[3] * sw))
    out[:, :, ::sh, ::sw] = x
    return out


for _bug, _mistake in [
    ("centre", "nail at the block centre"),
    ("bottom right", "nail at the bottom-right corner"),
    ("whole block", "copied into the whole block"),
    ("no trailing zeros", "trailing zeros missing"),
    ("pairs swapped", "H and W swapped"),
]:
    _register("bed_of_nails", _student_nails, _bug, _mistake, "bed_of_nails")


# ---------------------------------------------------------------------------------------------
# upsample_bilinear
# ---------------------------------------------------------------------------------------------


def _student_bilinear(x, scale_factor=None, size=None, align_corners=False, bug=None):
    x = np.asarray(x, dtype=float)
    n, c, h, w = x.shape
    if size is not None:
        h_out, w_out = _pair(size)
        if bug == "pairs swapped":
            h_out, w_out = w_out, h_out
    else:
        sh, sw = _pair(scale_factor)
        if bug == "pairs swapped":
            sh, sw = sw, sh
        h_out, w_out = h * sh, w * sw
    corners = (not align_corners) if bug == "conventions swapped" else align_corners

    def source(o, n_in, n_out):
        """Where output pixel o samples the input, and its two neighbours with their weights."""
        if corners:
            src = o * (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        elif bug == "no half pixel":
            src = o * n_in / n_out
        else:
            src = (o + 0.5) * n_in / n_out - 0.5
            if bug != "no clamp":
                src = max(src, 0.0)
        low = math.floor(src)
        t = src - low
        high = min(low + 1, n_in - 1)
        low = min(low, n_in - 1)
        if bug == "weights swapped":
            t = 1 - t
        return low, high, t

    out = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        r0, r1, ti = source(i, h, h_out)
        for j in range(w_out):
            c0, c1, tj = source(j, w, w_out)
            top = x[:, :, r0, c0] * (1 - tj) + x[:, :, r0, c1] * tj
            bottom = x[:, :, r1, c0] * (1 - tj) + x[:, :, r1, c1] * tj
            out[:, :, i, j] = top * (1 - ti) + bottom * ti
    return out


@correct("upsample_bilinear")
def upsample_bilinear(x, scale_factor=None, size=None, align_corners=False):
    return _student_bilinear(x, scale_factor, size, align_corners)


@correct("upsample_bilinear")
def upsample_bilinear_matrices(x, scale_factor=None, size=None, align_corners=False):
    """A student who writes the interpolation along each axis as a matrix."""
    x = np.asarray(x, dtype=float)
    h, w = x.shape[2:]
    if size is not None:
        h_out, w_out = _pair(size)
    else:
        h_out, w_out = h * _pair(scale_factor)[0], w * _pair(scale_factor)[1]

    def matrix(n_in, n_out):
        o = np.arange(n_out)
        if align_corners:
            src = o * (n_in - 1) / max(n_out - 1, 1)
        else:
            src = np.clip((o + 0.5) * n_in / n_out - 0.5, 0, None)
        low = np.minimum(np.floor(src).astype(int), n_in - 1)
        high = np.minimum(low + 1, n_in - 1)
        m = np.zeros((n_out, n_in))
        np.add.at(m, (o, low), 1 - (src - low))
        np.add.at(m, (o, high), src - low)
        return m

    return np.einsum("ih,nchw,jw->ncij", matrix(h, h_out), x, matrix(w, w_out))


for _bug, _mistake in [
    ("conventions swapped", "align_corners conventions swapped"),
    ("no half pixel", "half-pixel offset missing"),
    ("no clamp", "source position not clamped at 0"),
    ("weights swapped", "neighbour weights swapped"),
    ("pairs swapped", "H and W swapped"),
]:
    _register("upsample_bilinear", _student_bilinear, _bug, _mistake, "upsample_bilinear")


# ---------------------------------------------------------------------------------------------
# conv_transpose2d: every input pixel stamps the kernel
# ---------------------------------------------------------------------------------------------


def _student_transpose(x, weight, bias=None, stride=1, padding=0, output_padding=0, bug=None):
    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    n, c_in, h, w = x.shape
    _, c_out, kh, kw = weight.shape
    sh, sw = (1, 1) if bug == "stride ignored" else _pair(stride)
    ph, pw = _pair(padding)
    oh, ow = (0, 0) if bug == "output_padding ignored" else _pair(output_padding)
    full_h, full_w = (h - 1) * sh + kh, (w - 1) * sw + kw
    canvas = np.zeros((n, c_out, full_h + oh, full_w + ow))
    for b in range(n):
        for c in range(c_in):
            kernel = weight[c]
            if bug == "flipped":
                kernel = kernel[:, ::-1, ::-1]
            elif bug == "channels swapped":
                kernel = weight[:, c]
            for i in range(h):
                for j in range(w):
                    canvas[b, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += x[b, c, i, j] * kernel
    h_out, w_out = full_h - 2 * ph + oh, full_w - 2 * pw + ow
    if bug == "not cropped":
        out = canvas
    elif bug == "cropped at the top":
        out = canvas[:, :, 2 * ph:2 * ph + h_out, 2 * pw:2 * pw + w_out]
    elif bug == "cropped at the bottom":
        out = canvas[:, :, :h_out, :w_out]
    elif bug == "output_padding at the top":
        canvas = np.pad(canvas[:, :, :full_h, :full_w], ((0, 0), (0, 0), (oh, 0), (ow, 0)))
        out = canvas[:, :, ph:ph + h_out, pw:pw + w_out]
    else:
        out = canvas[:, :, ph:ph + h_out, pw:pw + w_out]
    if bias is not None and bug != "bias ignored":
        out = out + np.asarray(bias, dtype=float)[:, None, None]
    return out


@correct("conv_transpose2d")
def conv_transpose2d(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    return _student_transpose(x, weight, bias, stride, padding, output_padding)


@correct("conv_transpose2d")
def conv_transpose2d_offsets(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    """A student who loops over kernel offsets: offset (u, v) of every stamp at once."""
    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    n, _, h, w = x.shape
    _, c_out, kh, kw = weight.shape
    (sh, sw), (ph, pw), (oh, ow) = _pair(stride), _pair(padding), _pair(output_padding)
    h_out, w_out = (h - 1) * sh - 2 * ph + kh + oh, (w - 1) * sw - 2 * pw + kw + ow
    canvas = np.zeros((n, c_out, max((h - 1) * sh + kh, ph + h_out), max((w - 1) * sw + kw, pw + w_out)))
    for u in range(kh):
        for v in range(kw):
            canvas[:, :, u:u + (h - 1) * sh + 1:sh, v:v + (w - 1) * sw + 1:sw] += np.einsum(
                "nchw,co->nohw", x, weight[:, :, u, v])
    out = canvas[:, :, ph:ph + h_out, pw:pw + w_out]
    return out if bias is None else out + np.asarray(bias, dtype=float)[:, None, None]


for _bug, _mistake in [
    ("not cropped", "padding not cropped"),
    ("cropped at the top", "cropped on one side only"),
    ("cropped at the bottom", "cropped on one side only"),
    ("output_padding ignored", "output_padding ignored"),
    ("output_padding at the top", "output_padding on the wrong side"),
    ("flipped", "kernel flipped"),
    ("channels swapped", "channel axes of the weight swapped"),
    ("stride ignored", "stride ignored"),
    ("bias ignored", "bias ignored"),
]:
    _register("conv_transpose2d", _student_transpose, _bug, _mistake, "conv_transpose2d")


# ---------------------------------------------------------------------------------------------
# conv_transpose2d_zero_insertion: insert zeros, pad, convolve with the flipped kernel
# ---------------------------------------------------------------------------------------------


def _correlate(padded, kernel):
    """Valid cross-correlation of (N, C, H, W) images with (O, C, kH, kW) filters, offset by offset."""
    o, _, kh, kw = kernel.shape
    n, _, hp, wp = padded.shape
    out = np.zeros((n, o, hp - kh + 1, wp - kw + 1))
    for u in range(kh):
        for v in range(kw):
            out += np.einsum("nchw,oc->nohw", padded[:, :, u:u + out.shape[2], v:v + out.shape[3]], kernel[:, :, u, v])
    return out


def _student_zero(x, weight, bias=None, stride=1, padding=0, output_padding=0, bug=None):
    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    n, c_in, h, w = x.shape
    kh, kw = weight.shape[2:]
    sh, sw = (1, 1) if bug == "stride ignored" else _pair(stride)
    ph, pw = _pair(padding)
    oh, ow = (0, 0) if bug == "output_padding ignored" else _pair(output_padding)
    if bug == "zeros after":
        spread = np.zeros((n, c_in, h * sh, w * sw))
    else:
        spread = np.zeros((n, c_in, (h - 1) * sh + 1, (w - 1) * sw + 1))
    spread[:, :, ::sh, ::sw] = x
    top, left = kh - 1 - ph, kw - 1 - pw
    if bug == "pad p":
        top, left = ph, pw
    elif bug == "padding ignored":
        top, left = kh - 1, kw - 1
    if bug == "output_padding at the top":
        widths = ((0, 0), (0, 0), (top + oh, top), (left + ow, left))
    else:
        widths = ((0, 0), (0, 0), (top, top + oh), (left, left + ow))
    padded = np.pad(spread, widths)
    if bug == "not flipped":
        kernel = weight.transpose(1, 0, 2, 3)
    elif bug == "not swapped":
        kernel = weight[:, :, ::-1, ::-1]
    else:
        kernel = weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
    out = _correlate(padded, kernel)
    if bias is not None and bug != "bias ignored":
        out = out + np.asarray(bias, dtype=float)[:, None, None]
    return out


@correct("conv_transpose2d_zero_insertion")
def conv_transpose2d_zero_insertion(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    return _student_zero(x, weight, bias, stride, padding, output_padding)


@correct("conv_transpose2d_zero_insertion")
def conv_transpose2d_zero_insertion_loops(x, weight, bias=None, stride=1, padding=0, output_padding=0):
    """A student who builds the zero-interleaved input pixel by pixel and convolves with loops."""
    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    n, c_in, h, w = x.shape
    _, c_out, kh, kw = weight.shape
    (sh, sw), (ph, pw), (oh, ow) = _pair(stride), _pair(padding), _pair(output_padding)
    top, left = kh - 1 - ph, kw - 1 - pw
    big = np.zeros((n, c_in, (h - 1) * sh + 1 + 2 * top + oh, (w - 1) * sw + 1 + 2 * left + ow))
    for i in range(h):
        for j in range(w):
            big[:, :, top + i * sh, left + j * sw] = x[:, :, i, j]
    flipped = weight[:, :, ::-1, ::-1]
    out = np.zeros((n, c_out, big.shape[2] - kh + 1, big.shape[3] - kw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = np.einsum("ncuv,couv->no", big[:, :, i:i + kh, j:j + kw], flipped)
    return out if bias is None else out + np.asarray(bias, dtype=float)[:, None, None]


for _bug, _mistake in [
    ("not flipped", "kernel not flipped"),
    ("not swapped", "channel axes of the weight not swapped"),
    ("zeros after", "zeros inserted after every pixel"),
    ("pad p", "padded by p instead of k - 1 - p"),
    ("padding ignored", "padding ignored"),
    ("output_padding ignored", "output_padding ignored"),
    ("output_padding at the top", "output_padding on the wrong side"),
    ("stride ignored", "stride ignored"),
    ("bias ignored", "bias ignored"),
]:
    _register("conv_transpose2d_zero_insertion", _student_zero, _bug, _mistake, "zero_insertion")


# ---------------------------------------------------------------------------------------------
# conv_matrix
# ---------------------------------------------------------------------------------------------


def _student_matrix(kernel, input_shape, stride=1, padding=0, bug=None):
    k = np.asarray(kernel, dtype=float)
    kh, kw = k.shape
    h, w = _pair(input_shape)
    sh, sw = (1, 1) if bug == "stride ignored" else _pair(stride)
    ph, pw = _pair(padding)
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    columns = (h + 2 * ph) * (w + 2 * pw) if bug == "padding columns" else h * w
    m = np.zeros((h_out * w_out, columns))
    for i in range(h_out):
        for j in range(w_out):
            for u in range(kh):
                for v in range(kw):
                    r, c = i * sh + u - ph, j * sw + v - pw
                    value = k[kh - 1 - u, kw - 1 - v] if bug == "flipped" else k[u, v]
                    if bug == "padding columns":
                        m[i * w_out + j, (r + ph) * (w + 2 * pw) + c + pw] = value
                    elif not (0 <= r < h and 0 <= c < w):
                        continue
                    elif bug == "column-major":
                        m[j * h_out + i, c * h + r] = value
                    else:
                        m[i * w_out + j, r * w + c] = value
    return m.T if bug == "transposed" else m


@correct("conv_matrix")
def conv_matrix(kernel, input_shape, stride=1, padding=0):
    return _student_matrix(kernel, input_shape, stride, padding)


@correct("conv_matrix")
def conv_matrix_basis(kernel, input_shape, stride=1, padding=0):
    """A student who convolves each basis image (one 1, zeros elsewhere): column by column."""
    k = np.asarray(kernel, dtype=float)
    kh, kw = k.shape
    h, w = _pair(input_shape)
    (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
    columns = []
    for index in range(h * w):
        image = np.zeros(h * w)
        image[index] = 1
        padded = np.pad(image.reshape(h, w), ((ph, ph), (pw, pw)))
        h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        out = np.array([[np.sum(padded[i * sh:i * sh + kh, j * sw:j * sw + kw] * k) for j in range(w_out)]
                        for i in range(h_out)])
        columns.append(out.ravel())
    return np.stack(columns, axis=1)


for _bug, _mistake in [
    ("transposed", "matrix transposed"),
    ("flipped", "kernel flipped"),
    ("padding columns", "columns for the padding"),
    ("column-major", "column-major order"),
    ("stride ignored", "stride ignored"),
]:
    _register("conv_matrix", _student_matrix, _bug, _mistake, "conv_matrix")
