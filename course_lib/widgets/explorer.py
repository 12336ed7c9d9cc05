"""The frame every explorer shares: controls above a figure, redrawn whenever a control changes.

A topic's explorer (see the other modules of `course_lib.widgets`) makes its controls and a `draw`
function that returns a matplotlib figure from the controls' values (a function of
`course_lib.viz`, so the same figure can be drawn and tested without a browser).

    >>> import ipywidgets as widgets
    >>> import matplotlib.pyplot as plt
    >>> def draw(n):
    ...     figure, ax = plt.subplots()
    ...     ax.set_title(f"n = {n}")
    ...     return figure
    >>> explorer = Explorer({"n": widgets.IntSlider(value=1)}, draw)
    >>> explorer.controls["n"].value = 3
    >>> explorer.figure.axes[0].get_title()
    'n = 3'
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display

__all__ = ["Explorer"]


class Explorer(widgets.VBox):
    """Controls above an output area that shows a figure, redrawn whenever a control changes.

    Attributes
    ----------
    controls : dict of str to Widget
        The controls by name; setting a control's `value` redraws the figure.
    figure : matplotlib Figure
        The figure drawn last.
    """

    def __init__(self, controls: dict, draw, layout_rows=None):
        self.controls = controls
        self.figure = None
        self._draw = draw
        self._output = widgets.Output()
        rows = layout_rows or [list(controls.values())]
        super().__init__([*(widgets.HBox(row) for row in rows), self._output])
        for control in controls.values():
            control.observe(lambda _change: self.redraw(), names="value")
        self.redraw()

    def redraw(self) -> None:
        """Draw the figure for the current control values and show it in the output area."""
        figure = self._draw(**{name: control.value for name, control in self.controls.items()})
        self.figure = figure
        if InteractiveShell.initialized():  # in a notebook; elsewhere (tests) there is no screen
            with self._output:
                self._output.clear_output(wait=True)
                display(figure)
        plt.close(figure)  # shown once, in the output area, not again by the notebook's backend
