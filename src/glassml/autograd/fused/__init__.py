"""Fused ops of the autograd engine: one Function per op with a hand-derived backward.

Public functions carry PyTorch's names, signatures and defaults (``F.linear``,
``F.cross_entropy``, ``F.conv2d``, ...); the nn package re-exports them as
``glassml.nn.functional``. Each module pairs the forward and the backward of its ops on raw
NumPy arrays (see ``glassml.autograd.function``).

Inventory: AG-03, AG-10, AG-12, AG-15 and the layer/loss items cited in each module.
"""

from .activation import (
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    selu,
    silu,
    softplus,
)
from .attention import scaled_dot_product_attention
from .conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from .dropout import alpha_dropout, dropout, dropout1d, dropout2d, dropout3d
from .embedding import embedding, one_hot
from .linear import bilinear, linear
from .loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from .norm import batch_norm, group_norm, instance_norm, layer_norm
from .pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from .rnn_cells import (
    gru_cell,
    gru_layer,
    lstm_cell,
    lstm_layer,
    rnn_layer,
    rnn_relu_cell,
    rnn_tanh_cell,
)
from .softmax import log_softmax, softmax, softmin
from .upsample import interpolate, upsample, upsample_bilinear, upsample_nearest

__all__ = [
    # linear
    "linear",
    "bilinear",
    # softmax
    "softmax",
    "log_softmax",
    "softmin",
    # losses
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    # normalisation
    "layer_norm",
    "batch_norm",
    "group_norm",
    "instance_norm",
    # convolution
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    # pooling
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    # resizing
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    # attention
    "scaled_dot_product_attention",
    # embedding
    "embedding",
    "one_hot",
    # activations
    "gelu",
    "silu",
    "leaky_relu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "mish",
    "logsigmoid",
    # dropout
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    # recurrent cells and layers
    "lstm_cell",
    "gru_cell",
    "rnn_tanh_cell",
    "rnn_relu_cell",
    "lstm_layer",
    "gru_layer",
    "rnn_layer",
]
