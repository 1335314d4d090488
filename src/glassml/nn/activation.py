"""Activation layers (PyTorch names and defaults) and the activation registry (AC-15).

Formulas (x elementwise):
Sigmoid 1/(1+e^-x) (AC-01); Tanh (AC-02); ReLU max(0, x) (AC-03); ReLU6 min(max(0,x),6);
LeakyReLU max(ax, x) (AC-04); PReLU with learned a (AC-05); RReLU random a in training
(AC-07); ELU x or a(e^x - 1) (AC-06); SELU scale*ELU(x, alpha) with the self-normalising
constants; CELU max(0,x) + min(0, a(e^(x/a) - 1)); GELU x Phi(x) (AC-08); SiLU x sigma(x);
Mish x tanh(softplus x); Softplus (1/b) log(1 + e^(bx)); Softsign x/(1+|x|); Hardtanh
clip(x, lo, hi); Hardsigmoid clip(x/6 + 1/2, 0, 1); Hardswish x * hardsigmoid(x);
Softmax/LogSoftmax/Softmin along ``dim`` (AC-09, AC-10).

Example
-------
>>> from glassml.autograd import tensor
>>> ReLU()(tensor([-1.0, 2.0])).numpy()
array([0., 2.], dtype=float32)
>>> type(get_activation("leaky_relu")).__name__
'LeakyReLU'
"""

from __future__ import annotations

import numpy as np

from glassml.autograd import Parameter

from . import functional as F
from .containers import Identity
from .module import Module

__all__ = [
    "Sigmoid",
    "Tanh",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "RReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Softsign",
    "Tanhshrink",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "LogSigmoid",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "Softmax2d",
    "get_activation",
    "ACTIVATIONS",
]


class _Elementwise(Module):
    """An activation without parameters: ``forward(x) = fn(x)``."""

    _fn = None

    def forward(self, input):
        return type(self)._fn(input)


class Sigmoid(_Elementwise):
    """sigma(x) = 1 / (1 + e^-x) (stable two-branch form); sigma' = sigma(1 - sigma) <= 1/4.

    Inventory: AC-01."""

    _fn = staticmethod(F.sigmoid)


class Tanh(_Elementwise):
    """tanh(x); tanh' = 1 - tanh^2 <= 1. Inventory: AC-02."""

    _fn = staticmethod(F.tanh)


class ReLU(_Elementwise):
    """ReLU(x) = max(0, x); derivative 1 for x > 0, 0 otherwise (0 at x = 0). Inventory: AC-03.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> ReLU()(tensor([-1.0, 0.5])).numpy()
    array([0. , 0.5], dtype=float32)
    """

    _fn = staticmethod(F.relu)

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU6(ReLU):
    """min(max(0, x), 6)."""

    _fn = staticmethod(F.relu6)


class SELU(ReLU):
    """SELU(x) = 1.0507 * (x if x > 0 else 1.6733 (e^x - 1)) (self-normalising). AC-06."""

    _fn = staticmethod(F.selu)


class SiLU(ReLU):
    """SiLU / Swish: x sigma(x)."""

    _fn = staticmethod(F.silu)


class Mish(ReLU):
    """Mish: x tanh(softplus(x))."""

    _fn = staticmethod(F.mish)


class Hardsigmoid(ReLU):
    """clip(x / 6 + 1/2, 0, 1)."""

    _fn = staticmethod(F.hardsigmoid)


class Hardswish(ReLU):
    """x * hardsigmoid(x)."""

    _fn = staticmethod(F.hardswish)


class Softsign(_Elementwise):
    """x / (1 + |x|)."""

    _fn = staticmethod(F.softsign)


class Tanhshrink(_Elementwise):
    """x - tanh(x)."""

    _fn = staticmethod(F.tanhshrink)


class LogSigmoid(_Elementwise):
    """log sigma(x) = -softplus(-x), computed stably."""

    _fn = staticmethod(F.logsigmoid)


