"""What the guided notebooks call, so their code cells stay a line or two.

``start()`` opens the journal the notebooks were started with (``$TRUSTLAB_JOURNAL``),
turns on offline charts, and says plainly which journal this is, labelling the
sample journal as sample data. ``section()`` puts a form, its live charts and
the list of entries to correct together. ``say()`` shows plain-language
insights, escaped.
"""

from __future__ import annotations

import functools
import html
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets

from . import charts as _charts
from . import insights as _insights
from .errors import JournalError, problems_frame
from .forms import (
    EntryForm,
    EntryList,
    LiveChart,
    ObservationChecklist,
    UndoPanel,
    entry_form,
)
from .journal import Journal, journal_path, open_journal
from .schema import TABLES

SAMPLE_MARKER = ".trustlab-sample"
"""A file in a journal folder that marks it as the sample journal (fictional data)."""

_NOTE = "padding:0.6rem 0.9rem;border-radius:6px;margin:0.3rem 0;max-width:48rem"

F = TypeVar("F", bound=Callable[..., Any])


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
        display(error.table())
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
        f"{where}: {total} entries so far. It stays on this computer.</div>"
    )


@_needs_journal
def counts(journal: Journal) -> dict[str, int]:
    """How many entries each table of the journal has."""
    return journal.counts()


@_needs_journal
def problems(journal: Journal) -> None:
    """List what is worth a look in the journal (file, line, column), or say all is well."""
    from IPython.display import HTML, display

    if not journal.problems:
        display(HTML("<p>Everything in your journal looks fine.</p>"))
        return
    display(HTML("<p>A few things in your journal are worth a look. trustlab has not changed "
                 "anything; each line says which file, which line and what it expected:</p>"))
    display(problems_frame(journal.problems))


@_needs_journal
def insights(journal: Journal, *, step: int | None = None) -> None:
    """What the journal shows, in a few plain sentences (for one step, or all)."""
    say(_insights.sentences(journal, step=step))


@_needs_journal
def dashboard(journal: Journal) -> Any:
    """The main charts together."""
    return _charts.dashboard(journal)


@_needs_journal
def checklist(journal: Journal, *, refresh_after: Sequence[EntryForm] = ()) -> Any:
    """The observation checklist and its heat map, refreshed when qualities or people change."""
    from IPython.display import display

    form = ObservationChecklist(journal)
    for source in refresh_after:
        source.on_saved(lambda _entry: form.refresh())
    live = LiveChart(lambda: _charts.qualities_check(journal), form)
    display(widgets.VBox([form.widget, live.output]))
    form.live = [live]
    return form


@_needs_journal
def undo(journal: Journal) -> UndoPanel:
    """The versions trustlab kept before each change, and a way to put one back."""
    from IPython.display import display

    panel = UndoPanel(journal)
    display(panel.widget)
    return panel


def say(lines: Sequence[str]) -> None:
    """Show plain-language insights as a list; journal text in them is escaped."""
    from IPython.display import HTML, display

    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    display(HTML(f'<ul style="max-width:48rem;line-height:1.5">{items}</ul>'))


@_needs_journal
def section(
    journal: Journal,
    table: str,
    *,
    charts: Sequence[Callable[[Journal], Any]] = (),
    entries: bool = True,
    **options: Any,
) -> EntryForm:
    """Show the form for ``table``, its charts (drawn again after each save) and its entries.

    Returns the form, so a notebook (or a test) can fill it.
    """
    from IPython.display import display

    form = entry_form(journal, table, **options)
    parts: list[Any] = [form.widget]
    form.live = [LiveChart(lambda make=make: make(journal), form) for make in charts]
    parts += [live.output for live in form.live]
    if entries:
        form.entries = EntryList(form)
        title = TABLES[table].title.lower()
        parts += [widgets.HTML(f"<b>Correct or delete</b> one of your {html.escape(title)}:"),
                  form.entries.widget]
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
    """Show the evidence and "it's possible…" statements gathered so far, newest first."""
    from IPython.display import HTML, display

    beliefs = journal.table("beliefs").sort_values("date", ascending=False, kind="stable")
    items = []
    for _, row in beliefs.iterrows():
        parts = [f"<i>{html.escape(text)}</i>" for text in (row["possible"], row["evidence"])
                 if text.strip()]
        if parts:
            day = row["date"].strftime("%d %b %Y")
            items.append(f"<li><b>{day}</b>: {' — '.join(parts)}</li>")
    if not items:
        display(HTML("<p>Your evidence bank is empty for now. Each thought record you save "
                     "with evidence or an \u201cit's possible\u201d statement adds to it.</p>"))
        return
    display(HTML(f'<ul style="max-width:48rem;line-height:1.5">{"".join(items)}</ul>'))
