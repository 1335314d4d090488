"""KBinsDiscretizer against scikit-learn (uniform, quantile and k-means edges)."""

import numpy as np
import pytest
import sklearn.preprocessing as skp
from sklearn.datasets import load_diabetes, load_iris

from glassml._core.testing import sklearn_contract
from glassml.preprocessing import KBinsDiscretizer

DATA = {"iris": load_iris().data, "diabetes": load_diabetes().data[:, [0, 2, 3, 4, 5]]}
PARAMS = [
    {"strategy": "uniform", "n_bins": 4},
    {"strategy": "quantile"},
    {"strategy": "quantile", "quantile_method": "linear", "n_bins": 7},
    {"strategy": "kmeans", "n_bins": 3},
]


@pytest.mark.filterwarnings("ignore:Bins whose width are too small")
@pytest.mark.parametrize("encode", ["ordinal", "onehot-dense", "onehot"])
@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("data", list(DATA))
def test_matches_sklearn(data, params, encode):
    X = DATA[data]
    a = KBinsDiscretizer(encode=encode, **params).fit(X)
    b = skp.KBinsDiscretizer(encode=encode, **params).fit(X)
    for ea, eb in zip(a.bin_edges_, b.bin_edges_, strict=True):
        np.testing.assert_allclose(ea, eb, rtol=1e-10)
    np.testing.assert_array_equal(a.n_bins_, b.n_bins_)
    A, B = a.transform(X), b.transform(X)
    if encode == "onehot":
        A, B = A.toarray(), B.toarray()
    np.testing.assert_array_equal(A, B)
    np.testing.assert_allclose(
        a.inverse_transform(b.transform(X)), b.inverse_transform(b.transform(X))
    )
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()


def test_constant_feature_and_bad_input():
    X = np.column_stack([np.arange(10.0), np.ones(10)])
    with pytest.warns(UserWarning, match="Feature 1 is constant"):
        kb = KBinsDiscretizer(n_bins=3, encode="ordinal").fit(X)
    assert kb.n_bins_[1] == 1 and (kb.transform(X)[:, 1] == 0).all()
    with pytest.raises(ValueError, match="n_bins"):
        KBinsDiscretizer(n_bins=1).fit(X)
    with pytest.raises(ValueError, match="n_bins"):
        KBinsDiscretizer(n_bins=[3]).fit(X)
    with pytest.raises(ValueError, match="strategy"):
        KBinsDiscretizer(strategy="width").fit(X)
    with pytest.raises(ValueError, match="encode"):
        KBinsDiscretizer(encode="dense").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        KBinsDiscretizer().fit(np.array([[np.nan], [1.0]]))


@pytest.mark.filterwarnings("ignore:Feature .* is constant")
@pytest.mark.filterwarnings("ignore:Bins whose width are too small")
@sklearn_contract(
    [
        KBinsDiscretizer(n_bins=3, encode="ordinal", strategy="uniform"),
        KBinsDiscretizer(n_bins=3, encode="onehot-dense"),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
