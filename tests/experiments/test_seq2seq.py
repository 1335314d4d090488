"""Run every seq2seq / attention / ELMo experiment in quick mode; each asserts its claim
(CL-202 is weak: reported, its checks are not asserted)."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "attention_removes_the_bottleneck",
    "teacher_forcing_speed_and_exposure_bias",
    "beam_search_beats_greedy",
    "dot_vs_additive_attention",
    "contextual_vectors_separate_senses",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.seq2seq  # noqa: F401

    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)
    assert r.figure_png


@pytest.mark.slow
def test_weak_elmo_layer_weights_is_reported():
    import glassml.experiments.seq2seq  # noqa: F401

    r = run_one(get("elmo_layer_weights_and_probes"), quick=True)
    assert r.status == "reported", r.error
    assert len(r.metrics["probe_accuracy_per_layer"]) == 3
    assert abs(sum(r.metrics["learned_s"]) - 1.0) < 1e-6
