"""Normalisation layers as fused ops: layer_norm, batch_norm, group_norm, instance_norm.

All share one forward and one backward. Over the normalised set S of n elements:

    mu = mean_S x,  var = mean_S (x - mu)^2 (biased),  r = 1 / sqrt(var + eps)
    xhat = (x - mu) r,   y = gamma xhat + beta

    dL/dxhat = g gamma
    dL/dx    = r (dxhat - mean_S dxhat - xhat mean_S(dxhat xhat))
    dL/dgamma = sum g xhat,   dL/dbeta = sum g          (over everything but the affine axis)

batch_norm keeps running statistics like PyTorch: running_mean <- (1 - m) running_mean + m mu,
running_var <- (1 - m) running_var + m var n/(n - 1) (unbiased), updated in place.

Inventory: NO-01, NO-02, NO-03, NO-04.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import as_shape, check_float, check_same_dtype, constant, scratch

__all__ = [
    "layer_norm",
    "batch_norm",
    "group_norm",
    "instance_norm",
    "LayerNorm",
    "BatchNorm",
    "GroupNorm",
]


def _dot_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """sum_j a[i, j] b[i, j] for 2-D a, b (one pass, no temporary)."""
    return np.einsum("ij,ij->i", a, b)


def _normalize_rows(x2: np.ndarray, eps: float):
    """Rows of x2 (M, K) -> (xhat (M, K) fresh array, rstd (M,), mean (M,), biased var (M,))."""
    mean = x2.mean(axis=1)  # (M,)
    xhat = x2 - mean[:, None]  # (M, K)
    var = _dot_rows(xhat, xhat)
    var /= x2.shape[1]  # (M,)
    rstd = var + eps
    np.sqrt(rstd, out=rstd)
    np.reciprocal(rstd, out=rstd)
    xhat *= rstd[:, None]
    return xhat, rstd, mean, var


def _normalize_rows_backward(gxhat: np.ndarray, xhat: np.ndarray, rstd: np.ndarray) -> np.ndarray:
    """dL/dx = r (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), row-wise; consumes gxhat."""
    k = xhat.shape[1]
    mean_g = gxhat.sum(axis=1)
    mean_g /= k  # (M,)
    mean_gx = _dot_rows(gxhat, xhat)
    mean_gx /= k  # (M,)
    gxhat -= mean_g[:, None]
    gxhat -= xhat * mean_gx[:, None]
    gxhat *= rstd[:, None]
    return gxhat


def _row_blocks(m: int, d: int, itemsize: int, block_bytes: int = 1 << 18):
    """Row slices of about ``block_bytes`` each (per array): a block's passes then run from the
    cache, not from DRAM."""
    rows = max(8, block_bytes // max(1, d * itemsize))
    return [slice(i, min(i + rows, m)) for i in range(0, m, rows)]


# backward streams x, g, dx and one scratch block: smaller blocks keep all four in a 1 MiB L2
_BACKWARD_BLOCK_BYTES = 3 << 16


# ---- create_graph=True: the backward of a normalisation written with Tensor ops ---------------
def _normalize_graph(x: Tensor, dims: tuple, eps: float):
    """(xhat, rstd) of x over ``dims`` (biased variance, keepdim) as differentiable Tensor ops."""
    centred = x - x.mean(dims, keepdim=True)
    rstd = ((centred * centred).mean(dims, keepdim=True) + eps).rsqrt()
    return centred * rstd, rstd


def _normalize_backward_graph(g: Tensor, xhat: Tensor, rstd: Tensor, dims: tuple) -> Tensor:
    """dx = rstd (g - mean(g) - xhat mean(g xhat)) over ``dims``; g already scaled by gamma."""
    return rstd * (g - g.mean(dims, keepdim=True) - xhat * (g * xhat).mean(dims, keepdim=True))


def _param_of(p):
    """A weight/bias argument as a Tensor (constants wrapped), or None."""
    return p if p is None or isinstance(p, Tensor) else constant(p)


class LayerNorm(Function):
    """Normalise over the last ``len(normalized_shape)`` dims, elementwise affine (gamma, beta).

    Memory-bound, so cache-blocked: rows are processed in ~256 KiB blocks, so the several
    elementwise passes of a block hit the cache and each (M, D) array crosses the memory bus about
    once (forward ~256 KiB blocks; backward ~192 KiB, as it streams four arrays). Row and column
    reductions are BLAS matrix-vector products, which run several times faster than NumPy's
    broadcasting ufunc loops. Backward saves only (x, mean, rstd) like PyTorch and expands dx in x
    (PyTorch's CPU formula), so xhat is never materialised: one product g x per block feeds all
    the reductions, and dx takes four elementwise passes.

    Inventory: NO-02.
    """

    @staticmethod
    def forward(ctx, x, normalized_shape, weight, bias, eps):
        check_float("input", x, "layer_norm")
        check_same_dtype("layer_norm", x, weight=weight, bias=bias)
        k = len(normalized_shape)
        if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k :]) != tuple(normalized_shape):
            raise ValueError(
                "layer_norm: expected input with shape "
                f"[*, {', '.join(map(str, normalized_shape))}], but got input of size {list(x.shape)}"
            )
        for name, p in (("weight", weight), ("bias", bias)):
            if p is not None and tuple(p.shape) != tuple(normalized_shape):
                raise ValueError(
                    f"layer_norm: {name} must have shape {tuple(normalized_shape)}, got {p.shape}"
                )
        d = int(np.prod(normalized_shape))
        x2 = x.reshape(-1, d)  # (M, D)
        m = x2.shape[0]
        w = weight.reshape(-1) if weight is not None else None
        b = bias.reshape(-1) if bias is not None else None
        inv_d = np.full(d, 1.0 / d, dtype=x.dtype)
        out = np.empty(x.shape, dtype=x.dtype)
        out2 = out.reshape(m, d)  # (M, D) view of the owned output
        mean = np.empty(m, dtype=x.dtype)
        rstd = np.empty(m, dtype=x.dtype)
        for rows in _row_blocks(m, d, x.itemsize):
            xb, ob = x2[rows], out2[rows]  # (B, D)
            mu = xb @ inv_d  # (B,) row means by BLAS
            np.subtract(xb, mu[:, None], out=ob)  # centred
            r = np.vecdot(ob, ob)  # (B,) sum of squares
            r /= d
            r += eps
            np.sqrt(r, out=r)
            np.reciprocal(r, out=r)
            ob *= r[:, None]  # xhat
            if w is not None:
                ob *= w
            if b is not None:
                ob += b
            mean[rows], rstd[rows] = mu, r
        ctx.save_for_backward(x2, mean, rstd, weight)
        ctx.shape, ctx.has_w, ctx.has_b = x.shape, weight is not None, bias is not None
        return out

    @staticmethod
    def backward(ctx, grad_output):
        """Per row (PyTorch's CPU formula, one elementwise product and GEMV reductions)::

            a = sum_j g w,   s = sum_j g w x,   c = r (s - mu a) / D        (row reductions)
            dx = r w g + p x + q,   p = -r^2 c,   q = r^2 c mu - r a / D
            dgamma = sum_i r g x - sum_i r mu g,   dbeta = sum_i g           (column reductions)

        which is dx = r (g w - mean(g w) - xhat mean(g w xhat)) expanded in x, so xhat is never
        materialised. The column sums are matrix-vector products over each row block.
        """
        x2, mean, rstd, weight = ctx.saved_tensors
        m, d = x2.shape
        dtype = x2.dtype
        g2 = grad_output.reshape(m, d)  # (M, D)
        w = weight.reshape(-1) if weight is not None else None
        need_x = ctx.needs_input_grad[0]
        need_w = ctx.has_w and ctx.needs_input_grad[2]
        need_b = ctx.has_b and ctx.needs_input_grad[3]
        grad_w = np.zeros(d, dtype=dtype) if need_w else None
        grad_wb = np.zeros((2, d), dtype=dtype) if (need_w or need_b) else None  # [r mu g; g]
        grad_x = np.empty(ctx.shape, dtype=dtype) if need_x else None
        gx2 = grad_x.reshape(m, d) if need_x else None
        blocks = _row_blocks(m, d, x2.itemsize, _BACKWARD_BLOCK_BYTES)
        rows_max = blocks[0].stop - blocks[0].start
        work = scratch("layer_norm", (rows_max, d), dtype)  # g x, then p x
        coef = np.ones((2, rows_max), dtype=dtype)  # row weights of the column sums
        inv_d = dtype.type(1.0 / d)
        for rows in blocks:
            n_rows = rows.stop - rows.start
            xb, gb, r, mu = x2[rows], g2[rows], rstd[rows], mean[rows]  # (B, D), (B,)
            prod = work[:n_rows]  # (B, D)
            np.multiply(gb, xb, out=prod)  # g x
            if grad_wb is not None:
                c2 = coef[:, :n_rows]
                np.multiply(r, mu, out=c2[0])
                grad_wb += c2 @ gb  # (2, D): sum_i r mu g, sum_i g
                if need_w:
                    grad_w += r @ prod  # sum_i r g x
            if not need_x:
                continue
            a = (gb @ w) if w is not None else gb.sum(axis=1)  # (B,) sum_j g w
            s = (prod @ w) if w is not None else prod.sum(axis=1)  # (B,) sum_j g w x
            c = s - mu * a
            c *= r
            c *= inv_d
            p = r * r
            p *= c  # r^2 c
            q = p * mu
            q -= r * a * inv_d
            np.negative(p, out=p)
            db = gx2[rows]  # (B, D) this block of dx
            if w is not None:
                np.multiply(gb, w, out=db)
                db *= r[:, None]
            else:
                np.multiply(gb, r[:, None], out=db)
            np.multiply(xb, p[:, None], out=prod)
            db += prod
            db += q[:, None]
        grad_b = None
        if need_w:
            grad_w -= grad_wb[0]
            grad_w = grad_w.reshape(weight.shape)
        if need_b:
            grad_b = grad_wb[1].reshape(weight.shape if weight is not None else ctx.shape[-1:])
        return grad_x, None, grad_w, grad_b, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, normalized_shape, weight, _, eps = ctx.inputs
        d = int(np.prod(normalized_shape))
        x2 = x.reshape(-1, d)  # (M, D)
        g2 = grad_output.reshape(-1, d)
        xhat, rstd = _normalize_graph(x2, (1,), eps)
        weight = _param_of(weight)
        need = ctx.needs_input_grad
        gw = g2 * weight.reshape(d) if weight is not None else g2
        grad_x = _normalize_backward_graph(gw, xhat, rstd, (1,)).reshape(*ctx.shape)
        grad_w = (g2 * xhat).sum(0).reshape(*normalized_shape) if ctx.has_w and need[2] else None
        grad_b = g2.sum(0).reshape(*normalized_shape) if ctx.has_b and need[3] else None
        return grad_x if need[0] else None, None, grad_w, grad_b, None


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation over the trailing ``normalized_shape`` dims (``F.layer_norm``).

    y = (x - mean) / sqrt(var + eps) * weight + bias, statistics per sample (biased variance).
    Inventory: NO-02.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> y = layer_norm(randn(4, 8), (8,))
    >>> abs(y.mean().item()) < 1e-5
    True
    """
    if isinstance(normalized_shape, (int, np.integer)):
        normalized_shape = (int(normalized_shape),)
    return LayerNorm.apply(input, tuple(normalized_shape), weight, bias, float(eps))


def _as_ncl(x: np.ndarray, op: str) -> np.ndarray:
    """(N, C, *) -> (N, C, L) view/copy."""
    if x.ndim < 2:
        raise ValueError(
            f"{op}: expected input with at least 2 dims (N, C, ...), got shape {x.shape}"
        )
    return x.reshape(x.shape[0], x.shape[1], -1)


class BatchNorm(Function):
    """Per-channel normalisation over (N, *spatial); batch statistics in training, running in eval."""

    @staticmethod
    def forward(ctx, x, running_mean, running_var, weight, bias, training, momentum, eps):
        check_float("input", x, "batch_norm")
        check_same_dtype("batch_norm", x, weight=weight, bias=bias)
        x3 = _as_ncl(x, "batch_norm")  # (N, C, L)
        n, c, length = x3.shape
        for name, p in (
            ("running_mean", running_mean),
            ("running_var", running_var),
            ("weight", weight),
            ("bias", bias),
        ):
            if p is not None and p.shape != (c,):
                raise ValueError(f"batch_norm: {name} should contain {c} elements not {p.size}")
        ctx.shape, ctx.training = x.shape, training
        ctx.has_w, ctx.has_b = weight is not None, bias is not None
        if training:
            count = n * length
            if count <= 1:
                raise ValueError(
                    f"Expected more than 1 value per channel when training, got input size {list(x.shape)}"
                )
            # per-channel statistics via the channel-major layout (C, N*L)
            xc = np.moveaxis(x3, 1, 0).reshape(c, -1)  # (C, N*L)
            xhat_c, rstd, mean, var = _normalize_rows(xc, eps)  # (C, N*L)
            xhat = np.moveaxis(xhat_c.reshape(c, n, length), 0, 1)  # (N, C, L) view
            if running_mean is not None:
                running_mean *= 1.0 - momentum
                running_mean += (momentum * mean).astype(running_mean.dtype, copy=False)
            if running_var is not None:
                running_var *= 1.0 - momentum
                running_var += (momentum * var * (count / (count - 1))).astype(
                    running_var.dtype, copy=False
                )
            ctx.save_for_backward(xhat_c, rstd, weight)
        else:
            if running_mean is None or running_var is None:
                raise ValueError(
                    "batch_norm: running_mean and running_var are required when training=False"
                )
            rstd = (1.0 / np.sqrt(running_var + eps)).astype(x.dtype, copy=False)  # (C,)
            xhat = (x3 - running_mean[:, None].astype(x.dtype, copy=False)) * rstd[:, None]
            ctx.save_for_backward(xhat, rstd, weight)
        out = xhat * weight[:, None] if weight is not None else xhat.copy()
        if bias is not None:
            out += bias[:, None]
        return np.ascontiguousarray(out).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad_output):
        xhat_saved, rstd, weight = ctx.saved_tensors
        n, c = ctx.shape[0], ctx.shape[1]
        g3 = grad_output.reshape(n, c, -1)  # (N, C, L)
        if ctx.training:
            g_c = np.moveaxis(g3, 1, 0).reshape(c, -1)  # (C, N*L)
            xhat_c = xhat_saved
        else:
            g_c = np.moveaxis(g3, 1, 0).reshape(c, -1)
            xhat_c = np.moveaxis(xhat_saved, 1, 0).reshape(c, -1)
        grad_w = _dot_rows(g_c, xhat_c) if ctx.has_w and ctx.needs_input_grad[3] else None
        grad_b = g_c.sum(axis=1) if ctx.has_b and ctx.needs_input_grad[4] else None
        grad_x = None
        if ctx.needs_input_grad[0]:
            scale = rstd * weight if weight is not None else rstd  # (C,)
            if ctx.training:
                gxhat = g_c * weight[:, None] if weight is not None else g_c.copy()
                gx_c = _normalize_rows_backward(gxhat, xhat_c, rstd)  # (C, N*L)
                grad_x = as_shape(
                    np.ascontiguousarray(np.moveaxis(gx_c.reshape(c, n, -1), 0, 1)), ctx.shape
                )
            else:
                grad_x = as_shape(g3 * scale[:, None], ctx.shape)
        return grad_x, None, None, grad_w, grad_b, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, running_mean, running_var, weight, _, training, _, eps = ctx.inputs
        n, c = ctx.shape[0], ctx.shape[1]
        x3 = x.reshape(n, c, -1)  # (N, C, L)
        g3 = grad_output.reshape(n, c, -1)
        weight = _param_of(weight)
        need = ctx.needs_input_grad
        if training:
            xhat, rstd = _normalize_graph(x3, (0, 2), eps)
            gw = g3 * weight.reshape(c, 1) if weight is not None else g3
            grad_x = _normalize_backward_graph(gw, xhat, rstd, (0, 2))
        else:  # running statistics: an affine map of x
            mean = running_mean.data if isinstance(running_mean, Tensor) else running_mean
            var = running_var.data if isinstance(running_var, Tensor) else running_var
            rstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype)  # (C,)
            xhat = (x3 - constant(mean, x.dtype).reshape(c, 1)) * constant(rstd[:, None])
            scale = constant(rstd[:, None])
            grad_x = g3 * (weight.reshape(c, 1) * scale if weight is not None else scale)
        grad_w = (g3 * xhat).sum((0, 2)) if ctx.has_w and need[3] else None
        grad_b = g3.sum((0, 2)) if ctx.has_b and need[4] else None
        grad_x = grad_x.reshape(*ctx.shape) if need[0] else None
        return grad_x, None, None, grad_w, grad_b, None, None, None


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-5,
):
    """Batch normalisation over (N, *spatial) per channel (``F.batch_norm``).

    Training: batch statistics (biased variance) normalise, and the running statistics are
    updated in place with ``momentum`` (unbiased variance, like PyTorch). Eval: running stats.
    Inventory: NO-01, AG-09.

    Parameters
    ----------
    input : Tensor (N, C, *)
    running_mean, running_var : Tensor (C,) or None (None only when training)
    weight, bias : Tensor (C,) or None
    training : bool
    momentum : float — running = (1 - momentum) running + momentum batch_stat
    eps : float

    Example
    -------
    >>> from glassml.autograd import randn, zeros, ones
    >>> rm, rv = zeros(3), ones(3)
    >>> y = batch_norm(randn(8, 3), rm, rv, training=True)
    """
    if momentum is None:
        raise ValueError(
            "batch_norm: momentum=None (cumulative average) is handled by nn.BatchNorm; "
            "pass a float"
        )
    return BatchNorm.apply(
        input, running_mean, running_var, weight, bias, bool(training), float(momentum), float(eps)
    )


