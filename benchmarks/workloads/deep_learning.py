"""W1–W4: neural-network training workloads against PyTorch (same architecture, same data).

The glassml sides arrive with the nn / CNN / sequence / transformer issues; until then these
rows print "not implemented" while the PyTorch reference stays ready.
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


@workload(
    "W2_cnn_step_b64_28x28", reference="torch", group="deep learning", unit="images", target=1.5
)
def cnn_step(quick):
    torch = _torch()
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 7 * 7, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randint(0, 10, (64,))

    def ref():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return Case(ours=None, ref=ref, items=64)


@workload(
    "W3_gpt_train_tokens", reference="torch", group="deep learning", unit="tokens", target=2.0
)
def gpt_train(quick):
    torch = _torch()
    vocab, ctx, d, layers, heads, batch = 65, (32 if quick else 128), 128, 4, 4, 16
    layer = torch.nn.TransformerEncoderLayer(
        d, heads, 4 * d, dropout=0.0, batch_first=True, norm_first=True, activation="gelu"
    )
    body = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
    emb, pos, head = (
        torch.nn.Embedding(vocab, d),
        torch.nn.Embedding(ctx, d),
        torch.nn.Linear(d, vocab),
    )
    params = [*body.parameters(), *emb.parameters(), *pos.parameters(), *head.parameters()]
    opt = torch.optim.AdamW(params, lr=3e-4)
    idx = torch.randint(0, vocab, (batch, ctx + 1))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(ctx)

    def ref():
        opt.zero_grad()
        h = emb(idx[:, :-1]) + pos(torch.arange(ctx))
        logits = head(body(h, mask=mask, is_causal=True))
        torch.nn.functional.cross_entropy(
            logits.reshape(-1, vocab), idx[:, 1:].reshape(-1)
        ).backward()
        opt.step()

    return Case(ours=None, ref=ref, items=batch * ctx)


@workload(
    "W4_lstm_step_b32_t50_h128",
    reference="torch",
    group="deep learning",
    unit="sequences",
    target=2.0,
)
def lstm_step(quick):
    torch = _torch()
    lstm = torch.nn.LSTM(32, 128, batch_first=True)
    head = torch.nn.Linear(128, 10)
    opt = torch.optim.SGD([*lstm.parameters(), *head.parameters()], lr=0.1)
    x = torch.randn(32, 50, 32)
    y = torch.randint(0, 10, (32,))

    def ref():
        opt.zero_grad()
        out, _ = lstm(x)
        torch.nn.functional.cross_entropy(head(out[:, -1]), y).backward()
        opt.step()

    return Case(ours=None, ref=ref, items=32)
