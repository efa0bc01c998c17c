"""Step 5, the marble jars: each person's jar over time and lately, which parts of
trust (BRAVING) they have shown, and how they answered small steps.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import chance
from ..chance import CHANCE
from ..journal import Journal
from ..schema import BRAVING, TABLES
from ._common import (
    MIN_ENTRIES,
    RECENT_WEEKS,
    Freq,
    _as_date,
    _check_freq,
    _choice_codes,
    _decode,
    _listed,
    _names,
    _naming,
    _only,
    _share,
    _sort_people,
    _sum_by,
    _typed_empty,
    period_start,
)


def _marbles(
    journal: Journal, people: Sequence[str] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The marble entries about ``people``: person codes, their names, dates and marbles."""
    table = journal.table("marbles")
    named = _names(table["person"])
    keep = _naming(named, people)
    return (
        named.codes[keep],
        np.asarray(named.names, dtype=object),
        table["date"].to_numpy()[keep],
        table["marbles"].to_numpy()[keep],
    )


def _in_out(values: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "earned": np.where(values > 0, values, 0),
        "lost": np.where(values < 0, -values, 0),
        "net": values,
        "moments": np.ones(len(values), dtype="int64"),
    }


def marble_balance(
    journal: Journal,
    *,
    freq: Freq = "W",
    people: Sequence[str] | None = None,
    since: datetime.date | str | None = None,
) -> pd.DataFrame:
    """Each person's jar over time: marbles in and out per period, and the running total.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per ``"D"`` (day), ``"W"`` (week, from Monday), ``"M"``, ``"Q"`` or ``"Y"``.
    people
        Only these people (default everyone with marbles).
    since
        Leave out periods before this date; the running total still counts every
        marble before it.

    Returns
    -------
    pandas.DataFrame
        One row per person and period with at least one moment: ``person``,
        ``date`` (the period's first day), ``earned`` and ``lost`` (marbles put in
        and taken out, both counted up from 0), ``net``, ``balance`` (the jar
        after that period) and ``moments`` (entries). People in people.csv
        order, then by date.
    """
    _check_freq(freq)
    codes, names, dates, values = _marbles(journal, people)
    grouped = _sum_by({"person": codes, "date": period_start(dates, freq)}, _in_out(values))
    grouped["balance"] = grouped.groupby("person")["net"].cumsum()
    grouped["person"] = _decode(grouped["person"], names)
    grouped = _sort_people(grouped, _listed(journal), then=["date"])
    if since is not None:
        grouped = grouped[grouped["date"] >= _as_date(since)]
    columns = ["person", "date", "earned", "lost", "net", "balance", "moments"]
    return grouped[columns].reset_index(drop=True)


def current_jars(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    as_of: datetime.date | str | None = None,
) -> pd.DataFrame:
    """How many marbles are in each person's jar now (or on ``as_of``).

    Parameters
    ----------
    journal
        The open journal.
    people
        Only these people (default everyone with marbles).
    as_of
        Count only moments on or before this date (default: all of them).

    Returns
    -------
    pandas.DataFrame
        One row per person with at least one moment: ``person``, ``marbles``
        (in the jar), ``earned``, ``lost``, ``moments``, ``first_date`` and
        ``last_date``; in people.csv order.
    """
    codes, names, dates, values = _marbles(journal, people)
    if as_of is not None:
        until = dates <= _as_date(as_of).to_datetime64()
        codes, dates, values = codes[until], dates[until], values[until]
    grouped = _sum_by({"person": codes}, _in_out(values)).rename(columns={"net": "marbles"})
    span = pd.Series(dates).groupby(codes).agg(["min", "max"])
    grouped["first_date"] = span["min"].to_numpy()
    grouped["last_date"] = span["max"].to_numpy()
    grouped["person"] = _decode(grouped["person"], names)
    columns = ["person", "marbles", "earned", "lost", "moments", "first_date", "last_date"]
    return _sort_people(grouped, _listed(journal))[columns].reset_index(drop=True)


