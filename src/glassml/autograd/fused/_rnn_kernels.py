"""NumPy kernels of the fused recurrent layers: forward loops that save what BPTT needs and
the matching backward loops (see ``rnn_cells`` for the equations and the public ops).

Each ``_X_forward`` returns (result, saved): result stacks the outputs of every step and the
final state(s) on the leading axis; ``_X_backward`` takes the gradient of that stacked result.
``batch_sizes`` (non-increasing, or None) restricts step t to the first batch_sizes[t] rows.

Inventory: RN-01..RN-04 (cells), RN-02 (BPTT), RN-12 (variable lengths).
"""

from __future__ import annotations

import numpy as np

_PERM_CACHE: dict = {}


def _lstm_perm(hidden: int) -> np.ndarray:
    """Row order [i, f, o, g] taken from torch's [i, f, g, o]."""
    perm = _PERM_CACHE.get(hidden)
    if perm is None:
        h = hidden
        perm = np.concatenate(
            [np.arange(0, 2 * h), np.arange(3 * h, 4 * h), np.arange(2 * h, 3 * h)]
        )
        _PERM_CACHE[hidden] = perm
    return perm


def _steps(length: int, reverse: bool):
    return range(length - 1, -1, -1) if reverse else range(length)


def _sizes(batch_sizes, length: int, batch: int):
    return [batch] * length if batch_sizes is None else batch_sizes


def _bias_sum(b_ih, b_hh):
    if b_ih is None:
        return b_hh
    if b_hh is None:
        return b_ih
    return b_ih + b_hh


# --------------------------------------------------------------------------- LSTM kernels
def _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
    """Run the layer; returns (result (T+2, B, H) = [outputs, h_n, c_n], saved state)."""
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    h3 = 3 * hidden
    perm = _lstm_perm(hidden)
    w_ih_s = w_ih[perm]  # (4H, I) rows [i, f, o, g]
    w_ih_s[:h3] *= 0.5  # sigmoid(a) = (1 + tanh(a/2)) / 2: halve the sigmoid rows (exact)
    w_hh_s = w_hh[perm]  # (4H, H)
    w_hh_s[:h3] *= 0.5
    w_hh_st = np.ascontiguousarray(w_hh_s.T)  # (H, 4H)
    acts = (x.reshape(length * batch, n_in) @ w_ih_s.T).reshape(length, batch, 4 * hidden)
    bias = _bias_sum(b_ih, b_hh)
    if bias is not None:
        bias_s = bias[perm]
        bias_s[:h3] *= 0.5
        acts += bias_s  # (T, B, 4H): input projection of every step, one GEMM
    packed = batch_sizes is not None
    alloc = np.zeros if packed else np.empty
    result = np.zeros((length + 2, batch, hidden), dtype=x.dtype)  # outputs, h_n, c_n
    h_prev_all = alloc((length, batch, hidden), dtype=x.dtype)
    c_prev_all = alloc((length, batch, hidden), dtype=x.dtype)
    tanh_c_all = alloc((length, batch, hidden), dtype=x.dtype)
    h_state, c_state = result[length], result[length + 1]  # (B, H) views, updated in place
    h_state[...] = h0
    c_state[...] = c0
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, reverse):
        n = sizes[t]
        h_prev = h_prev_all[t, :n]  # (n, H)
        c_prev = c_prev_all[t, :n]
        h_prev[...] = h_state[:n]
        c_prev[...] = c_state[:n]
        a = acts[t, :n]  # (n, 4H) pre-activations, turned into activations in place
        a += h_prev @ w_hh_st
        np.tanh(a, out=a)
        sig = a[:, :h3]
        sig *= 0.5
        sig += 0.5
        i, f, o, g = a[:, :hidden], a[:, hidden : 2 * hidden], a[:, 2 * hidden : h3], a[:, h3:]
        c_new = c_state[:n]
        np.multiply(f, c_prev, out=c_new)  # c' = f c + i g
        c_new += i * g
        tanh_c = tanh_c_all[t, :n]
        np.tanh(c_new, out=tanh_c)
        h_new = result[t, :n]
        np.multiply(o, tanh_c, out=h_new)  # h' = o tanh(c')
        h_state[:n] = h_new
    saved = (x, w_ih, w_hh, acts, h_prev_all, c_prev_all, tanh_c_all)
    return result, saved


