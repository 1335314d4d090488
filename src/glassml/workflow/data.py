"""Loading the dataset a config names: a bundled dataset, a synthetic generator, or a CSV.

Inventory: OT-07 (collect). Returns the feature :class:`~glassml.workflow.table.Table`, the
target (or None for unlabelled clustering data) and the target's name.

Example
-------
>>> from glassml.workflow.config import DataConfig
>>> features, y, target = load_data(DataConfig(builtin="iris"))
>>> features.n_rows, target
(150, 'target')
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from .config import ConfigError, DataConfig
from .table import Table, read_csv

__all__ = ["BUILTIN_LOADERS", "GENERATORS", "load_data"]

BUILTIN_LOADERS = ("iris", "wine", "breast_cancer", "diabetes", "digits")
GENERATORS = ("blobs", "moons", "circles", "classification", "regression", "xor", "polynomial")


def _builtin(name: str, params: dict):
    from .. import datasets

    if name in BUILTIN_LOADERS:
        if params:
            raise ConfigError(f"data.params: the bundled dataset {name!r} takes no parameters.")
        bunch = getattr(datasets, f"load_{name}")()
        return (
            np.asarray(bunch.data, dtype=np.float64),
            np.asarray(bunch.target),
            [str(f) for f in bunch.feature_names],
        )
    if name in GENERATORS:
        make = getattr(datasets, f"make_{name}")
        valid = set(inspect.signature(make).parameters)
        for key in params:
            if key not in valid:
                raise ConfigError(
                    f"data.params.{key}: unknown parameter of make_{name}; valid parameters "
                    f"are {', '.join(sorted(valid))}."
                )
        params = {"random_state": 0, **params} if "random_state" in valid else params
        out = make(**params)
        X, y = out[0], out[1]
        X = np.asarray(X, dtype=np.float64)
        return X, np.asarray(y), [f"x{j}" for j in range(X.shape[1])]
    raise ConfigError(
        f"data.builtin: unknown dataset {name!r}; expected one of "
        f"{', '.join(BUILTIN_LOADERS + GENERATORS)}."
    )


def load_data(cfg: DataConfig, base_dir: Path | None = None):
    """(features Table, y or None, target name) for the ``[data]`` section."""
    if cfg.builtin is not None:
        X, y, names = _builtin(cfg.builtin, cfg.params)  # X (n, d)
        table = Table({n: X[:, j] for j, n in enumerate(names)})
        target = "target"
    else:
        path = Path(cfg.csv)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        full = read_csv(path)
        target = cfg.target
        if target not in full.columns:
            raise ConfigError(
                f"data.target: column {target!r} is not in {path} (columns: "
                f"{', '.join(full.columns)})."
            )
        y = full.data[target]
        if y.dtype.kind == "O":
            if any(isinstance(v, float) for v in y):
                raise ValueError(f"{path}: the target column {target!r} has missing values.")
            y = y.astype(str)
        elif np.isnan(y).any():
            raise ValueError(f"{path}: the target column {target!r} has missing values.")
        table = Table({c: full.data[c] for c in full.columns if c != target})
    if cfg.columns is not None:
        missing = [c for c in cfg.columns if c not in table.columns]
        if missing:
            raise ConfigError(f"data.columns: {missing} not in the data ({table.columns}).")
        table = Table({c: table.data[c] for c in cfg.columns})
    return table, y, target
