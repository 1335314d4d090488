"""Claims about support vector machines (inventory: CL-073..CL-076, CL-141; SV-01..SV-07)."""

from __future__ import annotations

import numpy as np

from glassml.datasets import make_blobs, make_circles, make_xor
from glassml.experiments import Outcome, experiment
from glassml.svm import SVC, poly2_feature_map

TOPIC = "SVM"


def _two_blobs(rng, n, *, distance, std=1.0):
    """Two Gaussian classes in 2-D, centres ±distance/2 on the diagonal; labels 0 / 1."""
    centers = np.array([[1.0, 1.0], [-1.0, -1.0]]) * distance / (2 * np.sqrt(2))
    X, y = make_blobs(
        [n // 2, n - n // 2],
        centers=centers,
        cluster_std=std,
        random_state=int(rng.integers(2**31)),
    )
    return X, y


def _draw_boundary(ax, model, X, *, levels=(-1, 0, 1), styles=("--", "-", "--"), color="k"):
    pad = 0.5
    (x0, y0), (x1, y1) = X.min(axis=0) - pad, X.max(axis=0) + pad
    gx, gy = np.meshgrid(np.linspace(x0, x1, 150), np.linspace(y0, y1, 150))
    Z = model.decision_function(np.c_[gx.ravel(), gy.ravel()]).reshape(gx.shape)
    ax.contour(gx, gy, Z, levels=list(levels), linestyles=list(styles), colors=color)


@experiment(
    "svm_only_support_vectors_matter",
    claims=["CL-073"],
    title="Only the support vectors determine the SVM",
    topic=TOPIC,
)
def only_support_vectors_matter(ctx):
    X, y = _two_blobs(ctx.rng(), 100 if ctx.quick else 400, distance=3.0)
    full = SVC(kernel="linear", C=1.0, tol=1e-8).fit(X, y)
    sv = full.support_
    refit = SVC(kernel="linear", C=1.0, tol=1e-8).fit(X[sv], y[sv])
    w_diff = float(np.abs(full.coef_ - refit.coef_).max())
    b_diff = float(np.abs(full.intercept_ - refit.intercept_).max())
    # dropping a non-support vector changes nothing; dropping a support vector moves w
    keep = np.setdiff1d(np.arange(y.size), sv[:1])
    moved = SVC(kernel="linear", C=1.0, tol=1e-8).fit(X[keep], y[keep])
    w_moved = float(np.abs(full.coef_ - moved.coef_).max())
    fig, ax = ctx.figure()
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=12)
    ax.scatter(X[sv, 0], X[sv, 1], s=80, facecolors="none", edgecolors="k", label="support vectors")
    _draw_boundary(ax, full, X)
    _draw_boundary(ax, refit, X, levels=(0,), styles=(":",), color="g")
    ax.set_title(f"{sv.size} of {y.size} points are support vectors")
    ax.legend(loc="lower right")
    return Outcome(
        metrics={
            "n_samples": int(y.size),
            "n_support": int(sv.size),
            "max_abs_w_diff": w_diff,
            "abs_b_diff": b_diff,
            "w_change_without_one_sv": w_moved,
        },
        checks={
            "refit on the support vectors gives the same w (< 1e-6)": w_diff < 1e-6,
            "refit on the support vectors gives the same b (< 1e-6)": b_diff < 1e-6,
            "the support vectors are a minority of the data": sv.size < y.size / 2,
        },
        figure=fig,
        summary=(
            f"Refitting on the {sv.size} support vectors of {y.size} points reproduces w and b "
            f"to {max(w_diff, b_diff):.1e}."
        ),
    )


@experiment(
    "svm_kernel_trick",
    claims=["CL-074"],
    title="The kernel trick: feature-space dot products without the map",
    topic=TOPIC,
)
def kernel_trick(ctx):
    rng = ctx.rng()
    A, B = rng.standard_normal((50, 3)), rng.standard_normal((40, 3))
    trick_err = float(
        np.abs(poly2_feature_map(A) @ poly2_feature_map(B).T - (A @ B.T + 1) ** 2).max()
    )
    n = 200 if ctx.quick else 600
    results = {}
    for name, (X, y) in {
        "circles": make_circles(2 * n, factor=0.4, noise=0.08, random_state=1),
        "xor": make_xor(2 * n, noise=0.0, random_state=2),
    }.items():
        train, test = slice(0, n), slice(n, 2 * n)
        for kernel in ("linear", "rbf"):
            model = SVC(kernel=kernel, C=1.0).fit(X[train], y[train])
            results[f"{name}_{kernel}_accuracy"] = float(model.score(X[test], y[test]))
            if name == "circles" and kernel == "rbf":
                circles_model, Xc, yc = model, X[train], y[train]
    fig, ax = ctx.figure()
    ax.scatter(Xc[:, 0], Xc[:, 1], c=yc, cmap="coolwarm", s=10)
    _draw_boundary(ax, circles_model, Xc, levels=(0,), styles=("-",))
    ax.set_title(f"RBF SVM on circles: test accuracy {results['circles_rbf_accuracy']:.2f}")
    checks = {"(x·z+1)² = φ(x)·φ(z) (max error < 1e-10)": trick_err < 1e-10}
    for name in ("circles", "xor"):
        checks[f"RBF separates {name} (accuracy >= 0.95)"] = results[f"{name}_rbf_accuracy"] >= 0.95
        checks[f"a linear SVM cannot ({name} accuracy <= 0.7)"] = (
            results[f"{name}_linear_accuracy"] <= 0.7
        )
    return Outcome(
        metrics={"kernel_trick_max_error": trick_err, **results},
        checks=checks,
        figure=fig,
        summary=(
            f"(x·z+1)² matches φ(x)·φ(z) to {trick_err:.1e}; RBF reaches "
            f"{results['circles_rbf_accuracy']:.2f}/{results['xor_rbf_accuracy']:.2f} on "
            f"circles/XOR against {results['circles_linear_accuracy']:.2f}/"
            f"{results['xor_linear_accuracy']:.2f} for a linear SVM."
        ),
    )


