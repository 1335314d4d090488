"""Quick-mode runs of the GAN experiments (claims CL-204..CL-213)."""

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
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    exp = get(name)
    assert exp.module == "gans"
    r = run_one(exp, quick=True)
    if exp.weak:
        assert r.status == "reported", r.error
    else:
        assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png and r.summary
