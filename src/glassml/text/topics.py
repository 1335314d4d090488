"""Topic modelling: NMF on TF-IDF, topics = top-weighted terms of each component (DR-10).

X (docs x terms, TF-IDF) ~= W (docs x k) H (k x terms); topic j = argsort(-H[j])[:n_top_words].

Example
-------
>>> docs = ["cats purr", "dogs bark", "cats meow", "dogs growl"] * 3
>>> len(topics(docs, n_topics=2, n_top_words=2))      # doctest: +SKIP
2
"""

from __future__ import annotations

import numpy as np

from .vectorize import TfidfVectorizer

__all__ = ["topics"]


def topics(docs, n_topics=5, *, n_top_words=8, random_state=0, **tfidf_params):
    """Top words of each NMF topic of ``docs`` (list of ``n_topics`` lists of words)."""
    from glassml.decomposition import NMF

    if not isinstance(n_topics, int) or n_topics < 1:
        raise ValueError(f"n_topics: expected an int >= 1, got {n_topics!r}.")
    vec = TfidfVectorizer(**tfidf_params)
    X = vec.fit_transform(docs).toarray()  # (n_docs, n_terms)
    nmf = NMF(n_components=n_topics, init="nndsvda", random_state=random_state, max_iter=400)
    nmf.fit(X)
    names = vec.get_feature_names_out()
    return [names[np.argsort(-h)[:n_top_words]].tolist() for h in nmf.components_]
