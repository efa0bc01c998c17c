"""What the guided notebooks call, so their code cells stay a line or two.

``start()`` opens the journal the notebooks were started with (``$TRUSTLAB_JOURNAL``),
turns on offline charts, and says plainly which journal this is, labelling the
sample journal as sample data. ``section()`` puts a form, its live charts and
the list of entries to correct together. ``insights()`` shows plain-language
insights, escaped, with what stands out (``highlights()``) first.

Everything a notebook page shows of a journal stays live: each journal folder
has one :class:`~trustlab.forms.Page`, and every form, list, checklist and
rename panel on it redraws the page's charts, sentences, lists and evidence
bank once after it changes anything.
"""

from __future__ import annotations

import functools
import html
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets

from . import charts as _charts
from . import insights as _insights
from .errors import JournalError, Problem
from .forms import (
    EntryForm,
    EntryList,
    Live,
    ObservationChecklist,
    Page,
    RenamePanel,
    UndoPanel,
    accessible,
    entry_form,
)
from .journal import Journal, journal_path, open_journal
from .schema import TABLES

SAMPLE_MARKER = ".trustlab-sample"
"""A file in a journal folder that marks it as the sample journal (fictional data)."""

_NOTE = "padding:0.6rem 0.9rem;border-radius:6px;margin:0.3rem 0;max-width:48rem"

F = TypeVar("F", bound=Callable[..., Any])

_PAGES: dict[str, Page] = {}


