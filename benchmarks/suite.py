"""Every benchmark, one results table, and the README's copy of it (``python -m benchmarks``).

The journals are generated once and cached under ``benchmarks/data/``: a million
marbles and 200 people in each shape of :data:`benchmarks.generate.SHAPES`, a
journal with every table at 200,000 rows, and a small one for the ``add``
comparison. Each figure is measured against a baseline in the same process (see
:mod:`benchmarks.timing`), so the ratios hold on a busy machine too.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import pyarrow as pa

import trustlab

from . import bench_charts, bench_export, bench_journal, bench_pages
from .generate import DATA_DIR, SHAPES, cached_journal
from .report import README, Measurement, Row, format_table, write_readme


@dataclass(frozen=True)
class Sizes:
    """How large the generated journals are."""

    marbles: int = 1_000_000
    people: int = 200
    every: int = 200_000
    """Rows in each of the nine tables of the every-table journal."""
    small: int = 1_000
    """Marbles in the small journal that ``add`` is compared with."""


@dataclass(frozen=True)
class Runs:
    """How many timed runs of each comparison (each after one warm-up)."""

    open: int = 11
    adds: int = 200
    rewrites: int = 3
    dashboard: int = 5
    pages: int = 7


def run_all(
    sizes: Sizes = Sizes(),
    runs: Runs = Runs(),
    *,
    root: Path = DATA_DIR,
    log: Callable[[str], None] = lambda message: None,
) -> list[Row]:
    """Generate (or reuse) the journals and run every comparison; the table's rows."""
    started = time.perf_counter()

    def step(message: str) -> None:
        log(f"[{time.perf_counter() - started:6.1f} s] {message}")

    step("generating or finding the journals")
    shaped = {
        name: cached_journal(sizes.marbles, people=sizes.people, shape=name, root=root)
        for name in SHAPES
    }
    every = cached_journal(sizes.every, people=sizes.every, others=sizes.every, root=root)
    small = cached_journal(sizes.small, people=sizes.people, root=root)
    big = shaped["ids"]
    marbles = f"{sizes.marbles:,} marbles, {sizes.people:,} people"

    measured: list[Row] = []
    for name, shape in SHAPES.items():
        step(f"open_journal, {name}")
        measured.append(
            bench_journal.bench_open(
                shaped[name],
                'open_journal + table("marbles")',
                f"{marbles}; {shape.label}",
                runs=runs.open,
            ).row()
        )
    step("open_journal, every table")
    measured.append(
        bench_journal.bench_open(
            every,
            "open_journal + every table",
            f"{sizes.every:,} entries in each of the {len(trustlab.TABLES)} tables",
            runs=runs.open,
            every_table=True,
        ).row()
    )
    step("add")
    measured.append(bench_journal.bench_add(big, small, marbles, adds=runs.adds).row())
    for kind in ("correct", "delete"):
        step(kind)
        measured.append(
            bench_journal.bench_rewrite(big, marbles, kind=kind, runs=runs.rewrites).row()
        )

    step("dashboard, warm")
    warm = bench_charts.measure(big, runs=runs.dashboard)
    measured.append(
        _dashboard(
            "dashboard, warm (tables already read)",
            marbles,
            warm.ours,
            warm.theirs,
            bench_charts.MAX_SECONDS,
        )
    )
    step("dashboard, cold")
    ours, theirs = bench_charts.run_cold(big, runs=runs.dashboard)
    measured.append(
        _dashboard("dashboard, cold (add, then the first redraw)", marbles, ours, theirs, None)
    )
    for row in bench_charts.rows_of(warm)[1:]:
        measured.append(
            Row(row.measurement, marbles, row.trustlab, row.baseline, row.ratio, row.target, row.ok)
        )

    step("notebook pages")
    measured += bench_pages.rows(*bench_pages.measure(runs.pages))
    step("export")
    for row in bench_export.run(big)[:2]:
        measured.append(Row(row.measurement, marbles, row.value, "—", "—", row.target, row.ok))
    step("export, every table, words shared")
    shared = (f"{sizes.every:,} entries in each of the {len(trustlab.TABLES)} tables; words "
              "shared, names hidden")
    for row in bench_export.run(every, max_seconds=bench_export.MAX_SECONDS_EVERY,
                                include_text=True)[:2]:
        measured.append(Row(row.measurement, shared, row.value, "—", "—", row.target, row.ok))
    step("done")
    return measured


