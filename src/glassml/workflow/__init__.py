"""The ML workflow end to end (inventory OT-07, OT-11, ET-03/04/06): ``glassml train`` from a
TOML config, ``evaluate``, ``predict``, ``drift``, and MLflow tracking and serving.

Modules: config (TOML → dataclasses), registry (model names → glassml classes), table / data
(CSV and datasets), build (pipeline), modelio (pickle-free model folder + schema), train,
predict (predict / evaluate), drift, plots, tracking (MLflow), mlflow_pyfunc (served model),
cli (subcommands).
"""

from .config import Config, ConfigError, load_config, parse_config
from .drift import drift_csv, drift_report, population_stability_index
from .predict import evaluate, predict
from .train import TrainResult, train

__all__ = [
    "Config",
    "ConfigError",
    "TrainResult",
    "drift_csv",
    "drift_report",
    "evaluate",
    "load_config",
    "parse_config",
    "population_stability_index",
    "predict",
    "train",
]
