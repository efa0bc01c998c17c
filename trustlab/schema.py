"""The journal's data contract: its tables, declared once.

Validation, the forms, the charts, the sentences, the export and data/README.md all read
these declarations, so a new column, or a new value of a choice (with its label and
colour), is added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["text", "date", "int", "choice"]


def plain(value: str) -> str:
    """A stored value in plain words: ``painted_green`` is "painted green"."""
    return value.replace("_", " ")


@dataclass(frozen=True)
class Choice:
    """One value a choice column may hold, and how trustlab shows it.

    ``value`` is what the file holds; ``label`` what the forms, charts and reports show;
    ``colour`` the colour of its bars where a chart colours by this column; ``words``
    how a sentence names it ("… seem to come from *a past relationship*"), if not by
    its label; ``heading`` how a report's table (or a tooltip) heads a count of it, if
    not by its label ("Not shown" for ``no``).
    """

    value: str
    label: str
    colour: str | None = None
    words: str | None = None
    heading: str | None = None


def _plain_choices(*values: str) -> tuple[Choice, ...]:
    """Choices shown as they are stored, with spaces for underscores."""
    return tuple(Choice(v, plain(v)) for v in values)


BRAVING_CHOICES = (
    Choice("boundaries", "Boundaries", words="respect for boundaries"),
    Choice("reliability", "Reliability", words="reliability"),
    Choice("accountability", "Accountability", words="accountability"),
    Choice("vault", "Vault", words="the vault (keeping what you share private)"),
    Choice("integrity", "Integrity", words="integrity"),
    Choice("non_judgment", "Non-judgment", words="non-judgment"),
    Choice("generosity", "Generosity", words="generosity"),
)
"""The seven elements of trust (BRAVING), as a marble's ``braving`` may name them."""

BRAVING = tuple(c.value for c in BRAVING_CHOICES)

_ORIGINS = (
    Choice("childhood", "Childhood", "#8e6bb8", "childhood"),
    Choice("past_relationship", "A past relationship", "#5ba3c9", "a past relationship"),
    Choice(
        "current_relationship", "The current relationship", "#e8964a", "the current relationship"
    ),
    Choice("other", "Other", "#b9b2a8", "somewhere else"),
)
"""Where a trigger's wariness seems to come from."""

ALL_OR_NOTHING = (10, 90)
"""An all-or-nothing blame balance: a trigger's ``my_share`` at or below the first number
(none of it mine) or at or above the second (all of it mine)."""


@dataclass(frozen=True)
class Column:
    """One column of a journal table.

    ``required`` means an empty cell is an error. Dates are always required;
    numbers and choices are required unless ``optional`` is set (an empty
    ``after`` or an empty ``kept``). Text is optional unless ``required``.
    A choice column's values, labels and colours are its ``options``.
    """

    name: str
    kind: Kind
    label: str
    help: str = ""
    required: bool = False
    unique: bool = False
    options: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    nonzero: bool = False
    optional: bool = False
    refers_to: str | None = None
    long_text: bool = False

    @property
    def choices(self) -> tuple[str, ...]:
        """The values a choice column may hold, in order."""
        return tuple(c.value for c in self.options)

    def option(self, value: str) -> Choice | None:
        """The choice ``value``, or None if this column has no such choice."""
        for choice in self.options:
            if choice.value == value:
                return choice
        return None

    def label_of(self, value: str) -> str:
        """What the forms, charts and reports show for ``value`` (in plain words if unknown)."""
        choice = self.option(value)
        return choice.label if choice else plain(value)

    def words_of(self, value: str) -> str:
        """How a sentence names ``value``: its words, or else its label."""
        choice = self.option(value)
        return (choice.words or choice.label) if choice else plain(value)

    def heading_of(self, value: str) -> str:
        """How a count of ``value`` is headed: its heading, or else its label, capitalised."""
        choice = self.option(value)
        if choice and choice.heading:
            return choice.heading
        label = self.label_of(value)
        return label[:1].upper() + label[1:]

    @property
    def may_be_empty(self) -> bool:
        if self.kind == "date":
            return False
        if self.kind == "text":
            return not self.required
        return self.optional

    def expected(self) -> str:
        """What a valid value looks like, in words, for error messages."""
        if self.kind == "date":
            return "a date written YYYY-MM-DD, for example 2024-03-01"
        if self.kind == "int":
            text = f"a whole number from {self.minimum} to {self.maximum}"
            if self.nonzero:
                text += ", not 0"
            if self.optional:
                text += ", or empty"
            return text
        if self.kind == "choice":
            text = "one of: " + ", ".join(self.choices)
            if self.optional:
                text += ", or empty"
            return text
        return "some text" if self.required else "any text"


