"""Label-based classification metrics against scikit-learn (MS-01 … MS-06, MS-10, MS-11)."""

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.metrics as gm

TOL = dict(rtol=1e-10, atol=1e-12)


def _datasets():
    rng = np.random.default_rng(0)
    n = 300
    yield "binary", rng.integers(0, 2, n), rng.integers(0, 2, n), None
    yt = rng.integers(0, 4, n)
    yp = np.where(rng.random(n) < 0.6, yt, rng.integers(0, 4, n))
    yield "multiclass", yt, yp, rng.random(n)
    names = np.array(["cat", "dog", "eel"])
    yield "strings", names[rng.integers(0, 3, n)], names[rng.integers(0, 3, n)], None
    imb = (rng.random(n) < 0.05).astype(int)  # 5% positives
    yield "imbalanced", imb, np.where(rng.random(n) < 0.9, imb, 1 - imb), rng.random(n)
    yield "booleans", rng.random(n) < 0.3, rng.random(n) < 0.4, None
    big = rng.integers(-3, 1500, n)  # negative and large labels take the generic encoder
    yield "wide_labels", big, np.where(rng.random(n) < 0.5, big, rng.integers(-3, 1500, n)), None


DATASETS = list(_datasets())
IDS = [d[0] for d in DATASETS]


@pytest.mark.parametrize("name, yt, yp, w", DATASETS, ids=IDS)
def test_accuracy_confusion_matrix(name, yt, yp, w):
    assert gm.accuracy_score(yt, yp) == pytest.approx(skm.accuracy_score(yt, yp), rel=1e-12)
    assert gm.accuracy_score(yt, yp, normalize=False, sample_weight=w) == pytest.approx(
        skm.accuracy_score(yt, yp, normalize=False, sample_weight=w), rel=1e-12
    )
    np.testing.assert_array_equal(gm.confusion_matrix(yt, yp), skm.confusion_matrix(yt, yp))
    for norm in ("true", "pred", "all"):
        np.testing.assert_allclose(
            gm.confusion_matrix(yt, yp, normalize=norm, sample_weight=w),
            skm.confusion_matrix(yt, yp, normalize=norm, sample_weight=w),
            **TOL,
        )
    labels = np.unique(yt)[::-1][:2]
    np.testing.assert_array_equal(
        gm.confusion_matrix(yt, yp, labels=labels), skm.confusion_matrix(yt, yp, labels=labels)
    )
    np.testing.assert_allclose(
        gm.multilabel_confusion_matrix(yt, yp, sample_weight=w),
        skm.multilabel_confusion_matrix(yt, yp, sample_weight=w),
        **TOL,
    )


@pytest.mark.parametrize("name, yt, yp, w", DATASETS, ids=IDS)
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_prf_averages(name, yt, yp, w, average):
    for beta in (0.5, 1.0, 2.0):
        ours = gm.precision_recall_fscore_support(
            yt, yp, beta=beta, average=average, sample_weight=w, zero_division=0.0
        )
        ref = skm.precision_recall_fscore_support(
            yt, yp, beta=beta, average=average, sample_weight=w, zero_division=0.0
        )
        for a, b in zip(ours[:3], ref[:3], strict=True):
            np.testing.assert_allclose(a, b, **TOL)
        if average is None:
            np.testing.assert_allclose(ours[3], ref[3], **TOL)
    for ours_fn, ref_fn in [
        (gm.precision_score, skm.precision_score),
        (gm.recall_score, skm.recall_score),
        (gm.f1_score, skm.f1_score),
        (gm.jaccard_score, skm.jaccard_score),
    ]:
        np.testing.assert_allclose(
            ours_fn(yt, yp, average=average, sample_weight=w, zero_division=0.0),
            ref_fn(yt, yp, average=average, sample_weight=w, zero_division=0.0),
            **TOL,
        )


def test_binary_average_and_pos_label():
    rng = np.random.default_rng(1)
    yt, yp = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    for pos in (0, 1):
        for fn, ref in [(gm.f1_score, skm.f1_score), (gm.precision_score, skm.precision_score),
                        (gm.recall_score, skm.recall_score)]:  # fmt: skip
            assert fn(yt, yp, pos_label=pos) == pytest.approx(ref(yt, yp, pos_label=pos), 1e-12)
        assert gm.fbeta_score(yt, yp, beta=2.0, pos_label=pos) == pytest.approx(
            skm.fbeta_score(yt, yp, beta=2.0, pos_label=pos), rel=1e-12
        )
    s = np.array(["no", "yes"])[yt]
    sp = np.array(["no", "yes"])[yp]
    assert gm.f1_score(s, sp, pos_label="yes") == pytest.approx(
        skm.f1_score(s, sp, pos_label="yes"), rel=1e-12
    )


@pytest.mark.parametrize("zero_division", [0.0, 1.0, np.nan])
def test_zero_division(zero_division):
    yt = np.array([0, 0, 1, 1, 2, 2])
    yp = np.array([0, 0, 0, 0, 1, 1])  # class 2 is never predicted, class 1 never right
    for average in (None, "macro", "weighted", "micro"):
        ours = gm.precision_recall_fscore_support(yt, yp, average=average,
                                                  zero_division=zero_division)  # fmt: skip
        ref = skm.precision_recall_fscore_support(yt, yp, average=average,
                                                  zero_division=zero_division)  # fmt: skip
        for a, b in zip(ours[:3], ref[:3], strict=True):
            np.testing.assert_allclose(a, b, **TOL)


