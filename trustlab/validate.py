"""Checking a table's text against the data contract, and typing it.

Everything here works on whole columns at once (pyarrow compute), so a journal
with a million entries validates in a fraction of a second; the per-value
messages are only built for the values that are wrong.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .csvread import Lines
from .derived_ids import Places, content_ids
from .errors import Problem
from .schema import ID, Column, Table
from .storage import RawTable

MAX_PER_COLUMN = 100
"""Problems listed per column and file before the rest are summed up in one line."""

_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SLASH_DATE = re.compile(r"^\d{1,4}[./]\d{1,2}[./]\d{1,4}$")
_WHOLE = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(r"^-?[0-9]*[.,][0-9]+$")


@dataclass
class _Bad:
    row: int
    value: str
    message: str
    code: str


def check_header(raw: RawTable, table: Table) -> list[Problem]:
    """Problems with the header row: wrong, missing, repeated or unknown columns."""
    f = raw.filename
    header = raw.header
    expected = [*table.column_names]
    listing = ", ".join(expected)
    if not header or header == [""]:
        return [Problem(f, 1, None, None, f"the first line must be the header row: {listing}.",
                        code="no_header")]
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        sep = next(s for s in ";\t|" if s in header[0])
        shown = {"\t": "tabs"}.get(sep, f"'{sep}'")
        return [Problem(
            f, 1, None, header[0],
            f"the columns seem to be separated by {shown}, but trustlab reads files with "
            "commas between columns. Save it again as comma-separated CSV (in Excel: "
            "File > Save As > 'CSV UTF-8 (Comma delimited)').",
            code="delimiter",
        )]
    known = {ID, *expected}
    if not known & set(header) and any(_DATE_SHAPE.match(h) for h in header):
        return [Problem(
            f, 1, None, ",".join(header),
            f"the file seems to have no header row: its first line must name the columns "
            f"({listing}).",
            code="no_header",
        )]
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            problems.append(Problem(
                f, 1, name, name,
                f"the column {name!r} appears twice in the header (fields {seen[name]} and "
                f"{position}); each column must appear once.",
                code="duplicate_column",
            ))
            continue
        seen[name] = position
        if name not in known:
            close = difflib.get_close_matches(name.lower(), sorted(known), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(
                f, 1, name, name,
                f"{name!r} is not a column of {f}.{hint} The columns are: {listing} "
                "(and optionally id).",
                code="unknown_column",
            ))
    for name in expected:
        if name not in seen:
            problems.append(Problem(
                f, 1, name, None,
                f"the header has no column {name!r}. The columns are: {listing}.",
                code="missing_column",
            ))
    return problems


@dataclass
class Validated:
    """The typed rows of a file (None if its header is wrong), their lines, and problems."""

    frame: pd.DataFrame | None
    problems: list[Problem]
    lines: np.ndarray | Lines
    derived_ids: bool = False
    """Some rows had no id (hand-made), so trustlab made one from their content."""
    places: Places | None = None
    """With ``later_ids``, for a file without an id column: the frame has no ids yet,
    and these are its choice columns' places among their choices (for
    :func:`~trustlab.derived_ids.content_ids`)."""


def validate_rows(
    raw: RawTable, table: Table, *, entry: bool = False, later_ids: bool = False
) -> Validated:
    """Check every row of ``raw`` against ``table``: typed rows, their lines, problems.

    ``entry`` marks a single new entry (from :meth:`Journal.add`), which has no
    line in the file yet. ``later_ids``: a file without an id column gets no ids
    here (see :attr:`Validated.places`), so that they can be made once its names
    have been looked up.
    """
    problems = [] if entry else check_header(raw, table)
    if problems:
        return Validated(None, problems, np.zeros(0, dtype=np.int64))
    data = raw.data
    rows: np.ndarray | None = None  # the rows kept, when some are dropped
    checked = _check_columns(data, raw, table)
    if not entry and data.num_rows and not _rules_out_repeated_header(table, checked):
        keep = _repeated_headers(raw, problems)
        if not keep.all():
            rows = np.flatnonzero(keep)
            data = data.filter(pa.array(keep))
            checked = _check_columns(data, raw, table)

    def line(i: int) -> int:
        return 0 if entry else raw.line_of(i if rows is None else int(rows[i]))

    typed: dict[str, pa.Array] = {}
    for col in table.columns:
        values, array, bad, _ = checked[col.name]
        if col.unique:
            bad += _repeats(values, col, line)
        _report(bad, raw.filename, col, line, problems)
        typed[col.name] = array
    frame = pa.table(typed).to_pandas(date_as_object=False)
    for col in table.columns:
        if col.kind == "int" and col.optional:
            frame[col.name] = frame[col.name].astype("Int64")
        elif col.kind == "date":
            frame[col.name] = frame[col.name].astype("datetime64[ms]")
    places = {name: c.places for name, c in checked.items() if c.places is not None}
    later = later_ids and ID not in raw.header and len(frame) > 0
    if not later:
        ids, derived = _ids(raw, data, frame, line, problems, places)
        frame.insert(0, ID, ids.to_pandas())
    lines: np.ndarray | Lines
    if entry:
        lines = np.zeros(data.num_rows, dtype=np.int64)
    elif raw.lines is None:
        lines = (np.arange(data.num_rows) if rows is None else rows) + 2
    elif rows is None:
        lines = raw.lines  # worked out only if a problem names a line
    else:
        lines = raw.lines[rows]  # repeated headers were dropped
    if later:
        return Validated(frame, problems, lines, derived_ids=True, places=places)
    return Validated(frame, problems, lines, derived_ids=derived)


def parsed_types(table: Table) -> dict[str, pa.DataType]:
    """Columns the CSV reader may parse itself: dates, and numbers that are never empty."""
    types = {c.name: pa.date32() for c in table.columns if c.kind == "date"}
    types |= {c.name: pa.int64() for c in table.columns if c.kind == "int" and not c.optional}
    return types


def validate_entry(table: Table, texts: dict[str, str]) -> tuple[dict, list[Problem]]:
    """Check one new entry's texts: its typed values (plain Python) and any problems."""
    problems: list[Problem] = []
    entry: dict = {}
    for col in table.columns:
        array, bad = _CHECKS[col.kind](pa.array([texts.get(col.name, "")], pa.string()), col)
        _report(bad, table.filename, col, lambda i: 0, problems)
        entry[col.name] = array[0].as_py()
    return entry, problems


class _Checked(NamedTuple):
    """One column as checked: its text, typed values, bad values and, in a file without
    ids, for a choice column whose every value is one of its choices, each value's place
    among them and the choices (to hash it by: its entry in
    :data:`~trustlab.derived_ids.Places`)."""

    values: pa.ChunkedArray
    typed: pa.Array | pa.ChunkedArray
    bad: list[_Bad]
    places: tuple[pa.ChunkedArray, pa.Array] | None


def _check_columns(data: pa.Table, raw: RawTable, table: Table) -> dict[str, _Checked]:
    """Each column as checked (:class:`_Checked`), by column name."""
    checked = {}
    for col in table.columns:
        values = data.column(f"c{raw.header.index(col.name)}")  # chunked: no copy
        if col.kind == "choice" and ID not in raw.header:
            allowed = _allowed(col)
            places = in_halves(values, pc.index_in, value_set=allowed)
            if not places.null_count:
                checked[col.name] = _Checked(values, values, [], (places, allowed))
                continue
        array, bad = _CHECKS[col.kind](values, col)
        checked[col.name] = _Checked(values, array, bad, None)
    return checked


def _rules_out_repeated_header(table: Table, checked: dict[str, _Checked]) -> bool:
    """True when a date, number or choice column is valid on every row.

    A row that repeats the header holds each column's name in that column; none
    of these columns accepts its own name as a value, so one clean column rules
    a repeat out without comparing every row with the header.
    """
    return any(
        col.kind != "text" and col.name not in col.choices and not checked[col.name].bad
        for col in table.columns
    )


