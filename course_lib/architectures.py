"""Classic convolutional networks as plain layer lists, and the arithmetic of their shapes and costs.

An architecture here is a sequence of three kinds of layer, each holding only its
hyper-parameters: `Conv` (a convolution with its activation), `Pool` (max or average pooling)
and `FC` (a fully connected layer; the feature map is flattened before the first one). `LENET`,
`ALEXNET` and `VGG16` are the networks of the lectures, with the input shapes `LENET_INPUT`,
`ALEXNET_INPUT` and `VGG16_INPUT`.

`trace` follows an input through an architecture with nothing but integer arithmetic and lists,
layer by layer, the output shape, the number of parameters, the number of multiply-adds and the
receptive field: the table one fills in by hand on the slides. `to_torch` builds the same network
in PyTorch, so that the table can be checked against a real model. `conv_parameters` and
`conv_multiplies` give the cost of one convolution, for comparisons such as 1x1 bottlenecks and
depthwise separable convolutions.

    >>> rows = trace(LENET, LENET_INPUT)
    >>> rows[1]
    Row(name='conv1', output_shape=(6, 28, 28), parameters=156, multiply_adds=117600, receptive_field=5)
    >>> sum(row.parameters for row in rows)
    61706
"""

from __future__ import annotations

import collections
import contextlib
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from ._validation import as_pair, as_positive_int
from .convolution import conv_output_size
from .pooling import pool_output_size

__all__ = [
    "Conv",
    "Pool",
    "FC",
    "Row",
    "LENET",
    "LENET_INPUT",
    "ALEXNET",
    "ALEXNET_INPUT",
    "VGG16",
    "VGG16_INPUT",
    "trace",
    "format_trace",
    "to_torch",
    "conv_parameters",
    "conv_multiplies",
]

_ACTIVATIONS = (None, "relu", "tanh")


# ----------------------------------------------------------------------------------------------
# Layers
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conv:
    """A convolution layer: `out_channels` square filters of side `kernel_size`, then an activation.

    The number of input channels is not stored: it is whatever the layer below produces.
    """

    out_channels: int
    kernel_size: int
    stride: int = 1
    padding: int = 0
    activation: str | None = "relu"


@dataclass(frozen=True)
class Pool:
    """A pooling layer: `kind` is "max" or "avg"; the stride defaults to the kernel size."""

    kind: str
    kernel_size: int
    stride: int | None = None


@dataclass(frozen=True)
class FC:
    """A fully connected layer with `out_features` outputs, then an activation (None: no activation)."""

    out_features: int
    activation: str | None = "relu"


class Row(NamedTuple):
    """One line of `trace`: a layer's name, output shape and costs.

    `output_shape` is (C, H, W) for convolutions and pooling and (features,) for fully connected
    layers. `multiply_adds` counts the products of weights and inputs (biases and pooling cost
    none). `receptive_field` is the side, in input pixels, of the square one output unit
    depends on; None for fully connected layers, whose units depend on the whole input.
    """

    name: str
    output_shape: tuple[int, ...]
    parameters: int
    multiply_adds: int
    receptive_field: int | None


# ----------------------------------------------------------------------------------------------
# The networks of the lectures
# ----------------------------------------------------------------------------------------------

#: LeNet-5 (LeCun et al. 1998) as in lecture 002: valid 5x5 convolutions, 2x2 average pooling,
#: tanh. The third convolution sees a 5x5 map and so gives 1x1x120: it is a fully connected layer.
LENET = (
    Conv(6, 5, activation="tanh"),
    Pool("avg", 2),
    Conv(16, 5, activation="tanh"),
    Pool("avg", 2),
    Conv(120, 5, activation="tanh"),
    FC(84, activation="tanh"),
    FC(10, activation=None),
)
LENET_INPUT = (1, 32, 32)

#: AlexNet (Krizhevsky et al. 2012) as in lecture 002: on one device (no filter groups), without
#: local response normalisation and dropout, which change neither shapes nor parameter counts.
ALEXNET = (
    Conv(96, 11, stride=4),
    Pool("max", 3, 2),
    Conv(256, 5, padding=2),
    Pool("max", 3, 2),
    Conv(384, 3, padding=1),
    Conv(384, 3, padding=1),
    Conv(256, 3, padding=1),
    Pool("max", 3, 2),
    FC(4096),
    FC(4096),
    FC(1000, activation=None),
)
ALEXNET_INPUT = (3, 227, 227)

