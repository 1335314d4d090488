"""Run every PCA / SVD / matrix-factorisation experiment in quick mode; each claim must hold."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "pca_eig_equals_svd",
    "pcs_uncorrelated_pc1_max_variance",
    "few_pcs_keep_variance",
    "pca_denoises",
    "pca_ignores_labels",
    "truncated_svd_best_rank_k",
    "mf_recovers_missing_ratings",
    "pca_codes_are_useful_features",
    "pca_needs_standardising",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png is not None
