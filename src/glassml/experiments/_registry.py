"""The experiment registry: every claim of the curriculum as a measured, asserted, drawn result.

An experiment is a function ``fn(ctx) -> Outcome`` registered with :func:`experiment`.
It runs on synthetic or offline data with fixed seeds, returns the numbers it measured, a dict of
named checks (each one a part of the claim, ``True`` when the measurement supports it) and one
matplotlib figure. Claims that the inventory marks *weak* are reported, not asserted.

Example
-------
>>> @experiment("demo_mean", claims=["CL-000"], title="Sample means converge", topic="demo")
... def demo(ctx):
...     x = ctx.rng().normal(size=100 if ctx.quick else 10_000)
...     fig, ax = ctx.figure()
...     ax.hist(x, bins=20)
...     return Outcome(metrics={"mean": float(x.mean())},
...                    checks={"|mean| < 0.5": abs(x.mean()) < 0.5},
...                    figure=fig, summary=f"mean = {x.mean():.3f}")
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["experiment", "Outcome", "Context", "ExperimentResult", "registry", "get", "run_one"]


@dataclass
class Outcome:
    """What an experiment returns.

    metrics : dict of the measured numbers (JSON-serialisable: floats, ints, str, lists).
    checks : dict mapping a human-readable statement to the bool that verifies it.
    figure : a ``matplotlib.figure.Figure`` (create it with ``ctx.figure``).
    summary : one sentence stating the finding with its numbers.
    """

    metrics: dict
    checks: dict
    figure: object = None
    summary: str = ""


@dataclass
class Context:
    """Passed to every experiment: quick mode flag, seeded generators, figure factory."""

    quick: bool = True
    seed: int = 0

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A fresh, seeded ``numpy.random.Generator`` (``offset`` for independent streams)."""
        return np.random.default_rng(self.seed + offset)

    def figure(
        self,
        nrows: int = 1,
        ncols: int = 1,
        *,
        width: float = 5.0,
        height: float = 3.6,
        **subplot_kw,
    ):
        """A new Agg figure and its axes (no global pyplot state)."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
        return fig, axes


@dataclass
class Experiment:
    name: str
    fn: Callable
    claims: list
    title: str
    topic: str
    weak: bool = False

    @property
    def module(self) -> str:
        """Short name of the module that defines it (``fitting``, ``statistics``, ...)."""
        return self.fn.__module__.rsplit(".", 1)[-1]


@dataclass
class ExperimentResult:
    """The record of one run, as written to results.json and the HTML report."""

    name: str
    title: str
    topic: str
    claims: list
    weak: bool
    status: str  # "passed" | "failed" | "reported" | "error"
    metrics: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    summary: str = ""
    seconds: float = 0.0
    error: str | None = None
    figure_png: bytes | None = None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "topic": self.topic,
            "claims": self.claims,
            "weak": self.weak,
            "status": self.status,
            "metrics": _jsonable(self.metrics),
            "checks": {k: bool(v) for k, v in self.checks.items()},
            "summary": self.summary,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


_REGISTRY: dict[str, Experiment] = {}
_LOADED = False
# Modules that failed to import: name -> traceback. One broken module must not hide the others.
IMPORT_ERRORS: dict[str, str] = {}


def experiment(name: str, *, claims: list[str], title: str, topic: str, weak: bool = False):
    """Register ``fn(ctx) -> Outcome`` as experiment ``name`` demonstrating ``claims``."""

    def decorate(fn):
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"experiment {name!r} is registered twice")
        _REGISTRY[name] = Experiment(name, fn, list(claims), title, topic, weak)
        fn.experiment_name = name
        return fn

    return decorate


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    package = importlib.import_module("glassml.experiments")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_"):
            continue
        try:
            importlib.import_module(f"glassml.experiments.{info.name}")
        except Exception as exc:  # report the module, keep the rest
            IMPORT_ERRORS[info.name] = (
                f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
            )
    _LOADED = True


def registry() -> dict[str, Experiment]:
    """All registered experiments, by name (imports every experiment module once)."""
    _load_all()
    return dict(_REGISTRY)


def get(name: str) -> Experiment:
    """The experiment called ``name`` (clear error listing the known names otherwise)."""
    reg = registry()
    if name not in reg:
        raise KeyError(f"unknown experiment {name!r}; known: {', '.join(sorted(reg))}")
    return reg[name]


def run_one(exp: Experiment, *, quick: bool = True, seed: int = 0) -> ExperimentResult:
    """Run one experiment, catching errors, and render its figure to PNG."""
    start = time.perf_counter()
    result = ExperimentResult(exp.name, exp.title, exp.topic, exp.claims, exp.weak, "error")
    try:
        outcome = exp.fn(Context(quick=quick, seed=seed))
        if not isinstance(outcome, Outcome):
            raise TypeError(
                f"experiment {exp.name!r} returned {type(outcome).__name__}, not Outcome"
            )
        result.metrics = outcome.metrics
        result.checks = {k: bool(v) for k, v in outcome.checks.items()}
        result.summary = outcome.summary
        if not result.checks:
            raise ValueError(f"experiment {exp.name!r} made no checks")
        ok = all(result.checks.values())
        result.status = "reported" if exp.weak else ("passed" if ok else "failed")
        if outcome.figure is not None:
            buf = io.BytesIO()
            outcome.figure.savefig(buf, format="png", dpi=90)
            result.figure_png = buf.getvalue()
    except Exception as exc:  # an experiment must never take the whole run down
        result.status = "error"
        result.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
    result.seconds = time.perf_counter() - start
    return result


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    return value
