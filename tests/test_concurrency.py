"""Several processes writing to one journal at once: nothing lost, nothing twice."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import trustlab.journal
from trustlab import open_journal

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

APPENDER = """
import sys
from trustlab import open_journal
folder, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
journal = open_journal(folder)
print("ready", flush=True)
sys.stdin.readline()
for i in range(count):
    entry = journal.add("marbles", date="2024-03-01", person="Sam", marbles=1,
                        moment=f"{name}-{i}")
    print(entry["id"], flush=True)
"""

REWRITER = """
import sys
from trustlab import open_journal
folder = sys.argv[1]
journal = open_journal(folder)
base = journal.table("marbles")["id"].tolist()
print("ready", flush=True)
sys.stdin.readline()
for k, ident in enumerate(base):
    if k % 2:
        journal.correct("marbles", ident, moment=f"fixed {k}")
    else:
        journal.delete("marbles", ident)
    print(k, ident, flush=True)
"""

PERSON_ADDER = """
import sys
from trustlab import JournalError, open_journal
journal = open_journal(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
try:
    journal.add("people", person="Sam", relationship="partner", era="present", note=sys.argv[2])
    print("saved", flush=True)
except JournalError as error:
    assert [p.code for p in error.problems] == ["duplicate"], error
    print("duplicate", flush=True)
"""


def _run_together(scripts: list[tuple[str, list[str]]]) -> list[list[str]]:
    """Start every child, wait until all are ready, let them go at once; return their output."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script, args in scripts
    ]
    try:
        for child in children:
            line = child.stdout.readline()
            assert line == "ready\n", child.communicate(timeout=30)[1]
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        outputs = []
        for child in children:
            out, err = child.communicate(timeout=120)
            assert child.returncode == 0, err
            outputs.append(out.splitlines())
        return outputs
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def test_parallel_appends_keep_every_entry_once(tmp_path):
    folder = tmp_path / "journal"
    open_journal(folder)  # marbles.csv does not exist yet: the first writer creates it
    writers, count = 4, 50
    outputs = _run_together(
        [(APPENDER, [str(folder), f"w{n}", str(count)]) for n in range(writers)]
    )
    printed = [ident for out in outputs for ident in out]
    assert len(printed) == writers * count

    journal = open_journal(folder)
    frame = journal.table("marbles")
    assert [p for p in journal.problems if p.level == "error"] == []
    moments = Counter(frame["moment"])
    expected = {f"w{n}-{i}" for n in range(writers) for i in range(count)}
    assert set(moments) == expected
    assert set(moments.values()) == {1}, "an entry was stored twice"
    assert sorted(frame["id"]) == sorted(printed)
    for n in range(writers):  # each writer's entries are in its own order
        own = [m for m in frame["moment"] if m.startswith(f"w{n}-")]
        assert own == [f"w{n}-{i}" for i in range(count)]


def test_appends_racing_with_rewrites_lose_nothing(tmp_path):
    folder = tmp_path / "journal"
    journal = open_journal(folder)
    base = [
        journal.add("marbles", date="2024-03-01", person="Sam", marbles=1,
                    moment=f"base {k}\nwith a second line")["id"]
        for k in range(40)
    ]
    writers, count = 3, 40
    outputs = _run_together(
        [(REWRITER, [str(folder)])]
        + [(APPENDER, [str(folder), f"w{n}", str(count)]) for n in range(writers)]
    )
    assert len(outputs[0]) == len(base)

    journal = open_journal(folder)
    assert [p for p in journal.problems if p.level == "error"] == []
    rows = journal.table("marbles").set_index("id")["moment"]
    assert rows.index.is_unique
    appended = Counter(m for m in rows if m.startswith("w"))
    assert set(appended) == {f"w{n}-{i}" for n in range(writers) for i in range(count)}
    assert set(appended.values()) == {1}
    assert sorted(i for out in outputs[1:] for i in out) == sorted(
        i for i in rows.index if rows[i].startswith("w")
    )
    for k, ident in enumerate(base):
        if k % 2:
            assert rows[ident] == f"fixed {k}"
        else:
            assert ident not in rows.index


def test_the_same_person_added_at_once_is_saved_once(tmp_path):
    folder = tmp_path / "journal"
    open_journal(folder)
    outputs = _run_together([(PERSON_ADDER, [str(folder), f"from {n}"]) for n in range(4)])
    assert sorted(out[0] for out in outputs) == ["duplicate"] * 3 + ["saved"]
    people = open_journal(folder).table("people")
    assert people["person"].tolist() == ["Sam"]


def test_open_tolerates_another_process_creating_the_folder(tmp_path, monkeypatch):
    """Two first opens at once: the folder appears between the check and the mkdir."""
    folder = tmp_path / "journal"
    real_mkdir = Path.mkdir

    def racing_mkdir(self, *args, **kwargs):
        if self == folder and not folder.exists():
            real_mkdir(folder, mode=0o700)  # the other process wins the race
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", racing_mkdir)
    journal = trustlab.journal.open_journal(folder)
    assert journal.counts()["marbles"] == 0
