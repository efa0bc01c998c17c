"""The browser harness works end to end: JupyterLab, a kernel, widget forms, charts, offline.

Each test writes its own throwaway notebook into the server's temp notebooks folder.
"""

from __future__ import annotations

import csv
from pathlib import Path

import lab
import nbformat
import pytest

FORMS_SETUP = "import trustlab\nfrom trustlab import forms\njournal = trustlab.open_journal()"
MARBLES_FORM = 'marbles_form = forms.entry_form(journal, "marbles")\nmarbles_form'
STEPS_FORM = 'steps_form = forms.entry_form(journal, "steps")\nsteps_form'
NO_READOUT = (
    "import ipywidgets as widgets\n"
    'widgets.IntSlider(description="No readout", min=0, max=10, readout=False)'
)


def write_notebook(folder: Path, name: str, *sources: str) -> str:
    """Write a notebook of code cells into ``folder``; return its name."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }  # fmt: skip
    nbformat.write(notebook, folder / name)
    return name


def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def new_rows(path: Path, before: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows of ``path`` whose id was not there before, without the id."""
    known = {row["id"] for row in before}
    return [
        {k: v for k, v in row.items() if k != "id"}
        for row in read_rows(path)
        if row["id"] not in known
    ]


@pytest.fixture(scope="module")
def forms_notebook(lab_server) -> str:
    """Two forms that share the labels Date and Person, in separate cells, and a slider."""
    return write_notebook(
        lab_server.notebooks, "harness_forms.ipynb",
        FORMS_SETUP, MARBLES_FORM, STEPS_FORM, NO_READOUT,
    )  # fmt: skip


def test_fill_and_save_a_form_writes_the_row(
    lab_server, forms_notebook, browser_page, blocked_requests, artifacts
):
    page = browser_page
    marbles_csv = lab_server.journal / "marbles.csv"
    before = read_rows(marbles_csv)
    assert before, "the sample journal should already have marbles"

    lab.open_notebook(page, lab_server, forms_notebook)
    lab.run_all(page)
    form = lab.cell_output(page, MARBLES_FORM)
    moment = 'Kept what I told her to herself, "word for word".\nZoë noticed — שלום 💛'
    lab.set_date(page, "Date", "2026-03-14", within=form)
    lab.fill_text(page, "Person", "Priya", within=form)
    lab.set_slider(page, "Marbles", 3, within=form)
    lab.fill_text(page, "The moment", moment, within=form)
    lab.choose_dropdown(page, "BRAVING element", "vault", within=form)
    lab.screenshot(page, artifacts / "harness_form.png")
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)
    lab.screenshot(page, artifacts / "harness_form_saved.png", within=form)

    assert new_rows(marbles_csv, before) == [
        {"date": "2026-03-14", "person": "Priya", "marbles": "3", "moment": moment,
         "braving": "vault"},
    ]  # fmt: skip
    assert blocked_requests == []


def test_toggle_buttons_in_a_second_form_with_the_same_labels(
    lab_server, forms_notebook, browser_page, blocked_requests
):
    page = browser_page
    steps_csv = lab_server.journal / "steps.csv"
    before = read_rows(steps_csv)

    lab.open_notebook(page, lab_server, forms_notebook)
    lab.run_all(page)
    with pytest.raises(Exception, match="strict mode violation"):
        lab.fill_text(page, "Person", "Sam")  # both forms have a Person field: say which
    form = lab.cell_output(page, STEPS_FORM)
    lab.set_date(page, "Date", "2026-03-15", within=form)
    lab.fill_text(page, "Person", "Sam", within=form)
    lab.choose_toggle(page, "Gave or asked", "asked", within=form)
    lab.fill_text(page, "The step", "Asked him to call when he is late", within=form)
    lab.choose_toggle(page, "Their response", "pending", within=form)
    lab.click_button(page, "Save", within=form)
    lab.wait_for_text(page, "Saved in your journal", within=form)

    assert new_rows(steps_csv, before) == [
        {"date": "2026-03-15", "person": "Sam", "kind": "asked",
         "step": "Asked him to call when he is late", "response": "pending", "note": ""},
    ]  # fmt: skip
    lab.set_slider(page, "No readout", 7)  # moved with the arrow keys
    other_person = lab.widget_by_label(page, "Person", within=lab.cell_output(page, MARBLES_FORM))
    assert other_person.locator("input").input_value() == "", "the other form was filled"
    assert blocked_requests == []


def test_an_altair_chart_is_drawn_offline(lab_server, browser_page, blocked_requests):
    page = browser_page
    name = write_notebook(
        lab_server.notebooks,
        "harness_chart.ipynb",
        'import altair as alt\nimport pandas as pd\nalt.renderers.enable("svg")',
        'alt.Chart(pd.DataFrame({"day": [1, 2, 3], "marbles": [1, 3, 2]}))'
        '.mark_line().encode(x="day", y="marbles")',
    )
    lab.open_notebook(page, lab_server, name)
    lab.run_all(page)
    chart = lab.chart_drawn(page)
    assert "svg" in chart.evaluate("e => e.tagName === 'IMG' ? e.src.slice(0, 40) : e.tagName")
    assert blocked_requests == []


def test_an_empty_journal_gets_its_first_entry(start_lab, browser_page, blocked_requests):
    server = start_lab(notebooks=None, journal=None)
    assert list(server.journal.iterdir()) == []
    name = write_notebook(server.notebooks, "first.ipynb", FORMS_SETUP, MARBLES_FORM)
    page = browser_page
    lab.open_notebook(page, server, name)
    lab.run_all(page)
    # Nobody is in the journal yet: the person is added on the spot, from the form.
    lab.fill_text(page, "Person", "Alex")
    lab.wait_for_text(page, "is not one of your people")
    lab.click_button(page, "Someone new…")
    lab.wait_for_text(page, "Add a person to your people")
    lab.choose_dropdown(page, "Relationship", "friend")
    lab.click_button(page, "Add to my people")
    lab.wait_for_text(page, "Alex is now in your people, and chosen here")
    lab.click_button(page, "Save")
    lab.wait_for_text(page, "Saved in your journal (marbles.csv)")

    assert [row["person"] for row in read_rows(server.journal / "people.csv")] == ["Alex"]
    rows = read_rows(server.journal / "marbles.csv")
    assert [(row["person"], row["marbles"], row["braving"]) for row in rows] == [("Alex", "1", "")]
    assert blocked_requests == []


def test_requests_that_leave_the_machine_are_blocked(browser_page, blocked_requests):
    page = browser_page
    page.set_content("<p>offline</p>")
    outcome = page.evaluate(
        "fetch('https://cdn.jsdelivr.net/npm/vega@5', {mode: 'no-cors'})"
        ".then(() => 'fetched', () => 'blocked')"
    )
    assert outcome == "blocked"
    assert blocked_requests == ["https://cdn.jsdelivr.net/npm/vega@5"]
