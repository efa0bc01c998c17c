"""The benchmarks' journals, their table and the README's copy of it: tiny sizes, no timing."""

from __future__ import annotations

import csv
import io
import re
from concurrent.futures import Future

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reference_ids import ids_by_definition

import trustlab
from benchmarks import generate, report, suite, timing
from trustlab import csvread, open_journal, sample, storage
from trustlab.storage import format_rows, read_table_file

SHAPES = list(generate.SHAPES)


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    return {
        shape: generate.generate_journal(
            root / shape, marbles=2_000, people=200, years=10, shape=shape
        )
        for shape in SHAPES
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_generated_journal_opens_clean_with_requested_sizes(shaped, shape):
    journal = trustlab.open_journal(shaped[shape])
    assert journal.problems == []
    marbles = journal.table("marbles")
    assert len(marbles) == 2_000
    assert len(journal.table("people")) == 200
    assert set(marbles["person"]) <= set(journal.table("people")["person"])
    pattern = r"[0-9a-f]{16}" if generate.SHAPES[shape].ids else r"L[0-9a-f]{16}(-[0-9]+)?"
    assert marbles["id"].str.fullmatch(pattern).all()
    assert marbles["date"].min().year == 2015 and marbles["date"].max().year <= 2024
    every_table = journal.counts()
    assert all(every_table[name] > 0 for name in trustlab.TABLES)
    ids = [id_ for name in trustlab.TABLES for id_ in journal.table(name)["id"]]
    assert len(ids) == len(set(ids))


def test_shapes_hold_the_same_entries_written_differently(shaped):
    tables = {shape: trustlab.open_journal(shaped[shape]).table("marbles") for shape in SHAPES}
    same = ["date", "person", "marbles", "braving"]
    for shape in SHAPES:
        pd.testing.assert_frame_equal(tables[shape][same], tables["ids"][same])
    pd.testing.assert_frame_equal(tables["bom_crlf"], tables["ids"])
    moments = tables["quoted"]["moment"]
    assert moments.str.contains(",").any() and moments.str.contains('"').any()
    assert moments.str.contains("\n").any() and moments.str.contains("\r\n").any()
    raw = (shaped["bom_crlf"] / "marbles.csv").read_bytes()
    assert raw.startswith(storage.BOM) and raw.count(b"\r\n") == raw.count(b"\n")
    lines = raw.split(b"\r\n")[1:-1]
    quoted = [line for line in lines if b'"' in line]
    assert 0 < len(quoted) < len(lines)  # quotes only where needed
    assert all(b'","' not in line for line in quoted)


@pytest.mark.parametrize("shape", ["ids", "no_ids", "quoted"])
def test_generated_files_are_byte_for_byte_what_trustlab_writes(shaped, shape):
    for name in trustlab.TABLES:
        file = shaped[shape] / f"{name}.csv"
        raw = read_table_file(file)
        columns = (raw.data.column(i).to_pylist() for i in range(raw.data.num_columns))
        rows = [raw.header, *zip(*columns, strict=True)]
        assert (raw.header[0] == "id") == generate.SHAPES[shape].ids
        assert file.read_bytes() == format_rows(rows), name


@pytest.mark.parametrize("shape", SHAPES)
def test_every_shape_takes_the_fast_reader_and_reads_as_the_csv_module_does(shaped, shape):
    for name in trustlab.TABLES:
        data = (shaped[shape] / f"{name}.csv").read_bytes()
        fast = _fast(data)
        assert fast is not None, name
        _assert_same_read(fast, csvread._read_slow(data, f"{name}.csv"))


def test_generation_is_deterministic(tmp_path, shaped):
    for shape in ("ids", "bom_crlf"):
        again = generate.generate_journal(tmp_path / shape, marbles=2_000, shape=shape)
        for name in trustlab.TABLES:
            assert (again / f"{name}.csv").read_bytes() == (
                shaped[shape] / f"{name}.csv"
            ).read_bytes()


def test_every_table_journal_has_the_rows_asked_for(tmp_path):
    folder = generate.generate_journal(
        tmp_path / "every", marbles=1_500, people=1_500, others=1_500
    )
    journal = trustlab.open_journal(folder)
    assert journal.problems == []
    assert journal.counts() == dict.fromkeys(trustlab.TABLES, 1_500)
    people = journal.table("people")["person"]
    assert people.is_unique and people.str.fullmatch(r"\w+ [A-Z]\.( \d+)?").all()


def test_cached_journal_is_generated_once(tmp_path):
    first = generate.cached_journal(50, root=tmp_path)
    stamp = (first / "marbles.csv").stat().st_mtime_ns
    assert generate.cached_journal(50, root=tmp_path) == first
    assert (first / "marbles.csv").stat().st_mtime_ns == stamp
    assert first.name == generate.journal_key(50)
    other = generate.cached_journal(50, root=tmp_path, shape="no_ids")
    assert other != first and other.name == generate.journal_key(50, shape="no_ids")


def test_derived_ids_are_the_hash_of_the_row_numbered_when_repeated(shaped, tmp_path):
    folder = tmp_path / "by-hand"
    folder.mkdir()
    same = "2024-03-01,Sam,2,Called back,reliability\n"
    (folder / "marbles.csv").write_text(
        "date,person,marbles,moment,braving\n" + same + "2024-03-02,Sam,-1,Late,\n" + same * 2
    )
    for journal, names in (
        (trustlab.open_journal(shaped["no_ids"]), ["marbles", "people"]),
        (trustlab.open_journal(folder), ["marbles"]),
    ):
        for name in names:
            frame = journal.table(name)
            assert frame["id"].tolist() == ids_by_definition(frame.drop(columns="id"))
    assert [i[17:] for i in trustlab.open_journal(folder).table("marbles")["id"]] == [
        "",
        "",
        "-2",
        "-3",
    ]


# --- the fast reader agrees with the csv module ------------------------------------------

_FIELD = st.lists(st.sampled_from([*'ab ,"é🍲\n\r', "\r\n"]), max_size=6).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(st.lists(_FIELD, min_size=3, max_size=3), max_size=6),
    quoting=st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL]),
    newline=st.sampled_from(["\n", "\r\n"]),
    bom=st.booleans(),
)
def test_fast_reader_reads_multi_line_text_as_the_csv_module_does(rows, quoting, newline, bom):
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator=newline).writerows([["id", "note", "x"], *rows])
    data = (storage.BOM if bom else b"") + out.getvalue().encode("utf-8")
    slow = csvread._read_slow(data, "f.csv")
    fast = _fast(data)
    if fast is not None:  # otherwise the slow path reads it, as before
        assert not slow.problems and slow.torn is None
        _assert_same_read(fast, slow)


