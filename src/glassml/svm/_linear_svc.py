"""Linear SVM (LinearSVC): hinge / squared-hinge loss with L2 penalty, as LIBLINEAR solves it.

Primal (y ∈ {−1, +1}, f(x) = w·x + b; E-14: the hinge needs ±1 labels and a raw score)::

    min_w  ½‖w‖² + Σ_i C_i ℓ(y_i f(x_i)),   ℓ(m) = max(0, 1 − m)   (hinge, LS-10)
                                             ℓ(m) = max(0, 1 − m)²  (squared hinge, LS-11)

The intercept is LIBLINEAR's: an extra constant feature of value ``intercept_scaling`` whose
weight is regularised too, b = intercept_scaling · w_{d+1}. Solvers:

* ``dual=True`` — LIBLINEAR's dual coordinate descent (Hsieh et al. 2008):
  min_α ½ αᵀ(Q + D)α − Σα, 0 ≤ α_i ≤ U_i, Q_ij = y_i y_j x_i·x_j, with U_i = C_i, D = 0 for the
  hinge and U_i = ∞, D_ii = 1/(2C_i) for the squared hinge; each coordinate step is
  α_i ← clip(α_i − G_i/(Q_ii + D_ii)), G_i = y_i w·x_i − 1 + D_ii α_i, keeping w = Σ y_i α_i x_i.
  The sweep is inherently sequential; it stops when max PG − min PG ≤ tol (projected gradient).
* ``dual=False`` (squared hinge only) — the smooth primal by L-BFGS (SciPy) with its exact
  gradient w − 2 Σ_i C_i y_i max(0, 1 − y_i f_i) x_i.

Multi-class is one-vs-rest. Hard margin (SV-01) is the limit C → ∞ of the kernel SVC
(``SVC(kernel="linear", C=np.inf)``).

Inventory: LM-15, SV-02, SV-06, LS-10, LS-11; claim CL-141.

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
>>> LinearSVC(C=10.0, loss="hinge", tol=1e-8, max_iter=100000).fit(X, [0, 0, 1, 1]).predict(
...     [[0.1, 0.5], [1.9, 0.5]])
array([0, 1])
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from glassml._core import (
    BaseEstimator,
    ClassifierMixin,
    ConvergenceWarning,
    check_classification_targets,
    check_in,
    check_random_state,
    check_scalar,
)

from ._base import check_positive_sample_weight, encode_classes

__all__ = ["LinearSVC", "hinge_loss", "squared_hinge_loss"]


def hinge_loss(y, scores) -> float:
    """Mean hinge loss max(0, 1 − y·s) for labels y ∈ {−1, +1} and raw scores s (LS-10).

    Example
    -------
    >>> hinge_loss([1, -1, 1], [2.0, -0.5, -1.0])
    0.8333333333333334
    """
    y, s = _signed(y, scores)
    return float(np.maximum(0.0, 1.0 - y * s).mean())


def squared_hinge_loss(y, scores) -> float:
    """Mean squared hinge max(0, 1 − y·s)² for y ∈ {−1, +1} and raw scores s (LS-11, SV-06).

    Example
    -------
    >>> squared_hinge_loss([1, -1], [0.5, 0.0])
    0.625
    """
    y, s = _signed(y, scores)
    return float((np.maximum(0.0, 1.0 - y * s) ** 2).mean())


def _signed(y, scores):
    y = np.asarray(y, dtype=np.float64).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if not np.isin(y, (-1.0, 1.0)).all():
        raise ValueError(
            f"y: the hinge loss needs labels in {{-1, +1}}, got values {np.unique(y)[:5]!r}."
        )
    if y.shape != s.shape:
        raise ValueError(f"scores: expected shape {y.shape} like y, got {s.shape}.")
    return y, s


def _dual_cd(Z, C, squared, tol, max_iter, rng):
    """LIBLINEAR's dual coordinate descent on Z = y ⊙ X_aug; returns (w, n_epochs)."""
    n, d = Z.shape
    diag = 0.5 / C if squared else np.zeros(n)  # (n,) D_ii
    upper = np.full(n, np.inf) if squared else C  # (n,) U_i
    QD = np.einsum("ij,ij->i", Z, Z) + diag  # (n,) Q_ii + D_ii
    alpha = [0.0] * n  # Python floats: the sweep below is scalar code
    w = np.zeros(d)
    rows = list(Z)  # row views: a Python-level sweep is what coordinate descent is
    diag_l, upper_l, QD_l = diag.tolist(), upper.tolist(), QD.tolist()
    for epoch in range(1, max_iter + 1):
        for i in rng.permutation(n).tolist():
            a = alpha[i]
            row = rows[i]
            G = float(row @ w) - 1.0 + diag_l[i] * a
            U = upper_l[i]
            if (a <= 0.0 and G >= 0.0) or (a >= U and G <= 0.0):
                continue  # projected gradient is 0
            new = min(max(a - G / QD_l[i], 0.0), U)
            if new != a:
                alpha[i] = new
                w += (new - a) * row
        # projected gradient over all coordinates (vectorized) for the stopping rule
        alpha_arr = np.asarray(alpha)  # (n,)
        G = Z @ w - 1.0 + diag * alpha_arr  # (n,)
        PG = np.where(
            alpha_arr <= 0, np.minimum(G, 0), np.where(alpha_arr >= upper, np.maximum(G, 0), G)
        )
        if PG.max() - PG.min() <= tol:
            return w, epoch
    warnings.warn(
        f"LinearSVC: dual coordinate descent did not converge in max_iter={max_iter} epochs; "
        "increase max_iter.",
        ConvergenceWarning,
        stacklevel=4,
    )
    return w, max_iter


