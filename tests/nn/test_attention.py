"""MultiheadAttention against torch.nn.MultiheadAttention: every mask kind, need_weights,
average_attn_weights, kdim/vdim, bias options, batch_first, unbatched input; outputs, attention
weights and the gradients of every parameter and input, with random upstream gradients."""

import numpy as np
import pytest
import torch

from glassml.autograd import tensor
from glassml.nn.attention import MultiheadAttention

RNG = np.random.default_rng(3)
E, H, N, L, S = 8, 2, 3, 4, 5


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-10) if dtype == np.float64 else dict(rtol=2e-4, atol=2e-5)


def _as_torch_mask(m):
    return None if m is None else torch.from_numpy(np.array(m))


def run_both(module_kwargs, q, k, v, dtype=np.float64, mode="distinct", seed=0, train=True, **call):
    """Build both modules with the same weights, run them on the same inputs (``mode``:
    'self' passes one tensor three times, 'kv' shares key and value), backprop random
    upstream gradients through the output and the weights, and compare everything."""
    tol = _tol(dtype)
    rng = np.random.default_rng(seed)
    ours = MultiheadAttention(**module_kwargs, generator=np.random.default_rng(seed))
    ref = torch.nn.MultiheadAttention(**module_kwargs)
    assert list(ours.state_dict()) == list(ref.state_dict())
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ours.train(train), ref.train(train)
    state = {k_: torch.from_numpy(np.array(v_.numpy())) for k_, v_ in ours.state_dict().items()}
    if "in_proj_bias" in state:  # non-zero biases (zeros would hide bugs)
        for key in [key for key in state if "bias" in key]:
            state[key] = torch.from_numpy(rng.standard_normal(tuple(state[key].shape)))
        ours.load_state_dict({k_: v_.numpy() for k_, v_ in state.items()})
    ref.load_state_dict(state)
    arrays = [np.asarray(a, dtype=dtype) for a in (q, k, v)]
    if mode == "self":
        ours_in = [tensor(arrays[0], requires_grad=True)] * 3
        ref_in = [torch.tensor(arrays[0], requires_grad=True)] * 3
    elif mode == "kv":
        kv, kv_r = (
            tensor(arrays[1], requires_grad=True),
            torch.tensor(arrays[1], requires_grad=True),
        )
        ours_in = [tensor(arrays[0], requires_grad=True), kv, kv]
        ref_in = [torch.tensor(arrays[0], requires_grad=True), kv_r, kv_r]
    else:
        ours_in = [tensor(a, requires_grad=True) for a in arrays]
        ref_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    masks = {name: call[name] for name in ("attn_mask", "key_padding_mask") if name in call}
    flags = {name: val for name, val in call.items() if name not in masks}
    ours_masks = {
        n: (tensor(m.astype(dtype)) if m.dtype.kind == "f" else tensor(m)) for n, m in masks.items()
    }
    ref_masks = {
        n: _as_torch_mask(m.astype(dtype) if m.dtype.kind == "f" else m) for n, m in masks.items()
    }
    out, w = ours(*ours_in, **ours_masks, **flags)
    out_r, w_r = ref(*ref_in, **ref_masks, **flags)
    np.testing.assert_allclose(out.numpy(), out_r.detach().numpy(), **tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    loss, loss_r = (out * tensor(g)).sum(), (out_r * torch.from_numpy(g)).sum()
    if w_r is None:
        assert w is None
    else:
        assert w.shape == tuple(w_r.shape)
        np.testing.assert_allclose(w.numpy(), w_r.detach().numpy(), **tol)
        gw = rng.standard_normal(w.shape).astype(dtype)
        loss = loss + (w * tensor(gw)).sum()
        loss_r = loss_r + (w_r * torch.from_numpy(gw)).sum()
    loss.backward()
    loss_r.backward()
    seen = set()
    for a, b in zip(ours_in, ref_in, strict=True):
        if id(a) in seen:
            continue
        seen.add(id(a))
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), **tol, err_msg=name
        )
    return out, w


def seq_first(length, width=E, n=N):
    return RNG.standard_normal((length, n, width))


