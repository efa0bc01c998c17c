"""Opening fast reads exactly what the plain way would: derived ids, name checks, byte counts."""

from __future__ import annotations

import csv
import io
import itertools
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from reference_ids import ids_by_definition, text_hash_by_definition

from trustlab import csvread, derived_ids, open_journal, validate
from trustlab.journal import inspect_journal

MARBLES = ["date", "person", "marbles", "moment", "braving"]
PEOPLE = ["person", "relationship", "era", "note"]


def _csv(rows: list[list[str]], *, newline: str = "\n", quoting: int = csv.QUOTE_ALL) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline, quoting=quoting).writerows(rows)
    return out.getvalue()


_TEXTS = ["", " ", "Called back", "called back", "Called back ", 'Said "yes", then no']
_TEXTS += ["Zoë", "李雷", "two\nlines", "two\r\nlines", "🍲"]
_TEXT = st.sampled_from(_TEXTS)
_ROW = st.tuples(
    st.sampled_from(["2024-03-01", "2024-03-02"]),
    st.sampled_from(["Sam", "Zoë", " Sam", "李雷"]),
    st.sampled_from(["2", "-1"]),
    _TEXT,
    st.sampled_from(["", "vault"]),
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(_ROW, min_size=1, max_size=40),
    newline=st.sampled_from(["\n", "\r\n"]),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    bom=st.booleans(),
)
def test_derived_ids_match_their_definition_on_tricky_text(rows, newline, quoting, bom):
    text = _csv([MARBLES, *map(list, rows)], newline=newline, quoting=quoting)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "marbles.csv"
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        frame = open_journal(folder).table("marbles")
    assert frame["id"].tolist() == ids_by_definition(frame.drop(columns="id"))


def test_large_tables_hash_their_blocks_side_by_side_to_the_same_ids(monkeypatch):
    """In blocks of rows, in threads, and from text in several chunks (as pyarrow's CSV
    reader gives it) that blocks cut across, every row's hash is the one its content
    defines."""
    monkeypatch.setattr(derived_ids, "_BLOCK", 10_000)
    n = 51_234
    rng = np.random.default_rng(7)
    moments = [f"moment, \"{i % 977}\"\n" + "long " * (i % 13) for i in range(n)]
    cuts = [0, 7, 20_000, 20_001, 41_000, n]
    chunked = pa.chunked_array([pa.array(moments[a:b]) for a, b in itertools.pairwise(cuts)])
    frame = pd.DataFrame({
        "date": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        "person": pd.Series(rng.choice(["Sam", "Zoë", "", "Dana 🍲"], n), dtype="str"),
        "marbles": rng.integers(-5, 6, n),
        "moment": pd.Series(pd.arrays.ArrowStringArray(chunked), dtype="str"),
    })
    assert pa.array(frame["moment"]).num_chunks == 5
    whole = derived_ids._combine([
        derived_ids.text_hashes(pa.chunked_array([pa.array(frame[c])]).combine_chunks())
        if isinstance(frame[c].dtype, pd.StringDtype)
        else pd.util.hash_pandas_object(frame[c], index=False).to_numpy()
        for c in frame
    ])
    assert (derived_ids.row_hashes(frame) == whole).all()
    assert (derived_ids.row_hashes(frame.iloc[:, :1]) == pd.util.hash_pandas_object(
        frame.iloc[:, :1], index=False).to_numpy()).all()  # a date's hash is pandas'
    assert derived_ids.content_ids(frame).to_pylist() == ids_by_definition(frame)
    # A column given as places among a few texts hashes as the texts themselves.
    names = pa.array(["Dana 🍲", "", "Zoë", "Sam", "unused"], pa.large_string())
    places = pc.index_in(pa.array(frame["person"]), value_set=names)
    assert places.null_count == 0
    by_place = {"person": (pa.chunked_array([places.slice(0, 30_000), places.slice(30_000)]),
                           names)}
    assert (derived_ids.row_hashes(frame, by_place) == whole).all()
    assert derived_ids.content_ids(frame, by_place).to_pylist() == ids_by_definition(frame)


