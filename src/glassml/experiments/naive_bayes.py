"""Claims about naive Bayes (inventory: CL-172)."""

from __future__ import annotations

import numpy as np

from glassml.experiments import Outcome, experiment
from glassml.linear_model import LogisticRegression
from glassml.naive_bayes import MultinomialNB

TOPIC = "naive Bayes"


def spam_corpus(rng, n_docs, *, vocabulary=400, mean_length=10, burstiness=0.05, boost=4.0):
    """A synthetic bag-of-words corpus: two classes ("ham" 0, "spam" 1).

    Each class has word probabilities ``θ_c`` (a shared Dirichlet background; 40 words are
    boosted in each class). A document draws its length from Poisson(mean_length) and its words
    from ``θ_c``; with probability ``burstiness`` a word is a repeat of an earlier word of the
    same document — the dependence that the naive independence assumption ignores, so naive
    Bayes is misspecified and logistic regression can win with enough data.
    Returns the count matrix (n_docs, vocabulary) and the labels.
    """
    background = np.random.default_rng(12345).dirichlet(np.full(vocabulary, 0.3))
    thetas = np.tile(background, (2, 1))
    boosted = np.random.default_rng(54321).permutation(vocabulary)[:80]
    thetas[0, boosted[:40]] *= boost
    thetas[1, boosted[40:]] *= boost
    thetas /= thetas.sum(axis=1, keepdims=True)
    y = rng.integers(0, 2, size=n_docs)
    lengths = rng.poisson(mean_length, size=n_docs) + 1
    doc = np.repeat(np.arange(n_docs), lengths)  # document of every token, (T,)
    position = np.arange(doc.shape[0]) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    words = np.empty(doc.shape[0], dtype=np.intp)
    for c in (0, 1):  # all tokens of one class in one draw
        tokens = np.flatnonzero(y[doc] == c)
        words[tokens] = rng.choice(vocabulary, size=tokens.shape[0], p=thetas[c])
    # bursts: a token repeats an earlier token of its own document
    repeat = (rng.uniform(size=doc.shape[0]) < burstiness) & (position > 0)
    earlier = np.floor(rng.uniform(size=doc.shape[0]) * position).astype(np.intp)
    source = np.arange(doc.shape[0]) - position + earlier
    words = np.where(repeat, words[source], words)
    X = np.bincount(doc * vocabulary + words, minlength=n_docs * vocabulary)
    X = X.reshape(n_docs, vocabulary).astype(np.float64)
    return X, y


@experiment(
    "naive_bayes_wins_with_little_data",
    claims=["CL-172"],
    topic=TOPIC,
    title="Naive Bayes beats logistic regression with little data (Ng & Jordan)",
)
def naive_bayes_wins_with_little_data(ctx):
    rng = ctx.rng()
    sizes = [10, 40, 160, 640] if ctx.quick else [10, 20, 40, 80, 160, 320, 640, 1280, 2560]
    repeats = 12 if ctx.quick else 30
    X_pool, y_pool = spam_corpus(rng, max(sizes) + 1500)
    X_test, y_test = X_pool[-1500:], y_pool[-1500:]
    acc_nb = np.zeros((repeats, len(sizes)))
    acc_lr = np.zeros_like(acc_nb)
    for r in range(repeats):
        order = rng.permutation(X_pool.shape[0] - 1500)
        for i, n in enumerate(sizes):
            rows = order[:n]
            if np.unique(y_pool[rows]).shape[0] < 2:  # need both classes
                rows = np.r_[
                    rows[:-2],
                    np.flatnonzero(y_pool[:-1500] == 0)[0],
                    np.flatnonzero(y_pool[:-1500] == 1)[0],
                ]
            Xtr, ytr = X_pool[rows], y_pool[rows]
            nb = MultinomialNB().fit(Xtr, ytr)
            lr = LogisticRegression(C=1.0, max_iter=300).fit(np.log1p(Xtr), ytr)
            acc_nb[r, i] = np.mean(nb.predict(X_test) == y_test)
            acc_lr[r, i] = np.mean(lr.predict(np.log1p(X_test)) == y_test)
    nb_mean, lr_mean = acc_nb.mean(axis=0), acc_lr.mean(axis=0)
    fig, ax = ctx.figure()
    ax.semilogx(sizes, nb_mean, "o-", label="multinomial naive Bayes")
    ax.semilogx(sizes, lr_mean, "s-", label="logistic regression (log1p counts)")
    ax.set(xlabel="training documents", ylabel="test accuracy", title="learning curves")
    ax.legend()
    gap_small = float(nb_mean[0] - lr_mean[0])
    gap_large = float(nb_mean[-1] - lr_mean[-1])
    return Outcome(
        metrics={
            "sizes": sizes,
            "naive_bayes_accuracy": nb_mean.tolist(),
            "logistic_accuracy": lr_mean.tolist(),
            "nb_minus_lr_small_n": gap_small,
            "nb_minus_lr_largest_n": gap_large,
        },
        checks={
            "NB ahead of LR at the smallest training size (by > 0.02)": gap_small > 0.02,
            "LR catches up with enough data (NB lead < 0.01)": gap_large < 0.01,
            "both are strong baselines with enough data (accuracy > 0.85)": min(
                nb_mean[-1], lr_mean[-1]
            )
            > 0.85,
        },
        figure=fig,
        summary=f"at n = {sizes[0]} NB leads LR by {gap_small:+.3f} accuracy; at "
        f"n = {sizes[-1]}: NB {nb_mean[-1]:.3f}, LR {lr_mean[-1]:.3f}.",
    )
