"""word2vec, KeyedVectors and GloVe (TX-10..TX-15): gradients vs torch, quality vs gensim."""

import numpy as np
import pytest
import torch

from glassml.datasets import load_shakespeare
from glassml.text.keyed_vectors import KeyedVectors
from glassml.text.word2vec import Word2Vec, huffman_tree


def _hamlet_sentences():
    import re

    words = [re.sub(r"[^a-z']", "", w) for w in load_shakespeare(["hamlet"]).lower().split()]
    words = [w for w in words if w]
    return [words[i : i + 1000] for i in range(0, len(words), 1000)]


def test_huffman_tree_textbook_example():
    # CLRS 16.3: frequencies a..f = 45, 13, 12, 16, 9, 5 -> code lengths 1, 3, 3, 3, 4, 4
    codes, points, lengths = huffman_tree([45, 13, 12, 16, 9, 5])
    assert lengths.tolist() == [1, 3, 3, 3, 4, 4]
    assert np.isclose(np.sum(2.0**-lengths), 1.0)  # complete prefix code (Kraft equality)
    paths = {tuple(codes[w, : lengths[w]]) for w in range(6)}
    assert len(paths) == 6
    assert np.all(points[lengths > 0, 0] == points[0, 0])  # every path starts at the root


@pytest.mark.parametrize("mode", ["softmax", "hs", "negative"])
def test_update_is_alpha_times_negative_gradient(mode):
    rng = np.random.default_rng(0)
    V, d, B, alpha = 11, 6, 5, 0.1
    m = Word2Vec(vector_size=d, hs=int(mode == "hs"), negative=3 if mode == "negative" else 0)
    counts = rng.integers(1, 50, V)
    m._set_noise_distribution(counts)
    if m.hs:
        m.codes_, m.points_, m.code_len_ = huffman_tree(counts)
    m.syn1_ = rng.standard_normal((V - 1 if m.hs else V, d)).astype(np.float64)
    h = rng.standard_normal((B, d))
    out = rng.integers(0, V, B)
    W0 = torch.tensor(m.syn1_, requires_grad=True)
    H = torch.tensor(h, requires_grad=True)
    if mode == "softmax":
        loss = torch.nn.functional.cross_entropy(H @ W0.T, torch.tensor(out), reduction="sum")
    else:
        rows, labels, mask = m._targets(out, np.random.default_rng(1))
        s = (W0[torch.tensor(rows)] * H[:, None, :]).sum(-1)
        y, w = torch.tensor(labels, dtype=torch.float64), torch.tensor(mask, dtype=torch.float64)
        loss = (
            w * torch.nn.functional.binary_cross_entropy_with_logits(s, y, reduction="none")
        ).sum()
    loss.backward()
    grad_h = m._step(h, out, alpha, np.random.default_rng(1))
    np.testing.assert_allclose(grad_h, -alpha * H.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        m.syn1_, W0.detach().numpy() - alpha * W0.grad.numpy(), rtol=1e-10, atol=1e-12
    )


