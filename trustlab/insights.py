"""What the journal shows, as small pandas tables: pure functions, no plotting.

Every function takes the open journal first and options by keyword, reads the
tables it needs with ``journal.table(name)`` (so anything with such a method
works, for example a pseudonymised copy) and returns a new DataFrame or list.
Nothing here writes, draws or touches a widget.

Each insight carries its counts (``moments``, ``flags``, ``records`` ...) so a
reader can see how much it rests on. Where an insight could suggest a direction
(a jar filling, a belief easing, red flags heeded more often), the direction is
only named when the entries tell it apart from chance: on entries that go either
way at random, at most 1 time in 20 (:data:`CHANCE`). Otherwise the ``trend`` or
``direction`` is ``"too_few"`` and the sentences say it is too early to tell.
Each check is exact for any number of entries: a sign test on the moments that
put marbles in (with its Clopper-Pearson interval), Fisher's test for a share
lately against before, a trend test (Mann-Kendall) across a belief's records,
and a permutation test for trigger intensity. :func:`highlights` asks more still:
what it shows must stand out even allowing for everything it looked at (Holm).

Free text (notes, moments, situations, beliefs ...) never leaves this module,
with two exceptions for the person's own eyes: the ``belief`` column of
:func:`belief_shift` and :func:`belief_trends`, and the first words of each
belief quoted by :func:`sentences` unless ``label_beliefs=False``.
"""

from __future__ import annotations

import datetime
import math
import weakref
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import chance
from .chance import CHANCE
from .journal import Journal
from .schema import BRAVING, TABLES

__all__ = [
    "ALL_OR_NOTHING",
    "BLAME_BANDS",
    "CHANCE",
    "FREQUENCIES",
    "MIN_ENTRIES",
    "RECENT_WEEKS",
    "Freq",
    "belief_shift",
    "belief_trends",
    "blame_balance",
    "braving_profile",
    "busiest_people",
    "current_jars",
    "highlights",
    "jar_trends",
    "marble_balance",
    "period_start",
    "person_order",
    "promises_kept",
    "qualities_check",
    "quality_order",
    "recent_changes",
    "self_trust_rate",
    "sentences",
    "short_label",
    "step_responses",
    "triggers_by_origin",
]

MIN_ENTRIES = 5
"""The fewest entries an insight needs before it names a direction or a share as a pattern."""

RECENT_WEEKS = 4
"""How many weeks "recently" means in jar trends and in the sentences."""



ALL_OR_NOTHING = (10, 90)
"""A blame balance (``my_share``) at or below the first or at or above the second number."""

Freq = Literal["D", "W", "M", "Q", "Y"]
FREQUENCIES: dict[str, str] = {
    "D": "day",
    "W": "week",
    "M": "month",
    "Q": "quarter",
    "Y": "year",
}
"""The periods a timeline can be counted in; weeks start on Monday."""

_RESPONSES = TABLES["steps"].column("response").choices
_PERSON_TABLES = ("observations", "red_flags", "steps", "marbles")
_ORIGINS = TABLES["triggers"].column("origin").choices
_SHOWN = TABLES["observations"].column("shown").choices
BLAME_BANDS: tuple[tuple[int, int], ...] = (
    (0, 10),
    (11, 20),
    (21, 30),
    (31, 40),
    (41, 50),
    (51, 60),
    (61, 70),
    (71, 80),
    (81, 89),
    (90, 100),
)
"""The bands of :func:`blame_balance`; the first and last are the all-or-nothing answers."""

_TREND_CHANGE = 5
"""Points (0-100) a belief's "before" must move across its records to count as a change."""


# --- shared helpers ---------------------------------------------------------


def period_start(dates: pd.Series | np.ndarray, freq: Freq) -> np.ndarray:
    """The first day of the period (day, week from Monday, month, quarter, year) of each date.

    Parameters
    ----------
    dates
        Dates, as a ``datetime64`` Series or array.
    freq
        One of :data:`FREQUENCIES`: ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``.

    Returns
    -------
    numpy.ndarray
        ``datetime64[ms]`` values, one per date.
    """
    _check_freq(freq)
    days = np.asarray(dates, dtype="datetime64[ms]").astype("datetime64[D]")
    if freq == "D":
        start = days
    elif freq == "W":
        number = days.astype("int64")
        # 1970-01-01 was a Thursday: shift by 3 so Monday is weekday 0.
        start = (number - (number + 3) % 7).astype("datetime64[D]")
    elif freq == "M":
        start = days.astype("datetime64[M]").astype("datetime64[D]")
    elif freq == "Q":
        months = days.astype("datetime64[M]").astype("int64")
        start = (months - months % 3).astype("datetime64[M]").astype("datetime64[D]")
    else:
        start = days.astype("datetime64[Y]").astype("datetime64[D]")
    return start.astype("datetime64[ms]")


def _check_freq(freq: str) -> None:
    if freq not in FREQUENCIES:
        allowed = ", ".join(f"{k!r} ({v})" for k, v in FREQUENCIES.items())
        raise ValueError(f"freq={freq!r} is not a period trustlab counts in; use one of {allowed}.")


