"""Truncated backpropagation through time (TBPTT).

Full BPTT over a stream of N steps costs O(N) memory and one update per stream. TBPTT cuts the
stream into windows of k steps: the hidden state is carried forward from window to window (the
model still *sees* the whole past), but it is *detached* at every window boundary, so the
gradient of a window's loss stops there:

    dL_w / dh_{t0} is not propagated into window w-1     (t0 = first step of window w)

This bounds memory and lets the model update every k steps; the price is that dependencies
longer than k steps get no gradient signal (RN-02).

Data layout (language models): a 1-D token stream is split into B contiguous sub-streams (one
per batch row); consecutive windows continue each other row by row, so the state of row b at
the end of window w is the correct initial state for window w+1.

Inventory: RN-02, OP-20 (gradient clipping in the loop).

Example
-------
>>> import numpy as np
>>> x, y = next(tbptt_batches(np.arange(21), batch_size=2, seq_len=4))
>>> x.tolist(), y.tolist()
([[0, 1, 2, 3], [10, 11, 12, 13]], [[1, 2, 3, 4], [11, 12, 13, 14]])
"""

from __future__ import annotations

import numbers
import sys

import numpy as np

from glassml.autograd import Tensor

__all__ = ["detach_state", "tbptt_batches", "tbptt_train"]


def detach_state(state):
    """Cut the graph behind a recurrent state: Tensors are detached, tuples/lists recursed.

    Example
    -------
    >>> from glassml.autograd import ones
    >>> h = ones(2, requires_grad=True) * 2
    >>> detach_state((h, None))[0].requires_grad
    False
    """
    if state is None:
        return None
    if isinstance(state, Tensor):
        return state.detach()
    if isinstance(state, tuple | list):
        return type(state)(detach_state(s) for s in state)
    raise TypeError(f"detach_state: expected a Tensor, a tuple/list of them or None, got "
                    f"{type(state).__name__}")  # fmt: skip


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def tbptt_batches(data, batch_size, seq_len, *, offset=0):
    """Yield (x, y) windows (B, k) of a 1-D stream for next-token prediction with TBPTT.

    The stream (N,) is cut into ``batch_size`` contiguous rows of length L = (N - offset - 1)
    // B; window j is x = rows[:, jk : jk + k], y = x shifted by one step (the last window may
    be shorter). Row b of window j+1 continues row b of window j.

    Parameters
    ----------
    data : 1-D array of token ids (N,)
    batch_size : int (B);  seq_len : int (k)
    offset : int — skip the first ``offset`` tokens (vary it per epoch for new window cuts)

    Example
    -------
    >>> [x.shape for x, _ in tbptt_batches(np.arange(23), 2, 5)]
    [(2, 5), (2, 5), (2, 1)]
    """
    data = np.asarray(data)
    if data.ndim != 1:
        raise ValueError(f"tbptt_batches: data must be a 1-D token stream, got shape {data.shape}")
    batch_size = _positive_int(batch_size, "batch_size")
    seq_len = _positive_int(seq_len, "seq_len")
    row_len = (len(data) - offset - 1) // batch_size
    if row_len < 1:
        raise ValueError(
            f"tbptt_batches: a stream of {len(data)} tokens is too short for batch_size="
            f"{batch_size} (need at least batch_size + 1 + offset tokens)"
        )
    used = data[offset : offset + batch_size * row_len + 1]
    inputs = used[:-1].reshape(batch_size, row_len)  # (B, L)
    targets = used[1:].reshape(batch_size, row_len)  # (B, L): row b shifted by one token
    for start in range(0, row_len, seq_len):
        yield inputs[:, start : start + seq_len], targets[:, start : start + seq_len]


def tbptt_train(
    model,
    loss_fn,
    optimizer,
    data,
    batch_size,
    seq_len,
    *,
    epochs=1,
    max_steps=None,
    clip_grad_norm=None,
    progress=True,
    on_step=None,
):
    """Train a stateful sequence model with truncated BPTT; returns the list of window losses.

    Each step: ``output, state = model(x, state)``; ``loss = loss_fn(output, y)``; backward;
    optional gradient clipping (``clip_grad_norm_``); ``optimizer.step()``; then
    ``state = detach_state(state)`` so the next window's gradient stops at the boundary.
    The state is reset to None at the start of each epoch.

    Parameters
    ----------
    model : callable ``model(x (B, k) int Tensor, state) -> (output, state)``
    loss_fn : callable ``loss_fn(output, y (B, k) int Tensor) -> scalar Tensor``
    optimizer : glassml optimizer over the model's parameters
    data : 1-D token stream;  batch_size, seq_len : int
    epochs : int;  max_steps : int, optional — stop after this many updates
    clip_grad_norm : float, optional — clip the global gradient norm to this value
    progress : bool — tqdm progress bar
    on_step : callable ``on_step(step, loss)``, optional

    Example
    -------
    >>> # losses = tbptt_train(lm, lm.loss, Adam(lm.parameters(), 2e-3), ids, 32, 64)
    """
    from glassml.nn.utils import clip_grad_norm_

    epochs = _positive_int(epochs, "epochs")
    params = [p for g in optimizer.param_groups for p in g["params"]]
    windows = sum(1 for _ in tbptt_batches(data, batch_size, seq_len))
    total = windows * epochs if max_steps is None else min(windows * epochs, int(max_steps))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc="tbptt", leave=False, file=sys.stderr)
    losses, step = [], 0
    try:
        for _ in range(epochs):
            state = None
            for x, y in tbptt_batches(data, batch_size, seq_len):
                if step >= total:
                    break
                output, state = model(Tensor(x), state)
                loss = loss_fn(output, Tensor(y))
                optimizer.zero_grad()
                loss.backward()
                if clip_grad_norm is not None:
                    clip_grad_norm_(params, clip_grad_norm)
                optimizer.step()
                state = detach_state(state)  # the truncation: no gradient past this boundary
                losses.append(float(loss))
                step += 1
                if on_step is not None:
                    on_step(step, losses[-1])
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{losses[-1]:.3f}")
    finally:
        if bar is not None:
            bar.close()
    return losses