def _fast(data: bytes):
    view = np.frombuffer(data, dtype=np.uint8)
    counted: Future = Future()
    counted.set_result(csvread._ByteCounts.of(view, 7))  # chunks of 7 bytes: every boundary
    return csvread._read_fast(pa.py_buffer(data), view, counted, "f.csv")


def _assert_same_read(fast, slow) -> None:
    assert fast.header == slow.header
    assert fast.data.equals(slow.data)
    fast_lines = fast.lines if fast.lines is not None else np.arange(fast.data.num_rows) + 2
    assert fast_lines.tolist() == slow.lines.tolist()
    assert (fast.bom, fast.newline) == (slow.bom, slow.newline)


# --- the table and the README -------------------------------------------------------------


def test_table_has_a_row_per_measurement_with_a_numeric_ratio():
    measurements = [
        report.Measurement.from_runs(
            "open", "big", [0.3, 0.4], [0.1, 0.1], "pyarrow", max_ratio=1.5
        ),
        report.Measurement.from_runs(
            "add",
            "big",
            [0.0015, 0.0016],
            [0.0015, 0.0016],
            "small",
            max_ratio=1.5,
            max_seconds=0.002,
        ),
        report.Measurement.from_runs(
            "dashboard", "big", [0.2, 0.3], [1.0, 1.2], "VegaFusion", min_speed_up=5
        ),
        report.Measurement.from_runs("correct", "big", [2.0, 2.0], [0.5, 0.5], "bare"),
    ]
    table = report.format_table([m.row() for m in measurements])
    lines = table.splitlines()
    assert [c.strip() for c in lines[0].strip("|").split("|")] == list(report.HEADER)
    rows = report.parse_table(table)
    assert [row[0] for row in rows] == ["open", "add", "dashboard", "correct"]
    ratios = [float(re.match(r"([0-9.]+)×", row[4]).group(1)) for row in rows]
    assert ratios == pytest.approx([3.5, 1.0, 4.4, 4.0], abs=0.01)
    assert [row[5] for row in rows] == ["≤ 1.5×", "< 2 ms and ≤ 1.5×", "≥ 5× faster", "—"]
    assert [row[6] for row in rows] == ["NO", "yes", "NO", "—"]


