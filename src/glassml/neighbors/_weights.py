"""Neighbour weights for KNN voting and averaging.

Inventory: NC-04.
"""

from __future__ import annotations

import numpy as np

from glassml._core import check_in

__all__ = ["check_weights", "neighbor_weights"]


def check_weights(weights):
    """Validate ``weights``: "uniform", "distance", None or a callable."""
    if weights is None or callable(weights):
        return weights
    return check_in(weights, "weights", ("uniform", "distance"))


def neighbor_weights(dist: np.ndarray, weights) -> np.ndarray | None:
    """Weights (n_queries, k) for the neighbours at distances ``dist`` (None = uniform).

    "distance": w = 1/d; a query with a neighbour at distance 0 gives weight 1 to its
    zero-distance neighbours and 0 to the others (the limit of 1/d).
    """
    if weights in (None, "uniform"):
        return None
    if weights == "distance":
        with np.errstate(divide="ignore"):
            w = 1.0 / dist  # (n_queries, k)
        inf_mask = np.isinf(w)
        inf_row = inf_mask.any(axis=1)
        w[inf_row] = inf_mask[inf_row]
        return w
    w = np.asarray(weights(dist), dtype=np.float64)
    if w.shape != dist.shape:
        raise ValueError(
            f"weights: the callable must return an array of shape {dist.shape} (like the "
            f"distances it receives), got shape {w.shape}."
        )
    return w
