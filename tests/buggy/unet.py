"""Students' pixel_cross_entropy, center_crop, unet_shape_trace, DoubleConv and UpBlock."""

from collections import namedtuple

import numpy as np
import torch
from torch import nn

from .catalogue import buggy, correct

# ---------------------------------------------------------------------------------------------
# pixel_cross_entropy
# ---------------------------------------------------------------------------------------------


def _student_ce(logits, target, ignore_index=255, reduction="mean", bug=None):
    with np.errstate(all="ignore"):  # the naive students overflow, on purpose
        return _student_ce_loud(logits, target, ignore_index, reduction, bug)


def _student_ce_loud(logits, target, ignore_index, reduction, bug):
    z = np.asarray(logits, dtype=float)
    t = np.asarray(target)
    void = t == ignore_index
    if bug == "void as background":
        t = np.where(void, 0, t)
        void = np.zeros_like(void)
    axis = {"softmax over width": 3, "softmax over batch": 0}.get(bug, 1)
    if bug == "naive ratio":
        e = np.exp(z)
        log_p = np.log(e / e.sum(axis=1, keepdims=True))
    elif bug == "naive difference":
        log_p = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    elif bug == "no softmax":
        log_p = z
    else:
        m = z.max(axis=axis, keepdims=True)
        log_p = z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    safe = np.where(void, 0, t)
    picked = np.take_along_axis(log_p, safe[:, None], axis=1)[:, 0]
    losses = np.where(void, 0.0, -picked)
    if bug == "always mean":
        reduction = "mean"
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    if bug == "divide by all pixels":
        return losses.sum() / losses.size
    if bug == "one-hot mean":
        onehot = np.zeros_like(z)
        np.put_along_axis(onehot, safe[:, None], 1.0, axis=1)
        onehot *= ~void[:, None]
        return -(onehot * log_p).sum() / (onehot.sum() * z.shape[1])
    if bug == "mean of image means":
        return np.mean([losses[i].sum() / (~void[i]).sum() for i in range(len(z))])
    return losses.sum() / (~void).sum()


@correct("pixel_cross_entropy")
def pixel_cross_entropy(logits, target, ignore_index=255, reduction="mean"):
    return _student_ce(logits, target, ignore_index, reduction)


@correct("pixel_cross_entropy")
def pixel_cross_entropy_loops(logits, target, ignore_index=255, reduction="mean"):
    """Pixel by pixel, with the log-sum-exp trick written out."""
    z = np.asarray(logits, dtype=float)
    n, k, h, w = z.shape
    losses = np.zeros((n, h, w))
    count = 0
    for b in range(n):
        for i in range(h):
            for j in range(w):
                label = int(target[b, i, j])
                if label == ignore_index:
                    continue
                scores = z[b, :, i, j]
                top = scores.max()
                losses[b, i, j] = -(scores[label] - top - np.log(np.sum(np.exp(scores - top))))
                count += 1
    if reduction == "none":
        return losses
    if reduction == "sum":
        return float(losses.sum())
    return float(losses.sum() / count) if count else float("nan")


@correct("pixel_cross_entropy")
def pixel_cross_entropy_torch(logits, target, ignore_index=255, reduction="mean"):
    return torch.nn.functional.cross_entropy(torch.as_tensor(np.asarray(logits, dtype=float)),
                                             torch.as_tensor(np.asarray(target)).long(),
                                             ignore_index=ignore_index, reduction=reduction).numpy()


def _ce_bug(name, bug, mistake):
    def student(logits, target, ignore_index=255, reduction="mean"):
        return _student_ce(logits, target, ignore_index, reduction, bug=bug)

    student.__name__ = name
    return buggy("pixel_cross_entropy", mistake)(student)


_ce_bug("ce_divides_by_all_pixels", "divide by all pixels", "void pixels counted in the loss")
_ce_bug("ce_void_as_background", "void as background", "void pixels counted in the loss")
_ce_bug("ce_naive_ratio", "naive ratio", "no log-softmax stabilisation")
_ce_bug("ce_naive_difference", "naive difference", "no log-softmax stabilisation")
_ce_bug("ce_softmax_over_width", "softmax over width", "softmax over the wrong axis")
_ce_bug("ce_softmax_over_batch", "softmax over batch", "softmax over the wrong axis")
_ce_bug("ce_one_hot_mean", "one-hot mean", "mean over the wrong axis")
_ce_bug("ce_mean_of_image_means", "mean of image means", "mean of per-image means")
_ce_bug("ce_always_mean", "always mean", "reduction ignored")
_ce_bug("ce_no_softmax", "no softmax", "softmax left out")


