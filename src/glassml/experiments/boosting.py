"""Claims about boosting (inventory: CL-066..CL-072): AdaBoost, gradient boosting and the
XGBoost-style second-order histogram booster."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from glassml.ensemble._gradient_boosting import (
    GradientBoostingClassifier,
    GradientBoostingRegressor,
)
from glassml.ensemble._hist_boosting import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from glassml.ensemble._weight_boosting import AdaBoostClassifier
from glassml.experiments import Outcome, experiment

TOPIC = "boosting"


def _linear_data(rng, n):
    X = rng.standard_normal((n, 2))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def _circle_data(rng, n, noise=0.0):
    X = rng.uniform(-2, 2, size=(n, 2))
    y = (X[:, 0] ** 2 + X[:, 1] ** 2 < 2.0).astype(int)
    flip = rng.random(n) < noise
    return X, np.where(flip, 1 - y, y)


def _adaboost_weight_trace(model, X, y):
    """Sample weights before every round, rebuilt from the fitted ensemble:
    w_m ∝ exp(Σ_{j<m} α_j [h_j(x) ≠ y]), shape (M, n)."""
    wrong = np.array([h.predict(X) != y for h in model.estimators_])  # (M, n)
    log_w = np.vstack([np.zeros(len(y)), np.cumsum(model.estimator_weights_[:, None] * wrong,
                                                    axis=0)[:-1]])  # fmt: skip
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True), wrong


@experiment("adaboost_weights_concentrate", claims=["CL-066"], topic=TOPIC,
            title="AdaBoost raises the weights of misclassified samples")  # fmt: skip
def adaboost_weights_concentrate(ctx):
    rng = ctx.rng()
    X, y = _linear_data(rng, 300 if ctx.quick else 1000)
    model = AdaBoostClassifier(n_estimators=20 if ctx.quick else 100, random_state=0).fit(X, y)
    w, wrong = _adaboost_weight_trace(model, X, y)
    ratio = w[1:] / w[:-1]  # (M-1, n) change of every weight in one round
    up_when_wrong = float(np.mean([(ratio[m][wrong[m]] > ratio[m][~wrong[m]].max()).all()
                                   for m in range(len(ratio)) if wrong[m].any()]))  # fmt: skip
    distance = np.abs(X[:, 0] + X[:, 1]) / np.sqrt(2)  # to the true boundary
    final = w[-1]
    heavy = final >= np.quantile(final, 0.9)
    near, overall = float(distance[heavy].mean()), float(distance.mean())
    fig, ax = ctx.figure()
    sc = ax.scatter(X[:, 0], X[:, 1], s=2000 * final, c=y, cmap="coolwarm", alpha=0.6)
    ax.plot([-3, 3], [3, -3], "k--", lw=1)
    ax.set_title("final AdaBoost weights (marker area ∝ weight)")
    del sc
    return Outcome(
        metrics={
            "fraction_rounds_mistakes_up": up_when_wrong,
            "mean_distance_heaviest_10pct": near,
            "mean_distance_all": overall,
        },  # fmt: skip
        checks={
            "in every round misclassified samples gain weight, correct ones lose it": up_when_wrong
            == 1.0,
            "the heaviest 10% lie closer to the boundary than average": near < 0.5 * overall,
        },  # fmt: skip
        figure=fig,
        summary=f"misclassified points gained weight in {up_when_wrong:.0%} of rounds; the "
        f"heaviest 10% lie {near:.2f} from the boundary vs {overall:.2f} on average",
    )


@experiment("adaboost_stumps_strong_learner", claims=["CL-067"], topic=TOPIC,
            title="AdaBoost turns stumps into a strong learner")  # fmt: skip
def adaboost_stumps_strong_learner(ctx):
    rng = ctx.rng()
    n = 400 if ctx.quick else 1000
    X, y = _circle_data(rng, n)
    rounds = 150 if ctx.quick else 400
    model = AdaBoostClassifier(n_estimators=rounds, random_state=0).fit(X, y)
    train_acc = np.array(list(model.staged_score(X, y)))
    X_test, y_test = _circle_data(rng, 2000)
    test_acc = np.array(list(model.staged_score(X_test, y_test)))
    fig, ax = ctx.figure()
    ax.plot(1 - train_acc, label="train error")
    ax.plot(1 - test_acc, label="test error")
    ax.set(xlabel="boosting round", ylabel="error", title="stumps on a circle")
    ax.legend()
    return Outcome(
        metrics={
            "one_stump_accuracy": float(train_acc[0]),
            "final_train_error": float(1 - train_acc[-1]),
            "final_test_accuracy": float(test_acc[-1]),
        },  # fmt: skip
        checks={
            "a single stump is weak (accuracy < 0.75)": train_acc[0] < 0.75,
            f"after {rounds} rounds the training error is below 0.05": 1 - train_acc[-1] < 0.05,
            "the boosted test accuracy beats one stump by > 0.2": test_acc[-1] > test_acc[0] + 0.2,
        },  # fmt: skip
        figure=fig,
        summary=f"one stump: {train_acc[0]:.2f} accuracy; {rounds} rounds: training error "
        f"{1 - train_acc[-1]:.3f}, test accuracy {test_acc[-1]:.3f}",
    )


@experiment("adaboost_label_noise", claims=["CL-068"], topic=TOPIC,
            title="AdaBoost is more sensitive to label noise than log-loss boosting")  # fmt: skip
def adaboost_label_noise(ctx):
    noise_levels = [0.0, 0.1, 0.2, 0.3]
    n, rounds = (300, 100) if ctx.quick else (1000, 400)
    repeats = 1 if ctx.quick else 5
    acc = {"AdaBoost": np.zeros((repeats, 4)), "GB log-loss": np.zeros((repeats, 4))}
    for r in range(repeats):
        rng = ctx.rng(r)
        X_test, y_test = _circle_data(rng, 2000)
        for j, noise in enumerate(noise_levels):
            X, y = _circle_data(rng, n, noise)
            ada = AdaBoostClassifier(n_estimators=rounds, random_state=r).fit(X, y)
            gb = GradientBoostingClassifier(n_estimators=rounds, max_depth=1, learning_rate=0.1,
                                            random_state=r).fit(X, y)  # fmt: skip
            acc["AdaBoost"][r, j] = ada.score(X_test, y_test)
            acc["GB log-loss"][r, j] = gb.score(X_test, y_test)
    means = {k: v.mean(axis=0) for k, v in acc.items()}
    drop = {k: float(m[0] - m[-1]) for k, m in means.items()}
    fig, ax = ctx.figure()
    for name, m in means.items():
        ax.plot(noise_levels, m, "o-", label=name)
    ax.set(xlabel="fraction of flipped training labels", ylabel="clean test accuracy")
    ax.legend()
    return Outcome(
        metrics={
            "drop_adaboost": drop["AdaBoost"],
            "drop_gb": drop["GB log-loss"],
            "acc_adaboost": means["AdaBoost"].tolist(),
            "acc_gb": means["GB log-loss"].tolist(),
        },  # fmt: skip
        checks={
            "AdaBoost loses more accuracy from 0% to 30% noise than GB with log-loss": drop[
                "AdaBoost"
            ]
            > drop["GB log-loss"]
        },  # fmt: skip
        figure=fig,
        summary=f"0→30% label noise: AdaBoost loses {drop['AdaBoost']:.3f} accuracy, "
        f"log-loss GB {drop['GB log-loss']:.3f}",
    )


@experiment("adaboost_exponential_loss", claims=["CL-069"], topic=TOPIC,
            title="AdaBoost is stagewise minimisation of the exponential loss")  # fmt: skip
def adaboost_exponential_loss(ctx):
    rng = ctx.rng()
    X, y = _circle_data(rng, 300 if ctx.quick else 1000)
    model = AdaBoostClassifier(n_estimators=15 if ctx.quick else 40, random_state=0).fit(X, y)
    signed = 2.0 * y - 1  # ỹ ∈ {−1, +1}
    h = np.array([2.0 * e.predict(X) - 1 for e in model.estimators_])  # (M, n) ∈ {−1, +1}
    F = np.zeros(len(y))  # F = Σ (α_j / 2) h_j: AdaBoost in the exponential-loss scale
    weight_gaps, alpha_gaps, losses = [], [], []
    for m, alpha in enumerate(model.estimator_weights_):
        w_exp = np.exp(-signed * F)
        w_exp /= w_exp.sum()  # normalised exp(−ỹF_{m−1})
        err = np.sum(w_exp * (h[m] != signed))
        weight_gaps.append(abs(err - model.estimator_errors_[m]))
        line = minimize_scalar(lambda b, m=m, F=F: np.sum(np.exp(-signed * (F + b * h[m]))),
                               bounds=(0, 10), method="bounded",
                               options={"xatol": 1e-10})  # fmt: skip
        alpha_gaps.append(abs(2 * line.x - alpha))
        F = F + alpha / 2 * h[m]
        losses.append(float(np.mean(np.exp(-signed * F))))
    fig, ax = ctx.figure()
    ax.plot(losses, "o-")
    ax.set(xlabel="round", ylabel="mean exp(−ỹF)", yscale="log", title="exponential loss")
    return Outcome(
        metrics={
            "max_weight_error_gap": float(max(weight_gaps)),
            "max_alpha_gap": float(max(alpha_gaps)),
            "final_exp_loss": losses[-1],
        },  # fmt: skip
        checks={
            "err_m under normalised exp(−ỹF) weights equals AdaBoost's err_m": max(weight_gaps)
            < 1e-9,
            "α_m = 2 × the exponential-loss line-search step": max(alpha_gaps) < 1e-5,
            "the exponential loss decreases every round": bool(np.all(np.diff(losses) < 0)),
        },  # fmt: skip
        figure=fig,
        summary=f"AdaBoost's weights match exp(−ỹF) to {max(weight_gaps):.1e} and α_m the "
        f"line-search minimiser to {max(alpha_gaps):.1e}",
    )


@experiment("gradient_boosting_residuals_and_robust_losses", claims=["CL-070"], topic=TOPIC,
            title="Gradient boosting fits negative gradients; robust losses resist outliers")  # fmt: skip
def gradient_boosting_residuals(ctx):
    rng = ctx.rng()
    n = 400 if ctx.quick else 1500
    X = rng.uniform(-3, 3, size=(n, 1))
    y = np.sin(X[:, 0]) + 0.2 * rng.standard_normal(n)
    model = GradientBoostingRegressor(n_estimators=20, random_state=0).fit(X, y)
    gaps = []
    for F in model.staged_predict(X):
        grad, _ = model._loss.gradient_hessian(y, F[:, None])
        gaps.append(np.abs(-grad[:, 0] - (y - F)).max())
    y_out = y.copy()
    outliers = rng.random(n) < 0.1
    y_out[outliers] += rng.choice([-1, 1], outliers.sum()) * rng.uniform(5, 15, outliers.sum())
    X_test = rng.uniform(-3, 3, size=(2000, 1))
    y_test = np.sin(X_test[:, 0])
    mae = {}
    for loss in ["squared_error", "huber", "absolute_error"]:
        fit = GradientBoostingRegressor(loss=loss, n_estimators=100, random_state=0).fit(X, y_out)
        mae[loss] = float(np.mean(np.abs(fit.predict(X_test) - y_test)))
    fig, ax = ctx.figure()
    ax.bar(list(mae), list(mae.values()))
    ax.set(ylabel="test MAE", title="10% outliers in the training targets")
    return Outcome(
        metrics={
            "max_gradient_residual_gap": float(max(gaps)),
            **{f"mae_{k}": v for k, v in mae.items()},
        },  # fmt: skip
        checks={
            "pseudo-residuals equal residuals for squared loss": max(gaps) < 1e-12,
            "Huber beats squared loss under outliers": mae["huber"] < mae["squared_error"],
            "absolute loss beats squared loss under outliers": mae["absolute_error"]
            < mae["squared_error"],
        },  # fmt: skip
        figure=fig,
        summary=f"test MAE with 10% outliers: squared {mae['squared_error']:.3f}, Huber "
        f"{mae['huber']:.3f}, absolute {mae['absolute_error']:.3f}",
    )


@experiment("boosting_regularisation_early_stopping", claims=["CL-071"], topic=TOPIC,
            title="Shrinkage, L2 on leaves and early stopping reduce overfitting")  # fmt: skip
def boosting_regularisation(ctx):
    rng = ctx.rng()
    n = 300 if ctx.quick else 1000
    X = rng.standard_normal((n + 2000, 5))
    y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.8 * rng.standard_normal(n + 2000)
    X, X_test, y, y_test = X[:n], X[n:], y[:n], y[n:]
    rounds = 60 if ctx.quick else 300
    grid = {}
    for lr in [1.0, 0.3, 0.1]:
        for lam in [0.0, 1.0, 10.0]:
            model = HistGradientBoostingRegressor(max_iter=rounds, learning_rate=lr, reg_lambda=lam,
                                                  max_depth=4, min_samples_leaf=1).fit(X, y)  # fmt: skip
            grid[(lr, lam)] = float(np.mean((model.predict(X_test) - y_test) ** 2))
    no_reg = grid[(1.0, 0.0)]
    best = min(grid.values())
    stopped = HistGradientBoostingRegressor(max_iter=1000, learning_rate=0.1, max_depth=4,
                                            min_samples_leaf=1, early_stopping=True,
                                            validation_fraction=0.25, n_iter_no_change=15,
                                            random_state=0).fit(X, y)  # fmt: skip
    curve = np.array([np.mean((p - y_test) ** 2) for p in stopped.staged_predict(X_test)])
    at_best_round = float(curve[stopped.best_iteration_])
    fig, ax = ctx.figure(1, 2, width=4.5)
    lrs, lams = [1.0, 0.3, 0.1], [0.0, 1.0, 10.0]
    ax[0].imshow([[grid[(lr, lam)] for lam in lams] for lr in lrs], cmap="viridis")
    ax[0].set(xticks=range(3), xticklabels=lams, yticks=range(3), yticklabels=lrs,
              xlabel="λ", ylabel="learning rate", title="test MSE")  # fmt: skip
    ax[1].plot(curve)
    ax[1].axvline(stopped.best_iteration_, color="k", ls="--")
    ax[1].set(xlabel="round", ylabel="test MSE", title="early stopping")
    return Outcome(
        metrics={
            "mse_no_regularisation": no_reg,
            "mse_best_regularised": best,
            "early_stop_round": int(stopped.best_iteration_),
            "mse_at_stop": at_best_round,
            "mse_best_round": float(curve.min()),
        },  # fmt: skip
        checks={
            "regularised boosting has lower test MSE than none (lr 1, λ 0)": best < 0.9 * no_reg,
            "early stopping picks a round within 5% of the best test MSE": at_best_round
            <= 1.05 * curve.min(),
        },  # fmt: skip
        figure=fig,
        summary=f"test MSE {no_reg:.3f} unregularised vs {best:.3f} best regularised; early "
        f"stopping at round {stopped.best_iteration_} gives {at_best_round:.3f} "
        f"(best {curve.min():.3f})",
    )


@experiment("boosting_native_missing_values", claims=["CL-072"], topic=TOPIC,
            title="A learned default direction handles missing values natively")  # fmt: skip
def boosting_native_missing(ctx):
    n = 1000 if ctx.quick else 4000
    repeats = 2 if ctx.quick else 5
    native, imputed = [], []
    for r in range(repeats):
        rng = ctx.rng(r)
        X = rng.standard_normal((n + 2000, 5))
        y = (X[:, 0] + X[:, 1] > 0).astype(int)
        # 20% missing in feature 0, informatively: mostly among the positives
        missing = rng.random(len(y)) < np.where(y == 1, 0.32, 0.08)
        X[missing, 0] = np.nan
        X_train, X_test, y_train, y_test = X[:n], X[n:], y[:n], y[n:]
        params = dict(max_iter=100, max_depth=3, random_state=r)
        native.append(HistGradientBoostingClassifier(**params).fit(X_train, y_train)
                      .score(X_test, y_test))  # fmt: skip
        means = np.nanmean(X_train, axis=0)

        def fill(A, means=means):
            return np.where(np.isnan(A), means, A)

        imputed.append(HistGradientBoostingClassifier(**params).fit(fill(X_train), y_train)
                       .score(fill(X_test), y_test))  # fmt: skip
    native_acc, imputed_acc = float(np.mean(native)), float(np.mean(imputed))
    fig, ax = ctx.figure()
    ax.bar(["learned default direction", "mean imputation"], [native_acc, imputed_acc])
    ax.set(ylim=(0.5, 1.0), ylabel="test accuracy", title="20% informative NaNs")
    return Outcome(
        metrics={"accuracy_native": native_acc, "accuracy_mean_imputed": imputed_acc},
        checks={"native NaN handling ≥ mean imputation + boosting": native_acc >= imputed_acc},
        figure=fig,
        summary=f"accuracy {native_acc:.3f} with a learned default direction vs "
        f"{imputed_acc:.3f} after mean imputation",
    )
