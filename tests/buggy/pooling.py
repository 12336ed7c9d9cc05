"""Students' max_pool2d, avg_pool2d, min_pool2d, global_avg_pool2d, max_unpool2d, max_pool2d_backward."""

import math

import numpy as np

from .catalogue import buggy, correct


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _window_setup(x, kernel_size, stride, padding, fill, bug=None):
    """The padded input and the window geometry, as the students below compute them."""
    x = np.asarray(x, dtype=float)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    if bug == "stride default 1" and stride is None:
        sh = sw = 1
    if bug == "stride ignored":
        sh, sw = kh, kw
    if bug == "pairs swapped":
        kh, kw, sh, sw = kw, kh, sw, sh
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    if bug == "padding top/left only":
        xp = np.full((n, c, h + ph, w + pw), fill)
        xp[:, :, ph:, pw:] = x
    else:
        xp = np.full((n, c, h + 2 * ph, w + 2 * pw), fill)
        xp[:, :, ph:ph + h, pw:pw + w] = x
    if bug == "ceil":
        h_out = math.ceil((xp.shape[2] - kh) / sh) + 1
        w_out = math.ceil((xp.shape[3] - kw) / sw) + 1
        xp = np.pad(xp, ((0, 0), (0, 0), (0, sh), (0, sw)), constant_values=fill)
    else:
        h_out = (xp.shape[2] - kh) // sh + 1
        w_out = (xp.shape[3] - kw) // sw + 1
    return x, xp, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out)


# ---------------------------------------------------------------------------------------------
# max_pool2d
# ---------------------------------------------------------------------------------------------


