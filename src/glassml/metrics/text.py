"""Text-generation metrics: BLEU (corpus and sentence level), ROUGE-N, ROUGE-L, exact match.

Inventory: MS-28.

* BLEU — Papineni, Roukos, Ward & Zhu (2002), "BLEU: a method for automatic evaluation of
  machine translation": clipped ("modified") n-gram precisions p_n pooled over the corpus,
  their geometric mean and a brevity penalty BP = exp(1 − r/c) when the candidate length c is
  below the effective reference length r (the closest reference length per sentence).
* Smoothing for short sentences — Chen & Cherry (2014): "epsilon" (their method 1: a zero
  match count becomes ε) and "add1" (method 2, Lin & Och 2004: add 1 to the numerator and
  denominator of every p_n with n > 1).
* ROUGE — Lin (2004), "ROUGE: a package for automatic evaluation of summaries": ROUGE-N is
  n-gram recall (clipped overlap / reference n-grams) and ROUGE-L uses the longest common
  subsequence, F = (1 + β²) R P / (R + β² P). With several references the best score is kept.

Texts are strings (split on whitespace) or lists of tokens.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter

import numpy as np

__all__ = [
    "bleu_score",
    "corpus_bleu",
    "sentence_bleu",
    "rouge_n",
    "rouge_l",
    "exact_match",
]


def _tokens(text, name: str) -> list:
    if isinstance(text, str):
        return text.split()
    if isinstance(text, list | tuple):
        return list(text)
    raise TypeError(f"{name}: expected a string or a list of tokens, got {type(text).__name__}.")


def _ngrams(tokens: list, n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def corpus_bleu(references, candidates, *, max_n=4, weights=None, smoothing=None, epsilon=0.1):
    """Corpus BLEU = BP · exp(Σ_n w_n log p_n) with pooled clipped n-gram precisions.

    p_n = Σ_sentences Σ_g min(count_cand(g), max_ref count_ref(g)) / Σ_sentences Σ_g count_cand(g)
    BP = 1 if c > r else exp(1 − r/c), c = total candidate length, r = sum over sentences of the
    reference length closest to the candidate's (the shorter one on ties).

    Parameters
    ----------
    references : list (one entry per candidate) of lists of reference texts
    candidates : list of candidate texts
    max_n : int, weights : sequence of max_n floats (uniform 1/max_n by default)
    smoothing : None, "epsilon" or "add1" (see the module docstring)

    >>> corpus_bleu([["the cat is on the mat"]], ["the cat is on the mat"])
    1.0
    """
    if not isinstance(max_n, int) or max_n < 1:
        raise ValueError(f"max_n: expected an integer >= 1, got {max_n!r}.")
    weights = np.full(max_n, 1.0 / max_n) if weights is None else np.asarray(weights, float)
    if weights.shape != (max_n,):
        raise ValueError(f"weights: expected {max_n} weights, got shape {weights.shape}.")
    if smoothing not in (None, "epsilon", "add1"):
        raise ValueError(f"smoothing: expected None, 'epsilon' or 'add1', got {smoothing!r}.")
    if len(references) != len(candidates):
        raise ValueError(
            f"references and candidates: expected one list of references per candidate, got "
            f"{len(references)} and {len(candidates)}."
        )
    if len(candidates) == 0:
        raise ValueError("candidates: expected at least one candidate, got none.")
    matches = np.zeros(max_n)
    totals = np.zeros(max_n)
    cand_len = ref_len = 0
    for refs, cand in zip(references, candidates, strict=True):
        if isinstance(refs, str):
            raise TypeError("references: each entry must be a list of references, not a string.")
        cand_tok = _tokens(cand, "candidates")
        ref_toks = [_tokens(r, "references") for r in refs]
        if not ref_toks:
            raise ValueError("references: each candidate needs at least one reference.")
        cand_len += len(cand_tok)
        ref_len += min((abs(len(r) - len(cand_tok)), len(r)) for r in ref_toks)[1]
        for n in range(1, max_n + 1):
            cand_counts = _ngrams(cand_tok, n)
            max_ref = Counter()
            for r in ref_toks:
                max_ref |= _ngrams(r, n)  # elementwise max over the references
            matches[n - 1] += sum(min(c, max_ref[g]) for g, c in cand_counts.items())
            totals[n - 1] += max(len(cand_tok) - n + 1, 0)
    if cand_len == 0:
        return 0.0
    if smoothing == "add1":
        matches[1:] += 1.0
        totals[1:] += 1.0
    if smoothing == "epsilon":
        matches = np.where((matches == 0) & (totals > 0), epsilon, matches)
    if np.any(matches[weights > 0] == 0) or np.any(totals[weights > 0] == 0):
        return 0.0
    log_p = np.log(matches / totals)
    bp = 1.0 if cand_len > ref_len else math.exp(1.0 - ref_len / cand_len)
    return float(bp * math.exp(float(weights @ log_p)))


def sentence_bleu(references, candidate, **kwargs):
    """BLEU of one candidate against its references (corpus BLEU of a one-sentence corpus).

    >>> round(sentence_bleu(["the cat is on the mat"], "the cat sat on the mat", max_n=2), 4)
    0.7071
    """
    return corpus_bleu([references], [candidate], **kwargs)


bleu_score = corpus_bleu


def _prf(overlap, cand_total, ref_total, beta=1.0):
    precision = overlap / cand_total if cand_total else 0.0
    recall = overlap / ref_total if ref_total else 0.0
    if precision == 0 or recall == 0:
        f = 0.0
    else:
        f = (1 + beta**2) * precision * recall / (recall + beta**2 * precision)
    return {"precision": precision, "recall": recall, "fmeasure": f}


def _reference_list(references) -> list:
    """One text -> [text]; a list of texts (strings or token lists) stays as it is."""
    refs = [references] if isinstance(references, str) else list(references)
    if not refs:
        raise ValueError("references: expected at least one reference.")
    for r in refs:
        if not isinstance(r, str | list | tuple):
            raise TypeError(
                "references: expected a text or a list of texts (strings or token lists), got "
                f"an element of type {type(r).__name__}."
            )
    return refs


def _best(scores):
    return max(scores, key=lambda s: (s["fmeasure"], s["recall"]))


def rouge_n(candidate, references, *, n=2):
    """ROUGE-N: clipped n-gram overlap over the reference's n-grams (recall), with the
    precision and F1 alongside.

    recall = Σ_g min(count_cand(g), count_ref(g)) / Σ_g count_ref(g);
    precision divides the same overlap by the candidate's n-gram count. ``references`` is one
    text or a list of texts (the best-scoring reference is kept, Lin 2004 §2.1).

    >>> rouge_n("the cat was found under the bed", "the cat was under the bed", n=1)["recall"]
    1.0
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n: expected an integer >= 1, got {n!r}.")
    refs = _reference_list(references)
    cand = _ngrams(_tokens(candidate, "candidate"), n)
    scores = []
    for ref in refs:
        ref_counts = _ngrams(_tokens(ref, "references"), n)
        overlap = sum((cand & ref_counts).values())
        scores.append(_prf(overlap, sum(cand.values()), sum(ref_counts.values())))
    return _best(scores)


