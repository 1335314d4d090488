"""``Function``: one differentiable operation, forward and backward side by side.

An op subclasses :class:`Function` and writes two static methods on raw NumPy arrays::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):               # a, b: ndarrays (Tensors are unwrapped)
            ctx.save_for_backward(a, b)
            return a * b                      # broadcast shape

        @staticmethod
        def backward(ctx, grad_output):       # dL/d(out), same shape as out
            a, b = ctx.saved_tensors
            return grad_output * b, grad_output * a   # broadcast-shaped: the engine unbroadcasts

``Mul.apply(x, y)`` runs ``forward`` and, when grad mode is on and an input requires grad, records
the node ``ctx`` in the graph (``out.grad_fn is ctx``). The engine (``engine.py``) later calls
``backward`` with the upstream gradient and sums each returned gradient back to its input's shape
in one central place, so ops never unbroadcast themselves.

For higher-order gradients an op may also define ``backward_graph(ctx, grad_output: Tensor)``,
written with differentiable Tensor ops over ``ctx.inputs``; ``backward(create_graph=True)`` uses it.

Inventory: AG-03, AG-04, AG-08.
"""

from __future__ import annotations

import itertools

import numpy as np

from .grad_mode import _state, _threads_without_grad
from .tensor import Tensor

__all__ = ["Function", "Context", "SparseGrad", "FREED_MESSAGE"]

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward(). Specify retain_graph=True if you need to backward through the graph a "
    "second time or if you need to access saved tensors after calling backward."
)


class SparseGrad:
    """A gradient that is zero except at ``index``: ``dense()[index] = values`` (summed when an
    index repeats). Selections (``x[i]``, split, unbind) return it so that the engine adds the
    pieces into ONE buffer instead of materialising a full-size zero array per piece.
    """

    __slots__ = ("shape", "index", "values", "unique")

    def __init__(self, shape: tuple, index, values: np.ndarray, unique: bool):
        self.shape, self.index, self.values, self.unique = shape, index, values, unique

    def dense(self) -> np.ndarray:
        out = np.zeros(self.shape, dtype=self.values.dtype)
        self.add_into(out)
        return out

    def add_into(self, buf: np.ndarray) -> None:
        if self.unique:
            buf[self.index] += self.values
        else:
            np.add.at(buf, self.index, self.values)


class _NodeExtras:
    """The rarely used per-node state, kept out of the hot path: hooks registered on the node's
    output, the ``retain_grad`` link, the freed flag. A node without any of them has
    ``_extra is None``, so the backward pass tests one slot instead of three."""

    __slots__ = ("hooks", "retained", "freed")

    def __init__(self, freed: bool = False):
        self.hooks = None
        self.retained = None
        self.freed = freed


_FREED = _NodeExtras(freed=True)  # shared by freed nodes that have no other extras; never mutated


def _extra_field(name: str, doc: str) -> property:
    """A property of :class:`Context` stored in its :class:`_NodeExtras` (created on first set)."""

    def get(self):
        extra = self._extra
        return None if extra is None else getattr(extra, name)

    def set(self, value):
        extra = self._extra
        if extra is None or extra is _FREED:
            if value is None:
                return
            extra = self._extra = _NodeExtras(freed=extra is _FREED)
        setattr(extra, name, value)

    return property(get, set, doc=doc)


