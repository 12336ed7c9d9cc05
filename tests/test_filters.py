"""Tests of course_lib.filters: kernel sums, symmetries, orientations, formulas, and the median filter."""

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.filters import (
    gabor_kernel,
    gaussian_kernel,
    laplacian_of_gaussian,
    mean_kernel,
    median_filter,
    sobel_kernels,
)

RNG = np.random.default_rng(20241001)


def correlate(image, kernel):
    """Valid cross-correlation of a 2-D image with a 2-D kernel, computed by torch."""
    x = torch.from_numpy(np.asarray(image, dtype=np.float64))[None, None]
    w = torch.from_numpy(np.asarray(kernel, dtype=np.float64))[None, None]
    return F.conv2d(x, w)[0, 0].numpy()


def offsets(k_h, k_w):
    """Offsets (v down the rows, u along the columns) from a kernel's centre, by a plain loop."""
    v = np.empty((k_h, k_w))
    u = np.empty((k_h, k_w))
    for i in range(k_h):
        for j in range(k_w):
            v[i, j] = i - (k_h - 1) / 2
            u[i, j] = j - (k_w - 1) / 2
    return v, u


def edge_image(normal_angle, size=41):
    """A step edge through the centre: 1 where the offset along (cos a, sin a) is positive, else 0.

    The direction is in image coordinates: x to the right, y downwards.
    """
    v, u = offsets(size, size)
    distance = np.round(u * np.cos(normal_angle) + v * np.sin(normal_angle), 9)  # no -1e-17
    return (distance > 0).astype(np.float64)


def centre_response(image, kernel):
    """Cross-correlation output at the image centre (the kernel centred on the image's centre)."""
    k_h, k_w = kernel.shape
    top, left = (image.shape[0] - k_h) // 2, (image.shape[1] - k_w) // 2
    return float((image[top:top + k_h, left:left + k_w] * kernel).sum())


# ---------------------------------------------------------------------------------------------
# mean_kernel


@pytest.mark.parametrize("size", [1, 2, 3, 5, (1, 4), (3, 2), (4, 7)])
def test_mean_kernel_is_constant_and_sums_to_one(size):
    kernel = mean_kernel(size)
    k_h, k_w = (size, size) if isinstance(size, int) else size
    assert kernel.shape == (k_h, k_w) and kernel.dtype == np.float64
    assert np.isclose(kernel.sum(), 1.0, rtol=0, atol=1e-15)
    assert np.all(kernel == kernel[0, 0])


@pytest.mark.parametrize("size", [2, 3, (2, 5), (4, 3)])
def test_mean_kernel_equals_average_pooling_with_stride_1(size):
    image = RNG.standard_normal((9, 11))
    expected = F.avg_pool2d(torch.from_numpy(image)[None, None], size, stride=1)[0, 0].numpy()
    np.testing.assert_allclose(correlate(image, mean_kernel(size)), expected, rtol=1e-12, atol=1e-12)


