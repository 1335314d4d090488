"""Claims about PCA, SVD and matrix factorisation (inventory section 3.5, CL-007, CL-039)."""

from __future__ import annotations

import numpy as np

from glassml.decomposition import (
    PCA,
    MatrixFactorization,
    compress_image,
    low_rank_approximation,
)
from glassml.experiments import Outcome, experiment

TOPIC = "PCA, SVD and matrix factorisation"


def _correlated(rng, n, p=10, n_factors=3, noise=0.3):
    """n samples of p features driven by ``n_factors`` latent factors plus isotropic noise."""
    loadings = rng.normal(size=(n_factors, p))  # (k, p)
    factors = rng.normal(size=(n, n_factors)) * np.array([3.0, 2.0, 1.5][:n_factors])
    return factors @ loadings + noise * rng.normal(size=(n, p))


def _digits_or_blobs(rng):
    """8x8 digits from glassml.datasets if present, else 10 synthetic 64-D clusters."""
    try:
        from glassml.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        return X, y, "8x8 digits"
    except Exception:  # the loader is optional here: fall back to synthetic clustered data
        centres = rng.normal(scale=4.0, size=(10, 64))
        y = rng.integers(0, 10, size=1800)
        return centres[y] + rng.normal(scale=3.0, size=(1800, 64)), y, "synthetic clusters"


@experiment(
    "pca_eig_equals_svd",
    claims=["CL-046"],
    topic=TOPIC,
    title="PCA by covariance eigendecomposition equals PCA by SVD",
)
def pca_eig_equals_svd(ctx):
    rng = ctx.rng()
    X = _correlated(rng, 300 if ctx.quick else 5000, p=8)
    Xc = X - X.mean(axis=0)
    # by hand: eigh of the covariance (DR-01) and SVD of the centred data (DR-02)
    evals, evecs = np.linalg.eigh(Xc.T @ Xc / (len(X) - 1))
    evals, evecs = evals[::-1], evecs[:, ::-1]
    _, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    svd_var = s**2 / (len(X) - 1)
    cos_by_hand = np.abs(np.sum(evecs.T * Vt, axis=1))  # |cos| of matching components
    eig = PCA(svd_solver="covariance_eigh").fit(X)
    svd = PCA(svd_solver="full").fit(X)
    cos_estimators = np.abs(np.sum(eig.components_ * svd.components_, axis=1))
    var_diff = float(np.max(np.abs(evals - svd_var) / svd_var[0]))
    est_diff = float(np.max(np.abs(eig.explained_variance_ - svd.explained_variance_) / svd_var[0]))
    min_cos = float(min(cos_by_hand.min(), cos_estimators.min()))
    sign_equal = bool(np.allclose(eig.components_, svd.components_, atol=1e-8))
    fig, (ax1, ax2) = ctx.figure(1, 2)
    k = np.arange(1, len(evals) + 1)
    ax1.plot(k, evals, "o-", label="eig of covariance")
    ax1.plot(k, svd_var, "x--", label="σ²/(n−1) from SVD")
    ax1.set(xlabel="component", ylabel="variance", yscale="log", title="same variances")
    ax1.legend()
    ax2.bar(k, 1 - cos_by_hand, color="tab:blue")
    ax2.set(xlabel="component", ylabel="1 − |cos|", title="same directions (up to sign)")
    return Outcome(
        metrics={
            "max_rel_variance_diff": var_diff,
            "max_rel_variance_diff_estimators": est_diff,
            "min_abs_cos": min_cos,
        },
        checks={
            "|cos| = 1 between matching components (1e-10)": min_cos > 1 - 1e-10,
            "explained variances equal to 1e-10": max(var_diff, est_diff) < 1e-10,
            "svd_flip gives identical signs for both solvers": sign_equal,
        },
        figure=fig,
        summary=f"eig vs SVD: min |cos| = {min_cos:.12f}, max relative variance difference "
        f"{max(var_diff, est_diff):.1e}.",
    )


