"""glassml.nn.utils: gradient clipping and parameter/vector conversion (``torch.nn.utils``).

Inventory: OP-20, OP-21.
"""

from .clip_grad import clip_grad_norm_, clip_grad_norm_per_tensor_, clip_grad_value_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grad_norm_per_tensor_",
    "get_total_norm",
    "parameters_to_vector",
    "vector_to_parameters",
]
