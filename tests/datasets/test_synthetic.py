"""Synthetic generators: shapes, reproducibility, the properties they promise, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.datasets as gd


@pytest.mark.parametrize(
    "make, kwargs",
    [
        (gd.make_blobs, {"n_samples": 90}),
        (gd.make_moons, {"n_samples": 90, "noise": 0.1}),
        (gd.make_circles, {"n_samples": 90, "noise": 0.05}),
        (gd.make_xor, {"n_samples": 90}),
        (gd.make_classification, {"n_samples": 90}),
        (gd.make_regression, {"n_samples": 90}),
    ],
)
def test_reproducible_and_shaped(make, kwargs):
    X1, y1 = make(**kwargs, random_state=3)
    X2, y2 = make(**kwargs, random_state=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape[0] == y1.shape[0] == 90
    X3, _ = make(**kwargs, random_state=4)
    assert not np.array_equal(X1, X3)


def test_blobs_are_around_their_centres():
    centres = np.array([[0.0, 0.0], [10.0, 10.0]])
    X, y = gd.make_blobs(n_samples=[300, 100], centers=centres, cluster_std=0.5, random_state=0)
    assert np.bincount(y).tolist() == [300, 100]
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(0), centres[k], atol=0.15)
        np.testing.assert_allclose(X[y == k].std(0), 0.5, atol=0.08)


def test_circles_radii_and_moons_classes():
    X, y = gd.make_circles(n_samples=200, factor=0.3, random_state=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    _, ym = gd.make_moons(n_samples=101, random_state=0)
    assert np.bincount(ym).tolist() == [50, 51]


def test_classification_imbalance_and_separability():
    X, y = gd.make_classification(
        n_samples=2000,
        n_features=6,
        n_informative=3,
        n_redundant=1,
        weights=[0.95, 0.05],
        flip_y=0.0,
        class_sep=3.0,
        random_state=0,
    )
    assert X.shape == (2000, 6)
    assert abs(y.mean() - 0.05) < 0.005
    # Well separated classes: the class means differ by several within-class standard deviations
    gap = np.abs(X[y == 0, :3].mean(0) - X[y == 1, :3].mean(0)).max()
    assert gap > 1.0


def test_regression_coefficients_and_support():
    X, y, w = gd.make_regression(
        n_samples=500, n_features=8, n_informative=3, noise=0.0, coef=True, random_state=1
    )
    assert np.count_nonzero(w) == 3
    np.testing.assert_allclose(X @ w, y)


def test_sine_polynomial_ratings_time_series():
    x, y = gd.make_sine(n_samples=50, noise=0.0, random_state=0)
    np.testing.assert_allclose(y, np.sin(2 * np.pi * x[:, 0]))
    x, y = gd.make_polynomial(n_samples=20, coefficients=(1, 0, 2), random_state=0)
    np.testing.assert_allclose(y, 1 + 2 * x[:, 0] ** 2)
    r = gd.make_low_rank_ratings(n_users=30, n_items=20, rank=3, density=0.5, random_state=0)
    assert r.ratings.shape[1] == 3 and r.mask.sum() == len(r.ratings)
    assert r.ratings[:, 2].min() >= 1.0 and r.ratings[:, 2].max() <= 5.0
    t, ts = gd.make_time_series(n_steps=100, noise=0.0, trend=0.1, season_amplitude=0.0)
    np.testing.assert_allclose(ts, 0.1 * t)


@given(st.sampled_from(gd.SEQUENCE_TASKS), st.integers(1, 20), st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_sequence_tasks_are_correct(task, n, seed):
    src, tgt = gd.make_sequence_task(task, n_samples=n, min_len=1, max_len=6, random_state=seed)
    assert len(src) == len(tgt) == n
    for s, t in zip(src, tgt, strict=True):
        if task == "reverse":
            assert t == s[::-1]
        elif task == "sort":
            assert t == "".join(sorted(s))
        elif task == "copy":
            assert t == s
        elif task == "addition":
            a, b = s.split("+")
            assert int(t) == int(a) + int(b)
        else:
            day, _, year = s.split()
            assert t.startswith(year) and t.endswith(f"{int(day):02d}")


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: gd.make_blobs(n_samples=-1), "n_samples: expected a value >= 1, got -1"),
        (lambda: gd.make_moons(n_samples=2.5), "n_samples: expected int, got float"),
        (lambda: gd.make_circles(factor=1.5), "factor: expected a value < 1, got 1.5"),
        (
            lambda: gd.make_classification(n_features=3, n_informative=3, n_redundant=2),
            "n_features: expected >= n_informative \\+ n_redundant = 5, got 3",
        ),
        (lambda: gd.make_classification(weights=[0.5, 0.6]), "weights: expected 2 non-negative"),
        (lambda: gd.make_sequence_task("translate"), "task: expected one of"),
        (
            lambda: gd.make_sequence_task("copy", min_len=5, max_len=3),
            "max_len: expected a value >= 5, got 3",
        ),
    ],
)
def test_bad_input_messages(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
