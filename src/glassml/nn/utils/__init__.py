"""glassml.nn.utils: gradient clipping, parameter/vector conversion and packed sequences
(``torch.nn.utils``).

Inventory: OP-20, OP-21, RN-12.
"""

from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_norm_per_tensor_, clip_grad_value_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grad_norm_per_tensor_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
    # recurrent sequences (RN-12)
    "rnn",
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
