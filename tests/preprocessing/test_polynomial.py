"""PolynomialFeatures (DP-06), add_bias_column (DP-19) and FunctionTransformer."""

import numpy as np
import pytest
import sklearn.preprocessing as skp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_diabetes, load_iris

from glassml._core.testing import sklearn_contract
from glassml.preprocessing import FunctionTransformer, PolynomialFeatures, add_bias_column

DATA = {
    "iris": load_iris().data,
    "diabetes": load_diabetes().data[:, :4],
    "random": np.random.default_rng(0).normal(size=(30, 3)),
}
PARAMS = [
    {"degree": 2},
    {"degree": 3},
    {"degree": 3, "interaction_only": True},
    {"degree": (2, 3), "include_bias": False},
    {"degree": (0, 2)},
    {"degree": 1, "include_bias": False},
    {"degree": 2, "order": "F"},
]


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("params", PARAMS)
def test_polynomial_matches_sklearn(data, params):
    X = DATA[data]
    a, b = PolynomialFeatures(**params).fit(X), skp.PolynomialFeatures(**params).fit(X)
    np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-12)
    np.testing.assert_array_equal(a.powers_, b.powers_)
    assert a.n_output_features_ == b.n_output_features_
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()
    names = [f"f{i}" for i in range(X.shape[1])]
    assert a.get_feature_names_out(names).tolist() == b.get_feature_names_out(names).tolist()


def test_seed_snippet_single_feature():
    # 001:1300-1306: PolynomialFeatures(degree=2) on one feature adds the bias: [1, x, x^2]
    out = PolynomialFeatures(degree=2).fit_transform(np.array([[2.0], [3.0]]))
    np.testing.assert_array_equal(out, [[1, 2, 4], [1, 3, 9]])


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 4), st.integers(0, 3), st.booleans())
def test_columns_equal_products_of_powers(n_features, degree, interaction_only):
    X = np.random.default_rng(n_features + 10 * degree).normal(size=(5, n_features))
    poly = PolynomialFeatures(degree=degree, interaction_only=interaction_only).fit(X)
    expected = np.prod(X[:, None, :] ** poly.powers_[None, :, :], axis=2)
    np.testing.assert_allclose(poly.transform(X), expected, rtol=1e-12)


def test_add_bias_column():
    X = np.array([[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_array_equal(add_bias_column(X), [[1, 2, 3], [1, 4, 5]])
    np.testing.assert_array_equal(add_bias_column(X, position="last"), [[2, 3, 1], [4, 5, 1]])
    W, b = np.array([[1.0, -1.0]]), np.array([0.5])
    np.testing.assert_allclose(add_bias_column(X) @ np.r_[b, W.ravel()], X @ W.ravel() + b)
    assert add_bias_column(X.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="position"):
        add_bias_column(X, position="middle")


def test_function_transformer():
    X = np.array([[1.0, 10.0], [100.0, 1000.0]])
    ft = FunctionTransformer(np.log10, np.exp, feature_names_out="one-to-one")
    with pytest.warns(UserWarning, match="not strictly inverse"):
        ft.fit(X)
    np.testing.assert_allclose(ft.transform(X), [[0, 1], [2, 3]])
    assert ft.get_feature_names_out().tolist() == ["x0", "x1"]
    ft2 = FunctionTransformer(np.log10, lambda Z: 10**Z).fit(X)
    np.testing.assert_allclose(ft2.inverse_transform(ft2.transform(X)), X)
    assert not hasattr(ft2, "get_feature_names_out")
    ft3 = FunctionTransformer(np.clip, kw_args={"a_min": 0, "a_max": 50}).fit(X)
    np.testing.assert_allclose(ft3.transform(X), np.clip(X, 0, 50))


def test_bad_input():
    X = DATA["random"]
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=-1).fit(X)
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=(3, 2)).fit(X)
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=0, include_bias=False).fit(X)
    with pytest.raises(ValueError, match="is expecting 3 features"):
        PolynomialFeatures().fit(X).transform(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        PolynomialFeatures().fit(np.array([[np.nan, 1.0]]))
    with pytest.raises(TypeError, match="func"):
        FunctionTransformer(func="log").fit(X)


@sklearn_contract(
    [
        PolynomialFeatures(),
        PolynomialFeatures(degree=3, interaction_only=True),
        FunctionTransformer(validate=True),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
