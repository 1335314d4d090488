"""Recurrent-network architecture claims: vanishing/exploding gradients, gates and long lags,
GRU vs LSTM, bidirectional context, sequential cost vs attention — measured with glassml.nn.rnn
(fused BPTT, checked against PyTorch in tests).

The training claims (CL-166 dropout, CL-167 depth, CL-120 gate bias and orthogonal init) are in
``experiments/rnn_training.py``.

Inventory: CL-161..CL-165 (RN-01..RN-12).
"""

from __future__ import annotations

import time

import numpy as np

from glassml.autograd import Tensor, no_grad, tensor
from glassml.autograd.fused import scaled_dot_product_attention
from glassml.experiments import Outcome, experiment
from glassml.models.rnn import RNNClassifier, RNNTagger
from glassml.nn.module import count_parameters
from glassml.nn.rnn import GRU, LSTM, RNN
from glassml.optim import Adam

from ._rnn_tasks import (
    TOPIC,
    _accuracy,
    _first_token_batch,
    _jacobians_h_T_h_0,
    _memory_bias,
    _train_classifier,
    _with_spectral_radius,
)


# --------------------------------------------------------------------------- CL-161
@experiment(
    "rnn_gradient_vanish_explode",
    claims=["CL-161"],
    title="Vanilla RNN gradients vanish or explode exponentially with the time span",
    topic=TOPIC,
)
def rnn_gradient_vanish_explode(ctx):
    hidden = 16 if ctx.quick else 64
    spans = np.arange(5, 101, 5)
    W0 = ctx.rng().standard_normal((hidden, hidden)) / np.sqrt(hidden)
    norms, slopes, power_err = {}, {}, 0.0
    for rho in (0.9, 1.0, 1.1):
        W = _with_spectral_radius(W0, rho)
        jacobians = _jacobians_h_T_h_0(W, [int(T) for T in spans])
        norms[rho] = [float(np.linalg.norm(J, 2)) for J in jacobians]
        for T, J in ((spans[0], jacobians[0]), (spans[-1], jacobians[-1])):
            ref = np.linalg.matrix_power(W, int(T))  # autograd BPTT == the matrix power W^T
            power_err = max(power_err, float(np.max(np.abs(J - ref)) / np.max(np.abs(ref))))
        keep = spans >= 30  # fit log ||J|| = a + T log(r) on the asymptotic part
        slopes[rho] = float(np.polyfit(spans[keep], np.log(np.array(norms[rho])[keep]), 1)[0])
    fig, ax = ctx.figure()
    for rho in norms:
        ax.semilogy(spans, norms[rho], "o-", label=f"spectral radius {rho}")
    ax.set_xlabel("time span T")
    ax.set_ylabel("||dh_T / dh_0||_2")
    ax.legend()
    fitted = {f"rate_{rho}": float(np.exp(s)) for rho, s in slopes.items()}
    return Outcome(
        metrics={
            "spans": spans.tolist(),
            **{f"norm_{r}": v for r, v in norms.items()},
            **fitted,
            "bptt_vs_matrix_power_rel_error": power_err,
        },  # fmt: skip
        checks={
            "BPTT Jacobian equals the matrix power of W_hh": power_err < 1e-9,
            "radius 0.9: ||dh_T/dh_0|| decays exponentially (rate < 0.95/step)": fitted["rate_0.9"]
            < 0.95,
            "radius 1.1: ||dh_T/dh_0|| grows exponentially (rate > 1.05/step)": fitted["rate_1.1"]
            > 1.05,
            "radius 1.0: neither (rate within 3% of 1)": abs(fitted["rate_1.0"] - 1) < 0.03,
            "at T = 100 the 0.9 and 1.1 norms differ by > 1e6": norms[1.1][-1] / norms[0.9][-1]
            > 1e6,
        },
        figure=fig,
        summary=(
            f"Fitted growth per step of ||dh_T/dh_0||: {fitted['rate_0.9']:.3f} (radius 0.9), "
            f"{fitted['rate_1.0']:.3f} (1.0), {fitted['rate_1.1']:.3f} (1.1); at T = 100 the "
            f"norms are {norms[0.9][-1]:.1e}, {norms[1.0][-1]:.1e} and {norms[1.1][-1]:.1e}."
        ),
    )