def _needs_journal(func: F) -> F:
    """When the journal could not be opened, say so gently instead of failing."""

    @functools.wraps(func)
    def wrapper(journal: Journal | None, *args: Any, **kwargs: Any) -> Any:
        if journal is None:
            from IPython.display import HTML, display

            display(HTML(f'<div style="{_NOTE};background:#f4f4f4">This part will appear once '
                         "the journal opens (see the problems listed at the top).</div>"))
            return None
        return func(journal, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_sample(journal: Journal) -> bool:
    """Whether ``journal`` is a copy of the sample journal (fictional data)."""
    return (journal.path / SAMPLE_MARKER).exists()


def start() -> Journal | None:
    """Open the notebooks' journal, set up offline charts, and say which journal it is.

    Problems in the journal are shown as a table of what to fix (file, line,
    column) instead of a traceback, and ``None`` is returned.
    """
    from IPython.display import HTML, display

    _charts.enable_offline()
    try:
        journal = open_journal()
    except JournalError as error:
        display(HTML(
            f'<div style="{_NOTE};background:#fbeaea" role="alert"><b>trustlab could not open '
            f"your journal</b> at {html.escape(str(journal_path()))}: some files need fixing "
            "first. Nothing was changed. Each line below says which file, which line and "
            "what was expected.</div>"
        ))
        display(HTML(problems_table(error.problems)))
        return None
    display(HTML(banner(journal)))
    return journal


def banner(journal: Journal) -> str:
    """A short, escaped HTML note saying which journal the notebook is using."""
    where = html.escape(str(journal.path))
    if is_sample(journal):
        return (
            f'<div style="{_NOTE};background:#fff4d6" role="note"><b>Sample journal.</b> '
            "These entries belong to Robin, a fictional person, so you can see how trustlab "
            f"works. Anything you try here is saved in {where}, a copy that never mixes with "
            "your own journal.</div>"
        )
    total = sum(journal.counts().values())
    if total == 0:
        return (
            f'<div style="{_NOTE};background:#eef5f1" role="note">This is your journal, in '
            f"{where}. It is empty for now: everything you save here stays in that folder on "
            "this computer. To look around a fictional person's journal first, start trustlab "
            "with <code>make lab-sample</code>.</div>"
        )
    return (
        f'<div style="{_NOTE};background:#eef5f1" role="note">This is your journal, in '
        f"{where}: {total} {'entry' if total == 1 else 'entries'} so far. It stays on this "
        "computer.</div>"
    )


@_needs_journal
def counts(journal: Journal) -> None:
    """Show how many entries each part of the journal has, step by step, in plain words."""
    from IPython.display import HTML, display

    found = journal.counts()
    rows = "".join(
        f"<tr><td>{f'Step {table.step}' if table.step else 'Your coach'}</td>"
        f"<td>{html.escape(table.title)}</td>"
        f'<td style="text-align:right">{found[name]:,}</td></tr>'
        for name, table in sorted(TABLES.items(), key=lambda item: item[1].step or 99)
    )
    display(HTML(
        '<table style="max-width:28rem"><caption style="text-align:left">What your journal '
        "holds so far</caption><thead><tr><th>Step</th><th>Part</th>"
        f'<th style="text-align:right">Entries</th></tr></thead><tbody>{rows}</tbody></table>'
    ))


@_needs_journal
def problems(journal: Journal) -> None:
    """List what is worth a look in the journal (file, line, column), or say all is well."""
    from IPython.display import HTML, display

    if not journal.problems:
        display(HTML("<p>Everything in your journal looks fine.</p>"))
        return
    display(HTML("<p>A few things in your journal are worth a look. trustlab has not changed "
                 "anything; each line says which file, which line and what it expected:</p>"
                 + problems_table(journal.problems)))


def problems_table(problems: Sequence[Problem]) -> str:
    """The problems as an HTML table a person can read: where, and the whole message."""
    rows = []
    for p in problems:
        kind = "worth a look" if p.level == "warning" else "to fix"
        cells = [p.file, str(p.line) if p.line else "", p.column or "", kind,
                 p.message[:1].upper() + p.message[1:]]
        rows.append("<tr>" + "".join(f'<td style="text-align:left;white-space:normal">'
                                     f"{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f'<th style="text-align:left">{h}</th>'
                   for h in ("File", "Line", "Column", "", "What trustlab found"))
    return (f'<table style="max-width:60rem"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def page(journal: Journal) -> Page:
    """The live parts of the notebook page showing ``journal`` (one page per journal folder).

    Two journals opened on the same folder share a page: what one writes, the
    other's charts show.
    """
    return _PAGES.setdefault(os.path.realpath(journal.path), Page())


@_needs_journal
def insights(journal: Journal, *, step: int | None = None) -> None:
    """What the journal shows, in a few plain sentences (for one step, or all).

    What stands out comes first (see :func:`highlights`; for one step, among that
    step's sentences), and everything else trustlab noticed follows, folded. On a
    page with forms the sentences are said again after every change.
    """
    _show_live(journal, f"insights:{step}", lambda: _overview_html(journal, step=step))


@_needs_journal
def highlights(journal: Journal, *, limit: int = 5) -> None:
    """The few things that stand out most in the journal, each with why it was chosen."""
    _show_live(journal, "highlights",
               lambda: _highlights_html(_insights.highlights(journal, limit=limit)))


def _overview_html(journal: Journal, *, step: int | None = None) -> str:
    """What stands out first, then every sentence, folded (of one step, or of all).

    A step's page with nothing standing out shows its sentences as they are: they are
    what a person reads after each save there.
    """
    said, top = _insights.summary(journal, step=step)
    if top.empty and (step is not None or len(said) == 1):
        return _sentences_html(said)
    where = "" if step is None else " in this step"
    return (f"{_highlights_html(top)}<details><summary>Everything trustlab noticed{where} "
            f"({len(said):,})</summary>{_sentences_html(said)}</details>")


def _highlights_html(top: Any) -> str:
    if top.empty:
        return ("<p>Nothing stands out clearly yet. A direction shows here once there are "
                "enough entries to tell it from the ups and downs of ordinary weeks.</p>")
    items = "".join(
        f"<li>{html.escape(row.sentence)}<br><small style=\"color:#555\">Why this: "
        f"{html.escape(row.why)}</small></li>"
        for row in top.itertuples()
    )
    return (f'<p><b>What stands out</b></p><ul style="max-width:48rem;line-height:1.5">'
            f"{items}</ul>")


def _show_live(journal: Journal, key: str, make_html: Callable[[], str]) -> None:
    """Show HTML drawn from the journal: live on a page with forms, else once, as it is."""
    from IPython.display import HTML, display

    live_page = page(journal)
    if not live_page.editable:
        display(HTML(make_html()))
        return
    live = Live(lambda: HTML(make_html()))
    live_page.add(key, live)
    display(live.output)


@_needs_journal
def dashboard(journal: Journal) -> Any:
    """The main charts together (as an image whose alternative text is their title)."""
    return accessible(_charts.dashboard(journal))


@_needs_journal
def checklist(journal: Journal) -> ObservationChecklist:
    """The observation checklist, its heat map, and the observations to correct or delete.

    Returns the checklist; its ``edit_form`` and ``entries`` correct and delete.
    """
    from IPython.display import display

    live_page = page(journal)
    form = ObservationChecklist(journal, page=live_page)
    form.edit_form = EntryForm(journal, "observations", page=live_page, edit_only=True)
    form.entries = EntryList(form.edit_form)
    form.live = [Live(lambda: _charts.qualities_check(journal))]
    live_page.add("checklist", form, form.edit_form, form.entries, *form.live)
    display(widgets.VBox([
        form.widget, *(live.output for live in form.live),
        widgets.HTML("<b>Correct or delete</b> an observation: choose it, then Edit or "
                     "Delete."),
        form.entries.widget, form.edit_form.widget,
    ]))
    return form


@_needs_journal
def rename(journal: Journal) -> tuple[RenamePanel, RenamePanel]:
    """Rename a person, or a quality, in every entry that names them (two clicks)."""
    from IPython.display import display

    live_page = page(journal)
    panels = (RenamePanel(journal, "people", page=live_page),
              RenamePanel(journal, "qualities", page=live_page))
    live_page.add("rename", *panels)
    display(widgets.VBox([
        widgets.HTML("<b>Rename a person</b>"), panels[0].widget,
        widgets.HTML("<b>Rename a quality</b>"), panels[1].widget,
    ]))
    return panels


_STEP_SECTIONS = {1: "roots", 2: "qualities", 3: "self_trust", 4: "beliefs", 5: "marbles"}
"""Which part of a report each step is (what a coach's note is about)."""


@_needs_journal
def coach_notes(journal: Journal, *, step: int) -> None:
    """Show what the coach wrote back about step ``step`` (nothing when they wrote nothing),
    attributed and apart from the person's own entries; their words escaped."""
    from IPython.display import HTML, display

    html_text = coach_notes_html(journal, step=step)
    if html_text:
        display(HTML(html_text))


def coach_notes_html(journal: Journal, *, step: int) -> str:
    """The coach's notes about step ``step`` as HTML ("" when there are none)."""
    notes = journal.table("coach_notes")
    notes = notes[notes["section"] == _STEP_SECTIONS[step]].sort_values("date", kind="stable")
    if notes.empty:
        return ""
    items = "".join(
        f"<li><b>{row.date:%d %b %Y}</b>: "
        f'<span style="white-space:pre-wrap">{html.escape(row.note)}</span></li>'
        for row in notes.itertuples()
    )
    return (f'<div style="{_NOTE};background:#eef1fb;border-left:4px solid #5a6fd6" '
            'role="note"><b>From your coach</b>, about this step (brought in from their reply '
            f'to a report you shared):<ul style="margin:.3rem 0">{items}</ul></div>')


@_needs_journal
def undo(journal: Journal) -> None:
    """Show the versions trustlab kept before each change, and a way to put one back."""
    from IPython.display import display

    display(UndoPanel(journal).widget)


def say(lines: Sequence[str]) -> None:
    """Show plain-language insights as a list; journal text in them is escaped."""
    from IPython.display import HTML, display

    display(HTML(_sentences_html(lines)))


def _sentences_html(lines: Sequence[str]) -> str:
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    return f'<ul style="max-width:48rem;line-height:1.5">{items}</ul>'


@_needs_journal
def section(
    journal: Journal,
    table: str,
    *,
    charts: Sequence[Callable[[Journal], Any]] = (),
    entries: bool = True,
    **options: Any,
) -> EntryForm:
    """Show the form for ``table``, its charts and its entries, all live on the page.

    Returns the form, so a notebook (or a test) can fill it.
    """
    from IPython.display import display

    live_page = page(journal)
    form = entry_form(journal, table, page=live_page, **options)
    parts: list[Any] = [form.widget]
    form.live = [Live(lambda make=make: make(journal)) for make in charts]
    parts += [live.output for live in form.live]
    form.entries = None
    if entries:
        form.entries = EntryList(form)
        title = TABLES[table].title
        parts += [widgets.HTML(f"<b>Correct or delete</b> an entry in "
                               f"“{html.escape(title)}”: choose it, then Edit or Delete."),
                  form.entries.widget]
    live_page.add(f"section:{table}", form, *form.live, *filter(None, [form.entries]))
    display(widgets.VBox(parts))
    return form


def copy_sample(target: Path) -> Path:
    """A fresh copy of the sample journal in ``target``, marked as sample data."""
    from .sample import write_sample

    if target.exists():
        shutil.rmtree(target)
    write_sample(target)
    (target / SAMPLE_MARKER).write_text(
        "This folder is a copy of trustlab's sample journal: a fictional person's entries.\n",
        "utf-8",
    )
    return target


@_needs_journal
def evidence_bank(journal: Journal) -> None:
    """Show the evidence and "it's possible…" statements gathered so far, newest first.

    On a page with forms it is shown again after every change.
    """
    _show_live(journal, "evidence_bank", lambda: _evidence_html(journal))


def _evidence_html(journal: Journal) -> str:
    beliefs = journal.table("beliefs").sort_values("date", ascending=False, kind="stable")
    items = []
    for _, row in beliefs.iterrows():
        parts = [f"<i>{html.escape(text)}</i>" for text in (row["possible"], row["evidence"])
                 if text.strip()]
        if parts:
            day = row["date"].strftime("%d %b %Y")
            items.append(f"<li><b>{day}</b>: {' — '.join(parts)}</li>")
    if not items:
        return ("<p>Your evidence bank is empty for now. Each thought record you save "
                "with evidence or an \u201cit's possible\u201d statement adds to it.</p>")
    return f'<ul style="max-width:48rem;line-height:1.5">{"".join(items)}</ul>'
