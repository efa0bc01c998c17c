"""The forms, driven as a person would without a browser: set values, click, read the CSV."""

from __future__ import annotations

import csv
import datetime

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget_description import DescriptionWidget

import trustlab
from trustlab import charts, forms
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
    "coach_notes": {"date": DAY, "report": "r-july", "section": "marbles",
                    "note": "What helped most?"},
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
        ("marbles", "marbles", 0, "cannot be 0"),
        ("marbles", "person", "", "person is required"),
        ("triggers", "situation", "   ", "situation is required"),
        ("people", "person", "Sam", "Sam is already in your people"),
        ("people", "person", "sam ", "Sam is already in your people"),
        ("marbles", "person", "Sma", "“Sma” is not one of your people"),
        ("observations", "quality", "kindnes", "not one of your qualities"),
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
    form.suggestions["non_judgment"].click()
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


def test_a_redraw_that_looks_the_same_is_not_sent_again(journal, restore_altair):
    from IPython.display import HTML

    charts.enable_offline()
    said = ["<p>one</p>"]
    words = forms.Live(lambda: HTML(said[0]))
    myself = forms.Live(lambda: charts.self_trust(journal))
    jars = forms.Live(lambda: charts.current_jars(journal))
    page = forms.Page()
    page.add("all", words, myself, jars)
    page.refresh()
    assert [(live.draws, live.shown) for live in (words, myself, jars)] == [(2, 1)] * 3
    journal.add("marbles", date="2026-03-01", person="Sam", marbles=3)  # not about me
    said[0] = "<p>two</p>"
    page.refresh()
    assert [(live.draws, live.shown) for live in (words, myself, jars)] == [
        (3, 2), (3, 1), (3, 2)]


# --- person and quality fields: a picker of what is in the journal ------------------------


def fill(form, values):
    for field, value in values.items():
        form.fields[field].value = value


@pytest.mark.parametrize("typed", ["Sma", "Sa", "Sam Smith", "Jordan"])
def test_a_person_who_is_not_listed_is_refused_beside_the_field(journal, typed):
    form = forms.entry_form(journal, "marbles")
    fill(form, FILLED["marbles"])
    form.fields["person"].value = typed  # what the browser sends when the box loses focus
    assert "not one of your people" in form.errors["person"].value  # said at once
    form.save_button.click()
    assert f"“{typed}” is not one of your people" in form.errors["person"].value
    assert "Someone new…" in form.errors["person"].value
    assert "Nothing was saved" in form.status.value
    assert rows(journal, "marbles") == []
    assert form.fields["person"].value == typed  # kept, to correct


def test_a_half_typed_name_suggests_the_one_it_starts(journal):
    form = forms.entry_form(journal, "red_flags")
    form.fields["person"].value = "Sa"
    assert "Did you mean Sam?" in form.errors["person"].value


@pytest.mark.parametrize("typed", ["sam", "SAM", "  Sam "])
def test_a_listed_person_is_found_whatever_the_case_and_spaces(journal, typed):
    form = forms.entry_form(journal, "marbles")
    fill(form, FILLED["marbles"])
    form.fields["person"].value = typed
    assert form.fields["person"].value == "Sam"  # the listed spelling, put back in the box
    assert form.errors["person"].value == ""
    form.save_button.click()
    assert "Saved" in form.status.value
    assert rows(journal, "marbles")[-1]["person"] == "Sam"


def test_every_person_and_quality_field_is_a_picker(journal):
    for name, table in TABLES.items():
        form = forms.entry_form(journal, name)
        for col in table.columns:
            picker = isinstance(form.fields[col.name], forms.NamePicker)
            assert picker == bool(col.refers_to), (name, col.name)
            if picker:
                assert form.fields[col.name].kind == col.refers_to
    checklist = forms.ObservationChecklist(journal)
    assert isinstance(checklist.person, forms.NamePicker)


