"""course_lib.architectures: traced shapes, parameters and multiply-adds equal PyTorch's models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from course_lib import architectures as arch
from course_lib.architectures import FC, Conv, Pool

NETWORKS = {
    "lenet": (arch.LENET, arch.LENET_INPUT),
    "alexnet": (arch.ALEXNET, arch.ALEXNET_INPUT),
    "vgg16": (arch.VGG16, arch.VGG16_INPUT),
}


def torch_report(model: torch.nn.Module, input_shape, device="meta"):
    """Per named module: PyTorch's output shape (without batch), parameter count and multiply-adds."""
    shapes = {}
    hooks = [module.register_forward_hook(lambda m, i, o, name=name: shapes.__setitem__(name, tuple(o.shape[1:])))
             for name, module in model.named_children()]
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(1, *input_shape, device=device))
    for hook in hooks:
        hook.remove()
    flops = {key.split(".")[-1]: sum(v.values()) for key, v in counter.get_flop_counts().items()}
    parameters = {name: sum(p.numel() for p in module.parameters()) for name, module in model.named_children()}
    return shapes, parameters, {name: flops.get(name, 0) // 2 for name in shapes}


@pytest.fixture(scope="module")
def built():
    """Each network built once, on the meta device (no memory, no initialisation), with its report."""
    reports = {}
    for key, (layers, input_shape) in NETWORKS.items():
        model = arch.to_torch(layers, input_shape, device="meta")
        reports[key] = (model, *torch_report(model, input_shape))
    return reports


@pytest.mark.parametrize("key", NETWORKS)
def test_trace_equals_the_torch_model_layer_by_layer(built, key):
    layers, input_shape = NETWORKS[key]
    model, shapes, parameters, multiply_adds = built[key]
    rows = arch.trace(layers, input_shape)
    assert rows[0].output_shape == input_shape
    for row in rows[1:]:
        assert row.output_shape == shapes[row.name], row.name
        assert row.parameters == parameters[row.name], row.name
        assert row.multiply_adds == multiply_adds[row.name], row.name
    assert sum(row.parameters for row in rows) == sum(p.numel() for p in model.parameters())
    # every module with parameters appears in the trace
    assert {name for name, count in parameters.items() if count} <= {row.name for row in rows}


def test_totals_of_the_lectures(built):
    # LeNet "60K parameters", VGG-16 "138M" (lecture 002); exact totals from the torch models
    totals = {key: sum(p.numel() for p in built[key][0].parameters()) for key in NETWORKS}
    assert totals["vgg16"] == 138_357_544
    assert 55_000 < totals["lenet"] < 65_000
    assert 55e6 < totals["alexnet"] < 65e6  # "60M parameters"
    for key, (layers, input_shape) in NETWORKS.items():
        assert sum(row.parameters for row in arch.trace(layers, input_shape)) == totals[key]


def test_shapes_on_the_slides():
    # lecture 002's LeNet, AlexNet and VGG drawings, as (C, H, W)
    lenet = [row.output_shape for row in arch.trace(arch.LENET, arch.LENET_INPUT)]
    assert lenet[1:5] == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5)]
    assert lenet[-2:] == [(84,), (10,)]
    alexnet = [row.output_shape for row in arch.trace(arch.ALEXNET, arch.ALEXNET_INPUT)]
    assert alexnet[1:9] == [(96, 55, 55), (96, 27, 27), (256, 27, 27), (256, 13, 13),
                            (384, 13, 13), (384, 13, 13), (256, 13, 13), (256, 6, 6)]
    assert 256 * 6 * 6 == 9216 and alexnet[9:] == [(4096,), (4096,), (1000,)]
    vgg = {row.name: row.output_shape for row in arch.trace(arch.VGG16, arch.VGG16_INPUT)}
    assert vgg["conv2"] == (64, 224, 224) and vgg["pool1"] == (64, 112, 112)
    assert vgg["pool2"] == (128, 56, 56) and vgg["pool3"] == (256, 28, 28)
    assert vgg["pool4"] == (512, 14, 14) and vgg["pool5"] == (512, 7, 7)
    assert sum(name.startswith(("conv", "fc")) for name in vgg) == 16  # "16 layers that have weights"


def test_lenet_runs_on_real_tensors_batched():
    model = arch.to_torch(arch.LENET, arch.LENET_INPUT)
    x = torch.randn(3, *arch.LENET_INPUT)
    shapes, parameters, _ = torch_report(model, arch.LENET_INPUT, device="cpu")
    assert model(x).shape == (3, 10)
    rows = arch.trace(arch.LENET, arch.LENET_INPUT)
    assert [shapes[row.name] for row in rows[1:]] == [row.output_shape for row in rows[1:]]


