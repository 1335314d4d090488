"""The encoder-decoder Transformer for sequence-to-sequence tasks (Vaswani et al. 2017).

    memory = Encoder(E_src[x] * sqrt(d) + PE)                     (N x self-attention + FFN)
    h      = Decoder(E_tgt[y_<t] * sqrt(d) + PE, memory)          (masked self-attn, cross-attn)
    p(y_t | y_<t, x) = softmax(W_g h_t + b_g)                     (the "generator" head)

Training maximises Σ_t log p(y_t | y_<t, x) with teacher forcing: the decoder reads
tgt[:, :-1] = <bos> y_1 .. y_{n} and predicts tgt[:, 1:] = y_1 .. y_n <eos>; the causal mask
keeps position t from seeing y_t (TR-09); padding is hidden by key-padding masks (TR-10) and
ignored in the loss. Inference: greedy search (batched) or beam search through
:mod:`glassml.models.decoding`.

Embeddings are initialised N(0, 1/d) so that after the sqrt(d) scale their entries are of
the same order as the sinusoidal code (tensor2tensor's convention); the nn.Transformer core is
xavier-initialised like torch's.

Inventory: TR-03, TR-06..TR-11, SQ-03, SQ-04, SQ-10, SQ-11.

Example
-------
>>> import numpy as np
>>> model = Seq2SeqTransformer(12, 12, d_model=16, nhead=2, num_encoder_layers=1,
...                            num_decoder_layers=1, dim_feedforward=32)
>>> src = np.array([[4, 5, 6, 0]]); tgt = np.array([[1, 6, 5, 4, 2]])
>>> model(src, tgt[:, :-1]).shape
(1, 4, 12)
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy, log_softmax
from glassml.nn.positional import SinusoidalPositionalEncoding
from glassml.nn.transformer import Transformer

from . import decoding

__all__ = ["Seq2SeqTransformer", "train_seq2seq"]


def _ids(x, name: str) -> np.ndarray:
    arr = x.data if isinstance(x, Tensor) else np.asarray(x)
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name}: expected integer token ids of shape (N, T), got dtype {arr.dtype} and "
            f"shape {arr.shape}"
        )
    return arr.astype(np.int64, copy=False)


def _pos_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"Seq2SeqTransformer: {name} must be a positive integer, got {value!r}")
    return int(value)


class Seq2SeqTransformer(nn.Module):
    """Token embeddings (scaled by sqrt(d_model)) + sinusoidal PE + ``nn.Transformer`` +
    a linear generator head over the target vocabulary (TR-11).

    Parameters
    ----------
    src_vocab_size, tgt_vocab_size : int
    d_model=128, nhead=4, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=256,
    dropout=0.1, activation="relu", norm_first=False : the Transformer core (batch-first)
    max_len : int, default 512 — initial size of the positional table
    pad_id, bos_id, eos_id : int, default 0, 1, 2 (``glassml.datasets.make_seq2seq_task``'s ids)
    dtype : parameter dtype, default float32
    generator : numpy.random.Generator for the initialisation and dropout

    Methods: ``forward(src, tgt_in) -> logits (N, T, V)``, ``encode``, ``decode``,
    ``loss(src, tgt)``, ``translate(src, method="greedy"|"beam", ...)``.

    Example
    -------
    >>> import numpy as np
    >>> model = Seq2SeqTransformer(14, 14, d_model=16, nhead=2, num_encoder_layers=1,
    ...                            num_decoder_layers=1, dim_feedforward=32)
    >>> len(model.translate(np.array([[4, 5, 6]]), max_len=5)[0]) <= 5
    True
    """

    def __init__(
        self,
        src_vocab_size,
        tgt_vocab_size,
        d_model=128,
        nhead=4,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=256,
        dropout=0.1,
        activation="relu",
        norm_first=False,
        max_len=512,
        pad_id=0,
        bos_id=1,
        eos_id=2,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        self.src_vocab_size = _pos_int(src_vocab_size, "src_vocab_size")
        self.tgt_vocab_size = _pos_int(tgt_vocab_size, "tgt_vocab_size")
        self.d_model = _pos_int(d_model, "d_model")
        for name, value in (("pad_id", pad_id), ("bos_id", bos_id), ("eos_id", eos_id)):
            if not 0 <= value < self.tgt_vocab_size:
                raise ValueError(
                    f"Seq2SeqTransformer: {name} must be a target token id in "
                    f"[0, {self.tgt_vocab_size}), got {value!r}"
                )
        self.pad_id, self.bos_id, self.eos_id = int(pad_id), int(bos_id), int(eos_id)
        self.src_embed = nn.Embedding(
            self.src_vocab_size, d_model, dtype=dtype, generator=generator
        )
        self.tgt_embed = nn.Embedding(
            self.tgt_vocab_size, d_model, dtype=dtype, generator=generator
        )
        for emb in (self.src_embed, self.tgt_embed):
            emb.weight.data *= emb.weight.dtype.type(1.0 / math.sqrt(d_model))  # N(0, 1/d)
        self.positional = SinusoidalPositionalEncoding(
            d_model, max_len, dropout, dtype=dtype, generator=generator
        )
        self.transformer = Transformer(
            d_model,
            nhead,
            num_encoder_layers,
            num_decoder_layers,
            dim_feedforward,
            dropout,
            activation,
            batch_first=True,
            norm_first=norm_first,
            dtype=dtype,
            generator=generator,
        )
        self.generator_head = nn.Linear(
            d_model, self.tgt_vocab_size, dtype=dtype, generator=generator
        )
        self.config = dict(
            src_vocab_size=self.src_vocab_size,
            tgt_vocab_size=self.tgt_vocab_size,
            d_model=self.d_model,
            nhead=nhead,
            num_encoder_layers=num_encoder_layers,
            num_decoder_layers=num_decoder_layers,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation=activation if isinstance(activation, str) else "relu",
            norm_first=norm_first,
            max_len=max_len,
            pad_id=self.pad_id,
            bos_id=self.bos_id,
            eos_id=self.eos_id,
        )

    # ------------------------------------------------------------------ forward
    def _embed(self, embedding, ids):
        x = embedding(Tensor(ids))  # (N, T, d)
        return self.positional(x * math.sqrt(self.d_model))

    def encode(self, src):
        """memory (N, S, d) and the source padding mask (N, S) (True = <pad>)."""
        src = _ids(src, "src")
        if src.max(initial=0) >= self.src_vocab_size or src.min(initial=0) < 0:
            raise ValueError(
                f"src: token ids must be in [0, {self.src_vocab_size}), got range "
                f"[{src.min()}, {src.max()}]"
            )
        src_pad = src == self.pad_id  # (N, S)
        memory = self.transformer.encoder(
            self._embed(self.src_embed, src), src_key_padding_mask=src_pad
        )
        return memory, src_pad

    def decode(self, tgt_in, memory, src_pad):
        """Logits (N, T, V) of the next target token at every position of ``tgt_in``."""
        tgt_in = _ids(tgt_in, "tgt")
        if tgt_in.max(initial=0) >= self.tgt_vocab_size or tgt_in.min(initial=0) < 0:
            raise ValueError(
                f"tgt: token ids must be in [0, {self.tgt_vocab_size}), got range "
                f"[{tgt_in.min()}, {tgt_in.max()}]"
            )
        length = tgt_in.shape[1]
        causal = np.triu(np.ones((length, length), dtype=bool), 1)  # (T, T) True = future
        tgt_pad = tgt_in == self.pad_id
        h = self.transformer.decoder(
            self._embed(self.tgt_embed, tgt_in),
            memory,
            tgt_mask=causal,
            tgt_key_padding_mask=tgt_pad if tgt_pad.any() else None,
            memory_key_padding_mask=src_pad,
            tgt_is_causal=True,
        )  # (N, T, d)
        return self.generator_head(h)  # (N, T, V)

    def forward(self, src, tgt_in):
        memory, src_pad = self.encode(src)
        return self.decode(tgt_in, memory, src_pad)

    def loss(self, src, tgt):
        """Token-level cross-entropy of tgt[:, 1:] given tgt[:, :-1], pads ignored (SQ-10)."""
        tgt = _ids(tgt, "tgt")
        logits = self(src, tgt[:, :-1])  # (N, T-1, V)
        n, t, v = logits.shape
        targets = Tensor(tgt[:, 1:].reshape(-1))
        return cross_entropy(logits.reshape(n * t, v), targets, ignore_index=self.pad_id)

    # ------------------------------------------------------------------ inference
    def translate(self, src, method="greedy", beam_width=4, length_penalty=1.0, max_len=None):
        """Decode every source row: a list of token-id lists (bos and eos removed).

        method : "greedy" (batched argmax, SQ-03) or "beam" (per source, SQ-04, through
            :func:`glassml.models.decoding.beam_search`)
        max_len : the most generated tokens, eos included (default: source length + 10)
        """
        if method not in ("greedy", "beam"):
            raise ValueError(f"method: expected 'greedy' or 'beam', got {method!r}")
        src = _ids(src, "src")
        max_len = src.shape[1] + 10 if max_len is None else _pos_int(max_len, "max_len")
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                memory, src_pad = self.encode(src)
                if method == "greedy":
                    return self._greedy(memory, src_pad, max_len)
                return [
                    self._beam(memory[b : b + 1], src_pad[b : b + 1], beam_width,
                               length_penalty, max_len)
                    for b in range(src.shape[0])
                ]  # fmt: skip
        finally:
            self.train(was_training)

    def _next_log_probs(self, memory, src_pad):
        """The stateless next-token model of one source for glassml.models.decoding."""

        def next_log_probs(prefixes):
            k = prefixes.shape[0]
            mem = memory.expand(k, *memory.shape[1:])  # (K, S, d)
            logits = self.decode(prefixes, mem, np.repeat(src_pad, k, axis=0))
            return log_softmax(logits[:, -1], dim=-1).data  # (K, V)

        return next_log_probs

    def _greedy(self, memory, src_pad, max_len):
        n = memory.shape[0]
        prefix = np.full((n, 1), self.bos_id, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        for _ in range(max_len):
            logits = self.decode(prefix, memory, src_pad)  # (N, t, V)
            nxt = logits.data[:, -1].argmax(-1)  # (N,)
            nxt[done] = self.pad_id
            prefix = np.concatenate([prefix, nxt[:, None]], axis=1)
            done |= nxt == self.eos_id
            if done.all():
                break
        out = []
        for row in prefix[:, 1:]:
            tokens = row.tolist()
            out.append(tokens[: tokens.index(self.eos_id)] if self.eos_id in tokens else tokens)
        return out

    def _beam(self, memory, src_pad, beam_width, length_penalty, max_len):
        hyps = decoding.beam_search(
            self._next_log_probs(memory, src_pad),
            bos_id=self.bos_id,
            eos_id=self.eos_id,
            beam_width=beam_width,
            max_len=max_len,
            length_penalty=length_penalty,
        )
        tokens = hyps[0][0]
        return tokens[:-1] if tokens and tokens[-1] == self.eos_id else tokens

    def greedy_reference(self, src_row, max_len):
        """Greedy decoding of one source through :func:`glassml.models.decoding.greedy_decode`
        (the unbatched reference of ``translate(method="greedy")``)."""
        with no_grad():
            memory, src_pad = self.encode(_ids(src_row, "src")[:1])
            tokens = decoding.greedy_decode(
                self._next_log_probs(memory, src_pad),
                bos_id=self.bos_id,
                eos_id=self.eos_id,
                max_len=max_len,
            )
        return tokens[:-1] if tokens and tokens[-1] == self.eos_id else tokens


def train_seq2seq(
    model,
    src,
    tgt,
    *,
    epochs=10,
    batch_size=64,
    lr=1e-3,
    warmup_steps=100,
    clip_norm=1.0,
    random_state=0,
    progress=True,
):
    """Train ``model`` (a :class:`Seq2SeqTransformer`) with AdamW (betas 0.9, 0.98), linear
    warmup + cosine decay and gradient-norm clipping; returns the per-step losses.

    Parameters
    ----------
    src : int array (N, S) padded source ids;  tgt : int array (N, T) <bos> y <eos> padded
    epochs, batch_size, lr, warmup_steps, clip_norm : the usual
    random_state : int — shuffling seed
    progress : bool — a tqdm bar over the steps

    Example
    -------
    >>> from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    >>> task = make_seq2seq_task("copy", 64, 2, 4, random_state=0)
    >>> model = Seq2SeqTransformer(14, 14, d_model=16, nhead=2, num_encoder_layers=1,
    ...                            num_decoder_layers=1, dim_feedforward=32)
    >>> len(train_seq2seq(model, task.src, task.tgt, epochs=1, batch_size=32, progress=False))
    2
    """
    from glassml.nn.utils import clip_grad_norm_
    from glassml.optim import AdamW
    from glassml.optim.lr_scheduler import warmup_cosine

    src, tgt = _ids(src, "src"), _ids(tgt, "tgt")
    if src.shape[0] != tgt.shape[0]:
        raise ValueError(
            f"src and tgt must have the same number of rows, got {src.shape[0]} and {tgt.shape[0]}"
        )
    n = src.shape[0]
    steps_per_epoch = -(-n // batch_size)
    total = epochs * steps_per_epoch
    opt = AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    sched = warmup_cosine(opt, min(warmup_steps, max(total - 1, 0)), max(total, 1))
    rng = np.random.default_rng(random_state)
    losses = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="seq2seq transformer", leave=False)
    model.train()
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, batch_size):
            idx = order[i : i + batch_size]
            s, t = src[idx], tgt[idx]
            s = s[:, : max(1, int((s != model.pad_id).sum(1).max()))]  # trim shared padding
            t = t[:, : int((t != model.pad_id).sum(1).max())]
            loss = model.loss(s, t)
            opt.zero_grad()
            loss.backward()
            if clip_norm:
                clip_grad_norm_(model.parameters(), clip_norm)
            opt.step()
            sched.step()
            losses.append(float(loss.data))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
    if bar is not None:
        bar.close()
    return losses
