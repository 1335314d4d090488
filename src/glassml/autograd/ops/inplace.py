"""In-place ops (``add_``, ``mul_``, ``x[i] = v``...) guarded by version counters.

Without autograd involvement (grad mode off, or no tensor requires grad) the op writes into the
tensor's buffer and bumps its version counter; any node that saved that buffer then refuses to
run backward ("modified by an inplace operation"), like PyTorch. When autograd must record the
op, it is computed out of place and the tensor is rebound to the result (its ``grad_fn`` becomes
the op's node): the saved buffers of earlier nodes stay intact and gradients stay exact. An
in-place op on a leaf that requires grad is refused outside ``no_grad`` (as in PyTorch).

Inventory: AG-04.

Example
-------
>>> from glassml.autograd import tensor, no_grad
>>> w = tensor([1.0, 2.0], requires_grad=True)
>>> with no_grad():
...     _ = w.sub_(0.5)                     # an optimizer step
>>> w.numpy()
array([0.5, 1.5], dtype=float32)
"""

from __future__ import annotations

import numpy as np

from ..grad_mode import _state
from ..tensor import Tensor

__all__ = ["apply_inplace"]


def _raw(v):
    if isinstance(v, Tensor):
        return v.data
    if isinstance(v, np.generic):
        return v.item()
    return v


def _out_of_place(t: Tensor, op: str, args, alpha) -> Tensor:
    from . import binary, elementwise, indexing

    if op == "add_":
        other = args[0] if alpha == 1 else args[0] * alpha
        return binary.add(t, other)
    if op == "sub_":
        other = args[0] if alpha == 1 else args[0] * alpha
        return binary.sub(t, other)
    if op == "mul_":
        return binary.mul(t, args[0])
    if op == "div_":
        return binary.div(t, args[0])
    if op == "clamp_":
        return elementwise.clamp(t, args[0], args[1])
    if op == "masked_fill_":
        return indexing.masked_fill(t, args[0], args[1])
    if op == "copy_":
        src = (
            args[0]
            if isinstance(args[0], Tensor)
            else Tensor._make(np.asarray(args[0]), False, None)
        )
        return (
            (src.to(t.dtype) + t * 0).expand(t.shape)
            if src.shape != t.shape
            else src.to(t.dtype) + t * 0
        )
    if op == "fill_":
        return t * 0 + _raw(args[0])
    if op == "setitem_":
        index, value = args
        value = (
            value
            if isinstance(value, Tensor)
            else Tensor._make(np.asarray(value, dtype=t.dtype), False, None)
        )
        return indexing.IndexPut.apply(t, value, index)
    raise ValueError(f"unknown in-place op {op}")


def _in_place(t: Tensor, op: str, args, alpha) -> None:
    d = t.data
    if op == "add_":
        np.add(
            d, _raw(args[0]) if alpha == 1 else _raw(args[0]) * alpha, out=d, casting="same_kind"
        )
    elif op == "sub_":
        np.subtract(
            d, _raw(args[0]) if alpha == 1 else _raw(args[0]) * alpha, out=d, casting="same_kind"
        )
    elif op == "mul_":
        np.multiply(d, _raw(args[0]), out=d, casting="same_kind")
    elif op == "div_":
        np.true_divide(d, _raw(args[0]), out=d, casting="same_kind")
    elif op == "clamp_":
        np.clip(d, _raw(args[0]), _raw(args[1]), out=d)
    elif op == "masked_fill_":
        mask = _raw(args[0])
        np.copyto(d, np.asarray(_raw(args[1]), dtype=d.dtype), where=np.broadcast_to(mask, d.shape))
    elif op == "copy_":
        np.copyto(d, _raw(args[0]), casting="unsafe")
    elif op == "fill_":
        d[...] = _raw(args[0])
    elif op == "setitem_":
        index, value = args
        d[index] = _raw(value)
    else:
        raise ValueError(f"unknown in-place op {op}")


def apply_inplace(t: Tensor, op: str, *args, alpha=1) -> Tensor:
    """Apply in-place op ``op`` to ``t`` (see the module docstring); returns ``t``."""
    tracking = _state.enabled and (
        t._requires_grad or any(isinstance(a, Tensor) and a._requires_grad for a in args)
    )
    if not tracking:
        if not t.data.flags.writeable:
            raise RuntimeError(
                f"{op}: the tensor's memory is read-only (an expanded/broadcast view); clone() it "
                "before modifying it in place"
            )
        _in_place(t, op, args, alpha)
        t._version[0] += 1
        return t
    if t.grad_fn is None and t._requires_grad:
        raise RuntimeError(
            f"a leaf Variable that requires grad is being used in an in-place operation ({op}); "
            "wrap it in `with no_grad():` (e.g. an optimizer step) or clone() it first."
        )
    node = t.grad_fn
    if node is not None and node.fn.is_view and node.inputs:
        base = node.inputs[0]
        if isinstance(base, Tensor) and np.may_share_memory(t.data, base.data):
            raise RuntimeError(
                f"{op}: in-place modification of a view ({node.fn.__name__} of another tensor) "
                "while recording gradients is not supported: it would not update the base "
                "tensor. Use index assignment on the base (base[idx] = value) or an "
                "out-of-place op (y = view * 2)."
            )
    # The new nodes must see t's value BEFORE the op: record them on a shadow tensor that owns
    # the old buffer (never written again, so it gets its own version counter).
    shadow = Tensor._make(t.data, t._requires_grad, t.grad_fn)
    args = tuple(shadow if a is t else a for a in args)
    result = _out_of_place(shadow, op, args, alpha)
    if result.shape != t.shape:
        raise RuntimeError(
            f"{op}: output with shape {t.shape} doesn't match the broadcast shape {result.shape}"
        )
    if result.dtype != t.dtype:
        result = result.to(t.dtype)
    old_counter = t._version
    old_counter[0] += 1  # nodes that saved t's previous buffer now refuse to run backward
    t.data = result.data
    t.grad_fn = result.grad_fn
    t._requires_grad = result._requires_grad
    t._version = [old_counter[0]]
    if result.grad_fn is not None and result.grad_fn._retained is not None:
        result.grad_fn._retained = None
    return t