def test_someone_new_adds_a_person_and_chooses_them(journal):
    form = forms.entry_form(journal, "steps")
    other = forms.entry_form(journal, "marbles")
    picker = form.fields["person"]
    picker.value = "Jordan "
    picker.new_button.click()
    people = picker.new_form
    assert people.widget in picker.new_area.children
    assert people.fields["person"].value == "Jordan"  # what was typed
    assert people.save_button.description == "Add to my people"
    people.fields["relationship"].value = "partner"
    people.save_button.click()
    assert [(r["person"], r["relationship"]) for r in rows(journal, "people")] == [
        ("Sam", "friend"), ("Jordan", "partner")]
    assert picker.value == "Jordan"
    assert picker.options == ("Jordan", "Sam")
    assert picker.new_area.children == ()
    assert "Jordan is now in your people" in picker.message.value
    fill(form, {k: v for k, v in FILLED["steps"].items() if k != "person"})
    form.save_button.click()
    assert rows(journal, "steps")[-1]["person"] == "Jordan"
    other.refresh_names()
    assert other.fields["person"].options == ("Jordan", "Sam")


def test_someone_new_refuses_a_person_already_listed(journal):
    checklist = forms.ObservationChecklist(journal)
    people = checklist.person.open_new()
    before = (journal.path / "people.csv").read_bytes()
    for typed in ("sam ", "SAM", " Sam"):
        people.fields["person"].value = typed
        people.save_button.click()
        assert "Sam is already in your people" in people.errors["person"].value
    assert (journal.path / "people.csv").read_bytes() == before
    assert checklist.person.new_area.children != ()  # still open, to change the name


def test_a_new_quality_from_the_observation_form(journal):
    form = forms.entry_form(journal, "observations")
    quality = form.fields["quality"]
    assert quality.new_button.description == "A new quality…"
    qualities = quality.open_new()
    assert isinstance(qualities, forms.QualityForm)
    qualities.fields["quality"].value = "  patience "
    qualities.save_button.click()
    assert rows(journal, "qualities")[-1]["quality"] == "patience"  # trimmed
    assert quality.value == "patience"


def test_a_quality_already_listed_is_refused_ignoring_case(journal):
    form = forms.entry_form(journal, "qualities")
    form.fields["quality"].value = "Reliability"
    form.save_button.click()
    assert "reliability is already in your qualities" in form.errors["quality"].value


def test_correcting_a_person_keeps_their_own_name_free(journal):
    form = forms.entry_form(journal, "people")
    entries = forms.EntryList(form)
    entries.select.value = entries.select.options[0][1]
    entries.edit_button.click()
    form.fields["note"].value = "Known since school"
    form.save_button.click()  # "Sam" is not a duplicate of itself
    assert "Updated" in form.status.value
    assert rows(journal, "people")[0]["note"] == "Known since school"


def test_a_name_in_use_is_changed_with_the_rename_panel(journal):
    journal.add("marbles", date=DAY, person="Sam", marbles=2)
    form = forms.entry_form(journal, "people")
    form.edit(journal.table("people").id[0])
    form.fields["person"].value = "Samuel"
    form.save_button.click()
    assert "Rename a person" in form.errors["person"].value
    assert rows(journal, "people")[0]["person"] == "Sam"


def test_the_checklist_refuses_a_person_who_is_not_listed(journal):
    checklist = forms.ObservationChecklist(journal)
    checklist.person.value = "Sma"
    checklist.answers["reliability"].value = "yes"
    checklist.save_button.click()
    assert "not one of your people" in checklist.person.message.value
    assert "Nothing was saved" in checklist.status.value
    assert rows(journal, "observations") == []
    checklist.person.value = "sam"
    checklist.save_button.click()
    assert "Saved 1 observation about Sam" in checklist.status.value
    assert rows(journal, "observations")[0]["person"] == "Sam"


def test_hand_made_unknown_names_stay_warnings(journal):
    journal.add("marbles", date=DAY, person="Robin", marbles=1)  # the journal takes it
    assert rows(journal, "marbles")[0]["person"] == "Robin"
    reopened = trustlab.open_journal(journal.path)
    assert [p.level for p in reopened.problems] == ["warning"]


