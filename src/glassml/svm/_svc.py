"""C-support vector classification (SVC) by SMO, one-vs-one, with Platt probabilities.

For each pair of classes (a, b) the dual of the soft-margin SVM

    min_α ½ Σ_st α_s α_t y_s y_t K(x_s, x_t) − Σ_t α_t,   0 ≤ α_t ≤ C_t,  Σ_t y_t α_t = 0

(y = +1 for class a, −1 for class b; C_t = C · class_weight[y_t] · sample_weight_t) is solved
by :func:`~glassml.svm._smo.smo_solve`. The pair's decision function is
f_ab(x) = Σ_t y_t α_t K(x_t, x) − ρ; a positive value is a vote for class a and the predicted
class has the most votes (LIBSVM's rule: ties go to the first class). The support vectors are
the samples with α_t > 0 in any pair — only they enter f (claim CL-073). C = ∞ is the hard
margin (SV-01): it requires data separable in the kernel's feature space and raises otherwise.

Attributes follow scikit-learn exactly: ``support_`` (grouped by class), ``support_vectors_``,
``n_support_``, ``dual_coef_`` of shape (n_classes − 1, n_SV) in LIBSVM's layout,
``intercept_`` = −ρ per pair, ``coef_`` (linear kernel); for two classes the signs of
``dual_coef_``, ``intercept_`` and the decision function are flipped so that positive means
``classes_[1]``. ``decision_function_shape='ovr'`` turns the pairwise values into
votes + confidence/(3(|confidence|+1)) like scikit-learn.

Inventory: SV-01, SV-02, SV-03, SV-04, SV-07; claims CL-073..CL-076.
Decision values, dual coefficients and support vectors agree with scikit-learn to ~1e-6 at a
tight ``tol``; probabilities (``probability=True``) use a 5-fold CV with our own shuffle, so
they agree with scikit-learn's only approximately (typically within 0.05).

Example
-------
>>> import numpy as np
>>> X = np.array([[0.0, 0.0], [0.0, 1.0], [2.0, 0.0], [2.0, 1.0]])
>>> clf = SVC(kernel="linear", C=10.0).fit(X, [0, 0, 1, 1])
>>> clf.predict([[0.2, 0.5], [1.8, 0.5]])
array([0, 1])
>>> clf.coef_.round(3), clf.intercept_.round(3)
(array([[1., 0.]]), array([-1.]))
"""

from __future__ import annotations

import functools
import types

import numpy as np

from glassml._core import (
    ClassifierMixin,
    check_classification_targets,
    check_in,
    check_random_state,
    check_scalar,
)

from ._base import _KernelSVM, check_positive_sample_weight, encode_classes
from ._kernels import KernelColumns, kernel_matrix
from ._platt import pairwise_coupling, sigmoid_predict, sigmoid_train
from ._smo import smo_solve

__all__ = ["SVC"]


class _needs_probability:
    """Method descriptor: the method exists only when ``probability=True`` (hasattr is False
    otherwise, like scikit-learn's ``available_if``)."""

    def __init__(self, fn):
        self.fn = fn
        functools.update_wrapper(self, fn)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        if not obj.probability:
            raise AttributeError(
                f"{self.fn.__name__} is not available when probability=False; fit with "
                "probability=True."
            )
        return types.MethodType(self.fn, obj)


