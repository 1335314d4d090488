"""nn.init against torch.nn.init: fans, gains, distribution statistics, orthogonality."""

import math

import numpy as np
import pytest
import torch

from glassml.autograd import empty, tensor, zeros
from glassml.nn import init

SHAPES = [(30, 20), (16, 8, 3, 3), (8, 4, 5), (6, 4, 2, 3, 2), (1, 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_fan_in_and_fan_out_equal_torch(shape):
    assert init._calculate_fan_in_and_fan_out(zeros(*shape)) == (
        torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    )
    for mode in ("fan_in", "fan_out"):
        assert init._calculate_correct_fan(zeros(*shape), mode) == (
            torch.nn.init._calculate_correct_fan(torch.zeros(shape), mode)
        )


def test_fan_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(zeros(5))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_uniform_(zeros(3, 3), mode="fan_avg")


@pytest.mark.parametrize(
    "nonlinearity,param",
    [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
        ("conv_transpose2d", None),
    ],
)
def test_calculate_gain_equals_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15
    )


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'softmax'"):
        init.calculate_gain("softmax")
    with pytest.raises(ValueError, match="negative_slope"):
        init.calculate_gain("leaky_relu", "x")


def _std_and_bound(ours_fn, ref_fn, shape, **kw):
    rng = np.random.default_rng(0)
    ours = ours_fn(empty(*shape, dtype="float64"), generator=rng, **kw).numpy()
    gen = torch.Generator().manual_seed(0)
    ref = ref_fn(torch.empty(shape, dtype=torch.float64), generator=gen, **kw).numpy()
    return ours, ref


CASES = [
    ("xavier_uniform_", {"gain": 1.5}, "uniform"),
    ("xavier_normal_", {"gain": 0.7}, "normal"),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, "uniform"),
    ("kaiming_uniform_", {"nonlinearity": "relu", "mode": "fan_out"}, "uniform"),
    ("kaiming_normal_", {"nonlinearity": "relu"}, "normal"),
    ("kaiming_normal_", {"a": 0.2, "mode": "fan_out"}, "normal"),
    ("uniform_", {"a": -0.3, "b": 0.9}, "uniform"),
    ("normal_", {"mean": 0.5, "std": 0.2}, "normal"),
    ("trunc_normal_", {"mean": 0.1, "std": 1.0, "a": -1.0, "b": 2.0}, "trunc"),
]


@pytest.mark.parametrize("shape", [(200, 300), (64, 32, 3, 3)])
@pytest.mark.parametrize("name,kw,kind", CASES, ids=[f"{c[0]}{c[1]}" for c in CASES])
def test_initializer_statistics_equal_torch(name, kw, kind, shape):
    ours, ref = _std_and_bound(getattr(init, name), getattr(torch.nn.init, name), shape, **kw)
    n = ours.size
    std = ref.std()
    # same mean and std within sampling error (std of the sample mean = std / sqrt n)
    assert abs(ours.mean() - ref.mean()) < 6 * std / math.sqrt(n)
    assert abs(ours.std() - std) < 0.02 * std
    if kind in ("uniform", "trunc"):  # same support
        assert abs(ours.min() - ref.min()) < 0.01 * std and abs(ours.max() - ref.max()) < 0.01 * std


def test_xavier_and_kaiming_formulas():
    """Var = gain^2 * 2/(fan_in + fan_out) (Glorot), gain^2 / fan_in (He) (IN-04, IN-05)."""
    w = init.xavier_normal_(empty(400, 600, dtype="float64"), generator=np.random.default_rng(1))
    assert w.numpy().var() == pytest.approx(2 / 1000, rel=0.02)
    w = init.kaiming_normal_(
        empty(400, 600, dtype="float64"), nonlinearity="relu", generator=np.random.default_rng(2)
    )
    assert w.numpy().var() == pytest.approx(2 / 600, rel=0.02)
    w = init.lecun_normal_(empty(400, 600, dtype="float64"), generator=np.random.default_rng(3))
    assert w.numpy().var() == pytest.approx(1 / 600, rel=0.02)
    w = init.lecun_uniform_(empty(400, 600, dtype="float64"), generator=np.random.default_rng(3))
    assert np.abs(w.numpy()).max() <= math.sqrt(3 / 600)
    assert w.numpy().var() == pytest.approx(1 / 600, rel=0.02)


