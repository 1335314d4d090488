"""Fused recurrent cells and whole-sequence recurrent layers with hand-derived backward (BPTT).

PyTorch's gate layouts, so that weights load across unchanged:

LSTM (rows of W_ih (4H, I), W_hh (4H, H) in the order i, f, g, o)::

    [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh
    i, f, o = sigmoid(.),  g = tanh(.)
    c' = f * c + i * g
    h' = o * tanh(c')

GRU (rows in the order r, z, n)::

    r = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
    z = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
    n = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
    h' = (1 - z) * n + z * h

Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act = tanh or relu.

Speed (the layer Functions): the input projection of ALL time steps is one GEMM
(T*B, I) @ (I, G); the loop over time does only the recurrent GEMM (B, H) @ (H, G) and a few
in-place ufuncs. Backward (BPTT) walks the steps in reverse with one GEMM per step for dL/dh_{t-1}
and stores the gate gradients; dL/dW_ih, dL/dW_hh, dL/db and dL/dx are then single GEMMs over
all steps. sigmoid(x) = (1 + tanh(x / 2)) / 2 is computed with ONE tanh over all gates: the
sigmoid rows of the weights are pre-scaled by 1/2 (exact in floating point). Internally the LSTM
gates are reordered to [i, f, o, g] so that the sigmoid gates are one contiguous block.

Backward of one LSTM step, upstream dh (total: from h' and from the output), dc::

    do = dh * tanh(c')                      dc_t = dc + dh * o * (1 - tanh(c')^2)
    di = dc_t * g,  df = dc_t * c,  dg = dc_t * i,   dc_prev = dc_t * f
    pre-activations: d(.)_pre = d(.) * s (1 - s) for the sigmoid gates, dg * (1 - g^2) for g
    dh_prev = d(gates) W_hh

Variable lengths: with ``batch_sizes`` (from a PackedSequence: non-increasing, rows sorted by
length) step t updates only the first batch_sizes[t] rows; the other rows keep their state, so
h_n / c_n is each sequence's state at its true last step (and, reversed, its first step).

Inventory: RN-01 (Elman cell), RN-02 (BPTT), RN-03 (LSTM), RN-04 (GRU), RN-12 (variable lengths).
"""

from __future__ import annotations

import numpy as np

from ..function import Function
from ._rnn_kernels import (
    _gru_backward,
    _gru_forward,
    _lstm_backward,
    _lstm_forward,
    _rnn_backward,
    _rnn_forward,
)
from ._util import check_float, check_same_dtype

__all__ = [
    "lstm_cell",
    "gru_cell",
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "lstm_layer",
    "gru_layer",
    "rnn_layer",
    "LSTMLayer",
    "GRULayer",
    "RNNLayer",
]


# --------------------------------------------------------------------------- validation
def _check_args(op, x, hx, w_ih, w_hh, b_ih, b_hh, gates, cx=None):
    check_float("input", x, op)
    check_same_dtype(
        op, x, hx=hx, cx=cx, weight_ih=w_ih, weight_hh=w_hh, bias_ih=b_ih, bias_hh=b_hh
    )
    if w_ih.ndim != 2 or w_hh.ndim != 2:
        raise ValueError(f"{op}: weights must be 2-D, got {w_ih.shape} and {w_hh.shape}")
    hidden = w_hh.shape[1]
    if w_hh.shape[0] != gates * hidden or w_ih.shape[0] != gates * hidden:
        raise ValueError(
            f"{op}: weight_ih and weight_hh must have {gates} * hidden_size = {gates * hidden} "
            f"rows, got {w_ih.shape} and {w_hh.shape}"
        )
    if x.shape[-1] != w_ih.shape[1]:
        raise ValueError(
            f"{op}: input.size(-1) must be equal to input_size={w_ih.shape[1]}, "
            f"got input of shape {x.shape}"
        )
    for name, b in (("bias_ih", b_ih), ("bias_hh", b_hh)):
        if b is not None and b.shape != (gates * hidden,):
            raise ValueError(f"{op}: {name} must have shape ({gates * hidden},), got {b.shape}")
    batch = x.shape[-2]
    for name, s in (("hx", hx), ("cx", cx)):
        if s is not None and s.shape != (batch, hidden):
            raise ValueError(
                f"{op}: expected {name} of shape ({batch}, {hidden}), got {tuple(s.shape)}"
            )


