"""Approximate search with an inverted file (IVF): k-means cells, search only the nearest ones.

Training runs k-means (Lloyd, float32, ``n_iter`` rounds from random stored points) on a
sample of the vectors, giving ``nlist`` centroids c_1..c_nlist — the *coarse quantizer*.
Every added vector goes to the inverted list of its nearest centroid. A query is scored
against the centroids, the ``nprobe`` best lists are opened and their vectors are scored
exactly; the k best of those candidates are returned. Cost per query ≈ nlist + n·nprobe/nlist
distance evaluations instead of n.

Choosing ``nprobe``: a true neighbour is found exactly when its list is among the probed
ones, so recall@k at *every* nprobe follows from one exact search: for sample queries, the
rank of each true neighbour's list in the query's centroid order. ``calibrate`` uses stored
vectors as leave-one-out queries (or queries you pass) and picks the smallest nprobe whose
recall@k reaches ``target_recall``; this is the default when ``nprobe`` is not given. On
clustered data (real embeddings) a few lists suffice; on isotropic Gaussian noise — where
the nearest neighbour is barely nearer than a random point — high recall needs most lists,
as it does for FAISS's ``IndexIVFFlat`` (the tests compare both).

Inventory: TR-19 (approximate variant), CL-201.
"""

from __future__ import annotations

import numpy as np

from .._core import check_random_state
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

__all__ = ["IVFIndex"]


def _nearest_centroid(x: np.ndarray, centroids: np.ndarray, chunk: int = 8192) -> np.ndarray:
    """argmin_j ‖x − c_j‖² = argmin_j (‖c_j‖² − 2 x·c_j) for every row (chunked GEMM)."""
    c_sq = np.einsum("ij,ij->i", centroids, centroids)  # (nlist,)
    labels = np.empty(len(x), np.int64)
    for start in range(0, len(x), chunk):
        s = x[start : start + chunk] @ centroids.T  # (c, nlist)
        s *= -2.0
        s += c_sq
        labels[start : start + chunk] = np.argmin(s, axis=1)
    return labels


def kmeans_float32(x: np.ndarray, k: int, n_iter: int, rng: np.random.Generator) -> np.ndarray:
    """Lloyd's algorithm in float32 from k distinct random rows; returns centroids (k, d).

    An empty cell is re-seeded with the point farthest from its centroid (like FAISS's split).
    """
    centroids = x[rng.choice(len(x), size=k, replace=False)].copy()  # (k, d)
    for _ in range(n_iter):
        labels = _nearest_centroid(x, centroids)  # (n,)
        counts = np.bincount(labels, minlength=k)  # (k,)
        order = np.argsort(labels, kind="stable")
        filled = np.flatnonzero(counts)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[filled]
        sums = np.add.reduceat(x[order], starts, axis=0)  # (filled, d)
        centroids[filled] = sums / counts[filled, None].astype(np.float32)
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            diff = x - centroids[labels]
            far = np.argsort(np.einsum("ij,ij->i", diff, diff))[::-1][: empty.size]
            centroids[empty] = x[far]
    return centroids


