"""AdaBoost: SAMME for classification and AdaBoost.R2 for regression (Inventory: TE-11).

SAMME (multi-class AdaBoost; for K = 2 it is discrete AdaBoost) with learning rate η:

    w_i = 1/n
    for m = 1..M:
        fit h_m on (X, y) with weights w
        err_m = Σ w_i [h_m(x_i) ≠ y_i] / Σ w_i
        α_m  = η · (ln((1 − err_m)/err_m) + ln(K − 1))
        w_i ← w_i · exp(α_m [h_m(x_i) ≠ y_i]),  then normalise
    H(x) = argmax_k Σ_m α_m [h_m(x) = k]

The weights only grow on misclassified samples (claim CL-066). For K = 2 this is stagewise
minimisation of the exponential loss e^{−ỹF}: the weights are proportional to e^{−ỹF_{m−1}}
and α_m/2 is the exact line-search step (CL-069; the notes' ½ ln((1−ε)/ε) is the step in that
±½ parametrisation). A learner no better than chance (err ≥ 1 − 1/K) is discarded.

AdaBoost.R2 (Drucker 1997): each round draws a weighted bootstrap sample, fits h_m, scales
the absolute errors to e_i = |h_m(x_i) − y_i| / max_j |h_m(x_j) − y_j| (then squared or
1 − e^{−e_i} for the square / exponential loss), ε_m = Σ w_i e_i, β_m = ε_m/(1 − ε_m),
α_m = η ln(1/β_m) and w_i ← w_i β_m^{η(1 − e_i)}; the prediction is the α-weighted median.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.special import softmax

from .._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_classification_targets,
    check_in,
    check_random_state,
    check_sample_weight,
    check_scalar,
    clone,
)
from ..tree import DecisionTreeClassifier, DecisionTreeRegressor

__all__ = ["AdaBoostClassifier", "AdaBoostRegressor"]


def _set_seed(estimator, rng):
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=int(rng.integers(np.iinfo(np.int32).max)))
    return estimator


class _BaseAdaBoost(BaseEstimator):
    def _check_params(self):
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, min_val=1)
        check_scalar(self.learning_rate, "learning_rate", numbers.Real, min_val=0.0,
                     include_boundaries="neither")  # fmt: skip

    def _prepare(self, X, y, sample_weight):
        self._check_params()
        X, y = self._validate_data(X, y, dtype=np.float64)
        w = check_sample_weight(sample_weight, X).copy()
        if (w < 0).any():
            raise ValueError("sample_weight: must be non-negative.")
        if w.sum() <= 0:
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        return X, y, w / w.sum()


class AdaBoostClassifier(ClassifierMixin, _BaseAdaBoost):
    """AdaBoost-SAMME classifier (Inventory: TE-11); formulas in the module docstring.

    Parameters
    ----------
    estimator : classifier accepting ``sample_weight`` (default a stump, max_depth=1).
    n_estimators : int, maximum number of rounds.
    learning_rate : float > 0, η multiplying every α_m.
    random_state : int, Generator or None (seeds the base learners).

    Attributes
    ----------
    estimators_, estimator_weights_ (α_m), estimator_errors_ (err_m), classes_.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 2))
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> AdaBoostClassifier(n_estimators=100).fit(X, y).score(X, y) > 0.9
    True
    """

    def __init__(self, *, estimator=None, n_estimators=50, learning_rate=1.0, random_state=None):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Run up to ``n_estimators`` SAMME rounds; returns ``self``."""
        X, y, w = self._prepare(X, y, sample_weight)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        self.n_classes_ = K = self.classes_.size
        if K < 2:
            raise ValueError(
                f"y: needs samples of at least 2 classes, got 1 class ({self.classes_[0]!r})."
            )
        base = self.estimator if self.estimator is not None else DecisionTreeClassifier(max_depth=1)
        rng = check_random_state(self.random_state)
        self.estimators_ = []
        self.estimator_weights_ = np.zeros(self.n_estimators)
        self.estimator_errors_ = np.ones(self.n_estimators)
        zero = w == 0.0
        eps = np.finfo(np.float64).eps
        for m in range(self.n_estimators):
            w = np.clip(w, eps, None)
            w[zero] = 0.0
            h = _set_seed(clone(base), rng).fit(X, y, sample_weight=w)
            wrong = h.predict(X) != y  # (n,) bool
            err = float(np.average(wrong, weights=w))
            if err <= 0:  # a perfect learner ends boosting with weight 1
                self.estimators_.append(h)
                self.estimator_weights_[m], self.estimator_errors_[m] = 1.0, 0.0
                break
            if err >= 1.0 - 1.0 / K:  # no better than chance: discard it and stop
                if not self.estimators_:
                    raise ValueError(
                        "estimator: the base classifier is worse than random "
                        f"(weighted error {err:.3f} >= {1 - 1 / K:.3f}); AdaBoost cannot fit."
                    )
                break
            self.estimators_.append(h)
            alpha = self.learning_rate * (np.log((1.0 - err) / err) + np.log(K - 1.0))
            self.estimator_weights_[m], self.estimator_errors_[m] = alpha, err
            if m < self.n_estimators - 1:
                w = np.exp(np.log(w) + alpha * wrong * (w > 0))  # up-weight the mistakes
                total = w.sum()
                if not np.isfinite(total) or total <= 0:
                    warnings.warn("sample weights overflowed; stopping early", stacklevel=2)
                    break
                w /= total
        n_fit = len(self.estimators_)
        self.estimator_weights_ = self.estimator_weights_[:n_fit]
        self.estimator_errors_ = self.estimator_errors_[:n_fit]
        return self

    def _code(self, predicted):
        """SAMME's symmetric coding of a prediction: 1 for the predicted class, −1/(K−1)
        for the others, shape (n_samples, K)."""
        match = predicted[:, None] == self.classes_[None, :]  # (n, K)
        return np.where(match, 1.0, -1.0 / (self.n_classes_ - 1))

    def _votes(self, X, stop=None):
        """Σ_m α_m c_k(h_m(x)) with the SAMME coding c, shape (n_samples, K)."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        votes = np.zeros((X.shape[0], self.n_classes_))
        for h, alpha in zip(self.estimators_[:stop], self.estimator_weights_[:stop], strict=True):
            votes += alpha * self._code(h.predict(X))
        return votes

    def _to_decision(self, votes, total):
        votes = votes / total
        if self.n_classes_ == 2:
            return votes[:, 1] - votes[:, 0]
        return votes

    def decision_function(self, X):
        """Σ_m α_m c(h_m(x)) / Σ_m α_m; for two classes vote(class 1) − vote(class 0)."""
        return self._to_decision(self._votes(X), self.estimator_weights_.sum())

    def staged_decision_function(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        votes = np.zeros((X.shape[0], self.n_classes_))
        total = 0.0
        for h, alpha in zip(self.estimators_, self.estimator_weights_, strict=True):
            votes += alpha * self._code(h.predict(X))
            total += alpha
            yield self._to_decision(votes, total)

    def _proba(self, decision):
        if self.n_classes_ == 2:
            decision = np.column_stack([-decision, decision]) / 2.0
        else:
            decision = decision / (self.n_classes_ - 1)
        return softmax(decision, axis=1)

    def predict_proba(self, X):
        """softmax of the decision / (K − 1) (scikit-learn's SAMME probabilities)."""
        return self._proba(self.decision_function(X))

    def predict(self, X):
        """argmax_k Σ_m α_m [h_m(x) = k]."""
        votes = self._votes(X)  # validates and checks fitted first
        return self.classes_[np.argmax(votes, axis=1)]  # argmax Σ α [h = k]

    def staged_predict(self, X):
        for decision in self.staged_decision_function(X):
            if self.n_classes_ == 2:
                yield self.classes_[(decision > 0).astype(int)]
            else:
                yield self.classes_[np.argmax(decision, axis=1)]

    def staged_score(self, X, y, sample_weight=None):
        y = np.asarray(y)
        for pred in self.staged_predict(X):
            yield float(np.average(pred == y, weights=sample_weight))

    @property
    def feature_importances_(self):
        """α-weighted average of the base learners' importances."""
        imps = np.array([h.feature_importances_ for h in self.estimators_])
        return self.estimator_weights_ @ imps / self.estimator_weights_.sum()


class AdaBoostRegressor(RegressorMixin, _BaseAdaBoost):
    """AdaBoost.R2 regressor (Inventory: TE-11); formulas in the module docstring.

    Parameters
    ----------
    estimator : regressor (default ``DecisionTreeRegressor(max_depth=3)``).
    n_estimators : int.   learning_rate : float > 0.
    loss : 'linear', 'square' or 'exponential' (how the scaled errors enter).
    random_state : int, Generator or None (bootstrap draws and base-learner seeds).

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 2)); y = X[:, 0] ** 2
    >>> AdaBoostRegressor(random_state=0).fit(X, y).score(X, y) > 0.8
    True
    """

    def __init__(self, *, estimator=None, n_estimators=50, learning_rate=1.0, loss="linear",
                 random_state=None):  # fmt: skip
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.loss = loss
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Run up to ``n_estimators`` AdaBoost.R2 rounds; returns ``self``."""
        check_in(self.loss, "loss", ("linear", "square", "exponential"))
        X, y, w = self._prepare(X, y, sample_weight)
        y = np.asarray(y, dtype=np.float64)
        base = self.estimator if self.estimator is not None else DecisionTreeRegressor(max_depth=3)
        rng = check_random_state(self.random_state)
        n = X.shape[0]
        self.estimators_ = []
        weights, errors = [], []
        for m in range(self.n_estimators):
            sample = rng.choice(n, size=n, replace=True, p=w / w.sum())  # weighted bootstrap
            h = _set_seed(clone(base), rng).fit(X[sample], y[sample])
            error = np.abs(h.predict(X) - y)  # (n,)
            active = w > 0
            e = error[active]
            if e.max() != 0:
                e = e / e.max()
            if self.loss == "square":
                e = e**2
            elif self.loss == "exponential":
                e = 1.0 - np.exp(-e)
            eps_m = float((w[active] * e).sum())
            self.estimators_.append(h)
            if eps_m <= 0:  # perfect fit
                weights.append(1.0), errors.append(0.0)
                break
            if eps_m >= 0.5:  # too weak: drop it (keep at least one learner)
                if len(self.estimators_) > 1:
                    self.estimators_.pop()
                else:
                    weights.append(1.0), errors.append(eps_m)
                break
            beta = eps_m / (1.0 - eps_m)
            weights.append(self.learning_rate * np.log(1.0 / beta)), errors.append(eps_m)
            if m < self.n_estimators - 1:
                w[active] *= beta ** ((1.0 - e) * self.learning_rate)
                w /= w.sum()
        self.estimator_weights_ = np.array(weights)
        self.estimator_errors_ = np.array(errors)
        return self

    def _weighted_median(self, predictions, weights):
        """Per row, the prediction where the cumulative α (sorted by prediction) first
        reaches half the total."""
        order = np.argsort(predictions, axis=1)  # (n, M)
        cdf = np.cumsum(weights[order], axis=1)  # (n, M)
        median_pos = (cdf >= 0.5 * cdf[:, -1:]).argmax(axis=1)  # (n,)
        rows = np.arange(predictions.shape[0])
        return predictions[rows, order[rows, median_pos]]

    def predict(self, X):
        """α-weighted median of the learners' predictions, shape (n_samples,)."""
        X = self._validate_data(X, reset=False, dtype=np.float64)
        preds = np.column_stack([h.predict(X) for h in self.estimators_])  # (n, M)
        return self._weighted_median(preds, self.estimator_weights_)

    def staged_predict(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        preds = np.column_stack([h.predict(X) for h in self.estimators_])  # (n, M)
        for m in range(1, preds.shape[1] + 1):
            yield self._weighted_median(preds[:, :m], self.estimator_weights_[:m])

    def staged_score(self, X, y, sample_weight=None):
        from glassml.metrics import r2_score

        for pred in self.staged_predict(X):
            yield float(r2_score(y, pred, sample_weight=sample_weight))

    @property
    def feature_importances_(self):
        imps = np.array([h.feature_importances_ for h in self.estimators_])
        return self.estimator_weights_ @ imps / self.estimator_weights_.sum()
