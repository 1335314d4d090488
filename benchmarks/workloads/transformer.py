"""Attention and Transformer layers against PyTorch: MultiheadAttention forward + backward,
a TransformerEncoderLayer training step, RMSNorm forward + backward, and one training step of
the encoder-decoder Seq2SeqTransformer (same sizes, same weights, float32, one thread)."""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _torch():
    import torch

    return torch


def _state(module):
    torch = _torch()
    return {k: torch.from_numpy(np.array(v.numpy())) for k, v in module.state_dict().items()}


@workload(
    "mha_self_attention_fwd_bwd", reference="torch", group="transformers", unit="tokens",
    target=1.5,
)  # fmt: skip
def mha_fwd_bwd(quick):
    """Self-attention d=256, 8 heads, batch 16 x 128 tokens, forward + backward."""
    torch = _torch()
    from glassml.autograd import Tensor
    from glassml.nn.attention import MultiheadAttention

    b, t, d = (2, 16, 32) if quick else (16, 128, 256)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((b, t, d)).astype(np.float32)
    g = rng.standard_normal((b, t, d)).astype(np.float32)
    ours_m = MultiheadAttention(d, 8, batch_first=True)
    ref_m = torch.nn.MultiheadAttention(d, 8, batch_first=True)
    ref_m.load_state_dict(_state(ours_m))
    xr, gr = torch.from_numpy(x).requires_grad_(), torch.from_numpy(g)

    def ours():
        xt = Tensor(x, requires_grad=True)
        out, _ = ours_m(xt, xt, xt, need_weights=False, is_causal=True)
        out.backward(Tensor(g))

    def ref():
        out, _ = ref_m(xr, xr, xr, need_weights=False,
                       attn_mask=torch.nn.Transformer.generate_square_subsequent_mask(t),
                       is_causal=True)  # fmt: skip
        out.backward(gr)

    return Case(ours=ours, ref=ref, items=b * t)


@workload(
    "transformer_encoder_layer_step", reference="torch", group="transformers", unit="tokens",
    target=1.5,
)  # fmt: skip
def encoder_layer_step(quick):
    """Two post-norm encoder layers d=128, 4 heads, ff 512, batch 16 x 128: fwd, bwd, Adam."""
    torch = _torch()
    from glassml.autograd import Tensor
    from glassml.nn.transformer import TransformerEncoder, TransformerEncoderLayer
    from glassml.optim import Adam

    b, t, d, ff = (2, 16, 32, 64) if quick else (16, 128, 128, 512)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((b, t, d)).astype(np.float32)
    kw = dict(dim_feedforward=ff, dropout=0.0, batch_first=True)
    ours_m = TransformerEncoder(TransformerEncoderLayer(d, 4, **kw), 2)
    ref_m = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(d, 4, **kw), 2, enable_nested_tensor=False
    )
    ref_m.load_state_dict(_state(ours_m))
    opt, opt_r = Adam(ours_m.parameters(), 1e-4), torch.optim.Adam(ref_m.parameters(), 1e-4)
    xr = torch.from_numpy(x)

    def ours():
        opt.zero_grad()
        (ours_m(Tensor(x)) ** 2).mean().backward()
        opt.step()

    def ref():
        opt_r.zero_grad()
        (ref_m(xr) ** 2).mean().backward()
        opt_r.step()

    return Case(ours=ours, ref=ref, items=b * t)


@workload("rmsnorm_fwd_bwd", reference="torch", group="transformers", unit="rows", target=1.5)
def rmsnorm_fwd_bwd(quick):
    """RMSNorm over 576 features (SmolLM2's width), 4096 rows, forward + backward."""
    torch = _torch()
    from glassml.autograd import Tensor
    from glassml.nn.rmsnorm import RMSNorm

    rows, d = (256, 64) if quick else (4096, 576)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, d)).astype(np.float32)
    g = rng.standard_normal((rows, d)).astype(np.float32)
    ours_m, ref_m = RMSNorm(d, eps=1e-5), torch.nn.RMSNorm(d, eps=1e-5)
    xr, gr = torch.from_numpy(x).requires_grad_(), torch.from_numpy(g)

    def ours():
        ours_m(Tensor(x, requires_grad=True)).backward(Tensor(g))

    def ref():
        ref_m(xr).backward(gr)

    return Case(ours=ours, ref=ref, items=rows)


@workload(
    "seq2seq_transformer_train_step", reference="torch", group="transformers", unit="pairs",
    target=2.0,
)  # fmt: skip
def seq2seq_step(quick):
    """Encoder-decoder (d=128, 4 heads, 2+2 layers, ff 256), batch 64, source/target 12 tokens:
    forward, loss, backward, Adam — against the same model written with torch.nn."""
    torch = _torch()
    from glassml.models.transformer import Seq2SeqTransformer
    from glassml.nn.positional import sinusoidal_table
    from glassml.optim import Adam

    b, t, d = (4, 6, 32) if quick else (64, 12, 128)
    vocab = 20
    rng = np.random.default_rng(0)
    src = rng.integers(3, vocab, size=(b, t))
    tgt = rng.integers(3, vocab, size=(b, t + 1))
    tgt[:, 0] = 1
    ours_m = Seq2SeqTransformer(vocab, vocab, d_model=d, nhead=4, dim_feedforward=2 * d,
                                dropout=0.0)  # fmt: skip
    opt = Adam(ours_m.parameters(), 1e-4)

    class Ref(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.src_embed = torch.nn.Embedding(vocab, d)
            self.tgt_embed = torch.nn.Embedding(vocab, d)
            self.transformer = torch.nn.Transformer(d, 4, 2, 2, 2 * d, 0.0, batch_first=True)
            self.generator_head = torch.nn.Linear(d, vocab)
            self.pe = torch.from_numpy(sinusoidal_table(64, d).astype(np.float32))

        def forward(self, s, ti):
            scale = d**0.5
            mask = torch.nn.Transformer.generate_square_subsequent_mask(ti.shape[1])
            h = self.transformer(
                self.src_embed(s) * scale + self.pe[: s.shape[1]],
                self.tgt_embed(ti) * scale + self.pe[: ti.shape[1]],
                tgt_mask=mask, src_key_padding_mask=s == 0, memory_key_padding_mask=s == 0,
                tgt_is_causal=True,
            )  # fmt: skip
            return self.generator_head(h)

    ref_m = Ref()
    ref_m.load_state_dict(_state(ours_m))
    opt_r = torch.optim.Adam(ref_m.parameters(), 1e-4)
    s_r, t_r = torch.from_numpy(src), torch.from_numpy(tgt)

    def ours():
        opt.zero_grad()
        ours_m.loss(src, tgt).backward()
        opt.step()

    def ref():
        opt_r.zero_grad()
        logits = ref_m(s_r, t_r[:, :-1])
        torch.nn.functional.cross_entropy(
            logits.reshape(-1, vocab), t_r[:, 1:].reshape(-1), ignore_index=0
        ).backward()
        opt_r.step()

    return Case(ours=ours, ref=ref, items=b)
