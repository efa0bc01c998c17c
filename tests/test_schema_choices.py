"""One schema behind every label (issue 11): a new choice value is one edit in schema.py.

Each test adds a value to a copy of the schema (a fifth response to a small step, a fifth
origin of a trigger) and finds it, in its own words and colour, in the entry form, in a
chart's legend, in the report and in data/README.md's table of the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest

from trustlab import charts, forms, insights
from trustlab.contract import contract_section
from trustlab.report import preview
from trustlab.schema import TABLES, Choice


@dataclass(frozen=True)
class Case:
    table: str
    column: str
    choice: Choice
    entry: dict
    chart: Callable
    section: str
    """The report section with the table that counts the choices."""
    figures: str
    """That table's CSV file in the report."""
    said: str = ""
    """What a sentence says of it, if it names it."""


CASES = [
    Case(
        "steps",
        "response",
        Choice("grateful", "Thankful", "#c06c84"),
        {
            "date": "2026-05-01",
            "person": "Sam",
            "kind": "gave",
            "step": "A card",
            "response": "grateful",
        },
        charts.step_responses,
        "marbles",
        "csv/marbles-steps-figures.csv",
    ),
    Case(
        "triggers",
        "origin",
        Choice("work", "At work", "#6b8e23", "something at work"),
        {
            "date": "2026-05-01",
            "situation": "A sharp email",
            "origin": "work",
            "intensity": 5,
            "my_share": 50,
        },
        charts.triggers_over_time,
        "roots",
        "csv/roots-by_origin-figures.csv",
        said="seems to come from something at work.",
    ),
]


@pytest.fixture(params=CASES, ids=[f"{c.table}.{c.column}" for c in CASES])
def case(request, monkeypatch) -> Case:
    """The case, with its choice added to (a copy of) its table in the schema."""
    case = request.param
    table = TABLES[case.table]
    column = table.column(case.column)
    grown = replace(column, options=(*column.options, case.choice))
    columns = tuple(grown if c is column else c for c in table.columns)
    monkeypatch.setitem(TABLES, case.table, replace(table, columns=columns))
    return case


@pytest.fixture
def written(journal, case):
    """A journal with one entry holding the new value."""
    journal.add("people", person="Sam", relationship="partner", era="present")
    journal.add(case.table, **case.entry)
    return journal


def test_the_form_offers_it_and_saves_it(journal, case):
    form = forms.entry_form(journal, case.table)
    dropdown = form.fields[case.column]
    assert (case.choice.label, case.choice.value) in list(dropdown.options)
    assert forms.label_of(case.choice.value, TABLES[case.table].column(case.column)) == (
        case.choice.label
    )


def test_the_chart_legend_has_it_in_its_colour(written, case):
    spec = case.chart(written).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert case.choice.label in scale["domain"]
    assert scale["range"][scale["domain"].index(case.choice.label)] == case.choice.colour
    rows = next(iter(spec["datasets"].values()))
    assert case.choice.label in {row[spec["encoding"]["color"]["field"]] for row in rows}


def test_the_report_counts_it_and_shows_its_words(written, case):
    shown = preview(written, sections=case.section, csv=True, include_text=True)
    table = list(csv.reader(io.StringIO(shown.files[case.figures].decode("utf-8-sig"))))
    cells = {cell for row in table for cell in row}
    assert case.choice.label in cells, table
    figures = json.loads(shown.files["report.json"])["figures"][case.section]
    assert any(
        case.choice.value in row or case.choice.label in row.values()
        for rows in figures.values()
        for row in rows
    ), figures
    entries = shown.files[f"csv/{case.section}-{case.table}-words.csv"].decode("utf-8-sig")
    assert case.choice.label in entries
    assert case.choice.label in shown.html
    if case.table == "steps":  # the chart's description lists the answers too
        assert f"or {case.choice.label.lower()}." in shown.html


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.said], indirect=True, ids=lambda c: f"{c.table}.{c.column}"
)
def test_the_sentences_name_it_in_its_words(written, case):
    assert any(case.said in s for s in insights.sentences(written)), insights.sentences(written)


def test_the_docs_list_it_with_its_words(case):
    section = contract_section(TABLES[case.table])
    assert f"`{case.choice.value}` ({case.choice.label})" in section
