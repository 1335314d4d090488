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

import numpy as np

from .grad_mode import _state
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


class Context:
    """The graph node of one op application (``tensor.grad_fn``) and its scratch space.

    Attributes set by the framework: ``needs_input_grad`` (bool per positional forward argument),
    ``inputs`` (the positional arguments as given: the input Tensors, and non-tensor values
    unchanged; recorded nodes only, dropped when the graph is freed),
    ``saved_tensors`` (arrays given to :meth:`save_for_backward`). Ops may set any other attribute.
    """

    # framework defaults live on the class: creating a node only sets what differs (speed)
    inputs: tuple = ()
    edges: tuple = ()
    _saved: tuple = ()
    _checks = None
    _freed = False
    _retained = None
    _hooks = None
    _in_versions = ()

    def __init__(self, fn, needs_input_grad):
        self.fn = fn
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *arrays) -> None:
        """Keep ``arrays`` (ndarrays or None) for ``backward``; freed after it unless retain_graph."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        """The saved arrays; raises once the graph was freed or a saved array was modified."""
        if self._freed:
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
        """Drop saved arrays, inputs and every op attribute; keep the graph structure."""
        d = self.__dict__
        fn, needs, edges = d["fn"], d["needs_input_grad"], d.get("edges")
        retained, hooks = d.get("_retained"), d.get("_hooks")
        d.clear()
        d["fn"], d["needs_input_grad"], d["_freed"] = fn, needs, True
        if edges is not None:
            d["edges"] = edges
        if retained is not None:
            d["_retained"] = retained
        if hooks is not None:
            d["_hooks"] = hooks

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

        Hot path (per-node engine overhead): one pass over ``args`` unwraps Tensors; the
        bookkeeping of a recorded node (needs_input_grad, input versions, edges) is built only
        when grad mode is on and some input requires grad.
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
        if kwargs:
            for k, v in kwargs.items():
                if isinstance(v, Tensor):
                    kwargs[k] = v.data
        if not (any_grad and _state.enabled):
            out = cls.forward(Context(cls, _NO_GRADS[len(raw)]), *raw, **kwargs)
            if type(out) is not np.ndarray:
                out = np.asarray(out)
            result = Tensor._make(out, False, None)
            if cls.is_view and np.may_share_memory(out, raw[0]):
                result._version = args[0]._version
            return result
        needs = []
        versions = []
        edges = []
        for a in args:
            if isinstance(a, Tensor):
                versions.append(a._version[0])
                if a._requires_grad:
                    needs.append(True)
                    d = a.data
                    edges.append((a.grad_fn or a, d.shape, d.dtype))
                    continue
            else:
                versions.append(None)
            needs.append(False)
            edges.append(None)
        ctx = Context(cls, tuple(needs))
        out = cls.forward(ctx, *raw, **kwargs)
        if type(out) is not np.ndarray:
            out = np.asarray(out)
        if out.dtype.kind != "f":  # integer / bool results are not differentiable
            result = Tensor._make(out, False, None)
        else:
            result = Tensor._make(out, True, ctx)
            ctx.inputs = args
            ctx._in_versions = versions
            ctx.edges = tuple(edges)
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
