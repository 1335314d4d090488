"""``Tensor``: an n-dimensional array that records the operations applied to it.

A Tensor wraps one NumPy array (``.data``). Floating tensors can ``requires_grad``; every op on
them (when grad mode is on) records a node (``grad_fn``) so that ``backward()`` can apply the chain
rule in reverse, accumulating ``dL/dx`` into each leaf's ``.grad``:

    dL/dx = sum over paths x -> ... -> L of the product of local Jacobians (vector-Jacobian products)

dtype rules: Python numbers and lists give float32 (like ``torch.tensor``); NumPy float64 arrays
stay float64 (the test mode), float32 stays float32; integer data is stored as int64 (indices),
bools as bool (masks).

Inventory: AG-01, AG-02, AG-04.

Example
-------
>>> from glassml.autograd import tensor
>>> x = tensor(2.0, requires_grad=True)
>>> y = (3 * x**2 + 1) ** 2          # CL-102: y = 169
>>> y.backward()
>>> float(x.grad)                     # dy/dx = 2(3x^2+1) * 6x = 312
312.0
"""

from __future__ import annotations

import numpy as np

from .ops.tensor_methods import TensorMethods, _ops

__all__ = ["Tensor", "Parameter"]

_FLOAT_KINDS = ("f",)


def _to_array(data, dtype=None) -> np.ndarray:
    """Convert ``data`` to the ndarray a Tensor stores, applying glassml's dtype defaults."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.asarray(data, dtype=_as_dtype(dtype))
    if isinstance(data, np.ndarray):
        kind = data.dtype.kind
        if kind == "f" or kind == "b":
            return data
        if kind in "iu":
            return data if data.dtype == np.int64 else data.astype(np.int64)
        if kind == "c":
            raise TypeError(f"Tensor: complex data is not supported (got dtype {data.dtype})")
        raise TypeError(f"Tensor: unsupported data dtype {data.dtype}")
    if isinstance(data, np.generic):
        return _to_array(np.asarray(data))
    arr = np.asarray(data)
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(np.float32)
    if kind in "iu":
        return arr.astype(np.int64, copy=False)
    if kind == "b":
        return arr
    raise TypeError(
        f"Tensor: could not convert data of type {type(data).__name__} "
        f"(numpy dtype {arr.dtype}) to a numeric tensor"
    )


def _as_dtype(dtype) -> np.dtype:
    if dtype is None:
        return None
    if isinstance(dtype, str):
        dtype = dtype.removeprefix("torch.")
        aliases = {"float": "float32", "double": "float64", "long": "int64", "int": "int32"}
        dtype = aliases.get(dtype, dtype)
    try:
        return np.dtype(dtype)
    except TypeError as err:
        raise TypeError(f"dtype: expected a NumPy dtype or its name, got {dtype!r}") from err


class Tensor(TensorMethods):
    """An array with reverse-mode automatic differentiation (see the module docstring).

    Parameters
    ----------
    data : array_like or Tensor
        The values. Python floats become float32; NumPy float64 stays float64.
    requires_grad : bool, default False
        Record operations on this tensor so that ``backward`` computes ``.grad``.
    dtype : dtype or str, optional
        Convert the data to this dtype.
    """

    __slots__ = (
        "data",
        "_requires_grad",
        "grad",
        "grad_fn",
        "_vc",
        "_retain",
        "_hooks",
        "__weakref__",
    )
    # ndarray (op) Tensor and np.float64 (op) Tensor defer to Tensor's reflected operators
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data = _to_array(data, dtype)
        self.grad = None
        self.grad_fn = None
        self._vc = None
        self._retain = False
        self._hooks = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad = True

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad: bool, grad_fn) -> Tensor:
        """Fast internal constructor: wraps ``data`` without conversion."""
        t = object.__new__(Tensor)
        t.data = data
        t._requires_grad = requires_grad
        t.grad = None
        t.grad_fn = grad_fn
        t._vc = None
        t._retain = False
        t._hooks = None
        return t

    # ------------------------------------------------------------------ autograd attributes
    @property
    def _version(self) -> list:
        """The version counter ``[n]``: bumped by every in-place op on this tensor's buffer, shared
        with its views; nodes that saved the buffer compare it at backward (in-place guard).

        Created on first use (slot ``_vc`` is None until then, meaning version 0): most results
        are never modified in place nor saved, and one list fewer per op result is one object
        fewer for the garbage collector to track (per-node overhead, issue 4)."""
        counter = self._vc
        if counter is None:
            counter = self._vc = [0]
        return counter

    @_version.setter
    def _version(self, counter: list) -> None:
        self._vc = counter

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        value = bool(value)
        if self.grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if value and self.data.dtype.kind not in _FLOAT_KINDS:
            raise RuntimeError(
                "only floating point tensors can require gradients "
                f"(got a tensor of dtype {self.data.dtype})"
            )
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            import weakref

            self._retain = True
            self.grad_fn._retained = weakref.ref(self)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when the gradient w.r.t. this tensor is computed; a non-None
        return value replaces the gradient. Returns a handle with ``remove()``.

        Example
        -------
        >>> from glassml.autograd import tensor
        >>> x = tensor([1.0, 2.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> (x * x).sum().backward()
        >>> x.grad.numpy()
        array([20., 40.], dtype=float32)
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        owner = self if self.grad_fn is None else self.grad_fn
        if owner._hooks is None:
            owner._hooks = {}
        key = object()
        owner._hooks[key] = hook
        return _HookHandle(owner, key)

    @property
    def retains_grad(self) -> bool:
        return self._retain

    def backward(self, gradient=None, retain_graph=None, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) . gradient into every leaf's ``.grad`` (see engine.py)."""
        from .engine import backward

        backward(self, gradient, retain_graph=retain_graph, create_graph=create_graph)

    def detach(self) -> Tensor:
        """A new tensor sharing the data, cut from the graph (requires_grad=False)."""
        t = Tensor._make(self.data, False, None)
        t._version = self._version
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    # ------------------------------------------------------------------ array attributes
    @property
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def dim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None):
        if dim is None:
            return self.data.shape
        return self.data.shape[dim]

    def numel(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        return self.permute(*range(self.data.ndim - 1, -1, -1))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    @property
    def device(self) -> str:
        return "cpu"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    @property
    def nbytes(self) -> int:
        return self.data.nbytes

    def element_size(self) -> int:
        return self.data.itemsize

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one element tensors can be converted to Python scalars, "
                f"got shape {self.data.shape}"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None:
            return self.data.astype(dtype, copy=bool(copy))
        return self.data.copy() if copy else self.data

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous "
                f"(shape {self.data.shape})"
            )
        return bool(self.data.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.data.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype != np.float32 and self.data.dtype.kind == "f":
            extras.append(f"dtype={self.data.dtype}")
        elif self.data.dtype.kind != "f":
            extras.append(f"dtype={self.data.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn={self.grad_fn.name()}")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    def __hash__(self) -> int:
        return id(self)

    # ------------------------------------------------------------------ conversions
    def to(self, dtype=None, *args, **kwargs) -> Tensor:
        """Cast to ``dtype`` (differentiable for float -> float); device strings are accepted."""
        if isinstance(dtype, str) and dtype in ("cpu",):
            return self
        if isinstance(dtype, Tensor):
            dtype = dtype.dtype
        if dtype is None:
            dtype = kwargs.get("dtype")
            if dtype is None:
                return self
        return _ops.movement.to_dtype(self, _as_dtype(dtype))

    def type(self, dtype) -> Tensor:
        return self.to(dtype)

    def float(self) -> Tensor:
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def cpu(self) -> Tensor:
        return self

    def clone(self) -> Tensor:
        return _ops.elementwise.clone(self)

    def contiguous(self) -> Tensor:
        return self


class _HookHandle:
    """Removes a hook registered with :meth:`Tensor.register_hook`."""

    def __init__(self, owner, key):
        self._owner, self._key = owner, key

    def remove(self) -> None:
        hooks = self._owner._hooks
        if hooks is not None:
            hooks.pop(self._key, None)
            if not hooks:
                self._owner._hooks = None


class Parameter(Tensor):
    """A leaf tensor that is a model parameter: ``requires_grad=True`` by default.

    Example
    -------
    >>> import numpy as np
    >>> w = Parameter(np.zeros((2, 3), dtype=np.float32))
    >>> w.requires_grad, w.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = np.empty((0,), dtype=np.float32)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
