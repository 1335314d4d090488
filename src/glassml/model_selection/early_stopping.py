"""Early stopping on a validation metric, for any training loop.

Inventory: MS-34, CL-110. Training stops once the monitored value has failed to improve by more
than ``min_delta`` for ``patience`` consecutive checks; the best value and its step are kept so
the loop can restore the best weights.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Patience-based early stopping.

    An improvement means value < best − min_delta (``mode="min"``, e.g. a loss) or
    value > best + min_delta (``mode="max"``, e.g. an accuracy). ``step(value)`` returns True
    when training should stop; ``best``, ``best_step`` and ``should_stop`` record the state.

    Parameters
    ----------
    patience : int >= 0
        Checks without improvement tolerated before stopping.
    min_delta : float >= 0
        Smallest change that counts as an improvement.
    mode : "min" or "max"

    Example
    -------
    >>> stopper = EarlyStopping(patience=2)
    >>> [stopper.step(v) for v in [1.0, 0.8, 0.9, 0.85, 0.7]]
    [False, False, False, True, True]
    >>> stopper.best, stopper.best_step
    (0.8, 1)
    """

    def __init__(self, patience=5, min_delta=0.0, mode="min"):
        if not isinstance(patience, numbers.Integral) or isinstance(patience, bool) or patience < 0:
            raise ValueError(f"patience: expected an integer >= 0, got {patience!r}.")
        if not isinstance(min_delta, numbers.Real) or not min_delta >= 0:
            raise ValueError(f"min_delta: expected a number >= 0, got {min_delta!r}.")
        if mode not in ("min", "max"):
            raise ValueError(f"mode: expected 'min' or 'max', got {mode!r}.")
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.mode = mode
        self.reset()

    def reset(self):
        """Forget the history (start a new training run)."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_step = None
        self.num_bad_steps = 0
        self.n_steps = 0
        self.should_stop = False

    def is_improvement(self, value) -> bool:
        """Whether ``value`` beats the best so far by more than ``min_delta``."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def step(self, value) -> bool:
        """Record the validation value of the current check; True means stop training."""
        value = float(value)
        if math.isnan(value):
            raise ValueError("value: the monitored metric is NaN; training has diverged.")
        if self.should_stop:
            self.n_steps += 1
            return True
        if self.is_improvement(value):
            self.best = value
            self.best_step = self.n_steps
            self.num_bad_steps = 0
        else:
            self.num_bad_steps += 1
            if self.num_bad_steps >= max(self.patience, 1):
                self.should_stop = True
        self.n_steps += 1
        return self.should_stop

    def __repr__(self):
        return (f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta}, "
                f"mode={self.mode!r})")  # fmt: skip
