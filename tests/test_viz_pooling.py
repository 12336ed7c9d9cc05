"""Figures of the pooling notebook: the windows, values, circles and labels they draw are right."""

import matplotlib

matplotlib.use("agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from matplotlib.collections import PatchCollection
from matplotlib.patches import Circle, Rectangle

from course_lib.viz.pooling import (
    pool_size_text,
    shift_sensitivity,
    show_max_pool_backward,
    show_max_unpooling,
    show_pooling,
    show_shift_invariance,
    show_shift_sensitivity,
)

# The slides' worked examples: max pooling (001) and max unpooling (000).
POOL_X = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
UNPOOL_X = np.array([[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]])
UNPOOL_VALUES = np.array([[1, 2], [3, 4]])
UNPOOLED = np.array([[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]])

NEGATIVE = np.random.default_rng(3).integers(-9, 10, size=(6, 7))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def text_grid(ax, shape, dy=0.0):
    """The texts written at the centre (shifted down by `dy`) of each cell of a grid, as an array."""
    grid = np.full(shape, "", dtype=object)
    for text in ax.texts:
        col, row = text.get_position()
        if np.isclose(row - dy, round(row - dy)) and 0 <= round(row - dy) < shape[0] and 0 <= col < shape[1]:
            grid[round(row - dy), round(col)] = text.get_text()
    return grid


def circles(ax):
    return [p for p in ax.patches if isinstance(p, Circle)]


def circle_cells(ax):
    return sorted({(round(c.center[1]), round(c.center[0])) for c in circles(ax)})


def tinted(ax):
    """Filled window tints: (corner x, corner y, width, height) of each."""
    return [(p.get_x(), p.get_y(), p.get_width(), p.get_height()) for p in ax.patches
            if isinstance(p, Rectangle) and p.get_fill() and p.get_alpha() == 0.3]


def torch_pool(x, kernel_size, stride=None, padding=0, mode="max", ceil_mode=False):
    t = torch.from_numpy(np.asarray(x, dtype=float))[None, None]
    if mode == "avg":
        return F.avg_pool2d(t, kernel_size, stride, padding, ceil_mode=ceil_mode)[0, 0].numpy(), None
    sign = -1 if mode == "min" else 1
    out, idx = F.max_pool2d(sign * t, kernel_size, stride, padding, ceil_mode=ceil_mode, return_indices=True)
    return sign * out[0, 0].numpy(), idx[0, 0].numpy()


def as_text(value):
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


# ---- show_pooling ---------------------------------------------------------------------------


def test_slides_max_pooling_example_is_drawn_with_its_numbers():
    figure = show_pooling(POOL_X, 2, stride=2)
    ax_in, ax_out = figure.axes
    assert figure.get_suptitle() == "max pooling 2×2, stride 2"
    assert (ax_in.get_title(), ax_out.get_title()) == ("input 4×4", "output 2×2")
    assert (text_grid(ax_in, (4, 4)) == POOL_X.astype(str)).all()
    assert (text_grid(ax_out, (2, 2), dy=-0.12) == np.array([["6", "8"], ["3", "4"]])).all()
    assert (text_grid(ax_out, (2, 2), dy=0.27) == np.array([["(1,1)", "(1,3)"], ["(2,0)", "(3,3)"]])).all()
    assert circle_cells(ax_in) == [(1, 1), (1, 3), (2, 0), (3, 3)]
    # Four windows of 2x2 cells, each tinted in its own colour, and the same colours on the output.
    assert sorted(tinted(ax_in)) == sorted((x - 0.5, y - 0.5, 2, 2) for y in (0, 2) for x in (0, 2))
    colours_in = [p.get_facecolor()[:3] for p in ax_in.patches if isinstance(p, Rectangle) and p.get_alpha() == 0.3]
    colours_out = [p.get_facecolor()[:3] for p in ax_out.patches if isinstance(p, Rectangle) and p.get_alpha() == 0.3]
    assert len(set(colours_in)) == 4 and colours_in == colours_out


@pytest.mark.parametrize("mode", ["max", "avg", "min"])
@pytest.mark.parametrize("kernel_size, stride, padding, ceil_mode", [
    (2, None, 0, False), (2, None, 0, True), (3, 2, 1, False), (3, 2, 1, True), ((2, 3), (1, 2), (1, 0), True),
    (1, 1, 0, False), (4, 3, 2, True),
])
def test_output_values_and_argmax_positions_equal_torch(mode, kernel_size, stride, padding, ceil_mode):
    figure = show_pooling(NEGATIVE, kernel_size, stride, padding, mode=mode, ceil_mode=ceil_mode)
    ax_in, ax_out = figure.axes
    expected, indices = torch_pool(NEGATIVE, kernel_size, stride, padding, mode, ceil_mode)
    assert ax_out.get_title() == f"output {expected.shape[0]}×{expected.shape[1]}"
    dy = 0 if mode == "avg" else -0.12
    assert (text_grid(ax_out, expected.shape, dy=dy) == np.vectorize(as_text)(expected)).all()
    if mode == "avg":
        assert not circles(ax_in)
    else:
        width = NEGATIVE.shape[1]
        sources = np.vectorize(lambda i: f"({i // width},{i % width})")(indices)
        assert (text_grid(ax_out, expected.shape, dy=0.27) == sources).all()
        assert circle_cells(ax_in) == sorted({divmod(int(i), width) for i in indices.ravel()})


@pytest.mark.parametrize("mode, label", [("max", "−∞"), ("min", "+∞"), ("avg", "0")])
def test_padding_is_labelled_with_its_fill_value(mode, label):
    x = np.full((3, 4), 5)  # no zeros in the image, so every "0" is padding
    ax_in, _ = show_pooling(x, 3, stride=1, padding=1, mode=mode).axes
    assert texts(ax_in).count(label) == 5 * 6 - 3 * 4
    assert ax_in.get_title() == "input 3×4, padding 1"


def test_ceil_mode_window_that_hangs_past_the_padding_is_hatched():
    # 5 wide, 2x2 windows, stride 2: floor gives 2 windows, ceil 3; the third covers column 5.
    ax_in, ax_out = show_pooling(np.arange(20).reshape(4, 5), 2, ceil_mode=True).axes
    hatched = [c for c in ax_in.collections if isinstance(c, PatchCollection) and c.get_hatch() == "//"]
    assert len(hatched) == 1 and len(hatched[0].get_paths()) == 4  # column 5, rows 0 to 3
    assert ax_out.get_title() == "output 2×3"
    assert ax_in.get_xlim()[1] > 5  # the overhang is inside the drawing
    ax_in, _ = show_pooling(np.arange(20).reshape(4, 5), 2).axes
    assert not [c for c in ax_in.collections if c.get_hatch() == "//"]


def test_overlapping_windows_tint_only_the_highlighted_one():
    figure = show_pooling(NEGATIVE, 3, stride=1, padding=1, highlight=10)
    ax_in, ax_out = figure.axes
    ((x, y, w, h),) = tinted(ax_in)
    row, col = divmod(10, 7)  # output 6x7; window 10 starts at (1 - 1, 3 - 1)
    assert (x + 0.5, y + 0.5, w, h) == (col - 1, row - 1, 3, 3)
    ((x, y, w, h),) = tinted(ax_out)
    assert (x + 0.5, y + 0.5, w, h) == (col, row, 1, 1)
    # every picked pixel is still circled (in grey), the highlighted window's pick in colour too
    _, indices = torch_pool(NEGATIVE, 3, 1, 1)
    assert circle_cells(ax_in) == sorted({divmod(int(i), 7) for i in indices.ravel()})


def test_size_arithmetic_is_written_under_the_figure():
    figure = show_pooling(np.zeros((5, 7)), 2, sizes=True)
    (text,) = [t for t in figure.texts if t is not figure._suptitle]
    assert text.get_text() == "H_out = ⌊(5 + 2·0 − 2) / 2⌋ + 1 = 2   (ceil mode: 3)\n" \
                              "W_out = ⌊(7 + 2·0 − 2) / 2⌋ + 1 = 3   (ceil mode: 4)"
    plain = show_pooling(np.zeros((5, 7)), 2)
    assert [t for t in plain.texts if t is not plain._suptitle] == []


def test_draws_into_given_axes():
    figure, axes = plt.subplots(1, 2)
    assert show_pooling(POOL_X, 2, axes=axes) is figure
    assert axes[1].get_title() == "output 2×2"


@pytest.mark.parametrize("kwargs, match", [
    ({"x": np.zeros((1, 4, 4))}, "x: expected a non-empty 2-D array"),
    ({"x": np.zeros((0, 4))}, "x: expected a non-empty 2-D array"),
    ({"mode": "mean"}, "mode: expected one of"),
    ({"kernel_size": 0}, "kernel_size"),
    ({"stride": 0}, "stride"),
    ({"padding": 2}, "padding"),
    ({"kernel_size": 5}, "kernel_size"),
    ({"highlight": 4}, "highlight: expected a window from 0 to 3"),
])
def test_bad_arguments_raise_value_errors_naming_them(kwargs, match):
    arguments = {"x": POOL_X, "kernel_size": 2, **kwargs}
    with pytest.raises(ValueError, match=match):
        show_pooling(**arguments)


# ---- pool_size_text -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [4, 5, 6, 7, 8])
@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (3, 2, 1), (2, 3, 1), (3, 3, 0), (1, 2, 0)])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_size_text_ends_with_torchs_output_size(n, k, s, p, ceil_mode):
    size = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=ceil_mode).shape[-1]
    text = pool_size_text(n, k, s, p, ceil_mode)
    other = F.max_pool2d(torch.zeros(1, 1, n, n), k, s, p, ceil_mode=not ceil_mode).shape[-1]
    if ceil_mode:
        assert text.endswith(f" {size}")
    else:
        assert text.split("   ")[0].endswith(f"= {size}")
        assert (f"(ceil mode: {other})" in text) == (other != size)


