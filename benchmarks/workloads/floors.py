"""Floors: the least any NumPy implementation of a workload must spend, against the reference.

A floor workload times only the unavoidable BLAS work of one of our implementations (no
layout copies, no Python) and compares it with the reference library's WHOLE computation. A
floor ratio above a workload's target proves the target out of reach for this BLAS on this
machine, whatever the rest of the code does.

* ``floor_conv2d_gemms_n32_c64_32x32_k3``: the three float32 GEMMs of an im2col convolution
  (forward (N Ho Wo, kh kw C) @ (kh kw C, O); input gradient as the flipped convolution, a GEMM
  of the same shape; weight gradient (kh kw C, N Ho Wo) @ (N Ho Wo, O)), into preallocated
  outputs, vs torch's conv2d forward + backward with bias (oneDNN's direct convolution), the
  reference side of ``fused_conv2d_n32_c64_32x32_k3``, whose target is 1.1x.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


@workload(
    "floor_conv2d_gemms_n32_c64_32x32_k3",
    reference="torch",
    group="floors",
    unit="images",
)
def conv2d_gemm_floor(quick):
    import torch

    rng = np.random.default_rng(0)
    n, c, hw = (4, 16, 16) if quick else (32, 64, 32)
    positions, taps = n * hw * hw, 9 * c  # rows and depth of the window matrix
    windows = rng.standard_normal((positions, taps), dtype=np.float32)
    weight = rng.standard_normal((taps, c), dtype=np.float32)
    grad = rng.standard_normal((positions, c), dtype=np.float32)
    out = np.empty((positions, c), dtype=np.float32)
    dx_windows = np.empty((positions, c), dtype=np.float32)
    dw = np.empty((taps, c), dtype=np.float32)

    def ours():
        np.matmul(windows, weight, out=out)  # forward
        np.matmul(windows, weight, out=dx_windows)  # input gradient: flipped conv, same shape
        np.matmul(windows.T, grad, out=dw)  # weight gradient

    x = torch.from_numpy(rng.standard_normal((n, c, hw, hw), dtype=np.float32))
    x.requires_grad_(True)
    w = torch.from_numpy(rng.standard_normal((c, c, 3, 3), dtype=np.float32) * 0.05)
    w.requires_grad_(True)
    b = torch.from_numpy(rng.standard_normal(c, dtype=np.float32)).requires_grad_(True)
    g = torch.from_numpy(rng.standard_normal((n, c, hw, hw), dtype=np.float32))

    def ref():  # exactly the reference side of fused_conv2d_n32_c64_32x32_k3 (with bias)
        x.grad = w.grad = b.grad = None
        torch.nn.functional.conv2d(x, w, b, padding=1).backward(g)

    return Case(
        ours=ours,
        ref=ref,
        items=n,
        flops=3 * 2 * positions * taps * c,
        note="3 GEMMs only (no im2col) vs torch's whole conv fwd+bwd",
    )
