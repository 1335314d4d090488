"""Toy sequence-to-sequence tasks (inventory SQ-11): reverse, sort, copy, addition, dates.

Each task produces source/target strings over a small alphabet, so seq2seq models, attention and
beam search can be trained in seconds on a CPU.

Example
-------
>>> from glassml.datasets import make_sequence_task
>>> src, tgt = make_sequence_task("reverse", n_samples=2, min_len=3, max_len=3, random_state=0)
>>> all(s[::-1] == t for s, t in zip(src, tgt))
True
"""

from __future__ import annotations

import numbers

import numpy as np

from .._core.random import check_random_state
from .._core.validation import check_in, check_scalar

__all__ = ["make_sequence_task", "SEQUENCE_TASKS"]

SEQUENCE_TASKS = ("reverse", "sort", "copy", "addition", "dates")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def make_sequence_task(
    task: str,
    n_samples: int = 1000,
    *,
    min_len: int = 3,
    max_len: int = 10,
    alphabet: str = "0123456789",
    random_state=None,
):
    """Source and target strings for a toy transduction task.

    * ``reverse``: "3141" -> "1413"; ``sort``: "3141" -> "1134"; ``copy``: identity;
    * ``addition``: "123+45" -> "168" (operands of ``min_len``..``max_len`` digits);
    * ``dates``: "7 Mar 2024" -> "2024-03-07" (format conversion).

    Returns ``(sources, targets)``, two lists of str.
    """
    check_in(task, "task", SEQUENCE_TASKS)
    check_scalar(n_samples, "n_samples", numbers.Integral, min_val=1)
    check_scalar(min_len, "min_len", numbers.Integral, min_val=1)
    check_scalar(max_len, "max_len", numbers.Integral, min_val=min_len)
    if len(alphabet) < 2:
        raise ValueError(f"alphabet: expected at least 2 symbols, got {alphabet!r}.")
    rng = check_random_state(random_state)
    if task == "dates":
        days = rng.integers(1, 29, size=n_samples)
        months = rng.integers(1, 13, size=n_samples)
        years = rng.integers(1950, 2050, size=n_samples)
        src = [f"{d} {_MONTHS[m - 1]} {y}" for d, m, y in zip(days, months, years, strict=True)]
        tgt = [f"{y:04d}-{m:02d}-{d:02d}" for d, m, y in zip(days, months, years, strict=True)]
        return src, tgt
    if task == "addition":
        digits = rng.integers(min_len, max_len + 1, size=(n_samples, 2))
        a = rng.integers(10 ** (digits[:, 0] - 1), 10 ** digits[:, 0])
        b = rng.integers(10 ** (digits[:, 1] - 1), 10 ** digits[:, 1])
        return [f"{x}+{z}" for x, z in zip(a, b, strict=True)], [
            str(x + z) for x, z in zip(a, b, strict=True)
        ]
    lengths = rng.integers(min_len, max_len + 1, size=n_samples)
    symbols = np.array(list(alphabet))
    src = ["".join(symbols[rng.integers(0, len(symbols), size=n)]) for n in lengths]
    if task == "reverse":
        tgt = [s[::-1] for s in src]
    elif task == "sort":
        tgt = ["".join(sorted(s)) for s in src]
    else:
        tgt = list(src)
    return src, tgt
