"""FastText-style subword embeddings (Bojanowski et al. 2017), skip-gram + negative sampling.

A word w is the set G(w) = {w} U {hashed character n-grams of "<w>", n = min_n..max_n};
its input vector is the mean of the rows of G(w):  u_w = (1/|G(w)|) sum_{g in G(w)} z_g.
Training is word2vec's skip-gram with negative sampling on u_w; the gradient of u_w is spread
over the rows of G(w). An unseen word gets the mean of its n-gram vectors. Inventory: TX-16.

Example
-------
>>> sents = [["walk", "walking", "walked"]] * 200
>>> ft = FastText(vector_size=8, min_count=1, epochs=1, bucket=1000, progress=False).fit(sents)
>>> ft.wv["walks"].shape                      # an out-of-vocabulary word still has a vector
(8,)
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from glassml._core import check_scalar

from .hashing import murmurhash3_32
from .keyed_vectors import KeyedVectors
from .word2vec import Word2Vec, _scatter_sparse_t

__all__ = ["FastText", "FastTextKeyedVectors", "char_ngrams"]


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """Character n-grams of '<word>' (the boundary markers make prefixes/suffixes distinct)."""
    w = f"<{word}>"
    return [w[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(w) - n + 1)]


class FastTextKeyedVectors(KeyedVectors):
    """KeyedVectors whose lookup falls back to n-gram vectors for unknown words."""

    def __init__(self, words, vectors, ngram_vectors, min_n, max_n):
        super().__init__(words, vectors)
        self.ngram_vectors = ngram_vectors  # (bucket, d)
        self.min_n, self.max_n = min_n, max_n

    def _oov_vector(self, word):
        rows = [murmurhash3_32(g, positive=True) % len(self.ngram_vectors)
                for g in char_ngrams(word, self.min_n, self.max_n)]  # fmt: skip
        if not rows:
            raise KeyError(f"word {word!r} has no character n-grams of length {self.min_n}+")
        return self.ngram_vectors[rows].mean(axis=0)

    def __getitem__(self, word):
        if isinstance(word, str) and word not in self.key_to_index:
            return self._oov_vector(word)
        return super().__getitem__(word)

    def similarity(self, w1, w2) -> float:
        u, v = self[w1], self[w2]
        return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


class FastText(Word2Vec):
    """Skip-gram FastText: Word2Vec parameters plus ``min_n``, ``max_n``, ``bucket``."""

    def __init__(self, *, vector_size=100, window=5, negative=5, sample=1e-3, min_count=5,
                 alpha=0.025, min_alpha=1e-4, epochs=5, ns_exponent=0.75, batch_size=2048,
                 seed=0, progress=True, min_n=3, max_n=6, bucket=200_000):  # fmt: skip
        super().__init__(vector_size=vector_size, window=window, sg=1, negative=negative, hs=0,
                         sample=sample, min_count=min_count, alpha=alpha, min_alpha=min_alpha,
                         epochs=epochs, ns_exponent=ns_exponent, batch_size=batch_size,
                         seed=seed, progress=progress)  # fmt: skip
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket

    def fit(self, sentences):
        check_scalar(self.bucket, "bucket", numbers.Integral, min_val=1)
        check_scalar(self.min_n, "min_n", numbers.Integral, min_val=1)
        check_scalar(self.max_n, "max_n", numbers.Integral, min_val=self.min_n)
        if self.negative < 1:
            raise ValueError(f"negative: FastText needs negative >= 1, got {self.negative}.")
        return super().fit(sentences)

    def _build_vocab(self, sentences):
        super()._build_vocab(sentences)
        V = len(self.index_to_key_)
        rows, cols = [], []
        for i, w in enumerate(self.index_to_key_):
            grams = [V + murmurhash3_32(g, positive=True) % self.bucket
                     for g in char_ngrams(w, self.min_n, self.max_n)]  # fmt: skip
            members = [i, *grams]
            rows += [i] * len(members)
            cols += members
        counts = np.bincount(rows, minlength=V).astype(np.float32)
        data = 1.0 / counts[rows]  # mean over the word's rows
        self.subword_matrix_ = sp.csr_matrix(
            (data.astype(np.float32), (rows, cols)), shape=(V, V + self.bucket)
        )  # (V, V + bucket)

    def _epoch_sg(self, kept, c, o, done, total, rng, bar, n_words):
        if self.syn0_.shape[0] != self.subword_matrix_.shape[1]:  # word rows + n-gram rows
            d = self.vector_size
            extra = (rng.random((self.bucket, d), dtype=np.float32) - 0.5) / d
            self.syn0_ = np.vstack([self.syn0_, extra.astype(np.float32)])
        M = self.subword_matrix_
        n_pairs, B = len(c), self._batch()
        for start in range(0, n_pairs, B):
            centre = kept[c[start : start + B]]
            context = kept[o[start : start + B]]
            alpha = np.float32(self._alpha((done + start / max(n_pairs, 1) * n_words) / total))
            Mc = M[centre]  # (B, V + bucket) averaging weights
            h = np.asarray(Mc @ self.syn0_, dtype=np.float32)  # (B, d)
            grad_h = self._step(h, context, alpha, rng)
            _scatter_sparse_t(self.syn0_, Mc, grad_h)  # syn0 += Mc^T grad_h over each word's rows
            bar.update(int(n_words * min(B, n_pairs - start) / n_pairs))

    def _finish_vectors(self):
        V = len(self.index_to_key_)
        words = np.asarray(self.subword_matrix_ @ self.syn0_, dtype=np.float32)  # (V, d)
        self.wv = FastTextKeyedVectors(self.index_to_key_, words, self.syn0_[V:], self.min_n,
                                       self.max_n)  # fmt: skip
