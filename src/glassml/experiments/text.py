"""Text experiments: bag-of-words, TF-IDF, subwords, stemming and word embeddings (CL-168..180).

Uses only glassml.text (and NumPy/matplotlib). CL-172 lives with naive Bayes; CL-178 and CL-181
need contextual models (later).
"""

from __future__ import annotations

import time

import numpy as np

from glassml.experiments import Outcome, experiment

TOPIC = "text"


@experiment("bow_loses_order", claims=["CL-168"], title="BoW ignores order; bigrams keep some",
            topic=TOPIC)  # fmt: skip
def bow_loses_order(ctx):
    from glassml.text import CountVectorizer

    docs = ["dog bites man", "man bites dog", "good movie", "great movie"]
    uni = CountVectorizer().fit_transform(docs).toarray().astype(float)
    bi = CountVectorizer(ngram_range=(1, 2)).fit_transform(docs).toarray().astype(float)
    cv = CountVectorizer().fit(docs)
    g, r = cv.vocabulary_["good"], cv.vocabulary_["great"]
    e_good, e_great = np.eye(len(cv.vocabulary_))[[g, r]]
    cos_uni = float(uni[0] @ uni[1] / np.linalg.norm(uni[0]) / np.linalg.norm(uni[1]))
    cos_bi = float(bi[0] @ bi[1] / np.linalg.norm(bi[0]) / np.linalg.norm(bi[1]))
    fig, ax = ctx.figure()
    ax.bar(["unigram cos", "uni+bigram cos", "good.great"], [cos_uni, cos_bi, e_good @ e_great])
    ax.set_ylabel("cosine / dot")
    return Outcome(
        metrics={"cos_unigram": cos_uni, "cos_bigram": cos_bi, "good_dot_great": 0.0},
        checks={
            "'dog bites man' and 'man bites dog' have identical unigram vectors": bool(
                np.array_equal(uni[0], uni[1])
            ),
            "their uni+bigram vectors differ": not np.array_equal(bi[0], bi[1]),
            "'good' and 'great' one-hot vectors are orthogonal": float(e_good @ e_great) == 0.0,
        },
        figure=fig,
        summary=f"unigram cosine {cos_uni:.2f} (identical) vs {cos_bi:.2f} with bigrams; "
        "good/great dot product 0.",
    )


def _shakespeare_lines(quick):
    from glassml.datasets import load_shakespeare

    works = ["hamlet"] if quick else None
    return [ln for ln in load_shakespeare(works).splitlines() if ln.strip()]


@experiment("bow_sparsity", claims=["CL-169"], title="BoW vectors are high-dimensional and sparse",
            topic=TOPIC)  # fmt: skip
def bow_sparsity(ctx):
    from glassml.text import CountVectorizer

    lines = _shakespeare_lines(ctx.quick)
    sizes = np.unique(np.geomspace(100, len(lines), 8).astype(int))
    vocab = [len(CountVectorizer().fit(lines[:n]).vocabulary_) for n in sizes]
    X = CountVectorizer().fit_transform(lines)
    zero_share = 1.0 - X.nnz / (X.shape[0] * X.shape[1])
    slope = float(np.polyfit(np.log(sizes), np.log(vocab), 1)[0])  # Heaps' law exponent
    fig, ax = ctx.figure()
    ax.loglog(sizes, vocab, "o-")
    ax.set_xlabel("documents (lines)")
    ax.set_ylabel("vocabulary size")
    return Outcome(
        metrics={"zero_share": zero_share, "n_features": X.shape[1], "heaps_exponent": slope},
        checks={
            ">= 99% of the document-term matrix is zero": zero_share >= 0.99,
            "vocabulary keeps growing with corpus size": bool(np.all(np.diff(vocab) > 0)),
            "growth is sublinear (Heaps exponent < 1)": slope < 1.0,
        },
        figure=fig,
        summary=f"{X.shape[1]} terms, {100 * zero_share:.2f}% zeros; vocabulary ~ n^{slope:.2f}.",
    )


