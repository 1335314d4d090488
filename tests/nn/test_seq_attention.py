"""Bahdanau and Luong attention (SQ-06..SQ-08) against torch implementations written here with
the same parameter names: context, weights and every gradient, with random upstream gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml.autograd import tensor
from glassml.nn.seq_attention import BahdanauAttention, LuongAttention, attend


class TorchBahdanau(torch.nn.Module):
    def __init__(self, hq, hk, a):
        super().__init__()
        self.query_proj = torch.nn.Linear(hq, a, bias=False)
        self.key_proj = torch.nn.Linear(hk, a)
        self.v = torch.nn.Linear(a, 1, bias=False)

    def scores(self, q, k):  # q (B, T, Hq), k (B, S, Hk)
        hidden = torch.tanh(self.query_proj(q)[:, :, None, :] + self.key_proj(k)[:, None, :, :])
        return self.v(hidden).squeeze(-1)


class TorchLuong(torch.nn.Module):
    def __init__(self, hq, hk, score, a):
        super().__init__()
        self.score, self.hq = score, hq
        if score == "general":
            self.key_proj = torch.nn.Linear(hk, hq, bias=False)
        elif score == "concat":
            self.proj = torch.nn.Linear(hq + hk, a, bias=False)
            self.v = torch.nn.Linear(a, 1, bias=False)

    def scores(self, q, k):
        if self.score == "dot":
            return q @ k.transpose(1, 2)
        if self.score == "general":
            return q @ self.key_proj(k).transpose(1, 2)
        T, S = q.shape[1], k.shape[1]
        pairs = torch.cat(  # the literal [q; k] of every (t, s) pair
            [q[:, :, None, :].expand(-1, T, S, -1), k[:, None, :, :].expand(-1, T, S, -1)], dim=-1
        )
        return self.v(torch.tanh(self.proj(pairs))).squeeze(-1)


def torch_attend(module, q, k, v, mask):
    single = q.dim() == 2
    q3 = q[:, None, :] if single else q
    e = module.scores(q3, k)
    if mask is not None:
        e = e.masked_fill(~torch.from_numpy(mask)[:, None, :], float("-inf"))
    a = torch.softmax(e, dim=-1)
    c = a @ v
    return (c[:, 0], a[:, 0]) if single else (c, a)


def _run_pair(ours, ref, q, k, v, mask, dtype, rtol, atol):
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ours.to(dtype)
    ref.load_state_dict(
        {k_: torch.from_numpy(p.numpy().copy()) for k_, p in ours.state_dict().items()}
    )
    gq, gk = (
        tensor(q.astype(dtype), requires_grad=True),
        tensor(k.astype(dtype), requires_grad=True),
    )
    gv = None if v is None else tensor(v.astype(dtype), requires_grad=True)
    tq = torch.tensor(q.astype(dtype), requires_grad=True)
    tk = torch.tensor(k.astype(dtype), requires_grad=True)
    tv = None if v is None else torch.tensor(v.astype(dtype), requires_grad=True)
    c, a = ours(gq, gk, gv, mask=mask)
    tc, ta = torch_attend(ref, tq, tk, tk if tv is None else tv, mask)
    np.testing.assert_allclose(c.numpy(), tc.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(a.numpy(), ta.detach().numpy(), rtol=rtol, atol=atol)
    rng = np.random.default_rng(5)
    g_c = rng.standard_normal(c.shape).astype(dtype)  # random upstream gradients on both outputs
    g_a = rng.standard_normal(a.shape).astype(dtype)
    loss = (c * tensor(g_c)).sum() + (a * tensor(g_a)).sum()
    loss.backward()
    ((tc * torch.from_numpy(g_c)).sum() + (ta * torch.from_numpy(g_a)).sum()).backward()
    pairs = [(gq, tq), (gk, tk)] + ([] if v is None else [(gv, tv)])
    for ours_t, ref_t in pairs:
        np.testing.assert_allclose(ours_t.grad.numpy(), ref_t.grad.numpy(), rtol=rtol, atol=atol)
    ref_params = dict(ref.named_parameters())
    assert set(ref_params) == {n for n, _ in ours.named_parameters()}
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )
    return a


def _data(B, T, S, hq, hk, hv, seed=0):
    rng = np.random.default_rng(seed)
    q = rng.standard_normal((B, hq) if T is None else (B, T, hq))
    k = rng.standard_normal((B, S, hk))
    v = None if hv is None else rng.standard_normal((B, S, hv))
    lengths = rng.integers(1, S + 1, size=B)
    lengths[0] = S
    mask = np.arange(S)[None, :] < lengths[:, None]
    return q, k, v, mask


CASES = [(None, True, None), (4, True, None), (None, False, 3), (3, True, 5)]
TOLS = [(np.float64, 1e-9, 1e-10), (np.float32, 1e-4, 1e-5)]


@pytest.mark.parametrize("T,use_mask,hv", CASES)
@pytest.mark.parametrize("dtype,rtol,atol", TOLS)
def test_bahdanau_matches_torch(T, use_mask, hv, dtype, rtol, atol):
    q, k, v, mask = _data(3, T, 6, 5, 7, hv)
    ours = BahdanauAttention(5, 7, attention_size=4, generator=np.random.default_rng(1))
    a = _run_pair(ours, TorchBahdanau(5, 7, 4), q, k, v, mask if use_mask else None, dtype,
                  rtol, atol)  # fmt: skip
    if use_mask:
        w = a.numpy().reshape(3, -1, 6)
        assert np.all(w[~np.broadcast_to(mask[:, None, :], w.shape)] == 0.0)
        np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("score", ["dot", "general", "concat"])
@pytest.mark.parametrize("T,use_mask,hv", CASES)
@pytest.mark.parametrize("dtype,rtol,atol", TOLS)
def test_luong_matches_torch(score, T, use_mask, hv, dtype, rtol, atol):
    hk = 5 if score == "dot" else 7
    q, k, v, mask = _data(3, T, 6, 5, hk, hv, seed=2)
    ours = LuongAttention(5, hk, score=score, attention_size=4, generator=np.random.default_rng(3))
    _run_pair(ours, TorchLuong(5, hk, score, 4), q, k, v, mask if use_mask else None, dtype,
              rtol, atol)  # fmt: skip


def test_projected_keys_reuse_and_step_vs_all_steps():
    """Precomputed keys give the same result; T steps at once equal T single steps."""
    q, k, _, mask = _data(2, 5, 6, 4, 4, None, seed=4)
    for attn in (BahdanauAttention(4, 4), LuongAttention(4, 4, "general"),
                 LuongAttention(4, 4, "concat")):  # fmt: skip
        attn.double()
        kt = tensor(k)
        c_all, a_all = attn(tensor(q), kt, mask=mask)
        pk = attn.project_keys(kt)
        for t in range(5):
            c_t, a_t = attn(tensor(q[:, t]), kt, mask=mask, projected_keys=pk)
            np.testing.assert_allclose(c_t.numpy(), c_all.numpy()[:, t], rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(a_t.numpy(), a_all.numpy()[:, t], rtol=1e-12, atol=1e-13)


def test_dot_attention_weights_follow_similarity():
    keys = np.eye(4)[None]  # (1, 4, 4) one-hot keys
    query = 10.0 * np.eye(4)[None, 2]  # aligned with key 2
    _, a = LuongAttention(4, 4, "dot")(tensor(query), tensor(keys))
    assert int(np.argmax(a.numpy()[0])) == 2 and a.numpy()[0, 2] > 0.99
    c, w = attend(tensor(np.zeros((1, 1, 3))), tensor(np.arange(6.0).reshape(1, 3, 2)))
    np.testing.assert_allclose(w.numpy(), np.full((1, 1, 3), 1 / 3))
    np.testing.assert_allclose(c.numpy(), [[[2.0, 3.0]]])


def test_parameter_counts_dot_is_cheapest():
    sizes = {}
    for name, m in [("dot", LuongAttention(16, 16, "dot")),
                    ("general", LuongAttention(16, 16, "general")),
                    ("additive", BahdanauAttention(16, 16, 16))]:  # fmt: skip
        sizes[name] = sum(p.numel() for p in m.parameters())
    assert sizes == {"dot": 0, "general": 16 * 16, "additive": 16 * 16 * 2 + 16 + 16}


def test_bad_inputs():
    with pytest.raises(ValueError, match="query_size"):
        BahdanauAttention(0, 3)
    with pytest.raises(ValueError, match="score"):
        LuongAttention(3, 3, score="cosine")
    with pytest.raises(ValueError, match="query_size == key_size"):
        LuongAttention(3, 4, score="dot")
    attn = BahdanauAttention(3, 4)
    q, k = tensor(np.zeros((2, 3), np.float32)), tensor(np.zeros((2, 5, 4), np.float32))
    with pytest.raises(ValueError, match="query must have shape"):
        attn(tensor(np.zeros((2, 4))), k)
    with pytest.raises(ValueError, match="keys must have shape"):
        attn(q, tensor(np.zeros((3, 5, 4))))
    with pytest.raises(ValueError, match="values must have shape"):
        attn(q, k, tensor(np.zeros((2, 4, 4))))
    with pytest.raises(TypeError, match="mask must be boolean"):
        attn(q, k, mask=np.ones((2, 5)))
    with pytest.raises(ValueError, match="mask must have shape"):
        attn(q, k, mask=np.ones((2, 4), dtype=bool))
    with pytest.raises(ValueError, match="at least one True"):
        attn(q, k, mask=np.zeros((2, 5), dtype=bool))
    with pytest.raises(TypeError, match="query must be a glassml Tensor"):
        attn(np.zeros((2, 3)), k)
