"""nn layers as Modules (issue 5 part A) vs torch.nn: the Module dispatch overhead on top of the
fused ops, forward + backward, same architecture, float32, batch 128.

* ``nn_mlp_block_forward_backward``: Linear-BatchNorm1d-ReLU-Dropout-Linear (784-256-10).
* ``nn_cnn_block_forward_backward``: Conv2d-BatchNorm2d-ReLU-MaxPool2d on 32x28x28 inputs.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _case(build, shape):
    import torch

    from glassml import nn
    from glassml.autograd import tensor

    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    ours, ref = build(nn), build(torch.nn)
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    x_ours, x_ref = tensor(x), torch.from_numpy(x)

    def run_ours():
        out = ours(x_ours)
        out.backward(tensor(np.ones(out.shape, dtype=np.float32)))
        ours.zero_grad()

    def run_ref():
        out = ref(x_ref)
        out.backward(torch.ones(out.shape))
        ref.zero_grad()

    return Case(ours=run_ours, ref=run_ref, items=shape[0])


@workload(
    "nn_mlp_block_forward_backward", reference="torch", group="nn", unit="samples", target=1.2
)
def mlp_block(quick):
    def build(L):
        return L.Sequential(
            L.Linear(784, 256), L.BatchNorm1d(256), L.ReLU(), L.Dropout(0.0), L.Linear(256, 10)
        )

    return _case(build, (32 if quick else 128, 784))


@workload(
    "nn_cnn_block_forward_backward", reference="torch", group="nn", unit="samples", target=1.5
)
def cnn_block(quick):
    def build(L):
        return L.Sequential(
            L.Conv2d(8, 16, 3, padding=1), L.BatchNorm2d(16), L.ReLU(), L.MaxPool2d(2)
        )

    return _case(build, (4 if quick else 32, 8, 28, 28))
