"""Explorers of the U-Net notebook: they build, react to their controls, and redraw the right figure."""

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.data import make_segmentation_dataset
from course_lib.widgets.explorer import Explorer
from course_lib.widgets.segmentation import segmentation_browser, unet_shape_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def title(explorer):
    return explorer.figure.axes[0].get_title()


def test_the_shape_explorer_starts_with_the_paper_network():
    explorer = unet_shape_explorer()
    assert isinstance(explorer, widgets.Widget) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"input_size", "depth", "padding", "base_channels"}
    assert title(explorer) == "U-Net, depth 4, valid padding: 572×572 in, 388×388 out"
    assert explorer.message == "572 is a valid input size for depth 4 with valid padding: the output is 388×388."


def test_an_invalid_size_is_explained_and_the_next_valid_one_drawn():
    explorer = unet_shape_explorer()
    explorer.controls["input_size"].value = 570
    assert "the nearest valid sizes are 556 and 572. Drawn: 572." in explorer.message
    assert title(explorer).endswith("572×572 in, 388×388 out")
    explorer.controls["input_size"].value = 560
    assert title(explorer) == "U-Net, depth 4, valid padding: 572×572 in, 388×388 out"


def test_depth_padding_and_width_redraw_the_u():
    explorer = unet_shape_explorer()
    explorer.controls["depth"].value = 2
    assert explorer.message.startswith("572 is a valid input size for depth 2")
    assert title(explorer) == "U-Net, depth 2, valid padding: 572×572 in, 532×532 out"
    explorer.controls["padding"].value = "same"
    explorer.controls["input_size"].value = 100
    assert "100 is a valid" in explorer.message and "Drawn" not in explorer.message
    assert title(explorer) == "U-Net, depth 2, same padding: 100×100 in, 100×100 out"
    explorer.controls["base_channels"].value = 8
    texts = [t.get_text() for t in explorer.figure.axes[0].texts]
    assert "enc1: 1→8 ch\n100→100→100" in texts


def test_the_browser_shows_the_chosen_image_with_each_prediction():
    images, masks = make_segmentation_dataset(4, size=20, seed=9, num_classes=2)
    perfect = np.where(masks == 255, 0, masks)
    empty = np.zeros_like(masks)
    explorer = segmentation_browser(images, masks, {"perfect": perfect, "empty": empty})
    assert set(explorer.controls) == {"index"} and explorer.controls["index"].max == 3
    for index in (0, 2):
        explorer.controls["index"].value = index
        axes = explorer.figure.axes
        np.testing.assert_allclose(axes[0].images[0].get_array(), images[index, 0])
        wrong = int(((empty[index] != masks[index]) & (masks[index] != 255)).sum())
        assert axes[2].get_title() == "perfect\n0 wrong pixels"
        assert axes[3].get_title() == f"empty\n{wrong} wrong pixels"


def test_the_browser_refuses_a_start_outside_the_images():
    images, masks = make_segmentation_dataset(2, size=16, seed=0)
    with pytest.raises(ValueError, match=r"start: expected an index from 0 to 1, got 2"):
        segmentation_browser(images, masks, masks, start=2)
