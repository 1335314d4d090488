"""Helpers shared by the recurrent-network experiments (``experiments/rnn.py``,
``experiments/rnn_training.py``): the copy-first-token task, training and accuracy loops,
linearised-RNN Jacobians and the memory-gate bias.

Inventory: RN-01..RN-12 (used by CL-161..CL-167, CL-120).
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import no_grad, tensor
from glassml.autograd.fused import cross_entropy
from glassml.nn.rnn import RNN
from glassml.nn.utils import clip_grad_norm_
from glassml.optim import Adam

TOPIC = "recurrent networks"


def _jacobians_h_T_h_0(W, spans):
    """d h_T / d h_0 for every T in ``spans`` of a tanh RNN linearised at h = 0 (zero inputs;
    tanh'(0) = 1), through the fused BPTT in ONE forward/backward: batch row (k, i) starts at
    h_0 = 0 and gets the upstream gradient e_i on its output at step spans[k], so its input
    gradient is row i of J_{spans[k]}."""
    hidden, n = W.shape[0], len(spans)
    rnn = RNN(1, hidden, bias=False, dtype=np.float64)
    rnn.weight_ih_l0.data[...] = 0.0
    rnn.weight_hh_l0.data[...] = W
    h0 = tensor(np.zeros((1, n * hidden, hidden)), requires_grad=True)
    out, _ = rnn(tensor(np.zeros((max(spans), n * hidden, 1))), h0)  # (T, n*H, H)
    upstream = np.zeros(out.shape)
    for k, T in enumerate(spans):
        upstream[T - 1, k * hidden : (k + 1) * hidden] = np.eye(hidden)
    out.backward(tensor(upstream))
    return h0.grad.numpy()[0].reshape(n, hidden, hidden)  # J[k][i, j] = dh_T[i] / dh_0[j]


def _with_spectral_radius(W, rho):
    return W * (rho / np.max(np.abs(np.linalg.eigvals(W))))


def _first_token_batch(rng, n, lag, classes=4, noise_dims=4):
    """Copy-first-token: class one-hot at t = 0, then lag - 1 steps of Gaussian noise; the label
    (the class) is asked for at the last step."""
    x = np.zeros((n, lag, classes + noise_dims), dtype=np.float32)
    x[:, 1:, classes:] = rng.standard_normal((n, lag - 1, noise_dims))
    y = rng.integers(0, classes, n)
    x[np.arange(n), 0, y] = 1.0
    return x, y


def _memory_bias(model, value):
    """Set the forget-gate (LSTM) / update-gate (GRU) bias of layer 0: both are rows H..2H in
    torch's layouts (i, f, g, o) and (r, z, n)."""
    rnn, hidden = model.rnn, model.rnn.hidden_size
    rnn.bias_ih_l0.data[hidden : 2 * hidden] = value
    rnn.bias_hh_l0.data[hidden : 2 * hidden] = 0.0


def _train_classifier(model, sampler, steps, lr, rng, loss_threshold=0.1):
    """Adam + clipping; returns (losses, first step with loss < threshold or None)."""
    opt = Adam(model.parameters(), lr=lr)
    params = list(model.parameters())
    losses, converged = [], None
    for step in range(steps):
        x, y = sampler(rng)
        loss = cross_entropy(model(tensor(x)), tensor(y))
        opt.zero_grad()
        loss.backward()
        clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(float(loss))
        if converged is None and losses[-1] < loss_threshold:
            converged = step + 1
    return losses, converged


def _accuracy(model, x, y):
    with no_grad():
        return float(np.mean(model(tensor(x)).numpy().argmax(-1) == y))
