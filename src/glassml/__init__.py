"""glassml — machine learning with the lid off.

The ML curriculum implemented from first principles in Python on NumPy, with its own autograd
engine; every model checked against scikit-learn / PyTorch, and every claim of the curriculum
run as an experiment (``glassml run``).

Subpackages are imported on demand: ``from glassml.datasets import load_iris``,
``from glassml.linear_model import Ridge``, ``import glassml.autograd`` …
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
