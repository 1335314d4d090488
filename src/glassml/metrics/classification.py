"""Classification metrics computed from hard labels: the confusion matrix and everything built
on its counts (accuracy, precision, recall, F-beta, specificity, κ, MCC, balanced accuracy).

Inventory: MS-01 … MS-06, MS-10, MS-11. Everything is vectorized: the confusion matrix is one
``bincount`` over ``K·true + pred`` codes, and the per-class counts are its row/column sums.
"""

from __future__ import annotations

import numpy as np

from ._checks import (
    check_weights,
    classification_targets,
    encode_labels,
    warn_undefined,
)

__all__ = [
    "accuracy_score",
    "confusion_matrix",
    "multilabel_confusion_matrix",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
    "f1_score",
    "fbeta_score",
    "specificity_score",
    "jaccard_score",
    "classification_report",
    "balanced_accuracy_score",
    "cohen_kappa_score",
    "matthews_corrcoef",
    "hamming_loss",
]

_AVERAGES = (None, "micro", "macro", "weighted", "binary")


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """Share of exactly correct predictions, (TP+TN)/(TP+TN+FP+FN) in the binary case.

    Inventory: MS-02. ``normalize=False`` returns the (weighted) count of correct predictions.

    >>> accuracy_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.75
    """
    _, y_true, y_pred = classification_targets(y_true, y_pred)
    w = check_weights(sample_weight, y_true.shape[0])
    correct = y_true == y_pred  # (n,)
    if w is None:
        return float(correct.mean()) if normalize else float(correct.sum())
    return float(np.average(correct, weights=w)) if normalize else float(w @ correct)


def _counts(y_true, y_pred, labels, sample_weight):
    """The K×K confusion counts C[i, j] = #{true = class i, predicted = class j}."""
    _, y_true, y_pred = classification_targets(y_true, y_pred)
    w = check_weights(sample_weight, y_true.shape[0])
    classes, (t, p) = encode_labels([y_true, y_pred], labels)
    k = classes.size
    if labels is not None:
        keep = (t >= 0) & (p >= 0)
        if not np.any(t >= 0):
            raise ValueError("labels: At least one label specified must be in y_true.")
        if not keep.all():
            t, p = t[keep], p[keep]
            w = None if w is None else w[keep]
    flat = t * k + p  # (n,) index into the raveled K×K matrix
    counts = np.bincount(flat, weights=w, minlength=k * k).reshape(k, k)
    if w is None:
        counts = counts.astype(np.int64)
    return classes, counts


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """C[i, j] = number of samples of true class i predicted as class j.

    Inventory: MS-01. Rows are true classes and columns predicted classes, both in the sorted
    order of ``labels`` (or of the union of the labels seen). For a binary problem with classes
    (0, 1) this is [[TN, FP], [FN, TP]] (scikit-learn's layout; the curriculum's
    [[TP, FN], [FP, TN]] is the same matrix with both axes reversed).

    Parameters
    ----------
    labels : array-like, optional
        Classes to index the matrix with; samples whose true or predicted label is not among
        them are ignored.
    normalize : {"true", "pred", "all"}, optional
        Divide by row sums (recall per class on the diagonal), column sums or the total.

    >>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0])
    array([[2, 0],
           [1, 1]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize: expected one of ['true', 'pred', 'all', None], got {normalize!r}."
        )
    _, cm = _counts(y_true, y_pred, labels, sample_weight)
    if normalize is None:
        return cm
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        else:
            cm = cm / cm.sum()
    return np.nan_to_num(cm)


def multilabel_confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None):
    """One 2×2 matrix [[TN, FP], [FN, TP]] per class (one-vs-rest), shape (K, 2, 2).

    Inventory: MS-01. Classes listed in ``labels`` but absent from the data get zero counts.

    >>> multilabel_confusion_matrix([0, 1, 2], [0, 2, 2])[2]
    array([[1, 1],
           [0, 1]])
    """
    _, y_true, y_pred = classification_targets(y_true, y_pred)
    w = check_weights(sample_weight, y_true.shape[0])
    tp, pred_sum, true_sum, total = _per_class_counts(y_true, y_pred, labels, w)
    fp = pred_sum - tp
    fn = true_sum - tp
    tn = total - tp - fp - fn
    return np.stack([tn, fp, fn, tp], axis=1).reshape(-1, 2, 2)


def _per_class_counts(y_true, y_pred, labels, w):
    """(tp, pred_sum, true_sum, n) per class in the order of ``labels`` (or sorted union)."""
    if labels is None:
        classes, (t, p) = encode_labels([y_true, y_pred])
    else:
        classes, (t, p) = encode_labels([y_true, y_pred], labels)
    k = classes.size
    hit = (t == p) & (t >= 0)  # (n,)
    weights = np.ones(t.size) if w is None else w
    tp = np.bincount(t[hit], weights=weights[hit], minlength=k)
    true_sum = np.bincount(t[t >= 0], weights=weights[t >= 0], minlength=k)
    pred_sum = np.bincount(p[p >= 0], weights=weights[p >= 0], minlength=k)
    total = weights.sum()
    if w is None:
        tp, true_sum, pred_sum = (a.astype(np.int64) for a in (tp, true_sum, pred_sum))
        total = int(total)
    return tp, pred_sum, true_sum, total


def _zero_division_value(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, int | float) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(f"zero_division: expected 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}.")


def _divide(num, den, zero_division, what, warn):
    """num/den elementwise; where den == 0 the result is ``zero_division`` (0 with a warning)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    out = num / np.where(zero, 1.0, den)
    if zero.any():
        out[zero] = _zero_division_value(zero_division)
        if warn and isinstance(zero_division, str):
            warn_undefined(
                f"{what} is ill-defined and being set to 0.0 where the denominator is zero. "
                "Use the `zero_division` parameter to control this behavior."
            )
    return out


