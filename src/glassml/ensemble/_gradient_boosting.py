"""Gradient boosting with CART regression trees, scikit-learn style (Inventory: TE-12).

Friedman's gradient boosting machine:

    F_0(x) = argmin_c Σ_i w_i L(y_i, c)                           (the prior / init)
    for m = 1..M:
        r_im = −∂L(y_i, F)/∂F |_{F = F_{m−1}(x_i)}                 (pseudo-residuals)
        fit a regression tree (criterion friedman_mse) to (x_i, r_im) on a subsample
        γ_jm = argmin_γ Σ_{x_i ∈ R_jm} w_i L(y_i, F_{m−1}(x_i) + γ)  (line search per leaf)
        F_m(x) = F_{m−1}(x) + η Σ_j γ_jm 1[x ∈ R_jm]               (shrinkage η)

For squared error the pseudo-residuals are the residuals and the leaf mean is already the line
search (claim CL-070); absolute error takes the median of the residuals in a leaf, Huber a
one-step M-estimate, quantile the alpha-quantile, and the logistic / multinomial /
exponential losses one Newton step (see :mod:`._losses`). Multinomial log-loss fits K trees
per round. ``subsample < 1`` gives stochastic gradient boosting with the out-of-bag
improvement of every round; ``n_iter_no_change`` stops when a held-out loss stops improving.
"""

from __future__ import annotations

import numbers

import numpy as np

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
from ..tree import DecisionTreeRegressor
from ..tree._splitter import compute_ranks
from ._losses import (
    CLASSIFICATION_LOSSES,
    REGRESSION_LOSSES,
    BinomialLogLoss,
    SquaredError,
    get_loss,
)

__all__ = ["GradientBoostingClassifier", "GradientBoostingRegressor"]


