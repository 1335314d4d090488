"""RNN / LSTM / GRU and their cells against torch.nn (RN-01..RN-06, RG-05): same weights ->
same outputs, final states and gradients of every parameter, the input and the initial states,
with random upstream gradients on output AND h_n / c_n; float64 tight, float32 loose."""

import numpy as np
import pytest
import torch

from glassml import autograd as ag
from glassml.autograd import tensor
from glassml.autograd.fused.rnn_cells import gru_layer, lstm_cell, lstm_layer, rnn_layer
from glassml.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

TIGHT = dict(rtol=1e-9, atol=1e-10)
LOOSE = dict(rtol=1e-4, atol=1e-5)

CLASSES = {
    "lstm": (LSTM, torch.nn.LSTM),
    "gru": (GRU, torch.nn.GRU),
    "rnn": (RNN, torch.nn.RNN),
}

OPTIONS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True},
    {"batch_first": True},
    {"bias": False},
    {"num_layers": 2, "bidirectional": True, "batch_first": True, "bias": False},
]


def _copy_weights(ours, ref, dtype):
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )


def _run_pair(ours, ref, x, states, is_lstm, seed=0):
    """Forward both models; return lists of (ours, torch) result tensors and leaf inputs."""
    xo, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    so = [None if s is None else tensor(s, requires_grad=True) for s in states]
    sr = [None if s is None else torch.tensor(s, requires_grad=True) for s in states]
    if is_lstm:
        hx_o = None if so[0] is None else (so[0], so[1])
        hx_r = None if sr[0] is None else (sr[0], sr[1])
        out, (h, c) = ours(xo, hx_o)
        out_r, (h_r, c_r) = ref(xr, hx_r)
        results, results_r = [out, h, c], [out_r, h_r, c_r]
    else:
        out, h = ours(xo, so[0])
        out_r, h_r = ref(xr, sr[0])
        results, results_r = [out, h], [out_r, h_r]
    return results, results_r, [xo, *so], [xr, *sr]


def _check_all(ours, ref, results, results_r, leaves, leaves_r, tol, seed=0):
    rng = np.random.default_rng(seed)
    for a, b in zip(results, results_r, strict=True):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **tol)
    dtype = results[0].dtype
    grads = [rng.standard_normal(a.shape).astype(dtype) for a in results]  # random upstream
    ag.backward(results, [tensor(g) for g in grads])
    torch.autograd.backward(results_r, [torch.from_numpy(g) for g in grads])
    for a, b in zip(leaves, leaves_r, strict=True):
        if a is not None:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **tol)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), **tol,
                                   err_msg=name)  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("kind", list(CLASSES))
def test_layer_matches_torch(kind, opts, dtype):
    rng = np.random.default_rng(1)
    cls, tcls = CLASSES[kind]
    ours, ref = cls(4, 6, **opts), tcls(4, 6, **opts)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert repr(ours) == repr(ref)
    _copy_weights(ours, ref, dtype)
    length, batch = 7, 3
    directions = 2 if opts.get("bidirectional") else 1
    layers = opts.get("num_layers", 1)
    shape = (batch, length, 4) if opts.get("batch_first") else (length, batch, 4)
    x = rng.standard_normal(shape).astype(dtype)
    states = [rng.standard_normal((layers * directions, batch, 6)).astype(dtype) for _ in range(2)]
    if kind != "lstm":
        states = states[:1]
    res, res_r, leaves, leaves_r = _run_pair(ours, ref, x, states, kind == "lstm")
    assert res[0].dtype == dtype
    _check_all(ours, ref, res, res_r, leaves, leaves_r, TIGHT if dtype == np.float64 else LOOSE)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_default_zero_state_and_relu(kind):
    rng = np.random.default_rng(2)
    cls, tcls = CLASSES[kind]
    kw = {"nonlinearity": "relu"} if kind == "rnn" else {}
    ours, ref = cls(3, 5, num_layers=2, **kw), tcls(3, 5, num_layers=2, **kw)
    assert repr(ours) == repr(ref)
    _copy_weights(ours, ref, np.float64)
    x = rng.standard_normal((6, 2, 3))
    states = [None, None] if kind == "lstm" else [None]
    res, res_r, leaves, leaves_r = _run_pair(ours, ref, x, states, kind == "lstm")
    _check_all(ours, ref, res, res_r, leaves, leaves_r, TIGHT)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_unbatched_input(kind):
    rng = np.random.default_rng(3)
    cls, tcls = CLASSES[kind]
    ours, ref = cls(3, 4, bidirectional=True), tcls(3, 4, bidirectional=True)
    _copy_weights(ours, ref, np.float64)
    x = rng.standard_normal((5, 3))
    states = [rng.standard_normal((2, 4)) for _ in range(2 if kind == "lstm" else 1)]
    res, res_r, leaves, leaves_r = _run_pair(ours, ref, x, states, kind == "lstm")
    assert res[0].shape == (5, 8) and res[1].shape == (2, 4)
    _check_all(ours, ref, res, res_r, leaves, leaves_r, TIGHT)


