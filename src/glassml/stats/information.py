"""Information theory of discrete distributions (Inventory: ST-12, ST-13, ST-14).

H(p) = −Σ p log p; H(p, q) = −Σ p log q = H(p) + KL(p‖q); KL(p‖q) = Σ p log(p/q) (the seed's
"Σ P log Q" is wrong, inventory E-02); JS(p, q) = ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2;
I(X; Y) = Σ p(x,y) log(p(x,y) / (p(x)p(y))). Note (E-19): cross-entropy is not 0 when p = q,
it equals H(p); "≥ 0 with equality iff p = q" is the property of KL. ``base=None`` is nats,
``base=2`` bits. Inputs must be probability vectors (summing to 1) along the last axis.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ._checks import positive

__all__ = ["entropy", "cross_entropy", "kl_divergence", "js_divergence", "mutual_information"]


def _dist(p, name: str, atol: float = 1e-8) -> np.ndarray:
    arr = np.asarray(p, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name}: expected a probability vector, got shape {arr.shape}.")
    if not np.isfinite(arr).all() or (arr < 0).any():
        raise ValueError(f"{name}: probabilities must be finite and >= 0.")
    sums = arr.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > atol):
        raise ValueError(f"{name}: probabilities must sum to 1 along the last axis, got {sums!r}.")
    return arr


def _pair(p, q):
    p, q = _dist(p, "p"), _dist(q, "q")
    if p.shape[-1] != q.shape[-1]:
        raise ValueError(f"q: expected {p.shape[-1]} categories like p, got {q.shape[-1]}.")
    return p, q


def _in_base(value, base):
    if base is None:
        return value
    return value / np.log(positive(base, "base"))


def entropy(p, base: float | None = None):
    """Shannon entropy H(p) = −Σ p log p (0 log 0 = 0).

    Inventory: ST-12.

    >>> float(entropy([0.5, 0.5], base=2))
    1.0
    """
    p = _dist(p, "p")
    return _in_base(-special.xlogy(p, p).sum(axis=-1), base)


def cross_entropy(p, q, base: float | None = None):
    """H(p, q) = −Σ p log q (= H(p) + KL(p‖q)); infinite where q = 0 < p.

    Inventory: ST-14 (×LS-14).

    >>> round(float(cross_entropy([1.0, 0.0], [0.5, 0.5], base=2)), 6)
    1.0
    """
    p, q = _pair(p, q)
    with np.errstate(divide="ignore"):
        return _in_base(-special.xlogy(p, q).sum(axis=-1), base)


def kl_divergence(p, q, base: float | None = None):
    """Kullback–Leibler divergence KL(p‖q) = Σ p log(p/q) ≥ 0, zero iff p = q.

    Inventory: ST-13.

    >>> float(kl_divergence([0.5, 0.5], [0.5, 0.5]))
    0.0
    """
    p, q = _pair(p, q)
    return _in_base(special.rel_entr(p, q).sum(axis=-1), base)


def js_divergence(p, q, base: float | None = None):
    """Jensen–Shannon divergence ½KL(p‖m) + ½KL(q‖m), m = (p+q)/2: symmetric, ≤ log 2.

    Inventory: ST-13.

    >>> float(js_divergence([1.0, 0.0], [0.0, 1.0], base=2))
    1.0
    """
    p, q = _pair(p, q)
    m = 0.5 * (p + q)
    js = 0.5 * (special.rel_entr(p, m).sum(axis=-1) + special.rel_entr(q, m).sum(axis=-1))
    return _in_base(js, base)


def mutual_information(joint, base: float | None = None) -> float:
    """Mutual information of a 2-D joint probability table (or a table of counts).

    I(X; Y) = Σ p(x,y) log(p(x,y) / (p(x) p(y))) = H(X) + H(Y) − H(X, Y). Counts are
    normalised first.

    Inventory: ST-12, ST-13.

    >>> float(mutual_information([[0.25, 0.25], [0.25, 0.25]]))
    0.0
    """
    table = np.asarray(joint, dtype=float)
    if table.ndim != 2 or table.size == 0:
        raise ValueError(f"joint: expected a 2-D table, got shape {table.shape}.")
    if not np.isfinite(table).all() or (table < 0).any() or table.sum() == 0:
        raise ValueError("joint: entries must be finite, >= 0 and not all zero.")
    pxy = table / table.sum()
    px = pxy.sum(axis=1, keepdims=True)  # (r, 1)
    py = pxy.sum(axis=0, keepdims=True)  # (1, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = special.xlogy(pxy, pxy) - special.xlogy(pxy, px * py)
    return float(_in_base(np.nansum(terms), base))
