"""DDPM (GN-14..GN-16, GN-18): schedules vs their formulas, closed-form q(x_t|x_0) vs iterated
forward sampling, the loss / one training step / the reverse step vs PyTorch, samplers."""

import math

import numpy as np
import pytest
import torch
import torch.nn as tnn
from scipy import stats

from glassml.autograd import tensor
from glassml.models.ddpm import DDPM, NoiseSchedule, cosine_beta_schedule, linear_beta_schedule
from glassml.models.unet import MLPDenoiser
from glassml.optim import AdamW


class TMLPDenoiser(tnn.Module):
    """MLPDenoiser written in torch (same keys)."""

    def __init__(self, dim, hidden, tdim, n_layers):
        super().__init__()
        self.tdim = tdim
        self.time_mlp = tnn.Sequential(tnn.Linear(tdim, tdim), tnn.SiLU(), tnn.Linear(tdim, tdim))
        layers, w = [], dim + tdim
        for _ in range(n_layers):
            layers += [tnn.Linear(w, hidden), tnn.SiLU()]
            w = hidden
        layers.append(tnn.Linear(w, dim))
        self.net = tnn.Sequential(*layers)

    def forward(self, x, t):
        half = self.tdim // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float64) / half)
        a = t.double()[:, None] * freqs[None]
        emb = torch.cat([torch.sin(a), torch.cos(a)], 1).to(x.dtype)
        return self.net(torch.cat([x, self.time_mlp(emb)], 1))


def _pair(dtype, seed=0):
    rng = np.random.default_rng(seed)
    ours = MLPDenoiser(2, 16, 8, 2, generator=rng).to(dtype)
    ref = TMLPDenoiser(2, 16, 8, 2).to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    return ours, ref


def test_linear_schedule_values():
    b = linear_beta_schedule()
    assert b.shape == (1000,) and b[0] == 1e-4 and abs(b[-1] - 0.02) < 1e-15
    np.testing.assert_allclose(np.diff(b), (0.02 - 1e-4) / 999, rtol=1e-9)
    s = NoiseSchedule(b)
    abar = np.exp(np.cumsum(np.log1p(-b)))  # prod(1 - beta), computed through logs
    np.testing.assert_allclose(s.alpha_bars, abar, rtol=1e-12)
    assert s.alpha_bars[-1] < 1e-4  # x_T is almost pure noise: sqrt(abar_T) ~ 6e-3
    np.testing.assert_allclose(
        s.posterior_variance[1:], b[1:] * (1 - abar[:-1]) / (1 - abar[1:]), rtol=1e-12
    )
    assert s.posterior_variance[0] == 0.0


def test_cosine_schedule_values():
    T, sft = 1000, 0.008
    b = cosine_beta_schedule(T)
    f = [math.cos((t / T + sft) / (1 + sft) * math.pi / 2) ** 2 for t in range(T + 1)]
    ref = [min(1 - f[t] / f[t - 1], 0.999) for t in range(1, T + 1)]
    np.testing.assert_allclose(b, ref, rtol=1e-10, atol=1e-15)
    abar = NoiseSchedule(b).alpha_bars
    np.testing.assert_allclose(abar[:-1], np.array(f[1:-1]) / f[0], rtol=1e-9)  # unclipped part
    assert (np.diff(b) >= -1e-15).all() and b.max() == 0.999


@pytest.mark.parametrize("schedule", ["linear", "cosine"])
def test_closed_form_matches_iterated_forward_process(schedule):
    """x_t from t applications of q(x_t|x_{t-1}) ~ N(sqrt(abar_t) x0, (1 - abar_t) I)."""
    ddpm = DDPM(MLPDenoiser(2, 8), timesteps=100, schedule=schedule)
    rng = np.random.default_rng(0)
    n, t_end = 20_000, 60
    x0 = np.tile(np.array([[1.5, -0.5]]), (n, 1))
    x = x0.copy()
    for t in range(t_end + 1):
        x = ddpm.q_step(x, np.full(n, t), rng.standard_normal(x.shape))
    closed = ddpm.q_sample(x0, np.full(n, t_end), rng.standard_normal(x0.shape))
    ab = ddpm.schedule.alpha_bars[t_end]
    for a in (x, closed):
        np.testing.assert_allclose(a.mean(0), math.sqrt(ab) * x0[0], atol=0.03)
        np.testing.assert_allclose(a.var(0), 1 - ab, rtol=0.05)
    for d in range(2):
        assert stats.ks_2samp(x[:, d], closed[:, d]).pvalue > 1e-3


