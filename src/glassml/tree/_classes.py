"""CART decision trees: DecisionTreeClassifier and DecisionTreeRegressor.

Inventory: TE-01 (CART classifier), TE-02 (Gini / entropy / information gain), TE-03 (regression
tree, MSE and MAE), TE-04 (hyperparameters), TE-05 (cost-complexity pruning), TE-06 (missing
values), TE-09 (impurity importances).

Growth is greedy: every node takes the (feature, threshold) that maximises the weighted impurity
decrease ``w_t I(t) − w_L I(L) − w_R I(R)`` (criteria in :mod:`glassml.tree._criterion`);
thresholds lie at midpoints of consecutive distinct values. A leaf predicts the weighted class
fractions (classifier), the weighted mean (squared error) or weighted median (absolute error).
Features are compared as float32, as in scikit-learn, so that on data where the best split is
unique (``max_features=None``) the trees are identical to scikit-learn's, node for node.

Missing values (NaN in X) are supported by both splitters (not with ``absolute_error``): see
:mod:`glassml.tree._splitter` — each split learns whether NaN goes left or right; a feature that
had no NaN in the node at training time sends NaN to the child with more training samples.
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
)
from ._builder import GrowConfig, grow_tree
from ._criterion import CLASSIFICATION_CRITERIA, REGRESSION_CRITERIA
from ._prune import prune, pruning_path
from ._splitter import compute_ranks

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "resolve_max_features"]


def resolve_max_features(max_features, n_features: int, name: str = "max_features") -> int:
    """Number of features to draw per split from an int, a fraction, "sqrt", "log2" or None."""
    if max_features is None:
        return n_features
    if isinstance(max_features, str):
        check_in(max_features, name, ("sqrt", "log2"))
        f = np.sqrt if max_features == "sqrt" else np.log2
        return max(1, int(f(n_features)))
    if isinstance(max_features, numbers.Integral) and not isinstance(max_features, bool):
        check_scalar(max_features, name, numbers.Integral, min_val=1, max_val=n_features)
        return int(max_features)
    check_scalar(max_features, name, numbers.Real, min_val=0.0, max_val=1.0,
                 include_boundaries="right")  # fmt: skip
    return max(1, int(max_features * n_features))


class BaseDecisionTree(BaseEstimator):
    """Shared fitting code of the CART classifier and regressor."""

    _criteria: tuple = ()

    def _glassml_tags(self):
        return {"allow_nan": getattr(self, "criterion", None) != "absolute_error"}

    def _check_params(self, n_samples: int):
        check_in(self.criterion, "criterion", self._criteria)
        check_in(self.splitter, "splitter", ("best", "random"))
        if self.max_depth is not None:
            check_scalar(self.max_depth, "max_depth", numbers.Integral, min_val=1)
        if isinstance(self.min_samples_split, numbers.Integral):
            check_scalar(self.min_samples_split, "min_samples_split", numbers.Integral, min_val=2)
            min_split = int(self.min_samples_split)
        else:
            check_scalar(self.min_samples_split, "min_samples_split", numbers.Real,
                         min_val=0.0, max_val=1.0, include_boundaries="right")  # fmt: skip
            min_split = max(2, int(np.ceil(self.min_samples_split * n_samples)))
        if isinstance(self.min_samples_leaf, numbers.Integral):
            check_scalar(self.min_samples_leaf, "min_samples_leaf", numbers.Integral, min_val=1)
            min_leaf = int(self.min_samples_leaf)
        else:
            check_scalar(self.min_samples_leaf, "min_samples_leaf", numbers.Real,
                         min_val=0.0, max_val=1.0, include_boundaries="neither")  # fmt: skip
            min_leaf = int(np.ceil(self.min_samples_leaf * n_samples))
        check_scalar(self.min_weight_fraction_leaf, "min_weight_fraction_leaf", numbers.Real,
                     min_val=0.0, max_val=0.5)  # fmt: skip
        if self.max_leaf_nodes is not None:
            check_scalar(self.max_leaf_nodes, "max_leaf_nodes", numbers.Integral, min_val=2)
        check_scalar(self.min_impurity_decrease, "min_impurity_decrease", numbers.Real,
                     min_val=0.0)  # fmt: skip
        check_scalar(self.ccp_alpha, "ccp_alpha", numbers.Real, min_val=0.0)
        return max(min_split, 2 * min_leaf), min_leaf

    def _prepare(self, X, y, sample_weight):
        """Validate inputs; return float32 X, encoded y, weights and the growth config."""
        X, y = self._validate_data(X, y, allow_nan=True)
        X = np.asarray(X, dtype=np.float32)
        if np.isinf(X).any():
            raise ValueError("X: contains infinity (or a value too large for float32).")
        if self.criterion == "absolute_error" and np.isnan(X).any():
            raise ValueError(
                "X: contains NaN; missing values are not supported with "
                "criterion='absolute_error' (use 'squared_error' or impute)."
            )
        w = check_sample_weight(sample_weight, X)
        y = self._encode_y(y)
        if self._is_classifier and self.class_weight is not None:
            w = w * self._class_weights(y)
        if not (w > 0).any():
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        cfg = self._config(X.shape[0], X.shape[1], w.sum())
        return X, y, w, cfg

    def _config(self, n_samples, n_features, total_weight) -> GrowConfig:
        """Validated hyperparameters turned into the growth configuration."""
        min_split, min_leaf = self._check_params(n_samples)
        self.max_features_ = resolve_max_features(self.max_features, n_features)
        return GrowConfig(
            is_classification=self._is_classifier,
            n_classes=len(self.classes_) if self._is_classifier else 1,
            criterion="entropy" if self.criterion == "log_loss" else self.criterion,
            splitter=self.splitter,
            max_depth=np.iinfo(np.int32).max if self.max_depth is None else int(self.max_depth),
            min_samples_split=min_split,
            min_samples_leaf=min_leaf,
            min_weight_leaf=self.min_weight_fraction_leaf * total_weight,
            max_features=self.max_features_,
            min_impurity_decrease=float(self.min_impurity_decrease),
            max_leaf_nodes=self.max_leaf_nodes,
        )

    def _fit_encoded(self, X, y, w, ranks=None, classes=None):
        """Fit on already validated float32 ``X``, encoded ``y`` and weights ``w`` (used by the
        ensembles, which validate once and share the feature ranks between trees)."""
        self.n_features_in_ = X.shape[1]
        if self._is_classifier:
            self.classes_ = classes
            self.n_classes_ = len(classes)
        cfg = self._config(X.shape[0], X.shape[1], w.sum())
        return self._grow(X, y, w, cfg, ranks)

    def _grow(self, X, y, w, cfg, ranks):
        rng = check_random_state(self.random_state)
        if ranks is None and cfg.splitter == "best" and cfg.criterion != "absolute_error":
            ranks = compute_ranks(X)
        tree = grow_tree(X, ranks, y, w, cfg, rng)
        if self.ccp_alpha > 0.0:
            tree = prune(tree, float(self.ccp_alpha))
        self.tree_ = tree
        self.n_outputs_ = 1
        return self

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Grow the tree on (X, y) with optional per-sample weights; returns ``self``."""
        X, y, w, cfg = self._prepare(X, y, sample_weight)
        return self._grow(X, y, w, cfg, None)

    def cost_complexity_pruning_path(self, X, y, sample_weight=None):
        """Effective alphas and total leaf impurities of minimal cost-complexity pruning.

        Returns a dict with ``ccp_alphas`` (increasing) and ``impurities`` (R(T) of each
        pruned subtree), like scikit-learn's ``Bunch``.
        """
        est = self.__class__(**{**self.get_params(), "ccp_alpha": 0.0})
        est.fit(X, y, sample_weight=sample_weight)
        return pruning_path(est.tree_)

    # ------------------------------------------------------------------ inspection
    def _X_predict(self, X):
        X = self._validate_data(X, reset=False, allow_nan=True)
        X = np.asarray(X, dtype=np.float32)
        if np.isnan(X).any() and self.criterion == "absolute_error":
            raise ValueError("X: contains NaN; not supported with criterion='absolute_error'.")
        return X

    def apply(self, X, check_input=True):
        """Index of the leaf each sample ends up in, shape (n_samples,)."""
        X = self._X_predict(X)
        return self.tree_.apply(X)

    def decision_path(self, X, check_input=True):
        """CSR indicator matrix (n_samples, node_count) of the nodes on each sample's path."""
        X = self._X_predict(X)
        return self.tree_.decision_path(X)

    def get_depth(self) -> int:
        """Depth of the tree (a single leaf has depth 0)."""
        self._check_fitted()
        return self.tree_.max_depth

    def get_n_leaves(self) -> int:
        """Number of leaves."""
        self._check_fitted()
        return self.tree_.n_leaves

    def _check_fitted(self):
        from .._core import check_is_fitted

        check_is_fitted(self)

    @property
    def feature_importances_(self):
        """Impurity-based (mean decrease in impurity) importances, normalised to sum 1."""
        self._check_fitted()
        return self.tree_.compute_feature_importances()


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """CART classification tree (Inventory: TE-01, TE-02, TE-04, TE-05, TE-06, TE-09).

    Impurity: Gini ``1 − Σ_k p_k²`` or entropy ``−Σ_k p_k log₂ p_k`` (``log_loss`` is the same
    criterion); a split maximises ``w_t I(t) − w_L I(L) − w_R I(R)``. ``class_weight`` multiplies
    each sample's weight by its class weight (``"balanced"``: ``n / (K · n_k)``).

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}
    splitter : {"best", "random"}  — "random" draws one uniform threshold per feature (extra trees)
    max_depth : int >= 1 or None (grow until pure / other limits)
    min_samples_split : int >= 2 or float fraction
    min_samples_leaf : int >= 1 or float fraction
    min_weight_fraction_leaf : float in [0, 0.5]
    max_features : int, float, "sqrt", "log2" or None (all) — features drawn per node
    random_state : int, Generator or None
    max_leaf_nodes : int >= 2 or None — best-first growth
    min_impurity_decrease : float >= 0
    class_weight : dict, "balanced" or None
    ccp_alpha : float >= 0 — minimal cost-complexity pruning

    Example
    -------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> clf = DecisionTreeClassifier(max_depth=1).fit(X, y)
    >>> clf.predict([[0.4], [2.6]]).tolist(), float(clf.tree_.threshold[0])
    ([0, 1], 1.5)
    """

    _criteria = CLASSIFICATION_CRITERIA
    _is_classifier = True

    def __init__(
        self,
        *,
        criterion="gini",
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        class_weight=None,
        ccp_alpha=0.0,
    ):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha

    def _encode_y(self, y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of labels, got shape {y.shape}.")
        check_classification_targets(y)
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        self.n_classes_ = len(self.classes_)
        return y_encoded.ravel().astype(np.intp)

    def _class_weights(self, y_encoded):
        cw = self.class_weight
        counts = np.bincount(y_encoded, minlength=self.n_classes_)
        if isinstance(cw, str):
            check_in(cw, "class_weight", ("balanced",))
            per_class = y_encoded.size / (self.n_classes_ * counts)
        elif isinstance(cw, dict):
            unknown = set(cw) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(
                    f"class_weight: labels {sorted(unknown)!r} are not among the classes "
                    f"{self.classes_.tolist()!r}."
                )
            per_class = np.array([float(cw.get(c, 1.0)) for c in self.classes_.tolist()])
        else:
            raise ValueError(
                f"class_weight: expected None, 'balanced' or a dict, got {type(cw).__name__}."
            )
        return per_class[y_encoded]

    def predict_proba(self, X, check_input=True):
        """Weighted class fractions of the leaf, shape (n_samples, n_classes)."""
        X = self._X_predict(X)
        return self.tree_.predict(X)[:, 0, :]

    def predict_log_proba(self, X):
        """Natural log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X, check_input=True):
        """Most probable class of the leaf (first class on ties)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """CART regression tree (Inventory: TE-03, TE-04, TE-05, TE-06, TE-09).

    Criteria: ``squared_error`` (leaf = weighted mean, impurity = weighted variance),
    ``friedman_mse`` (same splits for one output, Friedman's improvement
    ``w_L w_R (ȳ_L − ȳ_R)² / w``), ``absolute_error`` (leaf = weighted median, impurity = mean
    absolute deviation; O(n²) per node, for small data).

    Parameters are those of :class:`DecisionTreeClassifier` without ``class_weight``.

    Example
    -------
    >>> import numpy as np
    >>> reg = DecisionTreeRegressor(max_depth=1).fit([[0.0], [1.0], [2.0]], [1.0, 1.0, 4.0])
    >>> reg.predict([[0.2], [1.9]]).tolist()
    [1.0, 4.0]
    """

    _criteria = REGRESSION_CRITERIA
    _is_classifier = False

    def __init__(
        self,
        *,
        criterion="squared_error",
        splitter="best",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=None,
        random_state=None,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        ccp_alpha=0.0,
    ):
        self.criterion = criterion
        self.splitter = splitter
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.random_state = random_state
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.ccp_alpha = ccp_alpha

    def _encode_y(self, y):
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(f"y: expected a 1-D array of targets, got shape {y.shape}.")
        y = y.astype(np.float64)
        if not np.isfinite(y).all():
            raise ValueError("y: contains NaN or infinity.")
        return y

    def predict(self, X, check_input=True):
        """Leaf value (weighted mean or median) of every sample, shape (n_samples,)."""
        X = self._X_predict(X)
        return self.tree_.predict(X)[:, 0, 0]