_ANY_TEXT = st.one_of(st.none(), st.text(max_size=40), st.text(alphabet="ab\x00\n", max_size=20))


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(_ANY_TEXT, max_size=30), start=st.integers(0, 5), large=st.booleans())
def test_text_hashes_follow_their_definition(texts, start, large):
    """Whatever the texts (empty, NUL bytes, any Unicode, missing), wherever the array
    starts in its buffer and however its offsets are stored."""
    values = pa.array(["padding"] * start + texts, pa.large_string() if large else pa.string())
    values = values.slice(start)
    expected = [text_hash_by_definition(t) for t in texts]
    assert derived_ids.text_hashes(values).tolist() == expected


def test_one_very_long_text_takes_a_few_steps_not_one_per_word(monkeypatch):
    steps = []
    absorb = derived_ids._absorb

    def counting(data, starts, lengths):
        steps.append(int(((lengths + 7) >> 3).max()))
        return absorb(data, starts, lengths)

    monkeypatch.setattr(derived_ids, "_absorb", counting)
    text = "I wrote it all down, every word of it. " * 50_000  # about 2 MB
    assert derived_ids.text_hashes(pa.array([text, "short"])).tolist() == [
        text_hash_by_definition(text), text_hash_by_definition("short")]
    assert max(steps) <= derived_ids._PIECE // 8
    assert sum(steps) < 1_000  # one step per word would be about 250,000


def test_text_hashes_of_long_texts_and_of_texts_that_end_the_buffer():
    texts = ["x" * 5_000, "é" * 33, "", "abcdefgh", "abcdefgh\x00", "a", "a\x00", "ab" * 9]
    texts += ["c" * k for k in (24, 25, 31, 32, 33, 39, 40, 41)]  # around one read of 32 bytes
    texts += ["p" * 512, "p" * 513, "q" * 1_024, "long, " * 7_000]  # in pieces; pieces of pieces
    values = pa.array(texts)
    assert derived_ids.text_hashes(values).tolist() == [text_hash_by_definition(t) for t in texts]
    # the same texts, each alone at the end of its own buffer
    for t in texts:
        assert derived_ids.text_hashes(pa.array([t])).tolist() == [text_hash_by_definition(t)]


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=60), at=st.integers(0, 59), byte=st.integers(0, 255))
def test_texts_that_differ_in_one_byte_never_share_a_hash(text, at, byte):
    data = bytearray(text.encode("utf-8"))
    at %= len(data)
    assume(data[at] != byte)
    data[at] = byte
    before = text.encode("utf-8")
    offsets = np.array([0, len(before), 2 * len(before)], dtype=np.int32)
    values = pa.Array.from_buffers(  # not checked as UTF-8: any byte may change
        pa.string(), 2, [None, pa.py_buffer(offsets), pa.py_buffer(before + bytes(data))]
    )
    first, second = derived_ids.text_hashes(values).tolist()
    assert first != second


def test_many_copies_are_numbered_in_file_order_past_nine():
    frame = pd.DataFrame({"moment": ["same"] * 12 + ["other", "same"]})
    ids = derived_ids.content_ids(frame)
    assert ids.type == pa.large_string()
    assert ids.to_pylist() == ids_by_definition(frame)
    assert [i[17:] for i in ids.to_pylist()] == ["", *(f"-{k}" for k in range(2, 13)), "", "-13"]


def test_copies_are_found_exactly_when_hashes_share_their_low_bits():
    high = np.uint64(1 << 40)  # same low bits: the quick checks cannot tell these apart
    a, b, c = np.uint64(5), np.uint64(5) + high, np.uint64(5) + 2 * high
    hashes = np.array([a, b, 7, a, 9, b, a, c, 7, 2**64 - 1, 2**64 - 1], dtype=np.uint64)
    rows, nth = derived_ids._copies(hashes)
    seen: dict[int, int] = {}
    expected = []
    for i, h in enumerate(hashes.tolist()):
        seen[h] = seen.get(h, 0) + 1
        if seen[h] > 1:
            expected.append((i, seen[h]))
    assert list(zip(rows.tolist(), nth.tolist(), strict=True)) == expected
    for different in ([3, 1, 2], [a, b, c, 7]):  # (a, b and c share their low 32 bits)
        rows, nth = derived_ids._copies(np.array(different, dtype=np.uint64))
        assert len(rows) == len(nth) == 0


