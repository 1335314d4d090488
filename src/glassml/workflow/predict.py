"""``glassml predict MODEL_DIR INPUT.csv [--proba] [--out preds.csv]`` and
``glassml evaluate MODEL_DIR DATA.csv``.

The model folder is read by :func:`glassml.io.load_estimator` (JSON + safetensors, no code
execution, version and checksum checks); input columns are validated against the saved schema
(missing → error; extra → ignored with a warning, or an error with ``strict``).
Inventory: ET-04, OT-07 (deploy, evaluate).

Example
-------
>>> # columns = predict("runs/iris/model", "new.csv", proba=True, out="preds.csv")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import metrics as M
from ..model_selection import get_scorer
from .modelio import load_model, prepare_input
from .table import read_csv, write_csv

__all__ = ["predict", "predict_table", "evaluate"]


def predict_table(model, schema, table, *, proba=False, strict=False, source="input") -> dict:
    """{output column: values} for a :class:`Table`: "prediction", or "proba_<class>"."""
    X = prepare_input(table, schema, strict=strict, source=source)  # (n, d)
    if proba:
        if not hasattr(model, "predict_proba"):
            raise ValueError(f"--proba: the {schema.get('model')} model has no predict_proba.")
        P = model.predict_proba(X)  # (n, k)
        return {f"proba_{c}": P[:, j] for j, c in enumerate(schema["classes"])}
    if schema["task"] == "clustering" and not hasattr(model, "predict"):
        raise ValueError(f"the {schema.get('model')} clustering model cannot label new rows.")
    return {"prediction": model.predict(X)}


def predict(model_dir, input_csv, *, proba=False, out=None, strict=False) -> dict:
    """Predict for the rows of ``input_csv``; write them to ``out`` (CSV) when given."""
    model, schema = load_model(model_dir)
    table = read_csv(input_csv)
    columns = predict_table(model, schema, table, proba=proba, strict=strict,
                            source=str(input_csv))  # fmt: skip
    if out is not None:
        write_csv(out, columns)
    return columns


def evaluate(model_dir, data_csv, *, metrics=None) -> dict:
    """Scores of the saved model on labelled rows (the target column must be present)."""
    model, schema = load_model(model_dir)
    table = read_csv(data_csv)
    target = schema["target"]
    if target not in table.columns:
        raise ValueError(
            f"{data_csv}: the target column {target!r} is missing; evaluate needs labelled data."
        )
    y = table.data[target]
    if schema["task"] == "classification":
        y = _labels_like(y, schema["classes"])
    X = prepare_input(table, schema, source=str(data_csv))
    names = metrics or schema["metrics"]
    if schema["task"] == "clustering":
        labels = model.predict(X)
        out = {}
        if "adjusted_rand_score" in names:
            out["adjusted_rand_score"] = float(M.adjusted_rand_score(y, labels))
        return out
    return {n: float(get_scorer(n)(model, X, y)) for n in names}


def _labels_like(y: np.ndarray, classes: list) -> np.ndarray:
    """Read labels back in the classes' type (CSV numbers vs saved int/str labels)."""
    if classes and isinstance(classes[0], str):
        return np.array([str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
                         for v in y], dtype=object).astype(str)  # fmt: skip
    if classes and isinstance(classes[0], int) and y.dtype.kind == "f":
        return y.astype(np.int64)
    return y


def write_predictions(columns: dict, out) -> Path:
    """Write prediction columns as CSV (used by the CLI)."""
    return write_csv(out, columns)
