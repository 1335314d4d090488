"""SwiGLU feed-forward block (Shazeer 2020; Llama, SmolLM2): a gated position-wise FFN.

    FFN(x) = W_down ( silu(W_gate x) * (W_up x) ),     silu(a) = a sigmoid(a)

The gate product ``silu(a) * b`` is one fused op (``silu_mul``): with s = sigmoid(a) and
upstream g,

    d/da = g b s (1 + a (1 - s)),     d/db = g a s

so the (B, T, hidden) activations are read once per pass instead of three times.

Inventory: TR-05 (position-wise FFN; the GLU variant of Llama-style decoders).

Example
-------
>>> from glassml.autograd import randn
>>> ffn = SwiGLU(16, 44)
>>> ffn(randn(2, 3, 16)).shape
(2, 3, 16)
"""

from __future__ import annotations

import numbers

from scipy.special import expit

from glassml.autograd.function import Function
from glassml.autograd.fused._util import check_float, check_same_dtype

from .linear import Linear
from .module import Module

__all__ = ["SwiGLU", "silu_mul", "SiLUMul"]


class SiLUMul(Function):
    """silu(a) * b elementwise (the SwiGLU gate), fused."""

    @staticmethod
    def forward(ctx, a, b):
        check_float("gate", a, "silu_mul")
        check_same_dtype("silu_mul", a, up=b)
        if a.shape != b.shape:
            raise ValueError(
                f"silu_mul: gate and up must have the same shape, got {a.shape} and {b.shape}"
            )
        s = expit(a)  # (..., H) sigmoid
        out = a * s  # silu(a)
        out *= b
        ctx.save_for_backward(a, b, s)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        a, b, s = ctx.saved_tensors
        grad_a = grad_b = None
        if ctx.needs_input_grad[1]:
            grad_b = a * s  # silu(a)
            grad_b *= grad_output
        if ctx.needs_input_grad[0]:
            grad_a = 1.0 - s
            grad_a *= a
            grad_a += 1.0
            grad_a *= s  # silu'(a) = s (1 + a (1 - s))
            grad_a *= b
            grad_a *= grad_output
        return grad_a, grad_b


def silu_mul(gate, up):
    """silu(gate) * up as one op (the SwiGLU product).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> silu_mul(tensor([0.0, 1.0]), tensor([5.0, 2.0])).numpy().round(4)
    array([0.    , 1.4621], dtype=float32)
    """
    return SiLUMul.apply(gate, up)


class SwiGLU(Module):
    """Gated feed-forward block down(silu(gate(x)) * up(x)) with Llama's parameter names.

    Parameters
    ----------
    dim : int — model width d (input and output size)
    hidden_dim : int — inner width (Llama: about 8/3 d rounded; SmolLM2-135M: 1536 for d=576)
    bias : bool, default False — Llama's projections have no bias
    dtype : parameter dtype, default float32
    generator : numpy.random.Generator for the Linear initialisation

    Shapes: input (*, dim) -> output (*, dim); ``gate_proj.weight``, ``up_proj.weight``
    (hidden_dim, dim), ``down_proj.weight`` (dim, hidden_dim).

    Inventory: TR-05.

    Example
    -------
    >>> ffn = SwiGLU(8, 24, bias=True)
    >>> sorted(ffn.state_dict())[:2]
    ['down_proj.bias', 'down_proj.weight']
    """

    def __init__(self, dim, hidden_dim, bias=False, device=None, dtype=None, *, generator=None):
        super().__init__()
        for name, value in (("dim", dim), ("hidden_dim", hidden_dim)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"SwiGLU: {name} must be a positive integer, got {value!r}")
        self.dim, self.hidden_dim = int(dim), int(hidden_dim)
        kw = dict(bias=bias, dtype=dtype, generator=generator)
        self.gate_proj = Linear(self.dim, self.hidden_dim, **kw)
        self.up_proj = Linear(self.dim, self.hidden_dim, **kw)
        self.down_proj = Linear(self.hidden_dim, self.dim, **kw)

    def forward(self, x):
        if x.ndim == 0 or x.shape[-1] != self.dim:
            raise ValueError(f"{self!r}: expected input (*, {self.dim}), got {tuple(x.shape)}")
        hidden = silu_mul(self.gate_proj(x), self.up_proj(x))  # (*, hidden_dim)
        return self.down_proj(hidden)  # (*, dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, hidden_dim={self.hidden_dim}"
