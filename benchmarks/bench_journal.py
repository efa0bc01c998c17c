"""Speed of the journal core, as ratios measured in one process.

Two figures, each against a baseline timed in the same run so that the machine's
speed cancels out:

1. ``open_journal`` + ``table("marbles")`` on a journal with a million marbles,
   against a bare ``pyarrow.csv.read_csv(path).to_pandas()`` of the same file.
   open_journal reads and validates all nine files; the other eight are small,
   so the comparison is about marbles.csv.
2. One ``add("marbles", ...)`` on the million-row journal, against the same on a
   1,000-row journal: appending must not get slower as the journal grows. The
   adds go to copies of the cached journals in a temporary folder.

Runs are interleaved (trustlab, baseline, trustlab, …) after one warm-up each,
and the median is reported.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

import trustlab
from trustlab import open_journal

from .generate import DATA_DIR, cached_journal
from .timing import interleaved, seconds

BIG = 1_000_000
SMALL = 1_000


@dataclass(frozen=True)
class Measurement:
    """One line of the table: median times for trustlab and its baseline, and their ratio.

    ``ratio`` is the median of the ratios of paired runs (each trustlab run and
    the baseline run beside it), which cancels out a machine that is busier for
    a while better than the ratio of the two medians does.
    """

    name: str
    trustlab: float
    baseline: float
    ratio: float
    baseline_name: str
    max_ratio: float
    max_seconds: float | None = None

    @classmethod
    def from_runs(
        cls, name: str, ours: Sequence[float], theirs: Sequence[float], baseline_name: str, **kw
    ) -> Measurement:
        """Summarise paired runs: ``ours[i]`` ran right beside ``theirs[i]``."""
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        return cls(
            name,
            statistics.median(ours),
            statistics.median(theirs),
            statistics.median(ratios),
            baseline_name,
            **kw,
        )

    @property
    def target(self) -> str:
        text = f"≤ {self.max_ratio:g}×"
        if self.max_seconds is not None:
            text += f" and < {self.max_seconds * 1000:g} ms"
        return text

    @property
    def ok(self) -> bool:
        fast_enough = self.max_seconds is None or self.trustlab < self.max_seconds
        return self.ratio <= self.max_ratio and fast_enough


def format_table(measurements: Sequence[Measurement]) -> str:
    """The measurements as a Markdown table, one row each."""
    lines = [
        "| measurement | trustlab | baseline | ratio | target | ok |",
        "|---|---:|---:|---:|---|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.name} | {seconds(m.trustlab)} | {seconds(m.baseline)} ({m.baseline_name}) "
            f"| {m.ratio:.2f}× | {m.target} | {'yes' if m.ok else 'NO'} |"
        )
    return "\n".join(lines)


def bench_open(journal_dir: Path, *, runs: int = 9) -> Measurement:
    """Open the journal and take its marbles, against pyarrow reading marbles.csv."""
    marbles_csv = journal_dir / "marbles.csv"
    rows = _count_rows(marbles_csv)

    def with_trustlab() -> None:
        journal = open_journal(journal_dir)
        frame = journal.table("marbles")
        if journal.problems or len(frame) != rows:
            raise RuntimeError(
                f"{journal_dir} is not a clean benchmark journal: "
                f"{len(frame)} rows, problems: {journal.problems[:3]}"
            )

    def with_pyarrow() -> None:
        pa_csv.read_csv(marbles_csv).to_pandas()

    (ours, theirs), _ = interleaved(with_trustlab, with_pyarrow, runs=runs)
    return Measurement.from_runs(
        f'open_journal + table("marbles"), {rows:,} rows',
        ours,
        theirs,
        "pyarrow read_csv + to_pandas",
        max_ratio=2,
    )


def bench_add(big_dir: Path, small_dir: Path, *, adds: int = 200) -> Measurement:
    """One add("marbles") on the big journal against one on the small journal."""
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-") as scratch:
        big = open_journal(shutil.copytree(big_dir, Path(scratch) / "big"))
        small = open_journal(shutil.copytree(small_dir, Path(scratch) / "small"))
        big_rows, small_rows = len(big.table("marbles")), len(small.table("marbles"))
        entries = itertools.cycle(_entries(big))

        def add_big() -> None:
            big.add("marbles", **next(entries))

        def add_small() -> None:
            small.add("marbles", **next(entries))

        (ours, theirs), _ = interleaved(add_big, add_small, runs=adds)
        if len(big.table("marbles")) != big_rows + adds + 1:  # + the warm-up
            raise RuntimeError("the adds did not all reach the big journal")
    return Measurement.from_runs(
        f'add("marbles"), {big_rows:,}-row journal',
        ours,
        theirs,
        f"{small_rows:,}-row journal",
        max_ratio=2,
        max_seconds=0.005,
    )


def _entries(journal: trustlab.Journal) -> list[dict]:
    people = journal.table("people")["person"].tolist()[:7]
    return [
        {
            "date": f"2025-01-{day:02d}",
            "person": person,
            "marbles": marbles,
            "moment": "Kept a small promise, on time",
            "braving": braving,
        }
        for day, person, marbles, braving in zip(
            range(1, 29),
            itertools.cycle(people),
            itertools.cycle([2, -1, 1, 3]),
            itertools.cycle(["reliability", "", "vault"]),
        )
    ]


def _count_rows(csv_file: Path) -> int:
    # The generator writes one line per entry, so counting line breaks is exact.
    with open(csv_file, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1


def _other_benchmarks(big: Path) -> list:
    """Rows from the chart and export benchmarks, on the same large journal."""
    import importlib

    rows = []
    for name in ("bench_charts", "bench_export"):
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError:
            continue
        rows += module.run(big)
    return rows


def _setting() -> str:
    return (
        f"Python {platform.python_version()}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, {platform.machine()}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure trustlab's journal core against baselines; print a Markdown table.",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any target is missed"
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=9,
        help="timed runs of open_journal and of the baseline (default 9)",
    )
    parser.add_argument(
        "--adds", type=int, default=200, help="timed adds on each journal (default 200)"
    )
    parser.add_argument(
        "--marbles", type=int, default=BIG, help=f"rows in the large journal (default {BIG:,})"
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA_DIR,
        help="where generated journals are cached (default benchmarks/data)",
    )
    args = parser.parse_args(argv)

    start = time.perf_counter()
    big = cached_journal(args.marbles, root=args.data)
    small = cached_journal(SMALL, root=args.data)
    print(
        f"journals ready in {time.perf_counter() - start:.1f} s: {big.name}, {small.name}",
        file=sys.stderr,
    )
    measurements = [
        bench_open(big, runs=args.runs),
        bench_add(big, small, adds=args.adds),
    ]
    table = format_table(measurements)
    more = _other_benchmarks(big)
    for row in more:
        # bench_charts rows compare with a baseline; bench_export rows are absolute.
        ours = getattr(row, "trustlab", None) or row.value
        theirs, ratio = getattr(row, "baseline", "—"), getattr(row, "ratio", "—")
        table += (
            f"\n| {row.measurement} | {ours} | {theirs} | {ratio} "
            f"| {row.target} | {'yes' if row.ok else 'NO'} |"
        )
    print(table)
    print()
    others = [f for f in big.glob("*.csv") if f.name != "marbles.csv"]
    print(
        f"The other {len(others)} files of the large journal, which open_journal also reads "
        f"and checks, hold {sum(_count_rows(f) for f in others):,} entries "
        f"({sum(f.stat().st_size for f in others) / 1e6:.1f} MB; marbles.csv: "
        f"{(big / 'marbles.csv').stat().st_size / 1e6:.0f} MB)."
    )
    print(
        f"Medians of {args.runs} runs (open) and {args.adds} adds each, run in pairs "
        "(trustlab, baseline) after one warm-up; ratio is the median of the pairs' ratios. "
        f"{_setting()}."
    )
    missed = [m.name for m in measurements if not m.ok] + [r.measurement for r in more if not r.ok]
    if missed and args.strict:
        print(f"missed targets: {'; '.join(missed)}", file=sys.stderr)
        return 1
    return 0