def _lstm_backward(saved, grad, batch_sizes, reverse, needs):
    """BPTT through the layer; ``grad`` is dL/d result (T+2, B, H). Returns the 7 input grads."""
    x, w_ih, w_hh, acts, h_prev_all, c_prev_all, tanh_c_all = saved
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    h3 = 3 * hidden
    perm = _lstm_perm(hidden)
    w_hh_p = w_hh[perm]  # (4H, H), unscaled, rows [i, f, o, g]
    d_out = grad[:length]  # (T, B, H)
    dh = grad[length].copy()  # (B, H) dL/dh flowing backwards in time
    dc = grad[length + 1].copy()
    packed = batch_sizes is not None
    d_gates = (np.zeros if packed else np.empty)((length, batch, 4 * hidden), dtype=x.dtype)
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, not reverse):
        n = sizes[t]
        a = acts[t, :n]
        i, f, o, g = a[:, :hidden], a[:, hidden : 2 * hidden], a[:, 2 * hidden : h3], a[:, h3:]
        tanh_c = tanh_c_all[t, :n]
        dh_t = dh[:n] + d_out[t, :n]  # (n, H)
        d = d_gates[t, :n]  # (n, 4H)
        np.multiply(dh_t, tanh_c, out=d[:, 2 * hidden : h3])  # do
        dc_t = tanh_c * tanh_c
        np.subtract(1.0, dc_t, out=dc_t)
        dc_t *= o
        dc_t *= dh_t
        dc_t += dc[:n]  # dc_t = dc + dh o (1 - tanh(c)^2)
        np.multiply(dc_t, g, out=d[:, :hidden])  # di
        np.multiply(dc_t, c_prev_all[t, :n], out=d[:, hidden : 2 * hidden])  # df
        np.multiply(dc_t, i, out=d[:, h3:])  # dg
        np.multiply(dc_t, f, out=dc[:n])  # dc_prev
        sig = a[:, :h3]
        slope = 1.0 - sig
        slope *= sig
        d[:, :h3] *= slope  # sigmoid' = s (1 - s)
        slope = g * g
        np.subtract(1.0, slope, out=slope)
        d[:, h3:] *= slope  # tanh' = 1 - g^2
        np.matmul(d, w_hh_p, out=dh[:n])  # dh_prev
    dg2 = d_gates.reshape(length * batch, 4 * hidden)  # (T*B, 4H)
    dx = dw_ih = dw_hh = db = None
    if needs[0]:
        dx = (dg2 @ w_ih[perm]).reshape(length, batch, n_in)
    if needs[3]:
        dw_ih = np.empty_like(w_ih)
        dw_ih[perm] = dg2.T @ x.reshape(length * batch, n_in)  # (4H, I)
    if needs[4]:
        dw_hh = np.empty_like(w_hh)
        dw_hh[perm] = dg2.T @ h_prev_all.reshape(length * batch, hidden)  # (4H, H)
    if (len(needs) > 5 and needs[5]) or (len(needs) > 6 and needs[6]):
        db = np.empty(4 * hidden, dtype=x.dtype)
        db[perm] = dg2.sum(axis=0)
    return dx, dh, dc, dw_ih, dw_hh, db, db


