"""The layers of the Llama-style decoder (:class:`glassml.models.llama.Llama`) and its config.

Block l (pre-norm, no biases), for hidden states h of shape (B, T, d):

    a = RMSNorm(h) ;  q = a Wq^T, k = a Wk^T, v = a Wv^T          (H query heads, H_kv kv heads)
    q, k = RoPE(q), RoPE(k)                                        rotate pairs by angle p * theta_i
    h = h + Attn(q, k, v) Wo^T      Attn = softmax(q k^T / sqrt(d_h) + causal mask) v   (GQA)
    h = h + W_down (silu(W_gate RMSNorm(h)) * W_up RMSNorm(h))                         (SwiGLU)

Module and parameter names are Hugging Face's (``model.layers.0.self_attn.q_proj.weight``...).
Building blocks reused from glassml.nn: ``RMSNorm`` (nn.rmsnorm), ``apply_rotary`` (nn.positional),
``silu_mul`` (nn.swiglu), the fused attention, linear and embedding ops.

Inventory: TR-02 (multi-head attention), TR-05 (gated FFN), TR-06 (pre-norm residual), TR-09
(causal mask), TR-12, SQ-09. E-27: the mask sets scores to -inf before the softmax.

Example
-------
>>> from glassml.autograd import randn
>>> from glassml.nn.positional import rotary_cos_sin
>>> c = LlamaConfig(hidden_size=16, num_attention_heads=4, num_key_value_heads=2)
>>> cos, sin = rotary_cos_sin(3, c.head_dim, interleaved=True)
>>> LlamaDecoderLayer(c)(randn(1, 3, 16), cos, sin).shape
(1, 3, 16)
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass

import numpy as np

from glassml.autograd import Parameter
from glassml.autograd.fused import embedding, linear, scaled_dot_product_attention
from glassml.autograd.random import get_generator
from glassml.nn.containers import ModuleList
from glassml.nn.module import Module
from glassml.nn.positional import apply_rotary
from glassml.nn.rmsnorm import RMSNorm
from glassml.nn.swiglu import silu_mul

__all__ = ["LlamaConfig", "LlamaAttention", "LlamaMLP", "LlamaDecoderLayer"]


@dataclass
class LlamaConfig:
    """Hyper-parameters of a Llama decoder (Hugging Face's ``LlamaConfig`` names).

    Defaults are SmolLM2-135M's. ``head_dim`` defaults to hidden_size / num_attention_heads.
    ``rope_interleaved`` True rotates adjacent pairs (GGUF weights), False rotate_half (HF).

    Example
    -------
    >>> LlamaConfig(vocab_size=100, hidden_size=32, num_attention_heads=4, num_key_value_heads=2).head_dim
    8
    """

    vocab_size: int = 49152
    hidden_size: int = 576
    intermediate_size: int = 1536
    num_hidden_layers: int = 30
    num_attention_heads: int = 9
    num_key_value_heads: int = 3
    head_dim: int | None = None
    rms_norm_eps: float = 1e-5
    rope_theta: float = 100000.0
    max_position_embeddings: int = 8192
    tie_word_embeddings: bool = True
    rope_interleaved: bool = True
    bos_token_id: int | None = 1
    eos_token_id: int | None = 2

    def __post_init__(self):
        for name in (
            "vocab_size",
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "max_position_embeddings",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"LlamaConfig: {name} must be a positive integer, got {value!r}")
        if self.head_dim is None:
            if self.hidden_size % self.num_attention_heads:
                raise ValueError(
                    f"LlamaConfig: hidden_size ({self.hidden_size}) must be divisible by "
                    f"num_attention_heads ({self.num_attention_heads}) when head_dim is not given"
                )
            self.head_dim = self.hidden_size // self.num_attention_heads
        if self.head_dim <= 0 or self.head_dim % 2:
            raise ValueError(
                f"LlamaConfig: head_dim must be a positive even int, got {self.head_dim}"
            )
        if self.num_attention_heads % self.num_key_value_heads:
            raise ValueError(
                f"LlamaConfig: num_attention_heads ({self.num_attention_heads}) must be a multiple "
                f"of num_key_value_heads ({self.num_key_value_heads})"
            )
        if not self.rms_norm_eps > 0 or not self.rope_theta > 0:
            raise ValueError(
                f"LlamaConfig: rms_norm_eps and rope_theta must be > 0, got {self.rms_norm_eps} "
                f"and {self.rope_theta}"
            )

    @classmethod
    def from_gguf_metadata(cls, metadata: dict) -> LlamaConfig:
        """The config of a GGUF file whose ``general.architecture`` is ``llama``."""
        arch = metadata.get("general.architecture")
        if arch != "llama":
            raise ValueError(f"from_gguf: expected general.architecture 'llama', got {arch!r}")
        m = {k.removeprefix("llama."): v for k, v in metadata.items() if k.startswith("llama.")}
        heads = int(m["attention.head_count"])
        hidden = int(m["embedding_length"])
        vocab = m.get("vocab_size", len(metadata.get("tokenizer.ggml.tokens", [])))
        bos = metadata.get("tokenizer.ggml.bos_token_id")
        eos = metadata.get("tokenizer.ggml.eos_token_id")
        return cls(
            vocab_size=int(vocab),
            hidden_size=hidden,
            intermediate_size=int(m["feed_forward_length"]),
            num_hidden_layers=int(m["block_count"]),
            num_attention_heads=heads,
            num_key_value_heads=int(m.get("attention.head_count_kv", heads)),
            head_dim=int(m.get("rope.dimension_count", hidden // heads)),
            rms_norm_eps=float(m.get("attention.layer_norm_rms_epsilon", 1e-5)),
            rope_theta=float(m.get("rope.freq_base", 10000.0)),
            max_position_embeddings=int(m.get("context_length", 2048)),
            tie_word_embeddings=True,  # set by from_gguf from the presence of output.weight
            rope_interleaved=True,
            bos_token_id=None if bos is None else int(bos),
            eos_token_id=None if eos is None else int(eos),
        )

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------------- layers
def _init_normal(module: Module, generator=None, std: float = 0.02) -> None:
    """Hugging Face Llama's init: every projection and embedding weight ~ N(0, std^2)
    (RMSNorm weights start at 1)."""
    rng = get_generator(generator)
    for m in module.modules():
        if isinstance(m, _Linear | _Embedding):
            w = m.weight.data
            w[...] = rng.standard_normal(w.shape, dtype=w.dtype) * std


class _Linear(Module):
    """y = x W^T without bias; weight (out, in) allocated here, initialised by Llama (N(0, 0.02^2))."""

    def __init__(self, in_features: int, out_features: int, dtype=np.float32):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=dtype))

    def forward(self, x):
        return linear(x, self.weight)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias=False"


class LlamaAttention(Module):
    """Causal grouped-query self-attention with RoPE; q/k/v/o projections without bias.

        q, k = RoPE(x Wq^T), RoPE(x Wk^T);  v = x Wv^T
        out = softmax(q k^T / sqrt(d_h) + causal) v   (query head j uses kv head j // (H/H_kv))

    Inventory: TR-02, TR-09, SQ-09. Shapes: x (B, T, d) -> (B, T, d); q_proj (H d_h, d),
    k_proj and v_proj (H_kv d_h, d), o_proj (d, H d_h); cos, sin (T, d_h) from
    ``glassml.nn.positional.rotary_cos_sin`` in the config's pair layout.
    Parameters: config (LlamaConfig), dtype, generator (numpy Generator for the N(0, 0.02^2)
    init).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> from glassml.nn.positional import rotary_cos_sin
    >>> c = LlamaConfig(hidden_size=16, num_attention_heads=4, num_key_value_heads=2)
    >>> cos, sin = rotary_cos_sin(5, c.head_dim, interleaved=True)
    >>> LlamaAttention(c)(randn(2, 5, 16), cos, sin).shape
    (2, 5, 16)
    """

    def __init__(self, config: LlamaConfig, dtype=np.float32, *, generator=None, _init=True):
        super().__init__()
        c = config
        self.n_heads, self.n_kv, self.head_dim = (
            c.num_attention_heads,
            c.num_key_value_heads,
            c.head_dim,
        )
        self.interleaved = c.rope_interleaved
        d, q_out, kv_out = (
            c.hidden_size,
            c.num_attention_heads * c.head_dim,
            c.num_key_value_heads * c.head_dim,
        )
        self.q_proj = _Linear(d, q_out, dtype)
        self.k_proj = _Linear(d, kv_out, dtype)
        self.v_proj = _Linear(d, kv_out, dtype)
        self.o_proj = _Linear(q_out, d, dtype)
        if _init:
            _init_normal(self, generator)

    def forward(self, x, cos, sin):
        B, T, _ = x.shape
        q = self.q_proj(x).reshape(B, T, self.n_heads, self.head_dim).transpose(1, 2)  # (B,H,T,dh)
        k = self.k_proj(x).reshape(B, T, self.n_kv, self.head_dim).transpose(1, 2)  # (B,Hkv,T,dh)
        v = self.v_proj(x).reshape(B, T, self.n_kv, self.head_dim).transpose(1, 2)
        q = apply_rotary(q, cos, sin, self.interleaved)  # cos, sin: (T, dh)
        k = apply_rotary(k, cos, sin, self.interleaved)
        out = scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)  # (B,H,T,dh)
        return self.o_proj(out.transpose(1, 2).reshape(B, T, self.n_heads * self.head_dim))


class LlamaMLP(Module):
    """SwiGLU feed-forward: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases.

    Inventory: TR-05 (position-wise FFN, gated variant). Shapes: x (B, T, d) -> (B, T, d);
    gate_proj, up_proj (f, d); down_proj (d, f). Parameters: config, dtype, generator (init).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> LlamaMLP(LlamaConfig(hidden_size=8, intermediate_size=16, num_attention_heads=2,
    ...     num_key_value_heads=1))(randn(1, 3, 8)).shape
    (1, 3, 8)
    """

    def __init__(self, config: LlamaConfig, dtype=np.float32, *, generator=None, _init=True):
        super().__init__()
        d, f = config.hidden_size, config.intermediate_size
        self.gate_proj = _Linear(d, f, dtype)
        self.up_proj = _Linear(d, f, dtype)
        self.down_proj = _Linear(f, d, dtype)
        if _init:
            _init_normal(self, generator)

    def forward(self, x):
        return self.down_proj(silu_mul(self.gate_proj(x), self.up_proj(x)))  # (B, T, d)


class LlamaDecoderLayer(Module):
    """Pre-norm block: h = h + Attn(RMSNorm(h)); h = h + MLP(RMSNorm(h)).

    Inventory: TR-06 (residual + norm, pre-norm), TR-12. Shapes: h (B, T, d) -> (B, T, d).
    Parameters: config, dtype, generator (init); forward(h, cos, sin) as in LlamaAttention.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> from glassml.nn.positional import rotary_cos_sin
    >>> c = LlamaConfig(hidden_size=16, num_attention_heads=4, num_key_value_heads=2)
    >>> cos, sin = rotary_cos_sin(3, c.head_dim, interleaved=True)
    >>> LlamaDecoderLayer(c)(randn(1, 3, 16), cos, sin).shape
    (1, 3, 16)
    """

    def __init__(self, config: LlamaConfig, dtype=np.float32, *, generator=None, _init=True):
        super().__init__()
        self.self_attn = LlamaAttention(config, dtype, _init=False)
        self.mlp = LlamaMLP(config, dtype, _init=False)
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps, dtype=dtype)
        self.post_attention_layernorm = RMSNorm(
            config.hidden_size, config.rms_norm_eps, dtype=dtype
        )
        if _init:
            _init_normal(self, generator)

    def forward(self, h, cos, sin):
        h = h + self.self_attn(self.input_layernorm(h), cos, sin)
        return h + self.mlp(self.post_attention_layernorm(h))


class _LlamaModel(Module):
    """The decoder stack: embed_tokens, layers, norm (HF's ``LlamaModel``)."""

    def __init__(self, config: LlamaConfig, dtype=np.float32):
        super().__init__()
        self.embed_tokens = _Embedding(config.vocab_size, config.hidden_size, dtype)
        self.layers = ModuleList(
            LlamaDecoderLayer(config, dtype, _init=False) for _ in range(config.num_hidden_layers)
        )
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps, dtype=dtype)


class _Embedding(Module):
    """Token embedding table (vocab, d), init N(0, 0.02^2) like HF Llama."""

    def __init__(self, num: int, dim: int, dtype=np.float32):
        super().__init__()
        self.weight = Parameter(np.empty((num, dim), dtype=dtype))

    def forward(self, ids):
        return embedding(ids, self.weight)