def test_rows_without_ids_among_rows_with_them_get_ids_from_their_content(journal_dir):
    rows = [["id", *MARBLES]]
    for i in range(30):
        ident = "" if i % 3 else f"e{i:015x}"
        rows.append([ident, "2024-03-01", "Sam", "2", "Called back" if i % 2 else "", ""])
    (journal_dir / "marbles.csv").write_text(_csv(rows))
    frame = open_journal(journal_dir).table("marbles")
    missing = [i for i in range(30) if i % 3]
    expected = ids_by_definition(frame.drop(columns="id").iloc[missing])
    assert frame["id"].iloc[missing].tolist() == expected
    assert frame["id"].iloc[::3].tolist() == [f"e{i:015x}" for i in range(0, 30, 3)]


def _unknown(file: str, line: int, column: str, value: str, where: str, hint: str = "") -> tuple:
    target = {"person": "people", "quality": "qualities"}[column]
    hint = f" Did you mean {hint!r}?" if hint else ""
    message = (
        f"{value!r} is not in {target}.csv (named {where}).{hint} "
        f"Add them to {target}.csv when you are ready."
    )
    return (file, line, column, value, message)


def test_unknown_names_are_found_across_tables_after_stripping(journal_dir, write_file):
    people = ["Sam", " Zoë ", "李雷", "Ana\u00a0", "Jo, Jr."]
    write_file("people.csv", _csv([PEOPLE, *[[name, "friend", "present", ""] for name in people]]))
    write_file("qualities.csv", "quality,why,importance\nReliability,,5\n Honesty ,,3\n")
    named = ["Sam", "Zoë", " Sam ", "Samm", "Ana", "李", "Samm", "jo, jr."]
    write_file("marbles.csv", _csv([MARBLES, *[["2024-03-01", n, "1", "", ""] for n in named]]))
    write_file(
        "observations.csv",
        "date,person,quality,shown,note\n2024-03-01,Samm,Reliabilty,yes,\n"
        "2024-03-02,,Honesty,no,\n2024-03-03,Zoë, Honesty ,no,\n2024-03-04,Nobody,Kindness,no,\n",
    )
    problems = open_journal(journal_dir).problems
    assert [(p.file, p.line, p.column, p.value, p.message) for p in problems] == [
        _unknown("observations.csv", 2, "person", "Samm", "here", "Sam"),
        _unknown("observations.csv", 5, "person", "Nobody", "here"),
        _unknown("marbles.csv", 5, "person", "Samm", "on 2 lines, first here", "Sam"),
        _unknown("marbles.csv", 7, "person", "李", "here"),
        _unknown("marbles.csv", 9, "person", "jo, jr.", "here"),
        _unknown("observations.csv", 2, "quality", "Reliabilty", "here", "Reliability"),
        _unknown("observations.csv", 5, "quality", "Kindness", "here"),
    ]


@pytest.mark.parametrize("everyone_listed", [True, False])
def test_files_without_ids_hash_listed_names_and_choices_by_their_place(
    journal_dir, write_file, monkeypatch, everyone_listed
):
    """A name listed in people.csv (or qualities.csv) and a choice are looked up anyway;
    hashing them by where they were found gives the ids their content defines. A column
    with a name not listed exactly as written is hashed as text."""
    by_place: list[str] = []
    hashable = derived_ids._hashable

    def spy(column, found=None):
        if found is not None:
            by_place.append(column.name)
        return hashable(column, found)

    monkeypatch.setattr(derived_ids, "_hashable", spy)
    people = ["Sam", " Zoë ", "李雷", "Jo, Jr."]
    write_file("people.csv", _csv([PEOPLE, *[[name, "friend", "present", ""] for name in people]]))
    write_file("qualities.csv", "id,quality,why,importance\nq1,Reliability,,5\nq2, Honesty ,,3\n")
    named = ["Sam", "Zoë", "李雷", "Jo, Jr.", "Sam"] + ([] if everyone_listed else [" Sam"])
    write_file("marbles.csv", _csv([MARBLES, *[
        ["2024-03-01", n, str(i % 3 + 1), f"moment {i % 2}", ["", "vault"][i % 2]]
        for i, n in enumerate(named)
    ]]))
    write_file("observations.csv", "date,person,quality,shown,note\n2024-03-01,Sam,Honesty,yes,\n"
               "2024-03-02,李雷,Reliability,no,\n2024-03-02,李雷,Reliability,no,\n")
    write_file("beliefs.csv", "date,belief,before,opposite,evidence,possible,after\n"
               "2024-03-01,I am too much,90,,,,40\n2024-03-02,I am too much,90,,,,\n")
    journal = open_journal(journal_dir)
    for name in ("marbles", "observations", "people", "beliefs"):  # (an empty Int64 too)
        frame = journal.table(name)
        assert frame["id"].tolist() == ids_by_definition(frame.drop(columns="id")), name
    assert journal.table("observations")["id"].str.endswith("-2").tolist() == [False, False, True]
    expected = ["relationship", "era", "braving", "shown", "person", "quality"]
    assert sorted(by_place) == sorted(expected + (["person"] if everyone_listed else []))
    assert journal.problems == []  # (" Sam" is listed once stripped, but not as written)
    # A correction finds the entry by the id the journal showed (the file is read again
    # and its ids made the plain way, without the lookups).
    chosen = journal.table("marbles")["id"].iloc[2]
    assert journal.correct("marbles", chosen, moment="changed")["person"] == "李雷"
    assert open_journal(journal_dir).table("marbles")["moment"].iloc[2] == "changed"


