"""How good is a segmentation? Confusion matrix, intersection over union, and boundary pixels.

Pixel accuracy is a poor score for segmentation: when nine pixels in ten are background, a
network that predicts "background" everywhere is 90% accurate. The usual score is the
**intersection over union** (IoU, or Jaccard index) of each class,

    IoU_k = |predicted k  and  truly k| / |predicted k  or  truly k| = TP / (TP + FP + FN),

averaged over the classes (mean IoU, as in the PASCAL VOC benchmark). Every class counts the
same, however few pixels it has. Pixels labelled `ignore_index` (void, 255) are left out.

    >>> import numpy as np
    >>> target = np.array([[0, 0, 1], [0, 1, 255]])
    >>> prediction = np.array([[0, 1, 1], [0, 1, 0]])
    >>> confusion_matrix(prediction, target, num_classes=2)
    array([[2, 1],
           [0, 2]])
    >>> per_class_iou(prediction, target, num_classes=2)       # 2/3 and 2/3
    array([0.66666667, 0.66666667])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_positive_int

__all__ = ["confusion_matrix", "per_class_iou", "mean_iou", "boundary_pixels"]


def _labels(value, name: str) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected integer class labels, got dtype {array.dtype}")
    return array


def _check_ignore_index(ignore_index) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ValueError(f"ignore_index: expected an int, got {ignore_index!r}")
    return int(ignore_index)


def confusion_matrix(prediction, target, num_classes: int, ignore_index: int = 255) -> np.ndarray:
    """Count, for every pair of classes `(i, j)`, the pixels of true class `i` predicted as `j`.

    Rows are the true classes and columns the predicted ones, so the diagonal holds the right
    pixels, row `i` sums to the number of pixels of class `i`, and column `j` to the number of
    pixels predicted `j`. Pixels whose target is `ignore_index` are not counted.

    Parameters
    ----------
    prediction : int array_like, any shape
        Predicted labels in `0 .. num_classes - 1` (e.g. `logits.argmax(axis=1)`).
    target : int array_like, same shape
        True labels in `0 .. num_classes - 1`, or `ignore_index`.
    num_classes : int
        Number of classes K.
    ignore_index : int, optional
        Label of the pixels to leave out (255, "void", by default).

    Returns
    -------
    counts : int64 ndarray, shape (K, K)

    Examples
    --------
    >>> confusion_matrix(np.array([2, 2, 0]), np.array([2, 1, 255]), num_classes=3)
    array([[0, 0, 0],
           [0, 0, 1],
           [0, 0, 1]])
    """
    prediction = _labels(prediction, "prediction")
    target = _labels(target, "target")
    num_classes = as_positive_int(num_classes, "num_classes")
    ignore_index = _check_ignore_index(ignore_index)
    if prediction.shape != target.shape:
        raise ValueError(
            f"prediction: expected the shape of target {target.shape}, got {prediction.shape}"
        )
    counted = target != ignore_index
    truth, guess = target[counted].astype(np.int64), prediction[counted].astype(np.int64)
    for name, labels in (("target", truth), ("prediction", guess)):
        outside = (labels < 0) | (labels >= num_classes)
        if outside.any():
            raise ValueError(
                f"{name}: expected labels from 0 to {num_classes - 1}"
                f"{f' (or ignore_index={ignore_index})' if name == 'target' else ''}, "
                f"got {int(labels[outside][0])}"
            )
    flat = np.bincount(truth * num_classes + guess, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def per_class_iou(prediction, target, num_classes: int, ignore_index: int = 255) -> np.ndarray:
    """Intersection over union of every class: `TP / (TP + FP + FN)`.

    A class that appears neither in the target nor in the prediction has no IoU (0 / 0): its
    entry is nan, and `mean_iou` leaves it out.

    Parameters
    ----------
    prediction, target, num_classes, ignore_index :
        As for `confusion_matrix`.

    Returns
    -------
    iou : float64 ndarray, shape (K,)
        Values in [0, 1], or nan for absent classes.

    Examples
    --------
    >>> per_class_iou(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), num_classes=3)
    array([0.5       , 0.66666667,        nan])
    """
    counts = confusion_matrix(prediction, target, num_classes, ignore_index)
    hits = np.diag(counts)
    union = counts.sum(axis=0) + counts.sum(axis=1) - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / union


def mean_iou(prediction, target, num_classes: int, ignore_index: int = 255) -> float:
    """The mean of `per_class_iou` over the classes that occur (in the target or the prediction).

    Parameters
    ----------
    prediction, target, num_classes, ignore_index :
        As for `confusion_matrix`.

    Returns
    -------
    float
        In [0, 1]; nan if no pixel is counted at all.

    Examples
    --------
    >>> mean_iou(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), num_classes=3)   # (1/2 + 2/3) / 2
    0.5833333333333333
    """
    iou = per_class_iou(prediction, target, num_classes, ignore_index)
    return float(np.mean(iou[~np.isnan(iou)])) if not np.isnan(iou).all() else float("nan")


def boundary_pixels(target, width: int = 1, ignore_index: int = 255) -> np.ndarray:
    """The pixels that lie within `width` pixels of a change of label: where segmentations fail.

    A pixel is a boundary pixel when the `(2 width + 1) x (2 width + 1)` square around it
    (the chessboard distance, as for the void band of `course_lib.data`) holds a different
    label, void included; pixels outside the image do not count. Void pixels themselves are
    never boundary pixels, since they have no label to get right.

    Parameters
    ----------
    target : int array_like, shape (..., H, W)
        Label maps (a single one, or a batch).
    width : int, optional
        Distance in pixels, >= 1.
    ignore_index : int, optional
        The void label.

    Returns
    -------
    ndarray of bool, shape of `target`

    Examples
    --------
    >>> boundary_pixels(np.array([[0, 0, 0, 1, 1]])).astype(int)
    array([[0, 0, 1, 1, 0]])
    """
    target = _labels(target, "target")
    if target.ndim < 2:
        raise ValueError(f"target: expected label maps of shape (..., H, W), got shape {target.shape}")
    width = as_positive_int(width, "width")
    ignore_index = _check_ignore_index(ignore_index)
    differs = np.zeros(target.shape, dtype=bool)
    height, length = target.shape[-2:]
    for dy in range(-width, width + 1):  # a loop over the offsets of the square, not over pixels
        for dx in range(-width, width + 1):
            here = (..., slice(max(0, -dy), height - max(0, dy)), slice(max(0, -dx), length - max(0, dx)))
            there = (..., slice(max(0, dy), height + min(0, dy)), slice(max(0, dx), length + min(0, dx)))
            differs[here] |= target[here] != target[there]
    return differs & (target != ignore_index)