@experiment(
    "svm_c_tradeoff",
    claims=["CL-075"],
    title="C trades margin width against training errors",
    topic=TOPIC,
)
def c_tradeoff(ctx):
    X, y = _two_blobs(ctx.rng(), 150 if ctx.quick else 500, distance=2.5)
    Cs = np.logspace(-3, 1, 5) if ctx.quick else np.logspace(-3, 2, 11)
    margins, errors, n_sv = [], [], []
    for C in Cs:
        model = SVC(kernel="linear", C=float(C), tol=1e-4).fit(X, y)
        margins.append(2.0 / float(np.linalg.norm(model.coef_)))
        errors.append(int((model.predict(X) != y).sum()))
        n_sv.append(int(model.support_.size))
    margins_arr = np.array(margins)
    fig, axes = ctx.figure(1, 3, width=3.6)
    for ax, values, label in zip(
        axes,
        (margins, errors, n_sv),
        ("margin 2/||w||", "training errors", "support vectors"),
        strict=True,
    ):
        ax.semilogx(Cs, values, "o-")
        ax.set_xlabel("C")
        ax.set_title(label)
    return Outcome(
        metrics={"C": Cs.tolist(), "margin": margins, "training_errors": errors, "n_support": n_sv},
        checks={
            "the margin shrinks as C grows (monotone)": bool(
                np.all(np.diff(margins_arr) <= 1e-6 * margins_arr[:-1])
            ),
            "the margin at the smallest C is > 3x the one at the largest": margins[0]
            > 3 * margins[-1],
            "training errors fall from the smallest to the largest C": errors[-1] < errors[0],
            "the number of support vectors falls as C grows": n_sv[-1] < n_sv[0]
            and bool(np.all(np.diff(n_sv) <= 2)),
        },
        figure=fig,
        summary=(
            f"From C={Cs[0]:g} to C={Cs[-1]:g} the margin shrinks {margins[0]:.2f} → "
            f"{margins[-1]:.2f}, training errors {errors[0]} → {errors[-1]}, support "
            f"vectors {n_sv[0]} → {n_sv[-1]}."
        ),
    )