def _repeated_headers(raw: RawTable, problems: list[Problem]) -> np.ndarray:
    first = raw.data.column("c0")
    if not pc.any(pc.match_substring(first, raw.header[0])).as_py():
        return np.ones(raw.data.num_rows, dtype=bool)
    same = None
    for i, name in enumerate(raw.header):
        column = raw.data.column(f"c{i}")
        if not pa.types.is_string(column.type):  # parsed by the reader: cannot hold a name
            column = pc.cast(column, pa.string())
        eq = pc.equal(pc.utf8_trim_whitespace(column), name)
        same = eq if same is None else pc.and_(same, eq)
    repeated = np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    for row in np.flatnonzero(repeated)[:MAX_PER_COLUMN]:
        problems.append(Problem(
            raw.filename, raw.line_of(int(row)), None, None,
            "this line repeats the header row; delete it.",
            code="repeated_header",
        ))
    return ~repeated


def _ids(raw, data, frame, line, problems, places) -> tuple[pa.Array, bool]:
    """Each row's id: the stored one, or for a row without one, an id made from its content
    (``places``: the choice columns' places among their choices, which save hashing them).

    A derived id (``L`` and 16 hex digits) depends only on what the entry says, not on
    its line, so a row inserted above it by hand or in a spreadsheet does not make an
    id point at a different entry; an entry edited outside trustlab gets a new id, so
    a correction or deletion chosen before the edit is refused instead of misapplied.
    """
    if ID not in raw.header:
        return content_ids(frame, places), len(frame) > 0
    ids = data.column(f"c{raw.header.index(ID)}").combine_chunks()
    empty = _mask(pc.equal(ids, ""))
    derived = bool(empty.any())
    if derived:
        made = content_ids(frame.iloc[np.flatnonzero(empty)])
        ids = pc.replace_with_mask(ids, pa.array(empty), made.cast(ids.type))
    if not _may_repeat(ids) or _distinct(ids) == len(ids):
        return ids, derived
    series = pd.Series(ids.to_numpy(zero_copy_only=False))
    repeated = series.duplicated(keep="first")
    if repeated.any():
        first = series.drop_duplicates(keep="first")
        first_line = {v: line(int(i)) for i, v in first.items()}
        for i in np.flatnonzero(repeated.to_numpy())[:MAX_PER_COLUMN]:
            value = series.iloc[i]
            problems.append(Problem(
                raw.filename, line(int(i)), ID, value,
                f"the id {value!r} appears again (first on line {first_line[value]}); every "
                "entry needs its own id. If you copied a row, clear its id and trustlab will "
                "give it a new one.",
                code="duplicate_id",
            ))
    return ids, derived


def _may_repeat(ids: pa.Array) -> bool:
    """False when the ids are surely all different; True when they need a closer look.

    Ids trustlab writes are 16 characters, so each is two 64-bit words: hashing
    the pair as integers is many times faster than hashing strings.
    """
    n = len(ids)
    if n < 2:
        return False
    lengths = pc.binary_length(ids)
    if pc.min(lengths).as_py() != 16 or pc.max(lengths).as_py() != 16 or ids.offset:
        return True
    offsets, data = ids.buffers()[1], ids.buffers()[2]
    start = np.frombuffer(offsets, dtype=np.int32, count=1)[0]
    words = np.frombuffer(data, dtype="<u8", count=2 * n, offset=int(start)).reshape(n, 2)
    keys = words[:, 0] * np.uint64(0x9E3779B97F4A7C15)  # one array, changed in place
    keys ^= words[:, 1]
    keys.sort()
    return bool((keys[1:] == keys[:-1]).any())


def _distinct(values: pa.Array | pa.ChunkedArray) -> int:
    """How many different values there are, empty values not counted (as
    ``pc.count_distinct``, which takes about twice as long)."""
    unique = pc.unique(values)
    return len(unique) - unique.null_count


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _check_text(values: pa.Array, col: Column) -> tuple[pa.Array, list[_Bad]]:
    bad: list[_Bad] = []
    if col.required:
        blank = pc.or_(pc.equal(values, ""), pc.utf8_is_space(values))
        if not pc.any(blank).as_py():
            return values, bad
        for i in np.flatnonzero(_mask(blank)):
            bad.append(_Bad(int(i), values[int(i)].as_py(),
                            f"{col.name} is required and cannot be empty.", "required"))
    return values, bad


