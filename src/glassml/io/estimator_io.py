"""Saving fitted classical estimators without pickle: JSON for structure, safetensors for arrays.

A saved estimator is a folder with

* ``estimator.json`` — format tag, glassml version, the estimator's class (a glassml class
  path), its hyperparameters and fitted attributes; every numeric array is replaced by a
  reference into the safetensors file; string/object arrays, scalars, tuples, dicts, nested
  estimators (pipelines, ensembles) are encoded as tagged JSON;
* ``arrays.safetensors`` — the numeric arrays, and its SHA-256 recorded in the JSON so that a
  corrupted or tampered file is detected;
* ``network_0/`` … — each neural network inside the estimator (an ``nn.Module``, e.g. the
  fitted ``model_`` of an MLPClassifier) as ``config.json`` + ``model.safetensors`` with
  PyTorch's state_dict keys (see :func:`save_network`), checksums recorded in the JSON.

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

__all__ = ["save_estimator", "load_estimator", "save_network", "load_network", "FORMAT"]

FORMAT = "glassml-estimator/1"
_JSON = "estimator.json"
_ARRAYS = "arrays.safetensors"


class _Encoder:
    """Turns an estimator into JSON + a dict of arrays.

    ``networks``: when given (a list), every top-level ``glassml.nn.Module`` found is not
    inlined but collected there and replaced by ``{"__network__": i}``; ``save_estimator``
    writes each one as ``network_i/config.json`` + ``network_i/model.safetensors``.
    ``state_keys``: id(tensor) → state_dict key, so a network's parameters and buffers are
    written as references into its ``model.safetensors`` instead of arrays.
    """

    def __init__(self, networks: list | None = None, state_keys: dict | None = None):
        self.arrays: dict[str, np.ndarray] = {}
        self.networks = networks
        self.state_keys = state_keys or {}

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
        if _is_tensor(value) and id(value) in self.state_keys:
            return {
                "__state__": self.state_keys[id(value)],
                "requires_grad": bool(value.requires_grad),
                "class": _class_spec(type(value)),
            }
        if self.networks is not None and _is_network(value):
            self.networks.append(value)
            return {"__network__": len(self.networks) - 1}
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


def _is_network(value) -> bool:
    from ..nn.module import Module

    return isinstance(value, Module)


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
    if "__network__" in value:
        networks = arrays.get("__networks__")
        index = value["__network__"]
        if networks is None or not 0 <= index < len(networks):
            raise ValueError(f"model file is inconsistent: network {index!r} is missing.")
        return networks[index]
    if "__state__" in value or "__tensor__" in value:
        cls = _resolve_glassml_class(value["class"])
        if "__state__" in value:
            key = value["__state__"]
            if key not in arrays:
                raise ValueError(f"model file is inconsistent: weight {key!r} is missing.")
            built = arrays.setdefault("__built_state__", {})
            if key in built:  # a tied weight: the same tensor object again
                return built[key]
            tensor = (
                cls(arrays[key], requires_grad=value["requires_grad"])
                if ("Parameter" in value["class"])
                else cls._make(arrays[key], value["requires_grad"], None)
            )
            built[key] = tensor
            return tensor
        else:
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


_NET_CONFIG, _NET_WEIGHTS, _NET_EXTRA = "config.json", "model.safetensors", "extra.safetensors"
NETWORK_FORMAT = "glassml-network/1"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def save_network(module, directory) -> dict:
    """Write an ``nn.Module`` as ``config.json`` + ``model.safetensors`` (+ ``extra.safetensors``).

    ``model.safetensors`` is the ``state_dict`` under PyTorch's key names (it loads into the
    equivalent torch model); ``config.json`` holds the module tree — classes (glassml only) and
    non-tensor attributes — with every parameter/buffer as a reference to its key, so loading
    rebuilds the exact module without calling any constructor and without pickle. Tied weights
    stay tied. Returns the files' SHA-256 digests for tamper checks.
    """
    from .. import __version__

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    state = module.state_dict(keep_vars=True)
    keys: dict[int, str] = {}
    for key, tensor in state.items():
        keys.setdefault(id(tensor), key)
    weights = {key: np.asarray(state[key].data, order="C") for key in set(keys.values())}
    enc = _Encoder(state_keys=keys)
    structure = enc.encode(module, "network")
    config = {
        "format": NETWORK_FORMAT,
        "glassml_version": __version__,
        "class": _class_spec(type(module)),
        "structure": structure,
    }
    (directory / _NET_WEIGHTS).write_bytes(save_bytes(weights, metadata={"format": "pt"}))
    digests = {_NET_WEIGHTS: _sha256(directory / _NET_WEIGHTS)}
    if enc.arrays:  # non-persistent buffers and other arrays outside the state_dict
        (directory / _NET_EXTRA).write_bytes(save_bytes(enc.arrays))
        digests[_NET_EXTRA] = _sha256(directory / _NET_EXTRA)
    (directory / _NET_CONFIG).write_text(json.dumps(config, indent=1), encoding="utf-8")
    digests[_NET_CONFIG] = _sha256(directory / _NET_CONFIG)
    return digests


def load_network(directory, digests: dict | None = None):
    """Rebuild a module written by :func:`save_network` (checksums verified when given)."""
    directory = Path(directory)
    for name in (_NET_CONFIG, _NET_WEIGHTS):
        if not (directory / name).exists():
            raise FileNotFoundError(f"{directory}: missing {name}; not a saved glassml network.")
    for name, digest in (digests or {}).items():
        if not (directory / name).exists() or _sha256(directory / name) != digest:
            raise ValueError(
                f"{directory / name} is corrupted or was modified after saving (checksum mismatch)."
            )
    config = json.loads((directory / _NET_CONFIG).read_text(encoding="utf-8"))
    if config.get("format") != NETWORK_FORMAT:
        raise ValueError(f"{directory / _NET_CONFIG}: unknown format {config.get('format')!r}.")
    arrays = load_bytes((directory / _NET_WEIGHTS).read_bytes(), str(directory / _NET_WEIGHTS))
    if (directory / _NET_EXTRA).exists():
        arrays.update(load_bytes((directory / _NET_EXTRA).read_bytes(), str(directory)))
    return _decode(config["structure"], arrays)


def save_estimator(estimator, directory, *, force: bool = False, extra: dict | None = None):
    """Save a (fitted) glassml estimator to ``directory`` (created; never overwritten unless
    ``force``). ``extra`` is a JSON-serialisable dict stored alongside (e.g. feature names)."""
    from .. import __version__

    directory = Path(directory)
    if (directory / _JSON).exists() and not force:
        raise FileExistsError(
            f"{directory} already holds a saved model; pass force=True to overwrite it."
        )
    networks: list = []
    enc = _Encoder(networks=networks)
    spec = enc.estimator(estimator, "root")
    blob = save_bytes(enc.arrays, metadata={"format": FORMAT})
    directory.mkdir(parents=True, exist_ok=True)
    network_digests = [
        save_network(net, directory / f"network_{i}") for i, net in enumerate(networks)
    ]
    payload = {
        "format": FORMAT,
        "glassml_version": __version__,
        "estimator": spec,
        "arrays_sha256": hashlib.sha256(blob).hexdigest(),
        "networks": network_digests,
        "extra": extra or {},
    }
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
    arrays = load_bytes(blob, str(arrays_path))
    arrays["__networks__"] = [
        load_network(directory / f"network_{i}", digests)
        for i, digests in enumerate(payload.get("networks", []))
    ]
    return _build(payload["estimator"], arrays)
