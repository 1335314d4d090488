"""Greedy and beam search (SQ-03, SQ-04): beam width 1 is greedy, an exhaustive-search oracle,
the greedy trap, length normalisation, n-best lists, the stateful (RNN) protocol, bad inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from glassml.models.decoding import (
    beam_search,
    beam_search_stateful,
    greedy_decode,
    greedy_decode_stateful,
)

BOS, EOS = 0, 1


def _trigram_lm(vocab: int, seed: int, sharp: float = 2.0):
    """A random LM p(next | last two tokens) over ``vocab`` tokens (bos never generated)."""
    rng = np.random.default_rng(seed)
    logits = sharp * rng.normal(size=(vocab, vocab, vocab))
    logits[..., BOS] = -np.inf
    table = logits - np.logaddexp.reduce(logits, axis=-1, keepdims=True)  # log-softmax

    def next_log_probs(prefixes):
        prefixes = np.asarray(prefixes)
        prev = prefixes[:, -2] if prefixes.shape[1] >= 2 else np.full(len(prefixes), BOS)
        return table[prev, prefixes[:, -1]]  # (K, V)

    return next_log_probs


def _seq_log_prob(lm, tokens) -> float:
    prefix = [BOS]
    total = 0.0
    for tok in tokens:
        total += lm(np.array([prefix]))[0, tok]
        prefix.append(tok)
    return float(total)


def _exhaustive(lm, vocab, max_len, alpha):
    """Best normalised score over every hypothesis: eos-terminated ones of length <= max_len
    and unterminated ones of exactly max_len tokens."""
    words = [v for v in range(vocab) if v not in (BOS, EOS)]
    seqs = [[*body, EOS] for n in range(max_len) for body in itertools.product(words, repeat=n)]
    seqs += [list(body) for body in itertools.product(words, repeat=max_len)]
    best = (-np.inf, None)
    for seq in seqs:
        s = _seq_log_prob(lm, seq) / (len(seq) ** alpha if alpha else 1)
        if s > best[0]:
            best = (s, seq)
    return best


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_beam_width_one_is_greedy(seed, alpha):
    lm = _trigram_lm(6, seed)
    greedy = greedy_decode(lm, bos_id=BOS, eos_id=EOS, max_len=12)
    [(tokens, score)] = beam_search(
        lm, bos_id=BOS, eos_id=EOS, beam_width=1, max_len=12, length_penalty=alpha
    )
    assert tokens == greedy
    expected = _seq_log_prob(lm, greedy) / (len(greedy) ** alpha if alpha else 1)
    assert score == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("alpha", [0.0, 0.7, 1.0])
def test_wide_beam_matches_exhaustive_search(seed, alpha):
    vocab, max_len = 5, 4
    lm = _trigram_lm(vocab, seed, sharp=1.0)
    best_score, best_seq = _exhaustive(lm, vocab, max_len, alpha)
    mode = False if alpha == 0 else "never"  # the current score bounds the future only at α=0
    [(tokens, score)] = beam_search(
        lm,
        bos_id=BOS,
        eos_id=EOS,
        beam_width=vocab**max_len,
        max_len=max_len,
        length_penalty=alpha,
        early_stopping=mode,
    )
    assert tokens == best_seq
    assert score == pytest.approx(best_score, rel=1e-12)


def _trap_lm(prefixes):
    """After bos: 'a' (p .55) or 'b' (p .45); after 'a' every continuation is flat (~1/3),
    after 'b' eos is certain. Greedy takes 'a'; the most probable sequence is 'b eos'."""
    out = []
    for p in prefixes:
        if len(p) == 1:
            row = [0.0, 0.0, 0.55, 0.45]
        elif p[-1] == 3:
            row = [0.0, 1.0, 0.0, 0.0]
        else:
            row = [0.0, 0.34, 0.33, 0.33]
        out.append(row)
    with np.errstate(divide="ignore"):
        return np.log(np.array(out))


def test_greedy_trap_beam_finds_the_most_probable_sequence():
    greedy = greedy_decode(_trap_lm, bos_id=BOS, eos_id=EOS, max_len=6)
    assert greedy == [2, 1]
    [(tokens, score)] = beam_search(
        _trap_lm, bos_id=BOS, eos_id=EOS, beam_width=2, max_len=6, length_penalty=0.0
    )
    assert tokens == [3, 1]
    assert score == pytest.approx(np.log(0.45), rel=1e-12)
    assert score > _seq_log_prob(_trap_lm, greedy)


def _length_lm(prefixes):
    """eos has p=.3 at every step; 'x' p=.7: raw scores prefer the shortest hypothesis."""
    return np.log(np.tile([1e-12, 0.3, 0.7], (len(prefixes), 1)))


def test_length_penalty_changes_the_preferred_length():
    kw = dict(bos_id=BOS, eos_id=EOS, beam_width=3, max_len=8)
    [(short, s0)] = beam_search(_length_lm, length_penalty=0.0, **kw)
    assert short == [EOS] and s0 == pytest.approx(np.log(0.3))
    # with α = 1 the score is the mean log-prob: x^n eos -> (n log .7 + log .3) / (n + 1) rises
    # with n, and the unterminated x^8 (mean log .7) beats them all under the exact bound
    [(long, s1)] = beam_search(_length_lm, length_penalty=1.0, early_stopping="never", **kw)
    assert long == [2] * 8
    assert s1 == pytest.approx(np.log(0.7), rel=1e-12)
    [(mid, s_half)] = beam_search(_length_lm, length_penalty=0.5, early_stopping="never", **kw)
    assert 1 < len(mid) <= 8
    assert s_half == pytest.approx(_seq_log_prob(_length_lm, mid) / len(mid) ** 0.5, rel=1e-12)
    scores = [s for _, s in beam_search(_length_lm, length_penalty=1.0, n_best=3, **kw)]
    assert scores == sorted(scores, reverse=True)


def test_n_best_lists_distinct_sorted_hypotheses_with_true_scores():
    lm = _trigram_lm(6, 3)
    alpha = 0.6
    out = beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=5, max_len=7, n_best=5,
                      length_penalty=alpha)  # fmt: skip
    assert len(out) == 5
    seqs = [tuple(t) for t, _ in out]
    assert len(set(seqs)) == 5
    scores = [s for _, s in out]
    assert scores == sorted(scores, reverse=True)
    for tokens, score in out:
        assert BOS not in tokens
        assert EOS not in tokens[:-1]
        assert score == pytest.approx(_seq_log_prob(lm, tokens) / len(tokens) ** alpha, rel=1e-12)


def test_early_stopping_true_returns_as_soon_as_width_hypotheses_finish():
    calls = []

    def lm(prefixes):
        calls.append(prefixes.shape[1])
        return _length_lm(prefixes)

    beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=2, max_len=30, early_stopping=True)
    assert max(calls) < 5
    calls.clear()
    beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=2, max_len=30, early_stopping="never")
    assert max(calls) == 30


def test_max_len_finishes_live_beams_without_eos():
    never_eos = lambda p: np.log(np.tile([1e-9, 1e-300, 0.5, 0.5 - 1e-9], (len(p), 1)))  # noqa: E731
    [(tokens, _)] = beam_search(never_eos, bos_id=BOS, eos_id=EOS, beam_width=3, max_len=4)
    assert len(tokens) == 4 and EOS not in tokens
    assert len(greedy_decode(never_eos, bos_id=BOS, eos_id=EOS, max_len=4)) == 4


def test_stateful_protocol_gives_the_stateless_results():
    """An RNN-style decoder: the state is a running hash of the prefix, one row per beam."""
    lm = _trigram_lm(7, 11)
    calls = {"rows": 0}

    def step(tokens, state):  # state: (K, 2) last two tokens
        calls["rows"] += len(tokens)
        state = np.stack([state[:, 1], tokens], axis=1)
        return lm(state), state

    init = np.array([[BOS, BOS]])
    reorder = lambda s, idx: s[idx]  # noqa: E731
    for width, alpha in [(1, 0.0), (3, 1.0), (4, 0.5)]:
        a = beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=width, max_len=9,
                        length_penalty=alpha, n_best=width)  # fmt: skip
        b = beam_search_stateful(step, init, reorder, bos_id=BOS, eos_id=EOS, beam_width=width,
                                 max_len=9, length_penalty=alpha, n_best=width)  # fmt: skip
        assert [t for t, _ in a] == [t for t, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-12)
    g = greedy_decode_stateful(step, init, bos_id=BOS, eos_id=EOS, max_len=9)
    assert g == greedy_decode(lm, bos_id=BOS, eos_id=EOS, max_len=9)


def test_bad_inputs():
    lm = _trigram_lm(4, 0)
    with pytest.raises(ValueError, match="beam_width"):
        beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=0)
    with pytest.raises(ValueError, match="n_best"):
        beam_search(lm, bos_id=BOS, eos_id=EOS, beam_width=2, n_best=3)
    with pytest.raises(ValueError, match="max_len"):
        greedy_decode(lm, bos_id=BOS, eos_id=EOS, max_len=0)
    with pytest.raises(ValueError, match="eos_id"):
        greedy_decode(lm, bos_id=BOS, eos_id=-1, max_len=3)
    with pytest.raises(ValueError, match="early_stopping"):
        beam_search(lm, bos_id=BOS, eos_id=EOS, early_stopping="sometimes")
    with pytest.raises(TypeError, match="length_penalty"):
        beam_search(lm, bos_id=BOS, eos_id=EOS, length_penalty="1")
    with pytest.raises(ValueError, match=r"shape \(K, V\)"):
        beam_search(lambda p: np.zeros(4), bos_id=BOS, eos_id=EOS)
    with pytest.raises(ValueError, match="NaN"):
        greedy_decode(lambda p: np.full((len(p), 3), np.nan), bos_id=BOS, eos_id=EOS, max_len=2)
    with pytest.raises(TypeError, match="next_log_probs"):
        beam_search("not callable", bos_id=BOS, eos_id=EOS)
