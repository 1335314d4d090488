"""Run every SVM experiment in quick mode; each claim must hold (CL-073..CL-076, CL-141)."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "svm_only_support_vectors_matter",
    "svm_kernel_trick",
    "svm_c_tradeoff",
    "svm_hard_vs_soft_margin",
    "svm_hinge_l2_is_svm",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png is not None
