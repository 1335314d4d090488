"""GELU's cache-blocked kernel against PyTorch beyond the op table's small shapes.

The kernel works on chunks of ``activation._BLOCK`` elements, evaluates float32 exact GELU with
a polynomial erf (A&S 7.1.26) and a bitwise copysign, and saves f'(x) instead of x. These tests
cover inputs spanning several chunks plus a partial one, non-contiguous inputs, the sign of
zero, large |x| (exp underflow), float32 within 2e-6 of the float64 reference (torch's own
float32 tanh-GELU is less accurate than that: its tanh saturates to -1 early) and float64 to
rounding.

Inventory: AC-08, AG-08.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F
from glassml.autograd.fused import activation


def _inputs(dtype) -> np.ndarray:
    """(3, BLOCK + 37) values: normal, wide uniform, exact zeros/-0 and large magnitudes."""
    rng = np.random.default_rng(7)
    n = activation._BLOCK + 37  # several chunks and a partial one after flattening
    x = np.stack(
        [rng.standard_normal(n), rng.uniform(-12.0, 12.0, n), rng.standard_normal(n) * 3.0]
    )
    x[0, :6] = [0.0, -0.0, 40.0, -40.0, 1e-30, -1e-30]
    return x.astype(dtype)


def _torch_gelu(x: np.ndarray, g: np.ndarray, approximate: str):
    """torch's GELU value and input gradient, evaluated in float64 (the reference)."""
    t = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
    y = TF.gelu(t, approximate=approximate)
    y.backward(torch.from_numpy(g.astype(np.float64)))
    return y.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize(
    ("dtype", "rtol", "atol"), [(np.float64, 1e-12, 1e-13), (np.float32, 1e-5, 2e-6)]
)
def test_gelu_multi_chunk_matches_torch(approximate, dtype, rtol, atol):
    if dtype == np.float32 and approximate == "tanh":
        atol = 1e-5  # 1 - tanh(u)^2 cancels in float32 for x < -3 (torch's float32 gives 0 there)
    x_np = _inputs(dtype)
    g_np = np.random.default_rng(8).standard_normal(x_np.shape).astype(dtype)
    ref_y, ref_gx = _torch_gelu(x_np, g_np, approximate)
    x = ag.tensor(x_np, requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.backward(g_np)
    assert y.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(y.numpy(), ref_y, rtol=rtol, atol=atol)
    np.testing.assert_allclose(x.grad.numpy(), ref_gx, rtol=rtol, atol=atol)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_non_contiguous_input_and_no_grad(approximate):
    base = _inputs(np.float32)
    x_np = base[:, ::2].T  # (n/2, 3) transposed, strided view
    g_np = np.random.default_rng(9).standard_normal(x_np.shape).astype(np.float32)
    ref_y, ref_gx = _torch_gelu(np.ascontiguousarray(x_np), g_np, approximate)
    x = ag.tensor(x_np, requires_grad=True)
    y = F.gelu(x, approximate=approximate)
    y.backward(g_np)
    atol = 1e-5 if approximate == "tanh" else 2e-6
    np.testing.assert_allclose(y.numpy(), ref_y, rtol=1e-5, atol=atol)
    np.testing.assert_allclose(x.grad.numpy(), ref_gx, rtol=1e-5, atol=atol)
    with ag.no_grad():
        y_ng = F.gelu(ag.tensor(x_np, requires_grad=True), approximate=approximate)
    assert y_ng.grad_fn is None
    np.testing.assert_allclose(y_ng.numpy(), ref_y, rtol=1e-5, atol=atol)


def test_gelu_empty_input():
    x = ag.tensor(np.zeros((0, 4), dtype=np.float32), requires_grad=True)
    y = F.gelu(x)
    y.backward(np.zeros((0, 4), dtype=np.float32))
    assert y.shape == (0, 4) and x.grad.shape == (0, 4)
