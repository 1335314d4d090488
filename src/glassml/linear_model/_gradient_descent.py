"""Least squares by gradient descent: batch, mini-batch and stochastic (Inventory: LM-04).

All three minimise the mean squared error of centred data

    L(w) = 1/(2n) · ‖y_c − X_c w‖²,      ∇L(w) = −1/n · X_cᵀ (y_c − X_c w)

with the update ``w ← w − η ∇L`` on the whole data (batch), on shuffled mini-batches, or on one
sample at a time (stochastic). The intercept is recovered as ``b = ȳ − x̄·w`` by the caller.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._core import ConvergenceWarning, check_random_state

__all__ = ["largest_gram_eigenvalue", "least_squares_gradient_descent"]


def largest_gram_eigenvalue(X, *, n_iter: int = 60, random_state=0) -> float:
    """λ_max(XᵀX) by power iteration on ``v ← Xᵀ(Xv)`` (never forms XᵀX: O(n·p) a step)."""
    rng = check_random_state(random_state)
    v = rng.standard_normal(X.shape[1])  # (p,)
    v /= np.linalg.norm(v)
    lam = 0.0
    for _ in range(n_iter):
        u = X.T @ (X @ v)  # (p,)
        lam = float(np.linalg.norm(u))
        if lam == 0.0:
            return 0.0
        v = u / lam
    return lam


def least_squares_gradient_descent(
    Xc,
    yc,
    *,
    variant: str,
    learning_rate,
    n_epochs: int,
    batch_size: int,
    tol: float,
    random_state,
):
    """Minimise ``1/(2n)‖y_c − X_c w‖²`` by gradient descent.

    Parameters
    ----------
    Xc : (n, p) centred (and weight-scaled) design. yc : (n,) or (n, k) centred targets.
    variant : "gd" (batch), "minibatch" or "sgd" (batch of one sample).
    learning_rate : float or "auto". "auto" takes η = 1/L with L = λ_max(X_cᵀX_c)/n, the
        Lipschitz constant of ∇L (batch GD then decreases L monotonically); for the stochastic
        variants η₀ = b / max_i‖x_i‖² (capped at 1/L), decayed as η_e = η₀ / (1 + e) over
        epochs e so that the iterates converge despite the gradient noise.
    n_epochs : maximum passes over the data. tol : stop when ``max|Δw| ≤ tol·max(1, max|w|)``
        over an epoch.

    Returns
    -------
    w : (p,) or (p, k) ; n_epochs_run : int
    """
    n, p = Xc.shape
    rng = check_random_state(random_state)
    w = np.zeros((p,) + yc.shape[1:], dtype=Xc.dtype)  # (p,) or (p, k)
    lipschitz = largest_gram_eigenvalue(Xc) / n
    if lipschitz == 0.0:  # constant features: nothing to learn
        return w, 0
    if variant == "gd":
        batch_size = n
    elif variant == "sgd":
        batch_size = 1
    batch_size = min(batch_size, n)
    if learning_rate == "auto":
        if batch_size == n:
            eta0 = 1.0 / lipschitz
        else:
            max_row_norm2 = float(np.max(np.einsum("ij,ij->i", Xc, Xc)))
            eta0 = min(1.0 / lipschitz, batch_size / max(max_row_norm2, 1e-300))
    else:
        eta0 = float(learning_rate)

    for epoch in range(n_epochs):
        w_before = w.copy()
        if batch_size == n:
            residual = yc - Xc @ w  # (n,) or (n, k)
            w += eta0 / n * (Xc.T @ residual)  # w ← w − η ∇L
        else:
            eta = eta0 / (1.0 + epoch)  # Robbins–Monro: Σηₑ = ∞, Σηₑ² < ∞
            order = rng.permutation(n)
            for start in range(0, n, batch_size):  # one step per mini-batch (inherently serial)
                rows = order[start : start + batch_size]
                Xb = Xc[rows]  # (b, p)
                residual = yc[rows] - Xb @ w  # (b,) or (b, k)
                w += eta / rows.shape[0] * (Xb.T @ residual)
        step = float(np.max(np.abs(w - w_before)))
        if not np.isfinite(step):
            raise FloatingPointError(
                f"gradient descent diverged (learning_rate={learning_rate!r} is too large for "
                "this data); lower it or use learning_rate='auto'."
            )
        if step <= tol * max(1.0, float(np.max(np.abs(w)))):
            return w, epoch + 1
    warnings.warn(
        f"Gradient descent ({variant}) did not converge in n_epochs={n_epochs} epochs "
        f"(last max|Δw| = {step:.3e}, tol = {tol}); increase n_epochs or tol.",
        ConvergenceWarning,
    )
    return w, n_epochs
