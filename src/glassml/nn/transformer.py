"""Transformer encoder/decoder layers and stacks with PyTorch's API, defaults and key names.

Encoder layer (TR-07), post-norm (``norm_first=False``, the original "Add & Norm", TR-06):

    x = LayerNorm(x + Dropout(SelfAttention(x)))
    x = LayerNorm(x + Dropout(FFN(x))),      FFN(x) = W_2 Dropout(act(W_1 x + b_1)) + b_2  (TR-05)

pre-norm (``norm_first=True``): x = x + Dropout(SelfAttention(LN(x))); x = x + Dropout(FFN(LN(x))).

Decoder layer (TR-08): masked self-attention -> Add & Norm -> cross-attention (queries from the
decoder stream, keys/values from the encoder output ``memory``; inventory E-50) -> Add & Norm
-> FFN -> Add & Norm. The causal mask hides later target positions (TR-09).

``Transformer`` = encoder stack + final LayerNorm, decoder stack + final LayerNorm, with every
weight matrix re-initialised by xavier_uniform_ like ``torch.nn.Transformer``.

Masks use nn.MultiheadAttention's conventions (bool True = blocked, or float additive); see
:mod:`glassml.nn.attention`.

Inventory: TR-05, TR-06, TR-07, TR-08, TR-09, TR-10, TR-11 (core of the seq2seq model).

Example
-------
>>> from glassml.autograd import randn
>>> layer = TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
>>> TransformerEncoder(layer, num_layers=2)(randn(2, 7, 16)).shape
(2, 7, 16)
"""

from __future__ import annotations

import copy
import numbers

import numpy as np

from glassml.autograd import Tensor, relu
from glassml.autograd.fused import gelu

from . import init
from .attention import MultiheadAttention
from .containers import ModuleList
from .dropout import Dropout
from .linear import Linear
from .module import Module
from .normalization import LayerNorm

__all__ = [
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerDecoder",
    "Transformer",
    "generate_square_subsequent_mask",
]


def generate_square_subsequent_mask(sz: int, dtype=np.float32) -> Tensor:
    """The (sz, sz) causal mask: 0 on and below the diagonal, -inf above (TR-09).

    Position i may attend to positions j <= i only; the -inf is added to the scores before the
    softmax, so the weights on later positions are exactly zero (E-27).

    Example
    -------
    >>> generate_square_subsequent_mask(3).numpy()
    array([[  0., -inf, -inf],
           [  0.,   0., -inf],
           [  0.,   0.,   0.]], dtype=float32)
    """
    if isinstance(sz, bool) or not isinstance(sz, numbers.Integral) or sz <= 0:
        raise ValueError(f"generate_square_subsequent_mask: sz must be a positive int, got {sz!r}")
    mask = np.triu(np.full((int(sz), int(sz)), -np.inf, dtype=dtype), 1)
    return Tensor(mask)


def _activation(activation):
    """'relu' | 'gelu' | a callable (function or Module) -> the callable."""
    if isinstance(activation, str):
        if activation == "relu":
            return relu
        if activation == "gelu":
            return gelu
        raise ValueError(f"activation should be relu/gelu or a callable, not {activation!r}")
    if callable(activation):
        return activation
    raise ValueError(f"activation should be relu/gelu or a callable, not {activation!r}")


def _check_model_sizes(owner: str, d_model, nhead, dim_feedforward, dropout) -> None:
    for name, value in (
        ("d_model", d_model),
        ("nhead", nhead),
        ("dim_feedforward", dim_feedforward),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
            raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    if d_model % nhead:
        raise ValueError(f"{owner}: d_model ({d_model}) must be divisible by nhead ({nhead})")
    if isinstance(dropout, bool) or not 0.0 <= dropout <= 1.0:
        raise ValueError(f"{owner}: dropout must be in [0, 1], got {dropout!r}")


class _FeedForwardMixin:
    """The position-wise FFN block shared by both layers: W_2 Dropout(act(W_1 x)) (TR-05)."""

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout_ff(x)

    def _set_activation(self, activation) -> None:
        act = _activation(activation)
        if isinstance(act, Module):
            self.activation = act  # registered as a child, like torch
        else:
            object.__setattr__(self, "activation", act)
        self.activation_relu_or_gelu = 1 if act is relu else 2 if act is gelu else 0


class TransformerEncoderLayer(_FeedForwardMixin, Module):
    """Self-attention + FFN with residuals and LayerNorm (``torch.nn.TransformerEncoderLayer``).

    Parameters
    ----------
    d_model : int — model width E
    nhead : int — attention heads (d_model divisible by nhead)
    dim_feedforward : int, default 2048 — FFN inner width
    dropout : float, default 0.1 — on the attention weights, inside the FFN and on both residual
        branches
    activation : "relu" (default), "gelu" or a callable
    layer_norm_eps : float, default 1e-5
    batch_first : bool, default False — (N, T, E) instead of (T, N, E)
    norm_first : bool, default False — pre-norm instead of the original post-norm
    bias : bool, default True — biases of the Linear and LayerNorm layers
    generator : numpy.random.Generator for the initialisation and dropout

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``; state-dict keys
    ``self_attn.*``, ``linear1.*``, ``linear2.*``, ``norm1.*``, ``norm2.*`` as torch.

    Inventory: TR-05, TR-06, TR-07.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> layer = TransformerEncoderLayer(8, 2, dim_feedforward=16, norm_first=True)
    >>> layer(randn(5, 3, 8)).shape                    # (T, N, E)
    (5, 3, 8)
    """

    def __init__(
        self,
        d_model,
        nhead,
        dim_feedforward=2048,
        dropout=0.1,
        activation="relu",
        layer_norm_eps=1e-5,
        batch_first=False,
        norm_first=False,
        bias=True,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        _check_model_sizes("TransformerEncoderLayer", d_model, nhead, dim_feedforward, dropout)
        kw = dict(dtype=dtype, generator=generator)
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **kw
        )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout, generator=generator)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout, generator=generator)
        self.dropout2 = Dropout(dropout, generator=generator)
        self.batch_first = bool(batch_first)
        self._set_activation(activation)

    @property
    def dropout_ff(self):
        return self.dropout2

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)