#: VGG-16 (Simonyan and Zisserman 2015, configuration D): 3x3 "same" convolutions with stride 1
#: and 2x2 max pooling with stride 2, in five blocks.
VGG16 = tuple(
    [Conv(64, 3, padding=1)] * 2 + [Pool("max", 2)]
    + [Conv(128, 3, padding=1)] * 2 + [Pool("max", 2)]
    + [Conv(256, 3, padding=1)] * 3 + [Pool("max", 2)]
    + [Conv(512, 3, padding=1)] * 3 + [Pool("max", 2)]
    + [Conv(512, 3, padding=1)] * 3 + [Pool("max", 2)]
    + [FC(4096), FC(4096), FC(1000, activation=None)]
)
VGG16_INPUT = (3, 224, 224)


# ----------------------------------------------------------------------------------------------
# Tracing shapes and costs
# ----------------------------------------------------------------------------------------------


def _as_input_shape(input_shape) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape: expected (C, H, W), three ints >= 1, got {input_shape!r}")
    return tuple(as_positive_int(v, "input_shape") for v in input_shape)


def _check_layer(layer, where: str) -> None:
    """Raise a ValueError naming `where` unless `layer` is a well-formed Conv, Pool or FC."""
    if isinstance(layer, Conv):
        as_positive_int(layer.out_channels, f"{where}.out_channels")
        as_positive_int(layer.kernel_size, f"{where}.kernel_size")
        as_positive_int(layer.stride, f"{where}.stride")
        if not isinstance(layer.padding, numbers.Integral) or layer.padding < 0:
            raise ValueError(f"{where}.padding: expected an int >= 0, got {layer.padding!r}")
    elif isinstance(layer, Pool):
        if layer.kind not in ("max", "avg"):
            raise ValueError(f"{where}.kind: expected 'max' or 'avg', got {layer.kind!r}")
        as_positive_int(layer.kernel_size, f"{where}.kernel_size")
        if layer.stride is not None:
            as_positive_int(layer.stride, f"{where}.stride")
    elif isinstance(layer, FC):
        as_positive_int(layer.out_features, f"{where}.out_features")
    else:
        raise ValueError(f"{where}: expected a Conv, Pool or FC layer, got {layer!r}")
    if not isinstance(layer, Pool) and layer.activation not in _ACTIVATIONS:
        raise ValueError(f"{where}.activation: expected one of {_ACTIVATIONS}, got {layer.activation!r}")


def _layer_names(architecture) -> list[str]:
    """conv1, conv2, ..., pool1, ..., fc1, ...: each kind numbered from the input upwards."""
    counts = {"conv": 0, "pool": 0, "fc": 0}
    names = []
    for layer in architecture:
        kind = {Conv: "conv", Pool: "pool", FC: "fc"}[type(layer)]
        counts[kind] += 1
        names.append(f"{kind}{counts[kind]}")
    return names


