"""Config parsing: every unknown key / wrong type names the key path and the expected type."""

import pytest

from glassml.workflow.config import ConfigError, parse_config
from glassml.workflow.registry import estimator_class

BASE = '[data]\nbuiltin = "iris"\n[model]\nname = "KNeighborsClassifier"\n'


def test_defaults_and_values():
    cfg = parse_config(BASE + "params = { n_neighbors = 3 }\n[split]\ncv = 4\n")
    assert cfg.model.params == {"n_neighbors": 3}
    assert cfg.split.cv == 4 and cfg.split.test_size == 0.25
    assert cfg.tracking.uri == "sqlite:///mlflow.db" and cfg.tracking.enabled is False


@pytest.mark.parametrize(
    "extra, match",
    [
        ("[split]\ntest_sise = 0.2\n", r"split\.test_sise: unknown key"),
        ("[split]\ntest_size = 'big'\n", r"split\.test_size: expected a number, got 'big'"),
        ("[split]\ncv = 2.5\n", r"split\.cv: expected an integer"),
        ("[output]\nforce = 1\n", r"output\.force: expected a boolean"),
        ("[trackin]\nenabled = true\n", r"trackin: unknown section"),
        ("[search]\nmethod = 'bayes'\nparams = { a = [1] }\n", r"search\.method: expected one of"),
        ("[search]\nmethod = 'grid'\nparams = { alpha = 3 }\n", r"search\.params\.alpha"),
        ("[preprocess]\nsteps = [{ degree = 2 }]\n", r"preprocess\.steps\[0\]\.name: missing"),
    ],
)
def test_bad_config(extra, match):
    with pytest.raises(ConfigError, match=match):
        parse_config(BASE + extra)


def test_model_param_wrong_type_names_key(tmp_path):
    from glassml.workflow.train import train

    cfg = parse_config('[data]\nbuiltin = "diabetes"\n[model]\nname = "Ridge"\n'
                       'params = { alpha = "abc" }\n')  # fmt: skip
    with pytest.raises(ValueError, match=r"model\.params\.alpha: expected a number, got 'abc'"):
        train(cfg, out=tmp_path / "o", quiet=True)
    cfg = parse_config('[data]\nbuiltin = "diabetes"\n[model]\nname = "Ridge"\n'
                       'params = { alpah = 1.0 }\n')  # fmt: skip
    with pytest.raises(ValueError, match=r"model\.params\.alpah: unknown parameter of Ridge"):
        train(cfg, out=tmp_path / "o2", quiet=True)


def test_data_section_errors():
    with pytest.raises(ConfigError, match="exactly one of data.builtin or data.csv"):
        parse_config('[data]\n[model]\nname = "Ridge"\n')
    with pytest.raises(ConfigError, match=r"data\.target: missing"):
        parse_config('[data]\ncsv = "x.csv"\n[model]\nname = "Ridge"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[data\n")


def test_registry_only_glassml_estimators():
    assert estimator_class("LogisticRegression").__module__.startswith("glassml.")
    with pytest.raises(ValueError, match=r"model\.name: unknown estimator 'os.system'"):
        estimator_class("os.system")
    with pytest.raises(ValueError, match="Did you mean Ridge"):
        estimator_class("Ridgee")


def test_kd_tree_model_saves_and_unsaveable_state_is_a_clear_error(tmp_path, monkeypatch):
    import sys

    from glassml.workflow.train import train

    train_mod = sys.modules["glassml.workflow.train"]  # (the package re-exports train())

    # k-d trees are helper objects that glassml.io stores as their arrays
    cfg = parse_config(BASE + 'params = { algorithm = "kd_tree" }\n[output]\nplots = false\n')
    train(cfg, out=tmp_path / "ok", quiet=True)
    assert (tmp_path / "ok" / "model" / "estimator.json").exists()

    # anything glassml.io refuses to store is reported against the model, not as a traceback
    def refuse(*args, **kwargs):
        raise TypeError("root/callback_: a function cannot be saved safely")

    monkeypatch.setattr(train_mod, "save_model", refuse)
    with pytest.raises(ValueError, match="model.name: a fitted KNeighborsClassifier cannot be"):
        train(cfg, out=tmp_path / "o", quiet=True)
