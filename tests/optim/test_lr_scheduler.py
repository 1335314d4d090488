"""Every scheduler: learning-rate traces (and parameter trajectories) equal to torch's."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import glassml.optim as gopt
from glassml.autograd import Parameter
from glassml.optim import lr_scheduler as gsched

from ._helpers import make_data, make_weights, ours_params, run_ours, run_torch, torch_params

TS = torch.optim.lr_scheduler


def _lam(e):
    return 0.9**e


def _mul(e):
    return 0.95


SCHEDULERS = [
    ("LambdaLR", dict(lr_lambda=_lam)),
    ("MultiplicativeLR", dict(lr_lambda=_mul)),
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[5, 12, 12, 30], gamma=0.3)),
    ("ConstantLR", dict(factor=0.25, total_iters=8)),
    ("LinearLR", dict(start_factor=0.1, end_factor=1.0, total_iters=10)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.2, total_iters=30)),
    ("ExponentialLR", dict(gamma=0.93)),
    ("PolynomialLR", dict(total_iters=40, power=2.0)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=1e-3)),  # 50 steps: several periods past T_max
    ("CosineAnnealingLR", dict(T_max=50)),
    ("CosineAnnealingWarmRestarts", dict(T_0=5)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=1e-3)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=50)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=50, anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.1, epochs=5, steps_per_epoch=10, pct_start=0.2)),
]


def _ids(c):
    return c[0] + "-" + ",".join(f"{k}={v}" for k, v in c[1].items() if k != "lr_lambda")


# every scheduler with SGD(momentum); with Adam those that touch betas or decay shapes
PAIRS = [(c, "SGD") for c in SCHEDULERS] + [
    (c, "Adam") for c in SCHEDULERS if c[0] in ("OneCycleLR", "CosineAnnealingLR", "LinearLR")
]


@pytest.mark.parametrize("case,opt_name", PAIRS, ids=[f"{o}-{_ids(c)}" for c, o in PAIRS])
def test_lr_trace_and_trajectory_match_torch(case, opt_name):
    name, kw = case
    X, Y = make_data(10)
    weights = make_weights(11)
    okw = {"lr": 0.05, "momentum": 0.9} if opt_name == "SGD" else {"lr": 0.05}
    op, tp = ours_params(weights), torch_params(weights)
    ours = getattr(gopt, opt_name)(op, **okw)
    ref = getattr(torch.optim, opt_name)(tp, foreach=False, **okw)
    a, la = run_ours(ours, op, 50, X, Y, sched=getattr(gsched, name)(ours, **kw))
    b, lb = run_torch(ref, tp, 50, X, Y, sched=getattr(TS, name)(ref, **kw))
    np.testing.assert_allclose(la, lb, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    if name == "OneCycleLR":  # momentum / beta1 cycled like torch
        key = "momentum" if opt_name == "SGD" else "betas"
        assert ours.param_groups[0][key] == pytest.approx(ref.param_groups[0][key], abs=1e-14)


def test_cosine_annealing_closed_form_within_period():
    """OP-15: η_t = η_min + ½(η₀ − η_min)(1 + cos(πt/T_max)) for t ≤ T_max."""
    opt = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    sched = gsched.CosineAnnealingLR(opt, T_max=10, eta_min=1e-6)
    lrs = []
    for _ in range(11):
        opt.step()
        lrs.append(sched.get_last_lr()[0])
        sched.step()
    expected = [1e-6 + 0.5 * (0.1 - 1e-6) * (1 + math.cos(math.pi * t / 10)) for t in range(11)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


def test_warm_restarts_fractional_epochs_match_torch():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    tp = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ours = gsched.CosineAnnealingWarmRestarts(op, T_0=2, T_mult=2, eta_min=0.01)
    ref = TS.CosineAnnealingWarmRestarts(tp, T_0=2, T_mult=2, eta_min=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in np.arange(0, 14, 0.25):
            op.step()
            tp.step()
            ours.step(float(epoch))
            ref.step(float(epoch))
            assert ours.get_last_lr()[0] == pytest.approx(ref.get_last_lr()[0], rel=1e-13)


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs"),
        dict(factor=0.5, patience=1, cooldown=2, min_lr=1e-3),
        dict(factor=0.2, patience=0, threshold_mode="abs", eps=1e-3),
    ],
)
def test_reduce_on_plateau_matches_torch(kw):
    rng = np.random.default_rng(0)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.05 * rng.random(40)])
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    tp = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ours, ref = gsched.ReduceLROnPlateau(op, **kw), TS.ReduceLROnPlateau(tp, **kw)
    for m in metrics:
        op.step()
        tp.step()
        ours.step(m)
        ref.step(m)
        assert ours.get_last_lr() == pytest.approx(ref.get_last_lr(), rel=1e-14)
        assert ours.num_bad_epochs == ref.num_bad_epochs


def test_sequential_lr_matches_torch():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    tp = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    ours = gsched.SequentialLR(
        op,
        [gsched.LinearLR(op, 0.1, total_iters=5), gsched.CosineAnnealingLR(op, T_max=20)],
        milestones=[5],
    )
    ref = TS.SequentialLR(
        tp,
        [TS.LinearLR(tp, 0.1, total_iters=5), TS.CosineAnnealingLR(tp, T_max=20)],
        milestones=[5],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(30):
            op.step()
            tp.step()
            assert op.param_groups[0]["lr"] == pytest.approx(tp.param_groups[0]["lr"], rel=1e-12)
            ours.step()
            ref.step()


def test_chained_scheduler_matches_torch():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=1.0)
    tp = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ours = gsched.ChainedScheduler(
        [gsched.ConstantLR(op, factor=0.1, total_iters=2), gsched.ExponentialLR(op, gamma=0.9)]
    )
    ref = TS.ChainedScheduler(
        [TS.ConstantLR(tp, factor=0.1, total_iters=2), TS.ExponentialLR(tp, gamma=0.9)]
    )
    for _ in range(10):
        op.step()
        tp.step()
        ours.step()
        ref.step()
        assert ours.get_last_lr()[0] == pytest.approx(ref.get_last_lr()[0], rel=1e-13)


def test_warmup_cosine_helper():
    op = gopt.AdamW([Parameter(np.zeros(1))], lr=1.0)
    sched = gsched.warmup_cosine(op, warmup_steps=4, total_steps=12, min_lr_ratio=0.1)
    lrs = []
    for _ in range(14):
        op.step()
        lrs.append(sched.get_last_lr()[0])
        sched.step()
    np.testing.assert_allclose(lrs[:4], [0.25, 0.5, 0.75, 1.0])
    assert lrs[4] == pytest.approx(1.0) and lrs[12] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs[3:13], lrs[4:13], strict=False))
    with pytest.raises(ValueError, match="warmup_steps"):
        gsched.warmup_cosine(op, warmup_steps=10, total_steps=5)


def test_state_dict_round_trip():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    sched = gsched.StepLR(op, step_size=3, gamma=0.5)
    for _ in range(4):
        op.step()
        sched.step()
    saved = sched.state_dict()
    op2 = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    sched2 = gsched.StepLR(op2, step_size=3, gamma=0.5)
    sched2.load_state_dict(saved)
    op2.load_state_dict(op.state_dict())
    for _ in range(5):
        op.step()
        op2.step()
        sched.step()
        sched2.step()
        assert sched.get_last_lr() == sched2.get_last_lr()


def test_step_before_optimizer_warns():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    sched = gsched.StepLR(op, step_size=2)
    with pytest.warns(UserWarning, match=r"lr_scheduler.step\(\)` before `optimizer.step\(\)"):
        sched.step()


def test_no_warning_in_right_order():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    sched = gsched.ExponentialLR(op, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        op.step()
        sched.step()
    assert sched.get_last_lr() == [0.05]


@pytest.mark.parametrize(
    "factory,exc,match",
    [
        (lambda o: gsched.StepLR(o, step_size=0), ValueError, "step_size"),
        (lambda o: gsched.ReduceLROnPlateau(o, factor=1.5), ValueError, "Factor"),
        (lambda o: gsched.ReduceLROnPlateau(o, mode="up"), ValueError, "mode"),
        (lambda o: gsched.LinearLR(o, start_factor=0), ValueError, "Starting"),
        (lambda o: gsched.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "T_0"),
        (lambda o: gsched.OneCycleLR(o, max_lr=0.1), ValueError, "total_steps"),
        (
            lambda o: gsched.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="x"),
            ValueError,
            "anneal",
        ),
        (lambda o: gsched.LambdaLR(o, [_lam, _lam]), ValueError, "lr_lambdas"),
        (lambda o: gsched.StepLR("sgd", step_size=2), TypeError, "optimizer"),
        (lambda o: gsched.StepLR(o, step_size=2, last_epoch=3), KeyError, "initial_lr"),
    ],
)
def test_bad_input(factory, exc, match):
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(exc, match=match):
        factory(op)


def test_one_cycle_too_many_steps():
    op = gopt.SGD([Parameter(np.zeros(1))], lr=0.1, momentum=0.9)
    sched = gsched.OneCycleLR(op, max_lr=0.1, total_steps=3)
    for _ in range(3):
        op.step()
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        op.step()
        sched.step()


def test_composite_schedules_keep_their_import_path_after_the_split():
    from glassml.optim import lr_scheduler_composite as composite

    for name in composite.__all__:  # torch's namespace stays whole in optim.lr_scheduler
        assert getattr(gsched, name) is getattr(composite, name), name
        assert name in gsched.__all__
