"""Scalers (DP-01, DP-02) against scikit-learn, plus properties and bad input."""

import numpy as np
import pytest
import sklearn.preprocessing as skp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_diabetes, load_iris, load_wine

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    RobustScaler,
    StandardScaler,
    normalize,
)


def datasets():
    rng = np.random.default_rng(0)
    scaled = rng.normal(size=(60, 5)) * [1.0, 10.0, 1e3, 1e-3, 5.0] + [0.0, -3.0, 1e4, 2.0, 0.0]
    with_nan = scaled.copy()
    with_nan[rng.random(with_nan.shape) < 0.15] = np.nan
    constant = np.column_stack([scaled[:, :2], np.full(60, 7.5)])
    return {
        "iris": load_iris().data,
        "diabetes": load_diabetes().data,
        "wine": load_wine().data,
        "scaled": scaled,
        "with_nan": with_nan,
        "constant_col": constant,
    }


DATA = datasets()

PAIRS = [
    (StandardScaler, skp.StandardScaler, {}),
    (StandardScaler, skp.StandardScaler, {"with_mean": False}),
    (StandardScaler, skp.StandardScaler, {"with_std": False}),
    (MinMaxScaler, skp.MinMaxScaler, {}),
    (MinMaxScaler, skp.MinMaxScaler, {"feature_range": (-3, 2)}),
    (MaxAbsScaler, skp.MaxAbsScaler, {}),
    (RobustScaler, skp.RobustScaler, {}),
    (RobustScaler, skp.RobustScaler, {"quantile_range": (10.0, 80.0), "unit_variance": True}),
    (RobustScaler, skp.RobustScaler, {"with_centering": False}),
]
ATTRS = ["mean_", "var_", "scale_", "data_min_", "data_max_", "min_", "max_abs_", "center_"]


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("ours, ref, params", PAIRS)
def test_scalers_match_sklearn(ours, ref, params, data):
    X = DATA[data]
    split = len(X) * 2 // 3
    a = ours(**params).fit(X[:split])
    b = ref(**params).fit(X[:split])
    A, B = a.transform(X), b.transform(X)
    np.testing.assert_allclose(A, B, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(A), np.isnan(B))
    for attr in ATTRS:
        if getattr(b, attr, None) is not None:
            np.testing.assert_allclose(getattr(a, attr), getattr(b, attr), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(
        a.inverse_transform(B), b.inverse_transform(B), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize("data", ["iris", "scaled", "with_nan"])
def test_standard_scaler_sample_weight_matches_sklearn(data):
    X = DATA[data]
    w = np.random.default_rng(1).uniform(0.1, 3.0, size=len(X))
    a = StandardScaler().fit(X, sample_weight=w)
    b = skp.StandardScaler().fit(X, sample_weight=w)
    np.testing.assert_allclose(a.mean_, b.mean_, rtol=1e-10)
    np.testing.assert_allclose(a.var_, b.var_, rtol=1e-10)
    np.testing.assert_allclose(a.n_samples_seen_, b.n_samples_seen_, rtol=1e-12)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-10, atol=1e-12)


def test_standard_scaler_population_std_and_n_samples_seen():
    X = np.array([[1.0, 2.0], [3.0, np.nan], [5.0, 4.0]])
    sc = StandardScaler().fit(X)
    np.testing.assert_allclose(sc.scale_, [np.sqrt(8 / 3), 1.0])  # ddof=0: var of [1,3,5] = 8/3
    np.testing.assert_array_equal(sc.n_samples_seen_, [3, 2])
    assert StandardScaler().fit(X[[0, 2]]).n_samples_seen_ == 2


def test_minmax_clip_matches_sklearn():
    X = DATA["scaled"]
    a = MinMaxScaler(clip=True).fit(X[:30])
    b = skp.MinMaxScaler(clip=True).fit(X[:30])
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-12)
    assert a.transform(X).min() >= 0 and a.transform(X).max() <= 1


@pytest.mark.parametrize("norm", ["l1", "l2", "max"])
@pytest.mark.parametrize("data", ["iris", "scaled", "diabetes"])
def test_normalizer_matches_sklearn(norm, data):
    X = DATA[data].copy()
    X[0] = 0.0  # a zero row stays zero
    np.testing.assert_allclose(
        Normalizer(norm=norm).fit(X).transform(X),
        skp.Normalizer(norm=norm).fit(X).transform(X),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        normalize(X, norm, axis=0), skp.normalize(X, norm, axis=0), rtol=1e-12
    )


@pytest.mark.parametrize("cls", [StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler])
def test_float32_is_preserved(cls):
    X = DATA["iris"].astype(np.float32)
    out = cls().fit(X).transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(
        out, cls().fit(X.astype(np.float64)).transform(X), rtol=1e-5, atol=1e-5
    )


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 4)), elements=finite))
def test_scalers_invert(X):
    for scaler in (StandardScaler(), MinMaxScaler(), MaxAbsScaler(), RobustScaler()):
        Z = scaler.fit_transform(X)
        assert np.isfinite(Z).all()
        np.testing.assert_allclose(scaler.inverse_transform(Z), X, rtol=1e-7, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 12), st.integers(1, 4)), elements=finite))
def test_minmax_output_in_range_and_standard_moments(X):
    Z = MinMaxScaler(feature_range=(-1, 1)).fit_transform(X)
    assert Z.min() >= -1 - 1e-9 and Z.max() <= 1 + 1e-9
    S = StandardScaler().fit_transform(X)
    spread = X.std(axis=0) > 1e-3 * (np.abs(X).max(axis=0) + 1)
    np.testing.assert_allclose(S.mean(axis=0), 0, atol=1e-7)
    np.testing.assert_allclose(S.std(axis=0)[spread], 1, rtol=1e-6)


def test_bad_input():
    X = DATA["iris"]
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range=(2, 1)).fit(X)
    with pytest.raises(ValueError, match="quantile_range"):
        RobustScaler(quantile_range=(80, 20)).fit(X)
    with pytest.raises(ValueError, match="norm"):
        Normalizer(norm="l3").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        Normalizer().fit(DATA["with_nan"])
    with pytest.raises(ValueError, match="infinity"):
        StandardScaler().fit(np.array([[1.0], [np.inf]]))
    with pytest.raises(ValueError, match="is expecting 4 features"):
        StandardScaler().fit(X).transform(X[:, :3])
    with pytest.raises(ValueError, match="expected 4"):
        MinMaxScaler().fit(X).inverse_transform(X[:, :2])
    with pytest.raises(ValueError, match="2-D"):
        StandardScaler().fit(X[:, 0])
    with pytest.raises(NotFittedError):
        StandardScaler().transform(X)
    with pytest.raises(ValueError, match="sample_weight"):
        StandardScaler().fit(X, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="non-zero"):
        StandardScaler().fit(X, sample_weight=np.zeros(len(X)))


@sklearn_contract(
    [StandardScaler(), MinMaxScaler(clip=True), MaxAbsScaler(), RobustScaler(), Normalizer()]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
