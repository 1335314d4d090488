"""Imputation of missing values (inventory DP-07..DP-13).

SimpleImputer (mean / median / most_frequent / constant), ffill / bfill for time series,
KNNImputer (NaN-aware Euclidean neighbours), IterativeImputer (chained equations) and MICE with
Rubin's pooling, AutoencoderImputer (a denoising autoencoder, DP-13), plus a simulator of the
MCAR / MAR / MNAR missingness mechanisms.
"""

from ..metrics.pairwise import nan_euclidean_distances  # re-exported: the KNNImputer distance
from ._autoencoder import AutoencoderImputer
from ._bayesian_ridge import BayesianRidge
from ._fill import bfill, ffill
from ._iterative import IterativeImputer
from ._knn import KNNImputer
from ._mice import PooledEstimate, mice, pool_mean, pool_rubin
from ._missingness import simulate_missing
from ._simple import SimpleImputer

__all__ = [
    "AutoencoderImputer",
    "BayesianRidge",
    "IterativeImputer",
    "KNNImputer",
    "PooledEstimate",
    "SimpleImputer",
    "bfill",
    "ffill",
    "mice",
    "nan_euclidean_distances",
    "pool_mean",
    "pool_rubin",
    "simulate_missing",
]
