"""Optional claims from the "other" area: evolutionary search without gradients (CL-219) and
learning from reward (CL-220), in plain NumPy.

* A genetic algorithm (tournament selection, blend crossover, Gaussian mutation, elitism) is
  compared with gradient descent on a smooth bowl and on a piecewise-constant one, counting
  objective evaluations (a gradient costs d + 1 evaluations by finite differences, or one pass
  of reverse mode; we count it as one evaluation, the most favourable case for GD).
* A K-armed Gaussian bandit with decaying ε-greedy exploration (ε_t = min(1, cK/t)), and
  tabular Q-learning on a gridworld, checked against value iteration.

Inventory: CL-219, CL-220 (both optional in the inventory).
"""

from __future__ import annotations

import numpy as np

from glassml.experiments import Outcome, experiment

TOPIC = "beyond gradients"


def _ga(f, d, rng, pop=40, gens=200, eps=1e-2, sigma=0.3):
    """Minimise f over R^d; returns (evaluations until f < eps or the budget, best value)."""
    X = rng.uniform(-3, 3, size=(pop, d))
    fx = np.array([f(x) for x in X])
    evals = pop
    for _ in range(gens):
        if fx.min() < eps:
            break
        a, b = rng.integers(0, pop, (2, pop)), rng.integers(0, pop, (2, pop))
        pa = np.where(fx[a[0]] < fx[a[1]], a[0], a[1])  # tournament winners
        pb = np.where(fx[b[0]] < fx[b[1]], b[0], b[1])
        w = rng.random((pop, 1))
        children = w * X[pa] + (1 - w) * X[pb] + sigma * rng.standard_normal((pop, d))
        elite = np.argmin(fx)
        children[0] = X[elite]  # elitism: the best survives unchanged
        X = children
        fx = np.array([f(x) for x in X])
        evals += pop
        sigma *= 0.98
    return evals, float(fx.min())


def _gd(f, grad, d, rng, lr=0.1, steps=2000, eps=1e-2):
    x = rng.uniform(-3, 3, size=d)
    for t in range(1, steps + 1):
        if f(x) < eps:
            return t, float(f(x))
        x = x - lr * grad(x)
    return steps + 1, float(f(x))


@experiment(
    "genetic_algorithm_vs_gradient_descent",
    claims=["CL-219"],
    title="Evolutionary search needs no gradients; gradient descent needs them",
    topic=TOPIC,
)
def genetic_algorithm_vs_gradient_descent(ctx):
    rng = ctx.rng()
    d = 5
    c = rng.uniform(-1, 1, size=d)
    smooth = lambda x: float(np.sum((x - c) ** 2))  # noqa: E731
    smooth_grad = lambda x: 2 * (x - c)  # noqa: E731
    steps = lambda x: float(np.sum(np.floor(4 * np.abs(x - c))))  # noqa: E731  piecewise const
    steps_grad = lambda x: np.zeros_like(x)  # noqa: E731  (zero almost everywhere)
    runs = 3 if ctx.quick else 10
    res = {k: [] for k in ("ga_smooth", "gd_smooth", "ga_steps", "gd_steps")}
    for r in range(runs):
        res["ga_smooth"].append(_ga(smooth, d, ctx.rng(10 + r)))
        res["gd_smooth"].append(_gd(smooth, smooth_grad, d, ctx.rng(20 + r)))
        res["ga_steps"].append(_ga(steps, d, ctx.rng(30 + r), eps=0.5))
        res["gd_steps"].append(_gd(steps, steps_grad, d, ctx.rng(40 + r), eps=0.5))
    evals = {k: float(np.mean([e for e, _ in v])) for k, v in res.items()}
    solved = {
        k: float(np.mean([b < (0.5 if "steps" in k else 1e-2) for _, b in v]))
        for k, v in res.items()
    }
    fig, ax = ctx.figure()
    labels = list(evals)
    ax.bar(labels, [evals[k] for k in labels], color=["C1", "C0", "C1", "C0"])
    ax.set_yscale("log")
    ax.set_ylabel("objective evaluations (mean)")
    for i, k in enumerate(labels):
        ax.text(i, evals[k], f"solved {solved[k]:.0%}", ha="center", va="bottom", fontsize=7)
    return Outcome(
        metrics={
            **{f"evaluations_{k}": v for k, v in evals.items()},
            **{f"solved_{k}": v for k, v in solved.items()},
        },
        checks={
            "smooth bowl: gradient descent needs far fewer evaluations (< 1/5)": evals["gd_smooth"]
            < evals["ga_smooth"] / 5,
            "piecewise-constant objective: the GA solves it": solved["ga_steps"] == 1.0,
            "piecewise-constant objective: GD has no gradient to follow": solved["gd_steps"] < 0.5,
        },
        figure=fig,
        summary=(
            f"Smooth bowl: GD {evals['gd_smooth']:.0f} vs GA {evals['ga_smooth']:.0f} "
            f"evaluations; piecewise-constant: GA solves {solved['ga_steps']:.0%}, GD "
            f"{solved['gd_steps']:.0%} (zero gradient)."
        ),
    )


