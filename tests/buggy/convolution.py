"""Students' corr2d, conv2d_basic, conv2d, pad2d, conv_output_size and receptive_field."""

import math

import numpy as np

from .catalogue import buggy, correct


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


# ---------------------------------------------------------------------------------------------
# corr2d
# ---------------------------------------------------------------------------------------------


@correct("corr2d")
def corr2d(x, k):
    x = np.asarray(x, dtype=float)
    k = np.asarray(k, dtype=float)
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out


@buggy("corr2d", "kernel flipped")
def corr2d_flipped(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += x[i + u, j + v] * k[kh - 1 - u, kw - 1 - v]
    return out


@buggy("corr2d", "off by one in the output size")
def corr2d_no_plus_one(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    h, w = x.shape[0] - k.shape[0], x.shape[1] - k.shape[1]
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            out[i, j] = np.sum(x[i:i + k.shape[0], j:j + k.shape[1]] * k)
    return out


@buggy("corr2d", "output the size of the input")
def corr2d_input_sized(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    out = np.zeros_like(x)
    for i in range(x.shape[0] - k.shape[0] + 1):
        for j in range(x.shape[1] - k.shape[1] + 1):
            out[i, j] = np.sum(x[i:i + k.shape[0], j:j + k.shape[1]] * k)
    return out


@buggy("corr2d", "H and W swapped")
def corr2d_kernel_transposed(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += x[i + u, j + v] * k[v, u]  # an IndexError for some kernels
    return out


@buggy("corr2d", "integer truncation")
def corr2d_zeros_like(x, k):
    x, k = np.asarray(x), np.asarray(k)
    kh, kw = k.shape
    out = np.zeros_like(x)[: x.shape[0] - kh + 1, : x.shape[1] - kw + 1]
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k)
    return out


@buggy("corr2d", "integer truncation")
def corr2d_int_cast(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = int(np.sum(x[i:i + kh, j:j + kw] * k))
    return out


@buggy("corr2d", "input modified in place")
def corr2d_flips_in_place(x, k):
    x = np.asarray(x, dtype=float)
    k[:] = k[::-1, ::-1].copy()  # "flip the kernel as in the formula", then undo it by indexing
    kh, kw = k.shape
    out = np.zeros((x.shape[0] - kh + 1, x.shape[1] - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(x[i:i + kh, j:j + kw] * k[::-1, ::-1])
    return out


@buggy("corr2d", "returned None")
def corr2d_no_return(x, k):
    out = np.zeros((len(x) - len(k) + 1, len(x[0]) - len(k[0]) + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(np.asarray(x)[i:i + len(k), j:j + len(k[0])] * k)


@buggy("corr2d", "not implemented yet")
def corr2d_stub(x, k):
    raise NotImplementedError()


@buggy("corr2d", None)
def corr2d_index_error(x, k):
    x, k = np.asarray(x, dtype=float), np.asarray(k, dtype=float)
    out = np.zeros((x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for u in range(k.shape[0]):
                for v in range(k.shape[0]):  # the kernel's height used for its width too
                    out[i, j] += x[i + u, j + v] * k[u, v]
    return out


# ---------------------------------------------------------------------------------------------
# conv2d_basic and conv2d: one student's loop, with the bugs students make in it
# ---------------------------------------------------------------------------------------------


def _student_conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, bug=None):
    """A loop over output positions, as students write it; `bug` changes one line."""
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    if bug == "pairs swapped":
        sh, sw, ph, pw, dh, dw = sw, sh, pw, ph, dw, dh
    if bug == "stride ignored":
        sh = sw = 1
    if bug == "dilation ignored":
        dh = dw = 1
    if bug == "dilation off by one":
        dh, dw = dh + 1, dw + 1
    if bug == "kernel flipped":
        weight = weight[:, :, ::-1, ::-1]
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape

    if bug == "padding ignored":
        xp = x
    elif bug == "padding top/left only":
        xp = np.zeros((n, c_in, h + ph, w + pw))
        xp[:, :, ph:, pw:] = x
    elif bug == "padding bottom/right only":
        xp = np.zeros((n, c_in, h + 2 * ph, w + 2 * pw))
        xp[:, :, :h, :w] = x
    else:
        xp = np.zeros((n, c_in, h + 2 * ph, w + 2 * pw))
        xp[:, :, ph:ph + h, pw:pw + w] = x

    span_h, span_w = dh * (kh - 1) + 1, dw * (kw - 1) + 1
    if bug == "ceil":
        h_out = math.ceil((xp.shape[2] - span_h) / sh) + 1
        w_out = math.ceil((xp.shape[3] - span_w) / sw) + 1
        xp = np.pad(xp, ((0, 0), (0, 0), (0, sh), (0, sw)))  # so that the last windows can be read
    else:
        h_out = (xp.shape[2] - span_h) // sh + 1
        w_out = (xp.shape[3] - span_w) // sw + 1
    if bug == "no plus one":
        h_out, w_out = h_out - 1, w_out - 1

    out = np.zeros((n, c_out, h_out, w_out))
    for b in range(n):
        if bug == "first image only" and b > 0:
            break
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    total = 0.0
                    for c in range(c_in):
                        window = xp[b, c, i * sh:i * sh + span_h:dh, j * sw:j * sw + span_w:dw]
                        kernel = weight[c, o] if bug == "weight axes swapped" else weight[o, c]
                        term = np.sum(window * kernel)
                        if bug == "channels overwritten":
                            total = term
                        else:
                            total += term
                        if bug == "bias in channel loop" and bias is not None:
                            total += bias[o]
                    if bug == "channels averaged":
                        total /= c_in
                    if bias is not None and bug not in ("bias ignored", "bias in channel loop"):
                        total += bias[o]
                    out[b, o, i, j] = int(total) if bug == "int cast" else total
    if bug == "first image only":
        out = out[:1]
    return out


@correct("conv2d_basic")
def conv2d_basic(x, weight, bias=None):
    return _student_conv2d(x, weight, bias)


@correct("conv2d")
def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1):
    return _student_conv2d(x, weight, bias, stride, padding, dilation)


@correct("conv2d_basic")
def conv2d_basic_vectorised(x, weight, bias=None):
    """A student who knows einsum: one loop over kernel offsets."""
    x, weight = np.asarray(x, dtype=float), np.asarray(weight, dtype=float)
    kh, kw = weight.shape[2:]
    h_out, w_out = x.shape[2] - kh + 1, x.shape[3] - kw + 1
    out = np.zeros((x.shape[0], weight.shape[0], h_out, w_out))
    for u in range(kh):
        for v in range(kw):
            out += np.einsum("nchw,oc->nohw", x[:, :, u:u + h_out, v:v + w_out], weight[:, :, u, v])
    if bias is not None:
        out += np.asarray(bias)[None, :, None, None]
    return out


def _conv2d_basic_with(bug, mistake):
    def student(x, weight, bias=None):
        return _student_conv2d(x, weight, bias, bug=bug)

    student.__name__ = student.__qualname__ = f"conv2d_basic_{bug.replace(' ', '_').replace('/', '_')}"
    return buggy("conv2d_basic", mistake)(student)


def _conv2d_with(bug, mistake):
    def student(x, weight, bias=None, stride=1, padding=0, dilation=1):
        return _student_conv2d(x, weight, bias, stride, padding, dilation, bug=bug)

    student.__name__ = student.__qualname__ = f"conv2d_{bug.replace(' ', '_').replace('/', '_')}"
    return buggy("conv2d", mistake)(student)


for _bug, _mistake in [
    ("kernel flipped", "kernel flipped"),
    ("bias ignored", "bias ignored"),
    ("bias in channel loop", "bias added once per input channel"),
    ("channels overwritten", "channels not summed"),
    ("channels averaged", "channels not summed"),
    ("weight axes swapped", None),  # an IndexError unless C_in == C_out
    ("first image only", "only the first image of the batch"),
    ("no plus one", "off by one in the output size"),
    ("int cast", "integer truncation"),
]:
    _conv2d_basic_with(_bug, _mistake)

for _bug, _mistake in [
    ("stride ignored", "stride ignored"),
    ("padding ignored", "padding ignored"),
    ("dilation ignored", "dilation ignored"),
    ("dilation off by one", "dilation off by one"),
    ("padding top/left only", "padding on one side only"),
    ("padding bottom/right only", "padding on one side only"),
    ("ceil", "off by one in the output size"),
    ("pairs swapped", "H and W swapped"),
    ("kernel flipped", "kernel flipped"),
    ("bias ignored", "bias ignored"),
    ("channels overwritten", "channels not summed"),
    ("no plus one", "off by one in the output size"),
]:
    _conv2d_with(_bug, _mistake)


# ---------------------------------------------------------------------------------------------
# pad2d
# ---------------------------------------------------------------------------------------------


def _sides(padding):
    """(top, bottom, left, right) from an int, a pair or a 4-tuple (left, right, top, bottom)."""
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        left, right, top, bottom = padding
        return top, bottom, left, right
    ph, pw = _pair(padding)
    return ph, ph, pw, pw


@correct("pad2d")
def pad2d(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    top, bottom, left, right = _sides(padding)
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (top + h + bottom, left + w + right), float(value))
    out[..., top:top + h, left:left + w] = x
    return out


@correct("pad2d")
def pad2d_np_pad(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    top, bottom, left, right = _sides(padding)
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(x, widths, constant_values=value)


@buggy("pad2d", "value ignored")
def pad2d_zeros(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    top, bottom, left, right = _sides(padding)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)])


@buggy("pad2d", "4-tuple order wrong")
def pad2d_tuple_as_top_bottom(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        top, bottom, left, right = padding  # read in the order of np.pad, not of F.pad
    else:
        top, bottom, left, right = _sides(padding)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)], constant_values=value)


@buggy("pad2d", "H and W swapped")
def pad2d_pair_swapped(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        padding = (padding[1], padding[0])
    top, bottom, left, right = _sides(padding)
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)], constant_values=value)


@buggy("pad2d", "padding on one side only")
def pad2d_one_side(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    top, bottom, left, right = _sides(padding)
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (h + top + bottom, w + left + right), float(value))
    out[..., :h, :w] = x
    return out


@buggy("pad2d", "padded every axis")
def pad2d_every_axis(x, padding, value=0.0):
    x = np.asarray(x, dtype=float)
    if isinstance(padding, (tuple, list)) and len(padding) == 4:
        left, right, top, bottom = padding
        return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)], constant_values=value)
    return np.pad(x, padding, constant_values=value)


