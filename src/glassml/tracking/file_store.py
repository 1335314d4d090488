"""A local, file-based run tracker with MLflow's vocabulary (inventory ET-01, ET-02, ET-06, ET-07).

Layout under the tracking directory (one folder per run, plain JSON you can read by hand)::

    <root>/<experiment>/<run_id>/meta.json       run id, name, parent, status, start/end time
                                 params.json     {"lr": "0.01", ...}   (values stored as str)
                                 metrics.jsonl   one {"key", "value", "step", "time"} per line
                                 artifacts/      copies of logged files

Example
-------
>>> import tempfile
>>> tracker = Tracker(tempfile.mkdtemp())
>>> for lr in (0.1, 0.01):
...     with tracker.start_run(run_name=f"lr={lr}") as run:
...         run.log_param("lr", lr)
...         run.log_metric("accuracy", 0.9 if lr == 0.01 else 0.8)
>>> tracker.best_run("accuracy").params["lr"]
'0.01'
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Tracker",
    "Run",
    "RunRecord",
    "start_run",
    "log_param",
    "log_params",
    "log_metric",
    "log_metrics",
    "log_artifact",
    "set_tracking_dir",
    "active_tracker",
]

_NAME = re.compile(r"^[A-Za-z0-9_.\-/ ]{1,250}$")


def _check_key(key: str, what: str) -> str:
    if not isinstance(key, str) or not _NAME.match(key) or ".." in key:
        raise ValueError(
            f"{what}: expected a name of letters, digits, '_', '-', '.', '/' or "
            f"spaces, got {key!r}."
        )
    return key


@dataclass
class RunRecord:
    """A finished (or running) run as read back from the store."""

    run_id: str
    experiment: str
    name: str
    status: str
    start_time: float
    end_time: float | None
    parent_run_id: str | None
    params: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)  # last value of each metric
    history: dict = field(default_factory=dict)  # key -> list of (step, value)
    artifact_dir: Path | None = None


class Run:
    """An active run: log parameters, metrics (with steps) and artifacts."""

    def __init__(self, path: Path, run_id: str):
        self.path = path
        self.run_id = run_id

    def log_param(self, key: str, value) -> None:
        """Record a hyperparameter (stored as its string form; re-logging must not change it)."""
        _check_key(key, "param key")
        params_path = self.path / "params.json"
        params = json.loads(params_path.read_text())
        text = str(value)
        if key in params and params[key] != text:
            raise ValueError(
                f"param {key!r} was already logged as {params[key]!r}; a run's "
                f"parameters cannot change (got {text!r})."
            )
        params[key] = text
        params_path.write_text(json.dumps(params, indent=1, sort_keys=True))

    def log_params(self, params: dict) -> None:
        """Record several hyperparameters."""
        for k, v in params.items():
            self.log_param(k, v)

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        """Append a metric value (``step`` defaults to the number of values logged so far)."""
        _check_key(key, "metric key")
        value = float(value)
        log = self.path / "metrics.jsonl"
        if step is None:
            step = sum(json.loads(line)["key"] == key for line in log.read_text().splitlines())
        with open(log, "a", encoding="utf-8") as f:
            f.write(
                json.dumps({"key": key, "value": value, "step": int(step), "time": time.time()})
                + "\n"
            )

    def log_metrics(self, metrics: dict, step: int | None = None) -> None:
        """Append several metric values at the same step."""
        for k, v in metrics.items():
            self.log_metric(k, v, step)

    def log_artifact(self, local_path, artifact_path: str | None = None) -> Path:
        """Copy a file or folder into the run's artifacts (optionally into a sub-folder)."""
        src = Path(local_path)
        if not src.exists():
            raise FileNotFoundError(f"local_path: {src} does not exist.")
        dest_dir = self.path / "artifacts"
        if artifact_path:
            dest_dir = dest_dir / _check_key(artifact_path, "artifact_path")
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / src.name
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)
        return dest


