"""Charts of how trust is changing: pure functions from a journal to an Altair chart.

Each chart reads :mod:`trustlab.insights`, keeps only the few aggregated
columns it draws (names, dates, counts, shares: never notes, moments,
situations or other free text) and embeds at most :data:`MAX_ROWS` rows, so a
journal of a million entries makes a chart as small as a journal of fifty.

Every person keeps one colour in every chart (:func:`person_colours`), taken
from their place in people.csv. Call :func:`enable_offline` once in a notebook
so charts show without internet, and :func:`to_svg` for a standalone picture.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd
import vl_convert

from . import insights
from .insights import FREQUENCIES, MIN_ENTRIES, Freq
from .journal import Journal
from .schema import BRAVING

__all__ = [
    "LABELS",
    "MAX_PEOPLE",
    "MAX_PERIODS",
    "MAX_ROWS",
    "PALETTE",
    "THEME",
    "ChartType",
    "belief_labels",
    "belief_shift",
    "blame_balance",
    "braving_profile",
    "choose_freq",
    "current_jars",
    "dashboard",
    "enable_offline",
    "marble_jar",
    "person_colours",
    "person_scale",
    "qualities_check",
    "self_trust",
    "step_responses",
    "to_svg",
    "triggers_over_time",
]

ChartType = alt.typing.ChartType
"""Any Altair chart: single, layered, faceted or concatenated."""

MAX_ROWS = 5_000
"""The most rows any chart embeds (Altair's own limit); charts aggregate to stay far below."""

MAX_PEOPLE = 8
"""People a chart shows unless told whom: those with the most entries."""

MAX_PERIODS = 120
"""Timeline points per person or per series before counting in a longer period."""

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

LABELS: dict[str, str] = {
    **{e: e.replace("_", "-").capitalize() for e in BRAVING},
    "childhood": "Childhood",
    "past_relationship": "A past relationship",
    "current_relationship": "The current relationship",
    "other": "Other",
    "warm": "Warm",
    "neutral": "Neutral",
    "cold": "Cold",
    "pending": "Waiting",
    "heeded": "Red flags I heeded",
    "kept": "Promises to myself I kept",
    "all_or_nothing": "All or nothing",
    "some_of_each": "Some of each",
}
"""The plain words charts show for the journal's fixed choices."""

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

_PERIOD_WORDS: dict[str, tuple[str, str]] = {
    "D": ("Day", "%-d %b %Y"),
    "W": ("Week from", "%-d %b %Y"),
    "M": ("Month", "%B %Y"),
    "Q": ("Quarter from", "%B %Y"),
    "Y": ("Year", "%Y"),
}
_RESPONSE_COLOURS = {
    "warm": "#e07b39",
    "neutral": "#c9c3b8",
    "cold": "#5b8db8",
    "pending": "#ece8e1",
}
_ORIGIN_COLOURS = {
    "childhood": "#8e6bb8",
    "past_relationship": "#5ba3c9",
    "current_relationship": "#e8964a",
    "other": "#b9b2a8",
}
_MEASURE_COLOURS = {"heeded": "#3d7f6e", "kept": "#8e6bb8"}
_BEFORE, _AFTER = "#b0aaa0", "#3d7f6e"
_WIDTH, _HEIGHT = 520, 260
_WHOLE = alt.Axis(tickMinStep=1, format="d")
"""The axis of a count: whole-number ticks only (never 0.5 of a trigger)."""


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


def to_svg(chart: ChartType) -> str:
    """The chart as a standalone SVG document, drawn locally by vl-convert.

    Nothing is fetched from the internet: the data are inside the chart and
    vl-convert may load no URL.

    Parameters
    ----------
    chart
        Any chart from this module.

    Returns
    -------
    str
        The SVG markup.
    """
    return vl_convert.vegalite_to_svg(
        chart.to_dict(), config=_CONFIG["config"], allowed_base_urls=[]
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


def _people(journal: Journal, people: Sequence[str] | None, max_people: int) -> list[str]:
    if people is not None:
        return list(people)
    return insights.busiest_people(journal, max_people=max_people)


def _present(people: Sequence[str], data: pd.DataFrame) -> list[str]:
    """``people`` who appear in the chart's data, so legends list no one absent."""
    shown = set(data["person"])
    return [p for p in people if p in shown]


# --- shared pieces ------------------------------------------------------------------


def choose_freq(
    dates: pd.Series, *, max_periods: int = MAX_PERIODS, min_per_period: float = 0
) -> Freq:
    """The shortest period a timeline of ``dates`` can be counted in and stay readable.

    Parameters
    ----------
    dates
        The entries' dates.
    max_periods
        At most this many periods from the first date to the last.
    min_per_period
        On average at least this many entries in each period.

    Returns
    -------
    str
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"`` (``"W"`` when there are no dates).
    """
    if dates.empty:
        return "W"
    days = (dates.max() - dates.min()).days + 1
    spans: dict[Freq, float] = {"D": 1, "W": 7, "M": 30.44, "Q": 91.3, "Y": 365.25}
    for freq, length in spans.items():
        periods = max(1.0, days / length)
        if periods <= max_periods and len(dates) / periods >= min_per_period:
            return freq
    return "Y"


def _inline(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Only the columns a chart draws, with a guard on how many rows it embeds."""
    data = frame.loc[:, list(columns)].reset_index(drop=True)
    if len(data) > MAX_ROWS:
        raise ValueError(
            f"This chart would embed {len(data):,} rows; charts embed at most {MAX_ROWS:,}. "
            "Choose fewer people, or a longer period with freq='M' or freq='Y'."
        )
    return data


def _title(text: str, *subtitle: str, empty: str = "") -> alt.Title:
    """A title with subtitle lines; ``empty`` is added when there is nothing to draw yet."""
    return alt.Title(text, subtitle=[line for line in (*subtitle, empty) if line])


def _date_tooltip(field: str, freq: str) -> alt.Tooltip:
    title, fmt = _PERIOD_WORDS[freq]
    return alt.Tooltip(f"{field}:T", title=title, format=fmt)


def _x_time(freq: str, dates: pd.Series, field: str = "date") -> alt.X:
    """A time axis with about eight ticks on whole days, weeks, months or years.

    Ticks on months or years are never finer than ``freq``, so they fall on the
    periods the chart counts in.
    """
    axis = alt.Axis(labelOverlap=True)
    if len(dates):
        days = (dates.max() - dates.min()).days + 1
        for interval, length, fmt in (
            ("day", 1, "%-d %b"),
            ("week", 7, "%-d %b"),
            ("month", 30.44, "%b %Y"),
            ("year", 365.25, "%Y"),
        ):
            finer = {"M": ("day", "week"), "Q": ("day", "week"), "Y": ("day", "week", "month")}
            if interval in finer.get(freq, ()) or (days / length > 40 and interval != "year"):
                continue
            step = max(1, math.ceil(days / length / 8))
            if freq == "Q" and interval == "month":
                step = 3 * math.ceil(step / 3)
            axis = alt.Axis(
                labelOverlap=True,
                format=fmt,
                tickCount=alt.TimeIntervalStep(interval=interval, step=step),
            )
            break
    return alt.X(f"{field}:T", title=None, axis=axis)


def _labels(values: pd.Series) -> pd.Series:
    return values.map(lambda v: LABELS.get(v, v)).astype("str")


def _colour_scale(colours: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=[LABELS[k] for k in colours], range=list(colours.values()))


# --- step 5: marble jars ---------------------------------------------------------


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
    profile = profile.assign(element=_labels(profile["element"]))
    data = _inline(profile, ["person", "element", "earned", "lost", "net", "moments"])
    biggest = max(1, int(data["net"].abs().max())) if len(data) else 1
    base = alt.Chart(data).encode(
        x=alt.X(
            "element:N",
            sort=[LABELS[e] for e in BRAVING],
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
    responses = responses.assign(
        rank=responses["response"].map({r: i for i, r in enumerate(_RESPONSE_COLOURS)}),
        response=_labels(responses["response"]),
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
                scale=_colour_scale(_RESPONSE_COLOURS),
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


# --- step 2: qualities ---------------------------------------------------------------


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
    data = _inline(
        check,
        ["person", "quality", "yes", "no", "unsure", "observations", "share_shown", "enough"],
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
            alt.Tooltip("yes:Q", title="Shown"),
            alt.Tooltip("no:Q", title="Not shown"),
            alt.Tooltip("unsure:Q", title="Not sure"),
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


# --- step 3: self-trust ----------------------------------------------------------------


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


# --- step 4: beliefs --------------------------------------------------------------------


def belief_labels(journal: Journal, *, label_beliefs: bool = True) -> dict[int, str]:
    """The name each belief has in charts, by its number (see :func:`insights.belief_shift`).

    Parameters
    ----------
    journal
        The open journal.
    label_beliefs
        Use each belief's first words (unique, at most 32 characters); with
        ``False``, "Belief 1", "Belief 2" ..., which say nothing private.

    Returns
    -------
    dict
        Belief number to label.
    """
    return _belief_labels(insights.belief_shift(journal), label_beliefs)


def _belief_labels(records: pd.DataFrame, label_beliefs: bool) -> dict[int, str]:
    """:func:`belief_labels` of the records of :func:`insights.belief_shift`.

    A label already taken gets the first free number after it, ``(2)``, ``(3)`` ...;
    the next number to try is remembered for each label, so thousands of beliefs
    with the same first words are named in one pass, not one pass per belief.
    """
    firsts = records.drop_duplicates("number")
    numbers = [int(n) for n in firsts["number"]]
    if not label_beliefs:
        return {n: f"Belief {n}" for n in numbers}
    labels: dict[int, str] = {}
    used: set[str] = set()
    copies: dict[str, int] = {}
    for number, text in zip(numbers, firsts["belief"].tolist(), strict=True):
        label = first = insights.short_label(text)
        if label in used:
            # Every number below copies[first] was tried before and is still taken.
            copy = copies.get(first, 2)
            label, copy = f"{first} ({copy})", copy + 1
            while label in used:
                label, copy = f"{first} ({copy})", copy + 1
            copies[first] = copy
        used.add(label)
        labels[number] = label
    return labels


def belief_shift(
    journal: Journal,
    *,
    label_beliefs: bool = True,
    max_beliefs: int = 6,
    max_points: int = 60,
    width: int = _WIDTH,
) -> ChartType:
    """How true each belief felt before and after each thought record, over time.

    One row per belief: a grey dot for "before" and a green dot for "after",
    joined by a line, so a record that helped shows as a drop.

    Parameters
    ----------
    journal
        The open journal.
    label_beliefs
        Name beliefs by their first words (for the person's own eyes); with
        ``False`` they are "Belief 1", "Belief 2" ... (use this for anything shared).
    max_beliefs
        Show the beliefs with the most records, at most this many (the subtitle
        says so when there are more).
    max_points
        Beyond this many records for one belief, show the average per period.
    width
        The width in pixels.

    Returns
    -------
    altair.FacetChart
    """
    records = insights.belief_shift(journal)
    counts = records["number"].value_counts()
    shown = sorted(counts.nlargest(max_beliefs, keep="first").index)
    # A label depends only on the beliefs numbered before it: name no more than needed.
    last = shown[-1] if shown else 0
    labels = _belief_labels(records[records["number"].to_numpy() <= last], label_beliefs)
    records = records[records["number"].isin(shown)]
    freq: Freq = "D"
    if len(records) and counts.max() > max_points:
        freq = choose_freq(records["date"], max_periods=max_points)
    records = records.assign(
        date=insights.period_start(records["date"], freq),
        after=records["after"].astype("float64"),
        records=1,
    )
    per_period = (
        records.groupby(["number", "date"], sort=True)
        .agg(before=("before", "mean"), after=("after", "mean"), records=("records", "sum"))
        .reset_index()
    )
    per_period["belief"] = per_period["number"].map(labels).astype("str")
    per_period[["before", "after"]] = per_period[["before", "after"]].round(1)
    data = _inline(per_period, ["belief", "date", "before", "after", "records"])
    title, fmt = _PERIOD_WORDS[freq]
    tooltip = [
        alt.Tooltip("belief:N", title="Belief"),
        alt.Tooltip("date:T", title=title, format=fmt),
        alt.Tooltip("before:Q", title="How true before"),
        alt.Tooltip("after:Q", title="How true after"),
        alt.Tooltip("records:Q", title="Thought records"),
    ]
    x = _x_time(freq, data["date"])
    y_scale = alt.Scale(domain=[0, 100])
    joins = (
        alt.Chart()
        .transform_filter("isValid(datum.after)")
        .mark_rule(color="#c8c2b8", strokeWidth=2)
        .encode(x=x, y=alt.Y("before:Q", scale=y_scale, title="How true"), y2="after:Q")
    )
    dots = (
        alt.Chart()
        .transform_fold(["before", "after"], as_=["when", "how_true"])
        .transform_filter("isValid(datum.how_true)")
        .mark_circle(size=60, opacity=1)
        .encode(
            x=x,
            y=alt.Y("how_true:Q", scale=y_scale, title="How true"),
            color=alt.Color(
                "when:N",
                scale=alt.Scale(domain=["before", "after"], range=[_BEFORE, _AFTER]),
                legend=alt.Legend(
                    title=None,
                    orient="top",
                    labelExpr="datum.label == 'before' ? 'Before the record' : 'After it'",
                ),
            ),
            tooltip=tooltip,
        )
    )
    each = (
        "Each pair of dots is one thought record"
        if freq == "D"
        else f"Each pair of dots is the average of a {FREQUENCIES[freq]}'s thought records"
    )
    some = ""
    if len(counts) > len(shown):
        which = "belief" if len(shown) == 1 else f"{len(shown):,} beliefs"
        some = f"The {which} with the most thought records, of {len(counts):,} beliefs."
    return (
        alt.layer(joins, dots, data=data)
        .properties(width=width, height=80)
        .facet(
            row=alt.Row(
                "belief:N",
                sort=[labels[n] for n in shown],
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelOrient="top",
                    labelAnchor="start",
                    labelAlign="left",
                    labelFontWeight="bold",
                    labelLimit=width,
                ),
            ),
            spacing=12,
        )
        .properties(
            title=_title(
                "How true my beliefs have felt",
                f"{each}: how true it felt before (grey) and after (green), from 0 to 100.",
                some,
                empty="No thought records yet." if data.empty else "",
            )
        )
    )


# --- step 1: roots ------------------------------------------------------------------------


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
    counts = insights.triggers_by_origin(journal, freq=freq)
    rank = counts["origin"].map({o: i for i, o in enumerate(_ORIGIN_COLOURS)})
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
        origin=_labels(counts["origin"]),
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
                scale=_colour_scale(_ORIGIN_COLOURS),
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


# --- all together ---------------------------------------------------------------------------


def dashboard(
    journal: Journal,
    *,
    people: Sequence[str] | None = None,
    max_people: int = MAX_PEOPLE,
    label_beliefs: bool = True,
) -> ChartType:
    """The main charts on one page, from the marble jars to the roots of distrust.

    Parameters
    ----------
    journal
        The open journal.
    people
        Whom to show (default the :data:`MAX_PEOPLE` people with the most entries).
    max_people
        How many people at most when ``people`` is not given.
    label_beliefs
        Name beliefs by their first words; ``False`` for "Belief 1", "Belief 2" ...

    Returns
    -------
    altair.VConcatChart
    """
    chosen = _people(journal, people, max_people)
    # One column of charts, so the page is at most about 650 px wide: it fits a 1,280 px
    # window with JupyterLab's sidebar open, and a phone-sized report.
    rows = [
        marble_jar(journal, people=chosen, width=_WIDTH),
        current_jars(journal, people=chosen, width=360),
        braving_profile(journal, people=chosen),
        step_responses(journal, people=chosen, width=420),
        self_trust(journal, width=_WIDTH, height=180),
        qualities_check(journal, people=chosen),
        belief_shift(journal, label_beliefs=label_beliefs, width=_WIDTH),
        triggers_over_time(journal, width=360, height=170),
        blame_balance(journal, width=360, height=170),
    ]
    # Built with one constructor each: Altair's helpers (vconcat, resolve_scale,
    # properties) copy the whole tree at every call, a third of the build time.
    return alt.VConcatChart(
        vconcat=rows,
        spacing=50,
        resolve=_INDEPENDENT,
        title=alt.Title("Your trust journal at a glance", fontSize=20, offset=20),
    )


_INDEPENDENT = alt.Resolve(
    scale=alt.ScaleResolveMap(color="independent", shape="independent", opacity="independent")
)
"""Concatenated charts share colour scales unless told otherwise, which would merge
people, BRAVING scores and trigger origins into one legend."""
