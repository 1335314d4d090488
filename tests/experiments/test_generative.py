"""Quick-mode runs of the generative-model experiments (claims CL-204..CL-217)."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "gan_ring_of_gaussians",
    "gan_mode_collapse",
    "gan_stabilisers",
    "gan_saturating_gradient",
    "wgan_disjoint_supports",
    "conditional_gan_digits",
    "cyclegan_2d_translation",
    "gan_anomaly_score",
    "frechet_distance_behaviour",
    "dcgan_shapes",
    "ddpm_forward_to_noise",
    "ddpm_two_moons",
    "ddpm_inpainting",
    "vae_elbo",
    "dcgan_ddpm_digits",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    exp = get(name)
    r = run_one(exp, quick=True)
    if exp.weak:
        assert r.status == "reported", r.error
    else:
        assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png and r.summary
