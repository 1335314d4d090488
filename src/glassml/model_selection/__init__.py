"""Model selection: splits and samplers, cross-validation, hyperparameter search, learning and
validation curves, bias-variance decomposition and early stopping.

Inventory: DP-15, DP-16, MS-32 … MS-36. Cross-validation and search run their folds through
``joblib.Parallel(n_jobs=...)`` without naming a backend, so
``with joblib.parallel_config(backend="dask"): search.fit(X, y)`` scales the same code out.
"""

from glassml.metrics.scorer import check_scoring, get_scorer, get_scorer_names, make_scorer

from .bias_variance import bias_variance_decomposition
from .curves import learning_curve, validation_curve
from .early_stopping import EarlyStopping
from .kfold import (
    BaseCrossValidator,
    GroupKFold,
    KFold,
    LeaveOneOut,
    StratifiedKFold,
    TimeSeriesSplit,
    check_cv,
)
from .search import GridSearchCV, ParameterGrid, ParameterSampler, RandomizedSearchCV
from .shuffle_split import ShuffleSplit, StratifiedShuffleSplit
from .split import bootstrap_indices, resample, train_test_split, train_val_test_split
from .validation import FitFailedWarning, cross_val_predict, cross_val_score, cross_validate

__all__ = [
    "BaseCrossValidator",
    "EarlyStopping",
    "FitFailedWarning",
    "GridSearchCV",
    "GroupKFold",
    "KFold",
    "LeaveOneOut",
    "ParameterGrid",
    "ParameterSampler",
    "RandomizedSearchCV",
    "ShuffleSplit",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "TimeSeriesSplit",
    "bias_variance_decomposition",
    "bootstrap_indices",
    "check_cv",
    "check_scoring",
    "cross_val_predict",
    "cross_val_score",
    "cross_validate",
    "get_scorer",
    "get_scorer_names",
    "learning_curve",
    "make_scorer",
    "resample",
    "train_test_split",
    "train_val_test_split",
    "validation_curve",
]
