"""MICE: m stochastic chained-equation imputations, pooled with Rubin's rules."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._core import check_array, check_random_state
from ._iterative import IterativeImputer


def mice(X, m=5, *, max_iter=10, estimator=None, random_state=None, **imputer_params):
    """Multiple imputation by chained equations: ``m`` completed copies of X.

    Each copy runs :class:`IterativeImputer` with ``sample_posterior=True`` and its own seed,
    so the filled values are draws from the predictive distribution; the spread between the
    copies carries the uncertainty of the imputation into later estimates (pool them with
    :func:`pool_rubin`). Inventory: DP-12.

    Returns
    -------
    list of m ndarrays of the shape of X.

    Example
    -------
    >>> X = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 6.0], [4.0, 8.1]])
    >>> len(mice(X, m=3, random_state=0))
    3
    """
    if not isinstance(m, numbers.Integral) or isinstance(m, bool) or m < 1:
        raise ValueError(f"m: expected an int >= 1, got {m!r}.")
    X = check_array(X, allow_nan=True)
    seeds = check_random_state(random_state).integers(0, 2**31 - 1, size=m)
    out = []
    for seed in seeds:
        imputer = IterativeImputer(
            estimator=estimator,
            sample_posterior=True,
            max_iter=max_iter,
            random_state=int(seed),
            **imputer_params,
        )
        out.append(imputer.fit_transform(X))
    return out


@dataclass
class PooledEstimate:
    """Rubin's-rules result: estimate, variances, degrees of freedom and a confidence interval.

    Inventory: DP-12. Returned by :func:`pool_rubin` and :func:`pool_mean`.

    >>> pool_rubin([1.0, 3.0], [0.5, 0.5]).total_variance
    3.5
    """

    estimate: float
    within_variance: float
    between_variance: float
    total_variance: float
    df: float
    ci_low: float
    ci_high: float

    @property
    def std_error(self) -> float:
        return float(np.sqrt(self.total_variance))


def pool_rubin(estimates, variances, *, confidence=0.95):
    """Combine m estimates Q_i with sampling variances U_i (Rubin's rules).

        Q_bar = mean Q_i,   W = mean U_i,   B = var(Q_i, ddof=1),   T = W + (1 + 1/m) B
        df = (m - 1) (1 + W / ((1 + 1/m) B))^2,   CI = Q_bar +- t_{df} sqrt(T)

    Inventory: DP-12 (pooling the m imputed datasets).

    >>> pool_rubin([1.0, 1.2, 0.8], [0.01, 0.01, 0.01]).estimate
    1.0
    """
    q = np.asarray(estimates, dtype=np.float64).ravel()
    u = np.asarray(variances, dtype=np.float64).ravel()
    if q.shape != u.shape or q.size < 2:
        raise ValueError(
            "estimates, variances: expected two 1-D arrays of the same length m >= 2, got "
            f"lengths {q.size} and {u.size}."
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence: expected a value in (0, 1), got {confidence!r}.")
    m = q.size
    q_bar, w = q.mean(), u.mean()
    b = q.var(ddof=1)
    t = w + (1 + 1 / m) * b
    df = np.inf if b == 0 else (m - 1) * (1 + w / ((1 + 1 / m) * b)) ** 2
    half = stats.t.ppf(0.5 + confidence / 2, df) * np.sqrt(t)
    return PooledEstimate(
        float(q_bar),
        float(w),
        float(b),
        float(t),
        float(df),
        float(q_bar - half),
        float(q_bar + half),
    )


def pool_mean(datasets, column, *, confidence=0.95):
    """Pooled estimate of the mean of ``column`` over imputed datasets (Rubin's rules).

    Per dataset: Q_i = mean of the column, U_i = s_i^2 / n (squared standard error).
    Inventory: DP-12.

    >>> sets = [np.array([[1.0], [3.0]]), np.array([[1.0], [5.0]])]
    >>> pool_mean(sets, 0).estimate
    2.5
    """
    q = [np.mean(np.asarray(d)[:, column]) for d in datasets]
    u = [np.var(np.asarray(d)[:, column], ddof=1) / len(d) for d in datasets]
    return pool_rubin(q, u, confidence=confidence)