# --------------------------------------------------------------------------- CL-162
@experiment(
    "gated_rnns_long_range",
    claims=["CL-162"],
    title="LSTM/GRU carry information over long lags where a vanilla RNN falls to chance",
    topic=TOPIC,
)
def gated_rnns_long_range(ctx):
    lags = (5, 30) if ctx.quick else (5, 10, 20, 40, 80)
    steps = 200 if ctx.quick else 600
    hidden, classes = 32, 4
    acc = {cell: [] for cell in ("rnn", "lstm", "gru")}
    test_rng = ctx.rng(99)
    for lag in lags:
        x_test, y_test = _first_token_batch(test_rng, 1000, lag)
        for cell in acc:
            model = RNNClassifier(input_size=8, hidden_size=hidden, num_classes=classes, cell=cell,
                                  generator=ctx.rng(1))  # fmt: skip
            if cell != "rnn":
                _memory_bias(model, 3.0)  # gates start "remember" (forget / update bias)
            _train_classifier(model, lambda r, lag=lag: _first_token_batch(r, 32, lag), steps,
                              0.01, ctx.rng(2))  # fmt: skip
            acc[cell].append(_accuracy(model, x_test, y_test))
    fig, ax = ctx.figure()
    for cell, values in acc.items():
        ax.plot(lags, values, "o-", label=cell.upper())
    ax.axhline(1 / classes, color="gray", ls="--", label="chance")
    ax.set_xlabel("lag T (steps between the token and the question)")
    ax.set_ylabel("test accuracy")
    ax.legend()
    chance = 1 / classes
    return Outcome(
        metrics={"lags": list(lags), **{f"accuracy_{c}": v for c, v in acc.items()}},
        checks={
            "vanilla RNN solves the short lag (>= 0.9)": acc["rnn"][0] >= 0.9,
            "vanilla RNN falls to chance at the longest lag (<= chance + 0.1)": acc["rnn"][-1]
            <= chance + 0.1,
            "LSTM stays high at the longest lag (>= 0.9)": acc["lstm"][-1] >= 0.9,
            "GRU stays high at the longest lag (>= 0.9)": acc["gru"][-1] >= 0.9,
        },
        figure=fig,
        summary=(
            f"Copy-first-token through {lags[-1]} noisy steps: RNN {acc['rnn'][-1]:.2f} (chance "
            f"{chance:.2f}), LSTM {acc['lstm'][-1]:.2f}, GRU {acc['gru'][-1]:.2f}; at lag "
            f"{lags[0]} the RNN reaches {acc['rnn'][0]:.2f}."
        ),
    )


