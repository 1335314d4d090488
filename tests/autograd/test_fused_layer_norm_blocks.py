"""layer_norm's cache-blocked kernel beyond the op table: many row blocks plus a partial one,
with and without the affine weight, a retained graph backpropagated twice (the backward must
not consume its saved arrays or scratch state), float64 tight and float32 loose.

Inventory: NO-02, AG-08.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize(
    ("dtype", "rtol", "atol"), [(np.float64, 1e-9, 1e-10), (np.float32, 1e-4, 1e-5)]
)
def test_layer_norm_many_blocks_twice_with_retain_graph(affine, dtype, rtol, atol):
    rng = np.random.default_rng(4)
    shape, d = (3, 700, 96), 96  # 2100 rows of 96: several ~256 KiB blocks and a partial one
    x_np = (rng.standard_normal(shape) * 2.0 + 0.5).astype(dtype)
    w_np = (1.0 + 0.1 * rng.standard_normal(d)).astype(dtype)
    b_np = (0.1 * rng.standard_normal(d)).astype(dtype)
    g_np = rng.standard_normal(shape).astype(dtype)
    x = ag.tensor(x_np, requires_grad=True)
    tx = torch.tensor(x_np, requires_grad=True)
    params = [ag.tensor(w_np, requires_grad=True), ag.tensor(b_np, requires_grad=True)]
    tparams = [torch.tensor(w_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)]
    if not affine:
        params, tparams = [None, None], [None, None]
    y = F.layer_norm(x, (d,), *params)
    ty = TF.layer_norm(tx, (d,), *tparams)
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), rtol=rtol, atol=atol)
    for _ in range(2):  # second pass reads the same saved arrays and accumulates
        y.backward(g_np, retain_graph=True)
        ty.backward(torch.from_numpy(g_np), retain_graph=True)
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=rtol, atol=atol)
        for p, tp in zip(params, tparams, strict=True):
            if p is not None:
                np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=rtol, atol=atol)


def test_layer_norm_weight_grad_only():
    rng = np.random.default_rng(5)
    x_np = rng.standard_normal((40, 16))
    w_np = 1.0 + 0.1 * rng.standard_normal(16)
    g_np = rng.standard_normal((40, 16))
    w = ag.tensor(w_np, requires_grad=True)
    tw = torch.tensor(w_np, requires_grad=True)
    F.layer_norm(ag.tensor(x_np), (16,), w).backward(g_np)
    TF.layer_norm(torch.tensor(x_np), (16,), tw).backward(torch.from_numpy(g_np))
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("offset", [0.0, 30.0])
@pytest.mark.parametrize("affine", ["both", "bias_only", "none"])
def test_layer_norm_backward_float32_with_a_large_mean(offset, affine):
    """The backward expands dx in x (PyTorch's CPU formula): it stays within float32 tolerance of
    torch even when the rows' mean is large against their spread."""
    rng = np.random.default_rng(6)
    n, d = 300, 64
    x_np = (rng.standard_normal((n, d)) + offset).astype(np.float32)
    w_np = (1.0 + 0.1 * rng.standard_normal(d)).astype(np.float32)
    b_np = (0.1 * rng.standard_normal(d)).astype(np.float32)
    g_np = rng.standard_normal((n, d)).astype(np.float32)
    x, tx = ag.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    w = ag.tensor(w_np, requires_grad=True) if affine == "both" else None
    tw = torch.tensor(w_np, requires_grad=True) if affine == "both" else None
    b = ag.tensor(b_np, requires_grad=True) if affine != "none" else None
    tb = torch.tensor(b_np, requires_grad=True) if affine != "none" else None
    F.layer_norm(x, (d,), w, b).backward(g_np)
    TF.layer_norm(tx, (d,), tw, tb).backward(torch.from_numpy(g_np))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-3, atol=2e-4)
    for p, tp in ((w, tw), (b, tb)):
        if p is not None:
            np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-3)
