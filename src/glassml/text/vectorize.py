"""Bag-of-words vectorizers: CountVectorizer, TfidfTransformer, TfidfVectorizer, HashingVectorizer.

Count:  X[d, t] = number of times term t (a word/char n-gram) occurs in document d.
TF-IDF: idf(t) = ln((1 + n) / (1 + df(t))) + 1   (smooth_idf=True, scikit-learn's default)
        idf(t) = ln(n / df(t)) + 1               (smooth_idf=False)
        idf(t) = ln(n / df(t))                   (variant="plain", the seed's TF.log(N/DF))
        X[d, t] = tf(d, t) * idf(t), rows scaled to unit l2 (or l1) norm.
Hashing: column = |murmurhash3_32(term, seed=0)| mod n_features, sign = sign of the hash.

Outputs are scipy.sparse CSR matrices identical to scikit-learn's (text is sparse).
Inventory: TX-07, TX-08, TX-09.

Example
-------
>>> from glassml.text import CountVectorizer
>>> cv = CountVectorizer().fit(["the cat sat", "the dog sat"])
>>> cv.get_feature_names_out().tolist()
['cat', 'dog', 'sat', 'the']
"""

from __future__ import annotations

import numbers
import re
from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from glassml._core import BaseEstimator, TransformerMixin, check_in, check_is_fitted, check_scalar

from .hashing import murmurhash3_32
from .normalize import ENGLISH_STOP_WORDS, strip_accents_ascii, strip_accents_unicode

__all__ = ["CountVectorizer", "TfidfTransformer", "TfidfVectorizer", "HashingVectorizer"]

_WHITE_SPACES = re.compile(r"\s\s+")


def _check_documents(raw_documents):
    if isinstance(raw_documents, str):
        raise ValueError(
            "raw_documents: expected an iterable over raw text documents, got a single string."
        )
    return raw_documents


class _AnalyzerMixin:
    """Shared preprocessing / tokenizing / n-gram logic (same semantics as scikit-learn)."""

    def _stop_set(self):
        if self.stop_words is None:
            return None
        if isinstance(self.stop_words, str):
            check_in(self.stop_words, "stop_words", ["english"])
            return ENGLISH_STOP_WORDS
        return frozenset(self.stop_words)

    def build_preprocessor(self):
        """Callable: lowercase and/or strip accents (``preprocessor`` overrides both)."""
        if self.preprocessor is not None:
            return self.preprocessor
        strip = {None: None, "ascii": strip_accents_ascii, "unicode": strip_accents_unicode}
        check_in(self.strip_accents, "strip_accents", list(strip))
        steps = [s for s in (strip[self.strip_accents],) if s is not None]
        if self.lowercase:
            steps.insert(0, str.lower)
        if not steps:
            return lambda doc: doc
        if len(steps) == 1:
            return steps[0]
        return lambda doc: steps[1](steps[0](doc))

    def build_tokenizer(self):
        """Callable: ``re.findall(token_pattern)`` (``tokenizer`` overrides it)."""
        if self.tokenizer is not None:
            return self.tokenizer
        pattern = re.compile(self.token_pattern)
        if pattern.groups > 1:
            raise ValueError(
                f"token_pattern: expected at most one capturing group, got {pattern.groups}."
            )
        return pattern.findall

    def _word_ngrams(self, tokens, stop):
        if stop is not None:
            tokens = [w for w in tokens if w not in stop]
        min_n, max_n = self.ngram_range
        if max_n == 1:
            return tokens
        original, n_original = tokens, len(tokens)
        tokens = list(original) if min_n == 1 else []
        for n in range(max(min_n, 2), min(max_n + 1, n_original + 1)):
            tokens.extend(" ".join(original[i : i + n]) for i in range(n_original - n + 1))
        return tokens

    def _char_ngrams(self, text):
        text = _WHITE_SPACES.sub(" ", text)
        min_n, max_n = self.ngram_range
        grams = []
        for n in range(min_n, min(max_n + 1, len(text) + 1)):
            grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
        return grams

    def _char_wb_ngrams(self, text):
        text = _WHITE_SPACES.sub(" ", text)
        min_n, max_n = self.ngram_range
        grams = []
        for w in text.split():
            w = " " + w + " "
            for n in range(min_n, max_n + 1):
                if n >= len(w):  # a word shorter than n is counted once, whole
                    grams.append(w)
                    break
                grams.extend(w[i : i + n] for i in range(len(w) - n + 1))
        return grams

    def _validate_analyzer_params(self):
        check_in(self.input, "input", ["content"])
        if callable(self.analyzer):
            return
        check_in(self.analyzer, "analyzer", ["word", "char", "char_wb"])
        ok = (
            isinstance(self.ngram_range, tuple)
            and len(self.ngram_range) == 2
            and all(isinstance(v, numbers.Integral) for v in self.ngram_range)
            and 1 <= self.ngram_range[0] <= self.ngram_range[1]
        )
        if not ok:
            raise ValueError(
                f"ngram_range: expected a tuple (min_n, max_n) with 1 <= min_n <= max_n, "
                f"got {self.ngram_range!r}."
            )

    def build_analyzer(self):
        """Callable doc -> list of terms (tokens or n-grams after preprocessing)."""
        self._validate_analyzer_params()
        if callable(self.analyzer):
            return self.analyzer
        preprocess = self.build_preprocessor()
        if self.analyzer == "char":
            return lambda doc: self._char_ngrams(preprocess(doc))
        if self.analyzer == "char_wb":
            return lambda doc: self._char_wb_ngrams(preprocess(doc))
        tokenize, stop = self.build_tokenizer(), self._stop_set()
        min_n, max_n = self.ngram_range
        if stop is None and max_n == 1:
            return lambda doc: tokenize(preprocess(doc))
        return lambda doc: self._word_ngrams(tokenize(preprocess(doc)), stop)


