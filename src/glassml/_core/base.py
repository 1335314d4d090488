"""The estimator contract of classical glassml models (scikit-learn compatible).

* ``__init__`` takes keyword-only hyperparameters and stores them unchanged;
* ``get_params`` / ``set_params`` (with nested ``step__param`` names);
* ``fit`` returns ``self``; fitted state lives in attributes ending with ``_``;
* ``n_features_in_`` (and ``feature_names_in_`` for DataFrames) are set by ``_validate_data``;
* ``__sklearn_tags__`` builds scikit-learn's tag objects, importing scikit-learn lazily, so that
  glassml estimators pass ``sklearn.utils.estimator_checks`` and work inside scikit-learn's
  ``Pipeline``/``GridSearchCV`` — without scikit-learn being a runtime dependency.

Example
-------
>>> import numpy as np
>>> class MeanRegressor(RegressorMixin, BaseEstimator):
...     def __init__(self, *, shift=0.0):
...         self.shift = shift
...     def fit(self, X, y):
...         X, y = self._validate_data(X, y)
...         self.mean_ = y.mean() + self.shift
...         return self
...     def predict(self, X):
...         X = self._validate_data(X, reset=False)
...         return np.full(X.shape[0], self.mean_)
>>> MeanRegressor(shift=1.0).fit([[0.0], [1.0]], [1.0, 3.0]).predict([[5.0]])
array([3.])
"""

from __future__ import annotations

import copy
import inspect
import warnings
from collections import defaultdict

import numpy as np

from .validation import check_array, check_is_fitted, check_X_y

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "ClusterMixin",
    "clone",
    "is_classifier",
    "is_regressor",
]


