"""BERT: an encoder-only Transformer with Hugging Face's module and parameter names.

    E = LayerNorm(W_tok[input_ids] + W_pos[position_ids] + W_seg[token_type_ids])   (B, T, D)
    for each layer (post-norm):
        A = softmax(Q K^T / sqrt(d_head) + padding mask) V      (heads concatenated)
        H = LayerNorm(H + Dropout(A W_o + b_o))
        H = LayerNorm(H + Dropout(act(H W_1 + b_1) W_2 + b_2))
    pooled = tanh(W_p H[:, 0] + b_p)                             ([CLS] pooled output)

Every parameter carries the name it has in ``transformers.BertModel``
(``embeddings.word_embeddings.weight``, ``encoder.layer.0.attention.self.query.weight``,
``pooler.dense.bias``...), so a Hugging Face ``model.safetensors`` (read with
``glassml.io.load_file``) loads straight into :meth:`BertModel.load_state_dict`. BERT is
encoder-only (inventory E-42/E-43: it is not a generator and not an encoder-decoder model).

Heads (in :mod:`glassml.models.bert_heads`, re-exported here): :class:`BertForPreTraining`
(masked-LM head tied to the word embeddings + next-sentence head),
:class:`BertForSequenceClassification`, :class:`BertForTokenClassification`,
:class:`BertForQuestionAnswering`; sentence pooling: :func:`mean_pooling`, :func:`cls_pooling`.

Speed: HF's exact "gelu" is the library's fused ``gelu`` (float32 through a polynomial erf,
|error| < 2e-6, its derivative saved in the forward pass); under ``no_grad`` the attention
runs as plain NumPy without graph bookkeeping, which is what
:class:`glassml.models.sentence_encoder.SentenceEncoder` uses.

Inventory: TR-14 (BERT), TR-15/TR-16 (the MLM and NSP heads), TR-17 (fine-tuning heads),
TR-18 (pooling), TR-10 (key-padding mask), TR-22 (a distilled small encoder such as MiniLM
loads into the same class).

Example
-------
>>> import numpy as np
>>> cfg = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2,
...                  num_attention_heads=4, intermediate_size=64, max_position_embeddings=16)
>>> hidden, pooled = BertModel(cfg)(np.array([[2, 5, 7, 3]]))
>>> hidden.shape, pooled.shape
((1, 4, 32), (1, 32))
"""

from __future__ import annotations

import dataclasses
import json
import numbers
from pathlib import Path

import numpy as np

from glassml.autograd import Tensor, is_grad_enabled, relu
from glassml.autograd.fused import dropout, gelu, scaled_dot_product_attention, silu
from glassml.nn import Embedding, LayerNorm, Linear, Module, ModuleList, init

__all__ = [
    "BertConfig",
    "BertModel",
    "BertForPreTraining",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "BertForQuestionAnswering",
    "PreTrainingOutput",
    "ClassifierOutput",
    "QuestionAnsweringOutput",
    "mean_pooling",
    "cls_pooling",
    "exact_gelu",
]


def exact_gelu(x):
    """GELU(x) = x Phi(x), the exact (erf) form of HF's "gelu": the library's fused
    ``gelu(x, approximate="none")`` (f'(x) = Phi(x) + x phi(x) saved in the forward pass).

    Inventory: AC-08.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> round(exact_gelu(tensor([1.0])).item(), 4)
    0.8413
    """
    return gelu(x, approximate="none")


_ACTIVATIONS = {
    "gelu": exact_gelu,  # exact erf GELU, HF's "gelu"
    "gelu_new": lambda x: gelu(x, approximate="tanh"),
    "gelu_pytorch_tanh": lambda x: gelu(x, approximate="tanh"),
    "relu": relu,
    "silu": silu,
    "swish": silu,
}