def jar_trends(
    journal: Journal,
    *,
    weeks: int = RECENT_WEEKS,
    people: Sequence[str] | None = None,
    as_of: datetime.date | str | None = None,
) -> pd.DataFrame:
    """Is each jar filling or emptying lately, more clearly than chance would give?

    Parameters
    ----------
    journal
        The open journal.
    weeks
        How many weeks back to look, ending on ``as_of``.
    people
        Only these people (default everyone with marbles).
    as_of
        The last day to count (default: the latest marble entry, so a pause in
        journaling does not read as an empty jar).

    Returns
    -------
    pandas.DataFrame
        One row per person with marbles: ``person``, ``change`` (net marbles in
        the window), ``earned``, ``lost``, ``moments`` (entries in the window),
        ``start`` and ``end`` (the window's first and last day), ``trend``,
        ``earning`` (the window's moments that put marbles in), ``low`` and
        ``high`` (the exact 95% interval of the share of moments that put marbles
        in, NaN without moments) and ``p`` (the chance of moments leaning at least
        this far one way if each went either way at random).

        ``trend`` is ``"filling"`` or ``"emptying"`` only when the window's
        moments clearly lean that way: the interval leaves out an even split
        (``p`` at most :data:`CHANCE`) and the net change agrees. It is
        ``"steady"`` when as many marbles went in as came out, and otherwise
        ``"too_few"``: too early to tell (always so below :data:`MIN_ENTRIES`
        moments). On moments that go either way at random a direction is named
        at most 1 time in 20; with 12 moments, 85% of them putting marbles in,
        it is found about 3 times in 4 (see tests/test_insights_chance.py).
    """
    if weeks < 1:
        raise ValueError(f"weeks={weeks!r}: look back at least 1 week.")
    codes, names, dates, values = _marbles(journal, people)
    columns = [
        *("person", "change", "earned", "lost", "moments", "start", "end", "trend"),
        *("earning", "low", "high", "p"),
    ]
    if not len(codes):
        return _typed_empty(
            columns,
            dates=("start", "end"),
            text=("person", "trend"),
            floats=("low", "high", "p"),
        )
    end = _as_date(as_of) if as_of is not None else pd.Timestamp(dates.max())
    start = end - pd.Timedelta(days=7 * weeks - 1)
    inside = (dates >= start.to_datetime64()) & (dates <= end.to_datetime64())
    everyone = np.unique(codes)
    window = values[inside]
    counts = {**_in_out(window), "earning": (window > 0).astype("int64")}
    recent = _sum_by({"person": codes[inside]}, counts)
    grouped = (
        recent.set_index("person")
        .reindex(everyone, fill_value=0)
        .rename_axis("person")
        .reset_index()
        .rename(columns={"net": "change"})
    )
    grouped["person"] = _decode(grouped["person"], names)
    grouped["start"] = start.as_unit("ms")
    grouped["end"] = end.as_unit("ms")
    # Each check once per different (earning, moments): many people share the same counts.
    seen = np.stack([grouped["earning"].to_numpy(), grouped["moments"].to_numpy()], axis=1)
    pairs, which = np.unique(seen, axis=0, return_inverse=True)
    pairs, which = pairs.tolist(), which.reshape(-1)
    interval = np.array([chance.share_interval(k, n) for k, n in pairs], dtype="float64")
    grouped["low"], grouped["high"] = interval[which, 0], interval[which, 1]
    grouped["p"] = np.array([chance.sign_test(k, n) for k, n in pairs], dtype="float64")[which]
    clear = (grouped["moments"] >= MIN_ENTRIES) & (grouped["p"] <= CHANCE)
    trend = np.select(
        [
            grouped["moments"] < MIN_ENTRIES,
            grouped["change"] == 0,
            clear & (grouped["low"] > 0.5) & (grouped["change"] > 0),
            clear & (grouped["high"] < 0.5) & (grouped["change"] < 0),
        ],
        ["too_few", "steady", "filling", "emptying"],
        default="too_few",
    )
    grouped["trend"] = pd.Series(trend, dtype="str")
    return _sort_people(grouped, _listed(journal))[columns].reset_index(drop=True)


def braving_profile(journal: Journal, *, people: Sequence[str] | None = None) -> pd.DataFrame:
    """Marbles by BRAVING element for each person: which parts of trust they have shown.

    Parameters
    ----------
    journal
        The open journal.
    people
        Only these people (default everyone with a BRAVING moment).

    Returns
    -------
    pandas.DataFrame
        Every element for every person with at least one BRAVING moment:
        ``person``, ``element`` (in BRAVING order), ``earned``, ``lost``,
        ``net`` and ``moments`` (0 where none).
    """
    table = journal.table("marbles")
    named = _names(table["person"])
    element = _choice_codes(table["braving"], BRAVING)
    keep = _naming(named, people) & (element >= 0)
    codes = named.codes[keep]
    sums = _sum_by(
        {"person": codes, "element": element[keep]}, _in_out(table["marbles"].to_numpy()[keep])
    )
    grid = pd.MultiIndex.from_product(
        [np.unique(codes), np.arange(len(BRAVING))], names=["person", "element"]
    )
    grouped = sums.set_index(["person", "element"]).reindex(grid, fill_value=0).reset_index()
    grouped["person"] = _decode(grouped["person"], np.asarray(named.names, dtype=object))
    grouped["element"] = _decode(grouped["element"], np.asarray(BRAVING, dtype=object))
    grouped = _sort_people(grouped, _listed(journal))
    columns = ["person", "element", "earned", "lost", "net", "moments"]
    return grouped[columns].reset_index(drop=True)


def step_responses(journal: Journal, *, people: Sequence[str] | None = None) -> pd.DataFrame:
    """How each person responded to the small things I gave or asked for.

    Parameters
    ----------
    journal
        The open journal.
    people
        Only these people (default everyone with a step).

    Returns
    -------
    pandas.DataFrame
        Every response (warm, neutral, cold, pending ...) for every person with a
        step: ``person``, ``response``, ``gave``, ``asked``, ``steps`` (both) and
        ``share`` (of that person's steps with an answer, so pending steps have
        no share); ``answered`` is that person's steps that are not pending.
    """
    table = journal.table("steps")
    responses = TABLES["steps"].column("response").choices
    frame = pd.DataFrame(
        {
            "person": _names(table["person"]).as_category(),
            "response": pd.Categorical(table["response"], categories=responses),
            "gave": (table["kind"] == "gave").astype("int64"),
            "asked": (table["kind"] == "asked").astype("int64"),
        }
    )
    frame = _only(frame, "person", people)
    columns = ["person", "response", "gave", "asked", "steps", "answered", "share"]
    if frame.empty:
        return _typed_empty(columns, text=("person", "response"), floats=("share",))
    frame = frame.assign(steps=1)
    grouped = frame.groupby(["person", "response"], observed=False).sum()
    present = frame["person"].unique().dropna()
    grouped = grouped[grouped.index.get_level_values("person").isin(present)].reset_index()
    grouped["person"] = grouped["person"].astype("str")
    grouped["response"] = grouped["response"].astype("str")
    answered = grouped["steps"].where(grouped["response"] != "pending", 0)
    grouped["answered"] = answered.groupby(grouped["person"]).transform("sum")
    grouped["share"] = _share(grouped["steps"], grouped["answered"]).where(
        grouped["response"] != "pending"
    )
    grouped = _sort_people(grouped, _listed(journal), then=["_response"], extra=responses)
    return grouped[columns].reset_index(drop=True)
