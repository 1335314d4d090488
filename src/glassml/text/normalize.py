"""Text normalisation: case folding, accent stripping, removal of URLs, dates, digits and
punctuation, stop words, whitespace collapsing (Inventory: TX-04, DP-17).

normalize(text) = collapse_ws(drop_stop(strip_punct(strip_digits(strip_dates(strip_urls(lower(t)))))))

Example
-------
>>> normalize("Visit https://x.org on 2024-01-02: The CATS are 3 happy!", stop_words="english")
'visit cats happy'
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ENGLISH_STOP_WORDS",
    "normalize",
    "strip_accents_ascii",
    "strip_accents_unicode",
    "remove_stop_words",
]

# Our own English stop-word list: function words (articles, pronouns, auxiliaries,
# prepositions, conjunctions, common adverbs).
ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves shall may might must thee thou thy thine ye""".split()
)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})\b"
    r"|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}\b",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_PUNCT = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


def strip_accents_unicode(text: str) -> str:
    """Remove combining marks after NFKD decomposition ('café' -> 'cafe')."""
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed == text:
        return text
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_accents_ascii(text: str) -> str:
    """NFKD then drop every non-ASCII character."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def remove_stop_words(tokens, stop_words=ENGLISH_STOP_WORDS) -> list[str]:
    """Tokens not in ``stop_words``."""
    return [t for t in tokens if t not in stop_words]


def normalize(
    text: str,
    *,
    lowercase: bool = True,
    strip_accents: bool = False,
    urls: bool = True,
    dates: bool = True,
    digits: bool = True,
    punctuation: bool = True,
    stop_words=None,
) -> str:
    """Apply the normalisation pipeline to ``text`` and return the cleaned string.

    Each flag enables one step (True = remove/fold). ``stop_words`` is None, 'english' or a set.
    """
    if not isinstance(text, str):
        raise TypeError(f"text: expected str, got {type(text).__name__}.")
    if lowercase:
        text = text.lower()
    if strip_accents:
        text = strip_accents_unicode(text)
    if urls:
        text = _URL.sub(" ", text)
    if dates:
        text = _DATE.sub(" ", text)
    if digits:
        text = _DIGITS.sub(" ", text)
    if punctuation:
        text = _PUNCT.sub(" ", text)
    tokens = text.split()
    if stop_words is not None:
        if isinstance(stop_words, str):
            if stop_words != "english":
                raise ValueError(
                    f"stop_words: expected 'english', a set or None, got {stop_words!r}."
                )
            stop_words = ENGLISH_STOP_WORDS
        tokens = remove_stop_words(tokens, stop_words)
    return " ".join(tokens)
