"""MLM masking (TR-15), NSP pairs (TR-16) and the pretraining / fine-tuning loops (TR-17)."""

import numpy as np
import pytest

from glassml.models.bert import BertConfig, BertForPreTraining, BertForSequenceClassification
from glassml.models.bert_pretrain import (
    finetune_classifier,
    make_nsp_pairs,
    mask_tokens,
    pack_pairs,
    predict_classifier,
    pretrain_bert,
)

SPECIAL = (0, 1, 2, 3, 4)


def test_mask_tokens_80_10_10_at_15_percent():
    rng = np.random.default_rng(0)
    ids = rng.integers(5, 1000, (400, 250))
    ids[:, 0], ids[:, -1], ids[:, -20:-1] = 2, 3, 0  # [CLS] ... [PAD]* [SEP]
    corrupted, labels = mask_tokens(ids, vocab_size=1000, mask_token_id=4, special_ids=SPECIAL,
                                    rng=rng, random_low=5)  # fmt: skip
    chosen = labels != -100
    content = ~np.isin(ids, SPECIAL)
    assert not chosen[~content].any()  # specials never chosen
    assert abs(chosen[content].mean() - 0.15) < 0.005  # 15% of the content tokens
    np.testing.assert_array_equal(labels[chosen], ids[chosen])  # labels = the originals
    np.testing.assert_array_equal(corrupted[~chosen], ids[~chosen])  # the rest untouched
    masked = corrupted[chosen] == 4
    unchanged = corrupted[chosen] == ids[chosen]
    random = ~masked & ~unchanged
    n = chosen.sum()
    assert abs(masked.sum() / n - 0.8) < 0.01
    # 10% random (a random token may equal the original: 1/995 of the time) and 10% kept
    assert abs(random.sum() / n - 0.1) < 0.01 and abs(unchanged.sum() / n - 0.1) < 0.01
    assert corrupted[chosen][random].min() >= 5


def test_mask_tokens_bad_inputs():
    ids = np.array([[2, 7, 3]])
    with pytest.raises(ValueError, match="mlm_probability"):
        mask_tokens(ids, vocab_size=10, mask_token_id=4, mlm_probability=1.5)
    with pytest.raises(ValueError, match="mask_token_id"):
        mask_tokens(ids, vocab_size=10, mask_token_id=12)
    with pytest.raises(TypeError, match="input_ids"):
        mask_tokens(ids.astype(float), vocab_size=10, mask_token_id=4)


def test_nsp_pairs_and_packing():
    rng = np.random.default_rng(1)
    docs = [[[10 * d + s] * (s + 1) for s in range(5)] for d in range(30)]  # doc d, sentence s
    pairs = make_nsp_pairs(docs, rng)
    assert len(pairs) == 30 * 4
    labels = np.array([p[2] for p in pairs])
    assert abs(labels.mean() - 0.5) < 0.1
    for a, b, label in pairs:
        doc_a, sent_a = divmod(a[0], 10)
        doc_b, sent_b = divmod(b[0], 10)
        if label == 0:  # IsNext: B is the following sentence of the same document
            assert (doc_b, sent_b) == (doc_a, sent_a + 1)
        else:  # NotNext: a sentence of another document
            assert doc_b != doc_a
    ids, types, mask = pack_pairs([([7, 8], [9]), ([5], [6, 6, 6])])
    np.testing.assert_array_equal(ids, [[2, 7, 8, 3, 9, 3, 0], [2, 5, 3, 6, 6, 6, 3]])
    np.testing.assert_array_equal(types, [[0, 0, 0, 0, 1, 1, 0], [0, 0, 0, 1, 1, 1, 1]])
    np.testing.assert_array_equal(mask, [[1, 1, 1, 1, 1, 1, 0], [1] * 7])
    single, _, _ = pack_pairs([([7, 8, 9],)], max_length=3)
    np.testing.assert_array_equal(single, [[2, 7, 8]])
    with pytest.raises(ValueError, match="documents"):
        make_nsp_pairs([docs[0]], rng)


def _corpus(rng, n_docs=120):
    """Documents whose sentences repeat the document's own 3-token pattern."""
    docs = []
    for _ in range(n_docs):
        base = list(rng.integers(5, 20, 3))
        docs.append([base + [int(rng.integers(5, 20))] for _ in range(3)])
    return docs


def test_pretrain_bert_learns_and_finetune_helper():
    rng = np.random.default_rng(2)
    pairs = make_nsp_pairs(_corpus(rng), rng)
    ids, types, mask = pack_pairs(pairs)
    nsp = np.array([p[2] for p in pairs])
    cfg = BertConfig(vocab_size=20, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=12, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0)  # fmt: skip
    model = BertForPreTraining(cfg, generator=np.random.default_rng(3))
    hist = pretrain_bert(model, ids, types, mask, nsp, steps=80, batch_size=32, lr=1e-2,
                         warmup_steps=5, rng=rng, progress=False)  # fmt: skip
    assert len(hist["loss"]) == 80 and len(hist["nsp_accuracy"]) == 80
    assert np.mean(hist["loss"][-10:]) < np.mean(hist["loss"][:10]) - 0.2
    assert not model.training
    mlm_only = pretrain_bert(model, ids, steps=2, progress=False, rng=rng)
    assert mlm_only["nsp_accuracy"] == [] and len(mlm_only["loss"]) == 2

    # fine-tuning: label = whether the first content token is < 12 (learnable from one token)
    x = ids[:, :5]
    y = (x[:, 1] < 12).astype(np.int64)
    clf = BertForSequenceClassification({**cfg.to_dict(), "num_labels": 2})
    clf.bert.load_state_dict(model.bert.state_dict())
    losses = finetune_classifier(clf, x, y, epochs=8, batch_size=32, lr=5e-3, rng=rng,
                                 progress=False)  # fmt: skip
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert (predict_classifier(clf, x) == y).mean() > 0.8
    with pytest.raises(TypeError, match="model"):
        pretrain_bert(clf, ids, progress=False)
    with pytest.raises(TypeError, match="model"):
        finetune_classifier(model, x, y, progress=False)
    with pytest.raises(ValueError, match="labels"):
        finetune_classifier(clf, x, y[:3], progress=False)
    with pytest.raises(ValueError, match="steps"):
        pretrain_bert(model, ids, steps=0, progress=False)
