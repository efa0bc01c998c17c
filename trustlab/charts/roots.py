"""Charts for step 1, the roots of distrust: triggers and the balance of blame."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .. import insights
from ..insights import FREQUENCIES, Freq
from ..journal import Journal
from ._common import _WHOLE, _WIDTH, ChartType, _date_tooltip, _inline, _title, _x_time, choose_freq
from .style import LABELS, _choice_scale, _colour_scale, _column, _labels


def triggers_over_time(
    journal: Journal,
    *,
    freq: Freq | None = None,
    width: int = _WIDTH,
    height: int = 200,
) -> ChartType:
    """How many triggers I noted per period, by where they seem to come from.

    Parameters
    ----------
    journal
        The open journal.
    freq
        Count per ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (default: the
        shortest period giving at most 40 bars of about 2 triggers or more).
    width, height
        The size in pixels.

    Returns
    -------
    altair.Chart
    """
    if freq is None:
        freq = choose_freq(journal.table("triggers")["date"], max_periods=40, min_per_period=2)
    origin = _column("triggers", "origin")
    counts = insights.triggers_by_origin(journal, freq=freq)
    rank = counts["origin"].map({o: i for i, o in enumerate(origin.choices)})
    counts = counts.assign(_rank=rank).sort_values(["date", "_rank"], kind="stable")
    # Stacked here rather than by Vega-Lite, which stacks ranged (x to x2) bars sideways.
    top = counts.groupby("date")["triggers"].cumsum()
    next_start = insights.period_start(
        counts["date"] + pd.Timedelta(days={"D": 1, "W": 7, "M": 31, "Q": 92, "Y": 366}[freq]),
        freq,
    )
    counts = counts.assign(
        end=next_start,
        bottom=top - counts["triggers"],
        top=top,
        origin=_labels(counts["origin"], origin),
        mean_intensity=counts["mean_intensity"].round(1),
    )
    data = _inline(counts, ["date", "end", "origin", "bottom", "top", "triggers", "mean_intensity"])
    return (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=_x_time(freq, data["date"]),
            x2="end:T",
            y=alt.Y("top:Q", title="Triggers", axis=_WHOLE),
            y2="bottom:Q",
            color=alt.Color(
                "origin:N",
                scale=_choice_scale(origin),
                legend=alt.Legend(title="Where it seems to come from"),
            ),
            tooltip=[
                _date_tooltip("date", freq),
                alt.Tooltip("origin:N", title="Where from"),
                alt.Tooltip("triggers:Q", title="Triggers"),
                alt.Tooltip("mean_intensity:Q", title="Average intensity (0–10)"),
            ],
        )
        .properties(
            width=width,
            height=height,
            title=_title(
                "Triggers over time",
                f"How many I noted each {FREQUENCIES[freq]}, by where the wariness seems "
                "to come from.",
                empty="No triggers yet." if data.empty else "",
            ),
        )
    )


def blame_balance(journal: Journal, *, width: int = 360, height: int = 200) -> ChartType:
    """How much of each trigger I saw as mine to own, with all-or-nothing answers set apart.

    Parameters
    ----------
    journal
        The open journal.
    width, height
        The size in pixels.

    Returns
    -------
    altair.Chart
    """
    bands = insights.blame_balance(journal)
    bands = bands.assign(
        band=[f"{low}–{high}" for low, high in zip(bands["low"], bands["high"], strict=True)],
        end=bands["high"] + 1,
        kind=np.where(bands["all_or_nothing"], LABELS["all_or_nothing"], LABELS["some_of_each"]),
    )
    data = _inline(bands, ["band", "low", "end", "kind", "triggers"])
    low, high = insights.ALL_OR_NOTHING
    return (
        alt.Chart(data)
        .mark_bar(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X(
                "low:Q",
                title="How much was mine to own (%)",
                scale=alt.Scale(domain=[0, 101], nice=False),
                axis=alt.Axis(values=list(range(0, 101, 10))),
            ),
            x2="end:Q",
            y=alt.Y("triggers:Q", title="Triggers", axis=_WHOLE),
            y2=alt.datum(0),
            color=alt.Color(
                "kind:N",
                scale=_colour_scale({"some_of_each": "#5ba3c9", "all_or_nothing": "#e8964a"}),
                legend=alt.Legend(title=None, orient="top"),
            ),
            tooltip=[
                alt.Tooltip("band:N", title="Mine to own (%)"),
                alt.Tooltip("triggers:Q", title="Triggers"),
            ],
        )
        .properties(
            width=width,
            height=height,
            title=_title(
                "How much of each trigger I saw as mine",
                f"All or nothing: {low}% or less, or {high}% or more.",
                empty="No triggers yet." if data["triggers"].sum() == 0 else "",
            ),
        )
    )
