"""CycleGAN (Zhu et al. 2017) for low-dimensional toy domains: unpaired translation A <-> B.

Two generators G: A -> B and F: B -> A, two discriminators D_B (on B) and D_A (on A). Losses
(least-squares GAN, as in the paper, plus cycle consistency)::

    L_GAN(G, D_B) = E_b[(D_B(b) - 1)^2] + E_a[D_B(G(a))^2]          (D_B minimises)
    generator side: E_a[(D_B(G(a)) - 1)^2] + E_b[(D_A(F(b)) - 1)^2]
    L_cyc = E_a ||F(G(a)) - a||_1 + E_b ||G(F(b)) - b||_1          (mean absolute error)
    L_G   = generator side + lambda_cyc L_cyc   (lambda_cyc = 10)

Inventory: GN-07, LS-25, CL-210.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> A = rng.normal(size=(64, 2)).astype(np.float32); B = A + 3.0
>>> cg = CycleGAN(dim=2, hidden=(16,), seed=0).fit(A, B, epochs=1, batch_size=32, progress=False)
>>> cg.translate_ab(A[:2]).shape
(2, 2)
"""

from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from glassml import nn
from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import mse_loss
from glassml.optim import Adam

from .gan import MLPDiscriminator, MLPGenerator

__all__ = ["cycle_consistency_loss", "CycleGAN"]


def cycle_consistency_loss(reconstructed, original):
    """||F(G(x)) - x||_1 averaged over all elements (LS-25).

    >>> from glassml.autograd import tensor
    >>> cycle_consistency_loss(tensor([[1.0, 2.0]]), tensor([[0.0, 4.0]])).item()
    1.5
    """
    r = reconstructed if isinstance(reconstructed, Tensor) else Tensor(np.asarray(reconstructed))
    o = original if isinstance(original, Tensor) else Tensor(np.asarray(original, r.dtype))
    if r.shape != o.shape:
        raise ValueError(
            f"cycle_consistency_loss: reconstructed and original must have the same shape, "
            f"got {r.shape} and {o.shape}"
        )
    return (r - o).abs().mean()


def _lsgan(out, target: float):
    return mse_loss(out, Tensor(np.full(out.shape, target, dtype=out.dtype)))


class CycleGAN(nn.Module):
    """Two MLP generators (``G_ab``, ``G_ba``) and two MLP discriminators (``D_a``, ``D_b``).

    Parameters
    ----------
    dim : data dimension of both domains; hidden : MLP widths; lambda_cyc : cycle weight;
    lr : Adam learning rate (betas (0.5, 0.999)); seed : int for init, shuffling.

    ``history``: lists "d_loss", "g_loss", "cycle" (one entry per step).
    """

    def __init__(self, dim=2, hidden=(64, 64), lambda_cyc=10.0, lr=2e-3, *, seed=None):
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, int) or dim <= 0:
            raise ValueError(f"CycleGAN: dim must be a positive int, got {dim!r}")
        if not lambda_cyc >= 0:
            raise ValueError(f"CycleGAN: lambda_cyc must be >= 0, got {lambda_cyc!r}")
        self.rng = np.random.default_rng(seed)
        g = dict(generator=self.rng)
        self.dim, self.lambda_cyc = dim, float(lambda_cyc)
        self.G_ab = MLPGenerator(dim, dim, hidden, **g)
        self.G_ba = MLPGenerator(dim, dim, hidden, **g)
        self.D_a = MLPDiscriminator(dim, hidden, **g)
        self.D_b = MLPDiscriminator(dim, hidden, **g)
        gen_params = list(self.G_ab.parameters()) + list(self.G_ba.parameters())
        disc_params = list(self.D_a.parameters()) + list(self.D_b.parameters())
        self.opt_g = Adam(gen_params, lr=lr, betas=(0.5, 0.999))
        self.opt_d = Adam(disc_params, lr=lr, betas=(0.5, 0.999))
        self.history = {"d_loss": [], "g_loss": [], "cycle": []}

    def step(self, a, b) -> dict:
        """One generator step then one discriminator step on unpaired batches a, b."""
        dt = next(iter(self.parameters())).dtype
        a, b = Tensor(np.asarray(a, dt)), Tensor(np.asarray(b, dt))
        self.opt_g.zero_grad()
        fake_b, fake_a = self.G_ab(a), self.G_ba(b)  # (N, dim)
        adv = _lsgan(self.D_b(fake_b), 1.0) + _lsgan(self.D_a(fake_a), 1.0)
        cyc = cycle_consistency_loss(self.G_ba(fake_b), a) + cycle_consistency_loss(
            self.G_ab(fake_a), b
        )
        g_loss = adv + self.lambda_cyc * cyc
        g_loss.backward()
        self.opt_g.step()
        self.opt_d.zero_grad()
        fb, fa = fake_b.detach(), fake_a.detach()
        d_loss = (
            _lsgan(self.D_b(b), 1.0)
            + _lsgan(self.D_b(fb), 0.0)
            + _lsgan(self.D_a(a), 1.0)
            + _lsgan(self.D_a(fa), 0.0)
        ) * 0.5
        d_loss.backward()
        self.opt_d.step()
        out = {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "cycle": cyc.item()}
        for k, v in out.items():
            self.history[k].append(float(v))
        return out

    def fit(self, A, B, *, epochs=100, batch_size=64, progress=True):
        """Alternate :meth:`step` over shuffled, unpaired batches of A (N_a, dim), B (N_b, dim)."""
        A, B = np.asarray(A), np.asarray(B)
        for name, X in (("A", A), ("B", B)):
            if X.ndim != 2 or X.shape[1] != self.dim:
                raise ValueError(f"{name}: expected shape (N, {self.dim}), got {X.shape}")
        n = min(len(A), len(B))
        for _ in tqdm(range(epochs), disable=not progress, desc="CycleGAN"):
            ia, ib = self.rng.permutation(len(A))[:n], self.rng.permutation(len(B))[:n]
            for i in range(0, n, batch_size):
                self.step(A[ia[i : i + batch_size]], B[ib[i : i + batch_size]])
        return self

    def _run(self, net, x) -> np.ndarray:
        dt = next(iter(self.parameters())).dtype
        with no_grad():
            return np.array(net(Tensor(np.asarray(x, dt))).data)

    def translate_ab(self, a) -> np.ndarray:
        """G(a): A -> B."""
        return self._run(self.G_ab, a)

    def translate_ba(self, b) -> np.ndarray:
        """F(b): B -> A."""
        return self._run(self.G_ba, b)
