"""The Journal: a folder of CSV files, validated, typed, and safely written."""

from __future__ import annotations

import datetime
import difflib
import math
import os
import secrets
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import storage
from .errors import JournalBusy, JournalError, JournalWarning, Problem, failed_write
from .schema import ID, TABLES, Table, get_table, make_id
from .storage import RawTable
from .validate import parsed_types, validate_entry, validate_rows

_Signature = tuple[int, int, int]

DEFAULT_JOURNAL = Path("~/trustlab-journal")
"""Where a person's own journal lives unless TRUSTLAB_JOURNAL or a path says otherwise."""


def journal_path(path: str | os.PathLike | None = None) -> Path:
    """The journal folder: ``path``, else ``$TRUSTLAB_JOURNAL``, else ``~/trustlab-journal``."""
    chosen = path or os.environ.get("TRUSTLAB_JOURNAL") or DEFAULT_JOURNAL
    return Path(chosen).expanduser()


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
        return cls(loaded.frame, loaded.signature, header, loaded.newline, bool(ready),
                   loaded.ends_with_break)


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
    raw = RawTable(table.filename, header, pa.table({f"c{i}": pa.array([], pa.string())
                                                    for i in range(len(header))}))
    return validate_rows(raw, table).frame


@dataclass
class _Loaded:
    frame: pd.DataFrame | None
    problems: list[Problem]
    signature: _Signature | None
    lines: np.ndarray
    header: list[str] = field(default_factory=list)
    newline: str = "\n"
    torn: Problem | None = None
    ends_with_break: bool = True
    derived_ids: bool = False


def _load(path: Path, table: Table) -> _Loaded:
    file = path / table.filename
    signature = _signature(file)
    if signature is None:
        return _Loaded(_empty_frame(table), [], None, np.zeros(0, dtype=np.int64))
    try:
        raw = storage.read_table_file(file, parsed_types(table))
    except OSError as error:
        return _Loaded(None, [_unreadable(table, path, error)], signature,
                       np.zeros(0, dtype=np.int64))
    problems = list(raw.problems)
    frame, lines, derived = None, np.zeros(0, dtype=np.int64), False
    if raw.header:
        checked = validate_rows(raw, table)
        frame, lines, derived = checked.frame, checked.lines, checked.derived_ids
        problems += checked.problems
    if raw.torn:
        problems.append(raw.torn)
    problems.sort(key=lambda p: p.line)
    return _Loaded(frame, problems, signature, lines, raw.header, raw.newline, raw.torn,
                   raw.ends_with_break, derived)


def _unreadable(table: Table, folder: Path, error: OSError) -> Problem:
    if isinstance(error, PermissionError):
        why = ("you do not have permission to read it. Make it readable for you (or open a "
               "journal in a folder you own).")
    else:
        why = f"{error.strerror or error}."
    return Problem(table.filename, 0, None, None,
                   f"trustlab cannot read {folder / table.filename}: {why}", code="unreadable")


def inspect_journal(path: str | os.PathLike) -> Inspection:
    """Read and check every file of the journal at ``path`` without changing anything."""
    path = Path(path).expanduser()
    problems: list[Problem] = []
    usable: dict[str, _Loaded] = {}
    for name, table in TABLES.items():
        loaded = _load(path, table)
        problems += loaded.problems
        if loaded.frame is not None:
            usable[name] = loaded
    problems += _reference_warnings(usable)
    return Inspection(path, problems, usable)


