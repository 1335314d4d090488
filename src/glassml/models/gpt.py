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

Layers (attention, MLP, block, KV cache) and the config are in :mod:`glassml.models.gpt_layers`,
the top-k / top-p sampler in :mod:`glassml.models.sampling`; all are re-exported here.

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
from dataclasses import fields
from pathlib import Path

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy, embedding

from .gpt_layers import (  # noqa: F401  (MLP, CausalSelfAttention, gelu: re-exported)
    MLP,
    Block,
    CausalAttention,
    CausalSelfAttention,
    GPTConfig,
    KVCache,
    causal_attention,
    gelu,
)
from .sampling import filter_logits, sample_logits

__all__ = ["GPTConfig", "GPT", "KVCache", "causal_attention", "filter_logits", "sample_logits"]


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
