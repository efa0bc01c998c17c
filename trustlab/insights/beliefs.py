"""Step 4, beliefs: how true each belief felt before and after its thought records,
and how it has moved across them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import chance
from ..chance import CHANCE
from ..journal import Journal
from ._common import MIN_ENTRIES, _typed_empty

_TREND_CHANGE = 5
"""Points (0-100) a belief's "before" must move across its records to count as a change."""


# --- step 4: beliefs ---------------------------------------------------------


def belief_shift(journal: Journal) -> pd.DataFrame:
    """Every thought record: how true the belief felt before and after.

    Beliefs are the same belief when their words match (ignoring surrounding
    spaces and letter case), and are numbered 1, 2 ... in the order they were
    first recorded, so "Belief 1" stays the same belief as the journal grows.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    pandas.DataFrame
        One row per record, by belief then date: ``number``, ``belief`` (its
        words as first written), ``date``, ``record`` (1, 2 ... within the
        belief), ``before``, ``after`` (``<NA>`` when not noted) and ``shift``
        (after minus before, ``<NA>`` without an after).
    """
    table = journal.table("beliefs")
    columns = ["number", "belief", "date", "record", "before", "after", "shift"]
    if table.empty:
        frame = _typed_empty(columns, dates=("date",), text=("belief",))
        return frame.astype({"after": "Int64", "shift": "Int64"})
    frame = table[["date", "belief", "before", "after"]].copy()
    frame["_key"] = frame["belief"].str.strip().str.casefold()
    frame["_row"] = np.arange(len(frame))
    frame = frame.sort_values(["date", "_row"], kind="stable")
    # Numbered in the order first recorded: the order in which factorize meets them.
    codes, _ = pd.factorize(frame["_key"], sort=False)
    firsts = np.unique(codes, return_index=True)[1]
    frame["number"] = (codes + 1).astype("int64")
    words = frame["belief"].iloc[firsts].str.strip().to_numpy()
    frame["belief"] = pd.Series(words[codes], index=frame.index, dtype="str")
    frame = frame.sort_values(["number", "date", "_row"], kind="stable")
    frame["record"] = frame.groupby("number").cumcount().astype("int64") + 1
    frame["shift"] = (frame["after"] - frame["before"]).astype("Int64")
    frame["belief"] = frame["belief"].astype("str")
    return frame[columns].reset_index(drop=True)


def belief_trends(journal: Journal) -> pd.DataFrame:
    """For each belief: how it has moved across its thought records.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    pandas.DataFrame
        One row per belief (see :func:`belief_shift` for ``number``):
        ``number``, ``belief``, ``records``, ``first_date``, ``last_date``,
        ``first_before``, ``last_before``, ``last_after`` (of the latest record
        that has one, ``<NA>`` if none does), ``mean_shift`` (after minus before,
        over the records with an after), ``change`` (the fitted change in
        "before" from the first record to the last) and ``trend``: ``"easing"``
        (it has come to feel less true) or ``"stronger"`` when the "before"
        values move that way across the records more clearly than chance would
        give (an exact Mann-Kendall trend test at :data:`CHANCE`) by at least
        5 points, otherwise ``"too_few"``: too early to tell (always so below
        :data:`MIN_ENTRIES` records).
    """
    records = belief_shift(journal)
    columns = [
        "number",
        "belief",
        "records",
        "first_date",
        "last_date",
        "first_before",
        "last_before",
        "last_after",
        "mean_shift",
        "change",
        "trend",
    ]
    if records.empty:
        frame = _typed_empty(
            columns,
            dates=("first_date", "last_date"),
            text=("belief", "trend"),
            floats=("mean_shift", "change"),
        )
        return frame.astype({"last_after": "Int64"})
    # Records come sorted by belief then date, so each belief is one run of rows: every
    # figure is read at the run's first or last row, or summed over it, for all beliefs at
    # once (a journal may hold many thousands of beliefs, most written once).
    numbers = records["number"].to_numpy()
    first = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]])
    last = np.r_[first[1:], len(numbers)] - 1
    counts = last - first + 1
    before = records["before"].to_numpy(dtype="int64")
    noted = records["after"].notna().to_numpy()
    row = np.arange(len(records))
    # The latest record with an "after" in each run, if any (-1 keeps a run without one out).
    latest = np.maximum.reduceat(np.where(noted, row, -1), first)
    with_after = latest >= first
    after = records["after"].to_numpy(dtype="int64", na_value=0)
    last_after = pd.arrays.IntegerArray(np.where(with_after, after[latest], 0), ~with_after)
    afters = np.add.reduceat(noted.astype("int64"), first)
    shifts = np.add.reduceat(records["shift"].fillna(0).to_numpy(dtype="int64"), first)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_shift = np.where(afters > 0, shifts.astype("float64") / afters, np.nan)
    change = np.zeros(len(first), dtype="float64")
    trend = np.full(len(first), "too_few", dtype=object)
    # Only beliefs with two records or more have a line to fit, and only those with
    # MIN_ENTRIES or more a trend to test: the same numpy fit as ever, belief by belief,
    # so the figures do not move by a rounding error.
    for i in np.flatnonzero(counts >= 2):
        values = before[first[i] : last[i] + 1].astype("float64")
        change[i] = _fitted_change(values)
        if counts[i] >= MIN_ENTRIES:
            trend[i] = _belief_trend(values, change[i])[0]
    dates = records["date"].to_numpy()
    frame = pd.DataFrame(
        {
            "number": numbers[first],
            "belief": records["belief"].to_numpy()[first],
            "records": counts,
            "first_date": dates[first],
            "last_date": dates[last],
            "first_before": before[first],
            "last_before": before[last],
            "last_after": last_after,
            "mean_shift": mean_shift,
            "change": change,
            "trend": trend,
        },
        columns=columns,
    )
    return frame.astype(
        {
            "number": "int64",
            "belief": "str",
            "records": "int64",
            "first_date": "datetime64[ms]",
            "last_date": "datetime64[ms]",
            "first_before": "int64",
            "last_before": "int64",
            "last_after": "Int64",
            "mean_shift": "float64",
            "change": "float64",
            "trend": "str",
        }
    )


def _belief_trend(before: np.ndarray, change: float) -> tuple[str, float]:
    """A belief's trend across its records, and the p of the trend test behind it."""
    if len(before) < MIN_ENTRIES:
        return "too_few", 1.0
    s, p = chance.trend_test(before)
    if p <= CHANCE and s < 0 and change <= -_TREND_CHANGE:
        return "easing", p
    if p <= CHANCE and s > 0 and change >= _TREND_CHANGE:
        return "stronger", p
    return "too_few", p


def _fitted_change(values: np.ndarray) -> float:
    """The change from first to last of a straight line fitted through ``values``."""
    if len(values) < 2:
        return 0.0
    slope = np.polyfit(np.arange(len(values), dtype="float64"), values, 1)[0]
    return float(slope * (len(values) - 1))
