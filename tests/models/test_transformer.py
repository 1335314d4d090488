"""The encoder-decoder Transformer (TR-11): identical to the same model written with torch.nn,
masks, greedy/beam decoding through glassml.models.decoding, save/load, and the real task
(training on digit reversal to a high exact-match accuracy)."""

import math

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.autograd import manual_seed
from glassml.datasets.seq2seq_tasks import make_seq2seq_task
from glassml.models.transformer import Seq2SeqTransformer, train_seq2seq
from glassml.nn.positional import sinusoidal_table

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

KW = dict(d_model=16, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=24)


class TorchSeq2Seq(torch.nn.Module):
    """The reference: the same architecture written with torch.nn."""

    def __init__(self, vs, vt, d_model, nhead, num_encoder_layers, num_decoder_layers,
                 dim_feedforward):  # fmt: skip
        super().__init__()
        self.d = d_model
        self.src_embed = torch.nn.Embedding(vs, d_model)
        self.tgt_embed = torch.nn.Embedding(vt, d_model)
        self.transformer = torch.nn.Transformer(
            d_model,
            nhead,
            num_encoder_layers,
            num_decoder_layers,
            dim_feedforward,
            0.0,
            batch_first=True,
        )
        self.generator_head = torch.nn.Linear(d_model, vt)
        self.register_buffer("pe", torch.from_numpy(sinusoidal_table(64, d_model)), False)

    def forward(self, src, tgt_in, pad=0):
        s = self.src_embed(src) * math.sqrt(self.d) + self.pe[: src.shape[1]]
        t = self.tgt_embed(tgt_in) * math.sqrt(self.d) + self.pe[: tgt_in.shape[1]]
        causal = torch.nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1]).double()
        h = self.transformer(
            s,
            t,
            tgt_mask=causal,
            src_key_padding_mask=src == pad,
            memory_key_padding_mask=src == pad,
            tgt_is_causal=True,
        )
        return self.generator_head(h)


def _batch(rng, n=3, s=6, t=5, v=11):
    src = rng.integers(3, v, size=(n, s))
    src[0, -2:] = 0  # padding
    tgt = rng.integers(3, v, size=(n, t))
    tgt[:, 0] = 1
    return src, tgt


def test_model_matches_torch_outputs_loss_and_gradients():
    rng = np.random.default_rng(0)
    ours = Seq2SeqTransformer(11, 13, **KW, dropout=0.0).double()
    ref = TorchSeq2Seq(11, 13, **KW).double()
    state = {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    ref.load_state_dict(state)
    src, tgt = _batch(rng, v=11)
    tgt[1, -1] = 0  # padded target position is ignored by the loss
    logits = ours(src, tgt[:, :-1])
    logits_r = ref(torch.from_numpy(src), torch.from_numpy(tgt[:, :-1]))
    np.testing.assert_allclose(logits.numpy(), logits_r.detach().numpy(), rtol=1e-9, atol=1e-10)
    loss = ours.loss(src, tgt)
    loss_r = torch.nn.functional.cross_entropy(
        logits_r.reshape(-1, 13), torch.from_numpy(tgt[:, 1:].reshape(-1)), ignore_index=0
    )
    np.testing.assert_allclose(loss.item(), loss_r.item(), rtol=1e-10)
    loss.backward()
    loss_r.backward()
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(
            p.grad.numpy(), ref_params[name].grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name
        )


def test_causal_and_padding_invariances():
    rng = np.random.default_rng(1)
    model = Seq2SeqTransformer(11, 11, **KW, dropout=0.0).double().eval()
    src, tgt = _batch(rng)
    base = model(src, tgt).numpy()
    changed = tgt.copy()
    changed[:, 3:] = rng.integers(3, 11, size=(3, 2))
    out = model(src, changed).numpy()
    np.testing.assert_allclose(out[:, :3], base[:, :3], rtol=1e-12)  # the future is hidden
    assert not np.allclose(out[:, 3:], base[:, 3:])
    padded = np.concatenate([src, np.zeros((3, 4), dtype=np.int64)], axis=1)
    np.testing.assert_allclose(model(padded, tgt).numpy(), base, rtol=1e-10, atol=1e-12)


def test_batched_greedy_equals_decoding_module_and_beam_width_one():
    manual_seed(3)
    model = Seq2SeqTransformer(11, 11, **KW, dropout=0.0).double()
    src, _ = _batch(np.random.default_rng(2), n=4)
    greedy = model.translate(src, max_len=7)
    for b in range(4):
        assert greedy[b] == model.greedy_reference(src[b : b + 1], max_len=7)
    beam1 = model.translate(src, method="beam", beam_width=1, max_len=7)
    assert beam1 == greedy


def test_save_and_load_round_trip(tmp_path):
    model = Seq2SeqTransformer(11, 12, **KW)
    nn.save(model, tmp_path / "m", model.config)
    loaded = nn.load(tmp_path / "m")
    src, tgt = _batch(np.random.default_rng(4))
    model.eval(), loaded.eval()
    np.testing.assert_array_equal(model(src, tgt).numpy(), loaded(src, tgt).numpy())


def test_model_bad_inputs():
    model = Seq2SeqTransformer(11, 12, **KW)
    with pytest.raises(ValueError, match="src: token ids must be in"):
        model(np.array([[3, 40]]), np.array([[1, 3]]))
    with pytest.raises(ValueError, match="tgt: expected integer token ids"):
        model(np.array([[3, 4]]), np.array([[1.0, 3.0]]))
    with pytest.raises(ValueError, match="method"):
        model.translate(np.array([[3, 4]]), method="sample")
    with pytest.raises(ValueError, match="eos_id"):
        Seq2SeqTransformer(11, 5, eos_id=9)
    with pytest.raises(ValueError, match="same number of rows"):
        train_seq2seq(model, np.zeros((3, 2), dtype=np.int64), np.zeros((2, 2), dtype=np.int64))


@pytest.mark.slow
def test_real_task_reversal_reaches_high_exact_match():
    """Real task: reverse digit strings of length 3-8 (2000 training pairs); greedy and beam
    decoding of 200 unseen sources reach >= 95% exact match."""
    train = make_seq2seq_task("reverse", 2000, 3, 8, random_state=0)
    test = make_seq2seq_task("reverse", 200, 3, 8, random_state=1)
    manual_seed(0)
    model = Seq2SeqTransformer(
        len(train.src_vocab),
        len(train.tgt_vocab),
        d_model=64,
        nhead=4,
        num_encoder_layers=2,
        num_decoder_layers=2,
        dim_feedforward=128,
        dropout=0.0,
        generator=np.random.default_rng(0),
    )
    losses = train_seq2seq(
        model,
        train.src,
        train.tgt,
        epochs=8,
        batch_size=64,
        lr=3e-3,
        warmup_steps=50,
        progress=False,
    )
    assert losses[-1] < 0.1 * losses[0]
    vocab = test.tgt_vocab
    greedy = model.translate(test.src)
    exact = np.mean([vocab.decode(p) == t for p, t in zip(greedy, test.targets, strict=True)])
    assert exact >= 0.95, exact
    beam = model.translate(test.src[:40], method="beam", beam_width=3)
    exact_beam = np.mean(
        [vocab.decode(p) == t for p, t in zip(beam, test.targets[:40], strict=True)]
    )
    assert exact_beam >= 0.95, exact_beam
