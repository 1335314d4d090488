"""Support vector machines: SVC and SVR by SMO, LinearSVC, kernels and the kernel trick.

Inventory: SV-01..SV-07, LM-15, LS-10, LS-11.
"""

from ._kernels import poly2_feature_map, resolve_gamma
from ._linear_svc import LinearSVC, hinge_loss, squared_hinge_loss
from ._svc import SVC
from ._svr import SVR

__all__ = [
    "SVC",
    "SVR",
    "LinearSVC",
    "hinge_loss",
    "squared_hinge_loss",
    "poly2_feature_map",
    "resolve_gamma",
]
