"""Pipelines: chain transformers and a final estimator so that every step is fitted on the
training data only (inventory DP-14; claim CL-042), and FeatureUnion to concatenate the outputs
of several transformers side by side.

Example
-------
>>> import numpy as np
>>> from glassml.preprocessing import StandardScaler, PolynomialFeatures
>>> pipe = make_pipeline(StandardScaler(), PolynomialFeatures(degree=2))
>>> pipe.fit_transform(np.array([[0.0], [2.0]])).tolist()
[[1.0, -1.0, 1.0], [1.0, 1.0, 1.0]]

One concept per module: ``_pipeline`` (Pipeline, make_pipeline), ``_feature_union``
(FeatureUnion, make_union) and ``_base`` (the composition plumbing they share with
``glassml.compose.ColumnTransformer``).
"""

from __future__ import annotations

from ._base import (  # noqa: F401  (private helpers re-exported for glassml.compose)
    Bunch,
    _as_2d_dense,
    _BaseComposition,
    _fit_transform_one,
    _is_skip,
    _name_estimators,
)
from ._feature_union import FeatureUnion, make_union
from ._pipeline import Pipeline, make_pipeline

__all__ = ["Pipeline", "make_pipeline", "FeatureUnion", "make_union", "Bunch"]
