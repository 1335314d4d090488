"""CycleGAN (GN-07, LS-25): cycle-consistency loss, one training step vs PyTorch, toy demo."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as F

from glassml.autograd import tensor
from glassml.models.cyclegan import CycleGAN, cycle_consistency_loss


def _mlp(sizes, act):
    layers = []
    for a, b in zip(sizes[:-2], sizes[1:-1], strict=True):
        layers += [tnn.Linear(a, b), act()]
    layers.append(tnn.Linear(sizes[-2], sizes[-1]))
    m = tnn.Module()
    m.net = tnn.Sequential(*layers)
    return m


def test_cycle_consistency_loss_matches_torch_l1():
    rng = np.random.default_rng(0)
    r, o = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    a = tensor(r, requires_grad=True)
    ta = torch.tensor(r, requires_grad=True)
    loss, ref = cycle_consistency_loss(a, o), F.l1_loss(ta, torch.from_numpy(o))
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    up = rng.standard_normal()
    (loss * up).backward()
    (ref * up).backward()
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        cycle_consistency_loss(tensor(r), o[:2])


def test_training_step_matches_torch():
    cg = CycleGAN(dim=2, hidden=(6,), lambda_cyc=10.0, lr=1e-2, seed=0).to(np.float64)
    G_ab, G_ba = _mlp([2, 6, 2], tnn.ReLU), _mlp([2, 6, 2], tnn.ReLU)
    D_a, D_b = (_mlp([2, 6, 1], lambda: tnn.LeakyReLU(0.2)) for _ in range(2))
    ref = tnn.ModuleDict(dict(G_ab=G_ab, G_ba=G_ba, D_a=D_a, D_b=D_b)).double()
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in cg.state_dict().items()}
    )
    # optimisers must be rebuilt after .to(float64) replaced the parameters
    cg.__init__(dim=2, hidden=(6,), lambda_cyc=10.0, lr=1e-2, seed=0)
    cg.to(np.float64)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in cg.state_dict().items()}
    )
    from glassml.optim import Adam

    cg.opt_g = Adam(
        list(cg.G_ab.parameters()) + list(cg.G_ba.parameters()), lr=1e-2, betas=(0.5, 0.999)
    )
    cg.opt_d = Adam(
        list(cg.D_a.parameters()) + list(cg.D_b.parameters()), lr=1e-2, betas=(0.5, 0.999)
    )
    opt_g = torch.optim.Adam(
        list(G_ab.parameters()) + list(G_ba.parameters()), lr=1e-2, betas=(0.5, 0.999)
    )
    opt_d = torch.optim.Adam(
        list(D_a.parameters()) + list(D_b.parameters()), lr=1e-2, betas=(0.5, 0.999)
    )
    rng = np.random.default_rng(1)

    def D(m, x):
        return m.net(x).reshape(-1)

    def ls(out, target):
        return F.mse_loss(out, torch.full_like(out, target))

    for _ in range(2):
        a, b = rng.standard_normal((8, 2)), rng.standard_normal((8, 2)) + 3
        got = cg.step(a, b)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        opt_g.zero_grad()
        fb, fa = G_ab.net(ta), G_ba.net(tb)
        cyc = F.l1_loss(G_ba.net(fb), ta) + F.l1_loss(G_ab.net(fa), tb)
        lg = ls(D(D_b, fb), 1.0) + ls(D(D_a, fa), 1.0) + 10.0 * cyc
        lg.backward()
        opt_g.step()
        opt_d.zero_grad()
        ld = 0.5 * (
            ls(D(D_b, tb), 1.0)
            + ls(D(D_b, fb.detach()), 0.0)
            + ls(D(D_a, ta), 1.0)
            + ls(D(D_a, fa.detach()), 0.0)
        )
        ld.backward()
        opt_d.step()
        np.testing.assert_allclose(
            [got["g_loss"], got["d_loss"], got["cycle"]],
            [lg.item(), ld.item(), cyc.item()],
            rtol=1e-9,
        )
    refp = dict(ref.named_parameters())
    for name, p in cg.named_parameters():
        np.testing.assert_allclose(
            p.numpy(), refp[name].detach().numpy(), rtol=1e-9, atol=1e-10, err_msg=name
        )


def test_toy_translation_learns_the_shift():
    rng = np.random.default_rng(2)
    A = (rng.standard_normal((256, 2)) * [0.6, 0.15]).astype(np.float32)
    B = (rng.standard_normal((256, 2)) * [0.6, 0.15] + [1.5, -1.0]).astype(np.float32)
    cg = CycleGAN(dim=2, hidden=(32,), lr=1e-2, seed=0).fit(
        A, B, epochs=60, batch_size=64, progress=False
    )
    err = np.abs(cg.translate_ba(cg.translate_ab(A)) - A).mean()
    assert err < 0.2  # F(G(a)) ~ a
    np.testing.assert_allclose(cg.translate_ab(A).mean(0), B.mean(0), atol=0.5)


def test_bad_inputs():
    with pytest.raises(ValueError, match="dim"):
        CycleGAN(dim=0)
    with pytest.raises(ValueError, match=r"A: expected shape \(N, 2\)"):
        CycleGAN(dim=2).fit(np.zeros((4, 3)), np.zeros((4, 2)), progress=False)