class IVFIndex(VectorStore):
    """Inverted-file index with a k-means coarse quantizer and ``nprobe`` lists per query.

    Parameters
    ----------
    dim : int — vector dimension.
    metric : {"l2", "ip", "cosine"} — as :class:`FlatIndex`.
    nlist : int or None — number of cells; None → round(√n) at training time.
    nprobe : int or None — lists opened per query; None → calibrated to ``target_recall``.
    target_recall : float — recall@``calibration_k`` that automatic calibration aims for.
    calibration_k : int — the k of that recall.
    n_iter : int — k-means iterations; ``max_train_points``: training sample size cap
        (default 64·nlist).
    random_state : int, Generator or None.

    Example
    -------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> base = rng.standard_normal((2000, 16)).astype(np.float32)
    >>> index = IVFIndex(16, nlist=20, nprobe=20).add(base)     # nprobe = nlist: exact
    >>> D, I = index.search(base[:3], k=1)
    >>> I.ravel().tolist()
    [0, 1, 2]
    """

    kind = "ivf"

    def __init__(
        self,
        dim: int,
        metric: str = "l2",
        *,
        nlist: int | None = None,
        nprobe: int | None = None,
        target_recall: float = 0.95,
        calibration_k: int = 10,
        n_iter: int = 20,
        max_train_points: int | None = None,
        random_state=0,
    ):
        for name, value in (("nlist", nlist), ("nprobe", nprobe)):
            if value is not None and (not isinstance(value, (int, np.integer)) or value < 1):
                raise ValueError(f"{name}: expected a positive integer or None, got {value!r}.")
        if not 0 < target_recall <= 1:
            raise ValueError(f"target_recall: expected a value in (0, 1], got {target_recall!r}.")
        self._init_store(dim, metric)
        self.nlist = nlist
        self.nprobe = nprobe
        self.target_recall = float(target_recall)
        self.calibration_k = check_k(calibration_k)
        self.n_iter = int(n_iter)
        self.max_train_points = max_train_points
        self.random_state = random_state
        self.centroids = None  # (nlist, d) after train
        self._auto_nprobe = None  # calibrated value
        self._calibrated_at = -1  # ntotal when calibrated
        self._lists = np.empty(0, np.int64)  # list of each stored vector (sorted)
        self._offsets = None  # (nlist + 1,) list l occupies [offsets[l], offsets[l+1])

    # ------------------------------------------------------------------ building
    @property
    def is_trained(self) -> bool:
        return self.centroids is not None

    def train(self, vectors) -> IVFIndex:
        """Fit the coarse quantizer (k-means) on ``vectors`` (or a random sample of them)."""
        x = self._prepare(vectors, "vectors")
        nlist = self.nlist if self.nlist is not None else max(1, round(np.sqrt(len(x))))
        if nlist > len(x):
            raise ValueError(
                f"nlist: {nlist} cells need at least {nlist} training vectors, got {len(x)}."
            )
        rng = check_random_state(self.random_state)
        cap = self.max_train_points or 64 * nlist
        sample = x if len(x) <= cap else x[rng.choice(len(x), size=cap, replace=False)]
        self.centroids = kmeans_float32(sample, nlist, self.n_iter, rng)
        self._offsets = np.zeros(nlist + 1, np.int64)
        return self

    def _assign(self, x: np.ndarray) -> np.ndarray:
        if self.metric == "ip":  # inner-product quantizer, as FAISS uses for IP
            return np.argmax(x @ self.centroids.T, axis=1)
        return _nearest_centroid(x, self.centroids)

    def add(self, vectors, ids=None) -> IVFIndex:
        """Assign vectors to their cells and store them (trains first if untrained)."""
        x = self._prepare(vectors, "vectors")
        if not self.is_trained:
            self.train(x)
        ids = check_ids(ids, len(x), self.ntotal)
        lists = np.concatenate([self._lists, self._assign(x)])
        vecs = np.concatenate([self._vectors, x])
        all_ids = np.concatenate([self._ids, ids])
        order = np.argsort(lists, kind="stable")  # group by list, keep insertion order inside
        self._lists, self._vectors, self._ids = lists[order], vecs[order], all_ids[order]
        self._sq_norms = np.einsum("ij,ij->i", self._vectors, self._vectors)
        counts = np.bincount(self._lists, minlength=len(self.centroids))
        self._offsets = np.concatenate([[0], np.cumsum(counts)])
        return self

    # ------------------------------------------------------------------ searching
    def _coarse_order(self, q: np.ndarray, nprobe: int) -> np.ndarray:
        """The ``nprobe`` best lists per query, best first (q, nprobe)."""
        if self.metric == "ip":
            return top_k(q @ self.centroids.T, nprobe, "ip")[1]
        c_sq = np.einsum("ij,ij->i", self.centroids, self.centroids)
        dist = c_sq[None, :] - 2.0 * (q @ self.centroids.T)  # (q, nlist) up to ‖q‖²
        return top_k(dist, nprobe, "l2")[1]

    def _block_scores(self, q, lo, hi):
        return score_block(self.metric, q, self._vectors[lo:hi], self._sq_norms[lo:hi])

    def effective_nprobe(self) -> int:
        """The nprobe a search uses now (calibrating first when it is automatic)."""
        if self.nprobe is not None:
            return min(self.nprobe, len(self.centroids))
        if self._auto_nprobe is None or self._calibrated_at != self.ntotal:
            self.calibrate()
        return self._auto_nprobe

    def search(self, queries, k: int = 10, *, nprobe: int | None = None):
        """Approximate k best per query → (scores (q, k) float32, ids (q, k) int64)."""
        k = check_k(k)
        if not self.is_trained:
            raise RuntimeError("IVFIndex: call add() (or train()) before search().")
        q = self._prepare(queries, "queries")
        nprobe = (
            self.effective_nprobe() if nprobe is None else min(check_k(nprobe), len(self.centroids))
        )
        n_q = len(q)
        probes = self._coarse_order(q, nprobe)  # (q, nprobe)
        # candidate buffer: slot j of a query holds the top-k of its j-th probed list
        cand_scores = np.full((n_q, nprobe * k), worst_score(self.metric), np.float32)
        cand_pos = np.full((n_q, nprobe * k), -1, np.int64)
        flat_lists = probes.ravel()  # (q·nprobe,)
        order = np.argsort(flat_lists, kind="stable")  # group (query, slot) pairs by list
        bounds = np.searchsorted(flat_lists[order], np.arange(len(self.centroids) + 1))
        for lst in np.flatnonzero(np.diff(bounds)):  # lists probed by at least one query
            lo, hi = self._offsets[lst], self._offsets[lst + 1]
            if lo == hi:
                continue
            pairs = order[bounds[lst] : bounds[lst + 1]]
            rows, slots = np.divmod(pairs, nprobe)
            best, cols = top_k(self._block_scores(q[rows], lo, hi), k, self.metric)  # (m, k)
            span = slots[:, None] * k + np.arange(k)  # (m, k) buffer columns
            cand_scores[rows[:, None], span] = best
            cand_pos[rows[:, None], span] = np.where(cols >= 0, cols + lo, -1)
        D, sel = top_k(cand_scores, k, self.metric)  # (q, k)
        pos = np.take_along_axis(cand_pos, sel, axis=1)
        ids = np.where(pos >= 0, self._ids[np.maximum(pos, 0)], -1)
        D[pos < 0] = worst_score(self.metric)
        return D, ids

    def recall_curve(self, queries=None, *, k: int | None = None, n_queries: int = 500):
        """recall@k for nprobe = 1..nlist from one exact search → array (nlist,).

        With ``queries=None``, up to ``n_queries`` stored vectors serve as leave-one-out
        queries (each one's own entry is excluded from its true neighbours).
        """
        k = self.calibration_k if k is None else check_k(k)
        if self.ntotal < 2:
            return np.ones(len(self.centroids))
        rng = check_random_state(self.random_state)
        if queries is None:
            pick = rng.choice(self.ntotal, size=min(n_queries, self.ntotal), replace=False)
            q, self_pos = self._vectors[pick], pick
        else:
            q, self_pos = self._prepare(queries, "queries"), None
        kk = min(k, self.ntotal - (self_pos is not None))
        scores = score_block(self.metric, q, self._vectors, self._sq_norms)  # (m, n)
        if self_pos is not None:
            scores[np.arange(len(q)), self_pos] = worst_score(self.metric)
        true_pos = top_k(scores, kk, self.metric)[1]  # (m, kk) positions
        true_lists = self._lists[true_pos]  # (m, kk)
        full_order = self._coarse_order(q, len(self.centroids))  # (m, nlist)
        rank = np.empty_like(full_order)
        rank[np.arange(len(q))[:, None], full_order] = np.arange(full_order.shape[1])
        neighbour_rank = np.take_along_axis(rank, true_lists, axis=1)  # (m, kk)
        hits = np.bincount(neighbour_rank.ravel(), minlength=len(self.centroids))
        return np.cumsum(hits) / neighbour_rank.size  # recall when nprobe = index + 1

    def calibrate(self, queries=None, *, target_recall: float | None = None) -> int:
        """Smallest nprobe with recall@calibration_k ≥ target on sample queries (stored)."""
        target = self.target_recall if target_recall is None else float(target_recall)
        curve = self.recall_curve(queries)
        reach = np.flatnonzero(curve >= min(1.0, target + 0.005))  # small safety margin
        self._auto_nprobe = int(reach[0] + 1) if reach.size else len(self.centroids)
        self._calibrated_at = self.ntotal
        return self._auto_nprobe

    # ------------------------------------------------------------------ saving
    def save(self, path):
        """Write the index to one ``.safetensors`` file (no pickle); read it with ``load_index``."""
        if not self.is_trained:
            raise RuntimeError("IVFIndex: nothing to save before train()/add().")
        config = {
            "dim": self.dim,
            "metric": self.metric,
            "nlist": int(len(self.centroids)),
            "nprobe": self.nprobe,
            "auto_nprobe": self._auto_nprobe if self._calibrated_at == self.ntotal else None,
            "target_recall": self.target_recall,
            "calibration_k": self.calibration_k,
            "n_iter": self.n_iter,
        }
        arrays = {
            "centroids": self.centroids,
            "vectors": self._vectors,
            "ids": self._ids,
            "lists": self._lists,
        }
        return save_index(path, self.kind, config, arrays)

    @classmethod
    def _from_saved(cls, config, arrays):
        index = cls(
            config["dim"],
            config["metric"],
            nlist=config["nlist"],
            nprobe=config["nprobe"],
            target_recall=config["target_recall"],
            calibration_k=config["calibration_k"],
            n_iter=config["n_iter"],
        )
        index.centroids = arrays["centroids"].astype(np.float32)
        index._vectors = arrays["vectors"].astype(np.float32)
        index._ids = arrays["ids"].astype(np.int64)
        index._lists = arrays["lists"].astype(np.int64)
        index._sq_norms = np.einsum("ij,ij->i", index._vectors, index._vectors)
        counts = np.bincount(index._lists, minlength=len(index.centroids))
        index._offsets = np.concatenate([[0], np.cumsum(counts)])
        if config.get("auto_nprobe") is not None:
            index._auto_nprobe, index._calibrated_at = config["auto_nprobe"], index.ntotal
        return index

    @classmethod
    def load(cls, path) -> IVFIndex:
        kind, config, arrays = read_index(path)
        if kind != cls.kind:
            raise ValueError(f"{path}: holds a {kind!r} index, not a {cls.kind!r} one.")
        return cls._from_saved(config, arrays)

    def __repr__(self) -> str:
        nlist = None if self.centroids is None else len(self.centroids)
        return (
            f"IVFIndex(dim={self.dim}, metric={self.metric!r}, nlist={nlist}, ntotal={self.ntotal})"
        )
