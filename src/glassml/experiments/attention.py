"""Attention and Transformer claims, measured with glassml.nn's attention and Transformer layers.

* CL-185: dividing by sqrt(d_k) keeps scores O(1) so the softmax does not saturate.
* CL-186: attention weights are probability distributions over positions.
* CL-187: self-attention is permutation-equivariant; order needs positional encoding.
* CL-188: sinusoidal PE gives unique codes and relative offsets are a fixed rotation.
* CL-189: several heads capture several relations at once.
* CL-190: attention links distant positions in one layer; a k=3 CNN needs depth.
* CL-193: residual + LayerNorm let deep transformers train.
* CL-195: transformers beat LSTMs on long-lag retrieval at equal parameters.

Inventory: CL-185..CL-190, CL-193, CL-195 (SQ-09, TR-01..TR-07).
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd.fused import cross_entropy, scaled_dot_product_attention
from glassml.experiments import Outcome, experiment
from glassml.nn.attention import MultiheadAttention
from glassml.nn.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    sinusoidal_table,
)
from glassml.nn.transformer import TransformerEncoder, TransformerEncoderLayer
from glassml.optim import Adam

TOPIC = "transformers"


# ---------------------------------------------------------------------- shared pieces
class _SequenceClassifier(nn.Module):
    """Embedding (+ PE) -> Transformer encoder -> mean pool or last position -> Linear."""

    def __init__(self, vocab, n_classes, d, length, *, layers=1, nhead=2, pe="learned",
                 pool="mean", generator=None):  # fmt: skip
        super().__init__()
        self.embed = nn.Embedding(vocab, d, generator=generator)
        self.pe_kind = pe
        if pe == "sinusoidal":
            self.pe = SinusoidalPositionalEncoding(d, length)
        elif pe == "learned":
            self.pe = LearnedPositionalEmbedding(length, d, init_std=1.0, generator=generator)
        layer = TransformerEncoderLayer(
            d, nhead, 2 * d, dropout=0.0, batch_first=True, generator=generator
        )
        self.encoder = TransformerEncoder(layer, layers)
        self.head = nn.Linear(d, n_classes, generator=generator)
        self.pool = pool

    def forward(self, ids):
        x = self.embed(Tensor(ids))  # (B, T, d)
        if self.pe_kind != "none":
            x = self.pe(x)
        h = self.encoder(x)  # (B, T, d)
        return self.head(h.mean(dim=1) if self.pool == "mean" else h[:, -1])


def _train_classifier(model, X, y, steps, *, lr=5e-3, batch=64, seed=0):
    """Adam on random mini-batches; returns the per-step losses."""
    rng = np.random.default_rng(seed)
    opt = Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        idx = rng.integers(0, len(X), batch)
        loss = cross_entropy(model(X[idx]), Tensor(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    return losses


def _accuracy(model, X, y) -> float:
    with no_grad():
        return float((model(X).data.argmax(-1) == y).mean())


def _sorted_task(n, length, vocab, rng):
    """n sorted sequences (label 1) and a shuffled, unsorted copy of each (label 0): the two
    classes hold the same multisets, so only the order tells them apart."""
    pos = np.sort(rng.integers(0, vocab, size=(n, length)), axis=1)
    pos = pos[pos[:, 0] != pos[:, -1]]  # at least two distinct values: an unsorted copy exists
    neg = pos.copy()
    for row in neg:
        while np.all(np.diff(row) >= 0):
            rng.shuffle(row)
    X = np.concatenate([pos, neg])
    return X, np.r_[np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)]


# ---------------------------------------------------------------------- CL-185
class _TinyAttentionNet(nn.Module):
    """One single-head attention layer with a chosen score scale, residual, LN, mean pool."""

    def __init__(self, vocab, d, length, scale, generator=None):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, generator=generator)
        self.pe = LearnedPositionalEmbedding(length, d, init_std=1.0, generator=generator)
        self.q, self.k, self.v = (nn.Linear(d, d, generator=generator) for _ in range(3))
        for lin in (self.q, self.k):  # MHA's init: scores ~ N(0, d) before scaling
            nn.init.xavier_uniform_(lin.weight, generator=generator)
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 2, generator=generator)
        self.scale = scale

    def forward(self, ids):
        x = self.pe(self.embed(Tensor(ids)))  # (B, T, d)
        a = scaled_dot_product_attention(self.q(x), self.k(x), self.v(x), scale=self.scale)
        return self.head(self.norm(x + a).mean(dim=1))


@experiment(
    "attention_scaling_sqrt_dk",
    claims=["CL-185"],
    title="Scaling by 1/sqrt(d_k) keeps attention scores O(1) and the softmax unsaturated",
    topic=TOPIC,
)
def attention_scaling_sqrt_dk(ctx):
    rng = ctx.rng()
    dims = [4, 16, 64, 256, 1024]
    n_queries, n_keys = (200, 16) if ctx.quick else (2000, 16)
    std_raw, std_scaled, max_raw, max_scaled, jac_raw, jac_scaled = ([] for _ in range(6))

    def softmax_stats(scores):  # scores (Q, S) -> mean max weight, mean ||J||_F
        p = np.exp(scores - scores.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        # J = diag(p) - p p^T; ||J||_F^2 = sum p^2 - 2 sum p^3 + (sum p^2)^2
        s2, s3 = (p**2).sum(1), (p**3).sum(1)
        return p.max(1).mean(), np.sqrt(np.maximum(s2 - 2 * s3 + s2**2, 0)).mean()

    for d in dims:
        pairs = np.vecdot(rng.standard_normal((5000, d)), rng.standard_normal((5000, d)))
        std_raw.append(pairs.std())  # independent (q, k) pairs: std of q·k
        std_scaled.append((pairs / math.sqrt(d)).std())
        q = rng.standard_normal((n_queries, d))
        k = rng.standard_normal((n_keys, d))
        raw = q @ k.T  # (Q, S) unscaled scores of one softmax row per query
        m, j = softmax_stats(raw)
        max_raw.append(m), jac_raw.append(j)
        m, j = softmax_stats(raw / math.sqrt(d))
        max_scaled.append(m), jac_scaled.append(j)

    # training a tiny attention classifier with and without the scale (d_k = 64)
    length, d = 6, 64
    X, y = _sorted_task(600, length, 10, ctx.rng(1))
    steps = 120 if ctx.quick else 400
    curves = {}
    for label, scale in (("scaled 1/sqrt(d_k)", 1 / math.sqrt(d)), ("unscaled", 1.0)):
        manual_seed(ctx.seed)
        net = _TinyAttentionNet(10, d, length, scale, generator=np.random.default_rng(ctx.seed))
        curves[label] = _train_classifier(net, X, y, steps, lr=3e-3, seed=ctx.seed)
    tail = {k: float(np.mean(v[-20:])) for k, v in curves.items()}

    fig, axes = ctx.figure(1, 3, width=4.2)
    axes[0].loglog(dims, std_raw, "o-", label="unscaled q·k")
    axes[0].loglog(dims, std_scaled, "s-", label="q·k / sqrt(d_k)")
    axes[0].loglog(dims, np.sqrt(dims), "k:", label="sqrt(d_k)")
    axes[0].set_xlabel("d_k")
    axes[0].set_ylabel("score std")
    axes[0].legend(fontsize=7)
    axes[1].semilogx(dims, max_raw, "o-", label="max weight, unscaled")
    axes[1].semilogx(dims, max_scaled, "s-", label="max weight, scaled")
    axes[1].semilogx(dims, jac_raw, "o--", label="||J_softmax||, unscaled")
    axes[1].semilogx(dims, jac_scaled, "s--", label="||J_softmax||, scaled")
    axes[1].set_xlabel("d_k")
    axes[1].legend(fontsize=7)
    for label, curve in curves.items():
        axes[2].plot(np.convolve(curve, np.ones(10) / 10, mode="valid"), label=label)
    axes[2].set_xlabel("step")
    axes[2].set_ylabel("training loss (d_k = 64)")
    axes[2].legend(fontsize=7)
    ratio = np.array(std_raw) / np.sqrt(dims)
    return Outcome(
        metrics={
            "d_k": dims,
            "score_std_unscaled": std_raw,
            "score_std_scaled": std_scaled,
            "max_weight_unscaled": max_raw,
            "max_weight_scaled": max_scaled,
            "jacobian_norm_unscaled": jac_raw,
            "jacobian_norm_scaled": jac_scaled,
            "final_loss": tail,
        },
        checks={
            "unscaled score std ≈ sqrt(d_k) (within 20%)": bool(np.all(np.abs(ratio - 1) < 0.2)),
            "scaled score std ≈ 1 (within 20%)": bool(
                np.all(np.abs(np.array(std_scaled) - 1) < 0.2)
            ),
            "unscaled max weight -> 1 at d_k = 1024 (> 0.95)": max_raw[-1] > 0.95,
            "scaled max weight stays < 0.6 at every d_k": max(max_scaled) < 0.6,
            "unscaled softmax Jacobian norm shrinks > 5x from d_k=4 to 1024": jac_raw[-1]
            < jac_raw[0] / 5,
            "scaled Jacobian norm stays within 2x across d_k": max(jac_scaled)
            < 2 * min(jac_scaled),
            "the scaled model reaches a lower training loss": tail["scaled 1/sqrt(d_k)"]
            < tail["unscaled"],
        },
        figure=fig,
        summary=f"score std at d_k=1024: {std_raw[-1]:.1f} unscaled vs {std_scaled[-1]:.2f} scaled; "
        f"max weight {max_raw[-1]:.3f} vs {max_scaled[-1]:.3f}; tiny-model loss after {steps} "
        f"steps {tail['unscaled']:.3f} unscaled vs {tail['scaled 1/sqrt(d_k)']:.3f} scaled.",
    )


# ---------------------------------------------------------------------- CL-186
@experiment(
    "attention_weights_are_distributions",
    claims=["CL-186"],
    title="Attention weights are probability distributions over the keys",
    topic=TOPIC,
)
def attention_weights_are_distributions(ctx):
    rng = ctx.rng()
    manual_seed(ctx.seed)
    mha = MultiheadAttention(32, 4, batch_first=True, generator=rng).double()
    x = Tensor(rng.standard_normal((8, 12, 32)) * 3)
    padding = np.zeros((8, 12), dtype=bool)
    padding[np.arange(8), 12 - 1 - np.arange(8)] = True  # one padded key per row
    causal = np.triu(np.ones((12, 12), dtype=bool), 1)
    results = {}
    for name, kwargs in (
        ("no mask", {}),
        ("causal", {"attn_mask": causal}),
        ("causal + padding", {"attn_mask": causal, "key_padding_mask": padding}),
    ):
        with no_grad():
            _, w = mha(x, x, x, average_attn_weights=False, **kwargs)  # (B, H, L, S)
        w = w.numpy()
        blocked = np.zeros_like(w, dtype=bool)
        for key in ("attn_mask", "key_padding_mask"):
            m = kwargs.get(key)
            if m is not None:
                blocked |= m[None, None] if m.ndim == 2 and key == "attn_mask" else m[:, None, None]
        finite = np.isfinite(w).all(axis=-1)
        results[name] = {
            "min_weight": float(w[finite].min()),
            "max_row_sum_error": float(np.abs(w.sum(-1)[finite] - 1).max()),
            "max_blocked_weight": float(np.abs(w[blocked]).max()) if blocked.any() else 0.0,
            "rows_checked": int(finite.sum()),
        }
    fig, axes = ctx.figure(1, 2, width=4)
    with no_grad():
        _, w = mha(x, x, x, attn_mask=causal, key_padding_mask=padding)
    axes[0].imshow(w.numpy()[2], cmap="viridis")
    axes[0].set_title("head-averaged weights (causal + padding)", fontsize=8)
    axes[0].set_xlabel("key position")
    axes[0].set_ylabel("query position")
    names = list(results)
    axes[1].bar(names, [r["max_row_sum_error"] + 1e-18 for r in results.values()])
    axes[1].set_yscale("log")
    axes[1].set_title("max |row sum - 1|", fontsize=8)
    axes[1].tick_params(axis="x", labelsize=7)
    worst = max(r["max_row_sum_error"] for r in results.values())
    return Outcome(
        metrics=results,
        checks={
            "every weight is >= 0": all(r["min_weight"] >= 0 for r in results.values()),
            "every row sums to 1 (error < 1e-12)": worst < 1e-12,
            "masked keys get weight exactly 0": all(
                r["max_blocked_weight"] == 0 for r in results.values()
            ),
        },
        figure=fig,
        summary=f"Over {sum(r['rows_checked'] for r in results.values())} attention rows "
        f"(with and without masks) weights are >= 0 and sum to 1 within {worst:.1e}; masked "
        "keys get exactly 0.",
    )


# ---------------------------------------------------------------------- CL-187
@experiment(
    "self_attention_permutation_equivariant",
    claims=["CL-187"],
    title="Self-attention is permutation-equivariant; order needs positional encoding",
    topic=TOPIC,
)
def self_attention_permutation_equivariant(ctx):
    rng = ctx.rng()
    manual_seed(ctx.seed)
    layer = TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, generator=rng)
    layer.double()
    x = rng.standard_normal((4, 10, 16))
    perm = rng.permutation(10)
    with no_grad():
        out = layer(Tensor(x)).numpy()
        out_perm = layer(Tensor(x[:, perm])).numpy()
    equivariance_error = float(np.abs(out_perm - out[:, perm]).max())
    pe = SinusoidalPositionalEncoding(16, dtype=np.float64)
    with no_grad():
        with_pe = layer(pe(Tensor(x))).numpy()
        with_pe_perm = layer(pe(Tensor(x[:, perm]))).numpy()
    pe_error = float(np.abs(with_pe_perm - with_pe[:, perm]).max())

    length, vocab = 6, 10
    X, y = _sorted_task(800 if ctx.quick else 3000, length, vocab, ctx.rng(1))
    Xte, yte = _sorted_task(300, length, vocab, ctx.rng(2))
    steps = 120 if ctx.quick else 500
    acc, curves = {}, {}
    for kind in ("none", "sinusoidal", "learned"):
        manual_seed(ctx.seed)
        model = _SequenceClassifier(
            vocab, 2, 32, length, pe=kind, generator=np.random.default_rng(ctx.seed)
        )
        curves[kind] = _train_classifier(model, X, y, steps, seed=ctx.seed)
        acc[kind] = _accuracy(model, Xte, yte)
    fig, axes = ctx.figure(1, 2, width=4.2)
    for kind, curve in curves.items():
        axes[0].plot(np.convolve(curve, np.ones(10) / 10, mode="valid"), label=f"PE: {kind}")
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("training loss ('is it sorted?')")
    axes[0].legend(fontsize=7)
    axes[1].bar(list(acc), list(acc.values()))
    axes[1].axhline(0.5, color="k", ls=":")
    axes[1].set_ylabel("test accuracy")
    return Outcome(
        metrics={
            "equivariance_error_no_pe": equivariance_error,
            "equivariance_error_with_pe": pe_error,
            "_sorted_task_accuracy": acc,
        },
        checks={
            "permuting the input permutes the output (error < 1e-12)": equivariance_error < 1e-12,
            "with PE the output is no longer just permuted": pe_error > 1e-3,
            "without PE 'is it sorted?' stays at chance (|acc - 0.5| < 0.05)": abs(
                acc["none"] - 0.5
            )
            < 0.05,
            "sinusoidal PE solves it (acc > 0.85)": acc["sinusoidal"] > 0.85,
            "learned PE solves it (acc > 0.85)": acc["learned"] > 0.85,
        },
        figure=fig,
        summary=f"Permutation error {equivariance_error:.1e} without PE; 'is it sorted?' test "
        f"accuracy: no PE {acc['none']:.2f}, sinusoidal {acc['sinusoidal']:.2f}, learned "
        f"{acc['learned']:.2f}.",
    )


# ---------------------------------------------------------------------- CL-188
@experiment(
    "sinusoidal_pe_unique_and_relative",
    claims=["CL-188"],
    title="Sinusoidal PE: unique codes, and PE(pos + k) = R_k PE(pos) for a fixed rotation",
    topic=TOPIC,
)
def sinusoidal_pe_unique_and_relative(ctx):
    n_pos, d = (512, 64) if ctx.quick else (2048, 128)
    pe = sinusoidal_table(n_pos, d)  # (P, d)
    sq = (pe**2).sum(1)
    dist2 = sq[:, None] + sq[None] - 2 * pe @ pe.T  # (P, P) squared distances
    np.fill_diagonal(dist2, np.inf)
    min_dist = float(np.sqrt(max(dist2.min(), 0.0)))
    omega = 1.0 / 10000 ** (np.arange(0, d, 2) / d)  # (d/2,)
    errors, dependence = {}, {}
    for k in (1, 7, 50):
        # R_k acts on each (sin, cos) pair: [s', c'] = [[cos kw, sin kw], [-sin kw, cos kw]] [s, c]
        c, s = np.cos(k * omega), np.sin(k * omega)
        rotated = np.empty_like(pe[:-k])
        rotated[:, 0::2] = c * pe[:-k, 0::2] + s * pe[:-k, 1::2]
        rotated[:, 1::2] = -s * pe[:-k, 0::2] + c * pe[:-k, 1::2]
        errors[k] = float(np.abs(rotated - pe[k:]).max())
        dots = (pe[:-k] * pe[k:]).sum(1)  # PE(p) . PE(p + k) for every p
        dependence[k] = float(dots.max() - dots.min())
    fig, axes = ctx.figure(1, 2, width=4.2)
    axes[0].imshow(pe[:128].T, aspect="auto", cmap="RdBu")
    axes[0].set_xlabel("position")
    axes[0].set_ylabel("dimension")
    offsets = np.arange(1, 200)
    axes[1].plot(offsets, [(pe[0] * pe[o]).sum() for o in offsets], label="PE(0)·PE(k)")
    axes[1].plot(offsets, [(pe[100] * pe[100 + o]).sum() for o in offsets], "--",
                 label="PE(100)·PE(100+k)")  # fmt: skip
    axes[1].set_xlabel("offset k")
    axes[1].legend(fontsize=7)
    return Outcome(
        metrics={
            "min_pairwise_distance": min_dist,
            "rotation_max_error": errors,
            "dot_product_spread_over_positions": dependence,
        },
        checks={
            "every position has a distinct code (min distance > 1e-3)": min_dist > 1e-3,
            "PE(pos + k) = R_k PE(pos) for every pos (error < 1e-10)": max(errors.values()) < 1e-10,
            "PE(p)·PE(p + k) depends on k only (spread < 1e-9)": max(dependence.values()) < 1e-9,
        },
        figure=fig,
        summary=f"{n_pos} positions, d={d}: min pairwise distance {min_dist:.3f}; the fixed "
        f"block rotation R_k maps PE(pos) to PE(pos+k) within {max(errors.values()):.1e}.",
    )


# ---------------------------------------------------------------------- CL-189
def _head_attention(model, X):
    """Attention of the last position, per head, averaged over X: (H, T)."""
    with no_grad():
        x = model.pe(model.embed(Tensor(X)))
        _, w = model.encoder.layers[0].self_attn(x, x, x, average_attn_weights=False)
    return w.numpy()[:, :, -1].mean(0)  # (H, T)


@experiment(
    "multi_head_two_relations",
    claims=["CL-189"],
    title="Two heads capture two relations at once; one head of the same width learns worse",
    topic=TOPIC,
)
def multi_head_two_relations(ctx):
    """The last position must output the ordered pair (x_0, x_1): two relations. Two heads
    can each read one position; one head returns a single convex mixture w v(x_0) +
    (1 - w) v(x_1), usable only if it learns an uneven w and the FFN un-mixes it — possible,
    but learned slower and less reliably. Three seeds, same step budget."""
    vocab, length, runs = 4, 6, 3
    steps = 120 if ctx.quick else 400
    acc = {1: [], 2: []}
    mean_loss = {1: [], 2: []}
    curves, maps, n_params = {}, {}, {}
    for run in range(runs):
        rng = ctx.rng(run)

        def make(n, rng=rng):
            X = rng.integers(0, vocab, size=(n, length))
            X[:, -1] = vocab  # a query token
            return X, X[:, 0] * vocab + X[:, 1]

        X, y = make(3000)
        Xte, yte = make(500)
        for heads in (1, 2):
            seed = ctx.seed + run
            manual_seed(seed)
            model = _SequenceClassifier(vocab + 1, vocab * vocab, 16, length, nhead=heads,
                                        pool="last", generator=np.random.default_rng(seed))  # fmt: skip
            curve = _train_classifier(model, X, y, steps, lr=1e-2, seed=seed)
            acc[heads].append(_accuracy(model, Xte, yte))
            mean_loss[heads].append(float(np.mean(curve)))
            if run == 0:
                curves[heads], maps[heads] = curve, _head_attention(model, Xte)
                n_params[heads] = model.num_parameters()
    two = maps[2]  # (2, T)
    a = int(two[:, 0].argmax())  # the head that reads x_0
    specialised = bool(two[a, 0] > 0.5 and two[1 - a, 1] > 0.5)
    mean_acc = {h: float(np.mean(v)) for h, v in acc.items()}
    fig, axes = ctx.figure(1, 3, width=3.6)
    for heads, curve in curves.items():
        axes[0].plot(np.convolve(curve, np.ones(10) / 10, mode="valid"), label=f"{heads} head(s)")
    axes[0].set_xlabel("step")
    axes[0].set_ylabel("training loss (run 0)")
    axes[0].legend(fontsize=7)
    for ax, heads in zip(axes[1:], (1, 2), strict=True):
        ax.imshow(maps[heads], cmap="viridis", vmin=0, vmax=1, aspect="auto")
        ax.set_title(f"{heads} head(s): attention of the last position", fontsize=8)
        ax.set_xlabel("key position")
        ax.set_ylabel("head")
    return Outcome(
        metrics={
            "accuracy_per_run": {str(h): v for h, v in acc.items()},
            "mean_training_loss_per_run": {str(h): v for h, v in mean_loss.items()},
            "parameters": {str(h): p for h, p in n_params.items()},
            "two_head_attention_on_positions_0_1": two[:, :2].tolist(),
        },
        checks={
            "same parameter count": n_params[1] == n_params[2],
            "2 heads solve the task in every run (acc > 0.95)": min(acc[2]) > 0.95,
            "1 head does worse on average (mean acc lower by > 0.15)": mean_acc[1]
            < mean_acc[2] - 0.15,
            "2 heads learn faster in every run (lower mean training loss)": all(
                l2 < l1 for l1, l2 in zip(mean_loss[1], mean_loss[2], strict=True)
            ),
            "the two heads specialise: one reads x_0, the other x_1 (weight > 0.5)": specialised,
        },
        figure=fig,
        summary=f"Predicting the ordered pair (x_0, x_1) after {steps} steps, {runs} runs: 2 heads "
        f"reach {mean_acc[2]:.2f} mean accuracy, one head of the same width {mean_acc[1]:.2f} "
        f"({n_params[2]} parameters each); head {a} puts {two[a, 0]:.2f} on x_0, head {1 - a} "
        f"{two[1 - a, 1]:.2f} on x_1.",
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
