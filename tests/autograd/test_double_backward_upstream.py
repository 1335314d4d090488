"""create_graph=True where the UPSTREAM gradient depends on a parameter (as in WGAN-GP, where the
penalty on dD/dx is differentiated w.r.t. D's weights): the gradient of <dL/dx, w> w.r.t. that
parameter goes through the adjoint of each op's backward map. Ops whose backward is linear in the
upstream gradient (pooling, resizing, embedding, dropout) have a zero second derivative in x, so
the op-table's second-order test cannot see a wrong adjoint; this one can. Against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F

CASES = {
    "max_pool2d_2x2": (lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2), (2, 3, 6, 8)),
    "max_pool2d_3x3_s2_p1": (
        lambda x: F.max_pool2d(x, 3, 2, 1),
        lambda x: TF.max_pool2d(x, 3, 2, 1),
        (2, 3, 7, 6),
    ),
    "avg_pool2d_pad_exclude": (
        lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        lambda x: TF.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
        (2, 3, 7, 6),
    ),
    "adaptive_avg_pool2d": (
        lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
        lambda x: TF.adaptive_avg_pool2d(x, (3, 2)),
        (2, 3, 7, 5),
    ),
    "interpolate_bilinear": (
        lambda x: F.interpolate(x, size=(9, 7), mode="bilinear"),
        lambda x: TF.interpolate(x, size=(9, 7), mode="bilinear"),
        (2, 3, 4, 5),
    ),
    "conv_transpose2d_stride2_outpad": (
        lambda x: F.conv_transpose2d(
            x, ag.tensor(np.linspace(-1, 1, 3 * 2 * 9).reshape(3, 2, 3, 3)), None, 2, 1, 1
        ),
        lambda x: TF.conv_transpose2d(
            x, torch.from_numpy(np.linspace(-1, 1, 3 * 2 * 9).reshape(3, 2, 3, 3)), None, 2, 1, 1
        ),
        (2, 3, 4, 5),
    ),
    "log_softmax": (
        lambda x: F.log_softmax(x, dim=1),
        lambda x: TF.log_softmax(x, dim=1),
        (4, 6),
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_upstream_dependent_double_backward(name):
    ours_fn, torch_fn, shape = CASES[name]
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(shape)
    y_shape = torch_fn(torch.from_numpy(x0)).shape
    v0, w0 = rng.standard_normal(tuple(y_shape)), rng.standard_normal(shape)

    x, v = ag.tensor(x0, requires_grad=True), ag.tensor(v0, requires_grad=True)
    (gx,) = ag.grad((ours_fn(x) * v).sum(), [x], create_graph=True)  # L(v)
    gv, gx2 = ag.grad((gx * ag.tensor(w0)).sum(), [v, x], allow_unused=True)  # L^T(w)

    xt = torch.tensor(x0, requires_grad=True)
    vt = torch.tensor(v0, requires_grad=True)
    (gxt,) = torch.autograd.grad((torch_fn(xt) * vt).sum(), [xt], create_graph=True)
    gvt, gxt2 = torch.autograd.grad((gxt * torch.from_numpy(w0)).sum(), [vt, xt], allow_unused=True)
    np.testing.assert_allclose(gx.numpy(), gxt.detach().numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gv.numpy(), gvt.numpy(), rtol=1e-9, atol=1e-12)
    ours2 = np.zeros(shape) if gx2 is None else gx2.numpy()
    theirs2 = np.zeros(shape) if gxt2 is None else gxt2.numpy()
    np.testing.assert_allclose(ours2, theirs2, rtol=1e-9, atol=1e-12)


def test_embedding_double_backward_through_upstream():
    rng = np.random.default_rng(1)
    idx = rng.integers(0, 5, (3, 4))
    w0, v0, u0 = (
        rng.standard_normal((5, 6)),
        rng.standard_normal((3, 4, 6)),
        rng.standard_normal((5, 6)),
    )
    weight, v = ag.tensor(w0, requires_grad=True), ag.tensor(v0, requires_grad=True)
    (gw,) = ag.grad(
        (F.embedding(ag.tensor(idx), weight, padding_idx=2) * v).sum(), [weight], create_graph=True
    )
    (gv,) = ag.grad((gw * ag.tensor(u0)).sum(), [v])
    wt, vt = torch.tensor(w0, requires_grad=True), torch.tensor(v0, requires_grad=True)
    out_t = TF.embedding(torch.from_numpy(idx), wt, padding_idx=2)
    (gwt,) = torch.autograd.grad((out_t * vt).sum(), [wt], create_graph=True)
    (gvt,) = torch.autograd.grad((gwt * torch.from_numpy(u0)).sum(), [vt])
    np.testing.assert_allclose(gw.numpy(), gwt.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(gv.numpy(), gvt.numpy(), rtol=1e-12)
