"""Fused losses: cross-entropy, NLL, binary cross-entropy (with logits), MSE.

Each loss is one Function whose backward is the closed-form derivative, e.g. for
cross-entropy on logits z with true class t: dL/dz = softmax(z) - onehot(t), computed by an
index scatter — a one-hot matrix is never built.

Inventory: LS-01, LS-09, LS-13, LS-14, LS-15, LS-17, LS-18, LS-19.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import as_shape, check_float, check_reduction, check_same_dtype, constant

__all__ = [
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "CrossEntropy",
    "NLLLoss",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "MSELoss",
]


def _legacy_reduction(size_average, reduce, reduction):
    """Map PyTorch's deprecated size_average/reduce pair to a reduction string."""
    if size_average is None and reduce is None:
        return check_reduction(reduction)
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _to_rows(x: np.ndarray, class_axis: int) -> np.ndarray:
    """(N, C, d1, ...) -> (N*d1*..., C); (C,) -> (1, C); (N, C) unchanged."""
    if x.ndim == 1:
        return x[None, :]
    if x.ndim == 2:
        return x
    return np.moveaxis(x, class_axis, -1).reshape(-1, x.shape[class_axis])


def _from_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """Inverse of :func:`_to_rows` (returns ``rows`` itself for 2-D shapes: stays owned)."""
    if len(shape) <= 2:
        return as_shape(rows, shape)
    moved = (shape[0], *shape[2:], shape[1])
    return np.moveaxis(rows.reshape(moved), -1, 1)


# ---- Tensor-op versions for backward_graph (create_graph=True: the gradient stays a graph) ----
def _rows_t(x: Tensor, shape: tuple) -> Tensor:
    """:func:`_to_rows` with Tensor ops."""
    if len(shape) == 1:
        return x.reshape(1, shape[0])
    if len(shape) == 2:
        return x
    return x.permute(0, *range(2, len(shape)), 1).reshape(-1, shape[1])


def _unrows_t(rows: Tensor, shape: tuple) -> Tensor:
    """:func:`_from_rows` with Tensor ops."""
    if len(shape) <= 2:
        return rows.reshape(*shape)
    moved = rows.reshape(shape[0], *shape[2:], shape[1])
    return moved.permute(0, len(shape) - 1, *range(1, len(shape) - 1))


def _coef_t(ctx, grad_output: Tensor) -> Tensor:
    """dL/d(loss_i) as a Tensor: (M, 1) for reduction='none', else a 0-d scale."""
    if ctx.reduction == "none":
        return grad_output.reshape(-1, 1)
    if ctx.reduction == "sum":
        return grad_output
    return grad_output / float(ctx.denom)


def _check_index_target(z: np.ndarray, target: np.ndarray, op: str) -> np.ndarray:
    """Validate class-index targets against logits z of shape (C,), (N, C) or (N, C, d...)."""
    if not np.issubdtype(target.dtype, np.integer):
        raise TypeError(
            f"{op}: expected class-index targets of an integer dtype (int64) or class "
            f"probabilities of the input's shape, got target dtype {target.dtype} "
            f"with shape {target.shape}"
        )
    expected = () if z.ndim == 1 else (z.shape[0], *z.shape[2:])
    if target.shape != expected:
        raise ValueError(
            f"{op}: expected target of shape {expected} for input of shape {z.shape}, "
            f"got {target.shape}"
        )
    return target.reshape(-1)


def _valid_targets(t: np.ndarray, n_classes: int, ignore_index: int):
    """(valid mask, targets with ignored entries replaced by 0); raises on out-of-range."""
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
    return valid, np.where(valid, t, 0)


def _check_weight(weight, n_classes: int, op: str):
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise ValueError(
            f"{op}: weight must be a 1-D tensor of size C={n_classes}, got shape {weight.shape}"
        )


