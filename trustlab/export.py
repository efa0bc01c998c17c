"""The coach report: exactly what the person chooses to share, and nothing else.

The person picks the steps to share, a date range, and whether what they wrote
and people's real names go in; by default only counts, scores and charts are
shared, with people shown as "Person A", "Person B" ... :func:`preview` builds
the report in memory and :meth:`Preview.write` (or :func:`export`) writes it:

``report.html``
    A static page: no JavaScript, no request to any other host (a Content
    Security Policy forbids both), charts inlined as SVG.
``report.ipynb``
    The same content as a notebook of static outputs, with empty cells for
    the coach's notes. It holds no code, no widget state and no metadata.
``report.json``
    The shared figures only, for the coach's review notebook
    (:func:`read_reports`, :func:`compare_reports`).
``csv/*.csv`` (with ``csv=True``)
    The report's tables for a spreadsheet, formulas neutralised.

Consent is enforced once, where the data enter: a *shared view* of the journal
(the tables cut to the chosen steps and dates, people renamed, words removed)
is the only thing the charts, insights and tables ever read. Which columns are
names and which are free text comes from :mod:`trustlab.schema`, so a new text
column is kept out of reports without a change here.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import errno
import hashlib
import html
import io
import json
import math
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import vl_convert

from . import __version__, brief, charts, insights
from .brief import Brief
from .journal import Journal
from .schema import TABLES, Table
from .storage import utc_stamp

__all__ = [
    "ALL",
    "MAX_ENTRIES",
    "SECTIONS",
    "ExportError",
    "ExportResult",
    "Preview",
    "check_options",
    "compare_reports",
    "export",
    "preview",
    "read_reports",
]

FORMAT = "trustlab-report"
"""The ``format`` field of report.json."""

FORMAT_VERSION = 1

MAX_ENTRIES = 200
"""With words included: the latest entries of each kind listed in the report."""


@dataclass(frozen=True)
class _Section:
    key: str
    step: int
    title: str
    intro: str
    tables: tuple[str, ...]

    @property
    def heading(self) -> str:
        return f"Step {self.step} · {self.title}"


SECTIONS: dict[str, _Section] = {
    s.key: s
    for s in (
        _Section(
            "roots",
            1,
            "Roots of distrust",
            "Moments that set off distrust (triggers): where the wariness seems to come "
            "from, how strong it felt (0 to 10), and how much of what happened the person "
            "saw as theirs to own (0 to 100%). Seeing it as all or nothing is common early on.",
            ("triggers",),
        ),
        _Section(
            "qualities",
            2,
            "Qualities that feel safe",
            "The qualities, values and needs that help the person feel safe with someone, "
            "and how often each person showed them.",
            ("qualities", "observations"),
        ),
        _Section(
            "self_trust",
            3,
            "Trusting myself",
            "Red flags the person noticed and whether they acted on them (heeded) or "
            "explained them away (painted green), and promises they made to themselves "
            "and kept.",
            ("red_flags", "promises"),
        ),
        _Section(
            "beliefs",
            4,
            "Challenging harsh beliefs",
            "Thought records: a harsh belief, how true it felt from 0 to 100 before "
            "looking at the evidence against it, and how true it felt afterwards.",
            ("beliefs",),
        ),
        _Section(
            "marbles",
            5,
            "Marble jars and small steps",
            "Each person has a marble jar: a moment where they showed up puts marbles in "
            "(up to 5), a let-down takes some out. Small steps are little things the person "
            "gave or asked for, and how each person responded.",
            ("marbles", "steps"),
        ),
    )
}
"""The steps a report can share, in the order of the five steps."""

ALL: tuple[str, ...] = tuple(SECTIONS)
"""Every section: the default of ``sections``."""

_SECTION_OF = {table: s.key for s in SECTIONS.values() for table in s.tables}
NEVER_SHARED = frozenset({"coach_notes"})
"""Tables a report never holds: what the coach wrote goes back to the person, not out again."""


class ExportError(ValueError):
    """An export option is not valid, or the report cannot go where it was asked to."""


class ReportExists(ExportError):
    """The folder already holds a trustlab report, and replacing it was not asked for."""



# --- options ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Options:
    sections: tuple[str, ...]
    since: datetime.date | None
    until: datetime.date | None
    include_text: bool
    real_names: bool
    note: str
    csv: bool
    moment: tuple[str, str] | None = None
    """(table, id) of the one entry the person chose to talk about, if any."""


def check_options(
    sections: Iterable[str] | str = ALL,
    since: datetime.date | str | None = None,
    until: datetime.date | str | None = None,
    include_text: bool = False,
    real_names: bool = False,
    note: str | None = None,
    csv: bool = False,
    moment: str | None = None,
) -> _Options:
    """Check export options (see :func:`export`) and return them tidied.

    Raises
    ------
    ExportError
        Naming the option, the value given and what is allowed.
    """
    if isinstance(sections, str):
        sections = [s for s in sections.split(",") if s.strip()]
    chosen = [s.strip() for s in sections]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ExportError(
            f"There is no section called {', '.join(map(repr, unknown))}. "
            f"Choose from: {', '.join(ALL)} (separated by commas)."
        )
    if not chosen:
        raise ExportError(f"Choose at least one section to share, from: {', '.join(ALL)}.")
    first, last = _date_option("since", since), _date_option("until", until)
    if first and last and first > last:
        raise ExportError(
            f"since={first.isoformat()} is after until={last.isoformat()}: "
            "the report would cover no days. Swap them, or leave one out."
        )
    picked = None
    if moment:
        table, _, ident = str(moment).strip().partition(":")
        allowed = [t for t in TABLES if t != "people" and t not in NEVER_SHARED]
        if table not in allowed or not ident.strip():
            raise ExportError(
                f"moment={moment!r} is not an entry a report can share: give TABLE:ID, for "
                f"example marbles:L3f2a… (TABLE one of {', '.join(allowed)}; ID the entry's "
                "id)."
            )
        picked = (table, ident.strip())
    return _Options(
        sections=tuple(s for s in ALL if s in chosen),
        since=first,
        until=last,
        include_text=bool(include_text),
        real_names=bool(real_names),
        note=(note or "").strip(),
        csv=bool(csv),
        moment=picked,
    )


def _date_option(name: str, value: datetime.date | str | None) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ExportError(
        f"{name}={value!r} is not a date: write it YYYY-MM-DD, for example 2024-03-01."
    )


# --- the shared view ------------------------------------------------------------------------


def _is_name(table: Table, column: str) -> bool:
    col = table.column(column)
    return col.refers_to == "people" or (table.name == "people" and column == "person")


def _is_quality(table: Table, column: str) -> bool:
    col = table.column(column)
    return col.refers_to == "qualities" or (table.name == "qualities" and column == "quality")


FREE_TEXT: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.kind == "text" and not _is_name(t, c.name))
    for t in TABLES.values()
}
"""Every column of words the person typed (quality names and beliefs included), by table:
shared only with ``include_text``. People's names are handled by ``real_names``."""


class SharedJournal:
    """A read-only stand-in for a journal that holds only what the person chose to share.

    It has the one method :mod:`trustlab.insights` and :mod:`trustlab.charts`
    read (``table(name)``), so every figure in a report is made from it.
    """

    def __init__(self, tables: dict[str, pd.DataFrame]):
        self._tables = tables

    def table(self, name: str) -> pd.DataFrame:
        """The shared entries of table ``name``."""
        return self._tables[name].copy(deep=False)

    def counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self._tables.items()}


@dataclass
class _Naming:
    """How names, qualities and beliefs appear in a report."""

    people: dict[str, str]
    """A name as a person column holds it (stripped) -> how the report shows it."""
    qualities: dict[str, str]
    pattern: re.Pattern | None
    """Every way the report's words may name a known person (see :func:`_name_pattern`)."""
    mentions: dict[str, str] = field(default_factory=dict)
    """A match of ``pattern`` (normalised by :func:`_mention_key`) -> what replaces it."""
    present: set[str] = field(default_factory=set)
    """The people the report is about: named in its entries or mentioned in its words."""
    numbers: dict[str, int] = field(default_factory=dict)
    """A belief as written (stripped, case-folded) -> its number in the whole journal."""
    beliefs: dict[str, int] = field(default_factory=dict)
    """A belief as it reads in the report (stripped, case-folded) -> its number in the
    whole journal, so "Belief 2" is the same belief in every report."""

    def person(self, name: str) -> str:
        # Every name the report's entries use has a letter; anything else is left out.
        return self.people.get(name.strip(), "")

    def words(self, text: str) -> str:
        """Free text with every mention of a known person replaced by their letter."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda m: self.mentions[_mention_key(m.group(0))], text)

    def belief_label(self, text: str) -> str:
        number = self.beliefs.get(text.strip().casefold())
        return f"Belief {number}" if number else text


def pseudonym(index: int) -> str:
    """``Person A`` ... ``Person Z``, then ``Person AA``, ``Person AB`` ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Person {letters}"


MAX_NAMED = 3
"""A name form that fits more people than this is replaced by "someone"."""
_APOSTROPHES = "'\u2019\u02bc`"
"""Ways an apostrophe is typed (O'Brien, O\u2019Brien ...): all read as one."""


def _mention_key(text: str) -> str:
    """A mention as compared: any letter case, any apostrophe, spaces collapsed."""
    for mark in _APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return " ".join(text.split()).casefold()