def _student_max_pool(x, kernel_size, stride=None, padding=0, return_indices=False, bug=None):
    fill = 0.0 if bug == "zero padding" else -np.inf
    x, xp, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _window_setup(x, kernel_size, stride, padding, fill, bug)
    n, c, h, w = x.shape
    out = np.zeros((n, c, h_out, w_out))
    indices = np.zeros((n, c, h_out, w_out), dtype=float if bug == "float indices" else np.int64)
    for b in range(n):
        for ch in range(c):
            for i in range(h_out):
                for j in range(w_out):
                    window = xp[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    r, q = np.unravel_index(np.argmax(window), window.shape)
                    out[b, ch, i, j] = window[r, q]
                    row, col = i * sh + r - ph, j * sw + q - pw
                    if bug == "window indices":
                        indices[b, ch, i, j] = r * kw + q
                    elif bug == "padded indices":
                        indices[b, ch, i, j] = (row + ph) * (w + 2 * pw) + col + pw
                    elif bug == "global indices":
                        indices[b, ch, i, j] = ((b * c + ch) * h + row) * w + col
                    elif bug == "row times height":
                        indices[b, ch, i, j] = row * h + col
                    else:
                        indices[b, ch, i, j] = row * w + col
    return (out, indices) if return_indices else out


@correct("max_pool2d")
def max_pool2d(x, kernel_size, stride=None, padding=0, return_indices=False):
    return _student_max_pool(x, kernel_size, stride, padding, return_indices)


@correct("max_pool2d")
def max_pool2d_ravel(x, kernel_size, stride=None, padding=0, return_indices=False):
    """A student who loops over kernel offsets and tracks the best one."""
    x = np.asarray(x, dtype=float)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    best = np.full((n, c, h_out, w_out), -np.inf)
    where = np.zeros((n, c, h_out, w_out), dtype=np.int64)
    rows = np.arange(h_out)[:, None] * sh - ph
    cols = np.arange(w_out)[None, :] * sw - pw
    for u in range(kh):
        for v in range(kw):
            view = xp[:, :, u:u + (h_out - 1) * sh + 1:sh, v:v + (w_out - 1) * sw + 1:sw]
            better = view > best
            best = np.where(better, view, best)
            where = np.where(better, np.ravel_multi_index((rows + u, cols + v), (h, w), mode="clip"), where)
    return (best, where) if return_indices else best


def _max_pool_with(bug, mistake):
    def student(x, kernel_size, stride=None, padding=0, return_indices=False):
        return _student_max_pool(x, kernel_size, stride, padding, return_indices, bug=bug)

    student.__name__ = student.__qualname__ = "max_pool2d_" + bug.replace(" ", "_").replace("/", "_")
    return buggy("max_pool2d", mistake)(student)


for _bug, _mistake in [
    ("zero padding", "zeros instead of -inf padding"),
    ("stride default 1", "stride=None taken as 1"),
    ("stride ignored", "stride ignored"),
    ("padding top/left only", "padding on one side only"),
    ("ceil", "off by one in the output size"),
    ("window indices", "indices relative to the window"),
    ("padded indices", "indices into the padded plane"),
    ("global indices", "indices into the whole array"),
    ("row times height", "H and W swapped"),
    ("pairs swapped", "H and W swapped"),
    ("float indices", "indices not integers"),
]:
    _max_pool_with(_bug, _mistake)


@buggy("max_pool2d", None)
def max_pool2d_always_tuple(x, kernel_size, stride=None, padding=0, return_indices=False):
    return _student_max_pool(x, kernel_size, stride, padding, True)


# ---------------------------------------------------------------------------------------------
# avg_pool2d
# ---------------------------------------------------------------------------------------------


def _student_avg_pool(x, kernel_size, stride=None, padding=0, count_include_pad=True, bug=None):
    if bug == "divides in place":
        kh, kw = _pair(kernel_size)
        x = np.asarray(x, dtype=float)  # no copy when x is already float64
        x /= kh * kw  # "divide first, then just add up the windows"
    x, xp, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _window_setup(x, kernel_size, stride, padding, 0.0, bug)
    inside = np.zeros(xp.shape[2:])
    inside[ph:ph + x.shape[2], pw:pw + x.shape[3]] = 1
    if bug == "padding top/left only":
        inside = np.zeros(xp.shape[2:])
        inside[ph:, pw:] = 1
    n, c = x.shape[:2]
    out = np.zeros((n, c, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            total = window.sum(axis=(2, 3))
            count = inside[i * sh:i * sh + kh, j * sw:j * sw + kw].sum()
            exclude = not count_include_pad
            if bug == "count swapped":
                exclude = not exclude
            if bug == "sum":
                out[:, :, i, j] = total
            elif bug == "divides in place":
                out[:, :, i, j] = total * (kh * kw / count) if exclude else total
            elif bug == "int cast":
                out[:, :, i, j] = (total / (count if exclude else kh * kw)).astype(int)
            else:
                out[:, :, i, j] = total / (count if exclude else kh * kw)
    return out


@correct("avg_pool2d")
def avg_pool2d(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    return _student_avg_pool(x, kernel_size, stride, padding, count_include_pad)


def _avg_pool_with(bug, mistake):
    def student(x, kernel_size, stride=None, padding=0, count_include_pad=True):
        return _student_avg_pool(x, kernel_size, stride, padding, count_include_pad, bug=bug)

    student.__name__ = student.__qualname__ = "avg_pool2d_" + bug.replace(" ", "_").replace("/", "_")
    return buggy("avg_pool2d", mistake)(student)


for _bug, _mistake in [
    ("count swapped", "average including/excluding padding swapped"),
    ("sum", "sum instead of mean"),
    ("stride default 1", "stride=None taken as 1"),
    ("padding top/left only", "padding on one side only"),
    ("divides in place", "input modified in place"),
    ("int cast", "integer truncation"),
    ("ceil", "off by one in the output size"),
]:
    _avg_pool_with(_bug, _mistake)


# ---------------------------------------------------------------------------------------------
# min_pool2d and global_avg_pool2d
# ---------------------------------------------------------------------------------------------


def _student_min_pool(x, kernel_size, stride=None, padding=0, bug=None):
    fill = 0.0 if bug == "zero padding" else np.inf
    if bug == "maximum":
        fill = -np.inf
    x, xp, (kh, kw), (sh, sw), _, (h_out, w_out) = _window_setup(x, kernel_size, stride, padding, fill, bug)
    out = np.zeros(x.shape[:2] + (h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            if bug == "maximum":
                out[:, :, i, j] = window.max(axis=(2, 3))
            elif bug == "negated maximum":
                out[:, :, i, j] = -np.where(np.isinf(window), -np.inf, window).max(axis=(2, 3))
            else:
                out[:, :, i, j] = window.min(axis=(2, 3))
    return out


@correct("min_pool2d")
def min_pool2d(x, kernel_size, stride=None, padding=0):
    return _student_min_pool(x, kernel_size, stride, padding)


@correct("min_pool2d")
def min_pool2d_negated(x, kernel_size, stride=None, padding=0):
    return -_student_max_pool(-np.asarray(x, dtype=float), kernel_size, stride, padding)


def _min_pool_with(bug, mistake):
    def student(x, kernel_size, stride=None, padding=0):
        return _student_min_pool(x, kernel_size, stride, padding, bug=bug)

    student.__name__ = student.__qualname__ = "min_pool2d_" + bug.replace(" ", "_")
    return buggy("min_pool2d", mistake)(student)


for _bug, _mistake in [
    ("maximum", "maximum instead of minimum"),
    ("negated maximum", "sign error"),
    ("zero padding", "zeros instead of +inf padding"),
    ("stride default 1", "stride=None taken as 1"),
]:
    _min_pool_with(_bug, _mistake)


@correct("global_avg_pool2d")
def global_avg_pool2d(x):
    x = np.asarray(x, dtype=float)
    n, c, h, w = x.shape
    out = np.zeros((n, c, 1, 1))
    for b in range(n):
        for ch in range(c):
            out[b, ch, 0, 0] = x[b, ch].sum() / (h * w)
    return out


@buggy("global_avg_pool2d", "size-1 axes dropped")
def global_avg_pool2d_flat(x):
    return np.asarray(x, dtype=float).mean(axis=(2, 3))


@buggy("global_avg_pool2d", "averaged over the channels too")
def global_avg_pool2d_all_channels(x):
    x = np.asarray(x, dtype=float)
    out = np.zeros((x.shape[0], x.shape[1], 1, 1))
    for b in range(x.shape[0]):
        out[b] = x[b].mean()
    return out


@buggy("global_avg_pool2d", "sum instead of mean")
def global_avg_pool2d_sum(x):
    return np.asarray(x, dtype=float).sum(axis=(2, 3), keepdims=True)


@buggy("global_avg_pool2d", "maximum instead of mean")
def global_avg_pool2d_max(x):
    return np.asarray(x, dtype=float).max(axis=(2, 3), keepdims=True)


# ---------------------------------------------------------------------------------------------
# max_unpool2d
# ---------------------------------------------------------------------------------------------


def _student_unpool(x, indices, kernel_size, stride=None, padding=0, output_size=None, bug=None):
    x = np.asarray(x, dtype=float)
    indices = np.asarray(indices)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    if bug == "stride default 1" and stride is None:
        sh = sw = 1
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    if output_size is not None and bug != "output_size ignored":
        height, width = output_size[-2:]
    elif bug == "no padding in size":
        height, width = (h - 1) * sh + kh, (w - 1) * sw + kw
    else:
        height, width = (h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw
    out = np.zeros((n, c, height, width))
    for b in range(n):
        for ch in range(c):
            for i in range(h):
                for j in range(w):
                    if bug == "bed of nails":
                        out[b, ch, i * sh, j * sw] = x[b, ch, i, j]
                        continue
                    row, col = divmod(int(indices[b, ch, i, j]), height if bug == "divide by height" else width)
                    out[b, ch, row, col] = x[b, ch, i, j]
    return out


@correct("max_unpool2d")
def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _student_unpool(x, indices, kernel_size, stride, padding, output_size)


@correct("max_unpool2d")
def max_unpool2d_flat(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    x, indices = np.asarray(x, dtype=float), np.asarray(indices)
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(kernel_size if stride is None else stride)
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    if output_size is None:
        output_size = ((h - 1) * sh - 2 * ph + kh, (w - 1) * sw - 2 * pw + kw)
    height, width = output_size[-2:]
    out = np.zeros((n, c, height * width))
    for b in range(n):
        for ch in range(c):
            out[b, ch, indices[b, ch].ravel()] = x[b, ch].ravel()
    return out.reshape(n, c, height, width)


def _unpool_with(bug, mistake):
    def student(x, indices, kernel_size, stride=None, padding=0, output_size=None):
        return _student_unpool(x, indices, kernel_size, stride, padding, output_size, bug=bug)

    student.__name__ = student.__qualname__ = "max_unpool2d_" + bug.replace(" ", "_")
    return buggy("max_unpool2d", mistake)(student)


for _bug, _mistake in [
    ("bed of nails", "indices ignored"),
    ("no padding in size", None),  # an IndexError, or the named mistake
    ("output_size ignored", None),
    ("divide by height", None),
    ("stride default 1", None),
]:
    _unpool_with(_bug, _mistake)


# ---------------------------------------------------------------------------------------------
# max_pool2d_backward
# ---------------------------------------------------------------------------------------------


def _student_pool_backward(dout, x, kernel_size, stride=None, padding=0, bug=None):
    fill = 0.0 if bug == "zero padding" else -np.inf
    x, xp, (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _window_setup(x, kernel_size, stride, padding, fill)
    if bug != "zeros dout":
        dout = np.asarray(dout, dtype=float)
    n, c, h, w = x.shape
    dxp = np.zeros(xp.shape)
    for b in range(n):
        for ch in range(c):
            for i in range(h_out):
                for j in range(w_out):
                    window = xp[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    r, q = np.unravel_index(np.argmax(window), window.shape)
                    if bug == "assigned":
                        dxp[b, ch, i * sh + r, j * sw + q] = dout[b, ch, i, j]
                    elif bug == "spread":
                        dxp[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[b, ch, i, j]
                    elif bug == "spread evenly":
                        dxp[b, ch, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[b, ch, i, j] / (kh * kw)
                    else:
                        dxp[b, ch, i * sh + r, j * sw + q] += dout[b, ch, i, j]
                    if bug == "zeros dout":
                        dout[b, ch, i, j] = 0  # "mark this gradient as used"
    if bug == "padding kept":
        return dxp
    return dxp[:, :, ph:ph + h, pw:pw + w]


@correct("max_pool2d_backward")
def max_pool2d_backward(dout, x, kernel_size, stride=None, padding=0):
    return _student_pool_backward(dout, x, kernel_size, stride, padding)


def _pool_backward_with(bug, mistake):
    def student(dout, x, kernel_size, stride=None, padding=0):
        return _student_pool_backward(dout, x, kernel_size, stride, padding, bug=bug)

    student.__name__ = student.__qualname__ = "max_pool2d_backward_" + bug.replace(" ", "_")
    return buggy("max_pool2d_backward", mistake)(student)


for _bug, _mistake in [
    ("assigned", "gradient not accumulated over overlapping windows"),
    ("spread", "gradient spread over the whole window"),
    ("spread evenly", "gradient spread over the whole window"),
    ("zero padding", "zeros instead of -inf padding"),
    ("padding kept", "padding not removed"),
    ("zeros dout", "input modified in place"),
]:
    _pool_backward_with(_bug, _mistake)
