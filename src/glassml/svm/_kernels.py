"""Kernels for the SVMs: the named kernels, gamma resolution and the kernel trick's feature map.

The kernel functions themselves live in :mod:`glassml.metrics.pairwise`; this module picks one
by name, resolves ``gamma`` like scikit-learn and provides:

* ``poly2_feature_map``: the explicit feature map φ of the degree-2 polynomial kernel, so that
  (x·z + 1)² = φ(x)·φ(z) can be checked (the kernel trick, claim CL-074);
* ``KernelColumns``: the kernel columns the SMO solver asks for, behind an LRU cache of
  ``cache_size`` MB (the whole Gram matrix at once when it fits, like a warm LIBSVM cache).

Inventory: SV-07 (kernels as a module, explicit φ), SV-03 (gamma='scale' = 1/(d·Var(X))).

Example
-------
>>> import numpy as np
>>> x, z = np.array([[1.0, 2.0]]), np.array([[3.0, -1.0]])
>>> kernel = (x @ z.T + 1.0) ** 2  # O(d) work
>>> mapped = poly2_feature_map(x) @ poly2_feature_map(z).T  # O(d²) features
>>> kernel.item(), round(mapped.item(), 12)
(4.0, 4.0)
"""

from __future__ import annotations

import numbers
from collections import OrderedDict

import numpy as np

from glassml.metrics.pairwise import (
    linear_kernel,
    polynomial_kernel,
    rbf_kernel,
    sigmoid_kernel,
)

__all__ = ["KERNELS", "poly2_feature_map", "resolve_gamma", "kernel_matrix", "KernelColumns"]

KERNELS = ("linear", "poly", "rbf", "sigmoid", "precomputed")


def poly2_feature_map(X) -> np.ndarray:
    """Explicit feature map φ of the kernel k(x, z) = (x·z + 1)².

    φ(x) = (1, √2 x_1, …, √2 x_d, x_1², …, x_d², √2 x_i x_j for i < j), of length
    1 + 2d + d(d−1)/2, so that φ(x)·φ(z) = (x·z + 1)² — the kernel computes in O(d) the dot
    product of an O(d²)-dimensional map without building it (the kernel trick).

    Inventory: SV-07; claim CL-074.

    Example
    -------
    >>> poly2_feature_map(np.array([[1.0, 2.0]])).round(4)
    array([[1.    , 1.4142, 2.8284, 1.    , 4.    , 2.8284]])
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D array, got shape {X.shape}.")
    n, d = X.shape
    rows, cols = np.triu_indices(d, k=1)
    return np.hstack(
        [
            np.ones((n, 1)),  # (n, 1)   constant
            np.sqrt(2.0) * X,  # (n, d)   linear terms
            X * X,  # (n, d)   squares
            np.sqrt(2.0) * X[:, rows] * X[:, cols],  # (n, d(d-1)/2) cross terms
        ]
    )


def resolve_gamma(gamma, X: np.ndarray) -> float:
    """γ as a number: 'scale' → 1/(d·Var(X)) (1 when Var(X) = 0), 'auto' → 1/d, else γ > 0."""
    if isinstance(gamma, str):
        if gamma == "scale":
            var = float(X.var())
            return 1.0 / (X.shape[1] * var) if var != 0 else 1.0
        if gamma == "auto":
            return 1.0 / X.shape[1]
        raise ValueError(f"gamma: expected 'scale', 'auto' or a number > 0, got {gamma!r}.")
    if isinstance(gamma, bool) or not isinstance(gamma, numbers.Real) or not gamma > 0:
        raise ValueError(f"gamma: expected 'scale', 'auto' or a number > 0, got {gamma!r}.")
    return float(gamma)


def kernel_matrix(A, B, kernel: str, *, gamma: float, degree: int, coef0: float) -> np.ndarray:
    """k(a_i, b_j) for every pair of rows: (n_a, n_b), through glassml.metrics.pairwise."""
    if kernel == "linear":
        return linear_kernel(A, B)
    if kernel == "poly":
        return polynomial_kernel(A, B, degree=degree, gamma=gamma, coef0=coef0)
    if kernel == "rbf":
        return rbf_kernel(A, B, gamma=gamma)
    if kernel == "sigmoid":
        return sigmoid_kernel(A, B, gamma=gamma, coef0=coef0)
    if kernel == "precomputed":
        return np.asarray(A, dtype=np.float64)
    raise ValueError(f"kernel: expected one of {list(KERNELS)}, got {kernel!r}.")


class KernelColumns:
    """Columns K[:, t] of the training Gram matrix behind an LRU cache of ``cache_mb`` MB.

    When the whole (n, n) matrix fits in the cache it is computed at once by one BLAS call
    (every later request is a hit); otherwise columns are computed on demand and the least
    recently used one is evicted when the cache is full. ``diag`` holds K[t, t].
    """

    def __init__(self, X, kernel, *, gamma, degree, coef0, cache_mb, gram=None):
        self.X, self.kernel = X, kernel
        self.params = dict(gamma=gamma, degree=degree, coef0=coef0)
        n = X.shape[0]
        self.full = gram
        if self.full is None and (kernel == "precomputed" or n * n * 8 <= cache_mb * 2**20):
            self.full = kernel_matrix(X, X, kernel, **self.params)  # (n, n)
        if self.full is not None:
            self.diag = np.ascontiguousarray(np.diagonal(self.full))  # (n,)
        else:
            self.capacity = max(2, int(cache_mb * 2**20 // (8 * n)))
            self.cache: OrderedDict[int, np.ndarray] = OrderedDict()
            self.diag = self._diag()
        self.hits = self.misses = 0

    def _diag(self) -> np.ndarray:
        sq = np.einsum("ij,ij->i", self.X, self.X)  # (n,) x_t·x_t
        p = self.params
        if self.kernel == "linear":
            return sq
        if self.kernel == "rbf":
            return np.ones(self.X.shape[0])
        if self.kernel == "sigmoid":
            return np.tanh(p["gamma"] * sq + p["coef0"])
        return (p["gamma"] * sq + p["coef0"]) ** p["degree"]  # poly

    def column(self, t: int) -> np.ndarray:
        """K[:, t] (n,), read-only (row t of the symmetric matrix: contiguous in memory)."""
        if self.full is not None:
            return self.full[t]
        col = self.cache.get(t)
        if col is not None:
            self.hits += 1
            self.cache.move_to_end(t)
            return col
        self.misses += 1
        col = kernel_matrix(self.X, self.X[t : t + 1], self.kernel, **self.params)[:, 0]
        self.cache[t] = col
        if len(self.cache) > self.capacity:
            self.cache.popitem(last=False)  # evict the least recently used column
        return col
