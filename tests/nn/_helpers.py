"""Shared oracle helper for tests/nn: run a glassml module and a torch module with the same
weights on the same input, compare outputs, input gradients and parameter gradients."""

import numpy as np
import torch

from glassml.autograd import tensor


def compare_with_torch(ours, ref, inputs, dtype=np.float64, rtol=1e-7, atol=1e-9, seed=0):
    """Copy ``ours``' state into ``ref`` (through state_dict), run both on ``inputs`` (list of
    arrays) with a random upstream gradient, and compare outputs and all gradients."""
    rng = np.random.default_rng(seed)
    ours.to(dtype)
    ref.to(torch.float64 if dtype == np.float64 else torch.float32)
    ref.load_state_dict(
        {k: torch.from_numpy(np.array(v.numpy())) for k, v in ours.state_dict().items()}
    )
    xs_ours, xs_ref = [], []
    for x in inputs:
        x = np.asarray(x)
        if x.dtype.kind == "f":
            x = x.astype(dtype)
            xs_ours.append(tensor(x, requires_grad=True))
            xs_ref.append(torch.tensor(x, requires_grad=True))
        else:
            xs_ours.append(tensor(x))
            xs_ref.append(torch.from_numpy(x))
    out, out_ref = ours(*xs_ours), ref(*xs_ref)
    np.testing.assert_allclose(out.numpy(), out_ref.detach().numpy(), rtol=rtol, atol=atol)
    g = rng.standard_normal(out.shape).astype(dtype)  # random upstream gradient, not .sum()
    out.backward(tensor(g))
    out_ref.backward(torch.from_numpy(g))
    for a, b in zip(xs_ours, xs_ref, strict=True):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=rtol, atol=atol)
    ref_params = dict(ref.named_parameters())
    for name, p in ours.named_parameters():
        if p.requires_grad:
            np.testing.assert_allclose(
                p.grad.numpy(),
                ref_params[name].grad.numpy(),
                rtol=rtol,
                atol=atol,
                err_msg=name,
            )
    return out, out_ref
