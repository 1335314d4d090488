"""MLflow tracking for ``glassml train --track`` (inventory ET-01, ET-04, ET-06, ET-08).

Logs to the tracking URI (default ``sqlite:///mlflow.db`` in the working directory; any URI,
e.g. ``file:///tmp/mlruns``, by flag): the flattened config as params, final metrics,
per-epoch curves of iterative models (``history``: one metric value per step), artifacts
(metrics.json, plots, config.toml, the model folder), one nested run per search candidate
(ET-06), and the model as an MLflow pyfunc model logged from code
(:mod:`glassml.workflow.mlflow_pyfunc`) — no pickle anywhere, so
``mlflow models serve -m runs:/<id>/model --env-manager local`` serves it.

MLflow's telemetry is disabled (MLFLOW_ENABLE_TELEMETRY=false, DO_NOT_TRACK=1) before import.
The SQLite store needs SQLAlchemy and Alembic (``pip install mlflow-skinny sqlalchemy
alembic``); a missing one raises an error saying so.

Example
-------
>>> flatten({"model": {"name": "Ridge", "params": {"alpha": 1.0}}})
{'model.name': 'Ridge', 'model.params.alpha': 1.0}
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["flatten", "log_training", "disable_telemetry"]

PYFUNC_FILE = Path(__file__).with_name("mlflow_pyfunc.py")


def disable_telemetry() -> None:
    """Turn MLflow's usage telemetry off for this process and its children."""
    os.environ["MLFLOW_ENABLE_TELEMETRY"] = "false"
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ["DO_NOT_TRACK"] = "1"


def flatten(table: dict, prefix: str = "") -> dict:
    """Nested dict → {"a.b.c": value} (lists and scalars kept as values)."""
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _mlflow(uri: str):
    disable_telemetry()
    if uri.startswith("sqlite:"):
        missing = []
        for module in ("sqlalchemy", "alembic"):
            try:
                __import__(module)
            except ImportError:
                missing.append(module)
        if missing:
            raise ImportError(
                f"the MLflow SQLite store ({uri}) needs {' and '.join(missing)}: "
                f"pip install {' '.join(missing)} (or use --tracking-uri file:///path/mlruns)."
            )
    if uri.startswith("file:") or "://" not in uri:
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # the file store is what works offline
    try:
        import mlflow
    except ImportError as exc:  # pragma: no cover - mlflow is an optional extra
        raise ImportError("--track needs MLflow: pip install 'glassml[mlflow]'.") from exc
    mlflow.set_tracking_uri(uri)
    return mlflow


def log_training(cfg, result, *, uri: str, experiment: str) -> str:
    """Log one training result (see the module docstring); returns the MLflow run id."""
    mlflow = _mlflow(uri)
    mlflow.set_experiment(experiment)
    out_dir = Path(result.out_dir)
    with mlflow.start_run(run_name=cfg.source.stem if cfg.source else None) as run:
        params = {k: str(v)[:500] for k, v in flatten(cfg.raw).items()}
        mlflow.log_params(params)
        mlflow.log_metrics({k: float(v) for k, v in result.metrics.items()})
        import json

        history = json.loads((out_dir / "metrics.json").read_text()).get("history", {})
        for name, values in history.items():
            for step, value in enumerate(values):
                mlflow.log_metric(name, float(value), step=step)
        for candidate in result.search_results:
            with mlflow.start_run(run_name="candidate", nested=True):
                mlflow.log_params({k: str(v) for k, v in candidate["params"].items()})
                mlflow.log_metric("cv_score", candidate["score"])
        for path in [out_dir / "metrics.json", out_dir / "config.toml", *result.plots]:
            if Path(path).exists():
                mlflow.log_artifact(str(path))
        mlflow.log_artifacts(str(out_dir / "model"), artifact_path="glassml_model")
        mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PYFUNC_FILE),
            artifacts={"model": str(out_dir / "model")},
            pip_requirements=["glassml", "mlflow-skinny"],
        )
        return run.info.run_id
