"""Gradient delivery of the backward engine: summing to input shapes, alias-safe accumulation.

The engine (:mod:`.engine`) decides the order in which nodes run; this module decides what
happens to each gradient an op returns:

* ``_unbroadcast``: ops may return gradients in the broadcast shape; they are summed back to
  the input's shape here, in ONE place (AG-02): over leading extra axes and over axes of size 1;
* ownership: a gradient array handed out by an op (possibly the upstream array itself, as
  ``add`` passes it through, or a view of a saved array) is never modified in place. The engine
  adds in place only into buffers nobody else holds: it allocated them, or an op returned a
  fresh array that only the engine references, decided from reference counts
  (:data:`_PRIVATE_REFS`, :func:`_is_private_view`). A shared first gradient is copied by the
  first accumulation (``buf + g``) and before it is stored as a leaf's ``.grad``;
* leaves: an existing ``.grad`` takes ``+=`` in place, as in PyTorch's AccumulateGrad (no
  allocation after ``zero_grad(set_to_none=False)``); hooks see a leaf's total gradient once;
  :class:`SparseGrad` pieces (gradients of selections) are added without densifying.

Inventory: AG-02, AG-04.
"""

from __future__ import annotations

import sys

import numpy as np

from .function import Context, SparseGrad
from .tensor import Tensor

_getrefcount = sys.getrefcount


def _probe_refcounts() -> tuple[int, int]:
    """What ``sys.getrefcount`` reports, with the code shape of the loop of :func:`_execute`, for
    (an array held only by a tuple and one local variable, that tuple held only by one local
    variable). The numbers depend on the CPython version, hence measured."""
    grads_in = (np.empty(2),)
    gi = grads_in[0]
    return _getrefcount(gi), _getrefcount(grads_in)


def _owner_refcount(gi: np.ndarray) -> int:
    """``sys.getrefcount`` of the owner of ``gi`` as seen from :func:`_is_private_view`."""
    base = gi.base
    return _getrefcount(base)


_PRIVATE_REFS, _PRIVATE_TUPLE_REFS = _probe_refcounts()
_PRIVATE_OWNER_REFS = _owner_refcount(np.empty(2).reshape(1, 2))


def _is_private_view(gi: np.ndarray) -> bool:
    """A view that covers the whole of an owner array referenced by nothing but the view (e.g.
    ``fresh.reshape(shape)`` returned by an op): writing into it touches nobody else's data."""
    base = gi.base
    return (
        type(base) is np.ndarray
        and base.base is None
        and _getrefcount(base) == _PRIVATE_OWNER_REFS
        and gi.size == base.size
        and gi.dtype == base.dtype
        and gi.flags.c_contiguous
        and gi.flags.writeable
    )


def _sum_axes(got: tuple, shape: tuple, node: Context, i: int) -> tuple:
    """The axes to sum a gradient of shape ``got`` over to get ``shape`` (the input's shape):
    the leading extra axes and the axes where the input has size 1 (AG-02)."""
    extra = len(got) - len(shape)
    if extra < 0:
        raise _bad_grad(node, i, got, shape)
    axes = list(range(extra))
    for k, s in enumerate(shape):
        if s == 1 and got[k + extra] != 1:
            axes.append(k + extra)
        elif s != got[k + extra]:
            raise _bad_grad(node, i, got, shape)
    return tuple(axes)


def _unbroadcast(g: np.ndarray, shape: tuple, node: Context, i: int) -> np.ndarray:
    """Sum ``g`` (a broadcast-shaped gradient) back to ``shape`` (the input's shape)."""
    axes = _sum_axes(g.shape, shape, node, i)
    if axes:
        g = g.sum(axis=axes)
    return g.reshape(shape)


def _unbroadcast_tensor(g: Tensor, shape: tuple, node: Context, i: int) -> Tensor:
    """Differentiable version of :func:`_unbroadcast` for ``create_graph=True``."""
    axes = _sum_axes(tuple(g.shape), shape, node, i)
    if axes:
        g = g.sum(dim=axes)
    return g.reshape(shape)


def _bad_grad(node: Context, i: int, got: tuple, expected: tuple) -> RuntimeError:
    return RuntimeError(
        f"Function {node.name()} returned an invalid gradient at index {i}: got shape "
        f"{tuple(got)} but expected a shape broadcastable to {tuple(expected)}"
    )


class _LeafState:
    """Per-pass bookkeeping: ids of the leaves whose ``.grad`` buffer this pass allocated (safe to
    add into in place; ids, because Tensor hashing is a Python call), and gradients of leaves with
    hooks, held until the pass is complete."""

    __slots__ = ("fresh", "hooked")

    def __init__(self):
        self.fresh = set()
        self.hooked = {}


