"""Character-level LSTM language model (RN-11): forward/gradients against torch, one Adam step,
save/load, sampling, and the real task: on Shakespeare the identical torch model (same initial
weights, same batches, same optimizer and clipping, dropout 0) reaches a validation loss within
2% of ours, and ours beats the unigram baseline clearly."""

import numpy as np
import pytest
import torch

from glassml.autograd import tensor
from glassml.datasets import load_shakespeare
from glassml.models.char_lm import (
    CharLSTM,
    evaluate_loss,
    random_windows,
    train_char_lm,
    unigram_loss,
)
from glassml.nn.utils import clip_grad_norm_
from glassml.optim import Adam


class TorchCharLSTM(torch.nn.Module):
    """The same architecture in torch (attribute names = glassml's state_dict keys)."""

    def __init__(self, vocab_size, embedding_dim, hidden_size, num_layers):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, embedding_dim)
        self.lstm = torch.nn.LSTM(embedding_dim, hidden_size, num_layers, batch_first=True)
        self.head = torch.nn.Linear(hidden_size, vocab_size)

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x))
        return self.head(out)


def _twin(model, dtype=torch.float32):
    ref = TorchCharLSTM(model.vocab_size, model.embedding_dim, model.hidden_size, model.num_layers)
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()}
    )
    return ref.to(dtype)


def test_forward_backward_and_adam_step_match_torch():
    rng = np.random.default_rng(0)
    lm = CharLSTM("abcdefghij", embedding_dim=6, hidden_size=8, num_layers=2).double()
    ref = _twin(lm, torch.float64)
    x, y = random_windows(rng.integers(0, 10, 200), 3, 7, rng)
    logits, _ = lm(tensor(x))
    loss = lm.loss(logits, y)
    logits_r = ref(torch.from_numpy(x))
    loss_r = torch.nn.functional.cross_entropy(
        logits_r.reshape(-1, 10), torch.from_numpy(y).reshape(-1)
    )
    np.testing.assert_allclose(logits.numpy(), logits_r.detach().numpy(), rtol=1e-9, atol=1e-10)
    opt, opt_r = Adam(lm.parameters(), lr=0.01), torch.optim.Adam(ref.parameters(), lr=0.01)
    loss.backward()
    loss_r.backward()
    clip_grad_norm_(list(lm.parameters()), 0.5)
    torch.nn.utils.clip_grad_norm_(ref.parameters(), 0.5)
    opt.step()
    opt_r.step()
    ref_params = dict(ref.named_parameters())
    for name, p in lm.named_parameters():
        np.testing.assert_allclose(p.numpy(), ref_params[name].detach().numpy(), rtol=1e-9,
                                   atol=1e-10, err_msg=name)  # fmt: skip


def test_save_load_and_sampling(tmp_path):
    lm = CharLSTM.from_text("hello world, hello there", embedding_dim=4, hidden_size=8)
    lm.save(tmp_path / "lm")
    back = CharLSTM.load(tmp_path / "lm")
    assert isinstance(back, CharLSTM) and back.vocab == lm.vocab
    for (k, a), (_, b) in zip(lm.state_dict().items(), back.state_dict().items(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)
    s1 = lm.sample("hel", 30, temperature=0.8, top_k=3, generator=np.random.default_rng(1))
    s2 = back.sample("hel", 30, temperature=0.8, top_k=3, generator=np.random.default_rng(1))
    assert s1 == s2 and s1.startswith("hel") and len(s1) == 33
    assert set(s1) <= set(lm.vocab)
    # top_k=1 is greedy: the argmax of the model's own next-character distribution
    greedy = lm.sample("hel", 1, top_k=1)
    logits, _ = lm(lm.encode("hel")[None])
    assert greedy[-1] == lm.vocab[int(np.argmax(logits.numpy()[0, -1]))]


def test_bad_arguments():
    lm = CharLSTM("ab", embedding_dim=2, hidden_size=2, num_layers=1)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.encode("abc")
    with pytest.raises(ValueError, match="temperature"):
        lm.sample("a", 3, temperature=0)
    with pytest.raises(ValueError, match="top_k"):
        lm.sample("a", 3, top_k=5)
    with pytest.raises(ValueError, match="vocab"):
        CharLSTM("aa")
    with pytest.raises(ValueError, match="integer ids"):
        lm(tensor(np.zeros((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="optimizer"):
        train_char_lm(lm, lm.encode("abab" * 20), steps=1, optimizer="sgd")


@pytest.mark.slow
def test_real_task_shakespeare_matches_torch_and_beats_unigram():
    """Real task (issue 9): hidden 128, 2 layers, seq 64, batch 32, 250 Adam steps (lr 3e-3,
    clip 1.0) on Hamlet; validation on the last 10% of the text."""
    text = load_shakespeare(["hamlet"])
    lm = CharLSTM.from_text(text, embedding_dim=32, hidden_size=128, num_layers=2,
                            generator=np.random.default_rng(0))  # fmt: skip
    ids = lm.encode(text)
    split = int(0.9 * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    ref = _twin(lm)
    steps, batch, seq_len, lr = 250, 32, 64, 3e-3
    hist = train_char_lm(lm, train_ids, steps=steps, batch_size=batch, seq_len=seq_len, lr=lr,
                         clip_grad_norm=1.0, seed=1, progress=False)  # fmt: skip
    val = evaluate_loss(lm, val_ids, seq_len=seq_len)

    opt = torch.optim.Adam(ref.parameters(), lr=lr)
    rng = np.random.default_rng(1)  # the same window sampler -> the same batches
    for _ in range(steps):
        x, y = random_windows(train_ids, batch, seq_len, rng)
        logits = ref(torch.from_numpy(x))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, lm.vocab_size),
                                                 torch.from_numpy(y).reshape(-1))  # fmt: skip
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), 1.0)
        opt.step()
    n = (len(val_ids) - 1) // seq_len
    xv = torch.from_numpy(val_ids[: n * seq_len].reshape(n, seq_len))
    yv = torch.from_numpy(val_ids[1 : n * seq_len + 1].reshape(n, seq_len))
    with torch.no_grad():
        val_ref = torch.nn.functional.cross_entropy(ref(xv).reshape(-1, lm.vocab_size),
                                                    yv.reshape(-1)).item()  # fmt: skip
    baseline = unigram_loss(train_ids, val_ids, lm.vocab_size)
    print(f"val loss ours {val:.4f} torch {val_ref:.4f} unigram {baseline:.4f} "
          f"train loss first {hist['train_loss'][0]:.3f} last {hist['train_loss'][-1]:.3f}")  # fmt: skip
    assert abs(val - val_ref) / val_ref < 0.02
    assert val < baseline - 0.5
