"""Attention claims, measured with glassml.nn's attention and Transformer layers.

* CL-185: dividing by sqrt(d_k) keeps scores O(1) so the softmax does not saturate.
* CL-186: attention weights are probability distributions over positions.
* CL-187: self-attention is permutation-equivariant; order needs positional encoding.
* CL-188: sinusoidal PE gives unique codes and relative offsets are a fixed rotation.
* CL-189: several heads capture several relations at once.

The Transformer-design claims (CL-190 attention vs CNN reach, CL-193 residual + LayerNorm,
CL-195 Transformer vs LSTM) are in ``experiments/transformer_design.py``.

Inventory: CL-185..CL-189 (SQ-09, TR-01..TR-07).
"""

from __future__ import annotations

import math

import numpy as np

from glassml import nn
from glassml.autograd import Tensor, manual_seed, no_grad
from glassml.autograd.fused import scaled_dot_product_attention
from glassml.experiments import Outcome, experiment
from glassml.nn.attention import MultiheadAttention
from glassml.nn.positional import (
    LearnedPositionalEmbedding,
    SinusoidalPositionalEncoding,
    sinusoidal_table,
)
from glassml.nn.transformer import TransformerEncoderLayer

from ._sequence_tasks import (
    TOPIC,
    _accuracy,
    _SequenceClassifier,
    _sorted_task,
    _train_classifier,
)


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
