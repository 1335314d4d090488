"""CNN claims (inventory 3.15, CL-098, CL-085), measured with glassml.models.cnn on the 8x8
digits and synthetic data (the residual-network claims CL-158..CL-160 are in residual.py, the
multi-task claims of 3.14 in multitask.py).

Inventory: CL-085, CL-098, CL-152, CL-153, CL-154, CL-155, CL-156, CL-157.
"""

from __future__ import annotations

import time

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd.fused import avg_pool2d, conv2d, cross_entropy, max_pool2d
from glassml.datasets import load_digits
from glassml.experiments import Outcome, experiment
from glassml.models.cnn import DepthwiseSeparableConv2d
from glassml.models.cnn_utils import (
    conv2d_flops,
    conv2d_params,
    dense_equivalent_params,
    receptive_field,
    summary,
)
from glassml.optim import SGD, Adam, AdamW

TOPIC = "cnn"


# ----------------------------------------------------------------------------- shared helpers
def _digits(rng, n_train=None):
    """8x8 digits as (n, 1, 8, 8) float32 in [0, 1], split train/test by a seeded permutation."""
    d = load_digits()
    X = (d.images / 16.0).astype(np.float32)[:, None]
    y = d.target.astype(np.int64)
    order = rng.permutation(len(X))
    n_train = n_train or len(X) // 2
    tr, te = order[:n_train], order[n_train:]
    return X[tr], y[tr], X[te], y[te]


class _DigitCNN(nn.Module):
    """conv3x3(1->c1)-ReLU-maxpool2 -> conv3x3(c1->c2)-ReLU-maxpool2 -> [dropout] -> linear."""

    def __init__(self, c1=16, c2=32, dropout=0.0, kernel=3, generator=None):
        super().__init__()
        kw = {"generator": generator}
        self.block1 = nn.Sequential(
            nn.Conv2d(1, c1, kernel, padding=kernel // 2, **kw), nn.ReLU(), nn.MaxPool2d(2)
        )
        self.block2 = nn.Sequential(
            nn.Conv2d(c1, c2, 3, padding=1, **kw), nn.ReLU(), nn.MaxPool2d(2)
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c2 * 4, 10, **kw))

    def forward(self, x):
        return self.head(self.block2(self.block1(x)))


def _shift_augment(x, rng):
    """Random translation by -1, 0 or +1 pixel in each axis (zero fill)."""
    out = np.zeros_like(x)
    dy, dx = rng.integers(-1, 2, size=2)
    h, w = x.shape[-2:]
    ys, yd = (slice(0, h - dy), slice(dy, h)) if dy >= 0 else (slice(-dy, h), slice(0, h + dy))
    xs, xd = (slice(0, w - dx), slice(dx, w)) if dx >= 0 else (slice(-dx, w), slice(0, w + dx))
    out[..., yd, xd] = x[..., ys, xs]
    return out


def _train_classifier(model, X, y, epochs, opt, rng, batch=50, augment=False):
    for _ in range(epochs):
        model.train()
        order = rng.permutation(len(X))
        for i in range(0, len(X), batch):
            idx = order[i : i + batch]
            xb = X[idx]
            if augment:  # a random half of the batch is shifted by up to one pixel
                half = rng.random(len(idx)) < 0.5
                xb = np.where(half[:, None, None, None], _shift_augment(xb, rng), xb)
            opt.zero_grad()
            cross_entropy(model(Tensor(xb)), Tensor(y[idx])).backward()
            opt.step()
    return model


def _accuracy(model, X, y):
    model.eval()
    with no_grad():
        return float(np.mean(model(Tensor(X)).numpy().argmax(1) == y))


