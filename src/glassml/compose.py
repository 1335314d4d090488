"""ColumnTransformer: different preprocessing for different columns, in one estimator.

Example
-------
>>> import numpy as np
>>> from glassml.preprocessing import OneHotEncoder, StandardScaler
>>> X = np.array([[0.0, 1.0], [2.0, 2.0]])
>>> ct = make_column_transformer((StandardScaler(), [0]), (OneHotEncoder(), [1]))
>>> ct.fit_transform(X).tolist()
[[-1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
from joblib import Parallel, delayed

from ._core import TransformerMixin, check_array, check_is_fitted, clone
from .pipeline._base import (
    Bunch,
    _as_2d_dense,
    _BaseComposition,
    _fit_transform_one,
    _name_estimators,
)

__all__ = ["ColumnTransformer", "make_column_transformer", "make_column_selector"]


def _is_dataframe(X) -> bool:
    return hasattr(X, "iloc") and hasattr(X, "columns")


def _column_indices(X, key) -> tuple[list[int], bool]:
    """Resolve a column selector to integer positions; also say whether it was a scalar."""
    n_columns = X.shape[1]
    if callable(key):
        key = key(X)
    if key is None or (isinstance(key, list | tuple | np.ndarray) and len(key) == 0):
        return [], False
    scalar = isinstance(key, numbers.Integral | str) and not isinstance(key, bool)
    if isinstance(key, slice):
        if isinstance(key.start, str) or isinstance(key.stop, str):
            if not _is_dataframe(X):
                raise ValueError(
                    "Specifying the columns using strings is only supported for dataframes."
                )
            cols = list(X.columns)
            start = 0 if key.start is None else cols.index(key.start)
            stop = len(cols) if key.stop is None else cols.index(key.stop) + 1  # inclusive
            return list(range(start, stop)), False
        return list(range(n_columns))[key], False
    keys = [key] if scalar else list(np.asarray(key).tolist()) if not isinstance(key, list) else key
    if all(isinstance(k, bool | np.bool_) for k in keys):
        if len(keys) != n_columns:
            raise ValueError(
                f"columns: a boolean mask must have one entry per column ({n_columns}), got "
                f"{len(keys)}."
            )
        return [i for i, k in enumerate(keys) if k], False
    if all(isinstance(k, numbers.Integral) for k in keys):
        out = []
        for k in keys:
            if not -n_columns <= k < n_columns:
                raise ValueError(
                    f"columns: column index {k} is out of range for {n_columns} columns."
                )
            out.append(int(k) % n_columns)
        return out, scalar
    if all(isinstance(k, str) for k in keys):
        if not _is_dataframe(X):
            raise ValueError(
                "Specifying the columns using strings is only supported for dataframes."
            )
        cols = list(X.columns)
        missing = [k for k in keys if k not in cols]
        if missing:
            raise ValueError(f"columns: A given column is not a column of the dataframe: {missing}")
        return [cols.index(k) for k in keys], scalar
    raise ValueError(
        "columns: expected int, str, a list of those, a slice, a boolean mask or a callable, got "
        f"{key!r}."
    )


def _select(X, idx, scalar):
    if _is_dataframe(X):
        return X.iloc[:, idx[0]] if scalar else X.iloc[:, idx]
    return X[:, idx[0]] if scalar else X[:, idx]


class make_column_selector:  # noqa: N801 - scikit-learn's name
    """A callable selecting DataFrame columns by name pattern and/or dtype (Inventory: DP-14).

    >>> sel = make_column_selector(dtype_include=np.number)
    """

    def __init__(self, pattern=None, *, dtype_include=None, dtype_exclude=None):
        self.pattern = pattern
        self.dtype_include = dtype_include
        self.dtype_exclude = dtype_exclude

    def __call__(self, df):
        if not _is_dataframe(df):
            raise ValueError("make_column_selector can only be applied to pandas dataframes")
        sub = df.iloc[:1]
        if self.dtype_include is not None or self.dtype_exclude is not None:
            sub = sub.select_dtypes(include=self.dtype_include, exclude=self.dtype_exclude)
        cols = sub.columns
        if self.pattern is not None:
            cols = cols[cols.str.contains(self.pattern, regex=True)]
        return cols.tolist()


class ColumnTransformer(TransformerMixin, _BaseComposition):
    """Apply a transformer to each group of columns and concatenate the results.

        X -> [T_1(X[:, S_1]) | T_2(X[:, S_2]) | ... | remainder(X[:, rest])]

    Column groups S_k are given by position (int, list, slice, boolean mask), by name (str or
    list of str, for DataFrames) or by a callable of X. Columns in no group are dropped, passed
    through, or fed to a ``remainder`` estimator. Transformers are cloned and fitted in parallel
    with ``joblib.Parallel(n_jobs)``. Inside a :class:`~glassml.pipeline.Pipeline` the whole
    preprocessing is refitted per training fold (claim CL-042). Inventory: DP-14.

    Parameters
    ----------
    transformers : list of (name, transformer | "drop" | "passthrough", columns)
    remainder : "drop", "passthrough" or a transformer, default="drop"
    sparse_threshold : float, default=0.3
        Kept for scikit-learn compatibility; the output is always dense.
    n_jobs : int or None
    transformer_weights : dict name -> float, optional
    verbose : bool
    verbose_feature_names_out : bool, default=True
        Prefix output names with "<transformer name>__".

    Attributes
    ----------
    transformers_ : fitted (name, transformer, columns), the remainder last
    named_transformers_ : Bunch of the fitted transformers
    output_indices_ : dict name -> slice of the output columns

    Example
    -------
    >>> from glassml.preprocessing import MinMaxScaler
    >>> ct = ColumnTransformer([("mm", MinMaxScaler(), [1])], remainder="passthrough")
    >>> ct.fit_transform(np.array([[5.0, 0.0], [7.0, 2.0]])).tolist()
    [[0.0, 5.0], [1.0, 7.0]]
    """

    def __init__(
        self,
        transformers,
        *,
        remainder="drop",
        sparse_threshold=0.3,
        n_jobs=None,
        transformer_weights=None,
        verbose=False,
        verbose_feature_names_out=True,
    ):
        self.transformers = transformers
        self.remainder = remainder
        self.sparse_threshold = sparse_threshold
        self.n_jobs = n_jobs
        self.transformer_weights = transformer_weights
        self.verbose = verbose
        self.verbose_feature_names_out = verbose_feature_names_out

    # ------------------------------------------------------------------ params
    @property
    def _transformers(self):
        return [(t[0], t[1]) for t in self.transformers]

    def get_params(self, deep=True):
        """Parameters, with each transformer as ``name`` and ``name__param``."""
        out = super().get_params(deep=False)
        if not deep:
            return out
        try:
            pairs = self._transformers
        except (TypeError, IndexError, KeyError):
            pairs = []
        for name, est in pairs:
            out[name] = est
            if hasattr(est, "get_params"):
                for key, value in est.get_params(deep=True).items():
                    out[f"{name}__{key}"] = value
        if hasattr(self.remainder, "get_params"):
            for key, value in self.remainder.get_params(deep=True).items():
                out[f"remainder__{key}"] = value
        return out

    def set_params(self, **params):
        """Set parameters; ``name`` replaces a transformer (columns kept)."""
        return self._set_composite_params("transformers", **params)

    # ------------------------------------------------------------------ validation
    def _validate_transformers(self):
        if not isinstance(self.transformers, list | tuple):
            raise ValueError(
                f"transformers: expected a list of (name, transformer, columns), got "
                f"{self.transformers!r}."
            )
        for t in self.transformers:
            if not isinstance(t, tuple | list) or len(t) != 3:
                raise ValueError(
                    f"transformers: each entry must be (name, transformer, columns), got {t!r}."
                )
        names = [t[0] for t in self.transformers]
        self._validate_names(names)
        for name, t, _ in self.transformers:
            if isinstance(t, str) and t in ("drop", "passthrough"):
                continue
            if not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All estimators should implement fit and transform, or can be 'drop' or "
                    f"'passthrough' specifiers. '{name}': {t!r} (type {type(t).__name__}) doesn't."
                )
        r = self.remainder
        if not (isinstance(r, str) and r in ("drop", "passthrough")) and not (
            hasattr(r, "fit") and hasattr(r, "transform")
        ):
            raise ValueError(
                "remainder: expected 'drop', 'passthrough' or an estimator that implements fit "
                f"and transform, got {r!r}."
            )
        weights = self.transformer_weights or {}
        unknown = sorted(set(weights) - set(names))
        if unknown:
            raise ValueError(
                f"transformer_weights: no transformer named {unknown[0]!r} in transformers."
            )

    def _check_X(self, X):
        if hasattr(X, "tocsr") and hasattr(X, "nnz"):
            return check_array(X, estimator=type(self).__name__)  # raises: sparse unsupported
        if _is_dataframe(X) or (
            hasattr(X, "shape") and hasattr(X, "__getitem__") and len(X.shape) == 2
        ):
            if X.shape[1] < 1 and not _is_dataframe(X):
                check_array(X, dtype=None, allow_nan=True, estimator=type(self).__name__)
            if X.shape[0] < 1:
                raise ValueError(
                    f"ColumnTransformer: Found array with 0 sample(s) (shape={X.shape}) while a "
                    "minimum of 1 is required."
                )
            if hasattr(X, "dtype") and X.dtype.kind == "c":
                raise ValueError("ColumnTransformer: Complex data not supported.")
            return X
        return check_array(X, dtype=None, allow_nan=True, estimator=type(self).__name__)

    def _column_groups(self, X):
        """Resolved (name, transformer, column key, indices, scalar) and the remainder."""
        groups = []
        used = set()
        for name, t, key in self.transformers:
            idx, scalar = _column_indices(X, key)
            groups.append((name, t, key, idx, scalar))
            used.update(idx)
        rest = [i for i in range(X.shape[1]) if i not in used]
        return groups, rest

    # ------------------------------------------------------------------ fit / transform
    def _iter_active(self, groups, rest, X):
        weights = self.transformer_weights or {}
        items = list(groups)
        if rest:
            items.append(("remainder", self.remainder, rest, rest, False))
        for name, t, key, idx, scalar in items:
            if isinstance(t, str) and t == "drop":
                continue
            if not idx:
                continue
            yield name, t, key, idx, scalar, weights.get(name)

    def fit(self, X, y=None, **params):
        """Fit every transformer on its columns."""
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X, y=None, **params):
        """Fit every transformer on its columns and return the concatenated outputs."""
        from .preprocessing import FunctionTransformer

        self._validate_transformers()
        self._check_feature_names(X, reset=True)
        X = self._check_X(X)
        self.n_features_in_ = X.shape[1]
        groups, rest = self._column_groups(X)
        active = list(self._iter_active(groups, rest, X))
        jobs = []
        for name, t, _, idx, scalar, w in active:
            if isinstance(t, str) and t == "passthrough":
                t = FunctionTransformer(feature_names_out="one-to-one", check_inverse=False)
            jobs.append((name, clone(t), _select(X, idx, scalar), w))
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_transform_one)(t, Xs, y, w, params) for _, t, Xs, w in jobs
        )
        fitted = {name: tr for (name, _, _, _), (_, tr) in zip(jobs, results, strict=True)}
        outs = {
            name: _as_2d_dense(Xs, name)
            for (name, _, _, _), (Xs, _) in zip(jobs, results, strict=True)
        }
        # transformers_: fitted objects ("passthrough"/"drop" kept as strings)
        self.transformers_ = []
        for name, t, key, _idx, _ in groups:
            keep_str = isinstance(t, str)
            self.transformers_.append(
                (name, t if keep_str or name not in fitted else fitted[name], key)
            )
        if rest:
            r = self.remainder
            rest_key = rest
            if _is_dataframe(X) and all(isinstance(c, str) for c in X.columns):
                rest_key = [X.columns[i] for i in rest]
            self.transformers_.append(
                (
                    "remainder",
                    r if isinstance(r, str) or "remainder" not in fitted else fitted["remainder"],
                    rest_key,
                )
            )
        self._active_names = [a[0] for a in active]
        self._active_columns = {a[0]: (a[3], a[4]) for a in active}
        self._fitted = fitted
        return self._stack(outs, X.shape[0])

    def _stack(self, outs, n):
        self.output_indices_ = {}
        start = 0
        blocks = []
        for name in [t[0] for t in self.transformers] + ["remainder"]:
            width = outs[name].shape[1] if name in outs else 0
            self.output_indices_[name] = slice(start, start + width) if width else slice(0, 0)
            start += width
            if name in outs:
                blocks.append(outs[name])
        if not blocks:
            return np.zeros((n, 0))
        return np.hstack(blocks)

    def transform(self, X):
        """Transform each column group with its fitted transformer and concatenate."""
        check_is_fitted(self, "transformers_")
        self._check_feature_names(X, reset=False)
        X = self._check_X(X)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but ColumnTransformer is expecting "
                f"{self.n_features_in_} features as input."
            )
        weights = self.transformer_weights or {}
        blocks = []
        for name in self._active_names:
            idx, scalar = self._active_columns[name]
            Xs = _as_2d_dense(self._fitted[name].transform(_select(X, idx, scalar)), name)
            w = weights.get(name)
            blocks.append(Xs if w is None else Xs * w)
        if not blocks:
            return np.zeros((X.shape[0], 0))
        return np.hstack(blocks)

    @property
    def named_transformers_(self):
        """Fitted transformers by name."""
        check_is_fitted(self, "transformers_")
        return Bunch((t[0], t[1]) for t in self.transformers_)

    def get_feature_names_out(self, input_features=None):
        """ "<name>__<feature>" for every output column (without prefix if not verbose)."""
        check_is_fitted(self, "transformers_")
        from .preprocessing._utils import input_feature_names

        all_names = input_feature_names(self, input_features)
        out = []
        for name in self._active_names:
            idx, _ = self._active_columns[name]
            t = self._fitted[name]
            if not hasattr(t, "get_feature_names_out"):
                raise AttributeError(
                    f"Transformer {name} (type {type(t).__name__}) does not provide "
                    "get_feature_names_out."
                )
            names = t.get_feature_names_out(all_names[idx])
            out.extend(f"{name}__{f}" if self.verbose_feature_names_out else str(f) for f in names)
        if not self.verbose_feature_names_out and len(set(out)) != len(out):
            dupes = sorted(k for k, c in Counter(out).items() if c > 1)
            raise ValueError(
                f"Output feature names: {dupes} are not unique. Please set "
                "verbose_feature_names_out=True to add prefixes to feature names"
            )
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self):
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        try:
            real = [t for _, t, _ in self.transformers if not isinstance(t, str)]
            if not isinstance(self.remainder, str):
                real.append(self.remainder)
            tags.input_tags.allow_nan = all(get_tags(t).input_tags.allow_nan for t in real)
            tags.input_tags.string = all(get_tags(t).input_tags.string for t in real)
        except (ValueError, AttributeError, TypeError):
            pass
        return tags


def make_column_transformer(
    *transformers,
    remainder="drop",
    sparse_threshold=0.3,
    n_jobs=None,
    verbose=False,
    verbose_feature_names_out=True,
):
    """A :class:`ColumnTransformer` from (transformer, columns) pairs, named by class.

    Inventory: DP-14.

    >>> from glassml.preprocessing import StandardScaler
    >>> make_column_transformer((StandardScaler(), [0])).transformers[0][0]
    'standardscaler'
    """
    named = _name_estimators([t for t, _ in transformers])
    return ColumnTransformer(
        [(name, t, cols) for (name, t), (_, cols) in zip(named, transformers, strict=True)],
        remainder=remainder,
        sparse_threshold=sparse_threshold,
        n_jobs=n_jobs,
        verbose=verbose,
        verbose_feature_names_out=verbose_feature_names_out,
    )
