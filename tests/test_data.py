"""Tests of course_lib.data: the bundled photograph, area resizing and the synthetic segmentation set."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import course_lib.data as data
from course_lib.data import (
    CLASS_NAMES,
    VOID_LABEL,
    load_photograph,
    make_segmentation_dataset,
    resize_area,
)

RNG = np.random.default_rng(31)


def test_data_module_does_not_need_torch():
    source = open(data.__file__).read()
    assert "import torch" not in source and "from torch" not in source
    code = "import sys, course_lib.data; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(data.__file__).parents[1])


# ---------------------------------------------------------------------------------------------
# resize_area


def brute_force_area_resize(image, h, w):
    """Average the input over each output cell by integrating a piecewise-constant image."""
    H, W = image.shape
    out = np.zeros((h, w))
    for i in range(h):
        for j in range(w):
            y0, y1 = i * H / h, (i + 1) * H / h
            x0, x1 = j * W / w, (j + 1) * W / w
            total = 0.0
            for r in range(H):
                for c in range(W):
                    dy = max(0.0, min(y1, r + 1) - max(y0, r))
                    dx = max(0.0, min(x1, c + 1) - max(x0, c))
                    total += dy * dx * image[r, c]
            out[i, j] = total / ((y1 - y0) * (x1 - x0))
    return out


@pytest.mark.parametrize("shape, size", [((6, 8), (3, 4)), ((12, 9), (4, 3)), ((10, 10), 5), ((9, 15), (9, 5))])
def test_resize_area_equals_adaptive_average_pooling_when_sizes_divide(shape, size):
    image = RNG.standard_normal(shape)
    expected = F.adaptive_avg_pool2d(torch.from_numpy(image)[None, None], size)[0, 0].numpy()
    np.testing.assert_allclose(resize_area(image, size), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, size", [((7, 5), (3, 2)), ((5, 9), (4, 4)), ((4, 3), (6, 5)), ((8, 8), 3)])
def test_resize_area_against_a_loop_for_fractional_factors(shape, size):
    image = RNG.standard_normal(shape)
    h, w = (size, size) if isinstance(size, int) else size
    np.testing.assert_allclose(resize_area(image, size), brute_force_area_resize(image, h, w),
                               rtol=1e-12, atol=1e-12)


def test_resize_area_keeps_the_mean_constants_and_channels():
    image = RNG.uniform(size=(13, 11, 3))
    small = resize_area(image, (5, 4))
    assert small.shape == (5, 4, 3)
    np.testing.assert_allclose(small.mean(axis=(0, 1)), image.mean(axis=(0, 1)), rtol=1e-12)
    for channel in range(3):
        np.testing.assert_allclose(small[..., channel], resize_area(image[..., channel], (5, 4)))
    np.testing.assert_allclose(resize_area(np.full((7, 9), 0.25), (4, 4)), 0.25, rtol=1e-13)
    np.testing.assert_array_equal(resize_area(image, (13, 11)), image)


def test_resize_area_dtypes_and_input_untouched():
    image32 = RNG.uniform(size=(6, 6)).astype(np.float32)
    copy = image32.copy()
    assert resize_area(image32, 3).dtype == np.float32
    np.testing.assert_array_equal(image32, copy)
    assert resize_area(np.arange(16).reshape(4, 4), 2).dtype == np.float64


@pytest.mark.parametrize("image, size, message", [
    (np.zeros(5), 2, r"image: expected a 2-D \(H, W\) or 3-D \(H, W, C\) array, got shape \(5,\)"),
    (np.zeros((1, 2, 3, 4)), 2, r"image: expected a 2-D"),
    (np.zeros((4, 4)), 0, r"size: expected an int >= 1"),
    (np.zeros((4, 4)), (2, 2, 2), r"size: expected an int >= 1"),
])
def test_bad_resize_arguments(image, size, message):
    with pytest.raises(ValueError, match=message):
        resize_area(image, size)


# ---------------------------------------------------------------------------------------------
# load_photograph


def test_photograph_gray_and_colour():
    gray = load_photograph()
    colour = load_photograph(gray=False)
    assert gray.shape == (600, 512) and gray.dtype == np.float64
    assert colour.shape == (600, 512, 3) and colour.dtype == np.float64
    assert 0 <= colour.min() and colour.max() <= 1
    # a real photograph: a wide range of values and many distinct levels
    assert gray.max() - gray.min() > 0.8 and len(np.unique(colour)) == 256
    np.testing.assert_allclose(gray, colour @ [0.299, 0.587, 0.114], rtol=1e-14)
    # the same pixels as matplotlib reads them
    import matplotlib.cbook
    import matplotlib.image
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        raw = matplotlib.image.imread(file, format="jpg")
    np.testing.assert_array_equal(colour, raw / 255.0)


@pytest.mark.parametrize("gray, size, shape", [(True, (150, 128), (150, 128)), (False, 64, (64, 64, 3)),
                                               (True, (600, 512), (600, 512))])
def test_photograph_resized(gray, size, shape):
    photo = load_photograph(gray=gray, size=size)
    assert photo.shape == shape
    assert 0 <= photo.min() and photo.max() <= 1
    np.testing.assert_allclose(photo, np.clip(resize_area(load_photograph(gray=gray), size), 0, 1))


@pytest.mark.parametrize("keywords, message", [
    (dict(gray="yes"), r"gray: expected True or False, got 'yes'"),
    (dict(size=0), r"size: expected an int >= 1"),
    (dict(size=(10,)), r"size: expected an int >= 1"),
])
def test_bad_photograph_arguments(keywords, message):
    with pytest.raises(ValueError, match=message):
        load_photograph(**keywords)


# ---------------------------------------------------------------------------------------------
# make_segmentation_dataset


@pytest.fixture(scope="module")
def dataset():
    return make_segmentation_dataset(400, seed=0)


def boundary_band(masks, width):
    """Pixels within `width` (chessboard distance) of a pixel with another label, by shifting."""
    near = np.zeros(masks.shape, dtype=bool)
    n, H, W = masks.shape
    for dy in range(-width, width + 1):
        for dx in range(-width, width + 1):
            shifted = np.full(masks.shape, -1)
            shifted[:, max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
                masks[:, max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
            near |= (shifted != -1) & (shifted != masks)
    return near


def test_shapes_dtypes_and_ranges(dataset):
    images, masks = dataset
    assert images.shape == (400, 1, 64, 64) and images.dtype == np.float32
    assert masks.shape == (400, 64, 64) and masks.dtype == np.int64
    assert set(np.unique(masks).tolist()) == {0, 1, 2, 3, VOID_LABEL}
    assert np.all(np.isfinite(images))
    assert np.mean((images >= 0) & (images <= 1)) > 0.97  # roughly in [0, 1]
    images, masks = make_segmentation_dataset(3, size=(40, 56), seed=1)
    assert images.shape == (3, 1, 40, 56) and masks.shape == (3, 40, 56)


def test_deterministic_for_a_seed():
    first = make_segmentation_dataset(20, seed=5)
    second = make_segmentation_dataset(20, seed=5)
    other = make_segmentation_dataset(20, seed=6)
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


def test_result_does_not_depend_on_the_chunk_size(monkeypatch):
    images, masks = make_segmentation_dataset(30, seed=2)
    monkeypatch.setattr(data, "_CHUNK", 7)
    chunked = make_segmentation_dataset(30, seed=2)
    np.testing.assert_array_equal(images, chunked[0])
    np.testing.assert_array_equal(masks, chunked[1])


@pytest.mark.parametrize("num_classes", [2, 3, 4, 5, 6])
def test_every_class_appears(num_classes):
    images, masks = make_segmentation_dataset(60, size=32, seed=3, num_classes=num_classes)
    labels = set(np.unique(masks).tolist())
    assert labels == set(range(num_classes)) | {VOID_LABEL}
    assert len(CLASS_NAMES) == 6 and CLASS_NAMES[0] == "background"


def test_classes_are_balanced(dataset):
    images, masks = dataset
    _, plain = make_segmentation_dataset(400, seed=0, void_width=0)
    counts = np.array([(plain == c).sum() for c in range(1, 4)])
    # the foreground classes share their pixels about evenly (the same area distribution)
    assert counts.min() > 0.75 * counts.max()
    # with one object per image, every class has the same mean area (within 3%)
    _, single = make_segmentation_dataset(600, seed=1, void_width=0, max_objects=1)
    areas = [(single == c).sum() / (single == c).any(axis=(1, 2)).sum() for c in range(1, 4)]
    assert min(areas) > 0.97 * max(areas)
    # and every class appears in many images, not in a few
    images_with = [(masks == c).any(axis=(1, 2)).sum() for c in range(1, 4)]
    assert min(images_with) > 0.3 * len(masks)
    background = (masks == 0).mean()
    assert 0.5 < background < 0.95


def test_intensity_alone_does_not_give_the_class(dataset):
    # Inside every class there are objects brighter and darker than the background, and the
    # average contrast is about the same for all classes: only the shape tells them apart.
    images, masks = dataset
    contrast = {c: [] for c in range(1, 4)}
    for image, mask in zip(images[:, 0], masks):
        background = np.median(image[mask == 0])
        for c in range(1, 4):
            if (mask == c).sum() > 10:
                contrast[c].append(np.median(image[mask == c]) - background)
    for c in range(1, 4):
        values = np.array(contrast[c])
        assert (values > 0.1).mean() > 0.2 and (values < -0.1).mean() > 0.2
    means = [np.mean(np.abs(contrast[c])) for c in range(1, 4)]
    assert max(means) - min(means) < 0.05


@pytest.mark.parametrize("void_width", [1, 2, 3])
def test_void_band_lies_along_boundaries(void_width):
    _, plain = make_segmentation_dataset(40, seed=4, void_width=0)
    images, masks = make_segmentation_dataset(40, seed=4, void_width=void_width)
    void = masks == VOID_LABEL
    assert VOID_LABEL not in plain and void.any()
    # the void band only relabels pixels, and only objects' pixels next to a boundary
    np.testing.assert_array_equal(masks[~void], plain[~void])
    assert np.all(plain[void] != 0)
    # void pixels lie near a change of label (the few others separate two touching objects of
    # the same class: the band follows every object's outline, as in VOC)
    assert np.mean(boundary_band(plain, void_width)[void]) > 0.95
    # the pixels right at the boundary between an object and the background are all void
    inner_edge = (plain != 0) & boundary_band(np.where(plain == 0, 0, 1), 1)
    assert np.all(void[inner_edge])
    # a wider band hides more pixels
    if void_width > 1:
        _, thinner = make_segmentation_dataset(40, seed=4, void_width=void_width - 1)
        assert void.sum() > (thinner == VOID_LABEL).sum()
        assert np.all(void[thinner == VOID_LABEL])


def test_void_band_width_on_a_lone_object():
    # with one object far from the border, the band is exactly `void_width` pixels thick:
    # removing it leaves the object eroded by a (2w+1) x (2w+1) square
    images, masks = make_segmentation_dataset(50, size=64, seed=8, void_width=2, max_objects=1)
    _, plain = make_segmentation_dataset(50, size=64, seed=8, void_width=0, max_objects=1)
    for mask, full in zip(masks, plain):
        obj = full != 0
        if obj[:3].any() or obj[-3:].any() or obj[:, :3].any() or obj[:, -3:].any():
            continue  # the object touches the border, where no band is drawn
        eroded = obj & ~boundary_band(obj.astype(int)[None], 2)[0]
        np.testing.assert_array_equal(mask == VOID_LABEL, obj & ~eroded)


def test_objects_overlap_and_touch_the_border_sometimes(dataset):
    _, masks = dataset
    border = np.concatenate([masks[:, 0], masks[:, -1], masks[:, :, 0], masks[:, :, -1]], axis=1)
    assert ((border != 0).any(axis=1)).mean() > 0.05
    _, plain = make_segmentation_dataset(400, seed=0, void_width=0)
    # two different foreground labels next to each other: objects touching or overlapping
    touching = (plain[:, :, 1:] != plain[:, :, :-1]) & (plain[:, :, 1:] != 0) & (plain[:, :, :-1] != 0)
    assert touching.any(axis=(1, 2)).mean() > 0.01


def test_without_rotation_shapes_are_upright():
    _, masks = make_segmentation_dataset(60, size=48, seed=9, void_width=0, max_objects=1,
                                         num_classes=4, max_rotation=0)
    checked = set()
    for mask in masks:
        label = mask.max()
        rows, cols = np.nonzero(mask)
        if rows.min() == 0 or cols.min() == 0 or rows.max() == 47 or cols.max() == 47:
            continue  # cut by the border
        box = mask[rows.min():rows.max() + 1, cols.min():cols.max() + 1] != 0
        widths = box.sum(axis=1)
        if label == 2:  # an axis-aligned square fills its bounding box
            assert box.all() and abs(box.shape[0] - box.shape[1]) <= 1
        if label == 3:  # a triangle with its apex up widens downwards
            assert np.all(np.diff(widths) >= 0) and widths[-1] > 3 * widths[0]
        if label == 1:  # a disc is as wide as it is high, widest in the middle
            assert abs(box.shape[0] - box.shape[1]) <= 1 and widths.argmax() in range(len(widths) // 3, len(widths) - len(widths) // 3 + 1)
        checked.add(int(label))
    assert checked == {1, 2, 3}


@pytest.mark.parametrize("keywords, message", [
    (dict(n=0), r"n: expected an int >= 1, got 0"),
    (dict(n=2.0), r"n: expected an int >= 1"),
    (dict(n=2, size=8), r"size: expected an int >= 16 or a pair of them, got 8"),
    (dict(n=2, num_classes=1), r"num_classes: expected an int from 2 to 6, got 1"),
    (dict(n=2, num_classes=7), r"num_classes: expected an int from 2 to 6, got 7"),
    (dict(n=2, void_width=-1), r"void_width: expected an int >= 0, got -1"),
    (dict(n=2, max_objects=0), r"max_objects: expected an int >= 1, got 0"),
    (dict(n=2, noise_std=-0.1), r"noise_std: expected a finite number >= 0"),
    (dict(n=2, seed="x"), r"seed: expected a non-negative int or None"),
    (dict(n=2, max_rotation=-5), r"max_rotation: expected a finite number >= 0"),
])
def test_bad_dataset_arguments(keywords, message):
    with pytest.raises(ValueError, match=message):
        make_segmentation_dataset(**keywords)
