"""Run every autograd experiment in quick mode; each must pass its checks."""

from __future__ import annotations

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "autograd_matrix_examples",
    "autograd_dense_backprop",
    "autograd_chain_rule_examples",
    "autograd_finite_difference_error",
    "autograd_saved_memory_vs_depth",
    "autograd_backward_forward_cost",
    "autograd_softmax_jacobian",
    "autograd_softmax_ce_shortcut",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png
