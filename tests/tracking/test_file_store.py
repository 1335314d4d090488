"""The local file-store tracker: runs, params, metric histories, artifacts, search, nesting."""

import json

import pytest

from glassml import tracking
from glassml.tracking import Tracker


def test_runs_are_recorded_and_searchable(tmp_path):
    tr = Tracker(tmp_path, experiment="sweep")
    for lr, acc in [(0.1, 0.80), (0.01, 0.93), (0.001, 0.88)]:
        with tr.start_run(run_name=f"lr={lr}") as run:
            run.log_params({"lr": lr, "layers": 2})
            for epoch in range(3):
                run.log_metric("loss", 1.0 / (epoch + 1))
            run.log_metric("accuracy", acc)
    runs = tr.search_runs(order_by="metrics.accuracy DESC")
    assert [r.params["lr"] for r in runs] == ["0.01", "0.001", "0.1"]
    best = tr.best_run("accuracy")
    assert best.name == "lr=0.01" and best.status == "FINISHED"
    assert best.history["loss"] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    assert tr.best_run("loss", mode="min").metrics["loss"] == pytest.approx(1 / 3)
    meta = json.loads((tmp_path / "sweep" / best.run_id / "meta.json").read_text())
    assert meta["end_time"] >= meta["start_time"]


def test_failed_run_status_and_nested_runs(tmp_path):
    tr = Tracker(tmp_path)
    with pytest.raises(ZeroDivisionError), tr.start_run("boom"):
        raise ZeroDivisionError("boom")
    with tr.start_run("parent") as parent:
        with tr.start_run("child", nested=True) as child:
            child.log_metric("x", 1)
        with pytest.raises(RuntimeError, match="already active"), tr.start_run("again"):
            pass
    runs = {r.name: r for r in tr.search_runs()}
    assert runs["boom"].status == "FAILED"
    assert runs["child"].parent_run_id == parent.run_id and runs["parent"].parent_run_id is None


def test_artifacts_and_param_immutability(tmp_path):
    tr = Tracker(tmp_path / "store")
    f = tmp_path / "model.txt"
    f.write_text("weights")
    with tr.start_run() as run:
        dest = run.log_artifact(f, "model")
        run.log_param("seed", 1)
        run.log_param("seed", 1)
        with pytest.raises(ValueError, match="param 'seed' was already logged as '1'"):
            run.log_param("seed", 2)
        with pytest.raises(FileNotFoundError, match="does not exist"):
            run.log_artifact(tmp_path / "missing")
    assert dest.read_text() == "weights" and dest.parent.name == "model"


def test_module_level_api(tmp_path):
    tracking.set_tracking_dir(tmp_path)
    with pytest.raises(RuntimeError, match="no active run"):
        tracking.log_metric("x", 1.0)
    with tracking.start_run("r"):
        tracking.log_param("a", 1)
        tracking.log_metrics({"m": 2.0}, step=5)
    rec = tracking.active_tracker().search_runs()[0]
    assert rec.params == {"a": "1"} and rec.history["m"] == [(5, 2.0)]


@pytest.mark.parametrize("bad", ["../escape", "", "a" * 300, "semi;colon"])
def test_bad_keys_are_rejected(tmp_path, bad):
    tr = Tracker(tmp_path)
    with tr.start_run() as run, pytest.raises(ValueError, match="param key: expected a name"):
        run.log_param(bad, 1)


def test_bad_order_by_and_missing_metric(tmp_path):
    tr = Tracker(tmp_path)
    with tr.start_run():
        pass
    with pytest.raises(ValueError, match="order_by: expected"):
        tr.search_runs(order_by="accuracy")
    with pytest.raises(LookupError, match="no finished run has logged metric 'accuracy'"):
        tr.best_run("accuracy")
