"""Single-step recurrent cells with PyTorch's API: RNNCell, LSTMCell, GRUCell.

One time step of the layers in :mod:`glassml.nn.rnn` (same gate layouts as torch):

    RNNCell:   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)                (or relu)
    LSTMCell:  [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh
               i, f, o = sigmoid(.), g = tanh(.);  c' = f c + i g;  h' = o tanh(c')
    GRUCell:   r, z = sigmoid(x W_i{r,z}^T + b_i{r,z} + h W_h{r,z}^T + b_h{r,z})
               n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn));  h' = (1 - z) n + z h

Parameters ``weight_ih`` (G*H, I), ``weight_hh`` (G*H, H), ``bias_ih``, ``bias_hh`` (G*H,),
G = 1 / 4 / 3, all ~ U(-1/sqrt(H), 1/sqrt(H)) like torch. Each step is one fused op
(``glassml.autograd.fused.rnn_cells``). These names are re-exported by :mod:`glassml.nn.rnn`.

Inventory: RN-01, RN-03, RN-04.

Example
-------
>>> from glassml.autograd import randn
>>> h, c = LSTMCell(3, 4)(randn(2, 3))
>>> h.shape, c.shape
((2, 4), (2, 4))
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from glassml.autograd import Parameter, Tensor, zeros
from glassml.autograd.fused.rnn_cells import gru_cell, lstm_cell, rnn_relu_cell, rnn_tanh_cell

from . import init
from .linear import _param_dtype
from .module import Module

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _check_size(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{owner}: {name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{owner}: {name} must be greater than zero, got {value}")
    return int(value)


class RNNCellBase(Module):
    """Shared parameters of the single-step cells: weight_ih (G*H, I), weight_hh (G*H, H),
    bias_ih, bias_hh (G*H,), all ~ U(-1/sqrt(H), 1/sqrt(H)). Inventory: RN-01, RN-03, RN-04.

    Example
    -------
    >>> LSTMCell(3, 5).weight_hh.shape
    (20, 5)
    """

    def __init__(self, input_size, hidden_size, bias, num_chunks, dtype=None, generator=None):
        super().__init__()
        owner = type(self).__name__
        self.input_size = _check_size(input_size, "input_size", owner)
        self.hidden_size = _check_size(hidden_size, "hidden_size", owner)
        if not isinstance(bias, bool):
            raise TypeError(f"{owner}: bias should be of type bool, got: {type(bias).__name__}")
        self.bias = bias
        dt = _param_dtype(dtype)
        g = num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((g, self.input_size), dtype=dt))
        self.weight_hh = Parameter(np.empty((g, self.hidden_size), dtype=dt))
        if bias:
            self.bias_ih = Parameter(np.empty((g,), dtype=dt))
            self.bias_hh = Parameter(np.empty((g,), dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """Every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)) (torch's init)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound, generator)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, hx):
        """(2-D input, 2-D state or None, batched?) with shape/dtype checks."""
        owner = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{owner}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(
                f"{owner}: Expected input to be 1D or 2D, got {input.ndim}D instead "
                f"(shape {tuple(input.shape)})"
            )
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"{owner}: input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size}"
            )
        if input.dtype != self.weight_ih.dtype:
            raise ValueError(
                f"{owner}: input dtype ({input.dtype}) does not match weight dtype "
                f"({self.weight_ih.dtype})"
            )
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        states = []
        for s in hx:
            if s is None:
                states.append(zeros(input.shape[0], self.hidden_size, dtype=input.dtype))
                continue
            expected = (input.shape[0], self.hidden_size) if batched else (self.hidden_size,)
            if not isinstance(s, Tensor) or tuple(s.shape) != expected:
                got = tuple(s.shape) if isinstance(s, Tensor) else type(s).__name__
                raise ValueError(f"{owner}: expected hidden state of shape {expected}, got {got}")
            states.append(s if batched else s.unsqueeze(0))
        return input, states, batched


class RNNCell(RNNCellBase):
    """Elman cell h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). Inventory: RN-01.

    Shapes: input (B, I) or (I,); hx (B, H) or (H,) (zeros when omitted) -> h' (B, H) or (H,).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> RNNCell(3, 4)(randn(2, 3)).shape
    (2, 4)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None, *, generator=None):  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}"
            )
        super().__init__(input_size, hidden_size, bias, 1, dtype, generator)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, (hx,))
        fn = rnn_tanh_cell if self.nonlinearity == "tanh" else rnn_relu_cell
        out = fn(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """LSTM cell: returns (h', c') with c' = f c + i g, h' = o tanh(c'). Inventory: RN-03.

    Shapes: input (B, I) or (I,); hx = (h, c), each (B, H) or (H,) (zeros when omitted).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> h, c = LSTMCell(3, 4)(randn(2, 3))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *,
                 generator=None):  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 4, dtype, generator)

    def forward(self, input, hx=None):
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, tuple | list) or len(hx) != 2:
            raise ValueError("LSTMCell: hx must be a tuple (h, c) of two Tensors")
        x, (h, c), batched = self._prepare(input, tuple(hx))
        h, c = lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if not batched:
            return h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    """GRU cell h' = (1 - z) n + z h (gates r, z, n as torch). Inventory: RN-04.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> GRUCell(3, 4)(randn(3), randn(4)).shape
    (4,)
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, *,
                 generator=None):  # fmt: skip
        super().__init__(input_size, hidden_size, bias, 3, dtype, generator)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, (hx,))
        out = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
