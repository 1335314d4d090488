"""Run every activation / initialisation experiment in quick mode (CL-112..CL-119, CL-124..CL-127,
CL-143)."""

from __future__ import annotations

import pytest

from glassml.experiments import get, run_one

FAST = [
    "relu_sparsity",
    "relu_cost",
    "gradient_norm_vs_depth",
    "softmax_properties",
    "argmax_soft_argmax_gumbel",
]
SLOW = [
    "dying_relu",
    "activation_vanishing_gradients",
    "init_scale_signal_propagation",
]


def _run(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png


@pytest.mark.parametrize("name", FAST)
def test_experiment_passes_in_quick_mode(name):
    _run(name)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_slow_experiment_passes_in_quick_mode(name):
    _run(name)


@pytest.mark.slow
def test_weak_experiment_is_reported():
    r = run_one(get("elu_rrelu_small_data"), quick=True)
    assert r.error is None or r.error == "", r.error
    assert r.status in ("passed", "reported"), (r.status, r.checks)
    assert "relu_test_accuracy" in r.metrics and r.figure_png