# --------------------------------------------------------------------------- GRU kernels
def _gru_forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
    """Run the layer; returns (result (T+1, B, H) = [outputs, h_n], saved state)."""
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    w_ih_s = w_ih.copy()  # (3H, I) rows [r, z, n]
    w_ih_s[:h2] *= 0.5  # halve the sigmoid rows (exact)
    w_hh_s = w_hh.copy()
    w_hh_s[:h2] *= 0.5
    w_hh_st = np.ascontiguousarray(w_hh_s.T)  # (H, 3H)
    acts = (x.reshape(length * batch, n_in) @ w_ih_s.T).reshape(length, batch, 3 * hidden)
    if b_ih is not None:
        b = b_ih.copy()
        b[:h2] *= 0.5
        acts += b
    b_hh_s = None
    if b_hh is not None:
        b_hh_s = b_hh.copy()
        b_hh_s[:h2] *= 0.5
    packed = batch_sizes is not None
    alloc = np.zeros if packed else np.empty
    result = np.zeros((length + 1, batch, hidden), dtype=x.dtype)  # outputs, h_n
    h_prev_all = alloc((length, batch, hidden), dtype=x.dtype)
    hn_all = alloc((length, batch, hidden), dtype=x.dtype)  # W_hn h + b_hn of every step
    h_state = result[length]
    h_state[...] = h0
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, reverse):
        n = sizes[t]
        h_prev = h_prev_all[t, :n]  # (n, H)
        h_prev[...] = h_state[:n]
        hh = h_prev @ w_hh_st  # (n, 3H)
        if b_hh_s is not None:
            hh += b_hh_s
        a = acts[t, :n]  # (n, 3H)
        rz = a[:, :h2]
        rz += hh[:, :h2]
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5  # r, z = sigmoid(.)
        r, z, cand = a[:, :hidden], a[:, hidden:h2], a[:, h2:]
        hn = hn_all[t, :n]
        hn[...] = hh[:, h2:]
        cand += r * hn
        np.tanh(cand, out=cand)  # n = tanh(x W_in + b_in + r (h W_hn + b_hn))
        h_new = result[t, :n]
        np.subtract(h_prev, cand, out=h_new)
        h_new *= z
        h_new += cand  # h' = n + z (h - n) = (1 - z) n + z h
        h_state[:n] = h_new
    saved = (x, w_ih, w_hh, acts, h_prev_all, hn_all)
    return result, saved


def _gru_backward(saved, grad, batch_sizes, reverse, needs):
    """BPTT through the GRU layer; ``grad`` is dL/d result (T+1, B, H)."""
    x, w_ih, w_hh, acts, h_prev_all, hn_all = saved
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    h2 = 2 * hidden
    d_out = grad[:length]
    dh = grad[length].copy()  # (B, H)
    packed = batch_sizes is not None
    alloc = np.zeros if packed else np.empty
    d_in = alloc((length, batch, 3 * hidden), dtype=x.dtype)  # d input pre-activations
    d_hid = alloc((length, batch, 3 * hidden), dtype=x.dtype)  # d (h W_hh^T + b_hh)
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, not reverse):
        n = sizes[t]
        a = acts[t, :n]
        r, z, cand = a[:, :hidden], a[:, hidden:h2], a[:, h2:]
        h_prev = h_prev_all[t, :n]
        dh_t = dh[:n] + d_out[t, :n]  # (n, H)
        di = d_in[t, :n]
        dn = di[:, h2:]
        np.subtract(1.0, z, out=dn)
        dn *= dh_t
        slope = cand * cand
        np.subtract(1.0, slope, out=slope)
        dn *= slope  # dn_pre = dh (1 - z)(1 - n^2)
        dz = di[:, hidden:h2]
        np.subtract(h_prev, cand, out=dz)
        dz *= dh_t
        slope = 1.0 - z
        slope *= z
        dz *= slope  # dz_pre = dh (h - n) z (1 - z)
        dr = di[:, :hidden]
        np.multiply(dn, hn_all[t, :n], out=dr)
        slope = 1.0 - r
        slope *= r
        dr *= slope  # dr_pre = dn_pre (h W_hn + b_hn) r (1 - r)
        dhh = d_hid[t, :n]
        dhh[:, :h2] = di[:, :h2]
        np.multiply(dn, r, out=dhh[:, h2:])
        dh_new = dhh @ w_hh  # (n, H)
        dh_t *= z
        dh_new += dh_t
        dh[:n] = dh_new  # dh_prev = d_hid W_hh + dh z
    di2 = d_in.reshape(length * batch, 3 * hidden)
    dh2 = d_hid.reshape(length * batch, 3 * hidden)
    dx = dw_ih = dw_hh = db_ih = db_hh = None
    if needs[0]:
        dx = (di2 @ w_ih).reshape(length, batch, n_in)
    if needs[2]:
        dw_ih = di2.T @ x.reshape(length * batch, n_in)  # (3H, I)
    if needs[3]:
        dw_hh = dh2.T @ h_prev_all.reshape(length * batch, hidden)  # (3H, H)
    if len(needs) > 4 and needs[4]:
        db_ih = di2.sum(axis=0)
    if len(needs) > 5 and needs[5]:
        db_hh = dh2.sum(axis=0)
    return dx, dh, dw_ih, dw_hh, db_ih, db_hh


