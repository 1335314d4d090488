"""Polynomial feature expansion and the bias (constant-1) column."""

from __future__ import annotations

import numbers
from itertools import chain, combinations, combinations_with_replacement

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_in, check_is_fitted
from ._standard import FLOAT_DTYPES
from ._utils import input_feature_names


def add_bias_column(X, *, value=1.0, position="first"):
    """Append a constant column so an affine map becomes one matrix product.

        [x_1 .. x_N] -> [1, x_1 .. x_N],  so  W x + b = [b | W] @ [1, x]

    Inventory: DP-19 (a layer as an M x (N+1) matrix product).

    >>> add_bias_column([[2.0, 3.0]])
    array([[1., 2., 3.]])
    """
    check_in(position, "position", ("first", "last"))
    X = check_array(X, dtype=FLOAT_DTYPES, allow_nan=True)
    ones = np.full((X.shape[0], 1), value, dtype=X.dtype)  # (n, 1)
    return np.hstack([ones, X] if position == "first" else [X, ones])


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to ``degree``: x -> [1, x_i, x_i x_j, x_i^2, ...].

    Inventory: DP-06 (LM-05 is this followed by linear regression). For one feature and degree
    d the output is [1, x, x^2, ..., x^d]; with several features the cross terms too, ordered as
    ``itertools.combinations_with_replacement`` (as scikit-learn). ``powers_[k, j]`` is the
    exponent of feature j in output k. Columns are built degree by degree, each new block a
    product of the previous block with one feature (no repeated powering).

    Parameters
    ----------
    degree : int or (min_degree, max_degree), default=2
    interaction_only : bool, default=False
        Only products of distinct features (x_i x_j, i < j), no powers.
    include_bias : bool, default=True
        Include the constant column 1 (the seed's snippet relies on this default).
    order : {"C", "F"}, default="C"

    Example
    -------
    >>> PolynomialFeatures(degree=2).fit_transform([[2.0, 3.0]])
    array([[1., 2., 3., 4., 6., 9.]])
    """

    def __init__(self, *, degree=2, interaction_only=False, include_bias=True, order="C"):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias
        self.order = order

    def _degrees(self):
        d = self.degree
        if isinstance(d, numbers.Integral) and not isinstance(d, bool):
            if d < 0:
                raise ValueError(f"degree: expected an int >= 0, got {d!r}.")
            return 0, int(d)
        if (
            isinstance(d, tuple | list)
            and len(d) == 2
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in d)
        ):
            lo, hi = int(d[0]), int(d[1])
            if 0 <= lo <= hi:
                return lo, hi
        raise ValueError(
            f"degree: expected an int >= 0 or a tuple (min_degree, max_degree) with "
            f"0 <= min_degree <= max_degree, got {d!r}."
        )

    def _combinations(self, n_features):
        lo, hi = self._degrees()
        comb = combinations if self.interaction_only else combinations_with_replacement
        start = max(1, lo)
        iters = [comb(range(n_features), k) for k in range(start, hi + 1)]
        if self.include_bias:
            iters.insert(0, comb(range(n_features), 0))
        return list(chain.from_iterable(iters))

    def fit(self, X, y=None):
        """Compute ``powers_`` and the number of output features."""
        check_in(self.order, "order", ("C", "F"))
        lo, hi = self._degrees()
        X = self._validate_data(X, dtype=FLOAT_DTYPES)
        if hi == 0 and not self.include_bias:
            raise ValueError(
                "degree: Setting degree to zero and include_bias to False would result in an "
                "empty output array."
            )
        combos = self._combinations(X.shape[1])
        powers = np.zeros((len(combos), X.shape[1]), dtype=np.int64)  # (n_out, p)
        for k, c in enumerate(combos):
            np.add.at(powers[k], list(c), 1)
        self.powers_ = powers
        self.n_output_features_ = len(combos)
        if self.n_output_features_ == 0:
            raise ValueError("degree: the chosen degrees give no output features.")
        return self

    def transform(self, X):
        """The monomial features, shape (n_samples, n_output_features_)."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES)
        n, p = X.shape
        lo, hi = self._degrees()
        # all degrees 0..hi in sklearn's order; then keep the bias and degrees >= lo
        n_full = 1 + sum(len(list(self._iter_deg(p, k))) for k in range(1, hi + 1))
        XP = np.empty((n, n_full), dtype=X.dtype, order=self.order)
        XP[:, 0] = 1
        if hi >= 1:
            XP[:, 1 : p + 1] = X
            index = list(range(1, p + 2))  # start column of each feature's block, then end
            current = p + 1
            for _ in range(2, hi + 1):
                new_index = []
                end = index[-1]
                for j in range(p):
                    start = index[j]
                    new_index.append(current)
                    if self.interaction_only:
                        start += index[j + 1] - index[j]
                    nxt = current + end - start
                    if nxt <= current:
                        break
                    # block of degree k starting with feature j = x_j * (degree k-1 block from j)
                    np.multiply(XP[:, start:end], X[:, j : j + 1], out=XP[:, current:nxt])
                    current = nxt
                new_index.append(current)
                index = new_index
        n_low = 1 + sum(len(list(self._iter_deg(p, k))) for k in range(1, max(lo, 1)))
        keep = slice(n_low, n_full)
        if self.include_bias:
            if n_low == 1:
                return XP
            return np.hstack([XP[:, :1], XP[:, keep]])
        return (
            np.ascontiguousarray(XP[:, keep])
            if self.order == "C"
            else np.asfortranarray(XP[:, keep])
        )

    def _iter_deg(self, p, k):
        return (
            combinations(range(p), k)
            if self.interaction_only
            else combinations_with_replacement(range(p), k)
        )

    def get_feature_names_out(self, input_features=None):
        """Names like "x0", "x0^2", "x0 x1" ("1" for the bias)."""
        check_is_fitted(self)
        names = input_feature_names(self, input_features)
        out = []
        for row in self.powers_:
            terms = [f"{names[j]}^{e}" if e != 1 else str(names[j]) for j, e in enumerate(row) if e]
            out.append(" ".join(terms) if terms else "1")
        return np.asarray(out, dtype=object)

    def _glassml_tags(self):
        return {"preserves_dtype": ["float64", "float32"]}
