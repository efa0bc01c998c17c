"""Time and size of a coach report made from the journal with a million marbles.

One run end to end, as ``trustlab export`` does it: open the journal (reading
and checking every file), build the shared view, draw the nine charts, and write
report.html, report.ipynb and report.json into a temporary folder. Run it with
``python -m benchmarks.bench_export``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import trustlab
from trustlab import report

from .generate import cached_journal

MAX_SECONDS = 30.0
"""Target: the whole export, journal opening included, in under 30 seconds."""
MAX_SECONDS_EVERY = 60.0
"""Target with 200,000 entries in every table, words shared and names hidden: 60 seconds."""
MAX_HTML_BYTES = 2_000_000
"""Target: report.html under 2 MB."""


class Row(NamedTuple):
    """One line of the results table."""

    measurement: str
    value: str
    target: str
    ok: bool


def run(
    journal_dir: str | Path | None = None,
    *,
    marbles: int = 1_000_000,
    max_seconds: float = MAX_SECONDS,
    **options,
) -> list[Row]:
    """Export a report from ``journal_dir`` (default: the cached million-marble journal),
    with ``options`` (those of :func:`trustlab.report.export`; default: the least shared).

    Returns
    -------
    list of Row
        The export time, report.html's size, and for reference report.ipynb's
        size and the journal's number of entries.
    """
    if journal_dir is None:
        journal_dir = cached_journal(marbles)
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-export-") as scratch:
        start = time.perf_counter()
        journal = trustlab.open_journal(journal_dir)
        result = report.export(journal, Path(scratch) / "report", **options)
        seconds = time.perf_counter() - start
        html_bytes = (result.folder / "report.html").stat().st_size
        notebook_bytes = (result.folder / "report.ipynb").stat().st_size
    entries = sum(journal.counts().values())
    return [
        Row("export time", f"{seconds:.1f} s", f"< {max_seconds:g} s", seconds < max_seconds),
        Row(
            "report.html size",
            f"{html_bytes / 1e6:.2f} MB",
            f"< {MAX_HTML_BYTES / 1e6:g} MB",
            html_bytes < MAX_HTML_BYTES,
        ),
        Row("report.ipynb size (for reference)", f"{notebook_bytes / 1e6:.2f} MB", "", True),
        Row("journal entries", f"{entries:,}", "", True),
    ]


def format_table(rows: Sequence[Row]) -> str:
    lines = ["| measurement | value | target | ok |", "|---|---|---|---|"]
    lines += [
        f"| {r.measurement} | {r.value} | {r.target} | {'yes' if r.ok else 'NO'} |" for r in rows
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journal", type=Path, help="a journal folder (default: generated)")
    parser.add_argument("--marbles", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    rows = run(args.journal, marbles=args.marbles)
    print(format_table(rows))
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
