"""Training and evaluation helpers for :class:`glassml.models.seq2seq.Seq2Seq` on the toy tasks
of :func:`glassml.datasets.seq2seq_tasks.make_seq2seq_task`.

* ``fit_seq2seq``: Adam on random mini-batches, masked token cross-entropy (SQ-10), teacher
  forcing ratio (SQ-02), gradient-norm clipping, warmup + cosine learning rate, tqdm bar;
* ``exact_match``: the fraction of sources decoded (greedy or beam) exactly to the target.

Inventory: SQ-02, SQ-10, SQ-11.

Example
-------
>>> from glassml.datasets.seq2seq_tasks import make_seq2seq_task
>>> from glassml.models.seq2seq import Seq2Seq
>>> task = make_seq2seq_task("copy", n_samples=50, min_len=2, max_len=3, random_state=0)
>>> model = Seq2Seq(len(task.src_vocab), len(task.tgt_vocab), hidden_size=8)
>>> _ = fit_seq2seq(model, task, steps=2, batch_size=4, progress=False)
>>> 0.0 <= exact_match(model, task) <= 1.0
True
"""

from __future__ import annotations

import numbers

import numpy as np

from glassml.nn.utils.clip_grad import clip_grad_norm_
from glassml.optim import Adam
from glassml.optim.lr_scheduler import warmup_cosine

__all__ = ["fit_seq2seq", "exact_match"]


def _check_pos_int(value, name: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_task(task):
    for key in ("src", "src_lengths", "tgt", "tgt_lengths", "targets", "tgt_vocab"):
        if key not in task:
            raise ValueError(
                f"task: expected a task from make_seq2seq_task (with {key!r}), got keys "
                f"{sorted(task)}"
            )


def fit_seq2seq(model, task, *, steps=1000, batch_size=64, lr=3e-3, clip_norm=1.0,
                teacher_forcing_ratio=1.0, warmup_steps=0, min_lr_ratio=0.05, random_state=0,
                progress=True):  # fmt: skip
    """Train a :class:`Seq2Seq` on a task of :func:`make_seq2seq_task` with Adam.

    Each step draws ``batch_size`` random pairs (trimmed to their longest member), minimises
    the masked token cross-entropy (SQ-10) with ``teacher_forcing_ratio`` (SQ-02), clips the
    gradient norm to ``clip_norm`` and follows a warmup + cosine learning-rate schedule down to
    ``min_lr_ratio``·lr. Returns the list of training losses (one per step).

    Example
    -------
    >>> from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    >>> from glassml.models.seq2seq import Seq2Seq
    >>> task = make_seq2seq_task("copy", n_samples=50, min_len=2, max_len=3, random_state=0)
    >>> m = Seq2Seq(len(task.src_vocab), len(task.tgt_vocab), hidden_size=8)
    >>> len(fit_seq2seq(m, task, steps=3, batch_size=4, progress=False))
    3
    """
    _check_task(task)
    steps = _check_pos_int(steps, "steps", "fit_seq2seq")
    batch_size = _check_pos_int(batch_size, "batch_size", "fit_seq2seq")
    rng = np.random.default_rng(random_state)
    opt = Adam(model.parameters(), lr=lr)
    sched = warmup_cosine(opt, warmup_steps, steps, min_lr_ratio)
    n = len(task["targets"])
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="seq2seq", leave=False)
    losses = []
    model.train()
    try:
        for _ in range(steps):
            idx = rng.integers(0, n, size=batch_size)  # (B,)
            lengths = task["src_lengths"][idx]
            src = task["src"][idx, : lengths.max()]
            tgt = task["tgt"][idx, : task["tgt_lengths"][idx].max()]
            loss = model.loss(src, lengths, tgt, teacher_forcing_ratio, generator=rng)
            opt.zero_grad()
            loss.backward()
            if clip_norm is not None:
                clip_grad_norm_(model.parameters(), clip_norm)
            opt.step()
            sched.step()
            losses.append(float(loss.data))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.4f}", refresh=False)
    finally:
        if bar is not None:
            bar.close()
    return losses


def exact_match(model, task, method="greedy", beam_width=4, length_penalty=1.0, *,
                return_outputs=False):  # fmt: skip
    """Fraction of the task's sources whose decoded output equals the target string exactly.

    With ``return_outputs=True`` also returns the decoded token lists.

    Example
    -------
    >>> from glassml.datasets.seq2seq_tasks import make_seq2seq_task
    >>> from glassml.models.seq2seq import Seq2Seq
    >>> task = make_seq2seq_task("copy", n_samples=4, random_state=0)
    >>> 0.0 <= exact_match(Seq2Seq(14, 14, hidden_size=8), task) <= 1.0
    True
    """
    _check_task(task)
    outputs = model.translate(task["src"], task["src_lengths"], method=method,
                              beam_width=beam_width, length_penalty=length_penalty)  # fmt: skip
    decode = task["tgt_vocab"].decode
    score = float(np.mean([decode(o) == t for o, t in zip(outputs, task["targets"], strict=True)]))
    return (score, outputs) if return_outputs else score
