"""GPT: a decoder-only Transformer language model (nanoGPT layout, PyTorch parameter names).

    h_0 = W_te[x] + W_pe[0..T-1]                                (token + learned position, TR-04)
    h_l = h_{l-1} + Attn_causal(LN(h_{l-1}))                    (pre-LN block, TR-09, CL-191)
    h_l = h_l + W_2 GELU(W_1 LN(h_l))                           (position-wise FFN, TR-05)
    logits = LN_f(h_L) W_te^T                                   (tied LM head)
    loss = -1/(B T) sum_{b,t} log softmax(logits_{b,t})[x_{b,t+1}]   (next-token CE, TR-12)

so that P(x_1..x_T) = prod_t P(x_t | x_<t). The causal mask sets the attention *scores* above
the diagonal to -inf before the softmax (inventory E-27), never the weights after it.
Generation (TR-13) samples one token at a time with temperature, top-k and top-p (nucleus)
filtering, or greedily, reusing the keys and values of earlier positions (a KV cache).

Parameter names match nanoGPT (``transformer.wte.weight``, ``transformer.h.0.attn.c_attn.weight``,
``lm_head.weight``, ...), so a state dict moves between glassml and an equivalent torch model.

Inventory: TR-04, TR-05, TR-09, TR-12, TR-13, CL-191, CL-194.

Example
-------
>>> import numpy as np
>>> cfg = GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=8)
>>> model = GPT(cfg, generator=np.random.default_rng(0))
>>> logits, loss = model(np.zeros((2, 5), dtype=np.int64))
>>> logits.shape, loss is None
((2, 5, 11), True)
>>> out = model.generate(np.zeros((1, 1), dtype=np.int64), 4, greedy=True)
>>> out.shape
(1, 5)
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

from glassml import nn
from glassml.autograd import Function, Tensor, no_grad
from glassml.autograd.fused import cross_entropy, embedding, scaled_dot_product_attention
from glassml.autograd.fused import gelu as _fused_gelu

__all__ = ["GPTConfig", "GPT", "KVCache", "causal_attention", "filter_logits", "sample_logits"]


@dataclass
class GPTConfig:
    """Hyper-parameters of :class:`GPT` (nanoGPT's ``GPTConfig``).

    Parameters
    ----------
    vocab_size : number of token ids V.
    block_size : context length: the most positions the model sees (learned position table).
    n_layer, n_head, n_embd : depth, attention heads, model width d (d % n_head == 0).
    dropout : dropout on embeddings, attention weights and residual branches (training only).
    bias : Linear layers and LayerNorms with a bias.
    tie_weights : the LM head shares its weight with the token embedding (W_head = W_te).

    Example
    -------
    >>> GPTConfig(vocab_size=65, block_size=128, n_layer=4, n_head=4, n_embd=128).n_embd
    128
    """

    vocab_size: int = 65
    block_size: int = 128
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True
    tie_weights: bool = True

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"GPTConfig: {name} must be a positive integer, got {value!r}")
            setattr(self, name, int(value))
        if self.n_embd % self.n_head:
            raise ValueError(
                f"GPTConfig: n_embd must be divisible by n_head, got n_embd={self.n_embd} "
                f"and n_head={self.n_head}"
            )
        if not isinstance(self.dropout, numbers.Real) or not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout!r}")
        self.dropout = float(self.dropout)

    def to_dict(self) -> dict:
        """The fields as a JSON-serialisable dict (what ``config.json`` stores)."""
        return asdict(self)


class KVCache:
    """Keys and values of the positions already processed, one pair of buffers per layer.

    k[l], v[l] : (B, n_head, block_size, head_dim), filled up to ``length``. A new chunk of
    T positions appends its keys/values and attends to all ``length + T`` positions.

    Example
    -------
    >>> cache = KVCache(n_layer=2, batch=1, n_head=2, block_size=8, head_dim=4, dtype=np.float32)
    >>> cache.length
    0
    """

    def __init__(self, n_layer, batch, n_head, block_size, head_dim, dtype):
        shape = (batch, n_head, block_size, head_dim)
        self.k = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.v = [np.zeros(shape, dtype=dtype) for _ in range(n_layer)]
        self.length = 0  # positions stored (committed after the last layer ran)
        self.block_size = block_size

    def append(self, layer: int, k: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Store k, v (B, H, T, hd) after the cached positions; return all keys and values."""
        start, stop = self.length, self.length + k.shape[2]
        self.k[layer][:, :, start:stop] = k
        self.v[layer][:, :, start:stop] = v
        return self.k[layer][:, :, :stop], self.v[layer][:, :, :stop]  # (B, H, S, hd)


class CausalAttention(Function):
    """Causal multi-head attention on the fused projection, heads split and merged inside:
    qkv (B, T, 3C) -> y (B, T, C), the same numbers as ``scaled_dot_product_attention(q, k, v,
    is_causal=True)`` on the split heads, but computed block by block over the queries:

        for queries r0..r1-1:  S = Q_r K_{<r1}^T / sqrt(hd)  (mask only the diagonal block)
                               P = softmax(S),  Y_r = P V_{<r1}
        backward:  dV_{<r1} += P^T dY_r,  dS = P * (dP - rowsum(dP * P)), dP = dY_r V_{<r1}^T,
                   dQ_r = dS K_{<r1} / sqrt(hd),  dK_{<r1} += dS^T Q_r / sqrt(hd)

    The keys after a block's last query are never touched (about 5/8 of the full T x T work
    for T = 128 in blocks of 32), and q, k, v, y and their gradients are strided views of the
    (B, T, 3C) / (B, T, C) buffers, so no head transpose is ever copied.
    """

    @staticmethod
    def forward(ctx, qkv, n_head, block):
        B, T, C3 = qkv.shape
        C = C3 // 3
        hd = C // n_head
        scale = 1.0 / math.sqrt(hd)
        # one copy each into head-major layout; q carries the 1/sqrt(hd)
        heads = qkv.reshape(B, T, 3, n_head, hd).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
        q = heads[0] * np.asarray(scale, dtype=qkv.dtype)  # (B, H, T, hd)
        k, v = np.ascontiguousarray(heads[1]), np.ascontiguousarray(heads[2])
        y = np.empty((B, n_head, T, hd), dtype=qkv.dtype)
        above = np.triu(np.ones((block, block), dtype=bool), 1)  # key after query
        probs = []
        for r0 in range(0, T, block):
            r1 = min(r0 + block, T)
            s = np.matmul(q[:, :, r0:r1], k[:, :, :r1].swapaxes(-1, -2))  # (B, H, bq, r1)
            np.copyto(s[..., r0:r1], -np.inf, where=above[: r1 - r0, : r1 - r0])
            s -= s.max(axis=-1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=-1, keepdims=True)  # P: (B, H, bq, r1)
            np.matmul(s, v[:, :, :r1], out=y[:, :, r0:r1])
            probs.append(s)
        ctx.block, ctx.scale = block, scale
        ctx.save_for_backward(q, k, v, *probs)
        return y.transpose(0, 2, 1, 3).reshape(B, T, C)  # heads side by side

    @staticmethod
    def backward(ctx, grad_output):
        q, k, v, *probs = ctx.saved_tensors
        B, H, T, hd = q.shape
        block, scale = ctx.block, ctx.scale
        g = grad_output.reshape(B, T, H, hd).transpose(0, 2, 1, 3)  # (B, H, T, hd) view
        grad = np.empty((3, B, H, T, hd), dtype=q.dtype)
        dq, dk, dv = grad[0], grad[1], grad[2]
        dk[:] = 0.0  # dK and dV accumulate over the query blocks
        dv[:] = 0.0
        for i, r0 in enumerate(range(0, T, block)):
            r1 = min(r0 + block, T)
            p, g_r = probs[i], np.ascontiguousarray(g[:, :, r0:r1])  # (B,H,bq,r1), (B,H,bq,hd)
            dv[:, :, :r1] += np.matmul(p.swapaxes(-1, -2), g_r)
            ds = np.matmul(g_r, v[:, :, :r1].swapaxes(-1, -2))  # dP: (B, H, bq, r1)
            ds -= np.vecdot(ds, p)[..., None]
            ds *= p  # dS (w.r.t. the scaled scores)
            np.matmul(ds, k[:, :, :r1], out=dq[:, :, r0:r1])
            dk[:, :, :r1] += np.matmul(ds.swapaxes(-1, -2), q[:, :, r0:r1])  # q holds the scale
        dq *= np.asarray(scale, dtype=q.dtype)
        return grad.transpose(1, 3, 0, 2, 4).reshape(B, T, 3 * H * hd), None, None


def causal_attention(qkv, n_head: int, block: int = 32):
    """Causal multi-head self-attention of the fused projection qkv = [Q K V] (B, T, 3C):
    softmax(Q_h K_h^T / sqrt(hd) + causal mask) V_h per head, heads concatenated -> (B, T, C).
    See :class:`CausalAttention` (query blocks of ``block`` rows skip the masked keys).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> causal_attention(randn(2, 5, 12), n_head=2).shape
    (2, 5, 4)
    """
    return CausalAttention.apply(qkv, int(n_head), int(block))


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with one fused q,k,v projection (``c_attn``).

    [q k v] = x W_attn^T + b;  head_i = softmax(q_i k_i^T / sqrt(hd) + causal) v_i;
    y = concat(head_1..head_H) W_proj^T + b.   x: (B, T, C) -> y: (B, T, C).

    Inventory: TR-01, TR-02, TR-09.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> attn = CausalSelfAttention(GPTConfig(n_embd=8, n_head=2))
    >>> attn(randn(2, 5, 8)).shape
    (2, 5, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        c = config.n_embd
        self.c_attn = nn.Linear(c, 3 * c, bias=config.bias, generator=generator)
        self.c_proj = nn.Linear(c, c, bias=config.bias, generator=generator)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, c, config.dropout
        self.causal = True  # False only to demonstrate an LM that sees the future (CL-191)

    def forward(self, x, cache: KVCache | None = None, layer: int = 0):
        B, T, C = x.shape
        H = self.n_head
        qkv = self.c_attn(x)  # (B, T, 3C)
        dropping = self.training and self.dropout > 0
        if cache is None and self.causal and not dropping:  # the training / scoring path
            return self.resid_dropout(self.c_proj(causal_attention(qkv, H)))  # (B, T, C)
        heads = qkv.reshape(B, T, 3, H, C // H).permute(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
        q, k, v = heads.unbind(0)  # each (B, H, T, hd)
        if cache is None:
            p = self.dropout if self.training else 0.0
            y = scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=self.causal)
        else:  # new queries at positions length..length+T-1 see every cached key before them
            k_all, v_all = cache.append(layer, k.data, v.data)  # (B, H, S, hd)
            S = k_all.shape[2]
            mask = None if T == 1 else Tensor(np.tri(T, S, S - T, dtype=bool))  # (T, S)
            y = scaled_dot_product_attention(q, Tensor(k_all), Tensor(v_all), attn_mask=mask)
        y = y.permute(0, 2, 1, 3).reshape(B, T, C)  # (B, T, C): heads side by side
        return self.resid_dropout(self.c_proj(y))


def gelu(x):
    """GELU(x) = x Phi(x) (exact, like ``torch.nn.GELU()``): ``fused.gelu``, which computes
    f'(x) = Phi(x) + x phi(x) in the forward pass (float32: polynomial erf within 2e-6) and saves
    it, so the backward is one multiply."""
    return _fused_gelu(x)


class MLP(nn.Module):
    """Position-wise feed-forward network: y = W_2 GELU(W_1 x + b_1) + b_2, hidden 4C.

    Inventory: TR-05.  x: (B, T, C) -> (B, T, C).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> MLP(GPTConfig(n_embd=8, n_head=2))(randn(2, 3, 8)).shape
    (2, 3, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        c = config.n_embd
        self.c_fc = nn.Linear(c, 4 * c, bias=config.bias, generator=generator)
        self.c_proj = nn.Linear(4 * c, c, bias=config.bias, generator=generator)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(gelu(self.c_fc(x))))  # (B, T, C)


class Block(nn.Module):
    """Pre-LN Transformer block: x <- x + Attn(LN_1(x)), then x <- x + MLP(LN_2(x)).

    Inventory: TR-06 (pre-norm variant), TR-09.  x: (B, T, C) -> (B, T, C).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> Block(GPTConfig(n_embd=8, n_head=2))(randn(1, 4, 8)).shape
    (1, 4, 8)
    """

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config, generator)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config, generator)

    def forward(self, x, cache: KVCache | None = None, layer: int = 0):
        x = x + self.attn(self.ln_1(x), cache, layer)  # (B, T, C)
        return x + self.mlp(self.ln_2(x))


class _Trunk(nn.Module):
    """The ``transformer`` submodule: wte, wpe, drop, h (blocks), ln_f (nanoGPT's ModuleDict)."""

    def __init__(self, config: GPTConfig, generator=None):
        super().__init__()
        self.wte = nn.Embedding(config.vocab_size, config.n_embd, generator=generator)
        self.wpe = nn.Embedding(config.block_size, config.n_embd, generator=generator)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList([Block(config, generator) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)


class GPT(nn.Module):
    """Decoder-only Transformer language model (see the module docstring for the formulas).

    Inventory: TR-04, TR-05, TR-09, TR-12, TR-13.

    Parameters
    ----------
    config : GPTConfig, or None to build one from the keyword arguments (``GPT(vocab_size=65,
        block_size=64, ...)``, which is how :func:`glassml.nn.load` rebuilds a saved model).
    generator : numpy.random.Generator for the initial weights (default: glassml's seeded one).
    dtype : parameter dtype (float32 by default; float64 for exact tests).

    Initialisation (GPT-2): every Linear and Embedding weight ~ N(0, 0.02), biases 0, LayerNorm
    weight 1 / bias 0, and the residual projections (``*.c_proj.weight``) ~ N(0, 0.02/sqrt(2L))
    so that the residual stream's variance does not grow with depth.

    Example
    -------
    >>> model = GPT(vocab_size=10, block_size=4, n_layer=1, n_head=1, n_embd=4)
    >>> model.num_parameters()  # wte 40 + wpe 16 + block 244 + ln_f 8 (lm_head tied)
    308
    """

    def __init__(self, config: GPTConfig | None = None, *, generator=None, dtype=None, **kwargs):
        super().__init__()
        if config is None:
            names = {f.name for f in fields(GPTConfig)}
            unknown = sorted(set(kwargs) - names)
            if unknown:
                raise TypeError(f"GPT: unknown config fields {unknown}; expected some of {names}")
            config = GPTConfig(**kwargs)
        elif kwargs:
            raise TypeError("GPT: pass either a GPTConfig or keyword fields, not both")
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT: config must be a GPTConfig, got {type(config).__name__}")
        self.config = config
        self.transformer = _Trunk(config, generator)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False, generator=generator)
        if config.tie_weights:
            self.transformer.wte.weight = self.lm_head.weight  # one Parameter, two names
        self._init_weights(generator)
        if dtype is not None:
            self.to(dtype)

    def _init_weights(self, generator) -> None:
        std_resid = 0.02 / math.sqrt(2 * self.config.n_layer)
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear | nn.Embedding):
                std = std_resid if name.endswith("c_proj") else 0.02
                nn.init.normal_(module.weight, 0.0, std, generator)
                if getattr(module, "bias", None) is not None:
                    nn.init.zeros_(module.bias)

    # ------------------------------------------------------------------ forward
    def _check_idx(self, idx, extra: int = 0) -> np.ndarray:
        arr = idx.data if isinstance(idx, Tensor) else np.asarray(idx)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"GPT: idx must hold integer token ids, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"GPT: idx must have shape (batch, time), got shape {arr.shape}")
        T = arr.shape[1] + extra
        if T > self.config.block_size or arr.shape[1] == 0:
            raise ValueError(
                f"GPT: sequence length {T} must be in [1, block_size={self.config.block_size}]"
            )
        if arr.size and (arr.min() < 0 or arr.max() >= self.config.vocab_size):
            raise ValueError(
                f"GPT: token ids must be in [0, vocab_size={self.config.vocab_size}), got "
                f"values in [{arr.min()}, {arr.max()}]"
            )
        return arr.astype(np.int64, copy=False)

    def hidden_states(self, idx, cache: KVCache | None = None) -> Tensor:
        """The final LayerNorm's output (B, T, C) for token ids ``idx`` (B, T)."""
        start = 0 if cache is None else cache.length
        arr = self._check_idx(idx, start)
        T = arr.shape[1]
        tr = self.transformer
        tok = embedding(Tensor(arr), tr.wte.weight)  # (B, T, C)
        pos = tr.wpe.weight[start : start + T]  # (T, C): learned positions (TR-04)
        x = tr.drop(tok + pos)
        for layer, block in enumerate(tr.h):
            x = block(x, cache, layer)  # (B, T, C)
        if cache is not None:
            cache.length += T
        return tr.ln_f(x)

    def forward(self, idx, targets=None):
        """Logits (B, T, V) for every position and, with ``targets`` (B, T), the mean
        next-token cross-entropy (targets equal to -1 are ignored); else loss is None."""
        logits = self.lm_head(self.hidden_states(idx))  # (B, T, V)
        if targets is None:
            return logits, None
        tgt = targets.data if isinstance(targets, Tensor) else np.asarray(targets)
        if tgt.shape != logits.shape[:2]:
            raise ValueError(
                f"GPT: targets must have the shape of idx {logits.shape[:2]}, got {tgt.shape}"
            )
        if tgt.dtype.kind not in "iu":
            raise TypeError(f"GPT: targets must hold integer token ids, got dtype {tgt.dtype}")
        V = self.config.vocab_size
        loss = cross_entropy(
            logits.reshape(-1, V), Tensor(tgt.reshape(-1).astype(np.int64)), ignore_index=-1
        )
        return logits, loss

    # ------------------------------------------------------------------ generation
    def new_cache(self, batch: int) -> KVCache:
        """An empty KV cache for ``batch`` sequences."""
        c = self.config
        dtype = self.lm_head.weight.dtype
        return KVCache(c.n_layer, batch, c.n_head, c.block_size, c.n_embd // c.n_head, dtype)

    def _next_logits(self, context: np.ndarray, cache: KVCache | None) -> np.ndarray:
        """Logits (B, V) of the token after ``context``; with a cache only new tokens are fed."""
        if cache is None:
            h = self.hidden_states(context[:, -self.config.block_size :])
        else:
            new = context[:, cache.length :]
            if cache.length + new.shape[1] > self.config.block_size:  # window full: restart
                cache.length = 0
                new = context[:, -self.config.block_size :]
            h = self.hidden_states(new, cache)
        return self.lm_head(h[:, -1]).data  # (B, V)

    def generate_iter(
        self,
        idx,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        greedy: bool = False,
        generator: np.random.Generator | None = None,
        use_cache: bool = True,
        eos_token_id: int | None = None,
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(next_tokens (B,), logits (B, V))`` one step at a time (see :meth:`generate`)."""
        context = idx.data if isinstance(idx, Tensor) else np.asarray(idx)
        self._check_idx(context[:, -self.config.block_size :] if context.ndim == 2 else context)
        context = context.astype(np.int64, copy=False)
        if not isinstance(max_new_tokens, numbers.Integral) or max_new_tokens < 0:
            raise ValueError(
                f"generate: max_new_tokens must be an int >= 0, got {max_new_tokens!r}"
            )
        rng = np.random.default_rng() if generator is None else generator
        cache = self.new_cache(context.shape[0]) if use_cache else None
        finished = np.zeros(context.shape[0], dtype=bool)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                for _ in range(int(max_new_tokens)):
                    logits = self._next_logits(context, cache)  # (B, V)
                    nxt = sample_logits(logits, temperature, top_k, top_p, greedy, rng)  # (B,)
                    if eos_token_id is not None:
                        nxt = np.where(finished, eos_token_id, nxt)
                        finished |= nxt == eos_token_id
                    context = np.concatenate([context, nxt[:, None]], axis=1)
                    yield nxt, logits
                    if eos_token_id is not None and finished.all():
                        break
        finally:
            self.train(was_training)

    def generate(
        self,
        idx,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        greedy: bool = False,
        stream: bool = False,
        callback: Callable[[np.ndarray], None] | None = None,
        generator: np.random.Generator | None = None,
        use_cache: bool = True,
        eos_token_id: int | None = None,
        return_logits: bool = False,
    ):
        """Extend ``idx`` (B, T) by up to ``max_new_tokens`` sampled tokens (TR-13).

        Each step: logits of the last position (the context cropped to ``block_size``), divided
        by ``temperature``, filtered by ``top_k`` / ``top_p`` (:func:`filter_logits`), then a
        sample from the softmax (or the argmax when ``greedy``). With ``use_cache`` the keys
        and values of earlier positions are reused: the logits equal a full recompute; once
        the window is full the cache restarts from the cropped context (learned positions
        cannot slide). Generation stops early when every row produced ``eos_token_id``.

        Returns the (B, T + n) ids; with ``return_logits`` also the step logits (B, n, V);
        with ``stream=True`` an iterator over the new tokens (B,) instead. ``callback(tokens)``
        is called with each step's new tokens (B,).

        Example
        -------
        >>> model = GPT(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4)
        >>> model.generate(np.array([[1, 2]]), 3, top_k=2, generator=np.random.default_rng(0)).shape
        (1, 5)
        """
        steps = self.generate_iter(
            idx, max_new_tokens, temperature, top_k, top_p, greedy, generator, use_cache,
            eos_token_id,
        )  # fmt: skip
        if stream:
            return _stream(steps, callback)
        start = np.asarray(idx.data if isinstance(idx, Tensor) else idx, dtype=np.int64)
        tokens, all_logits = [], []
        for nxt, logits in steps:
            if callback is not None:
                callback(nxt)
            tokens.append(nxt[:, None])
            all_logits.append(logits[:, None])
        out = np.concatenate([start, *tokens], axis=1)
        if return_logits:
            V = self.config.vocab_size
            stacked = (
                np.concatenate(all_logits, axis=1)
                if all_logits
                else np.zeros((start.shape[0], 0, V), dtype=self.lm_head.weight.dtype)
            )
            return out, stacked
        return out

    # ------------------------------------------------------------------ training helpers
    def configure_optimizers(
        self, weight_decay: float = 0.1, lr: float = 6e-4, betas=(0.9, 0.95), eps: float = 1e-8
    ):
        """AdamW with weight decay on the >= 2-D weights (matrices, embeddings) only; biases
        and LayerNorm parameters (1-D) are not decayed. Tied weights are counted once.

        Example
        -------
        >>> opt = GPT(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4).configure_optimizers()
        >>> [len(g["params"]) for g in opt.param_groups]
        [6, 10]
        """
        from glassml.optim import AdamW

        params = list(self.parameters())  # tied parameters appear once
        decay = [p for p in params if p.ndim >= 2]
        no_decay = [p for p in params if p.ndim < 2]
        groups = [
            {"params": decay, "weight_decay": float(weight_decay)},
            {"params": no_decay, "weight_decay": 0.0},
        ]
        return AdamW(groups, lr=lr, betas=tuple(betas), eps=eps)

    # ------------------------------------------------------------------ saving
    def save(self, directory, tokenizer=None) -> Path:
        """Write config.json (the GPTConfig), model.safetensors and, when given, the tokenizer
        (``tokenizer.json``: a CharTokenizer, a BPETokenizer or any object with ``to_dict()``;
        read it back with ``gpt_train.load_tokenizer``)."""
        from .gpt_train import tokenizer_to_dict

        path = nn.save(self, directory, self.config.to_dict())
        if tokenizer is not None:
            payload = json.dumps(tokenizer_to_dict(tokenizer), ensure_ascii=True)
            (Path(directory) / "tokenizer.json").write_text(payload, encoding="utf-8")
        return path

    @classmethod
    def load(cls, directory) -> GPT:
        """Rebuild a model written by :meth:`save` (weights in float32 as saved)."""
        payload = nn.load_config(directory)
        model = cls(GPTConfig(**payload["config"]))
        return nn.load(directory, model)

    def extra_repr(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.config.to_dict().items())


def _stream(steps, callback):
    for nxt, _ in steps:
        if callback is not None:
            callback(nxt)
        yield nxt


# ---------------------------------------------------------------------- sampling
def filter_logits(logits: np.ndarray, top_k: int | None = None, top_p: float | None = None):
    """Set to -inf every logit outside the top-k and outside the nucleus (top-p).

    top-k keeps the logits >= the k-th largest (ties at the threshold are kept, as in
    nanoGPT and Hugging Face). top-p sorts the probabilities ascending and removes the tokens
    whose cumulative probability is <= 1 - p, i.e. keeps the smallest set of most probable
    tokens whose mass reaches p (always at least one token), as Hugging Face's TopPLogitsWarper.

    Parameters
    ----------
    logits : (B, V) float array;  top_k : int >= 1 or None;  top_p : float in (0, 1] or None

    Example
    -------
    >>> filter_logits(np.array([[1.0, 3.0, 2.0]]), top_k=2)
    array([[-inf,   3.,   2.]])
    """
    z = np.array(logits, copy=True)
    if z.ndim != 2 or z.dtype.kind != "f":
        raise ValueError(
            f"filter_logits: logits must be a 2-D float array, got {z.dtype} {z.shape}"
        )
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1:
            raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}")
        k = min(int(top_k), z.shape[1])
        kth = np.partition(z, -k, axis=1)[:, -k, None]  # (B, 1): the k-th largest
        z[z < kth] = -np.inf
    if top_p is not None:
        if not isinstance(top_p, numbers.Real) or not 0.0 < top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
        order = np.argsort(z, axis=1, kind="stable")  # ascending
        sorted_z = np.take_along_axis(z, order, axis=1)
        probs = _softmax(sorted_z)
        remove = np.cumsum(probs, axis=1) <= 1.0 - top_p  # (B, V) in ascending order
        remove[:, -1] = False  # keep the most probable token
        np.put_along_axis(z, order, np.where(remove, -np.inf, sorted_z), axis=1)
    return z


def sample_logits(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    greedy: bool = False,
    generator: np.random.Generator | None = None,
) -> np.ndarray:
    """One token id per row of ``logits`` (B, V): argmax if ``greedy``, else a draw from
    softmax(filter_logits(logits / temperature)) by inverting its CDF.

    Example
    -------
    >>> sample_logits(np.array([[0.0, 5.0, 1.0]]), greedy=True)
    array([1])
    """
    if greedy:
        return np.argmax(logits, axis=1)
    if not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(
            f"temperature must be > 0 (use greedy=True for argmax), got {temperature!r}"
        )
    rng = np.random.default_rng() if generator is None else generator
    z = filter_logits(np.asarray(logits, dtype=np.float64) / temperature, top_k, top_p)
    cdf = np.cumsum(_softmax(z), axis=1)  # (B, V)
    u = rng.random((z.shape[0], 1)) * cdf[:, -1:]
    return np.minimum((cdf < u).sum(axis=1), z.shape[1] - 1)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
