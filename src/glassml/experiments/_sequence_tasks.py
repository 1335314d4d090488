"""Sequence-classification helpers shared by the attention and Transformer-design experiments
(``experiments/attention.py``, ``experiments/transformer_design.py``).

* :class:`_SequenceClassifier`: embedding (+ positional encoding) -> Transformer encoder ->
  mean pool or last position -> linear head;
* :func:`_train_classifier`: Adam on random mini-batches of cross-entropy;
* :func:`_accuracy`, and the order-only task :func:`_sorted_task`.

Inventory: TR-01..TR-07 (used by CL-185..CL-190, CL-193, CL-195).
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.nn.positional import LearnedPositionalEmbedding, SinusoidalPositionalEncoding
from glassml.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from glassml.optim import Adam

TOPIC = "transformers"


class _SequenceClassifier(nn.Module):
    """Embedding (+ PE) -> Transformer encoder -> mean pool or last position -> Linear."""

    def __init__(self, vocab, n_classes, d, length, *, layers=1, nhead=2, pe="learned",
                 pool="mean", generator=None):  # fmt: skip
        super().__init__()
        self.embed = nn.Embedding(vocab, d, generator=generator)
        self.pe_kind = pe
        if pe == "sinusoidal":
            self.pe = SinusoidalPositionalEncoding(d, length)
        elif pe == "learned":
            self.pe = LearnedPositionalEmbedding(length, d, init_std=1.0, generator=generator)
        layer = TransformerEncoderLayer(
            d, nhead, 2 * d, dropout=0.0, batch_first=True, generator=generator
        )
        self.encoder = TransformerEncoder(layer, layers)
        self.head = nn.Linear(d, n_classes, generator=generator)
        self.pool = pool

    def forward(self, ids):
        x = self.embed(Tensor(ids))  # (B, T, d)
        if self.pe_kind != "none":
            x = self.pe(x)
        h = self.encoder(x)  # (B, T, d)
        return self.head(h.mean(dim=1) if self.pool == "mean" else h[:, -1])


def _train_classifier(model, X, y, steps, *, lr=5e-3, batch=64, seed=0):
    """Adam on random mini-batches; returns the per-step losses."""
    rng = np.random.default_rng(seed)
    opt = Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        idx = rng.integers(0, len(X), batch)
        loss = cross_entropy(model(X[idx]), Tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    return losses


def _accuracy(model, X, y) -> float:
    with no_grad():
        return float((model(X).data.argmax(-1) == y).mean())


def _sorted_task(n, length, vocab, rng):
    """n sorted sequences (label 1) and a shuffled, unsorted copy of each (label 0): the two
    classes hold the same multisets, so only the order tells them apart."""
    pos = np.sort(rng.integers(0, vocab, size=(n, length)), axis=1)
    pos = pos[pos[:, 0] != pos[:, -1]]  # at least two distinct values: an unsorted copy exists
    neg = pos.copy()
    for row in neg:
        while np.all(np.diff(row) >= 0):
            rng.shuffle(row)
    X = np.concatenate([pos, neg])
    return X, np.r_[np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)]
