"""Every optimizer, every option: 50-step trajectories equal to torch.optim's (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassml.optim as gopt
from glassml.autograd import Parameter, tensor

from ._helpers import (
    make_data,
    make_weights,
    ours_params,
    run_ours,
    run_torch,
    torch_params,
)

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.002, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.2)),
    ("Adagrad", dict(lr=0.05, eps=1e-3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, momentum=0.8, centered=True, eps=1e-6)),
    ("RMSprop", dict(lr=0.005, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.005, amsgrad=True, weight_decay=0.05, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
]


def _ids(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


def _pair(name, kw, weights, groups=False):
    ours_p, torch_p = ours_params(weights), torch_params(weights)
    if groups:  # two param groups, the second with its own lr
        o_arg = [{"params": ours_p[:2]}, {"params": ours_p[2:], "lr": kw.get("lr", 1e-3) * 0.5}]
        t_arg = [{"params": torch_p[:2]}, {"params": torch_p[2:], "lr": kw.get("lr", 1e-3) * 0.5}]
    else:
        o_arg, t_arg = ours_p, torch_p
    return (
        getattr(gopt, name)(o_arg, **kw),
        ours_p,
        getattr(torch.optim, name)(t_arg, foreach=False, **kw),
        torch_p,
    )


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_trajectory_matches_torch(case):
    name, kw = case
    X, Y = make_data()
    ours, ours_p, ref, torch_p = _pair(name, kw, make_weights())
    a, _ = run_ours(ours, ours_p, 50, X, Y)
    b, _ = run_torch(ref, torch_p, 50, X, Y)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam"])
def test_param_groups_match_torch(name):
    kw = {"lr": 0.01, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.01}
    X, Y = make_data(2)
    ours, ours_p, ref, torch_p = _pair(name, kw, make_weights(3), groups=True)
    a, la = run_ours(ours, ours_p, 30, X, Y)
    b, lb = run_torch(ref, torch_p, 30, X, Y)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(la, lb, rtol=0, atol=0)


@pytest.mark.parametrize(
    "name,kw",
    [
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
        ("Adam", dict(lr=0.01, amsgrad=True)),
        ("AdamW", dict(lr=0.01)),
        ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True)),
        ("Adagrad", dict(lr=0.1)),
        ("Adadelta", dict()),
        ("NAdam", dict()),
        ("Adamax", dict()),
        ("RAdam", dict()),
    ],
)
def test_state_dict_round_trip(name, kw):
    """Save mid-run, load into a fresh optimizer on copied weights, continue: same trajectory."""
    X, Y = make_data(4)
    weights = make_weights(5)
    ours_p = ours_params(weights)
    opt = getattr(gopt, name)(ours_p, **kw)
    run_ours(opt, ours_p, 10, X, Y)
    saved = opt.state_dict()
    assert sorted(saved["state"]) == [0, 1, 2, 3]
    assert saved["param_groups"][0]["params"] == [0, 1, 2, 3]
    resumed_p = [Parameter(p.data.copy()) for p in ours_p]
    resumed = getattr(gopt, name)(resumed_p, **kw)
    resumed.load_state_dict(saved)
    cont, _ = run_ours(opt, ours_p, 15, X, Y)
    again, _ = run_ours(resumed, resumed_p, 15, X, Y)
    np.testing.assert_array_equal(cont, again)
    # the torch run of the same 25 steps agrees with the resumed one
    torch_p = torch_params(weights)
    ref = getattr(torch.optim, name)(torch_p, foreach=False, **kw)
    b, _ = run_torch(ref, torch_p, 25, X, Y)
    np.testing.assert_allclose(again, b[10:], rtol=1e-10, atol=1e-12)


def test_state_dict_loads_torch_state():
    """A torch optimizer's state_dict (tensors) loads into ours and continues identically."""
    X, Y = make_data(6)
    weights = make_weights(7)
    torch_p = torch_params(weights)
    ref = torch.optim.Adam(torch_p, lr=0.01, foreach=False)
    run_torch(ref, torch_p, 5, X, Y)
    ours_p = [Parameter(p.detach().numpy().copy()) for p in torch_p]
    ours = gopt.Adam(ours_p, lr=0.01)
    ours.load_state_dict(ref.state_dict())
    a, _ = run_ours(ours, ours_p, 10, X, Y)
    b, _ = run_torch(ref, torch_p, 10, X, Y)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_float32_stays_float32(name):
    w = Parameter(np.ones((3, 2), dtype=np.float32))
    kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    opt = getattr(gopt, name)([w], lr=0.01, **kw)
    for _ in range(3):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    assert w.data.dtype == np.float32
    for v in opt.state[w].values():
        if isinstance(v, np.ndarray):
            assert v.dtype == np.float32


