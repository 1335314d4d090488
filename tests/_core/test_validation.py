"""Validation helpers: clear errors that name the argument, and correct conversions."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from glassml._core import (
    DataConversionWarning,
    NotFittedError,
    check_array,
    check_classification_targets,
    check_consistent_length,
    check_in,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    check_scalar,
    check_X_y,
    column_or_1d,
    type_of_target,
)


def test_check_array_converts_lists_and_ints_to_float64():
    out = check_array([[1, 2], [3, 4]])
    assert out.dtype == np.float64 and out.shape == (2, 2)
    np.testing.assert_array_equal(out, [[1.0, 2.0], [3.0, 4.0]])


def test_check_array_keeps_float32():
    x = np.ones((3, 2), dtype=np.float32)
    assert check_array(x).dtype == np.float32


@pytest.mark.parametrize(
    "bad, match",
    [
        ([1.0, 2.0], "expected a 2-D array, got a 1-D array of shape \\(2,\\)"),
        (3.0, "expected a 2-D array, got a scalar"),
        ([[1.0, np.nan]], "X: Input X contains NaN"),
        ([[1.0, np.inf]], "X: Input X contains infinity"),
        (np.zeros((0, 3)), "0 sample\\(s\\) \\(shape=\\(0, 3\\)\\) while a minimum of 1"),
        (np.zeros((4, 0)), "0 feature\\(s\\) \\(shape=\\(4, 0\\)\\) while a minimum of 1"),
        (np.ones((2, 2)) * 1j, "Complex data not supported"),
        (None, "expected an array-like, got None"),
    ],
)
def test_check_array_errors_name_the_argument(bad, match):
    with pytest.raises(ValueError, match=match):
        check_array(bad)


def test_check_array_custom_name_and_estimator_prefix():
    with pytest.raises(ValueError, match="^Ridge: X_test: Input X_test contains NaN"):
        check_array([[np.nan]], name="X_test", estimator="Ridge")


def test_check_array_allow_nan_still_rejects_inf():
    assert np.isnan(check_array([[np.nan, 1.0]], allow_nan=True)).sum() == 1
    with pytest.raises(ValueError, match="contains infinity"):
        check_array([[np.inf, 1.0]], allow_nan=True)


def test_check_array_strings_fail_with_hint():
    with pytest.raises(ValueError, match="could not be converted to float.*OneHotEncoder"):
        check_array([["a", "b"]])


def test_check_array_rejects_sparse():
    import scipy.sparse

    with pytest.raises(TypeError, match="sparse matrices are not supported"):
        check_array(scipy.sparse.csr_matrix(np.eye(3)))


def test_check_X_y_length_mismatch_and_none():
    with pytest.raises(ValueError, match="inconsistent numbers of samples: X: 3, y: 2"):
        check_X_y(np.ones((3, 2)), [1, 2])
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        check_X_y(np.ones((3, 2)), None)


def test_column_vector_y_warns_and_ravel():
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        y = column_or_1d(np.ones((4, 1)))
    assert y.shape == (4,)
    with pytest.raises(ValueError, match="expected a 1-D array, got an array of shape \\(4, 2\\)"):
        column_or_1d(np.ones((4, 2)))


def test_check_consistent_length_names_every_argument():
    with pytest.raises(ValueError, match="a: 2, b: 3"):
        check_consistent_length([1, 2], [1, 2, 3], names=["a", "b"])


@pytest.mark.parametrize(
    "y, kind",
    [
        ([0, 1, 1], "binary"),
        ([0, 1, 2], "multiclass"),
        (["a", "b"], "binary"),
        ([0.5, 1.5, 2.0], "continuous"),
        ([1.0, 2.0, 3.0], "multiclass"),
        (np.array([[0, 1], [1, 0]]), "multilabel-indicator"),
    ],
)
def test_type_of_target_matches_sklearn_vocabulary(y, kind):
    from sklearn.utils.multiclass import type_of_target as sk_type

    assert type_of_target(y) == kind == sk_type(y)


def test_check_classification_targets_rejects_continuous():
    with pytest.raises(ValueError, match="Unknown label type: 'continuous'"):
        check_classification_targets([0.1, 0.7, 2.3])


def test_check_scalar_type_and_range_errors():
    assert check_scalar(3, "k", int, min_val=1) == 3
    with pytest.raises(TypeError, match="k: expected int, got float 2.5"):
        check_scalar(2.5, "k", int)
    with pytest.raises(ValueError, match="alpha: expected a value > 0, got 0"):
        check_scalar(0, "alpha", (int, float), min_val=0, include_boundaries="right")
    with pytest.raises(ValueError, match="p: expected a value <= 1, got 2"):
        check_scalar(2, "p", int, max_val=1)
    with pytest.raises(TypeError, match="expected int, got bool"):
        check_scalar(True, "n", int)


def test_check_in():
    with pytest.raises(ValueError, match="penalty: expected one of \\['l1', 'l2'\\], got 'l3'"):
        check_in("l3", "penalty", ("l1", "l2"))


def test_check_sample_weight():
    np.testing.assert_array_equal(check_sample_weight(None, np.ones((3, 1))), np.ones(3))
    with pytest.raises(ValueError, match="expected 3 weights \\(one per sample\\), got 2"):
        check_sample_weight([1.0, 2.0], np.ones((3, 1)))
    with pytest.raises(ValueError, match="Negative values in sample_weight"):
        check_sample_weight([1.0, -2.0, 1.0], np.ones((3, 1)))


def test_check_is_fitted():
    class Est:
        pass

    e = Est()
    with pytest.raises(NotFittedError, match="This Est instance is not fitted yet"):
        check_is_fitted(e)
    e.coef_ = 1
    check_is_fitted(e)


def test_check_random_state():
    a = check_random_state(42).random(3)
    np.testing.assert_array_equal(a, np.random.default_rng(42).random(3))
    g = np.random.default_rng(0)
    assert check_random_state(g) is g
    assert isinstance(check_random_state(np.random.RandomState(0)), np.random.Generator)
    with pytest.raises(ValueError, match="random_state: expected None, an int"):
        check_random_state("seed")
    with pytest.raises(ValueError, match="non-negative"):
        check_random_state(-1)


@given(
    arrays(
        np.float64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.floats(-1e6, 1e6)
    )
)
def test_check_array_is_identity_on_finite_float_arrays(x):
    out = check_array(x)
    assert out.shape == x.shape
    np.testing.assert_array_equal(out, x)


def test_no_warning_for_1d_y():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        column_or_1d(np.arange(3))
