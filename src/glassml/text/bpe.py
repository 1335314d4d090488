"""Byte-pair encoding (Sennrich et al. 2016): learn merges from word frequencies (TX-02).

Training: words -> symbol sequences (characters + end-of-word "</w>"); repeat num_merges times:
count adjacent symbol pairs weighted by word frequency, merge the most frequent pair everywhere.
Encoding: apply the learned merges by rank (lowest rank first) to each word (cached per word).
Byte-level mode starts from the UTF-8 bytes, so every string is encodable: OOV rate 0.

Example
-------
>>> bpe = BPETokenizer(num_merges=10).fit(["low lower lowest", "newer wider"])
>>> bpe.decode(bpe.encode("lowest newest"))
'lowest newest'
"""

from __future__ import annotations

from collections import Counter

__all__ = ["BPETokenizer"]

EOW = "</w>"


class BPETokenizer:
    """Character (or byte) level BPE with an end-of-word marker.

    Parameters
    ----------
    num_merges : number of merge operations learned.
    byte_level : start from UTF-8 bytes (rendered as '<xx>' hex symbols for non-printables is
        avoided: bytes map to chr(byte) so symbols stay one character per byte).
    lowercase : fold case before splitting into words.
    """

    def __init__(self, *, num_merges=1000, byte_level=True, lowercase=False):
        if not isinstance(num_merges, int) or num_merges < 0:
            raise ValueError(f"num_merges: expected an int >= 0, got {num_merges!r}.")
        self.num_merges, self.byte_level, self.lowercase = num_merges, byte_level, lowercase

    def _symbols(self, word: str) -> tuple:
        if self.byte_level:
            chars = [chr(b) for b in word.encode("utf-8")]
        else:
            chars = list(word)
        return (*chars, EOW)

    def _words(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"text: expected str, got {type(text).__name__}.")
        return (text.lower() if self.lowercase else text).split()

    def fit(self, corpus) -> BPETokenizer:
        """Learn merges from an iterable of strings."""
        if isinstance(corpus, str):
            corpus = [corpus]
        freqs = Counter(w for doc in corpus for w in self._words(doc))
        words = {self._symbols(w): c for w, c in freqs.items()}
        # pair -> total weighted count, and pair -> set of words containing it
        pair_counts: Counter = Counter()
        where: dict = {}
        for sym, c in words.items():
            for p in zip(sym, sym[1:], strict=False):
                pair_counts[p] += c
                where.setdefault(p, set()).add(sym)
        self.merges = []
        for _ in range(self.num_merges):
            if not pair_counts:
                break
            top = max(pair_counts.values())
            if top < 1:
                break
            best = min(p for p, c in pair_counts.items() if c == top)  # ties: smallest pair
            self.merges.append(best)
            merged = best[0] + best[1]
            for sym in list(where.get(best, ())):
                c = words.pop(sym)
                for p in zip(sym, sym[1:], strict=False):  # remove old pairs of this word
                    pair_counts[p] -= c
                    if pair_counts[p] <= 0:
                        del pair_counts[p]
                    where.get(p, set()).discard(sym)
                new = _merge(sym, best, merged)
                words[new] = words.get(new, 0) + c
                for p in zip(new, new[1:], strict=False):
                    pair_counts[p] += c
                    where.setdefault(p, set()).add(new)
        self.ranks = {p: i for i, p in enumerate(self.merges)}
        base = {s for sym in (self._symbols(w) for w in freqs) for s in sym}
        if self.byte_level:
            base |= {chr(b) for b in range(256)}
        tokens = sorted(base) + [a + b for a, b in self.merges]
        self.vocab = {t: i for i, t in enumerate(dict.fromkeys(tokens))}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self._cache = {}
        return self

    def _encode_word(self, word: str) -> tuple:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        sym = self._symbols(word)
        while len(sym) > 1:
            ranked = [(self.ranks.get(p, float("inf")), p) for p in zip(sym, sym[1:], strict=False)]
            rank, pair = min(ranked)
            if rank == float("inf"):
                break
            sym = _merge(sym, pair, pair[0] + pair[1])
        self._cache[word] = sym
        return sym

    def tokenize(self, text: str) -> list[str]:
        """Subword symbols of ``text``."""
        return [s for w in self._words(text) for s in self._encode_word(w)]

    def encode(self, text: str) -> list[int]:
        """Token ids (unknown base symbols only possible when byte_level=False -> ValueError)."""
        out = []
        for s in self.tokenize(text):
            if s not in self.vocab:
                raise ValueError(f"text: symbol {s!r} not in the character-level vocabulary.")
            out.append(self.vocab[s])
        return out

    def decode(self, ids) -> str:
        """Inverse of encode (words separated by single spaces)."""
        pieces = []
        for i in ids:
            token = self.id_to_token[i]
            end_of_word = token.endswith(EOW)
            pieces.append(token[: -len(EOW)] if end_of_word else token)
            if end_of_word:
                pieces.append(" ")
        text = "".join(pieces).rstrip(" ")
        if self.byte_level:  # symbols are chr(byte): map back to bytes, then UTF-8
            text = bytes(ord(c) for c in text).decode("utf-8", errors="replace")
        return text


def _merge(sym: tuple, pair: tuple, merged: str) -> tuple:
    out, i, n = [], 0, len(sym)
    while i < n:
        if i < n - 1 and sym[i] == pair[0] and sym[i + 1] == pair[1]:
            out.append(merged)
            i += 2
        else:
            out.append(sym[i])
            i += 1
    return tuple(out)
