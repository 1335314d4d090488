"""The experiment registry and runner: discovery, bookkeeping, failures never crash a run."""

import re

import pytest

from glassml.experiments import Outcome, experiment, registry, run_one
from glassml.experiments._registry import _REGISTRY, Experiment


def test_every_experiment_is_well_formed():
    reg = registry()
    assert len(reg) >= 6
    for name, exp in reg.items():
        assert re.fullmatch(r"[a-z0-9_]+", name), name
        assert exp.claims and all(re.fullmatch(r"CL-\d{3}", c) for c in exp.claims), name
        assert exp.title and exp.topic


def _make(name, fn, weak=False):
    return Experiment(name, fn, ["CL-000"], "t", "test", weak)


def test_failed_checks_error_and_weak_claims():
    def bad(ctx):
        return Outcome(metrics={"x": 1.0}, checks={"x > 2": False})

    def broken(ctx):
        raise RuntimeError("boom")

    def no_checks(ctx):
        return Outcome(metrics={}, checks={})

    assert run_one(_make("bad", bad)).status == "failed"
    err = run_one(_make("broken", broken))
    assert err.status == "error" and "RuntimeError: boom" in err.error
    assert run_one(_make("none", no_checks)).status == "error"
    assert run_one(_make("weak", bad, weak=True)).status == "reported"


def test_duplicate_names_are_rejected():
    @experiment("tmp_unique_name", claims=["CL-000"], title="t", topic="test")
    def first(ctx):
        return Outcome({}, {"ok": True})

    try:
        with pytest.raises(ValueError, match="registered twice"):
            experiment("tmp_unique_name", claims=["CL-000"], title="t", topic="test")(
                lambda ctx: None
            )
    finally:
        _REGISTRY.pop("tmp_unique_name")


def test_results_are_json_serialisable():
    import json

    import numpy as np

    def numbers(ctx):
        return Outcome(
            metrics={"a": np.float32(1.5), "b": np.arange(3), "c": float("inf")},
            checks={"ok": np.bool_(True)},
        )

    payload = run_one(_make("nums", numbers)).to_json()
    text = json.dumps(payload)
    assert '"a": 1.5' in text and '"c": "inf"' in text


def test_every_experiment_module_imports():
    from glassml.experiments._registry import IMPORT_ERRORS

    registry()
    assert IMPORT_ERRORS == {}
