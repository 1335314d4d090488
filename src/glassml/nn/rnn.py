"""Recurrent layers with PyTorch's API: RNN, LSTM, GRU and their single-step cells.

Equations (gate layouts exactly torch's, so state dicts move across unchanged):

    RNN:   h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)          (or relu)
    LSTM:  [i, f, g, o] = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
           i, f, o = sigmoid(.), g = tanh(.);  c_t = f c_{t-1} + i g;  h_t = o tanh(c_t)
    GRU:   r, z = sigmoid(x_t W_i{r,z}^T + b_i{r,z} + h_{t-1} W_h{r,z}^T + b_h{r,z})
           n = tanh(x_t W_in^T + b_in + r (h_{t-1} W_hn^T + b_hn));  h_t = (1 - z) n + z h_{t-1}

Parameters per layer k and direction: ``weight_ih_l{k}`` (G*H, I_k), ``weight_hh_l{k}``
(G*H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G*H,), with suffix ``_reverse`` for the backward
direction; G = 1 (RNN), 3 (GRU), 4 (LSTM); I_0 = input_size, I_k = D*H for k > 0. All
initialised U(-1/sqrt(H), 1/sqrt(H)) like torch.

Stacking (RN-06): layer k reads layer k-1's output (the concatenation of both directions,
RN-05); dropout (RG-05) is applied to the output of every layer except the last in training
mode. Bidirectional (RN-05): a second layer runs over the reversed sequence; outputs are
concatenated [forward, backward] on the feature axis. Each layer/direction is ONE fused op
(``glassml.autograd.fused.rnn_cells``) with a hand-derived BPTT.

The single-step cells (RNNCell, LSTMCell, GRUCell) are in :mod:`glassml.nn.rnn_cell` and
re-exported here.

LSTM projections (``proj_size > 0``) are not implemented (a ValueError says so).

Inventory: RN-01..RN-06, RN-12, RG-05.

Example
-------
>>> from glassml.autograd import randn
>>> lstm = LSTM(input_size=10, hidden_size=20, num_layers=1, batch_first=True)   # RN-03
>>> output, (h_n, c_n) = lstm(randn(5, 3, 10))
>>> output.shape, h_n.shape, c_n.shape
((5, 3, 20), (1, 5, 20), (1, 5, 20))
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from glassml.autograd import Parameter, Tensor, cat, index_select, stack, zeros
from glassml.autograd.fused import dropout as _dropout
from glassml.autograd.fused.rnn_cells import gru_layer, lstm_layer, rnn_layer

from . import init
from .linear import _param_dtype
from .module import Module
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase, _check_size
from .utils.rnn import PackedSequence, packed_row_index

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Shared machinery of :class:`RNN`, :class:`LSTM` and :class:`GRU` (see the module doc).

    Inventory: RN-01..RN-06, RN-12.

    Parameters
    ----------
    mode : "LSTM" | "GRU" | "RNN_TANH" | "RNN_RELU"
    input_size, hidden_size : int
    num_layers : int, default 1
    bias : bool, default True
    batch_first : bool, default False — input/output (B, T, *) instead of (T, B, *)
    dropout : float in [0, 1], default 0 — dropout on the outputs of all but the last layer
    bidirectional : bool, default False
    proj_size : int, default 0 (only 0 is supported)
    dtype : parameter dtype, default float32
    generator : numpy.random.Generator, optional — initial weights and dropout masks

    Example
    -------
    >>> GRU(4, 8, num_layers=2, bidirectional=True).weight_ih_l1_reverse.shape
    (24, 16)
    """

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        owner = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode!r}; expected one of {list(_GATES)}")
        if (
            isinstance(dropout, bool)
            or not isinstance(dropout, numbers.Number)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                f"{owner}: dropout should be a number in range [0, 1] representing the "
                f"probability of an element being zeroed, got {dropout!r}"
            )
        for name, flag in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(flag, bool):
                raise TypeError(
                    f"{owner}: {name} should be of type bool, got: {type(flag).__name__}"
                )
        if not isinstance(bidirectional, bool):
            raise TypeError(
                f"{owner}: bidirectional should be of type bool, got: {type(bidirectional).__name__}"
            )
        self.mode = mode
        self.input_size = _check_size(input_size, "input_size", owner)
        self.hidden_size = _check_size(hidden_size, "hidden_size", owner)
        self.num_layers = _check_size(num_layers, "num_layers", owner)
        if proj_size != 0:
            raise ValueError(
                f"{owner}: proj_size={proj_size!r} is not supported (LSTM projections are not "
                "implemented in glassml); use proj_size=0"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = 0
        self.generator = generator
        gates = _GATES[mode] * self.hidden_size
        directions = 2 if bidirectional else 1
        dt = _param_dtype(dtype)
        self._flat_weights_names = []
        for layer in range(self.num_layers):
            layer_in = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                names = [f"weight_ih{sfx}", f"weight_hh{sfx}"]
                setattr(self, names[0], Parameter(np.empty((gates, layer_in), dtype=dt)))
                setattr(self, names[1], Parameter(np.empty((gates, self.hidden_size), dtype=dt)))
                if bias:
                    names += [f"bias_ih{sfx}", f"bias_hh{sfx}"]
                    setattr(self, names[2], Parameter(np.empty((gates,), dtype=dt)))
                    setattr(self, names[3], Parameter(np.empty((gates,), dtype=dt)))
                self._flat_weights_names.extend(names)
        self.reset_parameters(generator)

    def reset_parameters(self, generator=None) -> None:
        """torch's init: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H))."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound, generator)

    @property
    def _num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _layer_params(self, layer: int, direction: int) -> tuple:
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        w_ih, w_hh = getattr(self, f"weight_ih{sfx}"), getattr(self, f"weight_hh{sfx}")
        if self.bias:
            return w_ih, w_hh, getattr(self, f"bias_ih{sfx}"), getattr(self, f"bias_hh{sfx}")
        return w_ih, w_hh, None, None

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _prepare_input(self, input):
        """Time-major (T, B, I) input, batch_sizes (or None), and how to restore the layout."""
        owner = type(self).__name__
        weight_dtype = self.weight_ih_l0.dtype
        if isinstance(input, PackedSequence):
            data = input.data
            if data.ndim != 2:
                raise ValueError(f"{owner}: packed input data must be 2-D, got {data.shape}")
            batch_sizes = np.asarray(input.batch_sizes.data, dtype=np.int64)
            length, batch = len(batch_sizes), int(batch_sizes[0])
            self._check_features(data, weight_dtype)
            src = np.zeros(length * batch, dtype=np.int64)  # padded slots read row 0 (ignored)
            src[packed_row_index(batch_sizes)] = np.arange(data.shape[0])
            x = index_select(data, 0, src).reshape(length, batch, data.shape[1])
            return x, [int(b) for b in batch_sizes], "packed"
        if not isinstance(input, Tensor):
            raise TypeError(f"{owner}: input must be a Tensor or a PackedSequence, got "
                            f"{type(input).__name__}")  # fmt: skip
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{owner}: Expected input to be 2D (unbatched) or 3D, got {input.ndim}D instead "
                f"(shape {tuple(input.shape)})"
            )
        self._check_features(input, weight_dtype)
        if input.ndim == 2:
            return input.unsqueeze(1), None, "unbatched"
        if self.batch_first:
            return input.transpose(0, 1), None, "batch_first"
        return input, None, "time_major"

    def _check_features(self, x, weight_dtype):
        owner = type(self).__name__
        if x.dtype != weight_dtype:
            raise ValueError(
                f"{owner}: input dtype ({x.dtype}) does not match weight dtype ({weight_dtype}); "
                f"convert the input (input.to({weight_dtype})) or the model (model.to({x.dtype}))"
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"{owner}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {x.shape[-1]}"
            )

    def _prepare_state(self, hx, name, batch, layout, sorted_indices, dtype):
        owner = type(self).__name__
        expected = (self.num_layers * self._num_directions, batch, self.hidden_size)
        if hx is None:
            return zeros(*expected, dtype=dtype)
        if not isinstance(hx, Tensor):
            raise TypeError(f"{owner}: {name} must be a Tensor, got {type(hx).__name__}")
        if layout == "unbatched":
            if hx.ndim != 2:
                raise ValueError(
                    f"{owner}: for unbatched 2-D input, {name} should also be 2-D but got "
                    f"{hx.ndim}-D (shape {tuple(hx.shape)})"
                )
            hx = hx.unsqueeze(1)
        elif hx.ndim != 3:
            raise ValueError(
                f"{owner}: for batched 3-D input, {name} should also be 3-D but got {hx.ndim}-D "
                f"(shape {tuple(hx.shape)})"
            )
        if tuple(hx.shape) != expected:
            raise ValueError(
                f"{owner}: Expected hidden size {expected} for {name}, got {list(hx.shape)}"
            )
        if hx.dtype != dtype:
            raise ValueError(f"{owner}: {name} dtype ({hx.dtype}) must match the input ({dtype})")
        if sorted_indices is not None:
            hx = index_select(hx, 1, sorted_indices)
        return hx

    def _run_layer(self, x, h0, c0, layer, direction, batch_sizes):
        """One fused layer/direction; returns (output (T, B, H), h_n, c_n or None)."""
        w_ih, w_hh, b_ih, b_hh = self._layer_params(layer, direction)
        reverse = direction == 1
        if self.mode == "LSTM":
            return lstm_layer(
                x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes=batch_sizes, reverse=reverse
            )
        if self.mode == "GRU":
            out, h = gru_layer(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes=batch_sizes,
                               reverse=reverse)  # fmt: skip
            return out, h, None
        nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        out, h = rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity=nonlinearity,
                           batch_sizes=batch_sizes, reverse=reverse)  # fmt: skip
        return out, h, None

    def _forward_impl(self, input, hx, cx):
        x, batch_sizes, layout = self._prepare_input(input)
        batch = x.shape[1]
        sorted_idx = unsorted_idx = None
        if layout == "packed":
            if input.sorted_indices is not None:
                sorted_idx = np.asarray(input.sorted_indices.data)
                unsorted_idx = np.asarray(input.unsorted_indices.data)
        h0 = self._prepare_state(hx, "hx", batch, layout, sorted_idx, x.dtype)
        c0 = None
        if self.mode == "LSTM":
            c0 = self._prepare_state(cx, "cx", batch, layout, sorted_idx, x.dtype)
        h_n, c_n = [], []
        directions = self._num_directions
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x = _dropout(x, self.dropout, True, generator=self.generator)
            outs = []
            for direction in range(directions):
                k = layer * directions + direction
                out, h, c = self._run_layer(
                    x, h0[k], None if c0 is None else c0[k], layer, direction, batch_sizes
                )
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if directions == 1 else cat(outs, dim=2)  # (T, B, D*H)
        h_n = stack(h_n)  # (L*D, B, H)
        c_n = stack(c_n) if self.mode == "LSTM" else None
        if layout == "packed":
            flat = x.reshape(x.shape[0] * batch, x.shape[2])
            data = index_select(flat, 0, packed_row_index(np.asarray(batch_sizes)))
            output = PackedSequence(
                data, input.batch_sizes, input.sorted_indices, input.unsorted_indices
            )
            if unsorted_idx is not None:
                h_n = index_select(h_n, 1, unsorted_idx)
                c_n = None if c_n is None else index_select(c_n, 1, unsorted_idx)
        elif layout == "unbatched":
            output = x.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = None if c_n is None else c_n.squeeze(1)
        elif layout == "batch_first":
            output = x.transpose(0, 1)
        else:
            output = x
        return output, h_n, c_n


class RNN(RNNBase):
    r"""Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu), stacked.

    Inventory: RN-01, RN-02, RN-05, RN-06, RN-12.

    Parameters
    ----------
    input_size, hidden_size : int;  num_layers : int = 1;  nonlinearity : "tanh" | "relu"
    bias, batch_first, dropout, bidirectional : as torch.nn.RNN

    Shapes: input (T, B, I) / (B, T, I) with batch_first / (T, I) unbatched / PackedSequence;
    h_0 (L*D, B, H). Returns output (T, B, D*H) and h_n (L*D, B, H).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> out, h_n = RNN(3, 5, num_layers=2, nonlinearity="relu")(randn(7, 2, 3))
    >>> out.shape, h_n.shape
    ((7, 2, 5), (2, 2, 5))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, generator=generator)  # fmt: skip
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        output, h_n, _ = self._forward_impl(input, hx, None)
        return output, h_n


