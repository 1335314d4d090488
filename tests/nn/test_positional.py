"""Positional encodings: sinusoidal (TR-03), learned (TR-04) and rotary (RoPE, both pair
layouts) against independent implementations (torch, complex numbers) and their properties."""

import math

import numpy as np
import pytest
import torch

from glassml.autograd import gradcheck, tensor
from glassml.nn.positional import (
    LearnedPositionalEmbedding,
    RotaryEmbedding,
    SinusoidalPositionalEncoding,
    apply_rotary,
    rotary_cos_sin,
    rotate_pairs,
    sinusoidal_table,
)

RNG = np.random.default_rng(2)


def torch_tutorial_pe(max_len, d_model):
    """The PyTorch tutorial's PositionalEncoding table (exp/log form of 1/10000^(2i/d))."""
    position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
    div_term = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model)
    )
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    return pe.numpy()


def test_sinusoidal_table_matches_tutorial_formula():
    np.testing.assert_allclose(sinusoidal_table(50, 16), torch_tutorial_pe(50, 16), atol=1e-12)


def test_sinusoidal_table_odd_width_follows_the_formula():
    table = sinusoidal_table(7, 5)
    for pos in range(7):
        for j in range(5):
            angle = pos / 10000 ** ((j - j % 2) / 5)
            expected = math.sin(angle) if j % 2 == 0 else math.cos(angle)
            assert table[pos, j] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("batch_first", [True, False])
def test_sinusoidal_module_adds_the_table_with_offset(batch_first):
    pe = SinusoidalPositionalEncoding(8, max_len=6, batch_first=batch_first).double()
    x = RNG.standard_normal((2, 5, 8) if batch_first else (5, 2, 8))
    xt = tensor(x, requires_grad=True)
    out = pe(xt, offset=3)  # positions 3..7: beyond max_len, the table grows
    table = torch_tutorial_pe(8, 8)[3:8]
    expected = x + (table[None] if batch_first else table[:, None])
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-12)
    g = RNG.standard_normal(out.shape)
    out.backward(tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), g)  # d(x + PE)/dx = I
    assert list(pe.state_dict()) == []  # the table is a formula, not saved


def test_sinusoidal_dropout_train_and_eval():
    pe = SinusoidalPositionalEncoding(16, dropout=0.5, generator=np.random.default_rng(0))
    x = np.ones((4, 10, 16), dtype=np.float32)
    clean = x + sinusoidal_table(10, 16).astype(np.float32)
    out = pe(tensor(x)).numpy()
    dropped = out == 0
    assert 0.3 < dropped.mean() < 0.7
    np.testing.assert_allclose(out[~dropped], 2 * np.broadcast_to(clean, out.shape)[~dropped])
    np.testing.assert_allclose(pe.eval()(tensor(x)).numpy(), np.broadcast_to(clean, x.shape))


def test_learned_positional_matches_torch_embedding():
    ours = LearnedPositionalEmbedding(12, 6).double()
    ref = torch.nn.Embedding(12, 6).double()
    ref.load_state_dict({"weight": torch.from_numpy(ours.weight.numpy().copy())})
    x = RNG.standard_normal((3, 4, 6))
    xt, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(xt, offset=5)
    out_ref = xr + ref(torch.arange(5, 9))
    np.testing.assert_allclose(out.numpy(), out_ref.detach().numpy(), rtol=1e-12)
    g = RNG.standard_normal(out.shape)
    out.backward(tensor(g))
    out_ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy())


def test_learned_positional_init_and_context_limit():
    emb = LearnedPositionalEmbedding(4000, 64, generator=np.random.default_rng(0))
    assert abs(emb.weight.numpy().std() - 0.02) < 1e-3
    with pytest.raises(ValueError, match="num_positions=4000"):
        emb(tensor(np.zeros((1, 10, 64), dtype=np.float32)), offset=3995)


