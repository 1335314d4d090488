"""Vectorizers vs scikit-learn: identical vocabularies and matrices (Inventory TX-07..TX-09).

scikit-learn's own text vectorizers are not run through its estimator checks (they take raw
documents, not numeric arrays); we run the checks on TfidfTransformer, which takes counts.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction import text as sk

from glassml._core.testing import sklearn_contract
from glassml.datasets import load_shakespeare
from glassml.text import CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer
from glassml.text.hashing import murmurhash3_32

TOY = [
    "The cat sat on the mat.",
    "The dog sat on the log!",
    "Cats and dogs: the best of friends, the worst of enemies.",
    "I love my dog; I love my cat. Café crème?",
    "",
    "a b c d e",
]


def _shakespeare_lines(n=600):
    lines = [ln for ln in load_shakespeare(["hamlet"]).splitlines() if ln.strip()]
    return lines[:n]


CORPORA = {"toy": TOY, "hamlet": _shakespeare_lines()}

COUNT_OPTIONS = [
    {},
    {"lowercase": False},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3)},
    {"analyzer": "char", "ngram_range": (1, 3)},
    {"analyzer": "char_wb", "ngram_range": (2, 4)},
    {"stop_words": ["the", "on", "of", "and"], "ngram_range": (1, 2)},
    {"min_df": 2},
    {"max_df": 0.5, "min_df": 0.01},
    {"max_features": 7},
    {"binary": True},
    {"token_pattern": r"(?u)\b\w+\b"},
    {"strip_accents": "unicode"},
    {"strip_accents": "ascii"},
    {"vocabulary": ["cat", "dog", "the", "zebra"]},
    {"vocabulary": {"dog": 1, "cat": 0}},
]


def _same(ours, ref, tol=0.0):
    assert isinstance(ours, sp.csr_matrix | sp.csr_array)
    assert ours.shape == ref.shape
    assert ours.dtype == ref.dtype
    diff = abs(ours - ref)
    assert (diff.max() if diff.nnz else 0.0) <= tol


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize("options", COUNT_OPTIONS, ids=str)
def test_count_vectorizer_matches_sklearn(corpus, options):
    docs = CORPORA[corpus]
    ref = sk.CountVectorizer(**options)
    ours = CountVectorizer(**options)
    Xr, Xo = ref.fit_transform(docs), ours.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    assert ours.get_feature_names_out().tolist() == ref.get_feature_names_out().tolist()
    _same(Xo, Xr)
    new = ["the cat and the unknown zebra", "DOG dog dog"]
    _same(ours.transform(new), ref.transform(new))


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"norm": "l1"},
        {"norm": None},
        {"use_idf": False},
        {"smooth_idf": False},
        {"sublinear_tf": True},
        {"ngram_range": (1, 2), "sublinear_tf": True, "norm": "l1", "min_df": 2},
        {"analyzer": "char_wb", "ngram_range": (2, 3), "binary": True},
    ],
    ids=str,
)
def test_tfidf_vectorizer_matches_sklearn(corpus, options):
    docs = CORPORA[corpus]
    ref = sk.TfidfVectorizer(**options)
    ours = TfidfVectorizer(**options)
    Xr, Xo = ref.fit_transform(docs), ours.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_
    _same(Xo, Xr, tol=1e-12)
    if ref.use_idf:
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=1e-13)
    _same(ours.transform(docs[:3]), ref.transform(docs[:3]), tol=1e-12)


def test_tfidf_plain_variant_is_textbook_log_n_over_df():
    docs = ["a1 b1", "a1 c1", "a1 b1 b1"]
    X = TfidfVectorizer(variant="plain", norm=None).fit_transform(docs).toarray()
    # columns a1, b1, c1: df = 3, 2, 1 -> idf = ln(3/3)=0, ln(3/2), ln(3)
    expected = np.array([[0, np.log(1.5), 0], [0, 0, np.log(3)], [0, 2 * np.log(1.5), 0]])
    np.testing.assert_allclose(X, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("corpus", list(CORPORA))
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"n_features": 64},
        {"n_features": 50, "alternate_sign": False},
        {"n_features": 32, "binary": True, "norm": None},
        {"norm": "l1", "ngram_range": (1, 2)},
        {"analyzer": "char", "ngram_range": (2, 3), "n_features": 1000},
    ],
    ids=str,
)
def test_hashing_vectorizer_matches_sklearn(corpus, options):
    docs = CORPORA[corpus]
    _same(
        HashingVectorizer(**options).transform(docs),
        sk.HashingVectorizer(**options).transform(docs),
        1e-12,
    )


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30), st.integers(0, 2**32 - 1))
def test_murmurhash_matches_sklearn(key, seed):
    from sklearn.utils import murmurhash3_32 as ref

    assert murmurhash3_32(key, seed=seed) == ref(key, seed=seed)
    assert murmurhash3_32(key, seed=seed, positive=True) == ref(key, seed=seed, positive=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet="abc de", max_size=20), min_size=1, max_size=6))
def test_count_row_sums_equal_token_counts(docs):
    cv = CountVectorizer(token_pattern=r"\S+")
    try:
        X = cv.fit_transform(docs)
    except ValueError:  # every document empty
        assert all(not d.split() for d in docs)
        return
    np.testing.assert_array_equal(np.asarray(X.sum(axis=1)).ravel(), [len(d.split()) for d in docs])


@sklearn_contract([TfidfTransformer(), TfidfTransformer(norm="l1", sublinear_tf=True)])
def test_sklearn_contract(estimator, check):
    check(estimator)


def test_bad_inputs():
    with pytest.raises(ValueError, match="raw_documents"):
        CountVectorizer().fit("a single string")
    with pytest.raises(ValueError, match="ngram_range"):
        CountVectorizer(ngram_range=(2, 1)).fit(TOY)
    with pytest.raises(ValueError, match="analyzer"):
        CountVectorizer(analyzer="words").fit(TOY)
    with pytest.raises(ValueError, match="max_df corresponds"):
        CountVectorizer(min_df=5, max_df=2).fit(TOY)
    with pytest.raises(ValueError, match="min_df"):
        CountVectorizer(min_df=1.5).fit(TOY)
    with pytest.raises(ValueError, match="empty vocabulary"):
        CountVectorizer().fit(["", "a"])
    with pytest.raises(ValueError, match="norm"):
        TfidfVectorizer(norm="l3").fit(TOY)
    with pytest.raises(ValueError, match="n_features"):
        HashingVectorizer(n_features=0).transform(TOY)
    with pytest.raises(ValueError, match="stop_words"):
        CountVectorizer(stop_words="french").fit(TOY)
    with pytest.raises(ValueError, match="vocabulary"):
        CountVectorizer(vocabulary=["a1", "a1"]).fit(TOY)
    from glassml._core import NotFittedError

    with pytest.raises(NotFittedError):
        CountVectorizer().transform(TOY)
