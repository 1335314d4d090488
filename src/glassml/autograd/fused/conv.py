"""Convolutions as one strided window view + one GEMM (im2col), and their transposes.

conv2d (cross-correlation, PyTorch convention), input x (N, C, H, W), weight w (O, C/g, kh, kw):

    out[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] x_pad[n, g(o) C/g + c, i s_h + p d_h, j s_w + q d_w]

im2col gathers the windows into cols (C kh kw, N Ho Wo) with a single strided copy; then
out = W (O, C kh kw) @ cols is one GEMM (per group). Backward is two more GEMMs:

    dW    = g (O, N Ho Wo) @ cols^T
    dcols = W^T @ g,  then dx = col2im(dcols): strided accumulation, one slice-add per kernel
            offset (kh kw of them), no loop over pixels.

conv_transpose2d is the adjoint of conv2d in x: its forward is conv2d's input gradient
(GEMM + col2im), its backward uses im2col + GEMM. Stride-1 single-group convolutions take a
faster path (scratch buffers, channels-last im2col + one tall GEMM, shifted-slice weight GEMMs): see
``_conv_kernels.py``.

Inventory: CN-01 (conv2d, im2col + matmul), CN-04 (transposed conv), CN-05 (groups: depthwise),
CN-06 (conv1d).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ._conv_kernels import (
    _Geom,
    conv_forward,
    conv_input_grad,
    conv_saved_of,
    conv_weight_grad,
)
from ._util import as_shape, check_float, check_same_dtype, ntuple

__all__ = [
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "Conv2d",
    "ConvTranspose2d",
]


# ----------------------------------------------------------------------------- argument parsing
def _conv_geom(x, w, stride, padding, dilation, groups, nd, op):
    """Validate a conv call and build its 2-D geometry (1-D convs have a height-1 kernel)."""
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(
            f"{op}: expected {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, got shape {x.shape}"
        )
    if w.ndim != nd + 2:
        raise ValueError(f"{op}: expected {nd + 2}-D weight, got shape {w.shape}")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
    c_in = x.shape[-nd - 1]
    if c_in != w.shape[1] * groups:
        raise ValueError(
            f"{op}: Given groups={groups}, weight of size {list(w.shape)}, expected input "
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {c_in} channels instead"
        )
    if w.shape[0] % groups:
        raise ValueError(
            f"{op}: out_channels ({w.shape[0]}) must be divisible by groups ({groups})"
        )
    kernel = tuple(w.shape[2:])
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    if min(stride) <= 0 or min(dilation) <= 0:
        raise ValueError(f"{op}: stride and dilation must be positive, got {stride}, {dilation}")
    if isinstance(padding, str):
        if padding == "valid":
            pads = [(0, 0)] * nd
        elif padding == "same":
            if max(stride) != 1:
                raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
            pads = []
            for k, d in zip(kernel, dilation, strict=True):
                total = d * (k - 1)
                pads.append((total // 2, total - total // 2))
        else:
            raise ValueError(
                f"{op}: Invalid padding string {padding!r}, should be one of ['valid', 'same']"
            )
    else:
        pads = [(p, p) for p in ntuple(padding, nd, "padding")]
        if min(p for p, _ in pads) < 0:
            raise ValueError(f"{op}: negative padding is not supported, got {padding!r}")
    if nd == 1:
        kernel, stride, dilation = (1, *kernel), (1, *stride), (1, *dilation)
        pads = [(0, 0), *pads]
    geom = _Geom(kernel, stride, (*pads[0], *pads[1]), dilation, int(groups))
    spatial = x.shape[-nd:]
    for size, k, d, (a, b) in zip(spatial, kernel[-nd:], dilation[-nd:], pads[-nd:], strict=True):
        if size + a + b < d * (k - 1) + 1:
            raise ValueError(
                f"{op}: Calculated padded input size per channel: ({size + a + b}). Kernel size: "
                f"({d * (k - 1) + 1}). Kernel size can't be greater than actual input size"
            )
    return geom


def _to4d(x, nd):
    """Batched 4-D view of a conv input: unbatched gains N=1, 1-D gains H=1."""
    if x.ndim == nd + 1:
        x = x[None]
    if nd == 1:
        x = x[:, :, None, :]
    return x


# ----------------------------------------------------------------------------- Functions
class Conv2d(Function):
    """N-d (1 or 2) convolution via im2col + GEMM; backward by GEMMs + col2im."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, groups, nd):
        op = f"conv{nd}d"
        check_float("input", x, op)
        check_same_dtype(op, x, weight=w, bias=b)
        geom = _conv_geom(x, w, stride, padding, dilation, groups, nd, op)
        if b is not None and b.shape != (w.shape[0],):
            raise ValueError(f"{op}: bias must have shape ({w.shape[0]},), got {b.shape}")
        x4 = _to4d(x, nd)  # (N, C, H, W)
        w4 = w[:, :, None, :] if nd == 1 else w  # (O, C/g, kh, kw)
        out, cols = conv_forward(x4, w4, geom)
        if b is not None:
            out += b[:, None, None]
        ctx.geom, ctx.nd, ctx.x_shape, ctx.x4_hw, ctx.has_b = (
            geom,
            nd,
            x.shape,
            x4.shape[2:],
            b is not None,
        )
        ctx.w_shape = w.shape
        ctx.save_for_backward(cols, w4)
        return out.reshape(*x.shape[: -nd - 1], w.shape[0], *out.shape[-nd:])

    @staticmethod
    def backward(ctx, grad_output):
        cols, w4 = ctx.saved_tensors
        nd = ctx.nd
        g4 = _to4d(grad_output, nd)  # (N, O, Ho, Wo)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = as_shape(conv_input_grad(g4, w4, ctx.geom, ctx.x4_hw), ctx.x_shape)
        if ctx.needs_input_grad[1]:
            grad_w = as_shape(conv_weight_grad(g4, cols, ctx.geom, w4.shape), ctx.w_shape)
        if ctx.has_b and ctx.needs_input_grad[2]:
            grad_b = g4.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        x, w = ctx.inputs[0], ctx.inputs[1]
        need = ctx.needs_input_grad
        grad_x = grad_w = grad_b = None
        if need[0]:  # dx = conv_transpose(g, w): differentiable in g and w
            grad_x = _ConvInputGrad.apply(grad_output, w, ctx.geom, ctx.nd, ctx.x_shape, ctx.x4_hw)
        if need[1]:  # dw = correlate(x, g): differentiable in x and g
            grad_w = _ConvWeightGrad.apply(x, grad_output, ctx.geom, ctx.nd, ctx.w_shape)
        if ctx.has_b and need[2]:
            channel_dim = grad_output.ndim - ctx.nd - 1
            grad_b = grad_output.sum(tuple(i for i in range(grad_output.ndim) if i != channel_dim))
        return grad_x, grad_w, grad_b, None, None, None, None, None


