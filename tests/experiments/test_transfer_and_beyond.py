"""Quick-mode runs of the transfer-learning (CL-009) and beyond-gradients (CL-219, CL-220)
experiments."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.parametrize(
    "name",
    [
        "transfer_learning_small_data",
        "genetic_algorithm_vs_gradient_descent",
        "bandit_and_q_learning",
    ],
)
def test_experiment_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