# ---------------------------------------------------------------------------------- config
@dataclasses.dataclass
class BertConfig:
    """Hyper-parameters of a BERT encoder (the fields and defaults of HF's ``BertConfig``).

    Inventory: TR-14.

    Parameters
    ----------
    vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size : int
        hidden_size must be divisible by num_attention_heads (head size D / H).
    hidden_act : "gelu" (exact erf) | "gelu_new" | "gelu_pytorch_tanh" | "relu" | "silu"
    hidden_dropout_prob, attention_probs_dropout_prob : float in [0, 1)
    max_position_embeddings, type_vocab_size : int
    initializer_range : float — std of the N(0, std^2) weight init
    layer_norm_eps : float
    pad_token_id : int — row of the word embeddings initialised to zero
    num_labels : int — outputs of the classification heads
    classifier_dropout : float or None — None uses hidden_dropout_prob

    Example
    -------
    >>> BertConfig(hidden_size=384, num_attention_heads=12).hidden_size // 12
    32
    """

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.1
    attention_probs_dropout_prob: float = 0.1
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    initializer_range: float = 0.02
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    num_labels: int = 2
    classifier_dropout: float | None = None

    def __post_init__(self):
        for name in (
            "vocab_size",
            "hidden_size",
            "num_hidden_layers",
            "num_attention_heads",
            "intermediate_size",
            "max_position_embeddings",
            "type_vocab_size",
            "num_labels",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"BertConfig: {name} must be a positive integer, got {value!r}")
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(
                f"BertConfig: hidden_size ({self.hidden_size}) must be a multiple of "
                f"num_attention_heads ({self.num_attention_heads})"
            )
        if self.hidden_act not in _ACTIVATIONS:
            raise ValueError(
                f"BertConfig: hidden_act must be one of {sorted(_ACTIVATIONS)}, "
                f"got {self.hidden_act!r}"
            )
        for name in ("hidden_dropout_prob", "attention_probs_dropout_prob"):
            p = getattr(self, name)
            if not 0.0 <= p < 1.0:
                raise ValueError(f"BertConfig: {name} must be in [0, 1), got {p!r}")
        if not 0 <= self.pad_token_id < self.vocab_size:
            raise ValueError(
                f"BertConfig: pad_token_id must be in [0, vocab_size={self.vocab_size}), "
                f"got {self.pad_token_id}"
            )

    @classmethod
    def from_dict(cls, d: dict) -> BertConfig:
        """Build from a dict, ignoring keys that are not fields (HF config.json has many)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    @classmethod
    def from_json(cls, path) -> BertConfig:
        """Read a Hugging Face ``config.json``."""
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def head_size(self) -> int:
        return self.hidden_size // self.num_attention_heads


def _as_config(config) -> BertConfig:
    """A BertConfig from a BertConfig, a dict (e.g. a saved config.json) or None (the defaults)."""
    if config is None:
        return BertConfig()
    if isinstance(config, BertConfig):
        return config
    if isinstance(config, dict):
        return BertConfig.from_dict(config)
    raise TypeError(f"config: expected a BertConfig or a dict, got {type(config).__name__}")


# ---------------------------------------------------------------------------------- inputs
def _index_array(x, name: str, ndim: int = 2) -> np.ndarray:
    """An int64 array of shape (B, T) from a Tensor / array / nested list, or a clear error."""
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype == np.bool_ or arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer ids, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array (batch, seq_len), got {arr.shape}")
    return arr.astype(np.int64, copy=False)


def _check_range(arr: np.ndarray, high: int, name: str, what: str) -> None:
    if arr.size and (arr.min() < 0 or arr.max() >= high):
        raise ValueError(
            f"{name}: values must be in [0, {what}={high}), got min {arr.min()} max {arr.max()}"
        )


def _padding_mask(attention_mask, shape: tuple) -> np.ndarray | None:
    """(B, T) 1 = token / 0 = padding  ->  bool (B, 1, 1, T), True where a key may be attended."""
    if attention_mask is None:
        return None
    m = attention_mask.data if isinstance(attention_mask, Tensor) else np.asarray(attention_mask)
    if m.shape != shape:
        raise ValueError(f"attention_mask: expected shape {shape} like input_ids, got {m.shape}")
    return (m != 0)[:, None, None, :]


# ---------------------------------------------------------------------------------- modules
class BertEmbeddings(Module):
    """LayerNorm(word + position + token-type embeddings), then dropout (TR-14)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.config = config
        d = config.hidden_size

        def table(n, **kw):  # zeros now; BertModel draws HF's N(0, 0.02^2) init once
            return Embedding(n, d, _weight=np.zeros((n, d), dtype=np.float32), **kw)

        self.word_embeddings = table(config.vocab_size, padding_idx=config.pad_token_id)
        self.position_embeddings = table(config.max_position_embeddings)
        self.token_type_embeddings = table(config.type_vocab_size)
        self.LayerNorm = LayerNorm(d, eps=config.layer_norm_eps)
        self.p = config.hidden_dropout_prob

    def forward(self, input_ids: np.ndarray, token_type_ids: np.ndarray, position_ids: np.ndarray):
        e = self.word_embeddings(input_ids)  # (B, T, D)
        e = e + self.token_type_embeddings(token_type_ids)  # (B, T, D)
        e = e + self.position_embeddings(position_ids)  # (T, D) broadcast over B
        return dropout(self.LayerNorm(e), self.p, self.training)


