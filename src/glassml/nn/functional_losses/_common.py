"""Input checks and the reduction shared by every loss of ``glassml.nn.functional_losses``.

Each helper raises an exception naming the loss, the argument, what was expected and what was
given. Inventory: LS-01..LS-28 (shared plumbing).
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Tensor, as_tensor
from glassml.autograd.fused.loss import _legacy_reduction

_LOG2 = math.log(2.0)
_EPS64 = float(np.finfo(np.float64).eps)  # sklearn's MAPE floor on |y|


# ----------------------------------------------------------------------------- helpers
def _t(x, name: str = "input") -> Tensor:
    """A Tensor view of ``x`` (Tensors pass through unchanged)."""
    if isinstance(x, Tensor):
        return x
    try:
        return as_tensor(x)
    except Exception as err:
        raise TypeError(f"{name} must be a Tensor or array, got {type(x).__name__}") from err


def _check_float(x: Tensor, name: str, op: str) -> None:
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"{op}: {name} must be a floating-point tensor (float32 or float64), got {x.dtype}"
        )


def _same_shape(a: Tensor, b: Tensor, op: str, names=("input", "target")) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{op}: {names[0]} and {names[1]} must have the same shape, got "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )


def _check_pm1(y: Tensor, op: str, name: str = "target") -> None:
    if not np.isin(y.data, (-1, 1)).all():
        bad = y.data[~np.isin(y.data, (-1, 1))].ravel()[0].item()
        raise ValueError(f"{op}: {name} values must be -1 or +1, got {bad!r}")


def _check_01(y: Tensor, op: str, name: str = "target") -> None:
    if not np.isin(y.data, (0, 1)).all():
        bad = y.data[~np.isin(y.data, (0, 1))].ravel()[0].item()
        raise ValueError(f"{op}: {name} values must be 0 or 1, got {bad!r}")


def _check_nonneg(value: float, name: str, op: str) -> float:
    value = float(value)
    if not value >= 0:
        raise ValueError(f"{op}: {name} must be >= 0, got {value}")
    return value


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    raise ValueError(f"reduction must be one of ('none', 'mean', 'sum'), got {reduction!r}")


def _prepare(input, target, op: str, reduction: str, size_average=None, reduce=None):
    """(input, target, reduction) for element-wise losses: float tensors of one shape."""
    x, y = _t(input, "input"), _t(target, "target")
    _check_float(x, "input", op)
    _same_shape(x, y, op)
    return x, y, _legacy_reduction(size_average, reduce, reduction)
