"""Real all-MiniLM-L6-v2 sentence embeddings (TR-18, TR-22) against sentence-transformers, loaded
offline from the same package folder; ColBERT MaxSim (TR-21) against its direct definition."""

import os

import numpy as np
import pytest

from glassml.datasets import minilm_files
from glassml.models.bert import BertConfig, BertModel
from glassml.models.sentence_encoder import SentenceEncoder, colbert_maxsim
from glassml.text.wordpiece import WordPieceTokenizer

SENTENCES = [
    "Hello, world!",
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A monkey is playing drums.",
    "ok",
    "?",
    "",
    "Wait... what?! Really -- no way; (seriously) [maybe] {never}.",
    "Café résumé naïve Ångström Zürich São Paulo",
    "ÀÉÎÕÜ ÇÑ ß İstanbul Ελληνικά κείμενο русский текст",
    "我喜欢机器学习。自然语言处理很有趣!",
    "日本語のテキストと English mixed 한국어",
    "The price rose 3.5% to $1,234.56 on 2024-01-15 at 09:30.",
    "Call 555-1234 or e-mail someone@example.com before 5pm.",
    "supercalifragilisticexpialidocious antidisestablishmentarianism",
    "Emoji 😀 and symbols ™ © ∑ √ → ☃",
    "tabs\tand\nnewlines\r\nin one sentence",
    "don't won't it's O'Neill's rock'n'roll",
    "The quick brown fox jumps over the lazy dog. " * 3,
    " ".join(f"token{i}" for i in range(120)),  # ~360 pieces: truncated at 256
    "Machine learning is a field of study in artificial intelligence concerned with the "
    "development of statistical algorithms that can learn from data and generalize to unseen "
    "data, and thus perform tasks without explicit instructions. " * 6,  # > 256 tokens
    "UPPER CASE TEXT IS LOWERCASED BY THE UNCASED MODEL",
    "numbers 1 22 333 4444 55555 666666 7777777",
    "C++ & C# are <languages>; 100% {sure} |pipe| ~tilde~ `code` ^caret^",
    "A cheetah is running behind its prey.",
    "The new movie is awesome",
]


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder.from_minilm()