class _Named(NamedTuple):
    """A column of names as integer codes (-1 for none) into ``names``."""

    codes: np.ndarray
    names: pd.Index

    def as_category(self) -> pd.Categorical:
        return pd.Categorical.from_codes(self.codes, categories=self.names, validate=False)


_FACTORIZED: dict[int, tuple[weakref.ref, np.ndarray, pd.Index]] = {}


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pandas.factorize`` of a text column, remembered while the column's data lives.

    A journal hands out the same immutable Arrow data each time a table is read,
    so the charts of one dashboard factorize the million marbles' names once,
    not once per chart. Any other column is simply factorized.
    """
    arrow = values.array.__arrow_array__() if hasattr(values.array, "__arrow_array__") else None
    if arrow is not None:
        hit = _FACTORIZED.get(id(arrow))
        if hit is not None and hit[0]() is arrow:
            return hit[1], hit[2]
    codes, uniques = pd.factorize(values, sort=False)
    uniques = pd.Index(uniques, dtype="str")
    if arrow is not None:
        key = id(arrow)
        ref = weakref.ref(arrow, lambda _, key=key: _FACTORIZED.pop(key, None))
        _FACTORIZED[key] = (ref, codes, uniques)
    return codes, uniques


def _names(values: pd.Series) -> _Named:
    """Names as codes, with surrounding spaces ignored (as the journal's checks do)."""
    codes, uniques = _factorize(values)
    stripped = uniques.str.strip()
    if stripped.equals(uniques):
        return _Named(codes, uniques)
    new_codes, names = pd.factorize(stripped, sort=False)
    lookup = np.append(new_codes, -1)
    return _Named(lookup[codes], pd.Index(names, dtype="str"))


def _choice_codes(values: pd.Series, choices: Sequence[str]) -> np.ndarray:
    """Each value's position in ``choices``, or -1 (an empty optional choice)."""
    codes, uniques = _factorize(values)
    position = {c: i for i, c in enumerate(choices)}
    lookup = np.array([position.get(u, -1) for u in uniques] + [-1], dtype="int64")
    return lookup[codes]


def _naming(named: _Named, people: Sequence[str] | None) -> np.ndarray:
    """Which rows name one of ``people`` (default: name anyone at all)."""
    wanted = named.names != "" if people is None else named.names.isin(list(people))
    return np.append(np.asarray(wanted, dtype=bool), False)[named.codes]


def _places(values: pd.Series | pd.Index, order: pd.Index) -> np.ndarray:
    """Where each of ``values`` stands in ``order`` (text, each value once), -1 if not in it.

    Looked up with Arrow's hashing: a journal may name hundreds of thousands of
    people, and a pandas index of them would be built anew at every look-up.
    """
    found = pc.index_in(_text(values), value_set=_text(order))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")


def _text(values: pd.Series | pd.Index) -> pa.Array:
    """Text values as one Arrow array (missing values as nulls)."""
    data = getattr(values, "array", None)
    if data is not None and hasattr(data, "__arrow_array__"):
        arrow = data.__arrow_array__()
    else:
        arrow = pa.array(np.asarray(values, dtype=object), from_pandas=True)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    return arrow.cast(pa.large_string())


def _decode(codes: pd.Series, names: np.ndarray) -> pd.Series:
    return pd.Series(names[codes.to_numpy()], index=codes.index, dtype="str")


def _sum_by(keys: dict[str, np.ndarray], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Sum integer ``values`` over each combination of ``keys`` that occurs, sorted by keys.

    The keys are combined into one integer and summed with ``numpy.bincount``:
    on a million rows this is several times faster than a pandas groupby.
    """
    combined = np.zeros(len(next(iter(keys.values()))), dtype="int64")
    levels = []
    for key in keys.values():
        codes, uniques = _small_codes(key)
        combined = combined * len(uniques) + codes
        levels.append(uniques)
    inverse, present = pd.factorize(combined, sort=True)
    out: dict[str, np.ndarray] = {}
    rest = present
    for name, uniques in reversed(list(zip(keys, levels, strict=True))):
        out[name] = uniques[rest % max(len(uniques), 1)]
        rest = rest // max(len(uniques), 1)
    frame = pd.DataFrame({name: out[name] for name in keys})
    for name, value in values.items():
        total = np.bincount(inverse, weights=value, minlength=len(present))
        frame[name] = np.rint(total).astype("int64")
    return frame


def _small_codes(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..n-1 for ``key`` and the value of each code, in sorted order."""
    if key.dtype.kind == "M":
        days = key.astype("datetime64[D]").astype("int64")
        codes, uniques = _small_codes(days)
        return codes, uniques.astype("datetime64[D]").astype(key.dtype)
    if key.dtype.kind in "iu" and len(key):
        low, high = int(key.min()), int(key.max())
        if high - low < 1 << 16:
            # Dense integers (codes, day numbers) need no hashing.
            return key.astype("int64") - low, np.arange(low, high + 1, dtype=key.dtype)
    codes, uniques = pd.factorize(key, sort=True)
    return codes, np.asarray(uniques)


def _listed(journal: Journal) -> pd.Index:
    """The names in people.csv, in its order, each once (an index, to look names up in)."""
    names = _names(journal.table("people")["person"]).names
    return names[names != ""]


def person_order(journal: Journal) -> list[str]:
    """Everyone the journal names: people.csv's order first, then other names A to Z.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    list of str
        Each name once, without surrounding spaces; empty names left out.
    """
    listed = _listed(journal)
    named = [_names(journal.table(name)["person"]).names for name in _PERSON_TABLES]
    others = named[0].append(named[1:]).unique()
    others = others[(_places(others, listed) < 0) & (others != "")]
    return listed.tolist() + sorted(others.tolist(), key=str.casefold)


def busiest_people(journal: Journal, *, max_people: int = 8) -> list[str]:
    """The ``max_people`` people with the most entries of any kind, in :func:`person_order`.

    Parameters
    ----------
    journal
        The open journal.
    max_people
        How many to keep; ties go to the person listed first.

    Returns
    -------
    list of str
    """
    order = person_order(journal)
    where = pd.Index(order, dtype="str")
    counts = np.zeros(len(order), dtype="int64")
    for name in ("marbles", "steps", "observations", "red_flags"):
        named = _names(journal.table(name)["person"])
        tally = np.bincount(named.codes[named.codes >= 0], minlength=len(named.names))
        position = _places(named.names, where)
        counts[position[position >= 0]] += tally[position >= 0]
    entries = np.flatnonzero(counts > 0)
    busiest = entries[np.argsort(-counts[entries], kind="stable")[:max_people]]
    return [order[i] for i in np.sort(busiest)]


def _only(frame: pd.DataFrame, column: str, people: Sequence[str] | None) -> pd.DataFrame:
    """Rows naming one of ``people`` (all non-empty names when ``people`` is None)."""
    names = frame[column]
    keep = np.asarray(names != "") if people is None else np.asarray(names.isin(list(people)))
    return frame[keep]


def _as_date(value: datetime.date | str | pd.Timestamp | None) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole as floats, NaN where ``whole`` is 0."""
    whole = whole.astype("float64")
    return part.astype("float64") / whole.where(whole > 0)


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
        Every response (warm, neutral, cold, pending) for every person with a
        step: ``person``, ``response``, ``gave``, ``asked``, ``steps`` (both) and
        ``share`` (of that person's steps with an answer, so pending steps have
        no share); ``answered`` is that person's steps that are not pending.
    """
    table = journal.table("steps")
    frame = pd.DataFrame(
        {
            "person": _names(table["person"]).as_category(),
            "response": pd.Categorical(table["response"], categories=_RESPONSES),
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
    grouped = _sort_people(grouped, _listed(journal), then=["_response"], extra=_RESPONSES)
    return grouped[columns].reset_index(drop=True)


# --- step 2: qualities ------------------------------------------------------


def quality_order(journal: Journal) -> list[str]:
    """My qualities, most important first (then as listed), then other named qualities A to Z."""
    qualities = journal.table("qualities")
    listed = qualities.assign(quality=qualities["quality"].str.strip(), _row=range(len(qualities)))
    listed = listed.sort_values(["importance", "_row"], ascending=[False, True])
    named = pd.Index(listed["quality"].unique(), dtype="str")
    others = _names(journal.table("observations")["quality"]).names
    others = others[(_places(others, named) < 0) & (others != "")]
    return named.tolist() + sorted(others.tolist(), key=str.casefold)


def qualities_check(journal: Journal, *, people: Sequence[str] | None = None) -> pd.DataFrame:
    """For each person and each of my qualities: how often it was shown.

    Parameters
    ----------
    journal
        The open journal.
    people
        Only these people (default everyone with an observation).

    Returns
    -------
    pandas.DataFrame
        One row per person and quality observed at least once: ``person``,
        ``quality``, ``yes``, ``no``, ``unsure``, ``observations``,
        ``share_shown`` (yes / observations) and ``enough`` (at least
        :data:`MIN_ENTRIES` observations). Observations naming no person or no
        quality are left out.
    """
    table = journal.table("observations")
    frame = pd.DataFrame(
        {
            "person": _names(table["person"]).as_category(),
            "quality": _names(table["quality"]).as_category(),
            **{s: (table["shown"] == s).astype("int64") for s in _SHOWN},
        }
    )
    frame = _only(frame, "person", people)
    frame = frame[np.asarray(frame["quality"] != "")]
    columns = ["person", "quality", *_SHOWN, "observations", "share_shown", "enough"]
    if frame.empty:
        return _typed_empty(
            columns, text=("person", "quality"), floats=("share_shown",), flags=("enough",)
        )
    grouped = frame.groupby(["person", "quality"], observed=True).sum().reset_index()
    grouped["person"] = grouped["person"].astype("str")
    grouped["quality"] = grouped["quality"].astype("str")
    grouped["observations"] = grouped[list(_SHOWN)].sum(axis=1)
    grouped["share_shown"] = _share(grouped["yes"], grouped["observations"])
    grouped["enough"] = grouped["observations"] >= MIN_ENTRIES
    order = quality_order(journal)
    grouped = _sort_people(grouped, _listed(journal), then=["_quality"], extra=order)
    return grouped[columns].reset_index(drop=True)


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
        ``date`` (with ``freq``), ``yes``, ``partly``, ``no``, ``open`` (not
        checked yet), ``promises``, ``decided`` (yes + partly + no), ``rate``
        (yes / decided, NaN when none is decided) and ``enough``.
    """
    if freq is not None:
        _check_freq(freq)
    table = journal.table("promises")
    kept = table["kept"]
    frame = pd.DataFrame(
        {
            "yes": (kept == "yes").astype("int64"),
            "partly": (kept == "partly").astype("int64"),
            "no": (kept == "no").astype("int64"),
            "open": (kept == "").astype("int64"),
        }
    )
    keys: list[str] = []
    if freq is not None:
        frame.insert(0, "date", period_start(table["date"], freq))
        keys.append("date")
    frame["promises"] = 1
    frame["decided"] = frame["yes"] + frame["partly"] + frame["no"]
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


# --- step 1: roots -----------------------------------------------------------


def triggers_by_origin(journal: Journal, *, freq: Freq | None = None) -> pd.DataFrame:
    """Triggers by where they seem to come from, with how intense they felt.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per period, or ``None`` for one row per origin overall.

    Returns
    -------
    pandas.DataFrame
        ``date`` (with ``freq``), ``origin``, ``triggers``, ``mean_intensity``
        and ``max_intensity`` (0-10). Without ``freq`` every origin has a row
        (0 triggers, NaN intensities where none); with ``freq`` only periods and
        origins with triggers appear.
    """
    if freq is not None:
        _check_freq(freq)
    table = journal.table("triggers")
    frame = pd.DataFrame(
        {
            "origin": pd.Categorical(table["origin"], categories=_ORIGINS),
            "intensity": table["intensity"].astype("float64"),
        }
    )
    keys = ["origin"]
    if freq is not None:
        frame.insert(0, "date", period_start(table["date"], freq))
        keys.insert(0, "date")
    grouped = frame.groupby(keys, observed=freq is not None, sort=True)["intensity"].agg(
        triggers="size", mean_intensity="mean", max_intensity="max"
    )
    grouped = grouped.reset_index()
    grouped["origin"] = grouped["origin"].astype("str")
    grouped["triggers"] = grouped["triggers"].astype("int64")
    return grouped.reset_index(drop=True)


def blame_balance(journal: Journal) -> pd.DataFrame:
    """How much of each trigger I saw as mine to own (``my_share``), in bands.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    pandas.DataFrame
        One row per band of :data:`BLAME_BANDS`, lowest first: ``low``,
        ``high``, ``triggers`` and ``all_or_nothing`` (the band is at or below
        10 or at or above 90, see :data:`ALL_OR_NOTHING`).
    """
    share = journal.table("triggers")["my_share"].to_numpy()
    lows = np.array([low for low, _ in BLAME_BANDS])
    band = np.searchsorted(lows, share, side="right") - 1
    counts = np.bincount(band.astype("int64"), minlength=len(BLAME_BANDS))
    low_cut, high_cut = ALL_OR_NOTHING
    return pd.DataFrame(
        {
            "low": np.array([low for low, _ in BLAME_BANDS], dtype="int64"),
            "high": np.array([high for _, high in BLAME_BANDS], dtype="int64"),
            "triggers": counts.astype("int64"),
            "all_or_nothing": [high <= low_cut or low >= high_cut for low, high in BLAME_BANDS],
        }
    )


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
_ELEMENT_WORDS = {
    "boundaries": "respect for boundaries",
    "reliability": "reliability",
    "accountability": "accountability",
    "vault": "the vault (keeping what you share private)",
    "integrity": "integrity",
    "non_judgment": "non-judgment",
    "generosity": "generosity",
}
_ORIGIN_WORDS = {
    "childhood": "childhood",
    "past_relationship": "a past relationship",
    "current_relationship": "the current relationship",
    "other": "somewhere else",
}
_NOTHING_YET = "Nothing to show here yet: as you add entries, what they show will appear here."


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
    said = _said(journal, None, weeks, as_of, max_people, label_beliefs)
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


def _jar_sentences(journal, weeks, as_of, max_people) -> list[_Said]:
    jars = current_jars(journal)
    if jars.empty:
        return []
    trends = jar_trends(journal, weeks=weeks, as_of=as_of).set_index("person")
    steps = step_responses(journal)
    said = []
    for person in _busiest(jars, "moments", max_people):
        jar = jars[jars["person"] == person].iloc[0]
        marbles, moments = int(jar["marbles"]), int(jar["moments"])
        if marbles >= 0:
            text = (
                f"{person}'s jar holds {_count(marbles, 'marble')} "
                f"from {_count(moments, 'moment')}."
            )
        else:
            text = (
                f"{person}'s jar is at {_signed(marbles)} marbles "
                f"after {_count(moments, 'moment')}."
            )
        said.append(_Said(text, 5))
        said += _jar_trend_sentence(person, trends.loc[person], marbles, weeks)
    said += [_Said(text, 5) for text in _braving_sentences(journal, max_people)]
    said += [_Said(text, 5) for text in _step_sentences(steps, max_people)]
    return said


def _jar_trend_sentence(person: str, trend: pd.Series, marbles: int, weeks: int) -> list[_Said]:
    lately = _lately(weeks)
    change, recent = int(trend["change"]), int(trend["moments"])
    earning, p = int(trend["earning"]), float(trend["p"])
    if trend["trend"] in ("filling", "emptying"):
        filling = trend["trend"] == "filling"
        leaning = earning if filling else recent - earning
        text = (
            f"{person}'s jar has been {trend['trend']} {lately}, clearly: "
            f"{_of_all(leaning, recent)} moments "
            f"{'put marbles in' if filling else 'took marbles out'} ({_signed(change)} marbles)."
        )
        before = marbles - change
        turned = (before < 0) if filling else (before > 0)
        if turned:
            why = (
                f"A turn: before {_recent(weeks)} the jar was at {_signed(before)} marbles, and "
                f"{_of_all(leaning, recent)} moments since went the other way, {_BEYOND_CHANCE}."
            )
        else:
            why = (
                f"A clear direction: {_of_all(leaning, recent)} moments in {_recent(weeks)} "
                f"went the same way, {_BEYOND_CHANCE}."
            )
        return [_Said(text, 5, 3 if turned else 2, why, claims=(p,), checks=(p,))]
    if trend["trend"] == "steady":
        text = (
            f"{person}'s jar has held steady {lately}: as many marbles went in "
            f"as came out, over {_count(recent, 'moment')}."
        )
        return [_Said(text, 5, checks=(p,))]
    if recent >= MIN_ENTRIES:
        text = (
            f"{person}'s jar changed by {_signed(change)} marbles {lately}, from "
            f"{_count(recent, 'moment')} ({earning:,} in, {recent - earning:,} out): too early "
            "to tell a direction yet."
        )
        return [_Said(text, 5, checks=(p,))]
    if recent:
        text = (
            f"There {'is' if recent == 1 else 'are'} "
            f"{_count(recent, 'moment')} for {person} {lately}: too few to see "
            "a direction yet."
        )
        return [_Said(text, 5)]
    return []


def _braving_sentences(journal, max_people) -> list[str]:
    profile = braving_profile(journal)
    if profile.empty:
        return []
    said = []
    for person in _busiest(profile, "moments", max_people):
        mine = profile[profile["person"] == person]
        moments = int(mine["moments"].sum())
        if moments < MIN_ENTRIES:
            continue
        best = mine.sort_values(["net", "moments"], ascending=False, kind="stable").iloc[0]
        if best["net"] > 0:
            net, moments = int(best["net"]), int(best["moments"])
            said.append(
                f"{person} has shown {_ELEMENT_WORDS[best['element']]} most "
                f"({_signed(net)} marbles over {_count(moments, 'moment')})."
            )
    return said


def _step_sentences(steps: pd.DataFrame, max_people: int) -> list[str]:
    if steps.empty:
        return []
    said, few = [], []
    for person in _busiest(steps, "steps", max_people):
        mine = steps[steps["person"] == person].set_index("response")
        answered = int(mine["answered"].iloc[0])
        warm = int(mine.loc["warm", "steps"])
        if answered >= MIN_ENTRIES:
            said.append(
                f"When you gave or asked for something small, {person} responded "
                f"warmly {_count(warm, 'time')} out of {answered:,}."
            )
        elif answered:
            few.append(person)
    if few:
        said.append(
            f"{_and(few)} {'has' if len(few) == 1 else 'have each'} answered fewer than "
            f"{MIN_ENTRIES} of your small steps so far: too few to see a pattern yet."
        )
    return said


def _quality_sentences(journal, max_people) -> list[_Said]:
    check = qualities_check(journal)
    if check.empty:
        return []
    said, few = [], []
    for person in _busiest(check, "observations", max_people):
        mine = check[(check["person"] == person) & check["enough"]]
        if mine.empty:
            few.append(person)
            continue
        best = mine.sort_values(
            ["share_shown", "observations"], ascending=False, kind="stable"
        ).iloc[0]
        said.append(
            f"With {person}, “{best['quality']}” showed up in {int(best['yes']):,} of "
            f"{_count(int(best['observations']), 'observation')}."
        )
    if few:
        said.append(
            f"For {_and(few)} there are fewer than {MIN_ENTRIES} observations of any one "
            "quality so far: too few to see a pattern yet."
        )
    return [_Said(text, 2) for text in said]


def _and(names: Sequence[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _of(change: pd.Series) -> tuple[int, int, int, int]:
    """The counts behind a share of :func:`recent_changes`: yes and all, lately and before."""
    now_n, then_n = int(change["recent_n"]), int(change["before_n"])
    return round(change["recent"] * now_n), now_n, round(change["before"] * then_n), then_n


def _self_trust_sentences(journal, weeks, changes: pd.DataFrame) -> list[_Said]:
    said = []
    lately = _lately(weeks).capitalize()
    overall = self_trust_rate(journal).iloc[0]
    flags, decided = int(overall["flags"]), int(overall["decided"])
    if flags:
        heeded, watching = int(overall["heeded"]), int(overall["watching"])
        text = (
            f"You heeded {heeded:,} of the {_count(decided, 'red flag')} you made a call on"
            if decided
            else f"You have noted {_count(flags, 'red flag')}"
        )
        if watching:
            text += f", and you are watching {watching:,} more"
        said.append(_Said(text + ".", 3))
        change = changes.loc["heeded"]
        if not np.isnan(change["p"]):
            now, now_n, then, then_n = _of(change)
            counts = f"{now:,} of {now_n:,}, against {then:,} of {then_n:,} before"
            if change["direction"] == "too_few":
                said.append(
                    _Said(
                        f"{lately} you heeded {now:,} of {now_n:,} ({_percent(change['recent'])}), "
                        f"against {then:,} of {then_n:,} ({_percent(change['before'])}) before: "
                        "too early to tell whether this is changing.",
                        3,
                        checks=(change["p"],),
                    )
                )
            else:
                way = "more" if change["direction"] == "higher" else "less"
                said.append(
                    _Said(
                        f"{lately} you heeded them clearly {way} often than before ({counts}).",
                        3,
                        2,
                        f"A clear change in how you answer red flags: {counts}, {_BEYOND_CHANCE}.",
                        claims=(change["p"],),
                        checks=(change["p"],),
                    )
                )
        elif decided:
            said.append(
                _Said(
                    f"There are too few red flags in {_recent(weeks)}, or before them, to say "
                    "whether this is changing.",
                    3,
                )
            )
    said += _promise_sentences(journal, weeks, changes.loc["kept"])
    return said


def _promise_sentences(journal, weeks, change: pd.Series) -> list[_Said]:
    kept = promises_kept(journal).iloc[0]
    promises, checked, waiting = int(kept["promises"]), int(kept["decided"]), int(kept["open"])
    if not promises:
        return []
    if checked:
        text = (
            f"Of the {_count(checked, 'promise')} to yourself you have looked back on, "
            f"you kept {int(kept['yes']):,}"
        )
        if kept["partly"]:
            text += f" and partly kept {int(kept['partly']):,}"
        text += "."
    else:
        text = f"You have made {_count(promises, 'promise')} to yourself."
    if waiting and checked:
        text += f" {waiting:,} {'is' if waiting == 1 else 'are'} still open."
    why = ""
    if waiting:
        them = "it" if waiting == 1 else "them"
        why = (
            f"{_count(waiting, 'promise').capitalize()} to yourself "
            f"{'is' if waiting == 1 else 'are'} waiting for you to look back on {them}: "
            "each one you check is part of how self-trust grows."
        )
    said = [_Said(text, 3, 1 if waiting else 0, why)]
    if not np.isnan(change["p"]):
        now, now_n, then, then_n = _of(change)
        counts = f"{now:,} of {now_n:,}, against {then:,} of {then_n:,} before"
        made = f"Of the promises to yourself you made {_lately(weeks)}"
        if change["direction"] == "too_few":
            said.append(
                _Said(
                    f"{made}, you kept {now:,} of the {now_n:,} you looked back on "
                    f"({_percent(change['recent'])}), against {then:,} of {then_n:,} "
                    f"({_percent(change['before'])}) before: too early to tell whether this is "
                    "changing.",
                    3,
                    checks=(change["p"],),
                )
            )
        else:
            way = "more" if change["direction"] == "higher" else "fewer"
            said.append(
                _Said(
                    f"{made}, you kept clearly {way} than before ({counts}).",
                    3,
                    2,
                    f"A clear change in the promises you keep: {counts}, {_BEYOND_CHANCE}.",
                    claims=(change["p"],),
                    checks=(change["p"],),
                )
            )
    return said


def _belief_sentences(journal, label_beliefs, max_beliefs) -> list[_Said]:
    trends = belief_trends(journal)
    if trends.empty:
        return []
    records = belief_shift(journal)
    said = []
    shown = trends.nlargest(max_beliefs, "records", keep="first").sort_values("number")
    for _, belief in shown.iterrows():
        name = (
            f"“{short_label(belief['belief'])}”"
            if label_beliefs
            else f"Belief {int(belief['number'])}"
        )
        count = int(belief["records"])
        first, last = int(belief["first_before"]), int(belief["last_before"])
        if count == 1:
            after = belief["last_after"]
            text = f"{name} felt {first}% true before your thought record" + (
                f" and {int(after)}% after it."
                if pd.notna(after)
                else "; you can note how true it feels afterwards whenever you are ready."
            )
            said.append(_Said(text, 4))
            continue
        mine = records[records["number"] == belief["number"]]
        text = (
            f"{name} felt {first}% true before your first thought record and {last}% "
            f"before your latest ({count:,} records)."
        )
        after = _after_record(mine["shift"].dropna().to_numpy(dtype="int64"), count)
        trend, p = _belief_trend(mine["before"].to_numpy(dtype="float64"), belief["change"])
        checks = (*after.checks, *((p,) if count >= MIN_ENTRIES else ()))
        if trend in ("easing", "stronger"):
            way = "less" if trend == "easing" else "more"
            text += after.text + f" Across your records it has clearly come to feel {way} true."
            span = f"{count:,} thought records, from {first}% to {last}%, {_BEYOND_CHANCE}"
            why = (
                f"A belief easing: how true it felt before each record has come down across {span}."
                if trend == "easing"
                else f"A belief that has grown stronger across {span}: worth gentle attention."
            )
            weight = 3 if trend == "easing" else 2
            said.append(_Said(text, 4, weight, why, (*after.claims, p), checks))
        elif after.claims:
            text += after.text + " It is too early to tell a trend across your records."
            said.append(after._replace(text=text, checks=checks))
        else:
            text += after.text + " It is too early to tell a direction yet."
            said.append(_Said(text, 4, checks=checks))
    said += _all_records(records, len(trends))
    return said


def _after_record(shifts: np.ndarray, records: int) -> _Said:
    """How a belief felt after each record (words to add to its sentence), and the check."""
    if not len(shifts):
        return _Said("", 4)
    eased, rose = int((shifts < 0).sum()), int((shifts > 0).sum())
    mean = round(float(shifts.mean()))
    tested = eased + rose >= MIN_ENTRIES
    p = chance.sign_test(eased, eased + rose)
    checks = (p,) if tested else ()
    of = f" ({len(shifts):,} with an after)" if len(shifts) < records else ""
    if tested and p <= CHANCE and mean and (mean < 0) == (eased > rose):
        way = "less" if mean < 0 else "more"
        times = _of_all(max(eased, rose), len(shifts))
        text = (
            f" After a record it has clearly felt {way} true: {_count(abs(mean), 'point')} "
            f"{way} on average, and {way} true after {times} records."
        )
        why = f"A clear pattern: it felt {way} true after {times} records, {_BEYOND_CHANCE}."
        return _Said(text, 4, 2, why, claims=(p,), checks=checks)
    if not mean:
        return _Said(f" After a record it felt about the same on average{of}.", 4, checks=checks)
    text = f" After a record, how true it felt changed by {_signed(mean)} points on average{of}."
    return _Said(text, 4, checks=checks)


def _of_all(k: int, n: int) -> str:
    """``all 6`` or ``9 of 10``."""
    return f"all {n:,}" if k == n and n > 1 else f"{k:,} of {n:,}"


def _all_records(records: pd.DataFrame, beliefs: int) -> list[_Said]:
    """Across every belief's records: did a belief feel less true after a record?"""
    shifts = records["shift"].dropna().to_numpy(dtype="int64")
    with_after = records.loc[records["shift"].notna(), "number"].nunique()
    eased, rose = int((shifts < 0).sum()), int((shifts > 0).sum())
    if beliefs < 2 or with_after < 2 or eased + rose < MIN_ENTRIES:
        return []
    p = chance.sign_test(eased, eased + rose)
    changed = f"{_count(eased + rose, 'record')} where how true it felt changed"
    if p <= CHANCE and eased != rose:
        way = "less" if eased > rose else "more"
        times = _of_all(max(eased, rose), eased + rose)
        text = (
            f"After your thought records a belief has clearly tended to feel {way} true: "
            f"it did after {times} records where how true it felt changed."
        )
        why = (
            f"A clear pattern across all your beliefs: {way} true after {times} of the "
            f"records where it changed, {_BEYOND_CHANCE}."
        )
        return [_Said(text, 4, 2, why, claims=(p,), checks=(p,))]
    text = (
        f"Across all your beliefs, a belief felt less true after {eased:,} and more true after "
        f"{rose:,} of the {changed}: too early to tell a pattern yet."
    )
    return [_Said(text, 4, checks=(p,))]


def _roots_sentences(journal, weeks, changes: pd.DataFrame) -> list[_Said]:
    triggers = journal.table("triggers")
    n = len(triggers)
    if not n:
        return []
    said = []
    origins = triggers["origin"].value_counts()
    top, k = origins.index[0], int(origins.iloc[0])
    said.append(
        _Said(
            f"Of your {_count(n, 'trigger')}, {k:,} seem{'s' if k == 1 else ''} to come "
            f"from {_ORIGIN_WORDS.get(top, top)}.",
            1,
        )
    )
    said += _pace_sentence(changes.loc["triggers"], weeks)
    said += _intensity_sentence(changes.loc["intensity"], weeks)
    low, high = ALL_OR_NOTHING
    share = triggers["my_share"]
    extreme = int(((share <= low) | (share >= high)).sum())
    how = f"all or nothing ({low}% or less yours, or {high}% or more)"
    if n == 1:
        text = (
            f"You saw your one trigger as {how}."
            if extreme
            else "For your one trigger you found some middle ground in the blame balance."
        )
    elif extreme == n:
        text = f"In each of your {n:,} triggers you saw what happened as {how}."
    elif extreme:
        text = (
            f"In {extreme:,} of your {n:,} triggers you saw what happened as {how}; in the "
            f"other {n - extreme:,} you found some middle ground."
        )
    else:
        text = (
            f"In all {n:,} of your triggers you found some middle ground: none was all or nothing."
        )
    said.append(_Said(text, 1))
    return said


def _pace_sentence(change: pd.Series, weeks: int) -> list[_Said]:
    if np.isnan(change["p"]):
        return []
    now = _count(int(change["recent_n"]), "trigger")
    expected = change["before"] * weeks
    about = f"about {expected:,.0f}" if expected >= 1 else "fewer than 1"
    pace = f"{now} {_lately(weeks)}, where the pace before would have brought {about}"
    if change["direction"] == "too_few":
        text = f"You noted {pace}: too early to tell whether they are coming more or less often."
        return [_Said(text, 1, checks=(change["p"],))]
    way = "more" if change["direction"] == "higher" else "less"
    text = f"You have noted triggers clearly {way} often lately: {pace}."
    why = f"A clear change in how often triggers came: {pace}, {_BEYOND_CHANCE}."
    return [_Said(text, 1, 2, why, claims=(change["p"],), checks=(change["p"],))]


def _intensity_sentence(change: pd.Series, weeks: int) -> list[_Said]:
    if np.isnan(change["p"]):
        return []
    now, then = change["recent"], change["before"]
    counts = (
        f"on average {now:.1f} out of 10 over {_count(int(change['recent_n']), 'trigger')}, "
        f"against {then:.1f} over {int(change['before_n']):,}"
    )
    lately = _lately(weeks).capitalize()
    if change["direction"] == "too_few":
        text = f"{lately} they felt {counts} before: too early to tell whether that is a change."
        return [_Said(text, 1, checks=(change["p"],))]
    how = "more intense" if change["direction"] == "higher" else "less intense"
    text = f"{lately} they have clearly felt {how} than before ({counts})."
    why = f"A clear change in how intense triggers felt: {counts} before, {_BEYOND_CHANCE}."
    return [_Said(text, 1, 2, why, claims=(change["p"],), checks=(change["p"],))]


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


# --- frame helpers -----------------------------------------------------------


def _sort_people(
    frame: pd.DataFrame,
    listed: pd.Index,
    *,
    then: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Sort as :func:`person_order` does (people.csv first, then A to Z), then by ``then``.

    ``listed`` holds each name of people.csv once. A ``then`` column named ``_col``
    sorts by the place of column ``col``'s value in ``extra`` (values not in it last).
    """
    person = _rank(frame["person"], listed)
    # Names A to Z only matter for people not in people.csv, who all share the last rank.
    unlisted = (person == len(listed)).to_numpy()
    name = np.full(len(frame), "", dtype=object)
    name[unlisted] = frame["person"][unlisted].str.casefold().to_numpy(dtype=object)
    keys = {"_person": person, "_name": pd.Series(name, index=frame.index, dtype="str")}
    for col in then:
        keys[col] = _rank(frame[col[1:]], extra) if col.startswith("_") else frame[col]
    ordered = frame.assign(**keys).sort_values(list(keys), kind="stable")
    return ordered.drop(columns=list(k for k in keys if k.startswith("_")))


def _rank(values: pd.Series, order: Sequence[str]) -> pd.Series:
    """Each value's place in ``order`` (whose values are unique), or ``len(order)`` if not in it.

    The places are looked up all at once: a journal may name many thousands of people.
    """
    order = order if isinstance(order, pd.Index) else pd.Index(list(order), dtype="str")
    place = _places(values, order)
    return pd.Series(np.where(place < 0, len(order), place), index=values.index)


def _typed_empty(
    columns: Sequence[str],
    *,
    dates: Sequence[str] = (),
    text: Sequence[str] = (),
    floats: Sequence[str] = (),
    flags: Sequence[str] = (),
) -> pd.DataFrame:
    """An empty result with the same columns and dtypes as a full one."""
    dtypes = {}
    for col in columns:
        if col in dates:
            dtypes[col] = "datetime64[ms]"
        elif col in text:
            dtypes[col] = "str"
        elif col in floats:
            dtypes[col] = "float64"
        elif col in flags:
            dtypes[col] = "bool"
        else:
            dtypes[col] = "int64"
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
