"""Sequential minimal optimisation (SMO) for the SVM dual, as LIBSVM solves it.

The problem (SVC, SVR and hard margin all reduce to it)::

    min_α  ½ αᵀQα + pᵀα    subject to  0 ≤ α_t ≤ U_t,   yᵀα = Δ,
    Q_st = y_s y_t K(x_s, x_t),  y_t ∈ {−1, +1}.

Each iteration changes one pair (i, j) — the smallest update that keeps yᵀα fixed — chosen by
the second-order working-set selection WSS3 of Fan, Chen & Lin (2005) that LIBSVM uses:

* i = argmax_{t ∈ I_up} −y_t G_t  (I_up: y=+1 & α<U, or y=−1 & α>0; G = Qα + p the gradient);
* j = argmin_{t ∈ I_low, −y_tG_t < m} −(m + y_t G_t)² / (K_ii + K_jj − 2K_ij), the pair with the
  largest guaranteed decrease of the objective (I_low: y=+1 & α>0, or y=−1 & α<U).

It stops when the maximal violating pair gap m(α) − M(α) = max_{I_up} −yG − min_{I_low} −yG
falls below ``tol`` (LIBSVM's ``eps``). The two-variable sub-problem is solved in closed form
and clipped to the box exactly as LIBSVM does, then the gradient is updated with the two kernel
columns: G += Q_i Δα_i + Q_j Δα_j — O(n) NumPy per iteration, no Python loop over samples.
The bias comes from the free variables: ρ = mean of y_t G_t over 0 < α_t < U_t (or the middle
of the feasible interval when none is free); the decision function is Σ y_t α_t K(x_t, x) − ρ.

Inventory: SV-03 (SMO), SV-04 (support-vector bookkeeping), SV-05 (the same solver on the 2n
variables of ε-SVR).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from glassml._core import ConvergenceWarning

__all__ = ["SMOResult", "smo_solve"]

_TAU = 1e-12  # LIBSVM's guard for a non-positive curvature K_ii + K_jj − 2K_ij
_HARD_MARGIN_ALPHA = 1e9  # α this large under C = ∞ means the dual is unbounded


@dataclass
class SMOResult:
    alpha: np.ndarray  # (m,) the dual variables
    rho: float  # decision function = Σ y α K − ρ
    n_iter: int
    gradient: np.ndarray  # (m,) G = Qα + p at the solution
    objective: float  # ½αᵀQα + pᵀα


def smo_solve(
    column,
    diag: np.ndarray,
    y: np.ndarray,
    p: np.ndarray,
    upper: np.ndarray,
    *,
    tol: float = 1e-3,
    max_iter: int = -1,
) -> SMOResult:
    """Solve min ½αᵀQα + pᵀα, 0 ≤ α ≤ upper, yᵀα = 0 (α starts at 0) by SMO with WSS3.

    Parameters
    ----------
    column : callable t -> K[:, t] of shape (m,) (the unsigned kernel column; Q_t = y_t y K_t)
    diag : (m,) K[t, t]
    y : (m,) labels in {−1, +1} (float)
    p : (m,) linear term (−1 for C-SVC)
    upper : (m,) box bounds U_t (may be ∞: hard margin)
    tol : stopping tolerance on the maximal violating pair gap
    max_iter : iteration cap, −1 for none (a hard-margin problem is always capped)
    """
    m = y.shape[0]
    alpha = np.zeros(m)
    # F = −y ⊙ G: the quantity WSS3 compares; starts at −y ⊙ p since α = 0.
    F = -y * p  # (m,)
    positive = y > 0
    at_upper = upper <= 0  # (m,) α_t = U_t
    at_lower = np.ones(m, dtype=bool)  # (m,) α_t = 0
    up = np.where(positive, ~at_upper, ~at_lower)  # (m,) I_up
    low = np.where(positive, ~at_lower, ~at_upper)  # (m,) I_low
    hard = bool(np.isinf(upper).any())
    limit = max_iter if max_iter > 0 else (10_000_000 if not hard else 1_000_000)
    neg_inf, pos_inf = -np.inf, np.inf
    n_iter = 0
    converged = False
    score = np.empty(m)  # work buffers reused every iteration
    gain = np.empty(m)
    curvature = np.empty(m)
    while n_iter < limit:
        # ---- working set selection (WSS3); ties go to the last index like LIBSVM
        np.copyto(score, neg_inf)
        np.copyto(score, F, where=up)  # −y G over I_up
        i = m - 1 - int(np.argmax(score[::-1]))
        Gmax = score[i]
        np.copyto(score, pos_inf)
        np.copyto(score, F, where=low)  # −y G over I_low
        if Gmax - score.min() < tol:
            converged = True
            break
        K_i = column(i)  # (m,)
        # gain_j = (m − (−y_j G_j))² / (K_ii + K_jj − 2K_ij) over j ∈ I_low with a positive gap
        np.subtract(Gmax, score, out=gain)  # (m,) −∞ outside I_low
        np.maximum(gain, 0.0, out=gain)
        np.square(gain, out=gain)
        np.multiply(K_i, -2.0, out=curvature)
        curvature += diag
        curvature += diag[i]
        np.maximum(curvature, _TAU, out=curvature)  # LIBSVM's guard against K_ii+K_jj−2K_ij ≤ 0
        gain /= curvature
        j = m - 1 - int(np.argmax(gain[::-1]))
        if not gain[j] > 0:
            converged = True
            break
        K_j = column(j)
        n_iter += 1
        # ---- analytic solution of the two-variable sub-problem, clipped like LIBSVM
        yi, yj = float(y[i]), float(y[j])
        Ci, Cj = float(upper[i]), float(upper[j])
        ai, aj = float(alpha[i]), float(alpha[j])
        Gi, Gj = -yi * float(F[i]), -yj * float(F[j])
        quad = float(diag[i] + diag[j] - 2.0 * K_i[j])
        if quad <= 0:
            quad = _TAU
        if yi != yj:
            delta = (-Gi - Gj) / quad
            diff = ai - aj
            ai += delta
            aj += delta
            if diff > 0:
                if aj < 0:
                    aj, ai = 0.0, diff
            elif ai < 0:
                ai, aj = 0.0, -diff
            if diff > Ci - Cj:
                if ai > Ci:
                    ai, aj = Ci, Ci - diff
            elif aj > Cj:
                aj, ai = Cj, Cj + diff
        else:
            delta = (Gi - Gj) / quad
            total = ai + aj
            ai -= delta
            aj += delta
            if total > Ci:
                if ai > Ci:
                    ai, aj = Ci, total - Ci
            elif aj < 0:
                aj, ai = 0.0, total
            if total > Cj:
                if aj > Cj:
                    aj, ai = Cj, total - Cj
            elif ai < 0:
                ai, aj = 0.0, total
        dai, daj = ai - float(alpha[i]), aj - float(alpha[j])
        alpha[i], alpha[j] = ai, aj
        # ---- gradient update: G += y ⊙ (y_i Δα_i K_i + y_j Δα_j K_j), so F −= (...)
        F -= (yi * dai) * K_i
        F -= (yj * daj) * K_j
        for t, a in ((i, ai), (j, aj)):
            at_upper[t] = a >= upper[t]
            at_lower[t] = a <= 0.0
            up[t] = not at_upper[t] if positive[t] else not at_lower[t]
            low[t] = not at_lower[t] if positive[t] else not at_upper[t]
        if hard and max(ai, aj) > _HARD_MARGIN_ALPHA:
            raise ValueError(
                "C=inf (hard margin) is infeasible: the data are not separable in the kernel's "
                f"feature space (a dual variable exceeded {_HARD_MARGIN_ALPHA:g}). Use a finite C "
                "(soft margin)."
            )
    if not converged:
        if hard:
            raise ValueError(
                "C=inf (hard margin) did not converge: the data are probably not separable in "
                "the kernel's feature space. Use a finite C (soft margin)."
            )
        warnings.warn(
            f"SMO stopped after max_iter={limit} iterations before reaching tol={tol}; "
            "increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    G = -y * F  # (m,)
    return SMOResult(alpha, _rho(G, y, alpha, upper), n_iter, G, float(0.5 * alpha @ (G + p)))


def _rho(G, y, alpha, upper) -> float:
    """LIBSVM's ρ: the mean of y_t G_t over free α_t, else the midpoint of the bounds."""
    yG = y * G  # (m,)
    is_upper = alpha >= upper
    is_lower = alpha <= 0
    free = ~is_upper & ~is_lower
    if free.any():
        return float(yG[free].mean())
    # bounded variables constrain ρ from above (ub) or below (lb)
    ub_mask = (is_upper & (y < 0)) | (is_lower & (y > 0))
    lb_mask = (is_upper & (y > 0)) | (is_lower & (y < 0))
    ub = yG[ub_mask].min() if ub_mask.any() else np.inf
    lb = yG[lb_mask].max() if lb_mask.any() else -np.inf
    return float((ub + lb) / 2)
