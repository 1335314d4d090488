"""OneHotEncoder (DP-03), OrdinalEncoder and LabelEncoder (DP-04) against scikit-learn."""

import numpy as np
import pandas as pd
import pytest
import sklearn.preprocessing as skp
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder


def categorical_datasets():
    rng = np.random.default_rng(0)
    n = 80
    colours = rng.choice(["red", "green", "blue", "teal"], size=n, p=[0.5, 0.3, 0.15, 0.05])
    sizes = rng.choice([1, 2, 3, 10], size=n)
    with_missing = rng.choice(np.array(["x", "y", "z", None, np.nan], dtype=object), size=n)
    floats = rng.choice([0.5, 1.5, np.nan], size=n)
    objects = np.column_stack([colours.astype(object), sizes.astype(object), with_missing])
    return {
        "strings_object": objects,
        "ints": np.column_stack([sizes, rng.integers(0, 7, size=n)]),
        "floats_nan": np.column_stack([floats, rng.integers(0, 3, size=n).astype(float)]),
        "unicode_array": np.column_stack([colours, rng.choice(["a", "b"], size=n)]),
        "imbalanced": np.column_stack(
            [rng.choice(["common", "rare"], size=n, p=[0.95, 0.05]).astype(object)]
        ),
    }


DATA = categorical_datasets()


def same_objects(a, b):
    """Element-wise equality of object arrays where NaN == NaN."""
    a, b = np.asarray(a, dtype=object).ravel(), np.asarray(b, dtype=object).ravel()
    assert a.shape == b.shape
    for u, v in zip(a.tolist(), b.tolist(), strict=True):
        both_nan = isinstance(u, float) and isinstance(v, float) and np.isnan(u) and np.isnan(v)
        assert both_nan or u == v or (u is None and v is None), (u, v)


ONEHOT_PARAMS = [
    {},
    {"drop": "first"},
    {"drop": "if_binary"},
    {"handle_unknown": "ignore"},
    {"min_frequency": 5},
    {"min_frequency": 0.2, "handle_unknown": "infrequent_if_exist"},
    {"max_categories": 2},
    {"max_categories": 3, "drop": "first"},
    {"dtype": np.float32},
]


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("params", ONEHOT_PARAMS)
def test_onehot_matches_sklearn(data, params):
    X = DATA[data]
    a = OneHotEncoder(**params).fit(X)
    b = skp.OneHotEncoder(sparse_output=False, **params).fit(X)
    A, B = a.transform(X), b.transform(X)
    assert A.dtype == B.dtype
    np.testing.assert_array_equal(A, B)
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()
    assert a.get_feature_names_out(["u"] * X.shape[1]).tolist() == (
        b.get_feature_names_out(["u"] * X.shape[1]).tolist()
    )
    for ca, cb in zip(a.categories_, b.categories_, strict=True):
        same_objects(ca, cb)
    same_objects(a.inverse_transform(B), b.inverse_transform(B))
    if getattr(b, "drop_idx_", None) is not None and "max_categories" not in params:
        same_objects(a.drop_idx_, b.drop_idx_)


@pytest.mark.filterwarnings("ignore:Found unknown categories")  # scikit-learn's own warning
@pytest.mark.parametrize(
    "params",
    [
        {"handle_unknown": "ignore"},
        {"handle_unknown": "infrequent_if_exist", "min_frequency": 10},
        {"handle_unknown": "ignore", "drop": "first"},
    ],
)
def test_onehot_unknown_categories_match_sklearn(params):
    X = DATA["strings_object"]
    new = X[:6].copy()
    new[0, 0], new[1, 1], new[2, 2] = "purple", 99, "w"
    a = OneHotEncoder(**params).fit(X)
    b = skp.OneHotEncoder(sparse_output=False, **params).fit(X)
    with pytest.warns(UserWarning) if params.get("drop") else _no_warning():
        A = a.transform(new)
    np.testing.assert_array_equal(A, b.transform(new))
    same_objects(a.inverse_transform(A), b.inverse_transform(A))


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_onehot_given_categories_and_drop_list():
    X = np.array([["a", 1], ["b", 2], ["a", 3]], dtype=object)
    params = {"categories": [["b", "a", "c"], [1, 2, 3]], "drop": ["c", 2]}
    a = OneHotEncoder(**params).fit(X)
    b = skp.OneHotEncoder(sparse_output=False, **params).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()


def test_onehot_dataframe_keeps_column_dtypes_and_names():
    df = pd.DataFrame({"city": ["Oslo", "Rome", "Oslo"], "n": [1, 2, 2], "f": [0.5, np.nan, 0.5]})
    a = OneHotEncoder().fit(df)
    b = skp.OneHotEncoder(sparse_output=False).fit(df)
    np.testing.assert_array_equal(a.transform(df), b.transform(df))
    assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()
    assert a.get_feature_names_out()[0] == "city_Oslo"


def test_onehot_sparse_output_is_csr_with_same_values():
    X = DATA["ints"]
    sp = OneHotEncoder(sparse_output=True).fit(X).transform(X)
    assert sp.format == "csr"
    np.testing.assert_array_equal(sp.toarray(), skp.OneHotEncoder().fit(X).transform(X).toarray())


def test_onehot_seed_snippet_dummy_columns():
    # 001:1732-1736: colours -> one 0/1 column per category, categories sorted
    X = np.array([["red"], ["green"], ["blue"], ["green"]], dtype=object)
    out = OneHotEncoder(sparse_output=False).fit_transform(X)
    np.testing.assert_array_equal(out, [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 1, 0]])


ORDINAL_PARAMS = [
    {},
    {"handle_unknown": "use_encoded_value", "unknown_value": -1},
    {"handle_unknown": "use_encoded_value", "unknown_value": np.nan, "encoded_missing_value": -2},
    {"encoded_missing_value": -5, "dtype": np.float32},
]


