"""The forms, driven as a person would without a browser: set values, click, read the CSV."""

from __future__ import annotations

import csv
import datetime

import pytest

import trustlab
from trustlab import forms
from trustlab.schema import TABLES

DAY = datetime.date(2026, 3, 14)


def rows(journal, name):
    path = journal.path / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def journal(tmp_path):
    j = trustlab.open_journal(tmp_path / "journal")
    j.add("people", person="Sam", relationship="friend", era="present")
    j.add("qualities", quality="reliability", importance=5)
    j.add("qualities", quality="kindness", importance=4)
    return j


# A valid entry for every table, as a person would fill the form.
FILLED = {
    "people": {"person": "Jordan", "relationship": "partner", "era": "present",
               "note": "We met at 19,\nand \"forever\" felt easy."},
    "qualities": {"quality": "honesty", "why": "So I can relax", "importance": 5},
    "observations": {"date": DAY, "person": "Sam", "quality": "reliability", "shown": "yes",
                     "note": "=on time"},
    "triggers": {"date": DAY, "situation": "A late text", "origin": "past_relationship",
                 "intensity": 7, "my_share": 30, "mine_to_own": "I assumed",
                 "not_mine": "They forgot"},
    "red_flags": {"date": DAY, "person": "Sam", "flag": "Cancelled again",
                  "response": "painted_green", "note": ""},
    "promises": {"date": DAY, "promise": "Say no when I mean no", "kept": "partly"},
    "beliefs": {"date": DAY, "belief": "I'm not loveable", "before": 80,
                "opposite": "I am loveable", "evidence": "Friends showed up",
                "possible": "It's possible I am loveable", "after": 55},
    "steps": {"date": DAY, "person": "Sam", "kind": "asked", "step": "A lift to the station",
              "response": "warm", "note": "🙂"},
    "marbles": {"date": DAY, "person": "Sam", "marbles": -2, "moment": "Forgot my birthday",
                "braving": "reliability"},
}


def test_every_table_has_a_filled_example():
    assert set(FILLED) == set(TABLES)


@pytest.mark.parametrize("name", list(TABLES))
def test_fill_and_save_writes_the_row(journal, name):
    form = forms.entry_form(journal, name)
    before = len(rows(journal, name))
    for field, value in FILLED[name].items():
        form.fields[field].value = value
    form.save_button.click()
    assert "Saved" in form.status.value
    written = rows(journal, name)
    assert len(written) == before + 1
    last = written[-1]
    for field, value in FILLED[name].items():
        expected = value.isoformat() if isinstance(value, datetime.date) else str(value)
        assert last[field] == expected, field
    assert len(last["id"]) == 16
    # the form is ready for the next entry: text emptied, date kept
    text_fields = [c.name for c in TABLES[name].columns if c.kind == "text"]
    assert all(form.fields[f].value == "" for f in text_fields)


@pytest.mark.parametrize(
    ("name", "field", "value", "message"),
    [
        ("marbles", "marbles", 0, "not 0"),
        ("marbles", "person", "", "person is required"),
        ("triggers", "situation", "   ", "situation is required"),
        ("people", "person", "Sam", "already in people.csv"),
        ("beliefs", "date", None, "date is required"),
    ],
)
def test_bad_input_shows_an_error_and_writes_nothing(journal, name, field, value, message):
    form = forms.entry_form(journal, name)
    for f, v in FILLED[name].items():
        form.fields[f].value = v
    form.fields[field].value = value
    path = journal.path / f"{name}.csv"
    before = path.read_bytes() if path.exists() else None
    form.save_button.click()
    assert message in form.errors[field].value
    assert "Nothing was saved" in form.status.value
    assert (path.read_bytes() if path.exists() else None) == before


def test_error_text_is_escaped(journal):
    form = forms.entry_form(journal, "people")
    form.fields["person"].value = "Sam"
    journal.correct("people", journal.table("people").id[0], person="<b>Sam</b>")
    form.fields["person"].value = "<b>Sam</b>"
    form.save_button.click()
    assert "<b>Sam</b>" not in form.errors["person"].value
    assert "&lt;b&gt;Sam&lt;/b&gt;" in form.errors["person"].value


