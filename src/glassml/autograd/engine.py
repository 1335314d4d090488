"""The backward engine: reverse-mode differentiation over the recorded graph.

Given a root ``y`` and an upstream gradient ``g = dL/dy``, the engine visits the graph's nodes in
reverse topological order (every node after all of its consumers), calls each node's ``backward``
with the sum of the gradients flowing into it, and routes the results to the node's inputs:

    dL/dx_i = sum over consumers c of x_i of  VJP_c(dL/d out_c)          (chain rule)

Design points (the lessons of PyTorch, Chainer, tinygrad, micrograd):

* iterative, not recursive (no recursion limit on deep graphs): one pass counts, for every
  reachable node, the edges pointing at it (its consumers); the pass then runs a node as soon as
  all its consumers have run (a ready stack, Kahn's algorithm, as in PyTorch's engine);
* ``_unbroadcast``: ops may return gradients in the broadcast shape; they are summed back to the
  input's shape here, in ONE place (AG-02): sum over leading extra axes and over axes of size 1;
  a gradient that already has the input's shape (compared as shape tuples) skips it;
* alias-safe accumulation: a gradient array handed out by an op (possibly the upstream array
  itself, as ``add`` passes it through, or a view of a saved array) is never modified in place;
  the engine adds in place only into buffers nobody else holds (it allocated them, or an op
  returned a fresh array that only the engine references: see :func:`_is_private`), copies on
  the first accumulation into a shared gradient, and copies before storing a leaf's ``.grad``;
  an existing leaf ``.grad`` takes ``+=`` in place, as in PyTorch (no allocation after
  ``zero_grad(set_to_none=False)``);
* saved arrays are freed after the pass unless ``retain_graph=True``; a second pass through a
  freed node raises;
* ``create_graph=True`` runs each node's ``backward_graph`` with Tensor ops, so the gradients are
  themselves differentiable (grad of grad, AG-08, needed for the WGAN-GP penalty).

The numeric pass (:func:`_execute`) is the hot loop of training: per node it does a handful of
slot reads and dictionary operations (issue 4 target: < 5 us per node for a chain of tiny adds).

Inventory: AG-02, AG-04, AG-08.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x * x).sum().backward()
>>> x.grad.numpy()
array([2., 4., 6.], dtype=float32)
"""

from __future__ import annotations

import sys

import numpy as np

from .function import FREED_MESSAGE, Context, SparseGrad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor

__all__ = ["backward", "grad"]

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


def _unbroadcast(g: np.ndarray, shape: tuple, node: Context, i: int) -> np.ndarray:
    """Sum ``g`` (a broadcast-shaped gradient) back to ``shape`` (the input's shape)."""
    extra = g.ndim - len(shape)
    if extra < 0:
        raise _bad_grad(node, i, g.shape, shape)
    axes = list(range(extra))
    for k, s in enumerate(shape):
        if s == 1 and g.shape[k + extra] != 1:
            axes.append(k + extra)
        elif s != g.shape[k + extra]:
            raise _bad_grad(node, i, g.shape, shape)
    if axes:
        g = g.sum(axis=tuple(axes))
    return g.reshape(shape)


def _unbroadcast_tensor(g: Tensor, shape: tuple, node: Context, i: int) -> Tensor:
    """Differentiable version of :func:`_unbroadcast` for ``create_graph=True``."""
    extra = g.ndim - len(shape)
    if extra < 0:
        raise _bad_grad(node, i, g.shape, shape)
    axes = list(range(extra))
    for k, s in enumerate(shape):
        if s == 1 and g.shape[k + extra] != 1:
            axes.append(k + extra)
        elif s != g.shape[k + extra]:
            raise _bad_grad(node, i, g.shape, shape)
    if axes:
        g = g.sum(dim=tuple(axes))
    return g.reshape(shape)


def _bad_grad(node: Context, i: int, got: tuple, expected: tuple) -> RuntimeError:
    return RuntimeError(
        f"Function {node.name()} returned an invalid gradient at index {i}: got shape "
        f"{tuple(got)} but expected a shape broadcastable to {tuple(expected)}"
    )


