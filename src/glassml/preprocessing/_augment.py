"""Image data augmentation on batches: flips, shifts, crops, noise, 90-degree rotations.

Every transform takes a batch ``images`` of shape (N, C, H, W) or (N, H, W) (the last two axes
are the spatial ones), draws one random decision per image from ``random_state`` and returns a
new array with the same shape and dtype. All of them are vectorised over the batch: a boolean
mask selects the images to flip, and shifts / crops read one window per image out of a
zero-padded batch with fancy indexing (no Python loop per image or pixel).

Inventory: DP-18 (×ref RG-07).

Example
-------
>>> import numpy as np
>>> from functools import partial
>>> aug = Compose([partial(random_horizontal_flip, p=0.5), partial(random_shift, max_shift=2)],
...               random_state=0)
>>> aug(np.zeros((8, 3, 16, 16), dtype=np.float32)).shape
(8, 3, 16, 16)
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from .._core import check_random_state, check_scalar

__all__ = [
    "Compose",
    "ImageAugmenter",
    "gaussian_noise",
    "random_crop",
    "random_horizontal_flip",
    "random_rotation_90",
    "random_shift",
    "random_vertical_flip",
]


def _check_images(images) -> np.ndarray:
    """Return ``images`` as an array of shape (N, H, W) or (N, C, H, W), else raise."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(
            "images: expected a batch of shape (N, H, W) or (N, C, H, W), "
            f"got an array with shape {images.shape}."
        )
    if images.dtype == object or not (
        np.issubdtype(images.dtype, np.number) or images.dtype == bool
    ):
        raise TypeError(f"images: expected a numeric array, got dtype {images.dtype}.")
    return images


def _check_probability(p) -> float:
    return float(check_scalar(p, "p", numbers.Real, min_val=0.0, max_val=1.0))


def _random_flip(images, p, random_state, axis: int) -> np.ndarray:
    """Flip the images picked by a Bernoulli(p) draw along ``axis`` (-1: width, -2: height)."""
    images = _check_images(images)
    p = _check_probability(p)
    rng = check_random_state(random_state)
    flip = rng.random(images.shape[0]) < p  # (N,) one coin per image
    out = images.copy()
    out[flip] = np.flip(images[flip], axis=axis)
    return out


def random_horizontal_flip(images, p=0.5, *, random_state=None) -> np.ndarray:
    """Mirror each image left-right with probability ``p``: out[n, ..., y, x] = in[n, ..., y,
    W-1-x] when the coin of image n comes up, else out[n] = in[n]. Inventory: DP-18.

    Parameters
    ----------
    images : array (N, H, W) or (N, C, H, W)
    p : float in [0, 1], default 0.5
    random_state : None, int or numpy Generator

    Example
    -------
    >>> random_horizontal_flip(np.arange(4.0).reshape(1, 2, 2), p=1.0)[0]
    array([[1., 0.],
           [3., 2.]])
    """
    return _random_flip(images, p, random_state, axis=-1)


def random_vertical_flip(images, p=0.5, *, random_state=None) -> np.ndarray:
    """Mirror each image top-bottom with probability ``p``: out[n, ..., y, x] = in[n, ...,
    H-1-y, x] for the selected images. Inventory: DP-18.

    Parameters
    ----------
    images : array (N, H, W) or (N, C, H, W)
    p : float in [0, 1], default 0.5
    random_state : None, int or numpy Generator

    Example
    -------
    >>> random_vertical_flip(np.arange(4.0).reshape(1, 2, 2), p=1.0)[0]
    array([[2., 3.],
           [0., 1.]])
    """
    return _random_flip(images, p, random_state, axis=-2)


def _windows(padded: np.ndarray, top: np.ndarray, left: np.ndarray, h: int, w: int):
    """Gather the (h, w) window at (top[n], left[n]) of each padded image, by fancy indexing.

    padded: (N, C, Hp, Wp); top, left: (N,) ints. Returns (N, C, h, w).
    """
    n_images, n_channels = padded.shape[:2]
    rows = top[:, None] + np.arange(h)  # (N, h)
    cols = left[:, None] + np.arange(w)  # (N, w)
    return padded[
        np.arange(n_images)[:, None, None, None],  # (N, 1, 1, 1)
        np.arange(n_channels)[None, :, None, None],  # (1, C, 1, 1)
        rows[:, None, :, None],  # (N, 1, h, 1)
        cols[:, None, None, :],  # (N, 1, 1, w)
    ]  # (N, C, h, w)