@pytest.mark.parametrize("kind", list(CLASSES))
def test_dropout_eval_mode_matches_torch(kind):
    rng = np.random.default_rng(4)
    cls, tcls = CLASSES[kind]
    ours, ref = cls(3, 4, num_layers=3, dropout=0.5), tcls(3, 4, num_layers=3, dropout=0.5)
    assert repr(ours) == repr(ref)
    _copy_weights(ours, ref, np.float64)
    ours.eval()
    ref.eval()
    x = rng.standard_normal((5, 2, 3))
    states = [None, None] if kind == "lstm" else [None]
    res, res_r, leaves, leaves_r = _run_pair(ours, ref, x, states, kind == "lstm")
    _check_all(ours, ref, res, res_r, leaves, leaves_r, TIGHT)


def test_dropout_train_mode_statistics():
    """Between-layer dropout: with p = 1 the 2nd layer sees only zeros (its output equals the
    zero-input run); with p = 0.3 about 30% of the inputs of layer 2 are zeroed, the rest
    scaled by 1 / 0.7 (checked through the layer-2 input gradient pattern)."""
    rng = np.random.default_rng(5)
    gen = np.random.default_rng(0)
    lstm = LSTM(3, 200, num_layers=2, dropout=1.0, generator=gen).double()
    x = tensor(rng.standard_normal((4, 2, 3)))
    out, _ = lstm(x)
    single = LSTM(200, 200).double()
    single.load_state_dict({k.replace("_l1", "_l0"): v for k, v in lstm.state_dict().items()
                            if "_l1" in k})  # fmt: skip
    out_zero, _ = single(tensor(np.zeros((4, 2, 200))))
    np.testing.assert_allclose(out.numpy(), out_zero.numpy(), **TIGHT)

    lstm = LSTM(3, 400, num_layers=2, dropout=0.3, generator=gen).double()
    captured = {}
    original = lstm._run_layer

    def spy(x, h0, c0, layer, direction, batch_sizes):
        if layer == 1:
            captured["x"] = x.numpy().copy()
        return original(x, h0, c0, layer, direction, batch_sizes)

    lstm._run_layer = spy
    lstm(x)
    y1 = captured["x"]
    lstm.eval()
    lstm(x)
    y0 = captured["x"]
    dropped = y1 == 0
    assert abs(dropped.mean() - 0.3) < 0.03
    np.testing.assert_allclose(y1[~dropped], y0[~dropped] / 0.7, **TIGHT)


