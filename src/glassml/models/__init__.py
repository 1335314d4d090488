"""glassml.models: architectures built on ``glassml.nn``.

Inventory: NL (architectures), DL models.
"""

from .mlp import MLP, MLPClassifier, MLPRegressor

__all__ = ["MLP", "MLPClassifier", "MLPRegressor"]
