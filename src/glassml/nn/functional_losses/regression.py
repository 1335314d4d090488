"""Regression losses: squared, absolute, Huber, log-cosh, quantile, Poisson, Tweedie, MAPE and
Gaussian NLL, with PyTorch's names, arguments and reductions. Inventory: LS-01..LS-08.

Example
-------
>>> from glassml.autograd import tensor
>>> huber_loss(tensor([0.0, 3.0]), tensor([0.5, 0.0])).item()  # (0.125 + 2.5) / 2
1.3125
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Function, as_tensor, where
from glassml.autograd.fused.loss import mse_loss as _fused_mse_loss

from ._common import (
    _EPS64,
    _LOG2,
    _check_nonneg,
    _prepare,
    _reduce,
    _same_shape,
    _t,
)


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