@experiment(
    "pcs_uncorrelated_pc1_max_variance",
    claims=["CL-047"],
    topic=TOPIC,
    title="Principal components are uncorrelated; PC1 carries the most variance",
)
def pcs_uncorrelated_pc1_max_variance(ctx):
    rng = ctx.rng()
    X = _correlated(rng, 400 if ctx.quick else 5000, p=6)
    pca = PCA().fit(X)
    Z = pca.transform(X)
    C = np.cov(Z.T)
    off_diag = float(np.max(np.abs(C - np.diag(np.diag(C)))) / C[0, 0])
    directions = rng.normal(size=(10_000, X.shape[1]))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    random_var = np.var((X - pca.mean_) @ directions.T, axis=0, ddof=1)  # (10k,)
    pc1_var = float(pca.explained_variance_[0])
    pc1_pc2_cos = float(abs(pca.components_[0] @ pca.components_[1]))
    fig, (ax1, ax2) = ctx.figure(1, 2)
    ax1.hist(random_var, bins=50, color="0.6")
    ax1.axvline(pc1_var, color="tab:red", label="PC1")
    ax1.set(
        xlabel="variance along direction", ylabel="count", title="10,000 random unit directions"
    )
    ax1.legend()
    im = ax2.imshow(np.abs(C), cmap="viridis")
    ax2.set(title="|cov| of the projections", xlabel="PC", ylabel="PC")
    fig.colorbar(im, ax=ax2)
    return Outcome(
        metrics={
            "max_offdiag_over_var1": off_diag,
            "pc1_variance": pc1_var,
            "max_random_variance": float(random_var.max()),
            "cos_pc1_pc2": pc1_pc2_cos,
        },
        checks={
            "covariance of the projections is diagonal (1e-10)": off_diag < 1e-10,
            "var(PC1) >= var along all 10k random directions": pc1_var >= random_var.max(),
            "PC2 is orthogonal to PC1": pc1_pc2_cos < 1e-10,
        },
        figure=fig,
        summary=f"off-diagonal cov / var₁ = {off_diag:.1e}; var(PC1) = {pc1_var:.2f} ≥ best of "
        f"10k random directions {random_var.max():.2f}.",
    )


@experiment(
    "few_pcs_keep_variance",
    claims=["CL-048"],
    topic=TOPIC,
    title="On correlated data a few PCs keep most of the variance",
)
def few_pcs_keep_variance(ctx):
    rng = ctx.rng()
    X = _correlated(rng, 500 if ctx.quick else 5000, p=10, n_factors=3)
    pca = PCA().fit(X)
    cumulative = np.cumsum(pca.explained_variance_ratio_)
    k90 = PCA(n_components=0.9).fit(X).n_components_
    fig, ax = ctx.figure()
    k = np.arange(1, 11)
    ax.bar(k, pca.explained_variance_ratio_, label="per component")
    ax.plot(k, cumulative, "o-", color="tab:red", label="cumulative")
    ax.axhline(0.9, ls="--", color="k", lw=1)
    ax.set(
        xlabel="number of components",
        ylabel="explained variance ratio",
        title="3 latent factors in 10 features",
    )
    ax.legend()
    return Outcome(
        metrics={
            "cumulative_at_3": float(cumulative[2]),
            "k_for_90_percent": int(k90),
            "cumulative": cumulative.tolist(),
        },
        checks={
            "cumulative explained variance at k=3 >= 0.9": cumulative[2] >= 0.9,
            "n_components=0.9 picks at most 3 components": k90 <= 3,
        },
        figure=fig,
        summary=f"3 of 10 PCs explain {cumulative[2]:.1%} of the variance; the 90% target picks "
        f"k = {k90}.",
    )


