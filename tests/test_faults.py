"""Fault injection: writers killed with SIGKILL, and files cut short inside their last entry.

After every fault the journal must open, every acknowledged entry must be there, at most the
entry in flight may be missing (or present), and a torn tail must be reported and kept.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trustlab import open_journal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(180),
    pytest.mark.filterwarnings("ignore::trustlab.errors.JournalWarning"),  # expected here
]

ROUNDS = 20
"""Kills per test (two tests): each round costs one child start-up, about half a second."""

APPENDER = """
import sys
from trustlab import open_journal
journal = open_journal(sys.argv[1])
start = int(sys.argv[2])
print("ready", flush=True)
for i in range(start, start + 1_000_000):
    entry = journal.add("marbles", date="2024-03-01", person="Sam", marbles=1, moment=f"m{i}")
    print(entry["id"], i, flush=True)
"""

REWRITER = """
import sys
from trustlab import open_journal
journal = open_journal(sys.argv[1])
start = int(sys.argv[2])
base = journal.table("marbles")["id"].tolist()
print("ready", flush=True)
for i in range(start, start + 1_000_000):
    entry = journal.add("marbles", date="2024-03-01", person="Sam", marbles=1, moment=f"t{i}")
    print("A", entry["id"], i, flush=True)
    journal.correct("marbles", entry["id"], moment=f"c{i}")
    print("C", entry["id"], i, flush=True)
    journal.delete("marbles", entry["id"])
    print("D", entry["id"], i, flush=True)
    journal.correct("marbles", base[i % len(base)], moment=f"b{i}\\nwith a \\"quote\\", too")
    print("B", base[i % len(base)], i, flush=True)