@pytest.mark.parametrize("values", [
    pa.chunked_array([["a", "b", "c"] * 40, ["b", "x"] * 7, []]),
    pa.array(["a", "", "z"] * 33),
])
def test_a_long_column_looked_up_in_halves_gets_the_same_answer(monkeypatch, values):
    monkeypatch.setattr(validate, "_HALVES_FROM", 10)
    for lookup in (pc.index_in, pc.is_in):
        halves = validate.in_halves(values, lookup, value_set=pa.array(["b", "a"]))
        assert isinstance(halves, pa.ChunkedArray) and halves.num_chunks >= 2
        assert halves.to_pylist() == lookup(values, value_set=pa.array(["b", "a"])).to_pylist()


def test_names_are_checked_when_a_table_is_missing_or_empty(journal_dir, write_file):
    write_file("marbles.csv", _csv([MARBLES, ["2024-03-01", "Sam", "1", "ok", ""]]))
    [warning] = open_journal(journal_dir).problems
    assert (warning.line, warning.value, warning.code) == (2, "Sam", "unknown_reference")
    write_file("people.csv", _csv([PEOPLE]))
    assert [p.value for p in open_journal(journal_dir).problems] == ["Sam"]


@pytest.mark.parametrize(
    "values",
    [
        pa.chunked_array([["a", "b"], ["a", None, " a"]]),
        pa.array(["x", "y", "z"]),
        pa.array([None, None], pa.string()),
        pa.array([], pa.string()),
    ],
)
def test_counting_different_values_agrees_with_count_distinct(values):
    assert validate._distinct(values) == pc.count_distinct(values).as_py()


@settings(max_examples=100, deadline=None)
@given(
    data=st.binary(max_size=64).map(lambda b: b.replace(b"x", b"\r").replace(b"y", b"\0")),
    chunk=st.integers(1, 9),
)
def test_byte_counts_agree_with_counting_each_byte(data, chunk):
    if not data:
        return
    counts = csvread._ByteCounts.of(np.frombuffer(data, dtype=np.uint8), chunk)
    found = (counts.nul, counts.quotes, counts.line_feeds, counts.carriage_returns, counts.crlf)
    assert found == tuple(data.count(b) for b in (b"\0", b'"', b"\n", b"\r", b"\r\n"))


def test_an_unexplained_pyarrow_failure_reads_again_and_never_reaches_the_person(
    tmp_path, monkeypatch
):
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from trustlab import csvread, open_journal

    journal = open_journal(tmp_path / "j")
    journal.add("people", person="Sam", relationship="partner", era="present")
    for day in range(1, 6):
        journal.add("marbles", date=f"2024-03-0{day}", person="Sam", marbles=1)
    expected = open_journal(tmp_path / "j").table("marbles")
    real, calls = pa_csv.read_csv, []

    def flaky(*args, **kwargs):  # as pyarrow's threaded reader once failed under load
        calls.append(kwargs["read_options"].use_threads)
        if len(calls) == 1:
            raise pa.ArrowException("a chunk failed converting for an unknown reason")
        return real(*args, **kwargs)

    monkeypatch.setattr(csvread.pa_csv, "read_csv", flaky)
    again = open_journal(tmp_path / "j")
    assert again.problems == [] and again.table("marbles").equals(expected)
    assert calls[:2] == [True, False]  # read again on one thread

    def broken(*args, **kwargs):
        raise pa.ArrowException("a chunk failed converting for an unknown reason")

    monkeypatch.setattr(csvread.pa_csv, "read_csv", broken)
    careful = open_journal(tmp_path / "j")  # the careful reader reads it all the same
    assert careful.problems == [] and careful.table("marbles").equals(expected)