def _reference_warnings(loaded: dict[str, _Loaded]) -> list[Problem]:
    frames = {name: table.frame for name, table in loaded.items()}
    lines = {name: table.lines for name, table in loaded.items()}
    found: list[Problem] = []
    for target, key in (("people", "person"), ("qualities", "quality")):
        if target not in frames:
            continue
        known = set(frames[target][key].str.strip())
        listed = pa.array(sorted(known), pa.string())
        for name, table in TABLES.items():
            if name not in frames:
                continue
            for col in table.columns:
                if col.refers_to != target:
                    continue
                # Compare as arrow strings first: a million names in a second's
                # fraction; only the few not found exactly are stripped and looked at.
                values = pa.array(frames[name][col.name])
                unknown = pc.invert(pc.is_in(values, value_set=listed))
                if not pc.any(unknown).as_py():
                    continue
                rows = np.flatnonzero(np.asarray(unknown.to_numpy(zero_copy_only=False)))
                named = frames[name][col.name].iloc[rows].str.strip()
                missing = named[(named != "") & ~named.isin(known)]
                if missing.empty:
                    continue
                counts = missing.value_counts(sort=False)
                firsts = missing.drop_duplicates()
                for row, value in firsts.items():
                    line = int(lines[name][frames[name].index.get_loc(row)])
                    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
                    hint = f" Did you mean {close[0]!r}?" if close else ""
                    n = int(counts[value])
                    where = "here" if n == 1 else f"on {n:,} lines, first here"
                    found.append(Problem(
                        table.filename, line, col.name, value,
                        f"{value!r} is not in {target}.csv (named {where}).{hint} "
                        f"Add them to {target}.csv when you are ready.",
                        level="warning", code="unknown_reference",
                    ))
    return found


def open_journal(path: str | os.PathLike | None = None) -> Journal:
    """Open the journal in folder ``path``, creating the folder if it does not exist.

    Every file is validated; if any has problems, :class:`JournalError` lists
    them all (file, line, column, value, message) and nothing is changed.

    Parameters
    ----------
    path
        The journal's folder. A new folder is made private to the current user.
        Without a path: the folder in ``$TRUSTLAB_JOURNAL`` (what the notebooks
        use), else ``~/trustlab-journal``.

    Returns
    -------
    Journal
    """
    path = journal_path(path)
    if path.exists() and not path.is_dir():
        raise JournalError([Problem(str(path), 0, None, None,
                                    "is a file, not a folder: a journal is a folder of CSV files.",
                                    code="not_a_folder")])
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        failed = failed_write(str(path), path.parent, error, "created")
        raise JournalError(failed.problems, heading="The journal folder could not be made:"
                           ) from None
    found = inspect_journal(path)
    if found.blocking:
        raise JournalError(found.problems)
    return Journal(path, found)


