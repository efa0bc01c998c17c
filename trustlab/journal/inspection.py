"""Reading and checking a journal's files without changing anything.

What :func:`inspect_journal` finds (:class:`Inspection`), each file as loaded
and checked, and the copy of a table the :class:`Journal` keeps between reads.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import storage
from ..csvread import Lines
from ..derived_ids import Places, content_ids
from ..errors import Problem
from ..schema import ID, TABLES, Table
from ..storage import RawTable
from ..validate import _mask, in_halves, parsed_types, validate_rows

_Signature = tuple[int, int, int]


@dataclass
class _Cached:
    """A table as last read, and what an append to its file needs to know."""

    frame: pd.DataFrame
    signature: _Signature | None
    header: list[str]
    newline: str = "\n"
    ready: bool = True
    """False when the file needs one rewrite before appending: no id column, rows
    without ids, or an incomplete last entry to set aside."""
    ends_with_break: bool = True
    """False for a complete last row saved without a final line break (as spreadsheets
    save): the next append starts with the missing line break."""
    pending: list[dict[str, Any]] = field(default_factory=list)
    """Entries this Journal appended since ``frame`` was read (typed, not yet in ``frame``)."""

    def current(self) -> pd.DataFrame:
        """``frame`` with the pending entries added (folded in once, on demand)."""
        if self.pending:
            added = pd.DataFrame(self.pending).astype(self.frame.dtypes.to_dict())
            self.frame = pd.concat([self.frame, added], ignore_index=True)
            self.pending.clear()
        return self.frame

    @classmethod
    def of(cls, loaded: _Loaded, table: Table) -> _Cached:
        header = loaded.header or [ID, *table.column_names]
        ready = loaded.torn is None and ID in header and not loaded.derived_ids
        return cls(
            loaded.frame,
            loaded.signature,
            header,
            loaded.newline,
            bool(ready),
            loaded.ends_with_break,
        )


@dataclass
class Inspection:
    """What :func:`inspect_journal` found: entries per table and every problem."""

    path: Path
    problems: list[Problem]
    loaded: dict[str, _Loaded]
    """The tables that could be read (a file whose header is wrong has none)."""

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(loaded.frame) for name, loaded in self.loaded.items()}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def blocking(self) -> list[Problem]:
        return _blocking(self.problems)


def _blocking(problems: list[Problem]) -> list[Problem]:
    """Errors that stop the journal from opening (a torn last entry does not)."""
    return [p for p in problems if p.level == "error" and p.code != "torn_line"]


def _signature(path: Path) -> _Signature | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _empty_frame(table: Table) -> pd.DataFrame:
    header = [ID, *table.column_names]
    raw = RawTable(
        table.filename,
        header,
        pa.table({f"c{i}": pa.array([], pa.string()) for i in range(len(header))}),
    )
    return validate_rows(raw, table).frame


_READERS = min(4, os.cpu_count() or 1)
"""Files read at once when a journal opens."""


@dataclass
class _Loaded:
    frame: pd.DataFrame | None
    problems: list[Problem]
    signature: _Signature | None
    lines: np.ndarray | Lines
    header: list[str] = field(default_factory=list)
    newline: str = "\n"
    torn: Problem | None = None
    ends_with_break: bool = True
    derived_ids: bool = False
    places: Places | None = None
    """Set when the frame still needs its ids (see :func:`validate_rows`' ``later_ids``)."""


def _load(path: Path, table: Table, *, later_ids: bool = False) -> _Loaded:
    file = path / table.filename
    signature = _signature(file)
    if signature is None:
        return _Loaded(_empty_frame(table), [], None, np.zeros(0, dtype=np.int64))
    try:
        raw = storage.read_table_file(file, parsed_types(table))
    except OSError as error:
        return _Loaded(
            None, [_unreadable(table, path, error)], signature, np.zeros(0, dtype=np.int64)
        )
    problems = list(raw.problems)
    frame, lines, derived, places = None, np.zeros(0, dtype=np.int64), False, None
    if raw.header:
        checked = validate_rows(raw, table, later_ids=later_ids)
        frame, lines, derived = checked.frame, checked.lines, checked.derived_ids
        places = checked.places
        problems += checked.problems
    if raw.torn:
        problems.append(raw.torn)
    problems.sort(key=lambda p: p.line)
    return _Loaded(
        frame,
        problems,
        signature,
        lines,
        raw.header,
        raw.newline,
        raw.torn,
        raw.ends_with_break,
        derived,
        places,
    )


def _unreadable(table: Table, folder: Path, error: OSError) -> Problem:
    if isinstance(error, PermissionError):
        why = (
            "you do not have permission to read it. Make it readable for you (or open a "
            "journal in a folder you own)."
        )
    else:
        why = f"{error.strerror or error}."
    return Problem(
        table.filename,
        0,
        None,
        None,
        f"trustlab cannot read {folder / table.filename}: {why}",
        code="unreadable",
    )


def inspect_journal(path: str | os.PathLike) -> Inspection:
    """Read and check every file of the journal at ``path`` without changing anything."""
    path = Path(path).expanduser()
    problems: list[Problem] = []
    usable: dict[str, _Loaded] = {}
    # The files are read side by side: pyarrow's reader and numpy's checks let go of the
    # GIL, so on a journal with several large tables the cores share the work.
    # The largest files start first, so no core waits for one at the end.
    with ThreadPoolExecutor(max_workers=_READERS, thread_name_prefix="trustlab-read") as pool:
        started = {name: pool.submit(_load, path, table, later_ids=True)
                   for name, table in sorted(TABLES.items(), key=lambda t: -_size(path, t[1]))}
        every = [started[name].result() for name in TABLES]
    for name, loaded in zip(TABLES, every, strict=True):
        problems += loaded.problems
        if loaded.frame is not None:
            usable[name] = loaded
    warnings, found = _reference_warnings(usable)
    problems += warnings
    # A file without ids gets them now: a name found in the table it refers to is
    # hashed by looking up that name's hash (the lookup above found its place).
    for name, loaded in usable.items():
        if loaded.places is not None:
            places = {**loaded.places, **found.get(name, {})}
            loaded.frame.insert(0, ID, content_ids(loaded.frame, places).to_pandas())
            loaded.places = None
    return Inspection(path, problems, usable)


def _size(path: Path, table: Table) -> int:
    try:
        return (path / table.filename).stat().st_size
    except OSError:
        return 0


_SPLIT_NAMES = 10_000
"""At most this many names listed in a table are looked up in halves, side by side."""


def _whole(values: pa.ChunkedArray, lookup: Callable[..., pa.ChunkedArray], **options: Any):
    """``lookup(values, **options)`` in one go (see :func:`in_halves`)."""
    return lookup(values, **options)


def _reference_warnings(loaded: dict[str, _Loaded]) -> tuple[list[Problem], dict[str, Places]]:
    """A warning for each name not listed where it refers to (people.csv or
    qualities.csv); and, by table and column, each value's place among the names
    listed, for the columns whose every value was found (as :data:`Places`)."""
    frames = {name: table.frame for name, table in loaded.items()}
    lines = {name: table.lines for name, table in loaded.items()}
    found: list[Problem] = []
    places: dict[str, dict[str, tuple[pa.ChunkedArray, pa.Array]]] = {}
    for target, key in (("people", "person"), ("qualities", "quality")):
        if target not in frames:
            continue
        referring, values, known, everywhere = _lookup(frames, target, key)
        # One lookup for every column that names people (or qualities). Its values are
        # shared out in two halves when the names are few; many names are not (each half
        # would build its own large table of them: slower, measured). Each value's place
        # among the names is kept when a file without ids can hash by it.
        split = in_halves if len(known) <= _SPLIT_NAMES else _whole
        if any(loaded[name].places is not None for name, _ in referring):
            at = split(everywhere, pc.index_in, value_set=known)
            unknown = _mask(at.is_null())
        else:
            at = None
            unknown = _mask(pc.invert(split(everywhere, pc.is_in, value_set=known)))
        choices: list[str] | None = None  # the names sorted, for hints: made once, if needed
        start = 0
        for (name, col), column in zip(referring, values, strict=True):
            rows = np.flatnonzero(unknown[start : start + len(column)])
            if not len(rows) and at is not None and loaded[name].places is not None:
                places.setdefault(name, {})[col.name] = (at.slice(start, len(column)), known)
            start += len(column)
            if not len(rows):
                continue
            named = frames[name][col.name].iloc[rows].str.strip()
            missing = named[(named != "") & ~_mask(pc.is_in(pa.array(named), value_set=known))]
            if missing.empty:
                continue
            if choices is None:
                choices = sorted(set(known.to_pylist()))
            counts = missing.value_counts(sort=False)
            firsts = missing.drop_duplicates()
            table = TABLES[name]
            for row, value in firsts.items():
                line = int(lines[name][frames[name].index.get_loc(row)])
                close = difflib.get_close_matches(value, choices, n=1, cutoff=0.75)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                n = int(counts[value])
                where = "here" if n == 1 else f"on {n:,} lines, first here"
                found.append(
                    Problem(
                        table.filename,
                        line,
                        col.name,
                        value,
                        f"{value!r} is not in {target}.csv (named {where}).{hint} "
                        f"Add them to {target}.csv when you are ready.",
                        level="warning",
                        code="unknown_reference",
                    )
                )
    return found, places


def _lookup(
    frames: dict[str, pd.DataFrame], target: str, key: str
) -> tuple[list[tuple[str, Any]], list[pa.ChunkedArray], pa.Array, pa.ChunkedArray]:
    """The columns that refer to ``target``, their values, the names listed there
    (stripped), and every referring value in one array."""
    referring = [
        (name, col)
        for name, table in TABLES.items()
        if name in frames
        for col in table.columns
        if col.refers_to == target
    ]
    # Compare as arrow strings, every column that refers to the table at once (one
    # lookup table of the names as listed, stripped, not one per column): a million
    # names in a second's fraction. Only the few not found exactly are looked at.
    known = pc.utf8_trim_whitespace(_chunked(frames[target][key])).combine_chunks()
    values = [_chunked(frames[name][col.name]) for name, col in referring]
    everywhere = pa.chunked_array([c for v in values for c in v.chunks], known.type)
    return referring, values, known, everywhere


def _chunked(column: pd.Series) -> pa.ChunkedArray:
    """A text column as arrow strings, without copying them."""
    values = pa.array(column)
    values = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return values.cast(pa.large_string())
