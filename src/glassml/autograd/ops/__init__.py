"""The primitive differentiable ops of the core engine (each a ``Function``).

elementwise (unary), binary (broadcasting), reduction, movement, indexing, matmul, the in-place
helpers used by ``Tensor.add_`` & co, and ``tensor_methods`` (the Tensor operator surface).
Submodules load lazily, because ``Tensor`` itself imports ``tensor_methods`` from here.
"""

import importlib

__all__ = ["binary", "elementwise", "indexing", "inplace", "matmul", "movement", "reduction"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
