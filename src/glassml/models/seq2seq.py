"""RNN encoder-decoder (seq2seq) with optional Bahdanau or Luong attention.

Encoder (SQ-01, SQ-05): embedding + GRU/LSTM over the source x_1..x_S (packed, so padding
never enters the recurrence), optionally bidirectional; outputs k_s = [h→_s; h←_s] and the
final states. A bidirectional encoder's final states are *bridged* into the decoder's initial
state, per layer: s_0 = tanh(W_b [h→_S; h←_1] + b) (and c_0 = W_c [c→; c←] + b_c for an LSTM).

Decoders, one step with input token y_{t-1} (its embedding e_{t-1}) and state s_{t-1}:

* ``Decoder`` (no attention, SQ-01): the encoder's last state is the only context (it seeds
  s_0); s_t = RNN(e_{t-1}, s_{t-1});  logits_t = W_o s_t + b_o.
* ``AttentionDecoder`` with ``attention="bahdanau"`` (SQ-07): the previous state queries the
  encoder, c_t = attn(s_{t-1}, k);  s_t = RNN([e_{t-1}; c_t], s_{t-1});
  logits_t = W_o [s_t; c_t] + b_o.
* ``AttentionDecoder`` with ``attention`` in "dot", "general", "concat" (Luong, SQ-08): the new
  state queries the encoder, s_t = RNN(e_{t-1}, s_{t-1});  c_t = attn(s_t, k);
  h̃_t = tanh(W_c [c_t; s_t]);  logits_t = W_o h̃_t + b_o. (No input feeding, so with full
  teacher forcing the RNN runs over the whole target at once and the attention is one batched
  product — the fast path.)

Training (SQ-02, SQ-10): ``forward(src, src_lengths, tgt, teacher_forcing_ratio)`` reads
tgt = <bos> y_1 .. y_n <eos> <pad>..; at step t the input is the gold y_{t-1} with probability
``teacher_forcing_ratio`` (per token), else the model's own previous argmax (free running);
the loss is the token-level cross-entropy over non-pad targets,
L = Σ_{b,t: y_bt ≠ pad} −log p(y_bt | ·) / #{non-pad}.

Inference: ``translate`` by greedy search (SQ-03, batched) or beam search (SQ-04, through
:func:`glassml.models.decoding.beam_search_stateful`, O(T) per hypothesis since the RNN
state is carried); ``attention_map`` returns the weights a_{t,s} and :func:`plot_attention`
draws them.

Parameter names (``encoder.embedding.weight``, ``encoder.rnn.weight_ih_l0``, ``bridge.weight``,
``decoder.attention.key_proj.weight``, ``decoder.out.bias`` ...) are those of the same modules
written with torch.nn, so state dicts move across.

The building blocks (Encoder, Decoder, AttentionDecoder, Memory) live in
:mod:`glassml.models.seq2seq_layers` and the training helpers (``fit_seq2seq``,
``exact_match``) in :mod:`glassml.models.seq2seq_training`; both are re-exported here.

Inventory: SQ-01..SQ-08, SQ-10, CL-182, CL-183, CL-184, CL-192.

Example
-------
>>> import numpy as np
>>> model = Seq2Seq(12, 12, embedding_dim=8, hidden_size=16, attention="general")
>>> src = np.array([[4, 5, 6], [7, 8, 0]]); tgt = np.array([[1, 6, 5, 4, 2], [1, 8, 7, 2, 0]])
>>> logits = model(src, [3, 2], tgt)
>>> logits.shape, float(sequence_cross_entropy(logits, tgt[:, 1:], pad_id=0).data) > 0
((2, 4, 12), True)
>>> len(model.translate(src, [3, 2], method="beam", beam_width=3))
2
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, cat, no_grad, stack, tanh
from glassml.autograd.fused import cross_entropy, log_softmax
from glassml.nn.linear import Linear
from glassml.nn.module import Module

from .decoding import beam_search_stateful
from .seq2seq_layers import (
    ATTENTIONS,
    CELLS,
    AttentionDecoder,
    Decoder,
    Encoder,
    Memory,
    _check_cell,
    _check_pos_int,
    _index_array,
    _lengths,
    _select_state,
)
from .seq2seq_training import exact_match, fit_seq2seq

__all__ = [
    "Encoder",
    "Decoder",
    "AttentionDecoder",
    "Memory",
    "Seq2Seq",
    "sequence_cross_entropy",
    "plot_attention",
    "fit_seq2seq",
    "exact_match",
    "CELLS",
    "ATTENTIONS",
]


# ---------------------------------------------------------------------------- loss
def sequence_cross_entropy(logits, targets, pad_id: int = 0, reduction: str = "mean"):
    """Token-level cross-entropy with a padding mask (SQ-10).

    L = Σ_{b,t: y_bt ≠ pad} −log softmax(z_bt)[y_bt] / #{(b, t): y_bt ≠ pad}   ("mean")

    Parameters
    ----------
    logits : Tensor (B, T, V);  targets : int (B, T) (pad where there is no token)
    pad_id : int;  reduction : "mean" | "sum" | "none" ((B, T), 0 at pads)

    Example
    -------
    >>> from glassml.autograd import zeros
    >>> import numpy as np
    >>> loss = sequence_cross_entropy(zeros(1, 3, 4), np.array([[2, 3, 0]]), pad_id=0)
    >>> round(float(loss.data), 4) == round(float(np.log(4)), 4)
    True
    """
    if not isinstance(logits, Tensor) or logits.ndim != 3:
        raise ValueError(
            f"logits: expected a Tensor of shape (B, T, V), got "
            f"{getattr(logits, 'shape', type(logits).__name__)}"
        )
    y = _index_array(targets, "targets", 2)
    if y.shape != logits.shape[:2]:
        raise ValueError(f"targets: expected shape {logits.shape[:2]} (B, T), got {y.shape}")
    B, T, V = logits.shape
    loss = cross_entropy(logits.reshape(B * T, V), Tensor(y.reshape(-1)), ignore_index=pad_id,
                         reduction=reduction)  # fmt: skip
    return loss.reshape(B, T) if reduction == "none" else loss


# ---------------------------------------------------------------------------- model
class Seq2Seq(Module):
    """Encoder-decoder with optional attention, teacher forcing, greedy and beam decoding.

    Parameters
    ----------
    src_vocab_size, tgt_vocab_size : int
    embedding_dim : int, default 32;  hidden_size : int, default 64 (encoder and decoder)
    num_layers : int, default 1;  cell : "gru" | "lstm", default "gru"
    bidirectional : bool — bidirectional encoder, bridged into the decoder (module docstring)
    attention : None | "bahdanau" | "dot" | "general" | "concat"
    attention_size : int, optional — hidden size of the additive scores
    dropout : float — between stacked RNN layers
    pad_id, bos_id, eos_id : int, defaults 0, 1, 2 (those of
        :func:`glassml.datasets.seq2seq_tasks.make_seq2seq_task`)
    dtype, generator : parameter dtype; numpy Generator for the initial weights

    ``model.config`` holds the constructor arguments, so ``glassml.nn.save(model, dir,
    model.config)`` / ``glassml.nn.load(dir)`` round-trip the model.

    Inventory: SQ-01..SQ-08, SQ-10.

    Example
    -------
    >>> import numpy as np
    >>> m = Seq2Seq(14, 14, hidden_size=16, attention="bahdanau", bidirectional=True)
    >>> m.translate(np.array([[4, 5, 6]]), max_len=4)[0].__class__.__name__
    'list'
    """

    def __init__(self, src_vocab_size, tgt_vocab_size, embedding_dim=32, hidden_size=64,
                 num_layers=1, cell="gru", bidirectional=False, attention=None,
                 attention_size=None, dropout=0.0, pad_id=0, bos_id=1, eos_id=2, *, dtype=None,
                 generator=None):  # fmt: skip
        super().__init__()
        owner = "Seq2Seq"
        for name, value in (("src_vocab_size", src_vocab_size), ("tgt_vocab_size", tgt_vocab_size),
                            ("embedding_dim", embedding_dim), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):  # fmt: skip
            _check_pos_int(value, name, owner)
        _check_cell(cell, owner)
        if attention not in ATTENTIONS:
            raise ValueError(f"{owner}: attention must be one of {ATTENTIONS}, got {attention!r}")
        for name, value in (("pad_id", pad_id), ("bos_id", bos_id), ("eos_id", eos_id)):
            if not isinstance(value, numbers.Integral) or not 0 <= value < tgt_vocab_size:
                raise ValueError(f"{owner}: {name} must be a token id in [0, {tgt_vocab_size}), "
                                 f"got {value!r}")  # fmt: skip
        self.config = dict(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size,
                           embedding_dim=embedding_dim, hidden_size=hidden_size,
                           num_layers=num_layers, cell=cell, bidirectional=bool(bidirectional),
                           attention=attention, attention_size=attention_size, dropout=dropout,
                           pad_id=pad_id, bos_id=bos_id, eos_id=eos_id)  # fmt: skip
        self.pad_id, self.bos_id, self.eos_id = int(pad_id), int(bos_id), int(eos_id)
        self.cell, self.bidirectional, self.attention_kind = cell, bool(bidirectional), attention
        kw = dict(dtype=dtype, generator=generator)
        self.encoder = Encoder(src_vocab_size, embedding_dim, hidden_size, num_layers, cell,
                               bidirectional, dropout, pad_id, **kw)  # fmt: skip
        if self.bidirectional:
            self.bridge = Linear(2 * hidden_size, hidden_size, **kw)
            if cell == "lstm":
                self.bridge_c = Linear(2 * hidden_size, hidden_size, **kw)
        if attention is None:
            self.decoder = Decoder(tgt_vocab_size, embedding_dim, hidden_size, num_layers, cell,
                                   dropout, pad_id, **kw)  # fmt: skip
        else:
            self.decoder = AttentionDecoder(tgt_vocab_size, embedding_dim, hidden_size,
                                            self.encoder.output_size, attention, attention_size,
                                            num_layers, cell, dropout, pad_id, **kw)  # fmt: skip

    # ------------------------------------------------------------------ encoding
    def _bridge(self, enc_state):
        if not self.bidirectional:
            return enc_state
        lstm = self.cell == "lstm"
        h, c = enc_state if lstm else (enc_state, None)
        layers, batch, hidden = h.shape[0] // 2, h.shape[1], h.shape[2]

        def join(s):  # (2L, B, H) -> (L, B, 2H): [forward; backward] per layer
            s = s.reshape(layers, 2, batch, hidden)
            return cat([s[:, 0], s[:, 1]], -1)

        h0 = tanh(self.bridge(join(h)))  # (L, B, H)
        return (h0, self.bridge_c(join(c))) if lstm else h0

    def encode(self, src, src_lengths=None):
        """Run the encoder; returns ``(memory, decoder initial state)``."""
        ids = _index_array(src, "src", 2)
        lengths = _lengths(src_lengths, *ids.shape)
        outputs, enc_state = self.encoder(ids, lengths)  # (B, S, Hk)
        mask = np.arange(ids.shape[1])[None, :] < lengths[:, None]  # (B, S)
        attn = self.decoder.attention
        projected = None if attn is None else attn.project_keys(outputs)
        return Memory(outputs, mask, projected), self._bridge(enc_state)

    # ------------------------------------------------------------------ training
    def forward(self, src, src_lengths=None, tgt=None, teacher_forcing_ratio=1.0, *,
                generator=None):  # fmt: skip
        """Logits (B, T-1, V) for the targets tgt[:, 1:] given src and tgt = <bos> y <eos> ...

        teacher_forcing_ratio : probability (per token) of feeding the gold previous token
        instead of the model's own previous prediction (1.0: always, 0.0: free running).
        generator : numpy Generator for those coin flips.
        """
        if tgt is None:
            raise ValueError("tgt: the target batch (B, T) is required (use translate to decode)")
        y = _index_array(tgt, "tgt", 2)
        if y.shape[1] < 2:
            raise ValueError(f"tgt: expected at least 2 tokens (<bos> ... <eos>), got {y.shape}")
        ratio = teacher_forcing_ratio
        if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or not 0 <= ratio <= 1:
            raise ValueError(f"teacher_forcing_ratio: expected a number in [0, 1], got {ratio!r}")
        memory, state = self.encode(src, src_lengths)
        if y.shape[0] != memory.keys.shape[0]:
            raise ValueError(
                f"tgt: batch size {y.shape[0]} does not match the source batch size "
                f"{memory.keys.shape[0]}"
            )
        inputs = y[:, :-1]  # (B, T)
        if ratio >= 1.0:
            logits, _, _ = self.decoder(inputs, state, memory)
            return logits
        rng = np.random.default_rng() if generator is None else generator
        logits, prev = [], None
        for t in range(inputs.shape[1]):
            tokens = inputs[:, t]
            if t > 0:
                gold = rng.random(len(tokens)) < ratio
                tokens = np.where(gold, tokens, prev)  # (B,)
            lg, state, _ = self.decoder.step(tokens, state, memory)
            prev = lg.data.argmax(-1)
            logits.append(lg)
        return stack(logits, 1)  # (B, T, V)

    def loss(self, src, src_lengths, tgt, teacher_forcing_ratio=1.0, *, generator=None):
        """Token-level cross-entropy of tgt[:, 1:] with the padding mask (SQ-10)."""
        logits = self(src, src_lengths, tgt, teacher_forcing_ratio, generator=generator)
        return sequence_cross_entropy(logits, _index_array(tgt, "tgt", 2)[:, 1:], self.pad_id)

    # ------------------------------------------------------------------ inference
    def _max_len(self, max_len, lengths):
        if max_len is None:
            return int(2 * lengths.max() + 10)
        return _check_pos_int(max_len, "max_len", "translate")

    def translate(self, src, src_lengths=None, method="greedy", beam_width=4,
                  length_penalty=1.0, max_len=None):  # fmt: skip
        """Decode each source: a list (one per row of src) of token-id lists (eos removed).

        method : "greedy" (batched argmax, SQ-03) or "beam" (SQ-04, one beam per source)
        beam_width, length_penalty : beam search settings (see glassml.models.decoding)
        max_len : the most generated tokens (default 2 * max source length + 10)
        """
        return [t for t, _ in self._decode(src, src_lengths, method, beam_width, length_penalty,
                                           max_len)]  # fmt: skip

    def _decode(self, src, src_lengths, method, beam_width, length_penalty, max_len):
        if method not in ("greedy", "beam"):
            raise ValueError(f"method: expected 'greedy' or 'beam', got {method!r}")
        ids = _index_array(src, "src", 2)
        lengths = _lengths(src_lengths, *ids.shape)
        max_len = self._max_len(max_len, lengths)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                memory, state = self.encode(ids, lengths)
                if method == "greedy":
                    return self._greedy(memory, state, max_len)
                return [self._beam(memory.select(np.array([b])), _select_state(state,
                        np.array([b])), beam_width, length_penalty, max_len)
                        for b in range(ids.shape[0])]  # fmt: skip
        finally:
            self.train(was_training)

    def _greedy(self, memory, state, max_len):
        batch = memory.keys.shape[0]
        tokens = np.full(batch, self.bos_id, dtype=np.int64)
        out = [[] for _ in range(batch)]
        scores = np.zeros(batch)
        weights = [[] for _ in range(batch)]
        done = np.zeros(batch, dtype=bool)
        for _ in range(max_len):
            logits, state, w = self.decoder.step(tokens, state, memory)
            lp = log_softmax(logits, dim=-1).data  # (B, V)
            tokens = lp.argmax(-1)
            for b in np.flatnonzero(~done):
                scores[b] += lp[b, tokens[b]]
                if w is not None:
                    weights[b].append(w.data[b])
                if tokens[b] == self.eos_id:
                    done[b] = True
                else:
                    out[b].append(int(tokens[b]))
            if done.all():
                break
        self._last_weights = weights
        return [(o, float(s)) for o, s in zip(out, scores, strict=True)]

    def _beam(self, memory, state, beam_width, length_penalty, max_len):
        cache = {}

        def step(tokens, st):
            k = len(tokens)
            if k not in cache:
                cache[k] = memory.select(np.zeros(k, dtype=np.int64))
            logits, st, _ = self.decoder.step(tokens, st, cache[k])
            return log_softmax(logits, dim=-1).data, st

        [(tokens, score)] = beam_search_stateful(
            step, state, _select_state, bos_id=self.bos_id, eos_id=self.eos_id,
            beam_width=beam_width, max_len=max_len, length_penalty=length_penalty,
        )  # fmt: skip
        if tokens and tokens[-1] == self.eos_id:
            tokens = tokens[:-1]
        return tokens, score

    def sequence_log_prob(self, src, src_lengths, outputs):
        """Σ_t log p(y_t | y_<t, x) of each output sequence (eos appended), shape (B,).

        ``outputs`` : list of token-id lists without bos/eos (as returned by translate).
        """
        ids = _index_array(src, "src", 2)
        if len(outputs) != ids.shape[0]:
            raise ValueError(f"outputs: expected {ids.shape[0]} sequences, got {len(outputs)}")
        longest = max(len(o) for o in outputs) + 2
        tgt = np.full((len(outputs), longest), self.pad_id, dtype=np.int64)
        for b, o in enumerate(outputs):
            seq = [self.bos_id, *o, self.eos_id]
            tgt[b, : len(seq)] = seq
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                logits = self(ids, src_lengths, tgt)
                nll = sequence_cross_entropy(logits, tgt[:, 1:], self.pad_id, reduction="none")
        finally:
            self.train(was_training)
        return -nll.data.sum(axis=1).astype(np.float64)

    def attention_map(self, src, src_length=None, max_len=None):
        """Greedy-decode one source (1-D ids) and return ``(weights (T_out, S), tokens)``:
        a_{t,s} of each generated token t (eos included) over the source positions."""
        if self.decoder.attention is None:
            raise ValueError("attention_map: this model has no attention (attention=None)")
        ids = _index_array(src, "src", 1)[None, :]
        lengths = None if src_length is None else np.array([src_length])
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                memory, state = self.encode(ids, lengths)
                n = int(memory.mask[0].sum())
                [(tokens, _)] = self._greedy(memory, state, self._max_len(max_len, np.array([n])))
        finally:
            self.train(was_training)
        return np.stack(self._last_weights[0])[:, :n], tokens


def plot_attention(weights, src_labels, tgt_labels, ax=None, *, cmap="viridis"):
    """Draw an attention map a_{t,s} (rows: output tokens, columns: source tokens).

    Parameters
    ----------
    weights : array (T, S);  src_labels : S strings;  tgt_labels : T strings
    ax : matplotlib Axes, optional (a new Agg figure is made otherwise)

    Returns the Axes.

    Example
    -------
    >>> import numpy as np
    >>> ax = plot_attention(np.eye(3), list("abc"), list("xyz"))
    >>> ax.get_xlabel()
    'source'
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape != (len(tgt_labels), len(src_labels)):
        raise ValueError(
            f"weights: expected shape (len(tgt_labels), len(src_labels)) = "
            f"{(len(tgt_labels), len(src_labels))}, got {w.shape}"
        )
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(1 + 0.35 * w.shape[1], 1 + 0.35 * w.shape[0])).subplots()
    ax.imshow(w, cmap=cmap, vmin=0.0, vmax=1.0, aspect="auto")
    ax.set_xticks(range(w.shape[1]), [str(s) for s in src_labels])
    ax.set_yticks(range(w.shape[0]), [str(t) for t in tgt_labels])
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    return ax
