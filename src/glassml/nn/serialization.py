"""Saving and loading models as ``config.json`` + ``model.safetensors`` (NL-02).

``model.safetensors`` holds ``model.state_dict()`` under PyTorch's key names, so the file loads
into the equivalent torch model (``safetensors.torch.load_file``) and back. ``config.json``
holds the user's ``config`` (constructor keyword arguments), the model class
(``module:QualName``, restricted to glassml classes when reconstructing) and the version.
Nothing is pickled: loading never runs code from the file.

Example
-------
>>> import tempfile
>>> from glassml.nn import Linear
>>> d = tempfile.mkdtemp()
>>> _ = save(Linear(3, 2), d, {"in_features": 3, "out_features": 2})
>>> type(load(d)).__name__
'Linear'
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np

from glassml.io.safetensors import load_file, save_file

from .module import Module

__all__ = ["save", "load", "load_config"]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


def save(model: Module, directory, config: dict | None = None) -> Path:
    """Write ``directory/config.json`` and ``directory/model.safetensors``; returns the path.

    ``config`` must be JSON-serialisable (typically the constructor's keyword arguments, so
    that :func:`load` can rebuild the model without being given one).
    """
    from glassml import __version__

    if not isinstance(model, Module):
        raise TypeError(f"save: model must be a glassml.nn.Module, got {type(model).__name__}")
    config = {} if config is None else dict(config)
    cls = type(model)
    payload = {
        "class": f"{cls.__module__}:{cls.__qualname__}",
        "glassml_version": __version__,
        "config": config,
    }
    try:
        text = json.dumps(payload, indent=1)
    except TypeError as err:
        raise TypeError(f"save: config must be JSON-serialisable ({err})") from err
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    # np.asarray(order="C"), not ascontiguousarray, which turns 0-d arrays (BatchNorm's
    # num_batches_tracked) into shape (1,)
    tensors = {k: np.asarray(v.data, order="C") for k, v in model.state_dict().items()}
    save_file(tensors, directory / WEIGHTS_NAME, metadata={"format": "pt"})
    (directory / CONFIG_NAME).write_text(text, encoding="utf-8")
    return directory


def load_config(directory) -> dict:
    """The ``config.json`` payload written by :func:`save` (class, version, config)."""
    path = Path(directory) / CONFIG_NAME
    if not path.exists():
        raise FileNotFoundError(f"{directory} holds no {CONFIG_NAME}; was it written by nn.save?")
    return json.loads(path.read_text(encoding="utf-8"))


def _resolve(spec: str):
    module_name, _, qualname = spec.partition(":")
    if not module_name.startswith("glassml.") or not qualname:
        raise ValueError(f"load: model class {spec!r} is not a glassml class; pass model=")
    obj = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and issubclass(obj, Module)):
        raise ValueError(f"load: {spec!r} is not a glassml.nn.Module subclass")
    return obj


def load(directory, model: Module | None = None, *, strict: bool = True) -> Module:
    """Load weights saved by :func:`save`.

    With ``model`` given, its state is loaded in place (``strict`` as in load_state_dict);
    otherwise the class named in config.json (a glassml class) is built with ``**config``.
    """
    directory = Path(directory)
    weights_path = directory / WEIGHTS_NAME
    if not weights_path.exists():
        raise FileNotFoundError(f"{directory} holds no {WEIGHTS_NAME}; was it written by nn.save?")
    state = load_file(weights_path)
    if model is None:
        payload = load_config(directory)
        model = _resolve(payload["class"])(**payload.get("config", {}))
    elif not isinstance(model, Module):
        raise TypeError(f"load: model must be a glassml.nn.Module, got {type(model).__name__}")
    model.load_state_dict(state, strict=strict)
    return model
