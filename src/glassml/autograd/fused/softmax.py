"""Softmax and log-softmax along one dimension, with their hand-derived backward.

softmax(z)_i = exp(z_i - m) / sum_j exp(z_j - m),   m = max_j z_j  (shift for stability)
log_softmax(z)_i = z_i - m - log sum_j exp(z_j - m)                  (log-sum-exp trick)

Backward (the Jacobian diag(s) - s s^T applied to an upstream g, never materialised):
softmax:      dz = s * (g - sum(g * s))
log_softmax:  dz = g - exp(y) * sum(g)

Inventory: AC-09, AC-10, AG-12.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..function import Function
from ._util import check_float

__all__ = ["softmax", "log_softmax", "softmin", "Softmax", "LogSoftmax"]


def _implicit_dim(ndim: int, name: str) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _check_dim(dim: int, ndim: int, op: str) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor of {ndim} dimensions "
            f"(expected to be in range of [{-n}, {n - 1}])"
        )
    return dim % n if ndim else 0


def softmax_array(z: np.ndarray, axis: int) -> np.ndarray:
    """NumPy softmax along ``axis`` (a fresh array of z's dtype)."""
    s = z - z.max(axis=axis, keepdims=True)
    np.exp(s, out=s)
    s /= s.sum(axis=axis, keepdims=True)
    return s


def log_softmax_array(z: np.ndarray, axis: int) -> np.ndarray:
    """NumPy log-softmax along ``axis`` by the log-sum-exp trick."""
    shifted = z - z.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    shifted -= lse
    return shifted


class Softmax(Function):
    """s = softmax(z) along ``dim``; dz = s * (g - sum(g * s, dim))."""

    @staticmethod
    def forward(ctx, z, dim):
        check_float("input", z, "softmax")
        ctx.dim = _check_dim(dim, z.ndim, "softmax")
        if z.ndim == 0:
            return np.ones_like(z)
        s = softmax_array(z, ctx.dim)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output.ndim == 0:
            return np.zeros_like(grad_output), None
        (s,) = ctx.saved_tensors
        gs = grad_output * s  # (..., C, ...)
        gs -= s * gs.sum(axis=ctx.dim, keepdims=True)
        return gs, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        z = ctx.inputs[0]
        s = z.softmax(ctx.dim)
        gs = grad_output * s
        return gs - s * gs.sum(ctx.dim, keepdim=True), None


class LogSoftmax(Function):
    """y = log_softmax(z) along ``dim``; dz = g - exp(y) * sum(g, dim)."""

    @staticmethod
    def forward(ctx, z, dim):
        check_float("input", z, "log_softmax")
        ctx.dim = _check_dim(dim, z.ndim, "log_softmax")
        if z.ndim == 0:
            return np.zeros_like(z)
        y = log_softmax_array(z, ctx.dim)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output.ndim == 0:
            return np.zeros_like(grad_output), None
        (y,) = ctx.saved_tensors
        grad = np.exp(y)  # softmax
        grad *= -grad_output.sum(axis=ctx.dim, keepdims=True)
        grad += grad_output
        return grad, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        z = ctx.inputs[0]
        if z.ndim == 0:
            return grad_output * 0.0, None
        return grad_output - z.softmax(ctx.dim) * grad_output.sum(ctx.dim, keepdim=True), None


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Softmax along ``dim`` (PyTorch ``F.softmax``): exp(z_i - max z) / sum_j exp(z_j - max z).

    Inventory: AC-09, AG-12.

    Parameters
    ----------
    input : Tensor
    dim : int — the dimension that sums to one (None: PyTorch's legacy implicit choice, warns).
    dtype : optional dtype to cast the input to first.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> softmax(tensor([[1.0, 2.0, 3.0]]), dim=1).sum().item()  # doctest: +ELLIPSIS
    1.0...
    """
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _implicit_dim(input.ndim, "softmax")
    return Softmax.apply(input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """Log-softmax along ``dim`` (PyTorch ``F.log_softmax``): z_i - max z - log sum exp(z - max z).

    Inventory: AC-10.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> log_softmax(tensor([0.0, 0.0]), dim=0).numpy()  # log(1/2) twice
    array([-0.6931472, -0.6931472], dtype=float32)
    """
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _implicit_dim(input.ndim, "log_softmax")
    return LogSoftmax.apply(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """Softmin = softmax(-z) along ``dim`` (PyTorch ``F.softmin``). Inventory: AC-09."""
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        dim = _implicit_dim(input.ndim, "softmin")
    return Softmax.apply(-input, dim)
