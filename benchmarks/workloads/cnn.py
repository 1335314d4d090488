"""W2 (CNN training step) and the ResNet basic-block step against PyTorch (issue 8).

* ``W2_cnn_step_b64_28x28``: conv(1->16, 3x3, p1)-ReLU-maxpool2-conv(16->32, 3x3, p1)-ReLU-
  maxpool2-linear(32*7*7 -> 10), batch 64 of 1x28x28, cross-entropy, SGD lr 0.01: one full
  training step (zero_grad, forward, loss, backward, step) on each side. Target <= 1.5x torch.
* ``resnet_basic_block_step``: forward + backward of one BasicBlock(64 -> 64) (conv-BN-ReLU-
  conv-BN + identity, ReLU) on (32, 64, 16, 16) in training mode, random upstream gradient.

Both sides start from identical weights (glassml's init copied into torch).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _copy_into_torch(ours, ref):
    import torch

    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )


@workload(
    "W2_cnn_step_b64_28x28", reference="torch", group="deep learning", unit="images", target=1.5
)
def cnn_step(quick):
    import torch

    from glassml import nn as gnn
    from glassml.autograd import Tensor
    from glassml.autograd.fused import cross_entropy
    from glassml.optim import SGD

    batch = 8 if quick else 64
    rng = np.random.default_rng(0)
    X = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)

    def build(nn):
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 10),
        )

    ours_model, ref_model = build(gnn), build(torch.nn)
    _copy_into_torch(ours_model, ref_model)
    ours_opt = SGD(ours_model.parameters(), lr=0.01)
    ref_opt = torch.optim.SGD(ref_model.parameters(), lr=0.01)
    Xo, yo = Tensor(X), Tensor(y)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def ours():
        ours_opt.zero_grad()
        cross_entropy(ours_model(Xo), yo).backward()
        ours_opt.step()

    def ref():
        ref_opt.zero_grad()
        torch.nn.functional.cross_entropy(ref_model(Xt), yt).backward()
        ref_opt.step()

    return Case(ours=ours, ref=ref, items=batch)


@workload(
    "resnet_basic_block_step", reference="torch", group="deep learning", unit="images", target=1.5
)
def resnet_block_step(quick):
    import torch

    from glassml.autograd import Tensor
    from glassml.models.resnet import BasicBlock

    n, c, hw = (4, 16, 8) if quick else (32, 64, 16)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, c, hw, hw)).astype(np.float32)
    G = rng.standard_normal((n, c, hw, hw)).astype(np.float32)

    class TorchBasicBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = torch.nn.BatchNorm2d(c)
            self.conv2 = torch.nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = torch.nn.BatchNorm2d(c)

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            return torch.relu(self.bn2(self.conv2(out)) + x)

    ours_block, ref_block = BasicBlock(c, c), TorchBasicBlock()
    _copy_into_torch(ours_block, ref_block)
    xo = Tensor(X, requires_grad=True)
    xt = torch.from_numpy(X).requires_grad_(True)
    go, gt = Tensor(G), torch.from_numpy(G)

    def ours():
        ours_block.zero_grad()
        xo.grad = None
        ours_block(xo).backward(go)

    def ref():
        ref_block.zero_grad()
        xt.grad = None
        ref_block(xt).backward(gt)

    return Case(ours=ours, ref=ref, items=n)
