"""Images for the notebooks, all available offline: a photograph and a synthetic segmentation set.

Nothing here downloads anything. The photograph is the portrait of Grace Hopper that matplotlib
ships among its sample data; the segmentation set is drawn from a seeded random generator, so
every student gets exactly the same images for the same seed. This module needs only numpy and
matplotlib (not torch).

    >>> load_photograph(size=(60, 51)).shape
    (60, 51)
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_float_array,
    as_generator,
    as_nonnegative_int,
    as_pair,
    as_positive_int,
    as_real_number,
)

__all__ = [
    "CLASS_NAMES",
    "VOID_LABEL",
    "load_photograph",
    "resize_area",
    "make_segmentation_dataset",
]

CLASS_NAMES = ("background", "disc", "square", "triangle", "ring", "cross")
"""Names of the labels of `make_segmentation_dataset`: label `k` is `CLASS_NAMES[k]`."""

VOID_LABEL = 255
"""Label of the "void" pixels along object boundaries: pass it as `ignore_index` to the loss."""

_GRAY_WEIGHTS = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luma, as in Pillow's "L" mode


def _area_matrix(n_out: int, n_in: int) -> np.ndarray:
    """The `(n_out, n_in)` matrix that averages `n_in` samples into `n_out` equal cells by area.

    Output cell `i` covers the interval `[i * n_in / n_out, (i + 1) * n_in / n_out)` of the input
    axis; its row holds the length of that interval's overlap with each input pixel `[j, j + 1)`,
    divided by the cell's length, so every row sums to 1.
    """
    edges = np.arange(n_out + 1) * (n_in / n_out)
    start, stop = edges[:-1, np.newaxis], edges[1:, np.newaxis]
    pixel = np.arange(n_in)[np.newaxis, :]
    overlap = np.clip(np.minimum(stop, pixel + 1) - np.maximum(start, pixel), 0, None)
    return overlap / (n_in / n_out)


def resize_area(image, size) -> np.ndarray:
    """Resize the first two axes of an image by area averaging (a box filter; numpy only).

    Every output pixel is the average of the input over the rectangle it covers, with input
    pixels that are only partly covered weighted by the covered fraction. When the sizes divide
    exactly this is the plain block mean (`torch.nn.functional.adaptive_avg_pool2d` gives the
    same); it never invents detail and, unlike subsampling, does not alias when shrinking.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Integers become float64; float32 stays float32.
    size : int or (int, int)
        Output height and width, each >= 1.

    Returns
    -------
    resized : ndarray, shape (h, w) or (h, w, C)

    Examples
    --------
    >>> resize_area(np.arange(16.).reshape(4, 4), 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> resize_area([[0, 3, 6]], (1, 2))       # 1.5 input pixels per output pixel
    array([[1., 5.]])
    """
    array = as_float_array(image, "image")
    if array.ndim not in (2, 3):
        raise ValueError(
            f"image: expected a 2-D (H, W) or 3-D (H, W, C) array, got shape {array.shape}"
        )
    h, w = as_pair(size, "size", minimum=1)
    rows = _area_matrix(h, array.shape[0]).astype(array.dtype)
    cols = _area_matrix(w, array.shape[1]).astype(array.dtype)
    resized = np.tensordot(rows, array, axes=(1, 0))  # (h, W, ...): average along the rows
    resized = np.tensordot(cols, resized, axes=(1, 1))  # (w, h, ...): then along the columns
    return np.ascontiguousarray(np.swapaxes(resized, 0, 1))


def load_photograph(gray: bool = True, size=None) -> np.ndarray:
    """The portrait of Grace Hopper shipped with matplotlib, as floats in [0, 1].

    A real photograph (600 x 512 pixels) for trying filters and noise on: smooth skin, textured
    uniform, sharp edges. It is read from matplotlib's sample data (`grace_hopper.jpg`), so no
    network access is needed. The colour image is converted to gray with the ITU-R BT.601 luma
    weights 0.299 R + 0.587 G + 0.114 B.

    Parameters
    ----------
    gray : bool, optional
        Return a gray-scale `(H, W)` image (default) or the colour `(H, W, 3)` image.
    size : int or (int, int), optional
        Resize to `(h, w)` by area averaging (see `resize_area`), e.g. `(150, 128)` keeps the
        aspect ratio and makes filtering in the notebooks fast. None keeps 600 x 512.

    Returns
    -------
    image : ndarray, shape (H, W) or (H, W, 3), float64 in [0, 1]

    Examples
    --------
    >>> photo = load_photograph()
    >>> photo.shape, photo.dtype, bool(0 <= photo.min() < photo.max() <= 1)
    ((600, 512), dtype('float64'), True)
    >>> load_photograph(gray=False, size=(150, 128)).shape
    (150, 128, 3)
    """
    import matplotlib.cbook
    import matplotlib.image

    if not isinstance(gray, (bool, np.bool_)):
        raise ValueError(f"gray: expected True or False, got {gray!r}")
    with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = matplotlib.image.imread(file, format="jpg")
    image = rgb[..., :3].astype(np.float64) / 255.0
    if gray:
        image = image @ _GRAY_WEIGHTS
    if size is not None:
        image = np.clip(resize_area(image, size), 0.0, 1.0)
    return image


def _window_min(t: np.ndarray, radius: int) -> np.ndarray:
    """Minimum of `t` (shape (n, H, W)) over the (2r+1) x (2r+1) square around every pixel.

    Pixels outside the image do not count (they are padded with a value larger than any).
    The square window is separable: a minimum along the rows, then along the columns.
    """
    if radius == 0:
        return t
    big = np.iinfo(t.dtype).max
    out = t
    for axis in (1, 2):
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(out, pad, constant_values=big)
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=axis)
        out = windows.min(axis=-1)
    return out


# The shapes, in each object's own frame: x, y are offsets from its centre (rotated with it),
# arrays of shape (m, H, W); `area` has shape (m, 1, 1). Every shape has exactly the given area
# (in the continuum), so an object's size says nothing about its class.


def _disc(x, y, area):
    return x**2 + y**2 <= area / np.pi


def _square(x, y, area):
    return np.maximum(np.abs(x), np.abs(y)) <= np.sqrt(area) / 2


def _triangle(x, y, area):
    # equilateral, apex up: side a with area sqrt(3)/4 a^2; each edge lies at the inradius
    # a / (2 sqrt 3) from the centre, with outward normals pointing down, up-left and up-right
    inradius = np.sqrt(4 * area / np.sqrt(3)) / (2 * np.sqrt(3))
    inside = np.ones(x.shape, dtype=bool)
    for normal in np.pi / 2 + np.array([0, 2, 4]) * np.pi / 3:
        inside &= x * np.cos(normal) + y * np.sin(normal) <= inradius
    return inside


def _ring(x, y, area):
    # outer radius R and inner radius R / 2: area 3/4 pi R^2
    outer2 = 4 * area / (3 * np.pi)
    r2 = x**2 + y**2
    return (r2 <= outer2) & (r2 >= outer2 / 4)


def _cross(x, y, area):
    # a plus sign made of five equal squares of side t: arms 3t long and t wide, area 5 t^2
    t = np.sqrt(area / 5)
    ax, ay = np.abs(x), np.abs(y)
    return ((ax <= 1.5 * t) & (ay <= t / 2)) | ((ay <= 1.5 * t) & (ax <= t / 2))


_SHAPES = (_disc, _square, _triangle, _ring, _cross)  # label k is drawn by _SHAPES[k - 1]


_CHUNK = 256  # images painted at once


def _paint(objects, background, height, width):
    """The noise-free images, the index of the object seen at each pixel, and the labels.

    `objects` and `background` hold the random parameters drawn in `make_segmentation_dataset`;
    the three results have shape (n, H, W).
    """
    present, labels, center_y, center_x, area, angle, contrast = objects
    level, slope, slope_angle, wave, wave_freq, wave_angle, wave_phase = background
    n = len(labels)
    # pixel centres: in pixels for the shapes, in units of the image size for the background
    ys = np.arange(height, dtype=np.float64)[np.newaxis, :, np.newaxis]
    xs = np.arange(width, dtype=np.float64)[np.newaxis, np.newaxis, :]
    u, v = xs / width - 0.5, ys / height - 0.5
    ground = (
        level
        + slope * (u * np.cos(slope_angle) + v * np.sin(slope_angle))
        + wave * np.sin(wave_freq * (u * np.cos(wave_angle) + v * np.sin(wave_angle)) + wave_phase)
    )
    # Paint the objects in order, each hiding what lies below it. `top` is the index of the
    # object seen at each pixel (-1: the background).
    image = ground.copy()
    top = np.full((n, height, width), -1, dtype=np.int32)
    for k in range(labels.shape[1]):
        at = (slice(None), k, np.newaxis, np.newaxis)  # object k's parameter, as (n, 1, 1)
        cos, sin = np.cos(angle[at]), np.sin(angle[at])
        dx, dy = xs - center_x[at], ys - center_y[at]
        x, y = dx * cos + dy * sin, -dx * sin + dy * cos  # in the object's rotated frame
        inside = np.zeros((n, height, width), dtype=bool)
        for label, shape in enumerate(_SHAPES, start=1):
            chosen = present[:, k] & (labels[:, k] == label)  # the images whose object k has it
            if chosen.any():
                inside[chosen] = shape(x[chosen], y[chosen], area[at][chosen])
        image = np.where(inside, ground + contrast[at], image)
        top[inside] = k
    visible = np.take_along_axis(labels, np.maximum(top, 0).reshape(n, -1), axis=1)
    label = np.where(top >= 0, visible.reshape(n, height, width), 0)
    return image.astype(np.float32), top, label


def make_segmentation_dataset(n: int, size=64, seed=0, num_classes: int = 4, void_width: int = 1,
                              max_objects: int = 4, noise_std: float = 0.05,
                              max_rotation: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded synthetic segmentation set: shapes of several classes on textured backgrounds.

    Each image holds 1 to `max_objects` objects: discs, squares, triangles, rings and plus
    signs (the first `num_classes - 1` of them, see `CLASS_NAMES`), rotated at random. Every
    object gets its place in its own cell of a coarse grid, jittered so that objects may touch,
    overlap (the later one hides the earlier) or leave the image. The area of an object is drawn
    from the same range whatever its class, and its brightness is that of the background under
    it plus or minus (at random) an amount between 0.2 and 0.4; so neither size nor intensity
    tells the class, only the shape does. The background is a random level plus a smooth
    gradient plus a faint wave, and Gaussian noise of standard deviation `noise_std` covers it all.

    As in PASCAL VOC, the masks mark a band of "void" pixels (label 255, `VOID_LABEL`) along
    object boundaries, where the true label is ambiguous: the pixels of an object that lie within
    `void_width` pixels (in the chessboard distance, i.e. a (2w+1) x (2w+1) square) of background
    or of an object below it. Losses and metrics should ignore them
    (`torch.nn.functional.cross_entropy(..., ignore_index=255)`).

    The default set (four classes, 64 x 64) is quick to learn but not trivial: a U-Net with
    `base_channels=8`, `depth=3`, same padding and batch normalisation, trained on 800 images
    with Adam (learning rate 3e-3, batches of 16), passes a held-out mean IoU of 0.9 after
    225 to 325 steps (three seeds), about 30 seconds of one CPU core.

    Parameters
    ----------
    n : int
        Number of images, >= 1.
    size : int or (int, int), optional
        Image height and width, each >= 16.
    seed : int, optional
        Seed for `np.random.default_rng`; the same seed gives the same data set.
    num_classes : int, optional
        Number of labels including the background, from 2 to 6.
    void_width : int, optional
        Width in pixels of the void band, >= 0 (0: no void pixels).
    max_objects : int, optional
        Maximum number of objects per image, >= 1.
    noise_std : float, optional
        Standard deviation of the Gaussian noise, >= 0.
    max_rotation : float, optional
        Objects are turned by a random angle between -max_rotation and +max_rotation degrees,
        from upright (a triangle's apex up). 45 already gives squares and plus signs every
        orientation; larger values make the set harder to learn.

    Returns
    -------
    images : ndarray, shape (n, 1, H, W), float32
        Gray-scale images, roughly in [0, 1].
    masks : ndarray, shape (n, H, W), int64
        Labels in `0 .. num_classes - 1`, and 255 on the void band.

    Examples
    --------
    >>> images, masks = make_segmentation_dataset(8, size=32, seed=0)
    >>> images.shape, images.dtype, masks.shape, masks.dtype
    ((8, 1, 32, 32), dtype('float32'), (8, 32, 32), dtype('int64'))
    >>> sorted(np.unique(masks).tolist())
    [0, 1, 2, 3, 255]
    >>> [CLASS_NAMES[k] for k in range(4)]
    ['background', 'disc', 'square', 'triangle']
    """
    n = as_positive_int(n, "n")
    height, width = as_pair(size, "size", minimum=16)
    num_classes = as_positive_int(num_classes, "num_classes")
    if not 2 <= num_classes <= len(CLASS_NAMES):
        raise ValueError(
            f"num_classes: expected an int from 2 to {len(CLASS_NAMES)}, got {num_classes}"
        )
    void_width = as_nonnegative_int(void_width, "void_width")
    max_objects = as_positive_int(max_objects, "max_objects")
    noise_std = as_real_number(noise_std, "noise_std", minimum=0)
    max_rotation = np.deg2rad(as_real_number(max_rotation, "max_rotation", minimum=0))
    rng = as_generator(seed)

    # Every random number is drawn here, up front, in a fixed order.
    grid = int(np.ceil(np.sqrt(max_objects)))
    cell_h, cell_w = height / grid, width / grid
    cells = np.argsort(rng.random((n, grid * grid)), axis=1)[:, :max_objects]  # distinct cells
    present = np.arange(max_objects) < rng.integers(1, max_objects + 1, size=(n, 1))
    labels = rng.integers(1, num_classes, size=(n, max_objects))
    center_y = (cells // grid + 0.5 + rng.uniform(-0.3, 0.3, (n, max_objects))) * cell_h
    center_x = (cells % grid + 0.5 + rng.uniform(-0.3, 0.3, (n, max_objects))) * cell_w
    area = rng.uniform(0.12, 0.30, (n, max_objects)) * cell_h * cell_w
    angle = rng.uniform(-max_rotation, max_rotation, (n, max_objects))
    contrast = rng.uniform(0.2, 0.4, (n, max_objects)) * rng.choice([-1.0, 1.0], (n, max_objects))
    level = rng.uniform(0.3, 0.7, (n, 1, 1))
    slope = rng.uniform(0, 0.3, (n, 1, 1))  # change of the gradient across the image
    slope_angle = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    wave = rng.uniform(0, 0.08, (n, 1, 1))
    wave_freq = rng.uniform(1, 4, (n, 1, 1)) * 2 * np.pi  # 1 to 4 periods across the image
    wave_angle = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    wave_phase = rng.uniform(0, 2 * np.pi, (n, 1, 1))
    noise = rng.standard_normal((n, height, width), dtype=np.float32) * np.float32(noise_std)

    images = np.empty((n, 1, height, width), dtype=np.float32)
    segmentation = np.empty((n, height, width), dtype=np.int64)
    objects = (present, labels, center_y, center_x, area, angle, contrast)
    background = (level, slope, slope_angle, wave, wave_freq, wave_angle, wave_phase)
    for start in range(0, n, _CHUNK):  # bounded memory; the result does not depend on _CHUNK
        part = slice(start, start + _CHUNK)
        image, top, label = _paint([a[part] for a in objects], [a[part] for a in background],
                                   height, width)
        if void_width > 0:
            void = (top >= 0) & (_window_min(top, void_width) < top)
            label[void] = VOID_LABEL
        images[part, 0] = image + noise[part]
        segmentation[part] = label
    return images, segmentation