# --------------------------------------------------------------------------- CL-163
@experiment(
    "gru_vs_lstm_parameters_speed",
    claims=["CL-163"],
    title="GRU has 3/4 of an LSTM's parameters (LSTM: 4x a vanilla RNN), similar accuracy",
    topic=TOPIC,
)
def gru_vs_lstm_parameters_speed(ctx):
    n_in, hidden = 16, 64
    counts = {name: count_parameters(cls(n_in, hidden)) for name, cls in
              (("rnn", RNN), ("lstm", LSTM), ("gru", GRU))}  # fmt: skip
    formula = {g: (g * (hidden * n_in + hidden * hidden + 2 * hidden)) for g in (1, 3, 4)}
    # time per epoch (forward + backward over the same batches), best of a few rounds
    rng = ctx.rng()
    batches = [rng.standard_normal((32, 50, n_in)).astype(np.float32)
               for _ in range(2 if ctx.quick else 8)]  # fmt: skip
    times = {}
    for name, cls in (("rnn", RNN), ("lstm", LSTM), ("gru", GRU)):
        layer = cls(n_in, hidden, batch_first=True)
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            for xb in batches:
                out, _ = layer(Tensor(xb))
                out.backward(Tensor(np.ones(out.shape, dtype=np.float32)))
            best = min(best, time.perf_counter() - start)
        times[name] = best
    # accuracy on the copy-first-token task (lag 10), gates started at "remember"
    lag, steps = 10, 150 if ctx.quick else 400
    x_test, y_test = _first_token_batch(ctx.rng(99), 1000, lag)
    accuracy, converged = {}, {}
    for cell in ("lstm", "gru"):
        model = RNNClassifier(input_size=8, hidden_size=32, num_classes=4, cell=cell,
                              generator=ctx.rng(1))  # fmt: skip
        _memory_bias(model, 1.0)
        _, converged[cell] = _train_classifier(model, lambda r: _first_token_batch(r, 32, lag),
                                               steps, 0.01, ctx.rng(2))  # fmt: skip
        accuracy[cell] = _accuracy(model, x_test, y_test)
    fig, axes = ctx.figure(1, 2)
    axes[0].bar(list(counts), list(counts.values()))
    axes[0].set_ylabel(f"parameters (input {n_in}, hidden {hidden})")
    axes[1].bar(list(times), [1e3 * t for t in times.values()])
    axes[1].set_ylabel("ms per epoch (fwd + bwd)")
    return Outcome(
        metrics={
            **{f"params_{k}": v for k, v in counts.items()},
            **{f"epoch_seconds_{k}": v for k, v in times.items()},
            **{f"accuracy_{k}": v for k, v in accuracy.items()},
            **{f"steps_to_loss_0.1_{k}": v for k, v in converged.items()},
        },  # fmt: skip
        checks={
            "GRU : LSTM parameters = 3 : 4 exactly": counts["gru"] * 4 == counts["lstm"] * 3,
            "LSTM : RNN parameters = 4 : 1 exactly": counts["lstm"] == 4 * counts["rnn"],
            "counts match 4(HI + H^2 + 2H), 3(...), 1(...)": counts
            == {"rnn": formula[1], "lstm": formula[4], "gru": formula[3]},
            "GRU and LSTM reach similar accuracy (within 0.05, both >= 0.9)": abs(
                accuracy["gru"] - accuracy["lstm"]
            )
            <= 0.05
            and min(accuracy.values()) >= 0.9,
        },
        figure=fig,
        summary=(
            f"Parameters RNN {counts['rnn']}, GRU {counts['gru']}, LSTM {counts['lstm']} "
            f"(3:4 and 4:1 exactly); epoch time GRU {1e3 * times['gru']:.0f} ms vs LSTM "
            f"{1e3 * times['lstm']:.0f} ms; accuracy GRU {accuracy['gru']:.2f}, LSTM "
            f"{accuracy['lstm']:.2f}."
        ),
    )


# --------------------------------------------------------------------------- CL-164
@experiment(
    "bidirectional_future_context",
    claims=["CL-164"],
    title="A bidirectional RNN uses future context; a unidirectional one cannot",
    topic=TOPIC,
)
def bidirectional_future_context(ctx):
    vocab, length = 6, 12
    steps = 150 if ctx.quick else 400

    def sample(rng, n):
        ids = rng.integers(0, vocab, (n, length))
        tags = np.full((n, length), -100)
        tags[:, :-1] = ids[:, 1:]  # the tag of step t is the token at t + 1
        return ids, tags

    results = {}
    for bidirectional in (False, True):
        model = RNNTagger(hidden_size=32, num_tags=vocab, vocab_size=vocab, embedding_dim=8,
                          bidirectional=bidirectional, generator=ctx.rng(1))  # fmt: skip
        opt = Adam(model.parameters(), lr=0.01)
        rng, curve = ctx.rng(2), []
        for _ in range(steps):
            ids, tags = sample(rng, 32)
            loss = model.loss(model(tensor(ids)), tags)
            opt.zero_grad()
            loss.backward()
            opt.step()
            curve.append(float(loss))
        ids, tags = sample(ctx.rng(99), 500)
        with no_grad():
            pred = model(tensor(ids)).numpy().argmax(-1)
        mask = tags >= 0
        results[bidirectional] = (float(np.mean(pred[mask] == tags[mask])), curve)
    uni, bi = results[False][0], results[True][0]
    fig, ax = ctx.figure()
    ax.plot(results[False][1], label=f"unidirectional (acc {uni:.2f})")
    ax.plot(results[True][1], label=f"bidirectional (acc {bi:.2f})")
    ax.set_xlabel("step")
    ax.set_ylabel("tagging cross-entropy")
    ax.legend()
    return Outcome(
        metrics={
            "accuracy_unidirectional": uni,
            "accuracy_bidirectional": bi,
            "chance": 1 / vocab,
        },  # fmt: skip
        checks={
            "unidirectional ~ chance (<= 1/V + 0.08)": uni <= 1 / vocab + 0.08,
            "bidirectional ~ 1 (>= 0.95)": bi >= 0.95,
        },
        figure=fig,
        summary=(
            f"Tag = next token: unidirectional LSTM {uni:.2f} (chance {1 / vocab:.2f}), "
            f"BiLSTM {bi:.2f}."
        ),
    )