# --- observations can be corrected and deleted ---------------------------------------------


def test_observations_are_corrected_and_deleted_under_the_checklist(journal):
    from trustlab import workbook

    checklist = workbook.checklist(journal)
    checklist.date.value = DAY
    checklist.person.value = "Sam"
    checklist.answers["reliability"].value = "yes"
    checklist.answers["kindness"].value = "no"
    checklist.save_button.click()
    entries, form = checklist.entries, checklist.edit_form
    assert len(entries.select.options) == 2
    assert form.body not in form.widget.children  # the checklist adds; this form corrects
    kindness = next(r["id"] for r in rows(journal, "observations") if r["quality"] == "kindness")
    entries.select.value = kindness
    entries.edit_button.click()
    assert form.body in form.widget.children
    assert (form.fields["person"].value, form.fields["quality"].value) == ("Sam", "kindness")
    form.fields["shown"].value = "unsure"
    form.fields["note"].value = "Hard to tell on a busy day"
    heat_map = checklist.live[0]
    draws = heat_map.draws
    form.save_button.click()
    assert "Updated" in form.status.value
    assert form.body not in form.widget.children
    assert heat_map.draws == draws + 1
    changed = next(r for r in rows(journal, "observations") if r["id"] == kindness)
    assert (changed["shown"], changed["note"]) == ("unsure", "Hard to tell on a busy day")
    entries.select.value = kindness
    entries.delete_button.click()
    entries.delete_button.click()
    assert [r["quality"] for r in rows(journal, "observations")] == ["reliability"]
    assert len(entries.select.options) == 1
    assert heat_map.draws == draws + 2


# --- everything on a page stays live ---------------------------------------------------------


def test_a_save_redraws_every_chart_sentence_and_list_on_the_page_once(journal):
    from trustlab import charts, workbook

    marbles = workbook.section(journal, "marbles", charts=[charts.current_jars])
    steps = workbook.section(journal, "steps", charts=[charts.step_responses])
    workbook.insights(journal, step=5)
    page = workbook.page(journal)
    [sentences] = page.parts("insights:5")
    lives = [*marbles.live, *steps.live, sentences]
    draws = [live.draws for live in lives]
    said = sentences.drawn.data
    fill(marbles, FILLED["marbles"])
    marbles.save_button.click()
    assert [live.draws for live in lives] == [n + 1 for n in draws]
    assert page.refreshes == 1
    assert sentences.drawn.data != said
    assert "Sam" in sentences.drawn.data
    assert len(marbles.entries.select.options) == 1
    # a deletion redraws them too
    said = sentences.drawn.data
    marbles.entries.select.value = marbles.entries.select.options[0][1]
    marbles.entries.delete_button.click()
    marbles.entries.delete_button.click()
    assert [live.draws for live in lives] == [n + 2 for n in draws]
    assert sentences.drawn.data != said


def test_the_evidence_bank_fills_as_thought_records_are_saved(journal):
    from trustlab import workbook

    beliefs = workbook.section(journal, "beliefs")
    workbook.evidence_bank(journal)
    [bank] = workbook.page(journal).parts("evidence_bank")
    before = bank.drawn.data
    assert "empty for now" in before
    fill(beliefs, FILLED["beliefs"])
    beliefs.fields["evidence"].value = "<b>Friends</b> showed up"
    beliefs.save_button.click()
    assert bank.drawn.data != before
    assert "&lt;b&gt;Friends&lt;/b&gt; showed up" in bank.drawn.data  # escaped


def test_saving_a_promise_redraws_the_self_trust_chart(journal):
    from trustlab import charts, workbook

    promises = workbook.section(journal, "promises")
    red_flags = workbook.section(journal, "red_flags", charts=[charts.self_trust])
    [self_trust] = red_flags.live
    before = self_trust.draws
    fill(promises, FILLED["promises"])
    promises.save_button.click()
    assert self_trust.draws == before + 1


