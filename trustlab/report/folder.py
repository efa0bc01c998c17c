"""Where a report may go, and writing it there without losing anyone's work.

Everything is checked before anything is written: the folder is new, empty, or holds an
earlier trustlab report (replaced only when asked); it is not inside the journal or the
sample; no link stands where a report file goes. Files are written to new temporary files
and renamed into place only once all are written, relative to folders held open where the
system allows, so a link swapped in after the checks is refused too.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..storage import read_regular
from .options import FORMAT, NOTHING, ExportError, ReportExists

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
"""trustlab's sample journal: a report never goes into it."""


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_AT = bool(_NOFOLLOW and _DIRECTORY) and {os.open, os.mkdir, os.rename, os.unlink, os.rmdir} <= (
    os.supports_dir_fd
)
"""Whether files are made relative to folders held open (POSIX): then a link swapped in
after the checks is refused by the system too, not only by the checks."""

_CSV = "csv"
_REPORT_FILE = re.compile(r"report\.(?:html|ipynb|json)|csv/[\w-]+\.csv")
"""The only names a report's files have: an earlier report.json is trusted no further."""


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class Plan:
    """Where a checked report goes, and what an earlier report there leaves behind."""

    folder: Path
    stale: tuple[str, ...]
    """Files of an earlier report that the new one does not have, unchanged since they
    were written: removed after writing."""
    keep: tuple[tuple[str, str], ...] = ()
    """(file, new name): files of the earlier report that someone changed since they were
    written, and the new report would write over: moved aside first."""
    left: tuple[str, ...] = ()
    """Files of the earlier report the new one does not have, changed since: left alone."""


def _link_error(link: Path) -> ExportError:
    try:
        target = f" (to {os.readlink(link)})"
    except OSError:
        target = ""
    return ExportError(
        f"{link} is a link{target}. A report is never written through a link, so it "
        f"cannot land in your journal or over another file: remove the link, or choose "
        f"another folder. {NOTHING}"
    )


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _refuse_inside(path: Path, shown: Path, journal: Path) -> None:
    if inside(path, journal):
        raise ExportError(
            f"{shown} is inside the journal folder ({journal}). A report goes somewhere "
            f"else, so it never mixes with the journal: choose a folder outside it. {NOTHING}"
        )
    if inside(path, SAMPLE.resolve()):
        raise ExportError(
            f"{shown} is inside trustlab's sample journal (data/sample). "
            f"Choose another folder for the report. {NOTHING}"
        )


def check_file(dest: Path, journal_path: Path, *, replace: bool = False) -> Path:
    """Check that a sealed report may be written at ``dest`` (a file): not inside the
    journal or the sample, not a link or a folder, and not there already unless
    ``replace``. Returns ``dest`` resolved."""
    given = dest.expanduser()
    if given.is_symlink():
        raise _link_error(given)
    path = given.resolve()
    _refuse_inside(path, dest, journal_path.expanduser().resolve())
    if path.is_dir():
        raise ExportError(f"{dest} is a folder: name the file the sealed report goes into "
                          f"(for example {dest}.age). {NOTHING}")
    if path.exists() and not replace:
        raise ReportExists(f"{dest} already exists. {NOTHING} Choose a new name, or replace "
                           "it: --replace on the command line, or tick 'Replace the report already "
                           "there' in the share form.")
    if not path.parent.is_dir():
        raise ExportError(f"The folder {path.parent} does not exist: make it first, or "
                          f"choose another place. {NOTHING}")
    return path


