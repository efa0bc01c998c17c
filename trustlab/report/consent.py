"""Consent and pseudonyms: the only view of the journal a report is ever made from.

Consent is enforced once, where the data enter: a *shared view* of the journal (the tables
cut to the chosen steps and dates, people renamed, words removed) is the only thing the
charts, insights and tables of a report ever read. Which columns are names and which are
free text comes from :mod:`trustlab.schema`, so a new text column is kept out of reports
without a change here.

With names hidden, every mention of a known person in the words a report shares becomes
their letter (:class:`Mentions`): the full name or any part of it, in any case, with any
apostrophe, possessives and punctuation around it kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import insights
from ..journal import Journal
from ..schema import TABLES, Table
from .options import MAX_ROWS, NEVER_SHARED, SECTION_OF, SECTIONS, ReportOptions, long_date


def is_name(table: Table, column: str) -> bool:
    col = table.column(column)
    return col.refers_to == "people" or (table.name == "people" and column == "person")


def is_quality(table: Table, column: str) -> bool:
    col = table.column(column)
    return col.refers_to == "qualities" or (table.name == "qualities" and column == "quality")


FREE_TEXT: dict[str, tuple[str, ...]] = {
    t.name: tuple(c.name for c in t.columns if c.kind == "text" and not is_name(t, c.name))
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


MAX_NAMED = 3
"""A name form that fits more people than this is replaced by "someone"."""
_APOSTROPHES = "'\u2019\u02bc`"
"""Ways an apostrophe is typed (O'Brien, O\u2019Brien ...): all read as one."""


def mention_key(text: str) -> str:
    """A mention as compared: any letter case, any apostrophe, spaces collapsed."""
    for mark in _APOSTROPHES[1:]:
        text = text.replace(mark, "'")
    return " ".join(text.split()).casefold()


def name_forms(name: str) -> set[str]:
    """The ways words may name ``name``: in full, and each part of it (first name, surname)
    of two characters or more with a letter in it (in "Room 101" or "Sam 2", the number
    alone names no one: "I waited 2 hours" keeps its 2), as :func:`mention_key` compares
    them."""
    parts = [p.strip(".,;:()[]\"") for p in name.split()]
    return {mention_key(name), *(mention_key(p) for p in parts
                                 if len(p) >= 2 and any(c.isalpha() for c in p))}


class Mentions:
    """Finds every mention of a known person in words, without one giant pattern.

    ``forms`` maps each way a name may be written (see :func:`name_forms`, compared as
    :func:`mention_key` compares) to the people it may be. Words are cut into runs of
    letters and digits (an apostrophe inside a word kept: O'Brien); a mention is the longest
    run of up to as many words as the longest form whose text (from its first word to its
    last) is a form, or is one with a possessive ('s) after it. Finding them costs a few
    dictionary look-ups a word, whatever the number of people, and words sharing no word
    with any name are passed over at once.
    """

    _WORD = re.compile(rf"\w+(?:[{_APOSTROPHES}]\w+)*")
    _PART = re.compile(r"\w+")

    def __init__(self, forms: dict[str, list[str]]):
        self.forms = {form: who for form, who in forms.items() if form}
        self.longest = max((len(self._WORD.findall(f)) for f in self.forms), default=0)
        self.parts = frozenset(p for f in self.forms for p in self._PART.findall(f))

    def may_mention(self, text: str) -> bool:
        """Whether ``text`` has any word in common with a name (a quick first look)."""
        return bool(self.forms) and not self.parts.isdisjoint(
            self._PART.findall(text.casefold()))

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, form) of each mention in ``text``, in order, not overlapping."""
        if not self.may_mention(text):
            return []
        words = [(m.start(), m.end()) for m in self._WORD.finditer(text)]
        found, i = [], 0
        while i < len(words):
            start, hit = words[i][0], None
            for length in range(min(self.longest, len(words) - i), 0, -1):
                end = words[i + length - 1][1]
                hit = self._form(text, start, end)
                if hit is not None:
                    found.append((start, hit[0], hit[1]))
                    i += length
                    break
            if hit is None:
                i += 1
        return found

    def _form(self, text: str, start: int, end: int) -> tuple[int, str] | None:
        key = mention_key(text[start:end])
        if key in self.forms:
            return end, key
        if key.endswith("'s"):  # a possessive: the name is what comes before it
            key = key[:-2]
            if key in self.forms:
                return end - 2, key
        return None

    def people(self, text: str) -> set[str]:
        """Everyone ``text`` may mention."""
        return {p for _, _, form in self.find(text) for p in self.forms[form]}


@dataclass
class Naming:
    """How names, qualities and beliefs appear in a report."""

    people: dict[str, str]
    """A name as a person column holds it (stripped) -> how the report shows it."""
    qualities: dict[str, str]
    found: Mentions | None
    """Finds every way the report's words may name a known person (None: names shown)."""
    mentions: dict[str, str] = field(default_factory=dict)
    """A name form (see :class:`Mentions`) -> what replaces it."""
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
        if self.found is None or not text:
            return text
        out, at = [], 0
        for start, end, form in self.found.find(text):
            out += [text[at:start], self.mentions[form]]
            at = end
        return "".join([*out, text[at:]]) if out else text

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


def _shared_words(frames: dict[str, pd.DataFrame], opts: ReportOptions, who: set[str]) -> list[str]:
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


def naming_for(journal: Journal, opts: ReportOptions, frames: dict[str, pd.DataFrame]) -> Naming:
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
        for form in name_forms(person):
            forms.setdefault(form, []).append(person)
    found = None if opts.real_names else Mentions(forms)
    if found is not None:
        # Whoever the shared words mention is in the report too (and their note, if words
        # are shared, may mention someone else): until no one new is found.
        seen: set[str] = set()
        while True:
            texts = [t for t in _shared_words(frames, opts, present) if t not in seen]
            seen.update(texts)
            named = set().union(*map(found.people, texts))
            if named <= present:
                break
            present |= named
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
    naming = Naming(people, qualities, found, mentions, present)
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


def filtered(journal: Journal, opts: ReportOptions) -> dict[str, pd.DataFrame]:
    """Each table with only the chosen sections' and dates' rows (nothing else changed)."""
    frames: dict[str, pd.DataFrame] = {}
    for name in TABLES:
        frame = journal.table(name)
        section = SECTION_OF.get(name)
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


def shared_view(frames: dict[str, pd.DataFrame], opts: ReportOptions, naming: Naming
                 ) -> SharedJournal:
    tables: dict[str, pd.DataFrame] = {}
    for name, table in TABLES.items():
        frame = frames[name]
        columns = {"id": _blank(frame["id"])} if "id" in frame.columns else {}
        for column in table.column_names:
            values = frame[column]
            if is_name(table, column):
                columns[column] = _map_values(values, naming.person)
            elif is_quality(table, column):
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



def consent_lists(opts: ReportOptions, *, named: bool) -> tuple[list[str], list[str]]:
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
            f"the latest {MAX_ROWS:,} entries of each kind."
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
        excluded.append(f"Entries before {long_date(opts.since)}.")
    if opts.until:
        excluded.append(f"Entries after {long_date(opts.until)}.")
    excluded.append("Where the journal is kept, and anything in it not listed above.")
    return included, excluded
