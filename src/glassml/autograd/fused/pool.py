"""Pooling by unrolled strided slices: max_pool, avg_pool, adaptive_avg_pool (1-D and 2-D).

With the input padded, window offset (p, q) of every output position is ONE strided slice
x_pad[:, :, p d : p d + s (Ho - 1) + 1 : s, q d : ...]; looping over the kh kw offsets (never over
pixels) gives the pooled map.

max_pool:  y = max over the window; the gradient goes to ONE element per window, the first
           maximum in row-major window scan order (PyTorch's rule; NaN propagates). 2x2 windows
           that tile the input (the pool of small CNNs) take a pairwise fast path that keeps four
           one-hot masks, so the backward is four strided multiplies.
avg_pool:  y = sum over the window / divisor (window size clipped to the padded input with
           count_include_pad, or the number of real elements without it, or divisor_override).
adaptive_avg_pool: bin i covers [floor(i H / Ho), ceil((i + 1) H / Ho)); the average is
           separable, y = A_h x A_w^T with row-stochastic bin matrices, so forward and backward
           are GEMMs.

Inventory: CN-02 (max pooling), CN-03 (average and global average pooling), NL-07.
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ..tensor import Tensor
from ._util import as_shape, check_float, ntuple, scratch

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "MaxPool2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
]


def _pool_out_size(size, k, pad, stride, dilation, ceil_mode):
    """PyTorch's pooling_output_shape."""
    num = size + 2 * pad - dilation * (k - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = num // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def _pool_args(x, kernel_size, stride, padding, dilation, ceil_mode, nd, op):
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{op}: expected {nd + 1}-D or {nd + 2}-D input, got shape {x.shape}")
    k = ntuple(kernel_size, nd, "kernel_size")
    s = (
        k
        if stride is None or (not isinstance(stride, int) and len(stride) == 0)
        else ntuple(stride, nd, "stride")
    )
    p = ntuple(padding, nd, "padding")
    d = ntuple(dilation, nd, "dilation")
    if min(k) <= 0 or min(s) <= 0 or min(d) <= 0:
        raise ValueError(
            f"{op}: kernel_size, stride and dilation must be positive, got {k}, {s}, {d}"
        )
    for kk, pp in zip(k, p, strict=True):
        if pp < 0 or pp > kk // 2:
            raise ValueError(
                f"{op}: pad should be at most half of effective kernel size, but got pad={pp}, kernel_size={kk}"
            )
    spatial = x.shape[-nd:]
    out = tuple(
        _pool_out_size(n, kk, pp, ss, dd, ceil_mode)
        for n, kk, pp, ss, dd in zip(spatial, k, p, s, d, strict=True)
    )
    if min(out) <= 0:
        raise ValueError(
            f"{op}: output size is too small: input {tuple(spatial)} gives output {out}"
        )
    if nd == 1:
        k, s, p, d, out = (1, *k), (1, *s), (0, *p), (1, *d), (1, *out)
    return k, s, p, d, out


def _to4d(x, nd):
    if x.ndim == nd + 1:
        x = x[None]
    if nd == 1:
        x = x[:, :, None, :]
    return x


def _padded(x4, pads_hw, out_hw, k, s, d, fill):
    """Pad (N, C, H, W) by p at the top/left and enough at the bottom/right for every window."""
    n, c, h, w = x4.shape
    (ph, pw), (ho, wo) = pads_hw, out_hw
    need_h = (ho - 1) * s[0] + d[0] * (k[0] - 1) + 1
    need_w = (wo - 1) * s[1] + d[1] * (k[1] - 1) + 1
    hp, wp = max(need_h, h + ph), max(need_w, w + pw)
    if ph == 0 and pw == 0 and hp == h and wp == w:
        return x4
    xp = np.full((n, c, hp, wp), fill, dtype=x4.dtype)
    xp[:, :, ph : ph + h, pw : pw + w] = x4
    return xp


def _crop(gp, pads, x4_shape, x_shape):
    """The input-shaped gradient from the padded one, without a copy when nothing was padded."""
    h, w = x4_shape[2:]
    if gp.shape != tuple(x4_shape):
        gp = np.ascontiguousarray(gp[:, :, pads[0] : pads[0] + h, pads[1] : pads[1] + w])
    return gp if gp.shape == tuple(x_shape) else gp.reshape(x_shape)


def _plane_blocks(shape, itemsize, target=1 << 19):
    """(n, c) index blocks of about ``target`` bytes of (H, W) planes, so that the kh kw passes over
    a block run from cache instead of memory."""
    n, c = shape[0], shape[1]
    plane = max(1, shape[2] * shape[3] * itemsize)
    per_sample = c * plane
    if per_sample <= target:
        step = max(1, target // per_sample)
        return [(slice(i, min(i + step, n)),) for i in range(0, n, step)]
    step = max(1, target // plane)
    return [
        (slice(i, i + 1), slice(j, min(j + step, c))) for i in range(n) for j in range(0, c, step)
    ]


def _window(xp, p, q, k_s_d_out):
    (sh, sw), (dh, dw), (ho, wo) = k_s_d_out
    r0, c0 = p * dh, q * dw
    return xp[:, :, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw]


def _max_scan(xb, best, arg, take, k, geo, nan_aware):
    """Running max over the kh kw window offsets in row-major scan order (strict >: the first
    maximum wins ties; with ``nan_aware`` a NaN always takes over, as in PyTorch's kernel).

    Without ``nan_aware`` a NaN still propagates into ``best`` (np.maximum), which is how the
    caller detects that the block must be rescanned with the NaN rule for ``arg``."""
    np.copyto(best, _window(xb, 0, 0, geo))
    arg.fill(0)
    for off in range(1, k[0] * k[1]):
        v = _window(xb, off // k[1], off % k[1], geo)
        np.greater(v, best, out=take)
        if nan_aware:
            take |= np.isnan(v)
            np.copyto(best, v, where=take)
        else:
            np.maximum(best, v, out=best)  # propagates NaN, so the caller can detect it
        np.copyto(arg, off, where=take)


# ---- create_graph=True through pooling -----------------------------------------------------------
# Each pooling backward is a linear map of the upstream gradient, g -> L g, fixed once the forward
# has run (max-pool routes g to the saved argmax taps). Its derivative is therefore L^T, which for
# average pooling is the pooling itself and for max-pool a gather at the same taps.


class _LinearMap(Function):
    """y = L(g) for a fixed linear map with a known adjoint: dL/dg = L^T(h). Applied to its own
    backward (L^T, with adjoint L), so gradients of any order exist."""

    @staticmethod
    def forward(ctx, g, linear, adjoint):
        ctx.linear, ctx.adjoint = linear, adjoint
        return linear(g)

    @staticmethod
    def backward(ctx, h):
        return ctx.adjoint(h), None, None

    @staticmethod
    def backward_graph(ctx, h):
        return _LinearMap.apply(h, ctx.adjoint, ctx.linear), None, None


class _Frozen:
    """The state a pooling backward reads (saved arrays and attributes), kept past graph freeing."""

    def __init__(self, ctx, *names):
        self.saved_tensors = ctx.saved_tensors
        self.needs_input_grad = ctx.needs_input_grad
        for name in names:
            setattr(self, name, getattr(ctx, name))


def _gather_windows(h, k, s, d, p, out_hw, x4_shape, weights_of_tap):
    """sum over taps of window_tap(pad(h)) * weights_of_tap(tap): the adjoint of a scatter of g
    into the windows (max-pool with one-hot tap weights, avg-pool with 1/divisor)."""
    h4 = h.reshape(x4_shape)
    hp = _padded(h4, p, out_hw, k, s, d, 0.0)
    geo = (s, d, out_hw)
    out = np.zeros((*x4_shape[:2], *out_hw), dtype=h.dtype)  # (N, C, Ho, Wo)
    for off in range(k[0] * k[1]):
        out += _window(hp, off // k[1], off % k[1], geo) * weights_of_tap(off)
    return out


class MaxPool2d(Function):
    """Max over each window; gradient routed to the first maximum (row-major scan)."""

    @staticmethod
    def forward(ctx, x, kernel_size, stride, padding, dilation, ceil_mode, nd, indices_out):
        op = f"max_pool{nd}d"
        check_float("input", x, op)
        k, s, p, d, out_hw = _pool_args(
            x, kernel_size, stride, padding, dilation, ceil_mode, nd, op
        )
        x4 = _to4d(x, nd)
        xp = _padded(x4, p, out_hw, k, s, d, -np.inf)
        geo = (s, d, out_hw)
        n_off = k[0] * k[1]
        best = np.empty((*x4.shape[:2], *out_hw), dtype=x.dtype)  # (N, C, Ho, Wo)
        if tuple(k) == (2, 2) and _tiles_exactly(k, s, d, p, out_hw, xp.shape, x4.shape):
            masks = _max_pool_2x2(xp, best, geo)  # (4, N, C, Ho, Wo) one-hot
            arg = None
        else:
            masks = None
            arg = np.zeros(best.shape, dtype=np.int16 if n_off < 32767 else np.int32)
            take_all = scratch("max_pool_take", best.shape, np.bool_)
            for blk in _plane_blocks(xp.shape, xp.itemsize):  # cache-sized blocks of planes
                xb, best_b, arg_b, take = xp[blk], best[blk], arg[blk], take_all[blk]
                _max_scan(xb, best_b, arg_b, take, k, geo, nan_aware=False)
                if np.isnan(best_b).any():  # rare: redo the block with PyTorch's NaN rule
                    _max_scan(xb, best_b, arg_b, take, k, geo, nan_aware=True)
        ctx.meta = (k, s, p, d, out_hw, xp.shape, x.shape, x4.shape)
        ctx.save_for_backward(arg, masks)
        if indices_out is not None and arg is None:
            arg = masks[1] + 2 * masks[2].astype(np.int16) + 3 * masks[3].astype(np.int16)
        if indices_out is not None:  # flat index into each (H, W) plane, like PyTorch
            ho, wo = out_hw
            rows = (np.arange(ho) * s[0] - p[0])[:, None] + (arg // k[1]) * d[0]
            cols = (np.arange(wo) * s[1] - p[1])[None, :] + (arg % k[1]) * d[1]
            indices_out.append(
                (rows * x4.shape[3] + cols)
                .astype(np.int64)
                .reshape(*x.shape[: x.ndim - nd], *out_hw[-nd:])
            )
        return best.reshape(*x.shape[: x.ndim - nd], *out_hw[-nd:])

    @staticmethod
    def backward(ctx, grad_output):
        arg, masks = ctx.saved_tensors
        k, s, p, d, out_hw, padded_shape, x_shape, x4_shape = ctx.meta
        g = grad_output.reshape(*x4_shape[:2], *out_hw)  # (N, C, Ho, Wo)
        geo = (s, d, out_hw)
        exact = _tiles_exactly(k, s, d, p, out_hw, padded_shape, x4_shape)
        gp = (np.empty if exact else np.zeros)(padded_shape, dtype=g.dtype)
        if masks is not None:  # 2x2 tiles: the gradient lands where the one-hot mask is set
            for off in range(4):
                np.multiply(g, masks[off], out=_window(gp, off // 2, off % 2, geo))
            return (_crop(gp, p, x4_shape, x_shape), *(None,) * 7)
        mask = scratch("max_pool_mask", arg.shape, np.bool_)
        n_off = k[0] * k[1]
        for blk in _plane_blocks(padded_shape, g.itemsize):
            gpb, gb, argb, maskb = gp[blk], g[blk], arg[blk], mask[blk]
            for off in range(n_off):
                target = _window(gpb, off // k[1], off % k[1], geo)
                np.equal(argb, off, out=maskb)
                if exact:  # every input element lies in exactly one window: plain writes
                    np.multiply(gb, maskb, out=target)
                else:
                    np.add(target, gb, out=target, where=maskb)
        return (_crop(gp, p, x4_shape, x_shape), *(None,) * 7)

    @staticmethod
    def backward_graph(ctx, grad_output):
        frozen = _Frozen(ctx, "meta")
        arg, masks = ctx.saved_tensors
        k, s, p, d, out_hw, padded_shape, x_shape, x4_shape = ctx.meta
        out_shape = grad_output.shape

        def taps(off):  # one-hot weight of tap ``off`` in every window
            return masks[off] if masks is not None else arg == off

        def adjoint(h):  # gather h at the taps the gradient was routed to
            return _gather_windows(h, k, s, d, p, out_hw, x4_shape, taps).reshape(out_shape)

        def linear(g):
            return MaxPool2d.backward(frozen, g)[0]

        return (_LinearMap.apply(grad_output, linear, adjoint), *(None,) * 7)


def _tiles_exactly(k, s, d, p, out_hw, padded_shape, x4_shape) -> bool:
    """The windows tile the input exactly: every element lies in exactly one window."""
    return (
        tuple(s) == tuple(k)
        and tuple(d) == (1, 1)
        and tuple(p) == (0, 0)
        and tuple(padded_shape[2:]) == (out_hw[0] * k[0], out_hw[1] * k[1]) == tuple(x4_shape[2:])
    )


def _max_pool_2x2(xp, best, geo) -> np.ndarray:
    """2x2 windows that tile xp: best (N, C, Ho, Wo) and the one-hot masks (4, N, C, Ho, Wo) of
    the first maximum in scan order (taps v0 v1 / v2 v3).

    Pairwise: a0 = v1 > v0, a1 = v3 > v2, top = max(v2, v3) > max(v0, v1) (strict: ties keep the
    earlier tap); masks m0 = ~top & ~a0, m1 = ~top & a0, m2 = top & ~a1, m3 = top & a1.
    A block holding a NaN is redone by the scan with PyTorch's NaN rule."""
    masks = np.empty((4, *best.shape), dtype=np.bool_)
    pair = scratch("max_pool_pair", best.shape, best.dtype)
    for blk in _plane_blocks(xp.shape, xp.itemsize):  # cache-sized blocks of (n, c) planes
        xb, bb, pb = xp[blk], best[blk], pair[blk]
        m = masks[(slice(None), *blk)]
        v0, v1, v2, v3 = (_window(xb, off // 2, off % 2, geo) for off in range(4))
        np.greater(v1, v0, out=m[1])  # a0
        np.greater(v3, v2, out=m[3])  # a1
        np.maximum(v0, v1, out=bb)
        np.maximum(v2, v3, out=pb)
        np.greater(pb, bb, out=m[2])  # top
        np.maximum(bb, pb, out=bb)
        np.greater(m[1], m[2], out=m[1])  # m1 = a0 & ~top
        np.logical_or(m[1], m[2], out=m[0])
        np.logical_not(m[0], out=m[0])  # m0 = ~(m1 | top) = ~a0 & ~top
        np.logical_and(m[2], m[3], out=m[3])  # m3 = top & a1
        np.logical_xor(m[2], m[3], out=m[2])  # m2 = top & ~a1
        if np.isnan(bb).any():  # rare: PyTorch's NaN rule via the scan
            arg = np.zeros(bb.shape, dtype=np.int16)
            take = np.empty(bb.shape, dtype=np.bool_)
            _max_scan(xb, bb, arg, take, (2, 2), geo, nan_aware=True)
            for off in range(4):
                np.equal(arg, off, out=m[off])
    return masks


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd):
    holder = [] if return_indices else None
    out = MaxPool2d.apply(
        input, kernel_size, stride, padding, dilation, bool(ceil_mode), nd, holder
    )
    if return_indices:
        return out, Tensor._make(holder[0], False, None)
    return out


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """2-D max pooling over (N, C, H, W) (``F.max_pool2d``); -inf padding, optional ceil_mode.

    The gradient flows to one element per window: the first maximum in window scan order, as in
    PyTorch. Inventory: CN-02.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> max_pool2d(randn(1, 2, 8, 8), 2).shape
    (1, 2, 4, 4)
    """
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """1-D max pooling over (N, C, L) (``F.max_pool1d``). Inventory: CN-02."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1)


def _avg_divisor(size, k, pad, stride, out, count_include_pad):
    """Per-output window length along one axis (PyTorch's pool_size / valid count)."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + k, size + pad)
    full = end - start
    valid = np.minimum(end, size) - np.maximum(start, 0)
    return full if count_include_pad else valid


class AvgPool2d(Function):
    """Window sum divided by the PyTorch divisor; backward spreads g / divisor to each tap."""

    @staticmethod
    def forward(
        ctx, x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd
    ):
        op = f"avg_pool{nd}d"
        check_float("input", x, op)
        k, s, p, d, out_hw = _pool_args(x, kernel_size, stride, padding, 1, ceil_mode, nd, op)
        x4 = _to4d(x, nd)
        xp = _padded(x4, p, out_hw, k, s, d, 0.0)
        geo = (s, d, out_hw)
        total = _window(xp, 0, 0, geo).copy()
        for off in range(1, k[0] * k[1]):
            total += _window(xp, off // k[1], off % k[1], geo)
        h, w = x4.shape[2:]
        if divisor_override:
            inv_div = np.asarray(1.0 / divisor_override, dtype=x.dtype)
        else:
            dh = _avg_divisor(h, k[0], p[0], s[0], out_hw[0], count_include_pad)
            dw = _avg_divisor(w, k[1], p[1], s[1], out_hw[1], count_include_pad)
            with np.errstate(divide="ignore"):
                inv_div = (1.0 / np.outer(dh, dw)).astype(x.dtype)  # (Ho, Wo)
            inv_div[~np.isfinite(inv_div)] = 0.0
        total *= inv_div
        ctx.meta = (k, s, d, p, out_hw, xp.shape, x.shape, x4.shape)
        ctx.save_for_backward(inv_div)
        return total.reshape(*x.shape[: x.ndim - nd], *out_hw[-nd:])

    @staticmethod
    def backward(ctx, grad_output):
        (inv_div,) = ctx.saved_tensors
        k, s, d, p, out_hw, padded_shape, x_shape, x4_shape = ctx.meta
        g = grad_output.reshape(*x4_shape[:2], *out_hw) * inv_div
        gp = np.zeros(padded_shape, dtype=g.dtype)
        geo = (s, d, out_hw)
        for off in range(k[0] * k[1]):
            _window(gp, off // k[1], off % k[1], geo)[...] += g
        return (_crop(gp, p, x4_shape, x_shape), *(None,) * 7)

    @staticmethod
    def backward_graph(ctx, grad_output):
        frozen = _Frozen(ctx, "meta")
        (inv_div,) = ctx.saved_tensors
        k, s, d, p, out_hw, padded_shape, x_shape, x4_shape = ctx.meta
        out_shape = grad_output.shape

        def adjoint(h):  # the average pooling itself
            pooled = _gather_windows(h, k, s, d, p, out_hw, x4_shape, lambda off: 1.0)
            return (pooled * inv_div).reshape(out_shape)

        def linear(g):
            return AvgPool2d.backward(frozen, g)[0]

        return (_LinearMap.apply(grad_output, linear, adjoint), *(None,) * 7)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """2-D average pooling (``F.avg_pool2d``): window mean with PyTorch's divisor rules.

    Inventory: CN-03.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> avg_pool2d(ones(1, 1, 4, 4), 2).shape
    (1, 1, 2, 2)
    """
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor must be not zero")
    return AvgPool2d.apply(
        input,
        kernel_size,
        stride,
        padding,
        bool(ceil_mode),
        bool(count_include_pad),
        divisor_override,
        2,
    )


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling (``F.avg_pool1d``). Inventory: CN-03."""
    return AvgPool2d.apply(
        input, kernel_size, stride, padding, bool(ceil_mode), bool(count_include_pad), None, 1
    )


def _adaptive_matrix(size, out, dtype):
    """(out, size) row-stochastic matrix of PyTorch's adaptive bins [floor(iH/o), ceil((i+1)H/o))."""
    i = np.arange(out)
    start = (i * size) // out
    end = -((-(i + 1) * size) // out)
    cols = np.arange(size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class AdaptiveAvgPool2d(Function):
    """y = A_h x A_w^T (two GEMMs); dx = A_h^T g A_w."""

    @staticmethod
    def forward(ctx, x, output_size, nd):
        op = f"adaptive_avg_pool{nd}d"
        check_float("input", x, op)
        if x.ndim not in (nd + 1, nd + 2):
            raise ValueError(f"{op}: expected {nd + 1}-D or {nd + 2}-D input, got shape {x.shape}")
        if isinstance(output_size, (int, np.integer)) or output_size is None:
            output_size = (output_size,) * nd
        output_size = tuple(output_size)
        if len(output_size) != nd:
            raise ValueError(f"{op}: output_size must have {nd} entries, got {output_size}")
        spatial = x.shape[-nd:]
        out = tuple(n if o is None else int(o) for o, n in zip(output_size, spatial, strict=True))
        if min(out) <= 0:
            raise ValueError(f"{op}: output_size must be positive, got {output_size}")
        x4 = _to4d(x, nd)
        ho, wo = (1, *out) if nd == 1 else out
        a_h = _adaptive_matrix(x4.shape[2], ho, x.dtype)  # (Ho, H)
        a_w = _adaptive_matrix(x4.shape[3], wo, x.dtype)  # (Wo, W)
        y = a_h @ (x4 @ a_w.T)  # (N, C, Ho, Wo)
        ctx.save_for_backward(a_h, a_w)
        ctx.x_shape, ctx.y4_shape = x.shape, y.shape
        return y.reshape(*x.shape[: x.ndim - nd], *out)

    @staticmethod
    def backward(ctx, grad_output):
        a_h, a_w = ctx.saved_tensors
        g = grad_output.reshape(ctx.y4_shape)  # (N, C, Ho, Wo)
        gx = a_h.T @ (g @ a_w)  # (N, C, H, W)
        return as_shape(gx, ctx.x_shape), None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        frozen = _Frozen(ctx, "x_shape", "y4_shape")
        a_h, a_w = ctx.saved_tensors
        x4_shape = (*ctx.y4_shape[:2], a_h.shape[1], a_w.shape[1])
        out_shape = grad_output.shape

        def adjoint(h):  # the adaptive pooling itself: A_h h A_w^T
            return (a_h @ (h.reshape(x4_shape) @ a_w.T)).reshape(out_shape)

        def linear(g):
            return AdaptiveAvgPool2d.backward(frozen, g)[0]

        return _LinearMap.apply(grad_output, linear, adjoint), None, None


def adaptive_avg_pool2d(input, output_size):
    """Adaptive 2-D average pooling to ``output_size`` (``F.adaptive_avg_pool2d``).

    output_size (1, 1) is global average pooling. Inventory: CN-03, NL-07.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> adaptive_avg_pool2d(randn(2, 3, 7, 5), (3, 2)).shape
    (2, 3, 3, 2)
    """
    return AdaptiveAvgPool2d.apply(input, output_size, 2)


def adaptive_avg_pool1d(input, output_size):
    """Adaptive 1-D average pooling (``F.adaptive_avg_pool1d``); GlobalAveragePooling1D at 1.

    Inventory: NL-07.
    """
    return AdaptiveAvgPool2d.apply(input, output_size, 1)
