"""Figures of the convolution notebook: what they draw (titles, texts, images, outlines) is right."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.viz.convolution import (
    show_correlation_step,
    show_correlation_steps,
    show_filtering,
    show_patch,
    show_shift_equivariance,
)

# The slides' worked example (003 and 004 of the seeds).
X = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
K = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
SLIDES_OUT = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def torch_corr(x, k):
    """The cross-correlation computed by PyTorch, for comparison."""
    return F.conv2d(torch.from_numpy(np.asarray(x, float))[None, None],
                    torch.from_numpy(np.asarray(k, float))[None, None])[0, 0].numpy()


def texts(ax):
    return [t.get_text() for t in ax.texts]


def rectangles(ax):
    return [p for p in ax.patches if isinstance(p, plt.Rectangle)]


# ---- show_patch ------------------------------------------------------------------------------


def test_patch_writes_the_patch_values_and_outlines_it():
    rng = np.random.default_rng(0)
    image = rng.random((30, 20))
    figure = show_patch(image, 5, 7, size=6)
    left, right = figure.axes
    expected = np.round(image[5:11, 7:13] * 255).astype(int)
    assert texts(right) == [str(v) for v in expected.flat]
    (outline,) = rectangles(left)
    assert outline.get_xy() == (6.5, 4.5) and outline.get_width() == 6 and outline.get_height() == 6
    assert "30x20" in left.get_title() and right.get_title() == "rows 5-10, columns 7-12"


def test_patch_text_is_readable_on_its_cell():
    image = np.linspace(0, 1, 16).reshape(4, 4)
    right = show_patch(image, 0, 0, size=4).axes[1]
    colours = [t.get_color() for t in right.texts]
    assert colours[0] == "white" and colours[-1] == "black"  # dark cell, light cell


@pytest.mark.parametrize("kwargs, match", [
    (dict(row=0, col=0, size=13), "size"),
    (dict(row=25, col=0, size=8), "row, col"),
    (dict(row=0, col=-1, size=8), "row, col"),
])
def test_patch_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        show_patch(np.zeros((30, 20)), **kwargs)


def test_patch_rejects_a_colour_image():
    with pytest.raises(ValueError, match="image: expected a 2-D"):
        show_patch(np.zeros((30, 20, 3)), 0, 0)


# ---- show_correlation_step ------------------------------------------------------------------


@pytest.mark.parametrize("step", range(9))
def test_step_shows_the_slides_products_and_sum(step):
    row, col = divmod(step, 3)
    figure = show_correlation_step(X, K, step)
    image_ax, kernel_ax, products_ax, out_ax = figure.axes
    products = X[row:row + 3, col:col + 3] * K
    assert texts(products_ax) == [str(v) for v in products.flat]
    assert products_ax.get_title() == f"x \u2299 k: sum = {SLIDES_OUT[row, col]}"
    assert out_ax.get_title() == f"output: out[{row}, {col}] = {SLIDES_OUT[row, col]}"
    # the output so far: the cells computed up to this step, row by row, and nothing else
    assert texts(out_ax) == [str(v) for v in SLIDES_OUT.flat[:step + 1]]
    (window,) = rectangles(image_ax)
    assert window.get_xy() == (col - 0.5, row - 0.5) and window.get_width() == 3
    (current,) = rectangles(out_ax)
    assert current.get_xy() == (col - 0.5, row - 0.5) and current.get_width() == 1
    # every image value, then the 9 kernel weights marked on the pixels they multiply
    assert texts(image_ax)[:25] == [str(v) for v in X.flat]
    assert texts(image_ax)[25:] == ["\u00d7" + str(v) for v in K.flat]
    assert texts(kernel_ax) == [str(v) for v in K.flat]


def test_step_accepts_a_position_pair_and_a_step_number_alike():
    by_pair = show_correlation_step(X, K, (1, 2))
    by_step = show_correlation_step(X, K, 5)
    assert [a.get_title() for a in by_pair.axes] == [a.get_title() for a in by_step.axes]


def test_step_on_a_non_square_image_agrees_with_torch():
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, size=(4, 6))
    k = rng.integers(-2, 3, size=(2, 3))
    expected = torch_corr(x, k)  # (3, 4)
    for step in range(expected.size):
        row, col = divmod(step, expected.shape[1])
        title = show_correlation_step(x, k, step).axes[3].get_title()
        assert title == f"output: out[{row}, {col}] = {int(expected[row, col])}"
        plt.close("all")


def test_step_draws_into_given_axes():
    figure, axes = plt.subplots(1, 4)
    assert show_correlation_step(X, K, 0, axes=axes) is figure


@pytest.mark.parametrize("position", [9, -1, (3, 0), (0, 3), (1, -1), "a"])
def test_step_rejects_positions_outside_the_output(position):
    with pytest.raises(ValueError, match="position"):
        show_correlation_step(X, K, position)


def test_step_rejects_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="k: the kernel"):
        show_correlation_step(np.ones((2, 5)), np.ones((3, 3)), 0)


def test_step_rejects_arrays_that_are_not_2d():
    with pytest.raises(ValueError, match="x: expected a 2-D"):
        show_correlation_step(np.ones((1, 5, 5)), K, 0)
    with pytest.raises(ValueError, match="k: expected a 2-D"):
        show_correlation_step(X, np.ones(3), 0)


# ---- show_correlation_steps ------------------------------------------------------------------


def test_steps_title_every_panel_with_the_slides_result():
    figure = show_correlation_steps(X, K)
    assert len(figure.axes) == 9
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == [f"out[{r}, {c}] = {SLIDES_OUT[r, c]}" for r in range(3) for c in range(3)]
    for index, ax in enumerate(figure.axes):
        row, col = divmod(index, 3)
        (window,) = rectangles(ax)
        assert window.get_xy() == (col - 0.5, row - 0.5)
    assert "9 positions" in figure._suptitle.get_text()


def test_steps_on_a_non_square_case_agree_with_torch():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, size=(3, 6))
    k = rng.integers(-1, 2, size=(2, 2))
    expected = torch_corr(x, k)  # (2, 5)
    figure = show_correlation_steps(x, k)
    assert len(figure.axes) == expected.size
    assert [ax.get_title() for ax in figure.axes] == [
        f"out[{r}, {c}] = {int(expected[r, c])}" for r in range(2) for c in range(5)]


def test_steps_refuse_too_many_panels():
    with pytest.raises(ValueError, match="too many"):
        show_correlation_steps(np.zeros((9, 9)), np.ones((2, 2)))


# ---- show_filtering --------------------------------------------------------------------------


def rmse(a, b):
    return np.sqrt(np.mean((a - b) ** 2))


def test_filtering_reports_errors_against_the_cropped_clean_image():
    rng = np.random.default_rng(3)
    clean = rng.random((20, 16))
    noisy = clean + rng.normal(0, 0.1, clean.shape)
    kernel = np.full((5, 3), 1 / 15)
    filtered = torch_corr(noisy, kernel)  # (16, 14)
    figure = show_filtering(clean, noisy, filtered, kernel, name="box")
    titles = [ax.get_title() for ax in figure.axes]
    assert titles[0] == "clean"
    assert titles[1] == f"noisy: error {rmse(noisy, clean):.3f}"
    assert titles[2] == f"box: error {rmse(filtered, clean[2:18, 1:15]):.3f}"
    assert titles[3] == "kernel 5x3"
    np.testing.assert_array_equal(figure.axes[2].images[0].get_array(), filtered)


def test_filtering_without_kernel_says_why():
    clean = np.zeros((8, 8))
    figure = show_filtering(clean, clean, clean[1:-1, 1:-1])
    assert "no kernel" in texts(figure.axes[3])[0]
    assert figure.axes[2].get_title() == "filtered: error 0.000"


def test_filtering_of_a_derivative_filter_is_signed_and_centred_at_zero():
    clean = np.tile(np.linspace(0, 1, 10), (10, 1))
    kx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    response = torch_corr(clean, kx)
    figure = show_filtering(clean, clean, response, kx, name="Sobel x", signed=True)
    image = figure.axes[2].images[0]
    assert image.get_cmap().name == "RdBu_r"
    low, high = image.get_clim()
    assert low == -high == -np.abs(response).max()
    assert figure.axes[1].get_title() == "input (no noise)"
    assert "error" not in figure.axes[2].get_title()


@pytest.mark.parametrize("shapes, match", [
    (((8, 8), (8, 7), (6, 6)), "noisy: expected the shape"),
    (((8, 8), (8, 8), (9, 6)), "filtered: expected at most"),
    (((8, 8), (8, 8), (6,)), "filtered: expected a 2-D"),
])
def test_filtering_rejects_mismatched_shapes(shapes, match):
    with pytest.raises(ValueError, match=match):
        show_filtering(*(np.zeros(s) for s in shapes))


# ---- show_shift_equivariance -----------------------------------------------------------------


@pytest.mark.parametrize("shift", [(0, 0), (3, 5), (7, 0), (0, 2)])
def test_shift_then_filter_equals_filter_then_shift_inside(shift):
    rng = np.random.default_rng(4)
    image = rng.random((24, 30))
    kernel = rng.normal(size=(3, 5))
    figure = show_shift_equivariance(image, kernel, shift)
    assert len(figure.axes) == 5
    dy, dx = shift
    np.testing.assert_allclose(figure.axes[1].images[0].get_array(), np.roll(image, shift, axis=(0, 1)))
    filter_then_shift = figure.axes[2].images[0].get_array()
    shift_then_filter = figure.axes[3].images[0].get_array()
    np.testing.assert_allclose(filter_then_shift, np.roll(torch_corr(image, kernel), shift, axis=(0, 1)), atol=1e-12)
    np.testing.assert_allclose(filter_then_shift[dy:, dx:], shift_then_filter[dy:, dx:], atol=1e-12)
    if dy or dx:  # the wrapped-around border does differ
        assert not np.allclose(filter_then_shift, shift_then_filter)
    assert figure.axes[4].get_title().endswith("inside")
    (border,) = rectangles(figure.axes[4])
    assert border.get_xy() == (dx - 0.5, dy - 0.5)


@pytest.mark.parametrize("shift, match", [((-1, 0), "shift"), ((22, 0), "shift"), ((0, 26), "shift"), (1.5, "shift")])
def test_shift_rejects_bad_shifts(shift, match):
    with pytest.raises(ValueError, match=match):
        show_shift_equivariance(np.zeros((24, 30)), np.ones((3, 5)), shift)


# ---- inputs ----------------------------------------------------------------------------------


def test_no_figure_modifies_its_inputs():
    rng = np.random.default_rng(5)
    image, kernel = rng.random((12, 10)), rng.random((3, 3))
    copies = image.copy(), kernel.copy()
    show_patch(image, 0, 0, size=4)
    show_correlation_step(image[:5, :5], kernel, 2)
    show_correlation_steps(image[:5, :5], kernel)
    show_filtering(image, image, torch_corr(image, kernel), kernel)
    show_shift_equivariance(image, kernel, (1, 2))
    np.testing.assert_array_equal(image, copies[0])
    np.testing.assert_array_equal(kernel, copies[1])


def test_signed_kernels_have_readable_text():
    k = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    kernel_ax = show_correlation_step(np.zeros((4, 4)), k, 0).axes[1]
    colours = dict(zip(texts(kernel_ax), (t.get_color() for t in kernel_ax.texts)))
    assert colours["-2"] == colours["2"] == "white" and colours["0"] == "black"
