"""Every experiment of the preprocessing topic supports its claim in quick mode."""

import pytest

from glassml.experiments import get, registry, run_one

NAMES = sorted(n for n, e in registry().items() if e.module == "preprocessing")


def test_all_claims_present():
    claims = {c for n in NAMES for c in get(n).claims}
    expected = {"CL-035", "CL-036", "CL-039", "CL-040", "CL-041", "CL-042", "CL-043", "CL-044"}
    assert expected | {"CL-045"} <= claims


@pytest.mark.parametrize("name", NAMES)
def test_experiment_supports_its_claim(name):
    result = run_one(get(name), quick=True)
    assert result.status == "passed", (result.error, result.checks, result.metrics)
    assert result.figure_png and result.figure_png.startswith(b"\x89PNG")