def _name_forms(name: str) -> set[str]:
    """The ways words may name ``name``: in full, and each part of it (first name, surname)
    of two letters or more, as :func:`_mention_key` compares them."""
    parts = [p.strip(".,;:()[]\"") for p in name.split()]
    return {_mention_key(name), *(_mention_key(p) for p in parts if len(p) >= 2)}


def _name_pattern(forms: Iterable[str]) -> re.Pattern | None:
    """A pattern finding each of ``forms`` as a whole word, in any case, with any
    apostrophe, with any spacing; longest first, so "Alex O'Brien" wins over "Alex".
    Possessives and punctuation around a name stay as written ("Person A's")."""
    def one(form: str) -> str:
        pieces = [re.escape(w).replace("'", f"[{_APOSTROPHES}]") for w in form.split(" ")]
        return r"\s+".join(pieces)

    ordered = sorted(set(forms) - {""}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(one, ordered)) + r")(?!\w)", re.IGNORECASE)


def _shared_words(frames: dict[str, pd.DataFrame], opts: _Options, who: set[str]) -> list[str]:
    """Every distinct piece of text the report shares with the person's words in it: the
    note to the coach, and with ``include_text`` every free-text column and the notes of
    the people in ``who``."""
    texts = [opts.note]
    if opts.include_text:
        for name, columns in FREE_TEXT.items():
            frame = frames[name]
            if name == "people":
                frame = frame[frame["person"].str.strip().isin(who)]
            for column in columns:
                texts.extend(str(v) for v in frame[column].unique())
    return [t for t in texts if t]


def _naming(journal: Journal, opts: _Options, frames: dict[str, pd.DataFrame]) -> _Naming:
    """Who the report names, and how: with names hidden, letters A, B, C ... without
    gaps, in the journal's order (people.csv first), for exactly the people the report is
    about (in its entries, or mentioned in the words it shares: each gets a row in its
    people table)."""
    order = insights.person_order(journal)
    present: set[str] = set()
    for name in ("observations", "red_flags", "steps", "marbles"):
        present.update(frames[name]["person"].str.strip().unique())
    present.discard("")
    forms: dict[str, list[str]] = {}  # a form of a name -> everyone it may be
    for person in order:
        for form in _name_forms(person):
            forms.setdefault(form, []).append(person)
    pattern = None if opts.real_names else _name_pattern(forms)
    if pattern is not None:
        # Whoever the shared words mention is in the report too (and their note, if words
        # are shared, may mention someone else): until no one new is found.
        while True:
            found = {person for text in _shared_words(frames, opts, present)
                     for m in pattern.finditer(text) for person in forms[_mention_key(m[0])]}
            if found <= present:
                break
            present |= found
    if opts.real_names:
        people = {p: p for p in order}
    else:
        people = {p: pseudonym(i) for i, p in enumerate(p for p in order if p in present)}
    # A form several people share names them all ("Person A or Person C"); one that fits
    # more than MAX_NAMED people says "someone" (a long list would say no more, at length).
    mentions = {
        form: (" or ".join(people[p] for p in who if p in people)
               if len(who) <= MAX_NAMED else "") or "someone"
        for form, who in forms.items()
    }
    listed = [q for q in dict.fromkeys(journal.table("qualities")["quality"].str.strip()) if q]
    named = set(journal.table("observations")["quality"].str.strip()) - set(listed) - {""}
    qualities = {
        q: f"Quality {i}"
        for i, q in enumerate([*listed, *sorted(named, key=str.casefold)], start=1)
    }
    naming = _Naming(people, qualities, pattern, mentions, present)
    shift = insights.belief_shift(journal)
    naming.numbers = {
        str(text).casefold(): int(n)
        for n, text in zip(shift["number"], shift["belief"], strict=True)
    }
    for written in journal.table("beliefs")["belief"].unique():
        number = naming.numbers[str(written).strip().casefold()]
        shown = naming.words(str(written)) if opts.include_text else f"Belief {number}"
        naming.beliefs[shown.strip().casefold()] = number
    return naming


def _map_values(series: pd.Series, convert: Callable[[str], str]) -> pd.Series:
    """``convert`` applied to each distinct value once (a million rows name few people)."""
    codes, uniques = pd.factorize(series, sort=False)
    mapped = np.array([convert(str(u)) for u in uniques] + [""], dtype=object)
    return pd.Series(mapped[codes], index=series.index, dtype=series.dtype)


def _blank(series: pd.Series) -> pd.Series:
    return pd.Series(np.full(len(series), "", dtype=object), index=series.index, dtype=series.dtype)


def _filtered(journal: Journal, opts: _Options) -> dict[str, pd.DataFrame]:
    """Each table with only the chosen sections' and dates' rows (nothing else changed)."""
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        frame = journal.table(name)
        section = _SECTION_OF.get(name)
        if name in NEVER_SHARED or (section is not None and section not in opts.sections):
            frame = frame.iloc[0:0]
        elif "date" in frame.columns and (opts.since or opts.until):
            keep = np.ones(len(frame), dtype=bool)
            if opts.since:
                keep &= (frame["date"] >= pd.Timestamp(opts.since)).to_numpy()
            if opts.until:
                keep &= (frame["date"] <= pd.Timestamp(opts.until)).to_numpy()
            frame = frame[keep]
        frames[name] = frame.reset_index(drop=True)
    return frames


def _shared_view(frames: dict[str, pd.DataFrame], opts: _Options, naming: _Naming
                 ) -> SharedJournal:
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        frame = frames[name]
        columns = {"id": _blank(frame["id"])} if "id" in frame.columns else {}
        for column in table.column_names:
            values = frame[column]
            if _is_name(table, column):
                columns[column] = _map_values(values, naming.person)
            elif _is_quality(table, column):
                words = (
                    naming.words
                    if opts.include_text
                    else (lambda q: naming.qualities.get(q.strip(), ""))
                )
                columns[column] = _map_values(values, words)
            elif table.name == "beliefs" and column == "belief":
                columns[column] = _map_values(
                    values,
                    naming.words
                    if opts.include_text
                    else (lambda b: f"Belief {naming.numbers[b.strip().casefold()]}"),
                )
            elif column in FREE_TEXT[name]:
                columns[column] = (
                    _map_values(values, naming.words) if opts.include_text else _blank(values)
                )
            else:
                columns[column] = values
        tables[name] = pd.DataFrame(columns, index=frame.index)
    # Only the people the report is about (in its entries or its words): no one else.
    people, listed = tables["people"], frames["people"]["person"].str.strip()
    tables["people"] = people[listed.isin(naming.present).to_numpy()].reset_index(drop=True)
    return SharedJournal(tables)


# --- the report, as data ------------------------------------------------------------------


@dataclass
class _Column:
    key: str
    label: str
    kind: str = "int"  # int, share, float, date, text or choice


@dataclass
class _Table:
    key: str
    caption: str
    columns: list[_Column]
    rows: list[list[Any]]
    note: str = ""
    figures: bool = True
    """Figures go into report.json; entries (what the person wrote) do not."""


@dataclass
class _Chart:
    key: str
    title: str
    description: str
    svg: str
    png: bytes


@dataclass
class _Part:
    section: _Section
    sentences: list[str] = field(default_factory=list)
    charts: list[_Chart] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    entries: list[_Table] = field(default_factory=list)
    empty: bool = False


@dataclass
class _Report:
    opts: _Options
    created: datetime.date
    first: datetime.date | None
    last: datetime.date | None
    people: _Table
    parts: list[_Part]
    included: list[str]
    excluded: list[str]
    brief: Brief | None = None
    ident: str = field(default_factory=lambda: f"r{secrets.token_hex(8)}")
    """The report's id: a coach's reply names it, and so do the notes brought back."""
    letters: dict[str, str] = field(default_factory=dict)
    """Letter -> real name: kept only in the journal's own copy of report.json, so the
    next brief compares each person with themselves. Never in anything shared."""


def _plain(value: Any) -> Any:
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


def _table(
    key: str, caption: str, frame: pd.DataFrame, columns: list[_Column], **options: Any
) -> _Table:
    data = [frame[c.key].tolist() for c in columns]
    rows = [[_plain(v) for v in row] for row in zip(*data, strict=True)] if columns else []
    return _Table(key, caption, columns, rows, **options)


_CHART_TEXT = {
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
    "braving_profile": "A grid of people (rows) by the seven BRAVING elements of trust "
    "(boundaries, reliability, accountability, vault, integrity, non-judgment, generosity); "
    "blue where more marbles went in, red where more came out.",
    "step_responses": "One bar per person, split by how they met the small things the person "
    "gave or asked for: warm, neutral, cold, or still waiting.",
}


def _chart(key: str, make: Callable[[], Any]) -> _Chart:
    chart = make()
    spec = chart.to_dict()
    title = spec.get("title", {})
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    svg = charts.to_svg(chart)
    png = vl_convert.svg_to_png(svg, scale=1)
    return _Chart(key, text, _CHART_TEXT[key], svg, png)


def _dates(view: SharedJournal) -> tuple[datetime.date | None, datetime.date | None]:
    found = [view.table(n)["date"] for n in TABLES if "date" in TABLES[n].column_names]
    found = [d for d in found if len(d)]
    if not found:
        return None, None
    return (min(d.min() for d in found).date(), max(d.max() for d in found).date())


