"""ROC / PR curves and their areas against scikit-learn (MS-07, MS-08)."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.metrics as gm


def _binary_cases():
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    yield "continuous", y, y + rng.normal(0, 1.0, n), None
    yield "ties", y, np.round(y * 0.3 + rng.random(n), 1), rng.random(n)  # many tied scores
    yield "imbalanced", (rng.random(n) < 0.03).astype(int), rng.random(n), None
    yield "pm1", np.where(y == 1, 1, -1), rng.normal(size=n), rng.integers(0, 3, n).astype(float)


CASES = list(_binary_cases())
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, y, s, w", CASES, ids=IDS)
@pytest.mark.parametrize("drop", [True, False])
def test_roc_curve(name, y, s, w, drop):
    ours = gm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
    ref = skm.roc_curve(y, s, sample_weight=w, drop_intermediate=drop)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, y, s, w", CASES, ids=IDS)
def test_roc_auc_binary(name, y, s, w):
    assert gm.roc_auc_score(y, s, sample_weight=w) == pytest.approx(
        skm.roc_auc_score(y, s, sample_weight=w), rel=1e-12
    )
    for max_fpr in (0.1, 0.5):
        assert gm.roc_auc_score(y, s, max_fpr=max_fpr) == pytest.approx(
            skm.roc_auc_score(y, s, max_fpr=max_fpr), rel=1e-12
        )


def test_roc_auc_is_mann_whitney_probability():
    # AUC = P(score of a random positive > score of a random negative) + 0.5 P(tie)
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 150)
    s = np.round(rng.random(150), 1)
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    expected = ((diff > 0) + 0.5 * (diff == 0)).mean()
    assert gm.roc_auc_score(y, s) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name, y, s, w", CASES, ids=IDS)
@pytest.mark.parametrize("drop", [True, False])
def test_precision_recall_curve_and_ap(name, y, s, w, drop):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gm.precision_recall_curve(y, s, pos_label=1, sample_weight=w, drop_intermediate=drop)
        ref = skm.precision_recall_curve(y, s, pos_label=1, sample_weight=w, drop_intermediate=drop)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert gm.average_precision_score(y, s, sample_weight=w) == pytest.approx(
        skm.average_precision_score(y, s, sample_weight=w), rel=1e-12
    )


def test_auc_trapezoid_and_direction():
    x = np.array([0.0, 0.2, 0.5, 1.0])
    y = np.array([0.0, 0.6, 0.8, 1.0])
    assert gm.auc(x, y) == pytest.approx(skm.auc(x, y), rel=1e-14)
    assert gm.auc(x[::-1], y[::-1]) == pytest.approx(skm.auc(x[::-1], y[::-1]), rel=1e-14)


def _multiclass_proba(n=300, k=4, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits)
    return y, p / p.sum(axis=1, keepdims=True), rng.random(n)


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_roc_auc_multiclass_ovr(average):
    y, p, w = _multiclass_proba()
    np.testing.assert_allclose(
        gm.roc_auc_score(y, p, multi_class="ovr", average=average, sample_weight=w),
        skm.roc_auc_score(y, p, multi_class="ovr", average=average, sample_weight=w),
        rtol=1e-12,
    )


@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_roc_auc_multiclass_ovo(average):
    y, p, _ = _multiclass_proba(seed=1)
    assert gm.roc_auc_score(y, p, multi_class="ovo", average=average) == pytest.approx(
        skm.roc_auc_score(y, p, multi_class="ovo", average=average), rel=1e-12
    )
    labels = np.array(["a", "b", "c", "d"])
    assert gm.roc_auc_score(labels[y], p, multi_class="ovo") == pytest.approx(
        skm.roc_auc_score(labels[y], p, multi_class="ovo"), rel=1e-12
    )


@pytest.mark.parametrize("average", ["macro", "weighted", "micro", None])
def test_average_precision_multiclass(average):
    y, p, w = _multiclass_proba(seed=2)
    np.testing.assert_allclose(
        gm.average_precision_score(y, p, average=average, sample_weight=w),
        skm.average_precision_score(y, p, average=average, sample_weight=w),
        rtol=1e-12,
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5)), min_size=2, max_size=50))
def test_auc_properties(pairs):
    y = np.array([int(a) for a, _ in pairs])
    s = np.array([float(b) for _, b in pairs])
    if np.unique(y).size < 2:
        with pytest.raises(ValueError, match="Only one class present in y_true"):
            gm.roc_auc_score(y, s)
        return
    auc = gm.roc_auc_score(y, s)
    assert 0.0 <= auc <= 1.0
    assert gm.roc_auc_score(y, -s) == pytest.approx(1.0 - auc, abs=1e-12)  # reversing scores
    assert gm.roc_auc_score(y, 3.0 * s + 7.0) == pytest.approx(auc, abs=1e-12)  # rank-invariant
    assert 0.0 <= gm.average_precision_score(y, s) <= 1.0
    fpr, tpr, thr = gm.roc_curve(y, s)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    assert np.all(np.diff(thr) < 0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="Only one class present in y_true"):
        gm.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.9])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.roc_auc_score([0, 1, 1], [0.2, 0.3])
    with pytest.raises(ValueError, match="pos_label is not specified"):
        gm.roc_curve(["a", "b"], [0.1, 0.9])
    with pytest.raises(ValueError, match="multi_class"):
        gm.roc_auc_score([0, 1, 2], np.eye(3))
    with pytest.raises(ValueError, match="sum up to 1"):
        gm.roc_auc_score([0, 1, 2], np.ones((3, 3)), multi_class="ovr")
    with pytest.raises(ValueError, match="Number of classes in y_true"):
        gm.roc_auc_score([0, 1, 2], np.full((3, 4), 0.25), multi_class="ovr")
    with pytest.raises(ValueError, match="NaN"):
        gm.roc_auc_score([0, 1], [np.nan, 0.3])
    with pytest.raises(ValueError, match="monotonic"):
        gm.auc([0.0, 1.0, 0.5], [0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="at least 2 points"):
        gm.auc([0.0], [1.0])
    with pytest.raises(ValueError, match="max_fpr"):
        gm.roc_auc_score([0, 1], [0.1, 0.9], max_fpr=1.5)
