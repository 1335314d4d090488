"""Platt scaling and pairwise coupling: SVM decision values → class probabilities (LIBSVM).

Binary (Platt 1999, with the Lin–Lin–Weng 2007 Newton method LIBSVM uses)::

    P(y = +1 | f) = 1 / (1 + exp(A f + B)),

A, B minimising the cross-entropy against the smoothed targets t₊ = (N₊+1)/(N₊+2),
t₋ = 1/(N₋+2), the decision values f coming from an internal 5-fold cross-validation.

Multi-class (Wu, Lin & Weng 2004, "method 2"): from the pairwise probabilities r_ij the class
probabilities p solve  min_p ½ pᵀQp  s.t. Σp = 1, with Q_tt = Σ_{j≠t} r_jt², Q_tj = −r_jt r_tj,
by LIBSVM's fixed-point iteration — vectorized over the test samples here.

Inventory: SV-03 (probability=True of the SVC).
"""

from __future__ import annotations

import numpy as np

__all__ = ["sigmoid_train", "sigmoid_predict", "pairwise_coupling"]


def _cross_entropy(f: np.ndarray, targets: np.ndarray, A: float, B: float) -> float:
    z = f * A + B  # (n,)
    # t·z + log(1 + e^{−z}) written stably for both signs of z
    return float(
        np.sum(np.where(z >= 0, targets * z, (targets - 1) * z) + np.log1p(np.exp(-np.abs(z))))
    )


def sigmoid_train(decision: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Fit (A, B) of P(+1|f) = 1/(1+exp(Af+B)) by LIBSVM's Newton method with backtracking.

    ``labels`` > 0 marks the positive class. Returns (A, B).
    """
    f = np.asarray(decision, dtype=np.float64)  # (n,)
    positive = np.asarray(labels) > 0
    prior1 = float(positive.sum())
    prior0 = float(positive.size - prior1)
    targets = np.where(positive, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))  # (n,)
    A, B = 0.0, float(np.log((prior0 + 1) / (prior1 + 1)))
    fval = _cross_entropy(f, targets, A, B)
    sigma, eps, min_step = 1e-12, 1e-5, 1e-10
    for _ in range(100):
        z = f * A + B  # (n,)
        p = np.where(
            z >= 0, np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))), 1 / (1 + np.exp(-np.abs(z)))
        )
        q = 1 - p
        d2 = p * q  # (n,) Hessian weights
        h11 = sigma + float(f * f @ d2)
        h22 = sigma + float(d2.sum())
        h21 = float(f @ d2)
        d1 = targets - p
        g1, g2 = float(f @ d1), float(d1.sum())
        if abs(g1) < eps and abs(g2) < eps:
            break
        det = h11 * h22 - h21 * h21
        dA = -(h22 * g1 - h21 * g2) / det
        dB = -(-h21 * g1 + h11 * g2) / det
        gd = g1 * dA + g2 * dB
        step = 1.0
        while step >= min_step:
            newA, newB = A + step * dA, B + step * dB
            newf = _cross_entropy(f, targets, newA, newB)
            if newf < fval + 1e-4 * step * gd:
                A, B, fval = newA, newB, newf
                break
            step /= 2
        if step < min_step:
            break
    return A, B


def sigmoid_predict(decision: np.ndarray, A: float, B: float) -> np.ndarray:
    """P(+1|f) = 1/(1+exp(Af+B)), evaluated stably."""
    z = decision * A + B
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, e / (1 + e), 1 / (1 + e))


def pairwise_coupling(r: np.ndarray) -> np.ndarray:
    """Class probabilities (n, k) from pairwise probabilities r (n, k, k), r_ij + r_ji = 1.

    LIBSVM's ``multiclass_probability`` run on all samples at once; a sample stops changing
    once max_t |(Qp)_t − pᵀQp| < 0.005/k.
    """
    n, k, _ = r.shape
    rT = np.swapaxes(r, 1, 2)  # (n, k, k) rT[:, t, j] = r[:, j, t]
    Q = -rT * r  # (n, k, k) Q_tj = −r_jt r_tj
    diag = np.einsum("ntj,ntj->nt", rT, rT) - np.einsum("ntt->nt", rT) ** 2  # (n, k) Σ_{j≠t} r_jt²
    idx = np.arange(k)
    Q[:, idx, idx] = diag
    p = np.full((n, k), 1.0 / k)
    active = np.ones(n, dtype=bool)
    eps = 0.005 / k
    for _ in range(max(100, k)):
        Qp = np.einsum("ntj,nj->nt", Q, p)  # (n, k)
        pQp = np.einsum("nt,nt->n", p, Qp)  # (n,)
        active &= np.abs(Qp - pQp[:, None]).max(axis=1) >= eps
        if not active.any():
            break
        a = active
        for t in range(k):
            diff = (-Qp[a, t] + pQp[a]) / Q[a, t, t]  # (n_a,)
            p[a, t] += diff
            scale = 1 + diff
            pQp[a] = (pQp[a] + diff * (diff * Q[a, t, t] + 2 * Qp[a, t])) / scale**2
            Qp[a] = (Qp[a] + diff[:, None] * Q[a, t, :]) / scale[:, None]
            p[a] /= scale[:, None]
    return p
