"""The ``glassml`` command.

glassml run [NAMES... | all] [--quick] [--out DIR]   run experiments, write the HTML report
glassml run --list                                   list the experiments
glassml datasets                                     list datasets with shapes and sizes
glassml bench [NAMES...] [--quick]                   benchmarks against reference libraries
glassml train | evaluate | predict | drift          the config-driven workflow (workflow.cli)
glassml generate | embed | search | ask             language models and RAG (cli_language)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="glassml",
        description="glassml — machine learning with the lid off. Every model of the ML "
        "curriculum from first principles on NumPy, checked against scikit-learn and PyTorch, "
        "and every claim of the curriculum measured as an experiment.",
        epilog="Examples:\n  glassml run all --quick --out report\n  glassml run --list\n"
        '  glassml datasets\n  glassml bench --quick\n  glassml ask notes/ "Who wrote it?"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"glassml {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run experiments and write the HTML report",
        description="Run curriculum experiments (each claim CL-xxx measured, asserted and drawn) "
        "and write DIR/index.html (self-contained) and DIR/results.json. NAMES are experiment "
        "names or topic names; 'all' (the default) runs everything.",
    )
    run.add_argument(
        "names",
        nargs="*",
        default=["all"],
        metavar="NAME",
        help="experiment or topic names, or 'all' (default)",
    )
    run.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: seconds per experiment (what CI and `make run` use)",
    )
    run.add_argument(
        "--out",
        default="report",
        metavar="DIR",
        help="output folder for index.html and results.json (default: report)",
    )
    run.add_argument("--seed", type=int, default=0, help="base random seed (default 0)")
    run.add_argument("--list", action="store_true", help="list experiments and exit")

    sub.add_parser(
        "datasets",
        help="list datasets and weight files with shapes and sizes",
        description="List the bundled, packaged and synthetic datasets and the "
        "pretrained weight files, with shapes, sizes and whether they are installed.",
    )

    bench = sub.add_parser(
        "bench",
        help="time glassml against reference libraries",
        description="Time glassml and the reference library alternately at equal thread counts "
        "and print ratios (glassml / reference). Writes benchmarks/results.json and "
        "benchmarks/ratios.png.",
    )
    bench.add_argument("names", nargs="*", metavar="NAME", help="workload names or prefixes")
    bench.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke test)")
    bench.add_argument("--threads", type=int, default=2, help="BLAS/torch threads on both sides")
    bench.add_argument("--repeats", type=int, default=None, help="timed repeats per side")
    bench.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output folder (default: the repository's benchmarks/)",
    )
    bench.add_argument("--list", action="store_true", help="list workloads and exit")

    from .workflow.cli import register_subcommands

    register_subcommands(sub)  # train, evaluate, predict, drift
    from .cli_language import register_subcommands as register_language

    register_language(sub)  # generate, embed, search, ask
    return parser


def _select_experiments(names):
    from .experiments import registry

    reg = registry()
    if not names or names == ["all"]:
        return list(reg.values())
    chosen = []
    for name in names:
        if name in reg:
            chosen.append(reg[name])
            continue
        topic = [e for e in reg.values() if name in (e.topic, e.module)]
        if not topic:
            modules = sorted({e.module for e in reg.values()})
            raise SystemExit(
                f"glassml run: unknown experiment or topic {name!r}.\n"
                f"Topics: {', '.join(modules)}\nUse `glassml run --list` to see all experiments."
            )
        chosen.extend(topic)
    return list({e.name: e for e in chosen}.values())


def _cmd_run(args) -> int:
    from tqdm.auto import tqdm

    from .experiments import registry, run_one
    from .report import write_report

    if args.list:
        for exp in sorted(registry().values(), key=lambda e: (e.module, e.name)):
            weak = " (weak)" if exp.weak else ""
            print(f"{exp.module:16} {exp.name:36} {', '.join(exp.claims)}{weak}  {exp.title}")
        return 0
    from .experiments._registry import IMPORT_ERRORS

    experiments = _select_experiments(args.names)
    for module, err in IMPORT_ERRORS.items():
        print(f"ERROR: experiment module {module!r} failed to import:\n{err}", file=sys.stderr)
    results = []
    bar = tqdm(experiments, desc="experiments", unit="exp", disable=None)
    for exp in bar:
        bar.set_postfix_str(exp.name)
        results.append(run_one(exp, quick=args.quick, seed=args.seed))
    bench_png = Path("benchmarks") / "ratios.png"
    bench_link = None
    if bench_png.exists():
        bench_link = str(
            Path("..").joinpath(bench_png)
            if not Path(args.out).is_absolute()
            else bench_png.resolve()
        )
    page = write_report(results, args.out, quick=args.quick, bench_link=bench_link)
    bad = [r for r in results if r.status in ("failed", "error")]
    if IMPORT_ERRORS:
        print(
            f"{len(IMPORT_ERRORS)} experiment module(s) failed to import: "
            f"{', '.join(IMPORT_ERRORS)}"
        )
        return 1
    counts = {
        s: sum(r.status == s for r in results) for s in ("passed", "failed", "reported", "error")
    }
    print(f"{len(results)} experiments: " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
    for r in bad:
        first = (r.error or "").splitlines()[0] if r.error else ""
        failing = [k for k, v in r.checks.items() if not v]
        print(f"  {r.status.upper()}: {r.name} {first} {failing if failing else ''}".rstrip())
    print(f"report: {page.resolve()}")
    return 1 if bad else 0


def _cmd_datasets(args) -> int:
    from .datasets import catalog

    rows = catalog()
    print(f"{'name':22} {'kind':10} {'shape':44} {'size':>9}  source")
    for r in rows:
        status = "" if r.available else f"  NOT INSTALLED: {r.note}"
        print(f"{r.name:22} {r.kind:10} {r.shape:44} {r.size:>9}  {r.source}{status}")
    return 0


def _cmd_bench(args) -> int:
    from .bench import (
        find_benchmarks_dir,
        format_table,
        load_workloads,
        run_benchmarks,
        write_outputs,
    )

    if args.list:
        for name, wl in sorted(load_workloads().items()):
            print(f"{name:36} {wl.group:14} vs {wl.reference}")
        return 0
    report = run_benchmarks(
        args.names, quick=args.quick, n_threads=args.threads, repeats=args.repeats
    )
    print(format_table(report))
    out = Path(args.out) if args.out else (find_benchmarks_dir() or Path("benchmarks"))
    json_path, png_path = write_outputs(report, out)
    print(f"\nwrote {json_path} and {png_path}")
    errors = [r for r in report["results"] if r["status"] == "error"]
    return 1 if errors else 0


def main(argv=None) -> int:
    """Entry point of the ``glassml`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "_workflow_handler"):
        from .workflow.cli import dispatch

        return dispatch(args)
    if hasattr(args, "_language_handler"):
        from .cli_language import dispatch as dispatch_language

        return dispatch_language(args)
    if args.command is None:
        parser.print_help()
        return 0
    handlers = {"run": _cmd_run, "datasets": _cmd_datasets, "bench": _cmd_bench}
    try:
        return handlers[args.command](args)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
