"""Transformer-design claims: why attention, residual connections and LayerNorm.

* CL-190: attention links distant positions in one layer; a k=3 CNN needs depth.
* CL-193: residual + LayerNorm let deep transformers train.
* CL-195: transformers beat LSTMs on long-lag retrieval at equal parameters.

The attention-mechanism claims (CL-185..CL-189) are in ``experiments/attention.py``.

Inventory: CL-190, CL-193, CL-195 (TR-01..TR-07).
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, manual_seed
from glassml.autograd.fused import cross_entropy
from glassml.experiments import Outcome, experiment
from glassml.nn.attention import MultiheadAttention
from glassml.nn.positional import LearnedPositionalEmbedding
from glassml.nn.transformer import TransformerEncoderLayer

from ._sequence_tasks import (
    TOPIC,
    _accuracy,
    _SequenceClassifier,
    _sorted_task,
    _train_classifier,
)


# ---------------------------------------------------------------------- CL-190
class _CNNClassifier(nn.Module):
    """Embedding -> depth x (Conv1d k=3, no padding, ReLU) -> global max pool -> Linear."""

    def __init__(self, vocab, channels, depth, generator=None):
        super().__init__()
        self.embed = nn.Embedding(vocab, channels, generator=generator)
        self.convs = nn.ModuleList(
            [nn.Conv1d(channels, channels, 3, generator=generator) for _ in range(depth)]
        )
        self.head = nn.Linear(channels, 2, generator=generator)

    def forward(self, ids):
        x = self.embed(Tensor(ids)).transpose(1, 2)  # (B, C, T)
        for conv in self.convs:
            x = conv(x).relu()  # (B, C, T - 2 per layer)
        return self.head(x.amax(dim=2))


def _first_equals_last_task(n, length, vocab, rng):
    """Random sequences; label 1 (half of them) when the last token equals the first."""
    X = rng.integers(0, vocab, size=(n, length))
    y = rng.integers(0, 2, n)
    X[y == 1, -1] = X[y == 1, 0]
    differ = y == 0
    X[differ, -1] = (X[differ, 0] + rng.integers(1, vocab, differ.sum())) % vocab
    return X, y.astype(np.int64)


@experiment(
    "attention_links_distant_positions",
    claims=["CL-190"],
    title="One attention layer relates the first and last of 64 tokens; a k=3 CNN cannot",
    topic=TOPIC,
)
def attention_links_distant_positions(ctx):
    length, vocab = 64, 8
    X, y = _first_equals_last_task(2000, length, vocab, ctx.rng(1))
    Xte, yte = _first_equals_last_task(500, length, vocab, ctx.rng(2))
    steps = 120 if ctx.quick else 400
    manual_seed(ctx.seed)
    attn = _SequenceClassifier(vocab, 2, 32, length, nhead=2, pool="last",
                              generator=np.random.default_rng(ctx.seed))  # fmt: skip
    attn_curve = _train_classifier(attn, X, y, steps, lr=5e-3, batch=32, seed=ctx.seed)
    attn_acc = _accuracy(attn, Xte, yte)
    depths = [1, 2, 4] if ctx.quick else [1, 2, 4, 8]
    cnn_acc, rows = {}, []
    for depth in depths:
        manual_seed(ctx.seed)
        cnn = _CNNClassifier(vocab, 32, depth, generator=np.random.default_rng(ctx.seed))
        _train_classifier(cnn, X, y, steps, lr=5e-3, batch=32, seed=ctx.seed)
        cnn_acc[depth] = _accuracy(cnn, Xte, yte)
        rows.append((depth, 1 + 2 * depth, cnn_acc[depth]))
    needed = math.ceil((length - 1) / 2)  # receptive field 1 + 2L must reach all 64 positions
    fig, axes = ctx.figure(1, 2, width=4.2)
    axes[0].plot(np.convolve(attn_curve, np.ones(10) / 10, mode="valid"))
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("1-layer attention training loss")
    axes[1].bar([f"CNN L={d}\nRF={1 + 2 * d}" for d in depths] + ["attention\n1 layer"],
                [*cnn_acc.values(), attn_acc])  # fmt: skip
    axes[1].axhline(0.5, color="k", ls=":")
    axes[1].set_ylabel(f"test accuracy (first == last, T={length})")
    axes[1].tick_params(axis="x", labelsize=7)
    return Outcome(
        metrics={
            "attention_accuracy": attn_acc,
            "cnn_accuracy_by_depth": {str(d): a for d, a in cnn_acc.items()},
            "table_depth_receptive_field_accuracy": rows,
            "cnn_depth_needed": needed,
        },
        checks={
            "1-layer attention solves it (acc > 0.85)": attn_acc > 0.85,
            "every CNN with receptive field < 64 stays near chance (acc < 0.6)": max(
                cnn_acc.values()
            )
            < 0.6,
            f"the k=3 CNN needs depth >= {needed} (1 + 2L >= {length})": 1 + 2 * needed >= length
            and 1 + 2 * (needed - 1) < length,
        },
        figure=fig,
        summary=f"first == last at T={length}: 1-layer attention {attn_acc:.2f}; k=3 CNNs of depth "
        + ", ".join(f"{d}: {a:.2f}" for d, a in cnn_acc.items())
        + f" (a k=3 CNN needs depth >= {needed} to see both ends).",
    )


# ---------------------------------------------------------------------- CL-193
class _PlainBlock(nn.Module):
    """A transformer block stripped of Add & Norm: x -> FFN(SelfAttention(x))."""

    def __init__(self, d, nhead, generator=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d, nhead, batch_first=True, generator=generator)
        self.linear1 = nn.Linear(d, 2 * d, generator=generator)
        self.linear2 = nn.Linear(2 * d, d, generator=generator)

    def forward(self, x):
        x = self.self_attn(x, x, x, need_weights=False)[0]
        return self.linear2(self.linear1(x).relu())


class _DeepClassifier(nn.Module):
    """Embedding + learned PE -> ``depth`` blocks (with or without Add & Norm) -> mean -> Linear."""

    def __init__(self, vocab, d, length, depth, add_norm, generator=None):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, generator=generator)
        self.pe = LearnedPositionalEmbedding(length, d, init_std=1.0, generator=generator)
        make = (
            (
                lambda: TransformerEncoderLayer(
                    d, 2, 2 * d, 0.0, batch_first=True, generator=generator
                )
            )  # fmt: skip
            if add_norm
            else (lambda: _PlainBlock(d, 2, generator))
        )
        self.blocks = nn.ModuleList([make() for _ in range(depth)])
        self.head = nn.Linear(d, 2, generator=generator)

    def forward(self, ids):
        x = self.pe(self.embed(Tensor(ids)))
        for block in self.blocks:
            x = block(x)
        return self.head(x.mean(dim=1))


@experiment(
    "residual_layernorm_deep_transformer",
    claims=["CL-193"],
    title="A 12-layer transformer trains with residual + LayerNorm and stalls without them",
    topic=TOPIC,
)
def residual_layernorm_deep_transformer(ctx):
    length, vocab, depth, d = 6, 10, 12, 16
    X, y = _sorted_task(800, length, vocab, ctx.rng(1))
    Xte, yte = _sorted_task(300, length, vocab, ctx.rng(2))
    steps = 60 if ctx.quick else 400
    curves, acc, grad_ratio = {}, {}, {}
    for label, add_norm in (("with Add & Norm", True), ("without", False)):
        manual_seed(ctx.seed)
        model = _DeepClassifier(vocab, d, length, depth, add_norm, np.random.default_rng(ctx.seed))
        # gradient reaching the first block vs the last one, at initialisation
        loss = cross_entropy(model(X[:256]), Tensor(y[:256]))
        loss.backward()

        def block_grad(block):
            return math.sqrt(sum(float((p.grad.data**2).sum()) for p in block.parameters()))

        grad_ratio[label] = block_grad(model.blocks[0]) / block_grad(model.blocks[-1])
        model.zero_grad()
        curves[label] = _train_classifier(model, X, y, steps, lr=3e-3, seed=ctx.seed)
        acc[label] = _accuracy(model, Xte, yte)
    tail = {k: float(np.mean(v[-10:])) for k, v in curves.items()}
    fig, axes = ctx.figure(1, 2, width=4.2)
    for label, curve in curves.items():
        axes[0].plot(np.convolve(curve, np.ones(5) / 5, mode="valid"), label=label)
    axes[0].set_xlabel("step")
    axes[0].set_ylabel(f"training loss ({depth} layers)")
    axes[0].legend(fontsize=7)
    axes[1].bar(list(grad_ratio), list(grad_ratio.values()))
    axes[1].set_yscale("log")
    axes[1].set_ylabel("|grad block 1| / |grad block 12| at init")
    with_, without = "with Add & Norm", "without"
    return Outcome(
        metrics={"final_loss": tail, "test_accuracy": acc, "gradient_ratio_first_last": grad_ratio},
        checks={
            "with Add & Norm the loss falls below half of ln 2": tail[with_] < 0.5 * math.log(2),
            "without them the loss stays higher (> 1.5x)": tail[without] > 1.5 * tail[with_],
            "with Add & Norm the accuracy is higher by > 0.15": acc[with_] > acc[without] + 0.15,
            "without them the first block gets a much smaller gradient (ratio < 0.1)": grad_ratio[
                without
            ]
            < 0.1,
        },
        figure=fig,
        summary=f"{depth}-layer transformer after {steps} steps: loss {tail[with_]:.3f} "
        f"(acc {acc[with_]:.2f}) with residual + LayerNorm vs {tail[without]:.3f} "
        f"(acc {acc[without]:.2f}) without; first/last block gradient ratio at init "
        f"{grad_ratio[with_]:.2f} vs {grad_ratio[without]:.1e}.",
    )


# ---------------------------------------------------------------------- CL-195
class _LSTMClassifier(nn.Module):
    """Embedding -> LSTM -> last hidden state -> Linear."""

    def __init__(self, vocab, n_classes, emb, hidden, generator=None):
        from glassml.nn.rnn import LSTM

        super().__init__()
        self.embed = nn.Embedding(vocab, emb, generator=generator)
        self.lstm = LSTM(emb, hidden, batch_first=True, generator=generator)
        self.head = nn.Linear(hidden, n_classes, generator=generator)

    def forward(self, ids):
        out, _ = self.lstm(self.embed(Tensor(ids)))  # (B, T, hidden)
        return self.head(out[:, -1])


def _lstm_parameters(vocab, emb, hidden, n_classes) -> int:
    return vocab * emb + 4 * hidden * (emb + hidden) + 8 * hidden + hidden * n_classes + n_classes


@experiment(
    "transformer_vs_lstm_long_lag",
    claims=["CL-195"],
    title="Long-lag retrieval: a transformer keeps its accuracy with length, an LSTM does not",
    topic=TOPIC,
)
def transformer_vs_lstm_long_lag(ctx):
    vocab, d = 8, 32
    lengths = [10, 40] if ctx.quick else [10, 40, 160]
    steps = 150 if ctx.quick else 400
    rng = ctx.rng(1)
    acc = {"transformer": {}, "lstm": {}}
    params = {}
    for length in lengths:  # the label is the first token, after length - 1 distractors
        X = rng.integers(0, vocab, size=(2000, length))
        Xte = rng.integers(0, vocab, size=(500, length))
        manual_seed(ctx.seed)
        tr = _SequenceClassifier(vocab, vocab, d, length, pe="sinusoidal", pool="last",
                                generator=np.random.default_rng(ctx.seed))  # fmt: skip
        _train_classifier(tr, X, X[:, 0], steps, batch=32, seed=ctx.seed)
        acc["transformer"][length] = _accuracy(tr, Xte, Xte[:, 0])
        budget = tr.num_parameters()  # sinusoidal PE: no length-dependent parameters
        hidden = min(
            range(4, 256), key=lambda h: abs(_lstm_parameters(vocab, d, h, vocab) - budget)
        )
        manual_seed(ctx.seed)
        lstm = _LSTMClassifier(vocab, vocab, d, hidden, np.random.default_rng(ctx.seed))
        _train_classifier(lstm, X, X[:, 0], steps, batch=32, seed=ctx.seed)
        acc["lstm"][length] = _accuracy(lstm, Xte, Xte[:, 0])
        params = {"transformer": budget, "lstm": lstm.num_parameters(), "lstm_hidden": hidden}
    fig, ax = ctx.figure()
    for name, by_length in acc.items():
        ax.plot(lengths, list(by_length.values()), "o-", label=f"{name} ({params[name]} params)")
    ax.axhline(1 / vocab, color="k", ls=":", label="chance")
    ax.set_xscale("log")
    ax.set_xlabel("sequence length (lag to the retrieved token)")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=7)
    longest = lengths[-1]
    return Outcome(
        metrics={
            "accuracy": {k: {str(t): a for t, a in v.items()} for k, v in acc.items()},
            "parameters": params,
        },
        checks={
            "equal parameter budgets (within 5%)": abs(params["lstm"] - params["transformer"])
            < 0.05 * params["transformer"],
            "the transformer retrieves at every length (acc > 0.9)": min(
                acc["transformer"].values()
            )
            > 0.9,
            f"at length {longest} the LSTM is far behind (gap > 0.4)": acc["transformer"][longest]
            - acc["lstm"][longest]
            > 0.4,
            "the LSTM's accuracy falls with length": acc["lstm"][longest] < acc["lstm"][lengths[0]],
        },
        figure=fig,
        summary="First-token retrieval accuracy by length — transformer: "
        + ", ".join(f"{t}: {a:.2f}" for t, a in acc["transformer"].items())
        + "; LSTM: "
        + ", ".join(f"{t}: {a:.2f}" for t, a in acc["lstm"].items())
        + f" ({params['transformer']} vs {params['lstm']} parameters).",
    )
