"""The plumbing shared by every composite estimator (Pipeline, FeatureUnion, ColumnTransformer):
``Bunch``, get_params/set_params over named sub-estimators, default step names, and fitting one
transformer of a union. Inventory: DP-14.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .._core import BaseEstimator


class Bunch(dict):
    """A dict whose keys are also attributes (``pipe.named_steps.scaler``). Inventory: DP-14.

    >>> Bunch(a=1).a
    1
    """

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __dir__(self):
        return list(self.keys())


def _is_skip(est) -> bool:
    return est is None or (isinstance(est, str) and est == "passthrough")


class _BaseComposition(BaseEstimator):
    """get_params/set_params over a list of (name, estimator, ...) tuples held in ``attr``."""

    def _get_composite_params(self, attr: str, deep: bool) -> dict:
        out = super().get_params(deep=False)
        if not deep:
            return out
        items = getattr(self, attr)
        try:
            pairs = [(t[0], t[1]) for t in items]
        except (TypeError, IndexError):
            return out
        for name, est in pairs:
            out[name] = est
            if hasattr(est, "get_params") and not isinstance(est, type):
                for key, value in est.get_params(deep=True).items():
                    out[f"{name}__{key}"] = value
        for key, value in super().get_params(deep=False).items():
            if hasattr(value, "get_params") and not isinstance(value, type):
                for sub, v in value.get_params(deep=True).items():
                    out[f"{key}__{sub}"] = v
        return out

    def _set_composite_params(self, attr: str, **params):
        if attr in params:
            setattr(self, attr, params.pop(attr))
        try:
            names = [t[0] for t in getattr(self, attr)]
        except (TypeError, IndexError, KeyError):
            names = []
        for key in list(params):
            if "__" not in key and key in names:
                self._replace_estimator(attr, key, params.pop(key))
        BaseEstimator.set_params(self, **params)
        return self

    def _replace_estimator(self, attr, name, new_val):
        new_items = list(getattr(self, attr))
        for i, item in enumerate(new_items):
            if item[0] == name:
                new_items[i] = (name, new_val) + tuple(item[2:])
                break
        setattr(self, attr, new_items)

    def _validate_names(self, names):
        if len(set(names)) != len(names):
            dupes = sorted(k for k, c in Counter(names).items() if c > 1)
            raise ValueError(f"Names provided are not unique: {dupes!r}")
        own = set(self._get_param_names())
        clash = sorted(set(names) & own)
        if clash:
            raise ValueError(f"Estimator names conflict with constructor arguments: {clash!r}")
        bad = [n for n in names if not isinstance(n, str) or "__" in n]
        if bad:
            raise ValueError(f"Estimator names must be strings without '__', got {bad!r}")


def _name_estimators(estimators):
    """Lower-case class names as step names, numbered when repeated."""
    names = [est if isinstance(est, str) else type(est).__name__.lower() for est in estimators]
    counts = Counter(names)
    for name, c in list(counts.items()):
        if c == 1:
            del counts[name]
    for i in reversed(range(len(estimators))):
        name = names[i]
        if name in counts:
            names[i] = f"{name}-{counts[name]}"
            counts[name] -= 1
    return list(zip(names, estimators, strict=True))


def _fit_transform_one(transformer, X, y, weight, params):
    if hasattr(transformer, "fit_transform"):
        res = transformer.fit_transform(X, y, **params)
    else:
        res = transformer.fit(X, y, **params).transform(X)
    return (res if weight is None else res * weight), transformer


def _as_2d_dense(Xs, name):
    if hasattr(Xs, "toarray"):
        Xs = Xs.toarray()
    if hasattr(Xs, "to_numpy"):
        Xs = Xs.to_numpy()
    Xs = np.asarray(Xs)
    if Xs.ndim != 2:
        raise ValueError(
            f"The output of the '{name}' transformer should be 2D (numpy array, scipy sparse "
            f"array, dataframe), got an array of shape {Xs.shape}."
        )
    return Xs
