"""Step 3, self-trust: red flags heeded rather than painted green, promises to myself kept."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..journal import Journal
from ..schema import TABLES
from ._common import (
    MIN_ENTRIES,
    Freq,
    _check_freq,
    _listed,
    _names,
    _only,
    _share,
    _sort_people,
    period_start,
)

# --- step 3: self-trust -----------------------------------------------------


def self_trust_rate(
    journal: Journal,
    *,
    freq: Freq | None = None,
    by_person: bool = False,
    people: Sequence[str] | None = None,
    cumulative: bool = False,
) -> pd.DataFrame:
    """How often I heeded a red flag rather than painting it green.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per period (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``), or
        ``None`` for one row over the whole journal.
    by_person
        One row per person the flags were about (flags naming no one are left out).
    people
        Only flags about these people (implies ``by_person``).
    cumulative
        With ``freq``: count every flag up to the end of each period ("so far"),
        which is steadier than a period's few flags.

    Returns
    -------
    pandas.DataFrame
        ``date`` (with ``freq``), ``person`` (with ``by_person``), ``heeded``,
        ``painted_green``, ``watching``, ``flags`` (all three), ``decided``
        (heeded + painted green), ``rate`` (heeded / decided, NaN when nothing
        was decided) and ``enough`` (at least :data:`MIN_ENTRIES` decided).
    """
    if freq is not None:
        _check_freq(freq)
    table = journal.table("red_flags")
    responses = TABLES["red_flags"].column("response").choices
    frame = pd.DataFrame({r: (table["response"] == r).astype("int64") for r in responses})
    keys: list[str] = []
    if freq is not None:
        frame.insert(0, "date", period_start(table["date"], freq))
        keys.append("date")
    if by_person or people is not None:
        frame.insert(0, "person", _names(table["person"]).as_category())
        frame = _only(frame, "person", people)
        keys.insert(0, "person")
    grouped = _rate_table(
        frame, keys, yes="heeded", no="painted_green", total="flags", cumulative=cumulative
    )
    if "person" in keys:
        grouped = _sort_people(grouped, _listed(journal), then=keys[1:])
    return grouped.reset_index(drop=True)


def promises_kept(
    journal: Journal, *, freq: Freq | None = None, cumulative: bool = False
) -> pd.DataFrame:
    """How many of my promises to myself I kept.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per period of the promise's date, or ``None`` for one row overall.
    cumulative
        With ``freq``: count every promise up to the end of each period.

    Returns
    -------
    pandas.DataFrame
        ``date`` (with ``freq``), ``yes``, ``partly``, ``no`` (one count per choice
        of ``kept``), ``open`` (not checked yet), ``promises``, ``decided`` (all but
        the open ones), ``rate`` (yes / decided, NaN when none is decided) and
        ``enough``.
    """
    if freq is not None:
        _check_freq(freq)
    table = journal.table("promises")
    kept = table["kept"]
    choices = TABLES["promises"].column("kept").choices
    frame = pd.DataFrame(
        {
            **{k: (kept == k).astype("int64") for k in choices},
            "open": (kept == "").astype("int64"),
        }
    )
    keys: list[str] = []
    if freq is not None:
        frame.insert(0, "date", period_start(table["date"], freq))
        keys.append("date")
    frame["promises"] = 1
    frame["decided"] = frame[list(choices)].sum(axis=1)
    grouped = _rate_table(frame, keys, yes="yes", total="promises", cumulative=cumulative)
    return grouped.reset_index(drop=True)


def _rate_table(
    frame: pd.DataFrame,
    keys: list[str],
    *,
    yes: str,
    total: str,
    no: str | None = None,
    cumulative: bool = False,
) -> pd.DataFrame:
    """Sum counts by ``keys`` (running totals over dates if ``cumulative``); add the rate."""
    if no is not None:
        frame = frame.assign(**{total: frame.drop(columns=keys).sum(axis=1)})
        frame["decided"] = frame[yes] + frame[no]
    counts = [c for c in frame.columns if c not in keys]
    if keys:
        grouped = frame.groupby(keys, observed=True, sort=True)[counts].sum().reset_index()
        if "person" in grouped:
            grouped["person"] = grouped["person"].astype("str")
        if cumulative and "date" in keys:
            by = grouped["person"] if "person" in keys else np.zeros(len(grouped), dtype="int64")
            grouped[counts] = grouped.groupby(by)[counts].cumsum()
    else:
        grouped = frame[counts].sum().to_frame().T.astype("int64")
    grouped["rate"] = _share(grouped[yes], grouped["decided"])
    grouped["enough"] = grouped["decided"] >= MIN_ENTRIES
    return grouped
