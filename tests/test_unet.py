"""Tests of course_lib.unet: centre crop, shape arithmetic, and the PyTorch U-Net it describes."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from course_lib.unet import (
    ConvBlock,
    Stage,
    UNet,
    UpBlock,
    center_crop,
    nearest_valid_input_size,
    unet_shape_trace,
    valid_input_size,
)



@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small tensors: one thread is faster than two, and fair to a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def brute_force_valid(n, depth, padding):
    """Whether a size is valid, by walking through the network with plain arithmetic."""
    shrink = 4 if padding == "valid" else 0
    size = n
    for _ in range(depth):
        size -= shrink
        if size < 1 or size % 2:
            return False
        size //= 2
    size -= shrink
    if size < 1:
        return False
    for _ in range(depth):
        size = 2 * size - shrink
        if size < 1:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# center_crop


def test_center_crop_numpy_and_torch_agree():
    array = np.arange(2 * 3 * 7 * 8).reshape(2, 3, 7, 8)
    for size in [(7, 8), (5, 6), (4, 3), (1, 1), 3]:
        h, w = (size, size) if isinstance(size, int) else size
        top, left = (7 - h) // 2, (8 - w) // 2
        expected = array[..., top:top + h, left:left + w]
        np.testing.assert_array_equal(center_crop(array, size), expected)
        np.testing.assert_array_equal(center_crop(torch.from_numpy(array), size).numpy(), expected)


def test_center_crop_odd_margin_goes_to_the_bottom_right():
    x = np.arange(16).reshape(4, 4)
    np.testing.assert_array_equal(center_crop(x, 3), [[0, 1, 2], [4, 5, 6], [8, 9, 10]])
    np.testing.assert_array_equal(center_crop(x, (2, 1)), [[5], [9]])
    # the U-Net case: 64 -> 56 cuts 4 pixels on each side
    big = torch.arange(64.0).expand(64, 64)
    assert center_crop(big, 56)[0, 0].item() == 4.0


def test_center_crop_returns_a_view_of_the_input():
    x = np.zeros((5, 5))
    cropped = center_crop(x, 3)
    assert np.shares_memory(cropped, x)
    np.testing.assert_array_equal(x, np.zeros((5, 5)))


@pytest.mark.parametrize("x, size, message", [
    (np.zeros((4, 5)), (5, 5), r"size: expected at most the input's \(H, W\) = \(4, 5\), got \(5, 5\)"),
    (torch.zeros(2, 3, 4, 5), 6, r"size: expected at most the input's \(H, W\) = \(4, 5\)"),
    (np.zeros((4, 5)), 0, r"size: expected an int >= 1"),
    (np.zeros((4, 5)), (2, 2, 2), r"size: expected an int >= 1"),
    (np.zeros(5), 2, r"x: expected an array or tensor with at least 2 axes"),
    ([[1, 2], [3, 4]], 1, r"x: expected an array or tensor with at least 2 axes"),
])
def test_center_crop_bad_input(x, size, message):
    with pytest.raises(ValueError, match=message):
        center_crop(x, size)


# ---------------------------------------------------------------------------------------------
# shape trace


def test_trace_of_the_paper_network():
    # The sizes of Ronneberger et al.'s Figure 1, read off the boxes.
    trace = unet_shape_trace(572)
    sizes = {stage.name: (stage.channels, stage.height) for stage in trace}
    expected = {
        "input": (1, 572),
        "enc1.conv1": (64, 570), "enc1.conv2": (64, 568), "enc1.pool": (64, 284),
        "enc2.conv1": (128, 282), "enc2.conv2": (128, 280), "enc2.pool": (128, 140),
        "enc3.conv1": (256, 138), "enc3.conv2": (256, 136), "enc3.pool": (256, 68),
        "enc4.conv1": (512, 66), "enc4.conv2": (512, 64), "enc4.pool": (512, 32),
        "bottleneck.conv1": (1024, 30), "bottleneck.conv2": (1024, 28),
        "dec4.up": (512, 56), "dec4.concat": (1024, 56), "dec4.conv1": (512, 54), "dec4.conv2": (512, 52),
        "dec3.up": (256, 104), "dec3.concat": (512, 104), "dec3.conv1": (256, 102), "dec3.conv2": (256, 100),
        "dec2.up": (128, 200), "dec2.concat": (256, 200), "dec2.conv1": (128, 198), "dec2.conv2": (128, 196),
        "dec1.up": (64, 392), "dec1.concat": (128, 392), "dec1.conv1": (64, 390), "dec1.conv2": (64, 388),
        "output": (2, 388),
    }
    assert [stage.name for stage in trace] == list(expected)
    assert sizes == expected
    assert all(isinstance(stage, Stage) and stage.width == stage.height for stage in trace)


def test_trace_same_padding_keeps_the_size_and_skip_false_drops_concat():
    trace = unet_shape_trace((64, 96), depth=3, padding="same", base_channels=8, in_channels=3,
                             num_classes=5, skip=False)
    assert trace[0] == Stage("input", 3, 64, 96)
    assert trace[-1] == Stage("output", 5, 64, 96)
    assert not any("concat" in stage.name for stage in trace)
    assert Stage("bottleneck.conv2", 64, 8, 12) in trace
    assert Stage("dec1.conv2", 8, 64, 96) in trace


@pytest.mark.parametrize("depth, padding", list(itertools.product([1, 2, 3, 4, 5], ["valid", "same"])))
def test_valid_sizes_agree_with_brute_force(depth, padding):
    for n in range(1, 260):
        valid = brute_force_valid(n, depth, padding)
        if valid:
            assert unet_shape_trace(n, depth=depth, padding=padding)[-1].height >= 1
            assert valid_input_size(n, depth, padding) == (n, n)
        else:
            with pytest.raises(ValueError, match="nearest valid sizes"):
                unet_shape_trace(n, depth=depth, padding=padding)
        below, above = valid_input_size(n, depth, padding)
        assert brute_force_valid(above, depth, padding)
        assert not any(brute_force_valid(m, depth, padding) for m in range(n, above))
        if below is None:
            assert not any(brute_force_valid(m, depth, padding) for m in range(1, n + 1))
        else:
            assert brute_force_valid(below, depth, padding)
            assert not any(brute_force_valid(m, depth, padding) for m in range(below + 1, n + 1))
        assert nearest_valid_input_size(n, depth, padding) == above


def test_valid_sizes_closed_forms():
    # valid padding: 2^d * b + 4 (2^d - 1) for the bottleneck input b; same padding: multiples of 2^d
    for depth in (1, 2, 3, 4):
        step, offset = 2**depth, 4 * (2**depth - 1)
        sizes = [n for n in range(1, 400) if valid_input_size(n, depth)[0] == n]
        assert all((n - offset) % step == 0 for n in sizes)
        assert np.all(np.diff(sizes) == step)
        same = [n for n in range(1, 400) if valid_input_size(n, depth, "same")[0] == n]
        assert same == list(range(step, 400, step))
    assert valid_input_size(570) == (556, 572)
    assert nearest_valid_input_size(570) == 572
    # the smallest valid input of the paper's network, and what it gives
    assert valid_input_size(1)[1] == 188 and unet_shape_trace(188)[-1].height == 4


def test_invalid_size_message_names_the_problem_and_the_nearest_sizes():
    with pytest.raises(ValueError, match=r"input_size: height 570 is not valid for a depth-4 U-Net with "
                                         r"'valid' padding \(encoder level 2 would pool an odd size 279\); "
                                         r"the nearest valid sizes are 556 or 572"):
        unet_shape_trace(570)
    with pytest.raises(ValueError, match=r"input_size: width 100 is not valid .*'same' padding.*96 or 112"):
        unet_shape_trace((96, 100), depth=4, padding="same")
    with pytest.raises(ValueError, match=r"would shrink to .*the nearest valid sizes are 188$"):
        unet_shape_trace(20)


@pytest.mark.parametrize("keywords, message", [
    (dict(input_size=0), r"input_size: expected an int >= 1"),
    (dict(input_size=(64, 64, 1)), r"input_size: expected an int >= 1"),
    (dict(input_size=572, depth=0), r"depth: expected an int >= 1, got 0"),
    (dict(input_size=572, padding="full"), r"padding: expected one of 'valid', 'same', got 'full'"),
    (dict(input_size=572, base_channels=0), r"base_channels: expected an int >= 1"),
    (dict(input_size=572, in_channels=2.0), r"in_channels: expected an int >= 1"),
    (dict(input_size=572, num_classes=0), r"num_classes: expected an int >= 1"),
])
def test_trace_bad_arguments(keywords, message):
    with pytest.raises(ValueError, match=message):
        unet_shape_trace(**keywords)


@pytest.mark.parametrize("arguments, message", [
    ((0,), r"n: expected an int >= 1, got 0"),
    ((10.5,), r"n: expected an int >= 1"),
    ((100, 0), r"depth: expected an int >= 1"),
    ((100, 2, "VALID"), r"padding: expected one of 'valid', 'same', got 'VALID'"),
])
def test_valid_input_size_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        valid_input_size(*arguments)
    with pytest.raises(ValueError, match=message):
        nearest_valid_input_size(*arguments)


# ---------------------------------------------------------------------------------------------
# the model


def record_shapes(model, x):
    """Run the model and record every stage's shape in the order of `unet_shape_trace`."""
    shapes = [tuple(x.shape[1:])]
    hooks = []

    def after(module, inputs, output):
        shapes.append(tuple(output.shape[1:]))

    def before_concat_conv(module, inputs):
        shapes.append(tuple(inputs[0].shape[1:]))  # the concatenation feeds the block's first conv

    for block in model.encoder:
        for layer in block:
            if isinstance(layer, nn.Conv2d):
                hooks.append(layer.register_forward_hook(after))
    hooks.append(model.pool.register_forward_hook(after))  # fires after each encoder block
    for layer in model.bottleneck:
        if isinstance(layer, nn.Conv2d):
            hooks.append(layer.register_forward_hook(after))
    for block in model.decoder:
        hooks.append(block.up.register_forward_hook(after))
        if block.skip:
            hooks.append(block.conv[0].register_forward_pre_hook(before_concat_conv))
        for layer in block.conv:
            if isinstance(layer, nn.Conv2d):
                hooks.append(layer.register_forward_hook(after))
    hooks.append(model.head.register_forward_hook(after))
    try:
        output = model(x)
    finally:
        for hook in hooks:
            hook.remove()
    return output, shapes


