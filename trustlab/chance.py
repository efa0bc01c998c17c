"""Telling a change from chance: exact tests in numpy and whole numbers.

Each test returns a two-sided p: the chance of something at least as far from "no change"
if the entries went either way at random. :mod:`trustlab.insights` names a direction only
when p is at most ``insights.CHANCE``. Exact, so small numbers (a dozen moments) are
handled correctly; in numpy, so trustlab needs no statistics package.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import numpy as np

CHANCE = 0.05
"""How often, at most, trustlab may name a direction in entries that go either way at random.

A direction is named only when a change at least this clear would come up by
chance alone less than 1 time in 20 (a two-sided test at this level).
"""


def _binom_pmf(n: int, p: float) -> np.ndarray:
    """P(X = k) for k = 0..n, X ~ Binomial(n, p); fine for any n (computed in logs)."""
    k = np.arange(1, n + 1, dtype="float64")
    log_comb = np.concatenate([[0.0], np.cumsum(np.log(n - k + 1) - np.log(k))])
    counts = np.arange(n + 1, dtype="float64")
    hits = counts * math.log(p) if p > 0 else np.where(counts > 0, -np.inf, 0.0)
    misses = (n - counts) * math.log1p(-p) if p < 1 else np.where(counts < n, -np.inf, 0.0)
    return np.exp(log_comb + hits + misses)


def _like_or_less(pmf: np.ndarray, seen: int) -> float:
    """Two-sided exact p: the chance of any outcome no likelier than the one seen."""
    return min(1.0, float(pmf[pmf <= pmf[seen] * (1 + 1e-7)].sum()))


@functools.lru_cache(maxsize=4096)
def sign_test(k: int, n: int) -> float:
    """p that ``k`` of ``n`` moments would lean at least this far from half by chance."""
    if n == 0:
        return 1.0
    pmf = _binom_pmf(n, 0.5)
    return min(1.0, 2 * float(min(pmf[: k + 1].sum(), pmf[k:].sum())))


def binom_test(k: int, n: int, share: float) -> float:
    """p that ``k`` of ``n`` would be at least this far from ``share`` of ``n`` by chance."""
    return 1.0 if n == 0 else _like_or_less(_binom_pmf(n, share), k)


@functools.lru_cache(maxsize=4096)
def share_interval(k: int, n: int) -> tuple[float, float]:
    """The exact (Clopper-Pearson) 95% interval of a share seen as ``k`` of ``n``.

    It leaves out one half exactly when :func:`sign_test` is at most :data:`CHANCE`.
    """
    if n == 0:
        return math.nan, math.nan
    tail = CHANCE / 2

    def solve(below: Callable[[float], bool]) -> float:
        low, high = 0.0, 1.0
        for _ in range(50):
            mid = (low + high) / 2
            low, high = (mid, high) if below(mid) else (low, mid)
        return (low + high) / 2

    lower = 0.0 if k == 0 else solve(lambda p: _binom_pmf(n, p)[k:].sum() < tail)
    upper = 1.0 if k == n else solve(lambda p: _binom_pmf(n, p)[: k + 1].sum() > tail)
    return lower, upper


def fisher(a: int, n1: int, b: int, n2: int) -> float:
    """p (Fisher's exact test) that ``a`` of ``n1`` and ``b`` of ``n2`` differ by chance."""
    total = a + b
    low, high = max(0, total - n2), min(total, n1)
    if high <= low:
        return 1.0
    log = [_log_choose(n1, i) + _log_choose(n2, total - i) for i in range(low, high + 1)]
    pmf = np.exp(np.asarray(log) - _log_choose(n1 + n2, total))
    return _like_or_less(pmf, a - low)


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


_EXACT_TREND = 60
"""Up to this many records the trend test is exact; beyond, its normal approximation."""


def trend_test(values: np.ndarray) -> tuple[int, float]:
    """Kendall's S of ``values`` against their order, and its p (the Mann-Kendall test).

    S counts the pairs of records where the later one is higher, minus those
    where it is lower. Equal values (people often choose round numbers) are
    allowed for: the exact p counts every order of the same values.
    """
    x = np.asarray(values, dtype="float64")
    n = len(x)
    if n < 2:
        return 0, 1.0
    s = _kendall_s(x)
    ties = tuple(sorted(np.unique(x, return_counts=True)[1].tolist()))
    if n > _EXACT_TREND:
        var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
        if var <= 0:
            return s, 1.0
        return s, min(1.0, math.erfc(max(abs(s) - 1, 0) / math.sqrt(2 * var)))
    return s, _exact_trend_p(abs(s), ties)


def _kendall_s(x: np.ndarray) -> int:
    """Pairs of values where the later one is higher, minus pairs where it is lower."""
    if len(x) <= 2000:
        return int(np.triu(np.sign(x[None, :] - x[:, None]), 1).sum())
    # Many records: count with a Fenwick tree over the values' ranks, not an n-by-n table.
    ranks = np.unique(x, return_inverse=True)[1] + 1
    tree = [0] * (int(ranks.max()) + 1)

    def up_to(rank: int) -> int:
        total = 0
        while rank:
            total, rank = total + tree[rank], rank & (rank - 1)
        return total

    s = 0
    for seen, rank in enumerate(ranks.tolist()):
        s += up_to(rank - 1) - (seen - up_to(rank))
        while rank < len(tree):
            tree[rank] += 1
            rank += rank & -rank
    return s


@functools.lru_cache(maxsize=1024)
def _exact_trend_p(s: int, ties: tuple[int, ...]) -> float:
    counts = _inversions(ties)
    n = sum(ties)
    pairs = n * (n - 1) // 2 - sum(t * (t - 1) // 2 for t in ties)
    extreme = sum(c for j, c in enumerate(counts) if abs(pairs - 2 * j) >= s)
    return min(1.0, extreme / sum(counts))


def _inversions(ties: tuple[int, ...]) -> list[int]:
    """How many orders of values (groups of equal ones, sized ``ties``) have 0, 1, 2 ... inversions.

    The q-multinomial coefficient, built from Gaussian binomials in whole
    numbers, so the counts are exact.
    """
    poly, size = [1], 0
    for group in ties:
        for i in range(1, group + 1):
            poly = _over_q_int(_times_q_int(poly, size + i), i)
        size += group
    return poly


def _times_q_int(poly: list[int], m: int) -> list[int]:
    """``poly`` times 1 + q + ... + q^(m-1)."""
    out, running = [], 0
    padded = poly + [0] * (m - 1)
    for j, c in enumerate(padded):
        running += c - (padded[j - m] if j >= m else 0)
        out.append(running)
    return out


def _over_q_int(poly: list[int], m: int) -> list[int]:
    """``poly`` divided by 1 + q + ... + q^(m-1), which divides it exactly."""
    diff = [c - (poly[j - 1] if j else 0) for j, c in enumerate([*poly, 0])]
    out: list[int] = []
    for j in range(len(diff) - m):
        out.append(diff[j] + (out[j - m] if j >= m else 0))
    return out


_EXACT_SUMS = 200
"""Up to this many values the permutation test is exact; beyond, its normal approximation."""


def mean_test(recent: np.ndarray, before: np.ndarray) -> float:
    """p that whole numbers ``recent`` and ``before`` differ this much in mean by chance.

    A permutation test: the share of all the ways of splitting the values into
    two groups of these sizes that are at least as far apart, counted exactly
    (by the sum of the smaller group).
    """
    a, b = np.asarray(recent, dtype="int64"), np.asarray(before, dtype="int64")
    if not len(a) or not len(b):
        return 1.0
    values = np.concatenate([a, b])
    small = a if len(a) <= len(b) else b
    k, total, low = len(small), len(values), int(values.min())
    shifted = values - low
    expected = k * shifted.mean()
    seen = abs(int((small - low).sum()) - expected)
    if total > _EXACT_SUMS:
        var = k * shifted.var() * (total - k) / (total - 1)
        if var <= 0:
            return 1.0
        return min(1.0, math.erfc(max(seen - 0.5, 0) / math.sqrt(2 * var)))
    top = int(shifted.max()) * k
    ways = np.zeros((k + 1, top + 1))
    ways[0, 0] = 1.0
    for v in shifted:
        # numpy reads the right-hand side before writing: each value is used once.
        if v:
            ways[1:, v:] += ways[:-1, :-v]
        else:
            ways[1:] += ways[:-1]
    spread = np.abs(np.arange(top + 1) - expected)
    return min(1.0, float(ways[k][spread >= seen - 1e-9].sum() / ways[k].sum()))


def holm(ps: Sequence[float]) -> float:
    """The largest p that still stands out among ``ps`` (Holm's step-down), or -1 if none."""
    ordered = sorted(ps)
    cut = -1.0
    for i, p in enumerate(ordered):
        if p > CHANCE / (len(ordered) - i):
            break
        cut = p
    return cut


# --- step 5: the marble jar ---------------------------------------------------