def test_to_torch_modules():
    model = arch.to_torch([Conv(4, 3, stride=2, padding=1, activation="tanh"), Pool("avg", 2), FC(5), FC(2, None)],
                          (2, 9, 8), device="meta")
    names = [name for name, _ in model.named_children()]
    assert names == ["conv1", "conv1_tanh", "pool1", "flatten", "fc1", "fc1_relu", "fc2"]
    assert isinstance(model.conv1, torch.nn.Conv2d) and model.conv1.in_channels == 2
    assert model.conv1.stride == (2, 2) and model.conv1.padding == (1, 1)
    assert isinstance(model.pool1, torch.nn.AvgPool2d) and isinstance(model.conv1_tanh, torch.nn.Tanh)
    assert model.fc1.in_features == 4 * 2 * 2


def random_architecture(rng):
    """A random small network: 1-4 conv/pool layers (odd and even sizes), then 0-2 FC layers."""
    layers, size = [], int(rng.integers(8, 20))
    height = size
    for _ in range(int(rng.integers(1, 5))):
        if rng.random() < 0.7:
            k = int(rng.integers(1, 6))
            layer = Conv(int(rng.integers(1, 7)), k, stride=int(rng.integers(1, 4)), padding=int(rng.integers(0, k)))
            span = k - 2 * layer.padding
        else:
            k = int(rng.integers(2, 4))
            layer = Pool(str(rng.choice(["max", "avg"])), k, int(rng.integers(1, 3)) if rng.random() < 0.5 else None)
            span = k
        if span > height:
            break
        layers.append(layer)
        height = arch.trace(layers, (1, size, size))[-1].output_shape[1]
    layers += [FC(int(rng.integers(1, 9))) for _ in range(int(rng.integers(0, 3)))]
    return layers, (int(rng.integers(1, 4)), size, size + int(rng.integers(0, 4)))


@pytest.mark.parametrize("seed", range(12))
def test_random_architectures_equal_torch(seed):
    rng = np.random.default_rng(seed)
    layers, input_shape = random_architecture(rng)
    model = arch.to_torch(layers, input_shape, device="meta")
    shapes, parameters, multiply_adds = torch_report(model, input_shape)
    for row in arch.trace(layers, input_shape)[1:]:
        assert (row.output_shape, row.parameters, row.multiply_adds) == (
            shapes[row.name], parameters[row.name], multiply_adds[row.name]), (layers, input_shape, row)


def test_receptive_fields_in_the_trace():
    rows = arch.trace([Conv(1, 3, padding=1)] * 3, (1, 16, 16))
    assert [row.receptive_field for row in rows] == [1, 3, 5, 7]  # 1 + L(K-1), lecture 003
    vgg = {row.name: row.receptive_field for row in arch.trace(arch.VGG16, arch.VGG16_INPUT)}
    assert vgg["conv13"] == 196 and vgg["pool5"] == 212 and vgg["fc1"] is None


# ----------------------------------------------------------------------------------------------
# The cost of one convolution
# ----------------------------------------------------------------------------------------------


def test_the_lectures_counts():
    # lecture 003: ten 5x5x3 filters; 49 C^2 against 27 C^2 weights
    assert arch.conv_parameters(3, 10, 5) == 760
    c = 64
    assert arch.conv_parameters(c, c, 7, bias=False) == 49 * c * c
    assert 3 * arch.conv_parameters(c, c, 3, bias=False) == 27 * c * c
    # lecture 002: Inception's 5x5 branch, naive (~470M) and with a 1x1 bottleneck to 16 (~40M)
    naive = arch.conv_multiplies(200, 92, 5, 32)
    bottleneck = arch.conv_multiplies(200, 16, 1, 32) + arch.conv_multiplies(16, 92, 5, 32)
    assert naive == 5 * 5 * 200 * 32 * 32 * 92 and round(naive / 1e7) == 47
    assert bottleneck == 1 * 1 * 200 * 32 * 32 * 16 + 5 * 5 * 16 * 32 * 32 * 92 and round(bottleneck / 1e7) == 4
    # lecture 002: depthwise separable on 12x12x3 to 8x8x256 with 5x5
    assert arch.conv_multiplies(3, 256, 5, 8) == 1_228_800
    assert arch.conv_multiplies(3, 3, 5, 8, groups=3) == 4_800
    assert arch.conv_multiplies(3, 256, 1, 8) == 49_152


