"""Tests for course_lib.learned_upsampling: the bilinear-initialised layer and the experiment."""

import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_lib.bilinear import bilinear_upsample_weight
from course_lib.interpolation import triangle_weights
from course_lib.learned_upsampling import (
    BilinearUpsampler,
    History,
    SuperResolutionData,
    init_bilinear_,
    psnr,
    super_resolution_data,
    train_upsampler,
)
from course_lib.upsampling import conv_transpose2d

FACTORS = [1, 2, 3, 4, 5]


def fcn_size(factor):
    return 2 * factor - factor % 2


@pytest.fixture(scope="module")
def photo_data():
    return super_resolution_data()


@pytest.fixture()
def small_data(photo_data):
    """A 64x64 patch of each half: training on it takes milliseconds."""
    crop = (..., slice(200, 264), slice(64, 128))
    low_crop = (..., slice(100, 132), slice(32, 64))
    return SuperResolutionData(photo_data.low_train[low_crop], photo_data.high_train[crop],
                               photo_data.low_held_out[low_crop], photo_data.high_held_out[crop])


def test_importing_course_lib_does_not_import_torch():
    code = "import sys, course_lib, course_lib.interpolation; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------
# init_bilinear_
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("factor", FACTORS)
def test_init_gives_the_bilinear_weight_of_both_conventions(factor, channels):
    for size, align_corners in [(fcn_size(factor), False), (2 * factor - 1, True)]:
        layer = nn.ConvTranspose2d(channels, channels, size, stride=factor)
        assert init_bilinear_(layer) is layer
        expected = bilinear_upsample_weight(channels, factor, align_corners)
        np.testing.assert_allclose(layer.weight.detach().numpy(), expected, rtol=1e-7, atol=0)
        assert torch.count_nonzero(layer.bias) == 0


def test_init_keeps_a_float64_layer_exact():
    layer = nn.ConvTranspose2d(2, 2, 5, stride=3, bias=False).double()
    init_bilinear_(layer)
    assert layer.weight.dtype == torch.float64
    np.testing.assert_array_equal(layer.weight.detach().numpy(), bilinear_upsample_weight(2, 3))


@pytest.mark.parametrize("factor, size", [(2, 6), (2, 8), (3, 7), (3, 9)])
def test_a_larger_kernel_holds_the_same_tent_with_zeros_around(factor, size):
    layer = init_bilinear_(nn.ConvTranspose2d(1, 1, size, stride=factor, bias=False))
    w = layer.weight.detach().double().numpy()[0, 0]
    tent = triangle_weights(factor)
    ring = (size - tent.size) // 2
    np.testing.assert_allclose(w[ring: ring + tent.size, ring: ring + tent.size], np.outer(tent, tent), rtol=1e-7)
    assert np.count_nonzero(w) == tent.size**2


@pytest.mark.parametrize("factor", FACTORS)
def test_fcn_layer_interpolates_inside_and_the_aligned_layer_everywhere(factor):
    """The layer as FCN sets it up: a ConvTranspose2d(C, C, 2f - f % 2, stride f, padding f // 2)."""
    x = torch.rand(2, 3, 5, 6, generator=torch.Generator().manual_seed(factor), dtype=torch.float64)
    layer = init_bilinear_(nn.ConvTranspose2d(3, 3, fcn_size(factor), stride=factor, padding=factor // 2,
                                              bias=False).double())
    with torch.no_grad():
        out = layer(x)
    reference = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    band = factor // 2
    inside = (..., slice(band, out.shape[2] - band), slice(band, out.shape[3] - band))
    assert out.shape == reference.shape
    torch.testing.assert_close(out[inside], reference[inside], rtol=1e-12, atol=1e-12)
    if band:
        assert not torch.allclose(out, reference)
    numpy_out = conv_transpose2d(x.numpy(), bilinear_upsample_weight(3, factor), stride=factor, padding=band)
    np.testing.assert_allclose(out.numpy(), numpy_out, rtol=1e-12, atol=1e-12)

    aligned = init_bilinear_(nn.ConvTranspose2d(3, 3, 2 * factor - 1, stride=factor, padding=factor - 1,
                                                bias=False).double())
    with torch.no_grad():
        out = aligned(x)
    reference = F.interpolate(x, size=(4 * factor + 1, 5 * factor + 1), mode="bilinear", align_corners=True)
    torch.testing.assert_close(out, reference, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("layer, message", [
    (nn.Conv2d(1, 1, 3), "layer: expected a torch.nn.ConvTranspose2d, got Conv2d"),
    (nn.ConvTranspose2d(2, 3, 4, stride=2), "expected as many output channels as input channels"),
    (nn.ConvTranspose2d(2, 2, 4, stride=2, groups=2), "groups=2"),
    (nn.ConvTranspose2d(1, 1, (4, 3), stride=2), "expected a square kernel"),
    (nn.ConvTranspose2d(1, 1, 4, stride=(2, 1)), "the same stride along both axes"),
    (nn.ConvTranspose2d(1, 1, 2, stride=2), "kernel_size >= 2 \\* stride - 1 = 3, got 2"),
])
def test_init_refuses_layers_it_cannot_fill(layer, message):
    with pytest.raises(ValueError, match=message):
        init_bilinear_(layer)


# ---------------------------------------------------------------------------------------------
# BilinearUpsampler
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", FACTORS)
def test_upsampler_starts_as_f_interpolate_everywhere(factor):
    generator = torch.Generator().manual_seed(10 + factor)
    for shape, extra in [((1, 1, 1, 1), 0), ((2, 3, 4, 7), 0), ((1, 2, 6, 5), 2), ((3, 1, 2, 3), 4)]:
        x = torch.rand(shape, generator=generator)
        model = BilinearUpsampler(channels=shape[1], factor=factor, kernel_size=fcn_size(factor) + extra)
        expected = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
        out = model(x)
        assert out.shape == expected.shape
        torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)


