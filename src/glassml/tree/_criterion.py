"""Impurity criteria of CART, written on sufficient statistics so that every split of a node is
scored at once from cumulative sums.

Classification (weighted class counts ``c_k`` of a node, ``w = Σ_k c_k``, ``p_k = c_k / w``):

* Gini            G(t) = 1 − Σ_k p_k²                              (Inventory: TE-02; the notes'
  LaTeX drops the minus sign, E-07 — this is the correct formula)
* entropy/log_loss H(t) = −Σ_k p_k log₂ p_k                        (Inventory: TE-02)

Regression (``w = Σ w_i``, ``s = Σ w_i y_i``, ``q = Σ w_i y_i²``):

* squared_error / friedman_mse   MSE(t) = q / w − (s / w)²          (Inventory: TE-03)
* absolute_error                 MAE(t) = Σ w_i |y_i − median_w(y)| / w

A split of node t into (L, R) is chosen to maximise the impurity decrease
``Δ = w_t I(t) − w_L I(L) − w_R I(R)``; since ``w_t I(t)`` is fixed within a node we maximise the
*proxy* ``−w_L I(L) − w_R I(R)`` up to node constants:

* Gini:    Σ_k c_Lk² / w_L + Σ_k c_Rk² / w_R
* entropy: Σ_k c_Lk log₂(c_Lk / w_L) + Σ_k c_Rk log₂(c_Rk / w_R)
* MSE:     s_L² / w_L + s_R² / w_R   (y centred per node, which leaves the argmax unchanged and
  keeps the cumulative sums well conditioned). Friedman's criterion
  ``w_L w_R (ȳ_L − ȳ_R)² / w`` is proportional to this proxy for one output, so it picks the same
  splits.

Example
-------
>>> import numpy as np
>>> float(node_impurity_classification(np.array([[5.0, 5.0]]), "gini")[0])
0.5
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "CLASSIFICATION_CRITERIA",
    "REGRESSION_CRITERIA",
    "node_impurity_classification",
    "node_impurity_regression",
    "proxy_classification",
    "proxy_regression",
    "weighted_median",
]

CLASSIFICATION_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error", "friedman_mse", "absolute_error")


def _xlog2x_over(counts, totals):
    """Σ_k c_k log₂(c_k / w) with 0 log 0 = 0; counts (..., K), totals (...)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = counts / totals[..., None]  # (..., K)
        terms = np.where(counts > 0, counts * np.log2(np.where(ratio > 0, ratio, 1.0)), 0.0)
    return _sum_last(terms)  # (...)


def node_impurity_classification(counts: np.ndarray, criterion: str) -> np.ndarray:
    """Impurity of nodes from their weighted class counts ``counts`` (n_nodes, K)."""
    total = counts.sum(axis=1)  # (n_nodes,)
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion == "gini":
            p = counts / total[:, None]
            out = 1.0 - (p * p).sum(axis=1)
        else:
            out = -_xlog2x_over(counts, total) / total
    return np.where(total > 0, out, 0.0)


def node_impurity_regression(w, s, q) -> np.ndarray:
    """MSE impurity ``q/w − (s/w)²`` of nodes from weighted sums (each (n_nodes,))."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = s / w
        return np.where(w > 0, q / w - mean * mean, 0.0)


def proxy_classification(left, right, w_left, w_right, criterion: str) -> np.ndarray:
    """Split proxy ``−w_L I(L) − w_R I(R)`` (+ node constant) for class counts (..., K)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion == "gini":
            sq_left = _sum_last(left * left)
            sq_right = _sum_last(right * right)
            return sq_left / w_left + sq_right / w_right
        return _xlog2x_over(left, w_left) + _xlog2x_over(right, w_right)


def _sum_last(a):
    """Sum over a short last axis (classes) as K vector adds — faster than a strided reduce."""
    out = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        out += a[..., k]
    return out


