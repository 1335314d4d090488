"""Denoising diffusion probabilistic models (Ho et al. 2020): schedules, forward process,
epsilon-prediction training, ancestral and strided samplers, inpainting.

Forward process (GN-14), t = 1..T (stored 0-based: index t-1)::

    q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I)
    q(x_t | x_0)     = N(sqrt(abar_t) x_0, (1 - abar_t) I),   abar_t = prod_{s<=t} (1 - beta_s)
    => x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps,  eps ~ N(0, I)          (q_sample)

Training (GN-16): L = E_{x0, t ~ U{1..T}, eps} ||eps - eps_theta(x_t, t)||^2 (mean over elements).

Reverse step (GN-15), alpha_t = 1 - beta_t::

    mu_theta = (x_t - beta_t / sqrt(1 - abar_t) eps_theta(x_t, t)) / sqrt(alpha_t)
    x_{t-1}  = mu_theta + sigma_t z,   sigma_t^2 = beta_t  or  beta~_t = beta_t (1 - abar_{t-1}) / (1 - abar_t)
    (no noise at the last step)

Fewer steps: the deterministic DDIM update (Song et al. 2021, eta = 0) on a sub-sequence of time
steps, x_{t'} = sqrt(abar_t') x0_hat + sqrt(1 - abar_t') eps_theta, x0_hat = (x_t - sqrt(1 - abar_t)
eps_theta) / sqrt(abar_t); ``eta > 0`` adds the DDIM noise (eta = 1 ~ ancestral).

Inpainting (GN-18): at every reverse step the known pixels are replaced by their forward-noised
truth q_sample(x0, t-1) (Lugmayr et al.'s RePaint without resampling).

Schedules: linear beta from 1e-4 to 0.02 (T = 1000) and cosine (Nichol & Dhariwal 2021):
abar(t) = f(t) / f(0), f(t) = cos^2(((t/T) + s)/(1 + s) pi/2), beta_t = min(1 - abar_t/abar_{t-1}, 0.999).

Inventory: GN-14, GN-15, GN-16, GN-18, LS-26, CL-214..CL-216.

Example
-------
>>> import numpy as np
>>> from glassml.models.unet import MLPDenoiser
>>> ddpm = DDPM(MLPDenoiser(2, hidden=16), timesteps=50)
>>> ddpm.sample(4, (2,), generator=np.random.default_rng(0), progress=False).shape
(4, 2)
"""

from __future__ import annotations

import math

import numpy as np
from tqdm.auto import tqdm

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import mse_loss
from glassml.optim import AdamW

__all__ = [
    "linear_beta_schedule",
    "cosine_beta_schedule",
    "NoiseSchedule",
    "DDPM",
    "ExponentialMovingAverage",
]


def _check_T(timesteps) -> int:
    if isinstance(timesteps, bool) or not isinstance(timesteps, int | np.integer) or timesteps < 1:
        raise ValueError(f"timesteps must be a positive int, got {timesteps!r}")
    return int(timesteps)


def linear_beta_schedule(timesteps=1000, beta_start=1e-4, beta_end=0.02) -> np.ndarray:
    """beta_t linearly spaced from ``beta_start`` to ``beta_end`` (float64, shape (T,)).

    >>> linear_beta_schedule(3, 0.1, 0.3).tolist()
    [0.1, 0.2, 0.3]
    """
    T = _check_T(timesteps)
    if not (0 < beta_start <= beta_end < 1):
        raise ValueError(
            f"expected 0 < beta_start <= beta_end < 1, got beta_start={beta_start}, "
            f"beta_end={beta_end}"
        )
    return np.linspace(beta_start, beta_end, T, dtype=np.float64)


def cosine_beta_schedule(timesteps=1000, s=0.008, max_beta=0.999) -> np.ndarray:
    """Nichol & Dhariwal's cosine schedule: abar(t) = f(t)/f(0), f(t) = cos^2((t/T + s)/(1+s) pi/2),
    beta_t = min(1 - abar(t)/abar(t-1), max_beta), t = 1..T (float64, shape (T,))."""
    T = _check_T(timesteps)
    if not (s >= 0 and 0 < max_beta < 1):
        raise ValueError(f"expected s >= 0 and 0 < max_beta < 1, got s={s}, max_beta={max_beta}")
    t = np.arange(T + 1, dtype=np.float64)
    f = np.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    abar = f / f[0]
    return np.minimum(1.0 - abar[1:] / abar[:-1], max_beta)


