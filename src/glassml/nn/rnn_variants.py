"""LSTM variants of the curriculum and recurrent (variational) dropout.

These have no PyTorch equivalent; they are composed of differentiable glassml ops (checked by
finite differences and against plain NumPy loops in the tests). All cells take x (B, I) and a
state (h, c), each (B, H), and return (h', c'); sigma = sigmoid.

* :class:`PeepholeLSTMCell` (RN-07, Gers & Schmidhuber 2000): the gates also read the cell:
      i = sigma(W_i x + U_i h + p_i * c + b_i),  f = sigma(W_f x + U_f h + p_f * c + b_f)
      g = tanh(W_g x + U_g h + b_g),  c' = f c + i g,  o = sigma(W_o x + U_o h + p_o * c' + b_o)
      h' = o tanh(c')
* :class:`CoupledLSTMCell` (RN-08, "CIFG"): one gate decides what to forget AND what to write:
      i = 1 - f,  c' = f c + (1 - f) g   (3 gate blocks [f, g, o] instead of 4)
* :class:`LayerNormLSTMCell` (RN-09, NO-05, Ba et al. 2016): layer norm of each projection and
  of the cell before the output tanh:
      [i, f, g, o] = LN_ih(x W_ih^T) + LN_hh(h W_hh^T) + b;  c' = f c + i g;
      h' = o tanh(LN_c(c'))
* :class:`RecurrentDropout` (RN-10, RG-05, Gal & Ghahramani 2016): runs any cell over a sequence
  with dropout masks on the inputs x_t and on the recurrent state h_{t-1} that are sampled ONCE
  per sequence and reused at every step ("variational" dropout; a fresh mask per step would
  inject noise that accumulates along the recurrence). Inverted scaling 1/(1-p); identity in eval.

Inventory: RN-07, RN-08, RN-09, RN-10, RG-05, NO-05.

Example
-------
>>> from glassml.autograd import randn
>>> layer = RecurrentDropout(PeepholeLSTMCell(3, 8), recurrent_dropout=0.25)
>>> out, (h, c) = layer(randn(10, 4, 3))
>>> out.shape, h.shape
((10, 4, 8), (4, 8))
"""

from __future__ import annotations

import math

import numpy as np

from glassml.autograd import Parameter, Tensor, stack, zeros
from glassml.autograd.fused import layer_norm, linear
from glassml.autograd.random import get_generator

from . import init
from .linear import _param_dtype
from .module import Module
from .rnn_cell import _check_size

__all__ = ["PeepholeLSTMCell", "CoupledLSTMCell", "LayerNormLSTMCell", "RecurrentDropout"]


