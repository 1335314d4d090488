"""Threshold curves and the areas under them: ROC, ROC-AUC, precision-recall and average
precision.

Inventory: MS-07, MS-08. One sort by decreasing score and two cumulative sums give the true and
false positive counts at every distinct threshold; the curves are those counts normalised.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ._checks import as_1d, as_float_1d, check_same_length, check_weights, warn_undefined

__all__ = [
    "auc",
    "binary_clf_curve",
    "roc_curve",
    "roc_auc_score",
    "precision_recall_curve",
    "average_precision_score",
]


def auc(x, y):
    """Area under a curve by the trapezoidal rule, Σ (x_{i+1} − x_i)(y_{i+1} + y_i)/2.

    Inventory: MS-07. ``x`` must be monotonic (increasing or decreasing).

    >>> auc([0.0, 0.5, 1.0], [0.0, 1.0, 1.0])
    0.75
    """
    x = as_float_1d(x, "x")
    y = as_float_1d(y, "y")
    check_same_length(("x", x), ("y", y))
    if x.shape[0] < 2:
        raise ValueError(
            f"x: at least 2 points are needed to compute the area under a curve, got {x.size}."
        )
    direction = 1.0
    dx = np.diff(x)
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1.0
        else:
            raise ValueError(f"x: expected monotonic values, got x = {x[:10]}...")
    return float(direction * np.trapezoid(y, x))


def _positive_mask(y_true, pos_label):
    """Boolean vector y == pos_label; infer pos_label = 1 for {0,1} or {−1,1} labels."""
    classes = np.unique(y_true)
    if classes.size > 2:
        raise ValueError(
            f"y_true: expected binary labels for a threshold curve, got {classes.size} classes "
            f"({classes[:10].tolist()})."
        )
    if pos_label is None:
        allowed = [{0, 1}, {-1, 1}, {0}, {1}, {-1}]
        if classes.dtype.kind not in "biuf" or set(classes.tolist()) not in allowed:
            raise ValueError(
                f"y_true takes value in {set(classes.tolist())} and pos_label is not specified: "
                "either make y_true take value in {0, 1} or {-1, 1} or pass pos_label "
                "explicitly."
            )
        pos_label = 1
    return y_true == pos_label


def binary_clf_curve(y_true, y_score, *, pos_label=None, sample_weight=None):
    """False and true positive counts at each distinct score threshold (decreasing).

    Sorting the scores in decreasing order, predicting positive for the first i samples gives
    tps[i] = Σ_{j≤i} w_j·y_j and fps[i] = Σ_{j≤i} w_j·(1 − y_j); only the last index of each run
    of tied scores is a valid threshold.

    Returns ``(fps, tps, thresholds)``.

    >>> binary_clf_curve([0, 1, 1], [0.1, 0.9, 0.4])
    (array([0., 0., 1.]), array([1., 2., 2.]), array([0.9, 0.4, 0.1]))
    """
    y_true = as_1d(y_true, "y_true")
    y_score = as_float_1d(y_score, "y_score")
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = check_weights(sample_weight, y_true.shape[0])
    positive = _positive_mask(y_true, pos_label).astype(np.float64)
    if w is not None:
        keep = w != 0
        positive, y_score, w = positive[keep], y_score[keep], w[keep]
    order = np.argsort(-y_score, kind="stable")  # decreasing scores, ties in input order
    y_score = y_score[order]
    positive = positive[order]
    distinct = np.flatnonzero(np.diff(y_score))
    threshold_idx = np.r_[distinct, positive.size - 1]  # last index of every tie run
    if w is None:
        tps = np.cumsum(positive)[threshold_idx]
        fps = 1.0 + threshold_idx - tps
    else:
        w = w[order]
        tps = np.cumsum(positive * w)[threshold_idx]
        fps = np.cumsum((1.0 - positive) * w)[threshold_idx]
    return fps, tps, y_score[threshold_idx]


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """Receiver operating characteristic: FPR = FP/N against TPR = TP/P over thresholds.

    Inventory: MS-07. The first point is (0, 0) at threshold +inf. ``drop_intermediate``
    removes collinear points (those where both the FP and TP counts have zero second
    difference), which leaves the area unchanged.

    >>> fpr, tpr, thr = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0])
    """
    fps, tps, thresholds = binary_clf_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight
    )
    if drop_intermediate and fps.shape[0] > 2:
        bends = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
        keep = np.flatnonzero(np.r_[True, bends, True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds]
    if fps[-1] <= 0:
        warn_undefined("No negative samples in y_true, false positive value should be meaningless")
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warn_undefined("No positive samples in y_true, true positive value should be meaningless")
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def _binary_roc_auc(y_true01, y_score, sample_weight=None, max_fpr=None):
    if np.unique(y_true01).size != 2:
        raise ValueError(
            "y_true: Only one class present in y_true. ROC AUC score is not defined in that case."
        )
    fpr, tpr, _ = roc_curve(y_true01, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return auc(fpr, tpr)
    # partial AUC up to max_fpr, standardised (McClish correction) to 0.5 random, 1 perfect
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr_cut = np.interp(max_fpr, fpr[stop - 1 : stop + 1], tpr[stop - 1 : stop + 1])
    partial = auc(np.r_[fpr[:stop], max_fpr], np.r_[tpr[:stop], tpr_cut])
    min_area, max_area = 0.5 * max_fpr**2, max_fpr
    return 0.5 * (1 + (partial - min_area) / (max_area - min_area))


def _average_over_columns(metric, Y, S, average, sample_weight):
    """Apply a binary ``metric`` to each column of the indicator matrix ``Y`` (n, K)."""
    if average == "micro":
        w = None if sample_weight is None else np.repeat(sample_weight, Y.shape[1])
        return metric(Y.ravel(), S.ravel(), w)
    scores = np.array(
        [metric(Y[:, k], S[:, k], sample_weight) for k in range(Y.shape[1])]
    )  # (K,) one binary problem per class, K is small
    if average is None:
        return scores
    weights = None
    if average == "weighted":
        weights = Y.sum(axis=0) if sample_weight is None else sample_weight @ Y
        if weights.sum() == 0:
            return 0.0
    return float(np.average(scores, weights=weights))


def _check_probability_rows(y_score):
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError(
            "y_score: Target scores need to be probabilities for multiclass roc_auc, i.e. they "
            "should sum up to 1.0 over classes."
        )


def roc_auc_score(
    y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None, multi_class="raise",
    labels=None,
):  # fmt: skip
    """Area under the ROC curve = P(score of a random positive > score of a random negative).

    Inventory: MS-07. Binary: ``y_score`` is the score of the greater label. Multiclass:
    ``y_score`` holds class probabilities (n, K) and ``multi_class`` is "ovr" (one-vs-rest,
    average "macro", "weighted" by prevalence or "micro") or "ovo" (Hand & Till 2001: the mean
    over class pairs of the two one-vs-one AUCs). A single class in ``y_true`` raises an error
    (scikit-learn 1.9 warns and returns NaN; glassml refuses to return a non-number silently).

    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y_true = as_1d(y_true, "y_true")
    y_score = as_float_1d(y_score, "y_score", allow_2d=True)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = check_weights(sample_weight, y_true.shape[0])
    if max_fpr is not None and not 0 < max_fpr <= 1:
        raise ValueError(f"max_fpr: expected a value in (0, 1], got {max_fpr!r}.")
    classes = np.unique(y_true)
    if classes.size < 2 and labels is None:
        raise ValueError(
            "y_true: Only one class present in y_true. ROC AUC score is not defined in that case."
        )
    if classes.size == 2 and labels is None and not (y_score.ndim == 2 and y_score.shape[1] > 2):
        if y_score.ndim == 2:
            raise ValueError(
                f"y_score: expected a 1-D array of scores for a binary y_true, got shape "
                f"{y_score.shape} (pass predict_proba(X)[:, 1])."
            )
        y01 = (y_true == classes[1]).astype(np.int64)
        return float(_binary_roc_auc(y01, y_score, w, max_fpr))
    # multiclass
    if max_fpr is not None and max_fpr != 1.0:
        raise ValueError("max_fpr: partial AUC is not available for multiclass problems.")
    if multi_class not in ("ovr", "ovo"):
        raise ValueError(
            f"multi_class: expected 'ovr' or 'ovo' for a multiclass y_true, got {multi_class!r}."
        )
    if y_score.ndim != 2:
        raise ValueError(
            f"y_score: needs shape (n_samples, n_classes) for a multiclass y_true, got "
            f"{y_score.shape}."
        )
    allowed = (
        ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted")
    )
    if average not in allowed:
        raise ValueError(f"average: expected one of {list(allowed)}, got {average!r}.")
    _check_probability_rows(y_score)
    if labels is not None:
        classes = np.asarray(labels)
        if np.unique(classes).size != classes.size or not np.array_equal(
            np.unique(classes), classes
        ):
            raise ValueError("labels: must be unique and ordered.")
        if np.setdiff1d(y_true, classes).size:
            raise ValueError("y_true: contains labels not in parameter 'labels'.")
    if classes.size != y_score.shape[1]:
        raise ValueError(
            f"y_score: Number of classes in y_true ({classes.size}) not equal to the number of "
            f"columns in 'y_score' ({y_score.shape[1]})."
        )
    codes = np.searchsorted(classes, y_true)  # (n,)
    if multi_class == "ovr":
        Y = (codes[:, None] == np.arange(classes.size)).astype(np.int64)  # (n, K)
        return _average_over_columns(
            lambda yt, ys, sw: _binary_roc_auc(yt, ys, sw), Y, y_score, average, w
        )
    if w is not None:
        raise ValueError("sample_weight: not supported for multiclass one-vs-one ROC AUC.")
    present = np.unique(codes)
    pair_scores, prevalence = [], []
    for a, b in combinations(present, 2):
        in_pair = (codes == a) | (codes == b)
        a_true = (codes[in_pair] == a).astype(np.int64)
        score_a = _binary_roc_auc(a_true, y_score[in_pair, a])
        score_b = _binary_roc_auc(1 - a_true, y_score[in_pair, b])
        pair_scores.append(0.5 * (score_a + score_b))
        prevalence.append(in_pair.mean())
    weights = prevalence if average == "weighted" else None
    return float(np.average(pair_scores, weights=weights))