"""


def _run_and_kill(script: str, folder: Path, start: int, delay: float) -> list[list[str]]:
    """Start ``script``, SIGKILL it ``delay`` seconds after it is ready; return its full lines."""
    # Unbuffered bytes: reading "ready" must not read ahead, because communicate()
    # with a timeout reads the pipe directly and would miss lines buffered here.
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(folder), str(start)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        ready = child.stdout.readline()
        if ready != b"ready\n":
            child.kill()
            _, err = child.communicate(timeout=30)
            pytest.fail(f"the child did not start: {ready!r}\n{err.decode()}")
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        out_bytes, err_bytes = child.communicate(timeout=30)
        out, err = out_bytes.decode(), err_bytes.decode()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"the child failed before the kill:\n{err}"
    # A line cut short was never fully acknowledged.
    return [line.split() for line in out.splitlines(keepends=True) if line.endswith("\n")]


def _opened_state(folder: Path) -> tuple[dict[str, str], list]:
    journal = open_journal(folder)
    frame = journal.table("marbles")
    ids = frame["id"].tolist()
    assert len(ids) == len(set(ids)), "an entry appears twice"
    errors = [p for p in journal.problems if p.level == "error"]
    assert all(p.code == "torn_line" for p in errors), errors
    return dict(zip(ids, frame["moment"], strict=True)), errors


def test_appender_killed_mid_append(tmp_path):
    rnd = random.Random(20240301)
    folder = tmp_path / "journal"
    acknowledged: set[str] = set()
    unacknowledged: set[str] = set()
    start = 0
    for round_ in range(ROUNDS):
        lines = _run_and_kill(APPENDER, folder, start, rnd.uniform(0.0, 0.25))
        acked = {ident: int(i) for ident, i in lines}
        assert len(acked) == len(lines), "an id was returned twice"
        acknowledged |= set(acked)
        state, _ = _opened_state(folder)
        missing = acknowledged - set(state)
        assert not missing, f"round {round_}: acknowledged entries lost: {missing}"
        extra = set(state) - acknowledged - unacknowledged
        assert len(extra) <= 1, f"round {round_}: more than the entry in flight: {extra}"
        in_flight = max(acked.values(), default=start - 1) + 1
        for ident in extra:
            assert state[ident] == f"m{in_flight}"
        for ident, i in acked.items():
            assert state[ident] == f"m{i}"
        unacknowledged |= extra
        start = in_flight + 1
    assert len(acknowledged) > ROUNDS, "the children hardly wrote anything: kill later"


def _apply(state: dict[str, str], op: list[str]) -> dict[str, str]:
    kind, ident, i = op
    state = dict(state)
    if kind == "A":
        state[ident] = f"t{i}"
    elif kind == "C":
        state[ident] = f"c{i}"
    elif kind == "D":
        del state[ident]
    else:
        state[ident] = f'b{i}\nwith a "quote", too'
    return state


def _next_op(last: list[str] | None, start: int) -> tuple[str, int]:
    """The operation the child was doing when it was killed, after its last acknowledged one."""
    if last is None:
        return "A", start
    kind, i = last[0], int(last[2])
    return {"A": ("C", i), "C": ("D", i), "D": ("B", i), "B": ("A", i + 1)}[kind]


def test_rewriter_killed_mid_rewrite(tmp_path):
    rnd = random.Random(20240302)
    folder = tmp_path / "journal"
    journal = open_journal(folder)
    for k in range(12):
        journal.add("marbles", date="2024-03-01", person="Sam", marbles=1,
                    moment=f"base {k}\nsecond line")
    model, _ = _opened_state(folder)
    start = 0
    rewrites = 0
    for round_ in range(ROUNDS):
        base = open_journal(folder).table("marbles")["id"].tolist()
        ops = _run_and_kill(REWRITER, folder, start, rnd.uniform(0.0, 0.25))
        old = model
        for op in ops:
            old = _apply(old, op)
        rewrites += sum(op[0] in "CDB" for op in ops)
        state, torn = _opened_state(folder)
        kind, i = _next_op(ops[-1] if ops else None, start)
        if state == old:
            pass  # the operation in flight had not reached the file
        elif kind == "A":
            [new] = set(state) - set(old)
            assert not torn
            assert state == old | {new: f"t{i}"}, f"round {round_}: not the old or new version"
        else:
            ident = ops[-1][1] if kind in "CD" else base[i % len(base)]
            assert state == _apply(old, [kind, ident, str(i)]), (
                f"round {round_}: the file is neither the old nor the new version ({kind} {i})"
            )
        model = state
        start = i + 1
    assert rewrites > ROUNDS, "the children hardly rewrote anything: kill later"


# --- torn tails ------------------------------------------------------------------


def _valid_file(folder: Path, newline: str) -> tuple[bytes, list[dict]]:
    if newline == "\r\n":
        folder.mkdir()
        (folder / "marbles.csv").write_bytes(b"id,date,person,marbles,moment,braving\r\n")
    journal = open_journal(folder)
    entries = [
        journal.add("marbles", date="2024-03-01", person="Sam", marbles=2, moment="first"),
        journal.add("marbles", date="2024-03-02", person="Sam", marbles=-1,
                    moment="two\nlines"),
        journal.add("marbles", date="2024-03-03", person="Sam", marbles=1, moment=""),
        journal.add("marbles", date="2024-03-04", person="Sam", marbles=3,
                    moment='Called back, said "sorry"\nand meant it', braving="vault"),
    ]
    return (folder / "marbles.csv").read_bytes(), entries


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_torn_tail_at_every_offset_of_the_last_entry(tmp_path, newline):
    data, entries = _valid_file(tmp_path / "source", newline)
    assert data.endswith(newline.encode())
    last_start = data.rindex(entries[-1]["id"].encode()) - 1  # the opening quote
    closing_quote = data.rindex(b'"')
    torn_line = data[:last_start].count(b"\n") + 1
    complete = [e["id"] for e in entries[:-1]]
    folder = tmp_path / "journal"
    failures = []
    for cut in range(last_start + 1, closing_quote + 1):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "marbles.csv").write_bytes(data[:cut])
        where = f"cut at {cut} ({data[last_start:cut][-12:]!r})"
        try:
            journal = open_journal(folder)
            torn = [(p.file, p.line) for p in journal.problems if p.code == "torn_line"]
            rows = journal.table("marbles")["id"].tolist()
            if torn != [("marbles.csv", torn_line)] or rows != complete:
                failures.append(f"{where}: torn reported {torn}, rows {len(rows)}")
                continue
            new = journal.add("marbles", date="2024-04-01", person="Sam", marbles=1,
                              moment="after the crash")
            recovered = folder / ".trustlab" / "recovered"
            fragments = [p.read_bytes() for p in recovered.glob("*")]
            if fragments != [data[last_start:cut]]:
                failures.append(f"{where}: recovered {fragments!r}")
            again = open_journal(folder)
            rows = again.table("marbles")["id"].tolist()
            errors = [p for p in again.problems if p.level == "error"]
            if rows != [*complete, new["id"]] or errors:
                failures.append(f"{where}: after add, rows {len(rows)}, errors {errors}")
        except Exception as exc:  # report every offset, not just the first one
            failures.append(f"{where}: {type(exc).__name__}: {exc}")
    assert not failures, f"{len(failures)} of {closing_quote - last_start} cuts failed:\n" + (
        "\n".join(failures)
    )


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_complete_last_entry_without_line_break(tmp_path, newline):
    data, entries = _valid_file(tmp_path / "source", newline)
    folder = tmp_path / "journal"
    for cut in (len(data) - len(newline), len(data) - 1):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        (folder / "marbles.csv").write_bytes(data[:cut])
        journal = open_journal(folder)
        assert [p for p in journal.problems if p.level == "error"] == []
        assert journal.table("marbles")["id"].tolist() == [e["id"] for e in entries]
        new = journal.add("marbles", date="2024-04-01", person="Sam", marbles=1)
        again = open_journal(folder)
        assert again.table("marbles")["id"].tolist() == [*(e["id"] for e in entries), new["id"]]
        assert again.table("marbles")["braving"].tolist()[-2] == "vault"
        assert [p for p in again.problems if p.level == "error"] == []


def test_correct_and_delete_after_a_torn_tail_keep_the_fragment(tmp_path):
    data, entries = _valid_file(tmp_path / "source", "\n")
    last_start = data.rindex(entries[-1]["id"].encode()) - 1
    cut = data.rindex(b"Called back") + len(b"Called")
    for action in ("correct", "delete"):
        folder = tmp_path / action
        folder.mkdir()
        (folder / "marbles.csv").write_bytes(data[:cut])
        journal = open_journal(folder)
        if action == "correct":
            journal.correct("marbles", entries[0]["id"], moment="corrected")
        else:
            journal.delete("marbles", entries[0]["id"])
        [fragment] = (folder / ".trustlab" / "recovered").iterdir()
        assert fragment.read_bytes() == data[last_start:cut]
        again = open_journal(folder)
        assert again.problems == [p for p in again.problems if p.level == "warning"]
        frame = again.table("marbles")
        if action == "correct":
            assert frame["id"].tolist() == [e["id"] for e in entries[:-1]]
            assert frame["moment"].tolist()[0] == "corrected"
        else:
            assert frame["id"].tolist() == [e["id"] for e in entries[1:-1]]
