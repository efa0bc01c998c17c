"""ipywidgets forms for the journal, generated from the table declarations.

One builder, :class:`EntryForm`, makes the form for any table from
:mod:`trustlab.schema`: a date picker defaulting to today, dropdowns or toggle
buttons for allowed values, sliders for bounded numbers, text areas for
reflections, and name fields offering the people and qualities already in the
journal. Saving goes through :meth:`Journal.add` (or ``correct``), so a form
can never write what the journal would reject; errors appear beside the field.

Step-specific touches are small subclasses or options: the blame-balance note,
the BRAVING suggestions for qualities, and the observation checklist.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .errors import JournalError
from .journal import Journal
from .schema import BRAVING, ID, Column, Table, get_table

_WIDE = widgets.Layout(width="min(100%, 36rem)")
_STYLE = {"description_width": "11rem"}
_EMPTY_CHOICE = "(none)"

Callback = Callable[[dict[str, Any]], None]


def _label(value: str) -> str:
    return value.replace("_", " ")


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


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
    ):
        self.journal = journal
        self.table: Table = get_table(table)
        names = fields or list(self.table.column_names)
        self.columns = [self.table.column(n) for n in names]
        self.defaults = dict(defaults or {})
        self._callbacks: list[Callback] = [on_saved] if on_saved else []
        self.editing: str | None = None
        self.fields: dict[str, widgets.Widget] = {}
        self.errors: dict[str, widgets.HTML] = {}
        rows = []
        for col in self.columns:
            widget = self._widget(col)
            self.fields[col.name] = widget
            self.errors[col.name] = widgets.HTML("", layout=widgets.Layout(margin="0 0 0 11rem"))
            rows += [widget, self.errors[col.name]]
        self.save_button = widgets.Button(
            description=save_label, button_style="primary", icon="check",
            tooltip=f"Save this entry to {self.table.filename}",
        )
        self.save_button.on_click(lambda _: self.save())
        self.cancel_button = widgets.Button(description="Cancel editing",
                                            layout={"display": "none"})
        self.cancel_button.on_click(lambda _: self.stop_editing())
        self.status = widgets.HTML("")
        self.extra = widgets.VBox([])
        self.widget = widgets.VBox(
            [*rows, self.extra, widgets.HBox([self.save_button, self.cancel_button]), self.status],
            layout=widgets.Layout(padding="0.5rem 0"),
        )
        self.reset()

    # --- building ----------------------------------------------------------

    def _widget(self, col: Column) -> widgets.Widget:
        common = {"description": col.label, "style": _STYLE, "layout": _WIDE,
                  "description_allow_html": False, "tooltip": col.help}
        if col.kind == "date":
            return widgets.DatePicker(**common)
        if col.kind == "int" and col.optional:
            return OptionalIntSlider(col, **common)
        if col.kind == "int":
            return widgets.IntSlider(min=col.minimum, max=col.maximum, **common,
                                     continuous_update=False)
        if col.kind == "choice":
            options = [(_label(c), c) for c in col.choices]
            if col.optional:
                options.insert(0, (_EMPTY_CHOICE, ""))
            if len(options) <= 4 and not col.optional:
                return widgets.ToggleButtons(options=options, **{
                    **common, "layout": widgets.Layout(width="auto"),
                    "style": {**_STYLE, "button_width": "auto"},
                })
            return widgets.Dropdown(options=options, **common)
        if col.refers_to:
            return widgets.Combobox(options=self._names(col.refers_to), ensure_option=False,
                                    placeholder=col.help, **common)
        if col.long_text:
            return widgets.Textarea(placeholder=col.help, rows=3, **common)
        return widgets.Text(placeholder=col.help, **common)

    def _names(self, table: str) -> tuple[str, ...]:
        key = "person" if table == "people" else "quality"
        names = self.journal.table(table)[key]
        return tuple(sorted(set(names[names != ""]), key=str.casefold))

    def refresh_names(self) -> None:
        """Offer the people and qualities now in the journal in the name fields."""
        for col in self.columns:
            if col.refers_to:
                self.fields[col.name].options = self._names(col.refers_to)

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
        try:
            if self.editing:
                entry = self.journal.correct(self.table.name, self.editing, **self.values())
            else:
                entry = self.journal.add(self.table.name, **self.values())
        except JournalError as error:
            self._show_errors(error)
            return None
        self._confirm(entry)
        self.stop_editing()
        self.refresh_names()
        for callback in self._callbacks:
            callback(entry)
        return entry

    def _show_errors(self, error: JournalError) -> None:
        general = []
        for problem in error.problems:
            text = _esc(problem.message)
            if problem.column in self.errors:
                self.errors[problem.column].value = f'<span style="color:#b3261e">⚠ {text}</span>'
            else:
                general.append(text)
        if len(general) == len(error.problems):  # a failure to write, not a field
            self.status.value = _alert(error)
            return
        summary = "Nothing was saved yet: please look at the highlighted field"
        summary += "s." if len(error.problems) - len(general) > 1 else "."
        self.status.value = (
            f'<div style="color:#b3261e" role="alert">{summary}'
            + "".join(f"<br>{g}" for g in general)
            + "</div>"
        )

    def _confirm(self, entry: dict[str, Any]) -> None:
        verb = "Updated" if self.editing else "Saved"
        self.status.value = (
            f'<div style="color:#1b6e3a" role="status">✓ {verb} in your journal '
            f"({_esc(self.table.filename)}).</div>"
        )
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
            self.status.value = '<div style="color:#b3261e">That entry is no longer there.</div>'
            return
        self.fill(match.iloc[0])
        self.editing = entry_id
        self.save_button.description = "Save changes"
        self.cancel_button.layout.display = None
        self.status.value = "Editing an existing entry: change what you need, then save."

    def stop_editing(self) -> None:
        if self.editing is None:
            return
        self.editing = None
        self.save_button.description = "Save"
        self.cancel_button.layout.display = "none"
        self.reset()


class OptionalIntSlider(widgets.HBox):
    """A slider with a "not sure yet" box: its ``value`` is None while the box is ticked."""

    def __init__(self, col: Column, **common: Any):
        self.slider = widgets.IntSlider(min=col.minimum, max=col.maximum,
                                        continuous_update=False, **common)
        self.empty = widgets.Checkbox(value=True, description="not sure yet", indent=False,
                                      layout=widgets.Layout(width="9rem"))
        self.slider.observe(self._touched, names="value")
        super().__init__([self.slider, self.empty])

    def _touched(self, _change: dict) -> None:
        self.empty.value = False

    @property
    def value(self) -> int | None:
        return None if self.empty.value else self.slider.value

    @value.setter
    def value(self, value: int | None) -> None:
        if value is None or value == "":
            self.empty.value = True
        else:
            self.slider.value = int(value)
            self.empty.value = False


class LiveChart:
    """A chart in an output area that is drawn again whenever a form saves.

    ``make`` builds the chart from the journal as it is now (for example
    ``lambda: charts.marble_jars(journal)``).
    """

    def __init__(self, make: Callable[[], Any], *sources: Any):
        self.make = make
        self.output = widgets.Output()
        self.chart: Any = None
        self.draws = 0
        for source in sources:
            source.on_saved(lambda _entry: self.refresh())
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.output)

    def refresh(self) -> None:
        from IPython.display import clear_output, display

        self.chart = self.make()
        self.draws += 1
        with self.output:
            clear_output(wait=True)
            display(self.chart)


class EntryList:
    """Recent entries of one table, to pick one to correct or delete.

    Entries are shown as plain text (a date and the first words), never as HTML.
    Deleting asks for a second click.
    """

    def __init__(self, form: EntryForm, *, limit: int = 50):
        self.form = form
        self.limit = limit
        self.select = widgets.Select(options=[], rows=6, description="Entries",
                                     style=_STYLE, layout=_WIDE)
        self.edit_button = widgets.Button(description="Edit", icon="pencil")
        self.delete_button = widgets.Button(description="Delete", icon="trash",
                                            button_style="warning")
        self.status = widgets.HTML("")
        self._armed: str | None = None
        self.edit_button.on_click(lambda _: self.edit())
        self.delete_button.on_click(lambda _: self.delete())
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
        self.select.options = [(entry_label(self.form.table, row), row[ID])
                               for _, row in frame.iterrows()]
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
        self.refresh()
        self.status.value = "Deleted. The previous version of the file is in .trustlab/backups/."
        for callback in self.form._callbacks:
            callback(entry)
        return entry


def _alert(error: JournalError) -> str:
    """A failed save or deletion, in the words of its problems, escaped."""
    lines = [f"{p.message[:1].upper()}{p.message[1:]}" for p in error.problems]
    return ('<div style="color:#b3261e" role="alert">⚠ '
            + "<br>".join(_esc(line) for line in lines) + "</div>")


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


def entry_form(journal: Journal, table: str, **options: Any) -> EntryForm:
    """The form for ``table``, with the step-specific touch where there is one."""
    special = {"triggers": TriggerForm, "qualities": QualityForm}
    return special.get(table, EntryForm)(journal, table, **options)


class TriggerForm(EntryForm):
    """The trigger form: notices all-or-nothing blame answers, gently."""

    def __init__(self, journal: Journal, table: str = "triggers", **options: Any):
        super().__init__(journal, table, **options)
        self.share_note = widgets.HTML("")
        self.extra.children = [self.share_note]
        self.fields["my_share"].observe(self._notice_share, names="value")
        self._notice_share()

    def _notice_share(self, *_: Any) -> None:
        share = self.fields["my_share"].value
        if share <= 10:
            text = ("Almost none of it yours? That may be exactly right. If you like, look "
                    "again for any small part you could own, without taking on what isn't.")
        elif share >= 90:
            text = ("Almost all of it yours? After a betrayal it is common to carry more than "
                    "our share. Is any part of this theirs, or nobody's?")
        else:
            text = ""
        self.share_note.value = f'<div style="color:#6b4e16">{text}</div>' if text else ""


class QualityForm(EntryForm):
    """The qualities form, with the BRAVING elements offered as starting suggestions."""

    def __init__(self, journal: Journal, table: str = "qualities", **options: Any):
        super().__init__(journal, table, **options)
        self.suggestions = widgets.ToggleButtons(
            options=[(_label(b), b) for b in BRAVING], value=None,
            description="Suggestions", style=_STYLE,
            tooltips=[f"Use '{_label(b)}' as the quality" for b in BRAVING],
        )
        self.suggestions.observe(self._suggest, names="value")
        self.widget.children = (self.suggestions, *self.widget.children)

    def _suggest(self, change: dict) -> None:
        if change["new"]:
            self.fields["quality"].value = _label(change["new"])


class ObservationChecklist:
    """One checklist per person and date: did they show each of my qualities?

    Saves one observation per quality answered (qualities left on "skip" are
    not saved).
    """

    SKIP = "skip"

    def __init__(self, journal: Journal, *, on_saved: Callback | None = None):
        self.journal = journal
        self._callbacks: list[Callback] = [on_saved] if on_saved else []
        self.date = widgets.DatePicker(value=datetime.date.today(), description="Date",
                                       style=_STYLE, layout=_WIDE)
        self.person = widgets.Combobox(description="Person", style=_STYLE, layout=_WIDE,
                                       ensure_option=False,
                                       placeholder="Who are you thinking about?")
        self.note = widgets.Textarea(description="Note", style=_STYLE, layout=_WIDE, rows=2,
                                     placeholder="Anything you want to remember.")
        self.answers: dict[str, widgets.ToggleButtons] = {}
        self.checklist = widgets.VBox([])
        self.save_button = widgets.Button(description="Save checklist", button_style="primary",
                                          icon="check")
        self.save_button.on_click(lambda _: self.save())
        self.status = widgets.HTML("")
        self.widget = widgets.VBox([self.date, self.person, self.checklist, self.note,
                                    self.save_button, self.status])
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def on_saved(self, callback: Callback) -> None:
        self._callbacks.append(callback)

    def refresh(self) -> None:
        """Offer the people and the qualities now in the journal."""
        people = self.journal.table("people")["person"]
        self.person.options = tuple(sorted(set(people[people != ""]), key=str.casefold))
        qualities = [q for q in self.journal.table("qualities")["quality"] if q.strip()]
        previous = {q: w.value for q, w in self.answers.items()}
        self.answers = {
            q: widgets.ToggleButtons(
                options=[("yes", "yes"), ("no", "no"), ("unsure", "unsure"),
                         ("skip", self.SKIP)],
                value=previous.get(q, self.SKIP), description=q, style=_STYLE,
                description_allow_html=False,
            )
            for q in qualities
        }
        if self.answers:
            self.checklist.children = list(self.answers.values())
        else:
            self.checklist.children = [widgets.HTML(
                "<i>Add your qualities first (above); they will appear here as a checklist.</i>"
            )]

    def save(self) -> list[dict[str, Any]]:
        answered = {q: w.value for q, w in self.answers.items() if w.value != self.SKIP}
        if self.date.value is None:
            self.status.value = '<span style="color:#b3261e">⚠ Choose a date first.</span>'
            return []
        if not self.person.value.strip():
            self.status.value = '<span style="color:#b3261e">⚠ Choose a person first.</span>'
            return []
        if not answered:
            self.status.value = ('<span style="color:#b3261e">⚠ Answer at least one quality '
                                 "(yes, no or unsure).</span>")
            return []
        try:
            saved = self.journal.add_many("observations", [
                {"date": self.date.value, "person": self.person.value, "quality": quality,
                 "shown": shown, "note": self.note.value}
                for quality, shown in answered.items()
            ])
        except JournalError as error:
            self.status.value = _alert(error)
            return []
        self.status.value = (f'<div style="color:#1b6e3a" role="status">✓ Saved '
                             f"{len(saved)} observation{'s' if len(saved) != 1 else ''} "
                             f"about {_esc(self.person.value)}.</div>")
        for w in self.answers.values():
            w.value = self.SKIP
        self.note.value = ""
        for callback in self._callbacks:
            for entry in saved:
                callback(entry)
        return saved


class UndoPanel:
    """Put back a version of a file that trustlab kept before a change (two clicks).

    Lists the backups in ``.trustlab/backups/``, newest first; the version a restore
    replaces is kept too, so a restore can be undone the same way.
    """

    def __init__(self, journal: Journal):
        self.journal = journal
        self.select = widgets.Dropdown(options=[], description="Version", style=_STYLE,
                                       layout=widgets.Layout(width="min(100%, 48rem)"))
        self.restore_button = widgets.Button(description="Put this version back", icon="undo",
                                             button_style="warning")
        self.restore_button.on_click(lambda _: self.restore())
        self.fragments = widgets.HTML("")
        self.status = widgets.HTML("")
        self._armed: str | None = None
        self.widget = widgets.VBox([self.select, self.restore_button, self.status,
                                    self.fragments])
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        from .history import history

        kept = history(self.journal.path)
        self._kept = {k.name: k for k in kept}
        self.select.options = [(k.description, k.name) for k in kept if k.kind == "backup"]
        self.select.value = self.select.options[0][1] if self.select.options else None
        self._armed = None
        self.restore_button.description = "Put this version back"
        self.restore_button.disabled = not self.select.options
        set_aside = [k for k in kept if k.kind == "recovered"]
        self.fragments.value = "" if not set_aside else (
            f"<p>{len(set_aside)} incomplete entr{'y was' if len(set_aside) == 1 else 'ies were'}"
            " set aside after an interrupted save. They are plain text files in "
            f"<code>{_esc(self.journal.path / '.trustlab' / 'recovered')}</code>: open one in a "
            "text editor and enter again what you need.</p>"
        )
        if not self.select.options:
            self.status.value = ("<p>Nothing to undo yet: trustlab keeps the previous version of "
                                 "a file each time you correct or delete an entry.</p>")

    def restore(self) -> Any:
        from .history import restore

        chosen = self.select.value
        if chosen is None:
            return None
        if self._armed != chosen:
            self._armed = chosen
            self.restore_button.description = "Click again to put it back"
            self.status.value = ("This replaces the file with the version you chose. The "
                                 "current version is kept as a backup first.")
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
        self.status.value = (f'<div style="color:#1b6e3a" role="status">✓ Put back '
                             f"{undo.table}.csv as it was at {when}. The version it replaced "
                             "is now first in the list, if you change your mind.</div>")
        return undo
