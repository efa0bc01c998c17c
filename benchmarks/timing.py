"""Timing shared by the benchmarks: paired runs in one process, and how figures are shown."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

WARM_UPS = 1
"""Untimed runs of each side before the timed ones (tests set it to 0 to stay quick)."""


def interleaved(
    ours: Callable[[], Any], theirs: Callable[[], Any], *, runs: int
) -> tuple[tuple[list[float], list[float]], tuple[Any, Any]]:
    """Seconds of each run of ``ours`` and ``theirs``, and the last result of each.

    :data:`WARM_UPS` warm-ups each (imports, caches, schemas), then ``runs`` pairs.
    Which goes first alternates, so neither always runs on a cache the other warmed.
    """
    results: list[Any] = [None, None]
    for _ in range(WARM_UPS):
        results = [ours(), theirs()]
    times: tuple[list[float], list[float]] = ([], [])
    # Collect what is garbage now, then set every surviving object aside, so that the
    # collection before each run only looks at what the runs made and stays cheap.
    gc.collect()
    gc.freeze()
    try:
        for i in range(runs):
            order = ((0, ours), (1, theirs)) if i % 2 == 0 else ((1, theirs), (0, ours))
            for slot, run in order:
                gc.collect()
                start = time.perf_counter()
                results[slot] = run()
                times[slot].append(time.perf_counter() - start)
    finally:
        gc.unfreeze()
    return times, (results[0], results[1])


def seconds(s: float) -> str:
    """A duration for the results table: 2.10 s, 431 ms, 0.90 ms."""
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 0.01:
        return f"{s * 1000:.0f} ms"
    return f"{s * 1000:.2f} ms"
