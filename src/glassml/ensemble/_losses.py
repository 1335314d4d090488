"""Loss functions of gradient boosting (Inventory: TE-12, TE-13).

Every loss works on raw predictions ``F`` of shape (n_samples, K) (K = 1 except for the
multinomial loss) and provides

* ``init_raw(y, w)``: the constant model ``argmin_c Σ w L(y, c)`` (the "prior"),
* ``__call__(y, F, w)``: the weighted mean loss,
* ``gradient_hessian(y, F)``: ``g = ∂L/∂F`` and ``h = ∂²L/∂F²`` per sample (the XGBoost-style
  booster uses both; the pseudo-residuals of classic gradient boosting are ``−g``),
* ``leaf_value(y, F_k, neg_g, w, k)``: the line-search step for one leaf of a regression tree
  fitted to the pseudo-residuals (Friedman's step 5): the identity for squared error, the
  weighted median of residuals for absolute error, a one-step Huber M-estimate, the
  alpha-quantile for the pinball loss, and one Newton step ``Σ w·(−g) / Σ w·h`` for the
  logistic, multinomial (times (K−1)/K as in scikit-learn) and exponential losses.

Squared error is the *half* squared error ½(y − F)², so its gradient is ``F − y`` and the
pseudo-residuals are exactly the residuals ``y − F`` (claim CL-070).

Example
-------
>>> import numpy as np
>>> loss = get_loss("squared_error")
>>> y = np.array([1.0, 3.0]); F = np.zeros((2, 1))
>>> g, h = loss.gradient_hessian(y, F)
>>> (-g[:, 0]).tolist(), float(loss.init_raw(y, np.ones(2))[0])
([1.0, 3.0], 2.0)
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logsumexp, softmax

__all__ = ["get_loss", "weighted_percentile", "REGRESSION_LOSSES", "CLASSIFICATION_LOSSES"]


def weighted_percentile(values: np.ndarray, weights: np.ndarray, percentile: float) -> float:
    """Weighted 'inverted CDF' percentile: the smallest value whose weight CDF reaches
    ``percentile/100`` of the total weight (scikit-learn's ``_weighted_percentile``)."""
    order = np.argsort(values)  # (n,)
    cdf = np.cumsum(weights[order])  # (n,)
    target = percentile / 100.0 * cdf[-1]
    if target == 0:
        target = np.nextafter(target, 1.0)
    index = min(int(np.searchsorted(cdf, target)), values.size - 1)
    return float(values[order[index]])


def _prior_percentile(y: np.ndarray, w: np.ndarray, percentile: float) -> float:
    """Percentile of the prior: NumPy's linear interpolation for equal weights (as
    scikit-learn's DummyRegressor without weights), the weighted inverted CDF otherwise."""
    if np.all(w == w[0]):
        return float(np.percentile(y, percentile))
    return weighted_percentile(y, w, percentile)


def _safe_divide(numerator: float, denominator: float) -> float:
    return 0.0 if abs(denominator) < 1e-150 else float(numerator / denominator)


class SquaredError:
    """L = ½(y − F)²; g = F − y; h = 1; prior = weighted mean; leaf = mean residual."""

    is_classification = False
    n_trees = 1

    def init_raw(self, y, w):
        return np.array([np.average(y, weights=w)])

    def __call__(self, y, F, w):
        return float(np.average(0.5 * (y - F[:, 0]) ** 2, weights=w))

    def gradient_hessian(self, y, F):
        gradient = F - y[:, None]  # (n, 1)
        return gradient, np.ones_like(gradient)

    def leaf_value(self, y, F_k, neg_g, w, k):  # pragma: no cover - identity, never called
        return float(np.average(neg_g, weights=w))


class AbsoluteError:
    """L = |y − F|; g = sign(F − y) (−1 on ties, like scikit-learn); leaf = weighted median."""

    is_classification = False
    n_trees = 1

    def init_raw(self, y, w):
        return np.array([_prior_percentile(y, w, 50)])

    def __call__(self, y, F, w):
        return float(np.average(np.abs(y - F[:, 0]), weights=w))

    def gradient_hessian(self, y, F):
        gradient = np.where(F[:, 0] > y, 1.0, -1.0)[:, None]  # (n, 1)
        return gradient, np.ones_like(gradient)

    def leaf_value(self, y, F_k, neg_g, w, k):
        return weighted_percentile(y - F_k, w, 50)


class HuberLoss:
    """L = ½d² if |d| ≤ δ else δ(|d| − ½δ), d = y − F; δ = alpha-quantile of |d| (reset
    every round by ``set_delta``); leaf = median + mean(sign(r)·min(|r|, δ)), r = d − median."""

    is_classification = False
    n_trees = 1

    def __init__(self, alpha=0.9):
        self.alpha = alpha
        self.delta = 1.0

    def set_delta(self, y, F, w):
        self.delta = weighted_percentile(np.abs(y - F[:, 0]), w, 100 * self.alpha)

    def init_raw(self, y, w):
        return np.array([_prior_percentile(y, w, 50)])

    def __call__(self, y, F, w):
        d = np.abs(y - F[:, 0])
        per_sample = np.where(d <= self.delta, 0.5 * d**2, self.delta * (d - 0.5 * self.delta))
        return float(np.average(per_sample, weights=w))

    def gradient_hessian(self, y, F):
        gradient = -np.clip(y - F[:, 0], -self.delta, self.delta)[:, None]  # (n, 1)
        return gradient, (np.abs(gradient) < self.delta).astype(float)

    def leaf_value(self, y, F_k, neg_g, w, k):
        residual = y - F_k
        median = weighted_percentile(residual, w, 50)
        centred = residual - median
        term = np.sign(centred) * np.minimum(self.delta, np.abs(centred))
        return median + float(np.average(term, weights=w))


class PinballLoss:
    """Quantile loss L = α·max(d, 0) + (1 − α)·max(−d, 0), d = y − F; leaf = α-quantile."""

    is_classification = False
    n_trees = 1

    def __init__(self, alpha=0.9):
        self.alpha = alpha

    def init_raw(self, y, w):
        return np.array([_prior_percentile(y, w, 100 * self.alpha)])

    def __call__(self, y, F, w):
        d = y - F[:, 0]
        return float(np.average(np.where(d >= 0, self.alpha * d, (self.alpha - 1) * d), weights=w))

    def gradient_hessian(self, y, F):
        gradient = np.where(y >= F[:, 0], -self.alpha, 1.0 - self.alpha)[:, None]  # (n, 1)
        return gradient, np.ones_like(gradient)

    def leaf_value(self, y, F_k, neg_g, w, k):
        return weighted_percentile(y - F_k, w, 100 * self.alpha)


class BinomialLogLoss:
    """L = log(1 + e^F) − yF, p = σ(F); g = p − y; h = p(1 − p); prior F = logit(mean y);
    leaf = one Newton step Σw(y − p) / Σw p(1 − p)."""

    is_classification = True
    n_trees = 1

    def init_raw(self, y, w):
        p = np.clip(np.average(y, weights=w), 1e-15, 1 - 1e-15)
        return np.array([np.log(p / (1 - p))])

    def __call__(self, y, F, w):
        raw = F[:, 0]
        return float(np.average(np.logaddexp(0.0, raw) - y * raw, weights=w))

    def gradient_hessian(self, y, F):
        p = expit(F)  # (n, 1)
        return p - y[:, None], p * (1.0 - p)

    def leaf_value(self, y, F_k, neg_g, w, k):
        p = y - neg_g
        return _safe_divide(np.average(neg_g, weights=w), np.average(p * (1 - p), weights=w))

    def proba(self, F):
        p1 = expit(F[:, 0])
        return np.column_stack([1.0 - p1, p1])


class MultinomialLogLoss:
    """Softmax cross-entropy L = logsumexp(F) − F_y over K raw scores (one tree per class and
    round); g_k = p_k − [y = k]; h_k = p_k(1 − p_k) (diagonal); prior F_k = log π_k − mean;
    leaf = (K − 1)/K · Σw(−g) / Σw p(1 − p) (Friedman's multinomial step, as in scikit-learn)."""

    is_classification = True

    def __init__(self, n_classes):
        self.n_trees = int(n_classes)

    def init_raw(self, y, w):
        prior = np.bincount(y, weights=w, minlength=self.n_trees) / w.sum()  # (K,)
        log_prior = np.log(np.clip(prior, 1e-15, 1.0))
        return log_prior - log_prior.mean()

    def __call__(self, y, F, w):
        per_sample = logsumexp(F, axis=1) - F[np.arange(y.size), y]
        return float(np.average(per_sample, weights=w))

    def gradient_hessian(self, y, F):
        p = softmax(F, axis=1)  # (n, K)
        gradient = p.copy()
        gradient[np.arange(y.size), y] -= 1.0
        return gradient, p * (1.0 - p)

    def leaf_value(self, y, F_k, neg_g, w, k):
        p = (y == k) - neg_g
        K = self.n_trees
        numerator = np.average(neg_g, weights=w) * (K - 1) / K
        return _safe_divide(numerator, np.average(p * (1 - p), weights=w))

    def proba(self, F):
        return softmax(F, axis=1)


class ExponentialLoss:
    """AdaBoost's loss L = y·e^{−F} + (1 − y)·e^{F} (labels 0/1); p = σ(2F); prior
    F = ½ logit(mean y); leaf = Newton step Σw(−g) / Σw h."""

    is_classification = True
    n_trees = 1

    def init_raw(self, y, w):
        p = np.clip(np.average(y, weights=w), 1e-15, 1 - 1e-15)
        return np.array([0.5 * np.log(p / (1 - p))])

    def __call__(self, y, F, w):
        raw = F[:, 0]
        return float(np.average(y * np.exp(-raw) + (1 - y) * np.exp(raw), weights=w))

    def gradient_hessian(self, y, F):
        raw = F[:, 0]
        up, down = y * np.exp(-raw), (1 - y) * np.exp(raw)
        return (down - up)[:, None], (up + down)[:, None]

    def leaf_value(self, y, F_k, neg_g, w, k):
        hessian = np.where(y == 0, -neg_g, neg_g)
        return _safe_divide(np.average(neg_g, weights=w), np.average(hessian, weights=w))

    def proba(self, F):
        p1 = expit(2.0 * F[:, 0])
        return np.column_stack([1.0 - p1, p1])


REGRESSION_LOSSES = ("squared_error", "absolute_error", "huber", "quantile")
CLASSIFICATION_LOSSES = ("log_loss", "exponential")


def get_loss(name: str, *, n_classes: int = 2, alpha: float = 0.9):
    """The loss object for ``name`` (``log_loss`` is binomial for 2 classes, else softmax)."""
    if name == "squared_error":
        return SquaredError()
    if name == "absolute_error":
        return AbsoluteError()
    if name == "huber":
        return HuberLoss(alpha)
    if name == "quantile":
        return PinballLoss(alpha)
    if name == "log_loss":
        return BinomialLogLoss() if n_classes <= 2 else MultinomialLogLoss(n_classes)
    if name == "exponential":
        return ExponentialLoss()
    raise ValueError(f"loss: unknown loss {name!r}.")