def _lcs_length(a: list, b: list) -> int:
    """Length of the longest common subsequence, one vectorized DP row per token of ``a``.

    L[i, j] = max_{j' ≤ j} max(L[i−1, j'], L[i−1, j'−1] + [a_i = b_j']), a running maximum.
    """
    if not a or not b:
        return 0
    b_arr = np.array(b, dtype=object)
    prev = np.zeros(len(b) + 1, dtype=np.int64)
    for token in a:
        match = (b_arr == token).astype(np.int64)  # (len(b),)
        cur = np.empty_like(prev)
        cur[0] = 0
        cur[1:] = np.maximum(prev[1:], prev[:-1] + match)
        prev = np.maximum.accumulate(cur)
    return int(prev[-1])


def rouge_l(candidate, references, *, beta=1.0):
    """ROUGE-L: R = LCS/|reference|, P = LCS/|candidate|, F = (1+β²)RP/(R + β²P).

    >>> rouge_l("police killed the gunman", "police kill the gunman")["fmeasure"]
    0.75
    """
    refs = _reference_list(references)
    cand = _tokens(candidate, "candidate")
    scores = []
    for ref in refs:
        ref_tok = _tokens(ref, "references")
        lcs = _lcs_length(cand, ref_tok)
        scores.append(_prf(lcs, len(cand), len(ref_tok), beta))
    return _best(scores)


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)


def _normalize_answer(text: str) -> str:
    """SQuAD normalisation: lowercase, drop punctuation and articles, squeeze whitespace."""
    text = text.lower().translate(_PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(y_true, y_pred, *, normalize=False):
    """Share of predictions exactly equal to their reference string.

    ``normalize=True`` compares SQuAD-normalised answers (case, punctuation, articles and
    extra whitespace ignored; Rajpurkar et al. 2016).

    >>> exact_match(["Paris", "the cat"], ["paris", "cat"], normalize=True)
    1.0
    """
    if isinstance(y_true, str) or isinstance(y_pred, str):
        raise TypeError("y_true and y_pred: expected lists of strings, got a single string.")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: y_true: "
            f"{len(y_true)}, y_pred: {len(y_pred)}."
        )
    if len(y_true) == 0:
        raise ValueError("y_true: expected at least one sample, got an empty list.")
    if normalize:
        same = [
            _normalize_answer(t) == _normalize_answer(p)
            for t, p in zip(y_true, y_pred, strict=True)
        ]
    else:
        same = [t == p for t, p in zip(y_true, y_pred, strict=True)]
    return float(np.mean(same))
