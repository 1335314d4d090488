"""W1: MLP training epoch against PyTorch (same architecture, same data).

W2 (CNN step) lives in cnn.py, W3 (GPT tokens/s) in gpt.py, W4 (LSTM step) in rnn.py.
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _torch():
    import torch

    return torch


@workload(
    "W1_mlp_epoch_784_256_256_10",
    reference="torch",
    group="deep learning",
    unit="samples",
    target=1.2,
)
def mlp_epoch(quick):
    torch = _torch()
    n = 2_048 if quick else 60_000
    rng = np.random.default_rng(0)
    X = rng.random((n, 784), dtype=np.float32)
    y = rng.integers(0, 10, n)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 10),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def ref():
        for i in range(0, n, 128):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xt[i : i + 128]), yt[i : i + 128])
            loss.backward()
            opt.step()

    from glassml import nn as gnn
    from glassml.autograd import Tensor
    from glassml.autograd.fused import cross_entropy as g_cross_entropy
    from glassml.optim import Adam as GAdam

    g_model = gnn.Sequential(
        gnn.Linear(784, 256), gnn.ReLU(), gnn.Linear(256, 256), gnn.ReLU(), gnn.Linear(256, 10)
    )
    g_opt = GAdam(g_model.parameters(), lr=1e-3)

    def ours():
        for i in range(0, n, 128):
            g_opt.zero_grad()
            loss = g_cross_entropy(g_model(Tensor(X[i : i + 128])), Tensor(y[i : i + 128]))
            loss.backward()
            g_opt.step()

    return Case(ours=ours, ref=ref, items=n)
