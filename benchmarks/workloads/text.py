"""Issue 9 (part A): CountVectorizer and TfidfVectorizer against scikit-learn.

* ``text_count_vectorizer_lines``: fit_transform on the whole Shakespeare corpus, one document
  per non-empty line (~125k lines; quick: Hamlet only), word unigrams+bigrams.
* ``text_tfidf_vectorizer_lines``: the same documents, TfidfVectorizer with default options.
"""

from __future__ import annotations

from glassml.bench import Case, workload


def _lines(quick):
    from glassml.datasets import load_shakespeare

    text = load_shakespeare(["hamlet"] if quick else None)
    return [ln for ln in text.splitlines() if ln.strip()]


@workload("text_count_vectorizer_lines", reference="scikit-learn", group="text",
          unit="documents", target=1.5)  # fmt: skip
def count_vectorizer(quick):
    from sklearn.feature_extraction.text import CountVectorizer as Ref

    from glassml.text import CountVectorizer

    docs = _lines(quick)
    return Case(
        ours=lambda: CountVectorizer(ngram_range=(1, 2)).fit_transform(docs),
        ref=lambda: Ref(ngram_range=(1, 2)).fit_transform(docs),
        items=len(docs),
    )


@workload("text_tfidf_vectorizer_lines", reference="scikit-learn", group="text",
          unit="documents", target=1.5)  # fmt: skip
def tfidf_vectorizer(quick):
    from sklearn.feature_extraction.text import TfidfVectorizer as Ref

    from glassml.text import TfidfVectorizer

    docs = _lines(quick)
    return Case(
        ours=lambda: TfidfVectorizer().fit_transform(docs),
        ref=lambda: Ref().fit_transform(docs),
        items=len(docs),
    )
