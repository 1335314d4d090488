"""ε-support vector regression (SVR) by SMO on the 2n-variable dual, as LIBSVM.

The ε-insensitive loss max(0, |y − f(x)| − ε) with ½‖w‖² regularisation has the dual

    min ½ (α − α*)ᵀ K (α − α*) + ε Σ (α_t + α*_t) − Σ z_t (α_t − α*_t)
    s.t.  0 ≤ α_t, α*_t ≤ C,   Σ (α_t − α*_t) = 0,

which is the SMO problem of :mod:`._smo` on 2n variables β = (α, α*) with labels
y = (+1…, −1…), linear term p = (ε − z, ε + z) and Q_st = y_s y_t K(x_{s mod n}, x_{t mod n}).
Then f(x) = Σ_t (α_t − α*_t) K(x_t, x) − ρ; the support vectors are the samples outside or on
the ε-tube (α_t ≠ α*_t).

Inventory: SV-05.

Example
-------
>>> import numpy as np
>>> X = np.arange(6.0)[:, None]  # y = 2x + 1: the flattest line within ±ε is 1.96x + 1.1
>>> SVR(kernel="linear", C=100.0, epsilon=0.1).fit(X, 2 * X[:, 0] + 1).predict([[10.0]]).round(2)
array([20.7])
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import RegressorMixin, check_scalar

from ._base import _KernelSVM, check_positive_sample_weight
from ._smo import smo_solve

__all__ = ["SVR"]


class SVR(RegressorMixin, _KernelSVM):
    """ε-SVR solved by SMO (LIBSVM's formulation). See the module docstring.

    Parameters
    ----------
    kernel, degree, gamma, coef0, tol, C, shrinking, cache_size, max_iter : as in :class:`SVC`.
    epsilon : float >= 0, default 0.1. Half-width of the insensitive tube.
    """

    def __init__(
        self,
        *,
        kernel="rbf",
        degree=3,
        gamma="scale",
        coef0=0.0,
        tol=1e-3,
        C=1.0,
        epsilon=0.1,
        shrinking=True,
        cache_size=200,
        max_iter=-1,
    ):
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.tol = tol
        self.C = C
        self.epsilon = epsilon
        self.shrinking = shrinking
        self.cache_size = cache_size
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        """Solve the 2n-variable dual; returns ``self``."""
        X, y = self._validate_data(X, y, dtype=np.float64, y_numeric=True)
        self._check_common(X)
        check_scalar(self.epsilon, "epsilon", numbers.Real, min_val=0)
        if not np.isfinite(self.C):
            raise ValueError(f"C: expected a finite number > 0 for SVR, got {self.C!r}.")
        sw = check_positive_sample_weight(sample_weight, X)
        self.shape_fit_ = X.shape
        keep = np.flatnonzero(sw > 0)  # LIBSVM drops samples whose weight is 0
        Xk, z = X[keep], y[keep].astype(np.float64)
        n = keep.size
        columns = self._columns(
            Xk, gram=None if self.kernel != "precomputed" else X[np.ix_(keep, keep)]
        )

        def column(t: int) -> np.ndarray:  # K[:, t mod n] for the 2n variables
            k = columns.column(t % n)
            return np.concatenate([k, k])  # (2n,)

        eps = float(self.epsilon)
        result = smo_solve(
            column,
            np.concatenate([columns.diag, columns.diag]),
            np.concatenate([np.ones(n), -np.ones(n)]),
            np.concatenate([eps - z, eps + z]),
            np.tile(float(self.C) * sw[keep], 2),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
        )
        coef = result.alpha[:n] - result.alpha[n:]  # (n,) α − α*
        sv = np.flatnonzero(coef != 0)
        self.support_ = keep[sv].astype(np.int32)
        self.support_vectors_ = (
            X[self.support_] if self.kernel != "precomputed" else np.zeros((0, 0))
        )
        self.dual_coef_ = coef[sv][None, :]  # (1, n_SV)
        self.intercept_ = np.array([-result.rho])
        self._n_support = np.array([sv.size], dtype=np.int32)
        self.n_iter_ = result.n_iter
        self.fit_status_ = 0
        return self

    @property
    def coef_(self) -> np.ndarray:
        """w = Σ (α_t − α*_t) x_t (linear kernel only): (1, n_features)."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel")
        return self.dual_coef_ @ self.support_vectors_

    def predict(self, X) -> np.ndarray:
        """f(x) = Σ (α_t − α*_t) K(x_t, x) + intercept: (n,)."""
        X = self._validate_predict_input(X)
        return self._test_kernel(X) @ self.dual_coef_[0] + self.intercept_[0]
