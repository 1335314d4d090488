"""Quick-mode runs of the multi-task experiments (src/glassml/experiments/multitask.py)."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.parametrize("name", ["shared_trunk_related_tasks", "negative_transfer_loss_weights"])
def test_experiment_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
