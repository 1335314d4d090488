"""The table of ops that drives the forward/backward tests against PyTorch.

Each :class:`OpCase` names a glassml callable and the equivalent torch callable; the runner in
``test_ops_table.py`` draws random inputs (float64 and float32, contiguous and non-contiguous),
compares the forward outputs, then backpropagates the SAME random upstream gradient through both
and compares the input gradients; float64 cases are also finite-difference checked (gradcheck) and
second-order checked (``create_graph=True``) against torch.

``inputs`` is either a tuple of shapes (standard-normal float inputs) or a factory
``make(rng) -> tuple`` returning float64 arrays (converted to the case dtype) and integer/bool
arrays (passed through unchanged, never requiring grad). ``grad_inputs`` lists the positions of
the inputs that require grad. The fused-ops engineer adds cases in ``optable_fused.py`` (same
format, list named ``CASES``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

import glassml.autograd as ag


@dataclass
class OpCase:
    name: str
    fn: Callable
    torch_fn: Callable
    inputs: tuple | Callable
    kwargs: dict = field(default_factory=dict)
    dtypes: tuple = ("float64", "float32")
    grad_inputs: tuple = (0,)
    rtol64: float = 1e-7
    atol64: float = 1e-10
    rtol32: float = 1e-4
    atol32: float = 1e-5
    gradcheck: bool = True  # finite differences (off at kinks / ties)
    second_order: bool = True  # create_graph=True vs torch
    noncontiguous: bool = True  # also run with strided views of the inputs


def _pos(shape, lo=0.5, hi=2.0):
    return lambda rng: (rng.uniform(lo, hi, size=shape),)


def _ties(shape, k=3):
    """Integer-valued floats: many exact ties."""
    return lambda rng: (rng.integers(0, k, size=shape).astype(np.float64),)


def _ties2(shape_a, shape_b, k=3):
    return lambda rng: (
        rng.integers(0, k, size=shape_a).astype(np.float64),
        rng.integers(0, k, size=shape_b).astype(np.float64),
    )


def _away_from_zero(shape):
    def make(rng):
        x = rng.standard_normal(shape)
        return (np.where(np.abs(x) < 0.1, 0.5, x),)

    return make


def _with_index(shape, index_shape, high, extra=()):
    return lambda rng: (rng.standard_normal(shape), rng.integers(0, high, size=index_shape), *extra)


def _where_inputs(rng):
    return (
        rng.standard_normal((3, 1, 5)) > 0,
        rng.standard_normal((3, 4, 5)),
        rng.standard_normal((4, 1)),
    )


def _mask_inputs(rng):
    return (rng.standard_normal((4, 5)), rng.standard_normal((1, 5)) > 0)


def _scatter_inputs(rng):
    return (
        rng.standard_normal((4, 6)),
        rng.integers(0, 6, size=(3, 5)),
        rng.standard_normal((3, 5)),  # torch's backward needs src.shape == index.shape
    )


T = torch


CASES: list[OpCase] = [
    # ---------------------------------------------------------------- unary elementwise
    OpCase("neg", lambda x: -x, lambda x: -x, ((3, 4),)),
    OpCase("exp", ag.exp, T.exp, ((3, 4),)),
    OpCase("exp_empty", ag.exp, T.exp, ((0, 4),), gradcheck=False),
    OpCase("log", ag.log, T.log, _pos((3, 4))),
    OpCase("log1p", ag.log1p, T.log1p, _pos((3, 4))),
    OpCase("expm1", ag.expm1, T.expm1, ((3, 4),)),
    OpCase("sqrt", ag.sqrt, T.sqrt, _pos((3, 4))),
    OpCase("rsqrt", ag.rsqrt, T.rsqrt, _pos((3, 4))),
    OpCase("square", ag.square, T.square, ((3, 4),)),
    OpCase("reciprocal", ag.reciprocal, T.reciprocal, _away_from_zero((3, 4))),
    OpCase("abs", ag.abs, T.abs, _away_from_zero((3, 4))),
    OpCase(
        "abs_at_zero",
        ag.abs,
        T.abs,
        lambda rng: (np.array([0.0, -1.0, 2.0]),),
        gradcheck=False,
        noncontiguous=False,
    ),
    OpCase("sin", ag.sin, T.sin, ((3, 4),)),
    OpCase("cos", ag.cos, T.cos, ((3, 4),)),
    OpCase("tanh", ag.tanh, T.tanh, ((3, 4),)),
    OpCase("sigmoid", ag.sigmoid, T.sigmoid, ((3, 4),)),
    OpCase(
        "sigmoid_extreme",
        ag.sigmoid,
        T.sigmoid,
        lambda rng: (np.array([-800.0, -30.0, 0.0, 30.0, 800.0]),),
        gradcheck=False,
        noncontiguous=False,
    ),
    OpCase("relu", ag.relu, T.relu, _away_from_zero((3, 4))),
    OpCase(
        "relu_ties",
        ag.relu,
        T.relu,
        lambda rng: (np.array([-1.0, 0.0, 2.0]),),
        gradcheck=False,
        noncontiguous=False,
    ),
    OpCase("erf", ag.erf, T.erf, ((3, 4),)),
    OpCase("pow_scalar", lambda x: x**3, lambda x: x**3, ((3, 4),)),
    OpCase("pow_frac", lambda x: x**0.5, lambda x: x**0.5, _pos((3, 4))),
    OpCase("pow_zero", lambda x: x**0, lambda x: x**0, ((3, 4),)),
    OpCase("pow_neg", lambda x: x**-2, lambda x: x**-2, _pos((3, 4))),
    OpCase("rpow", lambda x: 2.5**x, lambda x: 2.5**x, ((3, 4),)),
    OpCase(
        "clamp",
        lambda x: x.clamp(-0.5, 0.7),
        lambda x: x.clamp(-0.5, 0.7),
        ((4, 5),),
        gradcheck=False,
    ),
    OpCase(
        "clamp_min",
        lambda x: ag.clamp(x, min=0.1),
        lambda x: T.clamp(x, min=0.1),
        ((4, 5),),
        gradcheck=False,
    ),
    OpCase(
        "clamp_bounds_inclusive",
        lambda x: x.clamp(0.0, 1.0),
        lambda x: x.clamp(0.0, 1.0),
        lambda rng: (np.array([-1.0, 0.0, 0.5, 1.0, 2.0]),),
        gradcheck=False,
        noncontiguous=False,
    ),
    OpCase("clone", ag.clone, T.clone, ((3, 4),)),
    # ---------------------------------------------------------------- binary with broadcasting
    OpCase("add", ag.add, T.add, ((3, 4), (3, 4)), grad_inputs=(0, 1)),
    OpCase("add_bcast", ag.add, T.add, ((2, 3, 4), (4,)), grad_inputs=(0, 1)),
    OpCase("add_bcast_both", ag.add, T.add, ((3, 1, 4), (1, 5, 1)), grad_inputs=(0, 1)),
    OpCase("add_size1", ag.add, T.add, ((1, 1), (1,)), grad_inputs=(0, 1)),
    OpCase("add_scalar", lambda x: x + 3.0, lambda x: x + 3.0, ((3, 4),)),
    OpCase("add_empty", ag.add, T.add, ((0, 4), (4,)), grad_inputs=(0, 1), gradcheck=False),
    OpCase("sub", ag.sub, T.sub, ((3, 4), (1, 4)), grad_inputs=(0, 1)),
    OpCase("rsub_scalar", lambda x: 2.0 - x, lambda x: 2.0 - x, ((3, 4),)),
    OpCase("mul", ag.mul, T.mul, ((3, 4), (3, 1)), grad_inputs=(0, 1)),
    OpCase("mul_one_grad", ag.mul, T.mul, ((3, 4), (4,)), grad_inputs=(1,)),
    OpCase("mul_scalar", lambda x: x * 1.5, lambda x: x * 1.5, ((3, 4),)),
    OpCase(
        "div",
        ag.div,
        T.div,
        lambda rng: (rng.standard_normal((3, 4)), rng.uniform(0.5, 2, (4,))),
        grad_inputs=(0, 1),
    ),
    OpCase("rdiv_scalar", lambda x: 2.0 / x, lambda x: 2.0 / x, _pos((3, 4))),
    OpCase(
        "pow_tensor",
        ag.pow,
        T.pow,
        lambda rng: (rng.uniform(0.5, 2, (3, 4)), rng.standard_normal((4,))),
        grad_inputs=(0, 1),
    ),
    OpCase(
        "pow_tensor_zero_base",
        ag.pow,
        T.pow,
        lambda rng: (np.array([0.0, 1.0, 2.0]), np.array([2.0, 0.0, 1.5])),
        grad_inputs=(0, 1),
        gradcheck=False,
        noncontiguous=False,
        second_order=False,
    ),
    OpCase("maximum", ag.maximum, T.maximum, ((3, 4), (4,)), grad_inputs=(0, 1), gradcheck=False),
    OpCase(
        "maximum_ties",
        ag.maximum,
        T.maximum,
        _ties2((3, 4), (3, 4)),
        grad_inputs=(0, 1),
        gradcheck=False,
    ),
    OpCase(
        "minimum_ties",
        ag.minimum,
        T.minimum,
        _ties2((3, 4), (1, 4)),
        grad_inputs=(0, 1),
        gradcheck=False,
    ),
    OpCase("where", ag.where, T.where, _where_inputs, grad_inputs=(1, 2)),
    OpCase(
        "where_scalar",
        lambda c, x: ag.where(c, x, 0.0),
        lambda c, x: T.where(c, x, 0.0),
        lambda rng: (rng.standard_normal((3, 4)) > 0, rng.standard_normal((3, 4))),
        grad_inputs=(1,),
    ),
    # ---------------------------------------------------------------- reductions
    OpCase("sum_all", lambda x: x.sum(), lambda x: x.sum(), ((3, 4),)),
    OpCase("sum_dim", lambda x: x.sum(1), lambda x: x.sum(1), ((3, 4, 5),)),
    OpCase(
        "sum_dims_keep",
        lambda x: x.sum((0, 2), keepdim=True),
        lambda x: x.sum((0, 2), keepdim=True),
        ((3, 4, 5),),
    ),
    OpCase("sum_neg_dim", lambda x: x.sum(-1), lambda x: x.sum(-1), ((3, 4),)),
    OpCase("sum_empty", lambda x: x.sum(0), lambda x: x.sum(0), ((0, 3),), gradcheck=False),
    OpCase("mean_all", lambda x: x.mean(), lambda x: x.mean(), ((3, 4),)),
    OpCase(
        "mean_dim",
        lambda x: x.mean(-1, keepdim=True),
        lambda x: x.mean(-1, keepdim=True),
        ((3, 4, 5),),
    ),
    OpCase("var", lambda x: x.var(1), lambda x: x.var(1), ((3, 5),)),
    OpCase("var_all", lambda x: x.var(), lambda x: x.var(), ((3, 5),)),
    OpCase(
        "var_unbiased_false",
        lambda x: x.var(0, unbiased=False),
        lambda x: x.var(0, unbiased=False),
        ((4, 3),),
    ),
    OpCase(
        "var_correction0_keep",
        lambda x: ag.var(x, (0, 2), correction=0, keepdim=True),
        lambda x: T.var(x, (0, 2), correction=0, keepdim=True),
        ((3, 4, 2),),
    ),
    OpCase("std", lambda x: x.std(1), lambda x: x.std(1), ((3, 5),)),
    OpCase(
        "std_correction0",
        lambda x: ag.std(x, -1, correction=0, keepdim=True),
        lambda x: T.std(x, -1, correction=0, keepdim=True),
        ((3, 5),),
    ),
    OpCase("max_all", lambda x: x.max(), lambda x: x.max(), ((3, 4),)),
    OpCase("max_all_ties", lambda x: x.max(), lambda x: x.max(), _ties((3, 4)), gradcheck=False),
    OpCase("min_all_ties", lambda x: x.min(), lambda x: x.min(), _ties((3, 4)), gradcheck=False),
    OpCase("max_dim", lambda x: x.max(1)[0], lambda x: x.max(1)[0], ((3, 4, 2),)),
    OpCase(
        "max_dim_ties", lambda x: x.max(1)[0], lambda x: x.max(1)[0], _ties((5, 6)), gradcheck=False
    ),
    OpCase(
        "max_dim_keep",
        lambda x: x.max(0, keepdim=True).values,
        lambda x: x.max(0, keepdim=True).values,
        ((3, 4),),
    ),
    OpCase(
        "min_dim_ties",
        lambda x: x.min(-1).values,
        lambda x: x.min(-1).values,
        _ties((5, 6)),
        gradcheck=False,
    ),
    OpCase("amax_ties", lambda x: x.amax(1), lambda x: x.amax(1), _ties((5, 6)), gradcheck=False),
    OpCase(
        "amax_dims",
        lambda x: ag.amax(x, (0, 2), keepdim=True),
        lambda x: T.amax(x, (0, 2), keepdim=True),
        _ties((3, 4, 2)),
        gradcheck=False,
    ),
    OpCase("amin_ties", lambda x: x.amin(0), lambda x: x.amin(0), _ties((5, 6)), gradcheck=False),
    OpCase("amax", lambda x: x.amax(-1), lambda x: x.amax(-1), ((4, 5),)),
    OpCase("logsumexp", lambda x: x.logsumexp(1), lambda x: x.logsumexp(1), ((3, 5),)),
    OpCase(
        "logsumexp_keep",
        lambda x: ag.logsumexp(x * 100, (0, 1), keepdim=True),
        lambda x: T.logsumexp(x * 100, (0, 1), keepdim=True),
        ((3, 5, 2),),
    ),
    OpCase("prod_dim", lambda x: x.prod(1), lambda x: x.prod(1), ((3, 4),)),
    OpCase(
        "prod_with_zero",
        lambda x: x.prod(1),
        lambda x: x.prod(1),
        lambda rng: (np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0], [1.5, 2.0, -1.0]]),),
        gradcheck=False,
        second_order=False,
        noncontiguous=False,
    ),
    OpCase("prod_all", lambda x: x.prod(), lambda x: x.prod(), ((2, 3),), second_order=False),
    OpCase("cumsum", lambda x: x.cumsum(1), lambda x: x.cumsum(1), ((3, 4),)),
    OpCase("norm", lambda x: x.norm(), lambda x: x.norm(), ((3, 4),)),
    OpCase("sort_values", lambda x: x.sort(-1)[0], lambda x: x.sort(-1)[0], ((3, 5),)),
    OpCase("topk_values", lambda x: x.topk(2, dim=1)[0], lambda x: x.topk(2, dim=1)[0], ((3, 5),)),
    # ---------------------------------------------------------------- movement
    OpCase("reshape", lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), ((2, 3, 4),)),
    OpCase("view", lambda x: x.view(6, 4), lambda x: x.reshape(6, 4), ((2, 3, 4),)),
    OpCase("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), ((2, 3, 4),)),
    OpCase("transpose", lambda x: x.transpose(0, -1), lambda x: x.transpose(0, -1), ((2, 3, 4),)),
    OpCase("T", lambda x: x.T, lambda x: x.T, ((3, 4),)),
    OpCase("expand", lambda x: x.expand(2, 3, 4), lambda x: x.expand(2, 3, 4), ((3, 1),)),
    OpCase("expand_minus1", lambda x: x.expand(5, -1), lambda x: x.expand(5, -1), ((1, 4),)),
    OpCase("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), ((3, 1, 4, 1),)),
    OpCase("squeeze_dim", lambda x: x.squeeze(1), lambda x: x.squeeze(1), ((3, 1, 4, 1),)),
    OpCase("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), ((3, 4),)),
    OpCase("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), ((2, 3, 4),)),
    OpCase(
        "unflatten", lambda x: x.unflatten(1, (2, 2)), lambda x: x.unflatten(1, (2, 2)), ((3, 4),)
    ),
    OpCase("getitem_basic", lambda x: x[1:, ::2, 0], lambda x: x[1:, ::2, 0], ((3, 4, 5),)),
    OpCase(
        "getitem_none_ellipsis", lambda x: x[None, ..., 1], lambda x: x[None, ..., 1], ((3, 4),)
    ),
    OpCase(
        "getitem_adv_repeat",
        lambda x, i: x[i],
        lambda x, i: x[i],
        lambda rng: (rng.standard_normal((4, 3)), np.array([0, 2, 0, 0, 3])),
        grad_inputs=(0,),
    ),
    OpCase(
        "getitem_adv_2d",
        lambda x, i, j: x[i, :, j],
        lambda x, i, j: x[i, :, j],
        lambda rng: (
            rng.standard_normal((4, 3, 5)),
            np.array([[0, 1], [1, 1]]),
            np.array([[4, 4], [0, 4]]),
        ),
    ),
    OpCase(
        "getitem_bool",
        lambda x, m: x[m],
        lambda x, m: x[m],
        lambda rng: (rng.standard_normal((4, 3)), rng.standard_normal((4, 3)) > 0),
    ),
    OpCase("getitem_neg", lambda x: x[-1, -2:], lambda x: x[-1, -2:], ((3, 4),)),
    OpCase(
        "cat",
        lambda a, b: ag.cat([a, b], 1),
        lambda a, b: T.cat([a, b], 1),
        ((3, 2), (3, 4)),
        grad_inputs=(0, 1),
    ),
    OpCase(
        "cat_empty_piece",
        lambda a, b: ag.cat([a, b], 0),
        lambda a, b: T.cat([a, b], 0),
        ((0, 3), (2, 3)),
        grad_inputs=(0, 1),
        gradcheck=False,
    ),
    OpCase(
        "stack",
        lambda a, b: ag.stack([a, b], -1),
        lambda a, b: T.stack([a, b], -1),
        ((3, 2), (3, 2)),
        grad_inputs=(0, 1),
    ),
    OpCase(
        "split",
        lambda x: ag.cat([p * (i + 1) for i, p in enumerate(x.split(2, 1))], 1),
        lambda x: T.cat([p * (i + 1) for i, p in enumerate(x.split(2, 1))], 1),
        ((3, 5),),
    ),
    OpCase(
        "split_sizes", lambda x: x.split([1, 3], 0)[1], lambda x: x.split([1, 3], 0)[1], ((4, 2),)
    ),
    OpCase(
        "chunk",
        lambda x: x.chunk(3, -1)[2] * 2 + x.chunk(3, -1)[0],
        lambda x: x.chunk(3, -1)[2] * 2 + x.chunk(3, -1)[0],
        ((3, 6),),
    ),
    OpCase("unbind", lambda x: x.unbind(1)[2], lambda x: x.unbind(1)[2], ((3, 4),)),
    OpCase(
        "pad",
        lambda x: ag.pad(x, (1, 2, 0, 1), value=0.5),
        lambda x: T.nn.functional.pad(x, (1, 2, 0, 1), value=0.5),
        ((2, 3, 4),),
    ),
    OpCase(
        "pad_reflect",
        lambda x: ag.pad(x, (2, 1, 1, 2), mode="reflect"),
        lambda x: T.nn.functional.pad(x, (2, 1, 1, 2), mode="reflect"),
        ((2, 3, 4, 5),),
    ),
    OpCase(
        "pad_replicate",
        lambda x: ag.pad(x, (3, 1), mode="replicate"),
        lambda x: T.nn.functional.pad(x, (3, 1), mode="replicate"),
        ((2, 3, 4),),
    ),
    OpCase(
        "pad_circular",
        lambda x: ag.pad(x, (1, 2, 2, 0), mode="circular"),
        lambda x: T.nn.functional.pad(x, (1, 2, 2, 0), mode="circular"),
        ((1, 2, 3, 4),),
    ),
    OpCase("flip", lambda x: x.flip((0, 2)), lambda x: x.flip((0, 2)), ((2, 3, 4),)),
    OpCase("repeat", lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), ((3, 2),)),
    OpCase("tril", lambda x: x.tril(), lambda x: x.tril(), ((4, 4),)),
    OpCase("triu_batched", lambda x: x.triu(1), lambda x: x.triu(1), ((2, 3, 5),)),
    OpCase("movedim", lambda x: x.movedim(0, 2), lambda x: x.movedim(0, 2), ((2, 3, 4),)),
    OpCase(
        "masked_fill",
        lambda x, m: x.masked_fill(m, -1.5),
        lambda x, m: x.masked_fill(m, -1.5),
        _mask_inputs,
    ),
    OpCase(
        "gather",
        lambda x, i: x.gather(1, i),
        lambda x, i: x.gather(1, i),
        _with_index((4, 5), (4, 7), 5),
    ),
    OpCase(
        "gather_smaller_index",
        lambda x, i: x.gather(0, i),
        lambda x, i: x.gather(0, i),
        _with_index((4, 5), (2, 3), 4),
    ),
    OpCase(
        "scatter_add",
        lambda x, i, s: x.scatter_add(1, i, s),
        lambda x, i, s: x.scatter_add(1, i, s),
        _scatter_inputs,
        grad_inputs=(0, 2),
    ),
    OpCase(
        "index_select0",
        lambda x, i: x.index_select(0, i),
        lambda x, i: x.index_select(0, i),
        _with_index((4, 3), (6,), 4),
    ),
    OpCase(
        "index_select1",
        lambda x, i: x.index_select(1, i),
        lambda x, i: x.index_select(1, i),
        _with_index((4, 3, 2), (5,), 3),
    ),
    OpCase(
        "to_float32",
        lambda x: x.to("float32") * 2,
        lambda x: x.to(T.float32) * 2,
        ((3, 4),),
        dtypes=("float64",),
        rtol64=1e-6,
        atol64=1e-6,
        gradcheck=False,
    ),
    # ---------------------------------------------------------------- matmul
    OpCase("matmul_2d", ag.matmul, T.matmul, ((3, 4), (4, 5)), grad_inputs=(0, 1)),
    OpCase(
        "matmul_batched_bcast", ag.matmul, T.matmul, ((2, 1, 3, 4), (5, 4, 2)), grad_inputs=(0, 1)
    ),
    OpCase("matmul_batched_weight", ag.matmul, T.matmul, ((2, 3, 4), (4, 5)), grad_inputs=(0, 1)),
    OpCase("matmul_vec_vec", ag.matmul, T.matmul, ((4,), (4,)), grad_inputs=(0, 1)),
    OpCase("matmul_mat_vec", ag.matmul, T.matmul, ((2, 3, 4), (4,)), grad_inputs=(0, 1)),
    OpCase("matmul_vec_mat", ag.matmul, T.matmul, ((4,), (2, 4, 5)), grad_inputs=(0, 1)),
    OpCase(
        "matmul_empty", ag.matmul, T.matmul, ((0, 4), (4, 3)), grad_inputs=(0, 1), gradcheck=False
    ),
    OpCase("matmul_k0", ag.matmul, T.matmul, ((3, 0), (0, 2)), grad_inputs=(0, 1), gradcheck=False),
    OpCase("bmm", ag.bmm, T.bmm, ((2, 3, 4), (2, 4, 5)), grad_inputs=(0, 1)),
    # ---------------------------------------------------------------- compositions
    OpCase(
        "chain_rule_mlp",
        lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(0),
        lambda x, w, b: ((x @ w + b).tanh() ** 2).mean(0),
        ((5, 3), (3, 4), (4,)),
        grad_inputs=(0, 1, 2),
    ),
]
