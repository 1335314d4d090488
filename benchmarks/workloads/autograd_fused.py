"""W13 (fused part): forward + backward of the fused autograd ops vs PyTorch, float32.

Each workload builds identical float32 inputs for glassml and torch, then times one forward and
one backward with a fixed random upstream gradient (leaf gradients reset each call on both
sides). Sizes follow issue 4; ``quick`` shrinks them to run in well under a second.

* linear 2048x512 -> 2048, conv2d N32 C64->64 32x32 k3 p1, cross_entropy 2048x8192 (targets
  <= 1.1x torch); layer_norm 4096x768 and causal attention B16 H8 T128 D64 (<= 1.5x);
  embedding backward (32k x 512 table, 8k lookups) and max_pool2d (N32 C64 64x64, k2 s2).
* gelu exact and tanh on (16*128, 2048), the GPT feed-forward activation (<= 1.5x).
"""

from __future__ import annotations

import numpy as np

from glassml.bench import Case, workload


def _setup(arrays, grad_flags, upstream_shape_fn, ours_fn, ref_fn, seed=1):
    """Two zero-argument callables running forward + backward on identical data."""
    import torch

    import glassml.autograd as ag

    ours_in = [
        ag.tensor(a, requires_grad=g) if a.dtype.kind == "f" else ag.tensor(a)
        for a, g in zip(arrays, grad_flags, strict=True)
    ]
    ref_in = [
        torch.from_numpy(a).requires_grad_(g) if a.dtype.kind == "f" else torch.from_numpy(a)
        for a, g in zip(arrays, grad_flags, strict=True)
    ]
    with torch.no_grad():
        shape = tuple(ref_fn(*ref_in).shape)
    g = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    g_t = torch.from_numpy(g)

    def ours():
        for t in ours_in:
            t.grad = None
        ours_fn(*ours_in).backward(g)

    def ref():
        for t in ref_in:
            t.grad = None
        ref_fn(*ref_in).backward(g_t)

    return ours, ref


def _randn(rng, *shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


@workload(
    "fused_linear_2048x512x2048", reference="torch", group="autograd-fused", unit="rows", target=1.1
)
def linear_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, d_in, d_out = (256, 128, 256) if quick else (2048, 512, 2048)
    arrays = [_randn(rng, n, d_in), _randn(rng, d_out, d_in, scale=0.05), _randn(rng, d_out)]
    ours, ref = _setup(arrays, [True, True, True], None, F.linear, TF.linear)
    return Case(ours=ours, ref=ref, items=n, flops=3 * 2 * n * d_in * d_out)


@workload(
    "fused_conv2d_n32_c64_32x32_k3",
    reference="torch",
    group="autograd-fused",
    unit="images",
    target=1.1,
)
def conv2d_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, c, hw = (4, 16, 16) if quick else (32, 64, 32)
    arrays = [_randn(rng, n, c, hw, hw), _randn(rng, c, c, 3, 3, scale=0.05), _randn(rng, c)]
    ours, ref = _setup(
        arrays,
        [True, True, True],
        None,
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1),
    )
    return Case(ours=ours, ref=ref, items=n, flops=3 * 2 * n * c * c * 9 * hw * hw)


@workload(
    "fused_cross_entropy_2048x8192",
    reference="torch",
    group="autograd-fused",
    unit="rows",
    target=1.1,
)
def cross_entropy_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, c = (256, 1024) if quick else (2048, 8192)
    arrays = [_randn(rng, n, c, scale=2.0), rng.integers(0, c, size=n)]
    ours, ref = _setup(arrays, [True, False], None, F.cross_entropy, TF.cross_entropy)
    return Case(ours=ours, ref=ref, items=n)


@workload(
    "fused_layer_norm_4096x768", reference="torch", group="autograd-fused", unit="rows", target=1.5
)
def layer_norm_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, d = (512, 256) if quick else (4096, 768)
    arrays = [_randn(rng, n, d), 1 + _randn(rng, d, scale=0.1), _randn(rng, d, scale=0.1)]
    ours, ref = _setup(
        arrays,
        [True, True, True],
        None,
        lambda x, w, b: F.layer_norm(x, (d,), w, b),
        lambda x, w, b: TF.layer_norm(x, (d,), w, b),
    )
    return Case(ours=ours, ref=ref, items=n)


@workload(
    "fused_causal_attention_b16_h8_t128_d64",
    reference="torch",
    group="autograd-fused",
    unit="sequences",
    target=1.5,
)
def attention_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    b, h, t, d = (2, 4, 32, 16) if quick else (16, 8, 128, 64)
    arrays = [_randn(rng, b, h, t, d) for _ in range(3)]
    ours, ref = _setup(
        arrays,
        [True, True, True],
        None,
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
    )
    return Case(ours=ours, ref=ref, items=b, flops=4 * 2 * b * h * t * t * d)


@workload(
    "fused_embedding_backward_32k_x512",
    reference="torch",
    group="autograd-fused",
    unit="lookups",
    target=1.1,
)
def embedding_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    vocab, dim, batch, seq = (2000, 64, 8, 64) if quick else (32000, 512, 32, 256)
    arrays = [rng.integers(0, vocab, size=(batch, seq)), _randn(rng, vocab, dim)]
    ours, ref = _setup(arrays, [False, True], None, F.embedding, TF.embedding)
    return Case(ours=ours, ref=ref, items=batch * seq)


@workload(
    "fused_max_pool2d_n32_c64_64x64_k2",
    reference="torch",
    group="autograd-fused",
    unit="images",
    target=1.1,
)
def max_pool_wl(quick):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, c, hw = (4, 8, 32) if quick else (32, 64, 64)
    arrays = [_randn(rng, n, c, hw, hw)]
    ours, ref = _setup(
        arrays, [True], None, lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2)
    )
    return Case(ours=ours, ref=ref, items=n)


def _gelu_case(quick, approximate):
    import torch.nn.functional as TF

    import glassml.autograd.fused as F

    rng = np.random.default_rng(0)
    n, d = (256, 256) if quick else (16 * 128, 2048)
    arrays = [_randn(rng, n, d)]
    ours, ref = _setup(
        arrays,
        [True],
        None,
        lambda x: F.gelu(x, approximate=approximate),
        lambda x: TF.gelu(x, approximate=approximate),
    )
    return Case(ours=ours, ref=ref, items=n * d)


@workload(
    "fused_gelu_2048x2048", reference="torch", group="autograd-fused", unit="values", target=1.5
)
def gelu_wl(quick):
    return _gelu_case(quick, "none")


@workload(
    "fused_gelu_tanh_2048x2048",
    reference="torch",
    group="autograd-fused",
    unit="values",
    target=1.5,
)
def gelu_tanh_wl(quick):
    return _gelu_case(quick, "tanh")
