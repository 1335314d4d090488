"""Image augmentation (DP-18): flips, shifts, crops, noise, 90-degree rotations, Compose."""

from functools import partial

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.preprocessing import (
    Compose,
    ImageAugmenter,
    gaussian_noise,
    random_crop,
    random_horizontal_flip,
    random_rotation_90,
    random_shift,
    random_vertical_flip,
)


def batch(shape=(6, 3, 7, 9), dtype=np.float64, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


SHAPES = [(6, 3, 7, 9), (5, 8, 8)]
RANDOM_TRANSFORMS = {
    "hflip": partial(random_horizontal_flip, p=0.5),
    "vflip": partial(random_vertical_flip, p=0.5),
    "shift": partial(random_shift, max_shift=2),
    "crop": partial(random_crop, size=(5, 6), padding=1),
    "noise": partial(gaussian_noise, std=0.1),
    "rot90": random_rotation_90,
}


@pytest.mark.parametrize("name", list(RANDOM_TRANSFORMS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shape_dtype_and_reproducibility(name, dtype):
    shape = (6, 3, 8, 8) if name == "rot90" else (6, 3, 7, 9)
    x = batch(shape, dtype)
    a = RANDOM_TRANSFORMS[name](x, random_state=3)
    b = RANDOM_TRANSFORMS[name](x, random_state=3)
    expected_shape = (6, 3, 5, 6) if name == "crop" else shape
    assert a.shape == expected_shape and a.dtype == dtype
    np.testing.assert_array_equal(a, b)  # same seed, same output
    assert not np.shares_memory(a, x)
    np.testing.assert_array_equal(x, batch(shape, dtype))  # input left untouched


@pytest.mark.parametrize("shape", SHAPES)
def test_flips_match_torch_and_are_involutions(shape):
    x = batch(shape)
    np.testing.assert_array_equal(
        random_horizontal_flip(x, p=1.0), torch.flip(torch.from_numpy(x), dims=[-1]).numpy()
    )
    np.testing.assert_array_equal(
        random_vertical_flip(x, p=1.0), torch.flip(torch.from_numpy(x), dims=[-2]).numpy()
    )
    np.testing.assert_array_equal(random_horizontal_flip(random_horizontal_flip(x, 1.0), 1.0), x)
    np.testing.assert_array_equal(random_vertical_flip(random_vertical_flip(x, 1.0), 1.0), x)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**31), p=st.floats(0, 1), n=st.integers(1, 8))
def test_random_flip_is_per_image_either_identity_or_mirror(seed, p, n):
    x = batch((n, 2, 4, 5), seed=seed % 1000)
    out = random_horizontal_flip(x, p, random_state=seed)
    mirrored = x[..., ::-1]
    for i in range(n):
        assert np.array_equal(out[i], x[i]) or np.array_equal(out[i], mirrored[i])
    # the same coins, flipped again, undo the flip
    np.testing.assert_array_equal(random_horizontal_flip(out, p, random_state=seed), x)


def test_flip_frequency_matches_p():
    x = np.arange(2 * 3, dtype=float).reshape(1, 2, 3).repeat(4000, axis=0)  # (4000, 2, 3)
    out = random_vertical_flip(x, p=0.3, random_state=0)
    frac = np.mean(out[:, 0, 0] != x[:, 0, 0])
    assert abs(frac - 0.3) < 4 * np.sqrt(0.3 * 0.7 / 4000)


@pytest.mark.parametrize("shape", SHAPES)
def test_p_zero_and_zero_shift_are_identity(shape):
    x = batch(shape)
    for out in (
        random_horizontal_flip(x, p=0.0, random_state=1),
        random_vertical_flip(x, p=0.0, random_state=1),
        random_shift(x, 0, random_state=1),
        random_crop(x, shape[-2:], padding=0, random_state=1),
        gaussian_noise(x, 0.0, random_state=1),
    ):
        np.testing.assert_array_equal(out, x)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("max_shift", [1, 3])
def test_shift_moves_content_by_the_drawn_offset(shape, max_shift):
    x = batch(shape)
    out, offsets = random_shift(x, max_shift, random_state=7, return_offsets=True)
    assert offsets.shape == (shape[0], 2) and np.abs(offsets).max() <= max_shift
    m, (h, w) = max_shift, shape[-2:]
    spatial = [(0, 0)] * (x.ndim - 3) + [(m, m), (m, m)]
    for i, (dy, dx) in enumerate(offsets):
        padded = np.pad(x[i], spatial)  # zero fill outside the image
        expected = np.roll(padded, (dy, dx), axis=(-2, -1))[..., m : m + h, m : m + w]
        np.testing.assert_array_equal(out[i], expected)


def test_shift_draws_all_offsets_uniformly():
    _, offsets = random_shift(np.zeros((3000, 4, 4)), 2, random_state=0, return_offsets=True)
    counts = np.array([np.sum(offsets[:, 0] == k) for k in range(-2, 3)])
    assert counts.min() > 0.8 * 600 and counts.max() < 1.2 * 600


@pytest.mark.parametrize("shape", SHAPES)
def test_crop_is_a_window_of_the_zero_padded_image(shape):
    x, pad, size = batch(shape), 2, (6, 5)
    out, offsets = random_crop(x, size, padding=pad, random_state=4, return_offsets=True)
    assert out.shape == (*shape[:-2], *size)
    spatial = [(0, 0)] * (x.ndim - 3) + [(pad, pad), (pad, pad)]
    for i, (top, left) in enumerate(offsets):
        padded = np.pad(x[i], spatial)
        np.testing.assert_array_equal(
            out[i], padded[..., top : top + size[0], left : left + size[1]]
        )
    assert offsets[:, 0].max() <= shape[-2] + 2 * pad - size[0] and offsets.min() >= 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_noise_statistics_and_clip(dtype):
    x = np.full((200, 3, 10, 10), 0.5, dtype=dtype)
    out = gaussian_noise(x, 0.2, random_state=0)
    noise = (out - x).astype(np.float64).ravel()  # 60000 draws
    se = 0.2 / np.sqrt(noise.size)
    assert abs(noise.mean()) < 5 * se
    assert abs(noise.std() - 0.2) < 5 * 0.2 / np.sqrt(2 * noise.size)
    clipped = gaussian_noise(x, 1.0, clip=(0.0, 1.0), random_state=0)
    assert clipped.dtype == dtype and clipped.min() == 0.0 and clipped.max() == 1.0


def test_rotation_90_matches_rot90_per_image():
    x = batch((40, 2, 5, 5))
    out = random_rotation_90(x, random_state=2)
    for i in range(len(x)):
        k = [k for k in range(4) if np.array_equal(out[i], np.rot90(x[i], k, axes=(-2, -1)))]
        assert k, f"image {i} is not a quarter-turn of the input"
    # every rotation appears in 40 draws
    drawn = {
        next(k for k in range(4) if np.array_equal(out[i], np.rot90(x[i], k, axes=(-2, -1))))
        for i in range(len(x))
    }
    assert drawn == {0, 1, 2, 3}


def test_compose_chains_and_is_reproducible():
    x = batch((5, 3, 8, 8))
    steps = [partial(random_horizontal_flip, p=1.0), partial(random_vertical_flip, p=1.0)]
    np.testing.assert_array_equal(Compose(steps, random_state=0)(x), x[..., ::-1, ::-1])
    steps = [partial(random_crop, size=8, padding=2), random_rotation_90, np.float32]
    a, b = ImageAugmenter(steps, random_state=9), ImageAugmenter(steps, random_state=9)
    first, second = a(x), a(x)
    np.testing.assert_array_equal(first, b(x))
    np.testing.assert_array_equal(second, b(x))
    assert not np.array_equal(first, second)  # the generator advances between calls
    assert first.dtype == np.float32


def test_bad_arguments_name_the_argument():
    x = batch((2, 4, 4))
    with pytest.raises(ValueError, match="p: expected a value <= 1"):
        random_horizontal_flip(x, p=1.5)
    with pytest.raises(TypeError, match="p: expected float"):
        random_vertical_flip(x, p="half")
    with pytest.raises(ValueError, match="images: expected a batch"):
        random_horizontal_flip(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="max_shift"):
        random_shift(x, -1)
    with pytest.raises(TypeError, match="max_shift"):
        random_shift(x, 1.5)
    with pytest.raises(ValueError, match="size"):
        random_crop(x, 7, padding=1)
    with pytest.raises(ValueError, match="size"):
        random_crop(x, (0, 2))
    with pytest.raises(ValueError, match="padding"):
        random_crop(x, 2, padding=-1)
    with pytest.raises(ValueError, match="std"):
        gaussian_noise(x, -0.1)
    with pytest.raises(ValueError, match="clip"):
        gaussian_noise(x, 0.1, clip=(1.0, 0.0))
    with pytest.raises(TypeError, match="images: gaussian_noise needs a floating"):
        gaussian_noise(np.zeros((2, 4, 4), dtype=np.uint8), 0.1)
    with pytest.raises(ValueError, match="images: random_rotation_90 needs square"):
        random_rotation_90(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="random_state"):
        random_shift(x, 1, random_state="seed")
    with pytest.raises(TypeError, match="transforms: item 0"):
        Compose([3])
