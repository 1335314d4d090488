"""Array kernels of the convolutions (im2col, col2im, the stride-1 fast path, the dispatch).

Layouts: inputs NCHW; ``_Geom`` holds kernel, stride, (top, bottom, left, right) pads, dilation
and groups. Every conv entry point (forward, input gradient, weight gradient) goes through
:func:`conv_forward`, :func:`conv_input_grad`, :func:`conv_weight_grad`:

* general path (groups > 1 or stride > 1): im2col (one strided copy) + one GEMM per group;
  col2im by one strided slice-add per kernel offset;
* stride 1, one group, few input taps (C kh kw <= 256, e.g. the first layers of a small CNN):
  per-sample NCHW im2col cols (N, C kh kw, Ho Wo) and batched GEMMs W @ cols[n] whose result is
  already NCHW (no transposing copy); the weight gradient sums g[n] @ cols[n]^T over samples; the
  input gradient is a flipped conv (C_in >= 8) or W^T g[n] followed by col2im (C_in < 8);
* stride 1, one group, many taps: channels-last padded input and window matrix in scratch
  buffers, one tall GEMM (N Ho Wo, kh kw C) @ (kh kw C, O), one transposing copy to NCHW; the
  input gradient is the same kernel on the gradient with the flipped, channel-transposed weight;
  the window matrix is kept, and the weight gradient is one GEMM cols^T @ g (K = N Ho Wo).

Inventory: CN-01, CN-04, CN-05, CN-06.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._util import pooled_empty, scratch


# ----------------------------------------------------------------------------- array kernels
def _pad(x: np.ndarray, pads: tuple[int, int, int, int]) -> np.ndarray:
    """Zero-pad the two trailing dims of x by (top, bottom, left, right)."""
    pt, pb, pl, pr = pads
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    xp = np.zeros((n, c, h + pt + pb, w + pl + pr), dtype=x.dtype)
    xp[:, :, pt : pt + h, pl : pl + w] = x
    return xp


def im2col(xp, kernel, stride, dilation, out_hw) -> np.ndarray:
    """Padded x (N, C, Hp, Wp) -> cols (C, kh, kw, N, Ho, Wo), one strided copy."""
    n, c = xp.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out_hw
    s0, s1, s2, s3 = xp.strides
    windows = as_strided(
        xp,
        shape=(c, kh, kw, n, ho, wo),
        strides=(s1, s2 * dh, s3 * dw, s0, s2 * sh, s3 * sw),
        writeable=False,
    )
    cols = pooled_empty(windows.shape, xp.dtype)  # owned: xp may be a scratch buffer
    np.copyto(cols, windows)
    return cols


def col2im(cols, padded_shape, stride, dilation) -> np.ndarray:
    """cols (C, kh, kw, N, Ho, Wo) -> padded image (C, N, Hp, Wp), channel-major, summing overlaps."""
    c, kh, kw, n, ho, wo = cols.shape
    hp, wp = padded_shape
    (sh, sw), (dh, dw) = stride, dilation
    img = np.zeros((c, n, hp, wp), dtype=cols.dtype)
    for p in range(kh):
        for q in range(kw):
            r0, c0 = p * dh, q * dw
            img[:, :, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw] += cols[
                :, p, q
            ]
    return img


class _Geom:
    """Geometry of a 2-D convolution: kernel, stride, (top, bottom, left, right) pads, dilation, groups."""

    __slots__ = ("kernel", "stride", "pads", "dilation", "groups", "allow_shift")

    def __init__(self, kernel, stride, pads, dilation, groups, allow_shift=True):
        self.kernel, self.stride, self.pads = kernel, stride, pads
        self.dilation, self.groups, self.allow_shift = dilation, groups, allow_shift

    def out_hw(self, h, w):
        (kh, kw), (sh, sw), (pt, pb, pl, pr), (dh, dw) = (
            self.kernel,
            self.stride,
            self.pads,
            self.dilation,
        )
        return (h + pt + pb - dh * (kh - 1) - 1) // sh + 1, (
            w + pl + pr - dw * (kw - 1) - 1
        ) // sw + 1


def conv2d_forward(x, w, geom: _Geom):
    """out (N, O, Ho, Wo) and cols (g, C/g kh kw, N Ho Wo) of conv2d(x, w)."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    g = geom.groups
    ho, wo = geom.out_hw(h, wd)
    cols = im2col(_pad(x, geom.pads), geom.kernel, geom.stride, geom.dilation, (ho, wo))
    cols = cols.reshape(g, -1, n * ho * wo)  # (g, C/g kh kw, N L)
    w2 = w.reshape(g, o // g, -1)  # (g, O/g, C/g kh kw)
    out = np.matmul(w2, cols)  # (g, O/g, N L): one GEMM per group
    out = out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)  # (N, O, Ho, Wo) view
    return np.ascontiguousarray(out), cols


