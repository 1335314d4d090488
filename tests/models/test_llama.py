"""Llama decoder against Hugging Face transformers' LlamaForCausalLM (tiny random configs) and
against transformers' GGUF loader on the real SmolLM2-135M-Instruct (slow, real task)."""

import types

import numpy as np
import pytest
import torch
import transformers  # (test-only reference; installed by make test)
from transformers import LlamaForCausalLM  # (lazy module: import at collection)

from glassml.autograd import Tensor, no_grad
from glassml.autograd.fused import cross_entropy
from glassml.models.llama import (
    Llama,
    LlamaConfig,
    _KVDecoder,
    _sample,
    rotary_half_to_interleaved,
)

TINY = dict(
    vocab_size=61,
    hidden_size=32,
    intermediate_size=48,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    head_dim=8,
    rms_norm_eps=1e-5,
    rope_theta=500.0,
    max_position_embeddings=64,
)


def _rope64(self, x, position_ids):
    """HF's rotary embedding with float64 angles (HF computes them in float32)."""
    hd, theta = self.config.head_dim, self.config.rope_parameters["rope_theta"]
    inv = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    freqs = position_ids[..., None].double() * inv
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(x.dtype), emb.sin().to(x.dtype)


def _rms64(self, x):
    """HF's RMSNorm without its float32 upcast (which would round float64 inputs)."""
    variance = x.pow(2).mean(-1, keepdim=True)
    return self.weight * (x * torch.rsqrt(variance + self.variance_epsilon))


def make_pair(tie=True, interleaved=True, dtype=np.float64, seed=0):
    """A random HF LlamaForCausalLM and our Llama holding the same weights.

    In float64 HF's float32 shortcuts (RoPE angles, RMSNorm upcast) are replaced by float64 ones.
    """
    cfg = dict(TINY, tie_word_embeddings=tie)
    hf_cfg = transformers.LlamaConfig(
        **{k: v for k, v in cfg.items() if k != "rope_theta"},
        rope_parameters={"rope_theta": cfg["rope_theta"], "rope_type": "default"},
        attn_implementation="sdpa",  # eager attention takes its softmax in float32
    )
    torch.manual_seed(seed)
    hf = LlamaForCausalLM(hf_cfg)
    if dtype == np.float64:
        hf = hf.double()
        hf.model.rotary_emb.forward = types.MethodType(_rope64, hf.model.rotary_emb)
        for module in hf.modules():
            if type(module).__name__ == "LlamaRMSNorm":
                module.forward = types.MethodType(_rms64, module)
    ours = Llama(LlamaConfig(**cfg, rope_interleaved=interleaved), dtype=dtype)
    state = {k: v.detach().numpy().copy() for k, v in hf.state_dict().items()}
    state.setdefault("lm_head.weight", state["model.embed_tokens.weight"])
    if interleaved:  # GGUF layout: permute Q/K rows, as llama.cpp's converter does
        for k in state:
            if k.endswith("q_proj.weight"):
                state[k] = rotary_half_to_interleaved(state[k], TINY["num_attention_heads"])
            elif k.endswith("k_proj.weight"):
                state[k] = rotary_half_to_interleaved(state[k], TINY["num_key_value_heads"])
    ours.load_state_dict(state)
    return hf, ours


