"""Every guided notebook runs, against a copy of the sample journal and an empty one.

`pytest --nbval-lax notebooks/` runs each on a copy of the sample journal (see
notebooks/conftest.py); here they run on an empty journal, and the outputs that
matter are checked on the sample.
"""

from __future__ import annotations

from html import escape as html_escape
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from trustlab import charts
from trustlab.journal import inspect_journal
from trustlab.sample import write_sample

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
STEPS = [nb for nb in NOTEBOOKS if nb.name[:2] in {"01", "02", "03", "04", "05"}]


def run(path: Path, journal: Path, monkeypatch) -> nbformat.NotebookNode:
    monkeypatch.setenv("TRUSTLAB_JOURNAL", str(journal))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs(nb, mime: str = "text/plain") -> str:
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                found.append(out["text"])
            found.append(str(out.get("data", {}).get(mime, "")))
    return "\n".join(found)


def errors(nb) -> list[str]:
    return [f"{o['ename']}: {o['evalue']}" for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error"]


@pytest.fixture
def sample_copy(tmp_path):
    journal = tmp_path / "sample"
    write_sample(journal)
    return journal


def test_the_step_notebooks_are_all_there():
    assert [nb.name[:2] for nb in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_on_an_empty_journal(path, tmp_path, monkeypatch):
    journal = tmp_path / "empty"
    nb = run(path, journal, monkeypatch)
    assert errors(nb) == []
    html = outputs(nb, "text/html")
    assert "It is empty for now" in html
    assert sorted(p.name for p in journal.iterdir() if p.suffix == ".csv") == []


def unchanged(journal: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in journal.glob("*.csv")}


def test_start_here_shows_the_sample_counts(sample_copy, monkeypatch):
    before = unchanged(sample_copy)
    nb = run(ROOT / "notebooks" / "00_start_here.ipynb", sample_copy, monkeypatch)
    assert errors(nb) == []
    html = outputs(nb, "text/html")
    assert "<td>People</td><td style=\"text-align:right\">7</td>" in html
    assert "<td>Marble jar</td><td style=\"text-align:right\">209</td>" in html
    assert "red_flags" not in html and "{'" not in outputs(nb)  # no internal names, no dict
    assert "entries so far" in html
    assert unchanged(sample_copy) == before


def test_trends_notebook_draws_the_dashboard_offline(sample_copy, monkeypatch):
    before = unchanged(sample_copy)
    nb = run(ROOT / "notebooks" / "06_trust_trends.ipynb", sample_copy, monkeypatch)
    assert errors(nb) == []
    assert unchanged(sample_copy) == before
    html = outputs(nb, "text/html")
    # The dashboard: a Vega spec for JupyterLab to draw itself (no script, no CDN, no
    # URL to load), described for screen readers by its title.
    [vega] = [o["data"][charts.VEGA_MIMETYPE] for c in nb.cells for o in c.get("outputs", [])
              if charts.VEGA_MIMETYPE in o.get("data", {})]
    assert vega["description"].startswith("Chart: Your trust journal at a glance")
    assert "Chart: Your trust journal at a glance" in outputs(nb)
    assert all("url" not in data for data in vega["data"]) and len(vega["data"]) > 5
    assert "cdn.jsdelivr" not in html and "<script" not in html
    assert "Sam" in html  # the insights name the people


def test_a_journal_with_problems_shows_them_instead_of_a_traceback(tmp_path, monkeypatch):
    journal = tmp_path / "broken"
    journal.mkdir()
    (journal / "marbles.csv").write_text("date,person,marbles,moment,braving\n"
                                         "2024-02-30,Sam,2,hi,\n", "utf-8")
    nb = run(ROOT / "notebooks" / "00_start_here.ipynb", journal, monkeypatch)
    html = outputs(nb, "text/html")
    assert "could not open" in html and "2024-02-30" in html
    assert "Traceback" not in outputs(nb)
    [problem] = [p for p in inspect_journal(journal).problems if p.level == "error"]
    assert html_escape(problem.message[1:]) in html  # the whole message, never cut short
    assert problem.code not in html  # no internal codes


def test_notebooks_never_name_the_sample_folder():
    for path in NOTEBOOKS:
        assert "data/sample" not in path.read_text("utf-8"), path.name


def test_every_step_notebook_says_it_is_not_therapy():
    for path in NOTEBOOKS:
        text = path.read_text("utf-8")
        assert "not therapy" in text and "988" in text, path.name


def test_sample_copy_is_labelled(tmp_path, monkeypatch):
    from trustlab.workbook import copy_sample

    journal = copy_sample(tmp_path / "sample-journal")
    before = unchanged(journal)
    nb = run(ROOT / "notebooks" / "05_marble_jar.ipynb", journal, monkeypatch)
    assert errors(nb) == []
    assert "Sample journal." in outputs(nb, "text/html")
    assert unchanged(journal) == before
    assert journal.resolve() != (ROOT / "data" / "sample").resolve()


def test_a_step_shows_what_the_coach_wrote_about_it(sample_copy, monkeypatch):
    nb = run(ROOT / "notebooks" / "05_marble_jar.ipynb", sample_copy, monkeypatch)
    assert errors(nb) == []
    html = outputs(nb, "text/html")
    assert "From your coach" in html and "in small, ordinary ways" in html
    assert "That is self-trust growing" not in html  # a note about step 3, not this one
