"""Iterative (chained-equation) imputation: regress each feature on the others, round-robin."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import (
    BaseEstimator,
    ConvergenceWarning,
    TransformerMixin,
    check_in,
    check_is_fitted,
    clone,
)
from ..preprocessing._utils import input_feature_names
from ._base import IndicatorMixin, is_scalar_nan
from ._bayesian_ridge import BayesianRidge
from ._simple import SimpleImputer

ORDERS = ("ascending", "descending", "roman", "arabic", "random")


def _rng(random_state):
    """``RandomState`` for ints (scikit-learn's draws for the 'random' order), else as given."""
    if random_state is None or isinstance(random_state, numbers.Integral):
        return np.random.RandomState(random_state)
    if isinstance(random_state, np.random.RandomState | np.random.Generator):
        return random_state
    raise ValueError(f"random_state: expected None, an int or a generator, got {random_state!r}.")


class IterativeImputer(IndicatorMixin, TransformerMixin, BaseEstimator):
    """Multivariate imputation by chained equations (round-robin regression).

    Start from a simple fill (``initial_strategy``); then, for ``max_iter`` rounds, for every
    feature j with gaps (in ``imputation_order``): fit a regressor of x_j on all other
    features over the rows where x_j is observed, and overwrite the missing x_j by its
    prediction (or, with ``sample_posterior``, by a draw from the predictive normal, which makes
    each run one MICE imputation; see :func:`mice`). Stops early when

        max_i sum_j |X^(t) - X^(t-1)|_ij  <  tol * max |observed X|

    (the matrix infinity norm of the change). Default regressor: :class:`BayesianRidge`.
    Inventory: DP-11, DP-12. Same algorithm as scikit-learn's ``IterativeImputer``.

    Parameters
    ----------
    estimator : regressor or None (BayesianRidge)
    missing_values : np.nan
    sample_posterior : bool, default=False
    max_iter : int >= 0, default=10
    tol : float >= 0, default=1e-3
    initial_strategy : {"mean", "median", "most_frequent", "constant"}
    fill_value : for the "constant" initial strategy
    imputation_order : {"ascending", "descending", "roman", "arabic", "random"}
        "ascending": the feature with the fewest missing values first.
    skip_complete : bool, default=False
    min_value, max_value : float or array of shape (n_features,), clip imputations
    random_state : None, int or generator
    add_indicator, keep_empty_features : bool

    Example
    -------
    >>> X = [[1.0, 2.0], [2.0, 4.0], [3.0, np.nan], [4.0, 8.0]]
    >>> IterativeImputer(random_state=0).fit_transform(X)[2, 1].round(2)
    np.float64(6.0)
    """

    def __init__(
        self,
        *,
        estimator=None,
        missing_values=np.nan,
        sample_posterior=False,
        max_iter=10,
        tol=1e-3,
        initial_strategy="mean",
        fill_value=None,
        imputation_order="ascending",
        skip_complete=False,
        min_value=-np.inf,
        max_value=np.inf,
        verbose=0,
        random_state=None,
        add_indicator=False,
        keep_empty_features=False,
    ):
        self.estimator = estimator
        self.missing_values = missing_values
        self.sample_posterior = sample_posterior
        self.max_iter = max_iter
        self.tol = tol
        self.initial_strategy = initial_strategy
        self.fill_value = fill_value
        self.imputation_order = imputation_order
        self.skip_complete = skip_complete
        self.min_value = min_value
        self.max_value = max_value
        self.verbose = verbose
        self.random_state = random_state
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features

    # ------------------------------------------------------------------ helpers
    def _check_params(self):
        if not is_scalar_nan(self.missing_values):
            raise ValueError(
                f"missing_values: only np.nan is supported, got {self.missing_values!r}."
            )
        if (
            not isinstance(self.max_iter, numbers.Integral)
            or isinstance(self.max_iter, bool)
            or self.max_iter < 0
        ):
            raise ValueError(f"max_iter: expected an int >= 0, got {self.max_iter!r}.")
        if not isinstance(self.tol, numbers.Real) or self.tol < 0:
            raise ValueError(f"tol: expected a float >= 0, got {self.tol!r}.")
        check_in(self.imputation_order, "imputation_order", ORDERS)
        check_in(
            self.initial_strategy,
            "initial_strategy",
            ("mean", "median", "most_frequent", "constant"),
        )

    def _limit(self, value, name, n_features):
        limit = np.asarray(value, dtype=np.float64)
        if limit.ndim == 0:
            return np.full(n_features, float(limit))
        if limit.shape != (n_features,):
            raise ValueError(
                f"{name}: expected a scalar or an array of shape ({n_features},), got shape "
                f"{limit.shape}."
            )
        return limit

    def _ordered_features(self, mask):
        frac = mask.mean(axis=0)  # (p,) fraction missing
        idx = np.flatnonzero(frac) if self.skip_complete else np.arange(frac.shape[0])
        n_skip = frac.shape[0] - idx.shape[0]
        order = self.imputation_order
        if order == "roman":
            return idx
        if order == "arabic":
            return idx[::-1]
        if order == "ascending":
            return np.argsort(frac, kind="mergesort")[n_skip:]
        if order == "descending":
            return np.argsort(frac, kind="mergesort")[n_skip:][::-1]
        idx = idx.copy()
        self.random_state_.shuffle(idx)
        return idx

    def _impute_one(self, Xt, mask, j, others, estimator, fit):
        """Fit (if ``fit``) x_j ~ x_others on observed rows; fill x_j where missing."""
        miss = mask[:, j]
        if fit:
            estimator.fit(Xt[~miss][:, others], Xt[~miss, j])
        if not miss.any():
            return estimator
        X_test = Xt[miss][:, others]
        lo, hi = self._min_value[j], self._max_value[j]
        if self.sample_posterior:
            mus, sigmas = estimator.predict(X_test, return_std=True)
            values = np.array(mus, dtype=Xt.dtype)
            ok = (sigmas > 0) & (mus >= lo) & (mus <= hi)
            values[mus < lo], values[mus > hi] = lo, hi
            if ok.any():
                values[ok] = self._truncated_normal(mus[ok], sigmas[ok], lo, hi)
        else:
            values = np.clip(estimator.predict(X_test), lo, hi)
        Xt[miss, j] = values
        return estimator

    def _truncated_normal(self, mu, sigma, lo, hi):
        if np.isinf(lo) and np.isinf(hi):
            return mu + sigma * self.random_state_.standard_normal(mu.shape[0])
        from scipy import stats

        a, b = (lo - mu) / sigma, (hi - mu) / sigma
        return stats.truncnorm(a=a, b=b, loc=mu, scale=sigma).rvs(random_state=self.random_state_)

    def _initial(self, X, *, fit):
        mask_full = np.isnan(X)
        if fit:
            self.initial_imputer_ = SimpleImputer(
                strategy=self.initial_strategy,
                fill_value=self.fill_value,
                keep_empty_features=self.keep_empty_features,
            ).fit(X)
            self._valid_mask = ~mask_full.all(axis=0)
        Xt = self.initial_imputer_.transform(X).astype(X.dtype, copy=False)
        if self.keep_empty_features:
            mask = mask_full.copy()
            mask[:, ~self._valid_mask] = False
            Xobs = X.copy()
            Xobs[:, ~self._valid_mask] = 0.0
        else:
            mask = mask_full[:, self._valid_mask]
            Xobs = X[:, self._valid_mask]
        return Xobs, Xt, mask, mask_full

    # ------------------------------------------------------------------ API
    def fit_transform(self, X, y=None):
        """Run the chained-equation rounds on X and return the completed X."""
        self._check_params()
        self.random_state_ = _rng(self.random_state)
        base = BayesianRidge() if self.estimator is None else self.estimator
        X = self._validate_data(X, dtype=[np.float64, np.float32], allow_nan=True)
        X_obs, Xt, mask, mask_full = self._initial(X, fit=True)
        self._fit_indicator(mask_full)
        self.imputation_sequence_ = []
        self.n_features_with_missing_ = int(mask.any(axis=0).sum())
        if self.max_iter == 0 or np.all(mask) or Xt.shape[1] == 1:
            self.n_iter_ = 0
            return self._with_indicator(Xt, mask_full)
        p = Xt.shape[1]
        self._min_value = self._limit(self.min_value, "min_value", p)
        self._max_value = self._limit(self.max_value, "max_value", p)
        if not np.all(self._max_value > self._min_value):
            raise ValueError(
                "min_value/max_value: One (or more) features have min_value >= max_value."
            )
        order = self._ordered_features(mask)
        if not self.sample_posterior:
            Xt_previous = Xt.copy()
            normalized_tol = self.tol * np.max(np.abs(X_obs[~mask]))
        for n_iter in range(1, self.max_iter + 1):
            self.n_iter_ = n_iter
            if self.imputation_order == "random":
                order = self._ordered_features(mask)
            for j in order:
                others = np.concatenate([np.arange(j), np.arange(j + 1, p)])
                est = self._impute_one(Xt, mask, j, others, clone(base), fit=True)
                self.imputation_sequence_.append((j, others, est))
            if not self.sample_posterior:
                inf_norm = np.abs(Xt - Xt_previous).sum(axis=1).max()
                if inf_norm < normalized_tol:
                    break
                Xt_previous = Xt.copy()
        else:
            if not self.sample_posterior:
                warnings.warn(
                    "[IterativeImputer] Early stopping criterion not reached.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        Xt[~mask] = X_obs[~mask]
        return self._with_indicator(Xt, mask_full)

    def fit(self, X, y=None):
        """Fit the imputation models (same as ``fit_transform``, output discarded)."""
        self.fit_transform(X)
        return self

    def transform(self, X):
        """Replay the fitted sequence of regressions on new data."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=[np.float64, np.float32], allow_nan=True)
        X_obs, Xt, mask, mask_full = self._initial(X, fit=False)
        if self.n_iter_ == 0 or np.all(mask):
            return self._with_indicator(Xt, mask_full)
        for j, others, est in self.imputation_sequence_:
            self._impute_one(Xt, mask, j, others, est, fit=False)
        Xt[~mask] = X_obs[~mask]
        return self._with_indicator(Xt, mask_full)

    def get_feature_names_out(self, input_features=None):
        """Names of the kept columns, then the indicator names."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        kept = list(names if self.keep_empty_features else names[self._valid_mask])
        return np.asarray(kept + self._indicator_names(input_features), dtype=object)

    def _glassml_tags(self):
        return {"allow_nan": True}
