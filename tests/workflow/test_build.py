"""The workflow's preprocessing pipeline (plain glassml SimpleImputer / ColumnTransformer):
same results as scikit-learn, and a pickle-free round trip through glassml.io."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer as SkColumnTransformer
from sklearn.impute import SimpleImputer as SkSimpleImputer
from sklearn.preprocessing import OneHotEncoder as SkOneHotEncoder
from sklearn.preprocessing import StandardScaler as SkScaler

from glassml.io import load_estimator, save_estimator
from glassml.workflow.build import build_pipeline
from glassml.workflow.config import ConfigError, ModelConfig, PreprocessConfig


def _mixed(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = np.empty((n, 3), dtype=object)  # (n, 3): two numeric columns and a category
    X[:, 0] = rng.normal(size=n)
    X[:, 1] = rng.normal(size=n)
    X[:, 2] = rng.choice(["a", "b", "c"], size=n)
    X[rng.random(n) < 0.2, 0] = np.nan
    return X


def test_pipeline_preprocessing_matches_sklearn_and_round_trips(tmp_path):
    X = _mixed()
    pipe = build_pipeline(
        PreprocessConfig(steps=[{"name": "scale"}]),
        ModelConfig(name="Ridge"),
        {"a": "float", "b": "float", "c": "category"},
        has_nan=True,
    )
    y = np.arange(len(X), dtype=float)
    pipe.fit(X, y)
    ours = pipe[0].transform(X)
    num = SkColumnTransformer(
        [
            (
                "n",
                __import__("sklearn.pipeline").pipeline.make_pipeline(
                    SkSimpleImputer(strategy="median"), SkScaler()
                ),
                [0, 1],
            ),  # fmt: skip
            ("c", SkOneHotEncoder(sparse_output=False, handle_unknown="ignore"), [2]),
        ]
    )
    np.testing.assert_allclose(ours, num.fit_transform(X), atol=1e-12)
    save_estimator(pipe, tmp_path / "m")
    loaded = load_estimator(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict(X), pipe.predict(X), rtol=0, atol=1e-12)
    assert loaded[0].output_indices_ == pipe[0].output_indices_


def test_unknown_step_and_parameter():
    with pytest.raises(ConfigError, match=r"preprocess\.steps\[0\]\.name: unknown step 'zscore'"):
        build_pipeline(PreprocessConfig(steps=[{"name": "zscore"}]), ModelConfig(name="Ridge"),
                       {"a": "float"}, has_nan=False)  # fmt: skip
    with pytest.raises(ConfigError, match=r"preprocess\.steps\[0\]\.degre: unknown parameter"):
        build_pipeline(PreprocessConfig(steps=[{"name": "polynomial", "degre": 2}]),
                       ModelConfig(name="Ridge"), {"a": "float"}, has_nan=False)  # fmt: skip
    with pytest.raises(ConfigError, match=r"preprocess\.steps\[0\]\.method: expected one of"):
        build_pipeline(PreprocessConfig(steps=[{"name": "scale", "method": "zz"}]),
                       ModelConfig(name="Ridge"), {"a": "float"}, has_nan=False)  # fmt: skip