@experiment("pca_denoises", claims=["CL-049"], topic=TOPIC, title="PCA reduces noise")
def pca_denoises(ctx):
    rng = ctx.rng()
    n, p, rank = (300, 40, 4) if ctx.quick else (3000, 100, 4)
    clean = rng.normal(size=(n, rank)) @ rng.normal(size=(rank, p))
    noisy = clean + 0.5 * rng.normal(size=(n, p))
    mse_noisy = float(np.mean((noisy - clean) ** 2))
    ks = np.arange(1, 16)
    mse_k = []
    for k in ks:
        pca = PCA(n_components=int(k)).fit(noisy)
        mse_k.append(np.mean((pca.inverse_transform(pca.transform(noisy)) - clean) ** 2))
    mse_k = np.asarray(mse_k)
    best_k = int(ks[np.argmin(mse_k)])
    mse_rank = float(mse_k[rank - 1])
    fig, ax = ctx.figure()
    ax.plot(ks, mse_k, "o-", label="PCA reconstruction vs clean")
    ax.axhline(mse_noisy, color="tab:red", ls="--", label="noisy vs clean")
    ax.axvline(rank, color="0.5", lw=1)
    ax.set(
        xlabel="components kept",
        ylabel="MSE to the clean signal",
        yscale="log",
        title=f"rank-{rank} signal + noise",
    )
    ax.legend()
    return Outcome(
        metrics={
            "mse_noisy": mse_noisy,
            "mse_reconstruction_at_true_rank": mse_rank,
            "best_k": best_k,
        },
        checks={
            "MSE(reconstruction, clean) < MSE(noisy, clean)": mse_rank < mse_noisy,
            "the best k is the true rank": best_k == rank,
        },
        figure=fig,
        summary=f"reconstruction from the top {rank} PCs: MSE {mse_rank:.4f} vs {mse_noisy:.4f} "
        "for the noisy data.",
    )


@experiment("pca_ignores_labels", claims=["CL-050"], topic=TOPIC, title="PCA ignores the labels")
def pca_ignores_labels(ctx):
    rng = ctx.rng()
    X, y, source = _digits_or_blobs(rng)
    if ctx.quick:
        X, y = X[:500], y[:500]
    a = PCA(n_components=5).fit(X, y)
    b = PCA(n_components=5).fit(X, rng.permutation(y))
    c = PCA(n_components=5).fit(X)
    identical = bool(
        np.array_equal(a.components_, b.components_)
        and np.array_equal(a.components_, c.components_)
    )
    fig, ax = ctx.figure()
    ax.plot(a.components_[0], label="PC1, true labels")
    ax.plot(b.components_[0], "--", label="PC1, shuffled labels")
    ax.set(xlabel="feature", ylabel="loading", title=f"PC1 of {source}")
    ax.legend()
    return Outcome(
        metrics={"max_abs_difference": float(np.abs(a.components_ - b.components_).max())},
        checks={"components identical with true, shuffled and no labels": identical},
        figure=fig,
        summary="PCA fitted with true, shuffled and no labels gives bit-identical components.",
    )


