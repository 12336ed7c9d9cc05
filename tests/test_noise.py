"""Tests of course_lib.noise: how much noise, where, with what statistics, and reproducibly."""

import numpy as np
import pytest

from course_lib.noise import add_gaussian_noise, add_salt_and_pepper

RNG = np.random.default_rng(7)


def interior_image(shape, dtype=np.float64):
    """Values strictly between 0.1 and 0.9, so every salt (1) or pepper (0) pixel is visible."""
    return RNG.uniform(0.1, 0.9, shape).astype(dtype)


# ---------------------------------------------------------------------------------------------
# salt and pepper


@pytest.mark.parametrize("shape", [(10, 10), (33, 17), (3, 20, 21), (1, 1)])
@pytest.mark.parametrize("amount", [0.0, 0.01, 0.05, 0.3, 1.0])
def test_salt_and_pepper_replaces_exactly_the_requested_fraction(shape, amount):
    image = interior_image(shape)
    noisy = add_salt_and_pepper(image, amount=amount, seed=3, low=0.0, high=1.0)
    expected = int(round(amount * image.size))
    salt, pepper = noisy == 1.0, noisy == 0.0
    assert salt.sum() + pepper.sum() == expected
    assert salt.sum() == expected // 2  # half salt (rounded down), the rest pepper
    assert pepper.sum() == expected - expected // 2
    untouched = ~(salt | pepper)
    np.testing.assert_array_equal(noisy[untouched], image[untouched])


def test_salt_and_pepper_defaults_to_the_image_extremes():
    image = np.linspace(-2.0, 3.0, 400).reshape(20, 20)
    noisy = add_salt_and_pepper(image, amount=0.2, seed=0)
    changed = noisy != image
    assert set(np.unique(noisy[changed])) <= {-2.0, 3.0}
    assert noisy.min() == -2.0 and noisy.max() == 3.0
    # about 80 replaced pixels, 40 of each kind (a few may land on the extremes themselves)
    assert 76 <= changed.sum() <= 80
    assert abs(int((noisy == 3.0).sum()) - int((noisy == -2.0).sum())) <= 2


def test_salt_and_pepper_positions_are_spread_uniformly():
    image = np.full((200, 200), 0.5)
    noisy = add_salt_and_pepper(image, amount=0.1, seed=11, low=0.0, high=1.0)
    hit = noisy != 0.5
    # every quarter of the image gets about a quarter of the noise (binomial sd ~ 45)
    quarters = [hit[:100, :100].sum(), hit[:100, 100:].sum(), hit[100:, :100].sum(), hit[100:, 100:].sum()]
    assert all(abs(q - 1000) < 200 for q in quarters)


def test_salt_and_pepper_is_deterministic_for_a_seed():
    image = interior_image((30, 40))
    first = add_salt_and_pepper(image, 0.1, seed=5)
    np.testing.assert_array_equal(first, add_salt_and_pepper(image, 0.1, seed=5))
    assert not np.array_equal(first, add_salt_and_pepper(image, 0.1, seed=6))
    # seed=None draws fresh randomness
    assert not np.array_equal(add_salt_and_pepper(image, 0.5, seed=None),
                              add_salt_and_pepper(image, 0.5, seed=None))


def test_salt_and_pepper_dtypes_and_input_untouched():
    image32 = interior_image((8, 9), np.float32)
    copy = image32.copy()
    noisy = add_salt_and_pepper(image32, 0.5, seed=1)
    assert noisy.dtype == np.float32 and noisy.shape == image32.shape
    np.testing.assert_array_equal(image32, copy)
    assert noisy is not image32
    integers = np.arange(20).reshape(4, 5)
    noisy = add_salt_and_pepper(integers, 0.5, seed=1)
    assert noisy.dtype == np.float64
    np.testing.assert_array_equal(integers, np.arange(20).reshape(4, 5))
    assert add_salt_and_pepper([[0, 1], [2, 3]], amount=0.0).tolist() == [[0.0, 1.0], [2.0, 3.0]]


# ---------------------------------------------------------------------------------------------
# Gaussian noise


@pytest.mark.parametrize("sigma", [0.01, 0.1, 2.5])
def test_gaussian_noise_statistics(sigma):
    image = interior_image((400, 500))
    noise = add_gaussian_noise(image, sigma, seed=2) - image
    n = noise.size
    assert abs(noise.mean()) < 5 * sigma / np.sqrt(n)
    assert abs(noise.std() / sigma - 1) < 5 * np.sqrt(1 / (2 * n))
    # independent from pixel to pixel: neighbours are uncorrelated
    right = np.corrcoef(noise[:, :-1].ravel(), noise[:, 1:].ravel())[0, 1]
    down = np.corrcoef(noise[:-1].ravel(), noise[1:].ravel())[0, 1]
    assert abs(right) < 5 / np.sqrt(n) and abs(down) < 5 / np.sqrt(n)
    # Gaussian: about 68.3% within one sigma, 95.4% within two
    assert abs(np.mean(np.abs(noise) < sigma) - 0.6827) < 0.005
    assert abs(np.mean(np.abs(noise) < 2 * sigma) - 0.9545) < 0.003


