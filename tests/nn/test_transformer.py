"""Transformer layers and stacks against torch.nn (TransformerEncoderLayer/DecoderLayer,
TransformerEncoder/Decoder, Transformer): pre- and post-norm, relu/gelu/callable, masks,
outputs and gradients of every parameter and input with random upstream gradients, and one
optimizer step."""

import numpy as np
import pytest
import torch

import glassml.nn.functional as F
from glassml import nn as gnn
from glassml.autograd import tensor
from glassml.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
    generate_square_subsequent_mask,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

RNG = np.random.default_rng(4)
D, NH, FF, N, T, S = 8, 2, 16, 3, 4, 5


def _tol(dtype):
    return dict(rtol=1e-9, atol=1e-10) if dtype == np.float64 else dict(rtol=3e-4, atol=3e-5)


def _perturb(ours, rng):
    """Random non-trivial values for every parameter (LayerNorm 1/0, zero biases hide bugs)."""
    for p in ours.parameters():
        p.data[...] = rng.standard_normal(p.shape) * 0.5


def _mask(m, dtype, lib):
    if m is None:
        return None
    m = m.astype(dtype) if m.dtype.kind == "f" else m
    return tensor(m) if lib == "ours" else torch.from_numpy(m)


def compare(ours, ref, inputs, masks=None, flags=None, dtype=np.float64, seed=0):
    """Same weights -> same output, input gradients and parameter gradients."""
    tol = _tol(dtype)
    rng = np.random.default_rng(seed)
    masks, flags = masks or {}, flags or {}
    assert list(ours.state_dict()) == list(ref.state_dict())
    _perturb(ours, rng)
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    xs = [tensor(np.asarray(x, dtype=dtype), requires_grad=True) for x in inputs]
    xr = [torch.tensor(np.asarray(x, dtype=dtype), requires_grad=True) for x in inputs]
    out = ours(*xs, **{k: _mask(m, dtype, "ours") for k, m in masks.items()}, **flags)
    out_r = ref(*xr, **{k: _mask(m, dtype, "torch") for k, m in masks.items()}, **flags)
    np.testing.assert_allclose(out.numpy(), out_r.detach().numpy(), **tol)
    g = rng.standard_normal(out.shape).astype(dtype)
    out.backward(tensor(g))
    out_r.backward(torch.from_numpy(g))
    for a, b in zip(xs, xr, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), **tol, err_msg=name
        )
    return out


def _layer_kwargs(norm_first, activation, batch_first, bias=True):
    return dict(
        d_model=D,
        nhead=NH,
        dim_feedforward=FF,
        dropout=0.0,
        activation=activation,
        batch_first=batch_first,
        norm_first=norm_first,
        bias=bias,
    )


def _seq(length, batch_first, n=N):
    return RNG.standard_normal((n, length, D) if batch_first else (length, n, D))


def _kpm(length, n=N):
    m = np.zeros((n, length), dtype=bool)
    m[0, -1] = True
    m[-1, 1:3] = True
    return m


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(batch_first, activation, norm_first, dtype):
    kw = _layer_kwargs(norm_first, activation, batch_first)
    causal = np.triu(np.ones((T, T), dtype=bool), 1)
    compare(
        TransformerEncoderLayer(**kw),
        torch.nn.TransformerEncoderLayer(**kw),
        [_seq(T, batch_first)],
        masks=dict(src_mask=causal, src_key_padding_mask=_kpm(T)),
        dtype=dtype,
    )


@pytest.mark.parametrize("mask_kind", ["none", "float", "causal_flag", "no_bias"])
def test_encoder_layer_mask_kinds(mask_kind):
    kw = _layer_kwargs(False, "relu", True, bias=mask_kind != "no_bias")
    masks, flags = {}, {}
    if mask_kind == "float":
        masks = dict(src_mask=RNG.standard_normal((T, T)), src_key_padding_mask=_kpm(T))
    elif mask_kind == "causal_flag":
        masks = dict(src_mask=generate_square_subsequent_mask(T, np.float64).numpy())
        flags = dict(is_causal=True)
    compare(
        TransformerEncoderLayer(**kw),
        torch.nn.TransformerEncoderLayer(**kw),
        [_seq(T, True)],
        masks=masks,
        flags=flags,
    )


def test_encoder_layer_callable_activation():
    kw = _layer_kwargs(True, "relu", True)
    ours = TransformerEncoderLayer(**{**kw, "activation": F.silu})
    ref = torch.nn.TransformerEncoderLayer(**{**kw, "activation": torch.nn.functional.silu})
    compare(ours, ref, [_seq(T, True)])
    ours_mod = TransformerEncoderLayer(**{**kw, "activation": gnn.Tanh()})
    ref_mod = torch.nn.TransformerEncoderLayer(**{**kw, "activation": torch.nn.Tanh()})
    compare(ours_mod, ref_mod, [_seq(T, True)])


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_matches_torch(batch_first, activation, norm_first, dtype):
    kw = _layer_kwargs(norm_first, activation, batch_first)
    tgt_mask = generate_square_subsequent_mask(T, np.float64).numpy()
    memory_mask = np.zeros((T, S), dtype=bool)
    memory_mask[0, 2] = True
    compare(
        TransformerDecoderLayer(**kw),
        torch.nn.TransformerDecoderLayer(**kw),
        [_seq(T, batch_first), _seq(S, batch_first)],
        masks=dict(
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=_kpm(T),
            memory_key_padding_mask=_kpm(S),
        ),
        flags=dict(tgt_is_causal=True),
        dtype=dtype,
    )


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_stacks_with_final_norm(norm_first):
    kw = _layer_kwargs(norm_first, "gelu", True)
    enc = TransformerEncoder(TransformerEncoderLayer(**kw), 3, norm=gnn.LayerNorm(D))
    enc_ref = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(**kw),
        3,
        norm=torch.nn.LayerNorm(D),
        enable_nested_tensor=False,
    )
    compare(enc, enc_ref, [_seq(T, True)], masks=dict(src_key_padding_mask=_kpm(T)))
    dec = TransformerDecoder(TransformerDecoderLayer(**kw), 2, norm=gnn.LayerNorm(D))
    dec_ref = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(**kw), 2, norm=torch.nn.LayerNorm(D)
    )
    causal = generate_square_subsequent_mask(T, np.float64).numpy()
    compare(dec, dec_ref, [_seq(T, True), _seq(S, True)], masks=dict(tgt_mask=causal))


