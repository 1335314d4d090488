"""Training claims: nonlinearity, width, over/underfitting and early stopping, optimizer
defaults, the real MNIST task — measured with glassml.nn / optim / training.

Inventory: CL-005, CL-006, CL-096, CL-097, CL-110.
"""

from __future__ import annotations

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd.fused import cross_entropy, mse_loss
from glassml.data import DataLoader, TensorDataset
from glassml.experiments import Outcome, experiment
from glassml.models import MLP
from glassml.optim import Adam
from glassml.optim.lr_scheduler import CosineAnnealingLR
from glassml.training import EarlyStopping, evaluate, fit

TOPIC = "training"


def _full_batch_train(model, loss_fn, X, y, steps, lr=0.01):
    opt = Adam(model.parameters(), lr=lr)
    xt, yt = Tensor(X), Tensor(y)
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(xt), yt)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    return losses


@experiment(
    "linear_layers_collapse_xor",
    claims=["CL-096"],
    title="Stacked linear layers collapse; XOR needs a nonlinearity",
    topic=TOPIC,
)
def linear_layers_collapse_xor(ctx):
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([0, 1, 1, 0])
    manual_seed(ctx.seed)
    linear = MLP(2, [8, 8, 8, 8], 2, activation="identity", dtype=np.float64)
    manual_seed(ctx.seed)
    relu = MLP(2, [8], 2, activation="relu", dtype=np.float64)
    steps = 600
    l_lin = _full_batch_train(linear, cross_entropy, X, y, steps, lr=0.02)
    l_relu = _full_batch_train(relu, cross_entropy, X, y, steps, lr=0.02)
    with no_grad():
        acc_lin = float(np.mean(linear(Tensor(X)).data.argmax(1) == y))
        acc_relu = float(np.mean(relu(Tensor(X)).data.argmax(1) == y))
        Ws = [m.weight.data for m in linear if isinstance(m, nn.Linear)]
        bs = [m.bias.data for m in linear if isinstance(m, nn.Linear)]
        W, b = np.eye(2), np.zeros(2)
        for Wk, bk in zip(Ws, bs, strict=False):
            W, b = Wk @ W, Wk @ b + bk  # compose x ↦ W x + b
        Z = np.random.default_rng(ctx.seed).normal(size=(10, 2))
        collapse_err = float(np.max(np.abs(linear(Tensor(Z)).data - (Z @ W.T + b))))
    fig, ax = ctx.figure()
    ax.plot(l_lin, label=f"5 linear layers (acc {acc_lin:.2f})")
    ax.plot(l_relu, label=f"ReLU MLP (acc {acc_relu:.2f})")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy on XOR")
    ax.legend()
    return Outcome(
        metrics={
            "linear_accuracy": acc_lin,
            "relu_accuracy": acc_relu,
            "collapse_max_error": collapse_err,
        },
        checks={
            "the linear stack equals one affine map": collapse_err < 1e-10,
            "linear net XOR accuracy ≤ 0.75": acc_lin <= 0.75,
            "ReLU MLP solves XOR": acc_relu == 1.0,
        },
        figure=fig,
        summary=f"5 linear layers = one affine map (err {collapse_err:.1e}), XOR acc {acc_lin:.2f}; "
        f"a ReLU MLP reaches {acc_relu:.2f}.",
    )


@experiment(
    "mlp_width_approximation",
    claims=["CL-097"],
    title="Wider hidden layers approximate x·sin(x) better",
    topic=TOPIC,
)
def mlp_width_approximation(ctx):
    X = np.linspace(-3, 3, 200)[:, None]
    y = X * np.sin(X)  # (200, 1)
    widths = [2, 8, 64] if ctx.quick else [2, 4, 16, 64, 256]
    steps = 800 if ctx.quick else 5000
    errs = {}
    fig, ax = ctx.figure()
    ax.plot(X[:, 0], y[:, 0], "k", lw=2, label="x·sin x")
    for w in widths:
        manual_seed(ctx.seed)
        model = MLP(1, [w], 1, activation="tanh", dtype=np.float64)
        _full_batch_train(model, mse_loss, X, y, steps, lr=0.02)
        with no_grad():
            pred = model(Tensor(X)).data
        errs[w] = float(np.max(np.abs(pred - y)))
        ax.plot(X[:, 0], pred[:, 0], label=f"width {w}: max err {errs[w]:.2f}")
    ax.legend(fontsize=7)
    ax.set_xlabel("x")
    return Outcome(
        metrics={f"max_error_width_{w}": e for w, e in errs.items()},
        checks={
            "max error decreases from the narrowest to the widest net (≥ 3x)": errs[widths[-1]] * 3
            < errs[widths[0]],
        },
        figure=fig,
        summary="Max error by width: " + ", ".join(f"{w}: {e:.3f}" for w, e in errs.items()) + ".",
    )