def test_step_updates_in_place_and_skips_params_without_grad():
    a = Parameter(np.ones(3))
    b = Parameter(np.ones(2))
    buf = a.data
    opt = gopt.Adam([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    assert a.data is buf and not np.allclose(a.data, 1.0)
    np.testing.assert_array_equal(b.data, np.ones(2))
    assert b not in opt.state


def test_closure_returns_loss():
    w = Parameter(np.array([3.0]))
    opt = gopt.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.data) == 9.0
    np.testing.assert_allclose(w.data, [3.0 - 0.1 * 6.0])


def test_zero_grad_set_to_none_false_keeps_zeros():
    w = Parameter(np.array([1.0, 2.0]))
    opt = gopt.SGD([w], lr=0.1)
    (w * w).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None


def test_add_param_group_takes_defaults():
    a, b = Parameter(np.ones(2)), Parameter(np.ones(2))
    opt = gopt.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": [b], "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


def test_apply_gradients_keras_adapter():
    """OP-13: apply_gradients(zip(grads, vars)) equals setting .grad and stepping."""
    w1, w2 = Parameter(np.array([1.0, 2.0])), Parameter(np.array([1.0, 2.0]))
    opt1, opt2 = gopt.SGD([w1], lr=0.1, momentum=0.9), gopt.SGD([w2], lr=0.1, momentum=0.9)
    for g in (np.array([0.5, -1.0]), np.array([0.2, 0.3])):
        opt1.apply_gradients(zip([g], [w1], strict=False))
        w2.grad = tensor(g)
        opt2.step()
    np.testing.assert_array_equal(w1.data, w2.data)
    np.testing.assert_allclose(
        w1.data, [1.0 - 0.05 - 0.1 * (0.45 + 0.2), 2.0 + 0.1 - 0.1 * (-0.9 + 0.3)]
    )
    with pytest.raises(ValueError, match="not managed"):
        opt1.apply_gradients(zip([np.ones(2)], [Parameter(np.ones(2))], strict=False))
    with pytest.raises(ValueError, match="shape"):
        opt1.apply_gradients(zip([np.ones(3)], [w1], strict=False))


def test_momentum_textbook_forms_equivalent():
    """OP-04: form A (v = γv + η∇J, θ -= v) equals form B (EMA) with η_B = η_A / (1 − γ),
    and both equal torch's SGD(momentum=γ, lr=η_A)."""
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    grad = lambda t: A @ t  # noqa: E731
    theta0 = np.array([1.0, -2.0])
    a = gopt.momentum_form_a(grad, theta0, lr=0.05, gamma=0.9, n_steps=40)
    b = gopt.momentum_form_b(grad, theta0, lr=0.05 / (1 - 0.9), beta=0.9, n_steps=40)
    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    w = torch.tensor(theta0.copy(), requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.05, momentum=0.9)
    path = [theta0]
    for _ in range(40):
        opt.zero_grad()
        w.grad = torch.from_numpy(grad(w.detach().numpy()))
        opt.step()
        path.append(w.detach().numpy().copy())
    np.testing.assert_allclose(a, np.array(path), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------- bad input
def test_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        gopt.Adam([])
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        gopt.SGD(iter([]), lr=0.1)


@pytest.mark.parametrize(
    "factory,match",
    [
        (lambda p: gopt.SGD(p, lr=-0.1), "learning rate"),
        (lambda p: gopt.SGD(p, lr=0.1, momentum=-1), "momentum"),
        (lambda p: gopt.SGD(p, lr=0.1, nesterov=True), "Nesterov"),
        (lambda p: gopt.Adam(p, betas=(1.0, 0.999)), "beta parameter at index 0"),
        (lambda p: gopt.Adam(p, betas=(0.9, -0.1)), "beta parameter at index 1"),
        (lambda p: gopt.Adam(p, eps=-1e-8), "epsilon"),
        (lambda p: gopt.AdamW(p, weight_decay=-1), "weight_decay"),
        (lambda p: gopt.Adadelta(p, rho=1.5), "rho"),
        (lambda p: gopt.RMSprop(p, alpha=-0.5), "alpha"),
        (lambda p: gopt.Adagrad(p, lr_decay=-1), "lr_decay"),
        (lambda p: gopt.Adam(p, lr=float("nan")), "learning rate"),
    ],
)
def test_invalid_hyperparameters(factory, match):
    with pytest.raises(ValueError, match=match):
        factory([Parameter(np.ones(2))])


def test_bad_param_types():
    with pytest.raises(TypeError, match="iterable of Tensors"):
        gopt.SGD(Parameter(np.ones(2)), lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        gopt.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="real number"):
        gopt.SGD([Parameter(np.ones(2))], lr="0.1")


def test_load_state_dict_mismatch():
    opt = gopt.Adam([Parameter(np.ones(2)), Parameter(np.ones(2))])
    other = gopt.Adam([Parameter(np.ones(2))])
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(other.state_dict())


@pytest.mark.parametrize(
    "ours_cls, torch_cls, kw, n_steps",
    [
        (gopt.Adam, torch.optim.Adam, {"lr": 1e-3}, 900),
        (gopt.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}, 900),
        (gopt.RMSprop, torch.optim.RMSprop, {"lr": 1e-3, "alpha": 0.5}, 160),
    ],
)
def test_running_averages_never_go_subnormal(ours_cls, torch_cls, kw, n_steps):
    """A gradient that turns to zero (a dead unit) makes m <- beta m decay geometrically; torch's
    buffers go subnormal (~100x slower arithmetic on x86), ours are flushed to zero before they
    get there, and the parameters still follow torch's float32 trajectory."""
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=(64,)).astype(np.float32)
    g0 = rng.normal(size=(64,)).astype(np.float32)
    ours = Parameter(w0.copy())
    ref = torch.tensor(w0.copy(), requires_grad=True)
    opt, opt_t = ours_cls([ours], **kw), torch_cls([ref], **kw)
    tiny = np.finfo(np.float32).tiny

    def n_subnormal(buffers):
        return sum(int(((np.abs(b) < tiny) & (b != 0)).sum()) for b in buffers)

    ref_went_subnormal = False
    for step in range(n_steps):
        g = g0 if step == 0 else np.zeros_like(g0)  # one real gradient, then a dead unit
        ours.grad = tensor(g.copy())
        ref.grad = torch.from_numpy(g.copy())
        opt.step()
        opt_t.step()
        ref_state = next(iter(opt_t.state.values())).values()
        ref_buffers = [v.numpy() for v in ref_state if torch.is_tensor(v) and v.ndim]
        ref_went_subnormal |= n_subnormal(ref_buffers) > 0
        our_buffers = [b for b in opt.state[ours].values() if isinstance(b, np.ndarray) and b.ndim]
        assert n_subnormal(our_buffers) == 0, step
        np.testing.assert_allclose(ours.data, ref.detach().numpy(), rtol=1e-5, atol=1e-7)
    assert ref_went_subnormal  # the situation the flush exists for did arise