def test_upsampler_learns_only_its_layer():
    model = BilinearUpsampler(channels=2, factor=2)
    assert [name for name, _ in model.named_parameters()] == ["up.weight"]
    assert model.up.weight.shape == (2, 2, 4, 4) and model.up.bias is None
    out = model(torch.rand(1, 2, 3, 3))
    out.sum().backward()
    assert model.up.weight.grad is not None and torch.isfinite(model.up.weight.grad).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"factor": 0}, "factor: expected an int >= 1, got 0"),
    ({"channels": 0}, "channels: expected an int >= 1"),
    ({"factor": 2, "kernel_size": 3}, "kernel_size: expected an int >= 2f - f % 2 = 4"),
    ({"factor": 2, "kernel_size": 5}, "kernel_size - f even"),
    ({"factor": 3, "kernel_size": 6}, "got 6"),
])
def test_upsampler_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BilinearUpsampler(**kwargs)


# ---------------------------------------------------------------------------------------------
# The data, the training, PSNR
# ---------------------------------------------------------------------------------------------


def test_data_are_block_averages_of_the_two_halves(photo_data):
    low, high, low_out, high_out = photo_data
    assert high.shape == high_out.shape == (1, 1, 600, 256) and low.shape == (1, 1, 300, 128)
    assert high.dtype == torch.float32
    np.testing.assert_allclose(low[0, 0, 7, 9].item(), high[0, 0, 14:16, 18:20].mean().item(), rtol=1e-6)
    assert not torch.equal(high, high_out)
    assert 0 <= high.min() and high.max() <= 1
    assert super_resolution_data(3).high_train.shape == (1, 1, 600, 255)


def test_training_starts_at_the_bilinear_loss_and_improves(small_data):
    model = BilinearUpsampler(factor=2, kernel_size=6)
    threads = torch.get_num_threads()
    history = train_upsampler(model, small_data, steps=30)
    assert isinstance(history, History)
    assert len(history.train_loss) == len(history.held_out_loss) == 31
    assert torch.get_num_threads() == threads
    for low, high, loss in [(small_data.low_train, small_data.high_train, history.train_loss[0]),
                            (small_data.low_held_out, small_data.high_held_out, history.held_out_loss[0])]:
        bilinear = F.interpolate(low, scale_factor=2, mode="bilinear", align_corners=False)
        assert loss == pytest.approx(F.mse_loss(bilinear, high).item(), rel=1e-5)
    assert history.train_loss[-1] < 0.9 * history.train_loss[0]
    assert history.held_out_loss[-1] < history.held_out_loss[0]


def test_training_is_deterministic(small_data):
    runs = [train_upsampler(BilinearUpsampler(factor=2), small_data, steps=5) for _ in range(2)]
    assert runs[0] == runs[1]


def test_psnr():
    assert psnr(np.full((2, 3), 0.1), np.zeros((2, 3))) == pytest.approx(20.0)
    assert psnr(torch.ones(4), torch.ones(4) * 0.99) == pytest.approx(40.0)
    assert psnr(np.ones(3), np.ones(3)) == float("inf")
    assert psnr(np.full(2, 2.5), np.zeros(2), peak=255) == pytest.approx(20 * np.log10(255 / 2.5))
    with pytest.raises(ValueError, match=r"prediction: expected the shape of target \(3,\), got \(2,\)"):
        psnr(np.zeros(2), np.zeros(3))
