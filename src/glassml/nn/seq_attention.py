"""Attention for RNN encoder-decoders: Bahdanau (additive) and Luong (dot, general, concat).

A decoder state q (the *query*) looks at the encoder states k_1..k_S (the *keys*, also the
*values* unless others are given):

    e_s = score(q, k_s)                         (masked: e_s = -inf where mask_s is False)
    a   = softmax(e)                            (the attention weights, Σ_s a_s = 1)
    c   = Σ_s a_s v_s                           (the context vector)

Scores:

    Bahdanau (additive, SQ-07):  e_s = vᵀ tanh(W_q q + W_k k_s + b)
    Luong "dot" (SQ-08):         e_s = qᵀ k_s                  (query_size == key_size)
    Luong "general":             e_s = qᵀ W k_s
    Luong "concat":              e_s = vᵀ tanh(W [q; k_s])     (W split into its q and k parts,
                                                               so [q; k_s] is never built)

Masking sets the *scores* of padded source positions to -inf before the softmax (inventory
E-27), so their weights are exactly 0 and the others still sum to 1.

Both modules take ``query`` of shape (B, Hq) — one decoder step — or (B, T, Hq) — all T steps
at once (Luong attention after a teacher-forced RNN) — and return ``(context, weights)`` of
shapes (B, Hv) and (B, S), or (B, T, Hv) and (B, T, S). The key projection W_k k_s does not
depend on the step: compute it once per source with :meth:`project_keys` and pass it as
``projected_keys`` to every step.

Inventory: SQ-06, SQ-07, SQ-08, CL-182, CL-192.

Example
-------
>>> from glassml.autograd import randn
>>> attn = BahdanauAttention(query_size=8, key_size=6, attention_size=5)
>>> context, weights = attn(randn(2, 8), randn(2, 4, 6))
>>> context.shape, weights.shape
((2, 6), (2, 4))
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, matmul, tanh
from glassml.autograd.fused import linear, softmax

from .linear import Linear
from .module import Module

__all__ = ["BahdanauAttention", "LuongAttention", "attend"]

LUONG_SCORES = ("dot", "general", "concat")


def _check_size(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _as_mask(mask, batch: int, source: int, owner: str) -> np.ndarray | None:
    """The source mask as a bool array (B, S), True where the position may be attended."""
    if mask is None:
        return None
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{owner}: mask must be boolean (True = attend), got dtype {m.dtype}")
    if m.shape != (batch, source):
        raise ValueError(f"{owner}: mask must have shape (B, S) = {(batch, source)}, got {m.shape}")
    if not m.any(axis=1).all():
        raise ValueError(f"{owner}: every row of mask needs at least one True (attendable) entry")
    return m


def _check_inputs(query, keys, values, query_size, key_size, owner):
    for name, t in (("query", query), ("keys", keys)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{owner}: {name} must be a glassml Tensor, got {type(t).__name__}")
    if query.ndim not in (2, 3) or query.shape[-1] != query_size:
        raise ValueError(
            f"{owner}: query must have shape (B, {query_size}) or (B, T, {query_size}), "
            f"got {tuple(query.shape)}"
        )
    if keys.ndim != 3 or keys.shape[-1] != key_size or keys.shape[0] != query.shape[0]:
        raise ValueError(
            f"{owner}: keys must have shape (B, S, {key_size}) with B = {query.shape[0]}, "
            f"got {tuple(keys.shape)}"
        )
    if values is not None:
        if not isinstance(values, Tensor):
            raise TypeError(
                f"{owner}: values must be a glassml Tensor, got {type(values).__name__}"
            )
        if values.ndim != 3 or values.shape[:2] != keys.shape[:2]:
            raise ValueError(
                f"{owner}: values must have shape (B, S, Hv) = ({keys.shape[0]}, {keys.shape[1]}, "
                f"Hv), got {tuple(values.shape)}"
            )


def attend(scores: Tensor, values: Tensor, mask=None):
    """Masked softmax over the source and the weighted sum of the values.

    a = softmax(scores masked to -inf where mask is False) over the last axis; c = a @ values.

    Parameters
    ----------
    scores : Tensor (B, T, S);  values : Tensor (B, S, Hv);  mask : bool (B, S) or None

    Returns ``(context (B, T, Hv), weights (B, T, S))``.

    Inventory: SQ-06, E-27.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> c, a = attend(randn(2, 3, 4), randn(2, 4, 5))
    >>> c.shape, a.shape
    ((2, 3, 5), (2, 3, 4))
    """
    if mask is not None:
        m = _as_mask(mask, scores.shape[0], scores.shape[-1], "attend")
        scores = scores.masked_fill(~m[:, None, :], -np.inf)  # (B, T, S)
    weights = softmax(scores, dim=-1)  # (B, T, S)
    context = matmul(weights, values)  # (B, T, Hv)
    return context, weights


class _SeqAttention(Module):
    """Shared forward: scores -> masked softmax -> context, for 2-D or 3-D queries."""

    query_size: int
    key_size: int

    def project_keys(self, keys: Tensor) -> Tensor:  # pragma: no cover - overridden
        return keys

    def scores(self, query: Tensor, projected_keys: Tensor) -> Tensor:  # pragma: no cover
        raise NotImplementedError

    def forward(self, query, keys, values=None, mask=None, *, projected_keys=None):
        """Return ``(context, weights)``; see the module docstring for the shapes.

        query (B, Hq) or (B, T, Hq); keys (B, S, Hk); values (B, S, Hv), default keys;
        mask bool (B, S), True = attend; projected_keys = ``self.project_keys(keys)`` (reuse it
        across decoder steps).
        """
        owner = type(self).__name__
        _check_inputs(query, keys, values, self.query_size, self.key_size, owner)
        single_step = query.ndim == 2
        q = query.unsqueeze(1) if single_step else query  # (B, T, Hq)
        m = _as_mask(mask, keys.shape[0], keys.shape[1], owner)
        pk = self.project_keys(keys) if projected_keys is None else projected_keys
        context, weights = attend(self.scores(q, pk), keys if values is None else values, m)
        if single_step:
            return context.squeeze(1), weights.squeeze(1)  # (B, Hv), (B, S)
        return context, weights  # (B, T, Hv), (B, T, S)


class BahdanauAttention(_SeqAttention):
    r"""Additive attention: e_s = vᵀ tanh(W_q q + W_k k_s + b), a = softmax(e), c = Σ a_s v_s.

    Parameters ``query_proj.weight`` (A, Hq) = W_q, ``key_proj.weight`` (A, Hk) = W_k,
    ``key_proj.bias`` (A,) = b, ``v.weight`` (1, A) = vᵀ; PyTorch's Linear initialisation.

    Inventory: SQ-06, SQ-07, CL-192.

    Parameters
    ----------
    query_size : int — Hq, the decoder state size
    key_size : int — Hk, the encoder state size
    attention_size : int, default query_size — A, the hidden size of the scoring MLP
    dtype, generator : parameter dtype and the generator of the initial weights

    Example
    -------
    >>> from glassml.autograd import randn
    >>> import numpy as np
    >>> attn = BahdanauAttention(4, 6)
    >>> mask = np.array([[True, True, False]])
    >>> c, a = attn(randn(1, 4), randn(1, 3, 6), mask=mask)
    >>> float(a.numpy()[0, 2]), round(float(a.numpy().sum()), 5)
    (0.0, 1.0)
    """

    def __init__(self, query_size, key_size, attention_size=None, *, dtype=None, generator=None):
        super().__init__()
        owner = "BahdanauAttention"
        self.query_size = _check_size(query_size, "query_size", owner)
        self.key_size = _check_size(key_size, "key_size", owner)
        attention_size = self.query_size if attention_size is None else attention_size
        self.attention_size = _check_size(attention_size, "attention_size", owner)
        kw = dict(dtype=dtype, generator=generator)
        self.query_proj = Linear(self.query_size, self.attention_size, bias=False, **kw)
        self.key_proj = Linear(self.key_size, self.attention_size, bias=True, **kw)
        self.v = Linear(self.attention_size, 1, bias=False, **kw)

    def project_keys(self, keys: Tensor) -> Tensor:
        """W_k k_s + b for every source position: (B, S, Hk) -> (B, S, A)."""
        return self.key_proj(keys)

    def scores(self, query: Tensor, projected_keys: Tensor) -> Tensor:
        """e = vᵀ tanh(W_q q + W_k k): query (B, T, Hq), projected keys (B, S, A) -> (B, T, S)."""
        q = self.query_proj(query).unsqueeze(2)  # (B, T, 1, A)
        hidden = tanh(q + projected_keys.unsqueeze(1))  # (B, T, S, A)
        return self.v(hidden).squeeze(-1)  # (B, T, S)

    def extra_repr(self) -> str:
        return (
            f"query_size={self.query_size}, key_size={self.key_size}, "
            f"attention_size={self.attention_size}"
        )


class LuongAttention(_SeqAttention):
    r"""Multiplicative attention (Luong et al. 2015), a = softmax(e), c = Σ a_s v_s with

    ``score="dot"``: e_s = qᵀ k_s (no parameters; query_size must equal key_size);
    ``score="general"``: e_s = qᵀ W k_s, ``key_proj.weight`` (Hq, Hk) = W;
    ``score="concat"``: e_s = vᵀ tanh(W [q; k_s]), ``proj.weight`` (A, Hq + Hk) = W,
    ``v.weight`` (1, A) = vᵀ.

    Inventory: SQ-06, SQ-08, CL-192.

    Parameters
    ----------
    query_size, key_size : int — Hq and Hk
    score : "dot" | "general" | "concat", default "general"
    attention_size : int, default query_size — A (concat only)
    dtype, generator : parameter dtype and the generator of the initial weights

    Example
    -------
    >>> from glassml.autograd import randn
    >>> attn = LuongAttention(8, 8, score="dot")
    >>> c, a = attn(randn(3, 5, 8), randn(3, 7, 8))        # 5 decoder steps at once
    >>> c.shape, a.shape
    ((3, 5, 8), (3, 5, 7))
    """

    def __init__(
        self,
        query_size,
        key_size,
        score="general",
        attention_size=None,
        *,
        dtype=None,
        generator=None,
    ):
        super().__init__()
        owner = "LuongAttention"
        self.query_size = _check_size(query_size, "query_size", owner)
        self.key_size = _check_size(key_size, "key_size", owner)
        if score not in LUONG_SCORES:
            raise ValueError(f"{owner}: score must be one of {LUONG_SCORES}, got {score!r}")
        self.score = score
        kw = dict(dtype=dtype, generator=generator)
        self.attention_size = None
        if score == "dot":
            if self.query_size != self.key_size:
                raise ValueError(
                    f"{owner}: score='dot' needs query_size == key_size, got "
                    f"{self.query_size} and {self.key_size} (use score='general')"
                )
        elif score == "general":
            self.key_proj = Linear(self.key_size, self.query_size, bias=False, **kw)
        else:
            attention_size = self.query_size if attention_size is None else attention_size
            self.attention_size = _check_size(attention_size, "attention_size", owner)
            self.proj = Linear(self.query_size + self.key_size, self.attention_size, bias=False,
                               **kw)  # fmt: skip
            self.v = Linear(self.attention_size, 1, bias=False, **kw)

    def project_keys(self, keys: Tensor) -> Tensor:
        """The step-independent part of the score: k (dot), W k (general), W_k k (concat)."""
        if self.score == "dot":
            return keys  # (B, S, Hk)
        if self.score == "general":
            return self.key_proj(keys)  # (B, S, Hq)
        return linear(keys, self.proj.weight[:, self.query_size :])  # (B, S, A)

    def scores(self, query: Tensor, projected_keys: Tensor) -> Tensor:
        """Scores (B, T, S) from the queries (B, T, Hq) and the projected keys."""
        if self.score in ("dot", "general"):
            return matmul(query, projected_keys.transpose(1, 2))  # (B, T, S)
        q = linear(query, self.proj.weight[:, : self.query_size]).unsqueeze(2)  # (B, T, 1, A)
        hidden = tanh(q + projected_keys.unsqueeze(1))  # (B, T, S, A)
        return self.v(hidden).squeeze(-1)  # (B, T, S)

    def extra_repr(self) -> str:
        extra = f", attention_size={self.attention_size}" if self.score == "concat" else ""
        return (
            f"query_size={self.query_size}, key_size={self.key_size}, score={self.score!r}{extra}"
        )