def check_folder(
    out_dir: Path, journal_path: Path, names: Iterable[str] = (), *, replace: bool = False
) -> Plan:
    """Check, before anything is written, that a report with files ``names`` may go in
    ``out_dir`` (replacing an earlier report there only if ``replace``); raise
    :class:`ExportError` saying why not."""
    given = out_dir.expanduser()
    if given.is_symlink():
        raise _link_error(given)
    # Resolved, so neither a link on the way nor ".." can lead into the journal.
    folder = given.resolve()
    journal = journal_path.expanduser().resolve()

    _refuse_inside(folder, out_dir, journal)
    st = _lstat(folder)
    if st is None:
        return Plan(folder, ())
    if not stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{out_dir} is a file, not a folder: choose a folder for the report.")
    names = list(names)
    previous = earlier_report(folder)
    earlier = [n for n in (previous or {}).get("files", []) if isinstance(n, str)]
    earlier = [n for n in earlier if _REPORT_FILE.fullmatch(n)]
    # Every entry the report would write, or go into (also to remove an earlier
    # report's files): none may be a link, and the csv folder may not be the journal.
    subfolders = [_CSV] if any(n.startswith(f"{_CSV}/") for n in [*names, *earlier]) else []
    for name in [*subfolders, *names]:
        path = folder / name
        entry = _lstat(path)
        if entry is None:
            continue
        if stat.S_ISLNK(entry.st_mode):
            raise _link_error(path)
        if (name in subfolders) != stat.S_ISDIR(entry.st_mode):
            kind = "a folder" if stat.S_ISDIR(entry.st_mode) else "a file"
            raise ExportError(
                f"{path} is {kind}, where the report would put its {name}. "
                f"Move it away, or choose another folder. {NOTHING}"
            )
        if name in subfolders:
            _refuse_inside(path.resolve(), path, journal)
    if any(folder.iterdir()) and previous is None:
        raise ExportError(
            f"{out_dir} already has files in it, and they are not a trustlab report. "
            "Choose a new or empty folder, so nothing else ends up next to the report."
        )
    if previous is None:
        return Plan(folder, ())
    if not replace:
        made = str(previous.get("created", ""))[:10]
        raise ReportExists(
            f"{out_dir} already holds a trustlab report"
            f"{f' (made on {made})' if made else ''}. {NOTHING} Choose a new folder, or "
            "replace that report: --replace on the command line, or tick 'Replace the "
            "report already there' in the share form. Files someone changed or "
            "added there are kept."
        )
    hashes = previous.get("sha256")
    hashes = hashes if isinstance(hashes, dict) else {}

    def changed(name: str) -> bool:
        """Whether earlier report file ``name`` differs from what trustlab wrote (or
        trustlab cannot tell: an older report recorded no hashes)."""
        if name == "report.json":
            return False  # the earlier report's own index: always replaced
        digest = _digest(folder / name)
        return digest is not None and digest != hashes.get(name)

    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H%M%S")
    keep = []
    for name in names:
        if _lstat(folder / name) is not None and changed(name):
            stem, dot, suffix = name.rpartition(".")
            keep.append((name, f"{stem} (changed, kept {stamp}){dot}{suffix}"))
    gone = [n for n in dict.fromkeys(earlier) if n not in names]
    return Plan(folder, tuple(n for n in gone if not changed(n)), tuple(keep),
                 tuple(n for n in gone if changed(n)))


def _digest(path: Path) -> str | None:
    """The SHA-256 of file ``path``, read without following a link (None: no such file)."""
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except FileNotFoundError:
        return None


def earlier_report(folder: Path) -> dict | None:
    """The report.json of an earlier report in ``folder``, read without following a link."""
    try:
        return report_json(read_regular(folder / "report.json"))
    except OSError:  # none there, or a link, or not a file
        return None


def report_json(data: bytes) -> dict | None:
    """A trustlab report.json's content (None: not one)."""
    try:
        found = json.loads(data.decode("utf-8"))
    except ValueError:
        return None
    return found if isinstance(found, dict) and found.get("format") == FORMAT else None


