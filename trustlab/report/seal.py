"""A report sealed for one coach: the folder packed into one file, encrypted with age.

The person seals with the coach's *public* key (``age1…`` or an ``ssh-ed25519`` /
``ssh-rsa`` line); only the coach's *secret* identity file opens it. The encryption is
age's, through :mod:`pyrage`: trustlab keeps no keys of its own, and nothing here logs,
prints or sends anything.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import tarfile
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

import pyrage

from ..storage import NotAFile, atomic_write, read_regular
from .keys import (
    Identity,
    Recipient,
    SealError,
    _listing,
    new_identity,
    parse_recipients,
    read_identities,
)

__all__ = [
    "MAX_REPORT_BYTES",
    "Recipient",
    "SealError",
    "new_identity",
    "open_sealed",
    "parse_recipients",
    "seal",
    "seal_files",
    "unseal",
]


MAX_REPORT_BYTES = 200 * 1024 * 1024
"""The most file content one sealed report may hold, when sealing and when unsealing."""

# Room above the content for tar headers and age's 16 bytes per 64 KiB chunk.
_MAX_SEALED_BYTES = MAX_REPORT_BYTES + 64 * 1024 * 1024
_AGE_STARTS = (b"age-encryption.org/v1\n", b"-----BEGIN AGE ENCRYPTED FILE-----")


# --- sealing ----------------------------------------------------------------------------------


def seal(
    folder: Path,
    recipients: Sequence[Recipient] | str | os.PathLike[str],
    dest: Path,
    *,
    replace: bool = False,
) -> Path:
    """Pack the report ``folder`` into one file at ``dest`` that only the coach can open.

    Parameters
    ----------
    folder
        The report folder. Every regular file in it, in subfolders too, is packed
        (mode 0o600, no owner names); a symbolic link, device or pipe in it is refused.
    recipients
        What :func:`parse_recipients` returns, or anything it accepts.
    dest
        The sealed file to write, outside ``folder``. It goes to a private temporary
        file beside it that is renamed into place, so a failure leaves no half-written file.
    replace
        Whether an existing ``dest`` may be replaced; by default it is refused.

    Returns ``dest``.
    """
    folder, dest = Path(folder), Path(dest)
    if not folder.is_dir():
        raise SealError(f"The report folder {folder} does not exist (or is not a folder).")
    if dest.resolve().is_relative_to(folder.resolve()):
        raise SealError(
            f"The sealed file {dest} would be inside the report folder {folder}. Choose a "
            "place outside it (for example beside the folder)."
        )
    dirs, names = _walk(folder)
    files: dict[str, tuple[bytes, float]] = {}
    total = 0
    for name in names:
        files[name] = _read_regular(folder / name)
        total += len(files[name][0])
        if total > MAX_REPORT_BYTES:
            raise SealError(
                f"The report folder {folder} holds more than {_mb(MAX_REPORT_BYTES)} of "
                "files, more than a sealed report may carry. Leave the large files out."
            )
    return seal_files(files, recipients, dest, replace=replace,
                      dirs={d: (folder / d).stat().st_mtime for d in dirs})


def seal_files(
    files: Mapping[str, bytes | tuple[bytes, float]],
    recipients: Sequence[Recipient] | str | os.PathLike[str],
    dest: Path,
    *,
    replace: bool = False,
    dirs: Mapping[str, float] | None = None,
) -> Path:
    """Seal ``files`` (name -> bytes, or (bytes, mtime); names relative, ``/`` between
    folders) into one file at ``dest``, straight from memory: the report never lies
    unencrypted on disk. ``recipients`` and ``replace`` are as for :func:`seal`."""
    dest = Path(dest)
    if isinstance(recipients, str | os.PathLike):
        recipients = parse_recipients(recipients)
    if not recipients:
        raise SealError("No coach key was given: a report is sealed for at least one key.")
    if not files:
        raise SealError("There are no files to seal.")
    _refuse_existing(dest, replace)
    try:
        sealed = pyrage.encrypt(_pack(files, dirs or {}), list(recipients))
    except pyrage.EncryptError as error:
        raise SealError(f"The report could not be sealed for the coach's key ({error}).") from None
    _refuse_existing(dest, replace)  # it may have appeared while packing
    try:
        atomic_write(dest, sealed, keep_backup=False)
    except OSError as error:
        raise SealError(
            f"The sealed report could not be written to {dest} ({error.strerror or error}); "
            "nothing was written. Check that the folder is writable and the disk has room."
        ) from None
    return dest


def _refuse_existing(dest: Path, replace: bool) -> None:
    if not replace and os.path.lexists(dest):
        raise SealError(
            f"{dest} already exists and was left as it is. Choose another name, or replace "
            "it on purpose (replace=True)."
        )


def _pack(files: Mapping[str, bytes | tuple[bytes, float]], dirs: Mapping[str, float]) -> bytes:
    """The files as an uncompressed tar in memory: sorted names, private modes, no owners."""
    now = datetime.datetime.now().timestamp()
    folders = dict(dirs)
    for name in files:
        parents = PurePosixPath(name).parents
        for parent in list(parents)[:-1]:
            folders.setdefault(str(parent), now)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in sorted(folders):
            tar.addfile(_entry(name, tarfile.DIRTYPE, 0o700, folders[name]))
        for name in sorted(files):
            given = files[name]
            data, mtime = given if isinstance(given, tuple) else (given, now)
            if _unsafe(_entry(name, tarfile.REGTYPE, 0o600, mtime)):
                raise SealError(f"{name!r} is not a name a sealed report can hold.")
            info = _entry(name, tarfile.REGTYPE, 0o600, mtime)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _walk(folder: Path) -> tuple[list[str], list[str]]:
    """The report's folders and regular files (names relative to ``folder``), sorted."""
    dirs: list[str] = []
    files: list[str] = []
    problems: list[str] = []

    def visit(directory: Path, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                name = prefix + entry.name
                if entry.is_symlink():
                    problems.append(f"{name} is a symbolic link")
                elif entry.is_dir(follow_symlinks=False):
                    dirs.append(name)
                    visit(Path(entry.path), name + "/")
                elif entry.is_file(follow_symlinks=False):
                    files.append(name)
                else:
                    problems.append(f"{name} is not a regular file (a device, pipe or socket)")

    visit(folder, "")
    if problems:
        raise _listing(
            f"The report folder {folder} holds something that cannot be sealed:",
            problems,
            "A sealed report holds only plain files and folders: remove these, seal again.",
        )
    if not files:
        raise SealError(f"The report folder {folder} has no files to seal.")
    return dirs, files


def _read_regular(path: Path) -> tuple[bytes, float]:
    """The bytes and mtime of ``path``, which must still be a regular file (never a link)."""
    try:
        data = read_regular(path)
    except NotAFile as error:
        raise SealError(f"{path} changed into {error.kind} while sealing.") from None
    except OSError as error:
        raise SealError(f"{path} could not be read ({error.strerror or error}).") from None
    return data, os.lstat(path).st_mtime


def _entry(name: str, kind: bytes, mode: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, int(mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


# --- unsealing --------------------------------------------------------------------------------


def unseal(sealed: Path, identity_file: Path, into: Path) -> Path:
    """Open a sealed report with the coach's identity file, into a new private folder.

    Parameters
    ----------
    sealed
        The file :func:`seal` wrote.
    identity_file
        The coach's secret key: an age identity file (``AGE-SECRET-KEY-1…`` lines,
        ``#`` comments allowed, as :func:`new_identity` or ``age-keygen`` write it)
        or an OpenSSH private key without a passphrase.
    into
        The folder to create (mode 0o700). An existing empty folder is used; one with
        anything in it is refused. Its parent must exist.

    Returns ``into``. A wrong key, a damaged file or an unsafe entry (an absolute path,
    ``..``, a link, a device, too much data) raises :class:`SealError` and leaves nothing
    behind: the report is unpacked into a temporary folder that becomes ``into`` at the end.
    """
    sealed, identity_file, into = Path(sealed), Path(identity_file), Path(into)
    if not into.parent.is_dir():
        raise SealError(f"The folder {into.parent} to unpack the report in does not exist.")
    if into.is_symlink() or (into.exists() and not into.is_dir()):
        raise SealError(f"{into} already exists and is not a folder; choose a new folder name.")
    if into.is_dir() and any(into.iterdir()):
        raise SealError(
            f"The folder {into} is not empty; a report is unpacked only into a new or empty "
            "folder, so that nothing in it is overwritten. Choose a new folder name."
        )
    plain = _decrypt(sealed, read_identities(identity_file), identity_file)
    with _open_tar(plain, sealed) as tar:
        members = _safe_members(tar, sealed)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{into.name}.", suffix=".tmp", dir=into.parent))
        except OSError as error:
            raise SealError(
                f"Nothing can be unpacked in {into.parent} ({error.strerror})."
            ) from None
        try:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - Python before 3.11.4; the checks above still hold
                tar.extractall(tmp, members=members)
            for directory, _, _ in os.walk(tmp):  # the data filter leaves folders at the umask
                os.chmod(directory, 0o700)
            if into.is_dir():
                into.rmdir()  # empty, as checked; renaming onto a folder is not portable
            os.rename(tmp, into)
        except (OSError, tarfile.TarError) as error:
            shutil.rmtree(tmp, ignore_errors=True)
            raise SealError(
                f"The report in {sealed} could not be unpacked into {into} ({error}); "
                "nothing was unpacked."
            ) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return into


def open_sealed(sealed: Path, identity_file: Path) -> dict[str, bytes]:
    """The files of a sealed report, read in memory (nothing is written anywhere): name
    -> bytes, after the same checks as :func:`unseal`. For reading a report's figures
    (report.json) without unpacking it."""
    sealed, identity_file = Path(sealed), Path(identity_file)
    plain = _decrypt(sealed, read_identities(identity_file), identity_file)
    with _open_tar(plain, sealed) as tar:
        out = {}
        for member in _safe_members(tar, sealed):
            if member.isreg():
                found = tar.extractfile(member)
                out[member.name] = found.read() if found is not None else b""
        return out


def _decrypt(sealed: Path, identities: list[Identity], key_file: Path) -> bytes:
    try:
        size = sealed.stat().st_size
        if size > _MAX_SEALED_BYTES:
            raise SealError(
                f"{sealed} is {_mb(size)}, larger than any sealed report ({_mb(MAX_REPORT_BYTES)}"
                " at most); it was not opened."
            )
        data = sealed.read_bytes()
    except OSError as error:
        raise SealError(f"{sealed} could not be read ({error.strerror or error}).") from None
    if not data.startswith(_AGE_STARTS):
        raise SealError(
            f"{sealed} is not a sealed report: it is not an age-encrypted file (those start "
            "with 'age-encryption.org/v1'). Check that this is the file that was sent."
        )
    try:
        return pyrage.decrypt(data, identities)
    except pyrage.DecryptError as error:
        if "no matching keys" in str(error).lower():
            raise SealError(
                f"The key in {key_file} cannot open {sealed}: it was sealed for a different "
                "key. Check that the report was sealed for this key's public key."
            ) from None
        raise SealError(
            f"{sealed} is damaged or incomplete (perhaps cut short while copying) and could "
            "not be opened; nothing was unpacked. Ask for it to be sent again."
        ) from None


def _open_tar(plain: bytes, sealed: Path) -> tarfile.TarFile:
    """The decrypted report as a tar whose entries are all read (and so known to parse)."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(plain), mode="r:")  # noqa: SIM115 - caller closes
        tar.getmembers()
    except tarfile.TarError:
        raise SealError(
            f"{sealed} opened with the key, but what is inside is not a sealed report; "
            "nothing was unpacked."
        ) from None
    return tar


def _safe_members(tar: tarfile.TarFile, sealed: Path) -> list[tarfile.TarInfo]:
    """Every entry of the report, checked; each made private (0o600 files, 0o700 folders)."""
    members = tar.getmembers()
    problems: list[str] = []
    seen: set[str] = set()
    total = 0
    for member in members:
        name = member.name.rstrip("/")
        problem = _unsafe(member) or ("appears twice" if name in seen else None)
        if problem:
            problems.append(f"{member.name!r} {problem}")
            continue
        seen.add(name)
        total += member.size if member.isreg() else 0
        member.mode = 0o700 if member.isdir() else 0o600
        member.uid = member.gid = 0
        member.uname = member.gname = ""
    if total > MAX_REPORT_BYTES:
        problems.append(f"its files add up to {_mb(total)}, more than a report may hold")
    if problems:
        raise _listing(
            f"{sealed} holds entries that are not safe to unpack:",
            problems,
            "Nothing was unpacked.",
        )
    return members


def _unsafe(member: tarfile.TarInfo) -> str | None:
    """Why ``member`` must not be unpacked, or None."""
    name = member.name
    if not name or "\x00" in name or "\\" in name or re.match(r"[A-Za-z]:", name):
        return "is not a plain relative name"
    if PurePosixPath(name).is_absolute():
        return "is an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "reaches outside the report folder (..)"
    if member.issym() or member.islnk():
        return "is a link"
    if member.ischr() or member.isblk() or member.isfifo():
        return "is a device or pipe"
    if member.issparse() or not (member.isreg() or member.isdir()):
        return "is not a plain file or folder"
    return None


# --- shared -----------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"
