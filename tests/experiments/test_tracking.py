from glassml.experiments import get, run_one


def test_tracking_experiment_supports_its_claim():
    r = run_one(get("tracking_finds_best_run"), quick=True)
    assert r.status == "passed", (r.error, r.checks)
