"""XGBoost-style second-order histogram gradient boosting (Inventory: TE-13, TE-12).

Every round fits a regression tree to the first and second derivatives of the loss,
``g_i = ∂L(y_i, F_i)/∂F`` and ``h_i = ∂²L/∂F²``. With ``G = Σ_node g`` and ``H = Σ_node h``,
the second-order Taylor expansion of the regularised objective gives

* leaf weight   ``w* = −T_α(G) / (H + λ)``,  with ``T_α(G) = sign(G)·max(|G| − α, 0)`` (L1),
* split gain    ``½ [T(G_L)²/(H_L+λ) + T(G_R)²/(H_R+λ) − T(G)²/(H+λ)] − γ``,

and a split is kept only when its gain is positive (``γ`` prunes), both children keep
``H ≥ min_child_weight`` and ``≥ min_samples_leaf`` samples. Features are quantile-binned
(:class:`BinMapper`, ≤255 bins plus a missing-value bin); per-node gradient/hessian/count
histograms come from one sparse product (root, counts cached) or three ``np.bincount`` per
feature over the rows of a tree level (see ``_hist_grower``), and only the smaller child of
each split is counted — its sibling is ``parent − child`` (histogram subtraction). For every
candidate threshold both *default directions* for missing values are scored (missing → left,
missing → right) and the better one is learned. Trees are grown level by level: all nodes of
one depth are split together, with no Python loop per node.
Row subsampling (``subsample``), column subsampling (``colsample_bytree``), the losses
``squared_error``, binary/multinomial ``log_loss`` (softmax, K trees per round), a custom
objective ``fn(y, raw) -> (grad, hess)``, and early stopping on a validation set.

The tree grower (leaf weights, split gains, histograms) is in ``_hist_grower``; this module
holds the boosting loop and the two estimators.
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_classification_targets,
    check_in,
    check_random_state,
    check_sample_weight,
    check_scalar,
)

from ._binning import BinMapper
from ._hist_grower import GrowParams, HistTree, TreeGrower  # noqa: F401  (HistTree re-exported)
from ._losses import get_loss

__all__ = ["HistGradientBoostingClassifier", "HistGradientBoostingRegressor"]


class BaseHistGradientBoosting(BaseEstimator):
    """Shared fitting loop of the histogram boosters."""

    def __init__(
        self,
        *,
        loss,
        learning_rate=0.1,
        max_iter=100,
        max_depth=6,
        max_leaf_nodes=None,
        min_samples_leaf=20,
        min_child_weight=1e-3,
        reg_lambda=1.0,
        reg_alpha=0.0,
        gamma=0.0,
        max_bins=255,
        subsample=1.0,
        colsample_bytree=1.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-7,
        random_state=None,
    ):
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_depth = max_depth
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.min_child_weight = min_child_weight
        self.reg_lambda = reg_lambda
        self.reg_alpha = reg_alpha
        self.gamma = gamma
        self.max_bins = max_bins
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    def _glassml_tags(self):
        return {"allow_nan": True}

    def _check_params(self):
        R, I = numbers.Real, numbers.Integral
        check_scalar(self.learning_rate, "learning_rate", R, min_val=0.0,
                     include_boundaries="neither")  # fmt: skip
        check_scalar(self.max_iter, "max_iter", I, min_val=1)
        if self.max_depth is not None:
            check_scalar(self.max_depth, "max_depth", I, min_val=1)
        if self.max_leaf_nodes is not None:
            check_scalar(self.max_leaf_nodes, "max_leaf_nodes", I, min_val=2)
        check_scalar(self.min_samples_leaf, "min_samples_leaf", I, min_val=1)
        check_scalar(self.min_child_weight, "min_child_weight", R, min_val=0.0)
        check_scalar(self.reg_lambda, "reg_lambda", R, min_val=0.0)
        check_scalar(self.reg_alpha, "reg_alpha", R, min_val=0.0)
        check_scalar(self.gamma, "gamma", R, min_val=0.0)
        check_scalar(self.max_bins, "max_bins", I, min_val=2, max_val=255)
        check_scalar(self.subsample, "subsample", R, min_val=0.0, max_val=1.0,
                     include_boundaries="right")  # fmt: skip
        check_scalar(self.colsample_bytree, "colsample_bytree", R, min_val=0.0, max_val=1.0,
                     include_boundaries="right")  # fmt: skip
        check_in(self.early_stopping, "early_stopping", (True, False))
        if self.validation_fraction is not None:
            check_scalar(self.validation_fraction, "validation_fraction", R, min_val=0.0,
                         max_val=1.0, include_boundaries="neither")  # fmt: skip
        check_scalar(self.n_iter_no_change, "n_iter_no_change", I, min_val=1)
        check_scalar(self.tol, "tol", R, min_val=0.0)

    def fit(self, X, y, sample_weight=None, eval_set=None):
        """Boost ``max_iter`` rounds (fewer with early stopping); returns ``self``.

        ``eval_set=(X_val, y_val)`` turns on early stopping on that set; otherwise
        ``early_stopping=True`` holds out ``validation_fraction`` of the data (or scores the
        training loss when ``validation_fraction=None``).
        """
        self._check_params()
        X, y = self._validate_data(X, y, allow_nan=True, dtype=np.float64)
        if np.isinf(X).any():
            raise ValueError("X: contains infinity; only NaN is supported as a missing value.")
        w = check_sample_weight(sample_weight, X)
        if not (w > 0).any():
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        y = self._encode_target(y)
        rng = check_random_state(self.random_state)
        X_val = y_val = w_val = None
        stop_early = self.early_stopping or eval_set is not None
        if eval_set is not None:
            X_val = self._validate_data(eval_set[0], reset=False, allow_nan=True,
                                        dtype=np.float64)  # fmt: skip
            y_val, w_val = self._encode_target(eval_set[1], fitted=True), np.ones(len(X_val))
        elif self.early_stopping and self.validation_fraction is not None:
            order = rng.permutation(X.shape[0])
            n_val = max(1, int(round(self.validation_fraction * X.shape[0])))
            val, train = order[:n_val], order[n_val:]
            X_val, y_val, w_val = X[val], y[val], w[val]
            X, y, w = X[train], y[train], w[train]
        loss = self._make_loss()
        self._loss_ = loss
        mapper = BinMapper(max_bins=self.max_bins, random_state=rng.integers(2**31)).fit(X)
        binned = mapper.transform(X)  # (n, d) uint8
        self._bin_mapper = mapper
        params = GrowParams(
            max_depth=self.max_depth,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=int(self.min_samples_leaf),
            min_child_weight=float(self.min_child_weight),
            reg_lambda=float(self.reg_lambda),
            reg_alpha=float(self.reg_alpha),
            gamma=float(self.gamma),
            learning_rate=float(self.learning_rate),
        )
        grower = TreeGrower(binned, mapper.bin_thresholds_, self.max_bins, params)
        n, d = X.shape
        K = self._n_trees_per_iteration
        self._baseline = self._initial_raw(loss, y, w)  # (K,)
        raw = np.tile(self._baseline, (n, 1))  # (n, K)
        raw_val = None if X_val is None else np.tile(self._baseline, (len(X_val), 1))
        self._predictors = []
        self.train_score_, self.validation_score_ = [], []
        best, since_best, self.best_iteration_ = np.inf, 0, 0
        n_cols = max(1, int(round(self.colsample_bytree * d)))
        weighted = bool((w != 1.0).any())
        for iteration in range(self.max_iter):
            grad, hess = self._gradient_hessian(loss, y, raw)  # each (n, K)
            if weighted:  # (unit weights would multiply by 1.0: skipped, the same numbers)
                grad, hess = grad * w[:, None], hess * w[:, None]
            in_bag = None
            if self.subsample < 1.0:
                in_bag = rng.random(n) < self.subsample
                if not in_bag.any():
                    in_bag[rng.integers(n)] = True
            allowed = np.ones(d, dtype=bool)
            if n_cols < d:
                allowed[:] = False
                allowed[rng.choice(d, n_cols, replace=False)] = True
            trees = []
            for k in range(K):
                tree, leaf_of_row = grower.grow(grad[:, k], hess[:, k], in_bag, allowed)
                raw[:, k] += tree.value[leaf_of_row]
                if raw_val is not None:
                    raw_val[:, k] += tree.predict(X_val)
                trees.append(tree)
            self._predictors.append(trees)
            if stop_early:
                score = (self._objective(loss, y, raw, w) if raw_val is None
                         else self._objective(loss, y_val, raw_val, w_val))  # fmt: skip
                self.validation_score_.append(score)
                if score < best - self.tol:
                    best, since_best, self.best_iteration_ = score, 0, iteration
                else:
                    since_best += 1
                    if since_best >= self.n_iter_no_change:
                        break
        self.n_iter_ = len(self._predictors)
        if not stop_early:
            self.best_iteration_ = self.n_iter_ - 1
        self.validation_score_ = np.asarray(self.validation_score_)
        gains = np.zeros(d)
        for trees in self._predictors:
            for tree in trees:
                internal = tree.feature >= 0
                np.add.at(gains, tree.feature[internal], tree.gain[internal])
        total = gains.sum()
        self.feature_importances_ = gains / total if total > 0 else gains
        return self

    def _objective(self, loss, y, raw, w):
        """Early-stopping score: the loss (squared error for a custom objective)."""
        if callable(self.loss):
            return float(np.average((y - raw[:, 0]) ** 2, weights=w))
        return loss(y, raw, w)

    def _raw_predict(self, X, n_iter=None):
        """Raw scores F(x) = baseline + Σ trees, shape (n_samples, K)."""
        X = self._validate_data(X, reset=False, allow_nan=True, dtype=np.float64)
        raw = np.tile(self._baseline, (X.shape[0], 1))  # (n, K)
        for trees in self._predictors[:n_iter]:
            for k, tree in enumerate(trees):
                raw[:, k] += tree.predict(X)
        return raw

    def _staged_raw(self, X):
        X = self._validate_data(X, reset=False, allow_nan=True, dtype=np.float64)
        raw = np.tile(self._baseline, (X.shape[0], 1))
        for trees in self._predictors:
            for k, tree in enumerate(trees):
                raw[:, k] += tree.predict(X)
            yield raw.copy()


class HistGradientBoostingRegressor(RegressorMixin, BaseHistGradientBoosting):
    """Second-order histogram gradient boosting for regression (Inventory: TE-13).

    F_M(x) = F_0 + Σ_m η f_m(x), each tree f_m minimising
    Σ_i [g_i f(x_i) + ½ h_i f(x_i)²] + γ·T + ½λ‖w‖² + α‖w‖₁ (see the module docstring).

    Parameters
    ----------
    loss : 'squared_error' or callable ``fn(y, raw) -> (grad, hess)`` (custom objective;
        its baseline is 0 and its early-stopping score the squared error).
    learning_rate : float > 0, shrinkage η.      max_iter : int, boosting rounds.
    max_depth : int or None (default 6).          max_leaf_nodes : int or None.
    min_samples_leaf : int.   min_child_weight : float, minimum hessian sum of a child.
    reg_lambda, reg_alpha, gamma : L2 on leaf weights, L1 on leaf weights, split penalty.
    max_bins : int ≤ 255.   subsample, colsample_bytree : row / column fractions per round.
    early_stopping, validation_fraction, n_iter_no_change, tol : stop when the validation
        loss has not improved by ``tol`` for ``n_iter_no_change`` rounds.
    random_state : int, Generator or None.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3)); y = X[:, 0] - X[:, 1]
    >>> HistGradientBoostingRegressor(max_iter=100).fit(X, y).score(X, y) > 0.9
    True
    """

    _n_trees_per_iteration = 1

    def __init__(self, *, loss="squared_error", learning_rate=0.1, max_iter=100, max_depth=6,
                 max_leaf_nodes=None, min_samples_leaf=20, min_child_weight=1e-3,
                 reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, max_bins=255, subsample=1.0,
                 colsample_bytree=1.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-7, random_state=None):  # fmt: skip
        super().__init__(
            loss=loss, learning_rate=learning_rate, max_iter=max_iter, max_depth=max_depth,
            max_leaf_nodes=max_leaf_nodes, min_samples_leaf=min_samples_leaf,
            min_child_weight=min_child_weight, reg_lambda=reg_lambda, reg_alpha=reg_alpha,
            gamma=gamma, max_bins=max_bins, subsample=subsample,
            colsample_bytree=colsample_bytree, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            tol=tol, random_state=random_state,
        )  # fmt: skip

    def _encode_target(self, y, fitted=False):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of targets, got shape {y.shape}.")
        if not np.isfinite(y).all():
            raise ValueError("y: contains NaN or infinity.")
        return y

    def _make_loss(self):
        if callable(self.loss):
            return self.loss
        check_in(self.loss, "loss", ("squared_error",))
        return get_loss("squared_error")

    def _initial_raw(self, loss, y, w):
        return np.zeros(1) if callable(self.loss) else loss.init_raw(y, w)

    def _gradient_hessian(self, loss, y, raw):
        if not callable(self.loss):
            return loss.gradient_hessian(y, raw)
        grad, hess = self.loss(y, raw[:, 0].copy())
        grad, hess = np.asarray(grad, dtype=np.float64), np.asarray(hess, dtype=np.float64)
        if grad.shape != y.shape or hess.shape != y.shape:
            raise ValueError(
                f"loss: a custom objective must return (grad, hess) of shape {y.shape}, "
                f"got {grad.shape} and {hess.shape}."
            )
        return grad[:, None], hess[:, None]

    def predict(self, X):
        """F(x) for every row, shape (n_samples,)."""
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X):
        """Predictions after each round (a generator)."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]


