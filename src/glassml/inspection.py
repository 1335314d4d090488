"""Model inspection: permutation feature importance (Inventory: TE-09).

The importance of feature j is the drop of a score when column j is shuffled, breaking its link
with the target while keeping its marginal distribution:

    I_j = s(model, X, y) − (1/R) Σ_r s(model, X^(j, r), y)

where ``X^(j, r)`` is X with column j permuted by the r-th random permutation. Unlike impurity
importances it is computed on any (held-out) data and any model, and it is not biased towards
high-cardinality features.

Example
-------
>>> import numpy as np
>>> from glassml.tree import DecisionTreeRegressor
>>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3)); y = X[:, 0]
>>> model = DecisionTreeRegressor(max_depth=4).fit(X, y)
>>> r = permutation_importance(model, X, y, n_repeats=3, random_state=0)
>>> int(np.argmax(r["importances_mean"]))
0
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed

from ._core import check_array, check_random_state, check_scalar

__all__ = ["permutation_importance"]


def _score(estimator, scoring, X, y, sample_weight):
    if scoring is None:
        if sample_weight is None:
            return float(estimator.score(X, y))
        return float(estimator.score(X, y, sample_weight=sample_weight))
    if callable(scoring):
        return float(scoring(estimator, X, y))
    from .metrics.scorer import get_scorer

    return float(get_scorer(scoring)(estimator, X, y, sample_weight=sample_weight))


def _permuted_scores(estimator, X, y, column, seeds, scoring, sample_weight):
    X_perm = X.copy()
    out = []
    for seed in seeds:
        order = np.random.default_rng(seed).permutation(X.shape[0])
        X_perm[:, column] = X[order, column]
        out.append(_score(estimator, scoring, X_perm, y, sample_weight))
    return out


def permutation_importance(
    estimator,
    X,
    y,
    *,
    scoring=None,
    n_repeats=5,
    n_jobs=None,
    random_state=None,
    sample_weight=None,
):
    """Permutation importance of every feature of a fitted ``estimator`` on (X, y).

    Parameters
    ----------
    estimator : fitted estimator with ``score`` (or use ``scoring``)
    X : array (n_samples, n_features); y : targets
    scoring : None (estimator.score), a scorer name, or a callable ``(est, X, y) -> float``
    n_repeats : int >= 1, permutations per feature
    n_jobs : joblib parallelism over features (no hard-coded backend)
    random_state : seed of the permutations (the same for every n_jobs)

    Returns
    -------
    dict with ``importances_mean`` (d,), ``importances_std`` (d,), ``importances`` (d, R).
    """
    check_scalar(n_repeats, "n_repeats", numbers.Integral, min_val=1)
    X = check_array(X, allow_nan=True)
    y = np.asarray(y)
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y: expected {X.shape[0]} targets (one per row of X), got {y.shape[0]}.")
    rng = check_random_state(random_state)
    seeds = rng.integers(0, 2**31 - 1, size=(X.shape[1], n_repeats))  # drawn before any job
    baseline = _score(estimator, scoring, X, y, sample_weight)
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_permuted_scores)(estimator, X, y, j, seeds[j], scoring, sample_weight)
        for j in range(X.shape[1])
    )
    importances = baseline - np.asarray(scores)  # (d, R)
    return {
        "importances_mean": importances.mean(axis=1),
        "importances_std": importances.std(axis=1),
        "importances": importances,
    }
