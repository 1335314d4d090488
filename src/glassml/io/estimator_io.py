"""Saving fitted classical estimators without pickle: JSON for structure, safetensors for arrays.

A saved estimator is a folder with

* ``estimator.json`` — format tag, glassml version, the estimator's class (a glassml class
  path), its hyperparameters and fitted attributes; every numeric array is replaced by a
  reference into the safetensors file; string/object arrays, scalars, tuples, dicts, nested
  estimators (pipelines, ensembles) are encoded as tagged JSON;
* ``arrays.safetensors`` — the numeric arrays, and its SHA-256 recorded in the JSON so that a
  corrupted or tampered file is detected.

Loading resolves the class only among glassml's own estimators (``glassml.*`` subclasses of
``BaseEstimator``), so a model folder can never make us import or run arbitrary code.

Example
-------
>>> import numpy as np, tempfile
>>> from glassml._core import BaseEstimator
>>> d = tempfile.mkdtemp()
>>> # save_estimator(fitted_model, d); model = load_estimator(d)
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

import numpy as np

from .safetensors import load_bytes, save_bytes

__all__ = ["save_estimator", "load_estimator", "FORMAT"]

FORMAT = "glassml-estimator/1"
_JSON = "estimator.json"
_ARRAYS = "arrays.safetensors"


class _Encoder:
    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, value, path: str):
        from .._core.base import BaseEstimator

        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int | float):
            if isinstance(value, float) and not np.isfinite(value):
                return {"__float__": repr(value)}
            return value
        if isinstance(value, np.generic):
            return self.encode(value.item(), path)
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                key = path
                self.arrays[key] = value
                return {"__array__": key}
            if value.dtype.kind in "OUS":
                items = value.ravel().tolist()
                if not all(isinstance(v, str | int | float | bool) or v is None for v in items):
                    raise TypeError(f"{path}: object array with non-scalar items cannot be saved.")
                return {
                    "__ndarray_json__": [self.encode(v, path) for v in items],
                    "shape": list(value.shape),
                    "dtype": value.dtype.str,
                }
            raise TypeError(f"{path}: arrays of dtype {value.dtype} cannot be saved.")
        if isinstance(value, tuple):
            return {"__tuple__": [self.encode(v, f"{path}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self.encode(v, f"{path}.{i}") for i, v in enumerate(value)]
        if isinstance(value, set | frozenset):
            items = sorted(value, key=repr)
            return {
                "__set__": [self.encode(v, f"{path}.{i}") for i, v in enumerate(items)],
                "frozen": isinstance(value, frozenset),
            }
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                return {
                    "__dict_items__": [
                        [self.encode(k, f"{path}.k{i}"), self.encode(v, f"{path}.v{i}")]
                        for i, (k, v) in enumerate(value.items())
                    ]
                }
            return {"__dict__": {k: self.encode(v, f"{path}.{k}") for k, v in value.items()}}
        if isinstance(value, BaseEstimator):
            return {"__estimator__": self.estimator(value, path)}
        if isinstance(value, np.random.Generator):
            return {"__generator__": None}  # fitted models never need their RNG back
        if isinstance(value, np.dtype):
            return {"__dtype__": value.str}
        if isinstance(value, slice):
            return {
                "__slice__": [self.encode(v, path) for v in (value.start, value.stop, value.step)]
            }
        if _is_tensor(value):
            return {
                "__tensor__": self.encode(value.data, path),
                "requires_grad": bool(value.requires_grad),
                "class": _class_spec(type(value)),
            }
        if type(value).__module__.startswith("glassml.") and hasattr(value, "__dict__"):
            # A glassml helper object (a fitted Tree, a KDTree, an nn.Module): its attributes.
            state = {k: self.encode(v, f"{path}.{k}") for k, v in vars(value).items()}
            return {"__object__": {"class": _class_spec(type(value)), "state": state}}
        raise TypeError(
            f"{path}: a {type(value).__name__} cannot be saved safely (only numbers, strings, "
            "arrays, lists, tuples, dicts and glassml estimators can)."
        )

    def estimator(self, est, path: str) -> dict:
        cls = type(est)
        if not cls.__module__.startswith("glassml."):
            raise TypeError(
                f"{path}: only glassml estimators can be saved, got "
                f"{cls.__module__}.{cls.__qualname__}."
            )
        params = est.get_params(deep=False)
        fitted = {k: v for k, v in vars(est).items() if k not in params}
        return {
            "class": f"{cls.__module__}:{cls.__qualname__}",
            "params": {k: self.encode(v, f"{path}/params/{k}") for k, v in params.items()},
            "attributes": {k: self.encode(v, f"{path}/{k}") for k, v in fitted.items()},
        }


def _is_tensor(value) -> bool:
    return type(value).__module__.startswith("glassml.autograd") and hasattr(value, "grad_fn")


def _class_spec(cls) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _resolve_glassml_class(spec: str):
    """A class defined in glassml (never anything else); ``spec`` is 'module:QualName'."""
    module_name, _, qualname = spec.partition(":")
    if not module_name.startswith("glassml.") or not qualname or "." in qualname:
        raise ValueError(f"class {spec!r} is not a glassml class; refusing to load.")
    cls = getattr(importlib.import_module(module_name), qualname, None)
    if not isinstance(cls, type):
        raise ValueError(f"class {spec!r} is not a glassml class; refusing to load.")
    return cls


def _resolve_class(spec: str):
    from .._core.base import BaseEstimator

    module_name, _, qualname = spec.partition(":")
    if not module_name.startswith("glassml.") or not qualname or "." in qualname:
        raise ValueError(f"estimator class {spec!r} is not a glassml estimator; refusing to load.")
    module = importlib.import_module(module_name)
    cls = getattr(module, qualname, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseEstimator)):
        raise ValueError(f"estimator class {spec!r} is not a glassml estimator; refusing to load.")
    return cls


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        key = value["__array__"]
        if key not in arrays:
            raise ValueError(f"model file is inconsistent: array {key!r} is missing.")
        return arrays[key]
    if "__float__" in value:
        return float(value["__float__"])
    if "__ndarray_json__" in value:
        items = [_decode(v, arrays) for v in value["__ndarray_json__"]]
        dtype = np.dtype(value["dtype"]) if value["dtype"] != "|O" else object
        out = np.empty(len(items), dtype=dtype)
        out[:] = items
        return out.reshape(value["shape"])
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v, arrays) for k, v in value["__dict__"].items()}
    if "__dict_items__" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__dict_items__"]}
    if "__estimator__" in value:
        return _build(value["__estimator__"], arrays)
    if "__generator__" in value:
        return None
    if "__set__" in value:
        items = [_decode(v, arrays) for v in value["__set__"]]
        return frozenset(items) if value["frozen"] else set(items)
    if "__dtype__" in value:
        return np.dtype(value["__dtype__"])
    if "__slice__" in value:
        return slice(*(_decode(v, arrays) for v in value["__slice__"]))
    if "__tensor__" in value:
        cls = _resolve_glassml_class(value["class"])
        data = _decode(value["__tensor__"], arrays)
        return (
            cls(data, requires_grad=value["requires_grad"])
            if "Parameter" in value["class"]
            else cls._make(data, value["requires_grad"], None)
        )
    if "__object__" in value:
        spec = value["__object__"]
        cls = _resolve_glassml_class(spec["class"])
        obj = cls.__new__(cls)  # no __init__: the state is restored attribute by attribute
        obj.__dict__.update({k: _decode(v, arrays) for k, v in spec["state"].items()})
        return obj
    raise ValueError(f"model file is inconsistent: unknown entry {sorted(value)!r}.")


def _build(spec: dict, arrays):
    cls = _resolve_class(spec["class"])
    params = {k: _decode(v, arrays) for k, v in spec["params"].items()}
    est = cls(**params)
    for k, v in spec["attributes"].items():
        setattr(est, k, _decode(v, arrays))
    return est


def save_estimator(estimator, directory, *, force: bool = False, extra: dict | None = None):
    """Save a (fitted) glassml estimator to ``directory`` (created; never overwritten unless
    ``force``). ``extra`` is a JSON-serialisable dict stored alongside (e.g. feature names)."""
    from .. import __version__

    directory = Path(directory)
    if (directory / _JSON).exists() and not force:
        raise FileExistsError(
            f"{directory} already holds a saved model; pass force=True to overwrite it."
        )
    enc = _Encoder()
    spec = enc.estimator(estimator, "root")
    blob = save_bytes(enc.arrays, metadata={"format": FORMAT})
    payload = {
        "format": FORMAT,
        "glassml_version": __version__,
        "estimator": spec,
        "arrays_sha256": hashlib.sha256(blob).hexdigest(),
        "extra": extra or {},
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / _ARRAYS).write_bytes(blob)
    (directory / _JSON).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return directory


def load_estimator(directory, *, allow_version_mismatch: bool = False):
    """Load an estimator saved by :func:`save_estimator` (checks format, version, checksum)."""
    from .. import __version__

    directory = Path(directory)
    json_path, arrays_path = directory / _JSON, directory / _ARRAYS
    if not json_path.exists() or not arrays_path.exists():
        raise FileNotFoundError(
            f"{directory} is not a saved glassml model (expected {_JSON} and {_ARRAYS})."
        )
    try:
        payload = json.loads(json_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{json_path} is corrupted: {exc}") from exc
    if payload.get("format") != FORMAT:
        raise ValueError(
            f"{json_path}: unknown format {payload.get('format')!r}, expected {FORMAT}."
        )
    saved = str(payload.get("glassml_version"))
    if saved.split(".")[:2] != __version__.split(".")[:2] and not allow_version_mismatch:
        raise ValueError(
            f"{directory} was saved by glassml {saved}, this is glassml "
            f"{__version__}; retrain, or pass allow_version_mismatch=True."
        )
    blob = arrays_path.read_bytes()
    if hashlib.sha256(blob).hexdigest() != payload.get("arrays_sha256"):
        raise ValueError(
            f"{arrays_path} is corrupted or was modified after saving (checksum mismatch)."
        )
    return _build(payload["estimator"], load_bytes(blob, str(arrays_path)))
