"""Linear models trained by plain stochastic gradient descent, one sample at a time, with
scikit-learn's losses, penalties and learning-rate schedules (Inventory: LM-04, LM-09, LM-15).

For sample i with score ``p = w·xᵢ + b`` and step size ηₜ the update is

    w ← (1 − ηₜ α (1 − ρ)) w − ηₜ sᵢ ∂ℓ(p, yᵢ)/∂p · xᵢ,   b ← b − ηₜ sᵢ ∂ℓ/∂p

followed, when the penalty has an L1 part (ρ > 0), by the cumulative truncated-gradient L1
step of Tsuruoka et al. (2009) that scikit-learn uses. Schedules (t counts updates from 1):
``"optimal"`` ηₜ = 1/(α (t₀ + t − 1)) with Bottou's heuristic t₀; ``"invscaling"``
ηₜ = η₀ / t^power_t; ``"constant"`` ηₜ = η₀; ``"adaptive"`` η₀ divided by 5 whenever the epoch
loss stops improving. SGD is inherently sequential, so the sample loop is the algorithm; each
step is O(p) vector work.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from scipy.special import expit

from .._core import (
    BaseEstimator,
    ClassifierMixin,
    ConvergenceWarning,
    RegressorMixin,
    check_in,
    check_random_state,
    check_scalar,
)
from ._base import LinearClassifierMixin, check_positive_weights, encode_classes

__all__ = ["SGDClassifier", "SGDRegressor", "Perceptron", "sgd_loss"]

_MAX_DLOSS = 1e12


def sgd_loss(name: str, epsilon: float = 0.1):
    """``(loss(p, y), dloss/dp(p, y))`` for a loss name; classification losses take y ∈ {−1, 1}."""
    if name == "hinge":
        return (lambda p, y: max(0.0, 1.0 - p * y)), (lambda p, y: -y if p * y < 1.0 else 0.0)
    if name == "perceptron":
        return (lambda p, y: max(0.0, -p * y)), (lambda p, y: -y if p * y <= 0.0 else 0.0)
    if name == "squared_hinge":
        return (lambda p, y: max(0.0, 1.0 - p * y) ** 2), (
            lambda p, y: -2.0 * y * (1.0 - p * y) if p * y < 1.0 else 0.0
        )
    if name == "log_loss":
        return (lambda p, y: float(np.logaddexp(0.0, -p * y))), (
            lambda p, y: -y * float(expit(-p * y))
        )
    if name == "modified_huber":

        def loss(p, y):
            z = p * y
            return 0.0 if z >= 1 else (1 - z) ** 2 if z >= -1 else -4.0 * z

        def dloss(p, y):
            z = p * y
            return 0.0 if z >= 1 else -2.0 * y * (1 - z) if z >= -1 else -4.0 * y

        return loss, dloss
    if name == "squared_error":
        return (lambda p, y: 0.5 * (p - y) ** 2), (lambda p, y: p - y)
    if name == "huber":

        def loss(p, y):
            r = abs(p - y)
            return 0.5 * r * r if r <= epsilon else epsilon * r - 0.5 * epsilon**2

        def dloss(p, y):
            r = p - y
            return r if abs(r) <= epsilon else epsilon * np.sign(r)

        return loss, dloss
    if name == "epsilon_insensitive":
        return (lambda p, y: max(0.0, abs(y - p) - epsilon)), (
            lambda p, y: -1.0 if y - p > epsilon else 1.0 if p - y > epsilon else 0.0
        )
    if name == "squared_epsilon_insensitive":
        return (lambda p, y: max(0.0, abs(y - p) - epsilon) ** 2), (
            lambda p, y: (
                -2.0 * (y - p - epsilon)
                if y - p > epsilon
                else 2.0 * (p - y - epsilon)
                if p - y > epsilon
                else 0.0
            )
        )
    raise ValueError(f"loss: unknown loss {name!r}.")


def plain_sgd(
    X,
    y,
    sample_weight,
    *,
    loss,
    alpha,
    l1_ratio,
    penalty,
    learning_rate,
    eta0,
    power_t,
    max_iter,
    tol,
    n_iter_no_change,
    shuffle,
    rng,
    fit_intercept,
    epsilon,
    coef=None,
    intercept=0.0,
):
    """One binary/regression SGD run. Returns ``(w, b, n_epochs, t)``."""
    n, p = X.shape
    loss_fn, dloss_fn = sgd_loss(loss, epsilon)
    w = np.zeros(p) if coef is None else coef.astype(np.float64).copy()
    b = float(intercept)
    rho = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio}.get(penalty)  # L1 share
    l2_part = 0.0 if rho is None else alpha * (1.0 - rho)
    l1_part = 0.0 if rho is None else alpha * rho
    optimal_init = 0.0
    if learning_rate == "optimal":
        typw = np.sqrt(1.0 / np.sqrt(alpha))
        initial_eta0 = typw / max(1.0, dloss_fn(-typw, 1.0))  # gradient at p = −typw, y = 1
        optimal_init = 1.0 / (initial_eta0 * alpha)
    eta = eta0
    u = 0.0  # total L1 penalty that could have been applied (truncated gradient)
    q = np.zeros(p)  # L1 penalty actually applied to each weight
    best_loss, no_improvement = np.inf, 0
    t = 1
    epoch = 0
    for epoch in range(1, max_iter + 1):
        order = rng.permutation(n) if shuffle else np.arange(n)
        sum_loss = 0.0
        for i in order:
            if learning_rate == "optimal":
                eta = 1.0 / (alpha * (optimal_init + t - 1))
            elif learning_rate == "invscaling":
                eta = eta0 / t**power_t
            x_i = X[i]
            score = float(x_i @ w) + b
            sum_loss += loss_fn(score, y[i])
            if rho is not None:  # the epoch objective includes the penalty (½‖w‖² for L2)
                sum_loss += alpha * (
                    (1.0 - rho) * 0.5 * float(w @ w) + rho * float(np.abs(w).sum())
                )
            dloss = min(max(dloss_fn(score, y[i]), -_MAX_DLOSS), _MAX_DLOSS)
            update = -eta * dloss * sample_weight[i]
            if l2_part > 0.0:
                w *= max(0.0, 1.0 - eta * l2_part)  # weight decay from the L2 part
            if update != 0.0:
                w += update * x_i
                if fit_intercept:
                    b += update
            if l1_part > 0.0:  # cumulative truncated gradient (Tsuruoka et al.)
                u += eta * l1_part
                before = w.copy()
                positive, negative = w > 0, w < 0
                w[positive] = np.maximum(0.0, w[positive] - (u + q[positive]))
                w[negative] = np.minimum(0.0, w[negative] + (u - q[negative]))
                q += w - before
            t += 1
        if not np.all(np.isfinite(w)) or not np.isfinite(b):
            raise FloatingPointError(
                "SGD diverged (weights became inf or NaN); lower eta0 or scale the features."
            )
        if tol is not None:
            objective = sum_loss / n  # mean loss + penalty over the epoch
            if objective > best_loss - tol:
                no_improvement += 1
            else:
                no_improvement = 0
            best_loss = min(best_loss, objective)
            if no_improvement >= n_iter_no_change:
                if learning_rate == "adaptive" and eta > 1e-6:
                    eta /= 5.0
                    no_improvement = 0
                else:
                    return w, b, epoch, t
    if tol is not None:
        warnings.warn(
            f"Maximum number of iterations ({max_iter}) reached before convergence; increase "
            "max_iter.",
            ConvergenceWarning,
        )
    return w, b, epoch, t


class _BaseSGD(BaseEstimator):
    _losses: tuple = ()

    def _check_params(self):
        check_in(self.loss, "loss", self._losses)
        check_in(self.penalty, "penalty", ("l2", "l1", "elasticnet", None))
        check_in(
            self.learning_rate, "learning_rate", ("optimal", "invscaling", "constant", "adaptive")
        )
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0)
        check_scalar(self.l1_ratio, "l1_ratio", numbers.Real, min_val=0.0, max_val=1.0)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.n_iter_no_change, "n_iter_no_change", numbers.Integral, min_val=1)
        check_scalar(self.eta0, "eta0", numbers.Real, min_val=0.0)
        check_scalar(self.epsilon, "epsilon", numbers.Real, min_val=0.0)
        if self.tol is not None:
            check_scalar(self.tol, "tol", numbers.Real)
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError("alpha: learning_rate='optimal' needs alpha > 0, got 0.")
        if self.learning_rate in ("constant", "invscaling", "adaptive") and self.eta0 <= 0:
            raise ValueError(f"eta0: learning_rate={self.learning_rate!r} needs eta0 > 0.")

    def _sgd(self, X, y, sample_weight, rng, coef=None, intercept=0.0):
        return plain_sgd(
            X,
            y,
            sample_weight,
            loss=self.loss,
            alpha=float(self.alpha),
            l1_ratio=float(self.l1_ratio),
            penalty=self.penalty,
            learning_rate=self.learning_rate,
            eta0=float(self.eta0),
            power_t=float(self.power_t),
            max_iter=self.max_iter,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle,
            rng=rng,
            fit_intercept=self.fit_intercept,
            epsilon=float(self.epsilon),
            coef=coef,
            intercept=intercept,
        )


class SGDClassifier(LinearClassifierMixin, ClassifierMixin, _BaseSGD):
    """Linear classifier trained by SGD (one-vs-rest for K > 2 classes); see module docstring.

    ``loss="hinge"`` is a linear SVM (LM-15), ``"log_loss"`` logistic regression (LM-09),
    ``"perceptron"`` the perceptron; labels become y ∈ {−1, +1} per binary problem (E-14).

    Parameters follow scikit-learn: loss, penalty ("l2"), alpha (1e-4), l1_ratio (0.15),
    fit_intercept, max_iter (1000), tol (1e-3), shuffle, epsilon, random_state, learning_rate
    ("optimal"), eta0 (0.01), power_t (0.5), n_iter_no_change (5), warm_start.

    Examples
    --------
    >>> X = np.array([[-2.0, -1.0], [-1.0, -2.0], [1.0, 2.0], [2.0, 1.0]])
    >>> SGDClassifier(random_state=0).fit(X, [0, 0, 1, 1]).predict([[3.0, 3.0]])
    array([1])
    """

    _losses = (
        "hinge",
        "log_loss",
        "modified_huber",
        "squared_hinge",
        "perceptron",
        "squared_error",
        "huber",
        "epsilon_insensitive",
        "squared_epsilon_insensitive",
    )

    def __init__(
        self,
        *,
        loss="hinge",
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        epsilon=0.1,
        random_state=None,
        learning_rate="optimal",
        eta0=0.01,
        power_t=0.5,
        n_iter_no_change=5,
        warm_start=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None):
        """Fit one binary SGD model per class (one for two classes)."""
        self._check_params()
        X, y = self._validate_data(X, y)
        X = X.astype(np.float64, copy=False)
        classes, y_index = encode_classes(y, type(self).__name__)
        weights = check_positive_weights(sample_weight, X)
        weights = np.ones(X.shape[0]) if weights is None else weights
        rng = check_random_state(self.random_state)
        K = classes.shape[0]
        problems = [1] if K == 2 else list(range(K))
        warm = (
            self.warm_start
            and hasattr(self, "coef_")
            and self.coef_.shape == (len(problems), X.shape[1])
        )
        coef = np.zeros((len(problems), X.shape[1]))
        intercept = np.zeros(len(problems))
        epochs = []
        for row, k in enumerate(problems):
            signs = np.where(y_index == k, 1.0, -1.0)
            start_w = self.coef_[row] if warm else None
            start_b = self.intercept_[row] if warm else 0.0
            coef[row], intercept[row], n_epochs, self.t_ = self._sgd(
                X, signs, weights, rng, start_w, start_b
            )
            epochs.append(n_epochs)
        self.classes_, self.coef_, self.intercept_ = classes, coef, intercept
        self.n_iter_ = max(epochs)
        return self

    @property
    def predict_proba(self):
        """Probabilities for ``loss="log_loss"`` (sigmoid; one-vs-rest scores normalised).

        Only exists for the log loss (``hasattr(model, "predict_proba")`` is False otherwise).
        """
        if self.loss != "log_loss":
            raise AttributeError(
                f"predict_proba is available only for loss='log_loss', got loss={self.loss!r}."
            )
        return self._predict_proba

    def _predict_proba(self, X):
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = expit(scores)
            return np.column_stack([1.0 - p, p])
        prob = expit(scores)
        return prob / prob.sum(axis=1, keepdims=True)

    @property
    def predict_log_proba(self):
        """``log(predict_proba(X))`` (log loss only)."""
        proba = self.predict_proba
        return lambda X: np.log(proba(X))


class SGDRegressor(RegressorMixin, _BaseSGD):
    """Linear regression trained by SGD (LM-04); see the module docstring.

    Defaults follow scikit-learn: loss="squared_error", learning_rate="invscaling",
    eta0=0.01, power_t=0.25, alpha=1e-4, penalty="l2".

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50)[:, None]
    >>> SGDRegressor(random_state=0, tol=None, max_iter=200).fit(X, 3 * X[:, 0]).coef_.round(1)
    array([3.])
    """

    _losses = ("squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive")

    def __init__(
        self,
        *,
        loss="squared_error",
        penalty="l2",
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        epsilon=0.1,
        random_state=None,
        learning_rate="invscaling",
        eta0=0.01,
        power_t=0.25,
        n_iter_no_change=5,
        warm_start=False,
    ):
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start

    def fit(self, X, y, sample_weight=None):
        """Fit by SGD."""
        self._check_params()
        X, y = self._validate_data(X, y, y_numeric=True)
        X, y = X.astype(np.float64, copy=False), y.astype(np.float64, copy=False)
        weights = check_positive_weights(sample_weight, X)
        weights = np.ones(X.shape[0]) if weights is None else weights
        warm = self.warm_start and hasattr(self, "coef_") and self.coef_.shape == (X.shape[1],)
        coef, intercept, self.n_iter_, self.t_ = self._sgd(
            X,
            y,
            weights,
            check_random_state(self.random_state),
            self.coef_ if warm else None,
            float(self.intercept_[0]) if warm else 0.0,
        )
        self.coef_, self.intercept_ = coef, np.array([intercept])
        return self

    def predict(self, X):
        """``X w + b``."""
        X = self._validate_data(X, reset=False)
        return X @ self.coef_ + self.intercept_[0]


class Perceptron(SGDClassifier):
    """Rosenblatt's perceptron: SGD on ``max(0, −y·p)`` with η = 1 and no penalty.

    Examples
    --------
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> Perceptron(random_state=0).fit(X, [0, 0, 1, 1]).predict([[-3.0], [3.0]])
    array([0, 1])
    """

    def __init__(
        self,
        *,
        penalty=None,
        alpha=1e-4,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        eta0=1.0,
        random_state=None,
        n_iter_no_change=5,
        warm_start=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.eta0 = eta0
        self.random_state = random_state
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start

    loss = "perceptron"
    learning_rate = "constant"
    power_t = 0.5
    epsilon = 0.1
