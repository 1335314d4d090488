"""glassml.nn: neural-network building blocks with PyTorch's API, on glassml's autograd.

``Module`` (ordered registration, ``state_dict`` with torch's key names), containers, layers
(Linear, Conv, pooling, normalisation, dropout, embedding), activations, initialisers
(``nn.init``), the functional API (``nn.functional``), regularisation helpers and
``save``/``load`` (``config.json`` + ``model.safetensors``).

Inventory: NL, AC, IN, NO, RG, RN (recurrent layers), SQ-06..SQ-09 and TR-01..TR-10
(attention, positional encodings, Transformer layers, RMSNorm, SwiGLU).

Example
-------
>>> from glassml import nn
>>> from glassml.autograd import randn
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
>>> model(randn(2, 4)).shape
(2, 3)
"""

from glassml.autograd import Parameter  # noqa: F401

from . import functional, init, utils  # noqa: F401  (utils: part C, clip_grad_norm_...)
from .activation import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .containers import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .rmsnorm import RMSNorm, rms_norm  # noqa: F401
from .rnn import *  # noqa: F401,F403
from .rnn_variants import *  # noqa: F401,F403
from .seq_attention import BahdanauAttention, LuongAttention  # noqa: F401
from .serialization import load, load_config, save  # noqa: F401
from .swiglu import SwiGLU, silu_mul  # noqa: F401
from .transformer import *  # noqa: F401,F403
