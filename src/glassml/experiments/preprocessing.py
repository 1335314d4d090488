"""Preprocessing, encoding and imputation claims (CL-035, CL-036, CL-039..CL-045), measured with
glassml.preprocessing and glassml.impute on synthetic data.

CL-038 (trees need no scaling) is left to the trees topic; CL-039 (standardise before PCA) is
measured here with a NumPy SVD instead.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import rankdata

from glassml._core import ConvergenceWarning
from glassml.experiments import Outcome, experiment
from glassml.impute import IterativeImputer, KNNImputer, SimpleImputer, simulate_missing
from glassml.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
    TargetEncoder,
)

TOPIC = "preprocessing and encodings"


def _auc(score, y) -> float:
    """ROC AUC by the Mann-Whitney rank formula (ties get average ranks)."""
    ranks = rankdata(score)
    pos = y == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _r2(y, pred) -> float:
    return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean()) ** 2))


def _lstsq_fit_predict(X_train, y_train, X_test):
    A = np.column_stack([np.ones(len(X_train)), X_train])  # (n, 1 + p) with intercept
    coef, *_ = np.linalg.lstsq(A, y_train, rcond=None)
    return np.column_stack([np.ones(len(X_test)), X_test]) @ coef


# --------------------------------------------------------------------------- CL-035
def _gd(X, y, lr, n_iter, w_star, tol=1e-6):
    """Full-batch GD on L(w) = |Xw - y|^2 / (2n); returns (steps to tol or None, rel. errors)."""
    n = X.shape[0]
    w = np.zeros(X.shape[1])
    errors = []
    scale = np.linalg.norm(w_star)
    for t in range(1, n_iter + 1):
        w -= lr * (X.T @ (X @ w - y)) / n  # gradient X^T (Xw - y) / n
        err = np.linalg.norm(w - w_star) / scale
        errors.append(err)
        if not np.isfinite(err) or err > 1e6:
            return None, np.array(errors)
        if err < tol:
            return t, np.array(errors)
    return None, np.array(errors)


@experiment(
    "preprocessing_scaling_speeds_gd",
    claims=["CL-035"],
    title="Standardising inputs makes gradient descent converge in far fewer steps",
    topic=TOPIC,
)
def scaling_speeds_gd(ctx):
    rng = ctx.rng()
    n = 500
    X_raw = rng.normal(size=(n, 2)) * [1.0, 1000.0]  # features on scales 1 and 1000
    y = X_raw @ np.array([2.0, 0.003]) + 0.1 * rng.normal(size=n)
    y = y - y.mean()
    X_raw = X_raw - X_raw.mean(axis=0)
    X_std = StandardScaler().fit_transform(X_raw)
    cap = 5_000 if ctx.quick else 50_000
    out = {}
    for name, X in (("raw", X_raw), ("standardised", X_std)):
        H = X.T @ X / n  # Hessian of the loss, (2, 2)
        eig = np.linalg.eigvalsh(H)
        lr_max = 2.0 / eig[-1]  # GD on a quadratic is stable iff lr < 2 / lambda_max
        w_star = np.linalg.solve(H, X.T @ y / n)
        steps, errors = _gd(X, y, 0.9 * lr_max, cap, w_star)
        diverges, _ = _gd(X, y, 1.1 * lr_max, 200, w_star)
        _, err_above = _gd(X, y, 1.1 * lr_max, 200, w_star)
        out[name] = {
            "condition_number": float(eig[-1] / eig[0]),
            "largest_stable_lr": float(lr_max),
            "steps_to_tol": steps,
            "errors": errors,
            "diverges_above": bool(err_above[-1] > 1.0),
        }
    raw, std = out["raw"], out["standardised"]
    raw_steps = raw["steps_to_tol"] if raw["steps_to_tol"] is not None else cap
    checks = {
        "Hessian condition number raw / standardised > 1e4": raw["condition_number"]
        / std["condition_number"]
        > 1e4,
        "largest stable LR differs by > 1e4x": std["largest_stable_lr"] / raw["largest_stable_lr"]
        > 1e4,
        "standardised GD reaches 1e-6 in < 100 steps": std["steps_to_tol"] is not None
        and std["steps_to_tol"] < 100,
        "raw GD needs > 50x the steps (or never gets there within the cap)": raw_steps
        > 50 * std["steps_to_tol"],
        "LR just above 2/lambda_max diverges on both": raw["diverges_above"]
        and std["diverges_above"],
    }
    fig, ax = ctx.figure()
    for name, style in (("raw", "-"), ("standardised", "--")):
        ax.semilogy(
            out[name]["errors"], style, label=f"{name} (kappa={out[name]['condition_number']:.3g})"
        )
    ax.set_xscale("log")
    ax.set_xlabel("GD step (lr = 0.9 * 2/lambda_max)")
    ax.set_ylabel("|w - w*| / |w*|")
    ax.legend()
    metrics = {
        f"{k}_{m}": v[m]
        for k, v in out.items()
        for m in ("condition_number", "largest_stable_lr", "steps_to_tol")
    }
    metrics["step_cap"] = cap
    return Outcome(
        metrics=metrics,
        checks=checks,
        figure=fig,
        summary=(
            f"Condition number {raw['condition_number']:.3g} raw vs "
            f"{std['condition_number']:.3g} standardised; largest stable LR "
            f"{raw['largest_stable_lr']:.2g} vs {std['largest_stable_lr']:.2g}; steps to 1e-6: "
            f"{raw['steps_to_tol'] or f'>{cap}'} vs {std['steps_to_tol']}."
        ),
    )


# --------------------------------------------------------------------------- CL-036
@experiment(
    "preprocessing_minmax_outlier",
    claims=["CL-036"],
    title="One outlier squeezes min-max-scaled inliers into a tiny interval",
    topic=TOPIC,
)
def minmax_outlier(ctx):
    rng = ctx.rng()
    inliers = rng.normal(size=(1000, 1))
    X = np.vstack([inliers, [[1000.0]]])  # one extreme outlier

    def inlier_range(scaler, data):
        Z = scaler.fit_transform(data)[: len(inliers)]
        return float(Z.max() - Z.min())

    ranges = {}
    for name, cls in (
        ("minmax", MinMaxScaler),
        ("zscore", StandardScaler),
        ("robust", RobustScaler),
    ):
        ranges[name] = inlier_range(cls(), X)
        ranges[name + "_clean"] = inlier_range(cls(), inliers)
    checks = {
        "min-max inlier range < 0.01 (from 1.0 without the outlier)": ranges["minmax"] < 0.01,
        "z-score keeps > 10x the inlier spread of min-max": ranges["zscore"]
        > 10 * ranges["minmax"],
        "robust scaling is unaffected (> 90% of its clean spread)": ranges["robust"]
        > 0.9 * ranges["robust_clean"],
    }
    fig, ax = ctx.figure()
    names = ["minmax", "zscore", "robust"]
    ax.bar(np.arange(3) - 0.2, [ranges[n + "_clean"] for n in names], 0.4, label="no outlier")
    ax.bar(np.arange(3) + 0.2, [ranges[n] for n in names], 0.4, label="one outlier at 1000")
    ax.set_xticks(range(3), names)
    ax.set_yscale("log")
    ax.set_ylabel("range of the scaled inliers")
    ax.legend()
    return Outcome(
        metrics=ranges,
        checks=checks,
        figure=fig,
        summary=(
            f"With one outlier the inliers span {ranges['minmax']:.4f} after min-max scaling "
            f"(1.0 without it), {ranges['zscore']:.3f} after z-scoring (also compressed, "
            f"{ranges['zscore_clean']:.2f} without) and {ranges['robust']:.2f} after robust "
            "scaling."
        ),
    )


# --------------------------------------------------------------------------- CL-039
def _pc1(X):
    Xc = X - X.mean(axis=0)
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    v = Vt[0] * np.sign(Vt[0][np.argmax(np.abs(Vt[0]))])
    return v, s**2 / np.sum(s**2)


@experiment(
    "preprocessing_standardise_before_pca",
    claims=["CL-039"],
    title="Without standardising, PCA's first component is just the feature in the biggest units",
    topic=TOPIC,
)
def standardise_before_pca(ctx):
    rng = ctx.rng()
    n = 2000 if ctx.quick else 20000
    a = rng.normal(size=n)
    b = 0.8 * a + 0.6 * rng.normal(size=n)  # correlated with a (rho = 0.8), metres
    c = rng.normal(size=n) * 1000.0  # independent, millimetres
    X = np.column_stack([a, b, c])
    v_raw, var_raw = _pc1(X)
    v_std, var_std = _pc1(StandardScaler().fit_transform(X))
    checks = {
        "unscaled PC1 loading on the big-unit feature > 0.99": abs(v_raw[2]) > 0.99,
        "standardised PC1 loading on it < 0.2": abs(v_std[2]) < 0.2,
        "standardised PC1 balances the correlated pair (|l_a - l_b| < 0.1)": abs(
            abs(v_std[0]) - abs(v_std[1])
        )
        < 0.1,
    }
    fig, ax = ctx.figure()
    idx = np.arange(3)
    ax.bar(idx - 0.2, np.abs(v_raw), 0.4, label="raw units")
    ax.bar(idx + 0.2, np.abs(v_std), 0.4, label="standardised")
    ax.set_xticks(idx, ["a (m)", "b (m, rho=0.8 with a)", "c (mm)"])
    ax.set_ylabel("|PC1 loading|")
    ax.legend()
    return Outcome(
        metrics={
            "pc1_raw": v_raw.tolist(),
            "pc1_standardised": v_std.tolist(),
            "explained_raw": float(var_raw[0]),
            "explained_standardised": float(var_std[0]),
        },
        checks=checks,
        figure=fig,
        summary=(
            f"PC1 loadings raw {np.round(np.abs(v_raw), 3).tolist()} (all on the mm feature) vs "
            f"standardised {np.round(np.abs(v_std), 3).tolist()} (the correlated pair)."
        ),
    )


# --------------------------------------------------------------------------- CL-040
@experiment(
    "preprocessing_target_encoding_leakage",
    claims=["CL-040"],
    title="Naive target encoding leaks the target; out-of-fold encoding does not",
    topic=TOPIC,
)
def target_encoding_leakage(ctx):
    rng = ctx.rng()
    n, n_levels = (2000, 500) if ctx.quick else (20000, 5000)
    cat = rng.integers(0, n_levels, size=2 * n).reshape(-1, 1)  # ~4 rows per level in train
    y = (rng.random(2 * n) < 0.5).astype(int)  # no relation to the category at all
    X_tr, y_tr, X_te, y_te = cat[:n], y[:n], cat[n:], y[n:]
    naive = TargetEncoder(smooth=0.0, target_type="binary").fit(X_tr, y_tr)
    kfold = TargetEncoder(smooth=0.0, target_type="binary", cv=5, random_state=0)
    kfold_train = kfold.fit_transform(X_tr, y_tr)  # cross-fitted (out-of-fold) encodings
    auc = {
        "naive_train": _auc(naive.transform(X_tr).ravel(), y_tr),
        "naive_test": _auc(naive.transform(X_te).ravel(), y_te),
        "kfold_train": _auc(kfold_train.ravel(), y_tr),
        "kfold_test": _auc(kfold.transform(X_te).ravel(), y_te),
    }
    checks = {
        "naive TE train AUC > 0.7 on a signal-free category": auc["naive_train"] > 0.7,
        "naive TE test AUC within 0.06 of 0.5": abs(auc["naive_test"] - 0.5) < 0.06,
        "K-fold TE train AUC within 0.06 of 0.5": abs(auc["kfold_train"] - 0.5) < 0.06,
        "K-fold TE test AUC within 0.06 of 0.5": abs(auc["kfold_test"] - 0.5) < 0.06,
    }
    fig, ax = ctx.figure()
    ax.bar(np.arange(4), list(auc.values()), color=["C3", "C3", "C0", "C0"])
    ax.axhline(0.5, color="k", lw=0.8, ls="--")
    ax.set_xticks(range(4), ["naive\ntrain", "naive\ntest", "K-fold\ntrain", "K-fold\ntest"])
    ax.set_ylabel("AUC of the encoding as a score")
    return Outcome(
        metrics=auc,
        checks=checks,
        figure=fig,
        summary=(
            f"On a {n_levels}-level category with no signal, naive target encoding scores train "
            f"AUC {auc['naive_train']:.2f} but test {auc['naive_test']:.2f}; out-of-fold "
            f"encoding gives {auc['kfold_train']:.2f} / {auc['kfold_test']:.2f}."
        ),
    )


# --------------------------------------------------------------------------- CL-041
@experiment(
    "preprocessing_label_vs_onehot",
    claims=["CL-041"],
    title="Label-encoding a nominal variable imposes a false order on a linear model",
    topic=TOPIC,
)
def label_vs_onehot(ctx):
    rng = ctx.rng()
    n = 1000 if ctx.quick else 10000
    levels = np.array(["ant", "bee", "cat", "dog", "eel", "fox"])
    effect = dict(zip(levels, [0.0, 3.0, -2.0, 4.0, -1.0, 2.0], strict=True))  # non-monotone
    cat = rng.choice(levels, size=(2 * n, 1))
    y = np.vectorize(effect.get)(cat[:, 0]) + 0.5 * rng.normal(size=2 * n)
    tr, te = slice(0, n), slice(n, 2 * n)
    ordinal = OrdinalEncoder().fit(cat[tr])
    onehot = OneHotEncoder(drop="first").fit(cat[tr])
    r2 = {}
    for name, enc in (("label", ordinal), ("onehot", onehot)):
        pred = _lstsq_fit_predict(enc.transform(cat[tr]), y[tr], enc.transform(cat[te]))
        r2[name] = _r2(y[te], pred)
    checks = {
        "one-hot test R2 > 0.9": r2["onehot"] > 0.9,
        "label-encoded test R2 < 0.3": r2["label"] < 0.3,
    }
    fig, ax = ctx.figure()
    codes = ordinal.transform(cat[te]).ravel()
    ax.scatter(codes + rng.uniform(-0.15, 0.15, size=codes.size), y[te], s=4, alpha=0.3)
    slope_pred = _lstsq_fit_predict(ordinal.transform(cat[tr]), y[tr], np.arange(6)[:, None])
    ax.plot(np.arange(6), slope_pred, "r-", label=f"label-encoded fit, R2={r2['label']:.2f}")
    ax.plot(
        np.arange(6), [effect[v] for v in levels], "ko", label=f"one-hot fit, R2={r2['onehot']:.2f}"
    )
    ax.set_xticks(range(6), levels)
    ax.set_ylabel("y")
    ax.legend(fontsize=8)
    return Outcome(
        metrics=r2,
        checks=checks,
        figure=fig,
        summary=(
            f"A linear model reaches test R2 {r2['onehot']:.2f} with one-hot columns but only "
            f"{r2['label']:.2f} with the label codes 0..5, whose order means nothing."
        ),
    )


# --------------------------------------------------------------------------- CL-042
def _nearest_centroid_accuracy(X_tr, y_tr, X_te, y_te):
    c0, c1 = X_tr[y_tr == 0].mean(axis=0), X_tr[y_tr == 1].mean(axis=0)
    d0 = ((X_te - c0) ** 2).sum(axis=1)
    d1 = ((X_te - c1) ** 2).sum(axis=1)
    return float(np.mean((d1 < d0).astype(int) == y_te))


def _top_k_by_correlation(X, y, k):
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    corr = np.abs(Xc.T @ yc) / (np.linalg.norm(Xc, axis=0) * np.linalg.norm(yc))  # (p,)
    return np.argsort(corr)[-k:]


@experiment(
    "preprocessing_cv_leakage",
    claims=["CL-042"],
    title="Feature selection fitted on all the data before CV reports skill on pure noise",
    topic=TOPIC,
)
def cv_leakage(ctx):
    rng = ctx.rng()
    n, p, k, n_folds = 100, 2000 if ctx.quick else 10000, 20, 5
    repeats = 3 if ctx.quick else 20
    leaky_acc, proper_acc = [], []
    for _ in range(repeats):
        X = rng.normal(size=(n, p))  # pure noise
        y = rng.permutation(np.repeat([0, 1], n // 2))
        folds = np.array_split(rng.permutation(n), n_folds)
        chosen_all = _top_k_by_correlation(X, y, k)  # the leak: uses every label
        for test in folds:
            train = np.setdiff1d(np.arange(n), test)
            leaky_acc.append(
                _nearest_centroid_accuracy(
                    X[train][:, chosen_all], y[train], X[test][:, chosen_all], y[test]
                )
            )
            chosen = _top_k_by_correlation(X[train], y[train], k)  # selection inside the fold
            proper_acc.append(
                _nearest_centroid_accuracy(
                    X[train][:, chosen], y[train], X[test][:, chosen], y[test]
                )
            )
    leaky, proper = float(np.mean(leaky_acc)), float(np.mean(proper_acc))
    checks = {
        "leaky CV accuracy > 0.75 on pure noise": leaky > 0.75,
        "in-fold selection CV accuracy within 0.1 of 0.5": abs(proper - 0.5) < 0.1,
    }
    fig, ax = ctx.figure()
    ax.hist(
        leaky_acc,
        bins=np.linspace(0, 1, 21),
        alpha=0.6,
        label=f"selected on all data ({leaky:.2f})",
    )
    ax.hist(
        proper_acc,
        bins=np.linspace(0, 1, 21),
        alpha=0.6,
        label=f"selected in each fold ({proper:.2f})",
    )
    ax.axvline(0.5, color="k", ls="--", lw=0.8)
    ax.set_xlabel("fold accuracy")
    ax.legend(fontsize=8)
    return Outcome(
        metrics={"leaky_cv_accuracy": leaky, "in_fold_cv_accuracy": proper, "n_features": p},
        checks=checks,
        figure=fig,
        summary=(
            f"Choosing {k} of {p} noise features on all {n} rows before 5-fold CV reports "
            f"accuracy {leaky:.2f}; choosing them inside each training fold gives {proper:.2f}."
        ),
    )


# --------------------------------------------------------------------------- CL-043
@experiment(
    "preprocessing_mean_imputation_bias",
    claims=["CL-043"],
    title="Mean imputation is unbiased under MCAR but biased under MAR and MNAR",
    topic=TOPIC,
)
def mean_imputation_bias(ctx):
    rng = ctx.rng()
    n = 20000 if ctx.quick else 200000
    x0 = rng.normal(size=n)
    x1 = 0.7 * x0 + np.sqrt(1 - 0.49) * rng.normal(size=n) + 5.0  # true mean 5
    X = np.column_stack([x0, x1])
    bias, se = {}, {}
    for k, mech in enumerate(("MCAR", "MAR", "MNAR")):
        Xm = simulate_missing(X, 0.3, mechanism=mech, columns=[1], driver=0, random_state=k)
        filled = SimpleImputer(strategy="mean").fit_transform(Xm)
        bias[mech] = float(filled[:, 1].mean() - x1.mean())
        se[mech] = float(x1.std() / np.sqrt((~np.isnan(Xm[:, 1])).sum()))
    checks = {
        "MCAR bias within 4 standard errors of 0": abs(bias["MCAR"]) < 4 * se["MCAR"],
        "MAR bias < -0.2 (large x1 go missing with large x0)": bias["MAR"] < -0.2,
        "MNAR bias < -0.2 (large x1 go missing)": bias["MNAR"] < -0.2,
    }
    fig, ax = ctx.figure()
    ax.bar(range(3), list(bias.values()), yerr=[2 * s for s in se.values()], capsize=4)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_xticks(range(3), list(bias))
    ax.set_ylabel("mean after mean imputation - true mean")
    return Outcome(
        metrics={"bias": bias, "standard_error": se},
        checks=checks,
        figure=fig,
        summary=(
            f"With 30% gaps the mean-imputed mean is off by {bias['MCAR']:+.3f} (MCAR), "
            f"{bias['MAR']:+.3f} (MAR) and {bias['MNAR']:+.3f} (MNAR)."
        ),
    )


# --------------------------------------------------------------------------- CL-044
@experiment(
    "preprocessing_knn_iterative_beat_mean",
    claims=["CL-044"],
    title="On correlated features KNN and iterative imputation beat the column mean",
    topic=TOPIC,
)
def knn_iterative_beat_mean(ctx):
    rng = ctx.rng()
    n, p = (600, 5) if ctx.quick else (3000, 5)
    cov = np.full((p, p), 0.8) + 0.2 * np.eye(p)  # equicorrelated, rho = 0.8
    truth = rng.multivariate_normal(np.zeros(p), cov, size=n)
    X = simulate_missing(truth, 0.2, mechanism="MCAR", random_state=1)
    gaps = np.isnan(X)
    imputers = {
        "mean": SimpleImputer(strategy="mean"),
        "knn": KNNImputer(n_neighbors=10),
        "iterative": IterativeImputer(max_iter=10, tol=1e-4, random_state=0),
    }
    rmse = {}
    for name, imp in imputers.items():
        with warnings.catch_warnings():  # 10 rounds are plenty for the RMSE; silence the note
            warnings.simplefilter("ignore", ConvergenceWarning)
            filled = imp.fit_transform(X)
        rmse[name] = float(np.sqrt(np.mean((filled - truth)[gaps] ** 2)))
    checks = {
        "RMSE mean > KNN": rmse["mean"] > rmse["knn"],
        "RMSE KNN > iterative": rmse["knn"] > rmse["iterative"],
        "iterative at least 30% below mean": rmse["iterative"] < 0.7 * rmse["mean"],
    }
    fig, ax = ctx.figure()
    ax.bar(range(3), list(rmse.values()), color=["C7", "C1", "C2"])
    ax.set_xticks(range(3), list(rmse))
    ax.set_ylabel("RMSE on the imputed entries")
    return Outcome(
        metrics=rmse,
        checks=checks,
        figure=fig,
        summary=(
            f"20% MCAR gaps in rho=0.8 Gaussian data: RMSE mean {rmse['mean']:.3f} > KNN "
            f"{rmse['knn']:.3f} > iterative {rmse['iterative']:.3f}."
        ),
    )


# --------------------------------------------------------------------------- CL-045
@experiment(
    "preprocessing_seed_imputation_snippet",
    claims=["CL-045"],
    title="The seed's imputation snippet: mean and KNN (k=3) both fill 4.0",
    topic=TOPIC,
)
def seed_imputation_snippet(ctx):
    X = np.array([[1.0, 2.0], [np.nan, 3.0], [7.0, 6.0]])
    mean_fill = float(SimpleImputer(strategy="mean").fit_transform(X)[1, 0])
    knn_fill = float(KNNImputer(n_neighbors=3).fit_transform(X)[1, 0])
    checks = {"mean imputation fills 4.0": mean_fill == 4.0, "KNN (k=3) fills 4.0": knn_fill == 4.0}
    fig, ax = ctx.figure()
    ax.scatter(X[[0, 2], 1], X[[0, 2], 0], label="observed rows")
    ax.scatter([3.0], [knn_fill], marker="x", s=80, color="C3", label="imputed (mean = KNN)")
    ax.set_xlabel("x2")
    ax.set_ylabel("x1")
    ax.legend()
    return Outcome(
        metrics={"mean_fill": mean_fill, "knn_fill": knn_fill},
        checks=checks,
        figure=fig,
        summary=(
            f"X = [[1,2],[nan,3],[7,6]]: mean imputation fills {mean_fill}, KNN with k=3 fills "
            f"{knn_fill} (only two donors exist, so both average 1 and 7)."
        ),
    )
