"""Splitters and samplers against scikit-learn (DP-15, DP-16, MS-32)."""

import numpy as np
import pandas as pd
import pytest
import sklearn.model_selection as skms
from hypothesis import given, settings
from hypothesis import strategies as st

import glassml.model_selection as gms


def _folds(splitter, *args, **kwargs):
    return [(tr.tolist(), te.tolist()) for tr, te in splitter.split(*args, **kwargs)]


@pytest.mark.parametrize("n, k", [(10, 2), (11, 3), (7, 7), (100, 5)])
def test_kfold_equals_sklearn(n, k):
    X = np.zeros((n, 2))
    assert _folds(gms.KFold(k), X) == _folds(skms.KFold(k), X)


def _labels():
    rng = np.random.default_rng(0)
    yield "balanced", rng.integers(0, 3, 60)
    yield "imbalanced", (rng.random(200) < 0.07).astype(int)
    yield "strings_unsorted_first_seen", np.array(["z", "a", "m"])[rng.integers(0, 3, 50)]
    yield "tiny_class", np.array([0] * 20 + [1] * 3 + [2] * 9)


@pytest.mark.parametrize("name, y", list(_labels()))
@pytest.mark.parametrize("k", [2, 3, 5])
def test_stratified_kfold_equals_sklearn(name, y, k):
    X = np.zeros((y.size, 1))
    with pytest.warns(UserWarning) if np.unique(y, return_counts=True)[1].min() < k else _null():
        ours = _folds(gms.StratifiedKFold(k), X, y)
    with pytest.warns(UserWarning) if np.unique(y, return_counts=True)[1].min() < k else _null():
        ref = _folds(skms.StratifiedKFold(k), X, y)
    assert ours == ref


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_stratified_kfold_shuffle_guarantees():
    y = np.array([0] * 37 + [1] * 13 + [2] * 50)
    X = np.zeros((y.size, 1))
    folds = list(gms.StratifiedKFold(4, shuffle=True, random_state=0).split(X, y))
    tests = np.concatenate([te for _, te in folds])
    assert np.array_equal(np.sort(tests), np.arange(y.size))  # a partition
    for _, te in folds:
        counts = np.bincount(y[te], minlength=3)
        for c, total in enumerate([37, 13, 50]):
            assert counts[c] in (total // 4, -(-total // 4))  # floor or ceil of c_k / K
    again = list(gms.StratifiedKFold(4, shuffle=True, random_state=0).split(X, y))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again, strict=True))
    other = list(gms.StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(folds, other, strict=True))


@pytest.mark.parametrize("k", [2, 3])
def test_group_kfold_equals_sklearn(k):
    rng = np.random.default_rng(1)
    groups = rng.integers(0, 9, 80)
    X = np.zeros((80, 1))
    assert _folds(gms.GroupKFold(k), X, groups=groups) == _folds(skms.GroupKFold(k), X,
                                                                 groups=groups)  # fmt: skip
    for tr, te in gms.GroupKFold(k, shuffle=True, random_state=0).split(X, groups=groups):
        assert set(groups[tr]).isdisjoint(groups[te])


def test_leave_one_out_and_time_series_equal_sklearn():
    X = np.zeros((9, 1))
    assert _folds(gms.LeaveOneOut(), X) == _folds(skms.LeaveOneOut(), X)
    for kwargs in ({}, {"max_train_size": 3}, {"test_size": 2}, {"gap": 1}, {"n_splits": 3}):
        assert _folds(gms.TimeSeriesSplit(**kwargs), np.zeros((20, 1))) == _folds(
            skms.TimeSeriesSplit(**kwargs), np.zeros((20, 1))
        )


@pytest.mark.parametrize("test_size, train_size", [(None, None), (0.3, None), (5, None),
                                                   (None, 0.6), (0.2, 0.5), (3, 10)])  # fmt: skip
def test_split_sizes_equal_sklearn(test_size, train_size):
    X = np.arange(23)
    ours = gms.train_test_split(X, test_size=test_size, train_size=train_size, shuffle=False)
    ref = skms.train_test_split(X, test_size=test_size, train_size=train_size, shuffle=False)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, b)  # unshuffled: the same rows in the same order
    ss = gms.ShuffleSplit(3, test_size=test_size, train_size=train_size, random_state=0)
    sk = skms.ShuffleSplit(3, test_size=test_size, train_size=train_size, random_state=0)
    for (tr, te), (tr2, te2) in zip(ss.split(X), sk.split(X), strict=True):
        assert (len(tr), len(te)) == (len(tr2), len(te2))
        assert set(tr).isdisjoint(te)


