"""Row normalisation: x' = x / ||x|| (l1, l2 or max norm)."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_array, check_in
from ._standard import FLOAT_DTYPES
from ._utils import input_feature_names

NORMS = ("l1", "l2", "max")


def normalize(X, norm="l2", *, axis=1, return_norm=False):
    """Scale each row (``axis=1``) or column (``axis=0``) to unit norm.

        l1: ||x|| = sum |x_j|,   l2: ||x|| = sqrt(sum x_j^2),   max: ||x|| = max |x_j|

    Zero vectors are left unchanged. Inventory: DP-02 (per-sample scaling).

    >>> normalize([[3.0, 4.0]])
    array([[0.6, 0.8]])
    """
    check_in(norm, "norm", NORMS)
    check_in(axis, "axis", (0, 1))
    X = check_array(X, dtype=FLOAT_DTYPES)
    Xr = X if axis == 1 else X.T
    if norm == "l1":
        norms = np.abs(Xr).sum(axis=1)  # (n,)
    elif norm == "l2":
        norms = np.sqrt(np.einsum("ij,ij->i", Xr, Xr))
    else:
        norms = np.max(np.abs(Xr), axis=1)
    safe = np.where(norms == 0.0, 1.0, norms).astype(X.dtype, copy=False)
    out = Xr / safe[:, None]
    out = out if axis == 1 else out.T
    return (out, norms) if return_norm else out


class Normalizer(TransformerMixin, BaseEstimator):
    """Scale every sample (row) to unit ``norm`` independently: x' = x / ||x||.

    Stateless: ``fit`` only checks the input. Inventory: DP-02 (per-sample scaling).

    Parameters
    ----------
    norm : {"l1", "l2", "max"}, default="l2"
    copy : bool, default=True

    Example
    -------
    >>> Normalizer(norm="l1").fit_transform([[1.0, 3.0]])
    array([[0.25, 0.75]])
    """

    def __init__(self, *, norm="l2", copy=True):
        self.norm = norm
        self.copy = copy

    def fit(self, X, y=None):
        """Validate ``norm`` and ``X`` (nothing is learned)."""
        check_in(self.norm, "norm", NORMS)
        self._validate_data(X, dtype=FLOAT_DTYPES)
        return self

    def transform(self, X, copy=None):
        """Divide each row by its norm."""
        X = self._validate_data(X, reset=False, dtype=FLOAT_DTYPES)
        return normalize(X, self.norm)

    def get_feature_names_out(self, input_features=None):
        """Same names as the input."""
        return input_feature_names(self, input_features)

    def _glassml_tags(self):
        return {"preserves_dtype": ["float64", "float32"]}
