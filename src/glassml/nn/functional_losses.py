"""Every loss of the curriculum as a function, with PyTorch's names, arguments and reductions.

Each loss is written as the formula on autograd Tensor ops (so its gradient, and its gradient of
the gradient, come from the engine), or wraps a fused op of ``glassml.autograd.fused.loss``
(cross-entropy, NLL, BCE, BCE-with-logits, MSE) whose backward is the closed-form derivative.
``reduction`` is ``"none"`` (element-wise / per-sample losses), ``"mean"`` or ``"sum"``.
``glassml.nn.functional`` re-exports everything listed in ``__all__`` (``F.huber_loss`` ...).

Corrections of the seed notes (inventory section 5): the binary focal loss has both the positive
and the negative term (E-13); hinge losses take targets in {-1, +1} and raw scores (E-14,
validated); label smoothing is y' = (1 - eps) y + eps / K (E-23); the weighted-CE gradient is
scaled by the *true-class* weight (E-22, in the fused op); the triplet loss is complete (E-12);
with "mean" the CE gradient is (softmax - onehot) / N (E-21); and minimising -log p_t (NLL) is
not equivalent to minimising -p_t: they share only the optimum p_t = 1, not the gradients or
the maximum-likelihood meaning (E-28).

Inventory: LS-01..LS-28.

Example
-------
>>> from glassml.autograd import tensor
>>> huber_loss(tensor([0.0, 3.0]), tensor([0.5, 0.0])).item()  # (0.125 + 2.5) / 2
1.3125
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from glassml.autograd import Function, Tensor, as_tensor, where
from glassml.autograd import grad as autograd_grad
from glassml.autograd.fused.activation import logsigmoid
from glassml.autograd.fused.loss import (
    _legacy_reduction,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    nll_loss,
)
from glassml.autograd.fused.loss import mse_loss as _fused_mse_loss

__all__ = [
    # regression (LS-01..LS-08)
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "smooth_l1_loss",
    "log_cosh_loss",
    "quantile_loss",
    "poisson_nll_loss",
    "tweedie_deviance_loss",
    "mape_loss",
    "gaussian_nll_loss",
    # binary classification (LS-09..LS-12)
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "hinge_embedding_loss",
    "hinge_loss",
    "squared_hinge_loss",
    "sigmoid_focal_loss",
    # multi-class (LS-12..LS-19)
    "cross_entropy",
    "nll_loss",
    "focal_loss",
    "multi_margin_loss",
    "kl_div",
    "label_smoothing_targets",
    # metric learning and ranking (LS-20..LS-22)
    "pairwise_distance",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss",
    "contrastive_loss",
    "ranknet_loss",
    # generative and other (LS-23..LS-27)
    "gaussian_kl_divergence",
    "vae_loss",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "wgan_critic_loss",
    "wgan_generator_loss",
    "gradient_penalty",
    "cycle_consistency_loss",
    "ddpm_noise_loss",
    "distillation_loss",
]

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


# ----------------------------------------------------------------------------- regression
def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error L = mean((x - y)^2) (fused op; ``F.mse_loss``). Inventory: LS-01.

    Unlike torch (which warns and broadcasts), mismatched shapes raise: (N, 1) against (N,)
    broadcasts to (N, N) and silently gives a wrong loss.

    >>> from glassml.autograd import tensor
    >>> mse_loss(tensor([1.0, 2.0]), tensor([0.0, 0.0])).item()
    2.5
    """
    x, y, reduction = _prepare(input, target, "mse_loss", reduction, size_average, reduce)
    return _fused_mse_loss(x, y, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean absolute error L = mean|x - y| (``F.l1_loss``). Inventory: LS-02.

    >>> from glassml.autograd import tensor
    >>> l1_loss(tensor([1.0, -2.0]), tensor([0.0, 0.0])).item()
    1.5
    """
    x, y, reduction = _prepare(input, target, "l1_loss", reduction, size_average, reduce)
    return _reduce((x - y).abs(), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss: 0.5 r^2 if |r| < delta else delta (|r| - 0.5 delta), r = x - y.

    Quadratic near zero, linear (robust to outliers) beyond ``delta`` (``F.huber_loss``).
    Inventory: LS-03.

    >>> from glassml.autograd import tensor
    >>> huber_loss(tensor([3.0]), tensor([0.0]), delta=1.0).item()
    2.5
    """
    x, y, reduction = _prepare(input, target, "huber_loss", reduction)
    delta = float(delta)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    return _reduce(_Huber.apply(x, y, delta, 1.0), reduction)


class _Huber(Function):
    r"""Fused element-wise Huber loss, divided by ``scale`` (scale = beta gives smooth L1).

    forward: l = 0.5 r^2 if |r| < delta else delta (|r| - 0.5 delta), r = x - y, then l / scale
    backward: dl/dx = clip(r, -delta, delta) / scale = -dl/dy
    """

    @staticmethod
    def forward(ctx, x, y, delta, scale):
        r = x - y  # (...)
        loss = np.abs(r)
        m = np.minimum(loss, delta)  # |r| clipped at delta
        loss -= 0.5 * m
        loss *= m  # m (|r| - m / 2): 0.5 r^2 below delta, delta (|r| - delta / 2) above
        if scale != 1.0:
            loss /= scale
        ctx.save_for_backward(r)
        ctx.delta, ctx.scale = delta, scale
        return loss.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        (r,) = ctx.saved_tensors
        grad = np.clip(r, -ctx.delta, ctx.delta, out=r)  # r is not needed again
        grad *= grad_output
        if ctx.scale != 1.0:
            grad /= ctx.scale
        return grad, (-grad if ctx.needs_input_grad[1] else None), None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, y = ctx.inputs[0], ctx.inputs[1]
        grad = (x - y).clamp(-ctx.delta, ctx.delta) * grad_output / ctx.scale
        return grad, -grad, None, None


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1: 0.5 r^2 / beta if |r| < beta else |r| - 0.5 beta (= huber / beta; beta=0 is L1).

    ``F.smooth_l1_loss``. Inventory: LS-03.

    >>> from glassml.autograd import tensor
    >>> smooth_l1_loss(tensor([3.0]), tensor([0.0])).item()
    2.5
    """
    x, y, reduction = _prepare(input, target, "smooth_l1_loss", reduction, size_average, reduce)
    beta = _check_nonneg(beta, "beta", "smooth_l1_loss")
    if beta == 0.0:
        return _reduce((x - y).abs(), reduction)
    return _reduce(_Huber.apply(x, y, beta, beta), reduction)  # huber_beta / beta


def log_cosh_loss(input, target, reduction="mean"):
    """Log-cosh loss log cosh(r), r = x - y, in the overflow-free form |r| + log1p(e^{-2|r|}) - log 2.

    Behaves like r^2 / 2 for small r and like |r| - log 2 for large r; gradient tanh(r).
    cosh(r) overflows float64 at |r| > 710; this form never does. Inventory: LS-04.

    >>> from glassml.autograd import tensor
    >>> round(log_cosh_loss(tensor([1000.0]), tensor([0.0])).item(), 2)  # 1000 - log 2
    999.31
    """
    x, y, reduction = _prepare(input, target, "log_cosh_loss", reduction)
    a = (x - y).abs()
    loss = a + (-2.0 * a).exp().log1p() - _LOG2
    return _reduce(loss, reduction)


def quantile_loss(input, target, quantile=0.5, reduction="mean"):
    """Pinball loss max(q r, (q - 1) r) with r = y - x; its minimiser is the q-quantile.

    q = 0.5 gives half the absolute error. Inventory: LS-05.

    >>> from glassml.autograd import tensor
    >>> round(quantile_loss(tensor([0.0]), tensor([2.0]), quantile=0.9).item(), 6)  # 0.9 * 2
    1.8
    """
    x, y, reduction = _prepare(input, target, "quantile_loss", reduction)
    q = float(quantile)
    if not 0.0 < q < 1.0:
        raise ValueError(f"quantile_loss: quantile must be in (0, 1), got {quantile}")
    r = y - x
    return _reduce(where(r.data >= 0, q * r, (q - 1.0) * r), reduction)


def poisson_nll_loss(
    input,
    target,
    log_input=True,
    full=False,
    size_average=None,
    eps=1e-8,
    reduce=None,
    reduction="mean",
):
    """Poisson negative log-likelihood (``F.poisson_nll_loss``). Inventory: LS-06.

    log_input=True:  L = exp(x) - y x          (x = log rate, always valid)
    log_input=False: L = x - y log(x + eps)    (x = rate > 0)
    full=True adds Stirling's term y log y - y + 0.5 log(2 pi y) where y > 1.

    >>> from glassml.autograd import tensor
    >>> poisson_nll_loss(tensor([0.0]), tensor([1.0])).item()  # e^0 - 0
    1.0
    """
    x, y, reduction = _prepare(input, target, "poisson_nll_loss", reduction, size_average, reduce)
    if log_input:
        loss = x.exp() - y * x
    else:
        loss = x - y * (x + float(eps)).log()
    if full:
        yd = y.data
        big = yd > 1
        y_safe = np.where(big, yd, 1.0).astype(yd.dtype)
        stirling = np.where(
            big, y_safe * np.log(y_safe) - y_safe + 0.5 * np.log(2 * np.pi * y_safe), 0.0
        ).astype(x.dtype)
        loss = loss + as_tensor(stirling)
    return _reduce(loss, reduction)


def tweedie_deviance_loss(input, target, power=1.5, reduction="mean"):
    """Tweedie unit deviance of a predicted mean mu = x > 0 for power p in (1, 2).

    d(y, mu) = 2 [ y^{2-p} / ((1-p)(2-p)) - y mu^{1-p} / (1-p) + mu^{2-p} / (2-p) ]
    (p -> 1 is Poisson, p -> 2 is Gamma; same as sklearn's ``mean_tweedie_deviance``).
    Inventory: LS-07.

    >>> from glassml.autograd import tensor
    >>> tweedie_deviance_loss(tensor([2.0]), tensor([2.0])).item()  # perfect prediction
    0.0
    """
    x, y, reduction = _prepare(input, target, "tweedie_deviance_loss", reduction)
    p = float(power)
    if not 1.0 < p < 2.0:
        raise ValueError(f"tweedie_deviance_loss: power must be in (1, 2), got {power}")
    if (x.data <= 0).any():
        raise ValueError("tweedie_deviance_loss: input (predicted mean) must be > 0")
    if (y.data < 0).any():
        raise ValueError("tweedie_deviance_loss: target must be >= 0")
    y_term = np.power(y.data, 2.0 - p) / ((1.0 - p) * (2.0 - p))  # constant in mu
    dev = 2.0 * (as_tensor(y_term.astype(x.dtype)) - y * x ** (1.0 - p) / (1.0 - p))
    dev = dev + (2.0 / (2.0 - p)) * x ** (2.0 - p)
    return _reduce(dev, reduction)


def mape_loss(input, target, eps=_EPS64, reduction="mean"):
    """Mean absolute percentage error |y - x| / max(|y|, eps) as a fraction (sklearn's MAPE).

    Inventory: LS-08.

    >>> from glassml.autograd import tensor
    >>> round(mape_loss(tensor([90.0]), tensor([100.0])).item(), 6)
    0.1
    """
    x, y, reduction = _prepare(input, target, "mape_loss", reduction)
    denom = np.maximum(np.abs(y.data), eps).astype(x.dtype)
    return _reduce((x - y).abs() / as_tensor(denom), reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian NLL 0.5 (log max(var, eps) + (x - y)^2 / max(var, eps)) [+ 0.5 log 2 pi].

    Like ``F.gaussian_nll_loss`` the clamp of var passes the gradient through unchanged; var may
    have the input's shape, one dimension fewer, or a last dimension of 1.
    Inventory: LS-06 (likelihood losses).
    """
    x, y = _t(input), _t(target, "target")
    v = _t(var, "var")
    _same_shape(x, y, "gaussian_nll_loss")
    if v.shape != x.shape:
        if v.ndim == x.ndim - 1 and v.shape == x.shape[:-1]:
            v = v.unsqueeze(-1)
        elif not (v.ndim == x.ndim and v.shape[-1] == 1 and v.shape[:-1] == x.shape[:-1]):
            raise ValueError(
                f"gaussian_nll_loss: var of shape {tuple(v.shape)} is incompatible with "
                f"input of shape {tuple(x.shape)}"
            )
    if (v.data < 0).any():
        raise ValueError("gaussian_nll_loss: var has negative entry/entries")
    # clamp without blocking the gradient (torch clamps in place under no_grad)
    v = v + as_tensor(np.maximum(v.data, eps) - v.data)
    loss = 0.5 * (v.log() + (x - y) ** 2.0 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


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


# ----------------------------------------------------------------------------- metric learning
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (``F.pairwise_distance``)."""
    return (_t(x1) - _t(x2) + eps).norm(p=p, dim=-1, keepdim=keepdim)


def cosine_embedding_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """L = 1 - cos(x1, x2) if y = 1, max(0, cos(x1, x2) - margin) if y = -1.

    cos = <x1, x2> / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)) over dim 1, like torch.
    Inventory: LS-20 (similarity losses).
    """
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "cosine_embedding_loss", ("input1", "input2"))
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if y.shape != x1.shape[:-1]:
        raise ValueError(
            f"cosine_embedding_loss: target must have shape {tuple(x1.shape[:-1])}, "
            f"got {tuple(y.shape)}"
        )
    _check_pm1(y, "cosine_embedding_loss")
    dot = (x1 * x2).sum(dim=-1)
    sq1 = (x1 * x1).sum(dim=-1) + 1e-12
    sq2 = (x2 * x2).sum(dim=-1) + 1e-12
    cos = dot / (sq1 * sq2).sqrt()
    loss = where(y.data == 1, 1.0 - cos, 0.0) + where(
        y.data == -1, (cos - float(margin)).clamp(min=0.0), 0.0
    )
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """Pairwise ranking hinge L = max(0, -y (x1 - x2) + margin), y in {-1, +1}. Inventory: LS-22."""
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "margin_ranking_loss", ("input1", "input2"))
    _same_shape(x1, y, "margin_ranking_loss", ("input1", "target"))
    _check_pm1(y, "margin_ranking_loss")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-y * (x1 - x2) + float(margin)).clamp(min=0.0), reduction)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Triplet loss max(0, d(a, p) - d(a, n) + margin), d = ||. + eps||_p (torch's form).

    swap=True uses min(d(a, n), d(p, n)) (Balntas et al.). FaceNet's variant uses squared
    distances, max(0, ||a-p||^2 - ||a-n||^2 + m) (the seed's cell is cut off, E-12).
    Inventory: LS-20.
    """
    a, pos, neg = _t(anchor), _t(positive, "positive"), _t(negative, "negative")
    _same_shape(a, pos, "triplet_margin_loss", ("anchor", "positive"))
    _same_shape(a, neg, "triplet_margin_loss", ("anchor", "negative"))
    if not margin > 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_ap = pairwise_distance(a, pos, p, eps)
    d_an = pairwise_distance(a, neg, p, eps)
    if swap:
        d_pn = pairwise_distance(pos, neg, p, eps)
        d_an = d_an.minimum(d_pn)
    return _reduce((d_ap - d_an + float(margin)).clamp(min=0.0), reduction)


def contrastive_loss(input1, input2, target, margin=1.0, eps=1e-6, reduction="mean"):
    """Siamese contrastive loss y d^2 + (1 - y) max(0, margin - d)^2, d = ||x1 - x2 + eps||_2.

    y = 1 for similar pairs (pulled together), 0 for dissimilar (pushed beyond the margin).
    Inventory: LS-21.
    """
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "contrastive_loss", ("input1", "input2"))
    if y.shape != x1.shape[:-1]:
        raise ValueError(
            f"contrastive_loss: target must have shape {tuple(x1.shape[:-1])}, got {tuple(y.shape)}"
        )
    _check_01(y, "contrastive_loss")
    margin = _check_nonneg(margin, "margin", "contrastive_loss")
    d = pairwise_distance(x1, x2, 2.0, eps)
    push = (margin - d).clamp(min=0.0)
    return _reduce(y * d * d + (1.0 - y) * push * push, reduction)


def ranknet_loss(score_i, score_j, target, sigma=1.0, reduction="mean"):
    """RankNet pairwise logistic loss: BCE(sigmoid(sigma (s_i - s_j)), P_ij).

    P_ij = 1 when item i should rank above j, 0 when below, 0.5 for ties. Inventory: LS-22.
    """
    si, sj, y = _t(score_i), _t(score_j, "score_j"), _t(target, "target")
    _same_shape(si, sj, "ranknet_loss", ("score_i", "score_j"))
    _same_shape(si, y, "ranknet_loss", ("score_i", "target"))
    if ((y.data < 0) | (y.data > 1)).any():
        raise ValueError("ranknet_loss: target probabilities must be in [0, 1]")
    return binary_cross_entropy_with_logits(float(sigma) * (si - sj), y, reduction=reduction)


# ----------------------------------------------------------------------------- generative
def gaussian_kl_divergence(mu, logvar, reduction="mean"):
    """KL(N(mu, diag e^logvar) || N(0, I)) = -0.5 sum_j (1 + logvar_j - mu_j^2 - e^logvar_j).

    Summed over the latent dimension (last axis); "mean" averages over samples. Inventory: LS-23.

    >>> from glassml.autograd import tensor
    >>> gaussian_kl_divergence(tensor([[0.0, 0.0]]), tensor([[0.0, 0.0]])).item()
    0.0
    """
    m, lv = _t(mu, "mu"), _t(logvar, "logvar")
    _same_shape(m, lv, "gaussian_kl_divergence", ("mu", "logvar"))
    kl = -0.5 * (1.0 + lv - m * m - lv.exp()).sum(dim=-1)
    return _reduce(kl, reduction)


def vae_loss(recon, x, mu, logvar, likelihood="bernoulli", beta=1.0, reduction="mean"):
    """Negative ELBO: -E_q[log p(x|z)] + beta KL(q(z|x) || N(0, I)), per sample.

    likelihood "bernoulli": BCE summed over features (recon holds probabilities);
    "gaussian": squared error summed over features (unit variance, up to a constant).
    Inventory: LS-23.
    """
    r, xx = _t(recon, "recon"), _t(x, "x")
    _same_shape(r, xx, "vae_loss", ("recon", "x"))
    if likelihood == "bernoulli":
        rec = binary_cross_entropy(r, xx, reduction="none")
    elif likelihood == "gaussian":
        rec = (r - xx) ** 2.0
    else:
        raise ValueError(
            f"vae_loss: likelihood must be 'bernoulli' or 'gaussian', got {likelihood!r}"
        )
    rec = rec.reshape(r.shape[0], -1).sum(dim=1)
    return _reduce(rec + float(beta) * gaussian_kl_divergence(mu, logvar, "none"), reduction)


def gan_discriminator_loss(real_logits, fake_logits):
    """Minimax discriminator loss -[log D(x) + log(1 - D(G(z)))] on logits (BCE form).

    Inventory: LS-24.
    """
    real, fake = _t(real_logits, "real_logits"), _t(fake_logits, "fake_logits")
    ones = as_tensor(np.ones(real.shape, real.dtype))
    zeros = as_tensor(np.zeros(fake.shape, fake.dtype))
    return binary_cross_entropy_with_logits(real, ones) + binary_cross_entropy_with_logits(
        fake, zeros
    )


def gan_generator_loss(fake_logits, non_saturating=True):
    """Generator loss on D's logits for fakes. Inventory: LS-24.

    non_saturating=True: -log D(G(z)) (strong gradient when D rejects fakes);
    False: the minimax form log(1 - D(G(z))) = log sigmoid(-x), whose gradient vanishes when D
    is confident.
    """
    fake = _t(fake_logits, "fake_logits")
    if non_saturating:
        return binary_cross_entropy_with_logits(fake, as_tensor(np.ones(fake.shape, fake.dtype)))
    return logsigmoid(-fake).mean()


def wgan_critic_loss(real_scores, fake_scores):
    """WGAN critic loss E[C(G(z))] - E[C(x)] (minimised by the critic). Inventory: LS-24."""
    return _t(fake_scores, "fake_scores").mean() - _t(real_scores, "real_scores").mean()


def wgan_generator_loss(fake_scores):
    """WGAN generator loss -E[C(G(z))]. Inventory: LS-24."""
    return -_t(fake_scores, "fake_scores").mean()


def gradient_penalty(critic, real, fake, epsilon=None, lambda_gp=10.0, generator=None):
    """WGAN-GP penalty lambda E[(||grad_x C(x_hat)||_2 - 1)^2], x_hat = e x + (1 - e) x_fake.

    ``epsilon`` has shape (N, 1, ...) (drawn uniformly from ``generator`` when None). The input
    gradient is taken with ``create_graph=True`` so the penalty trains the critic.
    Inventory: LS-24.
    """
    real, fake = _t(real, "real"), _t(fake, "fake")
    _same_shape(real, fake, "gradient_penalty", ("real", "fake"))
    if epsilon is None:
        rng = generator if generator is not None else np.random.default_rng()
        shape = (real.shape[0],) + (1,) * (real.ndim - 1)
        epsilon = rng.random(shape).astype(real.dtype)
    e = _t(epsilon, "epsilon")
    x_hat = (e * real.detach() + (1.0 - e) * fake.detach()).requires_grad_()
    scores = critic(x_hat)
    (g,) = autograd_grad(scores.sum(), x_hat, create_graph=True)
    g_norm = (g.reshape(g.shape[0], -1) ** 2.0).sum(dim=1).sqrt()  # (N,)
    return float(lambda_gp) * ((g_norm - 1.0) ** 2.0).mean()


def cycle_consistency_loss(reconstructed, original, reduction="mean"):
    """CycleGAN cycle loss ||F(G(x)) - x||_1 (mean absolute error). Inventory: LS-25."""
    return l1_loss(reconstructed, original, reduction=reduction)


def ddpm_noise_loss(noise_pred, noise, reduction="mean"):
    """DDPM simple objective ||eps - eps_theta(x_t, t)||^2 (mean squared error). Inventory: LS-26."""
    return mse_loss(noise_pred, noise, reduction=reduction)


def distillation_loss(student_logits, teacher_logits, target=None, temperature=2.0, alpha=0.5):
    """Knowledge distillation (Hinton et al. 2015).

    L = alpha T^2 KL(softmax(z_t / T) || softmax(z_s / T)) + (1 - alpha) CE(z_s, y),
    KL averaged per sample ("batchmean"); the T^2 keeps the soft-target gradients' scale
    independent of T. target=None gives the soft term only. Inventory: LS-27.
    """
    zs, zt = _t(student_logits, "student_logits"), _t(teacher_logits, "teacher_logits")
    _same_shape(zs, zt, "distillation_loss", ("student_logits", "teacher_logits"))
    T = float(temperature)
    if not T > 0:
        raise ValueError(f"distillation_loss: temperature must be > 0, got {temperature}")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"distillation_loss: alpha must be in [0, 1], got {alpha}")
    log_q = (zs / T).log_softmax(dim=-1)
    log_p = (zt.detach() / T).log_softmax(dim=-1)
    soft = kl_div(log_q, log_p, reduction="batchmean", log_target=True) * (T * T)
    if target is None:
        return soft
    return alpha * soft + (1.0 - alpha) * cross_entropy(zs, _t(target, "target"))
