"""Loss functions as Modules (``torch.nn.MSELoss`` ...): the criterion holds the options, the
call computes :mod:`glassml.nn.functional_losses`. Same names, arguments, defaults and
``reduction`` semantics as PyTorch; class weights are registered as buffers like torch's.

Pairing guide (LS-28): regression -> MSELoss (or L1/Huber with outliers); binary -> one logit
+ BCEWithLogitsLoss (sigmoid + BCE, fused and stable); multi-class -> logits + CrossEntropyLoss
(softmax + CE = log_softmax + NLLLoss); never softmax before CrossEntropyLoss.

Inventory: LS-01..LS-28.

Example
-------
>>> from glassml.autograd import tensor
>>> HuberLoss(delta=1.0)(tensor([3.0]), tensor([0.0])).item()
2.5
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Tensor, as_tensor
from glassml.autograd.fused.loss import _legacy_reduction

from . import functional_losses as FL
from .module import Module

__all__ = [
    "MSELoss", "L1Loss", "HuberLoss", "SmoothL1Loss", "LogCoshLoss", "QuantileLoss",
    "PoissonNLLLoss", "TweedieLoss", "MAPELoss", "GaussianNLLLoss", "BCELoss",
    "BCEWithLogitsLoss", "HingeEmbeddingLoss", "HingeLoss", "SquaredHingeLoss",
    "SigmoidFocalLoss", "FocalLoss", "CrossEntropyLoss", "NLLLoss", "MultiMarginLoss",
    "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss",
    "ContrastiveLoss", "RankNetLoss", "DistillationLoss", "get_loss", "LOSSES",
]  # fmt: skip


def _check_reduction(reduction, allowed=("none", "mean", "sum")):
    if reduction not in allowed:
        raise ValueError(f"reduction must be one of {allowed}, got {reduction!r}")
    return reduction


class _Loss(Module):
    """Base of the criteria: stores ``reduction`` (legacy size_average/reduce mapped)."""

    _allowed = ("none", "mean", "sum")

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce, "mean")
        self.reduction = _check_reduction(reduction, self._allowed)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}" if self.reduction != "mean" else ""


def _as_buffer(value):
    """None, or a Tensor of ``value`` (arrays and lists accepted)."""
    if value is None or isinstance(value, Tensor):
        return value
    return as_tensor(np.asarray(value))


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))


class MSELoss(_Loss):
    """Mean squared error (x - y)^2. Inventory: LS-01, LS-26.

    >>> from glassml.autograd import tensor
    >>> MSELoss()(tensor([1.0, 2.0]), tensor([0.0, 0.0])).item()
    2.5
    """

    def forward(self, input, target):
        return FL.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error |x - y|. Inventory: LS-02, LS-25.

    >>> from glassml.autograd import tensor
    >>> L1Loss()(tensor([1.0, -3.0]), tensor([0.0, 0.0])).item()
    2.0
    """

    def forward(self, input, target):
        return FL.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss with threshold delta: 0.5 r^2 if |r| < delta else delta (|r| - delta/2).

    Inventory: LS-03.
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return FL.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Smooth L1 with threshold beta: 0.5 r^2 / beta if |r| < beta else |r| - beta/2. LS-03."""

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return FL.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class LogCoshLoss(_Loss):
    """log cosh(x - y) in the stable form |r| + log1p(e^{-2|r|}) - log 2. Inventory: LS-04."""

    def forward(self, input, target):
        return FL.log_cosh_loss(input, target, reduction=self.reduction)


class QuantileLoss(_Loss):
    """Pinball loss max(q r, (q - 1) r), r = y - x. Inventory: LS-05."""

    def __init__(self, quantile=0.5, reduction="mean"):
        super().__init__(reduction=reduction)
        self.quantile = quantile

    def forward(self, input, target):
        return FL.quantile_loss(input, target, quantile=self.quantile, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson NLL: exp(x) - y x (log_input) or x - y log(x + eps). Inventory: LS-06."""

    def __init__(
        self, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
        reduction="mean",
    ):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input, target):
        return FL.poisson_nll_loss(
            log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
            reduction=self.reduction,
        )  # fmt: skip


class TweedieLoss(_Loss):
    """Tweedie deviance for power p in (1, 2) on a predicted mean > 0. Inventory: LS-07."""

    def __init__(self, power=1.5, reduction="mean"):
        super().__init__(reduction=reduction)
        self.power = power

    def forward(self, input, target):
        return FL.tweedie_deviance_loss(input, target, power=self.power, reduction=self.reduction)