def test_stack_layers_are_independent_copies():
    enc = TransformerEncoder(TransformerEncoderLayer(D, NH, FF), 2)
    w0, w1 = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert w0 is not w1 and np.array_equal(w0.numpy(), w1.numpy())  # torch clones too
    w0.data[...] += 1.0
    assert not np.array_equal(w0.numpy(), w1.numpy())
    assert len(list(enc.parameters())) == 2 * len(list(enc.layers[0].parameters()))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_first", [False, True])
def test_full_transformer_matches_torch(norm_first, dtype):
    kw = dict(
        d_model=D,
        nhead=NH,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=FF,
        dropout=0.0,
        batch_first=True,
        norm_first=norm_first,
    )
    ours, ref = Transformer(**kw), torch.nn.Transformer(**kw)
    tgt_mask = Transformer.generate_square_subsequent_mask(T).numpy()
    np.testing.assert_array_equal(
        tgt_mask, torch.nn.Transformer.generate_square_subsequent_mask(T).numpy()
    )
    compare(
        ours,
        ref,
        [_seq(S, True), _seq(T, True)],
        masks=dict(
            tgt_mask=tgt_mask.astype(np.float64),
            src_key_padding_mask=_kpm(S),
            memory_key_padding_mask=_kpm(S),
            tgt_key_padding_mask=_kpm(T),
        ),
        dtype=dtype,
    )


def test_transformer_init_is_xavier_and_one_adam_step_matches_torch():
    from glassml.optim import Adam

    kw = dict(
        d_model=D,
        nhead=NH,
        num_encoder_layers=1,
        num_decoder_layers=1,
        dim_feedforward=FF,
        dropout=0.0,
    )
    ours = Transformer(**kw, generator=np.random.default_rng(0)).double()
    w = ours.encoder.layers[0].linear1.weight.numpy()
    bound = np.sqrt(6 / (D + FF))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    ref = torch.nn.Transformer(**kw).double()
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    src, tgt = _seq(S, False), _seq(T, False)
    target = RNG.standard_normal((T, N, D))
    mask = Transformer.generate_square_subsequent_mask(T, dtype=np.float64)
    opt, opt_r = Adam(ours.parameters(), lr=1e-2), torch.optim.Adam(ref.parameters(), lr=1e-2)
    for _ in range(2):
        opt.zero_grad()
        opt_r.zero_grad()
        loss = ((ours(tensor(src), tensor(tgt), tgt_mask=mask) - tensor(target)) ** 2).mean()
        loss.backward()
        opt.step()
        out_r = ref(
            torch.from_numpy(src), torch.from_numpy(tgt), tgt_mask=torch.from_numpy(mask.numpy())
        )
        loss_r = ((out_r - torch.from_numpy(target)) ** 2).mean()
        loss_r.backward()
        opt_r.step()
        np.testing.assert_allclose(loss.item(), loss_r.item(), rtol=1e-10)
    ref_state = ref.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(
            v.numpy(), ref_state[k].numpy(), rtol=1e-8, atol=1e-10, err_msg=k
        )


def test_eval_mode_without_dropout_equals_train_mode():
    layer = TransformerEncoderLayer(D, NH, FF, dropout=0.3, batch_first=True)
    x = tensor(_seq(T, True).astype(np.float32))
    layer.eval()
    a = layer(x).numpy()
    b = layer(x).numpy()
    np.testing.assert_array_equal(a, b)  # deterministic in eval
    layer.train()
    assert not np.allclose(layer(x).numpy(), a)  # dropout active in training


def test_transformer_bad_inputs():
    with pytest.raises(ValueError, match="divisible by nhead"):
        TransformerEncoderLayer(10, 3)
    with pytest.raises(ValueError, match="activation should be relu/gelu"):
        TransformerEncoderLayer(8, 2, activation="swish")
    with pytest.raises(ValueError, match="dim_feedforward"):
        TransformerDecoderLayer(8, 2, dim_feedforward=0)
    with pytest.raises(ValueError, match="num_layers"):
        TransformerEncoder(TransformerEncoderLayer(8, 2, 16), -1)
    with pytest.raises(ValueError, match="sz must be a positive int"):
        generate_square_subsequent_mask(0)
    model = Transformer(8, 2, 1, 1, 16, batch_first=True)
    x = tensor(np.zeros((2, 3, 8), dtype=np.float32))
    with pytest.raises(ValueError, match="batch number of src and tgt"):
        model(x, tensor(np.zeros((3, 3, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match="d_model"):
        model(x, tensor(np.zeros((2, 3, 6), dtype=np.float32)))