# --------------------------------------------------------------------------- CL-165
@experiment(
    "rnn_sequential_vs_attention",
    claims=["CL-165"],
    title="An RNN needs T sequential steps; self-attention processes all positions at once",
    topic=TOPIC,
)
def rnn_sequential_vs_attention(ctx):
    batch, width = 4, 64
    lengths = [32, 64, 128, 256] if ctx.quick else [32, 64, 128, 256, 512]
    lstm = LSTM(width, width, batch_first=True)
    rng = ctx.rng()

    def best_time(fn, rounds=5):  # best of 5: robust to load spikes on a shared machine
        fn()
        out = np.inf
        for _ in range(rounds):
            start = time.perf_counter()
            fn()
            out = min(out, time.perf_counter() - start)
        return out

    t_rnn, t_att = [], []
    for T in lengths:
        x = rng.standard_normal((batch, T, width)).astype(np.float32)
        g = Tensor(rng.standard_normal((batch, T, width)).astype(np.float32))

        def run_rnn(x=x, g=g):
            out, _ = lstm(tensor(x, requires_grad=True))
            out.backward(g)

        def run_attention(x=x, g=g):
            q = tensor(x, requires_grad=True)
            scaled_dot_product_attention(q, q, q).backward(g)

        t_rnn.append(best_time(run_rnn))
        t_att.append(best_time(run_attention))
    slope_rnn = float(np.polyfit(np.log(lengths), np.log(t_rnn), 1)[0])
    slope_att = float(np.polyfit(np.log(lengths), np.log(t_att), 1)[0])
    fig, ax = ctx.figure()
    ax.loglog(
        lengths, [1e3 * t for t in t_rnn], "o-", label=f"LSTM (T steps), slope {slope_rnn:.2f}"
    )
    ax.loglog(lengths, [1e3 * t for t in t_att], "s-",
              label=f"attention (1 step), slope {slope_att:.2f}")  # fmt: skip
    ax.set_xlabel("sequence length T")
    ax.set_ylabel("forward + backward, ms")
    ax.legend()
    ratios = [r / a for r, a in zip(t_rnn, t_att, strict=True)]
    return Outcome(
        metrics={
            "lengths": lengths,
            "seconds_rnn": t_rnn,
            "seconds_attention": t_att,
            "loglog_slope_rnn": slope_rnn,
            "loglog_slope_attention": slope_att,
            "sequential_steps_rnn": lengths,
            "sequential_steps_attention": 1,
        },  # fmt: skip
        checks={
            "the RNN is slower than attention at every length": min(ratios) > 1.0,
            "RNN time grows ~linearly with T (log-log slope 0.5..1.5)": 0.5 <= slope_rnn <= 1.5,
        },
        figure=fig,
        summary=(
            f"Width {width}: LSTM fwd+bwd {1e3 * t_rnn[-1]:.0f} ms vs attention "
            f"{1e3 * t_att[-1]:.0f} ms at T = {lengths[-1]} ({ratios[-1]:.1f}x); the LSTM runs T "
            f"dependent steps (time ~ T^{slope_rnn:.2f}) while attention is one batched matmul "
            f"(its O(T^2 d) work still grows as T^{slope_att:.2f} on one core)."
        ),
    )
