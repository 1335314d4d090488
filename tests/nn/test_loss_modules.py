"""Loss Modules, the registry, losses without a torch counterpart (finite differences,
scikit-learn oracles), the GAN/VAE/distillation pieces and bad input. Inventory: LS-01..LS-28."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import mean_absolute_percentage_error, mean_pinball_loss, mean_tweedie_deviance

import glassml.autograd as ag
from glassml.autograd import gradcheck
from glassml.nn import functional_losses as F
from glassml.nn import loss as L

torch.set_num_threads(1)
rng = np.random.default_rng(7)
X = rng.standard_normal((5, 4))
Y = rng.standard_normal((5, 4))
POS = rng.uniform(0.3, 3.0, (5, 4))
LOGITS = rng.standard_normal((6, 3)) * 2
LABELS = np.array([0, 2, 1, 1, 0, 2])


def _tt(a, grad=False):
    return torch.tensor(a, requires_grad=grad)


# (our module, torch module, inputs) with non-default options: module plumbing and defaults
MODULE_PAIRS = [
    (L.MSELoss(reduction="sum"), tnn.MSELoss(reduction="sum"), [X, Y]),
    (L.L1Loss(), tnn.L1Loss(), [X, Y]),
    (L.HuberLoss(delta=0.7), tnn.HuberLoss(delta=0.7), [X, Y]),
    (L.SmoothL1Loss(beta=0.4, reduction="none"), tnn.SmoothL1Loss(beta=0.4, reduction="none"), [X, Y]),
    (L.PoissonNLLLoss(log_input=False, full=True), tnn.PoissonNLLLoss(log_input=False, full=True), [POS, np.round(POS * 2)]),
    (L.BCELoss(weight=ag.tensor(POS[0])), tnn.BCELoss(weight=_tt(POS[0])), [1 / (1 + np.exp(-X)), (Y > 0) * 1.0]),
    (L.BCEWithLogitsLoss(pos_weight=ag.tensor(POS[1])), tnn.BCEWithLogitsLoss(pos_weight=_tt(POS[1])), [X, (Y > 0) * 1.0]),
    (L.HingeEmbeddingLoss(margin=0.5), tnn.HingeEmbeddingLoss(margin=0.5), [X, np.sign(Y)]),
    (L.CrossEntropyLoss(weight=ag.tensor(np.array([1.0, 2.0, 0.5])), label_smoothing=0.1, ignore_index=2),
     tnn.CrossEntropyLoss(weight=_tt(np.array([1.0, 2.0, 0.5])), label_smoothing=0.1, ignore_index=2), [LOGITS, LABELS]),
    (L.NLLLoss(reduction="sum"), tnn.NLLLoss(reduction="sum"), [LOGITS, LABELS]),
    (L.MultiMarginLoss(p=2, margin=0.5), tnn.MultiMarginLoss(p=2, margin=0.5), [LOGITS, LABELS]),
    (L.KLDivLoss(reduction="batchmean", log_target=True), tnn.KLDivLoss(reduction="batchmean", log_target=True), [X, Y]),
    (L.CosineEmbeddingLoss(margin=0.1), tnn.CosineEmbeddingLoss(margin=0.1), [X, Y, np.sign(Y[:, 0])]),
    (L.MarginRankingLoss(margin=0.2), tnn.MarginRankingLoss(margin=0.2), [X[:, 0], Y[:, 0], np.sign(Y[:, 1])]),
    (L.TripletMarginLoss(margin=0.5, swap=True), tnn.TripletMarginLoss(margin=0.5, swap=True), [X, Y, X[::-1].copy()]),
    (L.GaussianNLLLoss(full=True), tnn.GaussianNLLLoss(full=True), [X, Y, POS]),
]  # fmt: skip


@pytest.mark.parametrize(("ours", "ref", "arrays"), MODULE_PAIRS, ids=lambda v: type(v).__name__)
def test_module_matches_torch_module(ours, ref, arrays):
    g = [ag.tensor(a, requires_grad=i == 0) for i, a in enumerate(arrays)]
    t = [_tt(a, i == 0) for i, a in enumerate(arrays)]
    out, tout = ours(*g), ref(*t)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-7, atol=1e-12)
    u = rng.standard_normal(out.shape)
    out.backward(ag.tensor(u))
    tout.backward(torch.tensor(u))
    np.testing.assert_allclose(g[0].grad.data, t[0].grad.numpy(), rtol=1e-7, atol=1e-12)
    assert ours.reduction == ref.reduction


@pytest.mark.filterwarnings("ignore:size_average and reduce:UserWarning")
def test_module_defaults_match_torch():
    pairs = [(L.HuberLoss(), tnn.HuberLoss(), "delta"), (L.SmoothL1Loss(), tnn.SmoothL1Loss(), "beta"),
             (L.TripletMarginLoss(), tnn.TripletMarginLoss(), "margin"),
             (L.CrossEntropyLoss(), tnn.CrossEntropyLoss(), "ignore_index"),
             (L.CrossEntropyLoss(), tnn.CrossEntropyLoss(), "label_smoothing"),
             (L.PoissonNLLLoss(), tnn.PoissonNLLLoss(), "eps"),
             (L.MultiMarginLoss(), tnn.MultiMarginLoss(), "margin"),
             (L.KLDivLoss(), tnn.KLDivLoss(), "log_target")]  # fmt: skip
    for ours, ref, attr in pairs:
        assert getattr(ours, attr) == getattr(ref, attr), (type(ours).__name__, attr)
    assert L.MSELoss(size_average=False).reduction == tnn.MSELoss(size_average=False).reduction
    assert L.L1Loss(reduce=False).reduction == tnn.L1Loss(reduce=False).reduction
    assert "weight" in dict(L.CrossEntropyLoss(weight=ag.tensor([1.0, 2.0])).named_buffers())


def test_registry_names_and_errors():
    assert isinstance(L.get_loss("mse"), L.MSELoss)
    assert isinstance(L.get_loss("sparse_categorical_crossentropy"), L.CrossEntropyLoss)
    assert isinstance(L.get_loss("Binary-Crossentropy"), L.BCELoss)
    assert L.get_loss("huber", delta=3.0).delta == 3.0
    assert isinstance(L.get_loss("focal", gamma=1.0), L.FocalLoss)
    with pytest.raises(ValueError, match="unknown loss 'msee'"):
        L.get_loss("msee")
    for name, cls in L.LOSSES.items():
        assert isinstance(L.get_loss(name), cls)


def test_sklearn_oracles_for_tweedie_pinball_mape():
    mu, y = POS.ravel(), np.round(POS[::-1].ravel() * 2)
    ours = F.tweedie_deviance_loss(ag.tensor(mu), ag.tensor(y), power=1.5).item()
    assert ours == pytest.approx(mean_tweedie_deviance(y, mu, power=1.5), rel=1e-10)
    q = 0.8
    ours = F.quantile_loss(ag.tensor(X.ravel()), ag.tensor(Y.ravel()), quantile=q).item()
    assert ours == pytest.approx(mean_pinball_loss(Y.ravel(), X.ravel(), alpha=q), rel=1e-10)
    ours = F.mape_loss(ag.tensor(X.ravel()), ag.tensor(Y.ravel())).item()
    assert ours == pytest.approx(mean_absolute_percentage_error(Y.ravel(), X.ravel()), rel=1e-10)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x, y: F.log_cosh_loss(x, y, reduction="none"),
        lambda x, y: F.quantile_loss(x, y, quantile=0.3, reduction="none"),
        lambda x, y: F.tweedie_deviance_loss(x.abs() + 0.5, y.abs(), power=1.7, reduction="none"),
        lambda x, y: F.mape_loss(x, y, reduction="none"),
        lambda x, y: F.huber_loss(x, y, delta=0.8, reduction="none"),
        lambda x, y: F.contrastive_loss(x, y, ag.tensor(np.array([1.0, 0, 1, 0, 0])), margin=4.0),
        lambda x, y: F.ranknet_loss(x[:, 0], y[:, 0], ag.tensor(np.array([1.0, 0, 0.5, 1, 0]))),
        lambda x, y: F.sigmoid_focal_loss(x, ((y > 0) * 1.0).double()),
        lambda x, y: F.focal_loss(x, ag.tensor(np.array([0, 3, 1, 2, 2])), alpha=[1.0, 2, 3, 4]),
        lambda x, y: F.gaussian_kl_divergence(x, y, reduction="none"),
        lambda x, y: F.distillation_loss(x, y, ag.tensor(np.array([0, 3, 1, 2, 2])), 3.0, 0.3),
        lambda x, y: F.vae_loss(x.sigmoid(), ((y > 0) * 1.0).double(), x, y),
        lambda x, y: F.squared_hinge_loss(x, ag.tensor(np.sign(Y)), reduction="none"),
    ],
)
def test_finite_difference_gradients(fn):
    x = ag.tensor(X, requires_grad=True)
    y = ag.tensor(Y * 1.3 + 0.1, requires_grad=False)
    assert gradcheck(fn, (x, y), atol=1e-6, rtol=1e-5)


def test_generative_losses_match_torch_transcription():
    mu, lv = X, Y * 0.5
    kl = F.gaussian_kl_divergence(ag.tensor(mu), ag.tensor(lv), reduction="sum").item()
    tkl = (-0.5 * (1 + _tt(lv) - _tt(mu) ** 2 - _tt(lv).exp()).sum()).item()
    assert kl == pytest.approx(tkl, rel=1e-12)
    # VAE negative ELBO with Bernoulli likelihood
    recon, x = 1 / (1 + np.exp(-X)), (Y > 0) * 1.0
    ours = F.vae_loss(ag.tensor(recon), ag.tensor(x), ag.tensor(mu), ag.tensor(lv), beta=0.5).item()
    rec = TF.binary_cross_entropy(_tt(recon), _tt(x), reduction="none").sum(1)
    ref = (rec + 0.5 * -0.5 * (1 + _tt(lv) - _tt(mu) ** 2 - _tt(lv).exp()).sum(1)).mean()
    assert ours == pytest.approx(ref.item(), rel=1e-12)
    # GAN: minimax D, saturating and non-saturating G, WGAN
    real, fake = X[:, 0], Y[:, 0]
    d = F.gan_discriminator_loss(ag.tensor(real), ag.tensor(fake)).item()
    td = -(torch.log(torch.sigmoid(_tt(real))) + torch.log(1 - torch.sigmoid(_tt(fake)))).mean()
    assert d == pytest.approx(td.item(), rel=1e-10)
    g_ns = F.gan_generator_loss(ag.tensor(fake)).item()
    assert g_ns == pytest.approx(-torch.log(torch.sigmoid(_tt(fake))).mean().item(), rel=1e-10)
    g_mm = F.gan_generator_loss(ag.tensor(fake), non_saturating=False).item()
    assert g_mm == pytest.approx(torch.log(1 - torch.sigmoid(_tt(fake))).mean().item(), rel=1e-10)
    assert F.wgan_critic_loss(ag.tensor(real), ag.tensor(fake)).item() == pytest.approx(
        fake.mean() - real.mean()
    )
    assert F.wgan_generator_loss(ag.tensor(fake)).item() == pytest.approx(-fake.mean())
    assert F.cycle_consistency_loss(ag.tensor(X), ag.tensor(Y)).item() == pytest.approx(
        np.abs(X - Y).mean()
    )
    assert F.ddpm_noise_loss(ag.tensor(X), ag.tensor(Y)).item() == pytest.approx(
        ((X - Y) ** 2).mean()
    )


def test_distillation_matches_torch_transcription():
    zs, zt, T, a = LOGITS, LOGITS[::-1] * 1.5 + 0.0, 3.0, 0.7
    s = ag.tensor(zs, requires_grad=True)
    ours = F.distillation_loss(s, ag.tensor(zt), ag.tensor(LABELS), T, a)
    ts = _tt(zs, True)
    soft = TF.kl_div(TF.log_softmax(ts / T, 1), TF.softmax(_tt(zt) / T, 1), reduction="batchmean")
    ref = a * T * T * soft + (1 - a) * TF.cross_entropy(ts, _tt(LABELS))
    assert ours.item() == pytest.approx(ref.item(), rel=1e-10)
    ours.backward()
    ref.backward()
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-9)


def test_gradient_penalty_matches_torch_double_backward():
    w1, b1, w2 = rng.standard_normal((4, 6)), rng.standard_normal(6), rng.standard_normal((6, 1))
    eps = rng.random((5, 1))
    gw = [ag.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    tw = [_tt(a, True) for a in (w1, b1, w2)]
    gp = F.gradient_penalty(
        lambda h: (h @ gw[0] + gw[1]).tanh() @ gw[2],
        ag.tensor(X),
        ag.tensor(Y),
        epsilon=ag.tensor(eps),
    )
    xh = (_tt(eps) * _tt(X) + (1 - _tt(eps)) * _tt(Y)).requires_grad_()
    sc = torch.tanh(xh @ tw[0] + tw[1]) @ tw[2]
    (g,) = torch.autograd.grad(sc.sum(), xh, create_graph=True)
    tgp = 10.0 * ((g.norm(dim=1) - 1) ** 2).mean()
    assert gp.item() == pytest.approx(tgp.item(), rel=1e-10)
    gp.backward()
    tgp.backward()
    for a, b in zip(gw, tw, strict=True):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_label_smoothing_targets_match_cross_entropy_option():
    eps = 0.1
    soft = F.label_smoothing_targets(LABELS, 3, eps, dtype=np.float64)
    np.testing.assert_allclose(soft.data.sum(1), 1.0)
    a = F.cross_entropy(ag.tensor(LOGITS), soft).item()
    b = TF.cross_entropy(_tt(LOGITS), _tt(LABELS), label_smoothing=eps).item()
    assert a == pytest.approx(b, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.floats(-50, 50), st.floats(0.05, 5.0))
def test_huber_between_scaled_l1_and_l2(r, delta):
    """Property: Huber(r) <= min(r^2 / 2, delta |r|), and log-cosh(r) <= |r|."""
    x, zero = ag.tensor(np.array([r])), ag.tensor(np.array([0.0]))
    h = F.huber_loss(x, zero, delta=delta).item()
    assert h <= min(0.5 * r * r, delta * abs(r)) + 1e-12
    assert F.log_cosh_loss(x, zero).item() <= abs(r) + 1e-12


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=3, max_size=12), st.floats(0.05, 0.95))
def test_pinball_minimised_at_quantile(values, q):
    """Property: the pinball loss of a constant c is minimal at the (lower) q-quantile of y."""
    y = ag.tensor(np.array(values))
    cands = np.array(values)
    losses = [
        F.quantile_loss(ag.tensor(np.full(len(values), c)), y, quantile=q).item() for c in cands
    ]
    best = cands[int(np.argmin(losses))]
    lo, hi = np.quantile(cands, q, method="lower"), np.quantile(cands, q, method="higher")
    assert lo - 1e-12 <= best <= hi + 1e-12


# ----------------------------------------------------------------------------- bad input
def test_mismatched_shapes_raise():
    x, y = ag.tensor(np.zeros((4, 3))), ag.tensor(np.zeros(4))
    msg = r"input and target must have the same shape, got \(4, 3\) and \(4,\)"
    for fn in (F.mse_loss, F.l1_loss, F.huber_loss, F.smooth_l1_loss, F.log_cosh_loss,
               F.quantile_loss, F.poisson_nll_loss, F.mape_loss, F.hinge_loss, F.kl_div):  # fmt: skip
        with pytest.raises(ValueError, match=msg):
            fn(x, y)
    with pytest.raises(ValueError, match="anchor and negative must have the same shape"):
        F.triplet_margin_loss(x, x, ag.tensor(np.zeros((4, 2))))


def test_targets_out_of_range_raise():
    z = ag.tensor(LOGITS)
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(z, ag.tensor(np.array([0, 1, 3, 0, 0, 0])))
    with pytest.raises(IndexError, match="out of bounds"):
        F.focal_loss(z, ag.tensor(np.array([0, 1, -2, 0, 0, 0])))
    with pytest.raises(IndexError, match="out of bounds"):
        F.multi_margin_loss(z, ag.tensor(np.array([0, 1, 5, 0, 0, 0])))
    with pytest.raises(TypeError, match="integer class indices"):
        F.focal_loss(z, ag.tensor(np.zeros(6)))
    with pytest.raises(ValueError, match=r"target values must be -1 or \+1, got 0.0"):
        F.hinge_loss(ag.tensor(X), ag.tensor((Y > 0) * 1.0))
    with pytest.raises(ValueError, match=r"-1 or \+1"):
        F.squared_hinge_loss(ag.tensor(X), ag.tensor(Y))
    with pytest.raises(ValueError, match=r"-1 or \+1"):
        F.margin_ranking_loss(ag.tensor(X[:, 0]), ag.tensor(Y[:, 0]), ag.tensor(Y[:, 1]))
    with pytest.raises(ValueError, match="0 or 1"):
        F.contrastive_loss(ag.tensor(X), ag.tensor(Y), ag.tensor(np.full(5, 2.0)))
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.binary_cross_entropy(ag.tensor(X), ag.tensor((Y > 0) * 1.0))


def test_invalid_hyperparameters_raise():
    x, y = ag.tensor(X), ag.tensor(Y)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(x, y, x, margin=-1.0)
    with pytest.raises(ValueError, match="margin must be greater than 0"):
        L.TripletMarginLoss(margin=0.0)
    with pytest.raises(ValueError, match="margin must be >= 0"):
        L.ContrastiveLoss(margin=-0.5)
    with pytest.raises(ValueError, match="delta must be > 0"):
        F.huber_loss(x, y, delta=0.0)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        F.smooth_l1_loss(x, y, beta=-1.0)
    with pytest.raises(ValueError, match=r"quantile must be in \(0, 1\)"):
        F.quantile_loss(x, y, quantile=1.5)
    with pytest.raises(ValueError, match=r"power must be in \(1, 2\)"):
        F.tweedie_deviance_loss(ag.tensor(POS), ag.tensor(POS), power=2.5)
    with pytest.raises(ValueError, match="must be > 0"):
        F.tweedie_deviance_loss(x, ag.tensor(POS))
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        F.sigmoid_focal_loss(x, (y > 0) * 1.0, gamma=-1.0)
    with pytest.raises(ValueError, match="reduction must be one of"):
        L.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.l1_loss(x, y, reduction="avg")
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(ag.tensor(LOGITS), ag.tensor(LABELS), p=3)
    with pytest.raises(ValueError, match="var has negative"):
        F.gaussian_nll_loss(x, y, -ag.tensor(POS))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        F.distillation_loss(ag.tensor(LOGITS), ag.tensor(LOGITS), temperature=0.0)
    with pytest.raises(TypeError, match="floating-point"):
        F.l1_loss(ag.tensor(np.zeros(3, dtype=np.int64)), ag.tensor(np.zeros(3, dtype=np.int64)))


@pytest.mark.parametrize("beta", [0.5, 1.0])
def test_fused_huber_double_backward_matches_torch(beta):
    """The fused Huber/SmoothL1 op supports create_graph (second derivative = 1/beta inside)."""
    x = ag.tensor(X * 0.7, requires_grad=True)
    tx = _tt(X * 0.7, True)
    (g,) = ag.grad(F.smooth_l1_loss(x, ag.tensor(Y), beta=beta), x, create_graph=True)
    (tg,) = torch.autograd.grad(TF.smooth_l1_loss(tx, _tt(Y), beta=beta), tx, create_graph=True)
    np.testing.assert_allclose(g.data, tg.detach().numpy(), rtol=1e-12)
    (gg,) = ag.grad((g * g).sum(), x)
    (tgg,) = torch.autograd.grad((tg * tg).sum(), tx)
    np.testing.assert_allclose(gg.data, tgg.numpy(), rtol=1e-10, atol=1e-14)
