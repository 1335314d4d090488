"""BM25 (TR-25) against a direct, loop-by-loop implementation of the formula."""

import math
from collections import Counter

import numpy as np
import pytest

from glassml.retrieval.bm25 import BM25

DOCS = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "cats and dogs are friends",
    "a very long document about the cat the cat and the cat again and again",
    "",
    "dog dog dog",
]


def direct_bm25(docs, query, k1, b):
    tokenized = [d.lower().split() for d in docs]
    n = len(docs)
    avgdl = sum(map(len, tokenized)) / n
    scores = []
    for doc in tokenized:
        counts = Counter(doc)
        s = 0.0
        for term in query.lower().split():
            n_t = sum(term in d for d in tokenized)
            if n_t == 0:
                continue
            idf = math.log(1 + (n - n_t + 0.5) / (n_t + 0.5))
            f = counts[term]
            if f == 0:
                continue
            s += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(s)
    return np.array(scores)


@pytest.mark.parametrize("k1,b", [(1.5, 0.75), (1.2, 0.0), (0.0, 1.0), (2.0, 0.3)])
@pytest.mark.parametrize("query", ["cat", "the cat", "dog dog sat", "unknown words", "the"])
def test_scores_match_direct_formula(k1, b, query):
    bm = BM25(k1=k1, b=b).fit(DOCS)
    np.testing.assert_allclose(bm.get_scores(query), direct_bm25(DOCS, query, k1, b), rtol=1e-12)


def test_batch_search_and_ranking():
    bm = BM25().fit(DOCS)
    queries = ["cat mat", "dog"]
    scores = bm.get_scores(queries)
    assert scores.shape == (2, len(DOCS))
    np.testing.assert_allclose(scores[1], bm.get_scores("dog"))
    top, idx = bm.search(queries, k=2)
    assert idx[0, 0] == 0 and idx[1, 0] == 5  # "mat" only in doc 0; "dog" x3 in doc 5
    assert top.shape == (2, 2) and np.all(top[:, 0] >= top[:, 1])
    s, i = bm.search("dog", k=100)
    assert len(i) == len(DOCS)
    np.testing.assert_array_equal(s, np.sort(bm.get_scores("dog"))[::-1])
    custom = BM25(tokenizer=lambda t: list(t)).fit(["ab", "bb"])  # character "terms"
    assert custom.get_scores("a")[1] == 0 and custom.get_scores("a")[0] > 0


def test_bad_inputs():
    with pytest.raises(ValueError, match="k1"):
        BM25(k1=-1).fit(DOCS)
    with pytest.raises(ValueError, match="b"):
        BM25(b=1.5).fit(DOCS)
    with pytest.raises(RuntimeError, match="not fitted"):
        BM25().get_scores("cat")
    with pytest.raises(ValueError, match="documents"):
        BM25().fit([])
    with pytest.raises(TypeError, match="documents"):
        BM25().fit("one string")
    with pytest.raises(TypeError, match="str"):
        BM25().fit(["ok", 3])
    with pytest.raises(ValueError, match="k"):
        BM25().fit(DOCS).search("cat", k=0)
