"""Training a GPT on a token stream (Shakespeare), and sampling text from a saved checkpoint.

The data is one long array of token ids. A batch is B windows of ``block_size + 1`` tokens at
random offsets: x = window[:-1], y = window[1:] (every position predicts the next token, TR-12).
The loop is nanoGPT's:

    lr_t   = warmup_cosine(t)      linear warmup to lr, cosine decay to min_lr  (OP-19, OP-15)
    L      = CE(GPT(x), y);   g = dL/dθ
    g     <- g * min(1, c / ||g||)                          (clip by global norm, OP-21)
    θ     <- AdamW(θ, g, lr_t)  (decay only on >= 2-D weights, OP-11)

Tokenizers: :class:`CharTokenizer` (one id per character) or glassml's byte-level
:class:`~glassml.text.BPETokenizer`; both save to ``tokenizer.json`` next to the model.

Inventory: TR-12, TR-13, OP-11, OP-15, OP-19, OP-21, CL-194.

Example
-------
>>> import numpy as np
>>> from glassml.models.gpt import GPT
>>> tok = CharTokenizer().fit("to be or not to be")
>>> data = np.array(tok.encode("to be or not to be " * 20))
>>> model = GPT(vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=16)
>>> hist = train_gpt(model, data, batch_size=4, block_size=8, max_steps=5, lr=1e-2,
...                  warmup_steps=1, progress=False, generator=np.random.default_rng(0))
>>> len(hist["train_loss"])
5
"""

from __future__ import annotations

import json
import math
import numbers
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from glassml.autograd import no_grad
from glassml.nn.utils import clip_grad_norm_
from glassml.optim.lr_scheduler import warmup_cosine
from glassml.text import BPETokenizer

from .gpt import GPT

__all__ = [
    "CharTokenizer",
    "ShakespeareData",
    "prepare_shakespeare",
    "get_batch",
    "estimate_loss",
    "train_gpt",
    "tokenizer_to_dict",
    "tokenizer_from_dict",
    "load_tokenizer",
    "generate_text",
]


class CharTokenizer:
    """Character-level tokenizer: the sorted distinct characters of the training text are the
    vocabulary (65 for the classic tiny-shakespeare, 84 for the full corpus).

    Example
    -------
    >>> tok = CharTokenizer().fit("hello")
    >>> tok.encode("hole"), tok.decode([3, 1])
    ([1, 3, 2, 0], 'oh')
    """

    def fit(self, text: str) -> CharTokenizer:
        if not isinstance(text, str) or not text:
            raise ValueError("CharTokenizer.fit: text must be a non-empty str")
        self.chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(self.chars)}
        return self

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(f"CharTokenizer: characters {unknown[:10]} are not in the vocabulary")
        return [self.stoi[c] for c in text]

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)

    def to_dict(self) -> dict:
        return {"type": "char", "chars": "".join(self.chars)}


def tokenizer_to_dict(tok) -> dict:
    """JSON-serialisable description of a CharTokenizer, a BPETokenizer or any object with
    ``to_dict()`` (the inverse of :func:`tokenizer_from_dict`)."""
    if not isinstance(tok, BPETokenizer):
        if not hasattr(tok, "to_dict"):
            raise TypeError(f"tokenizer: cannot serialise a {type(tok).__name__} (no to_dict())")
        return tok.to_dict()
    return {
        "type": "bpe",
        "num_merges": tok.num_merges,
        "byte_level": tok.byte_level,
        "lowercase": tok.lowercase,
        "merges": [list(m) for m in tok.merges],
        "tokens": [tok.id_to_token[i] for i in range(len(tok.vocab))],
    }


def tokenizer_from_dict(d: dict):
    """Rebuild a tokenizer from its ``to_dict()`` payload (char or BPE).

    Example
    -------
    >>> tok = tokenizer_from_dict(tokenizer_to_dict(CharTokenizer().fit("abc")))
    >>> tok.encode("cab")
    [2, 0, 1]
    """
    kind = d.get("type")
    if kind == "char":
        return CharTokenizer().fit(d["chars"])
    if kind == "bpe":
        tok = BPETokenizer(num_merges=d["num_merges"], byte_level=d["byte_level"],
                           lowercase=d["lowercase"])  # fmt: skip
        tok.merges = [tuple(m) for m in d["merges"]]
        tok.ranks = {p: i for i, p in enumerate(tok.merges)}
        tok.vocab = {t: i for i, t in enumerate(d["tokens"])}
        tok.id_to_token = dict(enumerate(d["tokens"]))
        tok._cache = {}
        return tok
    raise ValueError(f"tokenizer.json: unknown tokenizer type {kind!r} (expected 'char' or 'bpe')")


def load_tokenizer(directory):
    """The tokenizer saved next to a GPT checkpoint by ``GPT.save(directory, tokenizer)``."""
    path = Path(directory) / "tokenizer.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{directory} holds no tokenizer.json; save with GPT.save(dir, tok)"
        )
    return tokenizer_from_dict(json.loads(path.read_text(encoding="utf-8")))


