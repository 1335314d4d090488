"""SmolLM2-135M-Instruct greedy generation with a KV cache: glassml's NumPy decoder against
Hugging Face transformers (the same GGUF weights, dequantised to float32 on both sides).

Full: an 18-token prompt, 32 new tokens (models loaded outside the timed part). Quick: loading
transformers' GGUF takes ~30 s and importing transformers alone more than the quick budget, so
the quick mode compares a tiny random-config Llama generating 8 tokens with the same weights in a
plain-torch decoder (same tokens asserted).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload

PROMPT = "Write a short poem about the sea, the wind and the stars above the quiet harbour."


TINY = dict(
    vocab_size=512,
    hidden_size=64,
    intermediate_size=128,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    rope_theta=10000.0,
    rope_interleaved=False,
)


def _torch_llama_generate(model, ids, n_new):
    """Greedy decoding with a KV cache in plain torch (rotate_half RoPE, GQA, SwiGLU), reading
    the weights of our Llama: the quick-mode reference (importing transformers alone takes
    longer than the quick budget)."""
    import torch

    c = model.config
    w = {k: torch.from_numpy(v.data) for k, v in model.state_dict().items()}
    H, Hkv, dh = c.num_attention_heads, c.num_key_value_heads, c.head_dim
    inv = 1.0 / c.rope_theta ** (torch.arange(0, dh, 2, dtype=torch.float64) / dh)
    ang = torch.arange(len(ids) + n_new, dtype=torch.float64)[:, None] * inv
    cos = torch.cat([ang.cos(), ang.cos()], -1).float()
    sin = torch.cat([ang.sin(), ang.sin()], -1).float()

    def rms(x, weight):
        return weight * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + c.rms_norm_eps)

    def rope(x, p0):  # x (heads, T, dh)
        t = x.shape[1]
        rot = torch.cat([-x[..., dh // 2 :], x[..., : dh // 2]], -1)
        return x * cos[p0 : p0 + t] + rot * sin[p0 : p0 + t]

    cache = [[None, None] for _ in range(c.num_hidden_layers)]
    out, tokens, p0 = [], torch.tensor(ids), 0
    with torch.no_grad():
        for _ in range(n_new):
            x = w["model.embed_tokens.weight"][tokens]  # (T, d)
            t = x.shape[0]
            for i in range(c.num_hidden_layers):
                pre = f"model.layers.{i}."
                a = rms(x, w[pre + "input_layernorm.weight"])
                q = (a @ w[pre + "self_attn.q_proj.weight"].T).view(t, H, dh).transpose(0, 1)
                k = (a @ w[pre + "self_attn.k_proj.weight"].T).view(t, Hkv, dh).transpose(0, 1)
                v = (a @ w[pre + "self_attn.v_proj.weight"].T).view(t, Hkv, dh).transpose(0, 1)
                q, k = rope(q, p0), rope(k, p0)
                if cache[i][0] is not None:
                    k, v = torch.cat([cache[i][0], k], 1), torch.cat([cache[i][1], v], 1)
                cache[i] = [k, v]
                o = torch.nn.functional.scaled_dot_product_attention(
                    q[None], k[None], v[None], is_causal=t > 1, enable_gqa=True
                )[0]
                x = x + o.transpose(0, 1).reshape(t, H * dh) @ w[pre + "self_attn.o_proj.weight"].T
                a = rms(x, w[pre + "post_attention_layernorm.weight"])
                g = torch.nn.functional.silu(a @ w[pre + "mlp.gate_proj.weight"].T)
                x = (
                    x
                    + (g * (a @ w[pre + "mlp.up_proj.weight"].T))
                    @ w[pre + "mlp.down_proj.weight"].T
                )
            h = rms(x[-1:], w["model.norm.weight"])
            token = int((h @ w["lm_head.weight"].T).argmax())
            out.append(token)
            p0 += t
            tokens = torch.tensor([token])
    return out


def _smollm2_pair():
    import torch
    import transformers
    import transformers.modeling_utils as modeling_utils

    from glassml.datasets import smollm2_file
    from glassml.models.llama import Llama

    ours = Llama.from_smollm2()
    path = smollm2_file(verify=False)
    modeling_utils.is_accelerate_available = lambda: True  # asked for, unused on CPU
    hf = transformers.AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    ).eval()
    ids = ours.tokenizer.encode(PROMPT)
    return ours, hf, ids


@workload(
    "smollm2_generate_tokens",
    reference="transformers",
    group="transformers",
    unit="tokens",
    target=2.0,
)
def smollm2_generate(quick):
    import torch

    if quick:
        from glassml.models.llama import Llama

        ours = Llama(**TINY, generator=np.random.default_rng(0))
        ids = [int(i) for i in np.random.default_rng(1).integers(3, 512, 20)]
        n_new = 8
        expected = ours.generate(ids, n_new, eos_token_id=None)
        assert _torch_llama_generate(ours, ids, n_new) == expected  # same model both sides

        def ref_fn():
            _torch_llama_generate(ours, ids, n_new)

    else:
        ours, hf, ids = _smollm2_pair()
        n_new = 32
        prompt = torch.tensor([ids])

        def ref_fn():
            with torch.no_grad():
                out = hf.generate(
                    prompt,
                    max_new_tokens=n_new,
                    min_new_tokens=n_new,
                    do_sample=False,
                    pad_token_id=0,
                )
            assert out.shape[1] == len(ids) + n_new

    def ours_fn():
        out = ours.generate(ids, n_new, eos_token_id=None)
        assert len(out) == n_new

    note = (
        "quick: tiny random Llama vs the same in plain torch"
        if quick
        else f"{len(ids)}-token prompt, greedy, KV cache"
    )
    return Case(ours=ours_fn, ref=ref_fn, items=n_new, note=note)
