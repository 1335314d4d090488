"""GPT training (TR-12, OP-11/15/19/21) on Shakespeare against torch with the same weights and
batches; BPE tokenisation; checkpoints with their tokenizer; generate_text (the CLI entry)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from glassml.models.gpt import GPT, GPTConfig
from glassml.models.gpt_train import (
    CharTokenizer,
    generate_text,
    get_batch,
    load_tokenizer,
    prepare_shakespeare,
    train_gpt,
)

from .test_gpt import torch_copy_of


def _torch_train(ref, data, *, batch_size, block_size, max_steps, lr, warmup_steps, min_lr,
                 weight_decay, grad_clip, generator):  # fmt: skip
    """nanoGPT's loop in torch: AdamW (decay on >= 2-D weights), warmup + cosine, clipping."""
    decay = [p for p in ref.parameters() if p.dim() >= 2]
    no_decay = [p for p in ref.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr, betas=(0.9, 0.95),
    )  # fmt: skip
    r = min_lr / lr

    def factor(t):  # torch-side warmup + cosine, written out independently
        if t < warmup_steps:
            return (t + 1) / warmup_steps
        progress = min(1.0, (t - warmup_steps) / (max_steps - warmup_steps))
        return r + 0.5 * (1 - r) * (1 + math.cos(math.pi * progress))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    losses = []
    for _ in range(max_steps):
        x, y = get_batch(data, batch_size, block_size, generator)  # the same batches
        opt.zero_grad()
        _, loss = ref(torch.from_numpy(x), torch.from_numpy(y))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), grad_clip)
        opt.step()
        sched.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.slow
def test_real_task_shakespeare_char_loss_curve_matches_torch_and_beats_unigram():
    """Real task: char-level Shakespeare, 150 steps, same initial weights and batches."""
    torch.set_num_threads(1)
    data = prepare_shakespeare("char", max_chars=300_000)
    cfg = GPTConfig(vocab_size=data.vocab_size, block_size=64, n_layer=2, n_head=4, n_embd=64)
    model = GPT(cfg, generator=np.random.default_rng(0))
    ref = torch_copy_of(model, np.float32)
    kw = dict(batch_size=16, block_size=64, max_steps=150, lr=3e-3, warmup_steps=15, min_lr=3e-4,
              weight_decay=0.1, grad_clip=1.0)  # fmt: skip
    hist = train_gpt(model, data.train, **kw, generator=np.random.default_rng(1), progress=False)
    theirs = _torch_train(ref, data.train, **kw, generator=np.random.default_rng(1))
    ours = np.array(hist["train_loss"])
    # identical start, and the curves stay within 2% of each other step by step
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    np.testing.assert_allclose(ours, theirs, rtol=0.02)
    final_ours, final_theirs = ours[-10:].mean(), theirs[-10:].mean()
    assert abs(final_ours - final_theirs) / final_theirs < 0.02
    # the model learned more than character frequencies: unigram entropy is the floor of a
    # context-free model
    freq = np.bincount(data.train, minlength=data.vocab_size) / len(data.train)
    unigram = -(freq[freq > 0] * np.log(freq[freq > 0])).sum()
    assert final_ours < unigram - 0.5, (final_ours, unigram)
    worst = np.max(np.abs(ours - theirs) / theirs)
    print(f"loss {ours[0]:.3f} -> {final_ours:.3f} (torch {final_theirs:.3f}), unigram "
          f"{unigram:.3f}, largest per-step relative gap {worst:.2e}")  # fmt: skip


def test_bpe_tokenised_run_decreases_the_loss():
    data = prepare_shakespeare("bpe", vocab_size=320, max_chars=30_000, bpe_fit_chars=30_000)
    assert data.vocab_size <= 320 and data.train.dtype == np.int64
    assert data.tokenizer.decode(data.train[:50].tolist()).split()[:3] == ["ALL'S", "WELL", "THAT"]
    model = GPT(vocab_size=data.vocab_size, block_size=16, n_layer=1, n_head=2, n_embd=32,
                generator=np.random.default_rng(0))  # fmt: skip
    hist = train_gpt(model, data.train, batch_size=16, max_steps=30, lr=1e-2, warmup_steps=3,
                     eval_interval=15, eval_iters=2, val_data=data.val,
                     generator=np.random.default_rng(0), progress=False)  # fmt: skip
    losses = hist["train_loss"]
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.5
    assert hist["eval_step"] == [15, 30] and len(hist["val_loss"]) == 2
    assert hist["lr"][0] == pytest.approx(1e-2 / 3) and hist["lr"][3] == pytest.approx(1e-2)
    assert all(g > 0 for g in hist["grad_norm"])


