"""How charts look: the theme, the colours, and the words charts show for fixed choices
(the schema's labels and colours, :mod:`trustlab.schema`).

Also how charts are shown without internet (:func:`enable_offline`) and
drawn as a standalone picture (:func:`to_svg`).
"""

from __future__ import annotations

from collections.abc import Sequence

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


def enable_offline(*, interactive: bool = False) -> None:
    """Show charts in JupyterLab and in exported HTML without internet.

    Altair's default renderer fetches Vega from the internet, so with no
    connection charts are blank. This switches to the static SVG renderer
    (small and the same every time), or with ``interactive=True`` to HTML with
    the JavaScript inlined (tooltips work; about 1 MB per chart), and turns on
    trustlab's theme.

    Parameters
    ----------
    interactive
        Inline the Vega JavaScript so tooltips work, instead of static SVG.
    """
    alt.theme.enable(THEME)
    if interactive:
        alt.renderers.enable("html", template="inline")
    else:
        alt.renderers.enable("svg")


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
    return vl_convert.vegalite_to_svg(
        chart.to_dict(validate=validate), config=_CONFIG["config"], allowed_base_urls=[]
    )


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