class _ConvInputGrad(Function):
    """gx = conv_input_grad(g, w) as a differentiable op (for create_graph through conv)."""

    @staticmethod
    def forward(ctx, gout, w, geom, nd, x_shape, x4_hw):
        ctx.geom, ctx.nd, ctx.w_shape = geom, nd, w.shape
        g4 = _to4d(gout, nd)
        w4 = w[:, :, None, :] if nd == 1 else w
        ctx.save_for_backward(g4, w4)
        ctx.out_shape = gout.shape
        return conv_input_grad(g4, w4, geom, x4_hw).reshape(x_shape)

    @staticmethod
    def backward(ctx, h):
        g4, w4 = ctx.saved_tensors
        h4 = _to4d(h, ctx.nd)
        grad_g = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_g = as_shape(conv_forward(h4, w4, ctx.geom)[0], ctx.out_shape)
        if ctx.needs_input_grad[1]:
            saved = conv_saved_of(h4, ctx.geom, g4.shape[2:])
            grad_w = as_shape(conv_weight_grad(g4, saved, ctx.geom, w4.shape), ctx.w_shape)
        return grad_g, grad_w, None, None, None, None


class _ConvWeightGrad(Function):
    """gw = conv_weight_grad(x, g) as a differentiable op (for create_graph through conv)."""

    @staticmethod
    def forward(ctx, x, gout, geom, nd, w_shape):
        x4, g4 = _to4d(x, nd), _to4d(gout, nd)
        ctx.geom, ctx.nd, ctx.x_shape, ctx.out_shape = geom, nd, x.shape, gout.shape
        ctx.save_for_backward(x4, g4)
        w4_shape = (w_shape[0], w_shape[1], 1, w_shape[2]) if nd == 1 else w_shape
        saved = conv_saved_of(x4, geom, g4.shape[2:])
        return conv_weight_grad(g4, saved, geom, w4_shape).reshape(w_shape)

    @staticmethod
    def backward(ctx, hw):
        x4, g4 = ctx.saved_tensors
        h4 = hw[:, :, None, :] if ctx.nd == 1 else hw
        grad_x = grad_g = None
        if ctx.needs_input_grad[0]:
            grad_x = as_shape(conv_input_grad(g4, h4, ctx.geom, x4.shape[2:]), ctx.x_shape)
        if ctx.needs_input_grad[1]:
            grad_g = as_shape(conv_forward(x4, h4, ctx.geom)[0], ctx.out_shape)
        return grad_x, grad_g, None, None, None


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over (N, C, H, W) (``F.conv2d``).

    out[n, o] = b[o] + sum_c w[o, c] (star) x[n, c], with stride, zero padding (int, pair,
    "valid" or "same"), dilation and groups. Computed as im2col + one GEMM per group.
    Inventory: CN-01, CN-05.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> conv2d(randn(2, 3, 8, 8), randn(4, 3, 3, 3), padding=1).shape
    (2, 4, 8, 8)
    """
    return Conv2d.apply(input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over (N, C, L) (``F.conv1d``); a conv2d with a height-1 kernel.

    Inventory: CN-06, CN-01.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> conv1d(randn(2, 3, 10), randn(4, 3, 3)).shape
    (2, 4, 8)
    """
    return Conv2d.apply(input, weight, bias, stride, padding, dilation, groups, 1)


