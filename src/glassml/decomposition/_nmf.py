"""Non-negative matrix factorisation X ≈ W H with W, H >= 0 (topic modelling).

Inventory: DR-10 (the seed names topic modelling without a method; NMF is our choice).
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import (
    BaseEstimator,
    ConvergenceWarning,
    TransformerMixin,
    check_array,
    check_in,
    check_is_fitted,
    check_scalar,
)
from .._core.random import check_random_state
from ._base import _ComponentNamesMixin
from ._svd import _randomized_svd

__all__ = ["NMF", "beta_divergence", "initialize_nmf"]

EPSILON = np.finfo(np.float32).eps  # scikit-learn's guard against 0 ** negative and 0 / 0
_BETA = {"frobenius": 2.0, "kullback-leibler": 1.0, "itakura-saito": 0.0}


def _beta_to_float(beta_loss) -> float:
    return _BETA[beta_loss] if isinstance(beta_loss, str) else float(beta_loss)


def beta_divergence(X, W, H, beta, *, square_root: bool = False) -> float:
    """β-divergence D_β(X ‖ WH) summed over the entries.

    β = 2: ½‖X − WH‖_F²;  β = 1 (generalised KL): Σ x log(x/y) − x + y;
    β = 0 (Itakura–Saito): Σ x/y − log(x/y) − 1;  otherwise
    Σ (x^β + (β − 1) y^β − β x y^{β−1}) / (β(β − 1)).  Entries with x = 0 contribute only the
    y terms; y is floored at float32 eps. ``square_root`` returns √(2 D) (the Frobenius norm
    for β = 2), scikit-learn's ``reconstruction_err_``.

    Inventory: DR-10.

    Examples
    --------
    >>> X = np.array([[1.0, 2.0]]); W = np.array([[1.0]]); H = np.array([[1.0, 1.0]])
    >>> float(beta_divergence(X, W, H, "frobenius"))
    0.5
    """
    beta = _beta_to_float(beta)
    WH = W @ H  # (n, p)
    if beta == 2:
        diff = (X - WH).ravel()
        res = float(diff @ diff) / 2.0
        return float(np.sqrt(2 * res)) if square_root else res
    X_data, WH_data = X.ravel(), WH.ravel()
    nz = X_data > EPSILON
    x, y = X_data[nz], np.maximum(WH_data[nz], EPSILON)
    if beta == 1:
        res = float(x @ np.log(x / y)) + float(W.sum(axis=0) @ H.sum(axis=1)) - float(x.sum())
    elif beta == 0:
        ratio = x / y
        res = float(ratio.sum() - X.size - np.log(ratio).sum())
    else:
        res = float((x**beta).sum() - beta * (x @ y ** (beta - 1)) + (beta - 1) * (WH**beta).sum())
        res /= beta * (beta - 1)
    if square_root:
        return float(np.sqrt(2 * max(res, 0.0)))
    return res


def initialize_nmf(X, n_components: int, *, init="nndsvda", eps=1e-6, random_state=None):
    """Initial non-negative W (n, k), H (k, p).

    "random": |N(0, 1)|·√(mean(X)/k). "nndsvd" (Boutsidis & Gallopoulos 2008): from the top-k
    SVD, each singular pair (u, v) is replaced by the larger-norm one of its positive parts
    (u₊, v₊) or negative parts (u₋, v₋), scaled by √(σ·‖u±‖‖v±‖); "nndsvda" fills its zeros
    with mean(X) and "nndsvdar" with small random values. The SVD is our randomized SVD, so
    values agree with scikit-learn's up to the SVD's accuracy, not bit for bit.

    Inventory: DR-10.

    Examples
    --------
    >>> W, H = initialize_nmf(np.ones((4, 3)), 2, init="nndsvda", random_state=0)
    >>> W.shape, H.shape, bool((W >= 0).all() and (H >= 0).all())
    ((4, 2), (2, 3), True)
    """
    n, p = X.shape
    rng = check_random_state(random_state)
    if init == "random":
        avg = np.sqrt(X.mean() / n_components)
        H = np.abs(avg * rng.standard_normal(size=(n_components, p))).astype(X.dtype, copy=False)
        W = np.abs(avg * rng.standard_normal(size=(n, n_components))).astype(X.dtype, copy=False)
        return W, H
    if n_components > min(n, p):
        raise ValueError(
            f"init={init!r} can only be used when n_components <= min(n_samples, n_features)="
            f"{min(n, p)}; got n_components={n_components}. Use init='random'."
        )
    U, S, Vt = _randomized_svd(
        X,
        n_components,
        n_oversamples=10,
        n_iter="auto",
        power_iteration_normalizer="auto",
        transpose="auto",
        flip_sign=True,
        rng=rng,
    )
    W, H = np.zeros_like(U), np.zeros_like(Vt)
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])  # the leading pair is non-negative (Perron)
    H[0] = np.sqrt(S[0]) * np.abs(Vt[0])
    for j in range(1, n_components):
        x, y = U[:, j], Vt[j]
        x_p, y_p = np.maximum(x, 0), np.maximum(y, 0)
        x_n, y_n = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        x_p_nrm, y_p_nrm = np.linalg.norm(x_p), np.linalg.norm(y_p)
        x_n_nrm, y_n_nrm = np.linalg.norm(x_n), np.linalg.norm(y_n)
        m_p, m_n = x_p_nrm * y_p_nrm, x_n_nrm * y_n_nrm
        if m_p > m_n:
            u, v, sigma = x_p / x_p_nrm, y_p / y_p_nrm, m_p
        else:
            u, v, sigma = x_n / x_n_nrm, y_n / y_n_nrm, m_n
        lbd = np.sqrt(S[j] * sigma)
        W[:, j], H[j] = lbd * u, lbd * v
    W[W < eps] = 0
    H[H < eps] = 0
    if init == "nndsvda":
        avg = X.mean()
        W[W == 0] = avg
        H[H == 0] = avg
    elif init == "nndsvdar":
        avg = X.mean()
        W[W == 0] = np.abs(avg * rng.standard_normal(size=int((W == 0).sum())) / 100)
        H[H == 0] = np.abs(avg * rng.standard_normal(size=int((H == 0).sum())) / 100)
    return W, H


# ---------------------------------------------------------------------------- coordinate descent
def _cd_sweep(W, HHt, XHt, order):
    """One cyclic coordinate-descent sweep over the columns of W (HALS, Cichocki & Phan 2009).

    For column t, every row i is an independent 1-D problem, so the update is vectorised over
    rows: g = W HHtᵀ[:, t] − XHt[:, t]; W[:, t] ← max(0, W[:, t] − g / HHt[t, t]).
    Returns the sum of |projected gradient| (the stopping criterion's violation).
    """
    violation = 0.0
    for t in order:
        grad = W @ HHt[t] - XHt[:, t]  # (n,)
        projected = np.where(W[:, t] == 0, np.minimum(grad, 0.0), grad)
        violation += float(np.abs(projected).sum())
        hess = HHt[t, t]
        if hess != 0:
            W[:, t] = np.maximum(W[:, t] - grad / hess, 0.0)
    return violation


def _cd_update(X, W, Ht, l1, l2, order):
    HHt = Ht.T @ Ht  # (k, k)
    XHt = X @ Ht  # (n, k)
    if l2 != 0.0:
        HHt.flat[:: HHt.shape[0] + 1] += l2  # L2 adds to the diagonal
    if l1 != 0.0:
        XHt -= l1  # L1 shifts the linear term
    return _cd_sweep(W, HHt, XHt, order)


def _fit_cd(X, W, H, tol, max_iter, l1_W, l1_H, l2_W, l2_H, update_H, shuffle, rng):
    W = np.ascontiguousarray(W)
    Ht = np.ascontiguousarray(H.T)  # (p, k)
    k = W.shape[1]
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        order = rng.permutation(k) if shuffle else range(k)
        violation = _cd_update(X, W, Ht, l1_W, l2_W, order)
        if update_H:
            order = rng.permutation(k) if shuffle else range(k)
            violation += _cd_update(X.T, Ht, W, l1_H, l2_H, order)
        if n_iter == 1:
            violation_init = violation
        if violation_init == 0 or violation / violation_init <= tol:
            break
    return W, Ht.T, n_iter


# ---------------------------------------------------------------------------- multiplicative
def _mu_ratio_terms(X, W, H, beta):
    """(X ⊙ (WH)^{β−2}, (WH)^{β−1}) with scikit-learn's EPSILON floors (β ≠ 2)."""
    WH = W @ H  # (n, p)
    WH_num = WH.copy()
    if beta < 2:
        WH_num[WH_num < EPSILON] = EPSILON
    if beta == 1:
        num = X / WH_num
    elif beta == 0:
        num = X * WH_num**-2.0
    else:
        num = X * WH_num ** (beta - 2)
    if beta < 1:
        WH[WH < EPSILON] = EPSILON
    return num, WH ** (beta - 1) if beta != 1 else None


def _mu_update_W(X, W, H, beta, l1, l2, gamma):
    """W ← W ⊙ [(X ⊙ (WH)^{β−2}) Hᵀ / ((WH)^{β−1} Hᵀ + l1 + l2 W)]^γ (Févotte & Idier 2011)."""
    if beta == 2:
        numerator = X @ H.T  # (n, k)
        denominator = W @ (H @ H.T)
    else:
        num, den = _mu_ratio_terms(X, W, H, beta)
        numerator = num @ H.T
        denominator = np.broadcast_to(H.sum(axis=1), W.shape).copy() if beta == 1 else den @ H.T
    if l1 > 0:
        denominator += l1
    if l2 > 0:
        denominator = denominator + l2 * W
    denominator[denominator == 0] = EPSILON
    delta = numerator / denominator
    if gamma != 1:
        delta **= gamma
    W *= delta
    return W


def _mu_update_H(X, W, H, beta, l1, l2, gamma):
    """H ← H ⊙ [Wᵀ(X ⊙ (WH)^{β−2}) / (Wᵀ(WH)^{β−1} + l1 + l2 H)]^γ."""
    if beta == 2:
        numerator = W.T @ X  # (k, p)
        denominator = (W.T @ W) @ H
    else:
        num, den = _mu_ratio_terms(X, W, H, beta)
        numerator = W.T @ num
        if beta == 1:
            W_sum = W.sum(axis=0)
            W_sum[W_sum == 0] = 1.0
            denominator = np.broadcast_to(W_sum[:, None], H.shape).copy()
        else:
            denominator = W.T @ den
    if l1 > 0:
        denominator += l1
    if l2 > 0:
        denominator = denominator + l2 * H
    denominator[denominator == 0] = EPSILON
    delta = numerator / denominator
    if gamma != 1:
        delta **= gamma
    H *= delta
    return H


def _fit_mu(X, W, H, beta, max_iter, tol, l1_W, l1_H, l2_W, l2_H, update_H):
    gamma = 1.0 / (2.0 - beta) if beta < 1 else (1.0 / (beta - 1.0) if beta > 2 else 1.0)
    error_at_init = beta_divergence(X, W, H, beta, square_root=True)
    previous_error = error_at_init
    tiny = np.finfo(np.float64).eps
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        W = _mu_update_W(X, W, H, beta, l1_W, l2_W, gamma)
        if beta < 1:
            W[W < tiny] = 0.0
        if update_H:
            H = _mu_update_H(X, W, H, beta, l1_H, l2_H, gamma)
            if beta <= 1:
                H[H < tiny] = 0.0
        if tol > 0 and n_iter % 10 == 0:  # check every 10 iterations, as scikit-learn does
            error = beta_divergence(X, W, H, beta, square_root=True)
            if (previous_error - error) / error_at_init < tol:
                break
            previous_error = error
    return W, H, n_iter


class NMF(_ComponentNamesMixin, TransformerMixin, BaseEstimator):
    """Non-negative matrix factorisation: min_{W,H >= 0} D_β(X ‖ W H) + regularisation.

    X (n documents × p terms) ≈ W (n × k document-topic weights) · H (k × p topics). The
    regularisation is scikit-learn's: α_W·p·(l1_ratio‖W‖₁ + ½(1 − l1_ratio)‖W‖_F²) +
    α_H·n·(l1_ratio‖H‖₁ + ½(1 − l1_ratio)‖H‖_F²).

    Solvers: "cd" (coordinate descent / HALS, Frobenius only; columns of W updated in closed
    form, vectorised over rows) and "mu" (Lee–Seung multiplicative updates generalised to the
    β-divergence by Févotte & Idier: Frobenius, Kullback–Leibler, Itakura–Saito, any β). The
    stopping rules match scikit-learn's, so with the same initial W, H (``init="custom"``)
    the factors agree with scikit-learn's to round-off.

    Inventory: DR-10.

    Parameters
    ----------
    n_components : int, None or "auto"
        k ("auto": from a custom H, else n_features; None: n_features).
    init : None, "random", "nndsvd", "nndsvda", "nndsvdar" or "custom"
        None: "nndsvda" if k <= min(n, p) else "random".
    solver : {"cd", "mu"}
    beta_loss : float or {"frobenius", "kullback-leibler", "itakura-saito"}
    tol : float
        Relative stopping tolerance.
    max_iter : int
    random_state : None, int or numpy.random.Generator
    alpha_W, alpha_H : float (alpha_H may be "same")
    l1_ratio : float in [0, 1]
    shuffle : bool
        Randomise the coordinate order of "cd".

    Attributes
    ----------
    components_ : (k, p) H.  n_components_ : int.  reconstruction_err_ : √(2 D_β).
    n_iter_ : int.

    Examples
    --------
    >>> X = np.abs(np.random.default_rng(0).normal(size=(20, 6)))
    >>> model = NMF(n_components=2, max_iter=500, random_state=0)
    >>> W = model.fit_transform(X)
    >>> W.shape, model.components_.shape, bool((W >= 0).all())
    ((20, 2), (2, 6), True)
    """

    def __init__(
        self,
        n_components="auto",
        *,
        init=None,
        solver="cd",
        beta_loss="frobenius",
        tol=1e-4,
        max_iter=200,
        random_state=None,
        alpha_W=0.0,
        alpha_H="same",
        l1_ratio=0.0,
        shuffle=False,
    ):
        self.n_components = n_components
        self.init = init
        self.solver = solver
        self.beta_loss = beta_loss
        self.tol = tol
        self.max_iter = max_iter
        self.random_state = random_state
        self.alpha_W = alpha_W
        self.alpha_H = alpha_H
        self.l1_ratio = l1_ratio
        self.shuffle = shuffle

    def _check_params(self):
        k = self.n_components
        if not (k is None or (isinstance(k, str) and k == "auto")):
            check_scalar(k, "n_components", numbers.Integral, min_val=1)
        check_in(self.init, "init", (None, "random", "nndsvd", "nndsvda", "nndsvdar", "custom"))
        check_in(self.solver, "solver", ("cd", "mu"))
        if isinstance(self.beta_loss, str):
            check_in(self.beta_loss, "beta_loss", tuple(_BETA))
        else:
            check_scalar(self.beta_loss, "beta_loss", numbers.Real)
        self._beta = _beta_to_float(self.beta_loss)
        if self.solver == "cd" and self._beta != 2:
            raise ValueError(
                f"beta_loss: solver 'cd' handles only 'frobenius'; got {self.beta_loss!r}. "
                "Use solver='mu'."
            )
        check_scalar(self.tol, "tol", numbers.Real, min_val=0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.alpha_W, "alpha_W", numbers.Real, min_val=0)
        if not (isinstance(self.alpha_H, str) and self.alpha_H == "same"):
            check_scalar(self.alpha_H, "alpha_H", numbers.Real, min_val=0)
        check_scalar(self.l1_ratio, "l1_ratio", numbers.Real, min_val=0, max_val=1)
        if self.solver == "mu" and self.init == "nndsvd":
            warnings.warn(
                "The multiplicative update ('mu') solver cannot update zeros present in the "
                "initialization (init='nndsvd'); use init='nndsvda' or 'nndsvdar'.",
                UserWarning,
            )

    def _validate_X(self, X, reset):
        X = self._validate_data(X, reset=reset, dtype=[np.float64, np.float32])
        if X.min() < 0:
            raise ValueError(
                f"Negative values in data passed to NMF (X); got minimum {X.min():.4g}. "
                "NMF needs a non-negative matrix."
            )
        if self._beta <= 0 and X.min() == 0:
            raise ValueError(
                "When beta_loss <= 0 and X contains zeros, the solver may diverge. Please add "
                "small values to X, or use a positive beta_loss."
            )
        return X

    def _regularization(self, n, p):
        alpha_H = self.alpha_W if isinstance(self.alpha_H, str) else self.alpha_H
        l1_W = p * self.alpha_W * self.l1_ratio
        l1_H = n * alpha_H * self.l1_ratio
        l2_W = p * self.alpha_W * (1.0 - self.l1_ratio)
        l2_H = n * alpha_H * (1.0 - self.l1_ratio)
        return l1_W, l1_H, l2_W, l2_H

    def _run(self, X, W, H, update_H):
        n, p = X.shape
        l1_W, l1_H, l2_W, l2_H = self._regularization(n, p)
        if self.solver == "cd":
            W, H, n_iter = _fit_cd(
                X,
                W,
                H,
                self.tol,
                self.max_iter,
                l1_W,
                l1_H,
                l2_W,
                l2_H,
                update_H,
                self.shuffle,
                check_random_state(self.random_state),
            )
        else:
            W, H, n_iter = _fit_mu(
                X, W, H, self._beta, self.max_iter, self.tol, l1_W, l1_H, l2_W, l2_H, update_H
            )
        if n_iter == self.max_iter and self.tol > 0:
            warnings.warn(
                f"Maximum number of iterations {self.max_iter} reached. Increase it to improve "
                "convergence.",
                ConvergenceWarning,
            )
        return W, H, n_iter

    def fit(self, X, y=None, W=None, H=None):
        """Fit W, H to ``X`` (n, p) >= 0; ``y`` is ignored."""
        self.fit_transform(X, W=W, H=H)
        return self

    def fit_transform(self, X, y=None, W=None, H=None):
        """Fit and return W (n, k). ``W``, ``H`` are the starting point when init="custom"."""
        self._check_params()
        X = self._validate_X(X, reset=True)
        n, p = X.shape
        k = self.n_components
        if self.init == "custom":
            if W is None or H is None:
                raise ValueError("init='custom' needs both W and H passed to fit / fit_transform.")
            H = check_array(H, name="H", dtype=None)
            W = check_array(W, name="W", dtype=None)
            if k in (None, "auto"):
                k = H.shape[0] if k == "auto" else p
            for name, M, shape in (("H", H, (k, p)), ("W", W, (n, k))):
                if M.shape != shape:
                    raise ValueError(f"{name}: expected shape {shape}, got {M.shape}.")
                if M.min() < 0:
                    raise ValueError(f"{name}: Negative values in the custom init {name}.")
                if M.dtype != X.dtype:
                    raise TypeError(f"{name}: dtype {M.dtype} must equal X's dtype {X.dtype}.")
            W, H = W.copy(), H.copy()
        else:
            k = p if k in (None, "auto") else k
            init = self.init
            if init is None:
                init = "nndsvda" if k <= min(n, p) else "random"
            W, H = initialize_nmf(X, k, init=init, random_state=self.random_state)
        W, H, n_iter = self._run(X, W, H, update_H=True)
        self.reconstruction_err_ = beta_divergence(X, W, H, self._beta, square_root=True)
        self.n_components_ = H.shape[0]
        self.components_ = H
        self.n_iter_ = n_iter
        return W

    def transform(self, X):
        """W for new rows with H = ``components_`` fixed (the same solver, W-steps only)."""
        check_is_fitted(self)
        self._check_params()
        X = self._validate_X(X, reset=False)
        k = self.components_.shape[0]
        if self.solver == "mu":
            W = np.full((X.shape[0], k), np.sqrt(X.mean() / k), dtype=X.dtype)
        else:
            W = np.zeros((X.shape[0], k), dtype=X.dtype)
        W, _, _ = self._run(X, W, self.components_, update_H=False)
        return W

    def inverse_transform(self, X):
        """X̂ = W H (n, p)."""
        check_is_fitted(self)
        W = check_array(X, name="X", dtype=[np.float64, np.float32], estimator="NMF")
        return W @ self.components_

    def _glassml_tags(self):
        return {"positive_only": True, "preserves_dtype": ["float64", "float32"]}
