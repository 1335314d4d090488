"""Packed / padded variable-length sequences (RN-12) against torch.nn.utils.rnn, and recurrent
layers on PackedSequence input: outputs, final states at each sequence's true length, and
gradients of the padded input, the weights and the initial states."""

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn

from glassml import autograd as ag
from glassml.autograd import tensor
from glassml.nn.rnn import GRU, LSTM, RNN
from glassml.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

TIGHT = dict(rtol=1e-9, atol=1e-10)


def _assert_packed_equal(ours, ref):
    np.testing.assert_allclose(ours.data.numpy(), ref.data.detach().numpy(), **TIGHT)
    np.testing.assert_array_equal(ours.batch_sizes.numpy(), ref.batch_sizes.numpy())
    for a, b in ((ours.sorted_indices, ref.sorted_indices),
                 (ours.unsorted_indices, ref.unsorted_indices)):  # fmt: skip
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[5, 3, 3, 1], [2, 5, 1, 4], [3, 3, 3, 3]])
def test_pack_pad_roundtrip_matches_torch(lengths, batch_first):
    rng = np.random.default_rng(0)
    shape = (4, 5, 3) if batch_first else (5, 4, 3)
    x = rng.standard_normal(shape)
    xo, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    sorted_ = lengths == sorted(lengths, reverse=True)
    po = pack_padded_sequence(xo, lengths, batch_first, enforce_sorted=sorted_)
    pr = trnn.pack_padded_sequence(xr, torch.tensor(lengths), batch_first, enforce_sorted=sorted_)
    _assert_packed_equal(po, pr)
    out, lens = pad_packed_sequence(po, batch_first, padding_value=-2.0, total_length=6)
    out_r, lens_r = trnn.pad_packed_sequence(pr, batch_first, padding_value=-2.0, total_length=6)
    np.testing.assert_allclose(out.numpy(), out_r.detach().numpy(), **TIGHT)
    np.testing.assert_array_equal(lens.numpy(), lens_r.numpy())
    g = rng.standard_normal(out.shape)
    out.backward(tensor(g))
    out_r.backward(torch.tensor(g))
    np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), **TIGHT)


def test_pad_sequence_and_pack_sequence_match_torch():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 2)) for n in (3, 5, 1)]
    so = [tensor(s, requires_grad=True) for s in seqs]
    sr = [torch.tensor(s, requires_grad=True) for s in seqs]
    for batch_first in (False, True):
        for side in ("right", "left"):
            a = pad_sequence(so, batch_first, 7.0, padding_side=side)
            b = trnn.pad_sequence(sr, batch_first, 7.0, padding_side=side)
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **TIGHT)
    po, pr = pack_sequence(so, enforce_sorted=False), trnn.pack_sequence(sr, enforce_sorted=False)
    _assert_packed_equal(po, pr)
    g = rng.standard_normal(po.data.shape)
    po.data.backward(tensor(g))
    pr.data.backward(torch.tensor(g))
    for a, b in zip(so, sr, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TIGHT)
    for a, b in zip(unpack_sequence(po), trnn.unpack_sequence(pr), strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **TIGHT)
    padded = pad_sequence(so, batch_first=True)
    for a, s in zip(unpad_sequence(padded, [3, 5, 1], batch_first=True), seqs, strict=True):
        np.testing.assert_allclose(a.numpy(), s, **TIGHT)


CASES = [
    ("lstm", {}, True),
    ("lstm", {"num_layers": 2, "bidirectional": True}, False),
    ("gru", {"bidirectional": True}, False),
    ("gru", {"num_layers": 2}, True),
    ("rnn", {"num_layers": 2, "bidirectional": True, "nonlinearity": "relu"}, False),
    ("rnn", {"batch_first": True}, True),
]
CLASSES = {"lstm": (LSTM, torch.nn.LSTM), "gru": (GRU, torch.nn.GRU), "rnn": (RNN, torch.nn.RNN)}


