"""Sharing with a coach, in a notebook: the person's form, and bringing the reply in.

:class:`ShareForm` is the form of *07 Share with a coach*: choose what to share,
**Preview** the report exactly as it will be written (nothing is written yet),
then **Write the report**. Writing is only possible right after a preview of the
same choices, so nothing is shared that the person has not seen.

:class:`ReplyForm` brings the coach's reply (reply.json) into the journal. The coach's
side is :mod:`trustlab.review`.
"""

from __future__ import annotations

import datetime
import html
import os
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from .journal import Journal
from .report.coach import ReplyError, import_reply
from .report.options import NEVER_SHARED, SECTIONS, ExportError, ReportOptions
from .report.output import ExportResult, Preview, preview

__all__ = ["ReplyForm", "ShareForm", "form", "reply_form"]

REPORTS_DIR = Path("~/trustlab-reports")
"""Where the form suggests writing reports: one folder per report inside it."""

_BOX = "padding:0.6rem 0.9rem;border-radius:6px;margin:0.3rem 0;max-width:48rem"
_WIDE = widgets.Layout(width="min(100%, 40rem)")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _note(text: str, colour: str = "#eef5f1", *, alert: bool = False) -> str:
    role = ' role="alert"' if alert else ""
    return f'<div style="{_BOX};background:{colour}"{role}>{text}</div>'


def default_folder(today: datetime.date | None = None) -> Path:
    """A new folder for today's report inside :data:`REPORTS_DIR`."""
    return REPORTS_DIR / f"report-{(today or datetime.date.today()).isoformat()}"


