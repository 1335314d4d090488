"""Run every training experiment in quick mode; each asserts its claim."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "linear_layers_collapse_xor",
    "mlp_width_approximation",
    "learning_curves_early_stopping",
    "mnist_mlp",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.training  # noqa: F401

    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