class CrossEntropy(Function):
    r"""Cross-entropy of logits z (class axis 1) against class indices or class probabilities.

    Indices t (with weight w, smoothing eps, C classes; rows with t = ignore_index drop out):
        loss_i = (1 - eps) w_{t_i} (lse_i - z_{i,t_i}) + (eps / C) sum_c w_c (lse_i - z_{ic})
        mean = sum_i loss_i / sum_i w_{t_i}
    Probabilities q (q' = (1 - eps) q + eps / C):
        loss_i = sum_c w_c q'_{ic} (lse_i - z_{ic}),  mean = sum_i loss_i / N
    Backward, with a_{ic} the effective target mass on class c (no one-hot is formed):
        dL/dz_{ic} = g_i (softmax(z)_{ic} sum_c a_{ic} - a_{ic})
    (The true-class weight multiplies every component, see inventory E-22.)
    """

    @staticmethod
    def forward(ctx, z, target, weight, ignore_index, reduction, label_smoothing):
        check_float("input", z, "cross_entropy")
        check_same_dtype("cross_entropy", z, weight=weight)
        if z.ndim == 0:
            raise ValueError(
                "cross_entropy: input must have at least 1 dimension (C,), got a 0-d tensor"
            )
        if not 0.0 <= label_smoothing <= 1.0:
            raise ValueError(f"label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
        class_axis = 0 if z.ndim == 1 else 1
        n_classes = z.shape[class_axis]
        _check_weight(weight, n_classes, "cross_entropy")
        dtype = z.dtype
        zr = _to_rows(z, class_axis)  # (M, C)
        ctx.shape, ctx.reduction, ctx.eps = z.shape, reduction, float(label_smoothing)
        probs_target = np.issubdtype(target.dtype, np.floating)
        ctx.probs_target = probs_target

        # softmax pieces, computed once: e = exp(z - m), s = sum e, lse = m + log s
        m = zr.max(axis=1, keepdims=True)  # (M, 1)
        e = np.subtract(zr, m)  # (M, C)
        np.exp(e, out=e)
        s = e.sum(axis=1)  # (M,)
        lse = np.log(s)
        lse += m[:, 0]  # (M,)
        eps, C = ctx.eps, n_classes

        if probs_target:
            if target.shape != z.shape:
                raise ValueError(
                    f"cross_entropy: class-probability target must have the input's shape "
                    f"{z.shape}, got {target.shape}"
                )
            check_same_dtype("cross_entropy", z, target=target)
            q = _to_rows(target, class_axis)  # (M, C)
            if eps > 0:
                q = q * (1.0 - eps) + eps / C
            wq = q * weight if weight is not None else q  # (M, C)
            mass = wq.sum(axis=1)  # (M,)
            loss = lse * mass - np.einsum("ic,ic->i", wq, zr)  # (M,)
            denom = zr.shape[0]
            ctx.save_for_backward(e, s, wq, mass, zr, lse, weight)
        else:
            t = _check_index_target(z, target, "cross_entropy")
            valid, t_safe = _valid_targets(t, C, ignore_index)
            rows = np.arange(zr.shape[0])
            w_t = weight[t_safe] if weight is not None else np.ones(t.shape, dtype)
            w_t = w_t * valid  # (M,) true-class weight, 0 where ignored
            loss = (1.0 - eps) * w_t * (lse - zr[rows, t_safe])  # (M,)
            if eps > 0:
                if weight is not None:
                    w_sum = weight.sum()
                    smooth = lse * w_sum - zr @ weight  # sum_c w_c (lse - z_c)
                else:
                    w_sum = np.asarray(C, dtype)
                    smooth = lse * C - zr.sum(axis=1)
                loss += (eps / C) * smooth * valid
                mass = (1.0 - eps) * w_t + (eps / C) * w_sum * valid
            else:
                mass = w_t
            denom = w_t.sum()
            ctx.save_for_backward(e, s, t_safe, w_t, mass, valid, weight)

        ctx.denom = denom
        if reduction == "none":
            return loss.reshape(() if z.ndim == 1 else (z.shape[0], *z.shape[2:]))
        total = loss.sum()
        if reduction == "sum":
            return np.asarray(total, dtype)
        return np.asarray(total / denom, dtype)

    @staticmethod
    def backward(ctx, grad_output):
        C = ctx.shape[0 if len(ctx.shape) == 1 else 1]
        eps = ctx.eps
        if ctx.reduction == "none":
            coef = np.asarray(grad_output).reshape(-1)  # (M,)
        elif ctx.reduction == "sum":
            coef = np.asarray(grad_output)
        else:
            coef = np.asarray(grad_output) / ctx.denom
        grad_target = None
        if ctx.probs_target:
            e, s, wq, mass, zr, lse, weight = ctx.saved_tensors
            coef = np.broadcast_to(coef, s.shape).astype(e.dtype, copy=False)
            grad = e * (coef * mass / s)[:, None]  # g_i p_ic sum_c a_ic
            grad -= coef[:, None] * wq
            if ctx.needs_input_grad[1]:
                # dL/dq_ic = (1 - eps) w_c (lse_i - z_ic)
                gt = (lse[:, None] - zr) * coef[:, None]
                gt *= 1.0 - eps
                if weight is not None:
                    gt *= weight
                grad_target = _from_rows(gt, ctx.shape)
        else:
            e, s, t_safe, w_t, mass, valid, weight = ctx.saved_tensors
            coef = np.broadcast_to(coef, s.shape).astype(e.dtype, copy=False)
            grad = e * (coef * mass / s)[:, None]  # (M, C)
            grad[np.arange(grad.shape[0]), t_safe] -= (1.0 - eps) * coef * w_t
            if eps > 0:
                w = weight if weight is not None else np.ones(C, e.dtype)
                grad -= np.outer(coef * valid, (eps / C) * w).astype(e.dtype, copy=False)
        return _from_rows(grad, ctx.shape), grad_target, None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        """dL/dz = g (softmax(z) · mass - a) with softmax(z) a Tensor op (and, for probability
        targets, a = w q' from the target Tensor, dL/dq = (1 - eps) w (lse - z) g)."""
        z, target = ctx.inputs[0], ctx.inputs[1]
        shape, eps = ctx.shape, ctx.eps
        C = shape[0 if len(shape) == 1 else 1]
        zr = _rows_t(z, shape)  # (M, C)
        coef = _coef_t(ctx, grad_output)  # (M, 1) or ()
        p = zr.softmax(-1)
        grad_target = None
        if ctx.probs_target:
            weight = ctx.saved_tensors[-1]
            q = target if isinstance(target, Tensor) else constant(target, z.dtype)
            qr = _rows_t(q, shape)
            if eps > 0:
                qr = qr * (1.0 - eps) + eps / C
            wq = qr * constant(weight, z.dtype) if weight is not None else qr  # (M, C)
            grad = p * (coef * wq.sum(-1, keepdim=True)) - coef * wq
            if ctx.needs_input_grad[1]:
                gt = (zr.logsumexp(-1, keepdim=True) - zr) * coef * (1.0 - eps)
                if weight is not None:
                    gt = gt * constant(weight, z.dtype)
                grad_target = _unrows_t(gt, shape)
        else:
            _, _, t_safe, w_t, mass, valid, weight = ctx.saved_tensors
            a = np.zeros((t_safe.shape[0], C), dtype=w_t.dtype)  # effective target mass
            a[np.arange(t_safe.shape[0]), t_safe] = (1.0 - eps) * w_t
            if eps > 0:
                w = weight if weight is not None else np.ones(C, w_t.dtype)
                a += np.outer(valid, (eps / C) * w).astype(w_t.dtype, copy=False)
            grad = p * (coef * constant(mass[:, None], z.dtype)) - coef * constant(a, z.dtype)
        return _unrows_t(grad, shape), grad_target, None, None, None, None


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """Cross-entropy between logits and class indices or class probabilities (``F.cross_entropy``).

    L = -sum_c w_c y_c log softmax(z)_c, with y one-hot (indices, never materialised) or soft
    probabilities, optionally smoothed y' = (1 - eps) y + eps / C (inventory LS-17, E-23).

    Inventory: LS-13, LS-14, LS-15, LS-17, LS-19.

    Parameters
    ----------
    input : Tensor (C,), (N, C) or (N, C, d1, ...) — unnormalised logits.
    target : int Tensor (), (N,) or (N, d1, ...) of class indices, or float Tensor of the
        input's shape with class probabilities.
    weight : Tensor (C,) or None — per-class rescaling.
    ignore_index : int — index targets equal to it contribute nothing (indices only).
    reduction : "none" | "mean" | "sum" — mean divides by the total weight of the targets.
    label_smoothing : float in [0, 1].

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> z = tensor([[2.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = cross_entropy(z, tensor([0]))
    >>> loss.backward()  # z.grad = softmax(z) - onehot(0)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return CrossEntropy.apply(
        input, target, weight, int(ignore_index), reduction, float(label_smoothing)
    )


class NLLLoss(Function):
    r"""Negative log-likelihood of log-probabilities x: loss_i = -w_{t_i} x_{i, t_i}.

    mean = sum_i loss_i / sum_i w_{t_i} over non-ignored targets; dL/dx_{i,t_i} = -g_i w_{t_i}.
    """

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        check_float("input", x, "nll_loss")
        check_same_dtype("nll_loss", x, weight=weight)
        if x.ndim == 0:
            raise ValueError("nll_loss: input must have at least 1 dimension, got a 0-d tensor")
        class_axis = 0 if x.ndim == 1 else 1
        C = x.shape[class_axis]
        _check_weight(weight, C, "nll_loss")
        xr = _to_rows(x, class_axis)  # (M, C)
        t = _check_index_target(x, target, "nll_loss")
        valid, t_safe = _valid_targets(t, C, ignore_index)
        w_t = weight[t_safe] if weight is not None else np.ones(t.shape, x.dtype)
        w_t = w_t * valid  # (M,)
        loss = -w_t * xr[np.arange(xr.shape[0]), t_safe]  # (M,)
        ctx.shape, ctx.reduction, ctx.denom = x.shape, reduction, w_t.sum()
        ctx.save_for_backward(t_safe, w_t)
        if reduction == "none":
            return loss.reshape(() if x.ndim == 1 else (x.shape[0], *x.shape[2:]))
        if reduction == "sum":
            return np.asarray(loss.sum(), x.dtype)
        return np.asarray(loss.sum() / ctx.denom, x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        t_safe, w_t = ctx.saved_tensors
        if ctx.reduction == "none":
            coef = np.asarray(grad_output).reshape(-1)
        elif ctx.reduction == "sum":
            coef = np.asarray(grad_output)
        else:
            coef = np.asarray(grad_output) / ctx.denom
        C = ctx.shape[0 if len(ctx.shape) == 1 else 1]
        grad = np.zeros((t_safe.shape[0], C), dtype=w_t.dtype)  # (M, C)
        grad[np.arange(grad.shape[0]), t_safe] = -coef * w_t
        return _from_rows(grad, ctx.shape), None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        t_safe, w_t = ctx.saved_tensors  # dL/dx = -g w_t at the target: linear in g
        C = ctx.shape[0 if len(ctx.shape) == 1 else 1]
        pick = np.zeros((t_safe.shape[0], C), dtype=w_t.dtype)  # (M, C)
        pick[np.arange(t_safe.shape[0]), t_safe] = -w_t
        grad = _coef_t(ctx, grad_output) * constant(pick, w_t.dtype)
        return _unrows_t(grad, ctx.shape), None, None, None, None


def nll_loss(
    input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
):
    """Negative log-likelihood on log-probabilities (``F.nll_loss``): L = -w_t x_t.

    Pair with :func:`log_softmax` (cross_entropy = nll_loss(log_softmax(z))).
    Inventory: LS-18.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> nll_loss(tensor([[-0.1, -2.3]]), tensor([0])).item()  # doctest: +ELLIPSIS
    0.1...
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return NLLLoss.apply(input, target, weight, int(ignore_index), reduction)


def _check_target_shape(x, y, op):
    if y.shape != x.shape:
        raise ValueError(
            f"{op}: Using a target size ({y.shape}) that is different to the input size "
            f"({x.shape}) is deprecated. Please ensure they have the same size."
        )


class BinaryCrossEntropy(Function):
    r"""loss = -w [y log x + (1 - y) log(1 - x)], logs clamped at -100 like PyTorch.

    dL/dx = g w (x - y) / max(x (1 - x), 1e-12);   dL/dy = -g w logit(x).
    """

    @staticmethod
    def forward(ctx, x, y, weight, reduction):
        check_float("input", x, "binary_cross_entropy")
        check_same_dtype("binary_cross_entropy", x, target=y, weight=weight)
        _check_target_shape(x, y, "binary_cross_entropy")
        if x.size and (np.any(x < 0) or np.any(x > 1) or np.isnan(x).any()):
            raise ValueError(
                "binary_cross_entropy: all elements of input should be between 0 and 1"
            )
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        loss = -(y * log_x + (1.0 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight)
        ctx.reduction = reduction
        if reduction == "none":
            return loss
        if reduction == "sum":
            return np.asarray(loss.sum(), x.dtype)
        return np.asarray(loss.mean(), x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        x, y, weight = ctx.saved_tensors
        g = grad_output / x.size if ctx.reduction == "mean" else grad_output
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = (x - y) / np.maximum(x * (1.0 - x), 1e-12) * g
            if weight is not None:
                grad_x = grad_x * weight
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                grad_y = (np.log1p(-x) - np.log(x)) * g
            if weight is not None:
                grad_y = grad_y * weight
        return grad_x, grad_y, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, y = ctx.inputs[0], ctx.inputs[1]
        weight = ctx.saved_tensors[2]
        y = y if isinstance(y, Tensor) else constant(y, x.dtype)
        g = grad_output / x.numel() if ctx.reduction == "mean" else grad_output
        if weight is not None:
            g = g * constant(weight, x.dtype)
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = (x - y) / (x * (1.0 - x)).clamp(min=1e-12) * g
        if ctx.needs_input_grad[1]:
            grad_y = ((1.0 - x).log() - x.log()) * g
        return grad_x, grad_y, None, None


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Binary cross-entropy on probabilities (``F.binary_cross_entropy``).

    L = -w [y log p + (1 - y) log(1 - p)], each log clamped to >= -100. Inventory: LS-09.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> binary_cross_entropy(tensor([0.5]), tensor([1.0])).item()  # doctest: +ELLIPSIS
    0.693...
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return BinaryCrossEntropy.apply(input, target, weight, reduction)


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log sigmoid(x) = min(x, 0) - log1p(exp(-|x|)), stable for all x."""
    out = -np.abs(x)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.minimum(x, 0) - out


class BinaryCrossEntropyWithLogits(Function):
    r"""loss = w [(1 - y) x - (1 + (p_w - 1) y) log sigmoid(x)]  (stable BCE on logits).

    dL/dx = g w [(1 + (p_w - 1) y) sigmoid(x) - p_w y]   (= g w (sigmoid(x) - y) when p_w = 1)
    dL/dy = g w [(1 - p_w) log sigmoid(x) - x]
    """

    @staticmethod
    def forward(ctx, x, y, weight, pos_weight, reduction):
        check_float("input", x, "binary_cross_entropy_with_logits")
        check_same_dtype(
            "binary_cross_entropy_with_logits", x, target=y, weight=weight, pos_weight=pos_weight
        )
        _check_target_shape(x, y, "binary_cross_entropy_with_logits")
        log_sig = _log_sigmoid(x)
        if pos_weight is not None:
            log_weight = (pos_weight - 1.0) * y + 1.0
            loss = (1.0 - y) * x - log_weight * log_sig
        else:
            loss = (1.0 - y) * x - log_sig
        if weight is not None:
            loss = loss * weight
        ctx.save_for_backward(x, y, weight, pos_weight, log_sig)
        ctx.reduction = reduction
        if reduction == "none":
            return loss
        if reduction == "sum":
            return np.asarray(loss.sum(), x.dtype)
        return np.asarray(loss.mean(), x.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        x, y, weight, pos_weight, log_sig = ctx.saved_tensors
        n = np.broadcast_shapes(x.shape, *(a.shape for a in (weight, pos_weight) if a is not None))
        size = int(np.prod(n))
        g = grad_output / size if ctx.reduction == "mean" else grad_output
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            sig = np.exp(log_sig)
            if pos_weight is not None:
                grad_x = ((pos_weight - 1.0) * y + 1.0) * sig - pos_weight * y
            else:
                grad_x = sig - y
            grad_x = grad_x * g
            if weight is not None:
                grad_x = grad_x * weight
        if ctx.needs_input_grad[1]:
            if pos_weight is not None:
                grad_y = (1.0 - pos_weight) * log_sig - x
            else:
                grad_y = -x
            grad_y = grad_y * g
            if weight is not None:
                grad_y = grad_y * weight
        return grad_x, grad_y, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, y = ctx.inputs[0], ctx.inputs[1]
        _, _, weight, pos_weight, _ = ctx.saved_tensors
        dtype = x.dtype
        y = y if isinstance(y, Tensor) else constant(y, dtype)
        n = np.broadcast_shapes(x.shape, *(a.shape for a in (weight, pos_weight) if a is not None))
        g = grad_output / float(np.prod(n)) if ctx.reduction == "mean" else grad_output
        if weight is not None:
            g = g * constant(weight, dtype)
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            sig = x.sigmoid()
            if pos_weight is not None:
                pw = constant(pos_weight, dtype)
                grad_x = ((pw - 1.0) * y + 1.0) * sig - pw * y
            else:
                grad_x = sig - y
            grad_x = grad_x * g
        if ctx.needs_input_grad[1]:
            if pos_weight is not None:  # log sigmoid(x) = min(x, 0) - log(1 + e^-|x|)
                log_sig = x.clamp(max=0.0) - ((-x.abs()).exp() + 1.0).log()
                grad_y = (1.0 - constant(pos_weight, dtype)) * log_sig - x
            else:
                grad_y = -x
            grad_y = grad_y * g
        return grad_x, grad_y, None, None, None


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
):
    """Stable binary cross-entropy on logits (``F.binary_cross_entropy_with_logits``).

    L = w [(1 - y) x + (1 + (p_w - 1) y) (log(1 + e^{-|x|}) + max(-x, 0))], the log-sigmoid
    written so that no exp overflows. ``pos_weight`` (broadcast over the last dim) rescales the
    positive term. Inventory: LS-09, LS-19.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> binary_cross_entropy_with_logits(tensor([0.0]), tensor([1.0])).item()  # doctest: +ELLIPSIS
    0.693...
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


class MSELoss(Function):
    r"""loss = (x - y)^2 (broadcast), reduced; dL/dx = 2 g (x - y) / n, dL/dy = -dL/dx."""

    @staticmethod
    def forward(ctx, x, y, reduction):
        check_float("input", x, "mse_loss")
        if not np.issubdtype(y.dtype, np.floating):
            raise TypeError(
                f"mse_loss: target must be a floating-point tensor, got dtype {y.dtype}"
            )
        try:
            diff = x - y  # broadcast like torch
        except ValueError:
            raise ValueError(
                f"mse_loss: input shape {x.shape} and target shape {y.shape} are not broadcastable"
            ) from None
        ctx.save_for_backward(diff)
        ctx.reduction = reduction
        ctx.n = diff.size
        sq = np.square(diff)
        if reduction == "none":
            return sq
        if reduction == "sum":
            return np.asarray(sq.sum(), sq.dtype)
        return np.asarray(sq.mean(), sq.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        (diff,) = ctx.saved_tensors
        scale = 2.0 / ctx.n if ctx.reduction == "mean" else 2.0
        grad = diff * (grad_output * scale).astype(diff.dtype, copy=False)
        return grad, (-grad if ctx.needs_input_grad[1] else None), None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, y = ctx.inputs[0], ctx.inputs[1]
        scale = 2.0 / ctx.n if ctx.reduction == "mean" else 2.0
        grad = (x - y) * (grad_output * scale)
        return grad, -grad, None


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Mean squared error (``F.mse_loss``): L = mean((x - y)^2) (or sum / none). Inventory: LS-01.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> mse_loss(tensor([1.0, 2.0]), tensor([0.0, 0.0])).item()
    2.5
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if getattr(input, "shape", None) != getattr(target, "shape", None):
        warnings.warn(
            f"Using a target size ({tuple(target.shape)}) that is different to the input size "
            f"({tuple(input.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=2,
        )
    return MSELoss.apply(input, target, reduction)
