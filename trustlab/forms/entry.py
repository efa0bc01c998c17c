"""The form for one table: :class:`EntryForm`, built from its declaration in the schema.

Fields, a Save button, a confirmation and errors beside the field; the same
form corrects an entry (:meth:`EntryForm.edit`).
"""

from __future__ import annotations

import datetime
from typing import Any

import ipywidgets as widgets
import pandas as pd

from ..errors import JournalError, Problem
from ..journal import Journal
from ..schema import ID, Column, Table, get_table
from .fields import (
    _EMPTY_CHOICE,
    _RED,
    _STYLE,
    _WIDE,
    Callback,
    OptionalNumber,
    _alert,
    _Button,
    _DatePicker,
    _done,
    _Dropdown,
    _esc,
    _fields_in,
    _html,
    _number,
    _Text,
    _Textarea,
    _warning,
    label_of,
)
from .names import _NAMES, NamePicker, _same_name
from .page import Page


class EntryForm:
    """A form for one table: fields, a Save button, a confirmation and inline errors.

    Parameters
    ----------
    journal
        The open journal to write to.
    table
        The table's name, for example ``"marbles"``.
    fields
        Only these columns (the others are saved empty); default all.
    defaults
        Initial values by column name.
    on_saved
        Called with the saved entry after every successful save.
    page
        The notebook page the form is on: after a save it redraws the whole page
        (:meth:`Page.refresh`); without one, the form refreshes only itself.
    edit_only
        Show the fields only while an entry is being corrected (for a table whose
        entries are added elsewhere, such as observations by the checklist).

    Attributes
    ----------
    fields : dict[str, ipywidgets.Widget]
        The input widget of each column; set ``.value`` to fill the form.
    save_button : ipywidgets.Button
    status : ipywidgets.HTML
        The confirmation or the summary of what is wrong.
    """

    def __init__(
        self,
        journal: Journal,
        table: str,
        *,
        fields: list[str] | None = None,
        defaults: dict[str, Any] | None = None,
        on_saved: Callback | None = None,
        save_label: str = "Save",
        page: Page | None = None,
        edit_only: bool = False,
    ):
        self.journal = journal
        self.table: Table = get_table(table)
        names = fields or list(self.table.column_names)
        self.columns = [self.table.column(n) for n in names]
        self.defaults = dict(defaults or {})
        self._callbacks: list[Callback] = [on_saved] if on_saved else []
        self.page = page
        self.edit_only = edit_only
        self.save_label = save_label
        self.editing: str | None = None
        self.fields: dict[str, widgets.Widget] = {}
        self.errors: dict[str, widgets.HTML] = {}
        rows = []
        for col in self.columns:
            widget = self._widget(col)
            self.fields[col.name] = widget
            if isinstance(widget, NamePicker):
                self.errors[col.name] = widget.message  # its own line, under the box
                rows.append(widget)
            else:
                self.errors[col.name] = _html(layout=widgets.Layout(margin="0 0 0 11rem"))
                rows += [self._row(col, widget), self.errors[col.name]]
        self.save_button = _Button(
            holds=lambda: _fields_in(self.body),
            description=save_label,
            button_style="primary",
            tooltip=f"Save this entry to {self.table.filename}",
        )
        self.save_button.on_click(lambda _: self.save())
        self.cancel_button = _Button(description="Cancel editing", layout={"display": "none"})
        self.cancel_button.on_click(lambda _: self._cancel())
        self.status = _html()
        self.extra = widgets.VBox([])
        self.body = widgets.VBox(
            [*rows, self.extra, widgets.HBox([self.save_button, self.cancel_button])]
        )
        # An edit-only form is not on the page at all until it is needed (not merely
        # hidden), so its fields never share a label with the form that adds entries.
        self.widget = widgets.VBox(
            [self.status] if edit_only else [self.body, self.status],
            layout=widgets.Layout(padding="0.5rem 0"),
        )
        self.reset()

    # --- building ----------------------------------------------------------

    def _widget(self, col: Column) -> widgets.Widget:
        common = {
            "description": col.label,
            "style": _STYLE,
            "layout": _WIDE,
            "description_allow_html": False,
            "tooltip": col.help or "",
        }
        if col.kind == "date":
            return _DatePicker(**common)
        if col.kind == "int" and col.optional:
            return OptionalNumber(col, **common)
        if col.kind == "int":
            return _number(col, **common)
        if col.kind == "choice":
            options = [(label_of(c, col), c) for c in col.choices]
            if col.optional:
                options.insert(0, (_EMPTY_CHOICE, ""))
            return _Dropdown(options=options, **common)
        if col.refers_to:
            return NamePicker(
                self.journal,
                col.refers_to,
                description=col.label,
                tooltip=col.help,
                on_added=lambda _entry: self._changed(),
            )
        # Each key is sent as it is typed (ipywidgets' default); a click waits for the last.
        if col.long_text:
            return _Textarea(placeholder=col.help, rows=3, continuous_update=True, **common)
        return _Text(placeholder=col.help, continuous_update=True, **common)

    @staticmethod
    def _row(col: Column, widget: widgets.Widget) -> widgets.Widget:
        """The field as the form shows it: a number with its range in words beside it."""
        if col.kind != "int":
            return widget
        return widgets.HBox(
            [
                widget,
                _html(
                    f'<span style="color:#555">{_esc(col.help)}</span>',
                    layout=widgets.Layout(margin="0 0 0 0.5rem"),
                ),
            ]
        )

    def refresh_names(self) -> None:
        """Offer the people and qualities now in the journal in the name fields."""
        for widget in self.fields.values():
            if isinstance(widget, NamePicker):
                widget.refresh()

    def refresh(self) -> None:
        """What a :class:`Page` calls after a change: offer the names now in the journal."""
        self.refresh_names()

    def _changed(self) -> None:
        """After this form (or its "someone new" form) changed the journal."""
        if self.page is not None:
            self.page.refresh(source=self)
        else:
            self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def on_saved(self, callback: Callback) -> None:
        """Call ``callback(entry)`` after every successful save."""
        self._callbacks.append(callback)

    # --- values ------------------------------------------------------------

    def reset(self) -> None:
        """Empty the form (today's date, first choices, middle of each scale)."""
        for col in self.columns:
            self.fields[col.name].value = self._initial(col)
            self.errors[col.name].value = ""

    def _initial(self, col: Column) -> Any:
        if col.name in self.defaults:
            value = self.defaults[col.name]
            return value() if callable(value) else value
        if col.kind == "date":
            return datetime.date.today()
        if col.kind == "int" and col.optional:
            return None
        if col.kind == "int":
            middle = (col.minimum + col.maximum) // 2
            return 1 if col.nonzero and middle == 0 else middle
        if col.kind == "choice":
            return "" if col.optional else col.choices[0]
        return ""

    def values(self) -> dict[str, Any]:
        """The entry as the form would save it."""
        return {name: widget.value for name, widget in self.fields.items()}

    def fill(self, entry: dict[str, Any] | pd.Series) -> None:
        """Put an existing entry's values into the form."""
        for col in self.columns:
            value = entry[col.name]
            if col.kind == "date" and hasattr(value, "date"):
                value = value.date()
            if value is None or value is pd.NA or (col.kind != "text" and pd.isna(value)):
                value = self._initial(col)
            self.fields[col.name].value = value

    # --- saving ------------------------------------------------------------

    def save(self) -> dict[str, Any] | None:
        """Validate and save the entry; return it, or None if something is wrong."""
        for label in self.errors.values():
            label.value = ""
        values = self.values()
        problems = self._check_names(values)
        if problems:
            self._show_errors(JournalError(problems, heading="This entry was not saved:"))
            return None
        try:
            if self.editing:
                entry = self.journal.correct(self.table.name, self.editing, **values)
            else:
                entry = self.journal.add(self.table.name, **values)
        except JournalError as error:
            self._show_errors(error)
            return None
        self._confirm(entry)
        self.stop_editing()
        self._changed()
        for callback in self._callbacks:
            callback(entry)
        return entry

    def _check_names(self, values: dict[str, Any]) -> list[Problem]:
        """Names the journal would take but a person would not mean: each as a problem.

        A person (quality) field must name one of the people (qualities) listed,
        and is saved in the listed spelling. In people.csv and qualities.csv
        themselves, a name is trimmed, must not be there already ignoring case,
        and a name other entries use is changed with the rename panel instead.
        """
        problems = []
        for col in self.columns:
            widget = self.fields[col.name]
            if isinstance(widget, NamePicker):
                name = widget.resolve()
                if name is None:
                    problems.append(
                        Problem(
                            self.table.filename,
                            0,
                            col.name,
                            widget.value,
                            widget.problem(),
                            code="unknown_reference",
                        )
                    )
                else:
                    values[col.name] = widget.value = name
            elif col.unique and self.table.name in _NAMES and isinstance(values[col.name], str):
                values[col.name] = values[col.name].strip()
                problem = self._own_name_problem(col, values[col.name])
                if problem:
                    problems.append(
                        Problem(
                            self.table.filename,
                            0,
                            col.name,
                            values[col.name],
                            problem,
                            code="duplicate",
                        )
                    )
        return problems

    def _own_name_problem(self, col: Column, name: str) -> str | None:
        if not name:
            return None  # the journal says it is required
        words = _NAMES[self.table.name]
        frame = self.journal.table(self.table.name)
        others = frame if self.editing is None else frame[frame[ID] != self.editing]
        taken = next((n.strip() for n in others[col.name] if _same_name(n, name)), None)
        if taken is not None:
            return (
                f"{taken} is already in {words.noun} ({self.table.filename}): each "
                f"{words.one} is listed once. To change their details, choose them under "
                "“Correct or delete” and press Edit."
                if self.table.name == "people"
                else f"{taken} is already in {words.noun} ({self.table.filename}): each "
                f"{words.one} is listed once. To change it, choose it under “Correct or "
                "delete” and press Edit."
            )
        if self.editing is None:
            return None
        before = frame.loc[frame[ID] == self.editing, col.name]
        if before.empty or before.iloc[0].strip() == name:
            return None
        old = before.iloc[0].strip()
        named = sum(self.journal.references(self.table.name, old).values())
        if not named:
            return None
        entries = "entry" if named == 1 else "entries"
        panel = "Rename a person" if self.table.name == "people" else "Rename a quality"
        return (
            f"{old} is named in {named} other {entries}, which would lose track of "
            f"{words.it}. To change the name "
            f"everywhere at once, use “{panel}” further down; here, change only the "
            "other details."
        )

    def _show_errors(self, error: JournalError) -> None:
        general = []
        for problem in error.problems:
            if problem.column in self.errors:
                self.errors[problem.column].value = _warning(problem.message)
            else:
                general.append(_esc(problem.message))
        if len(general) == len(error.problems):  # a failure to write, not a field
            self.status.value = _alert(error)
            return
        summary = "Nothing was saved yet: please look at the highlighted field"
        summary += "s." if len(error.problems) - len(general) > 1 else "."
        self.status.value = (
            f'<div style="color:{_RED}" role="alert">{summary}'
            + "".join(f"<br>{g}" for g in general)
            + "</div>"
        )

    def _confirm(self, entry: dict[str, Any]) -> None:
        verb = "Updated" if self.editing else "Saved"
        self.status.value = _done(f"{verb} in your journal ({self.table.filename}).")
        keep_date = {c.name: self.fields[c.name].value for c in self.columns if c.kind == "date"}
        self.reset()
        for name, value in keep_date.items():
            self.fields[name].value = value

    # --- correcting --------------------------------------------------------

    def edit(self, entry_id: str) -> None:
        """Load entry ``entry_id`` into the form; Save then corrects it."""
        frame = self.journal.table(self.table.name)
        match = frame[frame[ID] == entry_id]
        if match.empty:
            self.status.value = f'<div style="color:{_RED}">That entry is no longer there.</div>'
            return
        for label in self.errors.values():
            label.value = ""
        self.fill(match.iloc[0])
        self.editing = entry_id
        self.save_button.description = "Save changes"
        self.cancel_button.layout.display = None
        self.widget.children = [self.body, self.status]
        self.status.value = "Editing an existing entry: change what you need, then save."

    def _cancel(self) -> None:
        self.stop_editing()
        self.status.value = ""

    def stop_editing(self) -> None:
        if self.editing is None:
            return
        self.editing = None
        self.save_button.description = self.save_label
        self.cancel_button.layout.display = "none"
        if self.edit_only:
            self.widget.children = [self.status]
        self.reset()
