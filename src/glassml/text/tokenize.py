"""Simple tokenizers: characters, regex words (scikit-learn's default pattern), whitespace.

Inventory: TX-01.

Example
-------
>>> word_tokenize("The cat's hat, 2 times!")
['The', 'cat', 'hat', 'times']
>>> char_tokenize("ab c")
['a', 'b', ' ', 'c']
"""

from __future__ import annotations

import re

__all__ = ["DEFAULT_TOKEN_PATTERN", "char_tokenize", "word_tokenize", "whitespace_tokenize"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn: words of 2+ word characters


def _check_text(text):
    if not isinstance(text, str):
        raise TypeError(f"text: expected str, got {type(text).__name__}.")


def char_tokenize(text: str) -> list[str]:
    """Every character is a token."""
    _check_text(text)
    return list(text)


def word_tokenize(text: str, pattern: str = DEFAULT_TOKEN_PATTERN, lowercase=False) -> list[str]:
    """All non-overlapping matches of ``pattern`` (default: 2+ word characters)."""
    _check_text(text)
    return re.findall(pattern, text.lower() if lowercase else text)


def whitespace_tokenize(text: str) -> list[str]:
    """Split on runs of whitespace."""
    _check_text(text)
    return text.split()
