"""Token sampling for language models: temperature, top-k and top-p (nucleus) filtering.

    p = softmax(filter(z / temperature)),   filter: -inf outside the top-k logits and outside
    the smallest set of most probable tokens whose probability mass reaches top_p

then one draw by inverting the CDF (or the argmax when greedy). Used by
:meth:`glassml.models.gpt.GPT.generate` (and re-exported by :mod:`glassml.models.gpt`).

Inventory: TR-13.

Example
-------
>>> import numpy as np
>>> filter_logits(np.array([[1.0, 3.0, 2.0]]), top_k=2)
array([[-inf,   3.,   2.]])
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["filter_logits", "sample_logits"]


def filter_logits(logits: np.ndarray, top_k: int | None = None, top_p: float | None = None):
    """Set to -inf every logit outside the top-k and outside the nucleus (top-p).

    top-k keeps the logits >= the k-th largest (ties at the threshold are kept, as in
    nanoGPT and Hugging Face). top-p sorts the probabilities ascending and removes the tokens
    whose cumulative probability is <= 1 - p, i.e. keeps the smallest set of most probable
    tokens whose mass reaches p (always at least one token), as Hugging Face's TopPLogitsWarper.

    Parameters
    ----------
    logits : (B, V) float array;  top_k : int >= 1 or None;  top_p : float in (0, 1] or None

    Example
    -------
    >>> filter_logits(np.array([[1.0, 3.0, 2.0]]), top_k=2)
    array([[-inf,   3.,   2.]])
    """
    z = np.array(logits, copy=True)
    if z.ndim != 2 or z.dtype.kind != "f":
        raise ValueError(
            f"filter_logits: logits must be a 2-D float array, got {z.dtype} {z.shape}"
        )
    if top_k is not None:
        if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1:
            raise ValueError(f"top_k must be a positive integer or None, got {top_k!r}")
        k = min(int(top_k), z.shape[1])
        kth = np.partition(z, -k, axis=1)[:, -k, None]  # (B, 1): the k-th largest
        z[z < kth] = -np.inf
    if top_p is not None:
        if not isinstance(top_p, numbers.Real) or not 0.0 < top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
        order = np.argsort(z, axis=1, kind="stable")  # ascending
        sorted_z = np.take_along_axis(z, order, axis=1)
        probs = _softmax(sorted_z)
        remove = np.cumsum(probs, axis=1) <= 1.0 - top_p  # (B, V) in ascending order
        remove[:, -1] = False  # keep the most probable token
        np.put_along_axis(z, order, np.where(remove, -np.inf, sorted_z), axis=1)
    return z


def sample_logits(
    logits: np.ndarray,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    greedy: bool = False,
    generator: np.random.Generator | None = None,
) -> np.ndarray:
    """One token id per row of ``logits`` (B, V): argmax if ``greedy``, else a draw from
    softmax(filter_logits(logits / temperature)) by inverting its CDF.

    Example
    -------
    >>> sample_logits(np.array([[0.0, 5.0, 1.0]]), greedy=True)
    array([1])
    """
    if greedy:
        return np.argmax(logits, axis=1)
    if not isinstance(temperature, numbers.Real) or not temperature > 0:
        raise ValueError(
            f"temperature must be > 0 (use greedy=True for argmax), got {temperature!r}"
        )
    rng = np.random.default_rng() if generator is None else generator
    z = filter_logits(np.asarray(logits, dtype=np.float64) / temperature, top_k, top_p)
    cdf = np.cumsum(_softmax(z), axis=1)  # (B, V)
    u = rng.random((z.shape[0], 1)) * cdf[:, -1:]
    return np.minimum((cdf < u).sum(axis=1), z.shape[1] - 1)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