def _count_consumers(roots: list) -> dict:
    """For every node reachable from ``roots`` (each root included): how many edges of reachable
    nodes point at it. One iterative DFS; a node is expanded the first time it is seen."""
    consumers = dict.fromkeys(roots, 0)
    stack = list(roots)
    pop, push, get = stack.pop, stack.append, consumers.get
    while stack:
        for edge in pop().edges:
            if edge is not None:
                target = edge[0]
                if type(target) is Context:
                    n = get(target)
                    if n is None:
                        consumers[target] = 1
                        push(target)
                    else:
                        consumers[target] = n + 1
    return consumers


def _release(edges: tuple, consumers: dict, push_ready) -> None:
    """A node is done: each node it points at has one consumer fewer (ready at zero)."""
    for edge in edges:
        if edge is not None:
            target = edge[0]
            if type(target) is Context:
                left = consumers[target] - 1
                consumers[target] = left
                if left == 0:
                    push_ready(target)


def _topological_order(roots: list) -> list:
    """Nodes reachable from ``roots``, each after every node that consumes its output
    (Kahn's algorithm: a node becomes ready once all its consumers are done)."""
    consumers = _count_consumers(roots)
    ready = [r for r in roots if consumers[r] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        _release(node.edges, consumers, ready.append)
    return order


def _root_gradient(root: Tensor, gradient, create_graph: bool):
    if not root._requires_grad:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn "
            "(call backward on a result of operations on tensors with requires_grad=True)"
        )
    if gradient is None:
        if root.data.size != 1:
            raise RuntimeError(
                "grad can be implicitly created only for scalar outputs; got an output of shape "
                f"{root.data.shape}: pass `gradient` (dL/d output) of the same shape"
            )
        g = np.ones_like(root.data)
        return Tensor._make(g, False, None) if create_graph else g
    if isinstance(gradient, Tensor):
        g_arr = gradient.data
    else:
        g_arr = np.asarray(gradient, dtype=root.data.dtype)
    if g_arr.shape != root.data.shape:
        raise RuntimeError(
            f"Mismatch in shape: gradient has a shape of {g_arr.shape} and the output has a "
            f"shape of {root.data.shape}"
        )
    if g_arr.dtype != root.data.dtype:
        g_arr = g_arr.astype(root.data.dtype)
    if create_graph:
        return gradient if isinstance(gradient, Tensor) else Tensor._make(g_arr, False, None)
    return g_arr


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False) -> None:
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of every leaf they depend on.

    Parameters
    ----------
    tensors : Tensor or sequence of Tensor
        Roots; with several roots the result is the sum of their vector-Jacobian products.
    grad_tensors : array_like, Tensor, sequence of them, or None
        ``dL/d root`` for each root (may be omitted for scalar roots: 1).
    retain_graph : bool, default ``create_graph``
        Keep the saved arrays so that backward can run through the graph again.
    create_graph : bool, default False
        Record the backward computation itself, making ``.grad`` differentiable.
    """
    roots, grads = _normalize(tensors, grad_tensors)
    _run(roots, grads, retain_graph, create_graph, capture=None)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """Return ``d outputs / d inputs`` (vector-Jacobian products) without touching ``.grad``.

    Like ``torch.autograd.grad``. With ``create_graph=True`` the result is differentiable, which
    is what the WGAN-GP gradient penalty ``(||grad_x D(x)|| - 1)^2`` needs (GN-06, AG-08).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> x = tensor(3.0, requires_grad=True)
    >>> (gx,) = grad(x ** 3, x, create_graph=True)     # 3x^2 = 27
    >>> (gxx,) = grad(gx, x)                            # 6x = 18
    >>> float(gx), float(gxx)
    (27.0, 18.0)
    """
    roots, grads = _normalize(outputs, grad_outputs)
    single = isinstance(inputs, Tensor)
    inputs = [inputs] if single else list(inputs)
    for t in inputs:
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise RuntimeError("grad: every input must be a Tensor that requires grad")
    capture = {}
    for t in inputs:
        key = t.grad_fn if t.grad_fn is not None else t
        capture[key] = None
    captured = _run(roots, grads, retain_graph, create_graph, capture=capture)
    result = []
    for t in inputs:
        g = captured[t.grad_fn if t.grad_fn is not None else t]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            result.append(Tensor._make(g, False, None))
    return tuple(result)


def _normalize(tensors, grad_tensors):
    if isinstance(tensors, Tensor):
        roots = [tensors]
        grads = [grad_tensors]
    else:
        roots = list(tensors)
        if grad_tensors is None:
            grads = [None] * len(roots)
        elif isinstance(grad_tensors, Tensor | np.ndarray):
            grads = [grad_tensors]
        else:
            grads = list(grad_tensors)
        if len(grads) != len(roots):
            raise RuntimeError(
                f"got {len(grads)} gradients for {len(roots)} outputs; pass one per output"
            )
    for r in roots:
        if not isinstance(r, Tensor):
            raise TypeError(f"backward: expected Tensors, got {type(r).__name__}")
    return roots, grads


def _run(roots, root_grads, retain_graph, create_graph, capture):
    if retain_graph is None:
        retain_graph = create_graph
    pending: dict = {}  # node -> (gradient, owned)
    leaf_roots = []
    for root, g in zip(roots, root_grads, strict=True):
        g = _root_gradient(root, g, create_graph)
        if root.grad_fn is None:
            leaf_roots.append((root, g))
        else:
            _add_pending(pending, root.grad_fn, g, False, create_graph)
    leaves = _LeafState()
    for leaf, g in leaf_roots:
        _deliver_leaf(leaf, g, False, create_graph, capture, leaves)
    if pending:
        starts = list(pending)
        if create_graph:
            with enable_grad():
                _execute_graph(_topological_order(starts), pending, retain_graph, capture, leaves)
        else:
            with no_grad():
                _execute(starts, pending, retain_graph, capture, leaves)
    if leaves.hooked:  # leaves with hooks see their total gradient once, like torch
        with enable_grad() if create_graph else no_grad():
            for leaf, (g, owned) in leaves.hooked.items():
                g, owned = _run_hooks(leaf._hooks, g, owned, create_graph)
                _accumulate_leaf(leaf, g, owned, create_graph, leaves)
    return capture


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


def _execute(starts, pending, retain_graph, capture, leaves) -> None:
    """Numeric backward pass: gradients are ndarrays (the hot loop; see the module docstring).

    A node runs once all its consumers have run (ready stack). Ownership of each gradient an op
    returns is decided from identity and reference counts (:data:`_PRIVATE_REFS`): the upstream
    ``g`` passed through (``add``) or any array someone else holds is shared, never written.
    """
    consumers = _count_consumers(starts)
    ready = [r for r in starts if consumers[r] == 0]
    pop_ready, push_ready = ready.pop, ready.append
    pop_pending, get_pending = pending.pop, pending.get
    fresh = leaves.fresh
    while ready:
        node = pop_ready()
        edges = node.edges
        entry = pop_pending(node, None)
        if entry is None:  # no gradient reached this node
            _release(edges, consumers, push_ready)
            continue
        g = entry[0]
        if type(g) is not np.ndarray:  # a SparseGrad, or a NumPy scalar from 0-d sums
            g = g.dense() if type(g) is SparseGrad else np.asarray(g)
        if node._freed:
            raise RuntimeError(FREED_MESSAGE)
        if node._hooks is not None:
            g, _ = _run_hooks(node._hooks, g, False, False)
        if node._retained is not None:
            t = node._retained()
            if t is not None:
                t.grad = Tensor._make(g.copy(), False, None)
        if capture is not None and node in capture:
            prev = capture[node]
            capture[node] = g.copy() if prev is None else np.asarray(prev + g)
        if node._checks is not None:
            node._check_versions()
        grads_in = node.fn.backward(node, g)
        if type(grads_in) is not tuple:
            grads_in = tuple(grads_in) if isinstance(grads_in, list) else (grads_in,)
        # a tuple held elsewhere (a cached result) makes every entry shared
        tuple_shared = _getrefcount(grads_in) != _PRIVATE_TUPLE_REFS
        n_edges = len(edges)
        if len(grads_in) != n_edges:
            raise RuntimeError(
                f"Function {node.name()} returned {len(grads_in)} gradients, expected "
                f"{n_edges} (one per forward argument)"
            )
        for i in range(n_edges):
            edge = edges[i]
            if edge is None:
                continue
            target = edge[0]
            is_node = type(target) is Context
            if is_node:
                left = consumers[target] - 1
                consumers[target] = left
                if left == 0:
                    push_ready(target)
            gi = grads_in[i]
            if gi is None:
                continue
            # owned: nobody but the engine holds gi, so it may be kept and added into in place
            if type(gi) is not np.ndarray:
                if type(gi) is SparseGrad:
                    _route_sparse(node, i, gi, target, edge[1], edge[2], pending, capture, leaves)
                    continue
                gi = np.asarray(gi)
                owned = False
            elif tuple_shared or gi is g or _getrefcount(gi) != _PRIVATE_REFS:
                owned = False
            elif gi.base is None:
                owned = gi.flags.writeable
            else:
                owned = _is_private_view(gi)
            if gi.shape != edge[1]:
                gi = _unbroadcast(gi, edge[1], node, i)
                owned = True
            if gi.dtype is not edge[2] and gi.dtype != edge[2]:
                gi = gi.astype(edge[2])
                owned = True
            if is_node:
                if get_pending(target) is None:
                    pending[target] = (gi, owned)
                else:
                    _add_pending(pending, target, gi, owned, False)
            elif capture is None and target._hooks is None:
                leaf_grad = target.grad
                if leaf_grad is None:
                    target.grad = Tensor._make(gi if owned else gi.copy(), False, None)
                    fresh.add(id(target))
                elif id(target) in fresh:
                    buf = leaf_grad.data
                    np.add(buf, gi, buf)  # in place (positional out: cheaper to parse)
                else:
                    _accumulate_leaf(target, gi, owned, False, leaves)
            else:
                _deliver_leaf(target, gi, owned, False, capture, leaves)
        if not retain_graph:
            node._free()


def _execute_graph(order, pending, retain_graph, capture, leaves) -> None:
    """Differentiable backward pass (create_graph=True): gradients are Tensors."""
    for node in order:
        entry = pending.pop(node, None)
        if entry is None:
            continue
        g = entry[0]
        if node._freed:
            raise RuntimeError(FREED_MESSAGE)
        backward_graph = getattr(node.fn, "backward_graph", None)
        if backward_graph is None:
            raise RuntimeError(
                f"{node.fn.__name__} does not support create_graph=True (higher-order gradients)"
            )
        if node._hooks is not None:
            g, _ = _run_hooks(node._hooks, g, False, True)
        if node._retained is not None:
            t = node._retained()
            if t is not None:
                t.grad = g
        if capture is not None and node in capture:
            prev = capture[node]
            capture[node] = g if prev is None else prev + g
        if node._checks is not None:
            node._check_versions()
        node._check_input_versions()
        grads_in = backward_graph(node, g)
        if type(grads_in) is not tuple:
            grads_in = tuple(grads_in) if isinstance(grads_in, list) else (grads_in,)
        edges = node.edges
        if len(grads_in) != len(edges):
            raise RuntimeError(
                f"Function {node.name()} returned {len(grads_in)} gradients, expected "
                f"{len(edges)} (one per forward argument)"
            )
        for i, (edge, gi) in enumerate(zip(edges, grads_in, strict=True)):
            if edge is None or gi is None:
                continue
            target, shape, dtype = edge
            if not isinstance(gi, Tensor):
                gi = Tensor._make(np.asarray(gi), False, None)
            if gi.data.shape != shape:
                gi = _unbroadcast_tensor(gi, shape, node, i)
            if gi.data.dtype != dtype:
                gi = gi.to(dtype)
            if type(target) is Context:
                _add_pending(pending, target, gi, True, True)
            else:
                _deliver_leaf(target, gi, True, True, capture, leaves)
        if not retain_graph:
            node._free()
