"""Synthetic dataset generators (inventory DP-21), every one seeded through ``random_state``.

Example
-------
>>> from glassml.datasets import make_moons
>>> X, y = make_moons(n_samples=100, noise=0.1, random_state=0)
>>> X.shape, sorted(set(y.tolist()))
((100, 2), [0, 1])
"""

from __future__ import annotations

import numbers

import numpy as np

from .._core.random import check_random_state
from .._core.validation import check_scalar

__all__ = [
    "make_blobs",
    "make_moons",
    "make_circles",
    "make_xor",
    "make_classification",
    "make_regression",
    "make_sine",
    "make_polynomial",
    "make_low_rank_ratings",
    "make_time_series",
]


def _n(n_samples, name="n_samples", minimum=1):
    return check_scalar(n_samples, name, numbers.Integral, min_val=minimum)


def make_blobs(
    n_samples=100,
    n_features=2,
    *,
    centers=3,
    cluster_std=1.0,
    center_box=(-10.0, 10.0),
    shuffle=True,
    random_state=None,
):
    """Isotropic Gaussian blobs: x ~ N(c_k, cluster_std² I) around ``centers`` centres.

    ``centers`` is an int (drawn uniformly in ``center_box``) or an array (k, n_features);
    ``n_samples`` may be a list giving the size of each blob. Returns ``(X, y)``.
    """
    rng = check_random_state(random_state)
    if isinstance(centers, numbers.Integral):
        check_scalar(centers, "centers", numbers.Integral, min_val=1)
        centers = rng.uniform(center_box[0], center_box[1], size=(centers, n_features))
    else:
        centers = np.asarray(centers, dtype=float)
        if centers.ndim != 2:
            raise ValueError(f"centers: expected an int or a 2-D array, got shape {centers.shape}.")
        n_features = centers.shape[1]
    k = len(centers)
    if isinstance(n_samples, numbers.Integral):
        _n(n_samples)
        sizes = np.full(k, n_samples // k)
        sizes[: n_samples % k] += 1
    else:
        sizes = np.asarray(n_samples, dtype=int)
        if len(sizes) != k:
            raise ValueError(f"n_samples: got {len(sizes)} blob sizes for {k} centers.")
    std = np.broadcast_to(np.asarray(cluster_std, dtype=float), (k,))
    y = np.repeat(np.arange(k), sizes)
    X = centers[y] + rng.standard_normal((len(y), n_features)) * std[y, None]
    if shuffle:
        perm = rng.permutation(len(y))
        X, y = X[perm], y[perm]
    return X, y


def make_moons(n_samples=100, *, noise=0.0, shuffle=True, random_state=None):
    """Two interleaving half circles (a non-linearly separable two-class problem)."""
    rng = check_random_state(random_state)
    _n(n_samples, minimum=2)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        perm = rng.permutation(n_samples)
        X, y = X[perm], y[perm]
    return X, y


def make_circles(n_samples=100, *, factor=0.5, noise=0.0, shuffle=True, random_state=None):
    """A small circle (label 1, radius ``factor``) inside a unit circle (label 0)."""
    rng = check_random_state(random_state)
    _n(n_samples, minimum=2)
    check_scalar(factor, "factor", numbers.Real, min_val=0, max_val=1, include_boundaries="left")
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.r_[np.c_[np.cos(t_out), np.sin(t_out)], factor * np.c_[np.cos(t_in), np.sin(t_in)]]
    y = np.r_[np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    if shuffle:
        perm = rng.permutation(n_samples)
        X, y = X[perm], y[perm]
    return X, y


def make_xor(n_samples=200, *, noise=0.0, random_state=None):
    """XOR: x uniform in [-1, 1]², y = 1 when the two coordinates have different signs."""
    rng = check_random_state(random_state)
    _n(n_samples)
    X = rng.uniform(-1, 1, size=(n_samples, 2))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(np.int64)
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_classification(
    n_samples=100,
    n_features=20,
    *,
    n_informative=2,
    n_redundant=2,
    n_classes=2,
    n_clusters_per_class=2,
    weights=None,
    flip_y=0.01,
    class_sep=1.0,
    shuffle=True,
    random_state=None,
):
    """A classification problem with controllable difficulty, imbalance and label noise.

    Each class is a mixture of ``n_clusters_per_class`` Gaussian clusters placed on vertices of a
    hypercube of side ``2·class_sep`` in the ``n_informative`` informative dimensions; the
    ``n_redundant`` features are random linear combinations of the informative ones and the
    rest are N(0, 1) noise. ``weights`` sets the class proportions (imbalance) and ``flip_y``
    the fraction of labels assigned at random (noise). Returns ``(X, y)``.
    """
    rng = check_random_state(random_state)
    _n(n_samples)
    check_scalar(n_classes, "n_classes", numbers.Integral, min_val=2)
    check_scalar(n_informative, "n_informative", numbers.Integral, min_val=1)
    if n_informative + n_redundant > n_features:
        raise ValueError(
            f"n_features: expected >= n_informative + n_redundant = "
            f"{n_informative + n_redundant}, got {n_features}."
        )
    n_clusters = n_classes * n_clusters_per_class
    if n_clusters > 2**n_informative:
        raise ValueError(
            f"n_classes * n_clusters_per_class = {n_clusters} must be <= 2**n_informative = "
            f"{2**n_informative}."
        )
    if weights is None:
        weights = np.full(n_classes, 1.0 / n_classes)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (n_classes,) or np.any(weights < 0) or not np.isclose(weights.sum(), 1):
        raise ValueError(
            f"weights: expected {n_classes} non-negative proportions summing to 1, "
            f"got {weights.tolist()}."
        )
    counts = np.floor(weights * n_samples).astype(int)
    counts[np.argmax(weights)] += n_samples - counts.sum()
    # Hypercube vertices for the cluster centres, shuffled, side 2*class_sep.
    vertex_ids = rng.choice(2**n_informative, size=n_clusters, replace=False)
    bits = (vertex_ids[:, None] >> np.arange(n_informative)[None, :]) & 1
    centres = (2.0 * bits - 1.0) * class_sep  # (n_clusters, n_inf)
    y = np.repeat(np.arange(n_classes), counts)
    cluster = y * n_clusters_per_class + rng.integers(0, n_clusters_per_class, size=n_samples)
    informative = centres[cluster] + rng.standard_normal((n_samples, n_informative))
    # Random covariance per cluster: a linear map of the standard normal part.
    A = rng.uniform(-1, 1, size=(n_clusters, n_informative, n_informative))
    noise_part = informative - centres[cluster]
    informative = centres[cluster] + np.einsum("ni,nij->nj", noise_part, A[cluster])
    redundant = informative @ rng.uniform(-1, 1, size=(n_informative, n_redundant))
    useless = rng.standard_normal((n_samples, n_features - n_informative - n_redundant))
    X = np.hstack([informative, redundant, useless])
    if flip_y > 0:
        flip = rng.random(n_samples) < flip_y
        y = y.copy()
        y[flip] = rng.integers(0, n_classes, size=int(flip.sum()))
    if shuffle:
        perm = rng.permutation(n_samples)
        X, y = X[perm], y[perm]
    return X, y.astype(np.int64)


def make_regression(
    n_samples=100,
    n_features=10,
    *,
    n_informative=5,
    noise=0.0,
    bias=0.0,
    coef=False,
    random_state=None,
):
    """Linear regression data y = X w + bias + ε, ε ~ N(0, noise²), with ``n_informative``
    non-zero weights drawn from U(0, 100) (so lasso/ridge experiments have a known support).
    Returns ``(X, y)`` or ``(X, y, w)`` when ``coef=True``."""
    rng = check_random_state(random_state)
    _n(n_samples)
    check_scalar(n_informative, "n_informative", numbers.Integral, min_val=0, max_val=n_features)
    X = rng.standard_normal((n_samples, n_features))
    w = np.zeros(n_features)
    w[:n_informative] = 100 * rng.random(n_informative)
    y = X @ w + bias
    if noise:
        y = y + rng.normal(scale=noise, size=n_samples)
    return (X, y, w) if coef else (X, y)


def make_sine(n_samples=30, *, noise=0.2, x_range=(0.0, 1.0), frequency=1.0, random_state=None):
    """The textbook curve-fitting data: y = sin(2π f x) + ε with x uniform in ``x_range``.

    Returns ``(x, y)`` with x of shape (n, 1) sorted ascending.
    """
    rng = check_random_state(random_state)
    _n(n_samples)
    x = np.sort(rng.uniform(x_range[0], x_range[1], size=n_samples))
    y = np.sin(2 * np.pi * frequency * x) + rng.normal(scale=noise, size=n_samples)
    return x[:, None], y


def make_polynomial(
    n_samples=50, *, coefficients=(0.0, 0.0, 1.0), noise=0.0, x_range=(-3.0, 3.0), random_state=None
):
    """y = Σ_k c_k x^k + ε (``coefficients`` from degree 0 up). Returns ``(x (n,1), y)``."""
    rng = check_random_state(random_state)
    _n(n_samples)
    x = np.sort(rng.uniform(x_range[0], x_range[1], size=n_samples))
    y = np.polynomial.polynomial.polyval(x, np.asarray(coefficients, dtype=float))
    if noise:
        y = y + rng.normal(scale=noise, size=n_samples)
    return x[:, None], y


def make_low_rank_ratings(
    n_users=100,
    n_items=80,
    *,
    rank=5,
    density=0.1,
    noise=0.1,
    rating_range=(1.0, 5.0),
    random_state=None,
):
    """A ratings matrix R = μ + b_u + b_i + P Qᵀ + ε of the given ``rank``, partly observed.

    Returns a Bunch with ``ratings`` (triplets (user, item, rating) of the observed entries, in
    random order), ``full`` (the complete noiseless matrix, clipped to ``rating_range``) and
    ``mask`` (observed entries). Used for matrix-factorisation tests (inventory DR-07).
    """
    from ._base import Bunch

    rng = check_random_state(random_state)
    check_scalar(density, "density", numbers.Real, min_val=0, max_val=1, include_boundaries="right")
    lo, hi = rating_range
    P = rng.normal(scale=1 / np.sqrt(rank), size=(n_users, rank))
    Q = rng.normal(scale=1 / np.sqrt(rank), size=(n_items, rank))
    mu = (lo + hi) / 2
    full = mu + rng.normal(scale=0.3, size=(n_users, 1)) + rng.normal(scale=0.3, size=(1, n_items))
    full = np.clip(full + P @ Q.T, lo, hi)
    mask = rng.random((n_users, n_items)) < density
    users, items = np.nonzero(mask)
    values = np.clip(full[users, items] + rng.normal(scale=noise, size=users.size), lo, hi)
    order = rng.permutation(users.size)
    ratings = np.c_[users[order], items[order], values[order]]
    return Bunch(ratings=ratings, full=full, mask=mask, n_users=n_users, n_items=n_items)


def make_time_series(
    n_steps=365,
    *,
    trend=0.01,
    season_period=30,
    season_amplitude=1.0,
    ar=0.7,
    noise=0.3,
    random_state=None,
):
    """y_t = trend·t + A sin(2π t / period) + u_t with AR(1) noise u_t = φ u_{t-1} + ε_t.

    Returns ``(t, y)``; used for forecasting metrics and forward/backward fill examples.
    """
    rng = check_random_state(random_state)
    _n(n_steps, "n_steps")
    check_scalar(ar, "ar", numbers.Real, min_val=-1, max_val=1, include_boundaries="neither")
    eps = rng.normal(scale=noise, size=n_steps)
    # AR(1) recursion as a linear filter: u = lfilter([1], [1, -φ], ε).
    from scipy.signal import lfilter

    u = lfilter([1.0], [1.0, -ar], eps)
    t = np.arange(n_steps)
    y = trend * t + season_amplitude * np.sin(2 * np.pi * t / season_period) + u
    return t, y
