"""BERT (TR-14..TR-17) against Hugging Face transformers' BertModel and heads (eager attention):
same weights -> same hidden states, pooled output, head logits, losses and gradients of every
parameter (random upstream gradients), float64 tight and float32 loose; one AdamW step."""

import numpy as np
import pytest
import torch
import transformers
from scipy.special import erf

from glassml.autograd import Tensor, tensor
from glassml.models.bert import (
    BertConfig,
    BertForPreTraining,
    BertForQuestionAnswering,
    BertForSequenceClassification,
    BertForTokenClassification,
    BertModel,
    cls_pooling,
    exact_gelu,
    mean_pooling,
)

TOL = {np.float64: dict(rtol=1e-9, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-5)}
SMALL = dict(
    vocab_size=41,
    hidden_size=24,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=40,
    max_position_embeddings=16,
    type_vocab_size=2,
)


def _inputs(seed=0, b=3, t=9, vocab=41):
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab, (b, t))
    mask = np.ones((b, t), dtype=np.int64)
    mask[1, 6:] = 0  # padding at the end of two sequences
    mask[2, 3:] = 0
    ids[mask == 0] = 0
    types = np.zeros((b, t), dtype=np.int64)
    types[:, 4:] = 1  # a second segment
    return ids, mask, types


def _pair(ours_cls, hf_cls, dtype, **cfg):
    cfg = {**SMALL, **cfg}
    ours = ours_cls(BertConfig(**cfg), generator=np.random.default_rng(1))
    hf_cfg = transformers.BertConfig(**cfg, attn_implementation="eager")
    ref = hf_cls(hf_cfg)
    ours.to(dtype).eval()
    ref.to(torch.float64 if dtype == np.float64 else torch.float32).eval()
    missing = ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()},
        strict=False,
    )
    assert not missing.unexpected_keys
    assert all("position_ids" in k for k in missing.missing_keys)
    return ours, ref


def _t(a):
    return torch.from_numpy(np.asarray(a))


def _check_grads(ours, ref, dtype, prefix=""):
    ref_params = dict(ref.named_parameters())
    n = 0
    for name, p in ours.named_parameters():
        g_ref = ref_params[prefix + name].grad
        assert p.grad is not None, name
        np.testing.assert_allclose(p.grad.numpy(), g_ref.numpy(), err_msg=name, **TOL[dtype])
        n += 1
    assert n == len(ref_params)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_bert_model_matches_transformers(dtype):
    ours, ref = _pair(BertModel, transformers.BertModel, dtype)
    ids, mask, types = _inputs()
    h, pooled = ours(ids, attention_mask=mask, token_type_ids=types)
    out = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types))
    np.testing.assert_allclose(h.numpy(), out.last_hidden_state.detach().numpy(), **TOL[dtype])
    np.testing.assert_allclose(pooled.numpy(), out.pooler_output.detach().numpy(), **TOL[dtype])
    assert h.dtype == dtype
    rng = np.random.default_rng(2)
    g_h = rng.standard_normal(h.shape).astype(dtype)  # random upstream gradients
    g_p = rng.standard_normal(pooled.shape).astype(dtype)
    ((h * tensor(g_h)).sum() + (pooled * tensor(g_p)).sum()).backward()
    ((out.last_hidden_state * _t(g_h)).sum() + (out.pooler_output * _t(g_p)).sum()).backward()
    _check_grads(ours, ref, np.float64 if dtype == np.float64 else np.float32)


