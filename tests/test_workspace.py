"""The person's own copies of the guided notebooks, in their journal's private workspace.

``prepare_workspace`` copies the templates (the ``*.ipynb`` files of ``notebooks/``) into
``JOURNAL/.trustlab/notebooks`` the first time, and when a template changes it updates a copy
the person did not edit (keeping the old one) or puts the new version beside one they did.
The copies it writes are signed as trusted with Jupyter's notary (as ``jupyter trust`` would),
so JupyterLab opens them without "not trusted"; the person's own versions keep whatever trust
they have.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from trustlab import cli
from trustlab import workspace as workspace_module
from trustlab.lab import START_NOTEBOOK
from trustlab.workspace import (
    MANIFEST,
    UnsafeFolder,
    fingerprint,
    notary_dir,
    prepare_workspace,
    workspace_dir,
)

needs_uids = pytest.mark.skipif(not hasattr(os, "getuid"), reason="no user ids here")
needs_symlinks = pytest.mark.skipif(os.name != "posix", reason="symbolic links need POSIX")


def notebook(*sources: str, outputs: list | None = None) -> bytes:
    """A notebook with one markdown cell and a code cell per source (as JupyterLab saves)."""
    cells = [{"cell_type": "markdown", "id": "intro", "metadata": {},
              "source": ["# A step\n", "Some guidance."]}]
    cells += [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
               "outputs": outputs or [], "source": source}
              for i, source in enumerate(sources)]
    data = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(data, indent=1).encode("utf-8")


def ran(data: bytes, text: str) -> bytes:
    """``data`` as JupyterLab saves it after a run: outputs (with ``text``), counts, ids."""
    nb = json.loads(data)
    for count, cell in enumerate(nb["cells"], start=1):
        cell["id"] = f"new-{count}"
        cell["metadata"] = {"scrolled": True}
        if cell["cell_type"] == "code":
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                                "data": {"text/html": [f"<li>{text}</li>"]}}]
            cell["source"] = "".join(cell["source"])  # a string instead of a list of lines
    nb["metadata"]["widgets"] = {"state": {"value": text}}
    return json.dumps(nb, indent=1).encode("utf-8")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def templates(tmp_path) -> Path:
    """A templates folder like notebooks/: two notebooks, and files that are not templates."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "00_start.ipynb").write_bytes(notebook("journal = start()"))
    (folder / "05_jar.ipynb").write_bytes(notebook("jar = section(journal)"))
    (folder / "conftest.py").write_text("import os\n", "utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "05_jar-checkpoint.ipynb").write_bytes(notebook("old"))
    (folder / ".hidden.ipynb").write_bytes(notebook("hidden"))
    return folder


@pytest.fixture
def journal(tmp_path) -> Path:
    folder = tmp_path / "journal"
    folder.mkdir(mode=0o700)
    return folder


@pytest.fixture(autouse=True)
def jupyter_data(tmp_path, monkeypatch) -> Path:
    """Jupyter's data folder (the notary's key and signatures): a temp one, never the real."""
    folder = tmp_path / "jupyter-data"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(folder))
    return folder


def trusted(path: Path, data_dir: Path) -> bool:
    """Whether JupyterLab, with ``JUPYTER_DATA_DIR=data_dir``, trusts the notebook at ``path``
    (what ``jupyter trust --check`` says; JupyterLab's contents manager checks the same way)."""
    import nbformat
    from nbformat.sign import NotebookNotary

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # a new one makes a new key
    with NotebookNotary(data_dir=str(data_dir)) as notary:
        return notary.check_signature(nbformat.read(path, as_version=4))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative name: bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the first run ---------------------------------------------------------------------------


def test_the_first_run_copies_the_templates_privately(journal, templates):
    workspace = prepare_workspace(journal, templates)
    folder = journal / ".trustlab" / "notebooks"
    assert workspace.folder == folder == workspace_dir(journal)
    assert workspace.copied == ["00_start.ipynb", "05_jar.ipynb"]
    assert workspace.updated == workspace.offered == []
    for name in workspace.copied:
        assert (folder / name).read_bytes() == (templates / name).read_bytes()
    # only the notebooks themselves: no conftest.py, no checkpoints, no hidden files
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "00_start.ipynb",
                                                        "05_jar.ipynb"]
    assert workspace.messages() == ["trustlab: copied 2 guided notebooks into your notebooks "
                                    "folder."]
    if os.name == "posix":
        assert mode(journal / ".trustlab") == mode(folder) == 0o700
        assert {mode(p) for p in folder.iterdir()} == {0o600}
    assert not list(folder.glob(".*.tmp"))