def test_size_text_names_the_dropped_ceil_window():
    # 5 + 2 = 7 padded pixels, windows of 2 at stride 2: the fourth would start in the padding.
    assert pool_size_text(5, 2, 2, 1, ceil_mode=True) == \
        "out = ⌈(5 + 2·1 − 2) / 2⌉ + 1 = 4, but the last window would start in the padding: 3"


# ---- show_max_unpooling ---------------------------------------------------------------------


def test_slides_max_unpooling_example():
    figure = show_max_unpooling(UNPOOL_X, UNPOOL_VALUES)
    pooled_ax, values_ax, unpooled_ax = figure.axes[1:]
    assert (text_grid(pooled_ax, (2, 2), dy=-0.12) == np.array([["5", "6"], ["7", "8"]])).all()
    assert (text_grid(pooled_ax, (2, 2), dy=0.27) == np.array([["idx 5", "idx 2"], ["idx 12", "idx 15"]])).all()
    assert (text_grid(values_ax, (2, 2)) == UNPOOL_VALUES.astype(str)).all()
    assert (text_grid(unpooled_ax, (4, 4)) == UNPOOLED.astype(str)).all()
    assert circle_cells(figure.axes[0]) == [(0, 2), (1, 1), (3, 0), (3, 3)]
    # the four placed values are tinted in their window's colour, the zeros are not
    assert sorted((y + 0.5, x + 0.5) for x, y, _, _ in tinted(unpooled_ax)) == [(0, 2), (1, 1), (3, 0), (3, 3)]
    assert [ax.get_title() for ax in figure.axes][3] == "4. max-unpooled"


