"""Sharing with a coach, in a notebook: the person's form, and the coach's review.

:class:`ShareForm` is the form of *07 Share with a coach*: choose what to share,
**Preview** the report exactly as it will be written (nothing is written yet),
then **Write the report**. Writing is only possible right after a preview of the
same choices, so nothing is shared that the person has not seen.

:func:`review` is the coach's side (*coach_review*): it needs only trustlab and
the report folders, never a journal, and shows how the shared figures changed
from one report to the next.
"""

from __future__ import annotations

import datetime
import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import ipywidgets as widgets
import pandas as pd

from . import charts
from .brief import Brief
from .brief import html as brief_html
from .export import (
    NEVER_SHARED,
    SECTIONS,
    ExportError,
    ExportResult,
    Preview,
    compare_reports,
    preview,
    read_reports,
)
from .journal import Journal

__all__ = ["ShareForm", "comparison_chart", "comparison_table", "form", "review"]

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
        self.replace = widgets.Checkbox(
            value=False,
            description="Replace the report already in that folder (if there is one)",
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

    def options(self) -> dict[str, Any]:
        """The choices as :func:`trustlab.export.export` options."""
        return {
            "sections": [key for key, box in self.sections.items() if box.value],
            "since": self.since.value,
            "until": self.until.value,
            "include_text": self.include_text.value,
            "real_names": self.real_names.value,
            "note": self.note.value,
            "moment": self.moment.value or None,
        }

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
            built = preview(self.journal, **self.options())
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
        try:
            result = self.last_preview.write(Path(folder).expanduser(),
                                             replace=self.replace.value)
        except (ExportError, OSError) as error:
            self.status.value = _note(_e(error), "#fbeaea", alert=True)
            return None
        self.last_result = result
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
        from .reply import ReplyError, import_reply

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


# --- the coach's review -------------------------------------------------------------------


def comparison_table(compared: pd.DataFrame) -> pd.DataFrame:
    """The figures of :func:`trustlab.export.compare_reports` with one column per report.

    Shares are shown as percentages; the last column is the change from the
    first report that has the figure to the last one.
    """
    if compared.empty:
        return pd.DataFrame()
    labels = list(dict.fromkeys(compared.sort_values("order")["report"]))
    wide = compared.pivot_table(
        index=["group", "measure"], columns="report", values="value", aggfunc="first", sort=False
    )
    wide = wide.reindex(columns=labels)
    kinds = compared.drop_duplicates(["group", "measure"]).set_index(["group", "measure"])["kind"]
    shown = pd.DataFrame(index=wide.index)
    for label in labels:
        shown[label] = [_figure(v, kinds[i]) for i, v in wide[label].items()]
    change = []
    for index, row in wide.iterrows():
        present = row.dropna()
        if len(present) < 2:
            change.append("")
            continue
        delta = present.iloc[-1] - present.iloc[0]
        if kinds[index] == "share":
            change.append(f"{_signed(round(100 * delta))} points")
        else:
            change.append(_signed(round(delta, 1)))
    if len(labels) > 1:
        shown["Change, first to last"] = change
    shown.index.names = ["", "Figure"]
    return shown


def _figure(value: float, kind: str) -> str:
    if pd.isna(value):
        return "–"
    if kind == "share":
        return f"{round(100 * value)}%"
    return f"{value:,.1f}".removesuffix(".0").replace("-", "−")


def _signed(value: float) -> str:
    text = f"{abs(value):,}".removesuffix(".0")
    return f"+{text}" if value > 0 else f"−{text}" if value < 0 else "0"


_PANELS = (
    ("Marble jars", "", "Marbles in the jar", "d"),
    ("Self-trust", "", "Share", ".0%"),
    ("Beliefs", "", "How true (0–100)", "d"),
    ("Triggers", "Triggers:", "Triggers", "d"),
)
_DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [10, 4], [4, 2, 1, 2], [3, 5])
"""One dash pattern per line (with a colour and a point shape each), so lines that cross
or lie on top of each other can still be told apart, in colour or not."""
_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
           "triangle-right", "triangle-left")
# Two lines per report on the x axis: "1 Jun 2026 to" over "30 Jun 2026".
_TWO_LINES = "[split(datum.label, ' – ')[0] + ' to', split(datum.label, ' – ')[1]]"


def comparison_chart(compared: pd.DataFrame, *, max_lines: int = 8) -> alt.VConcatChart | None:
    """How the main shared figures moved from report to report, one panel per kind.

    At most ``max_lines`` lines per panel: the figures listed first (people in
    the order the reports list them).
    """
    if compared.empty:
        return None
    labels = list(dict.fromkeys(compared.sort_values("order")["report"]))
    panels = []
    for group, prefix, title, fmt in _PANELS:
        data = compared[(compared["group"] == group) & compared["measure"].str.startswith(prefix)]
        keep = list(dict.fromkeys(data["measure"]))[:max_lines]
        data = data[data["measure"].isin(keep)][["report", "measure", "value"]]
        if data.empty:
            continue
        shown = [m for m in keep if m in set(data["measure"])]
        legend = alt.Legend(labelLimit=320, symbolStrokeWidth=2, symbolSize=120)
        # Counts get whole-number ticks only (never 0, 0, 0, 1, 1, 1 for 0.2, 0.4 ...)
        axis = alt.Axis(format=fmt, tickMinStep=1) if fmt == "d" else alt.Axis(format=fmt)
        panels.append(
            alt.Chart(data, title=group)
            .mark_line(point=alt.OverlayMarkDef(filled=True, size=60), strokeWidth=2)
            .encode(
                x=alt.X(
                    "report:N",
                    sort=labels,
                    title=None,
                    axis=alt.Axis(labelAngle=0, labelExpr=_TWO_LINES),
                ),
                y=alt.Y("value:Q", title=title, axis=axis),
                color=alt.Color("measure:N", sort=shown, title=None, legend=legend,
                                scale=alt.Scale(domain=shown)),
                strokeDash=alt.StrokeDash(
                    "measure:N", sort=shown, title=None, legend=legend,
                    scale=alt.Scale(domain=shown, range=list(_DASHES[: len(shown)])),
                ),
                shape=alt.Shape(
                    "measure:N", sort=shown, title=None, legend=legend,
                    scale=alt.Scale(domain=shown, range=list(_SHAPES[: len(shown)])),
                ),
                tooltip=[
                    alt.Tooltip("report:N", title="Report"),
                    alt.Tooltip("measure:N", title="Figure"),
                    alt.Tooltip("value:Q", title=title, format=fmt),
                ],
            )
            .properties(width=max(240, 120 * len(labels)), height=180)
        )
    if not panels:
        return None
    return alt.vconcat(*panels, spacing=30).resolve_scale(
        color="independent", strokeDash="independent", shape="independent")


