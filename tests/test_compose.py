"""ColumnTransformer against scikit-learn's on mixed numeric/categorical data (DP-14)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer as SkColumnTransformer
from sklearn.impute import SimpleImputer as SkSimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline as sk_make_pipeline
from sklearn.preprocessing import OneHotEncoder as SkOneHotEncoder
from sklearn.preprocessing import StandardScaler as SkStandardScaler

from glassml._core.testing import sklearn_contract
from glassml.compose import ColumnTransformer, make_column_selector, make_column_transformer
from glassml.impute import SimpleImputer
from glassml.pipeline import make_pipeline
from glassml.preprocessing import FunctionTransformer, MinMaxScaler, OneHotEncoder, StandardScaler


def frame(seed=0, n=120):
    rng = np.random.default_rng(seed)
    age = rng.normal(40, 12, n)
    age[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "age": age,
            "income": rng.lognormal(10, 1, n),
            "city": rng.choice(["oslo", "rome", "lima"], n),
            "plan": rng.choice(["free", "pro"], n, p=[0.9, 0.1]),
            "score": rng.integers(0, 5, n).astype(float),
        }
    )


DF = frame()
Y = (np.random.default_rng(1).random(len(DF)) < 0.3).astype(int)


def ours_and_ref(remainder="drop"):
    ours = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), ["age", "income"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["city", "plan"]),
        ],
        remainder=remainder,
    )
    ref_remainder = remainder if isinstance(remainder, str) else SkStandardScaler()
    ref = SkColumnTransformer(
        [
            ("num", sk_make_pipeline(SkSimpleImputer(), SkStandardScaler()), ["age", "income"]),
            (
                "cat",
                SkOneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ["city", "plan"],
            ),
        ],
        remainder=ref_remainder,
    )
    return ours, ref


@pytest.mark.parametrize("remainder", ["drop", "passthrough", "scaler"])
def test_matches_sklearn_on_dataframe(remainder):
    rem = StandardScaler() if remainder == "scaler" else remainder
    ours, ref = ours_and_ref(rem)
    A, B = ours.fit_transform(DF), ref.fit_transform(DF)
    np.testing.assert_allclose(A, B, rtol=1e-10)
    np.testing.assert_allclose(
        ours.transform(DF.iloc[:10]), ref.transform(DF.iloc[:10]), rtol=1e-10
    )
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    assert ours.output_indices_ == ref.output_indices_
    assert [t[0] for t in ours.transformers_] == [t[0] for t in ref.transformers_]
    assert list(ours.transformers_[-1][2]) == list(ref.transformers_[-1][2])


@pytest.mark.parametrize(
    "columns",
    [[0, 2], np.array([True, False, True, False]), slice(1, 3), lambda X: [3], -1],
)
def test_column_selection_on_arrays(columns):
    X = np.random.default_rng(0).normal(size=(30, 4))
    sel = columns if not isinstance(columns, int) else [columns]
    ours = ColumnTransformer([("s", StandardScaler(), sel)], remainder="passthrough").fit(X)
    ref = SkColumnTransformer([("s", SkStandardScaler(), sel)], remainder="passthrough").fit(X)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12)
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()


def test_selector_weights_and_names():
    num = make_column_selector(dtype_include=np.number)
    ct = make_column_transformer(
        (MinMaxScaler(), make_column_selector(pattern="^inc")),
        (OneHotEncoder(), make_column_selector(dtype_exclude=np.number)),
        verbose_feature_names_out=False,
    )
    out = ct.fit_transform(DF)
    assert ct.get_feature_names_out().tolist()[:2] == ["income", "city_lima"]
    assert out.shape == (len(DF), 1 + 3 + 2)
    assert num(DF) == ["age", "income", "score"]
    weighted = ColumnTransformer(
        [("a", MinMaxScaler(), ["income"])], transformer_weights={"a": 3.0}
    )
    assert weighted.fit_transform(DF).max() == pytest.approx(3.0)
    assert ct.named_transformers_["minmaxscaler"].n_features_in_ == 1


def test_inside_cross_validation_with_sklearn():
    ours, ref = ours_and_ref()
    a = cross_val_score(make_pipeline(ours, LogisticRegression()), DF, Y, cv=4)
    b = cross_val_score(sk_make_pipeline(ref, LogisticRegression()), DF, Y, cv=4)
    np.testing.assert_allclose(a, b, rtol=1e-8)


def test_params_and_clone():
    ours, _ = ours_and_ref()
    params = ours.get_params()
    assert params["cat__handle_unknown"] == "ignore"
    ours.set_params(num__standardscaler__with_mean=False, cat=OneHotEncoder(drop="first"))
    assert ours.transformers[0][1][1].with_mean is False
    assert ours.transformers[1][2] == ["city", "plan"]  # columns kept on replacement


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ValueError, match="only supported for dataframes"):
        ColumnTransformer([("s", StandardScaler(), ["a"])]).fit(X)
    with pytest.raises(ValueError, match="not a column of the dataframe"):
        ColumnTransformer([("s", StandardScaler(), ["nope"])]).fit(DF)
    with pytest.raises(ValueError, match="out of range"):
        ColumnTransformer([("s", StandardScaler(), [7])]).fit(X)
    with pytest.raises(ValueError, match="remainder"):
        ColumnTransformer([("s", StandardScaler(), [0])], remainder="keep").fit(X)
    with pytest.raises(TypeError, match="should implement fit and transform"):
        ColumnTransformer([("s", LogisticRegression(), [0])]).fit(X, np.arange(10) % 2)
    with pytest.raises(ValueError, match="should be 2D"):
        ColumnTransformer([("f", FunctionTransformer(np.ravel), [0])]).fit(X)
    with pytest.raises(ValueError, match="2-D"):  # a scalar column key selects a 1-D column
        ColumnTransformer([("s", StandardScaler(), 0)]).fit(X)
    with pytest.raises(ValueError, match="is expecting 3 features"):
        ColumnTransformer([("s", StandardScaler(), [0])]).fit(X).transform(X[:, :2])
    with pytest.raises(ValueError, match="boolean mask"):
        ColumnTransformer([("s", StandardScaler(), [True, False])]).fit(X)
    with pytest.raises(ValueError, match="not unique"):
        ColumnTransformer(
            [("s", StandardScaler(), [0]), ("m", MinMaxScaler(), [0])],
            verbose_feature_names_out=False,
        ).fit(X).get_feature_names_out()


@sklearn_contract(
    [ColumnTransformer([("s", StandardScaler(), slice(0, 1))], remainder=MinMaxScaler())]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
