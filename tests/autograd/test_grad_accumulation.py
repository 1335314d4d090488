"""Leaf-gradient accumulation into an existing ``.grad`` buffer, like PyTorch's AccumulateGrad.

After ``zero_grad(set_to_none=False)`` the next backward adds into the kept buffer in place (no
allocation per training step); the values match torch's, and a gradient that aliases the
existing buffer or has another dtype is never added in place.

Inventory: AG-04, AG-02.
"""

from __future__ import annotations

import numpy as np
import torch

import glassml.autograd as ag
import glassml.optim as gopt
from glassml.nn import Parameter


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def test_existing_grad_buffer_accumulates_in_place_like_torch():
    x, tx = _pair((3, 4))
    g = np.random.default_rng(1).standard_normal((3, 4))
    x.tanh().backward(g)
    tx.tanh().backward(torch.from_numpy(g))
    buf, tbuf = x.grad.numpy(), tx.grad
    (x * x).backward(g)
    (tx * tx).backward(torch.from_numpy(g))
    assert np.shares_memory(x.grad.numpy(), buf)  # same buffer, as in torch
    assert tx.grad is tbuf
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_zero_grad_keep_buffers_then_train_step_matches_torch():
    w0 = np.random.default_rng(2).standard_normal(5)
    w, tw = Parameter(w0.copy()), torch.nn.Parameter(torch.tensor(w0))
    opt = gopt.SGD([w], lr=0.1, momentum=0.9)
    topt = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    g = np.random.default_rng(3).standard_normal(5)
    for _ in range(3):
        opt.zero_grad(set_to_none=False)
        topt.zero_grad(set_to_none=False)
        buf = None if w.grad is None else w.grad.numpy()
        (w * w).tanh().backward(g)
        (tw * tw).tanh().backward(torch.from_numpy(g))
        if buf is not None:
            assert np.shares_memory(w.grad.numpy(), buf)
        opt.step()
        topt.step()
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-12)


def test_user_grad_sharing_the_upstream_is_not_written_in_place():
    x = ag.tensor(np.ones(3), requires_grad=True)
    x.grad = ag.tensor(np.full(3, 2.0))
    buf = x.grad.numpy()
    (x + 0.0).backward(buf)  # add passes the upstream through: the gradient IS the .grad buffer
    np.testing.assert_array_equal(buf, np.full(3, 2.0))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 4.0))


def test_float32_grad_buffer_with_float64_gradient_is_replaced_not_cast():
    x = ag.tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    x.grad = ag.tensor(np.zeros(3, dtype=np.float32))
    (x * 3.0).backward(np.ones(3))
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 3.0))
