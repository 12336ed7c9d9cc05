"""Figures of the U-Net notebook: label overlays, side-by-side segmentations, the U, loss curves."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.patches import FancyBboxPatch

from course_lib.data import make_segmentation_dataset
from course_lib.unet import unet_shape_trace
from course_lib.viz.segmentation import (
    CLASS_COLORS,
    ERROR_COLOR,
    describe_input_size,
    label_image,
    overlay_labels,
    show_dataset,
    show_losses,
    show_segmentations,
    show_unet,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_segmentation_dataset(5, size=24, seed=4)


def _texts(figure):
    return [text.get_text() for ax in figure.axes for text in ax.texts]


def test_label_image_colours_classes_leaves_background_clear_and_paints_void_and_errors():
    labels = np.array([[0, 1, 2, 255]])
    rgba = label_image(labels, alpha=0.5, errors=np.array([[False, False, True, False]]))
    assert rgba.shape == (1, 4, 4)
    assert rgba[0, 0, 3] == 0  # background: transparent
    np.testing.assert_allclose(rgba[0, 1], matplotlib.colors.to_rgba(CLASS_COLORS[1], 0.5))
    np.testing.assert_allclose(rgba[0, 2], matplotlib.colors.to_rgba(ERROR_COLOR, 1.0))  # errors on top
    np.testing.assert_allclose(rgba[0, 3, :3], [1, 1, 1])  # void: white
    with pytest.raises(ValueError, match=r"labels: expected a 2-D label map"):
        label_image(np.zeros(3, dtype=int))


def test_overlay_draws_the_image_and_its_labels(data):
    images, masks = data
    figure = overlay_labels(images[0], masks[0], title="one")
    ax = figure.axes[0]
    assert ax.get_title() == "one" and len(ax.images) == 2
    np.testing.assert_allclose(ax.images[0].get_array(), images[0, 0])
    with pytest.raises(ValueError, match=r"labels: expected the image's shape \(24, 24\), got \(3, 3\)"):
        overlay_labels(images[0], np.zeros((3, 3), dtype=int))


def test_show_dataset_puts_the_images_above_their_labels(data):
    images, masks = data
    figure = show_dataset(images, masks, count=4)
    assert len(figure.axes) == 8
    assert [ax.get_title() for ax in figure.axes[:4]] == [f"image {i}" for i in range(4)]
    labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert labels[-1] == "void (255)" and "disc" in labels


def test_show_segmentations_counts_the_wrong_pixels_of_each_prediction(data):
    images, masks = data
    first = masks.copy()
    first[first == 255] = 0
    second = np.where(masks == 1, 0, masks)
    second[second == 255] = 0
    figure = show_segmentations(images, masks, {"copy": first, "no discs": second}, indices=[1, 3])
    assert len(figure.axes) == 2 * 4
    wrong = [int(((second[i] != masks[i]) & (masks[i] != 255)).sum()) for i in (1, 3)]
    assert figure.axes[3].get_title() == f"no discs\n{wrong[0]} wrong pixels"
    assert figure.axes[7].get_title() == f"{wrong[1]} wrong pixels"
    assert figure.axes[2].get_title() == "copy\n0 wrong pixels"
    assert [t.get_text() for t in figure.legends[0].get_texts()][-1] == "wrong"


def test_smaller_predictions_are_compared_with_the_centre_of_the_truth(data):
    images, masks = data
    inner = masks[:, 4:20, 4:20].copy()
    inner[inner == 255] = 0
    figure = show_segmentations(images, masks, inner, indices=[0])
    assert figure.axes[2].get_title() == "prediction\n0 wrong pixels"
    assert figure.axes[2].images[0].get_array().shape == (16, 16)


def test_show_segmentations_refuses_mismatched_masks(data):
    images, masks = data
    with pytest.raises(ValueError, match=r"masks: expected shape \(n, H, W\) = \(5, 24, 24\)"):
        show_segmentations(images, masks[:, :10])


def test_the_u_of_the_paper_shows_every_size_of_the_trace():
    figure = show_unet(572)
    ax = figure.axes[0]
    assert ax.get_title() == "U-Net, depth 4, valid padding: 572×572 in, 388×388 out"
    texts = _texts(figure)
    assert "enc1: 1→64 ch\n572→570→568" in texts
    assert "bottleneck: 512→1024 ch\n32→30→28" in texts
    assert "dec4: 512+512→512 ch\n56→54→52" in texts
    assert "copy and crop\n568→392" in texts and "copy and crop\n64→56" in texts
    assert "pool 284" in texts and "up-conv 392" in texts
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == 2 * 4 + 1


@pytest.mark.parametrize("size, depth, padding", [(32, 3, "same"), ((44, 60), 2, "valid"), (188, 4, "valid")])
def test_the_u_agrees_with_unet_shape_trace(size, depth, padding):
    trace = {s.name: s for s in unet_shape_trace(size, depth, padding, base_channels=8)}
    texts = " ".join(_texts(show_unet(size, depth, padding, base_channels=8)))
    for level in range(1, depth + 1):
        conv = trace[f"enc{level}.conv2"]
        shown = str(conv.height) if conv.height == conv.width else f"{conv.height}×{conv.width}"
        assert shown in texts
    out = trace["output"]
    assert f"1×1 conv: 2 ch, {out.height if out.height == out.width else f'{out.height}×{out.width}'}" in texts


def test_without_skips_there_is_nothing_to_copy():
    texts = _texts(show_unet(32, depth=3, padding="same", base_channels=8, skip=False))
    assert not any("copy" in text for text in texts)
    assert "dec3: 32→32 ch\n8→8→8" in texts


def test_show_unet_refuses_an_invalid_size():
    with pytest.raises(ValueError, match=r"the nearest valid sizes are 556 or 572"):
        show_unet(570)


def test_describe_input_size():
    assert describe_input_size(572) == "572 is a valid input size for depth 4 with valid padding: the output is 388×388."
    assert describe_input_size(100, 3, "same") == (
        "100 is not a valid input size for depth 3 with same padding; the nearest valid sizes are 96 and 104.")
    assert describe_input_size(20) == (
        "20 is not a valid input size for depth 4 with valid padding; the nearest valid sizes are 188.")


def test_show_losses_draws_a_faint_and_a_smoothed_curve_per_run():
    figure = show_losses({"a": np.linspace(1, 0.1, 20), "b": np.linspace(1, 0.2, 3)})
    ax = figure.axes[0]
    assert len(ax.lines) == 4 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), np.convolve(np.linspace(1, 0.1, 20), np.ones(5) / 5, "valid"))
