"""The coach's reply: notes written in a report come back into the person's journal."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from trustlab import cli, open_journal, workbook
from trustlab.report import coach as reply
from trustlab.report import export
from trustlab.report.coach import MAX_BYTES, MAX_NOTE, ReplyError
from trustlab.share import ReplyForm

COACH = {
    "marbles": "Sam's jar fills in small ways. What helps?",
    "report": "Thank you for sharing. <3 Let's start with the moment you chose.",
}


@pytest.fixture
def journal(tmp_path):
    journal = open_journal(tmp_path / "journal")
    journal.add("people", person="Sam", relationship="friend", era="present")
    for day in range(1, 8):
        journal.add("marbles", date=f"2024-03-0{day}", person="Sam", marbles=1)
    return journal


@pytest.fixture
def report(journal, tmp_path) -> Path:
    """A report whose notebook has the coach's notes written in (as JupyterLab saves)."""
    folder = export(journal, tmp_path / "report").folder
    nb = json.loads((folder / "report.ipynb").read_text("utf-8"))
    for cell in nb["cells"]:
        section = cell["metadata"].get("trustlab", {}).get("section")
        if "coach-notes" in cell["metadata"].get("tags", []) and section in COACH:
            cell["source"] = COACH[section].splitlines(keepends=True)
    (folder / "report.ipynb").write_text(json.dumps(nb), "utf-8")
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_notes_go_from_the_report_to_the_journal_once(journal, report, capsys):
    assert cli.main(["reply", str(report)]) == 0
    sent = json.loads((report / "reply.json").read_text("utf-8"))
    report_id = json.loads((report / "report.json").read_text("utf-8"))["id"]
    assert sent["format"] == "trustlab-reply" and sent["version"] == 1
    assert sent["report"] == report_id
    assert [(n["section"], n["note"]) for n in sent["notes"]] == [
        ("marbles", COACH["marbles"]), ("report", COACH["report"])]
    assert all(datetime.date.fromisoformat(n["date"]) for n in sent["notes"])

    assert cli.main(["import-reply", str(journal.path), str(report / "reply.json")]) == 0
    assert "Added 2 notes from your coach" in capsys.readouterr().out
    notes = journal.table("coach_notes")
    assert list(notes["section"]) == ["marbles", "report"]
    assert list(notes["note"]) == [COACH["marbles"], COACH["report"]]
    assert set(notes["report"]) == {report_id} and notes["id"].str.len().min() > 0
    before = (journal.path / "coach_notes.csv").read_bytes()
    assert cli.main(["import-reply", str(journal.path), str(report / "reply.json")]) == 0
    assert "Added 0 notes" in capsys.readouterr().out  # the same reply twice adds nothing
    assert (journal.path / "coach_notes.csv").read_bytes() == before


def test_a_reply_needs_notes(report, tmp_path, capsys):
    empty = export(open_journal(tmp_path / "other"), tmp_path / "empty").folder
    assert cli.main(["reply", str(empty)]) == 1
    assert "no notes yet" in capsys.readouterr().err
    assert not (empty / "reply.json").exists()


def _reply(**changes) -> dict:
    base = {"format": "trustlab-reply", "version": 1, "report": "r1",
            "notes": [{"section": "marbles", "note": "Well done", "date": "2024-03-09"}]}
    return {**base, **changes}


BROKEN = {
    "not JSON": (b'{"format": "trustlab-reply", ', "not valid JSON"),
    "another format": (json.dumps(_reply(format="other")).encode(), "not a trustlab reply"),
    "a newer version": (json.dumps(_reply(version=2)).encode(), "reply version 2"),
    "huge": (b" " * (MAX_BYTES + 1), "too big"),
    "a huge note": (json.dumps(_reply(notes=[{"section": "report", "note": "x" * (MAX_NOTE + 1),
                                              "date": "2024-03-09"}])).encode(), "at most"),
    "HTML": (json.dumps(_reply(notes=[{"section": "report", "note": "<script>x</script>",
                                       "date": "2024-03-09"}])).encode(), "holds HTML"),
    "an unknown section": (json.dumps(_reply(notes=[{"section": "feelings", "note": "x",
                                                     "date": "2024-03-09"}])).encode(),
                           "is not one of"),
    "a bad date": (json.dumps(_reply(notes=[{"section": "report", "note": "x",
                                             "date": "March"}])).encode(), "YYYY-MM-DD"),
    "no notes": (json.dumps(_reply(notes=[])).encode(), "at least one note"),
    "not UTF-8": (b"\xff\xfe{}", "not UTF-8"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_reply_is_refused_and_the_journal_stays_as_it_was(journal, tmp_path, capsys,
                                                                    case):
    data, said = BROKEN[case]
    path = tmp_path / "reply.json"
    path.write_bytes(data)
    before = files(journal.path)
    assert cli.main(["import-reply", str(journal.path), str(path)]) == 1
    err = capsys.readouterr().err
    assert said in err and str(path) in err and "Nothing was added" in err
    assert "Traceback" not in err
    assert files(journal.path) == before
    with pytest.raises(ReplyError, match=said):
        reply.read_reply(path)


def test_a_reply_is_never_read_through_a_link(journal, tmp_path):
    real = tmp_path / "real.json"
    real.write_text(json.dumps(_reply()), "utf-8")
    link = tmp_path / "reply.json"
    link.symlink_to(real)
    with pytest.raises(ReplyError, match="is a link"):
        reply.read_reply(link)


def test_each_step_shows_its_coach_notes_apart_and_escaped(journal, tmp_path):
    path = tmp_path / "reply.json"
    path.write_text(json.dumps(_reply(notes=[
        {"section": "marbles", "note": "Sam & you: 5 > 3", "date": "2024-03-09"},
        {"section": "beliefs", "note": "About beliefs", "date": "2024-03-09"}])), "utf-8")
    assert reply.import_reply(journal, path) == (2, 0)
    shown = workbook.coach_notes_html(journal, step=5)
    assert "From your coach" in shown and "Sam &amp; you: 5 &gt; 3" in shown
    assert "About beliefs" not in shown
    assert workbook.coach_notes_html(journal, step=1) == ""


def test_the_coachs_notes_are_never_a_moment_to_share(journal, tmp_path):
    from trustlab.report import ExportError
    from trustlab.share import ShareForm

    path = tmp_path / "reply.json"
    path.write_text(json.dumps(_reply()), "utf-8")
    reply.import_reply(journal, path)
    ident = journal.table("coach_notes")["id"].iloc[0]
    with pytest.raises(ExportError, match="not an entry a report can share"):
        export(journal, tmp_path / "out", moment=f"coach_notes:{ident}")
    offered = [value for _, value in ShareForm(journal).moment.options]
    assert offered[1:] and not [v for v in offered if v.startswith("coach_notes:")]


def test_notebook_07_brings_a_reply_in(journal, tmp_path):
    path = tmp_path / "reply.json"
    path.write_text(json.dumps(_reply()), "utf-8")
    form = ReplyForm(journal)
    form.button.click()
    assert "Give the reply file" in form.status.value
    form.file.value = str(path)
    form.button.click()
    assert "Added 1 note from your coach" in form.status.value
    assert list(journal.table("coach_notes")["note"]) == ["Well done"]
    form.button.click()
    assert "Added 0 notes" in form.status.value and "1 was already" in form.status.value
    (tmp_path / "bad.json").write_text("{", "utf-8")
    form.file.value = str(tmp_path / "bad.json")
    form.button.click()
    assert "not valid JSON" in form.status.value and "Nothing was added" in form.status.value
