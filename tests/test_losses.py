"""Tests for course_lib.losses: pixel_cross_entropy and log_softmax against torch.nn.functional."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.losses import log_softmax, pixel_cross_entropy

TOLERANCE = {np.float32: dict(rtol=1e-5, atol=1e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _torch_loss(logits, target, ignore_index=255, reduction="mean"):
    out = F.cross_entropy(torch.from_numpy(np.ascontiguousarray(logits)), torch.from_numpy(target).long(),
                          ignore_index=ignore_index, reduction=reduction)
    return out.numpy()


def _case(rng, shape, void_fraction, ignore_index=255, dtype=np.float64, scale=3.0):
    """Logits of `shape` (N, K, ...) and labels of shape (N, ...) with some void pixels."""
    logits = (rng.normal(size=shape) * scale).astype(dtype)
    target_shape = (shape[0],) + shape[2:]
    target = rng.integers(0, shape[1], size=target_shape)
    target[rng.random(target_shape) < void_fraction] = ignore_index
    return logits, target


SHAPES = [(1, 2, 1, 1), (3, 5, 4, 7), (2, 3, 5, 3), (4, 4, 2, 6)]


@pytest.mark.parametrize("shape, void_fraction, reduction, dtype",
                         list(itertools.product(SHAPES, [0.0, 0.3], ["mean", "sum", "none"], [np.float32, np.float64])))
def test_equals_torch_cross_entropy_with_ignore_index(shape, void_fraction, reduction, dtype):
    rng = np.random.default_rng(hash((shape, void_fraction, reduction)) % 2**32)
    logits, target = _case(rng, shape, void_fraction, dtype=dtype)
    ours = pixel_cross_entropy(logits, target, reduction=reduction)
    theirs = _torch_loss(logits, target, reduction=reduction)
    assert np.shape(ours) == theirs.shape
    assert np.asarray(ours).dtype == dtype
    np.testing.assert_allclose(ours, theirs, **TOLERANCE[dtype])
    if reduction == "none":
        assert np.all(ours[target == 255] == 0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(9, 3), (2, 4, 7), (2, 3, 2, 3, 4)])
def test_any_number_of_spatial_axes_follows_torch(shape, reduction):
    logits, target = _case(np.random.default_rng(len(shape)), shape, 0.2)
    np.testing.assert_allclose(pixel_cross_entropy(logits, target, reduction=reduction),
                               _torch_loss(logits, target, reduction=reduction), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_single_example_of_k_scores(reduction):
    scores = np.array([0.5, 2.0, -1.0])
    ours = pixel_cross_entropy(scores, np.array(1), reduction=reduction)
    theirs = F.cross_entropy(torch.from_numpy(scores), torch.tensor(1), reduction=reduction).numpy()
    assert np.shape(ours) == theirs.shape == ()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_another_ignore_index_and_labels_equal_to_255_when_not_ignored():
    rng = np.random.default_rng(3)
    logits, target = _case(rng, (2, 300, 3, 4), 0.3, ignore_index=-100)
    target[0, 0, 0] = 255  # a real class here, since there are 300 classes
    np.testing.assert_allclose(pixel_cross_entropy(logits, target, ignore_index=-100),
                               _torch_loss(logits, target, ignore_index=-100), rtol=1e-10)


@pytest.mark.parametrize("dtype, big", [(np.float64, 1000.0), (np.float32, 200.0)])
def test_large_logits_do_not_overflow(dtype, big):
    logits = np.array([[[[big, -big], [0.0, big]], [[0.0, big], [big, 0.0]]]], dtype=dtype)
    target = np.array([[[1, 1], [0, 255]]])
    ours = pixel_cross_entropy(logits, target)
    assert np.isfinite(ours)
    np.testing.assert_allclose(ours, _torch_loss(logits, target), rtol=1e-6)
    np.testing.assert_allclose(ours, 2 * big / 3, rtol=1e-6)  # losses big, 0 and big over 3 pixels


def test_the_slides_formula_by_hand():
    # -ln softmax: the right class has score 2 against 0 and -1
    logits = np.array([[[[2.0]], [[0.0]], [[-1.0]]]])
    expected = -np.log(np.exp(2) / (np.exp(2) + 1 + np.exp(-1)))
    assert pixel_cross_entropy(logits, np.array([[[0]]])) == pytest.approx(expected, rel=1e-14)
    # a uniform guess costs ln K
    assert pixel_cross_entropy(np.zeros((2, 4, 3, 3)), np.ones((2, 3, 3), dtype=int)) == pytest.approx(np.log(4))


def test_all_void_gives_nan_for_the_mean_like_torch_and_zero_for_the_sum():
    logits = np.random.default_rng(0).normal(size=(1, 3, 2, 2))
    target = np.full((1, 2, 2), 255)
    assert np.isnan(pixel_cross_entropy(logits, target)) and np.isnan(_torch_loss(logits, target))
    assert pixel_cross_entropy(logits, target, reduction="sum") == 0
    assert np.all(pixel_cross_entropy(logits, target, reduction="none") == 0)


def test_integer_logits_become_float64_and_inputs_are_not_modified():
    logits = np.arange(24).reshape(1, 3, 2, 4)
    target = np.array([[[0, 1, 2, 255], [2, 2, 1, 0]]])
    before = (logits.copy(), target.copy())
    loss = pixel_cross_entropy(logits, target)
    assert np.asarray(loss).dtype == np.float64
    np.testing.assert_allclose(loss, _torch_loss(logits.astype(float), target))
    np.testing.assert_array_equal(logits, before[0])
    np.testing.assert_array_equal(target, before[1])


@pytest.mark.parametrize("logits, target, kwargs, message", [
    (np.zeros((1, 3, 2, 2)), np.zeros((1, 2, 2)), {}, r"target: expected integer class labels, got dtype float64"),
    (np.zeros((1, 3, 2, 2)), np.array([[[0, 3], [1, 2]]]), {}, r"target: expected labels from 0 to 2 .* got 3"),
    (np.zeros((1, 3, 2, 2)), np.array([[[0, -1], [1, 2]]]), {}, r"target: expected labels from 0 to 2 .* got -1"),
    (np.zeros((2, 3, 2, 2)), np.zeros((2, 2, 3), dtype=int), {}, r"target: expected shape \(N, H, W\) = \(2, 2, 2\)"),
    (np.zeros((3, 2, 2)), np.zeros((2, 2), dtype=int), {}, r"target: expected shape \(N, d1, ...\) = \(3, 2\)"),
    (np.zeros((4, 3)), np.zeros((3,), dtype=int), {}, r"target: expected shape \(N,\) = \(4,\)"),
    (np.zeros(3), np.zeros((2,), dtype=int), {}, r"target: expected shape \(N,\) = \(1,\)"),
    (np.float64(3.0), np.zeros((), dtype=int), {}, r"logits: expected a 4-D \(N, K, H, W\) array"),
    (np.zeros((1, 3, 2, 2)), np.zeros((1, 2, 2), dtype=int), {"reduction": "average"}, r"reduction: expected one of"),
    (np.zeros((1, 3, 2, 2)), np.zeros((1, 2, 2), dtype=int), {"ignore_index": True}, r"ignore_index: expected an int"),
    (np.zeros((1, 3, 2, 2)), np.zeros((1, 2, 2), dtype=int), {"ignore_index": 2.5}, r"ignore_index: expected an int"),
    ([["a"]], np.zeros((1,), dtype=int), {}, r"logits: expected an array of numbers"),
])
def test_bad_input_is_a_value_error_naming_the_argument(logits, target, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pixel_cross_entropy(logits, target, **kwargs)


@pytest.mark.parametrize("shape, axis", [((5,), 0), ((2, 3, 4), 1), ((2, 3, 4), -1), ((3, 4), 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_equals_torch(shape, axis, dtype):
    x = (np.random.default_rng(1).normal(size=shape) * 50).astype(dtype)
    np.testing.assert_allclose(log_softmax(x, axis=axis), F.log_softmax(torch.from_numpy(x), dim=axis).numpy(),
                               **TOLERANCE[dtype])
    assert log_softmax(x, axis=axis).dtype == dtype


def test_log_softmax_refuses_scalars_and_missing_axes():
    with pytest.raises(ValueError, match=r"x: expected an array with at least one axis"):
        log_softmax(np.float64(3.0), axis=0)
    with pytest.raises(ValueError, match=r"axis: expected an axis of an array with 2 dimensions, got 2"):
        log_softmax(np.zeros((2, 3)), axis=2)
