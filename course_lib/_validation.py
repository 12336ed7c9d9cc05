"""Argument checks shared by every reference function.

Every public function validates its input through these helpers, so that bad input fails
early with one kind of message: the argument's name, what was expected, and what came.

    >>> as_pair(2, "stride")
    (2, 2)
    >>> as_pair(0, "stride", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: stride: expected an int >= 1 or a pair of them, got 0
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "as_bool",
    "as_float_array",
    "as_plane",
    "as_image_batch",
    "as_pair",
    "as_positive_int",
    "as_nonnegative_int",
    "as_real_number",
    "as_generator",
    "restore_batch",
]


def _describe(value) -> str:
    """A short description of `value` for an error message."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_float_array(x, name: str) -> np.ndarray:
    """Return `x` as a floating-point numpy array.

    float32 and float64 are kept; integers and booleans become float64 (so that a student's
    integer image is not silently truncated); float16 becomes float32. Complex numbers, objects
    and strings are refused.

    >>> as_float_array([[1, 2], [3, 4]], "x").dtype
    dtype('float64')
    """
    if isinstance(x, np.ndarray) and type(x) is not np.ndarray:
        x = np.asarray(x)  # drop subclasses such as np.matrix, whose '*' means something else
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name}: expected an array of numbers, got {_describe(x)} ({error})") from None
    if array.dtype.kind == "c":
        raise ValueError(f"{name}: expected real numbers, got complex dtype {array.dtype}")
    if array.dtype.kind == "f":
        return array.astype(np.float32, copy=False) if array.dtype.itemsize < 4 else array
    if array.dtype.kind in "biu":
        return array.astype(np.float64)
    raise ValueError(f"{name}: expected an array of numbers, got {_describe(x)}")


def as_image_batch(x, name: str = "input", nonempty: bool = False) -> tuple[np.ndarray, bool]:
    """Return `x` as an `(N, C, H, W)` float array and whether it came without a batch axis.

    PyTorch's 2-D layers accept `(N, C, H, W)` and unbatched `(C, H, W)`; so do ours. With
    `nonempty`, a channel, height or width of zero is refused too. Use `restore_batch` on the result to give the caller back the layout it passed in.

    >>> batch, was_unbatched = as_image_batch(np.zeros((3, 5, 7)))
    >>> batch.shape, was_unbatched
    ((1, 3, 5, 7), True)
    """
    array = as_float_array(x, name)
    if array.ndim not in (3, 4):
        raise ValueError(
            f"{name}: expected a 4-D (N, C, H, W) or 3-D (C, H, W) array, got shape {array.shape}"
        )
    if nonempty and 0 in array.shape[-3:]:
        raise ValueError(f"{name}: expected non-empty channel and spatial axes, got shape {array.shape}")
    return (array[np.newaxis], True) if array.ndim == 3 else (array, False)


def as_plane(x, name: str = "x") -> np.ndarray:
    """Return `x` as a non-empty 2-D `(H, W)` float array (one image plane, a kernel).

    >>> as_plane([[1, 2, 3]]).shape
    (1, 3)
    """
    array = as_float_array(x, name)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name}: expected a non-empty 2-D array (H, W), got shape {array.shape}")
    return array


def as_bool(value, name: str) -> bool:
    """Return `value` as a Python bool, refusing anything but True/False (0 and 1 included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {_describe(value)}")
    return bool(value)


def restore_batch(y: np.ndarray, was_unbatched: bool) -> np.ndarray:
    """Undo the batch axis that `as_image_batch` added."""
    return y[0] if was_unbatched else y


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_positive_int(value, name: str) -> int:
    """Return `value` as a Python int, requiring it to be >= 1."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name}: expected an int >= 1, got {_describe(value)}")
    return int(value)


def as_nonnegative_int(value, name: str) -> int:
    """Return `value` as a Python int, requiring it to be >= 0."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{name}: expected an int >= 0, got {_describe(value)}")
    return int(value)


def as_pair(value, name: str, minimum: int = 0) -> tuple[int, int]:
    """Return an int or a pair of ints as a `(height, width)` tuple, each `>= minimum`.

    >>> as_pair((1, 2), "padding")
    (1, 2)
    """
    if _is_int(value):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2 and all(_is_int(v) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        pair = None
    if pair is None or min(pair) < minimum:
        raise ValueError(
            f"{name}: expected an int >= {minimum} or a pair of them, got {_describe(value)}"
        )
    return pair


def as_real_number(value, name: str, minimum: float | None = None, strict: bool = False) -> float:
    """Return a finite real number as a Python float, optionally requiring it to be `>= minimum`.

    With `strict=True` the bound is strict (`> minimum`), as for a standard deviation that must be
    positive. Booleans, strings, NaN and infinities are refused.

    >>> as_real_number(2, "sigma", minimum=0, strict=True)
    2.0
    >>> as_real_number(0.0, "sigma", minimum=0, strict=True)
    Traceback (most recent call last):
    ...
    ValueError: sigma: expected a finite number > 0, got 0.0
    """
    bound = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if ok and minimum is not None:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        raise ValueError(f"{name}: expected a finite number{bound}, got {_describe(value)}")
    return float(value)


def as_generator(seed, name: str = "seed") -> np.random.Generator:
    """Return `np.random.default_rng(seed)`, refusing bad seeds with our kind of message.

    >>> as_generator(0).integers(10)
    np.int64(8)
    """
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected a non-negative int or None, got {_describe(seed)} ({error})") from None
