"""The one-page brief that opens every report, and the reports a journal keeps to compare with.

A coach rarely needs every table; they need what changed, what is waiting, and what the
person wants to talk about. The brief says exactly that, on one screen, from what the report
shares (never from anything else in the journal):

* **What stands out**: :func:`trustlab.insights.highlights` on the shared entries, so a
  direction is named only where the entries tell it from chance;
* **Since the last report**: the main figures beside those of the previous report the person
  made (kept, as its ``report.json`` only, in ``JOURNAL/.trustlab/reports/``). Figures are
  given side by side, without a word of direction: two periods' counts are not a test;
* **Waiting**: promises to themselves not yet looked back on, small steps without an answer;
* **A moment to talk about**: one entry the person chose, with its words;
* **Their note to you**.

This module holds the brief as data (:class:`Brief`, also written into report.json so the
coach's review can put two briefs side by side), its plain-text form, and the kept
reports. Its HTML comes from the report's templates (:func:`trustlab.report.html.brief`).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage import STATE_DIR, read_regular, state_dir, write_temp

KEPT = 20
"""How many earlier reports (their report.json) a journal keeps to compare with."""
MAX_CHANGES = 5
"""At most this many figures in "Since the last report"."""


@dataclass(frozen=True)
class Brief:
    """What a report's first screen says (see the module's docstring)."""

    period: str
    highlights: tuple[tuple[str, str], ...] = ()
    """(sentence, why it was chosen), most important first."""
    previous: str | None = None
    """The period of the previous report, when the person made one before."""
    changes: tuple[tuple[str, str, str], ...] = ()
    """(figure, in the previous report, in this one), formatted."""
    waiting: tuple[str, ...] = ()
    moment: tuple[tuple[str, str], ...] = ()
    """(what, value) rows of the one entry the person chose; empty when none."""
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        """The brief as report.json keeps it."""
        return {
            "period": self.period,
            "highlights": [{"sentence": s, "why": w} for s, w in self.highlights],
            "previous": self.previous,
            "changes": [{"figure": f, "then": a, "now": b} for f, a, b in self.changes],
            "waiting": list(self.waiting),
            "moment": [{"what": k, "value": v} for k, v in self.moment],
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: Any) -> Brief | None:
        """The brief of a report.json (None if it has none, or not one this can read).
        Whatever it holds is only ever shown escaped."""
        if not isinstance(data, dict):
            return None

        def rows(key: str, fields: Sequence[str]) -> tuple[tuple[str, ...], ...]:
            found = data.get(key)
            if not isinstance(found, list):
                return ()
            return tuple(
                tuple(str(r.get(f, "")) for f in fields) for r in found if isinstance(r, dict)
            )

        waiting = data.get("waiting")
        return cls(
            period=str(data.get("period", "")),
            highlights=rows("highlights", ("sentence", "why")),  # type: ignore[arg-type]
            previous=str(data["previous"]) if data.get("previous") else None,
            changes=rows("changes", ("figure", "then", "now")),  # type: ignore[arg-type]
            waiting=tuple(str(w) for w in waiting) if isinstance(waiting, list) else (),
            moment=rows("moment", ("what", "value")),  # type: ignore[arg-type]
            note=str(data.get("note") or ""),
        )


Measure = tuple[str, str, str, float]
"""(group, figure, kind, value), as :func:`trustlab.report.compare_reports` reads them."""


def changes(now: Iterable[Measure], then: Iterable[Measure]) -> tuple[tuple[str, str, str], ...]:
    """The figures both reports share, this report's order, at most :data:`MAX_CHANGES`."""
    before = {(g, m): (k, v) for g, m, k, v in then}
    out = []
    for group, measure, kind, value in now:
        if (group, measure) in before:
            out.append((measure, figure(before[(group, measure)][1], kind), figure(value, kind)))
    return tuple(out[:MAX_CHANGES])


def figure(value: float, kind: str) -> str:
    """A figure as the brief shows it: a share as a percentage, a number without ".0"."""
    if kind == "share":
        return f"{round(100 * value)}%"
    return f"{value:,.1f}".removesuffix(".0").replace("-", "−")


def text(brief: Brief) -> str:
    """The brief as plain text (the notebook's text form of it)."""
    lines = [f"Period: {brief.period}"]
    if brief.note:
        lines.append(f"Their note to you: {brief.note}")
    if brief.moment:
        lines += ["A moment they chose to talk about:", *(f"  {k}: {v}" for k, v in brief.moment)]
    lines += ["What stands out:", *(f"- {s}" for s, _ in brief.highlights)] \
        if brief.highlights else ["What stands out: too early to tell."]
    if brief.waiting:
        lines += ["Waiting:", *(f"- {w}" for w in brief.waiting)]
    if brief.previous and brief.changes:
        lines += [f"Since the last report ({brief.previous}):",
                  *(f"- {f}: {a} then, {b} now" for f, a, b in brief.changes)]
    return "\n".join(lines)


# --- the reports a journal keeps -------------------------------------------------------------


def kept_dir(journal: Path) -> Path:
    """Where a journal keeps its earlier reports' report.json (``.trustlab/reports``)."""
    return journal / STATE_DIR / "reports"


def keep(journal: Path, report_json: bytes, stamp: str) -> Path | None:
    """Keep a copy of a report's report.json in the journal (private, never through a link),
    and only the latest :data:`KEPT`; return it (None if it could not be kept: the report
    itself is written all the same, and the next brief has nothing to compare with)."""
    try:
        state_dir(journal)
        folder = kept_dir(journal)
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            return None
        path = folder / f"report-{stamp}.json"
        os.replace(write_temp(path, report_json), path)
        for old in sorted(folder.glob("report-*.json"))[:-KEPT]:
            old.unlink(missing_ok=True)
        return path
    except OSError:
        return None


def last_kept(journal: Path) -> dict[str, Any] | None:
    """The report.json of the last report this journal made (None if none was kept)."""
    folder = kept_dir(journal)
    with contextlib.suppress(OSError):
        for path in sorted(folder.glob("report-*.json"), reverse=True):
            with contextlib.suppress(OSError, ValueError):  # a link or not a file: passed
                data = json.loads(read_regular(path).decode("utf-8"))
                if isinstance(data, dict):
                    return data
    return None