def trace(architecture: Sequence, input_shape) -> list[Row]:
    """Follow an input through a network: every layer's output shape, parameters and multiply-adds.

    For a convolution with ``C_in`` input and ``C_out`` output channels, kernel ``k`` and an
    ``H_out x W_out`` output:

    * output side: ``floor((n + 2p - k) / s) + 1`` (`conv_output_size`);
    * parameters: ``C_out (C_in k^2 + 1)``, a ``C_in x k x k`` filter and a bias per output channel;
    * multiply-adds: ``C_out H_out W_out C_in k^2``, one filter application per output value.

    Pooling has no parameters and no multiplications; the first fully connected layer flattens
    the map, and one from ``n_in`` to ``n_out`` features has ``n_out (n_in + 1)`` parameters and
    ``n_in n_out`` multiply-adds. The receptive field grows by ``(k - 1)`` times the product of
    the strides below (see `course_lib.receptive_field`).

    Parameters
    ----------
    architecture : sequence of Conv, Pool and FC
        The layers from the input upwards (no Conv or Pool after an FC).
    input_shape : (int, int, int)
        The input's (C, H, W).

    Returns
    -------
    rows : list of Row
        One `Row` for the input (zero costs) and one per layer, named conv1, pool1, fc1, ...

    Examples
    --------
    >>> [row.output_shape for row in trace([Conv(8, 3, stride=2), Pool("max", 2), FC(10)], (3, 9, 9))]
    [(3, 9, 9), (8, 4, 4), (8, 2, 2), (10,)]
    """
    if isinstance(architecture, (str, bytes)) or not isinstance(architecture, Sequence):
        raise ValueError(f"architecture: expected a sequence of Conv, Pool and FC layers, got {architecture!r}")
    for index, layer in enumerate(architecture):
        _check_layer(layer, f"architecture[{index}]")
    shape = _as_input_shape(input_shape)
    rows = [Row("input", shape, 0, 0, 1)]
    field, jump = 1, 1  # receptive field, and input pixels between neighbouring units
    for index, (layer, name) in enumerate(zip(architecture, _layer_names(architecture))):
        where = f"architecture[{index}]"
        if isinstance(layer, FC):
            features = 1
            for size in shape:
                features *= size
            shape = (layer.out_features,)
            rows.append(Row(name, shape, layer.out_features * (features + 1), features * layer.out_features, None))
            continue
        if len(shape) != 3:
            raise ValueError(f"{where}: a {type(layer).__name__} layer cannot follow a fully connected layer")
        channels, height, width = shape
        try:
            if isinstance(layer, Conv):
                size = conv_output_size((height, width), layer.kernel_size, layer.stride, layer.padding)
            else:
                size = pool_output_size((height, width), layer.kernel_size, layer.stride)
        except ValueError as error:
            raise ValueError(f"{where} ({name}, input {shape}): {error}") from None
        stride = layer.stride if layer.stride is not None else layer.kernel_size
        field += (layer.kernel_size - 1) * jump
        jump *= stride
        if isinstance(layer, Conv):
            weights = layer.out_channels * channels * layer.kernel_size**2
            shape = (layer.out_channels, *size)
            rows.append(Row(name, shape, weights + layer.out_channels, weights * size[0] * size[1], field))
        else:
            shape = (channels, *size)
            rows.append(Row(name, shape, 0, 0, field))
    return rows


def format_trace(rows: Sequence[Row]) -> str:
    """The rows of `trace` as a text table with totals, numbers grouped by thousands.

    Examples
    --------
    >>> print(format_trace(trace([Conv(4, 3)], (1, 5, 5))))
    layer    output shape    parameters    multiply-adds    receptive field
    input    1 x 5 x 5                0                0                  1
    conv1    4 x 3 x 3               40              324                  3
    total                            40              324
    """
    header = ("layer", "output shape", "parameters", "multiply-adds", "receptive field")
    lines = [(row.name, " x ".join(map(str, row.output_shape)), f"{row.parameters:,}",
              f"{row.multiply_adds:,}", "all" if row.receptive_field is None else str(row.receptive_field))
             for row in rows]
    lines.append(("total", "", f"{sum(r.parameters for r in rows):,}",
                  f"{sum(r.multiply_adds for r in rows):,}", ""))
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    text = []
    for line in [header, *lines]:
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(line[2:], widths[2:])]
        text.append("    ".join(cells).rstrip())
    return "\n".join(text)