class Context:
    """The graph node of one op application (``tensor.grad_fn``) and its scratch space.

    Attributes set by the framework: ``needs_input_grad`` (bool per positional forward argument),
    ``inputs`` (the positional arguments as given: the input Tensors, and non-tensor values
    unchanged; recorded nodes only, dropped when the graph is freed),
    ``saved_tensors`` (arrays given to :meth:`save_for_backward`). Ops may set any other attribute
    (they live in the instance ``__dict__``, cleared when the graph is freed).

    The framework's own fields are slots: the engine reads several of them per node, and a slot
    read is a fixed-offset load instead of a dictionary lookup (per-node overhead, issue 4).
    ``edges`` holds, per positional argument, the gradient's target for an input that requires
    grad (the input's ``grad_fn`` node at the time of the call, or the leaf Tensor itself) and
    ``None`` otherwise: one flat tuple per node, so that a long graph holds few objects for the
    cyclic garbage collector to traverse. The shape and dtype the gradient must have are those of
    ``inputs[i]`` (read when the node runs; in-place ops keep both).

    Hooks, the ``retain_grad`` link and the freed flag (``_hooks``, ``_retained``, ``_freed``)
    live in one optional side object ``_extra`` (None for a plain node): a node that has none of
    them costs the backward pass one test instead of three. ``_checks`` (the versions of the
    saved buffers, set by most ops that save arrays) stays a slot of its own. ``_order`` numbers
    the nodes in decreasing creation order: the backward pass runs them in increasing order.
    """

    __slots__ = (
        "fn",
        "needs_input_grad",
        "inputs",
        "_in_versions",
        "edges",
        "_saved",
        "_checks",
        "_extra",
        "_order",
        "__dict__",
        "__weakref__",
    )

    # No __init__: the framework creates nodes with ``Context()`` (object's own constructor, the
    # cheapest way to make an instance) and stores the slots itself (``_new_node``).

    _hooks = _extra_field("hooks", "Hooks on the node's output gradient: {key: hook} or None.")
    _retained = _extra_field("retained", "Weak reference to the output that retains its grad.")

    @property
    def _freed(self) -> bool:
        """True once backward freed the node's saved arrays (without ``retain_graph``)."""
        extra = self._extra
        return extra is not None and extra.freed

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (ndarrays or None) for ``backward``; freed after it unless retain_graph."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays; raises once the graph was freed or a saved array was modified."""
        extra = self._extra
        if extra is not None and extra.freed:
            raise RuntimeError(FREED_MESSAGE)
        if self._checks is not None:
            self._check_versions()
        return self._saved

    def _check_versions(self) -> None:
        for counter, expected, shape, dtype in self._checks:
            if counter[0] != expected:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: a {dtype} tensor of shape {tuple(shape)} saved by "
                    f"{self.name()} is at version {counter[0]}; expected version {expected} "
                    "instead. Clone it before modifying it in place (x = x.clone()) or move the "
                    "in-place operation after the backward."
                )

    def _check_input_versions(self) -> None:
        """create_graph=True re-reads ``inputs``: they must not have changed since forward."""
        for a, v in zip(self.inputs, self._in_versions):  # noqa: B905 - equal lengths
            if v is not None and a._version[0] != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: input of shape {tuple(a.shape)} of {self.name()} is "
                    f"at version {a._version[0]}; expected version {v} instead "
                    "(create_graph=True re-reads the inputs)."
                )

    def name(self) -> str:
        return self.fn.__name__ + "Backward"

    def _free(self) -> None:
        """Drop saved arrays, inputs and every op attribute; keep the graph structure
        (``fn``, ``needs_input_grad``, ``edges``, hooks and retain_grad links; ``_in_versions``,
        a few ints, is never read again).
        (The backward pass inlines this: keep the two in step.)"""
        self._saved = ()
        self.inputs = ()
        self._checks = None
        extra = self._extra
        if extra is None:
            self._extra = _FREED
        else:
            extra.freed = True  # (a no-op on _FREED itself)
        d = self.__dict__
        if d:
            d.clear()

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class Function:
    """Base class of differentiable operations (see the module docstring).

    Subclasses define ``forward(ctx, *args, **kwargs) -> ndarray`` and
    ``backward(ctx, grad_output) -> tuple`` (one entry per positional argument of ``forward``;
    an ndarray, possibly broadcast-shaped, or ``None``), and optionally
    ``backward_graph(ctx, grad_output: Tensor) -> tuple`` for ``create_graph=True``.
    A class attribute ``is_view = True`` marks ops whose output is a view of input 0: the two share
    a version counter so in-place edits of either are detected.

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import tensor
    >>> class Square(Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, g):
    ...         (x,) = ctx.saved_tensors
    ...         return (2 * x * g,)
    >>> x = tensor([3.0], requires_grad=True)
    >>> Square.apply(x).sum().backward(); x.grad.numpy()
    array([6.], dtype=float32)
    """

    is_view = False

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        """Run ``forward`` on the unwrapped arguments and record the node when needed.

        Hot path (per-node engine overhead, issue 4): one or two Tensor arguments (the common
        call of an elementwise op) go to :func:`apply_unary` / :func:`apply_binary`, which unpack
        them without a loop; any other positional mix takes one pass over ``args`` that unwraps
        the Tensors and collects the node's bookkeeping. Keyword arguments and grad mode off take
        the general path (:func:`_apply_general`).
        """
        if kwargs or (_threads_without_grad[0] and not _state.enabled):
            return _apply_general(cls, args, kwargs)
        n_args = len(args)
        if n_args == 2:
            a, b = args
            if isinstance(a, Tensor) and isinstance(b, Tensor):
                return apply_binary(cls, a, b)
        elif n_args == 1 and isinstance(args[0], Tensor):
            return apply_unary(cls, args[0])
        raw = []
        needs = []
        versions = []
        edges = []
        tracked = False
        for a in args:
            if isinstance(a, Tensor):
                data = a.data
                raw.append(data)
                counter = a._vc
                versions.append(0 if counter is None else counter[0])
                if a._requires_grad:
                    tracked = True
                    needs.append(True)
                    edges.append(a.grad_fn or a)
                    continue
            else:
                raw.append(a)
                versions.append(None)
            needs.append(False)
            edges.append(None)
        if not tracked:
            return _forward_untracked(cls, args, raw, {})
        ctx = _new_node(cls, tuple(needs), args, versions, tuple(edges))
        return _output(cls, ctx, cls.forward(ctx, *raw), raw[0])


