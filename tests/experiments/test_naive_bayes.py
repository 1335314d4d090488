"""Run the naive Bayes experiment in quick mode and require its claim to hold."""

import numpy as np

from glassml.experiments import get, run_one
from glassml.experiments.naive_bayes import spam_corpus


def test_naive_bayes_wins_with_little_data_quick():
    r = run_one(get("naive_bayes_wins_with_little_data"), quick=True)
    assert r.status == "passed", (r.error, r.checks, r.metrics)


def test_spam_corpus_is_a_count_matrix():
    X, y = spam_corpus(np.random.default_rng(0), 50)
    assert X.shape == (50, 400) and set(np.unique(y)) <= {0, 1}
    assert (X >= 0).all() and np.all(X == np.round(X)) and (X.sum(axis=1) >= 1).all()
