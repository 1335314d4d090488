"""Generic sequence decoding: greedy search and beam search over any next-token model.

A model is seen through one function. The *stateless* form (any decoder, e.g. a Transformer
that re-reads its whole prefix) is

    next_log_probs(prefixes: int64 array (K, t)) -> array (K, V)

giving log p(y_t | y_<t) for K prefixes that all start with ``bos_id``. Cost: O(T²) model
work for a length-T output. The *stateful* form (an RNN decoder that carries its hidden state)
is O(T):

    step(tokens: int64 array (K,), state) -> (log_probs (K, V), new_state)
    reorder_state(state, indices: int64 array (K',)) -> state restricted to those rows

``step`` feeds the last token of each of K hypotheses; ``init_state`` describes the single
hypothesis [bos] before any token was consumed (batch of one).

Greedy search (SQ-03): y_t = argmax_v log p(v | y_<t) until eos or ``max_len`` tokens.

Beam search (SQ-04) keeps the ``beam_width`` best partial hypotheses by accumulated log-prob
S(y) = Σ_t log p(y_t | y_<t). Each step scores every (hypothesis, token) extension, walks the
candidates best first: one that ends with eos and ranks among the first ``beam_width`` becomes
a finished hypothesis; the others fill the ``beam_width`` live beams. Finished hypotheses are
ranked by the length-normalised score

    score(y) = S(y) / |y| ** length_penalty      (|y| counts eos, not bos; 0 = raw sum)

Stopping (``early_stopping``, Hugging Face's semantics): once ``beam_width`` hypotheses are
finished, stop when the best live beam cannot beat the worst of them —
``False`` (default): judged by its current normalised score S/|y|^α (exact when α = 0, since
log-probs are ≤ 0 and S only falls; with it, beam_width = 1 is exactly greedy search);
``"never"``: judged by the true upper bound max over |y'| in [|y| + 1, max_len] of S/|y'|^α;
``True``: stop as soon as ``beam_width`` hypotheses are finished. At ``max_len`` live beams are
finished without eos. Beam search is not exact search (CL-184): it can still miss the
most probable sequence when the best path starts with a token outside the beam.

Inventory: SQ-03, SQ-04, CL-184.

Example
-------
>>> import numpy as np
>>> table = np.log(np.array([[0.1, 0.6, 0.3], [0.8, 0.1, 0.1], [0.9, 0.05, 0.05]]))
>>> lm = lambda prefixes: table[prefixes[:, -1]]      # a bigram LM: p(next | last token)
>>> greedy_decode(lm, bos_id=1, eos_id=0, max_len=5)  # 1 -> 0 (eos)
[0]
>>> beam_search(lm, bos_id=2, eos_id=0, beam_width=2, max_len=5)[0][0]
[0]
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

__all__ = [
    "greedy_decode",
    "greedy_decode_stateful",
    "beam_search",
    "beam_search_stateful",
]


# ---------------------------------------------------------------------------- validation
def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_log_probs(log_probs, k: int, vocab: int | None, where: str) -> np.ndarray:
    lp = np.asarray(log_probs)
    if lp.ndim != 2 or lp.shape[0] != k:
        raise ValueError(
            f"{where} must return log-probabilities of shape (K, V) = ({k}, V), "
            f"got shape {lp.shape}"
        )
    if lp.dtype.kind != "f":
        raise TypeError(f"{where} must return floating log-probabilities, got dtype {lp.dtype}")
    if vocab is not None and lp.shape[1] != vocab:
        raise ValueError(f"{where}: the vocabulary size changed from {vocab} to {lp.shape[1]}")
    if np.isnan(lp).any():
        raise ValueError(f"{where} returned NaN log-probabilities")
    return lp.astype(np.float64, copy=False)


def _check_ids(bos_id, eos_id, vocab: int | None = None) -> tuple[int, int]:
    bos_id = _check_int(bos_id, "bos_id", 0)
    eos_id = _check_int(eos_id, "eos_id", 0)
    return bos_id, eos_id


def _stateless(next_log_probs: Callable) -> tuple[Callable, Callable]:
    """Adapt ``next_log_probs(prefixes)`` to the stateful protocol: the state is the prefixes."""
    if not callable(next_log_probs):
        raise TypeError(
            f"next_log_probs: expected a callable (K, t) -> (K, V), "
            f"got {type(next_log_probs).__name__}"
        )

    def step(tokens, prefixes):
        prefixes = np.concatenate([prefixes, tokens[:, None]], axis=1)  # (K, t + 1)
        return next_log_probs(prefixes), prefixes

    def reorder(prefixes, indices):
        return prefixes[indices]

    return step, reorder


# ---------------------------------------------------------------------------- greedy
def greedy_decode_stateful(step: Callable, init_state, *, bos_id: int, eos_id: int, max_len: int):
    """Greedy decoding with a stateful ``step(tokens (1,), state) -> (log_probs (1, V), state)``.

    Returns the generated tokens (bos excluded, eos included when produced). O(T) model calls.

    Inventory: SQ-03.

    Example
    -------
    >>> import numpy as np
    >>> lp = np.log(np.array([[0.2, 0.8], [0.9, 0.1]]))
    >>> greedy_decode_stateful(lambda tok, s: (lp[tok], s), None, bos_id=0, eos_id=0, max_len=4)
    [1, 0]
    """
    bos_id, eos_id = _check_ids(bos_id, eos_id)
    max_len = _check_int(max_len, "max_len", 1)
    tokens: list[int] = []
    last = np.array([bos_id], dtype=np.int64)  # (1,)
    state = init_state
    for _ in range(max_len):
        log_probs, state = step(last, state)
        lp = _check_log_probs(log_probs, 1, None, "step")
        nxt = int(np.argmax(lp[0]))
        tokens.append(nxt)
        if nxt == eos_id:
            break
        last = np.array([nxt], dtype=np.int64)
    return tokens


def greedy_decode(next_log_probs: Callable, *, bos_id: int, eos_id: int, max_len: int):
    """Greedy decoding: y_t = argmax_v log p(v | bos, y_<t), until eos or ``max_len`` tokens.

    Parameters
    ----------
    next_log_probs : callable, int64 prefixes (K, t) -> log-probabilities (K, V)
    bos_id, eos_id : int — start and end tokens
    max_len : int — the most tokens generated (eos included)

    Returns the list of generated token ids (bos excluded, eos included when produced).

    Inventory: SQ-03.

    Example
    -------
    >>> import numpy as np
    >>> lm = lambda p: np.log(np.full((len(p), 3), 1 / 3) + np.eye(3)[(p[:, -1] + 1) % 3])
    >>> greedy_decode(lm, bos_id=0, eos_id=2, max_len=10)  # 0 -> 1 -> 2
    [1, 2]
    """
    step, _ = _stateless(next_log_probs)
    bos_id, eos_id = _check_ids(bos_id, eos_id)
    return greedy_decode_stateful(
        step, np.zeros((1, 0), dtype=np.int64), bos_id=bos_id, eos_id=eos_id, max_len=max_len
    )


# ---------------------------------------------------------------------------- beam search
def _normalised(total: float, length: int, alpha: float) -> float:
    return total / (length**alpha) if alpha != 0 else total


def _live_bound(total: float, length: int, max_len: int, alpha: float, mode) -> float:
    """The best normalised score a live beam of ``length`` tokens and sum ``total`` can reach."""
    if mode == "never":
        if length >= max_len:
            return -np.inf
        # S' <= S <= 0 and |y'| in [length + 1, max_len]: S / |y'|^alpha is monotone in |y'|
        return max(_normalised(total, length + 1, alpha), _normalised(total, max_len, alpha))
    return _normalised(total, max(length, 1), alpha)


def beam_search_stateful(
    step: Callable,
    init_state,
    reorder_state: Callable,
    *,
    bos_id: int,
    eos_id: int,
    beam_width: int = 4,
    max_len: int = 50,
    length_penalty: float = 1.0,
    n_best: int = 1,
    early_stopping=False,
):
    """Beam search with a stateful decoder (O(T) model calls: an RNN keeps its hidden state).

    Parameters
    ----------
    step : callable ``(tokens (K,), state) -> (log_probs (K, V), new_state)``
    init_state : the decoder state of the single hypothesis [bos] (batch of one)
    reorder_state : callable ``(state, indices (K',)) -> state`` keeping rows ``indices``
    bos_id, eos_id, beam_width, max_len, length_penalty, n_best, early_stopping :
        see :func:`beam_search` and the module docstring.

    Returns ``[(tokens, score), ...]``, best first (at most ``n_best`` entries).

    Inventory: SQ-04.

    Example
    -------
    >>> import numpy as np
    >>> lp = np.log(np.array([[0.3, 0.7], [0.6, 0.4]]))          # bigram table
    >>> out = beam_search_stateful(lambda t, s: (lp[t], s), None, lambda s, i: s,
    ...                            bos_id=1, eos_id=0, beam_width=2, max_len=3,
    ...                            length_penalty=0.0)
    >>> out[0][0], round(out[0][1], 4)
    ([0], -0.5108)
    """
    bos_id, eos_id = _check_ids(bos_id, eos_id)
    beam_width = _check_int(beam_width, "beam_width", 1)
    max_len = _check_int(max_len, "max_len", 1)
    n_best = _check_int(n_best, "n_best", 1)
    if n_best > beam_width:
        raise ValueError(f"n_best: expected at most beam_width={beam_width}, got {n_best}")
    if isinstance(length_penalty, bool) or not isinstance(length_penalty, numbers.Real):
        raise TypeError(f"length_penalty: expected a real number, got {length_penalty!r}")
    if not np.isfinite(length_penalty):
        raise ValueError(f"length_penalty: expected a finite number, got {length_penalty!r}")
    if early_stopping not in (True, False, "never"):
        raise ValueError(f"early_stopping: expected True, False or 'never', got {early_stopping!r}")
    alpha = float(length_penalty)

    finished: list[tuple[float, int, list[int], float]] = []  # (score, order, tokens, sum)
    order = 0
    hyps: list[list[int]] = [[]]  # live token lists (bos excluded)
    sums = np.zeros(1)  # (K,) accumulated log-probs of the live beams
    last = np.array([bos_id], dtype=np.int64)  # (K,)
    state = init_state
    vocab = None
    for t in range(1, max_len + 1):  # t = length of the hypotheses after this step
        log_probs, state = step(last, state)
        lp = _check_log_probs(log_probs, len(hyps), vocab, "step")
        vocab = lp.shape[1]
        cand = (sums[:, None] + lp).ravel()  # (K * V,) accumulated scores
        n_cand = min(cand.size, 2 * beam_width)
        top = (
            np.argpartition(-cand, n_cand - 1)[:n_cand]
            if n_cand < cand.size
            else np.arange(cand.size)
        )
        top = top[np.lexsort((top, -cand[top]))]  # best first, ties by index (deterministic)
        parents, tokens, new_sums = [], [], []
        for rank, flat in enumerate(top):
            total = float(cand[flat])
            if total == -np.inf:
                break
            parent, token = divmod(int(flat), vocab)
            if token == eos_id:
                if rank < beam_width:
                    seq = [*hyps[parent], token]
                    finished.append((_normalised(total, t, alpha), order, seq, total))
                    order += 1
                continue
            parents.append(parent)
            tokens.append(token)
            new_sums.append(total)
            if len(parents) == beam_width:
                break
        if t == max_len or not parents:
            for p, tok, total in zip(parents, tokens, new_sums, strict=True):
                finished.append((_normalised(total, t, alpha), order, [*hyps[p], tok], total))
                order += 1
            break
        hyps = [[*hyps[p], tok] for p, tok in zip(parents, tokens, strict=True)]
        sums = np.asarray(new_sums)
        if len(finished) >= beam_width:
            finished.sort(key=lambda f: (-f[0], f[1]))
            worst_kept = finished[beam_width - 1][0]
            if early_stopping is True:
                break
            best_live = max(_live_bound(s, t, max_len, alpha, early_stopping) for s in new_sums)
            if best_live <= worst_kept:
                break
        index = np.asarray(parents, dtype=np.int64)  # (K',)
        state = reorder_state(state, index)
        last = np.asarray(tokens, dtype=np.int64)  # (K',)
    finished.sort(key=lambda f: (-f[0], f[1]))
    return [(seq, float(score)) for score, _, seq, _ in finished[:n_best]]


def beam_search(
    next_log_probs: Callable,
    *,
    bos_id: int,
    eos_id: int,
    beam_width: int = 4,
    max_len: int = 50,
    length_penalty: float = 1.0,
    n_best: int = 1,
    early_stopping=False,
):
    """Beam search over a stateless next-token model (see the module docstring).

    score(y) = Σ_t log p(y_t | bos, y_<t) / |y| ** length_penalty   (0 = no normalisation)

    Parameters
    ----------
    next_log_probs : callable, int64 prefixes (K, t) starting with bos -> log-probs (K, V)
    bos_id, eos_id : int
    beam_width : int, default 4 — live hypotheses kept per step (k)
    max_len : int, default 50 — the most tokens of a hypothesis (eos included)
    length_penalty : float, default 1.0 — the exponent α of the length normalisation
    n_best : int, default 1 — how many finished hypotheses to return (<= beam_width)
    early_stopping : False | True | "never" — see the module docstring

    Returns ``[(tokens, score), ...]`` best first; tokens exclude bos and include eos when the
    hypothesis produced it.

    Inventory: SQ-04, CL-184.

    Example
    -------
    >>> import numpy as np
    >>> # greedy trap: "a" (p=.6) leads to flat continuations, "b" (p=.4) to a sure eos
    >>> def lm(prefixes):
    ...     out = []
    ...     for p in prefixes:
    ...         if len(p) == 1: out.append([0.0, 0.6, 0.4])               # after bos
    ...         elif p[-1] == 1: out.append([0.34, 0.33, 0.33])           # after "a"
    ...         else: out.append([1.0, 0.0, 0.0])                         # after "b"
    ...     return np.log(np.array(out) + 1e-300)
    >>> greedy_decode(lm, bos_id=3, eos_id=0, max_len=2)
    [1, 0]
    >>> beam_search(lm, bos_id=3, eos_id=0, beam_width=2, max_len=2, length_penalty=0)[0][0]
    [2, 0]
    """
    step, reorder = _stateless(next_log_probs)
    return beam_search_stateful(
        step,
        np.zeros((1, 0), dtype=np.int64),
        reorder,
        bos_id=bos_id,
        eos_id=eos_id,
        beam_width=beam_width,
        max_len=max_len,
        length_penalty=length_penalty,
        n_best=n_best,
        early_stopping=early_stopping,
    )
