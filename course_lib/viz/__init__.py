"""Figures for the notebooks: arrays as annotated grids, images side by side, and topic figures.

Every function draws with matplotlib and returns the `Figure` (or draws into the `ax` it is given),
so a notebook cell shows it and a test can inspect it.
"""

from .arrays import show_grid, show_images, show_kernels

__all__ = ["show_grid", "show_images", "show_kernels"]
