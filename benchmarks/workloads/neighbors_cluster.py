"""Issue 6 (part B): k-means and brute-force KNN against scikit-learn.

* ``kmeans_lloyd_100k``: KMeans on 100,000 x 20, k=8, exactly 50 Lloyd iterations from a fixed
  initialisation (init array, n_init=1, tol=0, max_iter=50; ``algorithm="lloyd"`` on both
  sides; the data have no strict convergence within 50 iterations). Target <= 1.2x.
* ``knn_brute_10k``: KNeighborsClassifier, 10,000 training points x 50 features, predict 1,000
  queries with k=5, ``algorithm="brute"`` on both sides (fit included: it only stores the
  data). Target <= 1.0x.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


@workload(
    "kmeans_lloyd_100k", reference="scikit-learn", group="classical", unit="samples", target=1.2
)
def kmeans_lloyd(quick):
    from sklearn.cluster import KMeans as Ref

    from glassml.cluster import KMeans

    n, d, k, iters = (5_000, 20, 8, 10) if quick else (100_000, 20, 8, 50)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    init = X[rng.choice(n, k, replace=False)].copy()
    ours = KMeans(n_clusters=k, init=init, n_init=1, max_iter=iters, tol=0.0, algorithm="lloyd")
    ref = Ref(n_clusters=k, init=init, n_init=1, max_iter=iters, tol=0.0, algorithm="lloyd")
    return Case(
        ours=lambda: ours.fit(X),
        ref=lambda: ref.fit(X),
        items=n * iters,
        note=f"{iters} Lloyd iterations",
    )


@workload("knn_brute_10k", reference="scikit-learn", group="classical", unit="queries", target=1.0)
def knn_brute(quick):
    from sklearn.neighbors import KNeighborsClassifier as Ref

    from glassml.neighbors import KNeighborsClassifier

    n_train, n_query, d = (2_000, 200, 50) if quick else (10_000, 1_000, 50)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_train, d))
    y = rng.integers(0, 5, n_train)
    Q = rng.normal(size=(n_query, d))
    ours = KNeighborsClassifier(n_neighbors=5, algorithm="brute")
    ref = Ref(n_neighbors=5, algorithm="brute")
    return Case(
        ours=lambda: ours.fit(X, y).predict(Q), ref=lambda: ref.fit(X, y).predict(Q), items=n_query
    )
