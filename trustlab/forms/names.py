"""Choosing a person or a quality the journal lists: :class:`NamePicker`.

Also how the forms speak of the people and the qualities (:data:`_NAMES`), the
names in the journal (:func:`known_names`) and when two names are the same.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import pandas as pd

from ..journal import Journal
from .fields import _STYLE, _WIDE, Callback, _Button, _Combobox, _done, _html, _warning

if TYPE_CHECKING:
    from .entry import EntryForm


@dataclass(frozen=True)
class _Names:
    """How the forms speak of the people or the qualities."""

    key: str
    """The name column: person or quality."""
    one: str
    noun: str
    new: str
    """The label of the button that adds one on the spot."""
    add: str
    """The label of that form's Save button."""
    it: str
    """How to refer back to one: them, it."""
    they: str


_NAMES = {
    "people": _Names(
        "person", "person", "your people", "Someone new…", "Add to my people", "them", "they"
    ),
    "qualities": _Names(
        "quality", "quality", "your qualities", "A new quality…", "Add to my qualities", "it", "it"
    ),
}


def known_names(journal: Journal, kind: str) -> tuple[str, ...]:
    """The people (``kind="people"``) or qualities in the journal, trimmed, sorted."""
    names = journal.table(kind)[_NAMES[kind].key].str.strip()
    return tuple(sorted(set(names[names != ""]), key=str.casefold))


def _same_name(a: str, b: str) -> bool:
    """Names are the same when they match trimmed and ignoring case ("sam " is "Sam")."""
    return a.strip().casefold() == b.strip().casefold()


class NamePicker(widgets.VBox):
    """A person from people.csv (or a quality from qualities.csv): type to find, pick one.

    ``value`` is what is in the box. :meth:`resolve` is the listed name it means,
    compared trimmed and ignoring case (typing "sam " chooses "Sam"), ``""`` for an
    empty box, or None when no listed name matches: a form then refuses to save and
    says so beside the field. The button beside the box ("Someone new…") opens the
    people form (the qualities form) right here; a name added there is offered and
    chosen at once.

    The browser sends what is typed when the box loses focus or Enter is pressed
    (not each key), and the kernel then puts the listed spelling back in the box.
    ``ensure_option`` stays off on purpose: with it, ipywidgets 8 keeps a name the
    browser does not know to itself, so the kernel would save the name chosen
    before while the box shows another.
    """

    def __init__(
        self,
        journal: Journal,
        kind: str = "people",
        *,
        description: str = "Person",
        tooltip: str = "",
        placeholder: str | None = None,
        allow_new: bool = True,
        on_added: Callback | None = None,
    ):
        self.journal = journal
        self.words = _NAMES[kind]
        self.kind = kind
        self._on_added: list[Callback] = [on_added] if on_added else []
        self.combobox = _Combobox(
            options=known_names(journal, kind),
            ensure_option=False,
            continuous_update=False,
            placeholder=placeholder or f"Type a few letters to find one of {self.words.noun}",
            description=description,
            tooltip=tooltip,
            description_allow_html=False,
            style=_STYLE,
            layout=_WIDE,
        )
        self.new_button = _Button(
            holds=lambda: [self.combobox],
            description=self.words.new,
            layout=widgets.Layout(width="auto"),
            tooltip=f"Add a {self.words.one} to {self.words.noun}, here",
        )
        self.new_button.on_click(lambda _: self.open_new())
        self.message = _html(layout=widgets.Layout(margin="0 0 0 11rem"))
        self.new_area = widgets.VBox([], layout=widgets.Layout(margin="0 0 0 2rem"))
        self.new_form: EntryForm | None = None
        self._new_children: list[widgets.Widget] = []
        row = [self.combobox, self.new_button] if allow_new else [self.combobox]
        super().__init__([widgets.HBox(row), self.message, self.new_area])
        self.combobox.observe(self._typed, names="value")

    @property
    def value(self) -> str:
        return self.combobox.value

    @value.setter
    def value(self, value: Any) -> None:
        self.combobox.value = "" if value is None or value is pd.NA else str(value)

    @property
    def options(self) -> tuple[str, ...]:
        return self.combobox.options

    def names(self) -> tuple[str, ...]:
        return known_names(self.journal, self.kind)

    def refresh(self) -> None:
        """Offer the names now in the journal."""
        self.combobox.options = self.names()

    def resolve(self) -> str | None:
        """The listed name the box means, ``""`` if it is empty, or None if none matches."""
        typed = self.combobox.value.strip()
        if not typed:
            return ""
        names = self.names()
        if typed in names:
            return typed
        return next((name for name in names if _same_name(name, typed)), None)

    def problem(self) -> str:
        """Why the name in the box cannot be saved, in plain words."""
        typed = self.combobox.value.strip()
        names = self.names()
        starts = [n for n in names if n.casefold().startswith(typed.casefold())]
        close = starts or difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if len(close) == 1 else ""
        return (
            f"“{typed}” is not one of {self.words.noun}.{hint} Choose a name from the "
            "list (type a few letters to find it), or press "
            f"“{self.words.new}” to add {self.words.it}."
        )

    def _typed(self, change: dict) -> None:
        name = self.resolve()
        if name and name != change["new"]:
            self.combobox.value = name  # the listed spelling: "sam " becomes "Sam"
            return
        self.message.value = "" if name is not None else _warning(self.problem())

    # --- someone new -------------------------------------------------------

    def open_new(self) -> EntryForm:
        """Show the people (qualities) form here, with what was typed as the name."""
        from .steps import entry_form  # the step forms are built on NamePicker

        if self.new_form is None:
            self.new_form = entry_form(
                self.journal, self.kind, save_label=self.words.add, on_saved=self._added
            )
            close = _Button(description="Never mind")
            close.on_click(lambda _: self.close_new())
            self._new_children = [
                _html(
                    f"<i>Add a {self.words.one} to {self.words.noun}: as soon as you "
                    f"save, {self.words.they} will be chosen here.</i>"
                ),
                self.new_form.widget,
                close,
            ]
        typed = self.combobox.value.strip()
        if typed and self.resolve() is None:
            self.new_form.fields[self.words.key].value = typed
        self.new_area.children = self._new_children
        self.new_button.layout.display = "none"
        return self.new_form

    def close_new(self) -> None:
        self.new_area.children = []
        self.new_button.layout.display = None

    def _added(self, entry: dict[str, Any]) -> None:
        name = entry[self.words.key]
        self.close_new()
        self.refresh()
        self.combobox.value = name
        self.message.value = _done(f"{name} is now in {self.words.noun}, and chosen here.")
        for callback in self._on_added:
            callback(entry)
