"""Transfer learning (CL-009): features learned on a large related task make a small target
task easier — measured with a glassml MLP on synthetic tasks that share a hidden structure.

Both tasks label inputs x ∈ R²⁰ through the same 8 hidden directions h = tanh(x Bᵀ) (B fixed),
with different read-outs: the source has 4 classes and 5,000 samples, the target 3 classes and
100 samples. A network pretrained on the source and fine-tuned on the target is compared with
the same network trained from scratch on the target alone.

Inventory: CL-009.
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.experiments import Outcome, experiment
from glassml.models import MLP
from glassml.optim import Adam

TOPIC = "foundations"


def _task(rng, B, n, n_classes):
    """Labels from a random read-out of the shared hidden features tanh(x Bᵀ)."""
    A = rng.standard_normal((n_classes, B.shape[0]))
    x = rng.standard_normal((n, B.shape[1])).astype(np.float32)
    logits = np.tanh(x @ B.T) @ A.T
    return x, logits.argmax(axis=1).astype(np.int64), A


def _train(
    model, params, x, y, epochs, rng, batch=32, lr=3e-3, curve=None, x_test=None, y_test=None
):
    opt = Adam(params, lr=lr)
    for _ in range(epochs):
        perm = rng.permutation(len(x))
        for i in range(0, len(x), batch):
            idx = perm[i : i + batch]
            loss = cross_entropy(model(Tensor(x[idx])), Tensor(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
        if curve is not None:
            curve.append(_accuracy(model, x_test, y_test))


def _accuracy(model, x, y):
    with no_grad():
        return float((model(Tensor(x)).data.argmax(1) == y).mean())


@experiment(
    "transfer_learning_small_data",
    claims=["CL-009"],
    title="Pretraining on a related task helps when target data are scarce",
    topic=TOPIC,
)
def transfer_learning_small_data(ctx):
    rng = ctx.rng()
    d, k = 20, 8
    B = rng.standard_normal((k, d)) / np.sqrt(d) * 2.0
    x_src, y_src, _ = _task(rng, B, 3000 if ctx.quick else 10_000, 4)
    x_tgt, y_tgt, A_tgt = _task(rng, B, 100, 3)
    x_test = rng.standard_normal((2000, d)).astype(np.float32)
    y_test = (np.tanh(x_test @ B.T) @ A_tgt.T).argmax(axis=1)
    epochs_src = 8 if ctx.quick else 20
    epochs_tgt = 40 if ctx.quick else 80
    seeds = range(2 if ctx.quick else 5)
    curves = {"pretrained + fine-tuned": [], "from scratch": []}
    for seed in seeds:
        manual_seed(ctx.seed + seed)
        trunk_rng = np.random.default_rng(seed)
        pre = MLP(d, [64, 64], 4)
        _train(pre, pre.parameters(), x_src, y_src, epochs_src, trunk_rng)
        tuned = MLP(d, [64, 64], 3)
        state = {k: v for k, v in pre.state_dict().items() if not k.startswith("4.")}
        tuned.load_state_dict(state, strict=False)  # reuse the trunk, new 3-class head
        scratch = MLP(d, [64, 64], 3)
        for name, model in (("pretrained + fine-tuned", tuned), ("from scratch", scratch)):
            curve = []
            _train(
                model,
                model.parameters(),
                x_tgt,
                y_tgt,
                epochs_tgt,
                trunk_rng,
                curve=curve,
                x_test=x_test,
                y_test=y_test,
            )
            curves[name].append(curve)
    mean = {k: np.mean(v, axis=0) for k, v in curves.items()}
    final = {k: float(v[-1]) for k, v in mean.items()}
    target = 0.9 * final["from scratch"]
    epochs_to = {
        k: int(np.argmax(v >= target) + 1) if (v >= target).any() else epochs_tgt + 1
        for k, v in mean.items()
    }
    fig, ax = ctx.figure()
    for name, v in mean.items():
        ax.plot(np.arange(1, len(v) + 1), v, label=f"{name}: {final[name]:.3f}")
    ax.set_xlabel("epochs on the 100 target samples")
    ax.set_ylabel("target test accuracy")
    ax.legend(fontsize=7)
    gain = final["pretrained + fine-tuned"] - final["from scratch"]
    return Outcome(
        metrics={
            "test_acc_pretrained": final["pretrained + fine-tuned"],
            "test_acc_scratch": final["from scratch"],
            "epochs_to_90pct_of_scratch_final_pretrained": epochs_to["pretrained + fine-tuned"],
            "epochs_to_90pct_of_scratch_final_scratch": epochs_to["from scratch"],
        },
        checks={
            "fine-tuning a pretrained trunk beats training from scratch (+2 points)": gain >= 0.02,
            "the pretrained model gets there in no more epochs": epochs_to[
                "pretrained + fine-tuned"
            ]
            <= epochs_to["from scratch"],
        },
        figure=fig,
        summary=(
            f"100 target samples: pretrained + fine-tuned {final['pretrained + fine-tuned']:.3f} "
            f"vs from scratch {final['from scratch']:.3f} test accuracy (mean of {len(seeds)} "
            "seeds)."
        ),
    )
