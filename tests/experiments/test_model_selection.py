"""The model-selection experiments (CL-034, CL-107 … CL-110) run in quick mode and pass."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "stratified_sampling_and_bootstrap",
    "testing_on_training_data_overstates",
    "tuning_on_test_set_is_biased",
    "cv_has_lower_variance_than_single_split",
    "early_stopping_picks_the_right_epoch",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.figure_png and r.summary and r.metrics
