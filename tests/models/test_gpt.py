"""GPT (TR-04, TR-05, TR-09, TR-12, TR-13) against the same model written in torch (nanoGPT
style, identical parameter names and weights): logits, loss and every gradient; KV-cache
generation against a full recompute; top-k / top-p filtering against Hugging Face's warpers;
one AdamW step; bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn as tnn
from torch.nn import functional as F

from glassml.autograd import Tensor
from glassml.autograd import backward as g_backward
from glassml.models.gpt import GPT, GPTConfig, KVCache, filter_logits, sample_logits


# ---------------------------------------------------------------------- the torch oracle
class _TorchAttention(tnn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_attn = tnn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = tnn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.resid_dropout = tnn.Dropout(cfg.dropout)
        self.n_head, self.n_embd, self.dropout = cfg.n_head, cfg.n_embd, cfg.dropout

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        p = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class _TorchMLP(tnn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = tnn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.gelu = tnn.GELU()
        self.c_proj = tnn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.dropout = tnn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class _TorchBlock(tnn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = tnn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = _TorchAttention(cfg)
        self.ln_2 = tnn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = _TorchMLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class TorchGPT(tnn.Module):
    """nanoGPT's model (Karpathy), the oracle."""

    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.transformer = tnn.ModuleDict(
            dict(
                wte=tnn.Embedding(cfg.vocab_size, cfg.n_embd),
                wpe=tnn.Embedding(cfg.block_size, cfg.n_embd),
                drop=tnn.Dropout(cfg.dropout),
                h=tnn.ModuleList([_TorchBlock(cfg) for _ in range(cfg.n_layer)]),
                ln_f=tnn.LayerNorm(cfg.n_embd, bias=cfg.bias),
            )
        )
        self.lm_head = tnn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        if cfg.tie_weights:
            self.transformer.wte.weight = self.lm_head.weight

    def forward(self, idx, targets=None):
        _, T = idx.size()
        pos = torch.arange(0, T, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(
                logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1
            )
        return logits, loss

    @torch.no_grad()
    def generate_greedy(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.config.block_size :])
            idx = torch.cat((idx, logits[:, -1, :].argmax(dim=-1, keepdim=True)), dim=1)
        return idx


def torch_copy_of(model: GPT, dtype=np.float64) -> TorchGPT:
    """A TorchGPT with ``model``'s config and weights, in ``dtype``."""
    ref = TorchGPT(model.config).to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.data)) for k, v in model.state_dict().items()}
    )
    return ref


# ---------------------------------------------------------------------- helpers
def _model(dtype=np.float64, seed=0, **kw):
    cfg = dict(vocab_size=13, block_size=10, n_layer=2, n_head=2, n_embd=8)
    cfg.update(kw)
    return GPT(GPTConfig(**cfg), generator=np.random.default_rng(seed), dtype=dtype)


def _compare(model, dtype, rtol, atol, B=3, T=10, seed=1):
    rng = np.random.default_rng(seed)
    V = model.config.vocab_size
    idx = rng.integers(0, V, (B, T))
    targets = rng.integers(0, V, (B, T))
    targets[0, :2] = -1  # ignored positions
    ref = torch_copy_of(model, dtype)
    logits, loss = model(idx, targets)
    t_logits, t_loss = ref(torch.from_numpy(idx), torch.from_numpy(targets))
    np.testing.assert_allclose(logits.data, t_logits.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=rtol, atol=atol)
    G = rng.standard_normal(logits.shape).astype(dtype)  # random upstream gradient on logits
    g_backward([logits, loss], [Tensor(G), None])
    torch.autograd.backward([t_logits, t_loss], [torch.from_numpy(G), None])
    ref_params = dict(ref.named_parameters())
    names = [n for n, _ in model.named_parameters()]
    assert names == list(ref_params)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(
            p.grad.data, ref_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )


# ---------------------------------------------------------------------- parity with torch
def test_float64_logits_loss_and_all_gradients_match_torch_tied():
    model = _model()
    assert model.lm_head.weight is model.transformer.wte.weight
    _compare(model, np.float64, rtol=1e-9, atol=1e-11)