class BertSelfAttention(Module):
    """Multi-head scaled dot-product self-attention with a key-padding mask (TR-01/02/10)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        d = config.hidden_size
        self.num_attention_heads = config.num_attention_heads
        self.attention_head_size = config.head_size
        self.query = Linear(d, d)
        self.key = Linear(d, d)
        self.value = Linear(d, d)
        self.p = config.attention_probs_dropout_prob

    def forward(self, hidden, mask):
        b, t, d = hidden.shape
        h, dh = self.num_attention_heads, self.attention_head_size

        def heads(x):  # (B, T, D) -> (B, H, T, dh)
            return x.reshape(b, t, h, dh).transpose(1, 2)

        if not is_grad_enabled() and (self.p == 0 or not self.training):  # inference path
            q, k, v = (
                lin(hidden).data.reshape(b, t, h, dh).swapaxes(1, 2)  # (B, H, T, dh)
                for lin in (self.query, self.key, self.value)
            )
            ctx = _attention_inference(q, k, v, mask)  # (B, H, T, dh)
            return Tensor(np.ascontiguousarray(ctx.transpose(0, 2, 1, 3)).reshape(b, t, d))
        q = heads(self.query(hidden))  # (B, H, T, dh)
        k = heads(self.key(hidden))
        v = heads(self.value(hidden))
        p = self.p if self.training else 0.0
        ctx = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)  # (B,H,T,dh)
        return ctx.transpose(1, 2).reshape(b, t, d)  # (B, T, D)


def _attention_inference(q, k, v, mask):
    """softmax(Q K^T / sqrt(dh) + padding bias) V on arrays (no graph, no dropout).

    Padding keys get the additive bias finfo.min (as HF does), so a sequence that is all
    padding attends uniformly instead of producing NaN. Sequences are processed a few at a
    time so that each (H, T, T) score block stays in the L2 cache during its softmax passes.
    """
    b, h, t, dh = q.shape
    q = q * np.asarray(1.0 / np.sqrt(dh), dtype=q.dtype)  # scale the small operand
    bias = None
    if mask is not None:
        bias = np.where(mask, 0.0, np.finfo(q.dtype).min).astype(q.dtype)  # (B, 1, 1, T)
    out = np.empty_like(q)  # (B, H, T, dh)
    step = max(1, (1 << 18) // (h * t * t))  # ~1 MB of float32 scores per block
    for i in range(0, b, step):
        sl = slice(i, i + step)
        s = np.matmul(q[sl], k[sl].swapaxes(-1, -2))  # (b', H, T, T)
        if bias is not None:
            s += bias[sl]
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s *= 1.0 / s.sum(axis=-1, keepdims=True)  # (b', H, T, 1) reciprocals, broadcast
        np.matmul(s, v[sl], out=out[sl])
    return out


class _DenseAddNorm(Module):
    """LayerNorm(residual + Dropout(x W^T + b)): a projection closed by Add & Norm (TR-06).

    ``dense`` maps ``in_features`` to hidden_size; the two subclasses differ only in that width.
    """

    def __init__(self, config: BertConfig, in_features: int):
        super().__init__()
        self.dense = Linear(in_features, config.hidden_size)
        self.LayerNorm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.p = config.hidden_dropout_prob

    def forward(self, hidden, residual):
        return self.LayerNorm(dropout(self.dense(hidden), self.p, self.training) + residual)


class BertSelfOutput(_DenseAddNorm):
    """LayerNorm(input + Dropout(dense(attention))): dense (D, D)."""

    def __init__(self, config: BertConfig):
        super().__init__(config, config.hidden_size)


class BertAttention(Module):
    """Self-attention followed by its output projection and Add & Norm (TR-06)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(config)
        self.output = BertSelfOutput(config)

    def forward(self, hidden, mask):
        return self.output(self.self(hidden, mask), hidden)


