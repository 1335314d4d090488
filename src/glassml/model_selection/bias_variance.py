"""Bias-variance decomposition by refitting on bootstrap resamples of the training set.

Inventory: MS-35, CL-004. For a test point x with target y and predictions f_b(x) of models
fitted on B bootstrap samples, with the main prediction f̄(x) = (1/B) Σ_b f_b(x):

    squared loss:  E_b[(f_b(x) − y)²] = (f̄(x) − y)² + E_b[(f_b(x) − f̄(x))²]
                   (expected loss = bias² + variance, an exact identity per point)
    0-1 loss:      main prediction = the most frequent label; bias = [f̄(x) ≠ y],
                   variance = E_b[f_b(x) ≠ f̄(x)] (Domingos 2000)

averaged over the test points. When the noise-free targets f(x) are known (synthetic data),
passing them as ``y_test`` makes bias² the pure model bias and the irreducible noise σ² is the
extra loss against noisy targets.
"""

from __future__ import annotations

import numbers

import numpy as np
from joblib import Parallel, delayed

from glassml._core import check_random_state, clone, num_samples

from .split import safe_indexing

__all__ = ["bias_variance_decomposition"]


def _fit_predict(estimator, X_train, y_train, X_test, idx):
    model = clone(estimator)
    model.fit(safe_indexing(X_train, idx), safe_indexing(y_train, idx))
    return np.asarray(model.predict(X_test))


def bias_variance_decomposition(estimator, X_train, y_train, X_test, y_test, *, n_rounds=200,
                                loss="mse", random_state=None, n_jobs=None):  # fmt: skip
    """Estimate expected test loss, bias and variance of ``estimator`` (see the module docstring).

    Parameters
    ----------
    n_rounds : int
        Number of bootstrap training sets (each of the training set's size, with replacement).
    loss : "mse" (regression) or "0-1" (classification).

    Returns
    -------
    dict with ``expected_loss``, ``bias_squared`` (mse) or ``bias`` (0-1), ``variance`` and the
    ``predictions`` array of shape (n_rounds, n_test).

    >>> from glassml._core import BaseEstimator
    >>> class Mean(BaseEstimator):
    ...     def fit(self, X, y): self.m_ = float(np.mean(y)); return self
    ...     def predict(self, X): return np.full(len(X), self.m_)
    >>> out = bias_variance_decomposition(Mean(), np.zeros((20, 1)), np.arange(20.0),
    ...                                   np.zeros((3, 1)), np.full(3, 9.5), n_rounds=50,
    ...                                   random_state=0)
    >>> bool(abs(out["expected_loss"] - out["bias_squared"] - out["variance"]) < 1e-9)
    True
    """
    if not isinstance(n_rounds, numbers.Integral) or n_rounds < 2:
        raise ValueError(f"n_rounds: expected an integer >= 2, got {n_rounds!r}.")
    if loss not in ("mse", "0-1"):
        raise ValueError(f"loss: expected 'mse' or '0-1', got {loss!r}.")
    n = num_samples(X_train)
    if num_samples(y_train) != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X_train: {n}, "
            f"y_train: {num_samples(y_train)}."
        )
    y_test = np.asarray(y_test)
    if num_samples(X_test) != y_test.shape[0]:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: X_test: "
            f"{num_samples(X_test)}, y_test: {y_test.shape[0]}."
        )
    rng = check_random_state(random_state)
    draws = [rng.integers(0, n, size=n) for _ in range(n_rounds)]
    preds = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(estimator, X_train, y_train, X_test, idx) for idx in draws
    )
    P = np.stack(preds)  # (B, n_test)
    if loss == "mse":
        P = P.astype(np.float64)
        y = y_test.astype(np.float64)
        main = P.mean(axis=0)  # (n_test,) f̄(x)
        expected = float(((P - y) ** 2).mean())
        bias2 = float(((main - y) ** 2).mean())
        variance = float(((P - main) ** 2).mean())
        return {"expected_loss": expected, "bias_squared": bias2, "variance": variance,
                "predictions": P}  # fmt: skip
    classes, codes = np.unique(P, return_inverse=True)
    codes = codes.reshape(P.shape)
    counts = np.zeros((classes.size, P.shape[1]), dtype=np.int64)
    np.add.at(counts, (codes, np.broadcast_to(np.arange(P.shape[1]), P.shape)), 1)
    main = classes[counts.argmax(axis=0)]  # (n_test,) the mode of the predictions
    return {
        "expected_loss": float((P != y_test).mean()),
        "bias": float((main != y_test).mean()),
        "variance": float((P != main).mean()),
        "predictions": P,
    }
