"""``Module``: the base class of every layer and model (PyTorch's ``nn.Module``).

A Module owns three ordered registries, filled by plain attribute assignment:

* ``_parameters`` — :class:`~glassml.autograd.Parameter` leaves that an optimizer updates;
* ``_buffers`` — tensors that are state but not trained (BatchNorm's running statistics);
  a buffer registered with ``persistent=False`` is left out of ``state_dict``;
* ``_modules`` — child Modules.

``state_dict()`` flattens them into ``{"<path>.<name>": tensor}`` with PyTorch's key names
(``"0.weight"``, ``"layers.1.bias"``, ``"bn.running_mean"``, ``"bn.num_batches_tracked"``), so
weights move between glassml and torch unchanged. Shared (tied) parameters are listed once by
``parameters()`` — the optimizer must not update a weight twice.

Inventory: NL-01, NL-02, NL-05 (module API, parameter counting, saving).

Example
-------
>>> from glassml.nn import Linear, ReLU, Sequential
>>> model = Sequential(Linear(3, 4), ReLU(), Linear(4, 2))
>>> list(model.state_dict())
['0.weight', '0.bias', '2.weight', '2.bias']
>>> count_parameters(model)
26
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

import numpy as np

from glassml.autograd import Parameter, Tensor, no_grad

__all__ = ["Module", "count_parameters"]


class _RemovableHandle:
    """Removes a hook from the dict it was registered in."""

    _next_id = 0

    def __init__(self, hooks: dict):
        self._hooks = hooks
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)


def _add_indent(text: str, n_spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * n_spaces + line for line in lines[1:])


def _as_array(value, key: str) -> np.ndarray:
    """The NumPy array of a state-dict value (glassml Tensor, ndarray, torch tensor...)."""
    if isinstance(value, Tensor):
        return value.data
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor
        return value.detach().cpu().numpy()
    try:
        return np.asarray(value)
    except Exception as err:  # pragma: no cover - exotic objects
        raise TypeError(
            f"load_state_dict: value of {key!r} must be an array or tensor, "
            f"got {type(value).__name__}"
        ) from err


class Module:
    """Base class of neural-network layers and models (mirrors ``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, assign Parameters, buffers and child
    Modules as attributes, and implement ``forward``. ``model(x)`` runs forward pre-hooks,
    ``forward`` and forward hooks.

    Inventory: NL-01, NL-02.

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import Parameter
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.alpha = Parameter(np.ones(1, dtype=np.float32))
    ...     def forward(self, x):
    ...         return self.alpha * x
    >>> [name for name, _ in Scale().named_parameters()]
    ['alpha']
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    # ------------------------------------------------------------------ forward
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call super().__init__() before use"
            )
        if not self._forward_pre_hooks and not self._forward_hooks:
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_pre_hook(self, hook: Callable) -> _RemovableHandle:
        """``hook(module, args)`` runs before forward; a non-None result replaces ``args``."""
        handle = _RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    def register_forward_hook(self, hook: Callable) -> _RemovableHandle:
        """``hook(module, args, output)`` runs after forward; non-None replaces the output."""
        handle = _RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            if isinstance(value, Parameter | Module):
                raise AttributeError(
                    f"cannot assign {type(value).__name__} {name!r} before "
                    f"{type(self).__name__}.__init__ called super().__init__()"
                )
            object.__setattr__(self, name, value)
            return
        params, buffers, modules = d["_parameters"], d["_buffers"], d["_modules"]
        if isinstance(value, Parameter):
            self._remove_from(name, d, buffers, modules)
            params[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter {name!r} "
                    "(a Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._remove_from(name, d, params, buffers)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module {name!r} "
                    "(a Module or None expected)"
                )
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign {type(value).__name__} as buffer {name!r} "
                    "(a Tensor or None expected)"
                )
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    @staticmethod
    def _remove_from(name, d, *registries) -> None:
        d.pop(name, None)
        for reg in registries:
            reg.pop(name, None)

    def __getattr__(self, name: str):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            reg = d.get(key)
            if reg is not None and name in reg:
                return reg[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for key in ("_parameters", "_buffers", "_modules"):
            reg = self.__dict__[key]
            if name in reg:
                del reg[name]
                self._non_persistent_buffers_set.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )

    def _check_name(self, name, kind: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if name == "" or "." in name:
            raise KeyError(f'{kind} name can\'t be empty or contain ".", got {name!r}')
        if name in self.__dict__ or (hasattr(type(self), name)):
            raise KeyError(f"attribute {name!r} already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None placeholder, e.g. ``bias=False``) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign {type(param).__name__} object to parameter {name!r} "
                "(a Parameter or None required)"
            )
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state saved in ``state_dict`` (unless ``persistent=False``), not trained.

        Example
        -------
        >>> from glassml.autograd import zeros
        >>> m = Module(); m.register_buffer("running_mean", zeros(3))
        >>> list(m.state_dict())
        ['running_mean']
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign {type(tensor).__name__} object to buffer {name!r} "
                "(a Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child under ``name`` (like attribute assignment)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at dotted path ``target`` (``"encoder.0"``)."""
        mod = self
        for item in target.split(".") if target else []:
            if item not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no submodule {item!r}")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target`` (``"0.weight"``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter {name!r}")
        return mod._parameters[name]

    # ------------------------------------------------------------------ iteration
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for this module and every descendant, pre-order."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from child.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        mods = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        """Yield ``(dotted_name, Parameter)``; a shared (tied) parameter appears once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------ modes and grads
    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn(m)`` on every submodule (children first) and on self; returns self."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def train(self, mode: bool = True) -> Module:
        """Set training mode (dropout active, BatchNorm uses batch statistics) recursively."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to None by default, like PyTorch 2)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.data.fill(0)  # keep the buffer: backward adds into it

    # ------------------------------------------------------------------ state dict
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False):
        """``OrderedDict`` name -> tensor of every parameter and persistent buffer.

        Keys follow PyTorch (``"0.weight"``, ``"bn.running_var"``); values share memory with
        the module (detached unless ``keep_vars``). Duplicated (tied) tensors appear under
        every name, as in torch.
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def _local_state(self, prefix: str) -> dict:
        """Slots of this module that ``load_state_dict`` fills: key -> (registry, name)."""
        slots = {}
        for name, p in self._parameters.items():
            if p is not None:
                slots[prefix + name] = ("_parameters", name)
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                slots[prefix + name] = ("_buffers", name)
        return slots

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy ``state_dict`` values into the parameters and buffers (in place).

        Returns ``(missing_keys, unexpected_keys)`` as a named tuple. With ``strict`` (the
        default) missing or unexpected keys raise ``RuntimeError`` listing them; a shape
        mismatch always raises. Values may be glassml Tensors, NumPy arrays or torch tensors;
        they are cast to the existing dtype (``assign=True`` keeps the given dtype instead).
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(
                f"load_state_dict: expected a mapping of names to tensors, "
                f"got {type(state_dict).__name__}"
            )
        slots = {}
        for mod_prefix, mod in self.named_modules(remove_duplicate=False):
            prefix = mod_prefix + "." if mod_prefix else ""
            for key, (registry, name) in mod._local_state(prefix).items():
                slots[key] = (mod, registry, name)
        missing = [k for k in slots if k not in state_dict]
        unexpected = [k for k in state_dict if k not in slots]
        errors = []
        if strict:
            if unexpected:
                errors.append(
                    "Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected)
                )
            if missing:
                errors.append(
                    "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing)
                )
        updates = []
        for key, (mod, registry, name) in slots.items():
            if key not in state_dict:
                continue
            target = getattr(mod, registry)[name]
            value = _as_array(state_dict[key], key)
            if value.shape != target.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {target.shape}."
                )
                continue
            updates.append((target, value))
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for target, value in updates:
                if assign:
                    target.data = np.array(value, copy=True)
                else:
                    target.data[...] = value.astype(target.data.dtype, copy=False)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ dtype
    def _apply_dtype(self, dtype) -> Module:
        dtype = np.dtype(dtype)
        for t in list(self.parameters()) + list(self.buffers()):
            if t.data.dtype.kind == "f" and t.data.dtype != dtype:
                t.data = t.data.astype(dtype)
                if t.grad is not None:
                    t.grad.data = t.grad.data.astype(dtype)
        return self

    def to(self, dtype=None, *args, **kwargs) -> Module:
        """Cast floating parameters and buffers to ``dtype`` in place ("cpu" is accepted)."""
        dtype = kwargs.get("dtype", dtype)
        if dtype is None or (isinstance(dtype, str) and dtype == "cpu"):
            return self
        if isinstance(dtype, str):
            dtype = {"float": "float32", "double": "float64", "half": "float16"}.get(
                dtype.removeprefix("torch."), dtype.removeprefix("torch.")
            )
        try:
            dt = np.dtype(dtype)
        except TypeError as err:
            raise TypeError(f"to: expected a floating dtype, got {dtype!r}") from err
        if dt.kind != "f":
            raise TypeError(f"to: nn.Module.to only accepts floating dtypes, got {dt}")
        return self._apply_dtype(dt)

    def float(self) -> Module:
        return self._apply_dtype(np.float32)

    def double(self) -> Module:
        return self._apply_dtype(np.float64)

    def half(self) -> Module:
        return self._apply_dtype(np.float16)

    def cpu(self) -> Module:
        return self

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """Extra text in this module's repr (e.g. ``in_features=3, out_features=4``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, child in self._modules.items():
            lines.append(f"({name}): " + _add_indent(repr(child), 2))
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of scalar parameters (shared parameters counted once)."""
        return count_parameters(self, trainable_only)


class _IncompatibleKeys(tuple):
    """``(missing_keys, unexpected_keys)`` returned by ``load_state_dict``."""

    def __new__(cls, missing_keys, unexpected_keys):
        return super().__new__(cls, (missing_keys, unexpected_keys))

    @property
    def missing_keys(self):
        return self[0]

    @property
    def unexpected_keys(self):
        return self[1]

    def __repr__(self) -> str:
        if not self[0] and not self[1]:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self[0]}, unexpected_keys={self[1]})"


def count_parameters(module: Module, trainable_only: bool = False) -> int:
    """Total number of scalar parameters of ``module`` (each tied parameter once).

    For a Linear(in, out) layer this is out*in + out (inventory NL-02).

    Example
    -------
    >>> from glassml.nn import Linear
    >>> count_parameters(Linear(784, 256))
    200960
    """
    return int(
        sum(p.data.size for p in module.parameters() if p.requires_grad or not trainable_only)
    )
