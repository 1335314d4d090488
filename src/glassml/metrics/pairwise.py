"""Pairwise distances, similarities and kernels between the rows of two matrices.

Every function takes ``X`` of shape (n_x, d) and ``Y`` of shape (n_y, d) (``Y=None`` means
``Y = X``) and returns the (n_x, n_y) matrix of one quantity for every pair of rows. The
contractions go through BLAS (``X @ Y.T``); the elementwise metrics (Manhattan, Minkowski) are
computed in row chunks so that the (chunk, n_y, d) difference tensor stays small.

Inventory: NC-05 (Euclidean, Manhattan, cosine similarity A·B/(‖A‖‖B‖)); the kernels
(linear, polynomial, RBF, sigmoid, Laplacian) are used by SV-* later. Claims CL-077, CL-078.
The seed's cosine formula is garbled (E-11); the one implemented here is
cos(a, b) = a·b / (‖a‖ ‖b‖).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [3.0, 4.0]])
>>> euclidean_distances(X)
array([[0., 5.],
       [5., 0.]])
>>> round(cosine_similarity_vec([1, 2, 3], [4, 5, 6]), 6)
0.974632
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import check_array, check_in

__all__ = [
    "check_pairwise_arrays",
    "row_norms",
    "euclidean_distances",
    "manhattan_distances",
    "minkowski_distances",
    "cosine_similarity",
    "cosine_distances",
    "cosine_similarity_vec",
    "nan_euclidean_distances",
    "pairwise_distances",
    "linear_kernel",
    "polynomial_kernel",
    "rbf_kernel",
    "sigmoid_kernel",
    "laplacian_kernel",
    "pairwise_kernels",
    "PAIRWISE_DISTANCE_FUNCTIONS",
    "PAIRWISE_KERNEL_FUNCTIONS",
]

# Bytes of the (chunk, n_y, d) temporary used by the elementwise metrics.
_CHUNK_BYTES = 32 * 2**20


def check_pairwise_arrays(X, Y=None, *, allow_nan: bool = False, dtype=None):
    """Validate ``X`` and ``Y`` as 2-D float arrays with the same number of columns.

    Returns ``(X, Y)`` where ``Y is X`` when ``Y`` was ``None`` (so callers can zero the
    diagonal). float32 is kept when both inputs are float32, else float64 is used.
    """
    dtypes = [np.float64, np.float32] if dtype is None else [dtype]
    X = check_array(X, name="X", dtype=dtypes, allow_nan=allow_nan)
    if Y is None or Y is X:
        return X, X
    Y = check_array(Y, name="Y", dtype=dtypes, allow_nan=allow_nan)
    if X.dtype != Y.dtype:
        X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"Incompatible dimension for X and Y matrices: X.shape[1] == {X.shape[1]} while "
            f"Y.shape[1] == {Y.shape[1]}."
        )
    return X, Y


def row_norms(X: np.ndarray, squared: bool = False) -> np.ndarray:
    """‖x_i‖ (or ‖x_i‖² with ``squared``) for every row, without a temporary X*X copy."""
    norms = np.einsum("ij,ij->i", X, X)  # (n,)
    return norms if squared else np.sqrt(norms)


def euclidean_distances(
    X, Y=None, *, squared: bool = False, X_norm_squared=None, Y_norm_squared=None
) -> np.ndarray:
    """Euclidean distances ‖x − y‖ through the BLAS identity.

    ‖x − y‖² = ‖x‖² + ‖y‖² − 2 x·y, computed as one GEMM plus two broadcast additions, clipped
    at 0 (rounding can make it slightly negative) and with an exact zero diagonal when
    ``Y`` is ``X``. float32 input is computed in float64 and returned as float32.

    Inventory: NC-05.

    Parameters
    ----------
    X : array of shape (n_x, d)
    Y : array of shape (n_y, d), optional (default ``X``)
    squared : bool
        Return ‖x − y‖² instead of ‖x − y‖.
    X_norm_squared, Y_norm_squared : arrays of shape (n_x,) / (n_y,), optional
        Precomputed squared row norms.

    Example
    -------
    >>> euclidean_distances([[0.0, 1.0]], [[0.0, 0.0], [3.0, 5.0]])
    array([[1., 5.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    out_dtype = X.dtype
    same = Y is X
    X64 = X.astype(np.float64, copy=False)
    Y64 = X64 if same else Y.astype(np.float64, copy=False)
    XX = (
        row_norms(X64, squared=True)
        if X_norm_squared is None
        else np.asarray(X_norm_squared, np.float64).reshape(-1)
    )
    if same and Y_norm_squared is None:
        YY = XX
    elif Y_norm_squared is None:
        YY = row_norms(Y64, squared=True)
    else:
        YY = np.asarray(Y_norm_squared, np.float64).reshape(-1)
    distances = -2 * (X64 @ Y64.T)  # (n_x, n_y)
    distances += XX[:, None]
    distances += YY[None, :]
    np.maximum(distances, 0, out=distances)
    if same:
        np.fill_diagonal(distances, 0)
    if not squared:
        np.sqrt(distances, out=distances)
    return distances.astype(out_dtype, copy=False)


def _chunked_elementwise(X: np.ndarray, Y: np.ndarray, reduce) -> np.ndarray:
    """Apply ``reduce(diff)`` to (chunk, n_y, d) difference tensors, chunk by chunk."""
    n_x, d = X.shape
    n_y = Y.shape[0]
    out = np.empty((n_x, n_y), dtype=X.dtype)
    chunk = max(1, _CHUNK_BYTES // max(1, n_y * d * X.itemsize))
    for start in range(0, n_x, chunk):
        diff = X[start : start + chunk, None, :] - Y[None, :, :]  # (c, n_y, d)
        out[start : start + chunk] = reduce(diff)
    return out


def manhattan_distances(X, Y=None) -> np.ndarray:
    """Manhattan (L1, city-block) distances Σ_j |x_j − y_j|, computed in row chunks.

    Inventory: NC-05.

    Example
    -------
    >>> manhattan_distances([[1.0, 2.0]], [[4.0, 6.0]])
    array([[7.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    return _chunked_elementwise(X, Y, lambda diff: np.abs(diff, out=diff).sum(axis=2))


def minkowski_distances(X, Y=None, *, p: float = 2.0, w=None) -> np.ndarray:
    """Minkowski distances (Σ_j w_j |x_j − y_j|^p)^(1/p) for p >= 1 (p = inf: the max).

    p = 1 is Manhattan, p = 2 Euclidean. ``w`` are optional non-negative feature weights.

    Inventory: NC-05.

    Example
    -------
    >>> minkowski_distances([[0.0, 0.0]], [[3.0, 4.0]], p=1)
    array([[7.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    p = _check_p(p)
    weights = None
    if w is not None:
        weights = np.asarray(w, dtype=X.dtype).reshape(-1)
        if weights.shape[0] != X.shape[1] or (weights < 0).any():
            raise ValueError(
                f"w: expected {X.shape[1]} non-negative feature weights, got {weights!r}."
            )
    if np.isinf(p):
        return _chunked_elementwise(X, Y, lambda diff: np.abs(diff).max(axis=2))

    def reduce(diff):
        powered = np.abs(diff, out=diff) ** p  # (c, n_y, d)
        if weights is not None:
            powered *= weights
        return powered.sum(axis=2) ** (1.0 / p)

    return _chunked_elementwise(X, Y, reduce)


def _check_p(p) -> float:
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or np.isnan(p) or p < 1:
        raise ValueError(f"p: expected a number >= 1 for the Minkowski metric, got {p!r}.")
    return float(p)


def _normalize_rows(X: np.ndarray) -> np.ndarray:
    norms = row_norms(X)  # (n,)
    norms[norms == 0.0] = 1.0  # a zero vector stays zero (similarity 0 with everything)
    return X / norms[:, None]


def cosine_similarity(X, Y=None) -> np.ndarray:
    """Cosine similarity cos(x, y) = x·y / (‖x‖ ‖y‖) in [−1, 1].

    Rows are L2-normalised first (a zero row stays zero, so its similarity is 0), then one
    GEMM gives all the dot products. Inventory: NC-05; claims CL-077, CL-078.

    Example
    -------
    >>> cosine_similarity([[1.0, 0.0]], [[1.0, 1.0], [0.0, 2.0]]).round(4)
    array([[0.7071, 0.    ]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    X_unit = _normalize_rows(X)  # (n_x, d)
    Y_unit = X_unit if Y is X else _normalize_rows(Y)  # (n_y, d)
    return X_unit @ Y_unit.T


def cosine_distances(X, Y=None) -> np.ndarray:
    """Cosine distance 1 − cos(x, y), clipped to [0, 2], zero diagonal when ``Y`` is ``X``.

    Inventory: NC-05.

    Example
    -------
    >>> cosine_distances([[1.0, 0.0]], [[-2.0, 0.0]])
    array([[2.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    S = cosine_similarity(X, Y)
    S *= -1
    S += 1
    np.clip(S, 0.0, 2.0, out=S)
    if Y is X:
        np.fill_diagonal(S, 0.0)
    return S


def cosine_similarity_vec(a, b) -> float:
    """Cosine similarity of two vectors, cos(a, b) = a·b / (‖a‖ ‖b‖) (the seed's example).

    Raises ``ValueError`` for vectors of different lengths or a zero vector (undefined).
    Inventory: NC-05; claim CL-077.

    Example
    -------
    >>> round(cosine_similarity_vec([1, 2, 3], [4, 5, 6]), 6)
    0.974632
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1)
    b = np.asarray(b, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(
            f"a and b: expected vectors of the same length, got {a.size} and {b.size}."
        )
    norm_a, norm_b = np.linalg.norm(a), np.linalg.norm(b)
    if norm_a == 0.0 or norm_b == 0.0:
        raise ValueError("a, b: cosine similarity is undefined for a zero vector.")
    return float(a @ b / (norm_a * norm_b))


def nan_euclidean_distances(X, Y=None, *, squared: bool = False) -> np.ndarray:
    """Euclidean distance that skips missing coordinates and rescales (scikit-learn's formula).

    Inventory: NC-05 (used by KNN imputation, DP-*).

    dist(x, y) = sqrt(d / |present| · Σ_{j present in both} (x_j − y_j)²), NaN when the two rows
    share no present coordinate.

    Example
    -------
    >>> nan_euclidean_distances([[0.0, np.nan]], [[3.0, 4.0]]).item()
    4.242640687119285
    """
    X, Y = check_pairwise_arrays(X, Y, allow_nan=True, dtype=np.float64)
    same = Y is X
    missing_X = np.isnan(X)  # (n_x, d)
    missing_Y = missing_X if same else np.isnan(Y)  # (n_y, d)
    X = np.where(missing_X, 0.0, X)
    Y = X if same else np.where(missing_Y, 0.0, Y)
    distances = nan_squared_sums(X, Y, missing_X, missing_Y)
    if same:
        np.fill_diagonal(distances, 0.0)
    present_count = (~missing_X).astype(np.float64) @ (~missing_Y).T.astype(np.float64)
    distances[present_count == 0] = np.nan
    np.maximum(1, present_count, out=present_count)
    distances /= present_count
    distances *= X.shape[1]
    if not squared:
        np.sqrt(distances, out=distances)
    return distances


def nan_squared_sums(X0, Y0, missing_X, missing_Y) -> np.ndarray:
    """Σ_{j present in both} (x_j − y_j)² for all pairs, (n, m), from zero-filled X0, Y0.

    Three BLAS products: ‖x‖² + ‖y‖² − 2 x·y on the zero-filled rows, minus x_j² where y_j is
    missing and y_j² where x_j is missing. Used by :func:`nan_euclidean_distances` and, block
    by block, by :class:`glassml.impute.KNNImputer`.
    """
    XX = np.einsum("ij,ij->i", X0, X0)[:, None]  # (n, 1)
    YY = np.einsum("ij,ij->i", Y0, Y0)[None, :]  # (1, m)
    d = X0 @ Y0.T  # (n, m)
    d *= -2
    d += XX
    d += YY
    np.maximum(d, 0, out=d)
    d -= (X0 * X0) @ missing_Y.T.astype(X0.dtype)  # x_j² where y_j is missing
    d -= missing_X.astype(X0.dtype) @ (Y0 * Y0).T  # y_j² where x_j is missing
    np.clip(d, 0, None, out=d)
    return d


# ---------------------------------------------------------------------------------- kernels
def _gamma(gamma, X) -> float:
    return 1.0 / X.shape[1] if gamma is None else float(gamma)


def linear_kernel(X, Y=None) -> np.ndarray:
    """Linear kernel k(x, y) = x·y.

    Inventory: SV-03 (kernels for SVMs), NC-05.

    Example
    -------
    >>> linear_kernel([[1.0, 2.0]], [[3.0, 4.0]])
    array([[11.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    return X @ Y.T


def polynomial_kernel(X, Y=None, *, degree=3, gamma=None, coef0=1.0) -> np.ndarray:
    """Polynomial kernel k(x, y) = (γ x·y + c₀)^degree, γ = 1/d by default.

    Inventory: SV-03 (kernels for SVMs), NC-05.

    Example
    -------
    >>> polynomial_kernel([[1.0, 2.0]], [[3.0, 4.0]], degree=2, gamma=1.0, coef0=1.0)
    array([[144.]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    K = X @ Y.T
    K *= _gamma(gamma, X)
    K += coef0
    K **= degree
    return K


def rbf_kernel(X, Y=None, *, gamma=None) -> np.ndarray:
    """RBF (Gaussian) kernel k(x, y) = exp(−γ ‖x − y‖²), γ = 1/d by default.

    Inventory: SV-03 (kernels for SVMs), NC-05.

    Example
    -------
    >>> rbf_kernel([[0.0, 0.0]], [[1.0, 1.0]], gamma=0.5).round(6)
    array([[0.367879]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    K = euclidean_distances(X, Y, squared=True)
    K *= -_gamma(gamma, X)
    np.exp(K, out=K)
    return K


def sigmoid_kernel(X, Y=None, *, gamma=None, coef0=1.0) -> np.ndarray:
    """Sigmoid kernel k(x, y) = tanh(γ x·y + c₀), γ = 1/d by default.

    Inventory: SV-03 (kernels for SVMs), NC-05.

    Example
    -------
    >>> sigmoid_kernel([[1.0, 0.0]], [[1.0, 0.0]], gamma=1.0, coef0=0.0).round(6)
    array([[0.761594]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    K = X @ Y.T
    K *= _gamma(gamma, X)
    K += coef0
    np.tanh(K, out=K)
    return K


def laplacian_kernel(X, Y=None, *, gamma=None) -> np.ndarray:
    """Laplacian kernel k(x, y) = exp(−γ ‖x − y‖₁), γ = 1/d by default.

    Inventory: SV-03 (kernels for SVMs), NC-05.

    Example
    -------
    >>> laplacian_kernel([[0.0, 0.0]], [[1.0, 1.0]], gamma=0.5).round(6)
    array([[0.367879]])
    """
    X, Y = check_pairwise_arrays(X, Y)
    K = -_gamma(gamma, X) * manhattan_distances(X, Y)
    np.exp(K, out=K)
    return K


def _euclidean(X, Y=None, **kw):
    return euclidean_distances(X, Y, **kw)


def _sqeuclidean(X, Y=None):
    return euclidean_distances(X, Y, squared=True)


PAIRWISE_DISTANCE_FUNCTIONS = {
    "euclidean": _euclidean,
    "l2": _euclidean,
    "sqeuclidean": _sqeuclidean,
    "manhattan": manhattan_distances,
    "cityblock": manhattan_distances,
    "l1": manhattan_distances,
    "cosine": cosine_distances,
    "minkowski": minkowski_distances,
    "nan_euclidean": nan_euclidean_distances,
}

PAIRWISE_KERNEL_FUNCTIONS = {
    "linear": linear_kernel,
    "poly": polynomial_kernel,
    "polynomial": polynomial_kernel,
    "rbf": rbf_kernel,
    "sigmoid": sigmoid_kernel,
    "laplacian": laplacian_kernel,
    "cosine": cosine_similarity,
}


def _callable_matrix(X, Y, func, kwds) -> np.ndarray:
    X, Y = check_pairwise_arrays(X, Y)
    out = np.empty((X.shape[0], Y.shape[0]), dtype=np.float64)
    for i in range(X.shape[0]):  # a user callable sees one pair at a time, by definition
        for j in range(Y.shape[0]):
            out[i, j] = func(X[i], Y[j], **kwds)
    return out


def pairwise_distances(X, Y=None, metric="euclidean", **kwds) -> np.ndarray:
    """Distance matrix for a named metric or a callable ``metric(x, y) -> float``.

    Inventory: NC-05.

    Metrics: "euclidean" ("l2"), "sqeuclidean", "manhattan" ("cityblock", "l1"), "cosine",
    "minkowski" (``p=``, ``w=``), "nan_euclidean", "precomputed" (``X`` is returned, checked).

    Example
    -------
    >>> pairwise_distances([[0.0, 0.0]], [[3.0, 4.0]], metric="manhattan")
    array([[7.]])
    """
    if callable(metric):
        return _callable_matrix(X, Y, metric, kwds)
    if metric == "precomputed":
        D = check_array(X, name="X", dtype=[np.float64, np.float32])
        if (D < 0).any():
            raise ValueError("X: a precomputed distance matrix must be non-negative.")
        return D
    check_in(metric, "metric", [*PAIRWISE_DISTANCE_FUNCTIONS, "precomputed"])
    return PAIRWISE_DISTANCE_FUNCTIONS[metric](X, Y, **kwds)


def pairwise_kernels(X, Y=None, metric="linear", **kwds) -> np.ndarray:
    """Kernel matrix for a named kernel or a callable ``metric(x, y) -> float``.

    Inventory: SV-03, NC-05.

    Kernels: "linear", "poly"/"polynomial", "rbf", "sigmoid", "laplacian", "cosine",
    "precomputed". Keyword arguments (``gamma``, ``degree``, ``coef0``) go to the kernel.

    Example
    -------
    >>> pairwise_kernels([[1.0, 2.0]], [[3.0, 4.0]], metric="linear")
    array([[11.]])
    """
    if callable(metric):
        return _callable_matrix(X, Y, metric, kwds)
    if metric == "precomputed":
        return check_array(X, name="X", dtype=[np.float64, np.float32])
    check_in(metric, "metric", [*PAIRWISE_KERNEL_FUNCTIONS, "precomputed"])
    return PAIRWISE_KERNEL_FUNCTIONS[metric](X, Y, **kwds)
