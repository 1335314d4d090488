"""scikit-learn's estimator checks for every glassml.svm estimator."""

import pytest

from glassml._core.testing import sklearn_contract
from glassml.svm import SVC, SVR, LinearSVC

# sample_weight scales C per sample; with SMO / coordinate descent stopped at `tol` the solution
# is close to, but not bit-equivalent with, repeating samples. scikit-learn marks this same check
# as an expected failure for its own SVC, SVR and LinearSVC. (sklearn_contract's
# expected_failed_checks cannot be used yet: it does not unpack the pytest.param objects that
# scikit-learn yields for marked checks.) The check is run and asserted to fail on that point.
_WEIGHT_CHECK = "check_sample_weight_equivalence_on_dense_data"


@sklearn_contract([SVC(), SVC(kernel="linear", class_weight="balanced"), SVR(), LinearSVC()])
def test_sklearn_contract(estimator, check):
    name = getattr(check, "__name__", None) or check.func.__name__
    if name == _WEIGHT_CHECK:
        with pytest.raises(AssertionError, match="sample_weight"):
            check(estimator)
    else:
        check(estimator)
