"""Claims of the curriculum about clustering, neighbours and similarity (inventory sections
3.6, 3.8 and CL-008, CL-037): k-means depends on its initialisation, the elbow finds K, k-means
scales linearly, KNN is a lazy learner whose cost grows with the data, KNN is sensitive to
feature scale, and cosine similarity ignores vector length.
"""

from __future__ import annotations

import time

import numpy as np

from glassml.cluster import KMeans, elbow
from glassml.experiments import Outcome, experiment
from glassml.metrics.pairwise import (
    cosine_similarity,
    cosine_similarity_vec,
    euclidean_distances,
)
from glassml.neighbors import KNeighborsClassifier

TOPIC = "clustering and neighbours"


def _blobs(rng, centers, n_per, std):
    """Gaussian blobs around ``centers`` (k, d): X (k·n_per, d) and the true labels."""
    centers = np.asarray(centers, dtype=float)
    X = np.concatenate([c + std * rng.normal(size=(n_per, centers.shape[1])) for c in centers])
    return X, np.repeat(np.arange(centers.shape[0]), n_per)


def _silhouette(X, labels):
    """Mean silhouette (b − a) / max(a, b); glassml.metrics' version when it is available."""
    try:
        from glassml.metrics import silhouette_score
    except ImportError:  # pragma: no cover - the metrics package is built by another issue
        D = euclidean_distances(X)
        k = labels.max() + 1
        onehot = np.eye(k)[labels]  # (n, k)
        sizes = onehot.sum(0)
        sums = D @ onehot  # (n, k) total distance to every cluster
        own = sums[np.arange(len(X)), labels]
        a = own / np.maximum(sizes[labels] - 1, 1)
        means = sums / sizes
        means[np.arange(len(X)), labels] = np.inf
        b = means.min(1)
        return float(np.mean((b - a) / np.maximum(a, b)))
    return float(silhouette_score(X, labels))