def _overfit_data(ctx, n_train=60):
    rng = ctx.rng()
    n = n_train + 400
    X = rng.normal(size=(n, 10)).astype(np.float32)
    y = ((X[:, 0] + 0.5 * X[:, 1] + 0.3 * rng.normal(size=n)) > 0).astype(np.int64)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@experiment(
    "learning_curves_early_stopping",
    claims=["CL-006", "CL-110", "CL-005"],
    title="Overfitting in the learning curves; early stopping picks the val-loss minimum",
    topic=TOPIC,
)
def learning_curves_early_stopping(ctx):
    Xtr, ytr, Xva, yva = _overfit_data(ctx)
    epochs = 150
    train = DataLoader(TensorDataset(Xtr, ytr), batch_size=len(Xtr))
    val = DataLoader(TensorDataset(Xva, yva), batch_size=len(Xva))
    manual_seed(ctx.seed)
    big = MLP(10, [128, 128], 2)
    h = fit(
        big,
        cross_entropy,
        Adam(big.parameters(), lr=1e-3),
        train,
        val,
        epochs=epochs,
        metrics=["accuracy"],
        progress=False,
    )
    vl = np.array(h["val_loss"])
    best = int(vl.argmin())
    gap = np.array(h["val_loss"]) - np.array(h["loss"])
    manual_seed(ctx.seed)
    stopped = MLP(10, [128, 128], 2)
    stopper = EarlyStopping(patience=10, restore_best_weights=True)
    h2 = fit(
        stopped,
        cross_entropy,
        Adam(stopped.parameters(), lr=1e-3),
        train,
        val,
        epochs=epochs,
        callbacks=[stopper],
        progress=False,
    )
    es_val = evaluate(stopped, cross_entropy, val)["loss"]
    # remedy (CL-005): weight decay on the same model
    manual_seed(ctx.seed)
    reg = MLP(10, [128, 128], 2)
    from glassml.optim import AdamW

    h3 = fit(
        reg,
        cross_entropy,
        AdamW(reg.parameters(), lr=1e-3, weight_decay=0.5),
        train,
        val,
        epochs=epochs,
        progress=False,
    )
    fig, ax = ctx.figure()
    ax.plot(h["loss"], label="train loss")
    ax.plot(h["val_loss"], label="val loss")
    ax.plot(h3["val_loss"], label="val loss, AdamW λ=0.5")
    ax.axvline(best, ls=":", c="k", label=f"val minimum (epoch {best})")
    ax.axvline(len(h2["loss"]) - 1, ls="--", c="r", label="early stop")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.legend(fontsize=7)
    return Outcome(
        metrics={
            "best_epoch": best,
            "final_val_loss": float(vl[-1]),
            "best_val_loss": float(vl[best]),
            "early_stopped_val_loss": es_val,
            "stopped_at": len(h2["loss"]),
            "final_train_accuracy": h["accuracy"][-1],
            "final_val_accuracy": h["val_accuracy"][-1],
            "weight_decay_final_val_loss": h3["val_loss"][-1],
        },
        checks={
            "val loss has an interior minimum": 0 < best < epochs - 10 and vl[-1] > 1.2 * vl[best],
            "train–val gap grows after the minimum": gap[-1] > gap[best] + 0.1,
            "train accuracy ≫ val accuracy at the end": h["accuracy"][-1] - h["val_accuracy"][-1]
            > 0.15,
            "early-stopped val loss within 5% of the best": es_val <= 1.05 * vl[best],
            "weight decay lowers the final val loss": h3["val_loss"][-1] < vl[-1],
        },
        figure=fig,
        summary=f"Val loss bottoms at epoch {best} ({vl[best]:.3f}) then rises to {vl[-1]:.3f}; early "
        f"stopping at epoch {len(h2['loss'])} keeps {es_val:.3f}; weight decay ends at {h3['val_loss'][-1]:.3f}.",
    )


@experiment(
    "mnist_mlp", claims=["CL-110"], title="MLP 784-256-256-10 on real MNIST with Adam", topic=TOPIC
)
def mnist_mlp(ctx):
    from glassml.datasets import load_mnist

    Xtr, ytr, Xte, yte = load_mnist(normalize=True, flatten=True, return_X_y=True)
    if ctx.quick:
        Xtr, ytr, Xte, yte = Xtr[:6000], ytr[:6000], Xte[:1000], yte[:1000]
    epochs = 4 if ctx.quick else 10
    manual_seed(ctx.seed)
    model = MLP(784, [256, 256], 10)
    train = DataLoader(TensorDataset(Xtr, ytr), batch_size=128, shuffle=True, generator=ctx.seed)
    test = DataLoader(TensorDataset(Xte, yte), batch_size=1000)
    opt = Adam(model.parameters(), lr=1e-3)
    sched = CosineAnnealingLR(opt, T_max=epochs * len(train))  # annealed per batch
    h = fit(
        model,
        cross_entropy,
        opt,
        train,
        test,
        epochs=epochs,
        scheduler=sched,
        scheduler_per_batch=True,
        metrics=["accuracy"],
        progress=False,
    )
    acc = h["val_accuracy"][-1]
    fig, ax = ctx.figure()
    ax.plot(np.arange(1, epochs + 1), h["accuracy"], "o-", label="train")
    ax.plot(np.arange(1, epochs + 1), h["val_accuracy"], "o-", label="test")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.legend()
    goal = 0.88 if ctx.quick else 0.98
    return Outcome(
        metrics={"test_accuracy": acc, "epochs": epochs, "n_train": len(Xtr)},
        checks={f"test accuracy ≥ {goal}": acc >= goal},
        figure=fig,
        summary=f"{len(Xtr)} training images, {epochs} epochs: test accuracy {acc:.4f}.",
    )