def _check_date(values: pa.Array, col: Column) -> tuple[pa.Array, list[_Bad]]:
    if values.type == pa.date32():  # parsed by the reader, so valid
        return values, []
    try:
        return pc.cast(values, pa.date32()), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    stripped = pc.utf8_trim_whitespace(values)
    try:
        return pc.cast(stripped, pa.date32()), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    bad: list[_Bad] = []
    out = []
    for i, (raw, text) in enumerate(zip(values.to_pylist(), stripped.to_pylist(), strict=True)):
        message = _date_message(text)
        if message:
            bad.append(_Bad(i, raw, message, "required" if not text else "bad_date"))
            out.append(None)
        else:
            out.append(text)
    return pc.cast(pa.array(out, pa.string()), pa.date32()), bad


def _date_message(text: str) -> str | None:
    if not text:
        return "date is required: write it as YYYY-MM-DD, for example 2024-03-01."
    if _DATE_SHAPE.match(text):
        year, month, day = (int(p) for p in text.split("-"))
        try:
            datetime.date(year, month, day)
            return None
        except ValueError:
            pass
        if year < 1:
            return f"{text!r} is not a real date: there is no year 0."
        if not 1 <= month <= 12:
            return f"{text!r} is not a real date: there is no month {month}."
        return f"{text!r} is not a real date: that month has no day {day}."
    if _SLASH_DATE.match(text):
        return (f"{text!r} is not in the form YYYY-MM-DD. Dates like this are ambiguous "
                "(is 03/01 the 3rd of January or the 1st of March?): write, for example, "
                "2024-03-01.")
    return f"{text!r} is not a date; expected a date written YYYY-MM-DD, for example 2024-03-01."


