"""clip_grad_norm_ / clip_grad_value_ / parameter vectors against torch.nn.utils."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.autograd import Parameter, tensor
from glassml.nn.utils import (
    clip_grad_norm_,
    clip_grad_norm_per_tensor_,
    clip_grad_value_,
    parameters_to_vector,
    vector_to_parameters,
)


def _pair(scale, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    grads = [rng.normal(scale=scale, size=s).astype(dtype) for s in [(4, 3), (3,), (2, 2, 2)]]
    ours = []
    for g in grads:
        p = Parameter(np.zeros_like(g))
        p.grad = tensor(g.copy())
        ours.append(p)
    theirs = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        p.grad = torch.from_numpy(g.copy())
        theirs.append(p)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("scale", [0.01, 1.0, 10.0])
@pytest.mark.parametrize("max_norm", [0.5, 5.0])
def test_clip_grad_norm_matches_torch(norm_type, scale, max_norm):
    ours, theirs = _pair(scale)
    n1 = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert float(n1) == pytest.approx(float(n2), rel=1e-12)
    for a, b in zip(ours, theirs, strict=False):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_clip_grad_norm_float32():
    ours, theirs = _pair(3.0, seed=1, dtype=np.float32)
    n1 = clip_grad_norm_(ours, 1.0)
    n2 = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert float(n1) == pytest.approx(float(n2), rel=1e-5)
    for a, b in zip(ours, theirs, strict=False):
        assert a.grad.data.dtype == np.float32
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_no_clipping_below_max_norm():
    """E-24: gradients with norm below max_norm are left unchanged (not rescaled up)."""
    p = Parameter(np.zeros(2))
    p.grad = tensor(np.array([0.3, 0.4]))
    total = clip_grad_norm_([p], max_norm=1.0)
    assert float(total) == pytest.approx(0.5)
    np.testing.assert_array_equal(p.grad.numpy(), [0.3, 0.4])


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=20),
    st.floats(0.01, 100),
)
def test_clip_norm_property(values, max_norm):
    p = Parameter(np.zeros(len(values)))
    g = np.array(values)
    p.grad = tensor(g.copy())
    total = float(clip_grad_norm_(p, max_norm))
    assert total == pytest.approx(np.linalg.norm(g), rel=1e-12, abs=1e-300)
    new = np.linalg.norm(p.grad.numpy())
    assert new <= max_norm * (1 + 1e-9) + 1e-12
    coef = min(1.0, max_norm / (total + 1e-6))  # never rescaled up (E-24)
    np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12, atol=1e-300)


def test_error_if_nonfinite():
    p = Parameter(np.zeros(2))
    p.grad = tensor(np.array([np.inf, 1.0]))
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_skips_params_without_grad_and_empty():
    p, q = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    p.grad = tensor(np.array([3.0, 4.0]))
    assert float(clip_grad_norm_([p, q], 1.0)) == pytest.approx(5.0)
    assert q.grad is None
    assert float(clip_grad_norm_([q], 1.0)) == 0.0


@pytest.mark.parametrize("clip", [0.1, 1.0])
def test_clip_grad_value_matches_torch(clip):
    ours, theirs = _pair(1.0, seed=2)
    clip_grad_value_(ours, clip)
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for a, b in zip(ours, theirs, strict=False):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_per_tensor_clipnorm():
    """Keras clipnorm: each tensor clipped to its own norm bound."""
    a, b = Parameter(np.zeros(2)), Parameter(np.zeros(2))
    a.grad, b.grad = tensor(np.array([3.0, 4.0])), tensor(np.array([0.3, 0.4]))
    norms = clip_grad_norm_per_tensor_([a, b], 1.0)
    assert norms == pytest.approx([5.0, 0.5])
    np.testing.assert_allclose(a.grad.numpy(), [0.6, 0.8])
    np.testing.assert_allclose(b.grad.numpy(), [0.3, 0.4])


def test_parameters_vector_round_trip_matches_torch():
    rng = np.random.default_rng(3)
    arrs = [rng.normal(size=s) for s in [(3, 2), (4,)]]
    ours = [Parameter(a.copy()) for a in arrs]
    theirs = [torch.tensor(a.copy()) for a in arrs]
    v1 = parameters_to_vector(ours).numpy()
    v2 = torch.nn.utils.parameters_to_vector(theirs).numpy()
    np.testing.assert_array_equal(v1, v2)
    vector_to_parameters(v1 * 3, ours)
    np.testing.assert_array_equal(ours[1].data, arrs[1] * 3)
    with pytest.raises(ValueError, match="needs|need"):
        vector_to_parameters(np.ones(3), ours)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda p: clip_grad_norm_(p, -1.0), "max_norm"),
        (lambda p: clip_grad_value_(p, -1.0), "clip_value"),
        (lambda p: clip_grad_norm_per_tensor_(p, 0.0), "clipnorm"),
    ],
)
def test_bad_input(call, match):
    p = Parameter(np.zeros(2))
    p.grad = tensor(np.ones(2))
    with pytest.raises(ValueError, match=match):
        call([p])


def test_bad_parameter_type():
    with pytest.raises(TypeError, match="Tensors"):
        clip_grad_norm_([np.ones(2)], 1.0)
