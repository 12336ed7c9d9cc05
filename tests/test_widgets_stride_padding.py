"""course_lib.widgets.stride_padding: the explorer redraws and re-explains when a slider moves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from course_lib.widgets import stride_padding_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_builds_with_five_sliders_and_a_figure():
    explorer = stride_padding_explorer()
    assert isinstance(explorer, widgets.VBox) and explorer.report in explorer.children[2].children
    assert set(explorer.controls) == {"n", "kernel_size", "stride", "padding", "dilation"}
    assert all(isinstance(s, widgets.IntSlider) for s in explorer.controls.values())
    assert "= 5" in explorer.report.value and "legal" in explorer.report.value
    assert explorer.figure.axes[0].get_title() == "padded input 7x7 → output 5x5"


def test_moving_sliders_redraws_and_explains():
    explorer = stride_padding_explorer()
    first = explorer.figure
    explorer.controls["stride"].value = 2
    explorer.controls["padding"].value = 1
    assert explorer.figure is not first
    assert explorer.figure.axes[0].get_title() == "padded input 9x9 → output 4x4"
    assert "⌊6/2⌋ + 1 = 4" in explorer.report.value
    explorer.controls["stride"].value = 3  # (7 + 2 - 3) / 3 = 2: still legal
    assert "legal: the last window ends exactly" in explorer.report.value
    explorer.controls["padding"].value = 0  # 4/3: illegal
    assert "illegal: 4/3" in explorer.report.value and "#c62828" in explorer.report.value
    explorer.controls["dilation"].value = 3
    explorer.controls["kernel_size"].value = 4  # spans 10 pixels > 7
    assert "impossible" in explorer.report.value
    assert explorer.figure.axes[0].get_title().endswith("output 0x0")


def test_starting_values_are_checked():
    explorer = stride_padding_explorer(n=8, kernel_size=2, stride=2, padding=0, dilation=1)
    assert explorer.controls["n"].value == 8 and "= 4" in explorer.report.value
    with pytest.raises(ValueError, match=r"stride: expected an int in \[1, 4\], got 9"):
        stride_padding_explorer(stride=9)