class TransformerDecoderLayer(_FeedForwardMixin, Module):
    """Masked self-attention, cross-attention over ``memory`` and FFN, each with a residual and
    LayerNorm (``torch.nn.TransformerDecoderLayer``).

    Parameters as :class:`TransformerEncoderLayer`. ``forward(tgt, memory, tgt_mask=None,
    memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    tgt_is_causal=False, memory_is_causal=False)``; keys ``self_attn.*``,
    ``multihead_attn.*``, ``linear1/2.*``, ``norm1/2/3.*``.

    Inventory: TR-06, TR-08, TR-09, TR-10.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> layer = TransformerDecoderLayer(8, 2, dim_feedforward=16, batch_first=True)
    >>> layer(randn(2, 4, 8), randn(2, 6, 8), tgt_is_causal=True).shape
    (2, 4, 8)
    """

    def __init__(
        self,
        d_model,
        nhead,
        dim_feedforward=2048,
        dropout=0.1,
        activation="relu",
        layer_norm_eps=1e-5,
        batch_first=False,
        norm_first=False,
        bias=True,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        _check_model_sizes("TransformerDecoderLayer", d_model, nhead, dim_feedforward, dropout)
        kw = dict(dtype=dtype, generator=generator)
        mha = dict(dropout=dropout, bias=bias, batch_first=batch_first, **kw)
        self.self_attn = MultiheadAttention(d_model, nhead, **mha)
        self.multihead_attn = MultiheadAttention(d_model, nhead, **mha)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **kw)
        self.dropout = Dropout(dropout, generator=generator)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **kw)
        self.norm_first = bool(norm_first)
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
        self.dropout1 = Dropout(dropout, generator=generator)
        self.dropout2 = Dropout(dropout, generator=generator)
        self.dropout3 = Dropout(dropout, generator=generator)
        self.batch_first = bool(batch_first)
        self._set_activation(activation)

    @property
    def dropout_ff(self):
        return self.dropout3

    def forward(
        self,
        tgt,
        memory,
        tgt_mask=None,
        memory_mask=None,
        tgt_key_padding_mask=None,
        memory_key_padding_mask=None,
        tgt_is_causal=False,
        memory_is_causal=False,
    ):
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(
                x
                + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            )
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal):
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal):
        x = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return self.dropout2(x)


def _clones(layer: Module, n) -> ModuleList:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"num_layers must be a non-negative integer, got {n!r}")
    # share (not copy) random generators: copied generators would give every layer the same
    # dropout masks
    memo = {
        id(v): v
        for m in layer.modules()
        for v in m.__dict__.values()
        if isinstance(v, np.random.Generator)
    }
    return ModuleList([copy.deepcopy(layer, dict(memo)) for _ in range(int(n))])


