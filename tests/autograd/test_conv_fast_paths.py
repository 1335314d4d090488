"""The fast paths of a small CNN against PyTorch: stride-1 convs (per-sample im2col and
channels-last paths, incl. the C_in = 1 first layer without input gradient), as the transposed
conv and under create_graph, and the 2x2 max-pool fast path (one-hot masks of the first maximum).

Every case: forward and the gradients of every input with a random upstream gradient, float64
tight and float32 loose; odd sizes, paddings 0 / 1 / 2 / 3, batch 1, ties.
Inventory: CN-01, CN-02, CN-04.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F

TOL = {np.float64: {"rtol": 1e-9, "atol": 1e-10}, np.float32: {"rtol": 1e-4, "atol": 1e-4}}


def _check_against_torch(ours_fn, ref_fn, arrays, needs_grad, dtype, seed=0):
    """Same inputs -> same output and same gradients under one random upstream gradient."""
    arrays = [a.astype(dtype) for a in arrays]
    ours = [ag.tensor(a, requires_grad=r) for a, r in zip(arrays, needs_grad, strict=True)]
    ref = [torch.from_numpy(a).requires_grad_(r) for a, r in zip(arrays, needs_grad, strict=True)]
    y, y_ref = ours_fn(*ours), ref_fn(*ref)
    assert y.dtype == dtype
    np.testing.assert_allclose(y.numpy(), y_ref.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(seed + 1).standard_normal(y_ref.shape).astype(dtype)
    y.backward(g)
    y_ref.backward(torch.from_numpy(g))
    for t, t_ref, r in zip(ours, ref, needs_grad, strict=True):
        if r:
            assert t.grad.dtype == dtype
            np.testing.assert_allclose(t.grad.numpy(), t_ref.grad.numpy(), **TOL[dtype])
        else:
            assert t.grad is None


def _pads(padding):
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    return (ph, ph, pw, pw)


STRIDE1_CASES = [  # (x shape, out channels, padding)
    ((2, 16, 8, 8), 32, 1),
    ((1, 16, 8, 9), 40, 0),  # batch of one, odd width, no padding
    ((3, 17, 7, 6), 8, 2),  # few output channels
    ((2, 8, 6, 7), 12, 3),  # padding wider than the kernel
    ((2, 32, 8, 6), 16, 1),  # C kh kw = 288 taps: the channels-last path
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("x_shape", "c_out", "padding"), STRIDE1_CASES)
def test_stride1_conv2d_matches_torch(x_shape, c_out, padding, dtype):
    rng = np.random.default_rng(0)
    arrays = [
        rng.standard_normal(x_shape),
        rng.standard_normal((c_out, x_shape[1], 3, 3)) * 0.2,
        rng.standard_normal(c_out),
    ]
    _check_against_torch(
        lambda x, w, b: F.conv2d(x, w, b, padding=padding),
        lambda x, w, b: TF.conv2d(x, w, b, padding=padding),
        arrays,
        [True, True, True],
        dtype,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stride1_conv2d_weight_only_and_same_padding(dtype):
    """Input not requiring grad (no dx computed), no bias, padding='same'."""
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((2, 16, 9, 7)), rng.standard_normal((16, 16, 3, 3)) * 0.2]
    _check_against_torch(
        lambda x, w: F.conv2d(x, w, padding="same"),
        lambda x, w: TF.conv2d(x, w, padding="same"),
        arrays,
        [False, True],
        dtype,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("x_hw", "padding"), [((6, 6), 1), ((5, 7), 0), ((4, 3), 2)])
def test_conv_transpose2d_stride1_matches_torch(x_hw, padding, dtype):
    """conv_transpose2d with stride 1 is conv2d's input gradient; its backward runs the stride-1
    forward and weight gradient of conv2d."""
    rng = np.random.default_rng(2)
    arrays = [
        rng.standard_normal((2, 16, *x_hw)),
        rng.standard_normal((16, 32, 3, 3)) * 0.2,
        rng.standard_normal(32),
    ]
    _check_against_torch(
        lambda x, w, b: F.conv_transpose2d(x, w, b, padding=padding),
        lambda x, w, b: TF.conv_transpose2d(x, w, b, padding=padding),
        arrays,
        [True, True, True],
        dtype,
    )


def test_conv_double_backward_matches_torch():
    """create_graph through the per-sample conv: d/dw of <dL/dx, h> (a gradient penalty)."""
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 16, 6, 7)), rng.standard_normal((16, 16, 3, 3)) * 0.2
    g, h = rng.standard_normal((2, 16, 6, 7)), rng.standard_normal((2, 16, 6, 7))
    xo, wo = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    (gx,) = ag.grad(F.conv2d(xo, wo, padding=1), xo, grad_outputs=ag.tensor(g), create_graph=True)
    (gx * ag.tensor(h)).sum().backward()
    xt, wt = (torch.from_numpy(a).requires_grad_() for a in (x, w))
    (gxt,) = torch.autograd.grad(
        TF.conv2d(xt, wt, padding=1), xt, grad_outputs=torch.from_numpy(g), create_graph=True
    )
    (gxt * torch.from_numpy(h)).sum().backward()
    np.testing.assert_allclose(gx.numpy(), gxt.detach().numpy(), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(wo.grad.numpy(), wt.grad.numpy(), rtol=1e-9, atol=1e-10)


def test_per_sample_results_survive_the_next_conv():
    """The output and saved windows never alias the scratch buffers of a later conv."""
    rng = np.random.default_rng(4)
    x1, x2 = (rng.standard_normal((2, 16, 6, 6)).astype(np.float32) for _ in range(2))
    w = (rng.standard_normal((16, 16, 3, 3)) * 0.2).astype(np.float32)
    wo = ag.tensor(w, requires_grad=True)
    y1 = F.conv2d(ag.tensor(x1), wo, padding=1)
    first = y1.numpy().copy()
    F.conv2d(ag.tensor(x2), wo, padding=1)  # overwrites the scratch buffers
    np.testing.assert_array_equal(y1.numpy(), first)
    g = rng.standard_normal(first.shape).astype(np.float32)
    y1.backward(g)
    wt = torch.from_numpy(w).requires_grad_()
    TF.conv2d(torch.from_numpy(x1), wt, padding=1).backward(torch.from_numpy(g))
    np.testing.assert_allclose(wo.grad.numpy(), wt.grad.numpy(), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("x_shape", "padding"), [((4, 1, 28, 28), 1), ((1, 1, 9, 7), 0)])
def test_first_layer_single_channel_conv_matches_torch(x_shape, padding, dtype):
    """conv(1 -> 16) of a small CNN's first layer: the image needs no gradient."""
    rng = np.random.default_rng(6)
    arrays = [
        rng.standard_normal(x_shape),
        rng.standard_normal((16, 1, 3, 3)),
        rng.standard_normal(16),
    ]
    _check_against_torch(
        lambda x, w, b: F.conv2d(x, w, b, padding=padding),
        lambda x, w, b: TF.conv2d(x, w, b, padding=padding),
        arrays,
        [False, True, True],
        dtype,
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(2, 3, 8, 6), (1, 2, 7, 9), (3, 1, 2, 2)])
def test_max_pool2d_2x2_matches_torch(shape, dtype):
    """The 2x2 / stride-2 pool of small CNNs, odd sizes (last row / column dropped), and ties
    (the gradient goes to the first maximum in window scan order)."""
    rng = np.random.default_rng(7)
    ties = rng.integers(0, 3, size=shape).astype(np.float64)
    for x in (rng.standard_normal(shape), ties):
        _check_against_torch(
            lambda a: F.max_pool2d(a, 2), lambda a: TF.max_pool2d(a, 2), [x], [True], dtype
        )


def test_max_pool2d_2x2_nan_propagates_and_routes_like_torch():
    """A NaN wins its window (output NaN, gradient to the NaN) in the 2x2 fast path too."""
    rng = np.random.default_rng(9)
    x = rng.integers(0, 3, size=(2, 3, 8, 6)).astype(np.float64)
    x[rng.random(x.shape) < 0.08] = np.nan
    ours = ag.tensor(x, requires_grad=True)
    theirs = torch.from_numpy(x).requires_grad_()
    y, ty = F.max_pool2d(ours, 2), TF.max_pool2d(theirs, 2)
    g = rng.standard_normal(y.shape)
    y.backward(g)
    ty.backward(torch.from_numpy(g))
    np.testing.assert_array_equal(y.numpy(), ty.detach().numpy())  # NaN positions equal too
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    idx = F.max_pool2d(ag.tensor(x), 2, return_indices=True)[1]
    np.testing.assert_array_equal(idx.numpy(), TF.max_pool2d(theirs, 2, return_indices=True)[1])
