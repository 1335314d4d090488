"""Multi-input / multi-output example modules (NL-03, NL-04) against torch equivalents."""

import numpy as np
import pytest
import torch

import glassml.nn.functional as F
from glassml.autograd import tensor
from glassml.nn.examples import BranchMergeNet, TwoHeadNet


class TorchTwoHead(torch.nn.Module):
    def __init__(self, d, h, k):
        super().__init__()
        L = torch.nn
        self.backbone = L.Sequential(L.Linear(d, h), L.ReLU(), L.Linear(h, h), L.ReLU())
        self.cls_head, self.reg_head = L.Linear(h, k), L.Linear(h, 1)

    def forward(self, x):
        h = self.backbone(x)
        return self.cls_head(h), self.reg_head(h)


class TorchBranchMerge(torch.nn.Module):
    def __init__(self, d, vocab, e, h, k, merge):
        super().__init__()
        L = torch.nn
        self.merge = merge
        self.dense_branch = L.Sequential(L.Linear(d, e), L.ReLU())
        self.embedding = L.Embedding(vocab, e)
        self.shared = L.Sequential(L.Linear(2 * e if merge == "concat" else e, h), L.ReLU())
        self.cls_head, self.reg_head = L.Linear(h, k), L.Linear(h, 1)

    def forward(self, x, tokens):
        a, b = self.dense_branch(x), self.embedding(tokens).mean(1)
        z = torch.cat([a, b], 1) if self.merge == "concat" else a + b
        h = self.shared(z)
        return self.cls_head(h), self.reg_head(h)


def _load(ours, ref):
    ours.double()
    ref.double().load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )


def _weighted_loss_and_grads(ours, ref, inputs_ours, inputs_ref, y_cls, y_reg):
    lo, vo = ours(*inputs_ours)
    loss = F.cross_entropy(lo, tensor(y_cls)) + 0.5 * F.mse_loss(vo, tensor(y_reg))
    lr, vr = ref(*inputs_ref)
    loss_ref = torch.nn.functional.cross_entropy(
        lr, torch.from_numpy(y_cls)
    ) + 0.5 * torch.nn.functional.mse_loss(vr, torch.from_numpy(y_reg))
    np.testing.assert_allclose(loss.item(), loss_ref.item(), rtol=1e-10)
    loss.backward(), loss_ref.backward()
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=name
        )


def test_two_head_net_matches_torch():
    rng = np.random.default_rng(0)
    ours, ref = TwoHeadNet(6, 8, 3, generator=rng), TorchTwoHead(6, 8, 3)
    assert list(ours.state_dict()) == list(ref.state_dict())
    _load(ours, ref)
    x = rng.standard_normal((5, 6))
    _weighted_loss_and_grads(
        ours,
        ref,
        [tensor(x)],
        [torch.from_numpy(x)],
        rng.integers(0, 3, 5),
        rng.standard_normal((5, 1)),
    )


@pytest.mark.parametrize("merge", ["concat", "add"])
def test_branch_merge_net_matches_torch(merge):
    rng = np.random.default_rng(1)
    ours = BranchMergeNet(4, 20, 5, 8, 3, merge=merge, generator=rng)
    ref = TorchBranchMerge(4, 20, 5, 8, 3, merge)
    assert list(ours.state_dict()) == list(ref.state_dict())
    _load(ours, ref)
    x, tok = rng.standard_normal((6, 4)), rng.integers(0, 20, (6, 7))
    _weighted_loss_and_grads(
        ours,
        ref,
        [tensor(x), tensor(tok)],
        [torch.from_numpy(x), torch.from_numpy(tok)],
        rng.integers(0, 3, 6),
        rng.standard_normal((6, 1)),
    )
    with pytest.raises(ValueError, match="merge"):
        BranchMergeNet(4, 20, 5, 8, 3, merge="mul")
