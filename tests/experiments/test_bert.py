"""The BERT / embedding experiments (CL-181, CL-196..CL-199, CL-203) in quick mode."""

import pytest

from glassml.experiments import get, run_one

NAMES = [
    "bert_mlm_bidirectional",
    "bert_nsp_accuracy",
    "bert_pretrain_finetune",
    "bert_generation_vs_l2r",
    "dense_vs_tfidf_paraphrase",
    "pretrained_embeddings_few_labels",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_experiment_quick(name):
    exp = get(name)
    r = run_one(exp, quick=True)
    expected = "reported" if exp.weak else "passed"
    assert r.status == expected, (r.error, r.checks, r.metrics)
    assert r.figure_png and r.summary and r.metrics
