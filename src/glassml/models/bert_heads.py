"""BERT task heads on top of :class:`glassml.models.bert.BertModel` (Hugging Face's names).

    masked LM (TR-15):    logits = LayerNorm(act(W_t h + b_t)) W_tok^T + b      (tied to W_tok)
    next sentence (TR-16): logits = W_nsp pooled + b_nsp                           (2 classes)
    sequence (TR-17):     logits = W_c Dropout(pooled) + b_c
    token (TR-17):        logits_t = W_c Dropout(h_t) + b_c
    extractive QA (TR-17): (start_t, end_t) = h_t W_qa + b_qa

Every head keeps HF's parameter names (``cls.predictions.transform.dense.weight``,
``classifier.weight``, ``qa_outputs.bias``...), so HF state dicts load unchanged. These names
are re-exported by :mod:`glassml.models.bert`.

Inventory: TR-14, TR-15, TR-16, TR-17.

Example
-------
>>> from glassml.models.bert import BertConfig
>>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
...                  num_attention_heads=2, intermediate_size=32, num_labels=3)
>>> BertForSequenceClassification(cfg)([[1, 5, 2]]).logits.shape
(1, 3)
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from glassml.autograd import Parameter, Tensor
from glassml.autograd.fused import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    dropout,
    mse_loss,
)
from glassml.nn import LayerNorm, Linear, Module

from .bert import (
    _ACTIVATIONS,
    BertConfig,
    BertModel,
    _as_config,
    _index_array,
    _init_bert_weights,
)

__all__ = [
    "BertForPreTraining",
    "BertForSequenceClassification",
    "BertForTokenClassification",
    "BertForQuestionAnswering",
    "PreTrainingOutput",
    "ClassifierOutput",
    "QuestionAnsweringOutput",
]


class PreTrainingOutput(NamedTuple):
    loss: Tensor | None
    prediction_logits: Tensor  # (B, T, V)
    seq_relationship_logits: Tensor  # (B, 2)


class ClassifierOutput(NamedTuple):
    loss: Tensor | None
    logits: Tensor


class QuestionAnsweringOutput(NamedTuple):
    loss: Tensor | None
    start_logits: Tensor  # (B, T)
    end_logits: Tensor  # (B, T)


class BertPredictionHeadTransform(Module):
    """LayerNorm(act(W h + b)) before the vocabulary projection."""

    def __init__(self, config: BertConfig):
        super().__init__()
        self.dense = Linear(config.hidden_size, config.hidden_size)
        self.act = _ACTIVATIONS[config.hidden_act]
        self.LayerNorm = LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, hidden):
        return self.LayerNorm(self.act(self.dense(hidden)))


class BertLMPredictionHead(Module):
    """MLM logits = transform(h) W_tok^T + bias; ``decoder.weight`` IS the word embedding
    matrix (tied) and ``decoder.bias`` IS ``bias`` (as in HF)."""

    def __init__(self, config: BertConfig, word_embeddings: Parameter):
        super().__init__()
        self.transform = BertPredictionHeadTransform(config)
        self.decoder = Linear(config.hidden_size, config.vocab_size)
        self.decoder.weight = word_embeddings  # tied
        self.bias = Parameter(np.zeros(config.vocab_size, dtype=np.float32))
        self.decoder.bias = self.bias  # tied

    def forward(self, hidden):
        return self.decoder(self.transform(hidden))  # (B, T, V)


class BertPreTrainingHeads(Module):
    def __init__(self, config: BertConfig, word_embeddings: Parameter):
        super().__init__()
        self.predictions = BertLMPredictionHead(config, word_embeddings)
        self.seq_relationship = Linear(config.hidden_size, 2)

    def forward(self, hidden, pooled):
        return self.predictions(hidden), self.seq_relationship(pooled)


def _labels(labels, shape: tuple, name: str) -> np.ndarray:
    arr = _index_array(labels, name, len(shape))
    if arr.shape != shape:
        raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    return arr


class BertForPreTraining(Module):
    """BERT with the masked-LM head and the next-sentence head (TR-15, TR-16).

        loss = CE(MLM logits, labels; ignore -100) + CE(NSP logits, next_sentence_label)

    (HF returns a loss only when both label sets are given; here either alone gives its own
    term, so the same model also trains MLM-only.) ``next_sentence_label`` 0 = B follows A.

    Inventory: TR-14, TR-15, TR-16.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32)
    >>> out = BertForPreTraining(cfg)([[1, 5, 2, 7]], labels=[[-100, 6, -100, -100]])
    >>> out.prediction_logits.shape, out.seq_relationship_logits.shape
    ((1, 4, 30), (1, 2))
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(config)
        self.config = config
        self.bert = BertModel(config, generator=generator)
        self.cls = BertPreTrainingHeads(config, self.bert.embeddings.word_embeddings.weight)
        _init_bert_weights(self.cls, config, generator)
        self.bert.embeddings.word_embeddings.weight.data[config.pad_token_id] = 0

    def forward(
        self,
        input_ids,
        attention_mask=None,
        token_type_ids=None,
        labels=None,
        next_sentence_label=None,
    ) -> PreTrainingOutput:
        hidden, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        mlm_logits, nsp_logits = self.cls(hidden, pooled)  # (B, T, V), (B, 2)
        loss = None
        if labels is not None:
            y = _labels(labels, tuple(hidden.shape[:2]), "labels")
            v = self.config.vocab_size
            loss = cross_entropy(mlm_logits.reshape(-1, v), y.reshape(-1), ignore_index=-100)
        if next_sentence_label is not None:
            y = _labels(next_sentence_label, (hidden.shape[0],), "next_sentence_label")
            nsp = cross_entropy(nsp_logits, y)
            loss = nsp if loss is None else loss + nsp
        return PreTrainingOutput(loss, mlm_logits, nsp_logits)


