"""L1 / L2 / elastic-net penalties and max-norm (RG-01..RG-03) against torch formulas."""

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.autograd import Parameter, tensor

RNG = np.random.default_rng(0)


def _pair():
    ours = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).double()
    ref = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)
    ).double()
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    return ours, ref


@pytest.mark.parametrize("weights_only", [False, True])
@pytest.mark.parametrize("kind", ["l1", "l2", "elastic"])
def test_penalty_value_and_gradient_equal_torch(kind, weights_only):
    ours, ref = _pair()
    ref_params = [p for n, p in ref.named_parameters() if not weights_only or "weight" in n]
    lam, ratio = 0.3, 0.25
    if kind == "l1":
        pen = nn.l1_penalty(ours, lam, weights_only=weights_only)
        pen_ref = lam * sum(p.abs().sum() for p in ref_params)
    elif kind == "l2":
        pen = nn.l2_penalty(ours, lam, weights_only=weights_only)
        pen_ref = lam * sum((p**2).sum() for p in ref_params)
    else:
        pen = nn.elastic_net_penalty(ours, lam, ratio, weights_only=weights_only)
        pen_ref = lam * (
            ratio * sum(p.abs().sum() for p in ref_params)
            + (1 - ratio) / 2 * sum((p**2).sum() for p in ref_params)
        )
    np.testing.assert_allclose(pen.item(), pen_ref.item(), rtol=1e-12)
    pen.backward(), pen_ref.backward()
    ref_named = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        if weights_only and "bias" in name:
            assert p.grad is None
        else:
            np.testing.assert_allclose(p.grad.numpy(), ref_named[name].grad.numpy(), rtol=1e-12)


def test_l2_penalty_gradient_equals_sgd_weight_decay_convention():
    """SGD(weight_decay=wd) adds wd*w to the gradient = gradient of l2_penalty(lam = wd/2)."""
    w = Parameter(RNG.standard_normal((3, 3)))
    nn.l2_penalty([w], lam=0.01 / 2).backward()
    np.testing.assert_allclose(w.grad.numpy(), 0.01 * w.numpy(), rtol=1e-12)


def test_max_norm_equals_torch_renorm():
    w = RNG.standard_normal((6, 5)) * 2
    p = Parameter(w.copy())
    nn.max_norm_([p], 1.5)
    ref = torch.renorm(torch.from_numpy(w), 2, 0, 1.5).numpy()
    np.testing.assert_allclose(p.numpy(), ref, rtol=1e-6)
    layer = nn.Linear(5, 4)
    layer.weight.data[...] *= 50
    nn.max_norm_(layer, 2.0)
    assert np.linalg.norm(layer.weight.numpy(), axis=1).max() <= 2.0 + 1e-6


def test_penalty_errors():
    with pytest.raises(ValueError, match="lam must be a non-negative"):
        nn.l2_penalty([tensor([1.0])], lam=-1)
    with pytest.raises(ValueError, match="l1_ratio"):
        nn.elastic_net_penalty([tensor([1.0])], l1_ratio=2)
    with pytest.raises(ValueError, match="no parameters"):
        nn.l1_penalty([])
    with pytest.raises(TypeError, match="Tensors or a Module"):
        nn.l1_penalty([np.zeros(2)])