def test_a_person_added_on_the_spot_is_offered_everywhere_on_the_page(journal):
    from trustlab import workbook

    people = workbook.section(journal, "people")
    checklist = workbook.checklist(journal)
    marbles = workbook.section(journal, "marbles")
    new = marbles.fields["person"].open_new()
    new.fields["person"].value = "Jordan"
    new.save_button.click()
    assert "Jordan" in checklist.person.options
    assert any("Jordan" in label for label, _ in people.entries.select.options)
    assert workbook.page(journal).refreshes == 1


def test_running_a_cell_again_replaces_its_parts(journal):
    from trustlab import charts, workbook

    workbook.section(journal, "marbles", charts=[charts.current_jars])
    form = workbook.section(journal, "marbles", charts=[charts.current_jars])
    page = workbook.page(journal)
    assert page.parts("section:marbles") == [form, *form.live, form.entries]


def test_sentences_on_a_page_without_forms_are_shown_once(journal):
    from trustlab import workbook

    workbook.insights(journal)
    assert workbook.page(journal).parts() == []


def test_a_table_broken_outside_trustlab_does_not_stop_the_page_redrawing(journal):
    from trustlab import charts, workbook

    marbles = workbook.section(journal, "marbles", charts=[charts.current_jars])
    promises = workbook.section(journal, "promises", charts=[charts.self_trust])
    (journal.path / "marbles.csv").write_bytes(b"")  # what a crash mid-write can leave
    fill(promises, FILLED["promises"])
    promises.save_button.click()
    assert "Saved" in promises.status.value
    assert promises.live[0].draws == 2
    assert "marbles.csv" in marbles.live[0].drawn.data  # says what to fix, no traceback


# --- accessible fields, the charts' words, and no typing race ------------------------------


UNNAMED = (widgets.IntSlider, widgets.FloatSlider, widgets.SelectionSlider,
           widgets.ToggleButtons, widgets.RadioButtons)
"""Controls ipywidgets 8.1 gives no accessible name (ipywidgets#2650)."""


