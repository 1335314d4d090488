"""ELMo-style contextual word vectors: a forward and a backward LSTM language model and a
learned scalar mix of their layers (TX-17, TX-18).

Model (word-level input, as the seed describes; real ELMo builds x_k from characters with a
char-CNN, inventory E-41). For a sentence w_1..w_N framed as <s> w_1..w_N </s>:

    x_k = E[w_k]                                       (shared token embedding)
    h→_{k,j} = LSTM→_j(h→_{k-1,j}, h→_{k,j-1})         forward LM layers j = 1..L
    h←_{k,j} = LSTM←_j(h←_{k+1,j}, h←_{k,j-1})         backward LM layers (a SEPARATE network
                                                       reading right to left, not one BiLSTM)
    p(w_{k+1} | w_≤k) = softmax(W h→_{k,L} + b)        softmax shared by both directions
    p(w_{k-1} | w_≥k) = softmax(W h←_{k,L} + b)

Training minimises the two LMs' mean negative log-likelihoods (averaged). Layer j of token k
is h_{k,0} = [x_k; x_k] and h_{k,j} = [h→_{k,j}; h←_{k,j}] (size 2H, so embedding_dim = H),
and the task-specific ELMo vector is the scalar mix

    ELMo_k = γ Σ_{j=0..L} s_j h_{k,j},      s = softmax(w)        (w, γ trained per task)

Inventory: TX-17, TX-18, CL-178, CL-202, E-41.

Example
-------
>>> corpus = [["the", "cat", "sat"], ["the", "dog", "ran"]] * 5
>>> elmo = ELMo.from_corpus(corpus, embedding_dim=8)
>>> _ = elmo.fit(corpus, epochs=1, progress=False)
>>> [v.shape for v in elmo.embed([["the", "cat"], ["dog"]])]
[(2, 16), (1, 16)]
"""

from __future__ import annotations

import numbers
from collections import Counter

import numpy as np

from glassml.autograd import Parameter, Tensor, cat, no_grad
from glassml.autograd.fused import cross_entropy, dropout, softmax
from glassml.nn.containers import ModuleList
from glassml.nn.embedding import Embedding
from glassml.nn.linear import Linear, _param_dtype
from glassml.nn.module import Module
from glassml.nn.rnn import LSTM
from glassml.optim import Adam

__all__ = ["ELMo", "ScalarMix", "SPECIAL_TOKENS"]

SPECIAL_TOKENS = ("<pad>", "<unk>", "<s>", "</s>")


class ScalarMix(Module):
    r"""ELMo's task-specific layer mix: γ Σ_j softmax(w)_j h_j (TX-17).

    Parameters ``scalar_parameters`` (J,) = w (initialised to 0: uniform s_j = 1/J) and
    ``gamma`` (1,) = γ (initialised to 1).

    Parameters
    ----------
    num_layers : int — J, the number of representations mixed (L + 1 for an L-layer ELMo)
    dtype : parameter dtype

    ``forward(layers)`` takes a Tensor (J, ..., D) (or a list of J Tensors (..., D)) and returns
    the mix (..., D). ``weights`` gives s = softmax(w) as an array.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> mix = ScalarMix(3)
    >>> mix(ones(3, 2, 4)).shape, mix.weights.round(3).tolist()
    ((2, 4), [0.333, 0.333, 0.333])
    """

    def __init__(self, num_layers, *, dtype=None):
        super().__init__()
        if (
            isinstance(num_layers, bool)
            or not isinstance(num_layers, numbers.Integral)
            or (num_layers < 1)
        ):
            raise ValueError(
                f"ScalarMix: num_layers must be a positive integer, got {num_layers!r}"
            )
        self.num_layers = int(num_layers)
        dt = _param_dtype(dtype)
        self.scalar_parameters = Parameter(np.zeros(self.num_layers, dtype=dt))
        self.gamma = Parameter(np.ones(1, dtype=dt))

    @property
    def weights(self) -> np.ndarray:
        """s = softmax(w), shape (J,)."""
        w = self.scalar_parameters.data.astype(np.float64)
        e = np.exp(w - w.max())
        return e / e.sum()

    def forward(self, layers):
        if isinstance(layers, (list, tuple)):
            from glassml.autograd import stack

            layers = stack(list(layers))
        if not isinstance(layers, Tensor) or layers.ndim < 2 or layers.shape[0] != self.num_layers:
            raise ValueError(
                f"ScalarMix: expected layers of shape ({self.num_layers}, ..., D), got "
                f"{getattr(layers, 'shape', type(layers).__name__)}"
            )
        shape = layers.shape[1:]
        s = softmax(self.scalar_parameters, dim=0).reshape(1, self.num_layers)  # (1, J)
        mixed = s @ layers.reshape(self.num_layers, -1)  # (1, N·D) = Σ_j s_j h_j
        return (mixed * self.gamma).reshape(*shape)  # (..., D)

    def extra_repr(self) -> str:
        return f"num_layers={self.num_layers}"


