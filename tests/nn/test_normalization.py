"""BatchNorm, LayerNorm, GroupNorm, InstanceNorm, spectral_norm, AdaIN against torch."""

import numpy as np
import pytest
import torch

import glassml.nn.functional as F
from glassml import nn
from glassml.autograd import tensor

from ._helpers import compare_with_torch

RNG = np.random.default_rng(0)

NORM_CASES = [
    ("bn1d", lambda L: L.BatchNorm1d(4), (8, 4)),
    ("bn1d_3d", lambda L: L.BatchNorm1d(3, momentum=0.3, eps=1e-3), (5, 3, 6)),
    ("bn1d_cumulative", lambda L: L.BatchNorm1d(3, momentum=None), (6, 3)),
    ("bn1d_noaffine", lambda L: L.BatchNorm1d(3, affine=False), (6, 3)),
    ("bn1d_nobias", lambda L: L.BatchNorm1d(3, bias=False), (6, 3)),
    ("bn1d_untracked", lambda L: L.BatchNorm1d(3, track_running_stats=False), (6, 3)),
    ("bn2d", lambda L: L.BatchNorm2d(3), (4, 3, 5, 5)),
    ("ln", lambda L: L.LayerNorm(6), (4, 6)),
    ("ln_tuple", lambda L: L.LayerNorm((3, 4), eps=1e-3), (2, 5, 3, 4)),
    ("ln_noaffine", lambda L: L.LayerNorm(5, elementwise_affine=False), (3, 5)),
    ("ln_nobias", lambda L: L.LayerNorm(5, bias=False), (3, 5)),
    ("gn", lambda L: L.GroupNorm(2, 6), (3, 6, 4, 4)),
    ("gn_1d", lambda L: L.GroupNorm(3, 6, affine=False), (3, 6, 5)),
    ("gn_nobias", lambda L: L.GroupNorm(1, 4, bias=False), (2, 4, 3)),
    ("in1d", lambda L: L.InstanceNorm1d(3), (4, 3, 7)),
    ("in1d_unbatched", lambda L: L.InstanceNorm1d(3, affine=True), (3, 7)),
    (
        "in2d_affine_tracked",
        lambda L: L.InstanceNorm2d(3, affine=True, track_running_stats=True),
        (2, 3, 4, 5),
    ),
]


def _perturb_affine(ours):
    """Non-trivial gamma/beta (defaults 1/0 would hide bugs)."""
    for p in ours.parameters():
        p.data[...] = RNG.standard_normal(p.shape)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("name,build,shape", NORM_CASES, ids=[c[0] for c in NORM_CASES])
def test_norm_layer_matches_torch(name, build, shape, mode, dtype):
    tol = dict(rtol=1e-7, atol=1e-9) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    ours, ref = build(nn), build(torch.nn)
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict())
    _perturb_affine(ours)
    x = RNG.standard_normal(shape) * 2.0 + 0.5
    if mode == "eval":  # running statistics from two training batches, then eval
        ours.to(dtype), ref.to(torch.float64 if dtype == np.float64 else torch.float32)
        for _ in range(2):
            xb = (RNG.standard_normal(shape) * 3.0 + 1.0).astype(dtype)
            ours(tensor(xb))
            ref(torch.from_numpy(xb))
        params = dict(ref.named_parameters())
        ref_state = {k: v.clone() for k, v in ref.state_dict().items() if k not in params}
        ours.eval(), ref.eval()
        compare_with_torch(ours, ref, [x], dtype=dtype, **tol)
        for k, v in ref_state.items():  # (compare_with_torch copied ours into ref)
            np.testing.assert_allclose(ours.state_dict()[k].numpy(), v.numpy(), **tol, err_msg=k)
    else:
        compare_with_torch(ours, ref, [x], dtype=dtype, **tol)
        ref2 = build(torch.nn).to(torch.float64 if dtype == np.float64 else torch.float32)
        ref2.load_state_dict(ref.state_dict())
        ours2 = build(nn).to(dtype)
        ours2.load_state_dict(ours.state_dict())
        ours2(tensor(x.astype(dtype))), ref2(torch.from_numpy(x.astype(dtype)))
        for k, v in ref2.state_dict().items():  # running stats after one training step
            np.testing.assert_allclose(ours2.state_dict()[k].numpy(), v.numpy(), **tol, err_msg=k)


def test_batchnorm_eval_uses_running_stats_and_train_batch_stats():
    bn = nn.BatchNorm1d(2).double()
    bn.running_mean.data[...] = [1.0, -1.0]
    bn.running_var.data[...] = [4.0, 0.25]
    x = np.array([[3.0, 0.0], [5.0, -2.0]])
    bn.eval()
    expected = (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5)
    np.testing.assert_allclose(bn(tensor(x)).numpy(), expected, rtol=1e-12)
    bn.train()
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(bn(tensor(x)).numpy(), expected, rtol=1e-10)
    # running var is updated with the unbiased batch variance
    np.testing.assert_allclose(
        bn.running_var.numpy(), 0.9 * np.array([4.0, 0.25]) + 0.1 * x.var(0, ddof=1), rtol=1e-12
    )
    assert int(bn.num_batches_tracked.item()) == 1