@experiment("seed_bow_example", claims=["CL-170"], title="The seed's BoW example", topic=TOPIC)
def seed_bow_example(ctx):
    from glassml.text import CountVectorizer

    vocab = ["I", "love", "NLP", "machine", "learning"]
    docs = ["I love NLP", "I love machine learning"]
    cv = CountVectorizer(vocabulary=vocab, lowercase=False, token_pattern=r"(?u)\b\w+\b")
    X = cv.fit_transform(docs).toarray()
    default = CountVectorizer(vocabulary=vocab, lowercase=False).fit_transform(docs).toarray()
    fig, ax = ctx.figure()
    ax.imshow(X, cmap="Blues")
    ax.set_xticks(range(5), vocab)
    ax.set_yticks(range(2), docs)
    return Outcome(
        metrics={"X": X.tolist()},
        checks={
            "vectors are [1,1,1,0,0] and [1,1,0,1,1]": X.tolist()
            == [[1, 1, 1, 0, 0], [1, 1, 0, 1, 1]],
            "the default token_pattern drops 'I'": int(default[:, 0].sum()) == 0,
        },
        figure=fig,
        summary=f"BoW rows {X.tolist()} (the default pattern would drop 'I').",
    )


def _mrr(D, Q, relevant):
    """Mean reciprocal rank of the relevant document under cosine similarity."""
    Dn = D / np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-12)
    Qn = Q / np.maximum(np.linalg.norm(Q, axis=1, keepdims=True), 1e-12)
    S = Qn @ Dn.T  # (n_queries, n_docs)
    rank = 1 + np.sum(S > S[np.arange(len(Q)), relevant][:, None], axis=1)
    return float(np.mean(1.0 / rank))


@experiment("tfidf_downweights_common", claims=["CL-171"],
            title="TF-IDF down-weights words found in every document", topic=TOPIC)  # fmt: skip
def tfidf_downweights_common(ctx):
    from glassml.text import CountVectorizer, TfidfVectorizer

    rng = ctx.rng()
    filler = [f"common{i}" for i in range(8)]
    n_docs = 40 if ctx.quick else 200
    topics = [f"topic{i}" for i in range(n_docs)]
    docs = [
        " ".join(list(rng.choice(filler, 30)) + [topics[i]] * 2 + ["shared"]) for i in range(n_docs)
    ]
    queries = [" ".join(list(rng.choice(filler, 6)) + [topics[i]]) for i in range(n_docs)]
    plain = TfidfVectorizer(variant="plain", norm=None).fit(docs)
    idf_shared = float(plain.idf_[plain.vocabulary_["shared"]])
    cv = CountVectorizer().fit(docs)
    tf = TfidfVectorizer().fit(docs)
    rel = np.arange(n_docs)
    mrr_counts = _mrr(cv.transform(docs).toarray(), cv.transform(queries).toarray(), rel)
    mrr_tfidf = _mrr(tf.transform(docs).toarray(), tf.transform(queries).toarray(), rel)
    fig, ax = ctx.figure()
    ax.bar(["raw counts", "TF-IDF"], [mrr_counts, mrr_tfidf])
    ax.set_ylabel("MRR")
    return Outcome(
        metrics={"idf_shared_plain": idf_shared, "mrr_counts": mrr_counts, "mrr_tfidf": mrr_tfidf},
        checks={
            "plain idf of a word in every document is log 1 = 0": idf_shared == 0.0,
            "TF-IDF retrieval MRR > raw-count MRR": mrr_tfidf > mrr_counts,
        },
        figure=fig,
        summary=f"idf('shared') = {idf_shared}; MRR {mrr_tfidf:.3f} (TF-IDF) vs "
        f"{mrr_counts:.3f} (counts).",
    )


@experiment("bpe_no_oov", claims=["CL-173"], title="BPE: no OOV, fewer tokens with more merges",
            topic=TOPIC)  # fmt: skip
