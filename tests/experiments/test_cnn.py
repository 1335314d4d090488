"""Quick-mode runs of the CNN / residual experiments (src/glassml/experiments/cnn.py and
residual.py)."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "conv_weight_sharing_parameters",
    "conv_equivariance_pooling_invariance",
    "separable_conv_cost",
    "cnn_regularization_small_data",
    "stacked_small_kernels",
    "residual_vs_plain_depth",
    "residual_block_identity",
    "residual_sign_meaning",
    "cnn_feature_hierarchy",
    "adam_vs_sgd_generalization",
]
WEAK = {"stacked_small_kernels", "adam_vs_sgd_generalization"}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.cnn  # noqa: F401

    r = run_one(get(name), quick=True)
    expected = "reported" if name in WEAK else "passed"
    assert r.status == expected, (r.error, r.checks)
    assert r.metrics and r.figure_png, "an experiment reports numbers and draws a figure"
    if name in WEAK:  # weak claims are reported, not asserted: their measured checks still run
        assert r.error is None
