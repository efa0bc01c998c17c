"""How charts look: the theme, the colours, and the words charts show for fixed choices
(the schema's labels and colours, :mod:`trustlab.schema`).

Also how charts are shown without internet (:func:`enable_offline`) and
drawn as a standalone picture (:func:`to_svg`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import altair as alt
import pandas as pd
import vl_convert

from .. import insights
from ..journal import Journal
from ..schema import TABLES, Column
from ._common import ChartType

PALETTE = (
    "#4e79a7",  # blue
    "#f28e2b",  # orange
    "#59a14f",  # green
    "#b07aa1",  # purple
    "#76b7b2",  # teal
    "#edc948",  # yellow
    "#9c755f",  # brown
    "#ff9da7",  # pink
    "#e15759",  # red
    "#79706e",  # grey
)
"""The person colours, given in people.csv order and reused from the start after ten people."""

_SERIES = {
    "heeded": "Red flags I heeded",
    "kept": "Promises to myself I kept",
    "all_or_nothing": "All or nothing",
    "some_of_each": "Some of each",
}

LABELS: dict[str, str] = {
    **{
        c.value: c.label
        for table, column in (("marbles", "braving"), ("triggers", "origin"), ("steps", "response"))
        for c in TABLES[table].column(column).options
    },
    **_SERIES,
}
"""The words charts show: the schema's labels of the choices they colour or sort by (as the
schema was when trustlab was imported), and the names of their series."""

THEME = "trustlab"
"""The Altair theme :func:`enable_offline` turns on: readable sizes, calm colours."""

_CONFIG: alt.theme.ThemeConfig = {
    "config": {
        "font": "DejaVu Sans, Helvetica, Arial, sans-serif",
        "title": {
            "fontSize": 15,
            "anchor": "start",
            "subtitleFontSize": 12,
            "subtitleColor": "#555555",
            "offset": 10,
        },
        "axis": {
            "labelFontSize": 12,
            "titleFontSize": 12,
            "titleFontWeight": "normal",
            "titleColor": "#444444",
            "labelColor": "#444444",
            "gridColor": "#eeeeee",
        },
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "header": {"labelFontSize": 12, "titleFontSize": 12},
        "view": {"stroke": None},
        "concat": {"spacing": 40},
    }
}

_MEASURE_COLOURS = {"heeded": "#3d7f6e", "kept": "#8e6bb8"}
_BEFORE, _AFTER = "#b0aaa0", "#3d7f6e"


@alt.theme.register(THEME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return _CONFIG


# --- set-up and output ---------------------------------------------------------


VEGA_MIMETYPE = "application/vnd.vega.v5+json"
"""The output type JupyterLab (and Voilà) draw with the Vega they ship: no internet needed."""

_VEGA_SCHEMA = "https://vega.github.io/schema/vega/v5.json"
_EMBED = {"actions": False, "renderer": "svg"}
"""How JupyterLab draws a chart: as SVG (read by screen readers, sharp when zoomed), with no
actions menu (its "Open in Vega Editor" would send the chart's data to a website)."""

Draw = Literal["lab", "svg", "html"]


def enable_offline(*, draw: Draw = "lab") -> None:
    """Show charts in JupyterLab and in exported HTML without internet, with trustlab's theme.

    Altair's default renderer fetches Vega from the internet, so with no
    connection charts are blank. ``draw`` chooses what replaces it:

    - ``"lab"`` (the default): the chart goes to JupyterLab as a Vega spec, and
      JupyterLab draws it with the Vega it ships (:func:`lab_bundle`). Tooltips
      work, and a redraw costs the kernel only the compile (tens of milliseconds).
    - ``"svg"``: a static SVG drawn by vl-convert in the kernel (:func:`to_svg`),
      the same in any viewer of the notebook, but a few hundred milliseconds a chart.
    - ``"html"``: HTML with the Vega JavaScript inlined (about 1 MB per chart).

    Parameters
    ----------
    draw
        ``"lab"``, ``"svg"`` or ``"html"``.
    """
    alt.theme.enable(THEME)
    if draw == "lab":
        alt.renderers.enable(_LAB_RENDERER)
    elif draw == "html":
        alt.renderers.enable("html", template="inline")
    elif draw == "svg":
        alt.renderers.enable("svg")
    else:
        raise ValueError(f"draw must be 'lab', 'svg' or 'html', not {draw!r}")


def to_svg(chart: ChartType, *, validate: bool = True) -> str:
    """The chart as a standalone SVG document, drawn locally by vl-convert.

    Nothing is fetched from the internet: the data are inside the chart and
    vl-convert may load no URL.

    Parameters
    ----------
    chart
        Any chart from this module.
    validate
        Check the spec against Vega-Lite's schema first (Altair's check, a deep walk
        of the spec). A page redrawing a chart of this module after a save skips it:
        every chart here is built the same way each time, and the tests validate it.

    Returns
    -------
    str
        The SVG markup.
    """
    return svg_of(chart.to_dict(validate=validate))


def svg_of(spec: dict[str, Any]) -> str:
    """A Vega-Lite ``spec`` (``chart.to_dict()``) drawn as SVG, loading no URL."""
    return vl_convert.vegalite_to_svg(spec, config=_CONFIG["config"], allowed_base_urls=[])


def lab_bundle(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What JupyterLab needs to draw a Vega-Lite ``spec`` itself: a mime bundle and its metadata.

    The spec is compiled to Vega by vl-convert in the kernel (no drawing there), and
    JupyterLab draws it with its own Vega, as SVG. The chart's title and subtitle
    become its description, which Vega gives the drawing as its accessible name,
    and the plain-text form of the output (what a screen reader or a text viewer gets).

    Parameters
    ----------
    spec
        A Vega-Lite spec (``chart.to_dict()``).

    Returns
    -------
    tuple of dict
        The mime bundle (:data:`VEGA_MIMETYPE` and ``text/plain``) and its metadata.

    Raises
    ------
    ValueError
        If the chart would load data from a URL (JupyterLab would fetch it).
    """
    words = chart_words(spec)
    vega = vl_convert.vegalite_to_vega(spec, config=_CONFIG["config"])
    if any("url" in data for data in vega.get("data", ())):
        raise ValueError("A trustlab chart loads nothing from the internet or from files: "
                         "give it its data as a DataFrame.")
    vega["$schema"] = _VEGA_SCHEMA  # compiled for Vega 6; JupyterLab 4 draws it with Vega 5
    vega["description"] = words
    return {VEGA_MIMETYPE: vega, "text/plain": words}, {VEGA_MIMETYPE: {"embed_options": _EMBED}}


def chart_words(spec: dict[str, Any]) -> str:
    """A chart's title and subtitle as sentences ("A chart." without a title).

    Parameters
    ----------
    spec
        A Vega-Lite spec (``chart.to_dict()``).

    Returns
    -------
    str
        For example "Chart: Each jar now. Marbles in minus marbles out."
    """
    title = spec.get("title")
    text, subtitle = (title.get("text"), title.get("subtitle")) if isinstance(title, dict) else (
        title, None)
    parts = []
    for part in (text, subtitle):
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, list | tuple):
            parts.append(" ".join(str(line) for line in part))
    words = " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())
    return f"Chart: {words}" if words else "A chart."


_LAB_RENDERER = "trustlab"


def _render_for_lab(spec: dict[str, Any], **_options: Any) -> Any:
    return lab_bundle(spec)


alt.renderers.register(_LAB_RENDERER, _render_for_lab)


# --- colours and people -----------------------------------------------------------


def person_colours(journal: Journal) -> dict[str, str]:
    """Each person's colour: the same in every chart of this journal.

    Colours follow people.csv's order (then names used elsewhere, A to Z), so
    adding a person never changes anyone else's colour.

    Parameters
    ----------
    journal
        The open journal.

    Returns
    -------
    dict
        Person name to a ``#rrggbb`` colour from :data:`PALETTE`.
    """
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(insights.person_order(journal))}


def person_scale(journal: Journal, people: Sequence[str] | None = None) -> alt.Scale:
    """An Altair colour scale giving ``people`` (default everyone) their colours."""
    colours = person_colours(journal)
    names = list(colours) if people is None else [p for p in people if p in colours]
    return alt.Scale(domain=names, range=[colours[p] for p in names])


# --- labels and colours of the fixed choices --------------------------------------


def _column(table: str, name: str) -> Column:
    """A choice column, as the schema declares it now."""
    return TABLES[table].column(name)


def _labels(values: pd.Series, column: Column) -> pd.Series:
    """Each value's label in ``column``."""
    return values.map(column.label_of).astype("str")


def _choice_scale(column: Column) -> alt.Scale:
    """The colour of each of ``column``'s choices, named by its label, in the schema's order."""
    return alt.Scale(
        domain=[c.label for c in column.options], range=[c.colour for c in column.options]
    )


def _colour_scale(colours: dict[str, str]) -> alt.Scale:
    """The colour of each series of a chart, named as :data:`LABELS` names it."""
    return alt.Scale(domain=[_SERIES[k] for k in colours], range=list(colours.values()))
