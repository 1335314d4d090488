"""Fréchet distance and Inception Score against closed forms and a torch transcription."""

import numpy as np
import pytest
import scipy.linalg
import torch

from glassml.metrics import frechet_distance, frechet_distance_from_features, inception_score


def test_frechet_closed_form_for_commuting_covariances():
    # Diagonal covariances commute: (Σ₁Σ₂)^{1/2} = diag(σ₁σ₂), so
    # d² = ‖μ₁ − μ₂‖² + Σ (σ₁ − σ₂)².
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 1.0])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(s1) - np.sqrt(s2)) ** 2)
    got = frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(expected, rel=1e-10)


def test_frechet_general_matches_direct_formula_and_is_zero_on_itself():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    s1, s2 = A @ A.T + np.eye(4), B @ B.T + np.eye(4)
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    # Tr((Σ₁Σ₂)^{1/2}) = Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}) (symmetric form)
    r1 = scipy.linalg.sqrtm(s1).real
    expected = (
        np.sum((mu1 - mu2) ** 2)
        + np.trace(s1 + s2)
        - 2 * np.trace(scipy.linalg.sqrtm(r1 @ s2 @ r1).real)
    )
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-8)
    assert abs(frechet_distance(mu1, s1, mu1, s1)) < 1e-8


def test_frechet_from_features_and_errors():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5000, 2))
    assert frechet_distance_from_features(a, a + [3.0, 4.0]) == pytest.approx(25.0, rel=1e-6)
    with pytest.raises(ValueError, match="same number of features"):
        frechet_distance_from_features(a, a[:, :1])
    with pytest.raises(ValueError, match="expected mu1, mu2 of shape"):
        frechet_distance([0.0, 0.0], np.eye(2), [0.0], np.eye(2))


def test_inception_score_bounds_and_torch_transcription():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(600, 10)) * 3
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    pt = torch.from_numpy(p)
    ref = torch.exp((pt * (pt.log() - pt.mean(0, keepdim=True).log())).sum(1).mean()).item()
    assert inception_score(p) == pytest.approx(ref, rel=1e-9)
    assert inception_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)
    assert inception_score(np.eye(10)[np.arange(100) % 10]) == pytest.approx(10.0, rel=1e-6)
    mean, std = inception_score(p, n_splits=5)
    assert 1.0 <= mean <= 10.0 and std >= 0
    with pytest.raises(ValueError, match="summing to 1"):
        inception_score(np.ones((3, 2)))


def test_frechet_singular_covariances_without_warnings():
    # dead ReLU units give zero-variance features: rank-deficient covariances. With a shared
    # eigenbasis Q the closed form is sum_i (sqrt(a_i) - sqrt(b_i))^2, zeros included.
    import warnings

    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(4, 4)))
    a, b = np.array([1.0, 4.0, 0.0, 0.0]), np.array([9.0, 1.0, 2.0, 0.0])
    s1, s2 = q @ np.diag(a) @ q.T, q @ np.diag(b) @ q.T
    mu = np.zeros(4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = frechet_distance(mu, s1, mu, s2)
    # (sqrt of a round-off-sized eigenvalue ~ 1e-8: the usual FID precision)
    assert got == pytest.approx(np.sum((np.sqrt(a) - np.sqrt(b)) ** 2), abs=1e-6)
    with pytest.raises(ValueError, match="finite"):
        frechet_distance(mu, np.full((4, 4), np.nan), mu, s2)
