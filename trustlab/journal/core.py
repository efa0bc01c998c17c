"""Where a journal lives, :func:`open_journal`, and the :class:`Journal`: typed tables
to read, and adding, correcting and deleting entries safely.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import storage
from ..errors import JournalBusy, JournalError, JournalWarning, Problem, failed_write
from ..schema import ID, TABLES, Table, get_table
from ..validate import validate_rows
from .entries import (
    _as_dict,
    _entry_texts,
    _ids_given,
    _new_id,
    _no_entry,
    _row,
    _validated_entry,
)
from .inspection import Inspection, _blocking, _Cached, _load, _signature, inspect_journal
from .renaming import _Renaming

DEFAULT_JOURNAL = Path("~/trustlab-journal")
"""Where a person's own journal lives unless TRUSTLAB_JOURNAL or a path says otherwise."""


def journal_path(path: str | os.PathLike | None = None) -> Path:
    """The journal folder: ``path``, else ``$TRUSTLAB_JOURNAL``, else ``~/trustlab-journal``."""
    chosen = path or os.environ.get("TRUSTLAB_JOURNAL") or DEFAULT_JOURNAL
    return Path(chosen).expanduser()


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
        raise JournalError(
            [
                Problem(
                    str(path),
                    0,
                    None,
                    None,
                    "is a file, not a folder: a journal is a folder of CSV files.",
                    code="not_a_folder",
                )
            ]
        )
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        failed = failed_write(str(path), path.parent, error, "created")
        raise JournalError(
            failed.problems, heading="The journal folder could not be made:"
        ) from None
    found = inspect_journal(path)
    if found.blocking:
        raise JournalError(found.problems)
    return Journal(path, found)


class Journal(_Renaming):
    """A journal folder: typed tables to read, and safe ways to add, correct and delete.

    Open one with :func:`open_journal`. ``problems`` lists what is worth a look but
    does not stop the journal working (warnings, and an incomplete last entry
    left by an interrupted save).
    """

    def __init__(self, path: Path, found: Inspection):
        self.path = path
        self.problems: list[Problem] = list(found.problems)
        self._cache = {
            name: _Cached.of(loaded, TABLES[name]) for name, loaded in found.loaded.items()
        }

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
                data = storage.format_rows([_row(cached.header, t) for t in batch], cached.newline)
                if not cached.ends_with_break:
                    data = cached.newline.encode() + data
                storage.append_bytes(target, data)
                self._note_append(table, cached, _signature(file), [entry for _, entry in checked])
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

    def _check_unique(
        self,
        table: Table,
        texts: dict[str, str],
        skip_id: str | None = None,
        batch: Sequence[dict[str, str]] = (),
    ):
        problems = []
        for col in table.columns:
            if not col.unique:
                continue
            frame = self._fresh(table).current()
            others = frame if skip_id is None else frame[frame[ID] != skip_id]
            value = texts[col.name].strip()
            earlier = any(t[col.name].strip() == value for t in batch)
            if earlier or (others[col.name].str.strip() == value).any():
                problems.append(
                    Problem(
                        table.filename,
                        0,
                        col.name,
                        texts[col.name],
                        f"{value!r} is already in {table.filename}; each {col.name} is listed "
                        "once. Correct the existing entry instead.",
                        code="duplicate",
                    )
                )
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
            raise JournalError(
                problems,
                heading=f"{table.filename} has problems to fix first (nothing was changed):",
            )
        # The rows stay arrow columns of text, exactly as stored: the one entry changes
        # or goes, ids are given where missing, and pyarrow writes the file.
        header = list(raw.header)
        rows = raw.data
        result = None
        if ident is not None:
            matches = np.flatnonzero(frame[ID].to_numpy() == ident)
            if not len(matches):
                raise _no_entry(table, ident)
            index = int(matches[0])
            old = {h: rows.column(i)[index].as_py() for i, h in enumerate(header)}
            if changes is None:
                result = _as_dict(frame.iloc[index].to_dict())
                rows = pa.concat_tables([rows.slice(0, index), rows.slice(index + 1)])
            else:
                texts = {col: old[col] for col in table.column_names} | changes
                entry = _validated_entry(table, texts)
                self._check_unique(table, texts, skip_id=ident)
                for col, value in changes.items():
                    at = header.index(col)
                    rows = rows.set_column(at, rows.column_names[at],
                                           _with_value(rows.column(at), index, value))
                entry[ID] = ident
                result = _as_dict(entry)
        header, rows, ids = _ids_given(header, rows)
        if result is not None and ident.startswith("L") and changes is not None:
            result[ID] = ids[index].as_py()
        body = (storage.BOM if raw.bom else b"") + storage.format_table(header, rows, raw.newline)
        tmp = storage.write_temp(target, body)
        try:
            kept = None
            if raw.torn:
                offset = storage.byte_offset_of_line(data, raw.torn.line)
                kept = storage.save_fragment(
                    storage.recovered_dir(self.path), Path(table.filename).stem, data[offset:]
                )
            backups = storage.backups_dir(self.path)
            storage.replace_with_backup(tmp, target, backups)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        self._cache.pop(table.name, None)
        if kept is not None:
            warnings.warn(
                JournalWarning(
                    f"{table.filename}:{raw.torn.line}: the incomplete last entry was moved to "
                    f"{kept.relative_to(self.path)} before saving; copy back what you need."
                ),
                stacklevel=4,
            )
        return result

    def _note_append(self, table, cached, after, entries) -> None:
        if self._cache.get(table.name) is not cached or cached.signature is None:
            self._cache.pop(table.name, None)
            return
        for entry in entries:
            cached.pending.append({ID: entry[ID], **{c: entry[c] for c in table.column_names}})
        cached.signature = after
        cached.ends_with_break = True


def _with_value(column: pa.ChunkedArray, index: int, value: str) -> pa.ChunkedArray:
    """``column`` with the text at ``index`` replaced by ``value`` (the rest not copied)."""
    text = column.type if pa.types.is_string(column.type) else pa.string()
    return pa.chunked_array(
        [*column.slice(0, index).cast(text).chunks, pa.array([value], text),
         *column.slice(index + 1).cast(text).chunks],
        text,
    )
