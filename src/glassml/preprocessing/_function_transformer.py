"""Wrap any function as a transformer."""

from __future__ import annotations

import warnings

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_is_fitted
from ._utils import available_if, input_feature_names


class FunctionTransformer(TransformerMixin, BaseEstimator):
    """Apply ``func(X, **kw_args)`` as a pipeline step (log, clip, feature crosses, ...).

    Inventory: DP-14 (a custom step of the transformer protocol). Stateless; with
    ``check_inverse`` the round trip ``inverse_func(func(X))`` is checked on a few rows at fit.

    Parameters
    ----------
    func, inverse_func : callable or None (None = identity)
    validate : bool, default=False
        Run ``check_array`` on X (2-D numeric, finite) before calling ``func``.
    accept_sparse : bool, default=False
    check_inverse : bool, default=True
    feature_names_out : None, "one-to-one" or callable(self, input_features)
    kw_args, inv_kw_args : dict or None

    Example
    -------
    >>> FunctionTransformer(func=np.log1p).fit_transform([[0.0, np.e - 1]])
    array([[0., 1.]])
    """

    def __init__(
        self,
        func=None,
        inverse_func=None,
        *,
        validate=False,
        accept_sparse=False,
        check_inverse=True,
        feature_names_out=None,
        kw_args=None,
        inv_kw_args=None,
    ):
        self.func = func
        self.inverse_func = inverse_func
        self.validate = validate
        self.accept_sparse = accept_sparse
        self.check_inverse = check_inverse
        self.feature_names_out = feature_names_out
        self.kw_args = kw_args
        self.inv_kw_args = inv_kw_args

    def _check_input(self, X, *, reset):
        if self.validate:
            return self._validate_data(X, reset=reset, allow_nan=True)
        if reset:
            self._check_feature_names(X, reset=True)
            shape = getattr(X, "shape", None)
            if shape is not None and len(shape) == 2:
                self.n_features_in_ = shape[1]
        else:
            check_is_fitted(self)
            self._check_feature_names(X, reset=False)
        return X

    def fit(self, X, y=None):
        """Check the input (and the inverse round trip); nothing is learned."""
        if self.func is not None and not callable(self.func):
            raise TypeError(f"func: expected a callable or None, got {self.func!r}.")
        if self.inverse_func is not None and not callable(self.inverse_func):
            raise TypeError(
                f"inverse_func: expected a callable or None, got {self.inverse_func!r}."
            )
        if self.feature_names_out not in (None, "one-to-one") and not callable(
            self.feature_names_out
        ):
            raise ValueError(
                "feature_names_out: expected None, 'one-to-one' or a callable, got "
                f"{self.feature_names_out!r}."
            )
        X = self._check_input(X, reset=True)
        self.fitted_ = True
        if self.check_inverse and not (self.func is None or self.inverse_func is None):
            rows = np.asarray(X)[:: max(1, len(X) // 10)]
            try:
                ok = np.allclose(self._inverse(self._apply(rows)), rows, equal_nan=True)
            except TypeError:
                ok = True
            if not ok:
                warnings.warn(
                    "The provided functions are not strictly inverse of each other. If you are "
                    "sure you want to proceed regardless, set 'check_inverse=False'.",
                    UserWarning,
                    stacklevel=2,
                )
        return self

    def _apply(self, X):
        f = self.func if self.func is not None else (lambda a: a)
        return f(X, **(self.kw_args or {}))

    def _inverse(self, X):
        f = self.inverse_func if self.inverse_func is not None else (lambda a: a)
        return f(X, **(self.inv_kw_args or {}))

    def transform(self, X):
        """``func(X, **kw_args)``."""
        X = self._check_input(X, reset=False)
        return self._apply(X)

    def inverse_transform(self, X):
        """``inverse_func(X, **inv_kw_args)``."""
        check_is_fitted(self)
        if self.validate:
            X = check_array(X, allow_nan=True)
        return self._inverse(X)

    @available_if(lambda self: self.feature_names_out is not None)
    def get_feature_names_out(self, input_features=None):
        """Input names ("one-to-one") or ``feature_names_out(self, input_features)``."""
        check_is_fitted(self)
        if self.feature_names_out == "one-to-one":
            return input_feature_names(self, input_features)
        if input_features is None and hasattr(self, "n_features_in_"):
            input_features = input_feature_names(self)
        return np.asarray(self.feature_names_out(self, input_features), dtype=object)

    def _glassml_tags(self):
        return {"allow_nan": True, "preserves_dtype": ["float64", "float32"]}