CASES = [
    # depth, padding, up_mode, skip, (H, W)
    (1, "valid", "transpose", True, (18, 22)),
    (2, "valid", "bilinear", True, (44, 60)),
    (3, "valid", "transpose", True, (92, 92)),
    (4, "valid", "transpose", True, (188, 204)),
    (2, "valid", "transpose", False, (44, 48)),
    (1, "same", "transpose", True, (6, 10)),
    (2, "same", "bilinear", True, (12, 8)),
    (3, "same", "transpose", False, (16, 24)),
    (4, "same", "bilinear", True, (32, 48)),
]


@pytest.mark.parametrize("depth, padding, up_mode, skip, size", CASES)
def test_trace_agrees_with_the_forward_pass(depth, padding, up_mode, skip, size):
    torch.manual_seed(0)
    model = UNet(2, 3, base_channels=2, depth=depth, padding=padding, up_mode=up_mode, skip=skip)
    x = torch.randn(2, 2, *size)
    with torch.no_grad():
        output, shapes = record_shapes(model, x)
    trace = unet_shape_trace(size, depth=depth, padding=padding, base_channels=2, in_channels=2,
                             num_classes=3, skip=skip)
    assert shapes == [(stage.channels, stage.height, stage.width) for stage in trace]
    assert output.shape == (2, 3, trace[-1].height, trace[-1].width)


