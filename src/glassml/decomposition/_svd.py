"""SVD building blocks: the deterministic sign convention, the randomized range finder and the
randomized SVD of Halko, Martinsson & Tropp (2011).

Inventory: DR-02 (sign convention), DR-06 (truncated SVD).

The randomized SVD approximates the top-k singular triplets of A (m x n) by

1. drawing a Gaussian test matrix Ω (n x (k + p)), p = ``n_oversamples``;
2. power iterations Y = (A Aᵀ)^q A Ω, re-normalised (LU or QR) after every product so that the
   columns do not collapse onto the top singular vector in floating point;
3. an orthonormal basis Q of range(Y) (QR);
4. the exact SVD of the small matrix B = Qᵀ A ((k + p) x n): B = Û Σ Vᵀ, and U = Q Û.

The choices of ``n_iter="auto"`` (7 when k < 0.1·min(m, n), else 4) and of the normaliser
(``"auto"``: none for n_iter <= 2, else LU) follow scikit-learn's ``randomized_svd``.
"""

from __future__ import annotations

import numbers

import numpy as np
from scipy import linalg

from .._core import check_array, check_in, check_random_state, check_scalar

__all__ = ["svd_flip", "randomized_range_finder", "randomized_svd"]


def svd_flip(U, Vt, *, u_based_decision: bool = True):
    """Flip the signs of singular-vector pairs so that the output is deterministic.

    Each pair (u_j, v_j) can be replaced by (−u_j, −v_j) without changing U Σ Vᵀ. We pick the
    sign that makes the entry of largest magnitude of u_j (``u_based_decision=True``) or of
    v_j (``False``, the convention of PCA) positive — scikit-learn's ``svd_flip`` rule, so that
    our components equal scikit-learn's exactly and not only up to sign.

    Inventory: DR-02.

    Parameters
    ----------
    U : ndarray (m, k) or None
        Left singular vectors (columns); modified in place. May be None when
        ``u_based_decision=False``.
    Vt : ndarray (k, n) or None
        Right singular vectors (rows); modified in place. May be None when
        ``u_based_decision=True``.
    u_based_decision : bool
        Base the decision on the columns of U (True) or the rows of Vt (False).

    Returns
    -------
    U, Vt : the flipped arrays.

    Examples
    --------
    >>> U, s, Vt = np.linalg.svd(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> U, Vt = svd_flip(U, Vt, u_based_decision=False)
    >>> bool((Vt[np.arange(2), np.abs(Vt).argmax(1)] > 0).all())
    True
    """
    if u_based_decision:
        rows = np.abs(U).argmax(axis=0)  # (k,) row of the largest |entry| of each column
        signs = np.sign(U[rows, np.arange(U.shape[1])])  # (k,)
    else:
        cols = np.abs(Vt).argmax(axis=1)  # (k,)
        signs = np.sign(Vt[np.arange(Vt.shape[0]), cols])  # (k,)
    signs[signs == 0] = 1.0
    if U is not None:
        U *= signs[np.newaxis, :]
    if Vt is not None:
        Vt *= signs[:, np.newaxis]
    return U, Vt


def _resolve_normalizer(power_iteration_normalizer: str, n_iter: int) -> str:
    if power_iteration_normalizer == "auto":
        return "none" if n_iter <= 2 else "LU"
    return power_iteration_normalizer


def _range_finder(A, size, n_iter, normalizer, rng):
    """Body of :func:`randomized_range_finder` without validation (A is an ndarray)."""
    Q = rng.standard_normal(size=(A.shape[1], size))  # (n, size) Gaussian test matrix Ω
    if A.dtype == np.float32:
        Q = Q.astype(np.float32)
    normalizer = _resolve_normalizer(normalizer, n_iter)
    if normalizer == "LU":

        def normalize(M):
            return linalg.lu(M, permute_l=True, check_finite=False)[0]
    elif normalizer == "QR":

        def normalize(M):
            return linalg.qr(M, mode="economic", check_finite=False)[0]
    else:

        def normalize(M):
            return M

    for _ in range(n_iter):  # power iterations: imprint the top singular vectors
        Q = normalize(_a_times(A, Q))  # (m, size) = A Q
        Q = normalize(_at_times(A, Q))  # (n, size) = Aᵀ Q
    Q, _ = linalg.qr(_a_times(A, Q), mode="economic", check_finite=False)  # (m, size)
    return Q


def _a_times(A, Q):
    """A Q, streaming A row-major (BLAS is ~2x faster on thin products when A is read as a
    C-ordered left operand)."""
    if A.flags.f_contiguous and not A.flags.c_contiguous:
        return (Q.T @ A.T).T
    return A @ Q


def _at_times(A, Q):
    """Aᵀ Q computed as (Qᵀ A)ᵀ for a C-ordered A (same flops, ~2x faster on thin Q)."""
    if A.flags.c_contiguous:
        return (Q.T @ A).T
    return A.T @ Q


