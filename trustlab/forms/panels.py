"""Changing what is already in the journal: correct or delete, rename, undo.

:class:`EntryList` picks a recent entry to correct or delete, :class:`RenamePanel`
renames a person or a quality everywhere, :class:`UndoPanel` puts back a version
of a file kept before a change.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import JournalError
from ..journal import Journal
from ..schema import ID, TABLES, Table
from .entry import EntryForm
from .fields import (
    _STYLE,
    _WIDE,
    _alert,
    _Button,
    _done,
    _Dropdown,
    _esc,
    _fields_in,
    _html,
    _Select,
    _Text,
    _warning,
)
from .names import _NAMES, NamePicker, _same_name
from .page import Page


class EntryList:
    """Recent entries of one table, to pick one to correct or delete.

    Entries are shown as plain text (a date and the first words), never as HTML.
    Deleting asks for a second click. On a :class:`Page` (the form's, unless
    ``page`` is given) a deletion redraws the whole page.
    """

    def __init__(self, form: EntryForm, *, limit: int = 50, page: Page | None = None):
        self.form = form
        self.limit = limit
        self.page = page if page is not None else form.page
        self.select = _Select(
            options=[], rows=6, description="Entries", tooltip="", style=_STYLE, layout=_WIDE
        )
        self.edit_button = _Button(holds=lambda: [self.select], description="Edit")
        self.delete_button = _Button(
            holds=lambda: [self.select], description="Delete", button_style="warning"
        )
        self.status = _html()
        self._armed: str | None = None
        self.edit_button.on_click(lambda _: self.edit())
        self.delete_button.on_click(lambda _: self.delete())
        if self.page is None:
            form.on_saved(lambda _: self.refresh())
        self.widget = widgets.VBox(
            [self.select, widgets.HBox([self.edit_button, self.delete_button]), self.status]
        )
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        frame = self.form.journal.table(self.form.table.name).tail(self.limit).iloc[::-1]
        self.select.options = [
            (entry_label(self.form.table, row), row[ID]) for _, row in frame.iterrows()
        ]
        self._armed = None
        self.delete_button.description = "Delete"

    def edit(self) -> None:
        if self.select.value is None:
            self.status.value = "Choose an entry first."
            return
        self.form.edit(self.select.value)
        self.status.value = ""

    def delete(self) -> dict[str, Any] | None:
        chosen = self.select.value
        if chosen is None:
            self.status.value = "Choose an entry first."
            return None
        if self._armed != chosen:
            self._armed = chosen
            self.delete_button.description = "Click again to delete"
            self.status.value = "This removes the entry (a backup of the file is kept)."
            return None
        try:
            entry = self.form.journal.delete(self.form.table.name, chosen)
        except JournalError as error:
            self._armed = None
            self.delete_button.description = "Delete"
            self.status.value = _alert(error)
            return None
        if self.form.editing == chosen:
            self.form.stop_editing()
        if self.page is not None:
            self.page.refresh(source=self)
        else:
            self.refresh()
        self.status.value = "Deleted. The previous version of the file is in .trustlab/backups/."
        for callback in self.form._callbacks:
            callback(entry)
        return entry


def entry_label(table: Table, row: pd.Series, width: int = 60) -> str:
    """A one-line, plain-text label for an entry: its date and first words."""
    parts = []
    for col in table.columns:
        value = row[col.name]
        if col.kind == "date":
            parts.append(value.strftime("%Y-%m-%d"))
        elif col.kind == "text" and value:
            parts.append(" ".join(str(value).split()))
        elif col.kind == "int" and col.name == "marbles":
            parts.append(f"{int(value):+d}")
        if len(parts) >= 3:
            break
    label = " · ".join(parts)
    return label if len(label) <= width else label[: width - 1] + "…"


_TABLE_NOUNS = {
    "observations": ("observation", "observations"),
    "red_flags": ("red flag", "red flags"),
    "steps": ("small step", "small steps"),
    "marbles": ("marble jar entry", "marble jar entries"),
}


def _where(name: str, counts: dict[str, int], kind: str) -> str:
    """Where a name appears, in plain words: "Sam appears in: 4 observations, 1 red flag."."""
    parts = []
    for table, n in counts.items():
        if n:
            one, many = _TABLE_NOUNS.get(table, (TABLES[table].title.lower(),) * 2)
            parts.append(f"{n:,} {one if n == 1 else many}")
    if not parts:
        return f"{name} is not named in any entry yet: only {TABLES[kind].filename} changes."
    return f"{name} appears in: {', '.join(parts)}."


class RenamePanel:
    """Rename a person (or a quality) in every table, after seeing where the name appears.

    Choosing a name shows how many entries of each table name it; the first click on
    "Rename this person" asks, the second renames (:meth:`Journal.rename`): each file
    that changes keeps its previous version in ``.trustlab/backups/``.
    """

    def __init__(self, journal: Journal, kind: str = "people", *, page: Page | None = None):
        self.journal = journal
        self.kind = kind
        self.page = page
        self.words = _NAMES[kind]
        self.old = NamePicker(
            journal,
            kind,
            allow_new=False,
            description="Person" if kind == "people" else "Quality",
            placeholder=f"Type a few letters to find one of {self.words.noun}",
        )
        self.new = _Text(
            description="New name" if kind == "people" else "New wording",
            tooltip="",
            style=_STYLE,
            layout=_WIDE,
            placeholder="The name to use from now on",
        )
        self.label = f"Rename this {self.words.one}"
        self.rename_button = _Button(
            holds=lambda: _fields_in(self.widget),
            description=self.label,
            button_style="warning",
            layout=widgets.Layout(width="auto"),
        )
        self.rename_button.on_click(lambda _: self.rename())
        self.preview = _html()
        self.status = _html()
        self._armed: tuple[str, str] | None = None
        self.old.combobox.observe(self._chosen, names="value")
        self.new.observe(self._retyped, names="value")
        self.widget = widgets.VBox(
            [self.old, self.preview, self.new, self.rename_button, self.status]
        )
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        """Offer the names now in the journal, and say again where the chosen one appears."""
        self.old.refresh()
        name = self.old.resolve()
        self.preview.value = (
            ""
            if not name
            else (
                f"<p>{_esc(_where(name, self.journal.references(self.kind, name), self.kind))}</p>"
            )
        )

    def _chosen(self, _change: dict) -> None:
        self._retyped(_change)
        self.refresh()

    def _retyped(self, _change: dict) -> None:
        self._disarm()
        self.status.value = ""

    def _disarm(self) -> None:
        self._armed = None
        self.rename_button.description = self.label

    def rename(self) -> dict[str, int] | None:
        """Ask first (one click), then rename everywhere (a second click with the same names)."""
        old = self.old.resolve()
        new = self.new.value.strip()
        problem = self._problem(old, new)
        if problem:
            self._disarm()
            self.status.value = _warning(problem)
            return None
        if self._armed != (old, new):
            self._armed = (old, new)
            self.rename_button.description = "Click again to rename"
            self.status.value = (
                f"<p>Rename {_esc(old)} to <b>{_esc(new)}</b> in all of "
                "these? (click again to confirm)</p>"
            )
            return None
        self._disarm()
        try:
            counts = self.journal.rename(self.kind, old, new)
        except JournalError as error:
            self.status.value = _alert(error)
            return None
        self.new.value = ""
        self.old.value = new
        changed = sum(n for table, n in counts.items() if table != self.kind)
        entries = f"{changed:,} entr{'y' if changed == 1 else 'ies'}"
        self.status.value = _done(
            f"Renamed {old} to {new} in {TABLES[self.kind].filename}"
            + (f" and in {entries}" if changed else "")
            + ". The previous versions are in .trustlab/backups/ (“Undo a change” in "
            "00_start_here can put one back)."
        )
        if self.page is not None:
            self.page.refresh(source=self)
        else:
            self.refresh()
        return counts

    def _problem(self, old: str | None, new: str) -> str | None:
        if old is None:
            return self.old.problem()
        if not old:
            return (
                f"Choose the {self.words.one} to rename first (type a few letters to find "
                f"{self.words.it})."
            )
        if not new:
            return "Type the new name first."
        if new == old:
            return f"{old} is already called that: type the new name."
        taken = next((n for n in self.old.names() if n != old and _same_name(n, new)), None)
        if taken is not None:
            return (
                f"{taken} is already in {self.words.noun}: choose another name (names are "
                "compared ignoring capitals and spaces at either end)."
            )
        return None


class UndoPanel:
    """Put back a version of a file that trustlab kept before a change (two clicks).

    Lists the backups in ``.trustlab/backups/``, newest first; the version a restore
    replaces is kept too, so a restore can be undone the same way.
    """

    def __init__(self, journal: Journal):
        self.journal = journal
        self.select = _Dropdown(
            options=[],
            description="Version",
            tooltip="",
            style=_STYLE,
            layout=widgets.Layout(width="min(100%, 48rem)"),
        )
        self.restore_button = _Button(
            holds=lambda: [self.select], description="Put this version back", button_style="warning"
        )
        self.restore_button.on_click(lambda _: self.restore())
        self.fragments = _html()
        self.status = _html()
        self._armed: str | None = None
        self.widget = widgets.VBox([self.select, self.restore_button, self.status, self.fragments])
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        from ..history import history

        kept = history(self.journal.path)
        self._kept = {k.name: k for k in kept}
        self.select.options = [(k.description, k.name) for k in kept if k.kind == "backup"]
        self.select.value = self.select.options[0][1] if self.select.options else None
        self._armed = None
        self.restore_button.description = "Put this version back"
        self.restore_button.disabled = not self.select.options
        set_aside = [k for k in kept if k.kind == "recovered"]
        self.fragments.value = (
            ""
            if not set_aside
            else (
                f"<p>{len(set_aside)} incomplete "
                f"entr{'y was' if len(set_aside) == 1 else 'ies were'}"
                " set aside after an interrupted save. They are plain text files in "
                f"<code>{_esc(self.journal.path / '.trustlab' / 'recovered')}</code>: "
                "open one in a text editor and enter again what you need.</p>"
            )
        )
        if not self.select.options:
            self.status.value = (
                "<p>Nothing to undo yet: trustlab keeps the previous version of "
                "a file each time you correct or delete an entry.</p>"
            )

    def restore(self) -> Any:
        from ..history import restore

        chosen = self.select.value
        if chosen is None:
            return None
        if self._armed != chosen:
            self._armed = chosen
            self.restore_button.description = "Click again to put it back"
            self.status.value = (
                "This replaces the file with the version you chose. The "
                "current version is kept as a backup first."
            )
            return None
        version = self._kept[chosen]
        try:
            undo = restore(self.journal.path, chosen)
        except JournalError as error:
            self.refresh()
            self.status.value = _alert(error)
            return None
        self.refresh()
        when = f"{version.when:%Y-%m-%d %H:%M:%S} UTC" if version.when else "then"
        self.status.value = (
            f'<div style="color:#1b6e3a" role="status">✓ Put back '
            f"{undo.table}.csv as it was at {when}. The version it replaced "
            "is now first in the list, if you change your mind.</div>"
        )
        return undo
