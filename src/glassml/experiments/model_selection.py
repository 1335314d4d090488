"""Experiments for the model-selection claims of the curriculum.

CL-034 stratified sampling keeps class proportions, the bootstrap estimates stability;
CL-107 testing on the training data overstates accuracy; CL-108 tuning on the test set biases
it upward; CL-109 cross-validation estimates vary less than a single split; CL-110 early
stopping picks the point between under- and overfitting.

The models are small and defined inline (nearest centroid, 1-NN, gradient descent on Legendre
features) so that the experiments depend only on numpy and glassml's own model selection.
"""

from __future__ import annotations

import numpy as np
from numpy.polynomial import legendre

from glassml.experiments import Outcome, experiment
from glassml.metrics import accuracy_score, mean_squared_error
from glassml.model_selection import (
    EarlyStopping,
    KFold,
    bootstrap_indices,
    train_test_split,
)

TOPIC = "model_selection"


def _two_gaussians(rng, n, d=5, shift=0.6):
    """Two classes N(0, I) and N(shift·1, I) in d dimensions, equally likely."""
    y = rng.integers(0, 2, n)
    X = rng.normal(size=(n, d)) + shift * y[:, None]
    return X, y


def _nearest_centroid_accuracy(X_tr, y_tr, X_te, y_te):
    centroids = np.stack([X_tr[y_tr == c].mean(axis=0) for c in (0, 1)])  # (2, d)
    d2 = ((X_te[:, None, :] - centroids[None]) ** 2).sum(axis=2)  # (n_te, 2)
    return accuracy_score(y_te, d2.argmin(axis=1))


@experiment(
    "stratified_sampling_and_bootstrap",
    claims=["CL-034"],
    title="Stratified splits keep class proportions; the bootstrap estimates the standard error",
    topic=TOPIC,
)
def stratified_and_bootstrap(ctx):
    """Minority share of the test part over repeated splits; bootstrap SE of a mean vs σ/√n."""
    n, reps = 400, 60 if ctx.quick else 400
    y = np.zeros(n, dtype=int)
    y[:20] = 1  # a 5% minority
    X = np.arange(n)
    share_random, share_strat = [], []
    for r in range(reps):
        _, _, _, y_te = train_test_split(X, y, test_size=0.25, random_state=r)
        share_random.append(y_te.mean())
        _, _, _, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=r)
        share_strat.append(y_te.mean())
    sigma, m = 2.0, 200
    sample = ctx.rng(1).normal(0.0, sigma, m)
    n_boot = 500 if ctx.quick else 5_000
    boot_rng = ctx.rng(2)
    boot_means = np.array([sample[bootstrap_indices(m, random_state=boot_rng)[0]].mean()
                           for _ in range(n_boot)])  # fmt: skip
    se_boot = float(boot_means.std(ddof=1))
    se_formula = float(sample.std(ddof=1) / np.sqrt(m))
    fig, (ax1, ax2) = ctx.figure(1, 2)
    ax1.hist(share_random, bins=15, alpha=0.7, label="random split")
    ax1.axvline(0.05, color="k", ls="--", label="stratified (every split)")
    ax1.set_xlabel("minority share in the test part")
    ax1.legend()
    ax2.hist(boot_means, bins=30, alpha=0.7)
    ax2.set_title(f"bootstrap SE {se_boot:.3f} vs s/√n {se_formula:.3f}")
    ax2.set_xlabel("bootstrap mean")
    std_random, std_strat = float(np.std(share_random)), float(np.std(share_strat))
    return Outcome(
        metrics={
            "std_share_random": std_random,
            "std_share_stratified": std_strat,
            "se_bootstrap": se_boot,
            "se_formula": se_formula,
        },  # fmt: skip
        checks={
            "stratified minority share never varies (std < 1e-12)": std_strat < 1e-12,
            "random splits vary (std > 0.005)": std_random > 0.005,
            "bootstrap SE within 15% of s/√n": abs(se_boot / se_formula - 1) < 0.15,
        },
        figure=fig,
        summary=(
            f"Over {reps} splits the minority share of the test part has std {std_random:.4f} "
            f"with random splitting and {std_strat:.1e} with stratification; the bootstrap SE "
            f"of a mean ({se_boot:.4f}) matches s/√n ({se_formula:.4f})."
        ),
    )


