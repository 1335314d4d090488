"""The benchmark runner: glassml against the library a user would otherwise pick.

Workloads live in ``benchmarks/workloads/*.py`` (in the repository) and register themselves with
:func:`workload`. A workload function takes ``quick`` and returns a :class:`Case` holding two
zero-argument callables — ours and the reference's — on identical data. The runner pins BLAS and
torch to the same thread count on both sides, warms both up, then times them alternately
(A B A B ...) and reports medians, the ratio glassml/reference and the min-max spread.

Example workload::

    @workload("kmeans_100k", reference="scikit-learn", group="classical", unit="fits")
    def kmeans(quick):
        X = ...
        return Case(ours=lambda: KMeans(...).fit(X), ref=lambda: SkKMeans(...).fit(X))

A side that does not exist yet is ``None``; the table then says "not implemented".
"""

from __future__ import annotations

import importlib.util
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "workload",
    "Case",
    "run_benchmarks",
    "machine_ceiling",
    "find_benchmarks_dir",
    "format_table",
    "format_markdown",
]


@dataclass
class Case:
    """Two callables to compare on the same inputs.

    ours / ref : zero-argument callables (``None`` = not implemented / reference missing).
    items : how many units one call processes (for throughput: samples, tokens, ...).
    flops : floating-point operations of one call, for GEMM-bound workloads (ceiling fraction).
    note : free text shown in the table.
    """

    ours: Callable | None
    ref: Callable | None
    items: float | None = None
    flops: float | None = None
    note: str = ""


@dataclass
class Workload:
    name: str
    fn: Callable
    reference: str
    group: str
    unit: str | None = None
    target: float | None = None  # the ratio the issue asks for (glassml / reference)


@dataclass
class BenchResult:
    name: str
    group: str
    reference: str
    status: str  # "ok" | "not implemented" | "reference missing" | "error"
    ours_median: float | None = None
    ref_median: float | None = None
    ratio: float | None = None
    ours_spread: tuple | None = None
    ref_spread: tuple | None = None
    throughput: str = ""
    ceiling_fraction: float | None = None
    target: float | None = None
    note: str = ""
    error: str | None = None
    extra: dict = field(default_factory=dict)


_WORKLOADS: dict[str, Workload] = {}


def workload(
    name: str, *, reference: str, group: str, unit: str | None = None, target: float | None = None
):
    """Register a benchmark workload (see module docstring)."""

    def decorate(fn):
        _WORKLOADS[name] = Workload(name, fn, reference, group, unit, target)
        return fn

    return decorate


def find_benchmarks_dir() -> Path | None:
    """The repository's ``benchmarks/`` folder (current directory first, then next to src/)."""
    candidates = [Path.cwd() / "benchmarks", Path(__file__).resolve().parents[2] / "benchmarks"]
    for c in candidates:
        if (c / "workloads").is_dir():
            return c
    return None


