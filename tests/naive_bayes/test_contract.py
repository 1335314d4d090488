"""scikit-learn's estimator checks for every glassml naive Bayes classifier."""

import pytest

from glassml._core.testing import sklearn_contract
from glassml.naive_bayes import BernoulliNB, CategoricalNB, ComplementNB, GaussianNB, MultinomialNB


@pytest.mark.slow
@sklearn_contract([GaussianNB(), MultinomialNB(), ComplementNB(), BernoulliNB(), CategoricalNB()])
def test_sklearn_contract(estimator, check):
    check(estimator)
