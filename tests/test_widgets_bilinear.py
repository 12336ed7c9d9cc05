"""The bilinear explorer: it builds, its controls change the figure, and the edge fix follows the convention."""

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.bilinear import bilinear_kernel
from course_lib.widgets.bilinear import bilinear_explorer
from course_lib.widgets.convolution import Explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def worst_difference(explorer):
    return float(explorer.figure.axes[4].get_title().split("= ")[1])


def result_shape(explorer):
    return explorer.figure.axes[2].get_images()[0].get_array().shape


def test_builds_a_widget_with_its_controls_and_a_first_figure():
    explorer = bilinear_explorer()
    assert isinstance(explorer, widgets.Widget) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"factor", "align_corners", "replicate_edges"}
    assert explorer.figure.axes[1].get_title() == "kernel 4×4"
    assert result_shape(explorer) == (10, 12)  # the default 5x6 image, doubled
    assert worst_difference(explorer) > 0.1  # FCN's kernel, border not fixed


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_factor_changes_the_kernel_and_the_size(factor):
    explorer = bilinear_explorer()
    explorer.controls["factor"].value = factor
    size = bilinear_kernel(factor).shape[0]
    assert explorer.figure.axes[1].get_title() == f"kernel {size}×{size}"
    assert result_shape(explorer) == (5 * factor, 6 * factor)
    assert (worst_difference(explorer) > 0.1) == (factor > 1)
    explorer.controls["align_corners"].value = True
    assert result_shape(explorer) == (4 * factor + 1, 5 * factor + 1)
    assert worst_difference(explorer) < 1e-9


def test_edge_fix_removes_the_border_and_is_greyed_out_with_aligned_corners():
    explorer = bilinear_explorer()
    explorer.controls["factor"].value = 3
    before = explorer.figure
    explorer.controls["replicate_edges"].value = True
    assert explorer.figure is not before
    assert worst_difference(explorer) < 1e-9
    assert explorer.figure.axes[2].get_title().startswith("edge-replicated transposed conv")
    assert not explorer.controls["replicate_edges"].disabled
    explorer.controls["align_corners"].value = True
    assert explorer.controls["replicate_edges"].disabled
    assert explorer.figure.axes[2].get_title().startswith("transposed conv (s=3, p=2)")
    explorer.controls["align_corners"].value = False
    assert not explorer.controls["replicate_edges"].disabled
    assert worst_difference(explorer) < 1e-9  # the fix is still on


def test_a_given_image_is_used_and_checked():
    explorer = bilinear_explorer(np.arange(6).reshape(2, 3))
    assert result_shape(explorer) == (4, 6)
    with pytest.raises(ValueError, match="x: expected a non-empty 2-D array"):
        bilinear_explorer(np.ones(3))
