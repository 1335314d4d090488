"""Claims about decision trees and tree ensembles (inventory sections 3.7/3.8), measured.

CL-001 (a tree learns a hand-coded rule), CL-003 (deep trees overfit), CL-038 (no scaling
needed), CL-057 (instability), CL-058 (greedy misses XOR), CL-059 (Gini vs entropy), CL-060
(pruning), CL-061 (bagging reduces variance), CL-062 (random features decorrelate), CL-063
(OOB ≈ holdout), CL-064 (importances find informative features), CL-065 (robust to label noise).
"""

from __future__ import annotations

import time

import numpy as np

from ..ensemble import BaggingRegressor, RandomForestClassifier, RandomForestRegressor
from ..inspection import permutation_importance
from ..tree import DecisionTreeClassifier, DecisionTreeRegressor
from . import Outcome, experiment

TOPIC = "Decision trees and ensembles"


def _noisy_classes(rng, n, d=2, noise=0.2):
    """Two classes split by a wavy boundary, with a share ``noise`` of flipped labels."""
    X = rng.uniform(-3, 3, size=(n, d))
    y = (X[:, 1] > np.sin(1.5 * X[:, 0])).astype(int)
    flip = rng.random(n) < noise
    return X, np.where(flip, 1 - y, y)


def _acc(model, X, y):
    return float(np.mean(model.predict(X) == y))


@experiment("tree_learns_rule", claims=["CL-001"], title="A tree infers 'age > 18'", topic=TOPIC)
def tree_learns_rule(ctx):
    rng = ctx.rng()
    n = 400 if ctx.quick else 4000
    age = rng.integers(5, 60, size=n).astype(float)
    rule = (age > 18).astype(int)
    y = np.where(rng.random(n) < 0.05, 1 - rule, rule)
    stump = DecisionTreeClassifier(max_depth=1).fit(age[:, None], y)
    threshold = float(stump.tree_.threshold[0])
    acc_tree, acc_rule = _acc(stump, age[:, None], y), float(np.mean(rule == y))
    fig, ax = ctx.figure()
    grid = np.linspace(5, 60, 300)
    ax.scatter(age, y + rng.normal(0, 0.03, n), s=4, alpha=0.4, label="data (5% noise)")
    ax.plot(grid, stump.predict_proba(grid[:, None])[:, 1], "r", label="tree P(allow)")
    ax.axvline(18, ls="--", c="k", label="true rule")
    ax.set(xlabel="age", ylabel="allow", title=f"learned threshold {threshold:.1f}")
    ax.legend()
    return Outcome(
        metrics={"threshold": threshold, "acc_tree": acc_tree, "acc_rule": acc_rule},
        checks={
            "learned threshold within ±1 of 18": abs(threshold - 18.5) <= 1.0,
            "accuracy equals the rule's (±1 point)": abs(acc_tree - acc_rule) <= 0.01,
        },
        figure=fig,
        summary=f"The stump learned age > {threshold:.1f} (rule: > 18) with accuracy "
        f"{acc_tree:.3f} vs the rule's {acc_rule:.3f}.",
    )


@experiment("deep_trees_overfit", claims=["CL-003"], title="Deep trees overfit", topic=TOPIC)
def deep_trees_overfit(ctx):
    rng = ctx.rng()
    n = 600 if ctx.quick else 4000
    X, y = _noisy_classes(rng, 2 * n)
    Xa, ya, Xb, yb = X[:n], y[:n], X[n:], y[n:]
    depths = list(range(1, 16)) + [None]
    train, test = [], []
    for d in depths:
        m = DecisionTreeClassifier(max_depth=d, random_state=0).fit(Xa, ya)
        train.append(_acc(m, Xa, ya))
        test.append(_acc(m, Xb, yb))
    gaps = np.subtract(train, test)
    best = int(np.argmax(test))
    fig, ax = ctx.figure()
    xs = [d if d is not None else 17 for d in depths]
    ax.plot(xs, train, "o-", label="train")
    ax.plot(xs, test, "s-", label="test")
    ax.set(xlabel="max_depth (17 = unlimited)", ylabel="accuracy", title="depth sweep")
    ax.legend()
    return Outcome(
        metrics={"depths": xs, "train": train, "test": test, "best_depth": xs[best]},
        checks={
            "unlimited depth: train accuracy 1.0": train[-1] == 1.0,
            "unlimited depth: test below the best depth": test[-1] < test[best] - 0.02,
            "train-test gap grows with depth": gaps[-1] > gaps[2] + 0.1,
        },
        figure=fig,
        summary=f"Unlimited depth: train {train[-1]:.2f}, test {test[-1]:.3f}; best depth "
        f"{xs[best]} reaches test {test[best]:.3f}.",
    )


