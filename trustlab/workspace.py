"""The person's own copies of the guided notebooks, in their journal's private workspace.

The notebooks in the repository's ``notebooks/`` are templates. JupyterLab saves outputs
(names, what the person typed, widget views) into every notebook it serves, and keeps copies
in ``.ipynb_checkpoints/``; so ``trustlab lab`` serves copies in ``JOURNAL/.trustlab/notebooks``
and what the person writes stays in their journal, never in the repository.

The workspace's manifest, ``.templates.json``, records for each notebook a fingerprint of the
template's cell sources as last copied (or offered). When a later trustlab brings a changed
template, a copy whose sources are still the old template's is replaced by the new one (its
outputs do not count: JupyterLab saves those by itself), and the old copy is kept in
``JOURNAL/.trustlab/notebooks-previous``; a copy the person edited is left as it is, and the
new template goes beside it as ``NAME (new version).ipynb``. A person's file is never
deleted, and nothing is ever read or written through a link.

Trust: a copy trustlab writes (a first copy, an update, a new version beside an edited copy)
is signed with Jupyter's notary (``nbformat.sign.NotebookNotary``), with the key and the
signature database in Jupyter's data folder (``notebook_secret`` and ``nbsignatures.db`` in
``$JUPYTER_DATA_DIR``, which ``trustlab lab`` hands JupyterLab too), so JupyterLab opens it
as trusted and says nothing about it. Only a notebook without outputs or widget state is
signed: trust decides whether a notebook's stored outputs may run their HTML and JavaScript
when it opens, so signing one that has none vouches for nothing. A copy that is still byte
for byte its template is signed too (workspaces made before copies were signed). Any other
copy (one the person edited, or one JupyterLab saved with outputs) keeps whatever trust it
has: JupyterLab signs what it saves after the person runs it, and trustlab never signs, or
unsigns, a person's own version of a notebook.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .storage import STATE_DIR, NotAFile, read_regular, utc_stamp, write_temp

if TYPE_CHECKING:
    from nbformat.sign import NotebookNotary

WORKSPACE = Path(STATE_DIR) / "notebooks"
"""The person's copies of the guided notebooks, inside the journal (JupyterLab's root)."""
PREVIOUS = Path(STATE_DIR) / "notebooks-previous"
"""Copies replaced by a new version of their template, kept with the time they were replaced."""
MANIFEST = ".templates.json"
"""Which template each copy came from (hidden: JupyterLab does not list it)."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class UnsafeFolder(Exception):
    """A folder or file trustlab would hand JupyterLab is not the person's alone."""


def check_private(path: Path, info: os.stat_result, what: str = "") -> None:
    """Refuse ``path`` unless it is the current user's and nobody else can change it.

    Where there are no user ids (Windows), there are no owners or modes to check this way.
    """
    if not hasattr(os, "getuid"):
        return
    if info.st_uid != os.getuid():
        raise UnsafeFolder(f"{path}{what} belongs to another user (uid {info.st_uid}).")
    if info.st_mode & 0o022:
        raise UnsafeFolder(f"{path}{what} can be changed by other users "
                           f"(mode {stat.S_IMODE(info.st_mode):o}); make it private: "
                           f"chmod 700 '{path}'.")


def private_dir(path: Path) -> Path:
    """Make folder ``path`` (mode 0700) unless it exists; refuse it unless it is private."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700)
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFolder(f"{path} is a symbolic link; trustlab keeps what it hands JupyterLab "
                           "only in a real folder of its own. Remove the link and try again.")
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeFolder(f"{path} is not a folder. Move it away and try again.")
    check_private(path, info)
    return path


def workspace_dir(journal: Path) -> Path:
    """Where ``journal``'s workspace is (this only names it)."""
    return journal / WORKSPACE


def notary_dir() -> Path:
    """Jupyter's data folder (``$JUPYTER_DATA_DIR``, by default ``~/.local/share/jupyter``):
    where Jupyter's notary keeps its key (``notebook_secret``) and the signatures of the
    notebooks it trusts (``nbsignatures.db``). This only names it."""
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir())


def prepare_notary_dir(folder: Path | None = None) -> Path:
    """Make Jupyter's data folder (mode 0700, as Jupyter makes it) unless it exists; refuse
    it (UnsafeFolder) if it is another user's or others can change it: whoever can write
    the notary's key can make JupyterLab trust any notebook."""
    folder = notary_dir() if folder is None else folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    check_private(folder, folder.stat(), " (Jupyter's data folder, where notebook signatures "
                  "are kept; JUPYTER_DATA_DIR)")
    return folder


