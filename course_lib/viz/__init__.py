"""Figures for the notebooks: arrays as annotated grids, images side by side, and topic figures.

Every function draws with matplotlib and returns the `Figure` (or draws into the `ax` it is given),
so a notebook cell shows it and a test can inspect it.
"""

from .arrays import show_grid, show_images, show_kernels
from .pooling import show_max_pool_backward, show_max_unpooling, show_pooling, show_shift_invariance, show_shift_sensitivity
from .convolution import show_correlation_step, show_correlation_steps, show_filtering, show_patch, show_shift_equivariance
from .stride_padding import explain_output_size, show_padding_modes, show_receptive_fields, show_trace, show_window_rows, show_windows
from .bilinear import (show_bilinear_kernels, show_bilinear_upsampling, show_border_difference, show_canvas_and_crop,
                       show_channel_weight, show_sample_positions, show_super_resolution, show_training_curves,
                       show_triangle_stamps)
from .upsampling import show_checkerboard, show_conv_matrix, show_overlap_counts, show_sample_points, show_slide_check, show_stamp_step, show_static_upsampling, show_zero_insertion
from .segmentation import describe_input_size, label_image, overlay_labels, show_dataset, show_losses, show_segmentations, show_unet

__all__ = ["show_grid", "show_images", "show_kernels"]