CELLS = {"lstm": (LSTMCell, torch.nn.LSTMCell), "gru": (GRUCell, torch.nn.GRUCell),
         "rnn": (RNNCell, torch.nn.RNNCell)}  # fmt: skip


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_matches_torch(kind, bias, dtype):
    rng = np.random.default_rng(6)
    cls, tcls = CELLS[kind]
    ours, ref = cls(4, 5, bias=bias), tcls(4, 5, bias=bias)
    assert list(ours.state_dict()) == list(ref.state_dict())
    assert repr(ours) == repr(ref)
    _copy_weights(ours, ref, dtype)
    x = rng.standard_normal((3, 4)).astype(dtype)
    states = [rng.standard_normal((3, 5)).astype(dtype) for _ in range(2 if kind == "lstm" else 1)]
    xo, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    so = [tensor(s, requires_grad=True) for s in states]
    sr = [torch.tensor(s, requires_grad=True) for s in states]
    if kind == "lstm":
        res, res_r = list(ours(xo, tuple(so))), list(ref(xr, tuple(sr)))
    else:
        res, res_r = [ours(xo, so[0])], [ref(xr, sr[0])]
    _check_all(ours, ref, res, res_r, [xo, *so], [xr, *sr],
               TIGHT if dtype == np.float64 else LOOSE)  # fmt: skip


@pytest.mark.parametrize("kind", list(CELLS))
def test_cell_unbatched_default_state_and_relu(kind):
    rng = np.random.default_rng(7)
    cls, tcls = CELLS[kind]
    kw = {"nonlinearity": "relu"} if kind == "rnn" else {}
    ours, ref = cls(4, 5, **kw), tcls(4, 5, **kw)
    assert repr(ours) == repr(ref)
    _copy_weights(ours, ref, np.float64)
    x = rng.standard_normal(4)
    xo, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    res, res_r = ours(xo), ref(xr)
    res = list(res) if kind == "lstm" else [res]
    res_r = list(res_r) if kind == "lstm" else [res_r]
    assert res[0].shape == (5,)
    _check_all(ours, ref, res, res_r, [xo], [xr], TIGHT)


def test_cell_step_loop_equals_layer():
    """Unrolling LSTMCell over time gives the LSTM layer's outputs and gradients (RN-02)."""
    rng = np.random.default_rng(8)
    lstm = LSTM(3, 4).double()
    cell = LSTMCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    x = rng.standard_normal((6, 2, 3))
    xa, xb = tensor(x, requires_grad=True), tensor(x, requires_grad=True)
    out, _ = lstm(xa)
    h = c = None
    outs = []
    for t in range(6):
        h, c = cell(xb[t], None if h is None else (h, c))
        outs.append(h)
    out_b = ag.stack(outs)
    np.testing.assert_allclose(out.numpy(), out_b.numpy(), **TIGHT)
    g = rng.standard_normal(out.shape)
    out.backward(tensor(g))
    out_b.backward(tensor(g))
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), **TIGHT)
    np.testing.assert_allclose(lstm.weight_hh_l0.grad.numpy(), cell.weight_hh.grad.numpy(), **TIGHT)


