"""glassml.training: the ``fit`` loop, ``evaluate``, History and callbacks.

Inventory: OP-22, RG-06, MS-34, RN-02 (truncated BPTT).
"""

from .callbacks import Callback, EarlyStopping, LRSchedulerCallback
from .fit import History, accuracy, evaluate, fit
from .tbptt import detach_state, tbptt_batches, tbptt_train

__all__ = [
    "fit",
    "evaluate",
    "History",
    "accuracy",
    "Callback",
    "EarlyStopping",
    "LRSchedulerCallback",
    "detach_state",
    "tbptt_batches",
    "tbptt_train",
]
