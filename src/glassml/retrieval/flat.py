"""Exact (brute-force) vector search: every query is scored against every stored vector.

For a block of queries Q (q, d) and the stored matrix X (n, d) one GEMM gives all scores:

    inner product   S = Q Xᵀ
    cosine          S = Q̂ X̂ᵀ                      (rows L2-normalised when added / queried)
    squared L2      D = ‖q‖² − 2 Q Xᵀ + ‖x‖²        (‖x‖² cached at add time)

then an O(n) partial selection per row keeps the k best. Queries go in blocks so the score
matrix stays under ``max_block_bytes``. Results equal a full sort (ties broken by the smaller
id position) and FAISS's ``IndexFlatL2`` / ``IndexFlatIP``.

Inventory: TR-19, CL-201.
"""

from __future__ import annotations

import numpy as np

from ._base import (
    VectorStore,
    check_ids,
    check_k,
    read_index,
    save_index,
    score_block,
    top_k,
    worst_score,
)

__all__ = ["FlatIndex"]


class FlatIndex(VectorStore):
    """Exact top-k search by inner product, cosine similarity or squared L2 distance.

    Parameters
    ----------
    dim : int — vector dimension.
    metric : {"ip", "cosine", "l2"} — see :mod:`glassml.retrieval._base` for the conventions.
    max_block_bytes : int — memory budget of one block of scores (default 64 MiB).

    Example
    -------
    >>> import numpy as np
    >>> index = FlatIndex(4, metric="l2")
    >>> index.add(np.eye(4, dtype=np.float32))
    >>> D, I = index.search(np.array([[0.9, 0.1, 0.0, 0.0]]), k=2)
    >>> I.tolist()
    [[0, 1]]
    """

    kind = "flat"

    def __init__(self, dim: int, metric: str = "ip", *, max_block_bytes: int = 64 << 20):
        self._init_store(dim, metric)
        self.max_block_bytes = int(max_block_bytes)

    # ------------------------------------------------------------------ building
    def add(self, vectors, ids=None) -> FlatIndex:
        """Store vectors (n, dim); ``ids`` (n,) int64 defaults to 0, 1, 2, … in add order."""
        x = self._prepare(vectors, "vectors")
        ids = check_ids(ids, len(x), self.ntotal)
        self._vectors = np.concatenate([self._vectors, x]) if self.ntotal else x.copy()
        self._sq_norms = np.concatenate([self._sq_norms, np.einsum("ij,ij->i", x, x)])
        self._ids = np.concatenate([self._ids, ids])
        return self

    def reset(self) -> None:
        """Remove every vector."""
        self.__init__(self.dim, self.metric, max_block_bytes=self.max_block_bytes)

    # ------------------------------------------------------------------ searching
    def scores(self, queries) -> np.ndarray:
        """All scores (q, n): inner products, cosines or squared distances."""
        q = self._prepare(queries, "queries")
        return score_block(self.metric, q, self._vectors, self._sq_norms)

    def search(self, queries, k: int = 10):
        """The ``k`` best stored vectors per query → (scores (q, k) float32, ids (q, k) int64)."""
        k = check_k(k)
        q = self._prepare(queries, "queries")
        n = self.ntotal
        D = np.empty((len(q), k), np.float32)
        ids = np.empty((len(q), k), np.int64)
        block = max(1, self.max_block_bytes // (4 * max(n, 1)))
        if n == 0:  # nothing stored: every slot is a miss
            D.fill(worst_score(self.metric))
            ids.fill(-1)
            return D, ids
        for start in range(0, len(q), block):
            sl = slice(start, start + block)
            scores = score_block(self.metric, q[sl], self._vectors, self._sq_norms)  # (b, n)
            best, cols = top_k(scores, k, self.metric)  # (b, k) each
            D[sl] = best
            ids[sl] = np.where(cols >= 0, self._ids[np.maximum(cols, 0)], -1)
        return D, ids

    def reconstruct(self, i: int) -> np.ndarray:
        """The stored vector at position ``i`` (normalised when the metric is cosine)."""
        return self._vectors[i].copy()

    # ------------------------------------------------------------------ saving
    def save(self, path):
        """Write the index to one ``.safetensors`` file (no pickle); read it with ``load_index``."""
        return save_index(
            path,
            self.kind,
            {"dim": self.dim, "metric": self.metric},
            {"vectors": self._vectors, "ids": self._ids},
        )

    @classmethod
    def _from_saved(cls, config, arrays):
        index = cls(config["dim"], config["metric"])
        index._vectors = arrays["vectors"].astype(np.float32)
        index._sq_norms = np.einsum("ij,ij->i", index._vectors, index._vectors)
        index._ids = arrays["ids"].astype(np.int64)
        return index

    @classmethod
    def load(cls, path) -> FlatIndex:
        kind, config, arrays = read_index(path)
        if kind != cls.kind:
            raise ValueError(f"{path}: holds a {kind!r} index, not a {cls.kind!r} one.")
        return cls._from_saved(config, arrays)

    def __repr__(self) -> str:
        return f"FlatIndex(dim={self.dim}, metric={self.metric!r}, ntotal={self.ntotal})"
