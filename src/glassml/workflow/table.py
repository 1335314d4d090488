"""Tabular data for the workflow commands: named columns, read from CSV without pandas.

Numeric columns (every non-empty cell parses as a float) become float64 arrays with NaN for
empty / "NA" / "nan" cells; other columns become object arrays of strings with ``np.nan`` for
missing cells (what glassml's imputers and encoders expect). Inventory: OT-07 (collect).

Example
-------
>>> t = Table({"x": np.array([1.0, 2.0]), "c": np.array(["a", "b"], dtype=object)})
>>> t.columns, t.n_rows
(['x', 'c'], 2)
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

__all__ = ["Table", "read_csv", "write_csv", "MISSING"]

MISSING = frozenset({"", "na", "nan", "null", "none", "n/a"})


class Table:
    """Ordered named columns of equal length (float64 or object arrays)."""

    def __init__(self, columns: dict):
        self.data = {str(k): np.asarray(v) for k, v in columns.items()}
        lengths = {len(v) for v in self.data.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns have different lengths: {sorted(lengths)}.")

    @property
    def columns(self) -> list[str]:
        return list(self.data)

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    def is_numeric(self, name: str) -> bool:
        return self.data[name].dtype.kind in "biuf"

    def dtypes(self) -> dict[str, str]:
        """{column: "float" | "category"} — the schema saved with a model."""
        return {c: "float" if self.is_numeric(c) else "category" for c in self.columns}

    def matrix(self, columns: list[str]) -> np.ndarray:
        """(n_rows, len(columns)) float64 array, or object array if any column is categorical."""
        arrays = [self.data[c] for c in columns]
        if all(a.dtype.kind in "biuf" for a in arrays):
            return (
                np.column_stack([a.astype(np.float64) for a in arrays])
                if arrays
                else (np.empty((self.n_rows, 0)))
            )
        out = np.empty((self.n_rows, len(columns)), dtype=object)  # (n, d)
        for j, a in enumerate(arrays):
            out[:, j] = a
        return out

    @classmethod
    def from_mapping(cls, mapping: dict) -> Table:
        """Columns from lists of Python values (e.g. a JSON payload), typed like read_csv."""
        return cls({k: _typed_column(list(v)) for k, v in mapping.items()})


def _typed_column(cells: list) -> np.ndarray:
    def missing(c):
        return (
            c is None
            or (isinstance(c, float) and np.isnan(c))
            or (isinstance(c, str) and c.strip().lower() in MISSING)
        )

    values = []
    numeric = True
    for c in cells:
        if missing(c):
            values.append(np.nan)
            continue
        if isinstance(c, bool):
            numeric = False
            break
        try:
            values.append(float(c))
        except (TypeError, ValueError):
            numeric = False
            break
    if numeric:
        return np.asarray(values, dtype=np.float64)
    out = np.empty(len(cells), dtype=object)
    out[:] = [np.nan if missing(c) else str(c) for c in cells]
    return out


def read_csv(path) -> Table:
    """Read a CSV file with a header row into a :class:`Table` (clear errors for bad files)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CSV file {path} does not exist.")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{path}: the CSV file is empty (expected a header row).")
    header, body = rows[0], rows[1:]
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        raise ValueError(f"{path}: duplicate column names {dup}.")
    for i, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {i}: expected {len(header)} fields, got {len(row)}.")
    columns = {h: _typed_column([row[j] for row in body]) for j, h in enumerate(header)}
    return Table(columns)


def write_csv(path, columns: dict):
    """Write {name: 1-D array} as CSV (floats with repr precision, NaN as empty); ``"-"``
    writes to standard output."""
    names = list(columns)
    arrays = [np.asarray(columns[n]) for n in names]

    def cell(v):
        if isinstance(v, float | np.floating):
            return "" if np.isnan(v) else repr(float(v))
        return str(v.item() if isinstance(v, np.generic) else v)

    def write(fh):
        writer = csv.writer(fh)
        writer.writerow(names)
        for row in zip(*arrays, strict=True):
            writer.writerow([cell(v) for v in row])

    if str(path) == "-":
        import sys

        write(sys.stdout)
        return path
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        write(fh)
    return path