def test_name_fields_offer_the_people_and_qualities_in_the_journal(journal):
    form = forms.entry_form(journal, "observations")
    assert form.fields["person"].options == ("Sam",)
    assert form.fields["quality"].options == ("kindness", "reliability")
    people = forms.entry_form(journal, "people")
    people.fields["person"].value = "Alex"
    people.fields["relationship"].value = "colleague"
    people.save_button.click()
    form.refresh_names()
    assert form.fields["person"].options == ("Alex", "Sam")


def test_date_defaults_to_today_and_optional_after_starts_empty(journal):
    form = forms.entry_form(journal, "beliefs")
    assert form.fields["date"].value == datetime.date.today()
    assert form.values()["after"] is None
    form.fields["belief"].value = "Nobody stays"
    form.save_button.click()
    assert rows(journal, "beliefs")[-1]["after"] == ""


def test_correct_an_entry_from_the_list(journal):
    form = forms.entry_form(journal, "marbles")
    for f, v in FILLED["marbles"].items():
        form.fields[f].value = v
    form.save_button.click()
    entries = forms.EntryList(form)
    assert len(entries.select.options) == 1
    entries.select.value = entries.select.options[0][1]
    entries.edit_button.click()
    assert form.editing == entries.select.value
    assert form.fields["marbles"].value == -2
    form.fields["marbles"].value = 3
    form.save_button.click()
    assert "Updated" in form.status.value
    written = rows(journal, "marbles")
    assert [r["marbles"] for r in written] == ["3"]
    assert form.editing is None


def test_delete_needs_a_second_click(journal):
    form = forms.entry_form(journal, "promises")
    for f, v in FILLED["promises"].items():
        form.fields[f].value = v
    form.save_button.click()
    entries = forms.EntryList(form)
    entries.select.value = entries.select.options[0][1]
    entries.delete_button.click()
    assert len(rows(journal, "promises")) == 1
    entries.delete_button.click()
    assert rows(journal, "promises") == []
    assert entries.select.options == ()


def test_blame_balance_notices_all_or_nothing(journal):
    form = forms.entry_form(journal, "triggers")
    form.fields["my_share"].value = 50
    assert form.share_note.value == ""
    form.fields["my_share"].value = 100
    assert "more than our share" in form.share_note.value
    form.fields["my_share"].value = 0
    assert "small part" in form.share_note.value


def test_braving_suggestion_fills_the_quality(journal):
    form = forms.entry_form(journal, "qualities")
    form.suggestions.value = "non_judgment"
    assert form.fields["quality"].value == "non judgment"
    form.save_button.click()
    assert rows(journal, "qualities")[-1]["quality"] == "non judgment"


def test_observation_checklist_saves_one_row_per_answer(journal):
    checklist = forms.ObservationChecklist(journal)
    assert set(checklist.answers) == {"reliability", "kindness"}
    checklist.date.value = DAY
    checklist.person.value = "Sam"
    checklist.answers["reliability"].value = "no"
    checklist.save_button.click()
    written = rows(journal, "observations")
    assert [(r["quality"], r["shown"], r["date"]) for r in written] == [
        ("reliability", "no", "2026-03-14")
    ]
    # nothing answered: nothing written, a clear message
    checklist.save_button.click()
    assert "at least one" in checklist.status.value
    assert len(rows(journal, "observations")) == 1


def test_live_chart_redraws_after_a_save(journal):
    form = forms.entry_form(journal, "marbles")
    live = forms.LiveChart(lambda: len(journal.table("marbles")), form)
    assert (live.draws, live.chart) == (1, 0)
    for f, v in FILLED["marbles"].items():
        form.fields[f].value = v
    form.save_button.click()
    assert (live.draws, live.chart) == (2, 1)