class LeakyReLU(Module):
    """max(0, x) + negative_slope * min(0, x) (AC-04; 0.01 default, 0.2 in DCGAN).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> LeakyReLU(0.2)(tensor([-1.0])).numpy()
    array([-0.2], dtype=float32)
    """

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """PReLU(x) = max(0, x) + a * min(0, x), a learned: one shared or one per channel (AC-05).

    Parameters
    ----------
    num_parameters : int, default 1 (shared) or the number of channels (dim 1)
    init : float, default 0.25

    Example
    -------
    >>> PReLU(3).weight.shape
    (3,)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        if not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(
                f"PReLU: num_parameters must be a positive int, got {num_parameters!r}"
            )
        self.num_parameters = num_parameters
        self.init = init
        dt = np.dtype(np.float32 if dtype is None else dtype)
        self.weight = Parameter(np.full((num_parameters,), init, dtype=dt))

    def reset_parameters(self) -> None:
        self.weight.data[...] = self.init

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class RReLU(Module):
    """Randomised leaky ReLU (AC-07): slope ~ U(lower, upper) in training, mean slope in eval.

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> RReLU(0.1, 0.3).eval()(tensor([-1.0])).numpy()
    array([-0.2], dtype=float32)
    """

    def __init__(
        self,
        lower: float = 1.0 / 8,
        upper: float = 1.0 / 3,
        inplace: bool = False,
        *,
        generator=None,
    ):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace
        self.generator = generator

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, generator=self.generator)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


class ELU(Module):
    """ELU(x) = x if x > 0 else alpha (e^x - 1) (AC-06)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """CELU(x) = max(0, x) + min(0, alpha (e^(x/alpha) - 1))."""

    def forward(self, input):
        return F.celu(input, self.alpha)


class GELU(Module):
    """GELU(x) = x Phi(x); ``approximate="tanh"`` uses 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3)))
    (AC-08)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """(1/beta) log(1 + e^(beta x)); linear (x) where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """clip(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if max_val <= min_val:
            raise ValueError(
                f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})"
            )
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmax(Module):
    """softmax(z)_i = e^(z_i - max z) / sum_j e^(z_j - max z) along ``dim`` (AC-09).

    Example
    -------
    >>> from glassml.autograd import tensor
    >>> Softmax(dim=-1)(tensor([0.0, 0.0])).numpy()
    array([0.5, 0.5], dtype=float32)
    """

    _fn = staticmethod(F.softmax)

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return type(self)._fn(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """log softmax(z)_i = z_i - logsumexp(z) (log-sum-exp trick, AC-10)."""

    _fn = staticmethod(F.log_softmax)


class Softmin(Softmax):
    """softmin(z) = softmax(-z)."""

    _fn = staticmethod(F.softmin)


class Softmax2d(Module):
    """Softmax over the channels of (N, C, H, W) or (C, H, W) inputs."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected 3-D or 4-D input, got {input.ndim}-D")
        return F.softmax(input, -3)


ACTIVATIONS = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "relu6": ReLU6,
    "leaky_relu": LeakyReLU,
    "prelu": PReLU,
    "rrelu": RReLU,
    "elu": ELU,
    "selu": SELU,
    "celu": CELU,
    "gelu": GELU,
    "silu": SiLU,
    "swish": SiLU,
    "mish": Mish,
    "softplus": Softplus,
    "softsign": Softsign,
    "tanhshrink": Tanhshrink,
    "hardtanh": Hardtanh,
    "hardsigmoid": Hardsigmoid,
    "hard_sigmoid": Hardsigmoid,
    "hardswish": Hardswish,
    "hard_swish": Hardswish,
    "logsigmoid": LogSigmoid,
    "softmax": lambda **kw: Softmax(dim=kw.pop("dim", -1), **kw),
    "log_softmax": lambda **kw: LogSoftmax(dim=kw.pop("dim", -1), **kw),
    "softmin": lambda **kw: Softmin(dim=kw.pop("dim", -1), **kw),
    "linear": Identity,
    "identity": Identity,
    "none": Identity,
}


def get_activation(name, **kwargs) -> Module:
    """Activation module by name, like Keras' ``activation="relu"`` (AC-15, AC-11).

    ``name`` is case-insensitive ("ReLU", "leaky_relu", "softmax", "linear"...); a Module
    is returned as is; None gives Identity. Keyword arguments go to the constructor.

    Example
    -------
    >>> get_activation("LeakyReLU", negative_slope=0.2)
    LeakyReLU(negative_slope=0.2)
    """
    if name is None:
        return Identity()
    if isinstance(name, Module):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation: expected a name or a Module, got {type(name).__name__}")
    key = name.lower().replace("-", "_")
    aliases = {"leakyrelu": "leaky_relu", "logsoftmax": "log_softmax"}
    key = aliases.get(key, key)
    if key not in ACTIVATIONS:
        raise ValueError(
            f"activation: unknown name {name!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[key](**kwargs)
