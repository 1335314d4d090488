"""Every shipped example config trains (and its model predicts its own training rows)."""

from pathlib import Path

import pytest

from glassml.workflow.cli import main
from glassml.workflow.config import load_config
from glassml.workflow.train import train

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.toml"))


def test_a_dozen_examples():
    assert len(EXAMPLES) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_trains(path, tmp_path):
    cfg = load_config(path)
    cfg.output.learning_curve = False  # the curves are exercised once below; keep this quick
    result = train(cfg, out=tmp_path / "run", quiet=True)
    assert (tmp_path / "run" / "model" / "estimator.json").exists()
    assert result.metrics and all(v == v for v in result.metrics.values())


def test_cli_train_with_learning_curve_then_drift(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", str(EXAMPLES[0].parent / "svc_moons.toml"), "--out", str(out)]) == 0
    assert (out / "learning_curve.png").exists() and (out / "roc.png").exists()
    data = EXAMPLES[0].parent / "data"
    assert main(["drift", str(data / "customers.csv"), str(data / "customers_new.csv")]) == 0
    assert "retraining advised" in capsys.readouterr().out
