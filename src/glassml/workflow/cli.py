"""The workflow subcommands of ``glassml``: train, evaluate, predict, drift.

``register_subcommands(subparsers)`` adds them to the main parser (each sets
``_workflow_handler``); ``main(argv)`` runs them stand-alone
(``python -m glassml.workflow.cli train examples/ridge_diabetes.toml``). Inventory: OT-07.

Example
-------
>>> import argparse
>>> p = argparse.ArgumentParser(); register_subcommands(p.add_subparsers(dest="command"))
>>> p.parse_args(["predict", "m", "x.csv", "--proba"]).proba
True
"""

from __future__ import annotations

import argparse
import json
import sys

__all__ = ["register_subcommands", "dispatch", "main", "build_parser"]


def _cmd_train(args) -> int:
    from .train import format_metrics, train

    result = train(
        args.config, out=args.out, force=args.force or None, track=args.track or None,
        tracking_uri=args.tracking_uri,
    )  # fmt: skip
    print(format_metrics(result.metrics))
    print(f"\nwrote {result.out_dir}/model, metrics.json and {len(result.plots)} plot(s)")
    if result.run_id:
        print(f"MLflow run {result.run_id}")
    return 0


def _cmd_evaluate(args) -> int:
    from .predict import evaluate
    from .train import format_metrics

    scores = evaluate(args.model_dir, args.data)
    print(format_metrics(scores))
    if args.json:
        print(json.dumps(scores))
    return 0


def _cmd_predict(args) -> int:
    from .predict import predict
    from .table import write_csv

    columns = predict(args.model_dir, args.input, proba=args.proba, strict=args.strict)
    if args.out:
        write_csv(args.out, columns)
        print(f"wrote {len(next(iter(columns.values())))} predictions to {args.out}")
    else:
        write_csv("-", columns)
    return 0


def _cmd_drift(args) -> int:
    from .drift import drift_csv, format_drift

    report = drift_csv(args.reference, args.new, psi_threshold=args.psi_threshold,
                       p_threshold=args.p_threshold, n_bins=args.bins)  # fmt: skip
    print(format_drift(report))
    return 0


def register_subcommands(subparsers) -> None:
    """Add train / evaluate / predict / drift to an argparse subparsers object."""
    train = subparsers.add_parser(
        "train",
        help="train a model from a TOML config",
        description="Load the data, build the pipeline, split or cross-validate, fit, evaluate, "
        "and write OUT/model (pickle-free), OUT/metrics.json and plots.",
    )
    train.add_argument("config", metavar="CONFIG.toml")
    train.add_argument("--out", metavar="DIR", help="output folder (default [output] dir)")
    train.add_argument("--force", action="store_true", help="overwrite an existing output folder")
    train.add_argument("--track", action="store_true", help="log the run to MLflow")
    train.add_argument("--tracking-uri", metavar="URI", help="MLflow tracking URI "
                       "(default [tracking] uri or sqlite:///mlflow.db)")  # fmt: skip
    train.set_defaults(_workflow_handler=_cmd_train)

    ev = subparsers.add_parser("evaluate", help="score a saved model on labelled CSV data")
    ev.add_argument("model_dir", metavar="MODEL_DIR")
    ev.add_argument("data", metavar="DATA.csv")
    ev.add_argument("--json", action="store_true", help="also print the scores as JSON")
    ev.set_defaults(_workflow_handler=_cmd_evaluate)

    pr = subparsers.add_parser("predict", help="predict with a saved model",
                               description="Extra input columns are ignored with a warning "
                               "(--strict makes them an error); missing columns are an error.")  # fmt: skip
    pr.add_argument("model_dir", metavar="MODEL_DIR")
    pr.add_argument("input", metavar="INPUT.csv")
    pr.add_argument("--proba", action="store_true", help="class probabilities")
    pr.add_argument("--out", metavar="PREDS.csv", help="output CSV (default: stdout)")
    pr.add_argument("--strict", action="store_true", help="extra columns are an error")
    pr.set_defaults(_workflow_handler=_cmd_predict)

    dr = subparsers.add_parser("drift", help="per-feature drift (KS, PSI) and a retrain verdict")
    dr.add_argument("reference", metavar="REFERENCE.csv")
    dr.add_argument("new", metavar="NEW.csv")
    dr.add_argument("--psi-threshold", type=float, default=0.2)
    dr.add_argument("--p-threshold", type=float, default=0.01)
    dr.add_argument("--bins", type=int, default=10)
    dr.set_defaults(_workflow_handler=_cmd_drift)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="glassml")
    register_subcommands(parser.add_subparsers(dest="command", required=True))
    return parser


def main(argv=None) -> int:
    """Run one workflow subcommand stand-alone (see :func:`dispatch`)."""
    return dispatch(build_parser().parse_args(argv))


def dispatch(args) -> int:
    """Run the handler of parsed ``args``; bad input prints one clear line and returns 2."""
    try:
        return args._workflow_handler(args)
    except (ValueError, FileNotFoundError, FileExistsError, KeyError) as exc:
        print(f"glassml {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
