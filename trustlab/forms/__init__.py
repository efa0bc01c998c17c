"""ipywidgets forms for the journal, generated from the table declarations.

One builder, :class:`EntryForm`, makes the form for any table from
:mod:`trustlab.schema`: a date picker defaulting to today, a dropdown for allowed
values (in the schema's words, as the charts use them: :func:`label_of`), a number box for bounded
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

The package, by concept: :mod:`.fields` (the fields, buttons, words and messages
forms are built from), :mod:`.page` (the page and its live outputs), :mod:`.names`
(choosing a person or a quality), :mod:`.entry` (the form for one table),
:mod:`.steps` (the step-specific forms and the checklist) and :mod:`.panels`
(correct or delete, rename, undo). Every name is importable from ``trustlab.forms``.
"""

from .entry import EntryForm
from .fields import Callback, OptionalIntSlider, OptionalNumber, label_of, when_sent
from .names import NamePicker, known_names
from .page import Live, LiveChart, Page, accessible
from .panels import EntryList, RenamePanel, UndoPanel, entry_label
from .steps import ObservationChecklist, QualityForm, TriggerForm, entry_form

__all__ = [
    "Callback",
    "EntryForm",
    "EntryList",
    "Live",
    "LiveChart",
    "NamePicker",
    "ObservationChecklist",
    "OptionalIntSlider",
    "OptionalNumber",
    "Page",
    "QualityForm",
    "RenamePanel",
    "TriggerForm",
    "UndoPanel",
    "accessible",
    "entry_form",
    "entry_label",
    "known_names",
    "label_of",
    "when_sent",
]

# The private helpers stay importable from trustlab.forms, as they were before the split.
from .fields import _ANSWER as _ANSWER
from .fields import _ASKED as _ASKED
from .fields import _EMPTY_CHOICE as _EMPTY_CHOICE
from .fields import _GREEN as _GREEN
from .fields import _NUMBER as _NUMBER
from .fields import _RED as _RED
from .fields import _SENT_LOCK as _SENT_LOCK
from .fields import _STYLE as _STYLE
from .fields import _WIDE as _WIDE
from .fields import _alert as _alert
from .fields import _BoundedIntText as _BoundedIntText
from .fields import _Button as _Button
from .fields import _Checkbox as _Checkbox
from .fields import _Combobox as _Combobox
from .fields import _DatePicker as _DatePicker
from .fields import _done as _done
from .fields import _Dropdown as _Dropdown
from .fields import _esc as _esc
from .fields import _fields_in as _fields_in
from .fields import _html as _html
from .fields import _number as _number
from .fields import _Select as _Select
from .fields import _Sends as _Sends
from .fields import _Text as _Text
from .fields import _Textarea as _Textarea
from .fields import _warning as _warning
from .names import _NAMES as _NAMES
from .names import _Names as _Names
from .names import _same_name as _same_name
from .panels import _TABLE_NOUNS as _TABLE_NOUNS
from .panels import _where as _where