def _build(journal: Journal, opts: _Options) -> _Report:
    frames = _filtered(journal, opts)
    naming = _naming(journal, opts, frames)
    if opts.note and not opts.real_names:  # the note to the coach hides names too
        opts = dataclasses.replace(opts, note=naming.words(opts.note))
    view = _shared_view(frames, opts, naming)
    first, last = _dates(view)
    people_frame = view.table("people")
    people_frame = people_frame.assign(
        relationship=people_frame["relationship"].str.replace("_", " "),
    )
    people_columns = [
        _Column("person", "Person", "text"),
        _Column("relationship", "Relationship", "text"),
        _Column("era", "Present or past", "text"),
    ]
    if opts.include_text:
        people_columns.append(_Column("note", "Note", "text"))
    people = _table("people", "The people this report is about", people_frame, people_columns)
    builders = {
        "roots": _roots,
        "qualities": _qualities,
        "self_trust": _self_trust,
        "beliefs": _beliefs,
        "marbles": _marbles,
    }
    parts = []
    for key in opts.sections:
        part = _Part(SECTIONS[key])
        builders[key](view, part, opts, naming)
        if opts.include_text and not part.empty:
            part.entries = _entries(view, SECTIONS[key])
        parts.append(part)
    named = any(
        (view.table(n)["person"].str.strip() != "").any()
        for n in ("observations", "red_flags", "steps", "marbles")
    )
    included, excluded = _consent_lists(opts, named=named)
    report = _Report(opts, datetime.date.today(), first, last, people, parts, included, excluded)
    if not opts.real_names:
        report.letters = {letter: name for name, letter in naming.people.items()}
    report.brief = _brief(journal, view, report, naming)
    return report


def _brief(journal: Journal, view: SharedJournal, report: _Report, naming: _Naming) -> Brief:
    """The report's first screen, from what it shares (see :mod:`trustlab.brief`)."""
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
        period = previous.get("period") if isinstance(previous.get("period"), dict) else {}
        then = _period_label(period.get("since"), period.get("until"))
    return Brief(
        period=_period(report),
        highlights=tuple(zip(found["sentence"], found["why"], strict=True)),
        previous=then,
        changes=brief.changes(_measures(_figures(report)), _then(previous, naming)),
        waiting=tuple(waiting),
        moment=_moment(journal, opts, naming),
        note=opts.note,
    )


def _then(previous: dict | None, naming: _Naming) -> list[tuple[str, str, str, float]]:
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
    return _measures(renamed)


def _moment(journal: Journal, opts: _Options, naming: _Naming) -> tuple[tuple[str, str], ...]:
    """The entry the person chose to talk about, row by row (its words included: choosing
    it is sharing it; names hidden as everywhere else)."""
    if opts.moment is None:
        return ()
    name, ident = opts.moment
    table, frame = TABLES[name], journal.table(name)
    found = frame[frame["id"] == ident] if "id" in frame.columns else frame.iloc[0:0]
    if found.empty:
        raise ExportError(f"There is no entry with id {ident} in {name}.csv to talk about. "
                          f"{_NOTHING}")
    section = _SECTION_OF.get(name)
    if section is not None and section not in opts.sections:
        raise ExportError(
            f"The moment you chose is from {SECTIONS[section].heading}, which this report "
            f"does not share: share that step too, or choose another moment. {_NOTHING}")
    row = found.iloc[0]
    rows = [("What", table.title)]
    for col in table.columns:
        value = row[col.name]
        if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
            continue
        if col.name == "date":
            shown = _long_date(pd.Timestamp(value).date())
        elif _is_name(table, col.name):
            shown = naming.person(str(value))
        elif col.kind == "text":
            shown = naming.words(str(value))
        else:
            shown = str(value).replace("_", " ")
        rows.append((col.label, shown))
    return tuple(rows)


def _sentences(view: SharedJournal, step: int, opts: _Options) -> list[str]:
    said = insights.sentences(view, step=step, label_beliefs=True)
    if not opts.include_text:
        # Labels stand in for words here; quoting them as if they were words reads oddly.
        said = [re.sub(r"“((?:Belief|Quality) \d+)”", r"\1", s) for s in said]
    return said


def _roots(view: SharedJournal, part: _Part, opts: _Options, naming: _Naming) -> None:
    triggers = view.table("triggers")
    if triggers.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 1, opts)
    part.charts = [
        _chart("triggers_over_time", lambda: charts.triggers_over_time(view)),
        _chart("blame_balance", lambda: charts.blame_balance(view)),
    ]
    origins = insights.triggers_by_origin(view)
    origins = origins.assign(
        origin=origins["origin"].map(_ORIGIN_LABELS),
        mean_intensity=origins["mean_intensity"].round(1),
    )
    part.tables.append(
        _table(
            "by_origin",
            "Triggers by where the wariness seems to come from",
            origins,
            [
                _Column("origin", "Where it seems to come from", "text"),
                _Column("triggers", "Triggers"),
                _Column("mean_intensity", "Average intensity (0–10)", "float"),
                _Column("max_intensity", "Strongest (0–10)"),
            ],
        )
    )
    low, high = insights.ALL_OR_NOTHING
    share = triggers["my_share"]
    blame = pd.DataFrame(
        {
            "answer": [f"All or nothing ({low}% or less, or {high}% or more)", "Some of each"],
            "triggers": [
                int(((share <= low) | (share >= high)).sum()),
                int(((share > low) & (share < high)).sum()),
            ],
            "average_share": [
                share[(share <= low) | (share >= high)].mean(),
                share[(share > low) & (share < high)].mean(),
            ],
        }
    )
    part.tables.append(
        _table(
            "blame_balance",
            "How much of each trigger the person saw as theirs to own",
            blame,
            [
                _Column("answer", "Answer", "text"),
                _Column("triggers", "Triggers"),
                _Column("average_share", "Average share theirs (%)", "float"),
            ],
        )
    )


_ORIGIN_LABELS = {k: charts.LABELS[k] for k in TABLES["triggers"].column("origin").choices}


def _qualities(view: SharedJournal, part: _Part, opts: _Options, naming: _Naming) -> None:
    check = insights.qualities_check(view)
    if check.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 2, opts)
    part.charts = [_chart("qualities_check", lambda: charts.qualities_check(view))]
    part.tables.append(
        _table(
            "qualities_check",
            "How often each person showed each quality",
            check,
            [
                _Column("person", "Person", "text"),
                _Column("quality", "Quality", "text"),
                _Column("yes", "Shown"),
                _Column("no", "Not shown"),
                _Column("unsure", "Not sure"),
                _Column("observations", "Observations"),
                _Column("share_shown", "Share shown", "share"),
            ],
        )
    )


def _self_trust(view: SharedJournal, part: _Part, opts: _Options, naming: _Naming) -> None:
    flags, promises = view.table("red_flags"), view.table("promises")
    if flags.empty and promises.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 3, opts)
    part.charts = [_chart("self_trust", lambda: charts.self_trust(view))]
    flag_columns = [
        _Column("heeded", "Heeded"),
        _Column("painted_green", "Painted green (explained away)"),
        _Column("watching", "Watching"),
        _Column("rate", "Heeded, of those decided", "share"),
    ]
    if not flags.empty:
        overall = insights.self_trust_rate(view).assign(person="Everyone")
        by_person = insights.self_trust_rate(view, by_person=True)
        part.tables.append(
            _table(
                "red_flags",
                "Red flags, and what the person did about them",
                pd.concat([by_person, overall], ignore_index=True),
                [_Column("person", "About", "text"), *flag_columns],
            )
        )
    if not promises.empty:
        kept = insights.promises_kept(view).assign(what="Promises to themselves")
        part.tables.append(
            _table(
                "promises",
                "Promises the person made to themselves",
                kept,
                [
                    _Column("what", "What", "text"),
                    _Column("yes", "Kept"),
                    _Column("partly", "Partly"),
                    _Column("no", "Not kept"),
                    _Column("open", "Not looked back on yet"),
                    _Column("rate", "Kept, of those looked back on", "share"),
                ],
            )
        )


_TRENDS = {
    "easing": "Feels less true",
    "stronger": "Feels more true",
    "too_few": "Too early to tell",
}


def _beliefs(view: SharedJournal, part: _Part, opts: _Options, naming: _Naming) -> None:
    records = insights.belief_shift(view)
    if records.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 4, opts)
    part.charts = [_chart("belief_shift", lambda: charts.belief_shift(view, label_beliefs=True))]
    trends = insights.belief_trends(view)
    # (one vectorised mean per column: a Python function per belief took minutes at 200k)
    means = records.assign(after=records["after"].astype("float64")).groupby("number").agg(
        mean_before=("before", "mean"), mean_after=("after", "mean"))
    trends = trends.join(means, on="number")
    trends = trends.assign(
        label=[naming.belief_label(text) for text in trends["belief"]],
        words=trends["belief"],
        trend=trends["trend"].map(_TRENDS),
        mean_before=trends["mean_before"].round(1),
        mean_after=trends["mean_after"].round(1),
    ).sort_values("label", key=lambda s: s.str.extract(r"(\d+)$")[0].astype("float64"))
    columns = [_Column("label", "Belief", "text")]
    if opts.include_text:
        columns.append(_Column("words", "In their words", "text"))
    columns += [
        _Column("records", "Thought records"),
        _Column("mean_before", "How true before (average, 0–100)", "float"),
        _Column("mean_after", "How true after (average, 0–100)", "float"),
        _Column("first_before", "Before, first record"),
        _Column("last_before", "Before, latest record"),
        _Column("trend", "Across the records", "text"),
    ]
    part.tables.append(_table("beliefs", "How true each belief has felt", trends, columns))


