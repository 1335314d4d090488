"""Resizing (``F.interpolate``): nearest, nearest-exact, (bi)linear, area — as separable GEMMs.

Every supported mode maps output pixel i to a fixed combination of input pixels along each axis,
so resizing is y = A_h x A_w^T with two small interpolation matrices (one nonzero per row for
nearest, two for linear: weights 1 - lambda and lambda at floor(src) and floor(src) + 1).
The backward is the transpose: dx = A_h^T g A_w. Source coordinates follow PyTorch exactly:

    align_corners=True :  src = i (in - 1) / (out - 1)
    align_corners=False:  src = max((i + 0.5) / scale - 0.5, 0),  scale = out / in or scale_factor
    nearest            :  src = min(floor(i / scale), in - 1)     (nearest-exact: floor((i + .5) / scale))

Inventory: AG-03 (op set; no dedicated item; used by decoders and GAN generators, GN-03).
"""

from __future__ import annotations

import math

import numpy as np

from ..function import Function
from ._util import check_float, constant

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "Resize"]

_LINEAR_MODES = ("linear", "bilinear")
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "area")


def _inv_scale(in_size, out_size, scale, ct):
    """PyTorch's compute_scales_value: 1/scale_factor if given, else in/out (in dtype ct)."""
    if scale is not None and scale > 0:
        return ct(1.0 / scale)
    return ct(in_size) / ct(out_size)


def _nearest_matrix(in_size, out_size, scale, exact, dtype):
    """(out, in) 0/1 matrix of PyTorch's nearest / nearest-exact source indices."""
    i = np.arange(out_size)
    if out_size == in_size and not exact:
        src = i
    elif out_size == 2 * in_size and not exact:
        src = i >> 1
    else:
        s = _inv_scale(in_size, out_size, scale, np.float32)  # PyTorch computes this in float
        pos = (i.astype(np.float32) + np.float32(0.5)) * s if exact else i.astype(np.float32) * s
        src = np.minimum(np.floor(pos).astype(np.int64), in_size - 1)
    a = np.zeros((out_size, in_size), dtype=dtype)
    a[i, src] = 1
    return a


def _linear_matrix(in_size, out_size, scale, align_corners, dtype):
    """(out, in) matrix of PyTorch's linear interpolation weights (two per row)."""
    ct = np.float32 if dtype == np.float32 else np.float64
    i = np.arange(out_size).astype(ct)
    if align_corners:
        ratio = ct(in_size - 1) / ct(out_size - 1) if out_size > 1 else ct(0)
        src = ratio * i
    else:
        ratio = _inv_scale(in_size, out_size, scale, ct)
        src = np.maximum(ratio * (i + ct(0.5)) - ct(0.5), ct(0))
    i0 = src.astype(np.int64)  # src >= 0: truncation is floor
    i1 = i0 + (i0 < in_size - 1)
    lam1 = np.clip(src - i0.astype(ct), 0, 1)
    lam0 = ct(1) - lam1
    a = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    np.add.at(a, (rows, i0), lam0.astype(dtype))
    np.add.at(a, (rows, i1), lam1.astype(dtype))
    return a


def _area_matrix(in_size, out_size, dtype):
    i = np.arange(out_size)
    start = (i * in_size) // out_size
    end = -((-(i + 1) * in_size) // out_size)
    cols = np.arange(in_size)
    inside = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


class Resize(Function):
    """y = A_h x A_w^T over the last one or two dims; dx = A_h^T g A_w."""

    @staticmethod
    def forward(ctx, x, a_h, a_w):
        check_float("input", x, "interpolate")
        ctx.save_for_backward(a_h, a_w)
        y = x @ a_w.T  # (..., H, Wo)
        if a_h is not None:
            y = a_h @ y  # (..., Ho, Wo)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        a_h, a_w = ctx.saved_tensors
        g = grad_output
        if a_h is not None:
            g = a_h.T @ g
        return g @ a_w, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        a_h, a_w = ctx.saved_tensors  # constant interpolation matrices: dx is linear in g
        g = grad_output
        if a_h is not None:
            g = constant(a_h.T) @ g
        return g @ constant(a_w), None, None


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resize a (N, C, L) or (N, C, H, W) tensor (``F.interpolate``).

    Modes: "nearest", "nearest-exact", "linear" (3-D), "bilinear" (4-D), "area".
    Exactly one of ``size`` / ``scale_factor``. Inventory: AG-03, GN-03.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> interpolate(randn(1, 3, 4, 4), scale_factor=2, mode="bilinear").shape
    (1, 3, 8, 8)
    """
    if mode not in _MODES:
        raise NotImplementedError(
            f"interpolate: mode {mode!r} is not supported; use one of {_MODES}"
        )
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    nd = input.ndim - 2
    if nd not in (1, 2):
        raise ValueError(
            f"interpolate: expected a 3-D or 4-D input (N, C, ...), got {input.ndim}-D"
        )
    if mode == "linear" and nd != 1:
        raise ValueError(f"interpolate: mode 'linear' expects a 3-D input, got {input.ndim}-D")
    if mode == "bilinear" and nd != 2:
        raise ValueError(f"interpolate: mode 'bilinear' expects a 4-D input, got {input.ndim}-D")
    if align_corners is not None and mode not in _LINEAR_MODES:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
        )
    align_corners = bool(align_corners)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    spatial = input.shape[2:]
    if size is not None:
        sizes = (size,) * nd if isinstance(size, (int, np.integer)) else tuple(size)
        if len(sizes) != nd:
            raise ValueError(
                f"interpolate: size must have {nd} entries for a {nd + 2}-D input, got {size}"
            )
        sizes = tuple(int(s) for s in sizes)
        scales = (None,) * nd
    else:
        scales = (
            (scale_factor,) * nd if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        )
        if len(scales) != nd:
            raise ValueError(
                f"interpolate: scale_factor must have {nd} entries, got {scale_factor}"
            )
        sizes = tuple(int(math.floor(n * float(s))) for n, s in zip(spatial, scales, strict=True))
        scales = (None,) * nd if recompute_scale_factor else tuple(float(s) for s in scales)
    if min(sizes) <= 0:
        raise ValueError(f"interpolate: output size must be positive, got {sizes}")
    dtype = input.dtype

    def matrix(n_in, n_out, scale):
        if mode == "area":
            return _area_matrix(n_in, n_out, dtype)
        if mode in _LINEAR_MODES:
            return _linear_matrix(n_in, n_out, scale, align_corners, dtype)
        return _nearest_matrix(n_in, n_out, scale, mode == "nearest-exact", dtype)

    a_w = matrix(spatial[-1], sizes[-1], scales[-1])
    a_h = matrix(spatial[0], sizes[0], scales[0]) if nd == 2 else None
    return Resize.apply(input, a_h, a_w)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (``F.upsample``). Inventory: AG-03, GN-03."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Nearest-neighbour upsampling (``F.upsample_nearest``). Inventory: AG-03, GN-03."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Bilinear upsampling with align_corners=True (``F.upsample_bilinear``). Inventory: AG-03, GN-03."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
