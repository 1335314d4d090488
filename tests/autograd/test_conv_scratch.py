"""Outputs and saved windows of conv2d never alias the per-thread scratch buffers: a second
conv call must not change the result of the first (regression: O == 1 and 1x1 outputs)."""

import numpy as np
import pytest
import torch

from glassml.autograd import Tensor
from glassml.autograd.fused import conv2d


@pytest.mark.parametrize(
    "x_shape, w_shape, padding",
    [
        ((2, 3, 6, 6), (1, 3, 3, 3), 1),  # one output channel
        ((2, 3, 4, 4), (5, 3, 4, 4), 0),  # 1x1 output map
        ((1, 2, 5, 5), (3, 2, 1, 1), 1),  # 1x1 kernel with padding, batch of one
    ],
)
def test_results_survive_the_next_conv(x_shape, w_shape, padding):
    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal(x_shape).astype(np.float32) for _ in range(2))
    w = rng.standard_normal(w_shape).astype(np.float32)
    wt = Tensor(w, requires_grad=True)
    y1 = conv2d(Tensor(x1), wt, padding=padding)
    first = y1.data.copy()
    y2 = conv2d(Tensor(x2), wt, padding=padding)  # reuses the scratch buffers
    np.testing.assert_array_equal(y1.data, first)
    g1 = rng.standard_normal(first.shape).astype(np.float32)
    (y1 * Tensor(g1)).sum().backward()  # weight gradient from y1's saved windows
    ref_w = torch.from_numpy(w).requires_grad_()
    ref = torch.nn.functional.conv2d(torch.from_numpy(x1), ref_w, padding=padding)
    ref.backward(torch.from_numpy(g1))
    np.testing.assert_allclose(first, ref.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(wt.grad.numpy(), ref_w.grad.numpy(), rtol=1e-4, atol=1e-4)
    assert y2.shape == y1.shape