@experiment(
    "testing_on_training_data_overstates",
    claims=["CL-107"],
    title="Testing on the training data overstates accuracy (1-NN)",
    topic=TOPIC,
)
def train_vs_test(ctx):
    """1-nearest-neighbour memorises its training set: training accuracy is exactly 1."""
    rng = ctx.rng()
    n_train, n_test = (200, 1_000) if ctx.quick else (1_000, 20_000)
    X_tr, y_tr = _two_gaussians(rng, n_train, d=2, shift=1.0)
    X_te, y_te = _two_gaussians(rng, n_test, d=2, shift=1.0)

    def predict_1nn(X):
        sq = (X**2).sum(1)[:, None] - 2 * X @ X_tr.T + (X_tr**2).sum(1)[None]  # (n, n_train)
        return y_tr[sq.argmin(axis=1)]

    acc_train = accuracy_score(y_tr, predict_1nn(X_tr))
    acc_test = accuracy_score(y_te, predict_1nn(X_te))
    fig, ax = ctx.figure()
    ax.bar(["on training data", "on fresh test data"], [acc_train, acc_test],
           color=["tab:red", "tab:blue"])  # fmt: skip
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("1-NN accuracy")
    return Outcome(
        metrics={"train_accuracy": acc_train, "test_accuracy": acc_test},
        checks={
            "training accuracy is 1.0": acc_train == 1.0,
            "test accuracy at least 0.15 lower": acc_test < acc_train - 0.15,
        },
        figure=fig,
        summary=(
            f"1-NN scores {acc_train:.2f} on its own training data but {acc_test:.2f} on "
            "fresh data from the same distribution."
        ),  # fmt: skip
    )


@experiment(
    "tuning_on_test_set_is_biased",
    claims=["CL-108"],
    title="Selecting among models on the test set biases the test score upward",
    topic=TOPIC,
)
def tuning_on_test(ctx):
    """Pure-noise labels: the best of 100 random linear classifiers on the 'test' set looks
    better than chance; a fresh holdout gives ≈ 0.5."""
    rng = ctx.rng()
    d, n_test, n_models = 10, 100, 100
    n_fresh = 5_000 if ctx.quick else 100_000
    X_test = rng.normal(size=(n_test, d))
    y_test = rng.integers(0, 2, n_test)  # labels independent of X
    X_fresh = rng.normal(size=(n_fresh, d))
    y_fresh = rng.integers(0, 2, n_fresh)
    W = rng.normal(size=(d, n_models))  # 100 "models": random hyperplanes
    test_acc = ((X_test @ W > 0) == y_test[:, None]).mean(axis=0)  # (n_models,)
    best = int(test_acc.argmax())
    fresh_acc = accuracy_score(y_fresh, (X_fresh @ W[:, best] > 0).astype(int))
    fig, ax = ctx.figure()
    ax.hist(test_acc, bins=20, alpha=0.7, label="the 100 models on the test set")
    ax.axvline(test_acc[best], color="tab:red", label="best, as reported")
    ax.axvline(fresh_acc, color="tab:green", label="best, on a fresh holdout")
    ax.set_xlabel("accuracy on pure noise")
    ax.legend(fontsize=8)
    return Outcome(
        metrics={"reported_accuracy": float(test_acc[best]), "fresh_accuracy": fresh_acc},
        checks={
            "the selected model's test accuracy exceeds 0.56": test_acc[best] > 0.56,
            "on a fresh holdout it is within 0.03 of 0.5": abs(fresh_acc - 0.5) < 0.03,
        },
        figure=fig,
        summary=(
            f"Choosing the best of {n_models} noise models on the test set reports "
            f"{test_acc[best]:.2f} accuracy; a fresh holdout gives {fresh_acc:.3f}."
        ),  # fmt: skip
    )


@experiment(
    "cv_has_lower_variance_than_single_split",
    claims=["CL-109"],
    title="Cross-validation estimates vary less than a single 80/20 split",
    topic=TOPIC,
)
def cv_variance(ctx):
    """Repeatedly draw a small data set; estimate accuracy by one 80/20 split and by 5-fold CV."""
    reps = 60 if ctx.quick else 200
    single, cv = [], []
    for r in range(reps):
        rng = ctx.rng(1_000 + r)
        X, y = _two_gaussians(rng, 60, d=5, shift=0.6)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=r)
        single.append(_nearest_centroid_accuracy(X_tr, y_tr, X_te, y_te))
        folds = KFold(5, shuffle=True, random_state=r).split(X)
        cv.append(np.mean([_nearest_centroid_accuracy(X[tr], y[tr], X[te], y[te])
                           for tr, te in folds]))  # fmt: skip
    std_single, std_cv = float(np.std(single)), float(np.std(cv))
    fig, ax = ctx.figure()
    ax.hist(single, bins=15, alpha=0.6, label=f"single 80/20 split (std {std_single:.3f})")
    ax.hist(cv, bins=15, alpha=0.6, label=f"5-fold CV (std {std_cv:.3f})")
    ax.set_xlabel("estimated accuracy (n = 60)")
    ax.legend(fontsize=8)
    return Outcome(
        metrics={
            "std_single_split": std_single,
            "std_5fold_cv": std_cv,
            "mean_single_split": float(np.mean(single)),
            "mean_cv": float(np.mean(cv)),
        },  # fmt: skip
        checks={"std of the single split > 1.3 × std of 5-fold CV": std_single > 1.3 * std_cv},
        figure=fig,
        summary=(
            f"Over {reps} data sets of 60 samples the single-split estimate has std "
            f"{std_single:.3f}, 5-fold CV {std_cv:.3f}."
        ),  # fmt: skip
    )