def _is_causal_mask(mask, size: int) -> bool:
    """True when ``mask`` is exactly the (size, size) causal mask (float -inf or bool)."""
    if mask is None:
        return False
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.shape != (size, size):
        return False
    above = np.triu(np.ones((size, size), dtype=bool), 1)
    if m.dtype == np.bool_:
        return bool(np.array_equal(m, above))
    return bool(np.all(np.isneginf(m[above])) and np.all(m[~above] == 0))


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer`` and an optional final ``norm``
    (``torch.nn.TransformerEncoder``; keys ``layers.0.*``, ``norm.*``).

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)``.
    (``enable_nested_tensor`` and ``mask_check`` are accepted for API compatibility; glassml has
    no nested-tensor fast path, so train and eval compute the same function.)

    Inventory: TR-07.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> enc = TransformerEncoder(TransformerEncoderLayer(8, 2, 16), 3, norm=LayerNorm(8))
    >>> enc(randn(4, 2, 8)).shape
    (4, 2, 8)
    """

    def __init__(
        self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True
    ):
        super().__init__()
        if not isinstance(encoder_layer, Module):
            raise TypeError(
                f"TransformerEncoder: encoder_layer must be a Module, got "
                f"{type(encoder_layer).__name__}"
            )
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = int(num_layers)
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        seq_axis = 1 if (src.ndim == 3 and getattr(self.layers[0], "batch_first", False)) else 0
        if is_causal is None:
            is_causal = _is_causal_mask(mask, src.shape[seq_axis])
        out = src
        for layer in self.layers:
            out = layer(
                out, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=is_causal
            )
        if self.norm is not None:
            out = self.norm(out)
        return out


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer`` and an optional final ``norm``
    (``torch.nn.TransformerDecoder``; keys ``layers.0.*``, ``norm.*``).

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)``.

    Inventory: TR-08.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> dec = TransformerDecoder(TransformerDecoderLayer(8, 2, 16, batch_first=True), 2)
    >>> dec(randn(2, 3, 8), randn(2, 5, 8), tgt_is_causal=True).shape
    (2, 3, 8)
    """

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        if not isinstance(decoder_layer, Module):
            raise TypeError(
                f"TransformerDecoder: decoder_layer must be a Module, got "
                f"{type(decoder_layer).__name__}"
            )
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = int(num_layers)
        self.norm = norm

    def forward(
        self,
        tgt,
        memory,
        tgt_mask=None,
        memory_mask=None,
        tgt_key_padding_mask=None,
        memory_key_padding_mask=None,
        tgt_is_causal=None,
        memory_is_causal=False,
    ):
        seq_axis = 1 if (tgt.ndim == 3 and getattr(self.layers[0], "batch_first", False)) else 0
        if tgt_is_causal is None:
            tgt_is_causal = _is_causal_mask(tgt_mask, tgt.shape[seq_axis])
        out = tgt
        for layer in self.layers:
            out = layer(
                out,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            out = self.norm(out)
        return out


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need" (``torch.nn.Transformer``).

    encoder = N x TransformerEncoderLayer + LayerNorm; decoder = N x TransformerDecoderLayer +
    LayerNorm; all weight matrices (dim > 1) re-initialised with xavier_uniform_. Embeddings,
    positional encodings and the output projection are not part of it (see
    ``glassml.models.transformer.Seq2SeqTransformer``).

    Parameters
    ----------
    d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
    dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None,
    layer_norm_eps=1e-5, batch_first=False, norm_first=False, bias=True (as torch);
    generator : numpy.random.Generator for the initialisation and dropout

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
    src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None,
    src_is_causal=None, tgt_is_causal=None, memory_is_causal=False)`` -> (T, N, E) or
    (N, T, E) with ``batch_first``.

    Inventory: TR-06..TR-11.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> model = Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
    ...                     dim_feedforward=32, batch_first=True)
    >>> mask = Transformer.generate_square_subsequent_mask(4)
    >>> model(randn(2, 6, 16), randn(2, 4, 16), tgt_mask=mask).shape
    (2, 4, 16)
    """

    def __init__(
        self,
        d_model=512,
        nhead=8,
        num_encoder_layers=6,
        num_decoder_layers=6,
        dim_feedforward=2048,
        dropout=0.1,
        activation="relu",
        custom_encoder=None,
        custom_decoder=None,
        layer_norm_eps=1e-5,
        batch_first=False,
        norm_first=False,
        bias=True,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        layer_kw = dict(
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation,
            layer_norm_eps=layer_norm_eps,
            batch_first=batch_first,
            norm_first=norm_first,
            bias=bias,
            dtype=dtype,
            generator=generator,
        )
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, **layer_kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, **layer_kw)
            norm = LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, norm)
        self.d_model, self.nhead, self.batch_first = d_model, nhead, bool(batch_first)
        self.generator = generator
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p, generator=self.generator)

    @staticmethod
    def generate_square_subsequent_mask(sz, device=None, dtype=None) -> Tensor:
        """The (sz, sz) float causal mask (0 below/on the diagonal, -inf above)."""
        return generate_square_subsequent_mask(sz, np.float32 if dtype is None else dtype)

    def forward(
        self,
        src,
        tgt,
        src_mask=None,
        tgt_mask=None,
        memory_mask=None,
        src_key_padding_mask=None,
        tgt_key_padding_mask=None,
        memory_key_padding_mask=None,
        src_is_causal=None,
        tgt_is_causal=None,
        memory_is_causal=False,
    ):
        batch_axis = 0 if self.batch_first else 1
        if src.ndim == 3 and tgt.ndim == 3 and src.shape[batch_axis] != tgt.shape[batch_axis]:
            raise ValueError(
                f"Transformer: the batch number of src and tgt must be equal, got "
                f"{src.shape[batch_axis]} and {tgt.shape[batch_axis]}"
            )
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError(
                f"Transformer: the feature number of src and tgt must be equal to d_model "
                f"({self.d_model}), got {src.shape[-1]} and {tgt.shape[-1]}"
            )
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )
