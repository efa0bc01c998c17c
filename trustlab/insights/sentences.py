"""What the journal shows in words: every sentence, and the few that stand out."""

from __future__ import annotations

import datetime

import pandas as pd

from .. import chance
from ..journal import Journal
from ._common import RECENT_WEEKS, _typed_empty
from ._step_sentences import (
    _belief_sentences,
    _jar_sentences,
    _quality_sentences,
    _roots_sentences,
    _self_trust_sentences,
)
from ._words import _Said
from .lately import recent_changes

_NOTHING_YET = "Nothing to show here yet: as you add entries, what they show will appear here."


def sentences(
    journal: Journal,
    *,
    step: int | None = None,
    weeks: int = RECENT_WEEKS,
    as_of: datetime.date | str | None = None,
    max_people: int = 8,
    label_beliefs: bool = True,
) -> list[str]:
    """What the journal shows, in a few warm, plain sentences.

    Counts are always given; a direction ("filling", "less true", "more often")
    is only named when the entries tell it apart from chance (see
    :data:`CHANCE`), and then it is called clear. Otherwise the sentence gives
    the numbers and says it is too early to tell.

    Parameters
    ----------
    journal
        The open journal.
    step
        Only the sentences for one of the five steps (1 roots, 2 qualities,
        3 self-trust, 4 beliefs, 5 small steps and marble jars); default all, in
        step order.
    weeks
        How many weeks "lately" means.
    as_of
        The last day "lately" counts (default: each table's latest entry).
    max_people
        Sentences about at most this many people (those with the most entries),
        and this many beliefs (those with the most records).
    label_beliefs
        Quote each belief's first words; with ``False`` beliefs are called
        "Belief 1", "Belief 2" ... (for anything shared, such as the coach export).

    Returns
    -------
    list of str
        One sentence (or two short ones) per item; a single gentle sentence when
        there is nothing to say yet.
    """
    said = _said(journal, step, weeks, as_of, max_people, label_beliefs)
    return [s.text for s in said] or [_NOTHING_YET]


def highlights(
    journal: Journal,
    *,
    limit: int = 5,
    step: int | None = None,
    weeks: int = RECENT_WEEKS,
    as_of: datetime.date | str | None = None,
    max_people: int = 8,
    label_beliefs: bool = True,
) -> pd.DataFrame:
    """The few sentences that matter most, first, and why each was chosen.

    A sentence stands out when it names a clear change (a jar filling or
    emptying, a belief easing, red flags heeded more often ...), most of all a
    turn (a jar that was below zero now clearly filling, or the reverse) or a
    belief that has clearly come to feel less true; or when something is
    waiting for you (promises to look back on). A change only stands out when
    it stays clear even allowing for everything trustlab checked in the journal
    (Holm's method over all its checks), so on entries that go either way at
    random the list names a direction in at most 1 journal in 20, however many
    people and beliefs it holds.

    Parameters
    ----------
    journal
        The open journal.
    limit
        At most this many sentences.
    step
        Only what stands out among one step's sentences (1-5), allowing for that
        step's checks (what a step's page leads with); default every step.
    weeks, as_of, max_people, label_beliefs
        As for :func:`sentences`, whose sentences these are.

    Returns
    -------
    pandas.DataFrame
        At most ``limit`` rows, most important first: ``sentence`` (word for
        word one of :func:`sentences`), ``why`` (why it was chosen, in plain
        words), ``step`` (1-5), ``weight`` (3 a turn, or a belief easing; 2 a
        clear change; 1 something waiting for you) and ``direction`` (whether
        the sentence names a direction). Empty when nothing stands out yet.
    """
    if limit < 0:
        raise ValueError(f"limit={limit!r}: ask for 0 or more highlights.")
    return _standing_out(_said(journal, step, weeks, as_of, max_people, label_beliefs), limit)


def summary(
    journal: Journal,
    *,
    step: int | None = None,
    limit: int = 5,
    weeks: int = RECENT_WEEKS,
    as_of: datetime.date | str | None = None,
    max_people: int = 8,
    label_beliefs: bool = True,
) -> tuple[list[str], pd.DataFrame]:
    """:func:`sentences` and :func:`highlights` together, worked out once (what a page shows).

    Parameters
    ----------
    journal, step, limit, weeks, as_of, max_people, label_beliefs
        As for :func:`highlights`.

    Returns
    -------
    tuple
        The sentences (as :func:`sentences` gives them) and what stands out among
        them (as :func:`highlights` gives it).
    """
    if limit < 0:
        raise ValueError(f"limit={limit!r}: ask for 0 or more highlights.")
    said = _said(journal, step, weeks, as_of, max_people, label_beliefs)
    return [s.text for s in said] or [_NOTHING_YET], _standing_out(said, limit)


def _standing_out(said: list[_Said], limit: int) -> pd.DataFrame:
    cut = chance.holm([p for s in said for p in s.checks])
    picked = []
    for order, s in enumerate(said):
        if any(p > cut for p in s.claims):
            continue  # every direction a highlight names must stand out
        if s.weight:
            picked.append((-s.weight, min(s.claims, default=1.0), order, s, bool(s.claims)))
    picked.sort(key=lambda row: row[:3])
    rows = [
        {"sentence": s.text, "why": s.why, "step": s.step, "weight": s.weight, "direction": d}
        for *_, s, d in picked[:limit]
    ]
    columns = ["sentence", "why", "step", "weight", "direction"]
    if not rows:
        return _typed_empty(columns, text=("sentence", "why"), flags=("direction",))
    return pd.DataFrame(rows, columns=columns).astype(
        {"sentence": "str", "why": "str", "step": "int64", "weight": "int64", "direction": "bool"}
    )


def _said(journal, step, weeks, as_of, max_people, label_beliefs) -> list[_Said]:
    if step is not None and step not in range(1, 6):
        raise ValueError(f"step={step!r}: the steps are numbered 1 to 5.")
    changes = None

    def lately() -> pd.DataFrame:
        nonlocal changes
        if changes is None:
            changes = recent_changes(journal, weeks=weeks, as_of=as_of).set_index("measure")
        return changes

    makers = {
        1: lambda: _roots_sentences(journal, weeks, lately()),
        2: lambda: _quality_sentences(journal, max_people),
        3: lambda: _self_trust_sentences(journal, weeks, lately()),
        4: lambda: _belief_sentences(journal, label_beliefs, max_people),
        5: lambda: _jar_sentences(journal, weeks, as_of, max_people),
    }
    return [s for number, make in makers.items() if step in (None, number) for s in make()]
