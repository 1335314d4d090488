"""Fused-op behaviour beyond the table: float32 end to end, indices, one-hot, higher-order
gradients through a conv critic (WGAN-GP), and the create_graph guard.

Inventory: AG-08, AG-15, GN-06 (WGAN-GP gradient penalty), CN-02, LS-13, E-21.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F


def test_float32_stays_float32_with_numpy_float64_scalars():
    x = ag.randn(4, 6, requires_grad=True)
    w = ag.randn(3, 6, requires_grad=True)
    h = F.leaky_relu(F.linear(x, w), np.float64(0.2))
    h = F.elu(h, alpha=np.float64(1.5))
    h = F.softplus(h, beta=np.float64(2.0))
    h = F.layer_norm(h, (3,), eps=np.float64(1e-5))
    loss = F.cross_entropy(h, ag.tensor([0, 1, 2, 0]), label_smoothing=np.float64(0.1))
    assert h.dtype == np.float32 and loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "shape"),
    [
        ({"kernel_size": 2}, (2, 3, 6, 6)),
        ({"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, (1, 2, 7, 8)),
        ({"kernel_size": (2, 3), "dilation": (2, 1)}, (1, 2, 7, 7)),
    ],
)
def test_max_pool2d_return_indices_match_torch(kwargs, shape):
    x = np.random.default_rng(0).integers(0, 3, size=shape).astype(np.float64)  # many ties
    out, idx = F.max_pool2d(ag.tensor(x), return_indices=True, **kwargs)
    tout, tidx = TF.max_pool2d(torch.from_numpy(x), return_indices=True, **kwargs)
    np.testing.assert_array_equal(out.numpy(), tout.numpy())
    np.testing.assert_array_equal(idx.numpy(), tidx.numpy())
    assert idx.dtype == np.int64


def test_one_hot_matches_torch():
    idx = np.random.default_rng(0).integers(0, 6, size=(3, 4))
    np.testing.assert_array_equal(
        F.one_hot(ag.tensor(idx)).numpy(), TF.one_hot(torch.from_numpy(idx)).numpy()
    )
    np.testing.assert_array_equal(
        F.one_hot(ag.tensor(idx), 9).numpy(), TF.one_hot(torch.from_numpy(idx), 9).numpy()
    )
    assert not F.one_hot(ag.tensor(idx)).requires_grad


def test_embedding_max_norm_renormalises_weight_like_torch():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((6, 4)) * 3
    idx = np.array([[0, 2], [2, 5]])
    ours, theirs = ag.tensor(w.copy()), torch.from_numpy(w.copy())
    y = F.embedding(ag.tensor(idx), ours, max_norm=1.5)
    ty = TF.embedding(torch.from_numpy(idx), theirs, max_norm=1.5)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_embedding_backward_accumulates_repeated_rows_without_one_hot():
    idx = np.array([1, 1, 1, 3, 0, 1])
    g = np.arange(12.0).reshape(6, 2)
    w = ag.tensor(np.zeros((5, 2)), requires_grad=True)
    F.embedding(ag.tensor(idx), w).backward(g)
    expected = np.zeros((5, 2))
    np.add.at(expected, idx, g)
    np.testing.assert_array_equal(w.grad.numpy(), expected)


@pytest.mark.parametrize("stride1", [False, True])
def test_wgan_gp_gradient_penalty_through_conv_critic_matches_torch(stride1):
    """GP = mean((||dD/dx||_2 - 1)^2): needs grad of grad through conv2d, leaky_relu, linear."""
    rng = np.random.default_rng(0)
    stride = 1 if stride1 else 2
    x = rng.standard_normal((3, 2, 6, 6))
    w1, b1 = rng.standard_normal((4, 2, 3, 3)) * 0.5, rng.standard_normal(4)
    hw = 6 if stride1 else 3
    w2, b2 = rng.standard_normal((1, 4 * hw * hw)) * 0.3, rng.standard_normal(1)

    def crit_ours(*a):
        h = F.leaky_relu(F.conv2d(a[0], a[1], a[2], stride=stride, padding=1), 0.2)
        return F.linear(h.reshape(a[0].shape[0], -1), a[3], a[4])

    def crit_torch(*a):
        h = TF.leaky_relu(TF.conv2d(a[0], a[1], a[2], stride=stride, padding=1), 0.2)
        return TF.linear(h.reshape(a[0].shape[0], -1), a[3], a[4])

    ours = [ag.tensor(a, requires_grad=True) for a in (x, w1, b1, w2, b2)]
    theirs = [torch.from_numpy(a).requires_grad_() for a in (x, w1, b1, w2, b2)]
    d = crit_ours(*ours)
    td = crit_torch(*theirs)
    (gx,) = ag.grad(d, [ours[0]], np.ones(d.shape), create_graph=True)
    (tgx,) = torch.autograd.grad(td, [theirs[0]], torch.ones_like(td), create_graph=True)
    np.testing.assert_allclose(gx.numpy(), tgx.detach().numpy(), rtol=1e-10, atol=1e-12)
    norms = (gx.reshape(3, -1) ** 2).sum(1).sqrt()
    gp = ((norms - 1.0) ** 2).mean()
    tgp = ((tgx.reshape(3, -1).norm(dim=1) - 1) ** 2).mean()
    gp.backward()
    tgp.backward()
    np.testing.assert_allclose(gp.item(), tgp.item(), rtol=1e-10)
    for o, t in zip(ours[:4], theirs[:4], strict=True):
        # b1 reaches the penalty only through leaky_relu's piecewise-constant slope: gradient 0
        got = np.zeros(o.shape) if o.grad is None else o.grad.numpy()
        expected = np.zeros(o.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10)
    assert np.abs(ours[1].grad.numpy()).max() > 1e-3  # the conv weight does get a penalty gradient


def test_create_graph_without_backward_graph_raises_clearly():
    class Cube(ag.Function):  # a user op with a backward but no backward_graph
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a**3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * a * a * g

    x = ag.randn(3, 4, dtype="float64", requires_grad=True)
    y = Cube.apply(x)
    with pytest.raises(RuntimeError, match="Cube does not support create_graph=True"):
        ag.grad(y, [x], np.ones(y.shape), create_graph=True)


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    """Inventory E-21: with mean reduction dL/dz = (softmax(z) - onehot(t)) / N."""
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    t = np.array([1, 2])
    zt = ag.tensor(z, requires_grad=True)
    F.cross_entropy(zt, ag.tensor(t)).backward()
    p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    p[np.arange(2), t] -= 1
    np.testing.assert_allclose(zt.grad.numpy(), p / 2, rtol=1e-12)


def test_cross_entropy_stable_for_huge_logits():
    z = ag.tensor(np.array([[1e4, 0.0, -1e4]]), requires_grad=True)
    loss = F.cross_entropy(z, ag.tensor([2]))
    assert loss.item() == pytest.approx(2e4)
    loss.backward()
    np.testing.assert_allclose(z.grad.numpy(), [[1.0, 0.0, -1.0]], atol=1e-12)


def test_conv2d_stride1_fast_path_matches_im2col_path_float32():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 9, 8)).astype(np.float32)
    w = rng.standard_normal((6, 5, 3, 3)).astype(np.float32)
    tx, tw = torch.from_numpy(x).requires_grad_(), torch.from_numpy(w).requires_grad_()
    ours_x, ours_w = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    y = F.conv2d(ours_x, ours_w, padding=1, dilation=(1, 2))
    ty = TF.conv2d(tx, tw, padding=1, dilation=(1, 2))
    g = rng.standard_normal(y.shape).astype(np.float32)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours_x.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(ours_w.grad.numpy(), tw.grad.numpy(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 3, "stride": 1},
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    ],
)
def test_max_pool2d_nan_propagates_and_routes_like_torch(kwargs):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, size=(2, 3, 7, 6)).astype(np.float64)
    x[rng.random(x.shape) < 0.05] = np.nan
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.from_numpy(x).requires_grad_()
    y = F.max_pool2d(ours, **kwargs)
    ty = TF.max_pool2d(theirs, **kwargs)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())  # NaN positions equal too
    # same routing; overlapping windows may sum in a different order (ulp-level differences)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-14)