def test_float64_untied_without_bias_matches_torch():
    model = _model(tie_weights=False, bias=False, n_layer=1, n_head=4)
    assert model.lm_head.weight is not model.transformer.wte.weight
    _compare(model, np.float64, rtol=1e-9, atol=1e-11, T=7)


def test_float32_matches_torch_loosely():
    model = _model(np.float32, n_embd=16, vocab_size=29)
    assert model.lm_head.weight.dtype == np.float32
    _compare(model, np.float32, rtol=1e-4, atol=1e-5)


def test_eval_mode_with_dropout_config_matches_torch_and_training_mode_drops():
    model = _model(dropout=0.3).eval()
    ref = torch_copy_of(model).eval()
    idx = np.random.default_rng(2).integers(0, 13, (2, 6))
    np.testing.assert_allclose(
        model(idx)[0].data, ref(torch.from_numpy(idx))[0].detach().numpy(), rtol=1e-9, atol=1e-11
    )
    model.train()
    assert not np.allclose(model(idx)[0].data, model.eval()(idx)[0].data)


def test_init_follows_gpt2_scheme():
    model = GPT(GPTConfig(vocab_size=500, block_size=64, n_layer=8, n_head=4, n_embd=64),
                generator=np.random.default_rng(0))  # fmt: skip
    sd = model.state_dict()
    assert sd["transformer.wte.weight"].data.std() == pytest.approx(0.02, rel=0.05)
    resid = np.concatenate(
        [sd[f"transformer.h.{i}.mlp.c_proj.weight"].data.ravel() for i in range(8)]
    )
    assert resid.std() == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert np.all(sd["transformer.h.0.attn.c_attn.bias"].data == 0)
    assert np.all(sd["transformer.ln_f.weight"].data == 1)


def test_num_parameters_counts_tied_weight_once_like_torch():
    model = _model(np.float32)
    ref = torch_copy_of(model, np.float32)
    assert model.num_parameters() == sum(p.numel() for p in ref.parameters())
    untied = _model(np.float32, tie_weights=False)
    assert untied.num_parameters() == model.num_parameters() + 13 * 8


def test_one_adamw_step_with_configure_optimizers_matches_torch():
    model = _model()
    ref = torch_copy_of(model)
    opt = model.configure_optimizers(weight_decay=0.1, lr=1e-2, betas=(0.9, 0.95))
    decay = [p for p in ref.parameters() if p.dim() >= 2]
    no_decay = [p for p in ref.parameters() if p.dim() < 2]
    t_opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-2, betas=(0.9, 0.95),
    )  # fmt: skip
    assert [len(g["params"]) for g in opt.param_groups] == [len(decay), len(no_decay)]
    rng = np.random.default_rng(3)
    for _ in range(2):
        idx, tgt = rng.integers(0, 13, (2, 10)), rng.integers(0, 13, (2, 10))
        opt.zero_grad()
        model(idx, tgt)[1].backward()
        opt.step()
        t_opt.zero_grad()
        ref(torch.from_numpy(idx), torch.from_numpy(tgt))[1].backward()
        t_opt.step()
    ref_params = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.data, ref_params[name].detach().numpy(), rtol=1e-9,
                                   atol=1e-11, err_msg=name)  # fmt: skip


# ---------------------------------------------------------------------- generation
def test_kv_cache_logits_equal_full_recompute_beyond_the_window():
    model = _model(block_size=8)
    prompt = np.random.default_rng(4).integers(0, 13, (2, 5))
    out_c, logits_c = model.generate(prompt, 9, greedy=True, return_logits=True)
    out_n, logits_n = model.generate(prompt, 9, greedy=True, return_logits=True, use_cache=False)
    assert out_c.shape == (2, 14) and logits_c.shape == (2, 9, 13)  # 14 > block_size: cropped
    np.testing.assert_array_equal(out_c, out_n)
    np.testing.assert_allclose(logits_c, logits_n, rtol=1e-10, atol=1e-12)
    # and the full recompute is torch's: every step's logits from the cropped context
    ref = torch_copy_of(model)
    for s in range(9):
        ctx = out_c[:, : 5 + s][:, -8:]
        t_logits = ref(torch.from_numpy(ctx))[0][:, -1].detach().numpy()
        np.testing.assert_allclose(logits_c[:, s], t_logits, rtol=1e-9, atol=1e-11)


