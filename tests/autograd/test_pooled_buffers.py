"""The pool of large saved arrays (fused/_util.pooled_empty): a buffer is handed out again only
when nothing but the pool references it, so saved windows of graphs still alive are never
overwritten, and conv2d gradients stay equal to torch's with the pool in use."""

import numpy as np
import pytest
import torch

from glassml.autograd import Tensor
from glassml.autograd.fused import _util, conv2d


@pytest.fixture
def small_pool(monkeypatch):
    """Pool every array of at least 1 KiB, starting from an empty pool of this thread."""
    monkeypatch.setattr(_util, "POOL_MIN_BYTES", 1024)
    monkeypatch.setattr(_util._POOL, "buffers", [], raising=False)
    return _util._POOL


def _torch_grads(x, w, g, padding):
    xt = torch.from_numpy(x).requires_grad_()
    wt = torch.from_numpy(w).requires_grad_()
    torch.nn.functional.conv2d(xt, wt, padding=padding).backward(torch.from_numpy(g))
    return xt.grad.numpy(), wt.grad.numpy()


def test_small_arrays_are_not_pooled():
    before = len(getattr(_util._POOL, "buffers", []) or [])
    a = _util.pooled_empty((4, 4), np.float32)
    assert a.shape == (4, 4) and a.dtype == np.float32 and a.base is None
    assert len(getattr(_util._POOL, "buffers", []) or []) == before


def test_busy_buffers_are_not_reused_and_free_ones_are(small_pool):
    a = _util.pooled_empty((64, 64), np.float64)
    a[:] = 1.0
    view = a[::2]  # a view alone keeps the buffer busy
    del a
    b = _util.pooled_empty((64, 64), np.float64)
    assert not np.shares_memory(view, b)
    assert len(small_pool.buffers) == 2
    del view
    c = _util.pooled_empty((64, 64), np.float64)  # reuses the first buffer
    assert len(small_pool.buffers) == 2 and not np.shares_memory(b, c)
    d = _util.pooled_empty((64, 16), np.float64)  # a quarter of the size: not a 4x larger buffer
    assert len(small_pool.buffers) == 3 and d.shape == (64, 16)


def test_release_pooled_drops_only_unused_buffers(small_pool):
    keep = _util.pooled_empty((32, 32), np.float32)
    dropped = _util.pooled_empty((32, 32), np.float32)
    del dropped
    assert _util.release_pooled() == 32 * 32 * 4
    assert len(small_pool.buffers) == 1 and np.shares_memory(small_pool.buffers[0], keep)


def test_pool_cap_falls_back_to_plain_arrays(small_pool, monkeypatch):
    monkeypatch.setattr(_util, "POOL_MAX_BYTES", 10_000)
    a = _util.pooled_empty((1000,), np.float64)  # 8,000 bytes: pooled
    b = _util.pooled_empty((1000,), np.float64)  # would exceed the cap: plain
    assert len(small_pool.buffers) == 1 and b.base is None
    assert a.base is not None


@pytest.mark.parametrize("c, padding", [(64, 1), (4, 1), (64, 0)])  # channels-last, per-sample
def test_conv_gradients_with_two_graphs_in_flight(small_pool, c, padding):
    """Two convs saved at once get distinct pooled windows; after one graph is freed, a third
    conv reuses its buffer; every gradient still equals torch's."""
    rng = np.random.default_rng(1)
    x1, x2, x3 = (rng.standard_normal((2, c, 9, 9)) for _ in range(3))
    w = rng.standard_normal((5, c, 3, 3))
    g = rng.standard_normal((2, 5, 9 + 2 * padding - 2, 9 + 2 * padding - 2))
    inputs = [Tensor(x, requires_grad=True) for x in (x1, x2, x3)]
    weights = [Tensor(w, requires_grad=True) for _ in range(3)]
    y1 = conv2d(inputs[0], weights[0], padding=padding)
    y2 = conv2d(inputs[1], weights[1], padding=padding)
    window_bytes = max(b.nbytes for b in small_pool.buffers)
    n_windows = sum(b.nbytes == window_bytes for b in small_pool.buffers)
    assert n_windows == 2
    y1.backward(g)  # frees graph 1: its windows return to the pool
    del y1
    y3 = conv2d(inputs[2], weights[2], padding=padding)
    assert sum(b.nbytes == window_bytes for b in small_pool.buffers) == 2  # reused, not grown
    y3.backward(g)
    y2.backward(g)  # graph 2's windows were not overwritten by conv 3
    for x, xt, wt in zip((x1, x2, x3), inputs, weights, strict=True):
        gx, gw = _torch_grads(x, w, g, padding)
        np.testing.assert_allclose(xt.grad.numpy(), gx, rtol=1e-10, atol=1e-11)
        np.testing.assert_allclose(wt.grad.numpy(), gw, rtol=1e-10, atol=1e-11)


def test_retained_graph_keeps_its_windows(small_pool):
    rng = np.random.default_rng(2)
    x, other = rng.standard_normal((2, 2, 64, 8, 8))
    w = rng.standard_normal((3, 64, 3, 3))
    g = rng.standard_normal((2, 3, 8, 8))
    wt = Tensor(w, requires_grad=True)
    y = conv2d(Tensor(x), wt, padding=1)
    y.backward(g, retain_graph=True)
    conv2d(Tensor(other), Tensor(w), padding=1)  # would take a free buffer, not y's
    wt.grad = None
    y.backward(g)
    np.testing.assert_allclose(wt.grad.numpy(), _torch_grads(x, w, g, 1)[1], rtol=1e-10, atol=1e-11)
