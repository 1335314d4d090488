"""Engine semantics: accumulation, retain_graph, freed graphs, grad modes, detach, in-place guards,
aliasing, higher-order gradients (WGAN-GP penalty vs torch), memory over 1,000 training steps."""

from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.autograd as ag
from glassml.autograd import Function, Tensor, no_grad

torch.set_num_threads(1)


def _pair(shape, seed=0, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape)
    return ag.tensor(a, requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


# ------------------------------------------------------------------------- accumulation
def test_grad_accumulates_across_backward_calls_like_torch():
    x, tx = _pair((3, 4))
    for k in range(3):
        ((x * (k + 1.0)).tanh()).sum().backward()
        ((tx * (k + 1.0)).tanh()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_shared_subexpression_accumulates():
    x, tx = _pair((5,))
    h, th = x.exp(), tx.exp()
    (h * h + h.sin() - h).sum().backward()
    (th * th + th.sin() - th).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_same_tensor_twice_in_one_op():
    x, tx = _pair((4,))
    (x + x).backward(np.arange(4.0))
    (tx + tx).backward(torch.arange(4.0, dtype=torch.float64))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------------- retain / freed graphs
def test_retain_graph_allows_a_second_backward():
    x, tx = _pair((3,))
    y, ty = (x * x).sum(), (tx * tx).sum()
    y.backward(retain_graph=True)
    y.backward()
    ty.backward(retain_graph=True)
    ty.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_second_backward_through_freed_graph_raises():
    x, _ = _pair((3,))
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_saved_arrays_are_freed_after_backward():
    x, _ = _pair((3,))
    h = x.exp()
    node = h.grad_fn
    h.sum().backward()
    assert node._saved == ()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        _ = node.saved_tensors


def test_non_leaf_grad_is_not_kept_unless_retain_grad():
    x, tx = _pair((3,))
    h, th = x * 2, tx * 2
    k, tk = x * 3, tx * 3
    k.retain_grad()
    tk.retain_grad()
    (h * k).sum().backward()
    (th * tk).sum().backward()
    assert h.grad is None and not h.is_leaf
    np.testing.assert_allclose(k.grad.numpy(), tk.grad.numpy())


# ------------------------------------------------------------------------- grad modes
def test_no_grad_records_nothing_and_restores():
    x, _ = _pair((3,))
    with no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
        with ag.enable_grad():
            z = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_grad_mode_decorators_and_set_grad_enabled():
    x, _ = _pair((3,))

    @no_grad()
    def f(t):
        return t * 2

    @ag.set_grad_enabled(False)
    def g(t):
        return t * 2

    assert ag.is_grad_enabled()  # the decorator form does not switch the mode on definition
    assert not f(x).requires_grad and not g(x).requires_grad
    ag.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    with pytest.raises(TypeError, match="mode must be a bool"):
        ag.set_grad_enabled("no")


def test_grad_mode_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = ag.is_grad_enabled()

    with no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen["enabled"] is True


def test_detach_shares_data_and_stops_gradients():
    x, tx = _pair((3,))
    d = x.detach()
    assert d.data is x.data and not d.requires_grad
    (x * d).sum().backward()
    (tx * tx.detach()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


# ------------------------------------------------------------------------- in-place guards
def test_inplace_on_saved_tensor_raises_at_backward():
    x, _ = _pair((3,))
    w = x * 2
    y = w * w  # saves w
    with no_grad():
        w.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*MulBackward"):
        y.sum().backward()


def test_inplace_on_saved_output_raises_like_torch():
    x, tx = _pair((3,))
    a, ta = x.exp(), tx.exp()
    a.add_(1)
    ta.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ta.sum().backward()
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*ExpBackward"):
        a.sum().backward()


def test_inplace_on_view_bumps_the_shared_version():
    x, _ = _pair((2, 3))
    h = x * 1
    v = h.reshape(6)
    y = (h * h).sum()
    with no_grad():
        v.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_leaf_requiring_grad_is_refused():
    x, _ = _pair((3,))
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 5.0
    with no_grad():
        x.add_(1)  # allowed: an optimizer step
    assert x._version[0] == 1


def test_tracked_inplace_ops_match_torch():
    x, tx = _pair((3, 4), seed=1)
    y, ty = _pair((4,), seed=2)
    h, th = x + 1, tx + 1  # add saves nothing: in-place afterwards is fine
    h.mul_(y)
    th.mul_(ty)
    h.sub_(y, alpha=2)
    th.sub_(ty, alpha=2)
    h.clamp_(-1, 1)
    th.clamp_(-1, 1)
    h[0] = y * 3
    th[0] = ty * 3
    h.masked_fill_(h > 0.9, 0.0)
    th.masked_fill_(th > 0.9, 0.0)
    np.testing.assert_allclose(h.numpy(), th.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(3).standard_normal((3, 4))
    h.backward(g)
    th.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_untracked_inplace_ops_write_the_buffer():
    t = ag.tensor(np.arange(6.0).reshape(2, 3))
    buf = t.data
    t.add_(1).mul_(2).sub_(1).div_(2)
    t.clamp_(0, 4)
    t[0, 0] = -7.0
    t.masked_fill_(t > 3.5, 9.0)
    expected = np.clip(((np.arange(6.0).reshape(2, 3) + 1) * 2 - 1) / 2, 0, 4)
    expected[0, 0] = -7.0
    expected[expected > 3.5] = 9.0
    assert t.data is buf
    np.testing.assert_array_equal(t.numpy(), expected)
    t.zero_()
    assert not t.numpy().any()
    t.fill_(2.0)
    t.copy_(ag.tensor(np.ones(3)))
    np.testing.assert_array_equal(t.numpy(), np.ones((2, 3)))


# ------------------------------------------------------------------------- aliasing
def test_leaf_grads_never_alias_the_upstream_or_each_other():
    x, _ = _pair((3,), seed=1)
    y, _ = _pair((3,), seed=2)
    g = np.ones(3)
    (x + y).backward(g)
    assert not np.shares_memory(x.grad.numpy(), g)
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    x.grad.data += 1
    np.testing.assert_array_equal(g, np.ones(3))
    np.testing.assert_array_equal(y.grad.numpy(), np.ones(3))


def test_accumulation_does_not_write_into_shared_buffers():
    x, tx = _pair((3,))
    h = x * 1
    g = np.full(3, 2.0)
    out = h.reshape(3) + h  # the add passes `g` to both branches
    out.backward(g)
    np.testing.assert_array_equal(g, np.full(3, 2.0))
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 4.0))


# ------------------------------------------------------------------------- higher order
def _mlp(x, w1, b1, w2, b2):
    return (x @ w1 + b1).tanh() @ w2 + b2


def test_gradient_penalty_wgan_gp_matches_torch():
    """GN-06/AG-08: lambda * E[(||grad_x D(x_hat)||_2 - 1)^2] and its gradient w.r.t. D's weights."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) * 0.5 for s in [(6, 4), (4, 8), (8,), (8, 1), (1,)]]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    x, tx = ours[0], theirs[0]
    d, td = _mlp(*ours), _mlp(*theirs)
    (gx,) = ag.grad(d.sum(), x, create_graph=True)
    (tgx,) = torch.autograd.grad(td.sum(), tx, create_graph=True)
    np.testing.assert_allclose(gx.numpy(), tgx.detach().numpy(), rtol=1e-12)
    gp = 10 * ((gx.norm(dim=1) - 1) ** 2).mean()
    tgp = 10 * ((tgx.norm(dim=1) - 1) ** 2).mean()
    gp.backward()
    tgp.backward()
    np.testing.assert_allclose(gp.item(), tgp.item(), rtol=1e-12)
    for a, ta in zip(ours[:-1], theirs[:-1], strict=True):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)
    # the output bias b2 does not influence grad_x D, so neither library gives it a gradient
    assert ours[-1].grad is None and theirs[-1].grad is None


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True:UserWarning")
def test_backward_create_graph_makes_grad_differentiable():
    x, tx = _pair((4,))
    (x**3).sum().backward(create_graph=True)
    (tx**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    gx, tgx = x.grad, tx.grad
    x.grad = None
    tx.grad = None
    (gx * gx).sum().backward()
    (tgx * tgx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_third_order_derivative():
    x = ag.tensor(np.array(0.7), requires_grad=True)
    (g1,) = ag.grad(x.sin() * x, x, create_graph=True)
    (g2,) = ag.grad(g1, x, create_graph=True)
    (g3,) = ag.grad(g2, x)
    v = 0.7
    # d^3/dx^3 [x sin x] = -3 sin x - x cos x
    np.testing.assert_allclose(g3.item(), -3 * np.sin(v) - v * np.cos(v), rtol=1e-12)


def test_function_without_backward_graph_refuses_create_graph():
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return (3 * x**2 * g,)

    x, _ = _pair((3,))
    y = Cube.apply(x).sum()
    with pytest.raises(RuntimeError, match="Cube does not support create_graph=True"):
        y.backward(create_graph=True)


def test_custom_function_needs_input_grad_and_unbroadcast():
    seen = {}

    class Scale(Function):
        @staticmethod
        def forward(ctx, x, s, note):
            seen["needs"] = ctx.needs_input_grad
            seen["note"] = note
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, g):
            x, s = ctx.saved_tensors
            return g * s, g * x, None  # g * x has the broadcast shape: the engine sums it

    x, tx = _pair((3, 4), seed=1)
    s, ts = _pair((4,), seed=2)
    Scale.apply(x, s, "hi").backward(np.ones((3, 4)))
    (tx * ts).backward(torch.ones(3, 4, dtype=torch.float64))
    assert seen == {"needs": (True, True, False), "note": "hi"}
    np.testing.assert_allclose(s.grad.numpy(), ts.grad.numpy())


def test_grad_allow_unused():
    x, _ = _pair((3,), seed=1)
    y, _ = _pair((3,), seed=2)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.grad((x * 2).sum(), [x, y], retain_graph=True)
    gx, gy = ag.grad((x * 2).sum(), [x, y], allow_unused=True)
    assert gy is None and x.grad is None
    np.testing.assert_array_equal(gx.numpy(), np.full(3, 2.0))


# ------------------------------------------------------------------------- deep graphs, memory
def test_deep_chain_has_no_recursion_limit():
    x = ag.tensor(np.array(1.0), requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**5000, rtol=1e-9)


@pytest.mark.slow
def test_graph_is_freed_no_memory_growth_over_1000_steps():
    rng = np.random.default_rng(0)
    X = ag.tensor(rng.standard_normal((32, 8)).astype(np.float32))
    Y = ag.tensor(rng.standard_normal((32, 1)).astype(np.float32))
    params = [
        ag.tensor(rng.standard_normal(s).astype(np.float32) * 0.3, requires_grad=True)
        for s in [(8, 16), (16,), (16, 1), (1,)]
    ]
    w1, b1, w2, b2 = params

    def step():
        loss = (((X @ w1 + b1).relu() @ w2 + b2 - Y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with no_grad():
            for p in params:
                p.sub_(p.grad * 0.01)
        return loss

    first = step().item()
    node_ref = weakref.ref(step().grad_fn)
    gc.collect()
    assert node_ref() is None  # the graph died with its loss: no reference cycles
    tracemalloc.start()
    for _ in range(100):
        step()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(900):
        last = step().item()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert grown < 50_000, f"memory grew by {grown} bytes over 900 steps"
    assert last < first


# ------------------------------------------------------------------------- dtypes, factories
def test_dtype_rules():
    assert ag.tensor([1.0, 2.0]).dtype == np.float32
    assert ag.tensor(np.zeros(2)).dtype == np.float64
    assert ag.tensor([1, 2]).dtype == np.int64
    assert ag.tensor(np.zeros(2, dtype=np.int32)).dtype == np.int64
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (x * 2.5, x + np.float64(1.5), 2.0 / x, x**2, x - True):
        assert y.dtype == np.float32, y
    assert x.double().dtype == np.float64 and x.double().float().dtype == np.float32
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == np.float32
    assert ag.Parameter(np.zeros(3, dtype=np.float32)).requires_grad
    # integer tensors: float results are float32 like torch's default dtype (NumPy: float64)
    for ours, ref in [
        (ag.arange(4) / 2, torch.arange(4) / 2),
        (ag.arange(4) * 1.5, torch.arange(4) * 1.5),
        (2 / ag.arange(1, 3), 2 / torch.arange(1, 3)),
        (ag.arange(4) + 1, torch.arange(4) + 1),
    ]:
        assert str(ours.dtype) == str(ref.dtype).removeprefix("torch."), (ours.dtype, ref.dtype)
        np.testing.assert_allclose(ours.numpy(), ref.numpy())


def test_manual_seed_and_generators():
    ag.manual_seed(7)
    a = ag.randn(3, 2)
    ag.manual_seed(7)
    b = ag.randn((3, 2))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == np.float32 and ag.rand(2, dtype="float64").dtype == np.float64
    g1 = ag.randn(4, generator=np.random.default_rng(1)).numpy()
    g2 = ag.randn(4, generator=np.random.default_rng(1)).numpy()
    np.testing.assert_array_equal(g1, g2)
    r = ag.randint(0, 5, (100,))
    assert r.dtype == np.int64 and r.numpy().min() >= 0 and r.numpy().max() < 5
    assert ag.arange(5).dtype == np.int64 and ag.arange(0, 1, 0.25).shape == (4,)
    assert ag.zeros(2, 3).shape == (2, 3) and ag.ones_like(a).dtype == np.float32
    np.testing.assert_array_equal(ag.eye(3).numpy(), np.eye(3))
    with pytest.raises(ValueError, match="manual_seed"):
        ag.manual_seed(-1)
    with pytest.raises(TypeError, match="generator"):
        ag.randn(3, generator=5)


def test_tensor_basics():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert t.shape == (2, 2) and t.ndim == 2 and len(t) == 2 and t.numel() == 4 and t.size(1) == 2
    assert t.is_leaf and "requires_grad=True" in repr(t)
    assert "grad_fn=MulBackward" in repr(t * 2)
    assert ag.tensor(3.0).item() == 3.0
    with pytest.raises(ValueError, match="only one element"):
        t.item()
    assert (t > 2).dtype == np.bool_ and (t == t).numpy().all()


# ------------------------------------------------------------------------- gradcheck itself
def test_gradcheck_detects_a_wrong_backward():
    class BadSquare(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return (g * x,)  # should be 2 x g

    x, _ = _pair((3,))
    with pytest.raises(ag.GradcheckError, match="gradcheck failed"):
        ag.gradcheck(BadSquare.apply, (x,))
    assert ag.gradcheck(BadSquare.apply, (x,), raise_exception=False) is False
    with pytest.raises(TypeError, match="float64"):
        ag.gradcheck(lambda t: t * 2, (ag.tensor([1.0], requires_grad=True),))


# ------------------------------------------------------------------------- property tests
_dims = st.lists(st.integers(1, 3), min_size=0, max_size=3)


@settings(max_examples=30, deadline=None)
@given(
    shape=_dims,
    mask=st.lists(st.booleans(), min_size=3, max_size=3),
    lead=st.integers(0, 2),
    seed=st.integers(0, 1000),
)
def test_broadcast_gradients_sum_back_to_input_shapes(shape, mask, lead, seed):
    """AG-02: for any broadcastable pair, grads have the input shapes and equal torch's."""
    other = [1 if m else s for s, m in zip(shape, mask, strict=False)]
    other = [2] * lead + other
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape), rng.standard_normal(other)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    xa, xb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    out, tout = xa * xb + xb, ta * tb + tb
    g = rng.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    assert xa.grad.shape == tuple(shape) and xb.grad.shape == tuple(other)
    np.testing.assert_allclose(xa.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(xb.grad.numpy(), tb.grad.numpy(), rtol=1e-12)


def test_numpy_operands_defer_to_tensor():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (np.float64(2.0) * x, np.ones(2) + x, np.ones(2, dtype=np.float32) - x):
        assert isinstance(y, Tensor) and y.requires_grad
    assert (np.float64(2.0) * x).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(x), [1.0, 2.0])


def test_docstring_examples_run():
    import doctest
    import importlib

    names = ["", ".engine", ".factories", ".function", ".gradcheck", ".grad_mode", ".random"]
    names += [".tensor", ".ops.binary", ".ops.elementwise", ".ops.indexing", ".ops.inplace"]
    names += [".ops.matmul", ".ops.movement", ".ops.reduction", ".ops.tensor_methods"]
    modules = [importlib.import_module("glassml.autograd" + n) for n in names]
    failed = sum(doctest.testmod(m, verbose=False).failed for m in modules)
    assert failed == 0


def test_hooks_match_torch():
    x, tx = _pair((3,))
    seen, tseen = [], []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    tx.register_hook(lambda g: tseen.append(g.numpy().copy()))
    h, th = x * 2, tx * 2
    hh = h.register_hook(lambda g: g * 3)
    th.register_hook(lambda g: g * 3)
    (h * h + x).sum().backward()
    (th * th + tx).sum().backward()
    assert len(seen) == len(tseen) == 1  # a leaf hook sees the total gradient once
    np.testing.assert_allclose(seen[0], tseen[0])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    hh.remove()
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.tensor([1.0]).register_hook(print)


@pytest.mark.parametrize("through_node", [False, True])
def test_selection_gradients_accumulate_sparsely_like_torch(through_node):
    """Every piece of unbind/split/getitem (sparse gradients) plus a dense use of the same input."""
    x, tx = _pair((5, 3, 4))
    src, tsrc = (x * 1, tx * 1) if through_node else (x, tx)
    out = sum(p.tanh() * (i + 1) for i, p in enumerate(src.unbind(1)))
    tout = sum(p.tanh() * (i + 1) for i, p in enumerate(tsrc.unbind(1)))
    out = out + src[:, [0, 0, 2]].sum(1) + src.split(2, 1)[1][:, 0] + src.sum(1)
    tout = tout + tsrc[:, [0, 0, 2]].sum(1) + tsrc.split(2, 1)[1][:, 0] + tsrc.sum(1)
    g = np.random.default_rng(5).standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    out2 = (x[1] * 2).sum()  # a second pass accumulates into the existing .grad
    tout2 = (tx[1] * 2).sum()
    out2.backward()
    tout2.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_grad_with_respect_to_a_non_leaf_and_several_outputs():
    x, tx = _pair((3, 2))
    h, th = x.tanh(), tx.tanh()
    y1, ty1 = (h * h).sum(0), (th * th).sum(0)
    y2, ty2 = h.exp().mean(), th.exp().mean()
    g1 = np.array([1.0, -2.0])
    ours = ag.grad([y1, y2], [h, x], [g1, None])
    theirs = torch.autograd.grad([ty1, ty2], [th, tx], [torch.from_numpy(g1), None])
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    assert x.grad is None  # grad() never touches .grad


def test_tracked_inplace_on_a_view_is_refused_not_silently_wrong():
    x, _ = _pair((3, 4))
    h = x * 1
    with pytest.raises(RuntimeError, match="in-place modification of a view"):
        h[0].mul_(2)
    with pytest.raises(RuntimeError, match="in-place modification of a view"):
        h.T.add_(1)
    with no_grad():  # without recording, views write through to the base like torch
        v = h[0]
        v.mul_(0)
    assert not h.numpy()[0].any()


def test_create_graph_through_tracked_inplace_ops_matches_torch():
    x, tx = _pair((3,), seed=1)
    y, ty = _pair((3,), seed=2)
    h, th = x.sin(), tx.sin()
    h.mul_(y)
    th.mul_(ty)
    h.add_(x * x)
    th.add_(tx * tx)
    h.clamp_(-0.9, 0.9)
    th.clamp_(-0.9, 0.9)
    gx, gy = ag.grad(h.sum(), [x, y], create_graph=True)
    tgx, tgy = torch.autograd.grad(th.sum(), [tx, ty], create_graph=True)
    np.testing.assert_allclose(gx.numpy(), tgx.detach().numpy(), rtol=1e-12)
    (gx * gy).sum().backward()
    (tgx * tgy).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_inplace_after_saving_raises_in_both_libraries():
    x, tx = _pair((3,), seed=1)
    h, th = x.sin(), tx.sin()
    h.add_(h * x)  # the mul saved h, then h is modified
    th.add_(th * tx)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        torch.autograd.grad(th.sum(), tx)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ag.grad(h.sum(), x)


def test_create_graph_refuses_inputs_modified_in_place():
    x, _ = _pair((3,))
    y = x * 1
    z = y.exp()  # Exp saves its output, not y: a numeric backward is still exact
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation.*create_graph"):
        ag.grad(z.sum(), x, create_graph=True, retain_graph=True)
    (gx,) = ag.grad(z.sum(), x)
    np.testing.assert_allclose(gx.numpy(), np.exp(x.numpy()), rtol=1e-12)
