"""Undo: `trustlab history` lists what trustlab kept; `trustlab restore` puts a version back."""

from __future__ import annotations

import pytest

from trustlab import JournalError, open_journal
from trustlab.cli import main
from trustlab.history import history, history_frame, restore

SAM = {"date": "2024-03-01", "person": "Sam", "marbles": 2, "moment": "Called back"}
TORN = (
    '"id","date","person","marbles","moment","braving"\n'
    '"e000000000000001","2024-03-01","Sam","2","first",""\n'
    '"e000000000000002","2024-03-02","Sam","1","cut off'
)


def moments(folder):
    return open_journal(folder).table("marbles")["moment"].tolist()


def test_history_lists_backups_newest_first(journal, journal_dir):
    entry = journal.add("marbles", **SAM)
    journal.correct("marbles", entry["id"], moment="second version")
    journal.delete("marbles", entry["id"])
    kept = history(journal_dir)
    assert [k.kind for k in kept] == ["backup", "backup"]
    assert [k.table for k in kept] == ["marbles", "marbles"]
    assert kept[0].when > kept[1].when
    assert "second version" in kept[0].path.read_text()
    assert "Called back" in kept[1].path.read_text()
    assert list(history_frame(journal_dir)["kept"]) == [k.name for k in kept]


def test_restore_puts_a_version_back_and_can_itself_be_undone(journal, journal_dir):
    entry = journal.add("marbles", **SAM)
    journal.delete("marbles", entry["id"])
    assert moments(journal_dir) == []
    [before_delete] = history(journal_dir)
    undo = restore(journal_dir, before_delete.name)
    assert moments(journal_dir) == ["Called back"]
    assert undo.kind == "backup" and undo.path.read_text().count("\n") == 1  # header only
    restore(journal_dir, undo.name)
    assert moments(journal_dir) == []


def test_restore_refuses_a_fragment_and_an_unknown_name(journal_dir, snapshot):
    (journal_dir / "marbles.csv").write_text(TORN)
    journal = open_journal(journal_dir)
    with pytest.warns(UserWarning):
        journal.add("marbles", **SAM)
    fragment = next(k for k in history(journal_dir) if k.kind == "recovered")
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match=r"incomplete entry .* cannot be put back"):
        restore(journal_dir, fragment.name)
    with pytest.raises(JournalError, match=r"no backup called 'nope\.csv'"):
        restore(journal_dir, "nope.csv")
    with pytest.raises(JournalError, match="no backup called"):
        restore(journal_dir, "../marbles.csv")
    assert snapshot(journal_dir) == before


def test_cli_history_and_restore(journal, journal_dir, capsys):
    entry = journal.add("marbles", **SAM)
    journal.delete("marbles", entry["id"])
    assert main(["history", str(journal_dir)]) == 0
    out = capsys.readouterr().out
    [kept] = history(journal_dir)
    assert kept.name in out and "marbles.csv" in out
    assert main(["restore", str(journal_dir), kept.name]) == 0
    out = capsys.readouterr().out
    assert "Restored marbles.csv" in out
    assert moments(journal_dir) == ["Called back"]
    assert main(["restore", str(journal_dir), "nope.csv"]) == 1
    assert "no backup called" in capsys.readouterr().err


def test_cli_history_of_a_journal_without_changes(journal_dir, capsys):
    assert main(["history", str(journal_dir)]) == 0
    assert "nothing to undo" in capsys.readouterr().out


def test_undo_panel_restores_with_two_clicks(journal, journal_dir):
    from trustlab.forms import UndoPanel

    entry = journal.add("marbles", **SAM)
    panel = UndoPanel(journal)
    assert panel.restore_button.disabled and "Nothing to undo yet" in panel.status.value
    journal.delete("marbles", entry["id"])
    panel.refresh()
    assert not panel.restore_button.disabled
    assert panel.restore() is None  # the first click only asks
    assert moments(journal_dir) == []
    undo = panel.restore()
    assert undo is not None and "Put back marbles.csv" in panel.status.value
    assert moments(journal_dir) == ["Called back"]
    assert journal.table("marbles")["moment"].tolist() == ["Called back"]
    assert panel.select.options[0][1] == undo.name


def test_undo_panel_shows_a_failed_restore(journal, journal_dir, monkeypatch):
    import errno
    import os

    from trustlab import storage
    from trustlab.forms import UndoPanel

    entry = journal.add("marbles", **SAM)
    journal.delete("marbles", entry["id"])
    panel = UndoPanel(journal)

    def full(*args, **kw):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(storage, "write_temp", full)
    panel.restore()
    assert panel.restore() is None
    assert "disk is full: nothing was restored" in panel.status.value
    assert moments(journal_dir) == []