class HistGradientBoostingClassifier(ClassifierMixin, BaseHistGradientBoosting):
    """Second-order histogram gradient boosting for classification (Inventory: TE-13).

    Binary: one tree per round on the logistic loss (p = σ(F), g = p − y, h = p(1 − p)).
    K > 2 classes: K trees per round on the softmax cross-entropy (g_k = p_k − [y = k],
    h_k = p_k(1 − p_k), the diagonal Hessian as in scikit-learn and LightGBM).
    Parameters as in :class:`HistGradientBoostingRegressor`; ``loss='log_loss'``.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3)); y = X[:, 0] > 0
    >>> HistGradientBoostingClassifier(max_iter=20).fit(X, y).score(X, y) > 0.95
    True
    """

    def __init__(self, *, loss="log_loss", learning_rate=0.1, max_iter=100, max_depth=6,
                 max_leaf_nodes=None, min_samples_leaf=20, min_child_weight=1e-3,
                 reg_lambda=1.0, reg_alpha=0.0, gamma=0.0, max_bins=255, subsample=1.0,
                 colsample_bytree=1.0, early_stopping=False, validation_fraction=0.1,
                 n_iter_no_change=10, tol=1e-7, random_state=None):  # fmt: skip
        super().__init__(
            loss=loss, learning_rate=learning_rate, max_iter=max_iter, max_depth=max_depth,
            max_leaf_nodes=max_leaf_nodes, min_samples_leaf=min_samples_leaf,
            min_child_weight=min_child_weight, reg_lambda=reg_lambda, reg_alpha=reg_alpha,
            gamma=gamma, max_bins=max_bins, subsample=subsample,
            colsample_bytree=colsample_bytree, early_stopping=early_stopping,
            validation_fraction=validation_fraction, n_iter_no_change=n_iter_no_change,
            tol=tol, random_state=random_state,
        )  # fmt: skip

    def _encode_target(self, y, fitted=False):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of labels, got shape {y.shape}.")
        if fitted:
            encoded = np.searchsorted(self.classes_, y)
            encoded = np.clip(encoded, 0, len(self.classes_) - 1)
            if not np.array_equal(self.classes_[encoded], y):
                raise ValueError("eval_set: y contains labels not seen in training.")
            return encoded
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError(
                f"y: needs samples of at least 2 classes, got 1 class ({self.classes_[0]!r})."
            )
        self.n_classes_ = self.classes_.size
        return encoded

    @property
    def _n_trees_per_iteration(self):
        return 1 if self.n_classes_ == 2 else self.n_classes_

    def _make_loss(self):
        check_in(self.loss, "loss", ("log_loss",))
        return get_loss("log_loss", n_classes=self.n_classes_)

    def _initial_raw(self, loss, y, w):
        return loss.init_raw(y, w)

    def _gradient_hessian(self, loss, y, raw):
        return loss.gradient_hessian(y, raw)

    def decision_function(self, X):
        """Raw scores: (n_samples,) for two classes, else (n_samples, K)."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def predict_proba(self, X):
        """Class probabilities (sigmoid or softmax of the raw scores), (n_samples, K)."""
        raw = self._raw_predict(X)  # validates and checks fitted first
        return self._loss_.proba(raw)

    def predict(self, X):
        """Most probable class (for two classes: class 1 iff F(x) > 0)."""
        raw = self._raw_predict(X)  # (n, K)
        best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
        return self.classes_[best]

    def staged_predict_proba(self, X):
        for raw in self._staged_raw(X):
            yield self._loss_.proba(raw)

    def staged_predict(self, X):
        for raw in self._staged_raw(X):
            best = (raw[:, 0] > 0).astype(int) if raw.shape[1] == 1 else np.argmax(raw, axis=1)
            yield self.classes_[best]
