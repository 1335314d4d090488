"""The array backend.

Array code that should one day run on a GPU calls ``xp.<function>`` instead of ``numpy.<function>``.
Today the backend is NumPy; ``set_backend("cupy")`` switches the module to CuPy where it is
installed, without rewriting the callers. ``get_namespace(*arrays)`` returns the namespace that
owns the given arrays, so kernels can stay backend-agnostic.

Examples
--------
>>> from glassml._core.xp import xp
>>> xp.zeros(3).shape
(3,)
"""

from __future__ import annotations

import importlib
import types

import numpy as np

__all__ = ["xp", "set_backend", "get_backend", "get_namespace", "to_numpy"]


class _Backend(types.SimpleNamespace):
    """A proxy that forwards attribute look-ups to the active array module."""

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "_module", np)
        object.__setattr__(self, "name", "numpy")

    def __getattr__(self, item):
        return getattr(object.__getattribute__(self, "_module"), item)

    def __repr__(self):
        return f"<glassml array backend: {object.__getattribute__(self, 'name')}>"


xp = _Backend()


def set_backend(name: str) -> None:
    """Select the array module: ``"numpy"`` (default) or ``"cupy"`` (needs CuPy and a GPU)."""
    if name not in ("numpy", "cupy"):
        raise ValueError(f"name: expected 'numpy' or 'cupy', got {name!r}.")
    try:
        module = importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - depends on the machine
        raise ImportError(f"backend {name!r} is not installed: pip install {name}") from exc
    object.__setattr__(xp, "_module", module)
    object.__setattr__(xp, "name", name)


def get_backend() -> str:
    """Name of the active array module."""
    return object.__getattribute__(xp, "name")


def get_namespace(*arrays):
    """Return the array module that owns ``arrays`` (NumPy unless one of them is a CuPy array)."""
    for a in arrays:
        mod = type(a).__module__
        if mod.startswith("cupy"):
            return importlib.import_module("cupy")
    return np


def to_numpy(a) -> np.ndarray:
    """Copy an array of any backend to host NumPy memory (no copy for NumPy arrays)."""
    if hasattr(a, "get") and type(a).__module__.startswith("cupy"):
        return a.get()
    return np.asarray(a)
