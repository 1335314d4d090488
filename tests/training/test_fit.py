"""fit / evaluate / History / EarlyStopping / LRSchedulerCallback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from glassml import nn
from glassml.autograd import Tensor, manual_seed
from glassml.autograd.fused import cross_entropy, mse_loss
from glassml.data import DataLoader, TensorDataset
from glassml.optim import SGD, Adam
from glassml.optim.lr_scheduler import ReduceLROnPlateau, StepLR
from glassml.training import EarlyStopping, History, LRSchedulerCallback, accuracy, evaluate, fit


def _blobs(n=200, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = (rng.normal(size=(n, 2)) + 3 * np.eye(3)[y][:, :2]).astype(np.float32)
    return X, y


def test_fit_equals_manual_torch_loop():
    """One full-batch-free run of fit (no shuffle) equals the same loop in torch (float64)."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 2))
    model = nn.Sequential(
        nn.Linear(3, 5, dtype=np.float64), nn.Tanh(), nn.Linear(5, 2, dtype=np.float64)
    )
    ref = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2)
    ).double()
    ref.load_state_dict({k: torch.from_numpy(v.data.copy()) for k, v in model.state_dict().items()})
    hist = fit(
        model,
        mse_loss,
        SGD(model.parameters(), lr=0.1, momentum=0.9),
        DataLoader(TensorDataset(X, Y), batch_size=8),
        epochs=3,
        progress=False,
    )
    opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(3):
        total = 0.0
        for i in range(0, 40, 8):
            loss = torch.nn.functional.mse_loss(
                ref(torch.from_numpy(X[i : i + 8])), torch.from_numpy(Y[i : i + 8])
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * 8
        losses.append(total / 40)
    np.testing.assert_allclose(hist["loss"], losses, rtol=1e-12)
    for k, v in ref.state_dict().items():
        np.testing.assert_allclose(model.state_dict()[k].data, v.numpy(), rtol=1e-11, atol=1e-13)


def test_fit_validation_metrics_and_history():
    manual_seed(0)
    X, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    tr = DataLoader(TensorDataset(X[:150], y[:150]), batch_size=32, shuffle=True, generator=0)
    va = DataLoader(TensorDataset(X[150:], y[150:]), batch_size=64)
    h = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.01),
        tr,
        va,
        epochs=15,
        metrics=["accuracy"],
        progress=True,
    )
    assert isinstance(h, History) and h.epoch == list(range(15))
    assert set(h) >= {"loss", "accuracy", "val_loss", "val_accuracy", "lr"}
    assert h["loss"][-1] < h["loss"][0]
    assert h["val_accuracy"][-1] > 0.85
    logs = evaluate(model, cross_entropy, va, metrics=["accuracy"])
    assert logs["loss"] == pytest.approx(h["val_loss"][-1], rel=1e-6)
    assert model.training  # evaluate restored train mode
    import matplotlib

    matplotlib.use("Agg")
    ax = h.plot(keys=["loss", "val_loss"])
    assert len(ax.lines) == 2


def test_early_stopping_restores_best_weights():
    """RG-06: stop after `patience` epochs without improvement and restore the best weights."""
    X, y = _blobs(100, seed=1)
    manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 3))
    tr = DataLoader(TensorDataset(X[:20], y[:20]), batch_size=20)
    va = DataLoader(TensorDataset(X[20:], y[20:]), batch_size=80)
    stop = EarlyStopping(patience=3, restore_best_weights=True)
    h = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.2),
        tr,
        va,
        epochs=200,
        callbacks=[stop],
        progress=False,
    )
    assert len(h["loss"]) < 200
    assert stop.stopped_epoch == len(h["loss"]) - 1
    assert len(h["loss"]) - 1 - stop.best_epoch == 3
    best = min(h["val_loss"])
    assert evaluate(model, cross_entropy, va)["loss"] == pytest.approx(best, rel=1e-5)


def test_scheduler_in_fit_and_callback():
    X, y = _blobs(64)
    model = nn.Linear(2, 3)
    loader = DataLoader(TensorDataset(X, y), batch_size=64)
    opt = SGD(model.parameters(), lr=1.0)
    h = fit(
        model, cross_entropy, opt, loader, epochs=5, scheduler=StepLR(opt, 2, 0.5), progress=False
    )
    assert h["lr"] == [1.0, 1.0, 0.5, 0.5, 0.25]
    opt2 = SGD(model.parameters(), lr=1.0)
    plateau = ReduceLROnPlateau(opt2, factor=0.5, patience=0, threshold=10.0)  # never "improves"
    h2 = fit(
        model,
        cross_entropy,
        opt2,
        loader,
        epochs=3,
        callbacks=[LRSchedulerCallback(plateau)],
        progress=False,
    )
    assert h2["lr"] == [1.0, 0.5, 0.25]


def test_accuracy_metric():
    assert accuracy(np.array([[0.1, 0.9], [2.0, 1.0]]), np.array([1, 1])) == 0.5
    assert accuracy(np.array([[1.0], [-1.0]]), np.array([1, 1])) == 0.5


def test_nonfinite_loss_stops_training():
    X = np.array([[1e30, 1e30]], dtype=np.float32)
    model = nn.Linear(2, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        h = fit(
            model,
            mse_loss,
            SGD(model.parameters(), lr=1e10),
            DataLoader(TensorDataset(X, np.ones((1, 1), np.float32))),
            epochs=5,
            progress=False,
        )
    assert len(h["loss"]) < 5


@pytest.mark.parametrize(
    "kw,exc,match",
    [
        (dict(epochs=0), ValueError, "epochs"),
        (dict(metrics=["f1ish"]), ValueError, "unknown metric"),
        (dict(metrics=[3]), TypeError, "metrics"),
    ],
)
def test_bad_fit_arguments(kw, exc, match):
    model = nn.Linear(2, 3)
    loader = DataLoader(TensorDataset(*_blobs(10)), batch_size=5)
    with pytest.raises(exc, match=match):
        fit(
            model,
            cross_entropy,
            SGD(model.parameters(), lr=0.1),
            loader,
            progress=False,
            **{"epochs": 1, **kw},
        )


@pytest.mark.parametrize(
    "kw,match",
    [
        (dict(patience=-1), "patience"),
        (dict(min_delta=-0.1), "min_delta"),
        (dict(mode="up"), "mode"),
    ],
)
def test_bad_early_stopping(kw, match):
    with pytest.raises(ValueError, match=match):
        EarlyStopping(**kw)


def test_tensor_batches_required():
    model = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="pair"):
        fit(
            model,
            cross_entropy,
            SGD(model.parameters(), lr=0.1),
            [Tensor(np.zeros((2, 2)))],
            progress=False,
        )
