"""LSTM variants (RN-07 peephole, RN-08 coupled gates, RN-09 layer norm) and recurrent
(variational) dropout (RN-10, RG-05): no torch equivalent, so each is checked against a plain
NumPy loop of its equations and by finite differences (gradcheck)."""

import numpy as np
import pytest

from glassml import autograd as ag
from glassml.autograd import tensor
from glassml.nn.rnn import LSTM, GRUCell, LSTMCell
from glassml.nn.rnn_variants import (
    CoupledLSTMCell,
    LayerNormLSTMCell,
    PeepholeLSTMCell,
    RecurrentDropout,
)

TIGHT = dict(rtol=1e-9, atol=1e-10)


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def ln(a, w, b, eps=1e-5):
    mu = a.mean(-1, keepdims=True)
    var = a.var(-1, keepdims=True)
    return (a - mu) / np.sqrt(var + eps) * w + b


def numpy_step(cell, x, h, c):
    """Reference equations written directly from the papers."""
    P = {k: v.numpy() for k, v in cell.state_dict().items()}
    H = cell.hidden_size
    b = P.get("bias_ih", 0.0)
    if isinstance(cell, LayerNormLSTMCell):
        z = (ln(x @ P["weight_ih"].T, P["ln_ih_weight"], P["ln_ih_bias"])
             + ln(h @ P["weight_hh"].T, P["ln_hh_weight"], P["ln_hh_bias"]) + b)  # fmt: skip
    else:
        z = x @ P["weight_ih"].T + h @ P["weight_hh"].T + b
    if isinstance(cell, PeepholeLSTMCell):
        p = P["weight_peephole"]
        i = sig(z[:, :H] + p[0] * c)
        f = sig(z[:, H : 2 * H] + p[1] * c)
        g = np.tanh(z[:, 2 * H : 3 * H])
        c2 = f * c + i * g
        o = sig(z[:, 3 * H :] + p[2] * c2)
        return o * np.tanh(c2), c2
    if isinstance(cell, CoupledLSTMCell):
        f, g, o = sig(z[:, :H]), np.tanh(z[:, H : 2 * H]), sig(z[:, 2 * H :])
        i = 1.0 - f
        c2 = f * c + i * g
        return o * np.tanh(c2), c2
    i, f = sig(z[:, :H]), sig(z[:, H : 2 * H])
    g, o = np.tanh(z[:, 2 * H : 3 * H]), sig(z[:, 3 * H :])
    c2 = f * c + i * g
    return o * np.tanh(ln(c2, P["ln_c_weight"], P["ln_c_bias"])), c2


VARIANTS = [PeepholeLSTMCell, CoupledLSTMCell, LayerNormLSTMCell]


def _randomise(cell, rng):
    for p in cell.parameters():  # non-trivial LN gains / shifts too
        p.data[...] = rng.uniform(-0.8, 0.8, p.shape) + (1.0 if p.data.ndim == 1 and
                                                          np.all(p.data == 1) else 0.0)  # fmt: skip


@pytest.mark.parametrize("cls", VARIANTS)
def test_variant_matches_numpy_loop(cls):
    rng = np.random.default_rng(0)
    cell = cls(3, 4).double()
    _randomise(cell, rng)
    x = rng.standard_normal((6, 2, 3))
    h0, c0 = rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    out, (h, c) = RecurrentDropout(cell)(tensor(x), (tensor(h0), tensor(c0)))
    hr, cr = h0, c0
    outs = []
    for t in range(6):
        hr, cr = numpy_step(cell, x[t], hr, cr)
        outs.append(hr)
    np.testing.assert_allclose(out.numpy(), np.stack(outs), **TIGHT)
    np.testing.assert_allclose(h.numpy(), hr, **TIGHT)
    np.testing.assert_allclose(c.numpy(), cr, **TIGHT)


@pytest.mark.parametrize("cls", VARIANTS)
def test_variant_gradcheck(cls):
    rng = np.random.default_rng(1)
    cell = cls(3, 2).double()
    _randomise(cell, rng)
    params = list(cell.parameters())
    names = [n for n, _ in cell.named_parameters()]
    x = tensor(rng.standard_normal((2, 3)), requires_grad=True)
    h = tensor(rng.standard_normal((2, 2)), requires_grad=True)
    c = tensor(rng.standard_normal((2, 2)), requires_grad=True)

    def fn(x, h, c, *ps):
        for n, p in zip(names, ps, strict=True):
            cell._parameters[n] = p  # gradcheck's perturbed copies of the parameters
        h2, c2 = cell(x, (h, c))
        h3, c3 = cell(x, (h2, c2))  # two steps: gradients through the recurrence
        return h3, c3

    assert ag.gradcheck(fn, (x, h, c, *params))