def bpe_no_oov(ctx):
    from glassml.datasets import load_shakespeare
    from glassml.text.bpe import BPETokenizer

    train = load_shakespeare(["hamlet"] if ctx.quick else ["hamlet", "macbeth", "othello"])
    train = train[:60_000] if ctx.quick else train
    held = load_shakespeare(["tempest"]).split()[: 3000 if ctx.quick else None]
    train_words = set(train.split())
    word_oov = float(np.mean([w not in train_words for w in held]))
    merges = [0, 50, 150, 400] if ctx.quick else [0, 200, 1000, 3000, 6000]
    tokens_per_word, bpe_oov = [], 0.0
    for m in merges:
        bpe = BPETokenizer(num_merges=m).fit([train])
        pieces = bpe.tokenize(" ".join(held))
        tokens_per_word.append(len(pieces) / len(held))
        bpe_oov = max(bpe_oov, float(np.mean([p not in bpe.vocab for p in pieces])))
    fig, ax = ctx.figure()
    ax.plot(merges, tokens_per_word, "o-")
    ax.set_xlabel("merges")
    ax.set_ylabel("tokens per held-out word")
    return Outcome(
        metrics={"word_oov": word_oov, "bpe_oov": bpe_oov, "tokens_per_word": tokens_per_word},
        checks={
            "word-level vocabulary has OOV > 0 on held-out text": word_oov > 0,
            "byte-level BPE has OOV = 0": bpe_oov == 0.0,
            "tokens per word decrease with merges": bool(np.all(np.diff(tokens_per_word) < 0)),
        },
        figure=fig,
        summary=f"held-out OOV {100 * word_oov:.1f}% (words) vs 0% (BPE); tokens/word "
        f"{tokens_per_word[0]:.2f} -> {tokens_per_word[-1]:.2f}.",
    )


_INFLECTED = """running studies children better hoped cats boxes wolves ate flies cried
happier easily connection generalization stories parties companies libraries tried
bigger fastest caresses ponies relational national computers computing generated hopeful
sadness quietly sleeping spoke written thought taught bought caught knives leaves lives
mice feet teeth geese women men watched visited wanted worked dreamed traveled""".split()


@experiment("lemma_vs_stem", claims=["CL-174"], title="Lemmatizers return real words, stemmers chop",
            topic=TOPIC)  # fmt: skip
def lemma_vs_stem(ctx):
    from glassml.text._wordlist import BASE_WORDS
    from glassml.text.stem import Lemmatizer, porter_stem

    lem = Lemmatizer()
    stem_ok = float(np.mean([porter_stem(w) in BASE_WORDS for w in _INFLECTED]))
    lem_ok = float(np.mean([lem(w) in BASE_WORDS for w in _INFLECTED]))
    fig, ax = ctx.figure()
    ax.bar(["Porter stemmer", "lemmatizer"], [stem_ok, lem_ok])
    ax.set_ylabel("share of outputs that are dictionary words")
    return Outcome(
        metrics={"stemmer_dictionary_share": stem_ok, "lemmatizer_dictionary_share": lem_ok},
        checks={"lemmatizer yields dictionary words more often": lem_ok > stem_ok},
        figure=fig,
        summary=f"dictionary words: lemmatizer {100 * lem_ok:.0f}% vs stemmer {100 * stem_ok:.0f}%.",
    )


_CLASSES = {
    "animal": ["cat", "dog", "horse", "cow", "sheep", "goat"],
    "food": ["bread", "rice", "apple", "cheese", "soup", "cake"],
    "place": ["city", "village", "forest", "river", "market", "castle"],
}
_CONTEXTS = {
    "animal": ["runs", "sleeps", "barks", "grazes", "bites"],
    "food": ["eat", "cook", "tasty", "bake", "fresh"],
    "place": ["visit", "near", "travel", "live", "north"],
}


def _class_corpus(rng, n):
    """Sentences 'the <word> <ctx> <ctx>' where the context words depend on the word's class."""
    names = list(_CLASSES)
    sents = []
    for c in rng.integers(0, len(names), n):
        name = names[c]
        sents.append(
            [
                "the",
                str(rng.choice(_CLASSES[name])),
                *rng.choice(_CONTEXTS[name], 3).tolist(),
                "and",
            ]
        )
    return sents


