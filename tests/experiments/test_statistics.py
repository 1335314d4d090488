"""The statistics experiments (CL-010, CL-024..CL-033) run in quick mode and pass their checks."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "normal_68_95_rule",
    "clt_convergence",
    "exponential_memoryless",
    "median_is_robust",
    "distribution_formulas_and_moments",
    "diagnostic_test_paradox",
    "entropy_and_kl_properties",
    "type_one_error_and_power",
    "confidence_interval_coverage",
    "correlation_properties",
    "small_sample_problems",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.figure_png is not None and r.summary