def _check_batch_sizes(batch_sizes, length, batch):
    if batch_sizes is None:
        return None
    bs = [int(b) for b in np.asarray(batch_sizes).reshape(-1)]
    if len(bs) != length:
        raise ValueError(f"batch_sizes must have one entry per time step ({length}), got {len(bs)}")
    if any(b < 1 or b > batch for b in bs) or any(
        b1 < b2 for b1, b2 in zip(bs, bs[1:], strict=False)
    ):
        raise ValueError(
            f"batch_sizes must be non-increasing integers in [1, {batch}], got {bs[:10]}..."
        )
    return bs


# --------------------------------------------------------------------------- Functions
class LSTMLayer(Function):
    """One LSTM layer in one direction over a time-major sequence; output (T+2, B, H) holds the
    outputs of every step, then h_n, then c_n."""

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        ctx.batch_sizes, ctx.reverse = batch_sizes, reverse
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse)
        return result

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        grads = _lstm_backward(ctx.state, grad, ctx.batch_sizes, ctx.reverse, ctx.needs_input_grad)
        return (*grads, None, None)


class GRULayer(Function):
    """One GRU layer in one direction; output (T+1, B, H) = outputs of every step, then h_n."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
        ctx.batch_sizes, ctx.reverse = batch_sizes, reverse
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse)
        return result

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        grads = _gru_backward(ctx.state, grad, ctx.batch_sizes, ctx.reverse, ctx.needs_input_grad)
        return (*grads, None, None)


class RNNLayer(Function):
    """One Elman RNN layer (tanh or relu); output (T+1, B, H) = outputs, then h_n."""

    @staticmethod
    def forward(ctx, x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu):
        ctx.batch_sizes, ctx.reverse, ctx.relu = batch_sizes, reverse, relu
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu)
        return result

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        grads = _rnn_backward(
            ctx.state, grad, ctx.batch_sizes, ctx.reverse, ctx.needs_input_grad, ctx.relu
        )
        return (*grads, None, None, None)


class LSTMCellFn(Function):
    """One LSTM step; output (2, B, H) = [h', c']."""

    @staticmethod
    def forward(ctx, x, hx, cx, w_ih, w_hh, b_ih, b_hh):
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _lstm_forward(x[None], hx, cx, w_ih, w_hh, b_ih, b_hh, None, False)
        return result[1:]

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        full = np.zeros((3, *grad.shape[1:]), dtype=grad.dtype)
        full[1:] = grad
        dx, *rest = _lstm_backward(ctx.state, full, None, False, ctx.needs_input_grad)
        return (None if dx is None else dx[0], *rest)


class GRUCellFn(Function):
    """One GRU step; output (B, H) = h'."""

    @staticmethod
    def forward(ctx, x, hx, w_ih, w_hh, b_ih, b_hh):
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _gru_forward(x[None], hx, w_ih, w_hh, b_ih, b_hh, None, False)
        return result[1]

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        full = np.zeros((2, *grad.shape), dtype=grad.dtype)
        full[1] = grad
        dx, *rest = _gru_backward(ctx.state, full, None, False, ctx.needs_input_grad)
        return (None if dx is None else dx[0], *rest)


