"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, and the
shape helpers ``Identity``, ``Flatten``, ``Unflatten`` (PyTorch names, key names and reprs).

``Sequential(f1, ..., fk)(x) = fk(...f2(f1(x)))``; children are named ``"0"``, ``"1"``, ...
(or by the keys of an OrderedDict), which fixes the state-dict keys (``"0.weight"``).

Inventory: NL-01, NL-03, NL-04.

Example
-------
>>> from glassml.nn import Linear, ReLU
>>> net = Sequential(Linear(2, 3), ReLU())
>>> len(net), type(net[0]).__name__, len(net[:1])
(2, 'Linear', 1)
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from glassml.autograd import Parameter

from .module import Module

__all__ = [
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "Identity",
    "Flatten",
    "Unflatten",
]


def _index(idx, n: int, owner: str) -> int:
    idx = operator.index(idx)
    if not -n <= idx < n:
        raise IndexError(f"{owner}: index {idx} is out of range for length {n}")
    return idx + n if idx < 0 else idx


class Sequential(Module):
    """Apply modules in order: ``Sequential(m1, m2)(x) == m2(m1(x))``.

    Accepts modules as arguments or one ``OrderedDict`` name -> module. Supports ``len``,
    integer indexing, slicing (returns a Sequential), ``append``, ``insert``, ``extend``,
    iteration and ``del``.

    Inventory: NL-01.

    Example
    -------
    >>> from glassml.nn import Linear, Tanh
    >>> net = Sequential(Linear(4, 8), Tanh(), Linear(8, 1))
    >>> [name for name, _ in net.named_children()]
    ['0', '1', '2']
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        keys = list(self._modules)
        return self._modules[keys[_index(idx, len(keys), "Sequential")]]

    def __setitem__(self, idx, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module subclass")
        keys = list(self._modules)
        self._modules[keys[_index(idx, len(keys), "Sequential")]] = module

    def __delitem__(self, idx) -> None:
        keys = list(self._modules)
        if isinstance(idx, slice):
            for key in keys[idx]:
                del self._modules[key]
        else:
            del self._modules[keys[_index(idx, len(keys), "Sequential")]]
        # re-number so that the keys stay "0", "1", ... like torch
        items = list(self._modules.values())
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: {type(module).__name__} is not a Module subclass")
        n = len(self)
        index = operator.index(index)
        if not -n <= index <= n:
            raise IndexError(f"Sequential.insert: index {index} out of range for length {n}")
        index = index + n if index < 0 else index
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m
        return self


class ModuleList(Module):
    """A list of modules registered as children ``"0"``, ``"1"``, ... (no forward).

    Inventory: NL-01.

    Example
    -------
    >>> from glassml.nn import Linear
    >>> layers = ModuleList([Linear(2, 2) for _ in range(3)])
    >>> len(list(layers.parameters()))
    6
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        keys = list(self._modules)
        return self._modules[keys[_index(idx, len(keys), "ModuleList")]]

    def __setitem__(self, idx, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: {type(module).__name__} is not a Module subclass")
        self._modules[str(_index(idx, len(self), "ModuleList"))] = module

    def __delitem__(self, idx) -> None:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            del items[idx]
        else:
            del items[_index(idx, len(items), "ModuleList")]
        self._modules.clear()
        for i, m in enumerate(items):
            self._modules[str(i)] = m

    def __iadd__(self, modules):
        return self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        if isinstance(modules, Module) and not isinstance(modules, ModuleList | Sequential):
            raise TypeError("ModuleList.extend should be called with an iterable of modules")
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        items = list(self._modules.values())
        items.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(items):
            self.add_module(str(i), m)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward; iterate over its modules")


class ModuleDict(Module):
    """An ordered dict of named child modules (keys become state-dict prefixes).

    Inventory: NL-01, NL-04.

    Example
    -------
    >>> from glassml.nn import Linear
    >>> heads = ModuleDict({"cls": Linear(4, 3), "reg": Linear(4, 1)})
    >>> list(heads.keys())
    ['cls', 'reg']
    """

    def __init__(self, modules: Mapping[str, Module] | None = None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def pop(self, key: str) -> Module:
        return self._modules.pop(key)

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules) -> None:
        items = modules.items() if isinstance(modules, Mapping) else modules
        for key, module in items:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward; index it by name")


class ParameterList(Module):
    """A list of Parameters registered as ``"0"``, ``"1"``, ... (state-dict keys like torch).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import Parameter
    >>> pl = ParameterList([Parameter(np.zeros(2)), Parameter(np.ones(3))])
    >>> [name for name, _ in pl.named_parameters()]
    ['0', '1']
    """

    def __init__(self, values: Iterable | None = None):
        super().__init__()
        if values is not None:
            for v in values:
                self.append(v)

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def __getitem__(self, idx) -> Parameter:
        return self._parameters[str(_index(idx, len(self), "ParameterList"))]

    def __setitem__(self, idx, param) -> None:
        if not isinstance(param, Parameter):
            param = Parameter(param)
        self._parameters[str(_index(idx, len(self), "ParameterList"))] = param

    def append(self, value) -> ParameterList:
        if not isinstance(value, Parameter):
            value = Parameter(value)
        self._parameters[str(len(self))] = value
        return self

    def extend(self, values) -> ParameterList:
        for v in values:
            self.append(v)
        return self

    def extra_repr(self) -> str:
        return "\n".join(
            f"({k}): Parameter containing: [{p.dtype} of size {'x'.join(map(str, p.shape))}]"
            for k, p in self._parameters.items()
        )


class Identity(Module):
    """Return the input unchanged (a placeholder layer; accepts and ignores any arguments).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> Identity(54, unused="x")(ones(2)).shape
    (2,)
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Flatten dims ``start_dim..end_dim`` into one: (N, C, H, W) -> (N, C*H*W) by default.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> Flatten()(ones(2, 3, 4, 5)).shape
    (2, 60)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dimension ``dim`` into ``unflattened_size``: (N, 60) -> (N, 3, 4, 5).

    Example
    -------
    >>> from glassml.autograd import ones
    >>> Unflatten(1, (3, 4, 5))(ones(2, 60)).shape
    (2, 3, 4, 5)
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input):
        shape = input.shape
        dim = self.dim + len(shape) if self.dim < 0 else self.dim
        if not 0 <= dim < len(shape):
            raise IndexError(f"Unflatten: dim {self.dim} out of range for input shape {shape}")
        new = (*shape[:dim], *self.unflattened_size, *shape[dim + 1 :])
        return input.reshape(*new)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
