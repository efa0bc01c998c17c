"""The benchmark's journal generator and its table, at a tiny size and without timing."""

from __future__ import annotations

import re

import pytest

import trustlab
from benchmarks import bench_journal, generate
from trustlab.storage import format_rows, read_table_file


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate.generate_journal(
        tmp_path_factory.mktemp("bench") / "journal", marbles=2_000, people=200, years=10
    )


def test_generated_journal_opens_clean_with_requested_sizes(generated):
    journal = trustlab.open_journal(generated)
    assert journal.problems == []
    marbles = journal.table("marbles")
    assert len(marbles) == 2_000
    assert len(journal.table("people")) == 200
    assert set(marbles["person"]) <= set(journal.table("people")["person"])
    assert marbles["id"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert marbles["date"].min().year == 2015 and marbles["date"].max().year <= 2024
    every_table = journal.counts()
    assert all(every_table[name] > 0 for name in trustlab.TABLES)
    ids = [id_ for name in trustlab.TABLES for id_ in journal.table(name)["id"]]
    assert len(ids) == len(set(ids))


def test_generated_files_are_byte_for_byte_what_trustlab_writes(generated):
    for name in trustlab.TABLES:
        file = generated / f"{name}.csv"
        raw = read_table_file(file)
        columns = (raw.data.column(i).to_pylist() for i in range(raw.data.num_columns))
        rows = [raw.header, *zip(*columns, strict=True)]
        assert raw.header[0] == "id"
        assert file.read_bytes() == format_rows(rows), name


def test_generation_is_deterministic(tmp_path, generated):
    again = generate.generate_journal(tmp_path / "again", marbles=2_000)
    for name in trustlab.TABLES:
        assert (again / f"{name}.csv").read_bytes() == (generated / f"{name}.csv").read_bytes()


def test_cached_journal_is_generated_once(tmp_path):
    first = generate.cached_journal(50, root=tmp_path)
    stamp = (first / "marbles.csv").stat().st_mtime_ns
    assert generate.cached_journal(50, root=tmp_path) == first
    assert (first / "marbles.csv").stat().st_mtime_ns == stamp
    assert first.name == generate.journal_key(50)


def test_table_has_a_row_per_measurement_with_a_numeric_ratio():
    measurements = [
        bench_journal.Measurement.from_runs("open", [0.3, 0.4], [0.1, 0.1], "pyarrow", max_ratio=2),
        bench_journal.Measurement.from_runs(
            "add", [0.002, 0.0021], [0.0019, 0.002], "small", max_ratio=2, max_seconds=0.005
        ),
    ]
    lines = bench_journal.format_table(measurements).splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["measurement", "trustlab", "baseline", "ratio", "target", "ok"]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [row[0] for row in rows] == ["open", "add"]
    ratios = [float(re.fullmatch(r"([0-9.]+)×", row[3]).group(1)) for row in rows]
    assert ratios == pytest.approx([3.5, 1.05], abs=0.01)
    assert [row[5] for row in rows] == ["NO", "yes"]
