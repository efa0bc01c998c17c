"""The bad-input catalogue: malformed journals under tests/catalogue/, each with its expected
problem, and a few valid journals that must be accepted.

Every case is copied to a temporary folder first; `trustlab check` and `open_journal` must
name the right file, line, column and code, and leave every byte (and the folder) unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from trustlab import JournalError, open_journal
from trustlab.cli import main

CATALOGUE = Path(__file__).parent / "catalogue"
EXPECTED = json.loads((CATALOGUE / "expected.json").read_text(encoding="utf-8"))
BAD = EXPECTED["bad"]
GOOD = EXPECTED["good"]


def _copy_case(kind: str, name: str, tmp_path: Path) -> Path:
    source = CATALOGUE / kind / name
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


def _key(problem) -> tuple:
    return (problem.file, problem.line, problem.column, problem.code)


def _where(folder: Path, error: dict) -> str:
    where = f"{folder / error['file']}:{error['line']}: "
    if error["column"]:
        where += f"column {error['column']}: "
    return where


def test_catalogue_is_complete():
    folders = {p.name for p in (CATALOGUE / "bad").iterdir()}
    assert folders == set(BAD)
    assert {p.name for p in (CATALOGUE / "good").iterdir()} == set(GOOD)
    codes = {e["code"] for case in BAD.values() for e in case["errors"]}
    assert codes >= {
        "bad_date", "field_count", "torn_line", "not_utf8", "nul_byte", "empty_file",
        "delimiter", "repeated_header", "missing_column", "unknown_column",
        "duplicate_column", "duplicate", "not_allowed", "out_of_range", "not_whole",
        "required", "bad_quotes", "no_header", "duplicate_id",
    }


@pytest.mark.parametrize("kind, name", [("bad", n) for n in BAD] + [("good", n) for n in GOOD])
def test_case_files_are_intact(kind, name):
    """The catalogue's own bytes are pinned, so an editor cannot 'fix' a malformed case."""
    case = EXPECTED[kind][name]
    folder = CATALOGUE / kind / name
    assert {p.name for p in folder.iterdir()} == set(case["sha256"])
    for filename, digest in case["sha256"].items():
        assert hashlib.sha256((folder / filename).read_bytes()).hexdigest() == digest, filename


@pytest.mark.parametrize("name", list(BAD))
def test_check_reports_bad_case(name, tmp_path, capsys, snapshot):
    case = BAD[name]
    folder = _copy_case("bad", name, tmp_path)
    before = snapshot(folder)

    code = main(["check", str(folder)])

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert code == 1, out
    for error in case["errors"]:
        where = _where(folder, error)
        assert any(line.startswith(where) for line in lines), f"no line starts {where!r}:\n{out}"
    assert "Traceback" not in out
    assert snapshot(folder) == before
    assert not (folder / ".trustlab").exists()


@pytest.mark.parametrize("name", list(BAD))
def test_open_journal_reports_bad_case(name, tmp_path, snapshot):
    case = BAD[name]
    folder = _copy_case("bad", name, tmp_path)
    before = snapshot(folder)
    expected = [(e["file"], e["line"], e["column"], e["code"]) for e in case["errors"]]

    if case.get("opens"):
        journal = open_journal(folder)
        problems = journal.problems
        for table, rows in case["rows"].items():
            assert len(journal.table(table)) == rows
    else:
        with pytest.raises(JournalError) as info:
            open_journal(folder)
        problems = info.value.problems

    errors = [p for p in problems if p.level == "error"]
    assert sorted(map(_key, errors), key=str) == sorted(expected, key=str)
    first = next(p for p in errors if _key(p) == expected[0])
    for text in case.get("contains", []):
        assert text in first.message
    assert snapshot(folder) == before
    assert not (folder / ".trustlab").exists()


@pytest.mark.parametrize("name", list(GOOD))
def test_good_case_is_accepted(name, tmp_path, capsys, snapshot):
    case = GOOD[name]
    folder = _copy_case("good", name, tmp_path)
    before = snapshot(folder)

    code = main(["check", str(folder)])

    out = capsys.readouterr().out
    assert code == 0, out
    summary = out.splitlines()[-1]
    assert summary.startswith(f"{folder}: OK")
    for table, rows in case["rows"].items():
        assert f"{rows} {table}" in summary

    journal = open_journal(folder)
    assert journal.problems == []
    for table, rows in case["rows"].items():
        assert len(journal.table(table)) == rows
    for table, columns in case.get("values", {}).items():
        frame = journal.table(table)
        for column, values in columns.items():
            got = [None if pd.isna(v) else v for v in frame[column].tolist()]
            assert got == values, (table, column)
    assert snapshot(folder) == before
    assert not (folder / ".trustlab").exists()
