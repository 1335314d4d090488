"""Invariants of the engine's per-node fast paths (issue 4: overhead per node < 5 us).

* a plain node (``Context._extra is None``) costs the backward pass one test; registering a hook,
  ``retain_grad`` or freeing the node after its creation sets ``_extra`` and every one of them
  still takes effect (compared with PyTorch);
* the shared ``_FREED`` marker of freed nodes is never modified (a hook on one freed node does not
  appear on another);
* ``edges`` holds one target per argument (flat); the gradient's shape and dtype come from
  ``inputs`` (mixed float32/float64 inputs, broadcasting, a wrong gradient shape still raises);
* nodes run latest-created first (``Context._order``, no consumer-counting pass): each node runs
  once, after all its consumers, also when its last consumer sends no gradient or a sparse one,
  for a root that another root consumes, and again through a retained graph;
* the version counter is created lazily (``Tensor._vc``): in-place checks still fire;
* the count of threads with grad mode off returns to zero and never switches recording off for
  another thread;
* ``x + y`` calls ``ops.binary.add`` directly (Parameters, numbers and bad shapes included).

Inventory: AG-02, AG-04, AG-09.
"""

from __future__ import annotations

import operator
import threading

import numpy as np
import pytest
import torch

import glassml.autograd as ag
from glassml.autograd import Function
from glassml.autograd.function import _FREED, SparseGrad
from glassml.autograd.grad_mode import _threads_without_grad
from glassml.autograd.ops import binary
from glassml.autograd.tensor import Parameter, Tensor

torch.set_num_threads(1)


