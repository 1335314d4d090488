"""CNN models (LeNet-5, MiniVGG, SimpleCNN, ReferenceCNN, depthwise-separable conv, TextCNN)
against the same models written in torch with identical weights: outputs, loss, gradients of
every parameter and of the input (random upstream gradients), BatchNorm running statistics,
one SGD / Adam step. Inventory: CN-05..CN-08."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn as tnn

from glassml.autograd import Tensor, tensor
from glassml.autograd.fused import cross_entropy
from glassml.models.cnn import (
    DepthwiseSeparableConv2d,
    LeNet5,
    MiniVGG,
    ReferenceCNN,
    SimpleCNN,
    TextCNN,
    conv_output_size,
)
from glassml.optim import SGD, Adam

TOL = {np.float64: (1e-9, 1e-10), np.float32: (1e-4, 1e-5)}


def GEN():
    """Fixed initial weights: float32 max-pool routing must not hinge on a near-tie that
    float32 rounding (different summation orders) could flip between the two libraries."""
    return np.random.default_rng(0)


def _sync(ours, ref, dtype, train):
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    ours.train(train)
    ref.train(train)


def compare(ours, ref, x, dtype=np.float64, train=True, seed=0):
    """Same weights -> same outputs, input gradient, parameter gradients and buffers."""
    rtol, atol = TOL[dtype]
    _sync(ours, ref, dtype, train)
    float_input = np.asarray(x).dtype.kind == "f"
    if float_input:
        x = np.asarray(x, dtype=dtype)
        xo, xt = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    else:
        xo, xt = tensor(x), torch.from_numpy(x)
    out, out_ref = ours(xo), ref(xt)
    np.testing.assert_allclose(out.numpy(), out_ref.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    out.backward(Tensor(g))
    out_ref.backward(torch.from_numpy(g))
    if float_input:
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    ref_params = dict(ref.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(ref_params)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )
    ref_buffers = dict(ref.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.numpy(), ref_buffers[name].numpy(), rtol=rtol, atol=atol)


# ----------------------------------------------------------------------------- torch twins
def torch_lenet(c=1, k=10, size=28, act=tnn.Tanh, pool=tnn.AvgPool2d):
    pad = 2 if size == 28 else 0
    s = ((size + 2 * pad - 4) // 2 - 4) // 2
    m = tnn.Module()
    m.features = tnn.Sequential(
        tnn.Conv2d(c, 6, 5, padding=pad), act(), pool(2), tnn.Conv2d(6, 16, 5), act(), pool(2)
    )
    m.classifier = tnn.Sequential(
        tnn.Flatten(),
        tnn.Linear(16 * s * s, 120),
        act(),
        tnn.Linear(120, 84),
        act(),
        tnn.Linear(84, k),
    )
    m.forward = lambda x: m.classifier(m.features(x))
    return m


def torch_stage(c_in, c_out, bn):
    layers = [tnn.Conv2d(c_in, c_out, 3, padding=1, bias=not bn)]
    if bn:
        layers.append(tnn.BatchNorm2d(c_out))
    return [*layers, tnn.ReLU()]


def torch_minivgg(c, k, widths, per, size, hidden, bn, p):
    layers, ch = [], c
    for w in widths:
        for _ in range(per):
            layers += torch_stage(ch, w, bn)
            ch = w
        layers.append(tnn.MaxPool2d(2))
    s = size >> len(widths)
    m = tnn.Module()
    m.features = tnn.Sequential(*layers)
    m.classifier = tnn.Sequential(
        tnn.Flatten(),
        tnn.Linear(ch * s * s, hidden),
        tnn.ReLU(),
        tnn.Dropout(p),
        tnn.Linear(hidden, k),
    )
    m.forward = lambda x: m.classifier(m.features(x))
    return m


def torch_simple(c, k, channels, size, bn, p=0.0):
    layers, ch = [], c
    for w in channels:
        layers += [*torch_stage(ch, w, bn), tnn.MaxPool2d(2)]
        ch = w
    s = size >> len(channels)
    m = tnn.Module()
    m.features = tnn.Sequential(*layers)
    m.classifier = tnn.Sequential(tnn.Flatten(), tnn.Dropout(p), tnn.Linear(ch * s * s, k))
    m.forward = lambda x: m.classifier(m.features(x))
    return m


def torch_reference(c, k, size, p):
    s = ((((size - 2) // 2) - 2) // 2) - 2
    m = tnn.Module()
    m.features = tnn.Sequential(
        tnn.Conv2d(c, 32, 3),
        tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(32, 64, 3),
        tnn.ReLU(),
        tnn.BatchNorm2d(64),
        tnn.MaxPool2d(2),
        tnn.Conv2d(64, 128, 3),
        tnn.ReLU(),
    )
    m.classifier = tnn.Sequential(
        tnn.Flatten(), tnn.Dropout(p), tnn.Linear(128 * s * s, 128), tnn.ReLU(), tnn.Linear(128, k)
    )
    m.forward = lambda x: m.classifier(m.features(x))
    return m


class TorchSeparable(tnn.Module):
    def __init__(self, c_in, c_out, k=3, stride=1, padding=1, bias=True):
        super().__init__()
        self.depthwise = tnn.Conv2d(c_in, c_in, k, stride, padding, groups=c_in, bias=bias)
        self.pointwise = tnn.Conv2d(c_in, c_out, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


class TorchTextCNN(tnn.Module):
    def __init__(self, vocab, dim, k, f, sizes, padding_idx=None):
        super().__init__()
        self.embedding = tnn.Embedding(vocab, dim, padding_idx=padding_idx)
        self.convs = tnn.ModuleList([tnn.Conv1d(dim, f, s) for s in sizes])
        self.dropout = tnn.Dropout(0.0)
        self.fc = tnn.Linear(f * len(sizes), k)

    def forward(self, tokens):
        e = self.embedding(tokens).transpose(1, 2)
        pooled = [torch.relu(c(e)).amax(dim=2) for c in self.convs]
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


def _images(n, c, size, seed=1):
    return np.random.default_rng(seed).standard_normal((n, c, size, size))


# ----------------------------------------------------------------------------- parity tests
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size,activation,pooling", [(28, "tanh", "avg"), (32, "relu", "max")])
def test_lenet5_matches_torch(dtype, size, activation, pooling):
    ours = LeNet5(1, 10, size, activation, pooling, generator=GEN())
    act = tnn.Tanh if activation == "tanh" else tnn.ReLU
    pool = tnn.AvgPool2d if pooling == "avg" else tnn.MaxPool2d
    compare(ours, torch_lenet(1, 10, size, act, pool), _images(3, 1, size), dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("train", [True, False])
def test_minivgg_with_batchnorm_matches_torch_train_and_eval(dtype, train):
    kw = dict(widths=(4, 8), convs_per_stage=2, input_size=12, hidden=16, batch_norm=True)
    ours = MiniVGG(2, 5, dropout=0.0 if train else 0.5, generator=GEN(), **kw)
    ref = torch_minivgg(2, 5, (4, 8), 2, 12, 16, True, 0.0 if train else 0.5)
    compare(ours, ref, _images(4, 2, 12), dtype, train=train)


def test_minivgg_without_batchnorm_has_conv_bias_and_matches_torch():
    ours = MiniVGG(
        1, 3, widths=(4,), convs_per_stage=3, input_size=8, hidden=6, dropout=0.0, generator=GEN()
    )
    assert ours.features[0].bias is not None and len(ours.features) == 7
    compare(ours, torch_minivgg(1, 3, (4,), 3, 8, 6, False, 0.0), _images(2, 1, 8))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bn", [False, True])
def test_simple_cnn_matches_torch(dtype, bn):
    ours = SimpleCNN(1, 10, (4, 6), input_size=28, batch_norm=bn, generator=GEN())
    compare(ours, torch_simple(1, 10, (4, 6), 28, bn), _images(3, 1, 28), dtype)


def test_simple_cnn_default_is_the_w2_network():
    m = SimpleCNN()
    shapes = [tuple(p.shape) for p in m.parameters()]
    assert shapes == [(16, 1, 3, 3), (16,), (32, 16, 3, 3), (32,), (10, 1568), (10,)]


@pytest.mark.parametrize("train", [True, False])
def test_reference_cnn_matches_torch(train):
    ours = ReferenceCNN(3, 4, input_size=24, dropout=0.0 if train else 0.5, generator=GEN())
    ref = torch_reference(3, 4, 24, 0.0 if train else 0.5)
    compare(ours, ref, _images(2, 3, 24), np.float64, train=train)


def test_reference_cnn_default_shapes_follow_the_notes():
    m = ReferenceCNN()  # input (64, 64, 3): 62 -> 31 -> 29 -> 14 -> 12 => 128 * 12 * 12
    assert m.classifier[2].weight.shape == (128, 128 * 12 * 12)
    assert conv_output_size(64, 3) == 62


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("stride,padding,bias", [(1, 1, True), (2, 0, False)])
def test_depthwise_separable_matches_torch(dtype, stride, padding, bias):
    ours = DepthwiseSeparableConv2d(6, 10, 3, stride, padding, bias, generator=GEN())
    assert ours.depthwise.weight.shape == (6, 1, 3, 3)
    compare(ours, TorchSeparable(6, 10, 3, stride, padding, bias), _images(2, 6, 9), dtype)


def test_depthwise_separable_parameter_ratio_is_one_over_cout_plus_one_over_k2():
    c_in, c_out, k = 32, 64, 3
    sep = DepthwiseSeparableConv2d(c_in, c_out, k, bias=False)
    n_sep = sum(p.numel() for p in sep.parameters())
    assert n_sep / (c_out * c_in * k * k) == pytest.approx(1 / c_out + 1 / k**2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_text_cnn_matches_torch(dtype):
    ours = TextCNN(
        30, 8, 3, num_filters=5, kernel_sizes=(2, 3, 4), dropout=0.0, padding_idx=0, generator=GEN()
    )
    ref = TorchTextCNN(30, 8, 3, 5, (2, 3, 4), padding_idx=0)
    tokens = np.random.default_rng(3).integers(0, 30, size=(4, 9))
    tokens[:, -2:] = 0  # padding
    compare(ours, ref, tokens, dtype)


# ----------------------------------------------------------------------------- training steps
def _train_steps(ours, ref, opt_ours, opt_ref, x, y, steps=3):
    xo, yo = Tensor(x), Tensor(y)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(steps):
        opt_ours.zero_grad()
        loss = cross_entropy(ours(xo), yo)
        loss.backward()
        opt_ours.step()
        opt_ref.zero_grad()
        loss_ref = torch.nn.functional.cross_entropy(ref(xt), yt)
        loss_ref.backward()
        opt_ref.step()
        np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=1e-10)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_simple_cnn_bn_training_steps_give_identical_parameters_and_running_stats(optimizer):
    ours = SimpleCNN(1, 10, (4, 6), input_size=12, batch_norm=True, dtype=np.float64)
    ref = torch_simple(1, 10, (4, 6), 12, True)
    _sync(ours, ref, np.float64, True)
    if optimizer == "sgd":
        opt_o = SGD(ours.parameters(), lr=0.1, momentum=0.9)
        opt_r = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    else:
        opt_o = Adam(ours.parameters(), lr=0.01)
        opt_r = torch.optim.Adam(ref.parameters(), lr=0.01)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((8, 1, 12, 12)), rng.integers(0, 10, 8)
    _train_steps(ours, ref, opt_o, opt_r, x, y)
    ref_state = ref.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), ref_state[k].numpy(), rtol=1e-9, atol=1e-11)
    ours.eval()
    ref.eval()  # eval mode uses the running statistics accumulated above
    np.testing.assert_allclose(
        ours(Tensor(x)).numpy(), ref(torch.from_numpy(x)).detach().numpy(), rtol=1e-9, atol=1e-10
    )


# ----------------------------------------------------------------------------- bad input
def test_bad_arguments_and_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="activation"):
        LeNet5(activation="swish")
    with pytest.raises(ValueError, match="pooling"):
        LeNet5(pooling="median")
    with pytest.raises(ValueError, match="input_size"):
        LeNet5(input_size=8)
    with pytest.raises(ValueError, match="input_size=28"):
        LeNet5()(Tensor(np.zeros((1, 1, 32, 32), dtype=np.float32)))
    with pytest.raises(ValueError, match="input channels"):
        SimpleCNN()(Tensor(np.zeros((1, 3, 28, 28), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        SimpleCNN()(Tensor(np.zeros((28, 28), dtype=np.float32)))
    with pytest.raises(ValueError, match="too small"):
        MiniVGG(widths=(8, 8, 8, 8, 8, 8), input_size=28)
    with pytest.raises(ValueError, match="widths"):
        MiniVGG(widths=())
    with pytest.raises(ValueError, match="dropout"):
        SimpleCNN(dropout=1.5)
    with pytest.raises(ValueError, match="num_classes"):
        SimpleCNN(num_classes=0)
    with pytest.raises(ValueError, match="out_channels"):
        DepthwiseSeparableConv2d(4, -1)
    with pytest.raises(ValueError, match="kernel_sizes"):
        TextCNN(10, 4, 2, kernel_sizes=())
    with pytest.raises(ValueError, match="at least max"):
        TextCNN(10, 4, 2, kernel_sizes=(3, 5))(tensor(np.zeros((2, 4), dtype=np.int64)))
    with pytest.raises(ValueError, match=r"\(N, T\)"):
        TextCNN(10, 4, 2)(tensor(np.zeros(7, dtype=np.int64)))