class RNNCellFn(Function):
    """One Elman step; output (B, H) = h'."""

    @staticmethod
    def forward(ctx, x, hx, w_ih, w_hh, b_ih, b_hh, relu):
        ctx.relu = relu
        ctx.save_for_backward(x, w_ih, w_hh)  # in-place edits before backward are detected
        result, ctx.state = _rnn_forward(x[None], hx, w_ih, w_hh, b_ih, b_hh, None, False, relu)
        return result[1]

    @staticmethod
    def backward(ctx, grad):
        ctx.saved_tensors  # noqa: B018 - raises if freed or if x / weights were modified
        full = np.zeros((2, *grad.shape), dtype=grad.dtype)
        full[1] = grad
        dx, *rest = _rnn_backward(ctx.state, full, None, False, ctx.needs_input_grad, ctx.relu)
        return (None if dx is None else dx[0], *rest, None)


# --------------------------------------------------------------------------- public functions
def _data(t):
    return None if t is None else getattr(t, "data", t)


def _check_cell_input(op, x):
    if x.ndim != 2:
        raise ValueError(f"{op}: expected a 2-D input (batch, input_size), got shape {x.shape}")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step (``torch.lstm_cell``): returns (h', c').

    [i, f, g, o] = x W_ih^T + b_ih + h W_hh^T + b_hh; c' = sig(f) c + sig(i) tanh(g);
    h' = sig(o) tanh(c'). Inventory: RN-03.

    Parameters
    ----------
    input : Tensor (B, I);  hx : tuple (h (B, H), c (B, H))
    w_ih : (4H, I);  w_hh : (4H, H);  b_ih, b_hh : (4H,) or None

    Example
    -------
    >>> from glassml.autograd import randn
    >>> h, c = lstm_cell(randn(2, 3), (randn(2, 4), randn(2, 4)), randn(16, 3), randn(16, 4))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """
    h, c = hx
    _check_cell_input("lstm_cell", _data(input))
    _check_args("lstm_cell", _data(input), _data(h), _data(w_ih), _data(w_hh), _data(b_ih),
                _data(b_hh), 4, cx=_data(c))  # fmt: skip
    out = LSTMCellFn.apply(input, h, c, w_ih, w_hh, b_ih, b_hh)  # (2, B, H)
    return out[0], out[1]


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (``torch.gru_cell``): h' = (1 - z) n + z h (gates r, z, n as in torch).

    Inventory: RN-04.

    Parameters
    ----------
    input : Tensor (B, I);  hx : Tensor (B, H);  w_ih : (3H, I);  w_hh : (3H, H);
    b_ih, b_hh : (3H,) or None

    Example
    -------
    >>> from glassml.autograd import randn
    >>> gru_cell(randn(2, 3), randn(2, 4), randn(12, 3), randn(12, 4)).shape
    (2, 4)
    """
    _check_cell_input("gru_cell", _data(input))
    _check_args("gru_cell", _data(input), _data(hx), _data(w_ih), _data(w_hh), _data(b_ih),
                _data(b_hh), 3)  # fmt: skip
    return GRUCellFn.apply(input, hx, w_ih, w_hh, b_ih, b_hh)


def _rnn_cell(op, input, hx, w_ih, w_hh, b_ih, b_hh, relu):
    _check_cell_input(op, _data(input))
    _check_args(op, _data(input), _data(hx), _data(w_ih), _data(w_hh), _data(b_ih),
                _data(b_hh), 1)  # fmt: skip
    return RNNCellFn.apply(input, hx, w_ih, w_hh, b_ih, b_hh, relu)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh). Inventory: RN-01.

    Shapes: input (B, I), hx (B, H), w_ih (H, I), w_hh (H, H), biases (H,).

    Example
    -------
    >>> from glassml.autograd import randn
    >>> rnn_tanh_cell(randn(2, 3), randn(2, 4), randn(4, 3), randn(4, 4)).shape
    (2, 4)
    """
    return _rnn_cell("rnn_tanh_cell", input, hx, w_ih, w_hh, b_ih, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh). Inventory: RN-01.

    Example
    -------
    >>> from glassml.autograd import randn
    >>> rnn_relu_cell(randn(2, 3), randn(2, 4), randn(4, 3), randn(4, 4)).shape
    (2, 4)
    """
    return _rnn_cell("rnn_relu_cell", input, hx, w_ih, w_hh, b_ih, b_hh, True)


