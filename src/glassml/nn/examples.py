"""Multi-input / multi-output patterns of the notes (NL-03, NL-04) as small example modules.

* ``TwoHeadNet`` (NL-04, hard parameter sharing): a shared backbone h = f(x) feeding a
  classification head (logits, K classes) and a regression head (one value);
  the training loss is a weighted sum, L = w_cls * CE + w_reg * MSE (loss weights 1.0 / 0.5 in
  the notes).
* ``BranchMergeNet`` (NL-03): two input branches (dense features; token ids through an
  Embedding, mean-pooled = GlobalAveragePooling1D) merged by concatenation (or addition),
  then a shared Dense layer and the two heads.

Example
-------
>>> from glassml.autograd import randn, tensor
>>> net = TwoHeadNet(in_features=8, hidden=16, n_classes=3)
>>> logits, value = net(randn(4, 8))
>>> logits.shape, value.shape
((4, 3), (4, 1))
"""

from __future__ import annotations

from glassml.autograd import cat

from .activation import ReLU
from .containers import Sequential
from .embedding import Embedding
from .linear import Linear
from .module import Module

__all__ = ["TwoHeadNet", "BranchMergeNet"]


class TwoHeadNet(Module):
    """Shared backbone + classification head + regression head (NL-04).

    forward(x) -> (logits (N, n_classes), value (N, 1)).
    """

    def __init__(self, in_features: int, hidden: int, n_classes: int, *, generator=None):
        super().__init__()
        self.backbone = Sequential(
            Linear(in_features, hidden, generator=generator),
            ReLU(),
            Linear(hidden, hidden, generator=generator),
            ReLU(),
        )
        self.cls_head = Linear(hidden, n_classes, generator=generator)
        self.reg_head = Linear(hidden, 1, generator=generator)

    def forward(self, x):
        h = self.backbone(x)  # (N, hidden), shared by both tasks
        return self.cls_head(h), self.reg_head(h)


class BranchMergeNet(Module):
    """Two input branches merged by ``merge`` ("concat" or "add"), shared Dense, two heads
    (NL-03): a dense-feature branch and a token branch (Embedding + mean over the sequence).

    forward(features (N, F), tokens (N, T) int) -> (logits (N, K), value (N, 1)).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import randn, tensor
    >>> net = BranchMergeNet(5, vocab_size=50, embed_dim=4, hidden=8, n_classes=3)
    >>> out = net(randn(2, 5), tensor(np.array([[1, 2, 3], [4, 5, 0]])))
    >>> out[0].shape, out[1].shape
    ((2, 3), (2, 1))
    """

    def __init__(
        self,
        in_features: int,
        vocab_size: int,
        embed_dim: int,
        hidden: int,
        n_classes: int,
        merge: str = "concat",
        *,
        generator=None,
    ):
        super().__init__()
        if merge not in ("concat", "add"):
            raise ValueError(f"merge must be 'concat' or 'add', got {merge!r}")
        self.merge = merge
        branch_out = embed_dim
        self.dense_branch = Sequential(Linear(in_features, branch_out, generator=generator), ReLU())
        self.embedding = Embedding(vocab_size, embed_dim, generator=generator)
        merged = 2 * branch_out if merge == "concat" else branch_out
        self.shared = Sequential(Linear(merged, hidden, generator=generator), ReLU())
        self.cls_head = Linear(hidden, n_classes, generator=generator)
        self.reg_head = Linear(hidden, 1, generator=generator)

    def forward(self, features, tokens):
        a = self.dense_branch(features)  # (N, E)
        b = self.embedding(tokens).mean(1)  # (N, T, E) -> (N, E): global average pooling
        z = cat([a, b], 1) if self.merge == "concat" else a + b  # (N, 2E) or (N, E)
        h = self.shared(z)  # (N, hidden)
        return self.cls_head(h), self.reg_head(h)
