"""Linear models against scikit-learn (issue 6, part A).

* ``logistic_50k_x_100_5_classes``: multinomial LogisticRegression (L2, C=1, lbfgs, tol=1e-4,
  max_iter=100) on 50,000 x 100 float64 with 5 classes; target <= 1.0x scikit-learn's default
  lbfgs. Ours evaluates loss and gradient with one GEMM each.
* ``ols_100k_x_100``: LinearRegression on 100,000 x 100 float64; target <= 1.0x scikit-learn
  (SVD-based ``gelsd``). Ours: Gram matrix + eigendecomposition with a condition check,
  iterative refinement, SVD fallback for ill-conditioned data (same accuracy, see the tests).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


@workload(
    "logistic_50k_x_100_5_classes",
    reference="scikit-learn",
    group="linear_model",
    unit="samples",
    target=1.0,
)
def logistic_multinomial(quick):
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    from glassml.linear_model import LogisticRegression

    n, p, k = (2_000, 20, 5) if quick else (50_000, 100, 5)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p))
    y = np.argmax(X @ rng.normal(size=(p, k)) + rng.gumbel(size=(n, k)), axis=1)
    return Case(
        ours=lambda: LogisticRegression(max_iter=100).fit(X, y),
        ref=lambda: SkLogisticRegression(max_iter=100).fit(X, y),
        items=n,
        note="lbfgs, tol=1e-4, multinomial",
    )


@workload(
    "ols_100k_x_100", reference="scikit-learn", group="linear_model", unit="samples", target=1.0
)
def ols(quick):
    from sklearn.linear_model import LinearRegression as SkLinearRegression

    from glassml.linear_model import LinearRegression

    n, p = (5_000, 20) if quick else (100_000, 100)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10, size=p) + rng.normal(size=p)
    y = X @ rng.normal(size=p) + rng.normal(size=n)
    return Case(
        ours=lambda: LinearRegression().fit(X, y),
        ref=lambda: SkLinearRegression().fit(X, y),
        items=n,
        note="ours: Gram + eigh + refinement (SVD fallback); sklearn: gelsd",
    )
