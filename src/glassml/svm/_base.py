"""Shared parts of the SVMs: target / sample-weight checks (SVC, SVR, LinearSVC), and for the
kernel SVMs (SVC, SVR) hyperparameter checks and kernel evaluation.

Inventory: SV-03, SV-07.
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import (
    BaseEstimator,
    check_in,
    check_is_fitted,
    check_sample_weight,
    check_scalar,
)

from ._kernels import KERNELS, KernelColumns, kernel_matrix, resolve_gamma


def encode_classes(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(classes_, y_index): the sorted labels and each sample's index into them; at least two
    classes are required.

    >>> encode_classes(np.array(["b", "a", "b"]))[1].tolist()
    [1, 0, 1]
    """
    classes, y_index = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise ValueError(
            f"y: the number of classes has to be greater than one; got 1 class ({classes[0]!r})."
        )
    return classes, y_index


def check_positive_sample_weight(sample_weight, X: np.ndarray) -> np.ndarray:
    """Per-sample weights (ones when None), of which at least one must be positive."""
    sw = check_sample_weight(sample_weight, X)
    if not (sw > 0).any():
        raise ValueError(
            "sample_weight: all sample weights are zero; at least one must be positive."
        )
    return sw


class _KernelSVM(BaseEstimator):
    """Hyperparameter validation and kernel plumbing common to SVC and SVR."""

    @property
    def n_support_(self):
        """Number of support vectors: one entry per class (SVC) or one in all (SVR)."""
        if not hasattr(self, "_n_support"):
            raise AttributeError("n_support_ is only available after fit")
        return self._n_support

    def _check_common(self, X: np.ndarray) -> None:
        """Validate the shared hyperparameters and record the resolved kernel parameters."""
        check_in(self.kernel, "kernel", KERNELS)
        C = self.C
        if isinstance(C, bool) or not isinstance(C, numbers.Real) or np.isnan(C) or not C > 0:
            raise ValueError(f"C: expected a number > 0 (np.inf for a hard margin), got {C!r}.")
        check_scalar(self.degree, "degree", numbers.Integral, min_val=0)
        check_scalar(self.coef0, "coef0", numbers.Real)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0, include_boundaries="neither")
        check_scalar(
            self.cache_size, "cache_size", numbers.Real, min_val=0, include_boundaries="neither"
        )
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=-1)
        if self.max_iter == 0:
            raise ValueError("max_iter: expected -1 (no limit) or a positive int, got 0.")
        check_scalar(self.shrinking, "shrinking", bool)
        if self.kernel == "precomputed":
            if X.shape[0] != X.shape[1]:
                raise ValueError(
                    "X: a precomputed kernel must be a square (n_samples, n_samples) Gram matrix, "
                    f"got shape {X.shape}."
                )
            self._gamma = 0.0
        else:
            self._gamma = resolve_gamma(self.gamma, X)

    def _kernel_params(self) -> dict:
        return dict(gamma=self._gamma, degree=int(self.degree), coef0=float(self.coef0))

    def _columns(self, X, gram=None) -> KernelColumns:
        return KernelColumns(
            X, self.kernel, cache_mb=float(self.cache_size), gram=gram, **self._kernel_params()
        )

    def _full_gram(self, X) -> np.ndarray | None:
        """The whole training Gram matrix when it fits in ``cache_size`` MB (else None)."""
        n = X.shape[0]
        if self.kernel == "precomputed":
            return X
        if n * n * 8 <= float(self.cache_size) * 2**20:
            return kernel_matrix(X, X, self.kernel, **self._kernel_params())  # (n, n)
        return None

    def _test_kernel(self, X) -> np.ndarray:
        """k(x, sv) for every test row and support vector: (n_test, n_SV)."""
        if self.kernel == "precomputed":
            if X.shape[1] != self.shape_fit_[0]:
                raise ValueError(
                    f"X: a precomputed kernel at predict time must have shape (n_test, "
                    f"{self.shape_fit_[0]}) (one column per training sample), got {X.shape}."
                )
            return X[:, self.support_]
        return kernel_matrix(X, self.support_vectors_, self.kernel, **self._kernel_params())

    def _validate_predict_input(self, X) -> np.ndarray:
        if self.kernel == "precomputed":
            check_is_fitted(self)
            X = np.asarray(X) if not hasattr(X, "columns") else X
            shape = np.shape(X)
            if len(shape) == 2 and shape[1] != self.shape_fit_[0]:
                raise ValueError(
                    f"X: a precomputed kernel at predict time must have shape (n_test, "
                    f"{self.shape_fit_[0]}) (one column per training sample), got {shape}."
                )
        return self._validate_data(X, reset=False, dtype=np.float64)

    def _glassml_tags(self) -> dict:
        return {"pairwise": self.kernel == "precomputed"}
