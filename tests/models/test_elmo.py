"""ELMo (TX-17, TX-18) against the same forward/backward LSTM LMs written with torch.nn:
layer outputs, LM loss and every gradient; the scalar mix; training; extraction; bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from glassml import nn
from glassml.autograd import Tensor, stack
from glassml.models.elmo import SPECIAL_TOKENS, ELMo, ScalarMix


class TorchELMo(torch.nn.Module):
    def __init__(self, V, H, L):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, H, padding_idx=0)
        self.forward_layers = torch.nn.ModuleList(
            [torch.nn.LSTM(H, H, batch_first=True) for _ in range(L)]
        )
        self.backward_layers = torch.nn.ModuleList(
            [torch.nn.LSTM(H, H, batch_first=True) for _ in range(L)]
        )
        self.softmax = torch.nn.Linear(H, V)
        self.mix = torch.nn.Module()
        self.mix.scalar_parameters = torch.nn.Parameter(torch.zeros(L + 1))
        self.mix.gamma = torch.nn.Parameter(torch.ones(1))

    def run(self, ids, lengths):
        """Layers [h_0..h_L] and the LM loss, reversing each sequence with flip on its span."""
        x = self.embedding(ids)
        B, T, _ = x.shape
        layers = [torch.cat([x, x], -1)]
        fwd = x
        bwd = torch.stack([torch.cat([x[b, :n].flip(0), x[b, n:]]) for b, n in enumerate(lengths)])
        for f, g in zip(self.forward_layers, self.backward_layers, strict=True):
            fwd, _ = f(fwd)
            bwd, _ = g(bwd)
            back = torch.stack(
                [torch.cat([bwd[b, :n].flip(0), bwd[b, n:]]) for b, n in enumerate(lengths)]
            )
            layers.append(torch.cat([fwd, back], -1))
        loss_f = loss_b = 0.0
        nll_f, nll_b, count = [], [], 0
        for b, n in enumerate(lengths):
            seq = ids[b, :n]
            nll_f.append(TF.cross_entropy(self.softmax(fwd[b, : n - 1]), seq[1:], reduction="sum"))
            nll_b.append(TF.cross_entropy(self.softmax(bwd[b, : n - 1]), seq.flip(0)[1:],
                                          reduction="sum"))  # fmt: skip
            count += n - 1
        loss_f = torch.stack(nll_f).sum() / count
        loss_b = torch.stack(nll_b).sum() / count
        return layers, (loss_f + loss_b) / 2


CORPUS = [s.split() for s in [
    "the cat sat on the mat", "a dog ran in the park", "the dog sat", "a cat ran on the mat",
    "the bird sang in the park", "a bird sat on the dog",
]]  # fmt: skip


def _pair(dtype=np.float64, L=2, H=5):
    ours = ELMo.from_corpus(CORPUS, embedding_dim=H, num_layers=L, dtype=dtype,
                            generator=np.random.default_rng(0))  # fmt: skip
    ref = TorchELMo(len(ours.vocab), H, L).to(
        torch.float64 if dtype == np.float64 else torch.float32
    )
    assert set(ref.state_dict()) == set(ours.state_dict())
    ref.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    return ours, ref


@pytest.mark.parametrize("dtype,rtol,atol", [(np.float64, 1e-9, 1e-10), (np.float32, 1e-4, 1e-5)])
def test_layers_and_lm_loss_match_torch(dtype, rtol, atol):
    ours, ref = _pair(dtype)
    ids, lengths = ours.encode(CORPUS[:4])
    layers = ours.layer_outputs(ids, lengths)
    t_layers, t_loss = ref.run(torch.from_numpy(ids), lengths.tolist())
    assert len(layers) == 3
    rng = np.random.default_rng(1)
    total, t_total = 0.0, 0.0
    for a, b in zip(layers, t_layers, strict=True):
        valid = np.arange(ids.shape[1])[None, :] < lengths[:, None]
        np.testing.assert_allclose(
            a.numpy()[valid], b.detach().numpy()[valid], rtol=rtol, atol=atol
        )
        g = rng.standard_normal(a.shape).astype(dtype) * valid[..., None]  # random upstream
        total = total + (a * Tensor(g)).sum()
        t_total = t_total + (b * torch.from_numpy(g)).sum()
    loss = ours.lm_loss(ids, lengths)
    np.testing.assert_allclose(float(loss.data), float(t_loss.detach()), rtol=rtol, atol=atol)
    (total + loss).backward()
    (t_total + t_loss).backward()
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        if name.startswith("mix."):
            continue
        np.testing.assert_allclose(p.grad.numpy(), ref_params[name].grad.numpy(), rtol=rtol,
                                   atol=atol, err_msg=name)  # fmt: skip


def test_scalar_mix_matches_torch_formula():
    rng = np.random.default_rng(2)
    mix = ScalarMix(3, dtype=np.float64)
    mix.scalar_parameters.data[:] = rng.standard_normal(3)
    mix.gamma.data[:] = 1.7
    h = rng.standard_normal((3, 2, 4, 5))
    hs = Tensor(h, requires_grad=True)
    out = mix(hs)
    w = torch.tensor(mix.scalar_parameters.numpy(), requires_grad=True)
    gamma = torch.tensor(mix.gamma.numpy(), requires_grad=True)
    th = torch.tensor(h, requires_grad=True)
    t_out = gamma * (torch.softmax(w, 0)[:, None, None, None] * th).sum(0)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-13)
    g = rng.standard_normal(out.shape)
    out.backward(Tensor(g))
    t_out.backward(torch.from_numpy(g))
    np.testing.assert_allclose(mix.scalar_parameters.grad.numpy(), w.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(mix.gamma.grad.numpy(), gamma.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(hs.grad.numpy(), th.grad.numpy(), rtol=1e-10, atol=1e-12)
    layers = [Tensor(h[j]) for j in range(3)]
    np.testing.assert_allclose(mix(layers).numpy(), mix(stack(layers)).numpy())
    np.testing.assert_allclose(mix.weights.sum(), 1.0)


def test_training_lowers_the_lm_loss_and_extraction_shapes():
    elmo = ELMo.from_corpus(CORPUS * 4, embedding_dim=16, generator=np.random.default_rng(3))
    losses = elmo.fit(CORPUS * 4, epochs=15, batch_size=8, lr=1e-2, progress=False)
    assert np.mean(losses[-3:]) < 0.6 * np.mean(losses[:3])
    reps = elmo.layer_representations([["the", "cat"], ["a", "zebra", "ran"]])
    assert [r.shape for r in reps] == [(3, 2, 32), (3, 3, 32)]
    # layer 0 is the context-free [x; x]: "the" has the same vector in every sentence
    first = elmo.embed([["the", "cat"], ["the", "dog", "ran"]], layer=0)
    np.testing.assert_allclose(first[0][0], first[1][0])
    upper = elmo.embed([["the", "cat"], ["the", "dog", "ran"]], layer=2)
    assert not np.allclose(upper[0][0], upper[1][0])  # the backward LM sees different contexts
    mixed = elmo.embed([["the", "cat"]])[0]
    np.testing.assert_allclose(mixed, reps[0].mean(0), rtol=1e-5, atol=1e-6)  # uniform mix
    assert elmo.encode([["zebra"]])[0].tolist() == [[2, 1, 3]]  # unknown word -> <unk>


def test_padding_does_not_change_a_sentence():
    elmo = ELMo.from_corpus(CORPUS, embedding_dim=6, dtype=np.float64,
                            generator=np.random.default_rng(4))  # fmt: skip
    alone = elmo.layer_representations([CORPUS[2]])[0]
    batched = elmo.layer_representations([CORPUS[2], CORPUS[0]])[0]
    np.testing.assert_allclose(alone, batched, rtol=1e-12, atol=1e-13)


def test_save_and_load_roundtrip(tmp_path):
    elmo = ELMo.from_corpus(CORPUS, embedding_dim=6, generator=np.random.default_rng(5))
    nn.save(elmo, tmp_path, elmo.config)
    loaded = nn.load(tmp_path)
    np.testing.assert_array_equal(elmo.embed(CORPUS[:2])[1], loaded.embed(CORPUS[:2])[1])
    assert loaded.vocab == elmo.vocab


def test_bad_inputs():
    with pytest.raises(ValueError, match="vocab"):
        ELMo(["a", "b"])
    with pytest.raises(ValueError, match="embedding_dim"):
        ELMo(list(SPECIAL_TOKENS), embedding_dim=0)
    with pytest.raises(ValueError, match="dropout"):
        ELMo(list(SPECIAL_TOKENS), dropout=1.0)
    elmo = ELMo.from_corpus(CORPUS, embedding_dim=4)
    with pytest.raises(ValueError, match="token lists"):
        elmo.embed(["the cat sat"])
    with pytest.raises(TypeError, match="sentences"):
        elmo.embed("the cat")
    with pytest.raises(ValueError, match="at least one token"):
        elmo.embed([[]])
    with pytest.raises(ValueError, match="layer"):
        elmo.embed(CORPUS[:1], layer=5)
    with pytest.raises(ValueError, match="num_layers"):
        ScalarMix(0)
    with pytest.raises(ValueError, match="ScalarMix"):
        ScalarMix(3)(Tensor(np.zeros((2, 4), np.float32)))