def to_torch(architecture: Sequence, input_shape, device=None):
    """Build the network as a `torch.nn.Sequential`, with modules named as in `trace`.

    Each Conv becomes ``conv<i>`` (a `torch.nn.Conv2d`) followed by ``conv<i>_relu`` or
    ``conv<i>_tanh``; each Pool becomes ``pool<i>`` (`MaxPool2d` or `AvgPool2d`); a ``flatten``
    comes before the first FC, and each FC becomes ``fc<i>`` (`torch.nn.Linear`) and its activation.
    The weights are PyTorch's random initialisation: this is for checking shapes and counts.

    Parameters
    ----------
    architecture : sequence of Conv, Pool and FC
    input_shape : (int, int, int)
        The input's (C, H, W): it fixes the first layer's input channels and the first FC's inputs.
    device : str or torch.device, optional
        Where to create the parameters; ``"meta"`` allocates no memory (shapes only), which makes
        even VGG-16 instant to build.

    Returns
    -------
    torch.nn.Sequential

    Examples
    --------
    >>> model = to_torch(LENET, LENET_INPUT, device="meta")
    >>> sum(p.numel() for p in model.parameters())
    61706
    """
    import torch  # imported here: course_lib itself does not need PyTorch

    rows = trace(architecture, input_shape)
    activations = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}
    modules = {}
    with torch.device(device) if device is not None else contextlib.nullcontext():
        for layer, below, row in zip(architecture, rows[:-1], rows[1:]):
            if isinstance(layer, Conv):
                modules[row.name] = torch.nn.Conv2d(below.output_shape[0], layer.out_channels, layer.kernel_size,
                                                    stride=layer.stride, padding=layer.padding)
            elif isinstance(layer, Pool):
                pool = torch.nn.MaxPool2d if layer.kind == "max" else torch.nn.AvgPool2d
                modules[row.name] = pool(layer.kernel_size, stride=layer.stride)
            else:
                if len(below.output_shape) == 3:
                    modules["flatten"] = torch.nn.Flatten()
                features = 1
                for size in below.output_shape:
                    features *= size
                modules[row.name] = torch.nn.Linear(features, layer.out_features)
            if not isinstance(layer, Pool) and layer.activation is not None:
                modules[f"{row.name}_{layer.activation}"] = activations[layer.activation]()
    return torch.nn.Sequential(collections.OrderedDict(modules))


# ----------------------------------------------------------------------------------------------
# The cost of one convolution
# ----------------------------------------------------------------------------------------------


def _check_groups(in_channels, out_channels, groups):
    in_channels = as_positive_int(in_channels, "in_channels")
    out_channels = as_positive_int(out_channels, "out_channels")
    groups = as_positive_int(groups, "groups")
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise ValueError(f"groups: {name}={channels} is not divisible by groups={groups}")
    return in_channels, out_channels, groups


def conv_parameters(in_channels, out_channels, kernel_size, groups=1, bias=True) -> int:
    """Number of parameters of a convolution layer.

    Each of the `out_channels` filters spans ``in_channels / groups`` channels and a
    ``kH x kW`` window, so the layer has ``out_channels * (in_channels / groups) * kH * kW``
    weights, plus one bias per filter.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    groups : int, optional
        Channel groups (``groups = in_channels`` is a depthwise convolution).
    bias : bool, optional
        Count the biases.

    Returns
    -------
    int

    Examples
    --------
    Ten 5x5 filters on a 3-channel image (lecture 003):

    >>> conv_parameters(3, 10, 5)
    760
    """
    in_channels, out_channels, groups = _check_groups(in_channels, out_channels, groups)
    kh, kw = as_pair(kernel_size, "kernel_size", minimum=1)
    return out_channels * (in_channels // groups) * kh * kw + (out_channels if bias else 0)


def conv_multiplies(in_channels, out_channels, kernel_size, output_size, groups=1) -> int:
    """Number of multiplications a convolution layer makes for one image.

    Every one of the ``out_channels x H_out x W_out`` output values is one filter applied to
    one window: ``(in_channels / groups) * kH * kW`` products. The total is what separates a
    cheap layer from an expensive one, and what 1x1 bottlenecks and depthwise separable
    convolutions reduce.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    output_size : int or (int, int)
        The output's (H_out, W_out), e.g. from `course_lib.conv_output_size`.
    groups : int, optional
        Channel groups (``groups = in_channels`` is a depthwise convolution).

    Returns
    -------
    int

    Examples
    --------
    The naive 5x5 Inception branch of lecture 002, 32x32x200 to 32x32x92:

    >>> conv_multiplies(200, 92, 5, 32)
    471040000
    """
    in_channels, out_channels, groups = _check_groups(in_channels, out_channels, groups)
    kh, kw = as_pair(kernel_size, "kernel_size", minimum=1)
    h_out, w_out = as_pair(output_size, "output_size", minimum=1)
    return out_channels * h_out * w_out * (in_channels // groups) * kh * kw