# ---------------------------------------------------------------------- rotary
def rope_complex(x, positions, base, interleaved):
    """Reference RoPE: each pair is a complex number multiplied by exp(i * pos * theta_j)."""
    d = x.shape[-1]
    theta = base ** (-np.arange(0, d, 2) / d)  # (d/2,)
    rot = np.exp(1j * positions[:, None] * theta)  # (T, d/2)
    if interleaved:
        z = (x[..., 0::2] + 1j * x[..., 1::2]) * rot
        out = np.empty_like(x)
        out[..., 0::2], out[..., 1::2] = z.real, z.imag
        return out
    z = (x[..., : d // 2] + 1j * x[..., d // 2 :]) * rot
    return np.concatenate([z.real, z.imag], axis=-1)


@pytest.mark.parametrize("interleaved", [False, True])
@pytest.mark.parametrize("base", [10000.0, 100000.0])
def test_rotary_matches_complex_multiplication(interleaved, base):
    x = RNG.standard_normal((2, 3, 7, 8))
    rope = RotaryEmbedding(8, base=base, interleaved=interleaved, dtype=np.float64)
    out = rope(tensor(x), offset=4).numpy()
    np.testing.assert_allclose(
        out, rope_complex(x, np.arange(4, 11), base, interleaved), rtol=1e-12, atol=1e-12
    )


@pytest.mark.parametrize("interleaved", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rotate_pairs_on_arrays_is_the_forward_of_apply_rotary(interleaved, dtype):
    x = RNG.standard_normal((3, 2, 7, 8)).astype(dtype)  # (B, H, T, d_h)
    x_view = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3)  # = x, strided
    assert not x_view.flags.c_contiguous  # as the decoder's (H, T, d_h) head views are
    cos, sin = rotary_cos_sin(np.arange(5, 12), 8, 500.0, interleaved, dtype)
    out = rotate_pairs(x_view, cos, sin, interleaved)
    assert out.dtype == dtype and out.shape == x.shape
    np.testing.assert_array_equal(out, apply_rotary(tensor(x), cos, sin, interleaved).numpy())
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    ref = rope_complex(x.astype(np.float64), np.arange(5, 12), 500.0, interleaved)
    np.testing.assert_allclose(out, ref, **tol)


def test_rotary_hf_layout_matches_rotate_half_in_torch_with_gradients():
    x = RNG.standard_normal((2, 4, 6, 16))
    cos, sin = rotary_cos_sin(np.arange(6), 16, base=100000.0, dtype=np.float64)
    xt = tensor(x, requires_grad=True)
    out = apply_rotary(xt, cos, sin)
    xr = torch.tensor(x, requires_grad=True)

    def rotate_half(t):  # transformers' Llama helper
        return torch.cat((-t[..., 8:], t[..., :8]), dim=-1)

    out_ref = xr * torch.from_numpy(cos) + rotate_half(xr) * torch.from_numpy(sin)
    np.testing.assert_allclose(out.numpy(), out_ref.detach().numpy(), rtol=1e-12, atol=1e-13)
    g = RNG.standard_normal(out.shape)
    out.backward(tensor(g))
    out_ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("interleaved", [False, True])
def test_rotary_gradcheck_and_norm_preservation(interleaved):
    cos, sin = rotary_cos_sin(5, 6, interleaved=interleaved, dtype=np.float64)
    x = tensor(RNG.standard_normal((3, 5, 6)), requires_grad=True)
    assert gradcheck(lambda a: apply_rotary(a, cos, sin, interleaved), (x,))
    out = apply_rotary(x, cos, sin, interleaved).numpy()
    np.testing.assert_allclose(
        np.linalg.norm(out, axis=-1), np.linalg.norm(x.numpy(), axis=-1), rtol=1e-12
    )


@pytest.mark.parametrize("interleaved", [False, True])
def test_rotary_scores_depend_only_on_relative_position(interleaved):
    rope = RotaryEmbedding(16, interleaved=interleaved, dtype=np.float64)
    q, k = RNG.standard_normal(16), RNG.standard_normal(16)

    def score(m, n):
        qm = rope(tensor(q[None]), positions=[m]).numpy()[0]
        kn = rope(tensor(k[None]), positions=[n]).numpy()[0]
        return qm @ kn

    for delta in (0, 3, -5):
        scores = [score(m, m - delta) for m in (7, 20, 113)]
        np.testing.assert_allclose(scores, scores[0], rtol=1e-10)
    assert abs(score(10, 7) - score(10, 2)) > 1e-6  # but it does depend on the offset


def test_rotary_offset_equals_suffix_of_full_sequence():
    rope = RotaryEmbedding(8, max_position_embeddings=4, dtype=np.float64)
    x = RNG.standard_normal((2, 9, 8))
    full = rope(tensor(x)).numpy()  # grows the table past max_position_embeddings
    tail = rope(tensor(x[:, 6:]), offset=6).numpy()
    np.testing.assert_allclose(tail, full[:, 6:], rtol=1e-12)


def test_positional_bad_inputs():
    with pytest.raises(ValueError, match="head_dim must be even"):
        RotaryEmbedding(7)
    with pytest.raises(ValueError, match="offset"):
        RotaryEmbedding(8)(tensor(np.zeros((3, 8), dtype=np.float32)), offset=-1)
    with pytest.raises(ValueError, match=r"expected input \(\.\.\., T, 8\)"):
        RotaryEmbedding(8)(tensor(np.zeros((3, 6), dtype=np.float32)))
    with pytest.raises(ValueError, match="d_model"):
        SinusoidalPositionalEncoding(0)
    with pytest.raises(ValueError, match="dropout"):
        SinusoidalPositionalEncoding(8, dropout=1.5)
    with pytest.raises(ValueError, match=r"expected input \(B, T, 8\)"):
        SinusoidalPositionalEncoding(8)(tensor(np.zeros((2, 3, 4), dtype=np.float32)))
    with pytest.raises(ValueError, match="cos and sin"):
        apply_rotary(tensor(np.zeros((3, 8))), np.zeros((3, 8)), np.zeros((3, 4)))