def test_forward_rejects_invalid_sizes_with_the_nearest_valid_ones():
    model = UNet(1, 2, base_channels=2, depth=2)
    with pytest.raises(ValueError, match=r"x: height 46 is not valid .* the nearest valid sizes are 44 or 48"):
        model(torch.zeros(1, 1, 46, 44))
    with pytest.raises(ValueError, match=r"x: expected a 4-D tensor \(N, C, H, W\), got shape \(1, 44, 44\)"):
        model(torch.zeros(1, 44, 44))
    same = UNet(1, 2, base_channels=2, depth=2, padding="same")
    with pytest.raises(ValueError, match=r"x: width 30 is not valid .*'same' padding"):
        same(torch.zeros(1, 1, 32, 30))


def paper_parameter_count(in_channels, num_classes, base=64, depth=4):
    """Parameters of the paper's U-Net, layer by layer: 3x3 convs, 2x2 up-convs, the 1x1 head."""
    def conv(c_in, c_out, k):
        return c_in * c_out * k * k + c_out  # weights + biases

    widths = [base * 2**level for level in range(depth + 1)]
    total, previous = 0, in_channels
    for width in widths:  # encoder levels, then the bottleneck
        total += conv(previous, width, 3) + conv(width, width, 3)
        previous = width
    for level in reversed(range(depth)):  # decoder levels
        width = widths[level]
        total += conv(2 * width, width, 2)  # up-conv: 2x2 transposed convolution halving channels
        total += conv(2 * width, width, 3) + conv(width, width, 3)  # on [skip, up-sampled]
    return total + conv(base, num_classes, 1)


