"""How the sentences put things: the record of one sentence, and counts, signs,
percentages, spans of weeks, lists of names and short labels in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from ._common import _places

# --- in words ------------------------------------------------------------------

_NUMBER_WORDS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


class _Said(NamedTuple):
    """One sentence of :func:`sentences`, and what :func:`highlights` weighs it by."""

    text: str
    step: int
    weight: int = 0
    """0: not a highlight; 1: something waiting for you; 2: a clear change; 3: a turn."""
    why: str = ""
    claims: tuple[float, ...] = ()
    """The p of each direction the sentence names (each at most :data:`CHANCE`)."""
    checks: tuple[float, ...] = ()
    """The p of every check behind the sentence, directions named or not."""


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _signed(n: int) -> str:
    return f"+{n:,}" if n > 0 else f"−{-n:,}" if n < 0 else "0"


def _percent(value: float) -> str:
    return f"{round(100 * value)}%"


def _recent(weeks: int) -> str:
    if weeks == 1:
        return "the last week"
    words = _NUMBER_WORDS[weeks] if weeks < len(_NUMBER_WORDS) else f"{weeks:,}"
    return f"the last {words} weeks"


def _lately(weeks: int) -> str:
    return f"over {_recent(weeks)}"


def _busiest(frame: pd.DataFrame, count: str, max_people: int) -> list[str]:
    """The ``max_people`` people with the most ``count``, kept in the frame's order."""
    totals = frame.groupby("person", sort=False)[count].sum()
    keep = totals.nlargest(max_people, keep="first").index
    people = pd.Index(frame["person"].unique(), dtype="str")
    return people[_places(people, keep) >= 0].tolist()


_BEYOND_CHANCE = "more than the ordinary ups and downs of chance would give"


def _and(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _of(change: pd.Series) -> tuple[int, int, int, int]:
    """The counts behind a share of :func:`recent_changes`: yes and all, lately and before."""
    now_n, then_n = int(change["recent_n"]), int(change["before_n"])
    return round(change["recent"] * now_n), now_n, round(change["before"] * then_n), then_n


def _of_all(k: int, n: int) -> str:
    """``all 6`` or ``9 of 10``."""
    return f"all {n:,}" if k == n and n > 1 else f"{k:,} of {n:,}"


def short_label(text: str, *, width: int = 32) -> str:
    """The first words of ``text``, at most ``width`` characters, on one line."""
    flat = " ".join(str(text).split())
    if len(flat) <= width:
        return flat
    cut = flat[: width - 1]
    space = cut.rfind(" ")
    if space > width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"
