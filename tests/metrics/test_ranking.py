"""Ranking / recommendation metrics (MS-23 … MS-25): scikit-learn where it has them, brute-force
loops straight from the definitions where it does not."""

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.metrics as gm


def _data(seed=0, n=40, m=12, graded=False):
    rng = np.random.default_rng(seed)
    Y = rng.integers(0, 4, (n, m)) if graded else (rng.random((n, m)) < 0.3).astype(int)
    S = rng.normal(size=(n, m)) + 0.5 * Y
    return Y, S


def _ranked(y_row, s_row):
    order = sorted(range(len(s_row)), key=lambda j: (-s_row[j], j))
    return [y_row[j] > 0 for j in order]


@pytest.mark.parametrize("k", [1, 3, 12])
def test_precision_recall_hit_rate_by_definition(k):
    Y, S = _data()
    prec, rec, hit = [], [], []
    for y, s in zip(Y, S, strict=True):
        top = _ranked(y, s)[:k]
        prec.append(sum(top) / k)
        rec.append(sum(top) / (y > 0).sum() if (y > 0).sum() else 0.0)
        hit.append(float(any(top)))
    assert gm.precision_at_k(Y, S, k=k) == pytest.approx(np.mean(prec), rel=1e-12)
    assert gm.recall_at_k(Y, S, k=k) == pytest.approx(np.mean(rec), rel=1e-12)
    assert gm.hit_rate_at_k(Y, S, k=k) == pytest.approx(np.mean(hit), rel=1e-12)


def test_map_equals_sklearn_average_precision_per_query():
    Y, S = _data(1)
    keep = Y.sum(axis=1) > 0
    ref = [skm.average_precision_score(y, s) for y, s in zip(Y[keep], S[keep], strict=True)]
    np.testing.assert_allclose(gm.average_precision_at_k(Y[keep], S[keep]), ref, rtol=1e-12)
    assert gm.mean_average_precision(Y[keep], S[keep]) == pytest.approx(np.mean(ref), rel=1e-12)


@pytest.mark.parametrize("k", [2, 5])
def test_ap_at_k_by_definition(k):
    Y, S = _data(2)
    expected = []
    for y, s in zip(Y, S, strict=True):
        rel = _ranked(y, s)[:k]
        hits, total = 0, 0.0
        for i, r in enumerate(rel, start=1):
            if r:
                hits += 1
                total += hits / i
        r_all = min((y > 0).sum(), k)
        expected.append(total / r_all if r_all else 0.0)
    assert gm.mean_average_precision(Y, S, k=k) == pytest.approx(np.mean(expected), rel=1e-12)


def test_mrr_by_definition():
    Y, S = _data(3)
    rr = []
    for y, s in zip(Y, S, strict=True):
        rel = _ranked(y, s)
        rr.append(1.0 / (rel.index(True) + 1) if any(rel) else 0.0)
    assert gm.mean_reciprocal_rank(Y, S) == pytest.approx(np.mean(rr), rel=1e-12)


@pytest.mark.parametrize("k", [None, 1, 4])
@pytest.mark.parametrize("ties", [False, True])
def test_dcg_ndcg_against_sklearn(k, ties):
    Y, S = _data(4, graded=True)
    if ties:
        S = np.round(S)
    w = np.random.default_rng(0).random(Y.shape[0])
    for ignore_ties in (False, True):
        assert gm.dcg_score(Y, S, k=k, ignore_ties=ignore_ties, sample_weight=w) == pytest.approx(
            skm.dcg_score(Y, S, k=k, ignore_ties=ignore_ties, sample_weight=w), rel=1e-12
        )
        assert gm.ndcg_score(Y, S, k=k, ignore_ties=ignore_ties) == pytest.approx(
            skm.ndcg_score(Y, S, k=k, ignore_ties=ignore_ties), rel=1e-12
        )
    assert gm.dcg_score(Y, S, log_base=10) == pytest.approx(skm.dcg_score(Y, S, log_base=10),
                                                            rel=1e-12)  # fmt: skip


def test_lrap_against_sklearn():
    Y, S = _data(5)
    S = np.round(S, 1)
    assert gm.label_ranking_average_precision_score(Y, S) == pytest.approx(
        skm.label_ranking_average_precision_score(Y, S), rel=1e-12
    )


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8))
def test_ranking_bounds(seed, k):
    Y, S = _data(seed, n=5, m=8, graded=True)
    for value in (gm.precision_at_k(Y, S, k=k), gm.recall_at_k(Y, S, k=k),
                  gm.mean_average_precision(Y, S, k=k), gm.mean_reciprocal_rank(Y, S),
                  gm.ndcg_score(Y, S, k=k), gm.hit_rate_at_k(Y, S, k=k)):  # fmt: skip
        assert 0.0 <= value <= 1.0 + 1e-12
    assert gm.ndcg_score(Y, Y.astype(float)) == pytest.approx(1.0) or Y.sum() == 0


def test_bad_inputs():
    Y, S = _data(6, n=3, m=4)
    with pytest.raises(ValueError, match="larger than the number of items"):
        gm.precision_at_k(Y, S, k=5)
    with pytest.raises(ValueError, match="k: expected an integer >= 1"):
        gm.recall_at_k(Y, S, k=0)
    with pytest.raises(ValueError, match="different shape"):
        gm.ndcg_score(Y, S[:, :3])
    with pytest.raises(ValueError, match="more than 1 document"):
        gm.ndcg_score(Y[:, :1], S[:, :1])
    with pytest.raises(ValueError, match="non-negative"):
        gm.ndcg_score(-np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="2-D"):
        gm.precision_at_k([1, 0, 1], [0.3, 0.2, 0.1], k=1)
