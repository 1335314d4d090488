"""The metrics experiments (CL-145 … CL-148) run in quick mode and pass their checks."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "accuracy_misleads_under_imbalance",
    "pr_auc_vs_roc_auc_under_imbalance",
    "threshold_trades_precision_for_recall",
    "macro_vs_micro_f1",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.figure_png and r.summary and r.metrics