def _classifier_dropout(config: BertConfig) -> float:
    p = config.classifier_dropout
    return config.hidden_dropout_prob if p is None else p


class BertForSequenceClassification(Module):
    """logits = W_c Dropout(pooled) + b_c over ``num_labels`` classes (TR-17).

    Loss as HF's default problem types: num_labels == 1 -> MSE (regression); integer labels ->
    cross-entropy; float labels of shape (B, num_labels) -> BCE-with-logits (multi-label).

    Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32, num_labels=3)
    >>> BertForSequenceClassification(cfg)([[1, 5, 2]], labels=[2]).logits.shape
    (1, 3)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(config)
        self.config = config
        self.num_labels = config.num_labels
        self.bert = BertModel(config, generator=generator)
        self.p = _classifier_dropout(config)
        self.classifier = Linear(config.hidden_size, config.num_labels)
        _init_bert_weights(self.classifier, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(dropout(pooled, self.p, self.training))  # (B, C)
        loss = None
        if labels is not None:
            raw = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
            if self.num_labels == 1:
                loss = mse_loss(logits.reshape(-1), Tensor(raw.reshape(-1).astype(logits.dtype)))
            elif raw.dtype.kind in "iu":
                loss = cross_entropy(logits, _labels(raw, (logits.shape[0],), "labels"))
            else:
                if raw.shape != tuple(logits.shape):
                    raise ValueError(
                        f"labels: float (multi-label) targets must have shape "
                        f"{tuple(logits.shape)}, got {raw.shape}"
                    )
                loss = binary_cross_entropy_with_logits(logits, Tensor(raw.astype(logits.dtype)))
        return ClassifierOutput(loss, logits)


class BertForTokenClassification(Module):
    """Per-token logits = W_c Dropout(h_t) + b_c (NER-style tagging, TR-17); no pooler.

    loss = CE over tokens whose label is not -100. Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32, num_labels=5)
    >>> BertForTokenClassification(cfg)([[1, 5, 2]]).logits.shape
    (1, 3, 5)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(config)
        self.config = config
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False, generator=generator)
        self.p = _classifier_dropout(config)
        self.classifier = Linear(config.hidden_size, config.num_labels)
        _init_bert_weights(self.classifier, config, generator)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        hidden, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(dropout(hidden, self.p, self.training))  # (B, T, C)
        loss = None
        if labels is not None:
            y = _labels(labels, tuple(hidden.shape[:2]), "labels")
            loss = cross_entropy(logits.reshape(-1, self.num_labels), y.reshape(-1))
        return ClassifierOutput(loss, logits)


class BertForQuestionAnswering(Module):
    """Extractive QA: start/end logits = h_t W_qa + b_qa, one pair per token (TR-17).

    loss = (CE(start_logits, start) + CE(end_logits, end)) / 2, positions clamped to [0, T]
    and position T ignored (HF's convention). Inventory: TR-17.

    Example
    -------
    >>> cfg = BertConfig(vocab_size=30, hidden_size=16, num_hidden_layers=1,
    ...                  num_attention_heads=2, intermediate_size=32)
    >>> BertForQuestionAnswering(cfg)([[1, 5, 2]]).start_logits.shape
    (1, 3)
    """

    def __init__(self, config=None, *, generator=None):
        super().__init__()
        config = _as_config(config)
        self.config = config
        self.bert = BertModel(config, add_pooling_layer=False, generator=generator)
        self.qa_outputs = Linear(config.hidden_size, 2)
        _init_bert_weights(self.qa_outputs, config, generator)

    def forward(
        self,
        input_ids,
        attention_mask=None,
        token_type_ids=None,
        start_positions=None,
        end_positions=None,
    ):
        hidden, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.qa_outputs(hidden)  # (B, T, 2)
        start, end = logits[..., 0], logits[..., 1]  # (B, T) each
        loss = None
        if start_positions is not None and end_positions is not None:
            b, t = hidden.shape[:2]
            s = np.clip(_labels(start_positions, (b,), "start_positions"), 0, t)
            e = np.clip(_labels(end_positions, (b,), "end_positions"), 0, t)
            loss = cross_entropy(start, s, ignore_index=t) + cross_entropy(end, e, ignore_index=t)
            loss = loss / 2.0
        return QuestionAnsweringOutput(loss, start, end)
