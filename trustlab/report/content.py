"""The report as data: tables, charts and parts, before any file is written.

Every writer (:mod:`.html`, :mod:`.notebook`, :mod:`.files`) renders the same
:class:`Report`, so the page, the notebook, report.json and the CSV files never disagree.
"""

from __future__ import annotations

import datetime
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import vl_convert

from .. import charts
from ..schema import TABLES
from .brief import Brief
from .options import MAX_ROWS, ReportOptions, Section, long_date

# --- the report, as data ------------------------------------------------------------------


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # int, share, float, date, text or choice (a choice's label)


@dataclass
class ReportTable:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""
    figures: bool = True
    """Figures go into report.json; entries (what the person wrote) do not."""


@dataclass
class ReportChart:
    key: str
    title: str
    description: str
    svg: str
    png: bytes


@dataclass
class Part:
    section: Section
    sentences: list[str] = field(default_factory=list)
    charts: list[ReportChart] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    entries: list[ReportTable] = field(default_factory=list)
    empty: bool = False


@dataclass
class Report:
    opts: ReportOptions
    created: datetime.date
    first: datetime.date | None
    last: datetime.date | None
    people: ReportTable
    parts: list[Part]
    included: list[str]
    excluded: list[str]
    brief: Brief | None = None
    ident: str = field(default_factory=lambda: f"r{secrets.token_hex(8)}")
    """The report's id: a coach's reply names it, and so do the notes brought back."""
    letters: dict[str, str] = field(default_factory=dict)
    """Letter -> real name: kept only in the journal's own copy of report.json, so the
    next brief compares each person with themselves. Never in anything shared."""


def plain(value: Any) -> Any:
    """A value as plain Python: int, float, str, date or None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) else float(value)
    return value


def table(
    key: str,
    caption: str,
    frame: pd.DataFrame,
    columns: list[Column],
    *,
    rows_of: str = "",
    busiest: tuple[str, str] | None = None,
    total: pd.DataFrame | None = None,
    **options: Any,
) -> ReportTable:
    """A table of ``frame``'s ``columns``, listing at most :data:`MAX_ROWS` rows.

    With more rows (a journal with hundreds of people or beliefs), it lists those with the
    most of ``busiest`` (column, what it counts; without it, the first ones) and says so
    under the table: ``rows_of`` names what a row is. ``total`` (a row for everyone)
    always follows."""
    count = len(frame)
    if count > MAX_ROWS:
        if busiest is not None:  # the busiest rows, in the order they were given
            most = np.argsort(-frame[busiest[0]].to_numpy("float64"), kind="stable")
            frame = frame.iloc[np.sort(most[:MAX_ROWS])]
            which = f"the {MAX_ROWS:,} {rows_of} with the most {busiest[1]}"
        else:
            frame = frame.head(MAX_ROWS)
            which = f"the first {MAX_ROWS:,} {rows_of}"
        options["note"] = (f"Listed here: {which}, of {count:,}. The sentences and charts "
                           f"count all {count:,}.")
    if total is not None:
        frame = pd.concat([frame, total], ignore_index=True)
    data = [frame[c.key].tolist() for c in columns]
    rows = [[plain(v) for v in row] for row in zip(*data, strict=True)] if columns else []
    return ReportTable(key, caption, columns, rows, **options)


CHART_TEXT = {
    "triggers_over_time": "Bars show how many triggers were noted in each period, coloured by "
    "where the wariness seemed to come from.",
    "blame_balance": "Bars show how many triggers fell in each band of how much of what "
    "happened the person saw as theirs to own, from 0% to 100%; the two ends (all or "
    "nothing) are coloured apart.",
    "qualities_check": "A grid of people (rows) by qualities (columns); each square says how "
    "often that person showed that quality. Pale squares rest on fewer than 5 observations.",
    "self_trust": "Two lines over time: the share of red flags the person acted on rather than "
    "explained away, and the share of promises to themselves they kept, each counted up to "
    "that point.",
    "belief_shift": "One row per belief: a grey dot for how true it felt (0 to 100) before a "
    "thought record and a green dot for afterwards, over time.",
    "marble_jar": "One line per person (at most 8): how many marbles were in their jar over "
    "the period. Upward triangles mark periods where more marbles went in than came out.",
    "current_jars": "One bar per person (at most 8): marbles in minus marbles out over the period.",
    "braving_profile": "A grid of people (rows) by the {count} BRAVING elements of trust "
    "({braving}); blue where more marbles went in, red where more came out.",
    "step_responses": "One bar per person, split by how they met the small things the person "
    "gave or asked for: {responses}.",
}
"""What each chart shows, in words (its accessible description and caption); the choices
it names are filled in from the schema when a report is made."""


def chart_text(key: str) -> str:
    """:data:`CHART_TEXT` of chart ``key``, with today's choices from the schema."""
    braving = TABLES["marbles"].column("braving")
    response = TABLES["steps"].column("response")
    elements = [braving.label_of(v).lower() for v in braving.choices]
    answers = [response.heading_of(v).lower() for v in response.choices]
    if len(answers) > 1:
        answers = [*answers[:-2], f"{answers[-2]}, or {answers[-1]}"]
    return CHART_TEXT[key].format(count=_NUMBERS.get(len(elements), len(elements)),
                                  braving=", ".join(elements), responses=", ".join(answers))


_NUMBERS = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def chart(key: str, make: Callable[[], Any]) -> ReportChart:
    chart = make()
    spec = chart.to_dict()
    title = spec.get("title", {})
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    svg = charts.to_svg(chart)
    png = vl_convert.svg_to_png(svg, scale=1)
    return ReportChart(key, text, chart_text(key), svg, png)


def period(report: Report) -> str:
    """The period a report covers, in words."""
    opts = report.opts
    if opts.since and opts.until:
        return f"From {long_date(opts.since)} to {long_date(opts.until)}"
    if report.first is None:
        if opts.since:
            return f"From {long_date(opts.since)} on (no entries in this period)"
        if opts.until:
            return f"Up to {long_date(opts.until)} (no entries in this period)"
        return "The whole journal (no dated entries yet)"
    start = long_date(opts.since) if opts.since else f"the first entry ({long_date(report.first)})"
    end = long_date(opts.until) if opts.until else f"the latest ({long_date(report.last)})"
    return f"From {start} to {end}"
