"""Linear, Bilinear, Conv, pooling, Upsample, Embedding, Dropout against torch.nn (float64 tight,
float32 loose): outputs, input gradients and parameter gradients with a random upstream grad."""

import math

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.autograd import tensor

from ._helpers import compare_with_torch

RNG = np.random.default_rng(42)

LAYER_CASES = [
    ("linear", lambda L: L.Linear(5, 3), [(4, 5)]),
    ("linear_nobias_3d", lambda L: L.Linear(5, 3, bias=False), [(2, 4, 5)]),
    ("bilinear", lambda L: L.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("conv1d", lambda L: L.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 11)]),
    ("conv1d_dil_groups", lambda L: L.Conv1d(4, 6, 3, dilation=2, groups=2), [(2, 4, 12)]),
    ("conv2d", lambda L: L.Conv2d(3, 4, 3), [(2, 3, 7, 8)]),
    (
        "conv2d_opts",
        lambda L: L.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2),
        [(2, 4, 9, 8)],
    ),
    ("conv2d_same", lambda L: L.Conv2d(2, 3, 4, padding="same", bias=False), [(1, 2, 6, 6)]),
    ("conv2d_unbatched", lambda L: L.Conv2d(2, 3, 3), [(2, 5, 5)]),
    (
        "convT2d",
        lambda L: L.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
        [(2, 4, 5, 4)],
    ),
    (
        "convT2d_groups",
        lambda L: L.ConvTranspose2d(4, 6, 2, stride=2, groups=2, dilation=1),
        [(1, 4, 3, 3)],
    ),
    ("convT1d", lambda L: L.ConvTranspose1d(3, 2, 3, stride=2), [(2, 3, 6)]),
    ("maxpool2d", lambda L: L.MaxPool2d(3, stride=2, padding=1), [(2, 3, 9, 8)]),
    ("maxpool2d_ceil", lambda L: L.MaxPool2d(2, ceil_mode=True), [(1, 2, 7, 7)]),
    ("maxpool1d", lambda L: L.MaxPool1d(2), [(2, 3, 10)]),
    (
        "avgpool2d",
        lambda L: L.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        [(2, 3, 8, 8)],
    ),
    ("avgpool1d", lambda L: L.AvgPool1d(3, stride=1, padding=1), [(2, 3, 7)]),
    ("adaptiveavg2d", lambda L: L.AdaptiveAvgPool2d((3, 2)), [(2, 3, 7, 5)]),
    ("adaptiveavg2d_global", lambda L: L.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)]),
    ("adaptiveavg1d", lambda L: L.AdaptiveAvgPool1d(4), [(2, 3, 10)]),
    ("upsample_nearest", lambda L: L.Upsample(scale_factor=2), [(1, 2, 3, 4)]),
    (
        "upsample_bilinear",
        lambda L: L.Upsample(size=(5, 7), mode="bilinear", align_corners=False),
        [(1, 2, 3, 4)],
    ),
    ("flatten", lambda L: L.Flatten(), [(2, 3, 4)]),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch's note
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,build,shapes", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_layer_matches_torch(name, build, shapes, dtype):
    tol = dict(rtol=1e-7, atol=1e-9) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    inputs = [RNG.standard_normal(s) for s in shapes]
    ours, ref = build(nn), build(torch.nn)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert repr(ours) == repr(ref)
    out, _ = compare_with_torch(ours, ref, inputs, dtype=dtype, **tol)
    assert out.dtype == dtype


@pytest.mark.parametrize(
    "build",
    [
        lambda L: L.Linear(200, 100),
        lambda L: L.Conv2d(6, 8, (3, 5)),
        lambda L: L.ConvTranspose2d(6, 8, 3, groups=2),
        lambda L: L.Conv1d(4, 6, 5, groups=2),
        lambda L: L.Bilinear(30, 20, 10),
    ],
)
def test_default_init_matches_torch_distribution(build):
    ours = build(nn)
    ref = build(torch.nn)
    fan_in = torch.nn.init._calculate_fan_in_and_fan_out(ref.weight)[0]
    if isinstance(ours, nn.Bilinear):
        fan_in = ref.weight.shape[1]  # torch's Bilinear bound is 1/sqrt(in1_features)
    bound = 1.0 / math.sqrt(fan_in)
    for name, p in ref.named_parameters():
        ours_p, ref_p = ours.get_parameter(name).numpy(), p.detach().numpy()
        assert ours_p.dtype == np.float32 and ours_p.shape == ref_p.shape
        # both uniform on [-bound, bound]
        assert np.abs(ours_p).max() <= bound * (1 + 1e-6), name
        assert np.abs(ref_p).max() <= bound * (1 + 1e-6), name
        if ours_p.size > 500:
            assert np.abs(ours_p).max() > 0.98 * bound, name
            assert abs(ours_p.std() - bound / math.sqrt(3)) < 0.05 * bound, name
            assert abs(ref_p.std() - bound / math.sqrt(3)) < 0.05 * bound, name


