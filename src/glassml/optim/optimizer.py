"""``Optimizer``: the base class of every gradient-descent optimizer (PyTorch's ``optim.Optimizer``).

An optimizer owns ``param_groups`` — a list of dicts, each with its ``"params"`` (a list of
:class:`~glassml.autograd.Parameter`) and its own hyperparameters (``lr``, ``weight_decay``...);
a hyperparameter missing from a group takes the optimizer's ``defaults``. ``state`` maps each
parameter to its per-parameter buffers (momentum, moment estimates, step counter). ``step()``
applies one update to every parameter that has a ``.grad``; updates run in place on the NumPy
arrays with ufuncs and ``out=`` so float32 parameters stay float32.

``state_dict()`` uses PyTorch's layout: ``{"state": {0: {...}, 1: {...}}, "param_groups":
[{..., "params": [0, 1]}]}`` with parameters numbered in order of appearance across groups.

Inventory: OP-13 (param groups, zero_grad, step, state_dict; the Keras-like ``apply_gradients``).

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> from glassml.optim import SGD
>>> w = Parameter(np.array([1.0, 2.0]))
>>> opt = SGD([w], lr=0.1)
>>> (w * w).sum().backward()
>>> opt.step()
>>> w.data
array([0.8, 1.6])
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable

import numpy as np

from glassml.autograd import Tensor

__all__ = ["Optimizer", "required"]


def _axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """y ← y + a·x in place, in one pass (BLAS axpy) for contiguous float arrays."""
    if (
        y.flags.c_contiguous
        and x.flags.c_contiguous
        and x.dtype == y.dtype
        and y.dtype in (np.float32, np.float64)
        and y.size > 4096
    ):
        from scipy.linalg.blas import daxpy, saxpy

        fn = saxpy if y.dtype == np.float32 else daxpy
        out = fn(x.reshape(-1), y.reshape(-1), a=a)
        if not np.shares_memory(out, y):  # pragma: no cover - BLAS made a copy
            y.reshape(-1)[:] = out
    else:
        y += a * x


# Running averages of a gradient that has become (and stays) zero — the weights of a dead ReLU
# unit, say — decay geometrically (m ← β m) into the subnormal range, where x86 arithmetic is
# ~100x slower: one MLP epoch measured 8.8 s -> 15 s over four epochs from this alone. Every
# _FLUSH_EVERY steps, state entries below _FLUSH_SCALE x the smallest normal number are set to
# zero. With β >= 0.5 an entry needs >= 24 steps to fall from there into the subnormal range, so
# no entry ever gets there; the change to a parameter update is below lr x 1e-30 / eps.
_FLUSH_EVERY = 16
_FLUSH_SCALE = {np.dtype(np.float32): 2.0**24, np.dtype(np.float64): 2.0**53}


def _flush_tiny_(a: np.ndarray) -> None:
    """Set the entries of a float array with |a| < 2^mantissa · tiny (near-subnormal) to 0."""
    scale = _FLUSH_SCALE.get(a.dtype)
    if scale is None or a.size == 0:
        return
    bound = np.finfo(a.dtype).tiny * scale
    np.copyto(a, 0, where=np.abs(a) < bound)


class _Required:
    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()


def _check_nonneg(name: str, value, opt: str) -> None:
    if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{opt}: {name} must be a real number, got {type(value).__name__}")
    if not math.isfinite(float(value)) or value < 0.0:
        raise ValueError(f"Invalid {name} value: {value} ({opt} expects a finite {name} >= 0)")


def _check_betas(betas, opt: str) -> None:
    try:
        b1, b2 = betas
    except (TypeError, ValueError) as err:
        raise ValueError(f"{opt}: betas must be a pair (beta1, beta2), got {betas!r}") from err
    for i, b in enumerate((b1, b2)):
        if not 0.0 <= b < 1.0:
            raise ValueError(
                f"Invalid beta parameter at index {i}: {b} ({opt} expects 0 <= beta < 1)"
            )


class Optimizer:
    """Base class: param groups, per-parameter state, ``zero_grad``, ``step``, state dicts.

    Parameters
    ----------
    params : iterable of Parameter, or iterable of dicts
        The tensors to optimize, or param groups ``{"params": [...], "lr": ...}``.
    defaults : dict
        Default hyperparameters for groups that do not set them.

    Subclasses implement ``_update_group(group)`` (one update of every parameter of a group);
    ``step(closure)`` evaluates the closure (with grad enabled) and calls it for each group.
    """

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict = {}
        self.param_groups: list[dict] = []
        self._opt_called = False
        self._step_count = 0
        if isinstance(params, (Tensor, np.ndarray)):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group ``{"params": [...], **options}``; missing options take the defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections")
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
            if not np.issubdtype(p.data.dtype, np.floating):
                raise TypeError(f"optimizer can only optimize floating tensors, got {p.dtype}")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required {name}")
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        if len({id(p) for p in params}) != len(params):
            raise ValueError("a parameter group contains the same parameter twice")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ zero_grad / step
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: ``None`` (default) or zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.data.fill(0)  # keep the buffer: backward adds into it

    def step(self, closure: Callable | None = None):
        """One update of every parameter with a gradient; returns the closure's loss, if any."""
        self._opt_called = True
        self._step_count += 1
        loss = None
        if closure is not None:
            from glassml.autograd import enable_grad

            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        if self._step_count % _FLUSH_EVERY == 0:
            self._flush_state()
        return loss

    def _flush_state(self) -> None:
        """Zero the near-subnormal entries of every state buffer (see ``_FLUSH_EVERY``)."""
        for state in self.state.values():
            for buf in state.values():
                if isinstance(buf, np.ndarray) and buf.dtype.kind == "f":
                    _flush_tiny_(buf)

    def _update_group(self, group: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _grad(p: Tensor, maximize: bool = False) -> np.ndarray | None:
        """The gradient array of ``p`` (negated for ``maximize``), or None."""
        g = p.grad
        if g is None:
            return None
        g = g.data if isinstance(g, Tensor) else np.asarray(g)
        if g.dtype != p.data.dtype:
            g = g.astype(p.data.dtype)
        return np.negative(g) if maximize else g

    def _param_state(self, p: Tensor) -> dict:
        return self.state.setdefault(p, {})

    def _scratch(self, p: Tensor) -> np.ndarray:
        """A reusable work array shaped like ``p`` (not part of the state dict): large
        temporaries are not re-allocated (and page-faulted) at every step."""
        cache = self.__dict__.setdefault("_scratch_arrays", {})
        buf = cache.get(id(p))
        if buf is None or buf.shape != p.data.shape or buf.dtype != p.data.dtype:
            buf = cache[id(p)] = np.empty_like(p.data)
        return buf

    # ------------------------------------------------------------------ Keras-style adapter
    def apply_gradients(self, grads_and_vars: Iterable) -> None:
        """Keras' ``optimizer.apply_gradients(zip(grads, vars))`` (OP-13): set each variable's
        ``.grad`` to the given array, then take one step. Variables must belong to this
        optimizer."""
        known = {id(p) for g in self.param_groups for p in g["params"]}
        for grad, var in grads_and_vars:
            if id(var) not in known:
                raise ValueError("apply_gradients: a variable is not managed by this optimizer")
            arr = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
            if arr.shape != var.shape:
                raise ValueError(
                    f"apply_gradients: gradient shape {arr.shape} does not match the variable "
                    f"shape {var.shape}"
                )
            var.grad = Tensor(arr.astype(var.data.dtype, copy=True))
        self.step()

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict:
        """PyTorch's layout: parameters numbered 0, 1, ... in order across the groups."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            ids = []
            for p in group["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state:
                    state[index[id(p)]] = copy.deepcopy(self.state[p])
        return {"state": state, "param_groups": copy.deepcopy(groups)}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore groups' options and per-parameter state saved by :meth:`state_dict`."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, saved in zip(self.param_groups, saved_groups, strict=True):
            if len(ours["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size of "
                    "optimizer's group"
                )
        id_map = {}
        for ours, saved in zip(self.param_groups, saved_groups, strict=True):
            for p, i in zip(ours["params"], saved["params"], strict=True):
                id_map[i] = p
        self.state = {}
        for i, st in state_dict["state"].items():
            p = id_map[int(i)]
            restored = {}
            for k, v in st.items():
                if hasattr(v, "detach") and hasattr(v, "numpy"):  # a torch tensor
                    v = v.detach().cpu().numpy()
                if isinstance(v, np.ndarray) and v.ndim > 0:
                    v = v.astype(p.data.dtype, copy=True)
                elif isinstance(v, np.ndarray):
                    v = float(v)
                restored[k] = copy.deepcopy(v)
            self.state[p] = restored
        for ours, saved in zip(self.param_groups, saved_groups, strict=True):
            for k, v in saved.items():
                if k != "params":
                    ours[k] = copy.deepcopy(v)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(group):
                if k != "params":
                    lines.append(f"    {k}: {group[k]}")
        lines.append(")")
        return "\n".join(lines)
