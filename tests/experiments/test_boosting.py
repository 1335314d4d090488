"""Run the boosting experiments (CL-066..CL-072) in quick mode and require their claims."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "adaboost_weights_concentrate",
    "adaboost_stumps_strong_learner",
    "adaboost_label_noise",
    "adaboost_exponential_loss",
    "gradient_boosting_residuals_and_robust_losses",
    "boosting_regularisation_early_stopping",
    "boosting_native_missing_values",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_boosting_experiment_quick(name):
    import glassml.experiments.boosting  # noqa: F401  (registers the experiments)

    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
