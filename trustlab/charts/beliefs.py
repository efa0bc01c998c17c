"""Charts for step 4, harmful beliefs: how true each belief felt, before and after."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import insights
from ..insights import FREQUENCIES, Freq
from ..journal import Journal
from ._common import _PERIOD_WORDS, _WIDTH, ChartType, _inline, _title, _x_time, choose_freq
from .style import _AFTER, _BEFORE


def belief_labels(journal: Journal, *, label_beliefs: bool = False) -> dict[int, str]:
    """The name each belief has in charts, by its number (see :func:`insights.belief_shift`).

    Parameters
    ----------
    journal
        The open journal.
    label_beliefs
        Use each belief's first words (unique, at most 32 characters), for the person's
        own eyes only; by default "Belief 1", "Belief 2" ..., which say nothing private.

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
    label_beliefs: bool = False,
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
        Name beliefs by their first words: only for the person's own eyes (their step 4
        notebook asks for it). By default they are "Belief 1", "Belief 2" ..., so a
        chart holds none of the person's words unless asked to.
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