def test_parameter_count_of_the_paper_network():
    # 31,030,658 for the paper's network (1 input channel, 2 classes). The bulk is in the deep
    # levels: the bottleneck's two convs alone hold 512*1024*9 + 1024*1024*9 weights (about 14.2M).
    with torch.device("meta"):  # no memory, no initialisation: only the shapes of the weights
        model = UNet(1, 2)
    assert parameter_count(model) == paper_parameter_count(1, 2) == 31_030_658
    with torch.device("meta"):
        bottleneck = parameter_count(UNet(1, 2).bottleneck)
    assert bottleneck == 512 * 1024 * 9 + 1024 + 1024 * 1024 * 9 + 1024 == 14_157_824


@pytest.mark.parametrize("in_channels, num_classes, base, depth", [(3, 5, 8, 2), (1, 2, 4, 3), (2, 1, 16, 1)])
def test_parameter_count_matches_the_formula(in_channels, num_classes, base, depth):
    model = UNet(in_channels, num_classes, base_channels=base, depth=depth)
    assert parameter_count(model) == paper_parameter_count(in_channels, num_classes, base, depth)
    # bilinear up-sampling replaces each 2x2 up-conv (4 c c/2 weights) by a 1x1 conv (c c/2)
    bilinear = UNet(in_channels, num_classes, base_channels=base, depth=depth, up_mode="bilinear")
    saved = sum(3 * (2 * base * 2**level) * (base * 2**level) for level in range(depth))
    assert parameter_count(model) - parameter_count(bilinear) == saved
    # without skips, every decoder block's first conv sees c instead of 2c channels
    no_skip = UNet(in_channels, num_classes, base_channels=base, depth=depth, skip=False)
    saved = sum(9 * (base * 2**level) ** 2 for level in range(depth))
    assert parameter_count(model) - parameter_count(no_skip) == saved


def test_building_blocks():
    block = ConvBlock(3, 8, padding="valid")
    assert block(torch.zeros(1, 3, 10, 12)).shape == (1, 8, 6, 8)
    assert ConvBlock(3, 8, padding="same")(torch.zeros(1, 3, 10, 12)).shape == (1, 8, 10, 12)
    normalised = ConvBlock(3, 8, batch_norm=True)
    assert sum(isinstance(layer, nn.BatchNorm2d) for layer in normalised) == 2
    up = UpBlock(8, 4, padding="valid")
    out = up(torch.zeros(1, 8, 5, 5), torch.zeros(1, 4, 14, 14))  # up to 10x10, crop 14 -> 10
    assert out.shape == (1, 4, 6, 6)
    assert isinstance(up.up, nn.ConvTranspose2d) and up.up.kernel_size == (2, 2) and up.up.stride == (2, 2)


