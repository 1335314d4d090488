"""The backward engine: reverse-mode differentiation over the recorded graph.

Given a root ``y`` and an upstream gradient ``g = dL/dy``, the engine visits the graph's nodes in
reverse topological order (every node after all of its consumers), calls each node's ``backward``
with the sum of the gradients flowing into it, and routes the results to the node's inputs:

    dL/dx_i = sum over consumers c of x_i of  VJP_c(dL/d out_c)          (chain rule)

Design points (the lessons of PyTorch, Chainer, tinygrad, micrograd):

* iterative, not recursive (no recursion limit on deep graphs): nodes run latest-created first
  (a heap on ``Context._order``, which decreases with creation, like the sequence numbers of
  PyTorch's ready queue). A node is created after the nodes of its inputs, so every consumer that
  sends a node a gradient has run before it, with no pass over the graph to count consumers;
  a node that no gradient reaches is never visited (``create_graph=True`` sorts the reachable
  nodes by the same order, :func:`_topological_order`);
* gradients are summed back to the input's shape in ONE place (``_unbroadcast``, AG-02; a
  gradient that already has the input's shape skips it) and accumulated alias-safely (never
  into an array someone else holds; in place into a leaf's existing ``.grad``, as in PyTorch):
  see :mod:`.accumulate`;
* saved arrays are freed after the pass unless ``retain_graph=True``; a second pass through a
  freed node raises;
* ``create_graph=True`` runs each node's ``backward_graph`` with Tensor ops, so the gradients are
  themselves differentiable (grad of grad, AG-08, needed for the WGAN-GP penalty).

The numeric pass (:func:`_execute`) is the hot loop of training: per node it does a handful of
slot reads and dictionary operations (issue 4 target: < 5 us per node for a chain of tiny adds).
What keeps it small: one test for the rare per-node features (hooks, retain_grad, freed:
``Context._extra``), flat ``edges`` (one target per argument; shape and dtype read from
``inputs``), no consumer-counting pass, the shape/dtype of a passed-through gradient read once,
freeing inlined, and few objects per node for the cyclic garbage collector (see function.py).

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

from heapq import heapify, heappop, heappush
from operator import attrgetter

import numpy as np

from .accumulate import (
    _PRIVATE_REFS,
    _PRIVATE_TUPLE_REFS,
    _accumulate_leaf,
    _add_pending,
    _deliver_leaf,
    _getrefcount,
    _is_private_view,
    _LeafState,
    _route_sparse,
    _run_hooks,
    _unbroadcast,
    _unbroadcast_tensor,
)
from .function import _FREED, FREED_MESSAGE, Context, SparseGrad
from .grad_mode import enable_grad, no_grad
from .tensor import Tensor

__all__ = ["backward", "grad"]


def _topological_order(roots: list) -> list:
    """Nodes reachable from ``roots``, latest-created first: each after every node that consumes
    its output (``Context._order``; used by ``create_graph=True``)."""
    seen = set(roots)
    stack = list(roots)
    while stack:
        for target in stack.pop().edges:
            if type(target) is Context and target not in seen:  # not a leaf Tensor, not None
                seen.add(target)
                stack.append(target)
    return sorted(seen, key=_creation_order)


_creation_order = attrgetter("_order")


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


def _prepare_special(node: Context, g: np.ndarray) -> np.ndarray:
    """The rare per-node work of the numeric pass, for a node with ``_extra`` set: refuse a freed
    node, run the hooks on its output gradient, store the gradient of a ``retain_grad`` output."""
    extra = node._extra
    if extra.freed:
        raise RuntimeError(FREED_MESSAGE)
    if extra.hooks is not None:
        g, _ = _run_hooks(extra.hooks, g, False, False)
    if extra.retained is not None:
        t = extra.retained()
        if t is not None:
            t.grad = Tensor._make(g.copy(), False, None)
    return g


def _as_gradient_tuple(node: Context, grads_in, n_edges: int) -> tuple:
    """``backward``'s result as a tuple of one gradient per forward argument (a single array or a
    list is accepted); a wrong count raises."""
    if type(grads_in) is not tuple:
        grads_in = tuple(grads_in) if isinstance(grads_in, list) else (grads_in,)
    if len(grads_in) != n_edges:
        raise RuntimeError(
            f"Function {node.name()} returned {len(grads_in)} gradients, expected "
            f"{n_edges} (one per forward argument)"
        )
    return grads_in


def _execute(starts, pending, retain_graph, capture, leaves) -> None:
    """Numeric backward pass: gradients are ndarrays (the hot loop; see the module docstring).

    Nodes run latest-created first: ``Context._order`` decreases with creation, and a node is
    always created after the nodes of its inputs, so every consumer that sends a node a gradient
    runs before it (the order of PyTorch's ready queue; no pass counting consumers is needed).
    ``heap`` holds ``(_order, node)`` for the nodes with a gradient waiting in ``pending``, except
    the one that precedes all of them, if it was scheduled last: it waits in ``nxt`` (in a chain,
    every node does, and the heap stays empty). A node that no gradient reaches is never visited.

    Ownership of each gradient an op returns is decided from identity and reference counts
    (:data:`_PRIVATE_REFS`): the upstream ``g`` passed through (``add``) or any array someone
    else holds is shared, never written. A plain node (no hooks, no retain_grad, not freed:
    ``node._extra is None``) costs one test for all of these; its freeing (``Context._free``)
    is inlined.
    """
    heap = [(node._order, node) for node in starts]
    heapify(heap)
    nxt = None
    pop_pending, get_pending = pending.pop, pending.get
    fresh = leaves.fresh
    ndarray, np_add = np.ndarray, np.add
    while nxt is not None or heap:
        if nxt is not None:
            node, nxt = nxt, None
        else:
            node = heappop(heap)[1]
        g = pop_pending(node)[0]
        if type(g) is not ndarray:  # a SparseGrad, or a NumPy scalar from 0-d sums
            g = g.dense() if type(g) is SparseGrad else np.asarray(g)
        if node._extra is not None:  # freed, hooks, retain_grad
            g = _prepare_special(node, g)
        if capture is not None and node in capture:
            prev = capture[node]
            capture[node] = g.copy() if prev is None else np.asarray(prev + g)
        checks = node._checks
        if checks is not None:
            node._check_versions()
        edges = node.edges
        grads_in = node.fn.backward(node, g)
        if type(grads_in) is not tuple or len(grads_in) != len(edges):
            grads_in = _as_gradient_tuple(node, grads_in, len(edges))
        # a tuple held elsewhere (a cached result) makes every entry shared
        tuple_shared = _getrefcount(grads_in) != _PRIVATE_TUPLE_REFS
        g_shape = g_dtype = None  # read once for the edges that pass g through (add, sub)
        inputs = node.inputs
        for i in range(len(edges)):  # (zip would allocate four iterators per node)
            target = edges[i]
            if target is None:
                continue
            gi = grads_in[i]
            if gi is None:
                continue
            expected = inputs[i].data  # the gradient takes the input's shape and dtype
            # owned: nobody but the engine holds gi, so it may be kept and added into in place
            if gi is g:  # passed through: shared with the consumer that produced it
                owned = False
                if g_shape is None:
                    g_shape, g_dtype = g.shape, g.dtype
                gi_shape, gi_dtype = g_shape, g_dtype
            elif type(gi) is ndarray:
                if tuple_shared or _getrefcount(gi) != _PRIVATE_REFS:
                    owned = False
                elif gi.base is None:
                    owned = gi.flags.writeable
                else:
                    owned = _is_private_view(gi)
                gi_shape, gi_dtype = gi.shape, gi.dtype
            else:
                if type(gi) is SparseGrad:
                    first = type(target) is Context and get_pending(target) is None
                    meta = expected.shape, expected.dtype
                    _route_sparse(node, i, gi, target, *meta, pending, capture, leaves)
                    if first:
                        if nxt is not None:
                            heappush(heap, (nxt._order, nxt))
                            nxt = None
                        heappush(heap, (target._order, target))
                    continue
                gi = np.asarray(gi)
                owned = False
                gi_shape, gi_dtype = gi.shape, gi.dtype
            shape = expected.shape
            if gi_shape != shape:
                gi = _unbroadcast(gi, shape, node, i)
                owned = True
            dtype = expected.dtype
            if gi_dtype is not dtype and gi_dtype != dtype:
                gi = gi.astype(dtype)
                owned = True
            if type(target) is Context:
                if get_pending(target) is None:  # the first gradient for target: schedule it
                    pending[target] = (gi, owned)
                    order = target._order
                    if nxt is None:
                        if not heap or order < heap[0][0]:
                            nxt = target
                        else:
                            heappush(heap, (order, target))
                    elif order < nxt._order:
                        heappush(heap, (nxt._order, nxt))
                        nxt = target
                    else:
                        heappush(heap, (order, target))
                else:
                    _add_pending(pending, target, gi, owned, False)
            elif capture is None and target._hooks is None:
                leaf_grad = target.grad
                if leaf_grad is None:
                    target.grad = Tensor._make(gi if owned else gi.copy(), False, None)
                    fresh.add(id(target))
                elif id(target) in fresh:
                    buf = leaf_grad.data
                    np_add(buf, gi, buf)  # in place (positional out: cheaper to parse)
                else:
                    _accumulate_leaf(target, gi, owned, False, leaves)
            else:
                _deliver_leaf(target, gi, owned, False, capture, leaves)
        if not retain_graph:  # node._free(), inlined
            node._saved = ()
            node.inputs = ()
            if checks is not None:
                node._checks = None
            extra = node._extra
            if extra is None:
                node._extra = _FREED
            else:
                extra.freed = True
            op_state = node.__dict__
            if op_state:
                op_state.clear()


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
        for i, (target, gi, given) in enumerate(zip(edges, grads_in, node.inputs, strict=True)):
            if target is None or gi is None:
                continue
            shape, dtype = given.data.shape, given.data.dtype
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