def test_readme_writer_replaces_only_what_is_between_the_markers(tmp_path):
    before = "# Title\n\nSome text | with a pipe\n\n"
    after = "\n\nMore text.\n## Next\n"
    readme = tmp_path / "README.md"
    readme.write_text(f"{before}{report.START}\nold table\n{report.END}{after}", encoding="utf-8")
    report.write_readme("| a |\n|---|\n| 1 |", readme)
    text = readme.read_text(encoding="utf-8")
    assert text == f"{before}{report.START}\n| a |\n|---|\n| 1 |\n{report.END}{after}"
    report.write_readme("| a |\n|---|\n| 1 |", readme)  # the same again: nothing changes
    assert readme.read_text(encoding="utf-8") == text
    assert report.between_markers(text) == "\n| a |\n|---|\n| 1 |\n"
    for broken in ("no markers", f"{report.END}{report.START}", report.START * 2 + report.END):
        with pytest.raises(ValueError):
            report.replace_between_markers(broken, "x")


def test_the_readme_table_has_the_rows_the_benchmark_produces(tmp_path, monkeypatch):
    pytest.importorskip("vegafusion")
    monkeypatch.setattr(timing, "WARM_UPS", 0)
    sizes = suite.Sizes(marbles=300, people=20, every=60, small=100)
    runs = suite.Runs(open=1, adds=1, rewrites=1, dashboard=1, pages=1)
    rows = suite.run_all(sizes, runs, root=tmp_path)
    readme = report.README.read_text(encoding="utf-8")
    block = report.between_markers(readme)
    assert block.strip().startswith("| " + " | ".join(report.HEADER) + " |")
    in_readme = report.parse_table(block)
    assert [_label(r) for r in in_readme] == [_label(row.cells()) for row in rows]
    assert all(row.ok in (True, False, None) for row in rows)
    produced = report.parse_table(report.format_table(rows))
    assert produced == [row.cells() for row in rows]


def test_page_benchmark_times_real_saves_and_redraws(tmp_path, monkeypatch):
    from benchmarks import bench_pages

    journal = sample.write_sample(tmp_path / "journal")
    with bench_pages.notebook_shell(journal) as shell:
        bench_pages.run_cells(shell, "05_marble_jar")
        action = bench_pages._redrawn(shell, bench_pages._save_on(shell, "05_marble_jar"))
        before = len(open_journal(journal).table("marbles"))
        action()
        action()
        assert len(open_journal(journal).table("marbles")) == before + 2
        # a "save" that redraws nothing is not timed as one
        stuck = bench_pages._redrawn(shell, lambda: None)
        with pytest.raises(RuntimeError, match="not redrawn"):
            stuck()
    entries, measured = bench_pages.measure(runs=1)
    assert entries == sum(len(open_journal(journal).table(t)) for t in trustlab.TABLES) - 2
    assert [name[:2] for name, _ in measured] == ["01", "02", "03", "04", "05", "06"]
    rows = bench_pages.rows(entries, measured)
    assert all(row.ok in (True, False) and row.target.startswith("< ") for row in rows)


def _label(cells: list[str]) -> tuple[str, str]:
    """The measurement and its journal, with the sizes left out (the test's are tiny)."""
    return cells[0], re.sub(r"\d[\d,]*", "N", cells[1])