class ShareForm:
    """Choose what to share, preview it, then write the report.

    Attributes
    ----------
    sections : dict[str, ipywidgets.Checkbox]
        One checkbox per step, all ticked at first.
    since, until : ipywidgets.DatePicker
        The date range (empty: from the first entry, up to the latest).
    include_text, real_names : ipywidgets.Checkbox
        Share what was written, and real names; both unticked at first.
    note : ipywidgets.Textarea
        A note for the coach.
    folder : ipywidgets.Text
        Where to write the report.
    to_coach : ipywidgets.Text
        The coach's public key (optional): the report is then sealed for them, into one
        file (the folder's name with ``.age``) that only they can open.
    preview_button, export_button : ipywidgets.Button
    status : ipywidgets.HTML
    output : ipywidgets.Output
        Shows the preview.
    """

    def __init__(self, journal: Journal, *, folder: str | os.PathLike | None = None):
        self.journal = journal
        self.last_preview: Preview | None = None
        self.last_result: ExportResult | None = None
        check = {"indent": False, "layout": _WIDE, "style": {"description_width": "initial"}}
        self.sections = {
            key: widgets.Checkbox(value=True, description=s.heading, **check)
            for key, s in SECTIONS.items()
        }
        self.since = widgets.DatePicker(description="From", value=None, tooltip="")
        self.until = widgets.DatePicker(description="Up to", value=None, tooltip="")
        self.include_text = widgets.Checkbox(
            value=False,
            description="Include what I wrote (notes, moments, situations, beliefs, evidence…)",
            **check,
        )
        self.real_names = widgets.Checkbox(
            value=False, description="Use real names instead of Person A, Person B…", **check
        )
        self.note = widgets.Textarea(
            placeholder="A few words for your coach (optional). They will see exactly this.",
            layout=widgets.Layout(width="min(100%, 40rem)", height="5rem"),
        )
        self.moment = widgets.Dropdown(
            options=_recent_entries(journal),
            value="",
            description="A moment to talk about",
            style={"description_width": "initial"},
            layout=_WIDE,
            tooltip="Shown first in the report, with what you wrote about it",
        )
        self.folder = widgets.Text(
            value=str(folder if folder is not None else default_folder()),
            description="Folder",
            layout=_WIDE,
        )
        self.to_coach = widgets.Text(
            value="",
            placeholder="age1… (optional: your coach's public key)",
            description="Seal for",
            layout=_WIDE,
            tooltip="Your coach's public key, from trustlab coach-key: the report is written "
            "as one file only they can open",
        )
        self.replace = widgets.Checkbox(
            value=False,
            description="Replace the report already there (if there is one)",
            **check,
        )
        self.preview_button = widgets.Button(
            description="Preview",
            button_style="info",
            icon="eye",
            tooltip="See the report exactly as it will be written; nothing is written yet",
        )
        self.export_button = widgets.Button(
            description="Write the report",
            button_style="success",
            icon="check",
            disabled=True,
            tooltip="Write the report you previewed into the folder",
        )
        self.status = widgets.HTML()
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        self.preview_button.on_click(lambda _b: self.preview())
        self.export_button.on_click(lambda _b: self.export())
        for choice in self._choices():
            choice.observe(self._changed, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML("<b>Which steps to share</b>"),
                *self.sections.values(),
                widgets.HTML("<b>Which dates</b> (leave empty for all of them)"),
                widgets.HBox([self.since, self.until]),
                widgets.HTML("<b>Words and names</b> (both off unless you choose them)"),
                self.include_text,
                self.real_names,
                widgets.HTML("<b>A note for your coach</b>"),
                self.note,
                widgets.HTML(
                    "<b>One moment to talk about</b> (optional: it opens the report, with "
                    "what you wrote about it; names hidden unless you share real names)"
                ),
                self.moment,
                widgets.HTML(
                    "<b>Where to write it</b> (a new folder; it is never your journal folder)"
                ),
                self.folder,
                widgets.HTML(
                    "<b>Sealed for your coach</b> (optional: with their public key, the report "
                    "is written as one file, the folder's name with <code>.age</code>, that "
                    "only they can open)"
                ),
                self.to_coach,
                self.replace,
                widgets.HBox([self.preview_button, self.export_button]),
                self.status,
                self.output,
            ]
        )

    def _choices(self) -> list[widgets.Widget]:
        return [
            *self.sections.values(),
            self.since,
            self.until,
            self.include_text,
            self.real_names,
            self.note,
            self.moment,
        ]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def options(self) -> ReportOptions:
        """The choices, checked (:class:`ExportError` says what is wrong)."""
        return ReportOptions(
            sections=tuple(key for key, box in self.sections.items() if box.value),
            since=self.since.value,
            until=self.until.value,
            include_text=self.include_text.value,
            real_names=self.real_names.value,
            note=self.note.value,
            moment=self.moment.value or None,
        )

    def _changed(self, _change: dict) -> None:
        had_preview = self.last_preview is not None
        self.last_preview = None
        self.export_button.disabled = True
        self.output.outputs = ()
        if had_preview:
            self.status.value = _note(
                "You changed your choices: click <b>Preview</b> again to "
                "see the report as it is now.",
                "#f4f4f4",
            )

    def preview(self) -> Preview | None:
        """Build the report and show it; nothing is written."""
        self.last_preview = None
        self.export_button.disabled = True
        self.output.outputs = ()
        try:
            built = preview(self.journal, self.options())
        except ExportError as error:
            self.status.value = _note(_e(error), "#fbeaea", alert=True)
            return None
        self.last_preview = built
        self.output.outputs = (
            {
                "output_type": "display_data",
                "data": {"text/html": built._repr_html_(), "text/plain": repr(built)},
                "metadata": {},
            },
        )
        self.export_button.disabled = False
        self.status.value = _note(
            "<b>Nothing has been written yet.</b> Below is exactly what the report will "
            "show (scroll inside the frame). If it looks right, check the folder and click "
            "<b>Write the report</b>. If not, change your choices and preview again."
        )
        return built

    def export(self) -> ExportResult | None:
        """Write the report last previewed into the chosen folder."""
        if self.last_preview is None:
            self.status.value = _note(
                "Click <b>Preview</b> first, so you see exactly what "
                "will be shared before anything is written.",
                "#fff4d6",
                alert=True,
            )
            return None
        folder = self.folder.value.strip()
        if not folder:
            self.status.value = _note(
                "Choose a folder to write the report to.", "#fbeaea", alert=True
            )
            return None
        key = self.to_coach.value.strip()
        try:
            if key:
                place = Path(folder).expanduser()
                result = self.last_preview.seal(place.with_name(place.name + ".age"), key,
                                                replace=self.replace.value)
            else:
                result = self.last_preview.write(Path(folder).expanduser(),
                                                 replace=self.replace.value)
        except (ExportError, OSError) as error:
            self.status.value = _note(_e(error), "#fbeaea", alert=True)
            return None
        self.last_result = result
        if result.sealed:
            self.status.value = _note(
                f"<b>Done.</b> The report is sealed for your coach in <code>"
                f"{_e(result.files[0])}</code>. Send them that one file: only their key opens "
                "it. Your journal was not changed."
            )
            return result
        files = "".join(
            f"<li><code>{_e(p.relative_to(result.folder))}</code></li>" for p in result.files
        )
        kept = "".join(
            f"<li><code>{_e(p.relative_to(result.folder))}</code></li>"
            for p in (*result.kept, *result.left)
        )
        kept = (f"Changed since the earlier report was written, so kept:<ul>{kept}</ul>"
                if kept else "")
        self.status.value = _note(
            f"<b>Done.</b> The report is in <code>{_e(result.folder)}</code>:<ul>{files}</ul>"
            f"{kept}"
            "Send your coach the whole folder, or just <code>report.html</code>, in a way you "
            "trust. Your journal was not changed."
        )
        return result