def _nan_average(values, weights=None):
    """Average that skips NaN entries (scikit-learn's convention for zero_division=nan)."""
    keep = ~np.isnan(values)
    if values.size == 0 or not keep.any():
        return np.nan
    if weights is None:
        return float(values[keep].mean())
    weights = np.asarray(weights, dtype=np.float64)[keep]
    if weights.sum() == 0:
        return float(values[keep].mean())
    return float(np.average(values[keep], weights=weights))


def _set_wise_labels(y_true, y_pred, average, labels, pos_label):
    """Resolve ``labels`` for the averaging mode (the binary mode keeps only ``pos_label``)."""
    if average not in _AVERAGES:
        raise ValueError(f"average: expected one of {list(_AVERAGES)}, got {average!r}.")
    kinds, y_true, y_pred = classification_targets(y_true, y_pred)
    if average == "binary":
        present = np.union1d(y_true, y_pred)
        if present.size > 2:
            raise ValueError(
                "average: Target is multiclass but average='binary'. Please choose another "
                "average setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        if pos_label not in present.tolist() and present.size >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one of "
                f"{present.tolist()}"
            )
        labels = [pos_label]
    return y_true, y_pred, labels


def _prf_counts(y_true, y_pred, labels, pos_label, average, sample_weight):
    y_true, y_pred, labels = _set_wise_labels(y_true, y_pred, average, labels, pos_label)
    w = check_weights(sample_weight, y_true.shape[0])
    tp, pred_sum, true_sum, total = _per_class_counts(y_true, y_pred, labels, w)
    return tp, pred_sum, true_sum, total


def _average_scores(scores, average, true_sum):
    if average is None:
        return scores
    return _nan_average(scores, true_sum if average == "weighted" else None)


def precision_recall_fscore_support(
    y_true,
    y_pred,
    *,
    beta=1.0,
    labels=None,
    pos_label=1,
    average=None,
    sample_weight=None,
    zero_division="warn",
):
    """Precision TP/(TP+FP), recall TP/(TP+FN) and F-beta per class, or averaged.

    Inventory: MS-03, MS-04, MS-05.
    F_β = (1+β²)·TP / ((1+β²)·TP + β²·FN + FP), the weighted harmonic mean of P and R.

    Parameters
    ----------
    average : {None, "binary", "micro", "macro", "weighted"}
        None: per-class arrays. "binary": the class ``pos_label`` only. "micro": from the
        summed counts (equals accuracy for single-label multiclass). "macro": unweighted mean
        over classes. "weighted": mean weighted by support (the number of true samples).
    zero_division : "warn", 0.0, 1.0 or np.nan
        Value where a denominator is zero ("warn" gives 0 and warns; NaN is skipped when
        averaging).

    Returns
    -------
    precision, recall, fbeta, support (support is None when averaged)

    >>> p, r, f, s = precision_recall_fscore_support([0, 1, 1], [0, 1, 0], average="binary")
    >>> round(p, 3), round(r, 3), round(f, 3)
    (1.0, 0.5, 0.667)
    """
    if not isinstance(beta, int | float) or isinstance(beta, bool) or not beta >= 0:
        raise ValueError(f"beta: expected a non-negative number, got {beta!r}.")
    _zero_division_value(zero_division)
    tp, pred_sum, true_sum, _ = _prf_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    if average == "micro":
        tp, pred_sum, true_sum = (np.array([a.sum()]) for a in (tp, pred_sum, true_sum))
    precision = _divide(tp, pred_sum, zero_division, "Precision", True)
    recall = _divide(tp, true_sum, zero_division, "Recall", True)
    if np.isposinf(beta):
        fbeta = recall
    elif beta == 0:
        fbeta = precision
    else:
        b2 = beta**2
        fbeta = _divide((1 + b2) * tp, b2 * true_sum + pred_sum, zero_division, "F-score", True)
    if average is None:
        return precision, recall, fbeta, true_sum
    return (
        _average_scores(precision, average, true_sum),
        _average_scores(recall, average, true_sum),
        _average_scores(fbeta, average, true_sum),
        None,
    )