class NoiseSchedule:
    """The per-step constants of a beta schedule (float64 arrays of shape (T,), index t-1).

    betas, alphas = 1 - beta, alpha_bars = cumprod(alphas), alpha_bars_prev (abar_{t-1},
    abar_0 = 1), sqrt_alpha_bars, sqrt_one_minus_alpha_bars, posterior_variance
    beta~_t = beta_t (1 - abar_{t-1}) / (1 - abar_t). Inventory: GN-14, GN-15.

    >>> s = NoiseSchedule(linear_beta_schedule(1000))
    >>> round(float(s.sqrt_alpha_bars[-1]), 4)
    0.0064
    """

    def __init__(self, betas):
        b = np.asarray(betas, dtype=np.float64)
        if b.ndim != 1 or b.size == 0 or not ((b > 0) & (b < 1)).all():
            raise ValueError("betas: expected a non-empty 1-D array with values in (0, 1)")
        self.betas = b
        self.T = b.size
        self.alphas = 1.0 - b
        self.alpha_bars = np.cumprod(self.alphas)
        self.alpha_bars_prev = np.concatenate([[1.0], self.alpha_bars[:-1]])
        self.sqrt_alpha_bars = np.sqrt(self.alpha_bars)
        self.sqrt_one_minus_alpha_bars = np.sqrt(1.0 - self.alpha_bars)
        self.posterior_variance = b * (1.0 - self.alpha_bars_prev) / (1.0 - self.alpha_bars)

    @classmethod
    def make(cls, kind="linear", timesteps=1000, **kwargs) -> NoiseSchedule:
        """``kind`` "linear" or "cosine"."""
        if kind == "linear":
            return cls(linear_beta_schedule(timesteps, **kwargs))
        if kind == "cosine":
            return cls(cosine_beta_schedule(timesteps, **kwargs))
        raise ValueError(f"schedule must be 'linear' or 'cosine', got {kind!r}")


def _bcast(values: np.ndarray, t: np.ndarray, ndim: int, dtype) -> np.ndarray:
    """values[t] reshaped to (N, 1, ..., 1) for broadcasting over a batch of rank ``ndim``."""
    return values[t].reshape((-1,) + (1,) * (ndim - 1)).astype(dtype)


