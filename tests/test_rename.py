"""Renaming a person or a quality carries the new name into every table, or changes nothing."""

from __future__ import annotations

import csv
import datetime
import errno
import os
import warnings
from pathlib import Path

import pytest

from trustlab import JournalError, open_journal, storage
from trustlab.errors import JournalWarning
from trustlab.forms import RenamePanel

DAY = datetime.date(2026, 3, 14)
TABLES_NAMING_PEOPLE = ("observations", "red_flags", "steps", "marbles")


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def files(folder: Path) -> dict[str, bytes]:
    """The journal's CSV files and the backups kept, byte for byte."""
    found = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    backups = folder / ".trustlab" / "backups"
    found["backups"] = sorted(p.name for p in backups.iterdir()) if backups.exists() else []
    return found


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp"))


@pytest.fixture
def journal(tmp_path):
    j = open_journal(tmp_path / "journal")
    for person in ("Sam", "Priya"):
        j.add("people", person=person, relationship="friend", era="present")
    for quality in ("reliability", "honesty"):
        j.add("qualities", quality=quality, importance=4)
    for n in (2, 1, -1):
        j.add("marbles", date=DAY, person="Sam", marbles=n, moment=f"moment {n}")
    j.add("marbles", date=DAY, person="Priya", marbles=3)
    j.add("steps", date=DAY, person="Sam", kind="asked", step="A lift", response="warm")
    j.add("red_flags", date=DAY, person="Sam", flag="Cancelled again", response="watching")
    j.add_many("observations", [
        {"date": DAY, "person": "Sam", "quality": "reliability", "shown": "yes"},
        {"date": DAY, "person": "Sam", "quality": "honesty", "shown": "no"},
        {"date": DAY, "person": "Priya", "quality": "reliability", "shown": "yes"},
    ])
    return j


# --- the journal ---------------------------------------------------------------------------


def test_references_count_the_entries_that_name_someone(journal):
    sam = {"observations": 2, "red_flags": 1, "steps": 1, "marbles": 3}
    assert journal.references("people", "Sam") == sam
    assert journal.references("people", " Sam ") == sam  # trimmed, as the journal checks
    assert journal.references("people", "Priya") == {
        "observations": 1, "red_flags": 0, "steps": 0, "marbles": 1}
    assert journal.references("people", "Nobody") == dict.fromkeys(TABLES_NAMING_PEOPLE, 0)
    assert journal.references("qualities", "reliability") == {"observations": 2}
    with pytest.raises(ValueError, match="'people' or 'qualities'"):
        journal.references("marbles", "Sam")


def test_rename_carries_the_new_name_into_every_table_with_backups(journal):
    folder = journal.path
    before = files(folder)
    renamed = ("people", *TABLES_NAMING_PEOPLE)
    ids = {name: [r["id"] for r in rows(folder, name)] for name in renamed}
    counts = journal.rename("people", "Sam", "  Samuel ")
    assert counts == {"people": 1, "observations": 2, "red_flags": 1, "steps": 1, "marbles": 3}
    for name in renamed:
        assert [r["id"] for r in rows(folder, name)] == ids[name], name  # the same entries
        assert "Sam" not in {r["person"] for r in rows(folder, name)}, name
    assert [r["person"] for r in rows(folder, "marbles")] == ["Samuel"] * 3 + ["Priya"]
    assert journal.references("people", "Samuel") == {
        "observations": 2, "red_flags": 1, "steps": 1, "marbles": 3}
    # one backup per rewritten file: the version from before the rename
    backups = sorted((folder / ".trustlab" / "backups").iterdir())
    assert sorted(p.name.split(".")[0] for p in backups) == sorted(
        ["people", *TABLES_NAMING_PEOPLE])
    for backup in backups:
        assert backup.read_bytes() == before[f"{backup.name.split('.')[0]}.csv"]
    assert files(folder)["qualities.csv"] == before["qualities.csv"]  # untouched
    reopened = open_journal(folder)
    assert reopened.problems == []


def test_rename_a_quality(journal):
    assert journal.rename("qualities", "reliability", "Reliability") == {
        "qualities": 1, "observations": 2}  # changing only capitals is allowed
    assert [r["quality"] for r in rows(journal.path, "observations")] == [
        "Reliability", "honesty", "Reliability"]
    assert open_journal(journal.path).problems == []


