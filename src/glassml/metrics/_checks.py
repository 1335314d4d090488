"""Shared input checks and label encoding for the metrics (private).

Every metric validates its inputs here so that bad input fails in one place with a message that
names the argument: mismatched lengths, NaN, wrong dimensions, a continuous target where labels
are expected, an unknown ``average`` option.
"""

from __future__ import annotations

import warnings

import numpy as np

from glassml._core import type_of_target

__all__ = [
    "UndefinedMetricWarning",
    "as_1d",
    "as_float_1d",
    "check_same_length",
    "check_weights",
    "classification_targets",
    "encode_labels",
    "weighted_mean",
]


class UndefinedMetricWarning(UserWarning):
    """A metric is ill-defined for the given input (e.g. precision with no predicted positive)."""


def as_1d(y, name: str) -> np.ndarray:
    """A 1-D array (a column vector is raveled); anything else is rejected naming ``name``."""
    arr = np.asarray(y)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array, got an array of shape {arr.shape}.")
    return arr


def as_float_1d(y, name: str, *, allow_2d: bool = False) -> np.ndarray:
    """A finite float64 array (1-D, or 2-D when ``allow_2d``)."""
    arr = np.asarray(y)
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name}: expected numeric values, got dtype {arr.dtype}.") from exc
    arr = arr.astype(np.float64, copy=False)
    if not allow_2d:
        arr = as_1d(arr, name)
    elif arr.ndim not in (1, 2):
        raise ValueError(f"{name}: expected a 1-D or 2-D array, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: Input contains NaN or infinity.")
    return arr


def check_same_length(*pairs) -> None:
    """``pairs`` are (name, array) tuples; all non-None arrays must have the same length."""
    present = [(n, a) for n, a in pairs if a is not None]
    lengths = [len(a) for _, a in present]
    if len(set(lengths)) > 1:
        detail = ", ".join(f"{n}: {k}" for (n, _), k in zip(present, lengths, strict=True))
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {detail}.")


def check_weights(sample_weight, n: int) -> np.ndarray | None:
    """``None`` or a finite, non-negative float64 vector of length ``n``."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"sample_weight: expected a 1-D array of length {n}, got shape {w.shape}.")
    if not np.isfinite(w).all():
        raise ValueError("sample_weight: contains NaN or infinity.")
    if (w < 0).any():
        raise ValueError("sample_weight: negative weights are not allowed.")
    return w


def weighted_mean(values: np.ndarray, sample_weight: np.ndarray | None, axis=0):
    """Mean of ``values`` along ``axis`` (weighted by ``sample_weight`` when given)."""
    if sample_weight is None:
        return values.mean(axis=axis)
    return np.average(values, axis=axis, weights=sample_weight)


def classification_targets(y_true, y_pred, *, names=("y_true", "y_pred")):
    """Validate a pair of label vectors: 1-D, same length, discrete, same kind of labels.

    Returns ``(kind, y_true, y_pred)`` with ``kind`` "binary" or "multiclass" (of the union).
    """
    y_true = as_1d(y_true, names[0])
    y_pred = as_1d(y_pred, names[1])
    check_same_length((names[0], y_true), (names[1], y_pred))
    if y_true.size == 0:
        raise ValueError(f"{names[0]}: expected at least one sample, got an empty array.")
    kinds = []
    for name, y in ((names[0], y_true), (names[1], y_pred)):
        kind = _label_kind(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{name}: expected discrete class labels (binary or multiclass), got a "
                f"{kind!r} target. For continuous values use a regression metric."
            )
        kinds.append(kind)
    str_like = [y.dtype.kind in "OUS" for y in (y_true, y_pred)]
    if str_like[0] != str_like[1] and not (y_true.dtype.kind == "O" or y_pred.dtype.kind == "O"):
        raise ValueError(
            f"{names[0]} and {names[1]}: mix of label types (strings and numbers) "
            f"({y_true.dtype} vs {y_pred.dtype})."
        )
    return kinds, y_true, y_pred


def _label_kind(y) -> str:
    """type_of_target for 1-D labels, O(n) via bincount for integer labels of small range."""
    if y.dtype.kind in "iub" and y.size:
        values = y.astype(np.int64) if y.dtype.kind == "b" else y
        lo, hi = int(values.min()), int(values.max())
        if hi - lo <= 4 * values.size + 1024:
            n_unique = np.count_nonzero(np.bincount(values - lo))
            return "binary" if n_unique <= 2 else "multiclass"
    return type_of_target(y)


def _small_int_codes(arrays):
    """Fast O(n) encoding for non-negative integer labels with a small range (bincount)."""
    if not all(a.dtype.kind in "iub" for a in arrays):
        return None
    dtype = np.result_type(*[a.dtype for a in arrays])
    arrays = [a.astype(np.int64) if a.dtype.kind == "b" else a for a in arrays]  # no masks
    lo = min(int(a.min()) for a in arrays)
    hi = max(int(a.max()) for a in arrays)
    total = sum(a.size for a in arrays)
    if lo < 0 or hi > max(1024, 2 * total):
        return None
    present = np.zeros(hi + 1, dtype=bool)
    for a in arrays:
        present[a] = True
    classes = np.flatnonzero(present)
    lookup = np.cumsum(present) - 1  # value -> rank among the present values
    return classes.astype(dtype), [lookup[a] for a in arrays]


def encode_labels(arrays, labels=None):
    """Map label arrays to integer codes 0..K-1 over sorted ``classes``.

    Without ``labels`` the classes are the sorted union of the values. With ``labels`` the
    classes are ``labels`` in the given order and values outside them get code -1.

    Returns ``(classes, codes_list)``.
    """
    arrays = [np.asarray(a) for a in arrays]
    if labels is None:
        fast = _small_int_codes(arrays)
        if fast is not None:
            return fast
        try:
            classes, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
        except TypeError as exc:
            raise ValueError(f"labels could not be sorted (mixed types?): {exc}") from exc
        codes, start = [], 0
        for a in arrays:
            codes.append(inverse[start : start + a.size])
            start += a.size
        return classes, codes
    classes = np.asarray(labels)
    if classes.ndim != 1 or classes.size == 0:
        raise ValueError("labels: 'labels' should contains at least one label.")
    order = np.argsort(classes, kind="stable")
    sorted_classes = classes[order]
    if np.any(sorted_classes[1:] == sorted_classes[:-1]):
        raise ValueError(f"labels: must be unique, got {classes.tolist()}.")
    codes = []
    for a in arrays:
        pos = np.searchsorted(sorted_classes, a)
        pos_clipped = np.minimum(pos, classes.size - 1)
        found = sorted_classes[pos_clipped] == a
        codes.append(np.where(found, order[pos_clipped], -1))
    return classes, codes


def warn_undefined(message: str) -> None:
    warnings.warn(message, UndefinedMetricWarning, stacklevel=3)
