"""Explorer for the bilinear-kernels notebook: factor, corner convention and edge fix, and what changes.

`bilinear_explorer` returns an `Explorer` (controls above the figure they redraw). The figure is
`course_lib.viz.bilinear.show_bilinear_upsampling`, so it can be drawn and tested without a
browser; the last one drawn is kept in `explorer.figure`.

    >>> explorer = bilinear_explorer()
    >>> explorer.figure.axes[1].get_title()
    'kernel 4×4'
    >>> explorer.controls["factor"].value = 3
    >>> explorer.figure.axes[1].get_title()
    'kernel 5×5'
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._validation import as_plane
from ..viz.bilinear import show_bilinear_upsampling
from .explorer import Explorer

__all__ = ["bilinear_explorer"]

# A small smooth hill with a bright top: the border band and the interior are both easy to see.
_DEFAULT_INPUT = np.array([
    [1, 3, 2, 4, 3, 1],
    [2, 5, 6, 5, 3, 2],
    [3, 6, 9, 7, 4, 2],
    [2, 4, 6, 5, 3, 1],
    [1, 2, 3, 3, 2, 1],
])


def bilinear_explorer(x=None) -> Explorer:
    """Upsample a small image with the tent kernel and compare it with `F.interpolate`.

    The top of the figure shows the first row of the image as a sum of triangles, read at the
    output positions of the chosen convention; below are the 2-D kernel, the transposed
    convolution's result, `F.interpolate`'s result and their difference. Things to see: with
    corners aligned the difference is always zero; with FCN's kernel it is zero except on a
    border band `f // 2` pixels wide (none for f = 1); replicating the edges removes it.

    Parameters
    ----------
    x : array_like, shape (H, W), optional
        The image (a few pixels each way keeps the figure readable); a 5x6 hill by default.

    Returns
    -------
    Explorer
        Controls `"factor"` (1 to 5), `"align_corners"` and `"replicate_edges"` (only active
        when `align_corners` is off).
    """
    plane = _DEFAULT_INPUT if x is None else as_plane(x)
    controls = {
        "factor": widgets.IntSlider(value=2, min=1, max=5, description="factor f",
                                    continuous_update=False),
        "align_corners": widgets.Checkbox(value=False, description="align_corners", indent=False),
        "replicate_edges": widgets.Checkbox(value=False, description="replicate edges (fix the border)",
                                            indent=False, layout=widgets.Layout(width="260px")),
    }

    def follow_the_convention(change=None) -> None:
        """Aligned corners need no edge fix: grey the checkbox out."""
        controls["replicate_edges"].disabled = controls["align_corners"].value

    # Registered before the Explorer's own observers, so the state is right before each redraw.
    controls["align_corners"].observe(follow_the_convention, names="value")
    follow_the_convention()

    def draw(factor, align_corners, replicate_edges):
        return show_bilinear_upsampling(plane, factor, align_corners, replicate_edges)

    return Explorer(controls, draw, layout_rows=[list(controls.values())])
