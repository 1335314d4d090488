"""Metrics for generative models (inventory MS-29): the Fréchet distance and the Inception Score.

There is no Inception network offline, so both work on *any* feature extractor / classifier the
caller provides — in glassml, features and class probabilities of our own MNIST classifier.

* Fréchet distance between Gaussians fitted to two feature sets (FID when the features come
  from Inception): ``‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2})``.
* Inception Score from class probabilities p(y|x): ``exp(E_x KL(p(y|x) ‖ p(y)))``, where
  p(y) is the mean of p(y|x) over the samples; between 1 (uninformative) and the number of
  classes (confident and balanced).

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> a = rng.normal(size=(2000, 3)); b = rng.normal(size=(2000, 3)) + [1.0, 0.0, 0.0]
>>> abs(frechet_distance_from_features(a, b) - 1.0) < 0.2   # the means differ by 1
True
"""

from __future__ import annotations

import numpy as np

from .._core import check_array

__all__ = ["frechet_distance", "frechet_distance_from_features", "inception_score"]


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet (2-Wasserstein) distance² between N(μ₁, Σ₁) and N(μ₂, Σ₂).

    ``‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2 Tr((Σ₁ Σ₂)^{1/2})``. The trace of the square root is taken
    in the symmetric form Tr((Σ₁ Σ₂)^{1/2}) = Σᵢ √λᵢ(Σ₁^{1/2} Σ₂ Σ₁^{1/2}) (the same eigenvalues:
    Σ₁Σ₂ is similar to Σ₁^{1/2} Σ₂ Σ₁^{1/2}), with symmetric eigendecompositions: exact for the
    singular covariances of ReLU features (dead units), where ``sqrtm(Σ₁ Σ₂)`` is ill-posed.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, float)), np.atleast_1d(np.asarray(mu2, float))
    s1, s2 = np.atleast_2d(np.asarray(sigma1, float)), np.atleast_2d(np.asarray(sigma2, float))
    d = mu1.shape[0]
    if mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(
            f"expected mu1, mu2 of shape ({d},) and sigma1, sigma2 of shape ({d}, {d}), got "
            f"{mu1.shape}, {mu2.shape}, {s1.shape}, {s2.shape}."
        )
    if not (np.isfinite(s1).all() and np.isfinite(s2).all()):
        raise ValueError("sigma1 and sigma2 must be finite.")
    w, v = np.linalg.eigh((s1 + s1.T) / 2)  # Σ₁ = V diag(w) Vᵀ
    root1 = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T  # Σ₁^{1/2}
    inner = root1 @ ((s2 + s2.T) / 2) @ root1  # Σ₁^{1/2} Σ₂ Σ₁^{1/2}, symmetric PSD
    trace_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((inner + inner.T) / 2), 0.0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_covmean)


def frechet_distance_from_features(features_a, features_b) -> float:
    """Fréchet distance between Gaussians fitted (mean, unbiased covariance) to two feature sets
    of shape (n, d); FID when the features are Inception activations."""
    a = check_array(features_a, name="features_a", ensure_min_samples=2)
    b = check_array(features_b, name="features_b", ensure_min_samples=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"features_a and features_b must have the same number of features, got "
            f"{a.shape[1]} and {b.shape[1]}."
        )
    return frechet_distance(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


def inception_score(probabilities, *, n_splits: int = 1, eps: float = 1e-12):
    """Inception Score ``exp(E_x KL(p(y|x) ‖ p(y)))`` of class probabilities (n, K).

    With ``n_splits > 1`` the score is computed on that many equal splits and the mean and
    standard deviation are returned (the original paper's protocol used 10 splits).
    """
    p = check_array(probabilities, name="probabilities")
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError("probabilities: expected rows of non-negative numbers summing to 1.")
    if not (isinstance(n_splits, int) and 1 <= n_splits <= p.shape[0]):
        raise ValueError(f"n_splits: expected an int in [1, {p.shape[0]}], got {n_splits!r}.")
    scores = []
    for part in np.array_split(p, n_splits):
        marginal = part.mean(axis=0, keepdims=True)  # p(y), (1, K)
        kl = (part * (np.log(part + eps) - np.log(marginal + eps))).sum(axis=1)  # (n,)
        scores.append(float(np.exp(kl.mean())))
    return scores[0] if n_splits == 1 else (float(np.mean(scores)), float(np.std(scores)))
