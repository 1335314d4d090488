"""TX-19: BoW / TF-IDF features + naive Bayes, composed from glassml parts, vs scikit-learn."""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf
from sklearn.naive_bayes import MultinomialNB as SkNB

from glassml.naive_bayes import MultinomialNB
from glassml.text import TfidfVectorizer


def _spam_corpus(rng, n):
    spam = ["win", "free", "prize", "cash", "offer", "click", "money", "now"]
    ham = ["meeting", "project", "lunch", "report", "team", "schedule", "notes", "review"]
    common = ["the", "a", "you", "for", "your", "this", "we", "please"]
    docs, y = [], []
    for _ in range(n):
        label = int(rng.random() < 0.4)
        words = list(rng.choice(spam if label else ham, 4)) + list(
            rng.choice(ham if label else spam, 1)
        )
        words += list(rng.choice(common, 5))
        rng.shuffle(words)
        docs.append(" ".join(words))
        y.append(label)
    return docs, np.array(y)


def test_tfidf_naive_bayes_matches_sklearn_pipeline():
    rng = np.random.default_rng(0)
    docs, y = _spam_corpus(rng, 300)
    test_docs, y_test = _spam_corpus(rng, 100)
    vec, sk_vec = TfidfVectorizer(ngram_range=(1, 2)), SkTfidf(ngram_range=(1, 2))
    X, X_test = vec.fit_transform(docs).toarray(), vec.transform(test_docs).toarray()
    nb = MultinomialNB().fit(X, y)
    ref = SkNB().fit(sk_vec.fit_transform(docs), y)
    proba_ref = ref.predict_proba(sk_vec.transform(test_docs))
    np.testing.assert_allclose(nb.predict_proba(X_test), proba_ref, rtol=1e-10, atol=1e-12)
    assert np.mean(nb.predict(X_test) == y_test) > 0.95
