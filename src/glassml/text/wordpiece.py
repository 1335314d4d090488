"""WordPiece tokenizer with BERT's (uncased) basic pre-processing (Inventory: TX-03).

Pipeline: clean control characters -> space out CJK ideographs -> lowercase -> NFD and drop
combining marks -> split on whitespace and punctuation -> greedy longest-match-first WordPiece
with "##" continuation pieces ([UNK] for words longer than 100 chars or with no match) ->
[CLS] A [SEP] (B [SEP]) with token_type_ids 0/1, truncation (longest first) and padding.

Example
-------
>>> from glassml.datasets import minilm_files
>>> tok = WordPieceTokenizer.from_file(minilm_files().vocab)      # doctest: +SKIP
>>> tok.tokenize("Unaffable héllo!")                                # doctest: +SKIP
['una', '##ffa', '##ble', 'hello', '!']
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

__all__ = ["WordPieceTokenizer", "basic_tokenize"]

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_CJK_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)  # fmt: skip


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True  # all ASCII non-alphanumerics count as punctuation in BERT
    return unicodedata.category(ch).startswith("P")


def _normalize(text: str, lowercase: bool) -> str:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if ch.isspace():
            out.append(" ")
        elif _is_cjk(cp):
            out.extend((" ", ch, " "))
        else:
            out.append(ch)
    text = "".join(out)
    if lowercase:
        text = unicodedata.normalize("NFD", text)
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        text = text.lower()
    return text


def basic_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """BERT's BasicTokenizer: clean, CJK spacing, lowercase + strip accents, split punctuation."""
    words = []
    for chunk in _normalize(text, lowercase).split():
        start = 0
        for i, ch in enumerate(chunk):
            if _is_punctuation(ch):
                if i > start:
                    words.append(chunk[start:i])
                words.append(ch)
                start = i + 1
        if start < len(chunk):
            words.append(chunk[start:])
    return words


class WordPieceTokenizer:
    """Greedy longest-match-first WordPiece over a fixed vocabulary (BERT uncased).

    Parameters
    ----------
    vocab : dict token -> id (or list of tokens in id order).
    lowercase : fold case and strip accents (uncased BERT).
    max_input_chars_per_word : longer words become [UNK].
    """

    def __init__(self, vocab, *, lowercase=True, max_input_chars_per_word=100, unk_token="[UNK]"):
        if isinstance(vocab, dict):
            self.vocab = dict(vocab)
        else:
            self.vocab = {tok: i for i, tok in enumerate(vocab)}
        missing = [t for t in SPECIAL_TOKENS if t not in self.vocab]
        if missing:
            raise ValueError(f"vocab: missing special tokens {missing}.")
        self.ids_to_tokens = {i: t for t, i in self.vocab.items()}
        self.lowercase = lowercase
        self.max_input_chars_per_word = max_input_chars_per_word
        self.unk_token = unk_token
        self._cache: dict[str, list[str]] = {}
        specials = "|".join(re.escape(t) for t in SPECIAL_TOKENS)
        self._special_split = re.compile(f"({specials})")

    @classmethod
    def from_file(cls, path, **kwargs) -> WordPieceTokenizer:
        """Read a BERT ``vocab.txt`` (one token per line, id = line number)."""
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls(lines, **kwargs)

    @property
    def pad_token_id(self):
        return self.vocab["[PAD]"]

    def _wordpiece(self, word: str) -> list[str]:
        """Split one word into the longest vocabulary pieces, left to right."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            piece = None
            while start < end:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.vocab:
                    piece = candidate
                    break
                end -= 1
            if piece is None:
                pieces = [self.unk_token]
                break
            pieces.append(piece)
            start = end
        self._cache[word] = pieces
        return pieces

    def tokenize(self, text: str) -> list[str]:
        """Word pieces of ``text`` (special tokens written in the text are kept whole)."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected str, got {type(text).__name__}.")
        tokens = []
        for part in self._special_split.split(text):
            if part in SPECIAL_TOKENS:
                tokens.append(part)
                continue
            for word in basic_tokenize(part, self.lowercase):
                tokens.extend(self._wordpiece(word))
        return tokens

    def convert_tokens_to_ids(self, tokens) -> list[int]:
        unk = self.vocab[self.unk_token]
        return [self.vocab.get(t, unk) for t in tokens]

    def encode(self, text, text_pair=None, *, add_special_tokens=True, max_length=None,
               truncation=False, padding=False) -> dict:  # fmt: skip
        """ids for [CLS] A [SEP] (B [SEP]); returns input_ids, token_type_ids, attention_mask.

        ``truncation=True`` trims the longer sequence one token at a time until the total fits
        ``max_length``; ``padding`` in {False, 'max_length'} pads with [PAD] to ``max_length``.
        """
        if padding not in (False, True, "max_length", "do_not_pad"):
            raise ValueError(f"padding: expected False or 'max_length', got {padding!r}.")
        if (truncation or padding in (True, "max_length")) and max_length is None:
            raise ValueError("max_length: required when truncation or padding is requested.")
        a = self.convert_tokens_to_ids(self.tokenize(text))
        b = None if text_pair is None else self.convert_tokens_to_ids(self.tokenize(text_pair))
        if truncation:
            n_special = (3 if b is not None else 2) if add_special_tokens else 0
            budget = max_length - n_special
            if budget < 0:
                raise ValueError(f"max_length: {max_length} is too small for the special tokens.")
            if b is None:
                a = a[:budget]
            elif len(a) + len(b) > budget:
                # Longest first: cut the longer down towards the shorter; if both still
                # overflow, split the budget in halves (the longer gets the odd token).
                short, long_ = sorted((len(a), len(b)))
                n_long = short if short > budget else max(short, budget - short)
                if short + n_long > budget:
                    short, n_long = budget // 2, budget // 2 + budget % 2
                n_a, n_b = (n_long, short) if len(a) > len(b) else (short, n_long)
                a, b = a[:n_a], b[:n_b]
        cls_, sep = self.vocab["[CLS]"], self.vocab["[SEP]"]
        ids = [cls_, *a, sep] if add_special_tokens else list(a)
        types = [0] * len(ids)
        if b is not None:
            part = [*b, sep] if add_special_tokens else list(b)
            ids += part
            types += [1] * len(part)
        mask = [1] * len(ids)
        if padding in (True, "max_length") and len(ids) < max_length:
            n_pad = max_length - len(ids)
            ids += [self.pad_token_id] * n_pad
            types += [0] * n_pad
            mask += [0] * n_pad
        return {"input_ids": ids, "token_type_ids": types, "attention_mask": mask}

    def decode(self, ids, skip_special_tokens=True) -> str:
        """Join pieces, gluing '##' continuations to the previous piece."""
        tokens = [self.ids_to_tokens[i] for i in ids]
        if skip_special_tokens:
            tokens = [t for t in tokens if t not in SPECIAL_TOKENS]
        text = " ".join(tokens).replace(" ##", "")
        return re.sub(r" ([.,!?;:'])", r"\1", text)
