"""Issue 3 (part A): StandardScaler, OneHotEncoder and KNNImputer against scikit-learn.

* ``preprocessing_standard_scaler_1m``: fit + transform of 1,000,000 x 10 float64.
* ``preprocessing_onehot_strings_200k``: fit + transform of 200,000 x 3 object columns of
  strings (20-50 categories each), dense output on both sides.
* ``preprocessing_onehot_ints_1m``: fit + transform of 1,000,000 x 4 integer columns.
* ``preprocessing_knn_imputer_20k``: fit_transform of 20,000 x 10 with 10% MCAR NaNs, k=5.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


@workload(
    "preprocessing_standard_scaler_1m",
    reference="scikit-learn",
    group="preprocessing",
    unit="samples",
    target=1.5,
)
def standard_scaler(quick):
    from sklearn.preprocessing import StandardScaler as Ref

    from glassml.preprocessing import StandardScaler

    n = 20_000 if quick else 1_000_000
    X = np.random.default_rng(0).normal(size=(n, 10)) * 3.0 + 1.0
    return Case(
        ours=lambda: StandardScaler().fit(X).transform(X),
        ref=lambda: Ref().fit(X).transform(X),
        items=n,
    )


@workload(
    "preprocessing_onehot_strings_200k",
    reference="scikit-learn",
    group="preprocessing",
    unit="samples",
    target=1.5,
)
def onehot_strings(quick):
    from sklearn.preprocessing import OneHotEncoder as Ref

    from glassml.preprocessing import OneHotEncoder

    n = 5_000 if quick else 200_000
    rng = np.random.default_rng(0)
    cols = [rng.choice([f"level_{i}" for i in range(k)], size=n) for k in (20, 35, 50)]
    X = np.column_stack(cols).astype(object)
    return Case(
        ours=lambda: OneHotEncoder().fit(X).transform(X),
        ref=lambda: Ref(sparse_output=False).fit(X).transform(X),
        items=n,
    )


@workload(
    "preprocessing_onehot_ints_1m",
    reference="scikit-learn",
    group="preprocessing",
    unit="samples",
    target=1.5,
)
def onehot_ints(quick):
    from sklearn.preprocessing import OneHotEncoder as Ref

    from glassml.preprocessing import OneHotEncoder

    n = 20_000 if quick else 1_000_000
    X = np.random.default_rng(0).integers(0, 12, size=(n, 4))
    return Case(
        ours=lambda: OneHotEncoder().fit(X).transform(X),
        ref=lambda: Ref(sparse_output=False).fit(X).transform(X),
        items=n,
    )


@workload(
    "preprocessing_knn_imputer_20k",
    reference="scikit-learn",
    group="preprocessing",
    unit="samples",
    target=1.5,
)
def knn_imputer(quick):
    from sklearn.impute import KNNImputer as Ref

    from glassml.impute import KNNImputer

    n = 1_000 if quick else 20_000
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 10))
    X[rng.random(X.shape) < 0.1] = np.nan
    return Case(
        ours=lambda: KNNImputer(n_neighbors=5).fit_transform(X),
        ref=lambda: Ref(n_neighbors=5).fit_transform(X),
        items=n,
    )
