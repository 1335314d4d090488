"""Training callbacks: early stopping and learning-rate scheduling hooks for :func:`fit`.

EarlyStopping (RG-06, CL-006): after each epoch compare the monitored metric with the best so
far; an improvement must beat it by ``min_delta``; after ``patience`` epochs without one, stop
(and optionally restore the best weights).

Inventory: OP-22, RG-06, OP-14.

Example
-------
>>> stopper = EarlyStopping(patience=3, min_delta=1e-4, restore_best_weights=True)
>>> # history = fit(model, loss_fn, opt, train_loader, val_loader, epochs=100, callbacks=[stopper])
"""

from __future__ import annotations

import copy
import math

__all__ = ["Callback", "EarlyStopping", "LRSchedulerCallback"]


class Callback:
    """Base class. Hooks receive the epoch index, the epoch's logs dict and the trainer state
    (with ``model``, ``optimizer`` and ``stop_training``)."""

    def on_train_begin(self, state) -> None:
        pass

    def on_epoch_end(self, epoch: int, logs: dict, state) -> None:
        pass

    def on_train_end(self, state) -> None:
        pass


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : str, default "val_loss" (falls back to "loss" without validation data)
    patience : int, default 5
    min_delta : float, default 0
    mode : {"min", "max"}, default "min"
    restore_best_weights : bool, default False
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        mode: str = "min",
        restore_best_weights: bool = False,
    ):
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an int >= 0, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta, self.mode = monitor, patience, min_delta, mode
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, state) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = -1
        self.wait = 0
        self.stopped_epoch = None
        self._best_state = None

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: dict, state) -> None:
        key = self.monitor if self.monitor in logs else "loss"
        if key not in logs:
            raise KeyError(
                f"EarlyStopping: monitored metric {self.monitor!r} not in {sorted(logs)}"
            )
        value = float(logs[key])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_state = copy.deepcopy(
                    {k: v.data.copy() for k, v in state.model.state_dict().items()}
                )
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                state.stop_training = True

    def on_train_end(self, state) -> None:
        if self.restore_best_weights and self._best_state is not None:
            state.model.load_state_dict(self._best_state)


class LRSchedulerCallback(Callback):
    """Step a scheduler at the end of every epoch (``ReduceLROnPlateau`` gets ``monitor``)."""

    def __init__(self, scheduler, monitor: str = "val_loss"):
        self.scheduler, self.monitor = scheduler, monitor

    def on_epoch_end(self, epoch: int, logs: dict, state) -> None:
        from glassml.optim.lr_scheduler import ReduceLROnPlateau

        if isinstance(self.scheduler, ReduceLROnPlateau):
            key = self.monitor if self.monitor in logs else "loss"
            self.scheduler.step(logs[key])
        else:
            self.scheduler.step()
