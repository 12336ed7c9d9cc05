"""The shared figure helpers draw what they are given, legibly."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.viz import show_grid, show_images, show_kernels  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def cell_texts(ax):
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}


def test_show_grid_writes_every_value_in_its_cell():
    values = np.array([[1, 2.5, -3], [0, 0.125, 7]])
    texts = cell_texts(show_grid(values).axes[0])
    assert {k: t.get_text() for k, t in texts.items()} == {
        (0, 0): "1", (0, 1): "2.5", (0, 2): "-3", (1, 0): "0", (1, 1): "0.12", (1, 2): "7"}


def test_tiny_negative_values_are_written_as_zero_and_infinities_as_such():
    texts = cell_texts(show_grid(np.array([[-1e-9, -0.004, np.inf, -np.inf]])).axes[0])
    assert [texts[(0, col)].get_text() for col in range(4)] == ["0", "0", "inf", "-inf"]
    texts = cell_texts(show_grid(np.array([[100.0, 2.6, -0.4]]), decimals=0).axes[0])
    assert [texts[(0, col)].get_text() for col in range(3)] == ["100", "3", "0"]


def test_text_is_dark_on_light_cells_and_light_on_dark_cells_on_a_diverging_map():
    # On RdBu_r both ends are dark and the middle is near white: small values need black text.
    kernel = np.array([[-1.0, 0.05, 1.0]])
    texts = cell_texts(show_kernels([kernel]).axes[0])
    assert texts[(0, 1)].get_color() == "black"
    assert texts[(0, 0)].get_color() == "white" and texts[(0, 2)].get_color() == "white"


def test_large_grids_are_not_annotated_and_highlight_outlines_the_window():
    figure = show_grid(np.zeros((20, 20)), highlight=(slice(2, 5), slice(3, 6)))
    ax = figure.axes[0]
    assert not ax.texts
    (rectangle,) = ax.patches
    assert rectangle.get_xy() == (2.5, 1.5) and rectangle.get_width() == 3 and rectangle.get_height() == 3


def test_show_images_lays_out_rows_and_titles():
    figure = show_images([np.zeros((4, 4))] * 7, titles=list("abcdefg"), ncols=3)
    titled = [ax.get_title() for ax in figure.axes if ax.get_title()]
    assert len(figure.axes) == 9 and titled == list("abcdefg")


def test_show_grid_rejects_a_3d_array():
    with pytest.raises(ValueError, match="array: expected a 2-D array"):
        show_grid(np.zeros((2, 2, 2)))
