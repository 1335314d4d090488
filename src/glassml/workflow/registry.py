"""Resolving a model name from a config to a glassml estimator class, safely.

Only glassml's own public estimator subpackages are scanned (a fixed list, imported by us);
a config can name a class but can never make glassml import an arbitrary module.
Inventory: OT-07.

Example
-------
>>> estimator_class("Ridge").__name__
'Ridge'
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from functools import cache

__all__ = ["ESTIMATOR_PACKAGES", "estimator_registry", "estimator_class", "check_model_params"]

ESTIMATOR_PACKAGES = (
    "glassml.linear_model",
    "glassml.naive_bayes",
    "glassml.neighbors",
    "glassml.cluster",
    "glassml.decomposition",
    "glassml.tree",
    "glassml.ensemble",
    "glassml.svm",
    "glassml.models.mlp",
    "glassml.neural_network",
)


@cache
def estimator_registry() -> dict[str, type]:
    """{class name: class} of every public BaseEstimator subclass in ESTIMATOR_PACKAGES."""
    from .._core import BaseEstimator

    found: dict[str, type] = {}
    for package in ESTIMATOR_PACKAGES:
        try:
            if importlib.util.find_spec(package) is None:
                continue
        except ModuleNotFoundError:
            continue
        module = importlib.import_module(package)
        names = getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")])
        for name in names:
            obj = getattr(module, name, None)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                found.setdefault(name, obj)
    return found


def estimator_class(name: str) -> type:
    """The glassml estimator class called ``name`` (error lists close matches)."""
    import difflib

    registry = estimator_registry()
    if name not in registry:
        close = difflib.get_close_matches(name, registry, n=5, cutoff=0.5)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise ValueError(
            f"model.name: unknown estimator {name!r}; expected a glassml estimator class name "
            f"(one of {len(registry)}, e.g. LogisticRegression, Ridge, KMeans).{hint}"
        )
    return registry[name]


def _expected(default):
    if isinstance(default, bool):
        return "a boolean", lambda v: isinstance(v, bool)
    if isinstance(default, int | float):
        return "a number", lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    return None, None


def check_model_params(cls: type, params: dict, key: str = "model.params") -> dict:
    """Check parameter names against ``cls.__init__`` and value types against its defaults.

    A parameter whose default is a number must get a number, a boolean default a boolean
    (a string may still be valid where the default is None or a string: the estimator checks
    those itself in fit). Returns ``params`` unchanged.
    """
    signature = inspect.signature(cls.__init__)
    valid = {n: p for n, p in signature.parameters.items() if n != "self"}
    for name, value in params.items():
        if name not in valid:
            raise ValueError(
                f"{key}.{name}: unknown parameter of {cls.__name__}; valid parameters are "
                f"{', '.join(sorted(valid))}."
            )
        default = valid[name].default
        expected, ok = _expected(default)
        if expected and not ok(value) and not isinstance(value, str | list | dict):
            raise ValueError(f"{key}.{name}: expected {expected}, got {value!r}.")
        if expected and isinstance(value, str):
            from .config import ConfigError

            if isinstance(default, bool) or value not in ("auto", "scale", "sqrt", "log2"):
                raise ConfigError(f"{key}.{name}: expected {expected}, got {value!r}.")
    return params
