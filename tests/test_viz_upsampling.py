"""Figures of the transposed-convolution notebook: the numbers, frames and markers they draw are right."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle

from course_lib.viz.upsampling import (
    overlap_counts,
    sample_positions,
    show_checkerboard,
    show_conv_matrix,
    show_overlap_counts,
    show_sample_points,
    show_slide_check,
    show_stamp_step,
    show_static_upsampling,
    show_zero_insertion,
)

RAMP = np.arange(16).reshape(4, 4)  # lecture 001's example and its tent kernel
TENT = np.array([[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
K9 = np.arange(1, 10).reshape(3, 3)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def text_grid(ax, shape):
    """The numbers written at the centre of each cell of a grid, as a float array (NaN: none)."""
    grid = np.full(shape, np.nan)
    for text in ax.texts:
        col, row = text.get_position()
        if float(row).is_integer() and float(col).is_integer() and 0 <= row < shape[0] and 0 <= col < shape[1]:
            grid[int(row), int(col)] = float(text.get_text())
    return grid


def patches(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def torch_transpose(x, k, **kwargs):
    return F.conv_transpose2d(torch.tensor(np.asarray(x, float))[None, None],
                              torch.tensor(np.asarray(k, float))[None, None], **kwargs)[0, 0].numpy()


def torch_bilinear(x, align_corners, **kwargs):
    tensor = torch.tensor(np.asarray(x, float))[None, None]
    return F.interpolate(tensor, mode="bilinear", align_corners=align_corners, **kwargs)[0, 0].numpy()


# ---------------------------------------------------------------------------------------------
# Static upsampling
# ---------------------------------------------------------------------------------------------


def test_static_upsampling_shows_the_slides_example_five_ways():
    figure = show_static_upsampling([[1, 2], [3, 4]], 2)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["input 2×2", "nearest neighbour", "bed of nails", "bilinear\nalign_corners=False",
                      "bilinear\nalign_corners=True"]
    nearest, nails, loose, tight = (text_grid(ax, (4, 4)) for ax in figure.axes[1:])
    np.testing.assert_array_equal(nearest, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    np.testing.assert_array_equal(nails, [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    np.testing.assert_allclose(loose, torch_bilinear([[1, 2], [3, 4]], False, scale_factor=2), atol=0.005)
    np.testing.assert_allclose(tight, torch_bilinear([[1, 2], [3, 4]], True, scale_factor=2), atol=0.005)


def test_static_upsampling_refuses_bad_input():
    with pytest.raises(ValueError, match="x: expected a non-empty 2-D array"):
        show_static_upsampling(np.zeros((1, 2, 2)))
    with pytest.raises(ValueError, match="scale_factor"):
        show_static_upsampling(np.eye(2), 0)


# ---------------------------------------------------------------------------------------------
# Where bilinear samples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_in, n_out", [(3, 6), (4, 7), (2, 9), (5, 3), (3, 1), (1, 4)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_sample_positions_are_where_pytorch_samples(n_in, n_out, align_corners):
    # Interpolating the ramp 0, 1, ..., n_in - 1 returns the (clamped) source position itself.
    ramp = torch.arange(n_in, dtype=torch.float64)[None, None]
    sampled = F.interpolate(ramp, size=n_out, mode="linear", align_corners=align_corners)[0, 0].numpy()
    np.testing.assert_allclose(np.clip(sample_positions(n_in, n_out, align_corners), 0, n_in - 1), sampled,
                               atol=1e-12)


def test_sample_points_draws_one_cross_per_output_pixel_in_each_convention():
    figure = show_sample_points(3, 6)
    loose, tight = figure.axes
    assert loose.get_title().startswith("align_corners=False") and tight.get_title().startswith("align_corners=True")
    for ax, align in ((loose, False), (tight, True)):
        (crosses,) = [line for line in ax.lines if line.get_gid() == "samples"]
        xs, ys = crosses.get_data()
        assert len(xs) == 36
        np.testing.assert_allclose(sorted(set(np.round(xs, 9))), sample_positions(3, 6, align))
        (centres,) = [line for line in ax.lines if line.get_gid() == "input centres"]
        assert len(centres.get_xdata()) == 9
        assert len(patches(ax, "input pixel")) == 9 and len(patches(ax, "hull")) == 1
    # the output's pixel squares are drawn only where pixels are squares (centres matched)
    assert [line for line in loose.lines if line.get_gid() == "output grid"]
    assert not [line for line in tight.lines if line.get_gid() == "output grid"]
    # with centres matched the outermost samples lie outside the input centres (edge copied)
    assert min(loose.lines[-1].get_xdata()) < 0 <= min(tight.lines[-1].get_xdata())


# ---------------------------------------------------------------------------------------------
# Stamps
# ---------------------------------------------------------------------------------------------


def test_stamp_step_after_all_stamps_shows_the_slides_canvas():
    figure = show_stamp_step(RAMP, TENT, stride=2)
    ax_in, ax_copy, ax_sum = figure.axes
    assert ax_sum.get_title() == "running sum: 16 of 16 stamps"
    np.testing.assert_allclose(text_grid(ax_sum, (9, 9)), torch_transpose(RAMP, TENT, stride=2), atol=0.005)
    assert ax_copy.get_title() == "copy: x[3, 3] · K = 15 · K"
    np.testing.assert_allclose(text_grid(ax_copy, (3, 3)), 15 * TENT)
    (stamp,) = patches(ax_sum, "stamp")
    assert stamp.get_xy() == (5.5, 5.5) and (stamp.get_width(), stamp.get_height()) == (3, 3)
    assert not patches(ax_in, "to come") and not patches(ax_sum, "crop")


@pytest.mark.parametrize("step", [1, 5, 6, 11])
def test_stamp_step_running_sum_is_the_first_pixels_only(step):
    figure = show_stamp_step(RAMP, TENT, stride=2, step=step)
    ax_in, ax_copy, ax_sum = figure.axes
    mask = (np.arange(16) < step).reshape(4, 4)
    np.testing.assert_allclose(text_grid(ax_sum, (9, 9)), torch_transpose(RAMP * mask, TENT, stride=2), atol=0.005)
    i, j = divmod(step - 1, 4)
    assert ax_in.get_title() == f"input ({step} of 16 stamped)"
    assert ax_copy.get_title() == f"copy: x[{i}, {j}] · K = {RAMP[i, j]} · K"
    assert len(patches(ax_in, "to come")) == 16 - step
    (stamp,) = patches(ax_sum, "stamp")
    assert stamp.get_xy() == (2 * j - 0.5, 2 * i - 0.5)


def test_stamp_step_zero_has_nothing_stamped_yet():
    figure = show_stamp_step(RAMP, TENT, stride=2, step=0)
    assert figure.axes[1].get_title() == "copy: nothing stamped yet"
    assert np.all(text_grid(figure.axes[2], (9, 9)) == 0)
    assert not patches(figure.axes[2], "stamp") and len(patches(figure.axes[0], "to come")) == 16


def test_stamp_step_frames_the_output_that_padding_keeps():
    figure = show_stamp_step(RAMP, TENT, stride=2, padding=1, step=16)
    ax_sum = figure.axes[2]
    (crop,) = patches(ax_sum, "crop")
    assert crop.get_xy() == (0.5, 0.5) and (crop.get_width(), crop.get_height()) == (7, 7)
    assert "the 7×7 output, padding 1 cropped" in ax_sum.get_title()
    assert figure.get_suptitle().startswith("transposed convolution, kernel 3×3, stride 2, padding 1")


def test_stamp_step_with_pairs_and_a_wide_kernel():
    x = np.array([[1.0, -2.0, 3.0], [0.5, 1.5, -1.0]])
    k = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    figure = show_stamp_step(x, k, stride=(1, 3), step=6)
    expected = torch_transpose(x, k, stride=(1, 3))
    np.testing.assert_allclose(text_grid(figure.axes[2], expected.shape), expected, atol=0.005)
    assert "stride (1, 3)" in figure.get_suptitle()


def test_stamp_step_refuses_bad_arguments():
    with pytest.raises(ValueError, match="step: expected at most H \\* W = 16, got 17"):
        show_stamp_step(RAMP, TENT, step=17)
    with pytest.raises(ValueError, match="step"):
        show_stamp_step(RAMP, TENT, step=-1)
    with pytest.raises(ValueError, match="kernel: expected a non-empty 2-D array"):
        show_stamp_step(RAMP, np.ones(3))
    with pytest.raises(ValueError, match="padding"):
        show_stamp_step(RAMP, TENT, stride=1, padding=3)


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def test_conv_matrix_figure_draws_the_slides_matrix_and_its_transpose():
    figure = show_conv_matrix([[1, 2], [2, 1]], (3, 3))
    ax_c, ax_t = figure.axes
    assert ax_c.get_title().startswith("C (4 × 9)") and ax_t.get_title().startswith("Cᵀ (9 × 4)")
    slide = np.array([[1, 2, 0, 2, 1, 0, 0, 0, 0], [0, 1, 2, 0, 2, 1, 0, 0, 0],
                      [0, 0, 0, 1, 2, 0, 2, 1, 0], [0, 0, 0, 0, 1, 2, 0, 2, 1]])
    np.testing.assert_array_equal(ax_c.images[0].get_array().filled(0), slide)
    np.testing.assert_array_equal(ax_t.images[0].get_array().filled(0), slide.T)
    assert len(ax_c.texts) == np.count_nonzero(slide) == len(ax_t.texts)  # zeros stay blank


@pytest.mark.parametrize("shape, stride, padding", [((4, 4), 2, 1), ((5, 6), (2, 1), (0, 1)), ((3, 7), 3, 2)])
def test_conv_matrix_figure_is_the_convolution_pytorch_computes(shape, stride, padding):
    kernel = np.arange(1.0, 10.0).reshape(3, 3) - 4.5
    figure = show_conv_matrix(kernel, shape, stride, padding, transposed=False)
    (ax,) = figure.axes
    matrix = ax.images[0].get_array().filled(0)
    x = np.random.default_rng(0).normal(size=shape)
    conv = F.conv2d(torch.tensor(x)[None, None], torch.tensor(kernel)[None, None], stride=stride, padding=padding)
    np.testing.assert_allclose(matrix @ x.ravel(), conv.numpy().ravel())


# ---------------------------------------------------------------------------------------------
# Zero insertion
# ---------------------------------------------------------------------------------------------


def test_zero_insertion_reproduces_the_fractionally_strided_slide():
    figure = show_zero_insertion(RAMP, TENT, stride=2, padding=1)
    ax_x, ax_padded, ax_kernel, ax_out = figure.axes
    padded = text_grid(ax_padded, (9, 9))  # the slide's 9x9 zero-interleaved, zero-padded image
    expected = np.zeros((9, 9))
    expected[1:8:2, 1:8:2] = RAMP
    np.testing.assert_array_equal(padded, expected)
    assert len(patches(ax_padded, "pixel")) == 16 and len(patches(ax_padded, "interleaved")) == 1
    np.testing.assert_allclose(text_grid(ax_out, (7, 7)), torch_transpose(RAMP, TENT, stride=2, padding=1), atol=0.005)
    assert ax_out.get_title().endswith("= the transposed convolution")
    assert "1 zero between pixels" in ax_padded.get_title()


def test_zero_insertion_flips_the_kernel_and_handles_output_padding():
    y = np.array([[1.0, -2.0], [0.5, 3.0]])
    figure = show_zero_insertion(y, K9, stride=2, padding=1, output_padding=1)
    np.testing.assert_array_equal(text_grid(figure.axes[2], (3, 3)), K9[::-1, ::-1])
    expected = torch_transpose(y, K9, stride=2, padding=1, output_padding=1)
    assert expected.shape == (4, 4)
    np.testing.assert_allclose(text_grid(figure.axes[3], (4, 4)), expected, atol=0.005)


def test_zero_insertion_refuses_padding_larger_than_the_kernel_allows():
    with pytest.raises(ValueError, match="padding: expected at most kernel size - 1"):
        show_zero_insertion(RAMP, TENT, stride=2, padding=3)


# ---------------------------------------------------------------------------------------------
# Checkerboards
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("k", range(1, 7))
@pytest.mark.parametrize("s", range(1, 5))
def test_overlap_counts_are_even_inside_exactly_when_the_kernel_is_a_multiple_of_the_stride(k, s):
    counts = overlap_counts(k, s, size=6)
    torch_counts = F.conv_transpose2d(torch.ones(1, 1, 6, 6), torch.ones(1, 1, k, k), stride=s)[0, 0].numpy()
    np.testing.assert_array_equal(counts, torch_counts)
    inside = counts[k - 1 : counts.shape[0] - k + 1, k - 1 : counts.shape[1] - k + 1]
    assert (inside.min() == inside.max()) == (k % s == 0)
    title = show_overlap_counts(k, s, size=6).axes[0].get_title()
    assert title.startswith(f"kernel {k}, stride {s}: " + ("even" if k % s == 0 else "uneven: checkerboard"))


def test_overlap_counts_title_gives_the_interior_range():
    figure = show_overlap_counts(3, 2, size=5)
    assert figure.axes[0].get_title() == "kernel 3, stride 2: uneven: checkerboard\n(interior 1 to 4)"
    assert len(patches(figure.axes[0], "interior")) == 1
    assert show_overlap_counts(4, 2).axes[0].get_title() == "kernel 4, stride 2: even\n(interior 4)"


def test_checkerboard_figure_compares_transposed_convolutions_with_resize_then_convolve():
    image = np.linspace(0, 1, 100).reshape(10, 10)
    figure = show_checkerboard(image, stride=2, kernel_sizes=(3, 4))
    assert len(figure.axes) == 6
    top = [ax.get_title() for ax in figure.axes[:3]]
    assert top[0].startswith("kernel 3, stride 2: uneven") and top[1].startswith("kernel 4, stride 2: even")
    assert top[2].startswith("nearest ×2, then 3×3 conv: even")
    bottom = figure.axes[3:]
    assert [ax.get_title() for ax in bottom] == ["transposed conv, kernel 3, stride 2",
                                                 "transposed conv, kernel 4, stride 2", "nearest ×2, then 3×3 conv"]
    # the brightness-keeping kernel on a constant image: a checkerboard for k = 3, flat for k = 4
    flat = show_checkerboard(np.full((8, 8), 0.5), stride=2, kernel_sizes=(3, 4))
    k3, k4, resized = (ax.images[0].get_array() for ax in flat.axes[3:])
    assert np.ptp(k3[2:-2, 2:-2]) > 0.2
    np.testing.assert_allclose(k4[2:-2, 2:-2], 0.5)
    np.testing.assert_allclose(resized[1:-1, 1:-1], 0.5)


def test_checkerboard_default_image_is_a_photograph_crop():
    figure = show_checkerboard()
    assert figure.axes[3].images[0].get_array().shape == (63, 63)  # 32x32 crop, kernel 3, padding 1
    assert figure.axes[4].images[0].get_array().shape == (64, 64)


# ---------------------------------------------------------------------------------------------
# Slides against computation
# ---------------------------------------------------------------------------------------------


def test_slide_check_outlines_the_erratum_cells():
    computed = torch_transpose(RAMP, TENT, stride=2)
    printed = computed.copy()
    printed[1, 8], printed[2, 0] = 4.5, 4  # lecture 001's misprints
    figure = show_slide_check(printed, computed)
    left, right = figure.axes
    assert left.get_title() == "as printed on the slide: 2 wrong cells"
    for ax in (left, right):
        cells = sorted((round(p.get_y() + 0.5), round(p.get_x() + 0.5)) for p in patches(ax, "differs"))
        assert cells == [(1, 8), (2, 0)]
    np.testing.assert_allclose(text_grid(right, (9, 9)), computed, atol=0.005)


def test_slide_check_refuses_tables_of_different_shapes():
    with pytest.raises(ValueError, match="computed: expected the shape of printed"):
        show_slide_check(np.zeros((2, 2)), np.zeros((2, 3)))


def test_figures_do_not_modify_their_input():
    x, k = RAMP.astype(float), TENT.copy()
    show_stamp_step(x, k, step=3)
    show_zero_insertion(x, k, 2, 1)
    show_static_upsampling(x, 2)
    show_conv_matrix(k, (4, 4), 2, 1)
    np.testing.assert_array_equal(x, RAMP)
    np.testing.assert_array_equal(k, TENT)
    assert all(isinstance(p, Rectangle) for p in show_stamp_step(x, k, step=3).axes[2].patches)