@experiment("trees_need_no_scaling", claims=["CL-038"], title="No feature scaling", topic=TOPIC)
def trees_need_no_scaling(ctx):
    rng = ctx.rng()
    n = 500 if ctx.quick else 5000
    X, y = _noisy_classes(rng, n, d=3, noise=0.1)
    X = np.round(X, 2)  # a 0.01 grid: distinct values stay distinct after rescaling in float32

    def rescale(Z):  # strictly increasing in every column
        return np.column_stack([1000 * Z[:, 0] + 7, np.exp(Z[:, 1]), Z[:, 2] ** 3])

    a = DecisionTreeClassifier(random_state=0).fit(X, y)
    b = DecisionTreeClassifier(random_state=0).fit(rescale(X), y)
    # test points take each coordinate from the training values (a monotone map moves the
    # midpoint thresholds, so only points between two training values could change side)
    trng = ctx.rng(1)
    Xt = np.column_stack([trng.choice(X[:, j], size=n) for j in range(3)])
    Tt = rescale(Xt)
    same = float(np.mean(a.predict(Xt) == b.predict(Tt)))
    same_leaves = bool(np.array_equal(a.apply(Xt), b.apply(Tt)))
    fig, axes = ctx.figure(1, 2)
    axes[0].scatter(Xt[:, 0], Xt[:, 1], c=a.predict(Xt), s=5, cmap="coolwarm")
    axes[0].set(title="raw features", xlabel="x0", ylabel="x1")
    axes[1].scatter(Tt[:, 0], Tt[:, 1], c=b.predict(Tt), s=5, cmap="coolwarm")
    axes[1].set(title="monotonically rescaled", xlabel="1000·x0+7", ylabel="exp(x1)")
    return Outcome(
        metrics={"prediction_agreement": same, "same_leaves": same_leaves},
        checks={
            "identical predictions": same == 1.0,
            "identical leaf assignment": same_leaves,
        },
        figure=fig,
        summary=f"Predictions agree on {100 * same:.1f}% of test points after monotone rescaling.",
    )


@experiment("tree_instability", claims=["CL-057"], title="Trees are unstable", topic=TOPIC)
def tree_instability(ctx):
    rng = ctx.rng()
    n, refits = (400, 20) if ctx.quick else (2000, 100)
    X, y = _noisy_classes(rng, n, d=4, noise=0.15)
    Xt, _ = _noisy_classes(ctx.rng(1), 2000, d=4)
    base = DecisionTreeClassifier(random_state=0).fit(X, y)
    pred0 = base.predict(Xt)
    root0 = (base.tree_.feature[0], base.tree_.threshold[0])
    changed_root, disagreement = [], []
    for _ in range(refits):
        idx = rng.integers(0, n, size=n)
        m = DecisionTreeClassifier(random_state=0).fit(X[idx], y[idx])
        f, t = m.tree_.feature[0], m.tree_.threshold[0]
        changed_root.append(f != root0[0] or abs(t - root0[1]) > 0.1)
        disagreement.append(float(np.mean(m.predict(Xt) != pred0)))
    share = float(np.mean(changed_root))
    fig, ax = ctx.figure()
    ax.hist(disagreement, bins=15)
    ax.set(xlabel="share of test points predicted differently", ylabel="bootstrap refits",
           title=f"root split changed in {100 * share:.0f}% of refits")  # fmt: skip
    return Outcome(
        metrics={"root_changed_share": share, "mean_disagreement": float(np.mean(disagreement))},
        checks={
            "bootstrap refits disagree on > 10% of predictions": np.mean(disagreement) > 0.10,
            "some refits choose a different root split": share > 0.0,
        },
        figure=fig,
        summary=f"Bootstrap refits change the root split in {100 * share:.0f}% of cases and "
        f"disagree on {100 * np.mean(disagreement):.1f}% of test predictions.",
    )


