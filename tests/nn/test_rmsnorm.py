"""RMSNorm (fused op and module) against torch.nn.RMSNorm / F.rms_norm, plus a
finite-difference check and bad inputs."""

import numpy as np
import pytest
import torch

from glassml.autograd import gradcheck, tensor
from glassml.nn.rmsnorm import RMSNorm, rms_norm

from ._helpers import compare_with_torch

RNG = np.random.default_rng(0)

CASES = [
    ("default_eps", dict(normalized_shape=6), (4, 6)),
    ("eps", dict(normalized_shape=5, eps=1e-5), (2, 3, 5)),
    ("tuple_shape", dict(normalized_shape=(3, 4), eps=1e-6), (2, 5, 3, 4)),
    ("no_affine", dict(normalized_shape=7, elementwise_affine=False), (3, 7)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kwargs,shape", CASES, ids=[c[0] for c in CASES])
def test_rmsnorm_matches_torch(name, kwargs, shape, dtype):
    tol = dict(rtol=1e-9, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    ours, ref = RMSNorm(**kwargs), torch.nn.RMSNorm(**kwargs)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())
    for p in ours.parameters():  # non-trivial weights (ones would hide bugs)
        p.data[...] = RNG.standard_normal(p.shape)
    x = RNG.standard_normal(shape) * 3.0 + 0.5
    out, _ = compare_with_torch(ours, ref, [x], dtype=dtype, **tol)
    assert out.dtype == dtype


def test_rms_norm_functional_matches_torch_and_gradcheck():
    x = RNG.standard_normal((3, 4, 5))
    w = RNG.standard_normal(5)
    ours = rms_norm(tensor(x), 5, tensor(w), eps=1e-6).numpy()
    ref = torch.nn.functional.rms_norm(torch.from_numpy(x), (5,), torch.from_numpy(w), eps=1e-6)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12, atol=1e-12)
    xt = tensor(x, requires_grad=True)
    wt = tensor(w, requires_grad=True)
    assert gradcheck(lambda a, b: rms_norm(a, (5,), b, 1e-3), (xt, wt))


def test_rmsnorm_one_adam_step_matches_torch():
    ours, ref = RMSNorm(4, eps=1e-5).double(), torch.nn.RMSNorm(4, eps=1e-5).double()
    x = RNG.standard_normal((6, 4))
    target = RNG.standard_normal((6, 4))
    from glassml.optim import Adam

    opt, opt_ref = Adam(ours.parameters(), lr=0.1), torch.optim.Adam(ref.parameters(), lr=0.1)
    loss = ((ours(tensor(x)) - tensor(target)) ** 2).mean()
    loss.backward()
    opt.step()
    loss_ref = ((ref(torch.from_numpy(x)) - torch.from_numpy(target)) ** 2).mean()
    loss_ref.backward()
    opt_ref.step()
    np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.numpy(), ref.weight.detach().numpy(), rtol=1e-10)


def test_rmsnorm_float32_stays_float32():
    out = RMSNorm(8)(tensor(RNG.standard_normal((2, 8)).astype(np.float32)))
    assert out.dtype == np.float32


def test_rmsnorm_bad_inputs():
    with pytest.raises(ValueError, match="normalized_shape"):
        RMSNorm(0)
    with pytest.raises(ValueError, match="eps"):
        RMSNorm(4, eps=-1.0)
    with pytest.raises(ValueError, match="trailing shape"):
        RMSNorm(4)(tensor(np.zeros((2, 5), dtype=np.float32)))
    with pytest.raises(TypeError, match="floating-point"):
        rms_norm(tensor(np.zeros((2, 4), dtype=np.int64)), 4)