class Dir:
    """A folder the report is written into. Where the system allows, it is held open
    (opened without following a link) and every file is made relative to it."""

    def __init__(self, path: Path, parent: Dir | None = None):
        self.path = path
        self.fd: int | None = None
        if not _AT:
            if path.is_symlink():
                raise _link_error(path)
            return
        flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
        try:
            if parent is None:
                self.fd = os.open(path, flags)
            else:
                self.fd = os.open(path.name, flags, dir_fd=parent.fd)
        except OSError as error:
            if path.is_symlink():  # swapped in since the checks
                raise _link_error(path) from error
            raise

    def _at(self, name: str) -> tuple[str, dict[str, int]]:
        if self.fd is None:
            return str(self.path / name), {}
        return name, {"dir_fd": self.fd}

    def create(self, name: str, data: bytes) -> str:
        """A new temporary file holding ``data`` (never an existing path): its name."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
        for _ in range(100):
            temp = f".{name}.{secrets.token_hex(6)}.tmp"
            target, at = self._at(temp)
            try:
                fd = os.open(target, flags, 0o600, **at)
            except FileExistsError:
                continue
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException:
                os.close(fd)
                self.unlink(temp)
                raise
            os.close(fd)
            return temp
        raise FileExistsError(f"{self.path}: could not make a temporary file")

    def replace(self, source: str, name: str) -> None:
        """Rename ``source`` to ``name``: a link or file at ``name`` is replaced, never
        followed or opened."""
        if self.fd is None:
            os.replace(self.path / source, self.path / name)
        else:
            os.replace(source, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def rename_new(self, name: str, new: str) -> None:
        """Rename ``name`` to ``new``, which must not exist yet (a hard link, then the old
        name removed: nothing is ever renamed over an existing file)."""
        (source, at), (target, at_new) = self._at(name), self._at(new)
        try:
            os.link(source, target, src_dir_fd=at.get("dir_fd"),
                    dst_dir_fd=at_new.get("dir_fd"), follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (a FAT memory stick): check, then rename
            with contextlib.suppress(FileNotFoundError):
                os.lstat(target, **at_new)
                raise FileExistsError(errno.EEXIST, "exists", new) from None
            os.rename(source, target, src_dir_fd=at.get("dir_fd"),
                      dst_dir_fd=at_new.get("dir_fd"))
            return
        os.unlink(source, **at)

    def mkdir(self, name: str) -> bool:
        target, at = self._at(name)
        try:
            os.mkdir(target, 0o700, **at)
        except FileExistsError:
            return False
        return True

    def unlink(self, name: str) -> None:
        target, at = self._at(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target, **at)

    def rmdir(self, name: str) -> None:
        target, at = self._at(name)
        with contextlib.suppress(OSError):  # not empty, or already gone
            os.rmdir(target, **at)

    def sync(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def write_report(plan: Plan, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` into the checked folder, then remove the earlier report's leftovers.

    Every file goes to a new temporary file (created, never opened if it exists, never
    through a link) and is renamed into place only once all of them are written, so a
    failure while writing (a full disk, say) leaves the earlier report as it was.
    """
    folder = plan.folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    top = Dir(folder)
    dirs = {"": top}
    made_csv = False
    temps: list[tuple[Dir, str, str]] = []
    try:
        if any("/" in n for n in [*files, *plan.stale]):
            made_csv = top.mkdir(_CSV)
            dirs[_CSV] = Dir(folder / _CSV, top)
        for name, data in files.items():
            sub, _, base = name.rpartition("/")
            temps.append((dirs[sub], dirs[sub].create(base, data), base))
        for name, new in plan.keep:  # someone's changes, moved aside (never replaced)
            sub, _, base = name.rpartition("/")
            dirs[sub].rename_new(base, new.rpartition("/")[2])
        while temps:
            where, temp, base = temps[0]
            where.replace(temp, base)
            temps.pop(0)
        for name in plan.stale:
            sub, _, base = name.rpartition("/")
            dirs[sub].unlink(base)
        for where in dirs.values():
            where.sync()
        if _CSV in dirs and not any(n.startswith(f"{_CSV}/") for n in files):
            dirs.pop(_CSV).close()
            top.rmdir(_CSV)  # only if empty: it may hold the person's own files
            top.sync()
    finally:
        # Only after a failure: the temporary files not renamed, and a csv folder
        # made for nothing.
        for where, temp, _ in temps:
            where.unlink(temp)
        if temps and made_csv:
            top.rmdir(_CSV)
        for where in dirs.values():
            where.close()
    return [folder / name for name in files]