def load_workloads() -> dict[str, Workload]:
    """Import every ``benchmarks/workloads/*.py`` module so that its workloads register."""
    bdir = find_benchmarks_dir()
    if bdir is None:
        raise FileNotFoundError(
            "benchmarks/workloads not found: run `glassml bench` from the glassml repository root."
        )
    for path in sorted((bdir / "workloads").glob("*.py")):
        if path.name.startswith("_"):
            continue
        mod_name = f"glassml_benchmarks_{path.stem}"
        if mod_name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(mod_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module
        spec.loader.exec_module(module)
    return dict(_WORKLOADS)


def _time_once(fn: Callable) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_alternating(
    ours: Callable, ref: Callable, *, repeats: int, warmup: int = 1, budget: float | None = None
):
    """Time two callables alternately (A B A B ...) after ``warmup`` calls of each.

    With a ``budget`` (seconds per workload), the number of timed rounds is cut so that the
    workload stays within it (at least one round): a 3-minute random forest gets one or two
    rounds, a 5-ms kernel the full ``repeats``.
    """
    t_warm = 0.0
    for _ in range(warmup):
        t_warm = _time_once(ours) + _time_once(ref)
    if budget is not None and t_warm > 0:
        repeats = max(1, min(repeats, int(budget / t_warm)))
    t_ours, t_ref = [], []
    for _ in range(repeats):
        t_ours.append(_time_once(ours))
        t_ref.append(_time_once(ref))
    return t_ours, t_ref


def _pin_threads(n_threads: int):
    """Pin BLAS/OpenMP threads (threadpoolctl) and torch threads to ``n_threads``."""
    from threadpoolctl import threadpool_limits

    limiter = threadpool_limits(limits=n_threads)
    try:
        import torch

        torch.set_num_threads(n_threads)
    except ImportError:
        pass
    return limiter


def machine_ceiling(quick: bool = False) -> dict:
    """Measured GEMM GFLOP/s (float32, float64) and memory bandwidth (GB/s, copy)."""
    n = 512 if quick else 2048
    out = {}
    for dt in (np.float32, np.float64):
        a = np.random.default_rng(0).standard_normal((n, n)).astype(dt)
        b = a.T.copy()
        a @ b
        reps = 3 if quick else 5
        best = min(_time_once(lambda a=a, b=b: a @ b) for _ in range(reps))
        out[f"gemm_gflops_{np.dtype(dt).name}"] = 2 * n**3 / best / 1e9
    m = (8 if quick else 64) * 2**20 // 8
    src = np.ones(m)
    dst = np.empty_like(src)
    best = min(_time_once(lambda: np.copyto(dst, src)) for _ in range(5))
    out["memory_bandwidth_gbs"] = 2 * src.nbytes / best / 1e9
    return out


def run_benchmarks(
    names: list[str] | None = None,
    *,
    quick: bool = False,
    n_threads: int = 2,
    repeats: int | None = None,
    progress: bool = True,
) -> dict:
    """Run the selected workloads (all if ``names`` is empty) and return the results dict."""
    workloads = load_workloads()
    if names:
        unknown = [n for n in names if not any(w.startswith(n) for w in workloads)]
        if unknown:
            raise KeyError(f"unknown workloads {unknown}; known: {', '.join(sorted(workloads))}")
        selected = [w for k, w in workloads.items() if any(k.startswith(n) for n in names)]
    else:
        selected = list(workloads.values())
    repeats = repeats or (1 if quick else 7)
    _pin_threads(n_threads)
    ceiling = machine_ceiling(quick=quick)
    results = []
    from tqdm.auto import tqdm

    for wl in tqdm(selected, desc="benchmarks", disable=not progress):
        res = BenchResult(wl.name, wl.group, wl.reference, "error", target=wl.target)
        try:
            case = wl.fn(quick)
            res.note = case.note
            if case.ours is None:
                res.status = "not implemented"
            elif case.ref is None:
                res.status = "reference missing"
            else:
                t_ours, t_ref = time_alternating(
                    case.ours, case.ref, repeats=repeats, warmup=0 if quick else 1
                )
                res.ours_median = statistics.median(t_ours)
                res.ref_median = statistics.median(t_ref)
                res.ratio = res.ours_median / res.ref_median
                res.ours_spread = (min(t_ours), max(t_ours))
                res.ref_spread = (min(t_ref), max(t_ref))
                if case.items and wl.unit:
                    res.throughput = f"{case.items / res.ours_median:,.0f} {wl.unit}/s"
                if case.flops:
                    peak = ceiling["gemm_gflops_float32"] * 1e9
                    res.ceiling_fraction = case.flops / res.ours_median / peak
                res.status = "ok"
        except Exception as exc:  # one broken workload must not hide the others
            res.status = "error"
            res.error = f"{type(exc).__name__}: {exc}"
        results.append(res)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} {platform.processor() or ''} "
        f"{_cpu_name()} ({n_threads} threads)".strip(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "quick": quick,
        "ceiling": ceiling,
        "results": [r.__dict__ for r in results],
    }


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def format_table(report: dict) -> str:
    """A plain-text table of a :func:`run_benchmarks` report."""
    c = report["ceiling"]
    lines = [
        f"glassml benchmarks — {report['date']} — {report['machine']}",
        f"machine ceiling: GEMM {c['gemm_gflops_float32']:.1f} GFLOP/s (float32), "
        f"{c['gemm_gflops_float64']:.1f} GFLOP/s (float64); memory copy "
        f"{c['memory_bandwidth_gbs']:.1f} GB/s",
        "",
        f"{'workload':34} {'reference':22} {'glassml':>10} {'reference':>10} {'ratio':>7} "
        f"{'target':>7}  notes",
    ]
    for r in report["results"]:
        if r["status"] == "ok":
            extra = r["throughput"]
            if r["ceiling_fraction"] is not None:
                extra += f" {100 * r['ceiling_fraction']:.0f}% of GEMM peak"
            spread = (
                f" [{r['ours_spread'][0] * 1e3:.1f}-{r['ours_spread'][1] * 1e3:.1f} ms vs "
                f"{r['ref_spread'][0] * 1e3:.1f}-{r['ref_spread'][1] * 1e3:.1f} ms]"
            )
            lines.append(
                f"{r['name']:34} {r['reference']:22} {r['ours_median'] * 1e3:8.1f}ms "
                f"{r['ref_median'] * 1e3:8.1f}ms {r['ratio']:6.2f}x "
                f"{(str(r['target']) + 'x') if r['target'] else '':>7}  {extra}{spread} {r['note']}"
            )
        else:
            msg = r["status"] + (f": {r['error']}" if r["error"] else "")
            lines.append(f"{r['name']:34} {r['reference']:22} {msg}")
    return "\n".join(lines)