@pytest.mark.parametrize("act", ["gelu_new", "relu", "silu"])
def test_activations_and_position_ids_match(act):
    ours, ref = _pair(BertModel, transformers.BertModel, np.float64, hidden_act=act)
    ids, mask, types = _inputs(seed=3, t=6)
    pos = np.array([[3, 4, 5, 6, 7, 8]] * 3)
    h, pooled = ours(ids, mask, types, position_ids=pos)
    out = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
              position_ids=_t(pos))  # fmt: skip
    np.testing.assert_allclose(h.numpy(), out.last_hidden_state.detach().numpy(), **TOL[np.float64])
    g = np.random.default_rng(4).standard_normal(h.shape)
    (h * tensor(g)).sum().backward()
    (out.last_hidden_state * _t(g)).sum().backward()
    p_ours = ours.embeddings.position_embeddings.weight.grad.numpy()
    p_ref = ref.embeddings.position_embeddings.weight.grad.numpy()
    np.testing.assert_allclose(p_ours, p_ref, **TOL[np.float64])
    assert np.abs(p_ours[:3]).max() == 0  # positions 0..2 unused


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pretraining_heads_match(dtype):
    ours, ref = _pair(BertForPreTraining, transformers.BertForPreTraining, dtype)
    assert ours.cls.predictions.decoder.weight is ours.bert.embeddings.word_embeddings.weight
    ids, mask, types = _inputs(seed=5)
    labels = np.full(ids.shape, -100)
    labels[0, 2], labels[1, 4], labels[2, 1] = 7, 11, 3
    nsp = np.array([0, 1, 1])
    out = ours(ids, mask, types, labels=labels, next_sentence_label=nsp)
    r = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
            labels=_t(labels), next_sentence_label=_t(nsp))  # fmt: skip
    tol = TOL[dtype]
    np.testing.assert_allclose(out.prediction_logits.numpy(), r.prediction_logits.detach(), **tol)
    np.testing.assert_allclose(
        out.seq_relationship_logits.numpy(), r.seq_relationship_logits.detach(), **tol
    )
    np.testing.assert_allclose(out.loss.item(), r.loss.item(), **tol)
    out.loss.backward()
    r.loss.backward()
    _check_grads(ours, ref, dtype)


def test_sequence_classification_losses_match():
    rng = np.random.default_rng(6)
    ids, mask, types = _inputs(seed=6)
    cases = [
        (3, rng.integers(0, 3, 3)),  # single-label cross-entropy
        (1, rng.standard_normal(3)),  # regression (MSE)
        (4, (rng.random((3, 4)) > 0.5).astype(np.float64)),  # multi-label BCE
    ]
    for num_labels, labels in cases:
        ours, ref = _pair(
            BertForSequenceClassification,
            transformers.BertForSequenceClassification,
            np.float64,
            num_labels=num_labels,
        )
        out = ours(ids, mask, types, labels=labels)
        r = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
                labels=_t(labels))  # fmt: skip
        np.testing.assert_allclose(out.logits.numpy(), r.logits.detach(), **TOL[np.float64])
        np.testing.assert_allclose(out.loss.item(), r.loss.item(), **TOL[np.float64])
        out.loss.backward()
        r.loss.backward()
        _check_grads(ours, ref, np.float64)


def test_token_classification_and_qa_match():
    ids, mask, types = _inputs(seed=7)
    labels = np.random.default_rng(7).integers(0, 5, ids.shape)
    labels[mask == 0] = -100
    ours, ref = _pair(BertForTokenClassification, transformers.BertForTokenClassification,
                      np.float64, num_labels=5)  # fmt: skip
    out = ours(ids, mask, types, labels=labels)
    r = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
            labels=_t(labels))  # fmt: skip
    np.testing.assert_allclose(out.logits.numpy(), r.logits.detach(), **TOL[np.float64])
    np.testing.assert_allclose(out.loss.item(), r.loss.item(), **TOL[np.float64])
    out.loss.backward()
    r.loss.backward()
    _check_grads(ours, ref, np.float64)

    ours, ref = _pair(BertForQuestionAnswering, transformers.BertForQuestionAnswering,
                      np.float64)  # fmt: skip
    start, end = np.array([1, 2, 20]), np.array([3, 4, 1])  # 20 is clamped and ignored
    out = ours(ids, mask, types, start_positions=start, end_positions=end)
    r = ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
            start_positions=_t(start), end_positions=_t(end))  # fmt: skip
    np.testing.assert_allclose(out.start_logits.numpy(), r.start_logits.detach(), **TOL[np.float64])
    np.testing.assert_allclose(out.end_logits.numpy(), r.end_logits.detach(), **TOL[np.float64])
    np.testing.assert_allclose(out.loss.item(), r.loss.item(), **TOL[np.float64])
    out.loss.backward()
    r.loss.backward()
    _check_grads(ours, ref, np.float64)