def every_widget(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def all_forms(journal):
    """The top widget of every form and panel forms.py makes."""
    made = [forms.entry_form(journal, name) for name in TABLES]
    picker = forms.entry_form(journal, "marbles").fields["person"]
    picker.open_new()  # the people form, inside the marbles form
    return [
        *(f.widget for f in made), picker,
        forms.ObservationChecklist(journal).widget, forms.RenamePanel(journal).widget,
        forms.UndoPanel(journal).widget, forms.EntryList(made[0]).widget,
    ]


def test_no_control_lacks_an_accessible_name_or_shows_a_null_tooltip(journal):
    for top in all_forms(journal):
        for widget in every_widget(top):
            assert not isinstance(widget, UNNAMED), widget
            if isinstance(widget, DescriptionWidget):
                assert widget.tooltip is not None, widget  # shown as the tooltip "null"
            if isinstance(widget, widgets.Button):  # an icon is a character in its name
                assert (widget.icon, widget.description.strip() != "") == ("", True), widget


@pytest.mark.parametrize(("name", "field", "low", "high"), [
    ("triggers", "intensity", 0, 10), ("triggers", "my_share", 0, 100),
    ("qualities", "importance", 1, 5), ("marbles", "marbles", -5, 5),
    ("beliefs", "before", 0, 100),
])
def test_numbers_are_typed_in_a_labelled_box_with_their_range(journal, name, field, low, high):
    form = forms.entry_form(journal, name)
    box = form.fields[field]
    assert isinstance(box, widgets.BoundedIntText)
    assert (box.min, box.max, box.description) == (low, high, TABLES[name].column(field).label)
    assert box.continuous_update is False  # sent once, when the box is left
    box.value = high + 50
    assert box.value == high


def test_the_optional_number_keeps_its_not_sure_yet_box(journal):
    form = forms.entry_form(journal, "beliefs")
    after = form.fields["after"]
    assert isinstance(after, forms.OptionalNumber)
    assert (after.empty.description, after.value) == ("not sure yet", None)
    after.number.value = 45  # typed in the browser
    assert (after.empty.value, after.value) == (False, 45)
    after.empty.value = True
    assert after.value is None


def test_text_boxes_send_each_key_and_the_name_box_when_it_is_left(journal):
    form = forms.entry_form(journal, "marbles")
    assert form.fields["moment"].continuous_update is True
    assert form.fields["person"].combobox.continuous_update is False


@pytest.mark.parametrize(("table", "column", "expected"), [
    ("steps", "response", [("Warm", "warm"), ("Neutral", "neutral"), ("Cold", "cold"),
                           ("Waiting", "pending")]),
    ("triggers", "origin", [("Childhood", "childhood"),
                            ("A past relationship", "past_relationship"),
                            ("The current relationship", "current_relationship"),
                            ("Other", "other")]),
    ("marbles", "braving", [("(none)", ""), ("Boundaries", "boundaries"),
                            ("Reliability", "reliability"), ("Accountability", "accountability"),
                            ("Vault", "vault"), ("Integrity", "integrity"),
                            ("Non-judgment", "non_judgment"), ("Generosity", "generosity")]),
    # choices the schema labels as they are stored, with spaces for underscores
    ("red_flags", "response", [("heeded", "heeded"), ("painted green", "painted_green"),
                               ("watching", "watching")]),
    ("people", "relationship", [("partner", "partner"), ("ex partner", "ex_partner"),
                                ("friend", "friend"), ("family", "family"),
                                ("colleague", "colleague"), ("other", "other")]),
])
def test_choices_read_as_the_charts_say_them_and_save_their_values(
    journal, table, column, expected
):
    dropdown = forms.entry_form(journal, table).fields[column]
    assert isinstance(dropdown, widgets.Dropdown)
    assert list(dropdown.options) == expected
    for words, value in expected:
        if value:
            assert TABLES[table].column(column).label_of(value) == words
        if value and all(v in charts.LABELS for _, v in expected if v):
            assert charts.LABELS[value] == words


def test_label_of_is_the_charts_word_for_a_choice():
    steps = TABLES["steps"].column("response")
    flags = TABLES["red_flags"].column("response")
    assert forms.label_of("pending", steps) == "Waiting" == charts.LABELS["pending"]
    assert forms.label_of("heeded", flags) == "heeded"
    assert forms.label_of("painted_green", flags) == "painted green"
    assert forms.label_of("pending") == "Waiting"


def test_the_steps_form_saves_pending_for_waiting(journal):
    form = forms.entry_form(journal, "steps")
    fill(form, {**FILLED["steps"], "response": "pending"})
    assert form.fields["response"].label == "Waiting"
    form.save_button.click()
    assert rows(journal, "steps")[-1]["response"] == "pending"


def test_braving_suggestions_are_buttons_named_by_their_words(journal):
    form = forms.entry_form(journal, "qualities")
    assert [b.description for b in form.suggestions.values()] == [
        "boundaries", "reliability", "accountability", "vault", "integrity", "non judgment",
        "generosity"]
    assert form.widget.children[0].children[1].children == tuple(form.suggestions.values())


def test_the_checklist_asks_with_a_dropdown_named_by_each_quality(journal):
    checklist = forms.ObservationChecklist(journal)
    answer = checklist.answers["kindness"]
    assert isinstance(answer, widgets.Dropdown)
    assert (answer.description, answer.value) == ("kindness", "skip")
    assert [value for _, value in answer.options] == ["yes", "no", "unsure", "skip"]


def browser_click(button):
    """What ipywidgets does with a click message from the browser."""
    button._handle_custom_msg({"event": "click"}, [])


def browser_sends(field, **held):
    """What the browser does when a field is asked: send what it holds, with ``_sent``."""
    field.set_state({**held, "_sent": field._asked})


def test_a_click_in_the_browser_saves_once_each_field_has_sent_what_it_holds(journal):
    form = forms.entry_form(journal, "marbles")
    fill(form, {**FILLED["marbles"], "moment": "S"})
    browser_click(form.save_button)
    asked = forms._fields_in(form.body)
    assert form.fields["moment"] in asked and form.fields["person"].combobox in asked
    assert rows(journal, "marbles") == []  # not yet: keys typed before the click may follow
    for field in asked:
        if field is form.fields["moment"]:
            browser_sends(field, value="Sorry I was late")  # the rest of the note, held back
        else:
            browser_sends(field)
        assert (rows(journal, "marbles") == []) == (field is not asked[-1])
    assert [r["moment"] for r in rows(journal, "marbles")] == ["Sorry I was late"]
    assert form.fields["moment"].value == ""  # nothing carried into the next entry
    browser_sends(form.fields["moment"])  # an answer repeated (a second browser tab)
    assert len(rows(journal, "marbles")) == 1


def test_buttons_wait_for_the_fields_they_act_on(journal):
    form = forms.entry_form(journal, "promises")
    fill(form, FILLED["promises"])
    form.save_button.click()  # from Python: at once
    assert len(rows(journal, "promises")) == 1
    entries = forms.EntryList(form)
    entries.select.value = entries.select.options[0][1]
    browser_click(entries.edit_button)
    assert form.editing is None
    browser_sends(entries.select)
    assert form.editing == entries.select.value
    buttons = [b for top in all_forms(journal) for b in every_widget(top)
               if isinstance(b, widgets.Button)]
    assert buttons and all(isinstance(b, forms._Button) for b in buttons)
    fields = [w for top in all_forms(journal) for w in every_widget(top)
              if isinstance(w, widgets.ValueWidget) and not isinstance(w, widgets.HTML)]
    assert fields and all(isinstance(f, forms._Sends) for f in fields)


def test_a_button_with_nothing_to_wait_for_acts_at_once(journal):
    clicked = []
    forms.when_sent([], lambda: clicked.append(1))
    closed = forms._Text()
    closed.close()
    forms.when_sent([closed], lambda: clicked.append(2))
    assert clicked == [1, 2]


def test_a_chart_goes_to_jupyterlab_as_vega_named_by_its_title(journal, restore_altair):
    charts.enable_offline()
    chart = charts.step_responses(journal)
    shown = forms.accessible(chart)
    vega = shown.data[charts.VEGA_MIMETYPE]
    words = "Chart: How people met my small steps. What I gave "
    assert vega["description"].startswith(words) and shown.data["text/plain"].startswith(words)
    # JupyterLab draws it with its own Vega 5, as SVG, with no menu that could send it away.
    assert vega["$schema"].endswith("/vega/v5.json")
    assert shown.metadata == {charts.VEGA_MIMETYPE: {
        "embed_options": {"actions": False, "renderer": "svg"}}}
    assert (shown.data, shown.metadata) == charts.lab_bundle(chart.to_dict())
    assert (shown.data, shown.metadata) == shown._repr_mimebundle_()
    assert forms.accessible(words) is words  # anything else is shown as it is
    live = forms.Live(lambda: charts.step_responses(journal))
    assert live.chart.to_dict() == chart.to_dict()  # drawn stays the chart itself


def test_a_static_chart_is_shown_as_an_image_named_by_its_title(journal, restore_altair):
    charts.enable_offline(draw="svg")
    chart = charts.step_responses(journal)
    shown = forms.accessible(chart)
    assert shown.data.startswith('<img alt="Chart: How people met my small steps. What I gave ')
    assert 'src="data:image/svg+xml;base64,' in shown.data
    import base64

    drawn = base64.b64decode(shown.data.split("base64,")[1].split('"')[0]).decode("utf-8")
    assert drawn == charts.to_svg(chart)  # the same drawing, without validating it again
    assert forms.accessible(shown) is shown  # HTML is shown as it is


def test_the_banner_counts_entries_in_plain_words(tmp_path):
    from trustlab import workbook
    from trustlab.journal import open_journal

    journal = open_journal(tmp_path)
    assert "It is empty for now" in workbook.banner(journal)
    journal.add("people", person="Sam", relationship="friend", era="present")
    assert ": 1 entry so far." in workbook.banner(journal)
    journal.add("people", person="Kim", relationship="friend", era="present")
    assert ": 2 entries so far." in workbook.banner(journal)
