"""L-BFGS with a strong-Wolfe line search (Nocedal & Wright, Algorithms 7.4, 3.5 and 3.6).

Used by :class:`LogisticRegression` and :class:`PoissonRegressor` for smooth objectives.

The search direction is ``d = −H_k ∇f`` where the inverse-Hessian approximation ``H_k`` is
applied implicitly by the *two-loop recursion* over the last ``m`` pairs
``s_i = x_{i+1} − x_i`` and ``y_i = ∇f_{i+1} − ∇f_i`` with ``ρ_i = 1/(y_iᵀ s_i)`` and the initial
scaling ``H⁰ = (s_{k−1}ᵀ y_{k−1} / y_{k−1}ᵀ y_{k−1}) I``. The step length satisfies the strong
Wolfe conditions ``f(x + a d) ≤ f(x) + c₁ a ∇fᵀd`` and ``|∇f(x + a d)ᵀd| ≤ c₂ |∇fᵀd|``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["lbfgs", "LbfgsResult"]


@dataclass
class LbfgsResult:
    x: np.ndarray
    fun: float
    grad: np.ndarray
    n_iter: int
    converged: bool
    message: str


def _two_loop(grad, pairs):
    """``H_k · grad`` by the two-loop recursion over ``pairs = [(s, y, ρ), ...]``."""
    q = grad.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * (s @ q)
        q -= a * y
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= (s @ y) / (y @ y)  # H⁰ = γ I
    for (s, y, rho), a in zip(pairs, reversed(alphas), strict=True):
        b = rho * (y @ q)
        q += (a - b) * s
    return q


def _cubic_min(a, fa, ga, b, fb, gb):
    """Minimiser of the cubic interpolating f and f' at a and b (None if not usable)."""
    d1 = ga + gb - 3.0 * (fa - fb) / (a - b)
    radicand = d1 * d1 - ga * gb
    if radicand < 0:
        return None
    d2 = np.sign(b - a) * np.sqrt(radicand)
    t = b - (b - a) * (gb + d2 - d1) / (gb - ga + 2.0 * d2)
    lo, hi = min(a, b), max(a, b)
    if not np.isfinite(t) or t <= lo or t >= hi:
        return None
    return t


def _wolfe_line_search(fun_grad, x, f0, g0, d, step, *, c1=1e-4, c2=0.9, max_evals=40):
    """Strong-Wolfe step length (bracketing phase + zoom). Returns (a, f, g, x_new) or None."""
    dphi0 = g0 @ d
    a_prev, f_prev, dphi_prev = 0.0, f0, dphi0
    a = step
    evals = 0

    def phi(alpha):
        x_new = x + alpha * d
        f, g = fun_grad(x_new)
        return f, g, g @ d, x_new

    def zoom(lo, f_lo, dphi_lo, hi, f_hi, dphi_hi):
        nonlocal evals
        while evals < max_evals:
            t = _cubic_min(lo, f_lo, dphi_lo, hi, f_hi, dphi_hi)
            width = abs(hi - lo)
            if t is None or abs(t - lo) < 0.1 * width or abs(t - hi) < 0.1 * width:
                t = 0.5 * (lo + hi)  # safeguard: bisection
            f, g, dphi, x_new = phi(t)
            evals += 1
            if f > f0 + c1 * t * dphi0 or f >= f_lo:
                hi, f_hi, dphi_hi = t, f, dphi
            else:
                if abs(dphi) <= -c2 * dphi0:
                    return t, f, g, x_new
                if dphi * (hi - lo) >= 0:
                    hi, f_hi, dphi_hi = lo, f_lo, dphi_lo
                lo, f_lo, dphi_lo = t, f, dphi
            if abs(hi - lo) < 1e-16 * max(1.0, abs(lo)):
                break
        # best effort: accept the lower end when it decreases f
        if lo > 0 and f_lo < f0:
            f, g, _, x_new = phi(lo)
            return lo, f, g, x_new
        return None

    while evals < max_evals:
        f, g, dphi, x_new = phi(a)
        evals += 1
        if not np.isfinite(f):
            a = 0.5 * (a_prev + a)
            continue
        if f > f0 + c1 * a * dphi0 or (evals > 1 and f >= f_prev):
            return zoom(a_prev, f_prev, dphi_prev, a, f, dphi)
        if abs(dphi) <= -c2 * dphi0:
            return a, f, g, x_new
        if dphi >= 0:
            return zoom(a, f, dphi, a_prev, f_prev, dphi_prev)
        a_prev, f_prev, dphi_prev = a, f, dphi
        a = 2.0 * a
    return None


_FTOL = 64 * np.finfo(np.float64).eps


def lbfgs(fun_grad, x0, *, max_iter=100, gtol=1e-5, m=10, ftol=_FTOL):
    """Minimise a smooth function by L-BFGS.

    Parameters
    ----------
    fun_grad : callable ``x -> (f, ∇f)`` on 1-D float64 arrays.
    x0 : initial point. max_iter : iterations. gtol : stop when ``max|∇f| ≤ gtol`` (like
    scipy's L-BFGS-B ``pgtol`` and scikit-learn's ``tol``). m : memory. ftol : stop when the
    relative decrease of f is below ftol (no more progress possible in floating point).

    Examples
    --------
    >>> res = lbfgs(lambda x: (float(((x - 3) ** 2).sum()), 2 * (x - 3)), np.zeros(2), gtol=1e-10)
    >>> res.x.round(8), res.converged
    (array([3., 3.]), True)
    """
    x = np.array(x0, dtype=np.float64)
    f, g = fun_grad(x)
    pairs: deque = deque(maxlen=m)
    for k in range(max_iter):
        if np.max(np.abs(g)) <= gtol:
            return LbfgsResult(x, f, g, k, True, "gradient below gtol")
        d = -_two_loop(g, list(pairs))
        if g @ d >= 0:  # not a descent direction: restart from steepest descent
            pairs.clear()
            d = -g
        step = 1.0 if pairs else min(1.0, 1.0 / max(np.abs(g).sum(), 1e-300))
        found = _wolfe_line_search(fun_grad, x, f, g, d, step)
        if found is None:
            if pairs:  # retry once along the steepest descent
                pairs.clear()
                d = -g
                found = _wolfe_line_search(fun_grad, x, f, g, d, 1.0 / max(np.abs(g).sum(), 1e-300))
            if found is None:
                return LbfgsResult(x, f, g, k, False, "line search failed")
        a, f_new, g_new, x_new = found
        s, y = x_new - x, g_new - g
        sy = s @ y
        if sy > 1e-10 * (y @ y):  # curvature condition keeps H positive definite
            pairs.append((s, y, 1.0 / sy))
        decrease = (f - f_new) / max(abs(f), abs(f_new), 1.0)
        x, f, g = x_new, f_new, g_new
        if decrease <= ftol:  # f has reached floating-point resolution: converged (as scipy)
            return LbfgsResult(x, f, g, k + 1, True, "relative decrease below ftol")
    converged = np.max(np.abs(g)) <= gtol
    return LbfgsResult(x, f, g, max_iter, converged, "max_iter reached")
