"""Byte-level BPE (SmolLM2's tokenizer from its GGUF) against the Hugging Face implementations.

References: the ``tokenizers`` package configured like SmolLM2's original ``tokenizer.json``
(Digits(individual_digits=True) + ByteLevel), and transformers' tokenizer loaded from the GGUF
(which ignores ``tokenizer.ggml.pre`` and so differs on whitespace runs before digits).
"""

import codecs

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassml.io.gguf import GGUFFile
from glassml.text.byte_bpe import ByteLevelBPETokenizer, bytes_to_unicode

TEXTS = [
    "The capital of France is",
    "Hello, world! How are you today?",
    "abc 123  4567 x 2024-11-21 3.14159e-10 1,000,000 $5.99 50%",
    "  leading, inner   and trailing whitespace   ",
    "héllo wörld — ünïcode ñ ß Ωμέγα Привет 日本語のテキスト 한국어",
    "emoji 😀👍🏽 family 👨\u200d👩\u200d👧 flags 🇫🇷",
    "def f(x):\n\treturn x**2  # comment\n\n\n    pass\r\n",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "I'm you're they'll we'd She's it's ITS'S",
    "tabs\t\tand\u00a0nbsp and \u2003em space",
    "<|endoftext|><|im_end|>glued<repo_name>x",
    "",
    " ",
    "a" * 200,
    "\x00\x01 control \x7f bytes",
]


@pytest.fixture(scope="module")
def gguf_file():
    from glassml.datasets import smollm2_file

    return GGUFFile(smollm2_file())


@pytest.fixture(scope="module")
def tok(gguf_file):
    return ByteLevelBPETokenizer.from_gguf(gguf_file)


