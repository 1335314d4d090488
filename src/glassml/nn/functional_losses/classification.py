"""Classification losses: binary (BCE, hinge, squared hinge, sigmoid focal) and multi-class
(cross-entropy, NLL, focal, multi-margin, KL divergence, label smoothing).

Corrections of the seed notes: the binary focal loss keeps the negative term (E-13); hinge
losses take targets in {-1, +1} and raw scores (E-14, validated); label smoothing is
y' = (1 - eps) y + eps / K (E-23). Inventory: LS-09..LS-19.

Example
-------
>>> from glassml.autograd import tensor
>>> squared_hinge_loss(tensor([0.5]), tensor([1.0])).item()
0.25
"""

from __future__ import annotations

import warnings

import numpy as np

from glassml.autograd import Tensor, as_tensor, where

# The fused cross-entropy family (closed-form backward): part of this family's public API.
from glassml.autograd.fused.loss import (  # noqa: F401  (re-exported)
    _legacy_reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    nll_loss,
)

from ._common import (
    _check_float,
    _check_nonneg,
    _check_pm1,
    _prepare,
    _reduce,
    _same_shape,
    _t,
)


# ----------------------------------------------------------------------------- binary
def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """L = x where y = 1, max(0, margin - x) where y = -1 (``F.hinge_embedding_loss``).

    x is usually a distance. Inventory: LS-10.
    """
    x, y, reduction = _prepare(
        input, target, "hinge_embedding_loss", reduction, size_average, reduce
    )
    _check_pm1(y, "hinge_embedding_loss")
    margin_term = (float(margin) - x).clamp(min=0.0)
    loss = where(y.data != 1, margin_term, 0.0) + where(y.data != -1, x, 0.0)
    return _reduce(loss, reduction)


def hinge_loss(input, target, margin=1.0, reduction="mean"):
    """Hinge loss max(0, margin - y s) for labels y in {-1, +1} and raw scores s (SVM loss).

    The seed omits that y must be +-1 and s a raw margin, not a probability (E-14); other
    labels raise. Inventory: LS-10.

    >>> from glassml.autograd import tensor
    >>> hinge_loss(tensor([0.5, -2.0]), tensor([1.0, -1.0])).item()  # (0.5 + 0) / 2
    0.25
    """
    x, y, reduction = _prepare(input, target, "hinge_loss", reduction)
    _check_pm1(y, "hinge_loss")
    return _reduce((float(margin) - y * x).clamp(min=0.0), reduction)


def squared_hinge_loss(input, target, margin=1.0, reduction="mean"):
    """Squared hinge max(0, margin - y s)^2, y in {-1, +1} (E-14). Inventory: LS-11.

    >>> from glassml.autograd import tensor
    >>> squared_hinge_loss(tensor([0.5]), tensor([1.0])).item()
    0.25
    """
    x, y, reduction = _prepare(input, target, "squared_hinge_loss", reduction)
    _check_pm1(y, "squared_hinge_loss")
    h = (float(margin) - y * x).clamp(min=0.0)
    return _reduce(h * h, reduction)


def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0, reduction="none"):
    """Binary focal loss on logits (Lin et al. 2017; torchvision's ``sigmoid_focal_loss``).

    FL = -alpha_t (1 - p_t)^gamma log p_t,  p = sigmoid(x),
    p_t = p if y = 1 else 1 - p,  alpha_t = alpha if y = 1 else 1 - alpha (alpha < 0: none).
    log p_t is computed as -BCE-with-logits(x, y), stable for any logit. Both the positive and
    the negative term are present (the seed drops the negative one, E-13). gamma = 0 and
    alpha < 0 give BCE. Inventory: LS-12.

    >>> from glassml.autograd import tensor
    >>> round(sigmoid_focal_loss(tensor([0.0]), tensor([1.0])).item(), 6)  # .25*.25*log 2
    0.043322
    """
    x, y = _t(inputs), _t(targets, "targets")
    _check_float(x, "inputs", "sigmoid_focal_loss")
    _same_shape(x, y, "sigmoid_focal_loss", ("inputs", "targets"))
    gamma = _check_nonneg(gamma, "gamma", "sigmoid_focal_loss")
    ce = binary_cross_entropy_with_logits(x, y, reduction="none")  # -log p_t
    loss = ce
    if gamma != 0.0:
        p = x.sigmoid()
        p_t = p * y + (1.0 - p) * (1.0 - y)
        loss = ce * (1.0 - p_t) ** gamma
    if alpha >= 0:
        loss = (alpha * y + (1.0 - alpha) * (1.0 - y)) * loss
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- multi-class
def _check_class_targets(z: Tensor, target: Tensor, op: str) -> np.ndarray:
    if z.ndim != 2:
        raise ValueError(f"{op}: input must have shape (N, C), got {tuple(z.shape)}")
    t = target.data
    if not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"{op}: target must hold integer class indices, got dtype {t.dtype}")
    if t.shape != (z.shape[0],):
        raise ValueError(
            f"{op}: expected target of shape ({z.shape[0]},) for input of shape "
            f"{tuple(z.shape)}, got {tuple(t.shape)}"
        )
    return t