def _check_layer_input(op, x):
    if x.ndim != 3:
        raise ValueError(f"{op}: expected a time-major 3-D input (T, B, I), got shape {x.shape}")


def lstm_layer(input, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, *, batch_sizes=None, reverse=False):
    """A whole LSTM layer in one direction over a time-major sequence, BPTT fused.

    Inventory: RN-02, RN-03, RN-12.

    Parameters
    ----------
    input : Tensor (T, B, I);  h0, c0 : Tensor (B, H)
    w_ih : (4H, I);  w_hh : (4H, H);  b_ih, b_hh : (4H,) or None
    batch_sizes : sequence of T non-increasing ints, optional
        Rows active at each step (variable lengths, rows sorted by decreasing length).
    reverse : bool — run from the last step to the first.

    Returns
    -------
    output (T, B, H) (zero where a row is inactive), h_n (B, H), c_n (B, H)

    Example
    -------
    >>> from glassml.autograd import randn, zeros
    >>> out, h, c = lstm_layer(randn(5, 2, 3), zeros(2, 4), zeros(2, 4), randn(16, 3), randn(16, 4))
    >>> out.shape, h.shape
    ((5, 2, 4), (2, 4))
    """
    x = _data(input)
    _check_layer_input("lstm_layer", x)
    _check_args("lstm_layer", x, _data(h0), _data(w_ih), _data(w_hh), _data(b_ih), _data(b_hh),
                4, cx=_data(c0))  # fmt: skip
    bs = _check_batch_sizes(batch_sizes, x.shape[0], x.shape[1])
    length = x.shape[0]
    res = LSTMLayer.apply(input, h0, c0, w_ih, w_hh, b_ih, b_hh, bs, bool(reverse))
    return res[:length], res[length], res[length + 1]


def gru_layer(input, h0, w_ih, w_hh, b_ih=None, b_hh=None, *, batch_sizes=None, reverse=False):
    """A whole GRU layer in one direction (see :func:`lstm_layer`); returns (output, h_n).

    Inventory: RN-02, RN-04, RN-12.

    Example
    -------
    >>> from glassml.autograd import randn, zeros
    >>> out, h = gru_layer(randn(5, 2, 3), zeros(2, 4), randn(12, 3), randn(12, 4))
    >>> out.shape
    (5, 2, 4)
    """
    x = _data(input)
    _check_layer_input("gru_layer", x)
    _check_args("gru_layer", x, _data(h0), _data(w_ih), _data(w_hh), _data(b_ih), _data(b_hh), 3)
    bs = _check_batch_sizes(batch_sizes, x.shape[0], x.shape[1])
    length = x.shape[0]
    res = GRULayer.apply(input, h0, w_ih, w_hh, b_ih, b_hh, bs, bool(reverse))
    return res[:length], res[length]


def rnn_layer(
    input,
    h0,
    w_ih,
    w_hh,
    b_ih=None,
    b_hh=None,
    *,
    nonlinearity="tanh",
    batch_sizes=None,
    reverse=False,
):
    """A whole Elman RNN layer in one direction (tanh or relu); returns (output, h_n).

    Inventory: RN-01, RN-02, RN-12.

    Example
    -------
    >>> from glassml.autograd import randn, zeros
    >>> out, h = rnn_layer(randn(5, 2, 3), zeros(2, 4), randn(4, 3), randn(4, 4))
    >>> h.shape
    (2, 4)
    """
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"rnn_layer: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    x = _data(input)
    _check_layer_input("rnn_layer", x)
    _check_args("rnn_layer", x, _data(h0), _data(w_ih), _data(w_hh), _data(b_ih), _data(b_hh), 1)
    bs = _check_batch_sizes(batch_sizes, x.shape[0], x.shape[1])
    length = x.shape[0]
    res = RNNLayer.apply(
        input, h0, w_ih, w_hh, b_ih, b_hh, bs, bool(reverse), nonlinearity == "relu"
    )
    return res[:length], res[length]
