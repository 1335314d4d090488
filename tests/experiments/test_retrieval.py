"""Quick-mode runs of the retrieval experiments (CL-200, CL-201)."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.parametrize("name", ["flat_index_exact_cosine_equals_ip"])
def test_experiment_quick(name):
    result = run_one(get(name), quick=True)
    assert result.status == "passed", (result.error, result.checks)
