"""Charts for step 2, taking stock: how often people showed my qualities."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt

from .. import insights
from ..insights import MIN_ENTRIES
from ..journal import Journal
from ._common import MAX_PEOPLE, ChartType, _inline, _people, _title
from .style import _column


def qualities_check(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    max_qualities: int = 12,
) -> ChartType:
    """A heat map of how often each person showed each of my qualities.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.
    max_qualities
        Show at most this many qualities, most important first (the subtitle
        says so when more were observed).

    Returns
    -------
    altair.LayerChart
    """
    chosen = _people(journal, people, max_people)
    check = insights.qualities_check(journal, people=chosen)
    observed = set(check["quality"])
    ordered = [q for q in insights.quality_order(journal) if q in observed]
    qualities = ordered[:max_qualities]
    check = check[check["quality"].isin(qualities)]
    some = ""
    if len(ordered) > len(qualities):
        which = "quality" if len(qualities) == 1 else f"{len(qualities):,} qualities"
        some = f"The {which} that matter most, of {len(ordered):,} observed."
    shown = _column("observations", "shown")
    data = _inline(
        check,
        ["person", "quality", *shown.choices, "observations", "share_shown", "enough"],
    )
    base = alt.Chart(data).encode(
        x=alt.X(
            "quality:N",
            sort=qualities,
            title=None,
            axis=alt.Axis(labelAngle=-30, labelLimit=150),
        ),
        y=alt.Y("person:N", sort=chosen, title=None),
    )
    cells = base.mark_rect(cornerRadius=2, stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "share_shown:Q",
            scale=alt.Scale(scheme="tealblues", domain=[0, 1]),
            legend=alt.Legend(title="Shown", format=".0%"),
        ),
        opacity=alt.when(alt.datum.enough).then(alt.value(1)).otherwise(alt.value(0.35)),
        tooltip=[
            alt.Tooltip("person:N", title="Person"),
            alt.Tooltip("quality:N", title="Quality"),
            *(alt.Tooltip(f"{s}:Q", title=shown.heading_of(s)) for s in shown.choices),
            alt.Tooltip("observations:Q", title="Observations"),
        ],
    )
    numbers = base.mark_text(fontSize=11).encode(
        text=alt.Text("share_shown:Q", format=".0%"),
        color=alt.when("datum.enough && datum.share_shown > 0.6")
        .then(alt.value("white"))
        .otherwise(alt.value("#333333")),
    )
    return alt.layer(cells, numbers).properties(
        width=alt.Step(64),
        height=alt.Step(28),
        title=_title(
            "How often each person showed my qualities",
            f"Pale squares rest on fewer than {MIN_ENTRIES} observations.",
            some,
            empty="No observations yet." if data.empty else "",
        ),
    )