def test_q_sample_tensor_gradient_and_forward_matches_torch():
    ddpm = DDPM(MLPDenoiser(2, 8).to(np.float64), timesteps=1000)
    rng = np.random.default_rng(1)
    x0, eps, t = (
        rng.standard_normal((4, 2)),
        rng.standard_normal((4, 2)),
        np.array([0, 5, 500, 999]),
    )
    xo = tensor(x0, requires_grad=True)
    out = ddpm.q_sample(xo, t, eps)
    abar = torch.from_numpy(np.cumprod(1 - np.linspace(1e-4, 0.02, 1000)))[torch.from_numpy(t)]
    xt = torch.tensor(x0, requires_grad=True)
    ref = abar.sqrt()[:, None] * xt + (1 - abar).sqrt()[:, None] * torch.from_numpy(eps)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    g = rng.standard_normal((4, 2))
    out.backward(tensor(g))
    ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ddpm.q_sample(x0, t, eps), ref.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_training_step_matches_torch(dtype):
    """Identical x0, t, eps -> identical loss and AdamW-updated parameters (two steps)."""
    ours, ref = _pair(dtype)
    ddpm = DDPM(ours, timesteps=1000, schedule="cosine")
    opt, opt_t = AdamW(ours.parameters(), lr=1e-2), torch.optim.AdamW(ref.parameters(), lr=1e-2)
    abar = torch.from_numpy(np.cumprod(1 - cosine_beta_schedule(1000)))
    rng = np.random.default_rng(2)
    tol = dict(rtol=1e-9, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    for _ in range(2):
        x0 = rng.standard_normal((8, 2)).astype(dtype)
        t, eps = rng.integers(0, 1000, 8), rng.standard_normal((8, 2)).astype(dtype)
        opt.zero_grad()
        loss = ddpm.loss(x0, t, eps)
        loss.backward()
        opt.step()
        a = abar[torch.from_numpy(t)][:, None].to(ref.net[0].weight.dtype)
        xt = a.sqrt() * torch.from_numpy(x0) + (1 - a).sqrt() * torch.from_numpy(eps)
        opt_t.zero_grad()
        loss_t = ((ref(xt, torch.from_numpy(t)) - torch.from_numpy(eps)) ** 2).mean()
        loss_t.backward()
        opt_t.step()
        np.testing.assert_allclose(loss.item(), loss_t.item(), **tol)
    refp = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.numpy(), refp[name].detach().numpy(), err_msg=name, **tol)


@pytest.mark.parametrize("variance", ["beta", "beta_tilde"])
def test_reverse_step_matches_formula_in_torch(variance):
    ours, ref = _pair(np.float64, seed=3)
    ddpm = DDPM(ours, timesteps=1000)
    rng = np.random.default_rng(4)
    x, z = rng.standard_normal((5, 2)), rng.standard_normal((5, 2))
    b = torch.from_numpy(np.linspace(1e-4, 0.02, 1000))
    abar = torch.cumprod(1 - b, 0)
    for t in (600, 0):
        out = ddpm.p_step(x, t, noise=z, variance=variance)
        with torch.no_grad():
            eps = ref(torch.from_numpy(x), torch.full((5,), t))
        mean = (torch.from_numpy(x) - b[t] / (1 - abar[t]).sqrt() * eps) / (1 - b[t]).sqrt()
        var = b[t] if variance == "beta" else b[t] * (1 - abar[t - 1]) / (1 - abar[t])
        ref_out = mean + (var.sqrt() * torch.from_numpy(z) if t > 0 else 0.0)
        np.testing.assert_allclose(out, ref_out.numpy(), rtol=1e-10, atol=1e-12)


