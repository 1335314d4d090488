"""``gradcheck``: verify analytic gradients with central finite differences (torch-free).

For ``y = f(x_1, ..., x_k)`` and a random upstream vector ``u``, the analytic vector-Jacobian
products ``v_i = J_i^T u`` (from ``backward``) must satisfy, for random directions ``d``,

    sum_i <v_i, d_i>  ~=  ( <u, f(x + eps d)> - <u, f(x - eps d)> ) / (2 eps)

(central differences: truncation error O(eps^2)). Everything runs in float64.

Inventory: AG-06.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import tensor, gradcheck
>>> x = tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
>>> gradcheck(lambda a: (a.tanh() * a).sum(dim=1), (x,))
True
"""

from __future__ import annotations

import numpy as np

from .grad_mode import enable_grad, no_grad
from .tensor import Tensor

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Analytic and numerical directional derivatives disagree."""


def _outputs(result) -> list:
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, tuple | list):
        return [r for r in result if isinstance(r, Tensor) and r.data.dtype.kind == "f"]
    raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, got {type(result)}")


def gradcheck(
    fn,
    inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    n_directions: int = 6,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    """Check ``fn``'s gradients w.r.t. every input that requires grad.

    Parameters
    ----------
    fn : callable
        ``fn(*inputs) -> Tensor`` or a tuple of Tensors.
    inputs : Tensor or tuple
        Tensors that require grad are checked (they must be float64); other items pass through.
    eps : float
        Finite-difference step.
    atol, rtol : float
        Pass when ``|analytic - numeric| <= atol + rtol * |numeric|`` for every direction.
    n_directions : int
        Number of random directions (each costs two forward evaluations).
    seed : int
        Seed of the directions and of the upstream vectors.
    raise_exception : bool
        Raise :class:`GradcheckError` with a report on failure (else return False).
    """
    if isinstance(inputs, Tensor):
        inputs = (inputs,)
    inputs = tuple(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad")
    for i in checked:
        if inputs[i].dtype != np.float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; use float64 inputs "
                "(finite differences are meaningless in float32)"
            )
    rng = np.random.default_rng(seed)

    # analytic VJP for a random upstream u
    with enable_grad():
        leaves = list(inputs)
        for i in checked:
            leaves[i] = Tensor._make(inputs[i].data.copy(), False, None).requires_grad_()
        outs = _outputs(fn(*leaves))
        ups = [rng.standard_normal(o.shape) for o in outs]
        from .engine import grad as autograd_grad

        diff_outs = [(o, u) for o, u in zip(outs, ups, strict=True) if o.requires_grad]
        if diff_outs:
            vjps = autograd_grad(
                [o for o, _ in diff_outs],
                [leaves[i] for i in checked],
                [u for _, u in diff_outs],
                allow_unused=True,
            )
        else:
            vjps = [None] * len(checked)
    vjps = [
        np.zeros(inputs[i].shape) if v is None else v.data
        for i, v in zip(checked, vjps, strict=True)
    ]

    def objective(shifted) -> float:
        with no_grad():
            args = list(inputs)
            for i, x in zip(checked, shifted, strict=True):
                args[i] = Tensor._make(x, False, None)
            outs_ = _outputs(fn(*args))
            return float(
                sum(np.sum(o.data.astype(np.float64) * u) for o, u in zip(outs_, ups, strict=True))
            )

    failures = []
    for k in range(n_directions):
        dirs = [rng.standard_normal(inputs[i].shape) for i in checked]
        analytic = float(sum(np.sum(v * d) for v, d in zip(vjps, dirs, strict=True)))
        plus = objective([inputs[i].data + eps * d for i, d in zip(checked, dirs, strict=True)])
        minus = objective([inputs[i].data - eps * d for i, d in zip(checked, dirs, strict=True)])
        numeric = (plus - minus) / (2 * eps)
        if not abs(analytic - numeric) <= atol + rtol * abs(numeric):
            failures.append((k, analytic, numeric))
    if failures:
        lines = [f"direction {k}: analytic {a:.10g} vs numeric {n:.10g}" for k, a, n in failures]
        msg = (
            f"gradcheck failed for {len(failures)}/{n_directions} random directions "
            f"(eps={eps}, atol={atol}, rtol={rtol}):\n" + "\n".join(lines)
        )
        if raise_exception:
            raise GradcheckError(msg)
        return False
    return True
