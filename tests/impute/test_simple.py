"""SimpleImputer (DP-08) against scikit-learn, on numeric data with NaNs and categorical data."""

import numpy as np
import pytest
import sklearn.impute as ski
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_diabetes, load_iris

from glassml._core.testing import sklearn_contract
from glassml.impute import SimpleImputer


def with_gaps(X, rate, seed):
    X = np.array(X, dtype=float)
    X[np.random.default_rng(seed).random(X.shape) < rate] = np.nan
    return X


DATA = {
    "iris": with_gaps(load_iris().data, 0.2, 0),
    "diabetes": with_gaps(load_diabetes().data, 0.1, 1),
    "rounded": np.round(with_gaps(np.random.default_rng(2).normal(size=(50, 4)) * 3, 0.25, 2)),
    "empty_column": np.column_stack(
        [with_gaps(load_iris().data[:, :2], 0.2, 3), np.full(150, np.nan)]
    ),
}
PARAMS = [
    {"strategy": "mean"},
    {"strategy": "median"},
    {"strategy": "most_frequent"},
    {"strategy": "constant", "fill_value": -999.0},
    {"strategy": "mean", "add_indicator": True},
    {"strategy": "median", "keep_empty_features": True},
    {"strategy": "constant"},
]


@pytest.mark.filterwarnings("ignore:Skipping features without any observed values")
@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("params", PARAMS)
def test_matches_sklearn(data, params):
    X = DATA[data]
    a, b = SimpleImputer(**params).fit(X[:100]), ski.SimpleImputer(**params).fit(X[:100])
    A, B = a.transform(X), b.transform(X)
    assert A.shape == B.shape
    np.testing.assert_allclose(A, B, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(
        a.statistics_.astype(float), b.statistics_.astype(float), rtol=1e-12, equal_nan=True
    )
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()


def test_missing_marker_value_and_ints():
    X = np.array([[1, -1, 3], [-1, 5, 3], [7, 5, -1], [7, 2, 3]])
    for strategy in ("mean", "median", "most_frequent", "constant"):
        a = SimpleImputer(missing_values=-1, strategy=strategy).fit_transform(X)
        b = ski.SimpleImputer(missing_values=-1, strategy=strategy).fit_transform(X)
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_categorical_strings():
    X = np.array([["a", "x"], [np.nan, "y"], ["a", np.nan], ["b", "y"]], dtype=object)
    for params in (
        {"strategy": "most_frequent"},
        {"strategy": "constant"},
        {"strategy": "constant", "fill_value": "?"},
    ):
        a = SimpleImputer(**params).fit_transform(X)
        b = ski.SimpleImputer(**params).fit_transform(X)
        assert a.tolist() == b.tolist()


def test_seed_snippet_mean_fills_four():
    # CL-045 / 001:5159-5163: mean of [1, 7] = 4.0
    X = [[1, 2], [np.nan, 3], [7, 6]]
    assert SimpleImputer(strategy="mean").fit_transform(X)[1, 0] == 4.0
    assert ski.SimpleImputer(strategy="mean").fit_transform(X)[1, 0] == 4.0


def test_empty_column_is_dropped_with_warning():
    imp = SimpleImputer().fit(DATA["empty_column"])
    with pytest.warns(UserWarning, match=r"Skipping features without any observed values: \[2\]"):
        out = imp.transform(DATA["empty_column"])
    assert out.shape == (150, 2)


def test_inverse_transform_with_indicator():
    X = DATA["iris"]
    imp = SimpleImputer(add_indicator=True).fit(X)
    np.testing.assert_array_equal(imp.inverse_transform(imp.transform(X)), X)


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 10), st.integers(1, 4)),
        elements=st.one_of(st.floats(-100, 100), st.just(np.nan)),
    ),
    st.sampled_from(["mean", "median", "most_frequent", "constant"]),
)
def test_never_leaves_nan(X, strategy):
    out = SimpleImputer(strategy=strategy, keep_empty_features=True).fit_transform(X)
    assert out.shape == X.shape
    assert not np.isnan(out).any()
    observed = ~np.isnan(X)
    np.testing.assert_array_equal(out[observed], X[observed])


def test_bad_input():
    X = DATA["iris"]
    with pytest.raises(ValueError, match="strategy"):
        SimpleImputer(strategy="mode").fit(X)
    with pytest.raises(ValueError, match="Cannot use mean strategy with non-numeric data"):
        SimpleImputer().fit(np.array([["a"], ["b"]], dtype=object))
    with pytest.raises(ValueError, match="fill_value"):
        SimpleImputer(strategy="constant", fill_value="x").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        SimpleImputer(missing_values=-1).fit(X)
    with pytest.raises(ValueError, match="is expecting 4 features"):
        SimpleImputer().fit(X).transform(X[:, :3])
    with pytest.raises(ValueError, match="add_indicator"):
        SimpleImputer().fit(X).inverse_transform(X)
    with pytest.raises(TypeError, match="missing_values"):
        SimpleImputer(missing_values=[1]).fit(X)


@sklearn_contract([SimpleImputer(), SimpleImputer(strategy="median", add_indicator=True)])
def test_sklearn_contract(estimator, check):
    check(estimator)
