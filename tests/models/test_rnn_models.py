"""Sequence heads (RN-11, RN-12): many-to-one classifier at the true last step, BiLSTM tagger,
time-series forecaster — against torch twins (same weights, packed sequences), plus padding
invariance and bad inputs."""

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn

from glassml import autograd as ag
from glassml.autograd import tensor
from glassml.models.rnn import RNNClassifier, RNNForecaster, RNNTagger

TIGHT = dict(rtol=1e-9, atol=1e-10)


class TorchHead(torch.nn.Module):
    def __init__(self, core, vocab, emb, hidden, out, bidirectional, per_step):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab, emb) if vocab else None
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[core]
        self.rnn = cls(emb, hidden, batch_first=True, bidirectional=bidirectional)
        self.head = torch.nn.Linear(hidden * (2 if bidirectional else 1), out)
        self.per_step, self.bidirectional = per_step, bidirectional

    def forward(self, x, lengths=None):
        e = self.embedding(x) if self.embedding is not None else x
        if lengths is not None:
            e = trnn.pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
        out, h = self.rnn(e)
        if self.per_step:
            if lengths is not None:
                out, _ = trnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            return self.head(out)
        h = h[0] if isinstance(h, tuple) else h
        final = torch.cat([h[-2], h[-1]], 1) if self.bidirectional else h[-1]
        return self.head(final)


def _sync(ours, ref):
    ours.double()
    ref.double()
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )


def _compare(ours, ref, x, lengths, seed=0):
    rng = np.random.default_rng(seed)
    xo = tensor(x, requires_grad=x.dtype.kind == "f")
    xr = torch.tensor(x, requires_grad=x.dtype.kind == "f")
    out = ours(xo, lengths) if lengths is not None else ours(xo)
    out_r = ref(xr, lengths) if lengths is not None else ref(xr)
    np.testing.assert_allclose(out.numpy(), out_r.detach().numpy(), **TIGHT)
    g = rng.standard_normal(out.shape)
    out.backward(tensor(g))
    out_r.backward(torch.tensor(g))
    if x.dtype.kind == "f":
        np.testing.assert_allclose(xo.grad.numpy(), xr.grad.numpy(), **TIGHT)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), **TIGHT,
                                   err_msg=name)  # fmt: skip
    return out


@pytest.mark.parametrize("core,bidirectional", [("lstm", True), ("gru", False), ("rnn", True)])
def test_classifier_matches_torch_with_variable_lengths(core, bidirectional):
    rng = np.random.default_rng(1)
    ours = RNNClassifier(hidden_size=6, num_classes=3, vocab_size=12, embedding_dim=5, cell=core,
                         bidirectional=bidirectional)  # fmt: skip
    ref = TorchHead(core, 12, 5, 6, 3, bidirectional, per_step=False)
    _sync(ours, ref)
    ids = rng.integers(1, 12, (4, 7))
    lengths = [3, 7, 1, 5]
    out = _compare(ours, ref, ids, lengths)
    # the true last step is used: the padding content does not change the logits
    ids2 = ids.copy()
    for b, n in enumerate(lengths):
        ids2[b, n:] = 0
    np.testing.assert_allclose(ours(tensor(ids2), lengths).numpy(), out.numpy(), **TIGHT)


def test_tagger_matches_torch_and_ignores_padding_in_loss():
    rng = np.random.default_rng(2)
    ours = RNNTagger(hidden_size=5, num_tags=4, vocab_size=10, embedding_dim=3)
    ref = TorchHead("lstm", 10, 3, 5, 4, True, per_step=True)
    _sync(ours, ref)
    ids = rng.integers(0, 10, (3, 6))
    lengths = [6, 2, 4]
    logits = _compare(ours, ref, ids, lengths)
    assert logits.shape == (3, 6, 4)
    tags = rng.integers(0, 4, (3, 6))
    loss = ours.loss(ours(tensor(ids), lengths), tags, lengths)
    logits_r = ref(torch.tensor(ids), lengths)
    mask = np.arange(6)[None] < np.array(lengths)[:, None]
    loss_r = torch.nn.functional.cross_entropy(logits_r[torch.tensor(mask)],
                                               torch.tensor(tags[mask]))  # fmt: skip
    np.testing.assert_allclose(float(loss), loss_r.item(), **TIGHT)


def test_forecaster_matches_torch_and_rolls_forward():
    rng = np.random.default_rng(3)
    ours = RNNForecaster(input_size=2, hidden_size=5, horizon=3, cell="gru")
    ref = TorchHead("gru", 0, 2, 5, 6, False, per_step=False)
    _sync(ours, ref)
    x = rng.standard_normal((4, 8, 2))
    xo = tensor(x)
    pred = ours(xo)
    np.testing.assert_allclose(pred.numpy(), ref(torch.tensor(x)).detach().numpy().reshape(4, 3, 2),
                               **TIGHT)  # fmt: skip
    rolled = ours.forecast(x, 5)
    assert rolled.shape == (4, 5, 2)
    np.testing.assert_allclose(rolled[:, :3], pred.numpy(), **TIGHT)
    second = ours(tensor(np.concatenate([x[:, 3:], pred.numpy()], axis=1))).numpy()
    np.testing.assert_allclose(rolled[:, 3:], second[:, :2], **TIGHT)
    target = rng.standard_normal((4, 3, 2))
    np.testing.assert_allclose(float(ours.loss(pred, target)), np.mean((pred.numpy() - target) ** 2),
                               **TIGHT)  # fmt: skip


def test_classifier_learns_first_token_task():
    """Many-to-one with variable lengths: label = first token (needs the whole sequence)."""
    from glassml.optim import Adam

    rng = np.random.default_rng(4)
    clf = RNNClassifier(hidden_size=16, num_classes=2, vocab_size=6, embedding_dim=8,
                        generator=np.random.default_rng(0))  # fmt: skip
    opt = Adam(clf.parameters(), lr=0.03)
    for _ in range(60):
        ids = rng.integers(2, 6, (32, 8))
        labels = rng.integers(0, 2, 32)
        ids[:, 0] = labels
        lengths = rng.integers(2, 9, 32)
        loss = ag.fused.cross_entropy(clf(tensor(ids), lengths), tensor(labels))
        opt.zero_grad()
        loss.backward()
        opt.step()
    ids = rng.integers(2, 6, (200, 8))
    labels = rng.integers(0, 2, 200)
    ids[:, 0] = labels
    pred = clf(tensor(ids), rng.integers(2, 9, 200)).numpy().argmax(1)
    assert (pred == labels).mean() > 0.95


def test_bad_arguments():
    with pytest.raises(ValueError, match="cell"):
        RNNClassifier(input_size=3, cell="transformer")
    with pytest.raises(ValueError, match="input_size"):
        RNNClassifier(hidden_size=4)
    with pytest.raises(ValueError, match="num_classes"):
        RNNClassifier(input_size=3, num_classes=0)
    clf = RNNClassifier(hidden_size=4, num_classes=2, vocab_size=5)
    with pytest.raises(ValueError, match="lengths"):
        clf(tensor(np.zeros((2, 3), dtype=np.int64)), [4, 1])
    with pytest.raises(ValueError, match="integer token ids"):
        clf(ag.randn(2, 3))
    with pytest.raises(ValueError, match="features"):
        RNNForecaster(input_size=2)(ag.randn(3, 2))
    with pytest.raises(ValueError, match="horizon"):
        RNNForecaster(input_size=2, horizon=0)