def _as_nchw(images: np.ndarray) -> np.ndarray:
    return images[:, None] if images.ndim == 3 else images  # view, (N, C, H, W)


def _pad_spatial(images4: np.ndarray, pad: int) -> np.ndarray:
    """Zero-pad the two spatial axes of an (N, C, H, W) batch by ``pad`` on each side."""
    return np.pad(images4, ((0, 0), (0, 0), (pad, pad), (pad, pad)))  # (N, C, H+2p, W+2p)


def random_shift(images, max_shift, *, random_state=None, return_offsets=False):
    """Translate each image by integer offsets (dy, dx) drawn uniformly from
    {-max_shift, ..., max_shift}, filling the uncovered border with 0:

        out[n, ..., y, x] = in[n, ..., y - dy_n, x - dx_n]   (0 outside the image)

    i.e. the content moves down by dy and right by dx. Implemented as a zero-pad by
    ``max_shift`` and one (H, W) window per image at (max_shift - dy, max_shift - dx).
    Inventory: DP-18.

    Parameters
    ----------
    images : array (N, H, W) or (N, C, H, W)
    max_shift : int >= 0 (pixels)
    random_state : None, int or numpy Generator
    return_offsets : bool, default False
        Also return the drawn offsets, an int array of shape (N, 2) with columns (dy, dx).

    Example
    -------
    >>> img = np.arange(9.0).reshape(1, 3, 3)
    >>> out, off = random_shift(img, 1, random_state=0, return_offsets=True)
    >>> out.shape, off.shape
    ((1, 3, 3), (1, 2))
    """
    images = _check_images(images)
    check_scalar(max_shift, "max_shift", numbers.Integral, min_val=0)
    rng = check_random_state(random_state)
    m = int(max_shift)
    offsets = rng.integers(-m, m + 1, size=(images.shape[0], 2))  # (N, 2): (dy, dx)
    images4 = _as_nchw(images)
    h, w = images4.shape[-2:]
    padded = _pad_spatial(images4, m)  # (N, C, H+2m, W+2m)
    out = _windows(padded, m - offsets[:, 0], m - offsets[:, 1], h, w).reshape(images.shape)
    return (out, offsets) if return_offsets else out


def _check_size(size) -> tuple[int, int]:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = (size, size)
    if (
        not isinstance(size, tuple | list)
        or len(size) != 2
        or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in size)
        or min(size) < 1
    ):
        raise ValueError(f"size: expected a positive int or a pair (h, w) of them, got {size!r}.")
    return int(size[0]), int(size[1])


def random_crop(images, size, padding=0, *, random_state=None, return_offsets=False):
    """Crop a random (h, w) window out of each zero-padded image (torchvision's
    ``RandomCrop(size, padding)``): pad each side by ``padding``, draw top ~ U{0..Hp-h} and
    left ~ U{0..Wp-w} per image, and return

        out[n, ..., i, j] = padded[n, ..., top_n + i, left_n + j]

    Inventory: DP-18.

    Parameters
    ----------
    images : array (N, H, W) or (N, C, H, W)
    size : int or (h, w)
        Output spatial size; at most the padded size (H + 2 padding, W + 2 padding).
    padding : int >= 0, default 0
    random_state : None, int or numpy Generator
    return_offsets : bool, default False
        Also return (top, left) per image, an int array (N, 2) in padded coordinates.

    Example
    -------
    >>> random_crop(np.ones((2, 3, 32, 32)), 32, padding=4, random_state=0).shape
    (2, 3, 32, 32)
    """
    images = _check_images(images)
    h, w = _check_size(size)
    check_scalar(padding, "padding", numbers.Integral, min_val=0)
    pad = int(padding)
    images4 = _as_nchw(images)
    hp, wp = images4.shape[-2] + 2 * pad, images4.shape[-1] + 2 * pad
    if h > hp or w > wp:
        raise ValueError(f"size: the crop ({h}, {w}) is larger than the padded image ({hp}, {wp}).")
    rng = check_random_state(random_state)
    n_images = images.shape[0]
    offsets = np.stack(
        [rng.integers(0, hp - h + 1, size=n_images), rng.integers(0, wp - w + 1, size=n_images)],
        axis=1,
    )  # (N, 2): (top, left)
    padded = _pad_spatial(images4, pad)  # (N, C, Hp, Wp)
    out = _windows(padded, offsets[:, 0], offsets[:, 1], h, w)  # (N, C, h, w)
    if images.ndim == 3:
        out = out[:, 0]
    return (out, offsets) if return_offsets else out


