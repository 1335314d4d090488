"""Every op of the table (optable.py + optable_fused.py) against PyTorch.

Forward values, input gradients for a RANDOM upstream gradient (never ``.sum()``), float64 at
rtol 1e-7 and float32 at rtol 1e-4, contiguous and non-contiguous inputs; then, in float64, the
finite-difference check (gradcheck) and second-order gradients (create_graph=True) vs torch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import glassml.autograd as ag

from .optable import CASES as CORE_CASES
from .optable import OpCase

try:  # the fused-ops engineer's entries (same format)
    from .optable_fused import CASES as FUSED_CASES
except ImportError:  # pragma: no cover - only before optable_fused.py exists
    FUSED_CASES = []

CASES: list[OpCase] = list(CORE_CASES) + list(FUSED_CASES)

torch.set_num_threads(1)


def _arrays(case: OpCase, seed: int) -> list:
    rng = np.random.default_rng(seed)
    if callable(case.inputs):
        return list(case.inputs(rng))
    return [rng.standard_normal(shape) for shape in case.inputs]


def _strided_copy(a: np.ndarray) -> np.ndarray:
    """The same values in a non-contiguous (stride-2) view."""
    big = np.empty(a.shape + (2,), dtype=a.dtype)
    big[..., 0] = a
    view = big[..., 0]
    assert a.ndim == 0 or a.size <= 1 or not view.flags.c_contiguous
    return view


def _prepare(case: OpCase, dtype: str, noncontig: bool, seed: int = 0):
    arrays = []
    for a in _arrays(case, seed):
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype(dtype)
            if noncontig:
                a = _strided_copy(a)
        arrays.append(a)
    ours, theirs = [], []
    for i, a in enumerate(arrays):
        grad = i in case.grad_inputs and a.dtype.kind == "f"
        ours.append(ag.Tensor._make(a, False, None).requires_grad_(grad))
        theirs.append(torch.from_numpy(np.ascontiguousarray(a)).requires_grad_(grad))
    return ours, theirs


def _tol(case: OpCase, dtype: str) -> dict:
    if dtype == "float64":
        return {"rtol": case.rtol64, "atol": case.atol64}
    return {"rtol": case.rtol32, "atol": case.atol32}


def _params():
    out = []
    for case in CASES:
        for dtype in case.dtypes:
            for noncontig in (False, True) if case.noncontiguous else (False,):
                out.append(
                    pytest.param(
                        case,
                        dtype,
                        noncontig,
                        id=f"{case.name}-{dtype}-{'strided' if noncontig else 'contig'}",
                    )
                )
    return out


@pytest.mark.parametrize(("case", "dtype", "noncontig"), _params())
def test_forward_backward_vs_torch(case: OpCase, dtype: str, noncontig: bool):
    ours, theirs = _prepare(case, dtype, noncontig)
    out = case.fn(*ours, **case.kwargs)
    ref = case.torch_fn(*theirs, **case.kwargs)
    tol = _tol(case, dtype)
    assert out.shape == tuple(ref.shape), (out.shape, ref.shape)
    assert out.dtype == np.dtype(str(ref.dtype).removeprefix("torch.")), (out.dtype, ref.dtype)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), **tol)
    if not any(t.requires_grad for t in ours):
        return
    rng = np.random.default_rng(1)
    upstream = rng.standard_normal(out.shape).astype(out.dtype)
    out.backward(upstream)
    ref.backward(torch.from_numpy(upstream))
    for i in case.grad_inputs:
        if not ours[i].requires_grad:
            continue
        expected = theirs[i].grad
        expected = np.zeros(ours[i].shape) if expected is None else expected.numpy()
        assert ours[i].grad is not None, f"input {i} got no gradient"
        assert ours[i].grad.dtype == ours[i].dtype
        np.testing.assert_allclose(
            ours[i].grad.numpy(), expected, **tol, err_msg=f"grad of input {i}"
        )


_F64 = [pytest.param(c, id=c.name) for c in CASES if "float64" in c.dtypes]


@pytest.mark.parametrize("case", [p for p in _F64 if p.values[0].gradcheck])
def test_gradcheck(case: OpCase):
    ours, _ = _prepare(case, "float64", False, seed=2)
    assert ag.gradcheck(lambda *xs: case.fn(*xs, **case.kwargs), tuple(ours), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("case", [p for p in _F64 if p.values[0].second_order])
def test_second_order_vs_torch(case: OpCase):
    """grad with create_graph=True: first-order values via backward_graph, then grad of
    <grad, w> w.r.t. the inputs, both against torch."""
    ours, theirs = _prepare(case, "float64", False, seed=3)
    idx = [i for i in case.grad_inputs if ours[i].requires_grad]
    if not idx:
        pytest.fail("second-order case without differentiable inputs")
    out = case.fn(*ours, **case.kwargs)
    ref = case.torch_fn(*theirs, **case.kwargs)
    rng = np.random.default_rng(4)
    upstream = rng.standard_normal(out.shape)
    gs = ag.grad(out, [ours[i] for i in idx], upstream, create_graph=True, allow_unused=True)
    tgs = torch.autograd.grad(
        ref,
        [theirs[i] for i in idx],
        torch.from_numpy(upstream),
        create_graph=True,
        allow_unused=True,
    )
    s = sum((ours[i] * 0).sum() for i in idx)
    ts = sum((theirs[i] * 0).sum() for i in idx)
    for i, g, tg in zip(idx, gs, tgs, strict=True):
        expected = np.zeros(ours[i].shape) if tg is None else tg.detach().numpy()
        got = np.zeros(ours[i].shape) if g is None else g.numpy()
        np.testing.assert_allclose(
            got,
            expected,
            rtol=case.rtol64,
            atol=case.atol64,
            err_msg=f"first-order (graph) grad {i}",
        )
        w = rng.standard_normal(ours[i].shape)
        if g is not None:
            s = s + (g * ag.Tensor(w)).sum()
        if tg is not None:
            ts = ts + (tg * torch.from_numpy(w)).sum()
    s.backward()
    ts.backward()
    for i in idx:
        expected = theirs[i].grad.numpy()
        got = ours[i].grad.numpy()
        np.testing.assert_allclose(
            got,
            expected,
            rtol=max(case.rtol64, 1e-7),
            atol=max(case.atol64, 1e-9),
            err_msg=f"second-order grad {i}",
        )
