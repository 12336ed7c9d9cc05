"""A learnable upsampling layer that starts as bilinear interpolation, and a small experiment.

FCN (Long, Shelhamer and Darrell, 2015) upsamples with transposed convolutions whose weights
start as the bilinear kernel: before training the layer interpolates, and training can move it
to something better for the task. This module does the same in PyTorch:

- `init_bilinear_` fills a `torch.nn.ConvTranspose2d` with `bilinear_upsample_weight`;
- `BilinearUpsampler` is such a layer behind a one-pixel edge-replicating pad, which makes it
  equal to `F.interpolate(x, scale_factor=f, mode="bilinear")` everywhere, borders included;
- `super_resolution_data`, `train_upsampler` and `psnr` run the experiment of the notebook:
  learn 2x super-resolution of the photograph, starting from bilinear interpolation.

Unlike the rest of course_lib it needs torch, so `import course_lib` does not import it:

    >>> import torch
    >>> from course_lib.learned_upsampling import BilinearUpsampler
    >>> model = BilinearUpsampler(factor=2)
    >>> model(torch.tensor([[[[0.0, 4.0]]]]))
    tensor([[[[0., 1., 3., 4.],
              [0., 1., 3., 4.]]]], grad_fn=<ConvolutionBackward0>)
"""

from __future__ import annotations

import contextlib
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import as_positive_int
from .data import load_photograph

__all__ = [
    "BilinearUpsampler",
    "History",
    "SuperResolutionData",
    "init_bilinear_",
    "psnr",
    "super_resolution_data",
    "train_upsampler",
]


def _tent(size: int, factor: int) -> np.ndarray:
    """`max(0, 1 - |u - c| / f)` for `u = 0 .. size - 1`, centred at `c = (size - 1) / 2`.

    For `size = 2f - 1` or `2f - f % 2` this is `triangle_weights`; a larger size adds zeros
    around it (when `size - f` is even the taps still fall on the same output pixels).
    """
    return np.maximum(0.0, 1 - np.abs(np.arange(size) - (size - 1) / 2) / factor)


def init_bilinear_(layer: nn.ConvTranspose2d) -> nn.ConvTranspose2d:
    """Fill a transposed convolution's weight with the bilinear kernel, channel by channel, in place.

    `weight[c, c]` becomes the outer product of the tent `1 - |u - c| / f` with itself, `f` the
    layer's stride and the tent centred in the layer's kernel; `weight[c, o]` for `o != c` and
    the bias (if any) become zero. For the usual kernel sizes this is exactly
    `bilinear_upsample_weight(C, f, align_corners)`: `2f - f % 2` (FCN) or `2f - 1` (corners
    aligned). A larger kernel gets the same tent with zeros around it, so that training can use
    the extra taps. The layer must map C channels to C channels (groups=1), with a square kernel
    and the same stride along both axes.

    Parameters
    ----------
    layer : torch.nn.ConvTranspose2d
        The layer, weight of shape (C, C, k, k).

    Returns
    -------
    torch.nn.ConvTranspose2d
        The same layer (the trailing underscore says: changed in place, as in `torch.nn.init`).

    Examples
    --------
    >>> import torch
    >>> from course_lib.bilinear import bilinear_upsample_weight
    >>> layer = init_bilinear_(torch.nn.ConvTranspose2d(3, 3, 4, stride=2, padding=1, bias=False))
    >>> bool(torch.equal(layer.weight, torch.from_numpy(bilinear_upsample_weight(3, 2)).float()))
    True
    """
    if not isinstance(layer, nn.ConvTranspose2d):
        raise ValueError(f"layer: expected a torch.nn.ConvTranspose2d, got {type(layer).__name__}")
    channels, outputs, kh, kw = layer.weight.shape
    if layer.groups != 1 or channels != outputs:
        raise ValueError(
            f"layer: expected as many output channels as input channels and groups=1, got "
            f"{layer.in_channels} -> {layer.out_channels} channels with groups={layer.groups}"
        )
    if kh != kw or layer.stride[0] != layer.stride[1]:
        raise ValueError(
            f"layer: expected a square kernel and the same stride along both axes, got "
            f"kernel_size={layer.kernel_size} and stride={layer.stride}"
        )
    factor = layer.stride[0]
    if kh < 2 * factor - 1:
        raise ValueError(f"layer: expected kernel_size >= 2 * stride - 1 = {2 * factor - 1}, got {kh}")
    tent = _tent(kh, factor)
    kernel = torch.from_numpy(np.outer(tent, tent)).to(layer.weight.dtype)
    with torch.no_grad():
        layer.weight.zero_()
        for c in range(channels):
            layer.weight[c, c] = kernel
        if layer.bias is not None:
            layer.bias.zero_()
    return layer