def test_subsampling_probability_is_gensims_formula():
    m = Word2Vec(min_count=1, sample=1e-2)
    m._build_vocab([["a"] * 90 + ["b"] * 9 + ["c"]])
    t = 1e-2 * 100
    expected = [(np.sqrt(c / t) + 1) * t / c for c in (90, 9, 1)]
    np.testing.assert_allclose(m.keep_prob_, np.minimum(expected, 1.0), rtol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize(
    "kw", [{"sg": 1, "negative": 5}, {"sg": 0, "negative": 5}, {"sg": 1, "hs": 1, "negative": 0}]
)
def test_quality_close_to_gensim_on_hamlet(kw):
    from gensim.models import Word2Vec as Gensim

    sents = _hamlet_sentences()
    params = dict(vector_size=32, window=4, min_count=5, epochs=4, **kw)
    ours = Word2Vec(progress=False, seed=0, **params).fit(sents).wv
    ref = Gensim(sents, workers=1, seed=0, **params).wv
    assert set(ours.index_to_key) == set(ref.index_to_key)
    rng = np.random.default_rng(0)
    words = ref.index_to_key[30:250]
    a, b = rng.choice(words, 300), rng.choice(words, 300)
    s_ours = [ours.similarity(x, y) for x, y in zip(a, b, strict=True)]
    s_ref = [ref.similarity(x, y) for x, y in zip(a, b, strict=True)]
    corr = np.corrcoef(s_ours, s_ref)[0, 1]
    assert corr > 0.6, corr


def test_template_corpus_classes_separate():
    rng = np.random.default_rng(0)
    animals, foods = ["cat", "dog", "horse", "cow"], ["bread", "rice", "apple", "cheese"]
    sents = []
    for _ in range(1500):
        sents.append(["the", rng.choice(animals), "runs", "and", "sleeps"])
        sents.append(["we", "eat", "tasty", rng.choice(foods), "today"])
    wv = (
        Word2Vec(vector_size=16, window=2, min_count=1, epochs=3, sample=0, progress=False)
        .fit(sents)
        .wv
    )
    intra = np.mean([wv.similarity(x, y) for g in (animals, foods) for x in g for y in g if x != y])
    inter = np.mean([wv.similarity(x, y) for x in animals for y in foods])
    assert intra > inter + 0.3


def test_keyed_vectors_neighbours_analogy_and_io(tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50)]
    vec = rng.standard_normal((50, 8)).astype(np.float32)
    kv = KeyedVectors(words, vec)
    unit = vec / np.linalg.norm(vec, axis=1, keepdims=True)
    q = unit[1] - unit[0] + unit[2]
    q /= np.linalg.norm(q)
    scores = unit @ q
    scores[[0, 1, 2]] = -np.inf
    best = words[int(np.argmax(scores))]
    assert kv.most_similar(positive=["w1", "w2"], negative=["w0"], topn=1)[0][0] == best
    assert kv.evaluate_analogies([("w0", "w1", "w2", best)]) == 1.0
    np.testing.assert_allclose(kv.similarity("w3", "w4"), unit[3] @ unit[4], rtol=1e-6)
    kv.save(tmp_path / "kv.safetensors")
    back = KeyedVectors.load(tmp_path / "kv.safetensors")
    assert back.index_to_key == words
    np.testing.assert_array_equal(back.vectors, vec)


def test_glove_king_man_woman_queen():
    kv = KeyedVectors.from_glove(20_000)
    assert kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)[0][0] == "queen"


def test_bad_inputs():
    with pytest.raises(ValueError, match="vector_size"):
        Word2Vec(vector_size=0).fit([["a"]])
    with pytest.raises(ValueError, match="sg"):
        Word2Vec(sg=2).fit([["a"]])
    with pytest.raises(ValueError, match="min_count"):
        Word2Vec(min_count=5, progress=False).fit([["a", "b"]])
    with pytest.raises(TypeError, match="sentences"):
        Word2Vec().fit(["a sentence as a string"])
    kv = KeyedVectors(["a"], np.ones((1, 2)))
    with pytest.raises(KeyError, match="zzz"):
        kv["zzz"]
    with pytest.raises(ValueError, match="vectors"):
        KeyedVectors(["a", "b"], np.ones((3, 2)))


def test_fasttext_ngrams_and_oov_vectors():
    from glassml.text.fasttext import FastText, char_ngrams
    from glassml.text.hashing import murmurhash3_32

    assert char_ngrams("where", 3, 3) == ["<wh", "whe", "her", "ere", "re>"]
    sents = [["walk", "walked", "walks", "run", "runs"]] * 200
    ft = FastText(vector_size=8, min_count=1, epochs=1, bucket=500, progress=False).fit(sents)
    rows = [murmurhash3_32(g, positive=True) % 500 for g in char_ngrams("walking")]
    np.testing.assert_allclose(ft.wv["walking"], ft.wv.ngram_vectors[rows].mean(axis=0), rtol=1e-6)
    V = len(ft.wv)
    i = ft.wv.key_to_index["walk"]
    expected = np.vstack([ft.syn0_[[i]], ft.syn0_[V + np.array(
        [murmurhash3_32(g, positive=True) % 500 for g in char_ngrams("walk")])]]).mean(axis=0)  # fmt: skip
    np.testing.assert_allclose(ft.wv["walk"], expected, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="negative"):
        FastText(negative=0).fit(sents)


