"""Students' triangle_weights, bilinear_kernel, bilinear_upsample_weight and
upsample_bilinear_by_transposed_conv: right ones, and ones with the mistakes of the notebook."""

import numpy as np

from .catalogue import buggy, correct


def _register(exercise_id, student, bug, mistake, prefix):
    """Register `student` with one `bug` switched on, under a readable name."""

    def wrong(*args, **kwargs):
        return student(*args, **kwargs, bug=bug)

    wrong.__name__ = wrong.__qualname__ = prefix + "_" + bug.replace(" ", "_").replace("-", "_")
    return buggy(exercise_id, mistake)(wrong)


# ---------------------------------------------------------------------------------------------
# triangle_weights
# ---------------------------------------------------------------------------------------------


def _student_triangle(factor, align_corners=False, bug=None):
    f = factor
    if bug == "conventions swapped":
        align_corners = not align_corners
    if align_corners:
        size, centre = 2 * f - 1, f - 1
    elif f % 2 == 1 and bug != "2f for odd":
        size, centre = 2 * f - 1, f - 1
    else:
        size, centre = 2 * f, f - 0.5
        if bug == "centre f - 1":
            centre = f - 1
    if bug == "zero ends":
        size, centre = size + 2, centre + 1
    weights = []
    for u in range(size):
        weights.append(max(0.0, 1 - abs(u - centre) / f))
    weights = np.array(weights)
    if bug == "normalised":
        weights = weights / weights.sum()
    return weights


@correct("triangle_weights")
def triangle_weights(factor, align_corners=False):
    return _student_triangle(factor, align_corners)


@correct("triangle_weights")
def triangle_weights_from_positions(factor, align_corners=False):
    """Reads the hat of one sample at the output positions that it reaches, like the derivation."""
    shift = 0.0 if align_corners else (factor - 1) / 2
    offsets = np.arange(-2 * factor, 2 * factor + 1)
    weights = 1 - np.abs(offsets - shift) / factor
    return weights[weights > 1e-12]


for _bug, _mistake in [
    ("conventions swapped", "align_corners conventions swapped"),
    ("centre f - 1", "triangle centred half a pixel off"),
    ("2f for odd", "kernel size 2f for odd f"),
    ("normalised", "normalised to sum 1"),
    ("zero ends", "zero taps at the ends"),
]:
    _register("triangle_weights", _student_triangle, _bug, _mistake, "triangle_weights")


@buggy("triangle_weights", "integer truncation")
def triangle_weights_integer_division(factor, align_corners=False):
    size = 2 * factor - 1 if align_corners or factor % 2 else 2 * factor
    centre = (size - 1) / 2
    return np.array([int(1 - abs(u - centre) / factor) for u in range(size)])


@buggy("triangle_weights", "not implemented yet")
def triangle_weights_stub(factor, align_corners=False):
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# bilinear_kernel
# ---------------------------------------------------------------------------------------------


def _student_kernel(factor, align_corners=False, bug=None):
    triangle_bug = bug if bug in ("conventions swapped", "centre f - 1", "2f for odd") else None
    w = _student_triangle(factor, align_corners, bug=triangle_bug)
    k = len(w)
    kernel = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            kernel[i, j] = (w[i] + w[j]) / 2 if bug == "added" else w[i] * w[j]
    if bug == "normalised":
        kernel = kernel / kernel.sum()
    if bug == "1-D":
        return w
    return kernel


@correct("bilinear_kernel")
def bilinear_kernel(factor, align_corners=False):
    return _student_kernel(factor, align_corners)


@correct("bilinear_kernel")
def bilinear_kernel_fcn_style(factor, align_corners=False):
    """FCN's upsample_filt, written from the kernel size."""
    size = 2 * factor - 1 if align_corners else 2 * factor - factor % 2
    centre = factor - 1 if size % 2 == 1 else factor - 0.5
    rows, cols = np.ogrid[:size, :size]
    return (1 - abs(rows - centre) / factor) * (1 - abs(cols - centre) / factor)


for _bug, _mistake in [
    ("conventions swapped", "align_corners conventions swapped"),
    ("centre f - 1", "triangle centred half a pixel off"),
    ("2f for odd", "kernel size 2f for odd f"),
    ("normalised", "normalised to sum 1"),
    ("added", "triangles added instead of multiplied"),
    ("1-D", "wrong shape"),
]:
    _register("bilinear_kernel", _student_kernel, _bug, _mistake, "bilinear_kernel")


# ---------------------------------------------------------------------------------------------
# bilinear_upsample_weight
# ---------------------------------------------------------------------------------------------