def _exhaustive_depth2(X, y, n_thresholds):
    """Best depth-2 tree: every root feature × a grid of thresholds, optimal stumps below."""
    best = 0.0
    for f in range(X.shape[1]):
        grid = np.linspace(0.0, 1.0, n_thresholds)  # a 0.05 grid (the features live on [0, 1])
        quantiles = np.quantile(X[:, f], np.linspace(0.02, 0.98, n_thresholds))
        for t in np.unique(np.concatenate([grid, quantiles])):
            left = X[:, f] <= t
            correct = 0
            for side in (left, ~left):
                if not side.any():
                    continue
                stump = DecisionTreeClassifier(max_depth=1).fit(X[side], y[side])
                correct += np.sum(stump.predict(X[side]) == y[side])
            best = max(best, correct / len(y))
    return best


@experiment("greedy_misses_xor", claims=["CL-058"], title="Greedy CART misses XOR", topic=TOPIC)
def greedy_misses_xor(ctx):
    rng = ctx.rng()
    n = 400 if ctx.quick else 2000
    X = rng.uniform(0, 1, size=(n, 3))
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(int)
    X[:, 2] = y + rng.normal(0, 1.5, size=n)  # weakly informative distractor
    greedy = DecisionTreeClassifier(max_depth=2).fit(X, y)
    acc_greedy = _acc(greedy, X, y)
    X[:, :2] = np.round(X[:, :2], 2)  # thresholds on a grid that contains the XOR boundary
    y = ((X[:, 0] > 0.5) ^ (X[:, 1] > 0.5)).astype(int)
    acc_exhaustive = _exhaustive_depth2(X, y, 21 if ctx.quick else 41)
    fig, ax = ctx.figure()
    ax.bar(["greedy depth 2", "exhaustive depth 2"], [acc_greedy, acc_exhaustive])
    ax.set(ylim=(0, 1.05), ylabel="training accuracy",
           title=f"greedy root feature: x{greedy.tree_.feature[0]}")  # fmt: skip
    return Outcome(
        metrics={
            "greedy": acc_greedy,
            "exhaustive": acc_exhaustive,
            "greedy_root_feature": int(greedy.tree_.feature[0]),
        },  # fmt: skip
        checks={
            "greedy depth-2 accuracy < 1": acc_greedy < 0.95,
            "exhaustive depth-2 accuracy = 1.0": acc_exhaustive == 1.0,
        },  # fmt: skip
        figure=fig,
        summary=f"Greedy CART splits first on the distractor and reaches {acc_greedy:.2f}; "
        f"exhaustive depth-2 search finds the XOR tree ({acc_exhaustive:.2f}).",
    )


@experiment("gini_vs_entropy", claims=["CL-059"], title="Gini and entropy agree", topic=TOPIC)
def gini_vs_entropy(ctx):
    rng = ctx.rng()
    n_nodes = 150 if ctx.quick else 1000
    agree = same_feature = 0
    for _ in range(n_nodes):
        X = rng.normal(size=(60, 4))
        w = rng.normal(size=4)
        y = (X @ w + rng.normal(0, 1.0, size=60) > 0).astype(int)
        a = DecisionTreeClassifier(max_depth=1, criterion="gini").fit(X, y).tree_
        b = DecisionTreeClassifier(max_depth=1, criterion="entropy").fit(X, y).tree_
        agree += a.feature[0] == b.feature[0] and a.threshold[0] == b.threshold[0]
        same_feature += a.feature[0] == b.feature[0]
    share, share_feature = agree / n_nodes, same_feature / n_nodes
    Xb, yb = _noisy_classes(ctx.rng(1), 1000 if ctx.quick else 20000, d=5)
    times = {"gini": [], "entropy": []}
    for _ in range(3):
        for crit in times:
            t0 = time.perf_counter()
            DecisionTreeClassifier(criterion=crit).fit(Xb, yb)
            times[crit].append(time.perf_counter() - t0)
    ratio = float(np.median(times["entropy"]) / np.median(times["gini"]))
    fig, ax = ctx.figure()
    ax.bar(["same split", "different"], [share, 1 - share])
    ax.set(ylabel="share of random nodes", title=f"entropy/gini fit time ratio {ratio:.2f}")
    return Outcome(
        metrics={
            "agreement": share,
            "same_feature": share_feature,
            "time_ratio_entropy_over_gini": ratio,
        },  # fmt: skip
        checks={
            "Gini and entropy pick the same feature in >= 85% of nodes": share_feature >= 0.85,
            "and the same (feature, threshold) in >= 70%": share >= 0.7,
        },  # fmt: skip
        figure=fig,
        summary=f"Same feature in {100 * share_feature:.1f}% and same split in "
        f"{100 * share:.1f}% of {n_nodes} random nodes; entropy takes "
        f"{ratio:.2f}× Gini's fit time (timing reported, not asserted).",
    )


