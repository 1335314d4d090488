"""glassml.autograd: a reverse-mode automatic-differentiation engine on NumPy.

``Tensor`` records the ops applied to it; ``backward()`` runs the chain rule in reverse
(``engine.py``); each op is a ``Function`` with forward and backward side by side
(``ops/`` for primitives, ``fused/`` for fused ops). Results agree with PyTorch.
Large arrays that ops save for backward (conv window matrices of 32 MiB and more) come from a
per-thread pool and are reused once their graph is freed; ``release_pooled()`` hands the unused
ones back to the system.

Inventory: AG-01..AG-04, AG-06, AG-08, AG-09.

Example
-------
>>> import glassml.autograd as ag
>>> x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> loss = (x @ x).sum()
>>> loss.backward()
>>> x.grad.shape
(2, 2)
"""

from . import random
from .engine import backward, grad
from .factories import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .function import Context, Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .ops.binary import add, div, maximum, minimum, mul, pow, sub, where
from .ops.elementwise import (
    abs,
    clamp,
    clip,
    clone,
    cos,
    erf,
    exp,
    expm1,
    log,
    log1p,
    neg,
    reciprocal,
    relu,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    tanh,
)
from .ops.indexing import gather, index_select, masked_fill, scatter_add
from .ops.matmul import bmm, matmul, mm
from .ops.movement import (
    cat,
    chunk,
    expand,
    flatten,
    flip,
    movedim,
    pad,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    transpose,
    tril,
    triu,
    unbind,
    unsqueeze,
    view,
)
from .ops.reduction import (
    amax,
    amin,
    argmax,
    argmin,
    argsort,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    sort,
    std,
    sum,
    topk,
    var,
)
from .random import default_generator, manual_seed
from .tensor import Parameter, Tensor

__all__ = [
    "Tensor",
    "Parameter",
    "Function",
    "Context",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "gradcheck",
    "GradcheckError",
    "manual_seed",
    "default_generator",
    "random",
    # factories
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "full",
    "full_like",
    "empty",
    "arange",
    "linspace",
    "eye",
    "randn",
    "rand",
    "randint",
    "randn_like",
    "rand_like",
    "randperm",
    "normal",
    # ops
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "where",
    "abs",
    "clamp",
    "clip",
    "clone",
    "cos",
    "erf",
    "exp",
    "expm1",
    "log",
    "log1p",
    "neg",
    "reciprocal",
    "relu",
    "rsqrt",
    "sigmoid",
    "sign",
    "sin",
    "sqrt",
    "square",
    "tanh",
    "gather",
    "index_select",
    "masked_fill",
    "scatter_add",
    "bmm",
    "matmul",
    "mm",
    "cat",
    "chunk",
    "expand",
    "flatten",
    "flip",
    "movedim",
    "pad",
    "permute",
    "repeat",
    "reshape",
    "split",
    "squeeze",
    "stack",
    "transpose",
    "tril",
    "triu",
    "unbind",
    "unsqueeze",
    "view",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "argsort",
    "cumsum",
    "logsumexp",
    "max",
    "mean",
    "min",
    "norm",
    "prod",
    "sort",
    "std",
    "sum",
    "topk",
    "var",
]

from . import fused as _fused  # noqa: E402
from .fused import *  # noqa: E402,F401,F403
from .fused._util import release_pooled  # noqa: E402

__all__ += [*_fused.__all__, "release_pooled"]
