"""Random forests and extremely randomised trees (Inventory: TE-07, TE-08, TE-09).

A random forest averages B trees, each grown on a bootstrap sample (drawn as per-sample
multiplicities ``c_i`` used as weights, like scikit-learn) with ``max_features`` features drawn
afresh at every node:

    classifier:  p̂(k | x) = (1/B) Σ_b p̂_b(k | x),  ŷ = argmax_k p̂(k | x)
    regressor:   ŷ(x) = (1/B) Σ_b ŷ_b(x)

Out-of-bag estimate (TE-08): each sample is predicted by the trees whose bootstrap left it out
(``c_i = 0``); ``oob_score_`` is the accuracy / R² of those predictions. Importances (TE-09): the
mean over trees of each tree's normalised mean decrease in impurity. Extra trees draw one
uniform random threshold per candidate feature (``splitter="random"``) and, by default, use the
whole sample (``bootstrap=False``).

Trees are fitted through ``joblib.Parallel(n_jobs=...)`` without a hard-coded backend (threads
are only *preferred*), so ``joblib.parallel_config(backend="dask")`` moves the work to a cluster.
Every tree's seed is drawn from ``random_state`` before the parallel section, so the forest is
the same for any ``n_jobs``.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np
from joblib import Parallel, delayed

from .._core import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    check_in,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_scalar,
)
from ..tree import DecisionTreeClassifier, DecisionTreeRegressor
from ..tree._splitter import compute_ranks

__all__ = [
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
]

_TREE_PARAMS = (
    "criterion",
    "max_depth",
    "min_samples_split",
    "min_samples_leaf",
    "min_weight_fraction_leaf",
    "max_features",
    "max_leaf_nodes",
    "min_impurity_decrease",
    "ccp_alpha",
)


def _n_bootstrap(n_samples, max_samples):
    if max_samples is None:
        return n_samples
    if isinstance(max_samples, numbers.Integral) and not isinstance(max_samples, bool):
        check_scalar(max_samples, "max_samples", numbers.Integral, min_val=1, max_val=n_samples)
        return int(max_samples)
    check_scalar(max_samples, "max_samples", numbers.Real, min_val=0.0, max_val=1.0,
                 include_boundaries="right")  # fmt: skip
    return max(1, round(n_samples * max_samples))


def _fit_one(tree, X, y, w, ranks, classes, bootstrap, n_boot, seed):
    """Draw the bootstrap multiplicities from ``seed`` and grow one tree."""
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    counts = None
    if bootstrap:
        counts = np.bincount(rng.integers(0, n, size=n_boot), minlength=n)  # (n,)
        w = w * counts
    tree.random_state = rng
    tree._fit_encoded(X, y, w, ranks=ranks, classes=classes)
    tree.random_state = seed
    return tree, counts


class BaseForest(BaseEstimator):
    """Shared code of the four forests."""

    _splitter = "best"

    def _glassml_tags(self):
        return {"allow_nan": self.criterion != "absolute_error"}

    def _make_tree(self):
        params = {k: getattr(self, k) for k in _TREE_PARAMS}
        params["splitter"] = self._splitter
        if self._is_classifier:
            params["class_weight"] = None
            return DecisionTreeClassifier(**params)
        return DecisionTreeRegressor(**params)

    def fit(self, X, y, sample_weight=None):
        """Grow ``n_estimators`` trees (in parallel with ``n_jobs``); returns ``self``."""
        X, y = self._validate_data(X, y, allow_nan=True)
        X = np.asarray(X, dtype=np.float32)
        if np.isinf(X).any():
            raise ValueError("X: contains infinity (or a value too large for float32).")
        check_scalar(self.n_estimators, "n_estimators", numbers.Integral, min_val=1)
        check_in(self.bootstrap, "bootstrap", (True, False))
        if self.oob_score and not self.bootstrap:
            raise ValueError("oob_score: out-of-bag estimation needs bootstrap=True.")
        if not self.bootstrap and self.max_samples is not None:
            raise ValueError("max_samples: only available with bootstrap=True.")
        template = self._make_tree()
        y_enc = template._encode_y(y)
        w = check_sample_weight(sample_weight, X)
        if not (w > 0).any():
            raise ValueError("sample_weight: all weights are zero; nothing to fit.")
        if self._is_classifier:
            self.classes_, self.n_classes_ = template.classes_, template.n_classes_
            if self.class_weight is not None:
                template.class_weight = self.class_weight
                w = w * template._class_weights(y_enc)
                template.class_weight = None
        if self.criterion == "absolute_error" and np.isnan(X).any():
            raise ValueError("X: contains NaN; not supported with criterion='absolute_error'.")
        template._config(X.shape[0], X.shape[1], w.sum())  # validates the tree parameters
        n_boot = _n_bootstrap(X.shape[0], self.max_samples) if self.bootstrap else None
        ranks = None
        if self._splitter == "best" and self.criterion != "absolute_error":
            ranks = compute_ranks(X)
        rng = check_random_state(self.random_state)
        seeds = rng.integers(0, 2**31 - 1, size=self.n_estimators)
        classes = self.classes_ if self._is_classifier else None
        results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_one)(
                self._make_tree(), X, y_enc, w, ranks, classes, self.bootstrap, n_boot, int(s)
            )
            for s in seeds
        )
        self.estimators_ = [tree for tree, _ in results]
        self.estimator_ = template
        self.n_outputs_ = 1
        if self.oob_score:
            self._set_oob(X, y_enc, [c for _, c in results])
        return self

    def _tree_outputs(self, X):
        """Per-tree leaf values (n_trees, n_samples, K)."""
        return [tree.tree_.predict(X)[:, 0, :] for tree in self.estimators_]

    def _set_oob(self, X, y_enc, counts):
        n = X.shape[0]
        K = self.n_classes_ if self._is_classifier else 1
        total = np.zeros((n, K))
        n_pred = np.zeros(n)
        for tree, c in zip(self.estimators_, counts, strict=True):
            oob = np.flatnonzero(c == 0)
            total[oob] += tree.tree_.predict(X[oob])[:, 0, :]
            n_pred[oob] += 1
        seen = n_pred > 0
        if not seen.all():
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few trees were "
                "used to compute any reliable OOB estimates.",
                UserWarning,
                stacklevel=3,
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            avg = total / n_pred[:, None]  # NaN where never out of bag
        if self._is_classifier:
            self.oob_decision_function_ = avg
            pred = np.argmax(avg[seen], axis=1)
            self.oob_score_ = float(np.mean(pred == y_enc[seen]))
        else:
            self.oob_prediction_ = avg[:, 0]
            yt, yp = y_enc[seen], avg[seen, 0]
            ss_tot = ((yt - yt.mean()) ** 2).sum()
            self.oob_score_ = float(1.0 - ((yt - yp) ** 2).sum() / ss_tot) if ss_tot else 0.0

    def _X_predict(self, X):
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, allow_nan=True)
        return np.asarray(X, dtype=np.float32)

    def apply(self, X):
        """Leaf index of every sample in every tree, shape (n_samples, n_estimators)."""
        X = self._X_predict(X)
        return np.stack([t.tree_.apply(X) for t in self.estimators_], axis=1)

    @property
    def feature_importances_(self):
        """Mean over trees of the normalised impurity decreases, renormalised to sum 1."""
        check_is_fitted(self)
        per_tree = [t.feature_importances_ for t in self.estimators_ if t.tree_.node_count > 1]
        if not per_tree:
            return np.zeros(self.n_features_in_)
        mean = np.mean(per_tree, axis=0)
        return mean / mean.sum()


class _ForestClassifierMixin:
    _is_classifier = True

    def predict_proba(self, X):
        """Average of the trees' leaf class fractions, shape (n_samples, n_classes)."""
        X = self._X_predict(X)
        proba = np.zeros((X.shape[0], self.n_classes_))
        for tree in self.estimators_:
            proba += tree.tree_.predict(X)[:, 0, :]
        return proba / len(self.estimators_)

    def predict_log_proba(self, X):
        """Natural log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Class with the largest averaged probability."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class _ForestRegressorMixin:
    _is_classifier = False

    def predict(self, X):
        """Average of the trees' predictions."""
        X = self._X_predict(X)
        out = np.zeros(X.shape[0])
        for tree in self.estimators_:
            out += tree.tree_.predict(X)[:, 0, 0]
        return out / len(self.estimators_)


