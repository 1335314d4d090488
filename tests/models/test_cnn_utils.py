"""Parameter/FLOP counter (CN-10) and receptive-field calculator (CN-11)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.models.cnn import DepthwiseSeparableConv2d, LeNet5, SimpleCNN
from glassml.models.cnn_utils import (
    conv2d_flops,
    conv2d_params,
    dense_equivalent_params,
    receptive_field,
    summary,
)


def test_summary_parameter_counts_match_torch_numel():
    model = LeNet5()
    s = summary(model, (2, 1, 28, 28))
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5, padding=2),
        torch.nn.Conv2d(6, 16, 5),
        torch.nn.Linear(400, 120),
        torch.nn.Linear(120, 84),
        torch.nn.Linear(84, 10),
    )
    assert s.total_params == sum(p.numel() for p in ref.parameters()) == 61706
    shapes = {r.name: r.output_shape for r in s.rows}
    assert shapes["features.2"] == (2, 6, 14, 14) and shapes["classifier.5"] == (2, 10)
    assert "61,706" in str(s)


def test_summary_flops_follow_the_formulas():
    s = summary(SimpleCNN(), (4, 1, 28, 28))
    rows = {r.name: r for r in s.rows}
    conv2 = rows["features.3"]
    assert conv2.flops == 2 * 4 * 14 * 14 * 32 * 16 * 9 + 4 * 32 * 14 * 14
    fc = rows["classifier.2"]
    assert fc.flops == 2 * 4 * 1568 * 10 + 4 * 10
    assert rows["features.2"].flops == 4 * 16 * 14 * 14 * 4  # max pool: one compare per tap
    assert s.total_flops == sum(r.flops for r in s.rows)


def test_separable_conv_flops_ratio_is_one_over_cout_plus_one_over_k2():
    c_in, c_out, k, hw = 16, 64, 3, 10
    sep = summary(DepthwiseSeparableConv2d(c_in, c_out, k, bias=False), (1, c_in, hw, hw))
    full = conv2d_flops(c_in, c_out, k, (hw, hw))
    assert sep.total_flops / full == pytest.approx(1 / c_out + 1 / k**2)


def test_conv_vs_dense_parameter_ratio_of_cl152():
    conv = conv2d_params(3, 32, 3)
    dense = dense_equivalent_params((3, 32, 32), (32, 32, 32))
    assert conv == 896 == sum(p.numel() for p in torch.nn.Conv2d(3, 32, 3).parameters())
    assert dense / conv == pytest.approx(1.12e5, rel=0.01)


def test_receptive_field_of_stacks_and_models():
    assert receptive_field([(3, 1)] * 2).size == 5
    assert receptive_field([(3, 1)] * 3).size == 7
    assert receptive_field([(3, 1, 2)]).size == 5  # dilation 2
    lenet = receptive_field(LeNet5())
    assert (lenet.size, lenet.jump) == (16, 4)  # 5 -> 6 -> 14 -> 16 (pools double the jump)
    # brute force: the set of input pixels that influence one output of conv-pool-conv
    net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Conv2d(1, 1, 3))
    assert receptive_field(net).size == 8
    x = torch.zeros(1, 1, 20, 20, requires_grad=True)
    ref = torch.nn.Sequential(
        torch.nn.Conv2d(1, 1, 3), torch.nn.MaxPool2d(2), torch.nn.Conv2d(1, 1, 3)
    )
    with torch.no_grad():
        for p in ref.parameters():
            p.fill_(1.0)
    ref(x + torch.arange(400.0).reshape(1, 1, 20, 20))[0, 0, 0, 0].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    # max pool routes to one tap per window, so the touched set is within the 8 x 8 field
    assert rows.max() - rows.min() + 1 <= 8 and cols.max() - cols.min() + 1 <= 8


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="nn.Module"):
        summary(lambda x: x, (1, 2))
    with pytest.raises(ValueError, match="input_shape"):
        summary(nn.Linear(2, 2), None)
    with pytest.raises(ValueError, match="kernel, stride"):
        receptive_field([(3,)])
    with pytest.raises(ValueError, match="kernel, stride"):
        receptive_field([(0, 1)])
