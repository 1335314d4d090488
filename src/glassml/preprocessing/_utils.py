"""Small helpers shared by the transformers: feature names, zero-scale guards, missing masks."""

from __future__ import annotations

import numpy as np

from .._core import check_is_fitted


def handle_zeros_in_scale(scale: np.ndarray, constant_mask: np.ndarray | None = None):
    """Replace scales that are (numerically) zero by 1, so a constant feature is left as is.

    A scale below 10·eps counts as zero, as in scikit-learn.
    """
    scale = np.array(scale, copy=True)
    if constant_mask is None:
        constant_mask = scale < 10 * np.finfo(scale.dtype).eps
    scale[constant_mask] = 1.0
    return scale


def input_feature_names(estimator, input_features=None) -> np.ndarray:
    """The names of the input features: given ones (checked), ``feature_names_in_`` or x0..xp."""
    check_is_fitted(estimator, "n_features_in_")
    n = estimator.n_features_in_
    fitted = getattr(estimator, "feature_names_in_", None)
    if input_features is not None:
        names = np.asarray(input_features, dtype=object)
        if fitted is not None and (len(names) != len(fitted) or np.any(names != fitted)):
            raise ValueError("input_features is not equal to feature_names_in_")
        if len(names) != n:
            raise ValueError(
                f"input_features should have length equal to number of features ({n}), "
                f"got {len(names)}"
            )
        return names
    if fitted is not None:
        return np.asarray(fitted, dtype=object)
    return np.asarray([f"x{i}" for i in range(n)], dtype=object)


def is_scalar_nan(x) -> bool:
    """True for float NaN (Python float or NumPy floating scalar), False otherwise."""
    return bool(isinstance(x, float | np.floating) and np.isnan(x))


def missing_mask(X: np.ndarray, missing_values) -> np.ndarray:
    """Boolean mask of the entries of ``X`` equal to ``missing_values`` (NaN-aware).

    For object arrays only NaN counts when ``missing_values`` is NaN (``None`` does not, as in
    scikit-learn).
    """
    if is_scalar_nan(missing_values):
        if X.dtype.kind == "f":
            return np.isnan(X)
        if X.dtype.kind in "biu":
            return np.zeros(X.shape, dtype=bool)
        return X != X  # object arrays: x != x is True only for NaN
    if X.dtype.kind == "O" or isinstance(missing_values, str):
        return np.frompyfunc(lambda v: v == missing_values, 1, 1)(X).astype(bool)
    return X == missing_values


def validate_inverse_input(estimator, X, n_columns: int, *, dtype="numeric", allow_nan=True):
    """Check a fitted ``estimator`` and the ``X`` given to its ``inverse_transform``."""
    from .._core import check_array

    check_is_fitted(estimator)
    name = type(estimator).__name__
    X = check_array(X, dtype=dtype, allow_nan=allow_nan, estimator=name)
    if X.shape[1] != n_columns:
        raise ValueError(
            f"{name}.inverse_transform: X has {X.shape[1]} columns, expected {n_columns} "
            "(the width of the transformed data)."
        )
    return X


class _AvailableIf:
    """Descriptor: the method exists on an instance only when ``check(instance)`` is True, so
    ``hasattr`` answers truthfully (as scikit-learn's ``available_if``)."""

    def __init__(self, fn, check):
        self.fn, self.check = fn, check
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        if not self.check(obj):
            raise AttributeError(f"This {type(obj).__name__!r} has no attribute {self.__name__!r}")
        from types import MethodType

        return MethodType(self.fn, obj)


def available_if(check):
    """Decorator: make a method available only when ``check(self)`` is True."""
    return lambda fn: _AvailableIf(fn, check)
