"""ipywidgets forms for the journal, generated from the table declarations.

One builder, :class:`EntryForm`, makes the form for any table from
:mod:`trustlab.schema`: a date picker defaulting to today, a dropdown for allowed
values (in the words the charts use: :func:`label_of`), a number box for bounded
numbers, text areas for reflections, and a :class:`NamePicker` wherever a column
names a person or a quality: it offers the people (qualities) in the journal,
accepts only one of them, and has a way to add someone new on the spot. Saving
goes through :meth:`Journal.add` (or ``correct``), so a form can never write what
the journal would reject; errors appear beside the field.

Every field is one that ipywidgets 8.1 labels for assistive technology: its
description is a ``<label for=…>`` of the control, so a screen reader says
"Intensity, spin button, 5". Sliders, toggle buttons and radio buttons are not
used: ipywidgets gives them no accessible name (ipywidgets#2650), and nothing in
Python can (a slider's handle takes no attribute from its model). Numbers are
typed, or stepped with the arrow keys. No widget is left without a tooltip, which
ipywidgets would show as the tooltip "null".

A button's click in the browser is handled only once the fields it acts on have
sent the kernel what they hold (:func:`when_sent`), so what was typed is what is
saved, however quickly Save is pressed after the last key.

A :class:`Page` holds everything one notebook page shows of a journal (charts,
sentences, lists of entries, the names forms offer): after any save, correction,
deletion or rename, each part draws itself again, once.

Step-specific touches are small subclasses or options: the blame-balance note,
the BRAVING suggestions for qualities, the observation checklist, and renaming.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import difflib
import html
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import traitlets

from .charts import LABELS
from .errors import JournalError, Problem
from .journal import Journal
from .schema import BRAVING, ID, TABLES, Column, Table, get_table

_WIDE = widgets.Layout(width="min(100%, 36rem)")
_ANSWER = widgets.Layout(width="min(100%, 20rem)")
_STYLE = {"description_width": "11rem"}
_EMPTY_CHOICE = "(none)"
_RED = "#b3261e"
_GREEN = "#1b6e3a"

Callback = Callable[[dict[str, Any]], None]


def _label(value: str) -> str:
    return value.replace("_", " ")


def label_of(value: str, column: Column | None = None) -> str:
    """The words a form shows for a stored choice: the charts' words where they have some.

    ``charts.LABELS`` holds the words the charts show ("pending" is "Waiting"). For a
    ``column``, they are used only when the charts name every one of its choices, so the
    choices of one field read alike (a red flag's "heeded" is not the chart series "Red
    flags I heeded", and a relationship's "other" stays lower case beside "friend").
    Otherwise the value is shown with spaces for underscores. Forms still save the value.
    """
    choices = column.choices if column is not None else (value,)
    if all(choice in LABELS for choice in choices):
        return LABELS[value]
    return _label(value)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html(value: str = "", **options: Any) -> widgets.HTML:
    """An HTML widget with an empty tooltip (an unset one shows as the tooltip "null")."""
    return widgets.HTML(value, tooltip="", **options)


def _warning(text: str) -> str:
    return f'<span style="color:{_RED}">⚠ {_esc(text)}</span>'


def _done(text: str) -> str:
    return f'<div style="color:{_GREEN}" role="status">✓ {_esc(text)}</div>'


class _Sends(traitlets.HasTraits):
    """Mixed into each field: its browser side can be asked to send what it holds.

    ipywidgets keeps one update per widget on its way to the kernel: until the kernel
    has handled it, newer values (the rest of a note typed quickly, a second press of
    an arrow key) wait in the browser. A click does not wait, and JupyterLab 4.6 with
    ipykernel 7.4 may even handle widget messages in two threads, in any order. So a
    click could be handled before the last keystrokes: a note was saved as "S", and
    "orry" arrived after the save, in the next entry.

    The kernel sets ``_asked``; a ``jsdlink`` in the browser copies it to ``_sent`` and
    sends the field's changes. That message goes the way of the field's own updates:
    if a value is waiting, the two go together, in one message; if none is, the
    field's last update has already been handled. Either way, when ``_sent`` comes
    back, the kernel has the value the field held when it was asked.
    """

    _asked = traitlets.Int(0).tag(sync=True)
    _sent = traitlets.Int(0).tag(sync=True)

    def __init__(self, *args: Any, **options: Any):
        super().__init__(*args, **options)
        self._echo = widgets.jsdlink((self, "_asked"), (self, "_sent"))


class _Text(_Sends, widgets.Text):
    """A Text box that can be asked to send what it holds."""


class _Textarea(_Sends, widgets.Textarea):
    """A Textarea that can be asked to send what it holds."""


class _Combobox(_Sends, widgets.Combobox):
    """A Combobox that can be asked to send what it holds."""


class _BoundedIntText(_Sends, widgets.BoundedIntText):
    """A number box that can be asked to send what it holds."""


class _Dropdown(_Sends, widgets.Dropdown):
    """A Dropdown that can be asked to send what it holds."""


class _Select(_Sends, widgets.Select):
    """A list to choose from that can be asked to send what it holds."""


class _DatePicker(_Sends, widgets.DatePicker):
    """A DatePicker that can be asked to send what it holds."""


class _Checkbox(_Sends, widgets.Checkbox):
    """A Checkbox that can be asked to send what it holds."""


_ASKED = itertools.count(1)
_SENT_LOCK = threading.Lock()


def _fields_in(widget: widgets.Widget) -> list[_Sends]:
    """The fields in ``widget`` and everything inside it."""
    found = [widget] if isinstance(widget, _Sends) else []
    for child in getattr(widget, "children", ()):
        found += _fields_in(child)
    return found


def when_sent(fields: list[_Sends], callback: Callable[[], Any]) -> None:
    """Call ``callback()`` once each of ``fields`` has sent the kernel what it holds.

    At once if there are none (or all are closed). See :class:`_Sends`.
    """
    waiting = {id(f): f for f in fields if f.comm is not None}
    if not waiting:
        callback()
        return
    asked = next(_ASKED)
    fields = list(waiting.values())
    ready: list[bool] = []

    def sent(change: dict) -> None:
        with _SENT_LOCK:  # fields may answer in two threads at once
            if ready or change["new"] < asked:
                return
            waiting.pop(id(change["owner"]), None)
            if waiting:
                return
            ready.append(True)
        for field in fields:
            field.unobserve(sent, names="_sent")
        callback()

    for field in fields:
        field.observe(sent, names="_sent")
    for field in fields:
        field._asked = asked


class _Button(widgets.Button):
    """A button whose click in the browser is handled once its fields have sent their values.

    ``holds()`` gives the fields whose values the click acts on (see :func:`when_sent`).
    ``click()`` from Python (as tests do) acts at once. Buttons have no icon: ipywidgets
    draws one as a Font Awesome character, which becomes part of the button's name.
    """

    def __init__(self, *, holds: Callable[[], list[_Sends]] | None = None, **options: Any):
        super().__init__(**options)
        self.holds = holds or list

    def _handle_button_msg(self, _widget: Any, content: dict, _buffers: Any) -> None:
        # ipywidgets' handler of the browser's click message (Button.__init__ registers it)
        if content.get("event") == "click":
            when_sent(self.holds(), self.click)


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
    "people": _Names("person", "person", "your people", "Someone new…", "Add to my people",
                     "them", "they"),
    "qualities": _Names("quality", "quality", "your qualities", "A new quality…",
                        "Add to my qualities", "it", "it"),
}


def known_names(journal: Journal, kind: str) -> tuple[str, ...]:
    """The people (``kind="people"``) or qualities in the journal, trimmed, sorted."""
    names = journal.table(kind)[_NAMES[kind].key].str.strip()
    return tuple(sorted(set(names[names != ""]), key=str.casefold))


def _same_name(a: str, b: str) -> bool:
    """Names are the same when they match trimmed and ignoring case ("sam " is "Sam")."""
    return a.strip().casefold() == b.strip().casefold()


class Page:
    """Everything one notebook page shows of a journal, drawn again after any change.

    Parts are anything with a ``refresh()`` method: live charts and sentences
    (:class:`Live`), lists of entries, forms (which offer the names now in the
    journal), checklists and panels. Forms, lists and panels given a page call
    :meth:`refresh` once after each save, correction, deletion or rename, and
    every part then redraws once. Parts are kept by ``key`` (one per notebook
    cell), so running a cell again replaces its parts instead of adding more.
    """

    def __init__(self) -> None:
        self._parts: dict[str, list[Any]] = {}
        self.refreshes = 0

    def add(self, key: str, *parts: Any) -> None:
        """Keep ``parts`` under ``key``, replacing what was kept there before."""
        self._parts[key] = list(parts)

    def parts(self, key: str | None = None) -> list[Any]:
        """The parts kept under ``key``, or every part, in the order they were added."""
        if key is not None:
            return list(self._parts.get(key, ()))
        return [part for group in self._parts.values() for part in group]

    @property
    def editable(self) -> bool:
        """Whether anything on the page can change the journal (a form, a list, a panel)."""
        return any(not isinstance(part, Live) for part in self.parts())

    def refresh(self, source: Any = None) -> None:
        """Redraw every part once (and ``source``, the part that changed the journal).

        A part that cannot read its table (a file broken outside trustlab since it was
        drawn) is left as it was, and the others still redraw; live outputs show what
        to fix instead.
        """
        parts = self.parts()
        if source is not None and all(part is not source for part in parts):
            parts.append(source)
        for part in parts:
            with contextlib.suppress(JournalError):
                part.refresh()
        self.refreshes += 1


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
            options=known_names(journal, kind), ensure_option=False, continuous_update=False,
            placeholder=placeholder or f"Type a few letters to find one of {self.words.noun}",
            description=description, tooltip=tooltip, description_allow_html=False,
            style=_STYLE, layout=_WIDE,
        )
        self.new_button = _Button(
            holds=lambda: [self.combobox], description=self.words.new,
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
        return (f"“{typed}” is not one of {self.words.noun}.{hint} Choose a name from the "
                "list (type a few letters to find it), or press "
                f"“{self.words.new}” to add {self.words.it}.")

    def _typed(self, change: dict) -> None:
        name = self.resolve()
        if name and name != change["new"]:
            self.combobox.value = name  # the listed spelling: "sam " becomes "Sam"
            return
        self.message.value = "" if name is not None else _warning(self.problem())

    # --- someone new -------------------------------------------------------

    def open_new(self) -> EntryForm:
        """Show the people (qualities) form here, with what was typed as the name."""
        if self.new_form is None:
            self.new_form = entry_form(self.journal, self.kind, save_label=self.words.add,
                                       on_saved=self._added)
            close = _Button(description="Never mind")
            close.on_click(lambda _: self.close_new())
            self._new_children = [
                _html(f"<i>Add a {self.words.one} to {self.words.noun}: as soon as you "
                      f"save, {self.words.they} will be chosen here.</i>"),
                self.new_form.widget, close,
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
            holds=lambda: _fields_in(self.body), description=save_label,
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
        self.widget = widgets.VBox([self.status] if edit_only else [self.body, self.status],
                                   layout=widgets.Layout(padding="0.5rem 0"))
        self.reset()

    # --- building ----------------------------------------------------------

    def _widget(self, col: Column) -> widgets.Widget:
        common = {"description": col.label, "style": _STYLE, "layout": _WIDE,
                  "description_allow_html": False, "tooltip": col.help or ""}
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
            return NamePicker(self.journal, col.refers_to, description=col.label,
                              tooltip=col.help, on_added=lambda _entry: self._changed())
        # Each key is sent as it is typed (ipywidgets' default); a click waits for the last.
        if col.long_text:
            return _Textarea(placeholder=col.help, rows=3, continuous_update=True, **common)
        return _Text(placeholder=col.help, continuous_update=True, **common)

    @staticmethod
    def _row(col: Column, widget: widgets.Widget) -> widgets.Widget:
        """The field as the form shows it: a number with its range in words beside it."""
        if col.kind != "int":
            return widget
        return widgets.HBox([widget, _html(f'<span style="color:#555">{_esc(col.help)}</span>',
                                           layout=widgets.Layout(margin="0 0 0 0.5rem"))])

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
                    problems.append(Problem(self.table.filename, 0, col.name, widget.value,
                                            widget.problem(), code="unknown_reference"))
                else:
                    values[col.name] = widget.value = name
            elif col.unique and self.table.name in _NAMES and isinstance(values[col.name], str):
                values[col.name] = values[col.name].strip()
                problem = self._own_name_problem(col, values[col.name])
                if problem:
                    problems.append(Problem(self.table.filename, 0, col.name, values[col.name],
                                            problem, code="duplicate"))
        return problems

    def _own_name_problem(self, col: Column, name: str) -> str | None:
        if not name:
            return None  # the journal says it is required
        words = _NAMES[self.table.name]
        frame = self.journal.table(self.table.name)
        others = frame if self.editing is None else frame[frame[ID] != self.editing]
        taken = next((n.strip() for n in others[col.name] if _same_name(n, name)), None)
        if taken is not None:
            return (f"{taken} is already in {words.noun} ({self.table.filename}): each "
                    f"{words.one} is listed once. To change their details, choose them under "
                    "“Correct or delete” and press Edit." if self.table.name == "people" else
                    f"{taken} is already in {words.noun} ({self.table.filename}): each "
                    f"{words.one} is listed once. To change it, choose it under “Correct or "
                    "delete” and press Edit.")
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
        return (f"{old} is named in {named} other {entries}, which would lose track of "
                f"{words.it}. To change the name "
                f"everywhere at once, use “{panel}” further down; here, change only the "
                "other details.")

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
            self.status.value = (f'<div style="color:{_RED}">That entry is no longer '
                                 "there.</div>")
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


_NUMBER = widgets.Layout(width="18rem")


def _number(col: Column, **common: Any) -> _BoundedIntText:
    """A whole number from ``col.minimum`` to ``col.maximum``: typed, or stepped with arrows.

    It is sent to the kernel when the box is left (or Enter is pressed), so a half-typed
    "7" of "70" never reaches the form's notes.
    """
    return _BoundedIntText(min=col.minimum, max=col.maximum, step=1, continuous_update=False,
                           **{**common, "layout": _NUMBER})


class OptionalNumber(widgets.HBox):
    """A number box with a "not sure yet" box: its ``value`` is None while the box is ticked.

    Typing a number (or stepping to one) unticks "not sure yet".
    """

    def __init__(self, col: Column, **common: Any):
        self.number = _number(col, **common)
        self.empty = _Checkbox(value=True, description="not sure yet", indent=False,
                               tooltip="", layout=widgets.Layout(width="9rem"))
        self.number.observe(self._touched, names="value")
        super().__init__([self.number, self.empty])

    def _touched(self, _change: dict) -> None:
        self.empty.value = False

    @property
    def value(self) -> int | None:
        return None if self.empty.value else self.number.value

    @value.setter
    def value(self, value: int | None) -> None:
        if value is None or value == "":
            self.empty.value = True
        else:
            self.number.value = int(value)
            self.empty.value = False


OptionalIntSlider = OptionalNumber
"""The name the optional number had while it was a slider."""


class Live:
    """An output area showing something drawn from the journal, drawn again on refresh().

    ``make`` builds what to show from the journal as it is now: a chart (for example
    ``lambda: charts.marble_jars(journal)``) or an ``IPython.display.HTML``. Each
    of ``sources`` (forms) redraws it after a save; on a notebook page, the
    :class:`Page` redraws it instead. ``drawn`` is what was drawn last, and a
    journal that cannot be read is shown as what to fix, not a traceback. A chart
    drawn as SVG is shown as an image whose alternative text is its title
    (:func:`accessible`).
    """

    def __init__(self, make: Callable[[], Any], *sources: Any):
        self.make = make
        self.output = widgets.Output()
        self.drawn: Any = None
        self.draws = 0
        for source in sources:
            source.on_saved(lambda _entry: self.refresh())
        self.refresh()

    @property
    def chart(self) -> Any:
        """What was drawn last (for a live chart, the chart)."""
        return self.drawn

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.output)

    def refresh(self) -> None:
        from IPython.display import HTML, clear_output, display

        try:
            self.drawn = self.make()
        except JournalError as error:
            self.drawn = HTML(_alert(error, where=True))
        self.draws += 1
        with self.output:
            clear_output(wait=True)
            display(accessible(self.drawn))


LiveChart = Live
"""The name a live chart had first."""


def accessible(shown: Any) -> Any:
    """``shown``, or for a chart drawn as SVG, an image with its title as alternative text.

    JupyterLab shows an SVG output (Altair's offline renderer) as an ``<img>`` with no
    ``alt``, so a screen reader announces an unnamed image. The same SVG in an ``<img>``
    whose ``alt`` is the chart's title and subtitle says what the chart shows.
    Anything else (HTML, an interactive chart) is returned as it is.
    """
    bundle = getattr(shown, "_repr_mimebundle_", None)
    if bundle is None or not hasattr(shown, "title"):
        return shown
    data = bundle()
    data = data[0] if isinstance(data, tuple) else data
    svg = data.get("image/svg+xml") if isinstance(data, dict) else None
    if not isinstance(svg, str):
        return shown
    from IPython.display import HTML

    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return HTML(f'<img alt="{_esc(_chart_words(shown))}" '
                f'src="data:image/svg+xml;base64,{source}">')


def _chart_words(chart: Any) -> str:
    """A chart's title and subtitle as sentences ("A chart." without a title)."""
    title = chart.title
    text = getattr(title, "text", title)
    subtitle = getattr(title, "subtitle", None)
    parts = []
    for part in (text, subtitle):
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, list | tuple):
            parts.append(" ".join(str(line) for line in part))
    words = " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())
    return f"Chart: {words}" if words else "A chart."


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
        self.select = _Select(options=[], rows=6, description="Entries", tooltip="",
                              style=_STYLE, layout=_WIDE)
        self.edit_button = _Button(holds=lambda: [self.select], description="Edit")
        self.delete_button = _Button(holds=lambda: [self.select], description="Delete",
                                     button_style="warning")
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


def _alert(error: JournalError, *, where: bool = False) -> str:
    """A failed save or deletion, in the words of its problems, escaped.

    With ``where``, each problem also says its file, line and column (for a table
    that could not be read).
    """
    if where:
        lines = [str(p) for p in error.problems]
    else:
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
        self.share_note = _html()
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
    """The qualities form, with the BRAVING elements offered as starting suggestions.

    Each suggestion is a button that puts its words in the Quality field.
    """

    def __init__(self, journal: Journal, table: str = "qualities", **options: Any):
        super().__init__(journal, table, **options)
        self.suggestions: dict[str, widgets.Button] = {}
        for element in BRAVING:
            button = _Button(description=_label(element), layout=widgets.Layout(width="auto"),
                             tooltip=f"Use '{_label(element)}' as the quality")
            button.on_click(lambda _, element=element: self.suggest(element))
            self.suggestions[element] = button
        heading = _html("Suggestions:", layout=widgets.Layout(
            width="11rem", min_width="11rem", justify_content="flex-end", padding="0 8px 0 0"))
        row = widgets.HBox([heading, widgets.HBox(list(self.suggestions.values()),
                                                  layout=widgets.Layout(flex_flow="row wrap"))])
        self.widget.children = (row, *self.widget.children)

    def suggest(self, element: str) -> None:
        """Put the BRAVING ``element`` in the Quality field (its words, with spaces)."""
        self.fields["quality"].value = _label(element)


class ObservationChecklist:
    """One checklist per person and date: did they show each of my qualities?

    Saves one observation per quality answered (qualities left on "skip" are
    not saved), all in one write. On a :class:`Page`, a save redraws the page once.
    """

    SKIP = "skip"

    def __init__(self, journal: Journal, *, on_saved: Callback | None = None,
                 page: Page | None = None):
        self.journal = journal
        self.page = page
        self._callbacks: list[Callback] = [on_saved] if on_saved else []
        self.date = _DatePicker(value=datetime.date.today(), description="Date", tooltip="",
                                style=_STYLE, layout=_WIDE)
        self.person = NamePicker(journal, "people", description="Person",
                                 placeholder="Who are you thinking about?",
                                 on_added=lambda _entry: self._changed())
        self.note = _Textarea(description="Note", style=_STYLE, layout=_WIDE, rows=2,
                              tooltip="", placeholder="Anything you want to remember.")
        self.answers: dict[str, widgets.Dropdown] = {}
        self.checklist = widgets.VBox([])
        self.save_button = _Button(holds=lambda: _fields_in(self.widget),
                                   description="Save checklist", button_style="primary")
        self.save_button.on_click(lambda _: self.save())
        self.status = _html()
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
        self.person.refresh()
        qualities = [q for q in self.journal.table("qualities")["quality"] if q.strip()]
        if self.checklist.children and qualities == list(self.answers):
            return  # the same qualities: keep the answers given so far
        previous = {q: w.value for q, w in self.answers.items()}
        shown = TABLES["observations"].column("shown")
        options = [(label_of(c, shown), c) for c in shown.choices] + [("skip", self.SKIP)]
        self.answers = {
            q: _Dropdown(
                options=options, value=previous.get(q, self.SKIP), description=q,
                tooltip="", style=_STYLE, description_allow_html=False, layout=_ANSWER,
            )
            for q in qualities
        }
        if self.answers:
            self.checklist.children = list(self.answers.values())
        else:
            self.checklist.children = [_html(
                "<i>Add your qualities first (above); they will appear here as a checklist.</i>"
            )]

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
            self.status.value = _warning("Choose a person first." if person == "" else
                                         "Nothing was saved yet: please look at the person.")
            if person is None:
                self.person.message.value = _warning(self.person.problem())
            return []
        self.person.value = person
        if not answered:
            self.status.value = _warning("Answer at least one quality (yes, no or unsure).")
            return []
        try:
            saved = self.journal.add_many("observations", [
                {"date": self.date.value, "person": person, "quality": quality,
                 "shown": shown, "note": self.note.value}
                for quality, shown in answered.items()
            ])
        except JournalError as error:
            self.status.value = _alert(error)
            return []
        self.status.value = _done(f"Saved {len(saved)} observation"
                                  f"{'s' if len(saved) != 1 else ''} about {person}.")
        for w in self.answers.values():
            w.value = self.SKIP
        self.note.value = ""
        self._changed()
        for callback in self._callbacks:
            for entry in saved:
                callback(entry)
        return saved


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
        return (f"{name} is not named in any entry yet: only "
                f"{TABLES[kind].filename} changes.")
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
        self.old = NamePicker(journal, kind, allow_new=False,
                              description="Person" if kind == "people" else "Quality",
                              placeholder=f"Type a few letters to find one of {self.words.noun}")
        self.new = _Text(description="New name" if kind == "people" else "New wording",
                         tooltip="", style=_STYLE, layout=_WIDE,
                         placeholder="The name to use from now on")
        self.label = f"Rename this {self.words.one}"
        self.rename_button = _Button(holds=lambda: _fields_in(self.widget),
                                     description=self.label, button_style="warning",
                                     layout=widgets.Layout(width="auto"))
        self.rename_button.on_click(lambda _: self.rename())
        self.preview = _html()
        self.status = _html()
        self._armed: tuple[str, str] | None = None
        self.old.combobox.observe(self._chosen, names="value")
        self.new.observe(self._retyped, names="value")
        self.widget = widgets.VBox([self.old, self.preview, self.new, self.rename_button,
                                    self.status])
        self.refresh()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def refresh(self) -> None:
        """Offer the names now in the journal, and say again where the chosen one appears."""
        self.old.refresh()
        name = self.old.resolve()
        self.preview.value = "" if not name else (
            f"<p>{_esc(_where(name, self.journal.references(self.kind, name), self.kind))}</p>"
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
            self.status.value = (f"<p>Rename {_esc(old)} to <b>{_esc(new)}</b> in all of "
                                 "these? (click again to confirm)</p>")
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
            return (f"Choose the {self.words.one} to rename first (type a few letters to find "
                    f"{self.words.it}).")
        if not new:
            return "Type the new name first."
        if new == old:
            return f"{old} is already called that: type the new name."
        taken = next((n for n in self.old.names() if n != old and _same_name(n, new)), None)
        if taken is not None:
            return (f"{taken} is already in {self.words.noun}: choose another name (names are "
                    "compared ignoring capitals and spaces at either end).")
        return None


class UndoPanel:
    """Put back a version of a file that trustlab kept before a change (two clicks).

    Lists the backups in ``.trustlab/backups/``, newest first; the version a restore
    replaces is kept too, so a restore can be undone the same way.
    """

    def __init__(self, journal: Journal):
        self.journal = journal
        self.select = _Dropdown(options=[], description="Version", tooltip="", style=_STYLE,
                                layout=widgets.Layout(width="min(100%, 48rem)"))
        self.restore_button = _Button(holds=lambda: [self.select],
                                      description="Put this version back",
                                      button_style="warning")
        self.restore_button.on_click(lambda _: self.restore())
        self.fragments = _html()
        self.status = _html()
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