@dataclass(frozen=True)
class Table:
    """One journal table: a CSV file named ``<name>.csv``."""

    name: str
    step: int
    title: str
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


ID = "id"
"""The column trustlab adds to every entry it stores; hand-made files may omit it."""


COACH_SECTIONS = ("report", "roots", "qualities", "self_trust", "beliefs", "marbles")
"""What a coach's note can be about: the whole report, or one of its five steps."""


def make_id(bits: int) -> str:
    """An entry id from 60 random bits: ``e`` and 15 hex digits.

    The leading letter keeps spreadsheets from reading an id as a number
    (``1234e567`` would otherwise become 1.234E+570).
    """
    return f"e{bits & (2**60 - 1):015x}"


def _date() -> Column:
    return Column("date", "date", "Date", "The day it happened.")


def _person(required: bool = False) -> Column:
    return Column(
        "person",
        "text",
        "Person",
        "Who this is about, as named in people.csv.",
        required=required,
        refers_to="people",
    )


def _note(label: str = "Note", help: str = "Anything you want to remember.") -> Column:
    return Column("note", "text", label, help, long_text=True)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "people",
            2,
            "People",
            "The people in your life, past and present, whose trust you are weighing.",
            (
                Column(
                    "person", "text", "Name", "A name or nickname.", required=True, unique=True
                ),
                Column(
                    "relationship",
                    "choice",
                    "Relationship",
                    "How they are related to you.",
                    options=_plain_choices(
                        "partner", "ex_partner", "friend", "family", "colleague", "other"
                    ),
                ),
                Column(
                    "era",
                    "choice",
                    "Present or past",
                    "Are they in your life now, or in the past?",
                    options=_plain_choices("present", "past"),
                ),
                _note(),
            ),
        ),
        Table(
            "qualities",
            2,
            "My qualities",
            "The qualities, values and needs that make you feel safe with someone.",
            (
                Column(
                    "quality",
                    "text",
                    "Quality",
                    "A quality you need, for example reliability.",
                    required=True,
                    unique=True,
                    refers_to=None,
                ),
                Column(
                    "why", "text", "Why it matters", "Why it matters to you.", long_text=True
                ),
                Column(
                    "importance",
                    "int",
                    "Importance",
                    "How much it matters, from 1 (a little) to 5 (a great deal).",
                    minimum=1,
                    maximum=5,
                ),
            ),
        ),
        Table(
            "observations",
            2,
            "Observations",
            "Whether a person showed one of your qualities on a given day.",
            (
                _date(),
                _person(),
                Column(
                    "quality",
                    "text",
                    "Quality",
                    "One of your qualities, as named in qualities.csv.",
                    refers_to="qualities",
                ),
                Column(
                    "shown",
                    "choice",
                    "Shown?",
                    "Did they show this quality?",
                    options=(
                        Choice("yes", "yes", heading="Shown"),
                        Choice("no", "no", heading="Not shown"),
                        Choice("unsure", "unsure", heading="Not sure"),
                    ),
                ),
                _note(),
            ),
        ),
        Table(
            "triggers",
            1,
            "Triggers",
            "Moments that set off distrust, where the feeling comes from, and the blame balance.",
            (
                _date(),
                Column(
                    "situation",
                    "text",
                    "Situation",
                    "What happened, in a few words.",
                    required=True,
                    long_text=True,
                ),
                Column(
                    "origin",
                    "choice",
                    "Where it comes from",
                    "Where this wariness seems to come from.",
                    options=_ORIGINS,
                ),
                Column(
                    "intensity",
                    "int",
                    "Intensity",
                    "How strong the feeling was, from 0 (none) to 10 (overwhelming).",
                    minimum=0,
                    maximum=10,
                ),
                Column(
                    "my_share",
                    "int",
                    "My share",
                    "The percent of what happened that is yours to own, from 0 to 100.",
                    minimum=0,
                    maximum=100,
                ),
                Column(
                    "mine_to_own",
                    "text",
                    "Mine to own",
                    "The part that is truly yours.",
                    long_text=True,
                ),
                Column(
                    "not_mine",
                    "text",
                    "Not mine",
                    "The part that is not yours to carry.",
                    long_text=True,
                ),
            ),
        ),
        Table(
            "red_flags",
            3,
            "Red flags",
            "Warning signs you noticed, and whether you heeded them.",
            (
                _date(),
                _person(),
                Column(
                    "flag", "text", "Red flag", "What you noticed.", required=True, long_text=True
                ),
                Column(
                    "response",
                    "choice",
                    "What I did",
                    "heeded: you acted on it; painted green: you explained it away; "
                    "watching: you are keeping an eye on it.",
                    options=(
                        Choice("heeded", "heeded"),
                        Choice(
                            "painted_green",
                            "painted green",
                            heading="Painted green (explained away)",
                        ),
                        Choice("watching", "watching"),
                    ),
                ),
                _note(),
            ),
        ),
        Table(
            "promises",
            3,
            "Promises to myself",
            "Promises you make to yourself, and whether you kept them.",
            (
                _date(),
                Column(
                    "promise",
                    "text",
                    "Promise",
                    "What you promise yourself.",
                    required=True,
                    long_text=True,
                ),
                Column(
                    "kept",
                    "choice",
                    "Kept?",
                    "yes, partly or no; (none) while the promise is still open.",
                    options=(
                        Choice("yes", "yes", heading="Kept"),
                        Choice("partly", "partly"),
                        Choice("no", "no", heading="Not kept"),
                    ),
                    optional=True,
                ),
            ),
        ),
        Table(
            "beliefs",
            4,
            "Thought records",
            "A harmful belief, how true it feels, and how true it feels after looking at it.",
            (
                _date(),
                Column(
                    "belief",
                    "text",
                    "Belief",
                    "The belief, for example: I'm not loveable.",
                    required=True,
                    long_text=True,
                ),
                Column(
                    "before",
                    "int",
                    "How true it feels (before)",
                    "From 0 (not at all) to 100 (completely).",
                    minimum=0,
                    maximum=100,
                ),
                Column(
                    "opposite", "text", "The opposite thought", "The opposite of the belief.",
                    long_text=True,
                ),
                Column(
                    "evidence",
                    "text",
                    "Evidence for the opposite",
                    "Anything that supports the opposite thought.",
                    long_text=True,
                ),
                Column(
                    "possible",
                    "text",
                    "It's possible that…",
                    "A gentler statement you can believe today.",
                    long_text=True,
                ),
                Column(
                    "after",
                    "int",
                    "How true it feels (after)",
                    "From 0 to 100; leave empty if you are not sure yet.",
                    minimum=0,
                    maximum=100,
                    optional=True,
                ),
            ),
        ),
        Table(
            "steps",
            5,
            "Small steps",
            "Small things you gave or asked for, and how the person responded.",
            (
                _date(),
                _person(required=True),
                Column(
                    "kind",
                    "choice",
                    "Gave or asked",
                    "Did you give something, or ask for something?",
                    options=_plain_choices("gave", "asked"),
                ),
                Column(
                    "step",
                    "text",
                    "The step",
                    "What you gave or asked for.",
                    required=True,
                    long_text=True,
                ),
                Column(
                    "response",
                    "choice",
                    "Their response",
                    "How they responded; Waiting (pending) if you have no answer yet.",
                    options=(
                        Choice("warm", "Warm", "#e07b39"),
                        Choice("neutral", "Neutral", "#c9c3b8"),
                        Choice("cold", "Cold", "#5b8db8"),
                        Choice("pending", "Waiting", "#ece8e1", heading="Still waiting"),
                    ),
                ),
                _note(),
            ),
        ),
        Table(
            "marbles",
            5,
            "Marble jar",
            "Marbles in and out of each person's jar: small moments of trust earned or lost.",
            (
                _date(),
                _person(required=True),
                Column(
                    "marbles",
                    "int",
                    "Marbles",
                    "From -5 to 5: add marbles when they show up, take some out after a let-down.",
                    minimum=-5,
                    maximum=5,
                    nonzero=True,
                ),
                Column("moment", "text", "The moment", "What happened.", long_text=True),
                Column(
                    "braving",
                    "choice",
                    "BRAVING element",
                    "Which element of trust this moment showed, if any.",
                    options=BRAVING_CHOICES,
                    optional=True,
                ),
            ),
        ),
        Table(
            "coach_notes",
            0,
            "Notes from your coach",
            "What your coach wrote back on a report you shared, brought in with "
            "`trustlab import-reply` (never shared in a report).",
            (
                Column("date", "date", "Date", "The day your coach wrote it."),
                Column("report", "text", "Report", "Which report it answers (its id).",
                       required=True),
                Column(
                    "section",
                    "choice",
                    "About",
                    "Which step of the report it is about, or the report as a whole.",
                    options=_plain_choices(*COACH_SECTIONS),
                ),
                Column("note", "text", "Note", "What your coach wrote.", required=True,
                       long_text=True),
            ),
        ),
    )
}
"""Every journal table by name: the five steps' files, then the coach's notes."""


def get_table(name: str) -> Table:
    """Return the declaration of table ``name``, or raise a clear ``KeyError``."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(
            f"There is no journal table called {name!r}. "
            f"The tables are: {', '.join(TABLES)}."
        ) from None
