"""Dropout statistics, reproducibility and gradients; attention dropout.

Inventory: RG-04, AG-09, SQ-09.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassml.autograd as ag
import glassml.autograd.fused as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_drops_fraction_p_and_rescales(p):
    x = ag.ones(200_000)
    y = F.dropout(x, p, generator=np.random.default_rng(0)).numpy()
    assert y.dtype == np.float32
    zero_fraction = np.mean(y == 0)
    assert abs(zero_fraction - p) < 4 * np.sqrt(p * (1 - p) / y.size)
    np.testing.assert_allclose(np.unique(y[y != 0]), [1 / (1 - p)], rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02  # inverted dropout keeps the expectation


def test_dropout_backward_uses_the_forward_mask():
    x = ag.randn(50, 40, requires_grad=True)
    y = F.dropout(x, 0.3, generator=np.random.default_rng(3))
    g = np.random.default_rng(4).standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    mask = y.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(mask, g / 0.7, 0.0), rtol=1e-6)


def test_dropout_generator_reproducible_and_manual_seed():
    x = ag.randn(30, 30)
    a = F.dropout(x, 0.5, generator=np.random.default_rng(7)).numpy()
    b = F.dropout(x, 0.5, generator=np.random.default_rng(7)).numpy()
    np.testing.assert_array_equal(a, b)
    ag.manual_seed(11)
    c = F.dropout(x, 0.5).numpy()
    ag.manual_seed(11)
    d = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(c, d)
    assert not np.array_equal(a, c) or not np.array_equal(a, F.dropout(x, 0.5).numpy())


def test_dropout_eval_and_edge_probabilities():
    x = ag.randn(4, 5)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).numpy(), 0.0)
    with pytest.raises(
        ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"
    ):
        F.dropout(x, 1.5)


def test_dropout2d_zeroes_whole_channels():
    x = ag.ones(8, 16, 5, 5)
    y = F.dropout2d(x, 0.5, generator=np.random.default_rng(0)).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2))
    assert 0.3 < np.mean(per_channel[:, :, 0] == 0) < 0.7


def test_alpha_dropout_keeps_zero_mean_unit_variance():
    x = ag.tensor(np.random.default_rng(0).standard_normal(400_000))
    y = F.alpha_dropout(x, 0.2, training=True, generator=np.random.default_rng(1)).numpy()
    assert abs(y.mean()) < 0.01
    assert abs(y.std() - 1.0) < 0.01


def test_sdpa_dropout_matches_explicit_formula_with_same_mask():
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal(s) for s in [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)])
    p = 0.4
    out = F.scaled_dot_product_attention(
        ag.tensor(q), ag.tensor(k), ag.tensor(v), dropout_p=p, generator=np.random.default_rng(9)
    )
    keep = np.random.default_rng(9).random((2, 3, 4, 6)) >= p
    tq, tk, tv = (torch.from_numpy(a) for a in (q, k, v))
    weights = torch.softmax(tq @ tk.transpose(-1, -2) / np.sqrt(5), dim=-1)
    expected = (weights * torch.from_numpy(keep) / (1 - p)) @ tv
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)


def test_sdpa_dropout_gradcheck_with_fixed_mask():
    rng = np.random.default_rng(1)
    q, k, v = (
        ag.tensor(rng.standard_normal(s), requires_grad=True)
        for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3)]
    )

    def fn(a, b, c):
        return F.scaled_dot_product_attention(
            a, b, c, dropout_p=0.3, generator=np.random.default_rng(5)
        )

    assert ag.gradcheck(fn, (q, k, v), atol=1e-6, rtol=1e-5)


def test_dropout_gradcheck_with_fixed_mask():
    x = ag.tensor(np.random.default_rng(2).standard_normal((6, 5)), requires_grad=True)

    def fn(a):
        return F.dropout(a, 0.4, generator=np.random.default_rng(8))

    assert ag.gradcheck(fn, (x,), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_second_order(dtype):
    """create_graph=True through dropout: y = dropout(x²) gives dy/dx = 2x·m/(1-p) as a graph,
    and d/dx <dy/dx, w> = 2 w m/(1-p) with the SAME mask m as the forward."""
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.uniform(0.5, 2.0, (6, 7)).astype(dtype), requires_grad=True)
    upstream = rng.standard_normal((6, 7)).astype(dtype)
    w = rng.standard_normal((6, 7)).astype(dtype)
    y = F.dropout(x * x, 0.4, generator=np.random.default_rng(3))
    scale = y.numpy() / (x.numpy() ** 2)  # m / (1 - p): 0 or 1 / 0.6
    kept = scale > 0
    assert kept.any() and (~kept).any()
    np.testing.assert_allclose(scale[kept], 1 / 0.6, rtol=1e-5)
    (gx,) = ag.grad(y, [x], upstream, create_graph=True)
    np.testing.assert_allclose(gx.numpy(), upstream * scale * 2 * x.numpy(), rtol=1e-5)
    (ggx,) = ag.grad((gx * ag.tensor(w)).sum(), [x])
    np.testing.assert_allclose(ggx.numpy(), 2 * w * upstream * scale, rtol=1e-5)