def test_init_generator_reproducible():
    a = nn.Linear(4, 3, generator=np.random.default_rng(7))
    b = nn.Linear(4, 3, generator=np.random.default_rng(7))
    c = nn.Linear(4, 3, generator=np.random.default_rng(8))
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert not np.array_equal(a.weight.numpy(), c.weight.numpy())


def test_linear_wrong_width_error_names_layer_and_shapes():
    layer = nn.Linear(5, 2)
    with pytest.raises(
        ValueError,
        match=r"Linear\(in_features=5, out_features=2, bias=True\): "
        r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 5x2\)",
    ):
        layer(tensor(np.zeros((4, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="in_features must be a non-negative integer"):
        nn.Linear(2.5, 3)


def test_conv_wrong_channels_error():
    conv = nn.Conv2d(3, 8, 3)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8.*expected input with 3 channels.*got 4"):
        conv(tensor(np.zeros((2, 4, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match="expected 3-D .* or 4-D"):
        conv(tensor(np.zeros((8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="kernel_size"):
        nn.Conv2d(3, 6, (3, 3, 3))
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(3, 6, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="output_padding must be smaller"):
        nn.ConvTranspose2d(3, 6, 3, stride=1, output_padding=1)


def test_embedding_matches_torch_with_padding_idx():
    idx = RNG.integers(0, 10, size=(4, 6))
    idx[0, :2] = 3
    ours = nn.Embedding(10, 5, padding_idx=3).double()
    ref = torch.nn.Embedding(10, 5, padding_idx=3).double()
    assert np.all(ours.weight.numpy()[3] == 0)
    ref.load_state_dict({"weight": torch.from_numpy(ours.weight.numpy().copy())})
    out, out_ref = ours(tensor(idx)), ref(torch.from_numpy(idx))
    np.testing.assert_array_equal(out.numpy(), out_ref.detach().numpy())
    g = RNG.standard_normal(out.shape)
    out.backward(tensor(g)), out_ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(ours.weight.grad.numpy(), ref.weight.grad.numpy(), rtol=1e-12)
    assert np.all(ours.weight.grad.numpy()[3] == 0)
    assert repr(ours) == repr(ref).replace("", "")


def test_embedding_from_pretrained_freeze():
    vectors = RNG.standard_normal((6, 3)).astype(np.float32)
    frozen = nn.Embedding.from_pretrained(vectors)
    trainable = nn.Embedding.from_pretrained(vectors, freeze=False)
    ref = torch.nn.Embedding.from_pretrained(torch.from_numpy(vectors))
    assert frozen.weight.requires_grad is ref.weight.requires_grad is False
    assert trainable.weight.requires_grad
    idx = np.array([[0, 5, 2]])
    np.testing.assert_array_equal(frozen(tensor(idx)).numpy(), ref(torch.from_numpy(idx)).numpy())
    with pytest.raises(ValueError, match="2-D"):
        nn.Embedding.from_pretrained(np.zeros(3))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(5, 2, padding_idx=7)


@pytest.mark.parametrize(
    "cls,shape",
    [(nn.Dropout, (2000,)), (nn.Dropout2d, (50, 40, 3, 3)), (nn.Dropout1d, (50, 40, 6))],
)
def test_dropout_train_statistics_and_eval_identity(cls, shape):
    p = 0.3
    layer = cls(p, generator=np.random.default_rng(0))
    x = np.ones(shape, dtype=np.float32)
    y = layer(tensor(x)).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / (1 - p), rtol=1e-6)  # inverted scaling
    assert abs(kept.mean() - (1 - p)) < 0.05
    assert abs(y.mean() - 1.0) < 0.08  # E[y] = x
    if cls is not nn.Dropout:  # whole channels zeroed
        flat = kept.reshape(shape[0], shape[1], -1)
        assert np.all(flat.all(axis=2) | ~flat.any(axis=2))
    layer.eval()
    np.testing.assert_array_equal(layer(tensor(x)).numpy(), x)
    assert repr(layer) == repr(getattr(torch.nn, cls.__name__)(p))
    with pytest.raises(ValueError, match="between 0 and 1"):
        cls(1.5)


def test_alpha_dropout_keeps_moments():
    x = RNG.standard_normal(200_000)
    y = nn.AlphaDropout(0.2, generator=np.random.default_rng(1))(tensor(x)).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02
    np.testing.assert_array_equal(nn.AlphaDropout(0.2).eval()(tensor(x)).numpy(), x)


def test_dropout_gradient_uses_the_same_mask():
    layer = nn.Dropout(0.5, generator=np.random.default_rng(3))
    x = tensor(np.ones(100), requires_grad=True)
    y = layer(x)
    y.backward(tensor(np.ones(100)))
    np.testing.assert_array_equal(x.grad.numpy(), y.numpy())


def test_lazy_linear_infers_in_features():
    layer = nn.LazyLinear(3)
    out = layer(tensor(np.ones((2, 7), dtype=np.float32)))
    assert out.shape == (2, 3) and layer.weight.shape == (3, 7)
