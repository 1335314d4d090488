"""glassml.optim: gradient-descent optimizers and learning-rate schedulers (PyTorch's API).

Every optimizer reproduces ``torch.optim``'s update formulas, so 50-step trajectories agree with
torch's to float64 round-off (tests/optim).

Inventory: OP-01..OP-19.

Example
-------
>>> import numpy as np
>>> from glassml.autograd import Parameter
>>> from glassml.optim import Adam
>>> w = Parameter(np.ones(3))
>>> opt = Adam([w], lr=0.01)
>>> opt.zero_grad(); (w * w).sum().backward(); opt.step()
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD, momentum_form_a, momentum_form_b

Nadam = NAdam

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "NAdam",
    "Nadam",
    "Adamax",
    "RAdam",
    "lr_scheduler",
    "momentum_form_a",
    "momentum_form_b",
]
