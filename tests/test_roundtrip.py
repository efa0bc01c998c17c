"""Text is stored exactly as typed: whatever add() or correct() store, a fresh open reads back."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustlab import JournalError, open_journal, storage

# Pieces that break naive CSV handling, mixed with arbitrary text (no NUL, no surrogates).
TRICKY = [
    ",", '"', '""', "\n", "\r", "\r\n", "\n\r", " ", "\t", "  ", "=", "+", "-", "@", "=SUM(A1)",
    "😀", "👩‍👩‍👧", "שלום", "مرحبا", "\u200f", "\u202e", "\ufeff", "\u2028", "\x85", "\x0b",
    "NA", "null", "#N/A", "id", "date", "\\", "'",
]
ANY_CHAR = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
TEXT = st.lists(
    st.one_of(st.sampled_from(TRICKY), st.text(ANY_CHAR, max_size=8)), max_size=8
).map("".join)
REQUIRED_TEXT = TEXT.filter(lambda s: s.strip() != "")

SETTINGS = settings(
    max_examples=75,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _beliefs(journal) -> dict[str, dict]:
    frame = journal.table("beliefs")
    return {row["id"]: row for row in frame.to_dict("records")}


@SETTINGS
@given(
    entries=st.lists(
        st.fixed_dictionaries(
            {"belief": REQUIRED_TEXT, "opposite": TEXT, "evidence": TEXT, "possible": TEXT}
        ),
        min_size=1,
        max_size=3,
    ),
    new_text=TEXT,
    new_required=REQUIRED_TEXT,
    crlf=st.booleans(),
)
def test_text_round_trips_through_add_and_correct(entries, new_text, new_required, crlf):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if crlf:
            header = "id,date,belief,before,opposite,evidence,possible,after\r\n"
            (folder / "beliefs.csv").write_bytes(header.encode())
        journal = open_journal(folder)
        stored = {}
        for fields in entries:
            entry = journal.add("beliefs", date="2024-03-01", before=50, **fields)
            for name, text in fields.items():
                assert entry[name] == text
            stored[entry["id"]] = dict(fields)

        def check():
            read = _beliefs(open_journal(folder))
            assert set(read) == set(stored)
            for ident, fields in stored.items():
                for name, text in fields.items():
                    assert read[ident][name] == text, name
            assert open_journal(folder).problems == []

        check()
        first = next(iter(stored))
        corrected = journal.correct("beliefs", first, evidence=new_text, belief=new_required)
        assert (corrected["evidence"], corrected["belief"]) == (new_text, new_required)
        stored[first] |= {"evidence": new_text, "belief": new_required}
        check()
        last = list(stored)[-1]
        journal.delete("beliefs", last)
        del stored[last]
        check()


@SETTINGS
@given(person=REQUIRED_TEXT, note=TEXT, moment=TEXT)
def test_names_round_trip_across_tables(person, note, moment):
    with tempfile.TemporaryDirectory() as tmp:
        journal = open_journal(tmp)
        journal.add("people", person=person, relationship="friend", era="present", note=note)
        journal.add("marbles", date="2024-03-01", person=person, marbles=1, moment=moment)
        fresh = open_journal(tmp)
        assert fresh.table("people")[["person", "note"]].values.tolist() == [[person, note]]
        assert fresh.table("marbles")[["person", "moment"]].values.tolist() == [[person, moment]]
        assert fresh.problems == [], "the person was added to people.csv: no warning"


@pytest.mark.parametrize("text", ["\x00", "a\x00", "line\n\x00end"])
def test_nul_is_rejected_by_add_and_correct(journal, journal_dir, text, snapshot):
    entry = journal.add("beliefs", date="2024-03-01", belief="b", before=50)
    before = snapshot(journal_dir)
    with pytest.raises(JournalError, match="column opposite: contains a NUL character"):
        journal.add("beliefs", date="2024-03-01", belief="b", before=50, opposite=text)
    with pytest.raises(JournalError, match="column belief: contains a NUL character"):
        journal.correct("beliefs", entry["id"], belief=text)
    assert snapshot(journal_dir) == before


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    rows=st.integers(1, 6).flatmap(
        lambda width: st.lists(st.lists(TEXT, min_size=width, max_size=width), max_size=6)
    ),
    crlf=st.booleans(),
)
def test_the_fast_writer_writes_the_bytes_of_the_plain_one(rows, crlf):
    """``storage.format_table`` (pyarrow's CSV writer, for rewrites) writes exactly what
    ``storage.format_rows`` (Python's csv writer, every field quoted) writes."""
    newline = "\r\n" if crlf else "\n"
    width = len(rows[0]) if rows else 3
    header = [f"column {i}" for i in range(width)]
    columns = pa.table({f"c{i}": pa.array([r[i] for r in rows], pa.string())
                        for i in range(width)})
    assert storage.format_table(header, columns, newline) == storage.format_rows(
        [header, *rows], newline)
