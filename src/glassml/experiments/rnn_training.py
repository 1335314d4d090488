"""Recurrent-network training claims: dropout against overfitting, depth on a two-level task,
forget-gate bias and orthogonal initialisation — measured with glassml.nn.rnn (fused BPTT,
checked against PyTorch in tests).

The architecture claims (CL-161..CL-165: vanishing/exploding gradients, gates and long lags,
GRU vs LSTM, bidirectional context, sequential cost vs attention) are in ``experiments/rnn.py``.

Inventory: CL-166, CL-167, CL-120 (RN-03, RN-06, RN-12, RG-05).
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Tensor, no_grad, tensor
from glassml.autograd.fused import cross_entropy
from glassml.experiments import Outcome, experiment
from glassml.models.rnn import RNNClassifier
from glassml.nn import init
from glassml.nn.embedding import Embedding
from glassml.nn.linear import Linear
from glassml.nn.module import Module
from glassml.nn.rnn import LSTMCell
from glassml.nn.rnn_variants import RecurrentDropout
from glassml.optim import Adam

from ._rnn_tasks import (
    TOPIC,
    _accuracy,
    _first_token_batch,
    _jacobians_h_T_h_0,
    _memory_bias,
    _train_classifier,
)


# --------------------------------------------------------------------------- CL-166
class _DropoutLSTMClassifier(Module):
    """Embedding -> LSTM cell with variational input/recurrent dropout -> dropout -> Linear."""

    def __init__(self, vocab, hidden, p, generator):
        super().__init__()
        self.embedding = Embedding(vocab, 16, generator=generator)
        self.rnn = RecurrentDropout(LSTMCell(16, hidden, generator=generator), batch_first=True,
                                    input_dropout=p, recurrent_dropout=p, generator=generator)  # fmt: skip
        self.head = Linear(hidden, 2, generator=generator)
        self.p, self.generator = p, generator

    def forward(self, ids):
        _, (h, _) = self.rnn(self.embedding(ids))
        if self.training and self.p > 0:
            keep = self.generator.random(h.shape) >= self.p
            h = h * Tensor((keep / (1 - self.p)).astype(h.dtype))
        return self.head(h)


@experiment(
    "lstm_dropout_overfitting",
    claims=["CL-166"],
    title="Input/recurrent dropout reduces LSTM overfitting (validation loss)",
    topic=TOPIC,
)
def lstm_dropout_overfitting(ctx):
    vocab, length, n_train = 10, 12, 96
    epochs = 80 if ctx.quick else 300
    rng = ctx.rng()

    def make(n):
        ids = rng.integers(0, vocab, (n, length))
        y = ((ids < vocab // 2).sum(1) > length // 2).astype(np.int64)  # majority of low tokens
        flip = rng.random(n) < 0.2  # 20% label noise: memorising it is overfitting
        return ids, np.where(flip, 1 - y, y)

    (x_tr, y_tr), (x_va, y_va) = make(n_train), make(300)
    curves = {}
    for p in (0.0, 0.5):
        model = _DropoutLSTMClassifier(vocab, 64, p, ctx.rng(1))
        opt = Adam(model.parameters(), lr=0.01)
        train, val = [], []
        for _ in range(epochs):  # full batch
            model.train()
            loss = cross_entropy(model(tensor(x_tr)), tensor(y_tr))
            opt.zero_grad()
            loss.backward()
            opt.step()
            train.append(float(loss))
            if len(train) % 5 == 0:  # validation every 5 epochs
                model.eval()
                with no_grad():
                    val.append(float(cross_entropy(model(tensor(x_va)), tensor(y_va))))
        curves[p] = (train, val)
    final = {p: float(np.mean(v[1][-3:])) for p, v in curves.items()}
    gap = {p: final[p] - float(np.mean(v[0][-10:])) for p, v in curves.items()}
    fig, ax = ctx.figure()
    for p, (train, val) in curves.items():
        ax.plot(train, ls="--", label=f"train, dropout {p}")
        ax.plot(np.arange(5, epochs + 1, 5), val, label=f"validation, dropout {p}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.legend()
    return Outcome(
        metrics={
            "final_val_loss_no_dropout": final[0.0],
            "final_val_loss_dropout": final[0.5],
            "generalisation_gap_no_dropout": gap[0.0],
            "generalisation_gap_dropout": gap[0.5],
            "best_val_loss_no_dropout": min(curves[0.0][1]),
            "best_val_loss_dropout": min(curves[0.5][1]),
        },  # fmt: skip
        checks={
            "dropout gives a lower final validation loss": final[0.5] < final[0.0],
            "dropout shrinks the train-validation gap": gap[0.5] < gap[0.0],
        },
        figure=fig,
        summary=(
            f"{n_train} noisy training sequences: final validation loss {final[0.0]:.3f} "
            f"without dropout vs {final[0.5]:.3f} with input/recurrent/output dropout 0.5 "
            f"(gap {gap[0.0]:.2f} vs {gap[0.5]:.2f})."
        ),
    )


# --------------------------------------------------------------------------- CL-167 (weak)
@experiment(
    "stacked_rnn_two_level_task",
    claims=["CL-167"],
    title="1 vs 2 stacked LSTM layers on a two-level task (parity of words, then a count)",
    topic=TOPIC,
    weak=True,
)
def stacked_rnn_two_level_task(ctx):
    words, word_len = 4, 2
    steps = 200 if ctx.quick else 800

    def sample(rng, n):
        bits = rng.integers(0, 2, (n, words * word_len))
        parity = bits.reshape(n, words, word_len).sum(-1) % 2  # level 1: parity of each word
        y = (parity.sum(-1) >= 2).astype(np.int64)  # level 2: at least two odd words
        return bits, y

    accuracy, curves, converged = {}, {}, {}
    for layers in (1, 2):
        model = RNNClassifier(hidden_size=24, num_classes=2, vocab_size=2, embedding_dim=4,
                              num_layers=layers, generator=ctx.rng(1))  # fmt: skip
        curves[layers], conv = _train_classifier(model, lambda r: sample(r, 64), steps, 0.01,
                                                 ctx.rng(2), loss_threshold=0.05)  # fmt: skip
        converged[layers] = conv if conv is not None else steps + 1
        x, y = sample(ctx.rng(99), 1000)
        accuracy[layers] = _accuracy(model, x, y)
    fig, ax = ctx.figure()
    for layers, curve in curves.items():
        ax.plot(np.convolve(curve, np.ones(10) / 10, "valid"),
                label=f"{layers} layer(s), acc {accuracy[layers]:.2f}")  # fmt: skip
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (moving average)")
    ax.legend()
    return Outcome(
        metrics={
            "accuracy_1_layer": accuracy[1],
            "accuracy_2_layers": accuracy[2],
            "steps_to_loss_0.05_1_layer": converged[1],
            "steps_to_loss_0.05_2_layers": converged[2],
        },  # fmt: skip
        checks={
            "2 layers at least as accurate as 1": accuracy[2] >= accuracy[1],
            "2 layers reach loss 0.05 in no more steps than 1": converged[2] <= converged[1],
        },
        figure=fig,
        summary=(
            f"Parity-of-words task: accuracy 1 layer {accuracy[1]:.2f}, 2 layers "
            f"{accuracy[2]:.2f}; loss < 0.05 after {converged[1]} vs {converged[2]} steps "
            "(weak claim: reported, not asserted)."
        ),
    )


# --------------------------------------------------------------------------- CL-120
@experiment(
    "lstm_forget_bias_orthogonal_init",
    claims=["CL-120"],
    title="Forget-gate bias 1 speeds LSTM training; orthogonal W_hh preserves gradient norms",
    topic=TOPIC,
)
def lstm_forget_bias_orthogonal_init(ctx):
    lag, steps = 10, 150 if ctx.quick else 400
    x_test, y_test = _first_token_batch(ctx.rng(99), 1000, lag)
    converged, accuracy, curves = {}, {}, {}
    for bias in (0.0, 1.0):
        model = RNNClassifier(input_size=8, hidden_size=32, num_classes=4, cell="lstm",
                              generator=ctx.rng(1))  # fmt: skip
        _memory_bias(model, bias)
        curves[bias], conv = _train_classifier(
            model, lambda r: _first_token_batch(r, 32, lag), steps, 0.01, ctx.rng(2)
        )
        converged[bias] = conv if conv is not None else steps + 1  # not converged
        accuracy[bias] = _accuracy(model, x_test, y_test)
    # Jacobian singular values of a linearised RNN: orthogonal vs Gaussian W_hh
    hidden, spans = 32, [1, 10, 25, 50, 100]
    rng = ctx.rng(3)
    W_gauss = rng.standard_normal((hidden, hidden)) / np.sqrt(hidden)  # E||W v||^2 = ||v||^2
    W_orth = init.orthogonal_(Tensor(np.empty((hidden, hidden))), generator=rng).numpy()
    sv = {"orthogonal": [], "gaussian": []}
    for name, W in (("orthogonal", W_orth), ("gaussian", W_gauss)):
        for J in _jacobians_h_T_h_0(W, spans):
            s = np.linalg.svd(J, compute_uv=False)
            sv[name].append((float(s.max()), float(s.min())))
    fig, axes = ctx.figure(1, 2)
    for bias, curve in curves.items():
        axes[0].plot(curve, label=f"forget bias {bias:g} (acc {accuracy[bias]:.2f})")
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("loss, copy-first-token (lag 10)")
    axes[0].legend()
    for name, marker in (("orthogonal", "o"), ("gaussian", "s")):
        axes[1].semilogy(spans, [s[0] for s in sv[name]], marker + "-", label=f"{name}: max sv")
        axes[1].semilogy(spans, [s[1] for s in sv[name]], marker + "--", label=f"{name}: min sv")
    axes[1].set_xlabel("T")
    axes[1].set_ylabel("singular values of dh_T/dh_0")
    axes[1].legend()
    orth_dev = max(abs(v - 1) for pair in sv["orthogonal"] for v in pair)
    g_min, g_max = sv["gaussian"][-1][1], sv["gaussian"][-1][0]
    return Outcome(
        metrics={
            "steps_to_loss_0.1_bias_0": converged[0.0],
            "steps_to_loss_0.1_bias_1": converged[1.0],
            "accuracy_bias_0": accuracy[0.0],
            "accuracy_bias_1": accuracy[1.0],
            "orthogonal_max_sv_deviation": orth_dev,
            "gaussian_T100_sv_max": g_max,
            "gaussian_T100_sv_min": g_min,
        },  # fmt: skip
        checks={
            "forget bias 1 converges in fewer steps than 0": converged[1.0] < converged[0.0],
            "forget bias 1 reaches >= 0.9 accuracy": accuracy[1.0] >= 0.9,
            "orthogonal W_hh: every singular value of dh_T/dh_0 stays 1": orth_dev < 1e-6,
            "Gaussian W_hh: at T = 100 directions vanish (min/max sv < 1e-3)": g_min / g_max < 1e-3,
        },
        figure=fig,
        summary=(
            f"Loss < 0.1 after {converged[1.0]} steps with forget bias 1 vs "
            f"{'>' + str(steps) if converged[0.0] > steps else converged[0.0]} with 0; "
            f"orthogonal W_hh keeps all singular values of dh_T/dh_0 at 1, Gaussian W_hh has "
            f"min/max {g_min / g_max:.1e} at T = 100."
        ),
    )
