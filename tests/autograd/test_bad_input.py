"""Bad input gets a clear exception naming what was expected and what was given."""

from __future__ import annotations

import numpy as np
import pytest

import glassml.autograd as ag


def _x(shape=(3, 4), requires_grad=True):
    return ag.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=requires_grad)


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients"):
        ag.tensor([1, 2, 3], requires_grad=True)
    t = ag.arange(3)
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients"):
        t.requires_grad = True
    with pytest.raises(RuntimeError, match="only floating point"):
        ag.Parameter(np.arange(3))


def test_backward_on_non_scalar_needs_gradient():
    y = _x() * 2
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    with pytest.raises(RuntimeError, match=r"Mismatch in shape: gradient has a shape of \(4,\)"):
        y.backward(np.ones(4))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        _x(requires_grad=False).sum().backward()


def test_shape_mismatches():
    with pytest.raises(ValueError, match=r"add: shapes \(3, 4\) and \(5,\) are not broadcastable"):
        _x() + _x((5,))
    with pytest.raises(
        RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(3x4 and 3x4\)"
    ):
        _x() @ _x()
    with pytest.raises(RuntimeError, match="batch dimensions"):
        _x((2, 3, 4)) @ _x((3, 4, 5))
    with pytest.raises(RuntimeError, match="both arguments need at least 1 dimension"):
        _x(()) @ _x((3,))
    with pytest.raises(RuntimeError, match=r"shape '\[5, -1\]' is invalid for input of size 12"):
        _x().reshape(5, -1)
    with pytest.raises(RuntimeError, match="sizes of tensors must match except in dimension 0"):
        ag.cat([_x((2, 3)), _x((2, 4))], 0)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        ag.stack([_x((2, 3)), _x((3, 2))])
    with pytest.raises(RuntimeError, match="expanded size of the tensor"):
        _x((3, 2)).expand(3, 4)
    with pytest.raises(
        RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 3"
    ):
        _x().split([1, 1], 0)
    with pytest.raises(RuntimeError, match="not broadcastable to input shape"):
        _x((3,)).masked_fill(ag.tensor(np.ones((2, 3), dtype=bool)), 0.0)
    with pytest.raises(RuntimeError, match="permute"):
        _x().permute(0, 0)


def test_dimension_out_of_range():
    with pytest.raises(
        IndexError,
        match=r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)",
    ):
        _x().sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        _x().unsqueeze(4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        _x().max(dim=-3)


def test_indices_out_of_range():
    with pytest.raises(
        IndexError, match=r"out of bounds.*shape \(3, 4\)|shape \(3, 4\).*out of bounds"
    ):
        _x()[5]
    with pytest.raises(
        IndexError, match="gather: index 4 is out of bounds for dimension 1 with size 4"
    ):
        _x().gather(1, ag.tensor([[0, 4]] * 3))
    with pytest.raises(
        IndexError, match="index_select: index 3 is out of bounds for dimension 0 with size 3"
    ):
        _x().index_select(0, ag.tensor([0, 3]))
    with pytest.raises(IndexError, match="scatter_add: index -9 is out of bounds"):
        _x().scatter_add(1, ag.tensor([[-9]] * 3), _x((3, 1)))
    with pytest.raises(IndexError, match="float"):
        _x()[ag.tensor([0.0, 1.0])]


def test_wrong_dtypes_and_types():
    with pytest.raises(TypeError, match="gather: index must be an integer tensor, got dtype float"):
        _x().gather(1, _x((3, 1)))
    with pytest.raises(TypeError, match="where: condition must be a bool tensor"):
        ag.where(_x(), _x(), _x())
    with pytest.raises(TypeError, match="mul: expected a Tensor or a number, got str"):
        _x() * "a"
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype"):
        ag.arange(4).mean()
    with pytest.raises(TypeError, match="complex"):
        ag.tensor(np.array([1j]))
    with pytest.raises(ValueError, match="clamp: at least one of min and max"):
        _x().clamp()
    with pytest.raises(ValueError, match="topk: k must be an integer in \\[0, 4\\]"):
        _x().topk(5)
    with pytest.raises(ValueError, match="pad: mode must be one of"):
        ag.pad(_x(), (1, 1), mode="mirror")
    with pytest.raises(
        ValueError, match="reflect padding of \\(4, 4\\) is too large for dimension 1"
    ):
        ag.pad(_x(), (4, 4), mode="reflect")


def test_inplace_on_broadcast_view_is_refused():
    v = _x((1, 3), requires_grad=False).expand(4, 3)
    with pytest.raises(RuntimeError, match="read-only"):
        v.add_(1)


def test_bool_of_multi_element_tensor():
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(_x())