def test_gaussian_noise_does_not_depend_on_the_image():
    a, b = interior_image((20, 30)), interior_image((20, 30))
    np.testing.assert_allclose(add_gaussian_noise(a, 0.2, seed=4) - a,
                               add_gaussian_noise(b, 0.2, seed=4) - b, atol=1e-12)


def test_gaussian_noise_is_deterministic_for_a_seed():
    image = interior_image((16, 16))
    first = add_gaussian_noise(image, 0.1, seed=9)
    np.testing.assert_array_equal(first, add_gaussian_noise(image, 0.1, seed=9))
    assert not np.array_equal(first, add_gaussian_noise(image, 0.1, seed=10))
    # the same draw as numpy's generator, so a student can reproduce it
    expected = image + np.random.default_rng(9).normal(0.0, 0.1, image.shape)
    np.testing.assert_array_equal(first, expected)


def test_gaussian_noise_sigma_zero_returns_a_copy():
    image = interior_image((5, 6))
    noisy = add_gaussian_noise(image, 0.0)
    np.testing.assert_array_equal(noisy, image)
    assert noisy is not image and not np.shares_memory(noisy, image)


def test_gaussian_noise_clip():
    image = np.full((50, 50), 0.9)
    noisy = add_gaussian_noise(image, 0.3, seed=1, clip=(0.0, 1.0))
    assert noisy.min() >= 0.0 and noisy.max() == 1.0
    unclipped = add_gaussian_noise(image, 0.3, seed=1)
    assert unclipped.max() > 1.0
    np.testing.assert_array_equal(noisy, np.clip(unclipped, 0.0, 1.0))


def test_gaussian_noise_dtypes_and_input_untouched():
    image32 = interior_image((8, 9), np.float32)
    copy = image32.copy()
    noisy = add_gaussian_noise(image32, 0.1, seed=1, clip=(0, 1))
    assert noisy.dtype == np.float32 and noisy.shape == (8, 9)
    np.testing.assert_array_equal(image32, copy)
    assert add_gaussian_noise(np.arange(6), 1.0).dtype == np.float64
    assert add_gaussian_noise(np.zeros((2, 3, 4, 5)), 1.0).shape == (2, 3, 4, 5)


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("keywords, message", [
    (dict(amount=-0.1), r"amount: expected a finite number >= 0, got -0.1"),
    (dict(amount=1.5), r"amount: expected a fraction in \[0, 1\], got 1.5"),
    (dict(amount="0.1"), r"amount: expected a finite number"),
    (dict(amount=np.nan), r"amount: expected a finite number"),
    (dict(low="black"), r"low: expected a finite number"),
    (dict(high=np.inf), r"high: expected a finite number"),
    (dict(seed="abc"), r"seed: expected a non-negative int or None"),
    (dict(seed=-1), r"seed: expected a non-negative int or None"),
])
def test_bad_salt_and_pepper_arguments(keywords, message):
    with pytest.raises(ValueError, match=message):
        add_salt_and_pepper(np.zeros((4, 4)), **keywords)


@pytest.mark.parametrize("image, keywords, message", [
    (np.zeros((4, 4)), dict(sigma=-1.0), r"sigma: expected a finite number >= 0, got -1.0"),
    (np.zeros((4, 4)), dict(sigma=None), r"sigma: expected a finite number >= 0"),
    (np.zeros((4, 4)), dict(sigma=0.1, clip=1.0), r"clip: expected None or a pair \(low, high\)"),
    (np.zeros((4, 4)), dict(sigma=0.1, clip=(0, 1, 2)), r"clip: expected None or a pair"),
    (np.zeros((4, 4)), dict(sigma=0.1, clip=(1, 0)), r"clip: expected low <= high"),
    (np.zeros((4, 4)), dict(sigma=0.1, clip=(0, "x")), r"clip: expected a finite number"),
    (np.zeros((4, 4)), dict(sigma=0.1, seed=1.5), r"seed: expected a non-negative int or None"),
    (np.zeros(3, dtype=complex), dict(sigma=0.1), r"image: expected real numbers"),
    ("image", dict(sigma=0.1), r"image: expected an array of numbers"),
])
def test_bad_gaussian_noise_arguments(image, keywords, message):
    with pytest.raises(ValueError, match=message):
        add_gaussian_noise(image, **keywords)


def test_bad_salt_and_pepper_image():
    with pytest.raises(ValueError, match="image: expected an array of numbers"):
        add_salt_and_pepper([["a"]])
