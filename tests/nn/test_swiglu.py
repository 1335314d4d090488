"""SwiGLU feed-forward block and its fused silu(a) * b op against torch."""

import numpy as np
import pytest
import torch

from glassml.autograd import gradcheck, tensor
from glassml.nn.swiglu import SwiGLU, silu_mul

RNG = np.random.default_rng(1)


class TorchSwiGLU(torch.nn.Module):
    """The reference: Llama's MLP written with torch ops."""

    def __init__(self, dim, hidden, bias):
        super().__init__()
        self.gate_proj = torch.nn.Linear(dim, hidden, bias=bias)
        self.up_proj = torch.nn.Linear(dim, hidden, bias=bias)
        self.down_proj = torch.nn.Linear(hidden, dim, bias=bias)

    def forward(self, x):
        return self.down_proj(torch.nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [False, True])
def test_swiglu_matches_torch(bias, dtype):
    from ._helpers import compare_with_torch

    tol = dict(rtol=1e-9, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    ours, ref = SwiGLU(6, 10, bias=bias), TorchSwiGLU(6, 10, bias)
    assert list(ours.state_dict()) == list(ref.state_dict())
    x = RNG.standard_normal((2, 5, 6)) * 2
    out, _ = compare_with_torch(ours, ref, [x], dtype=dtype, **tol)
    assert out.dtype == dtype


def test_silu_mul_gradients_and_gradcheck():
    a, b = RNG.standard_normal((4, 7)) * 3, RNG.standard_normal((4, 7))
    g = RNG.standard_normal((4, 7))
    at, bt = tensor(a, requires_grad=True), tensor(b, requires_grad=True)
    silu_mul(at, bt).backward(tensor(g))
    ar = torch.tensor(a, requires_grad=True)
    br = torch.tensor(b, requires_grad=True)
    (torch.nn.functional.silu(ar) * br).backward(torch.from_numpy(g))
    np.testing.assert_allclose(at.grad.numpy(), ar.grad.numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(bt.grad.numpy(), br.grad.numpy(), rtol=1e-12, atol=1e-13)
    assert gradcheck(silu_mul, (tensor(a, requires_grad=True), tensor(b, requires_grad=True)))


def test_swiglu_bad_inputs():
    with pytest.raises(ValueError, match="hidden_dim"):
        SwiGLU(4, 0)
    with pytest.raises(ValueError, match=r"expected input \(\*, 4\)"):
        SwiGLU(4, 8)(tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="same shape"):
        silu_mul(tensor(np.zeros(3)), tensor(np.zeros(4)))