class DDPM(nn.Module):
    """A denoising diffusion model around a noise predictor ``model(x_t, t) -> eps`` (GN-14..18).

    Parameters
    ----------
    model : Module, eps_theta(x_t (N, ...), t (N,) int in [0, T)) -> (N, ...)
        (``glassml.models.unet.UNet`` for images, ``MLPDenoiser`` for vectors)
    timesteps : T (default 1000); schedule : "linear" (1e-4 -> 0.02) or "cosine", or a
        :class:`NoiseSchedule`

    Time steps are 0-based indices: t = 0 is the first noising step (abar_0 = 1 - beta_1).
    ``history`` holds the mean training loss per epoch (``fit``).
    """

    def __init__(self, model, timesteps=1000, schedule="linear"):
        super().__init__()
        if not isinstance(model, nn.Module):
            raise TypeError(f"model: expected a Module, got {type(model).__name__}")
        self.model = model
        if isinstance(schedule, NoiseSchedule):
            self.schedule = schedule
        else:
            self.schedule = NoiseSchedule.make(schedule, timesteps)
        self.T = self.schedule.T
        self.history = []

    @property
    def _dtype(self):
        return next(iter(self.model.parameters())).dtype

    def _t(self, t, n) -> np.ndarray:
        t = np.asarray(t.data if isinstance(t, Tensor) else t)
        if t.ndim == 0:
            t = np.full(n, int(t))
        if t.dtype.kind not in "iu" or t.shape != (n,):
            raise ValueError(f"t: expected {n} integer time steps, got {t.dtype} {t.shape}")
        if t.min() < 0 or t.max() >= self.T:
            raise ValueError(f"t: time steps must be in [0, {self.T}), got {t.min()}..{t.max()}")
        return t.astype(np.int64)

    # ------------------------------------------------------------------ forward process
    def q_sample(self, x0, t, noise):
        """x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps (closed form of q(x_t | x_0)).

        Works on Tensors (differentiable in x0) and on ndarrays (returns an ndarray)."""
        is_tensor = isinstance(x0, Tensor)
        arr = x0.data if is_tensor else np.asarray(x0)
        t = self._t(t, arr.shape[0])
        a = _bcast(self.schedule.sqrt_alpha_bars, t, arr.ndim, arr.dtype)
        b = _bcast(self.schedule.sqrt_one_minus_alpha_bars, t, arr.ndim, arr.dtype)
        if is_tensor:
            nz = noise if isinstance(noise, Tensor) else Tensor(np.asarray(noise, arr.dtype))
            return x0 * Tensor(a) + nz * Tensor(b)
        return a * arr + b * np.asarray(noise, arr.dtype)

    def q_step(self, x_prev, t, noise) -> np.ndarray:
        """One forward step x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) eps (ndarrays)."""
        x_prev = np.asarray(x_prev)
        t = self._t(t, x_prev.shape[0])
        beta = _bcast(self.schedule.betas, t, x_prev.ndim, np.float64)
        return (np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * noise).astype(x_prev.dtype)

    # ------------------------------------------------------------------ training
    def loss(self, x0, t=None, noise=None, *, generator=None):
        """The simple objective mean ||eps - eps_theta(x_t, t)||^2 with t ~ U{0..T-1} and
        eps ~ N(0, I) unless given (LS-26, GN-16)."""
        x0 = x0 if isinstance(x0, Tensor) else Tensor(np.asarray(x0, self._dtype))
        rng = generator if generator is not None else np.random.default_rng()
        n = x0.shape[0]
        t = rng.integers(0, self.T, n) if t is None else self._t(t, n)
        if noise is None:
            noise = rng.standard_normal(x0.shape).astype(x0.dtype)
        noise = noise if isinstance(noise, Tensor) else Tensor(np.asarray(noise, x0.dtype))
        x_t = self.q_sample(x0, t, noise)
        return mse_loss(self.model(x_t, t), noise)

    def forward(self, x_t, t):
        """eps_theta(x_t, t)."""
        return self.model(x_t, self._t(t, x_t.shape[0]))

    def fit(
        self, X, *, epochs=10, batch_size=128, lr=2e-3, weight_decay=0.0, seed=None, progress=True
    ):
        """Train eps_theta with AdamW on data X (N, ...) (already scaled, e.g. to [-1, 1])."""
        X = np.asarray(X, dtype=self._dtype)
        if X.ndim < 2:
            raise ValueError(f"X: expected an array of shape (N, ...), got {X.shape}")
        for name, v in (("epochs", epochs), ("batch_size", batch_size)):
            if not (isinstance(v, int) and v > 0):
                raise ValueError(f"{name} must be a positive int, got {v!r}")
        rng = np.random.default_rng(seed)
        opt = AdamW(self.model.parameters(), lr=lr, weight_decay=weight_decay)
        self.model.train()
        bar = tqdm(range(epochs), disable=not progress, desc="DDPM")
        for _ in bar:
            order = rng.permutation(len(X))
            total = 0.0
            for i in range(0, len(X), batch_size):
                xb = X[order[i : i + batch_size]]
                opt.zero_grad()
                loss = self.loss(xb, generator=rng)
                loss.backward()
                opt.step()
                total += float(loss.item()) * len(xb)
            self.history.append(total / len(X))
            bar.set_postfix(loss=f"{self.history[-1]:.4f}")
        return self

    # ------------------------------------------------------------------ sampling
    def _eps(self, x: np.ndarray, t: int) -> np.ndarray:
        tt = np.full(x.shape[0], t, dtype=np.int64)
        return np.asarray(self.model(Tensor(x), tt).data)

    def p_step(self, x_t, t: int, eps=None, *, noise=None, variance="beta") -> np.ndarray:
        """One ancestral step x_t -> x_{t-1} (ndarrays); ``eps`` (model output) and ``noise``
        (z) may be given. variance "beta" (sigma^2 = beta_t) or "beta_tilde" (posterior)."""
        s = self.schedule
        x_t = np.asarray(x_t)
        if eps is None:
            with no_grad():
                eps = self._eps(x_t, t)
        dt = x_t.dtype
        coef = s.betas[t] / s.sqrt_one_minus_alpha_bars[t]
        mean = (x_t - dt.type(coef) * eps) / dt.type(math.sqrt(s.alphas[t]))
        if t == 0:
            return mean
        if variance == "beta":
            var = s.betas[t]
        elif variance == "beta_tilde":
            var = s.posterior_variance[t]
        else:
            raise ValueError(f"variance must be 'beta' or 'beta_tilde', got {variance!r}")
        return mean + dt.type(math.sqrt(var)) * np.asarray(noise, dt)

    def sample(
        self,
        n,
        shape,
        *,
        steps=None,
        variance="beta",
        eta=0.0,
        generator=None,
        progress=True,
        return_trajectory=False,
        inpaint=None,
    ):
        """Generate n samples of ``shape`` from x_T ~ N(0, I).

        steps=None: the full ancestral sampler (T model calls); steps=k < T: DDIM on k evenly
        spaced time steps (eta = 0 deterministic). ``inpaint=(x0, mask)``: known pixels
        (mask = 1) are replaced by q_sample(x0, t) after every step (GN-18).
        Returns an ndarray (n, *shape) (and the list of intermediate x_t when asked).
        """
        if not (isinstance(n, int) and n > 0):
            raise ValueError(f"n must be a positive int, got {n!r}")
        rng = generator if generator is not None else np.random.default_rng()
        dt = self._dtype
        shape = tuple(shape)
        known = mask = None
        if inpaint is not None:
            known, mask = (np.asarray(a, dt) for a in inpaint)
            if known.shape != (n, *shape) or mask.shape not in ((n, *shape), shape):
                raise ValueError(
                    f"inpaint: expected x0 of shape {(n, *shape)} and a mask of shape {shape} or "
                    f"{(n, *shape)}, got {known.shape} and {mask.shape}"
                )
        x = rng.standard_normal((n, *shape)).astype(dt)
        traj = [x]
        if steps is None or steps >= self.T:
            seq = list(range(self.T - 1, -1, -1))
        else:
            if not (isinstance(steps, int) and steps > 0):
                raise ValueError(f"steps must be a positive int, got {steps!r}")
            seq = sorted({int(round(v)) for v in np.linspace(0, self.T - 1, steps)}, reverse=True)
        was = self.model.training
        self.model.eval()
        ddim = steps is not None and steps < self.T
        s = self.schedule
        with no_grad():
            for i, t in enumerate(tqdm(seq, disable=not progress, desc="sampling")):
                eps = self._eps(x, t)
                if ddim:
                    t_prev = seq[i + 1] if i + 1 < len(seq) else -1
                    ab = s.alpha_bars[t]
                    ab_prev = s.alpha_bars[t_prev] if t_prev >= 0 else 1.0
                    x0_hat = (x - dt.type(math.sqrt(1 - ab)) * eps) / dt.type(math.sqrt(ab))
                    sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev))
                    dir_coef = math.sqrt(max(1 - ab_prev - sigma**2, 0.0))
                    x = dt.type(math.sqrt(ab_prev)) * x0_hat + dt.type(dir_coef) * eps
                    if sigma > 0 and t_prev >= 0:
                        x = x + dt.type(sigma) * rng.standard_normal(x.shape).astype(dt)
                    t_next = t_prev
                else:
                    z = rng.standard_normal(x.shape).astype(dt) if t > 0 else None
                    x = self.p_step(x, t, eps, noise=z, variance=variance)
                    t_next = t - 1
                if known is not None:
                    if t_next >= 0:
                        truth = self.q_sample(
                            known, np.full(n, t_next), rng.standard_normal(known.shape).astype(dt)
                        )
                    else:
                        truth = known
                    x = mask * truth + (1 - mask) * x
                x = x.astype(dt, copy=False)
                if return_trajectory:
                    traj.append(x)
        self.model.train(was)
        return (x, traj) if return_trajectory else x