def test_peephole_without_peepholes_is_lstm_and_coupled_has_three_blocks():
    rng = np.random.default_rng(2)
    peep = PeepholeLSTMCell(3, 4).double()
    peep.weight_peephole.data[...] = 0.0
    lstm = LSTMCell(3, 4).double()
    lstm.load_state_dict({"weight_ih": peep.weight_ih.numpy(), "weight_hh": peep.weight_hh.numpy(),
                          "bias_ih": peep.bias_ih.numpy(), "bias_hh": np.zeros(16)})  # fmt: skip
    x, h, c = (tensor(rng.standard_normal(s)) for s in ((2, 3), (2, 4), (2, 4)))
    for a, b in zip(peep(x, (h, c)), lstm(x, (h, c)), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), **TIGHT)
    coupled = CoupledLSTMCell(3, 4, bias=False)
    assert coupled.weight_ih.shape == (12, 3) and coupled.bias_ih is None
    assert (
        sum(p.numel() for p in coupled.parameters()) * 4
        == sum(p.numel() for p in LSTMCell(3, 4, bias=False).parameters()) * 3
    )


def test_recurrent_dropout_eval_equals_fused_lstm():
    rng = np.random.default_rng(3)
    lstm = LSTM(3, 5, batch_first=True).double()
    cell = LSTMCell(3, 5).double()
    cell.load_state_dict({k[:-3]: v for k, v in lstm.state_dict().items()})
    layer = RecurrentDropout(cell, batch_first=True, input_dropout=0.5, recurrent_dropout=0.5)
    layer.eval()
    x = tensor(rng.standard_normal((2, 7, 3)))
    out, (h, c) = layer(x)
    out_ref, (h_ref, c_ref) = lstm(x)
    np.testing.assert_allclose(out.numpy(), out_ref.numpy(), **TIGHT)
    np.testing.assert_allclose(c.numpy(), c_ref.numpy()[0], **TIGHT)


def test_recurrent_dropout_uses_one_mask_per_sequence():
    """Train mode equals a NumPy GRU loop with masks drawn once (same generator stream)."""
    rng = np.random.default_rng(4)
    cell = GRUCell(3, 6).double()
    layer = RecurrentDropout(cell, input_dropout=0.3, recurrent_dropout=0.4,
                             generator=np.random.default_rng(7))  # fmt: skip
    x = rng.standard_normal((8, 5, 3))
    out, h = layer(tensor(x))
    gen = np.random.default_rng(7)
    m_x = (gen.random((5, 3)) >= 0.3) / 0.7
    m_h = (gen.random((5, 6)) >= 0.4) / 0.6
    P = {k: v.numpy() for k, v in cell.state_dict().items()}
    H = 6
    hr = np.zeros((5, 6))
    outs = []
    for t in range(8):
        hd = hr * m_h if t > 0 else hr
        gi = (x[t] * m_x) @ P["weight_ih"].T + P["bias_ih"]
        gh = hd @ P["weight_hh"].T + P["bias_hh"]
        r = sig(gi[:, :H] + gh[:, :H])
        z = sig(gi[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
        hr = (1 - z) * n + z * hd
        outs.append(hr)
    np.testing.assert_allclose(out.numpy(), np.stack(outs), **TIGHT)
    # gradients flow through the masked recurrence
    out.backward(tensor(rng.standard_normal(out.shape)))
    assert np.all(np.isfinite(cell.weight_hh.grad.numpy()))
    assert np.abs(cell.weight_hh.grad.numpy()).sum() > 0


def test_recurrent_dropout_mask_rate():
    layer = RecurrentDropout(LSTMCell(2, 3), input_dropout=0.25,
                             generator=np.random.default_rng(0))  # fmt: skip
    m = layer._mask((400, 50), 0.25, np.float32)
    assert m.dtype == np.float32
    assert abs((m.numpy() == 0).mean() - 0.25) < 0.01
    np.testing.assert_allclose(np.unique(m.numpy()), [0.0, 1 / 0.75], rtol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="recurrent_dropout"):
        RecurrentDropout(LSTMCell(2, 3), recurrent_dropout=1.0)
    with pytest.raises(TypeError, match="cell"):
        RecurrentDropout("lstm")
    with pytest.raises(ValueError, match="3-D input"):
        RecurrentDropout(LSTMCell(2, 3))(ag.randn(4, 2))
    with pytest.raises(ValueError, match=r"input of shape \(B, 2\)"):
        PeepholeLSTMCell(2, 3)(ag.randn(4, 5))
    with pytest.raises(ValueError, match="state c"):
        CoupledLSTMCell(2, 3)(ag.randn(4, 2), (ag.randn(4, 3), ag.randn(4, 2)))
    with pytest.raises(ValueError, match="hidden_size"):
        LayerNormLSTMCell(2, 0)
