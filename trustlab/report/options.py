"""What a report may share, and the choices that say what this one shares.

:class:`ReportOptions` is the one place export choices are checked: the command line,
the form in 07 and Python all make one, and everything after reads its tidied fields.
This module imports nothing heavy, so ``trustlab export`` can check a mistyped option
before it reads the journal or loads the charts.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..schema import TABLES

FORMAT = "trustlab-report"
"""The ``format`` field of report.json."""

FORMAT_VERSION = 1

MAX_ROWS = 200
"""The most rows any table in a report lists: the latest entries of each kind (with words
included), or the busiest people, qualities and beliefs. Figures and charts still count
everything; a note under a cut table says how many it shows of how many."""

NOTHING = "Nothing was written."


class ExportError(ValueError):
    """An export option is not valid, or the report cannot go where it was asked to."""


class ReportExists(ExportError):
    """The folder already holds a trustlab report, and replacing it was not asked for."""


@dataclass(frozen=True)
class Section:
    """One of the five steps, as a report shares it."""

    key: str
    step: int
    title: str
    intro: str
    tables: tuple[str, ...]

    @property
    def heading(self) -> str:
        return f"Step {self.step} · {self.title}"


SECTIONS: dict[str, Section] = {
    s.key: s
    for s in (
        Section(
            "roots",
            1,
            "Roots of distrust",
            "Moments that set off distrust (triggers): where the wariness seems to come "
            "from, how strong it felt (0 to 10), and how much of what happened the person "
            "saw as theirs to own (0 to 100%). Seeing it as all or nothing is common early on.",
            ("triggers",),
        ),
        Section(
            "qualities",
            2,
            "Qualities that feel safe",
            "The qualities, values and needs that help the person feel safe with someone, "
            "and how often each person showed them.",
            ("qualities", "observations"),
        ),
        Section(
            "self_trust",
            3,
            "Trusting myself",
            "Red flags the person noticed and whether they acted on them (heeded) or "
            "explained them away (painted green), and promises they made to themselves "
            "and kept.",
            ("red_flags", "promises"),
        ),
        Section(
            "beliefs",
            4,
            "Challenging harsh beliefs",
            "Thought records: a harsh belief, how true it felt from 0 to 100 before "
            "looking at the evidence against it, and how true it felt afterwards.",
            ("beliefs",),
        ),
        Section(
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

SECTION_OF = {table: s.key for s in SECTIONS.values() for table in s.tables}
"""Each table a step shares -> that step's section."""

NEVER_SHARED = frozenset({"coach_notes"})
"""Tables a report never holds: what the coach wrote goes back to the person, not out again."""


@dataclass(frozen=True)
class ReportOptions:
    """What one report shares, checked and tidied once, when it is made.

    Parameters
    ----------
    sections
        Which steps to share, from :data:`ALL` (a list, or names separated by commas).
    since, until
        Share only entries dated from ``since`` to ``until`` (dates or ``YYYY-MM-DD``).
    include_text
        Also share what the person wrote (notes, moments, beliefs' wording ...).
    real_names
        Show people's names instead of "Person A", "Person B" ...
    note
        A note from the person to the coach, shown in the brief.
    csv
        Also write the report's tables as CSV files (in ``csv/``), formulas neutralised.
    moment
        ``TABLE:ID`` (or a ``(table, id)`` pair): one entry the person wants to talk
        about, shown with its words in the brief.

    Raises
    ------
    ExportError
        Naming the option, the value given and what is allowed.
    """

    sections: tuple[str, ...] = ALL
    since: datetime.date | None = None
    until: datetime.date | None = None
    include_text: bool = False
    real_names: bool = False
    note: str = ""
    csv: bool = False
    moment: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        tidy = object.__setattr__  # (frozen: each field is set once, here)
        tidy(self, "sections", _sections(self.sections))
        first, last = _date("since", self.since), _date("until", self.until)
        if first and last and first > last:
            raise ExportError(
                f"since={first.isoformat()} is after until={last.isoformat()}: "
                "the report would cover no days. Swap them, or leave one out."
            )
        tidy(self, "since", first)
        tidy(self, "until", last)
        tidy(self, "include_text", bool(self.include_text))
        tidy(self, "real_names", bool(self.real_names))
        tidy(self, "note", str(self.note or "").strip())
        tidy(self, "csv", bool(self.csv))
        tidy(self, "moment", _moment(self.moment))

    @classmethod
    def of(cls, options: ReportOptions | None = None, **fields: Any) -> ReportOptions:
        """``options`` as given, or made from ``fields`` (never both)."""
        if options is None:
            return cls(**fields)
        if fields:
            raise TypeError(f"give either options or {', '.join(fields)}, not both")
        if not isinstance(options, ReportOptions):
            raise TypeError(f"options must be ReportOptions, not {type(options).__name__}")
        return options

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ReportOptions:
        """Options from any mapping holding (some of) the fields, such as parsed
        command-line arguments (``vars(args)``); ``None`` means the default."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names and v is not None})

    def with_note(self, note: str) -> ReportOptions:
        return dataclasses.replace(self, note=note)


def _sections(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    chosen = [str(s).strip() for s in value if str(s).strip()]
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ExportError(
            f"There is no section called {', '.join(map(repr, unknown))}. "
            f"Choose from: {', '.join(ALL)} (separated by commas)."
        )
    if not chosen:
        raise ExportError(f"Choose at least one section to share, from: {', '.join(ALL)}.")
    return tuple(s for s in ALL if s in chosen)


def _date(name: str, value: datetime.date | str | None) -> datetime.date | None:
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


def _moment(value: str | tuple[str, str] | None) -> tuple[str, str] | None:
    if not value:
        return None
    if isinstance(value, tuple | list) and len(value) == 2:
        table, ident = (str(v).strip() for v in value)
    else:
        table, _, ident = str(value).strip().partition(":")
    allowed = [t for t in TABLES if t != "people" and t not in NEVER_SHARED]
    if table not in allowed or not ident.strip():
        raise ExportError(
            f"moment={value!r} is not an entry a report can share: give TABLE:ID, for "
            f"example marbles:L3f2a… (TABLE one of {', '.join(allowed)}; ID the entry's id)."
        )
    return (table, ident.strip())


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def short_date(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"