def _count_matrix(docs, analyze, vocabulary, n_features):
    """CSR counts: rows = docs, cols = vocabulary[term]; unknown terms dropped when fixed."""
    indptr, cols = [0], []
    lookup = vocabulary.__getitem__ if isinstance(vocabulary, defaultdict) else None
    for doc in docs:
        terms = analyze(doc)
        if lookup is not None:
            cols.extend(map(lookup, terms))
        else:
            get = vocabulary.get
            cols.extend(j for j in map(get, terms) if j is not None)
        indptr.append(len(cols))
    n_features = len(vocabulary) if n_features is None else n_features
    j = np.fromiter(cols, dtype=np.int64, count=len(cols))  # (n_terms_total,)
    indptr = np.asarray(indptr, dtype=np.int64)  # (n_docs + 1,)
    X = sp.csr_matrix(
        (np.ones(len(j), dtype=np.int64), j, indptr), shape=(len(indptr) - 1, n_features)
    )
    X.sum_duplicates()  # sorts indices and adds repeated terms of a document
    return X


class CountVectorizer(_AnalyzerMixin, TransformerMixin, BaseEstimator):
    """Term counts: ``X[d, t]`` = occurrences of term ``t`` in document ``d`` (Inventory: TX-07).

    Parameters match scikit-learn's: ``lowercase``, ``token_pattern`` (default
    ``r"(?u)\\b\\w\\w+\\b"``), ``ngram_range``, ``analyzer`` ('word', 'char', 'char_wb' or
    callable), ``stop_words`` ('english', list or None), ``min_df`` / ``max_df`` (int = document
    count, float = fraction), ``max_features`` (keep the most frequent), ``vocabulary`` (fixed
    mapping or iterable), ``binary`` (counts clipped to 1), ``dtype``.

    Example
    -------
    >>> CountVectorizer(ngram_range=(1, 2)).fit_transform(["aa bb cc"]).shape
    (1, 5)
    """

    def __init__(
        self,
        *,
        input="content",
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=r"(?u)\b\w\w+\b",
        ngram_range=(1, 1),
        analyzer="word",
        strip_accents=None,
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.int64,
    ):
        self.input = input
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.strip_accents = strip_accents
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype

    def _glassml_tags(self):
        return {"input": "text"}

    def _fixed_vocabulary(self):
        vocab = self.vocabulary
        if isinstance(vocab, dict):
            values = sorted(vocab.values())
            if values != list(range(len(values))):
                raise ValueError("vocabulary: indices must be a permutation of 0..n-1.")
            return dict(vocab)
        terms = list(vocab)
        if len(set(terms)) != len(terms):
            raise ValueError("vocabulary: contains repeated terms.")
        if not terms:
            raise ValueError("vocabulary: empty vocabulary passed to fit.")
        return {t: i for i, t in enumerate(terms)}

    def _df_bounds(self, n_docs):
        for name in ("max_df", "min_df"):
            value = getattr(self, name)
            if isinstance(value, numbers.Integral) and not isinstance(value, bool):
                check_scalar(value, name, numbers.Integral, min_val=0)
            else:
                check_scalar(value, name, numbers.Real, min_val=0.0, max_val=1.0)
        if self.max_features is not None:
            check_scalar(self.max_features, "max_features", numbers.Integral, min_val=1)
        high = self.max_df if isinstance(self.max_df, numbers.Integral) else self.max_df * n_docs
        low = self.min_df if isinstance(self.min_df, numbers.Integral) else self.min_df * n_docs
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        return high, low

    def fit(self, raw_documents, y=None):
        """Learn the vocabulary of ``raw_documents``; returns self."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and return the (n_docs, n_terms) CSR count matrix."""
        docs = list(_check_documents(raw_documents))
        analyze = self.build_analyzer()
        if self.vocabulary is not None:
            self.vocabulary_ = self._fixed_vocabulary()
            self.fixed_vocabulary_ = True
            X = _count_matrix(docs, analyze, self.vocabulary_, len(self.vocabulary_))
            return self._finish(X)
        high, low = self._df_bounds(len(docs))
        vocab = defaultdict()
        vocab.default_factory = vocab.__len__  # new term -> next column
        X = _count_matrix(docs, analyze, vocab, None)
        if not vocab:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        # Columns in alphabetical order of the terms (scikit-learn's layout).
        terms = sorted(vocab)
        order = np.fromiter((vocab[t] for t in terms), dtype=np.int64, count=len(terms))
        X = X[:, order]
        X = self._limit(X, terms, high, low, len(docs))
        self.fixed_vocabulary_ = False
        return self._finish(X)

    def _limit(self, X, terms, high, low, n_docs):
        limit = self.max_features
        if high >= n_docs and low <= 1 and limit is None:
            self.vocabulary_ = {t: i for i, t in enumerate(terms)}
            return X
        df = np.bincount(X.indices, minlength=X.shape[1])  # (n_terms,) documents per term
        mask = (df <= high) & (df >= low)
        if limit is not None and mask.sum() > limit:
            tf = np.asarray(X.sum(axis=0)).ravel()  # (n_terms,) total counts
            keep = (-tf[mask]).argsort()[:limit]
            new_mask = np.zeros(len(df), dtype=bool)
            new_mask[np.flatnonzero(mask)[keep]] = True
            mask = new_mask
        kept = np.flatnonzero(mask)
        if len(kept) == 0:
            raise ValueError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        self.vocabulary_ = {terms[i]: k for k, i in enumerate(kept)}
        return X[:, kept]

    def _finish(self, X):
        if self.binary:
            X.data.fill(1)
        X.sort_indices()
        return X.astype(self.dtype, copy=False)

    def transform(self, raw_documents):
        """Count the fitted vocabulary's terms in new documents (unknown terms ignored)."""
        check_is_fitted(self, "vocabulary_")
        docs = _check_documents(raw_documents)
        X = _count_matrix(docs, self.build_analyzer(), self.vocabulary_, len(self.vocabulary_))
        return self._finish(X)

    def inverse_transform(self, X):
        """Terms with non-zero entries, one array per row."""
        check_is_fitted(self, "vocabulary_")
        X = sp.csr_matrix(X)
        names = self.get_feature_names_out()
        return [names[X.indices[X.indptr[i] : X.indptr[i + 1]]] for i in range(X.shape[0])]

    def get_feature_names_out(self, input_features=None):
        """Terms ordered by column index (object array)."""
        check_is_fitted(self, "vocabulary_")
        names = np.empty(len(self.vocabulary_), dtype=object)
        for term, j in self.vocabulary_.items():
            names[j] = term
        return names