@dataclass
class Workspace:
    """A prepared workspace, and what preparing it did."""

    folder: Path
    copied: list[str] = field(default_factory=list)
    """Notebooks copied from their template because the workspace had no copy."""
    updated: list[tuple[str, Path]] = field(default_factory=list)
    """(notebook, where its previous copy is kept): unedited copies given the new template."""
    offered: list[tuple[str, str]] = field(default_factory=list)
    """(notebook, the new version's name): edited copies, left alone, the new one beside."""
    signed: list[str] = field(default_factory=list)
    """Files trustlab signed as trusted (the copies and new versions it wrote, and copies
    that are still byte for byte their template)."""
    trust_problem: str | None = None
    """Why the copies could not be signed (None: nothing went wrong)."""

    def messages(self) -> list[str]:
        """One line for the person per thing done (nothing when nothing changed)."""
        lines = []
        if self.copied:
            n = len(self.copied)
            lines.append(f"trustlab: copied {n} guided notebook{'s' if n != 1 else ''} "
                         "into your notebooks folder.")
        lines += [f"trustlab: {name} has a new version; your copy had no changes of yours, so "
                  f"it now has the new one (the old copy is kept as {kept})."
                  for name, kept in self.updated]
        lines += [f"trustlab: {name} has a new version; your copy has your own changes, so it "
                  f"is left as it is, and the new version is beside it as '{new}'."
                  for name, new in self.offered]
        if self.trust_problem:
            lines.append(f"trustlab: could not mark the copies of the notebooks as trusted "
                         f"({self.trust_problem}); JupyterLab may say they are not trusted "
                         "until you have run them once, which does no harm.")
        return lines


def prepare_workspace(
    journal: Path, templates: Path, *, notary_folder: Path | None = None
) -> Workspace:
    """Make ``journal``'s private workspace and bring its copies of ``templates`` up to date.

    Only the ``*.ipynb`` files directly in ``templates`` are templates (not conftest.py, not
    checkpoints, not hidden files). Each folder is made 0700 and each copy 0600, written to a
    new temporary file and renamed into place. The copies trustlab writes are signed as
    trusted with the notary key in ``notary_folder`` (Jupyter's data folder, see
    :func:`notary_dir`; JupyterLab must use the same). Raises UnsafeFolder if a folder is a
    link, another user's or writable by others, or if a notebook's place holds a link or a
    folder.
    """
    folder = journal
    for part in WORKSPACE.parts:
        folder = private_dir(folder / part)
    workspace = Workspace(folder)
    manifest = _read_manifest(folder / MANIFEST)
    recorded = dict(manifest)
    ours: dict[str, bytes] = {}  # file name: the template bytes it holds, to be signed
    for template in _templates(templates):
        data = template.read_bytes()
        manifest[template.name] = _bring_up_to_date(workspace, journal, template.name, data,
                                                    manifest.get(template.name), ours)
    if manifest != recorded:
        _write(folder / MANIFEST, json.dumps({"notebooks": manifest}, indent=1).encode())
    if ours:
        _sign(workspace, ours, prepare_notary_dir(notary_folder))
    return workspace


def _bring_up_to_date(
    workspace: Workspace,
    journal: Path,
    name: str,
    data: bytes,
    recorded: str | None,
    ours: dict[str, bytes],
) -> str:
    """Bring the copy of template ``name`` (its bytes: ``data``) up to date; return the
    fingerprint to record for it. Each file that now holds the template's bytes goes into
    ``ours`` (to be signed)."""
    new = fingerprint(data)
    copy = workspace.folder / name
    current = _read(copy)
    if current is None:  # none yet, or the person removed it: a fresh copy
        _write(copy, data)
        workspace.copied.append(name)
        ours[name] = data
        return new
    mine = fingerprint(current)
    if new in (recorded, mine):  # the template has not changed, or the copy already has it
        if current == data:  # still the template itself, never saved by JupyterLab
            ours[name] = data
        return new
    if mine == recorded:  # an unedited copy of the old template: give it the new one
        kept = _keep_previous(copy, private_dir(journal / PREVIOUS))
        _write(copy, data)
        workspace.updated.append((name, kept))
        ours[name] = data
        return new
    # The person changed it (or trustlab cannot tell): theirs stays, the new one goes beside.
    beside = workspace.folder / f"{Path(name).stem} (new version).ipynb"
    offered = _read(beside)
    if offered is None or fingerprint(offered) != new:
        if offered is not None:  # an earlier new version, perhaps edited too: kept
            _keep_previous(beside, private_dir(journal / PREVIOUS))
        _write(beside, data)
        workspace.offered.append((name, beside.name))
        offered = data
    if offered == data:
        ours[beside.name] = data
    return new