def _student_weight(channels, factor, align_corners=False, bug=None):
    kernel_bug = bug if bug in ("conventions swapped", "normalised") else None
    kernel = _student_kernel(factor, align_corners, bug=kernel_bug)
    k = kernel.shape[0]
    weight = np.zeros((channels, channels, k, k))
    for c in range(channels):
        for o in range(channels):
            if bug == "every pair":
                weight[c, o] = kernel
            elif bug == "every pair averaged":
                weight[c, o] = kernel / channels
            elif c == o and not (bug == "first only" and c > 0):
                weight[c, o] = kernel
    return weight


@correct("bilinear_upsample_weight")
def bilinear_upsample_weight(channels, factor, align_corners=False):
    return _student_weight(channels, factor, align_corners)


@correct("bilinear_upsample_weight")
def bilinear_upsample_weight_with_eye(channels, factor, align_corners=False):
    kernel = bilinear_kernel_fcn_style(factor, align_corners)
    return np.eye(channels)[:, :, None, None] * kernel


for _bug, _mistake in [
    ("every pair", "weight filled on every (i, j) channel pair"),
    ("every pair averaged", "weight filled on every (i, j) channel pair"),
    ("first only", "only the first channel"),
    ("conventions swapped", "align_corners conventions swapped"),
    ("normalised", "normalised to sum 1"),
]:
    _register("bilinear_upsample_weight", _student_weight, _bug, _mistake, "bilinear_upsample_weight")


# ---------------------------------------------------------------------------------------------
# upsample_bilinear_by_transposed_conv
# ---------------------------------------------------------------------------------------------


def _stamp(x, weight, stride, padding):
    """A student's transposed convolution: stamp weight[c, o] * x[n, c, i, j], then crop."""
    n, c_in, h, w = x.shape
    _, c_out, k, _ = weight.shape
    canvas = np.zeros((n, c_out, (h - 1) * stride + k, (w - 1) * stride + k))
    for i in range(h):
        for j in range(w):
            # (N, C_in) x (C_in, C_out, k, k) -> (N, C_out, k, k)
            canvas[:, :, i * stride : i * stride + k, j * stride : j * stride + k] += np.einsum(
                "nc,cokl->nokl", x[:, :, i, j], weight)
    return canvas[:, :, padding : canvas.shape[2] - padding, padding : canvas.shape[3] - padding]


def _student_upsample(x, factor, align_corners=False, bug=None):
    x = np.asarray(x, dtype=float)
    f = factor
    if bug == "conventions swapped":
        align_corners = not align_corners
    weight_bug = bug if bug in ("every pair", "normalised") else None
    weight = _student_weight(x.shape[1], f, align_corners, bug=weight_bug)
    if align_corners:
        return _stamp(x, weight, f, f - 1)
    if bug == "border not fixed":
        return _stamp(x, weight, f, f // 2)
    if bug == "zero padded":
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        return _stamp(padded, weight, f, f // 2 + f)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    if bug == "not cropped":
        return _stamp(padded, weight, f, f // 2)
    return _stamp(padded, weight, f, f // 2 + f)


@correct("upsample_bilinear_by_transposed_conv")
def upsample_bilinear_by_transposed_conv(x, factor, align_corners=False):
    return _student_upsample(x, factor, align_corners)


@correct("upsample_bilinear_by_transposed_conv")
def upsample_bilinear_by_transposed_conv_crop_by_hand(x, factor, align_corners=False):
    """Full canvas, then the crop written out with the kernel's centre."""
    x = np.asarray(x, dtype=float)
    f = factor
    weight = bilinear_upsample_weight_with_eye(x.shape[1], f, align_corners)
    if align_corners:
        full = _stamp(x, weight, f, 0)
        return full[:, :, f - 1 : f - 1 + f * (x.shape[2] - 1) + 1, f - 1 : f - 1 + f * (x.shape[3] - 1) + 1]
    full = _stamp(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge"), weight, f, 0)
    start = f + f // 2
    return full[:, :, start : start + f * x.shape[2], start : start + f * x.shape[3]]


for _bug, _mistake in [
    ("border not fixed", "border not fixed"),
    ("zero padded", "border not fixed"),
    ("every pair", "weight filled on every (i, j) channel pair"),
    ("normalised", "normalised to sum 1"),
    ("not cropped", "edge pixel not cropped off"),
    ("conventions swapped", "align_corners conventions swapped"),
]:
    _register("upsample_bilinear_by_transposed_conv", _student_upsample, _bug, _mistake,
              "upsample_bilinear_by_transposed_conv")


@buggy("upsample_bilinear_by_transposed_conv", "input modified in place")
def upsample_bilinear_by_transposed_conv_in_place(x, factor, align_corners=False):
    out = _student_upsample(x, factor, align_corners)
    x *= 0
    return out