def test_samplers_and_inpainting():
    ddpm = DDPM(MLPDenoiser(2, 8, generator=np.random.default_rng(0)), timesteps=50)
    a = ddpm.sample(6, (2,), generator=np.random.default_rng(1), progress=False)
    b = ddpm.sample(6, (2,), generator=np.random.default_rng(1), progress=False)
    np.testing.assert_array_equal(a, b)  # seeded: reproducible
    assert a.dtype == np.float32 and np.isfinite(a).all()
    d, traj = ddpm.sample(
        6,
        (2,),
        steps=10,
        generator=np.random.default_rng(1),
        progress=False,
        return_trajectory=True,
    )
    assert d.shape == (6, 2) and len(traj) == 11
    known = np.full((6, 2), 0.7, np.float32)
    mask = np.array([1.0, 0.0], np.float32)
    x = ddpm.sample(
        6, (2,), inpaint=(known, mask), generator=np.random.default_rng(2), progress=False
    )
    np.testing.assert_allclose(x[:, 0], 0.7)  # known coordinate restored exactly at the end
    assert not np.allclose(x[:, 1], 0.7)


def test_fit_lowers_the_loss():
    rng = np.random.default_rng(5)
    X = (rng.standard_normal((512, 2)) * 0.1 + [1.0, -1.0]).astype(np.float32)
    ddpm = DDPM(MLPDenoiser(2, 32, generator=rng), timesteps=100)
    ddpm.fit(X, epochs=15, batch_size=64, lr=3e-3, seed=0, progress=False)
    assert len(ddpm.history) == 15 and ddpm.history[-1] < 0.8 * ddpm.history[0]


def test_bad_inputs():
    with pytest.raises(ValueError, match="timesteps"):
        linear_beta_schedule(0)
    with pytest.raises(ValueError, match="beta_start"):
        linear_beta_schedule(10, 0.5, 0.1)
    with pytest.raises(ValueError, match="schedule must be"):
        DDPM(MLPDenoiser(2, 8), schedule="quadratic")
    with pytest.raises(TypeError, match="model"):
        DDPM(lambda x, t: x)
    ddpm = DDPM(MLPDenoiser(2, 8), timesteps=10)
    with pytest.raises(ValueError, match=r"t: time steps must be in \[0, 10\)"):
        ddpm.q_sample(np.zeros((2, 2)), np.array([0, 10]), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="variance"):
        ddpm.p_step(np.zeros((2, 2), np.float32), 3, noise=np.zeros((2, 2)), variance="x")
    with pytest.raises(ValueError, match="inpaint"):
        ddpm.sample(2, (2,), inpaint=(np.zeros((3, 2)), np.zeros(2)), progress=False)
    with pytest.raises(ValueError, match="betas"):
        NoiseSchedule([0.5, 1.5])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exponential_moving_average_follows_its_recursion(dtype):
    from glassml.models.ddpm import ExponentialMovingAverage

    rng = np.random.default_rng(7)
    net = MLPDenoiser(2, 8, generator=rng).to(dtype)
    params = list(net.parameters())
    d = 0.8
    ema = ExponentialMovingAverage(params, decay=d)
    expected = [p.data.astype(np.float64) for p in params]  # starts at theta_0
    for _ in range(3):  # new random "optimizer steps", then the update
        for p in params:
            p.data[...] = rng.standard_normal(p.data.shape)
        ema.update()
        expected = [d * e + (1 - d) * p.data for e, p in zip(expected, params, strict=True)]
    raw = [p.data.copy() for p in params]
    ema.store()
    ema.copy_to()
    tol = dict(rtol=1e-12, atol=1e-14) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    for p, e in zip(params, expected, strict=True):
        assert p.data.dtype == dtype
        np.testing.assert_allclose(p.data, e, **tol)
    ema.restore()
    for p, r in zip(params, raw, strict=True):
        np.testing.assert_array_equal(p.data, r)
    with pytest.raises(ValueError, match="decay"):
        ExponentialMovingAverage(params, decay=1.0)
    with pytest.raises(ValueError, match="at least one parameter"):
        ExponentialMovingAverage([], decay=0.5)
    with pytest.raises(RuntimeError, match="store"):
        ExponentialMovingAverage(params, decay=0.5).restore()
