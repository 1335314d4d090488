"""Label encoding of a target: classes -> 0..K-1 in sorted order."""

from __future__ import annotations

import numpy as np

from .._core import BaseEstimator, TransformerMixin, check_is_fitted, column_or_1d
from ._categories import column_categories, encode_column, unknown_values


class LabelEncoder(TransformerMixin, BaseEstimator):
    """Map the K distinct labels of a 1-D target to 0..K-1 (``classes_`` sorted).

    Inventory: DP-04. Meant for targets; for input features use :class:`OrdinalEncoder`
    (ordinal variables) or :class:`OneHotEncoder` (nominal ones, claim CL-041).

    Example
    -------
    >>> enc = LabelEncoder().fit(["paris", "tokyo", "paris", "amsterdam"])
    >>> enc.classes_.tolist(), enc.transform(["tokyo", "amsterdam"]).tolist()
    (['amsterdam', 'paris', 'tokyo'], [2, 0])
    """

    def __init__(self):
        pass

    @staticmethod
    def _check_y(y):
        y = column_or_1d(y, name="y", warn=True)
        return y

    def fit(self, y):
        """Learn the sorted distinct labels."""
        y = self._check_y(y)
        self.classes_ = column_categories(y)
        return self

    def fit_transform(self, y):
        """Fit, then return the integer codes of ``y``."""
        return self.fit(y).transform(y)

    def transform(self, y):
        """Integer codes 0..K-1; unseen labels raise a ValueError listing them."""
        check_is_fitted(self)
        y = self._check_y(y)
        if y.shape[0] == 0:
            return np.array([], dtype=np.int64)
        codes, known = encode_column(y, self.classes_)
        if not known.all():
            raise ValueError(f"y contains previously unseen labels: {unknown_values(y, known)}")
        return codes

    def inverse_transform(self, y):
        """Labels back from codes; codes outside 0..K-1 raise a ValueError."""
        check_is_fitted(self)
        y = column_or_1d(y, name="y", warn=True)
        if y.shape[0] == 0:
            return np.array([], dtype=self.classes_.dtype)
        codes = np.asarray(y)
        bad = np.setdiff1d(codes, np.arange(len(self.classes_)))
        if bad.size:
            raise ValueError(f"y contains previously unseen labels: {bad.tolist()}")
        return self.classes_[codes.astype(np.int64)]

    def _glassml_tags(self):
        return {"one_d_array": True, "two_d_array": False}