def conv2d_input_grad(gout, w, geom: _Geom, x_hw) -> np.ndarray:
    """dL/dx (N, C, H, W) of conv2d given dL/dout (N, O, Ho, Wo): GEMM then col2im."""
    n, o, ho, wo = gout.shape
    g = geom.groups
    kh, kw = geom.kernel
    c = w.shape[1] * g
    pt, pb, pl, pr = geom.pads
    h, wd = x_hw
    g_t = np.ascontiguousarray(gout.transpose(1, 0, 2, 3)).reshape(g, o // g, -1)  # (g, O/g, N L)
    w2 = w.reshape(g, o // g, -1)  # (g, O/g, C/g kh kw)
    dcols = np.matmul(w2.transpose(0, 2, 1), g_t)  # (g, C/g kh kw, N L)
    dcols = dcols.reshape(c, kh, kw, n, ho, wo)
    hp, wp = h + pt + pb, wd + pl + pr
    img = col2im(dcols, (hp, wp), geom.stride, geom.dilation)  # (C, N, Hp, Wp)
    img = img[:, :, pt : pt + h, pl : pl + wd].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(img)


def conv2d_weight_grad(gout, cols, geom: _Geom, w_shape) -> np.ndarray:
    """dL/dw (O, C/g, kh, kw) = g (O, N L) @ cols^T per group."""
    o = gout.shape[1]
    g = geom.groups
    g_t = np.ascontiguousarray(gout.transpose(1, 0, 2, 3)).reshape(g, o // g, -1)  # (g, O/g, N L)
    return np.matmul(g_t, cols.transpose(0, 2, 1)).reshape(w_shape)  # (g, O/g, C/g kh kw)


def _cols_of(x, geom: _Geom, out_hw):
    return im2col(_pad(x, geom.pads), geom.kernel, geom.stride, geom.dilation, out_hw).reshape(
        geom.groups, -1, x.shape[0] * out_hw[0] * out_hw[1]
    )


# ---- stride-1 fast path: channels-last im2col + one tall GEMM -------------------------------------
# Forward and input gradient: cols (N Ho Wo, kh kw C) @ W (kh kw C, O); weight gradient:
# cols^T @ g with the forward's cols kept. Fallback input gradient when the flipped conv does not
# apply (uneven sizes): with the gradient embedded in the flat padded layout G (O, T),
# T = N Hp Wp, kernel tap (p, q) sits at the constant flat shift s = p d_h Wp + q d_w, so
# dX[:, s : s + L] += W[:, :, p, q]^T @ G[:, :L] (kh kw GEMMs on column slices, L = T - s_max).


def _shifts(geom: _Geom, wp: int) -> list[int]:
    (kh, kw), (dh, dw) = geom.kernel, geom.dilation
    return [p * dh * wp + q * dw for p in range(kh) for q in range(kw)]


def _im2col_nhwc(x, pads, dilation, kernel, keep: bool) -> np.ndarray:
    """Channels-last window matrix cols (N Ho Wo, kh kw C) of a stride-1 conv, one strided copy.

    The padded input (N, Hp, Wp, C) lives in a scratch buffer; cols too unless ``keep`` (then it
    comes from the pool of saved arrays: the weight gradient reuses it)."""
    n, c, h, wd = x.shape
    kh, kw = kernel
    pt, pb, pl, pr = pads
    dh, dw = dilation
    hp, wp = h + pt + pb, wd + pl + pr
    ho, wo = hp - dh * (kh - 1), wp - dw * (kw - 1)
    xp = scratch("conv_pad_nhwc", (n, hp, wp, c), x.dtype)
    if pt or pb or pl or pr:
        xp.fill(0)
    xp[:, pt : pt + h, pl : pl + wd, :] = x.transpose(0, 2, 3, 1)
    s0, s1, s2, s3 = xp.strides
    windows = as_strided(
        xp,
        shape=(n, ho, wo, kh, kw, c),
        strides=(s0, s1, s2, s1 * dh, s2 * dw, s3),
        writeable=False,
    )
    shape = (n, ho, wo, kh, kw, c)
    cols = pooled_empty(shape, x.dtype) if keep else scratch("conv_cols_nhwc", shape, x.dtype)
    np.copyto(cols, windows)
    return cols.reshape(n * ho * wo, kh * kw * c)


def _conv_s1(x, w, pads, dilation, keep_cols: bool = False):
    """Stride-1, single-group conv2d (N, C, H, W) * (O, C, kh, kw) -> fresh (N, O, Ho, Wo).

    Channels-last inside: cols (N Ho Wo, kh kw C) is filled by one strided copy whose inner runs
    are C contiguous floats, and out (N Ho Wo, O) = cols @ W (kh kw C, O) is one tall GEMM
    (OpenBLAS's fastest shape here); a final transposing copy gives the owned NCHW output.
    With ``keep_cols`` returns (out, cols) for the weight gradient.
    """
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    cols = _im2col_nhwc(x, pads, dilation, (kh, kw), keep_cols)  # (N Ho Wo, kh kw C)
    pt, pb, pl, pr = pads
    ho = h + pt + pb - dilation[0] * (kh - 1)
    wo = wd + pl + pr - dilation[1] * (kw - 1)
    w_mat = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(kh * kw * c, o)  # (kh kw C, O)
    out = scratch("conv_out_nhwc", (n * ho * wo, o), x.dtype)
    np.matmul(cols, w_mat, out=out)  # (N Ho Wo, O)
    # .copy(), not ascontiguousarray: with O == 1 or a 1x1 output the transposed view is already
    # contiguous and would alias the scratch buffer that the next conv overwrites
    out = out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2).copy()
    return (out, cols) if keep_cols else out


def _cols_weight_grad(gout, cols, w_shape) -> np.ndarray:
    """dW (O, C, kh, kw) from the kept channels-last cols: dW^T (kh kw C, O) = cols^T @ g_nhwc,
    one GEMM with the long contraction over all N Ho Wo positions."""
    o, c, kh, kw = w_shape
    n, _, ho, wo = gout.shape
    if cols.shape[0] != n * ho * wo:
        raise ValueError(
            f"conv2d backward: saved windows cover {cols.shape[0]} positions, the gradient "
            f"{n * ho * wo}"
        )
    g_nhwc = np.ascontiguousarray(gout.transpose(0, 2, 3, 1)).reshape(-1, o)  # (N Ho Wo, O)
    dw_t = cols.T @ g_nhwc  # (kh kw C, O)
    return np.ascontiguousarray(dw_t.reshape(kh, kw, c, o).transpose(3, 2, 0, 1))


def _grad_flat(gout, hp, wp):
    """Embed dL/dout (N, O, Ho, Wo) in the zero-padded flat layout (O, T) (a scratch buffer)."""
    n, o, ho, wo = gout.shape
    G = scratch("conv_gflat", (o, n, hp, wp), gout.dtype)
    G.fill(0)
    G[:, :, :ho, :wo] = gout.transpose(1, 0, 2, 3)
    return G.reshape(o, -1)


def _shift_input_grad(gout, w, geom: _Geom, x_hw):
    n, o = gout.shape[:2]
    _, c, kh, kw = w.shape
    pt, pb, pl, pr = geom.pads
    h, wd = x_hw
    hp, wp = h + pt + pb, wd + pl + pr
    G = _grad_flat(gout, hp, wp)  # (O, T)
    shifts = _shifts(geom, wp)
    L = G.shape[1] - shifts[-1]
    G = G[:, :L]
    wk = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(kh * kw, c, o)  # (kk, C, O)
    dX = np.zeros((c, n * hp * wp), dtype=gout.dtype)  # (C, T)
    tmp = np.empty((c, L), dtype=gout.dtype)
    for k, s in enumerate(shifts):
        np.matmul(wk[k], G, out=tmp)
        dX[:, s : s + L] += tmp
    dx = dX.reshape(c, n, hp, wp)[:, :, pt : pt + h, pl : pl + wd].transpose(1, 0, 2, 3)
    return np.ascontiguousarray(dx)


# ---- single-group fast path: per-sample NCHW im2col + batched GEMMs -------------------------------
# For groups == 1 the window matrix is laid out per sample, cols (N, C kh kw, Ho Wo): the strided
# copy reads runs of Wo contiguous floats, and
#     out[n] (O, Ho Wo) = W (O, C kh kw) @ cols[n]
# is one batched GEMM whose result is ALREADY in NCHW order (no transposing copy). Backward:
#     dW = sum_n g[n] (O, L) @ cols[n]^T                  (batched GEMM, summed over samples)
#     dx = conv(g, W flipped and channel-transposed, pad k - 1 - p)   (stride 1, C_in >= 8), or
#     dx = col2im(W^T @ g[n])                             (otherwise: strided adds per kernel tap)
# Tiny output maps (Ho Wo < _MIN_PLANE) keep the channel-major path: one tall GEMM beats N tiny ones.

_MIN_PLANE = 36  # below this many output pixels per sample the per-sample GEMMs are too small
_MAX_SAMPLE_K = 256  # above this C kh kw the tall channels-last GEMM (shift path) is faster
_FLIP_MIN_CHANNELS = 8  # input grad as a flipped conv only when its GEMM has >= 8 output rows


def _use_shift_path(geom: _Geom) -> bool:
    return geom.allow_shift and geom.stride == (1, 1) and geom.groups == 1


def _use_sample_path(geom: _Geom, c_in: int, out_hw) -> bool:
    """Per-sample NCHW path: stride-1 single-group convs with few input taps (C kh kw) and
    output planes large enough for per-sample GEMMs (the first layers of small CNNs)."""
    kh, kw = geom.kernel
    return (
        _use_shift_path(geom)
        and c_in * kh * kw <= _MAX_SAMPLE_K
        and out_hw[0] * out_hw[1] >= _MIN_PLANE
    )


def _padded_nchw(x, pads) -> np.ndarray:
    """x (N, C, H, W) zero-padded by (top, bottom, left, right) into a reusable scratch buffer."""
    pt, pb, pl, pr = pads
    if not (pt or pb or pl or pr):
        return x
    n, c, h, w = x.shape
    xp = scratch("conv_pad_nchw", (n, c, h + pt + pb, w + pl + pr), x.dtype)
    xp[:, :, :pt] = 0  # only the border is zeroed; the interior is overwritten below
    xp[:, :, pt + h :] = 0
    xp[:, :, pt : pt + h, :pl] = 0
    xp[:, :, pt : pt + h, pl + w :] = 0
    xp[:, :, pt : pt + h, pl : pl + w] = x
    return xp


def _im2col_samples(x, geom: _Geom, out_hw) -> np.ndarray:
    """x (N, C, H, W) -> cols (N, C kh kw, Ho Wo), one strided copy."""
    n, c = x.shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = geom.kernel, geom.stride, geom.dilation, out_hw
    xp = _padded_nchw(x, geom.pads)
    r0, r1, r2, r3 = xp.strides
    windows = as_strided(
        xp,
        shape=(n, c, kh, kw, ho, wo),
        strides=(r0, r1, r2 * dh, r3 * dw, r2 * sh, r3 * sw),
        writeable=False,
    )
    cols = pooled_empty((n, c * kh * kw, ho * wo), x.dtype)
    np.copyto(cols.reshape(n, c, kh, kw, ho, wo), windows)
    return cols


def _sample_forward(x, w, geom: _Geom, out_hw):
    """out (N, O, Ho, Wo) of conv2d(x, w), and the cols it used (saved for the weight grad)."""
    n, o = x.shape[0], w.shape[0]
    cols = _im2col_samples(x, geom, out_hw)  # (N, C kh kw, L)
    out = np.matmul(w.reshape(o, -1), cols)  # (N, O, L): one GEMM per sample, NCHW order
    return out.reshape(n, o, *out_hw), cols


def _sample_weight_grad(gout, cols, w_shape) -> np.ndarray:
    """dW (O, C, kh, kw) = sum_n g[n] (O, L) @ cols[n]^T, in chunks of samples (bounded memory)."""
    n, o = gout.shape[:2]
    g3 = gout.reshape(n, o, -1)  # (N, O, L)
    k = cols.shape[1]
    step = max(1, (1 << 21) // max(1, o * k))  # about 8 MB of float32 partial products
    acc = None
    for i in range(0, n, step):
        part = np.matmul(g3[i : i + step], cols[i : i + step].transpose(0, 2, 1)).sum(0)  # (O, K)
        acc = part if acc is None else np.add(acc, part, out=acc)
    return acc.reshape(w_shape)


def _sample_input_grad_col2im(gout, w, geom: _Geom, x_hw) -> np.ndarray:
    """dx (N, C, H, W): dcols[n] = W^T @ g[n], then one strided add per kernel tap (col2im)."""
    n, o, ho, wo = gout.shape
    _, c, kh, kw = w.shape
    (sh, sw), (dh, dw), (pt, pb, pl, pr) = geom.stride, geom.dilation, geom.pads
    h, wd = x_hw
    dcols = np.matmul(w.reshape(o, -1).T, gout.reshape(n, o, -1))  # (N, C kh kw, L)
    dcols = dcols.reshape(n, c, kh, kw, ho, wo)
    hp = max(h + pt + pb, dh * (kh - 1) + sh * (ho - 1) + 1)
    wp = max(wd + pl + pr, dw * (kw - 1) + sw * (wo - 1) + 1)
    img = np.zeros((n, c, hp, wp), dtype=gout.dtype)
    for p in range(kh):
        for q in range(kw):
            r0, c0 = p * dh, q * dw
            img[:, :, r0 : r0 + sh * (ho - 1) + 1 : sh, c0 : c0 + sw * (wo - 1) + 1 : sw] += dcols[
                :, :, p, q
            ]
    if (hp, wp) == (h, wd):
        return img
    return np.ascontiguousarray(img[:, :, pt : pt + h, pl : pl + wd])


def _full_pads(geom: _Geom):
    """Pads of the stride-1 conv that computes conv2d's input gradient (None if negative)."""
    (kh, kw), (dh, dw), (pt, pb, pl, pr) = geom.kernel, geom.dilation, geom.pads
    full = (dh * (kh - 1) - pt, dh * (kh - 1) - pb, dw * (kw - 1) - pl, dw * (kw - 1) - pr)
    return full if min(full) >= 0 else None


def _sample_input_grad(gout, w, geom: _Geom, x_hw) -> np.ndarray:
    """dL/dx for the per-sample path: a flipped conv when C_in >= 8, else GEMM + col2im."""
    c = w.shape[1]
    if geom.stride == (1, 1) and c >= _FLIP_MIN_CHANNELS:
        full = _full_pads(geom)
        if full is not None:
            flipped = _Geom(geom.kernel, (1, 1), full, geom.dilation, 1)
            out_hw = flipped.out_hw(*gout.shape[2:])
            if tuple(out_hw) == tuple(x_hw) and _use_sample_path(flipped, gout.shape[1], out_hw):
                # dL/dx = stride-1 conv of g with the flipped, channel-transposed kernel
                w_flip = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
                return _sample_forward(gout, w_flip, flipped, out_hw)[0]
    return _sample_input_grad_col2im(gout, w, geom, x_hw)


# ---- dispatch: every conv entry point goes through these three ----------------------------------
def conv_forward(x, w, geom: _Geom):
    """(out (N, O, Ho, Wo), saved) where saved is what :func:`conv_weight_grad` needs."""
    out_hw = geom.out_hw(*x.shape[2:])
    if _use_sample_path(geom, x.shape[1], out_hw):
        return _sample_forward(x, w, geom, out_hw)
    if _use_shift_path(geom):
        return _conv_s1(x, w, geom.pads, geom.dilation, keep_cols=True)
    return conv2d_forward(x, w, geom)


def conv_input_grad(gout, w, geom: _Geom, x_hw):
    """dL/dx of conv2d(x, w) given dL/dout."""
    if _use_shift_path(geom):
        if w.shape[1] < _FLIP_MIN_CHANNELS and gout.shape[2] * gout.shape[3] >= _MIN_PLANE:
            return _sample_input_grad_col2im(gout, w, geom, x_hw)  # few input channels
        full = _full_pads(geom)
        if full is not None:
            flipped = _Geom(geom.kernel, (1, 1), full, geom.dilation, 1)
            if tuple(flipped.out_hw(*gout.shape[2:])) == tuple(x_hw):
                if _use_sample_path(flipped, gout.shape[1], x_hw):
                    return _sample_input_grad(gout, w, geom, x_hw)
                # dL/dx = stride-1 conv of g with the flipped, channel-transposed kernel
                w_flip = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
                return _conv_s1(gout, w_flip, full, geom.dilation)
        return _shift_input_grad(gout, w, geom, x_hw)
    return conv2d_input_grad(gout, w, geom, x_hw)


def conv_weight_grad(gout, saved, geom: _Geom, w_shape):
    """dL/dw of conv2d(x, w) given dL/dout and ``saved`` from :func:`conv_forward`."""
    if _use_sample_path(geom, w_shape[1], gout.shape[2:]):
        return _sample_weight_grad(gout, saved, w_shape)
    if _use_shift_path(geom):
        return _cols_weight_grad(gout, saved, w_shape)
    return conv2d_weight_grad(gout, saved, geom, w_shape)


def conv_saved_of(x, geom: _Geom, out_hw):
    """The ``saved`` operand of :func:`conv_weight_grad` for input x."""
    if _use_sample_path(geom, x.shape[1], out_hw):
        return _im2col_samples(x, geom, out_hw)
    if _use_shift_path(geom):
        return _im2col_nhwc(x, geom.pads, geom.dilation, geom.kernel, keep=True)
    return _cols_of(x, geom, out_hw)
