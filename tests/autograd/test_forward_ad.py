"""Forward-mode AD (dual numbers, AG-05) against torch.func.jvp and torch's Jacobians."""

import numpy as np
import pytest
import torch

from glassml.autograd import forward_ad as fad


def _ours_and_torch():
    rng = np.random.default_rng(0)
    W1, W2, b = rng.normal(size=(6, 4)), rng.normal(size=(3, 6)), rng.normal(size=6)

    def ours(x):
        h = fad.tanh(fad.matmul(W1, x) + b) * fad.sigmoid(fad.matmul(W1, x))
        h = h / (1.5 + fad.sin(h) ** 2) - fad.cos(h) + fad.sqrt(h * h + 1.0)
        return fad.exp(fad.matmul(W2, h) / 4.0) + fad.log(1.0 + x[:3] ** 2) + fad.relu(x[1:])

    t = {k: torch.from_numpy(v) for k, v in {"W1": W1, "W2": W2, "b": b}.items()}

    def ref(x):
        h = torch.tanh(t["W1"] @ x + t["b"]) * torch.sigmoid(t["W1"] @ x)
        h = h / (1.5 + torch.sin(h) ** 2) - torch.cos(h) + torch.sqrt(h * h + 1.0)
        return torch.exp(t["W2"] @ h / 4.0) + torch.log(1.0 + x[:3] ** 2) + torch.relu(x[1:])

    return ours, ref


def test_jvp_matches_torch_func_jvp():
    ours, ref = _ours_and_torch()
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, v = rng.normal(size=4), rng.normal(size=4)
        value, tangent = fad.jvp(ours, x, v)
        ref_value, ref_tangent = torch.func.jvp(ref, (torch.from_numpy(x),), (torch.from_numpy(v),))
        np.testing.assert_allclose(value, ref_value.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(tangent, ref_tangent.numpy(), rtol=1e-10, atol=1e-12)


def test_jacfwd_equals_jacrev_equals_torch_jacobian():
    ours, ref = _ours_and_torch()
    x = np.random.default_rng(2).normal(size=4)
    J_ref = torch.autograd.functional.jacobian(ref, torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(fad.jacfwd(ours, x), J_ref, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fad.jacrev(ours, x), J_ref, rtol=1e-10, atol=1e-12)


def test_two_argument_jvp_and_reductions():
    def f(a, b):
        return fad.sum(a * b, axis=0) + (a.T @ b).mean() + (2.0 / b)[0]

    rng = np.random.default_rng(3)
    a, b, da, db = (rng.normal(size=(3, 2)) for _ in range(4))
    value, tangent = fad.jvp(f, (a, b), (da, db))

    def g(a, b):
        return (a * b).sum(0) + (a.T @ b).mean() + (2.0 / b)[0]

    tt = [torch.from_numpy(v) for v in (a, b, da, db)]
    ref_value, ref_tangent = torch.func.jvp(g, (tt[0], tt[1]), (tt[2], tt[3]))
    np.testing.assert_allclose(value, ref_value.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tangent, ref_tangent.numpy(), rtol=1e-10, atol=1e-12)


def test_bad_input_messages():
    with pytest.raises(ValueError, match="tangent"):
        fad.Dual(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="tangents"):
        fad.jvp(lambda a, b: a * b, (np.ones(2), np.ones(2)), (np.ones(2),))
    with pytest.raises(TypeError, match="exponent"):
        fad.Dual(np.ones(2)) ** fad.Dual(np.ones(2))
