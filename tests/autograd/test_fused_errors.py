"""Bad input to the fused ops: clear exceptions naming the argument, like PyTorch's.

Inventory: AG-03 (bad-input contract of the op set).
"""

from __future__ import annotations

import numpy as np
import pytest

import glassml.autograd as ag
import glassml.autograd.fused as F


def test_cross_entropy_target_out_of_bounds():
    z = ag.randn(3, 5)
    with pytest.raises(IndexError, match="Target 7 is out of bounds."):
        F.cross_entropy(z, ag.tensor([0, 7, 1]))
    with pytest.raises(IndexError, match="Target -3 is out of bounds."):
        F.nll_loss(z, ag.tensor([0, -3, 1]))


def test_cross_entropy_ignore_index_may_be_out_of_range():
    loss = F.cross_entropy(ag.randn(3, 5), ag.tensor([-100, 2, -100]))
    assert np.isfinite(loss.item())


def test_cross_entropy_all_ignored_mean_is_nan_like_torch():
    with np.errstate(invalid="ignore", divide="ignore"):
        loss = F.cross_entropy(ag.randn(2, 3), ag.tensor([-100, -100]))
    assert np.isnan(loss.item())


def test_cross_entropy_shape_and_dtype_errors():
    z = ag.randn(4, 3)
    with pytest.raises(ValueError, match=r"expected target of shape \(4,\)"):
        F.cross_entropy(z, ag.tensor([0, 1]))
    with pytest.raises(ValueError, match="class-probability target must have the input's shape"):
        F.cross_entropy(z, ag.rand(4, 2))
    with pytest.raises(TypeError, match="must be a floating-point tensor"):
        F.cross_entropy(ag.tensor([[1, 2]]), ag.tensor([0]))
    with pytest.raises(ValueError, match="weight must be a 1-D tensor of size C=3"):
        F.cross_entropy(z, ag.tensor([0, 1, 2, 0]), weight=ag.ones(4))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(z, ag.tensor([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="reduction must be one of"):
        F.cross_entropy(z, ag.tensor([0, 1, 2, 0]), reduction="avg")


def test_binary_cross_entropy_errors():
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(ag.tensor([0.5, 1.5]), ag.tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy_with_logits(ag.randn(3, 2), ag.rand(3))


def test_mse_loss_shape_mismatch_warns_then_broadcast_error():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(ag.randn(3, 1), ag.randn(3))
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="not broadcastable"):
        F.mse_loss(ag.randn(3, 2), ag.randn(4))


def test_linear_shape_and_dtype_errors():
    with pytest.raises(ValueError, match="in_features=3"):
        F.linear(ag.randn(2, 4), ag.randn(5, 3))
    with pytest.raises(TypeError, match="expected weight to have dtype float32"):
        F.linear(ag.randn(2, 3), ag.tensor(np.ones((4, 3))))
    with pytest.raises(TypeError, match="floating-point"):
        F.linear(ag.tensor([[1, 2, 3]]), ag.randn(4, 3))


def test_conv_errors():
    x = ag.randn(1, 3, 8, 8)
    with pytest.raises(ValueError, match="to have 4 channels, but got 3 channels"):
        F.conv2d(x, ag.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        F.conv2d(x, ag.randn(2, 3, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        F.conv2d(x, ag.randn(2, 3, 3, 3), padding="full")
    with pytest.raises(ValueError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(ag.randn(1, 3, 2, 2), ag.randn(2, 3, 3, 3))
    with pytest.raises(ValueError, match="expected 3-D \\(unbatched\\) or 4-D"):
        F.conv2d(ag.randn(8, 8), ag.randn(2, 3, 3, 3))
    with pytest.raises(
        ValueError, match="output padding must be smaller than either stride or dilation"
    ):
        F.conv_transpose2d(x, ag.randn(3, 2, 3, 3), stride=2, output_padding=2)
    with pytest.raises(TypeError, match="floating-point"):
        F.conv2d(ag.tensor(np.ones((1, 3, 4, 4), dtype=np.int64)), ag.randn(2, 3, 3, 3))


def test_pool_errors():
    with pytest.raises(ValueError, match="pad should be at most half of effective kernel size"):
        F.max_pool2d(ag.randn(1, 1, 6, 6), 2, padding=2)
    with pytest.raises(ValueError, match="expected 3-D or 4-D input"):
        F.avg_pool2d(ag.randn(6, 6), 2)
    with pytest.raises(ValueError, match="divisor must be not zero"):
        F.avg_pool2d(ag.randn(1, 1, 4, 4), 2, divisor_override=0)


def test_embedding_errors():
    w = ag.randn(5, 3)
    with pytest.raises(IndexError, match="index 5 is out of range for 5 rows"):
        F.embedding(ag.tensor([0, 5]), w)
    with pytest.raises(TypeError, match="indices must be an integer tensor"):
        F.embedding(ag.tensor([0.0, 1.0]), w)
    with pytest.raises(ValueError, match="padding_idx must be within num_embeddings"):
        F.embedding(ag.tensor([0]), w, padding_idx=9)


def test_one_hot_errors():
    with pytest.raises(ValueError, match="Class values must be smaller than num_classes"):
        F.one_hot(ag.tensor([0, 3]), 3)
    with pytest.raises(ValueError, match="Class values must be non-negative"):
        F.one_hot(ag.tensor([-1, 0]))
    with pytest.raises(TypeError, match="integer dtype"):
        F.one_hot(ag.tensor([0.0, 1.0]))


def test_attention_errors():
    q = ag.randn(2, 4, 8)
    with pytest.raises(ValueError, match="same embedding size E"):
        F.scaled_dot_product_attention(q, ag.randn(2, 5, 7), ag.randn(2, 5, 3))
    with pytest.raises(ValueError, match="same sequence length S"):
        F.scaled_dot_product_attention(q, ag.randn(2, 5, 8), ag.randn(2, 6, 3))
    with pytest.raises(ValueError, match="either attn_mask or is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=ag.ones(4, 4), is_causal=True)


def test_interpolate_errors():
    x = ag.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(
        ValueError, match="align_corners option can only be set with the interpolating modes"
    ):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.raises(NotImplementedError, match="mode 'bicubic' is not supported"):
        F.interpolate(x, scale_factor=2, mode="bicubic")


def test_activation_argument_errors():
    with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
        F.gelu(ag.randn(3), approximate="erf")
    with pytest.raises(ValueError, match="max_val .* cannot be less than min_val"):
        F.hardtanh(ag.randn(3), 1.0, -1.0)
    with pytest.raises(TypeError, match="floating-point"):
        F.silu(ag.tensor([1, 2]))


def test_softmax_dim_out_of_range():
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        F.softmax(ag.randn(3, 4), dim=2)
