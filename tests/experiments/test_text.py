import pytest

from glassml.experiments import get, run_one

NAMES = ["bow_loses_order", "bow_sparsity", "seed_bow_example", "tfidf_downweights_common",
         "bpe_no_oov", "lemma_vs_stem", "word2vec_classes", "word2vec_analogies",
         "negative_sampling_cost", "glove_vs_word2vec", "fasttext_oov"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_text_experiment_quick(name):
    r = run_one(get(name), quick=True)
    assert r.status == "passed", (r.error, r.checks)
