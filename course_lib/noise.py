"""The two kinds of image noise of the lectures: salt-and-pepper and Gaussian.

Both functions return a noisy copy and leave their input alone. Randomness comes from
`np.random.default_rng(seed)`, so the same seed always gives the same noise, on every machine.

    >>> add_gaussian_noise(np.zeros(3), sigma=0.1, seed=1).round(3)
    array([0.035, 0.082, 0.033])
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, as_generator, as_real_number

__all__ = ["add_salt_and_pepper", "add_gaussian_noise"]


def add_salt_and_pepper(image, amount: float = 0.05, seed=0, low=None, high=None) -> np.ndarray:
    """Set a random fraction of the pixels to white ("salt") or black ("pepper").

    Salt-and-pepper (impulse) noise models dead or saturated pixels: most pixels are exact, a few
    are replaced by an extreme value that has nothing to do with the scene. Exactly
    `round(amount * image.size)` pixels, chosen without repetition, are replaced: half of them
    (rounded down) by `high` and the rest by `low`. Every entry of the array counts as one pixel,
    so for a colour image the channels are hit independently.

    Parameters
    ----------
    image : array_like, any shape
        The clean image. Integers become float64; float32 stays float32.
    amount : float, optional
        Fraction of pixels to replace, in [0, 1].
    seed : int or None, optional
        Seed for `np.random.default_rng`; None draws fresh randomness from the system.
    low, high : float, optional
        Pepper and salt values; by default the image's own minimum and maximum.

    Returns
    -------
    noisy : ndarray, same shape and dtype as the (float) image

    Examples
    --------
    >>> noisy = add_salt_and_pepper(np.full((10, 10), 0.5), amount=0.1, low=0.0, high=1.0)
    >>> int((noisy == 0.5).sum()), int((noisy == 1.0).sum()), int((noisy == 0.0).sum())
    (90, 5, 5)

    A flat image is its own minimum and maximum, hence the explicit `low` and `high` above.
    """
    clean = as_float_array(image, "image")
    amount = as_real_number(amount, "amount", minimum=0)
    if amount > 1:
        raise ValueError(f"amount: expected a fraction in [0, 1], got {amount}")
    if clean.size == 0:
        return clean.copy()
    low = clean.min() if low is None else as_real_number(low, "low")
    high = clean.max() if high is None else as_real_number(high, "high")
    rng = as_generator(seed)
    n_noisy = int(round(amount * clean.size))
    chosen = rng.choice(clean.size, size=n_noisy, replace=False)
    noisy = clean.copy()
    flat = noisy.reshape(-1)  # a view on `noisy`, which is contiguous
    n_salt = n_noisy // 2
    flat[chosen[:n_salt]] = high
    flat[chosen[n_salt:]] = low
    return noisy


def add_gaussian_noise(image, sigma: float, seed=0, clip=None) -> np.ndarray:
    """Add independent Gaussian noise of standard deviation `sigma` to every pixel.

    Gaussian noise models the sensor's thermal and read-out noise: every pixel is off by a small
    random amount drawn from N(0, sigma**2), independently of its neighbours. Averaging `n`
    independent pixels divides the noise's standard deviation by sqrt(n), which is why smoothing
    filters reduce it.

    Parameters
    ----------
    image : array_like, any shape
        The clean image. Integers become float64; float32 stays float32.
    sigma : float
        Standard deviation of the noise, >= 0 (0 returns a copy of the image).
    seed : int or None, optional
        Seed for `np.random.default_rng`; None draws fresh randomness from the system.
    clip : (float, float), optional
        If given, `(low, high)` bounds the result is clipped to, e.g. `(0, 1)`.

    Returns
    -------
    noisy : ndarray, same shape and dtype as the (float) image

    Examples
    --------
    >>> noisy = add_gaussian_noise(np.full((200, 200), 0.5), sigma=0.1, seed=0)
    >>> round(float(noisy.mean()), 2), round(float(noisy.std()), 2)
    (0.5, 0.1)
    >>> float(add_gaussian_noise(np.full(1000, 0.95), sigma=0.1, clip=(0, 1)).max())
    1.0
    """
    clean = as_float_array(image, "image")
    sigma = as_real_number(sigma, "sigma", minimum=0)
    if clip is not None:
        if not (isinstance(clip, (tuple, list)) and len(clip) == 2):
            raise ValueError(f"clip: expected None or a pair (low, high), got {clip!r}")
        low = as_real_number(clip[0], "clip")
        high = as_real_number(clip[1], "clip")
        if low > high:
            raise ValueError(f"clip: expected low <= high, got {clip!r}")
    rng = as_generator(seed)
    noise = rng.normal(0.0, sigma, size=clean.shape)  # float64; cast once when added
    noisy = (clean + noise).astype(clean.dtype, copy=False)
    if clip is not None:
        np.clip(noisy, low, high, out=noisy)
    return noisy