@buggy("pixel_cross_entropy", "input modified in place")
def ce_normalises_in_place(logits, target, ignore_index=255, reduction="mean"):
    z = logits if isinstance(logits, np.ndarray) and logits.dtype.kind == "f" else np.asarray(logits, dtype=float)
    z -= z.max(axis=1, keepdims=True)
    return _student_ce(z, target, ignore_index, reduction)


@buggy("pixel_cross_entropy", "not implemented yet")
def ce_stub(logits, target, ignore_index=255, reduction="mean"):
    raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# center_crop
# ---------------------------------------------------------------------------------------------


def _pair(size):
    return tuple(size) if isinstance(size, (tuple, list)) else (size, size)


@correct("center_crop")
def center_crop(x, size):
    x = np.asarray(x)
    h, w = _pair(size)
    big_h, big_w = x.shape[-2:]
    if h > big_h or w > big_w:
        raise ValueError(f"size: ({h}, {w}) is larger than the input ({big_h}, {big_w})")
    top, left = (big_h - h) // 2, (big_w - w) // 2
    return x[..., top:top + h, left:left + w]


@correct("center_crop")
def center_crop_by_margins(x, size):
    """Cut the margins explicitly: the smaller half before, the larger half after."""
    x = np.array(x)
    h, w = _pair(size)
    cut_h, cut_w = x.shape[-2] - h, x.shape[-1] - w
    if cut_h < 0 or cut_w < 0:
        raise ValueError("size: larger than the input")
    rows = np.arange(cut_h // 2, x.shape[-2] - (cut_h - cut_h // 2))
    cols = np.arange(cut_w // 2, x.shape[-1] - (cut_w - cut_w // 2))
    return x[..., rows, :][..., cols]


def _crop_bug(name, mistake, top_left):
    def student(x, size):
        x = np.asarray(x)
        h, w = _pair(size)
        if h > x.shape[-2] or w > x.shape[-1]:
            raise ValueError("size: larger than the input")
        top, left = top_left(x.shape[-2], x.shape[-1], h, w)
        return x[..., top:top + h, left:left + w]

    student.__name__ = name
    return buggy("center_crop", mistake)(student)


_crop_bug("crop_top_left", "cropped the wrong side", lambda H, W, h, w: (0, 0))
_crop_bug("crop_bottom_right", "cropped the wrong side", lambda H, W, h, w: (H - h, W - w))
_crop_bug("crop_rounds_up", "off by one", lambda H, W, h, w: ((H - h + 1) // 2, (W - w + 1) // 2))


@buggy("center_crop", "not cropped at all")
def crop_returns_input(x, size):
    return np.asarray(x)


@buggy("center_crop", "cropped by size instead of to size")
def crop_by_size(x, size):
    x = np.asarray(x)
    h, w = _pair(size)
    return x[..., h:x.shape[-2] - h, w:x.shape[-1] - w]


@buggy("center_crop", "only the width cropped")
def crop_width_only(x, size):
    x = np.asarray(x)
    _, w = _pair(size)
    left = (x.shape[-1] - w) // 2
    return x[..., left:left + w]


@buggy("center_crop", "H and W swapped")
def crop_pair_read_backwards(x, size):
    x = np.asarray(x)
    w, h = _pair(size)
    if h > x.shape[-2] or w > x.shape[-1]:
        raise ValueError("size: larger than the input")
    top, left = (x.shape[-2] - h) // 2, (x.shape[-1] - w) // 2
    return x[..., top:top + h, left:left + w]


# ---------------------------------------------------------------------------------------------
# unet_shape_trace
# ---------------------------------------------------------------------------------------------

Stage = namedtuple("Stage", "name channels height width")


def _student_trace(input_size, depth=4, padding="valid", base_channels=64, in_channels=1,
                   num_classes=2, bug=None):
    h, w = _pair(input_size)
    shrink = 0 if padding == "same" or bug == "no shrink" else (1 if bug == "shrink 1" else 2)
    stages = [Stage("input", in_channels, h, w)]
    widths = [base_channels * (1 if bug == "no doubling" else 2**level) for level in range(depth + 1)]
    skips = []
    for level in range(1, depth + 1):
        c = widths[level - 1]
        for conv in (1, 2):
            h, w = h - shrink, w - shrink
            if min(h, w) < 1:
                raise ValueError(f"input_size: the map of level {level} vanishes")
            stages.append(Stage(f"enc{level}.conv{conv}", c, h, w))
        skips.append((c, h, w))
        if (h % 2 or w % 2) and bug != "floors odd sizes":
            raise ValueError(f"input_size: level {level} would pool an odd size {(h, w)}")
        h, w = h // 2, w // 2
        stages.append(Stage(f"enc{level}.pool", c, h, w))
    for conv in (1, 2):
        h, w = h - shrink, w - shrink
        if min(h, w) < 1:
            raise ValueError("input_size: the bottleneck vanishes")
        stages.append(Stage(f"bottleneck.conv{conv}", widths[depth], h, w))
    below = widths[depth]
    for level in range(depth, 0, -1):
        c = widths[level - 1]
        h, w = 2 * h, 2 * w
        up = below if bug == "up keeps channels" else c
        stages.append(Stage(f"dec{level}.up", up, h, w))
        skip_c = skips[level - 1][0]
        stages.append(Stage(f"dec{level}.concat", up if bug == "concat adds nothing" else up + skip_c, h, w))
        for conv in (1, 2):
            h, w = h - shrink, w - shrink
            if min(h, w) < 1:
                raise ValueError(f"input_size: the map of decoder level {level} vanishes")
            stages.append(Stage(f"dec{level}.conv{conv}", c, h, w))
        below = c
    stages.append(Stage("output", base_channels if bug == "num_classes ignored" else num_classes, h, w))
    return stages


@correct("unet_shape_trace")
def unet_shape_trace(input_size, depth=4, padding="valid", base_channels=64, in_channels=1, num_classes=2):
    return _student_trace(input_size, depth, padding, base_channels, in_channels, num_classes)


@correct("unet_shape_trace")
def unet_shape_trace_plain_tuples(input_size, depth=4, padding="valid", base_channels=64, in_channels=1,
                                  num_classes=2):
    return [tuple(stage) for stage in _student_trace(input_size, depth, padding, base_channels, in_channels,
                                                     num_classes)]


def _trace_bug(name, bug, mistake):
    def student(input_size, depth=4, padding="valid", base_channels=64, in_channels=1, num_classes=2):
        return _student_trace(input_size, depth, padding, base_channels, in_channels, num_classes, bug=bug)

    student.__name__ = name
    return buggy("unet_shape_trace", mistake)(student)


_trace_bug("trace_no_shrink", "no shrink", "no 2-pixel loss per valid convolution")
_trace_bug("trace_shrinks_by_one", "shrink 1", "1 pixel lost per valid convolution")
_trace_bug("trace_channels_not_doubled", "no doubling", "channels not doubled")
_trace_bug("trace_up_keeps_channels", "up keeps channels", "up-convolution does not halve the channels")
_trace_bug("trace_concat_adds_nothing", "concat adds nothing", "concatenation does not add channels")
_trace_bug("trace_num_classes_ignored", "num_classes ignored", "num_classes ignored")
_trace_bug("trace_floors_odd_sizes", "floors odd sizes", "no ValueError")


# ---------------------------------------------------------------------------------------------
# DoubleConv
# ---------------------------------------------------------------------------------------------


@correct("double_conv")
class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        pad = 0 if padding == "valid" else 1
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=pad)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=pad)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))


