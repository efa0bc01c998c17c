"""report.html, and the HTML pieces the notebook shares with it: Jinja2 templates with
autoescape on, so everything the person wrote is escaped in one place, by the templates.

The only markup not escaped is what trustlab made itself: a chart's SVG (from Vega-Lite,
with its title written here and escaped) and the pieces these templates return.
"""

from __future__ import annotations

import functools
import re
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import __version__, insights
from .brief import Brief
from .content import Report, ReportChart, ReportTable, period
from .options import long_date, short_date

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)
"""report.html's Content Security Policy: no script, no request anywhere, inline style."""

HOW_TO_READ = (
    "trustlab is a private workbook for rebuilding trust after a betrayal. The person "
    "works through five steps at their own pace and keeps a journal of small entries. "
    "This report was made from that journal, on their computer, and holds only what they "
    "chose to share.",
    "Charts are worded as the person sees them (“my beliefs”, “trusting myself”), and the "
    "short summaries are written to them (“you”). Counts are always given; a direction "
    "(a jar filling, a belief easing) is only named when the entries tell it clearly from "
    f"chance (an exact test at the {insights.CHANCE:.0%} level); otherwise the report "
    "says it is too early to tell.",
    "trustlab is a tool for self-reflection, not therapy. These figures are the person’s "
    "own view of their weeks, not a measurement or a diagnosis.",
)

NUMERIC = {"int", "share", "float"}


def cell(value: Any, kind: str) -> str:
    """A table cell's text (escaped where it is shown).

    A choice's cell already holds its label in the schema (see ``sections.entries``)."""
    if value is None or value == "":
        return "–" if kind not in ("text", "choice") else ""
    if kind == "int":
        return f"{int(value):,}".replace("-", "−")
    if kind == "share":
        return f"{round(100 * value)}%"
    if kind == "float":
        return f"{value:,.1f}".replace("-", "−")
    if kind == "date":
        return short_date(value)
    return str(value)


def _align(kind: str) -> Markup:
    if kind in NUMERIC:
        return Markup(' class="num"')
    if kind == "text":
        return Markup(' class="words"')
    return Markup("")


def svg(chart: ReportChart, ident: str) -> Markup:
    """The chart's SVG, with ids made unique in the page and an accessible name."""
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{ident}-{m.group(1)}"', chart.svg)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{ident}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{ident}-{m.group(1)}"', text)
    end = text.index(">")
    label = escape(f"{chart.title}. {chart.description}")
    return Markup(  # Vega-Lite's SVG, made by trustlab; the label is escaped
        f'{text[:end]} role="img" aria-labelledby="{escape(ident)}-title">'
        f'<title id="{escape(ident)}-title">{label}</title>{text[end + 1 :]}'
    )


@functools.cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(cell=cell, align=_align, svg=svg, period=period, long_date=long_date)
    return env


def _template(name: str) -> str:
    return resources.files(__package__).joinpath("templates", name).read_text("utf-8")


def _parts() -> Any:
    return _environment().get_template("parts.html.j2").module


def render(report: Report) -> str:
    """report.html's text."""
    return _environment().get_template("report.html.j2").render(
        report=report,
        csp=Markup(CSP),  # a constant of trustlab's, quoted as it is
        css=Markup(_template("report.css")),  # trustlab's own style sheet
        how_to_read=HOW_TO_READ,
        version=__version__,
    )


# --- pieces, for the notebook -----------------------------------------------------------


def table(t: ReportTable, ident: str) -> str:
    return str(_parts().table(t, ident))


def items(values: list[str], cls: str = "") -> str:
    return str(_parts().list(values, cls))


def covers(report: Report) -> str:
    return str(_parts().covers(report))


def brief(b: Brief) -> str:
    """The brief as HTML (everything in it escaped)."""
    return str(_parts().brief(b))


def intro(report_part: Any) -> str:
    return str(_parts().intro(report_part.section))


def empty() -> str:
    return str(_parts().empty())


def caption(text: str) -> str:
    return f"<p><small>{escape(text)}</small></p>"


# --- the preview -------------------------------------------------------------------------

_LETTER = re.compile(r"\bPerson [A-Z]+\b")
_PREVIEW_NOTE = (
    '<p class="preview-note" style="background:#fff4d6;padding:.5rem .8rem;border-radius:6px">'
    "<b>Preview only.</b> Each <mark>highlighted</mark> letter stands where a name was: check "
    "them. A name trustlab does not know (someone not in your list of people) is not "
    "replaced: if you see one in your words, change that entry or leave your words out."
    "</p>"
)


def highlight_letters(page: str) -> str:
    """``page`` (report.html) for the preview: every letter standing for a person marked
    (in the page's text, not inside its charts or tags), under a note saying why."""
    pieces = re.split(r"(<svg\b.*?</svg>|<[^>]*>)", page, flags=re.DOTALL)
    marked = "".join(
        piece if piece.startswith("<") else _LETTER.sub(r"<mark>\g<0></mark>", piece)
        for piece in pieces
    )
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + _PREVIEW_NOTE, marked, count=1)
