"""Preprocessing: scalers, encoders, polynomial features (inventory area DP).

Every transformer is fitted on training data only and then applied to new data (DP-14); inside
a :class:`glassml.pipeline.Pipeline` that keeps cross-validation free of leakage (CL-042).
"""

from ._augment import (
    Compose,
    ImageAugmenter,
    gaussian_noise,
    random_crop,
    random_horizontal_flip,
    random_rotation_90,
    random_shift,
    random_vertical_flip,
)
from ._discretizer import KBinsDiscretizer
from ._function_transformer import FunctionTransformer
from ._label import LabelEncoder
from ._max_abs import MaxAbsScaler
from ._min_max import MinMaxScaler
from ._normalizer import Normalizer, normalize
from ._onehot import OneHotEncoder
from ._ordinal import OrdinalEncoder
from ._polynomial import PolynomialFeatures, add_bias_column
from ._robust import RobustScaler
from ._standard import StandardScaler
from ._target_encoder import TargetEncoder

__all__ = [
    "Compose",
    "FunctionTransformer",
    "ImageAugmenter",
    "KBinsDiscretizer",
    "LabelEncoder",
    "MaxAbsScaler",
    "MinMaxScaler",
    "Normalizer",
    "OneHotEncoder",
    "OrdinalEncoder",
    "PolynomialFeatures",
    "RobustScaler",
    "StandardScaler",
    "TargetEncoder",
    "add_bias_column",
    "gaussian_noise",
    "normalize",
    "random_crop",
    "random_horizontal_flip",
    "random_rotation_90",
    "random_shift",
    "random_vertical_flip",
]