class _VariantCell(Module):
    """Parameters weight_ih (G*H, I), weight_hh (G*H, H), bias (G*H,), U(-1/sqrt H, 1/sqrt H)."""

    num_chunks = 4

    def __init__(self, input_size, hidden_size, bias=True, dtype=None, generator=None):
        super().__init__()
        owner = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", owner)
        self.hidden_size = _check_size(hidden_size, "hidden_size", owner)
        self.bias = bool(bias)
        dt = _param_dtype(dtype)
        g = self.num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((g, self.input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((g, self.hidden_size), dtype=dt))
        if self.bias:
            self.bias_ih = Parameter(np.empty((g,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
        self._extra_parameters(dt)
        self.reset_parameters(generator)

    def _extra_parameters(self, dt) -> None:
        pass

    def reset_parameters(self, generator=None) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for name, p in self.named_parameters():
            if not name.startswith("ln_"):
                init.uniform_(p, -bound, bound, generator)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def _state(self, x, hx):
        owner = type(self).__name__
        if not isinstance(x, Tensor) or x.ndim != 2 or x.shape[1] != self.input_size:
            got = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ValueError(f"{owner}: expected input of shape (B, {self.input_size}), got {got}")
        if hx is None:
            z = zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
            return z, z
        h, c = hx
        for name, s in (("h", h), ("c", c)):
            if tuple(s.shape) != (x.shape[0], self.hidden_size):
                raise ValueError(
                    f"{owner}: expected state {name} of shape ({x.shape[0]}, {self.hidden_size}), "
                    f"got {tuple(s.shape)}"
                )
        return h, c

    def _gates(self, x, h):
        """x W_ih^T + b + h W_hh^T, (B, G*H)."""
        return linear(x, self.weight_ih, self.bias_ih) + linear(h, self.weight_hh)


class PeepholeLSTMCell(_VariantCell):
    """LSTM whose gates also read the cell state (peepholes p_i, p_f on c, p_o on c').

    Inventory: RN-07. Parameters: weight_ih (4H, I), weight_hh (4H, H), bias_ih (4H,),
    weight_peephole (3, H) = [p_i, p_f, p_o]. Gate order i, f, g, o (torch's).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> h, c = PeepholeLSTMCell(3, 5)(randn(2, 3))
    >>> h.shape
    (2, 5)
    """

    def _extra_parameters(self, dt) -> None:
        self.weight_peephole = Parameter(np.empty((3, self.hidden_size), dtype=dt))

    def forward(self, input, hx=None):
        h, c = self._state(input, hx)
        H = self.hidden_size
        gates = self._gates(input, h)  # (B, 4H)
        p = self.weight_peephole
        i = (gates[:, :H] + p[0] * c).sigmoid()
        f = (gates[:, H : 2 * H] + p[1] * c).sigmoid()
        g = gates[:, 2 * H : 3 * H].tanh()
        c_new = f * c + i * g
        o = (gates[:, 3 * H :] + p[2] * c_new).sigmoid()
        return o * c_new.tanh(), c_new


class CoupledLSTMCell(_VariantCell):
    """Coupled input-forget gate LSTM (CIFG): i = 1 - f, so c' = f c + (1 - f) g.

    Inventory: RN-08. Parameters: weight_ih (3H, I), weight_hh (3H, H), bias_ih (3H,) with
    blocks [f, g, o] — a quarter fewer parameters than an LSTM.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> CoupledLSTMCell(3, 5).weight_ih.shape
    (15, 3)
    """

    num_chunks = 3

    def forward(self, input, hx=None):
        h, c = self._state(input, hx)
        H = self.hidden_size
        gates = self._gates(input, h)  # (B, 3H)
        f = gates[:, :H].sigmoid()
        g = gates[:, H : 2 * H].tanh()
        o = gates[:, 2 * H :].sigmoid()
        c_new = g + f * (c - g)  # = f c + (1 - f) g
        return o * c_new.tanh(), c_new


class LayerNormLSTMCell(_VariantCell):
    """LSTM with layer normalisation of both projections and of the cell (Ba et al. 2016).

    [i, f, g, o] = LN_ih(x W_ih^T) + LN_hh(h W_hh^T) + b;  c' = f c + i g;  h' = o tanh(LN_c(c')).
    Inventory: RN-09, NO-05. LN gains start at 1 and shifts at 0 (parameters ln_ih_weight,
    ln_ih_bias (4H,), ln_hh_weight, ln_hh_bias (4H,), ln_c_weight, ln_c_bias (H,)).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> h, c = LayerNormLSTMCell(3, 5)(randn(2, 3))
    >>> c.shape
    (2, 5)
    """

    def __init__(self, input_size, hidden_size, bias=True, eps=1e-5, dtype=None, generator=None):
        self.eps = float(eps)
        super().__init__(input_size, hidden_size, bias, dtype, generator)

    def _extra_parameters(self, dt) -> None:
        g, H = 4 * self.hidden_size, self.hidden_size
        for name, n in (("ih", g), ("hh", g), ("c", H)):
            setattr(self, f"ln_{name}_weight", Parameter(np.ones(n, dtype=dt)))
            setattr(self, f"ln_{name}_bias", Parameter(np.zeros(n, dtype=dt)))

    def forward(self, input, hx=None):
        h, c = self._state(input, hx)
        H, G = self.hidden_size, 4 * self.hidden_size
        gx = layer_norm(linear(input, self.weight_ih), (G,), self.ln_ih_weight, self.ln_ih_bias,
                        self.eps)  # fmt: skip
        gh = layer_norm(linear(h, self.weight_hh), (G,), self.ln_hh_weight, self.ln_hh_bias,
                        self.eps)  # fmt: skip
        gates = gx + gh if self.bias_ih is None else gx + gh + self.bias_ih  # (B, 4H)
        i = gates[:, :H].sigmoid()
        f = gates[:, H : 2 * H].sigmoid()
        g = gates[:, 2 * H : 3 * H].tanh()
        o = gates[:, 3 * H :].sigmoid()
        c_new = f * c + i * g
        c_norm = layer_norm(c_new, (H,), self.ln_c_weight, self.ln_c_bias, self.eps)
        return o * c_norm.tanh(), c_new


class RecurrentDropout(Module):
    """Run a cell over a sequence with variational dropout on inputs and recurrent state.

    x_t -> x_t * m_x / (1 - p_x),  h_{t-1} -> h_{t-1} * m_h / (1 - p_h) inside the cell, with the
    masks m_x (B, I), m_h (B, H) ~ Bernoulli(1 - p) drawn once per sequence (per forward call).
    Works with any cell returning h' or (h', c') (LSTMCell, GRUCell, RNNCell, the variants
    above); only h is dropped, never the memory cell c.

    Inventory: RN-10, RG-05.

    Parameters
    ----------
    cell : Module — the recurrent cell
    batch_first : bool — input (B, T, I) instead of (T, B, I)
    input_dropout, recurrent_dropout : float in [0, 1)
    generator : numpy.random.Generator, optional

    Returns ``(output (T, B, H), final state)`` (output (B, T, H) with batch_first).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> from glassml.nn.rnn import GRUCell
    >>> out, h = RecurrentDropout(GRUCell(3, 4), input_dropout=0.2)(randn(6, 2, 3))
    >>> out.shape
    (6, 2, 4)
    """

    def __init__(self, cell, batch_first=False, input_dropout=0.0, recurrent_dropout=0.0, *,
                 generator=None):  # fmt: skip
        super().__init__()
        if not isinstance(cell, Module):
            raise TypeError(f"RecurrentDropout: cell must be a Module, got {type(cell).__name__}")
        for name, p in (("input_dropout", input_dropout), ("recurrent_dropout", recurrent_dropout)):
            if isinstance(p, bool) or not isinstance(p, int | float) or not 0 <= p < 1:
                raise ValueError(f"RecurrentDropout: {name} must be in [0, 1), got {p!r}")
        self.cell = cell
        self.batch_first = bool(batch_first)
        self.input_dropout = float(input_dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.generator = generator

    def extra_repr(self) -> str:
        return (
            f"batch_first={self.batch_first}, input_dropout={self.input_dropout}, "
            f"recurrent_dropout={self.recurrent_dropout}"
        )

    def _mask(self, shape, p, dtype):
        if not self.training or p == 0.0:
            return None
        keep = get_generator(self.generator).random(shape) >= p
        return Tensor(keep.astype(dtype) / np.asarray(1.0 - p, dtype=dtype))

    def forward(self, input, hx=None):
        if not isinstance(input, Tensor) or input.ndim != 3:
            got = tuple(input.shape) if isinstance(input, Tensor) else type(input).__name__
            raise ValueError(f"RecurrentDropout: expected a 3-D input, got {got}")
        x = input.transpose(0, 1) if self.batch_first else input  # (T, B, I)
        length, batch = x.shape[0], x.shape[1]
        hidden = self.cell.hidden_size
        m_x = self._mask((batch, x.shape[2]), self.input_dropout, x.dtype)  # (B, I)
        m_h = self._mask((batch, hidden), self.recurrent_dropout, x.dtype)  # (B, H)
        state = hx
        outputs = []
        for t in range(length):
            x_t = x[t] if m_x is None else x[t] * m_x
            if state is not None and m_h is not None:
                state = (state[0] * m_h, state[1]) if isinstance(state, tuple) else state * m_h
            state = self.cell(x_t, state)
            outputs.append(state[0] if isinstance(state, tuple) else state)
        out = stack(outputs)  # (T, B, H)
        return (out.transpose(0, 1) if self.batch_first else out), state