@correct("double_conv")
class DoubleConvSequential(nn.Sequential):
    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__(
            nn.Conv2d(in_channels, out_channels, 3, padding=padding),  # torch accepts "valid"/"same"
            nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, 3, padding=padding),
            nn.ReLU(inplace=True),
        )


@correct("double_conv")
def double_conv_builder(in_channels, out_channels, padding="valid"):
    """A function that builds the block, defining the second convolution first."""
    pad = {"valid": 0, "same": 1}[padding]
    second = nn.Conv2d(out_channels, out_channels, 3, padding=pad)
    first = nn.Conv2d(in_channels, out_channels, 3, padding=pad)
    return nn.Sequential(first, nn.ReLU(), second, nn.ReLU())


def _double_conv_bug(name, mistake, relu=(True, True), bias=True, convs=2, pad=None):
    class Student(nn.Module):
        def __init__(self, in_channels, out_channels, padding="valid"):
            super().__init__()
            p = pad if pad is not None else (0 if padding == "valid" else 1)
            self.convs = nn.ModuleList(
                nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=p, bias=bias)
                for i in range(convs))

        def forward(self, x):
            for conv, use_relu in zip(self.convs, relu):
                x = conv(x)
                if use_relu:
                    x = torch.relu(x)
            return x

    Student.__name__ = name
    return buggy("double_conv", mistake)(Student)


