"""BERT, sentence embeddings and pretrained embeddings: the claims of inventory 3.17-3.18.

The BERT claims (CL-196, CL-197, CL-198, CL-203) use one synthetic "agreement" language whose
structure makes the claims measurable:

    sentence = (d_1 w_1) (d_2 w_2)        w_i a word, d_i = determiner of w_i's class

There are C word classes of K words each and one determiner per class, so a determiner is fixed
by the word on its RIGHT. A document has a topic class and draws 90% of its words from it (so
consecutive sentences share a topic: next-sentence prediction is learnable). One tiny BERT is
pretrained with MLM + NSP on these documents (cached in-process and shared by the experiments).

CL-199 embeds real sentences with the real all-MiniLM-L6-v2; CL-181 uses the real GloVe vectors.
Only NumPy, matplotlib and glassml are used.
"""

from __future__ import annotations

import re

import numpy as np

from glassml.experiments import Outcome, experiment

TOPIC = "transformers: BERT and embeddings"

N_SPECIAL, MASK_ID = 5, 4  # [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4
N_CLASSES = 4
PURITY = 0.9  # share of a document's words drawn from its topic class
_CACHE: dict = {}


# ------------------------------------------------------------------ the synthetic language
class _Language:
    """Vocabulary ids: specials 0-4, determiners 5..5+C-1, then C*K words (class = block)."""

    def __init__(self, words_per_class: int):
        self.k = words_per_class
        self.det0 = N_SPECIAL
        self.word0 = N_SPECIAL + N_CLASSES
        self.vocab_size = self.word0 + N_CLASSES * words_per_class

    def word_class(self, w):
        return (np.asarray(w) - self.word0) // self.k

    def sentence(self, topic: int, rng, pairs: int = 2, with_determiners=True) -> list[int]:
        out = []
        for _ in range(pairs):
            c = topic if rng.random() < PURITY else int(rng.integers(N_CLASSES))
            w = self.word0 + c * self.k + int(rng.integers(self.k))
            out += [self.det0 + c, w] if with_determiners else [w]
        return out

    def documents(self, n_docs: int, rng, sentences: int = 4):
        topics = rng.integers(0, N_CLASSES, n_docs)
        return [[self.sentence(int(t), rng) for _ in range(sentences)] for t in topics]

    def valid(self, seq) -> bool:
        """A sequence of (determiner, word) pairs where each determiner matches its word."""
        seq = list(seq)
        if len(seq) % 2:
            return False
        for d, w in zip(seq[::2], seq[1::2], strict=True):
            if not (self.det0 <= d < self.word0 and w >= self.word0):
                return False
            if d - self.det0 != int(self.word_class(w)):
                return False
        return True


def _config(lang: _Language, max_len: int):
    from glassml.models.bert import BertConfig

    return BertConfig(vocab_size=lang.vocab_size, hidden_size=32, num_hidden_layers=2,
                      num_attention_heads=2, intermediate_size=64, max_position_embeddings=max_len,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)  # fmt: skip


def _pretrained(ctx):
    """The shared MLM + NSP pretrained tiny BERT (cached per quick flag and seed)."""
    key = ("pretrained", ctx.quick, ctx.seed)
    if key in _CACHE:
        return _CACHE[key]
    from glassml.models.bert import BertForPreTraining
    from glassml.models.bert_pretrain import make_nsp_pairs, pack_pairs, pretrain_bert

    rng = ctx.rng(1)
    lang = _Language(words_per_class=12)
    train_docs = lang.documents(300 if ctx.quick else 1500, rng)
    test_docs = lang.documents(100 if ctx.quick else 400, rng)
    train = make_nsp_pairs(train_docs, rng)
    test = make_nsp_pairs(test_docs, rng)
    ids, types, mask = pack_pairs(train)
    nsp = np.array([p[2] for p in train])
    model = BertForPreTraining(_config(lang, 16), generator=ctx.rng(2))
    history = pretrain_bert(model, ids, types, mask, nsp, steps=300 if ctx.quick else 1500,
                            batch_size=64, lr=4e-3, warmup_steps=20, rng=rng,
                            progress=False)  # fmt: skip
    _CACHE[key] = (lang, model, history, train, test)
    return _CACHE[key]


def _trigram_l2r(lang: _Language, sequences):
    """Left-to-right trigram counts P(x_t | x_{t-2}, x_{t-1}) with add-0.01 smoothing."""
    v = lang.vocab_size
    counts = np.full((v, v, v), 0.01)
    for s in sequences:
        for a, b, c in zip(s, s[1:], s[2:], strict=False):
            counts[a, b, c] += 1
    return counts / counts.sum(-1, keepdims=True)


def _pair_sequences(pairs):
    """[CLS] A [SEP] B [SEP] id lists (what both the MLM and the L2R model see)."""
    return [[2, *a, 3, *b, 3] for a, b, _ in pairs]


# ------------------------------------------------------------------ CL-196
@experiment("bert_mlm_bidirectional", claims=["CL-196"], topic=TOPIC,
            title="Masked-LM pretraining uses the context on both sides")  # fmt: skip
def bert_mlm_bidirectional(ctx):
    from glassml.autograd import no_grad
    from glassml.models.bert_pretrain import pack_pairs

    lang, model, history, train, test = _pretrained(ctx)
    ids, types, mask = pack_pairs(test)
    rng = ctx.rng(3)
    # mask 15% of the content tokens with [MASK] (no random / kept tokens at evaluation)
    chosen = (rng.random(ids.shape) < 0.15) & (ids >= N_SPECIAL)
    corrupted = np.where(chosen, MASK_ID, ids)
    with no_grad():
        logits = model(corrupted, mask, types).prediction_logits.data  # (N, T, V)
    pred = logits.argmax(-1)
    target = ids[chosen]
    is_det = (target >= lang.det0) & (target < lang.word0)
    bert_hit = pred[chosen] == target
    # unigram baseline: always the most frequent content token of the training data
    train_seqs = _pair_sequences(train)
    freq = np.bincount(np.concatenate(train_seqs), minlength=lang.vocab_size)
    freq[:N_SPECIAL] = 0
    unigram_hit = target == int(np.argmax(freq))
    # left-to-right trigram model, given the TRUE left context (an advantage it keeps)
    tri = _trigram_l2r(lang, train_seqs)
    rows, cols = np.nonzero(chosen)
    l2r_pred = tri[ids[rows, cols - 2], ids[rows, cols - 1]].argmax(-1)
    l2r_hit = l2r_pred == target
    acc = {
        "bert_all": float(bert_hit.mean()),
        "unigram_all": float(unigram_hit.mean()),
        "l2r_all": float(l2r_hit.mean()),
        "bert_determiners": float(bert_hit[is_det].mean()),
        "l2r_determiners": float(l2r_hit[is_det].mean()),
        "unigram_determiners": float(unigram_hit[is_det].mean()),
    }
    fig, (ax1, ax2) = ctx.figure(1, 2)
    ax1.plot(history["loss"])
    ax1.set_xlabel("step")
    ax1.set_ylabel("MLM + NSP loss")
    names = ["unigram", "left-to-right", "BERT (MLM)"]
    x = np.arange(2)
    for i, key in enumerate(["unigram", "l2r", "bert"]):
        ax2.bar(x + 0.27 * i, [acc[f"{key}_all"], acc[f"{key}_determiners"]], 0.27, label=names[i])
    ax2.set_xticks(x + 0.27, ["all masked tokens", "determiners\n(need right context)"])
    ax2.set_ylabel("accuracy")
    ax2.legend(fontsize=7)
    return Outcome(
        metrics={**acc, "n_masked": int(chosen.sum()), "chance_determiner": 1 / N_CLASSES},
        checks={
            "BERT masked-token accuracy >> unigram (> 2x and +0.2)": acc["bert_all"]
            > max(2 * acc["unigram_all"], acc["unigram_all"] + 0.2),
            "on right-context tokens BERT beats left-to-right by > 0.3": acc["bert_determiners"]
            > acc["l2r_determiners"] + 0.3,
        },
        figure=fig,
        summary=f"masked-token accuracy: BERT {acc['bert_all']:.2f} vs unigram "
        f"{acc['unigram_all']:.2f}; on determiners (fixed by the next word) BERT "
        f"{acc['bert_determiners']:.2f} vs left-to-right {acc['l2r_determiners']:.2f}.",
    )


# ------------------------------------------------------------------ CL-197
@experiment("bert_nsp_accuracy", claims=["CL-197"], topic=TOPIC,
            title="Next-sentence prediction learns sentence-pair relations")  # fmt: skip
def bert_nsp_accuracy(ctx):
    from glassml.autograd import no_grad
    from glassml.models.bert_pretrain import pack_pairs

    lang, model, history, train, test = _pretrained(ctx)
    ids, types, mask = pack_pairs(test)
    y = np.array([p[2] for p in test])
    with no_grad():
        pred = model(ids, mask, types).seq_relationship_logits.data.argmax(-1)
    acc = float((pred == y).mean())
    bar = 0.65 if ctx.quick else 0.75  # 0.65 is 5 standard errors above chance on 300 pairs
    ceiling = 1 - 0.5 / N_CLASSES * 0.5  # a random B shares A's topic 1/C of the time
    curve = np.convolve(history["nsp_accuracy"], np.ones(20) / 20, mode="valid")
    fig, ax = ctx.figure()
    ax.plot(curve, label="train NSP accuracy (moving avg)")
    ax.axhline(acc, color="C1", ls="--", label=f"held-out {acc:.2f}")
    ax.axhline(0.5, color="gray", ls=":", label="chance")
    ax.set_xlabel("step")
    ax.legend(fontsize=8)
    return Outcome(
        metrics={"nsp_test_accuracy": acc, "n_test_pairs": len(test), "ceiling_approx": ceiling},
        checks={f"held-out NSP accuracy >> 50% (> {bar})": acc > bar},
        figure=fig,
        summary=f"NSP accuracy on held-out pairs {acc:.2f} (chance 0.50).",
    )


# ------------------------------------------------------------------ CL-198
@experiment("bert_pretrain_finetune", claims=["CL-198"], topic=TOPIC,
            title="Pretraining then fine-tuning beats training from scratch on 200 labels")  # fmt: skip
def bert_pretrain_finetune(ctx):
    from glassml.models.bert import BertForSequenceClassification
    from glassml.models.bert_pretrain import finetune_classifier, pack_pairs, predict_classifier

    lang, pretrained, _, _, _ = _pretrained(ctx)
    rng = ctx.rng(4)

    def labelled(n):  # label 1: every determiner agrees with its word; 0: one is wrong
        y = rng.integers(0, 2, n)
        sents = []
        for label in y:
            s = lang.sentence(int(rng.integers(N_CLASSES)), rng, pairs=3)
            if label == 0:
                pos = 2 * int(rng.integers(3))
                wrong = (s[pos] - lang.det0 + int(rng.integers(1, N_CLASSES))) % N_CLASSES
                s[pos] = lang.det0 + wrong
            sents.append((s,))
        ids, _, mask = pack_pairs(sents)
        return ids, mask, y

    x_train, m_train, y_train = labelled(200)
    x_test, m_test, y_test = labelled(1000)
    cfg = _config(lang, 16)
    results = {}
    for name in ("scratch", "pretrained"):
        clf = BertForSequenceClassification(
            {**cfg.to_dict(), "num_labels": 2}, generator=ctx.rng(5)
        )
        if name == "pretrained":
            clf.bert.load_state_dict(pretrained.bert.state_dict())
        losses = finetune_classifier(clf, x_train, y_train, m_train, epochs=15 if ctx.quick else 30,
                                     batch_size=32, lr=2e-3, rng=ctx.rng(6),
                                     progress=False)  # fmt: skip
        acc = float((predict_classifier(clf, x_test, m_test) == y_test).mean())
        results[name] = (acc, losses)
    fig, ax = ctx.figure()
    for name, (acc, losses) in results.items():
        ax.plot(losses, label=f"{name}: test accuracy {acc:.2f}")
    ax.set_xlabel("fine-tuning step")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8)
    scratch, pre = results["scratch"][0], results["pretrained"][0]
    return Outcome(
        metrics={"accuracy_scratch": scratch, "accuracy_pretrained": pre, "n_labels": 200},
        checks={"MLM-pretrained + fine-tuned beats from scratch by > 0.15": pre > scratch + 0.15},
        figure=fig,
        summary=f"200 labels: pretrained+fine-tuned {pre:.2f} vs from scratch {scratch:.2f} "
        "test accuracy.",
    )


# ------------------------------------------------------------------ CL-203 (weak)
@experiment("bert_generation_vs_l2r", claims=["CL-203"], weak=True, topic=TOPIC,
            title="Encoder-only models are not built for generation")  # fmt: skip
def bert_generation_vs_l2r(ctx):
    from glassml.autograd import no_grad

    lang, model, _, train, test = _pretrained(ctx)
    rng = ctx.rng(7)
    n, length = (40 if ctx.quick else 200), 4
    # iterative MLM fill: start from [CLS] [MASK]*4 [SEP]; repeatedly sample the most
    # confident masked position (one full forward pass per generated token, no cache)
    seqs = np.full((n, length + 2), MASK_ID, dtype=np.int64)
    seqs[:, 0], seqs[:, -1] = 2, 3
    passes = 0
    for _ in range(length):
        with no_grad():
            logits = model(seqs, np.ones_like(seqs)).prediction_logits.data  # (n, T, V)
        passes += 1
        logits[..., :N_SPECIAL] = -np.inf
        p = np.exp(logits - logits.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        conf = np.where(seqs == MASK_ID, p.max(-1), -1.0)  # (n, T)
        pos = conf.argmax(1)
        probs = p[np.arange(n), pos]
        seqs[np.arange(n), pos] = [rng.choice(lang.vocab_size, p=q) for q in probs]
    mlm_valid = float(np.mean([lang.valid(s[1:-1]) for s in seqs]))
    # left-to-right: sample from the trigram model of the training sentences
    train_sents = [[2, 2, *a, 3] for a, _, _ in train]  # two [CLS] = the start context
    tri = _trigram_l2r(lang, train_sents)
    l2r = []
    for _ in range(n):  # sample until [SEP]: a left-to-right model chooses its own length
        s = [2, 2]
        while len(s) < 2 + 2 * length and (len(s) == 2 or s[-1] != 3):
            s.append(int(rng.choice(lang.vocab_size, p=tri[s[-2], s[-1]])))
        l2r.append(s[2:-1] if s[-1] == 3 else s[2:])
    l2r_valid = float(np.mean([len(s) > 0 and lang.valid(s) for s in l2r]))
    # left-to-right perplexity on held-out sentences (exact, by the chain rule)
    test_sents = [[2, 2, *a, 3] for a, _, _ in test]
    logp = [
        np.log(tri[a, b, c]) for s in test_sents for a, b, c in zip(s, s[1:], s[2:], strict=False)
    ]
    perplexity = float(np.exp(-np.mean(logp)))
    fig, ax = ctx.figure()
    ax.bar(["MLM iterative fill", "left-to-right"], [mlm_valid, l2r_valid])
    ax.set_ylabel("share of grammatical samples")
    return Outcome(
        metrics={
            "mlm_fill_valid": mlm_valid,
            "l2r_valid": l2r_valid,
            "mlm_forward_passes_per_token": passes / length,
            "l2r_heldout_perplexity": perplexity,
        },  # fmt: skip
        checks={
            "left-to-right samples are at least as grammatical as MLM-fill samples": l2r_valid
            >= mlm_valid,
            "MLM fill needs one full forward pass per token and a fixed length": passes == length,
        },
        figure=fig,
        summary=f"grammatical samples: MLM fill {mlm_valid:.2f} vs left-to-right {l2r_valid:.2f};"
        f" MLM has no chain-rule likelihood (L2R held-out perplexity {perplexity:.2f}).",
    )


# ------------------------------------------------------------------ CL-199
_PARAPHRASES = [
    ("The automobile would not start this morning.", "my car failed to turn on today at dawn"),
    ("A physician examined the sick child.", "doctor checks an ill kid"),
    ("The stock market crashed yesterday.", "shares plunged sharply on wall street last night"),
    ("She purchased a laptop computer.", "woman bought herself notebook pc"),
    ("The puppy is chewing on my shoes.", "young dog bites your sneakers"),
    ("It is raining heavily outside.", "strong rainfall out there now"),
    ("The chef cooked a delicious dinner.", "cook prepared tasty evening meal"),
    ("Children are playing football in the park.", "kids kick soccer ball at playground"),
    ("The airplane landed safely at the airport.", "jet touched down without problems on runway"),
    ("He is studying mathematics at university.", "man learns math in college"),
    ("The movie was extremely boring.", "film felt very dull"),
    ("Please close the window, it is cold.", "shut that pane because temperature feels chilly"),
    ("The company fired fifty employees.", "firm dismissed 50 workers"),
    ("My phone battery died quickly.", "cellular device ran out of charge fast"),
    ("The river flooded the small village.", "stream overflowed into tiny town"),
    ("I am feeling very happy today.", "joyful mood this afternoon"),
    ("The teacher graded the exams.", "instructor marked tests"),
    ("Thieves robbed the bank last night.", "criminals stole money from financial institution"),
    ("The baby is sleeping peacefully.", "infant naps calmly"),
    ("We traveled to Paris by train.", "our railway journey reached France's capital city"),
]
_DISTRACTORS = [
    "Street lights turn on at dawn.", "The doctor sent an email to the kid.",
    "Shares of the bakery were sold last night.", "The woman bought herself a hat.",
    "Your sneakers are under the bed.", "There is a strong smell out there now.",
    "The cook read the evening newspaper.", "The kids watched a ball game on television.",
    "No problems were reported on the runway project.", "The man learns guitar in college.",
    "I felt very tired after the film festival.", "That pane of glass is expensive.",
    "The firm moved to 50 new offices.", "The device ran out of memory.",
    "The town opened a new stream of revenue.", "This afternoon the mood was tense.",
    "The instructor marked the attendance.", "Criminals stole a painting from the museum.",
    "The infant wore a blue hat.", "Our railway station reached its capacity.",
]  # fmt: skip


def _words(text: str) -> set:
    return set(re.findall(r"\w+", text.lower()))


def _recall_at_k(scores: np.ndarray, k: int, rng) -> float:
    """Share of queries i whose document i is among the top k (random tie-breaking)."""
    noise = rng.random(scores.shape) * 1e-9 * (np.abs(scores).max() + 1)
    ranked = np.argsort(-(scores + noise), axis=1)[:, :k]
    return float(np.mean([i in ranked[i] for i in range(scores.shape[0])]))


@experiment("dense_vs_tfidf_paraphrase", claims=["CL-199"], topic=TOPIC,
            title="Dense retrieval matches meaning beyond word overlap")  # fmt: skip
def dense_vs_tfidf_paraphrase(ctx):
    from glassml.models.sentence_encoder import SentenceEncoder
    from glassml.text import TfidfVectorizer

    docs = [d for d, _ in _PARAPHRASES] + _DISTRACTORS
    queries = [q for _, q in _PARAPHRASES]
    overlap = max(len(_words(q) & _words(d)) for d, q in _PARAPHRASES)
    tfidf = TfidfVectorizer().fit(docs)
    s_tfidf = (tfidf.transform(queries) @ tfidf.transform(docs).T).toarray()  # (Q, N)
    encoder = SentenceEncoder.from_minilm()
    s_dense = encoder.encode(queries) @ encoder.encode(docs).T  # cosine (unit vectors)
    rng = ctx.rng(8)
    ks = [1, 3, 5, 10]
    dense = [_recall_at_k(s_dense, k, rng) for k in ks]
    lexical = [_recall_at_k(s_tfidf, k, rng) for k in ks]
    fig, ax = ctx.figure()
    ax.plot(ks, dense, "o-", label="MiniLM bi-encoder")
    ax.plot(ks, lexical, "s-", label="TF-IDF")
    ax.set_xlabel("k")
    ax.set_ylabel("recall@k")
    ax.legend()
    r5_dense, r5_tfidf = dense[2], lexical[2]
    return Outcome(
        metrics={
            "recall_at_k_dense": dict(zip(ks, dense, strict=True)),
            "recall_at_k_tfidf": dict(zip(ks, lexical, strict=True)),
            "n_docs": len(docs),
            "n_queries": len(queries),
        },  # fmt: skip
        checks={
            "queries share no word with their target documents": overlap == 0,
            "recall@5: dense > TF-IDF by > 0.3": r5_dense > r5_tfidf + 0.3,
            "dense recall@5 >= 0.8": r5_dense >= 0.8,
        },
        figure=fig,
        summary=f"{len(queries)} paraphrased queries with no shared words, {len(docs)} documents:"
        f" recall@5 MiniLM {r5_dense:.2f} vs TF-IDF {r5_tfidf:.2f}.",
    )


# ------------------------------------------------------------------ CL-181
_CATEGORIES = {
    "animal": "dog cat horse cow pig sheep goat lion tiger bear wolf fox rabbit deer monkey "
    "elephant giraffe zebra mouse rat eagle owl duck snake squirrel",
    "food": "bread cheese butter rice pasta soup salad pizza apple banana orange grape cake "
    "cookie chocolate beef fish pork potato tomato onion carrot sugar honey sandwich",
    "vehicle": "car truck bus train bicycle motorcycle airplane boat ship taxi tram subway van "
    "jeep helicopter jet scooter tractor ferry yacht canoe wagon rocket sled limousine",
    "job": "doctor nurse teacher lawyer engineer farmer pilot chef soldier judge dentist "
    "plumber carpenter baker banker actor singer writer painter scientist professor surgeon "
    "architect mechanic accountant",
}
_FILLERS = "the a my this that one big small old new saw like there is was we i you".split()


@experiment("pretrained_embeddings_few_labels", claims=["CL-181"], topic=TOPIC,
            title="Pretrained embeddings help when labels are few")  # fmt: skip
def pretrained_embeddings_few_labels(ctx):
    from glassml import nn
    from glassml.autograd import Tensor, no_grad
    from glassml.autograd.fused import cross_entropy
    from glassml.datasets import load_glove
    from glassml.optim import Adam

    words = {c: ws.split() for c, ws in _CATEGORIES.items()}
    vocab = sorted({w for ws in words.values() for w in ws} | set(_FILLERS))
    index = {w: i for i, w in enumerate(vocab)}
    glove = load_glove(n_words=50_000)
    vectors = np.stack([glove.vectors[glove.index[w]] for w in vocab]).astype(np.float32)
    rng = ctx.rng(9)

    def texts(n):  # one category word among four fillers; label = the category
        y = rng.integers(0, len(words), n)
        rows, keys = [], []
        for label in y:
            keys.append(rng.choice(words[list(words)[label]]))
            toks = [*rng.choice(_FILLERS, 4), keys[-1]]
            rows.append([index[t] for t in rng.permutation(toks)])
        return np.array(rows), y, keys

    x_train, y_train, train_keys = texts(100)
    x_test, y_test, test_keys = texts(2000)
    unseen_share = float(np.mean([k not in set(train_keys) for k in test_keys]))

    def run(kind):
        gen = ctx.rng(10)
        if kind == "random":
            emb = nn.Embedding(len(vocab), 50, generator=gen)
        else:
            emb = nn.Embedding.from_pretrained(vectors, freeze=kind == "frozen")
        head = nn.Linear(50, len(words), generator=gen)
        params = [p for p in [*emb.parameters(), *head.parameters()] if p.requires_grad]
        opt = Adam(params, lr=0.02)
        for _ in range(150 if ctx.quick else 400):
            logits = head(emb(Tensor(x_train)).mean(1))  # mean of the word vectors
            loss = cross_entropy(logits, Tensor(y_train))
            opt.zero_grad()
            loss.backward()
            opt.step()
        with no_grad():
            pred = head(emb(Tensor(x_test)).mean(1)).data.argmax(1)
        return float((pred == y_test).mean())

    acc = {kind: run(kind) for kind in ("frozen", "finetuned", "random")}
    fig, ax = ctx.figure()
    ax.bar(["frozen GloVe", "fine-tuned GloVe", "random init"], list(acc.values()))
    ax.axhline(1 / len(words), color="gray", ls=":", label="chance")
    ax.set_ylabel("test accuracy (100 labels)")
    ax.legend()
    return Outcome(
        metrics={
            **{f"accuracy_{k}": v for k, v in acc.items()},
            "test_category_words_unseen_in_training": unseen_share,
        },  # fmt: skip
        checks={
            "frozen pretrained beats random init by > 0.2": acc["frozen"] > acc["random"] + 0.2,
            "fine-tuned pretrained beats random init by > 0.1": acc["finetuned"]
            > acc["random"] + 0.1,
        },
        figure=fig,
        summary=f"100 labelled texts: frozen GloVe {acc['frozen']:.2f}, fine-tuned "
        f"{acc['finetuned']:.2f}, random-init embeddings {acc['random']:.2f} test accuracy.",
    )