def review(where: str | os.PathLike | Iterable[str | os.PathLike] | None = None) -> list[dict]:
    """Show the reports found in ``where``, a table of their figures side by side, and a chart.

    Parameters
    ----------
    where
        A report folder, a folder of report folders, or a list of either;
        default ``$TRUSTLAB_REPORTS``, else the current folder.

    Returns
    -------
    list of dict
        The reports, oldest first (see :func:`trustlab.export.read_reports`).
    """
    from IPython.display import HTML, display

    charts.enable_offline()
    default = where is None or where == "" or where == "."
    if where is None or where == "":
        where = os.environ.get("TRUSTLAB_REPORTS") or "."
    reports = read_reports(where)
    if not reports:
        if isinstance(where, str | os.PathLike):
            shown = str(Path(where).expanduser().resolve())
            if default and str(where) == ".":
                shown += " (the folder this notebook is in)"
        else:
            shown = ", ".join(str(Path(w).expanduser().resolve()) for w in where)
        display(
            HTML(
                _note(
                    f"No trustlab reports were found in <code>{_e(shown)}</code> yet. Put the "
                    "report folders you received (each holds a <code>report.json</code>) in one "
                    "folder, and set <code>REPORTS</code> above to that folder.",
                    "#f4f4f4",
                )
            )
        )
        return []
    display(HTML(_reports_html(reports)))
    briefs = _briefs_html(reports)
    if briefs:
        display(HTML(briefs))
    compared = compare_reports(reports)
    table = comparison_table(compared)
    if table.empty:
        display(HTML(_note("These reports share no figures to compare.", "#f4f4f4")))
        return reports
    display(HTML(_comparison_html(table)))
    chart = comparison_chart(compared)
    if chart is not None:
        display(chart)
    return reports


def _reports_html(reports: Sequence[dict]) -> str:
    rows = []
    for r in reports:
        names = "real names" if r.get("names") == "real" else "Person A, B …"
        words = "yes" if r.get("words_included") else "no"
        rows.append(
            f'<tr><th scope="row">{_e(r["label"])}</th><td>{_e(r["folder"])}</td>'
            f"<td>{_e(r.get('created', ''))}</td>"
            f"<td>{_e(_steps(r.get('sections', [])))}</td>"
            f"<td>{_e(names)}</td><td>{_e(words)}</td></tr>"
        )
    return (
        f"<p>{len(reports)} report{'s' if len(reports) != 1 else ''}, oldest first. Each "
        "covers only its own period, and only what the person chose to share; a dash below "
        "means a report did not share that figure.</p>"
        '<table><thead><tr><th scope="col">Period</th><th scope="col">Folder</th>'
        '<th scope="col">Made on</th><th scope="col">Steps shared</th>'
        '<th scope="col">People shown as</th><th scope="col">Words included</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _briefs_html(reports: Sequence[dict]) -> str:
    """The briefs of the last two reports, side by side (the older on the left); "" when
    no report has a brief (reports made before briefs existed)."""
    shown = [(r, Brief.from_json(r.get("brief"))) for r in reports[-2:]]
    shown = [(r, b) for r, b in shown if b is not None]
    if not shown:
        return ""
    columns = "".join(
        '<div style="flex:1 1 22rem;min-width:18rem;background:#f3f8f6;border:1px solid '
        '#d8e6e0;border-radius:8px;padding:.25rem 1rem .75rem">'
        f"<h3>{_e(where)}: {_e(r['label'])}</h3>{brief_html(b)}</div>"
        for (r, b), where in zip(shown, ["Earlier report", "Latest report"][-len(shown):],
                                 strict=True)
    )
    return ("<h3>The briefs, side by side</h3>"
            f'<div style="display:flex;flex-wrap:wrap;gap:1rem">{columns}</div>')


def _steps(keys: Iterable[Any]) -> str:
    """A report's sections as the person saw them ("Step 5 · Take small steps"), not the
    names report.json keeps them by."""
    return ", ".join(SECTIONS[k].heading if k in SECTIONS else str(k) for k in keys)


def _comparison_html(table: pd.DataFrame) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in ["", "Figure", *table.columns])
    body = []
    previous = None
    for (group, measure), row in table.iterrows():
        first = _e(group) if group != previous else ""
        previous = group
        cells = "".join(f'<td style="text-align:right">{_e(v)}</td>' for v in row)
        body.append(
            f'<tr><th scope="row">{first}</th><td style="text-align:left">'
            f"{_e(measure)}</td>{cells}</tr>"
        )
    return (
        f"<table><caption>The shared figures, report by report</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