class Tracker:
    """A file store of experiments and runs rooted at ``root``."""

    def __init__(self, root="glassml-runs", experiment: str = "default"):
        self.root = Path(root)
        self.experiment = _check_key(experiment, "experiment")
        self._stack: list[Run] = []

    @contextmanager
    def start_run(
        self, run_name: str | None = None, *, nested: bool = False, experiment: str | None = None
    ):
        """Context manager yielding a :class:`Run`; status FINISHED or FAILED on exit.

        ``nested=True`` records the enclosing active run as the parent (ET-06 sweeps).
        """
        if self._stack and not nested:
            raise RuntimeError(
                f"run {self._stack[-1].run_id} is already active; end it first or pass nested=True."
            )
        exp = _check_key(experiment or self.experiment, "experiment")
        run_id = uuid.uuid4().hex
        path = self.root / exp / run_id
        path.mkdir(parents=True)
        meta = {
            "run_id": run_id,
            "experiment": exp,
            "name": run_name or run_id[:8],
            "status": "RUNNING",
            "start_time": time.time(),
            "end_time": None,
            "parent_run_id": self._stack[-1].run_id if self._stack else None,
        }
        (path / "meta.json").write_text(json.dumps(meta, indent=1))
        (path / "params.json").write_text("{}")
        (path / "metrics.jsonl").write_text("")
        run = Run(path, run_id)
        self._stack.append(run)
        status = "FAILED"
        try:
            yield run
            status = "FINISHED"
        finally:
            self._stack.pop()
            meta.update(status=status, end_time=time.time())
            (path / "meta.json").write_text(json.dumps(meta, indent=1))

    @property
    def active_run(self) -> Run | None:
        """The innermost active run, if any."""
        return self._stack[-1] if self._stack else None

    def _read(self, path: Path) -> RunRecord:
        meta = json.loads((path / "meta.json").read_text())
        params = json.loads((path / "params.json").read_text())
        history: dict = {}
        for line in (path / "metrics.jsonl").read_text().splitlines():
            rec = json.loads(line)
            history.setdefault(rec["key"], []).append((rec["step"], rec["value"]))
        metrics = {k: v[-1][1] for k, v in history.items()}
        return RunRecord(
            meta["run_id"],
            meta["experiment"],
            meta["name"],
            meta["status"],
            meta["start_time"],
            meta["end_time"],
            meta["parent_run_id"],
            params,
            metrics,
            history,
            path / "artifacts",
        )

    def search_runs(
        self,
        *,
        experiment: str | None = None,
        order_by: str | None = None,
        status: str | None = None,
    ) -> list[RunRecord]:
        """All runs of an experiment; ``order_by="metrics.accuracy DESC"`` sorts by a metric
        (runs without it last); ``status`` filters (e.g. "FINISHED")."""
        exp_dir = self.root / (experiment or self.experiment)
        runs = [self._read(p) for p in sorted(exp_dir.iterdir())] if exp_dir.exists() else []
        if status:
            runs = [r for r in runs if r.status == status]
        runs.sort(key=lambda r: r.start_time)
        if order_by:
            m = re.fullmatch(
                r"(metrics|params)\.(\S+)(?:\s+(ASC|DESC))?", order_by.strip(), re.IGNORECASE
            )
            if not m:
                raise ValueError(
                    f"order_by: expected 'metrics.<key> [ASC|DESC]', got {order_by!r}."
                )
            kind, key, direction = m.group(1).lower(), m.group(2), (m.group(3) or "ASC").upper()
            have = [r for r in runs if key in getattr(r, kind)]
            missing = [r for r in runs if key not in getattr(r, kind)]
            have.sort(key=lambda r: getattr(r, kind)[key], reverse=direction == "DESC")
            runs = have + missing
        return runs

    def best_run(self, metric: str, *, mode: str = "max", experiment: str | None = None):
        """The finished run with the best value of ``metric`` (``mode`` "max" or "min")."""
        if mode not in ("max", "min"):
            raise ValueError(f"mode: expected 'max' or 'min', got {mode!r}.")
        runs = self.search_runs(
            experiment=experiment,
            status="FINISHED",
            order_by=f"metrics.{metric} {'DESC' if mode == 'max' else 'ASC'}",
        )
        runs = [r for r in runs if metric in r.metrics]
        if not runs:
            raise LookupError(f"no finished run has logged metric {metric!r}.")
        return runs[0]


_DEFAULT: dict = {"tracker": None}


def set_tracking_dir(root, experiment: str = "default") -> Tracker:
    """Set the module-level tracker used by :func:`start_run` and the ``log_*`` functions."""
    _DEFAULT["tracker"] = Tracker(root, experiment)
    return _DEFAULT["tracker"]


def active_tracker() -> Tracker:
    """The module-level tracker (``./glassml-runs`` unless :func:`set_tracking_dir` was called)."""
    if _DEFAULT["tracker"] is None:
        _DEFAULT["tracker"] = Tracker()
    return _DEFAULT["tracker"]


def start_run(run_name: str | None = None, *, nested: bool = False):
    """``with start_run():`` on the module-level tracker (MLflow style)."""
    return active_tracker().start_run(run_name, nested=nested)


def _active() -> Run:
    run = active_tracker().active_run
    if run is None:
        raise RuntimeError("no active run: use `with glassml.tracking.start_run():` first.")
    return run


def log_param(key, value):
    """Log a parameter to the active run."""
    _active().log_param(key, value)


def log_params(params):
    """Log parameters to the active run."""
    _active().log_params(params)


def log_metric(key, value, step=None):
    """Log a metric to the active run."""
    _active().log_metric(key, value, step)


def log_metrics(metrics, step=None):
    """Log metrics to the active run."""
    _active().log_metrics(metrics, step)


def log_artifact(local_path, artifact_path=None):
    """Copy a file into the active run's artifacts."""
    return _active().log_artifact(local_path, artifact_path)
