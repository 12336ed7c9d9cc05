"""Cross-entropy for classification and for segmentation, where every pixel is classified.

A segmentation network outputs `K` scores (logits) per pixel; the softmax over the class axis
turns them into probabilities, and the loss of a pixel is minus the log-probability of its true
class. Pixels labelled `ignore_index` (the "void" label 255 of PASCAL VOC and of
`course_lib.data`) have no true class: they contribute nothing, and the mean is taken over the
other pixels only. This is `torch.nn.functional.cross_entropy(logits, target, ignore_index=255)`.

The log-softmax is computed as `z - max(z) - log(sum(exp(z - max(z))))`: subtracting the largest
score first keeps `exp` from overflowing, and taking the log of a sum of numbers of which one is
1 never underflows to log(0).

    >>> import numpy as np
    >>> logits = np.array([[[[2.0, 0.0]], [[0.0, 0.0]]]])      # (N, K, H, W) = (1, 2, 1, 2)
    >>> target = np.array([[[0, 255]]])                         # (N, H, W); the second pixel is void
    >>> float(pixel_cross_entropy(logits, target))               # -log(e^2 / (e^2 + 1))
    0.1269280110429726
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["log_softmax", "pixel_cross_entropy"]

_REDUCTIONS = ("mean", "sum", "none")


def log_softmax(x, axis: int = 1) -> np.ndarray:
    """Logarithm of the softmax along `axis`, computed without overflow.

    `log_softmax(x)[k] = x[k] - log(sum_j exp(x[j]))`. The largest entry is subtracted before
    exponentiating, which changes nothing mathematically (the softmax is shift-invariant) but
    keeps every `exp` at most 1. Equals `torch.nn.functional.log_softmax(x, dim=axis)`.

    Parameters
    ----------
    x : array_like
        Scores (logits), any shape with at least one axis.
    axis : int, optional
        The class axis (1 for `(N, K, ...)` batches).

    Returns
    -------
    ndarray, shape of `x`
        Log-probabilities: every slice along `axis` has `sum(exp(.)) == 1`.

    Examples
    --------
    >>> log_softmax(np.array([1000.0, 1000.0]), axis=0)      # naive exp(1000) would overflow
    array([-0.69314718, -0.69314718])
    """
    x = as_float_array(x, "x")
    if x.ndim == 0:
        raise ValueError("x: expected an array with at least one axis, got a scalar")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis: expected an axis of an array with {x.ndim} dimensions, got {axis}")
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _check_target(target, logits: np.ndarray, ignore_index: int) -> np.ndarray:
    """The target as an int64 array of shape (N, d1, ...), checked against (N, K, d1, ...) logits."""
    target = np.asarray(target)
    if target.dtype.kind not in "iu":
        raise ValueError(
            f"target: expected integer class labels, got dtype {target.dtype} "
            f"(round or cast with .astype(np.int64) if the labels are whole numbers)"
        )
    expected = (logits.shape[0],) + logits.shape[2:]
    names = {2: "(N,)", 4: "(N, H, W)"}.get(logits.ndim, "(N, d1, ...)")
    if target.shape != expected:
        raise ValueError(
            f"target: expected shape {names} = {expected} to match logits of shape "
            f"{logits.shape}, got {target.shape}"
        )
    num_classes = logits.shape[1]
    outside = (target != ignore_index) & ((target < 0) | (target >= num_classes))
    if outside.any():
        value = int(target[outside].flat[0])
        raise ValueError(
            f"target: expected labels from 0 to {num_classes - 1} (or ignore_index={ignore_index}), "
            f"got {value}"
        )
    return target.astype(np.int64)


def pixel_cross_entropy(logits, target, ignore_index: int = 255, reduction: str = "mean"):
    """Cross-entropy of per-pixel class scores against integer labels, ignoring void pixels.

    For pixel `p` with true class `y_p`, the loss is `-log softmax(z_p)[y_p]`, the negative
    log-likelihood of the right class. Pixels whose label is `ignore_index` get loss 0 and do not
    count: `"mean"` divides the sum by the number of the other pixels (so a batch of only void
    pixels gives nan, as in PyTorch). As in PyTorch, the class axis is axis 1 whatever the
    number of spatial axes: plain classification has `(N, K)` scores and `(N,)` labels, a single
    example `(K,)` scores and a 0-d label. Equals `torch.nn.functional.cross_entropy(logits,
    target, ignore_index=ignore_index, reduction=reduction)`.

    Parameters
    ----------
    logits : array_like, shape (N, K, H, W), or (N, K, d1, ...), (N, K), (K,)
        Unnormalised scores for `K` classes, class axis 1 (axis 0 for a single example).
    target : int array_like, shape (N, H, W), or (N, d1, ...), (N,), ()
        Class labels in `0 .. K-1`, or `ignore_index`.
    ignore_index : int, optional
        The label of pixels to ignore (255, "void", by default).
    reduction : {"mean", "sum", "none"}, optional
        Mean over the non-ignored pixels, their sum, or the loss of every pixel.

    Returns
    -------
    loss : scalar of the logits' float dtype, or ndarray of the target's shape for "none"
        Ignored pixels have loss 0 under "none".

    Examples
    --------
    >>> z = np.array([[[[0.0, 3.0]], [[0.0, 1.0]], [[0.0, 0.0]]]])   # (1, 3, 1, 2)
    >>> y = np.array([[[2, 0]]])                                       # (1, 1, 2)
    >>> pixel_cross_entropy(z, y, reduction="none").round(4)          # log 3, -log(e^3 / (e^3 + e + 1))
    array([[[1.0986, 0.1698]]])
    >>> float(pixel_cross_entropy(z, np.array([[[255, 255]]])))       # nothing left to average
    nan
    """
    logits = as_float_array(logits, "logits")
    if logits.ndim == 0:
        raise ValueError(f"logits: expected a 4-D (N, K, H, W) array (or (N, K), (K,)), got a scalar")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ValueError(f"ignore_index: expected an int, got {ignore_index!r}")
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction: expected one of {', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}")
    single = logits.ndim == 1  # one example: (K,) scores, a 0-d label
    batch = logits[np.newaxis] if single else logits
    target = _check_target(np.asarray(target)[np.newaxis] if single else target, batch, int(ignore_index))

    ignored = target == ignore_index
    labels = np.where(ignored, 0, target)  # any valid index; these pixels are zeroed below
    log_p = log_softmax(batch, axis=1)
    picked = np.take_along_axis(log_p, labels[:, np.newaxis], axis=1)[:, 0]
    losses = np.where(ignored, 0, -picked).astype(logits.dtype, copy=False)

    if reduction == "none":
        return losses[0] if single else losses
    total = losses.sum(dtype=logits.dtype)
    if reduction == "sum":
        return total
    count = np.count_nonzero(~ignored)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (total / logits.dtype.type(count)).astype(logits.dtype)[()]
