"""Every way a save can fail ends with the person told, in words, and nothing lost or doubled.

Full disks, read-only folders and a busy lock are injected with a small shim around the
``os`` calls of :mod:`trustlab.storage` (and, where this machine allows it, with a real
tmpfs). After each failure the journal still opens, and every entry that was acknowledged
is there exactly once.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest

from trustlab import JournalError, open_journal, storage
from trustlab.errors import JournalWarning
from trustlab.forms import EntryForm, EntryList, ObservationChecklist

SAM = {"date": "2024-03-01", "person": "Sam", "marbles": 2, "moment": "Called back"}


class FaultyOS(SimpleNamespace):
    """``os`` as storage sees it, with chosen calls failing.

    ``fail[name]`` is a function ``(real, *args) -> result`` that replaces ``os.<name>``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.fail: dict = {}

    def __getattr__(self, name: str):
        real = getattr(os, name)
        if name in self.fail:
            return lambda *args, **kw: self.fail[name](real, *args, **kw)
        return real


@pytest.fixture
def faulty(monkeypatch) -> FaultyOS:
    shim = FaultyOS()
    monkeypatch.setattr(storage, "os", shim)
    return shim


def disk_full(real, *args, **kw):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def full_after(n_bytes: int):
    """A write that stores ``n_bytes`` more, then finds the disk full."""
    room = {"left": n_bytes}

    def write(real, fd, data):
        if room["left"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real(fd, bytes(data[: room["left"]]))
        room["left"] -= written
        return written

    return write


def read_only(real, path, flags, *args, **kw):
    if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    return real(path, flags, *args, **kw)


def moments(folder: Path) -> list[str]:
    return open_journal(folder).table("marbles")["moment"].tolist()


def leftovers(folder: Path) -> list[str]:
    """Temporary files anywhere in the journal."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*.tmp"))


# --- 2. the library says what happened, in words ----------------------------------------


def test_full_disk_on_add_is_a_journal_error_and_stores_nothing(journal, journal_dir, faulty):
    journal.add("marbles", **SAM)
    before = (journal_dir / "marbles.csv").read_bytes()
    faulty.fail["write"] = disk_full
    with pytest.raises(JournalError, match=r"your disk is full: nothing was saved") as error:
        journal.add("marbles", **{**SAM, "moment": "second"})
    assert error.value.problems[0].code == "disk_full"
    assert (journal_dir / "marbles.csv").read_bytes() == before
    faulty.fail.clear()
    journal.add("marbles", **{**SAM, "moment": "second"})
    assert moments(journal_dir) == ["Called back", "second"]


def test_read_only_folder_is_a_journal_error(journal, journal_dir, faulty):
    journal.add("marbles", **SAM)
    entry_id = journal.table("marbles")["id"].iloc[0]
    faulty.fail["open"] = read_only
    for action in (lambda: journal.add("marbles", **SAM),
                   lambda: journal.correct("marbles", entry_id, moment="x"),
                   lambda: journal.delete("marbles", entry_id),
                   lambda: journal.add("people", person="Ana", relationship="friend",
                                       era="present")):
        with pytest.raises(JournalError, match=r"cannot write to .*read-only") as error:
            action()
        assert error.value.problems[0].code == "read_only"
    faulty.fail.clear()
    assert moments(journal_dir) == ["Called back"]
    assert leftovers(journal_dir) == []


def _hold_lock(journal_dir: Path, filename: str) -> subprocess.Popen:
    lock = journal_dir / ".trustlab" / "locks" / f"{filename}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from filelock import FileLock
            with FileLock({str(lock)!r}):
                print("held", flush=True)
                sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_held_lock_is_reported_after_a_short_wait(journal, journal_dir, monkeypatch):
    monkeypatch.setattr(storage, "LOCK_TIMEOUT", 0.3)
    journal.add("marbles", **SAM)
    holder = _hold_lock(journal_dir, "marbles.csv")
    try:
        with pytest.raises(JournalError, match=r"another trustlab window .* Try again") as e:
            journal.add("marbles", **SAM)
        assert e.value.problems[0].code == "busy"
    finally:
        holder.communicate("", timeout=10)
    journal.add("marbles", **{**SAM, "moment": "after"})
    assert moments(journal_dir) == ["Called back", "after"]


def test_lock_wait_is_a_few_seconds_at_most():
    assert 1 <= storage.LOCK_TIMEOUT <= 10


# --- 2. ... and the form shows it -------------------------------------------------------


def marbles_form(journal) -> EntryForm:
    """The marbles form, with Sam among the people its picker offers."""
    journal.add("people", person="Sam", relationship="friend", era="present")
    return EntryForm(journal, "marbles")


def _fill(form: EntryForm, moment: str) -> None:
    form.fields["date"].value = __import__("datetime").date(2024, 3, 2)
    form.fields["person"].value = "Sam"
    form.fields["marbles"].value = 1
    form.fields["moment"].value = moment


@pytest.mark.parametrize("failure", ["disk_full", "read_only", "write_failed"])
def test_form_shows_a_failed_save_and_keeps_what_was_typed(journal, journal_dir, faulty,
                                                           failure):
    form = marbles_form(journal)
    _fill(form, "first")
    assert form.save() is not None
    assert "Saved" in form.status.value
    _fill(form, "what I typed")
    faulty.fail["write"] = {
        "disk_full": disk_full,
        "read_only": lambda real, *a: (_ for _ in ()).throw(
            PermissionError(errno.EROFS, "Read-only file system")),
        "write_failed": lambda real, *a: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")),
    }[failure]
    assert form.save() is None
    assert "Saved" not in form.status.value
    assert "nothing was saved" in form.status.value
    assert 'role="alert"' in form.status.value
    assert form.fields["moment"].value == "what I typed"
    faulty.fail.clear()
    assert form.save() is not None
    assert moments(journal_dir) == ["first", "what I typed"]


def test_form_shows_a_busy_journal(journal, journal_dir, monkeypatch):
    monkeypatch.setattr(storage, "LOCK_TIMEOUT", 0.3)
    form = marbles_form(journal)
    _fill(form, "first")
    form.save()
    holder = _hold_lock(journal_dir, "marbles.csv")
    try:
        _fill(form, "while busy")
        assert form.save() is None
        assert "Another trustlab window" in form.status.value
        assert form.fields["moment"].value == "while busy"
    finally:
        holder.communicate("", timeout=10)


def test_delete_shows_a_failure_in_the_list(journal, journal_dir, faulty):
    form = marbles_form(journal)
    _fill(form, "keep me")
    form.save()
    entries = EntryList(form)
    entries.select.value = entries.select.options[0][1]
    entries.delete()
    faulty.fail["write"] = disk_full
    assert entries.delete() is None
    assert "nothing was deleted" in entries.status.value
    assert "Deleted" not in entries.status.value
    faulty.fail.clear()
    assert moments(journal_dir) == ["keep me"]
    assert leftovers(journal_dir) == []


# --- 3. an add that raises stored nothing; the checklist is all or nothing -------------------


@pytest.mark.parametrize("room", [0, 10, 40])
def test_add_cut_off_by_a_full_disk_is_undone(journal, journal_dir, faulty, room):
    journal.add("marbles", **SAM)
    before = (journal_dir / "marbles.csv").read_bytes()
    row = storage.format_rows([["e" * 16, "2024-03-01", "Sam", "2", "second", ""]])
    faulty.fail["write"] = full_after(min(room, len(row) - 1))
    with pytest.raises(JournalError, match="disk is full"):
        journal.add("marbles", **{**SAM, "moment": "second"})
    assert (journal_dir / "marbles.csv").read_bytes() == before
    faulty.fail.clear()
    journal.add("marbles", **{**SAM, "moment": "second"})  # the retry
    assert moments(journal_dir) == ["Called back", "second"]


def test_add_whose_fsync_fails_is_undone(journal, journal_dir, faulty):
    journal.add("marbles", **SAM)
    before = (journal_dir / "marbles.csv").read_bytes()
    calls = {"n": 0}

    def fsync(real, fd):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(errno.EIO, "I/O error")
        return real(fd)

    faulty.fail["fsync"] = fsync
    with pytest.raises(JournalError, match="could not write"):
        journal.add("marbles", **{**SAM, "moment": "second"})
    assert (journal_dir / "marbles.csv").read_bytes() == before


def _checklist(journal) -> ObservationChecklist:
    journal.add("people", person="Sam", relationship="friend", era="present")
    for quality in ("honesty", "patience", "warmth"):
        journal.add("qualities", quality=quality, importance=3)
    checklist = ObservationChecklist(journal)
    checklist.person.value = "Sam"
    for widget in checklist.answers.values():
        widget.value = "yes"
    return checklist


def test_checklist_is_all_or_nothing(journal, journal_dir, faulty):
    checklist = _checklist(journal)
    faulty.fail["write"] = full_after(40)  # room for part of the first row only
    assert checklist.save() == []
    assert "disk is full" in checklist.status.value
    assert open_journal(journal_dir).table("observations").empty
    assert {w.value for w in checklist.answers.values()} == {"yes"}  # answers kept
    faulty.fail.clear()
    assert len(checklist.save()) == 3
    saved = open_journal(journal_dir).table("observations")
    assert sorted(saved["quality"]) == ["honesty", "patience", "warmth"]


def test_add_many_checks_every_entry_before_writing(journal, journal_dir):
    with pytest.raises(JournalError, match="marbles"):
        journal.add_many("marbles", [SAM, {**SAM, "marbles": 0}])
    assert not (journal_dir / "marbles.csv").exists()
    with pytest.raises(JournalError, match=r"already in people\.csv"):
        journal.add_many("people", [{"person": "Ana", "relationship": "friend", "era": "past"},
                                    {"person": "Ana ", "relationship": "friend", "era": "past"}])
    assert not (journal_dir / "people.csv").exists()
    saved = journal.add_many("marbles", [SAM, {**SAM, "moment": "two"}])
    assert [e["moment"] for e in saved] == ["Called back", "two"]
    assert moments(journal_dir) == ["Called back", "two"]


# --- 4. recovered/ and temporary files are honest -----------------------------------------


TORN = (
    '"id","date","person","marbles","moment","braving"\n'
    '"e000000000000001","2024-03-01","Sam","2","first",""\n'
    '"e000000000000002","2024-03-02","Sam","1","cut off he'
)


def test_a_failed_rewrite_leaves_no_fragment_no_temp_and_no_warning(journal_dir, faulty):
    (journal_dir / "marbles.csv").write_text(TORN)
    journal = open_journal(journal_dir)
    faulty.fail["write"] = disk_full
    for _ in range(3):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with pytest.raises(JournalError, match="disk is full"):
                journal.add("marbles", **SAM)
        assert [w for w in seen if issubclass(w.category, JournalWarning)] == []
    recovered = journal_dir / ".trustlab" / "recovered"
    assert not recovered.exists() or list(recovered.iterdir()) == []
    assert leftovers(journal_dir) == []
    assert (journal_dir / "marbles.csv").read_text() == TORN
    faulty.fail.clear()
    with pytest.warns(JournalWarning, match="moved to .trustlab/recovered/"):
        journal.add("marbles", **SAM)
    [fragment] = recovered.iterdir()
    assert fragment.read_text() == '"e000000000000002","2024-03-02","Sam","1","cut off he'


def test_a_fragment_is_kept_once_however_often_the_save_fails(journal_dir, faulty):
    (journal_dir / "marbles.csv").write_text(TORN)
    journal = open_journal(journal_dir)
    faulty.fail["replace"] = lambda real, src, dst: (
        real(src, dst) if "recovered" in str(dst)
        else (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space left on device")))
    for _ in range(3):
        with pytest.raises(JournalError, match="disk is full"):
            journal.delete("marbles", "e000000000000001")
    recovered = journal_dir / ".trustlab" / "recovered"
    assert len(list(recovered.iterdir())) == 1
    assert leftovers(journal_dir) == []
    faulty.fail.clear()
    with pytest.warns(JournalWarning):
        journal.delete("marbles", "e000000000000001")
    assert len(list(recovered.iterdir())) == 1
    assert open_journal(journal_dir).table("marbles").empty


def test_no_empty_fragment_is_ever_kept(tmp_path):
    assert storage.save_fragment(tmp_path / "recovered", "marbles", b"\n\r\n  ") is None
    assert not (tmp_path / "recovered").exists()


def test_backups_are_named_in_utc_and_sort_in_time_order(journal, journal_dir, monkeypatch):
    entry = journal.add("marbles", **SAM)
    for n in range(3):
        journal.correct("marbles", entry["id"], moment=f"v{n}")
    names = sorted(p.name for p in (journal_dir / ".trustlab" / "backups").iterdir())
    assert all(name.endswith("Z.csv") for name in names)
    contents = [(journal_dir / ".trustlab" / "backups" / n).read_text() for n in names]
    assert ["Called back" in contents[0], "v0" in contents[1], "v1" in contents[2]] == [True] * 3


# --- 5. a complete last row without a final line break is complete ------------------------


SPREADSHEET = (
    "date,person,marbles,moment,braving\n"
    "2024-03-01,Sam,2,Called back,reliability\n"
    '2024-03-02,Sam,-1,"Forgot, again",'
)


def test_a_complete_last_row_without_line_break_is_kept(journal_dir, capsys):
    from trustlab.cli import main

    (journal_dir / "marbles.csv").write_text(SPREADSHEET)
    assert main(["check", str(journal_dir)]) == 0
    journal = open_journal(journal_dir)
    assert [p.code for p in journal.problems if p.code != "unknown_reference"] == []
    assert journal.table("marbles")["moment"].tolist() == ["Called back", "Forgot, again"]
    journal.add("marbles", **SAM)
    again = open_journal(journal_dir)
    assert again.table("marbles")["moment"].tolist() == ["Called back", "Forgot, again",
                                                         "Called back"]
    assert not (journal_dir / ".trustlab" / "recovered").exists()
    assert [p.code for p in again.problems if p.code != "unknown_reference"] == []


def test_append_adds_the_missing_line_break_without_rewriting(journal_dir):
    text = SPREADSHEET.replace("date,", "id,date,").replace("\n2024-03-01", "\ne1,2024-03-01")
    text = text.replace('\n2024-03-02', '\ne2,2024-03-02')
    (journal_dir / "marbles.csv").write_text(text)
    journal = open_journal(journal_dir)
    journal.add("marbles", **SAM)
    data = (journal_dir / "marbles.csv").read_text()
    assert data.startswith(text + "\n")  # the person's own formatting is kept
    assert not (journal_dir / ".trustlab" / "backups").exists()


# --- 6. ids point to content, not to a line ------------------------------------------------


HANDMADE = (
    "date,person,marbles,moment,braving\n"
    "2024-03-01,Sam,2,Called back,\n"
    "2024-03-02,Sam,-1,Forgot,\n"
    "2024-03-03,Ana,1,Kept a secret,vault\n"
)


def test_delete_after_a_row_was_inserted_above_by_hand(journal_dir):
    path = journal_dir / "marbles.csv"
    path.write_text(HANDMADE)
    journal = open_journal(journal_dir)
    frame = journal.table("marbles")
    forgot = frame.loc[frame["moment"] == "Forgot", "id"].item()
    lines = HANDMADE.splitlines(keepends=True)
    path.write_text(lines[0] + "2024-02-28,Ana,1,Inserted above,\n" + "".join(lines[1:]))
    removed = journal.delete("marbles", forgot)
    assert removed["moment"] == "Forgot"
    assert moments(journal_dir) == ["Inserted above", "Called back", "Kept a secret"]


def test_an_entry_edited_by_hand_is_not_changed_blindly(journal_dir):
    path = journal_dir / "marbles.csv"
    path.write_text(HANDMADE)
    journal = open_journal(journal_dir)
    frame = journal.table("marbles")
    forgot = frame.loc[frame["moment"] == "Forgot", "id"].item()
    path.write_text(HANDMADE.replace("Forgot", "Forgot to call"))
    before = path.read_bytes()
    for action in (lambda: journal.delete("marbles", forgot),
                   lambda: journal.correct("marbles", forgot, marbles=-2)):
        with pytest.raises(JournalError, match="changed outside trustlab"):
            action()
    assert path.read_bytes() == before
    assert not (journal_dir / ".trustlab" / "backups").exists()


def test_derived_ids_are_stable_and_distinct_for_repeated_rows(journal_dir):
    path = journal_dir / "marbles.csv"
    path.write_text(HANDMADE + "2024-03-01,Sam,2,Called back,\n")
    first = open_journal(journal_dir).table("marbles")["id"].tolist()
    assert len(set(first)) == 4
    assert first == open_journal(journal_dir).table("marbles")["id"].tolist()
    journal = open_journal(journal_dir)
    journal.delete("marbles", first[3])  # one of two identical entries
    assert moments(journal_dir) == ["Called back", "Forgot", "Kept a secret"]


# --- edited in a spreadsheet while open ----------------------------------------------------


def test_a_spreadsheet_save_while_open_is_kept(journal, journal_dir):
    journal.add("marbles", **SAM)
    path = journal_dir / "marbles.csv"
    # a spreadsheet saves the whole file again: new inode, its own formatting, one row more
    text = path.read_text().replace('"', "")
    replacement = journal_dir / "saved-by-spreadsheet.csv"
    replacement.write_text(text + "e00000000000000f,2024-03-05,Sam,1,Added in a spreadsheet,")
    os.replace(replacement, path)
    journal.add("marbles", **{**SAM, "moment": "from trustlab"})
    assert moments(journal_dir) == ["Called back", "Added in a spreadsheet", "from trustlab"]


# --- 8. symlinked journal files: every write goes through to the target -------------------


def test_a_symlinked_table_stays_linked_through_every_kind_of_write(journal_dir, tmp_path):
    elsewhere = tmp_path / "synced"
    elsewhere.mkdir()
    target = elsewhere / "marbles.csv"
    link = journal_dir / "marbles.csv"
    link.symlink_to(target)
    journal = open_journal(journal_dir)
    first = journal.add("marbles", **SAM)  # creates the target
    second = journal.add("marbles", **{**SAM, "moment": "second"})
    old = target.read_bytes()
    journal.correct("marbles", first["id"], moment="corrected")
    journal.add("marbles", **{**SAM, "moment": "third"})
    journal.delete("marbles", second["id"])
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert moments(journal_dir) == ["corrected", "third"]
    assert open_journal(elsewhere).table("marbles")["moment"].tolist() == ["corrected", "third"]
    backups = sorted((journal_dir / ".trustlab" / "backups").iterdir())
    assert backups[0].read_bytes() == old
    assert all(not p.is_symlink() for p in backups)
    assert list(elsewhere.iterdir()) == [target]  # no temp or backup files left there


# --- a real full disk and a real read-only folder ------------------------------------------


@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs (needs root; CI runs as root)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                             str(mount)], capture_output=True, text=True)
    if result.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI: {result.stderr}")
        pytest.skip("mounting a small tmpfs needs root; run as root (or in CI) to include "
                    "this test")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_real_full_disk(small_disk):
    journal = open_journal(small_disk / "journal")
    saved = []
    with pytest.raises(JournalError, match="disk is full") as error:
        for n in range(10_000):
            saved.append(journal.add("marbles", **{**SAM, "moment": f"{n} " + "x" * 200})["id"])
    assert error.value.problems[0].code == "disk_full"
    again = open_journal(small_disk / "journal")
    assert again.table("marbles")["id"].tolist() == saved  # each acknowledged entry, once
    with pytest.raises(JournalError, match="disk is full"):
        again.delete("marbles", saved[0])
    assert open_journal(small_disk / "journal").table("marbles")["id"].tolist() == saved
    assert leftovers(small_disk) == []


def test_a_real_read_only_folder(small_disk):
    journal = open_journal(small_disk / "journal")
    entry = journal.add("marbles", **SAM)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        with pytest.raises(JournalError, match="cannot write to") as error:
            journal.add("marbles", **SAM)
        assert error.value.problems[0].code == "read_only"
        with pytest.raises(JournalError, match="nothing was changed"):
            journal.correct("marbles", entry["id"], moment="x")
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert moments(small_disk / "journal") == ["Called back"]


def test_a_journal_folder_that_cannot_be_made_is_a_journal_error(tmp_path, monkeypatch):
    def refuse(self, *args, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(JournalError, match=r"could not be made:\n.*cannot write to"):
        open_journal(tmp_path / "new journal")


def test_an_unreadable_file_is_named(journal_dir, write_file, monkeypatch):
    write_file("marbles.csv", "date,person,marbles,moment,braving\n")

    def refuse(path, *args, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(storage, "read_table_file", refuse)
    with pytest.raises(JournalError, match=r"marbles\.csv: trustlab cannot read .*permission"):
        open_journal(journal_dir)


def test_read_regular_reads_only_a_regular_file_never_a_link_a_pipe_or_too_much(tmp_path):
    from trustlab.storage import NotAFile, TooBig, read_regular

    real = tmp_path / "real.json"
    real.write_bytes(b'{"a": 1}')
    assert read_regular(real) == b'{"a": 1}' and read_regular(real, 8) == b'{"a": 1}'
    with pytest.raises(TooBig):
        read_regular(real, 7)
    (tmp_path / "link.json").symlink_to(real)
    os.mkfifo(tmp_path / "pipe")  # opening it for reading would wait for a writer forever
    (tmp_path / "folder").mkdir()
    for name, kind in (("link.json", "a symbolic link"), ("pipe", "not a file"),
                       ("folder", "a folder")):
        with pytest.raises(NotAFile) as raised:
            read_regular(tmp_path / name)
        assert raised.value.kind == kind
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "missing")
