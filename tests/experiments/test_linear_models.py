"""Run every linear-model experiment in quick mode and require its claim to hold."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "normal_equation_equals_gd",
    "closed_form_breaks_on_collinear",
    "polynomial_fits_x_squared",
    "ridge_stabilises_collinear",
    "lasso_exact_zeros",
    "elastic_net_keeps_groups",
    "lambda_by_cross_validation",
    "ridge_tames_degree_15",
    "adjusted_r2_penalises_noise",
    "residual_diagnostics",
    "logistic_regression_is_bernoulli_mle",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
