"""Regularisation helpers (RG): L1 / L2 / elastic-net penalties over parameters and the
max-norm constraint.

* L2 (RG-01): penalty = lam * sum_w w^2. Convention note: some texts use lam/2 * sum w^2
  so that the gradient is lam*w; ``torch.optim.SGD(weight_decay=wd)`` adds wd*w to the
  gradient, i.e. it equals ``l2_penalty(..., lam=wd/2)`` (for SGD; not for Adam — see AdamW).
* L1 (RG-02): penalty = lam * sum_w |w| (subgradient sign(w), 0 at 0).
* Elastic net (RG-03), scikit-learn's convention:
  alpha * (l1_ratio * sum|w| + (1 - l1_ratio) / 2 * sum w^2).
* max-norm: each row w_i (fan-in vector of a unit) is rescaled to ||w_i||_2 <= c after a step
  (``torch.renorm(w, 2, 0, c)``).

Penalties return a scalar Tensor in the graph, so ``(loss + penalty).backward()`` adds their
gradient. ``params`` is a Module (all parameters, or only weights with ``weights_only``) or an
iterable of tensors.

Example
-------
>>> from glassml.nn import Linear
>>> layer = Linear(3, 2)
>>> pen = l2_penalty(layer, lam=1e-3, weights_only=True)
>>> pen.shape
()
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Tensor, no_grad

from .module import Module

__all__ = ["l1_penalty", "l2_penalty", "elastic_net_penalty", "max_norm_"]


def _params(params, weights_only: bool) -> list:
    if isinstance(params, Module):
        items = [
            p
            for name, p in params.named_parameters()
            if not weights_only or not name.rsplit(".", 1)[-1].startswith("bias")
        ]
    elif isinstance(params, Tensor):
        items = [params]
    else:
        items = list(params)
    for p in items:
        if not isinstance(p, Tensor):
            raise TypeError(f"params: expected Tensors or a Module, got {type(p).__name__}")
    if not items:
        raise ValueError("params: no parameters to penalise")
    return items


def _check_lam(lam, name="lam") -> float:
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or lam < 0:
        raise ValueError(f"{name} must be a non-negative number, got {lam!r}")
    return float(lam)


def l2_penalty(params, lam: float = 1.0, *, weights_only: bool = False) -> Tensor:
    """lam * sum of squared parameters (RG-01). Gradient: 2 lam w.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> float(l2_penalty([tensor([1.0, 2.0])], lam=0.5))
    2.5
    """
    lam = _check_lam(lam)
    return sum((p * p).sum() for p in _params(params, weights_only)) * lam


def l1_penalty(params, lam: float = 1.0, *, weights_only: bool = False) -> Tensor:
    """lam * sum of absolute parameters (RG-02). Subgradient: lam sign(w).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> float(l1_penalty([tensor([1.0, -2.0])], lam=0.5))
    1.5
    """
    lam = _check_lam(lam)
    return sum(p.abs().sum() for p in _params(params, weights_only)) * lam


def elastic_net_penalty(
    params, alpha: float = 1.0, l1_ratio: float = 0.5, *, weights_only: bool = False
) -> Tensor:
    """alpha * (l1_ratio * sum|w| + (1 - l1_ratio)/2 * sum w^2) (RG-03, sklearn's convention).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> float(elastic_net_penalty([tensor([2.0])], alpha=1.0, l1_ratio=0.5))
    2.0
    """
    alpha = _check_lam(alpha, "alpha")
    if not 0.0 <= l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}")
    items = _params(params, weights_only)
    l1 = sum(p.abs().sum() for p in items)
    l2 = sum((p * p).sum() for p in items)
    return l1 * (alpha * l1_ratio) + l2 * (alpha * (1.0 - l1_ratio) / 2.0)


def max_norm_(
    params,
    max_value: float,
    dim: int = 0,
    norm_type: float = 2.0,
    *,
    weights_only: bool = True,
    eps: float = 1e-7,
) -> None:
    """Max-norm constraint in place: every slice along ``dim`` (a unit's fan-in row for
    Linear's (out, in) weight) with ||w_i|| > c is scaled to norm c (``torch.renorm``).

    Example
    -------
    >>> import numpy as np
    >>> from glassml.autograd import Parameter
    >>> w = Parameter(np.array([[3.0, 4.0], [0.3, 0.4]]))
    >>> max_norm_([w], 1.0)
    >>> np.round(np.linalg.norm(w.numpy(), axis=1), 6).tolist()
    [1.0, 0.5]
    """
    c = _check_lam(max_value, "max_value")
    with no_grad():
        for p in _params(params, weights_only):
            w = p.data
            if w.ndim < 2:
                continue
            axes = tuple(a for a in range(w.ndim) if a != dim % w.ndim)
            norms = np.sum(np.abs(w) ** norm_type, axis=axes, keepdims=True) ** (1 / norm_type)
            scale = np.where(norms > c, c / (norms + eps), 1.0).astype(w.dtype)
            w *= scale
            p._version[0] += 1