@pytest.mark.parametrize("shape", [(5, 9), (9, 5), (6, 2, 3), (4, 4)])
def test_orthogonal_is_orthogonal_and_scaled(shape):
    w = init.orthogonal_(
        empty(*shape, dtype="float64"), gain=2.0, generator=np.random.default_rng(0)
    ).numpy()
    m = w.reshape(shape[0], -1) / 2.0
    if m.shape[0] <= m.shape[1]:
        np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=1e-12)
    else:
        np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=1e-12)
    ref = torch.nn.init.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=2.0)
    rm = ref.reshape(shape[0], -1).numpy() / 2.0
    np.testing.assert_allclose(
        np.linalg.svd(m, compute_uv=False), np.linalg.svd(rm, compute_uv=False), atol=1e-12
    )


def test_orthogonal_matches_torch_algorithm_given_the_same_gaussian():
    """Same Gaussian matrix -> same Q (sign-corrected QR, as torch)."""
    rng = np.random.default_rng(4)
    ours = init.orthogonal_(empty(4, 6, dtype="float64"), generator=rng).numpy()
    a = np.random.default_rng(4).standard_normal((4, 6))
    q, r = torch.linalg.qr(torch.from_numpy(a.T))
    q = q * torch.diag(r).sign()
    np.testing.assert_allclose(ours, q.T.numpy(), atol=1e-12)


def test_orthogonal_diagonal_sign_correction_is_haar():
    """Without the sign fix Q's diagonal is biased; with it the mean diagonal is ~0."""
    rng = np.random.default_rng(7)
    diag = [
        init.orthogonal_(empty(3, 3, dtype="float64"), generator=rng).numpy()[0, 0]
        for _ in range(2000)
    ]
    assert abs(np.mean(diag)) < 0.05


def test_constant_zeros_ones_eye_dirac_equal_torch():
    for ours_fn, ref_fn, shape in [
        (lambda t: init.constant_(t, 0.3), lambda t: torch.nn.init.constant_(t, 0.3), (3, 4)),
        (init.zeros_, torch.nn.init.zeros_, (2, 3)),
        (init.ones_, torch.nn.init.ones_, (5,)),
        (init.eye_, torch.nn.init.eye_, (3, 5)),
        (init.dirac_, torch.nn.init.dirac_, (4, 3, 3, 3)),
        (lambda t: init.dirac_(t, 2), lambda t: torch.nn.init.dirac_(t, 2), (6, 2, 3)),
    ]:
        ours = ours_fn(empty(*shape, dtype="float64")).numpy()
        ref = ref_fn(torch.empty(shape, dtype=torch.float64)).numpy()
        np.testing.assert_array_equal(ours, ref)


def test_init_in_place_same_object_no_grad_and_errors():
    t = tensor(np.zeros((3, 3)), requires_grad=True)
    out = init.normal_(t, generator=np.random.default_rng(0))
    assert out is t and t.is_leaf and t.grad_fn is None
    with pytest.raises(TypeError, match="floating"):
        init.normal_(tensor(np.zeros(3, dtype=np.int64)))
    with pytest.raises(TypeError, match="glassml Tensor"):
        init.normal_(np.zeros(3))
    with pytest.raises(ValueError, match="2-D"):
        init.eye_(zeros(2, 2, 2))
    with pytest.raises(ValueError, match="std must be non-negative"):
        init.normal_(zeros(2), std=-1.0)
    with pytest.raises(TypeError, match="Generator"):
        init.uniform_(zeros(2), generator=42)


def test_seeded_initialisation_is_reproducible():
    from glassml.autograd import manual_seed

    manual_seed(3)
    a = init.xavier_uniform_(empty(4, 4)).numpy().copy()
    manual_seed(3)
    b = init.xavier_uniform_(empty(4, 4)).numpy()
    np.testing.assert_array_equal(a, b)
