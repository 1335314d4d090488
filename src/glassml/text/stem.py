"""Porter's (1980) suffix-stripping stemmer and a small dictionary/rule lemmatizer (TX-05).

Porter: a word is [C](VC)^m[V]; each step removes/replaces a suffix when the stem's measure m
(and a few conditions: *v* contains a vowel, *d double consonant, *o = cvc with c not w/x/y)
allows it. Steps 1a, 1b, 1c, 2, 3, 4, 5a, 5b from the paper's rule tables.
Lemmatizer: irregular-form table, then suffix rules whose result must be in a word list.

Example
-------
>>> [porter_stem(w) for w in ["caresses", "ponies", "relational", "generalization"]]
['caress', 'poni', 'relat', 'gener']
"""

from __future__ import annotations

__all__ = ["porter_stem", "PorterStemmer", "Lemmatizer"]


def _is_cons(w: str, i: int) -> bool:
    c = w[i]
    if c in "aeiou":
        return False
    if c == "y":
        return i == 0 or not _is_cons(w, i - 1)
    return True


def _measure(stem: str) -> int:
    """m in [C](VC)^m[V]: number of vowel-consonant sequences."""
    pattern = "".join("c" if _is_cons(stem, i) else "v" for i in range(len(stem)))
    collapsed = "".join(ch for i, ch in enumerate(pattern) if i == 0 or pattern[i - 1] != ch)
    return collapsed.count("vc")


def _has_vowel(stem: str) -> bool:
    return any(not _is_cons(stem, i) for i in range(len(stem)))


def _double_cons(w: str) -> bool:
    return len(w) >= 2 and w[-1] == w[-2] and _is_cons(w, len(w) - 1)


def _cvc(w: str) -> bool:
    if len(w) < 3:
        return False
    n = len(w)
    return (_is_cons(w, n - 3) and not _is_cons(w, n - 2) and _is_cons(w, n - 1)
            and w[-1] not in "wxy")  # fmt: skip


_STEP2 = [("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"),
          ("izer", "ize"), ("abli", "able"), ("alli", "al"), ("entli", "ent"), ("eli", "e"),
          ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"), ("ator", "ate"),
          ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"),
          ("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")]  # fmt: skip
_STEP3 = [("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"),
          ("ful", ""), ("ness", "")]  # fmt: skip
_STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
          "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize"]  # fmt: skip


def _replace(w: str, rules, min_m: int):
    """Apply the first matching (longest listed) suffix rule if m(stem) > min_m."""
    for suffix, repl in sorted(rules, key=lambda r: -len(r[0])):
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            return stem + repl if _measure(stem) > min_m else w
    return w


def porter_stem(word: str) -> str:
    """Porter stem of a lower-case word (words of length <= 2 are returned unchanged)."""
    if not isinstance(word, str):
        raise TypeError(f"word: expected str, got {type(word).__name__}.")
    w = word.lower()
    if len(w) <= 2:
        return w
    # Step 1a
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies"):
        w = w[:-2]
    elif w.endswith("ss"):
        pass
    elif w.endswith("s"):
        w = w[:-1]
    # Step 1b
    extra = False
    if w.endswith("eed"):
        if _measure(w[:-3]) > 0:
            w = w[:-1]
    else:
        for suffix in ("ed", "ing"):
            if w.endswith(suffix) and _has_vowel(w[: -len(suffix)]):
                w, extra = w[: -len(suffix)], True
                break
    if extra:
        if w.endswith(("at", "bl", "iz")):
            w += "e"
        elif _double_cons(w) and w[-1] not in "lsz":
            w = w[:-1]
        elif _measure(w) == 1 and _cvc(w):
            w += "e"
    # Step 1c
    if w.endswith("y") and _has_vowel(w[:-1]):
        w = w[:-1] + "i"
    # Steps 2 and 3 (m > 0)
    w = _replace(w, _STEP2, 0)
    w = _replace(w, _STEP3, 0)
    # Step 4 (m > 1)
    for suffix in sorted(_STEP4, key=len, reverse=True):
        if w.endswith(suffix):
            stem = w[: -len(suffix)]
            if _measure(stem) > 1 and (suffix != "ion" or stem.endswith(("s", "t"))):
                w = stem
            break
    # Step 5a
    if w.endswith("e"):
        stem = w[:-1]
        m = _measure(stem)
        if m > 1 or (m == 1 and not _cvc(stem)):
            w = stem
    # Step 5b
    if _measure(w) > 1 and _double_cons(w) and w.endswith("l"):
        w = w[:-1]
    return w


class PorterStemmer:
    """Callable wrapper with a per-word cache: ``PorterStemmer()(word)``."""

    def __init__(self):
        self._cache = {}

    def __call__(self, word: str) -> str:
        out = self._cache.get(word)
        if out is None:
            out = self._cache[word] = porter_stem(word)
        return out

    def stem_tokens(self, tokens) -> list[str]:
        return [self(t) for t in tokens]


_IRREGULAR = {
    "was": "be", "were": "be", "is": "be", "are": "be", "am": "be", "been": "be", "being": "be",
    "has": "have", "had": "have", "did": "do", "does": "do", "done": "do", "went": "go",
    "gone": "go", "saw": "see", "seen": "see", "ran": "run", "ate": "eat", "eaten": "eat",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "came": "come",
    "made": "make", "said": "say", "thought": "think", "brought": "bring", "bought": "buy",
    "caught": "catch", "taught": "teach", "felt": "feel", "kept": "keep", "left": "leave",
    "knew": "know", "known": "know", "wrote": "write", "written": "write", "spoke": "speak",
    "children": "child", "men": "man", "women": "woman", "mice": "mouse", "feet": "foot",
    "teeth": "tooth", "geese": "goose", "people": "person", "better": "good", "best": "good",
    "worse": "bad", "worst": "bad", "studies": "study", "flies": "fly", "lives": "life",
    "knives": "knife", "wives": "wife", "leaves": "leaf", "wolves": "wolf",
}  # fmt: skip

_SUFFIX_RULES = [  # (suffix, replacement), tried in order; result must be a dictionary word
    ("ies", "y"), ("ves", "f"), ("sses", "ss"), ("es", ""), ("es", "e"), ("s", ""),
    ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("ier", "y"),
    ("iest", "y"), ("er", ""), ("est", ""), ("ly", ""), ("ily", "y"),
]  # fmt: skip


class Lemmatizer:
    """Dictionary lemmatizer: irregular table, then suffix rules that must yield a known word.

    Doubled final consonants are undone ('running' -> 'runn' -> 'run'). Unknown words are
    returned unchanged, so the output is a dictionary word whenever the input lemma is known.
    """

    def __init__(self, dictionary=None):
        from ._wordlist import BASE_WORDS

        self.dictionary = frozenset(BASE_WORDS if dictionary is None else dictionary)

    def __call__(self, word: str) -> str:
        if not isinstance(word, str):
            raise TypeError(f"word: expected str, got {type(word).__name__}.")
        w = word.lower()
        if w in _IRREGULAR:
            return _IRREGULAR[w]
        if w in self.dictionary:
            return w
        for suffix, repl in _SUFFIX_RULES:
            if w.endswith(suffix) and len(w) > len(suffix) + 1:
                cand = w[: -len(suffix)] + repl
                if cand in self.dictionary:
                    return cand
                if len(cand) > 2 and cand[-1] == cand[-2] and cand[:-1] in self.dictionary:
                    return cand[:-1]
        return w