_double_conv_bug("DoubleConvNoLastReLU", "ReLU missing", relu=(True, False))
_double_conv_bug("DoubleConvNoReLU", "ReLU missing", relu=(False, False))
_double_conv_bug("DoubleConvAlwaysValid", "padding ignored", pad=0)
_double_conv_bug("DoubleConvOneConv", "one convolution instead of two", convs=1)
_double_conv_bug("DoubleConvNoBias", "bias left out", bias=False)


@buggy("double_conv", None)
class DoubleConvWrongChannels(nn.Module):
    """The second convolution expects in_channels: a shape error whenever in != out."""

    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        pad = 0 if padding == "valid" else 1
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=pad)
        self.conv2 = nn.Conv2d(in_channels, out_channels, 3, padding=pad)

    def forward(self, x):
        return torch.relu(self.conv2(torch.relu(self.conv1(x))))


@buggy("double_conv", "not implemented yet")
class DoubleConvStub(nn.Module):
    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        raise NotImplementedError()


# ---------------------------------------------------------------------------------------------
# UpBlock
# ---------------------------------------------------------------------------------------------


def _crop(bridge, h, w, bug=None):
    big_h, big_w = bridge.shape[-2:]
    if bug == "crop top-left":
        top, left = 0, 0
    elif bug == "crop rounds up":
        top, left = (big_h - h + 1) // 2, (big_w - w + 1) // 2
    else:
        top, left = (big_h - h) // 2, (big_w - w) // 2
    return bridge[..., top:top + h, left:left + w]


def _up_block_student(name, mistake=None, bug=None, is_correct=False):
    class Student(nn.Module):
        def __init__(self, in_channels, out_channels, padding="valid"):
            super().__init__()
            up_out = in_channels if bug == "up keeps channels" else out_channels
            self.up = nn.ConvTranspose2d(in_channels, up_out, kernel_size=2, stride=2)
            pad = 0 if padding == "valid" else 1
            self.conv1 = nn.Conv2d(up_out + out_channels, out_channels, 3, padding=pad)
            self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=pad)

        def forward(self, x, bridge):
            x = self.up(x)
            bridge = _crop(bridge, x.shape[-2], x.shape[-1], bug)
            x = torch.cat([x, bridge] if bug == "order swapped" else [bridge, x], dim=1)
            x = torch.relu(self.conv1(x))
            x = self.conv2(x)
            return x if bug == "no relu" else torch.relu(x)

    Student.__name__ = name
    return (correct("up_block") if is_correct else buggy("up_block", mistake))(Student)


UpBlock = _up_block_student("UpBlock", is_correct=True)
_up_block_student("UpBlockOrderSwapped", "concatenation order swapped", "order swapped")
_up_block_student("UpBlockCropTopLeft", "cropped the wrong side", "crop top-left")
_up_block_student("UpBlockCropRoundsUp", "off by one", "crop rounds up")
_up_block_student("UpBlockUpKeepsChannels", "up-convolution does not halve the channels", "up keeps channels")
_up_block_student("UpBlockNoLastReLU", "ReLU missing", "no relu")


@correct("up_block")
class UpBlockWithDoubleConv(nn.Module):
    """Reuses the DoubleConv above, as the notebook suggests."""

    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 2, stride=2)
        self.conv = DoubleConv(2 * out_channels, out_channels, padding)

    def forward(self, x, bridge):
        x = self.up(x)
        return self.conv(torch.cat([_crop(bridge, *x.shape[-2:]), x], dim=1))


@buggy("up_block", "bilinear up-sampling instead of an up-convolution")
class UpBlockBilinear(nn.Module):
    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        self.up = nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(in_channels, out_channels, 1))
        self.conv = DoubleConv(2 * out_channels, out_channels, padding)

    def forward(self, x, bridge):
        x = self.up(x)
        return self.conv(torch.cat([_crop(bridge, *x.shape[-2:]), x], dim=1))


@buggy("up_block", None)
class UpBlockNoCrop(nn.Module):
    """Concatenates the bridge uncropped: fails with valid padding (sizes differ)."""

    def __init__(self, in_channels, out_channels, padding="valid"):
        super().__init__()
        self.up = nn.ConvTranspose2d(in_channels, out_channels, 2, stride=2)
        self.conv = DoubleConv(2 * out_channels, out_channels, padding)

    def forward(self, x, bridge):
        return self.conv(torch.cat([bridge, self.up(x)], dim=1))