class GroupNorm(Function):
    """Normalise each of ``num_groups`` channel groups per sample; per-channel affine."""

    @staticmethod
    def forward(ctx, x, num_groups, weight, bias, eps):
        check_float("input", x, "group_norm")
        check_same_dtype("group_norm", x, weight=weight, bias=bias)
        x3 = _as_ncl(x, "group_norm")  # (N, C, L)
        n, c, length = x3.shape
        if num_groups <= 0 or c % num_groups:
            raise ValueError(
                f"group_norm: Expected number of channels in input ({c}) to be divisible by "
                f"num_groups ({num_groups})"
            )
        for name, p in (("weight", weight), ("bias", bias)):
            if p is not None and p.shape != (c,):
                raise ValueError(f"group_norm: {name} must have shape ({c},), got {p.shape}")
        xg = x3.reshape(n * num_groups, -1)  # (N*G, C/G*L)
        xhat, rstd, _, _ = _normalize_rows(xg, eps)
        ctx.save_for_backward(xhat, rstd, weight)
        ctx.shape, ctx.has_w, ctx.has_b = x.shape, weight is not None, bias is not None
        xhat3 = xhat.reshape(n, c, length)
        out = xhat3 * weight[:, None] if weight is not None else xhat3.copy()
        if bias is not None:
            out += bias[:, None]
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad_output):
        xhat, rstd, weight = ctx.saved_tensors
        n, c = ctx.shape[0], ctx.shape[1]
        g3 = grad_output.reshape(n, c, -1)  # (N, C, L)
        xhat3 = xhat.reshape(g3.shape)
        grad_w = grad_b = grad_x = None
        if ctx.has_w and ctx.needs_input_grad[2]:
            grad_w = np.einsum("ncl,ncl->c", g3, xhat3)
        if ctx.has_b and ctx.needs_input_grad[3]:
            grad_b = g3.sum(axis=(0, 2))
        if ctx.needs_input_grad[0]:
            gxhat = g3 * weight[:, None] if weight is not None else g3.copy()
            grad_x = _normalize_rows_backward(gxhat.reshape(xhat.shape), xhat, rstd)
            grad_x = as_shape(grad_x, ctx.shape)
        return grad_x, None, grad_w, grad_b, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, num_groups, weight, _, eps = ctx.inputs
        n, c = ctx.shape[0], ctx.shape[1]
        x3 = x.reshape(n, c, -1)  # (N, C, L)
        g3 = grad_output.reshape(n, c, -1)
        xhat_g, rstd = _normalize_graph(x3.reshape(n * num_groups, -1), (1,), eps)  # (N G, C/G L)
        weight = _param_of(weight)
        need = ctx.needs_input_grad
        gw = g3 * weight.reshape(c, 1) if weight is not None else g3
        grad_x = _normalize_backward_graph(gw.reshape(n * num_groups, -1), xhat_g, rstd, (1,))
        xhat = xhat_g.reshape(n, c, -1)
        grad_w = (g3 * xhat).sum((0, 2)) if ctx.has_w and need[2] else None
        grad_b = g3.sum((0, 2)) if ctx.has_b and need[3] else None
        return grad_x.reshape(*ctx.shape) if need[0] else None, None, grad_w, grad_b, None


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation (``F.group_norm``): statistics per sample over each channel group.

    Inventory: NO-04 (NO-03 instance norm is num_groups = C; NO-02 layer norm is num_groups = 1).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> group_norm(randn(2, 4, 5), 2).shape
    (2, 4, 5)
    """
    return GroupNorm.apply(input, int(num_groups), weight, bias, float(eps))


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Instance normalisation (``F.instance_norm``): per sample and channel over spatial dims.

    With ``use_input_stats`` the running statistics (if given) are updated in place with the
    batch average of the per-instance mean and unbiased variance, like PyTorch; otherwise the
    running statistics normalise (eval of ``track_running_stats=True``). Inventory: NO-03.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> instance_norm(randn(2, 3, 8)).shape
    (2, 3, 8)
    """
    x = input.data
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps)
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected input of shape (N, C, L, ...), got {x.shape}")
    if running_mean is not None or running_var is not None:
        x3 = x.reshape(x.shape[0], x.shape[1], -1)
        length = x3.shape[2]
        if running_mean is not None:
            rm = running_mean.data
            rm *= 1.0 - momentum
            rm += (momentum * x3.mean(axis=(0, 2))).astype(rm.dtype, copy=False)
        if running_var is not None:
            rv = running_var.data
            unbiased = x3.var(axis=2) * (length / max(length - 1, 1))
            rv *= 1.0 - momentum
            rv += (momentum * unbiased.mean(axis=0)).astype(rv.dtype, copy=False)
    return GroupNorm.apply(input, int(x.shape[1]), weight, bias, float(eps))
