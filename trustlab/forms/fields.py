"""The fields and buttons every form is built from, and the words and messages they show.

Each field can be asked to send the kernel what it holds (:class:`_Sends`,
:func:`when_sent`), and a :class:`_Button`'s click in the browser waits for that.
Here too: the layout shared by the forms, :func:`label_of` (the schema's words for a
stored choice), the HTML of warnings, confirmations and alerts, and the number
boxes (:class:`OptionalNumber`).
"""

from __future__ import annotations

import html
import itertools
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from ..errors import JournalError
from ..schema import TABLES, Column, plain

_WIDE = widgets.Layout(width="min(100%, 36rem)")
_ANSWER = widgets.Layout(width="min(100%, 20rem)")
_STYLE = {"description_width": "11rem"}
_EMPTY_CHOICE = "(none)"
_RED = "#b3261e"
_GREEN = "#1b6e3a"

Callback = Callable[[dict[str, Any]], None]


def label_of(value: str, column: Column | None = None) -> str:
    """The words a form shows for a stored choice: its label in the schema.

    The charts and reports show the same words ("pending" is "Waiting"). Without a
    ``column``, the label is the one of the first column of the schema with that choice.
    Forms still save the value.
    """
    if column is None:
        column = next((c for t in TABLES.values() for c in t.columns if value in c.choices), None)
    return column.label_of(value) if column is not None else plain(value)


def _esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html(value: str = "", **options: Any) -> widgets.HTML:
    """An HTML widget with an empty tooltip (an unset one shows as the tooltip "null")."""
    return widgets.HTML(value, tooltip="", **options)


def _warning(text: str) -> str:
    return f'<span style="color:{_RED}">⚠ {_esc(text)}</span>'


def _done(text: str) -> str:
    return f'<div style="color:{_GREEN}" role="status">✓ {_esc(text)}</div>'


def _alert(error: JournalError, *, where: bool = False) -> str:
    """A failed save or deletion, in the words of its problems, escaped.

    With ``where``, each problem also says its file, line and column (for a table
    that could not be read).
    """
    if where:
        lines = [str(p) for p in error.problems]
    else:
        lines = [f"{p.message[:1].upper()}{p.message[1:]}" for p in error.problems]
    return (
        '<div style="color:#b3261e" role="alert">⚠ '
        + "<br>".join(_esc(line) for line in lines)
        + "</div>"
    )


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


_NUMBER = widgets.Layout(width="18rem")


def _number(col: Column, **common: Any) -> _BoundedIntText:
    """A whole number from ``col.minimum`` to ``col.maximum``: typed, or stepped with arrows.

    It is sent to the kernel when the box is left (or Enter is pressed), so a half-typed
    "7" of "70" never reaches the form's notes.
    """
    return _BoundedIntText(
        min=col.minimum,
        max=col.maximum,
        step=1,
        continuous_update=False,
        **{**common, "layout": _NUMBER},
    )


class OptionalNumber(widgets.HBox):
    """A number box with a "not sure yet" box: its ``value`` is None while the box is ticked.

    Typing a number (or stepping to one) unticks "not sure yet".
    """

    def __init__(self, col: Column, **common: Any):
        self.number = _number(col, **common)
        self.empty = _Checkbox(
            value=True,
            description="not sure yet",
            indent=False,
            tooltip="",
            layout=widgets.Layout(width="9rem"),
        )
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
