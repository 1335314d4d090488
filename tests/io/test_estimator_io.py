"""Classical estimators saved as JSON + safetensors (no pickle) and loaded back identically."""

import json

import numpy as np
import pytest

from glassml._core import BaseEstimator, ClassifierMixin
from glassml.io import load_estimator, save_estimator


class _Toy(ClassifierMixin, BaseEstimator):
    __module__ = "glassml._core.base"  # pretend to be a glassml class for the loader

    def __init__(self, *, alpha=1.0, inner=None, names=("a", "b")):
        self.alpha = alpha
        self.inner = inner
        self.names = names

    def fit(self, X, y):
        X, y = self._validate_data(X, y)
        self.classes_ = np.unique(y)
        self.coef_ = X.mean(0)
        self.counts_ = {"a": 1, "b": np.float32(2.5)}
        self.history_ = [1.0, float("nan"), (2, "x")]
        return self

    def predict(self, X):
        X = self._validate_data(X, reset=False)
        return self.classes_[(X @ self.coef_ > 0).astype(int)]


@pytest.fixture(autouse=True)
def _register(monkeypatch):
    import glassml._core.base as base

    monkeypatch.setattr(base, "_Toy", _Toy, raising=False)
    _Toy.__qualname__ = "_Toy"


def test_roundtrip_preserves_everything(tmp_path):
    X = np.random.default_rng(0).standard_normal((20, 3))
    y = np.where(X[:, 0] > 0, "pos", "neg")
    est = _Toy(alpha=0.5, inner=_Toy(alpha=2.0)).fit(X, y)
    save_estimator(est, tmp_path / "m")
    back = load_estimator(tmp_path / "m")
    assert isinstance(back, _Toy) and isinstance(back.inner, _Toy) and back.inner.alpha == 2.0
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    np.testing.assert_array_equal(back.classes_, est.classes_)
    assert back.names == ("a", "b") and back.counts_ == {"a": 1, "b": 2.5}
    assert np.isnan(back.history_[1]) and back.history_[2] == (2, "x")
    assert back.n_features_in_ == 3


def test_never_overwrites_without_force(tmp_path):
    est = _Toy().fit(np.eye(3), [0, 1, 1])
    save_estimator(est, tmp_path)
    with pytest.raises(FileExistsError, match="force=True"):
        save_estimator(est, tmp_path)
    save_estimator(est, tmp_path, force=True)


def test_tampered_arrays_and_foreign_classes_are_rejected(tmp_path):
    est = _Toy().fit(np.eye(3), [0, 1, 1])
    save_estimator(est, tmp_path)
    arrays = tmp_path / "arrays.safetensors"
    blob = bytearray(arrays.read_bytes())
    blob[-1] ^= 0xFF
    arrays.write_bytes(bytes(blob))
    with pytest.raises(ValueError, match="corrupted or was modified"):
        load_estimator(tmp_path)
    save_estimator(est, tmp_path, force=True)
    meta = json.loads((tmp_path / "estimator.json").read_text())
    meta["estimator"]["class"] = "os:system"
    (tmp_path / "estimator.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="not a glassml estimator; refusing to load"):
        load_estimator(tmp_path)


def test_version_mismatch_is_reported(tmp_path):
    save_estimator(_Toy().fit(np.eye(3), [0, 1, 1]), tmp_path)
    meta = json.loads((tmp_path / "estimator.json").read_text())
    meta["glassml_version"] = "9.9.0"
    (tmp_path / "estimator.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="saved by glassml 9.9.0"):
        load_estimator(tmp_path)
    assert isinstance(load_estimator(tmp_path, allow_version_mismatch=True), _Toy)


def test_unsaveable_attribute_names_itself(tmp_path):
    est = _Toy().fit(np.eye(3), [0, 1, 1])
    est.callback_ = print
    with pytest.raises(TypeError, match="root/callback_: a builtin_function_or_method cannot"):
        save_estimator(est, tmp_path)


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a saved glassml model"):
        load_estimator(tmp_path / "nothing")


@pytest.mark.parametrize(
    "make",
    [
        lambda: __import__("glassml.tree", fromlist=["x"]).DecisionTreeClassifier(max_depth=3),
        lambda: __import__("glassml.ensemble", fromlist=["x"]).RandomForestClassifier(
            n_estimators=4, random_state=0
        ),
        lambda: __import__("glassml.neighbors", fromlist=["x"]).KNeighborsClassifier(
            algorithm="kd_tree"
        ),
        lambda: __import__("glassml.pipeline", fromlist=["x"]).make_pipeline(
            __import__("glassml.preprocessing", fromlist=["x"]).StandardScaler(),
            __import__("glassml.linear_model", fromlist=["x"]).LogisticRegression(),
        ),
    ],
)
def test_models_with_helper_objects_roundtrip(tmp_path, make):
    from glassml.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    est = make().fit(X, y)
    save_estimator(est, tmp_path)
    back = load_estimator(tmp_path)
    np.testing.assert_array_equal(back.predict(X), est.predict(X))
    np.testing.assert_allclose(back.predict_proba(X), est.predict_proba(X), rtol=0, atol=0)


def test_tensors_and_modules_roundtrip(tmp_path):
    import glassml
    from glassml import nn

    glassml.manual_seed(0)
    est = _Toy().fit(np.eye(3), [0, 1, 1])
    est.net_ = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    save_estimator(est, tmp_path)
    back = load_estimator(tmp_path)
    x = glassml.randn(5, 3)
    np.testing.assert_array_equal(back.net_(x).numpy(), est.net_(x).numpy())
    assert all(p.requires_grad for p in back.net_.parameters())
    assert [k for k, _ in back.net_.named_parameters()] == [
        "0.weight",
        "0.bias",
        "2.weight",
        "2.bias",
    ]


def test_foreign_helper_class_is_refused(tmp_path):
    est = _Toy().fit(np.eye(3), [0, 1, 1])
    save_estimator(est, tmp_path)
    meta = json.loads((tmp_path / "estimator.json").read_text())
    meta["estimator"]["attributes"]["evil_"] = {
        "__object__": {"class": "subprocess:Popen", "state": {}}
    }
    (tmp_path / "estimator.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="not a glassml class; refusing to load"):
        load_estimator(tmp_path)