def _grad_as_hf(name, grad, interleaved):
    """Our gradient in HF's row order (undo the Q/K permutation)."""
    if not interleaved or not name.endswith(("q_proj.weight", "k_proj.weight")):
        return grad
    heads = TINY["num_attention_heads" if "q_proj" in name else "num_key_value_heads"]
    hd = TINY["head_dim"]
    return grad.reshape(heads, hd // 2, 2, -1).swapaxes(1, 2).reshape(grad.shape)


@pytest.mark.parametrize("tie", [True, False])
@pytest.mark.parametrize("interleaved", [True, False])
@pytest.mark.parametrize(
    "dtype,rtol,atol", [(np.float64, 1e-9, 1e-10), (np.float32, 1e-4, 2e-5)], ids=["f64", "f32"]
)
def test_logits_loss_and_gradients_match_transformers(tie, interleaved, dtype, rtol, atol):
    hf, ours = make_pair(tie, interleaved, dtype)
    rng = np.random.default_rng(1)
    ids = rng.integers(0, TINY["vocab_size"], (2, 7))
    targets = rng.integers(0, TINY["vocab_size"], (2, 7))
    upstream = rng.standard_normal((2, 7, TINY["vocab_size"])).astype(dtype)
    embeds = rng.standard_normal((2, 7, TINY["hidden_size"])).astype(dtype)

    # ids path: logits, loss, and gradients of every parameter
    logits = ours(ids)
    loss = cross_entropy(logits.reshape(14, -1), Tensor(targets.reshape(-1)))
    (loss + (logits * Tensor(upstream)).sum()).backward()
    t_logits = hf(torch.tensor(ids)).logits
    t_loss = torch.nn.functional.cross_entropy(
        t_logits.reshape(14, -1), torch.tensor(targets).reshape(-1)
    )
    (t_loss + (t_logits * torch.tensor(upstream)).sum()).backward()
    np.testing.assert_allclose(logits.data, t_logits.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=rtol, atol=atol)
    hf_params = dict(hf.named_parameters())
    ours_params = dict(ours.named_parameters())
    assert set(ours_params) == set(hf_params)
    for name, p in ours_params.items():
        got = _grad_as_hf(name, p.grad.data, interleaved)
        np.testing.assert_allclose(
            got, hf_params[name].grad.numpy(), rtol=rtol, atol=atol * 10, err_msg=name
        )

    # embeddings path: gradient with respect to the input
    x = Tensor(embeds.copy(), requires_grad=True)
    (ours(inputs_embeds=x) * Tensor(upstream)).sum().backward()
    tx = torch.tensor(embeds, requires_grad=True)
    (hf(inputs_embeds=tx).logits * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=rtol, atol=atol * 10)


def test_training_step_matches_torch_adamw():
    from glassml.optim import AdamW

    hf, ours = make_pair(tie=True, interleaved=False)
    rng = np.random.default_rng(2)
    opt = AdamW(ours.parameters(), lr=1e-2, weight_decay=0.1)
    t_opt = torch.optim.AdamW(hf.parameters(), lr=1e-2, weight_decay=0.1)
    for _ in range(2):
        ids = rng.integers(0, TINY["vocab_size"], (3, 9))
        inputs, targets = ids[:, :-1], ids[:, 1:].reshape(-1)
        opt.zero_grad()
        cross_entropy(ours(inputs).reshape(-1, TINY["vocab_size"]), Tensor(targets)).backward()
        opt.step()
        t_opt.zero_grad()
        logits = hf(torch.tensor(inputs)).logits.reshape(-1, TINY["vocab_size"])
        torch.nn.functional.cross_entropy(logits, torch.tensor(targets)).backward()
        t_opt.step()
    for name, p in hf.named_parameters():
        np.testing.assert_allclose(
            ours.get_parameter(name).data, p.detach().numpy(), rtol=1e-9, atol=1e-10, err_msg=name
        )


@pytest.mark.parametrize("interleaved", [True, False])
def test_kv_cache_equals_full_recompute(interleaved):
    _, ours = make_pair(interleaved=interleaved)
    ids = np.random.default_rng(3).integers(0, TINY["vocab_size"], 12)
    with no_grad():
        full = ours(ids).data[0]  # (12, V), autograd path, no cache
    dec = _KVDecoder(ours, 12)
    chunks = [dec.step(ids[a:b], all_logits=True) for a, b in ((0, 4), (4, 5), (5, 8), (8, 12))]
    np.testing.assert_allclose(np.concatenate(chunks), full, rtol=1e-10, atol=1e-11)
    assert dec.length == 12
    with pytest.raises(ValueError, match="KV cache full"):
        dec.step(ids[:1])


def test_greedy_generation_matches_transformers():
    hf, ours = make_pair(interleaved=True)
    prompt = [5, 17, 3, 40]
    got = ours.generate(prompt, 15, eos_token_id=None)
    with torch.no_grad():
        ref = hf.generate(
            torch.tensor([prompt]),
            max_new_tokens=15,
            do_sample=False,
            eos_token_id=None,
            pad_token_id=0,
            min_new_tokens=15,
        )
    assert got == ref[0, len(prompt) :].tolist()
    # each token is the argmax of a full forward over everything so far
    seq = list(prompt)
    with no_grad():
        for token in got[:5]:
            assert token == int(np.argmax(ours(np.array(seq)).data[0, -1]))
            seq.append(token)


def test_sampling_options():
    _, ours = make_pair(dtype=np.float32)
    prompt = [1, 2, 3]
    greedy = ours.generate(prompt, 10, eos_token_id=None)
    gen = np.random.default_rng
    assert (
        ours.generate(prompt, 10, temperature=1.5, top_k=1, eos_token_id=None, generator=gen(0))
        == greedy
    )
    assert (
        ours.generate(prompt, 10, temperature=1.0, top_p=1e-6, eos_token_id=None, generator=gen(0))
        == greedy
    )
    a = ours.generate(prompt, 10, temperature=5.0, eos_token_id=None, generator=gen(7))
    b = ours.generate(prompt, 10, temperature=5.0, eos_token_id=None, generator=gen(7))
    assert a == b and a != greedy  # reproducible, and random at a high temperature
    assert ours.generate(prompt, 10, temperature=5.0, eos_token_id=None, seed=7) == a
    # stop at EOS: the EOS token is returned, then generation stops
    k = max(i for i in range(len(greedy)) if greedy[i] not in greedy[:i])  # last new token
    assert ours.generate(prompt, 10, eos_token_id=greedy[k]) == greedy[: k + 1]
    assert ours.generate(prompt, 10, eos_token_id=[99, greedy[0]]) == greedy[:1]
    assert ours.generate(prompt, 0) == []
    assert len(list(ours.generate_iter(prompt, 4, eos_token_id=None))) == 4


def test_sample_distribution_top_k_top_p():
    rng = np.random.default_rng(0)
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05], dtype=np.float32))
    n = 5000  # frequency std <= 0.0071: atol 0.03 is > 4 sigma

    def freqs(**kw):
        draws = [_sample(logits, rng=rng, **kw) for _ in range(n)]
        return np.bincount(draws, minlength=4) / n

    np.testing.assert_allclose(
        freqs(temperature=1.0, top_k=None, top_p=None), [0.5, 0.3, 0.15, 0.05], atol=0.03
    )
    p2 = np.array([0.5, 0.3, 0.15, 0.05]) ** 2
    np.testing.assert_allclose(
        freqs(temperature=0.5, top_k=None, top_p=None), p2 / p2.sum(), atol=0.03
    )
    np.testing.assert_allclose(
        freqs(temperature=1.0, top_k=2, top_p=None), [0.625, 0.375, 0, 0], atol=0.03
    )
    # top_p = 0.7: tokens 0 (mass before 0) and 1 (0.5 < 0.7) are kept, 2 (0.8) is not
    np.testing.assert_allclose(
        freqs(temperature=1.0, top_k=None, top_p=0.7), [0.625, 0.375, 0, 0], atol=0.03
    )


