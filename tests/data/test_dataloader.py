"""DataLoader, TensorDataset, random_split, train_val_test_split."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.autograd import Tensor
from glassml.data import (
    DataLoader,
    Dataset,
    TensorDataset,
    random_split,
    train_val_test_split,
)


def _ds(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 50), st.integers(1, 20), st.booleans(), st.booleans())
def test_batches_cover_dataset(n, batch_size, shuffle, drop_last):
    loader = DataLoader(
        _ds(n), batch_size=batch_size, shuffle=shuffle, drop_last=drop_last, generator=0
    )
    batches = list(loader)
    assert len(batches) == len(loader)
    # torch's DataLoader has the same length rule
    tl = torch.utils.data.DataLoader(range(n), batch_size=batch_size, drop_last=drop_last)
    assert len(loader) == len(tl)
    seen = np.concatenate([yb.numpy() for _, yb in batches]) if batches else np.array([], int)
    assert all(len(yb) == batch_size for _, yb in batches[:-1] if True)
    if drop_last:
        assert len(seen) == (n // batch_size) * batch_size
        assert len(set(seen.tolist())) == len(seen)
    else:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))
    if not shuffle and batches:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))
    for xb, yb in batches:  # rows stay aligned
        assert isinstance(xb, Tensor) and isinstance(yb, Tensor)
        np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())


def test_shuffle_reproducible_and_fresh_each_epoch():
    a = DataLoader(_ds(50), batch_size=50, shuffle=True, generator=np.random.default_rng(3))
    b = DataLoader(_ds(50), batch_size=50, shuffle=True, generator=np.random.default_rng(3))
    e1a, e2a = [next(iter(a))[1].numpy() for _ in range(2)]
    e1b, e2b = [next(iter(b))[1].numpy() for _ in range(2)]
    np.testing.assert_array_equal(e1a, e1b)
    np.testing.assert_array_equal(e2a, e2b)
    assert not np.array_equal(e1a, e2a)


def test_dtypes_preserved():
    xb, yb = next(iter(DataLoader(_ds(), batch_size=3)))
    assert xb.dtype == np.float32 and yb.dtype == np.int64


class Squares(Dataset):
    def __len__(self):
        return 7

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float64), i % 2


def test_generic_dataset_collates():
    batches = list(DataLoader(Squares(), batch_size=3))
    assert [tuple(b[0].shape) for b in batches] == [(3, 2), (3, 2), (1, 2)]
    np.testing.assert_array_equal(batches[1][0].numpy()[:, 1], [9, 16, 25])
    np.testing.assert_array_equal(batches[0][1].numpy(), [0, 1, 0])


def test_random_split_lengths_like_torch():
    ds = _ds(11)
    for lengths in ([0.5, 0.3, 0.2], [0.7, 0.3], [3, 8]):
        ours = [len(s) for s in random_split(ds, lengths, generator=0)]
        ref = [len(s) for s in torch.utils.data.random_split(range(11), lengths)]
        assert ours == ref
    parts = random_split(ds, [4, 7], generator=0)
    idx = np.concatenate(
        [np.concatenate([yb.numpy() for _, yb in DataLoader(p, batch_size=2)]) for p in parts]
    )
    np.testing.assert_array_equal(np.sort(idx), np.arange(11))


def test_subset_loader_shuffled_aligned():
    train, _ = random_split(_ds(20), [15, 5], generator=1)
    for xb, yb in DataLoader(train, batch_size=4, shuffle=True, generator=2):
        np.testing.assert_array_equal(xb.numpy()[:, 1], 2 * yb.numpy() + 1)


def test_train_val_test_split():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    Xtr, Xva, Xte, ytr, yva, yte = train_val_test_split(
        X, y, val_size=0.2, test_size=0.25, random_state=0
    )
    assert (len(Xtr), len(Xva), len(Xte)) == (11, 4, 5)
    np.testing.assert_array_equal(np.sort(np.concatenate([ytr, yva, yte])), np.arange(20))
    np.testing.assert_array_equal(Xva[:, 0], 2 * yva)


@pytest.mark.parametrize("bs", [0, -3, 2.5, None, True])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(_ds(), batch_size=bs)


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: TensorDataset(np.zeros(3), np.zeros(4)), ValueError, "Size mismatch"),
        (lambda: TensorDataset(), ValueError, "at least one"),
        (lambda: random_split(_ds(10), [3, 3]), ValueError, "Sum of input lengths"),
        (lambda: DataLoader(_ds(), shuffle=True, generator="seed"), TypeError, "generator"),
        (lambda: DataLoader(5), TypeError, "__getitem__"),
        (
            lambda: train_val_test_split(np.zeros(10), val_size=0.6, test_size=0.5),
            ValueError,
            "< 1",
        ),
        (lambda: train_val_test_split(np.zeros(10), val_size=1.5), ValueError, "val_size"),
    ],
)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
