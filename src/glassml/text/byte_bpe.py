"""Byte-level BPE (GPT-2 style) with a pretrained vocabulary and merges, e.g. from a GGUF file.

Encoding a text:

1. split out the special tokens (``<|im_start|>``, ``<|im_end|>``, ...) so they map to their ids;
2. pre-tokenize each remaining segment with a regex (GPT-2's, or a model's variant: SmolLM2
   isolates every digit first, then applies GPT-2's regex), so merges never cross a pre-token;
3. write each pre-token's UTF-8 bytes as printable characters with GPT-2's byte -> unicode map
   (every string is encodable when the vocabulary has all 256 byte tokens; bytes without a
   token are dropped, like Hugging Face ``tokenizers`` and llama.cpp do);
4. apply the merges greedily by rank: repeatedly merge the adjacent pair with the lowest rank
   (the order in which the merges were learned) until no pair is in the table;
5. map the resulting symbols to ids (cached per pre-token).

Decoding concatenates each token's bytes (special tokens: their text) and decodes UTF-8.

Note on SmolLM2: its GGUF says ``tokenizer.ggml.pre = "smollm"``: llama.cpp (and the original
Hugging Face ``tokenizer.json``: ``Digits(individual_digits=True)`` then ``ByteLevel``) split every
digit into its own pre-token before GPT-2's regex, which is what ``pre_tokenizer="smollm"`` does.
transformers' GGUF loader ignores this key and keeps GPT-2's regex alone (`` ?\\p{N}+``); as the
vocabulary has no merges across digits, its ids differ only where a run of 2+ whitespace precedes
a digit ("a  1": it gives 'Ġ','Ġ','1', the model's tokenizer 'ĠĠ','1'). The notes' single
regex with `` ?\\p{N}`` (digits not isolated first) splits "a  1" into 'a',' ',' 1' and so
agrees with transformers there, not with the model's own tokenizer.

Inventory: TX-02 (BPE), TR-12 (the tokenizer of a pretrained decoder; issue 10, SmolLM2).

Example
-------
>>> tok = ByteLevelBPETokenizer(["a", "b", "ab", "Ġ", "Ġab"], ["a b", "Ġ ab"])
>>> tok.encode("ab ab")
[2, 4]
>>> tok.decode([2, 4])
'ab ab'
"""

from __future__ import annotations

import codecs
import re as _re
from collections.abc import Iterable, Sequence

import numpy as np
import regex

