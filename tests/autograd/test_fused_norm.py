"""batch_norm / instance_norm running statistics and normalisation edge cases against PyTorch.

Inventory: NO-01, NO-03, NO-04, AG-09.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import glassml.autograd as ag
import glassml.autograd.fused as F


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5), (2, 3, 4, 2)])
def test_batch_norm_running_stats_follow_torch_over_steps(dtype, shape):
    rng = np.random.default_rng(0)
    c = shape[1]
    rm, rv = ag.zeros(c, dtype=dtype), ag.ones(c, dtype=dtype)
    trm, trv = (
        torch.zeros(c, dtype=getattr(torch, dtype)),
        torch.ones(c, dtype=getattr(torch, dtype)),
    )
    w = rng.uniform(0.5, 2, c).astype(dtype)
    b = rng.standard_normal(c).astype(dtype)
    rtol = 1e-10 if dtype == "float64" else 1e-5
    for _ in range(5):
        x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
        y = F.batch_norm(
            ag.tensor(x), rm, rv, ag.tensor(w), ag.tensor(b), training=True, momentum=0.3
        )
        ty = TF.batch_norm(
            torch.from_numpy(x),
            trm,
            trv,
            torch.from_numpy(w),
            torch.from_numpy(b),
            training=True,
            momentum=0.3,
        )
        np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=rtol, atol=rtol)
    assert rm.dtype == np.dtype(dtype) and rv.dtype == np.dtype(dtype)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=rtol, atol=rtol)
    # eval with the accumulated statistics
    x = rng.standard_normal(shape).astype(dtype)
    y = F.batch_norm(ag.tensor(x), rm, rv, ag.tensor(w), ag.tensor(b), training=False)
    ty = TF.batch_norm(
        torch.from_numpy(x), trm, trv, torch.from_numpy(w), torch.from_numpy(b), training=False
    )
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=rtol, atol=rtol)


def test_batch_norm_running_var_is_unbiased():
    x = np.array([[1.0], [3.0]])  # batch variance 1 (biased), 2 (unbiased)
    rm, rv = ag.zeros(1, dtype="float64"), ag.zeros(1, dtype="float64")
    F.batch_norm(ag.tensor(x), rm, rv, training=True, momentum=1.0)
    assert rm.numpy()[0] == 2.0
    assert rv.numpy()[0] == 2.0


def test_batch_norm_eval_does_not_touch_running_stats():
    rm, rv = ag.tensor([0.5, -1.0]), ag.tensor([2.0, 0.5])
    before = rm.numpy().copy(), rv.numpy().copy()
    F.batch_norm(ag.randn(4, 2), rm, rv, training=False)
    np.testing.assert_array_equal(rm.numpy(), before[0])
    np.testing.assert_array_equal(rv.numpy(), before[1])


def test_batch_norm_single_value_per_channel_in_training_raises():
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        F.batch_norm(ag.randn(1, 3), None, None, training=True)


def test_batch_norm_eval_needs_running_stats():
    with pytest.raises(ValueError, match="running_mean and running_var are required"):
        F.batch_norm(ag.randn(4, 3), None, None, training=False)


def test_batch_norm_wrong_stat_size():
    with pytest.raises(ValueError, match="running_mean should contain 3 elements not 2"):
        F.batch_norm(ag.randn(4, 3), ag.zeros(2), ag.ones(3), training=True)


def test_instance_norm_running_stats_match_torch():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2, 5, 4)) * 2 + 0.5
    rm, rv = ag.zeros(2, dtype="float64"), ag.ones(2, dtype="float64")
    trm, trv = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    y = F.instance_norm(ag.tensor(x), rm, rv, momentum=0.2)
    ty = TF.instance_norm(torch.from_numpy(x), trm, trv, momentum=0.2)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(rm.numpy(), trm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(rv.numpy(), trv.numpy(), rtol=1e-12)
    # use_input_stats=False normalises with the running statistics
    y2 = F.instance_norm(ag.tensor(x), rm, rv, use_input_stats=False)
    ty2 = TF.instance_norm(torch.from_numpy(x), trm, trv, use_input_stats=False)
    np.testing.assert_allclose(y2.numpy(), ty2.numpy(), rtol=1e-10, atol=1e-12)


def test_layer_norm_output_is_normalised_per_row():
    x = np.random.default_rng(2).standard_normal((5, 16)) * 10 + 3
    y = F.layer_norm(ag.tensor(x), 16, eps=0.0).numpy()
    np.testing.assert_allclose(y.mean(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=1), 1.0, rtol=1e-12)


def test_layer_norm_shape_mismatch():
    with pytest.raises(ValueError, match=r"expected input with shape \[\*, 5\]"):
        F.layer_norm(ag.randn(3, 4), (5,))
    with pytest.raises(ValueError, match="weight must have shape"):
        F.layer_norm(ag.randn(3, 4), (4,), ag.ones(5))


def test_group_norm_groups_must_divide_channels():
    with pytest.raises(ValueError, match="divisible by num_groups"):
        F.group_norm(ag.randn(2, 6, 3), 4)


def test_norms_reject_integer_input():
    with pytest.raises(TypeError, match="floating-point"):
        F.layer_norm(ag.tensor([[1, 2, 3]]), (3,))


def test_layer_norm_bias_only_second_order():
    """torch cannot double-backward layer_norm(x, weight=None, bias): compare with its
    layer_norm(x, weight=ones (no grad), bias), the same function."""
    rng = np.random.default_rng(0)
    x0, b0 = rng.standard_normal((4, 6)), rng.standard_normal(6)
    up, w = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    x, b = ag.tensor(x0, requires_grad=True), ag.tensor(b0, requires_grad=True)
    xt = torch.tensor(x0, requires_grad=True)
    bt = torch.tensor(b0, requires_grad=True)
    (gx,) = ag.grad(F.layer_norm(x, (6,), None, b), [x], up, create_graph=True)
    out_t = torch.nn.functional.layer_norm(xt, (6,), torch.ones(6, dtype=torch.float64), bt)
    (gxt,) = torch.autograd.grad(out_t, [xt], torch.from_numpy(up), create_graph=True)
    np.testing.assert_allclose(gx.numpy(), gxt.detach().numpy(), rtol=1e-9, atol=1e-12)
    (ggx,) = ag.grad((gx * ag.tensor(w)).sum(), [x])
    (ggxt,) = torch.autograd.grad((gxt * torch.from_numpy(w)).sum(), [xt])
    np.testing.assert_allclose(ggx.numpy(), ggxt.numpy(), rtol=1e-9, atol=1e-12)