def _mosaic(rng):
    try:
        from glassml.datasets import load_digits

        images = load_digits().images[:256]  # 16 x 16 tiles of 8x8 digits -> 128 x 128
        return images.reshape(16, 16, 8, 8).transpose(0, 2, 1, 3).reshape(128, 128), 16.0
    except Exception:  # synthetic image: smooth gradients, a disc and noise
        yy, xx = np.mgrid[0:128, 0:128] / 128.0
        img = np.sin(6 * xx) * np.cos(4 * yy) + ((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.1)
        img += 0.05 * rng.normal(size=img.shape)
        return img, float(img.max() - img.min())


@experiment(
    "truncated_svd_best_rank_k",
    claims=["CL-051"],
    topic=TOPIC,
    title="Truncated SVD is the best rank-k approximation (compression)",
)
def truncated_svd_best_rank_k(ctx):
    rng = ctx.rng()
    image, peak = _mosaic(rng)
    s = np.linalg.svd(image, compute_uv=False)
    ks = [1, 2, 4, 8, 16, 32, 64] if ctx.quick else list(range(1, 129, 3))
    n_random = 20 if ctx.quick else 200
    formula_gap, beaten = 0.0, True
    for k in ks:
        A_k, err = low_rank_approximation(image, k, return_error=True)
        formula_gap = max(
            formula_gap, abs(np.linalg.norm(image - A_k) - np.sqrt(np.sum(s[k:] ** 2)))
        )
        for _ in range(n_random):  # best rank-k matrix within a random k-dim column space
            Q, _ = np.linalg.qr(rng.normal(size=(image.shape[0], k)))
            beaten &= bool(np.linalg.norm(image - Q @ (Q.T @ image)) > err)
    results = [compress_image(image, k, data_range=peak) for k in ks]
    ratios = [r.compression_ratio for r in results]
    psnrs = [r.psnr for r in results]
    fig, (ax1, ax2) = ctx.figure(1, 2)
    ax1.plot(ratios, psnrs, "o-")
    ax1.set(
        xscale="log",
        xlabel="compression ratio",
        ylabel="PSNR (dB)",
        title="SVD compression of an image",
    )
    ax2.imshow(results[min(3, len(results) - 1)].image, cmap="gray_r")
    ax2.set(title=f"rank {ks[min(3, len(ks) - 1)]}", xticks=[], yticks=[])
    rel_gap = formula_gap / np.linalg.norm(image)
    return Outcome(
        metrics={
            "max_relative_gap_to_formula": float(rel_gap),
            "ranks": ks,
            "compression_ratios": ratios,
            "psnr_db": psnrs,
        },
        checks={
            "‖A − A_k‖_F = √Σ_{i>k} σ_i² (1e-10)": rel_gap < 1e-10,
            "every random rank-k approximation is worse": beaten,
            "PSNR increases with rank": bool(np.all(np.diff(psnrs) > 0)),
        },
        figure=fig,
        summary=f"Eckart–Young holds to {rel_gap:.1e}; rank {ks[3]} keeps PSNR {psnrs[3]:.1f} dB "
        f"at {ratios[3]:.1f}x compression.",
    )


@experiment(
    "mf_recovers_missing_ratings",
    claims=["CL-052"],
    topic=TOPIC,
    title="Matrix factorisation by SGD recovers missing ratings",
)
def mf_recovers_missing_ratings(ctx):
    rng = ctx.rng()
    n_users, n_items, rank = (300, 200, 5) if ctx.quick else (1000, 600, 5)
    R = (
        rng.normal(size=(n_users, rank)) @ rng.normal(size=(rank, n_items)) / np.sqrt(rank)
        + 3.5
        + 0.1 * rng.normal(size=(n_users, n_items))
    )
    observed = rng.random(R.shape) < 0.10
    train = np.where(observed, R, np.nan)
    u, i = np.nonzero(~observed)
    truth = R[u, i]
    global_mean = float(np.sqrt(np.mean((R[observed].mean() - truth) ** 2)))
    user_means = np.nanmean(train, axis=1)
    user_mean = float(np.sqrt(np.mean((user_means[u] - truth) ** 2)))
    sgd = MatrixFactorization(
        n_factors=rank,
        solver="sgd",
        reg=0.05,
        learning_rate=0.05,
        batch_size=64,
        n_epochs=60,
        random_state=0,
    ).fit(train)
    als = MatrixFactorization(
        n_factors=rank, solver="als", reg=1.0, n_epochs=20, random_state=0
    ).fit(train)
    rmse_sgd = float(np.sqrt(np.mean((sgd.predict(u, i) - truth) ** 2)))
    rmse_als = float(np.sqrt(np.mean((als.predict(u, i) - truth) ** 2)))
    fig, (ax1, ax2) = ctx.figure(1, 2)
    ax1.bar(
        ["global mean", "user mean", "MF (SGD)", "MF (ALS)"],
        [global_mean, user_mean, rmse_sgd, rmse_als],
        color=["0.6", "0.6", "tab:blue", "tab:green"],
    )
    ax1.set(ylabel="held-out RMSE", title="rank-5 ratings, 10% observed")
    ax2.plot(np.sqrt(np.asarray(sgd.loss_curve_) / observed.sum()), label="SGD")
    ax2.set(xlabel="epoch", ylabel="√(objective / n_ratings)", yscale="log", title="training")
    ax2.legend()
    best_baseline = min(global_mean, user_mean)
    return Outcome(
        metrics={
            "rmse_sgd": rmse_sgd,
            "rmse_als": rmse_als,
            "rmse_global_mean": global_mean,
            "rmse_user_mean": user_mean,
        },
        checks={
            "SGD held-out RMSE < 0.4 x the best baseline": rmse_sgd < 0.4 * best_baseline,
            "ALS held-out RMSE < 0.4 x the best baseline": rmse_als < 0.4 * best_baseline,
        },
        figure=fig,
        summary=f"held-out RMSE: SGD {rmse_sgd:.3f}, ALS {rmse_als:.3f} vs global mean "
        f"{global_mean:.3f} and user mean {user_mean:.3f}.",
    )


@experiment(
    "pca_codes_are_useful_features",
    claims=["CL-007"],
    topic=TOPIC,
    title="2-D PCA codes of 8x8 digits are useful features",
)
def pca_codes_are_useful_features(ctx):
    rng = ctx.rng()
    X, y, source = _digits_or_blobs(rng)
    order = rng.permutation(len(y))
    X, y = X[order], y[order]
    n_train = len(y) * 2 // 3
    pca = PCA(n_components=2).fit(X[:n_train])
    Z_train, Z_test = pca.transform(X[:n_train]), pca.transform(X[n_train:])
    classes = np.unique(y)
    centroids = np.stack([Z_train[y[:n_train] == c].mean(axis=0) for c in classes])  # (10, 2)
    dist = ((Z_test[:, None, :] - centroids[None]) ** 2).sum(-1)  # (n_test, 10)
    accuracy = float(np.mean(classes[dist.argmin(1)] == y[n_train:]))
    chance = 1.0 / len(classes)
    fig, ax = ctx.figure()
    sc = ax.scatter(Z_test[:, 0], Z_test[:, 1], c=y[n_train:], cmap="tab10", s=8)
    ax.scatter(centroids[:, 0], centroids[:, 1], c="k", marker="x")
    ax.set(xlabel="PC1", ylabel="PC2", title=f"{source}: 2-D PCA codes")
    fig.colorbar(sc, ax=ax)
    return Outcome(
        metrics={"nearest_centroid_accuracy": accuracy, "chance": chance, "data": source},
        checks={"accuracy on 2-D codes > 3x chance": accuracy > 3 * chance},
        figure=fig,
        summary=f"nearest-centroid accuracy on 2-D PCA codes of {source}: {accuracy:.1%} "
        f"(chance {chance:.0%}).",
    )


@experiment(
    "pca_needs_standardising",
    claims=["CL-039"],
    topic=TOPIC,
    title="Standardise before PCA when units differ",
)
def pca_needs_standardising(ctx):
    rng = ctx.rng()
    n = 500 if ctx.quick else 5000
    X = _correlated(rng, n, p=5, n_factors=2)
    X[:, 0] *= 1000.0  # one feature in much bigger units (e.g. metres -> millimetres)
    raw = PCA(n_components=1).fit(X)
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)  # z-scores (DR-04: StandardScaler in a pipeline)
    std = PCA(n_components=1).fit(Xs)
    raw_load = np.abs(raw.components_[0])
    std_load = np.abs(std.components_[0])
    fig, ax = ctx.figure()
    k = np.arange(5)
    ax.bar(k - 0.2, raw_load, 0.4, label="raw")
    ax.bar(k + 0.2, std_load, 0.4, label="standardised")
    ax.set(xlabel="feature (0 is in big units)", ylabel="|PC1 loading|", title="PC1 loadings")
    ax.legend()
    return Outcome(
        metrics={
            "raw_loading_on_big_feature": float(raw_load[0]),
            "standardised_max_loading": float(std_load.max()),
        },
        checks={
            "unscaled: PC1 loading on the big-unit feature ≈ 1 (> 0.999)": raw_load[0] > 0.999,
            "standardised: no loading above 0.8": std_load.max() < 0.8,
        },
        figure=fig,
        summary=f"PC1 loading on the big-unit feature: {raw_load[0]:.4f} raw, "
        f"{std_load[0]:.2f} after standardising (max {std_load.max():.2f}).",
    )