class MAPELoss(_Loss):
    """Mean absolute percentage error |y - x| / max(|y|, eps). Inventory: LS-08."""

    def forward(self, input, target):
        return FL.mape_loss(input, target, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian NLL 0.5 (log var + (x - y)^2 / var). Inventory: LS-06 (likelihood losses)."""

    def __init__(self, *, full=False, eps=1e-6, reduction="mean"):
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input, target, var):
        return FL.gaussian_nll_loss(
            input, target, var, full=self.full, eps=self.eps, reduction=self.reduction
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities, logs clamped at -100 like torch. Inventory: LS-09."""

    def forward(self, input, target):
        return FL.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + BCE fused and stable, with weight and pos_weight. Inventory: LS-09, LS-19."""

    def __init__(
        self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
    ):
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", _as_buffer(weight))
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input, target):
        return FL.binary_cross_entropy_with_logits(
            input, target, self.weight, pos_weight=self.pos_weight, reduction=self.reduction
        )


class HingeEmbeddingLoss(_Loss):
    """x if y = 1, max(0, margin - x) if y = -1. Inventory: LS-10."""

    def __init__(self, margin=1.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input, target):
        return FL.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class HingeLoss(_Loss):
    """SVM hinge max(0, margin - y s) for y in {-1, +1}, raw scores s (E-14). Inventory: LS-10."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.margin = margin

    def forward(self, input, target):
        return FL.hinge_loss(input, target, self.margin, reduction=self.reduction)


class SquaredHingeLoss(HingeLoss):
    """Squared hinge max(0, margin - y s)^2, y in {-1, +1}. Inventory: LS-11."""

    def forward(self, input, target):
        return FL.squared_hinge_loss(input, target, self.margin, reduction=self.reduction)


class SigmoidFocalLoss(_Loss):
    """Binary focal loss on logits -alpha_t (1 - p_t)^gamma log p_t (E-13). Inventory: LS-12.

    Default reduction "mean" (torchvision's functional default is "none").
    """

    def __init__(self, alpha=0.25, gamma=2.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.alpha, self.gamma = alpha, gamma

    def forward(self, input, target):
        return FL.sigmoid_focal_loss(input, target, self.alpha, self.gamma, self.reduction)


class FocalLoss(_Loss):
    """Multi-class focal loss with per-class alpha; gamma = 0, alpha = None is CE. LS-12."""

    def __init__(self, alpha=None, gamma=2.0, ignore_index=-100, reduction="mean"):
        super().__init__(reduction=reduction)
        if alpha is not None and not isinstance(alpha, Tensor):
            alpha = as_tensor(np.asarray(alpha, dtype=np.float32))
        self.register_buffer("alpha", alpha)  # cast to the input's dtype in forward
        self.gamma, self.ignore_index = gamma, ignore_index

    def forward(self, input, target):
        alpha = self.alpha
        if alpha is not None and alpha.dtype != input.dtype:
            alpha = alpha.to(input.dtype)
        return FL.focal_loss(input, target, alpha, self.gamma, self.ignore_index, self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy on logits against class indices or probabilities (fused log-softmax + NLL),
    with class weights, ignore_index and label smoothing (1 - eps) y + eps / C.
    Inventory: LS-13, LS-14, LS-15, LS-17, LS-19.

    >>> from glassml.autograd import tensor
    >>> round(CrossEntropyLoss()(tensor([[0.0, 0.0]]), tensor([1])).item(), 4)
    0.6931
    """

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
        label_smoothing=0.0,
    ):  # fmt: skip
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return FL.cross_entropy(
            input, target, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing,
        )  # fmt: skip


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood -w_t x_t on log-probabilities. Inventory: LS-18."""

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
    ):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return FL.nll_loss(
            input, target, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction,
        )  # fmt: skip


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge w_t / C sum_{j != t} max(0, margin - z_t + z_j)^p. LS-10, LS-11."""

    def __init__(
        self, p=1, margin=1.0, weight=None, size_average=None, reduce=None, reduction="mean"
    ):
        super().__init__(weight, size_average, reduce, reduction)
        self.p, self.margin = p, margin

    def forward(self, input, target):
        return FL.multi_margin_loss(
            input, target, self.p, self.margin, self.weight, reduction=self.reduction
        )


class KLDivLoss(_Loss):
    """KL divergence y (log y - x) on log-probabilities x; "batchmean" is the true KL.

    Inventory: LS-16.
    """

    _allowed = ("none", "mean", "sum", "batchmean")

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return FL.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """1 - cos(x1, x2) for y = 1, max(0, cos - margin) for y = -1. Inventory: LS-20."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return FL.cosine_embedding_loss(
            input1, input2, target, self.margin, reduction=self.reduction
        )


class MarginRankingLoss(_Loss):
    """max(0, -y (x1 - x2) + margin). Inventory: LS-22."""

    def __init__(self, margin=0.0, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1, input2, target):
        return FL.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """max(0, d(a, p) - d(a, n) + margin) with p-norm distances, optional swap. LS-20."""

    def __init__(
        self, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None, reduce=None,
        reduction="mean",
    ):  # fmt: skip
        super().__init__(size_average, reduce, reduction)
        if not margin > 0:
            raise ValueError(f"TripletMarginLoss: margin must be greater than 0, got {margin}")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor, positive, negative):
        return FL.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
            reduction=self.reduction,
        )  # fmt: skip


