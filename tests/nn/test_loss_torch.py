"""Every loss of glassml.nn against PyTorch (torch==2.13.0, test-only): same value and the same
input gradients under a random upstream gradient, for each reduction and option.

Losses that torch lacks (log-cosh, pinball, Tweedie, MAPE, hinge, focal, contrastive, RankNet,
VAE KL, distillation) are checked against a direct torch transcription of their formula.
Inventory: LS-01..LS-27.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
from glassml.nn import functional_losses as F

torch.set_num_threads(1)
TOL = {np.float64: dict(rtol=1e-7, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-5)}
REDUCTIONS = ("none", "mean", "sum")


def _reduce_t(loss, reduction):
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def _run(ours, ref, arrays, grad_idx, dtype, seed=0):
    """Value and gradients of ours(*glassml tensors) vs ref(*torch tensors)."""
    g_in, t_in = [], []
    for i, a in enumerate(arrays):
        if a is None:
            g_in.append(None)
            t_in.append(None)
            continue
        a = np.asarray(a)
        if np.issubdtype(a.dtype, np.floating):
            a = a.astype(dtype)
        g_in.append(ag.tensor(a, requires_grad=i in grad_idx))
        t_in.append(torch.tensor(a, requires_grad=i in grad_idx))
    out, tout = ours(*g_in), ref(*t_in)
    tol = TOL[dtype]
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **tol)
    u = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    out.backward(ag.tensor(u))
    tout.backward(torch.tensor(u))
    for i in grad_idx:
        np.testing.assert_allclose(g_in[i].grad.data, t_in[i].grad.numpy(), **tol)


rng = np.random.default_rng(42)
X = rng.standard_normal((6, 5)) * 2
Y = rng.standard_normal((6, 5)) * 2
POS = rng.uniform(0.2, 3.0, (6, 5))
COUNTS = rng.poisson(2.0, (6, 5)).astype(float)
PROB = rng.uniform(0.02, 0.98, (6, 5))
BIN = (rng.random((6, 5)) < 0.4).astype(float)
PM1 = np.where(rng.random((6, 5)) < 0.5, -1.0, 1.0)
PM1_ROW = np.where(rng.random(6) < 0.5, -1.0, 1.0)
LOGITS = rng.standard_normal((7, 4)) * 3
LABELS = rng.integers(0, 4, 7)
W4 = rng.uniform(0.2, 2.0, 4)


def _case(name, ours, ref, arrays, grad_idx=(0,)):
    return pytest.param(ours, ref, arrays, grad_idx, id=name)


def _logcosh_ref(x, y, reduction):
    return _reduce_t(torch.log(torch.cosh(x - y)), reduction)


def _quantile_ref(q):
    def ref(x, y, reduction):
        r = y - x
        return _reduce_t(torch.maximum(q * r, (q - 1) * r), reduction)

    return ref


def _tweedie_ref(p):
    def ref(mu, y, reduction):
        d = 2 * (
            y ** (2 - p) / ((1 - p) * (2 - p))
            - y * mu ** (1 - p) / (1 - p)
            + mu ** (2 - p) / (2 - p)
        )
        return _reduce_t(d, reduction)

    return ref


def _mape_ref(x, y, reduction):
    return _reduce_t((x - y).abs() / y.abs().clamp(min=np.finfo(np.float64).eps), reduction)


def _hinge_ref(sq):
    def ref(x, y, reduction):
        h = torch.clamp(1 - y * x, min=0)
        return _reduce_t(h**2 if sq else h, reduction)

    return ref


def _torchvision_focal(alpha, gamma):
    """torchvision.ops.sigmoid_focal_loss, transcribed."""

    def ref(x, y, reduction):
        p = torch.sigmoid(x)
        ce = TF.binary_cross_entropy_with_logits(x, y, reduction="none")
        p_t = p * y + (1 - p) * (1 - y)
        loss = ce * ((1 - p_t) ** gamma)
        if alpha >= 0:
            loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
        return _reduce_t(loss, reduction)

    return ref


def _focal_ref(alpha, gamma):
    def ref(z, t, reduction):
        logp = torch.log_softmax(z, 1)
        logp_t = logp.gather(1, t[:, None])[:, 0]
        loss = -((1 - logp_t.exp()) ** gamma) * logp_t
        if alpha is not None:
            loss = loss * torch.as_tensor(alpha, dtype=z.dtype)[t]
        return _reduce_t(loss, reduction)

    return ref


def _contrastive_ref(m):
    def ref(a, b, y, reduction):
        d = TF.pairwise_distance(a, b)
        return _reduce_t(y * d**2 + (1 - y) * torch.clamp(m - d, min=0) ** 2, reduction)

    return ref


def _ranknet_ref(si, sj, y, reduction):
    p = torch.sigmoid(si - sj)
    return _reduce_t(-(y * torch.log(p) + (1 - y) * torch.log(1 - p)), reduction)


def _red(fn, **kw):
    """ours/ref factory: a callable taking (*tensors, reduction)."""
    return lambda reduction: lambda *a: fn(*a, reduction=reduction, **kw)


CASES = [
    _case("mse", _red(F.mse_loss), _red(TF.mse_loss), [X, Y], (0, 1)),
    _case("l1", _red(F.l1_loss), _red(TF.l1_loss), [X, Y], (0, 1)),
    _case(
        "huber_d0.5", _red(F.huber_loss, delta=0.5), _red(TF.huber_loss, delta=0.5), [X, Y], (0, 1)
    ),
    _case(
        "huber_d2", _red(F.huber_loss, delta=2.0), _red(TF.huber_loss, delta=2.0), [X, Y], (0, 1)
    ),
    _case("smooth_l1_b1", _red(F.smooth_l1_loss), _red(TF.smooth_l1_loss), [X, Y], (0, 1)),
    _case(
        "smooth_l1_b0.3",
        _red(F.smooth_l1_loss, beta=0.3),
        _red(TF.smooth_l1_loss, beta=0.3),
        [X, Y],
    ),
    _case(
        "smooth_l1_b0", _red(F.smooth_l1_loss, beta=0.0), _red(TF.smooth_l1_loss, beta=0.0), [X, Y]
    ),
    _case(
        "log_cosh",
        _red(F.log_cosh_loss),
        lambda r: lambda x, y: _logcosh_ref(x, y, r),
        [X, Y],
        (0, 1),
    ),
    _case(
        "quantile_0.9",
        _red(F.quantile_loss, quantile=0.9),
        lambda r: lambda x, y: _quantile_ref(0.9)(x, y, r),
        [X, Y],
        (0, 1),
    ),
    _case(
        "quantile_0.2",
        _red(F.quantile_loss, quantile=0.2),
        lambda r: lambda x, y: _quantile_ref(0.2)(x, y, r),
        [X, Y],
    ),
    _case("poisson_log", _red(F.poisson_nll_loss), _red(TF.poisson_nll_loss), [X, COUNTS]),
    _case(
        "poisson_rate_full",
        _red(F.poisson_nll_loss, log_input=False, full=True),
        _red(TF.poisson_nll_loss, log_input=False, full=True),
        [POS, COUNTS],
    ),
    _case(
        "poisson_log_full",
        _red(F.poisson_nll_loss, full=True),
        _red(TF.poisson_nll_loss, full=True),
        [X, COUNTS],
    ),
    _case(
        "tweedie_1.5",
        _red(F.tweedie_deviance_loss),
        lambda r: lambda m, y: _tweedie_ref(1.5)(m, y, r),
        [POS, COUNTS + 0.5],
    ),
    _case(
        "tweedie_1.2",
        _red(F.tweedie_deviance_loss, power=1.2),
        lambda r: lambda m, y: _tweedie_ref(1.2)(m, y, r),
        [POS, POS[::-1]],
    ),
    _case("mape", _red(F.mape_loss), lambda r: lambda x, y: _mape_ref(x, y, r), [X, Y]),
    _case(
        "bce",
        _red(F.binary_cross_entropy),
        _red(TF.binary_cross_entropy),
        [PROB, PROB[::-1]],
        (0, 1),
    ),
    _case(
        "bce_binary_targets",
        _red(F.binary_cross_entropy),
        _red(TF.binary_cross_entropy),
        [PROB, BIN],
    ),
    _case(
        "bce_logits",
        _red(F.binary_cross_entropy_with_logits),
        _red(TF.binary_cross_entropy_with_logits),
        [X, BIN],
        (0,),
    ),
    _case(
        "bce_logits_extreme",
        _red(F.binary_cross_entropy_with_logits),
        _red(TF.binary_cross_entropy_with_logits),
        [np.where(BIN > 0, -100.0, 100.0) + X * 0.01, BIN],
    ),
    _case(
        "hinge_embedding",
        _red(F.hinge_embedding_loss, margin=1.5),
        _red(TF.hinge_embedding_loss, margin=1.5),
        [X, PM1],
    ),
    _case("hinge", _red(F.hinge_loss), lambda r: lambda x, y: _hinge_ref(False)(x, y, r), [X, PM1]),
    _case(
        "squared_hinge",
        _red(F.squared_hinge_loss),
        lambda r: lambda x, y: _hinge_ref(True)(x, y, r),
        [X, PM1],
    ),
    _case(
        "sigmoid_focal",
        _red(F.sigmoid_focal_loss),
        lambda r: lambda x, y: _torchvision_focal(0.25, 2.0)(x, y, r),
        [X, BIN],
    ),
    _case(
        "sigmoid_focal_noalpha_g1.5",
        _red(F.sigmoid_focal_loss, alpha=-1, gamma=1.5),
        lambda r: lambda x, y: _torchvision_focal(-1, 1.5)(x, y, r),
        [X, BIN],
    ),
    _case(
        "sigmoid_focal_soft_targets",
        _red(F.sigmoid_focal_loss, alpha=0.6, gamma=3.0),
        lambda r: lambda x, y: _torchvision_focal(0.6, 3.0)(x, y, r),
        [X, PROB],
    ),
    _case(
        "focal_multiclass",
        _red(F.focal_loss),
        lambda r: lambda z, t: _focal_ref(None, 2.0)(z, t, r),
        [LOGITS, LABELS],
    ),
    _case(
        "focal_multiclass_alpha",
        _red(F.focal_loss, alpha=W4, gamma=1.0),
        lambda r: lambda z, t: _focal_ref(W4, 1.0)(z, t, r),
        [LOGITS, LABELS],
    ),
    _case("cross_entropy", _red(F.cross_entropy), _red(TF.cross_entropy), [LOGITS, LABELS]),
    _case(
        "cross_entropy_smooth",
        _red(F.cross_entropy, label_smoothing=0.1),
        _red(TF.cross_entropy, label_smoothing=0.1),
        [LOGITS, LABELS],
    ),
    _case(
        "cross_entropy_probs",
        _red(F.cross_entropy),
        _red(TF.cross_entropy),
        [LOGITS, np.eye(4)[LABELS] * 0.7 + 0.075],
    ),
    _case("nll", _red(F.nll_loss), _red(TF.nll_loss), [LOGITS - 5, LABELS]),
    _case(
        "multi_margin_p1", _red(F.multi_margin_loss), _red(TF.multi_margin_loss), [LOGITS, LABELS]
    ),
    _case(
        "multi_margin_p2",
        _red(F.multi_margin_loss, p=2, margin=2.0),
        _red(TF.multi_margin_loss, p=2, margin=2.0),
        [LOGITS, LABELS],
    ),
    _case("kl_div", _red(F.kl_div), _red(TF.kl_div), [np.log(PROB), PROB[::-1]], (0, 1)),
    _case(
        "kl_div_log_target",
        _red(F.kl_div, log_target=True),
        _red(TF.kl_div, log_target=True),
        [np.log(PROB), np.log(PROB[::-1])],
        (0, 1),
    ),
    _case(
        "cosine_embedding",
        _red(F.cosine_embedding_loss, margin=0.2),
        _red(TF.cosine_embedding_loss, margin=0.2),
        [X, Y, PM1_ROW],
        (0, 1),
    ),
    _case(
        "margin_ranking",
        _red(F.margin_ranking_loss, margin=0.3),
        _red(TF.margin_ranking_loss, margin=0.3),
        [X[:, 0], Y[:, 0], PM1_ROW],
        (0, 1),
    ),
    _case(
        "triplet",
        _red(F.triplet_margin_loss, margin=2.0),
        _red(TF.triplet_margin_loss, margin=2.0),
        [X, Y, X[::-1]],
        (0, 1, 2),
    ),
    _case(
        "triplet_p1_swap",
        _red(F.triplet_margin_loss, margin=3.0, p=1, swap=True),
        _red(TF.triplet_margin_loss, margin=3.0, p=1, swap=True),
        [X, Y, X[::-1] * 0.5],
        (0, 1, 2),
    ),
    _case(
        "contrastive",
        _red(F.contrastive_loss, margin=5.0),
        lambda r: lambda a, b, y: _contrastive_ref(5.0)(a, b, y, r),
        [X, Y, BIN[:, 0]],
        (0, 1),
    ),
    _case(
        "ranknet",
        _red(F.ranknet_loss),
        lambda r: lambda a, b, y: _ranknet_ref(a, b, y, r),
        [X[:, 0], Y[:, 0], BIN[:, 0]],
        (0, 1),
    ),
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("ours", "ref", "arrays", "grad_idx"), CASES)
def test_loss_matches_torch(ours, ref, arrays, grad_idx, reduction, dtype):
    _run(ours(reduction), ref(reduction), arrays, grad_idx, dtype)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_weights_and_pos_weight_match_torch(reduction):
    for dtype in (np.float64, np.float32):
        w = PROB[0].astype(dtype)  # (5,) broadcast over rows
        _run(
            lambda x, y, ww: F.binary_cross_entropy(x, y, weight=ww, reduction=reduction),
            lambda x, y, ww: TF.binary_cross_entropy(x, y, weight=ww, reduction=reduction),
            [PROB, BIN, w], (0,), dtype,
        )  # fmt: skip
        _run(
            lambda x, y, ww, pw: F.binary_cross_entropy_with_logits(
                x, y, weight=ww, pos_weight=pw, reduction=reduction),
            lambda x, y, ww, pw: TF.binary_cross_entropy_with_logits(
                x, y, weight=ww, pos_weight=pw, reduction=reduction),
            [X, BIN, w, POS[1]], (0,), dtype,
        )  # fmt: skip
        _run(
            lambda z, t, ww: F.cross_entropy(z, t, weight=ww, reduction=reduction,
                                             label_smoothing=0.2, ignore_index=2),
            lambda z, t, ww: TF.cross_entropy(z, t, weight=ww, reduction=reduction,
                                              label_smoothing=0.2, ignore_index=2),
            [LOGITS, LABELS, W4], (0,), dtype,
        )  # fmt: skip
        _run(
            lambda z, t, ww: F.multi_margin_loss(z, t, weight=ww, reduction=reduction),
            lambda z, t, ww: TF.multi_margin_loss(z, t, weight=ww, reduction=reduction),
            [LOGITS, LABELS, W4], (0,), dtype,
        )  # fmt: skip
        _run(
            lambda z, t, ww: F.nll_loss(z, t, weight=ww, reduction=reduction, ignore_index=1),
            lambda z, t, ww: TF.nll_loss(z, t, weight=ww, reduction=reduction, ignore_index=1),
            [LOGITS, LABELS, W4], (0,), dtype,
        )  # fmt: skip


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_batchmean_and_zero_targets(reduction, log_target):
    target = PROB[::-1].copy()
    if not log_target:
        target[0, :2] = 0.0  # 0 log 0 = 0
    else:
        target = np.log(target)
    for dtype in (np.float64, np.float32):
        _run(
            lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target),
            lambda x, y: TF.kl_div(x, y, reduction=reduction, log_target=log_target),
            [np.log(PROB), target], (0,), dtype,
        )  # fmt: skip


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(ag.tensor(np.log(PROB)), ag.tensor(PROB))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", ["full", "dropped", "last1"])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_matches_torch(reduction, var_shape, full):
    var = {"full": POS, "dropped": POS[:, 0], "last1": POS[:, :1]}[var_shape].copy()
    var.flat[0] = 1e-9  # clamped at eps with the gradient passed through
    for dtype in (np.float64, np.float32):
        _run(
            lambda x, y, v: F.gaussian_nll_loss(x, y, v, full=full, reduction=reduction),
            lambda x, y, v: TF.gaussian_nll_loss(x, y, v, full=full, reduction=reduction),
            [X, Y, var], (0, 1, 2), dtype,
        )  # fmt: skip


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")
def test_ignore_index_everywhere_gives_nan_like_torch():
    t = np.full(7, -100)
    ours = F.cross_entropy(ag.tensor(LOGITS), ag.tensor(t))
    ref = TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(t))
    assert np.isnan(ours.item()) and np.isnan(ref.item())
    assert F.cross_entropy(ag.tensor(LOGITS), ag.tensor(t), reduction="sum").item() == 0.0
    assert np.isnan(F.focal_loss(ag.tensor(LOGITS), ag.tensor(t)).item())


def test_zero_weights_and_extreme_logits_stay_finite():
    z = np.array([[100.0, -100.0, 0.0], [-100.0, 100.0, 0.0]])
    t = np.array([1, 1])
    w = np.array([1.0, 0.0, 2.0])
    for reduction in ("sum", "mean", "none"):
        _run(
            lambda a, b, c, r=reduction: F.cross_entropy(a, b, weight=c, reduction=r),
            lambda a, b, c, r=reduction: TF.cross_entropy(a, b, weight=c, reduction=r),
            [z, t, w],
            (0,),
            np.float64,
        )
    x = ag.tensor(z, requires_grad=True)
    loss = F.focal_loss(x, ag.tensor(t), gamma=2.0)
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.data).all()
    xb = ag.tensor(np.array([-100.0, 100.0, 100.0, -100.0]), requires_grad=True)
    lb = F.sigmoid_focal_loss(xb, ag.tensor(np.array([1.0, 0.0, 1.0, 0.0])), reduction="sum")
    lb.backward()
    assert np.isfinite(lb.item()) and np.isfinite(xb.grad.data).all()
    assert lb.item() == pytest.approx(0.25 * 100 + 0.75 * 100, rel=1e-9)
    lc = F.log_cosh_loss(
        ag.tensor(np.array([800.0, -1e4])), ag.tensor(np.zeros(2)), reduction="none"
    )
    np.testing.assert_allclose(lc.data, [800 - np.log(2), 1e4 - np.log(2)], rtol=1e-12)


def test_focal_gamma0_reduces_to_cross_entropy():
    z, t = ag.tensor(LOGITS), ag.tensor(LABELS)
    np.testing.assert_allclose(
        F.focal_loss(z, t, gamma=0.0).item(),
        TF.cross_entropy(torch.tensor(LOGITS), torch.tensor(LABELS)).item(),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        F.focal_loss(z, t, alpha=W4, gamma=0.0, reduction="sum").item(),
        TF.cross_entropy(
            torch.tensor(LOGITS), torch.tensor(LABELS), weight=torch.tensor(W4), reduction="sum"
        ).item(),
        rtol=1e-12,
    )
    xb, yb = ag.tensor(X), ag.tensor(BIN)
    np.testing.assert_allclose(
        F.sigmoid_focal_loss(xb, yb, alpha=-1, gamma=0.0, reduction="mean").item(),
        TF.binary_cross_entropy_with_logits(torch.tensor(X), torch.tensor(BIN)).item(),
        rtol=1e-12,
    )