def test_functional_layers_match_torch_functional():
    """The fused layer ops against torch's functional cells unrolled (reverse direction too)."""
    rng = np.random.default_rng(9)
    T, B, I, H = 5, 3, 4, 6
    x = rng.standard_normal((T, B, I))
    h0 = rng.standard_normal((B, H))
    c0 = rng.standard_normal((B, H))
    for gates, op in ((4, "lstm"), (3, "gru"), (1, "rnn")):
        w_ih, w_hh = rng.standard_normal((gates * H, I)), rng.standard_normal((gates * H, H)) * 0.5
        b_ih, b_hh = rng.standard_normal(gates * H), rng.standard_normal(gates * H)
        args_t = [torch.tensor(a) for a in (w_ih, w_hh, b_ih, b_hh)]
        h, c = torch.tensor(h0), torch.tensor(c0)
        outs = [None] * T
        for t in reversed(range(T)):
            xt = torch.tensor(x[t])
            if op == "lstm":
                h, c = torch.lstm_cell(xt, (h, c), *args_t)
            elif op == "gru":
                h = torch.gru_cell(xt, h, *args_t)
            else:
                h = torch.rnn_tanh_cell(xt, h, *args_t)
            outs[t] = h
        args = [tensor(a) for a in (w_ih, w_hh, b_ih, b_hh)]
        if op == "lstm":
            out, hn, cn = lstm_layer(tensor(x), tensor(h0), tensor(c0), *args, reverse=True)
            np.testing.assert_allclose(cn.numpy(), c.numpy(), **TIGHT)
        elif op == "gru":
            out, hn = gru_layer(tensor(x), tensor(h0), *args, reverse=True)
        else:
            out, hn = rnn_layer(tensor(x), tensor(h0), *args, reverse=True)
        np.testing.assert_allclose(out.numpy(), torch.stack(outs).numpy(), **TIGHT)
        np.testing.assert_allclose(hn.numpy(), h.numpy(), **TIGHT)


def test_gradcheck_fused_ops_torch_free():
    rng = np.random.default_rng(10)
    T, B, I, H = 3, 2, 3, 2
    leaves = lambda *s: tensor(rng.standard_normal(s), requires_grad=True)  # noqa: E731
    x, h0, c0 = leaves(T, B, I), leaves(B, H), leaves(B, H)
    assert ag.gradcheck(
        lambda *a: lstm_layer(*a, batch_sizes=[2, 2, 1]),
        (x, h0, c0, leaves(4 * H, I), leaves(4 * H, H), leaves(4 * H), leaves(4 * H)),
    )
    assert ag.gradcheck(
        lambda *a: gru_layer(*a, reverse=True),
        (x, h0, leaves(3 * H, I), leaves(3 * H, H), leaves(3 * H), leaves(3 * H)),
    )
    assert ag.gradcheck(
        lambda *a: rnn_layer(*a, nonlinearity="tanh", batch_sizes=[2, 1, 1]),
        (x, h0, leaves(H, I), leaves(H, H), leaves(H), None),
    )
    assert ag.gradcheck(
        lambda x1, h, c, w1, w2: lstm_cell(x1, (h, c), w1, w2),
        (leaves(B, I), h0, c0, leaves(4 * H, I), leaves(4 * H, H)),
    )


def test_training_step_matches_torch():
    """One SGD step on LSTM + Linear -> identical parameters."""
    from glassml import nn, optim

    rng = np.random.default_rng(11)
    ours = LSTM(4, 8, num_layers=2, batch_first=True).double()
    ref = torch.nn.LSTM(4, 8, num_layers=2, batch_first=True).double()
    head, head_r = nn.Linear(8, 3).double(), torch.nn.Linear(8, 3).double()
    _copy_weights(ours, ref, np.float64)
    _copy_weights(head, head_r, np.float64)
    x = rng.standard_normal((5, 6, 4))
    y = rng.integers(0, 3, 5)
    params = [*ours.parameters(), *head.parameters()]
    params_r = [*ref.parameters(), *head_r.parameters()]
    opt, opt_r = optim.SGD(params, lr=0.1), torch.optim.SGD(params_r, lr=0.1)
    out, _ = ours(tensor(x))
    loss = nn.functional.cross_entropy(head(out[:, -1]), tensor(y))
    out_r, _ = ref(torch.tensor(x))
    loss_r = torch.nn.functional.cross_entropy(head_r(out_r[:, -1]), torch.tensor(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    opt_r.zero_grad()
    loss_r.backward()
    opt_r.step()
    np.testing.assert_allclose(float(loss), loss_r.item(), **TIGHT)
    for p, q in zip(params, params_r, strict=True):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), **TIGHT)


