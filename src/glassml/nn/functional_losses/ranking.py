"""Metric-learning and ranking losses: pairwise distance, cosine embedding, margin ranking,
triplet (complete, E-12), contrastive and RankNet. Inventory: LS-20..LS-22.

Example
-------
>>> from glassml.autograd import tensor
>>> pairwise_distance(tensor([[0.0, 0.0]]), tensor([[3.0, 4.0]]), eps=0.0).item()
5.0
"""

from __future__ import annotations

from glassml.autograd import where
from glassml.autograd.fused.loss import (
    _legacy_reduction,
    binary_cross_entropy_with_logits,
)

from ._common import (
    _check_01,
    _check_nonneg,
    _check_pm1,
    _reduce,
    _same_shape,
    _t,
)


# ----------------------------------------------------------------------------- metric learning
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension (``F.pairwise_distance``)."""
    return (_t(x1) - _t(x2) + eps).norm(p=p, dim=-1, keepdim=keepdim)


def cosine_embedding_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """L = 1 - cos(x1, x2) if y = 1, max(0, cos(x1, x2) - margin) if y = -1.

    cos = <x1, x2> / sqrt((|x1|^2 + 1e-12)(|x2|^2 + 1e-12)) over dim 1, like torch.
    Inventory: LS-20 (similarity losses).
    """
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "cosine_embedding_loss", ("input1", "input2"))
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if y.shape != x1.shape[:-1]:
        raise ValueError(
            f"cosine_embedding_loss: target must have shape {tuple(x1.shape[:-1])}, "
            f"got {tuple(y.shape)}"
        )
    _check_pm1(y, "cosine_embedding_loss")
    dot = (x1 * x2).sum(dim=-1)
    sq1 = (x1 * x1).sum(dim=-1) + 1e-12
    sq2 = (x2 * x2).sum(dim=-1) + 1e-12
    cos = dot / (sq1 * sq2).sqrt()
    loss = where(y.data == 1, 1.0 - cos, 0.0) + where(
        y.data == -1, (cos - float(margin)).clamp(min=0.0), 0.0
    )
    return _reduce(loss, reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"
):
    """Pairwise ranking hinge L = max(0, -y (x1 - x2) + margin), y in {-1, +1}. Inventory: LS-22."""
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "margin_ranking_loss", ("input1", "input2"))
    _same_shape(x1, y, "margin_ranking_loss", ("input1", "target"))
    _check_pm1(y, "margin_ranking_loss")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _reduce((-y * (x1 - x2) + float(margin)).clamp(min=0.0), reduction)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Triplet loss max(0, d(a, p) - d(a, n) + margin), d = ||. + eps||_p (torch's form).

    swap=True uses min(d(a, n), d(p, n)) (Balntas et al.). FaceNet's variant uses squared
    distances, max(0, ||a-p||^2 - ||a-n||^2 + m) (the seed's cell is cut off, E-12).
    Inventory: LS-20.
    """
    a, pos, neg = _t(anchor), _t(positive, "positive"), _t(negative, "negative")
    _same_shape(a, pos, "triplet_margin_loss", ("anchor", "positive"))
    _same_shape(a, neg, "triplet_margin_loss", ("anchor", "negative"))
    if not margin > 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    d_ap = pairwise_distance(a, pos, p, eps)
    d_an = pairwise_distance(a, neg, p, eps)
    if swap:
        d_pn = pairwise_distance(pos, neg, p, eps)
        d_an = d_an.minimum(d_pn)
    return _reduce((d_ap - d_an + float(margin)).clamp(min=0.0), reduction)


def contrastive_loss(input1, input2, target, margin=1.0, eps=1e-6, reduction="mean"):
    """Siamese contrastive loss y d^2 + (1 - y) max(0, margin - d)^2, d = ||x1 - x2 + eps||_2.

    y = 1 for similar pairs (pulled together), 0 for dissimilar (pushed beyond the margin).
    Inventory: LS-21.
    """
    x1, x2, y = _t(input1), _t(input2, "input2"), _t(target, "target")
    _same_shape(x1, x2, "contrastive_loss", ("input1", "input2"))
    if y.shape != x1.shape[:-1]:
        raise ValueError(
            f"contrastive_loss: target must have shape {tuple(x1.shape[:-1])}, got {tuple(y.shape)}"
        )
    _check_01(y, "contrastive_loss")
    margin = _check_nonneg(margin, "margin", "contrastive_loss")
    d = pairwise_distance(x1, x2, 2.0, eps)
    push = (margin - d).clamp(min=0.0)
    return _reduce(y * d * d + (1.0 - y) * push * push, reduction)


def ranknet_loss(score_i, score_j, target, sigma=1.0, reduction="mean"):
    """RankNet pairwise logistic loss: BCE(sigmoid(sigma (s_i - s_j)), P_ij).

    P_ij = 1 when item i should rank above j, 0 when below, 0.5 for ties. Inventory: LS-22.
    """
    si, sj, y = _t(score_i), _t(score_j, "score_j"), _t(target, "target")
    _same_shape(si, sj, "ranknet_loss", ("score_i", "score_j"))
    _same_shape(si, y, "ranknet_loss", ("score_i", "target"))
    if ((y.data < 0) | (y.data > 1)).any():
        raise ValueError("ranknet_loss: target probabilities must be in [0, 1]")
    return binary_cross_entropy_with_logits(float(sigma) * (si - sj), y, reduction=reduction)
