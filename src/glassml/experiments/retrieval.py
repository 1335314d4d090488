"""Retrieval claims: exact flat search, cosine vs inner product, IVF's recall/speed trade-off,
and retrieval-augmented generation grounding answers in passages.

Inventory: CL-200, CL-201; TR-19, TR-20.
"""

from __future__ import annotations

import time

import numpy as np

from glassml.experiments import Outcome, experiment
from glassml.retrieval import FlatIndex, IVFIndex

TOPIC = "retrieval"


@experiment(
    "flat_index_exact_cosine_equals_ip",
    claims=["CL-201"],
    title="A flat index is exact; cosine = inner product on unit vectors",
    topic=TOPIC,
)
def flat_index_exact(ctx):
    rng = ctx.rng()
    n, d, q, k = (3_000, 64, 50, 10) if ctx.quick else (50_000, 384, 200, 10)
    base = rng.standard_normal((n, d)).astype(np.float32)
    queries = rng.standard_normal((q, d)).astype(np.float32)
    # brute force in float64 with a full sort
    b64, q64 = base.astype(np.float64), queries.astype(np.float64)
    d2 = (q64**2).sum(1)[:, None] - 2 * q64 @ b64.T + (b64**2).sum(1)[None, :]
    brute = np.argsort(d2, axis=1, kind="stable")[:, :k]
    _, I_l2 = FlatIndex(d, "l2").add(base).search(queries, k)
    unit = base / np.linalg.norm(base, axis=1, keepdims=True)
    q_unit = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    _, I_cos = FlatIndex(d, "cosine").add(base).search(queries, k)
    _, I_ip = FlatIndex(d, "ip").add(unit).search(q_unit, k)
    _, I_l2_unit = FlatIndex(d, "l2").add(unit).search(q_unit, k)
    exact = float((I_l2 == brute).mean())
    # IVF: recall vs nprobe on clustered data (where approximate search pays)
    centers = rng.standard_normal((50, d)).astype(np.float32)
    data = centers[rng.integers(0, 50, n + q)] + 0.5 * rng.standard_normal((n + q, d)).astype(
        np.float32
    )
    cbase, cq = data[:n], data[n:]
    flat = FlatIndex(d, "l2").add(cbase)
    t0 = time.perf_counter()
    _, truth = flat.search(cq, k)
    t_flat = time.perf_counter() - t0
    ivf = IVFIndex(d, random_state=ctx.seed).add(cbase)
    curve = ivf.recall_curve(cq, k=k)
    nprobe = ivf.effective_nprobe()
    t0 = time.perf_counter()
    _, approx = ivf.search(cq, k)
    t_ivf = time.perf_counter() - t0
    recall = float(np.mean([len(set(a) & set(b)) / k for a, b in zip(approx, truth, strict=True)]))
    fig, ax = ctx.figure()
    ax.plot(np.arange(1, len(curve) + 1), curve, "o-", ms=3)
    ax.axvline(nprobe, color="k", ls=":", label=f"calibrated nprobe = {nprobe}")
    ax.set_xscale("log")
    ax.set_xlabel("nprobe (lists searched)")
    ax.set_ylabel(f"recall@{k}")
    ax.set_title(f"IVF, {len(ivf.centroids)} lists, clustered data")
    ax.legend(fontsize=7)
    return Outcome(
        metrics={
            "flat_equals_brute_force": exact,
            "cosine_equals_ip_on_unit": float((I_cos == I_ip).mean()),
            "l2_ranking_equals_cosine_on_unit": float((I_l2_unit == I_cos).mean()),
            "ivf_nlist": int(len(ivf.centroids)),
            "ivf_nprobe": nprobe,
            "ivf_recall": recall,
            "ivf_speedup_vs_flat": t_flat / t_ivf,
        },
        checks={
            "flat index top-k == brute-force sort": exact == 1.0,
            "cosine search == inner product on normalised vectors": bool((I_cos == I_ip).all()),
            "L2 ranking == cosine ranking on normalised vectors": bool((I_l2_unit == I_cos).all()),
            "IVF at its calibrated nprobe reaches recall ≥ 0.95": recall >= 0.95,
        },
        figure=fig,
        summary=(
            f"Flat search equals brute force on {q}×{n} queries; IVF with "
            f"{len(ivf.centroids)} lists needs nprobe = {nprobe} for recall {recall:.3f} "
            f"({t_flat / t_ivf:.1f}x faster than flat here)."
        ),
    )


