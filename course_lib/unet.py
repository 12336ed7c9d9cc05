"""U-Net (Ronneberger, Fischer and Brox, MICCAI 2015) in PyTorch, and the arithmetic of its shapes.

The network has three parts. The encoder repeats, `depth` times, a block of two 3x3 convolutions
with ReLU followed by 2x2 max pooling, doubling the channels at every level. The bottleneck is one
more block. The decoder repeats, `depth` times, an up-sampling step that doubles the size and
halves the channels, a concatenation with the encoder's feature map of the same level (the skip
connection, centre-cropped to the same size), and a block of two 3x3 convolutions. A final 1x1
convolution maps the channels to one score per class.

With unpadded ("valid") convolutions every 3x3 convolution trims one pixel on each side, which is
why the encoder's maps must be cropped before they are concatenated and why the output is smaller
than the input: the paper's 572x572 tile gives a 388x388 segmentation.

    >>> [stage.height for stage in unet_shape_trace(572)][-1]
    388
    >>> nearest_valid_input_size(570)
    572

`unet_shape_trace`, `valid_input_size` and `nearest_valid_input_size` are pure arithmetic; the
module also holds `UNet` and `center_crop`, which work on torch tensors.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import nn

from ._validation import as_pair, as_positive_int

__all__ = [
    "UNet",
    "ConvBlock",
    "UpBlock",
    "center_crop",
    "Stage",
    "unet_shape_trace",
    "valid_input_size",
    "nearest_valid_input_size",
]

_PADDINGS = ("valid", "same")
_UP_MODES = ("transpose", "bilinear")


def _check_choice(value, name: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def center_crop(x, size):
    """Crop the last two axes of `x` to `size`, keeping the centre.

    This is the "copy and crop" of U-Net's skip connections: with valid convolutions, an
    encoder map is larger than the decoder map it is concatenated with, so its border is cut off.
    The crop starts at `top = (H - h) // 2` and `left = (W - w) // 2`; when `H - h` is odd the
    extra row is cut at the bottom (likewise for the extra column on the right).

    Parameters
    ----------
    x : ndarray or torch.Tensor, shape (..., H, W)
    size : int or (int, int)
        Target `(h, w)`, with `1 <= h <= H` and `1 <= w <= W`.

    Returns
    -------
    cropped : same type as `x`, shape (..., h, w)
        A slice of `x` (a view: no data are copied).

    Examples
    --------
    >>> import numpy as np
    >>> center_crop(np.arange(25).reshape(5, 5), 3)
    array([[ 6,  7,  8],
           [11, 12, 13],
           [16, 17, 18]])
    >>> center_crop(np.arange(12).reshape(3, 4), (2, 3))   # odd margins: the extra goes last
    array([[0, 1, 2],
           [4, 5, 6]])
    """
    shape = getattr(x, "shape", None)
    if shape is None or len(shape) < 2:
        raise ValueError(
            f"x: expected an array or tensor with at least 2 axes (..., H, W), got {shape}"
        )
    h, w = as_pair(size, "size", minimum=1)
    H, W = shape[-2], shape[-1]
    if h > H or w > W:
        raise ValueError(f"size: expected at most the input's (H, W) = ({H}, {W}), got ({h}, {w})")
    top, left = (H - h) // 2, (W - w) // 2
    return x[..., top:top + h, left:left + w]


class ConvBlock(nn.Sequential):
    """Two 3x3 convolutions, each followed by ReLU (and batch normalisation before it, optionally).

    With `padding="valid"` each convolution trims one pixel per side, so the block maps
    `(N, in_channels, H, W)` to `(N, out_channels, H - 4, W - 4)`; with `"same"` the size is kept.
    """

    def __init__(self, in_channels: int, out_channels: int, padding: str = "valid",
                 batch_norm: bool = False):
        pad = 0 if padding == "valid" else 1
        layers = []
        for channels in (in_channels, out_channels):
            layers.append(nn.Conv2d(channels, out_channels, kernel_size=3, padding=pad))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out_channels))
            layers.append(nn.ReLU(inplace=True))
        super().__init__(*layers)


class UpBlock(nn.Module):
    """One decoder level: up-sample, concatenate the cropped skip connection, then a `ConvBlock`.

    `up_mode="transpose"` is the paper's "up-conv 2x2": a transposed convolution with kernel 2
    and stride 2 that doubles the size and halves the channels. `"bilinear"` doubles the size by
    bilinear interpolation and then halves the channels with a 1x1 convolution. With
    `skip=False` the concatenation is left out and the block only up-samples and convolves.
    """

    def __init__(self, in_channels: int, out_channels: int, padding: str = "valid",
                 up_mode: str = "transpose", skip: bool = True, batch_norm: bool = False):
        super().__init__()
        if up_mode == "transpose":
            self.up = nn.ConvTranspose2d(in_channels, out_channels, kernel_size=2, stride=2)
        else:
            self.up = nn.Sequential(
                nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                nn.Conv2d(in_channels, out_channels, kernel_size=1),
            )
        self.skip = skip
        self.conv = ConvBlock(2 * out_channels if skip else out_channels, out_channels, padding,
                              batch_norm)

    def forward(self, x: torch.Tensor, bridge: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        if self.skip:
            x = torch.cat([center_crop(bridge, x.shape[-2:]), x], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    """U-Net: encoder, bottleneck and decoder joined level by level by skip connections.

    With the defaults (`in_channels=1`, `num_classes=2`, `base_channels=64`, `depth=4`,
    `padding="valid"`, `up_mode="transpose"`) this is the network of the paper's Figure 1:
    64, 128, 256 and 512 channels in the encoder, 1024 in the bottleneck, 31,030,658 parameters,
    and a 572x572 input gives 388x388 scores.

    Parameters
    ----------
    in_channels : int
        Channels of the input image (1 for gray-scale).
    num_classes : int
        Channels of the output: one score (logit) per class and pixel.
    base_channels : int, optional
        Channels of the first level; level `l` (from 0) has `base_channels * 2**l`.
    depth : int, optional
        Number of poolings (and of up-samplings), >= 1.
    padding : {"valid", "same"}, optional
        "valid": unpadded convolutions as in the paper (the output is smaller than the input);
        "same": zero padding 1, so the output has the input's size.
    up_mode : {"transpose", "bilinear"}, optional
        How the decoder up-samples (see `UpBlock`).
    skip : bool, optional
        False removes the skip connections (for ablation): the decoder then only up-samples.
    batch_norm : bool, optional
        Batch normalisation after every 3x3 convolution (not in the paper; speeds up training).

    Shapes
    ------
    input : (N, in_channels, H, W); H and W must be valid sizes (see `valid_input_size`).
    output : (N, num_classes, H_out, W_out), as given by `unet_shape_trace`.

    Examples
    --------
    >>> model = UNet(in_channels=1, num_classes=3, base_channels=4, depth=2)
    >>> model(torch.zeros(1, 1, 44, 44)).shape
    torch.Size([1, 3, 4, 4])
    """

    def __init__(self, in_channels: int, num_classes: int, base_channels: int = 64, depth: int = 4,
                 padding: str = "valid", up_mode: str = "transpose", skip: bool = True,
                 batch_norm: bool = False):
        super().__init__()
        in_channels = as_positive_int(in_channels, "in_channels")
        num_classes = as_positive_int(num_classes, "num_classes")
        base_channels = as_positive_int(base_channels, "base_channels")
        self.depth = as_positive_int(depth, "depth")
        self.padding = _check_choice(padding, "padding", _PADDINGS)
        _check_choice(up_mode, "up_mode", _UP_MODES)
        widths = [base_channels * 2**level for level in range(self.depth + 1)]

        self.encoder = nn.ModuleList()
        previous = in_channels
        for width in widths[:-1]:
            self.encoder.append(ConvBlock(previous, width, padding, batch_norm))
            previous = width
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.bottleneck = ConvBlock(widths[-2], widths[-1], padding, batch_norm)
        self.decoder = nn.ModuleList(
            UpBlock(widths[level + 1], widths[level], padding, up_mode, skip, batch_norm)
            for level in reversed(range(self.depth))
        )
        self.head = nn.Conv2d(base_channels, num_classes, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 4:
            raise ValueError(f"x: expected a 4-D tensor (N, C, H, W), got shape {tuple(x.shape)}")
        _trace_sizes(tuple(x.shape[-2:]), self.depth, self.padding, "x")  # ValueError if not valid
        bridges = []
        for block in self.encoder:
            x = block(x)
            bridges.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for block, bridge in zip(self.decoder, reversed(bridges)):
            x = block(x, bridge)
        return self.head(x)


class Stage(NamedTuple):
    """The shape of one feature map in `unet_shape_trace`: its name, channels, height and width."""

    name: str
    channels: int
    height: int
    width: int


def _trace_one_axis(n: int, depth: int, padding: str) -> tuple[list[int], str | None]:
    """Sizes along one axis, in the order of `unet_shape_trace`, or the reason `n` is not valid.

    Returns the list of sizes after each step and None, or the sizes so far and a message.
    """
    shrink = 2 if padding == "valid" else 0  # pixels lost by one 3x3 convolution
    size = n
    sizes = [size]
    for level in range(1, depth + 1):
        for _ in range(2):
            size -= shrink
            sizes.append(size)
            if size < 1:
                return sizes, f"the feature map of encoder level {level} would shrink to {size}"
        if size % 2:
            return sizes, f"encoder level {level} would pool an odd size {size}"
        size //= 2
        sizes.append(size)
    for _ in range(2):
        size -= shrink
        sizes.append(size)
        if size < 1:
            return sizes, f"the bottleneck would shrink to {size}"
    for level in reversed(range(1, depth + 1)):
        size *= 2
        sizes += [size, size]  # after the up-convolution, and after the concatenation
        for _ in range(2):
            size -= shrink
            sizes.append(size)
            if size < 1:
                return sizes, f"the feature map of decoder level {level} would shrink to {size}"
    sizes.append(size)  # the 1x1 output convolution keeps the size
    return sizes, None


def _is_valid(n: int, depth: int, padding: str) -> bool:
    return n >= 1 and _trace_one_axis(n, depth, padding)[1] is None


def valid_input_size(n: int, depth: int = 4, padding: str = "valid") -> tuple[int | None, int]:
    """The valid input sizes nearest to `n`: the largest one `<= n` and the smallest one `>= n`.

    A size is valid when every 2x2 pooling sees an even size (as the paper requires, so that
    pooling drops no pixel and the output tiles seamlessly) and no feature map shrinks below 1.
    For valid padding these are the sizes `2**depth * b + 4 * (2**depth - 1)` for a large enough
    bottleneck input `b` (572 = 16 * 32 + 60 for depth 4); for same padding, the multiples of
    `2**depth`.

    Parameters
    ----------
    n : int
        A candidate height or width, >= 1.
    depth : int, optional
        Number of poolings.
    padding : {"valid", "same"}, optional

    Returns
    -------
    below : int or None
        The largest valid size `<= n` (None if there is none).
    above : int
        The smallest valid size `>= n`.

    Examples
    --------
    >>> valid_input_size(570)
    (556, 572)
    >>> valid_input_size(572)
    (572, 572)
    >>> valid_input_size(100, depth=3, padding="same")
    (96, 104)
    """
    n = as_positive_int(n, "n")
    depth = as_positive_int(depth, "depth")
    _check_choice(padding, "padding", _PADDINGS)
    below = next((m for m in range(n, 0, -1) if _is_valid(m, depth, padding)), None)
    above = n
    while not _is_valid(above, depth, padding):
        above += 1
    return below, above


def nearest_valid_input_size(n: int, depth: int = 4, padding: str = "valid") -> int:
    """The smallest valid input size `>= n` (see `valid_input_size`).

    Examples
    --------
    >>> nearest_valid_input_size(101, depth=3)
    108
    >>> nearest_valid_input_size(101, depth=3, padding="same")
    104
    """
    return valid_input_size(n, depth, padding)[1]


def _trace_sizes(input_size, depth: int, padding: str, name: str = "input_size"
                 ) -> tuple[list[int], list[int]]:
    """Heights and widths of every stage, or a ValueError that suggests the nearest valid sizes."""
    sizes = []
    for axis, n in zip(("height", "width"), input_size):
        trace, problem = _trace_one_axis(n, depth, padding)
        if problem is not None:
            below, above = valid_input_size(n, depth, padding)
            nearest = f"{below} or {above}" if below is not None else f"{above}"
            raise ValueError(
                f"{name}: {axis} {n} is not valid for a depth-{depth} U-Net with {padding!r} "
                f"padding ({problem}); the nearest valid sizes are {nearest}"
            )
        sizes.append(trace)
    return sizes[0], sizes[1]


def unet_shape_trace(input_size, depth: int = 4, padding: str = "valid", base_channels: int = 64,
                     in_channels: int = 1, num_classes: int = 2, skip: bool = True) -> list[Stage]:
    """Every feature map's `(channels, height, width)` from input to output, by arithmetic alone.

    The stages are named `"input"`; for each encoder level `l = 1..depth`: `"enc{l}.conv1"`,
    `"enc{l}.conv2"`, `"enc{l}.pool"`; `"bottleneck.conv1"`, `"bottleneck.conv2"`; for each
    decoder level `l = depth..1`: `"dec{l}.up"` (after the up-convolution), `"dec{l}.concat"`
    (after the crop and concatenation with `enc{l}.conv2`; left out when `skip=False`),
    `"dec{l}.conv1"`, `"dec{l}.conv2"`; and `"output"` (after the 1x1 convolution).
    The same sizes come out of `UNet(in_channels, num_classes, base_channels, depth, padding)`.

    Parameters
    ----------
    input_size : int or (int, int)
        Input height and width.
    depth, padding, base_channels, in_channels, num_classes, skip :
        As for `UNet`.

    Returns
    -------
    stages : list of Stage
        `Stage(name, channels, height, width)` tuples in the order the network computes them.

    Raises
    ------
    ValueError
        If a pooling would see an odd size or a map would shrink below 1 pixel; the message
        names the nearest valid input sizes.

    Examples
    --------
    >>> trace = unet_shape_trace(572)
    >>> trace[0]
    Stage(name='input', channels=1, height=572, width=572)
    >>> for stage in trace[-5:]:
    ...     print(stage)
    Stage(name='dec1.up', channels=64, height=392, width=392)
    Stage(name='dec1.concat', channels=128, height=392, width=392)
    Stage(name='dec1.conv1', channels=64, height=390, width=390)
    Stage(name='dec1.conv2', channels=64, height=388, width=388)
    Stage(name='output', channels=2, height=388, width=388)
    """
    height, width = as_pair(input_size, "input_size", minimum=1)
    depth = as_positive_int(depth, "depth")
    _check_choice(padding, "padding", _PADDINGS)
    base_channels = as_positive_int(base_channels, "base_channels")
    in_channels = as_positive_int(in_channels, "in_channels")
    num_classes = as_positive_int(num_classes, "num_classes")
    heights, widths = _trace_sizes((height, width), depth, padding)

    names, channels = ["input"], [in_channels]
    for level in range(1, depth + 1):
        width_l = base_channels * 2 ** (level - 1)
        names += [f"enc{level}.conv1", f"enc{level}.conv2", f"enc{level}.pool"]
        channels += [width_l] * 3
    names += ["bottleneck.conv1", "bottleneck.conv2"]
    channels += [base_channels * 2**depth] * 2
    for level in reversed(range(1, depth + 1)):
        width_l = base_channels * 2 ** (level - 1)
        names += [f"dec{level}.up", f"dec{level}.concat", f"dec{level}.conv1", f"dec{level}.conv2"]
        channels += [width_l, 2 * width_l, width_l, width_l]
    names.append("output")
    channels.append(num_classes)

    stages = [Stage(*fields) for fields in zip(names, channels, heights, widths)]
    if not skip:
        stages = [stage for stage in stages if not stage.name.endswith(".concat")]
    return stages
