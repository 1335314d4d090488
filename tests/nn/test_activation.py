"""Activations (AC) as modules and functions against torch; Gumbel-softmax, soft-argmax,
temperature softmax, the registry; hypothesis properties of softmax (CL-124)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import glassml.nn.functional as F
from glassml import nn
from glassml.autograd import tensor

from ._helpers import compare_with_torch

RNG = np.random.default_rng(0)

ACT_CASES = [
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("ReLU", (), {}),
    ("ReLU6", (), {}),
    ("LeakyReLU", (0.2,), {}),
    ("PReLU", (), {}),
    ("PReLU", (4,), {"init": 0.1}),
    ("ELU", (), {"alpha": 0.7}),
    ("SELU", (), {}),
    ("CELU", (), {"alpha": 1.5}),
    ("GELU", (), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {}),
    ("Mish", (), {}),
    ("Softplus", (), {"beta": 2.0, "threshold": 5.0}),
    ("Softsign", (), {}),
    ("Tanhshrink", (), {}),
    ("Hardtanh", (-0.5, 2.0), {}),
    ("Hardsigmoid", (), {}),
    ("Hardswish", (), {}),
    ("LogSigmoid", (), {}),
    ("Softmax", (), {"dim": 1}),
    ("LogSoftmax", (), {"dim": -1}),
    ("Softmin", (), {"dim": 1}),
    ("Softmax2d", (), {}),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "name,args,kwargs", ACT_CASES, ids=[f"{c[0]}{c[1]}{sorted(c[2].items())}" for c in ACT_CASES]
)
def test_activation_module_matches_torch(name, args, kwargs, dtype):
    tol = dict(rtol=1e-7, atol=1e-10) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-6)
    x = RNG.standard_normal((3, 4, 5)) * 4.0  # both sides of every kink and saturation
    ours, ref = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(ref)
    compare_with_torch(ours, ref, [x], dtype=dtype, **tol)


def test_rrelu_eval_matches_torch_and_train_slopes_in_range():
    x = RNG.standard_normal((200, 50))
    ours, ref = nn.RReLU(0.1, 0.3).eval(), torch.nn.RReLU(0.1, 0.3).eval()
    compare_with_torch(ours, ref, [x], rtol=1e-12)
    assert repr(nn.RReLU()) == repr(torch.nn.RReLU())
    train = nn.RReLU(0.1, 0.3, generator=np.random.default_rng(0)).train()
    xt = tensor(x, requires_grad=True)
    y = train(xt)
    neg = x < 0
    slopes = y.numpy()[neg] / x[neg]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01  # U(0.1, 0.3) has mean 0.2
    np.testing.assert_array_equal(y.numpy()[~neg], x[~neg])
    y.backward(tensor(np.ones_like(x)))
    np.testing.assert_allclose(xt.grad.numpy()[neg], slopes)  # gradient uses the same slopes
    with pytest.raises(ValueError, match="lower <= upper"):
        F.rrelu(xt, 0.5, 0.1, training=True)


def test_prelu_channel_mismatch_and_shared_weight():
    with pytest.raises(ValueError, match="3 parameters but the input has 4 channels"):
        nn.PReLU(3)(tensor(np.zeros((2, 4), dtype=np.float32)))
    with pytest.raises(ValueError, match="positive int"):
        nn.PReLU(0)
    compare_with_torch(nn.PReLU(3), torch.nn.PReLU(3), [RNG.standard_normal((2, 3, 4, 4))])


def test_functional_reexports_fused_and_matches_torch():
    x = RNG.standard_normal((4, 6))
    t = torch.from_numpy(x)
    for name in [
        "relu",
        "sigmoid",
        "tanh",
        "gelu",
        "silu",
        "softplus",
        "elu",
        "selu",
        "mish",
        "hardswish",
        "hardsigmoid",
        "relu6",
        "logsigmoid",
        "softsign",
        "tanhshrink",
    ]:
        np.testing.assert_allclose(
            getattr(F, name)(tensor(x)).numpy(),
            getattr(torch.nn.functional, name)(t).numpy(),
            rtol=1e-7,
            atol=1e-12,
            err_msg=name,
        )
    np.testing.assert_allclose(
        F.softmax(tensor(x), dim=0).numpy(), torch.softmax(t, 0).numpy(), rtol=1e-12
    )
    assert {"linear", "conv2d", "batch_norm", "cross_entropy", "dropout"} <= set(F.__all__)


def test_temperature_softmax_equals_softmax_of_scaled_logits():
    z = RNG.standard_normal((3, 5))
    for temp in (0.25, 1.0, 4.0):
        np.testing.assert_allclose(
            F.softmax_with_temperature(tensor(z), temp).numpy(),
            torch.softmax(torch.from_numpy(z) / temp, -1).numpy(),
            rtol=1e-12,
        )
    with pytest.raises(ValueError, match="temperature must be a positive"):
        F.softmax_with_temperature(tensor(z), 0.0)


def test_soft_argmax_value_and_gradient_against_torch():
    z = RNG.standard_normal((4, 6))
    zt = torch.tensor(z, requires_grad=True)
    ref = (torch.softmax(3.0 * zt, -1) * torch.arange(6, dtype=torch.float64)).sum(-1)
    ours_z = tensor(z, requires_grad=True)
    ours = F.soft_argmax(ours_z, beta=3.0)
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), rtol=1e-12)
    g = RNG.standard_normal(4)
    ours.backward(tensor(g)), ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours_z.grad.numpy(), zt.grad.numpy(), rtol=1e-10)
    sharp = F.soft_argmax(tensor(z), beta=200.0, dim=1).numpy()
    np.testing.assert_allclose(sharp, z.argmax(1), atol=1e-3)
    soft0 = F.soft_argmax(tensor(z.T.copy()), beta=200.0, dim=0).numpy()
    np.testing.assert_allclose(soft0, z.argmax(1), atol=1e-3)


def test_gumbel_softmax_soft_hard_and_frequencies():
    logits = np.log(np.array([0.1, 0.2, 0.7]))
    rng = np.random.default_rng(5)
    z = tensor(np.tile(logits, (20000, 1)), requires_grad=True)
    hard = F.gumbel_softmax(z, tau=0.5, hard=True, generator=rng)
    y = hard.numpy()
    assert set(np.unique(y)) == {0.0, 1.0} and np.all(y.sum(1) == 1)
    np.testing.assert_allclose(y.mean(0), [0.1, 0.2, 0.7], atol=0.015)  # argmax ~ softmax(z)
    g = RNG.standard_normal(y.shape)
    hard.backward(tensor(g))
    assert np.abs(z.grad.numpy()).sum() > 0  # straight-through: gradient of the soft sample
    soft = F.gumbel_softmax(tensor(logits[None]), tau=1.0, generator=np.random.default_rng(1))
    np.testing.assert_allclose(soft.numpy().sum(), 1.0, rtol=1e-12)
    cold = F.gumbel_softmax(
        tensor(np.tile(logits, (500, 1))), tau=0.01, generator=np.random.default_rng(2)
    ).numpy()
    assert np.mean(cold.max(1) > 0.99) > 0.95  # tau -> 0: nearly one-hot
    with pytest.raises(ValueError, match="tau must be positive"):
        F.gumbel_softmax(z, tau=0.0)


def test_gumbel_softmax_matches_torch_given_the_same_noise():
    logits = RNG.standard_normal((5, 4))
    rng_state = np.random.default_rng(11)
    ours = F.gumbel_softmax(tensor(logits), tau=0.7, generator=rng_state).numpy()
    gumbels = -np.log(np.random.default_rng(11).exponential(size=logits.shape))
    ref = torch.softmax((torch.from_numpy(logits) + torch.from_numpy(gumbels)) / 0.7, -1)
    np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "name,cls",
    [
        ("relu", nn.ReLU),
        ("Tanh", nn.Tanh),
        ("swish", nn.SiLU),
        ("linear", nn.Identity),
        ("leaky-relu", nn.LeakyReLU),
        ("softmax", nn.Softmax),
        ("LogSoftmax", nn.LogSoftmax),
    ],
)
def test_get_activation_by_name(name, cls):
    assert type(nn.get_activation(name)) is cls


def test_get_activation_errors_and_kwargs():
    assert nn.get_activation("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    assert nn.get_activation("softmax").dim == -1
    assert isinstance(nn.get_activation(None), nn.Identity)
    layer = nn.ReLU()
    assert nn.get_activation(layer) is layer
    with pytest.raises(ValueError, match="unknown name 'relux'"):
        nn.get_activation("relux")
    with pytest.raises(TypeError, match="name or a Module"):
        nn.get_activation(3)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 6)), elements=st.floats(-50, 50))
)
def test_softmax_properties(z):
    """CL-124: outputs in [0, 1], rows sum to 1, order kept, argmax unchanged."""
    s = F.softmax(tensor(z), dim=-1).numpy()
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-12)
    order = np.argsort(z, axis=-1, kind="stable")
    sorted_s = np.take_along_axis(s, order, -1)
    assert np.all(np.diff(sorted_s, axis=-1) >= -1e-15)
    shifted = F.softmax(tensor(z + 123.0), dim=-1).numpy()  # shift invariance (CL-127)
    np.testing.assert_allclose(shifted, s, rtol=1e-9, atol=1e-300)
