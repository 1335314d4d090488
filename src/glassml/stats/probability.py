"""Probability rules, Bayes' rule and discrete expectations (Inventory: ST-10, ST-11).

Corrects the seed's garbled rules (inventory E-02): conditional probability needs P(B) ≠ 0,
and Var(X) = E[(X − μ)²] = E[X²] − E[X]².
"""

from __future__ import annotations

import numpy as np

from ._checks import prob_vector, probability

__all__ = [
    "conditional_probability",
    "bayes_rule",
    "total_probability",
    "posterior",
    "diagnostic_posterior",
    "marginal",
    "expectation",
    "variance",
]


def conditional_probability(p_a_and_b: float, p_b: float) -> float:
    """P(A | B) = P(A ∩ B) / P(B), defined only for P(B) ≠ 0.

    Inventory: ST-10.

    >>> conditional_probability(0.1, 0.4)
    0.25
    """
    p_ab = probability(p_a_and_b, "p_a_and_b")
    p_b = probability(p_b, "p_b")
    if p_b == 0:
        raise ValueError("p_b: P(B) must be non-zero for P(A | B) to be defined, got 0.")
    if p_ab > p_b:
        raise ValueError(f"p_a_and_b: P(A ∩ B) = {p_ab} cannot exceed P(B) = {p_b}.")
    return p_ab / p_b


def total_probability(p_b_given_a, p_a) -> float:
    """Law of total probability P(B) = Σᵢ P(B | Aᵢ) P(Aᵢ) over a partition {Aᵢ}.

    Inventory: ST-10.

    >>> round(total_probability([0.95, 0.05], [0.01, 0.99]), 12)
    0.059
    """
    p_a = prob_vector(p_a, "p_a")
    like = np.asarray(p_b_given_a, dtype=float)
    if like.shape != p_a.shape or ((like < 0) | (like > 1)).any():
        raise ValueError(f"p_b_given_a: expected {p_a.size} probabilities in [0, 1], got {like!r}.")
    return float(like @ p_a)


def bayes_rule(p_b_given_a: float, p_a: float, p_b: float) -> float:
    """Bayes' rule P(A | B) = P(B | A) P(A) / P(B).

    Inventory: ST-10.

    >>> round(bayes_rule(0.95, 0.01, 0.059), 4)
    0.161
    """
    like = probability(p_b_given_a, "p_b_given_a")
    prior = probability(p_a, "p_a")
    evidence = probability(p_b, "p_b")
    if evidence == 0:
        raise ValueError("p_b: the evidence P(B) must be non-zero, got 0.")
    post = like * prior / evidence
    if post > 1 + 1e-12:
        raise ValueError(
            f"p_b: inconsistent inputs, P(B|A)P(A) = {like * prior} exceeds P(B) = {evidence}."
        )
    return post


def posterior(prior, likelihood) -> np.ndarray:
    """Posterior over hypotheses: P(Aᵢ | B) = P(B | Aᵢ) P(Aᵢ) / Σⱼ P(B | Aⱼ) P(Aⱼ).

    Inventory: ST-10.

    >>> posterior([0.5, 0.5], [0.2, 0.6]).round(12).tolist()
    [0.25, 0.75]
    """
    prior = prob_vector(prior, "prior")
    like = np.asarray(likelihood, dtype=float)
    if like.shape != prior.shape or (like < 0).any():
        raise ValueError(f"likelihood: expected {prior.size} non-negative values, got {like!r}.")
    joint = like * prior
    evidence = joint.sum()
    if evidence == 0:
        raise ValueError("likelihood: the evidence Σ P(B|Aᵢ)P(Aᵢ) is zero.")
    return joint / evidence


def diagnostic_posterior(prevalence: float, sensitivity: float, specificity: float) -> float:
    """P(disease | positive test) by Bayes' rule and total probability.

    P(D|+) = sens·prev / (sens·prev + (1 − spec)(1 − prev)). Inventory: ST-10 (CL-029).

    >>> round(diagnostic_posterior(0.01, 0.95, 0.95), 3)
    0.161
    """
    prev = probability(prevalence, "prevalence")
    sens = probability(sensitivity, "sensitivity")
    spec = probability(specificity, "specificity")
    p_pos = total_probability([sens, 1.0 - spec], [prev, 1.0 - prev])
    return bayes_rule(sens, prev, p_pos)


def marginal(joint, axis: int = 1) -> np.ndarray:
    """Marginal of a 2-D joint table: P(A = i) = Σⱼ P(A = i, B = j) (sum over ``axis``).

    Inventory: ST-10.
    """
    table = np.asarray(joint, dtype=float)
    if table.ndim != 2:
        raise ValueError(f"joint: expected a 2-D table, got shape {table.shape}.")
    prob_vector(table.ravel(), "joint")
    return table.sum(axis=axis)


def expectation(values, probs) -> float:
    """E[X] = Σ x p(x) for a discrete distribution.

    Inventory: ST-11.

    >>> expectation([0, 1], [0.7, 0.3])
    0.3
    """
    p = prob_vector(probs, "probs")
    x = np.asarray(values, dtype=float)
    if x.shape != p.shape:
        raise ValueError(
            f"values: expected {p.size} values (one per probability), got shape {x.shape}."
        )
    return float(x @ p)


def variance(values, probs) -> float:
    """Var X = E[(X − μ)²] (= E[X²] − E[X]²) for a discrete distribution.

    Inventory: ST-11.

    >>> round(variance([0, 1], [0.7, 0.3]), 2)
    0.21
    """
    mu = expectation(values, probs)
    x = np.asarray(values, dtype=float)
    return float(((x - mu) ** 2) @ np.asarray(probs, dtype=float))