def _class_scores(wv):
    sims = {"intra": [], "inter": []}
    groups = list(_CLASSES.values())
    for i, g in enumerate(groups):
        for j, h in enumerate(groups):
            for a in g:
                for b in h:
                    if a != b:
                        sims["intra" if i == j else "inter"].append(wv.similarity(a, b))
    return float(np.mean(sims["intra"])), float(np.mean(sims["inter"]))


@experiment("word2vec_classes", claims=["CL-175"], title="word2vec puts same-context words close",
            topic=TOPIC)  # fmt: skip
def word2vec_classes(ctx):
    from glassml.text.word2vec import Word2Vec

    sents = _class_corpus(ctx.rng(), 2000 if ctx.quick else 20000)
    model = Word2Vec(vector_size=20, window=3, min_count=1, epochs=3, sample=0, seed=0,
                     progress=False).fit(sents)  # fmt: skip
    intra, inter = _class_scores(model.wv)
    fig, ax = ctx.figure()
    ax.bar(["intra-class", "inter-class"], [intra, inter])
    ax.set_ylabel("mean cosine")
    V = len(model.wv)
    return Outcome(
        metrics={"intra_cos": intra, "inter_cos": inter, "dim": 20, "vocab": V},
        checks={"mean intra-class cosine > inter-class cosine": intra > inter + 0.2},
        figure=fig,
        summary=f"intra-class cosine {intra:.2f} vs inter-class {inter:.2f} ({V} words, 20-d).",
    )


_ROLES = ["king", "prince", "doctor", "teacher", "farmer", "singer", "baker", "pilot"]
_GENDER_CTX = {"m": ["he", "his", "him", "sir"], "f": ["she", "her", "hers", "madam"]}


def _analogy_corpus(rng, n):
    """Words '<role>_<gender>' seen with role-specific and gender-specific context words."""
    sents = []
    for _ in range(n):
        r, g = str(rng.choice(_ROLES)), str(rng.choice(["m", "f"]))
        role_ctx = [f"{r}ctx{k}" for k in range(3)]
        ctx_words = list(rng.choice(role_ctx, 2)) + list(rng.choice(_GENDER_CTX[g], 2))
        rng.shuffle(ctx_words)
        sents.append([*ctx_words[:2], f"{r}_{g}", *ctx_words[2:]])
    return sents


def _analogy_quads():
    return [(f"{a}_m", f"{a}_f", f"{b}_m", f"{b}_f") for a in _ROLES for b in _ROLES if a != b]


@experiment("word2vec_analogies", claims=["CL-176"], title="word2vec solves analogies",
            topic=TOPIC)  # fmt: skip
def word2vec_analogies(ctx):
    from glassml.text.word2vec import Word2Vec

    sents = _analogy_corpus(ctx.rng(), 6000 if ctx.quick else 40000)
    wv = Word2Vec(vector_size=24, window=2, min_count=1, epochs=4 if ctx.quick else 8, sample=0,
                  seed=0, progress=False).fit(sents).wv  # fmt: skip
    acc = wv.evaluate_analogies(_analogy_quads())
    chance = 1.0 / (len(wv) - 3)
    fig, ax = ctx.figure()
    ax.bar(["word2vec", "chance"], [acc, chance])
    ax.set_ylabel("analogy top-1 accuracy")
    return Outcome(
        metrics={"analogy_accuracy": acc, "chance": chance},
        checks={"analogy accuracy >> chance (> 10x)": acc > 10 * chance},
        figure=fig,
        summary=f"3CosAdd top-1 accuracy {acc:.2f} vs chance {chance:.3f}.",
    )


@experiment("negative_sampling_cost", claims=["CL-177"],
            title="Negative sampling is much cheaper than the full softmax", topic=TOPIC)  # fmt: skip
