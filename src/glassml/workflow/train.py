"""``glassml train CONFIG.toml``: load data, build the pipeline, split or cross-validate,
(optionally search hyperparameters), fit, evaluate, and write the output folder.

OUTPUT/ holds ``model/`` (pickle-free, see :mod:`glassml.workflow.modelio`), ``metrics.json``,
``config.toml`` (a copy of the spec, ET-03) and PNG plots. An existing non-empty output folder
is never overwritten without ``force``. Inventory: OT-07, ET-03, ET-04, ET-06.

Metrics are scorer values (greater is better: ``neg_*`` scorers are negated losses) computed
on the held-out test split, or mean ± std over ``cv`` folds with ``[split] cv = k`` (the saved
model is then refitted on all rows). Clustering models are fitted on all rows and scored with
the silhouette coefficient (and the adjusted Rand index when labels exist).

Example
-------
>>> # result = train("examples/ridge_diabetes.toml", out="runs/ridge"); result.metrics["r2"]
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import metrics as M
from .._core.base import is_classifier, is_regressor
from ..model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_predict,
    cross_validate,
    get_scorer,
    get_scorer_names,
    learning_curve,
    train_test_split,
)
from . import plots
from .build import build_pipeline
from .config import Config, ConfigError, load_config
from .data import load_data
from .modelio import save_model

__all__ = ["TrainResult", "train", "default_metrics", "task_of"]


@dataclass
class TrainResult:
    """What a training run produced."""

    out_dir: Path
    model: object
    metrics: dict
    schema: dict
    plots: list = field(default_factory=list)
    search_results: list = field(default_factory=list)  # [{"params": ..., "score": ...}]
    run_id: str | None = None


def task_of(estimator) -> str:
    """ "classification", "regression" or "clustering" (from the estimator type)."""
    if is_classifier(estimator):
        return "classification"
    if is_regressor(estimator):
        return "regression"
    if getattr(estimator, "_estimator_type", None) == "clusterer":
        return "clustering"
    raise ConfigError(
        f"model.name: {type(estimator).__name__} is not a classifier, regressor or clusterer; "
        "glassml train needs one of those as the final step."
    )


def default_metrics(task: str, n_classes: int = 0) -> list[str]:
    """Sensible default scorer names for a task."""
    if task == "classification":
        return ["accuracy", "f1_macro"] + (["roc_auc"] if n_classes == 2 else [])
    if task == "regression":
        return ["r2", "neg_root_mean_squared_error", "neg_mean_absolute_error"]
    return ["silhouette", "adjusted_rand_score"]


def _check_metric_names(names, task):
    valid = set(get_scorer_names())
    for name in names:
        if task == "clustering" and name in ("silhouette", "adjusted_rand_score"):
            continue
        if name not in valid:
            raise ConfigError(
                f"metrics.names: unknown metric {name!r}; expected scorer names such as "
                f"accuracy, f1_macro, r2, neg_mean_squared_error (see get_scorer_names())."
            )


def _prepare_out(out_dir: Path, force: bool):
    if out_dir.exists() and any(out_dir.iterdir()):
        if not force:
            raise FileExistsError(
                f"output folder {out_dir} already exists and is not empty; pass --force to "
                "overwrite it."
            )
        if (out_dir / "metrics.json").exists() or (out_dir / "model").exists():
            shutil.rmtree(out_dir / "model", ignore_errors=True)  # a previous glassml run
    out_dir.mkdir(parents=True, exist_ok=True)


def _progress(total: int, quiet: bool):
    from tqdm.auto import tqdm

    disable = True if quiet else None  # None: tqdm turns itself off when not a terminal
    return tqdm(total=total, desc="train", unit="step", disable=disable, file=sys.stderr)


def _search(pipe, cfg: Config, task: str):
    s = cfg.search
    grid = {f"model__{k}": v for k, v in s.params.items()}
    scoring = s.scoring or ("accuracy" if task == "classification" else "r2")
    if s.method == "grid":
        return GridSearchCV(pipe, grid, cv=s.cv, scoring=scoring)
    return RandomizedSearchCV(
        pipe, grid, n_iter=s.n_iter, cv=s.cv, scoring=scoring, random_state=s.random_state
    )


def _clustering_metrics(model, X, y, names):
    labels = model.labels_ if hasattr(model, "labels_") else model[-1].labels_
    Xt = model[:-1].transform(X) if len(model.steps) > 1 else X
    out = {}
    if "silhouette" in names and len(np.unique(labels)) > 1:
        out["silhouette"] = float(M.silhouette_score(np.asarray(Xt, dtype=float), labels))
    if "adjusted_rand_score" in names and y is not None:
        out["adjusted_rand_score"] = float(M.adjusted_rand_score(y, labels))
    return out


def _plots(task, model, X_eval, y_eval, y_pred, classes, out_dir, oof_scores=None):
    written = []
    if task == "classification":
        written.append(plots.confusion_matrix_plot(
            y_eval, y_pred, classes, out_dir / "confusion_matrix.png"))  # fmt: skip
        scores = oof_scores
        if scores is None and hasattr(model, "predict_proba"):
            try:
                scores = model.predict_proba(X_eval)
            except AttributeError:
                scores = None
        if scores is None and hasattr(model, "decision_function"):
            scores = model.decision_function(X_eval)
        if scores is not None:
            written.append(plots.roc_plot(y_eval, scores, classes, out_dir / "roc.png"))
    elif task == "regression":
        y_eval = np.asarray(y_eval, dtype=float)
        written.append(plots.residuals_plot(y_eval, y_pred, out_dir / "residuals.png"))
        written.append(
            plots.predicted_vs_true_plot(y_eval, y_pred, out_dir / "predicted_vs_true.png")
        )
    return written


def train(config, *, out=None, force=None, track=None, tracking_uri=None, quiet=False):
    """Run a training config (path or :class:`Config`); returns a :class:`TrainResult`."""
    cfg = config if isinstance(config, Config) else load_config(config)
    base_dir = cfg.source.parent if cfg.source else Path.cwd()
    stem = cfg.source.stem if cfg.source else "run"
    out_dir = Path(out or cfg.output.dir or Path("runs") / stem)
    force = cfg.output.force if force is None else force
    _prepare_out(out_dir, force)
    bar = _progress(6, quiet)

    bar.set_postfix_str("data")
    features, y, target = load_data(cfg.data, base_dir)
    X = features.matrix(features.columns)  # (n, d) float64 or object
    has_nan = any(np.isnan(features.data[c]).any() for c in features.columns
                  if features.is_numeric(c))  # fmt: skip
    pipe = build_pipeline(cfg.preprocess, cfg.model, features.dtypes(), has_nan=has_nan)
    task = task_of(pipe.steps[-1][1])
    classes = np.unique(y) if task == "classification" else None
    names = cfg.metrics.names or default_metrics(task, 0 if classes is None else len(classes))
    _check_metric_names(names, task)
    bar.update()

    estimator = _search(pipe, cfg, task) if cfg.search.method else pipe
    results: dict = {}
    y_eval = y_pred = X_eval = oof = None
    bar.set_postfix_str("fit")
    if task == "clustering":
        model = estimator.fit(X)
        bar.update(2)
        results = _clustering_metrics(model, X, y, names)
    elif cfg.split.cv:
        cv_out = cross_validate(estimator, X, y, cv=cfg.split.cv,
                                scoring={n: get_scorer(n) for n in names})  # fmt: skip
        for n in names:
            fold = np.asarray(cv_out[f"test_{n}"], dtype=float)  # (k,)
            results[n] = float(fold.mean())
            results[f"{n}_std"] = float(fold.std())
        bar.update()
        y_pred = cross_val_predict(estimator, X, y, cv=cfg.split.cv)
        X_eval, y_eval = X, y
        model = estimator.fit(X, y)
        bar.update()
    else:
        stratify = cfg.split.stratify
        stratify = (task == "classification") if stratify is None else stratify
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=cfg.split.test_size, random_state=cfg.split.random_state,
            shuffle=cfg.split.shuffle, stratify=y if stratify else None,
        )  # fmt: skip
        model = estimator.fit(X_tr, y_tr)
        bar.update()
        for n in names:
            results[n] = float(get_scorer(n)(model, X_te, y_te))
        X_eval, y_eval, y_pred = X_te, y_te, model.predict(X_te)
        bar.update()

    search_results = []
    if cfg.search.method:
        cvr = estimator.cv_results_
        search_results = [
            {"params": {k.removeprefix("model__"): v for k, v in p.items()},
             "score": float(s)}
            for p, s in zip(cvr["params"], cvr["mean_test_score"], strict=True)
        ]  # fmt: skip
        results["search_best_score"] = float(estimator.best_score_)
        final = estimator.best_estimator_
    else:
        final = model

    bar.set_postfix_str("plots")
    written = []
    if cfg.output.plots:
        if task != "clustering":
            if cfg.split.cv and task == "classification":
                oof = None  # ROC from in-sample scores would flatter the model: skip it
                written += [plots.confusion_matrix_plot(
                    y_eval, y_pred, classes, out_dir / "confusion_matrix.png")]  # fmt: skip
            else:
                written += _plots(task, final, X_eval, y_eval, y_pred, classes, out_dir, oof)
        if cfg.output.learning_curve and task != "clustering" and len(X) <= 5000:
            scoring = names[0]
            sizes, tr, te = learning_curve(
                pipe, X, y, cv=3, scoring=scoring, train_sizes=np.linspace(0.3, 1.0, 4),
                shuffle=True, random_state=0,
            )  # fmt: skip
            written.append(plots.learning_curve_plot(
                sizes, np.asarray(tr), np.asarray(te), scoring, out_dir / "learning_curve.png"))  # fmt: skip
    bar.update()

    bar.set_postfix_str("save")
    schema = {
        "columns": features.columns,
        "dtypes": features.dtypes(),
        "target": target,
        "task": task,
        "classes": None if classes is None else classes.tolist(),
        "metrics": names,
        "model": cfg.model.name,
    }
    try:
        save_model(final, out_dir / "model", schema, force=True)
    except TypeError as exc:  # an estimator holding objects glassml.io cannot store
        raise ValueError(
            f"model.name: a fitted {cfg.model.name} cannot be saved without pickle ({exc})"
        ) from exc
    history = _history(final)
    payload = {"task": task, "model": cfg.model.name, "metrics": results,
               "n_samples": int(len(X)), "split": "cv" if cfg.split.cv else "holdout"}  # fmt: skip
    if history:
        payload["history"] = history
    if search_results:
        payload["search"] = search_results
    (out_dir / "metrics.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    if cfg.source:
        shutil.copyfile(cfg.source, out_dir / "config.toml")
    bar.update()
    bar.close()

    result = TrainResult(out_dir, final, results, schema, written, search_results)
    enabled = cfg.tracking.enabled if track is None else track
    if enabled:
        from .tracking import log_training

        result.run_id = log_training(
            cfg, result, uri=tracking_uri or cfg.tracking.uri, experiment=cfg.tracking.experiment
        )
    return result


def _history(model) -> dict:
    """Per-epoch curves of iterative (e.g. neural) models: loss_curve_, validation_scores_."""
    last = model[-1] if hasattr(model, "steps") else model
    out = {}
    for attr in ("loss_curve_", "validation_scores_", "history_"):
        value = getattr(last, attr, None)
        if isinstance(value, dict):
            out.update({k: [float(x) for x in v] for k, v in value.items()})
        elif value is not None:
            out[attr.rstrip("_")] = [float(x) for x in np.ravel(value)]
    return out


def format_metrics(metrics: dict) -> str:
    """A two-column text table of metric values."""
    width = max((len(k) for k in metrics), default=6)
    lines = [f"{'metric':{width}}  value", f"{'-' * width}  {'-' * 10}"]
    lines += [f"{k:{width}}  {v:.6g}" for k, v in metrics.items()]
    return "\n".join(lines)