def test_save_and_load(tmp_path):
    from glassml import nn

    _, ours = make_pair(tie=True, dtype=np.float32)
    ours.save(tmp_path)
    loaded = nn.load(tmp_path)
    assert isinstance(loaded, Llama) and loaded.config == ours.config
    assert loaded.lm_head.weight is loaded.model.embed_tokens.weight
    ids = np.array([[3, 1, 4, 1, 5]])
    with no_grad():
        np.testing.assert_array_equal(loaded(ids).data, ours(ids).data)


def test_default_init_and_parameter_count():
    m = Llama(**TINY, generator=np.random.default_rng(0))
    w = m.model.layers[0].mlp.up_proj.weight.data
    assert abs(w.std() - 0.02) < 0.003 and np.all(m.model.norm.weight.data == 1)
    d, f, v, hd = 32, 48, 61, 8
    per_layer = d * 4 * hd * 2 + 2 * (d * 2 * hd) + 3 * d * f + 2 * d
    assert m.num_parameters() == v * d + 2 * per_layer + d  # tied head counted once


def test_bad_inputs():
    with pytest.raises(ValueError, match="hidden_size .* divisible by num_attention_heads"):
        LlamaConfig(hidden_size=30, num_attention_heads=4)
    with pytest.raises(ValueError, match="num_key_value_heads"):
        LlamaConfig(hidden_size=32, num_attention_heads=4, num_key_value_heads=3)
    with pytest.raises(ValueError, match="num_hidden_layers must be a positive integer"):
        LlamaConfig(num_hidden_layers=0)
    with pytest.raises(TypeError, match="config must be a LlamaConfig or dict"):
        Llama("small")
    m = Llama(**TINY)
    with pytest.raises(ValueError, match=r"token ids must be in \[0, 61\)"):
        m(np.array([[1, 61]]))
    with pytest.raises(TypeError, match="integer token ids"):
        m(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="exceeds max_position_embeddings"):
        m(np.zeros((1, 65), dtype=np.int64))
    with pytest.raises(ValueError, match="exactly one of input_ids and inputs_embeds"):
        m()
    with pytest.raises(ValueError, match="inputs_embeds: expected shape"):
        m(inputs_embeds=Tensor(np.zeros((1, 3, 5), np.float32)))
    with pytest.raises(ValueError, match="temperature"):
        m.generate([1], 3, temperature=-1.0)
    with pytest.raises(ValueError, match="top_p"):
        m.generate([1], 3, temperature=1.0, top_p=0.0)
    with pytest.raises(ValueError, match="top_k"):
        m.generate([1], 3, temperature=1.0, top_k=0)
    with pytest.raises(ValueError, match="max_new_tokens"):
        m.generate([1], -1)
    with pytest.raises(ValueError, match="empty prompt"):
        m.generate([], 3)
    with pytest.raises(ValueError, match="context window"):
        m.generate(np.zeros(65, dtype=np.int64), 3)
    with pytest.raises(RuntimeError, match="no tokenizer"):
        m.chat("hi")


