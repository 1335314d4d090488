"""Metrics and cross-validation against scikit-learn (issue 3: target ≤ 1.5× scikit-learn).

The CV workload runs scikit-learn's Ridge on both sides, so it compares the cross-validation
machinery (splitting, cloning, fitting per fold, scoring), not the model.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload

N_ROWS = 1_000_000


def _labels(quick, k=2, seed=0):
    n = 10_000 if quick else N_ROWS
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.8, y, rng.integers(0, k, n))
    return y, pred


@workload("metrics_cross_val_score_ridge", reference="scikit-learn", group="model_selection",
          unit="samples", target=1.5)  # fmt: skip
def cross_val_score_ridge(quick):
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import cross_val_score as sk_cvs

    from glassml.model_selection import cross_val_score

    n = 2_000 if quick else 100_000
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 20))
    y = X @ rng.normal(size=20) + rng.normal(size=n)
    return Case(
        ours=lambda: cross_val_score(Ridge(), X, y, cv=5, scoring="neg_mean_squared_error"),
        ref=lambda: sk_cvs(Ridge(), X, y, cv=5, scoring="neg_mean_squared_error"),
        items=n * 5,
        note="5-fold, sklearn Ridge on both sides",
    )


@workload("metrics_accuracy_1m", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def accuracy(quick):
    from sklearn.metrics import accuracy_score as sk

    from glassml.metrics import accuracy_score

    y, p = _labels(quick)
    return Case(ours=lambda: accuracy_score(y, p), ref=lambda: sk(y, p), items=y.size)


@workload("metrics_f1_macro_1m", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def f1_macro(quick):
    from sklearn.metrics import f1_score as sk

    from glassml.metrics import f1_score

    y, p = _labels(quick, k=5)
    return Case(
        ours=lambda: f1_score(y, p, average="macro"),
        ref=lambda: sk(y, p, average="macro"),
        items=y.size,
        note="5 classes",
    )


@workload("metrics_confusion_matrix_1m", reference="scikit-learn", group="metrics",
          unit="samples", target=1.5)  # fmt: skip
def confusion(quick):
    from sklearn.metrics import confusion_matrix as sk

    from glassml.metrics import confusion_matrix

    y, p = _labels(quick, k=10)
    return Case(ours=lambda: confusion_matrix(y, p), ref=lambda: sk(y, p), items=y.size,
                note="10 classes")  # fmt: skip


@workload("metrics_roc_auc_1m", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def roc_auc(quick):
    from sklearn.metrics import roc_auc_score as sk

    from glassml.metrics import roc_auc_score

    y, _ = _labels(quick)
    s = np.random.default_rng(1).normal(size=y.size) + y
    return Case(ours=lambda: roc_auc_score(y, s), ref=lambda: sk(y, s), items=y.size)


@workload("metrics_log_loss_1m", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def log_loss(quick):
    from sklearn.metrics import log_loss as sk

    from glassml.metrics import log_loss as ours

    y, _ = _labels(quick, k=3)
    P = np.random.default_rng(2).dirichlet(np.ones(3), size=y.size)
    return Case(ours=lambda: ours(y, P), ref=lambda: sk(y, P), items=y.size, note="3 classes")


@workload("metrics_r2_1m", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def r2(quick):
    from sklearn.metrics import r2_score as sk

    from glassml.metrics import r2_score

    n = 10_000 if quick else N_ROWS
    rng = np.random.default_rng(3)
    y = rng.normal(size=n)
    yp = y + rng.normal(0, 0.5, n)
    return Case(ours=lambda: r2_score(y, yp), ref=lambda: sk(y, yp), items=n)


@workload("metrics_silhouette_10k", reference="scikit-learn", group="metrics", unit="samples",
          target=1.5)  # fmt: skip
def silhouette(quick):
    from sklearn.metrics import silhouette_score as sk

    from glassml.metrics import silhouette_score

    n = 1_000 if quick else 10_000
    rng = np.random.default_rng(4)
    X = rng.normal(size=(n, 10))
    labels = rng.integers(0, 5, n)
    return Case(ours=lambda: silhouette_score(X, labels), ref=lambda: sk(X, labels), items=n,
                note="O(n²) distances, chunked")  # fmt: skip
