"""The coach report: exactly what the person chooses to share, and nothing else.

The person picks the steps to share, a date range, and whether what they wrote and
people's real names go in (:class:`ReportOptions`); by default only counts, scores and
charts are shared, with people shown as "Person A", "Person B" ... :func:`preview` builds
the report in memory and :meth:`Preview.write` (or :func:`export`) writes it:

``report.html``
    A static page that opens with a one-page brief: no JavaScript, no request to any
    other host (a Content Security Policy forbids both), charts inlined as SVG.
``report.ipynb``
    The same content as a notebook of static outputs, with empty cells for the coach's
    notes (``trustlab reply`` gathers them). No code, widget state or metadata.
``report.json``
    The brief and shared figures only, for the coach's review notebook
    (:func:`read_reports`, :func:`compare_reports`).
``csv/*.csv`` (with ``csv=True``)
    The report's tables for a spreadsheet, formulas neutralised.

With a coach's public key, :meth:`Preview.seal` writes the same files as one file only
that coach can open (age encryption, :mod:`.seal`).

The package, in the order data flow through it: :mod:`.options` (what may be shared, and
the choices), :mod:`.consent` (the shared view and pseudonyms: the only thing a report is
made from), :mod:`.content` / :mod:`.sections` / :mod:`.build` (the report as data) and
:mod:`.brief`, then one writer per format (:mod:`.html` with its templates,
:mod:`.notebook`, :mod:`.files`), :mod:`.folder` (where a report may go), :mod:`.output`
(the API here) and :mod:`.coach` (the coach's side: reading reports, the reply).

Names are loaded when first used, so checking options (:mod:`.options`) is quick.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "ALL": "options",
    "FORMAT": "options",
    "MAX_ROWS": "options",
    "NEVER_SHARED": "options",
    "SECTIONS": "options",
    "ExportError": "options",
    "ReportExists": "options",
    "ReportOptions": "options",
    "FREE_TEXT": "consent",
    "pseudonym": "consent",
    "neutralise": "files",
    "ExportResult": "output",
    "Preview": "output",
    "export": "output",
    "preview": "output",
    "ReplyError": "coach",
    "compare_reports": "coach",
    "gather_reply": "coach",
    "import_reply": "coach",
    "read_reports": "coach",
    "SealError": "seal",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
