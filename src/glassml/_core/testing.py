"""Helpers for glassml's own test-suite (imports scikit-learn lazily; test-time only)."""

from __future__ import annotations

# scikit-learn's array-API checks only run when SCIPY_ARRAY_API is set; glassml estimators take
# NumPy input (the `xp` backend is the GPU route), so these opt-in checks are left out on purpose.
_NOT_APPLICABLE = {
    "check_array_api_input",
    "check_array_api_mixed_inputs",
    "check_array_api_same_namespace",
}


def sklearn_contract(estimators, *, expected_failed_checks=None):
    """``pytest.mark.parametrize`` over scikit-learn's estimator checks for ``estimators``.

    Like ``sklearn.utils.estimator_checks.parametrize_with_checks``, minus the opt-in array-API
    check. ``expected_failed_checks`` maps an estimator to ``{check_name: reason}``.

    Usage::

        @sklearn_contract([Ridge(), Lasso()])
        def test_sklearn_contract(estimator, check):
            check(estimator)
    """
    import pytest
    from sklearn.utils.estimator_checks import estimator_checks_generator

    def check_id(estimator, check):
        name = getattr(check, "__name__", None) or check.func.__name__
        return f"{type(estimator).__name__}-{name}"

    params = []
    for est in estimators:
        xfail = expected_failed_checks(est) if expected_failed_checks else None
        for item in estimator_checks_generator(
            est, legacy=True, expected_failed_checks=xfail, mark="xfail"
        ):
            # Expected failures arrive as pytest.param(estimator, check, marks=xfail).
            marks = getattr(item, "marks", ())
            e, check = item.values if hasattr(item, "values") else item
            base = getattr(check, "func", check)
            if getattr(base, "__name__", "") in _NOT_APPLICABLE:
                continue
            params.append(pytest.param(e, check, id=check_id(e, check), marks=marks))
    return pytest.mark.parametrize("estimator, check", params)