def test_mean_filter_worked_example_from_the_slides():
    # UC Merced Lecture 12: the 10x10 image with a block of 90s, one hole and one stray 90
    f = np.zeros((10, 10))
    f[2:7, 3:8] = 90
    f[5, 4] = 0
    f[8, 2] = 90
    g = np.array([
        [0, 10, 20, 30, 30, 30, 20, 10],
        [0, 20, 40, 60, 60, 60, 40, 20],
        [0, 30, 60, 90, 90, 90, 60, 30],
        [0, 30, 50, 80, 80, 90, 60, 30],
        [0, 30, 50, 80, 80, 90, 60, 30],
        [0, 20, 30, 50, 50, 60, 40, 20],
        [10, 20, 30, 30, 30, 30, 20, 10],
        [10, 10, 10, 0, 0, 0, 0, 0],
    ], dtype=np.float64)
    np.testing.assert_allclose(correlate(f, mean_kernel(3)), g, rtol=0, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# gaussian_kernel


@pytest.mark.parametrize("size, sigma", [(1, 1.0), (3, 0.5), (4, 1.0), (5, 1.0), ((5, 8), 2.0), (7, 3)])
def test_gaussian_kernel_matches_the_density_formula(size, sigma):
    k_h, k_w = (size, size) if isinstance(size, int) else size
    v, u = offsets(k_h, k_w)
    density = np.exp(-(u**2 + v**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    kernel = gaussian_kernel(size, sigma)
    assert kernel.shape == (k_h, k_w) and kernel.dtype == np.float64
    np.testing.assert_allclose(kernel, density / density.sum(), rtol=1e-13, atol=0)
    assert np.isclose(kernel.sum(), 1.0, rtol=0, atol=1e-14)


@pytest.mark.parametrize("size", [4, 5, (5, 8)])
def test_gaussian_kernel_symmetries_and_separability(size):
    kernel = gaussian_kernel(size, 1.3)
    np.testing.assert_allclose(kernel, kernel[::-1], rtol=1e-14)
    np.testing.assert_allclose(kernel, kernel[:, ::-1], rtol=1e-14)
    if kernel.shape[0] == kernel.shape[1]:
        np.testing.assert_allclose(kernel, kernel.T, rtol=1e-14)
    column = gaussian_kernel((kernel.shape[0], 1), 1.3)
    row = gaussian_kernel((1, kernel.shape[1]), 1.3)
    np.testing.assert_allclose(kernel, column @ row, rtol=1e-13)
    # increasing towards the centre
    assert np.all(np.diff(kernel[: (kernel.shape[0] + 1) // 2, 0]) > 0)
    assert np.all(np.diff(kernel[0, : (kernel.shape[1] + 1) // 2]) > 0)


@pytest.mark.parametrize("sigma", [1.5, 2.0, 3.0])
def test_gaussian_kernel_has_variance_sigma_squared(sigma):
    # With 2 sigma^2 in the exponent the weights are the N(0, sigma^2) distribution; the slides'
    # erratum (sigma^2 alone) would give variance sigma^2 / 2.
    kernel = gaussian_kernel(41, sigma)
    v, u = offsets(41, 41)
    assert np.isclose((kernel * u**2).sum(), sigma**2, rtol=1e-9)
    assert np.isclose((kernel * v**2).sum(), sigma**2, rtol=1e-9)
    assert np.isclose((kernel * u * v).sum(), 0.0, atol=1e-12)


def test_larger_sigma_blurs_more():
    image = RNG.standard_normal((40, 40))
    stds = [correlate(image, gaussian_kernel(9, s)).std() for s in (0.5, 1.0, 2.0)]
    assert stds[0] > stds[1] > stds[2]


# ---------------------------------------------------------------------------------------------
# sobel_kernels


def test_sobel_kernels_values_and_sums():
    kx, ky = sobel_kernels()
    np.testing.assert_array_equal(kx, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(ky, kx.T)
    assert kx.dtype == ky.dtype == np.float64
    assert kx.sum() == 0 and ky.sum() == 0
    # a fresh copy each call: changing one result does not change the next
    kx[0, 0] = 99
    assert sobel_kernels()[0][0, 0] == -1


def test_sobel_x_responds_to_vertical_edges_with_positive_sign_for_dark_to_bright():
    kx, ky = sobel_kernels()
    vertical = np.zeros((8, 8))
    vertical[:, 4:] = 1.0  # dark on the left, bright on the right: a vertical edge
    out_x, out_y = correlate(vertical, kx), correlate(vertical, ky)
    assert out_x.max() == 4.0 and out_x.min() == 0.0
    assert np.all(out_y == 0)
    # the opposite edge (bright to dark) gives the opposite sign
    assert correlate(1 - vertical, kx).min() == -4.0
    # the response sits on the columns that straddle the edge
    assert set(np.flatnonzero(out_x.max(axis=0))) == {2, 3}


def test_sobel_y_responds_to_horizontal_edges_with_positive_sign_for_dark_above():
    kx, ky = sobel_kernels()
    horizontal = np.zeros((8, 8))
    horizontal[4:, :] = 1.0  # dark above, bright below
    assert correlate(horizontal, ky).max() == 4.0
    assert np.all(correlate(horizontal, kx) == 0)


@pytest.mark.parametrize("degrees", [0, 20, 45, 70, 90, 135, 180, 250])
def test_sobel_measures_the_gradient_of_a_ramp(degrees):
    # On a linear ramp I = a x + b y (x to the right, y down) the two kernels give exactly
    # 8a and 8b: together they estimate the gradient, whose angle is the edge normal's.
    angle = np.deg2rad(degrees)
    a, b = 0.3 * np.cos(angle), 0.3 * np.sin(angle)
    v, u = offsets(5, 6)
    ramp = a * u + b * v
    kx, ky = sobel_kernels()
    np.testing.assert_allclose(correlate(ramp, kx), np.full((3, 4), 8 * a), atol=1e-12)
    np.testing.assert_allclose(correlate(ramp, ky), np.full((3, 4), 8 * b), atol=1e-12)


# ---------------------------------------------------------------------------------------------
# laplacian_of_gaussian


@pytest.mark.parametrize("size, sigma", [(3, 0.5), (9, 1.4), (10, 1.5), ((9, 13), 2.0), (25, 4.0)])
def test_log_against_the_direct_formula(size, sigma):
    k_h, k_w = (size, size) if isinstance(size, int) else size
    v, u = offsets(k_h, k_w)
    r2 = u**2 + v**2
    # the textbook form: -1 / (pi sigma^4) * (1 - r^2 / (2 sigma^2)) * exp(-r^2 / (2 sigma^2))
    direct = -1 / (np.pi * sigma**4) * (1 - r2 / (2 * sigma**2)) * np.exp(-r2 / (2 * sigma**2))
    kernel = laplacian_of_gaussian(size, sigma)
    assert kernel.shape == (k_h, k_w) and kernel.dtype == np.float64
    np.testing.assert_allclose(kernel, direct - direct.mean(), rtol=1e-12, atol=1e-15)
    assert abs(kernel.sum()) < 1e-14


def test_log_is_the_laplacian_of_the_gaussian_density():
    # The five-point finite-difference Laplacian of the sampled density approximates the LoG.
    sigma, size = 5.0, 41
    v, u = offsets(size + 2, size + 2)
    density = np.exp(-(u**2 + v**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    five_point = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
    finite_difference = correlate(density, five_point)
    kernel = laplacian_of_gaussian(size, sigma)  # zero mean, so compare with a zero-mean estimate
    error = np.abs(finite_difference - finite_difference.mean() - kernel).max()
    assert error < 0.01 * np.abs(kernel).max()


def test_log_sign_convention_and_symmetry():
    kernel = laplacian_of_gaussian(11, 1.5)
    assert kernel[5, 5] == kernel.min() < 0
    assert kernel[0, 5] > 0 or kernel[2, 5] > 0  # the positive ring
    np.testing.assert_allclose(kernel, kernel.T, rtol=1e-14)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], rtol=1e-14)
    # a dark dot on a bright surround gives a positive response, a bright dot a negative one
    dark_dot = np.ones((11, 11))
    dark_dot[5, 5] = 0
    assert centre_response(dark_dot, kernel) > 0
    assert centre_response(1 - dark_dot, kernel) < 0
    assert np.allclose(correlate(np.full((15, 15), 7.0), kernel), 0, atol=1e-13)


# ---------------------------------------------------------------------------------------------
# gabor_kernel


@pytest.mark.parametrize("size, sigma, theta, wavelength, phase, aspect", [
    (7, 2.0, 0.0, 4.0, 0.0, 1.0),
    (8, 1.5, 0.7, 5.0, 0.3, 0.5),
    ((9, 12), 3.0, 2.0, 6.0, -np.pi / 2, 2.0),
])
def test_gabor_against_the_formula(size, sigma, theta, wavelength, phase, aspect):
    k_h, k_w = (size, size) if isinstance(size, int) else size
    kernel = gabor_kernel(size, sigma, theta, wavelength, phase, aspect)
    assert kernel.shape == (k_h, k_w) and kernel.dtype == np.float64
    for i, j in itertools.product(range(k_h), range(k_w)):
        u, v = j - (k_w - 1) / 2, i - (k_h - 1) / 2
        along = u * np.cos(theta) + v * np.sin(theta)
        across = -u * np.sin(theta) + v * np.cos(theta)
        value = np.exp(-(along**2 + aspect**2 * across**2) / (2 * sigma**2)) * np.cos(
            2 * np.pi * along / wavelength + phase)
        assert np.isclose(kernel[i, j], value, rtol=1e-12, atol=1e-15)


def test_gabor_symmetries():
    even = gabor_kernel(11, 2.5, 0.4, 5.0, phase=0.0)
    odd = gabor_kernel(11, 2.5, 0.4, 5.0, phase=-np.pi / 2)
    np.testing.assert_allclose(even, even[::-1, ::-1], atol=1e-15)  # even under a half turn
    np.testing.assert_allclose(odd, -odd[::-1, ::-1], atol=1e-15)  # odd under a half turn
    assert abs(odd.sum()) < 1e-12
    # turning the wave by a half turn is the same as negating the phase
    np.testing.assert_allclose(gabor_kernel(11, 2.5, 0.4 + np.pi, 5.0, phase=0.3),
                               gabor_kernel(11, 2.5, 0.4, 5.0, phase=-0.3), atol=1e-14)
    # theta = pi/2 swaps the roles of rows and columns
    np.testing.assert_allclose(gabor_kernel(9, 2.0, np.pi / 2, 4.0), gabor_kernel(9, 2.0, 0.0, 4.0).T,
                               atol=1e-14)
    # aspect < 1 stretches the envelope along the stripes (along y for theta = 0)
    long = gabor_kernel(15, 2.0, 0.0, 100.0, aspect=0.5)
    assert long[0, 7] > long[7, 0]


@pytest.mark.parametrize("edge_degrees", [0, 30, 45, 60, 90, 120, 150])
def test_odd_gabor_responds_most_to_the_edge_orientation_it_claims(edge_degrees):
    degrees = np.arange(0, 180, 15)
    image = edge_image(np.deg2rad(edge_degrees))
    responses = [abs(centre_response(image, gabor_kernel(21, 3.0, t, 12.0, phase=-np.pi / 2)))
                 for t in np.deg2rad(degrees)]
    assert degrees[np.argmax(responses)] == edge_degrees
    # and the sign: positive when the image gets brighter along theta
    kernel = gabor_kernel(21, 3.0, np.deg2rad(edge_degrees), 12.0, phase=-np.pi / 2)
    assert centre_response(image, kernel) > 0
    assert centre_response(1 - image, kernel) < 0


@pytest.mark.parametrize("line_degrees", [0, 45, 90, 135])
def test_even_gabor_responds_most_to_a_line_across_its_wave(line_degrees):
    # a thin bright line whose normal points along line_degrees
    v, u = offsets(41, 41)
    normal = np.deg2rad(line_degrees)
    distance = np.round(u * np.cos(normal) + v * np.sin(normal), 9)
    image = (np.abs(distance) < 0.75).astype(np.float64)
    degrees = np.arange(0, 180, 15)
    responses = [centre_response(image, gabor_kernel(21, 3.0, t, 8.0)) for t in np.deg2rad(degrees)]
    assert degrees[np.argmax(responses)] == line_degrees


# ---------------------------------------------------------------------------------------------
# median_filter


def brute_force_median(image, k_h, k_w):
    out = np.empty((image.shape[0] - k_h + 1, image.shape[1] - k_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.median(image[i:i + k_h, j:j + k_w])
    return out


@pytest.mark.parametrize("shape", [(5, 5), (7, 10), (12, 9)])
@pytest.mark.parametrize("size", [1, 2, 3, 4, (1, 3), (3, 2), (5, 4)])
def test_median_filter_against_a_loop(shape, size):
    image = RNG.standard_normal(shape)
    k_h, k_w = (size, size) if isinstance(size, int) else size
    result = median_filter(image, size)
    assert result.shape == (shape[0] - k_h + 1, shape[1] - k_w + 1)
    np.testing.assert_array_equal(result, brute_force_median(image, k_h, k_w))


def test_median_filter_default_size_is_3():
    image = RNG.integers(0, 10, (6, 7))
    np.testing.assert_array_equal(median_filter(image), brute_force_median(image, 3, 3))


def test_median_filter_dtypes_and_input_untouched():
    image32 = RNG.standard_normal((6, 6)).astype(np.float32)
    copy = image32.copy()
    assert median_filter(image32).dtype == np.float32
    np.testing.assert_array_equal(image32, copy)
    assert median_filter(np.arange(25).reshape(5, 5)).dtype == np.float64
    assert median_filter([[1, 2], [3, 4]], 2).tolist() == [[2.5]]


def test_median_filter_removes_salt_and_pepper_but_mean_filter_smears_it():
    image = np.full((9, 9), 0.5)
    image[4, 4] = 1.0
    np.testing.assert_array_equal(median_filter(image), np.full((7, 7), 0.5))
    assert correlate(image, mean_kernel(3)).max() > 0.5


def test_median_filter_keeps_a_step_edge_that_the_mean_filter_blurs():
    step = np.zeros((5, 8))
    step[:, 4:] = 1.0
    np.testing.assert_array_equal(median_filter(step), step[1:-1, 1:-1])
    blurred = correlate(step, mean_kernel(3))
    assert not np.array_equal(blurred, step[1:-1, 1:-1])


def test_median_filter_is_not_linear_but_the_mean_filter_is():
    a = np.array([[1.0, 0.0, 0.0]])
    b = np.array([[0.0, 0.0, 1.0]])
    # median([1, 0, 0]) + median([0, 0, 1]) = 0, but median([1, 0, 1]) = 1
    assert median_filter(a, (1, 3))[0, 0] == 0
    assert median_filter(b, (1, 3))[0, 0] == 0
    assert median_filter(a + b, (1, 3))[0, 0] == 1
    # the mean filter is linear, for any images and coefficients
    x, y = RNG.standard_normal((2, 7, 8))
    box = mean_kernel(3)
    np.testing.assert_allclose(correlate(2 * x - 3 * y, box),
                               2 * correlate(x, box) - 3 * correlate(y, box), atol=1e-12)
    assert not np.allclose(median_filter(x + y), median_filter(x) + median_filter(y))


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize("function", [mean_kernel, lambda size: gaussian_kernel(size, 1.0),
                                      lambda size: laplacian_of_gaussian(size, 1.0),
                                      lambda size: gabor_kernel(size, 1.0, 0.0, 4.0)])
@pytest.mark.parametrize("size", [0, -1, 2.5, (3,), (3, 0), "3", True, None])
def test_bad_kernel_sizes(function, size):
    with pytest.raises(ValueError, match="size: expected an int >= 1"):
        function(size)


@pytest.mark.parametrize("function", [gaussian_kernel, laplacian_of_gaussian,
                                      lambda size, sigma: gabor_kernel(size, sigma, 0.0, 4.0)])
@pytest.mark.parametrize("sigma", [0, -1.0, np.nan, np.inf, "1", None, True])
def test_bad_sigma(function, sigma):
    with pytest.raises(ValueError, match="sigma: expected a finite number > 0"):
        function(5, sigma)


@pytest.mark.parametrize("keyword, value, message", [
    ("wavelength", 0.0, "wavelength: expected a finite number > 0"),
    ("wavelength", -3.0, "wavelength: expected a finite number > 0"),
    ("theta", np.nan, "theta: expected a finite number"),
    ("theta", "0", "theta: expected a finite number"),
    ("phase", None, "phase: expected a finite number"),
    ("aspect", 0.0, "aspect: expected a finite number > 0"),
])
def test_bad_gabor_arguments(keyword, value, message):
    arguments = dict(size=7, sigma=2.0, theta=0.0, wavelength=4.0)
    arguments[keyword] = value
    with pytest.raises(ValueError, match=message):
        gabor_kernel(**arguments)


@pytest.mark.parametrize("x, size, message", [
    (np.zeros(5), 3, r"x: expected a 2-D array \(H, W\), got shape \(5,\)"),
    (np.zeros((1, 5, 5)), 3, r"x: expected a 2-D array \(H, W\), got shape \(1, 5, 5\)"),
    (np.zeros((4, 5)), 5, r"size: expected a window no larger than the image \(4, 5\), got \(5, 5\)"),
    (np.zeros((4, 5)), (2, 6), r"size: expected a window no larger"),
    (np.zeros((4, 5)), 0, "size: expected an int >= 1"),
    (np.zeros((4, 5), dtype=complex), 3, "x: expected real numbers"),
    ([["a", "b"]], 1, "x: expected an array of numbers"),
])
def test_bad_median_input(x, size, message):
    with pytest.raises(ValueError, match=message):
        median_filter(x, size)
