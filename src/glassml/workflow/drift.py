"""``glassml drift REFERENCE.csv NEW.csv``: per-feature data drift and a retraining verdict.

For each feature present in both files (missing values dropped):

* two-sample Kolmogorov–Smirnov: D = sup_x |F_ref(x) − F_new(x)| and its p-value under
  "same distribution" (:func:`glassml.stats.ks_2samp`; numeric features only);
* population stability index over ``n_bins`` quantile bins of the reference (categories for
  categorical features): PSI = Σ_b (p_new,b − p_ref,b) · ln(p_new,b / p_ref,b), with every
  proportion floored at ``eps`` so that empty bins stay finite.

A feature drifts when PSI > ``psi_threshold`` (0.2: the usual "significant shift") or
KS p < ``p_threshold`` (0.01); any drifting feature → "retraining advised" (the monitor and
retrain step of the workflow). Inventory: OT-11, OT-07; claim CL-011 (retraining restores a
model under drift) is the experiment ``retraining_restores_accuracy``.

Example
-------
>>> rng = np.random.default_rng(0)
>>> ref, new = rng.normal(size=500), rng.normal(loc=1.0, size=500)
>>> population_stability_index(ref, new) > 0.2
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..stats import ks_2samp
from .table import Table, read_csv

__all__ = ["FeatureDrift", "DriftReport", "population_stability_index", "drift_report",
           "drift_csv", "format_drift"]  # fmt: skip


def _proportions(counts: np.ndarray, eps: float) -> np.ndarray:
    p = counts / max(counts.sum(), 1)  # (n_bins,)
    return np.maximum(p, eps)


def population_stability_index(reference, new, *, n_bins: int = 10, eps: float = 1e-4) -> float:
    """PSI of numeric samples with quantile bins of the reference (see the module docstring).

    Bin edges are the reference quantiles at 0, 1/n_bins, ..., 1 (duplicates merged), the
    outer edges opened to ±∞ so every new value falls in a bin.
    """
    reference = np.asarray(reference, dtype=np.float64)
    new = np.asarray(new, dtype=np.float64)
    if reference.size == 0 or new.size == 0:
        raise ValueError("population_stability_index: both samples must be non-empty.")
    if n_bins < 2:
        raise ValueError(f"n_bins: expected an integer >= 2, got {n_bins}.")
    edges = np.unique(np.quantile(reference, np.linspace(0.0, 1.0, n_bins + 1)))
    inner = edges[1:-1]  # (n_edges - 2,) cut points; bins are (-inf, e1], (e1, e2], ..., (e_k, inf)
    ref_counts = np.bincount(np.searchsorted(inner, reference, side="left"),
                             minlength=len(inner) + 1)  # fmt: skip
    new_counts = np.bincount(np.searchsorted(inner, new, side="left"), minlength=len(inner) + 1)
    p_ref, p_new = _proportions(ref_counts, eps), _proportions(new_counts, eps)
    return float(np.sum((p_new - p_ref) * np.log(p_new / p_ref)))


def _categorical_psi(reference, new, eps: float) -> float:
    categories = np.unique(np.concatenate([reference, new]).astype(str))
    ref_counts = np.array([(reference.astype(str) == c).sum() for c in categories])
    new_counts = np.array([(new.astype(str) == c).sum() for c in categories])
    p_ref, p_new = _proportions(ref_counts, eps), _proportions(new_counts, eps)
    return float(np.sum((p_new - p_ref) * np.log(p_new / p_ref)))


@dataclass
class FeatureDrift:
    """Drift statistics of one feature."""

    feature: str
    ks_statistic: float
    ks_pvalue: float
    psi: float
    drifted: bool


@dataclass
class DriftReport:
    """Per-feature drift and the verdict."""

    features: list
    psi_threshold: float
    p_threshold: float

    @property
    def drifted(self) -> list[str]:
        return [f.feature for f in self.features if f.drifted]

    @property
    def retraining_advised(self) -> bool:
        return bool(self.drifted)

    @property
    def verdict(self) -> str:
        if self.drifted:
            return f"retraining advised: drift in {', '.join(self.drifted)}"
        return "no drift detected: the model's inputs look like its training data"


def drift_report(reference: Table, new: Table, *, psi_threshold=0.2, p_threshold=0.01,
                 n_bins=10, columns=None) -> DriftReport:  # fmt: skip
    """Drift of every shared column (or ``columns``) from ``reference`` to ``new``."""
    if columns is None:
        columns = [c for c in reference.columns if c in new.columns]
        if not columns:
            raise ValueError("drift: the two files share no column names.")
    else:
        missing = [c for c in columns if c not in reference.columns or c not in new.columns]
        if missing:
            raise ValueError(f"drift: column(s) {missing} are not in both files.")
    rows = []
    for c in columns:
        ref, nw = reference.data[c], new.data[c]
        numeric = ref.dtype.kind in "biuf" and nw.dtype.kind in "biuf"
        if numeric:
            ref, nw = ref[~np.isnan(ref)], nw[~np.isnan(nw)]
        else:
            keep = lambda a: np.array([v for v in a if not isinstance(v, float)], dtype=object)  # noqa: E731
            ref, nw = keep(ref), keep(nw)
        if ref.size == 0 or nw.size == 0:
            raise ValueError(f"drift: column {c!r} has no values in one of the files.")
        if numeric:
            ks = ks_2samp(ref, nw)
            stat, p = float(ks.statistic), float(ks.pvalue)
            psi = population_stability_index(ref, nw, n_bins=n_bins)
        else:
            stat, p = float("nan"), float("nan")
            psi = _categorical_psi(ref, nw, 1e-4)
        drifted = psi > psi_threshold or (numeric and p < p_threshold)
        rows.append(FeatureDrift(c, stat, p, psi, bool(drifted)))
    return DriftReport(rows, psi_threshold, p_threshold)


def drift_csv(reference_csv, new_csv, **kwargs) -> DriftReport:
    """:func:`drift_report` of two CSV files."""
    return drift_report(read_csv(reference_csv), read_csv(new_csv), **kwargs)


def format_drift(report: DriftReport) -> str:
    """The drift table and the verdict as text."""
    width = max(len("feature"), *(len(f.feature) for f in report.features))
    lines = [f"{'feature':{width}}  {'KS D':>8}  {'KS p':>10}  {'PSI':>8}  drift",
             f"{'-' * width}  {'-' * 8}  {'-' * 10}  {'-' * 8}  -----"]  # fmt: skip
    for f in report.features:
        lines.append(f"{f.feature:{width}}  {f.ks_statistic:8.4f}  {f.ks_pvalue:10.3g}  "
                     f"{f.psi:8.4f}  {'YES' if f.drifted else 'no'}")  # fmt: skip
    lines.append(f"(drift: PSI > {report.psi_threshold} or KS p < {report.p_threshold})")
    lines.append(report.verdict)
    return "\n".join(lines)
