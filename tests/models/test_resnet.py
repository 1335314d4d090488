"""ResNet blocks and the small ResNet against torch twins written like torchvision's ResNet
(same key names), identical weights: outputs, gradients, BN running stats, training steps.
Inventory: CN-09, CL-159."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn as tnn

from glassml.autograd import Tensor, tensor
from glassml.autograd.fused import cross_entropy
from glassml.models.resnet import BasicBlock, Bottleneck, ResNet, resnet8, resnet14, resnet20
from glassml.optim import SGD, Adam

TOL = {np.float64: (1e-9, 1e-10), np.float32: (1e-4, 5e-5)}  # BN in float32: cancellation


class TBasic(tnn.Module):
    expansion = 1

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        self.conv1 = tnn.Conv2d(c_in, planes, 3, stride, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or c_in != planes:
            self.downsample = tnn.Sequential(
                tnn.Conv2d(c_in, planes, 1, stride, bias=False), tnn.BatchNorm2d(planes)
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class TBottleneck(tnn.Module):
    expansion = 4

    def __init__(self, c_in, planes, stride=1):
        super().__init__()
        w = planes * 4
        self.conv1 = tnn.Conv2d(c_in, planes, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(planes)
        self.conv2 = tnn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = tnn.BatchNorm2d(planes)
        self.conv3 = tnn.Conv2d(planes, w, 1, bias=False)
        self.bn3 = tnn.BatchNorm2d(w)
        self.downsample = None
        if stride != 1 or c_in != w:
            self.downsample = tnn.Sequential(
                tnn.Conv2d(c_in, w, 1, stride, bias=False), tnn.BatchNorm2d(w)
            )

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        out = torch.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


class TResNet(tnn.Module):
    def __init__(self, block, layers, k, c, width):
        super().__init__()
        self.conv1 = tnn.Conv2d(c, width, 3, 1, 1, bias=False)
        self.bn1 = tnn.BatchNorm2d(width)
        ch = width
        self.n = len(layers)
        for i, n in enumerate(layers):
            blocks = []
            for j in range(n):
                blocks.append(block(ch, width * 2**i, 2 if i > 0 and j == 0 else 1))
                ch = width * 2**i * block.expansion
            setattr(self, f"layer{i + 1}", tnn.Sequential(*blocks))
        self.avgpool = tnn.AdaptiveAvgPool2d((1, 1))
        self.fc = tnn.Linear(ch, k)

    def forward(self, x):
        out = torch.relu(self.bn1(self.conv1(x)))
        for i in range(self.n):
            out = getattr(self, f"layer{i + 1}")(out)
        return self.fc(torch.flatten(self.avgpool(out), 1))


def _sync(ours, ref, dtype, train=True):
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    ours.train(train)
    ref.train(train)


def compare(ours, ref, x, dtype=np.float64, train=True, seed=0):
    rtol, atol = TOL[dtype]
    _sync(ours, ref, dtype, train)
    x = np.asarray(x, dtype=dtype)
    xo, xt = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_ref = ours(xo), ref(xt)
    np.testing.assert_allclose(out.numpy(), out_ref.detach().numpy(), rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(out.shape).astype(dtype)
    out.backward(Tensor(g))
    out_ref.backward(torch.from_numpy(g))
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=rtol, atol=atol)
    ref_params = dict(ref.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(ref_params)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )
    ref_buffers = dict(ref.named_buffers())
    for name, b in ours.named_buffers():
        np.testing.assert_allclose(b.numpy(), ref_buffers[name].numpy(), rtol=rtol, atol=atol)


def _x(n, c, hw, seed=1):
    return np.random.default_rng(seed).standard_normal((n, c, hw, hw))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("c_in,planes,stride", [(6, 6, 1), (4, 8, 2), (4, 8, 1)])
@pytest.mark.parametrize("train", [True, False])
def test_basic_block_matches_torch(dtype, c_in, planes, stride, train):
    ours = BasicBlock(c_in, planes, stride, generator=np.random.default_rng(0))
    assert (ours.downsample is None) == (stride == 1 and c_in == planes)
    compare(ours, TBasic(c_in, planes, stride), _x(3, c_in, 8), dtype, train)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("c_in,planes,stride", [(8, 2, 1), (4, 2, 2), (8, 4, 1)])
def test_bottleneck_matches_torch(dtype, c_in, planes, stride):
    ours = Bottleneck(c_in, planes, stride, generator=np.random.default_rng(0))
    compare(ours, TBottleneck(c_in, planes, stride), _x(2, c_in, 6), dtype)


def test_resnet_keys_are_torchvision_names():
    keys = list(ResNet(BasicBlock, [1, 2], 10, 1, 4).state_dict())
    for k in [
        "conv1.weight",
        "bn1.running_mean",
        "layer1.0.conv1.weight",
        "layer1.0.bn2.num_batches_tracked",
        "layer2.0.downsample.0.weight",
        "layer2.0.downsample.1.running_var",
        "layer2.1.conv2.weight",
        "fc.bias",
    ]:
        assert k in keys
    assert "layer1.0.downsample.0.weight" not in keys  # identity shortcut in the first stage


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "block,tblock,layers", [(BasicBlock, TBasic, [1, 1, 1]), (Bottleneck, TBottleneck, [1, 1])]
)
def test_resnet_matches_torch(dtype, block, tblock, layers):
    ours = ResNet(
        block, layers, num_classes=5, in_channels=1, width=4, generator=np.random.default_rng(0)
    )
    compare(ours, TResNet(tblock, layers, 5, 1, 4), _x(3, 1, 12), dtype)


def test_resnet_eval_mode_matches_torch_after_training_steps():
    ours = resnet8(num_classes=3, in_channels=1, width=4, dtype=np.float64)
    ref = TResNet(TBasic, [1, 1, 1], 3, 1, 4)
    _sync(ours, ref, np.float64)
    opt_o, opt_r = (
        SGD(ours.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4),
        torch.optim.SGD(ref.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4),
    )
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((6, 1, 8, 8)), rng.integers(0, 3, 6)
    for _ in range(3):
        opt_o.zero_grad()
        loss = cross_entropy(ours(Tensor(x)), Tensor(y))
        loss.backward()
        opt_o.step()
        opt_r.zero_grad()
        loss_r = torch.nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y))
        loss_r.backward()
        opt_r.step()
        np.testing.assert_allclose(loss.item(), loss_r.item(), rtol=1e-10)
    state = ref.state_dict()
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v.numpy(), state[k].numpy(), rtol=1e-9, atol=1e-11, err_msg=k)
    ours.eval()
    ref.eval()
    compare(ours, ref, x, np.float64, train=False)


def test_adam_step_on_bottleneck_resnet_matches_torch():
    ours = ResNet(Bottleneck, [1, 1], 4, 2, 2, dtype=np.float64)
    ref = TResNet(TBottleneck, [1, 1], 4, 2, 2)
    _sync(ours, ref, np.float64)
    opt_o, opt_r = Adam(ours.parameters(), lr=1e-2), torch.optim.Adam(ref.parameters(), lr=1e-2)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((4, 2, 8, 8)), rng.integers(0, 4, 4)
    opt_o.zero_grad()
    cross_entropy(ours(Tensor(x)), Tensor(y)).backward()
    opt_o.step()
    opt_r.zero_grad()
    torch.nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    opt_r.step()
    ref_params = dict(ref.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.numpy(), ref_params[k].detach().numpy(), rtol=1e-9, atol=1e-11)


def test_zero_init_residual_makes_each_block_relu_of_its_input():
    x = np.abs(_x(2, 8, 6))  # non-negative: ReLU(x) = x, so the block is the exact identity
    for block in (
        BasicBlock(8, 8, zero_init_residual=True),
        Bottleneck(8, 2, zero_init_residual=True),
    ):
        out = block(Tensor(x.astype(np.float32)))
        np.testing.assert_array_equal(out.numpy(), x.astype(np.float32))
    normal = BasicBlock(8, 8)
    assert np.abs(normal(Tensor(x.astype(np.float32))).numpy() - x).max() > 1e-2


def test_plain_block_has_no_shortcut_and_factories_have_6n_plus_2_layers():
    plain = BasicBlock(4, 8, stride=2, residual=False)
    assert plain.downsample is None
    compare_x = _x(2, 4, 6)
    out = plain(Tensor(compare_x.astype(np.float32)))
    ref = plain.bn2(
        plain.conv2(plain.bn1(plain.conv1(Tensor(compare_x.astype(np.float32)))).relu())
    ).relu()
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    for fn, n in ((resnet8, 1), (resnet14, 2), (resnet20, 3)):
        m = fn(in_channels=1)
        convs = [
            k for k in m.state_dict() if k.endswith("conv1.weight") or k.endswith("conv2.weight")
        ]
        assert len(convs) + 1 == 6 * n + 2  # stem + 2 per block (6n + 1 convs) + fc


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="identity shortcut"):
        BasicBlock(4, 8, downsample=None)
    with pytest.raises(ValueError, match="downsample"):
        BasicBlock(4, 4, downsample="projection")
    with pytest.raises(ValueError, match="block"):
        ResNet(int, [1])
    with pytest.raises(ValueError, match="layers"):
        ResNet(BasicBlock, [])
    with pytest.raises(ValueError, match="planes"):
        Bottleneck(4, 0)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        resnet8()(Tensor(np.zeros((1, 1, 8, 8), dtype=np.float32)))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        BasicBlock(4, 4)(Tensor(np.zeros((4, 8, 8), dtype=np.float32)))
