"""Probability metrics against scikit-learn and torch (MS-09, MS-30, MS-31)."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve as sk_calibration_curve

import glassml.metrics as gm


def _proba(n=200, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    p = rng.dirichlet(np.ones(k), size=n)
    return y, p, rng.random(n)


@pytest.mark.parametrize("k", [2, 3, 5])
def test_log_loss_multiclass(k):
    y, p, w = _proba(k=k)
    for normalize in (True, False):
        assert gm.log_loss(y, p, sample_weight=w, normalize=normalize) == pytest.approx(
            skm.log_loss(y, p, sample_weight=w, normalize=normalize), rel=1e-12
        )
    names = np.array(list("abcde"))[:k]
    assert gm.log_loss(names[y], p) == pytest.approx(skm.log_loss(names[y], p), rel=1e-12)


def test_log_loss_binary_1d_labels_and_clipping():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 100)
    p = rng.random(100)
    p[:3] = [0.0, 1.0, 1.0]  # clipped to [eps, 1 - eps]
    assert gm.log_loss(y, p) == pytest.approx(skm.log_loss(y, p), rel=1e-12)
    y3, p3, _ = _proba(k=3, seed=2)
    y3[y3 == 2] = 0  # class 2 never occurs: labels tell the width
    assert gm.log_loss(y3, p3, labels=[0, 1, 2]) == pytest.approx(
        skm.log_loss(y3, p3, labels=[0, 1, 2]), rel=1e-12
    )


def test_log_loss_equals_torch_cross_entropy():
    y, p, _ = _proba(k=4, seed=3)
    ref = torch.nn.functional.nll_loss(torch.log(torch.tensor(p)), torch.tensor(y)).item()
    assert gm.log_loss(y, p) == pytest.approx(ref, rel=1e-12)


@pytest.mark.parametrize("k", [2, 3])
def test_brier_score(k):
    y, p, w = _proba(k=k, seed=4)
    if k == 2:
        assert gm.brier_score_loss(y, p[:, 1], sample_weight=w) == pytest.approx(
            skm.brier_score_loss(y, p[:, 1], sample_weight=w), rel=1e-12
        )
        assert gm.brier_score_loss(y, p[:, 0], pos_label=0) == pytest.approx(
            skm.brier_score_loss(y, p[:, 0], pos_label=0), rel=1e-12
        )
    for scale in ("auto", True, False):
        assert gm.brier_score_loss(y, p, scale_by_half=scale) == pytest.approx(
            skm.brier_score_loss(y, p, scale_by_half=scale), rel=1e-12
        )


@pytest.mark.parametrize("k_top", [1, 2, 3])
def test_top_k_accuracy(k_top):
    y, p, w = _proba(k=5, seed=5)
    p = np.round(p, 1)  # ties exercise the tie-breaking rule
    assert gm.top_k_accuracy_score(y, p, k=k_top, sample_weight=w) == pytest.approx(
        skm.top_k_accuracy_score(y, p, k=k_top, sample_weight=w), rel=1e-12
    )
    yb = y % 2
    s = np.random.default_rng(0).random(y.size)
    assert gm.top_k_accuracy_score(yb, s, k=1) == pytest.approx(
        skm.top_k_accuracy_score(yb, s, k=1), rel=1e-12
    )


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_calibration_curve(strategy):
    rng = np.random.default_rng(6)
    p = rng.random(500)
    y = (rng.random(500) < p**1.5).astype(int)
    ours = gm.calibration_curve(y, p, n_bins=7, strategy=strategy)
    ref = sk_calibration_curve(y, p, n_bins=7, strategy=strategy)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_expected_calibration_error():
    rng = np.random.default_rng(7)
    p = rng.random(1000)
    y = (rng.random(1000) < p**2).astype(int)
    # binary form: count-weighted gap of the reliability curve (sklearn's bins)
    prob_true, prob_pred = sk_calibration_curve(y, p, n_bins=10)
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
    counts = counts[counts > 0]
    expected = np.sum(counts * np.abs(prob_true - prob_pred)) / p.size
    assert gm.expected_calibration_error(y, p, n_bins=10) == pytest.approx(expected, rel=1e-12)
    # a perfectly calibrated model in the limit: ECE near 0 for y ~ Bernoulli(p)
    y_cal = (rng.random(200_000) < (q := rng.random(200_000))).astype(int)
    assert gm.expected_calibration_error(y_cal, q) < 0.01
    # top-label form, counted by hand on a 3-sample example: bins (0.5,0.6], (0.8,0.9]
    P = np.array([[0.9, 0.1], [0.55, 0.45], [0.2, 0.8]])
    yt = np.array([0, 1, 1])  # correct, wrong, correct
    # bin (0.5,0.6]: acc 0, conf .55 ; bin (0.7,0.8]: acc 1, conf .8 ; bin (0.8,0.9]: acc 1, .9
    hand = (abs(0 - 0.55) + abs(1 - 0.8) + abs(1 - 0.9)) / 3
    assert gm.expected_calibration_error(yt, P, n_bins=10) == pytest.approx(hand, rel=1e-12)


def test_perplexity_matches_exp_cross_entropy():
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(50, 11))
    tokens = rng.integers(0, 11, 50)
    ce = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(tokens)).item()
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert gm.perplexity(tokens, p) == pytest.approx(np.exp(ce), rel=1e-10)
    log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert gm.perplexity(tokens, log_p, log_input=True) == pytest.approx(np.exp(ce), rel=1e-10)
    assert gm.perplexity([0, 3], np.full((2, 7), 1 / 7)) == pytest.approx(7.0)  # uniform → V


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(5, 40), st.integers(0, 10_000))
def test_probability_metric_bounds(k, n, seed):
    y, p, _ = _proba(n=n, k=k, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gm.log_loss(y, p, labels=list(range(k))) >= 0.0
        assert 0.0 <= gm.brier_score_loss(y, p, labels=list(range(k)),
                                          scale_by_half=False) <= 2.0  # fmt: skip
        assert 0.0 <= gm.expected_calibration_error(y, p) <= 1.0
        assert 0.0 <= gm.top_k_accuracy_score(y, p, k=1, labels=list(range(k))) <= 1.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="greater than 1"):
        gm.log_loss([0, 1], [[0.5, 1.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="only one label"):
        gm.log_loss([1, 1], [0.3, 0.4])
    with pytest.raises(ValueError, match="different number of classes"):
        gm.log_loss([0, 1, 2], [[0.5, 0.5]] * 3)
    with pytest.warns(UserWarning, match="do not sum to one"):
        gm.log_loss([0, 1], [[0.5, 0.6], [0.5, 0.6]])
    with pytest.raises(ValueError, match="k: expected an integer"):
        gm.top_k_accuracy_score([0, 1], [[0.5, 0.5]] * 2, k=0)
    with pytest.warns(UserWarning, match="perfect score"):
        gm.top_k_accuracy_score([0, 1, 2], np.full((3, 3), 1 / 3), k=3)
    with pytest.raises(ValueError, match="outside"):
        gm.calibration_curve([0, 1], [0.5, 1.2])
    with pytest.raises(ValueError, match="strategy"):
        gm.calibration_curve([0, 1], [0.5, 0.2], strategy="kmeans")
    with pytest.raises(ValueError, match="token ids"):
        gm.perplexity([0, 9], np.full((2, 3), 1 / 3))


def test_fit_temperature_minimises_torch_nll():
    rng = np.random.default_rng(9)
    y = rng.integers(0, 4, 400)
    logits = 4.0 * (np.eye(4)[y] + rng.normal(0, 0.9, (400, 4)))  # overconfident logits
    t_star = gm.fit_temperature(logits, y)
    Z, Y = torch.tensor(logits), torch.tensor(y)

    def nll(t):
        return torch.nn.functional.cross_entropy(Z / t, Y).item()

    assert t_star > 1.0
    # a minimum of torch's NLL: lower than its neighbours, derivative ≈ 0
    assert nll(t_star) <= min(nll(t_star * 0.99), nll(t_star * 1.01))
    h = 1e-4 * t_star
    assert abs((nll(t_star + h) - nll(t_star - h)) / (2 * h)) < 1e-5
    p_raw = torch.softmax(Z, 1).numpy()
    p_cal = torch.softmax(Z / t_star, 1).numpy()
    assert gm.expected_calibration_error(y, p_cal) < gm.expected_calibration_error(y, p_raw)
    with pytest.raises(ValueError, match="class indices"):
        gm.fit_temperature(logits, y + 4)
