"""word2vec: skip-gram / CBOW with negative sampling, hierarchical softmax or full softmax.

For a (input h, output word o) pair with output vectors v'_t and targets t with labels y_t:
  negative sampling: targets = {o} + k noise words ~ unigram^0.75, y = (1, 0, ..., 0)
  hierarchical softmax: targets = inner nodes on o's Huffman path, y = 1 - code bit
  loss = -sum_t [y_t log s(h.v'_t) + (1 - y_t) log s(-h.v'_t)]
  g_t = alpha (y_t - s(h.v'_t));  v'_t += g_t h;  h-words += sum_t g_t v'_t
Full softmax (negative=0, hs=0): g = alpha (onehot(o) - softmax(h V'^T)).
Skip-gram: h = W[center], o = context word. CBOW: h = mean of W[context], o = center.
Subsampling keeps a word of count c with p = (sqrt(c / (s N)) + 1) s N / c (gensim's formula);
the window is shrunk per centre to b ~ U{1..window}; alpha decays linearly to min_alpha.
Updates are done per mini-batch of pairs: gather rows, batched dots (einsum), and scatter-adds
table[rows] += G @ x done in place by scipy's compiled sparse kernel (no (V, d) temporary).
Noise words are drawn from a precomputed unigram^0.75 table (word2vec.c style).
Inventory: TX-10, TX-11, TX-12, TX-13.

Example
-------
>>> sents = [["a", "b", "c"], ["b", "c", "d"]] * 50
>>> wv = Word2Vec(vector_size=8, min_count=1, epochs=1, progress=False).fit(sents).wv
>>> wv["a"].shape
(8,)
"""

from __future__ import annotations

import heapq
import numbers
from collections import Counter

import numpy as np
import scipy.sparse as sp

from glassml._core import check_scalar

from .keyed_vectors import KeyedVectors

__all__ = ["Word2Vec", "huffman_tree"]


