"""Flatten parameters into one vector and back (PyTorch's ``parameters_to_vector``).

Inventory: OP-13 (optimizer utilities).

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> ps = [Parameter(np.ones((2, 2))), Parameter(np.zeros(3))]
>>> v = parameters_to_vector(ps); v.shape
(7,)
>>> vector_to_parameters(v * 2, ps); ps[0].data[0, 0]
np.float64(2.0)
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """Concatenate every parameter, flattened, into one 1-d tensor (a copy)."""
    params = list(parameters)
    if not params:
        raise ValueError("parameters_to_vector: got an empty parameter list")
    return Tensor(np.concatenate([p.data.ravel() for p in params]))


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place."""
    v = vec.data if isinstance(vec, Tensor) else np.asarray(vec)
    if v.ndim != 1:
        raise TypeError(f"expected vec to be a 1-d tensor, got {v.ndim}-d")
    params = list(parameters)
    total = sum(p.data.size for p in params)
    if v.size != total:
        raise ValueError(f"vector_to_parameters: vec has {v.size} entries, parameters need {total}")
    offset = 0
    for p in params:
        n = p.data.size
        p.data[...] = v[offset : offset + n].reshape(p.data.shape)
        offset += n
