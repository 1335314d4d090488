"""Grad modes: switch graph recording on and off, per thread.

``no_grad()`` turns recording off (inference, optimizer steps), ``enable_grad()`` turns it back on
inside a ``no_grad`` block, ``set_grad_enabled(mode)`` sets it explicitly. Each is a context
manager and a decorator, like PyTorch's. The flag is thread-local, so a data-loading thread in
``no_grad`` does not switch recording off for the training thread.

Inventory: AG-09.

Example
-------
>>> from glassml.autograd import tensor, no_grad
>>> x = tensor([1.0, 2.0], requires_grad=True)
>>> with no_grad():
...     y = x * 2
>>> y.requires_grad
False
"""

from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _GradState(threading.local):
    enabled = True


_state = _GradState()

# How many threads have grad mode off right now. Zero (the usual state while a model runs
# forward) means it is on in every thread, so the hot path of every op can test this list entry
# instead of the thread-local flag, which costs a per-thread dictionary lookup (issue 4). Over-
# counting (a thread that exits inside no_grad) is harmless: the ops then read the flag.
_threads_without_grad = [0]
_count_lock = threading.Lock()


def _set_mode(mode: bool) -> bool:
    """Set this thread's grad mode and return the previous one (the only writer of the flag)."""
    prev = _state.enabled
    if mode != prev:
        with _count_lock:
            _threads_without_grad[0] += -1 if mode else 1
        _state.enabled = mode
    return prev


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded for backward."""
    return _state.enabled


class _GradModeBase:
    """A context manager that is also a decorator; restores the previous mode on exit."""

    _mode: bool

    def __enter__(self):
        self._prev = _set_mode(self._mode)
        return self

    def __exit__(self, *exc):
        _set_mode(self._prev)
        return False

    def __call__(self, fn):
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _set_mode(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                _set_mode(prev)

        return wrapper


class no_grad(_GradModeBase):
    """Context manager / decorator that disables graph recording.

    Example
    -------
    >>> @no_grad()
    ... def evaluate(x):
    ...     return x * 2
    """

    _mode = False


class enable_grad(_GradModeBase):
    """Context manager / decorator that enables graph recording (e.g. inside ``no_grad``)."""

    _mode = True


class set_grad_enabled(_GradModeBase):
    """Set grad mode to ``mode``; effective immediately, and restored on exit as a context manager.

    Example
    -------
    >>> with set_grad_enabled(False):
    ...     pass
    """

    def __init__(self, mode: bool):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self._mode = mode
        self._prev = _set_mode(mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        # used as a decorator: undo the immediate switch made in __init__
        _set_mode(self._prev)
        return super().__call__(fn)