def negative_sampling_cost(ctx):
    from glassml.text.word2vec import Word2Vec

    rng = ctx.rng()
    sizes = [200, 800] if ctx.quick else [200, 1000, 4000]
    n_tokens = 20000 if ctx.quick else 60000
    t_ns, t_sm = [], []
    for V in sizes:
        corpus = rng.integers(0, V, n_tokens).astype(str).tolist()
        sents = [corpus[i : i + 50] for i in range(0, n_tokens, 50)]
        for neg, times in ((5, t_ns), (0, t_sm)):
            t0 = time.perf_counter()
            Word2Vec(vector_size=32, window=2, min_count=1, epochs=1, negative=neg, sample=0,
                     progress=False).fit(sents)  # fmt: skip
            times.append(time.perf_counter() - t0)
    # quality on the class corpus: share of top-5 neighbours from the same class
    sents = _class_corpus(ctx.rng(1), 3000 if ctx.quick else 10000)
    purity = {}
    for neg in (5, 0):
        wv = Word2Vec(vector_size=20, window=3, min_count=1, epochs=3, negative=neg, sample=0,
                      progress=False).fit(sents).wv  # fmt: skip
        hits = []
        for words in _CLASSES.values():
            for w in words:
                near = [x for x, _ in wv.most_similar(w, topn=5)]
                hits.append(np.mean([x in words for x in near]))
        purity[neg] = float(np.mean(hits))
    speedup = t_sm[-1] / t_ns[-1]
    fig, ax = ctx.figure()
    ax.plot(sizes, t_ns, "o-", label="negative sampling (k=5)")
    ax.plot(sizes, t_sm, "s-", label="full softmax")
    ax.set_xlabel("vocabulary size")
    ax.set_ylabel("seconds per epoch")
    ax.legend()
    return Outcome(
        metrics={
            "sizes": sizes,
            "time_ns": t_ns,
            "time_softmax": t_sm,
            "purity_ns": purity[5],
            "purity_softmax": purity[0],
        },  # fmt: skip
        checks={
            "full softmax is > 2x slower at the largest vocabulary": speedup > 2.0,
            "softmax cost grows with vocabulary faster than NS": t_sm[-1] / t_sm[0]
            > t_ns[-1] / t_ns[0],
            "neighbour purity comparable (within 0.25)": abs(purity[5] - purity[0]) < 0.25,
        },
        figure=fig,
        summary=f"at V={sizes[-1]} softmax is {speedup:.1f}x slower per epoch; neighbour purity "
        f"{purity[5]:.2f} (NS) vs {purity[0]:.2f} (softmax).",
    )


_GLOVE_ANALOGIES = [
    ("man", "king", "woman", "queen"), ("man", "he", "woman", "she"),
    ("france", "paris", "italy", "rome"), ("france", "paris", "japan", "tokyo"),
    ("germany", "berlin", "spain", "madrid"), ("big", "bigger", "small", "smaller"),
    ("good", "better", "bad", "worse"), ("walk", "walked", "go", "went"),
    ("brother", "sister", "father", "mother"), ("boy", "girl", "man", "woman"),
    ("uncle", "aunt", "son", "daughter"), ("slow", "slower", "fast", "faster"),
]  # fmt: skip


@experiment("glove_vs_word2vec", claims=["CL-180"],
            title="GloVe and word2vec both solve analogies far above chance", topic=TOPIC)  # fmt: skip