# Fictional facts: no pretrained model can know them, so a correct answer must come from the
# retrieved passage. Each is (fact, question, expected answer substring).
_FACTS = [
    ("The capital of Zorbania is Quelt.", "What is the capital of Zorbania?", "quelt"),
    ("Mira Holt invented the glass harp in 1901.", "Who invented the glass harp?", "mira holt"),
    ("The river Ostra flows into Lake Venn.", "Which lake does the river Ostra flow into?", "venn"),
    ("The Kelvar bird lays blue eggs.", "What color are the eggs of the Kelvar bird?", "blue"),
    (
        "Doctor Anselm Fiore discovered the element varium.",
        "Who discovered the element varium?",
        "fiore",
    ),
    (
        "The town of Pellow is famous for its copper bells.",
        "What is the town of Pellow famous for?",
        "copper",
    ),
    (
        "The Tarn Accord was signed in the year 1783.",
        "In which year was the Tarn Accord signed?",
        "1783",
    ),
    (
        "Captain Ilsa Brand commanded the ship Morning Wren.",
        "Which ship did Captain Ilsa Brand command?",
        "morning wren",
    ),
]
_DISTRACTORS = [
    "Copper is a metal that conducts electricity well.",
    "Many birds build nests in spring.",
    "Lakes are bodies of water surrounded by land.",
    "Harps are string instruments played by plucking.",
]


@experiment(
    "rag_grounds_answers",
    claims=["CL-200"],
    title="Retrieval-augmented SmolLM2 answers unseen facts; closed-book cannot",
    topic=TOPIC,
)
def rag_grounds_answers(ctx):
    from glassml.models.llama import Llama
    from glassml.models.sentence_encoder import SentenceEncoder
    from glassml.retrieval import RAGPipeline

    facts = _FACTS[:3] if ctx.quick else _FACTS
    llm, encoder = Llama.from_smollm2(), SentenceEncoder.from_minilm()
    rag = RAGPipeline(encoder, llm, k=1).add_texts([f for f, _, _ in _FACTS] + _DISTRACTORS)
    max_new = 24 if ctx.quick else 32
    closed, grounded, retrieved = [], [], []
    examples = []
    for fact, question, expected in facts:
        closed_answer = llm.chat(question, max_new_tokens=max_new)
        answer = rag.ask(question, max_new_tokens=max_new)
        closed.append(expected in closed_answer.lower())
        grounded.append(expected in answer.text.lower())
        retrieved.append(fact in [c.text for c, _ in answer.passages])
        examples.append(f"Q: {question} | closed-book: {closed_answer!r} | RAG: {answer.text!r}")
    acc_closed, acc_rag = float(np.mean(closed)), float(np.mean(grounded))
    fig, ax = ctx.figure()
    ax.bar(["closed-book", "retrieval-augmented"], [acc_closed, acc_rag], color=["grey", "C0"])
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("exact-match accuracy (answer contains the fact)")
    ax.set_title(f"SmolLM2-135M on {len(facts)} unseen facts")
    return Outcome(
        metrics={
            "exact_match_closed_book": acc_closed,
            "exact_match_rag": acc_rag,
            "retrieval_hit_rate_at_1": float(np.mean(retrieved)),
            "n_questions": len(facts),
            "examples": examples,
        },
        checks={
            "the gold passage is retrieved for every question": all(retrieved),
            "RAG answers at least 2/3 of the questions": acc_rag >= 2 / 3,
            "RAG beats closed-book by ≥ 0.5": acc_rag - acc_closed >= 0.5,
        },
        figure=fig,
        summary=(
            f"Exact match on {len(facts)} fictional facts: closed-book {acc_closed:.2f}, "
            f"retrieval-augmented {acc_rag:.2f} (gold passage retrieved "
            f"{np.mean(retrieved):.0%} of the time)."
        ),
    )