_CLF_DOC_EXAMPLE = """
    Example
    -------
    >>> from glassml.ensemble import {name}
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(60, 3)); y = (X[:, 0] > 0).astype(int)
    >>> {name}(n_estimators=10, random_state=0).fit(X, y).score(X, y) > 0.9
    True
"""


class RandomForestClassifier(_ForestClassifierMixin, ClassifierMixin, BaseForest):
    __doc__ = """Random forest classifier (Inventory: TE-07, TE-08, TE-09).

    Bootstrap aggregation of CART trees with ``max_features`` (default ``"sqrt"``) features
    drawn at each node; probabilities are the average of the trees' leaf class fractions.
    Parameters follow scikit-learn: n_estimators, criterion, max_depth, min_samples_split,
    min_samples_leaf, min_weight_fraction_leaf, max_features, max_leaf_nodes,
    min_impurity_decrease, bootstrap, oob_score, n_jobs, random_state, class_weight,
    ccp_alpha, max_samples.
    """ + _CLF_DOC_EXAMPLE.format(name="RandomForestClassifier")

    def __init__(
        self,
        *,
        n_estimators=100,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


class ExtraTreesClassifier(RandomForestClassifier):
    __doc__ = """Extremely randomised trees classifier (Geurts et al. 2006; Inventory: TE-07).

    Like :class:`RandomForestClassifier` but each candidate feature gets one uniform random
    threshold between its node minimum and maximum (``splitter="random"``), and the whole
    sample is used (``bootstrap=False``) by default.
    """ + _CLF_DOC_EXAMPLE.format(name="ExtraTreesClassifier")

    _splitter = "random"

    def __init__(
        self,
        *,
        n_estimators=100,
        criterion="gini",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features="sqrt",
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        class_weight=None,
        ccp_alpha=0.0,
        max_samples=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            class_weight=class_weight,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
        )


_REG_DOC_EXAMPLE = """
    Example
    -------
    >>> from glassml.ensemble import {name}
    >>> import numpy as np
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(80, 3)); y = X[:, 0] ** 2
    >>> {name}(n_estimators=10, random_state=0).fit(X, y).score(X, y) > 0.8
    True
"""


class RandomForestRegressor(_ForestRegressorMixin, RegressorMixin, BaseForest):
    __doc__ = """Random forest regressor (Inventory: TE-07, TE-08, TE-09): the average of bootstrap
    CART regression trees; ``max_features`` defaults to 1.0 (all features), like
    scikit-learn. ``oob_prediction_`` and ``oob_score_`` (R²) with ``oob_score=True``.
    """ + _REG_DOC_EXAMPLE.format(name="RandomForestRegressor")

    def __init__(
        self,
        *,
        n_estimators=100,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=True,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        ccp_alpha=0.0,
        max_samples=None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples


class ExtraTreesRegressor(RandomForestRegressor):
    __doc__ = """Extremely randomised trees regressor: random thresholds, no bootstrap by default
    (Inventory: TE-07).""" + _REG_DOC_EXAMPLE.format(name="ExtraTreesRegressor")
    _splitter = "random"

    def __init__(
        self,
        *,
        n_estimators=100,
        criterion="squared_error",
        max_depth=None,
        min_samples_split=2,
        min_samples_leaf=1,
        min_weight_fraction_leaf=0.0,
        max_features=1.0,
        max_leaf_nodes=None,
        min_impurity_decrease=0.0,
        bootstrap=False,
        oob_score=False,
        n_jobs=None,
        random_state=None,
        ccp_alpha=0.0,
        max_samples=None,
    ):
        super().__init__(
            n_estimators=n_estimators,
            criterion=criterion,
            max_depth=max_depth,
            min_samples_split=min_samples_split,
            min_samples_leaf=min_samples_leaf,
            min_weight_fraction_leaf=min_weight_fraction_leaf,
            max_features=max_features,
            max_leaf_nodes=max_leaf_nodes,
            min_impurity_decrease=min_impurity_decrease,
            bootstrap=bootstrap,
            oob_score=oob_score,
            n_jobs=n_jobs,
            random_state=random_state,
            ccp_alpha=ccp_alpha,
            max_samples=max_samples,
        )
