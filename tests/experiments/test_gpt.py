"""Run every GPT experiment (CL-093, CL-191, CL-194) in quick mode; each asserts its claim."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "gpt_warmup_stabilises_training",
    "gpt_causal_mask_hides_future",
    "gpt_decoder_only_lm_generates",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    import glassml.experiments.gpt  # noqa: F401

    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
    assert r.figure_png is not None and r.summary


def test_grammar_checker_accepts_generated_sentences_and_rejects_agreement_errors():
    import numpy as np

    from glassml.experiments.gpt import grammar_sentences, is_grammatical

    sentences = grammar_sentences(200, np.random.default_rng(0))
    assert all(is_grammatical(s) for s in sentences)
    for bad in ("the cats sees a dog .", "a dogs see the cat .", "the cat sees a dog",
                "the big cat sees .", "the cat cat sees a dog ."):  # fmt: skip
        assert not is_grammatical(bad), bad