@pytest.mark.parametrize("where, reads", [
    (None, 1),  # no text over several lines: read once, assuming none
    (3, 1),  # one near the top: read once, allowing them from the start
    (40_000, 2),  # one after the first megabyte: the first read finds it, the second reads it
])
def test_text_over_several_lines_is_read_at_most_twice_and_right(tmp_path, monkeypatch, where,
                                                                 reads):
    rows = [["2024-03-01", "Sam", "1", f"Moment {i}, \"quoted\"", ""] for i in range(50_000)]
    if where is not None:
        rows[where][3] = "Two lines:\nthe second"
    (tmp_path / "marbles.csv").write_text(_csv([["id", *MARBLES],
                                                *[[f"{i:016x}", *r] for i, r in enumerate(rows)]]))
    calls = []
    real = csvread._pyarrow_read
    monkeypatch.setattr(csvread, "_pyarrow_read",
                        lambda *a, **k: calls.append(k["multi_line"]) or real(*a, **k))
    marbles = open_journal(tmp_path).table("marbles")
    assert marbles["moment"].tolist() == [r[3] for r in rows]
    assert len(calls) == reads and calls[-1] == (where is not None)  # only marbles.csv is here


def test_a_line_break_inside_quotes_is_told_from_one_between_rows():
    def head(text: str) -> np.ndarray:
        return np.frombuffer(text.encode(), dtype=np.uint8)

    assert not csvread._break_inside_quotes(head('"a","b ""c"""\n"d","e"\n'))
    assert csvread._break_inside_quotes(head('"a","b\nc"\n'))
    assert csvread._break_inside_quotes(head('"a","say ""hi""\nthen"\n'))
    assert not csvread._break_inside_quotes(head("a,b\nc,d\n"))


@pytest.mark.parametrize("damage, problem", [
    (None, None),
    ("nul", "NUL character"),
    ("quote", "quote"),
    ("blank", None),
])
def test_bytes_counted_beside_the_read_decide_as_before(tmp_path, monkeypatch, damage, problem):
    monkeypatch.setattr(csvread, "_COUNT_ASIDE", 1_000)  # count in a thread from 1 kB on
    rows = [[f"{i:016x}", "2024-03-01", "Sam", "1", f"Moment {i}", ""] for i in range(400)]
    text = _csv([["id", *MARBLES], *rows])
    if damage == "nul":
        text = text.replace("Moment 390", "Mom\x00ent 390")
    elif damage == "quote":
        text = text.replace('"Moment 390"', '"Moment 390')
    elif damage == "blank":
        text = text.replace('"Moment 390",""\n', '"Moment 390",""\n\n')
    (tmp_path / "marbles.csv").write_text(text)
    raw = csvread.read_table_file(tmp_path / "marbles.csv")
    if problem is None:
        assert not raw.problems and raw.data.num_rows == 400
        assert raw.line_of(399) == (402 if damage == "blank" else 401)  # header: line 1
    else:
        assert any(problem in p.message for p in raw.problems), raw.problems
        assert {p.line for p in raw.problems} & {392, 393}


def test_lines_after_text_over_several_lines_are_right_when_a_problem_names_one(tmp_path):
    rows = [[f"{i:016x}", "2024-03-01", "Sam", "1", f"Moment {i}", ""] for i in range(6)]
    rows[1][4] = "Three\nlines\nhere"  # rows after it start two lines further down
    rows[4][1] = "2024-02-30"  # no such day: line 1 + 4 + 1 + 2 = 8
    rows[5][2] = "Samm"  # not in people.csv: line 9
    (tmp_path / "marbles.csv").write_text(_csv([["id", *MARBLES], *rows]))
    (tmp_path / "people.csv").write_text(_csv([["id", *PEOPLE],
                                               ["a1", "Sam", "partner", "present", ""]]))
    raw = csvread.read_table_file(tmp_path / "marbles.csv")
    assert isinstance(raw.lines, csvread.Lines)  # worked out only when asked
    assert [raw.line_of(i) for i in range(6)] == [2, 3, 6, 7, 8, 9]
    found = inspect_journal(tmp_path).problems
    assert {(p.line, p.column) for p in found} == {(8, "date"), (9, "person")}

