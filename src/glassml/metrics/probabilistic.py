"""Metrics of predicted probabilities: log loss, Brier score, top-k accuracy, calibration
(reliability curve and expected calibration error) and perplexity.

Inventory: MS-09, MS-30, MS-31.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._checks import as_1d, as_float_1d, check_same_length, check_weights, weighted_mean
from .curves import _positive_mask

__all__ = [
    "log_loss",
    "brier_score_loss",
    "top_k_accuracy_score",
    "calibration_curve",
    "expected_calibration_error",
    "perplexity",
    "fit_temperature",
]


def _check_proba_range(p, name="y_proba"):
    if p.size and p.max() > 1:
        raise ValueError(f"{name}: contains values greater than 1: {p.max()}.")
    if p.size and p.min() < 0:
        raise ValueError(f"{name}: contains values lower than 0: {p.min()}.")


def _one_hot_targets(y_true, y_proba, labels):
    """(n, K) indicator of the true class and the (n, K) probabilities (binary columns made)."""
    classes = np.unique(y_true) if labels is None else np.unique(np.asarray(labels))
    if labels is not None and np.setdiff1d(y_true, classes).size:
        raise ValueError(
            f"y_true: contains values {np.setdiff1d(y_true, classes).tolist()} not in labels "
            f"{classes.tolist()}."
        )
    if classes.size < 2:
        raise ValueError(
            f"y_true: contains only one label ({classes[0]!r}). Please provide the list of all "
            "expected class labels explicitly through the labels argument."
        )
    if y_proba.ndim == 1:
        y_proba = y_proba[:, None]
    if y_proba.shape[1] == 1:
        y_proba = np.hstack([1.0 - y_proba, y_proba])
    if classes.size != y_proba.shape[1]:
        raise ValueError(
            f"y_proba: y_true and y_proba contain different number of classes: {classes.size} "
            f"vs {y_proba.shape[1]}. Classes found in y_true: {classes.tolist()}; pass labels "
            "explicitly."
        )
    codes = np.searchsorted(classes, y_true)  # (n,)
    onehot = np.zeros(y_proba.shape, dtype=np.float64)
    onehot[np.arange(codes.size), codes] = 1.0
    return onehot, y_proba, codes


def log_loss(y_true, y_proba, *, normalize=True, sample_weight=None, labels=None):
    """Cross-entropy of the true labels under the predicted probabilities.

    Inventory: MS-09. L = −(1/n) Σ_i Σ_k y_ik log p_ik, with p clipped to [ε, 1 − ε]
    (ε = float64 machine epsilon). A 1-D ``y_proba`` is the probability of the greater label.
    Rows that do not sum to one trigger a warning.

    >>> round(log_loss([0, 1, 1], [0.1, 0.9, 0.8]), 6)
    0.144622
    """
    y_true = as_1d(y_true, "y_true")
    y_proba = as_float_1d(y_proba, "y_proba", allow_2d=True)
    _check_proba_range(y_proba)
    check_same_length(("y_true", y_true), ("y_proba", y_proba))
    w = check_weights(sample_weight, y_true.shape[0])
    onehot, proba, codes = _one_hot_targets(y_true, y_proba, labels)
    eps = np.finfo(proba.dtype).eps
    if not np.allclose(proba.sum(axis=1), 1.0, rtol=np.sqrt(eps), atol=0):
        warnings.warn(
            "y_proba: the values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
        )
    p_true = proba[np.arange(codes.size), codes]  # (n,) probability given to the true class
    nll = -np.log(np.clip(p_true, eps, 1 - eps))
    if not normalize:
        return float(nll.sum() if w is None else w @ nll)
    return float(weighted_mean(nll, w))


def brier_score_loss(y_true, y_proba, *, sample_weight=None, pos_label=None, labels=None,
                     scale_by_half="auto"):  # fmt: skip
    """Mean squared error of probabilities: (1/n) Σ_i Σ_k (p_ik − y_ik)².

    Inventory: MS-09 (a proper scoring rule like log loss). Binary (1-D ``y_proba``): the
    usual (1/n) Σ (p_i − y_i)², in [0, 1]. Multiclass (n, K): the sum over classes, in [0, 2]
    (``scale_by_half=True`` halves it).

    >>> round(brier_score_loss([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3]), 6)
    0.0375
    """
    y_true = as_1d(y_true, "y_true")
    y_proba = as_float_1d(y_proba, "y_proba", allow_2d=True)
    _check_proba_range(y_proba)
    check_same_length(("y_true", y_true), ("y_proba", y_proba))
    w = check_weights(sample_weight, y_true.shape[0])
    if y_proba.ndim == 1 or y_proba.shape[1] == 1:
        p = y_proba.ravel()
        if pos_label is None and np.unique(y_true).size == 2 and y_true.dtype.kind in "OUS":
            raise ValueError(
                "pos_label: string labels need an explicit pos_label for a 1-D y_proba."
            )
        y01 = _positive_mask(y_true, pos_label).astype(np.float64)
        per_sample = 2.0 * (y01 - p) ** 2  # both columns of the one-hot form
    else:
        onehot, proba, _ = _one_hot_targets(y_true, y_proba, labels)
        per_sample = ((onehot - proba) ** 2).sum(axis=1)
    score = weighted_mean(per_sample, w)
    if scale_by_half == "auto":
        scale_by_half = y_proba.ndim == 1 or y_proba.shape[1] < 3
    return float(0.5 * score if scale_by_half else score)


def top_k_accuracy_score(y_true, y_score, *, k=2, normalize=True, sample_weight=None, labels=None):
    """Share of samples whose true class is among the k highest scores.

    Ties are broken as scikit-learn does (a later class ranks first among equal scores): the
    rank of the true class c is #{j : s_j > s_c} + #{j > c : s_j = s_c}, a hit when rank < k.

    >>> top_k_accuracy_score([0, 1, 2], [[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]], k=1)
    0.6666666666666666
    """
    if not isinstance(k, int | np.integer) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k: expected an integer >= 1, got {k!r}.")
    y_true = as_1d(y_true, "y_true")
    y_score = as_float_1d(y_score, "y_score", allow_2d=True)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = check_weights(sample_weight, y_true.shape[0])
    classes = np.unique(y_true) if labels is None else np.asarray(labels)
    n_classes = classes.size if y_score.ndim == 1 else y_score.shape[1]
    if y_score.ndim == 2 and classes.size != n_classes:
        raise ValueError(
            f"y_score: Number of classes in y_true ({classes.size}) not equal to the number of "
            f"columns in 'y_score' ({n_classes}); pass labels."
        )
    if k >= n_classes:
        warnings.warn(
            f"'k' ({k}) greater than or equal to 'n_classes' ({n_classes}) will result in a "
            "perfect score and is therefore meaningless.",
            UserWarning,
        )
    codes = np.searchsorted(classes, y_true)
    if y_score.ndim == 1:
        if k == 1:
            threshold = 0.5 if y_score.min() >= 0 and y_score.max() <= 1 else 0.0
            hits = (y_score > threshold).astype(np.int64) == codes
        else:
            hits = np.ones(codes.size, dtype=bool)
    else:
        s_true = y_score[np.arange(codes.size), codes][:, None]  # (n, 1)
        later = np.arange(n_classes)[None, :] > codes[:, None]  # (n, K)
        rank = (y_score > s_true).sum(axis=1) + ((y_score == s_true) & later).sum(axis=1)
        hits = rank < k
    if not normalize:
        return float(hits.sum() if w is None else w @ hits)
    return float(weighted_mean(hits.astype(np.float64), w))


def _bin_stats(y01, p, n_bins, strategy):
    if not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins: expected an integer >= 1, got {n_bins!r}.")
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    elif strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    else:
        raise ValueError(f"strategy: expected 'uniform' or 'quantile', got {strategy!r}.")
    bin_id = np.searchsorted(edges[1:-1], p)  # (n,)
    total = np.bincount(bin_id, minlength=edges.size).astype(np.float64)
    sum_p = np.bincount(bin_id, weights=p, minlength=edges.size)
    sum_y = np.bincount(bin_id, weights=y01, minlength=edges.size)
    return total, sum_p, sum_y


def calibration_curve(y_true, y_prob, *, pos_label=None, n_bins=5, strategy="uniform"):
    """Reliability curve: per probability bin, the observed positive rate vs the mean prediction.

    Inventory: MS-30. Bins are uniform on [0, 1] or quantiles of ``y_prob``; empty bins are
    dropped. Returns ``(prob_true, prob_pred)``.

    >>> calibration_curve([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    (array([0., 1.]), array([0.15, 0.85]))
    """
    y_true = as_1d(y_true, "y_true")
    p = as_float_1d(y_prob, "y_prob")
    check_same_length(("y_true", y_true), ("y_prob", p))
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("y_prob: has values outside [0, 1].")
    y01 = _positive_mask(y_true, pos_label).astype(np.float64)
    total, sum_p, sum_y = _bin_stats(y01, p, n_bins, strategy)
    nonzero = total != 0
    return sum_y[nonzero] / total[nonzero], sum_p[nonzero] / total[nonzero]


def expected_calibration_error(y_true, y_prob, *, n_bins=10, strategy="uniform", pos_label=None):
    """ECE = Σ_b (|B_b|/n) · |accuracy(B_b) − confidence(B_b)| over probability bins.

    Inventory: MS-30 (Naeini et al. 2015; Guo et al. 2017). With a 2-D ``y_prob`` (n, K) the
    confidence is the top probability and the accuracy is whether the top class is right
    (``y_true`` holds class indices 0..K−1). With a 1-D ``y_prob`` (binary, probability of the
    positive class) it is the count-weighted gap of the reliability curve.

    >>> round(expected_calibration_error([0, 1], [[0.9, 0.1], [0.2, 0.8]], n_bins=10), 6)
    0.15
    """
    y_true = as_1d(y_true, "y_true")
    prob = as_float_1d(y_prob, "y_prob", allow_2d=True)
    check_same_length(("y_true", y_true), ("y_prob", prob))
    if prob.size and (prob.min() < 0 or prob.max() > 1):
        raise ValueError("y_prob: has values outside [0, 1].")
    if prob.ndim == 2:
        if y_true.dtype.kind not in "iu" or y_true.min() < 0 or y_true.max() >= prob.shape[1]:
            raise ValueError(
                f"y_true: expected class indices in [0, {prob.shape[1]}) for a 2-D y_prob."
            )
        confidence = prob.max(axis=1)  # (n,)
        correct = (prob.argmax(axis=1) == y_true).astype(np.float64)
    else:
        confidence = prob
        correct = _positive_mask(y_true, pos_label).astype(np.float64)
    total, sum_conf, sum_acc = _bin_stats(correct, confidence, n_bins, strategy)
    return float(np.abs(sum_acc - sum_conf).sum() / confidence.size)


def perplexity(y_true, y_proba, *, sample_weight=None, log_input=False):
    """Perplexity = exp(−(1/N) Σ_t log p(x_t)): exponentiated mean negative log-likelihood.

    Inventory: MS-31. ``y_true`` holds the token ids (n,), ``y_proba`` the predicted
    distributions (n, V) — or log-probabilities when ``log_input``. A uniform model over V
    tokens has perplexity V.

    >>> perplexity([0, 1], [[0.5, 0.5], [0.5, 0.5]])
    2.0
    """
    y_true = as_1d(y_true, "y_true")
    P = as_float_1d(y_proba, "y_proba", allow_2d=True)
    if P.ndim != 2:
        raise ValueError(f"y_proba: expected shape (n_tokens, vocab_size), got {P.shape}.")
    check_same_length(("y_true", y_true), ("y_proba", P))
    w = check_weights(sample_weight, y_true.shape[0])
    if y_true.dtype.kind not in "iu" or y_true.min() < 0 or y_true.max() >= P.shape[1]:
        raise ValueError(f"y_true: expected token ids in [0, {P.shape[1]}).")
    picked = P[np.arange(y_true.size), y_true]  # (n,)
    if log_input:
        log_p = picked
    else:
        _check_proba_range(P)
        with np.errstate(divide="ignore"):
            log_p = np.log(picked)
    return float(np.exp(-weighted_mean(log_p, w)))


def _nll_at_temperature(logits, codes, temperature):
    z = logits / temperature  # (n, K)
    z = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))  # (n,)
    return float(np.mean(log_norm - z[np.arange(codes.size), codes]))


def fit_temperature(logits, y_true, *, bounds=(1e-2, 1e2)):
    """Temperature scaling (Guo et al. 2017): T* = argmin_T NLL(softmax(logits / T), y).

    Inventory: MS-30. One scalar fitted on held-out data; dividing the logits by T* leaves the
    argmax (and so the accuracy) unchanged and usually lowers the ECE of an overconfident model.
    ``y_true`` holds class indices 0..K−1; the 1-D search runs over log T within ``bounds``.

    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 500)
    >>> logits = 5.0 * (np.eye(3)[y] + rng.normal(0, 0.8, (500, 3)))  # overconfident
    >>> bool(fit_temperature(logits, y) > 1.0)
    True
    """
    from scipy.optimize import minimize_scalar

    Z = as_float_1d(logits, "logits", allow_2d=True)
    if Z.ndim != 2 or Z.shape[1] < 2:
        raise ValueError(f"logits: expected shape (n_samples, n_classes >= 2), got {Z.shape}.")
    y_true = as_1d(y_true, "y_true")
    check_same_length(("logits", Z), ("y_true", y_true))
    if y_true.dtype.kind not in "iu" or y_true.min() < 0 or y_true.max() >= Z.shape[1]:
        raise ValueError(f"y_true: expected class indices in [0, {Z.shape[1]}).")
    lo, hi = bounds
    if not 0 < lo < hi:
        raise ValueError(f"bounds: expected 0 < low < high, got {bounds!r}.")
    result = minimize_scalar(
        lambda log_t: _nll_at_temperature(Z, y_true, np.exp(log_t)),
        bounds=(np.log(lo), np.log(hi)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(np.exp(result.x))
