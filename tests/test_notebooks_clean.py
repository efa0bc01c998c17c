"""Notebooks are committed without outputs or widget state."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert any(nb.name == "00_start_here.ipynb" for nb in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs_or_widget_state(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: a code cell has outputs"
            assert cell.execution_count is None, f"{path.name}: a code cell has a count"
        assert "widgets" not in cell.get("metadata", {})


def test_git_filter_strips_outputs_and_widget_state(tmp_path):
    """The filter `make` configures keeps a person's runs out of commits."""
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    if shutil.which("git") is None:
        pytest.fail("git is needed for this test")
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], check=True,
                              capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "filter.nbstripout.clean", f"'{sys.executable}' -m nbstripout --keep-id")
    git("config", "filter.nbstripout.smudge", "cat")
    git("config", "filter.nbstripout.required", "true")
    shutil.copy(root / ".gitattributes", repo / ".gitattributes")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('private words')")
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", text="private words\n")]
    nb.cells = [cell]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {
        "abc": {"state": {"value": "typed into a form"}}}}}
    nbformat.write(nb, repo / "run.ipynb")
    git("add", "run.ipynb")
    staged = git("show", ":run.ipynb")
    assert "private words\\n" not in staged and "typed into a form" not in staged
    assert "print('private words')" in staged


STEPS = [p for p in NOTEBOOKS if p.name[:2].isdigit()]


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.name)
def test_guided_notebooks_open_with_their_code_hidden(path):
    """A person who has never programmed sees guidance and forms, not code."""
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code cells"
    shown = [c.source.splitlines()[0] for c in code
             if not c.metadata.get("jupyter", {}).get("source_hidden")]
    assert shown == [], f"{path.name}: code shown in {shown}"
