"""Bagging: bootstrap aggregation of any base estimator (Inventory: TE-10, TE-08).

Each of the B members is fitted on ``max_samples`` rows drawn with replacement (``bootstrap``)
or without, and on ``max_features`` columns drawn with or without replacement
(``bootstrap_features``). Aggregation:

    classifier: p̂(k | x) = (1/B) Σ_b p̂_b(k | x)   (members without predict_proba vote: one-hot)
    regressor:  ŷ(x) = (1/B) Σ_b ŷ_b(x)

Averaging B models with variance σ² and pairwise correlation ρ leaves variance
``ρσ² + (1 − ρ)σ²/B`` — bagging removes the second term. The out-of-bag estimate scores each
sample with the members that did not see it.

Example
-------
>>> import numpy as np
>>> from glassml.ensemble import BaggingRegressor
>>> rng = np.random.default_rng(0); X = rng.normal(size=(80, 2)); y = X[:, 0] ** 2
>>> BaggingRegressor(n_estimators=10, random_state=0).fit(X, y).score(X, y) > 0.8
True
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed

from .._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_classification_targets,
    check_in,
    check_is_fitted,
    check_random_state,
    check_scalar,
    clone,
)
from ..tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["BaggingClassifier", "BaggingRegressor"]


def _draw_count(value, total, name):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        check_scalar(value, name, numbers.Integral, min_val=1, max_val=total)
        return int(value)
    check_scalar(value, name, numbers.Real, min_val=0.0, max_val=1.0, include_boundaries="right")
    return max(1, int(value * total))


def _fit_member(estimator, X, y, rows, cols, seed):
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=seed)
    estimator.fit(X[np.ix_(rows, cols)], y[rows])
    return estimator


class BaseBagging(BaseEstimator):
    """Shared code of the bagging classifier and regressor."""

    def __init__(
        self,
        *,
        estimator=None,
        n_estimators=10,
        max_samples=1.0,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        n_jobs=None,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _glassml_tags(self):
        return {"allow_nan": self.estimator is None}

    def fit(self, X, y):
        """Fit ``n_estimators`` clones on random row/column subsets; returns ``self``."""
        X, y = self._validate_data(X, y, allow_nan=self.estimator is None)
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, min_val=1)
        check_in(self.bootstrap, "bootstrap", (True, False))
        check_in(self.bootstrap_features, "bootstrap_features", (True, False))
        n, d = X.shape
        n_rows = _draw_count(self.max_samples, n, "max_samples")
        n_cols = _draw_count(self.max_features, d, "max_features")
        if self.oob_score and not self.bootstrap:
            raise ValueError("oob_score: out-of-bag estimation needs bootstrap=True.")
        y = self._prepare_y(y)
        base = self.estimator if self.estimator is not None else self._default_estimator()
        rng = check_random_state(self.random_state)
        draws = []
        for _ in range(self.n_estimators):
            rows = (
                rng.integers(0, n, size=n_rows) if self.bootstrap else rng.permutation(n)[:n_rows]
            )
            cols = (
                rng.integers(0, d, size=n_cols)
                if self.bootstrap_features
                else np.sort(rng.permutation(d)[:n_cols])
            )
            draws.append((rows, cols, int(rng.integers(0, 2**31 - 1))))
        self.estimators_ = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_member)(clone(base), X, y, rows, cols, seed) for rows, cols, seed in draws
        )
        self.estimators_samples_ = [rows for rows, _, _ in draws]
        self.estimators_features_ = [cols for _, cols, _ in draws]
        self.estimator_ = base
        if self.oob_score:
            self._set_oob(X, y)
        return self

    def _X_predict(self, X):
        check_is_fitted(self)
        return self._validate_data(X, reset=False, allow_nan=self.estimator is None)

    def _oob_outputs(self, X):
        n = X.shape[0]
        total, count = None, np.zeros(n)
        for est, rows, cols in zip(
            self.estimators_, self.estimators_samples_, self.estimators_features_, strict=True
        ):
            mask = np.ones(n, dtype=bool)
            mask[rows] = False
            if not mask.any():
                continue
            out = self._member_output(est, X[np.ix_(mask, cols)])
            if total is None:
                total = np.zeros((n,) + out.shape[1:])
            total[mask] += out
            count[mask] += 1
        return total, count


class BaggingClassifier(ClassifierMixin, BaseBagging):
    """Bagging classifier (Inventory: TE-10): averages member probabilities (or votes).

    Parameters: estimator (default DecisionTreeClassifier), n_estimators, max_samples,
    max_features, bootstrap, bootstrap_features, oob_score, n_jobs, random_state.

    Example
    -------
    >>> import numpy as np
    >>> from glassml.ensemble import BaggingClassifier
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0) * 1
    >>> BaggingClassifier(n_estimators=5, random_state=0).fit(X, y).score(X, y) > 0.9
    True
    """

    def _default_estimator(self):
        return DecisionTreeClassifier()

    def _prepare_y(self, y):
        check_classification_targets(y)
        self.classes_, y_enc = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        return y_enc.ravel()

    def _member_output(self, est, X):
        K = self.n_classes_
        out = np.zeros((X.shape[0], K))
        if hasattr(est, "predict_proba"):
            out[:, np.asarray(est.classes_, dtype=np.intp)] = est.predict_proba(X)
        else:
            out[np.arange(X.shape[0]), np.asarray(est.predict(X), dtype=np.intp)] = 1.0
        return out

    def _set_oob(self, X, y):
        total, count = self._oob_outputs(X)
        seen = count > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_decision_function_ = total / count[:, None]
        pred = np.argmax(self.oob_decision_function_[seen], axis=1)
        self.oob_score_ = float(np.mean(pred == y[seen]))

    def predict_proba(self, X):
        """Average of the members' class probabilities, shape (n_samples, n_classes)."""
        X = self._X_predict(X)
        proba = np.zeros((X.shape[0], self.n_classes_))
        for est, cols in zip(self.estimators_, self.estimators_features_, strict=True):
            proba += self._member_output(est, X[:, cols])
        return proba / len(self.estimators_)

    def predict(self, X):
        """Class with the largest averaged probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class BaggingRegressor(RegressorMixin, BaseBagging):
    """Bagging regressor (Inventory: TE-10): averages the members' predictions.

    Parameters: estimator (default DecisionTreeRegressor) and those of
    :class:`BaggingClassifier`.
    """

    def _default_estimator(self):
        return DecisionTreeRegressor()

    def _prepare_y(self, y):
        return np.asarray(y, dtype=np.float64)

    def _member_output(self, est, X):
        return np.asarray(est.predict(X), dtype=np.float64)

    def _set_oob(self, X, y):
        total, count = self._oob_outputs(X)
        seen = count > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_prediction_ = total / count
        yt, yp = y[seen], self.oob_prediction_[seen]
        ss_tot = ((yt - yt.mean()) ** 2).sum()
        self.oob_score_ = float(1.0 - ((yt - yp) ** 2).sum() / ss_tot) if ss_tot else 0.0

    def predict(self, X):
        """Average of the members' predictions."""
        X = self._X_predict(X)
        out = np.zeros(X.shape[0])
        for est, cols in zip(self.estimators_, self.estimators_features_, strict=True):
            out += self._member_output(est, X[:, cols])
        return out / len(self.estimators_)