def test_skip_connection_carries_the_cropped_encoder_map():
    # With the up-sampling and the decoder's convolutions fixed by hand, the block's output shows
    # that the bridge is centre-cropped and concatenated first, the up-sampled map second.
    up = UpBlock(2, 1, padding="same", skip=True)
    with torch.no_grad():
        up.up.weight.zero_()
        up.up.bias.fill_(5.0)  # the up-sampled map is constantly 5
        first = up.conv[0]
        first.weight.zero_()
        first.weight[0, 0, 1, 1] = 1.0  # output = channel 0 of [bridge, up]
        first.bias.zero_()
        second = up.conv[2]
        second.weight.zero_()
        second.weight[0, 0, 1, 1] = 1.0
        second.bias.zero_()
    bridge = torch.arange(64.0).reshape(1, 1, 8, 8)
    with torch.no_grad():
        out = up(torch.zeros(1, 2, 3, 3), bridge)  # up-sampled to 6x6, bridge cropped 8 -> 6
    np.testing.assert_array_equal(out[0, 0].numpy(), bridge[0, 0, 1:7, 1:7].numpy())


def test_without_skips_the_output_depends_only_on_the_bottleneck():
    torch.manual_seed(1)
    model = UNet(1, 2, base_channels=2, depth=2, padding="same", skip=False).eval()
    x = torch.randn(1, 1, 16, 16)
    features = {}
    model.bottleneck.register_forward_hook(lambda module, inputs, output: features.setdefault("b", output))
    with torch.no_grad():
        output = model(x)
        replayed = features["b"]
        for block in model.decoder:
            replayed = block.conv(block.up(replayed))
        np.testing.assert_allclose(model.head(replayed).numpy(), output.numpy(), rtol=1e-6)


def test_default_is_the_paper_configuration():
    model = UNet(1, 2, base_channels=2)
    assert model.depth == 4 and model.padding == "valid"
    assert all(isinstance(block.up, nn.ConvTranspose2d) and block.skip for block in model.decoder)
    assert [block[0].out_channels for block in model.encoder] == [2, 4, 8, 16]
    assert model.bottleneck[0].out_channels == 32 and model.head.out_channels == 2
    assert model.head.kernel_size == (1, 1)


def test_a_small_unet_can_fit_one_batch():
    torch.manual_seed(0)
    x = torch.randn(4, 1, 16, 16)
    target = (x[:, 0] > 0).long()  # a per-pixel rule the network must learn
    model = UNet(1, 2, base_channels=4, depth=2, padding="same")
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        loss = nn.functional.cross_entropy(model(x), target)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]


def test_paper_sized_forward_is_cheap_with_few_channels():
    model = UNet(1, 2, base_channels=1)
    with torch.no_grad():
        assert model(torch.zeros(1, 1, 572, 572)).shape == (1, 2, 388, 388)


@pytest.mark.parametrize("keywords, message", [
    (dict(in_channels=0, num_classes=2), r"in_channels: expected an int >= 1, got 0"),
    (dict(in_channels=1, num_classes=0), r"num_classes: expected an int >= 1, got 0"),
    (dict(in_channels=1, num_classes=2, base_channels=0), r"base_channels: expected an int >= 1"),
    (dict(in_channels=1, num_classes=2, depth=0), r"depth: expected an int >= 1, got 0"),
    (dict(in_channels=1, num_classes=2, padding=1), r"padding: expected one of 'valid', 'same', got 1"),
    (dict(in_channels=1, num_classes=2, up_mode="nearest"),
     r"up_mode: expected one of 'transpose', 'bilinear', got 'nearest'"),
])
def test_unet_bad_arguments(keywords, message):
    with pytest.raises(ValueError, match=message):
        UNet(**keywords)
