"""The language subcommands of ``glassml``: generate, embed, search, ask.

glassml generate "PROMPT" [--checkpoint DIR]   SmolLM2-135M-Instruct chat (default) or a GPT
                                               checkpoint trained with glassml, streamed
glassml embed TEXT... [--file F] [--out X.npy] MiniLM sentence embeddings (384-d, unit norm)
glassml search DIR "QUERY" [-k 5]              semantic search over the text files in DIR
glassml ask DIR "QUESTION" [-k 3]              retrieval-augmented answer with citations

``search``/``ask`` chunk and embed DIR on every call unless ``--index PATH`` names a saved
index (built and written there on first use). Inventory: TR-13, TR-18, TR-19, TR-20.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register_subcommands", "dispatch"]


def register_subcommands(sub) -> None:
    gen = sub.add_parser(
        "generate",
        help="generate text with SmolLM2 or a glassml GPT checkpoint",
        description="Stream a continuation of PROMPT. Without --checkpoint, the offline "
        "SmolLM2-135M-Instruct answers PROMPT as a chat message (--raw: plain continuation).",
    )
    gen.add_argument("prompt", help="the prompt text")
    gen.add_argument("--checkpoint", metavar="DIR", help="a GPT checkpoint folder (glassml)")
    gen.add_argument("--max-new-tokens", type=int, default=64, metavar="N")
    gen.add_argument("--temperature", type=float, default=0.0, help="0 = greedy (default)")
    gen.add_argument("--top-k", type=int, default=None)
    gen.add_argument("--top-p", type=float, default=None)
    gen.add_argument("--raw", action="store_true", help="SmolLM2: no chat template")
    gen.add_argument("--seed", type=int, default=0)
    gen.set_defaults(_language_handler=_cmd_generate)

    emb = sub.add_parser(
        "embed",
        help="MiniLM sentence embeddings",
        description="Embed sentences with all-MiniLM-L6-v2 (mean pooling, L2-normalised). "
        "Prints one JSON list per sentence, or writes an (n, 384) .npy with --out.",
    )
    emb.add_argument("texts", nargs="*", metavar="TEXT")
    emb.add_argument("--file", metavar="F", help="one sentence per line")
    emb.add_argument("--out", metavar="X.npy", help="write a .npy instead of printing")
    emb.set_defaults(_language_handler=_cmd_embed)

    for name, helptext in (
        ("search", "semantic search over a folder of text files"),
        ("ask", "answer a question from a folder of text files (RAG with SmolLM2)"),
    ):
        p = sub.add_parser(name, help=helptext, description=helptext + ".")
        p.add_argument("folder", metavar="DIR")
        p.add_argument("query", metavar="QUERY" if name == "search" else "QUESTION")
        p.add_argument("-k", type=int, default=5 if name == "search" else 3)
        p.add_argument("--index", metavar="PATH", help="saved index folder (created if absent)")
        if name == "ask":
            p.add_argument("--max-new-tokens", type=int, default=96, metavar="N")
        p.set_defaults(_language_handler=_cmd_search if name == "search" else _cmd_ask)


def dispatch(args) -> int:
    try:
        return args._language_handler(args)
    except (FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"glassml {args.command}: error: {err}", file=sys.stderr)
        return 2


def _stream(piece: str) -> None:
    sys.stdout.write(piece)
    sys.stdout.flush()


def _cmd_generate(args) -> int:
    if args.max_new_tokens < 1:
        raise ValueError(
            f"--max-new-tokens: expected a positive integer, got {args.max_new_tokens}."
        )
    if args.checkpoint:
        from .models.gpt_train import generate_text

        text = generate_text(
            args.checkpoint,
            args.prompt,
            max_new_tokens=args.max_new_tokens,
            temperature=args.temperature if args.temperature > 0 else 1.0,
            top_k=args.top_k,
            top_p=args.top_p,
            greedy=args.temperature == 0,
            seed=args.seed,
        )
        print(text)
        return 0
    from .models.llama import Llama

    model = Llama.from_smollm2()
    options = dict(
        max_new_tokens=args.max_new_tokens,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        seed=args.seed,
        stream=_stream,
    )
    if args.raw:
        model.complete(args.prompt, **options)
    else:
        model.chat(args.prompt, **options)
    print()
    return 0


def _read_texts(args) -> list[str]:
    texts = list(args.texts)
    if args.file:
        lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        texts += [line for line in lines if line.strip()]
    if not texts:
        raise ValueError("embed: give sentences as arguments or with --file.")
    return texts


def _cmd_embed(args) -> int:
    import numpy as np

    from .models.sentence_encoder import SentenceEncoder

    vectors = SentenceEncoder.from_minilm().encode(_read_texts(args))
    if args.out:
        np.save(args.out, vectors)
        print(f"wrote {args.out}: {vectors.shape[0]} x {vectors.shape[1]} float32")
    else:
        for row in vectors:
            print(json.dumps([round(float(v), 6) for v in row]))
    return 0


def _pipeline(args):
    from .retrieval import RAGPipeline

    if args.index and (Path(args.index) / "chunks.json").exists():
        return RAGPipeline.load(args.index)
    rag = RAGPipeline().add_folder(args.folder)
    if args.index:
        rag.save(args.index)
    return rag


def _cmd_search(args) -> int:
    rag = _pipeline(args)
    for rank, (chunk, score) in enumerate(rag.retrieve(args.query, args.k), 1):
        print(f"{rank}. {score:.3f}  {chunk.citation()}\n   {chunk.text}")
    return 0


def _cmd_ask(args) -> int:
    rag = _pipeline(args)
    answer = rag.ask(args.query, k=args.k, max_new_tokens=args.max_new_tokens, stream=_stream)
    print("\n\nSources:")
    for i, (chunk, score) in enumerate(answer.passages, 1):
        print(f"  [{i}] {chunk.citation()} ({score:.3f}): {chunk.text[:100]}")
    return 0


def main(argv=None) -> int:  # pragma: no cover - convenience for python -m
    parser = argparse.ArgumentParser(prog="glassml")
    register_subcommands(parser.add_subparsers(dest="command"))
    return dispatch(parser.parse_args(argv))