def _bandit_regret(rng, K, T, c=5.0):
    means = rng.standard_normal(K)
    counts, values = np.zeros(K), np.zeros(K)
    regret = np.empty(T)
    total = 0.0
    for t in range(1, T + 1):
        eps = min(1.0, c * K / t)
        arm = rng.integers(K) if rng.random() < eps else int(np.argmax(values))
        reward = means[arm] + rng.standard_normal()
        counts[arm] += 1
        values[arm] += (reward - values[arm]) / counts[arm]
        total += means.max() - means[arm]
        regret[t - 1] = total
    return regret


def _gridworld(n=4):
    """Deterministic n x n grid, goal in the corner, reward −1 per move: (next_state, reward)."""
    moves = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    S, goal = n * n, n * n - 1
    nxt = np.empty((S, 4), dtype=np.int64)
    for s in range(S):
        r, c = divmod(s, n)
        for a, (dr, dc) in enumerate(moves):
            rr, cc = min(max(r + dr, 0), n - 1), min(max(c + dc, 0), n - 1)
            nxt[s, a] = s if s == goal else rr * n + cc
    reward = np.where(np.arange(S)[:, None] == goal, 0.0, -1.0) * np.ones((1, 4))
    return nxt, reward, goal


@experiment(
    "bandit_and_q_learning",
    claims=["CL-220"],
    title="Learning from reward: bandit regret is sub-linear, Q-learning finds the best policy",
    topic=TOPIC,
)
def bandit_and_q_learning(ctx):
    rng = ctx.rng()
    K, T = 10, (4000 if ctx.quick else 20_000)
    runs = 5 if ctx.quick else 20
    regret = np.mean([_bandit_regret(ctx.rng(100 + r), K, T) for r in range(runs)], axis=0)
    half, full = regret[T // 2 - 1], regret[-1]
    # Q-learning with ε-greedy behaviour on the gridworld, against value iteration
    nxt, reward, goal = _gridworld()
    S, gamma = nxt.shape[0], 0.95
    Q = np.zeros((S, 4))
    episodes = 300 if ctx.quick else 1000
    for _ in range(episodes):
        s = rng.integers(S - 1)
        for _ in range(100):
            a = rng.integers(4) if rng.random() < 0.2 else int(np.argmax(Q[s]))
            s2 = nxt[s, a]
            target = reward[s, a] + (0.0 if s2 == goal else gamma * Q[s2].max())
            Q[s, a] += 0.5 * (target - Q[s, a])
            s = s2
            if s == goal:
                break
    V = np.zeros(S)
    for _ in range(200):  # value iteration: the optimal values
        V = np.where(np.arange(S) == goal, 0.0, (reward + gamma * V[nxt]).max(axis=1))
    q_star = reward + gamma * np.where(nxt == goal, 0.0, V[nxt])
    greedy = Q.argmax(axis=1)
    optimal = np.isclose(q_star[np.arange(S), greedy], q_star.max(axis=1))
    optimal[goal] = True
    fig, (ax1, ax2) = ctx.figure(ncols=2, width=4.5)
    ax1.plot(np.arange(1, T + 1), regret, label="decaying ε-greedy")
    ax1.plot([1, T], [0, regret[-1] * 1.0], "k:", label="linear through the end point")
    ax1.set_xlabel("pulls t")
    ax1.set_ylabel("cumulative regret")
    ax1.legend(fontsize=7)
    ax2.imshow(Q.max(axis=1).reshape(4, 4), cmap="viridis")
    ax2.set_title("max_a Q(s, a) after Q-learning")
    return Outcome(
        metrics={
            "regret_at_T_over_2": float(half),
            "regret_at_T": float(full),
            "regret_growth_ratio": float(full / half),
            "greedy_policy_optimal_share": float(optimal.mean()),
        },
        checks={
            "regret grows sub-linearly (doubling T less than doubles it: ratio < 1.6)": full / half
            < 1.6,
            "Q-learning's greedy policy is optimal in every state": bool(optimal.all()),
        },
        figure=fig,
        summary=(
            f"Bandit regret {half:.0f} at T/2 and {full:.0f} at T (×{full / half:.2f} for ×2 "
            f"pulls); Q-learning's greedy policy is optimal in {optimal.mean():.0%} of states."
        ),
    )
