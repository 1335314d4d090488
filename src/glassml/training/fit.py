"""``fit`` / ``evaluate``: a small Keras-like training loop on top of Module + Optimizer.

One epoch: for each mini-batch (x, y): ``loss = loss_fn(model(x), y)``; ``zero_grad``;
``backward``; ``step``. After the epoch: the mean training loss (weighted by batch size), the
validation loss and metrics (under ``no_grad`` and ``model.eval()``), the callbacks (early
stopping, schedulers) and one row of the :class:`History`. A tqdm progress bar is shown only
when stderr is a terminal.

Inventory: OP-22, RG-06, MS-34.

Example
-------
>>> # history = fit(model, nn.CrossEntropyLoss(), Adam(model.parameters()), train_loader,
>>> #               val_loader, epochs=10, metrics=["accuracy"],
>>> #               callbacks=[EarlyStopping(patience=2)])
>>> # history["val_accuracy"][-1]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

from glassml.autograd import no_grad

from .callbacks import Callback

__all__ = ["fit", "evaluate", "History", "accuracy"]


def accuracy(output: np.ndarray, target: np.ndarray) -> float:
    """Fraction of rows whose arg-max (or >0 logit for one column) equals the target."""
    output = np.asarray(output)
    if output.ndim == 1 or output.shape[-1] == 1:
        pred = (output.reshape(len(output)) > 0).astype(np.int64)
    else:
        pred = output.argmax(axis=-1)
    return float(np.mean(pred == np.asarray(target).reshape(pred.shape)))


_NAMED_METRICS = {"accuracy": accuracy, "acc": accuracy}


def _resolve_metrics(metrics) -> dict[str, Callable]:
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return dict(metrics)
    out = {}
    for m in metrics:
        if isinstance(m, str):
            if m not in _NAMED_METRICS:
                raise ValueError(f"unknown metric {m!r}; known: {sorted(_NAMED_METRICS)}")
            out[m] = _NAMED_METRICS[m]
        elif callable(m):
            out[getattr(m, "__name__", "metric")] = m
        else:
            raise TypeError(f"metrics must be names or callables, got {type(m).__name__}")
    return out


class History(dict):
    """Per-epoch metrics: ``history["loss"]``, ``history["val_loss"]``, ...; ``.epoch`` lists
    the epoch indices and ``plot()`` draws every series."""

    def __init__(self):
        super().__init__()
        self.epoch: list[int] = []

    def append(self, epoch: int, logs: dict) -> None:
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.setdefault(k, []).append(float(v))

    def plot(self, ax=None, keys=None):
        """Draw the chosen series (default: all) against the epoch; returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        for k in keys or list(self):
            ax.plot(self.epoch, self[k], label=k)
        ax.set_xlabel("epoch")
        ax.legend()
        return ax


class _State:
    def __init__(self, model, optimizer):
        self.model, self.optimizer, self.stop_training = model, optimizer, False


def _unpack(batch):
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        raise ValueError("each batch must be a pair (inputs, targets)")
    return batch


def evaluate(model, loss_fn, loader, metrics=None) -> dict:
    """Mean loss and metrics of ``model`` over ``loader`` (eval mode, no gradients)."""
    metric_fns = _resolve_metrics(metrics)
    was_training = getattr(model, "training", False)
    model.eval()
    total, n = 0.0, 0
    outputs, targets = [], []
    with no_grad():
        for batch in loader:
            x, y = _unpack(batch)
            out = model(x)
            b = len(y)
            total += float(loss_fn(out, y).data) * b
            n += b
            if metric_fns:
                outputs.append(out.data)
                targets.append(y.data)
    model.train(was_training)
    if n == 0:
        raise ValueError("evaluate: the loader yielded no samples")
    logs = {"loss": total / n}
    if metric_fns:
        out_all, y_all = np.concatenate(outputs), np.concatenate(targets)
        for name, fn in metric_fns.items():
            logs[name] = float(fn(out_all, y_all))
    return logs


def fit(
    model,
    loss_fn,
    optimizer,
    train_loader,
    val_loader=None,
    epochs: int = 1,
    scheduler=None,
    metrics=None,
    callbacks: list[Callback] | None = None,
    progress: bool = True,
    scheduler_per_batch: bool = False,
    log_every: int = 0,
) -> History:
    """Train ``model`` for ``epochs`` epochs; returns the :class:`History`.

    Parameters
    ----------
    model : Module
    loss_fn : callable (output, target) -> scalar Tensor
    optimizer : glassml.optim.Optimizer
    train_loader, val_loader : iterables of (x, y) Tensor batches (DataLoader)
    epochs : int
    scheduler : LR scheduler stepped once per epoch (or per batch with scheduler_per_batch);
        ReduceLROnPlateau receives the validation loss (the training loss without validation)
    metrics : list of names ("accuracy") / callables, or dict name -> fn(output, target)
    callbacks : list of Callback (EarlyStopping, LRSchedulerCallback, ...)
    progress : bool — a tqdm bar when stderr is a terminal
    log_every : int — print a line every k epochs (0: never)
    """
    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    metric_fns = _resolve_metrics(metrics)
    callbacks = list(callbacks or [])
    history = History()
    state = _State(model, optimizer)
    for cb in callbacks:
        cb.on_train_begin(state)
    show = progress and sys.stderr.isatty()
    from glassml.optim.lr_scheduler import ReduceLROnPlateau

    for epoch in range(epochs):
        t0 = time.perf_counter()
        model.train()
        total, n = 0.0, 0
        bar = None
        if show:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(train_loader), desc=f"epoch {epoch + 1}/{epochs}", leave=False)
        outputs, targets = [], []
        for batch in train_loader:
            x, y = _unpack(batch)
            out = model(x)
            loss = loss_fn(out, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None and scheduler_per_batch:
                scheduler.step()
            value = float(loss.data)
            if not np.isfinite(value):
                state.stop_training = True
            b = len(y)
            total, n = total + value * b, n + b
            if metric_fns:
                outputs.append(out.data)
                targets.append(y.data)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{value:.4f}")
        if bar is not None:
            bar.close()
        if n == 0:
            raise ValueError("fit: the training loader yielded no samples")
        logs = {"loss": total / n}
        if metric_fns:
            out_all, y_all = np.concatenate(outputs), np.concatenate(targets)
            for name, fn in metric_fns.items():
                logs[name] = float(fn(out_all, y_all))
        if val_loader is not None:
            for k, v in evaluate(model, loss_fn, val_loader, metric_fns).items():
                logs["val_" + k] = v
        logs["lr"] = optimizer.param_groups[0]["lr"]
        if scheduler is not None and not scheduler_per_batch:
            if isinstance(scheduler, ReduceLROnPlateau):
                scheduler.step(logs.get("val_loss", logs["loss"]))
            else:
                scheduler.step()
        history.append(epoch, logs)
        for cb in callbacks:
            cb.on_epoch_end(epoch, logs, state)
        if log_every and (epoch + 1) % log_every == 0:
            shown = " ".join(f"{k}={v:.4g}" for k, v in logs.items())
            print(f"epoch {epoch + 1}/{epochs} {shown} ({time.perf_counter() - t0:.1f}s)")
        if state.stop_training:
            break
    for cb in callbacks:
        cb.on_train_end(state)
    return history
