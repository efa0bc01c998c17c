"""Renaming a person or a quality in its own file and in every entry that names it."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from .. import storage
from ..errors import JournalError, JournalWarning, Problem
from ..schema import TABLES, Table, get_table
from ..validate import validate_rows
from .entries import _ids_given, _show, _to_text
from .inspection import _signature


class _Renaming:
    """The :class:`Journal`'s :meth:`references` and :meth:`rename`, with their helpers.

    Mixed into :class:`Journal`, whose ``path``, ``table``, ``_cache`` and ``_writing``
    they use.
    """

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
            why = (
                f"the new name {message}"
                if message
                else f"{old_name!r} is already called that: type the new name."
                if new_name
                else "the new name is empty: type the name to use."
            )
            raise JournalError(
                [Problem(own.filename, 0, key, _show(new), why, code="bad_name")],
                heading="Nothing was renamed:",
            )
        plan = [(own, (key,)), *_referring(kind)]
        prepared: list[_Renamed] = []
        try:
            with self._writing(own, "renamed"), ExitStack() as locks:
                for table, _ in sorted(plan, key=lambda p: p[0].name):
                    locks.enter_context(storage.locked(self.path / table.filename, self.path))
                locks.callback(_discard_temps, prepared)  # before the locks are released
                for table, columns in plan:
                    step = self._renamed_file(
                        table, columns, old_name, new_name, is_own=table is own
                    )
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
                warnings.warn(
                    JournalWarning(
                        f"{step.table.filename}:{step.torn_line}: the incomplete last entry was "
                        f"moved to {step.kept.relative_to(self.path)} before saving; copy back "
                        "what you need."
                    ),
                    stacklevel=2,
                )
        return {step.table.name: step.count for step in prepared}

    def _renamed_file(
        self, table: Table, columns: Sequence[str], old: str, new: str, *, is_own: bool
    ) -> _Renamed:
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
            raise JournalError(
                problems,
                heading=f"{table.filename} has problems to fix first (nothing was renamed):",
            )
        header = list(raw.header)
        rows = raw.data
        positions = [header.index(c) for c in columns]
        if is_own:
            names = pc.utf8_trim_whitespace(rows.column(positions[0]))
            step.others = pc.filter(names, pc.not_equal(names, old)).to_pylist()
        named_here = None
        for at in positions:
            named = pc.equal(pc.utf8_trim_whitespace(rows.column(at)), old)
            rows = rows.set_column(at, rows.column_names[at],
                                   pc.if_else(named, new, rows.column(at)))
            named_here = named if named_here is None else pc.or_(named_here, named)
        step.count = int(pc.sum(named_here).as_py() or 0) if named_here is not None else 0
        if not step.count:
            return step
        step.original = data
        header, rows, _ = _ids_given(header, rows)
        step.body = (storage.BOM if raw.bom else b"") + storage.format_table(
            header, rows, raw.newline
        )
        if raw.torn:
            step.fragment = data[storage.byte_offset_of_line(data, raw.torn.line) :]
            step.torn_line = raw.torn.line
        return step

    @staticmethod
    def _check_rename(own: Table, key: str, step: _Renamed, old: str, new: str) -> None:
        if not step.count:
            raise JournalError(
                [
                    Problem(
                        own.filename,
                        0,
                        key,
                        old,
                        f"there is no {old!r} in {own.filename}: "
                        "choose a name that is listed there.",
                        code="no_entry",
                    )
                ],
                heading="Nothing was renamed:",
            )
        taken = next((o for o in step.others if o.casefold() == new.casefold()), None)
        if taken is not None:
            raise JournalError(
                [
                    Problem(
                        own.filename,
                        0,
                        key,
                        new,
                        f"{taken!r} is already in {own.filename} (names are compared ignoring case "
                        f"and spaces at either end). Choose another name, or keep {old!r}.",
                        code="duplicate",
                    )
                ],
                heading="Nothing was renamed:",
            )

    def _swap_in(self, prepared: Sequence[_Renamed]) -> None:
        """Replace each prepared file, keeping backups; if one fails, put back the others."""
        backups = storage.backups_dir(self.path)
        done: list[_Renamed] = []
        try:
            for step in prepared:
                if step.tmp is None:
                    continue
                if step.fragment is not None:
                    step.kept = storage.save_fragment(
                        storage.recovered_dir(self.path),
                        Path(step.table.filename).stem,
                        step.fragment,
                    )
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
                raise JournalError(
                    [
                        Problem(
                            prepared[0].table.filename,
                            0,
                            None,
                            None,
                            f"the rename stopped half way ({reason}): {', '.join(reversed(stuck))} "
                            "already had the new name and could not be put back. Their previous "
                            "versions are in .trustlab/backups/, and 'Undo a change' in "
                            "00_start_here puts them back.",
                            code="write_failed",
                        )
                    ],
                    heading="The rename was not finished:",
                ) from error
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
