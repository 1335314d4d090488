"""Category discovery and integer coding, shared by the categorical encoders.

A column's categories are its sorted distinct values; missing values are categories too and go
last (``None`` then NaN), as in scikit-learn. Numeric and fixed-width string columns are coded
with a vectorised ``searchsorted``; object columns (mixed Python objects, NaN/None) with a dict.
"""

from __future__ import annotations

import numbers
from itertools import repeat

import numpy as np

from .._core import check_array, check_is_fitted
from ._utils import is_scalar_nan


def categorical_columns(estimator, X, *, reset: bool) -> list[np.ndarray]:
    """Validate ``X`` for an encoder and return its columns as 1-D arrays.

    DataFrames keep each column's own dtype; other inputs go through ``check_array`` with
    ``dtype=None`` (NaN allowed, infinity rejected). Lists of strings become object arrays.
    """
    name = type(estimator).__name__
    if not reset:
        check_is_fitted(estimator)
    estimator._check_feature_names(X, reset=reset)
    if hasattr(X, "iloc") and hasattr(X, "columns"):
        n_samples, n_features = X.shape
        columns = [np.asarray(X.iloc[:, j]) for j in range(n_features)]
        if n_samples < 1:
            raise ValueError(
                f"{name}: Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        if n_features < 1:
            raise ValueError(
                f"{name}: Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 "
                "is required."
            )
        for j, col in enumerate(columns):
            if col.dtype.kind == "f" and np.isinf(col).any():
                raise ValueError(f"{name}: Input X contains infinity in column {j}.")
    else:
        arr = check_array(X, dtype=None, allow_nan=True, estimator=name)
        if not hasattr(X, "dtype") and arr.dtype.kind in "US":
            arr = arr.astype(object)
        n_features = arr.shape[1]
        columns = [arr[:, j] for j in range(n_features)]
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {name} is expecting "
            f"{estimator.n_features_in_} features as input."
        )
    return columns


def _missing_kind(value) -> int:
    """0 for an ordinary value, 1 for None, 2 for NaN."""
    if value is None:
        return 1
    return 2 if is_scalar_nan(value) else 0


def column_categories(col: np.ndarray, j: int = 0) -> np.ndarray:
    """Sorted distinct values of a column, missing values last (None, then NaN)."""
    if col.dtype.kind != "O":
        return np.unique(col)  # NaNs collapse into one, sorted last
    values = set(col.tolist())
    missing = sorted({_missing_kind(v) for v in values} - {0})
    present = [v for v in values if _missing_kind(v) == 0]
    try:
        uniques = sorted(present)
    except TypeError as exc:
        types = sorted({type(v).__name__ for v in present})
        raise TypeError(
            f"Encoders require their input argument must be uniformly strings or numbers; "
            f"column {j} mixes {types}."
        ) from exc
    uniques.extend([None if m == 1 else np.nan for m in missing])
    return np.array(uniques, dtype=object)


def check_given_categories(cats, col: np.ndarray, j: int) -> np.ndarray:
    """Turn user-given categories for column ``j`` into an array (numeric ones must be sorted)."""
    cats = np.array(cats, dtype=col.dtype if col.dtype.kind != "U" else object)
    if cats.ndim != 1:
        raise ValueError(f"categories: expected a 1-D list per column; column {j} got {cats!r}.")
    if cats.dtype.kind in "biuf":
        stop = -1 if cats.size and np.isnan(cats[-1]) else None
        if np.any(np.sort(cats)[:stop] != cats[:stop]):
            raise ValueError(
                f"categories: Unsorted categories are not supported for numerical categories "
                f"(column {j}: {cats.tolist()})."
            )
    return cats


def encode_column(col: np.ndarray, cats: np.ndarray):
    """Integer codes of ``col`` in ``cats`` and the mask of values found there.

    Returns ``codes`` (int64, 0 where unknown) and ``known`` (bool), both of shape (n,).
    """
    n_cats = cats.shape[0]
    if col.dtype.kind in "biufUS" and cats.dtype.kind in "biufUS" and n_cats:
        if cats.dtype.kind in "biuf":
            codes = np.searchsorted(cats, col)  # (n,) NaN sorts last, like np.unique
            sorter = None
        else:
            sorter = np.argsort(cats)
            codes = np.searchsorted(cats, col, sorter=sorter)
        np.minimum(codes, n_cats - 1, out=codes)
        if sorter is not None:
            codes = sorter[codes]
        found = cats[codes]
        known = found == col
        if col.dtype.kind == "f" and cats.dtype.kind == "f":
            known |= np.isnan(found) & np.isnan(col)
        codes = np.where(known, codes, 0).astype(np.int64, copy=False)
        return codes, known
    # object path: dictionary lookup in a C-level loop; NaN objects (not equal to themselves)
    # are resolved afterwards among the few values not found
    table = {}
    nan_code = -1
    for i, c in enumerate(cats.tolist()):
        if is_scalar_nan(c):
            nan_code = i
        else:
            table[c] = i
    values = col.tolist()
    codes = np.fromiter(map(table.get, values, repeat(-1)), dtype=np.int64, count=len(values))
    if nan_code >= 0:
        for i in np.flatnonzero(codes < 0).tolist():
            if is_scalar_nan(values[i]):
                codes[i] = nan_code
    known = codes >= 0
    codes[~known] = 0
    return codes, known


def unknown_values(col: np.ndarray, known: np.ndarray) -> list:
    """The distinct values of ``col`` that were not found (for error messages)."""
    bad = col[~known]
    try:
        return column_categories(bad).tolist()
    except TypeError:
        return list(dict.fromkeys(bad.tolist()))


def is_integral(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)