def test_glove_gradients_match_torch_and_loss_decreases():
    from glassml.text.glove import GloVe, cooccurrence_matrix, glove_loss_grad

    X = cooccurrence_matrix([["a", "b", "c", "a"]], {"a": 0, "b": 1, "c": 2}, window=2).toarray()
    # pairs (distance 1): a-b, b-c, c-a; (distance 2): a-c, b-a  -> symmetric 1/d weights
    np.testing.assert_allclose(X, [[0, 1.5, 1.5], [1.5, 0, 1], [1.5, 1, 0]], rtol=1e-14)
    rng = np.random.default_rng(0)
    W, Wt, b, bt = (
        rng.normal(size=(5, 3)),
        rng.normal(size=(5, 3)),
        rng.normal(size=5),
        rng.normal(size=5),
    )
    i, j, x = np.array([0, 1, 4, 2]), np.array([1, 3, 0, 2]), np.array([3.0, 150.0, 1.0, 20.0])
    loss, gW, gWt, gb, gbt = glove_loss_grad(W, Wt, b, bt, i, j, x, 100.0, 0.75)
    T = [torch.tensor(a, requires_grad=True) for a in (W, Wt, b, bt)]
    f = torch.clamp(torch.tensor(x / 100.0) ** 0.75, max=1.0)
    diff = (T[0][i] * T[1][j]).sum(1) + T[2][i] + T[3][j] - torch.log(torch.tensor(x))
    ref = (f * diff**2).sum()
    ref.backward()
    assert np.isclose(loss, ref.item(), rtol=1e-12)
    full = np.zeros_like(W)
    np.add.at(full, i, gW)
    np.testing.assert_allclose(full, T[0].grad.numpy(), rtol=1e-12)
    full = np.zeros_like(Wt)
    np.add.at(full, j, gWt)
    np.testing.assert_allclose(full, T[1].grad.numpy(), rtol=1e-12)
    g = GloVe(vector_size=8, window=2, min_count=1, epochs=10).fit([["a", "b", "c", "d"]] * 30)
    assert g.loss_history_[-1] < 0.5 * g.loss_history_[0]


def test_analogies_on_template_corpus_match_gensim():
    from gensim.models import Word2Vec as Gensim

    from glassml.experiments.text import _analogy_corpus, _analogy_quads

    sents = _analogy_corpus(np.random.default_rng(0), 6000)
    params = dict(vector_size=24, window=2, min_count=1, epochs=4, sample=0)
    ours = Word2Vec(progress=False, **params).fit(sents).wv
    ref = Gensim(sents, workers=1, seed=0, **params).wv
    quads = _analogy_quads()
    ref_acc = np.mean(
        [ref.most_similar(positive=[b, c], negative=[a], topn=1)[0][0] == d for a, b, c, d in quads]
    )
    assert ours.evaluate_analogies(quads) >= ref_acc - 0.1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_scatter_adds_sum_repeated_rows(dtype):
    from scipy.sparse import csr_matrix

    from glassml.text.word2vec import _scatter_add, _scatter_rows, _scatter_sparse_t

    rng = np.random.default_rng(0)
    V, B, K, d = 7, 40, 3, 5
    table = rng.standard_normal((V, d)).astype(dtype)
    rows = rng.integers(0, V, (B, K))  # many repeats
    w, x = rng.standard_normal((B, K)).astype(dtype), rng.standard_normal((B, d)).astype(dtype)
    expected = table.astype(np.float64)
    np.add.at(expected, rows.ravel(), (w[:, :, None] * x[:, None, :]).reshape(-1, d))
    got = table.copy()
    _scatter_rows(got, rows, w, x)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got, expected, **tol)
    assert got.dtype == dtype
    got, expected = table.copy(), table.astype(np.float64)
    np.add.at(expected, rows[:, 0], x)
    _scatter_add(got, rows[:, 0], x)
    np.testing.assert_allclose(got, expected, **tol)
    A = csr_matrix((w.ravel(), rows.ravel(), np.arange(0, B * K + 1, K)), shape=(B, V))
    got, expected = table.copy(), table + A.toarray().T @ x
    _scatter_sparse_t(got, A, x)
    np.testing.assert_allclose(got, expected, **tol)


