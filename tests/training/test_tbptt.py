"""Truncated BPTT (RN-02): window layout, detaching at boundaries (no gradient flows past a
boundary, while the state value does), and the training loop lowers the loss."""

import numpy as np
import pytest

from glassml import autograd as ag
from glassml.autograd import tensor
from glassml.models.char_lm import CharLSTM
from glassml.nn.rnn import GRU
from glassml.optim import Adam
from glassml.training.tbptt import detach_state, tbptt_batches, tbptt_train


def test_windows_continue_row_by_row():
    data = np.arange(41)
    windows = list(tbptt_batches(data, batch_size=4, seq_len=3))
    rows = np.concatenate([x for x, _ in windows], axis=1)
    np.testing.assert_array_equal(rows, np.arange(40).reshape(4, 10))
    for x, y in windows:
        np.testing.assert_array_equal(y, x + 1)
    assert [x.shape[1] for x, _ in windows] == [3, 3, 3, 1]
    with pytest.raises(ValueError, match="seq_len"):
        next(tbptt_batches(data, 2, 0))
    with pytest.raises(ValueError, match="too short"):
        next(tbptt_batches(np.arange(3), 4, 2))
    with pytest.raises(TypeError, match="detach_state"):
        detach_state("h")


def test_gradient_stops_at_the_boundary_but_the_state_carries():
    rng = np.random.default_rng(0)
    gru = GRU(2, 3).double()
    x1 = tensor(rng.standard_normal((4, 1, 2)), requires_grad=True)
    x2 = tensor(rng.standard_normal((4, 1, 2)), requires_grad=True)
    _, h = gru(x1)
    out, _ = gru(x2, detach_state(h))
    out.backward(tensor(rng.standard_normal(out.shape)))
    assert x1.grad is None  # truncated: nothing flows into window 1
    assert x2.grad is not None
    # without the detach the same loss reaches window 1
    _, h = gru(x1)
    out_full, _ = gru(x2, h)
    out_full.backward(tensor(rng.standard_normal(out.shape)))
    assert x1.grad is not None and np.abs(x1.grad.numpy()).sum() > 0
    # the value of the carried state is the same as in the untruncated run
    np.testing.assert_array_equal(out.numpy(), out_full.numpy())


def test_truncated_gradient_equals_gradient_with_constant_initial_state():
    """dL_w/dW with detaching == dL_w/dW of window w alone started from the (constant) state."""
    rng = np.random.default_rng(1)
    lm = CharLSTM("abcd", embedding_dim=3, hidden_size=4, num_layers=1).double()
    data = rng.integers(0, 4, 50)
    grads = []

    def loss_fn(out, y):
        return lm.loss(out, y)

    captured = {}

    def record(step, loss):
        if step == 2:
            grads.append(lm.lstm.weight_hh_l0.grad.numpy().copy())

    windows = list(tbptt_batches(data, 2, 5))
    _, state = lm(tensor(windows[0][0]))
    captured["state"] = detach_state(state)
    tbptt_train(lm, loss_fn, ag_optimizer_noop(lm), data, 2, 5, max_steps=2, progress=False,
                on_step=record)  # fmt: skip
    lm.zero_grad()
    logits, _ = lm(tensor(windows[1][0]), captured["state"])
    lm.loss(logits, windows[1][1]).backward()
    np.testing.assert_allclose(grads[0], lm.lstm.weight_hh_l0.grad.numpy(), rtol=1e-12)


def ag_optimizer_noop(model):
    """An SGD with lr 0: the weights stay fixed so the two computations see the same model."""
    from glassml.optim import SGD

    return SGD(model.parameters(), lr=0.0)


def test_tbptt_training_lowers_the_loss():
    text = "abcabcabd" * 40
    lm = CharLSTM.from_text(text, embedding_dim=4, hidden_size=16, num_layers=1,
                            generator=np.random.default_rng(0))  # fmt: skip
    losses = tbptt_train(lm, lm.loss, Adam(lm.parameters(), lr=0.02), lm.encode(text), 4, 10,
                         epochs=6, clip_grad_norm=1.0, progress=True)  # fmt: skip
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:3])
    assert ag.is_grad_enabled()