def _sign(workspace: Workspace, files: dict[str, bytes], notary_folder: Path) -> None:
    """Sign each of ``files`` (name: the template bytes it holds) that has nothing to trust
    (no outputs, no widget state) and is not signed yet, as JupyterLab's notary checks it."""
    notebooks = {name: nb for name, data in files.items()
                 if (nb := _notebook(data)) is not None and not _has_outputs(nb)}
    if not notebooks:
        return
    try:
        with _notary(notary_folder) as notary:
            for name, nb in notebooks.items():
                if not notary.check_signature(nb):
                    notary.sign(nb)
                    workspace.signed.append(name)
    except (OSError, sqlite3.Error) as error:  # a read-only data folder, a locked database ...
        workspace.trust_problem = str(error)


def _notary(folder: Path) -> NotebookNotary:
    """Jupyter's notary with its key and signatures in ``folder`` (as JupyterLab's, given
    ``JUPYTER_DATA_DIR=folder``)."""
    from nbformat.sign import NotebookNotary

    return NotebookNotary(data_dir=str(folder))


def _notebook(data: bytes) -> Any:
    """``data`` read as JupyterLab reads a notebook (None if it is not one)."""
    import nbformat

    try:
        return nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception:  # not JSON, not a notebook, an unknown version ...
        return None


def _has_outputs(nb: Any) -> bool:
    """Whether notebook ``nb`` stores outputs or widget state (what trust lets run)."""
    return "widgets" in nb.get("metadata", {}) or any(
        cell.get("outputs") for cell in nb.get("cells", [])
    )


def fingerprint(data: bytes) -> str:
    """A hash of a notebook's cell types and sources (outputs, ids and metadata left out).

    Bytes that are not a notebook get a hash of the bytes, which no notebook's can equal.
    """
    try:
        cells = json.loads(data.decode("utf-8"))["cells"]
        sources = [[c["cell_type"], "".join(c["source"]) if isinstance(c["source"], list)
                    else c["source"]] for c in cells]
    except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
        return "bytes:" + hashlib.sha256(data).hexdigest()
    text = json.dumps(sources, ensure_ascii=False, separators=(",", ":"))
    return "sources:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _templates(folder: Path) -> list[Path]:
    """The templates: the regular ``*.ipynb`` files directly in ``folder``, not hidden ones."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb")
                  if not p.name.startswith(".") and p.is_file() and not p.is_symlink())


def _read(path: Path) -> bytes | None:
    """The bytes of regular file ``path`` (None if there is none); never through a link."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except NotAFile as error:
        raise UnsafeFolder(f"{path} is {error.kind}; trustlab serves only notebooks it copied "
                           "there itself. Move it away and try again.") from None


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` (mode 0600): a new temporary file, renamed into place.

    The rename replaces a link there instead of writing through it. (A copy lost in a crash
    is copied again on the next start, so the folder is not fsynced.)
    """
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _keep_previous(path: Path, previous: Path) -> Path:
    """Keep a copy of ``path`` in ``previous``, named with the time; return where it is."""
    kept = previous / f"{path.stem}.{utc_stamp()}{path.suffix}"
    try:
        os.link(path, kept, follow_symlinks=False)  # the same file: nothing to copy
    except OSError:
        _write(kept, _read(path) or b"")
    return kept


def _read_manifest(path: Path) -> dict[str, str]:
    """The recorded fingerprints ({} if there is no manifest, or it cannot be read)."""
    data = _read(path)
    try:
        notebooks = json.loads(data.decode("utf-8"))["notebooks"] if data else {}
    except (ValueError, KeyError, TypeError):
        return {}  # then an edited-looking copy gets the new version beside it: nothing lost
    if not isinstance(notebooks, dict):
        return {}
    return {k: v for k, v in notebooks.items() if isinstance(k, str) and isinstance(v, str)}