class TfidfTransformer(TransformerMixin, BaseEstimator):
    """Re-weight counts: ``tf * idf`` then row-normalise (Inventory: TX-08).

    idf(t) = ln((1 + n) / (1 + df)) + 1 with ``smooth_idf``; ln(n / df) + 1 without;
    ``variant="plain"`` gives the seed's textbook ln(n / df) (a term in every document gets 0).
    ``sublinear_tf`` replaces tf with 1 + ln(tf). ``norm`` in {'l2', 'l1', None}.

    Example
    -------
    >>> import numpy as np
    >>> float(TfidfTransformer(norm=None).fit_transform(np.array([[1, 0], [1, 1]])).toarray()[1, 1])
    1.4054651081081644
    """

    def __init__(self, *, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False,
                 variant="sklearn"):  # fmt: skip
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.variant = variant

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _counts(self, X, reset):
        """CSR float copy of the count matrix (dense or sparse input), width checked."""
        if not sp.issparse(X):
            X = self._validate_data(X, reset=reset, dtype=np.float64)
            return sp.csr_matrix(X)
        if not reset:
            check_is_fitted(self)
        X = sp.csr_matrix(X, dtype=X.dtype if X.dtype in (np.float32, np.float64) else np.float64)
        if not np.all(np.isfinite(X.data)):
            raise ValueError("X: expected finite counts, got NaN or infinity.")
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but TfidfTransformer is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def _check(self):
        check_in(self.norm, "norm", ["l1", "l2", None])
        check_in(self.variant, "variant", ["sklearn", "plain"])

    def fit(self, X, y=None):
        """Learn idf from the document frequencies of the count matrix ``X``."""
        self._check()
        X = self._counts(X, reset=True)
        if self.use_idf:
            n_docs = X.shape[0]
            df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)  # (n_terms,)
            if self.variant == "plain":
                with np.errstate(divide="ignore"):
                    idf = np.log(n_docs / df)
            else:
                smooth = float(self.smooth_idf)
                idf = np.log((n_docs + smooth) / (df + smooth)) + 1.0
            self.idf_ = idf.astype(X.dtype, copy=False)
        return self

    def transform(self, X, copy=True):
        """Apply tf-idf weighting and normalisation; returns CSR."""
        self._check()
        X = self._counts(X, reset=False).copy() if copy else self._counts(X, reset=False)
        X.sort_indices()
        if self.sublinear_tf:
            np.log(X.data, out=X.data)
            X.data += 1.0
        if self.use_idf:
            check_is_fitted(self, "idf_")
            X.data *= self.idf_[X.indices]  # scale column t by idf(t)
        if self.norm is not None:
            X = _normalize_rows(X, self.norm)
        return X

    def fit_transform(self, X, y=None):
        return self.fit(X).transform(X)