class SVC(ClassifierMixin, _KernelSVM):
    """C-support vector classifier solved by SMO (LIBSVM's algorithm). See the module docstring.

    Parameters
    ----------
    C : float > 0, default 1.0. Box bound of the dual (np.inf: hard margin).
    kernel : 'linear' | 'poly' | 'rbf' | 'sigmoid' | 'precomputed', default 'rbf'.
    degree : int, default 3 (poly).
    gamma : 'scale' (1/(d·Var X)) | 'auto' (1/d) | float > 0.
    coef0 : float, default 0.0 (poly, sigmoid).
    shrinking : bool, accepted for scikit-learn parity; the solver does not shrink (the result
        is the same optimum).
    probability : bool, default False. Fit Platt sigmoids on 5-fold CV decision values.
    tol : float, default 1e-3. Stop when the maximal violating pair gap < tol.
    cache_size : float, default 200. Kernel cache in MB.
    class_weight : None | 'balanced' | dict, scales C per class.
    max_iter : int, default -1 (no limit).
    decision_function_shape : 'ovr' | 'ovo', default 'ovr'.
    break_ties : bool, default False. With 'ovr', predict the argmax of the decision function.
    random_state : seed of the probability CV shuffle.
    """

    def __init__(
        self,
        *,
        C=1.0,
        kernel="rbf",
        degree=3,
        gamma="scale",
        coef0=0.0,
        shrinking=True,
        probability=False,
        tol=1e-3,
        cache_size=200,
        class_weight=None,
        max_iter=-1,
        decision_function_shape="ovr",
        break_ties=False,
        random_state=None,
    ):
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.shrinking = shrinking
        self.probability = probability
        self.tol = tol
        self.cache_size = cache_size
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, X, y, sample_weight=None):
        """Solve one SMO problem per pair of classes; returns ``self``."""
        X, y = self._validate_data(X, y, dtype=np.float64)
        check_classification_targets(y)
        self._check_common(X)
        check_in(self.decision_function_shape, "decision_function_shape", ("ovr", "ovo"))
        check_scalar(self.probability, "probability", bool)
        check_scalar(self.break_ties, "break_ties", bool)
        self.classes_, y_index = encode_classes(y)
        n_classes = self.classes_.size
        sw = check_positive_sample_weight(sample_weight, X)
        self.class_weight_ = self._class_weights(y_index, n_classes)
        self.shape_fit_ = X.shape
        C_sample = float(self.C) * self.class_weight_[y_index] * sw  # (n,) per-sample box bound
        keep = C_sample > 0  # LIBSVM drops samples whose weight is 0
        # samples grouped by class (stable), the order of support_ and dual_coef_
        order = np.flatnonzero(keep)[np.argsort(y_index[keep], kind="stable")]
        groups = [order[y_index[order] == c] for c in range(n_classes)]
        if sum(g.size > 0 for g in groups) < 2:
            raise ValueError("y: the samples with a positive weight must cover at least 2 classes.")
        # the Gram matrix of the class-sorted samples: a pair of adjacent classes is a view
        X_sorted = X[order] if self.kernel != "precomputed" else X[np.ix_(order, order)]
        gram = self._full_gram(X_sorted)
        if np.isinf(self.C):
            self._check_separable(X_sorted, y_index[order], gram)
        start = np.concatenate([[0], np.cumsum([g.size for g in groups])])
        rng = check_random_state(self.random_state)
        coef = np.zeros((n_classes, n_classes, X.shape[0]))  # coef[a, b, t] = y_t α_t of pair
        rho, probA, probB, n_iter = [], [], [], []
        for a in range(n_classes):
            for b in range(a + 1, n_classes):
                idx = np.concatenate([groups[a], groups[b]])  # (m,) original sample indices
                sign = np.where(y_index[idx] == a, 1.0, -1.0)  # (m,)
                if gram is None:
                    sub_gram = None
                elif b == a + 1:
                    sub_gram = gram[start[a] : start[b + 1], start[a] : start[b + 1]]  # view
                else:
                    pos = np.r_[start[a] : start[a + 1], start[b] : start[b + 1]]
                    sub_gram = gram[np.ix_(pos, pos)]
                result = self._solve(X, idx, sign, C_sample[idx], sub_gram)
                coef[a, b, idx] = sign * result.alpha
                rho.append(result.rho)
                n_iter.append(result.n_iter)
                if self.probability:
                    A, B = self._platt(X, idx, sign, C_sample[idx], sub_gram, rng)
                    probA.append(A)
                    probB.append(B)
        self._store_model(X, coef, np.array(rho), groups)
        self.n_iter_ = np.array(n_iter, dtype=np.int32)
        self.probA_ = np.array(probA)
        self.probB_ = np.array(probB)
        self.fit_status_ = 0
        return self

    def _check_separable(self, X_sorted, labels, gram) -> None:
        """Hard margin (C = ∞) needs every pair of classes separable in the kernel's feature
        space: the LP  y_t(Σ_s β_s K_ts + b) ≥ 1  must be feasible (SV-01). Raises otherwise."""
        from scipy.optimize import linprog

        K = gram if gram is not None else self._full_gram_forced(X_sorted)  # (n, n)
        n_classes = self.classes_.size
        for a in range(n_classes):
            for b in range(a + 1, n_classes):
                pos = np.flatnonzero((labels == a) | (labels == b))
                sign = np.where(labels[pos] == a, 1.0, -1.0)  # (m,)
                features = np.hstack([K[np.ix_(pos, pos)], np.ones((pos.size, 1))])  # (m, m+1)
                lp = linprog(
                    np.zeros(pos.size + 1),
                    A_ub=-sign[:, None] * features,
                    b_ub=-np.ones(pos.size),
                    bounds=(None, None),
                    method="highs",
                )
                if lp.status == 2:
                    raise ValueError(
                        f"C=inf (hard margin) is infeasible: classes {self.classes_[a]!r} and "
                        f"{self.classes_[b]!r} are not separable in the {self.kernel!r} kernel's "
                        "feature space. Use a finite C (soft margin)."
                    )

    def _full_gram_forced(self, X) -> np.ndarray:
        return kernel_matrix(X, X, self.kernel, **self._kernel_params())

    def _class_weights(self, y_index, n_classes) -> np.ndarray:
        cw = self.class_weight
        if cw is None:
            return np.ones(n_classes)
        if isinstance(cw, str):
            check_in(cw, "class_weight", ("balanced",))
            counts = np.bincount(y_index, minlength=n_classes)
            return y_index.size / (n_classes * counts)
        if not isinstance(cw, dict):
            raise ValueError(f"class_weight: expected None, 'balanced' or a dict, got {cw!r}.")
        weights = np.ones(n_classes)
        for label, w in cw.items():
            hit = np.flatnonzero(self.classes_ == label)
            if hit.size == 0:
                raise ValueError(
                    f"class_weight: label {label!r} is not among the classes {self.classes_!r}."
                )
            weights[hit[0]] = w
        return weights

    def _solve(self, X, idx, sign, upper, sub_gram):
        """The SMO problem of one pair of classes over the samples ``idx``."""
        columns = (
            KernelColumns(X[idx], self.kernel, gram=sub_gram, cache_mb=1.0, **self._kernel_params())
            if sub_gram is not None
            else self._columns(X[idx])
        )
        return smo_solve(
            columns.column,
            columns.diag,
            sign,
            -np.ones(idx.size),
            upper,
            tol=float(self.tol),
            max_iter=int(self.max_iter),
        )

    def _platt(self, X, idx, sign, upper, sub_gram, rng):
        """LIBSVM's svm_binary_svc_probability: 5-fold CV decision values → (A, B)."""
        m = idx.size
        perm = rng.permutation(m)
        decision = np.zeros(m)
        n_folds = 5
        for k in range(n_folds):
            begin, end = k * m // n_folds, (k + 1) * m // n_folds
            test = perm[begin:end]
            train = np.concatenate([perm[:begin], perm[end:]])
            pos, neg = (sign[train] > 0).sum(), (sign[train] < 0).sum()
            if pos == 0 or neg == 0:
                decision[test] = (
                    1.0 if neg == 0 and pos > 0 else (-1.0 if pos == 0 and neg > 0 else 0.0)
                )
                continue
            sub = None if sub_gram is None else sub_gram[np.ix_(train, train)]
            res = self._solve(X, idx[train], sign[train], upper[train], sub)
            w = sign[train] * res.alpha  # (m_train,)
            if sub_gram is not None:
                K_test = sub_gram[np.ix_(test, train)]  # (m_test, m_train)
            else:
                K_test = kernel_matrix(
                    X[idx[test]], X[idx[train]], self.kernel, **self._kernel_params()
                )
            decision[test] = K_test @ w - res.rho
        return sigmoid_train(decision, sign)

    def _store_model(self, X, coef, rho, groups) -> None:
        n_classes = self.classes_.size
        is_sv = np.zeros(X.shape[0], dtype=bool)
        for a in range(n_classes):
            for b in range(a + 1, n_classes):
                is_sv |= coef[a, b] != 0
        support = np.concatenate([g[is_sv[g]] for g in groups])  # grouped by class
        self.support_ = support.astype(np.int32)
        self._n_support = np.array([int(is_sv[g].sum()) for g in groups], dtype=np.int32)
        self.support_vectors_ = X[support] if self.kernel != "precomputed" else np.zeros((0, 0))
        y_sv = np.searchsorted(np.cumsum(self._n_support), np.arange(support.size), side="right")
        dual = np.zeros((n_classes - 1, support.size))
        for a in range(n_classes):
            for b in range(a + 1, n_classes):
                in_a, in_b = y_sv == a, y_sv == b
                dual[b - 1, in_a] = coef[a, b, support[in_a]]
                dual[a, in_b] = coef[a, b, support[in_b]]
        self._dual_coef_ = dual
        self._intercept_ = -rho  # (n_pairs,)
        if n_classes == 2:  # scikit-learn's sign convention: positive means classes_[1]
            self.dual_coef_, self.intercept_ = -dual, rho.copy()
        else:
            self.dual_coef_, self.intercept_ = dual, -rho

    @property
    def coef_(self) -> np.ndarray:
        """w = Σ_t y_t α_t x_t of each pair (linear kernel only): (n_pairs, n_features)."""
        if self.kernel != "linear":
            raise AttributeError("coef_ is only available when using a linear kernel")
        if self.classes_.size == 2:
            return self.dual_coef_ @ self.support_vectors_
        sv_start = np.concatenate([[0], np.cumsum(self._n_support)])
        rows = []
        for a in range(self.classes_.size):
            sv_a = slice(sv_start[a], sv_start[a + 1])
            for b in range(a + 1, self.classes_.size):
                sv_b = slice(sv_start[b], sv_start[b + 1])
                rows.append(
                    self._dual_coef_[b - 1, sv_a] @ self.support_vectors_[sv_a]
                    + self._dual_coef_[a, sv_b] @ self.support_vectors_[sv_b]
                )
        return np.vstack(rows)

    # ------------------------------------------------------------------ prediction
    def _ovo_decision(self, X) -> np.ndarray:
        """LIBSVM's pairwise decision values f_ab(x) (n, n_pairs); positive votes for a."""
        K = self._test_kernel(X)  # (n, n_SV)
        sv_start = np.concatenate([[0], np.cumsum(self._n_support)])
        n_classes = self.classes_.size
        out = np.empty((X.shape[0], n_classes * (n_classes - 1) // 2))
        k = 0
        for a in range(n_classes):
            sv_a = slice(sv_start[a], sv_start[a + 1])
            for b in range(a + 1, n_classes):
                sv_b = slice(sv_start[b], sv_start[b + 1])
                out[:, k] = (
                    K[:, sv_a] @ self._dual_coef_[b - 1, sv_a]
                    + K[:, sv_b] @ self._dual_coef_[a, sv_b]
                    + self._intercept_[k]
                )
                k += 1
        return out

    def decision_function(self, X) -> np.ndarray:
        """Binary: (n,) positive for classes_[1]; multi-class: (n, k) 'ovr' or (n, k(k−1)/2)."""
        X = self._validate_predict_input(X)
        dec = self._ovo_decision(X)
        if self.classes_.size == 2:
            return -dec[:, 0]
        if self.decision_function_shape == "ovo":
            return dec
        return _ovr_from_ovo(dec, self.classes_.size)

    def predict(self, X) -> np.ndarray:
        """The class with the most pairwise votes (ties: the first class)."""
        X = self._validate_predict_input(X)
        dec = self._ovo_decision(X)
        n_classes = self.classes_.size
        if self.break_ties and self.decision_function_shape == "ovo":
            raise ValueError("break_ties must be False when decision_function_shape is 'ovo'.")
        if self.break_ties and n_classes > 2:
            return self.classes_[np.argmax(_ovr_from_ovo(dec, n_classes), axis=1)]
        votes = np.zeros((X.shape[0], n_classes), dtype=np.int64)
        pairs = [(a, b) for a in range(n_classes) for b in range(a + 1, n_classes)]
        for k, (a, b) in enumerate(pairs):
            wins_a = dec[:, k] > 0
            votes[:, a] += wins_a
            votes[:, b] += ~wins_a
        return self.classes_[np.argmax(votes, axis=1)]

    @_needs_probability
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n, k): Platt sigmoids of the pairwise values, then coupling."""
        X = self._validate_predict_input(X)
        dec = self._ovo_decision(X)
        n_classes = self.classes_.size
        min_prob = 1e-7
        r = np.zeros((X.shape[0], n_classes, n_classes))
        k = 0
        for a in range(n_classes):
            for b in range(a + 1, n_classes):
                p_ab = np.clip(
                    sigmoid_predict(dec[:, k], self.probA_[k], self.probB_[k]),
                    min_prob,
                    1 - min_prob,
                )
                r[:, a, b], r[:, b, a] = p_ab, 1 - p_ab
                k += 1
        if n_classes == 2:
            return np.column_stack([r[:, 0, 1], r[:, 1, 0]])
        return pairwise_coupling(r)

    @_needs_probability
    def predict_log_proba(self, X) -> np.ndarray:
        """log of :meth:`predict_proba`."""
        return np.log(self.predict_proba(X))

    def _glassml_tags(self) -> dict:
        return {**super()._glassml_tags(), "non_deterministic": bool(self.probability)}


def _ovr_from_ovo(dec: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's ovr transform: votes + confidence / (3(|confidence| + 1))."""
    votes = np.zeros((dec.shape[0], n_classes))
    confidence = np.zeros((dec.shape[0], n_classes))
    k = 0
    for a in range(n_classes):
        for b in range(a + 1, n_classes):
            confidence[:, a] += dec[:, k]
            confidence[:, b] -= dec[:, k]
            votes[:, a] += dec[:, k] >= 0
            votes[:, b] += dec[:, k] < 0
            k += 1
    return votes + confidence / (3 * (np.abs(confidence) + 1))
