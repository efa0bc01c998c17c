"""Safe file I/O for journal CSV files.

Reading (:func:`read_table_file`, from :mod:`trustlab.csvread`) turns a file into
columns of text, exactly as stored, with every problem found below the level of values.

Writing never loses what is on disk: appends hold a lock, write whole lines and
fsync; rewrites go to a temporary file that replaces the old one atomically,
and the previous version is kept as a backup.
"""

from __future__ import annotations

import csv
import datetime
import errno
import hashlib
import io
import os
import re
import secrets
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from filelock import FileLock, Timeout

# BOM, RawTable and read_table_file are storage's too, where the journal finds them.
from .csvread import BOM, STATE_DIR, RawTable, read_table_file  # noqa: F401
from .errors import JournalBusy

BACKUPS_KEPT = 5
LOCK_TIMEOUT = 5.0
"""Seconds to wait for another writer before saying the journal is busy."""

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class NotAFile(OSError):
    """What was to be read is a link, a folder or a device: never read through or from."""

    def __init__(self, path: Path, kind: str):
        super().__init__(errno.EINVAL, f"{path} is {kind}", str(path))
        self.kind = kind


class TooBig(OSError):
    """A file is larger than what is read of it."""

    def __init__(self, path: Path, limit: int):
        super().__init__(errno.EFBIG, f"{path} is larger than {limit:,} bytes", str(path))
        self.limit = limit


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of the regular file ``path``, opened without following a link.

    Raises :class:`NotAFile` (``kind``: "a symbolic link", "a folder", "not a file") or
    :class:`TooBig` (more than ``limit`` bytes), besides the usual OSError
    (FileNotFoundError ...): one way for every reader of a file someone else may have put
    there (a reply, an earlier report, a kept report, lab settings, a notebook copy).
    """
    try:  # (non-blocking: a pipe put there would otherwise wait for a writer forever)
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        if os.path.islink(path):
            raise NotAFile(path, "a symbolic link") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotAFile(path, "a folder" if stat.S_ISDIR(mode) else "not a file")
    with os.fdopen(fd, "rb") as file:
        data = file.read() if limit is None else file.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise TooBig(path, limit)
    return data


def state_dir(journal_dir: Path) -> Path:
    path = journal_dir / STATE_DIR
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def _private_dir(journal_dir: Path, name: str) -> Path:
    path = state_dir(journal_dir) / name
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def backups_dir(journal_dir: Path) -> Path:
    """The journal's private folder of previous versions of its files."""
    return _private_dir(journal_dir, "backups")


def recovered_dir(journal_dir: Path) -> Path:
    """The journal's private folder of incomplete entries set aside."""
    return _private_dir(journal_dir, "recovered")


def real_file(path: Path) -> Path:
    """Where writes to ``path`` must go: the target of a symlinked table, else ``path``.

    A journal file may be a symlink (for example into a synced folder): every write goes
    through to its target, so the link keeps working after a correction.
    """
    return Path(os.path.realpath(path)) if path.is_symlink() else path


@contextmanager
def locked(path: Path, journal_dir: Path | None = None) -> Iterator[None]:
    """Hold the lock for ``path`` (a separate lock file under ``.trustlab/locks``).

    Waits at most ``LOCK_TIMEOUT`` seconds, then raises :class:`JournalBusy`.
    """
    locks = _private_dir(journal_dir or path.parent, "locks")
    lock = FileLock(locks / f"{path.name}.lock", timeout=LOCK_TIMEOUT, mode=0o600)
    try:
        lock.acquire()
    except Timeout as busy:
        raise JournalBusy(path) from busy
    try:
        yield
    finally:
        lock.release()