@pytest.fixture(scope="module")
def reference():
    os.environ["HF_HUB_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(1)
    return SentenceTransformer(str(minilm_files().weights.parent), device="cpu")


@pytest.mark.slow
def test_token_ids_identical(encoder, reference):
    ours = encoder.tokenize(SENTENCES)
    feats = reference.tokenize(SENTENCES)
    mask = feats["attention_mask"].numpy()
    ref_ids = feats["input_ids"].numpy()
    for i, ids in enumerate(ours):
        assert ids == ref_ids[i, : mask[i].sum()].tolist(), SENTENCES[i]
    assert max(len(x) for x in ours) == 256 == reference.max_seq_length  # truncation happened


@pytest.mark.slow
def test_embeddings_match_sentence_transformers(encoder, reference):
    ours = encoder.encode(SENTENCES, batch_size=8)
    ref = reference.encode(SENTENCES, batch_size=8, convert_to_numpy=True)
    assert ours.dtype == np.float32 and ours.shape == (len(SENTENCES), 384)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-5)
    cosine = (ours * ref).sum(1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(ref, axis=1)
    assert cosine.min() > 0.99999
    # order restored after length sorting; a single string gives one vector
    np.testing.assert_allclose(encoder.encode(SENTENCES[5]), ours[5], rtol=0, atol=1e-6)
    unnormalized = encoder.encode(SENTENCES[:4], normalize=False)
    ref_raw = reference.encode(SENTENCES[:4], normalize_embeddings=False)
    # sentence-transformers' pipeline already normalises (Normalize module): compare directions
    np.testing.assert_allclose(
        unnormalized / np.linalg.norm(unnormalized, axis=1, keepdims=True), ref_raw, atol=1e-5
    )
    assert np.all(np.abs(np.linalg.norm(unnormalized, axis=1) - 1) > 1e-3)


def test_hidden_states_match_transformers(encoder):
    import torch
    import transformers

    ref = transformers.BertModel.from_pretrained(str(minilm_files().weights.parent)).eval()
    ids = encoder.tokenize(SENTENCES[:3])
    t = max(map(len, ids))
    batch = np.array([x + [0] * (t - len(x)) for x in ids])
    mask = (batch != 0).astype(np.int64)
    h, pooled = encoder.model(batch, mask)
    with torch.no_grad():
        r = ref(input_ids=torch.from_numpy(batch), attention_mask=torch.from_numpy(mask))
    keep = mask.astype(bool)
    np.testing.assert_allclose(h.numpy()[keep], r.last_hidden_state.numpy()[keep], atol=1e-4)
    np.testing.assert_allclose(pooled.numpy(), r.pooler_output.numpy(), atol=1e-5)


def test_similarity_ranks_paraphrases(encoder):
    sim = encoder.similarity(["A man is eating food."], SENTENCES[2:8])
    assert sim.shape == (1, 6) and int(np.argmax(sim)) == 0  # "eating a piece of bread"
    e = encoder.encode(SENTENCES[:3])
    np.testing.assert_allclose(encoder.similarity(e, e), e @ e.T, atol=1e-6)


def test_colbert_maxsim_matches_definition(encoder):
    rng = np.random.default_rng(0)
    q, d = rng.standard_normal((5, 8)), rng.standard_normal((7, 8))
    direct = sum(max(float(qi @ dj) for dj in d) for qi in q)
    assert colbert_maxsim(q, d) == pytest.approx(direct, rel=1e-12)
    scores = colbert_maxsim(q, [d, d[:2]])
    assert scores.shape == (2,) and scores[0] >= scores[1]
    tq = encoder.token_embeddings("a man eats food")
    docs = [encoder.token_embeddings(s) for s in ("A man is eating a meal.", "A monkey drums.")]
    assert tq.shape[1] == 384 and np.allclose(np.linalg.norm(tq, axis=1), 1, atol=1e-5)
    s = colbert_maxsim(tq, docs)
    assert s[0] > s[1]
    with pytest.raises(ValueError, match="d_tokens"):
        colbert_maxsim(q, rng.standard_normal((3, 4)))
    with pytest.raises(ValueError, match="q_tokens"):
        colbert_maxsim(q[0], d)


def test_cls_pooling_and_small_model():
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world"]
    cfg = BertConfig(vocab_size=7, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=16, max_position_embeddings=8)  # fmt: skip
    model = BertModel(cfg, generator=np.random.default_rng(0))
    enc = SentenceEncoder(model, WordPieceTokenizer(vocab), max_seq_length=8, pooling="cls")
    e = enc.encode(["hello world", "world"], normalize=False, progress=True)
    h, _ = model.eval()(np.array([[2, 5, 6, 3]]))
    np.testing.assert_allclose(e[0], h.numpy()[0, 0], rtol=1e-6)


def test_bad_inputs(encoder):
    with pytest.raises(TypeError, match="sentences"):
        encoder.encode(["ok", 3])
    with pytest.raises(ValueError, match="batch_size"):
        encoder.encode(["ok"], batch_size=0)
    with pytest.raises(ValueError, match="max_seq_length"):
        SentenceEncoder(encoder.model, encoder.tokenizer, max_seq_length=1000)
    with pytest.raises(ValueError, match="pooling"):
        SentenceEncoder(encoder.model, encoder.tokenizer, pooling="max")
    with pytest.raises(TypeError, match="model"):
        SentenceEncoder("minilm", encoder.tokenizer)
    with pytest.raises(ValueError, match="384"):
        encoder.similarity(np.zeros((2, 5)), np.zeros((2, 5)))
