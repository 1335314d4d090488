"""glassml.training: the ``fit`` loop, ``evaluate``, History and callbacks.

Inventory: OP-22, RG-06, MS-34.
"""

from .callbacks import Callback, EarlyStopping, LRSchedulerCallback
from .fit import History, accuracy, evaluate, fit

__all__ = [
    "fit",
    "evaluate",
    "History",
    "accuracy",
    "Callback",
    "EarlyStopping",
    "LRSchedulerCallback",
]