def precision_recall_curve(
    y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=False
):
    """Precision TP/(TP+FP) and recall TP/P at every distinct threshold.

    Inventory: MS-08. Returned in order of increasing threshold, with a final point
    (precision 1, recall 0) that has no threshold.

    >>> p, r, t = precision_recall_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> p.tolist(), r.tolist(), t.tolist()
    ([0.5, 0.6666666666666666, 0.5, 1.0, 1.0], [1.0, 1.0, 0.5, 0.5, 0.0], [0.1, 0.35, 0.4, 0.8])
    """
    fps, tps, thresholds = binary_clf_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight
    )
    if drop_intermediate and fps.shape[0] > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warn_undefined(
            "No positive class found in y_true, recall is set to one for all thresholds."
        )
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def _binary_average_precision(y_true, y_score, sample_weight=None, pos_label=1):
    precision, recall, _ = precision_recall_curve(
        y_true, y_score, pos_label=pos_label, sample_weight=sample_weight
    )
    return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """AP = Σ_n (R_n − R_{n−1}) P_n: precision averaged over the recall steps (no interpolation).

    Inventory: MS-08. For multiclass ``y_true`` with (n, K) scores, one-vs-rest per class and
    averaged ("macro", "weighted", "micro" or None).

    >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    y_true = as_1d(y_true, "y_true")
    y_score = as_float_1d(y_score, "y_score", allow_2d=True)
    check_same_length(("y_true", y_true), ("y_score", y_score))
    w = check_weights(sample_weight, y_true.shape[0])
    classes = np.unique(y_true)
    if average not in ("micro", "macro", "weighted", None):
        raise ValueError(
            f"average: expected one of ['micro', 'macro', 'weighted', None], got {average!r}."
        )
    if y_score.ndim == 1:
        if classes.size > 2:
            raise ValueError(
                f"y_score: a multiclass y_true ({classes.size} classes) needs scores of shape "
                f"(n_samples, n_classes), got {y_score.shape}."
            )
        if classes.size == 2 and pos_label not in classes.tolist():
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one of "
                f"{classes.tolist()}"
            )
        return _binary_average_precision(y_true, y_score, w, pos_label)
    if pos_label != 1:
        raise ValueError(
            "pos_label: fixed to 1 for multiclass y_true; do not set it (got {pos_label!r})."
        )
    if classes.size != y_score.shape[1]:
        raise ValueError(
            f"y_score: Number of classes in y_true ({classes.size}) not equal to the number of "
            f"columns in 'y_score' ({y_score.shape[1]})."
        )
    codes = np.searchsorted(classes, y_true)
    Y = (codes[:, None] == np.arange(classes.size)).astype(np.int64)  # (n, K) one-vs-rest
    return _average_over_columns(
        lambda yt, ys, sw: _binary_average_precision(yt, ys, sw), Y, y_score, average, w
    )
