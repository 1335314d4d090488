"""Every experiment of the foundations topic supports its claim in quick mode."""

import pytest

from glassml.experiments import get, registry, run_one

NAMES = sorted(n for n, e in registry().items() if e.module == "fitting")


@pytest.mark.parametrize("name", NAMES)
def test_experiment_supports_its_claim(name):
    result = run_one(get(name), quick=True)
    assert result.status == "passed", (result.error, result.checks, result.metrics)
    assert result.figure_png and result.figure_png.startswith(b"\x89PNG")