def _marbles(view: SharedJournal, part: _Part, opts: _Options, naming: _Naming) -> None:
    marbles, steps = view.table("marbles"), view.table("steps")
    if marbles.empty and steps.empty:
        part.empty = True
        return
    part.sentences = _sentences(view, 5, opts)
    if not marbles.empty:
        part.charts += [
            _chart("marble_jar", lambda: charts.marble_jar(view)),
            _chart("current_jars", lambda: charts.current_jars(view)),
        ]
        if (marbles["braving"] != "").any():
            part.charts.append(_chart("braving_profile", lambda: charts.braving_profile(view)))
        jars = insights.current_jars(view)
        trends = insights.jar_trends(view).set_index("person")["trend"]
        jars = jars.assign(lately=jars["person"].map(trends).map(_JAR_TRENDS))
        part.tables.append(
            _table(
                "jars",
                "Each person's marble jar over the period",
                jars,
                [
                    _Column("person", "Person", "text"),
                    _Column("marbles", "In the jar (in minus out)"),
                    _Column("earned", "Marbles in"),
                    _Column("lost", "Marbles out"),
                    _Column("moments", "Moments"),
                    _Column("lately", f"Last {insights.RECENT_WEEKS} weeks", "text"),
                    _Column("last_date", "Latest moment", "date"),
                ],
            )
        )
    if not steps.empty:
        part.charts.append(_chart("step_responses", lambda: charts.step_responses(view)))
        responses = insights.step_responses(view)
        wide = responses.pivot_table(
            index="person",
            columns="response",
            values="steps",
            aggfunc="sum",
            fill_value=0,
            sort=False,
        )
        given = responses.groupby("person", sort=False)[["gave", "asked"]].sum()
        wide = given.join(wide).reset_index()
        for response in TABLES["steps"].column("response").choices:
            if response not in wide:
                wide[response] = 0
        part.tables.append(
            _table(
                "steps",
                "Small steps, and how each person responded",
                wide,
                [
                    _Column("person", "Person", "text"),
                    _Column("gave", "Gave"),
                    _Column("asked", "Asked"),
                    _Column("warm", "Warm"),
                    _Column("neutral", "Neutral"),
                    _Column("cold", "Cold"),
                    _Column("pending", "Still waiting"),
                ],
            )
        )


_JAR_TRENDS = {
    "filling": "Filling",
    "emptying": "Emptying",
    "steady": "Steady",
    "too_few": "Too early to tell",
}


def _entries(view: SharedJournal, section: _Section) -> list[_Table]:
    """What the person wrote, entry by entry, newest first (at most MAX_ENTRIES each)."""
    out = []
    for name in section.tables:
        table = TABLES[name]
        frame = view.table(name)
        # An observation's quality only names one of the qualities: not words of its own.
        words = [c for c in FREE_TEXT[name] if name == "qualities" or not _is_quality(table, c)]
        written = np.zeros(len(frame), dtype=bool)
        for column in words:
            written |= (frame[column].str.strip() != "").to_numpy()
        frame = frame[written]
        if "date" in frame.columns:
            frame = frame.sort_values("date", ascending=False, kind="stable")
        total = len(frame)
        if not total:
            continue
        frame = frame.head(MAX_ENTRIES)
        columns = []
        for col in table.columns:
            kind = {"date": "date", "int": "int", "choice": "choice"}.get(col.kind, "text")
            columns.append(_Column(col.name, col.label, kind))
        note = (
            f"The latest {MAX_ENTRIES:,} of {total:,} entries with words in them."
            if total > MAX_ENTRIES
            else ""
        )
        out.append(
            _table(name, f"{table.title}, in their words", frame, columns, note=note, figures=False)
        )
    return out


def _consent_lists(opts: _Options, *, named: bool) -> tuple[list[str], list[str]]:
    """What the report shares and what it leaves out, in words for both the person and coach."""
    steps = [SECTIONS[k] for k in opts.sections]
    names = ", ".join(s.title for s in steps)
    if len(steps) == len(SECTIONS):
        which = "All five steps"
    elif len(steps) == 1:
        which = f"Step {steps[0].step}"
    else:
        which = f"Steps {', '.join(str(s.step) for s in steps[:-1])} and {steps[-1].step}"
    included = [f"{which} ({names}): counts, scores, charts and short summaries."]
    if not named:
        pass
    elif opts.real_names:
        included.append("People, by their real names, with how they are related to the person.")
    else:
        included.append(
            "People, as Person A, Person B … (one letter for each person this report is "
            "about, in the order of the person's list), with how they are related to the "
            "person."
        )
    if opts.include_text:
        text = (
            "What the person wrote, as they wrote it (notes, moments, situations, red flags, "
            "promises, small steps, beliefs and the evidence against them, qualities): "
            f"the latest {MAX_ENTRIES:,} entries of each kind."
        )
        if not opts.real_names:
            text += (
                " Every mention of a person they listed (full name, first name or surname, "
                "in any case) is replaced by that person's letter; names trustlab does not "
                "know are not."
            )
        included.append(text)
    if opts.moment is not None:
        included.append(
            "One entry they chose to talk about, with their words"
            + ("." if opts.real_names else " (names replaced by letters).")
        )
    excluded = [f"{s.heading}." for s in SECTIONS.values() if s.key not in opts.sections]
    if not opts.include_text:
        excluded.append(
            "Anything written in words: notes, moments, situations, red flags, "
            "promises, small steps, the wording of beliefs and the evidence "
            "against them, and the names of qualities."
        )
    if not opts.real_names:
        excluded.append("Real names.")
    if opts.since:
        excluded.append(f"Entries before {_long_date(opts.since)}.")
    if opts.until:
        excluded.append(f"Entries after {_long_date(opts.until)}.")
    excluded.append("Where the journal is kept, and anything in it not listed above.")
    return included, excluded


# --- rendering ---------------------------------------------------------------------------


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _period(report: _Report) -> str:
    opts = report.opts
    if opts.since and opts.until:
        return f"From {_long_date(opts.since)} to {_long_date(opts.until)}"
    if report.first is None:
        if opts.since:
            return f"From {_long_date(opts.since)} on (no entries in this period)"
        if opts.until:
            return f"Up to {_long_date(opts.until)} (no entries in this period)"
        return "The whole journal (no dated entries yet)"
    start = (
        _long_date(opts.since) if opts.since else (f"the first entry ({_long_date(report.first)})")
    )
    end = _long_date(opts.until) if opts.until else f"the latest ({_long_date(report.last)})"
    return f"From {start} to {end}"


def _cell(value: Any, kind: str) -> str:
    """A table cell's text (not yet escaped)."""
    if value is None or value == "":
        return "–" if kind not in ("text", "choice") else ""
    if kind == "int":
        return f"{int(value):,}".replace("-", "−")
    if kind == "share":
        return f"{round(100 * value)}%"
    if kind == "float":
        return f"{value:,.1f}".replace("-", "−")
    if kind == "date":
        return _short_date(value)
    if kind == "choice":
        return str(value).replace("_", " ")
    return str(value)