class LSTM(RNNBase):
    r"""Long short-term memory: gates i, f, g, o (torch's order), c_t = f c + i g, h_t = o tanh(c).

    Inventory: RN-03, RN-05, RN-06, RN-12, RG-05.

    Parameters
    ----------
    input_size, hidden_size : int;  num_layers : int = 1
    bias, batch_first, dropout, bidirectional : as torch.nn.LSTM
    proj_size : must be 0 (projections are not implemented)

    Shapes: input (T, B, I) / (B, T, I) / (T, I) / PackedSequence; hx = (h_0, c_0), each
    (L*D, B, H). Returns output (T, B, D*H) and (h_n, c_n), each (L*D, B, H).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> lstm = LSTM(10, 20, num_layers=2, bidirectional=True)
    >>> out, (h, c) = lstm(randn(5, 3, 10))
    >>> out.shape, h.shape
    ((5, 3, 40), (4, 3, 20))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype, generator=generator)  # fmt: skip

    def forward(self, input, hx=None):
        h0 = c0 = None
        if hx is not None:
            if not isinstance(hx, tuple | list) or len(hx) != 2:
                raise ValueError("LSTM: hx must be a tuple (h_0, c_0) of two Tensors")
            h0, c0 = hx
        output, h_n, c_n = self._forward_impl(input, h0, c0)
        return output, (h_n, c_n)


class GRU(RNNBase):
    r"""Gated recurrent unit (gates r, z, n as torch): h_t = (1 - z) n + z h_{t-1}.

    Inventory: RN-04, RN-05, RN-06, RN-12, RG-05.

    Parameters
    ----------
    input_size, hidden_size : int;  num_layers : int = 1
    bias, batch_first, dropout, bidirectional : as torch.nn.GRU

    Example
    -------
    >>> from glassml.autograd import randn
    >>> out, h_n = GRU(3, 6, batch_first=True)(randn(2, 9, 3))
    >>> out.shape, h_n.shape
    ((2, 9, 6), (1, 2, 6))
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, 0, device, dtype, generator=generator)  # fmt: skip

    def forward(self, input, hx=None):
        output, h_n, _ = self._forward_impl(input, hx, None)
        return output, h_n
