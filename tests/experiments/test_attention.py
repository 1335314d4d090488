"""Every attention/Transformer experiment runs in quick mode and supports its claim."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "attention_scaling_sqrt_dk",
    "attention_weights_are_distributions",
    "self_attention_permutation_equivariant",
    "sinusoidal_pe_unique_and_relative",
    "multi_head_two_relations",
    "attention_links_distant_positions",
    "residual_layernorm_deep_transformer",
    "transformer_vs_lstm_long_lag",
]
SLOW = {
    "attention_scaling_sqrt_dk",
    "self_attention_permutation_equivariant",
    "multi_head_two_relations",
    "attention_links_distant_positions",
    "residual_layernorm_deep_transformer",
    "transformer_vs_lstm_long_lag",
}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n for n in NAMES]
)
def test_experiment_passes_in_quick_mode(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.figure_png and r.metrics and r.summary


def test_claim_ids_are_registered():
    claims = {c for n in NAMES for c in get(n).claims}
    assert claims == {f"CL-{i}" for i in (185, 186, 187, 188, 189, 190, 193, 195)}
