"""MLflow tracking of glassml train: run, params, metrics, artifacts, nested search runs, the
best run by metric (CL-218, parity with glassml.tracking), and the pyfunc model served over
HTTP by ``mlflow models serve`` giving glassml predict's predictions (ET-04)."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from glassml.tracking import Tracker
from glassml.workflow.predict import predict
from glassml.workflow.table import read_csv
from glassml.workflow.tracking import disable_telemetry
from glassml.workflow.train import train

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HAS_SQL = all(importlib.util.find_spec(m) for m in ("sqlalchemy", "alembic"))


def _uri(tmp: Path) -> str:
    # a real SQLite tracking store (sqlalchemy + alembic are installed by `make test`)
    return f"sqlite:///{tmp / 'mlflow.db'}"


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mlflow")
    uri = _uri(tmp)
    result = train(EXAMPLES / "grid_search_ridge.toml", out=tmp / "run", track=True,
                   tracking_uri=uri, quiet=True)  # fmt: skip
    return result, uri, tmp


@pytest.mark.slow
def test_run_params_metrics_artifacts(tracked):
    disable_telemetry()
    import mlflow
    from mlflow.tracking import MlflowClient

    result, uri, _ = tracked
    client = MlflowClient(uri)
    run = client.get_run(result.run_id)
    assert run.data.params["model.name"] == "Ridge"
    assert run.data.params["search.method"] == "grid"
    assert run.data.metrics["r2"] == pytest.approx(result.metrics["r2"], abs=1e-12)
    artifacts = {a.path for a in client.list_artifacts(result.run_id)}
    expected = {"metrics.json", "config.toml", "residuals.png", "predicted_vs_true.png"}
    assert expected | {"glassml_model"} <= artifacts
    # ET-06: one nested run per grid candidate; the best by metric is the search's best (CL-218)
    exp = run.info.experiment_id
    children = mlflow.search_runs(
        [exp], filter_string=f"tags.mlflow.parentRunId = '{result.run_id}'",
        order_by=["metrics.cv_score DESC"], output_format="list",
    )  # fmt: skip
    assert len(children) == len(result.search_results) == 5
    best_alpha = max(result.search_results, key=lambda r: r["score"])["params"]["alpha"]
    assert float(children[0].data.params["alpha"]) == best_alpha
    # the same sweep logged to glassml's own tracker finds the same best run
    tracker = Tracker(Path(result.out_dir) / "glassml-runs", experiment="sweep")
    for cand in result.search_results:
        with tracker.start_run() as r:
            r.log_params(cand["params"])
            r.log_metric("cv_score", cand["score"])
    assert float(tracker.best_run("cv_score").params["alpha"]) == best_alpha


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_served_model_matches_glassml_predict(tmp_path):
    uri = _uri(tmp_path)
    result = train(EXAMPLES / "csv_customers.toml", out=tmp_path / "run", track=True,
                   tracking_uri=uri, quiet=True)  # fmt: skip
    data = EXAMPLES / "data" / "customers_new.csv"
    expected = predict(tmp_path / "run" / "model", data)["prediction"]
    table = read_csv(data)
    rows = [[None if isinstance(v, float) and np.isnan(v) else v for v in row]
            for row in zip(*[table.data[c].tolist() for c in table.columns], strict=True)]  # fmt: skip
    body = json.dumps({"dataframe_split": {"columns": table.columns, "data": rows}}).encode()
    port = _free_port()
    env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "MLFLOW_ENABLE_TELEMETRY": "false",
           "DO_NOT_TRACK": "1", "MLFLOW_ALLOW_FILE_STORE": "true"}  # fmt: skip
    mlflow_cli = Path(sys.executable).with_name("mlflow")
    # the server runs `uvicorn` from PATH: put this interpreter's scripts folder first
    env["PATH"] = f"{mlflow_cli.parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.Popen(
        [str(mlflow_cli), "models", "serve", "-m", f"runs:/{result.run_id}/model",
         "--env-manager", "local", "-h", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        answer = None
        while time.monotonic() < deadline and answer is None:
            if proc.poll() is not None:
                pytest.fail(f"mlflow models serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/invocations", data=body,
                                             headers={"Content-Type": "application/json"})  # fmt: skip
                with urllib.request.urlopen(req, timeout=10) as resp:
                    answer = json.loads(resp.read())
            except OSError:
                time.sleep(1.0)
        assert answer is not None, "the model server did not answer within 120 s"
        served = np.asarray(answer["predictions"])
        np.testing.assert_array_equal(served.astype(str), expected.astype(str))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_sqlite_store_dependencies_are_named(tmp_path):
    from glassml.workflow.tracking import _mlflow

    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert HAS_SQL, "make test installs sqlalchemy and alembic (the mlflow extra)"
    assert _mlflow(uri).get_tracking_uri() == uri
    assert os.environ["MLFLOW_ENABLE_TELEMETRY"] == "false" and os.environ["DO_NOT_TRACK"] == "1"