def precision_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """Precision = TP / (TP + FP). Inventory: MS-03. See :func:`precision_recall_fscore_support`.

    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])
    0.6666666666666666
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        sample_weight=sample_weight, zero_division=zero_division,
    )[0]  # fmt: skip


def recall_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """Recall (sensitivity, TPR) = TP / (TP + FN). Inventory: MS-04.

    >>> recall_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return precision_recall_fscore_support(
        y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
        sample_weight=sample_weight, zero_division=zero_division,
    )[1]  # fmt: skip


def fbeta_score(
    y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """F_β = (1+β²)PR/(β²P + R): β > 1 weighs recall more. Inventory: MS-05.

    >>> round(fbeta_score([0, 1, 1, 0], [1, 1, 0, 0], beta=2.0), 4)
    0.5
    """
    return precision_recall_fscore_support(
        y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label, average=average,
        sample_weight=sample_weight, zero_division=zero_division,
    )[2]  # fmt: skip


def f1_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """F1 = 2PR/(P+R) = 2TP/(2TP+FP+FN); macro/micro/weighted averaging. Inventory: MS-05.

    >>> f1_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.5
    """
    return fbeta_score(
        y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
        sample_weight=sample_weight, zero_division=zero_division,
    )  # fmt: skip


def specificity_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """Specificity (true negative rate) = TN / (TN + FP). Inventory: MS-06.

    For class k (one-vs-rest) TN_k counts samples neither true nor predicted as k. "micro"
    pools TN and FP over the classes; "weighted" weighs each class by its support.

    >>> specificity_score([0, 0, 0, 1], [0, 1, 0, 1])
    0.6666666666666666
    """
    _zero_division_value(zero_division)
    tp, pred_sum, true_sum, total = _prf_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    fp = pred_sum - tp
    tn = total - true_sum - fp  # (K,) samples that are not k and not predicted k
    if average == "micro":
        tn, fp = np.array([tn.sum()]), np.array([fp.sum()])
    spec = _divide(tn, tn + fp, zero_division, "Specificity", True)
    return _average_scores(spec, average, true_sum)


def jaccard_score(
    y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
    zero_division="warn",
):  # fmt: skip
    """Jaccard index |A∩B|/|A∪B| = TP / (TP + FP + FN) per class, or averaged.

    >>> jaccard_score([0, 1, 1, 0], [1, 1, 0, 0])
    0.3333333333333333
    """
    _zero_division_value(zero_division)
    tp, pred_sum, true_sum, _ = _prf_counts(
        y_true, y_pred, labels, pos_label, average, sample_weight
    )
    union = pred_sum + true_sum - tp
    if average == "micro":
        tp, union = np.array([tp.sum()]), np.array([union.sum()])
    score = _divide(tp, union, zero_division, "Jaccard", True)
    return _average_scores(score, average, true_sum)


def classification_report(
    y_true, y_pred, *, labels=None, target_names=None, sample_weight=None, digits=2,
    zero_division="warn",
):  # fmt: skip
    """A text table of precision, recall, F1 and support per class, plus the averages.

    Inventory: MS-03 … MS-05. The layout is scikit-learn's, character for character; the
    "accuracy" line replaces "micro avg" when every label is reported.

    >>> print(classification_report([0, 1, 1], [0, 1, 0]).splitlines()[0].split())
    ['precision', 'recall', 'f1-score', 'support']
    """
    _, y_true, y_pred = classification_targets(y_true, y_pred)
    union = np.union1d(y_true, y_pred)
    labels_given = labels is not None
    labels = union if labels is None else np.asarray(labels)
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(union.tolist())
    if target_names is not None and len(target_names) != len(labels):
        raise ValueError(
            f"target_names: expected {len(labels)} names (one per label), got {len(target_names)}."
        )
    names = [f"{lab}" for lab in labels] if target_names is None else list(target_names)
    common = dict(labels=labels, sample_weight=sample_weight, zero_division=zero_division)
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, average=None, **common)
    headers = ["precision", "recall", "f1-score", "support"]
    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    report = ("{:>{width}s} " + " {:>9}" * 4).format("", *headers, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in zip(names, p, r, f1, s, strict=True):
        report += row_fmt.format(*row, width=width, digits=digits)
    report += "\n"
    for average in ("micro", "macro", "weighted"):
        avg_p, avg_r, avg_f, _ = precision_recall_fscore_support(
            y_true, y_pred, average=average, **common
        )
        support = np.sum(s)
        if average == "micro" and micro_is_accuracy:
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            report += fmt.format("accuracy", "", "", avg_f, support, width=width, digits=digits)
        else:
            report += row_fmt.format(
                f"{average} avg", avg_p, avg_r, avg_f, support, width=width, digits=digits
            )
    return report


def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """Mean per-class recall; ``adjusted`` rescales so that chance is 0 and perfect is 1.

    Inventory: MS-04 (its average over classes).

    >>> balanced_accuracy_score([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    _, cm = _counts(y_true, y_pred, None, sample_weight)
    with np.errstate(all="ignore"):
        per_class = np.diag(cm) / cm.sum(axis=1)  # (K,) recall of each class
    if np.isnan(per_class).any():
        warn_undefined("y_pred contains classes not in y_true")
        per_class = per_class[~np.isnan(per_class)]
    score = per_class.mean()
    if adjusted:
        chance = 1.0 / per_class.size
        score = (score - chance) / (1.0 - chance)
    return float(score)


def cohen_kappa_score(y1, y2, *, labels=None, weights=None, sample_weight=None):
    """Cohen's κ = (p_o − p_e) / (1 − p_e): agreement corrected for chance.

    Inventory: MS-10. With ``weights`` ("linear" |i−j| or "quadratic" (i−j)²) the weighted
    form κ_w = 1 − Σ w·O / Σ w·E with E the outer product of the marginals.

    >>> cohen_kappa_score([0, 1, 1, 0], [0, 1, 0, 0])
    0.5
    """
    if weights not in (None, "linear", "quadratic"):
        raise ValueError(f"weights: expected None, 'linear' or 'quadratic', got {weights!r}.")
    _, cm = _counts(y1, y2, labels, sample_weight)
    k = cm.shape[0]
    row, col = cm.sum(axis=1), cm.sum(axis=0)
    expected = np.outer(col, row) / col.sum()  # (K, K) counts expected under independence
    if weights is None:
        w = np.ones((k, k))
        np.fill_diagonal(w, 0.0)
    else:
        idx = np.arange(k)
        diff = np.abs(idx[:, None] - idx[None, :]).astype(np.float64)
        w = diff if weights == "linear" else diff**2
    denom = np.sum(w * expected)
    if denom == 0:
        warn_undefined("cohen_kappa_score is ill-defined (no disagreement expected); NaN.")
        return np.nan
    return float(1.0 - np.sum(w * cm) / denom)


def matthews_corrcoef(y_true, y_pred, *, sample_weight=None):
    """MCC = (TP·TN − FP·FN)/√((TP+FP)(TP+FN)(TN+FP)(TN+FN)), multiclass generalised.

    Inventory: MS-11. Multiclass (Gorodkin's R_K): (c·s − t·p)/√((s² − p·p)(s² − t·t)) with
    c the correct count, s the total, t and p the true and predicted class totals. Returns 0
    when a denominator is zero (a constant prediction or a single true class).

    >>> round(matthews_corrcoef([1, 1, 0, 0], [1, 0, 0, 0]), 4)
    0.5774
    """
    _, cm = _counts(y_true, y_pred, None, sample_weight)
    t_sum = cm.sum(axis=1, dtype=np.float64)
    p_sum = cm.sum(axis=0, dtype=np.float64)
    n_correct = np.trace(cm, dtype=np.float64)
    n = p_sum.sum()
    cov_tp = n_correct * n - t_sum @ p_sum
    cov_pp = n**2 - p_sum @ p_sum
    cov_tt = n**2 - t_sum @ t_sum
    if cov_pp * cov_tt == 0:
        return 0.0
    return float(cov_tp / np.sqrt(cov_tt * cov_pp))


def hamming_loss(y_true, y_pred, *, sample_weight=None):
    """Share of wrongly predicted labels (1 − accuracy for single-label data).

    >>> hamming_loss([0, 1, 1, 0], [0, 1, 0, 0])
    0.25
    """
    _, y_true, y_pred = classification_targets(y_true, y_pred)
    w = check_weights(sample_weight, y_true.shape[0])
    wrong = y_true != y_pred
    return float(wrong.mean() if w is None else np.average(wrong, weights=w))
