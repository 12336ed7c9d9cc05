"""Building blocks for randomised cases: values that print well, sizes, int-or-pair arguments.

Values are multiples of 1/4 between -2 and 2: short to print, exact in float32 and float64 (so
a student's float32 arithmetic is not blamed for rounding), and mostly fractional, so that an
integer truncation shows. Pooling inputs use distinct values, so that every window has a single
maximum and the index of the maximum is well defined.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "BINARY_IMAGE",
    "MATRIX_IMAGE",
    "MATRIX_KERNEL",
    "MAX_POOL_IMAGE",
    "ONE_BY_ONE_IMAGE",
    "UNPOOL_IMAGE",
    "X_KERNEL",
    "block_image",
    "distinct",
    "int_or_pair",
    "pick",
    "quarters",
]

# The lectures' worked examples, as the slides print them (see /work/shared/seeds/README.md).
BINARY_IMAGE = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]])
"""003/004: the 5x5 binary image that X_KERNEL cross-correlates to [[4, 3, 4], [2, 4, 3], [2, 3, 4]]."""
X_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
MATRIX_IMAGE = np.array([[1, 2, 3], [6, 5, 3], [1, 4, 1]])
"""004, convolution as a matrix: with MATRIX_KERNEL it gives [[22, 21], [22, 20]]."""
MATRIX_KERNEL = np.array([[1, 2], [2, 1]])
ONE_BY_ONE_IMAGE = np.array([[-5, 3, 2, -5, 3], [4, 3, 2, 1, -3], [1, 0, 3, 3, 5], [-2, 0, 1, 4, 4], [5, 6, 7, 9, -1]])
"""002, 1x1 convolution: the 5x5 image a 1x1 kernel of 2 doubles."""
MAX_POOL_IMAGE = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
"""001: 2x2 max pooling with stride 2 gives [[6, 8], [3, 4]]."""
UNPOOL_IMAGE = np.array([[1, 2, 6, 3], [3, 5, 2, 1], [1, 2, 2, 1], [7, 3, 4, 8]])
"""000: pooled 2x2, then [[1, 2], [3, 4]] unpooled to [[0, 0, 2, 0], [0, 1, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]]."""


def block_image() -> np.ndarray:
    """001's mean-filter example: a 10x10 image with a block of 90s, one hole and one stray 90."""
    image = np.zeros((10, 10), dtype=np.int64)
    image[2:7, 3:8] = 90
    image[5, 4] = 0
    image[8, 2] = 90
    return image


def quarters(rng: np.random.Generator, shape, low: float = -2.0, high: float = 2.0,
             nonzero: bool = False, dtype=np.float64) -> np.ndarray:
    """Random multiples of 0.25 in [low, high] (never 0 if `nonzero`)."""
    values = rng.integers(int(low * 4), int(high * 4) + 1, size=shape)
    if nonzero:
        values = np.where(values == 0, rng.choice([-1, 1], size=values.shape), values)
    return (values / 4).astype(dtype)


def distinct(rng: np.random.Generator, shape, negative: bool = False, dtype=np.float64) -> np.ndarray:
    """Distinct multiples of 0.25 in random order, centred on 0 (all negative if `negative`)."""
    size = int(np.prod(shape))
    values = rng.permutation(size) - (size if negative else size // 2) - (1 if negative else 0)
    return (values / 4).reshape(shape).astype(dtype)


def pick(rng: np.random.Generator, options):
    """One of `options`, uniformly."""
    return options[int(rng.integers(len(options)))]


def int_or_pair(rng: np.random.Generator, low: int, high: int, as_pair: bool):
    """An int in [low, high], or a pair of them (with different values when possible)."""
    if not as_pair:
        return int(rng.integers(low, high + 1))
    first = int(rng.integers(low, high + 1))
    second = int(rng.integers(low, high + 1))
    if second == first and high > low:
        second = low + (first - low + 1) % (high - low + 1)
    return (first, second)

