"""Quick-mode runs of the retrieval experiments (CL-200, CL-201)."""

import pytest

from glassml.experiments import get, run_one


@pytest.mark.parametrize("name", ["flat_index_exact_cosine_equals_ip"])
def test_experiment_quick(name):
    result = run_one(get(name), quick=True)
    assert result.status == "passed", (result.error, result.checks)


@pytest.mark.slow
def test_rag_experiment_quick():
    # loads MiniLM and SmolLM2 (~1 + 5 s) and generates 6 short answers
    result = run_one(get("rag_grounds_answers"), quick=True)
    assert result.status == "passed", (result.error, result.checks, result.metrics)
