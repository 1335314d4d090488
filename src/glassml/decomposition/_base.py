"""Shared helpers of the decomposition transformers (output feature names)."""

from __future__ import annotations

import numpy as np

from .._core import check_is_fitted


class _ComponentNamesMixin:
    """``get_feature_names_out`` giving ``<classname><i>`` for each output component."""

    def get_feature_names_out(self, input_features=None):
        """Output feature names: ``pca0, pca1, ...`` (lower-case class name + index).

        ``input_features``, if given, must match the fitted input (count and names).
        """
        check_is_fitted(self)
        if input_features is not None:
            input_features = np.asarray(input_features, dtype=object)
            if len(input_features) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(input_features)}"
                )
            fitted = getattr(self, "feature_names_in_", None)
            if fitted is not None and not np.array_equal(fitted, input_features):
                raise ValueError("input_features is not equal to feature_names_in_")
        prefix = type(self).__name__.lower()
        n_out = self.components_.shape[0]
        return np.asarray([f"{prefix}{i}" for i in range(n_out)], dtype=object)
