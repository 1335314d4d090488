"""KeyedVectors: a word -> vector table with cosine neighbours and 3CosAdd analogies.

cos(u, v) = u.v / (|u| |v|);  analogy a:b :: c:? = argmax_w cos(w, b - a + c) over unit vectors
(3CosAdd, excluding a, b, c). Saved as safetensors (vectors) + JSON (vocabulary).
Inventory: TX-13, TX-14.

Example
-------
>>> import numpy as np
>>> kv = KeyedVectors(["a", "b", "c"], np.eye(3, dtype=np.float32))
>>> kv.similarity("a", "a")
1.0
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from glassml.io import safetensors

__all__ = ["KeyedVectors"]


class KeyedVectors:
    """Word vectors with lookup, cosine similarity, nearest neighbours and analogies."""

    def __init__(self, words, vectors):
        vectors = np.asarray(vectors)
        words = list(words)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ValueError(f"vectors: expected shape ({len(words)}, d), got {vectors.shape}.")
        self.index_to_key = words
        self.key_to_index = {w: i for i, w in enumerate(words)}
        self.vectors = vectors  # (n_words, d)
        self._unit = None

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def _index(self, word) -> int:
        try:
            return self.key_to_index[word]
        except KeyError:
            raise KeyError(f"word {word!r} not in vocabulary") from None

    def __getitem__(self, word):
        if isinstance(word, str):
            return self.vectors[self._index(word)]
        return self.vectors[[self._index(w) for w in word]]

    def unit_vectors(self):
        """Rows scaled to unit l2 norm (cached)."""
        if self._unit is None:
            norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)  # (n, 1)
            self._unit = self.vectors / np.where(norms == 0, 1, norms)
        return self._unit

    def similarity(self, w1, w2) -> float:
        """Cosine similarity of two words."""
        u = self.unit_vectors()
        return float(u[self._index(w1)] @ u[self._index(w2)])

    def most_similar(self, positive=(), negative=(), topn=10):
        """Words closest (cosine) to mean(unit(+)) - mean(unit(-)), excluding the query words."""
        if isinstance(positive, str):
            positive = [positive]
        if isinstance(negative, str):
            negative = [negative]
        if not positive and not negative:
            raise ValueError("positive: expected at least one word in positive or negative.")
        u = self.unit_vectors()
        ids = [self._index(w) for w in positive] + [self._index(w) for w in negative]
        weights = np.array([1.0] * len(positive) + [-1.0] * len(negative), dtype=u.dtype)
        query = weights @ u[ids] / len(ids)  # (d,)
        query /= np.linalg.norm(query) or 1.0
        scores = u @ query  # (n_words,)
        scores[ids] = -np.inf
        topn = min(topn, len(self) - len(set(ids)))
        best = np.argpartition(-scores, topn - 1)[:topn] if topn > 0 else np.array([], int)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best]

    def evaluate_analogies(self, quads, restrict=None) -> float:
        """Top-1 accuracy on (a, b, c, d) meaning a:b :: c:d (quads with unknown words skipped)."""
        quads = [q for q in quads if all(w in self for w in q)]
        if not quads:
            return float("nan")
        u = self.unit_vectors()
        n = len(self) if restrict is None else min(restrict, len(self))
        idx = np.array([[self.key_to_index[w] for w in q] for q in quads])  # (m, 4)
        query = u[idx[:, 1]] - u[idx[:, 0]] + u[idx[:, 2]]  # (m, d) 3CosAdd
        scores = query @ u[:n].T  # (m, n)
        rows = np.arange(len(quads))
        for col in range(3):
            keep = idx[:, col] < n
            scores[rows[keep], idx[keep, col]] = -np.inf
        return float(np.mean(np.argmax(scores, axis=1) == idx[:, 3]))

    def save(self, path) -> None:
        """Write ``path`` (safetensors, vectors) and ``path + '.vocab.json'`` (words)."""
        safetensors.save_file({"vectors": np.ascontiguousarray(self.vectors)}, path)
        Path(str(path) + ".vocab.json").write_text(json.dumps(self.index_to_key), "utf-8")

    @classmethod
    def load(cls, path) -> KeyedVectors:
        """Inverse of :meth:`save`."""
        vectors = safetensors.load_file(path)["vectors"]
        words = json.loads(Path(str(path) + ".vocab.json").read_text("utf-8"))
        return cls(words, vectors)

    @classmethod
    def from_glove(cls, n_words: int | None = 50_000) -> KeyedVectors:
        """GloVe 6B 50-d vectors of the ``n_words`` most frequent words (Inventory: TX-15)."""
        from glassml.datasets import load_glove

        glove = load_glove(n_words=n_words)
        return cls(glove.words, glove.vectors)