@experiment("pruning_helps", claims=["CL-060"], title="Cost-complexity pruning", topic=TOPIC)
def pruning_helps(ctx):
    rng = ctx.rng()
    n = 600 if ctx.quick else 4000
    X, y = _noisy_classes(rng, 2 * n, noise=0.25)
    Xa, ya, Xb, yb = X[:n], y[:n], X[n:], y[n:]
    path = DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(Xa, ya)
    alphas = path["ccp_alphas"]  # from the full tree (α = 0) to the root alone
    n_alphas = 15 if ctx.quick else 40
    alphas = alphas[np.unique(np.linspace(0, len(alphas) - 1, n_alphas).astype(int))]
    test = [
        _acc(DecisionTreeClassifier(ccp_alpha=float(a), random_state=0).fit(Xa, ya), Xb, yb)
        for a in alphas
    ]
    best = int(np.argmax(test))
    fig, ax = ctx.figure()
    ax.semilogx(np.maximum(alphas, 1e-6), test, "o-")
    ax.set(xlabel="ccp_alpha", ylabel="test accuracy", title="minimal cost-complexity pruning")
    return Outcome(
        metrics={"alphas": alphas.tolist(), "test": test, "best_alpha": float(alphas[best])},
        checks={
            "test accuracy peaks at an intermediate alpha": 0 < best < len(alphas) - 1,
            "pruned beats unpruned by > 2 points": test[best] > test[0] + 0.02,
        },
        figure=fig,
        summary=f"Unpruned test accuracy {test[0]:.3f}; best {test[best]:.3f} at "
        f"alpha = {alphas[best]:.4f}.",
    )


def _regression_data(rng, n, d=5):
    X = rng.uniform(-2, 2, size=(n, d))
    f = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.5 * X[:, 2]
    return X, f, f + rng.normal(0, 0.7, size=n)


@experiment("bagging_reduces_variance", claims=["CL-061"], title="Bagging cuts variance",
            topic=TOPIC)  # fmt: skip
def bagging_reduces_variance(ctx):
    rng = ctx.rng()
    n, reps, B = (150, 6, 15) if ctx.quick else (500, 30, 100)
    Xt, ft, _ = _regression_data(ctx.rng(99), 300)
    models = {
        "tree": lambda s: DecisionTreeRegressor(random_state=s),
        "bagging": lambda s: BaggingRegressor(n_estimators=B, random_state=s),
        "forest": lambda s: RandomForestRegressor(
            n_estimators=B, max_features=0.4, random_state=s
        ),  # fmt: skip
    }
    preds = {k: [] for k in models}
    for r in range(reps):
        X, _, y = _regression_data(rng, n)
        for name, make in models.items():
            preds[name].append(make(r).fit(X, y).predict(Xt))
    stats = {}
    for name, P in preds.items():
        P = np.asarray(P)  # (reps, n_test)
        variance = float(P.var(axis=0).mean())
        bias2 = float(((P.mean(axis=0) - ft) ** 2).mean())
        stats[name] = {"variance": variance, "bias2": bias2, "error": variance + bias2}
    fig, ax = ctx.figure()
    names = list(stats)
    ax.bar(np.arange(3) - 0.2, [stats[k]["variance"] for k in names], 0.4, label="variance")
    ax.bar(np.arange(3) + 0.2, [stats[k]["bias2"] for k in names], 0.4, label="bias²")
    ax.set_xticks(range(3), names)
    ax.set(ylabel="squared error", title="bias-variance decomposition over training sets")
    ax.legend()
    return Outcome(
        metrics=stats,
        checks={
            "bagging variance < 0.6 × tree variance": stats["bagging"]["variance"]
            < 0.6 * stats["tree"]["variance"],
            "bagging test error < tree test error": stats["bagging"]["error"]
            < stats["tree"]["error"],
            "forest test error < tree test error": stats["forest"]["error"]
            < stats["tree"]["error"],
        },  # fmt: skip
        figure=fig,
        summary=f"Variance: tree {stats['tree']['variance']:.3f}, bagging "
        f"{stats['bagging']['variance']:.3f}, forest {stats['forest']['variance']:.3f}.",
    )


