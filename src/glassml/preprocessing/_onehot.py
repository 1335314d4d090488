"""One-hot encoding: one 0/1 column per category of each nominal feature."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_in, check_is_fitted
from ._categories import (
    categorical_columns,
    check_given_categories,
    column_categories,
    encode_column,
    unknown_values,
)
from ._utils import input_feature_names, is_scalar_nan

INFREQUENT = "infrequent_sklearn"  # the label scikit-learn gives the grouped rare categories


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """Encode each categorical feature as K indicator columns: e_k(x) = [x == c_k].

    Inventory: DP-03 (and LM-14: dummy variables for linear models). Categories are the sorted
    distinct training values per column (strings or numbers; NaN/None are categories of their
    own, last). The output is a dense array (the source notes' ``sparse=False`` was renamed
    ``sparse_output`` in scikit-learn 1.2, see inventory E-62; here dense is the default).

    Parameters
    ----------
    categories : "auto" or list of array-like
        Categories per feature; given numeric categories must be sorted.
    drop : None, "first", "if_binary" or array-like of one category per feature
        Drop one column per feature (avoids the dummy-variable trap of collinear columns).
        "if_binary" drops only for features with exactly two output columns.
    sparse_output : bool, default=False
        If True, return a ``scipy.sparse.csr_matrix``.
    dtype : number type, default=np.float64
    handle_unknown : {"error", "ignore", "infrequent_if_exist", "warn"}, default="error"
        Unknown categories in ``transform`` raise (naming the column and values), or become
        all-zero rows ("ignore"), or go to the infrequent column when there is one.
    min_frequency : int or float, optional
        Categories seen fewer times (or in a smaller fraction of rows) are grouped into one
        "infrequent" column.
    max_categories : int, optional
        At most this many output columns per feature (the infrequent one included).
    feature_name_combiner : "concat" or callable(feature, category) -> str

    Example
    -------
    >>> enc = OneHotEncoder().fit([["red"], ["green"], ["red"]])
    >>> enc.transform([["green"], ["red"]])
    array([[1., 0.],
           [0., 1.]])
    >>> enc.get_feature_names_out().tolist()
    ['x0_green', 'x0_red']
    """

    def __init__(
        self,
        *,
        categories="auto",
        drop=None,
        sparse_output=False,
        dtype=np.float64,
        handle_unknown="error",
        min_frequency=None,
        max_categories=None,
        feature_name_combiner="concat",
    ):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown
        self.min_frequency = min_frequency
        self.max_categories = max_categories
        self.feature_name_combiner = feature_name_combiner

    # ------------------------------------------------------------------ fit
    def _check_params(self):
        check_in(
            self.handle_unknown,
            "handle_unknown",
            ("error", "ignore", "infrequent_if_exist", "warn"),
        )
        mf = self.min_frequency
        if mf is not None:
            if isinstance(mf, numbers.Integral) and not isinstance(mf, bool):
                if mf < 1:
                    raise ValueError(f"min_frequency: expected an int >= 1, got {mf!r}.")
            elif isinstance(mf, numbers.Real):
                if not 0.0 < mf <= 1.0:
                    raise ValueError(f"min_frequency: expected a float in (0, 1], got {mf!r}.")
            else:
                raise TypeError(f"min_frequency: expected an int or a float, got {mf!r}.")
        mc = self.max_categories
        if mc is not None and (
            not isinstance(mc, numbers.Integral) or isinstance(mc, bool) or mc < 1
        ):
            raise ValueError(f"max_categories: expected an int >= 1, got {mc!r}.")
        if not (self.feature_name_combiner == "concat" or callable(self.feature_name_combiner)):
            raise ValueError(
                "feature_name_combiner: expected 'concat' or a callable, got "
                f"{self.feature_name_combiner!r}."
            )

    def fit(self, X, y=None):
        """Learn the categories of each column (and the infrequent groups and dropped columns)."""
        self._check_params()
        columns = categorical_columns(self, X, reset=True)
        n_samples = columns[0].shape[0]
        if self.categories != "auto":
            if len(self.categories) != len(columns):
                raise ValueError(
                    f"categories: Shape mismatch: if categories is an array, it has to be of "
                    f"shape (n_features,) = ({len(columns)},), got {len(self.categories)} lists."
                )
        self.categories_ = []
        codes_per_column = []
        for j, col in enumerate(columns):
            if self.categories == "auto":
                cats = column_categories(col, j)
            else:
                cats = check_given_categories(self.categories[j], col, j)
            self.categories_.append(cats)
            needs_codes = self.min_frequency is not None or self.max_categories is not None
            if not needs_codes and (self.categories == "auto" or self.handle_unknown != "error"):
                codes_per_column.append(np.zeros(0, dtype=np.int64))  # counts not needed
                continue
            codes, known = encode_column(col, cats)
            if self.categories != "auto" and self.handle_unknown == "error" and not known.all():
                raise ValueError(
                    f"Found unknown categories {unknown_values(col, known)} in column {j} "
                    "during fit"
                )
            codes_per_column.append(codes[known])
        self._fit_infrequent(codes_per_column, n_samples)
        self._fit_drop()
        return self

    def _fit_infrequent(self, codes_per_column, n_samples):
        """Group rare categories; build each column's map category code -> output column."""
        enabled = self.min_frequency is not None or self.max_categories is not None
        self._infrequent_enabled = enabled
        self.infrequent_categories_ = []
        self._code_to_group = []  # per feature: category code -> group index (before drop)
        self._n_groups = []
        self._infrequent_group = []  # group index of the infrequent column, or None
        for cats, codes in zip(self.categories_, codes_per_column, strict=True):
            k = len(cats)
            rare = np.zeros(k, dtype=bool)
            if enabled:
                counts = np.bincount(codes, minlength=k)  # (k,)
                mf = self.min_frequency
                if isinstance(mf, numbers.Integral) and not isinstance(mf, bool):
                    rare = counts < mf
                elif isinstance(mf, numbers.Real):
                    rare = counts < n_samples * mf
                n_current = k - rare.sum() + 1
                if self.max_categories is not None and self.max_categories < n_current:
                    n_frequent = self.max_categories - 1
                    if n_frequent == 0:
                        rare[:] = True
                    else:
                        smallest = np.argsort(counts, kind="mergesort")[:-n_frequent]
                        rare[smallest] = True
            group = np.empty(k, dtype=np.int64)
            n_freq = int((~rare).sum())
            group[~rare] = np.arange(n_freq)
            group[rare] = n_freq
            self._code_to_group.append(group)
            self._n_groups.append(n_freq + int(rare.any()))
            self._infrequent_group.append(n_freq if rare.any() else None)
            self.infrequent_categories_.append(cats[rare] if rare.any() else None)
        if not enabled:
            del self.infrequent_categories_

    def _fit_drop(self):
        """Choose the dropped output group of each feature (None = keep all)."""
        n_features = len(self.categories_)
        drop_group = [None] * n_features
        drop_idx = None
        if self.drop is None:
            pass
        elif isinstance(self.drop, str):
            check_in(self.drop, "drop", ("first", "if_binary"))
            drop_idx = np.empty(n_features, dtype=object)
            for j in range(n_features):
                if self.drop == "first" or self._n_groups[j] == 2:
                    drop_group[j] = 0
                    drop_idx[j] = int(np.flatnonzero(self._code_to_group[j] == 0)[0])
                else:
                    drop_idx[j] = None
        else:
            wanted = np.asarray(self.drop, dtype=object)
            if wanted.ndim != 1 or wanted.shape[0] != n_features:
                raise ValueError(
                    f"drop: expected one category per feature ({n_features}), got {self.drop!r}."
                )
            drop_idx = np.empty(n_features, dtype=object)
            missing = []
            for j, value in enumerate(wanted):
                if value is None:
                    drop_idx[j] = None
                    continue
                cats = self.categories_[j]
                hits = [
                    i
                    for i, c in enumerate(cats.tolist())
                    if c == value or (is_scalar_nan(c) and is_scalar_nan(value))
                ]
                if not hits:
                    missing.append((j, value))
                    continue
                drop_idx[j] = hits[0]
                drop_group[j] = int(self._code_to_group[j][hits[0]])
            if missing:
                raise ValueError(
                    "drop: The following categories were supposed to be dropped, but were not "
                    f"found in the training data: {missing} (column, value)."
                )
        self.drop_idx_ = drop_idx
        self._drop_group = drop_group
        # group -> output column offset within the feature's block (-1 = dropped)
        self._group_to_out = []
        for j in range(n_features):
            g = np.arange(self._n_groups[j])
            if drop_group[j] is not None:
                g = np.where(g > drop_group[j], g - 1, g)
                g[drop_group[j]] = -1
            self._group_to_out.append(g)
        widths = [self._n_groups[j] - (drop_group[j] is not None) for j in range(n_features)]
        self._offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)

    # ------------------------------------------------------------------ transform
    def transform(self, X):
        """Indicator matrix of shape (n_samples, total output columns)."""
        columns = categorical_columns(self, X, reset=False)
        n = columns[0].shape[0]
        n_out = int(self._offsets[-1])
        rows, cols = [], []
        zeroed_with_drop = []  # columns whose unknown rows become all zeros although one is dropped
        for j, col in enumerate(columns):
            codes, known = encode_column(col, self.categories_[j])
            out_col = self._group_to_out[j][self._code_to_group[j][codes]]  # (n,)
            if not known.all():
                if self.handle_unknown == "error":
                    raise ValueError(
                        f"Found unknown categories {unknown_values(col, known)} in column {j} "
                        "during transform"
                    )
                infreq = self._infrequent_group[j]
                to_infrequent = self.handle_unknown in ("infrequent_if_exist", "warn")
                if to_infrequent and infreq is not None:
                    out_col[~known] = self._group_to_out[j][infreq]
                else:
                    out_col[~known] = -1
                    if self._drop_group[j] is not None and self.handle_unknown != "warn":
                        zeroed_with_drop.append(j)
                if self.handle_unknown == "warn":
                    warnings.warn(
                        f"Found unknown categories {unknown_values(col, known)} in column {j} "
                        "during transform. These unknown categories will be encoded as "
                        + ("the infrequent category." if infreq is not None else "all zeros"),
                        UserWarning,
                        stacklevel=2,
                    )
            keep = out_col >= 0
            if keep.all():
                rows.append(None)
                cols.append(out_col + self._offsets[j])
            else:
                rows.append(np.flatnonzero(keep))
                cols.append(out_col[keep] + self._offsets[j])
        if zeroed_with_drop:
            warnings.warn(
                f"Found unknown categories in columns {zeroed_with_drop} during transform. These "
                "unknown categories will be encoded as all zeros (the same as the dropped "
                "category).",
                UserWarning,
                stacklevel=2,
            )
        dtype = np.dtype(self.dtype)
        if self.sparse_output:
            from scipy import sparse

            r = np.concatenate([np.arange(n) if rr is None else rr for rr in rows])
            c = np.concatenate(cols)
            return sparse.csr_matrix((np.ones(r.shape[0], dtype=dtype), (r, c)), shape=(n, n_out))
        out = np.zeros((n, n_out), dtype=dtype)
        flat = out.reshape(-1)  # view: set out[i, c] through flat index i * n_out + c
        row_offsets = np.arange(n, dtype=np.int64) * n_out  # (n,)
        for rr, cc in zip(rows, cols, strict=True):
            flat[(row_offsets if rr is None else row_offsets[rr]) + cc] = 1
        return out

    def _output_labels(self, j: int) -> list:
        """Category labels of feature ``j``'s output columns (after grouping and dropping)."""
        cats = self.categories_[j]
        group = self._code_to_group[j]
        labels = [None] * self._n_groups[j]
        for code, g in enumerate(group.tolist()):
            if labels[g] is None:
                labels[g] = cats[code]
        if self._infrequent_group[j] is not None:
            labels[self._infrequent_group[j]] = INFREQUENT
        if self._drop_group[j] is not None:
            del labels[self._drop_group[j]]
        return labels

    def inverse_transform(self, X):
        """Categories back from indicator rows (all-zero rows: the dropped category, or None)."""
        check_is_fitted(self)
        if hasattr(X, "toarray"):
            X = X.toarray()
        X = check_array(X, estimator=type(self).__name__)
        n_out = int(self._offsets[-1])
        if X.shape[1] != n_out:
            raise ValueError(
                f"Shape of the passed X data is not correct. Expected {n_out} columns, "
                f"got {X.shape[1]}."
            )
        n, n_features = X.shape[0], len(self.categories_)
        dtypes = [c.dtype for c in self.categories_]
        result_dtype = np.result_type(*dtypes) if all(d.kind != "O" for d in dtypes) else object
        need_object = any(g is not None for g in self._infrequent_group)
        out = np.empty((n, n_features), dtype=object if need_object else result_dtype)
        unknown_rows = {}
        for j in range(n_features):
            labels = np.array(self._output_labels(j), dtype=object)
            block = X[:, self._offsets[j] : self._offsets[j + 1]]  # (n, k_j)
            if block.shape[1] == 0:  # everything dropped: a single category
                out[:, j] = self.categories_[j][self.drop_idx_[j]]
                continue
            values = labels[block.argmax(axis=1)]
            zero = block.sum(axis=1) == 0
            if zero.any():
                if self._drop_group[j] is not None:
                    values[zero] = self.categories_[j][self.drop_idx_[j]]
                elif self.handle_unknown != "error":
                    unknown_rows[j] = zero
                else:
                    raise ValueError(
                        f"Samples {np.flatnonzero(zero)[:5].tolist()} can not be inverted when "
                        "drop=None and handle_unknown='error' because they contain all zeros"
                    )
            out[:, j] = values
        if unknown_rows:
            out = out.astype(object)
            for j, mask in unknown_rows.items():
                out[mask, j] = None
        return out

    def get_feature_names_out(self, input_features=None):
        """Output names "<feature>_<category>" (or ``feature_name_combiner(feature, cat)``)."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        combine = self.feature_name_combiner
        out = []
        for j, feature in enumerate(names):
            for label in self._output_labels(j):
                if combine == "concat":
                    out.append(f"{feature}_{label}")
                else:
                    name = combine(feature, label)
                    if not isinstance(name, str):
                        raise TypeError(
                            "feature_name_combiner: the callable must return a str, got "
                            f"{type(name).__name__} {name!r}."
                        )
                    out.append(name)
        return np.asarray(out, dtype=object)

    def _glassml_tags(self):
        return {"allow_nan": True, "string_input": True, "categorical": True}
