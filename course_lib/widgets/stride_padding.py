"""An explorer for the output-size formula: sliders for n, k, s, p, d and where every window lands.

    >>> explorer = stride_padding_explorer(n=7, kernel_size=3, stride=3)
    >>> "illegal" in explorer.report.value
    True
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..viz.stride_padding import explain_output_size, show_windows
from .explorer import Explorer

__all__ = ["stride_padding_explorer"]

# (description, minimum, maximum): small enough that every window stays visible.
_SLIDERS = {
    "n": ("input n", 1, 12),
    "kernel_size": ("kernel k", 1, 7),
    "stride": ("stride s", 1, 4),
    "padding": ("padding p", 0, 3),
    "dilation": ("dilation d", 1, 3),
}


def _report_html(n, kernel_size, stride, padding, dilation) -> str:
    report = explain_output_size(n, kernel_size, stride, padding, dilation)
    color = "#1a7f37" if report.legal else "#c62828"
    return (f"<div style='font-size: 1.05em'><b>output size</b> {html.escape(report.formula)}<br>"
            f"<span style='color: {color}'>{html.escape(report.verdict)}</span></div>")


def stride_padding_explorer(n=7, kernel_size=3, stride=1, padding=0, dilation=1) -> Explorer:
    """Sliders for a square convolution's n, k, s, p and d, drawing where every window lands.

    The figure is `course_lib.viz.show_windows`: the padded input with the window centres and the
    first and last windows, and one axis with every window. Above it, the output-size formula with
    the numbers filled in and whether the setting is legal (the last window ends at the end of
    the padded input), illegal (a fraction: PyTorch rounds down and skips pixels) or impossible
    (no window fits).

    Parameters
    ----------
    n, kernel_size, stride, padding, dilation : int
        The starting values (n up to 12, k up to 7, s up to 4, p up to 3, d up to 3).

    Returns
    -------
    Explorer
        Controls "n", "kernel_size", "stride", "padding" and "dilation"; `explorer.report` is the
        HTML line with the formula and the verdict, `explorer.figure` the last figure drawn.
    """
    start = {"n": n, "kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    controls = {}
    for name, (description, low, high) in _SLIDERS.items():
        value = start[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{name}: expected an int in [{low}, {high}], got {value!r}")
        controls[name] = widgets.IntSlider(value=value, min=low, max=high, description=description,
                                           continuous_update=False, style={"description_width": "70px"},
                                           layout=widgets.Layout(width="300px"))
    report = widgets.HTML()

    def draw(**values):
        report.value = _report_html(**values)
        return show_windows(**values)

    rows = [[controls["n"], controls["kernel_size"], controls["stride"]],
            [controls["padding"], controls["dilation"]], [report]]
    explorer = Explorer(controls, draw, layout_rows=rows)
    explorer.report = report
    return explorer
