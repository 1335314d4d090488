"""The glassml command: help texts, dataset listing, experiment selection, error messages."""

import subprocess
import sys

import pytest

from glassml.cli import main


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "glassml.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_help_texts_are_useful():
    top = run_cli("--help")
    assert top.returncode == 0
    for word in ("run", "datasets", "bench", "scikit-learn", "PyTorch"):
        assert word in top.stdout
    run = run_cli("run", "--help")
    assert "--quick" in run.stdout and "--out" in run.stdout and "index.html" in run.stdout


def test_datasets_lists_shapes(capsys):
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "load_mnist" in out and "60000" in out and "make_moons" in out


def test_run_list_and_unknown_name(capsys):
    assert main(["run", "--list"]) == 0
    assert "polynomial_under_overfit" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="unknown experiment or topic 'nope'"):
        main(["run", "nope", "--quick"])


def test_run_one_experiment_writes_report(tmp_path, capsys):
    assert main(["run", "r2_reference_points", "--quick", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").exists() and (tmp_path / "results.json").exists()
    assert "1 experiments: 1 passed" in capsys.readouterr().out


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("glassml ")