@pytest.mark.parametrize(
    ("kind", "old", "new", "message"),
    [
        ("people", "Sam", "Priya", "'Priya' is already in people.csv"),
        ("people", "Sam", "priya ", "'Priya' is already in people.csv"),
        ("people", "Sam", "PRIYA", "ignoring case"),
        ("people", "Sam", "   ", "the new name is empty"),
        ("people", "Sam", "Sam", "already called that"),
        ("people", "Sma", "Samuel", "there is no 'Sma' in people.csv"),
        ("people", "Sam", "Sam\x00uel", "NUL"),
        ("qualities", "honesty", "Reliability", "'reliability' is already in qualities.csv"),
    ],
)
def test_rename_refuses_and_changes_nothing(journal, kind, old, new, message):
    before = files(journal.path)
    with pytest.raises(JournalError, match=message) as raised:
        journal.rename(kind, old, new)
    assert str(raised.value).startswith("Nothing was renamed:")
    assert files(journal.path) == before


def test_rename_in_hand_made_files(tmp_path):
    folder = tmp_path / "journal"
    folder.mkdir()
    (folder / "people.csv").write_text("person,relationship,era,note\nSam,friend,present,\n")
    (folder / "marbles.csv").write_text(
        "date,person,marbles,moment,braving\r\n2024-03-01, Sam ,2,\"a, b\",\r\n"
        "2024-03-02,Robin,1,=SUM(1),\r\n")
    journal = open_journal(folder)
    assert journal.references("people", "Sam")["marbles"] == 1
    assert journal.rename("people", "Sam", "Samuel")["marbles"] == 1
    marbles = rows(folder, "marbles")
    assert [(r["person"], r["moment"]) for r in marbles] == [("Samuel", "a, b"),
                                                            ("Robin", "=SUM(1)")]
    assert all(len(r["id"]) == 16 for r in marbles)  # ids given, as any rewrite does
    assert b"\r\n" in (folder / "marbles.csv").read_bytes()  # line breaks kept
    # an unknown name made by hand is still only a warning
    assert [p.level for p in open_journal(folder).problems] == ["warning"]


def test_a_torn_last_entry_is_set_aside_not_lost(tmp_path):
    folder = tmp_path / "journal"
    folder.mkdir()
    (folder / "people.csv").write_text("person,relationship,era,note\nSam,friend,present,\n")
    (folder / "marbles.csv").write_text(
        '"id","date","person","marbles","moment","braving"\n'
        '"e000000000000001","2024-03-01","Sam","2","first",""\n'
        '"e000000000000002","2024-03-02","Sam","1","cut off he')
    journal = open_journal(folder)
    with pytest.warns(JournalWarning, match="moved to .trustlab/recovered/"):
        journal.rename("people", "Sam", "Samuel")
    assert [r["person"] for r in rows(folder, "marbles")] == ["Samuel"]
    [fragment] = (folder / ".trustlab" / "recovered").iterdir()
    assert "cut off he" in fragment.read_text()


