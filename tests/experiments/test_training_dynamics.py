"""Quick-mode runs of the training-dynamics experiments (CL-083, CL-084, CL-103, CL-111)."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.parametrize(
    "name",
    [
        "forward_vs_reverse_mode",
        "adam_out_of_the_box",
        "batch_size_generalization",
        "depth_sweep_plain_mlp",
    ],
)
def test_experiment_quick(name):
    result = run_one(get(name), quick=True)
    assert result.status in ("passed", "reported"), (result.error, result.checks)
    if not get(name).weak:
        assert result.status == "passed", result.checks