def test_one_adamw_training_step_matches():
    from glassml.optim import AdamW

    ours, ref = _pair(BertForPreTraining, transformers.BertForPreTraining, np.float64)
    ids, mask, types = _inputs(seed=8)
    labels = np.where(np.random.default_rng(8).random(ids.shape) < 0.3, ids, -100)
    nsp = np.array([1, 0, 1])
    opt = AdamW(ours.parameters(), lr=1e-2, weight_decay=0.01)
    opt_ref = torch.optim.AdamW(ref.parameters(), lr=1e-2, weight_decay=0.01)
    for _ in range(2):
        opt.zero_grad()
        opt_ref.zero_grad()
        ours(ids, mask, types, labels=labels, next_sentence_label=nsp).loss.backward()
        ref(input_ids=_t(ids), attention_mask=_t(mask), token_type_ids=_t(types),
            labels=_t(labels), next_sentence_label=_t(nsp)).loss.backward()  # fmt: skip
        opt.step()
        opt_ref.step()
    ref_state = ref.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), ref_state[k].numpy(), rtol=1e-8, atol=1e-10)


def test_fast_float32_gelu_is_exact_to_float32_resolution():
    x = np.linspace(-7, 7, 20001).astype(np.float32)
    xt = Tensor(x, requires_grad=True)
    y = exact_gelu(xt)
    ref = x.astype(np.float64) * 0.5 * (1 + erf(x.astype(np.float64) / np.sqrt(2)))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), ref, rtol=0, atol=2e-6)
    g = np.random.default_rng(0).standard_normal(x.shape).astype(np.float32)
    y.backward(tensor(g))
    xd = x.astype(np.float64)
    dref = 0.5 * (1 + erf(xd / np.sqrt(2))) + xd * np.exp(-0.5 * xd**2) / np.sqrt(2 * np.pi)
    np.testing.assert_allclose(xt.grad.numpy(), g * dref, rtol=0, atol=2e-6 * 4)