def test_noise_table_follows_the_unigram_law():
    m = Word2Vec(negative=5)
    counts = np.array([5000.0, 900.0, 60.0, 7.0, 1.0])
    m._set_noise_distribution(counts**0.75)
    p = counts**0.75 / np.sum(counts**0.75)
    assert m.noise_table_ is not None and m.noise_table_.dtype == np.int32
    np.testing.assert_allclose(np.bincount(m.noise_table_) / len(m.noise_table_), p, atol=1e-6)
    draws = m._sample_noise((200_000,), np.random.default_rng(0))
    freq = np.bincount(draws, minlength=5) / len(draws)
    assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / len(draws)) + 1e-6), (freq, p)
    # a word too rare for one table slot would never be drawn: fall back to the CDF search
    m._set_noise_distribution(np.array([1e9, 1.0]))
    assert m.noise_table_ is None
    draws = m._sample_noise((1000,), np.random.default_rng(0))
    assert draws.max() <= 1 and draws.min() >= 0


def _scatter_case(dtype, seed=0):
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(seed)
    V, B, K, d = 9, 50, 4, 6
    table = rng.standard_normal((V, d)).astype(dtype)
    rows = rng.integers(0, V, (B, K))  # many repeated rows
    w, x = rng.standard_normal((B, K)).astype(dtype), rng.standard_normal((B, d)).astype(dtype)
    A = csr_matrix((w.ravel(), rows.ravel(), np.arange(0, B * K + 1, K)), shape=(B, V))
    return table, rows, w, x, A


def _all_scatters(table, rows, w, x, A):
    from glassml.text.word2vec import _scatter_add, _scatter_rows, _scatter_sparse_t

    out = [table.copy(), table.copy(), table.copy()]
    _scatter_rows(out[0], rows, w, x)
    _scatter_add(out[1], rows[:, 0], x)
    _scatter_sparse_t(out[2], A, x)
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scatter_adds_fall_back_to_public_scipy_without_the_private_kernel(monkeypatch, dtype):
    import glassml.text.word2vec as w2v

    assert w2v._csc_matvecs is not None, "this SciPy ships the fast kernel: both paths compared"
    case = _scatter_case(dtype)
    fast = _all_scatters(*case)
    monkeypatch.setattr(w2v, "_csc_matvecs", None)  # as if SciPy had removed it
    public = _all_scatters(*case)
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-13)
    for got, ref in zip(public, fast, strict=True):
        assert got.dtype == dtype
        np.testing.assert_allclose(got, ref, **tol)


def test_private_kernel_missing_or_with_a_new_signature_degrades_cleanly(monkeypatch):
    import types

    import scipy.sparse

    import glassml.text.word2vec as w2v

    monkeypatch.setattr(scipy.sparse, "_sparsetools", types.ModuleType("_sparsetools"))
    assert w2v._load_csc_matvecs() is None  # renamed / removed: no fast path, no error

    def changed_signature(*args):  # a future SciPy rejecting today's arguments
        raise TypeError("csc_matvecs() takes 9 positional arguments but 8 were given")

    case = _scatter_case(np.float64, seed=1)
    fast = _all_scatters(*case)
    monkeypatch.setattr(w2v, "_csc_matvecs", changed_signature)
    for got, ref in zip(_all_scatters(*case), fast, strict=True):
        np.testing.assert_allclose(got, ref, rtol=1e-13, atol=1e-13)


def test_training_without_the_private_kernel_gives_the_same_vectors(monkeypatch):
    import glassml.text.word2vec as w2v

    rng = np.random.default_rng(3)
    words = [f"w{i}" for i in range(30)]
    sents = [list(rng.choice(words, 12)) for _ in range(80)]
    kw = dict(vector_size=8, window=2, min_count=1, epochs=2, progress=False, batch_size=64)
    fits = {}
    for label in ("fast", "public"):
        if label == "public":
            monkeypatch.setattr(w2v, "_csc_matvecs", None)
        for mode in (dict(negative=3), dict(hs=1, negative=0), dict(sg=0, negative=3)):
            m = Word2Vec(**kw, **mode).fit(sents)
            fits[label, str(mode)] = (m.syn0_.copy(), m.syn1_.copy())
    for (label, mode), (vectors, syn1) in fits.items():
        if label == "public":
            ref_vectors, ref_syn1 = fits["fast", mode]
            np.testing.assert_allclose(vectors, ref_vectors, rtol=1e-4, atol=1e-6, err_msg=mode)
            np.testing.assert_allclose(syn1, ref_syn1, rtol=1e-4, atol=1e-6, err_msg=mode)