class ReplyForm:
    """Notebook 07's form to bring a coach's reply (their reply.json) into the journal.

    Attributes
    ----------
    file : ipywidgets.Text
        Where the reply file is.
    button : ipywidgets.Button
        Adds the notes (all of them, or none: a reply that cannot be read adds nothing).
    status : ipywidgets.HTML
        What happened, in words.
    """

    def __init__(self, journal: Journal):
        self.journal = journal
        self.file = widgets.Text(
            description="Reply file",
            placeholder="For example ~/Downloads/reply.json",
            layout=_WIDE,
            tooltip="The reply.json your coach sent you",
        )
        self.button = widgets.Button(
            description="Add my coach's notes", button_style="info", icon="inbox",
            tooltip="Adds the notes to your journal (coach_notes.csv); nothing is sent anywhere",
        )
        self.status = widgets.HTML()
        self.button.on_click(lambda _b: self.bring_in())
        self.widget = widgets.VBox([self.file, self.button, self.status])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    def bring_in(self) -> tuple[int, int] | None:
        """Add the notes of the reply file named; say how many (None if it was refused)."""
        from .errors import JournalError

        name = self.file.value.strip()
        if not name:
            self.status.value = _note("Give the reply file's place first.", "#fff4d6",
                                      alert=True)
            return None
        try:
            added, already = import_reply(self.journal, Path(name).expanduser())
        except (ReplyError, JournalError) as error:
            self.status.value = _note(f"{_e(error)}<br>Nothing was added.", "#fbeaea",
                                      alert=True)
            return None
        again = (f" ({already} {'was' if already == 1 else 'were'} already in your journal)"
                 if already else "")
        self.status.value = _note(
            f"<b>Added {added} note{'s' if added != 1 else ''} from your coach</b>{again}. "
            "Each step's notebook shows the notes about that step.")
        return added, already


def reply_form(journal: Journal | None) -> ReplyForm | None:
    """Show the form that brings a coach's reply into ``journal``."""
    from IPython.display import HTML, display

    if journal is None:
        display(HTML(_note("This form appears once your journal opens.", "#f4f4f4")))
        return None
    found = ReplyForm(journal)
    display(found.widget)
    return found


RECENT = 30
"""How many recent entries the share form offers as "a moment to talk about"."""


def _recent_entries(journal: Journal) -> list[tuple[str, str]]:
    """The latest :data:`RECENT` dated entries of any kind, newest first, as dropdown
    options ("date · kind · first words", "TABLE:ID"), after "(none)"."""
    from .schema import TABLES

    found = []
    for name, table in TABLES.items():
        if name in NEVER_SHARED:  # the coach's own notes are never sent back out
            continue
        frame = journal.table(name)
        if "date" not in frame.columns or "id" not in frame.columns or frame.empty:
            continue
        text = next((c.name for c in table.columns if c.kind == "text"
                     and c.refers_to is None and c.name != "note"), None)
        latest = frame.sort_values("date", kind="stable").tail(RECENT)
        for _, row in latest.iterrows():
            words = " ".join(str(row[text]).split())[:60] if text else ""
            who = f" · {row['person']}" if "person" in frame.columns and row["person"] else ""
            label = f"{row['date']:%d %b %Y} · {table.title}{who}"
            found.append((row["date"], f"{label} · {words}" if words else label,
                          f"{name}:{row['id']}"))
    found.sort(key=lambda f: f[0], reverse=True)
    return [("(none)", ""), *((label, value) for _, label, value in found[:RECENT])]


def form(journal: Journal | None, **options: Any) -> ShareForm | None:
    """Show the share form for ``journal`` (or a gentle note if it could not be opened)."""
    from IPython.display import HTML, display

    if journal is None:
        display(
            HTML(
                _note(
                    "The form will appear once the journal opens (see the problems "
                    "listed at the top).",
                    "#f4f4f4",
                )
            )
        )
        return None
    share = ShareForm(journal, **options)
    display(share.widget)
    return share