@experiment(
    "svm_hard_vs_soft_margin",
    claims=["CL-076"],
    title="A hard margin needs separable data; a soft margin generalises better under noise",
    topic=TOPIC,
)
def hard_vs_soft_margin(ctx):
    rng = ctx.rng()
    X_sep, y_sep = _two_blobs(rng, 60, distance=8.0, std=0.8)
    hard_sep = SVC(kernel="linear", C=np.inf, tol=1e-8).fit(X_sep, y_sep)
    signed = np.where(y_sep == 1, 1.0, -1.0) * hard_sep.decision_function(X_sep)
    X_ovl, y_ovl = _two_blobs(rng, 60, distance=1.5)
    try:
        SVC(kernel="linear", C=np.inf).fit(X_ovl, y_ovl)
        hard_raises = False
    except ValueError:
        hard_raises = True
    norms = [
        float(np.linalg.norm(SVC(kernel="linear", C=C).fit(X_ovl, y_ovl).coef_))
        for C in (0.001, 0.01, 1.0)
    ]
    # noisy labels, RBF kernel: C = ∞ interpolates the noise, C = 1 does not
    n = 80 if ctx.quick else 200
    X, y = _two_blobs(rng, 2 * n, distance=3.0)
    flip = rng.uniform(size=y.size) < 0.15
    y_noisy = np.where(flip, 1 - y, y)
    tr, te = slice(0, n), slice(n, 2 * n)
    soft = SVC(kernel="rbf", gamma=2.0, C=1.0).fit(X[tr], y_noisy[tr])
    hard = SVC(kernel="rbf", gamma=2.0, C=np.inf).fit(X[tr], y_noisy[tr])
    acc_soft, acc_hard = float(soft.score(X[te], y[te])), float(hard.score(X[te], y[te]))
    fig, axes = ctx.figure(1, 2)
    for ax, model, title in (
        (axes[0], soft, f"C=1: test acc {acc_soft:.2f}"),
        (axes[1], hard, f"C=∞: test acc {acc_hard:.2f}"),
    ):
        ax.scatter(X[tr, 0], X[tr, 1], c=y_noisy[tr], cmap="coolwarm", s=10)
        _draw_boundary(ax, model, X[tr], levels=(0,), styles=("-",))
        ax.set_title(title)
    return Outcome(
        metrics={
            "hard_margin_min_functional_margin": float(signed.min()),
            "w_norm_by_C": norms,
            "test_accuracy_soft": acc_soft,
            "test_accuracy_hard": acc_hard,
            "train_accuracy_hard": float(hard.score(X[tr], y_noisy[tr])),
        },
        checks={
            "hard margin on separable data: every y·f(x) >= 1": bool(signed.min() > 1 - 1e-6),
            "hard margin on overlapping data is infeasible (raises)": hard_raises,
            "‖w‖ grows with C on overlapping data (x2 from C=0.001 to C=1)": norms[0]
            < norms[1]
            < norms[2]
            and norms[2] > 2 * norms[0],
            "soft margin generalises better than C=∞ under label noise": acc_soft > acc_hard,
        },
        figure=fig,
        summary=(
            f"C=∞ is infeasible on overlapping data and ‖w‖ grows {norms[0]:.2f} → "
            f"{norms[2]:.2f} with C; under 15% label noise C=1 scores {acc_soft:.2f} on test "
            f"data against {acc_hard:.2f} for the hard margin."
        ),
    )


def _angle_degrees(u, v) -> float:
    cos = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


@experiment(
    "svm_hinge_l2_is_svm",
    claims=["CL-141"],
    title="Hinge loss + L2 penalty trained by subgradient descent is the SVM",
    topic=TOPIC,
)
def hinge_l2_is_svm(ctx):
    X, y = _two_blobs(ctx.rng(), 200, distance=2.5)
    s = np.where(y == 1, 1.0, -1.0)  # labels in {−1, +1} (the hinge needs them, E-14)
    C = 0.1
    svc = SVC(kernel="linear", C=C, tol=1e-8).fit(X, y)
    w_svm = np.r_[svc.coef_[0], svc.intercept_[0]]
    # subgradient descent on J(w, b) = ½‖w‖² + C Σ max(0, 1 − s(w·x + b)), averaged iterates
    Xb = np.c_[X, np.ones(len(X))]  # (n, 3)
    theta, theta_avg = np.zeros(3), np.zeros(3)
    steps = 3000 if ctx.quick else 20000
    objective = []
    for t in range(1, steps + 1):
        active = s * (Xb @ theta) < 1  # (n,) points inside the margin
        grad = np.r_[theta[:2], 0.0] - C * (s[active, None] * Xb[active]).sum(axis=0)
        theta -= grad / (t + 10) * 2.0
        if t > steps // 2:  # average the second half of the iterates
            theta_avg += (theta - theta_avg) / (t - steps // 2)
        if t % 50 == 0:
            hinge = np.maximum(0.0, 1 - s * (Xb @ theta)).sum()
            objective.append(0.5 * theta[:2] @ theta[:2] + C * hinge)
    theta_final = theta_avg
    angle = _angle_degrees(theta_final[:2], w_svm[:2])
    fig, axes = ctx.figure(1, 2)
    axes[0].plot(np.arange(1, len(objective) + 1) * 50, objective)
    axes[0].set_xlabel("subgradient step")
    axes[0].set_ylabel("0.5 ||w||² + C Σ hinge")
    axes[1].scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=10)
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 2)
    for (w1, w2, b), style, label in (
        (w_svm, "k-", "SVC (SMO)"),
        (theta_final, "g--", "subgradient hinge + L2"),
    ):
        axes[1].plot(xs, -(w1 * xs + b) / w2, style, label=label)
    axes[1].legend()
    axes[1].set_title(f"angle between the boundaries: {angle:.2f}°")
    return Outcome(
        metrics={
            "angle_degrees": angle,
            "w_svc": w_svm.tolist(),
            "w_subgradient": theta_final.tolist(),
            "intercept_gap": float(abs(theta_final[2] - w_svm[2])),
        },
        checks={"the subgradient hinge + L2 boundary is within 2° of the SVC's": angle < 2.0},
        figure=fig,
        summary=f"Subgradient descent on hinge + L2 lands {angle:.2f}° from the SMO-trained SVC.",
    )
