"""Quick-mode runs of the DDPM and VAE experiments (claims CL-214..CL-217)."""

import pytest

from glassml.experiments import get, run_one

NAMES = ["ddpm_forward_to_noise", "ddpm_two_moons", "ddpm_inpainting", "vae_elbo"]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    exp = get(name)
    assert exp.module == "diffusion_vae"
    r = run_one(exp, quick=True)
    if exp.weak:
        assert r.status == "reported", r.error
    else:
        assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png and r.summary
