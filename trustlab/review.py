"""The coach's review notebook (*coach_review*): reports side by side, from their files.

It needs only trustlab and the report folders (or sealed reports and the coach's key),
never a journal: :func:`review` shows the last two briefs, then how the shared figures
changed from one report to the next.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from . import charts
from .report import html as report_html
from .report.brief import Brief
from .report.coach import compare_reports, read_reports, sealed_reports
from .report.options import SECTIONS
from .report.seal import SealError
from .share import _e, _note

__all__ = ["comparison_chart", "comparison_table", "review"]


def comparison_table(compared: pd.DataFrame) -> pd.DataFrame:
    """The figures of :func:`trustlab.report.compare_reports` with one column per report.

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


def review(
    where: str | os.PathLike | Iterable[str | os.PathLike] | None = None,
    *,
    identity: str | os.PathLike | None = None,
) -> list[dict]:
    """Show the reports found in ``where``, a table of their figures side by side, and a chart.

    Parameters
    ----------
    where
        A report folder, a folder of report folders, a sealed report, or a list of any
        of these; default ``$TRUSTLAB_REPORTS``, else the current folder.
    identity
        The coach's secret key file, to read sealed reports (``.age``) in memory.

    Returns
    -------
    list of dict
        The reports, oldest first (see :func:`trustlab.report.read_reports`).
    """
    from IPython.display import HTML, display

    charts.enable_offline()
    default = where is None or where == "" or where == "."
    if where is None or where == "":
        where = os.environ.get("TRUSTLAB_REPORTS") or "."
    try:
        reports = read_reports(where, identity=identity or None)
    except SealError as error:
        display(HTML(_note(f"A sealed report could not be read: {_e(error)}", "#fbeaea")))
        return []
    sealed = sealed_reports(where)
    if sealed and not identity:
        display(HTML(_note(
            f"{len(sealed)} sealed report{'s' if len(sealed) != 1 else ''} (.age) "
            f"{'are' if len(sealed) != 1 else 'is'} here: set <code>IDENTITY</code> above to "
            "your secret key file to read them.", "#fff4d6")))
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
        f"<h3>{_e(where)}: {_e(r['label'])}</h3>{report_html.brief(b)}</div>"
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