# --------------------------------------------------------------------------- Elman RNN kernels
def _rnn_forward(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu):
    """Run the layer; returns (result (T+1, B, H) = [outputs, h_n], saved state)."""
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    acts = (x.reshape(length * batch, n_in) @ w_ih.T).reshape(length, batch, hidden)
    bias = _bias_sum(b_ih, b_hh)
    if bias is not None:
        acts += bias
    w_hh_t = np.ascontiguousarray(w_hh.T)
    packed = batch_sizes is not None
    result = np.zeros((length + 1, batch, hidden), dtype=x.dtype)
    h_prev_all = (np.zeros if packed else np.empty)((length, batch, hidden), dtype=x.dtype)
    h_state = result[length]
    h_state[...] = h0
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, reverse):
        n = sizes[t]
        h_prev = h_prev_all[t, :n]
        h_prev[...] = h_state[:n]
        a = acts[t, :n]  # (n, H)
        a += h_prev @ w_hh_t
        if relu:
            np.maximum(a, 0.0, out=a)
        else:
            np.tanh(a, out=a)
        result[t, :n] = a
        h_state[:n] = a
    return result, (x, w_ih, w_hh, acts, h_prev_all)


def _rnn_backward(saved, grad, batch_sizes, reverse, needs, relu):
    x, w_ih, w_hh, acts, h_prev_all = saved
    length, batch, n_in = x.shape
    hidden = w_hh.shape[1]
    d_out = grad[:length]
    dh = grad[length].copy()
    packed = batch_sizes is not None
    d_pre = (np.zeros if packed else np.empty)((length, batch, hidden), dtype=x.dtype)
    sizes = _sizes(batch_sizes, length, batch)
    for t in _steps(length, not reverse):
        n = sizes[t]
        a = acts[t, :n]
        d = d_pre[t, :n]
        np.add(dh[:n], d_out[t, :n], out=d)
        if relu:
            d *= a > 0
        else:
            d *= 1.0 - a * a
        np.matmul(d, w_hh, out=dh[:n])
    d2 = d_pre.reshape(length * batch, hidden)
    dx = dw_ih = dw_hh = db = None
    if needs[0]:
        dx = (d2 @ w_ih).reshape(length, batch, n_in)
    if needs[2]:
        dw_ih = d2.T @ x.reshape(length * batch, n_in)
    if needs[3]:
        dw_hh = d2.T @ h_prev_all.reshape(length * batch, hidden)
    if (len(needs) > 4 and needs[4]) or (len(needs) > 5 and needs[5]):
        db = d2.sum(axis=0)
    return dx, dh, dw_ih, dw_hh, db, db