def _tree_error_correlation(forest, X, y):
    residuals = np.array([t.predict(X.astype(np.float32)) - y for t in forest.estimators_])
    C = np.corrcoef(residuals)
    return float(C[np.triu_indices_from(C, k=1)].mean())


@experiment("random_features_decorrelate", claims=["CL-062"], title="Feature bagging",
            topic=TOPIC)  # fmt: skip
def random_features_decorrelate(ctx):
    rng = ctx.rng()
    n, B = (400, 20) if ctx.quick else (2000, 100)
    latent = rng.normal(size=(2 * n, 3))
    X = np.repeat(latent, 7, axis=1) + rng.normal(0, 0.8, size=(2 * n, 21))  # noisy copies
    y = np.sin(2 * latent[:, 0]) + latent[:, 1] * latent[:, 2] + rng.normal(0, 0.3, size=2 * n)
    Xa, ya, Xb, yb = X[:n], y[:n], X[n:], y[n:]
    out = {}
    for label, mf in [("all", 1.0), ("sqrt", "sqrt")]:
        rf = RandomForestRegressor(n_estimators=B, max_features=mf, random_state=0).fit(Xa, ya)
        out[label] = {"corr": _tree_error_correlation(rf, Xb, yb),
                      "mse": float(np.mean((rf.predict(Xb) - yb) ** 2))}  # fmt: skip
    fig, axes = ctx.figure(1, 2)
    axes[0].bar(list(out), [v["corr"] for v in out.values()])
    axes[0].set(title="mean pairwise correlation of tree errors")
    axes[1].bar(list(out), [v["mse"] for v in out.values()])
    axes[1].set(title="ensemble test MSE")
    return Outcome(
        metrics=out,
        checks={
            "lower tree-error correlation with sqrt(p)": out["sqrt"]["corr"] < out["all"]["corr"],
            "lower ensemble error with sqrt(p)": out["sqrt"]["mse"] < out["all"]["mse"],
        },  # fmt: skip
        figure=fig,
        summary=f"Tree-error correlation {out['all']['corr']:.2f} (all features) vs "
        f"{out['sqrt']['corr']:.2f} (√p); test MSE {out['all']['mse']:.2f} vs "
        f"{out['sqrt']['mse']:.2f}.",
    )


@experiment("oob_matches_holdout", claims=["CL-063"], title="OOB estimates test error",
            topic=TOPIC)  # fmt: skip
def oob_matches_holdout(ctx):
    n, n_test, B = (400, 3000, 80) if ctx.quick else (2000, 10000, 200)
    rows = []
    for k, noise in enumerate([0.05, 0.15, 0.3]):
        X, y = _noisy_classes(ctx.rng(k), n + n_test, d=4, noise=noise)
        rf = RandomForestClassifier(n_estimators=B, oob_score=True, random_state=k)
        rf.fit(X[:n], y[:n])
        rows.append((rf.oob_score_, _acc(rf, X[n:], y[n:])))
    diffs = [abs(a - b) for a, b in rows]
    fig, ax = ctx.figure()
    ax.plot(*zip(*rows, strict=True), "o")
    ax.plot([0.6, 1], [0.6, 1], "k--")
    ax.set(xlabel="OOB accuracy", ylabel="holdout accuracy", title="three data sets")
    return Outcome(
        metrics={"oob_holdout": rows, "abs_diff": diffs},
        checks={
            "|OOB − holdout| ≤ 2 points on average": float(np.mean(diffs)) <= 0.02,
            "|OOB − holdout| ≤ 3.5 points on every data set": max(diffs) <= 0.035,
        },  # fmt: skip
        figure=fig,
        summary=f"|OOB − holdout| = {', '.join(f'{d:.3f}' for d in diffs)} on three data sets.",
    )