# ----------------------------------------------------------------------------- CL-152
@experiment(
    "conv_weight_sharing_parameters",
    claims=["CL-152"],
    title="Weight sharing: a 3x3 conv has ~1e5 times fewer parameters than a dense layer",
    topic=TOPIC,
)
def conv_weight_sharing_parameters(ctx):
    conv_layer = nn.Conv2d(3, 32, 3, padding=1)
    n_conv = sum(p.numel() for p in conv_layer.parameters())
    # the dense layer mapping the same 32x32x3 input to the same 32x32x32 output (not allocated)
    n_dense = dense_equivalent_params((3, 32, 32), (32, 32, 32))
    ratio = n_dense / n_conv
    fig, ax = ctx.figure()
    ax.bar(["conv 3x3 (32 filters)", "equivalent dense"], [n_conv, n_dense], color=["C0", "C3"])
    ax.set_yscale("log")
    ax.set_ylabel("parameters")
    ax.set_title(f"ratio {ratio:.3g}")
    return Outcome(
        metrics={"conv_params": n_conv, "dense_params": n_dense, "ratio": ratio},
        checks={
            "the conv layer has 32 * 3 * 9 + 32 = 896 parameters": n_conv
            == conv2d_params(3, 32, 3)
            == 896,
            "the dense equivalent has about 1.0e8 parameters": 0.95e8 < n_dense < 1.05e8,
            "the ratio is about 1.1e5": 1.0e5 < ratio < 1.2e5,
        },
        figure=fig,
        summary=f"3x3 conv 3->32: {n_conv} parameters; the dense map 32x32x3 -> 32x32x32: "
        f"{n_dense:.3g}; ratio {ratio:.3g}.",
    )


# ----------------------------------------------------------------------------- CL-153, CL-154
def _shift_right(x, k=1):
    out = np.zeros_like(x)
    out[..., k:] = x[..., :-k]
    return out


@experiment(
    "conv_equivariance_pooling_invariance",
    claims=["CL-153", "CL-154"],
    title="Convolution shifts with its input; pooling makes features nearly shift-invariant",
    topic=TOPIC,
)
def conv_equivariance_pooling_invariance(ctx):
    rng = ctx.rng()
    d = load_digits()
    n = 64 if ctx.quick else 512
    idx = rng.choice(len(d.images), n, replace=False)
    x = np.zeros((n, 1, 32, 32), dtype=np.float64)
    x[:, 0, 4:28, 4:28] = np.kron(d.images[idx] / 16.0, np.ones((3, 3)))  # 24x24 digits on 32x32
    w = rng.standard_normal((8, 1, 3, 3))
    x_shift = _shift_right(x)
    feat = conv2d(Tensor(x), Tensor(w), padding=1).relu().numpy()  # (n, 8, 32, 32)
    feat_shift = conv2d(Tensor(x_shift), Tensor(w), padding=1).relu().numpy()
    equivariance_err = float(np.abs(feat_shift - _shift_right(feat)).max())

    def rel_change(a, b):
        return float(np.linalg.norm(a - b) / np.linalg.norm(a))

    unpooled = rel_change(feat, feat_shift)
    pooled2 = rel_change(
        max_pool2d(Tensor(feat), 2).numpy(), max_pool2d(Tensor(feat_shift), 2).numpy()
    )
    pooled4 = rel_change(
        max_pool2d(Tensor(feat), 4).numpy(), max_pool2d(Tensor(feat_shift), 4).numpy()
    )
    global_avg = rel_change(feat.mean(axis=(2, 3)), feat_shift.mean(axis=(2, 3)))
    shapes = {
        s: tuple(max_pool2d(Tensor(np.zeros((1, 1, s, s))), 2).shape[2:]) for s in (28, 32, 14, 7)
    }
    avg_shape = tuple(avg_pool2d(Tensor(np.zeros((1, 1, 28, 28))), 2).shape[2:])
    fig, ax = ctx.figure()
    names = ["no pooling", "max pool 2", "max pool 4", "global average"]
    vals = [unpooled, pooled2, pooled4, global_avg]
    ax.bar(names, vals)
    ax.set_ylabel("relative change after a 1-pixel shift")
    ax.tick_params(axis="x", labelsize=7)
    return Outcome(
        metrics={
            "equivariance_max_error": equivariance_err,
            "relative_change_unpooled": unpooled,
            "relative_change_maxpool2": pooled2,
            "relative_change_maxpool4": pooled4,
            "relative_change_global_average": global_avg,
            "pooled_shapes": {str(k): list(v) for k, v in shapes.items()},
        },
        checks={
            "conv(shift(x)) = shift(conv(x)) exactly": equivariance_err < 1e-12,
            "2x2 pooling changes less than no pooling": pooled2 < unpooled,
            "larger pooling windows change less": pooled4 < pooled2,
            "global average features change << unpooled features (< 1/5)": global_avg
            < unpooled / 5,
            "2x2 pooling halves H and W (floor for odd sizes)": shapes
            == {28: (14, 14), 32: (16, 16), 14: (7, 7), 7: (3, 3)}
            and avg_shape == (14, 14),
        },
        figure=fig,
        summary=f"A 1-px shift moves conv features exactly (err {equivariance_err:.1e}); relative "
        f"change: unpooled {unpooled:.2f}, maxpool2 {pooled2:.2f}, maxpool4 {pooled4:.2f}, "
        f"global average {global_avg:.3f}; 2x2 pooling maps 28 -> 14.",
    )


