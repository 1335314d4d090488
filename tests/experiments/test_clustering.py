"""Run every clustering / neighbours / similarity experiment in quick mode and require its
claim to hold (CL-008, CL-037, CL-053..CL-056, CL-077, CL-078)."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "kmeans_init_dependence",
    "elbow_finds_k",
    "kmeans_linear_runtime",
    "knn_lazy_learner",
    "parametric_vs_nonparametric",
    "knn_scale_sensitivity",
    "cosine_similarity_examples",
    "cosine_ignores_length",
]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png, "every experiment draws a figure"