class BaseEstimator:
    """Base class: parameter handling, ``repr``, input validation and scikit-learn tags."""

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind == p.VAR_POSITIONAL or p.kind == p.VAR_KEYWORD:
                raise RuntimeError(
                    f"{cls.__name__}.__init__ must list its parameters explicitly "
                    f"(no *args/**kwargs); found {p}."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict:
        """Hyperparameters of this estimator (and, if ``deep``, of nested estimators)."""
        out = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for sub_key, sub_value in value.get_params(deep=True).items():
                    out[f"{key}__{sub_key}"] = sub_value
            out[key] = value
        return out

    def set_params(self, **params):
        """Set hyperparameters; ``name__param`` reaches into nested estimators."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested = defaultdict(dict)
        for key, value in params.items():
            head, delim, sub = key.partition("__")
            if head not in valid:
                raise ValueError(
                    f"Invalid parameter {head!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {sorted(self._get_param_names())!r}."
                )
            if delim:
                nested[head][sub] = value
            else:
                setattr(self, head, value)
                valid[head] = value
        for head, sub_params in nested.items():
            valid[head].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        params = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = inspect.signature(type(self).__init__).parameters[name].default
            try:
                same = value is default or bool(value == default)
            except Exception:  # arrays and other objects without a scalar ==
                same = False
            if not same:
                params.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(params)})"

    def __getstate__(self):
        return dict(self.__dict__)

    # ------------------------------------------------------------------ validation
    def _check_feature_names(self, X, *, reset: bool) -> None:
        columns = getattr(X, "columns", None)
        names = None
        if columns is not None:
            cols = list(columns)
            if cols and all(isinstance(c, str) for c in cols):
                names = np.asarray(cols, dtype=object)
        if reset:
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        fitted = getattr(self, "feature_names_in_", None)
        name = type(self).__name__
        if fitted is None and names is None:
            return
        if fitted is not None and names is None:
            warnings.warn(
                f"X does not have valid feature names, but {name} was fitted with feature names",
                UserWarning,
                stacklevel=3,
            )
            return
        if fitted is None and names is not None:
            warnings.warn(
                f"X has feature names, but {name} was fitted without feature names",
                UserWarning,
                stacklevel=3,
            )
            return
        if len(fitted) != len(names) or np.any(fitted != names):
            raise ValueError(
                "The feature names should match those that were passed during fit.\n"
                f"Expected: {list(fitted)}\nGot: {list(names)}"
            )

    def _validate_data(self, X, y="no_validation", *, reset: bool = True, **kwargs):
        """Validate ``X`` (and ``y``), record or check ``n_features_in_``.

        ``reset=True`` (in ``fit``) records the number of features; ``reset=False`` (in
        ``predict``/``transform``) checks it and that the estimator is fitted.
        Extra keyword arguments go to :func:`check_array` / :func:`check_X_y`.
        """
        name = type(self).__name__
        if not reset:
            check_is_fitted(self)
        self._check_feature_names(X, reset=reset)
        if isinstance(y, str) and y == "no_validation":
            out = check_array(X, estimator=name, **kwargs)
            X_checked = out
        else:
            out = check_X_y(X, y, estimator=name, **kwargs)
            X_checked = out[0]
        if X_checked.ndim == 2:
            n_features = X_checked.shape[1]
            if reset:
                self.n_features_in_ = n_features
            elif hasattr(self, "n_features_in_") and n_features != self.n_features_in_:
                raise ValueError(
                    f"X has {n_features} features, but {name} is expecting "
                    f"{self.n_features_in_} features as input."
                )
        return out

    # ------------------------------------------------------------------ scikit-learn tags
    def _glassml_tags(self) -> dict:
        """Override to declare capabilities, e.g. ``{"allow_nan": True}``.

        Keys: ``allow_nan``, ``requires_y``, ``positive_only``, ``multi_output``,
        ``poor_score``, ``non_deterministic``, ``string_input`` (categorical encoders),
        ``preserves_dtype`` (list of dtype names), ``multi_class`` (bool, classifiers),
        ``requires_fit``, ``one_d_array`` / ``two_d_array`` / ``categorical`` / ``pairwise``.
        """
        return {}

    def __sklearn_tags__(self):
        from sklearn.utils import (  # lazy: scikit-learn is a test-time dependency only
            InputTags,
            Tags,
            TargetTags,
        )

        extra = self._glassml_tags()
        tags = Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=None,
            regressor_tags=None,
            classifier_tags=None,
            input_tags=InputTags(),
        )
        tags = self._apply_mixin_tags(tags)
        tags.input_tags.allow_nan = extra.get("allow_nan", False)
        tags.input_tags.positive_only = extra.get("positive_only", False)
        tags.input_tags.string = extra.get("string_input", False)
        tags.input_tags.categorical = extra.get("categorical", False)
        tags.input_tags.pairwise = extra.get("pairwise", False)
        tags.input_tags.one_d_array = extra.get("one_d_array", False)
        tags.input_tags.two_d_array = extra.get("two_d_array", True)
        tags.non_deterministic = extra.get("non_deterministic", False)
        tags.requires_fit = extra.get("requires_fit", True)
        if "requires_y" in extra:
            tags.target_tags.required = extra["requires_y"]
        if "multi_output" in extra:
            tags.target_tags.multi_output = extra["multi_output"]
            tags.target_tags.single_output = extra.get("single_output", True)
        if tags.regressor_tags is not None and "poor_score" in extra:
            tags.regressor_tags.poor_score = extra["poor_score"]
        if tags.classifier_tags is not None:
            if "poor_score" in extra:
                tags.classifier_tags.poor_score = extra["poor_score"]
            if "multi_class" in extra:
                tags.classifier_tags.multi_class = extra["multi_class"]
        if tags.transformer_tags is not None and "preserves_dtype" in extra:
            tags.transformer_tags.preserves_dtype = extra["preserves_dtype"]
        return tags

    def _apply_mixin_tags(self, tags):
        return tags


class ClassifierMixin:
    """Mixin for classifiers: ``score`` is accuracy; ``_estimator_type = 'classifier'``."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (weighted by ``sample_weight``)."""
        y_pred = self.predict(X)
        y = np.asarray(y)
        correct = (y_pred == y.ravel()).astype(float)
        return float(np.average(correct, weights=sample_weight))

    def _apply_mixin_tags(self, tags):
        from sklearn.utils import ClassifierTags

        tags = super()._apply_mixin_tags(tags)
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class RegressorMixin:
    """Mixin for regressors: ``score`` is the coefficient of determination R²."""

    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None) -> float:
        """R² = 1 − SS_res / SS_tot of ``predict(X)`` against ``y``."""
        y = np.asarray(y, dtype=float)
        y_pred = np.asarray(self.predict(X), dtype=float)
        w = np.ones(y.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
        if y.ndim == 1:
            y, y_pred = y[:, None], y_pred.reshape(-1, 1)
        mean = np.average(y, axis=0, weights=w)
        ss_res = (w[:, None] * (y - y_pred) ** 2).sum(axis=0)
        ss_tot = (w[:, None] * (y - mean) ** 2).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(
                ss_tot > 0,
                1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                np.where(ss_res > 0, 0.0, 1.0),
            )
        return float(np.mean(r2))

    def _apply_mixin_tags(self, tags):
        from sklearn.utils import RegressorTags

        tags = super()._apply_mixin_tags(tags)
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags


class TransformerMixin:
    """Mixin for transformers: ``fit_transform`` = ``fit`` then ``transform``."""

    def fit_transform(self, X, y=None, **fit_params):
        """Fit to ``X`` (and ``y``), then transform ``X``."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)
        return self.fit(X, y, **fit_params).transform(X)

    def _apply_mixin_tags(self, tags):
        from sklearn.utils import TransformerTags

        tags = super()._apply_mixin_tags(tags)
        tags.transformer_tags = TransformerTags()
        return tags


class ClusterMixin:
    """Mixin for clusterers: ``fit_predict`` returns ``labels_``."""

    _estimator_type = "clusterer"

    def fit_predict(self, X, y=None, **fit_params):
        """Fit and return the cluster label of every sample."""
        self.fit(X, **fit_params)
        return self.labels_

    def _apply_mixin_tags(self, tags):
        tags = super()._apply_mixin_tags(tags)
        tags.estimator_type = "clusterer"
        return tags


def clone(estimator, *, safe: bool = True):
    """A new unfitted estimator with the same hyperparameters (deep-copied)."""
    if isinstance(estimator, list | tuple | set | frozenset):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"estimator: expected an object with get_params (an estimator), got "
            f"{type(estimator).__name__} {estimator!r}."
        )
    params = estimator.get_params(deep=False)
    new_params = {k: clone(v, safe=False) for k, v in params.items()}
    return type(estimator)(**new_params)


def _estimator_type(estimator):
    kind = getattr(estimator, "_estimator_type", None)
    if kind is None and hasattr(estimator, "__sklearn_tags__"):
        # scikit-learn >= 1.6 estimators declare their type only through tags.
        try:
            kind = estimator.__sklearn_tags__().estimator_type
        except Exception:  # a foreign object whose tags cannot be built
            kind = None
    return kind


def is_classifier(estimator) -> bool:
    """True for glassml or scikit-learn classifiers."""
    return _estimator_type(estimator) == "classifier"


def is_regressor(estimator) -> bool:
    """True for glassml or scikit-learn regressors."""
    return _estimator_type(estimator) == "regressor"
