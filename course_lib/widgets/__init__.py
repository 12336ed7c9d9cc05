"""Interactive explorers for the notebooks (ipywidgets): sliders that redraw a figure.

Each explorer is a function that builds and returns an `ipywidgets.Widget`; a notebook cell shows
it by ending with the call. The drawing itself lives in `course_lib.viz`, so the same figure can be
made without widgets (and tested).
"""

from .explorer import Explorer
from .convolution import filter_explorer, sliding_window_explorer
from .pooling import pooling_explorer
from .stride_padding import stride_padding_explorer
from .bilinear import bilinear_explorer
from .upsampling import checkerboard_explorer, sample_points_explorer, transposed_conv_explorer
from .segmentation import segmentation_browser, unet_shape_explorer