def huffman_tree(counts):
    """Huffman codes for word counts: (codes, points, lengths) padded to the longest code.

    points[w, j] = index of the j-th inner node on the root->w path, codes[w, j] its branch bit.
    """
    n = len(counts)
    heap = [(int(c), i) for i, c in enumerate(counts)]
    heapq.heapify(heap)
    parent = np.zeros(2 * n, dtype=np.int64)
    bit = np.zeros(2 * n, dtype=np.int8)
    next_id = n
    while len(heap) > 1:
        c1, a = heapq.heappop(heap)
        c2, b = heapq.heappop(heap)
        parent[a], parent[b], bit[a], bit[b] = next_id, next_id, 0, 1
        heapq.heappush(heap, (c1 + c2, next_id))
        next_id += 1
    root = next_id - 1
    paths = []
    for w in range(n):
        code, point, node = [], [], w
        while node != root:
            code.append(bit[node])
            point.append(parent[node] - n)  # inner nodes numbered 0..n-2
            node = parent[node]
        paths.append((code[::-1], point[::-1]))
    L = max(1, max(len(c) for c, _ in paths))
    codes = np.zeros((n, L), dtype=np.float32)
    points = np.zeros((n, L), dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    for w, (c, p) in enumerate(paths):
        codes[w, : len(c)], points[w, : len(p)], lengths[w] = c, p, len(c)
    return codes, points, lengths


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _load_csc_matvecs():
    """SciPy's compiled kernel behind CSC @ dense, ``Y += A @ X`` accumulated in place, or None.

    It is private (``scipy.sparse._sparsetools.csc_matvecs``): when a SciPy release moves or
    renames it, the scatter-adds below take the public ``sp.csc_matrix(...) @ x`` path, which
    gives the same sums through one (V, d) temporary.
    """
    try:
        from scipy.sparse import _sparsetools
    except ImportError:
        return None
    return getattr(_sparsetools, "csc_matvecs", None)


_csc_matvecs = _load_csc_matvecs()


def _accumulate_csc(n_row, n_col, indptr, indices, data, x, out) -> bool:
    """out += A @ x in place for the CSC matrix A (n_row, n_col) = (data, indices, indptr), x
    (n_col, d), out (n_row, d) C-contiguous of x's dtype, through the private kernel.

    Returns False, having changed nothing, when the kernel is missing or rejects the arguments
    (a changed signature): the callers then take the public path.
    """
    if _csc_matvecs is None:
        return False
    try:
        _csc_matvecs(n_row, n_col, out.shape[1], indptr, indices, data, x.reshape(-1),
                     out.reshape(-1))  # fmt: skip
    except (TypeError, ValueError):  # its argument checks run before anything is written
        return False
    return True


_NOISE_TABLE_SIZE = 1 << 22  # entries of the unigram table (word2vec.c uses 1e8 for 3M words)


def _index_dtype(n):
    return np.int32 if n < np.iinfo(np.int32).max else np.int64


def _scatter_rows(table, rows, weights, x):
    """table[rows[b, k]] += weights[b, k] * x[b] for every (b, k), repeated rows summed.

    table (V, d), rows (B, K) int, weights (B, K), x (B, d). This is table += G @ x for the sparse
    (V, B) matrix G[rows[b, k], b] = weights[b, k]: stored column-wise (CSC, column b holds its K
    entries) it needs no conversion, and scipy's kernel accumulates straight into ``table``.
    """
    B, K = rows.shape
    V, d = table.shape
    weights = np.ascontiguousarray(weights, dtype=table.dtype).reshape(-1)  # (B K,)
    x = np.ascontiguousarray(x, dtype=table.dtype)  # (B, d)
    idx = _index_dtype(max(V, B * K + 1))
    indptr = np.arange(0, B * K + 1, K, dtype=idx)  # (B + 1,) column starts
    indices = rows.astype(idx, copy=False).reshape(-1)  # (B K,) row of each entry
    if table.flags.c_contiguous and _accumulate_csc(V, B, indptr, indices, weights, x, table):
        return
    table += sp.csc_matrix((weights, indices, indptr), shape=(V, B)) @ x  # public path


def _scatter_sparse_t(table, A, x):
    """table += A.T @ x in place for a CSR matrix A (B, V), x (B, d), table (V, d).

    A's CSR arrays read as the CSC arrays of A.T, so no transpose or (V, d) temporary is built.
    """
    A = A.tocsr()
    x = np.ascontiguousarray(x, dtype=table.dtype)  # (B, d)
    B, V = A.shape
    fast = table.flags.c_contiguous and A.dtype == table.dtype and A.indices.dtype == A.indptr.dtype
    if fast and _accumulate_csc(V, B, A.indptr, A.indices, A.data, x, table):
        return
    table += A.T @ x  # public path


def _scatter_add(table, rows, updates):
    """table[rows[i]] += updates[i] for repeated rows (in place, no (V, d) temporary)."""
    rows = np.asarray(rows).reshape(-1, 1)  # (m, 1)
    _scatter_rows(table, rows, np.ones(len(rows), dtype=table.dtype), updates)


class Word2Vec:
    """word2vec embeddings trained in NumPy (Inventory: TX-10..TX-13).

    Parameters: vector_size, window, sg (1 skip-gram, 0 CBOW), negative (noise words, 0 = off),
    hs (1 = hierarchical softmax), sample (subsampling threshold), min_count, alpha, min_alpha,
    epochs, ns_exponent (noise distribution power), batch_size (pairs per update), seed,
    progress (tqdm bar). negative=0 and hs=0 trains with the full softmax (TX-12 baseline).
    """

    def __init__(self, *, vector_size=100, window=5, sg=1, negative=5, hs=0, sample=1e-3,
                 min_count=5, alpha=0.025, min_alpha=1e-4, epochs=5, ns_exponent=0.75,
                 batch_size=2048, seed=0, progress=True):  # fmt: skip
        self.vector_size = vector_size
        self.window = window
        self.sg = sg
        self.negative = negative
        self.hs = hs
        self.sample = sample
        self.min_count = min_count
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.ns_exponent = ns_exponent
        self.batch_size = batch_size
        self.seed = seed
        self.progress = progress

    # ------------------------------------------------------------------ vocabulary
    def _check_params(self):
        check_scalar(self.vector_size, "vector_size", numbers.Integral, min_val=1)
        check_scalar(self.window, "window", numbers.Integral, min_val=1)
        check_scalar(self.negative, "negative", numbers.Integral, min_val=0)
        check_scalar(self.min_count, "min_count", numbers.Integral, min_val=1)
        check_scalar(self.epochs, "epochs", numbers.Integral, min_val=1)
        check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        check_scalar(self.alpha, "alpha", numbers.Real, min_val=0.0, include_boundaries="neither")
        check_scalar(self.sample, "sample", numbers.Real, min_val=0.0)
        if self.sg not in (0, 1):
            raise ValueError(f"sg: expected 0 (CBOW) or 1 (skip-gram), got {self.sg!r}.")
        if self.hs not in (0, 1):
            raise ValueError(f"hs: expected 0 or 1, got {self.hs!r}.")

    def _build_vocab(self, sentences):
        counts = Counter(w for s in sentences for w in s)
        kept = sorted(
            ((w, c) for w, c in counts.items() if c >= self.min_count), key=lambda wc: -wc[1]
        )
        if not kept:
            raise ValueError(
                f"sentences: no word occurs min_count={self.min_count} times; nothing to train."
            )
        self.index_to_key_ = [w for w, _ in kept]
        self.key_to_index_ = {w: i for i, w in enumerate(self.index_to_key_)}
        self.counts_ = np.array([c for _, c in kept], dtype=np.int64)  # (V,)
        total = self.counts_.sum()
        if self.sample > 0:
            threshold = self.sample * total
            keep = (np.sqrt(self.counts_ / threshold) + 1) * threshold / self.counts_
            self.keep_prob_ = np.minimum(keep, 1.0)  # (V,)
        else:
            self.keep_prob_ = np.ones(len(kept))
        self._set_noise_distribution(self.counts_.astype(np.float64) ** self.ns_exponent)
        if self.hs:
            self.codes_, self.points_, self.code_len_ = huffman_tree(self.counts_)

    def _set_noise_distribution(self, weights):
        """Noise law P(w) = weights_w / sum(weights) as its CDF and a unigram table.

        The table holds word w in round(T cdf_w) - round(T cdf_{w-1}) of its T slots, so a uniform
        slot index draws w with P(w) up to 1/(2T) (word2vec.c's table); a word too rare to get a
        slot would never be drawn, so such vocabularies fall back to a search in the CDF.
        """
        weights = np.asarray(weights, dtype=np.float64)  # (V,)
        self.noise_cdf_ = np.cumsum(weights / weights.sum())  # (V,)
        bounds = np.rint(self.noise_cdf_ * _NOISE_TABLE_SIZE).astype(np.int64)  # (V,)
        slots = np.diff(bounds, prepend=0)  # (V,) table entries per word
        if np.all(slots[weights > 0] > 0):
            self.noise_table_ = np.repeat(np.arange(len(weights), dtype=np.int32), slots)  # (T,)
        else:
            self.noise_table_ = None

    def _sample_noise(self, shape, rng):
        """Noise word ids of the given shape, drawn from the unigram^ns_exponent law."""
        table = getattr(self, "noise_table_", None)
        if table is not None:
            return table[rng.integers(0, len(table), size=shape)]
        noise = np.searchsorted(self.noise_cdf_, rng.random(shape))
        return np.minimum(noise, len(self.noise_cdf_) - 1)

    # ------------------------------------------------------------------ pairs
    def _encode(self, sentences):
        """Concatenated word ids (N,) and sentence ids (N,) of in-vocabulary tokens."""
        index = self.key_to_index_
        ids, sent = [], []
        for s_id, s in enumerate(sentences):
            row = [index[w] for w in s if w in index]
            ids.extend(row)
            sent.extend([s_id] * len(row))
        return np.asarray(ids, dtype=np.int64), np.asarray(sent, dtype=np.int64)

    def _pairs(self, ids, sent, rng):
        """(centre position, context position) pairs after subsampling and window shrinking."""
        keep = rng.random(len(ids)) < self.keep_prob_[ids]
        ids, sent = ids[keep], sent[keep]
        reduced = rng.integers(1, self.window + 1, size=len(ids))  # (N,) effective window
        centres, contexts = [], []
        for d in range(1, self.window + 1):
            i = np.arange(len(ids) - d)
            same = sent[i] == sent[i + d]
            right = same & (d <= reduced[i])  # centre i, context i + d
            left = same & (d <= reduced[i + d])  # centre i + d, context i
            centres += [i[right], i[left] + d]
            contexts += [i[right] + d, i[left]]
        c = np.concatenate(centres)
        o = np.concatenate(contexts)
        order = np.argsort(c, kind="stable")  # stream through the text in order
        return ids, c[order], o[order]

    # ------------------------------------------------------------------ updates
    def _targets(self, out_words, rng):
        """Output rows (B, K), labels (B, K) and weights (B, K) for each predicted word."""
        dtype = self.syn1_.dtype
        if self.hs:
            rows = self.points_[out_words]  # (B, L)
            labels = (1.0 - self.codes_[out_words]).astype(dtype)
            mask = np.arange(rows.shape[1]) < self.code_len_[out_words][:, None]
            return rows, labels, mask.astype(dtype)
        B, k = len(out_words), self.negative
        noise = self._sample_noise((B, k), rng)  # (B, k)
        rows = np.empty((B, k + 1), dtype=np.int64)  # (B, k + 1): target, then noise words
        rows[:, 0], rows[:, 1:] = out_words, noise
        labels = np.zeros((B, k + 1), dtype=dtype)
        labels[:, 0] = 1.0
        mask = np.ones((B, k + 1), dtype=dtype)
        mask[:, 1:] = noise != out_words[:, None]  # gensim skips a noise word equal to target
        return rows, labels, mask

    def _step(self, h, out_words, alpha, rng):
        """Gradient step on output vectors; returns the gradient for the input vector h (B, d)."""
        if self.negative == 0 and self.hs == 0:  # full softmax over the vocabulary
            scores = h @ self.syn1_.T  # (B, V)
            scores -= scores.max(axis=1, keepdims=True)
            p = np.exp(scores)
            p /= p.sum(axis=1, keepdims=True)
            g = -alpha * p  # (B, V)
            g[np.arange(len(out_words)), out_words] += alpha
            grad_h = g @ self.syn1_  # (B, d)
            self.syn1_ += g.T @ h
            return grad_h
        rows, labels, mask = self._targets(out_words, rng)  # (B, K) each
        W = np.take(self.syn1_, rows, axis=0)  # (B, K, d) output vectors
        scores = np.einsum("bkd,bd->bk", W, h)  # (B, K) batched dots
        g = (alpha * mask) * (labels - _sigmoid(scores))  # (B, K)
        grad_h = np.einsum("bk,bkd->bd", g, W)  # (B, d) gradient for the input words
        _scatter_rows(self.syn1_, rows, g, h)  # syn1[rows[b, k]] += g[b, k] h[b], in place
        return grad_h

    def fit(self, sentences):
        """Train on an iterable of token lists; returns self (vectors in ``self.wv``)."""
        self._check_params()
        if isinstance(sentences, str) or any(isinstance(s, str) for s in sentences[:1]):
            raise TypeError("sentences: expected a list of token lists, got strings.")
        sentences = [list(s) for s in sentences]
        self._build_vocab(sentences)
        rng = np.random.default_rng(self.seed)
        V, d = len(self.index_to_key_), self.vector_size
        self.syn0_ = ((rng.random((V, d), dtype=np.float32) - 0.5) / d).astype(np.float32)
        n_out = V - 1 if self.hs else V
        self.syn1_ = np.zeros((max(n_out, 1), d), dtype=np.float32)
        ids, sent = self._encode(sentences)
        self.corpus_words_ = len(ids)
        total_steps = self.epochs * max(1, len(ids))
        done, self.loss_history_ = 0, []
        bar = _progress(total_steps, self.progress)
        for _epoch in range(self.epochs):
            kept, c, o = self._pairs(ids, sent, rng)
            if self.sg:
                self._epoch_sg(kept, c, o, done, total_steps, rng, bar, len(ids))
            else:
                self._epoch_cbow(kept, c, o, done, total_steps, rng, bar, len(ids))
            done += len(ids)
        bar.close()
        self._finish_vectors()
        return self

    def _finish_vectors(self):
        self.wv = KeyedVectors(self.index_to_key_, self.syn0_)

    def _batch(self):
        # Pairs of one batch are applied at once; on a tiny vocabulary the same rows would get
        # hundreds of summed updates and overshoot, so the batch is capped near 4 x V.
        return int(min(self.batch_size, max(64, 4 * len(self.index_to_key_))))

    def _alpha(self, progress):
        return self.alpha - (self.alpha - self.min_alpha) * min(progress, 1.0)

    def _epoch_sg(self, kept, c, o, done, total, rng, bar, n_words):
        n_pairs, B = len(c), self._batch()
        for start in range(0, n_pairs, B):
            centre = kept[c[start : start + B]]  # (B,) input words
            context = kept[o[start : start + B]]  # (B,) predicted words
            frac = start / max(n_pairs, 1)
            alpha = np.float32(self._alpha((done + frac * n_words) / total))
            h = np.take(self.syn0_, centre, axis=0)  # (B, d)
            grad_h = self._step(h, context, alpha, rng)
            _scatter_add(self.syn0_, centre, grad_h)
            bar.update(int(n_words * min(B, n_pairs - start) / n_pairs))

    def _epoch_cbow(self, kept, c, o, done, total, rng, bar, n_words):
        # Group the pairs by centre: each centre predicts itself from its window's mean vector.
        centres, starts, n_ctx = np.unique(c, return_index=True, return_counts=True)
        n_c, B = len(centres), max(1, self._batch() // (2 * self.window))
        for s in range(0, n_c, B):
            sl = slice(s, s + B)
            first, last = starts[sl][0], starts[sl][-1] + n_ctx[sl][-1]
            ctx_words = kept[o[first:last]]  # (P,) contexts of this batch's centres
            owner = np.repeat(np.arange(len(centres[sl])), n_ctx[sl])  # (P,) centre slot
            S = sp.csr_matrix(
                (np.ones(len(owner), np.float32), (owner, np.arange(len(owner)))),
                shape=(len(centres[sl]), len(owner)),
            )
            h = (S @ self.syn0_[ctx_words]) / n_ctx[sl][:, None].astype(np.float32)  # (b, d)
            alpha = np.float32(self._alpha((done + s / n_c * n_words) / total))
            grad_h = self._step(h.astype(np.float32), kept[centres[sl]], alpha, rng)
            _scatter_add(self.syn0_, ctx_words, grad_h[owner])
            bar.update(int(n_words * len(centres[sl]) / n_c))


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, enabled):
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="word", desc="word2vec")
