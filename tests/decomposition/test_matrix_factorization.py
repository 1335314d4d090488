"""MatrixFactorization (DR-07): ALS steps are exact ridge solves, SGD equals the textbook loop,
missing ratings are recovered far better than the baselines (CL-052)."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge

from glassml._core import NotFittedError
from glassml._core.testing import sklearn_contract
from glassml.decomposition import MatrixFactorization


def _ratings(n_users=120, n_items=80, rank=3, observed=0.3, noise=0.1, seed=0):
    rng = np.random.default_rng(seed)
    R = (
        3.0
        + rng.normal(size=(n_users, 1)) * 0.5
        + rng.normal(size=(1, n_items)) * 0.5
        + rng.normal(size=(n_users, rank)) @ rng.normal(size=(rank, n_items))
        + noise * rng.normal(size=(n_users, n_items))
    )
    mask = rng.random(R.shape) < observed
    mask[np.arange(n_users), rng.integers(0, n_items, n_users)] = True  # every user rated >= 1
    return R, mask


def test_als_user_step_is_the_ridge_solution():
    R, mask = _ratings()
    R_obs = np.where(mask, R, np.nan)
    mf = MatrixFactorization(n_factors=3, reg=0.7, n_epochs=5, random_state=0).fit(R_obs)
    row = R_obs[7:8]
    obs = mask[7]
    A = np.hstack([np.ones((obs.sum(), 1)), mf.item_factors_[obs]])  # features (1, q_i)
    t = R[7, obs] - mf.global_mean_ - mf.item_bias_[obs]
    ridge = Ridge(alpha=0.7, fit_intercept=False, solver="cholesky").fit(A, t)
    p_u = mf.transform(row)[0]
    np.testing.assert_allclose(p_u, ridge.coef_[1:], rtol=1e-10, atol=1e-12)
    completed = mf.predict(row)[0]
    expected = mf.global_mean_ + ridge.coef_[0] + mf.item_bias_ + mf.item_factors_ @ ridge.coef_[1:]
    np.testing.assert_allclose(completed, expected, rtol=1e-10)


def test_als_objective_never_increases():
    R, mask = _ratings(seed=1)
    mf = MatrixFactorization(n_factors=4, reg=0.3, n_epochs=15, random_state=1).fit(
        np.where(mask, R, np.nan)
    )
    curve = np.asarray(mf.loss_curve_)
    assert np.all(np.diff(curve) <= 1e-9 * curve[0])


def _sgd_reference(u_idx, i_idx, r, n_users, n_items, f, lr, lam, epochs, seed, init_std):
    """Textbook per-rating SGD (Funk), written as a plain loop."""
    rng = np.random.default_rng(seed)
    P = init_std * rng.standard_normal((n_users, f))
    Q = init_std * rng.standard_normal((n_items, f))
    b_u, b_i, mu = np.zeros(n_users), np.zeros(n_items), r.mean()
    for _ in range(epochs):
        for k in rng.permutation(r.size):
            u, i = u_idx[k], i_idx[k]
            e = r[k] - (mu + b_u[u] + b_i[i] + P[u] @ Q[i])
            b_u[u] += lr * (e - lam * b_u[u])
            b_i[i] += lr * (e - lam * b_i[i])
            P[u], Q[i] = P[u] + lr * (e * Q[i] - lam * P[u]), Q[i] + lr * (e * P[u] - lam * Q[i])
    return P, Q, b_u, b_i


def test_sgd_batch_size_one_equals_textbook_loop():
    R, mask = _ratings(n_users=15, n_items=10, observed=0.5, seed=2)
    u_idx, i_idx = np.nonzero(mask)
    r = R[u_idx, i_idx]
    mf = MatrixFactorization(
        n_factors=2,
        solver="sgd",
        reg=0.05,
        n_epochs=3,
        learning_rate=0.02,
        batch_size=1,
        random_state=5,
    ).fit(np.where(mask, R, np.nan))
    P, Q, b_u, b_i = _sgd_reference(u_idx, i_idx, r, 15, 10, 2, 0.02, 0.05, 3, 5, 0.1)
    np.testing.assert_allclose(mf.user_factors_, P, atol=1e-12)
    np.testing.assert_allclose(mf.item_factors_, Q, atol=1e-12)
    np.testing.assert_allclose(mf.user_bias_, b_u, atol=1e-12)
    np.testing.assert_allclose(mf.item_bias_, b_i, atol=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "als", "reg": 2.0, "n_epochs": 15},
        {"solver": "sgd", "reg": 0.02, "n_epochs": 60, "learning_rate": 0.02, "batch_size": 32},
    ],
)
def test_recovers_missing_ratings_far_below_baselines(params):
    """CL-052: held-out RMSE ≪ global-mean and user-mean baselines."""
    R, mask = _ratings(n_users=150, n_items=100, rank=3, observed=0.25, seed=3)
    mf = MatrixFactorization(n_factors=3, random_state=0, **params).fit(np.where(mask, R, np.nan))
    u, i = np.nonzero(~mask)
    truth = R[u, i]
    rmse = np.sqrt(np.mean((mf.predict(u, i) - truth) ** 2))
    global_mean = np.sqrt(np.mean((R[mask].mean() - truth) ** 2))
    user_means = np.nanmean(np.where(mask, R, np.nan), axis=1)
    user_mean = np.sqrt(np.mean((user_means[u] - truth) ** 2))
    assert rmse < 0.35 * min(global_mean, user_mean), (rmse, global_mean, user_mean)


def test_triplets_equal_matrix_input_and_map_ids():
    R, mask = _ratings(n_users=20, n_items=12, observed=0.6, seed=4)
    u, i = np.nonzero(mask)
    a = MatrixFactorization(n_factors=2, n_epochs=5, random_state=0).fit(np.where(mask, R, np.nan))
    rng = np.random.default_rng(0)
    perm = rng.permutation(u.size)  # order of triplets must not matter
    user_ids, item_ids = 1000 + 7 * np.arange(20), 50 + np.arange(12)
    triplets = np.column_stack([user_ids[u], item_ids[i], R[u, i]])[perm]
    b = MatrixFactorization(n_factors=2, n_epochs=5, random_state=0, input="triplets").fit(triplets)
    np.testing.assert_array_equal(b.user_ids_, user_ids)
    np.testing.assert_allclose(
        b.predict(user_ids[[3, 4]], item_ids[[5, 6]]), a.predict([3, 4], [5, 6]), rtol=1e-10
    )
    np.testing.assert_allclose(
        b.predict(np.where(mask, R, np.nan)), a.predict(np.where(mask, R, np.nan)), rtol=1e-10
    )


def test_recommend_top_k_unseen():
    R, mask = _ratings(n_users=30, n_items=25, observed=0.4, seed=5)
    mf = MatrixFactorization(n_factors=3, reg=1.0, random_state=0).fit(np.where(mask, R, np.nan))
    scores = mf.predict(np.full(25, 4), np.arange(25))
    top, top_scores = mf.recommend(4, k=5, return_scores=True)
    unseen = np.flatnonzero(~mask[4])
    expected = unseen[np.argsort(-scores[unseen], kind="stable")[:5]]
    np.testing.assert_array_equal(top, expected)
    np.testing.assert_allclose(top_scores, scores[expected])
    assert not mask[4, top].any()
    everything = mf.recommend(4, k=100, exclude_seen=False)
    np.testing.assert_array_equal(everything, np.argsort(-scores, kind="stable"))


def test_bad_input():
    R, mask = _ratings(n_users=10, n_items=6, observed=0.5)
    R_obs = np.where(mask, R, np.nan)
    mf = MatrixFactorization(n_factors=2, random_state=0)
    with pytest.raises(NotFittedError):
        mf.recommend(0)
    mf.fit(R_obs)
    with pytest.raises(ValueError, match=r"users: unknown user ids \[10, 99\]"):
        mf.predict([1, 10, 99], [0, 1, 2])
    with pytest.raises(ValueError, match=r"items: unknown item ids \[6\]"):
        mf.predict([1], [6])
    with pytest.raises(ValueError, match="unknown user ids"):
        mf.recommend(12)
    with pytest.raises(ValueError, match="same length"):
        mf.predict([1, 2], [3])
    with pytest.raises(ValueError, match="6 features"):
        mf.predict(np.ones((2, 5)))
    with pytest.raises(ValueError, match="no observed ratings"):
        MatrixFactorization().fit(np.full((3, 3), np.nan))
    with pytest.raises(ValueError, match="infinity"):
        MatrixFactorization().fit(np.array([[1.0, np.inf], [np.nan, 2.0]]))
    triplets = MatrixFactorization(input="triplets")
    with pytest.raises(ValueError, match=r"\(n_ratings, 3\)"):
        triplets.fit(np.ones((4, 2)))
    with pytest.raises(ValueError, match="integer ids"):
        triplets.fit(np.array([[0.5, 1, 3.0], [1, 1, 2.0]]))
    with pytest.raises(ValueError, match="duplicate rating for user 1 and item 2"):
        triplets.fit(np.array([[1, 2, 3.0], [1, 2, 4.0], [0, 0, 1.0]]))
    for params, match in [
        ({"n_factors": 0}, "n_factors"),
        ({"solver": "adam"}, "solver"),
        ({"reg": -1.0}, "reg"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"input": "coo"}, "input"),
    ]:
        with pytest.raises(ValueError, match=match):
            MatrixFactorization(**params).fit(R_obs)
    with pytest.raises(FloatingPointError, match="learning_rate"):
        MatrixFactorization(solver="sgd", learning_rate=50.0, n_epochs=5).fit(R * 100)


@sklearn_contract(
    [
        MatrixFactorization(n_factors=2, n_epochs=5, random_state=0),
        MatrixFactorization(n_factors=2, solver="sgd", n_epochs=3, random_state=0),
    ]
)
def test_sklearn_contract(estimator, check):
    check(estimator)
