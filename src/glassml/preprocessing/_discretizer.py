"""Binning of continuous features into intervals (uniform, quantile or 1-D k-means edges)."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_in, check_is_fitted
from ._onehot import OneHotEncoder
from ._standard import FLOAT_DTYPES
from ._utils import input_feature_names, validate_inverse_input


def _kmeans_1d(x, init, max_iter=300):
    """Lloyd's algorithm on one feature from the given sorted centres, until assignments settle."""
    centers = np.sort(init.astype(np.float64))
    labels = None
    for _ in range(max_iter):
        edges = (centers[1:] + centers[:-1]) * 0.5
        new_labels = np.searchsorted(edges, x)  # nearest centre = interval between midpoints
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        sums = np.bincount(labels, weights=x, minlength=len(centers))
        counts = np.bincount(labels, minlength=len(centers))
        centers = np.where(counts > 0, sums / np.maximum(counts, 1), centers)
        centers.sort()
    return centers


class KBinsDiscretizer(TransformerMixin, BaseEstimator):
    """Replace each value by the index of its bin: x -> k such that e_k <= x < e_{k+1}.

    Edges per feature: "uniform" (equal widths between min and max), "quantile" (equal
    counts; NumPy percentiles with ``quantile_method``) or "kmeans" (midpoints between 1-D
    k-means centres started from the uniform bin centres). Output as bin indices
    ("ordinal") or one-hot columns ("onehot" sparse, "onehot-dense" dense). Inventory: DP-06's
    neighbour in feature engineering (non-linear effects for a linear model by binning).

    Parameters
    ----------
    n_bins : int >= 2 or array of ints, default=5
    encode : {"onehot", "onehot-dense", "ordinal"}, default="onehot"
    strategy : {"uniform", "quantile", "kmeans"}, default="quantile"
    quantile_method : str, default="averaged_inverted_cdf" (a ``numpy.percentile`` method)
    dtype : None, np.float64 or np.float32
    subsample : int or None, default=200_000
        Fit the edges on at most this many random rows.
    random_state : None, int or Generator (for ``subsample``)

    Example
    -------
    >>> KBinsDiscretizer(n_bins=2, encode="ordinal", strategy="uniform").fit_transform(
    ...     [[0.0], [1.0], [3.0], [4.0]]).ravel()
    array([0., 0., 1., 1.])
    """

    def __init__(
        self,
        n_bins=5,
        *,
        encode="onehot",
        strategy="quantile",
        quantile_method="averaged_inverted_cdf",
        dtype=None,
        subsample=200_000,
        random_state=None,
    ):
        self.n_bins = n_bins
        self.encode = encode
        self.strategy = strategy
        self.quantile_method = quantile_method
        self.dtype = dtype
        self.subsample = subsample
        self.random_state = random_state

    def _validate_n_bins(self, n_features):
        nb = self.n_bins
        if isinstance(nb, numbers.Integral) and not isinstance(nb, bool):
            if nb < 2:
                raise ValueError(
                    f"n_bins: KBinsDiscretizer received an invalid number of bins. Received "
                    f"{nb}, expected at least 2."
                )
            return np.full(n_features, nb, dtype=np.int64)
        arr = np.asarray(nb)
        if arr.shape != (n_features,) or arr.dtype.kind not in "iu" or (arr < 2).any():
            raise ValueError(
                f"n_bins: expected an int >= 2 or {n_features} ints >= 2 (one per feature), "
                f"got {nb!r}."
            )
        return arr.astype(np.int64)

    def fit(self, X, y=None):
        """Compute the bin edges of every feature."""
        check_in(self.encode, "encode", ("onehot", "onehot-dense", "ordinal"))
        check_in(self.strategy, "strategy", ("uniform", "quantile", "kmeans"))
        if self.dtype not in (None, np.float64, np.float32):
            raise ValueError(f"dtype: expected None, np.float64 or np.float32, got {self.dtype!r}.")
        X = self._validate_data(X, dtype=FLOAT_DTYPES)
        n, p = X.shape
        if self.subsample is not None and n > self.subsample:
            from .._core import check_random_state

            rows = check_random_state(self.random_state).choice(n, self.subsample, replace=False)
            X = X[rows]
        n_bins = self._validate_n_bins(p)
        edges = np.empty(p, dtype=object)
        for j in range(p):
            col = X[:, j]
            lo, hi = col.min(), col.max()
            if lo == hi:
                warnings.warn(f"Feature {j} is constant and will be replaced with 0.", stacklevel=2)
                n_bins[j] = 1
                edges[j] = np.array([-np.inf, np.inf])
                continue
            if self.strategy == "uniform":
                e = np.linspace(lo, hi, n_bins[j] + 1)
            elif self.strategy == "quantile":
                levels = np.linspace(0, 100, n_bins[j] + 1)
                e = np.asarray(np.percentile(col, levels, method=self.quantile_method), dtype=float)
            else:
                uniform = np.linspace(lo, hi, n_bins[j] + 1)
                centers = _kmeans_1d(col, (uniform[1:] + uniform[:-1]) * 0.5)
                e = np.r_[lo, (centers[1:] + centers[:-1]) * 0.5, hi]
            if self.strategy in ("quantile", "kmeans"):
                keep = np.ediff1d(e, to_begin=np.inf) > 1e-8  # drop bins of ~zero width
                e = e[keep]
                if len(e) - 1 != n_bins[j]:
                    warnings.warn(
                        f"Bins whose width are too small (i.e., <= 1e-8) in feature {j} are "
                        "removed. Consider decreasing the number of bins.",
                        stacklevel=2,
                    )
                    n_bins[j] = len(e) - 1
            edges[j] = e
        self.bin_edges_ = edges
        self.n_bins_ = n_bins
        if self.encode != "ordinal":
            self._encoder = OneHotEncoder(
                categories=[np.arange(k) for k in n_bins],
                sparse_output=self.encode == "onehot",
                dtype=self.dtype or X.dtype,
            ).fit(np.zeros((1, p)))
        return self

    def transform(self, X):
        """Bin indices (ordinal) or their one-hot columns."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES)
        out_dtype = self.dtype or X.dtype
        Xt = np.empty(X.shape, dtype=out_dtype)
        for j, e in enumerate(self.bin_edges_):
            Xt[:, j] = np.searchsorted(e[1:-1], X[:, j], side="right")  # (n,)
        if self.encode == "ordinal":
            return Xt
        return self._encoder.transform(Xt.astype(np.int64))

    def inverse_transform(self, X):
        """Bin centres of the given bin indices (or one-hot rows)."""
        check_is_fitted(self)
        if self.encode != "ordinal":
            X = self._encoder.inverse_transform(X).astype(np.float64)
        X = validate_inverse_input(self, X, self.n_features_in_, dtype=FLOAT_DTYPES)
        out = np.empty(X.shape, dtype=X.dtype)
        for j, e in enumerate(self.bin_edges_):
            centers = (e[1:] + e[:-1]) * 0.5
            out[:, j] = centers[np.clip(X[:, j].astype(np.int64), 0, len(centers) - 1)]
        return out

    def get_feature_names_out(self, input_features=None):
        """Input names (ordinal) or "<feature>_<bin>" (one-hot)."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        if self.encode == "ordinal":
            return names
        return self._encoder.get_feature_names_out(names)

    def _glassml_tags(self):
        return {"preserves_dtype": ["float64", "float32"]}
