"""Speed of the journal core, each figure a ratio against a baseline timed in the same run.

1. ``open_journal`` + ``table("marbles")`` on a journal of each shape in
   :data:`benchmarks.generate.SHAPES`, against a bare
   ``pyarrow.csv.read_csv(path, parse_options=ParseOptions(newlines_in_values=True))
   .to_pandas()`` of the same marbles.csv: a read that checks nothing and types
   what it guesses. open_journal reads and checks all nine files; the other
   eight are small, so the comparison is about marbles.csv.
2. The same with every table large: open_journal and every ``table(name)``,
   against pyarrow reading the nine files.
3. One ``add("marbles", ...)`` on the large journal, against the same on a
   small one: appending must not get slower as the journal grows.
4. One ``correct`` and one ``delete`` on the large journal, against the fastest
   bare rewrite of the same file (pyarrow reads it, changes or drops the row and
   writes it back; no checks, no lock, no backup, no fsync).

The writing figures run on copies of the cached journals in a temporary folder.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

import trustlab
from trustlab import open_journal

from . import timing
from .report import Measurement
from .timing import interleaved

MAX_OPEN_RATIO = 1.5
"""Target: open_journal + table within this many times a bare pyarrow read."""
MAX_ADD_SECONDS = 0.002
MAX_ADD_RATIO = 1.5
"""Target: an add under 2 ms, and flat: on a large journal within 1.5× of a small one."""
PYARROW = "pyarrow read_csv + to_pandas"


def read_with_pyarrow(file: Path):
    """The baseline read: pyarrow's CSV reader, multi-line text allowed, then pandas."""
    parse = pa_csv.ParseOptions(newlines_in_values=True)
    return pa_csv.read_csv(file, parse_options=parse).to_pandas()


def bench_open(
    journal_dir: Path, name: str, journal: str, *, runs: int, every_table: bool = False
) -> Measurement:
    """Open the journal and take its marbles (or every table), against pyarrow reading them."""
    names = list(trustlab.TABLES) if every_table else ["marbles"]
    files = [journal_dir / f"{table}.csv" for table in names]
    rows = {table: len(read_with_pyarrow(f)) for table, f in zip(names, files, strict=True)}

    def with_trustlab() -> None:
        opened = open_journal(journal_dir)
        for table in names:
            frame = opened.table(table)
            if len(frame) != rows[table]:
                raise RuntimeError(f"{journal_dir}: {len(frame)} {table}, expected {rows[table]}")
        if opened.problems:
            raise RuntimeError(f"{journal_dir} is not clean: {opened.problems[:3]}")

    def with_pyarrow() -> None:
        for file in files:
            read_with_pyarrow(file)

    (ours, theirs), _ = interleaved(with_trustlab, with_pyarrow, runs=runs)
    baseline = PYARROW if not every_table else f"{PYARROW}, the {len(files)} files"
    return Measurement.from_runs(name, journal, ours, theirs, baseline, max_ratio=MAX_OPEN_RATIO)


def bench_add(big_dir: Path, small_dir: Path, journal: str, *, adds: int) -> Measurement:
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
        if len(big.table("marbles")) != big_rows + adds + timing.WARM_UPS:
            raise RuntimeError("the adds did not all reach the big journal")
    return Measurement.from_runs(
        'add("marbles")',
        journal,
        ours,
        theirs,
        f"same on {small_rows:,} marbles",
        max_seconds=MAX_ADD_SECONDS,
        max_ratio=MAX_ADD_RATIO,
    )


def bench_rewrite(big_dir: Path, journal: str, *, kind: str, runs: int) -> Measurement:
    """One ``correct`` (``kind="correct"``) or ``delete`` on the big journal, against a bare
    pyarrow rewrite of a copy of its marbles.csv that changes or drops the same row."""
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-") as scratch:
        mine = open_journal(shutil.copytree(big_dir, Path(scratch) / "journal"))
        bare = Path(scratch) / "bare.csv"
        shutil.copyfile(big_dir / "marbles.csv", bare)
        ids = mine.table("marbles")["id"]
        # Rows spread over the file, a different one for each run and warm-up.
        n = runs + timing.WARM_UPS
        spread = ids.iloc[[len(ids) * (i + 1) // (n + 1) for i in range(n)]].tolist()
        picked, picked_bare = iter(spread), iter(spread)
        state = {"n": 0}

        def with_trustlab() -> None:
            state["n"] += 1
            ident = next(picked)
            if kind == "correct":
                mine.correct("marbles", ident, moment=f"Corrected in the benchmark ({state['n']})")
            else:
                mine.delete("marbles", ident)

        def with_pyarrow() -> None:
            _bare_rewrite(bare, next(picked_bare), kind)

        (ours, theirs), _ = interleaved(with_trustlab, with_pyarrow, runs=runs)
    return Measurement.from_runs(
        f'{kind}("marbles")',
        journal,
        ours,
        theirs,
        "pyarrow read + write, no checks",
    )


def _bare_rewrite(file: Path, ident: str, kind: str) -> None:
    """Read ``file`` as text, change (or drop) the row with id ``ident``, write it back."""
    with open(file, "rb") as f:
        header = f.readline().decode("utf-8").strip().replace('"', "").split(",")
    table = pa_csv.read_csv(
        file,
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False
        ),
    )
    hit = pc.equal(table.column("id"), ident)
    if kind == "correct":
        at = table.schema.get_field_index("moment")
        moment = pc.if_else(hit, "Corrected in the benchmark", table.column("moment"))
        table = table.set_column(at, "moment", moment)
    else:
        table = table.filter(pc.invert(hit))
    tmp = file.with_name(f".{file.name}.tmp")
    pa_csv.write_csv(table, tmp, pa_csv.WriteOptions(quoting_style="all_valid", eol="\n"))
    os.replace(tmp, file)


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