def _dashboard(
    name: str, journal: str, ours: list[float], theirs: list[float], max_seconds: float | None
) -> Row:
    return Measurement.from_runs(
        name,
        journal,
        ours,
        theirs,
        bench_charts.BASELINE,
        max_seconds=max_seconds,
        min_speed_up=bench_charts.MIN_SPEED_UP,
    ).row()


def notes(runs: Runs, *, took: float, load: tuple[float, float]) -> str:
    """How the figures were taken, for under the table."""
    return (
        f"Written by `make bench` (`python -m benchmarks`) on {datetime.date.today():%Y-%m-%d}, "
        f"in {took / 60:.1f} minutes. Each trustlab figure is the median of runs paired with "
        "its baseline in the same process: trustlab, then the baseline (or the other way "
        "round, alternately), after one warm-up each; the ratio is the median of the pairs' "
        f"ratios. Runs: {runs.open} per journal for opening, {runs.adds} adds, "
        f"{runs.rewrites} corrections and {runs.rewrites} deletions, {runs.dashboard} "
        f"dashboards warm and as many cold, {runs.pages} saves on each step page (after one "
        "to warm up) and as many Run Alls of 06, one export of each journal. Pages are timed "
        "in the kernel; JupyterLab then draws each chart in the browser. Machine: "
        f"{platform.machine()}, {os.cpu_count()} CPUs, shared with other test runs (load "
        f"average {load[0]:.1f} at the start, {load[1]:.1f} at the end). Python "
        f"{platform.python_version()}, pandas {pd.__version__}, pyarrow {pa.__version__}, "
        f"altair {alt.__version__}, vegafusion {_version('vegafusion')}."
    )


def _version(module: str) -> str:
    try:
        return __import__(module).__version__
    except ImportError:
        return "not installed"


def _load() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - no load average on this system
        return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure trustlab against baselines, print a Markdown table and put it "
        "in README.md between its bench markers.",
    )
    parser.add_argument("--marbles", type=int, default=Sizes.marbles)
    parser.add_argument("--people", type=int, default=Sizes.people)
    parser.add_argument(
        "--every", type=int, default=Sizes.every, help="rows per table, every-table journal"
    )
    parser.add_argument("--runs", type=int, default=Runs.open, help="timed runs when opening")
    parser.add_argument("--adds", type=int, default=Runs.adds)
    parser.add_argument("--rewrites", type=int, default=Runs.rewrites)
    parser.add_argument("--dashboards", type=int, default=Runs.dashboard)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="where journals are cached")
    parser.add_argument("--readme", type=Path, default=README, help="the README to update")
    parser.add_argument("--no-readme", action="store_true", help="print only")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 if any target is missed"
    )
    args = parser.parse_args(argv)
    sizes = Sizes(args.marbles, args.people, args.every, Sizes.small)
    runs = Runs(args.runs, args.adds, args.rewrites, args.dashboards)

    load_before, started = _load(), time.perf_counter()
    rows = run_all(sizes, runs, root=args.data, log=lambda m: print(m, file=sys.stderr))
    block = (
        format_table(rows)
        + "\n\n"
        + notes(runs, took=time.perf_counter() - started, load=(load_before, _load()))
    )
    print(block)
    if not args.no_readme:
        write_readme(block, args.readme)
        print(f"\nwrote the table into {args.readme}", file=sys.stderr)
    missed = [f"{r.measurement} ({r.journal})" for r in rows if r.ok is False]
    if missed:
        print(f"missed targets: {'; '.join(missed)}", file=sys.stderr)
    return 1 if missed and args.strict else 0