def _best_time(fn, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _loglog_slope(n, t):
    return float(np.polyfit(np.log(n), np.log(t), 1)[0])


@experiment(
    "kmeans_init_dependence",
    claims=["CL-053"],
    topic=TOPIC,
    title="K-means depends on its initialisation; k-means++ and n_init=10 help",
)
def kmeans_init_dependence(ctx):
    rng = ctx.rng()
    grid = np.array([[i, j] for i in range(3) for j in range(3)], dtype=float) * 6.0  # 9 blobs
    X, _ = _blobs(rng, grid, 30 if ctx.quick else 100, 1.0)
    runs = 20 if ctx.quick else 100
    sse = {
        "random, n_init=1": [
            KMeans(n_clusters=9, init="random", n_init=1, random_state=s).fit(X).inertia_
            for s in range(runs)
        ],
        "k-means++, n_init=1": [
            KMeans(n_clusters=9, init="k-means++", n_init=1, random_state=s).fit(X).inertia_
            for s in range(runs)
        ],
        "random, n_init=10": [
            KMeans(n_clusters=9, init="random", n_init=10, random_state=s).fit(X).inertia_
            for s in range(runs // 3)
        ],
    }
    stats = {k: (float(np.mean(v)), float(np.std(v))) for k, v in sse.items()}
    best = min(min(v) for v in sse.values())
    stuck = float(np.mean(np.array(sse["random, n_init=1"]) > 1.01 * best))
    fig, ax = ctx.figure(width=6)
    ax.boxplot(list(sse.values()), tick_labels=list(sse.keys()))
    ax.set(ylabel="final SSE (inertia)", title=f"{runs} k-means runs on 9 blobs")
    rnd, kpp, multi = (stats[k] for k in sse)
    return Outcome(
        metrics={
            "mean_std_sse": {k: list(v) for k, v in stats.items()},
            "share_of_random_runs_in_a_worse_local_minimum": stuck,
            "best_sse": best,
        },
        checks={
            "random init: final SSE varies across seeds (local minima)": rnd[1] > 0 and stuck > 0,
            "k-means++ lowers the mean SSE": kpp[0] < rnd[0],
            "k-means++ lowers the SSE spread": kpp[1] < rnd[1],
            "n_init=10 lowers the mean SSE": multi[0] < rnd[0],
            "n_init=10 lowers the SSE spread": multi[1] < rnd[1],
        },
        figure=fig,
        summary=(
            f"random init: SSE {rnd[0]:.0f} ± {rnd[1]:.0f} ({100 * stuck:.0f}% of runs in a "
            f"worse minimum); k-means++: {kpp[0]:.0f} ± {kpp[1]:.0f}; n_init=10: "
            f"{multi[0]:.0f} ± {multi[1]:.0f}."
        ),
    )


@experiment(
    "elbow_finds_k",
    claims=["CL-054"],
    topic=TOPIC,
    title="The elbow of the SSE curve finds K=4; the silhouette agrees",
)
def elbow_finds_k(ctx):
    rng = ctx.rng()
    # four equidistant centres (a regular simplex in 4-D): no pair of blobs is special
    X, _ = _blobs(rng, 10.0 * np.eye(4), 60 if ctx.quick else 250, 1.0)
    result = elbow(X, range(1, 10), n_init=3 if ctx.quick else 10, random_state=0)
    ks_sil = np.arange(2, 10)
    silhouettes = np.array(
        [
            _silhouette(X, KMeans(n_clusters=int(k), n_init=3, random_state=0).fit(X).labels_)
            for k in ks_sil
        ]
    )
    k_sil = int(ks_sil[np.argmax(silhouettes)])
    fig, ax = ctx.figure(width=6)
    ax.plot(result.ks, result.inertias, "o-", label="SSE")
    ax.axvline(result.best_k, ls="--", c="gray")
    ax.set(xlabel="K", ylabel="SSE (inertia)", title="elbow at the largest second difference")
    ax2 = ax.twinx()
    ax2.plot(ks_sil, silhouettes, "s-", c="tab:orange", label="silhouette")
    ax2.set_ylabel("mean silhouette")
    return Outcome(
        metrics={
            "ks": result.ks.tolist(),
            "sse": result.inertias.tolist(),
            "second_differences": result.second_differences.tolist(),
            "elbow_k": result.best_k,
            "silhouette": silhouettes.tolist(),
            "silhouette_k": k_sil,
        },
        checks={
            "largest second difference of SSE at K=4": result.best_k == 4,
            "silhouette is largest at K=4": k_sil == 4,
        },
        figure=fig,
        summary=(
            f"SSE elbow at K={result.best_k} (Δ² = {np.nanmax(result.second_differences):.0f})"
            f"; best silhouette {silhouettes.max():.2f} at K={k_sil}."
        ),
    )


@experiment(
    "kmeans_linear_runtime",
    claims=["CL-055"],
    topic=TOPIC,
    title="K-means is fast on large data: runtime grows linearly in n",
)
def kmeans_linear_runtime(ctx):
    rng = ctx.rng()
    ns = np.array(
        [8_000, 16_000, 32_000, 64_000]
        if ctx.quick
        else [25_000, 50_000, 100_000, 200_000, 400_000]
    )
    X_all = rng.normal(size=(ns[-1], 10))
    init = X_all[:8]
    iters = 10
    times = np.array(
        [
            _best_time(
                lambda n=n: KMeans(n_clusters=8, init=init, max_iter=iters, tol=0.0).fit(X_all[:n]),
                3,
            )
            for n in ns
        ]
    )
    slope = _loglog_slope(ns, times)
    throughput = float(ns[-1] * iters / times[-1])
    fig, ax = ctx.figure()
    ax.loglog(ns, times, "o-", label="glassml KMeans (10 Lloyd iterations)")
    ax.loglog(ns, times[0] * ns / ns[0], "--", c="gray", label="∝ n")
    ax.set(xlabel="n samples", ylabel="seconds", title=f"log-log slope {slope:.2f}")
    ax.legend()
    return Outcome(
        metrics={
            "n": ns.tolist(),
            "seconds": times.tolist(),
            "loglog_slope": slope,
            "sample_iterations_per_second": throughput,
        },
        checks={"runtime ≈ linear in n (log-log slope in [0.6, 1.4])": 0.6 <= slope <= 1.4},
        figure=fig,
        summary=(
            f"runtime slope {slope:.2f} on a log-log scale; {throughput / 1e6:.1f} M "
            "sample-iterations per second."
        ),
    )


def _knn_costs(rng, ns, n_queries, d=10, repeats=3):
    """Fit and predict times of a brute-force KNN and the memory it keeps, per n_train."""
    X_all = rng.normal(size=(ns[-1], d))
    y_all = (X_all[:, 0] + X_all[:, 1] > 0).astype(int)
    Q = rng.normal(size=(n_queries, d))
    fit_t, pred_t, stored = [], [], []
    for n in ns:
        X, y = X_all[:n], y_all[:n]
        model = KNeighborsClassifier(n_neighbors=5, algorithm="brute")
        fit_t.append(_best_time(lambda X=X, y=y, m=model: m.fit(X, y), repeats))
        pred_t.append(_best_time(lambda m=model: m.predict(Q), repeats))
        stored.append(model._fit_X.nbytes + model._y.nbytes)
    return np.array(fit_t), np.array(pred_t), np.array(stored), X_all, y_all


@experiment(
    "knn_lazy_learner",
    claims=["CL-056"],
    topic=TOPIC,
    title="KNN is lazy: fitting is trivial, prediction cost grows with n_train",
)
def knn_lazy_learner(ctx):
    ns = np.array(
        [4_000, 16_000, 64_000] if ctx.quick else [5_000, 10_000, 20_000, 40_000, 80_000, 160_000]
    )
    n_queries = 1000  # enough work per predict call that fit-vs-predict timing is robust
    fit_t, pred_t, _, _, _ = _knn_costs(ctx.rng(), ns, n_queries, repeats=3)
    slope = _loglog_slope(ns, pred_t)
    fig, ax = ctx.figure()
    ax.loglog(ns, pred_t, "o-", label=f"predict {n_queries} queries")
    ax.loglog(ns, fit_t, "s-", label="fit")
    ax.set(xlabel="n_train", ylabel="seconds", title=f"predict slope {slope:.2f}")
    ax.legend()
    ratio = float(pred_t[-1] / fit_t[-1])
    return Outcome(
        metrics={
            "n_train": ns.tolist(),
            "fit_seconds": fit_t.tolist(),
            "predict_seconds": pred_t.tolist(),
            "predict_loglog_slope": slope,
            "predict_over_fit_at_largest_n": ratio,
        },
        checks={
            "predict time ∝ n_train (log-log slope in [0.6, 1.4])": 0.6 <= slope <= 1.4,
            "fitting is much cheaper than predicting (≥ 5×)": ratio >= 5,
            "predicting on the largest set costs more than on the smallest": pred_t[-1]
            > 2 * pred_t[0],
        },
        figure=fig,
        summary=(
            f"predict time slope {slope:.2f} in n_train; at n={ns[-1]} predicting "
            f"{n_queries} queries takes {ratio:.0f}× the fit time."
        ),
    )


@experiment(
    "parametric_vs_nonparametric",
    claims=["CL-008"],
    topic=TOPIC,
    title="A linear model stays the same size; KNN grows with the data",
)
def parametric_vs_nonparametric(ctx):
    ns = np.array([1_000, 4_000, 16_000] if ctx.quick else [1_000, 10_000, 100_000])
    fit_t, pred_t, stored, X_all, y_all = _knn_costs(ctx.rng(1), ns, 300, repeats=2)
    n_params, accuracy = [], []
    for n in ns:  # least-squares linear classifier: d + 1 numbers whatever n is
        A = np.column_stack([np.ones(n), X_all[:n]])
        w = np.linalg.lstsq(A, 2.0 * y_all[:n] - 1.0, rcond=None)[0]
        n_params.append(w.size)
        accuracy.append(float(np.mean((A @ w > 0) == y_all[:n])))
    size_ratio = stored / stored[0]
    fig, ax = ctx.figure(1, 2, width=4.5)
    ax[0].loglog(ns, stored / 8, "o-", label="KNN stored numbers")
    ax[0].loglog(ns, n_params, "s-", label="linear-model parameters")
    ax[0].set(xlabel="n_train", ylabel="numbers kept after fit")
    ax[0].legend()
    ax[1].loglog(ns, pred_t, "o-")
    ax[1].set(xlabel="n_train", ylabel="KNN predict seconds (300 queries)")
    return Outcome(
        metrics={
            "n_train": ns.tolist(),
            "knn_stored_bytes": stored.tolist(),
            "linear_param_count": n_params,
            "knn_predict_seconds": pred_t.tolist(),
            "linear_train_accuracy": accuracy,
        },
        checks={
            "linear-model parameter count is constant": len(set(n_params)) == 1,
            "KNN stored size ∝ n": bool(np.allclose(size_ratio, ns / ns[0], rtol=0.01)),
            "KNN predict time grows with n (16x the data: > 3x the time)": bool(
                pred_t[-1] > 3 * pred_t[0]
            ),
        },
        figure=fig,
        summary=(
            f"from n={ns[0]} to {ns[-1]}: the linear model keeps {n_params[0]} numbers; KNN "
            f"keeps {size_ratio[-1]:.0f}× more memory and predicts "
            f"{pred_t[-1] / pred_t[0]:.0f}× slower."
        ),
    )


@experiment(
    "knn_scale_sensitivity",
    claims=["CL-037"],
    topic=TOPIC,
    title="KNN is sensitive to feature scale and to irrelevant features",
)
def knn_scale_sensitivity(ctx):
    rng = ctx.rng()
    n = 600 if ctx.quick else 3000
    X, y = _blobs(rng, [[0.0, 0.0], [2.5, 2.5]], n // 2, 1.0)
    noise = 1000.0 * rng.normal(size=(X.shape[0], 1))  # an irrelevant large-scale feature
    X_noisy = np.hstack([X, noise])
    train = rng.permutation(X.shape[0]) < X.shape[0] // 2
    test = ~train

    def accuracy(Z):
        model = KNeighborsClassifier(n_neighbors=7).fit(Z[train], y[train])
        return float(np.mean(model.predict(Z[test]) == y[test]))

    mean, std = X_noisy[train].mean(0), X_noisy[train].std(0)
    acc = {
        "clean": accuracy(X),
        "with noise feature": accuracy(X_noisy),
        "standardised": accuracy((X_noisy - mean) / std),
        "noise feature dropped": accuracy(X_noisy[:, :2]),
    }
    fig, ax = ctx.figure(width=6)
    ax.bar(
        list(acc.keys()),
        list(acc.values()),
        color=["tab:green", "tab:red", "tab:orange", "tab:green"],
    )
    ax.set(ylim=(0.4, 1.0), ylabel="test accuracy (k=7)", title="KNN and feature scale")
    return Outcome(
        metrics=acc,
        checks={
            "a large-scale noise feature lowers accuracy by > 10 points": acc["with noise feature"]
            < acc["clean"] - 0.10,
            "standardising partly restores accuracy": acc["with noise feature"] + 0.05
            < acc["standardised"]
            <= acc["clean"] + 0.02,
            "dropping the feature restores it fully": acc["noise feature dropped"] == acc["clean"],
        },
        figure=fig,
        summary=(
            f"accuracy {acc['clean']:.2f} clean, {acc['with noise feature']:.2f} with a "
            f"×1000 noise feature, {acc['standardised']:.2f} standardised, "
            f"{acc['noise feature dropped']:.2f} with it dropped."
        ),
    )


@experiment(
    "cosine_similarity_examples",
    claims=["CL-077"],
    topic=TOPIC,
    title="Cosine similarity lies in [−1, 1]; cos([1,2,3],[4,5,6]) = 0.974632",
)
def cosine_similarity_examples(ctx):
    seed_value = cosine_similarity_vec([1, 2, 3], [4, 5, 6])
    cases = {
        "same direction": cosine_similarity_vec([1, 2], [3, 6]),
        "orthogonal": cosine_similarity_vec([1, 0], [0, 5]),
        "opposite": cosine_similarity_vec([1, 2], [-2, -4]),
        "[1,2,3]·[4,5,6]": seed_value,
    }
    V = ctx.rng().normal(size=(400 if ctx.quick else 4000, 5))
    S = cosine_similarity(V)
    angles = np.linspace(0, np.pi, 181)
    unit = np.stack([np.cos(angles), np.sin(angles)], 1)
    curve = cosine_similarity([[1.0, 0.0]], unit)[0]
    fig, ax = ctx.figure(1, 2, width=4.5)
    ax[0].plot(np.degrees(angles), curve)
    ax[0].set(xlabel="angle between vectors (degrees)", ylabel="cosine similarity")
    ax[1].hist(S[np.triu_indices_from(S, 1)], bins=40)
    ax[1].set(xlabel="cosine similarity of random pairs", ylabel="count")
    return Outcome(
        metrics={**cases, "min_random": float(S.min()), "max_random": float(S.max())},
        checks={
            "cos([1,2,3],[4,5,6]) = 0.974632 (6 d.p.)": round(seed_value, 6) == 0.974632,
            "same direction → 1": abs(cases["same direction"] - 1) < 1e-12,
            "orthogonal → 0": abs(cases["orthogonal"]) < 1e-12,
            "opposite → −1": abs(cases["opposite"] + 1) < 1e-12,
            "all random pairs within [−1, 1]": S.min() >= -1 - 1e-12 and S.max() <= 1 + 1e-12,
        },
        figure=fig,
        summary=(
            f"cos([1,2,3],[4,5,6]) = {seed_value:.6f}; same/orthogonal/opposite give "
            "1/0/−1; random pairs stay in [−1, 1]."
        ),
    )


@experiment(
    "cosine_ignores_length",
    claims=["CL-078"],
    topic=TOPIC,
    title="Cosine similarity ignores document length; Euclidean distance does not",
)
def cosine_ignores_length(ctx):
    rng = ctx.rng()
    vocab = 50
    topics = rng.dirichlet(np.full(vocab, 0.1), size=5)  # word distributions of 5 topics
    lengths = rng.integers(20, 60, size=5 * (20 if ctx.quick else 200))
    topic_of = np.arange(lengths.size) % 5
    docs = np.array(
        [rng.multinomial(n, topics[t]) for n, t in zip(lengths, topic_of, strict=True)], dtype=float
    )  # (n_docs, vocab) term counts
    doc = docs[0]
    tripled = 3 * doc  # the same document repeated three times
    cos_same = float(cosine_similarity([doc], [tripled])[0, 0])
    euc_same = float(euclidean_distances([doc], [tripled])[0, 0])
    # retrieval: queries are short documents; the corpus holds long (×3) documents
    queries, corpus = docs[: lengths.size // 2], 3 * docs[lengths.size // 2 :]
    q_topic, c_topic = topic_of[: lengths.size // 2], topic_of[lengths.size // 2 :]
    top_cos = cosine_similarity(queries, corpus).argmax(1)
    top_euc = euclidean_distances(queries, corpus).argmin(1)
    hit_cos = float(np.mean(c_topic[top_cos] == q_topic))
    hit_euc = float(np.mean(c_topic[top_euc] == q_topic))
    invariant = bool(np.array_equal(top_cos, cosine_similarity(queries, corpus / 3).argmax(1)))
    fig, ax = ctx.figure(width=5.5)
    ax.bar(["cosine", "Euclidean"], [hit_cos, hit_euc], color=["tab:blue", "tab:gray"])
    ax.set(
        ylim=(0, 1),
        ylabel="top-1 result has the query's topic",
        title="retrieving long documents with short queries",
    )
    return Outcome(
        metrics={
            "cosine_doc_vs_tripled": cos_same,
            "euclidean_doc_vs_tripled": euc_same,
            "top1_topic_accuracy_cosine": hit_cos,
            "top1_topic_accuracy_euclidean": hit_euc,
        },
        checks={
            "doc vs doc×3: cosine = 1": abs(cos_same - 1) < 1e-12,
            "doc vs doc×3: Euclidean = 2‖doc‖ (large)": abs(euc_same - 2 * np.linalg.norm(doc))
            < 1e-9,
            "cosine ranking unchanged when the corpus is rescaled": invariant,
            "cosine retrieves the right topic more often than Euclidean": hit_cos > hit_euc + 0.1,
        },
        figure=fig,
        summary=(
            f"doc vs doc×3: cosine {cos_same:.3f}, Euclidean {euc_same:.1f}; top-1 topic "
            f"accuracy {hit_cos:.2f} (cosine) vs {hit_euc:.2f} (Euclidean)."
        ),
    )