def randomized_range_finder(
    A, *, size: int, n_iter: int, power_iteration_normalizer="auto", random_state=None
):
    """An orthonormal matrix Q (m, size) whose range approximates the range of A.

    Q = orth((A Aᵀ)^q A Ω) with Ω Gaussian (n, size) and q = ``n_iter`` power iterations,
    re-normalised after each product (Halko et al. 2011, Algorithm 4.3/4.4).

    Inventory: DR-06.

    Parameters
    ----------
    A : array-like (m, n)
    size : int
        Number of columns of Q.
    n_iter : int
        Number of power iterations q >= 0.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
        How to re-normalise between products ("auto": none if n_iter <= 2 else LU).
    random_state : None, int or numpy.random.Generator

    Examples
    --------
    >>> A = np.random.default_rng(0).normal(size=(50, 3)) @ np.ones((3, 20))
    >>> Q = randomized_range_finder(A, size=3, n_iter=2, random_state=0)
    >>> bool(np.allclose(Q @ (Q.T @ A), A))
    True
    """
    A = check_array(A, name="A", dtype=[np.float64, np.float32])
    check_scalar(size, "size", numbers.Integral, min_val=1)
    check_scalar(n_iter, "n_iter", numbers.Integral, min_val=0)
    check_in(power_iteration_normalizer, "power_iteration_normalizer", ("auto", "QR", "LU", "none"))
    return _range_finder(
        A, int(size), int(n_iter), power_iteration_normalizer, check_random_state(random_state)
    )


def _randomized_svd(
    M, n_components, *, n_oversamples, n_iter, power_iteration_normalizer, transpose, flip_sign, rng
):
    """Body of :func:`randomized_svd` on a validated ndarray."""
    n_random = n_components + n_oversamples
    if n_iter == "auto":
        n_iter = 7 if n_components < 0.1 * min(M.shape) else 4
    if transpose == "auto":
        transpose = M.shape[0] < M.shape[1]
    if transpose:  # work on the side with fewer columns
        M = M.T
    Q = _range_finder(M, n_random, n_iter, power_iteration_normalizer, rng)  # (m, k+p)
    B = Q.T @ M  # (k+p, n) small projected matrix
    U_hat, s, Vt = linalg.svd(B, full_matrices=False, check_finite=False)
    del B
    U = Q @ U_hat  # (m, k+p)
    if flip_sign:
        U, Vt = svd_flip(U, Vt, u_based_decision=not transpose)
    if transpose:
        return Vt[:n_components].T, s[:n_components], U[:, :n_components].T
    return U[:, :n_components], s[:n_components], Vt[:n_components]


def randomized_svd(
    M,
    n_components: int,
    *,
    n_oversamples: int = 10,
    n_iter="auto",
    power_iteration_normalizer: str = "auto",
    transpose="auto",
    flip_sign: bool = True,
    random_state=None,
):
    """Approximate truncated SVD M ≈ U_k Σ_k V_kᵀ by random projection (Halko et al. 2011).

    See the module docstring for the algorithm. With enough power iterations the result agrees
    with the exact truncated SVD to near machine precision when the spectrum decays.

    Inventory: DR-06.

    Parameters
    ----------
    M : array-like (m, n)
    n_components : int
        Number of singular triplets k.
    n_oversamples : int
        Extra random directions p (the sketch has k + p columns).
    n_iter : int or "auto"
        Power iterations ("auto": 7 if k < 0.1·min(m, n) else 4).
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
    transpose : bool or "auto"
        Work on Mᵀ ("auto": when m < n).
    flip_sign : bool
        Apply :func:`svd_flip` (u-based, as scikit-learn does) for deterministic signs.
    random_state : None, int or numpy.random.Generator

    Returns
    -------
    U : (m, k), s : (k,), Vt : (k, n)

    Examples
    --------
    >>> M = np.random.default_rng(0).normal(size=(100, 40))
    >>> U, s, Vt = randomized_svd(M, 5, n_iter=10, random_state=0)
    >>> bool(np.allclose(s, np.linalg.svd(M, compute_uv=False)[:5], rtol=1e-3))
    True
    """
    M = check_array(M, name="M", dtype=[np.float64, np.float32])
    check_scalar(n_components, "n_components", numbers.Integral, min_val=1)
    check_scalar(n_oversamples, "n_oversamples", numbers.Integral, min_val=0)
    if not (isinstance(n_iter, str) and n_iter == "auto"):
        check_scalar(n_iter, "n_iter", numbers.Integral, min_val=0)
    check_in(power_iteration_normalizer, "power_iteration_normalizer", ("auto", "QR", "LU", "none"))
    if not (isinstance(transpose, str) and transpose == "auto") and not isinstance(transpose, bool):
        raise ValueError(f"transpose: expected True, False or 'auto', got {transpose!r}.")
    if n_components > min(M.shape):
        raise ValueError(
            f"n_components={n_components} must be between 1 and min(n_samples, n_features)="
            f"{min(M.shape)}."
        )
    return _randomized_svd(
        M,
        int(n_components),
        n_oversamples=int(n_oversamples),
        n_iter=n_iter,
        power_iteration_normalizer=power_iteration_normalizer,
        transpose=transpose,
        flip_sign=flip_sign,
        rng=check_random_state(random_state),
    )
