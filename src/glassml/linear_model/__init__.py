"""Linear models from first principles (Inventory: LM-01..LM-15).

Least squares (normal equation, QR/SVD, gradient descent), ridge, lasso and elastic net by
coordinate descent, logistic regression (L-BFGS, Newton, proximal gradient) and the statistics
and diagnostics of a least-squares fit. Everything agrees with scikit-learn (see the tests).
"""

from ._base import RankDeficiencyWarning
from ._coordinate_descent import ElasticNet, Lasso, enet_path, lasso_path
from ._diagnostics import (
    breusch_pagan,
    durbin_watson,
    residual_diagnostics,
    variance_inflation_factor,
)
from ._glm import PoissonRegressor, poisson_deviance
from ._lbfgs import lbfgs
from ._least_squares import LinearRegression
from ._logistic import LogisticRegression
from ._quantile import QuantileRegressor
from ._ridge import Ridge, RidgeCV
from ._sgd import Perceptron, SGDClassifier, SGDRegressor

__all__ = [
    "ElasticNet",
    "Lasso",
    "LinearRegression",
    "LogisticRegression",
    "Perceptron",
    "PoissonRegressor",
    "QuantileRegressor",
    "RankDeficiencyWarning",
    "Ridge",
    "RidgeCV",
    "SGDClassifier",
    "SGDRegressor",
    "breusch_pagan",
    "durbin_watson",
    "enet_path",
    "lasso_path",
    "lbfgs",
    "poisson_deviance",
    "residual_diagnostics",
    "variance_inflation_factor",
]
