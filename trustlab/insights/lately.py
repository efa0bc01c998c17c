"""Lately against before: red flags heeded, promises kept, and how often and how
intensely triggers came, each with the check that tells a change from chance.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pandas as pd

from .. import chance
from ..chance import CHANCE
from ..journal import Journal
from ..schema import TABLES
from ._common import MIN_ENTRIES, RECENT_WEEKS, _as_date

# --- lately against before ------------------------------------------------------------------

_MEASURES = ("heeded", "kept", "triggers", "intensity")


def recent_changes(
    journal: Journal,
    *,
    weeks: int = RECENT_WEEKS,
    as_of: datetime.date | str | None = None,
) -> pd.DataFrame:
    """Lately against before: red flags heeded, promises kept, and triggers.

    "Lately" is the last ``weeks`` weeks up to ``as_of``; "before" is everything
    earlier. Without ``as_of``, red flags and promises look back from their own
    latest entry, and triggers from the journal's latest entry of any kind, so
    that a quiet stretch without triggers counts.

    Parameters
    ----------
    journal
        The open journal.
    weeks
        How many weeks "lately" means.
    as_of
        The last day "lately" counts; entries after it are left out.

    Returns
    -------
    pandas.DataFrame
        Four rows, one per ``measure``: ``"heeded"`` (the share of red flags I
        made a call on that I heeded), ``"kept"`` (the share of promises looked
        back on that I kept), ``"triggers"`` (triggers noted per week) and
        ``"intensity"`` (their average intensity, 0-10). Columns: ``recent`` and
        ``before`` (the measure in each part, NaN when a part has no entries),
        ``recent_n`` and ``before_n`` (the entries each rests on), ``p`` (the
        chance of a difference at least this large if nothing had changed; NaN
        when there are too few entries to check) and ``direction``:
        ``"higher"`` or ``"lower"`` when ``p`` is at most :data:`CHANCE`,
        otherwise ``"too_few"``, too early to tell.

        The checks: Fisher's exact test for the shares (with at least
        :data:`MIN_ENTRIES` decided on each side), an exact permutation test for
        intensity (at least :data:`MIN_ENTRIES` triggers on each side), and for
        how often triggers come an exact binomial test of how many fell lately,
        given the time lately and before (at least :data:`MIN_ENTRIES` triggers
        and a week before). The first trigger, and the latest when it sets the
        window's end, are left out of that test: they mark the time span rather
        than fall in it by chance.
    """
    if weeks < 1:
        raise ValueError(f"weeks={weeks!r}: look back at least 1 week.")
    flags = journal.table("red_flags")
    decided = flags["response"].isin(["heeded", "painted_green"]).to_numpy()
    heeded = (flags["response"] == "heeded").to_numpy()
    promises = journal.table("promises")
    kept = (promises["kept"] == "yes").to_numpy()
    looked_back = (promises["kept"] != "").to_numpy()
    triggers = journal.table("triggers")
    rows = [
        _share_change("heeded", flags["date"], heeded, decided, weeks, as_of),
        _share_change("kept", promises["date"], kept, looked_back, weeks, as_of),
        *_trigger_changes(journal, triggers, weeks, as_of),
    ]
    frame = pd.DataFrame(
        rows, columns=["measure", "recent", "before", "recent_n", "before_n", "p"]
    ).astype({"measure": "str", "recent_n": "int64", "before_n": "int64"})
    frame[["recent", "before", "p"]] = frame[["recent", "before", "p"]].astype("float64")
    clear = frame["p"] <= CHANCE
    frame["direction"] = pd.Series(
        np.select(
            [
                clear & (frame["recent"] > frame["before"]),
                clear & (frame["recent"] < frame["before"]),
            ],
            ["higher", "lower"],
            default="too_few",
        ),
        dtype="str",
    )
    return frame


def _parts(
    dates: pd.Series, weeks: int, as_of
) -> tuple[np.ndarray, np.ndarray, pd.Timestamp | None]:
    """Which dates are lately (the last ``weeks`` weeks up to ``as_of``), which before.

    Without ``as_of`` the window ends on the latest date; dates after ``as_of`` are in neither.
    """
    if dates.empty:
        none = np.zeros(0, dtype=bool)
        return none, none, None
    end = _as_date(as_of) if as_of is not None else pd.Timestamp(dates.max())
    start = end - pd.Timedelta(days=7 * weeks - 1)
    recent = np.asarray((dates >= start) & (dates <= end))
    return recent, np.asarray(dates < start), start


def _share_change(measure, dates, yes, decided, weeks, as_of) -> list:
    recent, before, _ = _parts(dates, weeks, as_of)
    counts = [(int((part & yes).sum()), int((part & decided).sum())) for part in (recent, before)]
    (now_yes, now_n), (then_yes, then_n) = counts
    enough = min(now_n, then_n) >= MIN_ENTRIES
    p = chance.fisher(now_yes, now_n, then_yes, then_n) if enough else math.nan
    return [measure, _ratio(now_yes, now_n), _ratio(then_yes, then_n), now_n, then_n, p]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


def _trigger_changes(journal: Journal, triggers: pd.DataFrame, weeks: int, as_of) -> list[list]:
    """How often, and how intensely, triggers came lately against before.

    Without ``as_of``, "lately" ends on the journal's latest entry of any kind:
    a quiet stretch with no triggers, while the journal goes on, is part of
    the picture rather than the end of it.
    """
    dates = triggers["date"]
    end, alone = as_of, False
    if as_of is None and not dates.empty:
        others = [
            journal.table(name)["date"].max()
            for name, table in TABLES.items()
            if name != "triggers" and "date" in table.column_names
        ]
        others = [d for d in others if pd.notna(d)]
        end = max([dates.max(), *others])
        alone = dates.max() == end and all(d < end for d in others)
    recent, before, start = _parts(dates, weeks, end)
    intensity = triggers["intensity"].to_numpy()
    return [
        _pace_change(dates, recent, before, start, weeks, alone),
        _intensity_change(intensity[recent], intensity[before]),
    ]


def _pace_change(dates, recent, before, start, weeks: int, alone: bool) -> list:
    now_n, then_n = int(recent.sum()), int(before.sum())
    if not then_n:
        return ["triggers", now_n / weeks if now_n else math.nan, math.nan, now_n, 0, math.nan]
    days_before = (start - dates[before].min()).days
    now, then = now_n / weeks, then_n / (days_before / 7) if days_before else math.nan
    # The first trigger starts the time counted, and the latest, when nothing else was noted
    # that day, ends it: neither fell where it did by chance, so the test leaves them out.
    tested_now, tested_then = now_n - alone, then_n - 1
    p = math.nan
    if days_before >= 7 and tested_now + tested_then >= MIN_ENTRIES:
        share = 7 * weeks / (7 * weeks + days_before)
        p = chance.binom_test(tested_now, tested_now + tested_then, share)
    return ["triggers", now, then, now_n, then_n, p]


def _intensity_change(now: np.ndarray, then: np.ndarray) -> list:
    p = chance.mean_test(now, then) if min(len(now), len(then)) >= MIN_ENTRIES else math.nan
    means = [float(part.mean()) if len(part) else math.nan for part in (now, then)]
    return ["intensity", *means, len(now), len(then), p]