def test_zero_division_warns():
    with pytest.warns(gm.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert gm.precision_score([0, 1], [0, 0]) == 0.0


def test_specificity_against_multilabel_confusion_matrix():
    rng = np.random.default_rng(2)
    yt, yp = rng.integers(0, 3, 200), rng.integers(0, 3, 200)
    mcm = skm.multilabel_confusion_matrix(yt, yp)
    tn, fp = mcm[:, 0, 0], mcm[:, 0, 1]
    np.testing.assert_allclose(gm.specificity_score(yt, yp, average=None), tn / (tn + fp), **TOL)
    assert gm.specificity_score(yt, yp, average="micro") == pytest.approx(
        tn.sum() / (tn.sum() + fp.sum()), rel=1e-12
    )
    yb, pb = yt % 2, yp % 2
    # binary specificity is the recall of the negative class
    assert gm.specificity_score(yb, pb) == pytest.approx(
        skm.recall_score(yb, pb, pos_label=0), rel=1e-12
    )


@pytest.mark.parametrize("name, yt, yp, w", DATASETS, ids=IDS)
def test_agreement_metrics(name, yt, yp, w):
    assert gm.matthews_corrcoef(yt, yp, sample_weight=w) == pytest.approx(
        skm.matthews_corrcoef(yt, yp, sample_weight=w), rel=1e-10, abs=1e-12
    )
    for weights in (None, "linear", "quadratic"):
        assert gm.cohen_kappa_score(yt, yp, weights=weights, sample_weight=w) == pytest.approx(
            skm.cohen_kappa_score(yt, yp, weights=weights, sample_weight=w), rel=1e-10
        )
    for adjusted in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = skm.balanced_accuracy_score(yt, yp, sample_weight=w, adjusted=adjusted)
            ours = gm.balanced_accuracy_score(yt, yp, sample_weight=w, adjusted=adjusted)
        assert ours == pytest.approx(ref, rel=1e-10)
    assert gm.hamming_loss(yt, yp, sample_weight=w) == pytest.approx(
        skm.hamming_loss(yt, yp, sample_weight=w), rel=1e-12
    )


@pytest.mark.parametrize("name, yt, yp, w", DATASETS[:5], ids=IDS[:5])
def test_classification_report_text_equals_sklearn(name, yt, yp, w):
    for digits in (2, 4):
        assert gm.classification_report(yt, yp, digits=digits, zero_division=0.0) == (
            skm.classification_report(yt, yp, digits=digits, zero_division=0.0)
        )
    labels = np.unique(yt)[:2]
    assert gm.classification_report(yt, yp, labels=labels, zero_division=0.0) == (
        skm.classification_report(yt, yp, labels=labels, zero_division=0.0)
    )


def test_seed_layout_binary_confusion_matrix():
    # MS-01: TP/FN/FP/TN counted by hand for this tiny example
    yt = [1, 1, 1, 0, 0, 0, 0]
    yp = [1, 1, 0, 1, 0, 0, 0]
    (tn, fp), (fn, tp) = gm.confusion_matrix(yt, yp).tolist()
    assert (tp, fn, fp, tn) == (2, 1, 1, 3)
    assert gm.precision_score(yt, yp) == pytest.approx(2 / 3)
    assert gm.recall_score(yt, yp) == pytest.approx(2 / 3)
    assert gm.specificity_score(yt, yp) == pytest.approx(3 / 4)
    mcc = (tp * tn - fp * fn) / np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert gm.matthews_corrcoef(yt, yp) == pytest.approx(mcc)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=60))
def test_properties_bounded_and_symmetric(pairs):
    yt = np.array([p[0] for p in pairs])
    yp = np.array([p[1] for p in pairs])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acc = gm.accuracy_score(yt, yp)
        f1 = gm.f1_score(yt, yp, average="macro", zero_division=0.0)
        mcc = gm.matthews_corrcoef(yt, yp)
        kappa = gm.cohen_kappa_score(yt, yp)
        kappa_swapped = gm.cohen_kappa_score(yp, yt)
    assert 0.0 <= acc <= 1.0
    assert 0.0 <= f1 <= 1.0
    assert -1.0 - 1e-12 <= mcc <= 1.0 + 1e-12
    assert gm.matthews_corrcoef(yp, yt) == pytest.approx(mcc, abs=1e-12)  # symmetric
    if not np.isnan(kappa):
        assert kappa == pytest.approx(kappa_swapped, abs=1e-12)
    assert gm.confusion_matrix(yt, yp).sum() == yt.size
    # micro-F1 equals accuracy for single-label multiclass data
    assert gm.f1_score(yt, yp, average="micro") == pytest.approx(acc, abs=1e-12)


# ----------------------------------------------------------------------------- bad input
def test_bad_inputs():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.accuracy_score([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="continuous"):
        gm.f1_score([0.1, 0.5, 0.7], [0, 1, 1])
    with pytest.raises(ValueError, match="average"):
        gm.f1_score([0, 1], [0, 1], average="samplewise")
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        gm.precision_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        gm.recall_score([0, 1, 1], [0, 1, 0], pos_label=2)
    with pytest.raises(ValueError, match="normalize"):
        gm.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        gm.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="zero_division"):
        gm.f1_score([0, 1], [0, 1], zero_division=5)
    with pytest.raises(ValueError, match="weights"):
        gm.cohen_kappa_score([0, 1], [0, 1], weights="cubic")
    with pytest.raises(ValueError, match="empty"):
        gm.accuracy_score([], [])
    with pytest.raises(ValueError, match="1-D"):
        gm.accuracy_score(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="target_names"):
        gm.classification_report([0, 1], [0, 1], target_names=["a"])
