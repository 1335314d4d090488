"""Matrix factorisation of a ratings matrix for recommendation (collaborative filtering).

Inventory: DR-07 (claim CL-052).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from .._core import (
    BaseEstimator,
    TransformerMixin,
    check_array,
    check_in,
    check_is_fitted,
    check_random_state,
    check_scalar,
)

__all__ = ["MatrixFactorization"]


def _ridge_rows(S, targets, A, reg):
    """Batched ridge solves: for every row u of the sparse pattern S (rows × cols),

        w_u = argmin_w Σ_{j ∈ S_u} (t_uj − a_jᵀ w)² + reg‖w‖²
            = (Σ_j a_j a_jᵀ + reg I)⁻¹ Σ_j a_j t_uj.

    S : csr (n_rows, n_cols) 0/1 pattern; targets : csr with the same pattern holding t_uj;
    A : (n_cols, d) features. Both sums are sparse-dense products, then one batched solve.
    """
    d = A.shape[1]
    outer = (A[:, :, None] * A[:, None, :]).reshape(A.shape[0], d * d)  # (n_cols, d²)
    gram = (S @ outer).reshape(-1, d, d)  # (n_rows, d, d)
    gram[:, np.arange(d), np.arange(d)] += reg
    rhs = targets @ A  # (n_rows, d)
    return np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]  # (n_rows, d)


class MatrixFactorization(TransformerMixin, BaseEstimator):
    """Biased matrix factorisation of ratings: r̂_ui = μ + b_u + b_i + p_uᵀ q_i.

    Fitted on the observed entries only (Koren, Bell & Volinsky 2009):

        min Σ_{(u,i) observed} (r_ui − r̂_ui)² + λ (Σ_u (‖p_u‖² + b_u²) + Σ_i (‖q_i‖² + b_i²))

    μ is the mean observed rating. Solvers:

    * "als" — alternating least squares: with the items fixed, every user's (b_u, p_u) is a ridge
      regression on features (1, q_i) of the items it rated, solved for all users at once
      (sparse Gram matrices + one batched ``solve``); then the same for the items. The objective
      never increases.
    * "sgd" — stochastic gradient descent (Funk): for each rating, e = r − r̂,
      p_u += η(e q_i − λ p_u), q_i += η(e p_u − λ q_i), b_u += η(e − λ b_u), b_i += η(e − λ b_i),
      in shuffled mini-batches whose per-rating updates are summed with ``np.add.at``
      (``batch_size=1`` is classic per-rating SGD). Its λ acts per rating, i.e. on the objective
      above with each penalty weighted by the number of ratings of that user/item.

    Input: a ratings matrix (users × items) with NaN for missing entries (``input="matrix"``), or
    an (m, 3) array of (user id, item id, rating) triplets (``input="triplets"``; integer ids,
    any values).

    Inventory: DR-07.

    Parameters
    ----------
    n_factors : int
        Latent dimension f.
    solver : {"als", "sgd"}
    reg : float
        λ >= 0.
    n_epochs : int
        ALS sweeps, or SGD passes over the ratings.
    learning_rate : float
        η of "sgd".
    batch_size : int
        Ratings per SGD mini-batch.
    init_std : float
        Standard deviation of the Gaussian initial factors.
    input : {"matrix", "triplets"}
    random_state : None, int or numpy.random.Generator

    Attributes
    ----------
    global_mean_ : float μ.
    user_bias_ : (n_users,), item_bias_ : (n_items,).
    user_factors_ : (n_users, f) P, item_factors_ : (n_items, f) Q.
    user_ids_, item_ids_ : the ids in index order (0..n−1 for matrix input).
    loss_curve_ : list of the objective after each epoch.
    train_rmse_ : RMSE on the training ratings.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> R = rng.normal(size=(30, 2)) @ rng.normal(size=(2, 20)) + 3
    >>> R[rng.random(R.shape) < 0.3] = np.nan
    >>> mf = MatrixFactorization(n_factors=2, reg=0.01, random_state=0).fit(R)
    >>> bool(mf.train_rmse_ < 0.05)
    True
    >>> mf.predict([0, 1], [3, 4]).shape, mf.recommend(0, k=3).shape
    ((2,), (3,))
    """

    def __init__(
        self,
        *,
        n_factors=10,
        solver="als",
        reg=0.1,
        n_epochs=20,
        learning_rate=0.01,
        batch_size=256,
        init_std=0.1,
        input="matrix",
        random_state=None,
    ):
        self.n_factors = n_factors
        self.solver = solver
        self.reg = reg
        self.n_epochs = n_epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.init_std = init_std
        self.input = input
        self.random_state = random_state

    # ------------------------------------------------------------------ input handling
    def _check_params(self):
        check_scalar(self.n_factors, "n_factors", numbers.Integral, min_val=1)
        check_in(self.solver, "solver", ("als", "sgd"))
        check_scalar(self.reg, "reg", numbers.Real, min_val=0)
        check_scalar(self.n_epochs, "n_epochs", numbers.Integral, min_val=1)
        check_scalar(
            self.learning_rate,
            "learning_rate",
            numbers.Real,
            min_val=0,
            include_boundaries="neither",
        )
        check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        check_scalar(self.init_std, "init_std", numbers.Real, min_val=0)
        check_in(self.input, "input", ("matrix", "triplets"))

    @staticmethod
    def _ids(values, name):
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            raise ValueError(f"{name}: expected integer ids, got non-integer values.")
        return values.astype(np.int64)

    def _read_ratings(self, X):
        """(user index, item index, rating) arrays from either input format."""
        if self.input == "matrix":
            R = self._validate_data(X, allow_nan=True)
            observed = ~np.isnan(R)
            u_idx, i_idx = np.nonzero(observed)  # row-major: sorted by user, then item
            self.user_ids_ = np.arange(R.shape[0])
            self.item_ids_ = np.arange(R.shape[1])
            return u_idx, i_idx, R[u_idx, i_idx]
        T = self._validate_data(X)
        if T.shape[1] != 3:
            raise ValueError(
                f"X: input='triplets' expects an (n_ratings, 3) array of (user, item, rating), "
                f"got shape {T.shape}."
            )
        users, items = (
            self._ids(T[:, 0], "X[:, 0] (user ids)"),
            self._ids(T[:, 1], "X[:, 1] (item ids)"),
        )
        self.user_ids_, u_idx = np.unique(users, return_inverse=True)
        self.item_ids_, i_idx = np.unique(items, return_inverse=True)
        order = np.lexsort((i_idx, u_idx))  # sort by user, then item
        u_idx, i_idx, r = u_idx[order], i_idx[order], T[order, 2]
        dup = (np.diff(u_idx) == 0) & (np.diff(i_idx) == 0)
        if dup.any():
            k = int(np.argmax(dup))
            raise ValueError(
                f"X: duplicate rating for user {self.user_ids_[u_idx[k]]} and item "
                f"{self.item_ids_[i_idx[k]]}; give each (user, item) pair once."
            )
        return u_idx, i_idx, r

    def _lookup(self, ids, known, what):
        ids = np.atleast_1d(np.asarray(ids))
        if ids.ndim != 1:
            raise ValueError(f"{what}: expected a 1-D array of ids, got shape {ids.shape}.")
        if ids.dtype.kind == "f":
            ids = self._ids(ids, what)
        pos = np.clip(np.searchsorted(known, ids), 0, len(known) - 1)
        unknown = known[pos] != ids
        if unknown.any():
            raise ValueError(
                f"{what}: unknown {what[:-1] if what.endswith('s') else what} ids "
                f"{ids[unknown][:10].tolist()} (not seen in fit; {len(known)} known)."
            )
        return pos

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Fit biases and factors to the observed ratings in ``X``; ``y`` is ignored."""
        self._check_params()
        u_idx, i_idx, r = self._read_ratings(X)
        if r.size == 0:
            raise ValueError("X: no observed ratings (every entry is NaN).")
        n_users, n_items, f = len(self.user_ids_), len(self.item_ids_), self.n_factors
        rng = check_random_state(self.random_state)
        self.global_mean_ = float(r.mean())
        P = self.init_std * rng.standard_normal((n_users, f))  # (n_users, f)
        Q = self.init_std * rng.standard_normal((n_items, f))  # (n_items, f)
        b_u, b_i = np.zeros(n_users), np.zeros(n_items)
        self.loss_curve_ = []
        if self.solver == "als":
            P, Q, b_u, b_i = self._fit_als(u_idx, i_idx, r, P, Q, b_u, b_i)
        else:
            P, Q, b_u, b_i = self._fit_sgd(u_idx, i_idx, r, P, Q, b_u, b_i, rng)
        self.user_factors_, self.item_factors_ = P, Q
        self.user_bias_, self.item_bias_ = b_u, b_i
        self._seen = sp.csr_array(
            (np.ones(r.size, dtype=bool), (u_idx, i_idx)), shape=(n_users, n_items)
        )
        self.train_rmse_ = float(np.sqrt(np.mean((r - self._predict_idx(u_idx, i_idx)) ** 2)))
        return self

    def _objective(self, u_idx, i_idx, r, P, Q, b_u, b_i):
        """Σ_observed (r − r̂)² + λ(‖P‖² + ‖Q‖² + ‖b_u‖² + ‖b_i‖²)."""
        pred = (
            self.global_mean_ + b_u[u_idx] + b_i[i_idx] + np.einsum("ij,ij->i", P[u_idx], Q[i_idx])
        )
        penalty = (P * P).sum() + (Q * Q).sum() + b_u @ b_u + b_i @ b_i
        return float(((r - pred) ** 2).sum() + self.reg * penalty)

    def _fit_als(self, u_idx, i_idx, r, P, Q, b_u, b_i):
        n_users, n_items = P.shape[0], Q.shape[0]
        m = r.size
        # user-major (u_idx is sorted) and item-major views of the rating pattern
        indptr_u = np.concatenate([[0], np.cumsum(np.bincount(u_idx, minlength=n_users))])
        by_item = np.lexsort((u_idx, i_idx))
        indptr_i = np.concatenate([[0], np.cumsum(np.bincount(i_idx, minlength=n_items))])
        S_u = sp.csr_array((np.ones(m), i_idx, indptr_u), shape=(n_users, n_items))
        S_i = sp.csr_array((np.ones(m), u_idx[by_item], indptr_i), shape=(n_items, n_users))
        residual = r - self.global_mean_
        for _ in range(self.n_epochs):
            # users: t_ui = r − μ − b_i, features (1, q_i), unknowns (b_u, p_u)
            T_u = sp.csr_array((residual - b_i[i_idx], i_idx, indptr_u), shape=S_u.shape)
            A = np.hstack([np.ones((n_items, 1)), Q])  # (n_items, f+1)
            W = _ridge_rows(S_u, T_u, A, self.reg)  # (n_users, f+1)
            b_u, P = W[:, 0].copy(), np.ascontiguousarray(W[:, 1:])
            # items: t_ui = r − μ − b_u, features (1, p_u), unknowns (b_i, q_i)
            T_i = sp.csr_array(
                ((residual - b_u[u_idx])[by_item], u_idx[by_item], indptr_i), shape=S_i.shape
            )
            A = np.hstack([np.ones((n_users, 1)), P])  # (n_users, f+1)
            W = _ridge_rows(S_i, T_i, A, self.reg)  # (n_items, f+1)
            b_i, Q = W[:, 0].copy(), np.ascontiguousarray(W[:, 1:])
            self.loss_curve_.append(self._objective(u_idx, i_idx, r, P, Q, b_u, b_i))
        return P, Q, b_u, b_i

    def _fit_sgd(self, u_idx, i_idx, r, P, Q, b_u, b_i, rng):
        lr = self.learning_rate
        for _ in range(self.n_epochs):
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
                self._sgd_epoch(u_idx, i_idx, r, P, Q, b_u, b_i, rng.permutation(r.size))
                loss = self._objective(u_idx, i_idx, r, P, Q, b_u, b_i)
            if not np.isfinite(loss):
                raise FloatingPointError(
                    f"learning_rate={lr} made SGD diverge (non-finite objective); lower it."
                )
            self.loss_curve_.append(loss)
        return P, Q, b_u, b_i

    def _sgd_epoch(self, u_idx, i_idx, r, P, Q, b_u, b_i, order):
        """One pass of mini-batch SGD over the ratings in ``order`` (updates in place)."""
        lr, lam, mu = self.learning_rate, self.reg, self.global_mean_
        f = P.shape[1]
        cols = np.arange(f)
        for start in range(0, r.size, self.batch_size):
            batch = order[start : start + self.batch_size]
            u, i = u_idx[batch], i_idx[batch]
            Pu, Qi = P[u], Q[i]  # (b, f) values before this step
            err = r[batch] - (mu + b_u[u] + b_i[i] + np.einsum("ij,ij->i", Pu, Qi))  # (b,)
            np.add.at(b_u, u, lr * (err - lam * b_u[u]))
            np.add.at(b_i, i, lr * (err - lam * b_i[i]))
            # scatter-add rows through flat 1-D indices (NumPy's fast path for np.add.at)
            np.add.at(
                P.reshape(-1),
                (u[:, None] * f + cols).ravel(),
                (lr * (err[:, None] * Qi - lam * Pu)).ravel(),
            )
            np.add.at(
                Q.reshape(-1),
                (i[:, None] * f + cols).ravel(),
                (lr * (err[:, None] * Pu - lam * Qi)).ravel(),
            )

    # ------------------------------------------------------------------ prediction
    def _predict_idx(self, u, i):
        dot = np.einsum("ij,ij->i", self.user_factors_[u], self.item_factors_[i])
        return self.global_mean_ + self.user_bias_[u] + self.item_bias_[i] + dot

    def _fold_in(self, R):
        """(b_u, p_u) for new rows of ratings R (n, n_items): one ALS user step, Q fixed."""
        R = np.asarray(R)
        observed = ~np.isnan(R)
        S = sp.csr_array(observed.astype(float))
        T = sp.csr_array(np.where(observed, R - self.global_mean_ - self.item_bias_, 0.0))
        A = np.hstack([np.ones((self.item_factors_.shape[0], 1)), self.item_factors_])
        return _ridge_rows(S, T, A, self.reg)  # (n, f+1)

    def _check_matrix(self, X):
        if self.input == "matrix":
            return self._validate_data(X, reset=False, allow_nan=True)
        check_is_fitted(self)
        R = check_array(X, allow_nan=True, estimator=type(self).__name__)
        if R.shape[1] != len(self.item_ids_):
            raise ValueError(
                f"X has {R.shape[1]} features, but {type(self).__name__} is expecting "
                f"{len(self.item_ids_)} features (one column per item) as input."
            )
        return R

    def predict(self, X, items=None):
        """Predicted ratings.

        ``predict(users, items)``: r̂ for the (user, item) id pairs, shape (n_pairs,).
        ``predict(R)``: R is a ratings matrix (n, n_items) of possibly new users with NaN for
        missing; each row's (b_u, p_u) is fitted by ridge regression on its observed entries
        (an ALS user step with the items fixed) and the completed matrix (n, n_items) returned.
        """
        if items is not None:
            check_is_fitted(self)
            u = self._lookup(X, self.user_ids_, "users")
            i = self._lookup(items, self.item_ids_, "items")
            if u.shape != i.shape:
                raise ValueError(
                    f"users and items must have the same length, got {u.shape[0]} and {i.shape[0]}."
                )
            return self._predict_idx(u, i)
        R = self._check_matrix(X)
        W = self._fold_in(R)  # (n, f+1)
        return self.global_mean_ + W[:, :1] + self.item_bias_ + W[:, 1:] @ self.item_factors_.T

    def transform(self, X):
        """User factors p_u (n, f) of the rows of a ratings matrix (fold-in, see ``predict``)."""
        return self._fold_in(self._check_matrix(X))[:, 1:]

    def recommend(self, user, k: int = 10, *, exclude_seen: bool = True, return_scores=False):
        """The k items with the highest predicted rating for ``user`` (ids, best first).

        ``exclude_seen`` drops the items the user rated in training.
        """
        check_is_fitted(self)
        check_scalar(k, "k", numbers.Integral, min_val=1)
        u = int(self._lookup([user], self.user_ids_, "users")[0])
        scores = (
            self.global_mean_
            + self.user_bias_[u]
            + self.item_bias_
            + self.item_factors_ @ self.user_factors_[u]
        )  # (n_items,)
        candidates = np.arange(scores.size)
        if exclude_seen:
            seen = self._seen.indices[self._seen.indptr[u] : self._seen.indptr[u + 1]]
            candidates = np.setdiff1d(candidates, seen, assume_unique=True)
        k = min(k, candidates.size)
        top = candidates[np.argsort(-scores[candidates], kind="stable")[:k]]
        if return_scores:
            return self.item_ids_[top], scores[top]
        return self.item_ids_[top]

    def _glassml_tags(self):
        return {"allow_nan": True}
