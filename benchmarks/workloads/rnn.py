"""W4: one LSTM training step (LSTM 32 -> 128, batch_first, batch 32, 50 steps, Linear 128 -> 10
on the last step, SGD lr 0.1) against PyTorch with the same architecture and data."""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


@workload(
    "W4_lstm_step_b32_t50_h128",
    reference="torch",
    group="deep learning",
    unit="sequences",
    target=2.0,
)
def lstm_step(quick):
    import torch

    batch, length, n_in, hidden, classes = (4, 6, 8, 16, 10) if quick else (32, 50, 32, 128, 10)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, length, n_in)).astype(np.float32)
    y = rng.integers(0, classes, batch)

    lstm = torch.nn.LSTM(n_in, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, classes)
    opt = torch.optim.SGD([*lstm.parameters(), *head.parameters()], lr=0.1)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def ref():
        opt.zero_grad()
        out, _ = lstm(Xt)
        loss = torch.nn.functional.cross_entropy(head(out[:, -1]), yt)
        loss.backward()
        opt.step()

    from glassml.autograd import Tensor
    from glassml.autograd.fused import cross_entropy
    from glassml.nn.linear import Linear
    from glassml.nn.rnn import LSTM
    from glassml.optim import SGD

    g_lstm = LSTM(n_in, hidden, batch_first=True)
    g_head = Linear(hidden, classes)
    g_opt = SGD([*g_lstm.parameters(), *g_head.parameters()], lr=0.1)
    Xg, yg = Tensor(X), Tensor(y)

    def ours():
        g_opt.zero_grad()
        out, _ = g_lstm(Xg)
        loss = cross_entropy(g_head(out[:, -1]), yg)
        loss.backward()
        g_opt.step()

    return Case(ours=ours, ref=ref, items=batch)
