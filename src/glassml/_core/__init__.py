"""glassml's core: input validation, errors, random state, the estimator base and the array
backend. Everything else in glassml builds on these."""

from .base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
    is_classifier,
    is_regressor,
)
from .errors import (
    ConvergenceWarning,
    DataConversionWarning,
    DatasetNotInstalledError,
    NotFittedError,
)
from .random import check_random_state, spawn_seeds
from .validation import (
    check_array,
    check_classification_targets,
    check_consistent_length,
    check_in,
    check_is_fitted,
    check_sample_weight,
    check_scalar,
    check_X_y,
    column_or_1d,
    num_samples,
    type_of_target,
)
from .xp import get_namespace, set_backend, to_numpy, xp

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "ClusterMixin",
    "RegressorMixin",
    "TransformerMixin",
    "clone",
    "is_classifier",
    "is_regressor",
    "ConvergenceWarning",
    "DataConversionWarning",
    "DatasetNotInstalledError",
    "NotFittedError",
    "check_random_state",
    "spawn_seeds",
    "check_array",
    "check_classification_targets",
    "check_consistent_length",
    "check_in",
    "check_is_fitted",
    "check_sample_weight",
    "check_scalar",
    "check_X_y",
    "column_or_1d",
    "num_samples",
    "type_of_target",
    "get_namespace",
    "set_backend",
    "to_numpy",
    "xp",
]