def test_the_guided_notebooks_are_the_templates(journal):
    templates = cli.notebooks_dir()
    folder = prepare_workspace(journal, templates).folder
    names = sorted(p.name for p in folder.glob("*.ipynb"))
    assert names == sorted(p.name for p in templates.glob("*.ipynb"))
    assert START_NOTEBOOK in names
    assert not (folder / "conftest.py").exists()


def test_nothing_changes_while_the_templates_do_not(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    jar = folder / "05_jar.ipynb"
    jar.write_bytes(ran(jar.read_bytes(), "Sam kept his word"))  # JupyterLab's autosave
    (folder / "my notes.ipynb").write_bytes(notebook("print('mine')"))
    before = tree(journal)
    again = prepare_workspace(journal, templates)
    assert (again.copied, again.updated, again.offered, again.messages()) == ([], [], [], [])
    assert tree(journal) == before


def test_a_missing_copy_is_copied_again(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    (folder / "05_jar.ipynb").unlink()
    assert prepare_workspace(journal, templates).copied == ["05_jar.ipynb"]
    assert (folder / "05_jar.ipynb").read_bytes() == (templates / "05_jar.ipynb").read_bytes()


# --- a new version of a template -------------------------------------------------------------


def test_an_unedited_copy_gets_the_new_template_and_the_old_copy_is_kept(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    jar = folder / "05_jar.ipynb"
    autosaved = ran(jar.read_bytes(), "Sam kept his word")  # outputs are not an edit
    jar.write_bytes(autosaved)
    new = notebook("jar = section(journal, charts=[marble_jar])")
    (templates / "05_jar.ipynb").write_bytes(new)

    workspace = prepare_workspace(journal, templates)
    assert jar.read_bytes() == new
    ((name, kept),) = workspace.updated
    assert name == "05_jar.ipynb" and kept.read_bytes() == autosaved
    previous = journal / ".trustlab" / "notebooks-previous"
    assert kept.parent == previous and kept.name.startswith("05_jar.")
    assert kept.suffix == ".ipynb"
    assert workspace.offered == [] and workspace.copied == []
    (line,) = workspace.messages()
    assert "05_jar.ipynb has a new version" in line and str(kept) in line
    if os.name == "posix":
        assert mode(previous) == 0o700 and mode(kept) == 0o600 and mode(jar) == 0o600
    assert not (folder / "05_jar (new version).ipynb").exists()
    # and the next start has nothing to do
    assert prepare_workspace(journal, templates).messages() == []


def test_an_edited_copy_is_kept_and_the_new_version_put_beside_it(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    jar = folder / "05_jar.ipynb"
    edited = ran(notebook("jar = section(journal)", "# my own note: Sam"), "Sam")
    jar.write_bytes(edited)
    new = notebook("jar = section(journal, charts=[marble_jar])")
    (templates / "05_jar.ipynb").write_bytes(new)

    workspace = prepare_workspace(journal, templates)
    beside = folder / "05_jar (new version).ipynb"
    assert jar.read_bytes() == edited
    assert beside.read_bytes() == new
    assert workspace.offered == [("05_jar.ipynb", beside.name)]
    assert workspace.updated == [] and workspace.copied == []
    (line,) = workspace.messages()
    assert "your own changes" in line and "'05_jar (new version).ipynb'" in line
    if os.name == "posix":
        assert mode(beside) == 0o600
    # offered once: the next start says nothing and changes nothing
    before = tree(journal)
    assert prepare_workspace(journal, templates).messages() == []
    assert tree(journal) == before

    # A third version: the person's copy still stays; the earlier new version is kept too.
    beside.write_bytes(ran(new, "tried it"))
    newer = notebook("jar = section(journal, charts=[marble_jar, balance])")
    (templates / "05_jar.ipynb").write_bytes(newer)
    workspace = prepare_workspace(journal, templates)
    assert jar.read_bytes() == edited and beside.read_bytes() == newer
    kept = list((journal / ".trustlab" / "notebooks-previous").iterdir())
    assert [p.read_bytes() for p in kept] == [ran(new, "tried it")]
    assert workspace.offered == [("05_jar.ipynb", beside.name)]


def test_a_copy_that_already_has_the_new_sources_is_left_alone(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    new = notebook("jar = section(journal, charts=[marble_jar])")
    mine = ran(new, "Sam")
    (folder / "05_jar.ipynb").write_bytes(mine)
    (templates / "05_jar.ipynb").write_bytes(new)
    workspace = prepare_workspace(journal, templates)
    assert workspace.messages() == []
    assert (folder / "05_jar.ipynb").read_bytes() == mine


def test_without_a_manifest_a_differing_copy_counts_as_edited(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    (folder / MANIFEST).write_text("{not json", "utf-8")
    old = (folder / "05_jar.ipynb").read_bytes()
    (templates / "05_jar.ipynb").write_bytes(notebook("changed"))
    workspace = prepare_workspace(journal, templates)
    assert (folder / "05_jar.ipynb").read_bytes() == old  # nothing is lost when unsure
    assert workspace.offered == [("05_jar.ipynb", "05_jar (new version).ipynb")]
    assert json.loads((folder / MANIFEST).read_text("utf-8"))["notebooks"] == {
        name: fingerprint((templates / name).read_bytes())
        for name in ("00_start.ipynb", "05_jar.ipynb")
    }


def test_a_copy_that_is_not_a_notebook_is_never_replaced(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    (folder / "05_jar.ipynb").write_bytes(b"\x00 half-written")
    (templates / "05_jar.ipynb").write_bytes(notebook("changed"))
    workspace = prepare_workspace(journal, templates)
    assert (folder / "05_jar.ipynb").read_bytes() == b"\x00 half-written"
    assert [name for name, _ in workspace.offered] == ["05_jar.ipynb"]


def test_the_fingerprint_is_the_cells_sources_only():
    template = notebook("a = 1", "b = 2")
    assert fingerprint(ran(template, "words")) == fingerprint(template)
    assert fingerprint(notebook("a = 1", "b = 3")) != fingerprint(template)
    assert fingerprint(notebook("a = 1")) != fingerprint(template)
    assert fingerprint(b"not json").startswith("bytes:")


# --- trust ------------------------------------------------------------------------------------


def test_the_copies_are_signed_as_trusted(journal, templates, jupyter_data):
    assert notary_dir() == jupyter_data
    workspace = prepare_workspace(journal, templates)
    folder = workspace.folder
    assert workspace.signed == ["00_start.ipynb", "05_jar.ipynb"]
    assert trusted(folder / "00_start.ipynb", jupyter_data)
    assert trusted(folder / "05_jar.ipynb", jupyter_data)
    # in Jupyter's data folder, where JupyterLab's notary looks; nothing in the workspace
    assert {p.name for p in jupyter_data.iterdir()} == {"notebook_secret", "nbsignatures.db"}
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "00_start.ipynb",
                                                        "05_jar.ipynb"]
    if os.name == "posix":
        assert mode(jupyter_data) == 0o700 and mode(jupyter_data / "notebook_secret") == 0o600
    # another notary (another key) trusts nothing of it: signing is per person and machine
    assert not trusted(folder / "05_jar.ipynb", jupyter_data.parent / "elsewhere")
    # once signed, nothing more to do
    assert prepare_workspace(journal, templates).signed == []


def test_the_notary_folder_can_be_named(journal, templates, tmp_path, jupyter_data):
    other = tmp_path / "lab-data"
    workspace = prepare_workspace(journal, templates, notary_folder=other)
    assert trusted(workspace.folder / "05_jar.ipynb", other)
    assert not jupyter_data.exists()


def test_an_updated_copy_is_signed(journal, templates, jupyter_data):
    folder = prepare_workspace(journal, templates).folder
    new = notebook("jar = section(journal, charts=[marble_jar])")
    (templates / "05_jar.ipynb").write_bytes(new)
    workspace = prepare_workspace(journal, templates)
    assert [name for name, _ in workspace.updated] == ["05_jar.ipynb"]
    assert workspace.signed == ["05_jar.ipynb"]
    assert (folder / "05_jar.ipynb").read_bytes() == new
    assert trusted(folder / "05_jar.ipynb", jupyter_data)


def test_an_edited_copy_keeps_its_own_trust_and_the_new_version_is_signed(
    journal, templates, jupyter_data
):
    """The person's own version is theirs: trustlab signs only what it wrote itself, and
    never signs (or unsigns) an edited copy, whatever is in it."""
    folder = prepare_workspace(journal, templates).folder
    jar = folder / "05_jar.ipynb"
    edited = ran(notebook("jar = section(journal)", "# my own note: Sam"), "Sam")
    jar.write_bytes(edited)
    assert not trusted(jar, jupyter_data)
    (templates / "05_jar.ipynb").write_bytes(notebook("jar = section(journal, charts=[c])"))
    workspace = prepare_workspace(journal, templates)
    beside = folder / "05_jar (new version).ipynb"
    assert workspace.signed == [beside.name]
    assert trusted(beside, jupyter_data)
    assert jar.read_bytes() == edited and not trusted(jar, jupyter_data)
    assert prepare_workspace(journal, templates).signed == []
    assert not trusted(jar, jupyter_data)


def test_a_copy_jupyterlab_saved_with_outputs_is_not_signed_by_trustlab(
    journal, templates, jupyter_data
):
    folder = prepare_workspace(journal, templates).folder
    jar = folder / "05_jar.ipynb"
    jar.write_bytes(ran(jar.read_bytes(), "<script>alert(1)</script>"))  # same sources
    assert not trusted(jar, jupyter_data)
    assert prepare_workspace(journal, templates).signed == []
    assert not trusted(jar, jupyter_data)


def test_an_unsigned_copy_that_is_still_its_template_is_signed(journal, templates, tmp_path):
    """A workspace made before copies were signed: its untouched copies are signed now."""
    before = tmp_path / "before"  # copied with another key, as if never signed here
    folder = prepare_workspace(journal, templates, notary_folder=before).folder
    after = tmp_path / "after"
    assert not trusted(folder / "05_jar.ipynb", after)
    workspace = prepare_workspace(journal, templates, notary_folder=after)
    assert workspace.copied == [] and workspace.signed == ["00_start.ipynb", "05_jar.ipynb"]
    assert trusted(folder / "05_jar.ipynb", after)


def test_a_template_with_outputs_is_copied_but_not_signed(journal, templates, jupyter_data):
    """Trust lets a notebook's stored outputs run; trustlab vouches only for none."""
    (templates / "05_jar.ipynb").write_bytes(ran(notebook("x = 1"), "<script></script>"))
    workspace = prepare_workspace(journal, templates)
    assert workspace.copied == ["00_start.ipynb", "05_jar.ipynb"]
    assert workspace.signed == ["00_start.ipynb"]
    assert not trusted(workspace.folder / "05_jar.ipynb", jupyter_data)


def test_copies_that_cannot_be_signed_are_still_copied(journal, templates, monkeypatch):
    def broken(folder):
        raise PermissionError(13, "Permission denied", str(folder / "nbsignatures.db"))

    monkeypatch.setattr(workspace_module, "_notary", broken)
    workspace = prepare_workspace(journal, templates)
    assert workspace.copied == ["00_start.ipynb", "05_jar.ipynb"] and workspace.signed == []
    assert "could not mark the copies of the notebooks as trusted" in workspace.messages()[-1]
    assert "Permission denied" in workspace.messages()[-1]


@needs_uids
def test_a_notary_folder_other_users_can_change_is_refused(journal, templates, jupyter_data):
    jupyter_data.mkdir(mode=0o700)
    jupyter_data.chmod(0o777)  # whoever can write the key can make JupyterLab trust anything
    with pytest.raises(UnsafeFolder, match="other users"):
        prepare_workspace(journal, templates)
    assert list(jupyter_data.iterdir()) == []


# --- nothing another user can plant -----------------------------------------------------------


@needs_symlinks
@pytest.mark.parametrize("name", ["05_jar.ipynb", "05_jar (new version).ipynb", MANIFEST])
def test_a_planted_symlink_in_the_workspace_is_refused(journal, templates, tmp_path, name):
    folder = prepare_workspace(journal, templates).folder
    (folder / "05_jar.ipynb").write_bytes(notebook("edited"))  # so a new version goes beside
    (templates / "05_jar.ipynb").write_bytes(notebook("changed"))
    victim = tmp_path / "victim.ipynb"
    victim.write_bytes(b"someone else's file")
    (folder / name).unlink(missing_ok=True)
    (folder / name).symlink_to(victim)
    with pytest.raises(UnsafeFolder, match="symbolic link"):
        prepare_workspace(journal, templates)
    assert victim.read_bytes() == b"someone else's file"
    assert (folder / name).is_symlink()


@needs_symlinks
@pytest.mark.parametrize("link", [".trustlab", ".trustlab/notebooks",
                                  ".trustlab/notebooks-previous"])
def test_a_symlinked_workspace_folder_is_refused(journal, templates, tmp_path, link):
    folder = prepare_workspace(journal, templates).folder
    copy = (folder / "05_jar.ipynb").read_bytes()
    (templates / "05_jar.ipynb").write_bytes(notebook("changed"))  # the old copy is to be kept
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = journal / link
    if target.exists():
        target.rename(tmp_path / "moved-away")
    target.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(UnsafeFolder, match="symbolic link"):
        prepare_workspace(journal, templates)
    assert list(elsewhere.iterdir()) == []
    if link.endswith("previous"):  # refused before the copy it was to keep was replaced
        assert (folder / "05_jar.ipynb").read_bytes() == copy


@needs_uids
def test_a_workspace_other_users_can_change_is_refused(journal, templates):
    folder = prepare_workspace(journal, templates).folder
    folder.chmod(0o777)
    try:
        with pytest.raises(UnsafeFolder, match="other users"):
            prepare_workspace(journal, templates)
    finally:
        folder.chmod(0o700)


@needs_uids
@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can give a folder to another user")
def test_a_workspace_of_another_user_is_refused(journal, templates):
    folder = workspace_dir(journal)
    folder.mkdir(mode=0o700, parents=True)
    os.chown(folder, 65534, -1)
    with pytest.raises(UnsafeFolder, match="belongs to another user"):
        prepare_workspace(journal, templates)
    assert list(folder.iterdir()) == []