@pytest.mark.parametrize("kind,opts,sorted_", CASES)
def test_layers_on_packed_input_match_torch(kind, opts, sorted_):
    rng = np.random.default_rng(2)
    cls, tcls = CLASSES[kind]
    ours, ref = cls(3, 4, **opts).double(), tcls(3, 4, **opts).double()
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    lengths = [6, 4, 4, 2, 1] if sorted_ else [2, 6, 1, 4, 4]
    batch_first = opts.get("batch_first", False)
    x = rng.standard_normal((5, 6, 3) if batch_first else (6, 5, 3))
    directions = 2 if opts.get("bidirectional") else 1
    n_states = 2 if kind == "lstm" else 1
    states = [rng.standard_normal((opts.get("num_layers", 1) * directions, 5, 4))
              for _ in range(n_states)]  # fmt: skip
    xo, xr = tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    so = [tensor(s, requires_grad=True) for s in states]
    sr = [torch.tensor(s, requires_grad=True) for s in states]
    po = pack_padded_sequence(xo, lengths, batch_first, enforce_sorted=sorted_)
    pr = trnn.pack_padded_sequence(xr, lengths, batch_first, enforce_sorted=sorted_)
    if kind == "lstm":
        out, (h, c) = ours(po, tuple(so))
        out_r, (h_r, c_r) = ref(pr, tuple(sr))
        finals, finals_r = [h, c], [h_r, c_r]
    else:
        out, h = ours(po, so[0])
        out_r, h_r = ref(pr, sr[0])
        finals, finals_r = [h], [h_r]
    assert isinstance(out, PackedSequence)
    _assert_packed_equal(out, out_r)
    padded, _ = pad_packed_sequence(out, batch_first)
    padded_r, _ = trnn.pad_packed_sequence(out_r, batch_first)
    results, results_r = [padded, *finals], [padded_r, *finals_r]
    for a, b in zip(results, results_r, strict=True):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **TIGHT)
    grads = [rng.standard_normal(a.shape) for a in results]
    ag.backward(results, [tensor(g) for g in grads])
    torch.autograd.backward(results_r, [torch.tensor(g) for g in grads])
    for a, b in zip([xo, *so], [xr, *sr], strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), **TIGHT)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), **TIGHT,
                                   err_msg=name)  # fmt: skip


def test_final_state_is_taken_at_true_length():
    """h_n of a packed batch equals running each sequence alone (no padding effect)."""
    rng = np.random.default_rng(3)
    gru = GRU(2, 3, bidirectional=True).double()
    seqs = [rng.standard_normal((n, 2)) for n in (2, 5, 3)]
    _, h = gru(pack_sequence([tensor(s) for s in seqs], enforce_sorted=False))
    for b, s in enumerate(seqs):
        _, h_alone = gru(tensor(s))
        np.testing.assert_allclose(h.numpy()[:, b], h_alone.numpy(), **TIGHT)


def test_bad_packing_arguments():
    x = ag.randn(4, 3, 2)
    with pytest.raises(ValueError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [1, 3, 2])
    with pytest.raises(ValueError, match="greater than 0"):
        pack_padded_sequence(x, [3, 2, 0])
    with pytest.raises(ValueError, match="one entry per sequence"):
        pack_padded_sequence(x, [3, 2])
    with pytest.raises(ValueError, match="at most the padded length"):
        pack_padded_sequence(x, [5, 2, 1])
    with pytest.raises(ValueError, match="total_length"):
        pad_packed_sequence(pack_padded_sequence(x, [4, 2, 1]), total_length=2)
    with pytest.raises(TypeError, match="PackedSequence"):
        pad_packed_sequence(x)
    with pytest.raises(ValueError, match="trailing"):
        pad_sequence([ag.randn(3, 2), ag.randn(2, 3)])
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([ag.randn(3, 2)], padding_side="middle")
