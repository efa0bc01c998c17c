"""Charts for step 5, baby steps: marble jars, BRAVING elements and small steps."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import altair as alt
import pandas as pd

from .. import insights
from ..insights import FREQUENCIES, Freq
from ..journal import Journal
from ._common import (
    _HEIGHT,
    _WHOLE,
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
from .style import _choice_scale, _column, _labels, person_scale


def marble_jar(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    since: datetime.date | str | None = None,
    freq: Freq | None = None,
    max_people: int = MAX_PEOPLE,
    width: int = _WIDTH,
    height: int = _HEIGHT,
) -> ChartType:
    """Each person's marble jar over time: a line of the running total, a point per period.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    since
        Start the timeline here (the jar still counts every earlier marble).
    freq
        Count per ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (default: the
        shortest period giving at most :data:`MAX_PERIODS` points).
    max_people
        How many people at most when ``people`` is not given.
    width, height
        The size in pixels.

    Returns
    -------
    altair.LayerChart
    """
    chosen = _people(journal, people, max_people)
    if freq is None:
        dates = journal.table("marbles")["date"]
        if since is not None:
            dates = dates[dates >= pd.Timestamp(since)]
        freq = choose_freq(dates)
    balance = insights.marble_balance(journal, freq=freq, people=chosen, since=since)
    data = _inline(balance, ["person", "date", "earned", "lost", "moments", "net", "balance"])
    base = alt.Chart(data).encode(
        x=_x_time(freq, data["date"]),
        y=alt.Y("balance:Q", title="Marbles in the jar", axis=_WHOLE),
        color=alt.Color(
            "person:N",
            scale=person_scale(journal, _present(chosen, data)),
            legend=alt.Legend(title="Person"),
        ),
    )
    line = base.mark_line(interpolate="step-after", strokeWidth=2)
    points = base.mark_point(filled=True, size=40, opacity=1).encode(
        shape=alt.when(alt.datum.net >= 0)
        .then(alt.value("triangle-up"))
        .otherwise(alt.value("triangle-down")),
        tooltip=[
            alt.Tooltip("person:N", title="Person"),
            _date_tooltip("date", freq),
            alt.Tooltip("earned:Q", title="Marbles in"),
            alt.Tooltip("lost:Q", title="Marbles out"),
            alt.Tooltip("moments:Q", title="Moments"),
            alt.Tooltip("balance:Q", title="In the jar after"),
        ],
    )
    zero = alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color="#999999").encode(y="zero:Q")
    return alt.layer(zero, line, points).properties(
        width=width,
        height=height,
        title=_title(
            "How full each jar has been",
            f"One point per {FREQUENCIES[freq]}: ▲ more marbles went in than came out, "
            "▼ more came out.",
            empty="No marbles yet: a jar starts with your first moment." if data.empty else "",
        ),
    )


def current_jars(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    width: int = 300,
) -> ChartType:
    """How many marbles are in each person's jar now: one bar each.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.
    width
        The width in pixels.

    Returns
    -------
    altair.LayerChart
    """
    chosen = _people(journal, people, max_people)
    jars = insights.current_jars(journal, people=chosen)
    data = _inline(jars, ["person", "marbles", "earned", "lost", "moments", "last_date"])
    fullest = data.sort_values("marbles", ascending=False, kind="stable")["person"].tolist()
    # Room beyond the longest bars for their numbers, on either side of zero.
    low = min(0, int(data["marbles"].min())) if len(data) else 0
    high = max(0, int(data["marbles"].max())) if len(data) else 0
    room = max(1, (high - low) * 0.15)
    base = alt.Chart(data).encode(
        y=alt.Y("person:N", sort=fullest, title=None),
        x=alt.X(
            "marbles:Q",
            title="Marbles in the jar now",
            scale=alt.Scale(domain=[low - room if low < 0 else 0, high + room], nice=True),
            axis=_WHOLE,
        ),
    )
    bars = base.mark_bar(cornerRadiusEnd=3, height={"band": 0.7}).encode(
        color=alt.Color(
            "person:N", scale=person_scale(journal, _present(chosen, data)), legend=None
        ),
        tooltip=[
            alt.Tooltip("person:N", title="Person"),
            alt.Tooltip("marbles:Q", title="In the jar"),
            alt.Tooltip("earned:Q", title="Marbles in, in all"),
            alt.Tooltip("lost:Q", title="Marbles out, in all"),
            alt.Tooltip("moments:Q", title="Moments"),
            alt.Tooltip("last_date:T", title="Latest moment", format="%-d %b %Y"),
        ],
    )
    full = base.transform_filter(alt.datum.marbles >= 0).mark_text(align="left", dx=4)
    overdrawn = base.transform_filter(alt.datum.marbles < 0).mark_text(align="right", dx=-4)
    numbers = [
        layer.encode(text=alt.Text("marbles:Q", format=","), color=alt.value("#444444"))
        for layer in (full, overdrawn)
    ]
    return alt.layer(bars, *numbers).properties(
        width=width,
        height=alt.Step(26),
        title=_title(
            "Each jar now",
            "Marbles in minus marbles out, from the first moment on.",
            empty="No marbles yet." if data.empty else "",
        ),
    )


def braving_profile(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
) -> ChartType:
    """A heat map of marbles by BRAVING element for each person.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.

    Returns
    -------
    altair.LayerChart
    """
    chosen = _people(journal, people, max_people)
    profile = insights.braving_profile(journal, people=chosen)
    braving = _column("marbles", "braving")
    profile = profile.assign(element=_labels(profile["element"], braving))
    data = _inline(profile, ["person", "element", "earned", "lost", "net", "moments"])
    biggest = max(1, int(data["net"].abs().max())) if len(data) else 1
    base = alt.Chart(data).encode(
        x=alt.X(
            "element:N",
            sort=[c.label for c in braving.options],
            title=None,
            axis=alt.Axis(labelAngle=-30),
        ),
        y=alt.Y("person:N", sort=chosen, title=None),
    )
    cells = base.mark_rect(cornerRadius=2, stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "net:Q",
            scale=alt.Scale(scheme="redblue", domainMid=0, domain=[-biggest, biggest]),
            legend=alt.Legend(title="Marbles (in − out)"),
        ),
        tooltip=[
            alt.Tooltip("person:N", title="Person"),
            alt.Tooltip("element:N", title="Element"),
            alt.Tooltip("earned:Q", title="Marbles in"),
            alt.Tooltip("lost:Q", title="Marbles out"),
            alt.Tooltip("moments:Q", title="Moments"),
        ],
    )
    numbers = (
        base.transform_filter(alt.datum.moments > 0)
        .mark_text(fontSize=11)
        .encode(
            text=alt.Text("net:Q", format="+,"),
            color=alt.when(f"abs(datum.net) > {biggest * 0.6}")
            .then(alt.value("white"))
            .otherwise(alt.value("#333333")),
        )
    )
    return alt.layer(cells, numbers).properties(
        width=alt.Step(58),
        height=alt.Step(28),
        title=_title(
            "Which parts of trust each person has shown",
            "Marbles by BRAVING element: blue where more went in, red where more came out.",
            empty="No moments with a BRAVING element yet." if data.empty else "",
        ),
    )


def step_responses(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    width: int = 300,
) -> ChartType:
    """How each person responded to the small things I gave or asked for.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.
    width
        The width in pixels.

    Returns
    -------
    altair.Chart
    """
    chosen = _people(journal, people, max_people)
    responses = insights.step_responses(journal, people=chosen)
    responses = responses[responses["steps"] > 0]
    column = _column("steps", "response")
    responses = responses.assign(
        rank=responses["response"].map({r: i for i, r in enumerate(column.choices)}),
        response=_labels(responses["response"], column),
    )
    data = _inline(responses, ["person", "response", "rank", "steps", "share"])
    return (
        alt.Chart(data)
        .mark_bar(height={"band": 0.7})
        .encode(
            y=alt.Y("person:N", sort=chosen, title=None),
            x=alt.X("steps:Q", title="Small steps", stack="zero", axis=_WHOLE),
            color=alt.Color(
                "response:N",
                scale=_choice_scale(column),
                legend=alt.Legend(title="Their response"),
            ),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("person:N", title="Person"),
                alt.Tooltip("response:N", title="Response"),
                alt.Tooltip("steps:Q", title="Steps"),
                alt.Tooltip("share:Q", title="Share of answered steps", format=".0%"),
            ],
        )
        .properties(
            width=width,
            height=alt.Step(26),
            title=_title(
                "How people met my small steps",
                "What I gave or asked for, by the response it met.",
                empty="No small steps yet." if data.empty else "",
            ),
        )
    )