# ----------------------------------------------------------------------------- CL-155
@experiment(
    "separable_conv_cost",
    claims=["CL-155"],
    title="Depthwise-separable convolutions cut parameters and FLOPs by 1/C_out + 1/k^2",
    topic=TOPIC,
)
def separable_conv_cost(ctx):
    configs = [(32, 64, 3), (64, 128, 3), (64, 128, 5), (128, 256, 3)]
    rows = []
    for c_in, c_out, k in configs:
        sep = summary(
            DepthwiseSeparableConv2d(c_in, c_out, k, padding=k // 2, bias=False), (1, c_in, 8, 8)
        )
        full_params = conv2d_params(c_in, c_out, k, bias=False)
        full_flops = conv2d_flops(c_in, c_out, k, (8, 8))
        rows.append(
            (
                c_in,
                c_out,
                k,
                sep.total_params / full_params,
                sep.total_flops / full_flops,
                1 / c_out + 1 / k**2,
            )
        )
    # timing of one forward pass, full vs separable, same input
    rng = ctx.rng()
    n, c_in, c_out, hw = (8, 64, 128, 16) if ctx.quick else (32, 64, 128, 32)
    manual_seed(ctx.seed)
    full = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
    sep = DepthwiseSeparableConv2d(c_in, c_out, 3, bias=False)
    x = Tensor(rng.standard_normal((n, c_in, hw, hw)).astype(np.float32))

    def best_times(modules, reps=9):
        """Best of ``reps`` interleaved runs (A B A B …): robust to a busy neighbour."""
        best = [np.inf] * len(modules)
        with no_grad():
            for m in modules:
                m(x)  # warm-up
            for _ in range(reps):
                for i, m in enumerate(modules):
                    t0 = time.perf_counter()
                    m(x)
                    best[i] = min(best[i], time.perf_counter() - t0)
        return best

    t_full, t_sep = best_times([full, sep])
    fig, ax = ctx.figure()
    labels = [f"{a}->{b}, k{k}" for a, b, k, *_ in rows]
    pos = np.arange(len(rows))
    ax.bar(pos - 0.2, [r[3] for r in rows], 0.4, label="measured params ratio")
    ax.plot(pos, [r[5] for r in rows], "k_", markersize=20, label="1/C_out + 1/k^2")
    ax.set_xticks(pos, labels, fontsize=7)
    ax.set_ylabel("separable / full")
    ax.legend(fontsize=7)
    return Outcome(
        metrics={
            "ratios": [
                {"c_in": a, "c_out": b, "k": k, "params": p, "flops": f, "formula": e}
                for a, b, k, p, f, e in rows
            ],
            "time_full_s": t_full,
            "time_separable_s": t_sep,
            "speedup": t_full / t_sep,
        },
        checks={
            "params ratio = 1/C_out + 1/k^2": all(abs(p - e) < 1e-12 for *_, p, f, e in rows),
            "FLOPs ratio = 1/C_out + 1/k^2": all(abs(f - e) < 1e-12 for *_, p, f, e in rows),
            "the separable layer runs faster than the full conv": t_sep < t_full,
        },
        figure=fig,
        summary=f"Separable/full ratio equals 1/C_out + 1/k^2 (e.g. {rows[1][3]:.4f} for 64->128 "
        f"3x3); forward time {t_full * 1e3:.1f} ms vs {t_sep * 1e3:.1f} ms "
        f"({t_full / t_sep:.1f}x faster).",
    )


# ----------------------------------------------------------------------------- CL-156
@experiment(
    "cnn_regularization_small_data",
    claims=["CL-156"],
    title="Augmentation, dropout and weight decay reduce overfitting on a small digits subset",
    topic=TOPIC,
)
def cnn_regularization_small_data(ctx):
    seeds = [0] if ctx.quick else [0, 1, 2]
    epochs = 20 if ctx.quick else 60
    n_train = 300 if ctx.quick else 500
    settings = {
        "baseline": {},
        "augmentation": {"augment": True},
        "dropout 0.5": {"dropout": 0.5},
        "weight decay": {"weight_decay": 0.05},
    }
    if not ctx.quick:
        settings["all three"] = {"augment": True, "dropout": 0.5, "weight_decay": 0.05}
    results = {k: {"train": [], "test": []} for k in settings}
    for seed in seeds:
        rng = np.random.default_rng(ctx.seed + seed)
        Xtr, ytr, Xte, yte = _digits(rng, n_train=n_train)
        for name, s in settings.items():
            model = _DigitCNN(
                16, 32, dropout=s.get("dropout", 0.0), generator=np.random.default_rng(seed)
            )
            opt = AdamW(model.parameters(), lr=3e-3, weight_decay=s.get("weight_decay", 0.0))
            _train_classifier(
                model,
                Xtr,
                ytr,
                epochs,
                opt,
                np.random.default_rng(seed),
                batch=50,
                augment=s.get("augment", False),
            )
            results[name]["train"].append(_accuracy(model, Xtr, ytr))
            results[name]["test"].append(_accuracy(model, Xte, yte))
    test = {k: float(np.mean(v["test"])) for k, v in results.items()}
    gap = {k: float(np.mean(v["train"]) - np.mean(v["test"])) for k, v in results.items()}
    fig, ax = ctx.figure()
    ax.bar(list(test), [test[k] for k in test])
    ax.set_ylim(min(test.values()) - 0.03, 1.0)
    ax.set_ylabel("test accuracy (held-out digits)")
    ax.tick_params(axis="x", labelsize=7)
    single = ["augmentation", "dropout 0.5", "weight decay"]
    best = max(single, key=lambda k: test[k])
    return Outcome(
        metrics={"test_accuracy": test, "train_minus_test": gap, "best_technique": best},
        checks={
            "the baseline overfits (train - test > 0.02)": gap["baseline"] > 0.02,
            "at least two techniques shrink the train-test gap (less overfitting)": sum(
                gap[k] < gap["baseline"] for k in single
            )
            >= 2,
        },
        figure=fig,
        summary=f"Test accuracy with {n_train} training digits: "
        + ", ".join(f"{k} {v:.3f}" for k, v in test.items())
        + "; train-test gap: "
        + ", ".join(f"{k} {v:.3f}" for k, v in gap.items())
        + f" (best test accuracy: {best}).",
    )


# ----------------------------------------------------------------------------- CL-157 (weak)
@experiment(
    "stacked_small_kernels",
    claims=["CL-157"],
    title="Two 3x3 convs see 5x5 with 18C^2 instead of 25C^2 weights; deep-narrow vs shallow",
    topic=TOPIC,
    weak=True,
)
def stacked_small_kernels(ctx):
    c = 64
    rf_two = receptive_field([(3, 1), (3, 1)]).size
    rf_three = receptive_field([(3, 1)] * 3).size
    p_two, p_five = 2 * conv2d_params(c, c, 3, bias=False), conv2d_params(c, c, 5, bias=False)
    rng = np.random.default_rng(ctx.seed)
    Xtr, ytr, Xte, yte = _digits(rng, n_train=500)
    epochs = 12 if ctx.quick else 50
    # same receptive field after the first block: one 5x5 conv vs two 3x3 convs (narrower)
    shallow = _DigitCNN(16, 16, kernel=5, generator=np.random.default_rng(ctx.seed))
    deep = _DigitCNN(16, 16, generator=np.random.default_rng(ctx.seed))
    deep.block1 = nn.Sequential(
        nn.Conv2d(1, 12, 3, padding=1, generator=np.random.default_rng(ctx.seed)),
        nn.ReLU(),
        nn.Conv2d(12, 16, 3, padding=1, generator=np.random.default_rng(ctx.seed + 1)),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )
    accs, params = {}, {}
    for name, model in (("one 5x5", shallow), ("two 3x3", deep)):
        opt = Adam(model.parameters(), lr=3e-3)
        _train_classifier(model, Xtr, ytr, epochs, opt, np.random.default_rng(ctx.seed))
        accs[name] = _accuracy(model, Xte, yte)
        params[name] = sum(p.numel() for p in model.block1.parameters())
    fig, ax = ctx.figure()
    ax.bar(list(accs), list(accs.values()))
    ax.set_ylim(min(accs.values()) - 0.05, 1.0)
    ax.set_ylabel("test accuracy")
    return Outcome(
        metrics={
            "receptive_field_two_3x3": rf_two,
            "receptive_field_three_3x3": rf_three,
            "params_two_3x3_C64": p_two,
            "params_one_5x5_C64": p_five,
            "test_accuracy": accs,
            "first_block_params": params,
        },
        checks={
            "two stacked 3x3 convs have a 5x5 receptive field (three: 7x7)": rf_two == 5
            and rf_three == 7,
            "18 C^2 vs 25 C^2 weights": p_two == 18 * c * c and p_five == 25 * c * c,
            "the deeper 3x3 stack is at least as accurate (weak)": accs["two 3x3"]
            >= accs["one 5x5"] - 0.01,
        },
        figure=fig,
        summary=f"Two 3x3 convs: receptive field {rf_two}, {p_two} vs {p_five} weights at C=64; "
        f"test accuracy one 5x5 {accs['one 5x5']:.3f} vs two 3x3 {accs['two 3x3']:.3f}.",
    )


# ----------------------------------------------------------------------------- CL-098
def _edge_bank(k=3, n_orient=8):
    """Unit-norm, zero-mean oriented first-derivative-of-Gaussian filters (k x k)."""
    r = np.arange(k) - (k - 1) / 2
    yy, xx = np.meshgrid(r, r, indexing="ij")
    bank = []
    for theta in np.linspace(0, np.pi, n_orient, endpoint=False):
        u = xx * np.cos(theta) + yy * np.sin(theta)
        f = u * np.exp(-(xx**2 + yy**2) / 2.0)
        f -= f.mean()
        bank.append(f.ravel() / np.linalg.norm(f))
    return np.array(bank)  # (n_orient, k k)


def _edge_score(weights):
    """Mean over filters of max_theta |cos(w - mean w, edge_theta)|."""
    w = weights.reshape(len(weights), -1)
    w = w - w.mean(1, keepdims=True)
    w /= np.linalg.norm(w, axis=1, keepdims=True) + 1e-12
    return float(np.abs(w @ _edge_bank(int(np.sqrt(w.shape[1]))).T).max(1).mean())


def _probe_accuracy(ftr, ytr, fte, yte, steps=300):
    """Softmax-regression probe on standardised features."""
    mu, sd = ftr.mean(0), ftr.std(0) + 1e-6
    ftr, fte = (ftr - mu) / sd, (fte - mu) / sd
    probe = nn.Linear(ftr.shape[1], 10, dtype=np.float64, generator=np.random.default_rng(0))
    opt = Adam(probe.parameters(), lr=1e-2, weight_decay=1e-3)
    xt, yt = Tensor(ftr), Tensor(ytr)
    for _ in range(steps):
        opt.zero_grad()
        cross_entropy(probe(xt), yt).backward()
        opt.step()
    with no_grad():
        return float(np.mean(probe(Tensor(fte)).numpy().argmax(1) == yte))


@experiment(
    "cnn_feature_hierarchy",
    claims=["CL-098"],
    title="CNN layers: edge-like first-layer filters, linear-probe accuracy rising with depth",
    topic=TOPIC,
)
def cnn_feature_hierarchy(ctx):
    rng = ctx.rng()
    Xtr, ytr, Xte, yte = _digits(rng)
    model = _DigitCNN(16, 32, generator=np.random.default_rng(ctx.seed))
    w_init = model.block1[0].weight.numpy().copy()
    opt = Adam(model.parameters(), lr=3e-3)
    _train_classifier(
        model, Xtr, ytr, 15 if ctx.quick else 40, opt, np.random.default_rng(ctx.seed)
    )
    w_trained = model.block1[0].weight.numpy()
    score_init, score_trained = _edge_score(w_init), _edge_score(w_trained)
    random_score = _edge_score(np.random.default_rng(ctx.seed + 1).standard_normal((512, 9)))
    model.eval()
    n_probe = 200  # a small probe training set makes the quality of the features visible
    with no_grad():
        feats = {}
        for name, X in (("train", Xtr[:n_probe]), ("test", Xte)):
            h1 = model.block1(Tensor(X))
            h2 = model.block2(h1)
            feats[name] = [
                X.reshape(len(X), -1),
                h1.numpy().reshape(len(X), -1),
                h2.numpy().reshape(len(X), -1),
            ]
    layers = ["pixels", "block 1", "block 2"]
    probe = [
        _probe_accuracy(
            feats["train"][i].astype(np.float64),
            ytr[:n_probe],
            feats["test"][i].astype(np.float64),
            yte,
        )
        for i in range(3)
    ]
    fig, axes = ctx.figure(1, 2)
    axes[0].plot(layers, probe, "o-")
    axes[0].set_ylabel(f"linear-probe test accuracy ({n_probe} probe examples)")
    grid = np.zeros((4 * 4, 4 * 4)) + np.nan
    for i in range(16):
        r, c = divmod(i, 4)
        f = w_trained[i, 0]
        grid[r * 4 : r * 4 + 3, c * 4 : c * 4 + 3] = (f - f.mean()) / (np.abs(f).max() + 1e-12)
    axes[1].imshow(grid, cmap="RdBu_r")
    axes[1].set_title(f"first-layer filters (edge score {score_trained:.2f})")
    axes[1].axis("off")
    return Outcome(
        metrics={
            "edge_score_init": score_init,
            "edge_score_trained": score_trained,
            "edge_score_random_filters": random_score,
            "probe_accuracy": dict(zip(layers, probe, strict=True)),
            "cnn_test_accuracy": _accuracy(model, Xte, yte),
        },
        checks={
            "trained first-layer filters are more edge-like than at init": score_trained
            > score_init,
            "linear-probe accuracy rises with depth (pixels < block 2)": probe[2] > probe[0],
            "block 2 probes at least as well as block 1": probe[2] >= probe[1] - 0.005,
        },
        figure=fig,
        summary=f"Edge score of first-layer filters {score_init:.2f} at init -> {score_trained:.2f} "
        f"trained; linear probe accuracy pixels {probe[0]:.3f}, block 1 {probe[1]:.3f}, "
        f"block 2 {probe[2]:.3f}.",
    )


# ----------------------------------------------------------------------------- CL-085 (weak)
@experiment(
    "adam_vs_sgd_generalization",
    claims=["CL-085"],
    title="Adam vs SGD with momentum: test accuracy of a small CNN on digits",
    topic=TOPIC,
    weak=True,
)
def adam_vs_sgd_generalization(ctx):
    seeds = [0] if ctx.quick else [0, 1, 2]
    epochs = 15 if ctx.quick else 40
    acc = {"Adam (lr 3e-3)": [], "SGD momentum 0.9 (lr 0.05)": []}
    for seed in seeds:
        rng = np.random.default_rng(ctx.seed + seed)
        Xtr, ytr, Xte, yte = _digits(rng, n_train=500)
        for name in acc:
            model = _DigitCNN(8, 16, generator=np.random.default_rng(seed))
            if name.startswith("Adam"):
                opt = Adam(model.parameters(), lr=3e-3)
            else:
                opt = SGD(model.parameters(), lr=0.05, momentum=0.9)
            _train_classifier(model, Xtr, ytr, epochs, opt, np.random.default_rng(seed))
            acc[name].append(_accuracy(model, Xte, yte))
    mean = {k: float(np.mean(v)) for k, v in acc.items()}
    names = list(mean)
    gap = mean[names[1]] - mean[names[0]]
    fig, ax = ctx.figure()
    ax.bar(names, [mean[k] for k in names])
    ax.set_ylim(min(mean.values()) - 0.05, 1.0)
    ax.set_ylabel("test accuracy")
    ax.tick_params(axis="x", labelsize=7)
    return Outcome(
        metrics={"test_accuracy": mean, "sgd_minus_adam": gap},
        checks={"SGD with momentum generalises at least as well as Adam (weak)": gap >= 0.0},
        figure=fig,
        summary=f"Test accuracy: Adam {mean[names[0]]:.3f}, SGD+momentum {mean[names[1]]:.3f} "
        f"(gap {gap:+.3f}).",
    )
