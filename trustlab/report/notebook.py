"""report.ipynb: the report as a notebook of static outputs, with a cell under each step
for the coach's notes (gathered by ``trustlab reply``). It holds no code, no widget state
and no metadata of the person's; its HTML comes from the same templates as report.html."""

from __future__ import annotations

import base64
import html as html_module
import re
from typing import Any

import nbformat

from .. import __version__
from . import brief, html
from .content import Part, Report, ReportChart, ReportTable, period
from .options import long_date


def table_text(table: ReportTable) -> str:
    """A table as plain text (a notebook output's text form)."""
    rows = [
        [c.label for c in table.columns],
        *(
            [html.cell(v, c.kind) for c, v in zip(table.columns, row, strict=True)]
            for row in table.rows
        ),
    ]
    return "\n".join(" | ".join(r) for r in rows)


def _html_to_text(fragment: str) -> str:
    text = re.sub(r"<(?:br|/li|/tr|/p|/caption)>", "\n", fragment)
    text = re.sub(r"<[^>]+>", " ", text)
    return html_module.unescape(re.sub(r"[ \t]+", " ", text)).strip()


class _Cells:
    """The notebook's cells, each with a stable id."""

    def __init__(self) -> None:
        self.cells: list[Any] = []

    def _id(self) -> str:
        return f"cell-{len(self.cells) + 1}"

    def markdown(self, text: str, **meta: Any) -> None:
        self.cells.append(nbformat.v4.new_markdown_cell(text, id=self._id(), metadata=meta))

    def show(self, html_text: str, plain: str | None = None) -> None:
        data = {"text/html": html_text,
                "text/plain": _html_to_text(html_text) if plain is None else plain}
        self._outputs(nbformat.v4.new_output("display_data", data=data))

    def chart(self, chart: ReportChart, ident: str) -> None:
        # No text/html here: JupyterLab prefers it, and strips SVG from the HTML of a
        # notebook it does not trust (any notebook from elsewhere), leaving a blank.
        # SVG is shown in a trusted notebook, the PNG in an untrusted one.
        picture = {
            "image/svg+xml": str(html.svg(chart, ident)),
            "image/png": base64.b64encode(chart.png).decode("ascii"),
            "text/plain": f"Chart: {chart.title}. {chart.description}",
        }
        words = {"text/html": html.caption(chart.description), "text/plain": chart.description}
        self._outputs(nbformat.v4.new_output("display_data", data=picture),
                      nbformat.v4.new_output("display_data", data=words))

    def _outputs(self, *outputs: Any) -> None:
        cell = nbformat.v4.new_code_cell(
            "", id=self._id(), metadata={"jupyter": {"source_hidden": True}}
        )
        cell.outputs = list(outputs)
        self.cells.append(cell)

    def coach_notes(self, about: str, key: str) -> None:
        # (the section each note is about, for `trustlab reply`; "report": the whole report)
        self.markdown(f"#### Coach's notes: {about}\n\n*The empty cell below is for your "
                      "notes. To send them back: `trustlab reply` with this folder (see the "
                      "end).*")
        self.markdown("", tags=["coach-notes"], trustlab={"section": key})


def _part(out: _Cells, part: Part) -> None:
    s = part.section
    out.markdown(f"## {s.heading}")
    out.show(html.intro(part))
    if part.empty:
        out.show(html.empty())
    else:
        if part.sentences:
            out.markdown("### In a few words")
            out.show(html.items(part.sentences, "sentences"))
        if part.charts:
            out.markdown("### Charts")
            for i, chart in enumerate(part.charts, start=1):
                out.chart(chart, f"{s.key}-chart-{i}")
        for heading, tables, kind in (("Figures", part.tables, "table"),
                                      ("In their words", part.entries, "entries")):
            if tables:
                out.markdown(f"### {heading}")
                for i, table in enumerate(tables, start=1):
                    out.show(html.table(table, f"{s.key}-{kind}-{i}"))
    out.coach_notes(s.heading, s.key)


def render(report: Report) -> str:
    """report.ipynb's text."""
    out = _Cells()
    out.markdown(
        "# Trust journal: a shared report\n\n"
        f"Made with trustlab on {long_date(report.created)} by the person who keeps this "
        "journal. They chose what goes in it; everything else stayed on their computer.\n\n"
        "*Nothing here needs to run: the notebook holds the report as it was shared, and "
        "there is no code in it. Running a cell would only clear the picture or table it "
        "holds (close without saving and reopen to get it back). Write your own notes in "
        "the empty cells under each “Coach's notes” heading.*"
    )
    if report.brief is not None:
        out.markdown("## In brief")
        out.show(html.brief(report.brief), brief.text(report.brief))
    out.markdown("## What this report covers")
    out.show(
        html.covers(report),
        "\n".join([
            f"Period: {period(report)}",
            "Shared:",
            *(f"- {i}" for i in report.included),
            "Not shared:",
            *(f"- {x}" for x in report.excluded),
        ]),
    )
    out.markdown("## How to read this report\n\n" + "\n\n".join(html.HOW_TO_READ))
    if report.people.rows:
        out.markdown("## The people in this report")
        out.show(html.table(report.people, "people-table"), table_text(report.people))
    for part in report.parts:
        _part(out, part)
    out.coach_notes("overall", "report")
    out.markdown(
        "*To send your notes back: save this notebook, then run "
        "`trustlab reply FOLDER` (FOLDER: the one this notebook is in). It writes "
        "`reply.json` there, with your notes only; send that file to the person, who "
        "brings it into their journal.*\n\n"
        "<small>Made with trustlab " + __version__ + ", a self-reflection tool; it is "
        "not therapy.</small>"
    )
    nb = nbformat.v4.new_notebook(
        cells=out.cells,
        metadata={
            "kernelspec": {
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
                "name": "python3",
            },
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"