def _normalize_rows(X, norm):
    """Divide each CSR row by its l1 or l2 norm (zero rows left alone)."""
    sq = np.abs(X.data) if norm == "l1" else X.data * X.data  # (nnz,)
    row_of_entry = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))  # (nnz,)
    row_norms = np.bincount(row_of_entry, weights=sq, minlength=X.shape[0])  # (n_docs,)
    if norm == "l2":
        row_norms = np.sqrt(row_norms)
    row_norms[row_norms == 0.0] = 1.0
    X.data /= np.repeat(row_norms, np.diff(X.indptr))
    return X


class TfidfVectorizer(CountVectorizer):
    """CountVectorizer followed by TfidfTransformer (Inventory: TX-08).

    Example
    -------
    >>> TfidfVectorizer().fit_transform(["a cat", "a dog cat"]).shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        input="content",
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        analyzer="word",
        stop_words=None,
        token_pattern=r"(?u)\b\w\w+\b",
        ngram_range=(1, 1),
        strip_accents=None,
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.float64,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=False,
        variant="sklearn",
    ):
        super().__init__(
            input=input, lowercase=lowercase, preprocessor=preprocessor, tokenizer=tokenizer,
            analyzer=analyzer, stop_words=stop_words, token_pattern=token_pattern,
            ngram_range=ngram_range, strip_accents=strip_accents, max_df=max_df, min_df=min_df,
            max_features=max_features, vocabulary=vocabulary, binary=binary, dtype=dtype,
        )  # fmt: skip
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.variant = variant

    def _tfidf(self):
        return TfidfTransformer(norm=self.norm, use_idf=self.use_idf, smooth_idf=self.smooth_idf,
                                sublinear_tf=self.sublinear_tf, variant=self.variant)  # fmt: skip

    @property
    def idf_(self):
        check_is_fitted(self, "_tfidf_")
        return self._tfidf_.idf_

    def fit(self, raw_documents, y=None):
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents, y=None):
        counts = super().fit_transform(raw_documents).astype(np.float64)
        self._tfidf_ = self._tfidf().fit(counts)
        return self._tfidf_.transform(counts, copy=False).astype(self.dtype, copy=False)

    def transform(self, raw_documents):
        check_is_fitted(self, "_tfidf_")
        counts = super().transform(raw_documents).astype(np.float64)
        return self._tfidf_.transform(counts, copy=False).astype(self.dtype, copy=False)

    def _finish(self, X):
        if self.binary:
            X.data.fill(1)
        X.sort_indices()
        return X


class HashingVectorizer(_AnalyzerMixin, TransformerMixin, BaseEstimator):
    """Stateless hashed counts: column = |murmur3(term)| mod n_features (Inventory: TX-09).

    With ``alternate_sign`` each term adds sign(hash) so collisions cancel in expectation.
    Rows normalised by ``norm``; ``binary`` clips to 0/1 (before the sign).

    Example
    -------
    >>> HashingVectorizer(n_features=16).transform(["a cat"]).shape
    (1, 16)
    """

    def __init__(
        self,
        *,
        input="content",
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        stop_words=None,
        token_pattern=r"(?u)\b\w\w+\b",
        ngram_range=(1, 1),
        analyzer="word",
        strip_accents=None,
        n_features=2**20,
        binary=False,
        norm="l2",
        alternate_sign=True,
        dtype=np.float64,
    ):
        self.input = input
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.strip_accents = strip_accents
        self.n_features = n_features
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign
        self.dtype = dtype

    def _glassml_tags(self):
        return {"input": "text", "stateless": True}

    def fit(self, raw_documents=None, y=None):
        """No-op (stateless); validates parameters."""
        check_scalar(self.n_features, "n_features", numbers.Integral, min_val=1, max_val=2**31 - 1)
        check_in(self.norm, "norm", ["l1", "l2", None])
        self.build_analyzer()
        return self

    def transform(self, raw_documents):
        """(n_docs, n_features) CSR matrix of signed hashed counts."""
        self.fit()
        docs = list(_check_documents(raw_documents))
        table = {}  # term -> column index, filled lazily (hashing is per distinct term)
        counts = _count_matrix(docs, self.build_analyzer(), _Growing(table), None)
        terms = list(table)  # distinct terms in order of first appearance
        h = np.array([murmurhash3_32(t) for t in terms], dtype=np.int64)  # signed 32-bit
        col = np.abs(h) % self.n_features
        col[h == -(2**31)] = (2**31 - 1 - (self.n_features - 1)) % self.n_features
        sign = np.where(h < 0, -1.0, 1.0) if self.alternate_sign else np.ones(len(h))
        data = counts.data * sign[counts.indices]  # (nnz,) signed counts per distinct term
        X = sp.csr_matrix(
            (data, col[counts.indices], counts.indptr), shape=(len(docs), self.n_features)
        )
        X.sum_duplicates()  # colliding terms add up (and may cancel to an explicit 0)
        if self.binary:
            X.data.fill(1.0)
        if self.norm is not None:
            X = _normalize_rows(X, self.norm)
        return X.astype(self.dtype, copy=False)

    def fit_transform(self, raw_documents, y=None):
        return self.transform(raw_documents)


class _Growing(defaultdict):
    """A defaultdict assigning the next index to each new key (term -> first-seen index)."""

    def __init__(self, store):
        super().__init__()
        self.default_factory = self.__len__
        self._store = store

    def __missing__(self, key):
        value = self[key] = len(self)
        self._store[key] = value
        return value
