"""W3: GPT training throughput (tokens/s) against the same model written in torch.

vocab 65, context 128 (32 when quick), 4 layers, d 128, 4 heads, batch 16, AdamW; one training
step (forward, backward, clip, AdamW) per call on the same batch. The torch side is nanoGPT's
model (F.scaled_dot_product_attention with is_causal) with identical weights.
"""

from __future__ import annotations

import math

import numpy as np

from glassml.bench import Case, workload


def _torch_gpt(cfg):
    import torch
    from torch import nn
    from torch.nn import functional as F

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
            self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)

        def forward(self, x):
            B, T, C = x.size()
            H = cfg.n_head
            q, k, v = self.c_attn(x).split(C, dim=2)
            q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.ln_2 = nn.LayerNorm(cfg.n_embd), nn.LayerNorm(cfg.n_embd)
            self.attn = Attention()
            self.mlp = nn.Sequential()
            self.mlp.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
            self.mlp.gelu = nn.GELU()
            self.mlp.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd)

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(
                dict(
                    wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
                    wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
                    h=nn.ModuleList([Block() for _ in range(cfg.n_layer)]),
                    ln_f=nn.LayerNorm(cfg.n_embd),
                )
            )
            self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight

        def forward(self, idx, targets):
            T = idx.size(1)
            x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))
            for block in self.transformer.h:
                x = block(x)
            logits = self.lm_head(self.transformer.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    return GPT()


@workload("W3_gpt_train_tokens", reference="torch", group="deep learning", unit="tokens",
          target=2.0)  # fmt: skip
def gpt_train_step(quick):
    import torch

    from glassml.models.gpt import GPT, GPTConfig
    from glassml.nn.utils import clip_grad_norm_

    T = 32 if quick else 128
    B = 16
    cfg = GPTConfig(vocab_size=65, block_size=T, n_layer=4, n_head=4, n_embd=128)
    model = GPT(cfg, generator=np.random.default_rng(0))
    ref = _torch_gpt(cfg)
    ref.load_state_dict({k: torch.from_numpy(v.data.copy()) for k, v in model.state_dict().items()})
    rng = np.random.default_rng(1)
    data = rng.integers(0, 65, 10_000)
    offsets = rng.integers(0, len(data) - T - 1, B)
    window = data[offsets[:, None] + np.arange(T + 1)]
    x, y = np.ascontiguousarray(window[:, :-1]), np.ascontiguousarray(window[:, 1:])
    opt = model.configure_optimizers(weight_decay=0.1, lr=1e-3, betas=(0.9, 0.95))
    params = list(model.parameters())
    t_opt = torch.optim.AdamW(ref.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def ours():
        opt.zero_grad()
        _, loss = model(x, y)
        loss.backward()
        clip_grad_norm_(params, 1.0)
        opt.step()

    def theirs():
        t_opt.zero_grad()
        loss = ref(xt, yt)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(ref.parameters(), 1.0)
        t_opt.step()

    return Case(ours=ours, ref=theirs, items=B * T,
                note=f"{B}x{T} tokens, 4 layers, d 128, ~{math.ceil(model.num_parameters() / 1e3)}k params")  # fmt: skip
