"""course_lib.viz.stride_padding: the figures draw the windows, padding and fields they claim to."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from course_lib import architectures as arch
from course_lib import conv_output_size, receptive_field, same_padding
from course_lib.viz import stride_padding as viz


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def patches(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def torch_size(n, k, s, p, d):
    x = torch.zeros(1, 1, n, n)
    return torch.nn.functional.conv2d(x, torch.zeros(1, 1, k, k), stride=s, padding=p, dilation=d).shape[-1]


GRID = [(n, k, s, p, d) for n in (1, 4, 7, 8) for k in (1, 2, 3) for s in (1, 2, 3) for p in (0, 1, 2) for d in (1, 2)]


@pytest.mark.parametrize("n, k, s, p, d", GRID)
def test_explain_output_size_agrees_with_torch_and_exact_mode(n, k, s, p, d):
    report = viz.explain_output_size(n, k, s, p, d)
    if d * (k - 1) + 1 > n + 2 * p:
        assert report.size == 0 and not report.legal and report.verdict.startswith("impossible")
        return
    assert report.size == torch_size(n, k, s, p, d)
    assert report.formula.endswith(f"= {report.size}")
    assert f"({n} + 2·{p} − {d}·{k - 1} − 1) / {s}" in report.formula
    try:
        conv_output_size(n, k, s, p, d, exact=True)
        assert report.legal and report.verdict.startswith("legal: the last window ends exactly")
    except ValueError:
        assert not report.legal and report.verdict.startswith("illegal")


def test_explain_output_size_names_the_lecture_cases():
    assert viz.explain_output_size(7, 3, 3).verdict.startswith("illegal: 4/3 is not an integer")
    assert "2 outputs" in viz.explain_output_size(7, 3, 3).verdict
    gaps = viz.explain_output_size(7, 1, 2)  # legal, but every other pixel is skipped
    assert gaps.legal and "never read: 3 of 7" in gaps.verdict
    with pytest.raises(ValueError, match="stride: expected an int >= 1"):
        viz.explain_output_size(7, 3, 0)
    with pytest.raises(ValueError, match="padding: expected an int >= 0"):
        viz.explain_output_size(7, 3, 1, (1, 2))


@pytest.mark.parametrize("n, k, s, p, d", [(7, 3, 1, 0, 1), (7, 3, 2, 1, 1), (8, 3, 3, 1, 2), (6, 4, 2, 0, 1),
                                           (3, 5, 1, 0, 1)])
def test_draw_windows_1d_draws_every_window(n, k, s, p, d):
    _, ax = plt.subplots()
    viz.draw_windows_1d(ax, n, k, s, p, d)
    n_out = max(torch_size(n, k, s, p, d), 0) if d * (k - 1) + 1 <= n + 2 * p else 0
    assert len(patches(ax, "tap")) == n_out * k
    assert len(patches(ax, "padding")) == 2 * p
    assert len(patches(ax, "input")) + len(patches(ax, "unread")) == n
    assert len([line for line in ax.lines if line.get_gid() == "centre"]) == n_out
    assert ax.get_title().endswith(f"{n_out} output{'s' if n_out != 1 else ''}")
    # taps sit where conv2d reads: window i starts at i*s, taps are d apart
    taps = sorted(round(r.get_x() + 0.35) for r in patches(ax, "tap"))
    assert taps == sorted(i * s + j * d for i in range(n_out) for j in range(k))


def test_unread_pixels_are_marked():
    _, ax = plt.subplots()
    viz.draw_windows_1d(ax, 7, 3, stride=3)  # 4/3: pixel 6 is never read
    assert [round(r.get_x() + 0.5) for r in patches(ax, "unread")] == [6]


def test_show_window_rows_titles_and_panels():
    figure = viz.show_window_rows([dict(n=7, kernel_size=3, stride=s) for s in (1, 2, 3)])
    assert [ax.get_title() for ax in figure.axes] == [
        "n=7, k=3, s=1: 5 outputs", "n=7, k=3, s=2: 3 outputs", "n=7, k=3, s=3: 2 outputs"]
    titled = viz.show_window_rows([dict(n=5, kernel_size=3, dilation=2, padding=(1, 2))], titles=["x"])
    assert titled.axes[0].get_title() == "x"
    with pytest.raises(ValueError, match="configs"):
        viz.show_window_rows([])


@pytest.mark.parametrize("n, k, s, p, d", [(7, 3, 2, 1, 1), (8, 3, 3, 1, 2), (5, 2, 1, 0, 1), (3, 5, 1, 0, 1)])
def test_show_windows(n, k, s, p, d):
    figure = viz.show_windows(n, k, s, p, d)
    left, right = figure.axes
    report = viz.explain_output_size(n, k, s, p, d)
    assert figure._suptitle.get_text().startswith(report.formula)
    assert left.get_title().endswith(f"output {report.size}x{report.size}")
    centres = left.collections
    if report.size:
        assert len(centres) == 1 and len(centres[0].get_offsets()) == report.size**2
        assert len(patches(left, "first-window-tap")) == k * k
        first = patches(left, "first-window")[0]
        assert first.get_width() == d * (k - 1) + 1
    else:
        assert not centres and "impossible" in figure._suptitle.get_text()
    assert len(patches(left, "padding")) == (4 if p else 0)
    image = left.images[0].get_array()
    assert image.shape == (n + 2 * p, n + 2 * p)


def test_show_padding_modes_uses_same_padding():
    figure = viz.show_padding_modes(6, (3, 4))
    titles = [ax.get_title() for ax in figure.axes]
    assert len(titles) == 6
    assert titles[0] == "valid, k=3: pad 0 before, 0 after → 4 outputs"
    assert titles[3] == "same, k=4: pad {} before, {} after → 6 outputs".format(*same_padding(6, 4))
    assert titles[5] == "full, k=4: pad 3 before, 3 after → 9 outputs"
    for ax in figure.axes[2:4]:  # same: the output keeps the input's size
        assert len(patches(ax, "tap")) // int(ax.get_title().split("k=")[1][0]) == 6


@pytest.mark.parametrize("layers", [[(3, 1)] * 3, [(7, 1)], [(3, 2), (3, 2), (3, 1)], [(3, 1, 2), (2, 2)], [(1, 1)]])
def test_draw_receptive_field(layers):
    _, ax = plt.subplots()
    viz.draw_receptive_field(ax, layers)
    field = receptive_field(layers)
    assert ax.get_title() == f"receptive field: {field}"
    assert len(patches(ax, "field")) <= field
    xs = sorted(r.get_x() + 0.45 for r in patches(ax, "field"))
    assert xs[0] == 0 and round(xs[-1]) == field - 1  # the field spans exactly r input pixels
    assert len(ax.get_yticks()) == len(layers) + 1


def test_dense_fields_fill_every_pixel_and_dilated_ones_leave_gaps():
    _, ax = plt.subplots()
    viz.draw_receptive_field(ax, [(3, 1)] * 3)
    assert len(patches(ax, "field")) == 7
    _, ax = plt.subplots()
    viz.draw_receptive_field(ax, [(3, 1, 2)])  # one dilated 3-tap layer reads pixels 0, 2, 4
    assert sorted(round(r.get_x() + 0.45) for r in patches(ax, "field")) == [0, 2, 4]


def test_show_receptive_fields_and_bad_layers():
    figure = viz.show_receptive_fields([[(3, 1)] * 3, [(7, 1)]], titles=["three 3x3", "one 7x7"])
    assert [ax.get_title() for ax in figure.axes] == ["three 3x3", "one 7x7"]
    with pytest.raises(ValueError, match="stacks"):
        viz.show_receptive_fields([])
    with pytest.raises(ValueError, match=r"layers\[0\] kernel"):
        viz.show_receptive_fields([[(0, 1)]])


def test_show_trace():
    rows = arch.trace(arch.VGG16, arch.VGG16_INPUT)
    figure = viz.show_trace(rows, title="VGG-16")
    parameters, multiply_adds = figure.axes
    assert len(parameters.patches) == len(rows) - 1
    widths = [bar.get_width() for bar in parameters.patches]
    assert widths == pytest.approx([row.parameters / 1e6 for row in rows[1:]])
    assert parameters.get_title().startswith("parameters: 138.4 M in all, 89% in fc")
    assert multiply_adds.get_title().endswith("1% in fc layers")
    with pytest.raises(ValueError, match="rows"):
        viz.show_trace(rows[:1])
