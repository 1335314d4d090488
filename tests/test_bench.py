"""The benchmark runner: alternating timing, ratios, 'not implemented' rows, outputs."""

import json

from glassml import bench


def test_alternating_timer_orders_calls():
    calls = []
    t_a, t_b = bench.time_alternating(
        lambda: calls.append("A"), lambda: calls.append("B"), repeats=3, warmup=1
    )
    assert calls == ["A", "B"] * 4
    assert len(t_a) == len(t_b) == 3


def test_run_and_write_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_WORKLOADS", {})
    monkeypatch.setattr(bench, "load_workloads", lambda: dict(bench._WORKLOADS))

    @bench.workload("toy_sum", reference="numpy", group="test", unit="items", target=2.0)
    def toy(quick):
        import numpy as np

        x = np.ones(1000)
        return bench.Case(ours=lambda: x.sum(), ref=lambda: np.add.reduce(x), items=1000)

    @bench.workload("toy_missing", reference="numpy", group="test")
    def missing(quick):
        return bench.Case(ours=None, ref=lambda: None)

    report = bench.run_benchmarks(quick=True, n_threads=1, progress=False)
    rows = {r["name"]: r for r in report["results"]}
    assert rows["toy_sum"]["status"] == "ok" and rows["toy_sum"]["ratio"] > 0
    assert rows["toy_missing"]["status"] == "not implemented"
    table = bench.format_table(report)
    assert "toy_sum" in table and "not implemented" in table and "GFLOP/s" in table
    json_path, png_path = bench.write_outputs(report, tmp_path)
    assert json.loads(json_path.read_text())["results"][0]["name"] == "toy_sum"
    assert png_path.read_bytes().startswith(b"\x89PNG")
    markdown = (tmp_path / "results.md").read_text()
    toy_row = next(line for line in markdown.splitlines() if line.startswith("| toy_sum |"))
    assert f"{rows['toy_sum']['ratio']:.2f}x" in toy_row and "| 2.0x |" in toy_row
    assert "| toy_missing | numpy | not implemented |" in markdown


def test_budget_limits_rounds_of_slow_workloads():
    import time

    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.02)

    t_a, _ = bench.time_alternating(slow, slow, repeats=7, warmup=1, budget=0.05)
    assert len(t_a) == 1 and len(calls) == 4  # 2 warm-up + 2 timed