# ---------------------------------------------------------------------- options
OPTION_CASES = [
    ("self", dict(embed_dim=E, num_heads=H), "self", (L, L)),
    ("cross_kv_shared", dict(embed_dim=E, num_heads=H), "kv", (L, S)),
    ("distinct", dict(embed_dim=E, num_heads=H), "distinct", (L, S)),
    ("no_bias", dict(embed_dim=E, num_heads=H, bias=False), "self", (L, L)),
    ("one_head", dict(embed_dim=E, num_heads=1), "distinct", (L, S)),
    ("add_bias_kv", dict(embed_dim=E, num_heads=H, add_bias_kv=True), "distinct", (L, S)),
    ("add_zero_attn", dict(embed_dim=E, num_heads=H, add_zero_attn=True), "kv", (L, S)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("name,kwargs,mode,lens", OPTION_CASES, ids=[c[0] for c in OPTION_CASES])
def test_mha_options_match_torch(name, kwargs, mode, lens, need_weights, dtype):
    q, kv = seq_first(lens[0]), seq_first(lens[1])
    run_both(kwargs, q, kv, seq_first(lens[1]), dtype, mode, need_weights=need_weights)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mha_kdim_vdim_separate_projections(dtype):
    kwargs = dict(embed_dim=E, num_heads=H, kdim=5, vdim=3)
    ours = MultiheadAttention(**kwargs)
    assert ours.in_proj_weight is None and ours.k_proj_weight.shape == (E, 5)
    for need_weights in (True, False):
        run_both(
            kwargs,
            seq_first(L),
            seq_first(S, 5),
            seq_first(S, 3),
            dtype,
            need_weights=need_weights,
        )


@pytest.mark.parametrize("average", [True, False])
def test_mha_batch_first_and_weights_per_head(average):
    kwargs = dict(embed_dim=E, num_heads=H, batch_first=True)
    q = RNG.standard_normal((N, L, E))
    kv = RNG.standard_normal((N, S, E))
    _, w = run_both(kwargs, q, kv, kv, mode="kv", average_attn_weights=average)
    assert w.shape == ((N, L, S) if average else (N, H, L, S))
    np.testing.assert_allclose(w.numpy().sum(-1), 1.0, rtol=1e-12)  # CL-186


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched_input(need_weights):
    kwargs = dict(embed_dim=E, num_heads=H)
    mask3 = np.zeros((H, L, S), dtype=bool)
    mask3[0, :, -1] = True
    kpm = np.array([False, False, False, True, False])
    out, _ = run_both(
        kwargs,
        RNG.standard_normal((L, E)),
        RNG.standard_normal((S, E)),
        RNG.standard_normal((S, E)),
        need_weights=need_weights,
        attn_mask=mask3,
        key_padding_mask=kpm,
        average_attn_weights=False,
    )
    assert out.shape == (L, E)


# ---------------------------------------------------------------------- masks
def _bool_attn_mask(shape):
    m = RNG.random(shape) < 0.4
    m[..., 0] = False  # every query keeps at least one key (no fully masked rows)
    return m


def _kpm_bool():
    m = np.zeros((N, S), dtype=bool)
    m[0, -2:] = True
    m[2, 1] = True
    return m


MASK_CASES = [
    ("attn_bool_2d", lambda: dict(attn_mask=_bool_attn_mask((L, S)))),
    ("attn_float_2d", lambda: dict(attn_mask=RNG.standard_normal((L, S)))),
    ("attn_bool_3d", lambda: dict(attn_mask=_bool_attn_mask((N * H, L, S)))),
    ("attn_float_3d", lambda: dict(attn_mask=RNG.standard_normal((N * H, L, S)))),
    ("kpm_bool", lambda: dict(key_padding_mask=_kpm_bool())),
    ("kpm_float", lambda: dict(key_padding_mask=RNG.standard_normal((N, S)))),
    (
        "attn_bool_kpm_bool",
        lambda: dict(attn_mask=_bool_attn_mask((L, S)), key_padding_mask=_kpm_bool()),
    ),
    (
        "attn_float_kpm_bool",
        lambda: dict(attn_mask=RNG.standard_normal((L, S)), key_padding_mask=_kpm_bool()),
    ),
]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("name,make", MASK_CASES, ids=[c[0] for c in MASK_CASES])
def test_mha_masks_match_torch(name, make, need_weights, dtype):
    masks = make()
    run_both(
        dict(embed_dim=E, num_heads=H),
        seq_first(L),
        seq_first(S),
        seq_first(S),
        dtype,
        need_weights=need_weights,
        **masks,
    )


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal_hint_matches_torch(need_weights):
    causal = np.triu(np.ones((L, L), dtype=bool), 1)
    run_both(
        dict(embed_dim=E, num_heads=H),
        seq_first(L),
        None,
        None,
        mode="self",
        attn_mask=causal,
        is_causal=True,
        need_weights=need_weights,
    )


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal_without_mask_builds_the_causal_mask(need_weights):
    """torch insists on the mask with is_causal; glassml builds it (same result)."""
    x = RNG.standard_normal((N, L, E))
    mha = MultiheadAttention(E, H, batch_first=True).double()
    causal = np.triu(np.ones((L, L), dtype=bool), 1)
    out_a, _ = mha(tensor(x), tensor(x), tensor(x), is_causal=True, need_weights=need_weights)
    out_b, _ = mha(tensor(x), tensor(x), tensor(x), attn_mask=tensor(causal))
    np.testing.assert_allclose(out_a.numpy(), out_b.numpy(), rtol=1e-12)
    # changing a later step leaves the earlier outputs unchanged (CL-191)
    x2 = x.copy()
    x2[:, -1] += 5.0
    out_c, _ = mha(tensor(x2), tensor(x2), tensor(x2), is_causal=True)
    np.testing.assert_allclose(out_c.numpy()[:, :-1], out_a.numpy()[:, :-1], rtol=1e-12)
    assert not np.allclose(out_c.numpy()[:, -1], out_a.numpy()[:, -1])


def test_mha_dropout_on_weights_in_training_only():
    mha = MultiheadAttention(
        E, H, dropout=0.5, batch_first=True, generator=np.random.default_rng(0)
    )
    x = tensor(RNG.standard_normal((2, 6, E)).astype(np.float32))
    _, w_train = mha(x, x, x, average_attn_weights=False)
    dropped = w_train.numpy() == 0
    assert 0.3 < dropped.mean() < 0.7
    mha.eval()
    _, w_eval = mha(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(w_eval.numpy().sum(-1), 1.0, rtol=1e-5)
    kept = w_train.numpy()[~dropped]
    np.testing.assert_allclose(kept, 2 * w_eval.numpy()[~dropped], rtol=1e-5)


def test_mha_init_like_torch():
    mha = MultiheadAttention(64, 4, add_bias_kv=True, generator=np.random.default_rng(0))
    bound = np.sqrt(6 / (64 + 192))  # xavier_uniform on (3E, E)
    w = mha.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not mha.in_proj_bias.numpy().any() and not mha.out_proj.bias.numpy().any()
    assert mha.bias_k.shape == (1, 1, 64) and mha.bias_k.numpy().std() > 0
    x = tensor(np.zeros((3, 2, 64), dtype=np.float32))
    assert mha(x, x, x)[0].dtype == np.float32


def test_mha_bad_inputs():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="dropout"):
        MultiheadAttention(8, 2, dropout=2.0)
    mha = MultiheadAttention(8, 2)
    x = tensor(np.zeros((4, 2, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="query must have last dim 8"):
        mha(tensor(np.zeros((4, 2, 6), dtype=np.float32)), x, x)
    with pytest.raises(ValueError, match=r"attn_mask must have shape \(4, 4\)"):
        mha(x, x, x, attn_mask=tensor(np.zeros((4, 5), dtype=bool)))
    with pytest.raises(ValueError, match=r"key_padding_mask must have shape \(2, 4\)"):
        mha(x, x, x, key_padding_mask=tensor(np.zeros((4, 2), dtype=bool)))
    with pytest.raises(ValueError, match="3-D attn_mask"):
        mha(x, x, x, attn_mask=tensor(np.zeros((2, 4, 4), dtype=bool)))
    with pytest.raises(TypeError, match="attn_mask must be a bool or floating-point"):
        mha(x, x, x, attn_mask=np.zeros((4, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="query must be a glassml Tensor"):
        mha(np.zeros((4, 2, 8)), x, x)


def test_attention_with_weights_matches_fused_op_and_torch():
    from glassml.autograd.fused import scaled_dot_product_attention
    from glassml.nn.attention import attention_with_weights

    q, k, v = (RNG.standard_normal(s) for s in ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)))
    allowed = RNG.random((4, 6)) < 0.7
    allowed[:, 0] = True
    ts = [tensor(a, requires_grad=True) for a in (q, k, v)]
    out, w = attention_with_weights(*ts, attn_mask=allowed)
    fused = scaled_dot_product_attention(*(tensor(a) for a in (q, k, v)), attn_mask=allowed)
    np.testing.assert_allclose(out.numpy(), fused.numpy(), rtol=1e-12, atol=1e-13)
    rs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    scores = rs[0] @ rs[1].transpose(-1, -2) / np.sqrt(8)
    w_r = torch.softmax(scores.masked_fill(~torch.from_numpy(allowed), -torch.inf), -1)
    out_r = w_r @ rs[2]
    g, gw = RNG.standard_normal(out.shape), RNG.standard_normal(w.shape)
    ((out * tensor(g)).sum() + (w * tensor(gw)).sum()).backward()
    ((out_r * torch.from_numpy(g)).sum() + (w_r * torch.from_numpy(gw)).sum()).backward()
    np.testing.assert_allclose(w.numpy(), w_r.detach().numpy(), rtol=1e-12, atol=1e-13)
    assert np.all(w.numpy()[..., ~allowed] == 0)  # masked keys get weight exactly 0 (E-27)
    for a, b in zip(ts, rs, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="do not fit"):
        attention_with_weights(ts[0], ts[1][..., :4], ts[2])