@pytest.mark.parametrize("c_in, c_out, kernel, groups, out_size", [
    (3, 8, 3, 1, (5, 7)), (4, 6, (2, 3), 2, (4, 4)), (6, 6, 5, 6, 3), (8, 4, 1, 4, (6, 5)), (1, 1, (1, 4), 1, 2),
])
def test_conv_costs_equal_torch(c_in, c_out, kernel, groups, out_size):
    layer = torch.nn.Conv2d(c_in, c_out, kernel, groups=groups, device="meta")
    kh, kw = layer.kernel_size
    h_out, w_out = (out_size, out_size) if isinstance(out_size, int) else out_size
    with FlopCounterMode(display=False) as counter:
        layer(torch.zeros(1, c_in, h_out + kh - 1, w_out + kw - 1, device="meta"))
    assert arch.conv_multiplies(c_in, c_out, kernel, out_size, groups=groups) == counter.get_total_flops() // 2
    for bias in (True, False):
        no_bias = torch.nn.Conv2d(c_in, c_out, kernel, groups=groups, bias=bias, device="meta")
        assert arch.conv_parameters(c_in, c_out, kernel, groups=groups, bias=bias) == sum(
            p.numel() for p in no_bias.parameters())


# ----------------------------------------------------------------------------------------------
# Bad input and formatting
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("architecture, input_shape, match", [
    ([Conv(4, 3), "relu"], (1, 8, 8), r"architecture\[1\]: expected a Conv, Pool or FC"),
    ("conv", (1, 8, 8), "architecture: expected a sequence"),
    ([Conv(4, 3)], (8, 8), r"input_shape: expected \(C, H, W\)"),
    ([Conv(4, 3)], (1, 0, 8), "input_shape: expected an int >= 1"),
    ([FC(4), Conv(4, 3)], (1, 8, 8), r"architecture\[1\]: a Conv layer cannot follow a fully connected"),
    ([Conv(4, 9)], (1, 8, 8), r"architecture\[0\] \(conv1, input \(1, 8, 8\)\): kernel_size"),
    ([Conv(4, 3), Pool("max", 3, 2), Pool("max", 3)], (1, 8, 8), r"architecture\[2\] \(pool2"),
    ([Pool("mean", 2)], (1, 8, 8), r"architecture\[0\]\.kind: expected 'max' or 'avg'"),
    ([Conv(0, 3)], (1, 8, 8), r"architecture\[0\]\.out_channels: expected an int >= 1"),
    ([Conv(2, 3, padding=-1)], (1, 8, 8), r"architecture\[0\]\.padding: expected an int >= 0"),
    ([Conv(2, 3, stride=0)], (1, 8, 8), r"architecture\[0\]\.stride"),
    ([FC(3, activation="sigmoid")], (1, 8, 8), r"architecture\[0\]\.activation"),
])
def test_trace_bad_input(architecture, input_shape, match):
    with pytest.raises(ValueError, match=match):
        arch.trace(architecture, input_shape)


@pytest.mark.parametrize("call, match", [
    (lambda: arch.conv_multiplies(6, 4, 3, 5, groups=4), "groups: in_channels=6 is not divisible by groups=4"),
    (lambda: arch.conv_multiplies(4, 6, 3, 5, groups=4), "groups: out_channels=6 is not divisible"),
    (lambda: arch.conv_multiplies(4, 6, 0, 5), "kernel_size: expected an int >= 1"),
    (lambda: arch.conv_multiplies(4, 6, 3, (5, 0)), "output_size: expected an int >= 1"),
    (lambda: arch.conv_multiplies(0, 6, 3, 5), "in_channels: expected an int >= 1"),
    (lambda: arch.conv_parameters(4, 2.5, 3), "out_channels: expected an int >= 1"),
    (lambda: arch.conv_parameters(4, 4, 3, groups=0), "groups: expected an int >= 1"),
])
def test_cost_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_trace_leaves_its_arguments_alone_and_formats():
    layers, shape = [Conv(4, 3), Pool("max", 2), FC(3)], [2, 10, 10]
    before = (list(layers), list(shape))
    rows = arch.trace(layers, shape)
    assert (layers, shape) == before
    table = arch.format_trace(rows).splitlines()
    assert table[0].split()[0] == "layer" and table[-1].split()[0] == "total"
    assert table[-1].split()[1:] == [f"{sum(r.parameters for r in rows):,}", f"{sum(r.multiply_adds for r in rows):,}"]
    assert "all" in table[-2]  # the fc layer sees the whole input