# ---------------------------------------------------------------------------------------------
# conv_output_size
# ---------------------------------------------------------------------------------------------


@correct("conv_output_size")
def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1, exact=False):
    travel = n + 2 * padding - dilation * (kernel_size - 1) - 1
    if exact and travel % stride != 0:
        raise ValueError(f"{travel}/{stride} is not an integer")
    return travel // stride + 1


@correct("conv_output_size")
def conv_output_size_math(n, kernel_size, stride=1, padding=0, dilation=1, exact=False):
    size = (n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
    if exact and size != int(size):
        raise ValueError("fractions are illegal")
    return math.floor(size)


def _size_student(rule, name, mistake, checks_exact=True):
    def student(n, kernel_size, stride=1, padding=0, dilation=1, exact=False):
        if checks_exact and exact and (n + 2 * padding - dilation * (kernel_size - 1) - 1) % stride:
            raise ValueError("the windows do not tile the input")
        return rule(n, kernel_size, stride, padding, dilation, exact)

    student.__name__ = student.__qualname__ = name
    return buggy("conv_output_size", mistake)(student)


_size_student(lambda n, k, s, p, d, e: math.ceil((n + 2 * p - d * (k - 1) - 1) / s) + 1,
              "conv_output_size_ceil", "ceil instead of floor")
_size_student(lambda n, k, s, p, d, e: (n + 2 * p - d * (k - 1) - 1) // s,
              "conv_output_size_no_plus_one", "forgot the + 1")
_size_student(lambda n, k, s, p, d, e: (n + p - d * (k - 1) - 1) // s + 1,
              "conv_output_size_padding_once", "padding counted once")
_size_student(lambda n, k, s, p, d, e: (n + 2 * p - k) // s + 1,
              "conv_output_size_no_dilation", "dilation ignored")
_size_student(lambda n, k, s, p, d, e: (n + 2 * p - d * k) // s + 1,
              "conv_output_size_d_times_k", "dilated span as d*k")
_size_student(lambda n, k, s, p, d, e: (n + 2 * p - d * (k - 1) - 1) / s + 1,
              "conv_output_size_true_division", "float instead of int")
_size_student(lambda n, k, s, p, d, e: (n + 2 * p - d * (k - 1) - 1) // s + 1,
              "conv_output_size_never_raises", "no ValueError", checks_exact=False)


@buggy("conv_output_size", None)
def conv_output_size_always_raises(n, kernel_size, stride=1, padding=0, dilation=1, exact=False):
    if exact:
        raise ValueError("exact sizes are not supported")
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


# ---------------------------------------------------------------------------------------------
# receptive_field
# ---------------------------------------------------------------------------------------------


def _layer(layer):
    return (layer[0], layer[1], layer[2] if len(layer) == 3 else 1)


@correct("receptive_field")
def receptive_field(layers):
    r, jump = 1, 1
    for layer in layers:
        k, s, d = _layer(layer)
        r += d * (k - 1) * jump
        jump *= s
    return r


@correct("receptive_field")
def receptive_field_top_down(layers):
    """Going down from one unit: r_(l-1) = s_l * (r_l - 1) + d_l (k_l - 1) + 1."""
    r = 1
    for layer in reversed(layers):
        k, s, d = _layer(layer)
        r = s * (r - 1) + d * (k - 1) + 1
    return r


@buggy("receptive_field", "strides ignored")
def receptive_field_no_strides(layers):
    return 1 + sum(_layer(layer)[2] * (_layer(layer)[0] - 1) for layer in layers)


@buggy("receptive_field", "own stride counted")
def receptive_field_own_stride(layers):
    r, jump = 1, 1
    for layer in layers:
        k, s, d = _layer(layer)
        jump *= s
        r += d * (k - 1) * jump
    return r


@buggy("receptive_field", "layers in the wrong order")
def receptive_field_reversed(layers):
    r = 1
    for layer in layers:  # the top-down recursion, applied bottom-up
        k, s, d = _layer(layer)
        r = s * (r - 1) + d * (k - 1) + 1
    return r


@buggy("receptive_field", "dilation ignored")
def receptive_field_no_dilation(layers):
    r, jump = 1, 1
    for layer in layers:
        r += (layer[0] - 1) * jump
        jump *= layer[1]
    return r


@buggy("receptive_field", "(k - 1) written as k")
def receptive_field_k(layers):
    r, jump = 1, 1
    for layer in layers:
        k, s, d = _layer(layer)
        r += d * k * jump
        jump *= s
    return r
