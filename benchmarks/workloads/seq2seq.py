"""Seq2seq training steps against the same encoder-decoder written with torch.nn.

GRU encoder (bidirectional, bridged) + attention decoder, teacher forcing, masked token
cross-entropy, Adam. Two decoders: Luong "general" (the decoder RNN runs over the whole target
at once, attention is one batched product) and Bahdanau (additive; one step per target token,
since the attention context is an RNN input). Sizes: batch 64, source 20, target 21, vocab 32,
embedding 64, hidden 128 (tiny when quick).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _torch_model(torch, V, E, H, attention):
    nn = torch.nn

    class TorchSeq2Seq(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc_emb = nn.Embedding(V, E, padding_idx=0)
            self.enc = nn.GRU(E, H, batch_first=True, bidirectional=True)
            self.bridge = nn.Linear(2 * H, H)
            self.dec_emb = nn.Embedding(V, E, padding_idx=0)
            if attention == "bahdanau":
                self.dec = nn.GRU(E + 2 * H, H, batch_first=True)
                self.q = nn.Linear(H, H, bias=False)
                self.k = nn.Linear(2 * H, H)
                self.v = nn.Linear(H, 1, bias=False)
                self.out = nn.Linear(3 * H, V)
            else:
                self.dec = nn.GRU(E, H, batch_first=True)
                self.k = nn.Linear(2 * H, H, bias=False)
                self.combine = nn.Linear(3 * H, H, bias=False)
                self.out = nn.Linear(H, V)

        def forward(self, src, tgt):
            keys, h = self.enc(self.enc_emb(src))  # (B, S, 2H), (2, B, H)
            h = torch.tanh(self.bridge(torch.cat([h[0], h[1]], -1)))[None]  # (1, B, H)
            emb = self.dec_emb(tgt[:, :-1])
            if attention == "bahdanau":
                pk = self.k(keys)
                logits = []
                for t in range(emb.shape[1]):
                    e = self.v(torch.tanh(self.q(h[-1])[:, None] + pk)).squeeze(-1)
                    c = (torch.softmax(e, -1)[:, :, None] * keys).sum(1)  # (B, 2H)
                    o, h = self.dec(torch.cat([emb[:, t], c], -1)[:, None], h)
                    logits.append(self.out(torch.cat([o[:, 0], c], -1)))
                logits = torch.stack(logits, 1)
            else:
                o, _ = self.dec(emb, h)  # (B, T, H)
                a = torch.softmax(o @ self.k(keys).transpose(1, 2), -1)
                c = a @ keys
                logits = self.out(torch.tanh(self.combine(torch.cat([c, o], -1))))
            return torch.nn.functional.cross_entropy(
                logits.reshape(-1, V), tgt[:, 1:].reshape(-1), ignore_index=0
            )

    return TorchSeq2Seq()


def _case(quick, attention):
    import torch

    B, S, V, E, H = (8, 6, 12, 8, 16) if quick else (64, 20, 32, 64, 128)
    rng = np.random.default_rng(0)
    src = rng.integers(3, V, size=(B, S))
    tgt = np.concatenate([np.ones((B, 1), int), rng.integers(3, V, size=(B, S)), 2 * np.ones(
        (B, 1), int)], axis=1)  # fmt: skip
    lengths = np.full(B, S)

    from glassml.models.seq2seq import Seq2Seq
    from glassml.optim import Adam

    ours_model = Seq2Seq(V, V, embedding_dim=E, hidden_size=H, bidirectional=True,
                         attention=attention, generator=np.random.default_rng(0))  # fmt: skip
    ours_opt = Adam(ours_model.parameters(), lr=1e-3)

    def ours():
        loss = ours_model.loss(src, lengths, tgt)
        ours_opt.zero_grad()
        loss.backward()
        ours_opt.step()

    ref_model = _torch_model(torch, V, E, H, attention)
    ref_opt = torch.optim.Adam(ref_model.parameters(), lr=1e-3)
    src_t, tgt_t = torch.from_numpy(src), torch.from_numpy(tgt)

    def ref():
        loss = ref_model(src_t, tgt_t)
        ref_opt.zero_grad()
        loss.backward()
        ref_opt.step()

    return Case(ours=ours, ref=ref, items=B * (S + 1), note=f"B={B} S={S} H={H}")


@workload("seq2seq_luong_train_step", reference="torch", group="deep learning", unit="tokens",
          target=2.0)  # fmt: skip
def seq2seq_luong_step(quick):
    return _case(quick, "general")


@workload("seq2seq_bahdanau_train_step", reference="torch", group="deep learning",
          unit="tokens", target=2.0)  # fmt: skip
def seq2seq_bahdanau_step(quick):
    return _case(quick, "bahdanau")