def test_greedy_generation_equals_torch_greedy_loop():
    model = _model(np.float32, block_size=6)
    prompt = np.array([[1, 2, 3], [4, 5, 6]])
    ours = model.generate(prompt, 8, greedy=True)
    theirs = torch_copy_of(model, np.float32).generate_greedy(torch.from_numpy(prompt), 8)
    np.testing.assert_array_equal(ours, theirs.numpy())


def test_cache_prefill_with_several_new_tokens_uses_offset_causal_mask():
    model = _model()
    idx = np.random.default_rng(5).integers(0, 13, (2, 9))
    cache = model.new_cache(2)
    h1 = model.hidden_states(idx[:, :4], cache)
    h2 = model.hidden_states(idx[:, 4:], cache)  # 5 new positions after 4 cached ones
    full = model.hidden_states(idx)
    assert cache.length == 9 and isinstance(cache, KVCache)
    np.testing.assert_allclose(np.concatenate([h1.data, h2.data], 1), full.data, rtol=1e-10,
                               atol=1e-12)  # fmt: skip


def test_sampling_is_reproducible_and_streams_with_callback():
    model = _model(np.float32)
    prompt = np.array([[3, 1]])
    a = model.generate(prompt, 6, temperature=0.8, top_k=5, generator=np.random.default_rng(7))
    b = model.generate(prompt, 6, temperature=0.8, top_k=5, generator=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    seen = []
    stream = model.generate(prompt, 6, temperature=0.8, top_k=5, stream=True, callback=seen.append,
                            generator=np.random.default_rng(7))  # fmt: skip
    streamed = [t.copy() for t in stream]
    np.testing.assert_array_equal(np.concatenate(streamed), a[0, 2:])
    assert len(seen) == 6


def test_generation_stops_at_eos():
    model = _model(np.float32)
    prompt = np.array([[3, 1]])
    first = model.generate(prompt, 1, greedy=True)[0, -1]
    out = model.generate(prompt, 10, greedy=True, eos_token_id=int(first))
    assert out.shape == (1, 3) and out[0, -1] == first


def test_top_k_and_top_p_filtering_match_hugging_face_warpers():
    from transformers.generation.logits_process import TopKLogitsWarper, TopPLogitsWarper

    rng = np.random.default_rng(8)
    logits = rng.standard_normal((6, 50)) * 2.0
    for k in (1, 5, 50):
        ref = TopKLogitsWarper(top_k=k)(None, torch.from_numpy(logits)).numpy()
        np.testing.assert_array_equal(filter_logits(logits, top_k=k), ref)
    for p in (0.05, 0.5, 0.9, 1.0):
        ref = TopPLogitsWarper(top_p=p)(None, torch.from_numpy(logits)).numpy()
        np.testing.assert_array_equal(filter_logits(logits, top_p=p), ref)
    both = TopPLogitsWarper(top_p=0.7)(
        None, TopKLogitsWarper(top_k=10)(None, torch.from_numpy(logits))
    )
    np.testing.assert_array_equal(filter_logits(logits, top_k=10, top_p=0.7), both.numpy())


def test_top_k_keeps_ties_at_the_threshold_like_nanogpt():
    logits = np.array([[1.0, 2.0, 2.0, 0.5]])
    v, _ = torch.topk(torch.from_numpy(logits), 2)
    ref = torch.from_numpy(logits).clone()
    ref[ref < v[:, [-1]]] = -float("inf")
    np.testing.assert_array_equal(filter_logits(logits, top_k=2), ref.numpy())


def test_sampled_frequencies_follow_the_filtered_softmax():
    logits = np.array([[2.0, 1.0, 0.5, 0.0, -1.0]] * 20_000)
    draws = sample_logits(logits, temperature=0.7, top_k=3, generator=np.random.default_rng(9))
    probs = torch.softmax(torch.tensor([2.0, 1.0, 0.5]) / 0.7, 0).numpy()
    freq = np.bincount(draws, minlength=5) / draws.size
    assert freq[3] == 0 and freq[4] == 0
    np.testing.assert_allclose(freq[:3], probs, atol=0.015)
    assert np.array_equal(sample_logits(logits[:2], greedy=True), [0, 0])


# ---------------------------------------------------------------------- bad inputs
def test_idx_longer_than_block_size_is_rejected():
    with pytest.raises(ValueError, match="block_size=10"):
        _model()(np.zeros((1, 11), dtype=np.int64))


def test_n_embd_not_divisible_by_n_head_is_rejected():
    with pytest.raises(ValueError, match="n_embd must be divisible by n_head"):
        GPTConfig(vocab_size=10, block_size=8, n_layer=1, n_head=3, n_embd=8)


def test_float_idx_and_bad_shapes_are_rejected():
    model = _model()
    with pytest.raises(TypeError, match="idx must hold integer"):
        model(np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"shape \(batch, time\)"):
        model(np.zeros(4, dtype=np.int64))
    with pytest.raises(ValueError, match="vocab_size=13"):
        model(np.full((1, 4), 13))
    with pytest.raises(ValueError, match="targets must have the shape"):
        model(np.zeros((1, 4), dtype=np.int64), np.zeros((1, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="positive integer"):
        GPTConfig(vocab_size=0)
    with pytest.raises(ValueError, match="dropout"):
        GPTConfig(dropout=1.5)
    with pytest.raises(TypeError, match="unknown config fields"):
        GPT(n_embed=8)


def test_bad_sampling_arguments_are_rejected():
    logits = np.zeros((1, 4))
    with pytest.raises(ValueError, match="top_k"):
        filter_logits(logits, top_k=0)
    with pytest.raises(ValueError, match="top_p"):
        filter_logits(logits, top_p=1.5)
    with pytest.raises(ValueError, match="temperature"):
        sample_logits(logits, temperature=0.0)
    with pytest.raises(ValueError, match="max_new_tokens"):
        _model().generate(np.zeros((1, 2), dtype=np.int64), -1)


def test_gelu_matches_torch_exact_gelu_in_float32_and_float64():
    from glassml.models.gpt import gelu

    rng = np.random.default_rng(10)
    for dtype, tol in (
        (np.float32, dict(rtol=1e-6, atol=2e-6)),
        (np.float64, dict(rtol=1e-13, atol=1e-15)),
    ):
        x = (rng.standard_normal((70_001,)) * 4).astype(dtype)  # several cache-sized chunks
        g = rng.standard_normal(x.shape).astype(dtype)
        xg = Tensor(x, requires_grad=True)
        y = gelu(xg)
        y.backward(Tensor(g))
        xt = torch.tensor(x, requires_grad=True)
        yt = F.gelu(xt)
        yt.backward(torch.from_numpy(g))
        assert y.dtype == dtype and xg.grad.dtype == dtype
        np.testing.assert_allclose(y.data, yt.detach().numpy(), **tol)
        np.testing.assert_allclose(xg.grad.data, xt.grad.numpy(), **tol)


@pytest.mark.parametrize("T,block", [(37, 8), (16, 32), (64, 16)])
def test_block_causal_attention_matches_torch_sdpa(T, block):
    from glassml.models.gpt import causal_attention

    rng = np.random.default_rng(T)
    B, H, hd = 2, 3, 5
    qkv = rng.standard_normal((B, T, 3 * H * hd))
    g = rng.standard_normal((B, T, H * hd))
    x = Tensor(qkv, requires_grad=True)
    y = causal_attention(x, H, block)
    y.backward(Tensor(g))
    xt = torch.tensor(qkv, requires_grad=True)
    q, k, v = (t.view(B, T, H, hd).transpose(1, 2) for t in xt.split(H * hd, dim=2))
    yt = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, -1)
    yt.backward(torch.from_numpy(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_layers_and_sampler_keep_their_import_path_after_the_split():
    import glassml.models.gpt as gpt
    import glassml.models.gpt_layers as layers
    import glassml.models.sampling as sampling

    for module in (layers, sampling):
        for name in module.__all__:
            assert getattr(gpt, name) is getattr(module, name), name
    assert gpt.gelu is layers.gelu