def _disk_full_on_call(monkeypatch, name: str, n: int) -> list:
    real = getattr(storage, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == n:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(storage, name, failing)
    return calls


@pytest.mark.parametrize("n", [1, 3, 5])
def test_a_full_disk_while_writing_changes_nothing(journal, monkeypatch, n):
    before = files(journal.path)
    _disk_full_on_call(monkeypatch, "write_temp", n)
    with pytest.raises(JournalError, match="your disk is full: nothing was renamed"):
        journal.rename("people", "Sam", "Samuel")
    assert files(journal.path) == before
    assert leftovers(journal.path) == []
    monkeypatch.undo()
    assert journal.references("people", "Sam")["marbles"] == 3
    journal.rename("people", "Sam", "Samuel")  # trying again works
    assert journal.references("people", "Samuel")["marbles"] == 3


@pytest.mark.parametrize("n", [1, 2, 5])
def test_a_failure_while_swapping_in_puts_back_what_was_swapped(journal, monkeypatch, n):
    before = files(journal.path)
    _disk_full_on_call(monkeypatch, "replace_with_backup", n)
    with pytest.raises(JournalError, match="nothing was renamed"):
        journal.rename("people", "Sam", "Samuel")
    now = files(journal.path)
    assert {k: v for k, v in now.items() if k != "backups"} == {
        k: v for k, v in before.items() if k != "backups"}
    assert leftovers(journal.path) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert open_journal(journal.path).problems == []


def test_a_rename_that_cannot_be_put_back_says_what_changed(journal, monkeypatch):
    _disk_full_on_call(monkeypatch, "replace_with_backup", 3)
    _disk_full_on_call(monkeypatch, "atomic_write", 1)
    with pytest.raises(JournalError, match="The rename was not finished") as raised:
        journal.rename("people", "Sam", "Samuel")
    assert "Undo a change" in str(raised.value)
    monkeypatch.undo()
    assert open_journal(journal.path)  # every file is whole: old names or new ones


# --- the panel in 02 --------------------------------------------------------------------------


def test_the_panel_shows_where_a_name_appears_then_asks_then_renames(journal):
    panel = RenamePanel(journal)
    panel.old.value = "sam"
    assert panel.old.value == "Sam"
    assert ("Sam appears in: 2 observations, 1 red flag, 1 small step, 3 marble jar entries."
            in panel.preview.value)
    panel.new.value = "Samuel"
    panel.rename_button.click()
    assert "Rename Sam to <b>Samuel</b> in all of these? (click again to confirm)" in (
        panel.status.value)
    assert panel.rename_button.description == "Click again to rename"
    assert journal.references("people", "Sam")["marbles"] == 3  # nothing yet
    panel.rename_button.click()
    assert "Renamed Sam to Samuel in people.csv and in 7 entries" in panel.status.value
    assert journal.references("people", "Samuel")["marbles"] == 3
    assert panel.old.value == "Samuel" and "Samuel" in panel.old.options
    assert "Samuel appears in" in panel.preview.value
    assert panel.new.value == ""


def test_changing_the_names_after_the_first_click_asks_again(journal):
    panel = RenamePanel(journal)
    panel.old.value = "Sam"
    panel.new.value = "Samuel"
    panel.rename_button.click()
    panel.new.value = "Sammy"
    assert panel.rename_button.description == "Rename this person"
    panel.rename_button.click()
    assert "Sammy" in panel.status.value
    assert journal.references("people", "Sam")["marbles"] == 3


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("Sam", "PRIYA", "Priya is already in your people"),
        ("Sam", "", "Type the new name first"),
        ("", "Samuel", "Choose the person to rename first"),
        ("Sma", "Samuel", "“Sma” is not one of your people"),
    ],
)
def test_the_panel_refuses_on_the_first_click(journal, old, new, message):
    before = files(journal.path)
    panel = RenamePanel(journal)
    panel.old.value = old
    panel.new.value = new
    panel.rename_button.click()
    panel.rename_button.click()
    assert message in panel.status.value
    assert panel.rename_button.description == "Rename this person"
    assert files(journal.path) == before


def test_a_failed_rename_shows_in_the_panel_and_changes_nothing(journal, monkeypatch):
    before = files(journal.path)
    _disk_full_on_call(monkeypatch, "write_temp", 2)
    panel = RenamePanel(journal)
    panel.old.value = "Sam"
    panel.new.value = "Samuel"
    panel.rename_button.click()
    assert panel.rename() is None
    assert 'role="alert"' in panel.status.value
    assert "Your disk is full: nothing was renamed" in panel.status.value
    assert files(journal.path) == before
    assert leftovers(journal.path) == []
    assert panel.new.value == "Samuel"  # kept, to try again


def test_a_quality_panel(journal):
    panel = RenamePanel(journal, "qualities")
    panel.old.value = "Honesty"
    assert "honesty appears in: 1 observation." in panel.preview.value
    panel.new.value = "openness"
    panel.rename_button.click()
    panel.rename_button.click()
    assert "Renamed honesty to openness in qualities.csv and in 1 entry" in panel.status.value


def test_a_rename_redraws_the_page(journal):
    from trustlab import workbook

    people = workbook.section(journal, "people")
    checklist = workbook.checklist(journal)
    marbles = workbook.section(journal, "marbles")
    people_panel, _ = workbook.rename(journal)
    page = workbook.page(journal)
    people_panel.old.value = "Priya"
    people_panel.new.value = "Priya K."
    people_panel.rename_button.click()
    people_panel.rename_button.click()
    assert page.refreshes == 1
    assert "Priya K." in checklist.person.options
    assert "Priya K." in marbles.fields["person"].options
    assert any("Priya K." in label for label, _ in people.entries.select.options)
    assert any("Priya K." in label for label, _ in checklist.entries.select.options)
