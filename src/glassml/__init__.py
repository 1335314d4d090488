"""glassml — machine learning with the lid off.

The ML curriculum implemented from first principles in Python on NumPy, with its own autograd
engine; every model checked against scikit-learn / PyTorch, and every claim of the curriculum
run as an experiment (``glassml run``).

Deep learning mirrors PyTorch at the top level (imported on first use, so ``import glassml``
stays fast)::

    import glassml
    x = glassml.tensor([1.0, 2.0], requires_grad=True)
    with glassml.no_grad(): ...

Classical ML lives in scikit-learn-style subpackages: ``glassml.linear_model``,
``glassml.naive_bayes``, ``glassml.neighbors``, ``glassml.cluster``, ``glassml.decomposition``,
``glassml.preprocessing``, ``glassml.impute``, ``glassml.pipeline``, ``glassml.model_selection``,
``glassml.metrics``, ``glassml.stats``; data in ``glassml.datasets``.
"""

__version__ = "0.1.0"

_AUTOGRAD_EXPORTS = (
    "Tensor",
    "Parameter",
    "tensor",
    "from_numpy",
    "zeros",
    "ones",
    "randn",
    "rand",
    "arange",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "manual_seed",
)

__all__ = ["__version__", *_AUTOGRAD_EXPORTS]


def __getattr__(name):
    if name in _AUTOGRAD_EXPORTS:
        from . import autograd

        return getattr(autograd, name)
    raise AttributeError(f"module 'glassml' has no attribute {name!r}")
