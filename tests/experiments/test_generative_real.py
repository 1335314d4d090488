"""Quick mode of the generative real task (8x8 digits, MLP judge); the full mode (28x28 MNIST,
CNN judge) is exercised by tests/models/test_generative_real.py and run from the report."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.slow
def test_dcgan_ddpm_digits_quick():
    exp = get("dcgan_ddpm_digits")
    assert exp.module == "generative_real"
    r = run_one(exp, quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png and r.summary
    assert r.metrics["data"] == "8x8 digits"
    for model in ("dcgan", "ddpm"):
        m = r.metrics[model]
        assert m["frechet"] < r.metrics["frechet_uniform"] / 3, m
        assert 1.0 <= m["inception_score"] <= 10.0, m
