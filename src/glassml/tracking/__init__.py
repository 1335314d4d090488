"""Experiment tracking: a small MLflow-like API over a local file store (inventory ET-01..ET-08).

glassml's own tracker needs nothing beyond the standard library, so experiments and tests can
record runs anywhere; the MLflow integration of ``glassml train --track`` (optional extra
``mlflow``) logs the same things to a real MLflow server or SQLite store.
"""

from .file_store import (
    Run,
    RunRecord,
    Tracker,
    active_tracker,
    log_artifact,
    log_metric,
    log_metrics,
    log_param,
    log_params,
    set_tracking_dir,
    start_run,
)

__all__ = [
    "Run",
    "RunRecord",
    "Tracker",
    "active_tracker",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "set_tracking_dir",
    "start_run",
]
