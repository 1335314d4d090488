"""Mini-batch k-means (Sculley 2010): k-means on random mini-batches with per-centre step sizes.

One step on a batch B: assign every x ∈ B to its nearest centre, then move each centre to the
running weighted mean of all points it has ever been given,

    c_j ← (W_j c_j + Σ_{x ∈ B_j} w_x x) / (W_j + Σ_{x ∈ B_j} w_x),   W_j ← W_j + Σ_{x ∈ B_j} w_x,

i.e. a step of size (batch weight)/(total weight) towards the batch mean (a learning rate that
decays as 1/count). Optionally, centres whose accumulated weight W_j falls below
``reassignment_ratio`` · max W are moved to random batch points. It stops after ``max_iter``
passes over the data, when the centres move less than the scaled ``tol``, or when the smoothed
batch inertia has not improved for ``max_no_improvement`` steps — scikit-learn's rules.

Inventory: NC-01 (k-means on large data), NC-02; claim CL-055.
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml._core import (
    BaseEstimator,
    ClusterMixin,
    TransformerMixin,
    check_in,
    check_random_state,
    check_scalar,
)

from ._kmeans import (
    _augment,
    _CentroidMixin,
    _check_fit_weights,
    _tolerance,
    assign_labels,
    check_n_clusters,
    cluster_sums,
    inertia_of,
    kmeans_plusplus,
)

__all__ = ["MiniBatchKMeans", "mini_batch_step"]


def mini_batch_step(
    X,
    sample_weight,
    centers,
    weight_sums,
    *,
    rng=None,
    random_reassign=False,
    reassignment_ratio=0.01,
):
    """One mini-batch update; returns ``(new_centers, batch_inertia)``.

    ``weight_sums`` (k,) is updated in place. The inertia is measured before the update.
    """
    k = centers.shape[0]
    labels = assign_labels(_augment(X), centers)  # (b,)
    inertia = inertia_of(X, sample_weight, centers, labels)
    batch_weight = np.bincount(labels, weights=sample_weight, minlength=k)  # (k,)
    batch_sums = cluster_sums(X, sample_weight, labels, k)  # (k, d)
    new_centers = centers.copy()
    hit = batch_weight > 0
    total = weight_sums[hit] + batch_weight[hit]
    new_centers[hit] = (centers[hit] * weight_sums[hit][:, None] + batch_sums[hit]) / total[:, None]
    weight_sums[hit] = total
    if random_reassign and reassignment_ratio > 0:
        to_reassign = weight_sums < reassignment_ratio * weight_sums.max()
        if to_reassign.sum() > 0.5 * X.shape[0]:
            to_reassign[np.argsort(weight_sums)[int(0.5 * X.shape[0]) :]] = False
        n_reassign = int(to_reassign.sum())
        if n_reassign:
            new_centers[to_reassign] = X[rng.choice(X.shape[0], size=n_reassign, replace=False)]
            weight_sums[to_reassign] = np.min(weight_sums[~to_reassign])
    return new_centers, inertia


class MiniBatchKMeans(_CentroidMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Mini-batch k-means (see the module docstring for the update rule).

    Inventory: NC-01, NC-02; claim CL-055.

    Parameters
    ----------
    n_clusters : int, default 8
    init : {"k-means++", "random"} or array (n_clusters, n_features), default "k-means++"
    max_iter : int, default 100 (passes over the data)
    batch_size : int, default 1024
    tol : float, default 0.0 (relative centre-shift tolerance; 0 disables it)
    max_no_improvement : int or None, default 10
    init_size : int or None (default 3 · batch_size): samples used to seed the centres
    n_init : "auto" or int, default "auto" (1 for k-means++/array, 3 for "random")
    reassignment_ratio : float, default 0.01 (0 disables reassignment)
    random_state : None, int or Generator

    Attributes
    ----------
    cluster_centers_, labels_, inertia_, n_iter_ (passes), n_steps_ (batches).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(size=(200, 2)), 10 + rng.normal(size=(200, 2))])
    >>> mbk = MiniBatchKMeans(n_clusters=2, batch_size=64, random_state=0).fit(X)
    >>> sorted(np.round(mbk.cluster_centers_[:, 0]).astype(int).tolist())
    [0, 10]
    """

    def __init__(
        self,
        *,
        n_clusters=8,
        init="k-means++",
        max_iter=100,
        batch_size=1024,
        tol=0.0,
        max_no_improvement=10,
        init_size=None,
        n_init="auto",
        reassignment_ratio=0.01,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.reassignment_ratio = reassignment_ratio
        self.random_state = random_state

    def _check_params(self, X):
        n = X.shape[0]
        n_clusters = check_n_clusters(self.n_clusters, n)
        check_scalar(self.max_iter, "max_iter", numbers.Integral, min_val=1)
        check_scalar(self.batch_size, "batch_size", numbers.Integral, min_val=1)
        check_scalar(self.tol, "tol", numbers.Real, min_val=0)
        check_scalar(self.reassignment_ratio, "reassignment_ratio", numbers.Real, min_val=0)
        if self.max_no_improvement is not None:
            check_scalar(self.max_no_improvement, "max_no_improvement", numbers.Integral, min_val=0)
        init = self.init
        if isinstance(init, str):
            check_in(init, "init", ("k-means++", "random"))
        else:
            init = np.asarray(init, dtype=np.float64)
            if init.shape != (n_clusters, X.shape[1]):
                raise ValueError(
                    f"init: expected an array of shape (n_clusters, n_features) = "
                    f"{(n_clusters, X.shape[1])}, got {init.shape}."
                )
        if isinstance(self.n_init, str):
            check_in(self.n_init, "n_init", ("auto",))
            n_init = 3 if isinstance(init, str) and init == "random" else 1
        else:
            n_init = check_scalar(self.n_init, "n_init", numbers.Integral, min_val=1)
        if not isinstance(init, str):
            n_init = 1
        batch = min(int(self.batch_size), n)
        init_size = 3 * batch if self.init_size is None else int(self.init_size)
        init_size = min(max(init_size, 3 * n_clusters), n)
        return n_clusters, init, int(n_init), batch, init_size

    def _seed(self, X, w, init, n_clusters, init_size, rng):
        if not isinstance(init, str):
            return init.copy()
        subset = rng.integers(0, X.shape[0], init_size)
        Xs, ws = X[subset], w[subset]
        if init == "k-means++":
            return kmeans_plusplus(Xs, n_clusters, sample_weight=ws, random_state=rng)[0]
        return Xs[rng.choice(init_size, size=n_clusters, replace=False, p=ws / ws.sum())]

    def fit(self, X, y=None, sample_weight=None):
        """Cluster ``X`` by mini-batch updates."""
        X = self._validate_data(X, dtype=np.float64)
        n_clusters, init, n_init, batch, init_size = self._check_params(X)
        w = _check_fit_weights(sample_weight, X)
        rng = check_random_state(self.random_state)
        n = X.shape[0]
        valid = rng.integers(0, n, init_size)  # validation set to choose among seedings
        best, best_inertia = None, np.inf
        for _ in range(n_init):
            centers = self._seed(X, w, init, n_clusters, init_size, rng)
            labels = assign_labels(_augment(X[valid]), centers)
            inertia = inertia_of(X[valid], w[valid], centers, labels)
            if inertia < best_inertia:
                best, best_inertia = centers, inertia
        centers = best
        weight_sums = np.zeros(n_clusters)
        tol = _tolerance(X, self.tol)
        n_steps = (self.max_iter * n) // batch
        ewa, ewa_min, no_improvement, since_reassign = None, None, 0, 0
        step = 0
        for step in range(max(1, n_steps)):
            idx = rng.integers(0, n, batch)
            since_reassign += batch
            reassign = (weight_sums == 0).any() or since_reassign >= 10 * n_clusters
            if reassign:
                since_reassign = 0
            new_centers, batch_inertia = mini_batch_step(
                X[idx],
                w[idx],
                centers,
                weight_sums,
                rng=rng,
                random_reassign=reassign,
                reassignment_ratio=self.reassignment_ratio,
            )
            shift = ((new_centers - centers) ** 2).sum() if tol > 0 else 0.0
            centers = new_centers
            # convergence rules (scikit-learn's): skip the first step, then smooth the inertia
            batch_inertia /= batch
            if step == 0:
                continue
            alpha = min(1.0, batch * 2.0 / (n + 1))
            ewa = batch_inertia if ewa is None else ewa * (1 - alpha) + batch_inertia * alpha
            if tol > 0 and shift <= tol:
                break
            if ewa_min is None or ewa < ewa_min:
                no_improvement, ewa_min = 0, ewa
            else:
                no_improvement += 1
            if self.max_no_improvement is not None and no_improvement >= self.max_no_improvement:
                break
        self.cluster_centers_ = centers
        self.n_steps_ = step + 1
        self.n_iter_ = int(np.ceil(self.n_steps_ * batch / n))
        self.labels_ = assign_labels(_augment(X), centers)
        self.inertia_ = inertia_of(X, w, centers, self.labels_)
        return self
