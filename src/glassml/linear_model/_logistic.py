"""Logistic regression: binary (sigmoid) and multinomial (softmax) maximum likelihood with L2, L1
and elastic-net penalties (Inventory: LM-09, LM-10; claim CL-023)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np
import scipy.linalg
from scipy.special import expit, log_expit, logsumexp

from .._core import (
    BaseEstimator,
    ClassifierMixin,
    ConvergenceWarning,
    check_in,
    check_scalar,
)
from ._base import LinearClassifierMixin, check_positive_weights, encode_classes
from ._gradient_descent import largest_gram_eigenvalue
from ._lbfgs import lbfgs

__all__ = ["LogisticRegression"]


class _LogisticLoss:
    """``F(θ) = 1/S Σᵢ sᵢ ℓᵢ(θ) + (1 − ρ)/(2CS) ‖W‖²`` and its gradient/Hessian.

    θ = [W | b] of shape (K, p + 1) (K = 1 for two classes), flattened. Binary:
    ``ℓ = log(1 + e^z) − y z``, ``z = x·w + b``. Multinomial: ``ℓ = logsumexp(z) − z_y`` with
    ``z = W x + b``. Gradients: ``∇_W = 1/S (P − Y)ᵀ diag(s) X + (1 − ρ)/(CS) W``, ``∇_b =
    1/S Σ sᵢ(pᵢ − yᵢ)`` — one GEMM for the scores and one for the gradient; the intercept is not
    penalised. The L1 part ``ρ/(CS)‖W‖₁`` is handled by the proximal solver.
    """

    def __init__(self, X, y_index, sample_weight, n_classes, l2, fit_intercept):
        self.X = X  # (n, p)
        self.y = y_index  # (n,) int
        self.w = sample_weight  # (n,)
        self.S = float(sample_weight.sum())
        self.K = 1 if n_classes == 2 else n_classes
        self.l2 = l2  # (1 − ρ)/C, before dividing by S
        self.fit_intercept = fit_intercept

    def unpack(self, theta):
        theta = theta.reshape(self.K, -1)  # (K, p + 1) or (K, p)
        if self.fit_intercept:
            # contiguous copy of the (small) weights so that X @ Wᵀ goes straight to BLAS GEMM
            return np.ascontiguousarray(theta[:, :-1]), theta[:, -1]
        return theta, np.zeros(self.K)

    def scores(self, theta):
        W, b = self.unpack(theta)
        Z = self.X @ W.T  # (n, K), one GEMM
        Z += b
        return Z

    def loss_grad(self, theta):
        """Loss and gradient in one pass over X, block by block.

        Each row block ``X_b`` (≈4 MB, cache resident) is used twice while it is hot: once for
        the scores ``Z_bᵀ = W X_bᵀ`` (K, b) and once for the gradient ``R_bᵀ X_b`` — half the
        memory traffic of two separate passes over a large X. Scores are kept as (K, b) so that
        the softmax reductions run over the short class axis in contiguous vectors.
        """
        W, b = self.unpack(theta)
        n, p = self.X.shape
        scale_all = self.w / self.S  # (n,) sᵢ / S
        grad_W = np.zeros((self.K, p))
        grad_b = np.zeros(self.K)
        f = 0.0
        block = max(256, int(2**19 // max(p, 1)))  # ≈ 4 MB of float64 rows
        for start in range(0, n, block):
            Xb = self.X[start : start + block]  # (B, p) view
            yb = self.y[start : start + block]
            scale = scale_all[start : start + block]
            Zt = W @ Xb.T  # (K, B), one GEMM
            Zt += b[:, None]
            if self.K == 1:
                z = Zt[0]
                yf = yb.astype(float)
                # log(1 + e^z) − y z = −log σ(z) + (1 − y) z
                f += float(scale @ (-log_expit(z) + (1.0 - yf) * z))
                Rt = (expit(z) - yf)[None, :]  # p − y, (1, B)
            else:
                z_max = Zt.max(axis=0)  # stable logsumexp, reusing exp(Z − max) for softmax
                Rt = np.exp(Zt - z_max)  # (K, B)
                total = Rt.sum(axis=0)
                cols = np.arange(yb.shape[0])
                f += float(scale @ (z_max + np.log(total) - Zt[yb, cols]))
                Rt /= total  # softmax P
                Rt[yb, cols] -= 1.0  # P − Y without building Y
            Rt *= scale
            grad_W += Rt @ Xb  # (K, p), one GEMM on the cache-hot block
            grad_b += Rt.sum(axis=1)
        f += 0.5 * self.l2 / self.S * float(np.sum(W * W))
        grad_W += (self.l2 / self.S) * W
        grad = np.hstack([grad_W, grad_b[:, None]]) if self.fit_intercept else grad_W
        return f, grad.ravel()

    def hessian(self, theta):
        """Exact Hessian of F, shape (K(p + 1), K(p + 1)) — for the Newton solver."""
        Z = self.scores(theta)
        Xa = np.hstack([self.X, np.ones((self.X.shape[0], 1))]) if self.fit_intercept else self.X
        d = Xa.shape[1]
        sw = self.w / self.S
        penalty = np.full(d, self.l2 / self.S)
        if self.fit_intercept:
            penalty[-1] = 0.0
        if self.K == 1:
            p = expit(Z[:, 0])
            H = (Xa * (sw * p * (1 - p))[:, None]).T @ Xa  # Xᵀ diag(s p(1−p)) X
            H.flat[:: d + 1] += penalty
            return H
        P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))  # (n, K)
        H = np.empty((self.K, d, self.K, d))
        for k in range(self.K):
            for m in range(k, self.K):
                curvature = P[:, k] * ((k == m) - P[:, m]) * sw  # p_k(δ_km − p_m)
                block = (Xa * curvature[:, None]).T @ Xa  # (d, d)
                H[k, :, m, :] = block
                H[m, :, k, :] = block.T
        H = H.reshape(self.K * d, self.K * d)
        H.flat[:: self.K * d + 1] += np.tile(penalty, self.K)
        return H


def _newton(loss, theta, *, max_iter, tol):
    """Damped Newton (IRLS): ``θ ← θ − a H⁻¹∇F`` with Armijo backtracking on a."""
    f, g = loss.loss_grad(theta)
    for it in range(max_iter):
        if np.max(np.abs(g)) <= tol:
            return theta, it, True
        H = loss.hessian(theta)
        if loss.K == 1:
            step = scipy.linalg.solve(H, g, assume_a="pos", check_finite=False)
        else:  # singular: softmax is invariant to shifting all classes; take the min-norm step
            step = scipy.linalg.lstsq(H, g, check_finite=False)[0]
        a, slope = 1.0, g @ step
        while True:
            f_new, g_new = loss.loss_grad(theta - a * step)
            if f_new <= f - 1e-4 * a * slope or a < 1e-10:
                break
            # near the optimum f is at floating-point resolution: take the full Newton step when
            # f does not increase beyond rounding and the gradient shrinks
            if a == 1.0 and f_new <= f + 1e-13 * abs(f) and np.abs(g_new).max() < np.abs(g).max():
                break
            a *= 0.5
        if a < 1e-10:
            return theta, it, False
        theta = theta - a * step
        f, g = f_new, g_new
    return theta, max_iter, bool(np.max(np.abs(g)) <= tol)


def _proximal_gradient(loss, theta, l1, *, max_iter, tol):
    """FISTA with adaptive restart for ``F(θ) + l1‖W‖₁`` (step 1/L, L the Lipschitz bound).

    Proximal step: ``θ⁺ = S_{l1/L}(θ − ∇F(θ)/L)`` (soft-thresholding of W only, not b).
    Stops when the gradient mapping ``L·max|θ − θ⁺|`` falls below ``tol``.
    """
    shape = (loss.K, -1)
    penalised = np.ones_like(theta).reshape(shape)
    if loss.fit_intercept:
        penalised[:, -1] = 0.0
    penalised = penalised.ravel().astype(bool)

    def prox(v, t):
        out = v.copy()
        vp = v[penalised]
        out[penalised] = np.sign(vp) * np.maximum(np.abs(vp) - t * l1, 0.0)
        return out

    def objective(v, f):
        return f + l1 * float(np.abs(v[penalised]).sum())

    # Lipschitz constant of ∇F: λ_max([X 1]ᵀ diag(s) [X 1]) · (1/4 binary, 1/2 softmax) / S + l2/S
    Xa = np.hstack([loss.X, np.ones((loss.X.shape[0], 1))]) if loss.fit_intercept else loss.X
    curvature = 0.25 if loss.K == 1 else 0.5
    lam = largest_gram_eigenvalue(Xa * np.sqrt(loss.w)[:, None], n_iter=100)
    L = 1.01 * curvature * lam / loss.S + loss.l2 / loss.S
    x = theta.copy()
    z = x.copy()
    momentum = 1.0
    F_x = objective(x, loss.loss_grad(x)[0])
    for it in range(max_iter):
        g_z = loss.loss_grad(z)[1]
        x_new = prox(z - g_z / L, 1.0 / L)
        F_new = objective(x_new, loss.loss_grad(x_new)[0])
        if F_new > F_x:  # adaptive restart (O'Donoghue & Candès): drop the momentum
            momentum = 1.0
            g_x = loss.loss_grad(x)[1]
            x_new = prox(x - g_x / L, 1.0 / L)
            F_new = objective(x_new, loss.loss_grad(x_new)[0])
            z = x
        gradient_mapping = L * float(np.max(np.abs(x_new - z)))
        next_momentum = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * momentum**2))
        z = x_new + ((momentum - 1.0) / next_momentum) * (x_new - x)
        x, F_x, momentum = x_new, F_new, next_momentum
        if gradient_mapping <= tol:
            return x, it + 1, True
    return x, max_iter, False


class LogisticRegression(LinearClassifierMixin, ClassifierMixin, BaseEstimator):
    """Logistic regression by penalised maximum likelihood (Inventory: LM-09, LM-10).

    Minimises scikit-learn's objective

        C · Σᵢ sᵢ ℓᵢ(W, b) + (1 − ρ)/2 ‖W‖² + ρ ‖W‖₁

    where ℓ is the Bernoulli negative log-likelihood ``log(1 + e^z) − y z`` (two classes, one
    weight vector) or the multinomial ``logsumexp(z) − z_y`` (K ≥ 3 classes, softmax), and ρ is
    0 for ``penalty="l2"``, 1 for ``"l1"``, ``l1_ratio`` for ``"elasticnet"``; ``penalty=None``
    is the plain MLE (CL-023: minimising binary cross-entropy is maximising the Bernoulli
    likelihood). The intercept is never penalised. Internally the objective is divided by
    ``C·Σsᵢ`` (same minimiser, gradients of order one).

    Solvers: ``"lbfgs"`` (our L-BFGS with a strong-Wolfe line search; one GEMM per loss and
    gradient evaluation), ``"newton-cholesky"`` (Newton/IRLS with the exact Hessian; for small
    p), ``"proximal"`` (FISTA, accelerated proximal gradient with soft-thresholding; for
    ``"l1"``/``"elasticnet"``).

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet", None}, default="l2"
    C : float > 0, default=1.0 (inverse regularisation strength)
    l1_ratio : float in [0, 1] or None (only for "elasticnet")
    fit_intercept : bool, default=True
    solver : {"lbfgs", "newton-cholesky", "proximal"}, default="lbfgs"
    tol : float, default=1e-4 (max |gradient| of the scaled objective; gradient mapping for
        "proximal")
    max_iter : int, default=100
    warm_start : bool, default=False

    Attributes
    ----------
    classes_, coef_ (1, p) or (K, p), intercept_ (1,) or (K,), n_iter_ (1,)

    Examples
    --------
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> clf = LogisticRegression().fit(X, [0, 0, 1, 1])
    >>> clf.predict([[-3.0], [3.0]])
    array([0, 1])
    """

    def __init__(
        self,
        *,
        penalty="l2",
        C=1.0,
        l1_ratio=None,
        fit_intercept=True,
        solver="lbfgs",
        tol=1e-4,
        max_iter=100,
        warm_start=False,
    ):
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _check_params(self):
        check_in(self.penalty, "penalty", ("l2", "l1", "elasticnet", None))
        check_in(self.solver, "solver", ("lbfgs", "newton-cholesky", "proximal"))
        check_scalar(self.C, "C", numbers.Real, min_val=0.0, include_boundaries="neither")
        check_scalar(self.tol, "tol", numbers.Real, min_val=0.0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.fit_intercept, "fit_intercept", (bool, np.bool_))
        if self.penalty == "elasticnet":
            if self.l1_ratio is None:
                raise ValueError(
                    "l1_ratio: penalty='elasticnet' needs l1_ratio in [0, 1], got None."
                )
            check_scalar(self.l1_ratio, "l1_ratio", numbers.Real, min_val=0.0, max_val=1.0)
        if self.penalty in ("l1", "elasticnet") and self.solver != "proximal":
            raise ValueError(
                f"solver: {self.solver!r} handles only smooth penalties ('l2' or None); use "
                f"solver='proximal' for penalty={self.penalty!r}."
            )
        if self.penalty is None:
            return 0.0, 0.0
        rho = {"l2": 0.0, "l1": 1.0}.get(self.penalty, self.l1_ratio)
        return (1.0 - rho) / self.C, rho / self.C  # (l2, l1) strengths before dividing by S

    def fit(self, X, y, sample_weight=None):
        """Fit the model by penalised maximum likelihood."""
        l2, l1 = self._check_params()
        X, y = self._validate_data(X, y)
        X = X.astype(np.float64, copy=False)
        self.classes_, y_index = encode_classes(y, type(self).__name__)
        sample_weight = check_positive_weights(sample_weight, X)
        if sample_weight is None:
            sample_weight = np.ones(X.shape[0])
        n_classes = self.classes_.shape[0]
        loss = _LogisticLoss(X, y_index, sample_weight, n_classes, l2, self.fit_intercept)
        width = X.shape[1] + int(self.fit_intercept)
        theta = np.zeros(loss.K * width)
        if self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (loss.K, X.shape[1]):
            start = (
                np.hstack([self.coef_, self.intercept_[:, None]])
                if self.fit_intercept
                else self.coef_
            )
            theta = start.ravel().copy()
        if self.solver == "lbfgs":
            result = lbfgs(loss.loss_grad, theta, max_iter=self.max_iter, gtol=self.tol)
            theta, n_iter, converged = result.x, result.n_iter, result.converged
        elif self.solver == "newton-cholesky":
            theta, n_iter, converged = _newton(loss, theta, max_iter=self.max_iter, tol=self.tol)
        else:
            theta, n_iter, converged = _proximal_gradient(
                loss, theta, l1 / loss.S, max_iter=self.max_iter, tol=self.tol
            )
        if not converged:
            warnings.warn(
                f"{self.solver} failed to converge after {n_iter} iterations (tol={self.tol}); "
                "increase max_iter or scale the data.",
                ConvergenceWarning,
            )
        W, b = loss.unpack(theta)
        if loss.K > 1:  # softmax is invariant to a common shift: report the centred solution
            b = b - b.mean()
            if self.penalty is None:
                W = W - W.mean(axis=0)
        self.coef_ = np.ascontiguousarray(W)
        self.intercept_ = np.array(b, dtype=np.float64)
        self.n_iter_ = np.array([n_iter])
        return self

    def predict_proba(self, X):
        """Class probabilities: ``[1 − σ(z), σ(z)]`` or ``softmax(z)``, shape (n, n_classes)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))

    def predict_log_proba(self, X):
        """Log class probabilities, computed stably in log space."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        return scores - logsumexp(scores, axis=1, keepdims=True)