def proxy_binary(c1_left, c1_right, w_left, w_right, criterion: str) -> np.ndarray:
    """Two-class proxy from the class-1 weights only (class 0 weight is ``w − c₁``)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c0_left, c0_right = w_left - c1_left, w_right - c1_right
        if criterion == "gini":
            # Σ_k c_k²/w = w − 2 c₀c₁/w; the w terms add up to the node constant
            return -(c1_left * c0_left / w_left + c1_right * c0_right / w_right)
        out = np.zeros(np.broadcast_shapes(c1_left.shape, w_left.shape))
        for c, w in (
            (c1_left, w_left),
            (c0_left, w_left),
            (c1_right, w_right),
            (c0_right, w_right),
        ):
            out += np.where(c > 0, c * np.log2(np.where(c > 0, c / w, 1.0)), 0.0)
        return out


def proxy_regression(s_left, s_right, w_left, w_right) -> np.ndarray:
    """Split proxy ``s_L²/w_L + s_R²/w_R`` for centred targets (MSE and Friedman MSE)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return s_left * s_left / w_left + s_right * s_right / w_right


def weighted_median(y: np.ndarray, w: np.ndarray) -> float:
    """Weighted median as scikit-learn defines it for absolute-error trees.

    Sort ``y``; the median is the smallest value whose cumulative weight exceeds half of the
    total; when the cumulative weight hits exactly one half at a value, the midpoint between
    that value and the next is returned (so the unweighted median of an even sample is the mean
    of the two middle values).
    """
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws)
    half = 0.5 * cum[-1]
    k = int(np.searchsorted(cum, half, side="right"))  # first index with cum > half
    k = min(k, len(ys) - 1)
    if k > 0 and cum[k - 1] == half:
        return float((ys[k - 1] + ys[k]) / 2.0)
    return float(ys[k])


def absolute_error_curve(y_sorted_by_x, w_sorted_by_x):
    """Σ w|y − median| of every prefix of the samples (in the given order); shape (n,).

    ``O(n²)`` vectorised: the prefix membership of each y-rank is a cumulative one-hot matrix,
    processed in row chunks to bound memory.
    """
    n = y_sorted_by_x.shape[0]
    y_order = np.argsort(y_sorted_by_x, kind="stable")
    y_rank = np.empty(n, dtype=np.intp)
    y_rank[y_order] = np.arange(n)
    ys = y_sorted_by_x[y_order]  # (n,) y in increasing order
    out = np.empty(n)
    chunk = max(1, 2_000_000 // max(n, 1))
    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        rows = np.arange(lo, hi)
        # member[r, k] = weight of the sample of y-rank k if it lies in prefix [0, r]
        member = np.zeros((hi - lo, n))
        mask = np.arange(n)[None, :] <= rows[:, None]  # (chunk, n) over x positions
        member_x = np.where(mask, w_sorted_by_x[None, :], 0.0)  # (chunk, n)
        member[:, y_rank] = member_x
        cum_w = np.cumsum(member, axis=1)  # (chunk, n)
        cum_wy = np.cumsum(member * ys[None, :], axis=1)
        total_w = cum_w[:, -1]
        half = 0.5 * total_w
        k = (cum_w <= half[:, None]).sum(axis=1)  # first rank with cum > half
        k = np.minimum(k, n - 1)
        med = ys[k]
        prev_cum = np.where(k > 0, cum_w[np.arange(hi - lo), k - 1], 0.0)
        exact = (k > 0) & (prev_cum == half)
        if exact.any():
            # midpoint with the previous *activated* rank
            act = member > 0
            idx_prev = np.array(
                [np.flatnonzero(act[i, : k[i]])[-1] if exact[i] else 0 for i in range(hi - lo)]
            )
            med = np.where(exact, (ys[idx_prev] + ys[k]) / 2.0, med)
        below = med[:, None] > ys[None, :]
        w_lo = (member * below).sum(1)
        wy_lo = (member * ys[None, :] * below).sum(1)
        out[lo:hi] = (cum_wy[:, -1] - wy_lo - med * (total_w - w_lo)) + (med * w_lo - wy_lo)
    return out