@pytest.mark.parametrize("data", list(DATA))
@pytest.mark.parametrize("params", ORDINAL_PARAMS)
def test_ordinal_matches_sklearn(data, params):
    X = DATA[data]
    a = OrdinalEncoder(**params).fit(X)
    b = skp.OrdinalEncoder(**params).fit(X)
    A, B = a.transform(X), b.transform(X)
    assert A.dtype == B.dtype
    np.testing.assert_array_equal(A, B)
    same_objects(a.inverse_transform(B), b.inverse_transform(B))
    if params.get("handle_unknown") == "use_encoded_value":
        new = X[:3].copy()
        new[0, 0] = "never-seen" if new.dtype.kind in "OU" else 12345
        A2, B2 = a.transform(new), b.transform(new)
        np.testing.assert_array_equal(A2, B2)
        same_objects(a.inverse_transform(A2), b.inverse_transform(B2))


@pytest.mark.parametrize(
    "y",
    [
        ["paris", "tokyo", "paris", "amsterdam"],
        [3, 1, 2, 2, 10],
        np.array([0.5, -1.0, 0.5, 2.0]),
    ],
)
def test_label_encoder_matches_sklearn(y):
    a, b = LabelEncoder().fit(y), skp.LabelEncoder().fit(y)
    np.testing.assert_array_equal(a.classes_, b.classes_)
    np.testing.assert_array_equal(a.transform(y), b.transform(y))
    np.testing.assert_array_equal(a.fit_transform(y), b.fit_transform(y))
    codes = b.transform(y)
    np.testing.assert_array_equal(a.inverse_transform(codes), b.inverse_transform(codes))


labels = st.lists(st.sampled_from(["a", "b", "c", "dog", "e"]), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None)
@given(labels, labels)
def test_encoders_round_trip(col1, col2):
    n = min(len(col1), len(col2))
    X = np.array([col1[:n], col2[:n]], dtype=object).T
    onehot = OneHotEncoder().fit(X)
    Z = onehot.transform(X)
    np.testing.assert_array_equal(Z.sum(axis=1), 2)  # exactly one 1 per feature
    np.testing.assert_array_equal(onehot.inverse_transform(Z), X)
    ordinal = OrdinalEncoder().fit(X)
    np.testing.assert_array_equal(ordinal.inverse_transform(ordinal.transform(X)), X)
    le = LabelEncoder().fit(col1)
    assert le.inverse_transform(le.transform(col1)).tolist() == col1
    assert list(le.classes_) == sorted(set(col1))


def test_unknown_category_error_names_column_and_value():
    X = np.array([["a", "x"], ["b", "y"]], dtype=object)
    enc = OneHotEncoder().fit(X)
    with pytest.raises(ValueError, match=r"unknown categories \['zzz'\] in column 1"):
        enc.transform(np.array([["a", "zzz"]], dtype=object))
    with pytest.raises(ValueError, match=r"unknown categories \['q'\] in column 0"):
        OrdinalEncoder().fit(X).transform(np.array([["q", "x"]], dtype=object))
    with pytest.raises(ValueError, match=r"previously unseen labels: \['c'\]"):
        LabelEncoder().fit(["a", "b"]).transform(["a", "c"])
    with pytest.raises(ValueError, match=r"unknown categories \['b'\] in column 0 during fit"):
        OneHotEncoder(categories=[["a"], ["x", "y"]]).fit(X)


def test_encoder_bad_input():
    X = np.array([["a", "x"], ["b", "y"]], dtype=object)
    with pytest.raises(ValueError, match="handle_unknown"):
        OneHotEncoder(handle_unknown="skip").fit(X)
    with pytest.raises(ValueError, match="drop"):
        OneHotEncoder(drop="last").fit(X)
    with pytest.raises(ValueError, match="drop"):
        OneHotEncoder(drop=["zz", "x"]).fit(X)
    with pytest.raises(ValueError, match="min_frequency"):
        OneHotEncoder(min_frequency=0).fit(X)
    with pytest.raises(ValueError, match="is expecting 2 features"):
        OneHotEncoder().fit(X).transform(X[:, :1])
    with pytest.raises(ValueError, match="Expected 4 columns"):
        OneHotEncoder().fit(X).inverse_transform(np.zeros((1, 3)))
    with pytest.raises(TypeError, match="uniformly strings or numbers"):
        OneHotEncoder().fit(np.array([["a"], [1]], dtype=object))
    with pytest.raises(ValueError, match="Unsorted categories"):
        OneHotEncoder(categories=[[3, 1]]).fit(np.array([[1], [3]]))
    with pytest.raises(ValueError, match="infinity"):
        OneHotEncoder().fit(np.array([[1.0], [np.inf]]))
    with pytest.raises(TypeError, match="unknown_value"):
        OrdinalEncoder(handle_unknown="use_encoded_value").fit(X)
    with pytest.raises(ValueError, match="unknown_value"):
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=1).fit(X)
    with pytest.raises(TypeError, match="unknown_value"):
        OrdinalEncoder(unknown_value=-1).fit(X)
    with pytest.raises(ValueError, match="encoded_missing_value"):
        OrdinalEncoder(encoded_missing_value=0).fit(
            np.array([["a"], [np.nan], ["b"]], dtype=object)
        )
    with pytest.raises(NotFittedError):
        LabelEncoder().transform(["a"])
    with pytest.raises(ValueError, match="1-D"):
        LabelEncoder().fit(np.zeros((3, 2)))


@sklearn_contract(
    [
        OneHotEncoder(handle_unknown="ignore"),
        OneHotEncoder(drop="if_binary", handle_unknown="ignore", min_frequency=2),
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