@pytest.fixture(scope="module")
def reference(gguf_file, tok):
    """SmolLM2's original tokenizer.json pipeline, rebuilt with the tokenizers package."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    merges = [tuple(m.split(" ")) for m in gguf_file.metadata["tokenizer.ggml.merges"]]
    ref = Tokenizer(models.BPE(vocab=dict(tok.vocab), merges=merges))
    ref.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    ref.decoder = decoders.ByteLevel()
    ref.add_special_tokens(
        [AddedToken(s, normalized=False, special=True) for s in tok.special_tokens]
    )
    return ref


def test_metadata(tok):
    assert tok.vocab_size == 49152 and len(tok.merge_ranks) == 48900
    assert tok.pre_tokenizer == "smollm"
    assert (tok.bos_token_id, tok.eos_token_id) == (1, 2)
    assert tok.tokens[1] == "<|im_start|>" and tok.tokens[2] == "<|im_end|>"
    assert not tok.add_bos_token and len(tok.special_tokens) == 17


@pytest.mark.parametrize("text", TEXTS)
def test_ids_equal_reference_and_roundtrip(tok, reference, text):
    ids = tok.encode(text)
    assert ids == reference.encode(text).ids
    assert tok.decode(ids) == text
    assert tok.decode(ids) == reference.decode(ids, skip_special_tokens=False)
    assert tok.decode(ids, skip_special_tokens=True) == reference.decode(ids)


def test_known_ids(tok):
    # ids of a prompt checked against transformers' GGUF tokenizer (offline-data.md, 4c)
    assert tok.encode("The capital of France is") == [504, 3575, 282, 4649, 314]
    assert tok.tokenize(" 12") == ["Ġ", "1", "2"]  # digits isolated, never merged


def test_long_text_equals_reference(tok, reference):
    from pathlib import Path

    import glassml.io.gguf as module

    text = Path(module.__file__).read_text(encoding="utf-8") * 2
    assert tok.encode(text) == reference.encode(text).ids


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_property_random_text(tok, reference, text):
    ids = tok.encode(text)
    assert ids == reference.encode(text).ids
    known = set(tok.vocab)
    if all(tok.byte_encoder[b] in known for b in text.encode("utf-8")):
        assert tok.decode(ids) == text


def test_bytes_missing_from_vocabulary_are_dropped(tok, reference):
    text = "a\x04b \U00040000!"  # 0x04 and the lead byte 0xF1 have no token in SmolLM2
    ids = tok.encode(text)
    assert ids == reference.encode(text).ids
    assert tok.decode(ids) != text and "\x04" not in tok.decode(ids)


def test_split_special_tokens(tok):
    text = "<|im_end|>"
    assert tok.encode(text) == [2]
    pieces = tok.encode(text, split_special_tokens=True)
    assert len(pieces) > 1 and 2 not in pieces and tok.decode(pieces) == text


def test_streaming_decoder_never_splits_characters(tok):
    text = "emoji 😀👍🏽 日本語 ok"
    ids = tok.encode(text)
    dec = tok.stream_decoder()
    pieces = [dec.push(i) for i in ids] + [dec.flush()]
    assert "".join(pieces) == text
    assert all("\ufffd" not in p for p in pieces)
    assert any(p == "" for p in pieces)  # some token held an incomplete UTF-8 character
    skip = tok.stream_decoder(skip_special_tokens=True)
    assert "".join(skip.push(i) for i in tok.encode("<|im_start|>hi<|im_end|>")) == "hi"


def test_decode_invalid_utf8_replaced_like_reference(tok, reference):
    ids = tok.encode("😀")[:1]  # an incomplete 4-byte character
    assert (
        tok.decode(ids)
        == reference.decode(ids)
        == bytes(tok.token_bytes[ids[0]]).decode("utf-8", "replace")
    )
    assert tok.decode(np.array(ids)) == tok.decode(ids)


def test_bytes_to_unicode_is_a_printable_bijection():
    m = bytes_to_unicode()
    assert sorted(m) == list(range(256)) and len(set(m.values())) == 256
    assert all(c.isprintable() and not c.isspace() for c in m.values())
    assert m[ord(" ")] == "Ġ" and m[ord("\n")] == "Ċ" and m[ord("A")] == "A"


def test_merges_applied_by_rank():
    # "abc": both (a,b) and (b,c) exist; the lower rank wins first
    tokens = ["a", "b", "c", "ab", "bc", "abc", "a" + "bc"]
    t1 = ByteLevelBPETokenizer(tokens[:6], ["b c", "a b", "ab c"])
    assert t1.tokenize("abc") == ["a", "bc"]  # (b,c) rank 0 first; then (a,bc) has no merge
    t2 = ByteLevelBPETokenizer(tokens[:6], ["a b", "b c", "ab c"])
    assert t2.tokenize("abc") == ["abc"]


def test_chat_template(tok):
    text = tok.apply_chat_template([{"role": "user", "content": "Hi"}])
    assert text == (
        "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
        "Face<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
    )
    own_system = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]
    assert tok.apply_chat_template(own_system, add_generation_prompt=False) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
    )
    assert tok.apply_chat_template("Hi") == text
    ids = tok.apply_chat_template("Hi", tokenize=True)
    assert ids[0] == 1 and ids[-3:] == tok.encode("<|im_start|>assistant\n")[-3:]


def test_bad_inputs(tok):
    with pytest.raises(TypeError, match="text must be a str"):
        tok.encode(b"bytes")
    with pytest.raises(ValueError, match="token id 49152 is out of range"):
        tok.decode([1, 49152])
    with pytest.raises(ValueError, match="pre_tokenizer"):
        ByteLevelBPETokenizer(["a"], [], pre_tokenizer="nope")
    with pytest.raises(ValueError, match="special_tokens.*not in the vocabulary"):
        ByteLevelBPETokenizer(["a"], [], ["<s>"])
    with pytest.raises(ValueError, match="merges: entry 0"):
        ByteLevelBPETokenizer(["a"], ["a b c"])
    with pytest.raises(ValueError, match=r"messages\[0\].*content"):
        tok.apply_chat_template([{"role": "user"}])
    with pytest.raises(ValueError, match="messages"):
        tok.apply_chat_template([])
    no_template = ByteLevelBPETokenizer(["a"], [])
    with pytest.raises(NotImplementedError, match="only ChatML"):
        no_template.apply_chat_template("hi")


@pytest.mark.slow
def test_transformers_gguf_tokenizer(tok, gguf_file):
    """Real task: ids, decoding and chat template equal to transformers' GGUF tokenizer (except
    a whitespace run before a digit, where it ignores tokenizer.ggml.pre = smollm)."""
    from transformers import AutoTokenizer

    path = gguf_file.path
    hf = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    for text in TEXTS:
        ids = tok.encode(text)
        if "  4" in text:
            continue  # documented divergence, checked below
        assert ids == hf.encode(text, add_special_tokens=True), text
        assert tok.decode(ids) == hf.decode(ids)
        assert tok.decode(ids, skip_special_tokens=True) == hf.decode(ids, skip_special_tokens=True)
    assert tok.tokenize("a  4") == ["a", "ĠĠ", "4"]  # SmolLM2 / llama.cpp
    assert hf.tokenize("a  4") == ["a", "Ġ", "Ġ", "4"]  # transformers' GGUF path (GPT-2 regex)
    for messages in (
        [{"role": "user", "content": "What is 2+2?"}],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        [
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Capital of France?"},
        ],
    ):
        for gen in (True, False):
            expected = hf.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)
            assert tok.apply_chat_template(messages, add_generation_prompt=gen) == expected


def test_incremental_decoder_matches_codecs(tok):
    ids = tok.encode("ünï 😀")
    whole = b"".join(tok.token_bytes[i] for i in ids)
    assert codecs.decode(whole, "utf-8") == tok.decode(ids)