def test_pooling_helpers():
    rng = np.random.default_rng(9)
    h = rng.standard_normal((2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]])
    ht = tensor(h, requires_grad=True)
    pooled = mean_pooling(ht, mask)
    np.testing.assert_allclose(pooled.numpy()[0], h[0, :2].mean(0), rtol=1e-12)
    np.testing.assert_allclose(pooled.numpy()[1], h[1].mean(0), rtol=1e-12)
    g = rng.standard_normal((2, 3))
    pooled.backward(tensor(g))
    expected = mask[:, :, None] / mask.sum(1)[:, None, None] * g[:, None, :]
    np.testing.assert_allclose(ht.grad.numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(cls_pooling(tensor(h)).numpy(), h[:, 0])
    np.testing.assert_allclose(mean_pooling(tensor(h)).numpy(), h.mean(1), rtol=1e-12)
    with pytest.raises(ValueError, match="attention_mask"):
        mean_pooling(tensor(h), mask[:, :3])


def test_dropout_active_only_in_training():
    model = BertModel(BertConfig(**SMALL, hidden_dropout_prob=0.3))
    ids, mask, _ = _inputs()
    a, _ = model(ids, mask)
    b, _ = model(ids, mask)
    assert not np.allclose(a.numpy(), b.numpy())
    model.eval()
    np.testing.assert_array_equal(model(ids, mask)[0].numpy(), model(ids, mask)[0].numpy())


def test_save_load_round_trip(tmp_path):
    from glassml.nn import load, save

    model = BertForSequenceClassification(BertConfig(**SMALL, num_labels=3)).eval()
    save(model, tmp_path, {"config": model.config.to_dict()})
    back = load(tmp_path).eval()
    ids, mask, types = _inputs()
    np.testing.assert_array_equal(back(ids, mask, types).logits.numpy(),
                                  model(ids, mask, types).logits.numpy())  # fmt: skip


def test_config_from_json_and_init(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"hidden_size": 64, "num_attention_heads": 8, "model_type": "bert"}')
    cfg = BertConfig.from_json(path)
    assert (cfg.hidden_size, cfg.num_attention_heads, cfg.layer_norm_eps) == (64, 8, 1e-12)
    model = BertModel(BertConfig(**SMALL, initializer_range=0.05))
    w = model.encoder.layer[0].intermediate.dense.weight.numpy()
    assert abs(w.std() - 0.05) < 0.01 and np.all(
        model.encoder.layer[0].output.dense.bias.numpy() == 0
    )
    assert np.all(model.embeddings.word_embeddings.weight.numpy()[0] == 0)  # padding row


def test_bad_inputs():
    with pytest.raises(ValueError, match="hidden_size"):
        BertConfig(hidden_size=30, num_attention_heads=4)
    with pytest.raises(ValueError, match="hidden_act"):
        BertConfig(hidden_act="tanh")
    with pytest.raises(ValueError, match="hidden_dropout_prob"):
        BertConfig(hidden_dropout_prob=1.5)
    with pytest.raises(TypeError, match="config"):
        BertModel("bert-base")
    model = BertModel(BertConfig(**SMALL))
    with pytest.raises(TypeError, match="input_ids"):
        model(np.ones((2, 3)))
    with pytest.raises(ValueError, match="input_ids"):
        model(np.ones(3, dtype=np.int64))
    with pytest.raises(ValueError, match="max_position_embeddings"):
        model(np.ones((1, 17), dtype=np.int64))
    with pytest.raises(ValueError, match="vocab_size"):
        model(np.array([[1, 41]]))
    with pytest.raises(ValueError, match="attention_mask"):
        model(np.array([[1, 2]]), attention_mask=np.ones((1, 3)))
    with pytest.raises(ValueError, match="type_vocab_size"):
        model(np.array([[1, 2]]), token_type_ids=np.array([[0, 2]]))
    head = BertForTokenClassification(BertConfig(**SMALL))
    with pytest.raises(ValueError, match="labels"):
        head(np.array([[1, 2]]), labels=np.array([[0, 1, 1]]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_grad_inference_path_matches_graph_path(dtype):
    from glassml.autograd import no_grad

    model = BertModel(BertConfig(**SMALL), generator=np.random.default_rng(3)).to(dtype).eval()
    ids, mask, types = _inputs(seed=11)
    mask[0] = 0  # a sequence that is all padding: uniform attention (HF's finfo.min bias)
    keep = mask.astype(bool)
    h, pooled = model(ids, mask, types)
    with no_grad():
        h2, pooled2 = model(ids, mask, types)
    tol = TOL[dtype]
    np.testing.assert_allclose(h2.numpy()[keep], h.numpy()[keep], **tol)
    np.testing.assert_allclose(pooled2.numpy()[1:], pooled.numpy()[1:], **tol)
    assert np.isfinite(h2.numpy()).all()


def test_heads_keep_their_import_path_after_the_split():
    import glassml.models
    import glassml.models.bert as bert
    import glassml.models.bert_heads as heads

    for name in heads.__all__:  # the heads module is the definition, bert.py re-exports it
        assert getattr(bert, name) is getattr(heads, name), name
        assert name in bert.__all__
    assert glassml.models.BertForPreTraining is heads.BertForPreTraining
    assert BertModel(None).config == BertConfig()  # no config: HF's defaults