_new_object = object.__new__


def apply_binary(cls, a: Tensor, b: Tensor) -> Tensor:
    """``cls.apply(a, b)`` for two Tensors, without the generic argument handling.

    Binary ops (``x + y``, ``x * y``, ...) call it directly. The node is built inline (no
    ``_new_node`` call) from constant tuples where possible: every container that outlives the
    call is one more object for Python's cyclic garbage collector to traverse, which is a
    large part of the per-node cost of a long graph. Same semantics as :meth:`Function.apply`.
    """
    raw0, raw1 = a.data, b.data
    need0, need1 = a._requires_grad, b._requires_grad
    if not (need0 or need1) or (_threads_without_grad[0] and not _state.enabled):
        return _forward_untracked(cls, (a, b), (raw0, raw1), {})
    ctx = Context()  # _new_node inlined
    ctx.fn = cls
    ctx.inputs = (a, b)
    if a._vc is None and b._vc is None:  # never modified in place: version 0 (Tensor._version)
        ctx._in_versions = _ZERO_VERSIONS_2
    else:
        ctx._in_versions = (a._version[0], b._version[0])
    if need0 and need1:
        ctx.needs_input_grad = _NEEDS_BOTH
        ctx.edges = (a.grad_fn or a, b.grad_fn or b)
    elif need0:
        ctx.needs_input_grad = _NEEDS_FIRST
        ctx.edges = (a.grad_fn or a, None)
    else:
        ctx.needs_input_grad = _NEEDS_SECOND
        ctx.edges = (None, b.grad_fn or b)
    ctx._saved = ()
    ctx._checks = None
    ctx._extra = None
    ctx._order = _next_order()
    return _output(cls, ctx, cls.forward(ctx, raw0, raw1), raw0)


def apply_unary(cls, a: Tensor) -> Tensor:
    """``cls.apply(a)`` for one Tensor (unary elementwise ops call it directly)."""
    raw0 = a.data
    if not a._requires_grad or (_threads_without_grad[0] and not _state.enabled):
        return _forward_untracked(cls, (a,), (raw0,), {})
    counter = a._vc
    ctx = _new_node(
        cls,
        _NEEDS_ONE,
        (a,),
        _ZERO_VERSIONS_1 if counter is None else (counter[0],),
        (a.grad_fn or a,),
    )
    return _output(cls, ctx, cls.forward(ctx, raw0), raw0)


# NumPy 2's float dtype classes: a set lookup on the dtype's type is cheaper than ``dtype.kind``
_FLOAT_DTYPES = frozenset(
    type(np.dtype(t)) for t in (np.float16, np.float32, np.float64, np.longdouble)
)
# Creation order of the nodes, decreasing (-1, -2, ...): a node is created after the nodes of its
# inputs, so the backward pass runs nodes in increasing ``_order`` (latest first) without counting
# consumers. itertools.count is thread-safe under the GIL and never repeats.
_next_order = itertools.count(-1, -1).__next__
_NEEDS_ONE = (True,)
_NEEDS_BOTH = (True, True)
_NEEDS_FIRST = (True, False)
_NEEDS_SECOND = (False, True)
_ZERO_VERSIONS_1 = (0,)
_ZERO_VERSIONS_2 = (0, 0)


