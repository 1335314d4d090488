"""Gradient clipping: by global norm (PyTorch's ``clip_grad_norm_``), by value, per tensor.

Global norm (OP-21)::

    ‖g‖ = (Σ_p ‖g_p‖_q^q)^{1/q}          (q = norm_type; max over entries for q = inf)
    g_p ← g_p · min(1, max_norm / (‖g‖ + 1e-6))

so gradients are rescaled only when ‖g‖ > max_norm. The seed writes g·θ/‖g‖ with no
condition, which would rescale every gradient to norm θ (inventory §5 E-24); this is the
corrected, PyTorch-identical form. The function returns the total norm *before* clipping.

Inventory: OP-20, OP-21.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter, tensor
>>> w = Parameter(np.zeros(2)); w.grad = tensor(np.array([3.0, 4.0]))
>>> float(clip_grad_norm_([w], max_norm=1.0))
5.0
>>> np.round(w.grad.numpy(), 6)
array([0.6, 0.8])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from glassml.autograd import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grad_norm_per_tensor_", "get_total_norm"]


def _params_with_grad(parameters) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"parameters must be Tensors, got {type(p).__name__}")
    return [p for p in params if p.grad is not None]


def _norm(a: np.ndarray, q: float) -> float:
    """‖a‖_q of the flattened array."""
    flat = a.ravel()
    if q == math.inf:
        return float(np.max(np.abs(flat))) if flat.size else 0.0
    if q == 2.0:
        return (
            float(np.sqrt(flat @ flat)) if flat.dtype.kind == "f" else float(np.linalg.norm(flat))
        )
    return float(np.sum(np.abs(flat) ** q) ** (1.0 / q))


def get_total_norm(tensors: Iterable, norm_type: float = 2.0) -> float:
    """The q-norm of all arrays together: (Σ ‖t‖_q^q)^{1/q} (max for q = inf)."""
    norms = [_norm(t.data if isinstance(t, Tensor) else np.asarray(t), norm_type) for t in tensors]
    if not norms:
        return 0.0
    if norm_type == math.inf:
        return max(norms)
    return _norm(np.asarray(norms), norm_type)


def clip_grad_norm_(
    parameters,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach=None,
) -> Tensor:
    """Rescale all gradients together so that their total norm is at most ``max_norm``.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors (those without ``.grad`` are skipped)
    max_norm : float
    norm_type : float, default 2.0 (``inf`` for the max norm)
    error_if_nonfinite : bool, default False — raise if the total norm is nan/inf
    foreach : ignored (accepted for PyTorch compatibility)

    Returns
    -------
    Tensor: the total norm before clipping (a 0-d tensor, like torch).
    """
    max_norm, norm_type = float(max_norm), float(norm_type)
    if max_norm < 0 or math.isnan(max_norm):
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    params = _params_with_grad(parameters)
    if not params:
        return Tensor(np.array(0.0, dtype=np.float32))
    grads = [p.grad.data for p in params]
    total = get_total_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = min(max_norm / (total + 1e-6), 1.0)  # clamp(max_norm/(‖g‖+1e-6), max=1)
    for g in grads:
        g *= np.asarray(coef, dtype=g.dtype)
    return Tensor(np.array(total, dtype=grads[0].dtype))


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient entry to [−clip_value, clip_value] in place (OP-20)."""
    clip_value = float(clip_value)
    if clip_value < 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    for p in _params_with_grad(parameters):
        np.clip(p.grad.data, -clip_value, clip_value, out=p.grad.data)


def clip_grad_norm_per_tensor_(parameters, clipnorm: float) -> list[float]:
    """Keras' ``clipnorm``: each gradient tensor is clipped to L2 norm ``clipnorm`` on its own,
    g_p ← g_p · min(1, c / ‖g_p‖₂) (OP-21 variant). Returns the per-tensor norms before."""
    clipnorm = float(clipnorm)
    if clipnorm <= 0:
        raise ValueError(f"clip_grad_norm_per_tensor_: clipnorm must be > 0, got {clipnorm}")
    norms = []
    for p in _params_with_grad(parameters):
        g = p.grad.data
        n = _norm(g, 2.0)
        norms.append(n)
        if n > clipnorm:
            g *= np.asarray(clipnorm / n, dtype=g.dtype)
    return norms