def _check_int(values: pa.Array, col: Column) -> tuple[pa.Array, list[_Bad]]:
    try:
        numbers = pc.cast(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    else:
        if not _any_outside(numbers, col):
            return numbers, []
    if not pa.types.is_string(values.type):  # parsed by the reader, but out of range
        values = pc.cast(values, pa.string())
    stripped = pc.utf8_trim_whitespace(values)
    empty = pc.equal(stripped, "")
    nullable = pc.if_else(empty, pa.scalar(None, pa.string()), stripped)
    bad: list[_Bad] = []
    try:
        numbers = pc.cast(nullable, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = []
        for i, text in enumerate(nullable.to_pylist()):
            if text is not None and not _WHOLE.match(text):
                if _DECIMAL.match(text):
                    msg = f"{text!r} is not a whole number; expected {col.expected()}."
                else:
                    msg = f"{text!r} is not a number; expected {col.expected()}."
                bad.append(_Bad(i, values[i].as_py(), msg, "not_whole"))
                out.append(None)
            else:
                out.append(None if text is None else int(text))
        numbers = pa.array(out, pa.int64())
    flagged = {b.row for b in bad}
    if not col.optional:
        for i in np.flatnonzero(_mask(empty)):
            bad.append(_Bad(int(i), values[int(i)].as_py(),
                            f"{col.name} is required: expected {col.expected()}.", "required"))
    for i in np.flatnonzero(_mask(_outside(numbers, col))):
        if int(i) not in flagged:
            number = numbers[int(i)].as_py()
            if number == 0 and col.nonzero:
                msg = (f"{col.name} cannot be 0: a moment either puts marbles in (1 to "
                       f"{col.maximum}) or takes them out (-1 to {col.minimum}).")
            else:
                msg = f"{number} is out of range; expected {col.expected()}."
            bad.append(_Bad(int(i), values[int(i)].as_py(), msg, "out_of_range"))
    return numbers, bad


def _any_outside(numbers: pa.Array, col: Column) -> bool:
    """Whether any number is out of ``col``'s range (or 0 where it may not be): one pass
    for the smallest and largest, and one for zeros only where they are refused."""
    low, high = (value.as_py() for value in pc.min_max(numbers).values())
    if low is not None and (
        (col.minimum is not None and low < col.minimum)
        or (col.maximum is not None and high > col.maximum)
    ):
        return True
    return bool(col.nonzero and pc.any(pc.equal(numbers, 0)).as_py())


def _outside(numbers: pa.Array, col: Column) -> pa.Array:
    outside = pc.or_(pc.less(numbers, col.minimum), pc.greater(numbers, col.maximum))
    if col.nonzero:
        outside = pc.or_(outside, pc.equal(numbers, 0))
    return pc.fill_null(outside, False)


def _allowed(col: Column) -> pa.Array:
    """The texts a choice column accepts: its choices, and "" if it may be left empty."""
    return pa.array([*col.choices, ""] if col.optional else list(col.choices), pa.string())


def _check_choice(values: pa.Array, col: Column) -> tuple[pa.Array, list[_Bad]]:
    allowed = _allowed(col)
    if pc.all(pc.is_in(values, value_set=allowed)).as_py() in (True, None):
        return values, []
    stripped = pc.utf8_trim_whitespace(values)
    ok = _mask(pc.is_in(stripped, value_set=allowed))
    bad: list[_Bad] = []
    for i in np.flatnonzero(~ok):
        text = stripped[int(i)].as_py()
        if not text:
            msg = f"{col.name} is required: expected {col.expected()}."
            code = "required"
        else:
            guess = _suggest(text, col.choices)
            hint = f" Did you mean {guess!r}?" if guess else ""
            msg = f"{text!r} is not allowed here.{hint} Expected {col.expected()}."
            code = "not_allowed"
        bad.append(_Bad(int(i), values[int(i)].as_py(), msg, code))
    return stripped, bad


_HALVES_FROM = 100_000
"""Values from which a lookup is worth sharing out between two cores."""


def in_halves(
    values: pa.Array | pa.ChunkedArray, lookup: Callable[..., pa.ChunkedArray], **options: Any
) -> pa.Array | pa.ChunkedArray:
    """``lookup(values, **options)`` (a pyarrow function of each value, such as
    ``pc.is_in``), a long column in two halves side by side (pyarrow lets go of the
    GIL): the same result, as chunks."""
    n = len(values)
    if n < _HALVES_FROM or (os.cpu_count() or 1) < 2:
        return lookup(values, **options)
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values])
    with ThreadPoolExecutor(2, thread_name_prefix="trustlab-lookup") as pool:
        halves = list(pool.map(lambda half: lookup(half, **options),
                               [values.slice(0, n // 2), values.slice(n // 2)]))
    return pa.chunked_array([c for half in halves for c in half.chunks], halves[0].type)


def _suggest(text: str, choices: tuple[str, ...]) -> str | None:
    simple = re.sub(r"[\s-]+", "_", text.strip().lower())
    if simple in choices:
        return simple
    close = difflib.get_close_matches(simple, choices, n=1, cutoff=0.6)
    return close[0] if close else None


_CHECKS = {"text": _check_text, "date": _check_date, "int": _check_int, "choice": _check_choice}


def _repeats(values: pa.Array, col: Column, line) -> list[_Bad]:
    trimmed = pc.utf8_trim_whitespace(values)
    if _distinct(trimmed) == len(trimmed):  # every value differs
        return []
    series = pd.Series(trimmed.to_numpy(zero_copy_only=False))
    nonblank = series != ""
    repeated = series.duplicated(keep="first") & nonblank
    bad = []
    if repeated.any():
        first = {v: i for i, v in series[nonblank].drop_duplicates().items()}
        for i in np.flatnonzero(repeated.to_numpy()):
            value = series.iloc[i]
            bad.append(_Bad(int(i), values[int(i)].as_py(),
                            f"{value!r} appears again; it is already on line "
                            f"{line(first[value])}. Each {col.name} is listed once.",
                            "duplicate"))
    return bad


def _report(bad: list[_Bad], filename: str, col: Column, line, problems: list[Problem]) -> None:
    bad.sort(key=lambda b: b.row)
    for b in bad[:MAX_PER_COLUMN]:
        problems.append(Problem(filename, line(b.row), col.name, b.value, b.message, code=b.code))
    if len(bad) > MAX_PER_COLUMN:
        rest = len(bad) - MAX_PER_COLUMN
        problems.append(Problem(
            filename, line(bad[MAX_PER_COLUMN].row), col.name, None,
            f"… and {rest:,} more problems in column {col.name} (not listed one by one).",
            code="more",
        ))