class BertIntermediate(Module):
    """act(H W_1 + b_1): the first half of the position-wise FFN (TR-05)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.intermediate_size)
        self.act = _ACTIVATIONS[config.hidden_act]

    def forward(self, hidden):
        return self.act(self.dense(hidden))  # (B, T, I)


class BertOutput(_DenseAddNorm):
    """LayerNorm(input + Dropout(F W_2 + b_2)): the second half of the FFN with Add & Norm;
    dense (D, I)."""

    def __init__(self, config: BertConfig):
        super().__init__(config, config.intermediate_size)


class BertLayer(Module):
    """One post-norm encoder layer: attention + Add & Norm, FFN + Add & Norm (TR-07)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.attention = BertAttention(config)
        self.intermediate = BertIntermediate(config)
        self.output = BertOutput(config)

    def forward(self, hidden, mask):
        attended = self.attention(hidden, mask)  # (B, T, D)
        return self.output(self.intermediate(attended), attended)  # (B, T, D)


class BertEncoder(Module):
    """A stack of :class:`BertLayer` (``encoder.layer.{i}``)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.layer = ModuleList([BertLayer(config) for _ in range(config.num_hidden_layers)])

    def forward(self, hidden, mask):
        for layer in self.layer:
            hidden = layer(hidden, mask)
        return hidden


class BertPooler(Module):
    """pooled = tanh(W_p h_[CLS] + b_p) (TR-14)."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.hidden_size)

    def forward(self, hidden):
        return self.dense(hidden[:, 0]).tanh()  # (B, D)


def _init_bert_weights(model: Module, config: BertConfig, generator=None) -> None:
    """HF's init: Linear/Embedding weights ~ N(0, initializer_range^2), biases 0, the padding
    row 0, LayerNorm weight 1 and bias 0."""
    std = config.initializer_range
    for module in model.modules():
        if isinstance(module, Linear):
            init.normal_(module.weight, 0.0, std, generator)
            if module.bias is not None:
                init.zeros_(module.bias)
        elif isinstance(module, Embedding):
            init.normal_(module.weight, 0.0, std, generator)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx] = 0
        elif isinstance(module, LayerNorm):
            init.ones_(module.weight)
            init.zeros_(module.bias)


