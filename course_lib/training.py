"""Train a segmentation network on the CPU, and predict with it (PyTorch).

`train_segmentation` is the whole training loop of the U-Net notebook in one call: shuffled
mini-batches, the per-pixel cross-entropy with void pixels ignored, Adam, and a one-cycle
learning-rate schedule (a short warm-up, then a slow decrease), which trains small networks in
few steps. With valid padding the network's output is smaller than its input, so the masks are
centre-cropped to the output, as in the U-Net paper. `predict` turns scores into labels.

    >>> import numpy as np, torch
    >>> from course_lib.unet import UNet
    >>> images = np.zeros((4, 1, 16, 16), dtype=np.float32)
    >>> masks = np.zeros((4, 16, 16), dtype=np.int64)
    >>> _ = torch.manual_seed(0)
    >>> model = UNet(1, 2, base_channels=4, depth=2, padding="same")
    >>> history = train_segmentation(model, images, masks, epochs=2, batch_size=2, progress=False)
    >>> history.step_losses.shape, history.epoch_losses.shape
    ((4,), (2,))
    >>> predict(model, images).shape
    (4, 16, 16)
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ._validation import as_positive_int, as_real_number
from .unet import center_crop

__all__ = ["TrainingHistory", "train_segmentation", "predict"]


class TrainingHistory(NamedTuple):
    """What `train_segmentation` returns: the losses along the way, and the time it took."""

    step_losses: np.ndarray
    """Mean loss over the non-void pixels of each mini-batch, in order, shape (steps,)."""
    epoch_losses: np.ndarray
    """Mean loss of each epoch (over its non-void pixels), shape (epochs,)."""
    seconds: float
    """Wall-clock time of the training."""


@contextmanager
def _threads(count: int):
    """Run torch with `count` threads, and restore the previous setting afterwards.

    Small networks train fastest on one thread: the convolutions are too small to share out,
    and on a machine whose cores are busy with other work, extra threads mostly wait for each
    other (on a shared 2-core machine, two threads were ten times slower than one).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _as_tensors(images, masks) -> tuple[torch.Tensor, torch.Tensor]:
    images = torch.as_tensor(np.asarray(images, dtype=np.float32))
    masks = torch.as_tensor(np.asarray(masks)).long()
    if images.ndim != 4:
        raise ValueError(f"images: expected a 4-D array (n, C, H, W), got shape {tuple(images.shape)}")
    if masks.shape != (images.shape[0],) + images.shape[2:]:
        raise ValueError(
            f"masks: expected shape (n, H, W) = {(images.shape[0],) + tuple(images.shape[2:])} "
            f"to match images {tuple(images.shape)}, got {tuple(masks.shape)}"
        )
    return images, masks


def train_segmentation(model: nn.Module, images, masks, epochs: int = 8, batch_size: int = 16,
                       lr: float = 1e-2, seed: int = 0, progress: bool = True,
                       ignore_index: int = 255, num_threads: int = 1) -> TrainingHistory:
    """Train `model` to label every pixel, with Adam and the per-pixel cross-entropy.

    Every epoch visits the images once in a new random order, `batch_size` at a time. The loss
    of a batch is `torch.nn.functional.cross_entropy(scores, masks, ignore_index=255)`: the mean
    over the pixels that are not void. When the model's output is smaller than its input (a
    U-Net with valid padding), the masks are centre-cropped to the output's size first, so the
    loss compares each score with the label of the pixel it belongs to. The learning rate
    follows a one-cycle schedule: it rises to `lr` over the first 30% of the steps and then
    decreases to almost zero. The model is left in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        Maps `(B, C, H, W)` images to `(B, K, H_out, W_out)` scores. Seed torch before building
        it (`torch.manual_seed`) to fix its initial weights.
    images : array_like, shape (n, C, H, W)
        Training images (converted to float32).
    masks : int array_like, shape (n, H, W)
        Labels in `0 .. K-1`, or `ignore_index`.
    epochs : int, optional
        Passes over the training set.
    batch_size : int, optional
        Images per step.
    lr : float, optional
        The largest learning rate of the schedule.
    seed : int, optional
        Seed of the order of the mini-batches (the same seed gives the same training).
    progress : bool, optional
        Show a tqdm progress bar with the running loss.
    ignore_index : int, optional
        The void label, left out of the loss.
    num_threads : int, optional
        torch threads to train with (see above; one is fastest for small networks).

    Returns
    -------
    TrainingHistory
        `step_losses`, `epoch_losses` (numpy arrays) and `seconds`.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    images, masks = _as_tensors(images, masks)
    epochs = as_positive_int(epochs, "epochs")
    batch_size = as_positive_int(batch_size, "batch_size")
    lr = as_real_number(lr, "lr", minimum=0, strict=True)
    num_threads = as_positive_int(num_threads, "num_threads")
    count = images.shape[0]
    steps_per_epoch = -(-count // batch_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr,
                                                   total_steps=epochs * steps_per_epoch)
    order = torch.Generator().manual_seed(seed)
    step_losses, epoch_losses = [], []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * steps_per_epoch, desc="training", unit="step")
    start = time.perf_counter()
    model.train()
    with _threads(num_threads):
        for epoch in range(epochs):
            total, pixels = 0.0, 0
            for batch in torch.randperm(count, generator=order).split(batch_size):
                scores = model(images[batch])
                target = masks[batch]
                if scores.shape[-2:] != target.shape[-2:]:
                    target = center_crop(target, tuple(scores.shape[-2:]))
                counted = int((target != ignore_index).sum())
                loss = F.cross_entropy(scores, target, ignore_index=ignore_index)
                optimizer.zero_grad()
                if counted:  # a batch of void pixels only has no loss to follow
                    loss.backward()
                    optimizer.step()
                    schedule.step()
                    total += loss.item() * counted
                    pixels += counted
                step_losses.append(loss.item())
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{loss.item():.3f}")
            epoch_losses.append(total / pixels if pixels else float("nan"))
    model.eval()
    if bar is not None:
        bar.close()
    return TrainingHistory(np.array(step_losses), np.array(epoch_losses), time.perf_counter() - start)


def predict(model: nn.Module, images, batch_size: int = 64, num_threads: int = 1) -> np.ndarray:
    """The label of every pixel: the class with the highest score, for every image.

    Parameters
    ----------
    model : torch.nn.Module
        Maps `(B, C, H, W)` images to `(B, K, H_out, W_out)` scores; run in evaluation mode.
    images : array_like, shape (n, C, H, W)
    batch_size : int, optional
        Images per forward pass (bounds the memory used).
    num_threads : int, optional
        torch threads to use.

    Returns
    -------
    labels : int64 ndarray, shape (n, H_out, W_out)
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    images = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if images.ndim != 4:
        raise ValueError(f"images: expected a 4-D array (n, C, H, W), got shape {tuple(images.shape)}")
    batch_size = as_positive_int(batch_size, "batch_size")
    num_threads = as_positive_int(num_threads, "num_threads")
    model.eval()
    with _threads(num_threads), torch.no_grad():
        labels = [model(chunk).argmax(dim=1) for chunk in images.split(batch_size)]
    return torch.cat(labels).numpy().astype(np.int64)