__all__ = [
    "ByteLevelBPETokenizer",
    "StreamingDecoder",
    "bytes_to_unicode",
    "PRETOKENIZE_PATTERNS",
]

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# name -> (regex whose matches are isolated first, or None; the main pre-tokenizer regex)
PRETOKENIZE_PATTERNS: dict[str, tuple[str | None, str]] = {
    "gpt2": (None, GPT2_PATTERN),
    "default": (None, GPT2_PATTERN),
    "smollm": (r"\p{N}", GPT2_PATTERN),
    "starcoder": (r"\p{N}", GPT2_PATTERN),
    "refact": (r"\p{N}", GPT2_PATTERN),
    "codeshell": (r"\p{N}", GPT2_PATTERN),
    "llama3": (None, LLAMA3_PATTERN),
    "llama-bpe": (None, LLAMA3_PATTERN),
}
_CACHE_LIMIT = 200_000


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible map from the 256 byte values to printable unicode characters.

    Printable Latin-1 bytes (``!``..``~``, ``¡``..``¬``, ``®``..``ÿ``) map to themselves; the other
    68 bytes (controls, space, ...) map to chr(256 + k) in order, so a space becomes ``Ġ``
    (U+0120) and a newline ``Ċ`` (U+010A).

    Example
    -------
    >>> m = bytes_to_unicode(); m[ord(" ")], m[ord("\\n")], m[ord("a")]
    ('Ġ', 'Ċ', 'a')
    """
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1)]
    keep += range(ord("®"), ord("ÿ") + 1)
    mapping, extra = {}, 0
    for b in range(256):
        if b in keep:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return mapping


class StreamingDecoder:
    """Turn token ids into text pieces as they arrive, never splitting a UTF-8 character.

    A byte-level token may hold part of a multi-byte character (an emoji is often two or three
    tokens); an incremental UTF-8 decoder keeps the incomplete tail until the next token completes
    it, so each piece is valid text and ``"".join(pieces) + flush()`` equals ``decode(ids)``.

    Example
    -------
    >>> tok = ByteLevelBPETokenizer(["a", "b"], [])
    >>> dec = StreamingDecoder(tok)
    >>> dec.push(0) + dec.push(1) + dec.flush()
    'ab'
    """

    def __init__(self, tokenizer: ByteLevelBPETokenizer, skip_special_tokens: bool = False):
        self.tokenizer = tokenizer
        self.skip_special_tokens = skip_special_tokens
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def push(self, token_id: int) -> str:
        """The text that token ``token_id`` completes (possibly '')."""
        tok = self.tokenizer
        tok._check_id(token_id)
        if self.skip_special_tokens and token_id in tok.special_ids:
            return ""
        return self._utf8.decode(tok.token_bytes[token_id])

    def flush(self) -> str:
        """Whatever is left (an incomplete character becomes U+FFFD)."""
        return self._utf8.decode(b"", final=True)


class ByteLevelBPETokenizer:
    """GPT-2 style byte-level BPE tokenizer with a given vocabulary and merge list.

    Parameters
    ----------
    tokens : sequence of str
        The vocabulary, token id = position; ordinary tokens are written in GPT-2's byte alphabet
        (see :func:`bytes_to_unicode`), special tokens as their text.
    merges : sequence of str "a b" or pairs (a, b)
        The merges, best (earliest learned) first: rank = position.
    special_tokens : iterable of str, optional
        Tokens matched whole in the text before pre-tokenization (e.g. ``<|im_end|>``).
    pre_tokenizer : str, default "gpt2"
        A key of ``PRETOKENIZE_PATTERNS`` ("smollm" isolates digits first).
    bos_token_id, eos_token_id, unk_token_id, pad_token_id : int, optional
    add_bos_token, add_eos_token : bool
        Added by ``encode(..., add_special_tokens=True)``.
    chat_template : str, optional
        The Jinja chat template of the model (only ChatML-shaped ones are rendered, see
        :meth:`apply_chat_template`).

    Bytes that have no token of their own are dropped, as Hugging Face ``tokenizers`` and
    llama.cpp do (SmolLM2 lacks 21 of the 256: e.g. 0x04 and the UTF-8 lead bytes 0xF1, 0xF2,
    which no text it was trained on contained); for such text decode(encode(s)) != s.

    Example
    -------
    >>> from glassml.io.gguf import GGUFFile                             # doctest: +SKIP
    >>> tok = ByteLevelBPETokenizer.from_gguf(GGUFFile(path))            # doctest: +SKIP
    >>> tok.encode("The capital of France is")                          # doctest: +SKIP
    [504, 3575, 282, 4649, 314]
    """

    def __init__(
        self,
        tokens: Sequence[str],
        merges: Sequence,
        special_tokens: Iterable[str] | None = None,
        *,
        pre_tokenizer: str = "gpt2",
        bos_token_id: int | None = None,
        eos_token_id: int | None = None,
        unk_token_id: int | None = None,
        pad_token_id: int | None = None,
        add_bos_token: bool = False,
        add_eos_token: bool = False,
        chat_template: str | None = None,
    ):
        if isinstance(tokens, str) or not all(isinstance(t, str) for t in tokens):
            raise TypeError("tokens: expected a sequence of str (the vocabulary)")
        self.tokens = list(tokens)
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        self.merge_ranks: dict[tuple[str, str], int] = {}
        for rank, m in enumerate(merges):
            pair = tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
            if len(pair) != 2:
                raise ValueError(f"merges: entry {rank} must be 'a b' or a pair, got {m!r}")
            self.merge_ranks.setdefault(pair, rank)
        if pre_tokenizer not in PRETOKENIZE_PATTERNS:
            raise ValueError(
                f"pre_tokenizer: expected one of {sorted(PRETOKENIZE_PATTERNS)}, "
                f"got {pre_tokenizer!r}"
            )
        self.pre_tokenizer = pre_tokenizer
        isolate, main = PRETOKENIZE_PATTERNS[pre_tokenizer]
        self._isolate = regex.compile(f"({isolate})") if isolate else None
        self._pattern = regex.compile(main)
        for name, value in (
            ("bos_token_id", bos_token_id),
            ("eos_token_id", eos_token_id),
            ("unk_token_id", unk_token_id),
            ("pad_token_id", pad_token_id),
        ):
            if value is not None and not 0 <= int(value) < len(self.tokens):
                raise ValueError(f"{name}: expected an id in [0, {len(self.tokens)}), got {value}")
        self.bos_token_id, self.eos_token_id = bos_token_id, eos_token_id
        self.unk_token_id, self.pad_token_id = unk_token_id, pad_token_id
        self.add_bos_token, self.add_eos_token = bool(add_bos_token), bool(add_eos_token)
        self.chat_template = chat_template
        self.byte_encoder = bytes_to_unicode()
        self.byte_decoder = {c: b for b, c in self.byte_encoder.items()}
        self._alphabet = frozenset(self.byte_decoder)
        self._to_latin1 = str.maketrans({c: chr(b) for c, b in self.byte_decoder.items()})
        specials = [] if special_tokens is None else list(special_tokens)
        for s in specials:
            if s not in self.vocab:
                raise ValueError(f"special_tokens: {s!r} is not in the vocabulary")
        self.special_tokens = specials
        self.special_ids = frozenset(self.vocab[s] for s in specials)
        # longest first, so that "<|im_start|>" wins over a shorter special that prefixes it
        alternation = "|".join(_re.escape(s) for s in sorted(specials, key=len, reverse=True))
        self._special_split = _re.compile(f"({alternation})") if specials else None
        self.token_bytes = [self._bytes_of(i, t) for i, t in enumerate(self.tokens)]
        self._cache: dict[str, list[int]] = {}

    def _bytes_of(self, index: int, token: str) -> bytes:
        if index in self.special_ids or not self._alphabet.issuperset(token):
            return token.encode("utf-8")  # special / non-byte-level tokens decode as their text
        return token.translate(self._to_latin1).encode("latin-1")  # chr(b) -> byte b

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_gguf(cls, gguf) -> ByteLevelBPETokenizer:
        """Build the tokenizer stored in a GGUF file's ``tokenizer.*`` metadata.

        Reads ``tokenizer.ggml.{model,pre,tokens,merges,token_type,bos/eos/unknown/padding_token_id,
        add_bos_token,add_eos_token}`` and ``tokenizer.chat_template``; tokens of type CONTROL (3)
        or USER_DEFINED (4) are the special tokens. ``gguf`` is a :class:`GGUFFile` or a path.
        """
        from glassml.io.gguf import GGUFFile

        if not isinstance(gguf, GGUFFile):
            gguf = GGUFFile(gguf)
        meta = gguf.metadata
        model = meta.get("tokenizer.ggml.model")
        if model != "gpt2":
            raise ValueError(
                f"from_gguf: expected a byte-level BPE tokenizer (tokenizer.ggml.model = 'gpt2'), "
                f"got {model!r}"
            )
        tokens = meta["tokenizer.ggml.tokens"]
        types = np.asarray(meta.get("tokenizer.ggml.token_type", np.ones(len(tokens), np.int32)))
        specials = [tokens[i] for i in np.nonzero((types == 3) | (types == 4))[0]]
        pre = meta.get("tokenizer.ggml.pre", "gpt2")
        if pre not in PRETOKENIZE_PATTERNS:
            raise ValueError(
                f"from_gguf: tokenizer.ggml.pre = {pre!r} is not supported "
                f"(supported: {sorted(PRETOKENIZE_PATTERNS)})"
            )

        def opt(key):
            value = meta.get(f"tokenizer.ggml.{key}")
            return None if value is None else int(value)

        return cls(
            tokens,
            meta.get("tokenizer.ggml.merges", []),
            specials,
            pre_tokenizer=pre,
            bos_token_id=opt("bos_token_id"),
            eos_token_id=opt("eos_token_id"),
            unk_token_id=opt("unknown_token_id"),
            pad_token_id=opt("padding_token_id"),
            add_bos_token=bool(meta.get("tokenizer.ggml.add_bos_token", False)),
            add_eos_token=bool(meta.get("tokenizer.ggml.add_eos_token", False)),
            chat_template=meta.get("tokenizer.chat_template"),
        )

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def __len__(self) -> int:
        return len(self.tokens)

    # ------------------------------------------------------------------ encoding
    def pre_tokenize(self, text: str) -> list[str]:
        """Split ``text`` (no special tokens) into the pieces that BPE merges within."""
        if self._isolate is None:
            return self._pattern.findall(text)
        pieces = []
        for k, part in enumerate(self._isolate.split(text)):
            if k % 2:  # an isolated match (a digit)
                pieces.append(part)
            elif part:
                pieces.extend(self._pattern.findall(part))
        return pieces

    def _bpe(self, piece: str) -> list[int]:
        """Ids of one pre-token: byte map, then merges by rank (lowest first)."""
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        enc = self.byte_encoder
        word = [enc[b] for b in piece.encode("utf-8")]
        ranks = self.merge_ranks
        while len(word) > 1:
            best, best_rank = None, None
            for pair in zip(word, word[1:]):  # noqa: B905 - offset by one
                r = ranks.get(pair)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = pair, r
            if best is None:
                break
            first, second = best
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == first and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        ids = []
        for sym in word:
            idx = self.vocab.get(sym)
            if idx is not None:
                ids.append(idx)
            elif len(sym) > 1:  # a merge product missing from the vocabulary: broken tables
                raise ValueError(f"encode: merged symbol {sym!r} is not in the vocabulary")
            # else: a byte the vocabulary lacks is dropped, as tokenizers and llama.cpp do
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[piece] = ids
        return ids

    def encode(
        self, text: str, add_special_tokens: bool = True, split_special_tokens: bool = False
    ) -> list[int]:
        """Token ids of ``text``.

        ``add_special_tokens`` adds BOS/EOS when the model asks for them (``add_bos_token``;
        SmolLM2: neither). Special-token strings in the text become their ids unless
        ``split_special_tokens=True`` (then they are encoded as ordinary text), like transformers.
        """
        if not isinstance(text, str):
            raise TypeError(f"encode: text must be a str, got {type(text).__name__}")
        ids: list[int] = []
        if add_special_tokens and self.add_bos_token and self.bos_token_id is not None:
            ids.append(self.bos_token_id)
        if self._special_split is None or split_special_tokens:
            segments = [text]
        else:
            segments = self._special_split.split(text)
        for k, segment in enumerate(segments):
            if k % 2 and len(segments) > 1:  # a special token
                ids.append(self.vocab[segment])
                continue
            for piece in self.pre_tokenize(segment):
                ids.extend(self._bpe(piece))
        if add_special_tokens and self.add_eos_token and self.eos_token_id is not None:
            ids.append(self.eos_token_id)
        return ids

    def tokenize(self, text: str) -> list[str]:
        """The token strings of ``text`` (byte alphabet, e.g. 'Ġcapital')."""
        return [self.tokens[i] for i in self.encode(text, add_special_tokens=False)]

    # ------------------------------------------------------------------ decoding
    def _check_id(self, i) -> None:
        if not 0 <= i < len(self.tokens):
            raise ValueError(f"decode: token id {i} is out of range [0, {len(self.tokens)})")

    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        """Text of ``ids``: the tokens' bytes joined and decoded as UTF-8 (invalid -> U+FFFD)."""
        ids = np.asarray(ids).reshape(-1) if not isinstance(ids, list) else ids
        out = []
        for i in ids:
            i = int(i)
            self._check_id(i)
            if skip_special_tokens and i in self.special_ids:
                continue
            out.append(self.token_bytes[i])
        return b"".join(out).decode("utf-8", errors="replace")

    def stream_decoder(self, skip_special_tokens: bool = False) -> StreamingDecoder:
        """A :class:`StreamingDecoder` for text pieces as token ids arrive."""
        return StreamingDecoder(self, skip_special_tokens)

    # ------------------------------------------------------------------ chat
    def apply_chat_template(
        self, messages, add_generation_prompt: bool = True, tokenize: bool = False
    ):
        """Render a conversation with ChatML, the format of SmolLM2's template.

            <|im_start|>{role}\\n{content}<|im_end|>\\n   (one per message)
            <|im_start|>assistant\\n                      (if add_generation_prompt)

        Like SmolLM2's Jinja template, a conversation that does not start with a system message
        gets the template's default system message first ("You are a helpful AI assistant named
        SmolLM, trained by Hugging Face"). Only ChatML-shaped templates are supported (checked:
        the template must write ``'<|im_start|>' + message['role']`` and ``<|im_end|>``);
        another template raises ``NotImplementedError`` (glassml does not run Jinja).

        Parameters
        ----------
        messages : str or list of {"role": str, "content": str}
            A str is one user message.
        add_generation_prompt : bool — end with the assistant header so the model answers.
        tokenize : bool — return token ids instead of the string.

        Example
        -------
        >>> tok = ByteLevelBPETokenizer(["<|im_start|>", "<|im_end|>"], [], ["<|im_start|>",
        ...     "<|im_end|>"], chat_template="'<|im_start|>' + message['role'] <|im_end|>")
        >>> tok.apply_chat_template([{"role": "system", "content": "Be brief."}])
        '<|im_start|>system\\nBe brief.<|im_end|>\\n<|im_start|>assistant\\n'
        """
        messages = _check_messages(messages)
        template = self.chat_template or ""
        chatml = "<|im_start|>" in template and "<|im_end|>" in template and "role" in template
        if not chatml:
            raise NotImplementedError(
                "apply_chat_template: only ChatML templates (<|im_start|>role ... <|im_end|>) are "
                f"supported; this tokenizer's chat_template is {template[:80]!r}"
            )
        default_system = _re.search(r"<\|im_start\|>system\n(.*?)<\|im_end\|>", template, _re.S)
        if default_system and messages and messages[0]["role"] != "system":
            messages = [{"role": "system", "content": default_system.group(1)}, *messages]
        text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
        if add_generation_prompt:
            text += "<|im_start|>assistant\n"
        return self.encode(text, add_special_tokens=False) if tokenize else text

    def __repr__(self) -> str:
        return (
            f"ByteLevelBPETokenizer(vocab_size={len(self.tokens)}, merges={len(self.merge_ranks)}, "
            f"pre_tokenizer={self.pre_tokenizer!r}, special_tokens={len(self.special_tokens)})"
        )


def _check_messages(messages) -> list[dict]:
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if not isinstance(messages, (list, tuple)) or not messages:
        raise ValueError(
            "messages: expected a str or a non-empty list of {'role': ..., 'content': ...} dicts, "
            f"got {type(messages).__name__}"
        )
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or not isinstance(m.get("role"), str):
            raise ValueError(f"messages[{i}]: expected a dict with a str 'role', got {m!r}")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"messages[{i}]: expected a str 'content', got {m.get('content')!r}")
        out.append({"role": m["role"], "content": m["content"]})
    return out