class BertModel(Module):
    """The BERT encoder: embeddings -> N post-norm layers -> [CLS] pooler (TR-14, TR-10).

    Inventory: TR-14, TR-10, TR-22.

    Parameters
    ----------
    config : BertConfig or dict (a dict lets ``glassml.nn.save/load`` rebuild the model)
    add_pooling_layer : bool — build ``pooler.dense`` (pooled output None otherwise)
    generator : numpy.random.Generator for the N(0, initializer_range^2) init
    init_weights : bool — False skips the random init (weights to be loaded next: faster)

    forward(input_ids (B, T) int, attention_mask (B, T) 1/0 = token/padding or None,
    token_type_ids (B, T) or None (zeros), position_ids (T,) or (B, T) or None (0..T-1))
    -> (last_hidden_state (B, T, D), pooled_output (B, D) or None)

    Example
    -------
    >>> import numpy as np
    >>> model = BertModel(BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1,
    ...                              num_attention_heads=2, intermediate_size=32))
    >>> h, pooled = model([[1, 4, 9, 0]], attention_mask=[[1, 1, 1, 0]])
    >>> h.shape, pooled.shape
    ((1, 4, 16), (1, 16))
    """

    def __init__(
        self, config=None, add_pooling_layer: bool = True, *, generator=None, init_weights=True
    ):
        super().__init__()
        config = _as_config(config)
        self.config = config
        self.embeddings = BertEmbeddings(config)
        self.encoder = BertEncoder(config)
        self.pooler = BertPooler(config) if add_pooling_layer else None
        if init_weights:
            _init_bert_weights(self, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None):
        cfg = self.config
        ids = _index_array(input_ids, "input_ids")
        b, t = ids.shape
        if t > cfg.max_position_embeddings:
            raise ValueError(
                f"input_ids: sequence length {t} exceeds max_position_embeddings "
                f"({cfg.max_position_embeddings}); truncate the input"
            )
        _check_range(ids, cfg.vocab_size, "input_ids", "vocab_size")
        if token_type_ids is None:
            types = np.zeros((b, t), dtype=np.int64)
        else:
            types = _index_array(token_type_ids, "token_type_ids")
            if types.shape != ids.shape:
                raise ValueError(
                    f"token_type_ids: expected shape {ids.shape} like input_ids, got {types.shape}"
                )
            _check_range(types, cfg.type_vocab_size, "token_type_ids", "type_vocab_size")
        if position_ids is None:
            positions = np.arange(t, dtype=np.int64)
        else:
            positions = _index_array(position_ids, "position_ids", np.ndim(position_ids))
            _check_range(positions, cfg.max_position_embeddings, "position_ids", "max_positions")
        mask = _padding_mask(attention_mask, (b, t))
        hidden = self.embeddings(ids, types, positions)  # (B, T, D)
        hidden = self.encoder(hidden, mask)  # (B, T, D)
        pooled = self.pooler(hidden) if self.pooler is not None else None  # (B, D)
        return hidden, pooled


# ---------------------------------------------------------------------------------- pooling
def mean_pooling(last_hidden_state, attention_mask=None):
    """Mean of the token vectors, padding excluded (SBERT pooling, TR-18).

        e = sum_t m_t h_t / max(sum_t m_t, 1e-9)

    Inventory: TR-18.

    Parameters
    ----------
    last_hidden_state : Tensor (B, T, D);  attention_mask : (B, T) 1/0 or None (all tokens)

    Example
    -------
    >>> from glassml.autograd import ones
    >>> mean_pooling(ones(2, 3, 4), [[1, 1, 0], [1, 0, 0]]).shape
    (2, 4)
    """
    h = last_hidden_state
    if attention_mask is None:
        return h.mean(1)
    m = attention_mask.data if isinstance(attention_mask, Tensor) else np.asarray(attention_mask)
    if m.shape != tuple(h.shape[:2]):
        raise ValueError(f"attention_mask: expected shape {tuple(h.shape[:2])}, got {m.shape}")
    m = m.astype(h.dtype)  # (B, T)
    counts = np.maximum(m.sum(1, keepdims=True), 1e-9).astype(h.dtype)  # (B, 1)
    weights = Tensor(m / counts)  # (B, T): 1 / n_tokens on tokens, 0 on padding
    return (h * weights[:, :, None]).sum(1)  # (B, D)


def cls_pooling(last_hidden_state):
    """The [CLS] (first) token vector h[:, 0] (TR-18). Inventory: TR-18.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> cls_pooling(ones(2, 3, 4)).shape
    (2, 4)
    """
    return last_hidden_state[:, 0]


# The task heads live in bert_heads.py, which builds on the backbone above; importing them last
# keeps ``from glassml.models.bert import BertForPreTraining`` (and the other heads) working.
from .bert_heads import (  # noqa: E402
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
    ClassifierOutput,
    PreTrainingOutput,
    QuestionAnsweringOutput,
)