def gaussian_noise(images, std, *, clip=None, random_state=None) -> np.ndarray:
    """Add i.i.d. Gaussian noise: out = clip(x + std * eps, lo, hi), eps ~ N(0, 1) per entry,
    computed in the images' floating dtype (float32 stays float32). Inventory: DP-18.

    Parameters
    ----------
    images : floating array (N, H, W) or (N, C, H, W)
    std : float >= 0
    clip : None or (lo, hi)
        Clip the result to [lo, hi] (e.g. (0, 1) for pixel intensities).
    random_state : None, int or numpy Generator

    Example
    -------
    >>> float(gaussian_noise(np.zeros((2, 4, 4)), 0.1, clip=(0, 1), random_state=0).min())
    0.0
    """
    images = _check_images(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(
            f"images: gaussian_noise needs a floating dtype, got {images.dtype}; "
            "convert with images.astype(np.float32) first."
        )
    check_scalar(std, "std", numbers.Real, min_val=0.0)
    if clip is not None:
        if not isinstance(clip, tuple | list) or len(clip) != 2 or not clip[0] <= clip[1]:
            raise ValueError(f"clip: expected None or a pair (lo, hi) with lo <= hi, got {clip!r}.")
    rng = check_random_state(random_state)
    noise = rng.standard_normal(images.shape, dtype=images.dtype)  # (N, [C,] H, W)
    noise *= images.dtype.type(std)
    noise += images
    if clip is not None:
        np.clip(noise, clip[0], clip[1], out=noise)
    return noise


def random_rotation_90(images, *, random_state=None) -> np.ndarray:
    """Rotate each image counter-clockwise by k * 90 degrees, k ~ U{0, 1, 2, 3} per image
    (``np.rot90`` on the spatial axes). Needs square images (H == W) so the shape is kept.
    Vectorised: one ``rot90`` per value of k over the images that drew it. Inventory: DP-18.

    Parameters
    ----------
    images : array (N, H, H) or (N, C, H, H)
    random_state : None, int or numpy Generator

    Example
    -------
    >>> random_rotation_90(np.zeros((5, 3, 8, 8)), random_state=0).shape
    (5, 3, 8, 8)
    """
    images = _check_images(images)
    if images.shape[-1] != images.shape[-2]:
        raise ValueError(
            f"images: random_rotation_90 needs square images (H == W), got shape {images.shape}."
        )
    rng = check_random_state(random_state)
    quarter_turns = rng.integers(0, 4, size=images.shape[0])  # (N,)
    out = images.copy()
    for k in (1, 2, 3):
        chosen = quarter_turns == k
        out[chosen] = np.rot90(images[chosen], k, axes=(-2, -1))
    return out


class Compose:
    """Chain augmentations: x -> t_k(... t_2(t_1(x))). Inventory: DP-18.

    Each transform is a callable ``t(images, random_state=rng)`` (e.g. one of this module's
    functions with its arguments bound by ``functools.partial``) or ``t(images)``. One generator,
    made from ``random_state`` once, drives every call, so a seeded ``Compose`` gives the same
    sequence of batches on every run.

    Parameters
    ----------
    transforms : sequence of callables
    random_state : None, int or numpy Generator

    Example
    -------
    >>> from functools import partial
    >>> aug = Compose([partial(random_crop, size=8, padding=2), random_rotation_90], random_state=1)
    >>> aug(np.ones((4, 8, 8))).shape
    (4, 8, 8)
    """

    def __init__(self, transforms, *, random_state=None):
        transforms = list(transforms)
        for i, t in enumerate(transforms):
            if not callable(t):
                raise TypeError(f"transforms: item {i} is not callable, got {t!r}.")
        self.transforms = transforms
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        self._takes_rng = [_accepts_random_state(t) for t in transforms]

    def __call__(self, images) -> np.ndarray:
        images = _check_images(images)
        for transform, takes_rng in zip(self.transforms, self._takes_rng, strict=True):
            images = transform(images, random_state=self._rng) if takes_rng else transform(images)
        return images

    def __repr__(self) -> str:
        inner = ", ".join(repr(t) for t in self.transforms)
        return f"{type(self).__name__}([{inner}])"


ImageAugmenter = Compose


def _accepts_random_state(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "random_state" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )
