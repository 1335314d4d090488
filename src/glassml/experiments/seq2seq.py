"""Seq2seq, attention, decoding and contextual-embedding claims (curriculum 3.18, RNN part).

* CL-182: the fixed context vector is a bottleneck; attention removes it on long inputs.
* CL-183: teacher forcing speeds convergence but leaves an exposure-bias gap.
* CL-184: beam search finds more probable sequences than greedy decoding.
* CL-192: dot-product attention is simpler and faster than additive; accuracy comparable.
* CL-202 (weak): ELMo's learned layer weights are not uniform; layers carry different information.
* CL-178: a static word2vec vector cannot separate the senses of an ambiguous word;
  contextual (ELMo) vectors cluster by sense.

All models are glassml's (glassml.models.seq2seq / elmo, glassml.text.word2vec), trained on the
synthetic tasks of glassml.datasets.seq2seq_tasks or a synthetic two-sense corpus.

Inventory: CL-178, CL-182, CL-183, CL-184, CL-192, CL-202 (SQ-01..SQ-11, TX-17, TX-18).
"""

from __future__ import annotations

import time

import numpy as np

from glassml.experiments import Outcome, experiment

TOPIC = "seq2seq"


def _model(task, hidden, attention, seed, **kw):
    from glassml.autograd import manual_seed
    from glassml.models.seq2seq import Seq2Seq

    manual_seed(seed)
    return Seq2Seq(len(task.src_vocab), len(task.tgt_vocab), embedding_dim=16, hidden_size=hidden,
                   attention=attention, generator=np.random.default_rng(seed), **kw)  # fmt: skip


def _em_by_length(model, task):
    """Exact match of greedy decoding per source length: (lengths, accuracies, overall)."""
    from glassml.models.seq2seq import exact_match

    em, outputs = exact_match(model, task, return_outputs=True)
    decode = task.tgt_vocab.decode
    ok = np.array([decode(o) == t for o, t in zip(outputs, task.targets, strict=True)])
    lengths = np.unique(task.src_lengths)
    return lengths, np.array([ok[task.src_lengths == n].mean() for n in lengths]), em


# ---------------------------------------------------------------------------- CL-182
@experiment(
    "attention_removes_the_bottleneck",
    claims=["CL-182"],
    title="Attention removes the fixed-context bottleneck on long inputs (reversal)",
    topic=TOPIC,
)
def attention_removes_the_bottleneck(ctx):
    from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    from glassml.models.seq2seq import fit_seq2seq, plot_attention

    lo, hi = (3, 10) if ctx.quick else (5, 25)
    steps, hidden, batch = (150, 40, 32) if ctx.quick else (2000, 96, 64)
    train = make_seq2seq_task("reverse", 5000 if ctx.quick else 50_000, lo, hi, ctx.seed)
    test = make_seq2seq_task("reverse", 300 if ctx.quick else 1000, lo, hi, ctx.seed + 1)
    curves = {}
    for name, attention in (("no attention", None), ("dot attention", "dot")):
        model = _model(train, hidden, attention, ctx.seed)
        fit_seq2seq(model, train, steps=steps, batch_size=batch, lr=1e-2 if ctx.quick else 3e-3,
                    random_state=ctx.seed, progress=False)  # fmt: skip
        curves[name] = _em_by_length(model, test)
    longest = int(np.argmax(test.src_lengths))
    weights, tokens = model.attention_map(test.src[longest], test.src_lengths[longest])
    lengths = curves["no attention"][0]
    plain, attn = curves["no attention"][1], curves["dot attention"][1]
    long = lengths >= (lo + hi) / 2
    fig, (ax, ax2) = ctx.figure(1, 2)
    plot_attention(
        weights,
        list(test.sources[longest]),
        [test.tgt_vocab.itos[t] for t in [*tokens, test.tgt_vocab.eos_id]],
        ax=ax2,
    )
    ax2.set_title("attention map (reversal: the anti-diagonal)")
    for name, (n, acc, em) in curves.items():
        ax.plot(n, acc, "o-", label=f"{name} (overall {em:.2f})")
    ax.set_xlabel("source length")
    ax.set_ylabel("exact match (greedy)")
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    em_plain, em_attn = curves["no attention"][2], curves["dot attention"][2]
    return Outcome(
        metrics={
            "lengths": lengths.tolist(),
            "exact_match_no_attention": plain.tolist(),
            "exact_match_attention": attn.tolist(),
            "overall_no_attention": em_plain,
            "overall_attention": em_attn,
            "long_half_no_attention": float(plain[long].mean()),
            "long_half_attention": float(attn[long].mean()),
        },
        checks={
            "attention beats the fixed context overall by > 0.3": em_attn > em_plain + 0.3,
            "on the longer half attention is ahead by > 0.3": attn[long].mean()
            > plain[long].mean() + 0.3,
            "without attention accuracy falls with length (shortest > longest + 0.3)": plain[0]
            > plain[-1] + 0.3,
        },
        figure=fig,
        summary=f"Reversal, lengths {lo}-{hi}: exact match {em_plain:.2f} without attention "
        f"(shortest {plain[0]:.2f} → longest {plain[-1]:.2f}) vs {em_attn:.2f} with dot attention "
        f"(longest {attn[-1]:.2f}).",
    )


# ---------------------------------------------------------------------------- CL-183
def _token_accuracy(model, task, free_running):
    """Per-token accuracy on the targets, teacher-forced or from greedy (free-running) output."""
    from glassml.autograd import no_grad

    y = task.tgt[:, 1:]
    mask = y != task.tgt_vocab.pad_id
    if free_running:
        outs = model.translate(task.src, task.src_lengths, max_len=y.shape[1])
        pred = np.full(y.shape, -1)
        for b, o in enumerate(outs):
            seq = [*o, task.tgt_vocab.eos_id][: y.shape[1]]
            pred[b, : len(seq)] = seq
    else:
        model.eval()
        with no_grad():
            pred = model(task.src, task.src_lengths, task.tgt).data.argmax(-1)
        model.train()
    return float((pred == y)[mask].mean())


@experiment(
    "teacher_forcing_speed_and_exposure_bias",
    claims=["CL-183"],
    title="Teacher forcing speeds convergence; free-running decoding shows exposure bias",
    topic=TOPIC,
)
def teacher_forcing_speed_and_exposure_bias(ctx):
    from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    from glassml.models.seq2seq import fit_seq2seq

    lo, hi = (3, 7) if ctx.quick else (4, 12)
    rounds, per_round, hidden = (4, 20, 32) if ctx.quick else (15, 100, 64)
    # sorting: the next output digit depends on the previous one, so the decoder's input matters
    train = make_seq2seq_task("sort", 4000 if ctx.quick else 20_000, lo, hi, ctx.seed)
    val = make_seq2seq_task("sort", 150 if ctx.quick else 500, lo, hi, ctx.seed + 1)
    ratios = (1.0, 0.5, 0.0)
    curves, gaps, final = {}, {}, {}
    for ratio in ratios:
        model = _model(train, hidden, "dot", ctx.seed)
        curve = []
        for r in range(rounds):
            fit_seq2seq(model, train, steps=per_round, batch_size=32, lr=1e-2,
                        teacher_forcing_ratio=ratio, min_lr_ratio=1.0,
                        random_state=ctx.seed + r, progress=False)  # fmt: skip
            curve.append(_token_accuracy(model, val, free_running=False))
        curves[ratio] = curve
        free = _token_accuracy(model, val, free_running=True)
        final[ratio] = (curve[-1], free)
        gaps[ratio] = curve[-1] - free
    steps = per_round * np.arange(1, rounds + 1)
    fig, (ax, ax2) = ctx.figure(1, 2)
    for ratio in ratios:
        ax.plot(steps, curves[ratio], "o-", label=f"teacher forcing {ratio}")
    ax.set_xlabel("training step")
    ax.set_ylabel("teacher-forced token accuracy (val)")
    ax.legend()
    x = np.arange(len(ratios))
    ax2.bar(x - 0.2, [final[r][0] for r in ratios], 0.4, label="teacher-forced")
    ax2.bar(x + 0.2, [final[r][1] for r in ratios], 0.4, label="free-running")
    ax2.set_xticks(x, [f"TF {r}" for r in ratios])
    ax2.set_ylabel("token accuracy (val)")
    ax2.legend()
    auc = {r: float(np.mean(curves[r])) for r in ratios}
    target = 0.8
    reach = {r: next((int(n) for n, a in zip(steps, curves[r], strict=True) if a >= target),
                     None) for r in ratios}  # fmt: skip
    never = 10 * steps[-1]
    return Outcome(
        metrics={
            "steps": steps.tolist(),
            **{f"tf_accuracy_curve_ratio_{r}": curves[r] for r in ratios},
            **{f"mean_tf_accuracy_ratio_{r}": auc[r] for r in ratios},
            **{f"steps_to_{target}_ratio_{r}": reach[r] for r in ratios},
            **{f"free_running_accuracy_ratio_{r}": final[r][1] for r in ratios},
            **{f"exposure_gap_ratio_{r}": gaps[r] for r in ratios},
        },
        checks={
            "full teacher forcing learns faster (mean val accuracy over training, +0.03)": auc[1.0]
            > auc[0.0] + 0.03,
            f"full teacher forcing reaches {target} token accuracy in fewer steps": (
                reach[1.0] or never
            )
            < (reach[0.0] or never),
            "the teacher-forced model loses accuracy when fed its own outputs (gap > 0.05)": gaps[
                1.0
            ]
            > 0.05,
            "its exposure gap exceeds the free-running-trained model's": gaps[1.0] > gaps[0.0],
        },
        figure=fig,
        summary=f"Sorting: mean teacher-forced val accuracy during training TF 1.0 {auc[1.0]:.2f}, "
        f"0.5 {auc[0.5]:.2f}, 0.0 {auc[0.0]:.2f} (steps to {target}: {reach[1.0]}, "
        f"{reach[0.5]}, {reach[0.0]}); exposure gap (teacher-forced − free-running accuracy) "
        f"{gaps[1.0]:.3f} for TF 1.0 vs {gaps[0.0]:.3f} for TF 0.0.",
    )


# ---------------------------------------------------------------------------- CL-184
def _random_trigram_lm(rng, vocab, sharp):
    logits = sharp * rng.normal(size=(vocab, vocab, vocab))
    logits[..., 0] = -np.inf  # bos (id 0) is never generated
    table = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)

    def lm(prefixes):
        prev = prefixes[:, -2] if prefixes.shape[1] >= 2 else np.zeros(len(prefixes), int)
        return table[prev, prefixes[:, -1]]

    return lm


@experiment(
    "beam_search_beats_greedy",
    claims=["CL-184"],
    title="Beam search finds more probable sequences than greedy decoding",
    topic=TOPIC,
)
def beam_search_beats_greedy(ctx):
    from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    from glassml.models.decoding import beam_search
    from glassml.models.seq2seq import fit_seq2seq

    rng = ctx.rng()
    widths = list(range(1, 11))
    n_lms, vocab, max_len = (20, 6, 5) if ctx.quick else (100, 6, 6)
    lm_scores = np.zeros((n_lms, len(widths)))
    optimum = np.zeros(n_lms)
    for i in range(n_lms):
        lm = _random_trigram_lm(rng, vocab, sharp=1.5)
        kw = dict(bos_id=0, eos_id=1, max_len=max_len, length_penalty=0.0)
        for j, k in enumerate(widths):
            lm_scores[i, j] = beam_search(lm, beam_width=k, **kw)[0][1]
        optimum[i] = beam_search(lm, beam_width=(vocab - 2) ** max_len, **kw)[0][1]  # exhaustive
    found = (np.abs(lm_scores - optimum[:, None]) < 1e-9).mean(axis=0)

    # a trained seq2seq (sorting, deliberately undertrained so that decoding matters)
    task = make_seq2seq_task("sort", 3000, 4, 9, ctx.seed)
    test = make_seq2seq_task("sort", 40 if ctx.quick else 300, 4, 9, ctx.seed + 1)
    model = _model(task, 32, "dot", ctx.seed)
    fit_seq2seq(model, task, steps=60 if ctx.quick else 300, batch_size=32, lr=1e-2,
                random_state=ctx.seed, progress=False)  # fmt: skip
    model_widths = [1, 2, 4] if ctx.quick else [1, 2, 3, 4, 6, 8, 10]
    model_lp, model_em = [], []
    decode = test.tgt_vocab.decode
    for k in model_widths:
        outs = model.translate(test.src, test.src_lengths, method="beam", beam_width=k,
                               length_penalty=0.0)  # fmt: skip
        model_lp.append(float(model.sequence_log_prob(test.src, test.src_lengths, outs).mean()))
        model_em.append(float(np.mean([decode(o) == t for o, t in zip(outs, test.targets,
                                                                     strict=True)])))  # fmt: skip
    mean_lm = lm_scores.mean(axis=0)
    fig, (ax, ax2) = ctx.figure(1, 2)
    ax.plot(widths, mean_lm, "o-", label="beam search")
    ax.axhline(optimum.mean(), color="k", ls="--", label="exhaustive optimum")
    ax.set_xlabel("beam width")
    ax.set_ylabel(f"mean best log-prob ({n_lms} random trigram LMs)")
    ax.legend()
    ax2.plot(model_widths, model_lp, "o-")
    ax2.set_xlabel("beam width")
    ax2.set_ylabel("mean sequence log-prob (seq2seq, sorting)")
    return Outcome(
        metrics={
            "widths": widths,
            "toy_lm_mean_log_prob": mean_lm.tolist(),
            "toy_lm_exhaustive_mean": float(optimum.mean()),
            "toy_lm_fraction_optimal": found.tolist(),
            "seq2seq_widths": model_widths,
            "seq2seq_mean_log_prob": model_lp,
            "seq2seq_exact_match": model_em,
        },
        checks={
            "toy LMs: width 10 finds more probable sequences than greedy on average": mean_lm[-1]
            > mean_lm[0] + 0.05,
            "toy LMs: wider beams find the exact optimum more often than greedy": found[-1]
            > found[0],
            "toy LMs: beam search never beats exhaustive search": bool(
                np.all(lm_scores <= optimum[:, None] + 1e-9)
            ),
            "seq2seq: the widest beam's mean log-prob >= greedy's": model_lp[-1]
            >= model_lp[0] - 1e-9,
        },
        figure=fig,
        summary=f"Random trigram LMs: mean best log-prob {mean_lm[0]:.3f} (greedy) → "
        f"{mean_lm[-1]:.3f} (width 10), optimum {optimum.mean():.3f}, found by greedy "
        f"{found[0]:.0%} vs width 10 {found[-1]:.0%}; seq2seq mean log-prob {model_lp[0]:.3f} → "
        f"{model_lp[-1]:.3f} (exact match {model_em[0]:.2f} → {model_em[-1]:.2f}).",
    )


# ---------------------------------------------------------------------------- CL-192
@experiment(
    "dot_vs_additive_attention",
    claims=["CL-192"],
    title="Dot-product attention: fewer parameters, faster, comparable accuracy to additive",
    topic=TOPIC,
)
def dot_vs_additive_attention(ctx):
    from glassml.autograd import Tensor
    from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    from glassml.models.seq2seq import exact_match, fit_seq2seq
    from glassml.nn.seq_attention import BahdanauAttention, LuongAttention

    H, B, S = 64, 32, 20
    rng = ctx.rng()
    q = Tensor(rng.standard_normal((B, S, H)).astype(np.float32), requires_grad=True)
    k = Tensor(rng.standard_normal((B, S, H)).astype(np.float32), requires_grad=True)
    g = Tensor(rng.standard_normal((B, S, H)).astype(np.float32))
    modules = {"dot": LuongAttention(H, H, "dot"), "additive": BahdanauAttention(H, H, H)}
    params = {n: int(sum(p.numel() for p in m.parameters())) for n, m in modules.items()}
    times = {n: [] for n in modules}
    for _ in range(7 if ctx.quick else 25):  # interleaved A B A B, medians
        for name, m in modules.items():
            t0 = time.perf_counter()
            c, _ = m(q, k)
            (c * g).sum().backward()
            times[name].append(time.perf_counter() - t0)
    med = {n: float(np.median(t[1:])) for n, t in times.items()}

    lo, hi = (3, 6) if ctx.quick else (4, 14)
    train = make_seq2seq_task("reverse", 4000 if ctx.quick else 20_000, lo, hi, ctx.seed)
    test = make_seq2seq_task("reverse", 200 if ctx.quick else 500, lo, hi, ctx.seed + 1)
    em, tok, step_time = {}, {}, {}
    for name, attention in (("dot", "dot"), ("additive", "bahdanau")):
        model = _model(train, 32 if ctx.quick else 64, attention, ctx.seed)
        t0 = time.perf_counter()
        steps = 130 if ctx.quick else 1000
        fit_seq2seq(model, train, steps=steps, batch_size=32, lr=1e-2 if ctx.quick else 3e-3,
                    random_state=ctx.seed, progress=False)  # fmt: skip
        step_time[name] = (time.perf_counter() - t0) / steps
        em[name] = exact_match(model, test)
        tok[name] = _token_accuracy(model, test, free_running=False)
    fig, axes = ctx.figure(1, 3, width=3.6)
    names = list(modules)
    axes[0].bar(names, [params[n] for n in names])
    axes[0].set_title("attention parameters")
    axes[1].bar(names, [1e3 * med[n] for n in names])
    axes[1].set_title(f"fwd+bwd ms (B={B}, T=S={S}, H={H})")
    axes[2].bar(names, [em[n] for n in names])
    axes[2].set_title("exact match (reversal)")
    axes[2].set_ylim(0, 1)
    return Outcome(
        metrics={
            "params_dot": params["dot"],
            "params_additive": params["additive"],
            "attention_ms_dot": 1e3 * med["dot"],
            "attention_ms_additive": 1e3 * med["additive"],
            "train_step_ms_dot": 1e3 * step_time["dot"],
            "train_step_ms_additive": 1e3 * step_time["additive"],
            "exact_match_dot": em["dot"],
            "exact_match_additive": em["additive"],
            "token_accuracy_dot": tok["dot"],
            "token_accuracy_additive": tok["additive"],
        },
        checks={
            "dot attention has no parameters, additive 2H² + 2H": params["dot"] == 0
            and params["additive"] == 2 * H * H + 2 * H,
            "dot attention is at least 2x faster (fwd+bwd)": med["additive"] > 2 * med["dot"],
            "accuracy is comparable (both >= 0.9 token accuracy, |Δ| <= 0.05)": min(tok.values())
            >= 0.9
            and abs(tok["dot"] - tok["additive"]) <= 0.05,
        },
        figure=fig,
        summary=f"Dot: 0 parameters, {1e3 * med['dot']:.2f} ms; additive: {params['additive']} "
        f"parameters, {1e3 * med['additive']:.2f} ms per fwd+bwd; token accuracy {tok['dot']:.3f} "
        f"vs {tok['additive']:.3f}, exact match {em['dot']:.2f} (dot) vs {em['additive']:.2f} "
        "(additive).",
    )


# ---------------------------------------------------------------------------- ELMo corpus
_SUBJECTS = ["he", "she", "we", "they", "the man", "the girl", "my friend"]
_RIVER = ["river", "stream", "lake", "water"]
_MONEY = ["money", "cash", "loan", "savings"]
_RIVER_BANK = ["{s} sat on the bank of the {r}", "{s} fished from the bank by the {r}",
               "the {r} flooded the muddy bank", "{s} walked along the bank near the {r}",
               "ducks swam to the bank of the {r}", "the bank of the {r} was green"]  # fmt: skip
_MONEY_BANK = ["{s} took the {m} from the bank", "the bank lent {s} the {m}",
               "{s} put the {m} in the bank", "{s} asked the bank for {m}",
               "the bank counted the {m}", "the bank kept the {m} safe"]  # fmt: skip
_FILLER = ["{s} swam in the {r}", "{s} saved the {m}", "the {r} was cold", "{s} spent the {m}",
           "{s} drank the {r} water", "{s} lost the {m}"]  # fmt: skip


def _polysemy_corpus(rng, n):
    """Sentences (token lists) and, for each sentence with "bank", its sense (0 river, 1 money)."""
    sentences, senses = [], []
    for _ in range(n):
        kind = rng.integers(0, 3)
        bank = (_RIVER_BANK, _MONEY_BANK, _FILLER)[kind]
        text = bank[rng.integers(len(bank))].format(
            s=_SUBJECTS[rng.integers(len(_SUBJECTS))],
            r=_RIVER[rng.integers(len(_RIVER))],
            m=_MONEY[rng.integers(len(_MONEY))],
        )
        sentences.append(text.split())
        senses.append(int(kind) if kind < 2 else -1)
    return sentences, np.array(senses)


def _bank_vectors(vectors, sentences):
    """The vector of the (first) "bank" token of each sentence."""
    return np.stack([v[s.index("bank")] for v, s in zip(vectors, sentences, strict=True)])


def _cosines(X, labels):
    Xn = X / np.linalg.norm(X, axis=1, keepdims=True)
    C = Xn @ Xn.T
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(X), dtype=bool)
    return float(C[same & off].mean()), float(C[~same].mean())


def _train_elmo(ctx, sentences):
    from glassml.autograd import manual_seed
    from glassml.models.elmo import ELMo

    manual_seed(ctx.seed)
    elmo = ELMo.from_corpus(sentences, embedding_dim=24 if ctx.quick else 64,
                            generator=np.random.default_rng(ctx.seed))  # fmt: skip
    losses = elmo.fit(sentences, epochs=3 if ctx.quick else 15, batch_size=32, lr=1e-2,
                      random_state=ctx.seed, progress=False)  # fmt: skip
    return elmo, losses


# ---------------------------------------------------------------------------- CL-178
@experiment(
    "contextual_vectors_separate_senses",
    claims=["CL-178"],
    title="One static word2vec vector per word; ELMo vectors of 'bank' cluster by sense",
    topic=TOPIC,
)
def contextual_vectors_separate_senses(ctx):
    from glassml.linear_model import LogisticRegression
    from glassml.text.word2vec import Word2Vec

    rng = ctx.rng()
    corpus, _ = _polysemy_corpus(rng, 600 if ctx.quick else 3000)
    w2v = Word2Vec(vector_size=24, window=3, min_count=1, epochs=5 if ctx.quick else 20,
                   seed=ctx.seed, progress=False).fit(corpus)  # fmt: skip
    elmo, losses = _train_elmo(ctx, corpus)
    held, senses = _polysemy_corpus(ctx.rng(1), 300 if ctx.quick else 1000)
    keep = senses >= 0
    held, senses = [s for s, k in zip(held, keep, strict=True) if k], senses[keep]
    static = np.stack([w2v.wv["bank"] for _ in held])  # one vector whatever the context
    top = _bank_vectors(elmo.embed(held, layer=elmo.num_layers), held)  # (N, 2H)
    s_within, s_across = _cosines(static, senses)
    c_within, c_across = _cosines(top, senses)
    centred = top - top.mean(0)  # remove the direction shared by every occurrence
    z_within, z_across = _cosines(centred, senses)
    # a linear sense probe, fitted on half the occurrences and scored on the other half
    half = len(held) // 2
    acc = {}
    for name, X in (("word2vec", static), ("elmo", top)):
        clf = LogisticRegression(max_iter=500).fit(X[:half], senses[:half])
        acc[name] = float((clf.predict(X[half:]) == senses[half:]).mean())
    P = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T  # PCA to 2-D
    fig, (ax, ax2) = ctx.figure(1, 2)
    for c, name in ((0, "river sense"), (1, "money sense")):
        ax.scatter(*P[senses == c].T, s=10, label=name)
    ax.set_title("ELMo top-layer vectors of 'bank' (PCA)")
    ax.legend()
    x = np.arange(3)
    ax2.bar(x - 0.2, [s_within, c_within, z_within], 0.4, label="within sense")
    ax2.bar(x + 0.2, [s_across, c_across, z_across], 0.4, label="across senses")
    ax2.set_xticks(x, ["word2vec", "ELMo", "ELMo centred"])
    ax2.set_ylabel("mean cosine")
    ax2.legend()
    return Outcome(
        metrics={
            "word2vec_within": s_within,
            "word2vec_across": s_across,
            "elmo_within": c_within,
            "elmo_across": c_across,
            "elmo_centred_within": z_within,
            "elmo_centred_across": z_across,
            "probe_accuracy_word2vec": acc["word2vec"],
            "probe_accuracy_elmo": acc["elmo"],
            "elmo_lm_loss_first_last": [losses[0], losses[-1]],
        },
        checks={
            "word2vec gives 'bank' one vector: within-sense = across-sense cosine": abs(
                s_within - s_across
            )
            < 1e-6,
            "ELMo: within-sense cosine > across-sense cosine": c_within > c_across,
            "ELMo, centred: within-sense cosine > across-sense + 0.1": z_within > z_across + 0.1,
            "a linear probe recovers the sense from ELMo (>= 0.85), not from word2vec (<= 0.65)": acc[
                "elmo"
            ]
            >= 0.85
            and acc["word2vec"] <= 0.65,
        },
        figure=fig,
        summary=f"'bank' in river vs money contexts: word2vec cosine {s_within:.2f} within = "
        f"{s_across:.2f} across (one vector, probe {acc['word2vec']:.0%}); ELMo top layer "
        f"{c_within:.2f} within vs {c_across:.2f} across (centred {z_within:.2f} vs "
        f"{z_across:.2f}), sense probe {acc['elmo']:.0%}.",
    )


# ---------------------------------------------------------------------------- CL-202
@experiment(
    "elmo_layer_weights_and_probes",
    claims=["CL-202"],
    title="ELMo's learned layer weights are not uniform; layers carry different information",
    topic=TOPIC,
    weak=True,
)
def elmo_layer_weights_and_probes(ctx):
    from glassml.autograd import Tensor
    from glassml.autograd.fused import cross_entropy
    from glassml.linear_model import LogisticRegression
    from glassml.models.elmo import ScalarMix
    from glassml.nn.linear import Linear
    from glassml.optim import Adam

    corpus, _ = _polysemy_corpus(ctx.rng(), 600 if ctx.quick else 3000)
    elmo, _ = _train_elmo(ctx, corpus)
    held, senses = _polysemy_corpus(ctx.rng(2), 400)
    keep = senses >= 0
    held, senses = [s for s, k in zip(held, keep, strict=True) if k], senses[keep]
    reps = np.stack(
        [
            r[:, s.index("bank")]
            for r, s in zip(elmo.layer_representations(held), held, strict=True)
        ],
        axis=1,
    )  # (J,N,D)
    J, N, D = reps.shape
    half = N // 2
    probe = []
    for j in range(J):  # linear probe per layer, train on half, test on the other half
        clf = LogisticRegression(max_iter=500).fit(reps[j, :half], senses[:half])
        probe.append(float((clf.predict(reps[j, half:]) == senses[half:]).mean()))
    # task-specific scalar mix + linear classifier trained jointly on the sense task
    mix = ScalarMix(J)
    head = Linear(D, 2, generator=np.random.default_rng(ctx.seed))
    opt = Adam([*mix.parameters(), *head.parameters()], lr=0.05)
    X, y = Tensor(reps[:, :half].astype(np.float32)), Tensor(senses[:half])
    for _ in range(150 if ctx.quick else 400):
        loss = cross_entropy(head(mix(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    s = mix.weights
    fig, (ax, ax2) = ctx.figure(1, 2)
    ax.bar([f"layer {j}" for j in range(J)], probe)
    ax.set_ylim(0, 1.05)
    ax.set_title("sense probe accuracy ('bank')")
    ax2.bar([f"s_{j}" for j in range(J)], s)
    ax2.axhline(1 / J, color="k", ls="--", label="uniform")
    ax2.set_title("learned scalar-mix weights")
    ax2.legend()
    return Outcome(
        metrics={
            "probe_accuracy_per_layer": probe,
            "learned_s": s.tolist(),
            "gamma": float(mix.gamma.data[0]),
        },  # fmt: skip
        checks={
            "the learned s_j differ from uniform (max |s_j - 1/J| > 0.05)": float(
                np.max(np.abs(s - 1 / J))
            )
            > 0.05,
            "layer 0 (context-free) cannot tell the senses apart (probe <= 0.6)": probe[0] <= 0.6,
            "a contextual layer can (probe >= 0.9)": max(probe[1:]) >= 0.9,
        },
        figure=fig,
        summary=f"Sense probe accuracy per layer {[round(p, 2) for p in probe]}; learned "
        f"s = {np.round(s, 2).tolist()} (uniform would be {1 / J:.2f}).",
    )