# ---------------------------------------------------------------------- SmolLM2-135M (real)
PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):\n    ",
    "<|im_start|>user\nName three primary colors.<|im_end|>\n<|im_start|>assistant\n",
]


@pytest.fixture(scope="module")
def smollm2():
    return Llama.from_smollm2()


@pytest.fixture(scope="module")
def hf_smollm2():
    import transformers.modeling_utils as modeling_utils

    from glassml.datasets import smollm2_file

    torch.set_num_threads(1)
    # transformers asks for accelerate before GGUF loading but does not use it on CPU
    modeling_utils.is_accelerate_available = lambda: True
    path = smollm2_file(verify=False)
    return transformers.AutoModelForCausalLM.from_pretrained(
        str(path.parent), gguf_file=path.name, dtype=torch.float32
    ).eval()


@pytest.mark.slow
def test_smollm2_logits_and_greedy_match_transformers(smollm2, hf_smollm2):
    """Real task: logits within 1e-3 of transformers' GGUF loader; same 20 greedy tokens."""
    c = smollm2.config
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.num_key_value_heads) == (
        30,
        576,
        9,
        3,
    )
    assert c.rope_theta == 100000.0 and c.tie_word_embeddings and c.intermediate_size == 1536
    assert smollm2.lm_head.weight is smollm2.model.embed_tokens.weight
    for text in PROMPTS:
        ids = smollm2.tokenizer.encode(text)
        with torch.no_grad():
            ref = hf_smollm2(torch.tensor([ids])).logits[0].numpy()
        with no_grad():
            autograd_logits = smollm2(np.array(ids)).data[0]
        cached = _KVDecoder(smollm2, len(ids)).step(np.array(ids), all_logits=True)
        assert np.abs(autograd_logits - ref).max() < 1e-3
        assert np.abs(cached - ref).max() < 1e-3
        got = smollm2.generate(ids, 20, eos_token_id=None)
        with torch.no_grad():
            out = hf_smollm2.generate(
                torch.tensor([ids]), max_new_tokens=20, min_new_tokens=20, do_sample=False
            )
        assert got == out[0, len(ids) :].tolist(), text


@pytest.mark.slow
def test_smollm2_chat_answers_and_streams(smollm2):
    """Real task: a factual question answered sensibly; streaming pieces form the answer."""
    pieces = []
    answer = smollm2.chat("What is the capital of France?", max_new_tokens=24, stream=pieces.append)
    assert "Paris" in answer
    assert "".join(pieces).strip() == answer and len(pieces) > 3
    text = "".join(smollm2.stream("The capital of France is", max_new_tokens=3))
    assert "Paris" in text
    assert "Paris" in smollm2.complete("The capital of France is", 3, stream=None)
    sampled = smollm2.chat("Name a color.", 8, temperature=0.7, top_p=0.9, seed=3)
    assert sampled == smollm2.chat("Name a color.", 8, temperature=0.7, top_p=0.9, seed=3)
    with pytest.raises(TypeError, match="stream: expected a bool, None or a callable"):
        smollm2.chat("hi", 2, stream="yes")


@pytest.mark.slow
def test_smollm2_kv_cache_equals_full_recompute(smollm2):
    ids = smollm2.tokenizer.encode("One, two, three, four,")
    new = smollm2.generate(ids, 6, eos_token_id=None)
    seq = np.array(ids + new)
    full = _KVDecoder(smollm2, seq.size).step(seq, all_logits=True)  # one pass, no reuse
    dec = _KVDecoder(smollm2, seq.size)
    steps = [dec.step(seq[: len(ids)], all_logits=True)]
    steps += [dec.step(seq[i : i + 1], all_logits=True) for i in range(len(ids), seq.size)]
    np.testing.assert_allclose(np.concatenate(steps), full, rtol=1e-4, atol=2e-4)


def test_layers_keep_their_import_path_after_the_split():
    import glassml.models.llama as llama
    import glassml.models.llama_layers as layers

    for name in layers.__all__:
        assert getattr(llama, name) is getattr(layers, name), name
        assert name in llama.__all__
