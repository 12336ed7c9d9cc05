"""Figures of the bilinear-kernels notebook: what they draw is right (values, positions, titles)."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.patches import Circle, Rectangle

from course_lib.bilinear import bilinear_kernel, bilinear_upsample_weight
from course_lib.interpolation import source_positions, triangle_stamps, triangle_weights
from course_lib.learned_upsampling import History
from course_lib.viz.bilinear import (
    bilinear_by_transposed_conv,
    show_bilinear_kernels,
    show_bilinear_upsampling,
    show_border_difference,
    show_canvas_and_crop,
    show_channel_weight,
    show_sample_positions,
    show_super_resolution,
    show_training_curves,
    show_triangle_stamps,
)

SLIDE_X = np.arange(16).reshape(4, 4)
SLIDE_KERNEL = np.array([[0.25, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 0.25]])
SAMPLES = np.array([1.0, 3.0, 2.0, 4.0])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def interpolate(x, **kwargs):
    return F.interpolate(torch.from_numpy(np.asarray(x, dtype=np.float64))[None, None], mode="bilinear",
                         **kwargs)[0, 0].numpy()


def line_with_label(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def cell_texts(ax, shape):
    grid = np.full(shape, "", dtype=object)
    for text in ax.texts:
        col, row = text.get_position()
        grid[int(round(row)), int(round(col))] = text.get_text()
    return grid


# ---------------------------------------------------------------------------------------------
# bilinear_by_transposed_conv
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_the_comparison_behind_the_figures(factor):
    x = np.random.default_rng(factor).normal(size=(4, 5))
    transposed, interpolated, difference = bilinear_by_transposed_conv(x, factor, align_corners=True)
    np.testing.assert_allclose(interpolated, interpolate(x, size=(3 * factor + 1, 4 * factor + 1), align_corners=True))
    np.testing.assert_allclose(difference, 0, atol=1e-12)
    transposed, interpolated, difference = bilinear_by_transposed_conv(x, factor)
    np.testing.assert_allclose(interpolated, interpolate(x, scale_factor=factor, align_corners=False))
    np.testing.assert_array_equal(difference, transposed - interpolated)
    band = factor // 2
    assert np.abs(difference[band:4 * factor - band, band:5 * factor - band]).max() < 1e-12
    assert (np.abs(difference).max() > 1e-3) == (band > 0)
    _, _, fixed = bilinear_by_transposed_conv(x, factor, replicate_edges=True)
    np.testing.assert_allclose(fixed, 0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# 1-D figures
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor, align_corners", [(3, True), (3, False), (2, False)])
def test_triangle_stamps_draws_each_triangle_and_the_samples_of_their_sum(factor, align_corners):
    figure = show_triangle_stamps(SAMPLES, factor, align_corners)
    ax = figure.axes[0]
    assert ax.get_title() == f"sum of triangles, f = {factor}, align_corners={align_corners}"
    samples = line_with_label(ax, "output samples")
    np.testing.assert_allclose(samples.get_xdata(), source_positions(4, factor, align_corners))
    np.testing.assert_allclose(samples.get_ydata(), triangle_stamps(SAMPLES, factor, align_corners).sum(0))
    # one triangle, one stem and one dot per sample, plus the sum and the samples
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels.count("sum of the triangles") == 1
    rings = [line for line in ax.get_lines() if line.get_label() == "F.interpolate (clamps)"]
    if align_corners:
        assert not rings
    else:
        # the right values at the ends: the first and last samples, where the sum droops
        (ring,) = rings
        np.testing.assert_allclose(ring.get_ydata(), [1.0] * (factor // 2) + [4.0] * (factor // 2))


def test_replicated_edges_are_drawn_dashed_and_leave_nothing_wrong():
    ax = show_triangle_stamps(SAMPLES, 2, replicate_edges=True).axes[0]
    assert ax.get_title().endswith("edges replicated")
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 4  # a triangle and a stem for each of the two edge copies
    assert all(line.get_label() != "F.interpolate (clamps)" for line in ax.get_lines())
    np.testing.assert_allclose(line_with_label(ax, "output samples").get_ydata(),
                               [1, 1.5, 2.5, 2.75, 2.25, 2.5, 3.5, 4])


def test_sample_positions_for_both_conventions():
    figure = show_sample_positions(4, 3)
    top, bottom = figure.axes
    assert top.get_title().startswith("align_corners=True") and top.get_title().endswith("10 outputs")
    assert bottom.get_title().startswith("align_corners=False") and bottom.get_title().endswith("12 outputs")
    for ax, aligned in ((top, True), (bottom, False)):
        dots = [line for line in ax.get_lines() if line.get_color() == "tab:orange"]
        np.testing.assert_allclose(dots[0].get_xdata(), source_positions(4, 3, aligned))
    assert sum(isinstance(p, Rectangle) for p in top.patches) == 4
    assert sum(isinstance(p, Rectangle) for p in bottom.patches) == 4 + 12


# ---------------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [2, 3])
def test_kernels_figure_shows_the_weights_and_their_outer_product(factor):
    figure = show_bilinear_kernels(factor)
    assert len(figure.axes) == 4
    for row, aligned in enumerate((True, False)):
        bars, grid = figure.axes[2 * row], figure.axes[2 * row + 1]
        heights = [patch.get_height() for patch in bars.patches]
        np.testing.assert_allclose(heights, triangle_weights(factor, aligned))
        kernel = bilinear_kernel(factor, aligned)
        assert grid.get_title().startswith(f"{kernel.shape[0]}×{kernel.shape[1]} kernel, sum {factor**2}")
        np.testing.assert_allclose(grid.get_images()[0].get_array(), kernel)


def test_channel_weight_shows_the_diagonal_and_zeros():
    figure = show_channel_weight(bilinear_upsample_weight(3, 2))
    assert len(figure.axes) == 9
    zeros = [ax for ax in figure.axes if [t.get_text() for t in ax.texts] == ["0"]]
    assert len(zeros) == 6
    assert [ax.get_title() for ax in figure.axes if ax not in zeros] == ["[0, 0]", "[1, 1]", "[2, 2]"]
    assert len(show_channel_weight(np.ones((6, 6, 3, 3)), max_channels=2).axes) == 4


# ---------------------------------------------------------------------------------------------
# 2-D figures
# ---------------------------------------------------------------------------------------------


def test_slide_canvas_circles_the_errata_and_crops_to_the_interpolation():
    marks = {(1, 8): "slide: 4.5", (2, 0): "slide: 4"}
    figure = show_canvas_and_crop(SLIDE_X, SLIDE_KERNEL, 2, 1, marks)
    canvas_ax, result_ax = figure.axes
    assert canvas_ax.get_title().startswith("canvas 9×9")
    canvas = cell_texts(canvas_ax, (9, 9))
    assert canvas[1, 8] == "1.5" and canvas[2, 0] == "1" and canvas[2, 1] == "2"
    assert list(canvas[8]) == ["3", "6", "6.25", "6.5", "6.75", "7", "7.25", "7.5", "3.75"]
    circles = sorted((round(c.center[1]), round(c.center[0])) for c in canvas_ax.patches if isinstance(c, Circle))
    assert circles == sorted(marks)
    frame = next(p for p in canvas_ax.patches if isinstance(p, Rectangle))
    assert (frame.get_x(), frame.get_y(), frame.get_width(), frame.get_height()) == (0.5, 0.5, 7, 7)
    assert result_ax.get_title() == "padding 1 crops it to 7×7"
    np.testing.assert_allclose(result_ax.get_images()[0].get_array(), interpolate(SLIDE_X, size=7, align_corners=True))
    assert "row 1, column 8: 1.5 (slide: 4.5)" in figure.texts[0].get_text()


def test_border_difference_is_zero_inside_and_after_the_fix():
    x = np.random.default_rng(0).random((6, 5))
    figure = show_border_difference(x, 4)
    axes = figure.axes
    assert figure.get_suptitle() == "upsampling by f = 4 with FCN's 8×8 kernel"
    difference = axes[2].get_images()[0].get_array()
    transposed, interpolated, expected = bilinear_by_transposed_conv(x, 4)
    np.testing.assert_allclose(difference, expected)
    np.testing.assert_allclose(axes[0].get_images()[0].get_array(), interpolate(x, scale_factor=4))
    assert "inside the 2-pixel band" in axes[2].get_title()
    assert np.abs(axes[3].get_images()[0].get_array()).max() < 1e-12


@pytest.mark.parametrize("factor, align_corners, replicate", [(2, False, False), (3, True, False), (3, False, True)])
def test_explorer_figure(factor, align_corners, replicate):
    x = np.arange(12.0).reshape(3, 4)
    figure = show_bilinear_upsampling(x, factor, align_corners, replicate)
    assert len(figure.axes) == 5
    kernel = bilinear_kernel(factor, align_corners)
    assert figure.axes[1].get_title() == f"kernel {kernel.shape[0]}×{kernel.shape[1]}"
    transposed, interpolated, difference = bilinear_by_transposed_conv(x, factor, align_corners, replicate)
    np.testing.assert_allclose(figure.axes[2].get_images()[0].get_array(), transposed)
    np.testing.assert_allclose(figure.axes[3].get_images()[0].get_array(), interpolated)
    worst = figure.axes[4].get_title().split("= ")[1]
    assert float(worst) == pytest.approx(np.abs(difference).max(), rel=1e-2, abs=1e-9)
    assert (float(worst) > 0.1) == (not align_corners and not replicate)


# ---------------------------------------------------------------------------------------------
# The experiment's figures
# ---------------------------------------------------------------------------------------------


def test_training_curves():
    histories = {"4×4": History([3.0, 2.0, 1.5], [3.5, 2.5, 2.0]), "random": History([90.0, 5.0, 1.0], [95.0, 6.0, 1.8])}
    figure = show_training_curves(histories, {"bilinear": (3.0, 3.5)})
    assert [ax.get_title() for ax in figure.axes] == ["training loss", "held-out loss"]
    train, held_out = figure.axes
    assert train.get_yscale() == "log"
    np.testing.assert_allclose(held_out.get_lines()[0].get_ydata(), [3.5, 2.5, 2.0])
    labels = [text.get_text() for text in held_out.get_legend().get_texts()]
    assert labels == ["4×4 (starts at 3.5)", "random (starts at 95)", "bilinear: 3.5"]
    low, high = train.get_ylim()
    assert low < 1.0 and 3.5 < high < 90  # the random start leaves the top


def test_super_resolution_titles_give_the_psnr():
    high = np.random.default_rng(1).random((8, 6))
    low = high.reshape(4, 2, 3, 2).mean(axis=(1, 3))
    blurred = np.repeat(np.repeat(low, 2, 0), 2, 1)
    figure = show_super_resolution(low, {"nearest": blurred, "exact": high}, high, crop=(slice(0, 4), slice(0, 4)))
    titles = [ax.get_title() for ax in figure.axes]
    assert len(titles) == 4
    assert titles[0].startswith("input 4×3")
    psnr = 10 * np.log10(1 / np.mean((blurred - high) ** 2))
    assert titles[1] == f"nearest\nPSNR {psnr:.2f} dB"
    assert titles[2] == "exact\nPSNR inf dB" and titles[3] == "original 8×6"
    assert figure.axes[1].get_images()[0].get_array().shape == (4, 4)


@pytest.mark.parametrize("call, message", [
    (lambda: show_triangle_stamps(np.ones((2, 2)), 2), "x: expected a non-empty 1-D array"),
    (lambda: show_triangle_stamps([1, 2], 0), "factor: expected an int >= 1"),
    (lambda: show_sample_positions(0, 2), "n: expected an int >= 1"),
    (lambda: show_border_difference(np.ones(4), 2), r"x: expected a non-empty 2-D array \(H, W\)"),
    (lambda: show_channel_weight(np.ones((3, 3))), "weight: expected a 4-D array"),
    (lambda: show_canvas_and_crop(SLIDE_X, np.ones(3), 2, 1), "kernel: expected a non-empty 2-D array"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
