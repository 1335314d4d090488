"""Input validation with clear errors.

Every public estimator funnels its inputs through these helpers, so that bad input is rejected in
one place with a message that names the argument, says what was expected and what was given.
The wording of a few messages follows scikit-learn's where its estimator checks look for them
(e.g. "0 feature(s)", "Unknown label type", "X has 3 features, but ... is expecting 4").
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .errors import DataConversionWarning, not_fitted_error

__all__ = [
    "check_array",
    "check_X_y",
    "check_consistent_length",
    "column_or_1d",
    "check_classification_targets",
    "type_of_target",
    "check_is_fitted",
    "check_scalar",
    "check_sample_weight",
    "check_in",
    "num_samples",
]


def _is_sparse(X) -> bool:
    return hasattr(X, "tocsr") and hasattr(X, "nnz")


def num_samples(X) -> int:
    """Number of samples (rows) in an array-like."""
    if hasattr(X, "shape") and len(X.shape) > 0:
        return int(X.shape[0])
    try:
        return len(X)
    except TypeError as exc:
        raise TypeError(f"Expected an array-like, got {type(X).__name__}.") from exc


def check_array(
    X,
    *,
    name: str = "X",
    dtype="numeric",
    ensure_2d: bool = True,
    allow_nd: bool = False,
    allow_nan: bool = False,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    copy: bool = False,
    estimator: str | None = None,
):
    """Validate an array-like and return it as a NumPy array.

    Parameters
    ----------
    X : array-like
        The input. Lists, tuples, NumPy arrays and objects with ``__array__`` (pandas) work;
        sparse matrices are rejected with a clear error (dense glassml estimators only).
    name : str
        Argument name used in error messages.
    dtype : "numeric", a NumPy dtype, a list of dtypes, or None
        ``"numeric"`` keeps float arrays and converts integer/bool/object arrays to float64.
        A list keeps the input dtype if it is in the list, else converts to the first entry.
        ``None`` keeps the dtype (for categorical encoders).
    ensure_2d : bool
        Require a 2-D array (a 1-D array gets a message suggesting ``reshape``).
    allow_nd : bool
        Allow more than 2 dimensions.
    allow_nan : bool
        Allow NaN (but never ``inf``) — for estimators that handle missing values.
    ensure_min_samples, ensure_min_features : int
        Minimum number of rows / columns.
    copy : bool
        Force a copy.
    estimator : str, optional
        Name used to prefix messages.

    Returns
    -------
    numpy.ndarray
    """
    who = f"{estimator}: " if estimator else ""
    if X is None:
        raise ValueError(f"{who}{name}: expected an array-like, got None.")
    if _is_sparse(X):
        raise TypeError(
            f"{who}{name}: sparse matrices are not supported here; pass a dense array "
            "(X.toarray())."
        )
    if isinstance(X, str):
        raise ValueError(f"{who}{name}: expected an array-like, got the string {X!r}.")

    if dtype == "numeric":
        arr = np.asarray(X)
        if arr.dtype.kind == "c":
            raise ValueError(f"{who}{name}: Complex data not supported; got dtype {arr.dtype}.")
        if arr.dtype.kind in "OUSV":
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise type(exc)(
                    f"{who}{name}: expected numeric data, got dtype {arr.dtype} that could not "
                    f"be converted to float ({exc}). Encode categorical columns first "
                    "(glassml.preprocessing.OneHotEncoder / OrdinalEncoder)."
                ) from exc
        elif arr.dtype.kind in "biu":
            arr = arr.astype(np.float64)
        elif arr.dtype.kind != "f":
            raise ValueError(f"{who}{name}: expected numeric data, got dtype {arr.dtype}.")
    elif dtype is None:
        arr = np.asarray(X)
        if arr.dtype.kind == "c":
            raise ValueError(f"{who}{name}: Complex data not supported; got dtype {arr.dtype}.")
    else:
        dtypes = dtype if isinstance(dtype, list | tuple) else [dtype]
        arr = np.asarray(X)
        if arr.dtype.kind == "c":
            raise ValueError(f"{who}{name}: Complex data not supported; got dtype {arr.dtype}.")
        if arr.dtype not in [np.dtype(d) for d in dtypes]:
            try:
                arr = arr.astype(dtypes[0])
            except (TypeError, ValueError) as exc:
                raise type(exc)(
                    f"{who}{name}: could not convert dtype {arr.dtype} to {np.dtype(dtypes[0])} "
                    f"({exc})."
                ) from exc

    if arr.ndim == 0:
        raise ValueError(
            f"{who}{name}: expected a 2-D array, got a scalar {arr!r}. "
            "Reshape your data with array.reshape(-1, 1) or array.reshape(1, -1)."
        )
    if ensure_2d:
        if arr.ndim == 1:
            raise ValueError(
                f"{who}{name}: expected a 2-D array, got a 1-D array of shape {arr.shape}. "
                "Reshape your data with array.reshape(-1, 1) if it has a single feature or "
                "array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim > 2 and not allow_nd:
            raise ValueError(
                f"{who}{name}: expected a 2-D array, got {arr.ndim}-D shape {arr.shape}."
            )

    if arr.dtype.kind == "f" and arr.size:
        if allow_nan:
            if np.isinf(arr).any():
                raise ValueError(
                    f"{who}{name}: Input {name} contains infinity; only NaN is allowed."
                )
        elif not np.isfinite(arr).all():
            kind = "NaN" if np.isnan(arr).any() else "infinity"
            raise ValueError(
                f"{who}{name}: Input {name} contains {kind}. Remove or impute missing values "
                "(glassml.impute.SimpleImputer) or use an estimator that handles NaN "
                "(inf is never allowed)."
            )

    if ensure_min_samples > 0 and arr.ndim >= 1:
        n = arr.shape[0]
        if n < ensure_min_samples:
            raise ValueError(
                f"{who}{name}: Found array with {n} sample(s) (shape={arr.shape}) while a "
                f"minimum of {ensure_min_samples} is required."
            )
    if ensure_min_features > 0 and arr.ndim == 2:
        p = arr.shape[1]
        if p < ensure_min_features:
            raise ValueError(
                f"{who}{name}: Found array with {p} feature(s) (shape={arr.shape}) while a "
                f"minimum of {ensure_min_features} is required."
            )
    if copy and np.shares_memory(arr, np.asarray(X) if not isinstance(X, np.ndarray) else X):
        arr = arr.copy()
    return arr


def column_or_1d(y, *, name: str = "y", warn: bool = True, dtype=None) -> np.ndarray:
    """Ravel a column vector to 1-D (with a DataConversionWarning), reject anything else 2-D."""
    arr = np.asarray(y) if dtype is None else np.asarray(y, dtype=dtype)
    if arr.ndim == 1:
        return arr
    if arr.ndim == 2 and arr.shape[1] == 1:
        if warn:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change the "
                "shape of y to (n_samples,), for example using ravel().",
                DataConversionWarning,
                stacklevel=2,
            )
        return arr.ravel()
    raise ValueError(f"{name}: expected a 1-D array, got an array of shape {arr.shape}.")


def check_consistent_length(*arrays, names=None) -> None:
    """Check that all non-None arrays have the same number of samples."""
    present = [(i, a) for i, a in enumerate(arrays) if a is not None]
    lengths = [num_samples(a) for _, a in present]
    if len(set(lengths)) > 1:
        labels = [names[i] for i, _ in present] if names else [f"argument {i}" for i, _ in present]
        detail = ", ".join(f"{lab}: {n}" for lab, n in zip(labels, lengths, strict=True))
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {detail}.")


def check_X_y(
    X,
    y,
    *,
    multi_output: bool = False,
    y_numeric: bool = False,
    estimator: str | None = None,
    **check_array_kwargs,
):
    """Validate ``X`` (2-D) and ``y`` together and check that their lengths agree.

    ``y`` is raveled from a column vector with a ``DataConversionWarning`` unless
    ``multi_output``; ``y_numeric`` converts an object ``y`` to float64.
    """
    if y is None:
        who = estimator or "This estimator"
        raise ValueError(f"{who} requires y to be passed, but the target y is None.")
    X = check_array(X, estimator=estimator, **check_array_kwargs)
    if multi_output:
        y = check_array(
            y,
            name="y",
            ensure_2d=False,
            dtype="numeric" if y_numeric else None,
            estimator=estimator,
        )
    else:
        y = column_or_1d(y)
        if y.dtype.kind == "c":
            raise ValueError("y: Complex data not supported.")
        if y_numeric:
            y = check_array(y, name="y", ensure_2d=False, estimator=estimator)
        elif y.dtype.kind == "f" and not np.isfinite(y).all():
            raise ValueError("y: Input y contains NaN or infinity.")
    check_consistent_length(X, y, names=["X", "y"])
    return X, y


def type_of_target(y) -> str:
    """Classify a target: 'binary', 'multiclass', 'continuous', 'multilabel-indicator', ...

    Follows the vocabulary of scikit-learn's ``type_of_target`` for the cases glassml uses.
    """
    y = np.asarray(y)
    if y.ndim > 2 or y.dtype.kind == "c":
        return "unknown"
    if y.ndim == 2 and y.shape[1] > 1:
        if y.dtype.kind in "biuf" and np.isin(y, [0, 1]).all():
            return "multilabel-indicator"
        if y.dtype.kind == "f" and np.any(y != y.astype(int)):
            return "continuous-multioutput"
        return "multiclass-multioutput"
    y = y.ravel()
    if y.size == 0:
        return "unknown"
    if y.dtype.kind == "f":
        if not np.isfinite(y).all():
            raise ValueError("y: Input y contains NaN or infinity.")
        if np.any(y != np.round(y)):
            return "continuous"
    if y.dtype.kind == "O":
        kinds = {type(v) for v in y.tolist()}
        if len(kinds) > 1 and not all(issubclass(k, numbers.Number) for k in kinds):
            raise ValueError(f"y: mix of label types {sorted(k.__name__ for k in kinds)}.")
    n_unique = len(np.unique(y))
    return "multiclass" if n_unique > 2 else "binary"


def check_classification_targets(y) -> None:
    """Raise ``ValueError('Unknown label type: ...')`` for regression-like targets."""
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass", "multiclass-multioutput", "multilabel-indicator"):
        raise ValueError(
            f"Unknown label type: {kind!r}. A classifier needs discrete class labels (ints, "
            "strings or bools); for a continuous target use a regressor."
        )


def check_is_fitted(estimator, attributes=None) -> None:
    """Raise ``NotFittedError`` unless ``estimator`` has been fitted.

    Uses ``__sklearn_is_fitted__`` when defined, otherwise looks for the given attributes or
    for any public attribute ending with an underscore.
    """
    name = type(estimator).__name__
    msg = (
        f"This {name} instance is not fitted yet. Call 'fit' with appropriate arguments "
        "before using this estimator."
    )
    if hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    elif attributes is not None:
        attrs = [attributes] if isinstance(attributes, str) else attributes
        fitted = all(hasattr(estimator, a) for a in attrs)
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        raise not_fitted_error(msg)


def check_scalar(
    x,
    name: str,
    target_type,
    *,
    min_val=None,
    max_val=None,
    include_boundaries: str = "both",
):
    """Validate a scalar hyperparameter: type and range, with a message naming it.

    ``include_boundaries`` is one of "both", "left", "right", "neither".

    Examples
    --------
    >>> check_scalar(3, "n_neighbors", int, min_val=1)
    3
    """
    if isinstance(x, bool) and target_type is not bool and bool not in np.atleast_1d(target_type):
        raise TypeError(f"{name}: expected {_type_name(target_type)}, got bool {x!r}.")
    if not isinstance(x, target_type):
        raise TypeError(
            f"{name}: expected {_type_name(target_type)}, got {type(x).__name__} {x!r}."
        )
    if isinstance(x, numbers.Real) and np.isnan(x):
        raise ValueError(f"{name}: expected a number, got NaN.")
    left_closed = include_boundaries in ("both", "left")
    right_closed = include_boundaries in ("both", "right")
    if min_val is not None and (x < min_val or (x == min_val and not left_closed)):
        op = ">=" if left_closed else ">"
        raise ValueError(f"{name}: expected a value {op} {min_val}, got {x!r}.")
    if max_val is not None and (x > max_val or (x == max_val and not right_closed)):
        op = "<=" if right_closed else "<"
        raise ValueError(f"{name}: expected a value {op} {max_val}, got {x!r}.")
    return x


def _type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(_type_name(s) for s in t)
    return {numbers.Integral: "int", numbers.Real: "float"}.get(t, getattr(t, "__name__", str(t)))


def check_in(value, name: str, options) -> object:
    """Check that a string option is one of ``options``.

    >>> check_in("l2", "penalty", ("l1", "l2"))
    'l2'
    """
    if value not in options:
        raise ValueError(f"{name}: expected one of {list(options)}, got {value!r}.")
    return value


def check_sample_weight(sample_weight, X, *, dtype=np.float64, only_non_negative: bool = True):
    """Return per-sample weights of length ``n_samples`` (ones when ``None``)."""
    n = num_samples(X)
    if sample_weight is None:
        return np.ones(n, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n, sample_weight, dtype=dtype)
    sw = np.asarray(sample_weight, dtype=dtype)
    if sw.ndim != 1:
        raise ValueError(f"sample_weight: expected a 1-D array, got shape {sw.shape}.")
    if sw.shape[0] != n:
        raise ValueError(
            f"sample_weight: expected {n} weights (one per sample), got {sw.shape[0]}."
        )
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight: contains NaN or infinity.")
    if only_non_negative and (sw < 0).any():
        raise ValueError("sample_weight: Negative values in sample_weight are not allowed.")
    return sw
