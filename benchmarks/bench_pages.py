"""How long a person waits on a notebook page: after Save on each step, and for 06 to run.

Each notebook's own code cells run in an IPython shell in this process, on a fresh
copy of the sample journal (never ``data/sample/`` itself), as Run All does in
JupyterLab. Then, on steps 01 to 05, the main form of the page is filled with the
latest entry of its table and saved, as a person would: the entry is added, and
every part of the page (charts, sentences, lists, forms) is built again and sent to
JupyterLab. That is the time timed here, in the kernel; JupyterLab then draws each
chart from its compiled Vega spec in the browser. On 06, which has no form, the
time is a second Run All on the warm kernel. Run it with
``python -m benchmarks.bench_pages``.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .report import Row
from .timing import seconds

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

MAX_REDRAW = 0.3
"""Target: after Save, the page's parts built again within 0.3 s (sample journal)."""
MAX_RUN_ALL = 3.0
"""Target: 06 runs all in under 3 s on a warm kernel."""

SAVES: dict[str, str] = {
    "01_roots_of_distrust": "triggers",
    "02_relationship_stock_take": "checklist",
    "03_trust_in_yourself": "red_flags",
    "04_challenging_beliefs": "beliefs",
    "05_marble_jar": "marbles",
}
"""Each step notebook, and the name of the form on it that the benchmark saves."""


def code_cells(name: str) -> list[str]:
    """The source of each code cell of notebook ``name`` (without ``.ipynb``)."""
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


@contextmanager
def notebook_shell(journal: Path) -> Iterator[Any]:
    """An IPython shell whose notebooks use ``journal``, with their outputs captured."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    before = os.environ.get("TRUSTLAB_JOURNAL")
    os.environ["TRUSTLAB_JOURNAL"] = str(journal)
    shell = InteractiveShell.instance()
    try:
        with capture_output(display=True):
            yield shell
    finally:
        shell.reset(new_session=False)
        if before is None:
            os.environ.pop("TRUSTLAB_JOURNAL", None)
        else:
            os.environ["TRUSTLAB_JOURNAL"] = before


def run_cells(shell: Any, name: str) -> None:
    """Run every code cell of notebook ``name``; raise if one fails."""
    for source in code_cells(name):
        result = shell.run_cell(source, store_history=False)
        if not result.success:
            raise RuntimeError(f"{name}: a cell failed: {result.error_in_exec!r}")


def _save_on(shell: Any, name: str) -> Callable[[], None]:
    """A function that saves the page's main form once, as a person would."""
    import pandas as pd

    form = shell.user_ns[SAVES[name]]
    journal = shell.user_ns["journal"]
    if hasattr(form, "answers"):  # the observation checklist
        people = journal.table("people")["person"].tolist()
        choices = list(form.answers)

        def save() -> None:
            form.date.value = pd.Timestamp("2026-09-01").date()
            form.person.value = people[0]
            form.answers[choices[0]].value = "yes"
            form.save_button.click()
            if "Saved" not in form.status.value:
                raise RuntimeError(f"{name}: the checklist did not save")

        return save
    latest = journal.table(form.table.name).iloc[-1]

    def save() -> None:
        form.fill(latest)
        if form.save() is None:
            raise RuntimeError(f"{name}: the form did not save")

    return save


def _redrawn(shell: Any, save: Callable[[], None]) -> Callable[[], None]:
    """``save``, checked to have redrawn the page once (so the time is of a real redraw)."""
    from trustlab import workbook

    page = workbook.page(shell.user_ns["journal"])

    def action() -> None:
        before = page.refreshes
        save()
        if page.refreshes != before + 1:
            raise RuntimeError("the page was not redrawn after the save")

    return action


def measure(runs: int = 7) -> tuple[int, list[tuple[str, list[float]]]]:
    """The sample journal's number of entries, and seconds per save on each step page
    and per warm Run All of 06."""
    from trustlab import TABLES, open_journal, sample

    measured: list[tuple[str, list[float]]] = []
    with tempfile.TemporaryDirectory(prefix="trustlab-bench-pages-") as scratch:
        first = sample.write_sample(Path(scratch) / "entries")
        entries = sum(len(open_journal(first).table(name)) for name in TABLES)
        for name in [*SAVES, "06_trust_trends"]:
            journal = sample.write_sample(Path(scratch) / name)
            with notebook_shell(journal) as shell:
                run_cells(shell, name)
                if name in SAVES:
                    action = _redrawn(shell, _save_on(shell, name))
                else:
                    def action(shell: Any = shell, name: str = name) -> None:
                        run_cells(shell, name)
                action()  # warm-up: the first save fills the caches a person's first save fills
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    action()
                    times.append(time.perf_counter() - start)
            measured.append((name, times))
    return entries, measured


def rows(entries: int, measured: list[tuple[str, list[float]]]) -> list[Row]:
    """The results table's rows: one per page."""
    out = []
    for name, times in measured:
        median = statistics.median(times)
        if name in SAVES:
            what = f"{name[:2]}: Save, then the page built again (kernel; JupyterLab draws)"
            limit = MAX_REDRAW
        else:
            what = f"{name[:2]}: Run All on a warm kernel (kernel; JupyterLab draws)"
            limit = MAX_RUN_ALL
        out.append(Row(what, f"the sample journal ({entries:,} entries)", seconds(median), "—", "—",
                       f"< {seconds(limit)}", median < limit))
    return out


def main() -> int:
    for row in rows(*measure()):
        print(" | ".join(row.cells()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