def test_train_test_split_arrays_stay_aligned_and_dataframes():
    X = np.arange(40).reshape(20, 2)
    y = np.arange(20)
    df = pd.DataFrame(X, columns=["a", "b"])
    X_tr, X_te, y_tr, y_te, df_tr, df_te = gms.train_test_split(X, y, df, random_state=0)
    np.testing.assert_array_equal(X_tr[:, 0] // 2, y_tr)
    np.testing.assert_array_equal(df_te.to_numpy(), X_te)
    assert sorted(np.r_[y_tr, y_te].tolist()) == list(range(20))
    a = gms.train_test_split(X, random_state=3)
    b = gms.train_test_split(X, random_state=3)
    np.testing.assert_array_equal(a[1], b[1])  # reproducible


def test_stratified_split_class_counts_equal_sklearn():
    y = np.array([0] * 50 + [1] * 30 + [2] * 17)  # remainders without ties
    X = np.zeros((y.size, 1))
    ours = gms.StratifiedShuffleSplit(4, test_size=0.2, random_state=0).split(X, y)
    ref = skms.StratifiedShuffleSplit(4, test_size=0.2, random_state=0).split(X, y)
    for (tr, te), (tr2, te2) in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(np.bincount(y[tr]), np.bincount(y[tr2]))
        np.testing.assert_array_equal(np.bincount(y[te]), np.bincount(y[te2]))
        assert set(tr).isdisjoint(te)
    _, _, y_tr, y_te = gms.train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    _, _, y_tr2, y_te2 = skms.train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    np.testing.assert_array_equal(np.bincount(y_te), np.bincount(y_te2))


def test_train_val_test_split():
    X = np.arange(100)
    y = np.array([0] * 80 + [1] * 20)
    X_tr, X_va, X_te, y_tr, y_va, y_te = gms.train_val_test_split(
        X, y, val_size=0.15, test_size=0.15, stratify=y, random_state=0
    )
    assert (len(X_tr), len(X_va), len(X_te)) == (70, 15, 15)
    assert sorted(np.r_[X_tr, X_va, X_te].tolist()) == list(range(100))
    np.testing.assert_array_equal(y[X_va], y_va)
    assert abs(y_te.mean() - 0.2) <= 1 / 15 and abs(y_va.mean() - 0.2) <= 1 / 15


def test_bootstrap_and_resample():
    in_bag, oob = gms.bootstrap_indices(10_000, random_state=0)
    assert in_bag.size == 10_000
    assert abs(oob.size / 10_000 - np.exp(-1)) < 0.02  # ≈ 36.8% never drawn
    assert np.intersect1d(in_bag, oob).size == 0
    y = np.array([0] * 90 + [1] * 10)
    (ys,) = gms.resample(y, n_samples=50, stratify=y, random_state=0)
    assert np.bincount(ys).tolist() == [45, 5]
    (perm,) = gms.resample(np.arange(30), replace=False, random_state=0)
    assert sorted(perm.tolist()) == list(range(30))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 60), st.integers(2, 6), st.booleans(), st.integers(0, 1000))
def test_kfold_partitions(n, k, shuffle, seed):
    if k > n:
        with pytest.raises(ValueError, match="greater than the number of samples"):
            list(gms.KFold(k).split(np.zeros(n)))
        return
    splitter = gms.KFold(k, shuffle=shuffle, random_state=seed if shuffle else None)
    folds = list(splitter.split(np.zeros(n)))
    tests = np.concatenate([te for _, te in folds])
    assert np.array_equal(np.sort(tests), np.arange(n))
    for tr, te in folds:
        assert np.array_equal(np.sort(np.r_[tr, te]), np.arange(n))
        assert te.size in (n // k, -(-n // k))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=12, max_size=80), st.integers(2, 4))
def test_stratified_kfold_keeps_proportions(labels, k):
    y = np.array(labels)
    counts = np.bincount(y)
    if (counts[counts > 0] < k).all():
        return
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        folds = list(gms.StratifiedKFold(k).split(np.zeros(y.size), y))
    for _, te in folds:
        fold_counts = np.bincount(y[te], minlength=counts.size)
        assert np.all(fold_counts >= counts // k) and np.all(fold_counts <= -(-counts // k))


def test_bad_inputs():
    with pytest.raises(ValueError, match="n_splits=2 or more"):
        gms.KFold(1)
    with pytest.raises(ValueError, match="n_splits: expected an integer"):
        gms.KFold(2.5)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        list(gms.KFold(5).split(np.zeros(3)))
    with pytest.raises(ValueError, match="random_state"):
        gms.KFold(3, random_state=0)
    with pytest.raises(ValueError, match="cannot be greater than the number of members"):
        list(gms.StratifiedKFold(5).split(np.zeros(4), [0, 0, 1, 1]))
    with pytest.raises(ValueError, match="continuous"):
        list(gms.StratifiedKFold(2).split(np.zeros(4), [0.1, 0.2, 0.3, 0.4]))
    with pytest.raises(ValueError, match="number of groups"):
        list(gms.GroupKFold(3).split(np.zeros(4), groups=[0, 0, 1, 1]))
    with pytest.raises(ValueError, match="groups"):
        list(gms.GroupKFold(2).split(np.zeros(4)))
    with pytest.raises(ValueError, match="test_size=1.5"):
        gms.train_test_split(np.arange(10), test_size=1.5)
    with pytest.raises(ValueError, match="test_size=20"):
        gms.train_test_split(np.arange(10), test_size=20)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gms.train_test_split(np.arange(10), np.arange(9))
    with pytest.raises(ValueError, match="shuffle=False"):
        gms.train_test_split(np.arange(10), stratify=np.arange(10) % 2, shuffle=False)
    with pytest.raises(ValueError, match="only 1 member"):
        gms.train_test_split(np.arange(5), stratify=[0, 0, 0, 0, 1])
    with pytest.raises(ValueError, match="Too many splits"):
        list(gms.TimeSeriesSplit(5, test_size=3).split(np.zeros(10)))
    with pytest.raises(ValueError, match="leave no training samples"):
        gms.train_val_test_split(np.arange(10), val_size=0.5, test_size=0.5)
    with pytest.raises(ValueError, match="replace is False"):
        gms.resample(np.arange(3), n_samples=5, replace=False)