class ContrastiveLoss(_Loss):
    """Siamese y d^2 + (1 - y) max(0, margin - d)^2 (y = 1 similar). Inventory: LS-21."""

    def __init__(self, margin=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        if not margin >= 0:
            raise ValueError(f"ContrastiveLoss: margin must be >= 0, got {margin}")
        self.margin = margin

    def forward(self, input1, input2, target):
        return FL.contrastive_loss(input1, input2, target, self.margin, reduction=self.reduction)


class RankNetLoss(_Loss):
    """RankNet pairwise logistic loss BCE(sigmoid(sigma (s_i - s_j)), P_ij). LS-22."""

    def __init__(self, sigma=1.0, reduction="mean"):
        super().__init__(reduction=reduction)
        self.sigma = sigma

    def forward(self, score_i, score_j, target):
        return FL.ranknet_loss(score_i, score_j, target, self.sigma, reduction=self.reduction)


class DistillationLoss(Module):
    """alpha T^2 KL(softmax(z_t/T) || softmax(z_s/T)) + (1 - alpha) CE(z_s, y). LS-27."""

    def __init__(self, temperature=2.0, alpha=0.5):
        super().__init__()
        self.temperature, self.alpha = temperature, alpha

    def forward(self, student_logits, teacher_logits, target=None):
        return FL.distillation_loss(
            student_logits, teacher_logits, target, self.temperature, self.alpha
        )


LOSSES = {
    # regression
    "mse": MSELoss, "mean_squared_error": MSELoss, "l2": MSELoss,
    "mae": L1Loss, "l1": L1Loss, "mean_absolute_error": L1Loss,
    "huber": HuberLoss, "smooth_l1": SmoothL1Loss, "log_cosh": LogCoshLoss, "logcosh": LogCoshLoss,
    "quantile": QuantileLoss, "pinball": QuantileLoss, "poisson": PoissonNLLLoss,
    "tweedie": TweedieLoss, "mape": MAPELoss, "mean_absolute_percentage_error": MAPELoss,
    "gaussian_nll": GaussianNLLLoss,
    # binary
    "bce": BCELoss, "binary_crossentropy": BCELoss, "binary_cross_entropy": BCELoss,
    "bce_with_logits": BCEWithLogitsLoss, "hinge": HingeLoss, "squared_hinge": SquaredHingeLoss,
    "hinge_embedding": HingeEmbeddingLoss, "binary_focal": SigmoidFocalLoss,
    "sigmoid_focal": SigmoidFocalLoss,
    # multi-class
    "cross_entropy": CrossEntropyLoss, "categorical_crossentropy": CrossEntropyLoss,
    "sparse_categorical_crossentropy": CrossEntropyLoss, "nll": NLLLoss, "focal": FocalLoss,
    "multi_margin": MultiMarginLoss, "kl_div": KLDivLoss, "kld": KLDivLoss,
    "kullback_leibler_divergence": KLDivLoss,
    # metric learning and ranking
    "cosine_embedding": CosineEmbeddingLoss, "margin_ranking": MarginRankingLoss,
    "triplet": TripletMarginLoss, "contrastive": ContrastiveLoss, "ranknet": RankNetLoss,
    "distillation": DistillationLoss,
}  # fmt: skip


def get_loss(name, **kwargs) -> Module:
    """A loss Module by name (Keras-style names accepted). Inventory: LS-28.

    Pairing guide (which output layer goes with which loss):

    ============================  =====================  ==================================
    task                          model output           loss name
    ============================  =====================  ==================================
    regression                    linear                 "mse" ("mae"/"huber" if outliers)
    counts / rates                log-rate (linear)      "poisson" (log_input=True)
    quantile / interval           linear                 "quantile" (quantile=q)
    binary classification         1 logit                "bce_with_logits" (sigmoid + BCE)
    binary, probabilities given   sigmoid                "bce" / "binary_crossentropy"
    binary, imbalanced            1 logit                "binary_focal"
    multi-class, integer labels   C logits               "sparse_categorical_crossentropy"
    multi-class, one-hot / soft   C logits               "categorical_crossentropy"
    multi-class, log-probs        log_softmax            "nll"
    max-margin (SVM)              raw score, y = +-1     "hinge" / "squared_hinge"
    embeddings / similarity       vectors                "triplet" / "contrastive"
    ============================  =====================  ==================================

    Keras' "categorical_crossentropy" takes probability (one-hot) targets and
    "sparse_categorical_crossentropy" integer labels; here both are ``CrossEntropyLoss`` on
    logits, which accepts either target form.

    >>> get_loss("sparse_categorical_crossentropy")
    CrossEntropyLoss()
    """
    key = str(name).lower().replace("-", "_").replace(" ", "_")
    if key not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {sorted(LOSSES)}")
    return LOSSES[key](**kwargs)
