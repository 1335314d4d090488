"""Run the regression, ranking and metric-learning loss experiments in quick mode; each must
pass its checks (CL-139, CL-140, CL-142)."""

from __future__ import annotations

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "losses_robust_regression_outliers",
    "losses_quantile_poisson_minimisers",
    "losses_metric_learning_embeddings",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