def test_checkpoint_with_tokenizer_round_trips_and_generate_text(tmp_path):
    tok = CharTokenizer().fit("abcdefgh \n")
    model = GPT(vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=8,
                generator=np.random.default_rng(0))  # fmt: skip
    model.save(tmp_path, tok)
    loaded = GPT.load(tmp_path)
    assert loaded.config == model.config
    assert loaded.lm_head.weight is loaded.transformer.wte.weight
    idx = np.array([[1, 2, 3]])
    np.testing.assert_array_equal(loaded(idx)[0].data, model(idx)[0].data)
    assert load_tokenizer(tmp_path).encode("fade") == tok.encode("fade")
    expected = tok.decode(model.generate(np.array([tok.encode("abc")]), 12, greedy=True)[0])
    pieces = []
    text = generate_text(tmp_path, "abc", 12, greedy=True, stream=pieces.append)
    assert text == expected and text.startswith("abc") and len(text) == 15
    assert "abc" + "".join(pieces) == text


def test_bpe_tokenizer_is_saved_and_restored(tmp_path):
    data = prepare_shakespeare("bpe", vocab_size=300, max_chars=8_000, bpe_fit_chars=8_000)
    model = GPT(vocab_size=data.vocab_size, block_size=8, n_layer=1, n_head=1, n_embd=8)
    model.save(tmp_path, data.tokenizer)
    tok = load_tokenizer(tmp_path)
    sample = "KING OF FRANCE. Widow of Florence"
    assert tok.encode(sample) == data.tokenizer.encode(sample)
    text = generate_text(tmp_path, "KING", 5, top_k=5, seed=1)
    assert text.startswith("KING")


def test_training_in_float64_follows_torch_closely():
    tok = CharTokenizer().fit("the quick brown fox jumps over the lazy dog\n")
    data = np.array(tok.encode("the quick brown fox jumps over the lazy dog\n" * 30))
    model = GPT(vocab_size=tok.vocab_size, block_size=12, n_layer=1, n_head=2, n_embd=16,
                generator=np.random.default_rng(0), dtype=np.float64)  # fmt: skip
    ref = torch_copy_of(model, np.float64)
    kw = dict(batch_size=4, block_size=12, max_steps=12, lr=1e-2, warmup_steps=3, min_lr=1e-3,
              weight_decay=0.1, grad_clip=0.5)  # fmt: skip
    ours = train_gpt(model, data, **kw, generator=np.random.default_rng(1), progress=False)
    theirs = _torch_train(ref, data, **kw, generator=np.random.default_rng(1))
    np.testing.assert_allclose(ours["train_loss"], theirs, rtol=1e-9)
    ref_params = dict(ref.named_parameters())
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.data, ref_params[name].detach().numpy(), rtol=1e-7,
                                   atol=1e-10, err_msg=name)  # fmt: skip


def test_progress_bar_can_be_shown(capsys):
    tok = CharTokenizer().fit("abab")
    model = GPT(vocab_size=2, block_size=4, n_layer=1, n_head=1, n_embd=4)
    hist = train_gpt(model, np.array(tok.encode("abab" * 10)), batch_size=2, max_steps=3,
                     warmup_steps=1, progress=True)  # fmt: skip
    assert "train GPT" in capsys.readouterr().err and hist["tokens_per_second"] > 0


def test_bad_training_inputs_are_rejected():
    model = GPT(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4)
    good = np.arange(20) % 5
    with pytest.raises(TypeError, match="1-D integer array"):
        train_gpt(model, good.astype(float), max_steps=2, warmup_steps=0, progress=False)
    with pytest.raises(ValueError, match="vocab_size=5"):
        train_gpt(model, good + 1, max_steps=2, warmup_steps=0, progress=False)
    with pytest.raises(ValueError, match="block_size must be in"):
        train_gpt(model, good, block_size=5, max_steps=2, warmup_steps=0, progress=False)
    with pytest.raises(ValueError, match="warmup_steps"):
        train_gpt(model, good, max_steps=2, warmup_steps=2, progress=False)
    with pytest.raises(ValueError, match="block_size \\+ 1"):
        get_batch(np.arange(3), 2, 4, np.random.default_rng(0))
    with pytest.raises(ValueError, match="tokenizer must be"):
        prepare_shakespeare("word")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        CharTokenizer().fit("ab").encode("abc")
