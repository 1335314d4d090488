"""Experiments: each claim of the curriculum (``CL-xxx`` in the seed inventory) measured,
asserted and drawn. ``glassml run`` executes them and writes the HTML report.

Add an experiment by creating a module here (one module per curriculum topic) and decorating a
function with :func:`experiment`; it is discovered automatically.
"""

from ._registry import Context, ExperimentResult, Outcome, experiment, get, registry, run_one

__all__ = ["Context", "ExperimentResult", "Outcome", "experiment", "get", "registry", "run_one"]
