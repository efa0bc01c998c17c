"""What every insight shares: the thresholds and periods, names read as codes and
counted fast, the order of people, and sorting and empty results.
"""

from __future__ import annotations

import datetime
import weakref
from collections.abc import Sequence
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..journal import Journal

MIN_ENTRIES = 5
"""The fewest entries an insight needs before it names a direction or a share as a pattern."""

RECENT_WEEKS = 4
"""How many weeks "recently" means in jar trends and in the sentences."""

Freq = Literal["D", "W", "M", "Q", "Y"]
FREQUENCIES: dict[str, str] = {
    "D": "day",
    "W": "week",
    "M": "month",
    "Q": "quarter",
    "Y": "year",
}
"""The periods a timeline can be counted in; weeks start on Monday."""

_PERSON_TABLES = ("observations", "red_flags", "steps", "marbles")


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