class BilinearUpsampler(nn.Module):
    """Upsample by an integer factor with a learnable transposed convolution that starts bilinear.

    The input is padded by one pixel that repeats its edge (`F.pad(..., mode="replicate")`),
    then a `ConvTranspose2d(C, C, k, stride=f)` initialised by `init_bilinear_` upsamples it,
    and its padding crops the border back off: `(k - f) // 2` as in FCN, plus `f` for the pad
    pixel. Before training, the output equals `F.interpolate(x, scale_factor=f,
    mode="bilinear", align_corners=False)` everywhere, borders included. Without the pad the
    border would blend the edge pixels with zeros.

    Parameters
    ----------
    channels : int, default 1
        Channels in and out (each upsampled on its own at the start).
    factor : int, default 2
        Upsampling factor `f`.
    kernel_size : int, optional
        Default `2f - f % 2` (FCN's kernel). A larger size starts as the same tent with zeros
        around it and gives training more taps; `kernel_size - f` must be even.

    Attributes
    ----------
    up : torch.nn.ConvTranspose2d
        The learnable layer, weight of shape (C, C, k, k), no bias.

    Examples
    --------
    >>> import torch.nn.functional as F
    >>> x = torch.rand(2, 3, 5, 7, generator=torch.Generator().manual_seed(0))
    >>> model = BilinearUpsampler(channels=3, factor=3, kernel_size=9)
    >>> expected = F.interpolate(x, scale_factor=3, mode="bilinear", align_corners=False)
    >>> bool(torch.allclose(model(x), expected, atol=1e-6))
    True
    """

    def __init__(self, channels: int = 1, factor: int = 2, kernel_size: int | None = None):
        super().__init__()
        channels = as_positive_int(channels, "channels")
        factor = as_positive_int(factor, "factor")
        smallest = 2 * factor - factor % 2
        kernel_size = smallest if kernel_size is None else as_positive_int(kernel_size, "kernel_size")
        if kernel_size < smallest or (kernel_size - factor) % 2:
            raise ValueError(
                f"kernel_size: expected an int >= 2f - f % 2 = {smallest} with kernel_size - f even "
                f"(f = {factor}), got {kernel_size}"
            )
        self.factor = factor
        self.up = nn.ConvTranspose2d(channels, channels, kernel_size, stride=factor,
                                     padding=(kernel_size - factor) // 2 + factor, bias=False)
        init_bilinear_(self.up)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, H, W) -> (N, C, f H, f W)."""
        return self.up(F.pad(x, (1, 1, 1, 1), mode="replicate"))


class SuperResolutionData(NamedTuple):
    """Pairs of low- and high-resolution images, as (1, 1, H, W) float32 tensors."""

    low_train: torch.Tensor
    high_train: torch.Tensor
    low_held_out: torch.Tensor
    high_held_out: torch.Tensor


def super_resolution_data(factor: int = 2) -> SuperResolutionData:
    """The photograph as a super-resolution task: its left half to train on, its right half held out.

    The high-resolution images are the two halves of `load_photograph()` (600 x 512, gray, in
    [0, 1]), cropped to multiples of `factor`. Each low-resolution pixel is the average of an
    `f x f` block (`F.avg_pool2d`), as a camera sensor integrates the light falling on one
    pixel. Bilinear interpolation treats low-resolution pixels as point samples instead, which is
    why a trained layer can do better than it.

    Parameters
    ----------
    factor : int, default 2
        Downsampling (and so upsampling) factor `f`.

    Returns
    -------
    SuperResolutionData
        `low_train` (1, 1, H/f, W/(2f)), `high_train` (1, 1, H, W/2), and likewise for the held
        out half.

    Examples
    --------
    >>> data = super_resolution_data()
    >>> tuple(data.low_train.shape), tuple(data.high_train.shape)
    ((1, 1, 300, 128), (1, 1, 600, 256))
    """
    factor = as_positive_int(factor, "factor")
    photo = load_photograph()
    height = photo.shape[0] // factor * factor
    half = photo.shape[1] // (2 * factor) * factor
    high = torch.from_numpy(photo[:height].astype(np.float32))[None, None]
    high_train, high_held_out = high[..., :half], high[..., half : 2 * half]
    return SuperResolutionData(F.avg_pool2d(high_train, factor), high_train,
                               F.avg_pool2d(high_held_out, factor), high_held_out)


class History(NamedTuple):
    """Mean squared errors during training; entry 0 is before the first step."""

    train_loss: list
    held_out_loss: list


@contextlib.contextmanager
def _one_thread():
    """Run torch on one thread: for layers this small, threads cost more than they bring."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def train_upsampler(model: nn.Module, data: SuperResolutionData, steps: int = 200, lr: float = 3.0,
                    momentum: float = 0.8) -> History:
    """Train an upsampling model on `data` by full-batch gradient descent on the mean squared error.

    Each step computes the loss on the whole training image, takes one step of SGD with
    momentum, and records the training and held-out losses. Entry 0 of each list is measured
    before any step, so for a `BilinearUpsampler` it is exactly the loss of bilinear
    interpolation. Nothing is random: the same model and data always give the same history.
    (The learning rate looks large because the loss is an average over 150,000 pixels of
    squared errors of about 0.001: its gradient is small.)

    Parameters
    ----------
    model : torch.nn.Module
        Maps `data.low_train` to the shape of `data.high_train`; trained in place.
    data : SuperResolutionData
    steps : int, default 200
        Number of gradient steps.
    lr, momentum : float
        Those of `torch.optim.SGD`.

    Returns
    -------
    History
        `train_loss` and `held_out_loss`, `steps + 1` floats each.
    """
    steps = as_positive_int(steps, "steps")
    optimiser = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    train_loss, held_out_loss = [], []
    with _one_thread():
        for step in range(steps + 1):
            optimiser.zero_grad()
            loss = F.mse_loss(model(data.low_train), data.high_train)
            with torch.no_grad():
                held_out_loss.append(F.mse_loss(model(data.low_held_out), data.high_held_out).item())
            train_loss.append(loss.item())
            if step < steps:
                loss.backward()
                optimiser.step()
    return History(train_loss, held_out_loss)


def psnr(prediction, target, peak: float = 1.0) -> float:
    """Peak signal-to-noise ratio, `10 log10(peak^2 / MSE)`, in decibels (higher is better).

    Parameters
    ----------
    prediction, target : torch.Tensor or array_like, the same shape
    peak : float, default 1.0
        The largest possible value (1 for images in [0, 1]).

    Returns
    -------
    float

    Examples
    --------
    >>> round(psnr(np.full(4, 0.1), np.zeros(4)), 6)
    20.0
    """
    prediction = torch.as_tensor(prediction, dtype=torch.float64)
    target = torch.as_tensor(target, dtype=torch.float64)
    if prediction.shape != target.shape:
        raise ValueError(f"prediction: expected the shape of target {tuple(target.shape)}, "
                         f"got {tuple(prediction.shape)}")
    mse = torch.mean((prediction - target) ** 2).item()
    return float(10 * np.log10(peak**2 / mse)) if mse > 0 else float("inf")
