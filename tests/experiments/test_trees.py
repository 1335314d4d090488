"""Quick-mode runs of the tree and ensemble experiments (CL-001, CL-003, CL-038, CL-057..065)."""

import pytest

import glassml.experiments.trees  # noqa: F401  (registers the experiments)
from glassml.experiments import get, run_one

NAMES = [
    "tree_learns_rule",
    "deep_trees_overfit",
    "trees_need_no_scaling",
    "tree_instability",
    "greedy_misses_xor",
    "gini_vs_entropy",
    "pruning_helps",
    "bagging_reduces_variance",
    "random_features_decorrelate",
    "oob_matches_holdout",
    "importances_find_signal",
    "forest_robust_to_label_noise",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
