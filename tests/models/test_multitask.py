"""Multi-input / multi-output / multi-task models against torch twins with identical weights:
outputs, weighted losses, gradients of every parameter, one training step. NL-03..NL-05."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn as tnn

from glassml import nn
from glassml.autograd import Tensor, tensor
from glassml.models.multitask import (
    CrossStitchMLP,
    CrossStitchUnit,
    ImageTextNet,
    MultiOutputLoss,
    SharedBackboneMultiTask,
    UncertaintyWeightedLoss,
)
from glassml.optim import Adam

RTOL, ATOL = 1e-9, 1e-10


class TImageText(tnn.Module):
    def __init__(self, c, vocab, dim, k, conv, d, hidden, merge):
        super().__init__()
        self.merge = merge
        self.image_conv = tnn.Conv2d(c, conv, 3, padding=1)
        self.image_proj = tnn.Linear(conv, d)
        self.embedding = tnn.Embedding(vocab, dim)
        self.text_proj = tnn.Linear(dim, d)
        self.shared = tnn.Linear(2 * d if merge == "concat" else d, hidden)
        self.classifier = tnn.Linear(hidden, k)
        self.regressor = tnn.Linear(hidden, 1)

    def forward(self, image, tokens):
        h_img = self.image_proj(torch.relu(self.image_conv(image)).mean(dim=(2, 3)))
        h_txt = self.text_proj(self.embedding(tokens).mean(dim=1))
        merged = torch.cat([h_img, h_txt], 1) if self.merge == "concat" else h_img + h_txt
        z = torch.relu(self.shared(merged))
        return self.classifier(z), self.regressor(z)


def _load(ours, ref, dtype=np.float64):
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )


def _check_grads(ours, ref, rtol=RTOL, atol=ATOL):
    ref_params = dict(ref.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(ref_params)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=rtol, atol=atol, err_msg=name
        )


@pytest.mark.parametrize("merge", ["concat", "add"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_image_text_net_and_weighted_losses_match_torch(merge, dtype):
    rtol, atol = (RTOL, ATOL) if dtype == np.float64 else (1e-4, 1e-5)
    kw = dict(conv_channels=4, branch_dim=6, hidden=8, merge=merge)
    ours = ImageTextNet(3, 20, 5, 4, **kw)
    ref = TImageText(3, 20, 5, 4, 4, 6, 8, merge)
    _load(ours, ref, dtype)
    rng = np.random.default_rng(0)
    img = rng.standard_normal((5, 3, 6, 6)).astype(dtype)
    tok = rng.integers(0, 20, (5, 7))
    y_cls, y_reg = rng.integers(0, 4, 5), rng.standard_normal((5, 1)).astype(dtype)
    img_o, img_t = tensor(img, requires_grad=True), torch.tensor(img, requires_grad=True)
    logits, value = ours(img_o, tensor(tok))
    logits_t, value_t = ref(img_t, torch.from_numpy(tok))
    np.testing.assert_allclose(logits.numpy(), logits_t.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(value.numpy(), value_t.detach().numpy(), rtol=rtol, atol=atol)
    crit = MultiOutputLoss({"cls": "cross_entropy", "reg": "mse"}, {"cls": 1.0, "reg": 0.5})
    total, parts = crit({"cls": logits, "reg": value}, {"cls": tensor(y_cls), "reg": tensor(y_reg)})
    ce = torch.nn.functional.cross_entropy(logits_t, torch.from_numpy(y_cls))
    mse = torch.nn.functional.mse_loss(value_t, torch.from_numpy(y_reg))
    total_t = ce + 0.5 * mse
    np.testing.assert_allclose(parts["cls"].item(), ce.item(), rtol=rtol)
    np.testing.assert_allclose(total.item(), total_t.item(), rtol=rtol)
    total.backward()
    total_t.backward()
    np.testing.assert_allclose(img_o.grad.numpy(), img_t.grad.numpy(), rtol=rtol, atol=atol)
    _check_grads(ours, ref, rtol, atol)


def test_image_text_net_adam_step_matches_torch():
    ours, ref = ImageTextNet(1, 10, 4, 3, 2, 3, 5), TImageText(1, 10, 4, 3, 2, 3, 5, "concat")
    _load(ours, ref)
    rng = np.random.default_rng(1)
    img, tok = rng.standard_normal((4, 1, 5, 5)), rng.integers(0, 10, (4, 3))
    y_cls, y_reg = rng.integers(0, 3, 4), rng.standard_normal((4, 1))
    opt, opt_t = Adam(ours.parameters(), lr=0.01), torch.optim.Adam(ref.parameters(), lr=0.01)
    crit = MultiOutputLoss({"cls": "cross_entropy", "reg": "mse"}, {"reg": 0.25})
    for _ in range(2):
        opt.zero_grad()
        crit(ours(tensor(img), tensor(tok)), [tensor(y_cls), tensor(y_reg)])[0].backward()
        opt.step()
        opt_t.zero_grad()
        lt, vt = ref(torch.from_numpy(img), torch.from_numpy(tok))
        loss_t = torch.nn.functional.cross_entropy(lt, torch.from_numpy(y_cls))
        (loss_t + 0.25 * torch.nn.functional.mse_loss(vt, torch.from_numpy(y_reg))).backward()
        opt_t.step()
    ref_params = dict(ref.named_parameters())
    for k, p in ours.named_parameters():
        np.testing.assert_allclose(p.numpy(), ref_params[k].detach().numpy(), rtol=1e-9, atol=1e-11)


class TCrossStitchMLP(tnn.Module):
    def __init__(self, d_in, hidden, outs, self_weight=0.9):
        super().__init__()
        sizes = [d_in, *hidden]
        t = len(outs)
        self.towers = tnn.ModuleList(
            [
                tnn.ModuleList([tnn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False)])
                for _ in outs
            ]
        )
        alpha = np.full((t, t), (1 - self_weight) / (t - 1))
        np.fill_diagonal(alpha, self_weight)
        self.stitches = tnn.ModuleList()
        for _ in hidden:
            unit = tnn.Module()
            unit.alpha = tnn.Parameter(torch.tensor(alpha))
            self.stitches.append(unit)
        self.heads = tnn.ModuleList([tnn.Linear(sizes[-1], o) for o in outs])

    def forward(self, x):
        streams = [x] * len(self.heads)
        for layer, unit in enumerate(self.stitches):
            hidden = torch.stack(
                [torch.relu(t[layer](s)) for t, s in zip(self.towers, streams, strict=False)]
            )
            mixed = torch.einsum("ij,j...->i...", unit.alpha, hidden)
            streams = list(mixed)
        return [h(s) for h, s in zip(self.heads, streams, strict=False)]


@pytest.mark.parametrize("n_tasks", [2, 3])
def test_cross_stitch_mlp_matches_torch(n_tasks):
    outs = [1, 2, 3][:n_tasks]
    ours, ref = CrossStitchMLP(4, [6, 5], outs, 0.8), TCrossStitchMLP(4, [6, 5], outs, 0.8)
    _load(ours, ref)
    x = np.random.default_rng(2).standard_normal((7, 4))
    xo, xt = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = ours(xo), ref(xt)
    rng = np.random.default_rng(3)
    total, total_t = 0, 0
    for o, ot in zip(out, out_t, strict=True):
        np.testing.assert_allclose(o.numpy(), ot.detach().numpy(), rtol=RTOL, atol=ATOL)
        g = rng.standard_normal(o.shape)
        total = total + (o * tensor(g)).sum()  # random upstream gradient per task
        total_t = total_t + (ot * torch.from_numpy(g)).sum()
    total.backward()
    total_t.backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=RTOL, atol=ATOL)
    _check_grads(ours, ref)


def test_cross_stitch_unit_identity_at_self_weight_one_and_rows_sum_to_one():
    unit = CrossStitchUnit(3, self_weight=0.7)
    np.testing.assert_allclose(unit.alpha.numpy().sum(1), 1.0, rtol=1e-6)
    a, b = tensor(np.ones((2, 3), dtype=np.float32)), tensor(np.zeros((2, 3), dtype=np.float32))
    x, y = CrossStitchUnit(2, self_weight=1.0)(a, b)
    np.testing.assert_array_equal(x.numpy(), a.numpy())
    np.testing.assert_array_equal(y.numpy(), b.numpy())


def test_shared_backbone_multitask_matches_torch():
    ours = SharedBackboneMultiTask(
        nn.Sequential(nn.Linear(3, 6), nn.ReLU()), {"a": nn.Linear(6, 1), "b": nn.Linear(6, 2)}
    )
    ref = tnn.Module()
    ref.backbone = tnn.Sequential(tnn.Linear(3, 6), tnn.ReLU())
    ref.heads = tnn.ModuleDict({"a": tnn.Linear(6, 1), "b": tnn.Linear(6, 2)})
    _load(ours, ref)
    x = np.random.default_rng(4).standard_normal((5, 3))
    out = ours(tensor(x))
    z = ref.backbone(torch.from_numpy(x))
    out_t = {k: h(z) for k, h in ref.heads.items()}
    ga, gb = (
        np.random.default_rng(5).standard_normal((5, 1)),
        np.random.default_rng(6).standard_normal((5, 2)),
    )
    ((out["a"] * tensor(ga)).sum() + (out["b"] * tensor(gb)).sum()).backward()
    (
        (out_t["a"] * torch.from_numpy(ga)).sum() + (out_t["b"] * torch.from_numpy(gb)).sum()
    ).backward()
    for k in ("a", "b"):
        np.testing.assert_allclose(out[k].numpy(), out_t[k].detach().numpy(), rtol=RTOL, atol=ATOL)
    _check_grads(ours, ref)


def test_uncertainty_weighted_loss_matches_formula_and_torch_gradients():
    crit = UncertaintyWeightedLoss(3, dtype=np.float64)
    crit.log_sigma.data[...] = [0.3, -0.2, 0.0]
    l_ours = [tensor(np.array(v), requires_grad=True) for v in (0.5, 2.0, 1.5)]
    total = crit(l_ours)
    s = torch.tensor([0.3, -0.2, 0.0], dtype=torch.float64, requires_grad=True)
    l_t = torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64, requires_grad=True)
    sigma2 = torch.exp(s) ** 2
    total_t = (l_t / (2 * sigma2) + torch.log(torch.exp(s))).sum()  # sum L/(2 sigma^2) + log sigma
    np.testing.assert_allclose(total.item(), total_t.item(), rtol=1e-12)
    total.backward()
    total_t.backward()
    np.testing.assert_allclose(crit.log_sigma.grad.numpy(), s.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose([t.grad.item() for t in l_ours], l_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(crit.weights(), 0.5 * np.exp(-2 * np.array([0.3, -0.2, 0.0])))


def test_uncertainty_weights_learn_sigma_squared_equal_to_task_loss():
    crit = UncertaintyWeightedLoss(2, dtype=np.float64)
    opt = Adam(crit.parameters(), lr=0.05)
    for _ in range(600):  # fixed task losses 4 and 0.25: the optimum is sigma_i^2 = L_i
        opt.zero_grad()
        crit([tensor(np.array(4.0)), tensor(np.array(0.25))]).backward()
        opt.step()
    np.testing.assert_allclose(np.exp(2 * crit.log_sigma.numpy()), [4.0, 0.25], rtol=1e-2)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="merge"):
        ImageTextNet(merge="multiply")
    net = ImageTextNet(3, 10, 4, 2)
    with pytest.raises(ValueError, match="image"):
        net(
            Tensor(np.zeros((2, 1, 4, 4), dtype=np.float32)),
            tensor(np.zeros((2, 3), dtype=np.int64)),
        )
    with pytest.raises(ValueError, match="tokens"):
        net(
            Tensor(np.zeros((2, 3, 4, 4), dtype=np.float32)),
            tensor(np.zeros((3, 3), dtype=np.int64)),
        )
    with pytest.raises(ValueError, match="unknown loss"):
        MultiOutputLoss({"a": "hinge"})
    with pytest.raises(ValueError, match="loss_weights"):
        MultiOutputLoss({"a": "mse"}, {"b": 1.0})
    with pytest.raises(ValueError, match="expected 2 outputs"):
        MultiOutputLoss({"a": "mse", "b": "mse"})([tensor([1.0])], [tensor([1.0])])
    with pytest.raises(ValueError, match="num_tasks"):
        CrossStitchUnit(1)
    with pytest.raises(ValueError, match="expected 2 task streams"):
        CrossStitchUnit(2)(tensor([1.0]))
    with pytest.raises(ValueError, match="two tasks"):
        CrossStitchMLP(3, [4], [1])
    with pytest.raises(ValueError, match="expected 2 task losses"):
        UncertaintyWeightedLoss(2)([tensor(1.0)])
    with pytest.raises(ValueError, match="heads"):
        SharedBackboneMultiTask(nn.Linear(2, 2), {})
