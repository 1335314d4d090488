"""Run every softmax / cross-entropy experiment (inventory section 3.12) in quick mode; each
must pass its checks (CL-128, CL-130..CL-138)."""

from __future__ import annotations

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "losses_fused_log_softmax_stability",
    "losses_gradient_shortcuts",
    "losses_ce_vs_mse_on_probabilities",
    "losses_true_class_term_and_sparse_labels",
    "losses_cross_entropy_decomposition",
    "losses_rare_class_focal_weighted",
    "losses_focal_downweights_easy",
    "losses_label_smoothing_confidence",
    "losses_temperature_scaling",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
