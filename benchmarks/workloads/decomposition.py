"""Dimensionality reduction against scikit-learn (issue 6, part C).

* ``pca_20k_x_500_default``: PCA(n_components=10) on 20,000 x 500 float64 with the default solver
  on both sides ("auto" picks the covariance eigendecomposition for this tall matrix); target
  <= 1.1x scikit-learn.
* ``pca_20k_x_500_randomized``: the same with svd_solver="randomized" (7 power iterations, LU
  normalisation on both sides); target <= 1.1x.
* ``truncated_svd_20k_x_500``: TruncatedSVD(10), randomized (no target; reported).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _data(quick):
    n, p = (2_000, 50) if quick else (20_000, 500)
    rng = np.random.default_rng(0)
    latent = rng.normal(size=(n, 20)) @ rng.normal(size=(20, p))  # structure + noise
    return latent + rng.normal(size=(n, p))


@workload(
    "pca_20k_x_500_default",
    reference="scikit-learn",
    group="decomposition",
    unit="samples",
    target=1.1,
)
def pca_default(quick):
    from sklearn.decomposition import PCA as SkPCA

    from glassml.decomposition import PCA

    X = _data(quick)
    return Case(
        ours=lambda: PCA(n_components=10).fit(X),
        ref=lambda: SkPCA(n_components=10).fit(X),
        items=X.shape[0],
        note="auto -> covariance_eigh on both sides",
    )


@workload(
    "pca_20k_x_500_randomized",
    reference="scikit-learn",
    group="decomposition",
    unit="samples",
    target=1.1,
)
def pca_randomized(quick):
    from sklearn.decomposition import PCA as SkPCA

    from glassml.decomposition import PCA

    X = _data(quick)
    return Case(
        ours=lambda: PCA(n_components=10, svd_solver="randomized", random_state=0).fit(X),
        ref=lambda: SkPCA(n_components=10, svd_solver="randomized", random_state=0).fit(X),
        items=X.shape[0],
    )


@workload(
    "truncated_svd_20k_x_500", reference="scikit-learn", group="decomposition", unit="samples"
)
def truncated_svd(quick):
    from sklearn.decomposition import TruncatedSVD as SkTruncatedSVD

    from glassml.decomposition import TruncatedSVD

    X = _data(quick)
    return Case(
        ours=lambda: TruncatedSVD(n_components=10, random_state=0).fit(X),
        ref=lambda: SkTruncatedSVD(n_components=10, random_state=0).fit(X),
        items=X.shape[0],
    )
