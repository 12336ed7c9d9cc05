"""The pooling explorer: it builds, keeps its controls consistent, and redraws the right figure."""

import matplotlib

matplotlib.use("agg")

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.widgets.convolution import Explorer
from course_lib.widgets.pooling import pooling_explorer


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def output_title(explorer):
    return explorer.figure.axes[1].get_title()


def torch_size(shape, k, s, p, ceil_mode):
    return tuple(F.max_pool2d(torch.zeros(1, 1, *shape), k, s, p, ceil_mode=ceil_mode).shape[-2:])


def test_builds_a_widget_with_every_control_and_a_first_figure():
    explorer = pooling_explorer()
    assert isinstance(explorer, widgets.Widget) and isinstance(explorer, Explorer)
    assert set(explorer.controls) == {"kernel_size", "stride", "padding", "mode", "ceil_mode", "window"}
    assert explorer.figure.get_suptitle() == "max pooling 2×2, stride 2"
    assert output_title(explorer) == "output 3×3"  # the default input is 6x7
    assert explorer.controls["window"].max == 8


def test_ceil_mode_adds_the_column_that_the_odd_width_leaves_over():
    explorer = pooling_explorer()
    explorer.controls["ceil_mode"].value = True
    assert output_title(explorer) == "output 3×4"
    assert explorer.figure.get_suptitle().endswith("ceil mode")
    assert explorer.controls["window"].max == 11


@pytest.mark.parametrize("k, s, p, ceil_mode", [(3, 1, 1, False), (3, 2, 1, True), (4, 3, 2, True),
                                                 (1, 2, 0, False), (2, 1, 1, True)])
def test_output_size_follows_the_controls_as_torch_computes_it(k, s, p, ceil_mode):
    explorer = pooling_explorer()
    explorer.controls["kernel_size"].value = k
    explorer.controls["stride"].value = s
    explorer.controls["padding"].value = p
    explorer.controls["ceil_mode"].value = ceil_mode
    h, w = torch_size((6, 7), k, s, p, ceil_mode)
    assert output_title(explorer) == f"output {h}×{w}"
    assert explorer.controls["window"].max == h * w - 1
    notes = [t.get_text() for t in explorer.figure.texts if t is not explorer.figure._suptitle]
    assert notes and notes[0].split("\n")[0].split("   ")[0].endswith(f" {h}")


def test_padding_can_never_exceed_half_the_window():
    explorer = pooling_explorer()
    explorer.controls["kernel_size"].value = 4
    assert explorer.controls["padding"].max == 2
    explorer.controls["padding"].value = 2
    explorer.controls["kernel_size"].value = 2
    assert explorer.controls["padding"].max == 1 and explorer.controls["padding"].value == 1
    assert explorer.figure.axes[0].get_title() == "input 6×7, padding 1"
    explorer.controls["kernel_size"].value = 1
    assert explorer.controls["padding"].value == 0
    assert explorer.figure.axes[0].get_title() == "input 6×7"


def test_mode_changes_the_padding_label_and_the_values():
    explorer = pooling_explorer()
    explorer.controls["kernel_size"].value = 3
    explorer.controls["padding"].value = 1
    labels = {"max": "−∞", "min": "+∞", "avg": "0"}
    for mode, label in labels.items():
        explorer.controls["mode"].value = mode
        assert explorer.figure.get_suptitle().startswith({"max": "max", "min": "min", "avg": "average"}[mode])
        input_texts = [t.get_text() for t in explorer.figure.axes[0].texts]
        assert label in input_texts
        assert all(other not in input_texts for other in set(labels.values()) - {label, "0"})


def test_window_slider_moves_the_tint_when_windows_overlap():
    explorer = pooling_explorer()
    explorer.controls["stride"].value = 1  # 2x2 windows at stride 1: 5x6 outputs
    explorer.controls["window"].value = 7

    def tint(ax):
        (patch,) = [p for p in ax.patches if p.get_fill() and p.get_alpha() == 0.3]
        return patch.get_x() + 0.5, patch.get_y() + 0.5

    assert tint(explorer.figure.axes[1]) == (1, 1)  # window 7 of a 5x6 output: row 1, column 1
    assert tint(explorer.figure.axes[0]) == (1, 1)
    explorer.controls["window"].value = 29
    assert tint(explorer.figure.axes[1]) == (5, 4)


def test_takes_its_own_input_and_refuses_a_bad_one():
    explorer = pooling_explorer(np.arange(16).reshape(4, 4))
    assert explorer.figure.axes[0].get_title() == "input 4×4"
    assert output_title(explorer) == "output 2×2"
    with pytest.raises(ValueError, match="x: expected a non-empty 2-D array"):
        pooling_explorer(np.zeros((2, 4, 4)))


def test_does_not_modify_its_input():
    x = np.arange(20.0).reshape(4, 5)
    explorer = pooling_explorer(x)
    explorer.controls["mode"].value = "avg"
    np.testing.assert_array_equal(x, np.arange(20.0).reshape(4, 5))