def _run_hooks(hooks, g, owned, create_graph):
    """Call each hook with the gradient (as a Tensor); a non-None return replaces it."""
    for hook in list(hooks.values()):
        gt = g if create_graph else Tensor._make(g, False, None)
        out = hook(gt)
        if out is not None:
            if not isinstance(out, Tensor):
                out = Tensor._make(np.asarray(out), False, None)
            if out.shape != gt.shape:
                raise RuntimeError(
                    f"hook returned a gradient of shape {out.shape}, expected {gt.shape}"
                )
            g = out if create_graph else out.data
            owned = False
    return g, owned


def _add_pending(pending, node, g, owned, create_graph):
    """Add ``g`` to the gradient waiting at ``node``: in place only into a buffer the engine
    owns; a shared first gradient is copied by the first accumulation (``buf + g``)."""
    prev = pending.get(node)
    if prev is None:
        pending[node] = (g, owned)
    elif create_graph:
        pending[node] = (prev[0] + g, True)
    else:
        buf, buf_owned = prev
        if type(buf) is SparseGrad:
            buf, buf_owned = buf.dense(), True
        if type(g) is SparseGrad:
            if not buf_owned:
                buf = buf.copy()
            g.add_into(buf)
        elif buf_owned:
            np.add(buf, g, out=buf)
        else:
            buf = np.asarray(buf + g)  # 0-d sums are NumPy scalars: keep an array to add into
        pending[node] = (buf, True)


def _deliver_leaf(leaf, g, owned, create_graph, capture, leaves):
    """Accumulate ``g`` into ``leaf.grad`` (or into the capture slot for ``grad()``)."""
    if capture is not None:
        if leaf in capture:
            prev = capture[leaf]
            if prev is None:
                capture[leaf] = g if (owned or create_graph) else g.copy()
            else:
                capture[leaf] = prev + g if create_graph else np.asarray(prev + g)
        return
    if leaf._hooks:
        prev = leaves.hooked.get(leaf)
        if prev is None:
            leaves.hooked[leaf] = (g if (owned or create_graph) else g.copy(), True)
        else:
            leaves.hooked[leaf] = (prev[0] + g if create_graph else np.asarray(prev[0] + g), True)
        return
    _accumulate_leaf(leaf, g, owned, create_graph, leaves)


def _accumulate_leaf(leaf, g, owned, create_graph, leaves):
    if create_graph:
        leaf.grad = g.clone() if leaf.grad is None else leaf.grad + g
        return
    if leaf.grad is None:
        leaf.grad = Tensor._make(g if owned else g.copy(), False, None)
        leaves.fresh.add(id(leaf))
    elif id(leaf) in leaves.fresh or _can_accumulate_in_place(leaf.grad.data, g):
        np.add(leaf.grad.data, g, out=leaf.grad.data)
    else:
        leaf.grad = Tensor._make(np.asarray(leaf.grad.data + g), False, None)
        leaves.fresh.add(id(leaf))


def _can_accumulate_in_place(buf: np.ndarray, g: np.ndarray) -> bool:
    """An existing ``.grad`` buffer takes ``+= g`` in place (like PyTorch's AccumulateGrad) when
    it is writeable, has g's shape and dtype and shares no memory with g. Keeping the buffer
    (``zero_grad(set_to_none=False)``) then costs no allocation per step."""
    return (
        buf.flags.writeable
        and buf.shape == g.shape
        and buf.dtype == g.dtype
        and not np.may_share_memory(buf, g)
    )


def _route_sparse(node, i, gi, target, shape, dtype, pending, capture, leaves) -> None:
    """Deliver a :class:`SparseGrad` (a selection's gradient) without densifying it when the
    receiver already has a buffer to add the pieces into."""
    if gi.shape != shape:
        raise _bad_grad(node, i, gi.shape, shape)
    if gi.values.dtype != dtype:
        gi.values = gi.values.astype(dtype)
    if type(target) is Context:
        _add_pending(pending, target, gi, False, False)
    elif capture is not None or target._hooks:
        _deliver_leaf(target, gi.dense(), True, False, capture, leaves)
    elif target.grad is None:
        target.grad = Tensor._make(gi.dense(), False, None)
        leaves.fresh.add(id(target))
    else:
        buf = target.grad.data
        if id(target) not in leaves.fresh and not (
            buf.flags.writeable and buf.dtype == dtype and buf.shape == shape
        ):
            target.grad = Tensor._make(buf.copy(), False, None)
            leaves.fresh.add(id(target))
        gi.add_into(target.grad.data)
