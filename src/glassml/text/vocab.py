"""Vocabulary: token <-> id with special tokens, min_freq and max_size (Inventory: TX-06).

Ids 0..5 are the specials [PAD], [UNK], [BOS], [EOS], [MASK], [CLS], [SEP] (in that order); then
tokens by decreasing frequency (ties alphabetical). Unknown tokens encode to [UNK].

Example
-------
>>> v = Vocabulary(min_freq=1).fit([["a", "b", "a"]])
>>> v.encode(["a", "zzz"])
[7, 1]
"""

from __future__ import annotations

from collections import Counter

__all__ = ["Vocabulary", "SPECIALS"]

SPECIALS = ("[PAD]", "[UNK]", "[BOS]", "[EOS]", "[MASK]", "[CLS]", "[SEP]")


class Vocabulary:
    """Token table built from tokenised documents."""

    def __init__(self, *, min_freq=1, max_size=None, specials=SPECIALS):
        if not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(f"min_freq: expected an int >= 1, got {min_freq!r}.")
        if max_size is not None and (not isinstance(max_size, int) or max_size < 1):
            raise ValueError(f"max_size: expected an int >= 1 or None, got {max_size!r}.")
        self.min_freq, self.max_size, self.specials = min_freq, max_size, tuple(specials)
        self.itos = list(self.specials)
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def fit(self, documents) -> Vocabulary:
        """Count tokens over an iterable of token lists and assign ids."""
        counts = Counter(t for doc in documents for t in doc)
        ranked = sorted((t for t, c in counts.items() if c >= self.min_freq and t not in self.stoi),
                        key=lambda t: (-counts[t], t))  # fmt: skip
        if self.max_size is not None:
            ranked = ranked[: self.max_size]
        self.itos = list(self.specials) + ranked
        self.stoi = {t: i for i, t in enumerate(self.itos)}
        self.counts = counts
        return self

    def __len__(self):
        return len(self.itos)

    def __contains__(self, token):
        return token in self.stoi

    @property
    def unk_id(self):
        return self.stoi["[UNK]"]

    @property
    def pad_id(self):
        return self.stoi["[PAD]"]

    def encode(self, tokens, add_bos_eos=False) -> list[int]:
        """Ids of ``tokens`` ([UNK] for unknown); optionally wrapped in [BOS] ... [EOS]."""
        unk = self.unk_id
        ids = [self.stoi.get(t, unk) for t in tokens]
        if add_bos_eos:
            ids = [self.stoi["[BOS]"], *ids, self.stoi["[EOS]"]]
        return ids

    def decode(self, ids, skip_specials=True) -> list[str]:
        """Tokens of ``ids`` (specials dropped unless ``skip_specials=False``)."""
        for i in ids:
            if not 0 <= i < len(self.itos):
                raise ValueError(f"ids: id {i} out of range [0, {len(self.itos)}).")
        toks = [self.itos[i] for i in ids]
        return [t for t in toks if t not in self.specials] if skip_specials else toks
