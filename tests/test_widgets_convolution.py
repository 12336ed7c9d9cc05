"""Explorers of the convolution notebook: they build, and moving a control redraws the right figure."""

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.widgets.convolution import FILTERS, NOISES, Explorer, filter_explorer, sliding_window_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def torch_corr(x, k):
    return F.conv2d(torch.from_numpy(np.asarray(x, float))[None, None],
                    torch.from_numpy(np.asarray(k, float))[None, None])[0, 0].numpy()


def titles(explorer):
    return [ax.get_title() for ax in explorer.figure.axes]


# A small image keeps the redraws quick; its values span [0, 1] like the photograph's.
IMAGE = np.random.default_rng(0).random((24, 20))


# ---- sliding_window_explorer -----------------------------------------------------------------


def test_sliding_window_starts_on_the_slides_example_and_follows_the_slider():
    explorer = sliding_window_explorer()
    assert isinstance(explorer, widgets.Widget) and isinstance(explorer, Explorer)
    assert explorer.controls["step"].max == 8
    assert titles(explorer)[-1] == "output: out[0, 0] = 4"
    first = explorer.figure
    explorer.controls["step"].value = 7
    assert explorer.figure is not first
    assert titles(explorer)[-1] == "output: out[2, 1] = 3"
    assert titles(explorer)[2] == "x \u2299 k: sum = 3"


def test_sliding_window_on_a_custom_case_agrees_with_torch():
    rng = np.random.default_rng(1)
    x, k = rng.integers(-2, 3, size=(4, 7)), rng.integers(-1, 2, size=(3, 2))
    expected = torch_corr(x, k)  # (2, 6)
    explorer = sliding_window_explorer(x, k)
    assert explorer.controls["step"].max == expected.size - 1
    for step in (0, 5, 11):
        explorer.controls["step"].value = step
        row, col = divmod(step, 6)
        assert titles(explorer)[-1] == f"output: out[{row}, {col}] = {int(expected[row, col])}"


def test_sliding_window_shows_its_figure_in_an_output_area():
    explorer = sliding_window_explorer()
    assert any(isinstance(child, widgets.Output) for child in explorer.children)
    assert any(isinstance(child, widgets.Play) for box in explorer.children
               if isinstance(box, widgets.HBox) for child in box.children)


def test_sliding_window_rejects_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="k: the kernel"):
        sliding_window_explorer(np.ones((2, 2)), np.ones((3, 3)))


# ---- filter_explorer -------------------------------------------------------------------------


def test_filter_explorer_offers_the_lectures_filters_and_noises():
    explorer = filter_explorer(IMAGE)
    assert tuple(explorer.controls["filter"].options) == FILTERS
    assert tuple(explorer.controls["noise"].options) == NOISES
    assert {"mean", "Gaussian", "median", "Sobel x", "Laplacian of Gaussian", "Gabor"} <= set(FILTERS)


def test_filter_explorer_starts_with_the_median_filter_on_salt_and_pepper():
    explorer = filter_explorer(IMAGE)
    noisy = explorer.figure.axes[1].images[0].get_array()
    hit = noisy != IMAGE
    assert hit.sum() == round(0.1 * IMAGE.size) and set(np.unique(noisy[hit])) <= {0.0, 1.0}
    filtered = explorer.figure.axes[2].images[0].get_array()
    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(noisy), (3, 3))
    np.testing.assert_allclose(filtered, np.median(windows, axis=(-2, -1)))
    assert titles(explorer)[2].startswith("median 3x3: error")


@pytest.mark.parametrize("name", ["mean", "Gaussian", "Sobel x", "Sobel y", "Laplacian of Gaussian", "Gabor"])
def test_filter_explorer_applies_the_kernel_it_shows(name):
    explorer = filter_explorer(IMAGE)
    explorer.controls["size"].value = 5
    explorer.controls["filter"].value = name
    noisy = np.asarray(explorer.figure.axes[1].images[0].get_array())
    kernel = np.asarray(explorer.figure.axes[3].images[0].get_array())
    filtered = np.asarray(explorer.figure.axes[2].images[0].get_array())
    np.testing.assert_allclose(filtered, torch_corr(noisy, kernel), atol=1e-12)
    expected_side = 3 if name.startswith("Sobel") else 5
    assert kernel.shape == (expected_side, expected_side)
    assert titles(explorer)[2].startswith(f"{name} {expected_side}x{expected_side}")


def test_filter_explorer_kernels_follow_size_and_sigma():
    explorer = filter_explorer(IMAGE)
    explorer.controls["filter"].value = "Gaussian"
    explorer.controls["size"].value = 7
    wide = np.asarray(explorer.figure.axes[3].images[0].get_array())
    explorer.controls["sigma"].value = 0.5
    narrow = np.asarray(explorer.figure.axes[3].images[0].get_array())
    assert wide.shape == narrow.shape == (7, 7)
    np.testing.assert_allclose([wide.sum(), narrow.sum()], 1.0)
    assert narrow[3, 3] > wide[3, 3]  # a smaller sigma puts more weight on the centre
    explorer.controls["filter"].value = "mean"
    np.testing.assert_allclose(explorer.figure.axes[3].images[0].get_array(), np.full((7, 7), 1 / 49))


def test_filter_explorer_noise_controls_change_the_noisy_image():
    explorer = filter_explorer(IMAGE)
    explorer.controls["noise"].value = "none"
    np.testing.assert_array_equal(explorer.figure.axes[1].images[0].get_array(), IMAGE)
    assert titles(explorer)[1] == "noisy: error 0.000"
    explorer.controls["noise"].value = "Gaussian"
    explorer.controls["level"].value = 0.2
    noisy = np.asarray(explorer.figure.axes[1].images[0].get_array())
    assert 0.0 <= noisy.min() and noisy.max() <= 1.0  # clipped to the image range
    assert 0.1 < np.sqrt(np.mean((noisy - IMAGE) ** 2)) < 0.2


def test_median_beats_mean_on_salt_and_pepper_in_the_explorer():
    smooth = np.tile(np.linspace(0.2, 0.8, 20), (24, 1))
    explorer = filter_explorer(smooth)
    median_error = float(titles(explorer)[2].split("error ")[1])
    explorer.controls["filter"].value = "mean"
    mean_error = float(titles(explorer)[2].split("error ")[1])
    assert median_error < mean_error


def test_filter_explorer_is_deterministic_for_a_seed():
    a = filter_explorer(IMAGE, seed=3).figure.axes[1].images[0].get_array()
    b = filter_explorer(IMAGE, seed=3).figure.axes[1].images[0].get_array()
    c = filter_explorer(IMAGE, seed=4).figure.axes[1].images[0].get_array()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_filter_explorer_rejects_a_colour_image():
    with pytest.raises(ValueError, match="image: expected a 2-D"):
        filter_explorer(np.zeros((10, 10, 3)))


def test_filter_explorer_does_not_modify_the_image():
    image = IMAGE.copy()
    explorer = filter_explorer(image)
    explorer.controls["noise"].value = "Gaussian"
    np.testing.assert_array_equal(image, IMAGE)
