"""The elbow method: fit k-means for several K and pick the K where the SSE curve bends most.

For SSE(K) measured on consecutive K values, the discrete second difference

    Δ²(K) = SSE(K − 1) − 2 SSE(K) + SSE(K + 1)

is largest at the "elbow": the last K whose addition bought a big drop in SSE, after which
extra clusters only split true clusters. Only interior K (with both neighbours) qualify.

Inventory: NC-03; claim CL-054.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._kmeans import KMeans

__all__ = ["elbow", "ElbowResult"]


@dataclass
class ElbowResult:
    """``ks``, ``inertias`` (SSE per K), ``second_differences`` (NaN at the ends), ``best_k``."""

    ks: np.ndarray
    inertias: np.ndarray
    second_differences: np.ndarray
    best_k: int


def elbow(X, ks, *, n_init=10, random_state=0, **kmeans_params) -> ElbowResult:
    """Inertia of k-means for each K in ``ks`` and the elbow by the largest second difference.

    ``ks`` must be consecutive integers (at least three). Extra keyword arguments go to
    :class:`KMeans`.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> centers = np.array([[0, 0], [10, 0], [0, 10]])
    >>> X = np.vstack([c + rng.normal(size=(50, 2)) for c in centers])
    >>> elbow(X, range(1, 7)).best_k
    3
    """
    ks = np.asarray(list(ks), dtype=int)
    if ks.ndim != 1 or ks.size < 3 or np.any(np.diff(ks) != 1) or ks[0] < 1:
        raise ValueError(
            f"ks: expected at least three consecutive positive integers, got {ks.tolist()}."
        )
    inertias = np.array(
        [
            KMeans(n_clusters=int(k), n_init=n_init, random_state=random_state, **kmeans_params)
            .fit(X)
            .inertia_
            for k in ks
        ]
    )
    second = np.full(ks.size, np.nan)
    second[1:-1] = inertias[:-2] - 2 * inertias[1:-1] + inertias[2:]
    best_k = int(ks[1 + int(np.argmax(second[1:-1]))])
    return ElbowResult(ks=ks, inertias=inertias, second_differences=second, best_k=best_k)