def test_unpooling_equals_torch_for_other_shapes():
    rng = np.random.default_rng(1)
    x = rng.permutation(30).reshape(5, 6)
    values = np.arange(1, 7).reshape(2, 3)
    figure = show_max_unpooling(x, values, kernel_size=2)
    _, idx = F.max_pool2d(torch.from_numpy(x.astype(float))[None, None], 2, return_indices=True)
    expected = F.max_unpool2d(torch.from_numpy(values.astype(float))[None, None], idx, 2,
                              output_size=(5, 6))[0, 0].numpy()
    assert (text_grid(figure.axes[3], (5, 6)) == np.vectorize(as_text)(expected)).all()


def test_unpooling_refuses_values_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"values: expected the pooled shape \(2, 2\)"):
        show_max_unpooling(UNPOOL_X, np.ones((2, 3)))


# ---- show_max_pool_backward -----------------------------------------------------------------


def test_backward_routes_each_gradient_to_its_maximum_and_sums_overlaps():
    x = np.array([[1, 3, 2, 0, 1], [4, 9, 1, 2, 0], [0, 2, 8, 1, 3], [1, 0, 3, 2, 5], [2, 1, 0, 4, 1]])
    dout = np.array([[1, 2], [3, 4]])
    figure = show_max_pool_backward(x, dout, 3, stride=2)
    dx_ax = figure.axes[2]
    t = torch.from_numpy(x.astype(float))[None, None].requires_grad_()
    F.max_pool2d(t, 3, 2).backward(torch.from_numpy(dout.astype(float))[None, None])
    expected = t.grad[0, 0].numpy()
    assert expected[2, 2] == 9  # three windows share the maximum 8
    shown = text_grid(dx_ax, (5, 5))
    shown[2, 2] = text_grid(dx_ax, (5, 5), dy=-0.1)[2, 2]
    assert (shown == np.vectorize(as_text)(expected)).all()
    assert "2+3+4" in texts(dx_ax)
    red = [p for p in dx_ax.patches if isinstance(p, Rectangle) and not p.get_fill()
           and matplotlib.colors.same_color(p.get_edgecolor(), "tab:red")]
    assert [(r.get_x() + 0.5, r.get_y() + 0.5) for r in red] == [(2, 2)]
    assert len(circles(figure.axes[0])) == 4


