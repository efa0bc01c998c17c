"""Charts for step 3, trust in myself: red flags heeded and promises kept."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from .. import insights
from ..insights import FREQUENCIES, MIN_ENTRIES, Freq
from ..journal import Journal
from ._common import (
    _WIDTH,
    MAX_PEOPLE,
    ChartType,
    _date_tooltip,
    _inline,
    _people,
    _present,
    _title,
    _x_time,
    choose_freq,
)
from .style import _MEASURE_COLOURS, LABELS, _colour_scale, person_scale


def self_trust(
    journal: Journal,
    *,
    freq: Freq | None = None,
    cumulative: bool = True,
    by_person: bool = False,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    width: int = _WIDTH,
    height: int = 220,
) -> ChartType:
    """Self-trust over time: the share of red flags heeded and of promises to myself kept.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (default: the
        shortest period giving at most 60 points).
    cumulative
        Show the share so far at each point (steady, the default), or with
        ``False`` each period's own share (jumpy when periods hold few entries).
    by_person
        One line per person the red flags were about, in their colours (promises
        are about no one and are left out).
    people, max_people
        With ``by_person``: whom to show, or how many at most.
    width, height
        The size in pixels.

    Returns
    -------
    altair.LayerChart
    """
    flags = journal.table("red_flags")
    promises = journal.table("promises")
    if freq is None:
        dates = pd.concat([flags["date"], promises["date"]])
        freq = choose_freq(dates, max_periods=60, min_per_period=0 if cumulative else 3)
    if by_person:
        chosen = _people(journal, people, max_people)
        rates = insights.self_trust_rate(journal, freq=freq, people=chosen, cumulative=cumulative)
        rates = rates.assign(series=rates["person"], count=rates["heeded"])
        scale = person_scale(journal, _present(chosen, rates))
        legend = alt.Legend(title="Person")
    else:
        heeded = insights.self_trust_rate(journal, freq=freq, cumulative=cumulative)
        kept = insights.promises_kept(journal, freq=freq, cumulative=cumulative)
        rates = pd.concat(
            [
                heeded.assign(series=LABELS["heeded"], count=heeded["heeded"]),
                kept.assign(series=LABELS["kept"], count=kept["yes"]),
            ],
            ignore_index=True,
        )
        scale = _colour_scale(_MEASURE_COLOURS)
        legend = alt.Legend(title=None, orient="top")
    rates = rates[rates["decided"] > 0]
    data = _inline(rates, ["series", "date", "count", "decided", "rate", "enough"])
    so_far = " so far" if cumulative else ""
    base = alt.Chart(data).encode(
        x=_x_time(freq, data["date"]),
        y=alt.Y(
            "rate:Q",
            title=f"Share{so_far}",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format=".0%"),
        ),
        color=alt.Color("series:N", scale=scale, legend=legend),
    )
    lines = base.mark_line(strokeWidth=2, interpolate="step-after" if cumulative else "linear")
    points = base.mark_circle(size=45, opacity=1).encode(
        fillOpacity=alt.when(alt.datum.enough).then(alt.value(1)).otherwise(alt.value(0.3)),
        tooltip=[
            alt.Tooltip("series:N", title="What"),
            _date_tooltip("date", freq),
            alt.Tooltip("rate:Q", title=f"Share{so_far}", format=".0%"),
            alt.Tooltip("count:Q", title=f"Heeded or kept{so_far}"),
            alt.Tooltip("decided:Q", title=f"Looked back on{so_far}"),
        ],
    )
    when = "Up to each" if cumulative else "Each"
    return alt.layer(lines, points).properties(
        width=width,
        height=height,
        title=_title(
            "Trusting myself",
            f"{when} {FREQUENCIES[freq]}: red flags I acted on rather than painted green,",
            f"and promises to myself I kept. Pale points rest on fewer than {MIN_ENTRIES}.",
            empty="No red flags or promises looked back on yet." if data.empty else "",
        ),
    )
