"""BM25: the lexical keyword-search baseline that dense retrieval is compared against (TR-25).

For a query q and a document d of length |d| (tokens), with f(t, d) the count of term t in d,
N documents, n_t of them containing t, and avgdl the mean document length:

    score(q, d) = sum_{t in q} IDF(t) * f(t, d) (k1 + 1) / (f(t, d) + k1 (1 - b + b |d| / avgdl))
    IDF(t)      = ln(1 + (N - n_t + 0.5) / (n_t + 0.5))          (Lucene's non-negative IDF)

k1 saturates the term frequency (k1 = 0: presence only), b in [0, 1] normalises by length.
A query term repeated r times counts r times. Everything is precomputed at ``fit`` into one
sparse (vocabulary x documents) weight matrix W, so scoring a batch of queries is one sparse
product Q W (query term counts times weights).

Inventory: TR-25 (BM25 lexical baseline; compare with the dense bi-encoder, CL-199).

Example
-------
>>> bm = BM25().fit(["the cat sat", "a dog barked", "the cat and the dog"])
>>> bm.search("cat", k=2)[1].tolist()
[0, 2]
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

__all__ = ["BM25"]

_WORD = re.compile(r"(?u)\w+")


def _default_tokenizer(text: str) -> list[str]:
    return _WORD.findall(text.lower())


class BM25:
    """Okapi BM25 ranking over a fixed document collection (TR-25).

    Parameters
    ----------
    k1 : float >= 0, default 1.5 — term-frequency saturation
    b : float in [0, 1], default 0.75 — document-length normalisation
    tokenizer : callable str -> list[str], default lowercase ``\\w+`` words

    Attributes (after ``fit``)
    --------------------------
    vocabulary_ : dict term -> row;  idf_ : (V,) IDF per term;  doc_len_ : (N,);  avgdl_ : float

    Example
    -------
    >>> bm = BM25(k1=1.2, b=0.75).fit(["red apple", "green apple pie", "blue sky"])
    >>> scores = bm.get_scores("apple pie")
    >>> int(np.argmax(scores))
    1
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, tokenizer: Callable | None = None):
        self.k1 = k1
        self.b = b
        self.tokenizer = tokenizer

    def _tokenize(self, text) -> list[str]:
        if not isinstance(text, str):
            raise TypeError(f"documents and queries must be str, got {type(text).__name__}")
        return (self.tokenizer or _default_tokenizer)(text)

    def fit(self, documents) -> BM25:
        """Index ``documents`` (a list of str): term counts, IDF and the weight matrix W."""
        if isinstance(self.k1, bool) or not isinstance(self.k1, int | float) or self.k1 < 0:
            raise ValueError(f"k1: expected a number >= 0, got {self.k1!r}")
        if isinstance(self.b, bool) or not isinstance(self.b, int | float) or not 0 <= self.b <= 1:
            raise ValueError(f"b: expected a number in [0, 1], got {self.b!r}")
        if isinstance(documents, str):
            raise TypeError("documents: expected a list of str, got a single str")
        docs = [self._tokenize(d) for d in documents]
        if not docs:
            raise ValueError("documents: expected at least one document, got none")
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for j, tokens in enumerate(docs):
            for tok in tokens:
                rows.append(vocab.setdefault(tok, len(vocab)))
                cols.append(j)
        n_docs = len(docs)
        # term frequencies f(t, d): duplicates are summed when converting to CSR
        tf = sp.coo_matrix(
            (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, np.int64))),
            shape=(len(vocab), n_docs),
        ).tocsr()  # (V, N)
        tf.sum_duplicates()
        doc_len = np.array([len(t) for t in docs], dtype=np.float64)  # (N,)
        avgdl = doc_len.mean() if doc_len.mean() > 0 else 1.0
        n_t = np.diff(tf.indptr).astype(np.float64)  # documents containing each term (V,)
        idf = np.log1p((n_docs - n_t + 0.5) / (n_t + 0.5))  # (V,)
        norm = self.k1 * (1.0 - self.b + self.b * doc_len / avgdl)  # (N,)
        f = tf.data
        term_of = np.repeat(np.arange(tf.shape[0]), np.diff(tf.indptr))  # row of each nonzero
        weights = tf.copy()
        weights.data = idf[term_of] * f * (self.k1 + 1.0) / (f + norm[tf.indices])
        self.vocabulary_, self.idf_, self.doc_len_, self.avgdl_ = vocab, idf, doc_len, avgdl
        self.n_docs_ = n_docs
        self._weights = weights  # (V, N)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "_weights"):
            raise RuntimeError("This BM25 instance is not fitted yet: call fit(documents) first.")

    def _query_counts(self, queries: list[str]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, q in enumerate(queries):
            for tok in self._tokenize(q):
                j = self.vocabulary_.get(tok)
                if j is not None:  # unknown terms match nothing
                    rows.append(i)
                    cols.append(j)
        return sp.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(queries), len(self.vocabulary_))
        )  # (Q, V) term counts

    def get_scores(self, queries) -> np.ndarray:
        """BM25 scores: (N,) for one query string, (Q, N) for a list of queries."""
        self._check_fitted()
        single = isinstance(queries, str)
        qs = [queries] if single else list(queries)
        scores = np.asarray((self._query_counts(qs) @ self._weights).todense())  # (Q, N)
        return scores[0] if single else scores

    def search(self, queries, k: int = 10):
        """Top-``k`` documents: (scores, indices), each (k,) for a str or (Q, k) for a list,
        best first (ties broken by document order)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k: expected a positive int, got {k!r}")
        scores = self.get_scores(queries)
        s2 = np.atleast_2d(scores)
        k = min(k, s2.shape[1])
        order = np.argsort(-s2, axis=1, kind="stable")[:, :k]  # (Q, k)
        top = np.take_along_axis(s2, order, axis=1)
        if scores.ndim == 1:
            return top[0], order[0]
        return top, order