@experiment("importances_find_signal", claims=["CL-064"], title="Importances find signal",
            topic=TOPIC)  # fmt: skip
def importances_find_signal(ctx):
    rng = ctx.rng()
    n, B = (400, 25) if ctx.quick else (3000, 150)
    X = rng.normal(size=(n, 25))
    logit = X[:, :5] @ np.array([2.0, -1.5, 1.2, 1.0, -0.8])
    y = (logit + rng.normal(0, 0.5, size=n) > 0).astype(int)
    rf = RandomForestClassifier(n_estimators=B, random_state=0).fit(X, y)
    mdi = rf.feature_importances_
    Xv = rng.normal(size=(n, 25))
    yv = (Xv[:, :5] @ np.array([2.0, -1.5, 1.2, 1.0, -0.8]) > 0).astype(int)
    perm = permutation_importance(rf, Xv, yv, n_repeats=3, random_state=0)["importances_mean"]
    top_mdi, top_perm = set(np.argsort(mdi)[-5:]), set(np.argsort(perm)[-5:])
    fig, ax = ctx.figure()
    ax.bar(np.arange(25) - 0.2, mdi, 0.4, label="impurity (MDI)")
    ax.bar(np.arange(25) + 0.2, perm / max(perm.max(), 1e-12) * mdi.max(), 0.4,
           label="permutation (scaled)")  # fmt: skip
    ax.axvline(4.5, c="k", ls="--")
    ax.set(xlabel="feature (0-4 informative)", ylabel="importance")
    ax.legend()
    return Outcome(
        metrics={"mdi": mdi.tolist(), "permutation": perm.tolist()},
        checks={
            "top 5 by impurity importance are the informative ones": top_mdi == set(range(5)),
            "top 5 by permutation importance are the informative ones": top_perm == set(range(5)),
        },  # fmt: skip
        figure=fig,
        summary=f"Informative features hold {100 * mdi[:5].sum():.0f}% of the impurity "
        "importance; both rankings put them on top.",
    )


@experiment("forest_robust_to_label_noise", claims=["CL-065"], title="RF vs label noise",
            topic=TOPIC)  # fmt: skip
def forest_robust_to_label_noise(ctx):
    n, B = (400, 25) if ctx.quick else (3000, 100)
    noises = [0.0, 0.1, 0.2, 0.3]
    Xt, yt = _noisy_classes(ctx.rng(50), 3000, d=4, noise=0.0)
    tree_acc, rf_acc = [], []
    for k, noise in enumerate(noises):
        X, y = _noisy_classes(ctx.rng(k), n, d=4, noise=noise)
        tree_acc.append(_acc(DecisionTreeClassifier(random_state=0).fit(X, y), Xt, yt))
        rf_acc.append(
            _acc(RandomForestClassifier(n_estimators=B, random_state=0).fit(X, y), Xt, yt)
        )
    drop_tree, drop_rf = tree_acc[0] - tree_acc[-1], rf_acc[0] - rf_acc[-1]
    fig, ax = ctx.figure()
    ax.plot(noises, tree_acc, "o-", label="deep tree")
    ax.plot(noises, rf_acc, "s-", label="random forest")
    ax.set(xlabel="label noise", ylabel="clean test accuracy")
    ax.legend()
    return Outcome(
        metrics={"noise": noises, "tree": tree_acc, "forest": rf_acc},
        checks={
            "forest degrades less than a deep tree from 0 to 30% noise": drop_rf < drop_tree,
            "forest more accurate at 30% noise": rf_acc[-1] > tree_acc[-1],
        },  # fmt: skip
        figure=fig,
        summary=f"From 0 to 30% label noise the tree loses {100 * drop_tree:.1f} points, the "
        f"forest {100 * drop_rf:.1f}.",
    )