_NUMERIC = {"int", "share", "float"}


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table_html(table: _Table, ident: str) -> str:
    head = "".join(f'<th scope="col"{_align(c.kind)}>{_e(c.label)}</th>' for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for i, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            text = _e(_cell(value, column.kind))
            if i == 0:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f"<td{_align(column.kind)}>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="table-note">{_e(table.note)}</p>' if table.note else ""
    return (
        f'<div class="table-wrap" id="{ident}"><table><caption>{_e(table.caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _align(kind: str) -> str:
    if kind in _NUMERIC:
        return ' class="num"'
    if kind == "text":
        return ' class="words"'
    return ""


def _svg_html(chart: _Chart, ident: str) -> str:
    """The chart's SVG, with ids made unique in the page and an accessible name."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{ident}-{m.group(1)}"', chart.svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{ident}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{ident}-{m.group(1)}"', svg)
    end = svg.index(">")
    label = f"{chart.title}. {chart.description}"
    return (
        f'{svg[:end]} role="img" aria-labelledby="{ident}-title">'
        f'<title id="{ident}-title">{_e(label)}</title>{svg[end + 1 :]}'
    )


def _figure_html(chart: _Chart, ident: str) -> str:
    return (
        f'<figure class="chart">{_svg_html(chart, ident)}'
        f"<figcaption>{_e(chart.description)}</figcaption></figure>"
    )


def _list_html(items: Sequence[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{_e(i)}</li>" for i in items) + "</ul>"


def _note_html(note: str) -> str:
    lines = "<br>".join(_e(line) for line in note.splitlines())
    return f'<blockquote class="note">{lines}</blockquote>'


def _covers_html(report: _Report) -> str:
    return (
        '<dl class="covers">'
        f"<dt>Period</dt><dd>{_e(_period(report))}</dd>"
        f"<dt>Shared</dt><dd>{_list_html(report.included)}</dd>"
        f"<dt>Not shared</dt><dd>{_list_html(report.excluded)}</dd>"
        "</dl>"
    )


_HOW_TO_READ = (
    "trustlab is a private workbook for rebuilding trust after a betrayal. The person "
    "works through five steps at their own pace and keeps a journal of small entries. "
    "This report was made from that journal, on their computer, and holds only what they "
    "chose to share.",
    "Charts are worded as the person sees them (“my beliefs”, “trusting myself”), and the "
    "short summaries are written to them (“you”). Counts are always given; a direction "
    "(a jar filling, a belief easing) is only named when the entries tell it clearly from "
    f"chance (an exact test at the {insights.CHANCE:.0%} level); otherwise the report "
    "says it is too early to tell.",
    "trustlab is a tool for self-reflection, not therapy. These figures are the person’s "
    "own view of their weeks, not a measurement or a diagnosis.",
)

_CSS = """
.trustlab-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",
Helvetica,Arial,sans-serif;color:#222;line-height:1.5;max-width:62rem;margin:0 auto;
padding:1.5rem 1.25rem 3rem;background:#fff}
.trustlab-report h1{font-size:1.9rem;margin:0 0 .25rem;color:#1f3d36}
.trustlab-report h2{font-size:1.4rem;margin:2.5rem 0 .5rem;padding-top:.75rem;
border-top:2px solid #d8e6e0;color:#1f3d36}
.trustlab-report h3{font-size:1.1rem;margin:1.5rem 0 .4rem;color:#333}
.trustlab-report .lede{color:#555;margin:0 0 1rem}
.trustlab-report .covers{display:grid;grid-template-columns:10rem 1fr;gap:.4rem 1rem;
background:#f3f8f6;border:1px solid #d8e6e0;border-radius:8px;padding:1rem 1.25rem;margin:0}
.trustlab-report .covers dt{font-weight:600}
.trustlab-report .covers dd{margin:0}
.trustlab-report .covers ul{margin:0;padding-left:1.1rem}
.trustlab-report .intro{max-width:48rem}
.trustlab-report .sentences li{margin:.2rem 0}
.trustlab-report .note{border-left:4px solid #e8964a;background:#fdf6ee;margin:0;
padding:.75rem 1rem;white-space:pre-wrap}
.trustlab-report figure{margin:1rem 0 1.5rem}
.trustlab-report figure svg{max-width:100%;height:auto;display:block}
.trustlab-report figcaption{color:#555;font-size:.9rem;max-width:48rem}
.trustlab-report .table-wrap{overflow-x:auto}
.trustlab-report table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.92rem}
.trustlab-report caption{text-align:left;font-weight:600;padding:.25rem 0}
.trustlab-report th,.trustlab-report td{border-bottom:1px solid #e3e3e3;padding:.3rem .6rem;
text-align:left;vertical-align:top}
.trustlab-report thead th{background:#f3f8f6;border-bottom:2px solid #c9dcd4}
.trustlab-report tbody th{font-weight:600;white-space:nowrap}
.trustlab-report .num{text-align:right;font-variant-numeric:tabular-nums}
.trustlab-report .words{white-space:pre-wrap;max-width:24rem}
.trustlab-report .table-note,.trustlab-report .empty{color:#555;font-style:italic}
.trustlab-report .brief{background:#f3f8f6;border:1px solid #d8e6e0;border-radius:8px;
padding:0 1.25rem .75rem;margin-top:1rem}
.trustlab-report .brief h2{border-top:0;margin-top:.75rem}
.trustlab-report .brief h3{font-size:1rem;margin:.6rem 0 .2rem}
.trustlab-report .brief ul{margin:.2rem 0;padding-left:1.2rem}
.trustlab-report .brief p,.trustlab-report .brief table{margin:.2rem 0}
.trustlab-report .brief .note{white-space:normal}
.trustlab-report .brief-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(20rem,1fr));
gap:0 1.5rem}
.trustlab-report .brief .moment{white-space:pre-wrap}
.trustlab-report details>summary{cursor:pointer;list-style-position:outside}
.trustlab-report details>summary h2{display:inline-block;border-top:0}
.trustlab-report footer{margin-top:3rem;color:#555;font-size:.9rem;
border-top:1px solid #ddd;padding-top:1rem}
@media print{.trustlab-report h2{break-before:auto}.trustlab-report figure{break-inside:avoid}}
"""

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)


def _section_blocks(report: _Report) -> list[tuple[str, str, str]]:
    """The report as (kind, heading level or '', HTML) blocks, shared by the page and notebook."""
    blocks: list[tuple[str, str, str]] = []
    for part in report.parts:
        s = part.section
        blocks.append(("heading", "2", s.heading))
        blocks.append(("html", "", f'<p class="intro">{_e(s.intro)}</p>'))
        if part.empty:
            blocks.append(
                ("html", "", '<p class="empty">Nothing was noted for this step in this period.</p>')
            )
            continue
        if part.sentences:
            blocks.append(("heading", "3", "In a few words"))
            blocks.append(("html", "", _list_html(part.sentences, "sentences")))
        if part.charts:
            blocks.append(("heading", "3", "Charts"))
            for i, chart in enumerate(part.charts, start=1):
                blocks.append(("chart", f"{s.key}-chart-{i}", chart.key))
        if part.tables:
            blocks.append(("heading", "3", "Figures"))
            for i, table in enumerate(part.tables, start=1):
                blocks.append(("html", "", _table_html(table, f"{s.key}-table-{i}")))
        if part.entries:
            blocks.append(("heading", "3", "In their words"))
            for i, table in enumerate(part.entries, start=1):
                blocks.append(("html", "", _table_html(table, f"{s.key}-entries-{i}")))
    return blocks


def _charts_by_key(report: _Report) -> dict[tuple[str, str], _Chart]:
    return {(p.section.key, c.key): c for p in report.parts for c in p.charts}


def _render_html(report: _Report) -> str:
    created = _long_date(report.created)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Trust journal: a shared report ({_e(_period(report))})</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        '<main class="trustlab-report">',
        "<header>",
        "<h1>Trust journal: a shared report</h1>",
        f'<p class="lede">Made with trustlab on {_e(created)} by the person who keeps this '
        "journal. They chose what goes in it; everything else stayed on their computer.</p>",
        "</header>",
    ]
    if report.brief is not None:
        out += [
            '<section aria-labelledby="brief" class="brief">',
            '<h2 id="brief">In brief</h2>',
            brief.html(report.brief),
            "</section>",
        ]
    out += [
        '<section aria-labelledby="covers">',
        '<h2 id="covers">What this report covers</h2>',
        _covers_html(report),
        "</section>",
    ]
    out += [
        '<section aria-labelledby="how">',
        '<h2 id="how">How to read this report</h2>',
        *(f"<p>{_e(p)}</p>" for p in _HOW_TO_READ),
        "</section>",
    ]
    if report.people.rows:
        out += [
            '<section aria-labelledby="people">',
            '<h2 id="people">The people in this report</h2>',
            _table_html(report.people, "people-table"),
            "</section>",
        ]
    by_key = _charts_by_key(report)
    section_open = False
    for kind, level, content in _section_blocks(report):
        if kind == "heading" and level == "2":
            if section_open:
                out.append("</details></section>")
            key = next(p.section.key for p in report.parts if p.section.heading == content)
            # Each step's detail folded under its heading (no JavaScript: <details>)
            out += [f'<section aria-labelledby="{key}"><details>',
                    f'<summary><h2 id="{key}">{_e(content)}</h2></summary>']
            section_open = True
        elif kind == "heading":
            out.append(f"<h{level}>{_e(content)}</h{level}>")
        elif kind == "chart":
            section = level.split("-chart-")[0]
            out.append(_figure_html(by_key[(section, content)], level))
        else:
            out.append(content)
    if section_open:
        out.append("</details></section>")
    out += [
        "<footer>",
        f"<p>Made with trustlab {_e(__version__)}, a self-reflection tool; it is not therapy. "
        "This page needs no internet and runs no code: it is safe to open offline and to "
        "print.</p>",
        "</footer>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def _render_notebook(report: _Report) -> str:
    import base64

    import nbformat

    cells: list[Any] = []

    def markdown(text: str, **meta: Any) -> None:
        cells.append(
            nbformat.v4.new_markdown_cell(text, id=f"cell-{len(cells) + 1}", metadata=meta)
        )

    def show(html_text: str, plain: str, extra: dict[str, Any] | None = None) -> None:
        cell = nbformat.v4.new_code_cell(
            "", id=f"cell-{len(cells) + 1}", metadata={"jupyter": {"source_hidden": True}}
        )
        data = {"text/html": html_text, "text/plain": plain, **(extra or {})}
        cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
        cells.append(cell)

    def show_chart(chart: _Chart, ident: str) -> None:
        cell = nbformat.v4.new_code_cell(
            "", id=f"cell-{len(cells) + 1}", metadata={"jupyter": {"source_hidden": True}}
        )
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={
                    "image/svg+xml": _svg_html(chart, ident),
                    "image/png": base64.b64encode(chart.png).decode("ascii"),
                    "text/plain": f"Chart: {chart.title}. {chart.description}",
                },
            ),
            nbformat.v4.new_output(
                "display_data",
                data={
                    "text/html": f"<p><small>{_e(chart.description)}</small></p>",
                    "text/plain": chart.description,
                },
            ),
        ]
        cells.append(cell)

    def coach_notes(about: str) -> None:
        # (the section each note is about, for `trustlab reply`; "report": the whole report)
        key = next((p.section.key for p in report.parts if p.section.heading == about),
                   "report")
        markdown(f"#### Coach's notes: {about}\n\n*The empty cell below is for your notes. "
                 "To send them back: `trustlab reply` with this folder (see the end).*")
        markdown("", tags=["coach-notes"], trustlab={"section": key})

    markdown(
        "# Trust journal: a shared report\n\n"
        f"Made with trustlab on {_long_date(report.created)} by the person who keeps this "
        "journal. They chose what goes in it; everything else stayed on their computer.\n\n"
        "*Nothing here needs to run: the notebook holds the report as it was shared, and "
        "there is no code in it. Running a cell would only clear the picture or table it "
        "holds (close without saving and reopen to get it back). Write your own notes in "
        "the empty cells under each “Coach's notes” heading.*"
    )
    if report.brief is not None:
        markdown("## In brief")
        show(brief.html(report.brief), brief.text(report.brief))
    markdown("## What this report covers")
    show(
        _covers_html(report),
        "\n".join(
            [
                f"Period: {_period(report)}",
                "Shared:",
                *(f"- {i}" for i in report.included),
                "Not shared:",
                *(f"- {x}" for x in report.excluded),
            ]
        ),
    )
    markdown("## How to read this report\n\n" + "\n\n".join(_HOW_TO_READ))
    if report.people.rows:
        markdown("## The people in this report")
        show(_table_html(report.people, "people-table"), _table_text(report.people))
    by_key = _charts_by_key(report)
    current = None
    for kind, level, content in _section_blocks(report):
        if kind == "heading" and level == "2":
            if current:
                coach_notes(current)
            current = content
            markdown(f"## {content}")
        elif kind == "heading":
            markdown(f"{'#' * int(level)} {content}")
        elif kind == "chart":
            chart = by_key[(level.split("-chart-")[0], content)]
            # No text/html here: JupyterLab prefers it, and strips SVG from the HTML of a
            # notebook it does not trust (any notebook from elsewhere), leaving a blank.
            # SVG is shown in a trusted notebook, the PNG in an untrusted one.
            show_chart(chart, level)
        else:
            show(content, _html_to_text(content))
    if current:
        coach_notes(current)
    coach_notes("overall")
    markdown(
        "*To send your notes back: save this notebook, then run "
        "`trustlab reply FOLDER` (FOLDER: the one this notebook is in). It writes "
        "`reply.json` there, with your notes only; send that file to the person, who "
        "brings it into their journal.*\n\n"
        "<small>Made with trustlab " + __version__ + ", a self-reflection tool; it is "
        "not therapy.</small>"
    )
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def _table_text(table: _Table) -> str:
    rows = [
        [c.label for c in table.columns],
        *(
            [_cell(v, c.kind) for c, v in zip(table.columns, row, strict=True)]
            for row in table.rows
        ),
    ]
    return "\n".join(" | ".join(r) for r in rows)


def _html_to_text(fragment: str) -> str:
    text = re.sub(r"<(?:br|/li|/tr|/p|/caption)>", "\n", fragment)
    text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(re.sub(r"[ \t]+", " ", text)).strip()


def _figures(report: _Report) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The report's tables of figures, by section and table, as report.json holds them."""
    return {
        part.section.key: {
            t.key: [
                {c.key: _json_value(v) for c, v in zip(t.columns, row, strict=True)}
                for row in t.rows
            ]
            for t in part.tables
            if t.figures
        }
        for part in report.parts
    }


def _render_json(report: _Report, files: list[str], hashes: dict[str, str]) -> str:
    """report.json: the brief, the figures, and each file's name; ``hashes`` holds the
    SHA-256 of each of the other files as written, so a later export can tell a file
    someone changed (a coach's notes in report.ipynb) from one it may replace."""
    figures = _figures(report)
    opts = report.opts
    data = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "id": report.ident,
        "made_with": f"trustlab {__version__}",
        "created": report.created.isoformat(),
        "period": {
            "since": (opts.since or report.first).isoformat()
            if (opts.since or report.first)
            else None,
            "until": (opts.until or report.last).isoformat()
            if (opts.until or report.last)
            else None,
        },
        "sections": list(opts.sections),
        "names": "real" if opts.real_names else "pseudonyms",
        "words_included": opts.include_text,
        "people": [
            {c.key: _json_value(v) for c, v in zip(report.people.columns, row, strict=True)}
            for row in report.people.rows
        ],
        "brief": report.brief.as_json() if report.brief else None,
        "figures": figures,
        "files": files,
        "sha256": hashes,
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def neutralise(value: str) -> str:
    """A spreadsheet cell that cannot run as a formula: ``'`` before a leading = + - @ tab CR.

    Plain numbers (``-3``, ``+2.5``) are left as they are.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _render_csv(table: _Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(c.label or c.key) for c in table.columns])
    for row in table.rows:
        writer.writerow([neutralise(_csv_value(v)) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


# --- the public API ----------------------------------------------------------------------


class Preview:
    """A report built in memory: exactly what :meth:`write` will put in a folder.

    Display it in a notebook to see the page (in a sandboxed frame, so nothing
    in it can run). ``html`` is report.html's text; ``files`` maps each file's
    name to its bytes; ``included`` and ``excluded`` say what was shared.
    """

    def __init__(self, report: _Report, journal_path: Path):
        self._journal_path = journal_path
        self._real_names = report.opts.real_names
        self._letters = dict(report.letters)
        self.included: list[str] = list(report.included)
        self.excluded: list[str] = list(report.excluded)
        self.period: str = _period(report)
        names = ["report.html", "report.ipynb", "report.json"]
        tables: dict[str, _Table] = {}
        if report.opts.csv:
            tables["csv/people.csv"] = report.people
            for part in report.parts:
                for t in [*part.tables, *part.entries]:
                    kind = "figures" if t.figures else "words"
                    tables[f"csv/{part.section.key}-{t.key}-{kind}.csv"] = t
            names += list(tables)
        self.html: str = _render_html(report)
        others = {
            "report.html": self.html.encode("utf-8"),
            "report.ipynb": _render_notebook(report).encode("utf-8"),
            **{name: _render_csv(t) for name, t in tables.items()},
        }
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in others.items()}
        self.files: dict[str, bytes] = {
            "report.html": others.pop("report.html"),
            "report.ipynb": others.pop("report.ipynb"),
            "report.json": _render_json(report, names, hashes).encode("utf-8"),
            **others,
        }

    def __repr__(self) -> str:
        return f"<Preview of a report: {self.period}; files: {', '.join(self.files)}>"

    def _repr_html_(self) -> str:
        page = self.html if self._real_names else _highlight_letters(self.html)
        return (
            '<iframe title="Preview of the report" sandbox="" '
            'style="width:100%;height:70vh;border:1px solid #ccc;border-radius:6px;'
            f'background:#fff" srcdoc="{html.escape(page, quote=True)}"></iframe>'
        )

    def write(self, out_dir: str | os.PathLike, *, replace: bool = False) -> ExportResult:
        """Write the report into folder ``out_dir`` (made if needed) and say what went in.

        The folder must be new or empty; one holding an earlier trustlab report is refused
        (:class:`ReportExists`) unless ``replace`` is true. Replacing never loses anyone's
        work: a file of the earlier report that was changed since it was written (a coach's
        notes in report.ipynb) is kept beside it under a new name, one the new report no
        longer has is removed only if unchanged, and files trustlab did not write are never
        touched. The folder may not be inside the journal folder or the sample journal, be
        a link, or hold a link where a report file (or the ``csv`` folder) goes: everything
        is checked before anything is written, and no file is ever opened through a link.
        """
        plan = _check_folder(Path(out_dir), self._journal_path, self.files, replace=replace)
        written = _write_report(plan, self.files)
        # For the next report's brief ("since the last report"); never into the sample.
        if not _inside(self._journal_path.resolve(), _SAMPLE.resolve()):
            kept = json.loads(self.files["report.json"])
            kept["letters"] = self._letters  # whose each letter is: for this journal only
            brief.keep(self._journal_path,
                       json.dumps(kept, ensure_ascii=False, indent=1).encode("utf-8"),
                       utc_stamp())
        return ExportResult(
            plan.folder, tuple(written), tuple(self.included), tuple(self.excluded), self.period,
            kept=tuple(plan.folder / new for _, new in plan.keep),
            left=tuple(plan.folder / name for name in plan.left),
        )


_LETTER = re.compile(r"\bPerson [A-Z]+\b")
_PREVIEW_NOTE = (
    '<p class="preview-note" style="background:#fff4d6;padding:.5rem .8rem;border-radius:6px">'
    "<b>Preview only.</b> Each <mark>highlighted</mark> letter stands where a name was: check "
    "them. A name trustlab does not know (someone not in your list of people) is not "
    "replaced: if you see one in your words, change that entry or leave your words out."
    "</p>"
)


def _highlight_letters(page: str) -> str:
    """``page`` (report.html) for the preview: every letter standing for a person marked
    (in the page's text, not inside its charts or tags), under a note saying why."""
    parts = re.split(r"(<svg\b.*?</svg>|<[^>]*>)", page, flags=re.DOTALL)
    marked = "".join(
        part if part.startswith("<") else _LETTER.sub(r"<mark>\g<0></mark>", part)
        for part in parts
    )
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _PREVIEW_NOTE, marked, count=1)


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export` wrote, and what the report includes and leaves out."""

    folder: Path
    files: tuple[Path, ...]
    included: tuple[str, ...]
    excluded: tuple[str, ...]
    period: str
    kept: tuple[Path, ...] = ()
    """Files of the earlier report that someone changed, kept under these new names."""
    left: tuple[Path, ...] = ()
    """Files of the earlier report the new one does not have, left because someone
    changed them."""

    @property
    def summary(self) -> str:
        lines = [
            f"Wrote {len(self.files)} files to {self.folder}:",
            *(f"  {p.relative_to(self.folder)}" for p in self.files),
            *(["Changed since the earlier report was written, so kept as:"] if self.kept
              else []),
            *(f"  {p.relative_to(self.folder)}" for p in self.kept),
            *(["Left as they are (changed since the earlier report was written):"]
              if self.left else []),
            *(f"  {p.relative_to(self.folder)}" for p in self.left),
            f"Period: {self.period}",
            "Shared:",
            *(f"  - {i}" for i in self.included),
            "Not shared:",
            *(f"  - {x}" for x in self.excluded),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary

    def _repr_html_(self) -> str:
        files = "".join(
            f"<li><code>{_e(p.name)}</code></li>" for p in self.files if p.parent == self.folder
        )
        return (
            f"<p>The report is in <code>{_e(self.folder)}</code>:</p><ul>{files}</ul>"
            "<p>Open <code>report.html</code> in a browser to see what your coach will "
            "see.</p>"
        )


def preview(
    journal: Journal,
    *,
    sections: Iterable[str] | str = ALL,
    since: datetime.date | str | None = None,
    until: datetime.date | str | None = None,
    include_text: bool = False,
    real_names: bool = False,
    note: str | None = None,
    csv: bool = False,
    moment: str | None = None,
) -> Preview:
    """Build a report in memory, to look at before anything is written.

    Parameters are those of :func:`export`.

    Returns
    -------
    Preview
        Shows the report in a notebook; ``.html`` is the exact page, and
        ``.write(folder)`` writes exactly these files.
    """
    opts = check_options(sections, since, until, include_text, real_names, note, csv, moment)
    return Preview(_build(journal, opts), journal.path)


def export(
    journal: Journal,
    out_dir: str | os.PathLike,
    *,
    sections: Iterable[str] | str = ALL,
    since: datetime.date | str | None = None,
    until: datetime.date | str | None = None,
    include_text: bool = False,
    real_names: bool = False,
    note: str | None = None,
    csv: bool = False,
    replace: bool = False,
    moment: str | None = None,
) -> ExportResult:
    """Write a report for a coach: report.html, report.ipynb and report.json in ``out_dir``.

    By default the report shares the least: every step's counts, scores and
    charts, people as "Person A", "Person B" ..., and nothing the person wrote.

    Parameters
    ----------
    journal
        The open journal (it is only read).
    out_dir
        A new or empty folder, or one holding an earlier report (only with
        ``replace``); never inside the journal folder, never a link, and holding
        no link where a report file goes.
    sections
        Which steps to share, from :data:`ALL` (a list, or names separated by commas).
    since, until
        Share only entries dated from ``since`` to ``until`` (dates or ``YYYY-MM-DD``).
    include_text
        Also share what the person wrote (notes, moments, beliefs' wording ...).
    real_names
        Show people's names instead of "Person A", "Person B" ...
    note
        A note from the person to the coach, shown near the top.
    csv
        Also write the report's tables as CSV files (in ``csv/``), with
        spreadsheet formulas neutralised.
    replace
        Replace an earlier report in ``out_dir`` (see :meth:`Preview.write`);
        without it, such a folder is refused.
    moment
        ``TABLE:ID``: one entry the person wants to talk about, shown (with its words)
        in the brief that opens the report.

    Returns
    -------
    ExportResult
        The files written and what the report includes and leaves out.

    Raises
    ------
    ExportError
        An option is not valid, or ``out_dir`` is not a place the report can go
        (:class:`ReportExists`: it holds a report and ``replace`` is false).
    """
    opts = check_options(sections, since, until, include_text, real_names, note, csv, moment)
    # A folder that cannot take a report is refused before the report is built;
    # write() checks again, with the report's own file names, before writing.
    names = ["report.html", "report.ipynb", "report.json", *(["csv/people.csv"] if csv else [])]
    _check_folder(Path(out_dir), journal.path, names, replace=replace)
    return Preview(_build(journal, opts), journal.path).write(out_dir, replace=replace)


# --- where a report may go ------------------------------------------------------------------

_SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_AT = bool(_NOFOLLOW and _DIRECTORY) and {os.open, os.mkdir, os.rename, os.unlink, os.rmdir} <= (
    os.supports_dir_fd
)
"""Whether files are made relative to folders held open (POSIX): then a link swapped in
after the checks is refused by the system too, not only by the checks."""

_CSV = "csv"
_REPORT_FILE = re.compile(r"report\.(?:html|ipynb|json)|csv/[\w-]+\.csv")
"""The only names a report's files have: an earlier report.json is trusted no further."""

_NOTHING = "Nothing was written."


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@dataclass(frozen=True)
class _Plan:
    """Where a checked report goes, and what an earlier report there leaves behind."""

    folder: Path
    stale: tuple[str, ...]
    """Files of an earlier report that the new one does not have, unchanged since they
    were written: removed after writing."""
    keep: tuple[tuple[str, str], ...] = ()
    """(file, new name): files of the earlier report that someone changed since they were
    written, and the new report would write over: moved aside first."""
    left: tuple[str, ...] = ()
    """Files of the earlier report the new one does not have, changed since: left alone."""


def _link_error(link: Path) -> ExportError:
    try:
        target = f" (to {os.readlink(link)})"
    except OSError:
        target = ""
    return ExportError(
        f"{link} is a link{target}. A report is never written through a link, so it "
        f"cannot land in your journal or over another file: remove the link, or choose "
        f"another folder. {_NOTHING}"
    )


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def _check_folder(
    out_dir: Path, journal_path: Path, names: Iterable[str] = (), *, replace: bool = False
) -> _Plan:
    """Check, before anything is written, that a report with files ``names`` may go in
    ``out_dir`` (replacing an earlier report there only if ``replace``); raise
    :class:`ExportError` saying why not."""
    given = out_dir.expanduser()
    if given.is_symlink():
        raise _link_error(given)
    # Resolved, so neither a link on the way nor ".." can lead into the journal.
    folder = given.resolve()
    journal = journal_path.expanduser().resolve()

    def refuse_inside(path: Path, shown: Path) -> None:
        if _inside(path, journal):
            raise ExportError(
                f"{shown} is inside the journal folder ({journal}). A report goes somewhere "
                f"else, so it never mixes with the journal: choose a folder outside it. {_NOTHING}"
            )
        if _inside(path, _SAMPLE.resolve()):
            raise ExportError(
                f"{shown} is inside trustlab's sample journal (data/sample). "
                f"Choose another folder for the report. {_NOTHING}"
            )

    refuse_inside(folder, out_dir)
    st = _lstat(folder)
    if st is None:
        return _Plan(folder, ())
    if not stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{out_dir} is a file, not a folder: choose a folder for the report.")
    names = list(names)
    previous = _earlier_report(folder)
    earlier = [n for n in (previous or {}).get("files", []) if isinstance(n, str)]
    earlier = [n for n in earlier if _REPORT_FILE.fullmatch(n)]
    # Every entry the report would write, or go into (also to remove an earlier
    # report's files): none may be a link, and the csv folder may not be the journal.
    subfolders = [_CSV] if any(n.startswith(f"{_CSV}/") for n in [*names, *earlier]) else []
    for name in [*subfolders, *names]:
        path = folder / name
        entry = _lstat(path)
        if entry is None:
            continue
        if stat.S_ISLNK(entry.st_mode):
            raise _link_error(path)
        if (name in subfolders) != stat.S_ISDIR(entry.st_mode):
            kind = "a folder" if stat.S_ISDIR(entry.st_mode) else "a file"
            raise ExportError(
                f"{path} is {kind}, where the report would put its {name}. "
                f"Move it away, or choose another folder. {_NOTHING}"
            )
        if name in subfolders:
            refuse_inside(path.resolve(), path)
    if any(folder.iterdir()) and previous is None:
        raise ExportError(
            f"{out_dir} already has files in it, and they are not a trustlab report. "
            "Choose a new or empty folder, so nothing else ends up next to the report."
        )
    if previous is None:
        return _Plan(folder, ())
    if not replace:
        made = str(previous.get("created", ""))[:10]
        raise ReportExists(
            f"{out_dir} already holds a trustlab report"
            f"{f' (made on {made})' if made else ''}. {_NOTHING} Choose a new folder, or "
            "replace that report: --replace on the command line, or tick 'Replace the "
            "report already in that folder' in the share form. Files someone changed or "
            "added there are kept."
        )
    hashes = previous.get("sha256")
    hashes = hashes if isinstance(hashes, dict) else {}

    def changed(name: str) -> bool:
        """Whether earlier report file ``name`` differs from what trustlab wrote (or
        trustlab cannot tell: an older report recorded no hashes)."""
        if name == "report.json":
            return False  # the earlier report's own index: always replaced
        digest = _digest(folder / name)
        return digest is not None and digest != hashes.get(name)

    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H%M%S")
    keep = []
    for name in names:
        if _lstat(folder / name) is not None and changed(name):
            stem, dot, suffix = name.rpartition(".")
            keep.append((name, f"{stem} (changed, kept {stamp}){dot}{suffix}"))
    gone = [n for n in dict.fromkeys(earlier) if n not in names]
    return _Plan(folder, tuple(n for n in gone if not changed(n)), tuple(keep),
                 tuple(n for n in gone if changed(n)))


def _digest(path: Path) -> str | None:
    """The SHA-256 of file ``path``, read without following a link (None: no such file)."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY), "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def _previous(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _earlier_report(folder: Path) -> dict | None:
    """The report.json of an earlier report in ``folder``, read without following a link."""
    path = folder / "report.json"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        with os.fdopen(os.open(path, os.O_RDONLY | _NOFOLLOW | _BINARY), "rb") as file:
            data = json.loads(file.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


class _Dir:
    """A folder the report is written into. Where the system allows, it is held open
    (opened without following a link) and every file is made relative to it."""

    def __init__(self, path: Path, parent: _Dir | None = None):
        self.path = path
        self.fd: int | None = None
        if not _AT:
            if path.is_symlink():
                raise _link_error(path)
            return
        flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
        try:
            if parent is None:
                self.fd = os.open(path, flags)
            else:
                self.fd = os.open(path.name, flags, dir_fd=parent.fd)
        except OSError as error:
            if path.is_symlink():  # swapped in since the checks
                raise _link_error(path) from error
            raise

    def _at(self, name: str) -> tuple[str, dict[str, int]]:
        if self.fd is None:
            return str(self.path / name), {}
        return name, {"dir_fd": self.fd}

    def create(self, name: str, data: bytes) -> str:
        """A new temporary file holding ``data`` (never an existing path): its name."""
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
        for _ in range(100):
            temp = f".{name}.{secrets.token_hex(6)}.tmp"
            target, at = self._at(temp)
            try:
                fd = os.open(target, flags, 0o600, **at)
            except FileExistsError:
                continue
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
            except BaseException:
                os.close(fd)
                self.unlink(temp)
                raise
            os.close(fd)
            return temp
        raise FileExistsError(f"{self.path}: could not make a temporary file")

    def replace(self, source: str, name: str) -> None:
        """Rename ``source`` to ``name``: a link or file at ``name`` is replaced, never
        followed or opened."""
        if self.fd is None:
            os.replace(self.path / source, self.path / name)
        else:
            os.replace(source, name, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def rename_new(self, name: str, new: str) -> None:
        """Rename ``name`` to ``new``, which must not exist yet (a hard link, then the old
        name removed: nothing is ever renamed over an existing file)."""
        (source, at), (target, at_new) = self._at(name), self._at(new)
        try:
            os.link(source, target, src_dir_fd=at.get("dir_fd"),
                    dst_dir_fd=at_new.get("dir_fd"), follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (a FAT memory stick): check, then rename
            with contextlib.suppress(FileNotFoundError):
                os.lstat(target, **at_new)
                raise FileExistsError(errno.EEXIST, "exists", new) from None
            os.rename(source, target, src_dir_fd=at.get("dir_fd"),
                      dst_dir_fd=at_new.get("dir_fd"))
            return
        os.unlink(source, **at)

    def mkdir(self, name: str) -> bool:
        target, at = self._at(name)
        try:
            os.mkdir(target, 0o700, **at)
        except FileExistsError:
            return False
        return True

    def unlink(self, name: str) -> None:
        target, at = self._at(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target, **at)

    def rmdir(self, name: str) -> None:
        target, at = self._at(name)
        with contextlib.suppress(OSError):  # not empty, or already gone
            os.rmdir(target, **at)

    def sync(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _write_report(plan: _Plan, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` into the checked folder, then remove the earlier report's leftovers.

    Every file goes to a new temporary file (created, never opened if it exists, never
    through a link) and is renamed into place only once all of them are written, so a
    failure while writing (a full disk, say) leaves the earlier report as it was.
    """
    folder = plan.folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    top = _Dir(folder)
    dirs = {"": top}
    made_csv = False
    temps: list[tuple[_Dir, str, str]] = []
    try:
        if any("/" in n for n in [*files, *plan.stale]):
            made_csv = top.mkdir(_CSV)
            dirs[_CSV] = _Dir(folder / _CSV, top)
        for name, data in files.items():
            sub, _, base = name.rpartition("/")
            temps.append((dirs[sub], dirs[sub].create(base, data), base))
        for name, new in plan.keep:  # someone's changes, moved aside (never replaced)
            sub, _, base = name.rpartition("/")
            dirs[sub].rename_new(base, new.rpartition("/")[2])
        while temps:
            where, temp, base = temps[0]
            where.replace(temp, base)
            temps.pop(0)
        for name in plan.stale:
            sub, _, base = name.rpartition("/")
            dirs[sub].unlink(base)
        for where in dirs.values():
            where.sync()
        if _CSV in dirs and not any(n.startswith(f"{_CSV}/") for n in files):
            dirs.pop(_CSV).close()
            top.rmdir(_CSV)  # only if empty: it may hold the person's own files
            top.sync()
    finally:
        # Only after a failure: the temporary files not renamed, and a csv folder
        # made for nothing.
        for where, temp, _ in temps:
            where.unlink(temp)
        if temps and made_csv:
            top.rmdir(_CSV)
        for where in dirs.values():
            where.close()
    return [folder / name for name in files]


# --- reading reports back (the coach's side) ------------------------------------------------


def read_reports(where: str | os.PathLike | Iterable[str | os.PathLike]) -> list[dict]:
    """The reports in a folder (or in its sub-folders), or in a list of folders, oldest first.

    Parameters
    ----------
    where
        A report folder, a folder of report folders, a report.json file, or a
        list of any of these.

    Returns
    -------
    list of dict
        Each report.json's content, with ``folder`` (the folder's name) and
        ``label`` (its period, for tables and charts), ordered by period.
    """
    places = [where] if isinstance(where, str | os.PathLike) else list(where)
    found: dict[Path, dict] = {}
    for place in places:
        path = Path(place).expanduser()
        if path.is_file():
            candidates = [path]
        elif (path / "report.json").is_file():
            candidates = [path / "report.json"]
        else:
            candidates = sorted(path.glob("*/report.json"))
        for file in candidates:
            data = _previous(file.parent)
            if data is not None:
                period = data.get("period")
                period = period if isinstance(period, dict) else {}
                found[file.resolve()] = {
                    **data,
                    "period": {
                        k: str(period[k]) if period.get(k) else None for k in ("since", "until")
                    },
                    "folder": file.parent.name,
                }
    reports = sorted(
        found.values(),
        key=lambda r: (
            r["period"]["until"] or "",
            r["period"]["since"] or "",
            str(r.get("created", "")),
            r["folder"],
        ),
    )
    labels: dict[str, int] = {}
    for report in reports:
        label = _period_label(report["period"]["since"], report["period"]["until"])
        labels[label] = labels.get(label, 0) + 1
        report["label"] = label if labels[label] == 1 else f"{label} ({labels[label]})"
    return reports


def _period_label(since: str | None, until: str | None) -> str:
    """``1 Jun 2026 – 30 Jun 2026`` from ISO dates (``…`` for one not known)."""

    def day(text: str | None) -> str:
        try:
            return _short_date(datetime.date.fromisoformat(str(text)))
        except ValueError:
            return "…"

    return f"{day(since)} – {day(until)}"


def _measures(figures: dict) -> list[tuple[str, str, str, float]]:
    """(group, measure, kind, value) for the main figures of one report.json."""
    out: list[tuple[str, str, str, float]] = []

    def add(group: str, measure: str, kind: str, value: Any) -> None:
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            out.append((group, measure, kind, float(value)))

    def records(section: str, table: str) -> list[dict]:
        found = figures.get(section, {})
        rows = found.get(table, []) if isinstance(found, dict) else []
        return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []

    for r in records("marbles", "jars"):
        add("Marble jars", f"{r.get('person')}: marbles in the jar", "number", r.get("marbles"))
    for r in records("self_trust", "red_flags"):
        who = "all red flags" if r.get("person") == "Everyone" else f"about {r.get('person')}"
        add("Self-trust", f"Red flags heeded, {who}", "share", r.get("rate"))
    for r in records("self_trust", "promises"):
        add("Self-trust", "Promises to themselves kept", "share", r.get("rate"))
    for r in records("beliefs", "beliefs"):
        add(
            "Beliefs",
            f"{r.get('label')}: how true before (average)",
            "number",
            r.get("mean_before"),
        )
        add("Beliefs", f"{r.get('label')}: how true after (average)", "number", r.get("mean_after"))
    origins = records("roots", "by_origin")
    for r in origins:
        add("Triggers", f"Triggers: {r.get('origin')}", "number", r.get("triggers"))
    counted = [(r.get("triggers"), r.get("mean_intensity")) for r in origins]
    counted = [
        (n, m)
        for n, m in counted
        if isinstance(n, int | float) and n and isinstance(m, int | float)
    ]
    if counted:
        total = sum(n for n, _ in counted)
        add(
            "Triggers",
            "Average intensity (0–10)",
            "number",
            round(sum(n * m for n, m in counted) / total, 1),
        )
    shown: dict[str, list[float]] = {}
    for r in records("qualities", "qualities_check"):
        yes, seen = r.get("yes"), r.get("observations")
        if isinstance(yes, int | float) and isinstance(seen, int | float):
            totals = shown.setdefault(str(r.get("person")), [0.0, 0.0])
            totals[0] += yes
            totals[1] += seen
    for person, (yes, seen) in shown.items():
        if seen:
            add(
                "Qualities", f"{person} showed my qualities (all observations)", "share", yes / seen
            )
    return out


def compare_reports(reports: Sequence[dict]) -> pd.DataFrame:
    """The main shared figures of several reports side by side, in long form.

    Parameters
    ----------
    reports
        From :func:`read_reports`, oldest first.

    Returns
    -------
    pandas.DataFrame
        One row per report and figure: ``order`` (0 for the oldest report),
        ``report`` (its label), ``until`` (the period's last day), ``group``
        ("Marble jars", "Self-trust", "Beliefs", "Triggers", "Qualities"),
        ``measure``, ``kind`` ("share", from 0 to 1, or "number") and
        ``value``. A figure is missing where a report did not share it.
    """
    columns = ["order", "report", "until", "group", "measure", "kind", "value"]
    rows = []
    for order, report in enumerate(reports):
        figures = report.get("figures")
        for group, measure, kind, value in _measures(figures if isinstance(figures, dict) else {}):
            rows.append(
                [order, report["label"], report["period"].get("until"), group, measure, kind, value]
            )
    frame = pd.DataFrame(rows, columns=columns)
    frame["until"] = pd.to_datetime(frame["until"], errors="coerce")
    return frame
