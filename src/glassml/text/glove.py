"""GloVe (Pennington et al. 2014): weighted least squares on log co-occurrence counts (TX-15).

J = sum_{i,j: X_ij > 0} f(X_ij) (w_i . w~_j + b_i + b~_j - log X_ij)^2,
f(x) = (x / x_max)^alpha for x < x_max, else 1. X_ij counts j within `window` of i, weighted
1/distance. Trained with AdaGrad on mini-batches of non-zero entries; vectors = W + W~.

Example
-------
>>> g = GloVe(vector_size=4, epochs=2, min_count=1).fit([["a", "b", "c"]] * 20)
>>> g.wv["a"].shape
(4,)
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np
import scipy.sparse as sp

from glassml._core import check_scalar

from .keyed_vectors import KeyedVectors
from .word2vec import _scatter_add

__all__ = ["GloVe", "cooccurrence_matrix"]


def cooccurrence_matrix(sentences, key_to_index, window):
    """Symmetric (V, V) CSR matrix of 1/distance-weighted co-occurrence counts."""
    ids, sent = [], []
    for s_id, s in enumerate(sentences):
        row = [key_to_index[w] for w in s if w in key_to_index]
        ids += row
        sent += [s_id] * len(row)
    ids, sent = np.asarray(ids, dtype=np.int64), np.asarray(sent, dtype=np.int64)
    rows, cols, vals = [], [], []
    for d in range(1, window + 1):
        i = np.flatnonzero(sent[:-d] == sent[d:]) if len(ids) > d else np.array([], int)
        rows.append(ids[i])
        cols.append(ids[i + d])
        vals.append(np.full(len(i), 1.0 / d))
    V = len(key_to_index)
    X = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(V, V)
    ).tocsr()
    return (X + X.T).tocsr()


def glove_loss_grad(W, Wt, b, bt, i, j, x, x_max, alpha):
    """Loss and gradients of the GloVe objective restricted to entries (i, j, x)."""
    f = np.minimum((x / x_max) ** alpha, 1.0)  # (m,) weights
    diff = np.sum(W[i] * Wt[j], axis=1) + b[i] + bt[j] - np.log(x)  # (m,)
    loss = float(np.sum(f * diff**2))
    fd = 2.0 * f * diff  # (m,)
    return loss, fd[:, None] * Wt[j], fd[:, None] * W[i], fd, fd


class GloVe:
    """GloVe embeddings trained with AdaGrad (Inventory: TX-15).

    Parameters: vector_size, window, min_count, x_max, alpha, learning_rate, epochs,
    batch_size (non-zero entries per step), seed.
    """

    def __init__(self, *, vector_size=50, window=5, min_count=5, x_max=100.0, alpha=0.75,
                 learning_rate=0.05, epochs=25, batch_size=4096, seed=0):  # fmt: skip
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.x_max = x_max
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def fit(self, sentences):
        """Count co-occurrences and fit the vectors; returns self (vectors in ``self.wv``)."""
        check_scalar(self.vector_size, "vector_size", numbers.Integral, min_val=1)
        check_scalar(self.window, "window", numbers.Integral, min_val=1)
        check_scalar(self.epochs, "epochs", numbers.Integral, min_val=1)
        check_scalar(self.x_max, "x_max", numbers.Real, min_val=0.0, include_boundaries="neither")
        sentences = [list(s) for s in sentences]
        counts = Counter(w for s in sentences for w in s)
        words = sorted((w for w, c in counts.items() if c >= self.min_count),
                       key=lambda w: (-counts[w], w))  # fmt: skip
        if not words:
            raise ValueError(f"sentences: no word occurs min_count={self.min_count} times.")
        index = {w: k for k, w in enumerate(words)}
        X = cooccurrence_matrix(sentences, index, self.window).tocoo()
        i, j, x = X.row, X.col, X.data  # non-zero entries
        rng = np.random.default_rng(self.seed)
        V, d = len(words), self.vector_size
        params = [
            (rng.random((V, d)) - 0.5) / d,
            (rng.random((V, d)) - 0.5) / d,
            np.zeros(V),
            np.zeros(V),
        ]  # fmt: skip  W, W~, b, b~
        accum = [np.ones_like(p) for p in params]  # AdaGrad squared-gradient sums
        self.loss_history_ = []
        # Entries of one batch update shared rows at once: cap the batch near 4 x V so a row
        # never receives hundreds of summed steps (same reason as in Word2Vec).
        batch = int(min(self.batch_size, max(64, 4 * V)))
        for _ in range(self.epochs):
            order = rng.permutation(len(x))
            total = 0.0
            for s in range(0, len(x), batch):
                k = order[s : s + batch]
                loss, gW, gWt, gb, gbt = glove_loss_grad(*params, i[k], j[k], x[k],
                                                         self.x_max, self.alpha)  # fmt: skip
                total += loss
                for p, acc, rows, g in zip(params, accum, (i[k], j[k], i[k], j[k]),
                                           (gW, gWt, gb, gbt), strict=True):  # fmt: skip
                    g2 = g[:, None] if g.ndim == 1 else g
                    step = np.zeros((p.shape[0], g2.shape[1]))
                    sq = np.zeros_like(step)
                    _scatter_add(step, rows, g2)
                    _scatter_add(sq, rows, g2 * g2)
                    acc2 = acc.reshape(step.shape) if p.ndim == 1 else acc
                    p2 = p.reshape(step.shape) if p.ndim == 1 else p
                    p2 -= self.learning_rate * step / np.sqrt(acc2)
                    acc2 += sq
            self.loss_history_.append(total)
        W, Wt = params[0], params[1]
        self.wv = KeyedVectors(words, (W + Wt).astype(np.float32))
        return self
