"""``Embedding``: a trainable lookup table, y = W[idx] (NL-06).

weight (num_embeddings, embedding_dim) ~ N(0, 1) like torch; the ``padding_idx`` row is zero
and receives no gradient; ``from_pretrained`` wraps given vectors (e.g. Word2Vec), frozen by
default (``freeze=True`` sets requires_grad False).

Example
-------
>>> from glassml.autograd import tensor
>>> emb = Embedding(10, 3, padding_idx=0)
>>> emb(tensor([[0, 4]])).shape, float(abs(emb.weight.numpy()[0]).sum())
((1, 2, 3), 0.0)
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.autograd import Parameter, Tensor
from glassml.autograd.fused import embedding

from . import init
from .linear import _param_dtype
from .module import Module

__all__ = ["Embedding"]


class Embedding(Module):
    """Lookup table of ``num_embeddings`` vectors of size ``embedding_dim`` (NL-06).

    Parameters
    ----------
    num_embeddings, embedding_dim : int
    padding_idx : int or None — this row is initialised to zero and never updated
    max_norm : float or None — rows looked up are renormalised in place to norm <= max_norm
    norm_type : float, default 2
    scale_grad_by_freq : bool
    _weight : array or Tensor, optional — initial weights (used by from_pretrained)
    _freeze : bool — weight.requires_grad = not _freeze
    generator : numpy.random.Generator, optional

    Example
    -------
    >>> Embedding(5000, 64).weight.shape
    (5000, 64)
    """

    def __init__(
        self,
        num_embeddings,
        embedding_dim,
        padding_idx=None,
        max_norm=None,
        norm_type=2.0,
        scale_grad_by_freq=False,
        sparse=False,
        _weight=None,
        _freeze=False,
        device=None,
        dtype=None,
        *,
        generator=None,
    ):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
                raise ValueError(f"Embedding: {name} must be a positive integer, got {value!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        if padding_idx is not None:
            if not -self.num_embeddings <= padding_idx < self.num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings "
                    f"({self.num_embeddings}), got {padding_idx}"
                )
            padding_idx = padding_idx % self.num_embeddings
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        if sparse:
            raise NotImplementedError("Embedding: sparse gradients are not supported")
        self.sparse = False
        shape = (self.num_embeddings, self.embedding_dim)
        if _weight is None:
            self.weight = Parameter(
                np.empty(shape, dtype=_param_dtype(dtype)), requires_grad=not _freeze
            )
            self.reset_parameters(generator)
        else:
            data = _weight.data if isinstance(_weight, Tensor) else np.asarray(_weight)
            if data.shape != shape:
                raise ValueError(
                    f"Embedding: _weight must have shape {shape}, got {tuple(data.shape)}"
                )
            self.weight = Parameter(np.array(data), requires_grad=not _freeze)

    def reset_parameters(self, generator=None) -> None:
        """weight ~ N(0, 1); the padding row is zero (torch's default)."""
        init.normal_(self.weight, generator=generator)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings,
        freeze=True,
        padding_idx=None,
        max_norm=None,
        norm_type=2.0,
        scale_grad_by_freq=False,
        sparse=False,
    ) -> Embedding:
        """An Embedding holding ``embeddings`` (n, d); frozen (no gradient) when ``freeze``.

        Example
        -------
        >>> import numpy as np
        >>> emb = Embedding.from_pretrained(np.eye(3, dtype=np.float32))
        >>> emb.weight.requires_grad
        False
        """
        data = embeddings.data if isinstance(embeddings, Tensor) else np.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"from_pretrained: embeddings must be 2-D, got shape {data.shape}")
        return cls(
            data.shape[0],
            data.shape[1],
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=data,
            _freeze=freeze,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        return s