class ELMo(Module):
    """Forward + backward LSTM language models with a shared embedding and softmax (TX-17).

    Parameters
    ----------
    vocab : list of str — token of each id; ids 0..3 must be <pad>, <unk>, <s>, </s>
        (:meth:`from_corpus` builds it)
    embedding_dim : int, default 64 — also the LSTM hidden size H (h_0 = [x; x] is mixed
        with the 2H-sized LSTM layers)
    num_layers : int, default 2 — L, LSTM layers per direction
    dropout : float — on the LSTM layer inputs during LM training
    dtype, generator : parameter dtype and the generator of the initial weights

    Parameters are ``embedding.weight``, ``forward_layers.{j}.*`` / ``backward_layers.{j}.*``
    (torch.nn.LSTM names), ``softmax.weight``/``bias`` and ``mix.*`` (a default
    :class:`ScalarMix` over the L + 1 layers).

    Inventory: TX-17, TX-18.

    Example
    -------
    >>> elmo = ELMo(list(SPECIAL_TOKENS) + ["a", "b"], embedding_dim=4)
    >>> len(elmo.layer_outputs(np.array([[2, 4, 5, 3]]), np.array([4])))
    3
    """

    def __init__(self, vocab, embedding_dim=64, num_layers=2, dropout=0.0, *, dtype=None,
                 generator=None):  # fmt: skip
        super().__init__()
        vocab = list(vocab)
        if tuple(vocab[:4]) != SPECIAL_TOKENS or len(set(vocab)) != len(vocab):
            raise ValueError(
                f"vocab: expected distinct tokens starting with {SPECIAL_TOKENS}, got "
                f"{vocab[:6]}{'...' if len(vocab) > 6 else ''}"
            )
        for name, value in (("embedding_dim", embedding_dim), ("num_layers", num_layers)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"ELMo: {name} must be a positive integer, got {value!r}")
        if not isinstance(dropout, numbers.Real) or not 0.0 <= dropout < 1.0:
            raise ValueError(f"ELMo: dropout must be in [0, 1), got {dropout!r}")
        self.vocab = vocab
        self.stoi = {t: i for i, t in enumerate(vocab)}
        self.config = dict(vocab=vocab, embedding_dim=int(embedding_dim),
                           num_layers=int(num_layers), dropout=float(dropout))  # fmt: skip
        self.embedding_dim, self.num_layers, self.dropout = (
            int(embedding_dim), int(num_layers), float(dropout))  # fmt: skip
        self.generator = generator
        kw = dict(dtype=dtype, generator=generator)
        H = self.embedding_dim
        self.embedding = Embedding(len(vocab), H, padding_idx=0, **kw)
        self.forward_layers = ModuleList([LSTM(H, H, batch_first=True, **kw)
                                          for _ in range(self.num_layers)])  # fmt: skip
        self.backward_layers = ModuleList([LSTM(H, H, batch_first=True, **kw)
                                           for _ in range(self.num_layers)])  # fmt: skip
        self.softmax = Linear(H, len(vocab), **kw)
        self.mix = ScalarMix(self.num_layers + 1, dtype=dtype)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_corpus(cls, sentences, min_count: int = 1, **kwargs) -> ELMo:
        """Build the vocabulary (tokens seen >= ``min_count`` times, by frequency) and a model."""
        counts = Counter(tok for sent in _check_sentences(sentences) for tok in sent)
        words = sorted((w for w, c in counts.items() if c >= min_count and w not in
                        SPECIAL_TOKENS), key=lambda w: (-counts[w], w))  # fmt: skip
        return cls([*SPECIAL_TOKENS, *words], **kwargs)

    def encode(self, sentences) -> tuple[np.ndarray, np.ndarray]:
        """Ids (B, N+2) of <s> w_1..w_N </s> padded with <pad>, and the framed lengths (B,)."""
        sentences = _check_sentences(sentences)
        lengths = np.array([len(s) + 2 for s in sentences], dtype=np.int64)
        ids = np.zeros((len(sentences), int(lengths.max())), dtype=np.int64)
        for b, sent in enumerate(sentences):
            ids[b, : lengths[b]] = [2, *(self.stoi.get(t, 1) for t in sent), 3]
        return ids, lengths

    # ------------------------------------------------------------------ layers
    def layer_outputs(self, ids, lengths) -> list:
        """The L + 1 representations [h_0, ..., h_L], each a Tensor (B, T, 2H), of framed ids.

        h_0 = [x; x]; h_j = [h→_j; h←_j]. The backward LM reads each sequence reversed within
        its own length, so padding never enters a real position.
        """
        ids = np.asarray(ids, dtype=np.int64)
        lengths = np.asarray(lengths, dtype=np.int64)
        B, T = ids.shape
        if lengths.shape != (B,) or lengths.min() < 1 or lengths.max() > T:
            raise ValueError(f"lengths: expected ({B},) lengths in [1, {T}], got {lengths}")
        pos = np.arange(T)[None, :]
        rev = np.where(pos < lengths[:, None], lengths[:, None] - 1 - pos, pos)  # (B, T)
        rows = np.arange(B)[:, None]
        x = self.embedding(Tensor(ids))  # (B, T, H)
        fwd, bwd = x, x[rows, rev]  # (B, T, H) each; bwd in reversed order
        layers = [cat([x, x], -1)]  # h_0 = [x; x]  (B, T, 2H)
        for f_lstm, b_lstm in zip(self.forward_layers, self.backward_layers, strict=True):
            if self.dropout > 0 and self.training:
                fwd = dropout(fwd, self.dropout, True, generator=self.generator)
                bwd = dropout(bwd, self.dropout, True, generator=self.generator)
            fwd, _ = f_lstm(fwd)  # (B, T, H)
            bwd, _ = b_lstm(bwd)  # (B, T, H), position t = token lengths-1-t
            layers.append(cat([fwd, bwd[rows, rev]], -1))  # (B, T, 2H) back in order
        self._top = (fwd, bwd, rev)
        return layers

    def lm_loss(self, ids, lengths) -> Tensor:
        """(NLL of the forward LM + NLL of the backward LM) / 2, over the real tokens."""
        ids = np.asarray(ids, dtype=np.int64)
        self.layer_outputs(ids, lengths)
        fwd, bwd, rev = self._top
        B, T = ids.shape
        H = self.embedding_dim
        valid = np.arange(T)[None, :] < np.asarray(lengths)[:, None]  # (B, T)
        # forward: state at t predicts token t+1; backward (reversed order): predicts the
        # reversed sequence's next token, i.e. the original token before
        next_fwd = np.where(valid[:, 1:], ids[:, 1:], -100)  # (B, T-1)
        ids_rev = ids[np.arange(B)[:, None], rev]
        next_bwd = np.where(valid[:, 1:], ids_rev[:, 1:], -100)
        logits_f = self.softmax(fwd[:, :-1].reshape(B * (T - 1), H))  # (B(T-1), V)
        logits_b = self.softmax(bwd[:, :-1].reshape(B * (T - 1), H))
        loss_f = cross_entropy(logits_f, Tensor(next_fwd.reshape(-1)))
        loss_b = cross_entropy(logits_b, Tensor(next_bwd.reshape(-1)))
        return (loss_f + loss_b) * 0.5

    # ------------------------------------------------------------------ training
    def fit(self, sentences, *, epochs=5, batch_size=32, lr=3e-3, clip_norm=1.0, random_state=0,
            progress=True):  # fmt: skip
        """Train both LMs with Adam on tokenised sentences; returns the loss of every batch."""
        from glassml.nn.utils.clip_grad import clip_grad_norm_

        sentences = _check_sentences(sentences)
        rng = np.random.default_rng(random_state)
        lm_params = [p for n, p in self.named_parameters() if not n.startswith("mix.")]
        opt = Adam(lm_params, lr=lr)
        n_batches = -(-len(sentences) // batch_size)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs * n_batches, desc="ELMo LM", leave=False)
        losses = []
        self.train()
        try:
            for _ in range(epochs):
                order = rng.permutation(len(sentences))
                for k in range(n_batches):
                    batch = [sentences[i] for i in order[k * batch_size : (k + 1) * batch_size]]
                    ids, lengths = self.encode(batch)
                    loss = self.lm_loss(ids, lengths)
                    opt.zero_grad()
                    loss.backward()
                    clip_grad_norm_(lm_params, clip_norm)
                    opt.step()
                    losses.append(float(loss.data))
                    if bar is not None:
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        self.eval()
        return losses

    # ------------------------------------------------------------------ extraction (TX-18)
    def layer_representations(self, sentences) -> list[np.ndarray]:
        """Per sentence, an array (L + 1, N, 2H) of every layer's vector of every token."""
        ids, lengths = self.encode(sentences)
        with no_grad():
            layers = np.stack([h.data for h in self.layer_outputs(ids, lengths)])  # (J,B,T,2H)
        return [layers[:, b, 1 : n - 1] for b, n in enumerate(lengths)]  # drop <s>, </s>

    def embed(self, sentences, mix: ScalarMix | None = None, layer: int | None = None):
        """Contextual vectors (N_i, 2H) of each sentence's tokens (TX-18).

        mix : a (task-trained) :class:`ScalarMix`; default ``self.mix`` (uniform unless
        trained). layer : return the single layer j instead of a mix.
        """
        reps = self.layer_representations(sentences)
        if layer is not None:
            if not isinstance(layer, numbers.Integral) or not 0 <= layer <= self.num_layers:
                raise ValueError(f"layer: expected an int in [0, {self.num_layers}], got {layer!r}")
            return [r[layer] for r in reps]
        mix = self.mix if mix is None else mix
        s = mix.weights
        gamma = float(mix.gamma.data[0])
        return [gamma * np.tensordot(s.astype(r.dtype), r, axes=1) for r in reps]


def _check_sentences(sentences) -> list:
    if isinstance(sentences, str) or not hasattr(sentences, "__iter__"):
        raise TypeError(
            f"sentences: expected a list of token lists, got {type(sentences).__name__}"
        )
    sentences = list(sentences)
    if not sentences or any(isinstance(s, str) for s in sentences):
        raise ValueError("sentences: expected a non-empty list of token lists (list of str)")
    sentences = [list(s) for s in sentences]
    if any(len(s) == 0 for s in sentences):
        raise ValueError("sentences: every sentence needs at least one token")
    return sentences
