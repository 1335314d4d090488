"""BLEU / ROUGE / exact match on examples worked by hand from the papers' definitions (MS-28).

BLEU: Papineni et al. (2002), §2.1 (modified n-gram precision) and §2.2.2 (brevity penalty);
smoothing: Chen & Cherry (2014) methods 1 and 2. ROUGE: Lin (2004), §2 (ROUGE-N) and §3.1
(ROUGE-L, including the "police killed the gunman" example).
"""

import math

import pytest

import glassml.metrics as gm

REF = "the cat is on the mat"
CAND = "the cat sat on the mat"
# n-gram matches of CAND against REF, counted by hand:
# 1-grams 5/6 (the, the, cat, on, mat), 2-grams 3/5 (the cat, on the, the mat),
# 3-grams 1/4 (on the mat), 4-grams 0/3.


def test_papineni_modified_unigram_precision():
    refs = ["the cat is on the mat", "there is a cat on the mat"]
    # "the" appears 7 times but at most twice in a reference: p1 = 2/7; c = 7 = r, BP = 1
    assert gm.sentence_bleu(refs, "the the the the the the the", max_n=1) == pytest.approx(2 / 7)


def test_bleu_geometric_mean_of_clipped_precisions():
    assert gm.sentence_bleu([REF], CAND, max_n=2) == pytest.approx(math.sqrt(5 / 6 * 3 / 5))
    assert gm.sentence_bleu([REF], CAND, max_n=3) == pytest.approx(
        (5 / 6 * 3 / 5 * 1 / 4) ** (1 / 3)
    )
    assert gm.sentence_bleu([REF], CAND) == 0.0  # no 4-gram match, no smoothing
    assert gm.sentence_bleu([REF], REF) == pytest.approx(1.0)


def test_bleu_smoothing():
    eps = (5 / 6 * 3 / 5 * 1 / 4 * (0.1 / 3)) ** 0.25  # method 1: zero count -> epsilon
    assert gm.sentence_bleu([REF], CAND, smoothing="epsilon") == pytest.approx(eps)
    add1 = (5 / 6 * (3 + 1) / (5 + 1) * (1 + 1) / (4 + 1) * (0 + 1) / (3 + 1)) ** 0.25
    assert gm.sentence_bleu([REF], CAND, smoothing="add1") == pytest.approx(add1)


def test_brevity_penalty():
    # c = 2 < r = 6: BP = exp(1 - 6/2); both precisions are 1
    assert gm.sentence_bleu([REF], "the cat", max_n=2) == pytest.approx(math.exp(1 - 3))
    # the closest reference length is used (7 is closer to 7 than 6): BP = 1
    refs = ["a b c d e f", "a b c d e f g"]
    assert gm.sentence_bleu(refs, "a b c d e f g", max_n=1) == pytest.approx(1.0)


def test_corpus_bleu_pools_counts():
    refs = [[REF], ["a dog"]]
    cands = [CAND, "a dog"]
    # pooled p1 = (5+2)/(6+2), p2 = (3+1)/(5+1); c = r = 8
    assert gm.corpus_bleu(refs, cands, max_n=2) == pytest.approx(math.sqrt(7 / 8 * 4 / 6))
    mean_of_sentences = (gm.sentence_bleu([REF], CAND, max_n=2) + 1.0) / 2
    assert gm.corpus_bleu(refs, cands, max_n=2) != pytest.approx(mean_of_sentences)
    assert gm.bleu_score(refs, [c.split() for c in cands], max_n=2) == pytest.approx(
        math.sqrt(7 / 12)
    )  # token lists work too


def test_rouge_lin_examples():
    ref = "police killed the gunman"
    s2, s3 = "police kill the gunman", "the gunman kill police"
    # ROUGE-2: both share only "the gunman" with the reference (recall 1/3) ...
    assert gm.rouge_n(s2, ref, n=2)["recall"] == pytest.approx(1 / 3)
    assert gm.rouge_n(s3, ref, n=2)["recall"] == pytest.approx(1 / 3)
    # ... while ROUGE-L separates them: LCS 3 ("police the gunman") vs 2 ("the gunman")
    assert gm.rouge_l(s2, ref)["fmeasure"] == pytest.approx(3 / 4)
    assert gm.rouge_l(s3, ref)["fmeasure"] == pytest.approx(2 / 4)


def test_rouge_n_clipping_precision_and_multiple_references():
    out = gm.rouge_n("the the the", "the cat", n=1)
    assert out["recall"] == pytest.approx(1 / 2)  # min(3, 1) = 1 of 2 reference unigrams
    assert out["precision"] == pytest.approx(1 / 3)
    assert out["fmeasure"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    best = gm.rouge_n("a b c", ["x y z", "a b d"], n=1)
    assert best["recall"] == pytest.approx(2 / 3)  # the better reference is kept
    lcs_beta = gm.rouge_l("a b c d", "a c e f g h", beta=2.0)
    r, p = 2 / 6, 2 / 4
    assert lcs_beta["fmeasure"] == pytest.approx(5 * r * p / (r + 4 * p))


def test_exact_match():
    assert gm.exact_match(["Paris", "42", "the cat"], ["Paris", "41", "cat"]) == pytest.approx(
        1 / 3
    )
    assert gm.exact_match(["The  Cat!"], ["cat"], normalize=True) == 1.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="one list of references per candidate"):
        gm.corpus_bleu([[REF]], [CAND, CAND])
    with pytest.raises(ValueError, match="smoothing"):
        gm.sentence_bleu([REF], CAND, smoothing="add2")
    with pytest.raises(TypeError, match="list of references, not a string"):
        gm.corpus_bleu([REF], [CAND])
    with pytest.raises(ValueError, match="n: expected an integer"):
        gm.rouge_n(CAND, REF, n=0)
    with pytest.raises(ValueError, match="at least one reference"):
        gm.rouge_l(CAND, [])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gm.exact_match(["a"], ["a", "b"])