class ConvTranspose2d(Function):
    """Transposed convolution: the adjoint of conv2d in its input (GEMM + col2im forward)."""

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, output_padding, groups, dilation, nd):
        op = f"conv_transpose{nd}d"
        check_float("input", x, op)
        check_same_dtype(op, x, weight=w, bias=b)
        if x.ndim not in (nd + 1, nd + 2) or w.ndim != nd + 2:
            raise ValueError(
                f"{op}: expected {nd + 2}-D input and weight, got input {x.shape}, weight {w.shape}"
            )
        if not isinstance(groups, (int, np.integer)) or groups <= 0:
            raise ValueError(f"{op}: groups must be a positive integer, got {groups!r}")
        c_in = x.shape[-nd - 1]
        if c_in != w.shape[0] or c_in % groups:
            raise ValueError(
                f"{op}: expected input with {w.shape[0]} channels (weight.shape[0], divisible by "
                f"groups={groups}), got input of shape {list(x.shape)}"
            )
        if isinstance(padding, str):
            raise ValueError(f"{op}: string padding is not supported, got {padding!r}")
        stride = ntuple(stride, nd, "stride")
        pad = ntuple(padding, nd, "padding")
        out_pad = ntuple(output_padding, nd, "output_padding")
        dil = ntuple(dilation, nd, "dilation")
        for op_, s, d in zip(out_pad, stride, dil, strict=True):
            if op_ >= s and op_ >= d:
                raise ValueError(
                    f"{op}: output padding must be smaller than either stride or dilation, got "
                    f"output_padding={output_padding}, stride={stride}, dilation={dilation}"
                )
        if nd == 1:
            stride, pad, out_pad, dil = (1, *stride), (0, *pad), (0, *out_pad), (1, *dil)
        x4 = _to4d(x, nd)  # (N, Cin, H, W)
        w4 = w[:, :, None, :] if nd == 1 else w  # (Cin, Cout/g, kh, kw)
        n, _, h, wd = x4.shape
        kh, kw = w4.shape[2:]
        c_out = w4.shape[1] * groups
        ho = (h - 1) * stride[0] - 2 * pad[0] + dil[0] * (kh - 1) + out_pad[0] + 1
        wo = (wd - 1) * stride[1] - 2 * pad[1] + dil[1] * (kw - 1) + out_pad[1] + 1
        if ho <= 0 or wo <= 0:
            raise ValueError(f"{op}: output size would be non-positive ({ho}, {wo})")
        # conv2d(y, w) with y (N, Cout, ho, wo) has output (N, Cin, h, w): this op is its input grad
        geom = _Geom(
            (kh, kw),
            stride,
            (pad[0], pad[0] + out_pad[0], pad[1], pad[1] + out_pad[1]),
            dil,
            groups,
            allow_shift=not any(out_pad),
        )
        w_conv = w4  # as a conv2d weight: (O=Cin, C/g=Cout/g, kh, kw)
        out = conv_input_grad(x4, w_conv, geom, (ho, wo))  # (N, Cout, ho, wo)
        if b is not None:
            out += b[:, None, None]
        ctx.geom, ctx.nd, ctx.x_shape, ctx.w_shape, ctx.has_b = (
            geom,
            nd,
            x.shape,
            w.shape,
            b is not None,
        )
        ctx.save_for_backward(x4, w4)
        lead = x.shape[: -nd - 1]
        return (
            out.reshape(*lead, c_out, *out.shape[-nd:])
            if nd == 2
            else out.reshape(*lead, c_out, wo)
        )

    @staticmethod
    def backward(ctx, grad_output):
        x4, w4 = ctx.saved_tensors
        g4 = _to4d(grad_output, ctx.nd)  # (N, Cout, ho, wo)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:  # the adjoint of the adjoint: a plain conv2d of g
            grad_x = conv_forward(g4, w4, ctx.geom)[0][:, :, : x4.shape[2], : x4.shape[3]]
            grad_x = as_shape(np.ascontiguousarray(grad_x), ctx.x_shape)
        if ctx.needs_input_grad[1]:
            saved = conv_saved_of(g4, ctx.geom, x4.shape[2:])
            grad_w = as_shape(conv_weight_grad(x4, saved, ctx.geom, w4.shape), ctx.w_shape)
        if ctx.has_b and ctx.needs_input_grad[2]:
            grad_b = g4.sum(axis=(0, 2, 3))
        return grad_x, grad_w, grad_b, None, None, None, None, None, None

    @staticmethod
    def backward_graph(ctx, grad_output):
        """The backward above as differentiable ops: dx = conv2d(g zero-padded by (p, p +
        output_padding), w) cropped to x's size; dw = the conv weight gradient with g as the
        input and x (zero-extended to that conv's output size) as the output gradient."""
        from ..ops.movement import pad

        x, w = ctx.inputs[0], ctx.inputs[1]
        geom, nd = ctx.geom, ctx.nd
        pt, pb, pl, pr = geom.pads
        need = ctx.needs_input_grad
        lead = grad_output.ndim - nd - 1  # batch dims before the channel dim
        full_hw = geom.out_hw(*_to4d(grad_output.data, nd).shape[2:])  # conv of g: (H', W')
        x_hw = ctx.x_shape[-2:] if nd == 2 else (1, ctx.x_shape[-1])
        grad_x = grad_w = grad_b = None
        if need[0]:
            widths = (pl, pr, pt, pb) if nd == 2 else (pl, pr)
            g_padded = pad(grad_output, widths)
            conv_fn = conv2d if nd == 2 else conv1d
            full = conv_fn(
                g_padded, w, None, geom.stride[2 - nd :], 0, geom.dilation[2 - nd :], geom.groups
            )
            grad_x = full[..., : x_hw[0], : x_hw[1]] if nd == 2 else full[..., : x_hw[1]]
        if need[1]:
            extra = (0, full_hw[1] - x_hw[1]) + ((0, full_hw[0] - x_hw[0]) if nd == 2 else ())
            x_full = pad(x, extra) if any(extra) else x
            grad_w = _ConvWeightGrad.apply(grad_output, x_full, geom, nd, ctx.w_shape)
        if ctx.has_b and need[2]:
            grad_b = grad_output.sum(tuple(i for i in range(grad_output.ndim) if i != lead))
        return grad_x, grad_w, grad_b, None, None, None, None, None, None


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """2-D transposed convolution (``F.conv_transpose2d``), weight (C_in, C_out/g, kh, kw).

    H_out = (H - 1) s - 2 p + d (k - 1) + output_padding + 1. The adjoint of conv2d in its input
    (often called "deconvolution"). Inventory: CN-04.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> conv_transpose2d(randn(1, 4, 5, 5), randn(4, 2, 3, 3), stride=2).shape
    (1, 2, 11, 11)
    """
    return ConvTranspose2d.apply(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 2
    )


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """1-D transposed convolution (``F.conv_transpose1d``). Inventory: CN-04."""
    return ConvTranspose2d.apply(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 1
    )
