"""The ``glassml train`` configuration: a TOML file parsed into checked dataclasses.

Inventory: OT-07 (collect → preprocess → model → train → evaluate → deploy → monitor), ET-03
(a reproducible run spec). Every key is checked: an unknown key or a value of the wrong type
raises :class:`ConfigError` naming the full key path and the expected type, e.g.
``model.params.alpha: expected a number, got 'abc'``.

Example
-------
>>> cfg = parse_config('''
... [data]
... builtin = "iris"
... [model]
... name = "KNeighborsClassifier"
... params = { n_neighbors = 5 }
... ''')
>>> cfg.model.name, cfg.split.test_size
('KNeighborsClassifier', 0.25)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ConfigError",
    "Config",
    "DataConfig",
    "PreprocessConfig",
    "ModelConfig",
    "SplitConfig",
    "MetricsConfig",
    "SearchConfig",
    "OutputConfig",
    "TrackingConfig",
    "load_config",
    "parse_config",
    "describe_type",
]


class ConfigError(ValueError):
    """A configuration key is unknown, missing or has the wrong type (message names the key)."""


def describe_type(value) -> str:
    """How a TOML value reads in an error message: strings quoted, others by TOML type name."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return f"{type(value).__name__} {value!r}"


# ---- type checkers: each returns the value or raises ConfigError naming the key ----------------
def _str(key, v):
    if not isinstance(v, str):
        raise ConfigError(f"{key}: expected a string, got {describe_type(v)}.")
    return v


def _bool(key, v):
    if not isinstance(v, bool):
        raise ConfigError(f"{key}: expected a boolean (true/false), got {describe_type(v)}.")
    return v


def _int(key, v):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ConfigError(f"{key}: expected an integer, got {describe_type(v)}.")
    return v


def _number(key, v):
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ConfigError(f"{key}: expected a number, got {describe_type(v)}.")
    return v


def _table(key, v):
    if not isinstance(v, dict):
        raise ConfigError(f"{key}: expected a table, got {describe_type(v)}.")
    return v


def _str_list(key, v):
    if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
        raise ConfigError(f"{key}: expected an array of strings, got {describe_type(v)}.")
    return v


def _optional(check):
    return lambda key, v: None if v is None else check(key, v)


def _fraction_or_count(key, v):
    v = _number(key, v)
    if not (0 < v < 1 or (isinstance(v, int) and v >= 1)):
        raise ConfigError(f"{key}: expected a fraction in (0, 1) or a count >= 1, got {v!r}.")
    return v


def _choice(*options):
    def check(key, v):
        _str(key, v)
        if v not in options:
            raise ConfigError(f"{key}: expected one of {', '.join(map(repr, options))}, got {v!r}.")
        return v

    return check


def _read_section(raw: dict, section: str, schema: dict) -> dict:
    """Check the keys of one ``[section]`` table against ``schema`` {key: (checker, default)}."""
    table = _table(section, raw.get(section, {}))
    unknown = sorted(set(table) - set(schema))
    if unknown:
        raise ConfigError(
            f"{section}.{unknown[0]}: unknown key; valid keys of [{section}] are "
            f"{', '.join(sorted(schema))}."
        )
    return {
        key: (check(f"{section}.{key}", table[key]) if key in table else default)
        for key, (check, default) in schema.items()
    }


@dataclass
class DataConfig:
    """[data]: ``builtin`` (a glassml.datasets loader or generator name, with ``params``) or
    ``csv`` (path, relative to the config file) with ``target``; optional ``columns``."""

    builtin: str | None = None
    csv: str | None = None
    target: str | None = None
    columns: list[str] | None = None
    params: dict = field(default_factory=dict)


@dataclass
class PreprocessConfig:
    """[preprocess]: ordered numeric ``steps`` ({name = "impute"|"scale"|"polynomial"|"pca"|
    "normalize"|"kbins"|"onehot"|"ordinal", ...params}); categorical columns are found
    automatically and one-hot (or ordinal) encoded in a ColumnTransformer."""

    steps: list[dict] = field(default_factory=list)
    impute_missing: bool = True


@dataclass
class ModelConfig:
    """[model]: ``name`` of a glassml estimator class and its ``params``."""

    name: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class SplitConfig:
    """[split]: holdout (``test_size``, ``stratify``, ``random_state``) or ``cv = k`` folds."""

    test_size: float = 0.25
    stratify: bool | None = None
    random_state: int = 0
    cv: int | None = None
    shuffle: bool = True


@dataclass
class MetricsConfig:
    """[metrics]: ``names`` from the scorer registry (defaults depend on the task)."""

    names: list[str] | None = None


@dataclass
class SearchConfig:
    """[search]: ``method`` "grid" or "random" over ``params`` (model parameter -> values)."""

    method: str | None = None
    params: dict = field(default_factory=dict)
    cv: int = 3
    n_iter: int = 10
    scoring: str | None = None
    random_state: int = 0


