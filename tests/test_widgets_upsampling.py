"""The transposed-convolution notebook's explorers: they build, respond to their controls, and redraw."""

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.widgets.explorer import Explorer
from course_lib.widgets.upsampling import checkerboard_explorer, sample_points_explorer, transposed_conv_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def running_sum(explorer):
    ax = explorer.figure.axes[2]
    height, width = ax.images[0].get_array().shape
    grid = np.full((height, width), np.nan)
    for text in ax.texts:
        col, row = text.get_position()
        grid[int(row), int(col)] = float(text.get_text())
    return grid


def gids(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def test_transposed_conv_explorer_starts_with_the_first_stamp_of_the_lecture_example():
    explorer = transposed_conv_explorer()
    assert isinstance(explorer, widgets.Widget) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"step", "stride", "padding"}
    assert explorer.controls["step"].max == 16 and explorer.controls["padding"].max == 2
    assert [ax.get_title() for ax in explorer.figure.axes] == [
        "input (1 of 16 stamped)", "copy: x[0, 0] · K = 0 · K", "running sum: 1 of 16 stamps"]
    plays = [child for row in explorer.children[:-1] for child in row.children if isinstance(child, widgets.Play)]
    assert len(plays) == 1 and plays[0].max == 16


def test_moving_the_step_slider_adds_stamps():
    explorer = transposed_conv_explorer()
    explorer.controls["step"].value = 6
    assert explorer.figure.axes[1].get_title() == "copy: x[1, 1] · K = 5 · K"
    grid = running_sum(explorer)
    assert grid[3, 3] == 5 and grid[4, 4] == 1.25  # the copy the slide misprints as ending in 1.5
    explorer.controls["step"].value = 16
    assert grid.shape == (9, 9) and running_sum(explorer)[8, 8] == 3.75


def test_stride_and_padding_change_the_canvas_and_the_frame():
    explorer = transposed_conv_explorer()
    explorer.controls["step"].value = 16
    explorer.controls["stride"].value = 1
    assert running_sum(explorer).shape == (6, 6)
    explorer.controls["stride"].value = 3
    assert running_sum(explorer).shape == (12, 12)
    assert not gids(explorer.figure.axes[2], "crop")
    explorer.controls["padding"].value = 1
    (crop,) = gids(explorer.figure.axes[2], "crop")
    assert (crop.get_width(), crop.get_height()) == (10, 10)
    assert "padding 1" in explorer.figure.get_suptitle()


def test_transposed_conv_explorer_takes_its_own_input():
    explorer = transposed_conv_explorer(np.arange(6).reshape(2, 3), np.ones((2, 2)))
    assert explorer.controls["step"].max == 6 and explorer.controls["padding"].max == 1
    explorer.controls["step"].value = 6
    np.testing.assert_array_equal(running_sum(explorer), [[0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2],
                                                          [3, 3, 4, 4, 5, 5], [3, 3, 4, 4, 5, 5]])
    with pytest.raises(ValueError, match="kernel: expected a non-empty 2-D array"):
        transposed_conv_explorer(kernel=np.ones((1, 2, 2)))


def test_sample_points_explorer_redraws_for_new_sizes():
    explorer = sample_points_explorer()
    assert set(explorer.controls) == {"n_in", "n_out"}

    def crosses():
        (line,) = [line for line in explorer.figure.axes[0].lines if line.get_gid() == "samples"]
        return len(line.get_xdata())

    assert crosses() == 36
    explorer.controls["n_out"].value = 4
    assert crosses() == 16
    explorer.controls["n_in"].value = 5
    assert explorer.figure.get_suptitle().startswith("bilinear interpolation from 5×5 to 4×4")


@pytest.mark.parametrize("k, s, even", [(3, 2, False), (4, 2, True), (2, 2, True), (6, 3, True), (5, 3, False),
                                        (1, 2, False), (3, 3, True), (6, 4, False)])
def test_checkerboard_explorer_says_when_the_overlap_is_even(k, s, even):
    explorer = checkerboard_explorer()
    explorer.controls["kernel_size"].value = k
    explorer.controls["stride"].value = s
    title = explorer.figure.axes[0].get_title()
    assert title.startswith(f"kernel {k}, stride {s}: " + ("even" if even else "uneven: checkerboard"))
    counts = explorer.figure.axes[0].images[0].get_array()
    assert counts.shape[0] <= 14 or counts.shape[0] == 2 * s + k  # small enough to read (or 3 inputs)


def test_checkerboard_explorer_starts_on_the_lectures_case():
    explorer = checkerboard_explorer()
    assert explorer.figure.axes[0].get_title().startswith("kernel 3, stride 2: uneven")