def _new_node(cls, needs: tuple, inputs: tuple, versions, edges: tuple) -> Context:
    """A graph node: ``Context()`` (no ``__init__`` to run) plus the slot stores."""
    ctx = Context()
    ctx.fn = cls
    ctx.needs_input_grad = needs
    ctx.inputs = inputs
    ctx._in_versions = versions
    ctx.edges = edges
    ctx._saved = ()
    ctx._checks = None
    ctx._extra = None
    ctx._order = _next_order()
    return ctx


def _output(cls, ctx: Context, out, raw0) -> Tensor:
    """Wrap ``forward``'s result of a recorded node: ``Tensor(out, grad_fn=ctx)`` for a floating
    result (integer / bool results are not differentiable), shared version counter for views,
    versions of the saved buffers for the in-place guard."""
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    result = _new_object(Tensor)  # Tensor._make inlined (hot path)
    result.data = out
    result.grad = None
    result._vc = None
    result._retain = False
    result._hooks = None
    if type(out.dtype) in _FLOAT_DTYPES or out.dtype.kind == "f":
        result._requires_grad = True
        result.grad_fn = ctx
    else:
        result._requires_grad = False
        result.grad_fn = None
    if cls.is_view and np.may_share_memory(out, raw0):
        result._version = ctx.inputs[0]._version
    if ctx._saved and result.grad_fn is not None:
        _record_saved_versions(ctx, ctx.inputs, result)
    return result


def _forward_untracked(cls, args, raw, kwargs) -> Tensor:
    """Run ``forward`` without recording a node (grad mode off, or no input requires grad)."""
    out = cls.forward(_new_node(cls, _NO_GRADS[len(raw)], (), (), ()), *raw, **kwargs)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    result = Tensor._make(out, False, None)
    if cls.is_view and np.may_share_memory(out, raw[0]):
        result._version = args[0]._version
    return result


def _apply_general(cls, args: tuple, kwargs: dict) -> Tensor:
    """``Function.apply`` with keyword arguments or with grad mode off.

    Keyword arguments are passed to ``forward`` unwrapped and never receive gradients (only the
    positional arguments have entries in ``backward``'s result).
    """
    raw = []
    any_grad = False
    for a in args:
        if isinstance(a, Tensor):
            raw.append(a.data)
            if a._requires_grad:
                any_grad = True
        else:
            raw.append(a)
    for k, v in kwargs.items():
        if isinstance(v, Tensor):
            kwargs[k] = v.data
    if not (any_grad and _state.enabled):
        return _forward_untracked(cls, args, raw, kwargs)
    needs = []
    versions = []
    edges = []
    for a in args:
        if isinstance(a, Tensor):
            counter = a._vc
            versions.append(0 if counter is None else counter[0])
            if a._requires_grad:
                needs.append(True)
                edges.append(a.grad_fn or a)
                continue
        else:
            versions.append(None)
        needs.append(False)
        edges.append(None)
    ctx = _new_node(cls, tuple(needs), args, tuple(versions), tuple(edges))
    out = cls.forward(ctx, *raw, **kwargs)
    if type(out) is not np.ndarray:
        out = np.asarray(out)
    if out.dtype.kind != "f":  # integer / bool results are not differentiable
        result = Tensor._make(out, False, None)
    else:
        result = Tensor._make(out, True, ctx)
    if cls.is_view and np.may_share_memory(out, raw[0]):
        result._version = args[0]._version
    if result.grad_fn is not None and ctx._saved:
        _record_saved_versions(ctx, args, result)
    return result


class _NoGrads(dict):
    def __missing__(self, n):
        self[n] = (False,) * n
        return self[n]


_NO_GRADS = _NoGrads()


def _record_saved_versions(ctx: Context, args, result: Tensor) -> None:
    """Remember the version of every input/output whose buffer was saved (in-place guard)."""
    checks = []
    for arr in ctx._saved:
        if not isinstance(arr, np.ndarray):
            continue
        if arr is result.data:
            checks.append((result._version, result._version[0], arr.shape, arr.dtype))
            continue
        for a in args:
            if isinstance(a, Tensor) and (arr is a.data or arr.base is a.data):
                checks.append((a._version, a._version[0], arr.shape, arr.dtype))
                break
    if checks:
        ctx._checks = checks