def test_layernorm_is_independent_of_the_batch_batchnorm_is_not():
    """CL-123."""
    x = RNG.standard_normal((8, 5))
    ln, bn = nn.LayerNorm(5).double(), nn.BatchNorm1d(5).double()
    other = x.copy()
    other[1:] = RNG.standard_normal((7, 5)) * 5
    np.testing.assert_allclose(ln(tensor(x)).numpy()[0], ln(tensor(other)).numpy()[0], rtol=1e-12)
    assert not np.allclose(bn(tensor(x)).numpy()[0], bn(tensor(other)).numpy()[0])


def test_norm_bad_inputs():
    with pytest.raises(ValueError, match=r"expected 4 channels \(dim 1\)"):
        nn.BatchNorm1d(4)(tensor(np.zeros((3, 5), dtype=np.float32)))
    with pytest.raises(ValueError, match="expected 4D input, got 2D"):
        nn.BatchNorm2d(4)(tensor(np.zeros((3, 4), dtype=np.float32)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(4)(tensor(np.zeros((1, 4), dtype=np.float32)))
    with pytest.raises(ValueError, match="trailing shape"):
        nn.LayerNorm(4)(tensor(np.zeros((3, 5), dtype=np.float32)))
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match="num_features must be a positive"):
        nn.BatchNorm1d(0)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum=2.0)
    with pytest.raises(ValueError, match=r"expected input \(N, 6, \*\)"):
        nn.GroupNorm(2, 6)(tensor(np.zeros((2, 4, 3), dtype=np.float32)))


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize(
    "build,shape",
    [
        (lambda L: L.Linear(5, 4), (3, 5)),
        (lambda L: L.Conv2d(2, 3, 3), (2, 2, 5, 5)),
        (lambda L: L.ConvTranspose2d(2, 3, 3), (1, 2, 4, 4)),
    ],
)
def test_spectral_norm_matches_torch_given_the_same_u(build, shape, mode):
    """NO-07: same weight and u, v -> same forward (power iteration in train) and gradients."""
    ours = nn.spectral_norm(
        build(nn).double(), n_power_iterations=2, generator=np.random.default_rng(0)
    )
    ref = torch.nn.utils.spectral_norm(build(torch.nn).double(), n_power_iterations=2)
    assert sorted(ours.state_dict()) == sorted(ref.state_dict())
    getattr(ours, mode)(), getattr(ref, mode)()
    compare_with_torch(ours, ref, [RNG.standard_normal(shape)], rtol=1e-9, atol=1e-11)
    for key in ("weight_u", "weight_v"):  # buffers after the power iteration
        np.testing.assert_allclose(
            ours.state_dict()[key].numpy(), ref.state_dict()[key].numpy(), rtol=1e-9, atol=1e-12
        )


def test_spectral_norm_converges_to_unit_spectral_norm_and_remove():
    base = nn.Linear(8, 6, generator=np.random.default_rng(3)).double()
    s = np.linalg.svd(base.weight.numpy(), compute_uv=False)
    assert s[0] / s[1] > 1.1  # a spectral gap, so that the power iteration converges
    layer = nn.spectral_norm(base, generator=np.random.default_rng(1))
    x = tensor(RNG.standard_normal((2, 8)))
    for _ in range(200):
        layer(x)
    sigma = np.linalg.svd(layer.weight.numpy(), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, rel=1e-6)
    w = layer.weight.numpy().copy()
    nn.remove_spectral_norm(layer)
    assert sorted(layer.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(layer.weight.numpy(), w, rtol=1e-6)
    with pytest.raises(ValueError, match="no parameter 'kernel'"):
        nn.spectral_norm(nn.Linear(2, 2), name="kernel")


def test_adain_matches_formula_in_torch():
    """NO-06: AdaIN(x, y) = sigma(y) (x - mu(x)) / sigma(x) + mu(y)."""
    x, y = RNG.standard_normal((2, 3, 5, 4)), RNG.standard_normal((2, 3, 6, 6)) * 3 + 1
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    eps = 1e-5

    def stats(t):
        return t.mean((2, 3), keepdim=True), (
            t.var((2, 3), keepdim=True, unbiased=False) + eps
        ).sqrt()

    (mx, sx), (my, sy) = stats(xt), stats(yt)
    ref = sy * (xt - mx) / sx + my
    ox, oy = tensor(x, requires_grad=True), tensor(y, requires_grad=True)
    out = F.adaptive_instance_norm(ox, oy, eps)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-10)
    g = RNG.standard_normal(x.shape)
    out.backward(tensor(g)), ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ox.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(oy.grad.numpy(), yt.grad.numpy(), rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="equal N and C"):
        F.adaptive_instance_norm(ox, tensor(RNG.standard_normal((2, 4, 3, 3))))