def glove_vs_word2vec(ctx):
    from glassml.text.keyed_vectors import KeyedVectors
    from glassml.text.word2vec import Word2Vec

    glove = KeyedVectors.from_glove(20_000 if ctx.quick else 100_000)
    acc_glove = glove.evaluate_analogies(_GLOVE_ANALOGIES)
    chance_glove = 1.0 / (len(glove) - 3)
    sents = _analogy_corpus(ctx.rng(), 6000 if ctx.quick else 40000)
    wv = Word2Vec(vector_size=24, window=2, min_count=1, epochs=4, sample=0, seed=0,
                  progress=False).fit(sents).wv  # fmt: skip
    acc_w2v = wv.evaluate_analogies(_analogy_quads())
    chance_w2v = 1.0 / (len(wv) - 3)
    from glassml.text.glove import GloVe

    ours_glove = GloVe(vector_size=24, window=2, min_count=1, epochs=50, x_max=10.0).fit(sents)
    acc_glove_ours = ours_glove.wv.evaluate_analogies(_analogy_quads())
    fig, ax = ctx.figure()
    ax.bar(["GloVe 50d", "chance", "word2vec (ours)", "chance "],
           [acc_glove, chance_glove, acc_w2v, chance_w2v])  # fmt: skip
    ax.set_ylabel("analogy accuracy")
    return Outcome(
        metrics={
            "glove_accuracy": acc_glove,
            "word2vec_accuracy": acc_w2v,
            "glove_chance": chance_glove,
            "word2vec_chance": chance_w2v,
        },  # fmt: skip
        checks={
            "GloVe analogy accuracy > 100x chance": acc_glove > 100 * chance_glove,
            "word2vec analogy accuracy > 10x chance": acc_w2v > 10 * chance_w2v,
            "our GloVe on the same corpus > 10x chance": acc_glove_ours > 10 * chance_w2v,
        },
        figure=fig,
        summary=f"analogy accuracy: pretrained GloVe {acc_glove:.2f}; on the synthetic corpus "
        f"word2vec {acc_w2v:.2f}, our GloVe {acc_glove_ours:.2f} "
        f"(chance {chance_glove:.1e} / {chance_w2v:.3f}).",
    )


_STEMS = ["walk", "jump", "talk", "play", "cook", "paint", "climb", "kick", "laugh", "work"]


@experiment("fasttext_oov", claims=["CL-179"], title="FastText embeds unseen inflections",
            topic=TOPIC)  # fmt: skip
def fasttext_oov(ctx):
    from glassml.text.fasttext import FastText
    from glassml.text.word2vec import Word2Vec

    rng = ctx.rng()
    ctx_words = {s: [f"{s}ctx{k}" for k in range(3)] for s in _STEMS}
    sents = []
    for _ in range(3000 if ctx.quick else 20000):
        s, suffix = str(rng.choice(_STEMS)), str(rng.choice(["", "s", "ed"]))
        sents.append([*rng.choice(ctx_words[s], 2).tolist(), s + suffix,
                      *rng.choice(ctx_words[s], 2).tolist()])  # fmt: skip
    params = dict(vector_size=24, window=2, min_count=1, epochs=4, sample=0, progress=False)
    ft = FastText(bucket=20_000, **params).fit(sents)
    w2v = Word2Vec(**params).fit(sents)
    held = [s + "ing" for s in _STEMS]  # never seen in training
    cos_lemma = [ft.wv.similarity(w, w[:-3]) for w in held]
    cos_other = [ft.wv.similarity(w, _STEMS[(i + 1) % len(_STEMS)]) for i, w in enumerate(held)]
    raised = 0
    for w in held:
        try:
            w2v.wv[w]
        except KeyError:
            raised += 1
    fig, ax = ctx.figure()
    ax.bar(
        ["cos(OOV, its lemma)", "cos(OOV, other lemma)"], [np.mean(cos_lemma), np.mean(cos_other)]
    )
    ax.set_ylabel("FastText cosine")
    return Outcome(
        metrics={
            "cos_lemma": float(np.mean(cos_lemma)),
            "cos_other": float(np.mean(cos_other)),
            "word2vec_keyerrors": raised,
        },  # fmt: skip
        checks={
            "FastText: OOV inflection is closer to its lemma than to other lemmas": bool(
                np.mean(cos_lemma) > np.mean(cos_other) + 0.2
            ),
            "FastText cosine to the lemma is high (> 0.7)": bool(np.mean(cos_lemma) > 0.7),
            "Word2Vec raises KeyError for every OOV inflection": raised == len(held),
        },
        figure=fig,
        summary=f"OOV '-ing' forms: cosine to lemma {np.mean(cos_lemma):.2f} vs "
        f"{np.mean(cos_other):.2f} to other lemmas; word2vec KeyError on {raised}/{len(held)}.",
    )