def focal_loss(input, target, alpha=None, gamma=2.0, ignore_index=-100, reduction="mean"):
    """Multi-class focal loss on logits with per-class alpha.

    FL_i = -alpha_{t_i} (1 - p_{i,t_i})^gamma log p_{i,t_i},  log p = log_softmax(z).
    1 - p_t is computed as -expm1(log p_t) (no cancellation). "mean" averages over the
    non-ignored samples; with gamma = 0 and alpha = None it is exactly ``cross_entropy``
    (and with alpha = w, reduction "sum" equals weighted CE). Inventory: LS-12.

    Parameters
    ----------
    input : Tensor (N, C) logits.  target : int Tensor (N,) class indices.
    alpha : None, float or Tensor (C,) of class weights.  gamma : float >= 0.
    """
    z, tt = _t(input), _t(target, "target")
    _check_float(z, "input", "focal_loss")
    t = _check_class_targets(z, tt, "focal_loss")
    gamma = _check_nonneg(gamma, "gamma", "focal_loss")
    n_classes = z.shape[1]
    valid = t != ignore_index
    if ((t[valid] < 0) | (t[valid] >= n_classes)).any():
        bad = t[valid][(t[valid] < 0) | (t[valid] >= n_classes)][0]
        raise IndexError(f"focal_loss: target {int(bad)} is out of bounds for {n_classes} classes")
    t_safe = np.where(valid, t, 0)  # (N,)
    log_p_t = z.log_softmax(dim=1).gather(1, t_safe[:, None])[:, 0]  # (N,)
    loss = -log_p_t
    if gamma != 0.0:
        loss = loss * (-(log_p_t.expm1())) ** gamma
    if alpha is not None:
        a = np.asarray(alpha.data if isinstance(alpha, Tensor) else alpha, dtype=z.dtype)
        if a.ndim == 1 and a.shape[0] != n_classes:
            raise ValueError(f"focal_loss: alpha must have C={n_classes} entries, got {a.shape}")
        a_t = a[t_safe] if a.ndim == 1 else np.full(t.shape, a, z.dtype)
        loss = loss * as_tensor(a_t.astype(z.dtype))
    loss = loss * as_tensor(valid.astype(z.dtype))
    if reduction == "mean":
        return loss.sum() / max(int(valid.sum()), 1) if valid.any() else loss.sum() * np.nan
    return _reduce(loss, reduction)


def multi_margin_loss(
    input,
    target,
    p=1,
    margin=1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Multi-class hinge (``F.multi_margin_loss``; Weston-Watkins / Crammer-Singer style).

    loss_i = w_{t_i} / C * sum_{j != t_i} max(0, margin - z_{i,t_i} + z_{ij})^p, p in {1, 2}.
    Inventory: LS-10, LS-11 (multi-class hinge).
    """
    z, tt = _t(input), _t(target, "target")
    _check_float(z, "input", "multi_margin_loss")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got {p}")
    t = _check_class_targets(z, tt, "multi_margin_loss")
    n, n_classes = z.shape
    if ((t < 0) | (t >= n_classes)).any():
        bad = t[(t < 0) | (t >= n_classes)][0]
        raise IndexError(f"multi_margin_loss: target {int(bad)} is out of bounds")
    z_t = z.gather(1, t[:, None])  # (N, 1)
    h = (float(margin) - z_t + z).clamp(min=0.0)  # (N, C)
    if p == 2:
        h = h * h
    not_true = np.ones((n, n_classes), dtype=z.dtype)
    not_true[np.arange(n), t] = 0.0
    loss = (h * as_tensor(not_true)).sum(dim=1) / n_classes  # (N,)
    if weight is not None:
        w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
        loss = loss * as_tensor(w[t].astype(z.dtype))
    return _reduce(loss, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL divergence loss with log-probabilities x = log q (``F.kl_div``). Inventory: LS-16.

    L = y (log y - x) (0 where y = 0), or exp(t)(t - x) with log_target (t = log y).
    "batchmean" divides the sum by the batch size and is the true KL(p || q) per sample;
    "mean" divides by the number of elements (torch's default, with a warning).

    >>> from glassml.autograd import tensor
    >>> q = tensor([[0.25, 0.75]]).log()
    >>> round(kl_div(q, tensor([[0.5, 0.5]]), reduction="batchmean").item(), 4)  # KL(p || q)
    0.1438
    """
    x, y = _t(input), _t(target, "target")
    _check_float(x, "input", "kl_div")
    _same_shape(x, y, "kl_div")
    if reduction == "batchmean":
        red = "batchmean"
    else:
        red = _legacy_reduction(size_average, reduce, reduction)
    if log_target:
        loss = y.exp() * (y - x)
    else:
        pos = y.data > 0
        y_safe = where(pos, y, 1.0)
        loss = y * (y_safe.log() - x)
    if red == "batchmean":
        return loss.sum() / (x.shape[0] if x.ndim else 1)
    if red == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size. 'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.",
            UserWarning,
            stacklevel=2,
        )
    return _reduce(loss, red)


def label_smoothing_targets(target, n_classes, smoothing=0.1, dtype=np.float32):
    """Smoothed one-hot targets y_s = (1 - eps) onehot(t) + eps / K (LS-17; the seed's cut-off
    example E-23). ``cross_entropy(z, t, label_smoothing=eps)`` uses them without building them.

    >>> label_smoothing_targets([0], 2, 0.1).data.tolist()
    [[0.949999988079071, 0.05000000074505806]]
    """
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if not 0.0 <= smoothing <= 1.0:
        raise ValueError(f"smoothing must be in [0, 1], got {smoothing}")
    if ((t < 0) | (t >= n_classes)).any():
        raise IndexError(f"target indices must be in [0, {n_classes}), got {t.min()}..{t.max()}")
    out = np.full((*t.shape, n_classes), smoothing / n_classes, dtype=dtype)
    np.put_along_axis(out, t[..., None], 1.0 - smoothing + smoothing / n_classes, axis=-1)
    return as_tensor(out)
