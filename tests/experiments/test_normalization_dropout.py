"""Run every normalisation / dropout experiment in quick mode (CL-121..CL-123, CL-144)."""

from __future__ import annotations

import pytest

from glassml.experiments import get, run_one


def _run(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.metrics and r.figure_png


def test_layernorm_batch_independence_passes_in_quick_mode():
    _run("layernorm_batch_independence")


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["batchnorm_higher_learning_rates", "groupnorm_small_batches", "dropout_overfitting"]
)
def test_slow_experiment_passes_in_quick_mode(name):
    _run(name)