def test_backward_refuses_dout_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"dout: expected the pooled shape \(2, 2\)"):
        show_max_pool_backward(POOL_X, np.ones((4, 4)), 2)


# ---- shifts ---------------------------------------------------------------------------------


def torch_relative_change(x, shifted, k, mode):
    def pool(v):
        t = torch.from_numpy(v)[None, None]
        return (F.max_pool2d(t, k) if mode == "max" else F.avg_pool2d(t, k))[0, 0].numpy()
    a, b = pool(x), pool(shifted)
    return np.abs(a - b).sum() / (np.abs(a).sum() + np.abs(b).sum())


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize("shift", [1, 2, (1, 1), (-2, 3)])
def test_shift_sensitivity_equals_a_torch_computation(mode, shift):
    rng = np.random.default_rng(7)
    x = np.pad(np.maximum(rng.normal(size=(14, 12)), 0), 4)
    dy, dx = (0, shift) if isinstance(shift, int) else shift
    shifted = np.roll(x, (dy, dx), axis=(0, 1))
    result = shift_sensitivity(x, [2, 3, 4], shift, mode)
    expected = [torch_relative_change(x, shifted, k, mode) for k in (2, 3, 4)]
    np.testing.assert_allclose(result, expected, rtol=1e-12)


def test_no_pooling_and_global_pooling_are_the_two_extremes():
    x = np.zeros((10, 10))
    x[3:7, 4] = 1
    assert shift_sensitivity(x, [1, "global"], 1).tolist() == [1.0, 0.0]
    assert shift_sensitivity(x, [1, "global"], 1, mode="avg").tolist() == [1.0, 0.0]
    # a bar in column 4 moving to column 5 stays in the 2x2 windows over columns 4-5
    assert shift_sensitivity(x, [2], 1).tolist() == [0.0]
    assert shift_sensitivity(x, [2], 2).tolist() == [1.0]


@pytest.mark.parametrize("kwargs, match", [
    ({"mode": "min"}, "mode: expected 'max' or 'avg'"),
    ({"shift": 1.5}, "shift: expected an int or a pair"),
    ({"shift": (1, 2, 3)}, "shift: expected an int or a pair"),
    ({"kernel_sizes": [0]}, "kernel_sizes"),
    ({"x": np.zeros(5)}, "x: expected a non-empty 2-D array"),
])
def test_shift_sensitivity_refuses_bad_arguments(kwargs, match):
    arguments = {"x": np.zeros((8, 8)), "kernel_sizes": [1, 2], **kwargs}
    with pytest.raises(ValueError, match=match):
        shift_sensitivity(**arguments)


def test_shift_invariance_figure_shows_maps_and_changes():
    x = np.zeros((12, 12))
    x[3:9, 4] = 1
    figure = show_shift_invariance(x, shift=1, kernel_size=2)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["feature map x", "x shifted right by 1", "|difference|: 100% changed",
                      "max pool 2×2 of x", "max pool 2×2 of shifted x", "|difference|: 0% changed"]
    assert figure.axes[3].images[0].get_array().shape == (6, 6)
    np.testing.assert_array_equal(figure.axes[1].images[0].get_array(), np.roll(x, 1, axis=1))


def test_shift_sensitivity_plot_has_one_line_per_shift():
    x = np.zeros((12, 12))
    x[3:9, 4] = 1
    figure = show_shift_sensitivity(x, [1, 2, 3, "global"], shifts=(1, 2))
    ax = figure.axes[0]
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "2×2", "3×3", "global"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * shift_sensitivity(x, [1, 2, 3, "global"], 1))


def test_figures_do_not_modify_their_inputs():
    x = NEGATIVE.astype(float)
    before = x.copy()
    show_pooling(x, 3, 2, 1, ceil_mode=True)
    show_max_unpooling(x, np.ones((3, 3)), 2)
    show_max_pool_backward(x, np.ones((3, 3)), 2)
    show_shift_invariance(x, 1, 2)
    np.testing.assert_array_equal(x, before)
