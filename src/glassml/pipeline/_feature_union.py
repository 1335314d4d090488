"""FeatureUnion: apply several transformers to the same X and concatenate their outputs side by
side (inventory DP-14).

Example
-------
>>> import numpy as np
>>> from glassml.preprocessing import StandardScaler
>>> make_union(StandardScaler(), "passthrough").fit_transform(np.array([[0.0], [2.0]])).tolist()
[[-1.0, 0.0], [1.0, 2.0]]
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from joblib import Parallel, delayed

from .._core import TransformerMixin, check_array, check_is_fitted
from ._base import Bunch, _as_2d_dense, _BaseComposition, _fit_transform_one, _name_estimators


class FeatureUnion(TransformerMixin, _BaseComposition):
    """Apply several transformers to the same X and concatenate their outputs column-wise.

        X -> [T_1(X) | T_2(X) | ... ]   (each optionally multiplied by a weight)

    Inventory: DP-14 (composition of transformers). Transformers are fitted in parallel with
    ``joblib.Parallel(n_jobs)`` (no backend hard-coded). A transformer may be "drop" or
    "passthrough". Output names are "<name>__<feature>".

    Parameters
    ----------
    transformer_list : list of (name, transformer)
    n_jobs : int or None
    transformer_weights : dict name -> float, optional
    verbose : bool
    verbose_feature_names_out : bool, default=True

    Example
    -------
    >>> from glassml.preprocessing import StandardScaler, MinMaxScaler
    >>> FeatureUnion([("s", StandardScaler()), ("m", MinMaxScaler())]).fit_transform(
    ...     [[0.0], [2.0]]).tolist()
    [[-1.0, 0.0], [1.0, 1.0]]
    """

    def __init__(
        self,
        transformer_list,
        *,
        n_jobs=None,
        transformer_weights=None,
        verbose=False,
        verbose_feature_names_out=True,
    ):
        self.transformer_list = transformer_list
        self.n_jobs = n_jobs
        self.transformer_weights = transformer_weights
        self.verbose = verbose
        self.verbose_feature_names_out = verbose_feature_names_out

    def get_params(self, deep=True):
        """Parameters, with each transformer as ``name`` and ``name__param``."""
        return self._get_composite_params("transformer_list", deep=deep)

    def set_params(self, **params):
        """Set parameters; ``name`` replaces a transformer."""
        return self._set_composite_params("transformer_list", **params)

    @property
    def named_transformers(self):
        """The transformers as a Bunch."""
        return Bunch((t[0], t[1]) for t in self.transformer_list)

    def _validate(self):
        if not isinstance(self.transformer_list, list | tuple) or not self.transformer_list:
            raise ValueError(
                "transformer_list: expected a non-empty list of (name, transformer), got "
                f"{self.transformer_list!r}."
            )
        names = [t[0] for t in self.transformer_list]
        self._validate_names(names)
        for name, t in self.transformer_list:
            if isinstance(t, str) and t in ("drop", "passthrough"):
                continue
            if not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All estimators should implement fit and transform. "
                    f"'{name}': {t!r} (type {type(t).__name__}) doesn't."
                )
        weights = self.transformer_weights or {}
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(
                f"transformer_weights: Attempting to weight transformer {unknown[0]!r}, but it "
                f"is not present in transformer_list."
            )

    def _active(self):
        from ..preprocessing import FunctionTransformer

        weights = self.transformer_weights or {}
        for name, t in self.transformer_list:
            if isinstance(t, str) and t == "drop":
                continue
            if isinstance(t, str) and t == "passthrough":
                t = FunctionTransformer(feature_names_out="one-to-one")
            yield name, t, weights.get(name)

    def fit(self, X, y=None, **params):
        """Fit every transformer."""
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit all transformers, transform X with each and concatenate."""
        self._validate()
        self._check_feature_names(X, reset=True)
        if not hasattr(X, "shape"):
            X = check_array(X, dtype=None, allow_nan=True, estimator="FeatureUnion")
        active = list(self._active())
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_transform_one)(t, X, y, w, params) for _, t, w in active
        )
        fitted = {name: tr for (name, _, _), (_, tr) in zip(active, results, strict=True)}
        if any(
            fitted[name] is not t
            for name, t in self.transformer_list
            if name in fitted and not isinstance(t, str)
        ):  # process backends return fitted copies
            self.transformer_list = [
                (name, t if isinstance(t, str) else fitted.get(name, t))
                for name, t in self.transformer_list
            ]
        self._fitted_active = [(name, fitted[name], w) for name, _, w in active]
        shape = getattr(X, "shape", None)
        self.n_features_in_ = shape[1] if shape is not None and len(shape) == 2 else len(X[0])
        outs = [
            _as_2d_dense(Xs, name) for (name, _, _), (Xs, _) in zip(active, results, strict=True)
        ]
        n = shape[0] if shape is not None else len(X)
        return np.hstack(outs) if outs else np.zeros((n, 0))

    def transform(self, X):
        """Transform X with every fitted transformer and concatenate."""
        check_is_fitted(self, "_fitted_active")
        self._check_feature_names(X, reset=False)
        if not hasattr(X, "shape"):
            X = check_array(X, dtype=None, allow_nan=True, estimator="FeatureUnion")
        shape = getattr(X, "shape", None)
        if shape is not None and len(shape) == 2 and shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {shape[1]} features, but FeatureUnion is expecting "
                f"{self.n_features_in_} features as input."
            )
        outs = []
        for name, t, w in self._fitted_active:
            Xs = _as_2d_dense(t.transform(X), name)
            outs.append(Xs if w is None else Xs * w)
        n = shape[0] if shape is not None else len(X)
        return np.hstack(outs) if outs else np.zeros((n, 0))

    def __sklearn_is_fitted__(self):
        return hasattr(self, "_fitted_active")

    def get_feature_names_out(self, input_features=None):
        """ "<name>__<feature>" for every output column."""
        check_is_fitted(self, "_fitted_active")
        out = []
        for name, t, _ in self._fitted_active:
            if not hasattr(t, "get_feature_names_out"):
                raise AttributeError(
                    f"Transformer {name} (type {type(t).__name__}) does not provide "
                    "get_feature_names_out."
                )
            names = t.get_feature_names_out(input_features)
            out.extend(f"{name}__{f}" if self.verbose_feature_names_out else f for f in names)
        if not self.verbose_feature_names_out and len(set(out)) != len(out):
            raise ValueError(
                f"Output feature names: {sorted(k for k, c in Counter(out).items() if c > 1)} "
                "are not unique. Please set verbose_feature_names_out=True to add prefixes to "
                "feature names"
            )
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self):
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        try:
            real = [t for _, t in self.transformer_list if not isinstance(t, str)]
            tags.input_tags.allow_nan = all(get_tags(t).input_tags.allow_nan for t in real)
        except (ValueError, AttributeError, TypeError):
            pass
        return tags


def make_union(*transformers, n_jobs=None, verbose=False):
    """A :class:`FeatureUnion` named after the transformers' classes (Inventory: DP-14).

    >>> from glassml.preprocessing import StandardScaler
    >>> [name for name, _ in make_union(StandardScaler()).transformer_list]
    ['standardscaler']
    """
    return FeatureUnion(_name_estimators(transformers), n_jobs=n_jobs, verbose=verbose)
