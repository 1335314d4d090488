"""W13 (core part): autograd engine overhead and primitive ops, forward + backward, vs PyTorch.

* ``autograd_engine_overhead_1000_adds``: a chain of 1,000 tiny adds (4 floats), forward and
  backward; the per-node time (median / 1000) is the engine's bookkeeping cost (target < 5 us).
* ``autograd_matmul_*``: C = A @ B with gradients for both operands (BLAS-bound).
* ``autograd_elementwise_*``: a memory-bound chain (mul, tanh, add, exp, sum) with its backward.

The fused ops (linear, conv, attention, ...) are in ``autograd_fused.py``.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _torch():
    import torch

    return torch


@workload(
    "autograd_engine_overhead_1000_adds",
    reference="torch",
    group="autograd",
    unit="nodes",
    target=1.0,
)
def engine_overhead(quick):
    import glassml.autograd as ag

    torch = _torch()
    n_nodes = 100 if quick else 1000
    x0 = np.ones(4, dtype=np.float32)

    def ours():
        x = ag.tensor(x0, requires_grad=True)
        y = x
        for _ in range(n_nodes):
            y = y + x
        y.backward(x0)

    def ref():
        x = torch.tensor(x0, requires_grad=True)
        g = torch.from_numpy(x0)
        y = x
        for _ in range(n_nodes):
            y = y + x
        y.backward(g)

    return Case(ours=ours, ref=ref, items=n_nodes, note="time per node = 1 / throughput")


@workload("autograd_matmul_512", reference="torch", group="autograd", unit="products", target=1.1)
def matmul_512(quick):
    import glassml.autograd as ag

    torch = _torch()
    n = 128 if quick else 512
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    g = rng.standard_normal((n, n), dtype=np.float32)
    A, B = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    tA, tB = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    tg = torch.from_numpy(g)

    def ours():
        A.grad = B.grad = None
        (A @ B).backward(g)

    def ref():
        tA.grad = tB.grad = None
        (tA @ tB).backward(tg)

    return Case(ours=ours, ref=ref, items=1, flops=3 * 2 * n**3)


@workload(
    "autograd_matmul_batched_32x128x64",
    reference="torch",
    group="autograd",
    unit="batches",
    target=1.1,
)
def matmul_batched(quick):
    import glassml.autograd as ag

    torch = _torch()
    b, t, d = (4, 32, 16) if quick else (32, 128, 64)
    rng = np.random.default_rng(0)
    q = rng.standard_normal((b, t, d), dtype=np.float32)
    k = rng.standard_normal((b, d, t), dtype=np.float32)
    g = rng.standard_normal((b, t, t), dtype=np.float32)
    Q, K = ag.tensor(q, requires_grad=True), ag.tensor(k, requires_grad=True)
    tQ, tK = torch.tensor(q, requires_grad=True), torch.tensor(k, requires_grad=True)
    tg = torch.from_numpy(g)

    def ours():
        Q.grad = K.grad = None
        (Q @ K).backward(g)

    def ref():
        tQ.grad = tK.grad = None
        (tQ @ tK).backward(tg)

    return Case(ours=ours, ref=ref, items=1, flops=3 * 2 * b * t * t * d)


@workload(
    "autograd_elementwise_1M", reference="torch", group="autograd", unit="elements", target=1.5
)
def elementwise(quick):
    import glassml.autograd as ag

    torch = _torch()
    n = 10_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n, dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    X, Y = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    tX, tY = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)

    def ours():
        X.grad = Y.grad = None
        ((X * Y).tanh() + X).exp().sum().backward()

    def ref():
        tX.grad = tY.grad = None
        ((tX * tY).tanh() + tX).exp().sum().backward()

    return Case(ours=ours, ref=ref, items=n)