def test_init_distribution_and_float32_default():
    lstm = LSTM(10, 25, num_layers=2, generator=np.random.default_rng(0))
    values = np.concatenate([p.numpy().ravel() for p in lstm.parameters()])
    assert values.dtype == np.float32
    bound = 1 / np.sqrt(25)
    assert values.min() >= -bound and values.max() <= bound
    assert abs(values.mean()) < 0.01 and abs(values.std() - bound / np.sqrt(3)) < 0.005
    out, (h, c) = lstm(ag.randn(3, 2, 10))
    assert out.dtype == np.float32 and h.dtype == np.float32 and c.dtype == np.float32


# --------------------------------------------------------------------------- bad inputs
def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="hidden_size"):
        LSTM(3, 0)
    with pytest.raises(TypeError, match="input_size"):
        GRU(3.5, 4)
    with pytest.raises(ValueError, match="num_layers"):
        RNN(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="dropout"):
        LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="proj_size"):
        LSTM(3, 4, proj_size=2)
    with pytest.raises(TypeError, match="bias"):
        LSTM(3, 4, bias=1)
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        LSTM(3, 4, dropout=0.2)
    with pytest.raises(ValueError, match="nonlinearity"):
        RNNCell(3, 4, nonlinearity="gelu")


def test_bad_forward_arguments():
    lstm = LSTM(3, 4)
    with pytest.raises(ValueError, match="input_size. Expected 3, got 5"):
        lstm(ag.randn(2, 2, 5))
    with pytest.raises(ValueError, match="Expected input to be 2D"):
        lstm(ag.randn(2, 2, 2, 3))
    with pytest.raises(ValueError, match="dtype"):
        lstm(tensor(np.zeros((2, 2, 3))))
    with pytest.raises(ValueError, match=r"Expected hidden size \(1, 2, 4\)"):
        lstm(ag.randn(5, 2, 3), (ag.randn(1, 3, 4), ag.randn(1, 3, 4)))
    with pytest.raises(ValueError, match="hx must be a tuple"):
        lstm(ag.randn(5, 2, 3), ag.randn(1, 2, 4))
    with pytest.raises(ValueError, match="should also be 3-D"):
        GRU(3, 4)(ag.randn(5, 2, 3), ag.randn(2, 4))
    with pytest.raises(ValueError, match="input_size"):
        LSTMCell(3, 4)(ag.randn(2, 5))
    with pytest.raises(ValueError, match="hidden state of shape"):
        GRUCell(3, 4)(ag.randn(2, 3), ag.randn(3, 4))
    with pytest.raises(ValueError, match="batch_sizes"):
        lstm_layer(ag.randn(3, 2, 3), ag.zeros(2, 4), ag.zeros(2, 4), ag.randn(16, 3),
                   ag.randn(16, 4), batch_sizes=[1, 2, 2])  # fmt: skip
    with pytest.raises(ValueError, match="4 \\* hidden_size"):
        lstm_layer(ag.randn(3, 2, 3), ag.zeros(2, 4), ag.zeros(2, 4), ag.randn(12, 3),
                   ag.randn(12, 4))  # fmt: skip


def test_inplace_weight_change_before_backward_and_double_backward_raise():
    lstm = LSTM(3, 4)
    out, _ = lstm(ag.randn(5, 2, 3))
    with ag.no_grad():
        lstm.weight_hh_l0.mul_(2.0)  # e.g. an optimizer step before backward
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward(ag.randn(5, 2, 4))
    out, _ = GRU(3, 4)(ag.randn(5, 2, 3))
    g = ag.randn(5, 2, 4)
    out.backward(g)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        out.backward(g)


def test_cells_keep_their_import_paths_after_the_split():
    import glassml.nn
    import glassml.nn.rnn_cell as cells

    for name in cells.__all__:  # defined in rnn_cell.py, re-exported by nn.rnn and glassml.nn
        assert getattr(glassml.nn.rnn, name) is getattr(cells, name), name
        assert getattr(glassml.nn, name) is getattr(cells, name), name
