"""Pretraining BERT: masked-language-model corruption, next-sentence pairs, the training loops.

MLM (TR-15): choose each non-special token with probability 15%; of the chosen, 80% become
[MASK], 10% a random token, 10% stay unchanged; the model must predict the original token at
every chosen position (labels = original id there, -100 elsewhere, ignored by the loss). The
10% random / 10% unchanged keep the model from relying on seeing [MASK] (which never occurs
when fine-tuning).

NSP (TR-16): sentence pairs [CLS] A [SEP] B [SEP] (token types 0 for A, 1 for B); half the
time B is the sentence that follows A in its document (label 0, IsNext), half the time a
random sentence from another document (label 1, NotNext), as in Hugging Face.

:func:`pretrain_bert` runs AdamW with linear warmup + cosine decay, gradient-norm clipping
and a tqdm bar; :func:`finetune_classifier` trains a :class:`BertForSequenceClassification`.

Inventory: TR-15, TR-16, TR-17, OP-19 (warmup), E-24 (clip only when the norm exceeds it).

Example
-------
>>> import numpy as np
>>> ids = np.array([[2, 7, 8, 9, 3]])
>>> masked, labels = mask_tokens(ids, vocab_size=20, mask_token_id=4,
...                              special_ids=(0, 1, 2, 3, 4), rng=np.random.default_rng(0))
>>> masked.shape, labels.shape
((1, 5), (1, 5))
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import no_grad
from glassml.nn.utils import clip_grad_norm_
from glassml.optim import AdamW
from glassml.optim.lr_scheduler import warmup_cosine

from .bert import BertForPreTraining, BertForSequenceClassification

__all__ = [
    "mask_tokens",
    "make_nsp_pairs",
    "pack_pairs",
    "pretrain_bert",
    "finetune_classifier",
    "predict_classifier",
]


def mask_tokens(input_ids, *, vocab_size: int, mask_token_id: int, special_ids=(0, 1, 2, 3, 4),
                mlm_probability: float = 0.15, rng=None, random_low: int = 0):  # fmt: skip
    """BERT's 80/10/10 masking (TR-15). Returns (corrupted ids, labels with -100 = unscored).

    chosen ~ Bernoulli(mlm_probability) on non-special tokens; of the chosen: u < 0.8 -> [MASK],
    0.8 <= u < 0.9 -> a uniform random token, else unchanged; labels = ids where chosen.

    Inventory: TR-15.

    Parameters
    ----------
    input_ids : int array (B, T)
    vocab_size, mask_token_id : int
    special_ids : ids never chosen ([PAD], [CLS], [SEP], ...)
    mlm_probability : float in (0, 1) — share of tokens chosen (0.15)
    rng : numpy Generator
    random_low : random replacement tokens are drawn from [random_low, vocab_size)

    Example
    -------
    >>> ids = np.full((1, 1000), 9)
    >>> masked, labels = mask_tokens(ids, vocab_size=20, mask_token_id=4,
    ...                              rng=np.random.default_rng(0))
    >>> 0.1 < (labels != -100).mean() < 0.2
    np.True_
    """
    ids = np.asarray(input_ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"input_ids: expected integer ids, got dtype {ids.dtype}")
    if not 0.0 < mlm_probability < 1.0:
        raise ValueError(f"mlm_probability: expected a value in (0, 1), got {mlm_probability}")
    if not 0 <= mask_token_id < vocab_size:
        raise ValueError(f"mask_token_id: {mask_token_id} is outside [0, vocab_size={vocab_size})")
    rng = np.random.default_rng() if rng is None else rng
    maskable = ~np.isin(ids, np.asarray(special_ids))
    chosen = (rng.random(ids.shape) < mlm_probability) & maskable  # (B, T)
    labels = np.where(chosen, ids, -100)
    u = rng.random(ids.shape)
    corrupted = ids.copy()
    to_mask = chosen & (u < 0.8)  # 80%: [MASK]
    to_random = chosen & (u >= 0.8) & (u < 0.9)  # 10%: a random token; 10%: unchanged
    corrupted[to_mask] = mask_token_id
    corrupted[to_random] = rng.integers(random_low, vocab_size, int(to_random.sum()))
    return corrupted, labels


def make_nsp_pairs(documents, rng=None, *, p_next: float = 0.5):
    """Sentence pairs for next-sentence prediction (TR-16).

    ``documents`` is a list of documents, each a list of sentences (lists of token ids). For
    every sentence A that has a successor, B is that successor with probability ``p_next``
    (label 0) or else a random sentence of another document (label 1).
    Returns a list of (A, B, label).

    Inventory: TR-16.

    Example
    -------
    >>> docs = [[[5, 6], [7, 8]], [[9, 10], [11, 12]]]
    >>> [len(p) for p in make_nsp_pairs(docs, np.random.default_rng(0))]
    [3, 3]
    """
    rng = np.random.default_rng() if rng is None else rng
    docs = [list(d) for d in documents]
    if len(docs) < 2:
        raise ValueError(f"documents: need at least 2 documents for NSP, got {len(docs)}")
    pairs = []
    for i, doc in enumerate(docs):
        for j in range(len(doc) - 1):
            if rng.random() < p_next:
                pairs.append((doc[j], doc[j + 1], 0))
            else:
                other = int(rng.integers(0, len(docs) - 1))
                other += other >= i  # any document but this one
                sent = docs[other][int(rng.integers(0, len(docs[other])))]
                pairs.append((doc[j], sent, 1))
    return pairs


def pack_pairs(pairs, *, cls_id: int = 2, sep_id: int = 3, pad_id: int = 0, max_length=None):
    """[CLS] A [SEP] B [SEP] (B optional) -> (input_ids, token_type_ids, attention_mask),
    each (N, T) padded with ``pad_id``; sequences longer than ``max_length`` are cut.

    Inventory: TR-14, TR-16 (segment embeddings: token type 0 for A, 1 for B).

    Example
    -------
    >>> ids, types, mask = pack_pairs([([7, 8], [9])])
    >>> ids.tolist(), types.tolist()
    ([[2, 7, 8, 3, 9, 3]], [[0, 0, 0, 0, 1, 1]])
    """
    rows = []
    for pair in pairs:
        a, b = pair[0], pair[1] if len(pair) > 1 else None
        ids = [cls_id, *a, sep_id]
        types = [0] * len(ids)
        if b is not None:
            ids += [*b, sep_id]
            types += [1] * (len(b) + 1)
        if max_length is not None:
            ids, types = ids[:max_length], types[:max_length]
        rows.append((ids, types))
    t = max(len(r[0]) for r in rows)
    input_ids = np.full((len(rows), t), pad_id, dtype=np.int64)
    token_types = np.zeros((len(rows), t), dtype=np.int64)
    mask = np.zeros((len(rows), t), dtype=np.int64)
    for i, (ids, types) in enumerate(rows):
        input_ids[i, : len(ids)] = ids
        token_types[i, : len(ids)] = types
        mask[i, : len(ids)] = 1
    return input_ids, token_types, mask


def _optimizer(model, lr, weight_decay, warmup_steps, total_steps):
    decay, no_decay = [], []
    for p in model.parameters():
        (no_decay if p.ndim == 1 else decay).append(p)  # no decay on biases and LayerNorm
    opt = AdamW(
        [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=lr,
    )
    warmup = min(warmup_steps, max(total_steps - 1, 0))
    return opt, warmup_cosine(opt, warmup, max(total_steps, warmup + 1))


def pretrain_bert(model: BertForPreTraining, input_ids, token_type_ids=None, attention_mask=None,
                  nsp_labels=None, *, steps: int = 200, batch_size: int = 32, lr: float = 1e-3,
                  warmup_steps: int = 20, weight_decay: float = 0.01, max_grad_norm: float = 1.0,
                  mlm_probability: float = 0.15, mask_token_id: int = 4,
                  special_ids=(0, 1, 2, 3, 4), rng=None, progress: bool = True) -> dict:  # fmt: skip
    """Pretrain with MLM (+ NSP when ``nsp_labels`` is given) on packed sequences (TR-15/16).

    A fresh 80/10/10 masking is drawn for every batch (dynamic masking). AdamW with weight
    decay on matrices only, warmup + cosine learning rate, gradient-norm clipping.

    Parameters
    ----------
    model : BertForPreTraining
    input_ids, token_type_ids, attention_mask : int arrays (N, T) (see :func:`pack_pairs`)
    nsp_labels : int array (N,) or None (MLM only)
    steps, batch_size, lr, warmup_steps, weight_decay, max_grad_norm : training settings
    rng : numpy Generator (batches and masking)

    Returns a dict of per-step lists: ``loss``, ``mlm_accuracy``, ``nsp_accuracy``.

    Example
    -------
    >>> # history = pretrain_bert(BertForPreTraining(cfg), ids, types, mask, steps=100)
    """
    if not isinstance(model, BertForPreTraining):
        raise TypeError(f"model: expected a BertForPreTraining, got {type(model).__name__}")
    ids = np.asarray(input_ids)
    n = ids.shape[0]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps: expected a positive int, got {steps!r}")
    types = np.zeros_like(ids) if token_type_ids is None else np.asarray(token_type_ids)
    mask = (ids != 0).astype(np.int64) if attention_mask is None else np.asarray(attention_mask)
    nsp = None if nsp_labels is None else np.asarray(nsp_labels)
    rng = np.random.default_rng() if rng is None else rng
    opt, sched = _optimizer(model, lr, weight_decay, warmup_steps, steps)
    history = {"loss": [], "mlm_accuracy": [], "nsp_accuracy": []}
    bar = range(steps)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc="pretrain", leave=False)
    model.train()
    vocab = model.config.vocab_size
    for _ in bar:
        idx = rng.choice(n, size=min(batch_size, n), replace=False)
        corrupted, labels = mask_tokens(
            ids[idx], vocab_size=vocab, mask_token_id=mask_token_id, special_ids=special_ids,
            mlm_probability=mlm_probability, rng=rng, random_low=len(special_ids),
        )  # fmt: skip
        out = model(corrupted, mask[idx], types[idx], labels=labels,
                    next_sentence_label=None if nsp is None else nsp[idx])  # fmt: skip
        opt.zero_grad()
        out.loss.backward()
        clip_grad_norm_(model.parameters(), max_grad_norm)
        opt.step()
        sched.step()
        scored = labels != -100
        pred = out.prediction_logits.data.argmax(-1)
        history["loss"].append(float(out.loss.item()))
        history["mlm_accuracy"].append(float((pred[scored] == labels[scored]).mean()))
        if nsp is not None:
            nsp_pred = out.seq_relationship_logits.data.argmax(-1)
            history["nsp_accuracy"].append(float((nsp_pred == nsp[idx]).mean()))
        if progress:
            bar.set_postfix(loss=f"{history['loss'][-1]:.3f}")
    model.eval()
    return history


def finetune_classifier(model: BertForSequenceClassification, input_ids, labels,
                        attention_mask=None, *, epochs: int = 10, batch_size: int = 32,
                        lr: float = 1e-3, warmup_steps: int = 10, weight_decay: float = 0.01,
                        max_grad_norm: float = 1.0, rng=None, progress: bool = True) -> list:  # fmt: skip
    """Fine-tune a sequence classifier on labelled sequences (TR-17); returns the loss per step.

    Cross-entropy on the [CLS] pooled output, AdamW + warmup/cosine, gradient clipping; a tqdm
    bar over epochs unless ``progress=False``. Inventory: TR-17.

    Example
    -------
    >>> # losses = finetune_classifier(BertForSequenceClassification(cfg), ids, y, epochs=5)
    """
    if not isinstance(model, BertForSequenceClassification):
        raise TypeError(
            f"model: expected a BertForSequenceClassification, got {type(model).__name__}"
        )
    ids, y = np.asarray(input_ids), np.asarray(labels)
    if ids.shape[0] != y.shape[0]:
        raise ValueError(f"labels: expected {ids.shape[0]} labels like input_ids, got {y.shape[0]}")
    mask = (ids != 0).astype(np.int64) if attention_mask is None else np.asarray(attention_mask)
    rng = np.random.default_rng() if rng is None else rng
    n = ids.shape[0]
    per_epoch = -(-n // batch_size)
    opt, sched = _optimizer(model, lr, weight_decay, warmup_steps, epochs * per_epoch)
    bar = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc="fine-tune", leave=False)
    losses = []
    model.train()
    for _ in bar:
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            out = model(ids[idx], mask[idx], labels=y[idx])
            opt.zero_grad()
            out.loss.backward()
            clip_grad_norm_(model.parameters(), max_grad_norm)
            opt.step()
            sched.step()
            losses.append(float(out.loss.item()))
    model.eval()
    return losses


def predict_classifier(model: BertForSequenceClassification, input_ids, attention_mask=None,
                       batch_size: int = 256) -> np.ndarray:  # fmt: skip
    """Predicted class per sequence (argmax of the logits), in eval mode without gradients.

    Inventory: TR-17.

    Example
    -------
    >>> # predict_classifier(clf, ids) -> array of class indices (N,)
    """
    ids = np.asarray(input_ids)
    mask = (ids != 0).astype(np.int64) if attention_mask is None else np.asarray(attention_mask)
    model.eval()
    preds = []
    with no_grad():
        for start in range(0, ids.shape[0], batch_size):
            sl = slice(start, start + batch_size)
            preds.append(model(ids[sl], mask[sl]).logits.data.argmax(-1))
    return np.concatenate(preds)
