"""Building a report: the shared view, each step's part, and the brief that opens it."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pandas as pd

from .. import insights
from ..journal import Journal
from ..schema import TABLES
from . import brief
from .brief import Brief
from .coach import measures, period_label
from .consent import (
    Naming,
    SharedJournal,
    consent_lists,
    filtered,
    is_name,
    naming_for,
    shared_view,
)
from .content import Column, Part, Report, period, table
from .files import figures
from .options import NOTHING, SECTION_OF, SECTIONS, ExportError, ReportOptions, long_date
from .sections import BUILDERS, entries, labelled


def _dates(view: SharedJournal) -> tuple[datetime.date | None, datetime.date | None]:
    found = [view.table(n)["date"] for n in TABLES if "date" in TABLES[n].column_names]
    found = [d for d in found if len(d)]
    if not found:
        return None, None
    return (min(d.min() for d in found).date(), max(d.max() for d in found).date())


def build(journal: Journal, opts: ReportOptions) -> Report:
    frames = filtered(journal, opts)
    naming = naming_for(journal, opts, frames)
    if opts.note and not opts.real_names:  # the note to the coach hides names too
        opts = opts.with_note(naming.words(opts.note))
    view = shared_view(frames, opts, naming)
    first, last = _dates(view)
    people_frame = labelled(view.table("people"), "people")
    people_columns = [
        Column("person", "Person", "text"),
        Column("relationship", "Relationship", "text"),
        Column("era", "Present or past", "text"),
    ]
    if opts.include_text:
        people_columns.append(Column("note", "Note", "text"))
    people = table("people", "The people this report is about", people_frame, people_columns,
                   rows_of="people")
    parts = []
    for key in opts.sections:
        part = Part(SECTIONS[key])
        BUILDERS[key](view, part, opts, naming)
        if opts.include_text and not part.empty:
            part.entries = entries(view, SECTIONS[key])
        parts.append(part)
    named = any(
        (view.table(n)["person"].str.strip() != "").any()
        for n in ("observations", "red_flags", "steps", "marbles")
    )
    included, excluded = consent_lists(opts, named=named)
    report = Report(opts, datetime.date.today(), first, last, people, parts, included, excluded)
    if not opts.real_names:
        report.letters = {letter: name for name, letter in naming.people.items()}
    report.brief = _brief(journal, view, report, naming)
    return report


def _brief(journal: Journal, view: SharedJournal, report: Report, naming: Naming) -> Brief:
    """The report's first screen, from what it shares (see :mod:`.brief`)."""
    opts = report.opts
    steps = {SECTIONS[k].step for k in opts.sections}
    as_of = opts.until or report.last
    found = insights.highlights(view, limit=5, as_of=as_of, label_beliefs=opts.include_text)
    found = found[found["step"].isin(steps)]
    waiting = []
    open_promises = int((view.table("promises")["kept"] == "").sum())
    if open_promises:
        waiting.append(f"{open_promises} promise{'s' if open_promises != 1 else ''} to "
                       "themselves not yet looked back on.")
    pending = int((view.table("steps")["response"] == "pending").sum())
    if pending:
        waiting.append(f"{pending} small step{'s' if pending != 1 else ''} still waiting for "
                       "an answer.")
    previous = brief.last_kept(journal.path)
    then = None
    if previous is not None:
        kept = previous.get("period") if isinstance(previous.get("period"), dict) else {}
        then = period_label(kept.get("since"), kept.get("until"))
    return Brief(
        period=period(report),
        highlights=tuple(zip(found["sentence"], found["why"], strict=True)),
        previous=then,
        changes=brief.changes(measures(figures(report)), _then(previous, naming)),
        waiting=tuple(waiting),
        moment=_moment(journal, opts, naming),
        note=opts.note,
    )


def _then(previous: dict | None, naming: Naming) -> list[tuple[str, str, str, float]]:
    """The previous report's figures, each person under the name this report gives them.

    Letters can differ from one report to the next, so the journal's own copy of the
    earlier report says whose each letter was (``letters``; a report with real names needs
    none). A figure about someone this report does not name is left out (it would name
    them), and so is every figure about a person when the copy cannot say whose a letter
    was."""
    if not previous:
        return []
    letters = previous.get("letters")
    real = previous.get("names") == "real"

    def now(person: Any) -> str | None:
        if person == "Everyone":
            return person
        name = person if real else (letters.get(person) if isinstance(letters, dict) else None)
        return naming.people.get(name) if isinstance(name, str) else None

    figures = previous.get("figures") if isinstance(previous.get("figures"), dict) else {}
    renamed: dict[str, Any] = {}
    for section, tables in figures.items():
        if not isinstance(tables, dict):
            continue
        renamed[section] = {}
        for key, rows in tables.items():
            if not isinstance(rows, list):
                continue
            kept = []
            for row in rows:
                if isinstance(row, dict) and "person" in row:
                    shown = now(row["person"])
                    if shown is None:
                        continue
                    row = {**row, "person": shown}
                kept.append(row)
            renamed[section][key] = kept
    return measures(renamed)


def _moment(journal: Journal, opts: ReportOptions, naming: Naming) -> tuple[tuple[str, str], ...]:
    """The entry the person chose to talk about, row by row (its words included: choosing
    it is sharing it; names hidden as everywhere else)."""
    if opts.moment is None:
        return ()
    name, ident = opts.moment
    table, frame = TABLES[name], journal.table(name)
    found = frame[frame["id"] == ident] if "id" in frame.columns else frame.iloc[0:0]
    if found.empty:
        raise ExportError(f"There is no entry with id {ident} in {name}.csv to talk about. "
                          f"{NOTHING}")
    section = SECTION_OF.get(name)
    if section is not None and section not in opts.sections:
        raise ExportError(
            f"The moment you chose is from {SECTIONS[section].heading}, which this report "
            f"does not share: share that step too, or choose another moment. {NOTHING}")
    row = found.iloc[0]
    rows = [("What", table.title)]
    for col in table.columns:
        value = row[col.name]
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            continue
        if col.name == "date":
            shown = long_date(pd.Timestamp(value).date())
        elif is_name(table, col.name):
            shown = naming.person(str(value))
        elif col.kind == "text":
            shown = naming.words(str(value))
        elif col.kind == "choice":
            shown = col.label_of(str(value))
        else:
            shown = str(value)
        rows.append((col.label, shown))
    return tuple(rows)
