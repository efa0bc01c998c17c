"""Undo: the previous versions trustlab kept, and putting one back.

Every correction or deletion keeps the file's previous version in
``.trustlab/backups/``; an incomplete last entry set aside after an interrupted
save is kept in ``.trustlab/recovered/``. :func:`history` lists both, newest
first; :func:`restore` puts a backup back in place of its table's file (keeping
a backup of the version it replaces, so a restore can be undone too).
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd

from . import storage
from .errors import JournalBusy, JournalError, Problem, failed_write
from .schema import TABLES

_STAMP = re.compile(
    r"^(?P<table>[a-z_]+)\.(?P<time>\d{8}T\d{6})\.(?P<ns>\d{9})(?P<utc>Z?)"
    r"(?:\.[0-9a-f]{12})?\.(?:csv|txt)$"
)


@dataclass(frozen=True)
class Kept:
    """One version or fragment trustlab kept."""

    name: str
    """The file's name, which :func:`restore` takes."""
    kind: Literal["backup", "recovered"]
    table: str
    when: datetime.datetime | None
    """When it was kept (UTC; None for a name trustlab did not make)."""
    size: int
    path: Path

    @property
    def description(self) -> str:
        when = f"{self.when:%Y-%m-%d %H:%M:%S} UTC" if self.when else "(time unknown)"
        if self.kind == "backup":
            return f"{when}: {self.table}.csv as it was before a change ({self.size:,} bytes)"
        return (f"{when}: an incomplete entry set aside from {self.table}.csv "
                f"({self.size:,} bytes)")


def history(journal_dir: str | os.PathLike) -> list[Kept]:
    """Every backup and recovered fragment of the journal, newest first."""
    state = Path(journal_dir).expanduser() / storage.STATE_DIR
    found = []
    for kind, folder in (("backup", "backups"), ("recovered", "recovered")):
        where = state / folder
        if not where.is_dir():
            continue
        for path in where.iterdir():
            match = _STAMP.match(path.name)
            if not match or match["table"] not in TABLES or not path.is_file():
                continue
            if path.is_symlink():
                continue
            when = datetime.datetime.strptime(match["time"], "%Y%m%dT%H%M%S")
            if match["utc"]:
                when = when.replace(tzinfo=datetime.UTC)
            else:  # named in local time by trustlab 0.1
                when = when.astimezone(datetime.UTC)
            when = when.replace(microsecond=int(match["ns"]) // 1000)
            found.append(Kept(path.name, kind, match["table"], when,  # type: ignore[arg-type]
                              path.stat().st_size, path))
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(found, key=lambda k: (k.when or epoch, k.name), reverse=True)


def history_frame(journal_dir: str | os.PathLike) -> pd.DataFrame:
    """:func:`history` as a table a notebook can show."""
    rows = [{"kept": k.name, "what": k.kind, "file": f"{k.table}.csv",
             "when (UTC)": k.when.strftime("%Y-%m-%d %H:%M:%S") if k.when else "",
             "bytes": k.size} for k in history(journal_dir)]
    return pd.DataFrame(rows, columns=["kept", "what", "file", "when (UTC)", "bytes"])


def restore(journal_dir: str | os.PathLike, name: str) -> Kept:
    """Put backup ``name`` (from :func:`history`) back as its table's file.

    The version it replaces is kept as a new backup first, so this can be undone
    the same way. A recovered fragment is not a whole file: it cannot be put back,
    only read and entered again. Returns the backup of the replaced version (or the
    restored backup itself when the table had no file).
    """
    journal_dir = Path(journal_dir).expanduser()
    kept = {k.name: k for k in history(journal_dir)}
    chosen = kept.get(Path(name).name)
    if chosen is None:
        listing = ", ".join(list(kept)[:5]) or "none yet"
        raise JournalError([Problem(
            name, 0, None, None,
            f"there is no backup called {Path(name).name!r} in {journal_dir / '.trustlab'}. "
            f"The newest: {listing}. `trustlab history {journal_dir}` lists them all.",
            code="no_backup",
        )], heading="Nothing was restored:")
    table = TABLES[chosen.table]
    if chosen.kind == "recovered":
        raise JournalError([Problem(
            table.filename, 0, None, None,
            f"{chosen.name} is an incomplete entry set aside after an interrupted save, not a "
            f"whole file, so it cannot be put back. Open {chosen.path} in a text editor and "
            "enter again what you need.",
            code="fragment",
        )], heading="Nothing was restored:")
    file = journal_dir / table.filename
    data = chosen.path.read_bytes()
    try:
        with storage.locked(file, journal_dir):
            target = storage.real_file(file)
            backup = storage.atomic_write(target, data,
                                          backups=storage.backups_dir(journal_dir))
    except (JournalBusy, OSError) as error:
        raise failed_write(table.filename, journal_dir, error, "restored") from None
    if backup is None:
        return chosen
    return next(k for k in history(journal_dir) if k.path == backup)