def format_markdown(report: dict) -> str:
    """The report as a Markdown table (for the README): one row per workload, ratio first."""
    c = report["ceiling"]
    lines = [
        f"{report['date']} — {report['machine']}; machine ceiling: GEMM "
        f"{c['gemm_gflops_float32']:.0f} GFLOP/s float32, {c['gemm_gflops_float64']:.0f} GFLOP/s "
        f"float64, memory copy {c['memory_bandwidth_gbs']:.1f} GB/s.",
        "",
        "| workload | reference | glassml | reference | ratio | target | throughput |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in report["results"]:
        if r["status"] != "ok":
            lines.append(f"| {r['name']} | {r['reference']} | {r['status']} | | | | |")
            continue
        target = f"{r['target']}x" if r["target"] else ""
        mark = " ✗" if r["target"] and r["ratio"] > r["target"] else ""
        extra = r["throughput"]
        if r["ceiling_fraction"] is not None:
            extra += f", {100 * r['ceiling_fraction']:.0f}% of GEMM peak"
        lines.append(
            f"| {r['name']} | {r['reference']} | {_ms(r['ours_median'])} | "
            f"{_ms(r['ref_median'])} | {r['ratio']:.2f}x{mark} | {target} | {extra} |"
        )
    return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def write_outputs(report: dict, out_dir: Path) -> tuple[Path, Path]:
    """Write ``results.json``, ``results.md`` (a Markdown table) and a bar chart of the ratios
    (``ratios.png``) to ``out_dir``."""
    from matplotlib.figure import Figure

    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "results.json"
    json_path.write_text(json.dumps(report, indent=2, default=str))
    (out_dir / "results.md").write_text(format_markdown(report) + "\n")
    ok = [r for r in report["results"] if r["status"] == "ok"]
    fig = Figure(figsize=(8, max(2.5, 0.35 * len(ok) + 1)), layout="constrained")
    ax = fig.subplots()
    if ok:
        names = [r["name"] for r in ok]
        ratios = [r["ratio"] for r in ok]
        colors = [
            "tab:green" if (r["target"] is None or r["ratio"] <= r["target"]) else "tab:red"
            for r in ok
        ]
        ax.barh(names, ratios, color=colors)
        ax.axvline(1.0, color="k", lw=1)
        ax.set_xscale("log")
        ax.invert_yaxis()
    ax.set_xlabel("time ratio glassml / reference (lower is faster)")
    ax.set_title(f"glassml vs references — {report['date']}")
    png_path = out_dir / "ratios.png"
    fig.savefig(png_path, dpi=90)
    return json_path, png_path
