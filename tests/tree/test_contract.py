"""scikit-learn's estimator checks for the glassml trees (Inventory: TE-01, TE-03)."""

from glassml._core.testing import sklearn_contract
from glassml.tree import DecisionTreeClassifier, DecisionTreeRegressor


@sklearn_contract(
    [
        DecisionTreeClassifier(random_state=0),
        DecisionTreeClassifier(criterion="entropy", splitter="random", random_state=0),
        DecisionTreeRegressor(random_state=0),
        DecisionTreeRegressor(criterion="absolute_error", max_depth=3, random_state=0),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