@dataclass
class OutputConfig:
    """[output]: ``dir`` (default runs/<config name>), ``force``, ``plots``, ``learning_curve``."""

    dir: str | None = None
    force: bool = False
    plots: bool = True
    learning_curve: bool = True


@dataclass
class TrackingConfig:
    """[tracking]: MLflow logging (``enabled``, ``uri``, ``experiment``)."""

    enabled: bool = False
    uri: str = "sqlite:///mlflow.db"
    experiment: str = "glassml"


@dataclass
class Config:
    """A whole training configuration (see the module docstring)."""

    data: DataConfig
    model: ModelConfig
    preprocess: PreprocessConfig = field(default_factory=PreprocessConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    source: Path | None = None  # the TOML file, for relative paths and the default output dir
    raw: dict = field(default_factory=dict)


_SECTIONS = ("data", "preprocess", "model", "split", "metrics", "search", "output", "tracking")


def _steps(key, v):
    if not isinstance(v, list):
        raise ConfigError(f"{key}: expected an array of tables, got {describe_type(v)}.")
    for i, step in enumerate(v):
        _table(f"{key}[{i}]", step)
        if "name" not in step:
            raise ConfigError(f"{key}[{i}].name: missing; every step needs a name.")
        _str(f"{key}[{i}].name", step["name"])
    return v


def _search_params(key, v):
    _table(key, v)
    for name, values in v.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(
                f"{key}.{name}: expected a non-empty array of candidate values, "
                f"got {describe_type(values)}."
            )
    return v


def parse_config(text: str, source: Path | None = None) -> Config:
    """Parse TOML text into a :class:`Config` (all keys and types checked)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = f"{source}: " if source else ""
        raise ConfigError(f"{where}not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"{unknown[0]}: unknown section; valid sections are {', '.join(_SECTIONS)}."
        )
    if "data" not in raw:
        raise ConfigError('data: missing section; say builtin = "iris" or csv = "file.csv".')
    if "model" not in raw:
        raise ConfigError('model: missing section; say name = "<glassml estimator class>".')

    data = _read_section(raw, "data", {
        "builtin": (_optional(_str), None),
        "csv": (_optional(_str), None),
        "target": (_optional(_str), None),
        "columns": (_optional(_str_list), None),
        "params": (_table, {}),
    })  # fmt: skip
    if (data["builtin"] is None) == (data["csv"] is None):
        raise ConfigError("data: give exactly one of data.builtin or data.csv.")
    if data["csv"] is not None and data["target"] is None:
        raise ConfigError("data.target: missing; a CSV dataset needs the target column name.")
    pre = _read_section(raw, "preprocess", {
        "steps": (_steps, []), "impute_missing": (_bool, True),
    })  # fmt: skip
    model = _read_section(raw, "model", {"name": (_str, None), "params": (_table, {})})
    if model["name"] is None:
        raise ConfigError("model.name: missing; expected a glassml estimator class name.")
    split = _read_section(raw, "split", {
        "test_size": (_fraction_or_count, 0.25),
        "stratify": (_optional(_bool), None),
        "random_state": (_int, 0),
        "cv": (_optional(_int), None),
        "shuffle": (_bool, True),
    })  # fmt: skip
    if split["cv"] is not None and split["cv"] < 2:
        raise ConfigError(f"split.cv: expected an integer >= 2, got {split['cv']}.")
    metrics = _read_section(raw, "metrics", {"names": (_optional(_str_list), None)})
    search = _read_section(raw, "search", {
        "method": (_optional(_choice("grid", "random")), None),
        "params": (_search_params, {}),
        "cv": (_int, 3),
        "n_iter": (_int, 10),
        "scoring": (_optional(_str), None),
        "random_state": (_int, 0),
    })  # fmt: skip
    if search["method"] and not search["params"]:
        raise ConfigError("search.params: missing; a search needs candidate values.")
    output = _read_section(raw, "output", {
        "dir": (_optional(_str), None),
        "force": (_bool, False),
        "plots": (_bool, True),
        "learning_curve": (_bool, True),
    })  # fmt: skip
    tracking = _read_section(raw, "tracking", {
        "enabled": (_bool, False),
        "uri": (_str, "sqlite:///mlflow.db"),
        "experiment": (_str, "glassml"),
    })  # fmt: skip
    return Config(
        data=DataConfig(**data),
        model=ModelConfig(**model),
        preprocess=PreprocessConfig(**pre),
        split=SplitConfig(**split),
        metrics=MetricsConfig(**metrics),
        search=SearchConfig(**search),
        output=OutputConfig(**output),
        tracking=TrackingConfig(**tracking),
        source=source,
        raw=raw,
    )


def load_config(path) -> Config:
    """Read and check a TOML config file (see :func:`parse_config`)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"config file {path} does not exist.")
    return parse_config(path.read_text(encoding="utf-8"), source=path.resolve())
