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
