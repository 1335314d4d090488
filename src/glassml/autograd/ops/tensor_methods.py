"""The operator and method surface of ``Tensor`` (``x + y``, ``x.sum()``, ``x[i]``, ``x.add_()``).

Every method delegates to an op in this package, so ``tensor.py`` holds only the data model and
autograd attributes. ``Tensor`` inherits from :class:`TensorMethods`.

Inventory: AG-01, AG-03.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor([[1.0, 2.0], [3.0, 4.0]])
>>> (x.T @ x).sum(dim=0).numpy()           # xᵀx = [[10, 14], [14, 20]]
array([24., 34.], dtype=float32)
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["TensorMethods"]


class TensorMethods:
    """Operators and methods of :class:`~glassml.autograd.tensor.Tensor` (a mixin)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return id(self)

    # ------------------------------------------------------------------ operators
    def __neg__(self):
        return _ops.elementwise.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ops.elementwise.abs(self)

    def __add__(self, other):
        return _ops.binary.add(self, other)

    def __radd__(self, other):
        return _ops.binary.add(other, self)

    def __sub__(self, other):
        return _ops.binary.sub(self, other)

    def __rsub__(self, other):
        return _ops.binary.sub(other, self)

    def __mul__(self, other):
        return _ops.binary.mul(self, other)

    def __rmul__(self, other):
        return _ops.binary.mul(other, self)

    def __truediv__(self, other):
        return _ops.binary.div(self, other)

    def __rtruediv__(self, other):
        return _ops.binary.div(other, self)

    def __pow__(self, other):
        return _ops.binary.pow(self, other)

    def __rpow__(self, other):
        return _ops.binary.pow(other, self)

    def __matmul__(self, other):
        return _ops.matmul.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul.matmul(other, self)

    def __floordiv__(self, other):
        return self._make(np.asarray(self.data // _raw(other)), False, None)

    def __mod__(self, other):
        return self._make(np.asarray(self.data % _raw(other)), False, None)

    # comparisons and logic: no gradient, bool results
    def __eq__(self, other):  # type: ignore[override]
        return self._make(np.asarray(self.data == _raw(other)), False, None)

    def __ne__(self, other):  # type: ignore[override]
        return self._make(np.asarray(self.data != _raw(other)), False, None)

    def __lt__(self, other):
        return self._make(np.asarray(self.data < _raw(other)), False, None)

    def __le__(self, other):
        return self._make(np.asarray(self.data <= _raw(other)), False, None)

    def __gt__(self, other):
        return self._make(np.asarray(self.data > _raw(other)), False, None)

    def __ge__(self, other):
        return self._make(np.asarray(self.data >= _raw(other)), False, None)

    def __invert__(self):
        return self._make(np.asarray(~self.data), False, None)

    def __and__(self, other):
        return self._make(np.asarray(self.data & _raw(other)), False, None)

    def __or__(self, other):
        return self._make(np.asarray(self.data | _raw(other)), False, None)

    def __xor__(self, other):
        return self._make(np.asarray(self.data ^ _raw(other)), False, None)

    def eq(self, other):
        return self == other

    def ne(self, other):
        return self != other

    def lt(self, other):
        return self < other

    def le(self, other):
        return self <= other

    def gt(self, other):
        return self > other

    def ge(self, other):
        return self >= other

    def logical_not(self):
        return self._make(np.logical_not(self.data), False, None)

    def isnan(self):
        return self._make(np.isnan(self.data), False, None)

    def isfinite(self):
        return self._make(np.isfinite(self.data), False, None)

    def all(self, dim=None):
        return self._make(np.asarray(np.all(self.data, axis=dim)), False, None)

    def any(self, dim=None):
        return self._make(np.asarray(np.any(self.data, axis=dim)), False, None)

    def allclose(self, other, rtol=1e-5, atol=1e-8) -> bool:
        return bool(np.allclose(self.data, _raw(other), rtol=rtol, atol=atol))

    def equal(self, other) -> bool:
        return bool(np.array_equal(self.data, _raw(other)))

    # ------------------------------------------------------------------ indexing
    def __getitem__(self, index):
        return _ops.indexing.getitem(self, index)

    def __setitem__(self, index, value):
        _ops.indexing.setitem_(self, index, value)

    # ------------------------------------------------------------------ in-place ops
    def add_(self, other, *, alpha=1):
        return _ops.inplace.apply_inplace(self, "add_", other, alpha=alpha)

    def sub_(self, other, *, alpha=1):
        return _ops.inplace.apply_inplace(self, "sub_", other, alpha=alpha)

    def mul_(self, other):
        return _ops.inplace.apply_inplace(self, "mul_", other)

    def div_(self, other):
        return _ops.inplace.apply_inplace(self, "div_", other)

    def clamp_(self, min=None, max=None):
        return _ops.inplace.apply_inplace(self, "clamp_", min, max)

    def copy_(self, src):
        return _ops.inplace.apply_inplace(self, "copy_", src)

    def fill_(self, value):
        return _ops.inplace.apply_inplace(self, "fill_", value)

    def zero_(self):
        return _ops.inplace.apply_inplace(self, "fill_", 0)

    def masked_fill_(self, mask, value):
        return _ops.inplace.apply_inplace(self, "masked_fill_", mask, value)

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    # ------------------------------------------------------------------ elementwise methods
    def exp(self):
        return _ops.elementwise.exp(self)

    def log(self):
        return _ops.elementwise.log(self)

    def log1p(self):
        return _ops.elementwise.log1p(self)

    def expm1(self):
        return _ops.elementwise.expm1(self)

    def sqrt(self):
        return _ops.elementwise.sqrt(self)

    def rsqrt(self):
        return _ops.elementwise.rsqrt(self)

    def square(self):
        return _ops.elementwise.square(self)

    def reciprocal(self):
        return _ops.elementwise.reciprocal(self)

    def abs(self):
        return _ops.elementwise.abs(self)

    def neg(self):
        return _ops.elementwise.neg(self)

    def sin(self):
        return _ops.elementwise.sin(self)

    def cos(self):
        return _ops.elementwise.cos(self)

    def tanh(self):
        return _ops.elementwise.tanh(self)

    def sigmoid(self):
        return _ops.elementwise.sigmoid(self)

    def relu(self):
        return _ops.elementwise.relu(self)

    def erf(self):
        return _ops.elementwise.erf(self)

    def sign(self):
        return _ops.elementwise.sign(self)

    def floor(self):
        return _ops.elementwise.floor(self)

    def ceil(self):
        return _ops.elementwise.ceil(self)

    def round(self):
        return _ops.elementwise.round(self)

    def pow(self, exponent):
        return _ops.binary.pow(self, exponent)

    def clamp(self, min=None, max=None):
        return _ops.elementwise.clamp(self, min, max)

    clip = clamp

    def add(self, other, *, alpha=1):
        return _ops.binary.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other, *, alpha=1):
        return _ops.binary.sub(self, other if alpha == 1 else other * alpha)

    def mul(self, other):
        return _ops.binary.mul(self, other)

    def div(self, other):
        return _ops.binary.div(self, other)

    def maximum(self, other):
        return _ops.binary.maximum(self, other)

    def minimum(self, other):
        return _ops.binary.minimum(self, other)

    def masked_fill(self, mask, value):
        return _ops.indexing.masked_fill(self, mask, value)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim=None, keepdim=False):
        return _ops.reduction.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return _ops.reduction.mean(self, dim, keepdim)

    def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.reduction.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return _ops.reduction.std(self, dim, unbiased, keepdim, correction=correction)

    def max(self, dim=None, keepdim=False):
        return _ops.reduction.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _ops.reduction.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return _ops.reduction.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return _ops.reduction.amin(self, dim, keepdim)

    def logsumexp(self, dim, keepdim=False):
        return _ops.reduction.logsumexp(self, dim, keepdim)

    def norm(self, p=2, dim=None, keepdim=False):
        return _ops.reduction.norm(self, p, dim, keepdim)

    def prod(self, dim=None, keepdim=False):
        return _ops.reduction.prod(self, dim, keepdim)

    def cumsum(self, dim):
        return _ops.reduction.cumsum(self, dim)

    def argmax(self, dim=None, keepdim=False):
        return _ops.reduction.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _ops.reduction.argmin(self, dim, keepdim)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _ops.reduction.topk(self, k, dim, largest, sorted)

    def sort(self, dim=-1, descending=False):
        return _ops.reduction.sort(self, dim, descending)

    def argsort(self, dim=-1, descending=False):
        return _ops.reduction.argsort(self, dim, descending)

    def softmax(self, dim):
        from ..fused import softmax

        return softmax(self, dim)

    def log_softmax(self, dim):
        from ..fused import log_softmax

        return log_softmax(self, dim)

    # ------------------------------------------------------------------ shape / movement
    def reshape(self, *shape):
        return _ops.movement.reshape(self, _shape_args(shape))

    def view(self, *shape):
        return _ops.movement.view(self, _shape_args(shape))

    def view_as(self, other):
        return _ops.movement.view(self, other.shape)

    def reshape_as(self, other):
        return _ops.movement.reshape(self, other.shape)

    def permute(self, *dims):
        return _ops.movement.permute(self, _shape_args(dims))

    def transpose(self, dim0, dim1):
        return _ops.movement.transpose(self, dim0, dim1)

    def t(self):
        if self.data.ndim > 2:
            raise ValueError(f"t() expects a tensor with <= 2 dimensions, got {self.data.ndim}")
        return self.T

    def unsqueeze(self, dim):
        return _ops.movement.unsqueeze(self, dim)

    def squeeze(self, dim=None):
        return _ops.movement.squeeze(self, dim)

    def expand(self, *shape):
        return _ops.movement.expand(self, _shape_args(shape))

    def expand_as(self, other):
        return _ops.movement.expand(self, other.shape)

    def broadcast_to(self, shape):
        return _ops.movement.expand(self, tuple(shape))

    def flatten(self, start_dim=0, end_dim=-1):
        return _ops.movement.flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return _ops.movement.unflatten(self, dim, sizes)

    def flip(self, dims):
        return _ops.movement.flip(self, dims)

    def repeat(self, *sizes):
        return _ops.movement.repeat(self, _shape_args(sizes))

    def split(self, split_size_or_sections, dim=0):
        return _ops.movement.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _ops.movement.chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return _ops.movement.unbind(self, dim)

    def tril(self, diagonal=0):
        return _ops.movement.tril(self, diagonal)

    def triu(self, diagonal=0):
        return _ops.movement.triu(self, diagonal)

    def movedim(self, source, destination):
        return _ops.movement.movedim(self, source, destination)

    def gather(self, dim, index):
        return _ops.indexing.gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return _ops.indexing.scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return _ops.indexing.index_select(self, dim, index)

    def matmul(self, other):
        return _ops.matmul.matmul(self, other)

    def mm(self, other):
        return _ops.matmul.mm(self, other)

    def bmm(self, other):
        return _ops.matmul.bmm(self, other)


def _raw(x):
    return x.data if isinstance(x, TensorMethods) else x


def _shape_args(shape) -> tuple:
    """Accept both ``f(2, 3)`` and ``f((2, 3))`` like PyTorch."""
    if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
        return tuple(int(s) for s in shape[0])
    return tuple(int(s) for s in shape)


class _LazyOps:
    """Resolves ``_ops`` on first use (the ops import Tensor, so they load after it)."""

    def __getattr__(self, name):
        from .. import ops

        globals()["_ops"] = ops
        return getattr(ops, name)


_ops = _LazyOps()