def format_rows(rows: Sequence[Sequence[str]], newline: str = "\n") -> bytes:
    """CSV text for ``rows``, every field quoted.

    Quoting every field keeps commas, quotes, line breaks (a bare CR too, which
    Python 3.11.7's writer otherwise leaves unquoted) and leading ``= + - @``
    exactly as typed.
    """
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=newline)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def format_table(header: Sequence[str], table: pa.Table, newline: str = "\n") -> bytes:
    """The bytes of ``format_rows([header, *rows])`` for the text columns of ``table``.

    pyarrow's CSV writer quotes every field and doubles the quotes inside it, as
    Python's writer does with ``QUOTE_ALL``; it writes a large table many times
    faster, without making a Python string of every field.
    """
    if table.num_columns != len(header):
        raise ValueError(f"{len(header)} names for {table.num_columns} columns")
    out = pa.BufferOutputStream()
    if table.num_rows:
        texts = pa.table(
            [pc.fill_null(column.cast(pa.string()), "") for column in table.columns],
            names=[f"c{i}" for i in range(table.num_columns)],
        )
        pa_csv.write_csv(texts, out, pa_csv.WriteOptions(
            include_header=False, quoting_style="all_valid", eol=newline))
    return format_rows([header], newline) + out.getvalue().to_pybytes()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def append_bytes(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` and fsync, all or nothing; the caller holds the lock.

    The data goes in one write. If anything fails (a full disk, a short write, the
    fsync), the file is cut back to its previous length, so an append that raises
    has stored nothing and a retry cannot store an entry twice.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | _BINARY)
    try:
        size = os.fstat(fd).st_size
        try:
            _write_all(fd, data)
            if os.fstat(fd).st_size != size + len(data):
                raise OSError(errno.EIO, "the file did not grow by what was written")
            os.fsync(fd)
        except BaseException:
            os.ftruncate(fd, size)
            with suppress(OSError):
                os.fsync(fd)
            raise
    finally:
        os.close(fd)


def atomic_write(
    path: Path, data: bytes, *, keep_backup: bool = True, backups: Path | None = None
) -> Path | None:
    """Replace ``path`` with ``data`` atomically; return the backup of the old version.

    The new content goes to a temporary file beside ``path``, is fsynced, and
    then renamed over ``path``, so a crash leaves either the old file or the new
    one, never a mix; on an error the temporary file is removed. The previous
    version is kept in ``backups`` (default ``.trustlab/backups`` beside ``path``).
    ``path`` itself is replaced, never written through: a symlink there is
    replaced by the file (pass :func:`real_file` to write through). The caller
    holds the lock.
    """
    tmp = write_temp(path, data)
    try:
        if keep_backup and path.exists():
            return replace_with_backup(tmp, path, backups or _private_dir(path.parent, "backups"))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return None


def replace_with_backup(tmp: Path, path: Path, backups: Path) -> Path:
    """Keep the current ``path`` in ``backups``, then rename ``tmp`` over it; return the backup."""
    backup = _backup(path, backups)
    os.replace(tmp, path)
    _fsync_dir(path.parent)
    return backup


def write_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path`` and fsync it; return its path.

    The name is new each time (``O_EXCL``, never through a link) and the file is
    removed again if writing fails.
    """
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY, 0o600)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover - 100 collisions of 48 random bits
        raise FileExistsError(errno.EEXIST, "no free temporary name", str(path))
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def utc_stamp() -> str:
    """Now in UTC, to the nanosecond, from one clock read: ``20260301T101500.123456789Z``.

    Names made from it sort in time order, even across a daylight-saving change.
    """
    now = time.time_ns()
    seconds = datetime.datetime.fromtimestamp(now // 10**9, datetime.UTC)
    return f"{seconds:%Y%m%dT%H%M%S}.{now % 10**9:09d}Z"


def _backup(path: Path, backups: Path) -> Path:
    """Keep a copy of ``path`` (a regular file) in ``backups``; prune to BACKUPS_KEPT."""
    backups.mkdir(mode=0o700, parents=True, exist_ok=True)
    stem = Path(path.name).stem
    backup = backups / f"{stem}.{utc_stamp()}.csv"
    try:
        os.link(path, backup)  # the old version's inode: the rename below never changes it
    except OSError:
        tmp = write_temp(backup, path.read_bytes())
        os.replace(tmp, backup)
    _fsync_dir(backups)
    old = sorted(backups.glob(f"{stem}.*.csv"))
    for stale in old[:-BACKUPS_KEPT]:
        stale.unlink(missing_ok=True)
    return backup


def save_fragment(recovered: Path, stem: str, fragment: bytes) -> Path | None:
    """Keep an incomplete last entry in ``recovered`` before it leaves its file.

    Returns where it is kept, or None if there is nothing to keep (only blanks).
    The same fragment is kept once: a save that failed after keeping it and is
    tried again finds it already there.
    """
    if not fragment.strip():
        return None
    digest = hashlib.sha256(fragment).hexdigest()[:12]
    for kept in sorted(recovered.glob(f"{stem}.*.{digest}.txt")):
        if kept.read_bytes() == fragment:
            return kept
    recovered.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = recovered / f"{stem}.{utc_stamp()}.{digest}.txt"
    tmp = write_temp(target, fragment)
    try:
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(recovered)
    return target


def byte_offset_of_line(data: bytes, line: int) -> int:
    """The byte offset where 1-based ``line`` starts (CR, LF and CRLF all end a line)."""
    if line <= 1:
        return 0
    for count, match in enumerate(re.finditer(rb"\r\n|\r|\n", data), start=1):
        if count == line - 1:
            return match.end()
    return len(data)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open a folder; its renames are durable without this
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
