"""Normalisation, simple tokenizers, vocabulary, BPE, Porter stemmer, lemmatizer (TX-01..06)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassml.text.bpe import BPETokenizer
from glassml.text.normalize import ENGLISH_STOP_WORDS, normalize, strip_accents_unicode
from glassml.text.stem import Lemmatizer, porter_stem
from glassml.text.tokenize import char_tokenize, whitespace_tokenize, word_tokenize
from glassml.text.vocab import Vocabulary

# Expected stems derived by hand from the rules of Porter (1980), steps 1a-5b (the paper's
# examples where a word passes through all steps).
PORTER = {
    "caresses": "caress", "ponies": "poni", "ties": "ti", "caress": "caress", "cats": "cat",
    "feed": "feed", "agreed": "agre", "plastered": "plaster", "bled": "bled",
    "motoring": "motor", "sing": "sing", "conflated": "conflat", "troubled": "troubl",
    "sized": "size", "hopping": "hop", "tanned": "tan", "falling": "fall", "hissing": "hiss",
    "fizzed": "fizz", "failing": "fail", "filing": "file", "happy": "happi", "sky": "sky",
    "relational": "relat", "conditional": "condit", "rational": "ration",
    "generalization": "gener", "probate": "probat", "rate": "rate", "cease": "ceas",
    "controll": "control", "roll": "roll", "gyroscopic": "gyroscop", "adjustable": "adjust",
    "adoption": "adopt", "effective": "effect", "hopefulness": "hope", "goodness": "good",
}  # fmt: skip


@pytest.mark.parametrize(("word", "stem"), list(PORTER.items()))
def test_porter_stemmer_published_rules(word, stem):
    assert porter_stem(word) == stem


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", max_size=15))
def test_porter_never_lengthens_much_and_is_lowercase(word):
    out = porter_stem(word)
    assert len(out) <= len(word) + 1 and out == out.lower()


def test_lemmatizer_gives_dictionary_words():
    lem = Lemmatizer()
    cases = {"running": "run", "studies": "study", "children": "child", "better": "good",
             "hoped": "hope", "boxes": "box", "wolves": "wolf", "ate": "eat", "cats": "cat"}  # fmt: skip
    assert {w: lem(w) for w in cases} == cases
    assert all(lem(w) in lem.dictionary for w in cases)


def test_normalize_pipeline():
    text = "Visit https://x.org or www.a.com on 2024-01-02 and 3/4/2021: The CATS, aren't 3 happy!"
    assert normalize(text) == "visit or on and the cats aren t happy"
    assert normalize(text, stop_words="english") == "visit cats aren t happy"
    assert normalize("Ab1", lowercase=False, digits=False) == "Ab1"
    assert strip_accents_unicode("café naïve") == "cafe naive"
    assert "the" in ENGLISH_STOP_WORDS and "king" not in ENGLISH_STOP_WORDS


def test_simple_tokenizers():
    text = "I saw 2 cats, can't you?"
    assert (
        word_tokenize(text) == re.findall(r"(?u)\b\w\w+\b", text) == ["saw", "cats", "can", "you"]
    )
    assert word_tokenize(text, r"\b\w+\b", lowercase=True)[0] == "i"
    assert whitespace_tokenize(text) == text.split()
    assert "".join(char_tokenize(text)) == text


def test_vocabulary_specials_min_freq_max_size():
    docs = [["a", "b", "a", "c"], ["a", "b", "d"]]
    v = Vocabulary(min_freq=2).fit(docs)
    assert v.itos[:7] == ["[PAD]", "[UNK]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]"]
    assert v.itos[7:] == ["a", "b"]
    assert v.encode(["a", "c"], add_bos_eos=True) == [2, 7, 1, 3]
    assert v.decode([2, 7, 8, 3]) == ["a", "b"]
    assert len(Vocabulary(max_size=1).fit(docs)) == 8


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12).filter(lambda s: s.split() == [s]), max_size=8))
def test_bpe_byte_level_round_trip_and_no_unknowns(words):
    bpe = BPETokenizer(num_merges=30).fit(["low lower lowest newer wider néw 新しい"])
    text = " ".join(words)
    assert bpe.decode(bpe.encode(text)) == text


def test_bpe_learns_frequent_merges_and_compresses():
    corpus = ["low " * 5 + "lower " * 2 + "newest " * 6 + "widest " * 3]
    bpe = BPETokenizer(num_merges=10, byte_level=False).fit(corpus)
    # Sennrich et al.'s example: the first merges are (e, s), (es, t), (est, </w>)
    assert bpe.merges[:3] == [("e", "s"), ("es", "t"), ("est", "</w>")]
    assert len(bpe.tokenize("newest")) < len(list("newest")) + 1
    many = BPETokenizer(num_merges=50, byte_level=False).fit(corpus)
    assert len(many.tokenize("lowest newest")) <= len(bpe.tokenize("lowest newest"))


def test_bad_inputs():
    with pytest.raises(TypeError, match="word"):
        porter_stem(3)
    with pytest.raises(TypeError, match="text"):
        normalize(None)
    with pytest.raises(ValueError, match="stop_words"):
        normalize("a", stop_words="german")
    with pytest.raises(ValueError, match="min_freq"):
        Vocabulary(min_freq=0)
    with pytest.raises(ValueError, match="num_merges"):
        BPETokenizer(num_merges=-1)
    with pytest.raises(ValueError, match="ids"):
        Vocabulary().fit([["a"]]).decode([99])
    with pytest.raises(ValueError, match="vocabulary"):
        BPETokenizer(num_merges=2, byte_level=False).fit(["ab"]).encode("zz")


def test_topics_separate_two_themes():
    from glassml.text.topics import topics

    docs = ["cats purr and meow", "dogs bark at cats", "cats meow at night", "kittens purr"]
    docs += ["stock market fell", "market prices and stock trading", "traders sell stock"]
    found = topics(docs * 3, 2, n_top_words=3)
    pets = {"cats", "purr", "meow", "dogs", "kittens", "bark", "night"}
    money = {"stock", "market", "prices", "trading", "traders", "sell", "fell"}
    first = [next(w for w in t if w in pets | money) for t in found]
    assert {first[0] in pets, first[1] in pets} == {True, False}
    with pytest.raises(ValueError, match="n_topics"):
        topics(docs, 0)