class ExponentialMovingAverage:
    """An exponential moving average of a model's parameters (the "EMA" weights DDPMs sample
    with; Ho et al. 2020 use decay 0.9999)::

        theta_ema <- d theta_ema + (1 - d) theta        after every optimizer step

    ``update()`` folds in the current parameters; ``copy_to()`` writes the average into them
    (``store()`` / ``restore()`` keep and bring back the raw weights around that).

    Parameters
    ----------
    parameters : iterable of Parameters (e.g. ``model.parameters()``); the average starts at
        their current values
    decay : float in [0, 1)

    Example
    -------
    >>> from glassml import nn
    >>> layer = nn.Linear(2, 1)
    >>> ema = ExponentialMovingAverage(layer.parameters(), decay=0.5)
    >>> layer.weight.data[...] = 0.0; ema.update(); ema.copy_to()   # halfway to 0
    """

    def __init__(self, parameters, decay=0.999):
        if not (isinstance(decay, int | float) and 0.0 <= decay < 1.0):
            raise ValueError(f"decay must be a float in [0, 1), got {decay!r}")
        self.params = list(parameters)
        if not self.params:
            raise ValueError("parameters: expected at least one parameter, got none")
        self.decay = float(decay)
        self.shadow = [p.data.copy() for p in self.params]
        self._stored = None

    def update(self) -> None:
        """theta_ema <- d theta_ema + (1 - d) theta, in place (in each parameter's dtype)."""
        for avg, p in zip(self.shadow, self.params, strict=True):
            d = avg.dtype.type(self.decay)
            avg *= d
            avg += (1 - d) * p.data

    def copy_to(self) -> None:
        """Overwrite the parameters with the averages."""
        for avg, p in zip(self.shadow, self.params, strict=True):
            p.data[...] = avg

    def store(self) -> None:
        """Keep a copy of the current (raw) parameters for :meth:`restore`."""
        self._stored = [p.data.copy() for p in self.params]

    def restore(self) -> None:
        """Bring back the parameters saved by :meth:`store`."""
        if self._stored is None:
            raise RuntimeError("restore() called before store()")
        for saved, p in zip(self._stored, self.params, strict=True):
            p.data[...] = saved
