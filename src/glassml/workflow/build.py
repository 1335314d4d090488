"""Building the training pipeline from ``[preprocess]`` and ``[model]``.

Numeric columns go through the configured steps in order (impute, scale, polynomial, pca,
...); categorical (string) columns are found automatically and imputed with the most frequent
value then one-hot encoded (or ordinal encoded), side by side in a ColumnTransformer.
With no categorical columns the pipeline is simply ``steps + model``. Inventory: OT-07.

Example
-------
>>> from glassml.workflow.config import PreprocessConfig, ModelConfig
>>> pipe = build_pipeline(PreprocessConfig(steps=[{"name": "scale"}]),
...                       ModelConfig(name="Ridge"), {"a": "float"}, has_nan=False)
>>> [name for name, _ in pipe.steps]
['scale', 'model']
"""

from __future__ import annotations

import inspect

from ..compose import ColumnTransformer
from ..decomposition import PCA
from ..impute import SimpleImputer
from ..pipeline import Pipeline
from ..preprocessing import (
    KBinsDiscretizer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    OneHotEncoder,
    OrdinalEncoder,
    PolynomialFeatures,
    RobustScaler,
    StandardScaler,
)
from .config import ConfigError, ModelConfig, PreprocessConfig
from .registry import check_model_params, estimator_class

__all__ = [
    "build_pipeline",
    "build_model",
    "STEP_NAMES",
]


_SCALERS = {
    "standard": StandardScaler,
    "minmax": MinMaxScaler,
    "robust": RobustScaler,
    "maxabs": MaxAbsScaler,
}
_NUMERIC_STEPS = {
    "impute": SimpleImputer,
    "polynomial": PolynomialFeatures,
    "pca": PCA,
    "normalize": Normalizer,
    "kbins": KBinsDiscretizer,
}
_CATEGORICAL_STEPS = {"onehot": OneHotEncoder, "ordinal": OrdinalEncoder}
STEP_NAMES = ("scale", *_NUMERIC_STEPS, *_CATEGORICAL_STEPS)


def _make(cls, params: dict, key: str, defaults: dict | None = None):
    valid = set(inspect.signature(cls.__init__).parameters) - {"self"}
    for name in params:
        if name not in valid:
            raise ConfigError(
                f"{key}.{name}: unknown parameter of {cls.__name__}; valid parameters are "
                f"{', '.join(sorted(valid))}."
            )
    return cls(**{**(defaults or {}), **params})


def _numeric_step(step: dict, key: str):
    params = {k: v for k, v in step.items() if k != "name"}
    name = step["name"]
    if name == "scale":
        method = params.pop("method", "standard")
        if method not in _SCALERS:
            raise ConfigError(
                f"{key}.method: expected one of {', '.join(map(repr, _SCALERS))}, got {method!r}."
            )
        return _make(_SCALERS[method], params, key)
    if name == "impute":
        return _make(SimpleImputer, params, key, {"strategy": "median"})
    return _make(_NUMERIC_STEPS[name], params, key)


def build_model(cfg: ModelConfig):
    """The estimator named by ``[model]`` with its checked parameters."""
    cls = estimator_class(cfg.name)
    return cls(**check_model_params(cls, cfg.params))


def build_pipeline(pre: PreprocessConfig, model: ModelConfig, dtypes: dict, *, has_nan: bool):
    """Pipeline for columns with ``dtypes`` ({column: "float"|"category"}, in input order)."""
    numeric_steps, categorical = [], None
    for i, step in enumerate(pre.steps):
        key = f"preprocess.steps[{i}]"
        name = step["name"]
        if name in _CATEGORICAL_STEPS:
            params = {k: v for k, v in step.items() if k != "name"}
            defaults = {"handle_unknown": "ignore"} if name == "onehot" else {}
            categorical = (name, _make(_CATEGORICAL_STEPS[name], params, key, defaults))
        elif name == "scale" or name in _NUMERIC_STEPS:
            numeric_steps.append((name, _numeric_step(step, key)))
        else:
            raise ConfigError(
                f"{key}.name: unknown step {name!r}; expected one of {', '.join(STEP_NAMES)}."
            )
    names = [n for n, _ in numeric_steps]
    if len(set(names)) != len(names):
        numeric_steps = [(f"{n}{i}", s) for i, (n, s) in enumerate(numeric_steps)]
    estimator = build_model(model)
    cat_cols = [j for j, t in enumerate(dtypes.values()) if t == "category"]
    has_imputer = any(isinstance(s, SimpleImputer) for _, s in numeric_steps)
    if (has_nan or cat_cols) and pre.impute_missing and not has_imputer:
        # object input (categorical columns) always gets a numeric imputer: it also casts to float
        numeric_steps.insert(0, ("impute", SimpleImputer(strategy="median")))
    if not cat_cols:
        return Pipeline([*numeric_steps, ("model", estimator)])
    num_cols = [j for j, t in enumerate(dtypes.values()) if t != "category"]
    if categorical is None:
        categorical = ("onehot", OneHotEncoder(handle_unknown="ignore"))
    name, encoder = categorical
    if isinstance(encoder, OneHotEncoder):
        # plain-string dtype and dense output keep the fitted encoder saveable without pickle
        encoder.set_params(dtype="float64", sparse_output=False)
    cat_pipe = Pipeline([("impute", SimpleImputer(strategy="most_frequent")), (name, encoder)])
    transformers = [("categorical", cat_pipe, cat_cols)]
    if num_cols:
        num_pipe = Pipeline(numeric_steps) if numeric_steps else "passthrough"
        transformers.insert(0, ("numeric", num_pipe, num_cols))
    return Pipeline([("preprocess", ColumnTransformer(transformers)), ("model", estimator)])