@dataclass
class ShakespeareData:
    """Token arrays (int64) of the train/validation split and the fitted tokenizer."""

    train: np.ndarray
    val: np.ndarray
    tokenizer: object
    vocab_size: int


def prepare_shakespeare(
    tokenizer: str = "char",
    vocab_size: int = 512,
    *,
    works=None,
    max_chars: int | None = None,
    bpe_fit_chars: int = 200_000,
    val_fraction: float = 0.1,
) -> ShakespeareData:
    """Tokenise the Shakespeare corpus (glassml.datasets.load_shakespeare) for GPT training.

    Parameters
    ----------
    tokenizer : "char" (one id per character) or "bpe" (byte-level BPE learned on the first
        ``bpe_fit_chars`` characters with ``vocab_size - 257`` merges).
    vocab_size : target BPE vocabulary (ignored for "char").
    works : names of the works to use (default all 42); ``max_chars`` keeps the first chars.
    val_fraction : the last fraction of the tokens is the validation split.

    Example
    -------
    >>> d = prepare_shakespeare("char", max_chars=10_000)      # doctest: +SKIP
    >>> d.train.dtype, d.vocab_size                            # doctest: +SKIP
    (dtype('int64'), 61)
    """
    from glassml.datasets import load_shakespeare

    if tokenizer not in ("char", "bpe"):
        raise ValueError(f"tokenizer must be 'char' or 'bpe', got {tokenizer!r}")
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction!r}")
    text = load_shakespeare(works)
    if max_chars is not None:
        text = text[: int(max_chars)]
    if tokenizer == "char":
        tok = CharTokenizer().fit(text)
    else:
        if not isinstance(vocab_size, numbers.Integral) or vocab_size < 258:
            raise ValueError(f"vocab_size must be an int >= 258 for BPE, got {vocab_size!r}")
        tok = BPETokenizer(num_merges=int(vocab_size) - 257).fit(text[:bpe_fit_chars])
    ids = np.asarray(tok.encode(text), dtype=np.int64)
    n_val = max(1, int(len(ids) * val_fraction))
    return ShakespeareData(ids[:-n_val], ids[-n_val:], tok, len(tok.vocab) if tokenizer == "bpe"
                           else tok.vocab_size)  # fmt: skip


def get_batch(data: np.ndarray, batch_size: int, block_size: int, generator: np.random.Generator):
    """B random windows: x (B, T) = data[o : o+T], y (B, T) = data[o+1 : o+T+1].

    Example
    -------
    >>> x, y = get_batch(np.arange(100), 2, 4, np.random.default_rng(0))
    >>> bool((y == x + 1).all())
    True
    """
    if len(data) < block_size + 1:
        raise ValueError(
            f"data: need at least block_size + 1 = {block_size + 1} tokens, got {len(data)}"
        )
    offsets = generator.integers(0, len(data) - block_size, size=batch_size)  # (B,)
    window = offsets[:, None] + np.arange(block_size + 1)  # (B, T+1)
    return data[window[:, :-1]], data[window[:, 1:]]  # (B, T) each, contiguous


def estimate_loss(model: GPT, data: np.ndarray, batch_size: int, block_size: int,
                  eval_iters: int, generator: np.random.Generator) -> float:  # fmt: skip
    """Mean next-token loss over ``eval_iters`` random (B, T) batches of ``data``, in eval mode
    without gradients (the estimate nanoGPT logs).

    Example
    -------
    >>> m = GPT(vocab_size=4, block_size=8, n_layer=1, n_head=1, n_embd=4)
    >>> round(estimate_loss(m, np.arange(40) % 4, 2, 8, 2, np.random.default_rng(0)), 1)
    1.4
    """
    was_training = model.training
    model.eval()
    losses = []
    with no_grad():
        for _ in range(eval_iters):
            x, y = get_batch(data, batch_size, block_size, generator)
            losses.append(model(x, y)[1].item())
    model.train(was_training)
    return float(np.mean(losses))


