"""Naive Bayes classifiers (Inventory: NB-01..NB-05): Gaussian, multinomial, complement,
Bernoulli and categorical, all scoring in log space and normalising with logsumexp."""

from ._categorical import CategoricalNB
from ._discrete import BernoulliNB, ComplementNB, MultinomialNB
from ._gaussian import GaussianNB

__all__ = ["BernoulliNB", "CategoricalNB", "ComplementNB", "GaussianNB", "MultinomialNB"]
