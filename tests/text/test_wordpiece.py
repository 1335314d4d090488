"""WordPiece vs the Hugging Face `tokenizers` reference on MiniLM's tokenizer.json (TX-03)."""

import pytest
import tokenizers

from glassml.datasets import minilm_files
from glassml.text.wordpiece import WordPieceTokenizer, basic_tokenize

SENTENCES = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "Unaffable héllo naïve café résumé Ångström",
    "Numbers: 3.14159, 2,000,000 and 42nd street; call 555-1234.",
    "e-mail me at someone@example.com (or not)...",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "a" * 101 + " short",
    "x" * 100,
    "我喜欢机器学习 and 日本語のテキスト",
    "Emoji 😀 and symbols ™ © ∑ √ → ☃",
    "tab\tnew\nline\r\ncontrol\x00char\u200bzero width\ufffd",
    "don't won't it's O'Neill",
    "[CLS] already special [SEP] tokens [MASK] here",
    "",
    "   ",
    "ÀÉÎÕÜ ÇÑ ßẞ İstanbul",
    "Ελληνικά κείμενο και русский текст",
    "مرحبا بالعالم",
    "C++ & C# are <languages>; 100% {sure} [maybe] |pipe| ~tilde~ `code` ^caret^",
]


@pytest.fixture(scope="module")
def tokenizers_pair():
    files = minilm_files()
    ref = tokenizers.Tokenizer.from_file(str(files.tokenizer))
    ref.no_padding()
    ref.no_truncation()
    return WordPieceTokenizer.from_file(files.vocab), ref


@pytest.mark.parametrize("text", SENTENCES)
def test_ids_match_reference(tokenizers_pair, text):
    ours, ref = tokenizers_pair
    enc = ref.encode(text)
    got = ours.encode(text)
    assert got["input_ids"] == enc.ids
    assert got["token_type_ids"] == enc.type_ids
    assert got["attention_mask"] == enc.attention_mask
    assert ours.tokenize(text) == enc.tokens[1:-1]


@pytest.mark.parametrize("i", range(0, len(SENTENCES) - 1, 2))
def test_pairs_truncation_padding_match_reference(tokenizers_pair, i):
    ours, ref = tokenizers_pair
    a, b = SENTENCES[i], SENTENCES[i + 1]
    for max_length in (8, 16, 64):
        ref.enable_truncation(max_length=max_length, strategy="longest_first")
        ref.enable_padding(length=max_length, pad_id=0, pad_token="[PAD]")
        try:
            enc = ref.encode(a, b)
        finally:
            ref.no_padding()
            ref.no_truncation()
        got = ours.encode(a, b, max_length=max_length, truncation=True, padding="max_length")
        assert got["input_ids"] == enc.ids
        assert got["token_type_ids"] == enc.type_ids
        assert got["attention_mask"] == enc.attention_mask


def test_decode_round_trip(tokenizers_pair):
    ours, _ = tokenizers_pair
    ids = ours.encode("Unaffable tokenization works, mostly.")["input_ids"]
    assert ours.decode(ids) == "unaffable tokenization works, mostly."


def test_basic_tokenize_hand_checked():
    assert basic_tokenize("Héllo, 世界!") == ["hello", ",", "世", "界", "!"]


def test_bad_inputs(tokenizers_pair):
    ours, _ = tokenizers_pair
    with pytest.raises(TypeError, match="text"):
        ours.tokenize(123)
    with pytest.raises(ValueError, match="max_length"):
        ours.encode("hi", truncation=True)
    with pytest.raises(ValueError, match="padding"):
        ours.encode("hi", padding="longest_ever", max_length=4)
    with pytest.raises(ValueError, match="special tokens"):
        WordPieceTokenizer(["a", "b"])
