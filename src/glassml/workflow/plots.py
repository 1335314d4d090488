"""Evaluation plots written by ``glassml train`` (PNG through matplotlib's Agg backend).

Classification: confusion matrix C[i, j] = #{true class i, predicted j}; ROC curves
(TPR vs FPR as the threshold sweeps the score; one-vs-rest per class for more than two).
Regression: residuals y − ŷ against ŷ, and ŷ against y with the identity line.
Any task: the learning curve (train and validation score against training-set size).
Inventory: OT-07 (evaluate), ME-xx metrics from glassml.metrics.

Example
-------
>>> # confusion_matrix_plot(y_true, y_pred, labels, "out/confusion_matrix.png")
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .. import metrics  # noqa: E402

__all__ = [
    "confusion_matrix_plot",
    "roc_plot",
    "residuals_plot",
    "predicted_vs_true_plot",
    "learning_curve_plot",
]


def _save(fig, path) -> Path:
    path = Path(path)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def confusion_matrix_plot(y_true, y_pred, labels, path) -> Path:
    """Heat map of the confusion matrix with counts written in the cells."""
    cm = metrics.confusion_matrix(y_true, y_pred, labels=labels)  # (k, k)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(cm, cmap="Blues")
    k = len(labels)
    ax.set_xticks(range(k), [str(c) for c in labels], rotation=45 if k > 4 else 0)
    ax.set_yticks(range(k), [str(c) for c in labels])
    if k <= 20:
        for i, j in np.ndindex(cm.shape):
            color = "white" if cm[i, j] > cm.max() / 2 else "black"
            ax.text(j, i, int(cm[i, j]), ha="center", va="center", color=color, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix")
    return _save(fig, path)


def roc_plot(y_true, scores, classes, path) -> Path:
    """ROC curve(s): binary from the positive-class score, else one-vs-rest per class."""
    scores = np.asarray(scores)
    fig, ax = plt.subplots(figsize=(4.5, 4))
    if scores.ndim == 1 or scores.shape[1] == 1 or len(classes) == 2:
        positive = scores if scores.ndim == 1 else scores[:, -1]  # (n,)
        fpr, tpr, _ = metrics.roc_curve(y_true == classes[-1], positive)
        ax.plot(fpr, tpr, label=f"AUC = {metrics.auc(fpr, tpr):.3f}")
    else:
        for j, c in enumerate(classes):
            fpr, tpr, _ = metrics.roc_curve(y_true == c, scores[:, j])
            ax.plot(fpr, tpr, label=f"{c} vs rest (AUC = {metrics.auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], color="gray", linestyle=":")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("ROC")
    ax.legend(fontsize=7, loc="lower right")
    return _save(fig, path)


def residuals_plot(y_true, y_pred, path) -> Path:
    """Residuals y − ŷ against predictions ŷ (a pattern means the model misses structure)."""
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(y_pred, y_true - y_pred, s=10, alpha=0.7)
    ax.axhline(0.0, color="gray", linestyle=":")
    ax.set_xlabel("predicted")
    ax.set_ylabel("residual (true − predicted)")
    ax.set_title("residuals")
    return _save(fig, path)


def predicted_vs_true_plot(y_true, y_pred, path) -> Path:
    """Predictions against truth with the identity line ŷ = y."""
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.scatter(y_true, y_pred, s=10, alpha=0.7)
    lo, hi = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.plot([lo, hi], [lo, hi], color="gray", linestyle=":")
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax.set_title("predicted vs true")
    return _save(fig, path)


def learning_curve_plot(sizes, train_scores, test_scores, scoring, path) -> Path:
    """Mean ± std of train and validation scores against the number of training samples."""
    fig, ax = plt.subplots(figsize=(4.5, 4))
    for scores, label in ((train_scores, "train"), (test_scores, "validation")):
        mean, std = scores.mean(axis=1), scores.std(axis=1)  # (n_ticks,)
        ax.plot(sizes, mean, marker="o", label=label)
        ax.fill_between(sizes, mean - std, mean + std, alpha=0.2)
    ax.set_xlabel("training samples")
    ax.set_ylabel(scoring)
    ax.set_title("learning curve")
    ax.legend()
    return _save(fig, path)