def _primal_lbfgs(Z, C, tol, max_iter):
    """min ½‖w‖² + Σ C_i max(0, 1 − z_i·w)² by L-BFGS; returns (w, n_iter)."""
    from scipy.optimize import minimize

    def objective(w):
        slack = np.maximum(0.0, 1.0 - Z @ w)  # (n,)
        value = 0.5 * w @ w + C @ (slack * slack)
        grad = w - 2.0 * Z.T @ (C * slack)  # (d,)
        return value, grad

    res = minimize(
        objective,
        np.zeros(Z.shape[1]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-15, "maxcor": 20},
    )
    if not res.success and res.nit >= max_iter:
        warnings.warn(
            f"LinearSVC: L-BFGS did not converge in max_iter={max_iter} iterations.",
            ConvergenceWarning,
            stacklevel=4,
        )
    return res.x, res.nit


class LinearSVC(ClassifierMixin, BaseEstimator):
    """Linear support vector classifier (LIBLINEAR formulation). See the module docstring.

    Parameters
    ----------
    penalty : 'l2' (only).
    loss : 'squared_hinge' (default) | 'hinge'.
    dual : 'auto' | bool. 'auto' uses the primal for the squared hinge when n_samples >
        n_features, else the dual.
    tol : float, default 1e-4.
    C : float > 0, default 1.0.
    fit_intercept : bool, default True.
    intercept_scaling : float > 0, default 1.0 (value of the appended constant feature).
    class_weight : None | 'balanced' | dict.
    random_state : seed of the coordinate order.
    max_iter : int, default 1000 (epochs of CD or L-BFGS iterations).
    """

    def __init__(
        self,
        *,
        penalty="l2",
        loss="squared_hinge",
        dual="auto",
        tol=1e-4,
        C=1.0,
        fit_intercept=True,
        intercept_scaling=1.0,
        class_weight=None,
        random_state=None,
        max_iter=1000,
    ):
        self.penalty = penalty
        self.loss = loss
        self.dual = dual
        self.tol = tol
        self.C = C
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.random_state = random_state
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        """Fit one binary linear SVM (binary) or one per class (one-vs-rest)."""
        X, y = self._validate_data(X, y, dtype=np.float64)
        check_classification_targets(y)
        check_in(self.penalty, "penalty", ("l2",))
        check_in(self.loss, "loss", ("hinge", "squared_hinge"))
        check_in(self.dual, "dual", ("auto", True, False))
        check_scalar(self.C, "C", numbers.Real, min_val=0, include_boundaries="neither")
        check_scalar(self.tol, "tol", numbers.Real, min_val=0, include_boundaries="neither")
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.fit_intercept, "fit_intercept", bool)
        check_scalar(
            self.intercept_scaling,
            "intercept_scaling",
            numbers.Real,
            min_val=0,
            include_boundaries="neither",
        )
        squared = self.loss == "squared_hinge"
        dual = self.dual if self.dual != "auto" else not (squared and X.shape[0] > X.shape[1])
        if not dual and not squared:
            raise ValueError("dual: loss='hinge' is only solved in the dual; use dual=True.")
        self.classes_, y_index = encode_classes(y)
        n_classes = self.classes_.size
        sw = check_positive_sample_weight(sample_weight, X)
        cw = self._class_weights(y_index, n_classes)
        X_aug = (
            np.hstack([X, np.full((X.shape[0], 1), float(self.intercept_scaling))])
            if self.fit_intercept
            else X
        )  # (n, d+1)
        rng = check_random_state(self.random_state)
        targets = [1] if n_classes == 2 else range(n_classes)
        W, n_iter = [], 0
        for c in targets:
            sign = np.where(y_index == c, 1.0, -1.0)  # (n,)
            if n_classes == 2:
                C_i = float(self.C) * cw[y_index] * sw
            else:  # LIBLINEAR's one-vs-rest: the class weight scales the positives only
                C_i = float(self.C) * np.where(sign > 0, cw[c], 1.0) * sw
            keep = C_i > 0
            Z = sign[keep, None] * X_aug[keep]  # (n_keep, d+1)
            if dual:
                w, it = _dual_cd(Z, C_i[keep], squared, float(self.tol), int(self.max_iter), rng)
            else:
                w, it = _primal_lbfgs(Z, C_i[keep], float(self.tol), int(self.max_iter))
            W.append(w)
            n_iter = max(n_iter, it)
        W = np.vstack(W)  # (n_targets, d(+1))
        if self.fit_intercept:
            self.coef_ = W[:, :-1]
            self.intercept_ = float(self.intercept_scaling) * W[:, -1]
        else:
            self.coef_, self.intercept_ = W, np.zeros(W.shape[0])
        self.n_iter_ = n_iter
        return self

    def _class_weights(self, y_index, n_classes) -> np.ndarray:
        cw = self.class_weight
        if cw is None:
            return np.ones(n_classes)
        if isinstance(cw, str):
            check_in(cw, "class_weight", ("balanced",))
            return y_index.size / (n_classes * np.bincount(y_index, minlength=n_classes))
        if not isinstance(cw, dict):
            raise ValueError(f"class_weight: expected None, 'balanced' or a dict, got {cw!r}.")
        weights = np.ones(n_classes)
        for label, w in cw.items():
            hit = np.flatnonzero(self.classes_ == label)
            if hit.size == 0:
                raise ValueError(
                    f"class_weight: label {label!r} is not among the classes {self.classes_!r}."
                )
            weights[hit[0]] = w
        return weights

    def decision_function(self, X) -> np.ndarray:
        """Raw scores w·x + b: (n,) for two classes, (n, n_classes) otherwise."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        scores = X @ self.coef_.T + self.intercept_  # (n, n_targets)
        return scores[:, 0] if self.classes_.size == 2 else scores

    def predict(self, X) -> np.ndarray:
        """classes_[1] where the score is positive (binary); the argmax class otherwise."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]
