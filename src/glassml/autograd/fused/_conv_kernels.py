"""Array kernels of the convolutions (im2col, col2im, the stride-1 fast path, the dispatch).

Layouts: inputs NCHW; ``_Geom`` holds kernel, stride, (top, bottom, left, right) pads, dilation
and groups. Every conv entry point (forward, input gradient, weight gradient) goes through
:func:`conv_forward`, :func:`conv_input_grad`, :func:`conv_weight_grad`:

* general path: im2col (one strided copy) + one GEMM per group; col2im by one strided slice-add
  per kernel offset;
* stride 1, one group: channels-last padded input and window matrix in scratch buffers, one tall
  GEMM (N Ho Wo, kh kw C) @ (kh kw C, O), one transposing copy to NCHW; the input gradient is the same kernel on the gradient with the flipped,
  channel-transposed weight; the weight gradient contracts shifted column slices of the
  flattened, channel-major padded input (kh kw GEMMs with K = N Hp Wp, no window copy).

Inventory: CN-01, CN-04, CN-05, CN-06.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._util import scratch


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
    return np.ascontiguousarray(windows)


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


# ---- stride-1 fast path: "shifted GEMMs" on the flattened padded image, no im2col copy -------
# With x_pad in channel-major layout X (C, T), T = N Hp Wp, the kernel tap (p, q) reads X at a
# constant flat shift s = p d_h Wp + q d_w from the output position f = n Hp Wp + i Wp + j, so
#     out_flat (O, L) = sum_{p,q} W[:, :, p, q] @ X[:, s : s + L]      (L = T - s_max)
# is kh kw GEMMs on column slices of X (BLAS reads them in place); the rows i >= Ho / cols j >= Wo
# of out_flat are discarded. The weight gradient is sum over f of G[:, f] X[:, f + s]^T (GEMMs with
# K = L), the input gradient scatters W^T G back at the same shifts.


def _use_shift_path(geom: _Geom) -> bool:
    return geom.allow_shift and geom.stride == (1, 1) and geom.groups == 1


def _shifts(geom: _Geom, wp: int) -> list[int]:
    (kh, kw), (dh, dw) = geom.kernel, geom.dilation
    return [p * dh * wp + q * dw for p in range(kh) for q in range(kw)]


def _channel_major_padded(x, geom: _Geom) -> np.ndarray:
    """x (N, C, H, W) -> zero-padded channel-major (C, N, Hp, Wp), one copy."""
    n, c, h, w = x.shape
    pt, pb, pl, pr = geom.pads
    xc = np.zeros((c, n, h + pt + pb, w + pl + pr), dtype=x.dtype)
    xc[:, :, pt : pt + h, pl : pl + w] = x.transpose(1, 0, 2, 3)
    return xc


def _conv_s1(x, w, pads, dilation) -> np.ndarray:
    """Stride-1, single-group conv2d (N, C, H, W) * (O, C, kh, kw) -> fresh (N, O, Ho, Wo).

    Channels-last inside: the padded input (N, Hp, Wp, C) and the window matrix
    cols (N Ho Wo, kh kw C) live in reusable scratch buffers (no page faults on every call);
    cols is filled by one strided copy whose inner runs are C contiguous floats, and
    out (N Ho Wo, O) = cols @ W (kh kw C, O) is one tall GEMM (OpenBLAS's fastest shape here);
    a final transposing copy gives the owned NCHW output.
    """
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
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
    cols = scratch("conv_cols_nhwc", (n, ho, wo, kh, kw, c), x.dtype)
    np.copyto(cols, windows)
    w_mat = np.ascontiguousarray(w.transpose(2, 3, 1, 0)).reshape(kh * kw * c, o)  # (kh kw C, O)
    out = scratch("conv_out_nhwc", (n * ho * wo, o), x.dtype)
    np.matmul(cols.reshape(n * ho * wo, kh * kw * c), w_mat, out=out)  # (N Ho Wo, O)
    return np.ascontiguousarray(out.reshape(n, ho, wo, o).transpose(0, 3, 1, 2))


def _full_pads(geom: _Geom):
    """Pads of the stride-1 conv that computes conv2d's input gradient (None if negative)."""
    (kh, kw), (dh, dw), (pt, pb, pl, pr) = geom.kernel, geom.dilation, geom.pads
    full = (dh * (kh - 1) - pt, dh * (kh - 1) - pb, dw * (kw - 1) - pl, dw * (kw - 1) - pr)
    return full if min(full) >= 0 else None


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


def _shift_weight_grad(gout, xc, geom: _Geom, w_shape):
    c, n, hp, wp = xc.shape
    o, _, kh, kw = w_shape
    X = xc.reshape(c, -1)
    G = _grad_flat(gout, hp, wp)
    shifts = _shifts(geom, wp)
    L = X.shape[1] - shifts[-1]
    G = G[:, :L]
    gw = np.empty((kh * kw, o, c), dtype=gout.dtype)
    for k, s in enumerate(shifts):
        np.matmul(G, X[:, s : s + L].T, out=gw[k])  # (O, C), contraction over all positions
    return np.ascontiguousarray(gw.reshape(kh, kw, o, c).transpose(2, 3, 0, 1))


# ---- dispatch: every conv entry point goes through these three ----------------------------------
def conv_forward(x, w, geom: _Geom):
    """(out (N, O, Ho, Wo), saved) where saved is what :func:`conv_weight_grad` needs."""
    if _use_shift_path(geom):
        return _conv_s1(x, w, geom.pads, geom.dilation), _channel_major_padded(x, geom)
    return conv2d_forward(x, w, geom)


def conv_input_grad(gout, w, geom: _Geom, x_hw):
    """dL/dx of conv2d(x, w) given dL/dout."""
    if _use_shift_path(geom):
        full = _full_pads(geom)
        if full is not None and tuple(x_hw) == (
            gout.shape[2] + full[0] + full[1] - geom.dilation[0] * (geom.kernel[0] - 1),
            gout.shape[3] + full[2] + full[3] - geom.dilation[1] * (geom.kernel[1] - 1),
        ):
            # dL/dx = stride-1 conv of g with the flipped, channel-transposed kernel
            w_flip = np.ascontiguousarray(w[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
            return _conv_s1(gout, w_flip, full, geom.dilation)
        return _shift_input_grad(gout, w, geom, x_hw)
    return conv2d_input_grad(gout, w, geom, x_hw)


def conv_weight_grad(gout, saved, geom: _Geom, w_shape):
    """dL/dw of conv2d(x, w) given dL/dout and ``saved`` from :func:`conv_forward`."""
    if _use_shift_path(geom):
        return _shift_weight_grad(gout, saved, geom, w_shape)
    return conv2d_weight_grad(gout, saved, geom, w_shape)


def conv_saved_of(x, geom: _Geom, out_hw):
    """The ``saved`` operand of :func:`conv_weight_grad` for input x."""
    if _use_shift_path(geom):
        return _channel_major_padded(x, geom)
    return _cols_of(x, geom, out_hw)