class Journal:
    """A journal folder: typed tables to read, and safe ways to add, correct and delete.

    Open one with :func:`open_journal`. ``problems`` lists what is worth a look but
    does not stop the journal working (warnings, and an incomplete last entry
    left by an interrupted save).
    """

    def __init__(self, path: Path, found: Inspection):
        self.path = path
        self.problems: list[Problem] = list(found.problems)
        self._cache = {name: _Cached.of(loaded, TABLES[name])
                       for name, loaded in found.loaded.items()}

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {name}" for name, n in self.counts().items())
        return f"<Journal {self.path}: {counts}>"

    # --- reading -----------------------------------------------------------

    def table(self, name: str) -> pd.DataFrame:
        """The entries of table ``name`` as a typed DataFrame, one row per entry.

        Dates are ``datetime64``, numbers are integers (nullable ``Int64`` where a
        number may be empty), text is exactly as stored (empty text is ``""``).
        The first column is ``id``. Files changed by someone else since they were
        read are read again.
        """
        table = get_table(name)
        cached = self._fresh(table)
        return cached.current().copy(deep=False)

    def counts(self) -> dict[str, int]:
        """How many entries each table has."""
        return {name: len(self.table(name)) for name in TABLES}

    def _fresh(self, table: Table) -> _Cached:
        file = self.path / table.filename
        cached = self._cache.get(table.name)
        if cached is None or cached.signature != _signature(file) or cached.signature is None:
            loaded = _load(self.path, table)
            if _blocking(loaded.problems) or loaded.frame is None:
                raise JournalError(loaded.problems)
            cached = _Cached.of(loaded, table)
            self._cache[table.name] = cached
        return cached

    # --- writing -----------------------------------------------------------

    def add(self, name: str, **fields: Any) -> dict[str, Any]:
        """Validate one entry and append it to table ``name``; return it with its ``id``.

        Fields left out are empty. If a field is wrong, :class:`JournalError` names
        the field, the value and what is allowed, and nothing is written. An ``add``
        that returns has stored the entry (flushed to disk); one that raises has
        stored nothing, so saving again never stores it twice.

        Example: ``journal.add("marbles", date="2024-03-01", person="Sam", marbles=2)``
        """
        return self.add_many(name, [fields])[0]

    def add_many(self, name: str, entries: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Add several entries to table ``name`` at once: all of them, or none.

        Every entry is checked first; if any is wrong, :class:`JournalError` lists
        the problems and nothing is written. Otherwise all are appended in one write.
        """
        table = get_table(name)
        checked = []
        for fields in entries:
            texts, problems = _entry_texts(table, fields, complete=True)
            checked.append((texts, _validated_entry(table, texts, problems)))
        if not checked:
            return []
        file = self.path / table.filename
        with self._writing(table, "saved"), storage.locked(file, self.path):
            cached = self._fresh(table)
            batch: list[dict[str, str]] = []
            for texts, entry in checked:
                self._check_unique(table, texts, batch=batch)
                texts[ID] = entry[ID] = _new_id()
                batch.append(texts)
            target = storage.real_file(file)
            if cached.signature is None:
                header = [ID, *table.column_names]
                rows = [header, *(_row(header, t) for t in batch)]
                storage.atomic_write(target, storage.format_rows(rows), keep_backup=False)
                self._cache.pop(table.name, None)
            else:
                if not cached.ready:
                    self._rewrite_locked(table, file, None, None)
                    cached = self._fresh(table)
                data = storage.format_rows([_row(cached.header, t) for t in batch],
                                           cached.newline)
                if not cached.ends_with_break:
                    data = cached.newline.encode() + data
                storage.append_bytes(target, data)
                self._note_append(table, cached, _signature(file),
                                  [entry for _, entry in checked])
        return [_as_dict(entry) for _, entry in checked]

    def correct(self, name: str, id: str, **fields: Any) -> dict[str, Any]:
        """Change some fields of entry ``id`` in table ``name``; return the corrected entry.

        The file is rewritten atomically and the previous version is kept in
        ``.trustlab/backups/``. Nothing is written if the new values are wrong, or if
        the entry is no longer in the file as it was read (edited outside trustlab).
        """
        table = get_table(name)
        changes, problems = _entry_texts(table, fields, complete=False)
        if problems:
            raise JournalError(problems, heading="Nothing was changed:")
        return self._rewrite(table, id, changes)

    def delete(self, name: str, id: str) -> dict[str, Any]:
        """Remove entry ``id`` from table ``name``; return the entry that was removed.

        The file is rewritten atomically and the previous version is kept in
        ``.trustlab/backups/``.
        """
        return self._rewrite(get_table(name), id, None)

    @contextmanager
    def _writing(self, table: Table, done: str) -> Iterator[None]:
        """Turn a failure to write (full disk, read-only folder, busy lock) into a
        :class:`JournalError` that says what happened and what to do."""
        try:
            yield
        except (JournalBusy, OSError) as error:
            self._cache.pop(table.name, None)
            raise failed_write(table.filename, self.path, error, done) from None

    def _check_unique(self, table: Table, texts: dict[str, str], skip_id: str | None = None,
                      batch: Sequence[dict[str, str]] = ()):
        problems = []
        for col in table.columns:
            if not col.unique:
                continue
            frame = self._fresh(table).current()
            others = frame if skip_id is None else frame[frame[ID] != skip_id]
            value = texts[col.name].strip()
            earlier = any(t[col.name].strip() == value for t in batch)
            if earlier or (others[col.name].str.strip() == value).any():
                problems.append(Problem(
                    table.filename, 0, col.name, texts[col.name],
                    f"{value!r} is already in {table.filename}; each {col.name} is listed "
                    "once. Correct the existing entry instead.",
                    code="duplicate",
                ))
        if problems:
            raise JournalError(problems, heading="This entry was not saved:")

    def _rewrite(self, table: Table, ident: str, changes: dict[str, str] | None) -> dict:
        file = self.path / table.filename
        done = "changed" if changes is not None else "deleted"
        with self._writing(table, done), storage.locked(file, self.path):
            if _signature(file) is None:
                raise _no_entry(table, ident)
            result = self._rewrite_locked(table, file, ident, changes)
        self._cache.pop(table.name, None)
        return result

    def _rewrite_locked(self, table, file, ident, changes):
        """Rewrite ``file`` with entry ``ident`` changed or removed (or only tidied:
        ids given, an incomplete last entry set aside). The caller holds the lock."""
        target = storage.real_file(file)
        data = target.read_bytes()
        raw = storage.read_table_file(target)
        raw.filename = table.filename
        checked = validate_rows(raw, table) if raw.header else None
        frame = checked.frame if checked else None
        problems = raw.problems + (checked.problems if checked else [])
        if problems or frame is None:
            raise JournalError(problems, heading=f"{table.filename} has problems to fix first "
                                                 "(nothing was changed):")
        header = list(raw.header)
        columns = [raw.data.column(i).to_pylist() for i in range(raw.data.num_columns)]
        rows = [list(r) for r in zip(*columns, strict=True)]
        result = None
        if ident is not None:
            matches = np.flatnonzero(frame[ID].to_numpy() == ident)
            if not len(matches):
                raise _no_entry(table, ident)
            index = int(matches[0])
            old = {h: rows[index][i] for i, h in enumerate(header)}
            if changes is None:
                result = _as_dict(frame.iloc[index].to_dict())
                del rows[index]
            else:
                texts = {col: old[col] for col in table.column_names} | changes
                entry = _validated_entry(table, texts)
                self._check_unique(table, texts, skip_id=ident)
                for col, value in changes.items():
                    rows[index][header.index(col)] = value
                entry[ID] = ident
                result = _as_dict(entry)
        if ID not in header:
            header.insert(0, ID)
            rows = [["", *r] for r in rows]
        position = header.index(ID)
        for r in rows:
            if not r[position]:
                r[position] = _new_id()
        if result is not None and ident.startswith("L") and changes is not None:
            result[ID] = rows[index][position]
        body = (storage.BOM if raw.bom else b"") + storage.format_rows([header, *rows],
                                                                        raw.newline)
        tmp = storage.write_temp(target, body)
        try:
            kept = None
            if raw.torn:
                offset = storage.byte_offset_of_line(data, raw.torn.line)
                kept = storage.save_fragment(storage.recovered_dir(self.path),
                                             Path(table.filename).stem, data[offset:])
            backups = storage.backups_dir(self.path)
            storage.replace_with_backup(tmp, target, backups)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._cache.pop(table.name, None)
        if kept is not None:
            warnings.warn(JournalWarning(
                f"{table.filename}:{raw.torn.line}: the incomplete last entry was moved to "
                f"{kept.relative_to(self.path)} before saving; copy back what you need."
            ), stacklevel=4)
        return result

    def _note_append(self, table, cached, after, entries) -> None:
        if self._cache.get(table.name) is not cached or cached.signature is None:
            self._cache.pop(table.name, None)
            return
        for entry in entries:
            cached.pending.append({ID: entry[ID], **{c: entry[c] for c in table.column_names}})
        cached.signature = after
        cached.ends_with_break = True

    # --- renaming ----------------------------------------------------------

    def references(self, kind: str, name: str) -> dict[str, int]:
        """How many entries of each table name ``name``, a person or a quality.

        Parameters
        ----------
        kind
            ``"people"`` or ``"qualities"``.
        name
            The name as in people.csv or qualities.csv. Names are compared the way
            the journal checks references: trimmed, and otherwise exactly.

        Returns
        -------
        dict[str, int]
            Every table with a column that refers to ``kind``, in the order of the
            tables, and how many of its entries name ``name`` (0 where none do).
        """
        _named(kind)
        value = str(name).strip()
        counts = {}
        for table, columns in _referring(kind):
            frame = self.table(table.name)
            named = pd.Series(False, index=frame.index)
            for column in columns:
                named |= frame[column].str.strip() == value
            counts[table.name] = int(named.sum())
        return counts

    def rename(self, kind: str, old: str, new: str) -> dict[str, int]:
        """Rename a person or a quality in its own file and in every entry that names it.

        Each file that changes is rewritten once, atomically, and its previous
        version is kept in ``.trustlab/backups/`` (so *Undo* can put it back). Every
        new file is written before any is swapped in, under the locks of all of
        them, so a failure (a full disk, a busy journal) changes nothing.

        Parameters
        ----------
        kind
            ``"people"`` (people.csv, ``person``) or ``"qualities"`` (qualities.csv,
            ``quality``).
        old
            The name now, as in that file (trimmed).
        new
            The new name, trimmed before it is stored. It must not be empty and
            must not be taken already: names are compared trimmed and ignoring
            case, so ``"sam "`` and ``"SAM"`` are taken when ``"Sam"`` is there.
            Changing only the case of ``old`` is allowed.

        Returns
        -------
        dict[str, int]
            How many entries changed in each table: the table of names first, then
            each table that refers to it (as in :meth:`references`).

        Raises
        ------
        JournalError
            If ``old`` is not in the file, ``new`` is empty or taken, a file has
            problems to fix first, or the files could not be written. Nothing was
            changed.
        """
        own, key = _named(kind)
        old_name = str(old).strip()
        text, message = _to_text(own.column(key), new)
        new_name = text.strip()
        if message or not new_name or new_name == old_name:
            why = (f"the new name {message}" if message
                   else f"{old_name!r} is already called that: type the new name."
                   if new_name else "the new name is empty: type the name to use.")
            raise JournalError([Problem(own.filename, 0, key, _show(new), why, code="bad_name")],
                               heading="Nothing was renamed:")
        plan = [(own, (key,)), *_referring(kind)]
        prepared: list[_Renamed] = []
        try:
            with self._writing(own, "renamed"), ExitStack() as locks:
                for table, _ in sorted(plan, key=lambda p: p[0].name):
                    locks.enter_context(storage.locked(self.path / table.filename, self.path))
                locks.callback(_discard_temps, prepared)  # before the locks are released
                for table, columns in plan:
                    step = self._renamed_file(table, columns, old_name, new_name,
                                              is_own=table is own)
                    prepared.append(step)
                    if table is own:
                        self._check_rename(own, key, step, old_name, new_name)
                for step in prepared:
                    if step.count:
                        step.tmp = storage.write_temp(step.target, step.body)
                self._swap_in(prepared)
        finally:
            for table, _ in plan:
                self._cache.pop(table.name, None)
        for step in prepared:
            if step.kept is not None:
                warnings.warn(JournalWarning(
                    f"{step.table.filename}:{step.torn_line}: the incomplete last entry was "
                    f"moved to {step.kept.relative_to(self.path)} before saving; copy back "
                    "what you need."
                ), stacklevel=2)
        return {step.table.name: step.count for step in prepared}

    def _renamed_file(self, table: Table, columns: Sequence[str], old: str, new: str, *,
                      is_own: bool) -> _Renamed:
        """``table``'s file with ``old`` replaced by ``new`` in ``columns`` (not yet written).

        As in a correction, a file with problems is refused, ids are given to entries
        without one, and an incomplete last entry is set aside. The caller holds the lock.
        """
        file = self.path / table.filename
        step = _Renamed(table, storage.real_file(file))
        if _signature(file) is None:
            return step
        data = step.target.read_bytes()
        raw = storage.read_table_file(step.target)
        raw.filename = table.filename
        checked = validate_rows(raw, table) if raw.header else None
        problems = raw.problems + (checked.problems if checked else [])
        if problems or checked is None:
            raise JournalError(problems, heading=f"{table.filename} has problems to fix first "
                                                 "(nothing was renamed):")
        header = list(raw.header)
        rows = [list(r) for r in zip(*(raw.data.column(i).to_pylist()
                                       for i in range(raw.data.num_columns)), strict=True)]
        positions = [header.index(c) for c in columns]
        if is_own:
            step.others = [r[positions[0]].strip() for r in rows
                           if r[positions[0]].strip() != old]
        for r in rows:
            named = [p for p in positions if r[p].strip() == old]
            for p in named:
                r[p] = new
            step.count += bool(named)
        if not step.count:
            return step
        step.original = data
        if ID not in header:
            header.insert(0, ID)
            rows = [["", *r] for r in rows]
        position = header.index(ID)
        for r in rows:
            if not r[position]:
                r[position] = _new_id()
        step.body = (storage.BOM if raw.bom else b"") + storage.format_rows([header, *rows],
                                                                             raw.newline)
        if raw.torn:
            step.fragment = data[storage.byte_offset_of_line(data, raw.torn.line):]
            step.torn_line = raw.torn.line
        return step

    @staticmethod
    def _check_rename(own: Table, key: str, step: _Renamed, old: str, new: str) -> None:
        if not step.count:
            raise JournalError([Problem(
                own.filename, 0, key, old,
                f"there is no {old!r} in {own.filename}: choose a name that is listed there.",
                code="no_entry",
            )], heading="Nothing was renamed:")
        taken = next((o for o in step.others if o.casefold() == new.casefold()), None)
        if taken is not None:
            raise JournalError([Problem(
                own.filename, 0, key, new,
                f"{taken!r} is already in {own.filename} (names are compared ignoring case "
                f"and spaces at either end). Choose another name, or keep {old!r}.",
                code="duplicate",
            )], heading="Nothing was renamed:")

    def _swap_in(self, prepared: Sequence[_Renamed]) -> None:
        """Replace each prepared file, keeping backups; if one fails, put back the others."""
        backups = storage.backups_dir(self.path)
        done: list[_Renamed] = []
        try:
            for step in prepared:
                if step.tmp is None:
                    continue
                if step.fragment is not None:
                    step.kept = storage.save_fragment(storage.recovered_dir(self.path),
                                                      Path(step.table.filename).stem,
                                                      step.fragment)
                storage.replace_with_backup(step.tmp, step.target, backups)
                step.tmp = None
                done.append(step)
        except BaseException as error:
            stuck = []
            for step in reversed(done):
                try:
                    storage.atomic_write(step.target, step.original, keep_backup=False)
                except OSError:
                    stuck.append(step.table.filename)
            if stuck:
                reason = getattr(error, "strerror", None) or error
                raise JournalError([Problem(
                    prepared[0].table.filename, 0, None, None,
                    f"the rename stopped half way ({reason}): {', '.join(reversed(stuck))} "
                    "already had the new name and could not be put back. Their previous "
                    "versions are in .trustlab/backups/, and 'Undo a change' in "
                    "00_start_here puts them back.",
                    code="write_failed",
                )], heading="The rename was not finished:") from error
            raise


_NAMED = {"people": "person", "qualities": "quality"}
"""The tables of names other tables refer to, and their name column."""


def _named(kind: str) -> tuple[Table, str]:
    if kind not in _NAMED:
        raise ValueError(f"kind must be 'people' or 'qualities', not {kind!r}.")
    return get_table(kind), _NAMED[kind]


def _referring(kind: str) -> list[tuple[Table, tuple[str, ...]]]:
    """Each table with columns that name a person (``kind="people"``) or a quality."""
    found = []
    for table in TABLES.values():
        columns = tuple(c.name for c in table.columns if c.refers_to == kind)
        if columns:
            found.append((table, columns))
    return found


def _discard_temps(prepared: Sequence[_Renamed]) -> None:
    """Remove the new files of a rename that were not swapped in (it failed)."""
    for step in prepared:
        if step.tmp is not None:
            step.tmp.unlink(missing_ok=True)


@dataclass
class _Renamed:
    """One file of a rename: what it will hold, and how far the rename got with it."""

    table: Table
    target: Path
    count: int = 0
    body: bytes = b""
    original: bytes = b""
    others: list[str] = field(default_factory=list)
    fragment: bytes | None = None
    torn_line: int = 0
    tmp: Path | None = None
    kept: Path | None = None

def _no_entry(table: Table, ident: str) -> JournalError:
    message = f"there is no entry with id {ident!r} in {table.filename}."
    if ident.startswith("L"):
        message = (f"this entry is no longer in {table.filename} as it was when the list was "
                   "made: the file was changed outside trustlab (in a spreadsheet or an "
                   "editor). Look at the list again and choose the entry you mean.")
    return JournalError([Problem(table.filename, 0, ID, ident, message, code="no_entry")],
                        heading="Nothing was changed:")


def _new_id() -> str:
    return make_id(secrets.randbits(60))


def _row(header: list[str], texts: dict[str, str]) -> list[str]:
    return [texts.get(h, "") for h in header]


def _entry_texts(
    table: Table, fields: dict[str, Any], *, complete: bool
) -> tuple[dict[str, str], list[Problem]]:
    """The text to store for each given field, and a problem for each field that is wrong."""
    problems = []
    texts: dict[str, str] = {}
    names = table.column_names
    for key, value in fields.items():
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            message = (
                "the id is given by trustlab; it cannot be set."
                if key == ID
                else f"{table.filename} has no field {key!r}.{hint} "
                f"Its fields are: {', '.join(names)}."
            )
            problems.append(Problem(table.filename, 0, key, _show(value), message,
                                    code="unknown_field"))
            continue
        text, message = _to_text(table.column(key), value)
        if message:
            problems.append(Problem(table.filename, 0, key, _show(value), message,
                                    code="bad_type"))
        else:
            texts[key] = text
    if complete:
        texts = {name: texts.get(name, "") for name in names}
    return texts, problems


def _show(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _to_text(col, value: Any) -> tuple[str, str | None]:
    if value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value)
    ):
        return "", None
    if col.kind == "date":
        if isinstance(value, (datetime.datetime, pd.Timestamp)):
            return value.date().isoformat(), None
        if isinstance(value, datetime.date):
            return value.isoformat(), None
        if isinstance(value, np.datetime64):
            return str(value.astype("datetime64[D]")), None
    elif col.kind == "int":
        if isinstance(value, bool):
            return "", f"expected {col.expected()}, not {value!r}."
        if isinstance(value, Integral):
            return str(int(value)), None
        if isinstance(value, float):
            if value.is_integer():
                return str(int(value)), None
            return "", f"{value!r} is not a whole number; expected {col.expected()}."
    if not isinstance(value, str):
        return "", f"expected {col.expected()}, not {type(value).__name__} {value!r}."
    if "\x00" in value:
        return "", "contains a NUL character, which cannot be stored; remove it."
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "", "contains characters that cannot be saved as UTF-8 text."
    return value, None


def _validated_entry(
    table: Table, texts: dict[str, str], problems: Sequence[Problem] = ()
) -> dict[str, Any]:
    """The typed entry, or a JournalError with ``problems`` and every value problem."""
    entry, value_problems = validate_entry(table, texts)
    bad_type = {p.column for p in problems}
    found = [*problems, *(p for p in value_problems if p.column not in bad_type)]
    if found:
        raise JournalError(found, heading="This entry was not saved:")
    return {ID: "", **entry}


def _as_dict(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as plain Python values: dates as ``datetime.date``, empty numbers as None."""
    out = {}
    for key, value in entry.items():
        if isinstance(value, pd.Timestamp):
            value = value.date()
        elif value is pd.NA:
            value = None
        elif isinstance(value, np.integer):
            value = int(value)
        out[key] = value
    return out
