"""The step-specific touches: the blame-balance note, BRAVING suggestions, the checklist.

:func:`entry_form` gives each table its form: :class:`TriggerForm` (step 1),
:class:`QualityForm` (step 2) or a plain :class:`EntryForm`. The
:class:`ObservationChecklist` (step 2) saves one observation per quality.
"""

from __future__ import annotations

import datetime
from typing import Any

import ipywidgets as widgets

from ..errors import JournalError
from ..journal import Journal
from ..schema import ALL_OR_NOTHING, BRAVING, TABLES, plain
from .entry import EntryForm
from .fields import (
    _ANSWER,
    _STYLE,
    _WIDE,
    Callback,
    _alert,
    _Button,
    _DatePicker,
    _done,
    _Dropdown,
    _fields_in,
    _html,
    _Textarea,
    _warning,
    label_of,
)
from .names import NamePicker
from .page import Page


def entry_form(journal: Journal, table: str, **options: Any) -> EntryForm:
    """The form for ``table``, with the step-specific touch where there is one."""
    special = {"triggers": TriggerForm, "qualities": QualityForm}
    return special.get(table, EntryForm)(journal, table, **options)


class TriggerForm(EntryForm):
    """The trigger form: notices all-or-nothing blame answers, gently."""

    def __init__(self, journal: Journal, table: str = "triggers", **options: Any):
        super().__init__(journal, table, **options)
        self.share_note = _html()
        self.extra.children = [self.share_note]
        self.fields["my_share"].observe(self._notice_share, names="value")
        self._notice_share()

    def _notice_share(self, *_: Any) -> None:
        share = self.fields["my_share"].value
        none, everything = ALL_OR_NOTHING
        if share <= none:
            text = (
                "Almost none of it yours? That may be exactly right. If you like, look "
                "again for any small part you could own, without taking on what isn't."
            )
        elif share >= everything:
            text = (
                "Almost all of it yours? After a betrayal it is common to carry more than "
                "our share. Is any part of this theirs, or nobody's?"
            )
        else:
            text = ""
        self.share_note.value = f'<div style="color:#6b4e16">{text}</div>' if text else ""


class QualityForm(EntryForm):
    """The qualities form, with the BRAVING elements offered as starting suggestions.

    Each suggestion is a button that puts its words in the Quality field.
    """

    def __init__(self, journal: Journal, table: str = "qualities", **options: Any):
        super().__init__(journal, table, **options)
        self.suggestions: dict[str, widgets.Button] = {}
        for element in BRAVING:
            button = _Button(
                description=plain(element),
                layout=widgets.Layout(width="auto"),
                tooltip=f"Use '{plain(element)}' as the quality",
            )
            button.on_click(lambda _, element=element: self.suggest(element))
            self.suggestions[element] = button
        heading = _html(
            "Suggestions:",
            layout=widgets.Layout(
                width="11rem", min_width="11rem", justify_content="flex-end", padding="0 8px 0 0"
            ),
        )
        row = widgets.HBox(
            [
                heading,
                widgets.HBox(
                    list(self.suggestions.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
            ]
        )
        self.widget.children = (row, *self.widget.children)

    def suggest(self, element: str) -> None:
        """Put the BRAVING ``element`` in the Quality field (its words, with spaces)."""
        self.fields["quality"].value = plain(element)


class ObservationChecklist:
    """One checklist per person and date: did they show each of my qualities?

    Saves one observation per quality answered (qualities left on "skip" are
    not saved), all in one write. On a :class:`Page`, a save redraws the page once.
    """

    SKIP = "skip"

    def __init__(
        self, journal: Journal, *, on_saved: Callback | None = None, page: Page | None = None
    ):
        self.journal = journal
        self.page = page
        self._callbacks: list[Callback] = [on_saved] if on_saved else []
        self.date = _DatePicker(
            value=datetime.date.today(), description="Date", tooltip="", style=_STYLE, layout=_WIDE
        )
        self.person = NamePicker(
            journal,
            "people",
            description="Person",
            placeholder="Who are you thinking about?",
            on_added=lambda _entry: self._changed(),
        )
        self.note = _Textarea(
            description="Note",
            style=_STYLE,
            layout=_WIDE,
            rows=2,
            tooltip="",
            placeholder="Anything you want to remember.",
        )
        self.answers: dict[str, widgets.Dropdown] = {}
        self.checklist = widgets.VBox([])
        self.save_button = _Button(
            holds=lambda: _fields_in(self.widget),
            description="Save checklist",
            button_style="primary",
        )
        self.save_button.on_click(lambda _: self.save())
        self.status = _html()
        self.widget = widgets.VBox(
            [self.date, self.person, self.checklist, self.note, self.save_button, self.status]
        )
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def on_saved(self, callback: Callback) -> None:
        self._callbacks.append(callback)

    def refresh(self) -> None:
        """Offer the people and the qualities now in the journal."""
        self.person.refresh()
        qualities = [q for q in self.journal.table("qualities")["quality"] if q.strip()]
        if self.checklist.children and qualities == list(self.answers):
            return  # the same qualities: keep the answers given so far
        previous = {q: w.value for q, w in self.answers.items()}
        options = [*self._answers(), ("skip", self.SKIP)]
        self.answers = {
            q: _Dropdown(
                options=options,
                value=previous.get(q, self.SKIP),
                description=q,
                tooltip="",
                style=_STYLE,
                description_allow_html=False,
                layout=_ANSWER,
            )
            for q in qualities
        }
        if self.answers:
            self.checklist.children = list(self.answers.values())
        else:
            self.checklist.children = [
                _html(
                    "<i>Add your qualities first (above); they will appear here as a checklist.</i>"
                )
            ]

    @staticmethod
    def _answers() -> list[tuple[str, str]]:
        """What a quality may be answered: the choices of ``shown``, in the schema's words."""
        shown = TABLES["observations"].column("shown")
        return [(label_of(c, shown), c) for c in shown.choices]

    def _changed(self) -> None:
        if self.page is not None:
            self.page.refresh(source=self)
        else:
            self.refresh()

    def save(self) -> list[dict[str, Any]]:
        answered = {q: w.value for q, w in self.answers.items() if w.value != self.SKIP}
        if self.date.value is None:
            self.status.value = _warning("Choose a date first.")
            return []
        person = self.person.resolve()
        if not person:
            self.status.value = _warning(
                "Choose a person first."
                if person == ""
                else "Nothing was saved yet: please look at the person."
            )
            if person is None:
                self.person.message.value = _warning(self.person.problem())
            return []
        self.person.value = person
        if not answered:
            *some, last = [words for words, _ in self._answers()]
            said = f"{', '.join(some)} or {last}" if some else last
            self.status.value = _warning(f"Answer at least one quality ({said}).")
            return []
        try:
            saved = self.journal.add_many(
                "observations",
                [
                    {
                        "date": self.date.value,
                        "person": person,
                        "quality": quality,
                        "shown": shown,
                        "note": self.note.value,
                    }
                    for quality, shown in answered.items()
                ],
            )
        except JournalError as error:
            self.status.value = _alert(error)
            return []
        self.status.value = _done(
            f"Saved {len(saved)} observation{'s' if len(saved) != 1 else ''} about {person}."
        )
        for w in self.answers.values():
            w.value = self.SKIP
        self.note.value = ""
        self._changed()
        for callback in self._callbacks:
            for entry in saved:
                callback(entry)
        return saved
