"""Tests for course_lib.metrics: confusion matrix, IoU and boundary pixels, against brute force."""

import itertools

import numpy as np
import pytest

from course_lib.metrics import boundary_pixels, confusion_matrix, mean_iou, per_class_iou


def _labels(rng, shape, k, void_fraction=0.2):
    target = rng.integers(0, k, size=shape)
    target[rng.random(shape) < void_fraction] = 255
    return target, rng.integers(0, k, size=shape)


def _brute_confusion(prediction, target, k, ignore_index=255):
    counts = np.zeros((k, k), dtype=np.int64)
    for t, p in zip(target.ravel(), prediction.ravel()):
        if t != ignore_index:
            counts[t, p] += 1
    return counts


def _brute_iou(prediction, target, k, ignore_index=255):
    counted = target != ignore_index
    result = []
    for c in range(k):
        predicted, true = (prediction == c) & counted, (target == c) & counted
        union = np.sum(predicted | true)
        result.append(np.sum(predicted & true) / union if union else np.nan)
    return np.array(result)


@pytest.mark.parametrize("shape, k", [((7,), 2), ((3, 5, 4), 3), ((2, 8, 6), 6), ((1, 1), 1)])
def test_confusion_matrix_and_iou_match_their_definitions(shape, k):
    rng = np.random.default_rng(sum(shape) + k)
    target, prediction = _labels(rng, shape, k)
    counts = confusion_matrix(prediction, target, k)
    assert counts.dtype == np.int64 and counts.shape == (k, k)
    np.testing.assert_array_equal(counts, _brute_confusion(prediction, target, k))
    np.testing.assert_array_equal(counts.sum(axis=1), [np.sum(target == c) for c in range(k)])
    np.testing.assert_allclose(per_class_iou(prediction, target, k), _brute_iou(prediction, target, k), equal_nan=True)
    iou = _brute_iou(prediction, target, k)
    expected_mean = np.mean(iou[~np.isnan(iou)]) if not np.isnan(iou).all() else np.nan
    np.testing.assert_allclose(mean_iou(prediction, target, k), expected_mean, equal_nan=True)


def test_a_worked_example():
    target = np.array([[0, 0, 1], [0, 1, 255]])
    prediction = np.array([[0, 1, 1], [0, 1, 0]])
    np.testing.assert_array_equal(confusion_matrix(prediction, target, 2), [[2, 1], [0, 2]])
    np.testing.assert_allclose(per_class_iou(prediction, target, 2), [2 / 3, 2 / 3])
    assert mean_iou(prediction, target, 3) == pytest.approx(2 / 3)  # class 2 absent everywhere: left out


def test_predicting_background_everywhere_scores_badly_despite_high_accuracy():
    target = np.zeros((10, 10), dtype=int)
    target[2:4, 2:4] = 1
    prediction = np.zeros_like(target)
    assert np.mean(prediction == target) == 0.96
    np.testing.assert_allclose(per_class_iou(prediction, target, 2), [0.96, 0.0])
    assert mean_iou(prediction, target, 2) == pytest.approx(0.48)


def test_all_void_gives_nan_and_inputs_are_not_modified():
    target = np.full((3, 3), 255)
    prediction = np.zeros((3, 3), dtype=int)
    copies = (target.copy(), prediction.copy())
    assert np.isnan(mean_iou(prediction, target, 2))
    assert np.isnan(per_class_iou(prediction, target, 2)).all()
    np.testing.assert_array_equal(target, copies[0])
    np.testing.assert_array_equal(prediction, copies[1])


def test_another_ignore_index():
    target = np.array([0, 1, -1, 1])
    prediction = np.array([0, 1, 0, 0])
    np.testing.assert_array_equal(confusion_matrix(prediction, target, 2, ignore_index=-1), [[1, 0], [1, 1]])


def _brute_boundary(target, width, ignore_index=255):
    out = np.zeros(target.shape, dtype=bool)
    height, length = target.shape[-2:]
    for index in np.ndindex(target.shape):
        *lead, i, j = index
        if target[index] == ignore_index:
            continue
        for di, dj in itertools.product(range(-width, width + 1), repeat=2):
            if 0 <= i + di < height and 0 <= j + dj < length and target[(*lead, i + di, j + dj)] != target[index]:
                out[index] = True
    return out


@pytest.mark.parametrize("shape, width", [((6, 7), 1), ((2, 5, 9), 2), ((3, 1, 4, 4), 1), ((1, 8), 3)])
def test_boundary_pixels_match_brute_force(shape, width):
    rng = np.random.default_rng(width + len(shape))
    target = rng.integers(0, 3, size=shape)
    target[rng.random(shape) < 0.15] = 255
    np.testing.assert_array_equal(boundary_pixels(target, width), _brute_boundary(target, width))


def test_boundary_pixels_of_a_square():
    target = np.zeros((6, 6), dtype=int)
    target[2:4, 2:4] = 1
    expected = np.zeros((6, 6), dtype=bool)
    expected[1:5, 1:5] = True
    np.testing.assert_array_equal(boundary_pixels(target), expected)


@pytest.mark.parametrize("call, message", [
    (lambda: confusion_matrix(np.zeros(3), np.zeros(3, dtype=int), 2), r"prediction: expected integer class labels, got dtype float64"),
    (lambda: confusion_matrix(np.zeros(3, dtype=int), np.zeros(3), 2), r"target: expected integer class labels"),
    (lambda: confusion_matrix(np.zeros(3, dtype=int), np.zeros(4, dtype=int), 2), r"prediction: expected the shape of target \(4,\), got \(3,\)"),
    (lambda: confusion_matrix(np.array([0, 2]), np.array([0, 1]), 2), r"prediction: expected labels from 0 to 1, got 2"),
    (lambda: confusion_matrix(np.array([0, 1]), np.array([0, 5]), 2), r"target: expected labels from 0 to 1 \(or ignore_index=255\), got 5"),
    (lambda: confusion_matrix(np.array([0]), np.array([0]), 0), r"num_classes: expected an int >= 1, got 0"),
    (lambda: confusion_matrix(np.array([0]), np.array([0]), 2, ignore_index="void"), r"ignore_index: expected an int"),
    (lambda: per_class_iou(np.array([0]), np.array([0]), 2.0), r"num_classes: expected an int >= 1"),
    (lambda: boundary_pixels(np.zeros((3, 3), dtype=int), width=0), r"width: expected an int >= 1, got 0"),
    (lambda: boundary_pixels(np.zeros(3, dtype=int)), r"target: expected label maps of shape \(..., H, W\)"),
])
def test_bad_input_is_a_value_error_naming_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
