"""Run every recurrent-network experiment in quick mode; each asserts its claim (CL-161..CL-167,
CL-120; CL-167 is weak: reported)."""

import pytest

from glassml.experiments import get, run_one

SLOW = pytest.mark.slow  # > 5 s on one core (still part of `make test`)
NAMES = [
    "rnn_gradient_vanish_explode",
    pytest.param("gated_rnns_long_range", marks=SLOW),
    "gru_vs_lstm_parameters_speed",
    "bidirectional_future_context",
    "rnn_sequential_vs_attention",
    pytest.param("lstm_dropout_overfitting", marks=SLOW),
    pytest.param("stacked_rnn_two_level_task", marks=SLOW),
    "lstm_forget_bias_orthogonal_init",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.rnn  # noqa: F401

    r = run_one(get(name), quick=True)
    expected = "reported" if get(name).weak else "passed"
    assert r.status == expected, (r.error, r.checks, r.metrics)