def train_gpt(
    model: GPT,
    data: np.ndarray,
    *,
    batch_size: int = 16,
    block_size: int | None = None,
    max_steps: int = 1000,
    lr: float = 1e-3,
    warmup_steps: int = 100,
    min_lr: float | None = None,
    weight_decay: float = 0.1,
    betas=(0.9, 0.95),
    grad_clip: float | None = 1.0,
    eval_interval: int = 0,
    eval_iters: int = 20,
    val_data: np.ndarray | None = None,
    generator: np.random.Generator | None = None,
    progress: bool = True,
) -> dict:
    """Train ``model`` on the token array ``data`` (nanoGPT's loop, see the module docstring).

    Parameters
    ----------
    data, val_data : 1-D int arrays of token ids.
    batch_size, block_size : B windows of T tokens per step (T defaults to the model's).
    max_steps, lr, warmup_steps, min_lr : warmup_cosine schedule from 0 to lr then to min_lr
        (default lr / 10) at max_steps.
    weight_decay, betas : AdamW (``model.configure_optimizers``).
    grad_clip : max global gradient norm (None: no clipping).
    eval_interval, eval_iters : every ``eval_interval`` steps (and at the end) the mean loss of
        ``eval_iters`` batches of train and val data (0: never).
    generator : numpy Generator for the batches (and dropout masks are glassml's default).

    Returns
    -------
    history dict: ``train_loss``, ``lr``, ``grad_norm`` (one per step), ``eval_step``,
    ``eval_train_loss``, ``val_loss`` (one per evaluation), ``tokens_per_second``.
    """
    data = _check_tokens(data, "data", model.config.vocab_size)
    val_data = (
        None if val_data is None else _check_tokens(val_data, "val_data", model.config.vocab_size)
    )
    block_size = model.config.block_size if block_size is None else int(block_size)
    if not 1 <= block_size <= model.config.block_size:
        raise ValueError(f"block_size must be in [1, {model.config.block_size}], got {block_size}")
    for name, value in (("batch_size", batch_size), ("max_steps", max_steps)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if not 0 <= warmup_steps < max_steps:
        raise ValueError(
            f"warmup_steps must be in [0, max_steps={max_steps}), got {warmup_steps!r}"
        )
    min_lr = lr / 10 if min_lr is None else float(min_lr)
    rng = np.random.default_rng() if generator is None else generator
    opt = model.configure_optimizers(weight_decay, lr, betas)
    sched = warmup_cosine(opt, warmup_steps, max_steps, min_lr / lr if lr > 0 else 0.0)
    params = list(model.parameters())
    hist = {k: [] for k in ("train_loss", "lr", "grad_norm", "eval_step", "eval_train_loss",
                            "val_loss")}  # fmt: skip
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=max_steps, desc="train GPT", leave=False)
    model.train()
    start = time.perf_counter()
    for step in range(max_steps):
        x, y = get_batch(data, batch_size, block_size, rng)
        hist["lr"].append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        _, loss = model(x, y)
        loss.backward()
        norm = clip_grad_norm_(params, grad_clip) if grad_clip else None
        opt.step()
        sched.step()
        hist["train_loss"].append(loss.item())
        hist["grad_norm"].append(float(norm) if norm is not None else math.nan)
        last = step == max_steps - 1
        if eval_interval and ((step + 1) % eval_interval == 0 or last):
            hist["eval_step"].append(step + 1)
            hist["eval_train_loss"].append(
                estimate_loss(model, data, batch_size, block_size, eval_iters, rng)
            )
            hist["val_loss"].append(
                estimate_loss(model, val_data, batch_size, block_size, eval_iters, rng)
                if val_data is not None
                else math.nan
            )
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{hist['train_loss'][-1]:.3f}")
    if bar is not None:
        bar.close()
    hist["tokens_per_second"] = max_steps * batch_size * block_size / (time.perf_counter() - start)
    return hist


def _check_tokens(data, name: str, vocab_size: int) -> np.ndarray:
    arr = np.asarray(data)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(
            f"{name} must be a 1-D integer array of token ids, got {arr.dtype} {arr.shape}"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= vocab_size):
        raise ValueError(f"{name}: token ids must be in [0, vocab_size={vocab_size})")
    return arr.astype(np.int64, copy=False)


def generate_text(
    checkpoint_dir,
    prompt: str = "\n",
    max_new_tokens: int = 200,
    temperature: float = 0.8,
    top_k: int | None = None,
    top_p: float | None = None,
    *,
    greedy: bool = False,
    seed: int | None = 0,
    stream=None,
) -> str:
    """Load a GPT checkpoint (``GPT.save(dir, tokenizer)``) and continue ``prompt``.

    This is what ``glassml generate --checkpoint DIR "prompt"`` runs for GPT checkpoints.
    ``stream`` (a callable taking a str, e.g. ``print`` with end="") receives each piece of
    text as it is generated. Returns the prompt followed by the generated text.

    Example
    -------
    >>> # print(generate_text("runs/gpt-shakespeare", "ROMEO:", 300, top_k=40))
    """
    model = GPT.load(checkpoint_dir)
    tok = load_tokenizer(checkpoint_dir)
    ids = tok.encode(prompt)
    if not ids:
        raise ValueError("prompt: encodes to no tokens; give at least one character/word")
    callback = None
    if stream is not None:
        new_ids, shown = [], [tok.decode(ids)]

        def callback(tokens):  # emit the newly decoded suffix (BPE pieces carry the spaces)
            new_ids.append(int(tokens[0]))
            text = tok.decode(ids + new_ids)
            stream(text[len(shown[0]) :])
            shown[0] = text

    out = model.generate(
        np.asarray([ids], dtype=np.int64), max_new_tokens, temperature=temperature,
        top_k=top_k, top_p=top_p, greedy=greedy, callback=callback,
        generator=np.random.default_rng(seed),
    )  # fmt: skip
    return tok.decode(out[0].tolist())
