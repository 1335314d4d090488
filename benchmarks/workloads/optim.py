"""Optimizer step on 10M parameters: glassml.optim vs torch.optim (Adam and SGD-momentum).

Both sides update the same float32 parameters (4 tensors, 10M entries in all) with a fixed
gradient; one call = one ``optimizer.step()``. Target: <= 1.0x torch.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload

_SHAPES = [(2_500, 2_000), (2_000,), (2_000, 2_500), (3_000, 1_000)]
_QUICK_SHAPES = [(100, 100), (100,)]


def _setup(quick, make_ours, make_ref):
    import torch

    from glassml.autograd import Parameter, Tensor

    rng = np.random.default_rng(0)
    shapes = _QUICK_SHAPES if quick else _SHAPES
    weights = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    grads = [rng.standard_normal(s, dtype=np.float32) for s in shapes]
    ours_p = [Parameter(w.copy()) for w in weights]
    for p, g in zip(ours_p, grads, strict=False):
        p.grad = Tensor(g.copy())
    ref_p = [torch.from_numpy(w.copy()).requires_grad_() for w in weights]
    for p, g in zip(ref_p, grads, strict=False):
        p.grad = torch.from_numpy(g.copy())
    ours, ref = make_ours(ours_p), make_ref(ref_p)
    return Case(ours=ours.step, ref=ref.step, items=sum(w.size for w in weights))


@workload(
    "optim_adam_step_10M", reference="torch", group="deep learning", unit="params", target=1.0
)
def adam_step(quick):
    import torch

    from glassml.optim import Adam

    return _setup(quick, lambda p: Adam(p, lr=1e-3), lambda p: torch.optim.Adam(p, lr=1e-3))


@workload(
    "optim_sgd_momentum_step_10M",
    reference="torch",
    group="deep learning",
    unit="params",
    target=1.0,
)
def sgd_step(quick):
    import torch

    from glassml.optim import SGD

    return _setup(
        quick,
        lambda p: SGD(p, lr=1e-3, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9),
    )
