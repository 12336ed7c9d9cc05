"""Tests for course_lib.training: the training loop and predict, on tiny networks."""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.data import make_segmentation_dataset
from course_lib.training import TrainingHistory, predict, train_segmentation
from course_lib.unet import UNet, center_crop


@pytest.fixture(scope="module")
def data():
    return make_segmentation_dataset(24, size=16, seed=5, num_classes=2)


def _model(padding="same", depth=1, seed=0):
    torch.manual_seed(seed)
    return UNet(1, 2, base_channels=4, depth=depth, padding=padding)


def test_history_has_a_loss_per_step_and_per_epoch_and_the_model_is_left_in_eval_mode(data):
    images, masks = data
    model = _model()
    history = train_segmentation(model, images, masks, epochs=3, batch_size=10, lr=1e-2, progress=False)
    assert isinstance(history, TrainingHistory)
    assert history.step_losses.shape == (9,)  # 3 epochs of ceil(24 / 10) = 3 steps
    assert history.epoch_losses.shape == (3,)
    assert np.isfinite(history.step_losses).all() and history.seconds > 0
    assert not model.training


def test_the_loss_goes_down_on_an_easy_task(data):
    images, masks = data
    history = train_segmentation(_model(depth=2), images, masks, epochs=6, batch_size=4, lr=1e-2, progress=False)
    assert history.epoch_losses[-1] < 0.7 * history.epoch_losses[0]


def test_the_same_seed_gives_the_same_training(data):
    images, masks = data
    runs = [train_segmentation(_model(), images, masks, epochs=2, batch_size=8, seed=3, progress=False)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].step_losses, runs[1].step_losses)
    other = train_segmentation(_model(), images, masks, epochs=2, batch_size=8, seed=4, progress=False)
    assert not np.array_equal(runs[0].step_losses, other.step_losses)  # another order of the batches


def test_with_valid_padding_the_masks_are_centre_cropped_to_the_output(data):
    images, masks = make_segmentation_dataset(6, size=20, seed=2, num_classes=2)  # depth 1: 20 -> 4
    model = _model(padding="valid")
    before = copy.deepcopy(model)
    with torch.no_grad():
        scores = before(torch.from_numpy(np.ascontiguousarray(images)))
    assert scores.shape[-2:] == (4, 4)
    expected = F.cross_entropy(scores, torch.from_numpy(center_crop(masks, 4).copy()), ignore_index=255).item()
    history = train_segmentation(model, images, masks, epochs=1, batch_size=len(images), progress=False)
    assert history.step_losses[0] == pytest.approx(expected, rel=1e-5)  # one batch: the whole set


def test_void_pixels_are_ignored_and_a_batch_of_void_only_changes_nothing(data):
    images, masks = data
    model = _model()
    weights = [p.detach().clone() for p in model.parameters()]
    history = train_segmentation(model, images, np.full_like(masks, 255), epochs=1, batch_size=8, progress=False)
    assert np.isnan(history.step_losses).all() and np.isnan(history.epoch_losses).all()
    assert all(torch.equal(a, b) for a, b in zip(weights, model.parameters()))


def test_the_thread_setting_is_restored_and_a_progress_bar_can_be_shown(data):
    images, masks = data
    threads = torch.get_num_threads()
    train_segmentation(_model(), images[:4], masks[:4], epochs=1, batch_size=4, progress=True, num_threads=1)
    assert torch.get_num_threads() == threads


def test_predict_is_the_argmax_of_the_scores_in_any_batch_size(data):
    images, _ = data
    model = _model(depth=2).eval()
    with torch.no_grad():
        expected = model(torch.from_numpy(images)).argmax(dim=1).numpy()
    for batch_size in (5, 64):
        labels = predict(model, images, batch_size=batch_size)
        assert labels.dtype == np.int64 and labels.shape == (24, 16, 16)
        np.testing.assert_array_equal(labels, expected)


@pytest.mark.parametrize("call, message", [
    (lambda d: train_segmentation("model", *d, progress=False), r"model: expected a torch.nn.Module, got str"),
    (lambda d: train_segmentation(_model(), d[0][:, 0], d[1], progress=False), r"images: expected a 4-D array"),
    (lambda d: train_segmentation(_model(), d[0], d[1][:3], progress=False), r"masks: expected shape \(n, H, W\) = \(24, 16, 16\)"),
    (lambda d: train_segmentation(_model(), *d, epochs=0, progress=False), r"epochs: expected an int >= 1, got 0"),
    (lambda d: train_segmentation(_model(), *d, batch_size=2.5, progress=False), r"batch_size: expected an int >= 1"),
    (lambda d: train_segmentation(_model(), *d, lr=0.0, progress=False), r"lr: expected a finite number > 0"),
    (lambda d: predict(None, d[0]), r"model: expected a torch.nn.Module, got NoneType"),
    (lambda d: predict(_model(), d[0][0]), r"images: expected a 4-D array \(n, C, H, W\), got shape \(1, 16, 16\)"),
])
def test_bad_input_is_a_value_error_naming_the_argument(data, call, message):
    with pytest.raises(ValueError, match=message):
        call(data)