class BaseGradientBoosting(BaseEstimator):
    """Shared boosting loop of :class:`GradientBoostingRegressor` / ``Classifier``."""

    def _check_params(self):
        R, I = numbers.Real, numbers.Integral
        check_in(self.loss, "loss", self._losses)
        check_scalar(self.learning_rate, "learning_rate", R, min_val=0.0,
                     include_boundaries="neither")  # fmt: skip
        check_scalar(self.n_estimators, "n_estimators", I, min_val=1)
        check_scalar(self.subsample, "subsample", R, min_val=0.0, max_val=1.0,
                     include_boundaries="right")  # fmt: skip
        check_in(self.criterion, "criterion", ("friedman_mse", "squared_error"))
        check_scalar(self.alpha, "alpha", R, min_val=0.0, max_val=1.0,
                     include_boundaries="neither")  # fmt: skip
        check_scalar(self.validation_fraction, "validation_fraction", R, min_val=0.0,
                     max_val=1.0, include_boundaries="neither")  # fmt: skip
        if self.n_iter_no_change is not None:
            check_scalar(self.n_iter_no_change, "n_iter_no_change", I, min_val=1)
        check_scalar(self.tol, "tol", R, min_val=0.0)

    def _make_tree(self, seed):
        return DecisionTreeRegressor(
            criterion=self.criterion,
            max_depth=self.max_depth,
            min_samples_split=self.min_samples_split,
            min_samples_leaf=self.min_samples_leaf,
            min_weight_fraction_leaf=self.min_weight_fraction_leaf,
            min_impurity_decrease=self.min_impurity_decrease,
            max_features=self.max_features,
            max_leaf_nodes=self.max_leaf_nodes,
            ccp_alpha=self.ccp_alpha,
            random_state=seed,
        )

    def _init_raw(self, X, y, w):
        """F_0 for every row, (n, K): the loss's prior, zeros, or a fitted init estimator."""
        K = self._loss.n_trees
        if self.init is None:
            self._prior = self._loss.init_raw(y, w)  # (K,)
            return np.tile(self._prior, (X.shape[0], 1))
        if isinstance(self.init, str):
            check_in(self.init, "init", ("zero",))
            self._prior = np.zeros(K)
            return np.zeros((X.shape[0], K))
        self.init_ = clone(self.init)
        try:
            self.init_.fit(X, self._decode(y), sample_weight=w)
        except TypeError:
            self.init_.fit(X, self._decode(y))
        return self._raw_from_init(X)

    def _raw_from_init(self, X):
        if getattr(self, "init_", None) is None:
            return np.tile(self._prior, (X.shape[0], 1))
        if not self._is_classifier:
            return np.asarray(self.init_.predict(X), dtype=np.float64)[:, None]
        p = np.clip(self.init_.predict_proba(X), 1e-15, 1 - 1e-15)  # (n, K)
        if p.shape[1] == 2:
            logit = np.log(p[:, 1] / p[:, 0])[:, None]
            return 0.5 * logit if self.loss == "exponential" else logit
        log_p = np.log(p)
        return log_p - log_p.mean(axis=1, keepdims=True)

    def fit(self, X, y, sample_weight=None):
        """Fit ``n_estimators`` boosting rounds (fewer with early stopping); returns self."""
        self._check_params()
        X, y = self._validate_data(X, y, dtype=np.float64)
        w = check_sample_weight(sample_weight, X)
        if not (w > 0).any():
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        y = self._encode_target(y)
        self._loss = self._make_loss()
        rng = check_random_state(self.random_state)
        X_val = y_val = w_val = None
        if self.n_iter_no_change is not None:
            order = rng.permutation(X.shape[0])
            n_val = max(1, int(np.ceil(self.validation_fraction * X.shape[0])))
            val, train = np.sort(order[:n_val]), np.sort(order[n_val:])
            X_val, y_val, w_val = X[val], y[val], w[val]
            X, y, w = X[train], y[train], w[train]
        X32 = np.asarray(X, dtype=np.float32)
        ranks = compute_ranks(X32)  # shared by every tree
        n, K = X.shape[0], self._loss.n_trees
        raw = self._init_raw(X32, y, w)  # (n, K); float32 X as scikit-learn
        raw_val = None if X_val is None else self._raw_from_init(X_val.astype(np.float32))
        n_inbag = max(1, int(self.subsample * n))
        # scikit-learn's reporting convention: MSE (not ½MSE) and binomial deviance
        factor = 2.0 if isinstance(self._loss, (SquaredError, BinomialLogLoss)) else 1.0
        self.estimators_ = np.empty((self.n_estimators, K), dtype=object)
        self.train_score_ = np.zeros(self.n_estimators)
        if self.subsample < 1.0:
            self.oob_improvement_ = np.zeros(self.n_estimators)
            self.oob_scores_ = np.zeros(self.n_estimators)
        history = np.full(self.n_iter_no_change or 1, np.inf)
        n_done = 0
        for m in range(self.n_estimators):
            in_bag = np.ones(n, dtype=bool)
            if self.subsample < 1.0:
                in_bag[:] = False
                in_bag[rng.permutation(n)[:n_inbag]] = True
                oob_before = self._loss(y[~in_bag], raw[~in_bag], w[~in_bag]) * factor
            if hasattr(self._loss, "set_delta"):
                self._loss.set_delta(y[in_bag], raw[in_bag], w[in_bag])
            grad, _ = self._loss.gradient_hessian(y, raw)
            residual = -grad  # (n, K) pseudo-residuals
            w_bag = w * in_bag
            for k in range(K):
                tree = self._make_tree(int(rng.integers(np.iinfo(np.int32).max)))
                tree._fit_encoded(X32, residual[:, k], w_bag, ranks=ranks)
                leaves = tree.tree_.apply(X32)  # (n,)
                if not isinstance(self._loss, SquaredError):
                    self._line_search(tree, leaves, y, raw[:, k], residual[:, k], w_bag, k)
                raw[:, k] += self.learning_rate * tree.tree_.value[leaves, 0, 0]
                if raw_val is not None:
                    raw_val[:, k] += self.learning_rate * tree.predict(X_val)
                self.estimators_[m, k] = tree
            n_done = m + 1
            self.train_score_[m] = factor * self._loss(y[in_bag], raw[in_bag], w[in_bag])
            if self.subsample < 1.0:
                self.oob_scores_[m] = factor * self._loss(y[~in_bag], raw[~in_bag], w[~in_bag])
                self.oob_improvement_[m] = oob_before - self.oob_scores_[m]
            if raw_val is not None:
                val_loss = factor * self._loss(y_val, raw_val, w_val)
                if np.any(val_loss + self.tol < history):
                    history[m % history.size] = val_loss
                else:
                    break
        self.n_estimators_ = n_done
        self.estimators_ = self.estimators_[:n_done]
        self.train_score_ = self.train_score_[:n_done]
        if self.subsample < 1.0:
            self.oob_improvement_ = self.oob_improvement_[:n_done]
            self.oob_scores_ = self.oob_scores_[:n_done]
            self.oob_score_ = float(self.oob_scores_[-1])
        return self

    def _line_search(self, tree, leaves, y, raw_k, residual_k, w, k):
        """γ_j = argmin_γ Σ_{leaf j, in bag} w L(y, F + γ), written into the tree's leaves."""
        in_bag = w > 0
        order = np.argsort(leaves[in_bag], kind="stable")
        rows = np.flatnonzero(in_bag)[order]  # in-bag rows grouped by leaf
        leaf_ids, starts = np.unique(leaves[rows], return_index=True)
        for leaf, part in zip(leaf_ids, np.split(rows, starts[1:]), strict=True):
            tree.tree_.value[leaf, 0, 0] = self._loss.leaf_value(
                y[part], raw_k[part], residual_k[part], w[part], k
            )

    def _raw_predict(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        X32 = np.asarray(X, dtype=np.float32)
        raw = self._raw_from_init(X32)  # (n, K)
        for stage in self.estimators_:
            for k, tree in enumerate(stage):
                raw[:, k] += self.learning_rate * tree.tree_.predict(X32)[:, 0, 0]
        return raw

    def _staged_raw(self, X):
        X = self._validate_data(X, reset=False, dtype=np.float64)
        X32 = np.asarray(X, dtype=np.float32)
        raw = self._raw_from_init(X32)
        for stage in self.estimators_:
            for k, tree in enumerate(stage):
                raw[:, k] += self.learning_rate * tree.tree_.predict(X32)[:, 0, 0]
            yield raw.copy()

    @property
    def feature_importances_(self):
        """Mean (unnormalised) impurity decrease over all trees with a split, normalised."""
        trees = [t for stage in self.estimators_ for t in stage if t.tree_.node_count > 1]
        if not trees:
            return np.zeros(self.n_features_in_)
        average = np.mean([t.tree_.compute_feature_importances(normalize=False)
                           for t in trees], axis=0)  # fmt: skip
        return average / average.sum()


_TREE_PARAMS_DOC = """
    Parameters
    ----------
    loss : str, see the class summary.   learning_rate : float > 0, shrinkage η.
    n_estimators : int, boosting rounds.  subsample : float in (0, 1], rows per round.
    criterion, max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    min_impurity_decrease, max_features, max_leaf_nodes, ccp_alpha : passed to the trees.
    init : None (the loss's prior), 'zero', or an estimator giving F_0.
    alpha : float, quantile of the Huber and quantile losses.
    validation_fraction, n_iter_no_change, tol : early stopping on a held-out split.
    random_state : int, Generator or None.
"""


class GradientBoostingRegressor(RegressorMixin, BaseGradientBoosting):
    (
        """Gradient-boosted regression trees (Inventory: TE-12).

    Losses: ``squared_error`` ½(y−F)², ``absolute_error`` |y−F|, ``huber`` (δ = alpha-quantile
    of |y−F|), ``quantile`` (pinball). F_m = F_{m−1} + η·tree_m fitted to −∂L/∂F.
    """
        + _TREE_PARAMS_DOC
        + """
    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 2)); y = X[:, 0] ** 2
    >>> GradientBoostingRegressor(random_state=0).fit(X, y).score(X, y) > 0.95
    True
    """
    )

    _losses = REGRESSION_LOSSES
    _is_classifier = False

    def __init__(self, *, loss="squared_error", learning_rate=0.1, n_estimators=100,
                 subsample=1.0, criterion="friedman_mse", min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_depth=3,
                 min_impurity_decrease=0.0, init=None, random_state=None, max_features=None,
                 alpha=0.9, max_leaf_nodes=None, validation_fraction=0.1,
                 n_iter_no_change=None, tol=1e-4, ccp_alpha=0.0):  # fmt: skip
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.criterion = criterion
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.init = init
        self.random_state = random_state
        self.max_features = max_features
        self.alpha = alpha
        self.max_leaf_nodes = max_leaf_nodes
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.ccp_alpha = ccp_alpha

    def _encode_target(self, y):
        y = np.asarray(y, dtype=np.float64)
        if not np.isfinite(y).all():
            raise ValueError("y: contains NaN or infinity.")
        return y

    def _decode(self, y):
        return y

    def _make_loss(self):
        return get_loss(self.loss, alpha=self.alpha)

    def predict(self, X):
        """F_M(x), shape (n_samples,)."""
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X):
        """F_m(x) after every round m (a generator)."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class GradientBoostingClassifier(ClassifierMixin, BaseGradientBoosting):
    (
        """Gradient-boosted trees for classification (Inventory: TE-12).

    ``log_loss``: binary logistic (one tree per round, p = σ(F)) or multinomial softmax
    (K trees per round); ``exponential``: AdaBoost's loss e^{−ỹF} (binary only, p = σ(2F)).
    """
        + _TREE_PARAMS_DOC
        + """
    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 2)); y = X[:, 0] > 0
    >>> GradientBoostingClassifier(n_estimators=20).fit(X, y).score(X, y) > 0.95
    True
    """
    )

    _losses = CLASSIFICATION_LOSSES
    _is_classifier = True

    def __init__(self, *, loss="log_loss", learning_rate=0.1, n_estimators=100,
                 subsample=1.0, criterion="friedman_mse", min_samples_split=2,
                 min_samples_leaf=1, min_weight_fraction_leaf=0.0, max_depth=3,
                 min_impurity_decrease=0.0, init=None, random_state=None, max_features=None,
                 max_leaf_nodes=None, validation_fraction=0.1, n_iter_no_change=None,
                 tol=1e-4, ccp_alpha=0.0):  # fmt: skip
        self.loss = loss
        self.learning_rate = learning_rate
        self.n_estimators = n_estimators
        self.subsample = subsample
        self.criterion = criterion
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_depth = max_depth
        self.min_impurity_decrease = min_impurity_decrease
        self.init = init
        self.random_state = random_state
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.ccp_alpha = ccp_alpha

    alpha = 0.9  # unused by the classification losses; kept for the shared parameter check

    def _encode_target(self, y):
        check_classification_targets(y)
        self.classes_, encoded = np.unique(np.asarray(y), return_inverse=True)
        self.n_classes_ = self.classes_.size
        if self.n_classes_ < 2:
            raise ValueError(
                f"y: needs samples of at least 2 classes, got 1 class ({self.classes_[0]!r})."
            )
        if self.loss == "exponential" and self.n_classes_ > 2:
            raise ValueError(
                f"loss: 'exponential' requires 2 classes, got {self.n_classes_}; use 'log_loss'."
            )
        return encoded

    def _decode(self, y):
        return self.classes_[y]

    def _make_loss(self):
        return get_loss(self.loss, n_classes=self.n_classes_)

    def decision_function(self, X):
        """Raw scores F(x): (n_samples,) for two classes, else (n_samples, K)."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def staged_decision_function(self, X):
        for raw in self._staged_raw(X):
            yield raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X):
        """Class probabilities from the raw scores (sigmoid / softmax), (n_samples, K)."""
        raw = self._raw_predict(X)  # validates and checks fitted first
        return self._loss.proba(raw)

    def predict(self, X):
        """Most probable class (for two classes: class 1 iff F(x) > 0)."""
        raw = self._raw_predict(X)  # (n, K)
        best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
        return self.classes_[best]

    def staged_predict_proba(self, X):
        for raw in self._staged_raw(X):
            yield self._loss.proba(raw)

    def staged_predict(self, X):
        for raw in self._staged_raw(X):
            best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
            yield self.classes_[best]
