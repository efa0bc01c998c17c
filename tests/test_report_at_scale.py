"""A report from a journal with 200,000 rows in every table: bounded, whatever the size.

The time is measured in benchmarks/ (``make bench``), never asserted here; this checks
what must hold at that size: report.html under 2 MB, no table over MAX_ROWS rows, words
shared with every name hidden.
"""

from __future__ import annotations

import json

import pytest

import trustlab
from benchmarks import generate
from trustlab.report import MAX_ROWS, export

ROWS = 200_000


@pytest.mark.slow
def test_a_report_of_200k_rows_in_every_table_stays_small(tmp_path):
    folder = generate.generate_journal(tmp_path / "journal", marbles=ROWS, people=ROWS,
                                       others=ROWS)
    journal = trustlab.open_journal(folder)
    assert journal.counts() == dict.fromkeys(trustlab.TABLES, ROWS)
    result = export(journal, tmp_path / "report", include_text=True)
    html = (result.folder / "report.html").read_text("utf-8")
    assert len(html.encode("utf-8")) < 2_000_000
    data = json.loads((result.folder / "report.json").read_text("utf-8"))
    for tables in data["figures"].values():
        for rows in tables.values():
            assert len(rows) <= MAX_ROWS + 1  # (+1: the "Everyone" row of red flags)
    assert len(data["people"]) == MAX_ROWS
    named = journal.table("people")["person"].sample(500, random_state=1)
    assert not any(name in html for name in named)  # words shared, names hidden
    assert f"of {ROWS:,}" in html  # each cut table says how many it lists of how many
