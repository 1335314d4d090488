"""Run every optimization experiment in quick mode; each asserts its claim."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "lr_too_large_or_small",
    "momentum_ravine",
    "saddle_escape",
    "minibatch_gradient_variance",
    "adagrad_rare_features",
    "adagrad_lr_shrinks",
    "adadelta_no_lr",
    "adamw_vs_adam_l2",
    "lr_decay_beats_constant",
    "reduce_on_plateau_trace",
    "cosine_schedule_trace",
    "gradient_clipping_prevents_nan",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.optimization  # noqa: F401

    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
