"""The engine's fast paths keep its semantics (issue 4): gradient ownership decided from identity
and reference counts (an op's private result is kept without a copy; anything another object
holds is never written), the execution order (several roots, a root that depends on another,
nodes that receive no gradient), and the one-pass Function.apply bookkeeping.

Inventory: AG-02, AG-04, AG-08.
"""

from __future__ import annotations

import weakref

import numpy as np
import pytest
import torch

import glassml.autograd as ag
from glassml.autograd import Function
from glassml.autograd.function import Context

torch.set_num_threads(1)


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


# ------------------------------------------------------------------------- ownership
def test_private_gradient_of_an_op_becomes_the_leaf_grad_without_a_copy():
    seen = {}

    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            out = 2 * g  # a fresh array nobody else holds (a weak reference does not count)
            seen["ref"] = weakref.ref(out)
            return (out,)

    x, _ = _pair((3,))
    Twice.apply(x).backward(np.ones(3))
    assert seen["ref"]() is x.grad.numpy()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2.0))


@pytest.mark.parametrize("keep_first", [True, False])
@pytest.mark.parametrize("holder", ["attribute", "saved", "module", "cached_tuple", "view"])
def test_gradients_held_elsewhere_are_never_written(holder, keep_first):
    """An op's gradient that an attribute, a saved tuple, a module cache, a cached result tuple or
    a view elsewhere still references must not become a buffer the engine adds into."""
    cache = {}

    class Keep(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            out = g * 3.0
            cache["copy"] = out.copy()
            if holder == "attribute":
                ctx.kept = out
            elif holder == "saved":
                ctx.save_for_backward(out)
            elif holder == "module":
                cache["kept"] = out
            elif holder == "view":
                cache["kept"] = out[:2]
            else:
                cache["result"] = (out,)
                return cache["result"]
            return (out,)

    x, tx = _pair((4,))
    h = Keep.apply(x)
    # x receives two contributions, in both orders: the first must never be added into
    out = h + x.sin() if keep_first else x.sin() + h
    g = np.random.default_rng(1).standard_normal(4)
    out.backward(g, retain_graph=True)
    (tx * 3.0 + tx.sin()).backward(torch.from_numpy(g))
    node = h.grad_fn
    kept = {
        "attribute": lambda: node.kept,
        "saved": lambda: node._saved[0],
        "module": lambda: cache["kept"],
        "view": lambda: cache["kept"],
        "cached_tuple": lambda: cache["result"][0],
    }[holder]()
    np.testing.assert_array_equal(kept, cache["copy"][: kept.shape[0]])
    assert not np.shares_memory(kept, x.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_private_reshaped_gradient_is_kept_and_gradients_stay_exact():
    class Flatten(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.shape = x.shape
            return x.reshape(-1) * 1.0

        @staticmethod
        def backward(ctx, g):
            return ((g * 1.0).reshape(ctx.shape),)  # a view of a fresh array

    x, tx = _pair((2, 3))
    y = Flatten.apply(x)
    out = y * 2.0 + Flatten.apply(x)
    g = np.random.default_rng(2).standard_normal(6)
    out.backward(g)
    (tx.reshape(-1) * 3.0).backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_add_passes_the_upstream_through_and_it_is_copied_before_accumulation():
    x, tx = _pair((3,), seed=3)
    h = x * 1.0
    g = np.random.default_rng(4).standard_normal(3)
    g_before = g.copy()
    out = h + h + x  # the upstream g flows unchanged to h (twice) and to x
    out.backward(g)
    (tx * 1.0 + tx * 1.0 + tx).backward(torch.from_numpy(g))
    np.testing.assert_array_equal(g, g_before)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert not np.shares_memory(x.grad.numpy(), g)


# ------------------------------------------------------------------------- ready-stack order
def test_several_roots_one_depending_on_another_match_torch():
    x, tx = _pair((3, 2), seed=5)
    y, ty = x.tanh(), tx.tanh()
    z, tz = (y * y).sum(0), (ty * ty).sum(0)
    gy = np.random.default_rng(6).standard_normal((3, 2))
    gz = np.random.default_rng(7).standard_normal(2)
    ag.backward([z, y], [gz, gy])  # y is both a root and an input of z
    torch.autograd.backward([tz, ty], [torch.from_numpy(gz), torch.from_numpy(gy)])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_node_that_receives_no_gradient_does_not_block_the_rest():
    class FirstOnly(Function):
        """out = a + b, but backward deliberately gives b no gradient."""

        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            return g, None

    x, tx = _pair((4,), seed=8)
    h = x.exp()  # reachable, but no gradient arrives through FirstOnly's second input
    out = FirstOnly.apply(x * 2.0, h) + x.sin()
    g = np.random.default_rng(9).standard_normal(4)
    out.backward(g)
    (tx * 2.0 + tx.exp().detach() + tx.sin()).backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_diamond_graph_runs_each_node_once_after_all_consumers():
    calls = []

    class Count(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(g.copy())
            return (g,)

    x, tx = _pair((3,), seed=10)
    h = Count.apply(x)
    out = h.sin() * h.cos() + h * h
    g = np.random.default_rng(11).standard_normal(3)
    out.backward(g)
    th = tx * 1.0
    (th.sin() * th.cos() + th * th).backward(torch.from_numpy(g))
    assert len(calls) == 1  # all three consumers' gradients arrive summed, in one call
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_long_chain_of_adds_matches_the_closed_form():
    x = ag.tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    y = x
    for _ in range(2000):
        y = y + x
    g = np.arange(4, dtype=np.float32)
    y.backward(g)
    np.testing.assert_array_equal(y.numpy(), np.full(4, 2001.0, dtype=np.float32))
    np.testing.assert_array_equal(x.grad.numpy(), 2001.0 * g)
    assert x.grad.dtype == np.float32


# ------------------------------------------------------------------------- Function.apply
def test_apply_records_edges_versions_and_inputs():
    a = ag.tensor(np.ones(3), requires_grad=True)
    b = ag.tensor(np.ones(3))
    h = a * 2.0
    out = h + b
    node = out.grad_fn
    assert isinstance(node, Context)
    assert node.needs_input_grad == (True, False)
    assert node.inputs == (h, b) and node.edges[1] is None
    assert node.edges[0] is h.grad_fn  # flat: one target per argument
    assert node._extra is None and not node._freed  # a plain node
    out.sum().backward()
    assert node.inputs == () and node._freed  # freed after backward, structure kept
    assert node.edges[0] is h.grad_fn


def test_apply_keyword_arguments_and_integer_outputs():
    class ScaleBy(Function):
        @staticmethod
        def forward(ctx, x, *, factor):
            ctx.factor = factor
            return x * factor

        @staticmethod
        def backward(ctx, g):
            return (g * ctx.factor,)

    class Floor(Function):
        @staticmethod
        def forward(ctx, x):
            return np.floor(x).astype(np.int64)

        @staticmethod
        def backward(ctx, g):  # pragma: no cover - never called: integer outputs
            raise AssertionError

    x, tx = _pair((3,), seed=12)
    y = ScaleBy.apply(x, factor=ag.tensor(np.full(3, 3.0)))
    assert y.requires_grad and y.grad_fn is not None
    y.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 3.0))
    k = Floor.apply(x)
    assert k.dtype == np.int64 and not k.requires_grad and k.grad_fn is None
    with ag.no_grad():
        z = ScaleBy.apply(x, factor=2.0)
    assert not z.requires_grad


def test_zero_dim_gradients_summed_into_numpy_scalars_still_flow():
    """Two 0-d contributions sum to a NumPy scalar (not an ndarray): the engine accepts it."""
    x, tx = _pair((5,), seed=13)
    h, th = (x * 2.0).sum(), (tx * 2.0).sum()
    out, tout = h * 3.0 + h.exp() + h, th * 3.0 + th.exp() + th
    out.backward()
    tout.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_zero_dim_leaf_and_grad_capture_accumulate_three_times():
    x, tx = _pair((), seed=14)
    out, tout = x * 2.0 + x.exp() + x.sin(), tx * 2.0 + tx.exp() + tx.sin()
    (gx,) = ag.grad(out, x, retain_graph=True)
    (tgx,) = torch.autograd.grad(tout, tx, retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-12)
    for _ in range(2):  # the second pass accumulates into the existing 0-d .grad
        out.backward(retain_graph=True)
        tout.backward(retain_graph=True)
    assert isinstance(x.grad.numpy(), np.ndarray)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