def _pair(shape, seed=0, dtype=np.float64):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _upstream(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------------- plain-node flag
def test_a_new_node_is_plain_and_becomes_special_when_a_hook_is_added_later():
    x, tx = _pair((4,), seed=1)
    h, th = x * 3.0, tx * 3.0
    out, tout = (h * h).tanh(), (th * th).tanh()
    assert h.grad_fn._extra is None and out.grad_fn._extra is None
    h.register_hook(lambda g: g * 2.0 + 1.0)  # after the consumers were recorded
    th.register_hook(lambda g: g * 2.0 + 1.0)
    assert h.grad_fn._extra is not None and h.grad_fn._hooks
    g = _upstream(4, 2)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_removing_the_last_hook_leaves_a_working_node():
    x, tx = _pair((3,), seed=3)
    h, th = x.exp(), tx.exp()
    handle = h.register_hook(lambda g: g * 100.0)
    handle.remove()
    assert h.grad_fn._hooks is None
    g = _upstream(3, 4)
    (h * x).backward(g)
    (th * tx).backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_retain_grad_on_an_intermediate_after_creation():
    x, tx = _pair((2, 3), seed=5)
    h, th = x.sin(), tx.sin()
    out, tout = h * x + h, th * tx + th
    assert h.grad_fn._extra is None
    h.retain_grad()
    th.retain_grad()
    assert h.grad_fn._extra is not None and h.retains_grad
    g = _upstream((2, 3), 6)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(h.grad.numpy(), th.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert out.grad is None  # not retained


def test_freed_nodes_share_a_marker_that_never_changes():
    x, _ = _pair((3,), seed=7)
    h1, h2 = x * 2.0, x * 3.0
    (h1 + h2).sum().backward()
    assert h1.grad_fn._extra is _FREED and h2.grad_fn._extra is _FREED
    assert h1.grad_fn._freed and h1.grad_fn.inputs == () and h1.grad_fn._saved == ()
    h1.register_hook(lambda g: g)  # on a freed node: gets extras of its own
    assert h1.grad_fn._extra is not _FREED and h1.grad_fn._freed
    assert _FREED.hooks is None and _FREED.retained is None and _FREED.freed
    assert h2.grad_fn._hooks is None
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        (h1 * 1.0).sum().backward()


def test_a_node_with_hooks_still_refuses_a_second_pass_once_freed():
    x, _ = _pair((3,), seed=8)
    h = x * 2.0
    h.register_hook(lambda g: g)
    y = (h * h).sum()
    y.backward()
    assert h.grad_fn._freed and h.grad_fn._hooks
    with pytest.raises(RuntimeError, match="a second time"):
        y.backward()


# ------------------------------------------------------------------------- flat edges
def test_edges_are_flat_targets_and_survive_freeing():
    x, _ = _pair((3,), seed=9)
    c = ag.tensor(np.ones(3))
    h = x.exp()
    out = h * c + x
    mul = out.grad_fn.edges[0]
    assert out.grad_fn.edges == (mul, x)
    assert mul.edges == (h.grad_fn, None)  # c does not require grad
    assert h.grad_fn.edges == (x,)
    out.sum().backward()
    assert out.grad_fn.edges == (mul, x) and out.grad_fn.inputs == ()


@pytest.mark.parametrize("first", [np.float32, np.float64])
def test_passed_through_gradients_take_each_input_dtype_and_shape(first):
    second = np.float64 if first == np.float32 else np.float32
    a, ta = _pair((2, 1, 3), seed=10, dtype=first)
    b, tb = _pair((4, 1), seed=11, dtype=second)
    out, tout = a + b, ta + tb  # float64 (2, 4, 3)
    g = _upstream((2, 4, 3), 12)
    (out - b).backward(g)
    (tout - tb).backward(torch.from_numpy(g))
    for ours, ref in ((a, ta), (b, tb)):
        assert ours.grad.dtype == ours.dtype and ours.grad.shape == ours.shape
        tol = 1e-12 if ours.dtype == np.float64 else 1e-6
        np.testing.assert_allclose(ours.grad.numpy(), ref.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("passthrough", [True, False])
def test_a_gradient_of_the_wrong_shape_still_raises(passthrough):
    class Transposed(Function):
        @staticmethod
        def forward(ctx, a):
            return a.T.copy()

        @staticmethod
        def backward(ctx, g):  # wrong on purpose: should transpose back
            return g if passthrough else g * 1.0

    x, _ = _pair((2, 3), seed=13)
    y = Transposed.apply(x)
    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0: got shape \(3, 2\)"):
        y.backward(np.ones((3, 2)))


# ------------------------------------------------------------------------- ready stack
@pytest.mark.parametrize("none_last", [True, False])
def test_last_consumer_sending_no_gradient_still_runs_the_node(none_last):
    class OnlyFirst(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):
            return g, None

    x, tx = _pair((4,), seed=14)
    h, th = x.sin(), tx.sin()
    # the ready stack is last-in first-out: the addend recorded first runs last
    if none_last:  # h receives the mul's gradient, then None from OnlyFirst
        out = OnlyFirst.apply(x, h) + h * 2.0
    else:
        out = h * 2.0 + OnlyFirst.apply(x, h)
    tout = th * 2.0 + tx
    g = _upstream(4, 15)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("sparse_last", [True, False])
def test_sparse_gradient_from_the_last_consumer_reaches_the_node(sparse_last):
    x, tx = _pair((5, 3), seed=16)
    h, th = x.exp(), tx.exp()
    if sparse_last:  # h[3] (a SparseGrad) is the last of h's consumers to run
        out, tout = h[3] + h[1] * 2.0 + h.sum(0), th[3] + th[1] * 2.0 + th.sum(0)
    else:
        out, tout = h.sum(0) + h[1] * 2.0 + h[3], th.sum(0) + th[1] * 2.0 + th[3]
    g = _upstream(3, 17)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_root_consumed_by_another_root_waits_for_it():
    x, tx = _pair((3,), seed=18)
    y, ty = x.sin(), tx.sin()
    z, tz = y * y, ty * ty
    gy, gz = _upstream(3, 19), _upstream(3, 20)
    ag.backward([y, z], [gy, gz])
    torch.autograd.backward([ty, tz], [torch.from_numpy(gy), torch.from_numpy(gz)])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_wide_fan_in_and_fan_out_match_torch():
    x, tx = _pair((6,), seed=21)
    w, tw = _pair((6,), seed=22)
    hs, ths = [x * w], [tx * tw]
    for _ in range(11):  # every node consumes the previous two and x
        prev2 = hs[-2] if len(hs) > 1 else x
        hs.append((hs[-1] * 0.5 + prev2 * 0.25 + x).tanh())
        tprev2 = ths[-2] if len(ths) > 1 else tx
        ths.append((ths[-1] * 0.5 + tprev2 * 0.25 + tx).tanh())
    out, tout = sum(hs[1:], hs[0]), sum(ths[1:], ths[0])
    g = _upstream(6, 23)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)


# ------------------------------------------------------------------------- version counter
def test_version_counter_is_created_on_first_use():
    x, _ = _pair((3,), seed=24)
    y = x * 2.0
    z = y + x
    assert z._vc is None  # an unsaved, unmodified result carries no counter
    assert z._version == [0] and z._vc is not None
    with ag.no_grad():
        z.add_(1.0)
    assert z._version[0] == 1


def test_inplace_after_saving_still_raises_through_the_fast_binary_path():
    x, _ = _pair((3,), seed=25)
    h = x * 1.0
    out = h * h  # Mul saves h (apply_binary)
    with ag.no_grad():
        h.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_create_graph_still_checks_input_versions():
    x, _ = _pair((3,), seed=26)
    h = x * 1.0
    out = h + x  # Add saves nothing: only the create_graph input check can see the change
    with ag.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match="create_graph=True re-reads the inputs"):
        ag.grad(out.sum(), x, create_graph=True)


# ------------------------------------------------------------------------- grad mode count
def test_threads_without_grad_count_returns_to_zero():
    assert _threads_without_grad[0] == 0
    with ag.no_grad():
        assert _threads_without_grad[0] == 1
        with ag.no_grad():
            assert _threads_without_grad[0] == 1
            with ag.enable_grad():
                assert _threads_without_grad[0] == 0
        with pytest.raises(ValueError, match="inside"):
            with ag.enable_grad():
                raise ValueError("inside")
        assert _threads_without_grad[0] == 1

    @ag.no_grad()
    def f(t):
        assert _threads_without_grad[0] == 1
        return t * 2.0

    assert not f(ag.tensor([1.0], requires_grad=True)).requires_grad
    ag.set_grad_enabled(False)
    assert _threads_without_grad[0] == 1
    ag.set_grad_enabled(True)
    assert _threads_without_grad[0] == 0


def test_another_thread_in_no_grad_does_not_stop_recording_here():
    entered, release = threading.Event(), threading.Event()
    seen = {}

    def worker():
        with ag.no_grad():
            entered.set()
            seen["worker"] = (ag.tensor([1.0], requires_grad=True) * 2.0).requires_grad
            release.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    assert entered.wait(10)
    assert _threads_without_grad[0] == 1
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert (x + x).requires_grad and (x * 2.0).requires_grad and x.exp().requires_grad
    release.set()
    t.join(10)
    assert seen["worker"] is False
    assert _threads_without_grad[0] == 0


# ------------------------------------------------------------------------- operators
def test_operators_call_the_binary_ops_directly():
    assert Tensor.__add__ is binary.add and Tensor.__mul__ is binary.mul
    assert Tensor.__sub__ is binary.sub and Tensor.__truediv__ is binary.div


def test_parameter_operands_and_numbers_take_the_general_path_correctly():
    w = Parameter(np.random.default_rng(27).standard_normal((3, 4)))
    b = Parameter(np.random.default_rng(28).standard_normal(4))
    tw = torch.tensor(w.numpy(), requires_grad=True)
    tb = torch.tensor(b.numpy(), requires_grad=True)
    out = (w + b) * 2.0 - 1.0 / (b * b + 1.0) + 3
    tout = (tw + tb) * 2.0 - 1.0 / (tb * tb + 1.0) + 3
    g = _upstream((3, 4), 29)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", ["add", "sub", "mul"])
def test_operator_shape_errors_name_the_op(name):
    a = ag.tensor(np.ones((2, 3)), requires_grad=True)
    b = ag.tensor(np.ones((4,)))
    op = getattr(operator, name)  # a + b, a - b, a * b
    with pytest.raises(ValueError, match=rf"{name}: shapes \(2, 3\) and \(4,\) are not broadcast"):
        op(a, b)
    with pytest.raises(ValueError, match=rf"{name}: shapes"):
        op(a, Parameter(np.ones(4)))


def test_the_message_names_the_argument_of_a_wrong_gradient():
    class SameToBoth(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * 1.0

        @staticmethod
        def backward(ctx, g):  # right for a (2, 3); wrong for b (2,): not broadcastable to it
            return g, g

    a, _ = _pair((2, 3), seed=30)
    b, _ = _pair((2,), seed=31)
    with pytest.raises(RuntimeError, match=r"SameToBothBackward returned an invalid gradient at "):
        SameToBoth.apply(a, b).backward(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"at index 1: got shape \(2, 3\) but expected a shape"):
        SameToBoth.apply(a, b).backward(np.ones((2, 3)))


def test_creation_order_runs_each_node_once_after_all_its_consumers():
    calls = []

    class Count(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            return (g,)

    x, tx = _pair((4,), seed=32)
    h = Count.apply(x)  # consumed by nodes created early and late, in interleaved branches
    a = h.sin()
    b = x.exp() * 2.0
    late = (a * b + h).tanh()
    out = late * h + b
    th = tx * 1.0
    ta, tb = th.sin(), tx.exp() * 2.0
    tout = (ta * tb + th).tanh() * th + tb
    for _ in range(2):  # the second pass reuses the retained graph and the same order
        calls.clear()
        g = _upstream(4, 33)
        x.grad, tx.grad = None, None
        out.backward(g, retain_graph=True)
        tout.backward(torch.from_numpy(g), retain_graph=True)
        assert len(calls) == 1  # every consumer's gradient arrived before h ran
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    (gh,) = ag.grad(out, h, grad_outputs=g)
    (tgh,) = torch.autograd.grad(tout, th, grad_outputs=torch.from_numpy(g))
    np.testing.assert_allclose(gh.numpy(), tgh.numpy(), rtol=1e-12)


def test_sparse_gradient_after_a_dense_one_from_the_same_node():
    class AddFirstRow(Function):
        """out = a + b[0]; b's gradient is a SparseGrad (one row), sent after a's dense one."""

        @staticmethod
        def forward(ctx, a, b):
            ctx.b_shape = b.shape
            return a + b[0]

        @staticmethod
        def backward(ctx, g):
            return g, SparseGrad(ctx.b_shape, 0, g, True)

    x, tx = _pair((3, 4), seed=34)
    a, b = x.sum(0).exp(), x.sin()  # two nodes, each reached first through AddFirstRow
    out = AddFirstRow.apply(a, b) * x[1]
    tout = (tx.sum(0).exp() + tx.sin()[0]) * tx[1]
    g = _upstream(4, 35)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
