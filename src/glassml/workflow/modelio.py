"""The saved model folder: the fitted pipeline (glassml.io, no pickle) plus its input schema.

``save_model`` writes ``DIR/`` with ``estimator.json`` + ``arrays.safetensors`` (via
:func:`glassml.io.save_estimator`; version and SHA-256 tamper checks on load) — a neural model's
network goes to ``DIR/network_0/config.json`` + ``model.safetensors`` (PyTorch state_dict keys)
— and the schema in
``extra``: input columns in order with their types ("float" | "category"), target name, task
("classification" | "regression" | "clustering"), class labels and default metrics.

Input validation (``prepare_input``): missing columns are an error listing them; extra columns
are ignored with a warning naming them (so a labelled CSV, target included, can be scored),
or an error with ``strict=True``; a numeric column holding text is an error.
Inventory: ET-04 (save/load a model with a signature), OT-07 (deploy).

Example
-------
>>> # save_model(pipe, "out/model", schema); model, schema = load_model("out/model")
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..io import load_estimator, save_estimator
from .table import Table

__all__ = ["save_model", "load_model", "prepare_input", "SCHEMA_VERSION"]

SCHEMA_VERSION = 1


def save_model(estimator, directory, schema: dict, *, force: bool = False) -> Path:
    """Save a fitted estimator with its schema (see the module docstring)."""
    return save_estimator(
        estimator, directory, force=force, extra={"schema": {"version": SCHEMA_VERSION, **schema}}
    )


def load_model(directory):
    """(estimator, schema) from a folder written by :func:`save_model` — no code runs from it.

    Raises FileNotFoundError for a folder that is not a model, ValueError for a corrupted or
    tampered file, another format or another glassml version.
    """
    import json

    directory = Path(directory)
    estimator = load_estimator(directory)
    payload = json.loads((directory / "estimator.json").read_text(encoding="utf-8"))
    schema = payload.get("extra", {}).get("schema")
    if not isinstance(schema, dict) or "columns" not in schema:
        raise ValueError(
            f"{directory}: the model has no input schema; was it saved by glassml train?"
        )
    return estimator, schema


def prepare_input(table: Table, schema: dict, *, strict: bool = False, source: str = "input"):
    """Model input matrix from ``table`` ordered and typed as the schema says."""
    columns = schema["columns"]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; the model expects {columns}.")
    ignorable = {schema.get("target")} if not strict else set()
    extra = [c for c in table.columns if c not in columns and c not in ignorable]
    if extra:
        if strict:
            raise ValueError(
                f"{source}: unexpected column(s) {extra}; the model expects {columns}."
            )
        warnings.warn(f"{source}: ignoring extra column(s) {extra}.", UserWarning, stacklevel=2)
    typed = {}
    for c in columns:
        values = table.data[c]
        if schema["dtypes"][c] == "float" and values.dtype.kind not in "biuf":
            bad = next(v for v in values if isinstance(v, str))
            raise ValueError(f"{source}: column {c!r} must be numeric, got {bad!r}.")
        if schema["dtypes"][c] == "category" and values.dtype.kind != "O":
            values = np.array(
                [v if np.isnan(v) else _as_label(v) for v in values], dtype=object
            )  # numbers read from CSV for a categorical column: back to their text
        typed[c] = values
    return Table(typed).matrix(columns)


def _as_label(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(float(v))