@experiment(
    "early_stopping_picks_the_right_epoch",
    claims=["CL-110"],
    title="Too few epochs underfit, too many overfit; early stopping finds the minimum",
    topic=TOPIC,
)
def early_stopping(ctx):
    """Gradient descent on degree-20 Legendre features of 25 noisy samples of sin(3x)."""
    rng = ctx.rng()
    degree, epochs = 20, 2_000 if ctx.quick else 10_000

    def sample(n):
        x = rng.uniform(-1, 1, n)
        features = legendre.legvander(x, degree) * np.sqrt(2 * np.arange(degree + 1) + 1)
        return features, np.sin(3 * x) + rng.normal(0, 0.3, n)  # (n, degree + 1), (n,)

    F_tr, y_tr = sample(25)
    F_va, y_va = sample(200)
    F_te, y_te = sample(2_000)
    lr = 0.5 / np.linalg.eigvalsh(F_tr.T @ F_tr / 25).max()  # stable step size
    w = np.zeros(degree + 1)
    stopper = EarlyStopping(patience=200)
    train_loss, val_loss, test_loss = [], [], []
    stop_epoch, w_best = None, w.copy()
    for epoch in range(epochs):
        w -= lr * F_tr.T @ (F_tr @ w - y_tr) / 25  # one full-batch gradient step on the MSE
        train_loss.append(float(np.mean((F_tr @ w - y_tr) ** 2)))  # MSE, inline for speed
        val_loss.append(float(np.mean((F_va @ w - y_va) ** 2)))
        test_loss.append(float(np.mean((F_te @ w - y_te) ** 2)))
        if stop_epoch is None:
            if stopper.step(val_loss[-1]):
                stop_epoch = epoch
            elif stopper.best_step == epoch:
                w_best = w.copy()
    test_stopped = mean_squared_error(y_te, F_te @ w_best)
    best_val_epoch = int(np.argmin(val_loss))
    fig, ax = ctx.figure()
    ax.plot(train_loss, label="train")
    ax.plot(val_loss, label="validation")
    ax.plot(test_loss, label="test", alpha=0.7)
    ax.axvline(stopper.best_step, color="k", ls="--", label="early-stopped weights")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE")
    ax.legend(fontsize=8)
    return Outcome(
        metrics={
            "best_val_epoch": best_val_epoch,
            "stop_epoch": stop_epoch,
            "test_loss_early_stopped": test_stopped,
            "test_loss_best": min(test_loss),
            "test_loss_first_epoch": test_loss[0],
            "test_loss_last_epoch": test_loss[-1],
        },  # fmt: skip
        checks={
            "validation loss has an interior minimum": 0 < best_val_epoch < epochs - 1
            and val_loss[-1] > 1.2 * min(val_loss),
            "too few epochs underfit (first-epoch test loss > 1.5 × early-stopped)": test_loss[0]
            > 1.5 * test_stopped,
            "too many epochs overfit (last-epoch test loss > 1.2 × early-stopped)": test_loss[-1]
            > 1.2 * test_stopped,
            "early-stopped test loss within 10% of the best test loss": test_stopped
            <= 1.1 * min(test_loss),
        },  # fmt: skip
        figure=fig,
        summary=(
            f"Validation loss bottoms out at epoch {best_val_epoch}; the early-stopped model's "
            f"test MSE {test_stopped:.3f} is within {100 * (test_stopped / min(test_loss) - 1):.1f}% "
            f"of the best ({min(test_loss):.3f}), against {test_loss[0]:.3f} after one epoch "
            f"and {test_loss[-1]:.3f} after {epochs}."
        ),
    )
